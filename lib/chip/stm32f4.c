/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 family driver: identify, inventory, erase, program, read, option bytes, OTP and the
 * ladder steps, over either access path (stm32f4.h). Protection that would block an operation
 * is reported before anything is erased; every option change is read back.
 * Sources: RM0090 Rev 21 §3.3-§3.4 (memory map), §3.6 (erase/program, Table 13 parallelism),
 * §3.7.2-§3.7.5 (options, RDP, WRP, PCROP), §3.8 (OTP and lock bytes), §38.6.1 (IDCODE);
 * ../shared/reference/stm32.md §1-§5, §8.1. */
#include <stdio.h>
#include <string.h>

#include "chip/stm32f4.h"
#include "core/core.h"

stm32f4_psize stm32f4_psize_for_mv(int mv, bool vpp)
{
	if (mv >= 2700)
		return vpp ? STM32F4_PSIZE_X64 : STM32F4_PSIZE_X32;
	if (mv >= 2100)
		return STM32F4_PSIZE_X16;
	return STM32F4_PSIZE_X8; /* unknown supply: x8 is allowed from 1.8 V */
}

unsigned stm32f4_psize_bytes(stm32f4_psize p)
{
	return 1U << p;
}

const stm32f4_sector *stm32f4_sector_at(const stm32f4 *d, uint32_t addr)
{
	for (unsigned i = 0; i < d->nsectors; i++)
		if (addr >= d->sectors[i].addr && addr - d->sectors[i].addr < d->sectors[i].size)
			return &d->sectors[i];
	return NULL;
}

static int stm32f4_unknown(fk_ctx *ctx, uint32_t idcode)
{
	fk_hint(ctx, "check the connection and --chip; supported: stm32f401/405/407/410/411/412/413/"
		     "415/417/427/429/437/439/446/469/479");
	return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "DBGMCU_IDCODE=0x%08X: DEV_ID 0x%03X is not an STM32F4 "
					       "in the device table; refusing to guess its memory map",
		       idcode, idcode & 0xFFFU);
}

int stm32f4_attach(stm32f4 *d, fk_ctx *ctx, const stm32f4_path_ops *ops, void *h)
{
	return stm32f4_attach_as(d, ctx, ops, h, NULL);
}

int stm32f4_attach_as(stm32f4 *d, fk_ctx *ctx, const stm32f4_path_ops *ops, void *h,
		      const char *force_part)
{
	memset(d, 0, sizeof *d);
	d->ops = ops;
	d->h = h;
	int rc = ops->idcode(h, ctx, &d->idcode);
	if (rc)
		return fk_fail_wrap(ctx, rc, "identifying the chip");
	d->dev = stm32f4_dev_find((uint16_t)(d->idcode & 0xFFFU));
	if (force_part) { /* the user's --allow-wrong-memory-map: the named part's table */
		d->dev = NULL;
		for (unsigned i = 0; !d->dev && stm32f4_dev_at(i); i++)
			if (stm32f4_dev_matches(stm32f4_dev_at(i), force_part))
				d->dev = stm32f4_dev_at(i);
		if (!d->dev)
			return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "--chip %s is not an STM32F4 part",
				       force_part);
	}
	if (!d->dev)
		return stm32f4_unknown(ctx, d->idcode);
	uint16_t kb = 0;
	fk_ctx *quiet = fk_ctx_new();
	if (!ops->flash_kb || ops->flash_kb(h, quiet ? quiet : ctx, &kb) || kb == 0 || kb == 0xFFFF) {
		kb = d->dev->max_kb; /* as OpenOCD: the size register is unreadable on this path */
		d->size_assumed = true;
		/* e.g. a debugger at RDP level 1: 0x1FFF7A22 answers with a bus error on F4 */
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "flash size register 0x%08X unreadable over "
		       "the %s path (refused at RDP level 1): %u KB assumed, the largest %s",
		       STM32F4_FLASH_SIZE_REG, ops->name, kb, d->dev->name);
	}
	fk_ctx_free(quiet);
	d->flash_kb = kb;
	stm32f4_regs r = {0};
	bool db1m = d->dev->has_db1m && ops->regs && !ops->regs(h, ctx, &r) &&
		    (r.optcr & STM32F4_FLASH_OPTCR_DB1M);
	d->nsectors = stm32f4_dev_layout(d->dev, kb, db1m, d->sectors, STM32F4_MAX_SECTORS);
	if (!d->nsectors)
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "%s reports %u KB of flash (0x%08X), which no "
						       "sector layout of %s fits; refusing to guess",
			       d->dev->name, kb, STM32F4_FLASH_SIZE_REG, d->dev->manual);
	int mv = ops->voltage_mv ? ops->voltage_mv(h, ctx) : -1;
	d->psize = stm32f4_psize_for_mv(mv, false);
	return FK_OK;
}

