/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LPC twin's debug port (tw_dap_port, twin/model.h) and the boot ROM's IAP entry modelled by
 * behaviour: what a debugger (twin-swd:, the emulated probes, `serve --jtag-bitbang`) reaches.
 *
 * Sources (editions in lpc.h):
 *   UM10360 §32.6 Code Read Protection: CRP1, CRP2 and CRP3 each "disable access to chip via
 *     the JTAG pins" (SWD too: the SWJ-DP is the one debug port), NO_ISP leaves debug on
 *     (UM10800 §25.5.3.1); the level is the one the boot ROM latched at the last reset;
 *   UM10360 §32.8 IAP: entry at 0x1FFF 1FF1 (Thumb), R0 -> command table (code, parameters),
 *     R1 -> result table (status, results); commands 50 Prepare, 51 Copy RAM to Flash (256 B
 *     boundary, 256 | 512 | 1024 | 4096 bytes, source word-aligned in RAM), 52 Erase, 53 Blank
 *     check (offset and contents of the first non-blank word), 54 Read Part ID, 55 Read Boot
 *     code version (byte 1 major, byte 0 minor), 56 Compare (offset of the first mismatch), 57
 *     Reinvoke ISP, 58 Read device serial number; the IAP status codes are the ISP return
 *     codes (§32.7.16 Table 587); "flash programming commands use the top 32 bytes of on-chip
 *     RAM"; IAP runs from user code at any CRP level (the ISP's CRP restrictions do not apply);
 *   UM10601 ch. 22 (LPC81x IAP: the same entry and commands, 64-byte pages, Copy of 64 | 128
 *     | 256 | 512 | 1024 bytes);
 *   data sheets (lpc.h): t_er, t_prog, charged on the virtual clock as the ISP does.
 *
 * The real ROM cannot run: when code the debugger loaded (a flash loader's BX to R12, as
 * OpenOCD's lpc2000 driver does) fetches its first instruction at the IAP entry, the twin
 * performs the command and the core returns to LR (cm4_exec.c, tw_dap_port.rom_call). Other
 * fetches from the ROM are bus errors: its code is not modelled, so code that wanders into it
 * locks the core up with a message instead of running garbage. */
#include <stdio.h>
#include <string.h>

#include "boot/lpc_isp_codec.h"
#include "core/core.h"
#include "lpc/lpc.h"

static tw_lpc *lc(void *m)
{
	return tw_lpc_of_instance(m);
}

/* ---------------------------------------------------------------- memory map */

static bool dbg_ram(const tw_lpc *c, uint32_t a, unsigned n)
{
	return tw_lpc_is_ram(c, a, n);
}

static uint32_t dbg_get(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void dbg_put(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A bus access (debugger or the core's data). Flash reads see flash: the boot ROM maps the user
 * flash at 0 before it starts user code (lpc.h remap, MEMMAP = 1); the twin does not model the
 * ROM's own window over 0x00-0x3F on this path (UNCONFIRMED: a core halted inside the ISP
 * handler would see the ROM's vectors there). */
static tw_status dbg_read(void *m, uint32_t addr, unsigned size, uint32_t *val)
{
	tw_lpc *c = lc(m);
	if (!c->powered)
		return TW_POWER_OFF;
	if (addr % size)
		return TW_BUS_ERROR;
	if (tw_lpc_is_flash(c, addr, size)) {
		*val = dbg_get(c->flash + addr, size);
		return TW_OK;
	}
	if (dbg_ram(c, addr, size)) {
		*val = dbg_get(c->ram + (addr - c->v->ram_base), size);
		return TW_OK;
	}
	if (size == 4 && addr == c->v->remap_reg) {
		*val = c->remap;
		return TW_OK;
	}
	if (size == 4 && c->v->device_id_reg && addr == c->v->device_id_reg) {
		*val = c->v->part_id; /* UM10601 §4.6.37 DEVICE_ID */
		return TW_OK;
	}
	return TW_BUS_ERROR; /* the boot ROM's code and the peripherals are not modelled */
}

/* Flash is written only through the IAP (UM10360 §32.8): a bus write to it is refused
 * (UNCONFIRMED: the manual does not say what a direct write does; a bus error is the safe
 * model). */
static tw_status dbg_write(void *m, uint32_t addr, unsigned size, uint32_t val)
{
	tw_lpc *c = lc(m);
	if (!c->powered)
		return TW_POWER_OFF;
	if (addr % size)
		return TW_BUS_ERROR;
	if (dbg_ram(c, addr, size)) {
		dbg_put(c->ram + (addr - c->v->ram_base), size, val);
		return TW_OK;
	}
	if (size == 4 && addr == c->v->remap_reg) {
		c->remap = val & c->v->remap_mask;
		return TW_OK;
	}
	return TW_BUS_ERROR;
}

/* The core's own fetches. UM10360 §32.3.1: "the boot loader code is executed every time the part
 * is powered on or reset", so the reset vector the core loads is the boot ROM's (the ROM is
 * mapped at 0 then, MEMMAP = 0). UNCONFIRMED values: MSP 0x10001FFC and PC 0x1FFF0080 as
 * OpenOCD users' logs of an LPC1768 halted at reset show them (the same pattern on the LPC812,
 * with its smaller RAM). The ROM's code is not modelled: the core "runs" there without
 * executing (cm4_exec.c interprets RAM only); a fetch there reads 0. */
static tw_status dbg_fetch(void *m, uint32_t addr, uint32_t *val)
{
	tw_lpc *c = lc(m);
	if (!c->powered)
		return TW_POWER_OFF;
	if (addr == 0 || addr == 4) {
		uint32_t top = c->v->ram_bytes < 0x2000U ? c->v->ram_bytes : 0x2000U;
		*val = addr == 0 ? c->v->ram_base + top - 4U : (TW_LPC_ROM_BASE + 0x80U) | 1U;
		return TW_OK;
	}
	if (addr - TW_LPC_ROM_BASE < TW_LPC_ROM_BYTES) {
		*val = 0;
		return TW_OK;
	}
	return dbg_read(m, addr, 4, val);
}

/* AIRCR.SYSRESETREQ: the boot ROM runs again and latches CRP (§32.6). */
static void dbg_system_reset(void *m)
{
	tw_lpc_reset(lc(m));
}

/* UM10360 §32.6 says only that CRP1-3 disable "access to chip via the JTAG pins". UNCONFIRMED:
 * how that looks on the wire; the twin's DP answers nothing (no ACK, TAP shifting zeros). IAR
 * technical note 79394 (LPC1768 with CRP: C-SPY "Failed to read CPUID") would also fit a DP that
 * answers while memory access is refused. */
static bool dbg_locks_swd(tw_lpc_crp crp)
{
	return crp == TW_LPC_CRP1 || crp == TW_LPC_CRP2 || crp == TW_LPC_CRP3;
}

static bool dbg_reachable(void *m, int core_halted)
{
	tw_lpc *c = lc(m);
	(void)core_halted;
	return c->powered && !dbg_locks_swd(c->crp);
}

static void dbg_attach(void *m)
{
	(void)m;
}

static int dbg_refusal(void *m, fk_ctx *ctx, const char *path)
{
	tw_lpc *c = lc(m);
	if (!c->powered) {
		fk_hint(ctx, "restore power with `flashkey-twin power-cycle %s`", path);
		return fk_fail(ctx, FK_E_NO_POWER, "twin %s: target not powered (0 mV)", path);
	}
	if (c->crp == TW_LPC_CRP3)
		fk_hint(ctx, "CRP3 also stops the boot ROM sampling the ISP pin: only the "
			     "application's own IAP code can change the flash now");
	else
		fk_hint(ctx, "use the UART ISP (-c twin-lpc:%s): at %s it still erases every "
			     "sector, which removes the word", path, tw_lpc_crp_name(c->crp));
	return fk_fail(ctx, FK_E_DEBUG_DISABLED, "twin %s: debug port disabled: %s (word 0x%08X "
		       "at 0x2FC) turns SWD off from the reset that latched it (UM10360 §32.6)",
		       path, tw_lpc_crp_name(c->crp), tw_lpc_flash_word(c, TW_LPC_CRP_ADDR));
}

static const tw_dap_ids *dbg_ids(void *m)
{
	tw_lpc *c = lc(m);
	const tw_lpc_variant *v = c->v;
	c->dap_ids = (tw_dap_ids){
		.dpidr_swd = v->dpidr,
		.idcode_jtag = v->jtag_idcode,
		.bs_idcode = 0,
		.single_tap = true, /* LPC17xx: one TAP in the chain (OpenOCD target/lpc1xxx.cfg) */
		.ahbap_idr = v->ahbap_idr,
		.cpuid = v->cpuid,
		.core_hz = v->irc_hz,
		.exec_ram_base = v->ram_base,
		.exec_ram_bytes = v->ram_bytes,
	};
	return &c->dap_ids;
}

/* ---------------------------------------------------------------- IAP */

typedef struct iap_call {
	tw_lpc *c;
	uint32_t p[5];    /* parameters 1..5 */
	uint32_t out[4];  /* results 1..4 */
	unsigned nout;
} iap_call;

static bool iap_sectors_ok(const tw_lpc *c, uint32_t a, uint32_t b)
{
	return a <= b && b < c->v->nsectors;
}

/* "Flash programming commands use the top 32 bytes of on-chip RAM" (§32.8): what was there is
 * gone afterwards (UNCONFIRMED content: zeros stand for the ROM's scratch data). */
static void iap_scratch(tw_lpc *c)
{
	memset(c->ram + c->v->ram_bytes - 32U, 0, 32U);
}

static unsigned iap_prepare(iap_call *k)
{
	if (!iap_sectors_ok(k->c, k->p[0], k->p[1]))
		return LPC_ISP_INVALID_SECTOR;
	k->c->iap_prepared = true;
	k->c->iap_prep_a = k->p[0];
	k->c->iap_prep_b = k->p[1];
	return LPC_ISP_CMD_SUCCESS;
}

static bool iap_is_prepared(const tw_lpc *c, unsigned a, unsigned b)
{
	return c->iap_prepared && c->iap_prep_a <= a && b <= c->iap_prep_b;
}

static bool iap_count_ok(const tw_lpc *c, uint32_t n)
{
	for (unsigned i = 0; c->v->copy_sizes[i]; i++)
		if (c->v->copy_sizes[i] == n)
			return true;
	return false;
}

static unsigned iap_copy(iap_call *k)
{
	tw_lpc *c = k->c;
	uint32_t dst = k->p[0], src = k->p[1], n = k->p[2];
	if (src % 4)
		return LPC_ISP_SRC_ADDR_ERROR;
	if (dst % c->v->copy_align)
		return LPC_ISP_DST_ADDR_ERROR;
	if (!iap_count_ok(c, n))
		return LPC_ISP_COUNT_ERROR;
	if (!tw_lpc_is_ram(c, src, n))
		return LPC_ISP_SRC_ADDR_NOT_MAPPED;
	if (!tw_lpc_is_flash(c, dst, n))
		return LPC_ISP_DST_ADDR_NOT_MAPPED;
	unsigned a = tw_lpc_sector_of(c->v, dst), b = tw_lpc_sector_of(c->v, dst + n - 1U);
	if (!iap_is_prepared(c, a, b))
		return LPC_ISP_SECTOR_NOT_PREPARED;
	uint8_t buf[4096];
	memcpy(buf, c->ram + (src - c->v->ram_base), n); /* read before the scratch is used */
	tw_lpc_program(c, dst, buf, n);
	iap_scratch(c);
	c->iap_prepared = false; /* "the affected sectors are automatically protected again" */
	return LPC_ISP_CMD_SUCCESS;
}

static unsigned iap_erase(iap_call *k)
{
	tw_lpc *c = k->c;
	if (!iap_sectors_ok(c, k->p[0], k->p[1]))
		return LPC_ISP_INVALID_SECTOR;
	if (!iap_is_prepared(c, k->p[0], k->p[1]))
		return LPC_ISP_SECTOR_NOT_PREPARED;
	tw_lpc_erase(c, k->p[0], k->p[1]);
	iap_scratch(c);
	c->iap_prepared = false;
	return LPC_ISP_CMD_SUCCESS;
}

/* Result 1: offset of the first non-blank word, result 2: its contents (UNCONFIRMED: offset
 * from the start of the first sector checked, as the ISP's I). */
static unsigned iap_blank(iap_call *k)
{
	tw_lpc *c = k->c;
	if (!iap_sectors_ok(c, k->p[0], k->p[1]))
		return LPC_ISP_INVALID_SECTOR;
	uint32_t start = tw_lpc_sector_start(c->v, k->p[0]);
	uint32_t end = tw_lpc_sector_start(c->v, k->p[1] + 1U);
	for (uint32_t w = start; w < end; w += 4) {
		uint32_t v = tw_lpc_flash_word(c, w);
		if (v != 0xFFFFFFFFU) {
			k->out[0] = w - start;
			k->out[1] = v;
			k->nout = 2;
			return LPC_ISP_SECTOR_NOT_BLANK;
		}
	}
	return LPC_ISP_CMD_SUCCESS;
}

static bool iap_mapped(const tw_lpc *c, uint32_t a, uint32_t n)
{
	return tw_lpc_is_flash(c, a, n) || tw_lpc_is_ram(c, a, n);
}

static uint8_t iap_byte(const tw_lpc *c, uint32_t a)
{
	return tw_lpc_is_flash(c, a, 1) ? c->flash[a] : c->ram[a - c->v->ram_base];
}

static unsigned iap_compare(iap_call *k)
{
	tw_lpc *c = k->c;
	uint32_t a = k->p[0], b = k->p[1], n = k->p[2];
	if (a % 4 || b % 4)
		return LPC_ISP_ADDR_ERROR;
	if (n % 4)
		return LPC_ISP_COUNT_ERROR;
	if (!iap_mapped(c, a, n) || !iap_mapped(c, b, n))
		return LPC_ISP_ADDR_NOT_MAPPED;
	for (uint32_t i = 0; i < n; i++)
		if (iap_byte(c, a + i) != iap_byte(c, b + i)) {
			k->out[0] = i;
			k->nout = 1;
			return LPC_ISP_COMPARE_ERROR;
		}
	return LPC_ISP_CMD_SUCCESS;
}

static unsigned iap_run(iap_call *k, uint32_t code)
{
	tw_lpc *c = k->c;
	switch (code) {
	case 50: return iap_prepare(k);
	case 51: return iap_copy(k);
	case 52: return iap_erase(k);
	case 53: return iap_blank(k);
	case 54:
		k->out[0] = c->v->part_id;
		k->nout = 1;
		return LPC_ISP_CMD_SUCCESS;
	case 55:
		k->out[0] = (uint32_t)c->v->boot_major << 8 | c->v->boot_minor;
		k->nout = 1;
		return LPC_ISP_CMD_SUCCESS;
	case 56: return iap_compare(k);
	case 58:
		memcpy(k->out, c->uid, sizeof k->out);
		k->nout = 4;
		return LPC_ISP_CMD_SUCCESS;
	default:
		/* 57 Reinvoke ISP does not return on silicon; the twin does not model it
		 * (UNCONFIRMED stand-in: INVALID_COMMAND, as for an unknown code) */
		return LPC_ISP_INVALID_COMMAND;
	}
}

static bool iap_word(const tw_lpc *c, uint32_t a, uint32_t *v)
{
	if (a % 4 || !iap_mapped(c, a, 4))
		return false;
	*v = tw_lpc_is_flash(c, a, 4) ? tw_lpc_flash_word(c, a)
				      : fk_get_le32(c->ram + (a - c->v->ram_base));
	return true;
}

void tw_lpc_iap(tw_lpc *c, uint32_t cmd, uint32_t res)
{
	iap_call k = {.c = c};
	uint32_t code = 0;
	unsigned status = LPC_ISP_INVALID_COMMAND;
	c->iap_calls++;
	if (iap_word(c, cmd, &code)) {
		/* a parameter word outside RAM and flash reads as 0 (UNCONFIRMED) */
		for (unsigned i = 0; i < 5; i++)
			if (!iap_word(c, cmd + 4U * (i + 1U), &k.p[i]))
				k.p[i] = 0;
		status = iap_run(&k, code);
	}
	/* the result table must be RAM the ROM can write (UNCONFIRMED: a table elsewhere would
	 * fault on silicon; the twin drops what it cannot store) */
	if (!tw_lpc_is_ram(c, res, 4U * (1U + k.nout)) || res % 4)
		return;
	fk_put_le32(c->ram + (res - c->v->ram_base), status);
	for (unsigned i = 0; i < k.nout; i++)
		fk_put_le32(c->ram + (res - c->v->ram_base) + 4U * (i + 1U), k.out[i]);
}

static bool dbg_rom_call(void *m, uint32_t addr, const uint32_t r[16])
{
	tw_lpc *c = lc(m);
	if (addr != (TW_LPC_IAP_ENTRY & ~1U) || !c->powered)
		return false;
	tw_lpc_iap(c, r[0], r[1]);
	return true;
}

const tw_dap_port tw_lpc_dap_port = {
	.read = dbg_read,
	.write = dbg_write,
	.fetch = dbg_fetch,
	.system_reset = dbg_system_reset,
	.reachable = dbg_reachable,
	.attach = dbg_attach,
	.refusal = dbg_refusal,
	.bus_error_note = NULL,
	.ids = NULL,
	.ids_of = dbg_ids,
	.rom_call = dbg_rom_call,
};
