/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The J-Link emulator (twin/probe/jlink_emu.c) at the USB protocol level, as libjaylink 0.3 and
 * OpenOCD 0.12 speak it: the identification replies and their layouts, interface selection,
 * speeds, an SWD exchange with OpenOCD's bit positions (ACK at the turnaround index, data 3 bits
 * later), a JTAG IDCODE scan, a command split across transfers and a reply read in pieces, the
 * "not enough memory" status, an unknown command, the wrong endpoint and unread replies. */
#include "fk_test.h"

#include "debug/membus.h"
#include "probe/probe_emu.h"

typedef struct jfix {
	tw_membus *m;
	tw_probe_target t;
	tw_jlink *j;
} jfix;

static int setup(void **state)
{
	jfix *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->m = tw_membus_new();
	f->t.bus = &tw_membus_bus;
	f->t.bus_h = f->m;
	f->t.dap = tw_dap_new(&tw_membus_bus, f->m);
	f->j = tw_jlink_new(&f->t);
	assert_non_null(f->j);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	jfix *f = *state;
	tw_jlink_free(f->j);
	tw_dap_free(f->t.dap);
	tw_membus_free(f->m);
	free(f);
	return 0;
}

static void out(jfix *f, const uint8_t *b, size_t n)
{
	size_t took = 0;
	assert_int_equal(tw_jlink_out(f->j, TW_JLINK_EP_OUT, b, n, &took), TW_JLINK_OK);
	assert_int_equal(took, n);
}

/* Sends a command and reads exactly n reply bytes (no more are pending). */
static void xfer(jfix *f, const uint8_t *cmd, size_t clen, uint8_t *r, size_t n)
{
	out(f, cmd, clen);
	assert_int_equal(tw_jlink_in(f->j, TW_JLINK_EP_IN, r, n), n);
	assert_false(tw_jlink_busy(f->j));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_identify(void **state)
{
	jfix *f = *state;
	uint8_t r[200];
	xfer(f, (const uint8_t[]){0x01}, 1, r, 2 + 0x70);
	assert_int_equal(r[0] | r[1] << 8, 0x70);
	assert_memory_equal(r + 2, "J-Link V9 compiled", 18);
	assert_int_equal(r[2 + 0x6F], 0); /* NUL-terminated within its length */
	xfer(f, (const uint8_t[]){0xE8}, 1, r, 4);
	uint32_t caps = get32(r);
	assert_true(caps & (1u << 1));  /* GET_HW_VERSION */
	assert_true(caps & (1u << 17)); /* SELECT_TIF */
	assert_true(caps & (1u << 31)); /* GET_EXT_CAPS */
	assert_false(caps & (1u << 27)); /* no REGISTER: OpenOCD then skips it */
	xfer(f, (const uint8_t[]){0xED}, 1, r, 32);
	assert_int_equal(get32(r), caps);
	xfer(f, (const uint8_t[]){0xF0}, 1, r, 4);
	assert_int_equal(get32(r) / 10000 % 100, 9); /* major 9 >= 5: OpenOCD uses JTAG I/O v3 */
	xfer(f, (const uint8_t[]){0x07}, 1, r, 8);
	assert_int_equal(r[0] | r[1] << 8, 3300); /* target voltage in mV */
	xfer(f, (const uint8_t[]){0xC0}, 1, r, 6);
	assert_int_equal(get32(r) / 1000 / (unsigned)(r[4] | r[5] << 8), 12000); /* 12 MHz max */
	xfer(f, (const uint8_t[]){0xD4}, 1, r, 4);
	assert_true(get32(r) >= 143); /* OpenOCD's minimum */
	out(f, (const uint8_t[]){0x08, 0x01}, 2); /* target power on: no reply */
	xfer(f, (const uint8_t[]){0xC1, 0x0D, 0, 0, 0}, 5, r, 12); /* bits 0, 2, 3 */
	assert_int_equal(get32(r), 1);
}

static void test_select_tif(void **state)
{
	jfix *f = *state;
	uint8_t r[4];
	xfer(f, (const uint8_t[]){0xC7, 0xFF}, 2, r, 4);
	assert_int_equal(get32(r), 3); /* JTAG and SWD */
	xfer(f, (const uint8_t[]){0xC7, 0x01}, 2, r, 4);
	assert_int_equal(get32(r), 0); /* the previous one: JTAG after power-up */
	xfer(f, (const uint8_t[]){0xC7, 0xFE}, 2, r, 4);
	assert_int_equal(get32(r), 1);
	xfer(f, (const uint8_t[]){0xC7, 0x03}, 2, r, 4); /* FINE: not offered, SWD stays */
	xfer(f, (const uint8_t[]){0xC7, 0xFE}, 2, r, 4);
	assert_int_equal(get32(r), 1);
}

/* ---- bit strings for SWD/JTAG I/O ---- */

typedef struct bits {
	uint8_t a[512], b[512]; /* SWD: direction, out; JTAG: TMS, TDI */
	unsigned n;
} bits;

static void put(bits *s, int a, int b)
{
	if (a)
		s->a[s->n / 8] |= (uint8_t)(1u << (s->n % 8));
	if (b)
		s->b[s->n / 8] |= (uint8_t)(1u << (s->n % 8));
	s->n++;
}

static void drive(bits *s, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(s, 1, (int)((v >> i) & 1u));
}

static void release(bits *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(s, 0, 0);
}

static size_t io_cmd(const bits *s, uint8_t *c)
{
	unsigned nb = (s->n + 7) / 8;
	c[0] = 0xCF, c[1] = 0, c[2] = (uint8_t)s->n, c[3] = (uint8_t)(s->n >> 8);
	memcpy(c + 4, s->a, nb);
	memcpy(c + 4 + nb, s->b, nb);
	return 4 + 2u * nb;
}

static uint32_t field(const uint8_t *in, unsigned at, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)((in[(at + i) / 8] >> ((at + i) % 8)) & 1u) << i;
	return v;
}

