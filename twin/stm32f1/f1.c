/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 twin: life cycle, the memory map and the bus (tw_f1_read/tw_f1_write), resets,
 * power and the virtual clock. The FPEC registers, programming and erase are in flash.c, the
 * option bytes and the protection rules in options.c, the state image in state.c.
 *
 * Sources: RM0008 Rev 21 §3.3.3 Table 5 (F1 memory map), §3.4 (boot configuration: the boot
 * alias at 0x00000000), §30.1-30.2 (flash size register 0x1FFFF7E0, unique ID 0x1FFFF7E8),
 * §31.6.1 (DBGMCU_IDCODE 0xE0042000); RM0091 §2.2.2 and §2.5 (F0 memory map, boot), §33.1-33.2
 * (UID 0x1FFFF7AC, flash size 0x1FFFF7CC), §40.4.1 (DBGMCU at 0x40015800); RM0316 §3.3 and
 * §33.6.1 (F3); PM0075 §2.4.1 (read protection: flash out of reach of the debugger, of code
 * booted from SRAM and of the system bootloader; "if the read protection is set while the
 * debugger is still connected, apply a power-on reset"); ARMv7-M ARM §B3.2.3 (CPUID),
 * §B3.2.6 (AIRCR.SYSRESETREQ), §C1.6.2 (DHCSR); stm32-fpec.md §1, §4, §6. */
#include <stdlib.h>
#include <string.h>

#include "stm32f1/f1_int.h"

typedef enum f1_region {
	R_NONE = 0, R_FLASH, R_SYSMEM, R_OB, R_SRAM, R_FLASHREG, R_DBGMCU, R_SCS
} f1_region;

#define F1_ALIAS_END 0x00080000U /* the boot alias covers the largest flash (512 KiB) */
#define F1_SYSMEM_END 0x1FFFF800U /* system memory and the info block end at the options */

static bool in(uint32_t addr, uint32_t base, uint32_t size)
{
	return addr >= base && addr - base < size;
}

static uint32_t f1_dbgmcu_base(const tw_f1 *t)
{
	return tw_f1_variant_idcode_addr(t->v);
}

/* RM0008 §3.4 / RM0091 §2.5: the boot pins latched at reset decide what 0x00000000 aliases. */
static f1_region f1_region_of(const tw_f1 *t, uint32_t addr, uint32_t *off)
{
	if (addr < F1_ALIAS_END) {
		uint32_t base = t->boot_eff == TW_BOOT_SYSMEM ? t->v->sysmem_base
				: t->boot_eff == TW_BOOT_SRAM  ? F1_SRAM_BASE
							       : F1_FLASH_BASE;
		return f1_region_of(t, base + addr, off);
	}
	static const struct { uint32_t base, size; f1_region r; } fixed[] = {
		{F1_OB_BASE, F1_OB_SIZE, R_OB}, {F1_FLASH_R_BASE, F1_FLASH_R_SIZE, R_FLASHREG},
		{F1_SCS_BASE, F1_SCS_SIZE, R_SCS},
	};
	for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (in(addr, fixed[i].base, fixed[i].size)) {
			*off = addr - fixed[i].base;
			return fixed[i].r;
		}
	struct { uint32_t base, size; f1_region r; } var[] = {
		{F1_FLASH_BASE, tw_f1_variant_flash_bytes(t->v), R_FLASH},
		{t->v->sysmem_base, F1_SYSMEM_END - t->v->sysmem_base, R_SYSMEM},
		{F1_SRAM_BASE, tw_f1_variant_sram_bytes(t->v), R_SRAM},
		{f1_dbgmcu_base(t), 0x10U, R_DBGMCU},
	};
	for (unsigned i = 0; i < sizeof var / sizeof var[0]; i++)
		if (in(addr, var[i].base, var[i].size)) {
			*off = addr - var[i].base;
			return var[i].r;
		}
	return R_NONE;
}

/* System memory holds ST's ROM, which the twin cannot reproduce: a fixed pattern stands in for
 * it, except the device signature (flash size in KiB, unique ID) at the manual's addresses. */
static uint8_t f1_sysmem_byte(const tw_f1 *t, uint32_t addr)
{
	uint32_t fs = t->v->flash_size_addr, uid = t->v->uid_addr;
	if (addr == fs || addr == fs + 1)
		return (uint8_t)(t->v->flash_kib >> (8 * (addr - fs)));
	if (in(addr, uid, 12))
		return t->uid[addr - uid];
	if (addr >= 0x1FFFF7A0U)
		return 0xFF; /* the rest of the info block: UNCONFIRMED, read as erased */
	return (uint8_t)((addr * 2654435761U) >> 24);
}

static uint32_t f1_scs_read(const tw_f1 *t, uint32_t addr)
{
	if (addr == F1_SCS_CPUID)
		return t->v->cpuid;
	uint32_t v = t->scs[(addr - F1_SCS_BASE) / 4];
	if (addr == F1_SCS_AIRCR)
		return 0xFA050000U | (v & 0x700U);
	if (addr == F1_SCS_DHCSR) /* S_REGRDY always; S_HALT mirrors C_HALT while C_DEBUGEN */
		return (v & 0xFU) | (1U << 16) | ((v & 3U) == 3U ? (1U << 17) : 0U);
	return v;
}

static uint32_t f1_word(const tw_f1 *t, f1_region r, uint32_t off, uint32_t addr)
{
	switch (r) {
	case R_FLASHREG: return tw_f1_reg(t, addr & ~3U);
	case R_DBGMCU:
		if ((off & ~3U) == 0)
			return ((uint32_t)t->v->rev_id << 16) | t->v->dev_id;
		return t->dbgmcu[(off & ~3U) / 4];
	case R_SCS: return f1_scs_read(t, addr & ~3U);
	default: return 0;
	}
}

static uint8_t f1_byte(const tw_f1 *t, f1_region r, uint32_t off, uint32_t addr)
{
	switch (r) {
	case R_FLASH: return t->flash[off];
	case R_SYSMEM: return f1_sysmem_byte(t, t->v->sysmem_base + off);
	case R_OB: return t->ob[off];
	case R_SRAM: return t->sram[off];
	case R_NONE: return 0;
	default: return (uint8_t)(f1_word(t, r, off, addr) >> (8 * (addr & 3U)));
	}
}

/* PM0075 §2.4.1, RM0091 §3.3.1 Table 10: at level 1 the main flash is out of reach "in debug
 * mode, when booting from SRAM or from the system memory"; user code booted from flash keeps
 * full access. The debugger's connection counts until a power-on reset. */
bool f1_restricted(const tw_f1 *t, tw_initiator who)
{
	if (f1_rdp_level(t, t->rdp_eff) == 0)
		return false;
	return who != TW_INIT_USER || t->intrusion || t->boot_eff != TW_BOOT_FLASH;
}

static tw_status f1_gate(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size)
{
	if (!t->powered)
		return TW_POWER_OFF;
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1U)))
		return TW_BUS_ERROR;
	if (who == TW_INIT_DEBUG) {
		if (!tw_f1_debug_reachable(t))
			return TW_BUS_ERROR;
		if (!t->intrusion)
			t->dirty = true;
		t->intrusion = true;
	}
	if (who == TW_INIT_BOOTLOADER && !tw_f1_bootloader_available(t))
		return TW_BUS_ERROR;
	return TW_OK;
}

