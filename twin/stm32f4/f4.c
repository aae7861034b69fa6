/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin: life cycle, the memory map and the bus (tw_f4_read/tw_f4_write), resets, power
 * and the virtual clock. The flash interface is in flash.c, option bytes and protection rules in
 * options.c, timing in timing.c, the state file in state.c.
 *
 * Sources: RM0090 Rev 21 §2.3 (memory map), §3.3 (flash organisation, OTP, system memory),
 * §3.7.3 Table 18 (access versus read protection level), §5.1.2 and §6.1 (power-on vs system
 * reset), §38.6.1 (DBGMCU_IDCODE), §39.1 (unique ID), §39.2 (flash size register); ARMv7-M ARM
 * §B3.2.3 (CPUID), §B3.2.6 (AIRCR.SYSRESETREQ, VECTKEY 0x05FA), §C1.6.2 (DHCSR, DBGKEY 0xA05F);
 * facts in ../shared/reference/stm32.md §1.8, §1.9, §3.1. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stm32f4/f4_int.h"

typedef enum f4_region {
	R_NONE = 0, R_FLASH, R_SYSMEM, R_OTP, R_SYSINFO, R_OB1, R_OB2, R_SRAM, R_BKP,
	R_FLASHREG, R_DBGMCU, R_SCS
} f4_region;

static bool in(uint32_t addr, uint32_t base, uint32_t size)
{
	return addr >= base && addr - base < size;
}

/* Region and offset of addr; the boot alias at 0x00000000 follows the boot pins latched at the
 * last reset (RM0090 §2.4 "Boot configuration"). */
static f4_region f4_region_of(const tw_f4 *t, uint32_t addr, uint32_t *off)
{
	uint32_t fsize = tw_f4_variant_flash_bytes(t->v);
	uint32_t ssize = t->v->sram_kib * 1024U;
	if (addr < 0x00100000U) { /* boot alias, at most 1 MiB */
		uint32_t base = t->boot_eff == TW_BOOT_SYSMEM ? F4_SYSMEM_BASE
				: t->boot_eff == TW_BOOT_SRAM  ? F4_SRAM_BASE
							       : F4_FLASH_BASE;
		return f4_region_of(t, base + addr, off);
	}
	static const struct { uint32_t base, size; f4_region r; } fixed[] = {
		{F4_SYSMEM_BASE, F4_SYSMEM_SIZE, R_SYSMEM}, {F4_OTP_BASE, F4_OTP_SIZE, R_OTP},
		{F4_SYSINFO_BASE, F4_SYSINFO_SIZE, R_SYSINFO}, {F4_OB1_BASE, F4_OB_SIZE, R_OB1},
		{F4_FLASH_R_BASE, 0x20U, R_FLASHREG}, {F4_DBGMCU_IDCODE, 0x10U, R_DBGMCU},
		{F4_SCS_BASE, F4_SCS_SIZE, R_SCS},
	};
	for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (in(addr, fixed[i].base, fixed[i].size)) {
			*off = addr - fixed[i].base;
			return fixed[i].r;
		}
	*off = addr - F4_FLASH_BASE;
	if (in(addr, F4_FLASH_BASE, fsize))
		return R_FLASH;
	*off = addr - F4_OB2_BASE;
	if ((t->v->features & F4_FEAT_OPTCR1) && in(addr, F4_OB2_BASE, F4_OB_SIZE))
		return R_OB2;
	*off = addr - F4_SRAM_BASE;
	if (in(addr, F4_SRAM_BASE, ssize))
		return R_SRAM;
	*off = addr - F4_BKPSRAM_BASE;
	if ((t->v->features & F4_FEAT_BKPSRAM) && in(addr, F4_BKPSRAM_BASE, F4_BKPSRAM_SIZE))
		return R_BKP;
	return R_NONE;
}

/* System memory holds ST's ROM code, which the twin cannot reproduce: a fixed pattern stands in
 * for it (only its read-only nature matters here). */
static uint8_t f4_sysmem_byte(uint32_t off)
{
	return (uint8_t)((off * 2654435761U) >> 24);
}

