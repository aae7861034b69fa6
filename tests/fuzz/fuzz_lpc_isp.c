/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the NXP LPC ISP wire codec (lib/boot/lpc_isp_codec.c), which both the ISP
 * client and the LPC twin's ISP engine feed with bytes from the other side. The input is cut
 * into lines the way the ISP reads them (lpc_isp_next_line); every line goes through the UU
 * decoder, the command parser and the number parser. Properties: no crash or overread; a line
 * the UU decoder accepts re-encodes (in canonical form) to a line that decodes to the same
 * bytes; a refusal names a column inside the line (or its end); every chunk of input bytes
 * round-trips through the encoder. */
#include <stdlib.h>
#include <string.h>

#include "boot/lpc_isp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz build is RelWithDebInfo (NDEBUG): a plain assert would vanish there (and with it
 * any call inside it). */
#define FZ_CHECK(cond)                                                                          \
	do {                                                                                    \
		if (!(cond))                                                                    \
			abort();                                                                \
	} while (0)

static void fuzz_line(const char *l, size_t len)
{
	uint8_t out[45], again[45];
	size_t n = 0, pos = 0;
	const char *why = NULL;
	if (lpc_uu_decode_line(l, len, out, &n, &pos, &why) == 0) {
		char enc[80];
		size_t m = lpc_uu_encode_line(out, n, enc, sizeof enc);
		FZ_CHECK(n == 0 || m == len);
		if (n) {
			size_t n2 = 0;
			FZ_CHECK(lpc_uu_decode_line(enc, m, again, &n2, &pos, &why) == 0);
			FZ_CHECK(n2 == n && memcmp(out, again, n) == 0);
		}
	} else {
		FZ_CHECK(pos <= len && why);
	}
	lpc_isp_cmd c;
	if (lpc_isp_parse_cmd(l, len, &c, &pos, &why) == 0)
		FZ_CHECK(c.nargs <= 4 && c.letter >= 'A' && c.letter <= 'Z');
	else
		FZ_CHECK(pos <= len && why);
	uint32_t v;
	(void)lpc_isp_parse_number(l, len, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t off = 0;
	while (off < size) {
		size_t s, l, c;
		if (!lpc_isp_next_line(buf + off, size - off, &s, &l, &c)) {
			FZ_CHECK(c <= size - off);
			fuzz_line(buf + off + c, size - off - c);
			break;
		}
		FZ_CHECK(c > 0 && s + l <= c);
		fuzz_line(buf + off + s, l);
		off += c;
	}
	for (size_t i = 0; i < size; i += 45) {
		size_t n = size - i < 45 ? size - i : 45;
		char enc[80];
		uint8_t back[45];
		size_t m = lpc_uu_encode_line(data + i, n, enc, sizeof enc), got, pos;
		const char *why;
		FZ_CHECK(m > 0);
		FZ_CHECK(lpc_uu_decode_line(enc, m, back, &got, &pos, &why) == 0);
		FZ_CHECK(got == n && memcmp(back, data + i, n) == 0);
	}
	if (size >= 32)
		(void)lpc_vector_valid(data);
	return 0;
}
