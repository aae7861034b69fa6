/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading images: reading the file, detecting the format from the content (ELF magic, ':' for
 * Intel HEX, 'S' + digit for S-records, anything else raw binary unless the file name promises
 * a format with a signature), the raw binary loader, and fk_image_add. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "image/image_int.h"

#define IMG_MAX_FILE (1024u * 1024u * 1024u)

static bool img_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static fk_image_format img_detect(const uint8_t *buf, size_t len, size_t *first)
{
	size_t i = 0;
	while (i < len && img_is_space(buf[i]))
		i++;
	*first = i;
	if (len >= 4 && memcmp(buf, "\177ELF", 4) == 0)
		return FK_IMAGE_ELF;
	if (i + 1 < len && buf[i] == ':' && img_hexval[buf[i + 1]] != 0xFF)
		return FK_IMAGE_IHEX;
	if (i + 1 < len && buf[i] == 'S' && buf[i + 1] >= '0' && buf[i + 1] <= '9')
		return FK_IMAGE_SREC;
	return FK_IMAGE_BIN;
}

/* The format a file name promises, FK_IMAGE_AUTO when it promises nothing checkable. */
static fk_image_format img_by_name(const char *name)
{
	static const struct {
		const char *ext;
		fk_image_format fmt;
	} exts[] = {{".hex", FK_IMAGE_IHEX},  {".ihex", FK_IMAGE_IHEX}, {".ihx", FK_IMAGE_IHEX},
		    {".srec", FK_IMAGE_SREC}, {".s19", FK_IMAGE_SREC},  {".s28", FK_IMAGE_SREC},
		    {".s37", FK_IMAGE_SREC},  {".mot", FK_IMAGE_SREC},  {".elf", FK_IMAGE_ELF},
		    {".axf", FK_IMAGE_ELF},   {".out", FK_IMAGE_ELF}};
	const char *dot = name ? strrchr(name, '.') : NULL;
	for (size_t i = 0; dot && i < FK_ARRAY_SIZE(exts); i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].fmt;
	return FK_IMAGE_AUTO;
}

static bool img_looks_text(const uint8_t *buf, size_t len)
{
	size_t n = len < 64 ? len : 64;
	for (size_t i = 0; i < n; i++)
		if (!img_is_space(buf[i]) && (buf[i] < 0x20 || buf[i] > 0x7E))
			return false;
	return n > 0;
}

static const char *img_expect_text(fk_image_format f)
{
	return f == FK_IMAGE_IHEX ? "Intel HEX (a ':' record)"
	       : f == FK_IMAGE_SREC ? "an S-record ('S' and a digit)"
				    : "ELF (magic 7F 45 4C 46)";
}

static int img_choose(fk_ctx *ctx, const uint8_t *buf, size_t len, const char *name,
		      fk_image_format asked, fk_image_format *fmt)
{
	size_t first;
	fk_image_format found = img_detect(buf, len, &first);
	if (first == len) {
		fk_hint(ctx, "check that the build or download finished");
		return fk_fail(ctx, FK_E_BAD_IMAGE, "%s: empty file (%zu bytes, no data): expected a "
						     "firmware image", name, len);
	}
	*fmt = asked != FK_IMAGE_AUTO ? asked : found;
	fk_image_format promised = img_by_name(name);
	/* a damaged first record of a file named .hex/.srec: let that loader say what is wrong */
	if (asked == FK_IMAGE_AUTO && found == FK_IMAGE_BIN &&
	    ((promised == FK_IMAGE_IHEX && buf[first] == ':') ||
	     (promised == FK_IMAGE_SREC && buf[first] == 'S') ||
	     (promised == FK_IMAGE_ELF && buf[0] == 0x7F))) {
		*fmt = promised;
		return 0;
	}
	if (asked == FK_IMAGE_AUTO && found == FK_IMAGE_BIN && promised != FK_IMAGE_AUTO) {
		fk_hint(ctx, "the file is not what its name says; give --format bin to load it as a raw "
			     "binary anyway");
		return fk_fail(ctx, FK_E_BAD_IMAGE,
			       "%s: offset %zu: expected %s as the name says, found byte 0x%02X", name,
			       first, img_expect_text(promised), buf[first]);
	}
	if (asked == FK_IMAGE_AUTO && found == FK_IMAGE_BIN && img_looks_text(buf, len))
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_IMAGE,
		       "%s looks like text but is neither Intel HEX nor S-record: loading it as a raw "
		       "binary", name);
	return 0;
}

static int img_load_bin(img_builder *b, const uint8_t *buf, size_t len, uint32_t base)
{
	if ((uint64_t)base + len > 0x100000000ull)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s: %zu bytes at base 0x%08X run past the 4 GiB address space; expected "
			       "at most %llu bytes", b->name, len, base,
			       (unsigned long long)(0x100000000ull - base));
	return imgb_add(b, base, buf, (uint32_t)len, 0);
}

