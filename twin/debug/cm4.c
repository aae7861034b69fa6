/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cortex-M4 debug registers and a core model that halts, resets and locks up; code a debugger
 * resumes in SRAM runs (cm4_exec.c). See cm4.h for the sources; section numbers below are
 * ARMv7-M (DDI 0403E).
 *
 * Simplifications (UNCONFIRMED against silicon, chosen to be conservative):
 * - a "running" core outside SRAM (firmware in flash) never changes its registers; S_RETIRE_ST
 *   reads 1 while running;
 * - lockup is decided from the reset vector alone: a vector fetch error, or a PC outside the
 *   executable code/SRAM regions (§B3.1, XN at 0x40000000 and above), or a first instruction
 *   fetch error locks the core up (§B1.5.15);
 * - sub-word writes to these registers are ignored (debuggers use word accesses). */
#include "debug/cm4.h"

#include <string.h>

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define CPUID 0xE000ED00u
#define AIRCR 0xE000ED0Cu
#define DFSR 0xE000ED30u
#define DHCSR_KEY 0xA05Fu
#define DHCSR_C_DEBUGEN (1u << 0)
#define DHCSR_C_HALT (1u << 1)
#define DHCSR_C_STEP (1u << 2)
#define DHCSR_C_MASK 0x2Fu
#define DHCSR_S_REGRDY (1u << 16)
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_S_LOCKUP (1u << 19)
#define DHCSR_S_RETIRE_ST (1u << 24)
#define DHCSR_S_RESET_ST (1u << 25)
#define DFSR_HALTED 0x1u
#define DFSR_VCATCH 0x8u
#define DEMCR_VC_CORERESET 0x1u
#define DEMCR_RW_MASK 0x010F07F1u /* VC_*, MON_*, TRCENA (§C1.6.5) */
#define AIRCR_VECTKEY 0x05FAu
#define AIRCR_SYSRESETREQ (1u << 2)
#define AIRCR_VECTRESET (1u << 0)
#define REG_PC 15u
#define REG_XPSR 16u
#define REG_MSP 17u
#define REG_SP 13u

/* One component with CoreSight identification registers (§B1 of IHI 0029; probes.md §4.2). */
typedef struct cm4_component {
	uint32_t base;
	uint64_t pidr;
	uint8_t cls;
	uint8_t devtype;
} cm4_component;

static const cm4_component cm4_components[] = {
	{0xE000E000u, 0x04000BB00Cull, 0xE, 0x00}, /* SCS */
	{0xE0001000u, 0x04003BB002ull, 0xE, 0x00}, /* DWT */
	{0xE0002000u, 0x04002BB003ull, 0xE, 0x00}, /* FPB */
	{0xE0000000u, 0x04003BB001ull, 0xE, 0x00}, /* ITM */
	{0xE0040000u, 0x04000BB9A1ull, 0x9, 0x11}, /* TPIU */
	{0xE0041000u, 0x04000BB925ull, 0x9, 0x13}, /* ETM */
	/* ROM table: ST designer (JEP106 0x20), part 0x413. UNCONFIRMED for the F4 (probes.md §4.2). */
	{0xE00FF000u, 0x00000A0413ull, 0x1, 0x00},
};

/* ROM table entries: signed offsets from 0xE00FF000, present, 32-bit format (Cortex-M4 TRM). */
static const uint32_t cm4_rom_entries[] = {0xFFF0F003u, 0xFFF02003u, 0xFFF03003u,
					   0xFFF01003u, 0xFFF41003u, 0xFFF42003u, 0u};

void tw_cm4_init(tw_cm4 *c)
{
	memset(c, 0, sizeof(*c));
	c->fpccr = 0xC0000000u; /* ASPEN | LSPEN reset value (§B3.2.23 of DDI 0403E) */
	c->dwt_ctrl = 0x40000000u; /* NUMCOMP = 4 (Cortex-M4 TRM §8.4) */
	c->regs[REG_XPSR] = 0x01000000u;
	c->retire_st = true; /* CPUID stays the part's (tw_dap_set_ids): a reset does not change it */
}

bool tw_cm4_owns(uint32_t addr)
{
	return (addr >= 0xE0000000u && addr < 0xE0042000u) || addr >= 0xE00FF000u;
}

static const cm4_component *cm4_component_at(uint32_t addr)
{
	for (size_t i = 0; i < sizeof(cm4_components) / sizeof(cm4_components[0]); i++)
		if ((addr & ~0xFFFu) == cm4_components[i].base)
			return &cm4_components[i];
	return NULL;
}

