/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4 debug access path: the flash controller driven register by register over
 * memory-mapped access (fk_mem_ops: an SWD/JTAG probe or the in-process twin alike).
 *
 * Sources: RM0351 Rev 9 §3.3.5 (a flash access while BSY stalls the bus; KEYR sequence, a wrong
 * key locks FLASH_CR until reset), §3.3.6 (page erase: PER, PNB, BKER, then STRT; mass erase:
 * MER1 | MER2, then STRT), §3.3.7 (standard programming: PG, then a double word as two 32-bit
 * writes, the second starts it; errors in FLASH_SR), §3.4.2 (option bytes: OPTKEYR sequence
 * clears OPTLOCK; write the option registers; OPTSTRT; BSY; OBL_LAUNCH loads them and resets
 * the system), §3.7.5 (FLASH_SR flags, write 1 to clear), §3.7.6 (FLASH_CR); RM0444 §3.3-§3.7
 * and RM0440 §5.3-§5.7 (the same controller); the sequences OpenOCD's stm32l4x.c uses,
 * summarised in ../shared/reference/stm32-optr.md §3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chip/busy_wait.h"
#include "chip/stm32l4_fam.h"
#include "core/core.h"

int stm32l4_rd32(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = f->mem->read(f->h, ctx, addr, b, 4, 4);
	*v = rc ? 0 : fk_get_le32(b);
	return rc;
}

int stm32l4_wr32(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, uint32_t v)
{
	uint8_t b[4];
	if ((addr >= STM32L4_FLASH_REGS + 0x20U && addr <= STM32L4_FLASH_REGS + 0x50U) ||
	    (addr == STM32L4_FLASH_CR &&
	     (v & (STM32L4_FLASH_CR_OPTSTRT | STM32L4_FLASH_CR_OBL_LAUNCH))))
		f->prog_opts_valid = false;
	fk_put_le32(b, v);
	return f->mem->write(f->h, ctx, addr, b, 4, 4);
}

static void quiet_wr32(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, uint32_t v)
{
	fk_ctx *quiet = fk_ctx_new();
	(void)stm32l4_wr32(f, quiet ? quiet : ctx, addr, v);
	fk_ctx_free(quiet);
}

/* §3.3.5: a read of the flash or the option area while BSY is set stalls the bus until the
 * operation ends, so one such read waits without polling; FLASH_SR then confirms. Where the
 * probe gives up on the stall, polling with a pause takes over. */
static int l4_sr_read(void *user, fk_ctx *ctx, uint32_t *sr)
{
	return stm32l4_rd32(user, ctx, STM32L4_FLASH_SR, sr);
}

static int l4_wait(stm32l4drv *f, fk_ctx *ctx, uint32_t *sr, unsigned timeout_ms)
{
	int rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_SR, sr);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading FLASH_SR");
	if (!(*sr & STM32L4_FLASH_SR_BSY))
		return FK_OK;
	uint8_t b[4];
	fk_ctx *quiet = fk_ctx_new();
	(void)f->mem->read(f->h, quiet ? quiet : ctx, STM32L4_OPT_AREA, b, 4, 4);
	fk_ctx_free(quiet);
	return fk_wait_not_busy(ctx, l4_sr_read, f, STM32L4_FLASH_SR_BSY, "FLASH_SR.BSY",
				timeout_ms, sr);
}

/* FLASH_SR read back to back until BSY clears, for up to max reads, then l4_wait. For operations
 * of known, short length (a fast-programming row: DS10198 tPROG_row; a page erase) a register
 * read does not stall, so the end is seen within one read instead of within a probe's WAIT
 * back-off (up to 1 ms on the twin's probe model and on J-Link, docs/DEBUG-PORT.md). */
static int l4_poll(stm32l4drv *f, fk_ctx *ctx, uint32_t *sr, unsigned max, unsigned timeout_ms)
{
	for (unsigned i = 0; i < max; i++) {
		int rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_SR, sr);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading FLASH_SR");
		if (!(*sr & STM32L4_FLASH_SR_BSY))
			return FK_OK;
	}
	return l4_wait(f, ctx, sr, timeout_ms);
}

