/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC17xx / LPC81x over the debug port (memory path: SWD/JTAG probes, twin-swd:, twin:): the
 * same family as lib/chip/lpc.c (the UART ISP), registered as its own driver for FK_PATH_MEMORY
 * (the registry lets --chip name the family whichever path is used).
 *
 * Sources:
 *   UM10360 (LPC176x/5x) Rev. 4.1 §32.6 Code Read Protection (CRP1/2/3 turn the debug port off;
 *     NO_ISP does not, UM10800 §25.5.3.1), §32.3.1.1 (valid user code: words 0-7 sum to 0),
 *     §32.8 IAP: entry 0x1FFF 1FF1 in Thumb state, R0 = command table (code, parameters), R1 =
 *     result table (status, results), commands 50 Prepare, 51 Copy RAM to Flash (CCLK in kHz as
 *     the last parameter), 52 Erase, 53 Blank check, 54 Read Part ID, 55 Boot code version, 56
 *     Compare, 58 Read serial number; status codes = the ISP return codes (Table 587); "flash
 *     programming commands use the top 32 bytes of on-chip RAM"; up to 128 bytes of stack;
 *     ch. 2 Table 8 MEMMAP (0x400F C040, 1 = user flash at 0);
 *   UM10601 (LPC81x) Rev. 1.6 ch. 22 (the same IAP entry and commands), §4.6.1 SYSMEMREMAP
 *     (0x4004 8000, 2 = user flash), §4.6.37 DEVICE_ID (0x4004 83F8: the part ID);
 *   Arm DDI 0403E §C1.6 (DHCSR, DCRSR, DCRDR: core registers of a halted core, C_MASKINTS);
 *   OpenOCD 0.12 src/flash/nor/lpc2000.c lpc2000_iap_call / lpc2000_iap_working_area_init (the
 *     sequence, read for its facts: a stub "BX r12; BKPT" in RAM, R0/R1 at the tables, R12 =
 *     the entry, SP above the tables, LR = the BKPT with bit 0 set, resume, wait for the halt),
 *     Black Magic Probe src/target/lpc17xx.c (an LPC17xx is told from other Cortex-M3 parts only
 *     by asking the IAP for its part ID).
 *
 * Identification: an LPC81x answers its DEVICE_ID register. An LPC17xx has no ID register on the
 * bus: a Cortex-M3 whose MEMMAP register reads 0 or 1 and that has no STM32 DBGMCU_IDCODE is
 * taken as a candidate, and attach asks the IAP (54 Read Part ID) — with the RAM and registers
 * it uses saved and put back, so identification leaves the part as it was. A part ID not in
 * lib/devices/lpc.c is FK_E_UNKNOWN_CHIP, as everywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot/lpc_isp_codec.h"
#include "chip/busy_wait.h"
#include "chip/driver.h"
#include "core/core.h"
#include "devices/lpc.h"
#include "flashkey/image.h"

#define LD_MAX_UNITS 32U
#define LD_DEVICE_ID 0x400483F8U /* UM10601 §4.6.37 */
#define LD_MEMMAP 0x400FC040U     /* UM10360 Table 8 */
#define LD_SYSMEMREMAP 0x40048000U /* UM10601 §4.6.1 */
#define LD_CPUID 0xE000ED00U
#define LD_DBGMCU 0xE0042000U     /* STM32 DBGMCU_IDCODE: an LPC17xx has none */
#define LD_IAP_ENTRY 0x1FFF1FF1U  /* UM10360 §32.8, UM10601 ch. 22 */
/* ARMv7-M §C1.6 (ARMv6-M §C1.6 the same) */
#define LD_DHCSR 0xE000EDF0U
#define LD_DCRSR 0xE000EDF4U
#define LD_DCRDR 0xE000EDF8U
#define LD_DBGKEY 0xA05F0000U
#define LD_C_DEBUGEN (1U << 0)
#define LD_C_HALT (1U << 1)
#define LD_C_MASKINTS (1U << 3)
#define LD_S_REGRDY (1U << 16)
#define LD_S_HALT (1U << 17)
#define LD_S_LOCKUP (1U << 19)
#define LD_REGWNR (1U << 16)
/* The work area at the RAM base: stub, command table, result table, stack, data buffer. */
#define LD_OFF_CMD 0x08U
#define LD_OFF_RES 0x20U
#define LD_OFF_STACK 0x200U /* stack top; the IAP needs up to 128 bytes (UM10360 §32.8) */
#define LD_OFF_BUF 0x200U   /* Copy RAM to Flash source, copy_max bytes */

typedef struct lpcdbg {
	const fk_mem_ops *mem;
	void *h;
	const lpc_device *dev;
	fk_chip_desc desc;
	fk_erase_unit units[LD_MAX_UNITS];
	unsigned nunits;
	uint32_t cclk_khz; /* the IRC the core runs from out of reset */
	bool mapped;       /* user flash mapped at 0 by us */
	uint32_t base;     /* the work area: the RAM base */
	/* what IAP calls change, saved by ld_iap_begin and put back by ld_iap_end */
	unsigned depth;
	uint32_t regs[7];
	uint8_t save[0x200];
} lpcdbg;

