/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing images: raw binary (gaps 0xFF, the erased state of flash), Intel HEX (16 data bytes
 * per record, type 04 whenever the upper 16 address bits change, records never cross a 64 KiB
 * boundary, type 05 for the entry point) and S-record (S0 header, S1/S2/S3 chosen by the
 * highest address, S5/S6 record count, S9/S8/S7 with the entry point). Formats as in ihex.c and
 * srec.c. Files are replaced atomically: written beside the target, then renamed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image_int.h"

#define IMG_REC_DATA 16u

void img_out_put(img_out *o, const void *p, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n > o->cap) {
		size_t ncap = o->cap ? o->cap : 4096;
		while (ncap < o->len + n)
			ncap *= 2;
		uint8_t *nb = realloc(o->buf, ncap);
		if (!nb) {
			o->oom = true;
			return;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* One record: prefix ("" for ihex's ':' is in prefix too), then bytes as hex, then newline. */
static void img_out_record(img_out *o, const char *prefix, const uint8_t *b, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	char line[8 + 2 * 300];
	size_t k = 0;
	while (*prefix)
		line[k++] = *prefix++;
	for (size_t i = 0; i < n; i++) {
		line[k++] = hx[b[i] >> 4];
		line[k++] = hx[b[i] & 15];
	}
	line[k++] = '\n';
	img_out_put(o, line, k);
}

static void ihex_put(img_out *o, uint8_t type, uint16_t off, const uint8_t *d, uint8_t n)
{
	uint8_t r[5 + 255];
	r[0] = n;
	fk_put_be16(r + 1, off);
	r[3] = type;
	if (n)
		memcpy(r + 4, d, n);
	uint8_t sum = 0;
	for (unsigned i = 0; i < 4u + n; i++)
		sum = (uint8_t)(sum + r[i]);
	r[4 + n] = (uint8_t)(0x100u - sum);
	img_out_record(o, ":", r, 5u + n);
}

static void ihex_put_seg(img_out *o, const fk_segment *s, uint32_t *upper)
{
	for (uint64_t done = 0; done < s->len;) {
		uint64_t pos = s->addr + done;
		if ((uint32_t)(pos >> 16) != *upper) {
			*upper = (uint32_t)(pos >> 16);
			uint8_t u[2];
			fk_put_be16(u, (uint16_t)*upper);
			ihex_put(o, 4, 0, u, 2);
		}
		uint64_t n = s->len - done, to_64k = 0x10000u - (pos & 0xFFFFu);
		n = n < IMG_REC_DATA ? n : IMG_REC_DATA;
		n = n < to_64k ? n : to_64k;
		ihex_put(o, 0, (uint16_t)pos, s->data + done, (uint8_t)n);
		done += n;
	}
}

int img_write_ihex(const fk_image *img, img_out *o)
{
	uint32_t upper = 0;
	for (size_t i = 0; i < img->nsegs; i++)
		ihex_put_seg(o, &img->segs[i], &upper);
	if (img->has_entry) {
		uint8_t e[4];
		fk_put_be32(e, img->entry);
		ihex_put(o, 5, 0, e, 4);
	}
	ihex_put(o, 1, 0, NULL, 0);
	return 0;
}

static void srec_put(img_out *o, unsigned type, unsigned alen, uint32_t addr, const uint8_t *d,
		     size_t n)
{
	uint8_t r[1 + 4 + 255];
	char prefix[3] = {'S', (char)('0' + type), 0};
	r[0] = (uint8_t)(alen + n + 1);
	for (unsigned i = 0; i < alen; i++)
		r[1 + i] = (uint8_t)(addr >> (8 * (alen - 1 - i)));
	if (n)
		memcpy(r + 1 + alen, d, n);
	uint8_t sum = 0;
	for (size_t i = 0; i < 1 + alen + n; i++)
		sum = (uint8_t)(sum + r[i]);
	r[1 + alen + n] = (uint8_t)(0xFFu - sum);
	img_out_record(o, prefix, r, 2 + alen + n);
}

int img_write_srec(const fk_image *img, img_out *o)
{
	uint64_t end = 0;
	fk_image_span(img, NULL, &end);
	uint64_t top = end;
	if (img->has_entry && img->entry >= top) /* the termination record must hold the entry */
		top = (uint64_t)img->entry + 1;
	unsigned alen = top <= 0x10000u ? 2 : top <= 0x1000000u ? 3 : 4;
	srec_put(o, 0, 2, 0, (const uint8_t *)"flashkey", 8);
	uint32_t count = 0;
	for (size_t i = 0; i < img->nsegs; i++) {
		const fk_segment *s = &img->segs[i];
		for (uint32_t done = 0; done < s->len; done += IMG_REC_DATA, count++) {
			uint32_t n = s->len - done < IMG_REC_DATA ? s->len - done : IMG_REC_DATA;
			srec_put(o, alen - 1, alen, s->addr + done, s->data + done, n);
		}
	}
	if (count <= 0xFFFFu)
		srec_put(o, 5, 2, count, NULL, 0);
	else if (count <= 0xFFFFFFu)
		srec_put(o, 6, 3, count, NULL, 0);
	srec_put(o, 11 - alen, alen, img->has_entry ? img->entry : 0, NULL, 0);
	return 0;
}

static int img_write_bin(fk_ctx *ctx, const fk_image *img, img_out *o)
{
	uint32_t lo = 0;
	uint64_t end = 0;
	if (!fk_image_span(img, &lo, &end))
		return 0;
	if (end - lo > FK_IMAGE_MAX_SPAN) {
		fk_hint(ctx, "use --format ihex or srec, which keep the gaps");
		return fk_fail(ctx, FK_E_RANGE,
			       "the image spans 0x%08X-0x%08llX (%llu MiB): a raw binary would be "
			       "mostly filler; expected at most %u MiB", lo,
			       (unsigned long long)end - 1, (unsigned long long)((end - lo) >> 20),
			       FK_IMAGE_MAX_SPAN >> 20);
	}
	size_t n = (size_t)(end - lo);
	uint8_t *b = malloc(n);
	if (!b) {
		o->oom = true;
		return 0;
	}
	fk_image_read(img, lo, n, 0xFF, b);
	free(o->buf);
	o->buf = b;
	o->len = o->cap = n;
	return 0;
}

int fk_image_save_mem(fk_ctx *ctx, const fk_image *img, fk_image_format format, uint8_t **buf,
		      size_t *len)
{
	img_out o = {0};
	int rc;
	*buf = NULL;
	*len = 0;
	if (format == FK_IMAGE_BIN)
		rc = img_write_bin(ctx, img, &o);
	else if (format == FK_IMAGE_IHEX)
		rc = img_write_ihex(img, &o);
	else if (format == FK_IMAGE_SREC)
		rc = img_write_srec(img, &o);
	else
		rc = fk_fail(ctx, FK_E_UNSUPPORTED, "writing %s images: expected bin, ihex or srec",
			     fk_image_format_name(format));
	if (rc == 0 && o.oom)
		rc = fk_fail(ctx, FK_E_NOMEM, "writing the image: out of memory");
	if (rc) {
		free(o.buf);
		return rc;
	}
	*buf = o.buf;
	*len = o.len;
	return 0;
}

static int img_write_file(fk_ctx *ctx, const char *path, const uint8_t *buf, size_t len)
{
	char tmp[4096];
	/* a fresh name (mkstemp): an existing PATH.tmp is someone else's file, never replaced */
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return fk_fail(ctx, FK_E_INVALID_ARG, "writing %.100s...: path too long", path);
	int fd = mkstemp(tmp);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		int err = errno;
		if (fd >= 0) {
			close(fd);
			remove(tmp);
		}
		fk_hint(ctx, "check that the directory exists and is writable");
		return fk_fail(ctx, FK_E_IO, "cannot create a temporary file beside %s: %s", path,
			       strerror(err));
	}
	fchmod(fd, 0644);
	bool ok = fwrite(buf, 1, len, f) == len;
	int e = errno;
	if (fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (ok && rename(tmp, path) == 0)
		return 0;
	e = ok ? errno : e;
	remove(tmp);
	return fk_fail(ctx, FK_E_IO, "writing %s: %s", path, strerror(e));
}

int fk_image_save(fk_ctx *ctx, const fk_image *img, const char *path, fk_image_format format)
{
	uint8_t *buf;
	size_t len;
	int rc = fk_image_save_mem(ctx, img, format, &buf, &len);
	if (rc == 0)
		rc = img_write_file(ctx, path, buf, len);
	free(buf);
	return rc ? fk_fail_wrap(ctx, rc, "writing %s as %s", path, fk_image_format_name(format))
		  : 0;
}