/* The error flags after an operation -> the cause in register terms; cleared (w1c) so that
 * the next operation starts clean (§3.7.5: a flag left set makes the next one fail PGSERR). */
static int l4_check(stm32l4drv *f, fk_ctx *ctx, uint32_t sr, uint32_t addr, const char *what)
{
	char sec[32];
	uint32_t err = sr & STM32L4_FLASH_SR_ERRORS & ~STM32L4_FLASH_SR_OPTVERR;
	quiet_wr32(f, ctx, STM32L4_FLASH_SR, err | STM32L4_FLASH_SR_EOP);
	if (!err)
		return FK_OK;
	if (err & STM32L4_FLASH_SR_WRPERR)
		return fk_fail(ctx, FK_E_PROTECTED, "%s at 0x%08X: FLASH_SR.WRPERR (SR=0x%08X): the "
			       "address is in a WRP or PCROP area, or read protection refuses it "
			       "(%s)", what, addr, sr, stm32l4_sec(f, "3.8", sec, sizeof sec));
	const char *why = (err & STM32L4_FLASH_SR_PROGERR) ? "PROGERR: the double word was not "
							     "erased"
			  : (err & STM32L4_FLASH_SR_PGAERR) ? "PGAERR: not a whole aligned double "
							      "word"
			  : (err & STM32L4_FLASH_SR_SIZERR) ? "SIZERR: a write narrower than 32 bits"
			  : (err & STM32L4_FLASH_SR_PGSERR) ? "PGSERR: wrong sequence (a flag left "
							      "set, or PG with an erase bit)"
			  : (err & STM32L4_FLASH_SR_RDERR) ? "RDERR: a read of a PCROP area"
							   : "OPERR/MISERR/FASTERR";
	return fk_fail(ctx, FK_E_FLASH, "%s at 0x%08X: FLASH_SR.%s (SR=0x%08X, %s)", what, addr,
		       why, sr, stm32l4_sec(f, "3.8", sec, sizeof sec));
}

int stm32l4_options(stm32l4drv *f, fk_ctx *ctx, stm32l4_optstate *o)
{
	const stm32l4_device *d = f->dev;
	if (f->bl)
		return stm32l4_boot_options(f, ctx, o);
	memset(o, 0, sizeof *o);
	int rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_SR, &o->sr);
	if (!rc)
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_CR, &o->cr);
	if (!rc)
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_ECCR, &o->eccr);
	for (unsigned i = 0; i < d->nregs && !rc; i++)
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_REGS + d->regs[i].off, &o->w[i]);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the flash controller and option registers");
	o->rdp = (uint8_t)o->w[0];
	o->level = stm32l4_rdp_level(o->rdp);
	o->pcrop_rdp = (o->w[d->i_pce[0]] & STM32L4_PCROP_RDP) != 0;
	return FK_OK;
}

int stm32l4_clear_errors(stm32l4drv *f, fk_ctx *ctx)
{
	uint32_t sr;
	if (f->bl)
		return FK_OK; /* the ROM clears the flags itself before each operation */
	int rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_SR, STM32L4_FLASH_SR_ERRORS |
							 STM32L4_FLASH_SR_EOP);
	if (!rc)
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_SR, &sr);
	if (!rc && (sr & STM32L4_FLASH_SR_ERRORS & ~STM32L4_FLASH_SR_OPTVERR))
		rc = fk_fail(ctx, FK_E_FLASH, "FLASH_SR=0x%08X: error flags stay set after writing "
					      "them back as 1", sr);
	return rc ? fk_fail_wrap(ctx, rc, "clearing FLASH_SR error flags") : FK_OK;
}

/* §3.3.5: KEY1 then KEY2, once. A wrong sequence is a bus error and locks FLASH_CR until the
 * next reset, so a failure is final for this session: never retried. */
