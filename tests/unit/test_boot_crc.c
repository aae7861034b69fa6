/* SPDX-License-Identifier: GPL-2.0-or-later */
/* On-chip CRC-32 over the AN3155 bootloader (lib/boot/stm32_stub.c + the ARMv6-M code in
 * lib/boot/stub/crc32_armv6m.S), run end to end on the twin: the bootloader server's Go hands
 * the code to the twin's CPU model, which reads flash through the chip model and resets the
 * chip through AIRCR. Checked: the CRCs equal fk_crc32 for many ranges (odd sizes and
 * addresses, empty, OTP), the virtual time it costs, a chip that does not come back into the
 * bootloader (BOOT0 low: the reset starts the application) fails bounded and says why, and RDP
 * level 1 (the bootloader refuses Write Memory) is FK_E_UNSUPPORTED so callers read instead;
 * and the same code with no range as a system reset through the bootloader. */
#include "fk_test.h"

#include "boot/stm32_usart.h"
#include "core/core.h"
#include "stm32f4/an3155_stream.h"

typedef struct fx {
	tw_f4 *chip;
	fk_transport t;
	fk_ctx *ctx;
	an3155 b;
} fx;

static fx X;

static void fx_open(unsigned rdp)
{
	X.ctx = fk_ctx_new();
	X.chip = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_non_null(X.chip);
	uint32_t x = 0xC0FFEE11u;
	for (uint32_t a = 0; a < 0x40000u; a++) {
		x = x * 1664525u + 1013904223u;
		tw_f4_poke(X.chip, 0x08000000u + a, (uint8_t)(x >> 24));
	}
	for (uint32_t a = 0; a < 32; a++)
		tw_f4_poke(X.chip, 0x1FFF7800u + a, (uint8_t)(0xA0 + a));
	if (rdp)
		tw_f4_set_option_word(X.chip, 0, (tw_f4_option_word(X.chip, 0) & ~0xFF00u) | 0x5500u);
	tw_f4_set_boot(X.chip, TW_BOOT_SYSMEM);
	tw_f4_reset(X.chip, TW_RESET_SYSTEM);
	tw_an3155_cfg cfg = {.baud = 115200, .bits_per_byte = 11, .startup_ns = 84590000ULL};
	assert_int_equal(tw_uart_attach(X.chip, &cfg, &X.t), 0);
	assert_int_equal(an3155_attach(&X.b, X.ctx, &X.t, NULL), 0);
	assert_int_equal(an3155_connect(&X.b), 0);
}

static int teardown(void **state)
{
	(void)state;
	fk_transport_close(&X.t);
	tw_f4_free(X.chip);
	fk_ctx_free(X.ctx);
	memset(&X, 0, sizeof X);
	return 0;
}

static uint32_t host_crc(uint32_t addr, uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	for (uint32_t i = 0; i < len; i++)
		p[i] = tw_f4_peek(X.chip, addr + i);
	uint32_t c = fk_crc32(0, p, len);
	free(p);
	return c;
}

static void test_crc_matches_host(void **state)
{
	(void)state;
	fx_open(0);
	const uint32_t addr[] = {0x08000000u, 0x08000001u, 0x08004000u, 0x08010000u, 0x0800FFFFu,
				 0x08020000u, 0x1FFF7800u, 0x08000100u};
	const uint32_t len[] = {0x4000u, 3u, 0x4000u, 0x10000u, 1u, 0x20000u, 32u, 0u};
	enum { N = sizeof addr / sizeof addr[0] };
	uint32_t crc[N];
	uint64_t t0 = tw_f4_now_ns(X.chip);
	assert_int_equal(an3155_crc32(&X.b, addr, len, N, crc), 0);
	double ms = (double)(tw_f4_now_ns(X.chip) - t0) / 1e6;
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(crc[i], host_crc(addr[i], len[i]));
	assert_int_equal(crc[N - 1], 0); /* CRC-32 of nothing */
	/* ~224 KiB: wire for the code and parameters (~35 ms), then the host waits the code's
	 * estimated run (~20 cycles a byte at 24 MHz, ~190 ms) plus the start-up allowance
	 * (100 ms) from the Go ACK on, while the code runs: the run overlaps the wait (~520 ms if
	 * it were counted twice), and all of it is far below the 20 s of reading it back */
	print_message("on-chip CRC of %u ranges (%u bytes): %.1f ms virtual\n", N, 0x4000u * 2 + 3 +
		      0x10000u + 1 + 0x20000u + 32, ms);
	assert_true(ms > 250.0 && ms < 400.0);
	/* the bootloader answers normally afterwards */
	uint8_t b[4];
	assert_int_equal(an3155_read(&X.b, 0x08000000u, b, 4), 0);
	assert_int_equal(b[0], tw_f4_peek(X.chip, 0x08000000u));
	/* and a second run (new token) gives the same answers */
	uint32_t again[N];
	assert_int_equal(an3155_crc32(&X.b, addr, len, N, again), 0);
	assert_memory_equal(crc, again, sizeof crc);
}