static int img_dispatch(img_builder *b, fk_image *img, const uint8_t *buf, size_t len,
			uint32_t base)
{
	switch (img->format) {
	case FK_IMAGE_IHEX:
		return img_load_ihex(b, img, buf, len);
	case FK_IMAGE_SREC:
		return img_load_srec(b, img, buf, len);
	case FK_IMAGE_ELF:
		return img_load_elf(b, img, buf, len);
	default:
		return img_load_bin(b, buf, len, base);
	}
}

static const char *img_unit(fk_image_format f)
{
	return f == FK_IMAGE_ELF ? "program header" : f == FK_IMAGE_BIN ? "offset" : "line";
}

int fk_image_load_mem(fk_ctx *ctx, const void *buf, size_t len, const char *name,
		      const fk_image_load_opts *opts, fk_image **out)
{
	*out = NULL;
	name = name ? name : "<memory>";
	fk_image_format fmt = FK_IMAGE_AUTO;
	int rc = img_choose(ctx, buf, len, name, opts ? opts->format : FK_IMAGE_AUTO, &fmt);
	if (rc)
		return rc;
	fk_image *img = fk_image_new();
	if (!img)
		return fk_fail(ctx, FK_E_NOMEM, "%s: out of memory", name);
	img->format = fmt;
	img_builder b;
	imgb_init(&b, ctx, name, img_unit(fmt));
	rc = img_dispatch(&b, img, buf, len, opts ? opts->base : 0);
	if (rc == 0)
		rc = imgb_finish(&b, img);
	imgb_free(&b);
	if (rc == 0 && img->nsegs == 0)
		rc = fk_fail(ctx, FK_E_BAD_IMAGE, "%s: no data: expected at least one data record or "
						   "loadable segment", name);
	if (rc) {
		fk_image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}

static int img_read_file(fk_ctx *ctx, const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		fk_hint(ctx, "check the path; `ls -l %s`", path);
		return fk_fail(ctx, e == ENOENT ? FK_E_NOT_FOUND : FK_E_IO, "cannot open %s: %s", path,
			       strerror(e));
	}
	struct stat st;
	int rc = 0;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode))
		rc = fk_fail(ctx, FK_E_BAD_IMAGE, "%s: not a regular file: expected a firmware image",
			     path);
	else if ((uint64_t)st.st_size > IMG_MAX_FILE)
		rc = fk_fail(ctx, FK_E_BAD_IMAGE, "%s: %lld bytes: expected at most 1 GiB for a "
						   "microcontroller image", path, (long long)st.st_size);
	*len = rc ? 0 : (size_t)st.st_size;
	*buf = rc ? NULL : malloc(*len ? *len : 1);
	if (!rc && !*buf)
		rc = fk_fail(ctx, FK_E_NOMEM, "%s: out of memory reading %zu bytes", path, *len);
	if (!rc && fread(*buf, 1, *len, f) != *len)
		rc = fk_fail(ctx, FK_E_IO, "reading %s: %s", path, ferror(f) ? strerror(errno) :
									 "file shrank while reading");
	fclose(f);
	if (rc) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

int fk_image_load(fk_ctx *ctx, const char *path, const fk_image_load_opts *opts, fk_image **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = img_read_file(ctx, path, &buf, &len);
	if (rc)
		return rc;
	rc = fk_image_load_mem(ctx, buf, len, path, opts, out);
	free(buf);
	return rc;
}

int fk_image_add(fk_ctx *ctx, fk_image *img, uint32_t addr, const void *data, uint32_t len)
{
	img_builder b;
	imgb_init(&b, ctx, "image", "segment");
	int rc = 0;
	for (size_t i = 0; i < img->nsegs && rc == 0; i++)
		rc = imgb_add(&b, img->segs[i].addr, img->segs[i].data, img->segs[i].len,
			      (uint32_t)i);
	if (rc == 0)
		rc = imgb_add(&b, addr, data, len, (uint32_t)img->nsegs);
	if (rc) {
		imgb_free(&b);
		return rc;
	}
	fk_image tmp = {0};
	rc = imgb_finish(&b, &tmp);
	if (rc) {
		for (size_t i = 0; i < tmp.nsegs; i++)
			free(tmp.segs[i].data);
		free(tmp.segs);
		return rc;
	}
	for (size_t i = 0; i < img->nsegs; i++)
		free(img->segs[i].data);
	free(img->segs);
	img->segs = tmp.segs;
	img->nsegs = tmp.nsegs;
	img->cap = tmp.cap;
	return 0;
}