static const fk_chip_id_reg ld_id_regs[] = {
	{"DEVICE_ID", LD_DEVICE_ID},
	{"MEMMAP", LD_MEMMAP},
	{"CPUID", LD_CPUID},
	{"DBGMCU_IDCODE", LD_DBGMCU},
};

static bool ld_is_lpc17(const lpc_device *d)
{
	return !strcmp(d->manual, "UM10360");
}

/* ---------------------------------------------------------------- identification */

static const lpc_device *ld_dev_from_ids(const fk_chip_ids *ids, bool *candidate17)
{
	uint32_t v, cpuid, memmap, dbg;
	*candidate17 = false;
	if (fk_chip_ids_word(ids, LD_DEVICE_ID, &v) && lpc_dev_find(v))
		return lpc_dev_find(v);
	/* a Cortex-M3 (CPUID PARTNO 0xC23, ARM) with MEMMAP 0/1 and no DBGMCU_IDCODE */
	*candidate17 = fk_chip_ids_word(ids, LD_CPUID, &cpuid) &&
		       (cpuid & 0xFF00FFF0U) == 0x4100C230U &&
		       fk_chip_ids_word(ids, LD_MEMMAP, &memmap) && memmap <= 1U &&
		       !fk_chip_ids_word(ids, LD_DBGMCU, &dbg);
	return NULL;
}

static bool ld_owns_name(const char *name)
{
	return !strcasecmp(name, "lpc") || lpc_dev_by_name(name) != NULL;
}

static bool ld_match(const fk_chip_ids *ids, char *part, size_t n)
{
	bool c17;
	const lpc_device *d = ld_dev_from_ids(ids, &c17);
	if (part && (d || c17))
		fk_strlcpy(part, d ? d->name : "lpc17xx", n);
	return d || c17;
}

/* An LPC17xx candidate satisfies any LPC17xx name until attach reads its part ID. */
static bool ld_part_is(const fk_chip_ids *ids, const char *name)
{
	bool c17;
	const lpc_device *d = ld_dev_from_ids(ids, &c17);
	const lpc_device *n = lpc_dev_by_name(name);
	if (!strcasecmp(name, "lpc"))
		return d || c17;
	if (d)
		return !strcasecmp(name, d->name) || !strcasecmp(name, d->line);
	return c17 && n && ld_is_lpc17(n);
}

/* ---------------------------------------------------------------- words and core registers */

static int ld_rd32(lpcdbg *d, fk_ctx *ctx, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = d->mem->read(d->h, ctx, addr, b, 4, 4);
	*v = rc ? 0 : fk_get_le32(b);
	return rc;
}

static int ld_wr32(lpcdbg *d, fk_ctx *ctx, uint32_t addr, uint32_t v)
{
	uint8_t b[4];
	fk_put_le32(b, v);
	return d->mem->write(d->h, ctx, addr, b, 4, 4);
}

static int ld_regrdy(lpcdbg *d, fk_ctx *ctx, unsigned regsel)
{
	uint32_t dhcsr = 0;
	for (unsigned i = 0; i < 100; i++) {
		int rc = ld_rd32(d, ctx, LD_DHCSR, &dhcsr);
		if (rc || (dhcsr & LD_S_REGRDY))
			return rc;
	}
	return fk_fail(ctx, FK_E_TIMEOUT, "DHCSR 0x%08X: S_REGRDY not set for core register %u "
		       "(ARMv7-M §C1.6.3)", dhcsr, regsel);
}

static int ld_reg_write(lpcdbg *d, fk_ctx *ctx, unsigned regsel, uint32_t v)
{
	int rc = ld_wr32(d, ctx, LD_DCRDR, v);
	if (!rc)
		rc = ld_wr32(d, ctx, LD_DCRSR, LD_REGWNR | regsel);
	return rc ? rc : ld_regrdy(d, ctx, regsel);
}

static int ld_reg_read(lpcdbg *d, fk_ctx *ctx, unsigned regsel, uint32_t *v)
{
	int rc = ld_wr32(d, ctx, LD_DCRSR, regsel);
	if (!rc)
		rc = ld_regrdy(d, ctx, regsel);
	return rc ? rc : ld_rd32(d, ctx, LD_DCRDR, v);
}

/* ---------------------------------------------------------------- IAP call */

/* The registers an IAP call sets: R0, R1, R12, SP, LR, PC (DebugReturnAddress), xPSR. */
static const unsigned ld_regs[7] = {0, 1, 12, 13, 14, 15, 16};

static int ld_halted_poll(void *user, fk_ctx *ctx, uint32_t *sr)
{
	uint32_t dhcsr;
	int rc = ld_rd32(user, ctx, LD_DHCSR, &dhcsr);
	/* "busy" while the core has not halted on the stub's BKPT */
	*sr = rc ? 0 : ((dhcsr & LD_S_HALT) ? 0 : LD_S_HALT) | (dhcsr & LD_S_LOCKUP);
	return rc;
}

