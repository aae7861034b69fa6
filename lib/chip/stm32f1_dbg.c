/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 debug access path: the FPEC driven register by register over memory-mapped
 * access (fk_mem_ops: an SWD/JTAG probe or the in-process twin, indistinguishable).
 *
 * Sources: PM0075 Rev 2 §2.3.1 (unlock: KEY1 then KEY2; "any wrong sequence locks up the FPEC
 * and FLASH_CR until the next reset"), §2.3.2 (reads of flash stall while it is busy), §2.3.3
 * (half-word programming with PG, PGERR on a non-erased target, WRPRTERR on a protected one),
 * §2.3.4 (page erase through AR + PER + STRT; mass erase MER + STRT), §2.5.1-§2.5.2 (option
 * bytes: OPTKEYR sequence sets OPTWRE, OPTER + STRT erases the block, OPTPG programs half-word
 * by half-word), §3.4-§3.5 (SR bits write-1-to-clear, CR); RM0091 Rev 10 §3.5.5 (F0/F3:
 * OBL_LAUNCH reloads the option bytes and resets); the sequences OpenOCD's stm32f1x.c uses, as
 * summarised in ../shared/reference/stm32-fpec.md §5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chip/busy_wait.h"
#include "chip/stm32f1_fam.h"
#include "core/core.h"

typedef struct f1dbg {
	const stm32f1_device *dev;
	const fk_mem_ops *mem;
	void *h;
	bool key_failed, optkey_failed;
} f1dbg;

static int rd32(f1dbg *d, fk_ctx *ctx, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = d->mem->read(d->h, ctx, addr, b, 4, 4);
	*v = rc ? 0 : fk_get_le32(b);
	return rc;
}

static int wr32(f1dbg *d, fk_ctx *ctx, uint32_t addr, uint32_t v)
{
	uint8_t b[4];
	fk_put_le32(b, v);
	return d->mem->write(d->h, ctx, addr, b, 4, 4);
}

/* FLASH_SR is read back to back first (up to DBG_POLLS reads, about 35 ms at 4 MHz SWD: a page
 * erase, tERASE 20 ms, ends within one read). After that, PM0075 §2.3.2: a read of flash (the
 * option bytes are flash too, and stay readable at RDP level 1) stalls the bus until the
 * operation ends, so one read waits without polling (a probe's WAIT back-off may overshoot by up
 * to a millisecond, which a mass erase can afford); then FLASH_SR confirms. Where the probe
 * gives up on the stall, polling with a pause takes over. */
#define DBG_POLLS 1000u
static int dbg_sr_read(void *user, fk_ctx *ctx, uint32_t *sr)
{
	return rd32(user, ctx, STM32F1_FLASH_SR, sr);
}

static int dbg_wait(f1dbg *d, fk_ctx *ctx, uint32_t *sr, unsigned timeout_ms)
{
	uint8_t b[2];
	for (unsigned i = 0; i < DBG_POLLS; i++) {
		int rc = rd32(d, ctx, STM32F1_FLASH_SR, sr);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading FLASH_SR");
		if (!(*sr & STM32F1_FLASH_SR_BSY))
			return FK_OK;
	}
	fk_ctx *quiet = fk_ctx_new();
	(void)d->mem->read(d->h, quiet ? quiet : ctx, STM32F1_OPTBYTES, b, 2, 2);
	fk_ctx_free(quiet);
	return fk_wait_not_busy(ctx, dbg_sr_read, d, STM32F1_FLASH_SR_BSY, "FLASH_SR.BSY",
				timeout_ms, sr);
}

/* Latched errors after an operation -> the cause in register terms; the flags are cleared
 * (write 1 to clear, PM0075 §3.4) so that the next operation starts clean. */
static int dbg_check(f1dbg *d, fk_ctx *ctx, uint32_t sr, uint32_t addr, const char *what)
{
	uint32_t err = sr & STM32F1_FLASH_SR_ERRORS;
	(void)wr32(d, ctx, STM32F1_FLASH_SR, err | STM32F1_FLASH_SR_EOP);
	if (!err)
		return FK_OK;
	if (err & STM32F1_FLASH_SR_WRPRTERR)
		return fk_fail(ctx, FK_E_PROTECTED, "%s at 0x%08X: FLASH_SR.WRPRTERR (SR=0x%08X): the "
			       "page is write-protected (WRPx option bytes%s), PM0075 §2.4",
			       what, addr, sr, d->dev->flags & STM32F1_F_RDP_4K_WRP
						 ? ", or the first 4 KiB under RDP level 1" : "");
	return fk_fail(ctx, FK_E_FLASH, "%s at 0x%08X: FLASH_SR.PGERR (SR=0x%08X): %s", what, addr,
		       sr, d->dev->family == STM32F1_FAM_F1
			   ? "the target half-word was not erased (PM0075 §2.3.3)"
			   : "the target was not erased, or read protection refuses program/erase "
			     "from the debugger (RM0091 §3.3.1 Table 10)");
}

static int dbg_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	f1dbg *d = h;
	unsigned w = (addr % 4 == 0 && len % 4 == 0) ? 4 : (addr % 2 == 0 && len % 2 == 0) ? 2 : 1;
	return d->mem->read(d->h, ctx, addr, buf, len, w);
}

