/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session behind include/flashkey/flashkey.h: one transport, one family driver. */
#ifndef FK_API_SESSION_H
#define FK_API_SESSION_H

#include "chip/driver.h"
#include "chip/stm32f4.h"
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

/* Transitional: the STM32F4 driver's own state, for the lib/api files not yet moved onto the
 * driver interface (tests/lint/family_ids.allow lists them). Valid only when drv is the F4's. */
#define FK_F4(s) stm32f4_driver_state((s)->chip)
/* Is the session's driver the STM32F4's? The F4-only entry points (options, OTP, option restore)
 * refuse other families with fk_api_f4_only until they move onto the driver interface. */
#define FK_IS_F4(s) (strcmp((s)->drv->family, "stm32f4") == 0)
/* FK_E_UNSUPPORTED: `what` is not available yet for the session's family (named). */
int fk_api_f4_only(fk_session *s, const char *what);

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

#endif
