/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/stm32_usart (AN3155 client) against a scripted fake device: exact host bytes of each
 * command (AN3155 §3.1-§3.12 and the byte examples of ../shared/reference/an3155.md §2.1/§2.3),
 * and hostile devices — garbage, silence, double NACK, double ACK, duplicated and dropped bytes —
 * must give bounded retries and errors naming the command and the bytes seen. */
#include "fk_test.h"

#include "boot/stm32_usart.h"
#include "core/core.h"

/* Device bytes are released once the host has written at least `after` bytes in total. */
typedef struct seg {
	size_t after;
	uint8_t bytes[300];
	size_t n;
} seg;

typedef struct fake {
	seg segs[64];
	size_t nsegs, seg_i, seg_off;
	uint8_t host[8192];
	size_t nhost;
	unsigned reads, timeouts;
} fake;

static int fake_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	fake *f = h;
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		if (f->nhost < sizeof f->host)
			f->host[f->nhost++] = ((const uint8_t *)buf)[i];
	return FK_OK;
}

static int fake_next(fake *f, uint8_t *c)
{
	while (f->seg_i < f->nsegs && f->seg_off >= f->segs[f->seg_i].n) {
		f->seg_i++;
		f->seg_off = 0;
	}
	if (f->seg_i >= f->nsegs || f->segs[f->seg_i].after > f->nhost)
		return 0;
	*c = f->segs[f->seg_i].bytes[f->seg_off++];
	return 1;
}

static int fake_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned tmo, size_t *got)
{
	fake *f = h;
	(void)ctx;
	(void)tmo;
	f->reads++;
	for (*got = 0; *got < len; (*got)++)
		if (!fake_next(f, (uint8_t *)buf + *got)) {
			f->timeouts++;
			return FK_E_TIMEOUT;
		}
	return FK_OK;
}

static int fake_flush(void *h, fk_ctx *ctx)
{
	uint8_t c;
	(void)ctx;
	while (fake_next(h, &c))
		;
	return FK_OK;
}

static const fk_stream_ops fake_ops = {fake_write, fake_read, fake_flush, NULL, NULL, NULL};

static fake F;
static an3155 B;
static fk_ctx *CTX;

