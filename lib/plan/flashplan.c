/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flash plan (see flashplan.h). Family-neutral: it sees only addresses and the sizes of the
 * erase units the chip driver describes (sectors, pages, blocks), however many there are. */
#include <string.h>

#include "core/core.h"
#include "plan/flashplan.h"

static bool fkp_overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

static int fkp_seg_check(fk_ctx *ctx, const fk_seg *g, const fk_sector_info *sec, unsigned nsec,
			 const fkp_area *special, unsigned nspecial)
{
	uint32_t base = sec[0].addr;
	uint64_t end = (uint64_t)sec[nsec - 1].addr + sec[nsec - 1].size;
	if (g->addr >= base && (uint64_t)g->addr + g->len <= end)
		return FK_OK;
	for (unsigned i = 0; i < nspecial; i++) {
		if (fkp_overlaps(g->addr, g->len, special[i].addr, special[i].size)) {
			fk_hint(ctx, "set them deliberately with `flashkey %s`, or remove that section "
				     "from the image", strcmp(special[i].name, "OTP") == 0
							  ? "otp write"
							  : "options set");
			return fk_fail(ctx, FK_E_PERMISSION, "the image has %u bytes at 0x%08X which reach "
							"the %s (0x%08X-0x%08X); refused: an image "
							"never changes them implicitly",
				       g->len, g->addr, special[i].name, special[i].addr,
				       special[i].addr + special[i].size - 1);
		}
	}
	return fk_fail(ctx, FK_E_RANGE, "the image has %u bytes at 0x%08X, outside main flash "
					"0x%08X-0x%08X",
		       g->len, g->addr, base, (uint32_t)(end - 1));
}

int fkp_flash_plan_build(fk_ctx *ctx, const fk_seg *segs, unsigned nsegs,
			 const fk_sector_info *sec, unsigned nsec, const fkp_area *special,
			 unsigned nspecial, fkp_flash_plan *out)
{
	memset(out, 0, sizeof *out);
	if (!nsec)
		return fk_fail(ctx, FK_E_INTERNAL, "no sector map");
	if (fk_sector_set_init(&out->touch, nsec))
		return fk_fail(ctx, FK_E_NOMEM, "a set of %u sectors", nsec);
	for (unsigned i = 0; i < nsegs; i++) {
		const fk_seg *g = &segs[i];
		if (!g->len)
			continue;
		int rc = fkp_seg_check(ctx, g, sec, nsec, special, nspecial);
		if (rc)
			return rc;
		for (unsigned j = 0; j < i; j++)
			if (segs[j].len && fkp_overlaps(g->addr, g->len, segs[j].addr, segs[j].len))
				return fk_fail(ctx, FK_E_BAD_IMAGE, "image segments at 0x%08X and 0x%08X "
								    "overlap", segs[j].addr, g->addr);
		for (unsigned s = 0; s < nsec; s++)
			if (fkp_overlaps(g->addr, g->len, sec[s].addr, sec[s].size))
				fk_sector_set_add(&out->touch, s);
		out->bytes += g->len;
	}
	return FK_OK;
}

void fkp_flash_plan_free(fkp_flash_plan *p)
{
	fk_sector_set_free(&p->touch);
}

uint32_t fkp_sector_image(const fk_seg *segs, unsigned nsegs, uint32_t addr, uint32_t size,
			  uint8_t *buf)
{
	uint32_t n = 0;
	memset(buf, 0xFF, size);
	for (unsigned i = 0; i < nsegs; i++) {
		const fk_seg *g = &segs[i];
		if (!g->len || !fkp_overlaps(g->addr, g->len, addr, size))
			continue;
		uint32_t lo = FK_MAX(g->addr, addr);
		uint64_t hi = FK_MIN((uint64_t)g->addr + g->len, (uint64_t)addr + size);
		memcpy(buf + (lo - addr), g->data + (lo - g->addr), (size_t)(hi - lo));
		n += (uint32_t)(hi - lo);
	}
	return n;
}

static bool fkp_word_blank(const uint8_t *p, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

bool fkp_next_run(const uint8_t *buf, uint32_t size, unsigned width, uint32_t *pos,
		  uint32_t *start, uint32_t *len)
{
	uint32_t p = *pos - *pos % width;
	while (p + width <= size && fkp_word_blank(buf + p, width))
		p += width;
	if (p + width > size) {
		*pos = size;
		return false;
	}
	*start = p;
	while (p + width <= size && !fkp_word_blank(buf + p, width))
		p += width;
	*len = p - *start;
	*pos = p;
	return true;
}