static int dbg_regs(void *h, fk_ctx *ctx, uint32_t *sr, uint32_t *cr)
{
	f1dbg *d = h;
	int rc = rd32(d, ctx, STM32F1_FLASH_SR, sr);
	if (!rc)
		rc = rd32(d, ctx, STM32F1_FLASH_CR, cr);
	return rc ? fk_fail_wrap(ctx, rc, "reading FLASH_SR/FLASH_CR") : FK_OK;
}

static int dbg_options(void *h, fk_ctx *ctx, stm32f1_optstate *o)
{
	f1dbg *d = h;
	memset(o, 0, sizeof *o);
	int rc = rd32(d, ctx, STM32F1_FLASH_OBR, &o->obr);
	if (!rc)
		rc = rd32(d, ctx, STM32F1_FLASH_WRPR, &o->wrpr);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading FLASH_OBR/FLASH_WRPR");
	o->regs_valid = true;
	/* the option bytes stay readable at level 1 (PM0075 §2.4.1; RM0091 Table 10) */
	o->raw_valid = d->mem->read(d->h, ctx, STM32F1_OPTBYTES, o->raw, STM32F1_OPTBYTES_LEN,
				    2) == FK_OK;
	if (!o->raw_valid)
		return fk_fail_wrap(ctx, fk_ctx_error(ctx), "reading the option bytes at 0x%08X",
				    STM32F1_OPTBYTES);
	stm32f1_opt_decode(d->dev, o);
	return FK_OK;
}

static int dbg_clear_errors(void *h, fk_ctx *ctx)
{
	f1dbg *d = h;
	uint32_t sr;
	int rc = rd32(d, ctx, STM32F1_FLASH_SR, &sr);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_SR, STM32F1_FLASH_SR_ERRORS | STM32F1_FLASH_SR_EOP);
	if (!rc)
		rc = rd32(d, ctx, STM32F1_FLASH_SR, &sr);
	if (!rc && (sr & STM32F1_FLASH_SR_ERRORS))
		rc = fk_fail(ctx, FK_E_FLASH, "FLASH_SR=0x%08X: PGERR/WRPRTERR stay set after "
					      "writing them back as 1 (PM0075 §3.4)", sr);
	return rc ? fk_fail_wrap(ctx, rc, "clearing FLASH_SR error flags") : FK_OK;
}

/* PM0075 §2.3.1: KEY1 then KEY2, once. A wrong sequence is a bus error and locks FLASH_CR
 * until the next reset, so a failure is final for this session: never retried. */
static int dbg_unlock_ctrl(void *h, fk_ctx *ctx)
{
	f1dbg *d = h;
	uint32_t cr;
	if (d->key_failed)
		return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR stays locked until the next reset: a key "
						 "sequence failed earlier (PM0075 §2.3.1)");
	int rc = rd32(d, ctx, STM32F1_FLASH_CR, &cr);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading FLASH_CR");
	if (!(cr & STM32F1_FLASH_CR_LOCK))
		return FK_OK;
	rc = wr32(d, ctx, STM32F1_FLASH_KEYR, STM32F1_KEY1);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_KEYR, STM32F1_KEY2);
	if (!rc)
		rc = rd32(d, ctx, STM32F1_FLASH_CR, &cr);
	if (!rc && !(cr & STM32F1_FLASH_CR_LOCK))
		return FK_OK;
	d->key_failed = true;
	fk_hint(ctx, "run `flashkey reset` (a reset ends the lockout), then try again");
	return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR.LOCK did not clear (%s): the FPEC is locked "
					 "until the next reset (PM0075 §2.3.1)",
		       rc ? "bus error on the FLASH_KEYR write" : "LOCK still set");
}

