/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small bounded string and number helpers (no strcpy/sprintf/atoi in this code base). */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

size_t fk_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int fk_snprintf_cat(char *dst, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(dst, size);
	if (used >= size)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst + used, size - used, fmt, ap);
	va_end(ap);
	return n;
}

/* A number means what was typed (issue 13 class 2): "0x"/"0X" then hex digits is hex; otherwise
 * only decimal digits, leading zeros included ("012" is twelve, never octal). Signs, spaces,
 * suffixes, an empty string and values past 64 bits are refused. */
int fk_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -1;
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	uint64_t v = 0;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

bool fk_span_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

int fk_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (fk_parse_u64(s, &v) || v > 0xFFFFFFFFu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}
