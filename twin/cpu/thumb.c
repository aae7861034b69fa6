/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ARMv6-M Thumb interpreter (see thumb.h for what it models and what locks it up).
 *
 * Sources: Arm DDI 0419 ARMv6-M Architecture Reference Manual: §A5.1 (16/32-bit instruction
 * length: bits[15:11] 0b11101/0b11110/0b11111 start a 32-bit one), §A5.1.2 (PC reads as the
 * instruction's address + 4; Align(PC, 4) for literal loads and ADR), §A5.2.1-§A5.2.5 (16-bit
 * encoding tables), §A5.3 and §A5.3.1 (32-bit: only "branch and miscellaneous control", op1 =
 * hw1[10:4], op2 = hw2[14:12]), §A6.7 (each instruction's pseudocode and flag results),
 * §A2.2.1 (Shift_C, LSL_C, LSR_C, ASR_C, ROR_C carry rules), §A2.2.2 (AddWithCarry), §A2.3.2
 * (BranchWritePC, BXWritePC, LoadWritePC: EPSR.T = address bit 0), §A3.2.1 (unaligned word and
 * halfword accesses fault), §B1.4.2 (SP_main/SP_process, CONTROL.SPSEL), §B1.5.5 (TakeReset),
 * §B1.5.17 (WFE, SEV and the event register), §B5.2.2/§B5.2.3 (MRS/MSR SYSm values);
 * ARMv7-M ARM (DDI 0403E) §B1.5.15 (lockup).
 *
 * Cycle counts: Cortex-M4 Technical Reference Manual, Arm DDI 0439B, §3.3.1 Table 3-1 (zero
 * wait states). Data processing, MOV, ADR, extend, reverse, compare, MULS (single-cycle
 * multiplier): 1. LDR/STR (all forms): 2, but 1 when it follows another single load/store (the
 * table's note: neighbouring load/store single instructions pipeline their address and data
 * phases). LDM/STM/PUSH/POP: 1 + N; POP with PC: 1 + N + P. Taken B, B<cond>, BX, BLX, BL,
 * MOV/ADD to PC: 1 + P; B<cond> not taken: 1. MRS, MSR, CPS: the table gives "1 or 2": 2 used.
 * DMB, DSB: 1 + B with B = 0; ISB: 1 + B with B = P. NOP, YIELD, SEV, WFI/WFE: 1.
 * P (pipeline refill) is "1 to 3 depending on the alignment and width of the target
 * instruction, and whether the processor manages to speculate the address early": UNCONFIRMED
 * which applies per branch; the twin uses P = 2 throughout (a taken branch costs 3 cycles). */
#include "cpu/thumb_int.h"

#include <stddef.h>

bool tc_lock(tc_x *x, const char *why)
{
	x->c->state = TC_LOCKUP;
	x->c->why = why;
	x->c->fault_pc = x->pc;
	return false;
}

uint32_t tc_reg(const tc_x *x, unsigned n)
{
	return n == 15 ? x->pc + 4U : x->c->r[n];
}

/* §A2.3.2 BranchWritePC (MOV/ADD to PC): bit 0 is ignored. */
void tc_branch(tc_x *x, uint32_t addr)
{
	x->next = addr & ~1U;
	x->cyc += TC_P;
}

/* §A2.3.2 BXWritePC / LoadWritePC: bit 0 goes to EPSR.T; 0 faults on the next fetch. */
void tc_bx(tc_x *x, uint32_t addr)
{
	x->c->t = (addr & 1U) != 0;
	tc_branch(x, addr);
}

/* R[n] = v for any register: SP keeps bits [1:0] zero (§B1.4.2), PC branches. */
void tc_set(tc_x *x, unsigned n, uint32_t v)
{
	if (n == 15)
		tc_branch(x, v);
	else
		x->c->r[n] = n == 13 ? (v & ~3U) : v;
}

/* ---- flags (§A2.2.1, §A2.2.2) ---- */
void tc_nz(tc_cpu *c, uint32_t r)
{
	c->n = (r >> 31) != 0;
	c->z = r == 0;
}

uint32_t tc_adc(tc_cpu *c, uint32_t a, uint32_t b, bool cin, bool setflags)
{
	uint64_t u = (uint64_t)a + b + (cin ? 1U : 0U);
	uint32_t r = (uint32_t)u;
	if (setflags) {
		tc_nz(c, r);
		c->c = (u >> 32) != 0;
		c->v = (((a ^ r) & (b ^ r)) >> 31) != 0;
	}
	return r;
}

/* Shift by n (0..255) with carry out; n = 0 leaves the value and *carry unchanged. */
uint32_t tc_lsl(uint32_t x, unsigned n, bool *carry)
{
	if (n == 0)
		return x;
	if (n < 32) {
		*carry = ((x >> (32 - n)) & 1U) != 0;
		return x << n;
	}
	*carry = n == 32 && (x & 1U);
	return 0;
}

uint32_t tc_lsr(uint32_t x, unsigned n, bool *carry)
{
	if (n == 0)
		return x;
	if (n < 32) {
		*carry = ((x >> (n - 1)) & 1U) != 0;
		return x >> n;
	}
	*carry = n == 32 && (x >> 31);
	return 0;
}

uint32_t tc_asr(uint32_t x, unsigned n, bool *carry)
{
	bool neg = (x >> 31) != 0;
	if (n == 0)
		return x;
	if (n < 32) {
		*carry = ((x >> (n - 1)) & 1U) != 0;
		return (x >> n) | (neg ? ~(0xFFFFFFFFU >> n) : 0U);
	}
	*carry = neg;
	return neg ? 0xFFFFFFFFU : 0U;
}

uint32_t tc_ror(uint32_t x, unsigned n, bool *carry)
{
	if (n == 0)
		return x;
	unsigned m = n & 31U;
	uint32_t r = m ? (x >> m) | (x << (32 - m)) : x;
	*carry = (r >> 31) != 0;
	return r;
}

/* ---- memory ---- */
/* An unaligned single load/store on ARMv7-M (§A3.2.1): done as byte accesses, little-endian. */
static bool tc_unaligned(tc_x *x, uint32_t a, unsigned size, uint32_t *v, bool load)
{
	uint32_t w = 0;
	for (unsigned i = 0; i < size; i++) {
		uint32_t b = load ? 0U : (*v >> (8 * i)) & 0xFFU;
		tc_bus_rc rc = load ? x->c->bus.read(x->c->bus.ctx, a + i, 1, false, &b)
				    : x->c->bus.write(x->c->bus.ctx, a + i, 1, b);
		if (rc == TC_BUS_FAULT) {
			x->c->fault_addr = a + i;
			return tc_lock(x, load ? "bus error on a data read" : "bus error on a data write");
		}
		if (rc == TC_BUS_HALT)
			x->halt = true;
		w |= (b & 0xFFU) << (8 * i);
	}
	if (load)
		*v = w;
	return true;
}

bool tc_ld(tc_x *x, uint32_t a, unsigned size, uint32_t *v)
{
	*v = 0;
	if (a & (size - 1U)) {
		if (x->unal)
			return tc_unaligned(x, a, size, v, true);
		x->c->fault_addr = a;
		return tc_lock(x, "unaligned load (ARMv6-M §A3.2.1: UsageFault/HardFault)");
	}
	tc_bus_rc rc = x->c->bus.read(x->c->bus.ctx, a, size, false, v);
	if (rc == TC_BUS_FAULT) {
		x->c->fault_addr = a;
		return tc_lock(x, "bus error on a data read");
	}
	if (rc == TC_BUS_HALT)
		x->halt = true;
	return true;
}

bool tc_st(tc_x *x, uint32_t a, unsigned size, uint32_t v)
{
	if (a & (size - 1U)) {
		if (x->unal)
			return tc_unaligned(x, a, size, &v, false);
		x->c->fault_addr = a;
		return tc_lock(x, "unaligned store (ARMv6-M §A3.2.1: UsageFault/HardFault)");
	}
	tc_bus_rc rc = x->c->bus.write(x->c->bus.ctx, a, size, v);
	if (rc == TC_BUS_FAULT) {
		x->c->fault_addr = a;
		return tc_lock(x, "bus error on a data write");
	}
	if (rc == TC_BUS_HALT)
		x->halt = true;
	return true;
}

uint32_t tc_sext(uint32_t v, unsigned bits)
{
	uint32_t m = 1U << (bits - 1);
	return (v ^ m) - m;
}

/* Single load or store with its sign extension (2 cycles, 1 when pipelined: Table 3-1). */
void tc_ldst(tc_x *x, bool load, unsigned size, bool sign, unsigned rt, uint32_t addr)
{
	x->ls = true;
	x->cyc += x->c->last_ls ? 1U : 2U;
	x->unal = x->c->v7m && size > 1; /* ARMv7-M §A3.2.1: single accesses may be unaligned */
	if (!load) {
		tc_st(x, addr, size, x->c->r[rt]);
		x->unal = false;
		return;
	}
	uint32_t v;
	bool ok = tc_ld(x, addr, size, &v);
	x->unal = false;
	if (!ok)
		return;
	x->c->r[rt] = sign ? tc_sext(v, 8 * size) : v;
}

/* ---- §A5.2.1 shift (immediate), add, subtract, move, compare ---- */
static void tc_shift_add(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	unsigned rd = op & 7U, rm = (op >> 3) & 7U, imm5 = (op >> 6) & 31U;
	unsigned rdn8 = (op >> 8) & 7U, imm8 = op & 0xFFU;
	uint32_t r;
	bool carry = c->c;
	x->cyc += 1;
	switch ((op >> 11) & 7U) {
	case 0: /* LSLS Rd, Rm, #imm5 (imm5 = 0: MOVS Rd, Rm, C unchanged) */
		r = tc_lsl(c->r[rm], imm5, &carry);
		break;
	case 1: /* LSRS #imm5, 0 encodes 32 */
		r = tc_lsr(c->r[rm], imm5 ? imm5 : 32U, &carry);
		break;
	case 2: /* ASRS #imm5, 0 encodes 32 */
		r = tc_asr(c->r[rm], imm5 ? imm5 : 32U, &carry);
		break;
	case 3: { /* ADDS/SUBS register or 3-bit immediate */
		unsigned rn = (op >> 3) & 7U, m = (op >> 6) & 7U;
		uint32_t b = (op & 0x0400U) ? m : c->r[m];
		c->r[rd] = (op & 0x0200U) ? tc_adc(c, c->r[rn], ~b, true, true)
					  : tc_adc(c, c->r[rn], b, false, true);
		return;
	}
	case 4: /* MOVS Rd, #imm8: N, Z; C, V unchanged */
		c->r[rdn8] = imm8;
		tc_nz(c, imm8);
		return;
	case 5: /* CMP Rn, #imm8 */
		tc_adc(c, c->r[rdn8], ~(uint32_t)imm8, true, true);
		return;
	case 6: /* ADDS Rdn, #imm8 */
		c->r[rdn8] = tc_adc(c, c->r[rdn8], imm8, false, true);
		return;
	default: /* SUBS Rdn, #imm8 */
		c->r[rdn8] = tc_adc(c, c->r[rdn8], ~(uint32_t)imm8, true, true);
		return;
	}
	c->r[rd] = r;
	tc_nz(c, r);
	c->c = carry;
}

/* ---- §A5.2.2 data processing (register) ---- */
static void tc_dp(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	unsigned rdn = op & 7U, rm = (op >> 3) & 7U;
	uint32_t a = c->r[rdn], b = c->r[rm], r;
	bool carry = c->c;
	x->cyc += 1;
	switch ((op >> 6) & 15U) {
	case 0: r = a & b; break;                                 /* ANDS */
	case 1: r = a ^ b; break;                                 /* EORS */
	case 2: r = tc_lsl(a, b & 0xFFU, &carry); break;          /* LSLS Rdn, Rm */
	case 3: r = tc_lsr(a, b & 0xFFU, &carry); break;          /* LSRS */
	case 4: r = tc_asr(a, b & 0xFFU, &carry); break;          /* ASRS */
	case 5: c->r[rdn] = tc_adc(c, a, b, c->c, true); return;  /* ADCS */
	case 6: c->r[rdn] = tc_adc(c, a, ~b, c->c, true); return; /* SBCS */
	case 7: r = tc_ror(a, b & 0xFFU, &carry); break;          /* RORS */
	case 8: tc_nz(c, a & b); return;                          /* TST */
	case 9: c->r[rdn] = tc_adc(c, ~b, 0, true, true); return; /* RSBS Rd, Rn, #0 */
	case 10: tc_adc(c, a, ~b, true, true); return;            /* CMP */
	case 11: tc_adc(c, a, b, false, true); return;            /* CMN */
	case 12: r = a | b; break;                                /* ORRS */
	case 13: r = a * b; break;                                /* MULS: N, Z only (§A6.7.44) */
	case 14: r = a & ~b; break;                               /* BICS */
	default: r = ~b; break;                                   /* MVNS */
	}
	c->r[rdn] = r;
	tc_nz(c, r);
	c->c = carry;
}

/* ---- §A5.2.3 special data instructions and branch and exchange ---- */
static void tc_special(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	unsigned rm = (op >> 3) & 15U, rdn = (op & 7U) | ((op >> 4) & 8U);
	x->cyc += 1;
	switch ((op >> 8) & 3U) {
	case 0: /* ADD Rdn, Rm (no flags; to PC: a branch) */
		tc_set(x, rdn, tc_reg(x, rdn) + tc_reg(x, rm));
		return;
	case 1: /* CMP Rn, Rm (high registers) */
		tc_adc(c, tc_reg(x, rdn), ~tc_reg(x, rm), true, true);
		return;
	case 2: /* MOV Rd, Rm (no flags) */
		tc_set(x, rdn, tc_reg(x, rm));
		return;
	default:
		if (op & 0x0080U) { /* BLX Rm: LR = next instruction | 1 */
			if (rm == 15) {
				tc_lock(x, "BLX PC (UNPREDICTABLE)");
				return;
			}
			uint32_t target = c->r[rm];
			c->r[14] = (x->pc + 2U) | 1U;
			tc_bx(x, target);
		} else { /* BX Rm */
			tc_bx(x, tc_reg(x, rm));
		}
		return;
	}
}

/* ---- §A5.2.4 load/store single data item ---- */
static void tc_loadstore(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	unsigned rt = op & 7U, rn = (op >> 3) & 7U, imm5 = (op >> 6) & 31U;
	bool load = (op & 0x0800U) != 0;
	switch (op >> 12) {
	case 0x5: { /* register offset: opB = bits 11:9 */
		static const struct { bool load; unsigned size; bool sign; } k[8] = {
			{false, 4, false}, {false, 2, false}, {false, 1, false}, {true, 1, true},
			{true, 4, false},  {true, 2, false},  {true, 1, false},  {true, 2, true},
		};
		unsigned ob = (op >> 9) & 7U;
		uint32_t addr = c->r[rn] + c->r[(op >> 6) & 7U];
		tc_ldst(x, k[ob].load, k[ob].size, k[ob].sign, rt, addr);
		return;
	}
	case 0x6: tc_ldst(x, load, 4, false, rt, c->r[rn] + imm5 * 4U); return; /* STR/LDR #imm */
	case 0x7: tc_ldst(x, load, 1, false, rt, c->r[rn] + imm5); return;      /* STRB/LDRB */
	case 0x8: tc_ldst(x, load, 2, false, rt, c->r[rn] + imm5 * 2U); return; /* STRH/LDRH */
	default: /* 0x9: STR/LDR Rt, [SP, #imm8 * 4] */
		tc_ldst(x, load, 4, false, (op >> 8) & 7U, c->r[13] + (op & 0xFFU) * 4U);
		return;
	}
}

/* ---- LDM/STM/PUSH/POP (§A6.7.25, §A6.7.48, §A6.7.49, §A6.7.59) ---- */
unsigned tc_popcount(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1U)
		n++;
	return n;
}

