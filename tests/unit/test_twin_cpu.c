/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's ARMv6-M Thumb interpreter (twin/cpu/thumb.c) on a plain memory bus: every
 * instruction class with expected registers and APSR flags (Arm DDI 0419 §A6.7; encodings
 * assembled by hand from §A5.2/§A5.3), PC-relative alignment, load/store forms, LDM/STM
 * writeback rules, interworking, conditional branches against an independent table of
 * conditions, a real program (bitwise CRC-32) against a C reference, lockups (unaligned access,
 * bus error, undefined encodings, SVC/BKPT), idle detection, the instruction budget and cycle
 * counts (Cortex-M4 TRM Table 3-1 as chosen in thumb.c). */
#include "fk_test.h"

#include "core/core.h"

#include "cpu/thumb.h"

#define RAM 0x20000000U
#define RAM_SIZE 0x10000U
#define CODE 0x20000100U
#define DATA 0x20004000U
#define STACK 0x20008000U
#define HALT_REG 0x40000000U /* a write here stops the core (as a system reset does) */

static uint8_t mem[RAM_SIZE];
static tc_cpu C;
static unsigned fetches, writes;

static tc_bus_rc m_read(void *ctx, uint32_t a, unsigned size, bool fetch, uint32_t *v)
{
	(void)ctx;
	*v = 0;
	if (fetch)
		fetches++;
	if (a < RAM || a - RAM > RAM_SIZE - size)
		return TC_BUS_FAULT;
	for (unsigned i = 0; i < size; i++)
		*v |= (uint32_t)mem[a - RAM + i] << (8 * i);
	return TC_BUS_OK;
}

static tc_bus_rc m_write(void *ctx, uint32_t a, unsigned size, uint32_t v)
{
	(void)ctx;
	writes++;
	if (a == HALT_REG)
		return TC_BUS_HALT;
	if (a < RAM || a - RAM > RAM_SIZE - size)
		return TC_BUS_FAULT;
	for (unsigned i = 0; i < size; i++)
		mem[a - RAM + i] = (uint8_t)(v >> (8 * i));
	return TC_BUS_OK;
}

static void w32(uint32_t a, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		mem[a - RAM + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t r32(uint32_t a)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)mem[a - RAM + i] << (8 * i);
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof mem);
	tc_bus bus = {.ctx = NULL, .read = m_read, .write = m_write};
	tc_init(&C, &bus);
	C.r[13] = STACK;
	C.r[15] = CODE;
	fetches = writes = 0;
	return 0;
}

/* Put halfwords at CODE, PC there, run n instructions. */
static void prog_at(uint32_t at, const uint16_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		mem[at - RAM + 2 * i] = (uint8_t)p[i];
		mem[at - RAM + 2 * i + 1] = (uint8_t)(p[i] >> 8);
	}
	C.r[15] = at;
}

#define RUNN(count, ...)                                                                        \
	do {                                                                                    \
		static const uint16_t p_[] = {__VA_ARGS__};                                     \
		prog_at(CODE, p_, sizeof p_ / sizeof p_[0]);                                    \
		tc_run(&C, (count));                                                            \
	} while (0)
#define RUN(...) RUNN(sizeof((const uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t), __VA_ARGS__)

enum { N = 8, Z = 4, CF = 2, V = 1 };

static unsigned flags(void)
{
	return (C.n ? N : 0) | (C.z ? Z : 0) | (C.c ? CF : 0) | (C.v ? V : 0);
}

static void setf(unsigned f)
{
	C.n = (f & N) != 0;
	C.z = (f & Z) != 0;
	C.c = (f & CF) != 0;
	C.v = (f & V) != 0;
}

static void reset_cpu(void)
{
	setup(NULL);
}

/* ---- arithmetic ---- */
typedef struct arith_case {
	uint32_t a, b, r;
	unsigned f;
} arith_case;

static void test_adds_subs_cmp_cmn(void **state)
{
	(void)state;
	static const arith_case add[] = {
		{1, 2, 3, 0},
		{0x7FFFFFFFU, 1, 0x80000000U, N | V},
		{0xFFFFFFFFU, 1, 0, Z | CF},
		{0x80000000U, 0x80000000U, 0, Z | CF | V},
		{0xFFFFFFFFU, 0xFFFFFFFFU, 0xFFFFFFFEU, N | CF},
		{0x80000000U, 0xFFFFFFFFU, 0x7FFFFFFFU, CF | V},
	};
	for (size_t i = 0; i < sizeof add / sizeof add[0]; i++) {
		reset_cpu();
		C.r[1] = add[i].a;
		C.r[2] = add[i].b;
		RUN(0x1888); /* ADDS r0, r1, r2 */
		assert_int_equal(C.r[0], add[i].r);
		assert_int_equal(flags(), add[i].f);
		reset_cpu();
		C.r[1] = add[i].a;
		C.r[2] = add[i].b;
		RUN(0x42D1); /* CMN r1, r2 */
		assert_int_equal(flags(), add[i].f);
	}
	static const arith_case sub[] = {
		{5, 3, 2, CF},
		{5, 5, 0, Z | CF},
		{0, 1, 0xFFFFFFFFU, N},
		{3, 5, 0xFFFFFFFEU, N},
		{0x80000000U, 1, 0x7FFFFFFFU, CF | V},
		{0x7FFFFFFFU, 0xFFFFFFFFU, 0x80000000U, N | V},
		{0, 0, 0, Z | CF},
	};
	for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		reset_cpu();
		C.r[1] = sub[i].a;
		C.r[2] = sub[i].b;
		RUN(0x1A88); /* SUBS r0, r1, r2 */
		assert_int_equal(C.r[0], sub[i].r);
		assert_int_equal(flags(), sub[i].f);
		reset_cpu();
		C.r[1] = sub[i].a;
		C.r[2] = sub[i].b;
		C.r[0] = 0xDEADBEEFU;
		RUN(0x4291); /* CMP r1, r2: flags only */
		assert_int_equal(flags(), sub[i].f);
		assert_int_equal(C.r[0], 0xDEADBEEFU);
	}
	/* immediates: ADDS r0, r1, #7; SUBS r0, r1, #7; ADDS r3, #255; SUBS r3, #1; CMP r3, #0 */
	reset_cpu();
	C.r[1] = 0xFFFFFFFCU;
	RUN(0x1DC8);
	assert_int_equal(C.r[0], 3);
	assert_int_equal(flags(), CF);
	reset_cpu();
	C.r[1] = 6;
	RUN(0x1FC8);
	assert_int_equal(C.r[0], 0xFFFFFFFFU);
	assert_int_equal(flags(), N);
	reset_cpu();
	C.r[3] = 1;
	RUN(0x33FF, 0x3B01, 0x2B00);
	assert_int_equal(C.r[3], 255);
	assert_int_equal(flags(), CF); /* 255 - 0: no borrow */
	reset_cpu();
	RUN(0x2380, 0x2B81); /* MOVS r3, #128; CMP r3, #129 */
	assert_int_equal(flags(), N);
	/* MOVS #imm8 sets N, Z; leaves C and V */
	reset_cpu();
	setf(CF | V | N);
	RUN(0x2000); /* MOVS r0, #0 */
	assert_int_equal(flags(), Z | CF | V);
}

