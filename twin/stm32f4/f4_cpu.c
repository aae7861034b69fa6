/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 twin's CPU binding: the Thumb interpreter's bus (ARMv7-M decoding) on the chip model, the virtual
 * clock charged per instruction, and the end of a run (system reset, lockup, idle, budget).
 *
 * Sources: AN3155 Rev 20 §3.5 (Go: MSP from [addr], jump to [addr + 4]); AN2606 Rev 69
 * Table 73 (F40x bootloader V3.x: 24 MHz from HSI + PLL); RM0090 Rev 21 §3.7.3 Table 18
 * (protection follows the boot mode); ARMv7-M ARM §B3.2.6 (AIRCR: VECTKEY 0x05FA,
 * SYSRESETREQ bit 2; the reset itself is the model's, f4.c f4_scs_write); Cortex-M4 TRM
 * (DDI 0439B) §3.3.1 for the cycle counts (twin/cpu/thumb.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "stm32f4/f4_cpu.h"

#define F4C_AIRCR 0xE000ED0CU

typedef struct f4_core {
	tw_f4 *chip;
	tc_cpu *cpu;
	unsigned resets0;
	uint64_t charged_ns; /* cycle time already put on the clock */
	bool aircr_reset;    /* the access in progress writes SYSRESETREQ */
	bool sysresetreq;
	bool power_lost;
} f4_core;

static uint64_t f4c_cycles_ns(uint64_t cycles)
{
	return cycles / TW_F4_CPU_HZ * 1000000000ULL +
	       cycles % TW_F4_CPU_HZ * 1000000000ULL / TW_F4_CPU_HZ;
}

/* Put the cycles executed so far on the virtual clock (flash operations end, faults fire). */
static void f4c_sync(f4_core *k)
{
	uint64_t due = f4c_cycles_ns(k->cpu->cycles);
	if (due > k->charged_ns) {
		tw_f4_advance(k->chip, due - k->charged_ns);
		k->charged_ns = due;
	}
}

/* Has the system stopped running this code (reset or power cut)? */
static bool f4c_stopped(f4_core *k)
{
	if (!tw_f4_powered(k->chip)) {
		k->power_lost = true;
		return true;
	}
	if (tw_f4_reset_count(k->chip) != k->resets0) {
		k->sysresetreq = k->sysresetreq || k->aircr_reset;
		return true;
	}
	return false;
}

static tc_bus_rc f4c_result(f4_core *k, tw_status st)
{
	if (f4c_stopped(k))
		return TC_BUS_HALT;
	return st == TW_OK ? TC_BUS_OK : TC_BUS_FAULT; /* a STALL left by _wait is a fault too */
}

static tc_bus_rc f4c_read(void *ctx, uint32_t addr, unsigned size, bool fetch, uint32_t *val)
{
	f4_core *k = ctx;
	(void)fetch;
	f4c_sync(k);
	if (f4c_stopped(k))
		return TC_BUS_HALT;
	return f4c_result(k, tw_f4_read_wait(k->chip, TW_INIT_BOOTLOADER, addr, size, val));
}

static tc_bus_rc f4c_write(void *ctx, uint32_t addr, unsigned size, uint32_t val)
{
	f4_core *k = ctx;
	f4c_sync(k);
	if (f4c_stopped(k))
		return TC_BUS_HALT;
	k->aircr_reset = addr == F4C_AIRCR && size == 4 && (val >> 16) == 0x05FAU && (val & 4U);
	tc_bus_rc rc = f4c_result(k, tw_f4_write_wait(k->chip, TW_INIT_BOOTLOADER, addr, size, val));
	k->aircr_reset = false;
	return rc;
}

void tw_f4_cpu_go(tw_f4 *t, uint32_t vtor, uint64_t max_insns, tw_f4_run *out)
{
	memset(out, 0, sizeof *out);
	f4_core k = {.chip = t, .cpu = &out->cpu, .resets0 = tw_f4_reset_count(t)};
	tc_bus bus = {.ctx = &k, .read = f4c_read, .write = f4c_write};
	uint64_t t0 = tw_f4_now_ns(t);
	tc_init(&out->cpu, &bus);
	out->cpu.v7m = true; /* a Cortex-M4: ARMv7E-M, Thumb-2 (its DSP/FPU parts not modelled) */
	tc_enter(&out->cpu, vtor);
	tc_run(&out->cpu, max_insns);
	if (!k.power_lost)
		f4c_sync(&k); /* the tail after the last access (the clock runs on through a reset) */
	out->cpu.bus = (tc_bus){0}; /* k does not outlive this call */
	out->ns = tw_f4_now_ns(t) - t0;
	out->sysresetreq = k.sysresetreq;
	if (k.power_lost)
		out->end = TW_RUN_POWER;
	else if (tw_f4_reset_count(t) != k.resets0)
		out->end = TW_RUN_RESET;
	else if (out->cpu.state == TC_LOCKUP)
		out->end = TW_RUN_LOCKUP;
	else if (out->cpu.state == TC_IDLE)
		out->end = TW_RUN_IDLE;
	else
		out->end = TW_RUN_BUDGET;
}

static void f4c_time(char *buf, size_t n, uint64_t ns)
{
	if (ns < 10000ULL)
		fk_snprintf_cat(buf, n, "%" PRIu64 " ns", ns);
	else if (ns < 10000000ULL)
		fk_snprintf_cat(buf, n, "%" PRIu64 " us", ns / 1000U);
	else
		fk_snprintf_cat(buf, n, "%" PRIu64 " ms", ns / 1000000U);
}

void tw_f4_run_describe(const tw_f4_run *r, char *buf, size_t n)
{
	const tc_cpu *c = &r->cpu;
	if (!n)
		return;
	buf[0] = '\0';
	fk_snprintf_cat(buf, n, "ran %" PRIu64 " instruction%s (%" PRIu64 " cycles, ", c->insns,
			c->insns == 1 ? "" : "s", c->cycles);
	f4c_time(buf, n, r->ns);
	fk_snprintf_cat(buf, n, " at %u MHz), then ", (unsigned)(TW_F4_CPU_HZ / 1000000ULL));
	switch (r->end) {
	case TW_RUN_RESET:
		fk_snprintf_cat(buf, n, "%s: system reset",
				r->sysresetreq ? "AIRCR.SYSRESETREQ" : "a reset it did not request");
		break;
	case TW_RUN_LOCKUP:
		fk_snprintf_cat(buf, n, "lockup at 0x%08" PRIX32 ": %s", c->fault_pc, c->why);
		if (strstr(c->why, "access") || strstr(c->why, "load") || strstr(c->why, "store") ||
		    strstr(c->why, "bus error"))
			fk_snprintf_cat(buf, n, " (address 0x%08" PRIX32 ")", c->fault_addr);
		break;
	case TW_RUN_IDLE:
		fk_snprintf_cat(buf, n, "idle at 0x%08" PRIX32 ": %s", c->fault_pc, c->why);
		break;
	case TW_RUN_BUDGET:
		fk_snprintf_cat(buf, n, "still running at 0x%08" PRIX32 " (budget spent: the code runs on, "
				"unobserved)", c->r[15]);
		break;
	case TW_RUN_POWER:
		fk_snprintf_cat(buf, n, "power lost");
		break;
	}
}