static int stm32f4_regs_read(stm32f4 *d, fk_ctx *ctx, stm32f4_regs *r)
{
	if (!d->ops->regs)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s path cannot read the flash registers",
			       d->ops->name);
	return d->ops->regs(d->h, ctx, r);
}

static void stm32f4_sector_scan(stm32f4 *d, fk_ctx *ctx, fk_inventory *inv)
{
	static uint8_t buf[0x20000];
	for (unsigned i = 0; i < inv->nsectors; i++) {
		fk_sector_info *si = &inv->sectors[i];
		if (si->pcrop || !inv->flash_readable || d->ops->read(d->h, ctx, si->addr, buf, si->size))
			continue;
		si->crc = fk_crc32(0, buf, si->size);
		si->blank = 1;
		for (uint32_t k = 0; k < si->size && si->blank; k++)
			si->blank = buf[k] == 0xFF;
	}
}

int stm32f4_inventory(stm32f4 *d, fk_ctx *ctx, fk_inventory *inv)
{
	stm32f4_regs r;
	memset(inv, 0, sizeof *inv);
	int rc = stm32f4_regs_read(d, ctx, &r);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the protection state");
	static uint8_t otp[STM32F4_OTP_END - STM32F4_OTP_BASE];
	fk_ctx *quiet = fk_ctx_new();
	bool otp_ok = !d->ops->read(d->h, quiet ? quiet : ctx, STM32F4_OTP_BASE, otp, sizeof otp);
	fk_ctx_free(quiet);
	bool intrusion = strcmp(d->ops->name, "debug") == 0;
	stm32f4_inventory_decode(d->dev, d->sectors, d->nsectors, &r, intrusion,
				 otp_ok ? otp + 0x200 : NULL, otp_ok ? otp : NULL, inv);
	fk_strlcpy(inv->chip, d->dev->name, sizeof inv->chip);
	fk_strlcpy(inv->family, "stm32f4", sizeof inv->family);
	fk_strlcpy(inv->path, d->ops->name, sizeof inv->path);
	inv->dev_id = (uint16_t)(d->idcode & 0xFFFU);
	inv->rev_id = (uint16_t)(d->idcode >> 16);
	fk_strlcpy(inv->revision, stm32f4_dev_revision(d->dev, inv->rev_id), sizeof inv->revision);
	inv->flash_base = STM32F4_FLASH_BASE;
	inv->flash_size = d->flash_kb * 1024U;
	inv->flash_size_assumed = d->size_assumed;
	inv->flash_readable = inv->rdp_level == 0;
	quiet = fk_ctx_new();
	stm32f4_sector_scan(d, quiet ? quiet : ctx, inv);
	fk_ctx_free(quiet);
	return FK_OK;
}

/* Protection that would stop erasing/programming the sectors in mask, said before anything is
 * touched (the hardware would only answer WRPERR). */