int stm32l4_unlock_ctrl(stm32l4drv *f, fk_ctx *ctx)
{
	char sec[32];
	uint32_t cr;
	if (f->bl)
		return FK_OK; /* the ROM unlocks and relocks by itself */
	if (f->key_failed)
		return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR stays locked until the next reset: a key "
						 "sequence failed earlier (%s)",
			       stm32l4_sec(f, "3.5", sec, sizeof sec));
	int rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_CR, &cr);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading FLASH_CR");
	if (!(cr & STM32L4_FLASH_CR_LOCK))
		return FK_OK;
	rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_KEYR, STM32L4_KEY1);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_KEYR, STM32L4_KEY2);
	if (!rc)
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_CR, &cr);
	if (!rc && !(cr & STM32L4_FLASH_CR_LOCK))
		return FK_OK;
	f->key_failed = true;
	fk_hint(ctx, "run `flashkey reset` (a reset ends the lockout), then try again");
	return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR.LOCK did not clear (%s): the controller is "
					 "locked until the next reset (%s)",
		       rc ? "bus error on the FLASH_KEYR write" : "LOCK still set",
		       stm32l4_sec(f, "3.5", sec, sizeof sec));
}

/* §3.4.2: with LOCK clear, OPTKEY1 then OPTKEY2 to FLASH_OPTKEYR clear OPTLOCK. */
int stm32l4_unlock_opt(stm32l4drv *f, fk_ctx *ctx)
{
	char sec[32];
	uint32_t cr;
	if (f->bl)
		return FK_OK;
	int rc = stm32l4_unlock_ctrl(f, ctx);
	if (rc)
		return rc;
	if (f->optkey_failed)
		return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR.OPTLOCK cannot be cleared until the next "
						 "reset: an option key sequence failed earlier");
	rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_CR, &cr);
	if (!rc && !(cr & STM32L4_FLASH_CR_OPTLOCK))
		return FK_OK;
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_OPTKEYR, STM32L4_OPTKEY1);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_OPTKEYR, STM32L4_OPTKEY2);
	if (!rc)
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_CR, &cr);
	if (!rc && !(cr & STM32L4_FLASH_CR_OPTLOCK))
		return FK_OK;
	f->optkey_failed = true;
	fk_hint(ctx, "run `flashkey reset`, then try again");
	return fk_fail(ctx, FK_E_LOCKED, "FLASH_CR.OPTLOCK did not clear after the FLASH_OPTKEYR "
					 "sequence (%s), %s",
		       rc ? "bus error on the key write" : "OPTLOCK still set",
		       stm32l4_sec(f, "4.2", sec, sizeof sec));
}

/* §3.7.6: setting LOCK also sets OPTLOCK. */
void stm32l4_lock(stm32l4drv *f, fk_ctx *ctx)
{
	if (f->bl)
		return;
	quiet_wr32(f, ctx, STM32L4_FLASH_CR, STM32L4_FLASH_CR_LOCK);
}

/* One erase: CR = bits; CR = bits | STRT; wait; check; CR = 0. */
static int l4_erase_op(stm32l4drv *f, fk_ctx *ctx, uint32_t bits, uint32_t addr,
		       unsigned timeout_ms, const char *what)
{
	uint32_t sr;
	int rc = stm32l4_unlock_ctrl(f, ctx);
	if (!rc)
		rc = l4_wait(f, ctx, &sr, timeout_ms);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_SR, STM32L4_FLASH_SR_ERRORS |
								 STM32L4_FLASH_SR_EOP);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_CR, bits);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_CR, bits | STM32L4_FLASH_CR_STRT);
	if (!rc) /* a page erase (22 ms) is seen end within one register read */
		rc = l4_poll(f, ctx, &sr, 1000, timeout_ms);
	if (!rc)
		rc = l4_check(f, ctx, sr, addr, what);
	quiet_wr32(f, ctx, STM32L4_FLASH_CR, 0);
	return rc;
}

/* §3.3.6: page erase, PNB counts the pages of the bank BKER selects (datasheet: 22 ms typ). */
int stm32l4_erase_page(stm32l4drv *f, fk_ctx *ctx, unsigned unit)
{
	const fk_erase_unit *u = &f->units[unit];
	if (f->bl) { /* AN3155 §3.8: the ROM numbers pages across the banks, as units[] */
		uint16_t page = (uint16_t)u->number;
		return stm32l4_boot_erase(f, ctx, &page, 1);
	}
	unsigned pnb = u->bank ? unit - f->npages / 2U : unit;
	uint32_t bits = STM32L4_FLASH_CR_PER | (pnb << STM32L4_FLASH_CR_PNB_SHIFT) |
			(u->bank ? STM32L4_FLASH_CR_BKER : 0);
	f->fresh[unit] = 0;
	int rc = l4_erase_op(f, ctx, bits, u->addr, 500, "page erase");
	if (!rc)
		f->fresh[unit] = (uint8_t)((1U << (f->dev->page_bytes / STM32L4_ROW_BYTES)) - 1U);
	return rc;
}

