/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A twin's state file: lock on the file's own inode, atomic save that hands the lock over to
 * the new inode before the rename (see statefile.h). POSIX open/flock/mkstemp/rename/fsync. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"

#define TW_SF_RETRIES 64 /* a file replaced under us this often in a row: give up, say busy */

static int sf_busy(fk_ctx *ctx, const char *path)
{
	fk_hint(ctx, "stop the other flashkey/flashkey-twin process using %s, then retry", path);
	return fk_fail(ctx, FK_E_BUSY, "twin busy: %s is in use by another process", path);
}

static char *sf_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* The path the saves go to: the file itself with every symlink resolved; for a file still to
 * be created, the resolved directory plus the name. */
static int sf_resolve(fk_ctx *ctx, const char *path, bool may_create, char **out, bool *exists)
{
	char buf[PATH_MAX];
	*out = NULL;
	if (realpath(path, buf)) {
		*exists = true;
		return (*out = sf_dup(buf)) ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "out of memory");
	}
	int e = errno;
	struct stat ls;
	if (e != ENOENT || !may_create || lstat(path, &ls) == 0) {
		if (e == ENOENT && !may_create) {
			fk_hint(ctx, "create one with `flashkey-twin new stm32f407 %s`", path);
			return fk_fail(ctx, FK_E_NOT_FOUND, "cannot open twin state %s: %s", path,
				       strerror(e));
		}
		if (e == ENOENT) /* lstat found it: a symlink to nothing */
			return fk_fail(ctx, FK_E_NOT_FOUND, "twin state %s is a symbolic link to a "
							    "missing file", path);
		return fk_fail(ctx, FK_E_IO, "cannot open twin state %s: %s", path, strerror(e));
	}
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	size_t dl = slash ? (size_t)(slash - path) : 0;
	if (!name[0] || dl >= sizeof dir)
		return fk_fail(ctx, FK_E_USAGE, "twin state path %s names no file", path);
	if (slash && dl == 0)
		dl = 1; /* "/name" */
	memcpy(dir, slash ? path : ".", slash ? dl : 1);
	dir[slash ? dl : 1] = '\0';
	if (!realpath(dir, buf))
		return fk_fail(ctx, FK_E_IO, "cannot create twin state %s: directory %s: %s", path,
			       dir, strerror(errno));
	size_t bl = strlen(buf), nl = strlen(name);
	if (bl + 1 + nl + 1 > sizeof buf)
		return fk_fail(ctx, FK_E_USAGE, "twin state path too long: %s", path);
	if (strcmp(buf, "/") != 0)
		buf[bl++] = '/';
	memcpy(buf + bl, name, nl + 1);
	*exists = false;
	return (*out = sf_dup(buf)) ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "out of memory");
}

static int sf_attach(fk_ctx *ctx, const char *path, bool may_create, tw_statefile *sf);

int tw_sf_attach(fk_ctx *ctx, const char *path, bool may_create, tw_statefile *sf)
{
	int rc = sf_attach(ctx, path, may_create, sf);
	if (rc)
		tw_sf_release(sf); /* nothing kept from a failed attach */
	return rc;
}

