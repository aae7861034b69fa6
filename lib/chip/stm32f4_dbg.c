/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 debug access path: the flash controller driven register by register over
 * memory-mapped access (fk_mem_ops: an SWD probe or the in-process twin, indistinguishable).
 * Sources: RM0090 Rev 21 §3.6.1-§3.6.6 (unlock, erase, program sequences, parallelism),
 * §3.7.2 (option programming, OPTKEYR), §3.9.3-§3.9.11 (registers), §38.6.1 (DBGMCU_IDCODE and
 * the rev A errata ID 0x411 on Cortex-M4 parts); OpenOCD stm32f2x.c (relock with the value kept,
 * 7bcf1d838) as summarised in ../shared/reference/stm32.md §1, §7, §8.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chip/busy_wait.h"
#include "chip/stm32f4.h"
#include "core/core.h"

typedef struct stm32f4_dbg {
	const fk_mem_ops *mem;
	void *h;
	uint16_t dev_id;
	bool key_failed, optkey_failed;
} stm32f4_dbg;

static int dbg_rd32(stm32f4_dbg *d, fk_ctx *ctx, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = d->mem->read(d->h, ctx, addr, b, 4, 4);
	*v = rc ? 0 : fk_get_le32(b);
	return rc;
}

static int dbg_wr32(stm32f4_dbg *d, fk_ctx *ctx, uint32_t addr, uint32_t v)
{
	uint8_t b[4];
	fk_put_le32(b, v);
	return d->mem->write(d->h, ctx, addr, b, 4, 4);
}

/* RM0090 §3.6.5: a read of the flash interface's system area stalls the bus until the running
 * operation ends, so one read waits without polling; then SR confirms. On a probe whose
 * stall handling gives up, polling with a pause takes over. */
static int dbg_sr_read(void *user, fk_ctx *ctx, uint32_t *sr)
{
	return dbg_rd32(user, ctx, STM32F4_FLASH_SR, sr);
}

static int dbg_wait(stm32f4_dbg *d, fk_ctx *ctx, uint32_t *sr, unsigned timeout_s)
{
	uint8_t b[2];
	fk_ctx *quiet = fk_ctx_new();
	(void)d->mem->read(d->h, quiet ? quiet : ctx, STM32F4_FLASH_SIZE_REG, b, 2, 2);
	fk_ctx_free(quiet);
	return fk_wait_not_busy(ctx, dbg_sr_read, d, STM32F4_FLASH_SR_BSY, "FLASH_SR.BSY",
				timeout_s * 1000U, sr);
}

/* Latched errors after an operation -> cause in register terms; then cleared (w1c). */
static int dbg_check(stm32f4_dbg *d, fk_ctx *ctx, uint32_t sr)
{
	uint32_t err = sr & STM32F4_FLASH_SR_ERRORS;
	if (!err)
		return FK_OK;
	(void)dbg_wr32(d, ctx, STM32F4_FLASH_SR, err);
	if (err & STM32F4_FLASH_SR_WRPERR)
		return fk_fail(ctx, FK_E_PROTECTED, "FLASH_SR.WRPERR (SR=0x%08X): the target is "
						    "write-protected (WRP, PCROP, RDP or a locked OTP block)",
			       sr);
	if (err & STM32F4_FLASH_SR_RDERR)
		return fk_fail(ctx, FK_E_PROTECTED, "FLASH_SR.RDERR (SR=0x%08X): read of a PCROP sector",
			       sr);
	return fk_fail(ctx, FK_E_FLASH, "FLASH_SR=0x%08X: %s%s%s", sr,
		       err & STM32F4_FLASH_SR_PGAERR ? "PGAERR (crosses a 128-bit row) " : "",
		       err & STM32F4_FLASH_SR_PGPERR ? "PGPERR (access width differs from PSIZE) " : "",
		       err & STM32F4_FLASH_SR_PGSERR ? "PGSERR (sequence error)" : "");
}

