/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Motorola S-record loader. Sources: Motorola "M68000 Family Programmer's Reference Manual"
 * (M68000PM/AD rev. 1), appendix C "S-record output format", and the srec(5) manual page of
 * srecord 1.64. A record is 'S' type count address data checksum; count covers address, data
 * and checksum; the checksum is the ones' complement of the low byte of the sum of count,
 * address and data. S0 header, S1/S2/S3 data with 16/24/32-bit addresses, S5/S6 record count
 * (16/24-bit), S7/S8/S9 termination with a 32/24/16-bit entry point; S4 is reserved. A file
 * must end with S7, S8 or S9: without it the file is taken as truncated. */
#include "image/image_text.h"

typedef struct srec {
	img_builder *b;
	fk_image *img;
	uint32_t ndata;
	bool done;
} srec;

/* Address bytes per type; 0 for the reserved S4. */
static const uint8_t srec_addr_len[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};

static uint32_t srec_addr(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int srec_record(srec *s, const img_line *l, unsigned type, const uint8_t *r, size_t n)
{
	unsigned alen = srec_addr_len[type];
	uint32_t addr = srec_addr(r + 1, alen);
	const uint8_t *d = r + 1 + alen;
	uint32_t dlen = (uint32_t)(n - 2 - alen);
	switch (type) {
	case 1:
	case 2:
	case 3:
		s->ndata++;
		return imgb_add(s->b, addr, d, dlen, l->no);
	case 5:
	case 6:
		if (addr != s->ndata)
			fk_log(s->b->ctx, FK_LOG_WARN, FK_TRACE_IMAGE,
			       "%s:%u: S%u says %u data records, the file had %u so far", s->b->name,
			       l->no, type, addr, s->ndata);
		return 0;
	case 7:
	case 8:
	case 9:
		img_set_file_entry(s->img, addr);
		s->done = true;
		return 0;
	default: /* S0: a header, usually the module name */
		return 0;
	}
}

static int srec_check(srec *s, const img_line *l, unsigned type, const uint8_t *r, size_t n)
{
	img_builder *b = s->b;
	if (n < 1 || n != (size_t)r[0] + 1)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: record of %zu bytes after S%u: expected %u (count byte %u + 1); "
			       "truncated or corrupt line", b->name, l->no, n, type, n ? r[0] + 1u : 1u,
			       n ? r[0] : 0u);
	if (r[0] < srec_addr_len[type] + 1u)
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: S%u count byte %u: expected at least %u (address and checksum)",
			       b->name, l->no, type, r[0], srec_addr_len[type] + 1u);
	if ((type >= 5 && r[0] != srec_addr_len[type] + 1u))
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: S%u with %u data bytes: expected none", b->name, l->no, type,
			       r[0] - srec_addr_len[type] - 1u);
	uint8_t sum = 0;
	for (size_t i = 0; i + 1 < n; i++)
		sum = (uint8_t)(sum + r[i]);
	uint8_t want = (uint8_t)(0xFFu - sum);
	if (want != r[n - 1])
		return fk_fail(b->ctx, FK_E_BAD_IMAGE, "%s:%u: bad checksum 0x%02X: expected 0x%02X",
			       b->name, l->no, r[n - 1], want);
	return 0;
}

static int srec_line(srec *s, const img_line *l)
{
	img_builder *b = s->b;
	char c[16];
	if (l->p[0] != 'S') {
		img_char_name(l->p[0], c, sizeof c);
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: column 1: expected 'S' to start a record, found %s", b->name,
			       l->no, c);
	}
	if (l->len < 2 || l->p[1] < '0' || l->p[1] > '9' || l->p[1] == '4') {
		img_char_name(l->len < 2 ? '\n' : l->p[1], c, sizeof c);
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: column 2: unknown record type %s: expected S0-S3 or S5-S9",
			       b->name, l->no, l->len < 2 ? "(end of line)" : c);
	}
	unsigned type = (unsigned)(l->p[1] - '0');
	uint8_t r[256];
	size_t n;
	int rc = img_hex_bytes(b, l, 2, r, sizeof r, &n);
	if (rc == 0)
		rc = srec_check(s, l, type, r, n);
	return rc ? rc : srec_record(s, l, type, r, n);
}

int img_load_srec(img_builder *b, fk_image *img, const uint8_t *buf, size_t len)
{
	srec s = {b, img, 0, false};
	img_text t = {buf, buf + len, 0};
	img_line l;
	while (!s.done && img_next_line(&t, &l)) {
		int rc = srec_line(&s, &l);
		if (rc) {
			fk_hint(b->ctx, "the file is damaged: regenerate it (e.g. `arm-none-eabi-objcopy "
					"-O srec fw.elf fw.srec`) or download it again");
			return rc;
		}
	}
	if (!s.done) {
		fk_hint(b->ctx, "the file is cut short: regenerate or download it again");
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s:%u: file ends without a termination record: expected S7, S8 or S9 "
			       "(truncated file?)", b->name, t.lineno);
	}
	if (img_next_line(&t, &l))
		fk_log(b->ctx, FK_LOG_WARN, FK_TRACE_IMAGE,
		       "%s:%u: text after the termination record ignored", b->name, l.no);
	return 0;
}