/* PIDR4-7 at 0xFD0.., PIDR0-3 at 0xFE0.., CIDR0-3 at 0xFF0.., DEVTYPE 0xFCC: one byte each. */
static bool cm4_read_id(uint32_t addr, uint32_t *val)
{
	const cm4_component *cp = cm4_component_at(addr);
	uint32_t off = addr & 0xFFFu;
	if (!cp || off < 0xFCCu)
		return false;
	if (off == 0xFCCu && cp->cls == 0x1) /* MEMTYPE: system memory present (ROM table) */
		*val = 1;
	else if (off == 0xFCCu)
		*val = cp->devtype;
	else if (off >= 0xFD0u && off < 0xFE0u)
		*val = off == 0xFD0u ? (uint32_t)(cp->pidr >> 32) & 0xFFu : 0;
	else if (off >= 0xFE0u && off < 0xFF0u)
		*val = (uint32_t)(cp->pidr >> (8 * ((off - 0xFE0u) / 4))) & 0xFFu;
	else if (off >= 0xFF0u) {
		static const uint8_t cidr[4] = {0x0D, 0x00, 0x05, 0xB1};
		unsigned i = (off - 0xFF0u) / 4;
		*val = i == 1 ? (uint32_t)cp->cls << 4 : cidr[i];
	} else
		*val = 0;
	return true;
}

static uint32_t cm4_dhcsr_read(tw_cm4 *c)
{
	bool running = !c->halted && !c->lockup && !c->in_reset;
	uint32_t v = (c->dhcsr_ctrl & DHCSR_C_MASK) | DHCSR_S_REGRDY;
	if (c->halted)
		v |= DHCSR_S_HALT;
	if (c->lockup)
		v |= DHCSR_S_LOCKUP;
	if (c->retire_st || running)
		v |= DHCSR_S_RETIRE_ST;
	if (c->reset_st || c->in_reset)
		v |= DHCSR_S_RESET_ST;
	/* §C1.6.3: S_RETIRE_ST and S_RESET_ST are cleared by a read. */
	c->retire_st = false;
	c->reset_st = false;
	return v;
}

static uint32_t cm4_scs_read(tw_cm4 *c, uint32_t addr)
{
	switch (addr) {
	case CPUID: return c->cpuid;
	case 0xE000ED08u: return c->vtor;
	case AIRCR: return 0xFA050000u | (c->prigroup << 8);
	case 0xE000ED24u: return c->shcsr;
	case 0xE000ED28u: return c->cfsr;
	case 0xE000ED2Cu: return c->hfsr;
	case DFSR: return c->dfsr;
	case 0xE000ED34u: return c->mmfar;
	case 0xE000ED38u: return c->bfar;
	case 0xE000ED88u: return c->cpacr;
	case DHCSR: return cm4_dhcsr_read(c);
	case DCRSR: return 0;
	case DCRDR: return c->dcrdr;
	case DEMCR: return c->demcr;
	case 0xE000EF34u: return c->fpccr;
	case 0xE000EF40u: return 0x10110021u; /* MVFR0: single precision FPU (probes.md §4.1) */
	case 0xE000EF44u: return 0x11000011u; /* MVFR1 */
	default: return 0; /* other SCS registers: RAZ in this model */
	}
}

static uint32_t cm4_dwt_read(const tw_cm4 *c, uint32_t addr)
{
	uint32_t off = addr - 0xE0001000u;
	if (off == 0)
		return c->dwt_ctrl;
	if (off == 4)
		return c->dwt_cyccnt;
	if (off >= 0x20 && off < 0x60) {
		unsigned n = (off - 0x20) / 16, r = (off & 0xF) / 4;
		return r == 0 ? c->dwt_comp[n] : r == 1 ? c->dwt_mask[n] : r == 2 ? c->dwt_func[n] : 0;
	}
	return 0; /* DWT_DEVARCH (0xFBC) reads 0 on ARMv7-M (probes.md §4.1) */
}

static uint32_t cm4_fpb_read(const tw_cm4 *c, uint32_t addr)
{
	uint32_t off = addr - 0xE0002000u;
	if (off == 0) /* NUM_CODE 6 in [7:4], NUM_LIT 2 in [11:8], REV 0: §C1.11.3 */
		return 0x260u | c->fp_ctrl_enable;
	if (off >= 8 && off < 8 + 4 * 8)
		return c->fp_comp[(off - 8) / 4];
	return 0;
}

