/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `write --encrypt`: flash the chip encrypts with its own flash encryption key (ESP32-C3 ROM,
 * lib/chip/esp32_crypt.c), through the driver's write_crypt. As esptool `write_flash
 * --encrypt`: each segment padded with 0xFF to FK_CRYPT_ALIGN, written whole (no
 * --skip-unchanged), the sectors it touches erased first. Unlike esptool, the bytes of those
 * sectors the image does not cover are read before the erase and put back as they were (raw:
 * ciphertext stays ciphertext), unless --erase-sectors.
 *
 * What is checked afterwards, and what cannot be: the flash now holds ciphertext of a key
 * flashkey does not know (it stays in the chip), so the content is NOT verified. The ROM's
 * digest of each written range must differ from the plaintext's (else the chip wrote plaintext)
 * and from erased flash (else nothing was written); the bytes put back are compared exactly.
 * The result says FK_VERIFY_ENCRYPTED: boot the application to know. */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"
#include "core/md5.h"

typedef struct crypt_seg {
	uint32_t addr, len; /* len padded to FK_CRYPT_ALIGN */
	uint8_t *data;
} crypt_seg;

static void crypt_segs_free(crypt_seg *cs, unsigned n)
{
	for (unsigned i = 0; cs && i < n; i++)
		free(cs[i].data);
	free(cs);
}

/* Padded copies in address order (images come sorted); padded ranges must not meet. */
static int crypt_segs_make(fk_session *s, const fk_seg *segs, unsigned n, crypt_seg **out)
{
	crypt_seg *cs = calloc(n ? n : 1, sizeof *cs);
	if (!cs)
		return fk_fail(s->ctx, FK_E_NOMEM, "--encrypt: segment table");
	*out = cs;
	for (unsigned i = 0; i < n; i++) {
		uint32_t pad = (FK_CRYPT_ALIGN - segs[i].len % FK_CRYPT_ALIGN) % FK_CRYPT_ALIGN;
		cs[i].addr = segs[i].addr;
		cs[i].len = segs[i].len + pad;
		if (!(cs[i].data = malloc(cs[i].len ? cs[i].len : 1)))
			return fk_fail(s->ctx, FK_E_NOMEM, "--encrypt: %u bytes", cs[i].len);
		memcpy(cs[i].data, segs[i].data, segs[i].len);
		memset(cs[i].data + segs[i].len, 0xFF, pad); /* esptool pad_to(image, 16) */
		if (i && (uint64_t)cs[i - 1].addr + cs[i - 1].len > cs[i].addr)
			return fk_fail(s->ctx, FK_E_USAGE, "--encrypt: the segments at 0x%06X and "
				       "0x%06X share a 16-byte block (each is encrypted on its own, "
				       "padded to 16 bytes): join them in one image segment",
				       cs[i - 1].addr, cs[i].addr);
	}
	return FK_OK;
}

/* Bytes of unit u covered by the (padded) image. */
static uint32_t crypt_covered(const crypt_seg *cs, unsigned n, const fk_erase_unit *u)
{
	uint32_t got = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = FK_MAX(cs[i].addr, u->addr);
		uint64_t e = FK_MIN((uint64_t)cs[i].addr + cs[i].len, (uint64_t)u->addr + u->size);
		if (a < e)
			got += (uint32_t)(e - a);
	}
	return got;
}

static bool crypt_in_image(const crypt_seg *cs, unsigned n, uint32_t a)
{
	for (unsigned i = 0; i < n; i++)
		if (a >= cs[i].addr && a - cs[i].addr < cs[i].len)
			return true;
	return false;
}

/* MD5 of flash [addr, addr+len): the chip's (SPI_FLASH_MD5) or from reading it. */
static int crypt_digest(fk_session *s, uint32_t addr, uint32_t len, uint8_t out[16])
{
	if (s->drv->md5) {
		int rc = s->drv->md5(s->chip, s->ctx, addr, len, out);
		if (rc != FK_E_UNSUPPORTED || fk_ctx_error(s->ctx) != FK_OK)
			return rc;
	}
	uint8_t buf[4096];
	fk_md5 m;
	fk_md5_init(&m);
	for (uint32_t off = 0; off < len; off += sizeof buf) {
		uint32_t k = FK_MIN(len - off, (uint32_t)sizeof buf);
		int rc = s->drv->read(s->chip, s->ctx, addr + off, buf, k);
		if (rc)
			return rc;
		fk_md5_update(&m, buf, k);
	}
	fk_md5_final(&m, out);
	return FK_OK;
}

/* The written range must hold neither the plaintext nor erased flash. */
static int crypt_check_written(fk_session *s, const crypt_seg *c)
{
	uint8_t got[16], plain[16], blank[16];
	int rc = crypt_digest(s, c->addr, c->len, got);
	if (rc == FK_E_PROTECTED || rc == FK_E_UNSUPPORTED) { /* Secure Download Mode */
		char why[256];
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_FLASH, "0x%06X..0x%06X: not even checked for "
		       "plaintext or erased bytes: %s", c->addr, c->addr + c->len - 1U,
		       fk_ctx_message(s->ctx, why, sizeof why));
		fk_ctx_clear(s->ctx);
		return FK_OK;
	}
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "checking 0x%06X..0x%06X after the encrypted write",
				    c->addr, c->addr + c->len - 1U);
	fk_md5_buf(c->data, c->len, plain);
	fk_md5 m;
	fk_md5_init(&m);
	uint8_t ff[256];
	memset(ff, 0xFF, sizeof ff);
	for (uint32_t off = 0; off < c->len; off += sizeof ff)
		fk_md5_update(&m, ff, FK_MIN(c->len - off, (uint32_t)sizeof ff));
	fk_md5_final(&m, blank);
	if (memcmp(got, plain, 16) == 0)
		return fk_fail(s->ctx, FK_E_VERIFY, "0x%06X..0x%06X holds the plaintext: the chip "
			       "did not encrypt it (it boots as garbage under flash encryption)",
			       c->addr, c->addr + c->len - 1U);
	if (memcmp(got, blank, 16) == 0)
		return fk_fail(s->ctx, FK_E_VERIFY, "0x%06X..0x%06X reads erased after the "
			       "encrypted write: nothing was programmed", c->addr,
			       c->addr + c->len - 1U);
	return FK_OK;
}

/* Put back, as they were, the bytes of unit u outside the image (keep: the unit read before
 * the erase), and compare them; runs that were erased need nothing. */
static int crypt_restore(fk_session *s, const crypt_seg *cs, unsigned n, const fk_erase_unit *u,
			 const uint8_t *keep)
{
	uint32_t i = 0;
	while (i < u->size) {
		if (crypt_in_image(cs, n, u->addr + i)) {
			i++;
			continue;
		}
		uint32_t j = i;
		bool blank = true;
		for (; j < u->size && !crypt_in_image(cs, n, u->addr + j); j++)
			blank = blank && keep[j] == 0xFF;
		if (!blank) {
			uint8_t got[16], want[16];
			int rc = s->drv->write_crypt(s->chip, s->ctx, u->addr + i, keep + i, j - i,
						     FK_CRYPT_RAW);
			if (!rc)
				rc = crypt_digest(s, u->addr + i, j - i, got);
			if (rc)
				return fk_fail_wrap(s->ctx, rc, "putting back 0x%06X..0x%06X",
						    u->addr + i, u->addr + j - 1U);
			fk_md5_buf(keep + i, j - i, want);
			if (memcmp(got, want, 16))
				return fk_fail(s->ctx, FK_E_VERIFY, "0x%06X..0x%06X (kept from before "
					       "the erase) differs after it was written back",
					       u->addr + i, u->addr + j - 1U);
		}
		i = j;
	}
	return FK_OK;
}

/* The units the image touches: read (kept), erased by runs, written, put back, checked. */
static int crypt_run(fk_session *s, const crypt_seg *cs, unsigned n, const bool *touch,
		     const fk_write_opts *o, fk_write_result *r)
{
	const fk_chip_desc *c = s->desc;
	uint8_t **keep = calloc(c->nunits, sizeof *keep);
	int rc = keep ? FK_OK : fk_fail(s->ctx, FK_E_NOMEM, "--encrypt: keep table");
	for (unsigned i = 0; !rc && !o->erase_unwritten && i < c->nunits; i++) {
		if (!touch[i] || crypt_covered(cs, n, &c->units[i]) == c->units[i].size)
			continue;
		if (!(keep[i] = malloc(c->units[i].size)))
			rc = fk_fail(s->ctx, FK_E_NOMEM, "--encrypt: %u bytes", c->units[i].size);
		else if ((rc = s->drv->read(s->chip, s->ctx, c->units[i].addr, keep[i],
					   c->units[i].size)) != FK_OK) {
			fk_hint(s->ctx, "--erase-sectors erases them instead (they are lost)");
			fk_fail_wrap(s->ctx, rc, "reading the bytes of 0x%06X..0x%06X that the image "
				     "does not cover, to keep them; nothing was erased",
				     c->units[i].addr, c->units[i].addr + c->units[i].size - 1U);
		}
	}
	for (unsigned i = 0; !rc && i < c->nunits; i++) { /* erase by runs of units */
		if (!touch[i])
			continue;
		unsigned j = i;
		while (j + 1 < c->nunits && touch[j + 1] &&
		       c->units[j].addr + c->units[j].size == c->units[j + 1].addr)
			j++;
		rc = s->drv->write_crypt(s->chip, s->ctx, c->units[i].addr, NULL,
					 c->units[j].addr + c->units[j].size - c->units[i].addr,
					 FK_CRYPT_ERASE);
		i = j;
	}
	for (unsigned i = 0; !rc && i < n; i++) {
		rc = s->drv->write_crypt(s->chip, s->ctx, cs[i].addr, cs[i].data, cs[i].len,
					 FK_CRYPT_WRITE);
		r->bytes_programmed += rc ? 0 : cs[i].len;
	}
	for (unsigned i = 0; !rc && i < c->nunits; i++)
		if (keep[i])
			rc = crypt_restore(s, cs, n, &c->units[i], keep[i]);
	for (unsigned i = 0; !rc && !o->no_verify && i < n; i++)
		rc = crypt_check_written(s, &cs[i]);
	for (unsigned i = 0; keep && i < c->nunits; i++)
		free(keep[i]);
	free(keep);
	return rc;
}

int fk_flash_write_encrypted(fk_session *s, const fk_seg *segs, unsigned nsegs,
			     const fk_write_opts *o, const fk_perms *perms, fk_write_result *r)
{
	memset(r, 0, sizeof *r);
	const fk_chip_desc *c = s->desc;
	uint64_t t0 = fk_session_virtual_ns(s);
	if (!s->drv->write_crypt) {
		fk_hint(s->ctx, "flashkey writes encrypted flash on the ESP32-C3 (its ROM loader "
			"encrypts with the chip's key)");
		return fk_fail(s->ctx, FK_E_UNSUPPORTED, "--encrypt: %s has no flash encryption "
			       "flashkey can drive; nothing was erased or written", s->info.chip);
	}
	if (o->read_back)
		return fk_fail(s->ctx, FK_E_USAGE, "--encrypt with --read-back: the flash will hold "
			       "ciphertext of the chip's key, which flashkey does not know; there is "
			       "nothing to compare the image with");
	if (o->skip_unchanged)
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_FLASH, "--skip-unchanged does not apply to "
		       "--encrypt: the flash holds ciphertext, so the whole image is written (as "
		       "esptool: \"Fast reflashing encrypted images is not supported\")");
	if (s->drv->image_notes)
		s->drv->image_notes(s->chip, s->ctx, segs, nsegs);
	crypt_seg *cs = NULL;
	bool *touch = calloc(c->nunits ? c->nunits : 1, sizeof *touch);
	int rc = touch ? crypt_segs_make(s, segs, nsegs, &cs)
		       : fk_fail(s->ctx, FK_E_NOMEM, "--encrypt: unit table");
	for (unsigned i = 0; !rc && i < nsegs; i++) {
		uint64_t end = (uint64_t)cs[i].addr + cs[i].len;
		if (cs[i].addr < s->info.flash_base || end > (uint64_t)s->info.flash_base +
								   s->info.flash_size)
			rc = fk_fail(s->ctx, FK_E_RANGE, "--encrypt: 0x%06X..0x%06llX is outside the "
				     "flash", cs[i].addr, (unsigned long long)end - 1U);
		else
			rc = s->drv->write_crypt(s->chip, s->ctx, cs[i].addr, cs[i].data, cs[i].len,
						 FK_CRYPT_CHECK);
	}
	for (unsigned u = 0; !rc && u < c->nunits; u++) {
		uint32_t cov = crypt_covered(cs, nsegs, &c->units[u]);
		touch[u] = cov > 0;
		r->sectors_erased += cov > 0;
		if (cov)
			*(o->erase_unwritten ? &r->discarded_bytes : &r->kept_bytes) +=
				c->units[u].size - cov;
	}
	r->psize_bytes = s->width ? s->width : 1U;
	if (!rc && !(perms && perms->dry_run))
		rc = crypt_run(s, cs, nsegs, touch, o, r);
	if (!rc && !(perms && perms->dry_run))
		r->verified = o->no_verify ? FK_VERIFY_NONE : FK_VERIFY_ENCRYPTED;
	crypt_segs_free(cs, nsegs);
	free(touch);
	r->virtual_ns = fk_session_virtual_ns(s) - t0;
	return rc;
}