/* OpenOCD jlink.c's layout: a read is 8 bits out then 38 in; ACK at the first in bit. */
static void test_swd_dpidr(void **state)
{
	jfix *f = *state;
	uint8_t r[600], c[1100];
	xfer(f, (const uint8_t[]){0xC7, 0x01}, 2, r, 4);
	bits s = {0};
	drive(&s, ~0ull, 51);
	drive(&s, 0xE79E, 16); /* JTAG-to-SWD, ADIv5.2 §B5.2 */
	drive(&s, ~0ull, 51);
	drive(&s, 0, 8);
	unsigned first = s.n + 8;
	drive(&s, 0xA5, 8); /* start, DP, read, A=0 (DPIDR), parity 1, stop 0, park 1 */
	release(&s, 38);
	drive(&s, 0, 8);
	size_t n = io_cmd(&s, c);
	unsigned nb = (s.n + 7) / 8;
	xfer(f, c, n, r, nb + 1u);
	assert_int_equal(r[nb], 0); /* status ok */
	assert_int_equal(field(r, first, 3), 1); /* ACK OK */
	uint32_t v = field(r, first + 3, 32);
	assert_int_equal(v, 0x2BA01477u);
	assert_int_equal(field(r, first + 35, 1), (unsigned)__builtin_parity(v));
}

/* A command in three transfers, its reply in pieces (libjaylink's transport_usb.c). */
static void test_split(void **state)
{
	jfix *f = *state;
	uint8_t r[200], c[300];
	xfer(f, (const uint8_t[]){0xC7, 0x01}, 2, r, 4);
	bits s = {0};
	drive(&s, ~0ull, 51), drive(&s, 0xE79E, 16), drive(&s, ~0ull, 51), drive(&s, 0, 8);
	unsigned first = s.n + 8;
	drive(&s, 0xA5, 8), release(&s, 38), drive(&s, 0, 8);
	size_t n = io_cmd(&s, c);
	out(f, c, 3);
	assert_false(tw_jlink_busy(f->j)); /* nothing until the command is whole */
	out(f, c + 3, 10);
	out(f, c + 13, n - 13);
	unsigned nb = (s.n + 7) / 8;
	assert_int_equal(tw_jlink_in(f->j, TW_JLINK_EP_IN, r, 5), 5);
	assert_int_equal(tw_jlink_in(f->j, TW_JLINK_EP_IN, r + 5, sizeof r - 5), nb + 1u - 5u);
	assert_int_equal(field(r, first, 3), 1);
	assert_int_equal(field(r, first + 3, 32), 0x2BA01477u);
}