/* Store the registers of list (bit i = Ri) at ascending addresses from addr. */
bool tc_stm(tc_x *x, uint32_t list, uint32_t addr)
{
	for (unsigned i = 0; i < 16; i++)
		if ((list >> i) & 1U) {
			if (!tc_st(x, addr, 4, x->c->r[i]))
				return false;
			addr += 4;
		}
	return true;
}

/* Load them; PC (bit 15) through LoadWritePC. */
bool tc_ldm(tc_x *x, uint32_t list, uint32_t addr)
{
	uint32_t v[16];
	for (unsigned i = 0; i < 16; i++)
		if ((list >> i) & 1U) {
			if (!tc_ld(x, addr, 4, &v[i]))
				return false; /* registers untouched: the core locks up anyway */
			addr += 4;
		}
	for (unsigned i = 0; i < 15; i++)
		if ((list >> i) & 1U)
			x->c->r[i] = v[i];
	if (list & 0x8000U)
		tc_bx(x, v[15]);
	return true;
}

static void tc_multiple(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	unsigned rn = (op >> 8) & 7U;
	uint32_t list = op & 0xFFU;
	if (!list) {
		tc_lock(x, "LDM/STM with an empty register list (UNPREDICTABLE)");
		return;
	}
	uint32_t base = c->r[rn], end = base + 4U * tc_popcount(list);
	x->cyc += 1 + tc_popcount(list);
	if (op & 0x0800U) { /* LDM Rn{!}: writeback unless Rn is in the list (§A6.7.25) */
		if (tc_ldm(x, list, base) && !((list >> rn) & 1U))
			c->r[rn] = end;
	} else if (tc_stm(x, list, base)) { /* STM Rn!: always writeback; Rn's old value stored */
		c->r[rn] = end;
	}
}

