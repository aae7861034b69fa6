/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/lpc: the LPC1768 / LPC812 twins' rules, one test per rule, through the model's ISP stream
 * port as a host would drive it: autobaud and echo (UM10360 §32.7.1, Table 572), Unlock gating
 * E/C/G (Table 570), P before E/C and re-protection after (Tables 575-578), UU data with its
 * checksum OK/RESEND (§32.7 ISP data format), binary W on the LPC812 (UM10601 §21.5), the CRP
 * matrix (UM10800 Table 311; UM10360 §32.6) latched at reset, CRP3 / NO_ISP and the ISP pin at
 * boot (§32.3.1), the vector checksum (§32.3.1.1), flash times (data-sheet t_er, t_prog), and
 * the state file round trip and refusals. */
#include "fk_test.h"

#include "boot/lpc_isp_codec.h"
#include "chip.h"
#include "core/core.h"
#include "lpc/lpc.h"

typedef struct host {
	fk_ctx *ctx;
	tw_chip *chip;
	tw_lpc *c;
	const tw_stream_port *p;
	void *s;
	char in[65536];
	size_t nin;
} host;

static void h_open(host *h, const char *chip)
{
	memset(h, 0, sizeof *h);
	h->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(h->ctx, chip, &h->chip), FK_OK);
	h->c = tw_lpc_of_instance(tw_chip_impl(h->chip));
	h->p = tw_chip_stream(h->chip, h->ctx, "test", "lpc-isp");
	assert_non_null(h->p);
	assert_int_equal(h->p->open(tw_chip_impl(h->chip), h->ctx, NULL, &h->s), FK_OK);
}

static void h_close(host *h)
{
	h->p->close(h->s);
	tw_chip_free(h->chip);
	fk_ctx_free(h->ctx);
}

/* Send text, collect everything the device queued (NUL-terminated in h->in). */
static const char *h_say(host *h, const char *text)
{
	h->p->rx(h->s, (const uint8_t *)text, strlen(text));
	h->nin = h->p->tx(h->s, (uint8_t *)h->in, sizeof h->in - 1);
	h->in[h->nin] = '\0';
	return h->in;
}

static void h_sync(host *h)
{
	assert_string_equal(h_say(h, "?"), "Synchronized\r\n");
	assert_string_equal(h_say(h, "Synchronized\r\n"), "Synchronized\r\nOK\r\n");
	assert_string_equal(h_say(h, "12000\r\n"), "12000\r\nOK\r\n");
}

/* The return code of a command (the echo is checked and stripped). */
static unsigned h_cmd(host *h, const char *cmd)
{
	char line[128];
	snprintf(line, sizeof line, "%s\r\n", cmd);
	const char *r = h_say(h, line);
	size_t n = strlen(line);
	assert_memory_equal(r, line, n);
	uint32_t rc;
	const char *end = strchr(r + n, '\r');
	assert_non_null(end);
	assert_int_equal(lpc_isp_parse_number(r + n, (size_t)(end - (r + n)), &rc), 0);
	return rc;
}

static void h_new_crp(host *h, const char *chip, uint32_t word)
{
	h_open(h, chip);
	fk_put_le32(h->c->flash + TW_LPC_CRP_ADDR, word);
	tw_lpc_reset(h->c);
	h->p->board_reset(h->s);
	h_sync(h);
}

/* Write n bytes into RAM at addr over UU lines (LPC1768). */
static void h_write_uu(host *h, uint32_t addr, const uint8_t *d, uint32_t n)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "W %u %u", addr, n);
	assert_int_equal(h_cmd(h, cmd), 0);
	uint32_t off = 0;
	while (off < n) {
		uint32_t sum = 0, lines = 0;
		while (off < n && lines < 20) {
			uint32_t k = n - off < 45 ? n - off : 45;
			char l[80];
			size_t m = lpc_uu_encode_line(d + off, k, l, sizeof l - 2);
			memcpy(l + m, "\r\n", 3);
			h_say(h, l);
			sum += lpc_uu_sum(d + off, k);
			off += k;
			lines++;
		}
		char s[32];
		snprintf(s, sizeof s, "%u\r\n", sum);
		char want[48];
		snprintf(want, sizeof want, "%u\r\nOK\r\n", sum);
		assert_string_equal(h_say(h, s), want);
	}
}