/* PM0075 §2.3.2 / RM0091 §3.2.2: "any attempt to read the Flash memory while it is being
 * written or erased causes the bus to stall"; the option bytes are flash too. */
static bool f1_stalls(const tw_f1 *t, f1_region r)
{
	return t->op.kind != F1_OP_NONE && (r == R_FLASH || r == R_OB);
}

tw_status tw_f1_read(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val)
{
	*val = 0;
	tw_status st = f1_gate(t, who, addr, size);
	if (st != TW_OK)
		return st;
	uint32_t off;
	f1_region r = f1_region_of(t, addr, &off);
	if (r == R_NONE)
		return TW_BUS_ERROR;
	if (f1_stalls(t, r))
		return TW_STALL;
	/* RM0091 §3.3.1: "even a simple read access generates a bus error"; PM0075 does not
	 * say how the F1 refuses (UNCONFIRMED: a bus error, which debuggers report as a failed
	 * read, stm32-fpec.md §4) */
	if (r == R_FLASH && f1_restricted(t, who))
		return TW_BUS_ERROR;
	if (r == R_FLASHREG)
		return f1_reg_read(t, addr, size, val);
	for (unsigned i = 0; i < size; i++)
		*val |= (uint32_t)f1_byte(t, r, off + i, addr + i) << (8 * i);
	return TW_OK;
}