/* PM0075 §2.5.1: with FLASH_CR unlocked, KEY1 then KEY2 to FLASH_OPTKEYR set CR.OPTWRE. */
static int dbg_unlock_opt(void *h, fk_ctx *ctx)
{
	f1dbg *d = h;
	uint32_t cr;
	int rc = dbg_unlock_ctrl(h, ctx);
	if (rc)
		return rc;
	if (d->optkey_failed)
		return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR.OPTWRE cannot be set until the next reset: "
						 "an option key sequence failed earlier");
	rc = rd32(d, ctx, STM32F1_FLASH_CR, &cr);
	if (!rc && (cr & STM32F1_FLASH_CR_OPTWRE))
		return FK_OK;
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_OPTKEYR, STM32F1_KEY1);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_OPTKEYR, STM32F1_KEY2);
	if (!rc)
		rc = rd32(d, ctx, STM32F1_FLASH_CR, &cr);
	if (!rc && (cr & STM32F1_FLASH_CR_OPTWRE))
		return FK_OK;
	d->optkey_failed = true;
	fk_hint(ctx, "run `flashkey reset`, then try again");
	return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR.OPTWRE not set after the FLASH_OPTKEYR sequence "
					 "(%s), PM0075 §2.5.1",
		       rc ? "bus error on the key write" : "OPTWRE still 0");
}

/* PM0075 §3.5: LOCK is write-1-only; OPTWRE is cleared by software. */
static int dbg_lock(void *h, fk_ctx *ctx)
{
	f1dbg *d = h;
	return wr32(d, ctx, STM32F1_FLASH_CR, STM32F1_FLASH_CR_LOCK);
}

/* One operation started by CR bits: CR = bits; (AR); CR = bits | STRT; wait; check; CR = 0. */
static int dbg_erase_op(f1dbg *d, fk_ctx *ctx, uint32_t bits, uint32_t addr, bool use_ar,
			unsigned timeout_ms, const char *what)
{
	uint32_t sr;
	int rc = wr32(d, ctx, STM32F1_FLASH_SR, STM32F1_FLASH_SR_ERRORS | STM32F1_FLASH_SR_EOP);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_CR, bits);
	if (!rc && use_ar)
		rc = wr32(d, ctx, STM32F1_FLASH_AR, addr);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_CR, bits | STM32F1_FLASH_CR_STRT);
	if (!rc)
		rc = dbg_wait(d, ctx, &sr, timeout_ms);
	if (!rc)
		rc = dbg_check(d, ctx, sr, addr, what);
	fk_ctx *quiet = fk_ctx_new();
	(void)wr32(d, quiet ? quiet : ctx, STM32F1_FLASH_CR, bits & STM32F1_FLASH_CR_OPTWRE);
	fk_ctx_free(quiet);
	return rc;
}

/* PM0075 §2.3.4: page erase (DS5319 Table 28: 20-40 ms). */
static int dbg_erase_page(void *h, fk_ctx *ctx, uint32_t addr)
{
	f1dbg *d = h;
	int rc = dbg_unlock_ctrl(h, ctx);
	return rc ? rc : dbg_erase_op(d, ctx, STM32F1_FLASH_CR_PER, addr, true, 2000, "page erase");
}

static int dbg_mass_erase(void *h, fk_ctx *ctx)
{
	f1dbg *d = h;
	int rc = dbg_unlock_ctrl(h, ctx);
	return rc ? rc
		  : dbg_erase_op(d, ctx, STM32F1_FLASH_CR_MER, STM32F1_FLASH_BASE, false, 5000,
				 "mass erase");
}

/* PM0075 §2.3.3: PG set, then one half-word write per location, BSY waited, flags checked.
 * Half-words already erased (0xFFFF) are left alone: programming them changes nothing. */