/* Option bytes as stored (RM0090 §3.7.1 Table 15): 0x1FFFC000 = USER, 0x1FFFC001 = RDP,
 * 0x1FFFC008/9 = OPTCR[23:16]/[31:24]; 0x1FFEC008/9 = OPTCR1[23:16]/[31:24]. Bits without an
 * option read as 1 in the area: USER bits 1:0 ("0x3: Not used", Tables 16/17), and on parts
 * without BFB2/SPRMOD/DB1M their bits too: F40x/F41x USER bit 4 ("0x1: Not used") and bits 15:12
 * of the nWRP halfword ("0xF: Not used"), RM0090 Table 16; F42x bits 13:12 of that halfword
 * (Table 17). The bits are the reserved ones of the variant's OPTCR mask (issue #20 item 8).
 * UNCONFIRMED: that the other parts' reserved bits (F401/F411/F446: RM0368/RM0383/RM0390, not
 * checked against their tables) read as 1 the same way; and the reserved bytes [63:16] read as
 * 0xFF here. */
static uint8_t f4_ob_byte(const tw_f4 *t, unsigned bank, uint32_t off)
{
	uint32_t w = t->ob[bank];
	uint32_t unused = bank ? 0xF000FFFFU : ~t->v->optcr_mask; /* includes bits 1:0 */
	switch (off) {
	case 0: return bank ? 0xFF : (uint8_t)(w | unused);
	case 1: return bank ? 0xFF : (uint8_t)(w >> 8);
	case 8: return (uint8_t)((w | unused) >> 16);
	case 9: return (uint8_t)((w | unused) >> 24);
	default: return 0xFF;
	}
}

static uint8_t f4_sysinfo_byte(const tw_f4 *t, uint32_t off)
{
	if (off < 12)
		return t->uid[off];
	if (off == 0x12)
		return (uint8_t)(t->v->flash_kib & 0xFF);
	if (off == 0x13)
		return (uint8_t)(t->v->flash_kib >> 8);
	return 0xFF;
}

static uint32_t f4_scs_read(const tw_f4 *t, uint32_t addr)
{
	if (addr == F4_SCS_CPUID)
		return 0x410FC241U; /* Cortex-M4 r0p1 */
	uint32_t v = t->scs[(addr - F4_SCS_BASE) / 4];
	if (addr == F4_SCS_AIRCR)
		return 0xFA050000U | (v & 0x700U);
	if (addr == F4_SCS_DHCSR) /* S_REGRDY always; S_HALT mirrors C_HALT while C_DEBUGEN */
		return (v & 0xFU) | (1U << 16) | ((v & 3U) == 3U ? (1U << 17) : 0U);
	return v;
}

static uint32_t f4_word(const tw_f4 *t, f4_region r, uint32_t off, uint32_t addr)
{
	switch (r) {
	case R_FLASHREG: return tw_f4_reg(t, addr & ~3U);
	case R_DBGMCU:
		if ((addr & ~3U) == F4_DBGMCU_IDCODE)
			return ((uint32_t)t->v->rev_id << 16) | t->v->dev_id;
		return (addr & ~3U) == F4_DBGMCU_CR	 ? t->dbgmcu_cr
		       : (addr & ~3U) == F4_DBGMCU_APB1FZ ? t->dbgmcu_apb1fz
							  : t->dbgmcu_apb2fz;
	case R_SCS: return f4_scs_read(t, addr & ~3U);
	default: (void)off; return 0;
	}
}

static uint8_t f4_byte(const tw_f4 *t, f4_region r, uint32_t off, uint32_t addr)
{
	switch (r) {
	case R_FLASH: return t->flash[off];
	case R_SYSMEM: return f4_sysmem_byte(off);
	case R_OTP: return t->otp[off];
	case R_SYSINFO: return f4_sysinfo_byte(t, off);
	case R_OB1: return f4_ob_byte(t, 0, off);
	case R_OB2: return f4_ob_byte(t, 1, off);
	case R_SRAM: return t->sram[off];
	case R_BKP: return t->bkpsram[off];
	case R_NONE: return 0;
	default: return (uint8_t)(f4_word(t, r, off, addr) >> (8 * (addr & 3U)));
	}
}

/* RM0090 §3.7.3 Table 18: at level 1 (and 2), flash, backup SRAM and OTP are out of reach
 * "while the debug feature is connected or while booting from RAM or system memory
 * bootloader". The connection is remembered (intrusion) until a power-on reset. */
bool f4_restricted(const tw_f4 *t, tw_initiator who)
{
	if (f4_rdp_level(t->rdp_eff) == 0)
		return false;
	return who != TW_INIT_USER || t->intrusion || t->boot_eff != TW_BOOT_FLASH;
}