static void dev(size_t after, const char *hex)
{
	seg *s = &F.segs[F.nsegs++];
	s->after = after;
	s->n = 0;
	for (const char *p = hex; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		unsigned v;
		sscanf(p, "%2x", &v);
		s->bytes[s->n++] = (uint8_t)v;
		p += 2;
	}
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof F);
	CTX = fk_ctx_new();
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &fake_ops, .handle = &F};
	assert_int_equal(an3155_attach(&B, CTX, &t, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_ctx_free(CTX);
	return 0;
}

static void assert_host(size_t from, const char *hex)
{
	char got[1024] = "";
	for (size_t i = from; i < F.nhost && i < from + 300; i++)
		fk_snprintf_cat(got, sizeof got, "%s%02X", i > from ? " " : "", F.host[i]);
	assert_string_equal(got, hex);
}

static const char *msg(void)
{
	static char buf[FK_CHAIN_MSG_MAX];
	return fk_ctx_message(CTX, buf, sizeof buf);
}

static void test_encoders(void **state)
{
	(void)state;
	uint8_t a[5], e[64];
	an3155_encode_addr(a, 0x08000000u);
	assert_memory_equal(a, "\x08\x00\x00\x00\x08", 5);
	an3155_encode_addr(a, 0x20003000u);
	assert_memory_equal(a, "\x20\x00\x30\x00\x10", 5);
	an3155_encode_addr(a, 0x1FFFC000u);
	assert_memory_equal(a, "\x1F\xFF\xC0\x00\x20", 5);
	uint16_t pages[] = {0, 1, 2, 3, 4};
	assert_int_equal(an3155_encode_ext_erase(e, sizeof e, pages, 5), 13);
	assert_memory_equal(e, "\x00\x04\x00\x00\x00\x01\x00\x02\x00\x03\x00\x04\x00", 13);
	uint16_t one = 1;
	assert_int_equal(an3155_encode_ext_erase(e, sizeof e, &one, 1), 5);
	assert_memory_equal(e, "\x00\x00\x00\x01\x01", 5);
	assert_int_equal(an3155_encode_ext_erase(e, 4, pages, 5), 0); /* does not fit */
	assert_string_equal(an3155_cmd_name(0x92), "Readout Unprotect");
}

static void test_decoders(void **state)
{
	(void)state;
	uint8_t get[] = {0x0B, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92};
	uint8_t ver, cmds[AN3155_MAX_CMDS];
	unsigned n;
	assert_int_equal(an3155_parse_get(get, sizeof get, &ver, cmds, &n), 0);
	assert_int_equal(ver, 0x31);
	assert_int_equal(n, 11);
	assert_int_equal(cmds[10], 0x92);
	assert_int_equal(an3155_parse_get(get, sizeof get - 1, &ver, cmds, &n), FK_E_PROTOCOL);
	uint16_t pid;
	uint8_t id[] = {0x01, 0x04, 0x13};
	assert_int_equal(an3155_parse_get_id(id, 3, &pid), 0);
	assert_int_equal(pid, 0x413);
	assert_int_equal(an3155_parse_get_id(id, 2, &pid), FK_E_PROTOCOL);
}

static void test_connect_bytes(void **state)
{
	(void)state;
	dev(1, "79");
	dev(3, "79 0B 31 00 01 02 11 21 31 44 63 73 82 92 79");
	dev(5, "79 01 04 13 79");
	assert_int_equal(an3155_connect(&B), 0);
	assert_host(0, "7F 00 FF 02 FD"); /* Get carries the version: no Get Version */
	assert_int_equal(B.version, 0x31);
	assert_int_equal(B.pid, 0x413);
	assert_true(an3155_has(&B, 0x44));
	assert_false(an3155_has(&B, 0x43));
}

static void test_sync_rules(void **state)
{
	(void)state;
	dev(1, "1F"); /* already synchronised: NACK is success (an3155.md §1.4) */
	assert_int_equal(an3155_sync(&B, 2), 0);
	dev(2, "00 79"); /* framing glitch before the ACK */
	assert_int_equal(an3155_sync(&B, 2), 0);
	dev(4, "79"); /* first 0x7F lost in start-up, second one answered */
	/* which 0x7F was answered is unknown: 0xFF fillers until a NACK, then Get Version */
	dev(6, "1F");
	dev(8, "79 31 00 00 79");
	assert_int_equal(an3155_sync(&B, 2), 0);
	assert_host(0, "7F 7F 7F 7F FF FF 01 FE");
}

/* A slow device answers the first 0x7F late: the repeat sits in its command buffer and would
 * eat the first byte of Get. Realignment clears it (the device NACKs the pair 7F FF). */
static void test_sync_late_answer(void **state)
{
	(void)state;
	dev(2, "79");       /* the ACK of the first 0x7F arrives after the repeat */
	dev(3, "1F");       /* pair (7F, FF) refused: the buffer is clean again */
	dev(5, "79 31 00 00 79");
	dev(7, "79 01 04 13 79");
	assert_int_equal(an3155_sync(&B, 2), 0);
	assert_int_equal(an3155_get_id(&B), 0);
	assert_int_equal(B.pid, 0x413);
	assert_host(0, "7F 7F FF 01 FE 02 FD");
}

static void test_sync_silent(void **state)
{
	(void)state;
	assert_int_equal(an3155_sync(&B, 2), FK_E_TIMEOUT);
	assert_int_equal(F.nhost, 2); /* bounded: exactly two 0x7F */
	assert_non_null(strstr(msg(), "no answer to 0x7F after 2 attempts"));
	assert_non_null(strstr(fk_ctx_hint(CTX), "BOOT0"));
}

static void test_sync_garbage(void **state)
{
	(void)state;
	dev(1, "FE");
	dev(2, "FF");
	assert_int_equal(an3155_sync(&B, 2), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(), "bytes seen: FE FF"));
	assert_non_null(strstr(fk_ctx_hint(CTX), "baud"));
}