static int ld_iap_run(lpcdbg *d, fk_ctx *ctx, unsigned timeout_ms)
{
	uint32_t sr = 0, pc = 0, base = d->base;
	/* C_MASKINTS only changes while halted (§C1.6.3): set it, then clear C_HALT */
	int rc = ld_wr32(d, ctx, LD_DHCSR, LD_DBGKEY | LD_C_DEBUGEN | LD_C_HALT | LD_C_MASKINTS);
	if (!rc)
		rc = ld_wr32(d, ctx, LD_DHCSR, LD_DBGKEY | LD_C_DEBUGEN | LD_C_MASKINTS);
	if (!rc)
		rc = fk_wait_not_busy(ctx, ld_halted_poll, d, LD_S_HALT,
				      "DHCSR.S_HALT (the IAP call returning to its BKPT)", timeout_ms,
				      &sr);
	fk_ctx *q = fk_ctx_new();
	(void)ld_wr32(d, q ? q : ctx, LD_DHCSR, LD_DBGKEY | LD_C_DEBUGEN | LD_C_HALT);
	fk_ctx_free(q);
	if (rc)
		return rc;
	if (sr & LD_S_LOCKUP)
		return fk_fail(ctx, FK_E_PROTOCOL, "the core locked up in the IAP call (DHCSR."
					      "S_LOCKUP): the boot ROM's entry 0x%08X did not run",
			       LD_IAP_ENTRY);
	rc = ld_reg_read(d, ctx, 15, &pc);
	if (!rc && pc != base + 2U)
		return fk_fail(ctx, FK_E_PROTOCOL, "the IAP call halted at PC 0x%08X, not at the "
						   "stub's BKPT 0x%08X", pc, base + 2U);
	return rc;
}

/* One IAP command: code, up to 5 parameters; res[0] = status, res[1..4] = results. */
static int ld_iap(lpcdbg *d, fk_ctx *ctx, uint32_t code, const uint32_t p[5], uint32_t res[5],
		  unsigned timeout_ms)
{
	uint32_t base = d->base;
	uint8_t blk[LD_OFF_RES + 20];
	memset(blk, 0, sizeof blk);
	fk_put_le32(blk, 0xBE004760U); /* BX r12 (0x4760); BKPT #0 (0xBE00) at +2 */
	fk_put_le32(blk + 4, 0xBE00BE00U);
	fk_put_le32(blk + LD_OFF_CMD, code);
	for (unsigned i = 0; i < 5; i++)
		fk_put_le32(blk + LD_OFF_CMD + 4U * (i + 1U), p ? p[i] : 0);
	fk_put_le32(blk + LD_OFF_RES, 0xFFFFFFFFU); /* not a status: the call did not store */
	const uint32_t val[7] = {base + LD_OFF_CMD, base + LD_OFF_RES, LD_IAP_ENTRY,
				 base + LD_OFF_STACK, (base + 2U) | 1U, base, 0x01000000U};
	int rc = d->mem->write(d->h, ctx, base, blk, sizeof blk, 4);
	for (unsigned i = 0; i < 7 && !rc; i++)
		rc = ld_reg_write(d, ctx, ld_regs[i], val[i]);
	if (!rc)
		rc = ld_iap_run(d, ctx, timeout_ms);
	uint8_t out[20];
	if (!rc)
		rc = d->mem->read(d->h, ctx, base + LD_OFF_RES, out, sizeof out, 4);
	if (rc)
		return fk_fail_wrap(ctx, rc, "IAP command %u on the halted core", code);
	for (unsigned i = 0; i < 5; i++)
		res[i] = fk_get_le32(out + 4 * i);
	return FK_OK;
}

/* Before IAP calls: the core halted with halting debug on (a core the firmware runs, or one
 * `run` left with C_DEBUGEN = 0, would not stop at the stub's BKPT), and the registers and the
 * work area the calls use saved, so that ld_iap_end leaves the core as it found it (the session
 * may let it run again afterwards). Nested calls share one save. */
static int ld_iap_begin(lpcdbg *d, fk_ctx *ctx)
{
	uint32_t dhcsr = 0;
	if (d->depth++)
		return FK_OK;
	int rc = ld_wr32(d, ctx, LD_DHCSR, LD_DBGKEY | LD_C_DEBUGEN | LD_C_HALT);
	if (rc == FK_E_BUS_FAULT) /* the in-process twin: path models no core */
		fk_hint(ctx, "the IAP runs on the chip's core: use a probe, or twin-swd:PATH for a "
			     "twin (the in-process twin: path has no core that runs code)");
	for (unsigned i = 0; !rc && i < 100 && !(dhcsr & LD_S_HALT); i++)
		rc = ld_rd32(d, ctx, LD_DHCSR, &dhcsr);
	if (!rc && !(dhcsr & LD_S_HALT))
		rc = fk_fail(ctx, FK_E_TIMEOUT, "DHCSR 0x%08X: the core does not halt (S_HALT 0), "
					    "so the IAP cannot be called", dhcsr);
	if (!rc)
		rc = d->mem->read(d->h, ctx, d->base, d->save, sizeof d->save, 4);
	for (unsigned i = 0; i < 7 && !rc; i++)
		rc = ld_reg_read(d, ctx, ld_regs[i], &d->regs[i]);
	if (rc) {
		d->depth = 0;
		return fk_fail_wrap(ctx, rc, "preparing an IAP call (halting the core, saving what "
					     "it uses)");
	}
	return FK_OK;
}

