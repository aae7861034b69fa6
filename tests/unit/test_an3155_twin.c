/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's F4 bootloader (twin/stm32f4/an3155_server.c) against the library's AN3155 client
 * and against raw bytes: AN3155 §3 replies, protection enforced by the chip model (RDP double
 * NACK, WRP, Readout Unprotect mass erase, level 2 silence), reset-after-command re-sync, and
 * the virtual clock (11 bits per byte at 115200 plus flash time). */
#include "fk_test.h"

#include "boot/stm32_usart.h"
#include "chip/stm32f4_boot.h"
#include "core/core.h"
#include "stm32f4/an3155_stream.h"

typedef struct fx {
	tw_f4 *chip;
	fk_transport t;
	fk_ctx *ctx;
	an3155 b;
} fx;

static fx X;

static void fx_open(void)
{
	X.ctx = fk_ctx_new();
	X.chip = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_non_null(X.chip);
	tw_f4_set_boot(X.chip, TW_BOOT_SYSMEM);
	tw_f4_reset(X.chip, TW_RESET_SYSTEM);
	tw_an3155_cfg cfg = {.baud = 115200, .bits_per_byte = 11, .startup_ns = 84590000ULL};
	assert_int_equal(tw_uart_attach(X.chip, &cfg, &X.t), 0);
	assert_int_equal(an3155_attach(&X.b, X.ctx, &X.t, NULL), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&X, 0, sizeof X);
	fx_open();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_transport_close(&X.t);
	tw_f4_free(X.chip);
	fk_ctx_free(X.ctx);
	return 0;
}

static const char *msg(void)
{
	static char buf[FK_CHAIN_MSG_MAX];
	return fk_ctx_message(X.ctx, buf, sizeof buf);
}

/* Set the stored option word (OPTCR image) and reset, as a board would come up. */
static void set_options(uint32_t optcr)
{
	tw_f4_set_option_word(X.chip, 0, optcr);
	tw_f4_reset(X.chip, TW_RESET_SYSTEM);
}

static tw_an3155 *srv(void)
{
	return tw_uart_server(X.t.handle);
}

static size_t rawn(const char *host, size_t n, uint8_t *reply, size_t max)
{
	tw_an3155_rx(srv(), (const uint8_t *)host, n);
	return tw_an3155_tx(srv(), reply, max);
}

static size_t raw(const char *host, uint8_t *reply, size_t max)
{
	tw_an3155_rx(srv(), (const uint8_t *)host, strlen(host));
	return tw_an3155_tx(srv(), reply, max);
}

static void test_connect(void **state)
{
	(void)state;
	assert_int_equal(an3155_connect(&X.b), 0);
	assert_int_equal(X.b.version, 0x31);
	assert_int_equal(X.b.pid, 0x413);
	assert_int_equal(X.b.ncmds, 11);
	assert_true(an3155_has(&X.b, 0x44));
	assert_false(an3155_has(&X.b, 0x43)); /* 0x43 and 0x44 are exclusive (AN3155 Table 3) */
}

static void test_raw_bytes(void **state)
{
	(void)state;
	uint8_t r[64];
	assert_int_equal(raw("\x01\xFE", r, sizeof r), 0); /* before 0x7F: ignored */
	assert_int_equal(raw("\x7F", r, sizeof r), 1);
	assert_int_equal(r[0], 0x79);
	assert_int_equal(raw("\x7F\x7F", r, sizeof r), 1); /* 0x7F is a command now: bad pair */
	assert_int_equal(r[0], 0x1F);
	assert_int_equal(rawn("\x00\xFF", 2, r, sizeof r), 15);
	assert_memory_equal(r, "\x79\x0B\x31\x00\x01\x02\x11\x21\x31\x44\x63\x73\x82\x92\x79", 15);
	assert_int_equal(raw("\x02\xFD", r, sizeof r), 5);
	assert_memory_equal(r, "\x79\x01\x04\x13\x79", 5);
	assert_int_equal(raw("\xA1\x5E", r, sizeof r), 1); /* Get Checksum: not on V3.1 */
	assert_int_equal(r[0], 0x1F);
	/* Write Memory with a bad address checksum, then an unaligned size (N+1 = 3) */
	assert_int_equal(raw("\x31\xCE", r, sizeof r), 1);
	assert_int_equal(rawn("\x08\x00\x00\x00\x09", 5, r, sizeof r), 1);
	assert_int_equal(r[0], 0x1F);
	assert_int_equal(raw("\x31\xCE", r, sizeof r), 1);
	assert_int_equal(rawn("\x08\x00\x00\x00\x08", 5, r, sizeof r), 1);
	tw_an3155_rx(srv(), (const uint8_t *)"\x02\x11\x22\x33\x02", 5);
	assert_int_equal(tw_an3155_tx(srv(), r, sizeof r), 1);
	assert_int_equal(r[0], 0x1F);
	/* Read Memory of system memory is allowed; of the bootloader's RAM it is not */
	assert_int_equal(raw("\x11\xEE", r, sizeof r), 1);
	assert_int_equal(rawn("\x20\x00\x10\x00\x30", 5, r, sizeof r), 1);
	assert_int_equal(r[0], 0x1F);
}

