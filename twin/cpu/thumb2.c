/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ARMv7-M 32-bit Thumb-2 encodings a Cortex-M3/M4 runs beyond ARMv6-M's (tc_cpu.v7m): what
 * debuggers' flash loaders and small stubs use. See thumb.h for the list and what locks up.
 *
 * Sources: Arm DDI 0403E ARMv7-M Architecture Reference Manual: §A5.3 (32-bit encoding
 * groups: op1 = hw1[12:11], op2 = hw1[10:4], op = hw2[15]), §A5.3.1 (data processing, modified
 * immediate), §A5.3.2 (ThumbExpandImm_C), §A5.3.3 (plain binary immediate), §A5.3.4 (branches
 * and miscellaneous control), §A5.3.5 (load/store multiple), §A5.3.6 (load/store dual,
 * exclusive, table branch), §A5.3.7-§A5.3.10 (load word/halfword/byte, store single),
 * §A5.3.11 (data processing, shifted register), §A7.4.2 (DecodeImmShift), §A5.3.12 (data
 * processing, register), §A5.3.15 (miscellaneous operations), §A5.3.16-§A5.3.17 (multiply,
 * long multiply and divide), §A7.7 (each instruction's pseudocode and flags), §A3.4
 * (exclusive monitors). Cycle counts: Cortex-M4 TRM (DDI 0439B) §3.3.1 Table 3-1, as in
 * thumb.c; SDIV/UDIV take "2-12" cycles by operand values: 12 used (UNCONFIRMED). */
#include "cpu/thumb_int.h"

#define T2_DIV_CYCLES 12U

/* Lock up, and say the encoding was decoded here (thumb.c must not look at it again). */
static bool t2_lock(tc_x *x, const char *why)
{
	tc_lock(x, why);
	return true;
}

/* ---- §A5.3.2 ThumbExpandImm_C ---- */
static uint32_t t2_expand_imm(uint16_t hw1, uint16_t hw2, bool *carry)
{
	uint32_t imm12 = (((uint32_t)hw1 >> 10) & 1U) << 11 | (((uint32_t)hw2 >> 12) & 7U) << 8 |
			 (hw2 & 0xFFU);
	uint32_t b = imm12 & 0xFFU;
	if ((imm12 >> 10) == 0) {
		switch ((imm12 >> 8) & 3U) {
		case 0: return b;
		case 1: return b << 16 | b;
		case 2: return b << 24 | b << 8;
		default: return b << 24 | b << 16 | b << 8 | b;
		}
	}
	return tc_ror(0x80U | (imm12 & 0x7FU), imm12 >> 7, carry);
}

/* §A7.4.2 DecodeImmShift + Shift_C (type 3 with imm5 = 0: RRX). */
static uint32_t t2_shift(const tc_cpu *c, uint32_t v, unsigned type, unsigned imm5, bool *carry)
{
	switch (type) {
	case 0: return tc_lsl(v, imm5, carry);
	case 1: return tc_lsr(v, imm5 ? imm5 : 32U, carry);
	case 2: return tc_asr(v, imm5 ? imm5 : 32U, carry);
	default:
		if (imm5)
			return tc_ror(v, imm5, carry);
		*carry = (v & 1U) != 0;
		return (v >> 1) | (c->c ? 0x80000000U : 0U);
	}
}

/* The data-processing operations shared by the modified-immediate (§A5.3.1) and
 * shifted-register (§A5.3.11) groups: op = hw1[8:5]. b is the second operand with its shifter
 * carry. Rd = 15 with S is the compare form (TST, TEQ, CMN, CMP). */
static bool t2_dp(tc_x *x, unsigned op, bool s, unsigned rn, unsigned rd, uint32_t b, bool carry)
{
	tc_cpu *c = x->c;
	uint32_t a = c->r[rn], r;
	bool logical = true, write = true;
	if (rn == 15 && op != 2 && op != 3) /* ADR has its own (plain binary) encoding */
		return t2_lock(x, "Thumb-2 data processing with Rn = PC (UNPREDICTABLE)");
	switch (op) {
	case 0: r = a & b; write = !(rd == 15 && s); break;                 /* AND, TST */
	case 1: r = a & ~b; break;                                          /* BIC */
	case 2: r = rn == 15 ? b : a | b; break;                            /* ORR, MOV */
	case 3: r = rn == 15 ? ~b : a | ~b; break;                          /* ORN, MVN */
	case 4: r = a ^ b; write = !(rd == 15 && s); break;                 /* EOR, TEQ */
	case 8: r = tc_adc(c, a, b, false, s); logical = false;             /* ADD, CMN */
		write = !(rd == 15 && s); break;
	case 10: r = tc_adc(c, a, b, c->c, s); logical = false; break;      /* ADC */
	case 11: r = tc_adc(c, a, ~b, c->c, s); logical = false; break;     /* SBC */
	case 13: r = tc_adc(c, a, ~b, true, s); logical = false;            /* SUB, CMP */
		write = !(rd == 15 && s); break;
	case 14: r = tc_adc(c, ~a, b, true, s); logical = false; break;     /* RSB */
	default: return t2_lock(x, "undefined Thumb-2 data-processing opcode");
	}
	if (write && (rd == 13 || rd == 15) && !(rd == 13 && rn == 13 && (op == 8 || op == 13)))
		return t2_lock(x, "Thumb-2 data processing writing SP or PC (UNPREDICTABLE)");
	if (logical && s) {
		tc_nz(c, r);
		c->c = carry;
	}
	if (write)
		tc_set(x, rd, r);
	x->cyc += 1;
	return true;
}

/* §A5.3.3 plain binary immediate: ADDW/SUBW/ADR, MOVW/MOVT, SBFX/UBFX, BFI/BFC. */
static bool t2_plain_imm(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op = (hw1 >> 4) & 0x1FU, rn = hw1 & 15U, rd = (hw2 >> 8) & 15U;
	uint32_t imm12 = (((uint32_t)hw1 >> 10) & 1U) << 11 | (((uint32_t)hw2 >> 12) & 7U) << 8 |
			 (hw2 & 0xFFU);
	unsigned lsb = ((hw2 >> 12) & 7U) << 2 | ((hw2 >> 6) & 3U), w5 = hw2 & 0x1FU;
	uint32_t v = c->r[rn];
	if (rd == 15 || (rd == 13 && !(rn == 13 && (op == 0x00 || op == 0x0A))))
		return t2_lock(x, "Thumb-2 immediate writing SP or PC (UNPREDICTABLE)");
	x->cyc += 1;
	switch (op) {
	case 0x00: /* ADDW, ADR (add) */
		c->r[rd] = (rn == 15 ? (x->pc + 4U) & ~3U : v) + imm12;
		return true;
	case 0x0A: /* SUBW, ADR (subtract) */
		c->r[rd] = (rn == 15 ? (x->pc + 4U) & ~3U : v) - imm12;
		return true;
	case 0x04: /* MOVW */
		c->r[rd] = (uint32_t)rn << 12 | imm12;
		return true;
	case 0x0C: /* MOVT */
		c->r[rd] = (c->r[rd] & 0xFFFFU) | ((uint32_t)rn << 12 | imm12) << 16;
		return true;
	case 0x14:   /* SBFX */
	case 0x1C: { /* UBFX */
		if (lsb + w5 > 31U)
			return t2_lock(x, "SBFX/UBFX beyond bit 31 (UNPREDICTABLE)");
		uint32_t f = (v >> lsb) & (w5 == 31U ? 0xFFFFFFFFU : (1U << (w5 + 1U)) - 1U);
		c->r[rd] = op == 0x14 ? tc_sext(f, w5 + 1U) : f;
		return true;
	}
	case 0x16: { /* BFI, BFC (Rn = 15) */
		if (w5 < lsb)
			return t2_lock(x, "BFI/BFC with msb < lsb (UNPREDICTABLE)");
		unsigned width = w5 - lsb + 1U;
		uint32_t m = (width == 32U ? 0xFFFFFFFFU : (1U << width) - 1U) << lsb;
		uint32_t ins = rn == 15 ? 0U : v << lsb;
		c->r[rd] = (c->r[rd] & ~m) | (ins & m);
		return true;
	}
	default:
		return t2_lock(x, "SSAT/USAT are not modelled");
	}
}

/* §A5.3.4 branches: B<c>.W (T3) and B.W (T4); hints and CLREX. BL, MSR, MRS, DSB/DMB/ISB
 * and UDF are left to thumb.c (false). */
static bool t2_branch_misc(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op = (hw1 >> 4) & 0x7FU, op1 = (hw2 >> 12) & 7U;
	uint32_t s = (hw1 >> 10) & 1U, j1 = (hw2 >> 13) & 1U, j2 = (hw2 >> 11) & 1U;
	if ((op1 & 5U) == 1U) { /* B T4 */
		uint32_t i1 = (j1 ^ s) ^ 1U, i2 = (j2 ^ s) ^ 1U;
		uint32_t imm = s << 24 | i1 << 23 | i2 << 22 | ((uint32_t)hw1 & 0x3FFU) << 12 |
			       ((uint32_t)hw2 & 0x7FFU) << 1;
		uint32_t target = x->pc + 4U + tc_sext(imm, 25);
		x->cyc += 1;
		tc_branch(x, target);
		if (target == x->pc)
			x->idle = "branch to itself (b .)";
		return true;
	}
	if ((op1 & 5U) != 0U)
		return false; /* BL */
	if ((op & 0x38U) != 0x38U) { /* B<c> T3 */
		uint32_t imm = s << 20 | j2 << 19 | j1 << 18 | ((uint32_t)hw1 & 0x3FU) << 12 |
			       ((uint32_t)hw2 & 0x7FFU) << 1;
		x->cyc += 1;
		if (tc_cond_pass(c, (hw1 >> 6) & 15U)) {
			uint32_t target = x->pc + 4U + tc_sext(imm, 21);
			tc_branch(x, target);
			if (target == x->pc)
				x->idle = "branch to itself (b .)";
		}
		return true;
	}
	if (op == 0x3AU) { /* hints: NOP.W, YIELD.W, WFE.W, WFI.W, SEV.W (§A5.3.4 Table A5-17) */
		x->cyc += 1;
		switch (hw2 & 0xFFU) {
		case 2:
			if (c->event)
				c->event = false;
			else
				x->idle = "WFE with no event pending (no interrupts or events are modelled)";
			break;
		case 3: x->idle = "WFI (no interrupts are modelled: nothing wakes the core)"; break;
		case 4: c->event = true; break;
		default: break;
		}
		return true;
	}
	if (op == 0x3BU && ((hw2 >> 4) & 15U) == 2U) { /* CLREX: no monitor state to clear */
		x->cyc += 1;
		return true;
	}
	return false;
}

/* §A5.3.5 LDM/STM (IA, DB) .W, PUSH.W, POP.W. */
static bool t2_multiple(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op = (hw1 >> 7) & 3U, rn = hw1 & 15U;
	bool wback = (hw1 >> 5) & 1U, load = (hw1 >> 4) & 1U;
	uint32_t list = hw2;
	unsigned n = tc_popcount(list);
	if (op == 0 || op == 3)
		return t2_lock(x, "RFE/SRS (not in ARMv7-M)");
	if (rn == 15 || n < 2 || (list & 0x2000U) || (!load && (list & 0x8000U)) ||
	    (load && (list & 0xC000U) == 0xC000U) || (wback && ((list >> rn) & 1U)))
		return t2_lock(x, "LDM/STM register list (UNPREDICTABLE)");
	uint32_t base = c->r[rn];
	uint32_t lo = op == 1 ? base : base - 4U * n;
	uint32_t after = op == 1 ? base + 4U * n : base - 4U * n;
	x->cyc += 1 + n;
	bool ok = load ? tc_ldm(x, list, lo) : tc_stm(x, list, lo);
	if (ok && wback)
		c->r[rn] = after;
	return true;
}

/* §A5.3.6 load/store dual, exclusive, table branch. */
static bool t2_dual(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op1 = (hw1 >> 7) & 3U, op2 = (hw1 >> 4) & 3U, op3 = (hw2 >> 4) & 15U;
	unsigned rn = hw1 & 15U, rt = (hw2 >> 12) & 15U, rt2 = (hw2 >> 8) & 15U;
	uint32_t base = tc_reg(x, rn), v;
	if (op1 == 0 && op2 < 2) { /* STREX / LDREX: imm8 * 4 */
		uint32_t a = base + (hw2 & 0xFFU) * 4U;
		x->cyc += 2;
		if (op2 == 1) {
			if (tc_ld(x, a, 4, &v))
				c->r[rt] = v;
		} else {
			if (tc_st(x, a, 4, c->r[rt]))
				c->r[rt2] = 0; /* the store succeeded (one core: the monitor is ours) */
		}
		return true;
	}
	if (op1 == 1 && op2 < 2 && op3 < 2 && op2 == 1) { /* TBB, TBH */
		uint32_t rm = c->r[hw2 & 15U], off;
		bool h = op3 == 1;
		if (!tc_ld(x, base + (h ? rm * 2U : rm), h ? 2U : 1U, &off))
			return true;
		x->cyc += 2;
		tc_branch(x, x->pc + 4U + 2U * off);
		return true;
	}
	if (op1 == 1 && op2 < 2) { /* LDREXB/H, STREXB/H (op3 4, 5); D is not in ARMv7-M */
		unsigned size = op3 == 4 ? 1U : op3 == 5 ? 2U : 0U;
		if (!size)
			return t2_lock(x, "exclusive doubleword (not in ARMv7-M)");
		x->cyc += 2;
		if (op2 == 1) {
			if (tc_ld(x, base, size, &v))
				c->r[rt] = v;
		} else if (tc_st(x, base, size, c->r[rt])) {
			c->r[hw2 & 15U] = 0;
		}
		return true;
	}
	/* LDRD / STRD (immediate): P = hw1[8], U = hw1[7], W = hw1[5], L = hw1[4] */
	bool p = (hw1 >> 8) & 1U, u = (hw1 >> 7) & 1U, w = (hw1 >> 5) & 1U, l = (hw1 >> 4) & 1U;
	uint32_t imm = (hw2 & 0xFFU) * 4U;
	uint32_t off = u ? base + imm : base - imm;
	uint32_t a = rn == 15 ? (u ? ((x->pc + 4U) & ~3U) + imm : ((x->pc + 4U) & ~3U) - imm)
			     : (p ? off : base);
	if ((w && (rn == 15 || rn == rt || rn == rt2)) || rt >= 13 || rt2 >= 13 || (l && rt == rt2))
		return t2_lock(x, "LDRD/STRD registers (UNPREDICTABLE)");
	x->cyc += 3;
	if (l) {
		uint32_t v2;
		if (!tc_ld(x, a, 4, &v) || !tc_ld(x, a + 4U, 4, &v2))
			return true;
		c->r[rt] = v;
		c->r[rt2] = v2;
	} else if (!tc_st(x, a, 4, c->r[rt]) || !tc_st(x, a + 4U, 4, c->r[rt2])) {
		return true;
	}
	if (w)
		c->r[rn] = off;
	return true;
}

/* §A5.3.7-§A5.3.10 load/store single: hw1 = 1111100 S U(imm12) size(2) L Rn. */
static bool t2_single(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	bool sign = (hw1 >> 8) & 1U, imm12 = (hw1 >> 7) & 1U, load = (hw1 >> 4) & 1U;
	unsigned size = 1U << ((hw1 >> 5) & 3U), rn = hw1 & 15U, rt = (hw2 >> 12) & 15U;
	uint32_t base = c->r[rn], addr, wb = 0;
	bool wback = false;
	if (size == 8U || (!load && sign))
		return t2_lock(x, "undefined Thumb-2 load/store encoding");
	if (rn == 15) { /* literal (loads only): U = hw1[7], Align(PC, 4) */
		if (!load)
			return t2_lock(x, "store with Rn = PC (UNDEFINED)");
		uint32_t pc = (x->pc + 4U) & ~3U, imm = hw2 & 0xFFFU;
		addr = imm12 ? pc + imm : pc - imm;
	} else if (imm12) {
		addr = base + (hw2 & 0xFFFU);
	} else if (hw2 & 0x0800U) { /* imm8: P = hw2[10], U = hw2[9], W = hw2[8] */
		bool p = (hw2 >> 10) & 1U, u = (hw2 >> 9) & 1U, w = (hw2 >> 8) & 1U;
		uint32_t imm = hw2 & 0xFFU, off = u ? base + imm : base - imm;
		if (!p && !w)
			return t2_lock(x, "undefined Thumb-2 load/store encoding");
		addr = p ? off : base;
		wback = w;
		wb = off;
		if (wback && rn == rt)
			return t2_lock(x, "load/store writeback with Rn = Rt (UNPREDICTABLE)");
	} else if ((hw2 & 0x0FC0U) == 0) { /* register, LSL #imm2 */
		unsigned rm = hw2 & 15U;
		if (rm >= 13)
			return t2_lock(x, "load/store with Rm = SP or PC (UNPREDICTABLE)");
		addr = base + (c->r[rm] << ((hw2 >> 4) & 3U));
	} else {
		return t2_lock(x, "undefined Thumb-2 load/store encoding");
	}
	if (load && rt == 15) {
		if (size != 4U) { /* PLD, PLI: hints, nothing to do */
			x->cyc += 1;
			return true;
		}
		uint32_t v;
		x->cyc += 2 + TC_P;
		if (!tc_ld(x, addr, 4, &v))
			return true;
		if (wback)
			c->r[rn] = wb;
		tc_bx(x, v);
		return true;
	}
	if (rt == 15 || (rt == 13 && size != 4U))
		return t2_lock(x, "load/store with Rt = SP or PC (UNPREDICTABLE)");
	tc_ldst(x, load, size, sign, rt, addr);
	if (c->state == TC_RUN && wback)
		c->r[rn] = wb;
	return true;
}

/* §A5.3.12 data processing (register), §A5.3.15 miscellaneous. */
static bool t2_dp_reg(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op1 = (hw1 >> 4) & 15U, op2 = (hw2 >> 4) & 15U, rn = hw1 & 15U;
	unsigned rd = (hw2 >> 8) & 15U, rm = hw2 & 15U;
	uint32_t a = c->r[rn], m = c->r[rm], r;
	bool carry = c->c;
	if ((hw2 & 0xF000U) != 0xF000U || rd >= 13 || rm >= 13)
		return t2_lock(x, "undefined Thumb-2 data-processing (register) encoding");
	x->cyc += 1;
	if (op1 < 8 && op2 == 0) { /* LSL, LSR, ASR, ROR (register), S = hw1[4] */
		switch (op1 >> 1) {
		case 0: r = tc_lsl(a, m & 0xFFU, &carry); break;
		case 1: r = tc_lsr(a, m & 0xFFU, &carry); break;
		case 2: r = tc_asr(a, m & 0xFFU, &carry); break;
		default: r = tc_ror(a, m & 0xFFU, &carry); break;
		}
		if (op1 & 1U) {
			tc_nz(c, r);
			c->c = carry;
		}
		c->r[rd] = r;
		return true;
	}
	if (op1 < 6 && (op2 & 8U)) { /* SXTH/UXTH/SXTB/UXTB and their accumulate forms */
		unsigned rot = 8U * ((hw2 >> 4) & 3U);
		uint32_t v = rot ? (m >> rot) | (m << (32U - rot)) : m;
		switch (op1) {
		case 0: v = tc_sext(v & 0xFFFFU, 16); break;
		case 1: v &= 0xFFFFU; break;
		case 4: v = tc_sext(v & 0xFFU, 8); break;
		case 5: v &= 0xFFU; break;
		default: return t2_lock(x, "SXTB16/UXTB16 are not modelled");
		}
		c->r[rd] = rn == 15 ? v : a + v;
		return true;
	}
	if ((op1 & 0xCU) == 8U && (op2 & 0xCU) == 8U) { /* §A5.3.15 */
		unsigned k = (op1 & 3U) << 2 | (op2 & 3U);
		switch (k) {
		case 0x4: r = (m >> 24) | ((m >> 8) & 0xFF00U) | ((m << 8) & 0xFF0000U) | (m << 24);
			break; /* REV */
		case 0x5: r = ((m >> 8) & 0x00FF00FFU) | ((m << 8) & 0xFF00FF00U); break; /* REV16 */
		case 0x6: /* RBIT */
			r = 0;
			for (unsigned i = 0; i < 32; i++)
				r |= ((m >> i) & 1U) << (31U - i);
			break;
		case 0x7: r = tc_sext(((m >> 8) & 0xFFU) | ((m & 0xFFU) << 8), 16); break; /* REVSH */
		case 0xC: /* CLZ */
			r = 32;
			for (unsigned i = 0; i < 32; i++)
				if ((m << i) & 0x80000000U) {
					r = i;
					break;
				}
			break;
		default: return t2_lock(x, "SEL/saturating arithmetic are not modelled");
		}
		c->r[rd] = r;
		return true;
	}
	return t2_lock(x, "parallel add/subtract (DSP) is not modelled");
}

/* §A5.3.16 multiply, §A5.3.17 long multiply and divide. */
static bool t2_mul(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	tc_cpu *c = x->c;
	unsigned op1 = (hw1 >> 4) & 7U, op2 = (hw2 >> 4) & 15U, rn = hw1 & 15U, rm = hw2 & 15U;
	unsigned ra = (hw2 >> 12) & 15U, rd = (hw2 >> 8) & 15U;
	uint32_t a = c->r[rn], b = c->r[rm];
	if (rn >= 13 || rm >= 13 || rd >= 13)
		return t2_lock(x, "multiply with SP or PC (UNPREDICTABLE)");
	if (!((hw1 >> 7) & 1U)) { /* §A5.3.16: MUL, MLA, MLS */
		if (op1 != 0 || op2 > 1)
			return t2_lock(x, "DSP multiply is not modelled");
		if (ra == 15 && op2 == 0) {
			x->cyc += 1;
			c->r[rd] = a * b;
		} else {
			if (ra == 13 || ra == 15)
				return t2_lock(x, "MLA/MLS with Ra = SP or PC (UNPREDICTABLE)");
			x->cyc += 2;
			c->r[rd] = op2 == 0 ? c->r[ra] + a * b : c->r[ra] - a * b;
		}
		return true;
	}
	unsigned lo = ra, hi = rd;
	if (op1 == 1 || op1 == 3) { /* SDIV, UDIV: Rd = hw2[11:8]; /0 gives 0 (DIV_0_TRP = 0) */
		if (op2 != 15)
			return t2_lock(x, "undefined Thumb-2 divide encoding");
		x->cyc += T2_DIV_CYCLES;
		if (b == 0)
			c->r[rd] = 0;
		else if (op1 == 3)
			c->r[rd] = a / b;
		else if (a == 0x80000000U && b == 0xFFFFFFFFU)
			c->r[rd] = 0x80000000U; /* overflow wraps (§A7.7.127) */
		else
			c->r[rd] = (uint32_t)((int32_t)a / (int32_t)b);
		return true;
	}
	if (op2 != 0 || lo >= 13 || hi >= 13 || lo == hi)
		return t2_lock(x, "long multiply form not modelled or UNPREDICTABLE");
	uint64_t acc = (uint64_t)c->r[hi] << 32 | c->r[lo], p;
	switch (op1) {
	case 0: p = (uint64_t)((int64_t)(int32_t)a * (int32_t)b); break;          /* SMULL */
	case 2: p = (uint64_t)a * b; break;                                           /* UMULL */
	case 4: p = (uint64_t)((int64_t)(int32_t)a * (int32_t)b) + acc; break;      /* SMLAL */
	case 6: p = (uint64_t)a * b + acc; break;                                     /* UMLAL */
	default: return t2_lock(x, "DSP long multiply is not modelled");
	}
	x->cyc += 1;
	c->r[lo] = (uint32_t)p;
	c->r[hi] = (uint32_t)(p >> 32);
	return true;
}

bool tc_thumb2(tc_x *x, uint16_t hw1, uint16_t hw2)
{
	unsigned op1 = (hw1 >> 11) & 3U;
	if (op1 == 1) {
		if ((hw1 & 0x0600U) == 0x0000U) /* hw1[10:9] = 00 */
			return (hw1 & 0x0040U) ? t2_dual(x, hw1, hw2) : t2_multiple(x, hw1, hw2);
		if ((hw1 & 0x0600U) == 0x0200U) { /* data processing (shifted register) */
			unsigned op = (hw1 >> 5) & 15U, rd = (hw2 >> 8) & 15U, rm = hw2 & 15U;
			bool carry = x->c->c;
			if (rm >= 13 || (hw2 & 0x8000U))
				return t2_lock(x, "shifted-register operand SP or PC (UNPREDICTABLE)");
			unsigned imm5 = ((hw2 >> 12) & 7U) << 2 | ((hw2 >> 6) & 3U);
			uint32_t b = t2_shift(x->c, x->c->r[rm], (hw2 >> 4) & 3U, imm5, &carry);
			return t2_dp(x, op, (hw1 >> 4) & 1U, hw1 & 15U, rd, b, carry);
		}
		return t2_lock(x, "coprocessor/FPU instructions are not modelled");
	}
	if (op1 == 2) {
		if (hw2 & 0x8000U)
			return t2_branch_misc(x, hw1, hw2);
		if (hw1 & 0x0200U)
			return t2_plain_imm(x, hw1, hw2);
		bool carry = x->c->c;
		uint32_t imm = t2_expand_imm(hw1, hw2, &carry);
		return t2_dp(x, (hw1 >> 5) & 15U, (hw1 >> 4) & 1U, hw1 & 15U, (hw2 >> 8) & 15U, imm,
			     carry);
	}
	if (op1 == 3) {
		if ((hw1 & 0x0E00U) == 0x0800U) /* 1111100x: load/store single */
			return t2_single(x, hw1, hw2);
		if ((hw1 & 0x0F00U) == 0x0A00U) /* 11111010: data processing (register) */
			return t2_dp_reg(x, hw1, hw2);
		if ((hw1 & 0x0F00U) == 0x0B00U) /* 11111011: multiply, long multiply, divide */
			return t2_mul(x, hw1, hw2);
		return t2_lock(x, "coprocessor/FPU instructions are not modelled");
	}
	return false;
}
