/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's ARMv7-M Thumb-2 decoding (twin/cpu/thumb2.c, tc_cpu.v7m) on a plain memory bus.
 * Each program below was written for this test and assembled with GNU as (cortex-m4, unified
 * syntax); its source is beside its halfwords. Expected values are computed here in C from the
 * inputs, independently of the interpreter: data processing with modified and plain immediates,
 * shifted registers and flags, every load/store addressing form (post/pre-indexed, negative,
 * register, literal, dual, multiple, unaligned), CBZ, IT blocks (conditional execution and the
 * flags a 16-bit instruction does not set inside one), TBB, B<c>.W, multiply/divide and bit
 * fields; BKPT as a debug halt; lockups for what is not modelled. */
#include "fk_test.h"

#include "cpu/thumb.h"

#define RAM 0x20000000U
#define RAM_SIZE 0x10000U
#define CODE 0x20000100U
#define DATA 0x20004000U
#define STACK 0x20008000U

static uint8_t mem[RAM_SIZE];
static tc_cpu C;

static tc_bus_rc m_read(void *ctx, uint32_t a, unsigned size, bool fetch, uint32_t *v)
{
	(void)ctx;
	(void)fetch;
	*v = 0;
	if (a < RAM || a - RAM > RAM_SIZE - size)
		return TC_BUS_FAULT;
	for (unsigned i = 0; i < size; i++)
		*v |= (uint32_t)mem[a - RAM + i] << (8 * i);
	return TC_BUS_OK;
}

static tc_bus_rc m_write(void *ctx, uint32_t a, unsigned size, uint32_t v)
{
	(void)ctx;
	if (a < RAM || a - RAM > RAM_SIZE - size)
		return TC_BUS_FAULT;
	for (unsigned i = 0; i < size; i++)
		mem[a - RAM + i] = (uint8_t)(v >> (8 * i));
	return TC_BUS_OK;
}

static uint32_t rd(uint32_t a, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)mem[a - RAM + i] << (8 * i);
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof mem);
	tc_bus bus = {.ctx = NULL, .read = m_read, .write = m_write};
	tc_init(&C, &bus);
	C.v7m = true;
	C.bkpt_halts = true;
	C.r[13] = STACK;
	return 0;
}

static void load(const uint16_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		mem[CODE - RAM + 2 * i] = (uint8_t)p[i];
		mem[CODE - RAM + 2 * i + 1] = (uint8_t)(p[i] >> 8);
	}
	C.r[15] = CODE;
}

#define LOAD(arr) load(arr, sizeof(arr) / sizeof(arr[0]))

/* Runs to the program's BKPT, which is its last halfword (or at bkpt_at). */
static void run_to_bkpt(uint32_t bkpt_at)
{
	tc_state s = tc_run(&C, 10000);
	if (s != TC_BREAK)
		fail_msg("state %s (%s) at 0x%08X, expected the BKPT at 0x%08X", tc_state_name(s),
			 C.why ? C.why : "", (unsigned)C.fault_pc, (unsigned)bkpt_at);
	assert_int_equal(C.r[15], bkpt_at);
}

enum { N = 8, Z = 4, CF = 2, V = 1 };
static unsigned flags(void)
{
	return (C.n ? N : 0) | (C.z ? Z : 0) | (C.c ? CF : 0) | (C.v ? V : 0);
}

/* movw r0,#0x1234; movt r0,#0xABCD; mov.w r1,#0x00FF00FF; orr r2,r0,#0xFF000000;
 * adds.w r3,r1,#0xFF00FF00; subs.w r4,r3,#1; bic r5,r0,#0xF0; eor r6,r0,r1;
 * rsb r7,r1,#0x100; and.w r8,r0,#0xFF; mvn r9,#0x55; addw r10,r0,#0xFFF; subw r11,r0,#0x123;
 * bkpt #0 */