/* As many ranges as one run takes (64 one-KiB pages: the F1 path's 64 KiB run): the 520-byte
 * parameter block goes in three Write Memory blocks and comes back in three reads, one Go */
static void test_crc_max_ranges_one_run(void **state)
{
	(void)state;
	fx_open(0);
	uint32_t addr[AN3155_CRC_MAX_RANGES], len[AN3155_CRC_MAX_RANGES], crc[AN3155_CRC_MAX_RANGES];
	for (unsigned i = 0; i < AN3155_CRC_MAX_RANGES; i++) {
		addr[i] = 0x08000000u + 1024u * i + (i & 3u);
		len[i] = 1024u - 2u * (i & 3u);
	}
	unsigned resets = tw_f4_reset_count(X.chip);
	assert_int_equal(an3155_crc32(&X.b, addr, len, AN3155_CRC_MAX_RANGES, crc), 0);
	assert_int_equal(tw_f4_reset_count(X.chip), resets + 1); /* one run of the code */
	for (unsigned i = 0; i < AN3155_CRC_MAX_RANGES; i++)
		assert_int_equal(crc[i], host_crc(addr[i], len[i]));
	/* runs: 2 x 64 ranges of 1 KiB under a 64 KiB cap is two runs, never one range split */
	uint32_t a2[2 * AN3155_CRC_MAX_RANGES], l2[2 * AN3155_CRC_MAX_RANGES];
	uint32_t c2[2 * AN3155_CRC_MAX_RANGES];
	for (unsigned i = 0; i < 2 * AN3155_CRC_MAX_RANGES; i++) {
		a2[i] = 0x08000000u + 1024u * i;
		l2[i] = 1024u;
	}
	assert_int_equal(an3155_crc32_runs(&X.b, a2, l2, 2 * AN3155_CRC_MAX_RANGES, c2, 0x10000u),
			 0);
	assert_int_equal(tw_f4_reset_count(X.chip), resets + 3);
	for (unsigned i = 0; i < 2 * AN3155_CRC_MAX_RANGES; i++)
		assert_int_equal(c2[i], host_crc(a2[i], l2[i]));
}

/* The blank check (lib/boot/stub/blank_armv6m.S) on the twin's CPU: erased pages read 0, a page
 * with one byte other than 0xFF anywhere (first, last, a 0x00 in the middle) reads 1, the
 * random pages read 1; one run; bad arguments refused before anything is sent. */
