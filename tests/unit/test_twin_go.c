/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AN3155 Go on the F4 twin runs the code on the twin's CPU (twin/stm32f4/f4_cpu.c), raw bytes
 * through the bootloader server: stm32flash's `-R` reset block (an3155.md §4.5, built here from
 * its description) makes the chip reset and the bootloader start again (bytes ignored during
 * the start-up time, AN2606 Table 227, then 0x7F is ACKed); a CRC-32 stub of the kind flashkey
 * uploads reads flash as the bootloader-booted core, leaves its result in SRAM across the
 * system reset it requests, and is read back; Go to erased flash locks the core up (silent, no
 * hang); a budget bounds code that never ends; Go under RDP 1 is NACKed (AN3155 Table 2). */
#include "fk_test.h"

#include "core/core.h"

#include "stm32f4/an3155_server.h"

#define STARTUP_NS 84590000ULL

static tw_f4 *chip;
static tw_an3155 *srv;
static char logbuf[2048];

static void log_hook(void *arg, const char *line)
{
	(void)arg;
	size_t n = strlen(logbuf);
	snprintf(logbuf + n, sizeof logbuf - n, "%s\n", line);
}

static void open_srv(uint64_t budget)
{
	tw_an3155_free(srv);
	tw_an3155_cfg cfg = {.baud = 115200, .bits_per_byte = 11, .startup_ns = STARTUP_NS,
			     .go_budget = budget, .log = log_hook};
	srv = tw_an3155_new(chip, &cfg);
	assert_non_null(srv);
}