static bool f4_flash_stalls(const tw_f4 *t, f4_region r, uint32_t off)
{
	if (t->op.kind == F4_OP_NONE)
		return false;
	if (r == R_OTP || r == R_OB1 || r == R_OB2 || r == R_SYSINFO)
		return true;
	if (r != R_FLASH)
		return false;
	/* RM0090 §3.6.5: dual bank reads one bank while the other is programmed or erased */
	f4_sector s;
	if (t->op.kind == F4_OP_OPTIONS || !f4_dual_bank(t) || !f4_sector_at(t, off, &s))
		return true;
	uint32_t op_off = t->op.kind == F4_OP_PROGRAM ? t->op.addr - F4_FLASH_BASE : t->op.addr;
	f4_sector os;
	if (t->op.kind == F4_OP_ERASE && t->op.erase_mask)
		return (t->op.erase_mask >> s.bank) & 1U;
	return !f4_sector_at(t, op_off, &os) || os.bank == s.bank;
}

static tw_status f4_gate(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size)
{
	if (!t->powered)
		return TW_POWER_OFF;
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1U)))
		return TW_BUS_ERROR;
	if (who == TW_INIT_DEBUG) {
		if (!tw_f4_debug_reachable(t))
			return TW_BUS_ERROR;
		if (!t->intrusion)
			t->dirty = true;
		t->intrusion = true; /* RM0090 §3.7.3: the debug connection is detected */
	}
	if (who == TW_INIT_BOOTLOADER && !tw_f4_bootloader_available(t))
		return TW_BUS_ERROR;
	return TW_OK;
}

/* RM0090 §3.7.5: a D-bus read of a PCROP sector sets RDERR (UNCONFIRMED: no bus error; the
 * data reads as 0). */
static bool f4_pcrop_read(tw_f4 *t, f4_region r, uint32_t off)
{
	f4_sector s;
	if (r != R_FLASH || !f4_sector_at(t, off, &s) || !f4_sector_pcrop(t, s.num))
		return false;
	f4_set_error(t, F4_SR_RDERR);
	return true;
}

tw_status tw_f4_read(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val)
{
	*val = 0;
	tw_status st = f4_gate(t, who, addr, size);
	if (st != TW_OK)
		return st;
	uint32_t off;
	f4_region r = f4_region_of(t, addr, &off);
	if (r == R_NONE)
		return TW_BUS_ERROR;
	if (f4_flash_stalls(t, r, off))
		return TW_STALL;
	if ((r == R_FLASH || r == R_BKP || r == R_OTP) && f4_restricted(t, who))
		return TW_BUS_ERROR;
	/* The unique ID and flash-size words (0x1FFF7A10-0x1FFF7A2F) are refused to a debugger at
	 * level 1, as users' logs of three tools on locked F4 parts show (OpenOCD: sticky error at
	 * 0x1FFF7A22 and "flash size failed, probe inaccurate"; st-info: "flash: 0"; ST-LINK
	 * Utility: "Device flash Size: Unknown"); RM0090 Table 18 does not list the area (issue
	 * #20 item 2). UNCONFIRMED: code running from RAM or the ROM bootloader (the twin lets it
	 * read them), and the rest of system memory and the option bytes at 0x1FFFC000 (left
	 * readable: no log shows them refused). */
	if (r == R_SYSINFO && who == TW_INIT_DEBUG && f4_restricted(t, who))
		return TW_BUS_ERROR;
	if (f4_pcrop_read(t, r, off))
		return TW_OK;
	if (r == R_FLASHREG)
		return f4_reg_read(t, addr, size, val);
	for (unsigned i = 0; i < size; i++)
		*val |= (uint32_t)f4_byte(t, r, off + i, addr + i) << (8 * i);
	return TW_OK;
}

static void f4_scs_write(tw_f4 *t, uint32_t addr, unsigned size, uint32_t val)
{
	if (size != 4 || addr == F4_SCS_CPUID)
		return;
	if (addr == F4_SCS_AIRCR) {
		if ((val >> 16) != 0x05FAU)
			return; /* ARMv7-M §B3.2.6: writes without VECTKEY are ignored */
		t->scs[(addr - F4_SCS_BASE) / 4] = val & 0x700U;
		if (val & (1U << 2))
			tw_f4_reset(t, TW_RESET_SYSTEM); /* SYSRESETREQ */
		return;
	}
	if (addr == F4_SCS_DHCSR && (val >> 16) != 0xA05FU)
		return; /* ARMv7-M §C1.6.2: DBGKEY required */
	t->scs[(addr - F4_SCS_BASE) / 4] = addr == F4_SCS_DHCSR ? (val & 0xFFFFU) : val;
}