static const uint16_t prog_imm[] = {
	0xF241, 0x2034, 0xF6CA, 0x30CD, 0xF04F, 0x11FF, 0xF040, 0x427F, 0xF111,
	0x23FF, 0xF1B3, 0x0401, 0xF020, 0x05F0, 0xEA80, 0x0601, 0xF5C1, 0x7780,
	0xF000, 0x08FF, 0xF06F, 0x0955, 0xF600, 0x7AFF, 0xF2A0, 0x1B23, 0xBE00,
};

static void test_immediates(void **state)
{
	(void)state;
	LOAD(prog_imm);
	run_to_bkpt(CODE + 2 * 26);
	uint32_t r0 = 0xABCD1234U, r1 = 0x00FF00FFU;
	assert_int_equal(C.r[0], r0);
	assert_int_equal(C.r[1], r1);
	assert_int_equal(C.r[2], r0 | 0xFF000000U);
	assert_int_equal(C.r[3], r1 + 0xFF00FF00U);
	assert_int_equal(C.r[4], r1 + 0xFF00FF00U - 1U);
	assert_int_equal(C.r[5], r0 & ~0xF0U);
	assert_int_equal(C.r[6], r0 ^ r1);
	assert_int_equal(C.r[7], 0x100U - r1);
	assert_int_equal(C.r[8], r0 & 0xFFU);
	assert_int_equal(C.r[9], ~0x55U);
	assert_int_equal(C.r[10], r0 + 0xFFFU);
	assert_int_equal(C.r[11], r0 - 0x123U);
	assert_int_equal(flags(), N | CF); /* SUBS 0xFFFFFFFF - 1: negative, no borrow */
}

/* add.w r2,r0,r1,lsl #4; sub.w r3,r0,r1,lsr #3; orr.w r4,r0,r1,asr #31; eor.w r5,r0,r1,ror #8;
 * movs.w r6,r0,lsl #1; mov.w r7,r1,rrx; lsl.w r8,r0,r12; asrs.w r9,r1,r12;
 * cmp.w r0,r1,lsl #1; bkpt #0 */
static const uint16_t prog_shift[] = {
	0xEB00, 0x1201, 0xEBA0, 0x03D1, 0xEA40, 0x74E1, 0xEA80, 0x2531, 0xEA5F, 0x0640,
	0xEA4F, 0x0731, 0xFA00, 0xF80C, 0xFA51, 0xF90C, 0xEBB0, 0x0F41, 0xBE00,
};

static void test_shifted_register(void **state)
{
	(void)state;
	uint32_t r0 = 0x80000001U, r1 = 0x12345678U;
	LOAD(prog_shift);
	C.r[0] = r0;
	C.r[1] = r1;
	C.r[12] = 4;
	run_to_bkpt(CODE + 2 * 18);
	assert_int_equal(C.r[2], r0 + (r1 << 4));
	assert_int_equal(C.r[3], r0 - (r1 >> 3));
	assert_int_equal(C.r[4], r0 | 0U);
	assert_int_equal(C.r[5], r0 ^ ((r1 >> 8) | (r1 << 24)));
	assert_int_equal(C.r[6], r0 << 1);
	/* RRX shifts in the carry MOVS left: bit 31 of r0 */
	assert_int_equal(C.r[7], (r1 >> 1) | 0x80000000U);
	assert_int_equal(C.r[8], r0 << 4);
	assert_int_equal(C.r[9], r1 >> 4);
	/* CMP r0, r1 << 1: 0x80000001 - 0x2468ACF0: positive, no borrow, signed overflow */
	assert_int_equal(flags(), CF | V);
}

/* ldrh.w r2,[r0],#2; strh.w r2,[r1],#2; ldrh.w r3,[r0],#2; strh.w r3,[r1],#2;
 * ldr.w r4,[r0,#4]!; ldr.w r5,[r0,#-4]; ldr.w r6,[r0,r12,lsl #2]; ldrsb.w r7,[r0,#3];
 * ldrd r8,r9,[r0,#8]; strd r8,r9,[r1,#8]!; ldr.w r10,lit; push.w {r4,r5,r6};
 * pop.w {r2,r3,r11}; ldr.w r12,[r0,#1]; str.w r12,[r1,#-7]; bkpt #0; nop; lit: .word 0xCAFEF00D */