static void test_blank_pages(void **state)
{
	(void)state;
	fx_open(0);
	const uint32_t base = 0x08020000u, page = 1024u; /* sector 5 on the F407: 128 KiB */
	enum { N = 12 };
	for (uint32_t a = 0; a < N * page; a++)
		tw_f4_poke(X.chip, base + a, 0xFF);
	tw_f4_poke(X.chip, base + 2 * page, 0xFE);            /* page 2: first byte */
	tw_f4_poke(X.chip, base + 5 * page + page - 1, 0x7F); /* page 5: last byte */
	tw_f4_poke(X.chip, base + 7 * page + 513, 0x00);      /* page 7: in the middle */
	unsigned resets = tw_f4_reset_count(X.chip);
	uint8_t dirty[N + 2];
	uint64_t t0 = tw_f4_now_ns(X.chip);
	assert_int_equal(an3155_blank_pages(&X.b, base, page, N, dirty), 0);
	double ms = (double)(tw_f4_now_ns(X.chip) - t0) / 1e6;
	assert_int_equal(tw_f4_reset_count(X.chip), resets + 1);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(dirty[i], i == 2 || i == 5 || i == 7);
	/* the random first pages of flash */
	assert_int_equal(an3155_blank_pages(&X.b, 0x08000000u, page, 2, dirty), 0);
	assert_int_equal(dirty[0], 1);
	assert_int_equal(dirty[1], 1);
	print_message("on-chip blank check of %u KiB: %.1f ms virtual\n", N, ms);
	/* the start-up after the code's reset (84.59 ms), then the wire (88 + 28 bytes out, 28
	 * back) and 7 cycles a word at 24 MHz: as cheap as the system reset below */
	assert_true(ms > 84.0 && ms < 200.0);
	/* refused before anything is sent */
	assert_int_equal(an3155_blank_pages(&X.b, base, page, 0, dirty), FK_E_INTERNAL);
	assert_int_equal(an3155_blank_pages(&X.b, base, page, AN3155_BLANK_MAX_PAGES + 1, dirty),
			 FK_E_INTERNAL);
	assert_int_equal(an3155_blank_pages(&X.b, base, 0, 1, dirty), FK_E_INTERNAL);
	assert_int_equal(an3155_blank_pages(&X.b, base, 1022, 1, dirty), FK_E_INTERNAL);
	assert_int_equal(an3155_blank_pages(&X.b, base + 2, page, 1, dirty), FK_E_INTERNAL);
	assert_int_equal(tw_f4_reset_count(X.chip), resets + 2);
}

static void test_crc_boot0_low(void **state)
{
	(void)state;
	fx_open(0);
	tw_f4_set_boot(X.chip, TW_BOOT_FLASH); /* the jumper moved: the reset starts the application */
	const uint32_t addr = 0x08000000u, len = 0x100u;
	uint32_t crc;
	uint64_t t0 = tw_f4_now_ns(X.chip);
	int rc = an3155_crc32(&X.b, &addr, &len, 1, &crc);
	assert_int_equal(rc, FK_E_TIMEOUT);
	assert_non_null(strstr(fk_ctx_hint(X.ctx), "BOOT0 must stay high"));
	/* bounded: the poll budget, not forever */
	assert_true(tw_f4_now_ns(X.chip) - t0 < 5000000000ULL);
}

static void test_crc_refused_under_rdp(void **state)
{
	(void)state;
	fx_open(1);
	const uint32_t addr = 0x08000000u, len = 0x100u;
	uint32_t crc;
	assert_int_equal(an3155_crc32(&X.b, &addr, &len, 1, &crc), FK_E_UNSUPPORTED);
	/* nothing happened to the chip: still answering, still locked */
	assert_int_equal(an3155_get_id(&X.b), 0);
	assert_int_equal(tw_f4_rdp_level(X.chip), 1);
}

/* The same code with no range: a system reset requested from RAM (as stm32flash -R does). The
 * option bytes reload: a change stored but not yet loaded takes effect. */
static void test_system_reset(void **state)
{
	(void)state;
	fx_open(0);
	unsigned resets = tw_f4_reset_count(X.chip);
	uint64_t t0 = tw_f4_now_ns(X.chip);
	assert_int_equal(an3155_system_reset(&X.b), 0);
	assert_int_equal(tw_f4_reset_count(X.chip), resets + 1);
	double ms = (double)(tw_f4_now_ns(X.chip) - t0) / 1e6;
	print_message("system reset through the bootloader: %.1f ms virtual\n", ms);
	assert_true(ms > 84.0 && ms < 200.0); /* the start-up (84.59 ms) plus the wire */
	assert_int_equal(an3155_get_id(&X.b), 0);
	assert_int_equal(X.b.pid, 0x413);
	/* BOOT0 low: the reset starts the application, nothing answers; bounded, and said */
	tw_f4_set_boot(X.chip, TW_BOOT_FLASH);
	assert_int_equal(an3155_system_reset(&X.b), FK_E_TIMEOUT);
	assert_int_equal(tw_f4_reset_count(X.chip), resets + 2);
	assert_non_null(strstr(fk_ctx_hint(X.ctx), "BOOT0 must stay high"));
}

