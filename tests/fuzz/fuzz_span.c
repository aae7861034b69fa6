/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness (issue 13, classes 2 and 14): user-typed numbers and user-given spans.
 * The input's text is parsed by fk_parse_u64/fk_parse_u32 and checked against a reference
 * reading (decimal with any leading zeros, or 0x hex; nothing else); then 18-byte records
 * (flags, operation, off and len as 64-bit little-endian, bent towards the edges 0, 31, 32,
 * 0xFFFFFFFF, 2^32)
 * drive fk_span_ok (checked against 128-bit arithmetic) and, on an in-process STM32F407 twin
 * opened once, the library calls that take an offset or address and a length: OTP write checks
 * and dry runs, flash reads, sector lookups and verifies. None may crash or wrap. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flashkey/backend.h"
#include "flashkey/flashkey.h"
#include "fktwin/fktwin.h"
#include "stm32f4/f4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_ref_parse(const char *s, unsigned __int128 *v)
{
	unsigned base = 10;
	*v = 0;
	if (!*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	for (; *s; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
			: base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v * base + (unsigned)d;
		if (*v > UINT64_MAX)
			return 1; /* overflow */
	}
	return 0;
}

static void fuzz_numbers(const uint8_t *data, size_t size)
{
	char s[48];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	uint64_t got = 0;
	uint32_t got32 = 0;
	unsigned __int128 want;
	int ref = fuzz_ref_parse(s, &want);
	int rc = fk_parse_u64(s, &got);
	assert((rc == 0) == (ref == 0));
	if (!rc)
		assert(got == (uint64_t)want);
	rc = fk_parse_u32(s, &got32);
	assert((rc == 0) == (ref == 0 && want <= 0xFFFFFFFFu));
	if (!rc)
		assert(got32 == (uint32_t)want);
}

static fk_ctx *fuzz_ctx;
static fk_session *fuzz_s;
static char fuzz_path[64];

static void fuzz_close(void)
{
	fk_session_close(fuzz_s);
	fk_ctx_free(fuzz_ctx);
	unlink(fuzz_path);
}

static void fuzz_open(void)
{
	static bool tried;
	if (tried)
		return;
	tried = true;
	char conn[80];
	const char *path = fuzz_path;
	snprintf(fuzz_path, sizeof fuzz_path, "/tmp/fk-fuzz-span-%ld.twin", (long)getpid());
	atexit(fuzz_close);
	fk_register_builtin_backends();
	fktwin_register_backends();
	fuzz_ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	if (!fuzz_ctx || !t || tw_f4_save(t, fuzz_ctx, path))
		return;
	tw_f4_free(t);
	snprintf(conn, sizeof conn, "twin:%s", path);
	fk_conn_opts o = {0};
	o.reset_mode = -1;
	if (fk_session_open(fuzz_ctx, conn, &o, NULL, &fuzz_s))
		fuzz_s = NULL;
}

static uint64_t fuzz_edge(uint64_t v)
{
	static const uint64_t edges[] = {0, 1, 31, 32, 33, 0x4000, 0x08000000, 0x080FFFFF,
					 0x1FFF7800, 0xFFFFFFE0, 0xFFFFFFFF, 0x100000000ULL};
	/* half the values land on (or next to) an edge */
	if (v & 0x8000000000000000ULL)
		return edges[(v >> 8) % (sizeof edges / sizeof edges[0])] + (v & 3) - 1;
	return v;
}

static void fuzz_record(const uint8_t *r)
{
	uint64_t off = 0, len = 0;
	for (int i = 7; i >= 0; i--) {
		off = off << 8 | r[2 + i];
		len = len << 8 | r[10 + i];
	}
	off = fuzz_edge(off);
	len = fuzz_edge(len);
	uint64_t limit = (r[0] & 1) ? 32 : 0x100000000ULL;
	assert(fk_span_ok(off, len, limit) ==
	       ((unsigned __int128)off + len <= limit));
	if (!fuzz_s)
		return;
	uint8_t buf[64] = {0};
	unsigned changed;
	uint32_t mask;
	fk_perms p = {.dry_run = true, .allow_irreversible = "PERMANENT"};
	uint32_t o32 = (uint32_t)off, l32 = (uint32_t)len;
	uint32_t small = l32 % (sizeof buf + 1);
	fk_sector_set m = {0};
	fk_seg seg = {o32, small, buf};
	unsigned block = (unsigned)(r[0] >> 1) % 17U;
	switch (r[1] % 6) {
	case 0: (void)fk_otp_write_check(fuzz_s, block, o32, buf, small, &changed, &mask); break;
	case 1: (void)fk_otp_write(fuzz_s, block, o32, buf, small, &p); break;
	case 2: (void)fk_flash_read(fuzz_s, o32, buf, small); break;
	case 3: (void)fk_flash_sectors_for(fuzz_s, o32, l32, &m); break;
	case 4: (void)fk_flash_verify_ex(fuzz_s, &seg, 1, true, NULL, NULL); break;
	default: (void)fk_otp_lock(fuzz_s, (unsigned)(r[0] >> 1), &p); break;
	}
	fk_sector_set_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_numbers(data, size);
	fuzz_open();
	for (size_t i = 0; i + 18 <= size && i < 18 * 64; i += 18)
		fuzz_record(data + i);
	return 0;
}
