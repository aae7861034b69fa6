/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Common includes for cmocka unit tests. */
#ifndef FK_TEST_H
#define FK_TEST_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Path below the source tree (FK_SRC is set by ctest). */
static inline const char *fk_test_src(char *buf, size_t n, const char *rel)
{
	const char *src = getenv("FK_SRC");
	snprintf(buf, n, "%s/%s", src ? src : ".", rel);
	return buf;
}
#endif