static int dbg_program(void *h, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	f1dbg *d = h;
	if ((addr | len) & 1U)
		return fk_fail(ctx, FK_E_INTERNAL, "program 0x%08X+%u: the FPEC writes half-words "
						   "(PM0075 §2.3.3)", addr, len);
	int rc = dbg_unlock_ctrl(h, ctx);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_SR, STM32F1_FLASH_SR_ERRORS | STM32F1_FLASH_SR_EOP);
	if (!rc)
		rc = wr32(d, ctx, STM32F1_FLASH_CR, STM32F1_FLASH_CR_PG);
	/* PM0075 §2.3.3: with PG set, each half-word write programs it (tPROG). A write while the
	 * previous one is being programmed stalls the bus until it is done (as the Black Magic
	 * Probe's stm32f1 driver relies on), so a run of half-words within a page is streamed and
	 * FLASH_SR checked once at its end: an error names the run. Erased half-words are skipped
	 * (programming 0xFFFF changes nothing). */
	uint32_t page = d->dev->page_bytes;
	uint32_t off = 0, end = 0;
	while (!rc && fk_next_program_run(buf, len, addr, page, 2, &off, &end)) {
		uint32_t sr;
		rc = d->mem->write(d->h, ctx, addr + off, buf + off, end - off, 2);
		if (rc) {
			rc = fk_fail_wrap(ctx, rc, "half-word writes at 0x%08X..0x%08X", addr + off,
					  addr + end - 1U);
			break;
		}
		rc = dbg_wait(d, ctx, &sr, 50);
		if (!rc)
			rc = dbg_check(d, ctx, sr, addr + off, "programming");
		off = end;
	}
	fk_ctx *quiet = fk_ctx_new();
	(void)wr32(d, quiet ? quiet : ctx, STM32F1_FLASH_CR, 0);
	fk_ctx_free(quiet);
	return rc;
}

/* PM0075 §2.5.1-§2.5.2 (OpenOCD's stm32x_erase_options + stm32x_write_options): OPTER + STRT
 * erases the block, then OPTPG and one half-word per option, the complement in the high byte
 * (the hardware keeps value/complement pairs, PM0075 §2.5). Programming the level-0 RDP code
 * at level 1 makes the chip mass-erase the main flash first (PM0075 §2.4.1), which takes the
 * mass-erase time: the wait for that half-word allows it. */
static int dbg_write_options(void *h, fk_ctx *ctx, const stm32f1_opts *want, bool regress)
{
	f1dbg *d = h;
	int rc = dbg_unlock_opt(h, ctx);
	if (!rc)
		rc = dbg_erase_op(d, ctx, STM32F1_FLASH_CR_OPTER | STM32F1_FLASH_CR_OPTWRE,
				  STM32F1_OPTBYTES, false, 2000, "option byte erase");
	if (rc)
		return fk_fail_wrap(ctx, rc, "erasing the option bytes (nothing programmed yet)");
	uint8_t v[8] = {want->rdp,	       want->user,		want->data0,
			want->data1,	       (uint8_t)want->wrp,	(uint8_t)(want->wrp >> 8),
			(uint8_t)(want->wrp >> 16), (uint8_t)(want->wrp >> 24)};
	rc = wr32(d, ctx, STM32F1_FLASH_CR, STM32F1_FLASH_CR_OPTPG | STM32F1_FLASH_CR_OPTWRE);
	for (unsigned i = 0; i < 8 && !rc; i++) {
		uint32_t a = STM32F1_OPTBYTES + 2U * i, sr;
		/* WRP2/WRP3 do not exist on 16-bit-WRP parts (RM0091 §3.3 Table 11): left erased */
		if (i >= 6 && d->dev->wrp_bits <= 16)
			continue;
		uint8_t b[2] = {v[i], (uint8_t)~v[i]};
		rc = d->mem->write(d->h, ctx, a, b, 2, 2);
		if (rc) {
			rc = fk_fail_wrap(ctx, rc, "option half-word write at 0x%08X", a);
			break;
		}
		rc = dbg_wait(d, ctx, &sr, i == 0 && regress ? 10000 : 100);
		if (!rc)
			rc = dbg_check(d, ctx, sr, a, "option byte programming");
	}
	fk_ctx *quiet = fk_ctx_new();
	(void)wr32(d, quiet ? quiet : ctx, STM32F1_FLASH_CR, STM32F1_FLASH_CR_LOCK);
	fk_ctx_free(quiet);
	return rc ? fk_fail_wrap(ctx, rc, "programming the option bytes (the block was erased: "
					  "until they are rewritten the chip loads RDP level 1)")
		  : FK_OK;
}

