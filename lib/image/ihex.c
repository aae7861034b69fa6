/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Intel HEX loader. Source: Intel, "Hexadecimal Object File Format Specification", rev. A
 * (1988): records ':' LL AAAA TT data CC; the checksum makes the sum of all bytes 0 mod 256.
 * Types: 00 data, 01 end of file, 02 extended segment address (base = value * 16), 03 start
 * segment address (CS:IP), 04 extended linear address (base = value << 16), 05 start linear
 * address. Addresses are base + offset without 64 KiB wrap-around (what objcopy and srec_cat
 * produce never crosses a boundary; a record that does is taken linearly, and one that ends past
 * 4 GiB is an error). A file must end with a type 01 record: without it the file is taken as
 * truncated. */
#include "image/image_text.h"

typedef struct ihex {
	img_builder *b;
	fk_image *img;
	uint32_t base;
	bool eof;
} ihex;

static const uint8_t ihex_len_of_type[6] = {0xFF, 0, 2, 4, 2, 4}; /* 0xFF: any */

static int ihex_record(ihex *h, const img_line *l, const uint8_t *r)
{
	uint8_t ll = r[0], type = r[3];
	uint32_t off = ((uint32_t)r[1] << 8) | r[2];
	const uint8_t *d = r + 4;
	if (type > 5)
		return fk_fail(h->b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: unknown record type 0x%02X: expected 00-05", h->b->name, l->no,
			       type);
	if (ihex_len_of_type[type] != 0xFF && ll != ihex_len_of_type[type])
		return fk_fail(h->b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: record type %02X with %u data bytes: expected %u", h->b->name,
			       l->no, type, ll, ihex_len_of_type[type]);
	switch (type) {
	case 0:
		if ((uint64_t)h->base + off > 0xFFFFFFFFu)
			return fk_fail(h->b->ctx, FK_E_BAD_IMAGE,
				       "%s:%u: address 0x%llX is past the 4 GiB address space", h->b->name,
				       l->no, (unsigned long long)h->base + off);
		return imgb_add(h->b, h->base + off, d, ll, l->no);
	case 1:
		h->eof = true;
		return 0;
	case 2:
		h->base = (((uint32_t)d[0] << 8) | d[1]) << 4;
		return 0;
	case 4:
		h->base = (((uint32_t)d[0] << 8) | d[1]) << 16;
		return 0;
	case 3:
		img_set_file_entry(h->img, ((((uint32_t)d[0] << 8) | d[1]) << 4) +
							 (((uint32_t)d[2] << 8) | d[3]));
		return 0;
	default:
		img_set_file_entry(h->img, fk_get_be32(d));
		return 0;
	}
}

static int ihex_line(ihex *h, const img_line *l)
{
	img_builder *b = h->b;
	if (l->p[0] != ':') {
		char c[16];
		img_char_name(l->p[0], c, sizeof c);
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: column 1: expected ':' to start a record, found %s", b->name, l->no,
			       c);
	}
	uint8_t r[260];
	size_t n;
	int rc = img_hex_bytes(b, l, 1, r, sizeof r, &n);
	if (rc)
		return rc;
	if (n < 5 || n != (size_t)r[0] + 5)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: record of %zu bytes: expected %u (length byte %u + 5); truncated "
			       "or corrupt line", b->name, l->no, n, n ? r[0] + 5u : 5u, n ? r[0] : 0u);
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + r[i]);
	if (sum != 0)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE, "%s:%u: bad checksum 0x%02X: expected 0x%02X",
			       b->name, l->no, r[n - 1], (uint8_t)(r[n - 1] - sum));
	return ihex_record(h, l, r);
}

int img_load_ihex(img_builder *b, fk_image *img, const uint8_t *buf, size_t len)
{
	ihex h = {b, img, 0, false};
	img_text t = {buf, buf + len, 0};
	img_line l;
	while (!h.eof && img_next_line(&t, &l)) {
		int rc = ihex_line(&h, &l);
		if (rc) {
			fk_hint(b->ctx, "the file is damaged: regenerate it (e.g. `arm-none-eabi-objcopy "
					"-O ihex fw.elf fw.hex`) or download it again");
			return rc;
		}
	}
	if (!h.eof) {
		fk_hint(b->ctx, "the file is cut short: regenerate or download it again");
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: file ends without an end-of-file record: expected "
			       ":00000001FF (truncated file?)", b->name, t.lineno);
	}
	if (img_next_line(&t, &l))
		fk_log(b->ctx, FK_LOG_WARN, FK_TRACE_IMAGE,
		       "%s:%u: text after the end-of-file record ignored", b->name, l.no);
	return 0;
}