static int stm32f4_precheck(stm32f4 *d, fk_ctx *ctx, uint64_t mask, const char *what)
{
	stm32f4_regs r;
	stm32f4_options o;
	int rc = stm32f4_regs_read(d, ctx, &r);
	if (rc)
		return rc;
	stm32f4_opt_decode(d->dev, r.optcr, r.optcr1, &o);
	int level = stm32f4_rdp_level(o.rdp);
	if (level != 0) {
		fk_hint(ctx, level == 2 ? "level 2 is permanent: only firmware on the chip can write it"
					: "run `flashkey unlock --dry-run` to see the regression plan "
					  "(it erases all flash)");
		return fk_fail(ctx, FK_E_PROTECTED, "%s: RDP level %d (OPTCR=0x%08X, RDP byte 0x%02X): "
						    "flash cannot be %s while a debugger is attached "
						    "(RM0090 §3.7.3)",
			       what, level, r.optcr, o.rdp, strcmp(what, "erase") ? "programmed" : "erased");
	}
	for (unsigned i = 0; i < d->nsectors; i++) {
		const stm32f4_sector *s = &d->sectors[i];
		unsigned bit = s->bank ? 12U + s->wrp_bit : s->wrp_bit;
		bool set = o.nwrp & (1U << bit);
		if (!(mask & (1ULL << i)) || (o.sprmod ? !set : set))
			continue;
		fk_hint(ctx, o.sprmod ? "PCROP goes only with an RDP 1->0 regression: `flashkey unlock "
					"--dry-run` shows the plan"
				      : "run `flashkey unlock --upto wrp` (no data is lost)");
		return fk_fail(ctx, FK_E_PROTECTED, "%s sector %u at 0x%08X: sector %u is %s (%snWRP%u=%u, "
						    "OPTCR=0x%08X); nothing was erased",
			       what, s->number, s->addr, s->number,
			       o.sprmod ? "PCROP-protected" : "write-protected", o.sprmod ? "SPRMOD=1, " : "",
			       bit, o.sprmod ? 1 : 0, r.optcr);
	}
	return FK_OK;
}

static int stm32f4_prepare(stm32f4 *d, fk_ctx *ctx)
{
	int rc = d->ops->clear_errors ? d->ops->clear_errors(d->h, ctx) : FK_OK;
	if (!rc && d->ops->unlock_ctrl)
		rc = d->ops->unlock_ctrl(d->h, ctx);
	return rc;
}

/* One request for all sectors in mask, on paths that can (path_ops.erase_list). */
static int stm32f4_erase_list(stm32f4 *d, fk_ctx *ctx, uint64_t mask, uint64_t total)
{
	const stm32f4_sector *list[STM32F4_MAX_SECTORS];
	unsigned n = 0;
	for (unsigned i = 0; i < d->nsectors; i++)
		if (mask & (1ULL << i))
			list[n++] = &d->sectors[i];
	int rc = n ? d->ops->erase_list(d->h, ctx, list, n, d->psize) : FK_OK;
	if (rc)
		return fk_fail_wrap(ctx, rc, "erasing %u sector%s from sector %u", n, n == 1 ? "" : "s",
				    list[0]->number);
	fk_progress(ctx, "erase", total, total);
	return FK_OK;
}

int stm32f4_erase_sectors(stm32f4 *d, fk_ctx *ctx, uint64_t mask)
{
	int rc = stm32f4_precheck(d, ctx, mask, "erase");
	if (!rc)
		rc = stm32f4_prepare(d, ctx);
	if (rc)
		return rc;
	uint64_t total = 0, done = 0;
	for (unsigned i = 0; i < d->nsectors; i++)
		total += mask & (1ULL << i) ? d->sectors[i].size : 0;
	if (d->ops->erase_list)
		return stm32f4_erase_list(d, ctx, mask, total);
	for (unsigned i = 0; i < d->nsectors && !rc; i++) {
		const stm32f4_sector *s = &d->sectors[i];
		if (!(mask & (1ULL << i)))
			continue;
		rc = d->ops->erase_sector(d->h, ctx, s, d->psize);
		if (rc)
			return fk_fail_wrap(ctx, rc, "erasing sector %u at 0x%08X", s->number, s->addr);
		done += s->size;
		fk_progress(ctx, "erase", done, total);
	}
	return rc;
}