static const uint16_t prog_ldst[] = {
	0xF830, 0x2B02, 0xF821, 0x2B02, 0xF830, 0x3B02, 0xF821, 0x3B02, 0xF850, 0x4F04, 0xF850,
	0x5C04, 0xF850, 0x602C, 0xF990, 0x7003, 0xE9D0, 0x8902, 0xE9E1, 0x8902, 0xF8DF, 0xA014,
	0xE92D, 0x0070, 0xE8BD, 0x080C, 0xF8D0, 0xC001, 0xF841, 0xCC07, 0xBE00, 0xBF00, 0xF00D,
	0xCAFE,
};

static void test_load_store(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 64; i++)
		mem[DATA - RAM + i] = (uint8_t)(i * 7U + 3U);
	LOAD(prog_ldst);
	C.r[0] = DATA;
	C.r[1] = DATA + 0x100U;
	C.r[12] = 2;
	run_to_bkpt(CODE + 2 * 30);
	uint32_t w8 = rd(DATA + 8, 4), w4 = rd(DATA + 4, 4), w16 = rd(DATA + 16, 4);
	assert_int_equal(rd(DATA + 0x100, 2), rd(DATA, 2));     /* post-indexed halfwords */
	assert_int_equal(rd(DATA + 0x102, 2), rd(DATA + 2, 2));
	assert_int_equal(C.r[0], DATA + 8);                      /* pre-indexed writeback */
	assert_int_equal(C.r[5], w4);                            /* negative offset */
	assert_int_equal(C.r[6], w16);                           /* register, LSL #2 */
	assert_int_equal(C.r[7], (uint32_t)(int32_t)(int8_t)mem[DATA - RAM + 11]);
	assert_int_equal(C.r[8], w16);                           /* LDRD */
	assert_int_equal(C.r[9], rd(DATA + 20, 4));
	assert_int_equal(C.r[1], DATA + 0x10CU);                 /* STRD pre-indexed writeback */
	assert_int_equal(rd(DATA + 0x10C, 4), w16);
	assert_int_equal(rd(DATA + 0x110, 4), rd(DATA + 20, 4));
	assert_int_equal(C.r[10], 0xCAFEF00DU);                  /* literal */
	assert_int_equal(C.r[2], w8);                            /* PUSH.W / POP.W round trip */
	assert_int_equal(C.r[3], w4);
	assert_int_equal(C.r[11], w16);
	assert_int_equal(C.r[13], STACK);
	assert_int_equal(rd(STACK - 12, 4), w8);
	assert_int_equal(C.r[12], rd(DATA + 9, 4));              /* unaligned load */
	assert_int_equal(rd(DATA + 0x105, 4), rd(DATA + 9, 4));  /* unaligned store */
}

/* movs r2,#0; loop: cbz r1,done; ldrb.w r3,[r0],#1; add r2,r3; subs r1,#1; b.w loop;
 * done: cmp r2,#100; ite hi; movhi r4,#1; movls r4,#2; movs r5,#0; cmp r5,#0; itt eq;
 * addeq r5,#7 (16-bit: no flags inside IT); subseq.w r6,r5,#7; movs r7,#2; tbb [pc,r7];
 * .byte 2,5,8,0; c0: movs.w r8,#10; b end; c1: movs.w r8,#11; b end; c2: movs.w r8,#12;
 * end: cmp.w r8,#12; bne.w never; beq.w fin; never: movs.w r9,#0xEE; fin: bkpt #1 */
static const uint16_t prog_flow[] = {
	0x2200, 0xB129, 0xF810, 0x3B01, 0x441A, 0x3901, 0xF7FF, 0xBFF9, 0x2A64, 0xBF8C,
	0x2401, 0x2402, 0x2500, 0x2D00, 0xBF04, 0x3507, 0xF1B5, 0x0607, 0x2702, 0xE8DF,
	0xF007, 0x0502, 0x0008, 0xF05F, 0x080A, 0xE004, 0xF05F, 0x080B, 0xE001, 0xF05F,
	0x080C, 0xF1B8, 0x0F0C, 0xF040, 0x8002, 0xF000, 0x8002, 0xF05F, 0x09EE, 0xBE01,
};

