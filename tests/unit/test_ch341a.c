/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CH341A at the packet level: the client's encoders (lib/probe/ch341a.c) against the bytes
 * flashrom 1.3's ch341a_spi.c sends, and the emulator (twin/probe/ch341a_emu.c) in front of a
 * W25Q64JV twin: a JEDEC ID read through a chip-select packet and a SPI stream packet, bit order,
 * /CS with the pins disabled, a wait charged to the clock, a full reply queue (NAK), the wrong
 * endpoint (STALL), a reply read in two pieces, an unknown command ignored. */
#include "fk_test.h"

#include "chip.h"
#include "debug/chip_port.h"
#include "model.h"
#include "probe/ch341a.h"
#include "probe/probe_emu.h"

typedef struct cfix {
	fk_ctx *ctx;
	tw_chip *chip;
	tw_chip_port port;
	tw_probe_target t;
	tw_ch341a *e;
} cfix;

static int setup(void **state)
{
	cfix *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(f->ctx, "w25q64jv", &f->chip), FK_OK);
	f->port.chip = f->chip;
	f->t.bus = &tw_chip_port_bus;
	f->t.bus_h = &f->port;
	f->t.spi = tw_chip_spi(f->chip, NULL, NULL);
	f->t.spi_m = tw_chip_impl(f->chip);
	assert_non_null(f->t.spi);
	f->e = tw_ch341a_new(&f->t);
	assert_non_null(f->e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	cfix *f = *state;
	tw_ch341a_free(f->e);
	tw_chip_free(f->chip);
	fk_ctx_free(f->ctx);
	free(f);
	return 0;
}

static void out(cfix *f, const uint8_t *b, size_t n)
{
	size_t took = 0;
	assert_int_equal(tw_ch341a_out(f->e, TW_CH341A_EP_OUT, b, n, &took), TW_CH341A_OK);
	assert_int_equal(took, n);
}

static const uint8_t PINS_ON[] = {0xAB, 0xB7, 0x7F, 0x20}; /* flashrom enable_pins(true) */

static void test_encoders(void **state)
{
	(void)state;
	uint8_t p[CH341A_PKT];
	assert_int_equal(ch341a_cs_packet(p), 32);
	/* flashrom pluck_cs: UIO stream, deassert (and hold), assert, END, zeros */
	const uint8_t want[] = {0xAB, 0xB7, 0xB7, 0xB6, 0x20, 0x00};
	assert_memory_equal(p, want, sizeof want);
	assert_int_equal(ch341a_rev(0x9F), 0xF9);
	assert_int_equal(ch341a_rev(0x01), 0x80);
	uint8_t w[40], o[64];
	for (unsigned i = 0; i < 40; i++)
		w[i] = (uint8_t)i;
	assert_int_equal(ch341a_spi_len(40), 42);
	assert_int_equal(ch341a_spi_packets(w, 40, o), 42);
	assert_int_equal(o[0], 0xA8);
	assert_int_equal(o[1], ch341a_rev(0));
	assert_int_equal(o[31], ch341a_rev(30));
	assert_int_equal(o[32], 0xA8); /* 31 data bytes a packet */
	assert_int_equal(o[33], ch341a_rev(31));
	/* a wait of 130 us after releasing /CS: 80|37, C0|63, C0|63, C0|4, END */
	uint8_t wp[64];
	assert_true(ch341a_wait_len(130) >= 32);
	assert_int_equal(ch341a_wait_packets(130, 1, wp), 32);
	const uint8_t wwant[] = {0xAB, 0xB7, 0xFF, 0xFF, 0xC4, 0x20};
	assert_memory_equal(wp, wwant, sizeof wwant);
	/* 40 steps of 63 us do not fit one packet (30): two packets, each ending with END */
	assert_int_equal(ch341a_wait_packets(40 * 63, 0, wp), 64);
	assert_int_equal(wp[0], 0xAB);
	assert_int_equal(wp[31], 0x20);
	assert_int_equal(wp[32], 0xAB);
	assert_int_equal(wp[33 + 10], 0x20);
}