/* JTAG: Test-Logic-Reset selects IDCODE; Shift-DR gives both TAPs' IDCODEs (RM0090 §38.5). */
static void test_jtag_idcode(void **state)
{
	jfix *f = *state;
	uint8_t r[64], c[64];
	xfer(f, (const uint8_t[]){0xC7, 0x00}, 2, r, 4);
	bits s = {0};
	for (int i = 0; i < 5; i++)
		put(&s, 1, 1);
	put(&s, 0, 1), put(&s, 1, 1), put(&s, 0, 1), put(&s, 0, 1); /* Idle, Select-DR, Capture, Shift */
	unsigned first = s.n;
	for (int i = 0; i < 64; i++)
		put(&s, i == 63, 1);
	size_t n = io_cmd(&s, c);
	unsigned nb = (s.n + 7) / 8;
	xfer(f, c, n, r, nb + 1u);
	assert_int_equal(field(r, first, 32), 0x4BA00477u); /* the DP TAP is nearest TDO */
	assert_int_equal(field(r, first + 32, 32), 0x06413041u);
}

static void test_no_memory(void **state)
{
	jfix *f = *state;
	static uint8_t c[4 + 2 * 8192], r[8200];
	unsigned bits_n = 60000, nb = (bits_n + 7) / 8;
	c[0] = 0xCF, c[2] = (uint8_t)bits_n, c[3] = (uint8_t)(bits_n >> 8);
	xfer(f, c, 4 + 2u * nb, r, nb + 1u);
	assert_int_equal(r[nb], 0x06); /* JTAG_IO_ERR_NO_MEMORY: libjaylink's "not enough memory" */
}

static void test_hostile(void **state)
{
	jfix *f = *state;
	uint8_t r[64];
	size_t took = 99;
	assert_int_equal(tw_jlink_out(f->j, 0x01, (const uint8_t[]){0x01}, 1, &took), TW_JLINK_STALL);
	assert_int_equal(took, 0);
	assert_int_equal(tw_jlink_in(f->j, 0x82, r, sizeof r), 0);
	/* unknown command: the rest of its transfer is dropped, nothing answered */
	out(f, (const uint8_t[]){0x09, 0x01, 0xE8}, 3);
	assert_false(tw_jlink_busy(f->j));
	/* the next transfer is parsed afresh */
	xfer(f, (const uint8_t[]){0xF0}, 1, r, 4);
	/* a host that never reads: the OUT endpoint NAKs once the replies fill the probe */
	static uint8_t many[4096];
	memset(many, 0x01, sizeof many);
	tw_jlink_status st = tw_jlink_out(f->j, TW_JLINK_EP_OUT, many, sizeof many, &took);
	assert_int_equal(st, TW_JLINK_NAK);
	assert_true(took > 0 && took < sizeof many);
	while (tw_jlink_in(f->j, TW_JLINK_EP_IN, many, sizeof many))
		;
	assert_int_equal(tw_jlink_out(f->j, TW_JLINK_EP_OUT, many, 1, &took), TW_JLINK_OK);
}

static void test_reset_line(void **state)
{
	jfix *f = *state;
	out(f, (const uint8_t[]){0xDC}, 1); /* CLEAR_RESET: nRESET low */
	assert_true(f->m->nrst);
	uint8_t r[8];
	xfer(f, (const uint8_t[]){0x07}, 1, r, 8);
	assert_int_equal(r[6], 0); /* TRES reads low */
	out(f, (const uint8_t[]){0xDD}, 1);
	assert_false(f->m->nrst);
	xfer(f, (const uint8_t[]){0x07}, 1, r, 8);
	assert_int_equal(r[6], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_tif, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swd_dpidr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jtag_idcode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