static void f1_scs_write(tw_f1 *t, uint32_t addr, unsigned size, uint32_t val)
{
	if (size != 4 || addr == F1_SCS_CPUID)
		return;
	if (addr == F1_SCS_AIRCR) {
		if ((val >> 16) != 0x05FAU)
			return; /* ARMv7-M §B3.2.6: writes without VECTKEY are ignored */
		t->scs[(addr - F1_SCS_BASE) / 4] = val & 0x700U;
		if (val & (1U << 2))
			tw_f1_reset(t, TW_RESET_SYSTEM); /* SYSRESETREQ */
		return;
	}
	if (addr == F1_SCS_DHCSR && (val >> 16) != 0xA05FU)
		return; /* ARMv7-M §C1.6.2: DBGKEY required */
	t->scs[(addr - F1_SCS_BASE) / 4] = addr == F1_SCS_DHCSR ? (val & 0xFFFFU) : val;
}

static void f1_dbgmcu_write(tw_f1 *t, uint32_t off, unsigned size, uint32_t val)
{
	unsigned idx = (off & ~3U) / 4;
	if (idx == 0)
		return; /* IDCODE is read-only */
	unsigned shift = 8 * (off & 3U);
	uint32_t mask = (size == 4 ? 0xFFFFFFFFU : ((1U << (8 * size)) - 1U)) << shift;
	t->dbgmcu[idx] = (t->dbgmcu[idx] & ~mask) | ((val << shift) & mask);
}

tw_status tw_f1_write(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	tw_status st = f1_gate(t, who, addr, size);
	if (st != TW_OK)
		return st;
	uint32_t off;
	f1_region r = f1_region_of(t, addr, &off);
	t->dirty = true;
	switch (r) {
	case R_FLASH: return f1_flash_write(t, who, off, size, val);
	case R_OB: return f1_options_write(t, who, off, size, val);
	case R_FLASHREG: return f1_reg_write(t, who, addr, size, val);
	case R_DBGMCU: f1_dbgmcu_write(t, off, size, val); return TW_OK;
	case R_SCS: f1_scs_write(t, addr, size, val); return TW_OK;
	case R_SRAM:
		for (unsigned i = 0; i < size; i++)
			t->sram[off + i] = (uint8_t)(val >> (8 * i));
		return TW_OK;
	case R_SYSMEM: /* ROM: UNCONFIRMED, a write is answered with a bus error */
	case R_NONE: return TW_BUS_ERROR;
	}
	return TW_BUS_ERROR;
}

tw_status tw_f1_read_wait(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val)
{
	tw_status st = tw_f1_read(t, who, addr, size, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_f1_advance(t, tw_f1_busy_until_ns(t) - t->now_ns);
		st = tw_f1_read(t, who, addr, size, val);
	}
	return st;
}

tw_status tw_f1_write_wait(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size,
			   uint32_t val)
{
	tw_status st = tw_f1_write(t, who, addr, size, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_f1_advance(t, tw_f1_busy_until_ns(t) - t->now_ns);
		st = tw_f1_write(t, who, addr, size, val);
	}
	return st;
}

/* ---- life cycle ---- */

static void f1_factory_uid(tw_f1 *t)
{
	/* RM0008 §30.2: 96 bits; the content is lot/wafer data, any value will do */
	static const uint8_t uid[12] = {0x37, 0xFF, 0xD8, 0x05, 0x42, 0x47, 0x30, 0x38,
					'F', 'P', 'E', 'C'};
	memcpy(t->uid, uid, sizeof uid);
	t->uid[0] = (uint8_t)(t->uid[0] ^ (t->v->dev_id & 0xFF));
}