static void f4_dbgmcu_write(tw_f4 *t, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t *reg = (addr & ~3U) == F4_DBGMCU_CR	 ? &t->dbgmcu_cr
			: (addr & ~3U) == F4_DBGMCU_APB1FZ ? &t->dbgmcu_apb1fz
			: (addr & ~3U) == F4_DBGMCU_APB2FZ ? &t->dbgmcu_apb2fz
							   : NULL; /* IDCODE is read-only */
	if (!reg)
		return;
	unsigned shift = 8 * (addr & 3U);
	uint32_t mask = (size == 4 ? 0xFFFFFFFFU : ((1U << (8 * size)) - 1U)) << shift;
	*reg = (*reg & ~mask) | ((val << shift) & mask);
}

tw_status tw_f4_write(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	tw_status st = f4_gate(t, who, addr, size);
	if (st != TW_OK)
		return st;
	uint32_t off;
	f4_region r = f4_region_of(t, addr, &off);
	t->dirty = true;
	switch (r) {
	case R_NONE: return TW_BUS_ERROR;
	case R_FLASH: case R_SYSMEM: case R_OTP: case R_SYSINFO: case R_OB1: case R_OB2:
		return f4_flash_program(t, who, addr < 0x00100000U ? F4_FLASH_BASE + off : addr,
					size, val);
	case R_FLASHREG: return f4_reg_write(t, who, addr, size, val);
	case R_DBGMCU: f4_dbgmcu_write(t, addr, size, val); return TW_OK;
	case R_SCS: f4_scs_write(t, addr, size, val); return TW_OK;
	case R_BKP:
		/* Table 18: no access at level 1 from debug/RAM/bootloader (UNCONFIRMED: writes
		 * are ignored rather than faulted; only reads are documented as bus errors). */
		if (f4_restricted(t, who))
			return TW_OK;
		for (unsigned i = 0; i < size; i++)
			t->bkpsram[off + i] = (uint8_t)(val >> (8 * i));
		return TW_OK;
	case R_SRAM:
		for (unsigned i = 0; i < size; i++)
			t->sram[off + i] = (uint8_t)(val >> (8 * i));
		return TW_OK;
	}
	return TW_BUS_ERROR;
}

/* The AHB holds a stalled master until the flash is done: advance to the end and retry. */
tw_status tw_f4_read_wait(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val)
{
	tw_status st = tw_f4_read(t, who, addr, size, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_f4_advance(t, tw_f4_busy_until_ns(t) - t->now_ns);
		st = tw_f4_read(t, who, addr, size, val);
	}
	return st;
}

tw_status tw_f4_write_wait(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	tw_status st = tw_f4_write(t, who, addr, size, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_f4_advance(t, tw_f4_busy_until_ns(t) - t->now_ns);
		st = tw_f4_write(t, who, addr, size, val);
	}
	return st;
}

/* ---- life cycle ---- */

static void f4_factory_uid(tw_f4 *t)
{
	/* RM0090 §39.1: X/Y wafer coordinates, wafer number, lot number (ASCII). */
	static const uint8_t uid[12] = {0x2F, 0x00, 0x3C, 0x00, 0x0F, 0x47, 0x32, 0x33,
					'T', 'W', 'I', 'N'};
	memcpy(t->uid, uid, sizeof uid);
	t->uid[0] = (uint8_t)(t->uid[0] ^ (t->v->dev_id & 0xFF));
}

tw_f4 *tw_f4_new(const tw_f4_variant *v)
{
	if (!v)
		return NULL;
	tw_f4 *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->sf = (tw_statefile)TW_STATEFILE_INIT;
	t->v = v;
	t->flash = malloc(tw_f4_variant_flash_bytes(v));
	t->sram = calloc(1, v->sram_kib * 1024U);
	if (!t->flash || !t->sram) {
		tw_f4_free(t);
		return NULL;
	}
	memset(t->flash, 0xFF, tw_f4_variant_flash_bytes(v));
	memset(t->otp, 0xFF, sizeof t->otp);
	f4_factory_uid(t);
	t->ob[0] = F4_OPTCR_DEFAULT & ~3U;
	t->ob[1] = (v->features & F4_FEAT_OPTCR1) ? F4_OPTCR1_DEFAULT : 0;
	t->powered = true;
	t->voltage_mv = 3300;
	t->hw_wdg_aborts = true;
	tw_f4_reset(t, TW_RESET_POWER_ON);
	return t;
}