static int dbg_idcode(void *h, fk_ctx *ctx, uint32_t *idcode)
{
	stm32f4_dbg *d = h;
	int rc = dbg_rd32(d, ctx, STM32F4_DBGMCU_IDCODE, idcode);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading DBGMCU_IDCODE at 0x%08X", STM32F4_DBGMCU_IDCODE);
	uint32_t cpuid;
	/* RM0090 §38.6.1 errata: F405/407 rev A report 0x411 (the F2 ID); the core tells them apart */
	if ((*idcode & 0xFFFU) == 0x411 && !dbg_rd32(d, ctx, STM32F4_CPUID, &cpuid) &&
	    ((cpuid >> 4) & 0xFFFU) == 0xC24)
		*idcode = (*idcode & ~0xFFFU) | 0x413U;
	d->dev_id = (uint16_t)(*idcode & 0xFFFU);
	return FK_OK;
}

static int dbg_flash_kb(void *h, fk_ctx *ctx, uint16_t *kb)
{
	stm32f4_dbg *d = h;
	uint8_t b[2];
	int rc = d->mem->read(d->h, ctx, STM32F4_FLASH_SIZE_REG, b, 2, 2);
	*kb = rc ? 0 : fk_get_le16(b);
	return rc;
}

static int dbg_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	stm32f4_dbg *d = h;
	unsigned w = (addr % 4 == 0 && len % 4 == 0) ? 4 : 1;
	return d->mem->read(d->h, ctx, addr, buf, len, w);
}

static int dbg_regs(void *h, fk_ctx *ctx, stm32f4_regs *r)
{
	stm32f4_dbg *d = h;
	memset(r, 0, sizeof *r);
	r->sr_valid = dbg_rd32(d, ctx, STM32F4_FLASH_SR, &r->sr) == FK_OK;
	r->cr_valid = dbg_rd32(d, ctx, STM32F4_FLASH_CR, &r->cr) == FK_OK;
	r->optcr_valid = dbg_rd32(d, ctx, STM32F4_FLASH_OPTCR, &r->optcr) == FK_OK;
	if (d->dev_id == 0x419 || d->dev_id == 0x434)
		r->optcr1_valid = dbg_rd32(d, ctx, STM32F4_FLASH_OPTCR1, &r->optcr1) == FK_OK;
	r->cr_key_failed = d->key_failed;
	if (!r->optcr_valid)
		return fk_fail_wrap(ctx, fk_ctx_error(ctx), "reading FLASH_OPTCR");
	return FK_OK;
}

static int dbg_clear_errors(void *h, fk_ctx *ctx)
{
	stm32f4_dbg *d = h;
	uint32_t sr;
	int rc = dbg_rd32(d, ctx, STM32F4_FLASH_SR, &sr);
	if (!rc && (sr & STM32F4_FLASH_SR_ERRORS))
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_SR, sr & STM32F4_FLASH_SR_ERRORS);
	return rc ? fk_fail_wrap(ctx, rc, "clearing FLASH_SR error flags") : FK_OK;
}

/* RM0090 §3.7.2: KEY1 then KEY2, once. A wrong or repeated sequence answers with a bus error
 * and locks the register until the next reset, so a failure is final for this session. */
static int dbg_keys(stm32f4_dbg *d, fk_ctx *ctx, uint32_t reg, uint32_t keyr, uint32_t bit,
		    uint32_t k1, uint32_t k2, bool *failed, const char *name)
{
	uint32_t v;
	int rc = dbg_rd32(d, ctx, reg, &v);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading %s", name);
	if (!(v & bit))
		return FK_OK;
	if (*failed)
		return fk_fail(ctx, FK_E_LOCKED, "%s stays locked until the next reset: a key sequence "
						 "already failed (RM0090 §3.7.2)", name);
	rc = dbg_wr32(d, ctx, keyr, k1);
	if (!rc)
		rc = dbg_wr32(d, ctx, keyr, k2);
	if (!rc)
		rc = dbg_rd32(d, ctx, reg, &v);
	if (!rc && !(v & bit))
		return FK_OK;
	*failed = true;
	fk_hint(ctx, "run `flashkey reset` (a system reset clears the lockout), then try again");
	return fk_fail(ctx, FK_E_LOCKED, "%s did not unlock (%s): the key sequence was refused and "
					 "the register is locked until the next reset (RM0090 §3.7.2)",
		       name, rc ? "bus error on the key write" : "lock bit still set");
}