static void test_sync_and_identify(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	assert_string_equal(h_say(&h, "x"), ""); /* not '?': autobaud waits */
	h_sync(&h);
	assert_string_equal(h_say(&h, "J\r\n"), "J\r\n0\r\n637615927\r\n");
	assert_string_equal(h_say(&h, "K\r\n"), "K\r\n0\r\n1\r\n4\r\n");
	h_say(&h, "N\r\n");
	assert_memory_equal(h.in, "N\r\n0\r\n", 6);
	/* echo off (Table 572): the command itself is still echoed, later ones are not */
	assert_string_equal(h_say(&h, "A 0\r\n"), "A 0\r\n0\r\n");
	assert_string_equal(h_say(&h, "J\r\n"), "0\r\n637615927\r\n");
	assert_string_equal(h_say(&h, "Z\r\n"), "1\r\n"); /* INVALID_COMMAND */
	h_close(&h);
}

static void test_sync_wrong_string_restarts(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc812");
	h_say(&h, "?");
	assert_string_equal(h_say(&h, "Synchronised\r\n"), "Synchronised\r\n");
	assert_string_equal(h_say(&h, "?"), "Synchronized\r\n"); /* waits for '?' again */
	h_close(&h);
}

static void test_unlock_gates_erase_copy_go(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	h_sync(&h);
	assert_int_equal(h_cmd(&h, "P 1 1"), 0); /* P needs no unlock */
	assert_int_equal(h_cmd(&h, "E 1 1"), LPC_ISP_CMD_LOCKED);
	assert_int_equal(h_cmd(&h, "C 4096 268435968 256"), LPC_ISP_CMD_LOCKED);
	assert_int_equal(h_cmd(&h, "G 0 T"), LPC_ISP_CMD_LOCKED);
	assert_int_equal(h_cmd(&h, "U 12345"), LPC_ISP_INVALID_CODE);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "E 1 1"), 0);
	h_close(&h);
}

static void test_prepare_required_and_consumed(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	h_sync(&h);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "E 2 3"), LPC_ISP_SECTOR_NOT_PREPARED);
	assert_int_equal(h_cmd(&h, "P 2 2"), 0);
	assert_int_equal(h_cmd(&h, "E 2 3"), LPC_ISP_SECTOR_NOT_PREPARED); /* 3 not prepared */
	assert_int_equal(h_cmd(&h, "P 2 3"), 0);
	assert_int_equal(h_cmd(&h, "E 2 3"), 0);
	assert_int_equal(h_cmd(&h, "E 2 3"), LPC_ISP_SECTOR_NOT_PREPARED); /* protected again */
	assert_int_equal(h_cmd(&h, "P 3 30"), LPC_ISP_INVALID_SECTOR);
	assert_int_equal(h_cmd(&h, "P 3 2"), LPC_ISP_INVALID_SECTOR);
	h_close(&h);
}

static void test_write_copy_read_uu(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	h_sync(&h);
	uint8_t d[1024];
	for (unsigned i = 0; i < sizeof d; i++)
		d[i] = (uint8_t)(i * 7U + 3U);
	h_write_uu(&h, 0x10000200U, d, sizeof d);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "P 16 16"), 0);
	uint64_t t0 = h.c->now_ns;
	assert_int_equal(h_cmd(&h, "C 65536 268435968 1024"), 0);
	/* t_prog 1 ms per 256 bytes, charged before CMD_SUCCESS */
	assert_true(h.c->now_ns - t0 >= 4 * TW_LPC_T_PROG_NS);
	assert_memory_equal(h.c->flash + 0x10000, d, sizeof d);
	assert_int_equal(h_cmd(&h, "M 65536 268435968 1024"), 0);
	/* R: UU lines, checksum, host OK */
	assert_int_equal(h_cmd(&h, "R 65536 90"), LPC_ISP_COUNT_ERROR);
	h_say(&h, "R 65536 88\r\n");
	char want[256];
	char l1[80], l2[80];
	lpc_uu_encode_line(d, 45, l1, sizeof l1);
	lpc_uu_encode_line(d + 45, 43, l2, sizeof l2);
	snprintf(want, sizeof want, "R 65536 88\r\n0\r\n%s\r\n%s\r\n%u\r\n", l1, l2,
		 lpc_uu_sum(d, 88));
	assert_string_equal(h.in, want);
	assert_string_equal(h_say(&h, "OK\r\n"), "OK\r\n");
	assert_int_equal(h_cmd(&h, "J"), 0);
	h_close(&h);
}

