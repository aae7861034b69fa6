/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared body of the image fuzz harnesses (fuzz_ihex.c, fuzz_srec.c, fuzz_elf.c): load the
 * input with a forced format; when it loads, check the model's invariants (sorted, disjoint,
 * non-adjacent segments inside 4 GiB) and that writing it as Intel HEX and S-record and
 * reloading gives the same bytes and entry point; the protection scan (fk_image_marks) runs on
 * it. Any violation aborts. */
#ifndef FK_FUZZ_IMAGE_COMMON_H
#define FK_FUZZ_IMAGE_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "flashkey/image.h"

static void fuzz_image_check_model(const fk_image *img)
{
	uint64_t prev_end = 0;
	for (size_t i = 0; i < fk_image_segment_count(img); i++) {
		const fk_segment *s = fk_image_segment(img, i);
		if (s->len == 0 || (i && s->addr <= prev_end) || (uint64_t)s->addr + s->len > 1ull << 32)
			abort();
		prev_end = (uint64_t)s->addr + s->len;
	}
}

static void fuzz_image_same(const fk_image *a, const fk_image *b)
{
	uint32_t ea = 0, eb = 0;
	if (fk_image_segment_count(a) != fk_image_segment_count(b) ||
	    fk_image_entry(a, &ea) != fk_image_entry(b, &eb) || ea != eb)
		abort();
	for (size_t i = 0; i < fk_image_segment_count(a); i++) {
		const fk_segment *sa = fk_image_segment(a, i), *sb = fk_image_segment(b, i);
		if (sa->addr != sb->addr || sa->len != sb->len || memcmp(sa->data, sb->data, sa->len))
			abort();
	}
}

static void fuzz_image_roundtrip(fk_ctx *ctx, const fk_image *img, fk_image_format fmt)
{
	uint8_t *buf;
	size_t len;
	if (fk_image_save_mem(ctx, img, fmt, &buf, &len) != 0)
		abort();
	fk_image_load_opts o = {fmt, 0};
	fk_image *back;
	if (fk_image_load_mem(ctx, buf, len, "roundtrip", &o, &back) != 0)
		abort();
	fuzz_image_same(img, back);
	fk_image_free(back);
	free(buf);
}

static int fuzz_image_one(const uint8_t *data, size_t size, fk_image_format fmt, const char *name)
{
	fk_ctx *ctx = fk_ctx_new();
	if (!ctx)
		return 0;
	fk_image_load_opts o = {fmt, 0};
	fk_image *img = NULL;
	if (fk_image_load_mem(ctx, data, size, name, &o, &img) == 0) {
		fuzz_image_check_model(img);
		fuzz_image_roundtrip(ctx, img, FK_IMAGE_IHEX);
		fuzz_image_roundtrip(ctx, img, FK_IMAGE_SREC);
		uint8_t probe[64];
		fk_image_read(img, fk_image_segment(img, 0)->addr, sizeof probe, 0xFF, probe);
		fk_image_mark marks[8]; /* the protection scan reads any image: never past it */
		unsigned nm = fk_image_marks(img, marks, 8);
		for (unsigned i = 0; i < nm && i < 8; i++)
			if (!memchr(marks[i].name, 0, sizeof marks[i].name) ||
			    !memchr(marks[i].text, 0, sizeof marks[i].text))
				abort();
		if (fk_image_pad(ctx, img, 256, 0xFF) == 0)
			fuzz_image_check_model(img);
		fk_image_free(img);
	} else if (fk_ctx_error(ctx) != FK_E_BAD_IMAGE && fk_ctx_error(ctx) != FK_E_NOMEM) {
		abort(); /* hostile input must be reported as a bad image, nothing else */
	}
	fk_ctx_free(ctx);
	return 0;
}

#endif