static void ld_iap_end(lpcdbg *d)
{
	if (!d->depth || --d->depth)
		return;
	fk_ctx *q = fk_ctx_new();
	if (!q)
		return;
	(void)d->mem->write(d->h, q, d->base, d->save, sizeof d->save, 4);
	for (unsigned i = 0; i < 7; i++)
		(void)ld_reg_write(d, q, ld_regs[i], d->regs[i]);
	fk_ctx_free(q);
}

/* An IAP status other than CMD_SUCCESS as an error naming the command and the code. */
static int ld_iap_status(fk_ctx *ctx, uint32_t st, const char *what)
{
	if (st == LPC_ISP_CMD_SUCCESS)
		return FK_OK;
	int e = st == LPC_ISP_SECTOR_NOT_BLANK || st == LPC_ISP_COMPARE_ERROR ? FK_E_VERIFY
									       : FK_E_FLASH;
	return fk_fail(ctx, e, "%s: IAP status %u %s: %s", what, st,
		       st < LPC_ISP_RC_COUNT ? lpc_isp_rc_name(st) : "(not a status code)",
		       lpc_isp_rc_text(st));
}

/* ---------------------------------------------------------------- attach */

/* Read Part ID (54). */
static int ld_read_part_id(lpcdbg *d, fk_ctx *ctx, uint32_t *id)
{
	uint32_t res[5];
	int rc = ld_iap_begin(d, ctx);
	if (!rc)
		rc = ld_iap(d, ctx, 54, NULL, res, 1000);
	if (!rc)
		rc = ld_iap_status(ctx, res[0], "Read Part ID");
	ld_iap_end(d);
	*id = rc ? 0 : res[1];
	return rc;
}

static void ld_describe_fill(lpcdbg *f)
{
	const lpc_device *d = f->dev;
	fk_chip_desc *c = &f->desc;
	f->nunits = FK_MIN(lpc_dev_nsectors(d), LD_MAX_UNITS);
	for (unsigned i = 0; i < f->nunits; i++)
		f->units[i] = (fk_erase_unit){i, lpc_dev_sector_addr(d, i), lpc_dev_sector_size(d, i), 0};
	c->family = "lpc";
	c->part = d->name;
	c->members = d->desc;
	c->manual = d->manual;
	c->revision = "?";
	c->flash_size = d->flash_bytes;
	c->nunits = f->nunits;
	c->units = f->units;
	c->option_base = LPC_CRP_ADDR;
	c->option_reg = "CRP word at 0x000002FC (in sector 0)";
	c->mass_erase_how = "IAP Prepare (50) + Erase (52) of every sector";
	c->program_source = ld_is_lpc17(d) ? "UM10360 §32.8" : "UM10601 ch. 22";
	c->rdp_source = ld_is_lpc17(d) ? "UM10360 §32.6" : "UM10800 Table 311";
	c->ram_base = d->ram_base;
	c->ram_size = d->ram_bytes;
	c->obeys_marks = 1U << FK_MARK_LPC_CRP;
	c->program_compares = true; /* ld_program compares every block on the chip (IAP 56) */
	/* run only loses the port when the reset latches CRP1-3 (ld_run) */
	c->run_gone_note = "the boot ROM latched the CRP word at 0x2FC at this reset: SWD is off "
			   "(UM10360 §32.6); the UART ISP (-c lpc:PORT) still answers at CRP1/CRP2 "
			   "and can erase every sector; at CRP3 only the application's own IAP "
			   "code can change the flash";
	f->cclk_khz = ld_is_lpc17(d) ? 4000U : 12000U; /* UM10360 §4.3.2, UM10601 §5.3: IRC */
}

static int ld_unknown(fk_ctx *ctx, bool have, uint32_t id)
{
	fk_hint(ctx, "`flashkey list` shows the parts flashkey knows; a part not there is not "
		     "programmed rather than guessed at");
	if (!have)
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no LPC part was identified over the debug "
						       "port and no known part was named");
	return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no LPC part has part ID 0x%08X (IAP Read Part "
					       "ID)", id);
}

static int ld_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		     const char *force_part, void **state)
{
	bool c17;
	const lpc_device *d = ld_dev_from_ids(ids, &c17);
	*state = NULL;
	if (path->kind != FK_PATH_MEMORY || !path->mem)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the LPC debug driver needs a memory path");
	lpcdbg *f = calloc(1, sizeof *f);
	if (!f)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the LPC debug driver");
	f->mem = path->mem;
	f->h = path->mem_h;
	uint32_t id = 0;
	int rc = FK_OK;
	if (!d && c17) {
		f->base = lpc_dev_by_name("lpc17xx")->ram_base;
		rc = ld_read_part_id(f, ctx, &id);
		d = rc ? NULL : lpc_dev_find(id);
		if (rc)
			rc = fk_fail_wrap(ctx, rc, "identifying the LPC17xx (UM10360 §32.8: the IAP's "
						   "Read Part ID on the halted core)");
	}
	if (!rc && force_part && lpc_dev_by_name(force_part))
		d = lpc_dev_by_name(force_part);
	if (!rc && !d)
		rc = ld_unknown(ctx, c17, id);
	if (rc) {
		free(f);
		return rc;
	}
	f->dev = d;
	f->base = d->ram_base;
	ld_describe_fill(f);
	*state = f;
	return FK_OK;
}

