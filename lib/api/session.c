/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session API: open a connection, identify (fail closed), inventory, reset; the safety-gate
 * helpers shared by the other API files (DESIGN.md "Safety gates"). */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "chip/path.h"
#include "core/core.h"
#include "debug/dap_mem.h"

static int fk_session_info(fk_session *s)
{
	const fk_chip_desc *c = s->desc;
	fk_chip_info *i = &s->info;
	fk_strlcpy(i->chip, c->part, sizeof i->chip);
	fk_strlcpy(i->members, c->members, sizeof i->members);
	fk_strlcpy(i->family, c->family, sizeof i->family);
	fk_strlcpy(i->manual, c->manual, sizeof i->manual);
	fk_strlcpy(i->path, s->drv->path_name(s->chip), sizeof i->path);
	fk_strlcpy(i->transport, s->t.description, sizeof i->transport);
	i->dev_id = c->dev_id;
	i->rev_id = c->rev_id;
	fk_strlcpy(i->revision, c->revision, sizeof i->revision);
	i->flash_base = c->flash_base;
	i->flash_size = c->flash_size;
	i->flash_size_assumed = c->flash_size_assumed;
	s->sectors = calloc(c->nunits ? c->nunits : 1U, sizeof *s->sectors);
	if (!s->sectors)
		return fk_fail(s->ctx, FK_E_NOMEM, "a map of %u sectors", c->nunits);
	i->sectors = s->sectors;
	i->nsectors = c->nunits;
	for (unsigned k = 0; k < i->nsectors; k++)
		s->sectors[k] = (fk_sector_info){.number = c->units[k].number,
						 .addr = c->units[k].addr,
						 .size = c->units[k].size,
						 .blank = -1};
	for (unsigned k = 0; k < c->nareas; k++) {
		if (c->areas[k].kind != FK_AREA_OTP)
			continue;
		i->otp_base = c->areas[k].addr;
		i->otp_size = c->areas[k].size;
		if (k + 1 < c->nareas && c->areas[k + 1].kind == FK_AREA_OTP_LOCK)
			i->otp_size += c->areas[k + 1].size; /* data blocks + lock bytes */
	}
	i->option_base = c->option_base;
	fk_strlcpy(i->option_reg, c->option_reg ? c->option_reg : "", sizeof i->option_reg);
	i->otp_blocks = c->otp.nblocks;
	i->otp_block_size = c->otp.block_size;
	i->otp_lock_base = c->otp.lock_base;
	i->otp_lock_bit = c->otp.lock_model == FK_OTP_LOCK_BIT ||
			  c->otp.lock_model == FK_OTP_LOCK_REGION;
	fk_strlcpy(i->otp_lock_name, c->otp.lock_name ? c->otp.lock_name : "", sizeof
		   i->otp_lock_name);
	if (c->otp.nblocks && !i->otp_base)
		i->otp_base = c->otp.data_base;
	fk_strlcpy(i->opt_reg_prefix, c->opt_reg_prefix ? c->opt_reg_prefix : "",
		   sizeof i->opt_reg_prefix);
	fk_strlcpy(i->rdp_source, c->rdp_source ? c->rdp_source : c->manual, sizeof i->rdp_source);
	fk_strlcpy(i->width_source, c->width_source ? c->width_source : c->manual,
		   sizeof i->width_source);
	i->nwidths = FK_MIN(c->nwidths, (unsigned)FK_CHIP_MAX_WIDTHS);
	for (unsigned k = 0; k < i->nwidths; k++) {
		const fk_width_row *w = &c->widths[k];
		fk_width_info *o = &i->widths[k];
		o->width = w->width;
		fk_strlcpy(o->need, w->need ? w->need : "", sizeof o->need);
		if (!w->external || !w->ext_name)
			continue;
		fk_strlcpy(o->ext_name, w->ext_name, sizeof o->ext_name);
		fk_strlcpy(o->ext_volts, w->ext_volts ? w->ext_volts : "", sizeof o->ext_volts);
		fk_strlcpy(o->ext_limit, w->ext_limit ? w->ext_limit : "", sizeof o->ext_limit);
	}
	return FK_OK;
}

/* The path over the transport, the IDs it collects once, the driver that claims them. */
static int fk_session_attach(fk_session *s, const char *expect, const fk_conn_opts *opts)
{
	fk_conn_opts o = {0};
	if (opts)
		o = *opts;
	o.reset_mode = s->reset_mode;
	int rc = fk_chip_path_open(s->ctx, &s->t, &o, &s->path, &s->ids);
	if (!rc)
		rc = fk_chip_select(s->ctx, &s->path, &s->ids, expect,
				    opts && opts->allow_wrong_memory_map, &s->drv, &s->chip);
	if (rc)
		return rc;
	s->desc = s->drv->describe(s->chip);
	return fk_session_info(s);
}

int fk_session_open(fk_ctx *ctx, const char *connection, const fk_conn_opts *opts,
		    const char *expect_chip, fk_session **out)
{
	*out = NULL;
	fk_session *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "allocating a session");
	s->ctx = ctx;
	s->reset_mode = opts ? opts->reset_mode : -1;
	int rc = fk_transport_open(ctx, connection, opts, &s->t);
	if (rc) {
		free(s);
		return rc;
	}
	rc = dbgmem_wrap(ctx, &s->t, opts); /* a raw DAP probe becomes a MEM path (ADIv5) */
	if (rc) {
		fk_transport_close(&s->t);
		free(s);
		return rc;
	}
	rc = fk_session_attach(s, expect_chip, opts);
	if (rc) {
		fk_session_close(s);
		return rc;
	}
	*out = s;
	return FK_OK;
}

