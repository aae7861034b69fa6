/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NXP LPC UART ISP client (lib/boot/lpc_isp.c) against the LPC1768 / LPC812 twins' ISP
 * port in process: the handshake and echo off, entry through DTR/RTS as lpc21isp -control,
 * U/J/K/N, P/E/C, W and R in UU lines (LPC1768) and in binary (LPC812), I and M with their
 * extra answer lines, G, CRP refusals as sentences; and, through a scripted stream, what a
 * broken line does: silence, echoed garbage, a missing OK, UU blocks with bad checksums (RESEND,
 * then an error naming the line), all on virtual time (no hang). */
#include "fk_test.h"

#include "boot/lpc_isp.h"
#include "chip.h"
#include "core/core.h"
#include "lpc/lpc.h"
#include "stream.h"

typedef struct rig {
	fk_ctx *ctx;
	tw_chip *chip;
	tw_lpc *c;
	fk_transport t;
	lpc_isp l;
} rig;

static rig *rig_new(const char *variant)
{
	rig *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(r->ctx, variant, &r->chip), 0);
	r->c = tw_lpc_of_instance(tw_chip_impl(r->chip));
	const tw_stream_port *port = tw_chip_stream(r->chip, NULL, "test", "lpc-isp");
	assert_non_null(port);
	tw_stream_cfg cfg = {.baud = 115200, .bits_per_byte = 10};
	assert_int_equal(tw_stream_attach(r->chip, port, &cfg, false, &r->t), 0);
	assert_string_equal(r->t.protocol, "lpc-isp");
	return r;
}

static int rig_connect(rig *r, lpc_isp_entry entry)
{
	assert_int_equal(lpc_isp_init(&r->l, r->ctx, &r->t, entry, 12000), 0);
	r->l.sync_attempts = 3;
	return lpc_isp_connect(&r->l);
}

static void rig_free(rig *r)
{
	fk_transport_close(&r->t);
	tw_chip_free(r->chip);
	fk_ctx_free(r->ctx);
	free(r);
}

static const char *msg(fk_ctx *ctx)
{
	static char buf[2048];
	return fk_ctx_message(ctx, buf, sizeof buf);
}

/* CRP level `word` at 0x2FC with a valid vector table, latched by a reset into ISP. */
static void set_crp(rig *r, uint32_t word)
{
	memset(r->c->flash, 0xFF, 0x400);
	for (unsigned w = 0; w < 7; w++)
		fk_put_le32(r->c->flash + 4 * w, 0x10001000U + w);
	fk_put_le32(r->c->flash + 0x1C, lpc_vector_checksum(r->c->flash));
	fk_put_le32(r->c->flash + 0x2FC, word);
	r->c->isp_pin = true;
	tw_lpc_reset(r->c);
}

static void test_connect_ids(void **st)
{
	(void)st;
	rig *r = rig_new("lpc1768");
	assert_int_equal(rig_connect(r, LPC_ENTRY_HAND), 0);
	assert_true(r->l.synced);
	assert_false(r->l.echo); /* A 0 */
	uint32_t id;
	assert_int_equal(lpc_isp_part_id(&r->l, &id), 0);
	assert_int_equal(id, 0x26013F37U);
	unsigned maj, min;
	assert_int_equal(lpc_isp_boot_version(&r->l, &maj, &min), 0);
	assert_int_equal(maj, r->c->v->boot_major);
	assert_int_equal(min, r->c->v->boot_minor);
	uint32_t uid[4];
	assert_int_equal(lpc_isp_uid(&r->l, uid), 0);
	assert_memory_equal(uid, r->c->uid, sizeof uid);
	/* E before U: CMD_LOCKED as a sentence with the next step */
	assert_int_equal(lpc_isp_prepare(&r->l, 1, 1), 0);
	assert_int_equal(lpc_isp_erase(&r->l, 1, 1), FK_E_NACK);
	assert_non_null(strstr(msg(r->ctx), "return code 15 CMD_LOCKED"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "U 23130"));
	assert_int_equal(r->l.last_rc, 15);
	fk_ctx_clear(r->ctx);
	assert_int_equal(lpc_isp_unlock(&r->l), 0);
	/* E of a sector P did not name: SECTOR_NOT_PREPARED */
	assert_int_equal(lpc_isp_erase(&r->l, 2, 2), FK_E_NACK);
	assert_non_null(strstr(msg(r->ctx), "9 SECTOR_NOT_PREPARED_FOR_WRITE_OPERATION"));
	rig_free(r);
}