void tw_f4_free(tw_f4 *t)
{
	if (!t)
		return;
	tw_sf_release(&t->sf); /* releases the lock without saving */
	free(t->flash);
	free(t->sram);
	free(t);
}

const tw_f4_variant *tw_f4_variant_of(const tw_f4 *t)
{
	return t->v;
}

/* ---- time ---- */

uint64_t tw_f4_now_ns(const tw_f4 *t)
{
	return t->now_ns;
}

bool tw_f4_busy(const tw_f4 *t)
{
	return t->op.kind != F4_OP_NONE;
}

uint64_t tw_f4_busy_until_ns(const tw_f4 *t)
{
	return t->op.kind != F4_OP_NONE ? t->op.end_ns : t->now_ns;
}

void tw_f4_set_timing_max(tw_f4 *t, bool max)
{
	t->timing_max = max;
}

static void f4_power_cut(tw_f4 *t)
{
	if (t->op.kind != F4_OP_NONE)
		f4_op_cut(t);
	f4_weak_expire(t, true); /* weakly written cells do not survive a power cycle */
	t->powered = false;
	t->fault_ns = 0;
	t->fault_op = 0;
	t->dirty = true;
}

/* The next event due by target: 1 = operation ends, 2 = power cut, 3 = watchdog reset. */
static int f4_next_event(const tw_f4 *t, uint64_t target, uint64_t *when)
{
	int ev = 0;
	*when = UINT64_MAX;
	if (t->op.kind != F4_OP_NONE && t->op.end_ns <= target) {
		*when = t->op.end_ns;
		ev = 1;
	}
	if (t->powered && t->fault_ns && t->fault_ns <= target && t->fault_ns < *when) {
		*when = t->fault_ns;
		ev = 2;
	}
	if (t->powered && t->wdg_ns && t->wdg_ns <= target && t->wdg_ns < *when) {
		*when = t->wdg_ns;
		ev = 3;
	}
	return ev;
}

/* RM0090 §38.16.4 (DBGMCU_APB1_FZ, bit 12 DBG_IWDG_STOP) and §21.3.3 (IWDG): with the bit set,
 * "the watchdog counter stops when the core is halted" (OpenOCD's stm32f4x.cfg sets it at
 * examine-end). The register is reset by a power-on reset only (cleared in tw_f4_reset). */
static bool f4_iwdg_frozen(const tw_f4 *t)
{
	return (t->dbgmcu_apb1fz & F4_DBGMCU_DBG_IWDG_STOP) &&
	       tw_f4_core_state(t) == TW_CORE_HALTED;
}

void tw_f4_advance(tw_f4 *t, uint64_t ns)
{
	uint64_t target = t->now_ns + ns < t->now_ns ? UINT64_MAX : t->now_ns + ns;
	uint64_t when;
	/* a frozen IWDG does not count: its expiry moves on with the clock (the halt state does
	 * not change within one advance: only a debugger write or a reset changes it) */
	if (t->wdg_ns && f4_iwdg_frozen(t))
		t->wdg_ns = t->wdg_ns + ns < t->wdg_ns ? UINT64_MAX : t->wdg_ns + ns;
	for (int ev; (ev = f4_next_event(t, target, &when)) != 0;) {
		if (when > t->now_ns)
			t->now_ns = when;
		if (ev == 1) {
			f4_op_finish(t);
		} else if (ev == 2) {
			f4_power_cut(t);
		} else {
			t->wdg_ns = 0;
			tw_f4_reset(t, TW_RESET_SYSTEM);
		}
	}
	if (target > t->now_ns)
		t->now_ns = target;
	f4_weak_expire(t, false);
	t->dirty = true;
}

/* Called when a flash operation has been set up: counts it and arms an "at the Nth operation"
 * power cut halfway through it. */
void f4_count_op(tw_f4 *t)
{
	t->ops++;
	if (t->fault_op && t->ops >= t->fault_op) {
		t->fault_op = 0;
		t->fault_ns = t->op.start_ns + (t->op.end_ns - t->op.start_ns) / 2;
		if (t->fault_ns <= t->now_ns)
			t->fault_ns = t->now_ns + 1;
	}
}