static void test_uu_bad_checksum_resend(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	h_sync(&h);
	uint8_t d[45];
	memset(d, 0x5A, sizeof d);
	assert_int_equal(h_cmd(&h, "W 268436480 48"), 0);
	char l[80];
	size_t m = lpc_uu_encode_line(d, 45, l, sizeof l - 2);
	memcpy(l + m, "\r\n", 3);
	h_say(&h, l);
	h_say(&h, "$ZZZZ\r\n"); /* 3 bytes of... 'Z' is in the alphabet: 4 bytes claimed */
	assert_string_equal(h_say(&h, "1\r\n"), "1\r\nRESEND\r\n");
	assert_int_equal(h.c->ram[0x400], 0); /* nothing committed */
	h_close(&h);
}

static void test_binary_write_lpc812(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc812");
	h_sync(&h);
	assert_int_equal(h_cmd(&h, "W 268436080 8"), 0);
	const uint8_t bin[8] = {'\r', '\n', 0x11, 0x13, 0x1B, 0, 0xFF, '?'};
	h.p->rx(h.s, bin, sizeof bin);
	h.nin = h.p->tx(h.s, (uint8_t *)h.in, sizeof h.in);
	assert_int_equal(h.nin, 8); /* echoed as sent, none taken as control */
	assert_memory_equal(h.in, bin, 8);
	assert_memory_equal(h.c->ram + 0x270, bin, 8);
	assert_int_equal(h_cmd(&h, "C 0 268436080 64"), LPC_ISP_CMD_LOCKED);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "P 0 0"), 0);
	assert_int_equal(h_cmd(&h, "C 0 268436080 256"), 0);
	assert_int_equal(h_cmd(&h, "P 0 0"), 0);
	assert_int_equal(h_cmd(&h, "C 32 268436080 64"), LPC_ISP_DST_ADDR_ERROR);
	assert_int_equal(h_cmd(&h, "C 64 268436080 100"), LPC_ISP_COUNT_ERROR);
	h_close(&h);
}

static void test_crp1_matrix(void **st)
{
	(void)st;
	host h;
	h_new_crp(&h, "lpc1768", TW_LPC_CRP1_WORD);
	assert_int_equal(h.c->crp, TW_LPC_CRP1);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "J"), 0);
	assert_int_equal(h_cmd(&h, "K"), 0);
	assert_int_equal(h_cmd(&h, "R 0 4"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "M 4096 268435968 4"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "I 1 1"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "G 0 T"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "W 268435456 4"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "W 268435968 4"), 0); /* at 0x1000 0200: allowed */
	h_say(&h, "$````````\r\n");
	assert_string_equal(h_say(&h, "0\r\n"), "0\r\nOK\r\n");
	assert_int_equal(h_cmd(&h, "P 0 0"), 0);
	assert_int_equal(h_cmd(&h, "C 0 268435968 256"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "E 0 0"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "P 1 1"), 0);
	assert_int_equal(h_cmd(&h, "C 4096 268435968 256"), 0); /* not sector 0: allowed */
	assert_int_equal(h_cmd(&h, "P 1 2"), 0);
	assert_int_equal(h_cmd(&h, "E 1 2"), 0);
	/* the recovery: erase every sector at once, then CRP is gone at the next reset */
	assert_int_equal(h_cmd(&h, "P 0 29"), 0);
	assert_int_equal(h_cmd(&h, "E 0 29"), 0);
	assert_int_equal(h.c->crp, TW_LPC_CRP1); /* latched until the reset (§32.6) */
	assert_int_equal(h_cmd(&h, "R 0 4"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	h.p->board_reset(h.s);
	assert_int_equal(h.c->crp, TW_LPC_CRP_NONE);
	h_sync(&h);
	h_say(&h, "R 1024 4\r\n");
	assert_string_equal(h.in, "R 1024 4\r\n0\r\n$_____P``\r\n1020\r\n"); /* erased */
	h_close(&h);
}

static void test_crp2_matrix(void **st)
{
	(void)st;
	host h;
	h_new_crp(&h, "lpc812", TW_LPC_CRP2_WORD);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "J"), 0);
	assert_int_equal(h_cmd(&h, "W 268436224 4"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "P 1 1"), 0);
	assert_int_equal(h_cmd(&h, "C 1024 268436224 64"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "E 1 1"), LPC_ISP_CODE_READ_PROTECTION_ENABLED);
	assert_int_equal(h_cmd(&h, "P 0 15"), 0);
	assert_int_equal(h_cmd(&h, "E 0 15"), 0); /* all sectors only */
	h_close(&h);
}