/* lpc21isp -control: the board runs user code (ISP jumper off); DTR/RTS reset it into ISP. */
static void test_entry_control(void **st)
{
	(void)st;
	rig *r = rig_new("lpc1768");
	set_crp(r, 0xFFFFFFFFU);
	r->c->isp_pin = false;
	tw_lpc_reset(r->c);
	assert_int_equal(r->c->mode, TW_LPC_MODE_USER);
	assert_int_equal(rig_connect(r, LPC_ENTRY_HAND), FK_E_CONNECT);
	assert_non_null(strstr(msg(r->ctx), "no answer from the LPC ISP to '?' (3 tries)"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "--boot-seq control"));
	fk_ctx_clear(r->ctx);
	assert_int_equal(rig_connect(r, LPC_ENTRY_CONTROL), 0);
	assert_int_equal(r->c->mode, TW_LPC_MODE_ISP);
	assert_int_equal(lpc_isp_leave(&r->l), 0);
	assert_int_equal(r->c->mode, TW_LPC_MODE_USER); /* ISP released: the application */
	assert_int_equal(lpc_isp_entry_parse("control"), LPC_ENTRY_CONTROL);
	assert_int_equal(lpc_isp_entry_parse(NULL), LPC_ENTRY_HAND);
	assert_int_equal(lpc_isp_entry_parse("rts,dtr"), -1);
	rig_free(r);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245U + 12345U;
		b[i] = (uint8_t)(seed >> 16);
	}
}

static void program_and_check(rig *r, uint32_t ram, uint32_t flash, unsigned sector,
			      uint32_t n)
{
	uint8_t data[4096], back[4096];
	fill(data, n, flash ^ n);
	assert_int_equal(lpc_isp_unlock(&r->l), 0);
	assert_int_equal(lpc_isp_write_ram(&r->l, ram, data, n), 0);
	assert_int_equal(lpc_isp_read(&r->l, ram, back, n), 0);
	assert_memory_equal(back, data, n);
	bool blank;
	uint32_t off = 0, word = 0;
	assert_int_equal(lpc_isp_blank_check(&r->l, sector, sector, &blank, &off, &word), 0);
	assert_true(blank);
	assert_int_equal(lpc_isp_prepare(&r->l, sector, sector), 0);
	assert_int_equal(lpc_isp_copy(&r->l, flash, ram, n), 0);
	memset(back, 0, sizeof back);
	assert_int_equal(lpc_isp_read(&r->l, flash, back, n), 0);
	assert_memory_equal(back, data, n);
	assert_int_equal(lpc_isp_blank_check(&r->l, sector, sector, &blank, &off, &word), 0);
	assert_false(blank);
	assert_int_equal(off, 0);
	assert_int_equal(word, fk_get_le32(data));
	bool same;
	assert_int_equal(lpc_isp_compare(&r->l, flash, ram, n, &same, &off), 0);
	assert_true(same);
	data[100] ^= 0x5A;
	assert_int_equal(lpc_isp_write_ram(&r->l, ram, data, n), 0);
	assert_int_equal(lpc_isp_compare(&r->l, flash, ram, n, &same, &off), 0);
	assert_false(same);
	assert_int_equal(off, 100);
	assert_int_equal(lpc_isp_prepare(&r->l, sector, sector), 0);
	assert_int_equal(lpc_isp_erase(&r->l, sector, sector), 0);
	assert_int_equal(lpc_isp_blank_check(&r->l, sector, sector, &blank, &off, &word), 0);
	assert_true(blank);
}

static void test_uu_lpc1768(void **st)
{
	(void)st;
	rig *r = rig_new("lpc1768");
	assert_int_equal(rig_connect(r, LPC_ENTRY_HAND), 0);
	/* 4096 bytes: five blocks of 20 UU lines, the last one short */
	program_and_check(r, 0x10000200U, 0x2000U, 2, 4096);
	assert_int_equal(r->l.resent_blocks, 0);
	assert_int_equal(lpc_isp_go(&r->l, 0x2000U), 0);
	assert_int_equal(r->c->mode, TW_LPC_MODE_USER);
	rig_free(r);
}

static void test_binary_lpc812(void **st)
{
	(void)st;
	rig *r = rig_new("lpc812");
	assert_int_equal(rig_connect(r, LPC_ENTRY_HAND), 0);
	uint32_t id;
	assert_int_equal(lpc_isp_part_id(&r->l, &id), 0);
	assert_int_equal(id, r->c->v->part_id);
	r->l.binary = true;
	program_and_check(r, 0x10000300U, 0x800U, 2, 1024);
	/* with echo on the data come back and are checked */
	assert_int_equal(lpc_isp_echo(&r->l, true), 0);
	uint8_t d[64], b[64];
	fill(d, sizeof d, 7);
	assert_int_equal(lpc_isp_write_ram(&r->l, 0x10000300U, d, sizeof d), 0);
	assert_int_equal(lpc_isp_read(&r->l, 0x10000300U, b, sizeof b), 0);
	assert_memory_equal(b, d, sizeof d);
	rig_free(r);
}