uint32_t tw_cm4_read(tw_cm4 *c, uint32_t addr)
{
	uint32_t v;
	if (cm4_read_id(addr, &v))
		return v;
	if (addr >= 0xE00FF000u) {
		uint32_t i = (addr - 0xE00FF000u) / 4;
		return i < sizeof(cm4_rom_entries) / 4 ? cm4_rom_entries[i] : 0;
	}
	if (addr >= 0xE000E000u && addr < 0xE000F000u)
		return cm4_scs_read(c, addr);
	if (addr >= 0xE0001000u && addr < 0xE0002000u)
		return cm4_dwt_read(c, addr);
	if (addr >= 0xE0002000u && addr < 0xE0003000u)
		return cm4_fpb_read(c, addr);
	return 0;
}

/* Entering Debug state sets C_HALT (DDI 0403E §C1.5.4: after a debugger cleared it, "a
 * subsequent read of the DHCSR that returns 1 for both C_HALT and S_HALT indicates that the
 * processor has re-entered Debug state"; stlink-tools 1.7 waits for its flash loader's BKPT by
 * polling C_HALT, flash_loader.c). */
void tw_cm4_enter_halt(tw_cm4 *c, uint32_t reason)
{
	c->dhcsr_ctrl |= DHCSR_C_HALT;
	c->halted = true;
	c->lockup = false; /* debug state entry leaves lockup (§B1.5.15) */
	c->dfsr |= reason;
}

/* §C1.6.3: a write without DBGKEY is ignored; C_HALT and C_STEP need C_DEBUGEN. */
static void cm4_dhcsr_write(tw_cm4 *c, const tw_dap_bus *bus, void *h, uint32_t val)
{
	if ((val >> 16) != DHCSR_KEY)
		return;
	c->dhcsr_ctrl = val & DHCSR_C_MASK;
	if (!(val & DHCSR_C_DEBUGEN)) {
		bool was = c->halted;
		c->halted = false; /* leaving debug: the core runs on (UNCONFIRMED when halted) */
		if (was)
			tw_cm4_exec_start(c, bus, h, false);
		return;
	}
	if (c->in_reset)
		return;
	if (val & DHCSR_C_HALT) {
		if (!c->halted) {
			tw_cm4_exec_stop(c);
			tw_cm4_enter_halt(c, DFSR_HALTED);
		}
	} else if (c->halted) {
		c->halted = false;
		c->retire_st = true;
		if (val & DHCSR_C_STEP) { /* one instruction retires (in SRAM: runs), then halt */
			tw_cm4_exec_start(c, bus, h, true);
			if (!c->halted && !c->lockup)
				tw_cm4_enter_halt(c, DFSR_HALTED);
		} else {
			tw_cm4_exec_start(c, bus, h, false);
		}
	}
}

/* §C1.6.4: transfers only while halted; REGSEL values outside the table are ignored. */
static void cm4_dcrsr_write(tw_cm4 *c, uint32_t val)
{
	unsigned sel = val & 0x7Fu;
	bool valid = sel <= 0x14 || sel == 0x21 || (sel >= 0x40 && sel < TW_CM4_NREGS);
	if (!c->halted || !valid)
		return;
	if (sel == REG_SP)
		sel = REG_MSP; /* CONTROL.SPSEL = 0 in this model: SP is MSP */
	if (val & (1u << 16))
		c->regs[sel] = c->dcrdr;
	else
		c->dcrdr = c->regs[sel];
}

static void cm4_aircr_write(tw_cm4 *c, const tw_dap_bus *bus, void *h, uint32_t val)
{
	if ((val >> 16) != AIRCR_VECTKEY)
		return;
	c->prigroup = (val >> 8) & 7u;
	if (val & AIRCR_SYSRESETREQ) {
		bus->system_reset(h);
		tw_cm4_core_reset(c, bus, h);
	} else if (val & AIRCR_VECTRESET) {
		tw_cm4_core_reset(c, bus, h);
	}
}

static void cm4_scs_write(tw_cm4 *c, const tw_dap_bus *bus, void *h, uint32_t addr, uint32_t val)
{
	switch (addr) {
	case 0xE000ED08u: c->vtor = val & 0xFFFFFF80u; break;
	case AIRCR: cm4_aircr_write(c, bus, h, val); break;
	case 0xE000ED24u: c->shcsr = val; break;
	case 0xE000ED28u: c->cfsr &= ~val; break; /* W1C */
	case 0xE000ED2Cu: c->hfsr &= ~val; break;
	case DFSR: c->dfsr &= ~val; break;
	case 0xE000ED88u: c->cpacr = val & 0x00F00000u; break;
	case DHCSR: cm4_dhcsr_write(c, bus, h, val); break;
	case DCRSR: cm4_dcrsr_write(c, val); break;
	case DCRDR: c->dcrdr = val; break;
	case DEMCR: c->demcr = val & DEMCR_RW_MASK; break;
	case 0xE000EF34u: c->fpccr = val; break;
	default: break;
	}
}