static void make_valid(tw_lpc *c)
{
	fk_put_le32(c->flash + 0, 0x10002000U);
	fk_put_le32(c->flash + 4, 0x000000C1U);
	fk_put_le32(c->flash + 0x1C, lpc_vector_checksum(c->flash));
}

static void test_boot_decision(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	make_valid(h.c);
	assert_true(tw_lpc_user_code_valid(h.c));
	h.c->isp_pin = false;
	tw_lpc_reset(h.c);
	assert_int_equal(h.c->mode, TW_LPC_MODE_USER); /* valid code, pin high */
	assert_string_equal(h_say(&h, "?"), "");       /* the ISP is not running */
	h.p->board_reset(h.s);                         /* pin low at reset: ISP */
	assert_int_equal(h.c->mode, TW_LPC_MODE_ISP);
	/* CRP3 with valid code: the pin is not sampled, no ISP (§32.6) */
	fk_put_le32(h.c->flash + TW_LPC_CRP_ADDR, TW_LPC_CRP3_WORD);
	h.p->board_reset(h.s);
	assert_int_equal(h.c->mode, TW_LPC_MODE_USER);
	assert_int_equal(h.c->crp, TW_LPC_CRP3);
	assert_string_equal(h_say(&h, "?"), "");
	/* NO_ISP likewise; without valid user code the ISP runs regardless */
	fk_put_le32(h.c->flash + TW_LPC_CRP_ADDR, TW_LPC_NOISP_WORD);
	h.p->board_reset(h.s);
	assert_int_equal(h.c->mode, TW_LPC_MODE_USER);
	fk_put_le32(h.c->flash + 0x1C, 0);
	h.p->board_reset(h.s);
	assert_int_equal(h.c->mode, TW_LPC_MODE_ISP);
	h_close(&h);
}

static void test_lines_dtr_rts(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	make_valid(h.c);
	/* lpc21isp -control: DTR = RESET, RTS = ISP; both asserted, then RESET released */
	h.p->lines(h.s, TW_LINE_DTR | TW_LINE_RTS);
	assert_int_equal(h.c->mode, TW_LPC_MODE_RESET);
	h.p->lines(h.s, TW_LINE_RTS);
	assert_int_equal(h.c->mode, TW_LPC_MODE_ISP);
	/* run mode: RESET pulse with RTS released -> user code */
	h.p->lines(h.s, TW_LINE_DTR);
	h.p->lines(h.s, 0);
	assert_int_equal(h.c->mode, TW_LPC_MODE_USER);
	h_close(&h);
}

static void test_go_ends_isp(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	h_sync(&h);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	assert_int_equal(h_cmd(&h, "G 0 A"), LPC_ISP_PARAM_ERROR);
	assert_int_equal(h_cmd(&h, "G 2 T"), LPC_ISP_ADDR_ERROR);
	assert_int_equal(h_cmd(&h, "G 0 T"), 0);
	assert_int_equal(h.c->mode, TW_LPC_MODE_USER);
	assert_string_equal(h_say(&h, "J\r\n"), "");
	h_close(&h);
}

