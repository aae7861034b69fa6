/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/stm32_usart_codec: the pure half of the AN3155 client — command names, checksums,
 * address and erase-list encoding, Get / Get ID reply decoding, the DTR/RTS boot sequence
 * parser. No I/O: unit-tested and fuzzed (tests/fuzz/fuzz_an3155_reply.c).
 *
 * Sources: AN3155 Rev 20 §3 (XOR checksums, MSB-first addresses), §3.1 (Get), §3.3 (Get ID),
 * §3.8 (Extended Erase); stm32flash 0.7 init.c / stm32flash.1 (-i GPIO_string syntax: ',' adds
 * 100 ms, '&' none, '-' releases), as summarised in ../shared/reference/an3155.md §4.1. */
#include <string.h>

#include "boot/stm32_usart.h"
#include "core/core.h"

const char *an3155_cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case AN3155_CMD_GET: return "Get";
	case AN3155_CMD_GET_VERSION: return "Get Version";
	case AN3155_CMD_GET_ID: return "Get ID";
	case AN3155_CMD_READ: return "Read Memory";
	case AN3155_CMD_GO: return "Go";
	case AN3155_CMD_WRITE: return "Write Memory";
	case AN3155_CMD_ERASE: return "Erase";
	case AN3155_CMD_EXT_ERASE: return "Extended Erase";
	case AN3155_CMD_WRITE_PROTECT: return "Write Protect";
	case AN3155_CMD_WRITE_UNPROTECT: return "Write Unprotect";
	case AN3155_CMD_READOUT_PROTECT: return "Readout Protect";
	case AN3155_CMD_READOUT_UNPROTECT: return "Readout Unprotect";
	case AN3155_CMD_GET_CHECKSUM: return "Get Checksum";
	case AN3155_SYNC: return "sync";
	default: return "unknown command";
	}
}

uint8_t an3155_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

void an3155_encode_addr(uint8_t out[5], uint32_t addr)
{
	fk_put_be32(out, addr);
	out[4] = an3155_xor(out, 4);
}

size_t an3155_encode_ext_erase(uint8_t *out, size_t cap, const uint16_t *pages, unsigned n)
{
	if (n == 0 || n > 0xFFF0u || cap < 3u + 2u * n)
		return 0;
	fk_put_be16(out, (uint16_t)(n - 1));
	for (unsigned i = 0; i < n; i++)
		fk_put_be16(out + 2 + 2 * i, pages[i]);
	size_t len = 2u + 2u * n;
	out[len] = an3155_xor(out, len);
	return len + 1;
}

int an3155_parse_get(const uint8_t *p, size_t n, uint8_t *version, uint8_t *cmds, unsigned *ncmds)
{
	/* AN3155 §3.1: N = number of bytes that follow minus 1 (version + N command codes). */
	if (n < 2 || (size_t)p[0] + 2 != n)
		return FK_E_PROTOCOL;
	*version = p[1];
	unsigned count = p[0];
	if (count > AN3155_MAX_CMDS)
		count = AN3155_MAX_CMDS;
	memcpy(cmds, p + 2, count);
	*ncmds = count;
	return FK_OK;
}

int an3155_parse_get_id(const uint8_t *p, size_t n, uint16_t *pid)
{
	/* AN3155 §3.3: N = bytes - 1; STM32 sends N=1 and two PID bytes, MSB first. */
	if (n < 2 || (size_t)p[0] + 2 != n)
		return FK_E_PROTOCOL;
	*pid = n >= 3 ? fk_get_be16(p + n - 2) : p[1];
	return FK_OK;
}

void an3155_timeouts_default(an3155_timeouts *t)
{
	t->reply_ms = 1000;
	t->write_ms = 1000;
	t->sector_erase_ms = 5000;
	t->mass_erase_ms = 35000;
	t->option_ms = 2000;
	t->sync_ms = 500;
	t->reset_ms = 100;
}

static int an3155_seq_word(const char *w, size_t len, an3155_seq_step *st)
{
	st->level = 1;
	if (len && w[0] == '-') {
		st->level = 0;
		w++;
		len--;
	}
	if (len == 3 && strncmp(w, "rts", 3) == 0)
		st->line = 'r';
	else if (len == 3 && strncmp(w, "dtr", 3) == 0)
		st->line = 'd';
	else
		return -1;
	return 0;
}

static int an3155_seq_half(fk_ctx *ctx, const char *s, size_t len, an3155_seq *seq)
{
	seq->n = 0;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ',' && s[j] != '&')
			j++;
		if (seq->n == AN3155_SEQ_MAX)
			return fk_fail(ctx, FK_E_USAGE, "boot sequence: more than %u steps", AN3155_SEQ_MAX);
		an3155_seq_step *st = &seq->step[seq->n];
		if (an3155_seq_word(s + i, j - i, st)) {
			fk_hint(ctx, "steps are rts, dtr, -rts, -dtr separated by ',' (100 ms) or '&' (no delay); "
				     "GPIO numbers and brk are not supported");
			return fk_fail(ctx, FK_E_USAGE, "boot sequence: bad step \"%.*s\"", (int)FK_MIN(j - i, 20u),
				       s + i);
		}
		st->delay_ms = (j < len && s[j] == '&') ? 0 : 100;
		seq->n++;
		i = j + 1;
	}
	return FK_OK;
}

int an3155_seq_parse(fk_ctx *ctx, const char *s, an3155_seq *entry, an3155_seq *exit)
{
	entry->n = exit->n = 0;
	if (!s || !*s)
		return FK_OK;
	const char *colon = strchr(s, ':');
	size_t elen = colon ? (size_t)(colon - s) : strlen(s);
	int rc = an3155_seq_half(ctx, s, elen, entry);
	if (!rc && colon)
		rc = an3155_seq_half(ctx, colon + 1, strlen(colon + 1), exit);
	return rc;
}