static void test_jedec_id(void **state)
{
	cfix *f = *state;
	out(f, PINS_ON, sizeof PINS_ON);
	uint8_t cs[CH341A_PKT], spi[8];
	ch341a_cs_packet(cs);
	const uint8_t rdid[] = {0x9F, 0xFF, 0xFF, 0xFF};
	size_t n = ch341a_spi_packets(rdid, sizeof rdid, spi);
	out(f, cs, sizeof cs);
	out(f, spi, n);
	uint8_t r[32];
	assert_int_equal(tw_ch341a_in(f->e, TW_CH341A_EP_IN, r, sizeof r), 4);
	assert_int_equal(ch341a_rev(r[1]), 0xEF);
	assert_int_equal(ch341a_rev(r[2]), 0x40);
	assert_int_equal(ch341a_rev(r[3]), 0x17);
	assert_false(tw_ch341a_pending(f->e));
	assert_int_equal(tw_ch341a_stats_of(f->e)->selects, 1);
}

static void test_pins_disabled(void **state)
{
	cfix *f = *state;
	/* without the direction packet D0 is an input: /CS floats high, MISO reads 1s */
	uint8_t cs[CH341A_PKT], spi[8], r[32];
	ch341a_cs_packet(cs);
	const uint8_t rdid[] = {0x9F, 0x00, 0x00, 0x00};
	size_t n = ch341a_spi_packets(rdid, sizeof rdid, spi);
	out(f, cs, sizeof cs);
	out(f, spi, n);
	assert_int_equal(tw_ch341a_in(f->e, TW_CH341A_EP_IN, r, sizeof r), 4);
	assert_int_equal(r[1] & r[2] & r[3], 0xFF);
	assert_int_equal(tw_ch341a_stats_of(f->e)->selects, 0);
}

static void test_wait_time(void **state)
{
	cfix *f = *state;
	uint8_t wp[64];
	uint64_t t0 = tw_chip_now_ns(f->chip);
	size_t n = ch341a_wait_packets(1000, 0, wp);
	out(f, wp, n);
	uint64_t dt = tw_chip_now_ns(f->chip) - t0;
	assert_true(dt >= 1000000 && dt < 1010000);
	assert_false(tw_ch341a_pending(f->e)); /* a wait answers nothing */
}

static void test_queue_full_and_pieces(void **state)
{
	cfix *f = *state;
	uint8_t pkt[32];
	memset(pkt, 0xFF, sizeof pkt);
	pkt[0] = 0xA8;
	for (unsigned i = 0; i < 256; i++)
		out(f, pkt, sizeof pkt);
	uint8_t two[64];
	memcpy(two, pkt, 32);
	memcpy(two + 32, pkt, 32);
	size_t took = 99;
	assert_int_equal(tw_ch341a_out(f->e, TW_CH341A_EP_OUT, two, sizeof two, &took),
			 TW_CH341A_NAK);
	assert_int_equal(took, 0);
	uint8_t r[32];
	assert_int_equal(tw_ch341a_in(f->e, TW_CH341A_EP_IN, r, 10), 10); /* a short read */
	assert_int_equal(tw_ch341a_in(f->e, TW_CH341A_EP_IN, r, 32), 21);  /* the rest */
	assert_int_equal(tw_ch341a_out(f->e, TW_CH341A_EP_OUT, two, sizeof two, &took),
			 TW_CH341A_NAK);
	assert_int_equal(took, 32); /* one packet's room */
	assert_int_equal(tw_ch341a_out(f->e, 0x03, pkt, 32, &took), TW_CH341A_STALL);
	assert_int_equal(tw_ch341a_in(f->e, 0x81, r, 32), 0);
}

static void test_unknown_command(void **state)
{
	cfix *f = *state;
	const uint8_t odd[] = {0xA1, 0x12, 0x34};
	out(f, odd, sizeof odd);
	assert_int_equal(tw_ch341a_stats_of(f->e)->ignored, 1);
	assert_false(tw_ch341a_pending(f->e));
	const uint8_t empty[] = {0xA8}; /* a stream packet with no data answers nothing */
	out(f, empty, sizeof empty);
	assert_false(tw_ch341a_pending(f->e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoders),
		cmocka_unit_test_setup_teardown(test_jedec_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pins_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_full_and_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
