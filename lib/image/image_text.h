/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the text loaders (Intel HEX, S-record): line iteration and hex decoding. */
#ifndef FK_IMAGE_IMAGE_TEXT_H
#define FK_IMAGE_IMAGE_TEXT_H

#include <stdio.h>

#include "image/image_int.h"

typedef struct img_text {
	const uint8_t *pos, *end;
	uint32_t lineno;
} img_text;

/* A non-blank line without surrounding blanks or CR; no is its 1-based line number. */
typedef struct img_line {
	const uint8_t *p;
	size_t len;
	uint32_t no;
} img_line;

bool img_next_line(img_text *t, img_line *l);
/* Decodes the hex digits of l from column start on into out (at most max bytes). */
int img_hex_bytes(img_builder *b, const img_line *l, size_t start, uint8_t *out, size_t max,
		  size_t *n);
void img_char_name(uint8_t c, char *buf, size_t n);

#endif
