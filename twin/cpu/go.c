/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Go binding (go.h): the Thumb interpreter on a chip model's bus, the virtual clock charged
 * per instruction, and the end of a run (system reset, lockup, idle, budget, power). Sources:
 * AN3155 Rev 20 §3.5 (Go: MSP from [addr], jump to [addr + 4]); ARMv7-M ARM §B3.2.6 and ARMv6-M
 * ARM §B3.2.6 (AIRCR: VECTKEY 0x05FA, SYSRESETREQ bit 2; the reset itself is the model's). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "cpu/go.h"

#define GO_AIRCR 0xE000ED0CU

typedef struct go_core {
	const tw_go_chip *chip;
	tc_cpu *cpu;
	unsigned resets0;
	uint64_t charged_ns; /* cycle time already put on the clock */
	bool aircr_reset;    /* the access in progress writes SYSRESETREQ */
	bool sysresetreq;
	bool power_lost;
} go_core;

static uint64_t go_cycles_ns(uint64_t cycles, uint64_t hz)
{
	return cycles / hz * 1000000000ULL + cycles % hz * 1000000000ULL / hz;
}

/* Put the cycles executed so far on the virtual clock (flash operations end, faults fire). */
static void go_sync(go_core *k)
{
	uint64_t due = go_cycles_ns(k->cpu->cycles, k->chip->hz);
	if (due > k->charged_ns) {
		k->chip->advance(k->chip->chip, due - k->charged_ns);
		k->charged_ns = due;
	}
}

/* Has the system stopped running this code (reset or power cut)? */
static bool go_stopped(go_core *k)
{
	if (!k->chip->powered(k->chip->chip)) {
		k->power_lost = true;
		return true;
	}
	if (k->chip->reset_count(k->chip->chip) != k->resets0) {
		k->sysresetreq = k->sysresetreq || k->aircr_reset;
		return true;
	}
	return false;
}

static tc_bus_rc go_result(go_core *k, tw_status st)
{
	if (go_stopped(k))
		return TC_BUS_HALT;
	return st == TW_OK ? TC_BUS_OK : TC_BUS_FAULT; /* a STALL left by the wait is a fault too */
}

static tc_bus_rc go_read(void *ctx, uint32_t addr, unsigned size, bool fetch, uint32_t *val)
{
	go_core *k = ctx;
	(void)fetch;
	go_sync(k);
	if (go_stopped(k))
		return TC_BUS_HALT;
	return go_result(k, k->chip->read(k->chip->chip, addr, size, val));
}

static tc_bus_rc go_write(void *ctx, uint32_t addr, unsigned size, uint32_t val)
{
	go_core *k = ctx;
	go_sync(k);
	if (go_stopped(k))
		return TC_BUS_HALT;
	k->aircr_reset = addr == GO_AIRCR && size == 4 && (val >> 16) == 0x05FAU && (val & 4U);
	tc_bus_rc rc = go_result(k, k->chip->write(k->chip->chip, addr, size, val));
	k->aircr_reset = false;
	return rc;
}

void tw_go(const tw_go_chip *chip, uint32_t vtor, uint64_t max_insns, tw_go_run *out)
{
	memset(out, 0, sizeof *out);
	go_core k = {.chip = chip, .cpu = &out->cpu, .resets0 = chip->reset_count(chip->chip)};
	tc_bus bus = {.ctx = &k, .read = go_read, .write = go_write};
	uint64_t t0 = chip->now_ns(chip->chip);
	out->hz = chip->hz;
	tc_init(&out->cpu, &bus);
	out->cpu.v7m = chip->v7m;
	tc_enter(&out->cpu, vtor);
	tc_run(&out->cpu, max_insns);
	if (!k.power_lost)
		go_sync(&k); /* the tail after the last access (the clock runs on through a reset) */
	out->cpu.bus = (tc_bus){0}; /* k does not outlive this call */
	out->ns = chip->now_ns(chip->chip) - t0;
	out->sysresetreq = k.sysresetreq;
	if (k.power_lost)
		out->end = TW_RUN_POWER;
	else if (chip->reset_count(chip->chip) != k.resets0)
		out->end = TW_RUN_RESET;
	else if (out->cpu.state == TC_LOCKUP)
		out->end = TW_RUN_LOCKUP;
	else if (out->cpu.state == TC_IDLE)
		out->end = TW_RUN_IDLE;
	else
		out->end = TW_RUN_BUDGET;
}

static void go_time(char *buf, size_t n, uint64_t ns)
{
	if (ns < 10000ULL)
		fk_snprintf_cat(buf, n, "%" PRIu64 " ns", ns);
	else if (ns < 10000000ULL)
		fk_snprintf_cat(buf, n, "%" PRIu64 " us", ns / 1000U);
	else
		fk_snprintf_cat(buf, n, "%" PRIu64 " ms", ns / 1000000U);
}

void tw_go_describe(const tw_go_run *r, char *buf, size_t n)
{
	const tc_cpu *c = &r->cpu;
	if (!n)
		return;
	buf[0] = '\0';
	fk_snprintf_cat(buf, n, "ran %" PRIu64 " instruction%s (%" PRIu64 " cycles, ", c->insns,
			c->insns == 1 ? "" : "s", c->cycles);
	go_time(buf, n, r->ns);
	fk_snprintf_cat(buf, n, " at %u MHz), then ", (unsigned)(r->hz / 1000000ULL));
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