static int dbg_unlock_ctrl(void *h, fk_ctx *ctx)
{
	stm32f4_dbg *d = h;
	return dbg_keys(d, ctx, STM32F4_FLASH_CR, STM32F4_FLASH_KEYR, STM32F4_FLASH_CR_LOCK,
			STM32F4_FLASH_KEY1, STM32F4_FLASH_KEY2, &d->key_failed, "FLASH_CR");
}

static int dbg_unlock_opt(void *h, fk_ctx *ctx)
{
	stm32f4_dbg *d = h;
	return dbg_keys(d, ctx, STM32F4_FLASH_OPTCR, STM32F4_FLASH_OPTKEYR,
			STM32F4_FLASH_OPTCR_OPTLOCK, STM32F4_FLASH_OPTKEY1, STM32F4_FLASH_OPTKEY2,
			&d->optkey_failed, "FLASH_OPTCR");
}

/* Relock keeping OPTCR's value: a bare 0x1 would clear nWRP in the live register (OpenOCD
 * 7bcf1d838). */
static int dbg_lock(void *h, fk_ctx *ctx)
{
	stm32f4_dbg *d = h;
	uint32_t optcr;
	int rc = dbg_wr32(d, ctx, STM32F4_FLASH_CR, STM32F4_FLASH_CR_LOCK);
	if (!rc)
		rc = dbg_rd32(d, ctx, STM32F4_FLASH_OPTCR, &optcr);
	if (!rc && !(optcr & STM32F4_FLASH_OPTCR_OPTLOCK))
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_OPTCR, optcr | STM32F4_FLASH_OPTCR_OPTLOCK);
	return rc ? fk_fail_wrap(ctx, rc, "locking FLASH_CR and FLASH_OPTCR again") : FK_OK;
}

/* Start an erase with CR = bits, wait, check, leave CR idle. */
static int dbg_erase(stm32f4_dbg *d, fk_ctx *ctx, uint32_t bits, unsigned timeout_s)
{
	uint32_t sr;
	int rc = dbg_wait(d, ctx, &sr, timeout_s);
	if (!rc && (sr & STM32F4_FLASH_SR_ERRORS))
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_SR, sr & STM32F4_FLASH_SR_ERRORS);
	if (!rc)
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_CR, bits);
	if (!rc)
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_CR, bits | STM32F4_FLASH_CR_STRT);
	if (!rc)
		rc = dbg_wait(d, ctx, &sr, timeout_s);
	if (!rc)
		rc = dbg_check(d, ctx, sr);
	int rc2 = dbg_wr32(d, ctx, STM32F4_FLASH_CR, 0);
	return rc ? rc : rc2;
}

static int dbg_erase_sector(void *h, fk_ctx *ctx, const stm32f4_sector *s, stm32f4_psize psize)
{
	uint32_t bits = STM32F4_FLASH_CR_SER | ((uint32_t)s->snb << STM32F4_FLASH_CR_SNB_SHIFT) |
			((uint32_t)psize << STM32F4_FLASH_CR_PSIZE_SHIFT);
	return dbg_erase(h, ctx, bits, 30);
}

static int dbg_mass_erase(void *h, fk_ctx *ctx, bool two_banks, stm32f4_psize psize)
{
	uint32_t bits = STM32F4_FLASH_CR_MER | (two_banks ? STM32F4_FLASH_CR_MER1 : 0) |
			((uint32_t)psize << STM32F4_FLASH_CR_PSIZE_SHIFT);
	return dbg_erase(h, ctx, bits, 120);
}

