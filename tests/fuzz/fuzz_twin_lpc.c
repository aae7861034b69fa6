/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the NXP LPC twin's hostile inputs. The first byte picks the target:
 *   even: the bytes are a state file for tw_lpc_load (every field validated; a file that loads
 *         saves back to the same bytes);
 *   odd:  the bytes are what a host sends to the ISP command handler of an LPC1768 (second byte
 *         odd: LPC812, binary data) that is already synchronised and unlocked — commands, UU
 *         lines, checksums, binary W data, ESC, XON/XOFF — and every reply is drained. No crash,
 *         no overread, no unbounded output. */
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "lpc/lpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz build is RelWithDebInfo (NDEBUG): a plain assert would vanish there (and with it
 * any call inside it). */
#define FZ_CHECK(cond)                                                                          \
	do {                                                                                    \
		if (!(cond))                                                                    \
			abort();                                                                \
	} while (0)

static void fuzz_state(const uint8_t *d, size_t n)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_lpc *c;
	if (tw_lpc_load(ctx, "fuzz", d, n, &c) == FK_OK) {
		uint8_t *b;
		size_t len;
		FZ_CHECK(tw_lpc_save(c, &b, &len) == FK_OK);
		FZ_CHECK(len == n && memcmp(b, d, 36) == 0 && memcmp(b + 44, d + 44, n - 44) == 0);
		free(b);
		tw_lpc_free(c);
	}
	fk_ctx_free(ctx);
}

static void fuzz_isp(const char *chip, const uint8_t *d, size_t n)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c;
	FZ_CHECK(tw_chip_create(ctx, chip, &c) == FK_OK);
	const tw_stream_port *p = tw_chip_stream(c, ctx, "fuzz", "lpc-isp");
	void *s;
	FZ_CHECK(p && p->open(tw_chip_impl(c), ctx, NULL, &s) == FK_OK);
	static const char pre[] = "?Synchronized\r\n12000\r\nU 23130\r\n";
	p->rx(s, (const uint8_t *)pre, sizeof pre - 1);
	uint8_t out[8192];
	for (size_t i = 0; i < n; i += 64) {
		p->rx(s, d + i, n - i < 64 ? n - i : 64);
		while (p->tx(s, out, sizeof out) > 0)
			;
	}
	p->close(s);
	tw_chip_free(c);
	fk_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (!(data[0] & 1))
		fuzz_state(data + 1, size - 1);
	else
		fuzz_isp(data[1] & 1 ? "lpc812" : "lpc1768", data + 2, size - 2);
	return 0;
}