int stm32f4_mass_erase(stm32f4 *d, fk_ctx *ctx)
{
	uint64_t all = d->nsectors >= 64 ? ~0ULL : (1ULL << d->nsectors) - 1U;
	int rc = stm32f4_precheck(d, ctx, all, "erase");
	if (!rc)
		rc = stm32f4_prepare(d, ctx);
	if (rc)
		return rc;
	if (!d->ops->mass_erase)
		return stm32f4_erase_sectors(d, ctx, all);
	bool two = d->sectors[d->nsectors - 1].bank == 1;
	rc = d->ops->mass_erase(d->h, ctx, two, d->psize);
	if (rc)
		return fk_fail_wrap(ctx, rc, "mass erase (FLASH_CR.MER%s)", two ? "+MER1" : "");
	fk_progress(ctx, "erase", 1, 1);
	return FK_OK;
}

int stm32f4_program(stm32f4 *d, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	unsigned w = stm32f4_psize_bytes(d->psize);
	if (addr % w || len % w)
		return fk_fail(ctx, FK_E_INTERNAL, "program 0x%08X+%u not aligned to x%u", addr, len,
			       w * 8);
	int rc = stm32f4_prepare(d, ctx);
	if (rc)
		return rc;
	rc = d->ops->program(d->h, ctx, addr, buf, len, d->psize);
	if (rc) {
		const stm32f4_sector *s = stm32f4_sector_at(d, addr);
		if (s)
			return fk_fail_wrap(ctx, rc, "programming sector %u at 0x%08X", s->number, addr);
		return fk_fail_wrap(ctx, rc, "programming %u bytes at 0x%08X", len, addr);
	}
	return FK_OK;
}

int stm32f4_crc32(stm32f4 *d, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		  uint32_t *crc)
{
	if (!d->ops->crc32)
		return FK_E_UNSUPPORTED;
	fk_ctx saved = *ctx;
	int rc = d->ops->crc32(d->h, ctx, addr, len, n, crc);
	if (rc == FK_E_UNSUPPORTED) {
		char m[FK_CHAIN_MSG_MAX];
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_FLASH, "on-chip CRC not available (%s): reading back",
		       fk_ctx_message(ctx, m, sizeof m));
		fk_ctx_restore_error(ctx, &saved);
	}
	return rc;
}

int stm32f4_read(stm32f4 *d, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	if (!fk_span_ok(addr, len, FK_ADDR_SPACE)) /* would wrap to 0x00000000 on every path */
		return fk_fail(ctx, FK_E_RANGE, "reading %u bytes at 0x%08X runs past 0xFFFFFFFF", len,
			       addr);
	int rc = d->ops->read(d->h, ctx, addr, buf, len);
	if (!rc)
		return FK_OK;
	stm32f4_regs r = {0};
	fk_ctx *quiet = fk_ctx_new();
	bool known = quiet && d->ops->regs && !d->ops->regs(d->h, quiet, &r) && r.optcr_valid;
	fk_ctx_free(quiet);
	uint8_t rdp = (uint8_t)(r.optcr >> 8);
	if (known && stm32f4_rdp_level(rdp) != 0) {
		fk_hint(ctx, "nothing in flash or OTP is readable at level 1 through a debugger or "
			     "bootloader; `flashkey unlock` regresses to level 0, which erases it");
		return fk_fail(ctx, FK_E_PROTECTED, "reading 0x%08X: RDP level %d (RDP byte 0x%02X): "
						    "flash, backup SRAM and OTP answer with bus errors "
						    "(RM0090 §3.7.3 Table 18)",
			       addr, stm32f4_rdp_level(rdp), rdp);
	}
	return fk_fail_wrap(ctx, rc, "reading %u bytes at 0x%08X", len, addr);
}

