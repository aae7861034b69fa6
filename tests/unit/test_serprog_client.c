/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/serprog (serprog client) against a configurable fake programmer: the exact host bytes of
 * the start-up sequence and of O_SPIOP (serprog-protocol.txt, ../shared/reference/spi-nor.md §7),
 * and hostile programmers — silence, garbage before the sync, another interface version, no SPI
 * bus, a command map without O_SPIOP or S_SPI_FREQ, NAK, a wrong ACK byte, a short reply — must
 * end in an error naming the command, the bus or the bytes seen. */
#include "fk_test.h"

#include "core/core.h"
#include "probe/serprog.h"

typedef struct fdev {
	uint8_t in[8192];
	size_t nin;
	uint8_t host[16384];
	size_t nhost;
	uint8_t out[70000];
	size_t nout, off;
	/* behaviour */
	uint16_t iface;
	uint8_t bus;
	uint8_t map[32];
	uint32_t wrmax, rdmax, freq;
	const char *name;
	bool silent, nak_spiop;
	int ack_byte;             /* -1: ACK; else this byte instead of the ACK of O_SPIOP */
	size_t short_by;          /* O_SPIOP answers this many bytes fewer */
	uint8_t garbage[8];
	size_t ngarbage;          /* sent before the first SYNCNOP answer */
	uint8_t last_w[64];
	size_t last_wlen, last_rlen;
} fdev;

static void put(fdev *d, const void *b, size_t n)
{
	if (d->silent || d->nout + n > sizeof d->out)
		return;
	memcpy(d->out + d->nout, b, n);
	d->nout += n;
}

static void put1(fdev *d, uint8_t b)
{
	put(d, &b, 1);
}

static void put_le(fdev *d, uint32_t v, unsigned n)
{
	put1(d, SERPROG_ACK);
	for (unsigned i = 0; i < n; i++)
		put1(d, (uint8_t)(v >> (8 * i)));
}

static bool has(const fdev *d, uint8_t c)
{
	return (d->map[c / 8] >> (c % 8)) & 1;
}

static size_t need(const fdev *d)
{
	switch (d->in[0]) {
	case SERPROG_S_BUSTYPE:
	case SERPROG_S_PIN_STATE:
		return 2;
	case SERPROG_S_SPI_FREQ:
		return 5;
	case SERPROG_O_SPIOP:
		return d->nin < 7 ? 7 : 7 + (d->in[1] | (size_t)d->in[2] << 8 | (size_t)d->in[3] << 16);
	default:
		return 1;
	}
}

static void spiop(fdev *d)
{
	size_t w = d->in[1] | (size_t)d->in[2] << 8, r = d->in[4] | (size_t)d->in[5] << 8;
	d->last_wlen = w;
	d->last_rlen = r;
	memcpy(d->last_w, d->in + 7, FK_MIN(w, sizeof d->last_w));
	if (d->nak_spiop) {
		put1(d, SERPROG_NAK);
		return;
	}
	put1(d, d->ack_byte >= 0 ? (uint8_t)d->ack_byte : SERPROG_ACK);
	for (size_t i = 0; i + d->short_by < r; i++)
		put1(d, (uint8_t)(0xA0 + i));
}

static void exec(fdev *d)
{
	uint8_t c = d->in[0], name[16] = {0};
	if (!has(d, c)) {
		put1(d, SERPROG_NAK);
		return;
	}
	switch (c) {
	case SERPROG_NOP: put1(d, SERPROG_ACK); break;
	case SERPROG_SYNCNOP:
		put(d, d->garbage, d->ngarbage);
		d->ngarbage = 0;
		put1(d, SERPROG_NAK);
		put1(d, SERPROG_ACK);
		break;
	case SERPROG_Q_IFACE: put_le(d, d->iface, 2); break;
	case SERPROG_Q_CMDMAP: put1(d, SERPROG_ACK); put(d, d->map, 32); break;
	case SERPROG_Q_PGMNAME:
		memcpy(name, d->name, strlen(d->name));
		put1(d, SERPROG_ACK);
		put(d, name, 16);
		break;
	case SERPROG_Q_BUSTYPE: put_le(d, d->bus, 1); break;
	case SERPROG_Q_WRNMAXLEN: put_le(d, d->wrmax, 3); break;
	case SERPROG_Q_RDNMAXLEN: put_le(d, d->rdmax, 3); break;
	case SERPROG_S_BUSTYPE:
	case SERPROG_S_PIN_STATE: put1(d, SERPROG_ACK); break;
	case SERPROG_S_SPI_FREQ: put_le(d, d->freq, 4); break;
	case SERPROG_O_SPIOP: spiop(d); break;
	default: put1(d, SERPROG_NAK); break;
	}
}