tw_f1 *tw_f1_new(const tw_f1_variant *v)
{
	if (!v)
		return NULL;
	tw_f1 *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->v = v;
	t->flash = malloc(tw_f1_variant_flash_bytes(v));
	t->sram = calloc(1, tw_f1_variant_sram_bytes(v));
	if (!t->flash || !t->sram) {
		tw_f1_free(t);
		return NULL;
	}
	memset(t->flash, 0xFF, tw_f1_variant_flash_bytes(v));
	f1_factory_uid(t);
	t->powered = true;
	/* ST ships level 0 with valid complements and nothing protected (PM0075 §2.5 Table 4:
	 * "default" column; RM0091 §3.3 Table 11) */
	uint8_t rdp = v->family == TW_F1_FAMILY_F1 ? F1_RDP_L0_F1 : F1_RDP_L0_F03;
	tw_f1_set_options(t, rdp, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
	tw_f1_reset(t, TW_RESET_POWER_ON);
	t->dirty = false;
	return t;
}

void tw_f1_free(tw_f1 *t)
{
	if (!t)
		return;
	free(t->flash);
	free(t->sram);
	free(t);
}

const tw_f1_variant *tw_f1_variant_of(const tw_f1 *t)
{
	return t->v;
}

/* ---- time ---- */

uint64_t tw_f1_now_ns(const tw_f1 *t) { return t->now_ns; }
bool tw_f1_busy(const tw_f1 *t) { return t->op.kind != F1_OP_NONE; }

uint64_t tw_f1_busy_until_ns(const tw_f1 *t)
{
	return t->op.kind != F1_OP_NONE ? t->op.end_ns : t->now_ns;
}

void tw_f1_set_timing_max(tw_f1 *t, bool max)
{
	t->timing_max = max;
	t->dirty = true;
}

uint64_t f1_time(const tw_f1 *t, const uint32_t pair[2])
{
	return pair[t->timing_max ? 1 : 0];
}

uint64_t tw_f1_prog_ns(const tw_f1 *t) { return f1_time(t, t->v->prog_ns); }
uint64_t tw_f1_page_erase_ns(const tw_f1 *t) { return f1_time(t, t->v->erase_ns); }
uint64_t tw_f1_mass_erase_ns(const tw_f1 *t) { return f1_time(t, t->v->mass_ns); }

/* Sets up the operation in t->op (kind and its fields filled by the caller before): counts it
 * and arms an "at the Nth operation" power cut halfway through. */
void f1_start_op(tw_f1 *t, f1_op_kind kind, uint64_t ns)
{
	t->op.kind = kind;
	t->op.start_ns = t->now_ns;
	t->op.end_ns = t->now_ns + (ns ? ns : 1);
	t->ops++;
	if (t->fault_op && t->ops >= t->fault_op) {
		t->fault_op = 0;
		t->fault_ns = t->op.start_ns + (t->op.end_ns - t->op.start_ns) / 2;
		if (t->fault_ns <= t->now_ns)
			t->fault_ns = t->now_ns + 1;
	}
}

static void f1_power_cut(tw_f1 *t)
{
	if (t->op.kind != F1_OP_NONE)
		f1_op_cut(t);
	t->powered = false;
	t->fault_ns = 0;
	t->fault_op = 0;
	t->dirty = true;
}

void tw_f1_advance(tw_f1 *t, uint64_t ns)
{
	uint64_t target = t->now_ns + ns < t->now_ns ? UINT64_MAX : t->now_ns + ns;
	for (;;) {
		bool op = t->op.kind != F1_OP_NONE && t->op.end_ns <= target;
		bool cut = t->powered && t->fault_ns && t->fault_ns <= target;
		if (!op && !cut)
			break;
		if (cut && (!op || t->fault_ns < t->op.end_ns)) {
			if (t->fault_ns > t->now_ns)
				t->now_ns = t->fault_ns;
			f1_power_cut(t);
		} else {
			if (t->op.end_ns > t->now_ns)
				t->now_ns = t->op.end_ns;
			f1_op_finish(t);
		}
	}
	if (target > t->now_ns)
		t->now_ns = target;
	t->dirty = true;
}

/* ---- pins, resets, power ---- */

/* PM0075 §2.5: the F1 loads its option bytes at every system reset. RM0091 §3.3 and
 * RM0316 §4.4: the F0/F3 load them after a power-on reset or on FLASH_CR.OBL_LAUNCH only, so
 * an NRST or SYSRESETREQ reset leaves the loaded values alone (stm32flash's F_OBLL and
 * OpenOCD's "options_load" exist for this). */
static void f1_reset_core(tw_f1 *t, tw_reset kind, bool load_options)
{
	t->resets++;
	if (t->op.kind != F1_OP_NONE)
		f1_op_cut(t); /* PM0075 §2.3: contents not guaranteed if reset during an operation */
	if (kind == TW_RESET_POWER_ON) {
		t->intrusion = false; /* PM0075 §2.4.1: only a POR forgets the debugger */
		memset(t->scs, 0, sizeof t->scs);
		memset(t->dbgmcu, 0, sizeof t->dbgmcu);
	}
	uint32_t *dhcsr = &t->scs[(F1_SCS_DHCSR - F1_SCS_BASE) / 4];
	if ((t->scs[(F1_SCS_DEMCR - F1_SCS_BASE) / 4] & 1U) && (*dhcsr & 1U))
		*dhcsr |= 2U; /* ARMv7-M §C1.6.3: VC_CORERESET catches the core at the vector */
	else
		*dhcsr &= ~2U;
	f1_flash_reset(t);
	if (load_options || kind == TW_RESET_POWER_ON || t->v->family == TW_F1_FAMILY_F1)
		f1_options_load(t);
	/* RM0091 §3.3.1: level 2 disables boot from RAM and from the system memory */
	t->boot_eff = f1_rdp_level(t, t->rdp_eff) == 2 ? TW_BOOT_FLASH : t->boot_pins;
	t->dirty = true;
}

void tw_f1_reset(tw_f1 *t, tw_reset kind)
{
	f1_reset_core(t, kind, false);
}

/* RM0091 §3.5.5 / RM0316 §4.5.5 OBL_LAUNCH: "forces the option byte reloading. This
 * operation generates a system reset." */
void f1_obl_launch(tw_f1 *t)
{
	f1_reset_core(t, TW_RESET_SYSTEM, true);
}

unsigned tw_f1_reset_count(const tw_f1 *t) { return t->resets; }

void tw_f1_set_boot(tw_f1 *t, tw_boot boot)
{
	t->boot_pins = boot;
	t->dirty = true;
}

tw_boot tw_f1_boot(const tw_f1 *t) { return t->boot_pins; }

void tw_f1_set_nrst(tw_f1 *t, bool asserted)
{
	bool was = t->nrst;
	t->nrst = asserted;
	if (was && !asserted && t->powered)
		tw_f1_reset(t, TW_RESET_SYSTEM);
	t->dirty = true;
}

bool tw_f1_nrst(const tw_f1 *t) { return t->nrst; }
bool tw_f1_powered(const tw_f1 *t) { return t->powered; }

/* RM0091 §3.3.1 / RM0316 §4.3.1: level 2 disables JTAG/SWD and the bootloader for good. */
bool tw_f1_debug_reachable(const tw_f1 *t)
{
	return t->powered && f1_rdp_level(t, t->rdp_eff) != 2;
}

bool tw_f1_bootloader_available(const tw_f1 *t)
{
	return t->powered && f1_rdp_level(t, t->rdp_eff) != 2;
}

bool tw_f1_intrusion(const tw_f1 *t) { return t->intrusion; }

void tw_f1_debug_attach(tw_f1 *t)
{
	if (tw_f1_debug_reachable(t))
		t->intrusion = true;
	t->dirty = true;
}

tw_core_state tw_f1_core_state(const tw_f1 *t)
{
	if (!t->powered)
		return TW_CORE_OFF;
	if (t->nrst)
		return TW_CORE_IN_RESET;
	uint32_t dhcsr = t->scs[(F1_SCS_DHCSR - F1_SCS_BASE) / 4];
	return (dhcsr & 3U) == 3U ? TW_CORE_HALTED : TW_CORE_RUNNING;
}

bool tw_f1_halting_debug(const tw_f1 *t)
{
	return (t->scs[(F1_SCS_DHCSR - F1_SCS_BASE) / 4] & 1U) != 0;
}

/* ---- faults ---- */

void tw_f1_fault_power_at_ns(tw_f1 *t, uint64_t ns)
{
	t->fault_ns = ns;
	t->dirty = true;
}

void tw_f1_fault_power_at_op(tw_f1 *t, unsigned nth_op)
{
	t->fault_op = nth_op ? t->ops + nth_op : 0;
	t->dirty = true;
}

void tw_f1_power_off(tw_f1 *t)
{
	f1_power_cut(t);
}

void tw_f1_power_on(tw_f1 *t)
{
	t->powered = true;
	tw_f1_reset(t, TW_RESET_POWER_ON);
}

/* ---- inspection ---- */

uint8_t tw_f1_peek(const tw_f1 *t, uint32_t addr)
{
	uint32_t off;
	f1_region r = f1_region_of(t, addr, &off);
	return f1_byte(t, r, off, addr);
}

void tw_f1_poke(tw_f1 *t, uint32_t addr, uint8_t val)
{
	uint32_t off;
	switch (f1_region_of(t, addr, &off)) {
	case R_FLASH: t->flash[off] = val; break;
	case R_SRAM: t->sram[off] = val; break;
	case R_OB: t->ob[off] = val; break;
	case R_SYSMEM:
		if (in(addr, t->v->uid_addr, 12))
			t->uid[addr - t->v->uid_addr] = val;
		break;
	default: return;
	}
	t->dirty = true;
}

unsigned tw_f1_flash_ops(const tw_f1 *t) { return t->ops; }
bool tw_f1_dirty(const tw_f1 *t) { return t->dirty; }