static void ld_detach(void *state) { free(state); }
static const fk_chip_desc *ld_describe(void *state) { return &((lpcdbg *)state)->desc; }

static const char *ld_path_name(void *state)
{
	(void)state;
	return "debug";
}

/* ---------------------------------------------------------------- inventory and plan */

static void ld_lock_add(fk_inventory *inv, const char *state, const char *raw, const char *remedy)
{
	if (inv->nlocks >= FK_INV_MAX_LOCKS)
		return;
	fk_lock *l = &inv->locks[inv->nlocks++];
	memset(l, 0, sizeof *l);
	l->kind = FK_LOCK_CRP;
	fk_strlcpy(l->name, "CRP", sizeof l->name);
	fk_strlcpy(l->state, state, sizeof l->state);
	fk_strlcpy(l->raw, raw, sizeof l->raw);
	l->blocks_write = false; /* the debug port answers: nothing latched blocks it now */
	l->step = FK_STEP_RDP;
	l->cost = FK_COST_ALL_FLASH;
	l->reversible = true;
	l->pending = FK_PENDING_NONE;
	fk_strlcpy(l->remedy, remedy, sizeof l->remedy);
}

/* The debug port answered, so the level the boot ROM latched is none or NO_ISP (UM10360 §32.6:
 * CRP1-3 turn it off). The word says what the next reset latches. */
static void ld_inv_lock(lpcdbg *f, uint32_t word, fk_inventory *inv)
{
	char state[200], raw[64], remedy[200];
	lpc_crp c = lpc_crp_decode(word);
	unsigned last = f->nunits - 1U;
	if (c == LPC_CRP_NONE)
		return;
	snprintf(raw, sizeof raw, "word at 0x%08X = 0x%08X", LPC_CRP_ADDR, word);
	if (c == LPC_NO_ISP) {
		snprintf(state, sizeof state, "NO_ISP: the boot ROM does not sample the ISP pin; "
			 "SWD stays on");
		snprintf(remedy, sizeof remedy, "erase sector 0 to make the ISP pin work again");
	} else {
		snprintf(state, sizeof state, "%s written at 0x2FC, not in force yet: the next reset "
			 "latches it and turns SWD off%s (%s)", lpc_crp_name(c),
			 c == LPC_CRP3 ? ", and the ISP pin, for good" : "", f->desc.rdp_source);
		snprintf(remedy, sizeof remedy, "before any reset: erase every sector (IAP 50/52 "
			 "0..%u) if this protection is not meant", last);
	}
	ld_lock_add(inv, state, raw, remedy);
}

/* IAP 53 Blank check of one sector: 1 blank, 0 not (SECTOR_NOT_BLANK). */
static int ld_blank(lpcdbg *f, fk_ctx *ctx, unsigned s, int8_t *blank)
{
	uint32_t p[5] = {s, s, 0, 0, 0}, res[5];
	int rc = ld_iap(f, ctx, 53, p, res, 1000);
	if (!rc && res[0] == LPC_ISP_SECTOR_NOT_BLANK)
		*blank = 0;
	else if (!rc)
		rc = ld_iap_status(ctx, res[0], "Blank check");
	if (!rc && res[0] == LPC_ISP_CMD_SUCCESS)
		*blank = 1;
	return rc ? fk_fail_wrap(ctx, rc, "blank check of sector %u", s) : FK_OK;
}

static int ld_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	lpcdbg *f = state;
	uint32_t word;
	memset(inv, 0, sizeof *inv);
	fk_strlcpy(inv->chip, f->dev->name, sizeof inv->chip);
	fk_strlcpy(inv->family, "lpc", sizeof inv->family);
	fk_strlcpy(inv->path, "debug", sizeof inv->path);
	fk_strlcpy(inv->revision, "?", sizeof inv->revision);
	inv->flash_size = f->dev->flash_bytes;
	inv->rdp_level = -1;
	int rc = ld_rd32(f, ctx, LPC_CRP_ADDR, &word);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the CRP word at 0x%08X", LPC_CRP_ADDR);
	inv->flash_readable = true;
	(void)fk_inv_reg_add(inv, "CRP", LPC_CRP_ADDR, word, true);
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, "crp", sizeof o->key);
	o->value = (uint32_t)lpc_crp_decode(word);
	snprintf(o->text, sizeof o->text, "%s (word 0x%08X; SWD answers)",
		 lpc_crp_name(lpc_crp_decode(word)), word);
	inv->nsectors = FK_MIN(f->nunits, FK_INV_MAX_SECTORS);
	/* blank checks need the core (IAP 53); a path without one leaves them unknown */
	fk_ctx *q = fk_ctx_new();
	if (!q)
		return fk_fail(ctx, FK_E_NOMEM, "inventory");
	bool core = ld_iap_begin(f, q) == FK_OK;
	if (!core)
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_CHIP, "sectors not blank-checked: %s",
		       fk_strerror(fk_ctx_error(q)));
	fk_ctx_free(q);
	for (unsigned i = 0; i < inv->nsectors; i++) {
		inv->sectors[i] = (fk_sector_info){.number = i, .addr = f->units[i].addr,
						   .size = f->units[i].size, .blank = -1};
		if (core && !rc)
			rc = ld_blank(f, ctx, i, &inv->sectors[i].blank);
	}
	if (core)
		ld_iap_end(f);
	if (rc)
		return rc;
	ld_inv_lock(f, word, inv);
	return FK_OK;
}