int stm32l4_mass_erase(stm32l4drv *f, fk_ctx *ctx)
{
	uint32_t bits = STM32L4_FLASH_CR_MER1 | (f->dual ? STM32L4_FLASH_CR_MER2 : 0);
	if (f->bl)
		return stm32l4_boot_mass_erase(f, ctx);
	memset(f->fresh, 0, f->npages);
	int rc = l4_erase_op(f, ctx, bits, STM32L4_FLASH_BASE, 2000, "mass erase");
	if (!rc)
		memset(f->fresh, (1 << (f->dev->page_bytes / STM32L4_ROW_BYTES)) - 1, f->npages);
	return rc;
}

/* Row r of the page holding flash offset off: bit in f->fresh[page]. */
static bool l4_row_fresh(const stm32l4drv *f, uint32_t off)
{
	uint32_t page = off / f->dev->page_bytes;
	unsigned row = (off % f->dev->page_bytes) / STM32L4_ROW_BYTES;
	return page < f->npages && (f->fresh[page] >> row) & 1U;
}

static void l4_rows_used(stm32l4drv *f, uint32_t off, uint32_t len)
{
	for (uint32_t o = off & ~(STM32L4_ROW_BYTES - 1U); o < off + len; o += STM32L4_ROW_BYTES) {
		uint32_t page = o / f->dev->page_bytes;
		if (page < f->npages)
			f->fresh[page] &= (uint8_t)~(1U << ((o % f->dev->page_bytes) /
							    STM32L4_ROW_BYTES));
	}
}

static bool l4_all_ones(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != 0xFFU)
			return false;
	return true;
}

/* §3.3.7 standard programming: PG, then each double word as two 32-bit writes, the second
 * starting the operation. A flash write while BSY stalls the bus (§3.3.5), so a run of double
 * words is streamed and FLASH_SR checked once at its end (as RM0090 §3.6.4 on the F4); a run
 * stops at a page, so an error names the page. Double words already all ones are skipped:
 * programming them changes nothing. */
static int l4_program_pg(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
			 uint32_t len)
{
	uint32_t sr, page = f->dev->page_bytes;
	int rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_CR, STM32L4_FLASH_CR_PG);
	uint32_t off = 0, end = 0;
	while (!rc && fk_next_program_run(buf, len, addr, page, 8, &off, &end)) {
		rc = f->mem->write(f->h, ctx, addr + off, buf + off, end - off, 4);
		if (rc) {
			rc = fk_fail_wrap(ctx, rc, "double-word writes at 0x%08X..0x%08X", addr + off,
					  addr + end - 1U);
			break;
		}
		rc = l4_wait(f, ctx, &sr, 50);
		if (!rc)
			rc = l4_check(f, ctx, sr, addr + off, "programming");
		l4_rows_used(f, addr + off - STM32L4_FLASH_BASE, end - off);
		off = end;
	}
	quiet_wr32(f, ctx, STM32L4_FLASH_CR, 0);
	return rc;
}

/* §3.3.7 fast programming: with FSTPG set, the 32 double words of a row written one after the
 * other, each before the previous one is programmed, into a row that is erased (the manual's
 * sequence starts from an erase; the driver uses it only on rows its own erase left blank).
 * The row is programmed with the high voltage kept on: DS10198 Table 50 tPROG_row (fast) is
 * below 32 x tPROG. A row the probe could not feed in time fails with MISERR/FASTERR and
 * nothing or part of it programmed: fast programming is then left off for the session and the
 * row is finished double word by double word (what it already holds is kept; §3.3.7: a double
 * word cannot be programmed twice). */