static void cm4_dwt_write(tw_cm4 *c, uint32_t addr, uint32_t val)
{
	uint32_t off = addr - 0xE0001000u;
	if (off == 0)
		c->dwt_ctrl = (c->dwt_ctrl & 0xF0000000u) | (val & 0x0FFFFFFFu);
	else if (off == 4)
		c->dwt_cyccnt = val;
	else if (off >= 0x20 && off < 0x60) {
		unsigned n = (off - 0x20) / 16, r = (off & 0xF) / 4;
		if (r == 0)
			c->dwt_comp[n] = val;
		else if (r == 1)
			c->dwt_mask[n] = val & 0x1Fu;
		else if (r == 2)
			c->dwt_func[n] = val;
	}
}

void tw_cm4_write(tw_cm4 *c, const tw_dap_bus *bus, void *h, uint32_t addr, uint32_t val)
{
	if (addr >= 0xE000E000u && addr < 0xE000F000u)
		cm4_scs_write(c, bus, h, addr, val);
	else if (addr >= 0xE0001000u && addr < 0xE0002000u)
		cm4_dwt_write(c, addr, val);
	else if (addr == 0xE0002000u && (val & 2u)) /* FP_CTRL: ENABLE written only with KEY */
		c->fp_ctrl_enable = val & 1u;
	else if (addr >= 0xE0002008u && addr < 0xE0002028u)
		c->fp_comp[(addr - 0xE0002008u) / 4] = val;
}

/* The core takes its first instruction: lockup when it cannot (see the file comment). */
static bool cm4_can_run(const tw_dap_bus *bus, void *h, uint32_t pc, bool thumb)
{
	uint32_t insn;
	if (!thumb || pc >= 0x40000000u)
		return false;
	return bus->fetch(h, pc & ~3u, &insn) == TW_OK;
}

void tw_cm4_core_reset(tw_cm4 *c, const tw_dap_bus *bus, void *h)
{
	uint32_t sp = 0, pc = 0;
	c->exec = false;
	c->vtor = 0; /* the vector table is at address 0 (the boot alias) after reset */
	bool fetched = bus->fetch(h, 0, &sp) == TW_OK && bus->fetch(h, 4, &pc) == TW_OK;
	/* A refused vector fetch (flash closed by RDP level 1 to a core whose debugger is
	 * connected, RM0090 §3.7.3 Table 18) loads all-ones: a real RDP 1 F4 caught at reset
	 * reports xPSR 0x01000000, PC 0xFFFFFFFE, MSP 0xFFFFFFFC (users' OpenOCD logs, issue #20
	 * item 3), which is what ARMv7-M §B1.5.5 makes of 0xFFFFFFFF words (SP[1:0] and PC[0]
	 * dropped, EPSR.T from bit 0); the core then locks up (§B1.5.15) unless the reset vector
	 * catch halts it first. UNCONFIRMED: that the failed read returns all-ones on the bus
	 * rather than the core substituting the value. */
	if (!fetched)
		sp = pc = 0xFFFFFFFFu;
	memset(c->regs, 0, sizeof(c->regs));
	c->regs[REG_MSP] = sp & ~3u;
	c->regs[REG_PC] = pc & ~1u;
	c->regs[REG_XPSR] = (pc & 1u) << 24; /* EPSR.T from bit 0 of the vector (§B1.5.5) */
	c->regs[0x14] = 0;
	c->in_reset = false;
	c->halted = false;
	c->lockup = false;
	c->reset_st = true;
	c->dhcsr_ctrl &= ~DHCSR_C_HALT; /* "C_HALT always clears on a core reset" (§C1.6.3) */
	c->shcsr = c->cfsr = c->hfsr = 0;
	/* §C1.6.5: reset vector catch halts before the first instruction. */
	if ((c->demcr & DEMCR_VC_CORERESET) && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN)) {
		tw_cm4_enter_halt(c, DFSR_VCATCH);
		return;
	}
	if (!fetched || !cm4_can_run(bus, h, c->regs[REG_PC], pc & 1u)) {
		c->lockup = true;
		c->regs[REG_PC] = 0xEFFFFFFEu; /* lockup address (§B1.5.15) */
		c->hfsr = 0x40000000u;        /* FORCED */
		return;
	}
	c->retire_st = true; /* CPUID stays the part's (tw_dap_set_ids): a reset does not change it */
}

void tw_cm4_hold_reset(tw_cm4 *c)
{
	c->exec = false;
	c->in_reset = true;
	c->halted = false;
	c->lockup = false;
	c->reset_st = true;
}
