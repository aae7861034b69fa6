/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_f4_write: writing a 1 MiB image to an STM32F407 twin at x32, measured on the twin's
 * virtual clock, against the flash-physics ceiling: program + erase times from the datasheet
 * table the twin uses (DS8626 Table 40, typical: tPROG 16 us per x32 word, sector erase
 * 250/550/1000 ms for 16/64/128 KiB, mass erase 8 s at x32; ../shared/reference/stm32.md §2.2).
 * Then a --skip-unchanged re-flash of an image differing in one 16 KiB sector, as a fraction of
 * the full write. Targets (issue 4): >= 97 % of the ceiling; re-flash <= 10 %. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fktwin/fktwin.h"
#include "flashkey/flashkey.h"
#include "stm32f4/f4.h"

#define IMG_SIZE (1024u * 1024u)
#define T_PROG_NS 16000ULL
#define T_ME_X32_NS 8000000000ULL
static const unsigned long long t_sector_ns[12] = {
	250000000ULL, 250000000ULL, 250000000ULL, 250000000ULL, 550000000ULL, 1000000000ULL,
	1000000000ULL, 1000000000ULL, 1000000000ULL, 1000000000ULL, 1000000000ULL, 1000000000ULL};

static int bench_write(fk_ctx *ctx, const char *conn, const uint8_t *img, bool skip,
		       fk_write_result *r)
{
	fk_session *s;
	int rc = fk_session_open(ctx, conn, NULL, NULL, &s);
	if (rc)
		return rc;
	fk_seg seg = {0x08000000u, IMG_SIZE, img};
	fk_write_opts o = {.skip_unchanged = skip, .psize = 2};
	fk_perms perms = {0};
	rc = fk_flash_write(s, &seg, 1, &o, &perms, r);
	fk_session_close(s);
	return rc;
}

static unsigned long long ceiling_ns(void)
{
	unsigned long long sectors = 0;
	for (unsigned i = 0; i < 12; i++)
		sectors += t_sector_ns[i];
	unsigned long long erase = sectors < T_ME_X32_NS ? sectors : T_ME_X32_NS;
	return erase + (IMG_SIZE / 4) * T_PROG_NS;
}

int main(void)
{
	char dir[] = "/tmp/fk-bench.XXXXXX", path[64], conn[80];
	fk_ctx *ctx = fk_ctx_new();
	uint8_t *img = malloc(IMG_SIZE);
	if (!ctx || !img || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/b.twin", dir);
	snprintf(conn, sizeof conn, "twin:%s", path);
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	if (!t || tw_f4_save(t, ctx, path))
		return 1;
	tw_f4_free(t);
	fktwin_register_backends();
	uint32_t x = 2463534242u;
	for (unsigned i = 0; i < IMG_SIZE; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		img[i] = (uint8_t)x;
	}
	fk_write_result full, again;
	char msg[FK_CHAIN_MSG_MAX];
	if (bench_write(ctx, conn, img, false, &full)) {
		fprintf(stderr, "bench_f4_write: %s\n", fk_ctx_message(ctx, msg, sizeof msg));
		return 1;
	}
	img[0x4000 + 123] ^= 0x5A; /* one byte in sector 1 (16 KiB) */
	if (bench_write(ctx, conn, img, true, &again)) {
		fprintf(stderr, "bench_f4_write: %s\n", fk_ctx_message(ctx, msg, sizeof msg));
		return 1;
	}
	unsigned long long ceil = ceiling_ns();
	double ratio = (double)ceil / (double)full.virtual_ns;
	double reflash = (double)again.virtual_ns / (double)full.virtual_ns;
	printf("bench_f4_write: 1 MiB at x%u: %.3f s virtual; ceiling (erase + program, DS8626 "
	       "typ) %.3f s: %.1f %% of the ceiling (target >= 97 %%)\n",
	       full.psize_bytes * 8, (double)full.virtual_ns / 1e9, (double)ceil / 1e9, 100.0 * ratio);
	printf("bench_f4_write: --skip-unchanged re-flash, one 16 KiB sector changed: %.3f s, %u "
	       "sector erased, %u left alone: %.1f %% of the full write (target <= 10 %%)\n",
	       (double)again.virtual_ns / 1e9, again.sectors_erased, again.sectors_skipped,
	       100.0 * reflash);
	unlink(path);
	rmdir(dir);
	free(img);
	fk_ctx_free(ctx);
	return ratio >= 0.97 && reflash <= 0.10 ? 0 : 2;
}