static void test_write_read_erase(void **state)
{
	(void)state;
	uint8_t img[1000], back[1000];
	for (unsigned i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(an3155_connect(&X.b), 0);
	assert_int_equal(an3155_write(&X.b, 0x08000000u, img, sizeof img), 0);
	assert_int_equal(tw_f4_peek(X.chip, 0x08000000u + 999), img[999]);
	assert_int_equal(tw_f4_peek(X.chip, 0x08000000u + 1000), 0xFF); /* padding kept 0xFF */
	assert_int_equal(an3155_read(&X.b, 0x08000000u, back, sizeof back), 0);
	assert_memory_equal(img, back, sizeof img);
	uint16_t sec = 0;
	assert_int_equal(an3155_erase(&X.b, &sec, 1), 0);
	assert_int_equal(tw_f4_peek(X.chip, 0x08000000u), 0xFF);
	assert_int_equal(an3155_write(&X.b, 0x08020000u, img, 256), 0);
	assert_int_equal(an3155_erase_mass(&X.b, AN3155_MASS_ALL), 0);
	assert_int_equal(tw_f4_peek(X.chip, 0x08020000u), 0xFF);
	/* bank codes on a single-bank F407 (UNCONFIRMED: NACK) */
	assert_int_equal(an3155_erase_mass(&X.b, AN3155_MASS_BANK2), FK_E_NACK);
}

static void test_rdp_level1(void **state)
{
	(void)state;
	uint8_t buf[16];
	tw_f4_poke(X.chip, 0x08000000u, 0x12);
	set_options(0x0FFF55EDu);
	assert_int_equal(an3155_connect(&X.b), 0); /* Get, GV, GID still answer under RDP */
	assert_int_equal(an3155_read(&X.b, 0x08000000u, buf, 16), FK_E_NACK);
	assert_int_equal(X.b.nack_extra, 1); /* AN2606 Table 74: two NACKs */
	assert_non_null(strstr(msg(), "Read Memory (0x11): NACK to the command"));
	assert_int_equal(an3155_write_unprotect(&X.b), FK_E_NACK);
	assert_int_equal(an3155_readout_unprotect(&X.b), 0);
	assert_true(X.b.synced); /* re-synced after the reset */
	assert_int_equal(tw_f4_peek(X.chip, 0x08000000u), 0xFF); /* mass erase */
	assert_int_equal((tw_f4_option_word(X.chip, 0) >> 8) & 0xFF, 0xAA);
	assert_int_equal(an3155_read(&X.b, 0x08000000u, buf, 16), 0);
	/* Readout Unprotect took a mass erase's time on the virtual clock (DS8626: seconds) */
	assert_true(tw_f4_now_ns(X.chip) > 1000000000ULL);
}

static void test_rdp_raise_and_wrp(void **state)
{
	(void)state;
	assert_int_equal(an3155_connect(&X.b), 0);
	uint8_t sectors[] = {1, 3};
	assert_int_equal(an3155_write_protect(&X.b, sectors, 2), 0);
	uint32_t ow = tw_f4_option_word(X.chip, 0);
	assert_int_equal((ow >> 16) & 0xFFF, 0xFF5);
	uint16_t s1 = 1;
	int rc = an3155_erase(&X.b, &s1, 1);
	assert_int_equal(rc, FK_E_NACK); /* WRPERR from the model -> NACK (UNCONFIRMED vs ACK) */
	assert_int_equal(an3155_write_unprotect(&X.b), 0);
	assert_int_equal((tw_f4_option_word(X.chip, 0) >> 16) & 0xFFF, 0xFFF);
	assert_int_equal(an3155_erase(&X.b, &s1, 1), 0);
	assert_int_equal(an3155_readout_protect(&X.b), 0);
	assert_int_not_equal((tw_f4_option_word(X.chip, 0) >> 8) & 0xFF, 0xAA);
	uint8_t b[4];
	assert_int_equal(an3155_read(&X.b, 0x08000000u, b, 4), FK_E_NACK);
	assert_int_equal(an3155_readout_protect(&X.b), FK_E_NACK); /* already protected */
}

static void test_level2_silent(void **state)
{
	(void)state;
	set_options(0x0FFFCCEDu);
	assert_int_equal(an3155_sync(&X.b, 2), FK_E_TIMEOUT);
	assert_non_null(strstr(fk_ctx_hint(X.ctx), "RDP level 2"));
	/* connecting to a silent bootloader is a connection failure (exit 3), like a silent SW-DP */
	fk_ctx_clear(X.ctx);
	assert_int_equal(an3155_connect(&X.b), FK_E_CONNECT);
	assert_non_null(strstr(msg(), "RDP level 2"));
	assert_non_null(strstr(msg(), "silence cannot tell these apart"));
}

static void test_virtual_time_per_block(void **state)
{
	(void)state;
	uint8_t img[256];
	memset(img, 0x5A, sizeof img);
	assert_int_equal(an3155_connect(&X.b), 0);
	uint64_t t0 = tw_f4_now_ns(X.chip);
	assert_int_equal(an3155_write_block(&X.b, 0x08000000u, img, 256), 0);
	uint64_t dt = tw_f4_now_ns(X.chip) - t0;
	/* an3155.md §5: 268 characters x 11 bits at 115200 = 25.59 ms, + 256 x 16 us = 4.1 ms */
	uint64_t wire = 268ULL * 11 * 1000000000ULL / 115200;
	assert_true(dt >= wire + 256ULL * 16000 - 100000);
	assert_true(dt <= wire + 256ULL * 100000);
	uint64_t rx, tx;
	tw_an3155_counts(srv(), &rx, &tx);
	assert_true(rx >= 265 && tx >= 3);
}

/* AN2606 §4.3 Table 4: the virtual location 0xFFFF0000 selects the supply range; at 0x03
 * (2.7-3.6 V) the ROM programs x32 (RM0090 Table 13): a 256-byte block programs in 64 word
 * times instead of 256 byte times. Bad values NACK; a reset restores x8. */
static void test_voltage_range(void **state)
{
	(void)state;
	uint8_t img[256], back[256];
	memset(img, 0x3C, sizeof img);
	assert_int_equal(an3155_connect(&X.b), 0);
	const uint8_t bad_value[4] = {0x05, 0xFF, 0xFF, 0xFF}, bad_pad[4] = {0x03, 0x00, 0xFF, 0xFF};
	assert_int_equal(an3155_write_block(&X.b, 0xFFFF0000u, bad_value, 4), FK_E_NACK);
	assert_int_equal(an3155_write_block(&X.b, 0xFFFF0000u, bad_pad, 4), FK_E_NACK);
	const uint8_t x32[4] = {0x03, 0xFF, 0xFF, 0xFF};
	assert_int_equal(an3155_write_block(&X.b, 0xFFFF0000u, x32, 4), 0);
	uint64_t wire = 268ULL * 11 * 1000000000ULL / 115200;
	uint64_t t0 = tw_f4_now_ns(X.chip);
	assert_int_equal(an3155_write_block(&X.b, 0x08000000u, img, 256), 0);
	uint64_t dt = tw_f4_now_ns(X.chip) - t0;
	assert_true(dt < wire + 128ULL * 16000); /* x8 would take 256 x 16 us on top */
	assert_true(dt >= wire + 64ULL * 16000 - 100000);
	assert_int_equal(an3155_read(&X.b, 0x08000000u, back, 256), 0);
	assert_memory_equal(img, back, 256);
	/* a reset (here: Write Unprotect, AN3155 Table 2) puts the ROM back to x8 */
	assert_int_equal(an3155_write_unprotect(&X.b), 0);
	t0 = tw_f4_now_ns(X.chip);
	assert_int_equal(an3155_write_block(&X.b, 0x08000100u, img, 256), 0);
	dt = tw_f4_now_ns(X.chip) - t0;
	assert_true(dt >= wire + 256ULL * 16000 - 100000);
	assert_true(X.b.restarts >= 1);
}

static void test_path_over_twin(void **state)
{
	(void)state;
	const stm32f4_path_ops *ops;
	void *h;
	assert_int_equal(stm32f4_boot_open(X.ctx, &X.t, NULL, &ops, &h), 0);
	stm32f4 d;
	assert_int_equal(stm32f4_attach(&d, X.ctx, ops, h), 0);
	assert_false(d.size_assumed); /* 0x1FFF7A22 read through Read Memory */
	assert_int_equal(d.flash_kb, 1024);
	stm32f4_regs r;
	assert_int_equal(ops->regs(h, X.ctx, &r), 0);
	assert_true(r.optcr_valid);
	assert_int_equal(r.optcr & 0x0FFFFF00u, 0x0FFFAA00u);
	fk_inventory inv;
	assert_int_equal(stm32f4_inventory(&d, X.ctx, &inv), 0);
	assert_int_equal(inv.rdp_level, 0);
	assert_string_equal(inv.path, "bootloader");
	/* unaligned program start padded with 0xFF */
	assert_int_equal(ops->program(h, X.ctx, 0x08000002u, "\xAB\xCD", 2, STM32F4_PSIZE_X8), 0);
	assert_int_equal(ops->program(h, X.ctx, 0x08000010u, "\x11", 1, STM32F4_PSIZE_X8), 0);
	assert_int_equal(tw_f4_peek(X.chip, 0x08000002u), 0xFF); /* gathered, not yet sent */
	uint64_t rx0, tx0, rx1, tx1;
	tw_an3155_counts(srv(), &rx0, &tx0);
	assert_int_equal(stm32f4_boot_flush(h, X.ctx), 0);
	tw_an3155_counts(srv(), &rx1, &tx1);
	assert_int_equal(rx1 - rx0, 2 + 5 + 1 + 20 + 1); /* one Write Memory of 20 bytes */
	assert_int_equal(tw_f4_peek(X.chip, 0x08000002u), 0xAB);
	assert_int_equal(tw_f4_peek(X.chip, 0x08000010u), 0x11);
	assert_int_equal(tw_f4_peek(X.chip, 0x08000001u), 0xFF);
	/* option change: WRP on sector 2 via Write Protect, then off again */
	uint32_t optcr = r.optcr & ~(1u << (16 + 2));
	assert_int_equal(ops->write_options(h, X.ctx, optcr, 0, false), 0);
	assert_int_equal((tw_f4_option_word(X.chip, 0) >> 16) & 0xFFF, 0xFFB);
	assert_int_equal(ops->write_options(h, X.ctx, r.optcr, 0, false), 0);
	assert_int_equal((tw_f4_option_word(X.chip, 0) >> 16) & 0xFFF, 0xFFF);
	/* RDP level 1: the path infers it, reads say PROTECTED */
	assert_int_equal(ops->write_options(h, X.ctx, (r.optcr & ~0xFF00u) | 0x5500u, 0, false), 0);
	assert_int_equal(ops->regs(h, X.ctx, &r), 0);
	assert_false(r.optcr_valid);
	assert_true(r.rdp_inferred);
	uint8_t b[4];
	assert_int_equal(ops->read(h, X.ctx, 0x08000000u, b, 4), FK_E_PROTECTED);
	assert_non_null(strstr(msg(), "readout protection (RDP level 1) is active"));
	/* back to level 0: Readout Unprotect */
	assert_int_equal(ops->write_options(h, X.ctx, 0x0FFFAAECu, 0, false), 0);
	assert_int_equal(ops->regs(h, X.ctx, &r), 0);
	assert_true(r.optcr_valid);
	ops->close(h);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_connect),         T(test_raw_bytes),     T(test_write_read_erase),
		T(test_rdp_level1),      T(test_rdp_raise_and_wrp), T(test_level2_silent),
		T(test_virtual_time_per_block), T(test_voltage_range), T(test_path_over_twin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
