/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey firmware images: raw binary, Intel HEX, Motorola S-record and ELF32 loaded into one
 * segment model (sorted, non-overlapping, non-adjacent address ranges with their bytes), and
 * written back as bin, Intel HEX or S-record. Pure: no device I/O; warnings go to fk_log
 * (category FK_TRACE_IMAGE), failures to the context's cause chain with file:line and what was
 * expected (FK_E_BAD_IMAGE -> exit code 7). Formats and errors: docs/IMAGES.md. */
#ifndef FLASHKEY_IMAGE_H
#define FLASHKEY_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"

typedef struct fk_image fk_image;

/* One address range with data. Segments of an image are sorted by address, never overlap and
 * never touch (adjacent ranges are merged). addr + len <= 2^32. */
typedef struct fk_segment {
	uint32_t addr;
	uint32_t len;
	uint8_t *data;
} fk_segment;

typedef enum fk_image_format {
	FK_IMAGE_AUTO = 0, /* detect from the content (and the file name for raw binaries) */
	FK_IMAGE_BIN = 1,  /* raw binary at a base address */
	FK_IMAGE_IHEX = 2, /* Intel HEX, record types 00-05 */
	FK_IMAGE_SREC = 3, /* Motorola S-record, S0-S9 */
	FK_IMAGE_ELF = 4,  /* ELF32, PT_LOAD segments at p_paddr */
} fk_image_format;

typedef struct fk_image_load_opts {
	fk_image_format format; /* FK_IMAGE_AUTO to detect */
	uint32_t base;          /* load address of a raw binary (ignored for other formats) */
} fk_image_load_opts;

/* Loads a file. opts may be NULL (auto-detect, raw binary at 0). On failure *out is NULL and
 * the cause chain says "FILE:LINE: what was found, what was expected". */
int fk_image_load(fk_ctx *ctx, const char *path, const fk_image_load_opts *opts, fk_image **out);
/* The same from memory; name is used in messages (e.g. the file name, or "<memory>"). */
int fk_image_load_mem(fk_ctx *ctx, const void *buf, size_t len, const char *name,
		      const fk_image_load_opts *opts, fk_image **out);
/* An empty image (format FK_IMAGE_BIN, no entry point), to be filled with fk_image_add. */
fk_image *fk_image_new(void);
void fk_image_free(fk_image *img);

/* Adds len bytes at addr (copied). Overlaps with identical data merge; different data is
 * FK_E_BAD_IMAGE naming the address. */
int fk_image_add(fk_ctx *ctx, fk_image *img, uint32_t addr, const void *data, uint32_t len);

size_t fk_image_segment_count(const fk_image *img);
/* Segment i (0 = lowest address), NULL past the end. Valid until the image is changed. */
const fk_segment *fk_image_segment(const fk_image *img, size_t i);
/* Total number of data bytes (sum of segment lengths). */
uint64_t fk_image_size(const fk_image *img);
/* Lowest address and end (one past the highest byte, up to 2^32); false for an empty image. */
bool fk_image_span(const fk_image *img, uint32_t *lo, uint64_t *end);
/* The entry point (ELF e_entry, HEX type 03/05, S-record S7/S8/S9); false when none. */
bool fk_image_entry(const fk_image *img, uint32_t *entry);
void fk_image_set_entry(fk_image *img, bool has_entry, uint32_t entry);
/* The format it was loaded from. */
fk_image_format fk_image_get_format(const fk_image *img);

/* Copies [addr, addr + len) into buf, gaps (and anything past 4 GiB) set to fill. Returns the
 * number of bytes that came from the image (0: the range holds no image data). */
size_t fk_image_read(const fk_image *img, uint32_t addr, size_t len, uint8_t fill, uint8_t *buf);
/* The protection words an image carries, by address (lib/image/marks.c: NXP LPC CRP at 0x2FC,
 * Kinetis FSEC at 0x40C, STM32 option-byte areas). fk_image_marks fills at most max and returns
 * how many there are. */
typedef enum fk_image_mark_kind {
	FK_MARK_LPC_CRP = 0,
	FK_MARK_KINETIS_FCF,
	FK_MARK_STM32_OPTIONS,
} fk_image_mark_kind;
typedef struct fk_image_mark {
	fk_image_mark_kind kind;
	uint32_t addr, value;
	bool permanent;  /* it would lock a part for good (CRP3, FSEC without mass erase, RDP 2) */
	char name[64];   /* "NXP LPC CRP3" */
	char text[200];  /* what it does, in the part's terms */
} fk_image_mark;
unsigned fk_image_marks(const fk_image *img, fk_image_mark *out, unsigned max);
const char *fk_image_mark_kind_name(fk_image_mark_kind k); /* "lpc-crp", ... (JSON) */

/* CRC-32 (fk_crc32) of [addr, addr + len) with gaps read as fill. len may be up to 2^32. */
uint32_t fk_image_crc32(const fk_image *img, uint32_t addr, uint64_t len, uint8_t fill);

/* Joins all segments into one, gaps set to fill. Fails with FK_E_RANGE when the span exceeds
 * FK_IMAGE_MAX_SPAN (e.g. flash + OTP 400 MiB apart). */
int fk_image_fill_gaps(fk_ctx *ctx, fk_image *img, uint8_t fill);
/* Extends every segment down and up to a multiple of align (a power of two), new bytes set to
 * fill, merging segments that then meet: for flash written in pages or double-words. */
int fk_image_pad(fk_ctx *ctx, fk_image *img, uint32_t align, uint8_t fill);
#define FK_IMAGE_MAX_SPAN (256u * 1024u * 1024u)

/* Writes the image as bin (gaps 0xFF; fill them first with fk_image_fill_gaps for another
 * byte), ihex or srec. The file is replaced atomically (written beside it, then renamed). */
int fk_image_save(fk_ctx *ctx, const fk_image *img, const char *path, fk_image_format format);
/* The same into a malloc'ed buffer (*buf to be freed by the caller). */
int fk_image_save_mem(fk_ctx *ctx, const fk_image *img, fk_image_format format, uint8_t **buf,
		      size_t *len);

/* "bin", "ihex", "srec", "elf", "auto". */
const char *fk_image_format_name(fk_image_format format);
/* Parses "bin"/"binary", "ihex"/"hex", "srec"/"s19"/"s28"/"s37"/"mot", "elf", "auto". */
int fk_image_format_parse(const char *name, fk_image_format *out);

#endif