static void test_read_block(void **state)
{
	(void)state;
	uint8_t buf[4];
	dev(2, "79");
	dev(7, "79");
	dev(9, "79 DE AD BE EF");
	assert_int_equal(an3155_read_block(&B, 0x08000000u, buf, 4), 0);
	assert_host(0, "11 EE 08 00 00 00 08 03 FC");
	assert_memory_equal(buf, "\xDE\xAD\xBE\xEF", 4);
}

static void test_read_double_nack(void **state)
{
	(void)state;
	uint8_t buf[16];
	dev(2, "1F 1F"); /* F40x V3.1 under RDP (AN2606 Table 74) */
	assert_int_equal(an3155_read(&B, 0x08000000u, buf, 16), FK_E_NACK);
	assert_int_equal(F.nhost, 2); /* a NACK is an answer: never retried */
	assert_non_null(strstr(msg(), "Read Memory (0x11): NACK to the command (and a second NACK"));
	assert_non_null(strstr(msg(), "bytes seen: 1F 1F"));
	assert_non_null(strstr(msg(), "reading 16 bytes at 0x08000000"));
	/* the second NACK was drained: the next command sees its own reply */
	dev(4, "79 31 00 00 79");
	assert_int_equal(an3155_get_version(&B), 0);
}

static void test_write_block_padding(void **state)
{
	(void)state;
	dev(2, "79");
	dev(7, "79");
	dev(17, "79");
	assert_int_equal(an3155_write_block(&B, 0x08000000u, "\x01\x02\x03\x04\x05", 5), 0);
	/* N = 7 (8 bytes, padded with FF), cs = 07^01^02^03^04^05^FF^FF^FF = 0xFA */
	assert_host(7, "07 01 02 03 04 05 FF FF FF F9");
	assert_int_equal(an3155_write_block(&B, 0x08000002u, "\x01", 1), FK_E_INVALID_ARG);
}

static void test_double_ack_then_command(void **state)
{
	(void)state;
	dev(2, "79");
	dev(7, "79");
	dev(13, "79 79"); /* completion ACK doubled */
	assert_int_equal(an3155_write_block(&B, 0x08000000u, "\xAA\xBB\xCC\xDD", 4), 0);
	dev(15, "79 31 00 00 79");
	assert_int_equal(an3155_get_version(&B), 0); /* the stray ACK is not taken as this one's */
	assert_int_equal(B.version, 0x31);
}

static void test_garbage_reply(void **state)
{
	(void)state;
	dev(2, "42");
	assert_int_equal(an3155_get_id(&B), FK_E_PROTOCOL);
	assert_non_null(strstr(msg(), "Get ID (0x02): expected ACK 0x79 or NACK 0x1F to the command, got 0x42"));
}

static void test_silent_read_is_bounded(void **state)
{
	(void)state;
	uint8_t buf[256];
	assert_int_equal(an3155_read(&B, 0x08000000u, buf, sizeof buf), FK_E_TIMEOUT);
	assert_non_null(strstr(msg(), "Read Memory (0x11): no reply to the command"));
	assert_non_null(strstr(msg(), "the link did not recover"));
	assert_true(F.nhost < 2000); /* 3 attempts and two bounded recoveries, not a hang */
}

static void test_duplicated_byte_retried(void **state)
{
	(void)state;
	uint8_t buf[4];
	/* attempt 1: one data byte duplicated -> 5 bytes for 4 */
	dev(2, "79");
	dev(7, "79");
	dev(9, "79 01 02 02 03 04");
	/* recovery: the first 0xFF filler gets a NACK, then Get Version */
	dev(10, "1F");
	dev(12, "79 31 00 00 79");
	/* attempt 2 */
	dev(14, "79");
	dev(19, "79");
	dev(21, "79 01 02 03 04");
	assert_int_equal(an3155_read(&B, 0x08000000u, buf, 4), 0);
	assert_memory_equal(buf, "\x01\x02\x03\x04", 4);
}