int stm32f4_options_read(stm32f4 *d, fk_ctx *ctx, uint32_t *optcr, uint32_t *optcr1)
{
	stm32f4_regs r;
	int rc = stm32f4_regs_read(d, ctx, &r);
	*optcr = r.optcr;
	*optcr1 = r.optcr1;
	if (!rc && !r.optcr_valid) {
		fk_hint(ctx, r.rdp_inferred ? "Readout Unprotect (`flashkey unlock`) makes them readable "
					      "again, at the cost of all flash"
					    : "use the debug path");
		rc = fk_fail(ctx, r.rdp_inferred ? FK_E_PROTECTED : FK_E_UNSUPPORTED,
			     "the option bytes are not readable on the %s path%s", d->ops->name,
			     r.rdp_inferred ? " while read protection is active" : "");
	}
	return rc;
}

/* Compare what matters: fields, not OPTLOCK/OPTSTRT or reserved bits. */
static uint32_t stm32f4_opt_cmp_mask(const stm32f4 *d)
{
	return ~(d->dev->optcr_reserved | STM32F4_FLASH_OPTCR_OPTLOCK | STM32F4_FLASH_OPTCR_OPTSTRT);
}

int stm32f4_options_write(stm32f4 *d, fk_ctx *ctx, uint32_t optcr, uint32_t optcr1)
{
	if (!d->ops->write_options)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s path cannot write option bytes",
			       d->ops->name);
	/* A path that could not read the options (bootloader under RDP) was given words of which
	 * only the RDP byte is the user's: only that is checked afterwards. */
	stm32f4_regs before = {0};
	fk_ctx *quiet = fk_ctx_new();
	bool blind = quiet && d->ops->regs && !d->ops->regs(d->h, quiet, &before) && !before.optcr_valid;
	fk_ctx_free(quiet);
	int rc = d->ops->clear_errors ? d->ops->clear_errors(d->h, ctx) : FK_OK;
	if (!rc && d->ops->unlock_opt)
		rc = d->ops->unlock_opt(d->h, ctx);
	if (!rc)
		rc = d->ops->write_options(d->h, ctx, optcr, optcr1, d->dev->has_optcr1);
	if (rc)
		return fk_fail_wrap(ctx, rc, "programming option bytes OPTCR=0x%08X", optcr);
	fk_progress(ctx, "options", 1, 1);
	/* Raised to level 1 on a path that cannot read options at level 1 (the bootloader, AN3155
	 * Table 2): the refused read is the read-back of the RDP byte; nothing else is visible. */
	stm32f4_regs after = {0};
	fk_ctx saved = *ctx;
	if (stm32f4_rdp_level((uint8_t)(optcr >> 8)) == 1 && d->ops->regs &&
	    !d->ops->regs(d->h, ctx, &after) && after.rdp_inferred) {
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_CHIP, "RDP level 1 confirmed: the %s path now refuses "
		       "reads (the other option bytes cannot be read back at level 1)", d->ops->name);
		return FK_OK;
	}
	fk_ctx_restore_error(ctx, &saved);
	uint32_t got, got1;
	rc = stm32f4_options_read(d, ctx, &got, &got1);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the option bytes back");
	uint32_t m = blind ? 0xFF00U : stm32f4_opt_cmp_mask(d);
	if ((got & m) != (optcr & m) ||
	    (!blind && d->dev->has_optcr1 && (got1 & 0x0FFF0000U) != (optcr1 & 0x0FFF0000U)))
		return fk_fail(ctx, FK_E_FLASH, "option bytes read back OPTCR=0x%08X, expected 0x%08X: "
						"the change did not take", got, optcr);
	return FK_OK;
}

