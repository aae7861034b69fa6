/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reshaping an image for flash: filling the gaps between segments and padding segments to a
 * write or erase granule. Both compute the new ranges, then read them out of the old image with
 * gaps set to the fill byte (one code path for every shape). */
#include <stdlib.h>

#include "image/image_int.h"

typedef struct img_range {
	uint64_t lo, hi;
} img_range;

static int img_respan(fk_ctx *ctx, fk_image *img, const img_range *r, size_t n, uint8_t fill)
{
	fk_segment *ns = calloc(n ? n : 1, sizeof *ns);
	if (!ns)
		return fk_fail(ctx, FK_E_NOMEM, "reshaping the image: out of memory");
	for (size_t i = 0; i < n; i++) {
		ns[i].addr = (uint32_t)r[i].lo;
		ns[i].len = (uint32_t)(r[i].hi - r[i].lo);
		ns[i].data = malloc(ns[i].len ? ns[i].len : 1);
		if (!ns[i].data) {
			uint32_t want = ns[i].len;
			for (size_t j = 0; j < i; j++)
				free(ns[j].data);
			free(ns);
			return fk_fail(ctx, FK_E_NOMEM, "reshaping the image: out of memory for %u bytes",
				       want);
		}
		fk_image_read(img, ns[i].addr, ns[i].len, fill, ns[i].data);
	}
	for (size_t i = 0; i < img->nsegs; i++)
		free(img->segs[i].data);
	free(img->segs);
	img->segs = ns;
	img->nsegs = img->cap = n;
	return 0;
}

int fk_image_fill_gaps(fk_ctx *ctx, fk_image *img, uint8_t fill)
{
	img_range r;
	uint32_t lo;
	if (!fk_image_span(img, &lo, &r.hi))
		return 0;
	r.lo = lo;
	if (r.hi - r.lo > FK_IMAGE_MAX_SPAN) {
		fk_hint(ctx, "write it as Intel HEX or S-record, which keep the gaps, or split the "
			     "image");
		return fk_fail(ctx, FK_E_RANGE,
			       "the image spans 0x%08llX-0x%08llX (%llu MiB): expected at most %u MiB "
			       "for one contiguous block", (unsigned long long)r.lo,
			       (unsigned long long)r.hi - 1, (unsigned long long)((r.hi - r.lo) >> 20),
			       FK_IMAGE_MAX_SPAN >> 20);
	}
	return img_respan(ctx, img, &r, 1, fill);
}

int fk_image_pad(fk_ctx *ctx, fk_image *img, uint32_t align, uint8_t fill)
{
	if (align == 0 || (align & (align - 1)))
		return fk_fail(ctx, FK_E_INVALID_ARG, "padding to %u bytes: expected a power of two",
			       align);
	img_range *r = malloc((img->nsegs ? img->nsegs : 1) * sizeof *r);
	if (!r)
		return fk_fail(ctx, FK_E_NOMEM, "padding the image: out of memory");
	size_t n = 0;
	for (size_t i = 0; i < img->nsegs; i++) {
		uint64_t lo = img->segs[i].addr & ~(uint64_t)(align - 1);
		uint64_t hi = ((uint64_t)img->segs[i].addr + img->segs[i].len + align - 1) &
			      ~(uint64_t)(align - 1);
		if (n && lo <= r[n - 1].hi)
			r[n - 1].hi = hi;
		else
			r[n++] = (img_range){lo, hi};
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (r[i].hi - r[i].lo > 0xFFFFFFFFu)
			rc = fk_fail(ctx, FK_E_RANGE, "padding to %u bytes: the image would cover the "
						      "whole 4 GiB address space", align);
	if (rc == 0)
		rc = img_respan(ctx, img, r, n, fill);
	free(r);
	return rc;
}