static void test_crc_bad_arguments(void **state)
{
	(void)state;
	fx_open(0);
	uint32_t a[AN3155_CRC_MAX_RANGES + 1] = {0}, l[AN3155_CRC_MAX_RANGES + 1] = {0}, c[AN3155_CRC_MAX_RANGES + 1];
	assert_int_equal(an3155_crc32(&X.b, a, l, 0, c), FK_E_INTERNAL);
	assert_int_equal(an3155_crc32(&X.b, a, l, AN3155_CRC_MAX_RANGES + 1, c), FK_E_INTERNAL);
}

/* The code relocates by exactly its three absolute words: MSP and entry (the vector table Go
 * reads) and the literal pool's PARAMS; every other byte is unchanged. */
static void test_stub_relocation(void **state)
{
	(void)state;
	size_t n = an3155_stub_size();
	uint8_t a[512], b[512];
	assert_true(n <= sizeof a && n % 4 == 0);
	assert_int_equal(an3155_stub_image(AN3155_STUB_BASE, a), 3);
	assert_int_equal(fk_get_le32(a), AN3155_STUB_PARAMS);
	assert_int_equal(fk_get_le32(a + 4) & ~1u, AN3155_STUB_BASE + 8u);
	assert_int_equal(an3155_stub_image(0x20000800u, b), 3);
	unsigned changed = 0;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t x = fk_get_le32(a + i), y = fk_get_le32(b + i);
		if (x == y)
			continue;
		changed++;
		assert_int_equal(x - y, AN3155_STUB_BASE - 0x20000800u);
	}
	assert_int_equal(changed, 3);
	assert_int_equal(fk_get_le32(b), 0x20000800u + AN3155_STUB_PARAMS_OFF);
	/* the blank-check code: the same three words */
	n = an3155_stub_blank_size();
	assert_true(n <= sizeof a && n % 4 == 0);
	assert_int_equal(an3155_stub_blank_image(AN3155_STUB_BASE, a), 3);
	assert_int_equal(an3155_stub_blank_image(0x20000800u, b), 3);
	assert_int_equal(fk_get_le32(b), 0x20000800u + AN3155_STUB_PARAMS_OFF);
	assert_int_equal(fk_get_le32(b + 4) & ~1u, 0x20000800u + 8u);
}

/* Placement from the RAM the ROM leaves (AN2606 / stm32flash rows): the F4 default when it
 * fits, else the first 256-byte boundary; no room: refused before any byte is sent. */
static void test_stub_place(void **state)
{
	(void)state;
	an3155 b;
	memset(&b, 0, sizeof b);
	an3155_stub_place(&b, 0x20002700u, 0x20009000u, 16000000u, 16000000u); /* G071 */
	assert_int_equal(b.stub_base, AN3155_STUB_BASE);
	an3155_stub_place(&b, 0x20003100u, 0x20018000u, 16000000u, 16000000u); /* L476 */
	assert_int_equal(b.stub_base, 0x20003100u);
	an3155_stub_place(&b, 0x20000800u, 0x20002000u, 8000000u, 8000000u); /* F030x8 */
	assert_int_equal(b.stub_base, 0x20000800u);
	an3155_stub_place(&b, 0x20000210u, 0x20000400u, 8000000u, 8000000u); /* no room */
	assert_int_equal(b.stub_base, 0x20000300u);
	b.ctx = fk_ctx_new();
	b.ncmds = 2;
	b.cmds[0] = AN3155_CMD_GO;
	b.cmds[1] = AN3155_CMD_WRITE;
	uint32_t addr = 0x08000000u, len = 16, crc = 0;
	assert_int_equal(an3155_crc32(&b, &addr, &len, 1, &crc), FK_E_UNSUPPORTED);
	char msg[512];
	assert_non_null(strstr(fk_ctx_message(b.ctx, msg, sizeof msg),
			       "past the RAM the bootloader leaves free"));
	fk_ctx_free(b.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stub_relocation),
		cmocka_unit_test(test_stub_place),
		cmocka_unit_test_teardown(test_crc_matches_host, teardown),
		cmocka_unit_test_teardown(test_crc_max_ranges_one_run, teardown),
		cmocka_unit_test_teardown(test_blank_pages, teardown),
		cmocka_unit_test_teardown(test_crc_boot0_low, teardown),
		cmocka_unit_test_teardown(test_crc_refused_under_rdp, teardown),
		cmocka_unit_test_teardown(test_crc_bad_arguments, teardown),
		cmocka_unit_test_teardown(test_system_reset, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