static void tc_push_pop(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	bool pop = (op & 0x0800U) != 0;
	uint32_t list = (op & 0xFFU) | ((op & 0x0100U) ? (pop ? 0x8000U : 0x4000U) : 0U);
	if (!list) {
		tc_lock(x, "PUSH/POP with an empty register list (UNPREDICTABLE)");
		return;
	}
	uint32_t n = tc_popcount(list);
	x->cyc += 1 + n;
	if (pop) {
		uint32_t sp = c->r[13];
		if (tc_ldm(x, list, sp))
			c->r[13] = sp + 4U * n;
	} else {
		uint32_t sp = c->r[13] - 4U * n;
		if (tc_stm(x, list, sp))
			c->r[13] = sp;
	}
}

/* ---- §A5.2.5 miscellaneous 16-bit instructions ---- */
static void tc_hint(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	if (op & 0xFU) {
		tc_lock(x, "IT is not an ARMv6-M instruction (UNDEFINED)");
		return;
	}
	x->cyc += 1;
	switch ((op >> 4) & 15U) {
	case 2: /* WFE: consumes a pending event, else sleeps until one (§B1.5.17) */
		if (c->event)
			c->event = false;
		else
			x->idle = "WFE with no event pending (no interrupts or events are modelled)";
		return;
	case 3:
		x->idle = "WFI (no interrupts are modelled: nothing wakes the core)";
		return;
	case 4: c->event = true; return; /* SEV: sets this processor's event register too */
	default: return;                 /* NOP, YIELD; unallocated hints execute as NOP */
	}
}