static int ld_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		   fk_plan *plan)
{
	lpcdbg *f = state;
	memset(plan, 0, sizeof *plan);
	if (req->kind != FK_CHANGE_UNLOCK)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s has no option bytes: its protection is "
						      "the CRP word at 0x2FC, part of the image",
			       f->dev->desc);
	bool crp = false;
	for (unsigned i = 0; i < inv->nlocks; i++)
		crp |= inv->locks[i].kind == FK_LOCK_CRP;
	if (!crp || req->upto < FK_STEP_RDP) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	fk_step *s = fk_plan_step_add(plan, FK_STEP_RDP);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "lpc: plan full");
	s->name = "crp";
	snprintf(s->what, sizeof s->what, "IAP Prepare + Erase of sectors 0-%u on the halted core: "
		 "the CRP word at 0x2FC goes with sector 0, read back", f->nunits - 1U);
	snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KiB)",
		 f->dev->flash_bytes / 1024U);
	s->cost = FK_COST_ALL_FLASH;
	s->destructive = true;
	s->backup = true;
	return FK_OK;
}

/* ---------------------------------------------------------------- flash */

static int ld_erase_range(lpcdbg *f, fk_ctx *ctx, unsigned a, unsigned b)
{
	uint32_t p[5] = {a, b, f->cclk_khz, 0, 0}, res[5];
	int rc = ld_iap_begin(f, ctx);
	if (!rc)
		rc = ld_iap(f, ctx, 50, p, res, 1000);
	if (!rc)
		rc = ld_iap_status(ctx, res[0], "Prepare sectors");
	if (!rc)
		rc = ld_iap(f, ctx, 52, p, res, 5000); /* t_er: 100 ms (data sheet) */
	if (!rc)
		rc = ld_iap_status(ctx, res[0], "Erase sectors");
	ld_iap_end(f);
	return rc ? fk_fail_wrap(ctx, rc, "erasing sectors %u-%u through the IAP", a, b) : FK_OK;
}

static int ld_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	lpcdbg *f = state;
	if (st->id != FK_STEP_RDP)
		return fk_fail(ctx, FK_E_INTERNAL, "lpc: step %s", st->name);
	return ld_erase_range(f, ctx, 0, f->nunits - 1U);
}

static int ld_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	lpcdbg *f = state;
	(void)stated_mv;
	if (forced >= 0)
		return fk_fail(ctx, FK_E_USAGE, "--psize: the %s has one program width",
			       f->dev->desc);
	*width = f->dev->copy_min;
	return FK_OK;
}

static int ld_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	lpcdbg *f = state;
	if (all)
		return ld_erase_range(f, ctx, 0, f->nunits - 1U);
	unsigned i = 0, a, b;
	while (fk_sector_set_next_run(set, f->nunits, &i, &a, &b)) {
		int rc = ld_erase_range(f, ctx, a, b);
		if (rc)
			return rc;
	}
	return FK_OK;
}

/* The boot ROM maps itself at 0 until it starts user code; a core halted in it (after a reset
 * caught by the debugger) leaves MEMMAP 0: map the user flash as OpenOCD's reset-init does
 * (UM10360 Table 8 MEMMAP = 1; UM10601 §4.6.1 SYSMEMREMAP = 2). */
static int ld_map_flash(lpcdbg *f, fk_ctx *ctx)
{
	if (f->mapped)
		return FK_OK;
	int rc = ld_is_lpc17(f->dev) ? ld_wr32(f, ctx, LD_MEMMAP, 1U)
				     : ld_wr32(f, ctx, LD_SYSMEMREMAP, 2U);
	f->mapped = rc == FK_OK;
	return rc ? fk_fail_wrap(ctx, rc, "mapping the user flash at 0 (%s)",
				 ld_is_lpc17(f->dev) ? "MEMMAP" : "SYSMEMREMAP") : FK_OK;
}

static int ld_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	lpcdbg *f = state;
	int rc = addr < 64U ? ld_map_flash(f, ctx) : FK_OK;
	unsigned w = (addr % 4 == 0 && len % 4 == 0) ? 4 : 1;
	return rc ? rc : f->mem->read(f->h, ctx, addr, buf, len, w);
}

