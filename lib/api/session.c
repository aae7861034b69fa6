/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session API: open a connection, identify (fail closed), inventory, reset; the safety-gate
 * helpers shared by the other API files (DESIGN.md "Safety gates"). */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "chip/stm32f4_boot.h"
#include "core/core.h"
#include "debug/dap_mem.h"

static int fk_session_path(fk_session *s, const char *boot_seq, const stm32f4_path_ops **ops,
			   void **h)
{
	if (s->t.kind == FK_TRANSPORT_MEM)
		return stm32f4_dbg_open(s->ctx, s->t.ops, s->t.handle, ops, h);
	if (s->t.kind == FK_TRANSPORT_STREAM) /* a ROM bootloader: AN3155 on STM32 */
		return stm32f4_boot_open(s->ctx, &s->t, boot_seq, ops, h);
	return fk_fail(s->ctx, FK_E_UNSUPPORTED, "%s: no STM32F4 access path for this connection",
		       s->t.description);
}

static void fk_session_info(fk_session *s)
{
	const stm32f4 *d = &s->drv;
	fk_chip_info *i = &s->info;
	fk_strlcpy(i->chip, d->dev->name, sizeof i->chip);
	fk_strlcpy(i->members, d->dev->members, sizeof i->members);
	fk_strlcpy(i->family, "stm32f4", sizeof i->family);
	fk_strlcpy(i->manual, d->dev->manual, sizeof i->manual);
	fk_strlcpy(i->path, d->ops->name, sizeof i->path);
	fk_strlcpy(i->transport, s->t.description, sizeof i->transport);
	i->dev_id = (uint16_t)(d->idcode & 0xFFFU);
	i->rev_id = (uint16_t)(d->idcode >> 16);
	fk_strlcpy(i->revision, stm32f4_dev_revision(d->dev, i->rev_id), sizeof i->revision);
	i->flash_base = STM32F4_FLASH_BASE;
	i->flash_size = d->flash_kb * 1024U;
	i->flash_size_assumed = d->size_assumed;
	i->nsectors = FK_MIN(d->nsectors, FK_INV_MAX_SECTORS);
	for (unsigned k = 0; k < i->nsectors; k++)
		i->sectors[k] = (fk_sector_info){.number = d->sectors[k].number,
						 .addr = d->sectors[k].addr,
						 .size = d->sectors[k].size,
						 .blank = -1};
	i->otp_base = STM32F4_OTP_BASE;
	i->otp_size = STM32F4_OTP_END - STM32F4_OTP_BASE;
	i->option_base = STM32F4_OPTBYTES_BANK1;
}

static int fk_session_attach(fk_session *s, const char *expect, const char *boot_seq)
{
	const stm32f4_path_ops *ops;
	void *h;
	int rc = fk_session_path(s, boot_seq, &ops, &h);
	if (rc)
		return rc;
	const fk_mem_ops *mem = s->t.kind == FK_TRANSPORT_MEM ? s->t.ops : NULL;
	if (mem && mem->halt && mem->halt(s->t.handle, s->ctx))
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_CHIP, "could not halt the core; continuing");
	rc = stm32f4_attach(&s->drv, s->ctx, ops, h);
	if (rc) {
		if (ops->close)
			ops->close(h);
		s->drv.ops = NULL;
		return rc;
	}
	fk_session_info(s);
	if (expect && !stm32f4_dev_matches(s->drv.dev, expect))
		return fk_fail(s->ctx, FK_E_UNKNOWN_CHIP, "--chip %s given, but the target is %s "
							  "(DEV_ID 0x%03X: %s)",
			       expect, s->info.chip, s->info.dev_id, s->info.members);
	return FK_OK;
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
	rc = fk_session_attach(s, expect_chip, opts ? opts->boot_seq : NULL);
	if (rc) {
		fk_session_close(s);
		return rc;
	}
	*out = s;
	return FK_OK;
}

void fk_session_close(fk_session *s)
{
	if (!s)
		return;
	if (s->drv.ops && s->drv.ops->close)
		s->drv.ops->close(s->drv.h);
	fk_transport_close(&s->t);
	free(s);
}

const fk_chip_info *fk_session_chip(const fk_session *s)
{
	return &s->info;
}

const char *fk_session_backup_dir(const fk_session *s)
{
	return s->backup_dir;
}

uint64_t fk_session_virtual_ns(const fk_session *s)
{
	return s->drv.ops->virtual_ns ? s->drv.ops->virtual_ns(s->drv.h) : 0;
}

int fk_session_inventory(fk_session *s, fk_inventory *inv)
{
	return stm32f4_inventory(&s->drv, s->ctx, inv);
}

int fk_session_reset_check(fk_session *s, fk_reset_kind kind)
{
	(void)kind;
	if (!s->drv.ops->reset)
		return fk_fail(s->ctx, FK_E_UNSUPPORTED, "the %s path cannot reset the target",
			       s->drv.ops->name);
	return FK_OK;
}

int fk_session_reset(fk_session *s, fk_reset_kind kind)
{
	if (fk_session_reset_check(s, kind))
		return fk_ctx_error(s->ctx);
	int rc = s->drv.ops->reset(s->drv.h, s->ctx, kind);
	return rc ? fk_fail_wrap(s->ctx, rc, "resetting the target") : FK_OK;
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

void fk_api_optwords(const fk_inventory *inv, uint32_t *optcr, uint32_t *optcr1)
{
	*optcr = *optcr1 = 0;
	for (unsigned i = 0; i < inv->nregs; i++) {
		if (strcmp(inv->regs[i].name, "FLASH_OPTCR") == 0)
			*optcr = inv->regs[i].value;
		if (strcmp(inv->regs[i].name, "FLASH_OPTCR1") == 0)
			*optcr1 = inv->regs[i].value;
	}
}