static int f_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	fdev *d = h;
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = ((const uint8_t *)buf)[i];
		if (d->nhost < sizeof d->host)
			d->host[d->nhost++] = b;
		d->in[d->nin++] = b;
		if (d->nin >= need(d)) {
			exec(d);
			d->nin = 0;
		}
	}
	return FK_OK;
}

static int f_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned tmo, size_t *got)
{
	fdev *d = h;
	(void)ctx;
	(void)tmo;
	*got = FK_MIN(len, d->nout - d->off);
	memcpy(buf, d->out + d->off, *got);
	d->off += *got;
	return *got == len ? FK_OK : FK_E_TIMEOUT;
}

static int f_flush(void *h, fk_ctx *ctx)
{
	fdev *d = h;
	(void)ctx;
	d->off = d->nout;
	return FK_OK;
}

static const fk_stream_ops f_ops = {f_write, f_read, f_flush, NULL, NULL, NULL};

static fdev D;
static fk_ctx *CTX;
static fk_transport T;
static serprog SP;
static char MSG[FK_CHAIN_MSG_MAX];

static void map_set(uint8_t c, bool on)
{
	if (on)
		D.map[c / 8] |= (uint8_t)(1U << (c % 8));
	else
		D.map[c / 8] &= (uint8_t)~(1U << (c % 8));
}

/* A programmer like the usual SPI-only serprog firmwares. */
static int setup(void **state)
{
	(void)state;
	memset(&D, 0, sizeof D);
	D.iface = 1;
	D.bus = SERPROG_BUS_SPI;
	D.wrmax = 0x000104; /* 260 */
	D.rdmax = 0;        /* 2^24 */
	D.freq = 4000000;
	D.name = "pico-serprog";
	D.ack_byte = -1;
	static const uint8_t cmds[] = {
		SERPROG_NOP, SERPROG_Q_IFACE, SERPROG_Q_CMDMAP, SERPROG_Q_PGMNAME, SERPROG_Q_SERBUF,
		SERPROG_Q_BUSTYPE, SERPROG_Q_WRNMAXLEN, SERPROG_SYNCNOP, SERPROG_Q_RDNMAXLEN,
		SERPROG_S_BUSTYPE, SERPROG_O_SPIOP, SERPROG_S_SPI_FREQ, SERPROG_S_PIN_STATE};
	for (size_t i = 0; i < sizeof cmds; i++)
		map_set(cmds[i], true);
	CTX = fk_ctx_new();
	T = (fk_transport){.kind = FK_TRANSPORT_STREAM, .ops = &f_ops, .handle = &D};
	snprintf(T.description, sizeof T.description, "fake tty");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	serprog_detach(&SP);
	fk_ctx_free(CTX);
	return 0;
}

static const char *msg(void)
{
	return fk_ctx_message(CTX, MSG, sizeof MSG);
}

static void expect_host(size_t at, const char *hex)
{
	uint8_t want[64];
	size_t n = 0;
	for (const char *p = hex; *p;) {
		unsigned v;
		int used;
		if (sscanf(p, " %x%n", &v, &used) != 1)
			break;
		want[n++] = (uint8_t)v;
		p += used;
	}
	assert_true(D.nhost >= at + n);
	assert_memory_equal(D.host + at, want, n);
}