static void run_flow(const uint8_t *bytes, unsigned n)
{
	memcpy(mem + (DATA - RAM), bytes, n);
	LOAD(prog_flow);
	C.r[0] = DATA;
	C.r[1] = n;
	C.r[6] = 0x5A5A5A5AU;
	run_to_bkpt(CODE + 2 * 39);
	assert_int_equal(C.r[1], 0);
	assert_int_equal(C.r[0], DATA + n);
	assert_int_equal(C.r[5], 7);
	/* the ADDS inside the IT block left Z set, so the second conditional ran */
	assert_int_equal(C.r[6], 0);
	assert_int_equal(C.r[8], 12); /* TBB entry 2 */
	assert_int_equal(C.r[9], 0);  /* BNE.W not taken, BEQ.W taken */
}

static void test_flow_control(void **state)
{
	(void)state;
	static const uint8_t big[] = {10, 20, 30, 40, 50};
	run_flow(big, sizeof big);
	assert_int_equal(C.r[2], 150);
	assert_int_equal(C.r[4], 1); /* ITE HI: then */
	setup(NULL);
	static const uint8_t small[] = {1, 2, 3};
	run_flow(small, sizeof small);
	assert_int_equal(C.r[2], 6);
	assert_int_equal(C.r[4], 2); /* ITE HI: else */
}

/* mul r2,r0,r1; mla r3,r0,r1,r2; mls r4,r0,r1,r3; umull r5,r6,r0,r1; smull r7,r8,r0,r1;
 * udiv r9,r0,r1; sdiv r10,r0,r1; udiv r11,r0,r12; ubfx r12,r0,#4,#8; bfi r2,r1,#8,#4;
 * clz r3,r1; rbit r4,r1; rev r5,r0; uxtb.w r6,r0,ror #8; sxth.w r7,r0; sbfx r8,r0,#28,#4;
 * bfc r9,#0,#16; bkpt #2 */
static const uint16_t prog_arith[] = {
	0xFB00, 0xF201, 0xFB00, 0x2301, 0xFB00, 0x3411, 0xFBA0, 0x5601, 0xFB80, 0x7801, 0xFBB0,
	0xF9F1, 0xFB90, 0xFAF1, 0xFBB0, 0xFBFC, 0xF3C0, 0x1C07, 0xF361, 0x220B, 0xFAB1, 0xF381,
	0xFA91, 0xF4A1, 0xBA05, 0xFA5F, 0xF690, 0xFA0F, 0xF780, 0xF340, 0x7803, 0xF36F, 0x090F,
	0xBE02,
};

static void test_multiply_divide_bitfield(void **state)
{
	(void)state;
	uint32_t a = 0x89ABCDEFU, b = 19;
	LOAD(prog_arith);
	C.r[0] = a;
	C.r[1] = b;
	C.r[12] = 0;
	run_to_bkpt(CODE + 2 * 33);
	uint32_t mul = a * b, mla = a * b + mul;
	uint64_t um = (uint64_t)a * b;
	int64_t sm = (int64_t)(int32_t)a * (int32_t)b;
	uint32_t rbit = 0;
	for (unsigned i = 0; i < 32; i++)
		rbit |= ((b >> i) & 1U) << (31 - i);
	assert_int_equal(C.r[2], (mul & ~0xF00U) | ((b & 0xFU) << 8)); /* MUL then BFI */
	assert_int_equal(C.r[3], 27);                                  /* MLA then CLZ(19) */
	assert_int_equal(C.r[4], rbit);                                /* MLS then RBIT */
	(void)mla;
	assert_int_equal(C.r[5], ((a & 0xFFU) << 24) | ((a & 0xFF00U) << 8) | ((a >> 8) & 0xFF00U) |
				     (a >> 24)); /* UMULL lo, then REV */
	assert_int_equal(C.r[6], (a >> 8) & 0xFFU);                    /* UMULL hi, then UXTB ror 8 */
	assert_int_equal(C.r[7], (uint32_t)(int32_t)(int16_t)(a & 0xFFFFU)); /* SXTH */
	assert_int_equal(C.r[8], 0xFFFFFFF8U);                         /* SBFX #28, #4 of 0x8 */
	assert_int_equal(C.r[9], (a / b) & 0xFFFF0000U);               /* UDIV then BFC */
	assert_int_equal(C.r[10], (uint32_t)((int32_t)a / (int32_t)b)); /* SDIV */
	assert_int_equal(C.r[11], 0);                                  /* /0 = 0 */
	assert_int_equal(C.r[12], (a >> 4) & 0xFFU);                   /* UBFX */
	(void)um;
	(void)sm;
}

