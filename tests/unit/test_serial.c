/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/serial on a real pseudo-terminal: spec parsing, baud table, open/configure, writes and
 * reads both ways, the inter-byte timeout (no hang on a silent line), the pty's missing parity
 * reported and 8N1 used (an3155.md §4.3), DTR/RTS refused on a pty, and clear open errors. */
#include "fk_test.h"

#include <fcntl.h>
#include <pty.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "link/serial.h"

static void test_parse_spec(void **state)
{
	(void)state;
	char dev[64];
	unsigned baud;
	assert_int_equal(serial_parse_spec("/dev/ttyUSB0@57600", dev, sizeof dev, &baud), 0);
	assert_string_equal(dev, "/dev/ttyUSB0");
	assert_int_equal(baud, 57600);
	assert_int_equal(serial_parse_spec("/dev/ttyS1", dev, sizeof dev, &baud), 0);
	assert_int_equal(baud, 0);
	assert_int_equal(serial_parse_spec("@9600", dev, sizeof dev, &baud), -1);
	assert_int_equal(serial_parse_spec("/dev/x@fast", dev, sizeof dev, &baud), -1);
	assert_int_equal(serial_parse_spec("/dev/x@0", dev, sizeof dev, &baud), -1);
	assert_int_equal(serial_parse_spec("/dev/x", dev, 4, &baud), -1);
	assert_true(serial_baud_supported(115200));
	assert_true(serial_baud_supported(1200));
	assert_false(serial_baud_supported(56000)); /* rejected by Linux termios (an3155.md §4.3) */
}

static unsigned warnings;
static void on_log(void *user, fk_log_level level, unsigned cat, const char *m)
{
	(void)user;
	(void)cat;
	if (level == FK_LOG_WARN && strstr(m, "parity"))
		warnings++;
}

static void test_pty_roundtrip(void **state)
{
	(void)state;
	int master, slave;
	char name[128], spec[160];
	assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
	snprintf(spec, sizeof spec, "%s@115200", name);
	fk_ctx *ctx = fk_ctx_new();
	fk_ctx_set_log(ctx, on_log, NULL, FK_LOG_DEBUG);
	fk_conn_opts o = {0};
	fk_transport t;
	warnings = 0;
	assert_int_equal(serial_open(ctx, spec, &o, &t), 0);
	assert_int_equal(warnings, 1); /* 8E1 asked, the pty dropped PARENB: said so */
	assert_non_null(strstr(t.description, "8N1"));
	const fk_stream_ops *ops = t.ops;
	assert_int_equal(ops->write(t.handle, ctx, "\x7F", 1), 0);
	uint8_t c = 0;
	assert_int_equal(read(master, &c, 1), 1);
	assert_int_equal(c, 0x7F);
	assert_int_equal(write(master, "\x79\x1F", 2), 2);
	uint8_t r[2];
	size_t got;
	assert_int_equal(ops->read(t.handle, ctx, r, 2, 500, &got), 0);
	assert_int_equal(got, 2);
	assert_int_equal(r[1], 0x1F);
	/* silence: a bounded wait, then FK_E_TIMEOUT with what arrived */
	assert_int_equal(write(master, "\x79", 1), 1);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(ops->read(t.handle, ctx, r, 2, 100, &got), FK_E_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(got, 1);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	assert_true(ms >= 90 && ms < 1000);
	assert_int_equal(ops->set_lines(t.handle, ctx, 1, -1), FK_E_UNSUPPORTED);
	fk_transport_close(&t);
	close(slave);
	close(master);
	fk_ctx_free(ctx);
}

static void test_open_errors(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_conn_opts o = {0};
	fk_transport t;
	char m[FK_CHAIN_MSG_MAX];
	assert_int_equal(serial_open(ctx, "/nonexistent/tty", &o, &t), FK_E_CONNECT);
	assert_non_null(strstr(fk_ctx_message(ctx, m, sizeof m), "cannot open /nonexistent/tty"));
	assert_int_equal(serial_open(ctx, "/dev/null", &o, &t), FK_E_CONNECT);
	assert_non_null(strstr(fk_ctx_message(ctx, m, sizeof m), "not a serial port"));
	int master, slave;
	char name[128], spec[160];
	assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
	snprintf(spec, sizeof spec, "%s@12345", name);
	assert_int_equal(serial_open(ctx, spec, &o, &t), FK_E_USAGE);
	assert_non_null(strstr(fk_ctx_message(ctx, m, sizeof m), "baud rate 12345"));
	close(slave);
	close(master);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_spec),
		cmocka_unit_test(test_pty_roundtrip),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