static uint32_t ld_copy_size(const lpc_device *d, uint32_t left)
{
	if (left >= d->copy_max)
		return d->copy_max;
	uint32_t n = d->copy_min;
	while (n * 2U <= left && n * 2U <= 1024U)
		n *= 2U;
	return n;
}

/* Word 7 of the vector table so that words 0-7 sum to zero (UM10360 §32.3.1.1), as the ISP
 * path does (lpc.c): said when it changes the image. */
static void ld_fix_word7(lpcdbg *f, fk_ctx *ctx, uint8_t *blk)
{
	uint32_t w7 = lpc_vector_checksum(blk), was = fk_get_le32(blk + 28);
	if (w7 != was)
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_CHIP, "0x0000001C: vector table word 7 set to "
		       "0x%08X (the image has 0x%08X) so that words 0-7 sum to zero, the boot ROM's "
		       "test for valid user code (%s)", w7, was,
		       ld_is_lpc17(f->dev) ? "UM10360 §32.3.1.1" : "UM10601 §21.3.4");
	fk_put_le32(blk + 28, w7);
}

/* One block: into the RAM buffer, Prepare, Copy RAM to Flash. */
static int ld_program_block(lpcdbg *f, fk_ctx *ctx, uint32_t a, const uint8_t *blk, uint32_t n)
{
	const lpc_device *d = f->dev;
	uint32_t buf = d->ram_base + LD_OFF_BUF, res[5];
	unsigned s0 = lpc_dev_nsectors(d), s1 = 0;
	for (unsigned i = 0; i < lpc_dev_nsectors(d); i++) {
		uint32_t sa = lpc_dev_sector_addr(d, i), sz = lpc_dev_sector_size(d, i);
		if (a < sa + sz && sa < a + n)
			s0 = FK_MIN(s0, i), s1 = i;
	}
	uint32_t pp[5] = {s0, s1, f->cclk_khz, 0, 0}, pc[5] = {a, buf, n, f->cclk_khz, 0};
	int rc = f->mem->write(f->h, ctx, buf, blk, n, 4);
	if (!rc)
		rc = ld_iap(f, ctx, 50, pp, res, 1000);
	if (!rc)
		rc = ld_iap_status(ctx, res[0], "Prepare sectors");
	if (!rc)
		rc = ld_iap(f, ctx, 51, pc, res, 1000); /* t_prog 1 ms per page */
	if (!rc)
		rc = ld_iap_status(ctx, res[0], "Copy RAM to Flash");
	return rc ? fk_fail_wrap(ctx, rc, "programming 0x%08X-0x%08X (sector %u) through the IAP",
				 a, a + n - 1U, s0) : FK_OK;
}

/* IAP 56 Compare of the block just copied with the data still in RAM (UM10360 §32.8, as the ISP
 * path's Compare after Copy): on the chip, without reading the block back over the wire. */
static int ld_compare(lpcdbg *f, fk_ctx *ctx, uint32_t a, uint32_t n)
{
	uint32_t p[5] = {a, f->dev->ram_base + LD_OFF_BUF, n, 0, 0}, res[5];
	int rc = ld_iap(f, ctx, 56, p, res, 1000);
	if (rc)
		return fk_fail_wrap(ctx, rc, "comparing 0x%08X-0x%08X with the data copied", a,
				    a + n - 1U);
	if (res[0] == LPC_ISP_COMPARE_ERROR) {
		fk_hint(ctx, "write the image again (the sector is erased first); if the same "
			     "address fails again, the sector is worn out or the supply is low");
		return fk_fail(ctx, FK_E_VERIFY, "0x%08X: flash differs from the data just copied "
			       "there (IAP Compare): the program did not take", a + res[1]);
	}
	return ld_iap_status(ctx, res[0], "Compare");
}

static int ld_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	lpcdbg *f = state;
	const lpc_device *d = f->dev;
	if ((addr | len) % d->copy_min || (uint64_t)addr + len > d->flash_bytes)
		return fk_fail(ctx, FK_E_INTERNAL, "program 0x%08X+%u: Copy RAM to Flash takes "
			       "%u-byte aligned blocks inside the flash", addr, len, d->copy_min);
	uint8_t blk[4096];
	int rc = ld_iap_begin(f, ctx);
	for (uint32_t off = 0; off < len && !rc;) {
		uint32_t a = addr + off, n = ld_copy_size(d, len - off);
		if (n > sizeof blk) {
			rc = fk_fail(ctx, FK_E_INTERNAL, "lpc: copy block of %u bytes", n);
			break;
		}
		memcpy(blk, buf + off, n);
		if (a == 0 && n >= 32)
			ld_fix_word7(f, ctx, blk);
		rc = ld_program_block(f, ctx, a, blk, n);
		if (!rc)
			rc = ld_compare(f, ctx, a, n);
		off += n;
	}
	ld_iap_end(f);
	return rc;
}

/* ---------------------------------------------------------------- reset and run */