static void tc_misc(tc_x *x, uint16_t op)
{
	tc_cpu *c = x->c;
	unsigned rd = op & 7U, rm = (op >> 3) & 7U;
	uint32_t v = c->r[rm];
	unsigned o = (op >> 5) & 0x7FU; /* bits 11:5 */
	if ((o & 0x7CU) == 0x00U) { /* ADD SP, SP, #imm7 * 4 */
		x->cyc += 1;
		c->r[13] = (c->r[13] + (op & 0x7FU) * 4U) & ~3U;
	} else if ((o & 0x7CU) == 0x04U) { /* SUB SP, SP, #imm7 * 4 */
		x->cyc += 1;
		c->r[13] = (c->r[13] - (op & 0x7FU) * 4U) & ~3U;
	} else if ((o & 0x78U) == 0x10U) { /* SXTH, SXTB, UXTH, UXTB */
		static const unsigned bits[4] = {16, 8, 16, 8};
		unsigned k = (op >> 6) & 3U;
		uint32_t mask = bits[k] == 16 ? 0xFFFFU : 0xFFU;
		x->cyc += 1;
		c->r[rd] = k < 2 ? tc_sext(v & mask, bits[k]) : v & mask;
	} else if ((o & 0x70U) == 0x20U) { /* PUSH */
		tc_push_pop(x, op);
	} else if (o == 0x33U) { /* CPSIE i / CPSID i: PRIMASK (the only mask in ARMv6-M) */
		x->cyc += TC_SPECIAL_CYCLES;
		if (op & 2U)
			c->primask = (op & 0x10U) != 0;
		if ((op & 1U) && c->v7m) /* CPS f: FAULTMASK (ARMv7-M §B5.2.1) */
			c->faultmask = (op & 0x10U) != 0;
	} else if ((o & 0x78U) == 0x50U && ((op >> 6) & 3U) != 2U) { /* REV, REV16, REVSH */
		uint32_t r;
		x->cyc += 1;
		switch ((op >> 6) & 3U) {
		case 0: r = (v >> 24) | ((v >> 8) & 0xFF00U) | ((v << 8) & 0xFF0000U) | (v << 24); break;
		case 1: r = ((v >> 8) & 0x00FF00FFU) | ((v << 8) & 0xFF00FF00U); break;
		default: r = tc_sext(((v >> 8) & 0xFFU) | ((v & 0xFFU) << 8), 16); break;
		}
		c->r[rd] = r;
	} else if ((o & 0x70U) == 0x60U) { /* POP */
		tc_push_pop(x, op);
	} else if ((o & 0x78U) == 0x70U) {
		if (c->bkpt_halts) { /* a debug event: halt at the BKPT (ARMv7-M §C1.4) */
			c->state = TC_BREAK;
			c->why = "BKPT: halted for the debugger";
			c->fault_pc = x->pc;
		} else {
			tc_lock(x, "BKPT with no debugger and no exception model (HardFault)");
		}
	} else if (c->v7m && (op & 0xF500U) == 0xB100U) { /* CBZ, CBNZ (ARMv7-M §A7.7.21) */
		uint32_t imm = (((uint32_t)op >> 9) & 1U) << 6 | (((uint32_t)op >> 3) & 0x1FU) << 1;
		bool nz = (op & 0x0800U) != 0;
		x->cyc += 1;
		if ((c->r[op & 7U] == 0) != nz)
			tc_branch(x, x->pc + 4U + imm);
	} else if (c->v7m && (o & 0x78U) == 0x78U && (op & 0xFU)) { /* IT (§A7.7.37) */
		unsigned first = (op >> 4) & 15U;
		if (first == 15 || (first == 14 && tc_popcount(op & 0xFU) != 1)) {
			tc_lock(x, "IT with an UNPREDICTABLE condition");
			return;
		}
		x->cyc += 1;
		c->itstate = (uint8_t)(op & 0xFFU);
	} else if ((o & 0x78U) == 0x78U) {
		tc_hint(x, op);
	} else {
		tc_lock(x, "undefined 16-bit encoding (CBZ/CBNZ/IT/SETEND are not ARMv6-M)");
	}
}