static void test_dropped_ack_retried(void **state)
{
	(void)state;
	/* attempt 1: the device lost a byte of our frame and waits; fillers complete it */
	dev(2, "79");
	dev(7, "79");
	dev(14, "1F"); /* after the data and one 0xFF filler: bad checksum */
	dev(16, "79 31 00 00 79");
	dev(18, "79");
	dev(23, "79");
	dev(29, "79");
	assert_int_equal(an3155_write(&B, 0x08000000u, "\x11\x22\x33\x44", 4), 0);
	assert_host(0, "31 CE 08 00 00 00 08 03 11 22 33 44 47 FF 01 FE 31 CE 08 00 00 00 08 03 11 22 33 44 47");
}

static void test_erase_bytes(void **state)
{
	(void)state;
	B.ncmds = 1;
	B.cmds[0] = 0x44;
	uint16_t s[] = {1};
	dev(2, "79");
	dev(7, "79");
	dev(9, "79");
	dev(12, "79");
	assert_int_equal(an3155_erase(&B, s, 1), 0);
	assert_int_equal(an3155_erase_mass(&B, AN3155_MASS_ALL), 0);
	assert_host(0, "44 BB 00 00 00 01 01 44 BB FF FF 00");
}

static void test_readout_unprotect_resyncs(void **state)
{
	(void)state;
	dev(2, "79 79");
	dev(4, "79"); /* answer to the second 0x7F after the reset (first one lost in boot) */
	dev(6, "1F"); /* realignment: the fillers end a pending pair */
	dev(8, "79 31 00 00 79");
	assert_int_equal(an3155_readout_unprotect(&B), 0);
	assert_host(0, "92 6D 7F 7F FF FF 01 FE");
	assert_true(B.synced);
}

static void test_write_unprotect_nack(void **state)
{
	(void)state;
	dev(2, "1F");
	assert_int_equal(an3155_write_unprotect(&B), FK_E_NACK);
	assert_non_null(strstr(msg(), "Write Unprotect (0x73): NACK to the command"));
}

static void test_seq_parse(void **state)
{
	(void)state;
	an3155_seq en, ex;
	assert_int_equal(an3155_seq_parse(CTX, "rts,-dtr&dtr:-rts", &en, &ex), 0);
	assert_int_equal(en.n, 3);
	assert_int_equal(en.step[0].line, 'r');
	assert_int_equal(en.step[0].level, 1);
	assert_int_equal(en.step[0].delay_ms, 100);
	assert_int_equal(en.step[1].level, 0);
	assert_int_equal(en.step[1].delay_ms, 0);
	assert_int_equal(ex.n, 1);
	assert_int_equal(ex.step[0].level, 0);
	assert_int_equal(an3155_seq_parse(CTX, "rts,5", &en, &ex), FK_E_USAGE);
	assert_non_null(strstr(msg(), "bad step \"5\""));
	/* a sequence on a line-less stream is refused, not ignored */
	assert_int_equal(an3155_seq_parse(CTX, "dtr", &en, &ex), 0);
	assert_int_equal(an3155_run_seq(&B, &en), FK_E_UNSUPPORTED);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_encoders),         T(test_decoders),
		T(test_connect_bytes),    T(test_sync_rules),
		T(test_sync_silent),      T(test_sync_garbage),      T(test_sync_late_answer),
		T(test_read_block),       T(test_read_double_nack),
		T(test_write_block_padding), T(test_double_ack_then_command),
		T(test_garbage_reply),    T(test_silent_read_is_bounded),
		T(test_duplicated_byte_retried), T(test_dropped_ack_retried),
		T(test_erase_bytes),      T(test_readout_unprotect_resyncs),
		T(test_write_unprotect_nack), T(test_seq_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