static int l4_finish_row(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *want)
{
	uint8_t have[STM32L4_ROW_BYTES];
	int rc = f->mem->read(f->h, ctx, addr, have, sizeof have, 4);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the row at 0x%08X after fast programming "
					     "stopped", addr);
	for (uint32_t o = 0; o < STM32L4_ROW_BYTES && !rc; o += 8) {
		if (!memcmp(have + o, want + o, 8) || l4_all_ones(want + o, 8))
			continue;
		if (!l4_all_ones(have + o, 8))
			return fk_fail(ctx, FK_E_FLASH, "0x%08X: fast programming stopped with this "
				       "double word half done (reads %02X%02X%02X%02X..., not erased "
				       "and not the image): erase its page and write again",
				       addr + o, have[o], have[o + 1], have[o + 2], have[o + 3]);
		rc = l4_program_pg(f, ctx, addr + o, want + o, 8);
	}
	return rc;
}

/* Rows [addr, addr + n rows) of one page: FSTPG stays set from row to row (§3.3.7 step 7 clears
 * it only when no more programming is pending); each row is written, then FLASH_SR polled until
 * the row is programmed, and the next row starts only then (its first word would stall the bus
 * for the whole row: a probe's WAIT back-off would add up to a millisecond to every row). */
static int l4_program_rows(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
			   unsigned n)
{
	uint32_t sr = 0, len = n * STM32L4_ROW_BYTES, at = addr;
	int rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_CR, STM32L4_FLASH_CR_FSTPG);
	for (unsigned i = 0; i < n && !rc; i++) {
		at = addr + i * STM32L4_ROW_BYTES;
		rc = f->mem->write(f->h, ctx, at, buf + i * STM32L4_ROW_BYTES, STM32L4_ROW_BYTES, 4);
		if (rc) {
			rc = fk_fail_wrap(ctx, rc, "fast programming the row at 0x%08X", at);
			break;
		}
		rc = l4_poll(f, ctx, &sr, 400, 50);
		if (!rc && (sr & STM32L4_FLASH_SR_ERRORS & ~STM32L4_FLASH_SR_OPTVERR))
			break;
	}
	quiet_wr32(f, ctx, STM32L4_FLASH_CR, 0);
	l4_rows_used(f, addr - STM32L4_FLASH_BASE, len);
	if (rc)
		return rc;
	uint32_t timing = STM32L4_FLASH_SR_MISERR | STM32L4_FLASH_SR_FASTERR;
	if ((sr & timing) && !(sr & (STM32L4_FLASH_SR_WRPERR | STM32L4_FLASH_SR_PROGERR))) {
		quiet_wr32(f, ctx, STM32L4_FLASH_SR, (sr & STM32L4_FLASH_SR_ERRORS) |
							 STM32L4_FLASH_SR_EOP);
		f->fast_off = true;
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_FLASH, "fast programming at 0x%08X stopped "
		       "(FLASH_SR 0x%08X: %s): this connection cannot feed a row in time; "
		       "programming double word by double word from here", at, sr,
		       (sr & STM32L4_FLASH_SR_MISERR) ? "MISERR" : "FASTERR");
		for (unsigned i = 0; i < n && !rc; i++)
			rc = l4_finish_row(f, ctx, addr + i * STM32L4_ROW_BYTES,
					   buf + i * STM32L4_ROW_BYTES);
		return rc;
	}
	return l4_check(f, ctx, sr, at, "fast programming");
}

