/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Code a debugger resumes in SRAM runs on the twin's core: the flash loaders of OpenOCD
 * (stm32f2x/stm32f1x async write, the CRC-32 of verify_image) and stlink-tools (st-flash write)
 * load a routine into SRAM, set registers, clear C_HALT, feed it data while it runs, and wait
 * for it to halt on BKPT.
 *
 * The interpreter (twin/cpu/thumb.c, ARMv7-M decoding when CPUID says ARMv7-M) takes the
 * registers the debugger wrote (DCRSR) when the core leaves halt with PC in the SRAM region
 * (ARMv7-M §B3.1: 0x20000000-0x3FFFFFFF). It then runs before each memory access the debugger
 * makes (tw_dap_mem_read/write): until it stops, or has spent a budget of instructions, or has
 * gone 256 instructions without storing anything or touching anything but SRAM — it waits for
 * the debugger (a FIFO write pointer) and yields. Its data accesses use the chip's bus as the
 * debugger's do (RM0090 §3.7.3 Table 18: at RDP level 1 with a debugger connected, code in
 * SRAM is refused the flash like the debugger); a stalled access (flash busy) waits with the
 * clock moving, as the AHB stalls the core. Its accesses to the PPB (SCS, DWT, FPB) reach the
 * core's own registers; it cannot write DHCSR/DCRSR/DCRDR/DEMCR (ARMv7-M §C1.6: debugger
 * registers).
 *
 * Time: the cycles it executes go on the chip's clock at the core's clock out of reset
 * (tw_dap_ids.core_hz; the F4's HSI: 16 MHz, RM0090 §6.2.2) when it touches something other than
 * SRAM; cycles spent spinning in SRAM while it waits for the debugger are not charged (the
 * debugger's wire time is). UNCONFIRMED: the core and the wire take turns rather than overlap,
 * so the virtual time of a loader's job is the sum of both — an upper bound.
 *
 * Stops: BKPT halts the core (DFSR.BKPT, PC at the BKPT: ARMv7-M §C1.4, §C1.6.1); a fault locks
 * it up (no exception model: thumb.h), with a line on stderr saying where and why — so a peer's
 * loader that uses an instruction the twin does not model fails at once and says so, instead
 * of timing out. Code outside SRAM (firmware in flash after a resume) is not executed: the core
 * "runs" without changing its registers, as before (docs/TWIN.md).
 *
 * A model may name more RAM code runs from (tw_dap_ids.exec_ram_*: the NXP LPC's local SRAM at
 * 0x10000000) and boot-ROM routines it performs by their behaviour (tw_dap_bus.rom_call: the
 * LPC's IAP entry). A fetch outside RAM is offered to rom_call first; when the model takes it,
 * the fetch returns BX LR, so the core goes back to its caller as the real routine would. */
#include <stdio.h>

#include "debug/cm4.h"

#define EXEC_SRAM_LO 0x20000000u
#define EXEC_SRAM_HI 0x40000000u
#define EXEC_BUDGET 200000u    /* instructions per debugger access, at most */
#define EXEC_CHUNK 64u
#define EXEC_QUIET_CHUNKS 4u   /* 256 instructions without progress: waiting for the debugger */
#define EXEC_STALL_MAX_NS 30000000000ull /* a bus stalled 30 s of virtual time: give up */
#define DFSR_BKPT 0x2u
#define HFSR_FORCED 0x40000000u
#define REG_PC 15u
#define REG_XPSR 16u
#define REG_MSP 17u
#define REG_PSP 18u
#define REG_SPECIAL 0x14u
#define THUMB_BX_LR 0x4770u /* ARMv7-M §A7.7.20 BX, encoding T1 with Rm = LR */

static bool in_sram(const tw_cm4 *c, uint32_t a)
{
	return (a >= EXEC_SRAM_LO && a < EXEC_SRAM_HI) ||
	       (c->xram_bytes && a - c->xram_base < c->xram_bytes);
}

static void exec_advance(tw_cm4 *c, uint64_t ns)
{
	if (!ns)
		return;
	if (c->xbus->core_advance)
		c->xbus->core_advance(c->xh, ns);
	else
		c->xbus->advance(c->xh, ns);
}

static uint64_t exec_due_ns(const tw_cm4 *c)
{
	uint64_t hz = c->core_hz ? c->core_hz : 16000000u;
	return c->cpu.cycles / hz * 1000000000ull + c->cpu.cycles % hz * 1000000000ull / hz;
}

/* Put the cycles executed so far on the chip's clock. */
static void exec_charge(tw_cm4 *c)
{
	uint64_t due = exec_due_ns(c);
	if (due > c->charged) {
		exec_advance(c, due - c->charged);
		c->charged = due;
	}
}

/* One access on the chip's bus, waiting out a busy flash as the AHB stalls the core. */
static tw_status exec_access(tw_cm4 *c, bool rnw, uint32_t addr, unsigned size, uint32_t *val)
{
	uint64_t step = 1000, waited = 0;
	for (;;) {
		tw_status st = rnw ? c->xbus->read(c->xh, addr, size, val)
				   : c->xbus->write(c->xh, addr, size, *val);
		if (st != TW_STALL)
			return st;
		if (waited >= EXEC_STALL_MAX_NS)
			return TW_BUS_ERROR;
		uint64_t now = c->xbus->now(c->xh);
		uint64_t end = c->xbus->busy_until ? c->xbus->busy_until(c->xh) : 0;
		uint64_t adv = end > now ? end - now : step; /* to the end of the operation */
		exec_advance(c, adv);
		waited += adv;
		if (step < 1000000u)
			step *= 2;
	}
}

static tc_bus_rc exec_result(tw_cm4 *c, tw_status st)
{
	if (!c->exec) /* the access reset the core (AIRCR.SYSRESETREQ) */
		return TC_BUS_HALT;
	if (st == TW_POWER_OFF)
		return TC_BUS_HALT;
	return st == TW_OK ? TC_BUS_OK : TC_BUS_FAULT;
}

static tc_bus_rc exec_read(void *ctx, uint32_t addr, unsigned size, bool fetch, uint32_t *val)
{
	tw_cm4 *c = ctx;
	*val = 0;
	if (fetch && !in_sram(c, addr) && c->xbus->rom_call) {
		exec_charge(c);
		if (c->xbus->rom_call(c->xh, addr, c->cpu.r)) {
			/* the model did the ROM routine's work; its last instruction returns */
			*val = THUMB_BX_LR;
			c->progress = true;
			c->poll_valid = false;
			return exec_result(c, TW_OK);
		}
	}
	if (tw_cm4_owns(addr)) {
		uint32_t w = tw_cm4_read(c, addr & ~3u);
		unsigned sh = 8 * (addr & 3u);
		*val = size == 4 ? w : (w >> sh) & (size == 2 ? 0xFFFFu : 0xFFu);
		c->progress = true;
		return TC_BUS_OK;
	}
	if (in_sram(c, addr))
		return exec_result(c, exec_access(c, true, addr, size, val));
	exec_charge(c);
	/* The same register read again with nothing stored since: a polling loop. While an
	 * operation is in progress nothing the core could see changes before it ends, so the clock
	 * runs to its end (the loop's iterations are not interpreted); with none in progress only
	 * the debugger can change what it polls: no progress (the core yields). */
	bool poll = c->poll_valid && c->poll_addr == addr && c->poll_size == size;
	if (poll) {
		uint64_t end = c->xbus->busy_until ? c->xbus->busy_until(c->xh) : 0;
		uint64_t now = c->xbus->now(c->xh);
		if (end > now) {
			exec_advance(c, end - now);
			c->progress = true;
		}
	} else {
		c->progress = true;
	}
	tw_status st = exec_access(c, true, addr, size, val);
	if (poll && !c->progress && *val != c->poll_val)
		c->progress = true;
	c->poll_valid = st == TW_OK;
	c->poll_addr = addr;
	c->poll_size = size;
	c->poll_val = *val;
	return exec_result(c, st);
}

static tc_bus_rc exec_write(void *ctx, uint32_t addr, unsigned size, uint32_t val)
{
	tw_cm4 *c = ctx;
	c->progress = true;
	c->poll_valid = false;
	if (tw_cm4_owns(addr)) {
		/* DHCSR, DCRSR, DCRDR, DEMCR belong to the debugger; sub-word writes are ignored */
		if (size == 4 && !(addr >= 0xE000EDF0u && addr <= 0xE000EDFFu))
			tw_cm4_write(c, c->xbus, c->xh, addr, val);
		return exec_result(c, TW_OK);
	}
	if (!in_sram(c, addr))
		exec_charge(c);
	return exec_result(c, exec_access(c, false, addr, size, &val));
}

static uint32_t exec_xpsr(const tc_cpu *p)
{
	return tc_apsr(p) | (p->t ? 1u << 24 : 0u) | ((uint32_t)p->itstate & 3u) << 25 |
	       ((uint32_t)p->itstate >> 2) << 10;
}

/* The interpreter's registers into the debug view (DCRSR numbering). */
static void exec_save(tw_cm4 *c)
{
	const tc_cpu *p = &c->cpu;
	for (unsigned i = 0; i < 13; i++)
		c->regs[i] = p->r[i];
	c->regs[14] = p->r[14];
	c->regs[REG_PC] = p->r[15];
	c->regs[REG_MSP] = p->spsel ? p->sp_other : p->r[13];
	c->regs[REG_PSP] = p->spsel ? p->r[13] : p->sp_other;
	c->regs[REG_XPSR] = exec_xpsr(p);
	c->regs[REG_SPECIAL] = (p->spsel ? 2u : 0u) << 24 | (p->faultmask ? 1u : 0u) << 16 |
			       (uint32_t)p->basepri << 8 | (p->primask ? 1u : 0u);
}

static void exec_load(tw_cm4 *c)
{
	tc_cpu *p = &c->cpu;
	uint32_t xpsr = c->regs[REG_XPSR], special = c->regs[REG_SPECIAL];
	for (unsigned i = 0; i < 13; i++)
		p->r[i] = c->regs[i];
	p->r[14] = c->regs[14];
	p->r[15] = c->regs[REG_PC] & ~1u;
	p->spsel = false; /* CONTROL.SPSEL is not modelled on the debug path: MSP (cm4.c) */
	p->r[13] = c->regs[REG_MSP] & ~3u;
	p->sp_other = c->regs[REG_PSP] & ~3u;
	p->n = (xpsr >> 31) & 1u;
	p->z = (xpsr >> 30) & 1u;
	p->c = (xpsr >> 29) & 1u;
	p->v = (xpsr >> 28) & 1u;
	p->t = (xpsr >> 24) & 1u; /* T = 0: the first fetch faults (INVSTATE), as on silicon */
	p->itstate = (uint8_t)(((xpsr >> 25) & 3u) | ((xpsr >> 10) & 0x3Fu) << 2);
	p->primask = special & 1u;
	p->basepri = (uint8_t)(special >> 8);
	p->faultmask = (special >> 16) & 1u;
}

/* What the run ended in, as the debug view shows it. */
static void exec_after(tw_cm4 *c)
{
	tc_cpu *p = &c->cpu;
	if (!c->exec)
		return;
	switch (p->state) {
	case TC_RUN:
		return;
	case TC_IDLE: /* WFI/WFE/b .: runs on doing nothing until halted */
		c->note = p->why;
		c->note_pc = p->fault_pc;
		return;
	case TC_BREAK:
		exec_save(c);
		c->exec = false;
		tw_cm4_enter_halt(c, DFSR_BKPT);
		c->note = p->why;
		c->note_pc = p->fault_pc;
		return;
	case TC_LOCKUP:
		exec_save(c);
		c->regs[REG_PC] = p->fault_pc;
		c->exec = false;
		c->lockup = true;
		c->hfsr |= HFSR_FORCED;
		c->note = p->why;
		c->note_pc = p->fault_pc;
		fprintf(stderr,
			"flashkey-twin: the core locked up running code in SRAM at 0x%08X: %s "
			"(the twin has no exception model; see docs/TWIN.md, \"Code on the debug "
			"path\")\n",
			(unsigned)p->fault_pc, p->why ? p->why : "fault");
		return;
	case TC_HALTED: /* the code reset the system or power went: the core is not ours now */
		c->exec = false;
		return;
	}
}

void tw_cm4_exec_start(tw_cm4 *c, const tw_dap_bus *bus, void *h, bool step)
{
	c->exec = false;
	if (!in_sram(c, c->regs[REG_PC]))
		return;
	tc_bus tb = {.ctx = c, .read = exec_read, .write = exec_write};
	tc_init(&c->cpu, &tb);
	c->cpu.v7m = ((c->cpuid >> 16) & 0xFu) == 0xFu; /* CPUID.ARCHITECTURE 0xF: ARMv7-M */
	c->cpu.bkpt_halts = (c->dhcsr_ctrl & 1u) != 0; /* C_DEBUGEN: BKPT is a debug event */
	exec_load(c);
	c->charged = 0;
	c->poll_valid = false;
	c->note = NULL;
	c->exec = true;
	if (!step)
		return;
	c->xbus = bus;
	c->xh = h;
	tc_run(&c->cpu, 1);
	exec_charge(c);
	exec_after(c);
	if (c->exec) { /* still running: the caller halts it again */
		exec_save(c);
		c->exec = false;
	}
}

void tw_cm4_exec_run(tw_cm4 *c, const tw_dap_bus *bus, void *h)
{
	if (!c->exec || c->halted || c->cpu.state != TC_RUN)
		return;
	c->xbus = bus;
	c->xh = h;
	unsigned quiet = 0;
	bool yielded = false;
	for (uint32_t done = 0; done < EXEC_BUDGET && c->exec && c->cpu.state == TC_RUN;
	     done += EXEC_CHUNK) {
		c->progress = false;
		tc_run(&c->cpu, EXEC_CHUNK);
		if (c->progress) {
			quiet = 0;
		} else if (++quiet >= EXEC_QUIET_CHUNKS) {
			yielded = true;
			break;
		}
	}
	if (!c->exec)
		return;
	if (yielded) /* spinning in SRAM on the debugger's data: the wire's time counts */
		c->charged = exec_due_ns(c);
	else
		exec_charge(c);
	exec_after(c);
}

void tw_cm4_exec_stop(tw_cm4 *c)
{
	if (!c->exec)
		return;
	exec_save(c);
	c->exec = false;
}
