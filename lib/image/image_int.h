/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/image internals: the image structure and the builder every loader feeds. Loaders add
 * records in file order; the builder appends contiguous records to one run (the common case:
 * one memcpy per record), then sorts the runs, merges identical overlaps and adjacent runs, and
 * reports conflicting overlaps with the place (file:line) of both sides. */
#ifndef FK_IMAGE_IMAGE_INT_H
#define FK_IMAGE_IMAGE_INT_H

#include "core/core.h"
#include "flashkey/image.h"

struct fk_image {
	fk_segment *segs;
	size_t nsegs, cap;
	fk_image_format format;
	bool has_entry;
	uint32_t entry;
};

/* From byte offset `off` of a run on, data came from record `where` (a line, a program
 * header...). Marks are sorted by off. */
typedef struct img_mark {
	uint32_t off;
	uint32_t where;
} img_mark;

typedef struct img_run {
	uint32_t addr;
	uint32_t len, cap;
	uint8_t *data;
	img_mark *marks;
	uint32_t nmarks, mcap;
	size_t seq; /* creation order, to keep file order among equal addresses */
} img_run;

typedef struct img_builder {
	fk_ctx *ctx;
	const char *name; /* file name for messages */
	const char *unit; /* how `where` reads: "line" -> "name:N", else "name: unit N" */
	img_run *runs;
	size_t nruns, cap;
} img_builder;

void imgb_init(img_builder *b, fk_ctx *ctx, const char *name, const char *unit);
/* Adds len bytes at addr from record `where`; fails past 4 GiB or out of memory. */
int imgb_add(img_builder *b, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t where);
/* Sorts and merges into img's segments (replacing none: img must have no segments); the
 * builder is emptied either way. */
int imgb_finish(img_builder *b, fk_image *img);
void imgb_free(img_builder *b);
/* "fw.hex:12" or "fw.elf: program header 2". */
void imgb_where(const img_builder *b, uint32_t where, char *buf, size_t n);

/* Loaders: parse buf (len bytes, named name) into b and the entry point into img. */
int img_load_ihex(img_builder *b, fk_image *img, const uint8_t *buf, size_t len);
int img_load_srec(img_builder *b, fk_image *img, const uint8_t *buf, size_t len);
int img_load_elf(img_builder *b, fk_image *img, const uint8_t *buf, size_t len);

/* Writers: append the text form of img to a growable buffer. */
typedef struct img_out {
	uint8_t *buf;
	size_t len, cap;
	bool oom;
} img_out;
void img_out_put(img_out *o, const void *p, size_t n);
int img_write_ihex(const fk_image *img, img_out *o);
int img_write_srec(const fk_image *img, img_out *o);

/* Records an entry point read from a file. 0 reads as none: S-record files always end with a
 * termination address, 0000 when the tool had no entry (srec(5)); the same rule everywhere keeps
 * conversions between formats lossless. */
static inline void img_set_file_entry(fk_image *img, uint32_t entry)
{
	fk_image_set_entry(img, entry != 0, entry);
}

/* Hex digit value table: 0-15, or 0xFF for a non-hex character. */
extern const uint8_t img_hexval[256];

#endif