static void test_erase_time_and_blank_check(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc1768");
	h_sync(&h);
	assert_int_equal(h_cmd(&h, "U 23130"), 0);
	h.c->flash[0x2004] = 0x12;
	h_say(&h, "I 2 2\r\n");
	assert_string_equal(h.in, "I 2 2\r\n8\r\n4\r\n4294967058\r\n"); /* offset 4, 0xFFFFFF12 */
	assert_int_equal(h_cmd(&h, "P 2 20"), 0);
	uint64_t t0 = h.c->now_ns;
	assert_int_equal(h_cmd(&h, "E 2 20"), 0);
	uint64_t dt = h.c->now_ns - t0;
	/* t_er 100 ms for several consecutive sectors, plus the bytes of the reply */
	assert_true(dt >= TW_LPC_T_ERASE_NS && dt < TW_LPC_T_ERASE_NS + 2000000ULL);
	assert_int_equal(h_cmd(&h, "I 2 20"), 0);
	h_close(&h);
}

/* Request/response timing: the bytes the device sends (R's data) are on the clock before the
 * host's next command line starts, at 10 bits a character (8N1, 115200 baud by default). */
static void test_reply_time_before_next_command(void **st)
{
	(void)st;
	host h;
	h_open(&h, "lpc812");
	h_sync(&h);
	assert_int_equal(h_cmd(&h, "A 0"), 0); /* echo off: only the reply travels back */
	uint64_t byte_ns = 10ULL * 1000000000ULL / 115200U;
	h_say(&h, "R 1024 1024\r\n");
	size_t reply = h.nin; /* "0\r\n" + 1024 raw bytes */
	assert_true(reply >= 1024);
	uint64_t t0 = h.c->now_ns;
	h_say(&h, "J\r\n");
	/* the next line waited for the whole reply, then its own 3 bytes */
	assert_true(h.c->now_ns - t0 >= (reply - 3) * byte_ns);
	h_close(&h);
}

static void test_state_round_trip_and_refusals(void **st)
{
	(void)st;
	fk_ctx *ctx = fk_ctx_new();
	tw_lpc *c, *d;
	assert_int_equal(tw_lpc_create(ctx, "lpc812", &c), FK_OK);
	c->flash[100] = 0x42;
	c->ram[7] = 9;
	c->now_ns = 123456789012ULL;
	uint8_t *buf;
	size_t len;
	assert_int_equal(tw_lpc_save(c, &buf, &len), FK_OK);
	assert_int_equal(tw_lpc_load(ctx, "t", buf, len, &d), FK_OK);
	assert_int_equal(d->flash[100], 0x42);
	assert_int_equal(d->ram[7], 9);
	assert_true(d->now_ns == 123456789012ULL);
	tw_lpc_free(d);
	assert_int_equal(tw_lpc_load(ctx, "t", buf, len - 1, &d), FK_E_BAD_FILE);
	buf[37] = 9; /* mode */
	assert_int_equal(tw_lpc_load(ctx, "t", buf, len, &d), FK_E_BAD_FILE);
	buf[37] = 0;
	memcpy(buf + 12, "lpc813", 6);
	assert_int_equal(tw_lpc_load(ctx, "t", buf, len, &d), FK_E_BAD_FILE);
	free(buf);
	tw_lpc_free(c);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_and_identify),
		cmocka_unit_test(test_sync_wrong_string_restarts),
		cmocka_unit_test(test_unlock_gates_erase_copy_go),
		cmocka_unit_test(test_prepare_required_and_consumed),
		cmocka_unit_test(test_write_copy_read_uu),
		cmocka_unit_test(test_uu_bad_checksum_resend),
		cmocka_unit_test(test_binary_write_lpc812),
		cmocka_unit_test(test_crp1_matrix),
		cmocka_unit_test(test_crp2_matrix),
		cmocka_unit_test(test_boot_decision),
		cmocka_unit_test(test_lines_dtr_rts),
		cmocka_unit_test(test_go_ends_isp),
		cmocka_unit_test(test_erase_time_and_blank_check),
		cmocka_unit_test(test_state_round_trip_and_refusals),
		cmocka_unit_test(test_reply_time_before_next_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