/* RM0090 §3.6.4: PG with PSIZE, then writes of exactly that width; the bus stalls while the
 * previous word is being programmed, so a run is streamed and checked once at its end. */
static int dbg_program(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		       stm32f4_psize psize)
{
	stm32f4_dbg *d = h;
	unsigned w = psize == STM32F4_PSIZE_X64 ? 4 : 1U << psize;
	uint32_t sr;
	int rc = dbg_wr32(d, ctx, STM32F4_FLASH_CR,
			  STM32F4_FLASH_CR_PG | ((uint32_t)psize << STM32F4_FLASH_CR_PSIZE_SHIFT));
	if (!rc)
		rc = d->mem->write(d->h, ctx, addr, buf, len, w);
	int rc2 = dbg_wait(d, ctx, &sr, 10);
	if (!rc)
		rc = rc2 ? rc2 : dbg_check(d, ctx, sr);
	rc2 = dbg_wr32(d, ctx, STM32F4_FLASH_CR, 0);
	return rc ? rc : rc2;
}

/* RM0090 §3.7.2: OPTCR1 first (F42x), then OPTCR, then OPTSTRT; an RDP 1->0 regression makes
 * this a mass erase (up to 32 s at x8). */
static int dbg_write_options(void *h, fk_ctx *ctx, uint32_t optcr, uint32_t optcr1,
			     bool has_optcr1)
{
	stm32f4_dbg *d = h;
	uint32_t sr;
	optcr &= ~(STM32F4_FLASH_OPTCR_OPTLOCK | STM32F4_FLASH_OPTCR_OPTSTRT);
	int rc = dbg_wait(d, ctx, &sr, 60);
	if (!rc && (sr & STM32F4_FLASH_SR_ERRORS))
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_SR, sr & STM32F4_FLASH_SR_ERRORS);
	if (!rc && has_optcr1)
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_OPTCR1, optcr1);
	if (!rc)
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_OPTCR, optcr);
	if (!rc)
		rc = dbg_wr32(d, ctx, STM32F4_FLASH_OPTCR, optcr | STM32F4_FLASH_OPTCR_OPTSTRT);
	if (!rc)
		rc = dbg_wait(d, ctx, &sr, 60);
	return rc ? rc : dbg_check(d, ctx, sr);
}

static int dbg_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	stm32f4_dbg *d = h;
	if (!d->mem->reset)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot reset the target");
	int rc = d->mem->reset(d->h, ctx, kind);
	if (!rc)
		d->key_failed = d->optkey_failed = false; /* a reset ends a key lockout */
	return rc;
}

/* Start the application: only a reset starts the core from a vector table, and a reset always
 * takes the one at the boot address (0x00000000, aliased to main flash with BOOT0 low, RM0090
 * §2.4), so addr must be the flash base. fk_mem_ops.run does the reset with the core left
 * running. */
