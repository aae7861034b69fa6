/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session behind include/flashkey/flashkey.h: one transport, one family driver. */
#ifndef FK_API_SESSION_H
#define FK_API_SESSION_H

#include "chip/driver.h"
#include "flashkey/flashkey.h"

struct fk_session {
	fk_ctx *ctx;
	fk_transport t;
	fk_chip_path path;          /* the access path over t */
	fk_chip_ids ids;            /* the IDs it collected once */
	const fk_chip_driver *drv;  /* the family driver that claimed them */
	void *chip;                 /* its state */
	const fk_chip_desc *desc;   /* drv->describe(chip) */
	fk_chip_info info;
	fk_sector_info *sectors;    /* info.sectors: the erase units, any number */
	unsigned width;             /* program width in bytes (drv->set_supply) */
	int reset_mode; /* fk_conn_opts.reset_mode: -1 default, FK_RESET_POWER_CYCLE = none */
	char backup_dir[256]; /* the last backup taken before a destructive step ("" = none) */
	bool restore_run;     /* fk_session_restore_run_state: resume a core found running */
};

/* FK_E_UNSUPPORTED: `what` is not available for the session's family (named). */
int fk_api_unsupported(fk_session *s, const char *what);
/* A protection change planned by the family driver over a fresh inventory (plan zeroed first). */
int fk_api_change_plan(fk_session *s, const fk_change *req, fk_plan *plan);
/* Runs a plan through the one executor (fk_unlock_run: gates on the whole plan, backup before a
 * destructive step, read back after each); *pending gets what is still needed afterwards. */
int fk_api_change_run(fk_session *s, const fk_plan *plan, const fk_perms *perms,
		      fk_pending *pending);

/* FK_E_PERMISSION unless perms name the consequence PERMANENT. */
int fk_api_need_irreversible(fk_ctx *ctx, const fk_perms *perms, const char *what);
int fk_api_need_erase_all(fk_ctx *ctx, const fk_perms *perms, const char *what);
/* The backup directory of perms (unless no_backup) can take a backup: its nearest existing
 * ancestor is a writable directory. Creates nothing; FK_E_BACKUP naming the path otherwise.
 * Run before the first step of a plan (DESIGN.md "Safety gates"). */
int fk_api_backup_dir_check(fk_session *s, const fk_perms *perms);
/* The verified backup before a destructive step `what` (unless no_backup; a dry run only checks
 * the directory); its directory is kept in s->backup_dir. FK_E_BACKUP when it fails. */
int fk_api_backup_before(fk_session *s, const fk_perms *perms, const char *what);
/* Protection in the inventory that blocks erasing/programming the sectors in set (index in
 * the sector array): FK_E_PROTECTED (FK_E_LOCKED for a key lockout) naming the lock and the
 * first sector, with its remedy as the hint. The dry runs' check (lib/api/gates.c). */
int fk_api_write_blocked(fk_session *s, const fk_sector_set *set, const char *what);
/* A system reset so that changed option bytes take effect (they load at reset release), the
 * core halted again on a memory path; false when the path cannot reset. */
bool fk_api_reset_reload(fk_session *s);

/* fk_flash_write with o->encrypt (lib/api/flash_crypt.c). */
int fk_flash_write_encrypted(fk_session *s, const fk_seg *segs, unsigned nsegs,
			     const fk_write_opts *o, const fk_perms *perms, fk_write_result *r);

#endif