/* ---- pins, resets, power ---- */

void tw_f4_reset(tw_f4 *t, tw_reset kind)
{
	t->resets++;
	if (t->op.kind != F4_OP_NONE)
		f4_op_cut(t); /* RM0090 §3.6: contents not guaranteed if reset during an operation */
	if (kind == TW_RESET_POWER_ON) {
		f4_weak_expire(t, true);
		t->intrusion = false; /* RM0090 §3.7.3: only a POR clears the detected intrusion */
		memset(t->scs, 0, sizeof t->scs);
		t->dbgmcu_cr = t->dbgmcu_apb1fz = t->dbgmcu_apb2fz = 0;
	}
	/* ARMv7-M §C1.6.3: the core runs after reset unless DEMCR.VC_CORERESET catches it */
	uint32_t *dhcsr = &t->scs[(F4_SCS_DHCSR - F4_SCS_BASE) / 4];
	if ((t->scs[(F4_SCS_DEMCR - F4_SCS_BASE) / 4] & 1U) && (*dhcsr & 1U))
		*dhcsr |= 2U;
	else
		*dhcsr &= ~2U;
	f4_flash_reset(t);
	t->rdp_eff = (uint8_t)(t->ob[0] >> 8);
	/* RM0090 §3.7.3: level 2 disables boot from RAM and from the system bootloader */
	t->boot_eff = f4_rdp_level(t->rdp_eff) == 2 ? TW_BOOT_FLASH : t->boot_pins;
	t->dirty = true;
}

void tw_f4_set_boot(tw_f4 *t, tw_boot boot)
{
	t->boot_pins = boot;
	t->dirty = true;
}

tw_boot tw_f4_boot(const tw_f4 *t)
{
	return t->boot_pins;
}

void tw_f4_set_nrst(tw_f4 *t, bool asserted)
{
	bool was = t->nrst;
	t->nrst = asserted;
	if (was && !asserted && t->powered)
		tw_f4_reset(t, TW_RESET_SYSTEM);
	t->dirty = true;
}

bool tw_f4_nrst(const tw_f4 *t)
{
	return t->nrst;
}

unsigned tw_f4_reset_count(const tw_f4 *t)
{
	return t->resets;
}

bool tw_f4_powered(const tw_f4 *t)
{
	return t->powered;
}

bool tw_f4_debug_reachable(const tw_f4 *t)
{
	if (!t->powered || f4_rdp_level(t->rdp_eff) == 2)
		return false;
	/* Firmware that repurposes PA13/PA14 has not run while NRST is held or while the core
	 * is halted (e.g. caught at the reset vector after connect-under-reset). */
	bool halted = (t->scs[(F4_SCS_DHCSR - F4_SCS_BASE) / 4] & 3U) == 3U;
	return !t->swd_repurposed || t->nrst || halted;
}

tw_core_state tw_f4_core_state(const tw_f4 *t)
{
	if (!t->powered)
		return TW_CORE_OFF;
	if (t->nrst)
		return TW_CORE_IN_RESET;
	uint32_t dhcsr = t->scs[(F4_SCS_DHCSR - F4_SCS_BASE) / 4];
	return (dhcsr & 3U) == 3U ? TW_CORE_HALTED : TW_CORE_RUNNING;
}

const char *tw_core_state_name(tw_core_state s)
{
	switch (s) {
	case TW_CORE_OFF: return "off";
	case TW_CORE_IN_RESET: return "in-reset";
	case TW_CORE_HALTED: return "halted";
	case TW_CORE_RUNNING: return "running";
	}
	return "?";
}

bool tw_f4_halting_debug(const tw_f4 *t)
{
	return (t->scs[(F4_SCS_DHCSR - F4_SCS_BASE) / 4] & 1U) != 0;
}

bool tw_f4_bootloader_available(const tw_f4 *t)
{
	return t->powered && f4_rdp_level(t->rdp_eff) != 2;
}

bool tw_f4_intrusion(const tw_f4 *t)
{
	return t->intrusion;
}

void tw_f4_debug_attach(tw_f4 *t)
{
	if (tw_f4_debug_reachable(t))
		t->intrusion = true;
	t->dirty = true;
}