static int dbg_run(void *h, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len)
{
	stm32f4_dbg *d = h;
	fk_reset_kind kind = reset_mode == FK_RESET_HARDWARE ? FK_RESET_HARDWARE : FK_RESET_SYSTEM;
	if (addr != STM32F4_FLASH_BASE) {
		fk_hint(ctx, "start the application at 0x%08X (`flashkey run`), or start other code "
			     "through the ROM bootloader (-c uart:..., AN3155 Go)", STM32F4_FLASH_BASE);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "run 0x%08X: the debug path starts the core "
			       "with a reset, and a reset always starts from the boot address "
			       "(0x%08X, the vector table at 0x00000000)", addr, STM32F4_FLASH_BASE);
	}
	if (reset_mode == FK_RESET_POWER_CYCLE) { /* --reset=none */
		fk_hint(ctx, "drop --reset=none (or give --reset=sw or --reset=hw), or reset the board "
			     "by hand: the application then starts on its own");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "starting the application needs a reset (the "
			       "core starts from a vector table only at reset), but --reset=none was "
			       "given");
	}
	if (!d->mem->run) {
		fk_hint(ctx, "reset the board by hand (or `flashkey reset` and power-cycle)");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot let the core run");
	}
	/* RM0090 §2.4: the BOOT pins map main flash, system memory or SRAM at 0x00000000, where
	 * the core takes its vector table at reset. When the alias does not show the flash's table
	 * a reset would start the ROM bootloader (BOOT0 high), not the application. An unreadable
	 * alias (RDP level 1) is left to the vector-table read to report. UNCONFIRMED: that the
	 * alias still shows the boot mode (software may remap it with SYSCFG_MEMRMP). */
	uint8_t alias[8], table[8];
	fk_ctx *quiet = fk_ctx_new();
	bool seen = quiet && d->mem->read(d->h, quiet, 0, alias, 8, 4) == FK_OK &&
		    d->mem->read(d->h, quiet, STM32F4_FLASH_BASE, table, 8, 4) == FK_OK;
	fk_ctx_free(quiet);
	if (seen && memcmp(alias, table, sizeof table) != 0) {
		fk_hint(ctx, "set BOOT0 low (BOOT0 = 0 boots main flash) and reset the board, or start "
			     "the application through the ROM bootloader (-c uart:..., AN3155 Go)");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "0x00000000 (SP 0x%08X, reset vector 0x%08X) "
			       "does not show the vector table at 0x%08X: the chip boots from system "
			       "memory or SRAM, so a reset would not start the application",
			       fk_get_le32(alias), fk_get_le32(alias + 4), STM32F4_FLASH_BASE);
	}
	snprintf(how, how_len, "%s with the reset vector catch off, then halting debug off "
		 "(DHCSR.C_DEBUGEN = 0)", kind == FK_RESET_HARDWARE ? "NRST pulse"
								   : "system reset (AIRCR.SYSRESETREQ)");
	if (dry)
		return FK_OK;
	int rc = d->mem->run(d->h, ctx, kind);
	if (!rc)
		d->key_failed = d->optkey_failed = false; /* a reset ends a key lockout */
	return rc ? fk_fail_wrap(ctx, rc, "starting the application") : FK_OK;
}

static int dbg_voltage(void *h, fk_ctx *ctx)
{
	stm32f4_dbg *d = h;
	return d->mem->voltage_mv ? d->mem->voltage_mv(d->h, ctx) : -1;
}

static uint64_t dbg_vns(void *h)
{
	stm32f4_dbg *d = h;
	return d->mem->virtual_ns ? d->mem->virtual_ns(d->h) : 0;
}

static const stm32f4_path_ops stm32f4_dbg_ops = {
	.name = "debug",
	.idcode = dbg_idcode,
	.flash_kb = dbg_flash_kb,
	.read = dbg_read,
	.regs = dbg_regs,
	.clear_errors = dbg_clear_errors,
	.unlock_ctrl = dbg_unlock_ctrl,
	.unlock_opt = dbg_unlock_opt,
	.lock = dbg_lock,
	.erase_sector = dbg_erase_sector,
	.mass_erase = dbg_mass_erase,
	.program = dbg_program,
	.write_options = dbg_write_options,
	.reset = dbg_reset,
	.voltage_mv = dbg_voltage,
	.virtual_ns = dbg_vns,
	.close = free,
	.run = dbg_run,
};

int stm32f4_dbg_open(fk_ctx *ctx, const fk_mem_ops *mem, void *mem_h,
		     const stm32f4_path_ops **ops, void **h)
{
	stm32f4_dbg *d = calloc(1, sizeof *d);
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the STM32F4 debug path");
	d->mem = mem;
	d->h = mem_h;
	*ops = &stm32f4_dbg_ops;
	*h = d;
	return FK_OK;
}