static void test_crp_refusals(void **st)
{
	(void)st;
	rig *r = rig_new("lpc1768");
	set_crp(r, 0x12345678U); /* CRP1 */
	assert_int_equal(rig_connect(r, LPC_ENTRY_HAND), 0);
	uint8_t b[16];
	assert_int_equal(lpc_isp_read(&r->l, 0, b, sizeof b), FK_E_PROTECTED);
	assert_non_null(strstr(msg(r->ctx), "\"R 0 16\" answered return code 19 "
					    "CODE_READ_PROTECTION_ENABLED: Code Read Protection"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "CRP1 and CRP2"));
	fk_ctx_clear(r->ctx);
	/* CRP1: erasing all sectors is allowed and clears the word (takes effect at reset) */
	assert_int_equal(lpc_isp_unlock(&r->l), 0);
	assert_int_equal(lpc_isp_prepare(&r->l, 0, 29), 0);
	assert_int_equal(lpc_isp_erase(&r->l, 0, 29), 0);
	assert_int_equal(tw_lpc_flash_word(r->c, 0x2FC), 0xFFFFFFFFU);
	rig_free(r);
}

/* ---------------------------------------------------------------- a scripted line */

typedef struct script {
	const uint8_t *bytes;
	size_t n, off;
	uint64_t now_ns;
	char sent[4096];
	size_t nsent;
} script;

static int sc_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	script *s = h;
	(void)ctx;
	size_t k = len < sizeof s->sent - 1 - s->nsent ? len : sizeof s->sent - 1 - s->nsent;
	memcpy(s->sent + s->nsent, buf, k);
	s->nsent += k;
	s->sent[s->nsent] = '\0';
	return FK_OK;
}

static int sc_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
	script *s = h;
	(void)ctx;
	size_t k = s->n - s->off < len ? s->n - s->off : len;
	memcpy(buf, s->bytes + s->off, k);
	s->off += k;
	*got = k;
	if (k == len)
		return FK_OK;
	s->now_ns += (uint64_t)timeout_ms * 1000000ULL; /* waited in vain: virtual time */
	return FK_E_TIMEOUT;
}

static uint64_t sc_now(void *h)
{
	return ((script *)h)->now_ns;
}

static const fk_stream_ops sc_ops = {sc_write, sc_read, NULL, NULL, sc_now, NULL};

#define SYNC_OK "Synchronized\r\nSynchronized\r\nOK\r\n12000\r\nOK\r\nA 0\r\n0\r\n"

static int sc_run(script *s, const char *reply, lpc_isp *l, fk_ctx *ctx)
{
	memset(s, 0, sizeof *s);
	s->bytes = (const uint8_t *)reply;
	s->n = strlen(reply);
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &sc_ops, .handle = s,
			  .description = "scripted line"};
	assert_int_equal(lpc_isp_init(l, ctx, &t, LPC_ENTRY_HAND, 0), 0);
	l->where = "scripted line";
	l->sync_attempts = 2;
	return lpc_isp_connect(l);
}