static int dbg_reset(void *h, fk_ctx *ctx, fk_reset_kind kind, bool reload)
{
	f1dbg *d = h;
	if (reload && kind == FK_RESET_SYSTEM && (d->dev->flags & STM32F1_F_OBL_LAUNCH)) {
		/* RM0091 §3.5.5: OBL_LAUNCH "forces the option byte reloading. This operation
		 * generates a system reset." The write may not be acknowledged: the reset
		 * follows; the core is halted again after it. */
		int rc = dbg_unlock_ctrl(h, ctx);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reloading the option bytes (OBL_LAUNCH)");
		fk_ctx *quiet = fk_ctx_new();
		(void)wr32(d, quiet ? quiet : ctx, STM32F1_FLASH_CR, STM32F1_FLASH_CR_OBL_LAUNCH);
		if (d->mem->halt)
			(void)d->mem->halt(d->h, quiet ? quiet : ctx);
		fk_ctx_free(quiet);
		d->key_failed = d->optkey_failed = false;
		return FK_OK;
	}
	if (!d->mem->reset)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot reset the target");
	int rc = d->mem->reset(d->h, ctx, kind);
	if (!rc)
		d->key_failed = d->optkey_failed = false; /* a reset ends a key lockout */
	return rc;
}

/* Start the application: a reset starts the core from the vector table at the boot address
 * (0x00000000, main flash with BOOT0 low: RM0008 §3.4), so addr must be the flash base. */
static int dbg_run(void *h, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len)
{
	f1dbg *d = h;
	fk_reset_kind kind = reset_mode == FK_RESET_HARDWARE ? FK_RESET_HARDWARE : FK_RESET_SYSTEM;
	if (addr != STM32F1_FLASH_BASE) {
		fk_hint(ctx, "start the application at 0x%08X (`flashkey run`)", STM32F1_FLASH_BASE);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "run 0x%08X: the debug path starts the core "
			       "with a reset, which always starts from the boot address (0x%08X)",
			       addr, STM32F1_FLASH_BASE);
	}
	if (reset_mode == FK_RESET_POWER_CYCLE) {
		fk_hint(ctx, "drop --reset=none, or reset the board by hand");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "starting the application needs a reset, but "
						      "--reset=none was given");
	}
	if (!d->mem->run) {
		fk_hint(ctx, "reset the board by hand");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot let the core run");
	}
	uint8_t alias[8], table[8];
	fk_ctx *quiet = fk_ctx_new();
	bool seen = quiet && d->mem->read(d->h, quiet, 0, alias, 8, 4) == FK_OK &&
		    d->mem->read(d->h, quiet, STM32F1_FLASH_BASE, table, 8, 4) == FK_OK;
	fk_ctx_free(quiet);
	if (seen && memcmp(alias, table, sizeof table) != 0) {
		fk_hint(ctx, "set BOOT0 low and reset the board");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "0x00000000 does not show the vector table at "
			       "0x%08X: the chip boots from system memory or SRAM (RM0008 §3.4), so "
			       "a reset would not start the application", STM32F1_FLASH_BASE);
	}
	snprintf(how, how_len, "%s with the reset vector catch off, then halting debug off",
		 kind == FK_RESET_HARDWARE ? "NRST pulse" : "system reset (AIRCR.SYSRESETREQ)");
	if (dry)
		return FK_OK;
	int rc = d->mem->run(d->h, ctx, kind);
	return rc ? fk_fail_wrap(ctx, rc, "starting the application") : FK_OK;
}

static uint64_t dbg_vns(void *h)
{
	f1dbg *d = h;
	return d->mem->virtual_ns ? d->mem->virtual_ns(d->h) : 0;
}

static bool dbg_key_failed(void *h, bool opt)
{
	f1dbg *d = h;
	return opt ? d->optkey_failed : d->key_failed;
}

static const stm32f1_path_ops stm32f1_dbg_ops = {
	.name = "debug",
	.read = dbg_read,
	.regs = dbg_regs,
	.options = dbg_options,
	.clear_errors = dbg_clear_errors,
	.unlock_ctrl = dbg_unlock_ctrl,
	.unlock_opt = dbg_unlock_opt,
	.lock = dbg_lock,
	.erase_page = dbg_erase_page,
	.mass_erase = dbg_mass_erase,
	.program = dbg_program,
	.write_options = dbg_write_options,
	.reset = dbg_reset,
	.run = dbg_run,
	.virtual_ns = dbg_vns,
	.key_failed = dbg_key_failed,
	.close = free,
};

int stm32f1_dbg_open(fk_ctx *ctx, const stm32f1_device *dev, const fk_mem_ops *mem, void *mem_h,
		     const stm32f1_path_ops **ops, void **h)
{
	f1dbg *d = calloc(1, sizeof *d);
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the STM32F1 debug path");
	d->dev = dev;
	d->mem = mem;
	d->h = mem_h;
	*ops = &stm32f1_dbg_ops;
	*h = d;
	return FK_OK;
}