static void test_adcs_sbcs(void **state)
{
	(void)state;
	static const struct { uint32_t a, b; unsigned fin; uint32_t r; unsigned f; } adc[] = {
		{0xFFFFFFFFU, 0, CF, 0, Z | CF},
		{0x7FFFFFFFU, 0, CF, 0x80000000U, N | V},
		{1, 2, 0, 3, 0},
		{1, 2, CF, 4, 0},
		{0xFFFFFFFFU, 0xFFFFFFFFU, CF, 0xFFFFFFFFU, N | CF},
	};
	for (size_t i = 0; i < sizeof adc / sizeof adc[0]; i++) {
		reset_cpu();
		setf(adc[i].fin);
		C.r[0] = adc[i].a;
		C.r[1] = adc[i].b;
		RUN(0x4148); /* ADCS r0, r1 */
		assert_int_equal(C.r[0], adc[i].r);
		assert_int_equal(flags(), adc[i].f);
	}
	static const struct { uint32_t a, b; unsigned fin; uint32_t r; unsigned f; } sbc[] = {
		{5, 3, 0, 1, CF},            /* C clear: one more borrowed */
		{5, 3, CF, 2, CF},
		{0, 0, 0, 0xFFFFFFFFU, N},
		{0, 0, CF, 0, Z | CF},
		{0x80000000U, 0, 0, 0x7FFFFFFFU, CF | V},
	};
	for (size_t i = 0; i < sizeof sbc / sizeof sbc[0]; i++) {
		reset_cpu();
		setf(sbc[i].fin);
		C.r[0] = sbc[i].a;
		C.r[1] = sbc[i].b;
		RUN(0x4188); /* SBCS r0, r1 */
		assert_int_equal(C.r[0], sbc[i].r);
		assert_int_equal(flags(), sbc[i].f);
	}
	/* a 64-bit add through ADDS + ADCS */
	reset_cpu();
	C.r[0] = 0xFFFFFFFFU; C.r[1] = 0x00000001U; /* lo, hi of a */
	C.r[2] = 0x00000001U; C.r[3] = 0x00000002U; /* lo, hi of b */
	RUN(0x1880, 0x4159); /* ADDS r0, r0, r2; ADCS r1, r3 */
	assert_int_equal(C.r[0], 0);
	assert_int_equal(C.r[1], 4);
}

/* ---- shifts ---- */
typedef struct shift_case {
	uint16_t op; /* Rdn = r0, Rm = r1 */
	uint32_t amount, r;
	int c;       /* -1: unchanged */
} shift_case;

