/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JTAG TAP chain of the twin (see jtag_wire.h for the sources).
 *
 * Model: every action happens on the rising TCK edge, in the state the TAP is in at that edge
 * (capture, shift), and Update-xR and Test-Logic-Reset act on entry (IEEE 1149.1 §6.1.2; the
 * update on the falling edge that follows is indistinguishable to a host).
 * UNCONFIRMED: the boundary-scan TAP's IDCODE opcode (0b00001 here) and the lengths of its other
 * data registers (modelled as 1-bit bypass); OpenOCD only ever loads BYPASS into it. */
#include "debug/jtag_wire.h"

#include <stdlib.h>

enum jtag_state {
	TLR, RTI, SEL_DR, CAP_DR, SH_DR, EX1_DR, PA_DR, EX2_DR, UPD_DR,
	SEL_IR, CAP_IR, SH_IR, EX1_IR, PA_IR, EX2_IR, UPD_IR,
};

/* next[state][tms] (IEEE 1149.1 Figure 6-1). */
static const uint8_t jtag_next[16][2] = {
	[TLR] = {RTI, TLR},       [RTI] = {RTI, SEL_DR},     [SEL_DR] = {CAP_DR, SEL_IR},
	[CAP_DR] = {SH_DR, EX1_DR}, [SH_DR] = {SH_DR, EX1_DR}, [EX1_DR] = {PA_DR, UPD_DR},
	[PA_DR] = {PA_DR, EX2_DR}, [EX2_DR] = {SH_DR, UPD_DR}, [UPD_DR] = {RTI, SEL_DR},
	[SEL_IR] = {CAP_IR, TLR}, [CAP_IR] = {SH_IR, EX1_IR}, [SH_IR] = {SH_IR, EX1_IR},
	[EX1_IR] = {PA_IR, UPD_IR}, [PA_IR] = {PA_IR, EX2_IR}, [EX2_IR] = {SH_IR, UPD_IR},
	[UPD_IR] = {RTI, SEL_DR},
};

#define IR_ABORT 0x8u
#define IR_DPACC 0xAu
#define IR_APACC 0xBu
#define IR_IDCODE 0xEu
#define BS_IR_IDCODE 0x01u
#define JTAG_ACK_OK_FAULT 0x2u
#define JTAG_ACK_WAIT 0x1u

typedef enum jtag_prev { PREV_NONE, PREV_VALUE, PREV_AP_READ } jtag_prev;

struct tw_jtag {
	tw_dap *dap;
	uint8_t state;
	unsigned cpu_ir, bs_ir;
	uint64_t cpu_sr, bs_sr;
	unsigned cpu_len, bs_len;
	bool waited;    /* this scan's Capture-DR answered WAIT: its update is discarded */
	jtag_prev prev; /* what the next Capture-DR returns as data */
	uint32_t prev_value;
};

static void jtag_reset(tw_jtag *j)
{
	j->state = TLR;
	j->cpu_ir = IR_IDCODE; /* §6.1.1: Test-Logic-Reset selects IDCODE */
	j->bs_ir = BS_IR_IDCODE;
}

tw_jtag *tw_jtag_new(tw_dap *dap)
{
	tw_jtag *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->dap = dap;
	tw_dap_set_wire(dap, TW_WIRE_JTAG);
	j->cpu_len = j->bs_len = 1;
	jtag_reset(j);
	return j;
}

void tw_jtag_free(tw_jtag *j)
{
	free(j);
}

void tw_jtag_trst(tw_jtag *j)
{
	jtag_reset(j);
}

int tw_jtag_state(const tw_jtag *j)
{
	return j->state;
}

unsigned tw_jtag_ir(const tw_jtag *j, int bs)
{
	return bs ? j->bs_ir : j->cpu_ir;
}

static bool jtag_is_acc(unsigned ir)
{
	return ir == IR_DPACC || ir == IR_APACC || ir == IR_ABORT;
}

/* Capture-DR of the JTAG-DP: the ACK says whether the previous transaction completed, the data
 * is its result (§B3.2.2). */
static uint64_t jtag_capture_acc(tw_jtag *j)
{
	uint32_t data = 0;
	j->waited = tw_dap_reachable(j->dap) && tw_dap_busy(j->dap);
	if (j->waited)
		return JTAG_ACK_WAIT;
	if (j->prev == PREV_AP_READ)
		data = tw_dap_read(j->dap, false, 0xC); /* the completed AP read (RDBUFF) */
	else if (j->prev == PREV_VALUE)
		data = j->prev_value;
	j->prev = PREV_NONE;
	return JTAG_ACK_OK_FAULT | ((uint64_t)data << 3);
}