/* ---- branches ---- */
/* §A6.3 condition codes (ARMv7-M §A7.3): odd cond inverts; 14 (and 15 in an IT block) always. */
bool tc_cond_pass(const tc_cpu *c, unsigned cond)
{
	bool take;
	if (cond >= 14)
		return true;
	switch (cond >> 1) {
	case 0: take = c->z; break;
	case 1: take = c->c; break;
	case 2: take = c->n; break;
	case 3: take = c->v; break;
	case 4: take = c->c && !c->z; break;
	case 5: take = c->n == c->v; break;
	default: take = !c->z && c->n == c->v; break;
	}
	return (cond & 1U) ? !take : take;
}

static void tc_cond_branch(tc_x *x, uint16_t op)
{
	unsigned cond = (op >> 8) & 15U;
	if (cond == 14) {
		tc_lock(x, "UDF (permanently undefined)");
		return;
	}
	if (cond == 15) {
		tc_lock(x, "SVC with no exception model");
		return;
	}
	x->cyc += 1;
	if (!tc_cond_pass(x->c, cond))
		return;
	uint32_t target = x->pc + 4U + tc_sext(((uint32_t)op & 0xFFU) << 1, 9);
	tc_branch(x, target);
	if (target == x->pc)
		x->idle = "branch to itself (b .)";
}