void tw_f4_set_swd_repurposed(tw_f4 *t, bool repurposed)
{
	t->swd_repurposed = repurposed;
	t->dirty = true;
}

bool tw_f4_swd_repurposed(const tw_f4 *t)
{
	return t->swd_repurposed;
}

/* Below the 1.7 V minimum supply (DS8626 §6.3.1, PDR threshold) the chip is off; coming back
 * above it is a power-on reset. */
void tw_f4_set_voltage_mv(tw_f4 *t, unsigned mv)
{
	bool was_off = t->voltage_mv < 1700;
	t->voltage_mv = mv;
	if (mv < 1700 && t->powered)
		tw_f4_power_off(t);
	else if (mv >= 1700 && was_off && !t->powered)
		tw_f4_power_on(t);
	t->dirty = true;
}

void tw_f4_set_strict_keys(tw_f4 *t, bool strict)
{
	t->lenient_keys = !strict;
	t->dirty = true;
}

void tw_f4_set_vpp(tw_f4 *t, bool applied)
{
	t->vpp = applied;
	t->dirty = true;
}

/* Fault injection: FLASH_SR.BSY held set with no operation running, the state issue 13 class 16
 * found in a state file (a wedged controller). A reset clears it: FLASH_SR resets to 0
 * (RM0090 §3.9.5), as f4_flash_reset does. */
void tw_f4_set_stuck_bsy(tw_f4 *t, bool on)
{
	t->sr = on ? (t->sr | F4_SR_BSY) : (t->sr & ~F4_SR_BSY);
	t->dirty = true;
}

int tw_f4_voltage_mv(const tw_f4 *t)
{
	return t->powered ? (int)t->voltage_mv : 0;
}

void tw_f4_set_hw_watchdog_aborts(tw_f4 *t, bool aborts)
{
	t->hw_wdg_aborts = aborts;
	t->dirty = true;
}

/* ---- faults ---- */

void tw_f4_fault_power_at_ns(tw_f4 *t, uint64_t ns)
{
	t->fault_ns = ns;
	t->dirty = true;
}

void tw_f4_fault_power_at_op(tw_f4 *t, unsigned nth_op)
{
	t->fault_op = nth_op ? t->ops + nth_op : 0;
	t->dirty = true;
}

void tw_f4_power_off(tw_f4 *t)
{
	f4_power_cut(t);
}

void tw_f4_power_on(tw_f4 *t)
{
	if (t->voltage_mv < 1700)
		t->voltage_mv = 3300;
	t->powered = true;
	tw_f4_reset(t, TW_RESET_POWER_ON);
}

/* ---- inspection ---- */

uint8_t tw_f4_peek(const tw_f4 *t, uint32_t addr)
{
	uint32_t off;
	f4_region r = f4_region_of(t, addr, &off);
	return f4_byte(t, r, off, addr);
}

void tw_f4_poke(tw_f4 *t, uint32_t addr, uint8_t val)
{
	uint32_t off;
	switch (f4_region_of(t, addr, &off)) {
	case R_FLASH: t->flash[off] = val; break;
	case R_OTP: t->otp[off] = val; break;
	case R_SRAM: t->sram[off] = val; break;
	case R_BKP: t->bkpsram[off] = val; break;
	case R_SYSINFO: if (off < 12) t->uid[off] = val; break;
	default: return;
	}
	t->dirty = true;
}

uint32_t tw_f4_option_word(const tw_f4 *t, unsigned bank)
{
	return bank < 2 ? t->ob[bank] : 0;
}

void tw_f4_set_option_word(tw_f4 *t, unsigned bank, uint32_t v)
{
	if (bank == 0) {
		/* masked as on reload (options.c): reserved bits never enter the stored options */
		t->ob[0] = v & t->v->optcr_mask;
		t->optcr = t->ob[0] | (t->optcr & F4_OPTCR_OPTLOCK);
		t->rdp_eff = (uint8_t)(v >> 8);
		t->boot_eff = f4_rdp_level(t->rdp_eff) == 2 ? TW_BOOT_FLASH : t->boot_pins;
	} else if (bank == 1 && (t->v->features & F4_FEAT_OPTCR1)) {
		t->ob[1] = v & 0x0FFF0000U;
		t->optcr1 = t->ob[1];
	}
	t->dirty = true;
}

unsigned tw_f4_flash_ops(const tw_f4 *t)
{
	return t->ops;
}