int stm32l4_program_dw(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
		       uint32_t len)
{
	uint32_t sr;
	if ((addr | len) & 7U)
		return fk_fail(ctx, FK_E_INTERNAL, "program 0x%08X+%u: the controller writes whole "
						   "double words", addr, len);
	if (f->bl)
		return stm32l4_boot_program(f, ctx, addr, buf, len);
	int rc = stm32l4_unlock_ctrl(f, ctx);
	if (!rc)
		rc = l4_wait(f, ctx, &sr, 500);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_SR, STM32L4_FLASH_SR_ERRORS |
								 STM32L4_FLASH_SR_EOP);
	/* rows this session erased go by fast programming; the rest, and everything once fast
	 * programming has failed, by double words */
	for (uint32_t off = 0; off < len && !rc;) {
		uint32_t a = addr + off, row_off = a - STM32L4_FLASH_BASE;
		bool whole = !(a % STM32L4_ROW_BYTES) && len - off >= STM32L4_ROW_BYTES;
		if (whole && l4_all_ones(buf + off, STM32L4_ROW_BYTES)) {
			off += STM32L4_ROW_BYTES;
			continue;
		}
		if (whole && !f->fast_off && l4_row_fresh(f, row_off)) {
			/* the fresh rows that follow in this page, none of them all ones */
			unsigned n = 1;
			uint32_t page_end = (row_off / f->dev->page_bytes + 1U) * f->dev->page_bytes;
			while (row_off + (n + 1) * STM32L4_ROW_BYTES <= page_end &&
			       len - off >= (n + 1) * STM32L4_ROW_BYTES &&
			       l4_row_fresh(f, row_off + n * STM32L4_ROW_BYTES) &&
			       !l4_all_ones(buf + off + n * STM32L4_ROW_BYTES, STM32L4_ROW_BYTES))
				n++;
			rc = l4_program_rows(f, ctx, a, buf + off, n);
			off += n * STM32L4_ROW_BYTES;
			continue;
		}
		uint32_t end = off + (STM32L4_ROW_BYTES - a % STM32L4_ROW_BYTES);
		if (end > len)
			end = len;
		rc = l4_program_pg(f, ctx, a, buf + off, end - off);
		off = end;
	}
	return rc;
}

/* §3.4.2: OBL_LAUNCH (with OPTLOCK clear) loads the option bytes and resets the system; the
 * write may not be acknowledged. The core is halted again after it and the key lockouts end. */
int stm32l4_obl_launch(stm32l4drv *f, fk_ctx *ctx)
{
	if (f->bl) {
		fk_hint(ctx, "the bootloader loads the option bytes itself after Readout (Un)protect "
			     "and Write Unprotect; for a reset use a debug probe or reset the board");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the bootloader has no command that runs "
						      "OBL_LAUNCH or resets the chip (AN3155 §3)");
	}
	int rc = stm32l4_unlock_opt(f, ctx);
	if (rc)
		return fk_fail_wrap(ctx, rc, "loading the option bytes (OBL_LAUNCH)");
	fk_ctx *quiet = fk_ctx_new();
	(void)stm32l4_wr32(f, quiet ? quiet : ctx, STM32L4_FLASH_CR, STM32L4_FLASH_CR_OBL_LAUNCH);
	if (f->mem->halt)
		(void)f->mem->halt(f->h, quiet ? quiet : ctx);
	fk_ctx_free(quiet);
	f->key_failed = f->optkey_failed = false;
	return FK_OK;
}

/* §3.4.2: the option registers take the new values while OPTLOCK is clear; OPTSTRT programs
 * them (the whole option page is erased and rewritten with complements); they load at
 * OBL_LAUNCH. An RDP 1 -> 0 regression erases the flash on the way (§3.5.1), so the wait
 * allows a mass erase. */
int stm32l4_write_options(stm32l4drv *f, fk_ctx *ctx, const uint32_t *w)
{
	const stm32l4_device *d = f->dev;
	uint32_t sr;
	int rc = stm32l4_unlock_opt(f, ctx);
	if (!rc)
		rc = l4_wait(f, ctx, &sr, 2000);
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_SR, STM32L4_FLASH_SR_ERRORS |
								 STM32L4_FLASH_SR_EOP);
	for (unsigned i = 0; i < d->nregs && !rc; i++) {
		uint32_t old;
		rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_REGS + d->regs[i].off, &old);
		if (!rc)
			rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_REGS + d->regs[i].off,
					  (old & ~d->regs[i].mask) | (w[i] & d->regs[i].mask));
		if (rc)
			rc = fk_fail_wrap(ctx, rc, "writing FLASH_%s", d->regs[i].name);
	}
	if (!rc)
		rc = stm32l4_wr32(f, ctx, STM32L4_FLASH_CR, STM32L4_FLASH_CR_OPTSTRT);
	if (!rc)
		rc = l4_wait(f, ctx, &sr, 5000);
	if (!rc)
		rc = l4_check(f, ctx, sr, STM32L4_OPT_AREA, "option programming (OPTSTRT)");
	if (rc) {
		stm32l4_lock(f, ctx);
		return fk_fail_wrap(ctx, rc, "programming the option bytes (nothing loaded yet)");
	}
	return stm32l4_obl_launch(f, ctx);
}