static int sf_attach(fk_ctx *ctx, const char *path, bool may_create, tw_statefile *sf)
{
	*sf = (tw_statefile)TW_STATEFILE_INIT;
	if (!path || !path[0])
		return fk_fail(ctx, FK_E_USAGE, "the twin needs a state file path");
	char *real;
	bool exists;
	if (!(sf->given = sf_dup(path)))
		return fk_fail(ctx, FK_E_NOMEM, "out of memory");
	int rc = sf_resolve(ctx, path, may_create, &real, &exists);
	if (rc)
		return rc;
	if (!exists) {
		sf->path = real;
		return FK_OK;
	}
	for (unsigned tries = 0; tries < TW_SF_RETRIES; tries++) {
		int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			int e = errno;
			if (e == ENOENT && may_create) { /* removed since: create it afresh */
				sf->path = real;
				return FK_OK;
			}
			free(real);
			if (e == ENOENT)
				fk_hint(ctx, "create one with `flashkey-twin new stm32f407 %s`", path);
			return fk_fail(ctx, e == ENOENT ? FK_E_NOT_FOUND : FK_E_IO,
				       "cannot open twin state %s: %s", path, strerror(e));
		}
		struct stat fs, ps;
		if (fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode)) {
			close(fd);
			free(real);
			fk_hint(ctx, "a twin state file is a regular file made by `flashkey-twin new`");
			return fk_fail(ctx, FK_E_BAD_FILE, "twin state %s is not a regular file", path);
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			close(fd);
			if (e == EWOULDBLOCK || e == EINTR) {
				free(real);
				return sf_busy(ctx, path);
			}
			free(real);
			return fk_fail(ctx, FK_E_IO, "cannot lock twin state %s: %s", path, strerror(e));
		}
		/* the lock counts only if the path still names the inode we locked: a save by the
		 * previous holder may have renamed a new file over it meanwhile */
		if (stat(real, &ps) == 0 && ps.st_dev == fs.st_dev && ps.st_ino == fs.st_ino) {
			sf->fd = fd;
			sf->path = real;
			return FK_OK;
		}
		close(fd);
	}
	free(real);
	return sf_busy(ctx, path);
}

static int sf_write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int tw_sf_save(fk_ctx *ctx, tw_statefile *sf, const uint8_t *buf, size_t len, bool durable)
{
	if (!sf->path)
		return fk_fail(ctx, FK_E_INVALID_ARG, "twin has no state file to save to");
	char tmp[PATH_MAX + 8];
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", sf->path) >= (int)sizeof tmp)
		return fk_fail(ctx, FK_E_USAGE, "twin state path too long: %s", sf->path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return fk_fail(ctx, FK_E_IO, "cannot save twin state %s: cannot create %s: %s",
			       sf->path, tmp, strerror(errno));
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	int rc = sf_write_all(fd, buf, len) ? -1 : 0;
	if (!rc && durable)
		rc = fsync(fd);
	if (!rc)
		rc = fchmod(fd, 0644);
	if (!rc)
		rc = flock(fd, LOCK_EX | LOCK_NB); /* a new inode: nobody else can hold it */
	if (!rc)
		rc = rename(tmp, sf->path);
	if (rc) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return fk_fail(ctx, FK_E_IO, "cannot write twin state %s: %s (the file keeps its "
					     "previous state)", sf->path, strerror(e));
	}
	if (sf->fd >= 0)
		close(sf->fd); /* the old inode, no longer at the path */
	sf->fd = fd;
	return FK_OK;
}

int tw_sf_read(fk_ctx *ctx, const tw_statefile *sf, size_t max, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (sf->fd < 0)
		return fk_fail(ctx, FK_E_NOT_FOUND, "twin state %s does not exist yet",
			       sf->path ? sf->path : "(none)");
	struct stat st;
	if (fstat(sf->fd, &st) != 0)
		return fk_fail(ctx, FK_E_IO, "cannot read twin state %s: %s", sf->path,
			       strerror(errno));
	if ((uint64_t)st.st_size > max)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a valid twin state file: file too large "
						   "(%lld bytes, at most %zu)", sf->path,
			       (long long)st.st_size, max);
	size_t n = (size_t)st.st_size;
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s: out of memory", sf->path);
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(sf->fd, b + got, n - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(b);
			return fk_fail(ctx, FK_E_IO, "cannot read twin state %s: %s", sf->path,
				       strerror(e));
		}
		got += (size_t)r;
	}
	*out = b;
	*len = n;
	return FK_OK;
}

int tw_sf_open_read(fk_ctx *ctx, const char *path, size_t max, tw_statefile *sf, uint8_t **out,
		    size_t *len)
{
	*out = NULL;
	*len = 0;
	int rc = tw_sf_attach(ctx, path, false, sf);
	if (!rc && (rc = tw_sf_read(ctx, sf, max, out, len)))
		tw_sf_release(sf);
	return rc;
}

void tw_sf_release(tw_statefile *sf)
{
	if (sf->fd >= 0)
		close(sf->fd);
	free(sf->path);
	free(sf->given);
	*sf = (tw_statefile)TW_STATEFILE_INIT;
}