static void tc_b(tc_x *x, uint16_t op)
{
	uint32_t target = x->pc + 4U + tc_sext(((uint32_t)op & 0x7FFU) << 1, 12);
	x->cyc += 1;
	tc_branch(x, target);
	if (target == x->pc)
		x->idle = "branch to itself (b .)";
}

/* ---- §A5.3.1 32-bit branch and miscellaneous control ---- */
static void tc_msr(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned rn = hw1 & 15U, sysm = hw2 & 0xFFU;
	uint32_t v = c->r[rn];
	if (rn == 13 || rn == 15) {
		tc_lock(x, "MSR from SP or PC (UNPREDICTABLE)");
		return;
	}
	x->cyc += TC_SPECIAL_CYCLES;
	if (sysm < 8) { /* xPSR forms: only APSR (SYSm<2> == 0) is writable */
		if (!(sysm & 4U)) {
			c->n = (v >> 31) != 0;
			c->z = ((v >> 30) & 1U) != 0;
			c->c = ((v >> 29) & 1U) != 0;
			c->v = ((v >> 28) & 1U) != 0;
		}
	} else if (sysm == 8 || sysm == 9) { /* MSP, PSP */
		if ((sysm == 9) == c->spsel)
			c->r[13] = v & ~3U;
		else
			c->sp_other = v & ~3U;
	} else if (sysm == 16) {
		c->primask = (v & 1U) != 0;
	} else if (c->v7m && (sysm == 17 || sysm == 18)) { /* BASEPRI, BASEPRI_MAX (§B5.2.3) */
		uint8_t b = (uint8_t)v;
		if (sysm == 17 || (b && (!c->basepri || b < c->basepri)))
			c->basepri = b;
	} else if (c->v7m && sysm == 19) {
		c->faultmask = (v & 1U) != 0;
	} else if (sysm == 20) { /* CONTROL: Thread mode, SPSEL (bit 1) switches stacks */
		bool sel = (v & 2U) != 0;
		if (sel != c->spsel) {
			uint32_t t = c->r[13];
			c->r[13] = c->sp_other;
			c->sp_other = t;
			c->spsel = sel;
		}
	} else {
		tc_lock(x, "MSR to a special register ARMv6-M does not have");
	}
}

static void tc_mrs(tc_x *x, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned rd = (hw2 >> 8) & 15U, sysm = hw2 & 0xFFU;
	uint32_t v;
	if (rd == 13 || rd == 15) {
		tc_lock(x, "MRS to SP or PC (UNPREDICTABLE)");
		return;
	}
	if (sysm < 8)
		v = (sysm & 4U) ? 0U : tc_apsr(c); /* IPSR = 0 (Thread mode), EPSR reads as zero */
	else if (sysm == 8)
		v = c->spsel ? c->sp_other : c->r[13];
	else if (sysm == 9)
		v = c->spsel ? c->r[13] : c->sp_other;
	else if (sysm == 16)
		v = c->primask ? 1U : 0U;
	else if (c->v7m && (sysm == 17 || sysm == 18))
		v = c->basepri;
	else if (c->v7m && sysm == 19)
		v = c->faultmask ? 1U : 0U;
	else if (sysm == 20)
		v = c->spsel ? 2U : 0U;
	else {
		tc_lock(x, "MRS of a special register ARMv6-M does not have");
		return;
	}
	x->cyc += TC_SPECIAL_CYCLES;
	c->r[rd] = v;
}