static void attach_sends_the_startup_sequence(void **state)
{
	(void)state;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	/* 8 NOPs, SYNCNOP twice, Q_IFACE, Q_CMDMAP, Q_PGMNAME, Q_BUSTYPE, S_BUSTYPE SPI,
	 * Q_WRNMAXLEN, Q_RDNMAXLEN, S_PIN_STATE on */
	expect_host(0, "00 00 00 00 00 00 00 00 10 10 01 02 03 05 12 08 08 11 15 01");
	assert_int_equal(D.nhost, 20);
	assert_int_equal(SP.iface, 1);
	assert_string_equal(SP.name, "pico-serprog");
	assert_int_equal(SP.max_write, 260);
	assert_int_equal(SP.max_read, SERPROG_LEN_MAX);
	size_t mw, mr;
	serprog_limits(&SP, &mw, &mr);
	assert_int_equal(mw, 260);
	assert_int_equal(mr, SERPROG_OWN_READ_MAX);
	assert_true(SP.pins_on);
	serprog_detach(&SP);
	expect_host(20, "15 00"); /* drivers off when leaving */
}

static void spiop_carries_write_then_read(void **state)
{
	(void)state;
	uint8_t id[3];
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	size_t at = D.nhost;
	const uint8_t rdid = 0x9F;
	assert_int_equal(serprog_spi(&SP, &rdid, 1, id, 3), FK_OK);
	expect_host(at, "13 01 00 00 03 00 00 9F");
	assert_int_equal(id[0], 0xA0);
	assert_int_equal(id[2], 0xA2);
	/* a write-only transaction: rlen 0 */
	const uint8_t pp[6] = {0x02, 0x12, 0x34, 0x56, 0xDE, 0xAD};
	at = D.nhost;
	assert_int_equal(serprog_spi(&SP, pp, sizeof pp, NULL, 0), FK_OK);
	expect_host(at, "13 06 00 00 00 00 00 02 12 34 56 DE AD");
	assert_int_equal(D.last_wlen, 6);
	assert_int_equal(D.last_rlen, 0);
}

static void garbage_before_sync_is_skipped(void **state)
{
	(void)state;
	static const uint8_t g[] = {0xAA, 0x15, 0x15, 0x42};
	memcpy(D.garbage, g, sizeof g);
	D.ngarbage = sizeof g;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
}

static void silent_device_names_syncnop(void **state)
{
	(void)state;
	D.silent = true;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_E_CONNECT);
	assert_non_null(strstr(msg(), "no serprog programmer answered on fake tty"));
	assert_non_null(strstr(msg(), "SYNCNOP (0x10)"));
	assert_non_null(strstr(msg(), "got nothing"));
	assert_non_null(strstr(fk_ctx_hint(CTX), "serprog:DEVICE@BAUD"));
}

static void other_interface_version_refused(void **state)
{
	(void)state;
	D.iface = 2;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_E_UNSUPPORTED);
	assert_non_null(strstr(msg(), "serprog interface version 2"));
}

static void no_spi_bus_named(void **state)
{
	(void)state;
	D.bus = SERPROG_BUS_PARALLEL | SERPROG_BUS_LPC;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_E_UNSUPPORTED);
	assert_non_null(strstr(msg(), "offers no SPI bus (Q_BUSTYPE 0x03: parallel, LPC)"));
}

static void missing_spiop_named(void **state)
{
	(void)state;
	map_set(SERPROG_O_SPIOP, false);
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_E_UNSUPPORTED);
	assert_non_null(strstr(msg(), "\"pico-serprog\" lacks O_SPIOP (0x13)"));
}

static void missing_optional_commands_tolerated(void **state)
{
	(void)state;
	map_set(SERPROG_Q_BUSTYPE, false);
	map_set(SERPROG_S_BUSTYPE, false);
	map_set(SERPROG_Q_WRNMAXLEN, false);
	map_set(SERPROG_Q_PGMNAME, false);
	map_set(SERPROG_S_PIN_STATE, false);
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	expect_host(8, "10 10 01 02 11");
	assert_int_equal(D.nhost, 13);
	assert_int_equal(SP.max_write, SERPROG_LEN_MAX);
	assert_string_equal(SP.name, "");
}

