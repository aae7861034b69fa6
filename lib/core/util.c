/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small bounded string and number helpers (no strcpy/sprintf/atoi in this code base). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

int fk_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int fk_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (fk_parse_u64(s, &v) || v > 0xFFFFFFFFu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}