static void tc_32(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op1 = (hw1 >> 4) & 0x7FU, op2 = (hw2 >> 12) & 7U;
	if (c->v7m && tc_thumb2(x, hw1, hw2))
		return;
	if ((hw1 & 0xF800U) != 0xF000U || !(hw2 & 0x8000U)) {
		tc_lock(x, "32-bit Thumb-2 encoding outside ARMv6-M (UNDEFINED here)");
		return;
	}
	if ((op2 & 5U) == 5U) { /* BL: I1 = NOT(J1 EOR S), I2 = NOT(J2 EOR S) (§A6.7.13) */
		uint32_t s = (hw1 >> 10) & 1U, j1 = (hw2 >> 13) & 1U, j2 = (hw2 >> 11) & 1U;
		uint32_t i1 = (j1 ^ s) ^ 1U, i2 = (j2 ^ s) ^ 1U;
		uint32_t imm = (s << 24) | (i1 << 23) | (i2 << 22) | (((uint32_t)hw1 & 0x3FFU) << 12) |
			       (((uint32_t)hw2 & 0x7FFU) << 1);
		c->r[14] = (x->pc + 4U) | 1U;
		x->cyc += 1;
		tc_branch(x, x->pc + 4U + tc_sext(imm, 25));
		return;
	}
	if ((op2 & 5U) == 0U) {
		if ((op1 & 0x7EU) == 0x38U) {
			tc_msr(x, hw1, hw2);
			return;
		}
		if ((op1 & 0x7EU) == 0x3EU) {
			tc_mrs(x, hw2);
			return;
		}
		if (op1 == 0x3BU) { /* §A5.3.2 DSB 0100, DMB 0101, ISB 0110 */
			unsigned opc = (hw2 >> 4) & 15U;
			if (opc == 4 || opc == 5) {
				x->cyc += 1;
				return;
			}
			if (opc == 6) {
				x->cyc += 1 + TC_P;
				return;
			}
		}
	}
	if (op2 == 2U && op1 == 0x7FU) {
		tc_lock(x, "UDF.W (permanently undefined)");
		return;
	}
	tc_lock(x, "undefined 32-bit encoding");
}

/* ---- one instruction ---- */
static bool tc_fetch(tc_x *x, uint32_t addr, uint16_t *op)
{
	uint32_t v = 0;
	tc_bus_rc rc = x->c->bus.read(x->c->bus.ctx, addr, 2, true, &v);
	if (rc == TC_BUS_FAULT) {
		x->c->fault_addr = addr;
		return tc_lock(x, "bus error on an instruction fetch");
	}
	if (rc == TC_BUS_HALT)
		x->halt = true;
	*op = (uint16_t)v;
	return true;
}

/* §A7.3.3 ITAdvance. */
static void tc_it_advance(tc_cpu *c)
{
	if ((c->itstate & 7U) == 0)
		c->itstate = 0;
	else
		c->itstate = (uint8_t)((c->itstate & 0xE0U) | ((c->itstate << 1) & 0x1FU));
}

/* The 16-bit encodings that set flags outside an IT block but not inside it (§A7.3: "setflags =
 * !InITBlock()"): shift/add/subtract/move except CMP #imm8, and data processing except TST,
 * CMP, CMN. */
static bool tc_it_keeps_flags(uint16_t op)
{
	if ((op >> 11) <= 7U)
		return (op >> 11) != 5U;
	if ((op >> 10) == 0x10U) {
		unsigned k = (op >> 6) & 15U;
		return k != 8 && k != 10 && k != 11;
	}
	return false;
}

/* In an IT block: a failed condition skips the instruction (1 cycle); a passed one runs with
 * the flags saved for tc_it_end. Returns true to execute. */
static bool tc_conditional(tc_cpu *c, tc_x *x, uint16_t op)
{
	if (tc_cond_pass(c, c->itstate >> 4)) {
		x->flags_saved = tc_it_keeps_flags(op);
		if (x->flags_saved) {
			x->nzcv[0] = c->n;
			x->nzcv[1] = c->z;
			x->nzcv[2] = c->c;
			x->nzcv[3] = c->v;
		}
		return true;
	}
	unsigned top = op >> 11;
	c->r[15] = x->pc + ((top == 0x1DU || top == 0x1EU || top == 0x1FU) ? 4U : 2U);
	c->insns++;
	c->cycles += 1;
	c->last_ls = false;
	tc_it_advance(c);
	return false;
}