static void test_bad_lines(void **st)
{
	(void)st;
	fk_ctx *ctx = fk_ctx_new();
	script s;
	lpc_isp l;
	/* silence: a connect failure naming the causes, after 2 tries, no hang */
	assert_int_equal(sc_run(&s, "", &l, ctx), FK_E_CONNECT);
	assert_non_null(strstr(msg(ctx), "CRP3 / NO_ISP"));
	assert_true(s.now_ns < 2000000000ULL);
	fk_ctx_clear(ctx);
	/* noise instead of Synchronized */
	assert_int_equal(sc_run(&s, "\xF0\x0F?garbage\r\n", &l, ctx), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "garbage"));
	assert_non_null(strstr(msg(ctx), "\\xF0"));
	fk_ctx_clear(ctx);
	/* the echo of "Synchronized" garbled */
	assert_int_equal(sc_run(&s, "Synchronized\r\nSynchr0nized\r\nOK\r\n", &l, ctx),
			 FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "expected \"Synchronized\" after sending "
					  "\"Synchronized\", got \"Synchr0nized\""));
	fk_ctx_clear(ctx);
	/* the OK after the crystal missing: a timeout naming what was seen */
	assert_int_equal(sc_run(&s, "Synchronized\r\nSynchronized\r\nOK\r\n12000\r\n", &l, ctx),
			 FK_E_TIMEOUT);
	assert_non_null(strstr(msg(ctx), "no \"OK\" after sending the crystal frequency"));
	assert_non_null(strstr(msg(ctx), "12000\\r\\n"));
	fk_ctx_clear(ctx);
	/* echoed garbage in place of a command's echo */
	assert_int_equal(sc_run(&s, "Synchronized\r\nSynchronized\r\nOK\r\n12000\r\nOK\r\nB 0\r\n0"
				"\r\n", &l, ctx), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "expected \"A 0\""));
	fk_ctx_clear(ctx);
	/* a return code that is not a number */
	assert_int_equal(sc_run(&s, SYNC_OK "OK\r\n", &l, ctx), 0);
	uint32_t id;
	assert_int_equal(lpc_isp_part_id(&l, &id), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "expected return code (a decimal number), got \"OK\""));
	fk_ctx_clear(ctx);
	/* an unknown return code */
	assert_int_equal(sc_run(&s, SYNC_OK "42\r\n", &l, ctx), 0);
	assert_int_equal(lpc_isp_unlock(&l), FK_E_NACK);
	assert_non_null(strstr(msg(ctx), "return code 42 (not in UM10360 Table 587)"));
	fk_ctx_clear(ctx);
	fk_ctx_free(ctx);
}

/* R: UU blocks whose checksum is wrong are asked again, then the error names the line. */
static void test_bad_uu(void **st)
{
	(void)st;
	fk_ctx *ctx = fk_ctx_new();
	script s;
	lpc_isp l;
	/* 8 bytes 01..08: "(" + 12 chars; the sum is 36 */
	uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	char line[80];
	lpc_uu_encode_line(d, 8, line, sizeof line);
	char good[128], bad[128], wrongsum[128], all[1024];
	snprintf(good, sizeof good, "%s\r\n36\r\n", line);
	snprintf(wrongsum, sizeof wrongsum, "%s\r\n37\r\n", line);
	snprintf(bad, sizeof bad, "%s~\r\n36\r\n", line);
	/* once wrong, then right: RESEND then OK */
	snprintf(all, sizeof all, SYNC_OK "0\r\n%s%s", wrongsum, good);
	assert_int_equal(sc_run(&s, all, &l, ctx), 0);
	uint8_t b[8];
	assert_int_equal(lpc_isp_read(&l, 0, b, 8), 0);
	assert_memory_equal(b, d, 8);
	assert_int_equal(l.resent_blocks, 1);
	assert_non_null(strstr(s.sent, "R 0 8\r\nRESEND\r\nOK\r\n"));
	/* always wrong: 4 requests, then an error with the sums */
	snprintf(all, sizeof all, SYNC_OK "0\r\n%s%s%s%s", wrongsum, wrongsum, wrongsum, wrongsum);
	assert_int_equal(sc_run(&s, all, &l, ctx), 0);
	assert_int_equal(lpc_isp_read(&l, 0, b, 8), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "still bad after 4 requests: the checksum line says 37, "
					  "the data sum to 36"));
	fk_ctx_clear(ctx);
	/* a line with characters after the data: named with its column */
	snprintf(all, sizeof all, SYNC_OK "0\r\n%s%s%s%s", bad, bad, bad, bad);
	assert_int_equal(sc_run(&s, all, &l, ctx), 0);
	assert_int_equal(lpc_isp_read(&l, 0, b, 8), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "line 1: characters after the data at column 13"));
	fk_ctx_clear(ctx);
	/* the block stops: a timeout, not a hang */
	snprintf(all, sizeof all, SYNC_OK "0\r\n");
	assert_int_equal(sc_run(&s, all, &l, ctx), 0);
	assert_int_equal(lpc_isp_read(&l, 0, b, 8), FK_E_TIMEOUT);
	assert_non_null(strstr(msg(ctx), "R: the block at 0x00000000"));
	fk_ctx_clear(ctx);
	/* W: RESEND for ever */
	snprintf(all, sizeof all, SYNC_OK "0\r\nRESEND\r\nRESEND\r\nRESEND\r\nRESEND\r\n");
	assert_int_equal(sc_run(&s, all, &l, ctx), 0);
	assert_int_equal(lpc_isp_write_ram(&l, 0x10000200U, d, 8), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(ctx), "answered RESEND 4 times"));
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_ids),
		cmocka_unit_test(test_entry_control),
		cmocka_unit_test(test_uu_lpc1768),
		cmocka_unit_test(test_binary_lpc812),
		cmocka_unit_test(test_crp_refusals),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_bad_uu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
