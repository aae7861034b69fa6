/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Line splitting and hex decoding shared by the Intel HEX and S-record loaders, with errors that
 * name the file, line and column and say what was expected. */
#include <string.h>

#include "image/image_text.h"

bool img_next_line(img_text *t, img_line *l)
{
	while (t->pos < t->end) {
		const uint8_t *p = t->pos;
		const uint8_t *nl = memchr(p, '\n', (size_t)(t->end - p));
		const uint8_t *e = nl ? nl : t->end;
		t->pos = nl ? nl + 1 : t->end;
		t->lineno++;
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e)
			continue; /* blank lines are tolerated */
		l->p = p;
		l->len = (size_t)(e - p);
		l->no = t->lineno;
		return true;
	}
	return false;
}

/* Shows a character in a message: 'x' when printable, 0xNN otherwise. */
void img_char_name(uint8_t c, char *buf, size_t n)
{
	if (c >= 0x21 && c <= 0x7E)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02X", c);
}

int img_hex_bytes(img_builder *b, const img_line *l, size_t start, uint8_t *out, size_t max,
		  size_t *n)
{
	size_t digits = l->len - start;
	if (digits / 2 > max)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: record of %zu characters: expected at most %zu", b->name, l->no,
			       l->len, start + 2 * max);
	for (size_t i = 0; i < digits; i++) {
		uint8_t v = img_hexval[l->p[start + i]];
		if (v == 0xFF) {
			char c[16];
			img_char_name(l->p[start + i], c, sizeof c);
			return fk_fail(b->ctx, FK_E_BAD_IMAGE,
				       "%s:%u: column %zu: expected a hex digit, found %s", b->name,
				       l->no, start + i + 1, c);
		}
		if (i & 1)
			out[i / 2] = (uint8_t)(out[i / 2] | v);
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	if (digits & 1)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: odd number of hex digits (%zu): expected whole bytes; truncated "
			       "record?", b->name, l->no, digits);
	*n = digits / 2;
	return 0;
}