static void jtag_capture_dr(tw_jtag *j)
{
	j->bs_len = 1; /* BYPASS (and, in this model, every other bs instruction but IDCODE) */
	j->bs_sr = 0;
	/* IEEE 1149.1 §12.1.1: a TAP without a device identification register selects BYPASS
	 * after Test-Logic-Reset (tw_dap_ids.bs_idcode 0) */
	if (j->bs_ir == BS_IR_IDCODE && tw_dap_ids_of(j->dap)->bs_idcode) {
		j->bs_len = 32;
		j->bs_sr = tw_dap_ids_of(j->dap)->bs_idcode;
	}
	if (j->cpu_ir == IR_IDCODE) {
		j->cpu_len = 32;
		j->cpu_sr = tw_dap_reachable(j->dap) ? tw_dap_ids_of(j->dap)->idcode_jtag : 0;
	} else if (jtag_is_acc(j->cpu_ir)) {
		j->cpu_len = 35;
		j->cpu_sr = jtag_capture_acc(j);
	} else {
		j->cpu_len = 1;
		j->cpu_sr = 0;
	}
}

/* Update-DR of DPACC/APACC/ABORT: the transaction starts (§B3.2.2). */
static void jtag_update_acc(tw_jtag *j)
{
	bool ap = j->cpu_ir == IR_APACC;
	bool rnw = j->cpu_sr & 1u;
	uint8_t addr = (uint8_t)(((j->cpu_sr >> 1) & 3u) << 2);
	uint32_t data = (uint32_t)(j->cpu_sr >> 3);
	if (j->waited || !tw_dap_reachable(j->dap))
		return;
	if (j->cpu_ir == IR_ABORT) {
		tw_dap_write(j->dap, false, 0x0, data);
		return;
	}
	if (tw_dap_request(j->dap, ap, rnw, addr) != TW_ACK_OK)
		return; /* discarded (sticky flag set) */
	if (!rnw) {
		tw_dap_write(j->dap, ap, addr, data);
	} else if (ap) {
		tw_dap_read(j->dap, true, addr);
		j->prev = PREV_AP_READ;
	} else {
		j->prev_value = tw_dap_read(j->dap, false, addr);
		j->prev = PREV_VALUE;
	}
}

static void jtag_shift(tw_jtag *j, int tdi, bool ir)
{
	unsigned cl = ir ? 4 : j->cpu_len, bl = ir ? 5 : j->bs_len;
	if (tw_dap_ids_of(j->dap)->single_tap) { /* TDI -> debug TAP -> TDO */
		j->cpu_sr = (j->cpu_sr >> 1) | ((uint64_t)(tdi & 1) << (cl - 1));
		return;
	}
	j->cpu_sr = (j->cpu_sr >> 1) | ((j->bs_sr & 1u) << (cl - 1));
	j->bs_sr = (j->bs_sr >> 1) | ((uint64_t)(tdi & 1) << (bl - 1));
}

static void jtag_enter(tw_jtag *j, uint8_t st)
{
	j->state = st;
	if (st == TLR)
		jtag_reset(j);
	else if (st == UPD_IR) {
		j->cpu_ir = (unsigned)(j->cpu_sr & 0xFu);
		j->bs_ir = (unsigned)(j->bs_sr & 0x1Fu);
	} else if (st == UPD_DR && jtag_is_acc(j->cpu_ir))
		jtag_update_acc(j);
}

void tw_jtag_clock(tw_jtag *j, int tms, int tdi)
{
	tw_dap_clock_bits(j->dap, 1);
	switch (j->state) {
	case CAP_DR: jtag_capture_dr(j); break;
	case CAP_IR:
		j->cpu_sr = 0x1u; /* IR capture 0b0001 (probes.md §3.7) */
		j->bs_sr = 0x01u; /* xx01 (IEEE 1149.1 §7.1.1) */
		break;
	case SH_DR: jtag_shift(j, tdi, false); break;
	case SH_IR: jtag_shift(j, tdi, true); break;
	default: break;
	}
	jtag_enter(j, jtag_next[j->state][tms & 1]);
}

int tw_jtag_tdo(const tw_jtag *j)
{
	if (j->state == SH_DR || j->state == SH_IR)
		return (int)(j->cpu_sr & 1u);
	return 1;
}