int stm32f4_step_run(stm32f4 *d, fk_ctx *ctx, const fk_step *s)
{
	switch (s->id) {
	case FK_STEP_ERRORS:
		return d->ops->clear_errors ? d->ops->clear_errors(d->h, ctx) : FK_OK;
	case FK_STEP_CTRL:
		return d->ops->unlock_ctrl ? d->ops->unlock_ctrl(d->h, ctx) : FK_OK;
	case FK_STEP_OPT:
		return d->ops->unlock_opt ? d->ops->unlock_opt(d->h, ctx) : FK_OK;
	case FK_STEP_WRP:
	case FK_STEP_RDP_RAISE:
	case FK_STEP_RDP:
		return stm32f4_options_write(d, ctx, s->value[0], s->value[1]);
	case FK_STEP_OTP_WRITE:
	case FK_STEP_OTP_LOCK:
		return stm32f4_otp_step(d, ctx, s);
	default:
		return fk_fail(ctx, FK_E_INTERNAL, "unknown step %d", (int)s->id);
	}
}

static int stm32f4_otp_locked(stm32f4 *d, fk_ctx *ctx, unsigned block, bool *locked)
{
	uint8_t lk[16];
	int rc = stm32f4_read(d, ctx, STM32F4_OTP_LOCK_BASE, lk, sizeof lk);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the OTP lock bytes at 0x%08X", STM32F4_OTP_LOCK_BASE);
	*locked = lk[block] != 0xFF;
	return FK_OK;
}

int stm32f4_otp_write(stm32f4 *d, fk_ctx *ctx, unsigned block, unsigned off, const uint8_t *data,
		      unsigned len)
{
	bool locked = true; /* set by stm32f4_otp_locked on success */
	if (block >= STM32F4_OTP_BLOCKS || !len || !fk_span_ok(off, len, STM32F4_OTP_BLOCK_SIZE))
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u, %u bytes at offset %u: blocks are 0-15 "
						"of 32 bytes", block, len, off);
	int rc = stm32f4_otp_locked(d, ctx, block, &locked);
	if (rc)
		return rc;
	if (locked)
		return fk_fail(ctx, FK_E_PROTECTED, "OTP block %u is locked (LOCKB%u at 0x%08X != 0xFF): "
						    "it can never be written again (RM0090 §3.8)",
			       block, block, STM32F4_OTP_LOCK_BASE + block);
	/* pad to the PSIZE width with 0xFF: programming 1s leaves cells unchanged (§3.6.4) */
	unsigned w = stm32f4_psize_bytes(d->psize);
	uint32_t addr = STM32F4_OTP_BASE + block * STM32F4_OTP_BLOCK_SIZE + off;
	uint32_t lo = addr & ~(w - 1U), hi = (addr + len + w - 1U) & ~(w - 1U);
	uint8_t buf[STM32F4_OTP_BLOCK_SIZE + 8];
	memset(buf, 0xFF, sizeof buf);
	memcpy(buf + (addr - lo), data, len);
	rc = stm32f4_program(d, ctx, lo, buf, hi - lo);
	return rc ? fk_fail_wrap(ctx, rc, "writing OTP block %u", block) : FK_OK;
}

/* Only LOCKBn, with a byte write at PSIZE x8: RM0090 §3.6.2 permits x8 at any supply, and no
 * neighbouring lock byte is part of the access (the F407 case CubeProgrammer refused). */
int stm32f4_otp_lock(stm32f4 *d, fk_ctx *ctx, unsigned block)
{
	bool locked = true;
	if (block >= STM32F4_OTP_BLOCKS)
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u: blocks are 0-15", block);
	int rc = stm32f4_otp_locked(d, ctx, block, &locked);
	if (rc || locked)
		return rc ? rc : FK_OK;
	stm32f4_psize keep = d->psize;
	uint8_t zero = 0x00;
	d->psize = STM32F4_PSIZE_X8;
	rc = stm32f4_program(d, ctx, STM32F4_OTP_LOCK_BASE + block, &zero, 1);
	d->psize = keep;
	if (!rc)
		rc = stm32f4_otp_locked(d, ctx, block, &locked);
	if (!rc && !locked)
		rc = fk_fail(ctx, FK_E_FLASH, "LOCKB%u at 0x%08X still reads 0xFF after programming "
					      "0x00", block, STM32F4_OTP_LOCK_BASE + block);
	return rc ? fk_fail_wrap(ctx, rc, "locking OTP block %u", block) : FK_OK;
}