static void spiop_nak_names_instruction(void **state)
{
	(void)state;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	D.nak_spiop = true;
	uint8_t id[3];
	const uint8_t rdid = 0x9F;
	assert_int_equal(serprog_spi(&SP, &rdid, 1, id, 3), FK_E_NACK);
	assert_non_null(strstr(msg(), "SPI instruction 9Fh (1 bytes out, 3 in)"));
	assert_non_null(strstr(msg(), "O_SPIOP (0x13): the serprog programmer refused it (NAK)"));
}

static void spiop_wrong_ack_and_short_reply(void **state)
{
	(void)state;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	uint8_t id[3];
	const uint8_t rdid = 0x9F;
	D.ack_byte = 0x42;
	assert_int_equal(serprog_spi(&SP, &rdid, 1, id, 3), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(), "expected ACK 0x06 or NAK 0x15, got 0x42"));
	D.ack_byte = -1;
	D.off = D.nout;
	D.short_by = 1;
	fk_ctx_clear(CTX);
	assert_int_equal(serprog_spi(&SP, &rdid, 1, id, 3), FK_E_TIMEOUT);
	assert_non_null(strstr(msg(), "2 of 3 reply bytes after the ACK"));
}

static void oversized_transaction_refused_before_sending(void **state)
{
	(void)state;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	uint8_t big[300] = {0x02};
	size_t at = D.nhost;
	assert_int_equal(serprog_spi(&SP, big, sizeof big, NULL, 0), FK_E_INTERNAL);
	assert_int_equal(D.nhost, at);
	assert_non_null(strstr(msg(), "at most 260 out"));
}

static void spi_speed_decoded_and_checked(void **state)
{
	(void)state;
	uint32_t got = 0;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	size_t at = D.nhost;
	assert_int_equal(serprog_set_speed(&SP, 8000000, &got), FK_OK);
	expect_host(at, "14 00 12 7A 00");
	assert_int_equal(got, 4000000);
	D.freq = 0;
	assert_int_equal(serprog_set_speed(&SP, 8000000, &got), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(), "answered 0 Hz"));
	map_set(SERPROG_S_SPI_FREQ, false);
	serprog_detach(&SP);
	fk_ctx_clear(CTX);
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	assert_int_equal(serprog_set_speed(&SP, 8000000, &got), FK_E_UNSUPPORTED);
	assert_non_null(strstr(msg(), "lacks S_SPI_FREQ (0x14)"));
}

static void pure_decoders(void **state)
{
	(void)state;
	const uint8_t z[3] = {0, 0, 0}, l[3] = {0x00, 0x10, 0x00};
	assert_int_equal(serprog_decode_len24(z), SERPROG_LEN_MAX);
	assert_int_equal(serprog_decode_len24(l), 4096);
	const uint8_t nm[16] = {'a', 0x01, 'b', 0xFF, 'c'};
	char out[17];
	serprog_decode_name(nm, out);
	assert_string_equal(out, "a?b?c");
	const uint8_t full[16] = "0123456789abcdef";
	serprog_decode_name(full, out);
	assert_string_equal(out, "0123456789abcdef");
	assert_string_equal(serprog_cmd_name(0x13), "O_SPIOP");
	assert_string_equal(serprog_cmd_name(0x99), "unknown");
}

static void bad_connection_string(void **state)
{
	(void)state;
	fk_conn_opts o = {0};
	fk_transport t;
	assert_int_equal(serprog_open(CTX, "@115200", &o, &t), FK_E_USAGE);
	assert_non_null(strstr(msg(), "bad serprog connection"));
	fk_ctx_clear(CTX);
	assert_int_equal(serprog_open(CTX, "/nonexistent/tty@115200", &o, &t) < 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(attach_sends_the_startup_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(spiop_carries_write_then_read, setup, teardown),
		cmocka_unit_test_setup_teardown(garbage_before_sync_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(silent_device_names_syncnop, setup, teardown),
		cmocka_unit_test_setup_teardown(other_interface_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(no_spi_bus_named, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_spiop_named, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_optional_commands_tolerated, setup, teardown),
		cmocka_unit_test_setup_teardown(spiop_nak_names_instruction, setup, teardown),
		cmocka_unit_test_setup_teardown(spiop_wrong_ack_and_short_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(oversized_transaction_refused_before_sending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(spi_speed_decoded_and_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(pure_decoders, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_connection_string, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