static int setup(void **state)
{
	(void)state;
	chip = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_non_null(chip);
	tw_f4_set_boot(chip, TW_BOOT_SYSMEM);
	tw_f4_reset(chip, TW_RESET_SYSTEM);
	srv = NULL;
	logbuf[0] = '\0';
	open_srv(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tw_an3155_free(srv);
	tw_f4_free(chip);
	return 0;
}

/* Send n bytes, return the reply (up to max). */
static size_t xfer(const uint8_t *p, size_t n, uint8_t *r, size_t max)
{
	tw_an3155_rx(srv, p, n);
	return tw_an3155_tx(srv, r, max);
}

static void expect(const uint8_t *p, size_t n, const uint8_t *want, size_t wn)
{
	uint8_t r[300];
	size_t got = xfer(p, n, r, sizeof r);
	assert_int_equal(got, wn);
	if (wn)
		assert_memory_equal(r, want, wn);
}

static const uint8_t ACK[] = {0x79};

static void sync_ok(void)
{
	expect((const uint8_t *)"\x7F", 1, ACK, 1);
}

static void addr_block(uint32_t a, uint8_t out[5])
{
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
	out[4] = (uint8_t)(out[0] ^ out[1] ^ out[2] ^ out[3]);
}

static void write_mem(uint32_t a, const uint8_t *data, size_t n)
{
	uint8_t ab[5], blk[260];
	addr_block(a, ab);
	expect((const uint8_t *)"\x31\xCE", 2, ACK, 1);
	expect(ab, 5, ACK, 1);
	blk[0] = (uint8_t)(n - 1);
	uint8_t x = blk[0];
	for (size_t i = 0; i < n; i++) {
		blk[1 + i] = data[i];
		x ^= data[i];
	}
	blk[1 + n] = x;
	expect(blk, n + 2, ACK, 1);
}

/* Go addr: both ACKs; returns what the code did. */
static const tw_f4_run *go(uint32_t a)
{
	uint8_t ab[5];
	addr_block(a, ab);
	expect((const uint8_t *)"\x21\xDE", 2, ACK, 1);
	expect(ab, 5, ACK, 1);
	const tw_f4_run *r = tw_an3155_last_go(srv);
	assert_non_null(r);
	return r;
}

static uint32_t read_word(uint32_t a)
{
	uint8_t ab[5], r[8];
	addr_block(a, ab);
	expect((const uint8_t *)"\x11\xEE", 2, ACK, 1);
	expect(ab, 5, ACK, 1);
	assert_int_equal(xfer((const uint8_t *)"\x03\xFC", 2, r, sizeof r), 5);
	assert_int_equal(r[0], 0x79);
	return (uint32_t)r[1] | ((uint32_t)r[2] << 8) | ((uint32_t)r[3] << 16) | ((uint32_t)r[4] << 24);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* stm32flash -R (an3155.md §4.5): SP 0x20002000, reset vector 0x20003009, then
 * ldr r1,[pc,#4]; ldr r2,[pc,#8]; str r2,[r1]; b .; .word 0xE000ED0C, 0x05FA0004 */
static void stm32flash_reset_block(uint8_t b[24])
{
	le32(b, 0x20002000U);
	le32(b + 4, 0x20003009U);
	le32(b + 8, 0x4A024901U);  /* ldr r1,[pc,#4] ; ldr r2,[pc,#8] */
	le32(b + 12, 0xE7FE600AU); /* str r2,[r1] ; b . */
	le32(b + 16, 0xE000ED0CU); /* AIRCR */
	le32(b + 20, 0x05FA0004U); /* VECTKEY | SYSRESETREQ */
}

static void test_go_stm32flash_reset_stub(void **state)
{
	(void)state;
	uint8_t blk[24];
	stm32flash_reset_block(blk);
	sync_ok();
	write_mem(0x20003000U, blk, sizeof blk);
	unsigned resets = tw_f4_reset_count(chip);
	uint64_t t0 = tw_f4_now_ns(chip);
	const tw_f4_run *r = go(0x20003000U);
	/* the code ran: two literal loads and the AIRCR store, then the system reset */
	assert_int_equal(r->end, TW_RUN_RESET);
	assert_true(r->sysresetreq);
	assert_int_equal(r->cpu.insns, 3);
	assert_int_equal(r->cpu.cycles, 4);
	assert_int_equal(r->cpu.r[1], 0xE000ED0CU);
	assert_int_equal(r->cpu.r[13], 0x20002000U);
	assert_int_equal(tw_f4_reset_count(chip), resets + 1);
	assert_false(tw_an3155_in_application(srv));
	assert_non_null(strstr(logbuf, "Go 0x20003000: code ran 3 instructions"));
	assert_non_null(strstr(logbuf, "then AIRCR.SYSRESETREQ: system reset, bootloader restarts"));
	/* SRAM keeps its content across the system reset */
	assert_int_equal(tw_f4_peek(chip, 0x20003004U), 0x09);
	/* the bootloader is starting: bytes are ignored until its start-up time is over */
	expect((const uint8_t *)"\x7F", 1, NULL, 0);
	expect((const uint8_t *)"\x01\xFE", 2, NULL, 0);
	tw_f4_advance(chip, STARTUP_NS);
	assert_true(tw_f4_now_ns(chip) - t0 > STARTUP_NS);
	sync_ok(); /* a fresh bootloader: ACK, not the NACK of an already-synced one */
	static const uint8_t gv[] = {0x79, 0x31, 0x00, 0x00, 0x79};
	expect((const uint8_t *)"\x01\xFE", 2, gv, sizeof gv);
}

/* A CRC-32 stub of the shape flashkey uploads (ARMv6-M Thumb, hand-assembled): CRC of
 * [0x08000000, +len) to RESULT, then AIRCR = 0x05FA0004. Vector table at 0x20002000. */
#define STUB 0x20002000U
#define RESULT 0x20002400U
static const uint16_t crc_stub[] = {
	0x480B, /* 0: ldr r0, [pc, #44]  -> 48 ptr */
	0x490C, /* 2: ldr r1, [pc, #48]  -> 52 len */
	0x4B0C, /* 4: ldr r3, [pc, #48]  -> 56 poly */
	0x2200, /* 6: movs r2, #0 */
	0x43D2, /* 8: mvns r2, r2 */
	0x7804, /* 10: ldrb r4, [r0] */
	0x3001, /* 12: adds r0, #1 */
	0x4062, /* 14: eors r2, r4 */
	0x2508, /* 16: movs r5, #8 */
	0x0852, /* 18: lsrs r2, r2, #1 */
	0xD300, /* 20: bcc 24 */
	0x405A, /* 22: eors r2, r3 */
	0x3D01, /* 24: subs r5, #1 */
	0xD1FA, /* 26: bne 18 */
	0x3901, /* 28: subs r1, #1 */
	0xD1F4, /* 30: bne 10 */
	0x43D2, /* 32: mvns r2, r2 */
	0x4E06, /* 34: ldr r6, [pc, #24] -> 60 result */
	0x6032, /* 36: str r2, [r6] */
	0x4906, /* 38: ldr r1, [pc, #24] -> 64 AIRCR */
	0x4A06, /* 40: ldr r2, [pc, #24] -> 68 key */
	0x600A, /* 42: str r2, [r1] */
	0xE7FE, /* 44: b . */
	0xBF00, /* 46: nop */
};

static void test_go_crc_stub_result_survives_reset(void **state)
{
	(void)state;
	enum { LEN = 4096 };
	static uint8_t fw[LEN];
	for (unsigned i = 0; i < LEN; i++) {
		fw[i] = (uint8_t)(i * 131U + (i >> 7));
		tw_f4_poke(chip, 0x08000000U + i, fw[i]);
	}
	uint8_t img[8 + 48 + 24];
	le32(img, 0x20004000U);           /* SP */
	le32(img + 4, (STUB + 8U) | 1U);  /* code right after the two vectors */
	for (size_t i = 0; i < sizeof crc_stub / 2; i++) {
		img[8 + 2 * i] = (uint8_t)crc_stub[i];
		img[9 + 2 * i] = (uint8_t)(crc_stub[i] >> 8);
	}
	le32(img + 56, 0x08000000U);
	le32(img + 60, LEN);
	le32(img + 64, 0xEDB88320U);
	le32(img + 68, RESULT);
	le32(img + 72, 0xE000ED0CU);
	le32(img + 76, 0x05FA0004U);
	sync_ok();
	write_mem(STUB, img, sizeof img);
	const tw_f4_run *r = go(STUB);
	assert_int_equal(r->end, TW_RUN_RESET);
	assert_true(r->sysresetreq);
	assert_true(r->cpu.insns > (uint64_t)LEN * 8 * 4);
	/* time on the virtual clock is the cycles at 24 MHz */
	assert_int_equal(r->ns, r->cpu.cycles * 1000ULL / 24ULL);
	tw_f4_advance(chip, STARTUP_NS);
	sync_ok();
	assert_int_equal(read_word(RESULT), fk_crc32(0, fw, LEN));
}

static void test_go_erased_flash_locks_up(void **state)
{
	(void)state;
	sync_ok();
	const tw_f4_run *r = go(0x08000000U); /* SP = PC = 0xFFFFFFFF */
	assert_int_equal(r->end, TW_RUN_LOCKUP);
	assert_int_equal(r->cpu.insns, 0);
	assert_int_equal(r->cpu.fault_pc, 0xFFFFFFFEU);
	assert_true(tw_an3155_in_application(srv));
	assert_non_null(strstr(logbuf, "lockup at 0xFFFFFFFE"));
	assert_non_null(strstr(logbuf, "the bootloader is gone (silent)"));
	/* silent from now on */
	expect((const uint8_t *)"\x7F", 1, NULL, 0);
	tw_f4_advance(chip, STARTUP_NS);
	expect((const uint8_t *)"\x7F\x01\xFE", 3, NULL, 0);
	/* a board reset brings the bootloader back */
	tw_an3155_board_reset(srv);
	tw_f4_advance(chip, STARTUP_NS);
	sync_ok();
}

static void test_go_budget_runs_on(void **state)
{
	(void)state;
	open_srv(10000);
	/* vector table + `1: adds r0, #1; b 1b` */
	uint8_t img[12];
	le32(img, 0x20004000U);
	le32(img + 4, 0x20003009U);
	le32(img + 8, 0xE7FD3001U);
	sync_ok();
	write_mem(0x20003000U, img, sizeof img);
	const tw_f4_run *r = go(0x20003000U);
	assert_int_equal(r->end, TW_RUN_BUDGET);
	assert_int_equal(r->cpu.insns, 10000);
	assert_int_equal(r->cpu.r[0], 5000);
	assert_true(tw_an3155_in_application(srv));
	assert_non_null(strstr(logbuf, "still running"));
	expect((const uint8_t *)"\x7F", 1, NULL, 0);
}

static void test_go_idle_and_boot_from_flash(void **state)
{
	(void)state;
	/* WFI: idle, silent */
	uint8_t img[12];
	le32(img, 0x20004000U);
	le32(img + 4, 0x20003009U);
	le32(img + 8, 0xBF00BF30U);
	sync_ok();
	write_mem(0x20003000U, img, sizeof img);
	const tw_f4_run *r = go(0x20003000U);
	assert_int_equal(r->end, TW_RUN_IDLE);
	assert_true(tw_an3155_in_application(srv));
	assert_non_null(strstr(logbuf, "idle at 0x20003008: WFI"));
	/* the reset stub with BOOT0 low by then: the application (flash) runs, silence */
	tw_an3155_board_reset(srv);
	tw_f4_advance(chip, STARTUP_NS);
	sync_ok();
	uint8_t blk[24];
	stm32flash_reset_block(blk);
	write_mem(0x20003000U, blk, sizeof blk);
	tw_f4_set_boot(chip, TW_BOOT_FLASH);
	r = go(0x20003000U);
	assert_int_equal(r->end, TW_RUN_RESET);
	assert_true(tw_an3155_in_application(srv));
	assert_non_null(strstr(logbuf, "the bootloader stays silent"));
	tw_f4_advance(chip, STARTUP_NS);
	expect((const uint8_t *)"\x7F", 1, NULL, 0);
}

static void test_go_protection_and_targets(void **state)
{
	(void)state;
	static const uint8_t nack[] = {0x1F};
	uint8_t ab[5];
	/* Go into the bootloader's own RAM or system memory: NACK (AN3155 Table 3, V2.1/V2.2) */
	sync_ok();
	expect((const uint8_t *)"\x21\xDE", 2, ACK, 1);
	addr_block(0x20001000U, ab);
	expect(ab, 5, nack, 1);
	expect((const uint8_t *)"\x21\xDE", 2, ACK, 1);
	addr_block(0x1FFF0000U, ab);
	expect(ab, 5, nack, 1);
	assert_null(tw_an3155_last_go(srv));
	/* code that writes flash without unlocking: the model sets PGSERR, flash unchanged
	 * (RM0090 §3.9.5: no bus error); then `b .`: idle */
	uint8_t img[20];
	le32(img, 0x20004000U);
	le32(img + 4, 0x20003009U);
	le32(img + 8, 0x60084901U);  /* ldr r1,[pc,#4] ; str r0,[r1] */
	le32(img + 12, 0xBF00E7FEU); /* b . ; nop */
	le32(img + 16, 0x08000000U);
	write_mem(0x20003000U, img, sizeof img);
	const tw_f4_run *r = go(0x20003000U);
	assert_int_equal(r->end, TW_RUN_IDLE);
	assert_int_equal(tw_f4_peek(chip, 0x08000000U), 0xFF);
	assert_true(tw_f4_reg(chip, 0x40023C0CU) & (1U << 7));
	/* a store to a reserved address (RM0090 §2.3: 0x30000000 is reserved): bus error, lockup */
	tw_an3155_board_reset(srv);
	tw_f4_advance(chip, STARTUP_NS);
	sync_ok();
	le32(img + 16, 0x30000000U);
	write_mem(0x20003000U, img, sizeof img);
	r = go(0x20003000U);
	assert_int_equal(r->end, TW_RUN_LOCKUP);
	assert_int_equal(r->cpu.fault_addr, 0x30000000U);
	assert_int_equal(r->cpu.fault_pc, 0x2000300AU);
	assert_non_null(strstr(logbuf, "bus error on a data write (address 0x30000000)"));
	/* RDP level 1: Go is NACKed (AN3155 Table 2), a single NACK */
	teardown(NULL);
	setup(NULL);
	tw_f4_set_option_word(chip, 0, 0x0FFF55EDU);
	tw_f4_reset(chip, TW_RESET_SYSTEM);
	sync_ok();
	expect((const uint8_t *)"\x21\xDE", 2, nack, 1);
	assert_null(tw_an3155_last_go(srv));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_go_stm32flash_reset_stub, setup, teardown),
		cmocka_unit_test_setup_teardown(test_go_crc_stub_result_survives_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_go_erased_flash_locks_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_go_budget_runs_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_go_idle_and_boot_from_flash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_go_protection_and_targets, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
