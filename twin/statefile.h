/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A twin's state file, for every model: the exclusive lock and the atomic save.
 *
 * The lock is an flock(2) on the state file itself (its inode), never on a second file named
 * after it (issue 13 class 15): a symlink and its target are one file and one lock, deleting a
 * file does not let a second writer in, and nothing is left behind by a failed open. The path
 * is resolved once (symlinks followed) and every save goes to the resolved file, so a symlink
 * stays a symlink.
 *
 * A save writes a temporary file in the same directory, takes the lock on that new inode, then
 * renames it over the state file and only then lets go of the old inode: there is no moment
 * when the file at the path is unlocked. A process that locked the old inode in between sees
 * that the path no longer names it and looks again (tw_sf_attach retries). */
#ifndef TW_STATEFILE_H
#define TW_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/flashkey.h"

typedef struct tw_statefile {
	int fd;	     /* the locked inode; -1 while the file does not exist yet */
	char *path;  /* resolved path the saves go to (malloc'd); NULL when not attached */
	char *given; /* the path as the caller gave it, for messages (malloc'd) */
} tw_statefile;

#define TW_STATEFILE_INIT {-1, NULL, NULL}

/* Take the lock of the state file at path. An existing file is locked (FK_E_BUSY "twin busy"
 * when another process holds it); a missing one is allowed only when may_create (the first
 * save creates it, already locked), else FK_E_NOT_FOUND naming the path. */
int tw_sf_attach(fk_ctx *ctx, const char *path, bool may_create, tw_statefile *sf);
/* Replace the file's content with buf atomically (fsync first when durable). */
int tw_sf_save(fk_ctx *ctx, tw_statefile *sf, const uint8_t *buf, size_t len, bool durable);
/* Read the whole locked file (at most max bytes; more is FK_E_BAD_FILE "file too large").
 * *out is malloc'd, caller frees. */
int tw_sf_read(fk_ctx *ctx, const tw_statefile *sf, size_t max, uint8_t **out, size_t *len);
/* tw_sf_attach (existing file only) + tw_sf_read: the locked file and its content, or nothing
 * held at all on failure. */
int tw_sf_open_read(fk_ctx *ctx, const char *path, size_t max, tw_statefile *sf, uint8_t **out,
		    size_t *len);
/* Unlock and forget; removes nothing. */
void tw_sf_release(tw_statefile *sf);

#endif