static int ld_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	lpcdbg *f = state;
	if (!f->mem->reset)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot reset the target");
	int rc = f->mem->reset(f->h, ctx, kind);
	f->mapped = false;
	return rc;
}

/* Start the user code: a reset with vector catch off; the boot ROM starts the code when words
 * 0-7 of the vector table sum to zero and the ISP pin is high (UM10360 §32.3.1). A table that
 * fails the test would only bring up the ISP: refused before the reset. */
static int ld_run(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		  size_t how_len, bool *gone)
{
	lpcdbg *f = state;
	uint8_t vec[32];
	*gone = false;
	if (addr != 0)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "run 0x%08X: the boot ROM starts the user code "
			       "from the vector table at 0 after a reset (%s); give no address", addr,
			       ld_is_lpc17(f->dev) ? "UM10360 §32.3.1" : "UM10601 §21.3");
	if (reset_mode == FK_RESET_POWER_CYCLE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "starting the application needs a reset, but "
						      "--reset=none was given");
	if (!f->mem->run) {
		fk_hint(ctx, "reset the board by hand");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot let the core run");
	}
	int rc = ld_read(f, ctx, 0, vec, sizeof vec);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the vector table");
	if (!lpc_vector_valid(vec)) {
		fk_hint(ctx, "write the application with flashkey (it sets word 7 of the vector "
			     "table), or fix word 7 at 0x1C so that words 0-7 sum to zero");
		return fk_fail(ctx, FK_E_BAD_IMAGE, "words 0-7 of the vector table do not sum to zero "
			       "(word 7 = 0x%08X, %s §32.3.1.1): the boot ROM would enter the ISP "
			       "instead of starting the code; nothing was started",
			       fk_get_le32(vec + 28), f->dev->manual);
	}
	uint32_t word;
	rc = ld_rd32(f, ctx, LPC_CRP_ADDR, &word);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the CRP word at 0x%08X", LPC_CRP_ADDR);
	lpc_crp crp = lpc_crp_decode(word);
	bool closes = crp == LPC_CRP1 || crp == LPC_CRP2 || crp == LPC_CRP3;
	fk_reset_kind kind = reset_mode == FK_RESET_HARDWARE ? FK_RESET_HARDWARE : FK_RESET_SYSTEM;
	const char *r = kind == FK_RESET_HARDWARE ? "NRST pulse" : "system reset (SYSRESETREQ)";
	if (closes) /* how holds 128 bytes (fk_run_result) */
		snprintf(how, how_len, "%s, vector catch off; the boot ROM latches %s from 0x2FC, "
			 "which turns SWD off", r, lpc_crp_name(crp));
	else
		snprintf(how, how_len, "%s, vector catch off: the boot ROM starts valid user code "
			 "(ISP pin %s high)", r, f->dev->isp_pin);
	if (dry)
		return FK_OK;
	f->mapped = false;
	if (!closes) {
		rc = f->mem->run(f->h, ctx, kind);
		return rc ? fk_fail_wrap(ctx, rc, "starting the application") : FK_OK;
	}
	/* UM10360 §32.6: the reset latches the level and the debug port stops answering, so
	 * the reset's own read-back goes unanswered: expected, not an error */
	fk_ctx *q = fk_ctx_new();
	if (!q)
		return fk_fail(ctx, FK_E_NOMEM, "run");
	(void)f->mem->run(f->h, q, kind);
	fk_ctx_free(q);
	*gone = true;
	return FK_OK;
}

static fk_vec_verdict ld_vector_check(void *state, uint32_t sp, uint32_t reset, char *why,
				      size_t n)
{
	lpcdbg *f = state;
	if (sp == 0xFFFFFFFFU && reset == 0xFFFFFFFFU)
		return FK_VEC_ERASED;
	return lpc_dev_vectors_ok(f->dev, sp, reset, why, n) ? FK_VEC_OK : FK_VEC_BAD;
}

static uint64_t ld_virtual_ns(void *state)
{
	lpcdbg *f = state;
	return f->mem->virtual_ns ? f->mem->virtual_ns(f->h) : 0;
}

const fk_chip_driver lpc_dbg_chip_driver = {
	.family = "lpc",
	.summary = "lpc (NXP LPC176x/5x and LPC81x over SWD/JTAG, programmed through the boot "
		   "ROM's IAP; UM10360, UM10601)",
	.paths = FK_PATH_BIT(FK_PATH_MEMORY),
	.id_regs = ld_id_regs,
	.nid_regs = sizeof ld_id_regs / sizeof ld_id_regs[0],
	.owns_name = ld_owns_name,
	.match = ld_match,
	.part_is = ld_part_is,
	.attach = ld_attach,
	.detach = ld_detach,
	.describe = ld_describe,
	.path_name = ld_path_name,
	.inventory = ld_inventory,
	.plan = ld_plan,
	.step = ld_step,
	.set_supply = ld_set_supply,
	.erase = ld_erase,
	.program = ld_program,
	.read = ld_read,
	.reset = ld_reset,
	.run = ld_run,
	.vector_check = ld_vector_check,
	.virtual_ns = ld_virtual_ns,
};