void fk_session_restore_run_state(fk_session *s)
{
	if (s)
		s->restore_run = true;
}

/* Once, before the state is saved: a failure is logged, the command's own result stands. */
static void fk_session_resume(fk_session *s)
{
	if (!s->restore_run)
		return;
	s->restore_run = false;
	fk_ctx *q = fk_ctx_new();
	if (q && fk_chip_path_resume(&s->path, q)) {
		char msg[FK_CHAIN_MSG_MAX];
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_CHIP, "the core was running when flashkey "
			"attached and is left halted: %s", fk_ctx_message(q, msg, sizeof msg));
	}
	fk_ctx_free(q);
}

void fk_session_close(fk_session *s)
{
	if (!s)
		return;
	fk_session_resume(s);
	if (s->drv && s->drv->detach)
		s->drv->detach(s->chip);
	fk_chip_path_close(&s->path);
	fk_transport_close(&s->t);
	free(s->sectors);
	free(s);
}

int fk_session_sync(fk_session *s)
{
	int rc = fk_transport_sync(&s->t, s->ctx);
	if (rc) {
		fk_hint(s->ctx, "free space (or fix the permissions) where the state file lives and "
				"run the command again: the file still holds the state from before it");
		fk_fail_wrap(s->ctx, rc, "the target's state could not be saved, so what this command "
					 "did is lost");
	}
	return rc;
}

int fk_session_end(fk_session *s, int rc)
{
	if (!s)
		return rc;
	fk_session_resume(s);
	if (rc == FK_OK) {
		rc = fk_session_sync(s);
	} else { /* keep the first error; the failed save is said too */
		fk_ctx *q = fk_ctx_new();
		int src = q ? fk_transport_sync(&s->t, q) : FK_E_NOMEM;
		if (src) {
			char msg[FK_CHAIN_MSG_MAX];
			if (q)
				fk_ctx_message(q, msg, sizeof msg);
			else
				fk_strlcpy(msg, "out of memory", sizeof msg);
			fk_log(s->ctx, FK_LOG_ERROR, FK_TRACE_CHIP, "the target's state could not be "
				"saved either: %s", msg);
		}
		fk_ctx_free(q);
	}
	fk_session_close(s);
	return rc;
}

const fk_chip_info *fk_session_chip(const fk_session *s)
{
	return &s->info;
}

const fk_option_key *fk_session_option_keys(const fk_session *s, unsigned *n)
{
	*n = s->desc ? s->desc->nopts : 0;
	return *n ? s->desc->opts : NULL;
}

const char *fk_session_backup_dir(const fk_session *s)
{
	return s->backup_dir;
}

uint64_t fk_session_virtual_ns(const fk_session *s)
{
	return s->drv->virtual_ns ? s->drv->virtual_ns(s->chip) : 0;
}

void fk_session_unreadable(const fk_session *s, uint32_t lo, uint64_t hi, uint32_t *addr,
			   uint32_t *len, const char **why)
{
	const fk_chip_desc *c = s->desc;
	uint64_t a = FK_MAX((uint64_t)lo, (uint64_t)c->hidden_addr);
	uint64_t b = FK_MIN(hi, (uint64_t)c->hidden_addr + c->hidden_len);
	*addr = c->hidden_len && a < b ? (uint32_t)a : 0;
	*len = c->hidden_len && a < b ? (uint32_t)(b - a) : 0;
	*why = c->hidden_why ? c->hidden_why : "";
}

int fk_session_inventory(fk_session *s, fk_inventory *inv)
{
	return s->drv->inventory(s->chip, s->ctx, inv);
}

int fk_session_reset_check(fk_session *s, fk_reset_kind kind)
{
	return s->drv->reset_check ? s->drv->reset_check(s->chip, s->ctx, kind) : FK_OK;
}

int fk_session_reset(fk_session *s, fk_reset_kind kind)
{
	if (fk_session_reset_check(s, kind))
		return fk_ctx_error(s->ctx);
	int rc = s->drv->reset(s->chip, s->ctx, kind);
	return rc ? fk_fail_wrap(s->ctx, rc, "resetting the target") : FK_OK;
}

int fk_api_unsupported(fk_session *s, const char *what)
{
	return fk_fail(s->ctx, FK_E_UNSUPPORTED, "%s: not available for the %s family (%s)",
		       what, s->drv->family, s->info.chip);
}

int fk_api_need_irreversible(fk_ctx *ctx, const fk_perms *perms, const char *what)
{
	if (perms && perms->allow_irreversible && strcmp(perms->allow_irreversible, "PERMANENT") == 0)
		return FK_OK;
	fk_hint(ctx, "this cannot be undone; name the consequence with "
		     "--allow-irreversible=PERMANENT (or type PERMANENT at the prompt)");
	return fk_fail(ctx, FK_E_PERMISSION, "%s is irreversible; refused without "
					     "--allow-irreversible=PERMANENT; nothing was written", what);
}

int fk_api_need_erase_all(fk_ctx *ctx, const fk_perms *perms, const char *what)
{
	if (perms && perms->allow_erase_all)
		return FK_OK;
	fk_hint(ctx, "add --allow-erase-all (or type yes at the prompt) once you have checked the "
		     "plan with --dry-run");
	return fk_fail(ctx, FK_E_PERMISSION, "%s erases all flash; refused without "
					     "--allow-erase-all; nothing was written", what);
}