static void test_shifts_by_register(void **state)
{
	(void)state;
	const uint32_t x = 0x80000001U;
	static const shift_case k[] = {
		{0x4088, 0, 0x80000001U, -1}, {0x4088, 1, 0x00000002U, 1}, {0x4088, 31, 0x80000000U, 0},
		{0x4088, 32, 0, 1}, {0x4088, 33, 0, 0}, {0x4088, 256, 0x80000001U, -1},
		{0x40C8, 0, 0x80000001U, -1}, {0x40C8, 1, 0x40000000U, 1}, {0x40C8, 31, 1, 0},
		{0x40C8, 32, 0, 1}, {0x40C8, 33, 0, 0},
		{0x4108, 0, 0x80000001U, -1}, {0x4108, 1, 0xC0000000U, 1}, {0x4108, 31, 0xFFFFFFFFU, 0},
		{0x4108, 32, 0xFFFFFFFFU, 1}, {0x4108, 33, 0xFFFFFFFFU, 1},
		{0x41C8, 0, 0x80000001U, -1}, {0x41C8, 1, 0xC0000000U, 1}, {0x41C8, 31, 0x00000003U, 0},
		{0x41C8, 32, 0x80000001U, 1}, {0x41C8, 33, 0xC0000000U, 1},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		for (unsigned cin = 0; cin < 2; cin++) {
			reset_cpu();
			setf(cin ? CF | V : V);
			C.r[0] = x;
			C.r[1] = k[i].amount;
			prog_at(CODE, &k[i].op, 1);
			tc_run(&C, 1);
			assert_int_equal(C.state, TC_RUN);
			assert_int_equal(C.r[0], k[i].r);
			assert_int_equal(C.c, k[i].c < 0 ? (bool)cin : (bool)k[i].c);
			assert_int_equal(C.n, (k[i].r >> 31) != 0);
			assert_int_equal(C.z, k[i].r == 0);
			assert_true(C.v); /* never touched */
		}
	/* ASR of a positive value by >= 32: zero, carry 0 */
	reset_cpu();
	C.r[0] = 0x40000000U;
	C.r[1] = 40;
	RUN(0x4108);
	assert_int_equal(C.r[0], 0);
	assert_int_equal(flags(), Z);
}

static void test_shifts_by_immediate(void **state)
{
	(void)state;
	/* LSLS r0, r1, #0 is MOVS r0, r1: N, Z set, C unchanged */
	reset_cpu();
	setf(CF);
	C.r[1] = 0x80000000U;
	RUN(0x0008);
	assert_int_equal(C.r[0], 0x80000000U);
	assert_int_equal(flags(), N | CF);
	/* LSLS r0, r1, #4: carry is bit 28 */
	reset_cpu();
	C.r[1] = 0x1000000FU;
	RUN(0x0108);
	assert_int_equal(C.r[0], 0x000000F0U);
	assert_int_equal(flags(), CF);
	/* LSRS r0, r1, #32 (imm5 = 0) */
	reset_cpu();
	C.r[1] = 0x80000000U;
	RUN(0x0808);
	assert_int_equal(C.r[0], 0);
	assert_int_equal(flags(), Z | CF);
	/* LSRS r0, r1, #1 */
	reset_cpu();
	C.r[1] = 3;
	RUN(0x0848);
	assert_int_equal(C.r[0], 1);
	assert_int_equal(flags(), CF);
	/* ASRS r0, r1, #32 (imm5 = 0) and #31 */
	reset_cpu();
	C.r[1] = 0x80000000U;
	RUN(0x1008);
	assert_int_equal(C.r[0], 0xFFFFFFFFU);
	assert_int_equal(flags(), N | CF);
	reset_cpu();
	C.r[1] = 0x7FFFFFFFU;
	RUN(0x17C8);
	assert_int_equal(C.r[0], 0);
	assert_int_equal(flags(), Z | CF);
}

/* ---- logic, multiply, negate ---- */
static void test_logic_mul_neg(void **state)
{
	(void)state;
	static const struct { uint16_t op; uint32_t a, b, r; unsigned f; } k[] = {
		{0x4008, 0xF0F0F0F0U, 0xFF00FF00U, 0xF000F000U, N},      /* ANDS */
		{0x4048, 0xF0F0F0F0U, 0xF0F0F0F0U, 0, Z},                /* EORS */
		{0x4308, 0x0000F000U, 0x0F000000U, 0x0F00F000U, 0},      /* ORRS */
		{0x4388, 0xFFFFFFFFU, 0x0000FFFFU, 0xFFFF0000U, N},      /* BICS */
		{0x43C8, 0x12345678U, 0x00000000U, 0xFFFFFFFFU, N},      /* MVNS */
		{0x4348, 0x00010001U, 0x00010001U, 0x00020001U, 0},      /* MULS */
		{0x4348, 0x80000000U, 2, 0, Z},                          /* MULS overflow */
		{0x4348, 0xFFFFFFFFU, 5, 0xFFFFFFFBU, N},                /* MULS -1 * 5 */
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		for (unsigned cv = 0; cv < 4; cv++) {
			reset_cpu();
			setf((cv & 1 ? CF : 0) | (cv & 2 ? V : 0));
			C.r[0] = k[i].a;
			C.r[1] = k[i].b;
			prog_at(CODE, &k[i].op, 1);
			tc_run(&C, 1);
			assert_int_equal(C.r[0], k[i].r);
			/* logical ops and MULS: N, Z only; C and V as they were (§A6.7.44) */
			assert_int_equal(flags(), k[i].f | (cv & 1 ? CF : 0) | (cv & 2 ? V : 0));
		}
	/* TST r0, r1: flags only */
	reset_cpu();
	C.r[0] = 0xF0U;
	C.r[1] = 0x0FU;
	RUN(0x4208);
	assert_int_equal(flags(), Z);
	assert_int_equal(C.r[0], 0xF0U);
	/* RSBS r0, r1, #0 (NEG): 0 -> 0 with C = 1; 0x80000000 overflows; 1 -> -1 with C = 0 */
	static const struct { uint32_t a, r; unsigned f; } neg[] = {
		{0, 0, Z | CF}, {0x80000000U, 0x80000000U, N | V}, {1, 0xFFFFFFFFU, N},
	};
	for (size_t i = 0; i < 3; i++) {
		reset_cpu();
		C.r[1] = neg[i].a;
		RUN(0x4248);
		assert_int_equal(C.r[0], neg[i].r);
		assert_int_equal(flags(), neg[i].f);
	}
}

/* ---- high registers, PC as an operand ---- */
static void test_high_registers_and_pc(void **state)
{
	(void)state;
	/* MOV r8, r0; ADD r8, r1; MOV r2, r8; CMP r8, r2 (high form); no flags from MOV/ADD */
	reset_cpu();
	setf(N | V);
	C.r[0] = 40;
	C.r[1] = 2;
	RUN(0x4680, 0x4488, 0x4642, 0x4590);
	assert_int_equal(C.r[8], 42);
	assert_int_equal(C.r[2], 42);
	assert_int_equal(flags(), Z | CF); /* only the CMP set flags */
	/* MOV r0, pc at CODE + 2 reads CODE + 6 (instruction + 4, not aligned) */
	reset_cpu();
	RUN(0xBF00, 0x4678);
	assert_int_equal(C.r[0], CODE + 6);
	/* ADD r0, pc */
	reset_cpu();
	C.r[0] = 0x10;
	RUN(0x4478);
	assert_int_equal(C.r[0], CODE + 4 + 0x10);
	/* MOV pc, r1: a branch, bit 0 ignored, Thumb kept */
	reset_cpu();
	C.r[1] = CODE + 0x40;
	RUN(0x468F);
	assert_int_equal(C.r[15], CODE + 0x40);
	assert_true(C.t);
	reset_cpu();
	C.r[1] = (CODE + 0x40) | 1U;
	RUN(0x468F);
	assert_int_equal(C.r[15], CODE + 0x40);
	/* ADD pc, r1: pc + 4 + r1 */
	reset_cpu();
	C.r[1] = 0x20;
	RUN(0x448F);
	assert_int_equal(C.r[15], CODE + 4 + 0x20);
	/* MOV sp, r0 keeps SP word-aligned */
	reset_cpu();
	C.r[0] = 0x20001237U;
	RUN(0x4685);
	assert_int_equal(C.r[13], 0x20001234U);
}

/* ---- extends, reverses ---- */
static void test_extend_reverse(void **state)
{
	(void)state;
	static const struct { uint16_t op; uint32_t in, out; } k[] = {
		{0xB208, 0x12348765U, 0xFFFF8765U}, /* SXTH r0, r1 */
		{0xB208, 0x12347FFFU, 0x00007FFFU},
		{0xB248, 0x12345680U, 0xFFFFFF80U}, /* SXTB */
		{0xB248, 0x1234567FU, 0x0000007FU},
		{0xB288, 0x12348765U, 0x00008765U}, /* UXTH */
		{0xB2C8, 0x12345680U, 0x00000080U}, /* UXTB */
		{0xBA08, 0x12345678U, 0x78563412U}, /* REV */
		{0xBA48, 0x12345678U, 0x34127856U}, /* REV16 */
		{0xBAC8, 0x12345680U, 0xFFFF8056U}, /* REVSH */
		{0xBAC8, 0x1234127FU, 0x00007F12U},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		reset_cpu();
		setf(N | Z | CF | V);
		C.r[1] = k[i].in;
		prog_at(CODE, &k[i].op, 1);
		tc_run(&C, 1);
		if (C.state != TC_RUN)
			fail_msg("case %zu (0x%04x): %s", i, k[i].op, C.why);
		assert_int_equal(C.r[0], k[i].out);
		assert_int_equal(flags(), N | Z | CF | V); /* no flags */
	}
}

/* ---- loads and stores ---- */
static void test_load_store_forms(void **state)
{
	(void)state;
	reset_cpu();
	w32(DATA, 0x8899AABBU);
	w32(DATA + 4, 0xF0E0D0C0U);
	C.r[1] = DATA;
	C.r[2] = 4;
	/* LDR r0,[r1,#4]; LDRB r3,[r1,#1]; LDRH r4,[r1,#2]; LDR r5,[r1,r2]; LDRB r6,[r1,r2];
	 * LDRSB r7,[r1,r2]; */
	RUN(0x6848, 0x784B, 0x884C, 0x588D, 0x5C8E, 0x568F);
	assert_int_equal(C.r[0], 0xF0E0D0C0U);
	assert_int_equal(C.r[3], 0xAAU);
	assert_int_equal(C.r[4], 0x8899U);
	assert_int_equal(C.r[5], 0xF0E0D0C0U);
	assert_int_equal(C.r[6], 0xC0U);
	assert_int_equal(C.r[7], 0xFFFFFFC0U);
	/* LDRH r0,[r1,r2]; LDRSH r3,[r1,r2] (0xD0C0 negative); LDRSH r4,[r1,r5=0] (0xAABB) */
	reset_cpu();
	w32(DATA, 0x8899AABBU);
	w32(DATA + 4, 0xF0E0D0C0U);
	w32(DATA + 8, 0x00007FFFU);
	C.r[1] = DATA;
	C.r[2] = 4;
	C.r[5] = 8;
	RUN(0x5A88, 0x5E8B, 0x5F4C);
	assert_int_equal(C.r[0], 0xD0C0U);
	assert_int_equal(C.r[3], 0xFFFFD0C0U);
	assert_int_equal(C.r[4], 0x00007FFFU);
	/* stores: STR r0,[r1,#8]; STRB r0,[r1,#1]; STRH r0,[r1,#2]; STR r0,[r1,r2];
	 * STRB r3,[r1,r2]; STRH r3,[r1,r4] */
	reset_cpu();
	C.r[0] = 0x11223344U;
	C.r[1] = DATA;
	C.r[2] = 12;
	C.r[3] = 0xAABBCCDDU;
	C.r[4] = 18;
	RUN(0x6088, 0x7048, 0x8048, 0x5088, 0x548B, 0x530B);
	assert_int_equal(r32(DATA + 8), 0x11223344U);
	assert_int_equal(r32(DATA), 0x33444400U);
	assert_int_equal(r32(DATA + 12), 0x112233DDU);
	assert_int_equal(r32(DATA + 16), 0xCCDD0000U);
	/* SP-relative: STR r0,[sp,#8]; LDR r5,[sp,#8]; ADD r6, sp, #16; ADD sp,#8; SUB sp,#16 */
	reset_cpu();
	C.r[0] = 0xCAFEF00DU;
	RUN(0x9002, 0x9D02, 0xAE04, 0xB002, 0xB084);
	assert_int_equal(r32(STACK + 8), 0xCAFEF00DU);
	assert_int_equal(C.r[5], 0xCAFEF00DU);
	assert_int_equal(C.r[6], STACK + 16);
	assert_int_equal(C.r[13], STACK + 8 - 16);
}

static void test_pc_relative_alignment(void **state)
{
	(void)state;
	/* LDR r0,[pc,#0] at CODE and LDR r1,[pc,#0] at CODE+2 both read Align(PC,4) = CODE+4 */
	reset_cpu();
	RUNN(2, 0x4800, 0x4900, 0x5678, 0x1234, 0xBEEF, 0xDEAD);
	assert_int_equal(C.r[0], 0x12345678U);
	assert_int_equal(C.r[1], 0x12345678U);
	/* LDR r2,[pc,#4] at CODE+2: CODE+4+4 */
	reset_cpu();
	RUNN(2, 0xBF00, 0x4A01, 0x5678, 0x1234, 0xBEEF, 0xDEAD);
	assert_int_equal(C.r[2], 0xDEADBEEFU);
	/* ADR r3, #4 at CODE (-> CODE+8) and at CODE+2 (-> CODE+8 too) */
	reset_cpu();
	RUN(0xA301, 0xA401);
	assert_int_equal(C.r[3], CODE + 8);
	assert_int_equal(C.r[4], CODE + 8);
}

/* ---- LDM/STM, PUSH/POP ---- */
static void test_ldm_stm_writeback(void **state)
{
	(void)state;
	/* STM r0!, {r1,r2,r3}: ascending, writeback */
	reset_cpu();
	C.r[0] = DATA;
	C.r[1] = 1; C.r[2] = 2; C.r[3] = 3;
	RUN(0xC00E);
	assert_int_equal(r32(DATA), 1);
	assert_int_equal(r32(DATA + 4), 2);
	assert_int_equal(r32(DATA + 8), 3);
	assert_int_equal(C.r[0], DATA + 12);
	/* STM r0!, {r0,r1}: r0 lowest -> its original value stored; writeback */
	reset_cpu();
	C.r[0] = DATA;
	C.r[1] = 7;
	RUN(0xC003);
	assert_int_equal(r32(DATA), DATA);
	assert_int_equal(r32(DATA + 4), 7);
	assert_int_equal(C.r[0], DATA + 8);
	/* LDM r0!, {r1,r2}: writeback */
	reset_cpu();
	w32(DATA, 0xA); w32(DATA + 4, 0xB);
	C.r[0] = DATA;
	RUN(0xC806);
	assert_int_equal(C.r[1], 0xA);
	assert_int_equal(C.r[2], 0xB);
	assert_int_equal(C.r[0], DATA + 8);
	/* LDM r0, {r0,r1}: Rn in the list -> loaded value, no writeback */
	reset_cpu();
	w32(DATA, 0x55); w32(DATA + 4, 0x66);
	C.r[0] = DATA;
	RUN(0xC803);
	assert_int_equal(C.r[0], 0x55);
	assert_int_equal(C.r[1], 0x66);
	/* LDM r1, {r0,r1,r2}: r1 in the list, not lowest: r1 = loaded */
	reset_cpu();
	w32(DATA, 1); w32(DATA + 4, 2); w32(DATA + 8, 3);
	C.r[1] = DATA;
	RUN(0xC907);
	assert_int_equal(C.r[0], 1);
	assert_int_equal(C.r[1], 2);
	assert_int_equal(C.r[2], 3);
	/* empty list: UNPREDICTABLE -> lockup */
	reset_cpu();
	C.r[0] = DATA;
	RUN(0xC800);
	assert_int_equal(C.state, TC_LOCKUP);
	/* unaligned base: lockup */
	reset_cpu();
	C.r[0] = DATA + 2;
	RUN(0xC002);
	assert_int_equal(C.state, TC_LOCKUP);
}

static void test_push_pop_interworking(void **state)
{
	(void)state;
	/* PUSH {r0,r1,lr}: SP -= 12, ascending order */
	reset_cpu();
	C.r[0] = 10; C.r[1] = 11; C.r[14] = 0x20000201U;
	RUN(0xB503);
	assert_int_equal(C.r[13], STACK - 12);
	assert_int_equal(r32(STACK - 12), 10);
	assert_int_equal(r32(STACK - 8), 11);
	assert_int_equal(r32(STACK - 4), 0x20000201U);
	/* POP {r2,r3,pc}: PC = 0x20000200 (bit 0 -> EPSR.T = 1) */
	C.r[15] = CODE + 0x10;
	static const uint16_t pop[] = {0xBD0C};
	prog_at(CODE + 0x10, pop, 1);
	tc_run(&C, 1);
	assert_int_equal(C.state, TC_RUN);
	assert_int_equal(C.r[2], 10);
	assert_int_equal(C.r[3], 11);
	assert_int_equal(C.r[15], 0x20000200U);
	assert_int_equal(C.r[13], STACK);
	assert_true(C.t);
	/* POP {pc} of an even address: EPSR.T = 0, the next instruction faults (INVSTATE) */
	reset_cpu();
	w32(STACK, CODE + 0x20);
	RUN(0xBD00);
	assert_int_equal(C.state, TC_RUN);
	assert_false(C.t);
	tc_run(&C, 1);
	assert_int_equal(C.state, TC_LOCKUP);
	assert_int_equal(C.fault_pc, CODE + 0x20);
	assert_non_null(strstr(C.why, "EPSR.T"));
}

/* ---- branches ---- */
static bool cond_holds(unsigned cond, unsigned f)
{
	bool n = f & N, z = f & Z, c = f & CF, v = f & V;
	switch (cond) {
	case 0x0: return z;                 /* EQ */
	case 0x1: return !z;                /* NE */
	case 0x2: return c;                 /* CS */
	case 0x3: return !c;                /* CC */
	case 0x4: return n;                 /* MI */
	case 0x5: return !n;                /* PL */
	case 0x6: return v;                 /* VS */
	case 0x7: return !v;                /* VC */
	case 0x8: return c && !z;           /* HI */
	case 0x9: return !c || z;           /* LS */
	case 0xA: return n == v;            /* GE */
	case 0xB: return n != v;            /* LT */
	case 0xC: return !z && n == v;      /* GT */
	default: return z || n != v;        /* LE */
	}
}

static void test_conditional_branches(void **state)
{
	(void)state;
	for (unsigned cond = 0; cond < 14; cond++)
		for (unsigned f = 0; f < 16; f++) {
			reset_cpu();
			setf(f);
			uint16_t op = (uint16_t)(0xD000U | (cond << 8) | 0x04U); /* B<cond> +8 */
			prog_at(CODE, &op, 1);
			tc_run(&C, 1);
			assert_int_equal(C.state, TC_RUN);
			assert_int_equal(C.r[15], cond_holds(cond, f) ? CODE + 4 + 8 : CODE + 2);
			assert_int_equal(C.cycles, cond_holds(cond, f) ? 3 : 1);
		}
	/* backward: BNE -4 bytes from CODE+4 -> CODE+4; imm8 = 0xFC (-8 bytes relative to PC) */
	reset_cpu();
	RUNN(3, 0xBF00, 0xBF00, 0xD1FC);
	assert_int_equal(C.r[15], CODE);
}

static void test_b_bl_bx_blx(void **state)
{
	(void)state;
	/* B +0x10 and B back */
	reset_cpu();
	RUN(0xE008);
	assert_int_equal(C.r[15], CODE + 4 + 0x10);
	reset_cpu();
	RUNN(2, 0xBF00, 0xE7FC); /* at CODE+2: target CODE+2+4-8 = CODE-2 */
	assert_int_equal(C.r[15], CODE - 2);
	/* BL forward by 0x100 (hand-encoded: S=0, imm10=0, J1=J2=1, imm11=0x080) */
	reset_cpu();
	RUNN(1, 0xF000, 0xF880);
	assert_int_equal(C.r[15], CODE + 4 + 0x100);
	assert_int_equal(C.r[14], (CODE + 4) | 1U);
	assert_int_equal(C.cycles, 3);
	/* BL back by 0x1000 (S=1, imm10=0x3FF, J1=J2=1, imm11=0x7FF & ~... ): -0x1000 */
	reset_cpu();
	RUNN(1, 0xF7FF, 0xF800);
	assert_int_equal(C.r[15], CODE + 4 - 0x1000);
	/* BL with a large offset (+0x200000: S=0, I1=0, I2=0 -> J1=J2=1, imm10=0x200) */
	reset_cpu();
	RUNN(1, 0xF200, 0xF800);
	assert_int_equal(C.r[15], CODE + 4 + 0x200000);
	/* BL with J1=0 (I1 = NOT(J1 EOR S) = 1 for S=0): +0x800000 */
	reset_cpu();
	RUNN(1, 0xF000, 0xD800);
	assert_int_equal(C.r[15], CODE + 4 + 0x800000);
	/* BLX r3 then BX lr returns */
	reset_cpu();
	C.r[3] = (CODE + 0x40) | 1U;
	static const uint16_t ret[] = {0x4770}; /* BX lr */
	prog_at(CODE + 0x40, ret, 1);
	RUN(0x4798);
	assert_int_equal(C.r[15], CODE + 0x40);
	assert_int_equal(C.r[14], (CODE + 2) | 1U);
	tc_run(&C, 1);
	assert_int_equal(C.r[15], CODE + 2);
	assert_true(C.t);
	/* BX to an even address: lockup at the target */
	reset_cpu();
	C.r[0] = CODE + 0x40;
	RUN(0x4700);
	assert_false(C.t);
	tc_run(&C, 5);
	assert_int_equal(C.state, TC_LOCKUP);
	assert_int_equal(C.fault_pc, CODE + 0x40);
}

/* ---- special registers, barriers, hints ---- */
static void test_special_registers(void **state)
{
	(void)state;
	/* MSR APSR, r0 (NZCV from r0[31:28]); MRS r1, APSR */
	reset_cpu();
	C.r[0] = 0xA0000000U; /* N, C */
	RUNN(2, 0xF380, 0x8800, 0xF3EF, 0x8100);
	assert_int_equal(flags(), N | CF);
	assert_int_equal(C.r[1], 0xA0000000U);
	/* CPSID i; MRS r0, PRIMASK; CPSIE i; MRS r1, PRIMASK; MSR PRIMASK, r2(=1); MRS r3, PRIMASK */
	reset_cpu();
	C.r[2] = 1;
	RUNN(6, 0xB672, 0xF3EF, 0x8010, 0xB662, 0xF3EF, 0x8110, 0xF382, 0x8810, 0xF3EF, 0x8310);
	assert_int_equal(C.r[0], 1);
	assert_int_equal(C.r[1], 0);
	assert_int_equal(C.r[3], 1);
	/* MSR PSP, r0; MSR CONTROL, r1 (SPSEL); SP now PSP; MRS r2, MSP; MRS r3, CONTROL */
	reset_cpu();
	C.r[0] = 0x20006001U; /* bits 1:0 are cleared */
	C.r[1] = 2;
	RUNN(4, 0xF380, 0x8809, 0xF381, 0x8814, 0xF3EF, 0x8208, 0xF3EF, 0x8314);
	assert_int_equal(C.r[13], 0x20006000U);
	assert_int_equal(C.r[2], STACK);
	assert_int_equal(C.r[3], 2);
	/* DSB, DMB, ISB: no effect but time (1, 1, 1 + P) */
	reset_cpu();
	RUNN(3, 0xF3BF, 0x8F4F, 0xF3BF, 0x8F5F, 0xF3BF, 0x8F6F);
	assert_int_equal(C.state, TC_RUN);
	assert_int_equal(C.r[15], CODE + 12);
	assert_int_equal(C.cycles, 1 + 1 + 3);
	/* a special register ARMv6-M does not have (BASEPRI, SYSm 17): lockup */
	reset_cpu();
	RUNN(1, 0xF3EF, 0x8011);
	assert_int_equal(C.state, TC_LOCKUP);
}

static void test_hints_and_idle(void **state)
{
	(void)state;
	/* NOP, YIELD, then b . -> idle after counting the branch */
	reset_cpu();
	RUNN(100, 0xBF00, 0xBF10, 0xE7FE);
	assert_int_equal(C.state, TC_IDLE);
	assert_int_equal(C.insns, 3);
	assert_int_equal(C.r[15], CODE + 4);
	assert_int_equal(C.fault_pc, CODE + 4);
	/* WFI: idle */
	reset_cpu();
	RUNN(100, 0xBF30, 0xBF00);
	assert_int_equal(C.state, TC_IDLE);
	assert_int_equal(C.insns, 1);
	/* SEV; WFE (consumes the event, continues); WFE (sleeps: idle) */
	reset_cpu();
	RUNN(100, 0xBF40, 0xBF20, 0xBF20, 0xBF00);
	assert_int_equal(C.state, TC_IDLE);
	assert_int_equal(C.insns, 3);
	/* BEQ . with Z clear falls through; with Z set it is idle */
	reset_cpu();
	RUNN(1, 0xD0FE);
	assert_int_equal(C.state, TC_RUN);
	reset_cpu();
	setf(Z);
	RUNN(5, 0xD0FE);
	assert_int_equal(C.state, TC_IDLE);
	/* a halted or idle core stays so */
	uint64_t n = C.insns;
	assert_int_equal(tc_run(&C, 100), TC_IDLE);
	assert_int_equal(C.insns, n);
}

/* ---- a real program ---- */
/* r0 = data, r1 = length (> 0), r6 = result address; bitwise reflected CRC-32. */
static const uint16_t crc_prog[] = {
	0x4B08, /* 0: ldr r3, [pc, #32]   (poly at 36) */
	0x2200, /* 2: movs r2, #0 */
	0x43D2, /* 4: mvns r2, r2 */
	0x7804, /* 6: loop: ldrb r4, [r0] */
	0x3001, /* 8: adds r0, #1 */
	0x4062, /* 10: eors r2, r4 */
	0x2508, /* 12: movs r5, #8 */
	0x0852, /* 14: bit: lsrs r2, r2, #1 */
	0xD300, /* 16: bcc 20 */
	0x405A, /* 18: eors r2, r3 */
	0x3D01, /* 20: subs r5, #1 */
	0xD1FA, /* 22: bne 14 */
	0x3901, /* 24: subs r1, #1 */
	0xD1F4, /* 26: bne 6 */
	0x43D2, /* 28: mvns r2, r2 */
	0x6032, /* 30: str r2, [r6] */
	0xE7FE, /* 32: b . */
	0xBF00, /* 34: pad */
	0x8320, 0xEDB8, /* 36: 0xEDB88320 */
};

static void test_program_crc32(void **state)
{
	(void)state;
	static const char *inputs[] = {"123456789", "a", "The quick brown fox jumps over the lazy dog"};
	for (size_t k = 0; k < 3; k++) {
		reset_cpu();
		size_t n = strlen(inputs[k]);
		memcpy(mem + (DATA - RAM), inputs[k], n);
		prog_at(CODE, crc_prog, sizeof crc_prog / sizeof crc_prog[0]);
		C.r[0] = DATA;
		C.r[1] = (uint32_t)n;
		C.r[6] = DATA + 0x1000;
		assert_int_equal(tc_run(&C, 100000), TC_IDLE);
		assert_int_equal(r32(DATA + 0x1000), fk_crc32(0, (const uint8_t *)inputs[k], n));
		if (k == 0)
			assert_int_equal(r32(DATA + 0x1000), 0xCBF43926U); /* the CRC-32 check value */
	}
}

/* ---- lockups ---- */
static void test_lockups(void **state)
{
	(void)state;
	static const struct { uint16_t op[2]; uint32_t r0; const char *why; } k[] = {
		{{0x6800, 0}, DATA + 2, "unaligned"},     /* LDR r0,[r0] at +2 */
		{{0x8800, 0}, DATA + 1, "unaligned"},     /* LDRH r0,[r0] odd */
		{{0x6000, 0}, DATA + 1, "unaligned"},     /* STR r0,[r0] */
		{{0x8000, 0}, DATA + 3, "unaligned"},     /* STRH */
		{{0x6800, 0}, 0x60000000U, "bus error"},  /* LDR from nothing */
		{{0x7000, 0}, 0x60000000U, "bus error"},  /* STRB to nothing */
		{{0xB100, 0}, 0, "undefined"},            /* CBZ (ARMv7-M only) */
		{{0xBF08, 0}, 0, "IT"},                   /* IT */
		{{0xDE00, 0}, 0, "UDF"},
		{{0xDF00, 0}, 0, "SVC"},
		{{0xBE00, 0}, 0, "BKPT"},
		{{0xBA80, 0}, 0, "undefined"},            /* REV* hole */
		{{0xB650, 0}, 0, "undefined"},            /* SETEND */
		{{0xE92D, 0x4000}, 0, "32-bit"},          /* PUSH.W (Thumb-2) */
		{{0xF7F0, 0xA000}, 0, "UDF"},             /* UDF.W */
		{{0xFB00, 0xF000}, 0, "32-bit"},          /* MUL.W */
		{{0xF000, 0x0000}, 0, "32-bit"},          /* hw2[15] = 0 */
		{{0xF3BF, 0x8F7F}, 0, "undefined 32"},    /* misc control opc 7 */
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		reset_cpu();
		C.r[0] = k[i].r0;
		prog_at(CODE, k[i].op, 2);
		assert_int_equal(tc_run(&C, 10), TC_LOCKUP);
		assert_int_equal(C.fault_pc, CODE);
		assert_int_equal(C.insns, 0);
		assert_non_null(C.why);
		if (!strstr(C.why, k[i].why))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, C.why, k[i].why);
		assert_int_equal(tc_run(&C, 10), TC_LOCKUP); /* stays locked */
		assert_int_equal(C.insns, 0);
	}
	/* the unaligned stores never reached the bus */
	assert_int_equal(r32(DATA), 0);
	/* fetch from nowhere */
	reset_cpu();
	C.r[15] = 0x60000000U;
	assert_int_equal(tc_run(&C, 1), TC_LOCKUP);
	assert_non_null(strstr(C.why, "fetch"));
}

/* ---- entry, budget, halt, cycles ---- */
static void test_enter_budget_halt(void **state)
{
	(void)state;
	/* vector table: SP (bits 1:0 cleared), PC with the Thumb bit */
	reset_cpu();
	w32(DATA, 0x20002003U);
	w32(DATA + 4, CODE | 1U);
	tc_enter(&C, DATA);
	assert_int_equal(C.r[13], 0x20002000U);
	assert_int_equal(C.r[15], CODE);
	assert_true(C.t);
	/* even reset vector: lockup at the first instruction */
	reset_cpu();
	w32(DATA, 0x20002000U);
	w32(DATA + 4, CODE);
	tc_enter(&C, DATA);
	assert_int_equal(tc_run(&C, 10), TC_LOCKUP);
	/* vector table out of memory: lockup */
	reset_cpu();
	tc_enter(&C, 0x60000000U);
	assert_int_equal(C.state, TC_LOCKUP);
	/* budget: `1: adds r0, #1; b 1b` runs exactly the budget and can be continued */
	reset_cpu();
	RUNN(1000, 0x3001, 0xE7FD);
	assert_int_equal(C.state, TC_RUN);
	assert_int_equal(C.insns, 1000);
	assert_int_equal(C.r[0], 500);
	tc_run(&C, 10);
	assert_int_equal(C.insns, 1010);
	assert_int_equal(C.r[0], 505);
	/* HALT from the bus: the store completes, the core stops after it */
	reset_cpu();
	C.r[1] = HALT_REG;
	RUNN(10, 0x600A, 0x2001, 0xE7FE);
	assert_int_equal(C.state, TC_HALTED);
	assert_int_equal(C.insns, 1);
	assert_int_equal(C.r[0], 0);
}

static void test_cycles(void **state)
{
	(void)state;
	/* the shape of stm32flash's reset stub: LDR lit (2), LDR lit pipelined (1), STR pipelined
	 * (1), b . (1 + P = 3) */
	reset_cpu();
	RUNN(10, 0x4901, 0x4A02, 0x600A, 0xE7FE, 0x4000, 0x2000, 0x0004, 0x05FA);
	assert_int_equal(r32(DATA), 0x05FA0004U);
	assert_int_equal(C.state, TC_IDLE);
	assert_int_equal(C.insns, 4);
	assert_int_equal(C.cycles, 2 + 1 + 1 + 3);
	/* MULS 1; PUSH {r0-r3} 1+4; POP {r0-r3} 1+4; data processing 1 */
	reset_cpu();
	RUNN(4, 0x4348, 0xB40F, 0xBC0F, 0x1C00);
	assert_int_equal(C.cycles, 1 + 5 + 5 + 1);
	/* POP {pc}: 1 + 1 + P */
	reset_cpu();
	w32(STACK, CODE | 1U);
	RUN(0xBD00);
	assert_int_equal(C.cycles, 4);
	/* an instruction after a non-load/store: LDR costs 2 again */
	reset_cpu();
	C.r[1] = DATA;
	RUN(0x6808, 0xBF00, 0x6808);
	assert_int_equal(C.cycles, 2 + 1 + 2);
	assert_int_equal(fetches, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_adds_subs_cmp_cmn, setup),
		cmocka_unit_test_setup(test_adcs_sbcs, setup),
		cmocka_unit_test_setup(test_shifts_by_register, setup),
		cmocka_unit_test_setup(test_shifts_by_immediate, setup),
		cmocka_unit_test_setup(test_logic_mul_neg, setup),
		cmocka_unit_test_setup(test_high_registers_and_pc, setup),
		cmocka_unit_test_setup(test_extend_reverse, setup),
		cmocka_unit_test_setup(test_load_store_forms, setup),
		cmocka_unit_test_setup(test_pc_relative_alignment, setup),
		cmocka_unit_test_setup(test_ldm_stm_writeback, setup),
		cmocka_unit_test_setup(test_push_pop_interworking, setup),
		cmocka_unit_test_setup(test_conditional_branches, setup),
		cmocka_unit_test_setup(test_b_bl_bx_blx, setup),
		cmocka_unit_test_setup(test_special_registers, setup),
		cmocka_unit_test_setup(test_hints_and_idle, setup),
		cmocka_unit_test_setup(test_program_crc32, setup),
		cmocka_unit_test_setup(test_lockups, setup),
		cmocka_unit_test_setup(test_enter_budget_halt, setup),
		cmocka_unit_test_setup(test_cycles, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
