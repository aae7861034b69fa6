/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The segment model: queries (segments, span, entry), reading a range with gaps filled, CRC
 * over a range, and format names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/image_int.h"

fk_image *fk_image_new(void)
{
	fk_image *img = calloc(1, sizeof *img);
	if (img)
		img->format = FK_IMAGE_BIN;
	return img;
}

void fk_image_free(fk_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nsegs; i++)
		free(img->segs[i].data);
	free(img->segs);
	free(img);
}

size_t fk_image_segment_count(const fk_image *img)
{
	return img->nsegs;
}

const fk_segment *fk_image_segment(const fk_image *img, size_t i)
{
	return i < img->nsegs ? &img->segs[i] : NULL;
}

uint64_t fk_image_size(const fk_image *img)
{
	uint64_t n = 0;
	for (size_t i = 0; i < img->nsegs; i++)
		n += img->segs[i].len;
	return n;
}

bool fk_image_span(const fk_image *img, uint32_t *lo, uint64_t *end)
{
	if (!img->nsegs)
		return false;
	const fk_segment *last = &img->segs[img->nsegs - 1];
	if (lo)
		*lo = img->segs[0].addr;
	if (end)
		*end = (uint64_t)last->addr + last->len;
	return true;
}

bool fk_image_entry(const fk_image *img, uint32_t *entry)
{
	if (img->has_entry && entry)
		*entry = img->entry;
	return img->has_entry;
}

void fk_image_set_entry(fk_image *img, bool has_entry, uint32_t entry)
{
	img->has_entry = has_entry;
	img->entry = has_entry ? entry : 0;
}

fk_image_format fk_image_get_format(const fk_image *img)
{
	return img->format;
}

/* Index of the first segment ending after addr (nsegs when none). */
static size_t img_first_after(const fk_image *img, uint64_t addr)
{
	size_t lo = 0, hi = img->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint64_t)img->segs[mid].addr + img->segs[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t fk_image_read(const fk_image *img, uint32_t addr, size_t len, uint8_t fill, uint8_t *buf)
{
	memset(buf, fill, len);
	uint64_t end = (uint64_t)addr + len, copied = 0;
	for (size_t i = img_first_after(img, addr); i < img->nsegs; i++) {
		const fk_segment *s = &img->segs[i];
		if (s->addr >= end)
			break;
		uint64_t from = s->addr > addr ? s->addr : addr;
		uint64_t to = (uint64_t)s->addr + s->len < end ? (uint64_t)s->addr + s->len : end;
		memcpy(buf + (from - addr), s->data + (from - s->addr), (size_t)(to - from));
		copied += to - from;
	}
	return (size_t)copied;
}

static uint32_t img_crc_fill(uint32_t crc, uint64_t n, uint8_t fill)
{
	uint8_t block[4096];
	memset(block, fill, sizeof block);
	while (n) {
		size_t k = n < sizeof block ? (size_t)n : sizeof block;
		crc = fk_crc32(crc, block, k);
		n -= k;
	}
	return crc;
}

uint32_t fk_image_crc32(const fk_image *img, uint32_t addr, uint64_t len, uint8_t fill)
{
	uint32_t crc = 0;
	uint64_t pos = addr, end = addr + len;
	for (size_t i = img_first_after(img, addr); i < img->nsegs && pos < end; i++) {
		const fk_segment *s = &img->segs[i];
		if (s->addr >= end)
			break;
		if (s->addr > pos) {
			crc = img_crc_fill(crc, s->addr - pos, fill);
			pos = s->addr;
		}
		uint64_t to = (uint64_t)s->addr + s->len < end ? (uint64_t)s->addr + s->len : end;
		crc = fk_crc32(crc, s->data + (pos - s->addr), (size_t)(to - pos));
		pos = to;
	}
	return pos < end ? img_crc_fill(crc, end - pos, fill) : crc;
}

static const struct {
	fk_image_format fmt;
	const char *name;
} img_format_names[] = {
	{FK_IMAGE_AUTO, "auto"}, {FK_IMAGE_BIN, "bin"},   {FK_IMAGE_IHEX, "ihex"},
	{FK_IMAGE_SREC, "srec"}, {FK_IMAGE_ELF, "elf"},   {FK_IMAGE_BIN, "binary"},
	{FK_IMAGE_IHEX, "hex"},  {FK_IMAGE_SREC, "s19"},  {FK_IMAGE_SREC, "s28"},
	{FK_IMAGE_SREC, "s37"},  {FK_IMAGE_SREC, "mot"},  {FK_IMAGE_SREC, "s-record"},
};

const char *fk_image_format_name(fk_image_format format)
{
	for (size_t i = 0; i < FK_ARRAY_SIZE(img_format_names); i++)
		if (img_format_names[i].fmt == format)
			return img_format_names[i].name;
	return "unknown";
}

int fk_image_format_parse(const char *name, fk_image_format *out)
{
	for (size_t i = 0; name && i < FK_ARRAY_SIZE(img_format_names); i++) {
		if (strcasecmp(img_format_names[i].name, name) == 0) {
			*out = img_format_names[i].fmt;
			return 0;
		}
	}
	return -1;
}