static void tc_it_end(tc_cpu *c, tc_x *x, uint16_t op)
{
	(void)op;
	if (x->flags_saved) {
		c->n = x->nzcv[0];
		c->z = x->nzcv[1];
		c->c = x->nzcv[2];
		c->v = x->nzcv[3];
	}
	tc_it_advance(c);
}

static void tc_step(tc_cpu *c)
{
	tc_x x = {.c = c, .pc = c->r[15]};
	uint16_t op;
	if (!c->t) {
		tc_lock(&x, "EPSR.T = 0: interworking to ARM state (INVSTATE)");
		return;
	}
	if (!tc_fetch(&x, x.pc, &op))
		return;
	x.next = x.pc + 2U;
	bool in_it = c->v7m && (c->itstate & 0xFU);
	if (in_it && !tc_conditional(c, &x, op))
		return;
	switch (op >> 11) {
	case 0x00: case 0x01: case 0x02: case 0x03:
	case 0x04: case 0x05: case 0x06: case 0x07:
		tc_shift_add(&x, op);
		break;
	case 0x08:
		if (op & 0x0400U)
			tc_special(&x, op);
		else
			tc_dp(&x, op);
		break;
	case 0x09: /* LDR Rt, [PC, #imm8 * 4]: Align(PC, 4) */
		tc_ldst(&x, true, 4, false, (op >> 8) & 7U, ((x.pc + 4U) & ~3U) + (op & 0xFFU) * 4U);
		break;
	case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x0E: case 0x0F:
	case 0x10: case 0x11: case 0x12: case 0x13:
		tc_loadstore(&x, op);
		break;
	case 0x14: /* ADR Rd, label */
		x.cyc += 1;
		c->r[(op >> 8) & 7U] = ((x.pc + 4U) & ~3U) + (op & 0xFFU) * 4U;
		break;
	case 0x15: /* ADD Rd, SP, #imm8 * 4 */
		x.cyc += 1;
		c->r[(op >> 8) & 7U] = c->r[13] + (op & 0xFFU) * 4U;
		break;
	case 0x16: case 0x17:
		tc_misc(&x, op);
		break;
	case 0x18: case 0x19:
		tc_multiple(&x, op);
		break;
	case 0x1A: case 0x1B:
		tc_cond_branch(&x, op);
		break;
	case 0x1C:
		tc_b(&x, op);
		break;
	default: { /* 0b11101, 0b11110, 0b11111: 32-bit */
		uint16_t hw2;
		if (!tc_fetch(&x, x.pc + 2U, &hw2))
			return;
		x.next = x.pc + 4U;
		tc_32(&x, op, hw2);
		break;
	}
	}
	if (in_it)
		tc_it_end(c, &x, op);
	if (c->state != TC_RUN)
		return;
	c->r[15] = x.next;
	c->insns++;
	c->cycles += x.cyc;
	c->last_ls = x.ls;
	if (x.halt) {
		c->state = TC_HALTED;
		c->why = "stopped by the system (the bus ended execution)";
		c->fault_pc = x.pc;
	} else if (x.idle) {
		c->state = TC_IDLE;
		c->why = x.idle;
		c->fault_pc = x.pc;
	}
}

/* ---- public ---- */
void tc_init(tc_cpu *c, const tc_bus *bus)
{
	*c = (tc_cpu){0};
	c->bus = *bus;
	c->r[14] = 0xFFFFFFFFU;
	c->t = true;
	c->state = TC_RUN;
}

void tc_enter(tc_cpu *c, uint32_t vtor)
{
	tc_x x = {.c = c, .pc = vtor};
	uint32_t sp, pc;
	if (!tc_ld(&x, vtor, 4, &sp) || !tc_ld(&x, vtor + 4U, 4, &pc))
		return;
	c->spsel = false;
	c->r[13] = sp & ~3U;
	c->r[15] = pc & ~1U;
	c->t = (pc & 1U) != 0;
	if (x.halt) {
		c->state = TC_HALTED;
		c->why = "stopped by the system (the bus ended execution)";
	}
}

tc_state tc_run(tc_cpu *c, uint64_t max_insns)
{
	for (uint64_t i = 0; i < max_insns && c->state == TC_RUN; i++)
		tc_step(c);
	return c->state;
}

uint32_t tc_apsr(const tc_cpu *c)
{
	return (c->n ? 1U << 31 : 0U) | (c->z ? 1U << 30 : 0U) | (c->c ? 1U << 29 : 0U) |
	       (c->v ? 1U << 28 : 0U);
}

const char *tc_state_name(tc_state s)
{
	switch (s) {
	case TC_RUN: return "running";
	case TC_LOCKUP: return "lockup";
	case TC_IDLE: return "idle";
	case TC_HALTED: return "halted";
	case TC_BREAK: return "breakpoint";
	}
	return "?";
}