/* The long multiplies on their own (their results are overwritten above). */
static void test_long_multiply(void **state)
{
	(void)state;
	static const uint16_t p[] = {0xFBA0, 0x5601, 0xFB80, 0x7801, 0xBE00}; /* umull; smull */
	uint32_t a = 0x89ABCDEFU, b = 0xFFFFFFF3U;
	LOAD(p);
	C.r[0] = a;
	C.r[1] = b;
	run_to_bkpt(CODE + 8);
	uint64_t um = (uint64_t)a * b;
	uint64_t sm = (uint64_t)((int64_t)(int32_t)a * (int32_t)b);
	assert_int_equal(C.r[5], (uint32_t)um);
	assert_int_equal(C.r[6], (uint32_t)(um >> 32));
	assert_int_equal(C.r[7], (uint32_t)sm);
	assert_int_equal(C.r[8], (uint32_t)(sm >> 32));
}

/* What the v7m decoder does not model still locks the core up, with the reason. */
static void test_not_modelled_locks_up(void **state)
{
	(void)state;
	static const uint16_t vmov[] = {0xEE00, 0x0A10};  /* vmov s0, r0 (FPU) */
	static const uint16_t ssat[] = {0xF300, 0x0107};  /* ssat r1, #8, r0 */
	static const uint16_t ldm_unal[] = {0xE890, 0x0006}; /* ldm.w r0, {r1, r2} */
	LOAD(vmov);
	assert_int_equal(tc_run(&C, 1), TC_LOCKUP);
	assert_non_null(strstr(C.why, "coprocessor"));
	setup(NULL);
	LOAD(ssat);
	assert_int_equal(tc_run(&C, 1), TC_LOCKUP);
	assert_non_null(strstr(C.why, "SSAT"));
	setup(NULL);
	LOAD(ldm_unal);
	C.r[0] = DATA + 2; /* LDM needs word alignment even on ARMv7-M (§A3.2.1) */
	assert_int_equal(tc_run(&C, 1), TC_LOCKUP);
	assert_non_null(strstr(C.why, "unaligned"));
	/* without a debugger BKPT is still a HardFault */
	setup(NULL);
	C.bkpt_halts = false;
	static const uint16_t bk[] = {0xBE00};
	LOAD(bk);
	assert_int_equal(tc_run(&C, 1), TC_LOCKUP);
	/* and an ARMv6-M core still refuses Thumb-2 */
	setup(NULL);
	C.v7m = false;
	LOAD(prog_imm);
	assert_int_equal(tc_run(&C, 1), TC_LOCKUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_immediates, setup),
		cmocka_unit_test_setup(test_shifted_register, setup),
		cmocka_unit_test_setup(test_load_store, setup),
		cmocka_unit_test_setup(test_flow_control, setup),
		cmocka_unit_test_setup(test_multiply_divide_bitfield, setup),
		cmocka_unit_test_setup(test_long_multiply, setup),
		cmocka_unit_test_setup(test_not_modelled_locks_up, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
