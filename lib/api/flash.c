/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flash operations on a session, through the chip driver (lib/chip/driver.h): plan from the
 * image (lib/plan/flashplan), erase only the erase units needed (or none that already match,
 * --skip-unchanged), program at the widest width the supply allows (the driver's set_supply),
 * verify; erase; read; verify. Any number of erase units (fk_sector_set).
 * Option bytes are never touched here (DESIGN.md: only report protection that blocks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"
#include "core/md5.h"
#include "plan/flashplan.h"

/* The areas of the chip that are not main flash, as the planner refuses them: the driver's
 * areas, neighbours of the same name joined (OTP data + its lock bytes are one "OTP"). */
#define FK_FLASH_MAX_SPECIAL 16
static unsigned fk_flash_specials(const fk_chip_desc *c, fkp_area *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->nareas; i++) {
		const fk_chip_area *a = &c->areas[i];
		fkp_area *last = n ? &out[n - 1] : NULL;
		if (last && strcmp(last->name, a->name) == 0 &&
		    (uint64_t)last->addr + last->size == a->addr) {
			last->size += a->size;
			continue;
		}
		if (n == FK_FLASH_MAX_SPECIAL)
			break;
		out[n++] = (fkp_area){a->name, a->addr, a->size};
	}
	return n;
}

static int fk_flash_width(fk_session *s, const fk_write_opts *o)
{
	return s->drv->set_supply(s->chip, s->ctx, o->voltage_mv, o->psize, &s->width);
}

/* on-chip CRC-32 of a batch of ranges; FK_E_UNSUPPORTED when the driver has none */
static int fk_flash_crc_batch(fk_session *s, const uint32_t *addr, const uint32_t *len,
			      unsigned n, uint32_t *crc)
{
	if (!s->drv->crc32)
		return FK_E_UNSUPPORTED;
	return s->drv->crc32(s->chip, s->ctx, addr, len, n, crc);
}

/* CRC-32 of the whole sectors in set computed on the chip (crc indexed by sector);
 * FK_E_UNSUPPORTED when the path cannot (the debug path reads fast enough; a bootloader that
 * refuses code in RAM). At most FK_CHIP_CRC_MAX ranges per call. */
static int fk_flash_chip_crcs(fk_session *s, const fk_sector_set *set, uint32_t *crc)
{
	const fk_chip_desc *c = s->desc;
	uint32_t addr[FK_CHIP_CRC_MAX], len[FK_CHIP_CRC_MAX], got[FK_CHIP_CRC_MAX];
	unsigned idx[FK_CHIP_CRC_MAX], n = 0;
	int rc = FK_OK;
	for (unsigned i = 0; i <= c->nunits && !rc; i++) {
		if (n && (n == FK_CHIP_CRC_MAX || i == c->nunits)) {
			rc = fk_flash_crc_batch(s, addr, len, n, got);
			for (unsigned k = 0; k < n && !rc; k++)
				crc[idx[k]] = got[k];
			n = 0;
		}
		if (i == c->nunits || !fk_sector_set_has(set, i))
			continue;
		addr[n] = c->units[i].addr;
		len[n] = c->units[i].size;
		idx[n++] = i;
	}
	return rc;
}

/* The part of [addr, addr + len) this path cannot read back (fk_chip_desc.hidden_*, e.g. the LPC
 * boot ROM's vectors over 0x00-0x3F in ISP mode) as [*lo, *hi); false when none. Such bytes are
 * written but never compared: the session says so (fk_session_hidden). */
static bool fk_flash_hidden_in(const fk_chip_desc *c, uint32_t addr, uint32_t len, uint32_t *lo,
			       uint32_t *hi)
{
	if (!c->hidden_len || !len)
		return false;
	uint64_t a = FK_MAX((uint64_t)addr, (uint64_t)c->hidden_addr);
	uint64_t b = FK_MIN((uint64_t)addr + len, (uint64_t)c->hidden_addr + c->hidden_len);
	if (a >= b)
		return false;
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return true;
}

/* How to compare the sectors in set: by on-chip CRCs (filled into chip) unless read_back or
 * the path cannot, else by reading back (*how says which). */
static int fk_flash_chip_or_read(fk_session *s, const fk_sector_set *set, bool read_back,
				 uint32_t *chip, fk_verify_how *how, const char *what)
{
	int rc = read_back ? FK_E_UNSUPPORTED : fk_flash_chip_crcs(s, set, chip);
	if (rc && rc != FK_E_UNSUPPORTED)
		return fk_fail_wrap(s->ctx, rc, "%s", what);
	*how = rc ? FK_VERIFY_READ : FK_VERIFY_CRC;
	return FK_OK;
}

/* Does the chip's MD5 of [addr, addr+len) equal the one of data? -1 when the driver has no
 * MD5 (or read_back is asked for), 0 no, 1 yes; rc receives a failure of the path. */
static int fk_flash_md5_same(fk_session *s, bool read_back, uint32_t addr, const uint8_t *data,
			     uint32_t len, int *rc)
{
	*rc = FK_OK;
	if (read_back || !s->drv->md5)
		return -1;
	uint8_t chip[16], want[16];
	int r = s->drv->md5(s->chip, s->ctx, addr, len, chip);
	if (r == FK_E_UNSUPPORTED && fk_ctx_error(s->ctx) == FK_OK)
		return -1;
	if (r) {
		*rc = r;
		return 0;
	}
	fk_md5_buf(data, len, want);
	return memcmp(chip, want, 16) == 0;
}

/* Content of sector sec after the write: the bytes kept from before (keep, the sector's old
 * content) or 0xFF (keep NULL, --erase-sectors), the image's bytes over them (issue 13
 * class 3: an image never silently destroys the rest of a sector it must erase). */
static void fk_flash_want(const fk_seg *segs, unsigned n, const fk_erase_unit *sec,
			  const uint8_t *keep, uint8_t *want)
{
	fkp_sector_image(segs, n, sec->addr, sec->size, want);
	if (!keep)
		return;
	memcpy(want, keep, sec->size);
	for (unsigned i = 0; i < n; i++) {
		const fk_seg *g = &segs[i];
		uint64_t lo = FK_MAX((uint64_t)g->addr, (uint64_t)sec->addr);
		uint64_t hi = FK_MIN((uint64_t)g->addr + g->len, (uint64_t)sec->addr + sec->size);
		if (g->len && lo < hi)
			memcpy(want + (lo - sec->addr), g->data + (lo - g->addr), (size_t)(hi - lo));
	}
}

/* Sectors whose flash CRC already equals the image's sector content are left alone (same). */
static int fk_flash_unchanged(fk_session *s, const fk_seg *segs, unsigned n,
			      const fk_sector_set *touch, const fk_write_opts *o, uint8_t *want,
			      uint8_t *have, uint32_t *chip, fk_sector_set *same, fk_verify_how *how)
{
	int rc = fk_flash_chip_or_read(s, touch, o->read_back, chip, how,
				       "comparing the sectors with the image");
	if (rc)
		return rc;
	for (unsigned i = 0; i < s->desc->nunits; i++) {
		const fk_erase_unit *sec = &s->desc->units[i];
		uint32_t hlo, hhi;
		if (!fk_sector_set_has(touch, i) ||
		    fk_flash_hidden_in(s->desc, sec->addr, sec->size, &hlo, &hhi))
			continue; /* a sector that cannot be read whole is written again */
		fkp_sector_image(segs, n, sec->addr, sec->size, want);
		uint32_t flash_crc = chip[i];
		int same_md5 = *how != FK_VERIFY_CRC
				       ? fk_flash_md5_same(s, o->read_back, sec->addr, want, sec->size, &rc)
				       : -1;
		if (rc)
			return rc;
		if (same_md5 >= 0) {
			*how = FK_VERIFY_MD5;
			if (same_md5)
				fk_sector_set_add(same, i);
			continue;
		}
		if (*how == FK_VERIFY_READ) {
			fk_progress_span(s->ctx, "read", 0, 0, 0); /* a comparison, no bar of its own */
			rc = s->drv->read(s->chip, s->ctx, sec->addr, have, sec->size);
			fk_progress_span_end(s->ctx);
			if (rc)
				return rc;
			flash_crc = fk_crc32(0, have, sec->size);
		}
		if (fk_crc32(0, want, sec->size) == flash_crc)
			fk_sector_set_add(same, i);
	}
	return FK_OK;
}

static int fk_flash_program_sector(fk_session *s, const fk_erase_unit *sec, const uint8_t *want,
				   uint64_t *done, uint64_t total)
{
	uint32_t pos = 0, start, len, piece = FK_MAX(0x4000U, s->desc->program_span);
	while (fkp_next_run(want, sec->size, s->width, &pos, &start, &len)) {
		for (uint32_t off = 0; off < len; off += piece) {
			uint32_t n = FK_MIN(len - off, piece);
			fk_progress_span(s->ctx, "program", *done, n, total); /* the whole job's bar */
			int rc = s->drv->program(s->chip, s->ctx, sec->addr + start + off,
						 want + start + off, n);
			fk_progress_span_end(s->ctx);
			if (rc)
				return rc;
			*done += n;
			fk_progress(s->ctx, "program", *done, total);
		}
	}
	return FK_OK;
}

/* [addr, addr + len) in pieces of 16 KiB, asking between pieces whether to stop (a read changes
 * nothing, so any piece boundary is a safe point); "read" progress when progress. */
static int fk_flash_read_pieces(fk_session *s, uint32_t addr, void *buf, uint32_t len,
				bool progress)
{
	for (uint32_t off = 0; off < len; off += 0x4000) {
		uint32_t n = FK_MIN(len - off, 0x4000U);
		if (fk_stop_requested(s->ctx))
			return fk_fail(s->ctx, FK_E_INTERRUPTED, "read stopped on request at 0x%08X "
				       "after %u of %u bytes; the chip was not changed", addr + off,
				       off, len);
		/* the path's own "read" events: part of this job's bar, or muted */
		fk_progress_span(s->ctx, "read", off, n, progress ? len : 0);
		int rc = s->drv->read(s->chip, s->ctx, addr + off, (uint8_t *)buf + off, n);
		fk_progress_span_end(s->ctx);
		if (rc)
			return rc;
		if (progress)
			fk_progress(s->ctx, "read", off + n, len);
	}
	return FK_OK;
}

static int fk_flash_check_sector(fk_session *s, const fk_erase_unit *sec, const uint8_t *want,
				 uint8_t *have)
{
	uint32_t hlo, hhi;
	int rc;
	if (fk_flash_hidden_in(s->desc, sec->addr, sec->size, &hlo, &hhi)) {
		/* read around the window the path cannot see; its bytes are taken as written */
		rc = fk_flash_read_pieces(s, sec->addr, have, hlo - sec->addr, false);
		if (!rc)
			rc = fk_flash_read_pieces(s, hhi, have + (hhi - sec->addr),
						  sec->addr + sec->size - hhi, false);
		memcpy(have + (hlo - sec->addr), want + (hlo - sec->addr), hhi - hlo);
	} else {
		rc = fk_flash_read_pieces(s, sec->addr, have, sec->size, false);
	}
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "verifying sector %u", sec->number);
	for (uint32_t k = 0; k < sec->size; k++)
		if (want[k] != have[k])
			return fk_fail(s->ctx, FK_E_VERIFY, "sector %u at 0x%08X: flash reads 0x%02X, "
							    "the image has 0x%02X",
				       sec->number, sec->addr + k, have[k], want[k]);
	return FK_OK;
}

/* The controller's locks set again once done, as after a reset (the driver's relock). */
static void fk_flash_relock(fk_session *s)
{
	fk_ctx *q = fk_ctx_new();
	if (q && s->drv->relock)
		s->drv->relock(s->chip, q);
	fk_ctx_free(q);
}

static uint64_t fk_flash_bytes(const fk_chip_desc *c, const fk_sector_set *set)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < c->nunits; i++)
		n += fk_sector_set_has(set, i) ? c->units[i].size : 0;
	return n;
}

/* Verify the sectors in set against the image: one on-chip CRC pass when the path has it
 * (a mismatching sector is then read back to name its first differing byte), else read back. */
/* One chip MD5 per run of adjacent sectors of set instead of one per sector: on a serial ROM
 * loader each MD5 is a round trip (about 6 ms at 115200 baud, 256 of them for 1 MiB of 4 KiB
 * sectors). Sectors of a run whose digest matches go into ok; a run that differs is left to
 * the per-sector check, which names the sector. Nothing is concluded without the driver's MD5. */
static int fk_flash_md5_runs(fk_session *s, const fk_seg *segs, unsigned n,
			     const fk_sector_set *set, const uint8_t *keep, uint8_t *want,
			     fk_sector_set *ok, fk_verify_how *how)
{
	const fk_chip_desc *d = s->desc;
	for (unsigned i = 0; i < d->nunits;) {
		if (!fk_sector_set_has(set, i)) {
			i++;
			continue;
		}
		unsigned j = i + 1;
		while (j < d->nunits && fk_sector_set_has(set, j) &&
		       d->units[j].addr == d->units[j - 1].addr + d->units[j - 1].size)
			j++;
		uint64_t len = (uint64_t)d->units[j - 1].addr + d->units[j - 1].size - d->units[i].addr;
		if (j - i >= 2 && len <= UINT32_MAX) {
			fk_md5 m;
			fk_md5_init(&m);
			for (unsigned k = i; k < j; k++) {
				fk_flash_want(segs, n, &d->units[k], keep, want);
				if (keep)
					keep += d->units[k].size;
				fk_md5_update(&m, want, d->units[k].size);
			}
			uint8_t chip[16], img[16];
			fk_md5_final(&m, img);
			int r = s->drv->md5(s->chip, s->ctx, d->units[i].addr, (uint32_t)len, chip);
			if (r == FK_E_UNSUPPORTED && fk_ctx_error(s->ctx) == FK_OK)
				return FK_OK;
			if (r)
				return r;
			*how = FK_VERIFY_MD5;
			if (memcmp(chip, img, 16) == 0)
				for (unsigned k = i; k < j; k++)
					fk_sector_set_add(ok, k);
		} else if (keep) {
			for (unsigned k = i; k < j; k++)
				keep += d->units[k].size;
		}
		i = j;
	}
	return FK_OK;
}

/* [lo, hi) of sector sec read back and compared with want, except the window the path cannot
 * read (fk_flash_hidden_in). */
static int fk_flash_check_range(fk_session *s, const fk_erase_unit *sec, uint32_t lo, uint32_t hi,
				const uint8_t *want, uint8_t *have)
{
	uint32_t hlo, hhi, a = sec->addr + lo;
	if (fk_flash_hidden_in(s->desc, a, hi - lo, &hlo, &hhi)) {
		int rc = hlo > a ? fk_flash_check_range(s, sec, lo, hlo - sec->addr, want, have) : 0;
		return rc || hhi >= sec->addr + hi ? rc
		       : fk_flash_check_range(s, sec, hhi - sec->addr, hi, want, have);
	}
	int rc = fk_flash_read_pieces(s, a, have + lo, hi - lo, false);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "verifying sector %u", sec->number);
	for (uint32_t k = lo; k < hi; k++)
		if (want[k] != have[k])
			return fk_fail(s->ctx, FK_E_VERIFY, "sector %u at 0x%08X: flash reads 0x%02X, "
							    "the image has 0x%02X",
				       sec->number, sec->addr + k, have[k], want[k]);
	return FK_OK;
}

/* A path whose program() compared every block it programmed (program_compares): only the runs
 * the write left erased (all-ones words it did not program) are read back. */
static int fk_flash_check_unwritten(fk_session *s, const fk_erase_unit *sec, const uint8_t *want,
				    uint8_t *have)
{
	uint32_t pos = 0, start = 0, len = 0, gap = 0;
	for (;;) {
		bool more = fkp_next_run(want, sec->size, s->width, &pos, &start, &len);
		uint32_t end = more ? start : sec->size;
		if (end > gap) {
			int rc = fk_flash_check_range(s, sec, gap, end, want, have);
			if (rc)
				return rc;
		}
		if (!more)
			return FK_OK;
		gap = start + len;
	}
}

static int fk_flash_verify_sectors(fk_session *s, const fk_seg *segs, unsigned n,
				   const fk_sector_set *set, bool read_back, const uint8_t *keep,
				   uint8_t *want, uint8_t *have, uint32_t *chip, fk_verify_how *how)
{
	if (s->desc->program_compares && !read_back) {
		int rc = FK_OK;
		*how = FK_VERIFY_COMPARE;
		for (unsigned i = 0; i < s->desc->nunits && !rc; i++) {
			const fk_erase_unit *sec = &s->desc->units[i];
			if (!fk_sector_set_has(set, i))
				continue;
			fk_flash_want(segs, n, sec, keep, want);
			if (keep)
				keep += sec->size;
			rc = fk_flash_check_unwritten(s, sec, want, have);
		}
		return rc;
	}
	int rc = fk_flash_chip_or_read(s, set, read_back, chip, how, "verifying the written sectors");
	if (rc)
		return rc;
	fk_sector_set ok;
	if (fk_sector_set_init(&ok, s->desc->nunits))
		return fk_fail(s->ctx, FK_E_NOMEM, "allocating a sector set");
	if (*how != FK_VERIFY_CRC && !read_back && s->drv->md5)
		rc = s->desc->hidden_len ? FK_OK /* runs would cover the unreadable window */
					 : fk_flash_md5_runs(s, segs, n, set, keep, want, &ok, how);
	uint64_t vdone = 0, vtotal = fk_flash_bytes(s->desc, set);
	for (unsigned i = 0; !rc && i < s->desc->nunits; i++) {
		const fk_erase_unit *sec = &s->desc->units[i];
		if (!fk_sector_set_has(set, i))
			continue;
		fk_progress(s->ctx, "verify", vdone, vtotal); /* the sectors before this one */
		vdone += sec->size;
		if (fk_sector_set_has(&ok, i)) { /* its run's MD5 matched */
			if (keep)
				keep += sec->size;
			continue;
		}
		fk_flash_want(segs, n, sec, keep, want);
		if (keep)
			keep += sec->size;
		uint32_t hlo, hhi;
		bool hid = fk_flash_hidden_in(s->desc, sec->addr, sec->size, &hlo, &hhi);
		if (!hid && *how == FK_VERIFY_CRC && fk_crc32(0, want, sec->size) == chip[i])
			continue;
		int same_md5 = -1;
		if (!hid && *how != FK_VERIFY_CRC) {
			same_md5 = fk_flash_md5_same(s, read_back, sec->addr, want, sec->size, &rc);
			if (rc)
				break;
			if (same_md5 >= 0)
				*how = FK_VERIFY_MD5;
			if (same_md5 == 1)
				continue;
		}
		rc = fk_flash_check_sector(s, sec, want, have);
		if (rc)
			break;
		if (same_md5 == 0)
			rc = fk_fail(s->ctx, FK_E_VERIFY, "sector %u at 0x%08X: the MD5 computed on "
							    "the chip differs from the image's, yet the "
							    "bytes read back match: unstable flash?",
				       sec->number, sec->addr);
		if (!hid && *how == FK_VERIFY_CRC) /* the CRC differed, the bytes read back agree */
			rc = fk_fail(s->ctx, FK_E_VERIFY, "sector %u at 0x%08X: the CRC-32 computed on "
							    "the chip is 0x%08X, the image's 0x%08X, yet "
							    "the bytes read back match: unstable flash?",
				       sec->number, sec->addr, chip[i], fk_crc32(0, want, sec->size));
	}
	if (!rc && vtotal)
		fk_progress(s->ctx, "verify", vtotal, vtotal);
	fk_sector_set_free(&ok);
	return rc;
}

/* Does the inventory say erase unit i is protected against erasing? (a scratch context: the
 * answer only decides which refusal the user sees) */
static bool fk_flash_unit_blocked(fk_session *s, unsigned i)
{
	fk_sector_set one = {0};
	fk_ctx *q = fk_ctx_new(), *keep = s->ctx;
	bool blocked = false;
	if (q && !fk_sector_set_init(&one, s->desc->nunits)) {
		fk_sector_set_add(&one, i);
		s->ctx = q;
		blocked = fk_api_write_blocked(s, &one, "write") != FK_OK;
		s->ctx = keep;
	}
	fk_sector_set_free(&one);
	fk_ctx_free(q);
	return blocked;
}

/* The old content of the sectors in set, one after the other (keep_unwritten): read before
 * anything is erased, so a sector that cannot be read stops the write with nothing lost. */
static int fk_flash_keep_read(fk_session *s, const fk_seg *segs, unsigned n,
			      const fk_sector_set *set, uint64_t kept, uint8_t *keep)
{
	for (unsigned i = 0; i < s->desc->nunits; i++) {
		const fk_erase_unit *sec = &s->desc->units[i];
		if (!fk_sector_set_has(set, i))
			continue;
		/* only the gaps the image leaves are read: the rest is overwritten anyway */
		memset(keep, 0xFF, sec->size);
		uint64_t at = sec->addr, end = (uint64_t)sec->addr + sec->size;
		int rc = FK_OK;
		for (unsigned k = 0; k <= n && !rc && at < end; k++) {
			uint64_t lo = k < n ? FK_MAX((uint64_t)segs[k].addr, at) : end;
			uint64_t hi = k < n ? (uint64_t)segs[k].addr + segs[k].len : end;
			if (k < n && (hi <= at || !segs[k].len))
				continue;
			lo = FK_MIN(lo, end);
			if (lo > at)
				rc = fk_flash_read_pieces(s, (uint32_t)at, keep + (at - sec->addr),
							  (uint32_t)(lo - at), false);
			at = FK_MAX(at, FK_MIN(hi, end));
		}
		if (rc == FK_E_INTERRUPTED) {
			fk_hint(s->ctx, "run the same write again when you are ready");
			return fk_fail_wrap(s->ctx, rc, "write stopped while reading sector %u (0x%08X) "
					    "to keep the bytes the image does not cover: no sector was "
					    "changed", sec->number, sec->addr);
		}
		if (rc && fk_flash_unit_blocked(s, i)) {
			/* unreadable because protected (PCROP): the erase will be refused before
			 * anything is erased, with the driver's own words */
			fk_ctx_clear(s->ctx);
			memset(keep, 0xFF, sec->size);
			rc = FK_OK;
		}
		if (rc) {
			fk_hint(s->ctx, "nothing was erased; write --erase-sectors erases the sectors "
				       "whole instead, losing the %llu bytes the image does not cover",
				(unsigned long long)kept);
			return fk_fail_wrap(s->ctx, rc, "reading sector %u (0x%08X) to keep the bytes "
							"the image does not cover", sec->number,
					    sec->addr);
		}
		keep += sec->size;
	}
	return FK_OK;
}

static int fk_flash_do(fk_session *s, const fk_seg *segs, unsigned n, const fk_write_opts *o,
		       const fk_sector_set *set, uint8_t *want, uint8_t *have, uint32_t *chip,
		       fk_write_result *r)
{
	const fk_chip_desc *c = s->desc;
	unsigned count = fk_sector_set_count(set);
	uint64_t done = 0, total = fk_flash_bytes(c, set);
	uint8_t *keep = NULL;
	if (count && r->kept_bytes) {
		keep = malloc((size_t)total);
		if (!keep)
			return fk_fail(s->ctx, FK_E_NOMEM, "keeping %llu bytes of the sectors",
				       (unsigned long long)total);
		int rc = fk_flash_keep_read(s, segs, n, set, r->kept_bytes, keep);
		if (rc) {
			free(keep);
			return rc;
		}
	}
	/* the last moment a stop request leaves the chip as it was: from the erase on, the sectors
	 * are finished (programmed and verified), or they would be left blank */
	if (count && fk_stop_requested(s->ctx)) {
		free(keep);
		fk_hint(s->ctx, "run the same write again when you are ready");
		return fk_fail(s->ctx, FK_E_INTERRUPTED, "write stopped on request before the erase: "
			       "no sector was changed (%u would have been erased)", count);
	}
	/* every sector: one mass erase is shorter than the sum of sector erases (on the F4,
	 * DS8626 Table 40) */
	/* from here to the end of the programming nothing stops halfway: erased sectors would
	 * be left blank (a stop request waits for the verification) */
	fk_stop_hold(s->ctx);
	/* one "erase" bar for the whole set, whatever units the layers below count in */
	fk_progress_span(s->ctx, "erase", 0, total, total);
	int rc = count == c->nunits ? s->drv->erase(s->chip, s->ctx, NULL, true)
		 : count	    ? s->drv->erase(s->chip, s->ctx, set, false)
				    : FK_OK;
	fk_progress_span_end(s->ctx);
	if (!rc && count) {
		fk_progress(s->ctx, "erase", total, total);
		if (count != c->nunits && s->drv->erase_spared)
			r->sectors_blank = FK_MIN(s->drv->erase_spared(s->chip), count);
	}
	const uint8_t *k = keep;
	/* consecutive units gathered into one span when the path programs across them
	 * (program_span): the span is programmed when the next unit does not follow it */
	uint8_t *span = NULL;
	fk_erase_unit run = {0};
	if (!rc && c->program_span && !(span = malloc(c->program_span)))
		rc = fk_fail(s->ctx, FK_E_NOMEM, "a program span of %u bytes", c->program_span);
	for (unsigned i = 0; i < c->nunits && !rc; i++) {
		const fk_erase_unit *sec = &c->units[i];
		if (!fk_sector_set_has(set, i))
			continue;
		fk_flash_want(segs, n, sec, k, want);
		if (k)
			k += sec->size;
		if (!span || sec->size > c->program_span) {
			if (run.size)
				rc = fk_flash_program_sector(s, &run, span, &done, total);
			run.size = 0;
			if (!rc)
				rc = fk_flash_program_sector(s, sec, want, &done, total);
			continue;
		}
		if (run.size && (run.addr + run.size != sec->addr ||
				 run.size + sec->size > c->program_span)) {
			rc = fk_flash_program_sector(s, &run, span, &done, total);
			run.size = 0;
		}
		if (!run.size)
			run.addr = sec->addr;
		memcpy(span + run.size, want, sec->size);
		run.size += sec->size;
	}
	if (!rc && run.size)
		rc = fk_flash_program_sector(s, &run, span, &done, total);
	free(span);
	fk_stop_release(s->ctx);
	if (!rc && count) /* blank runs are not programmed: the bar still ends at 100 % */
		fk_progress(s->ctx, "program", total, total);
	r->bytes_programmed = done;
	bool written = !rc && count; /* erased and programmed: only the verification is left */
	if (!rc && count && !o->no_verify)
		rc = fk_flash_verify_sectors(s, segs, n, set, o->read_back, keep, want, have, chip,
					     &r->verified);
	if (rc == FK_E_INTERRUPTED && written) {
		fk_hint(s->ctx, "check the result with `flashkey verify` on the same image");
		fk_fail_wrap(s->ctx, rc, "the image was written (%u sector%s erased and programmed) "
					 "but not verified", count, count == 1 ? "" : "s");
	}
	free(keep);
	return rc;
}

int fk_flash_write(fk_session *s, const fk_seg *segs, unsigned nsegs, const fk_write_opts *o,
		   const fk_perms *perms, fk_write_result *r)
{
	if (o->encrypt)
		return fk_flash_write_encrypted(s, segs, nsegs, o, perms, r);
	memset(r, 0, sizeof *r);
	const fk_chip_desc *c = s->desc;
	if (s->drv->image_notes) /* what the image says that contradicts the chip: warnings only */
		s->drv->image_notes(s->chip, s->ctx, segs, nsegs);
	fkp_flash_plan plan;
	fkp_area special[FK_FLASH_MAX_SPECIAL];
	fk_sector_set same = {0}, set = {0};
	uint64_t t0 = fk_session_virtual_ns(s);
	int rc = fkp_flash_plan_build(s->ctx, segs, nsegs, s->info.sectors, s->info.nsectors,
				      special, fk_flash_specials(c, special), &plan);
	if (!rc)
		rc = fk_flash_width(s, o);
	if (rc) {
		fkp_flash_plan_free(&plan);
		return rc;
	}
	r->psize_bytes = s->width;
	uint32_t biggest = 0;
	for (unsigned i = 0; i < c->nunits; i++)
		biggest = FK_MAX(biggest, c->units[i].size);
	uint8_t *want = malloc(biggest), *have = malloc(biggest);
	uint32_t *chip = calloc(c->nunits, sizeof *chip);
	if (!want || !have || !chip || fk_sector_set_init(&same, c->nunits) ||
	    fk_sector_set_init(&set, c->nunits))
		rc = fk_fail(s->ctx, FK_E_NOMEM, "allocating sector buffers");
	if (!rc && o->skip_unchanged)
		rc = fk_flash_unchanged(s, segs, nsegs, &plan.touch, o, want, have, chip, &same,
					&r->compared);
	for (unsigned i = 0; i < c->nunits; i++)
		if (fk_sector_set_has(&plan.touch, i) && !fk_sector_set_has(&same, i))
			fk_sector_set_add(&set, i);
	unsigned count = fk_sector_set_count(&set);
	/* the bytes of the erased sectors the image does not cover: kept by default, lost with
	 * --erase-sectors; either way counted for the plan (issue 13 class 3) */
	for (unsigned i = 0; i < c->nunits && want; i++) {
		const fk_erase_unit *sec = &c->units[i];
		if (!fk_sector_set_has(&set, i))
			continue;
		uint64_t spare = sec->size - fkp_sector_image(segs, nsegs, sec->addr, sec->size, want);
		*(o->erase_unwritten ? &r->discarded_bytes : &r->kept_bytes) += spare;
	}
	if (!rc && perms && perms->dry_run && count) /* what the real run's erase would refuse */
		rc = fk_api_write_blocked(s, &set, "write");
	if (!rc && !(perms && perms->dry_run))
		rc = fk_flash_do(s, segs, nsegs, o, &set, want, have, chip, r);
	free(want);
	free(have);
	free(chip);
	if (rc == FK_E_NO_POWER || rc == FK_E_POWER_LOST || rc == FK_E_DEVICE_GONE)
		fk_fail_wrap(s->ctx, rc, "the write was cut short: sectors being erased or programmed "
					 "hold undefined data%s%s%s; restore power and run the same "
					 "write again", c->program_source ? " (" : "",
			     c->program_source ? c->program_source : "", c->program_source ? ")" : "");
	else
		fk_flash_relock(s);
	r->sectors_erased = count;
	r->sectors_skipped = fk_sector_set_count(&same);
	fk_sector_set_free(&set);
	fk_sector_set_free(&same);
	fkp_flash_plan_free(&plan);
	r->virtual_ns = fk_session_virtual_ns(s) - t0;
	return rc;
}

int fk_image_marks_check(fk_session *s, const fk_image_mark *m, unsigned n, const fk_perms *perms)
{
	for (unsigned i = 0; i < n; i++) {
		if (m[i].kind == FK_MARK_STM32_OPTIONS) /* refused or gated by the special areas */
			continue;
		if (!(s->desc->obeys_marks & (1U << m[i].kind))) {
			fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_IMAGE, "the image's 0x%08X holds 0x%0*X, "
			       "%s (%s): %s ignores it, but the image may be meant for another part",
			       m[i].addr, m[i].kind == FK_MARK_KINETIS_FCF ? 2 : 8, m[i].value,
			       m[i].name, m[i].text, s->info.chip);
			continue;
		}
		if (m[i].permanent) {
			char what[300];
			snprintf(what, sizeof what, "the image's %s at 0x%08X (%s)", m[i].name,
				 m[i].addr, m[i].text);
			int rc = fk_api_need_irreversible(s->ctx, perms, what);
			if (rc)
				return rc;
		}
		fk_log(s->ctx, FK_LOG_INFO, FK_TRACE_IMAGE, "the image sets %s at 0x%08X: %s",
		       m[i].name, m[i].addr, m[i].text);
	}
	return FK_OK;
}

/* Byte-by-byte comparison of [addr, addr+len) with data: FK_E_VERIFY naming the address. */
static int fk_flash_compare(fk_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
			    uint64_t *done, uint64_t total, uint32_t *bad_addr)
{
	uint8_t buf[4096];
	for (uint32_t off = 0; off < len; off += sizeof buf) {
		uint32_t n = FK_MIN(len - off, (uint32_t)sizeof buf);
		if (fk_stop_requested(s->ctx))
			return fk_fail(s->ctx, FK_E_INTERRUPTED, "verification stopped on request at "
				       "0x%08X, %llu of %llu bytes compared", addr + off,
				       (unsigned long long)*done, (unsigned long long)total);
		fk_progress_span(s->ctx, "read", 0, 0, 0); /* the bar is "verify" */
		int rc = s->drv->read(s->chip, s->ctx, addr + off, buf, n);
		fk_progress_span_end(s->ctx);
		if (rc)
			return fk_fail_wrap(s->ctx, rc, "verifying");
		for (uint32_t k = 0; k < n; k++) {
			if (buf[k] == data[off + k])
				continue;
			if (bad_addr)
				*bad_addr = addr + off + k;
			return fk_fail(s->ctx, FK_E_VERIFY, "0x%08X: flash reads 0x%02X, the image has "
							    "0x%02X", addr + off + k, buf[k], data[off + k]);
		}
		*done += n;
		fk_progress(s->ctx, "verify", *done, total);
	}
	return FK_OK;
}

/* The image cut into pieces of at most one large sector for the on-chip CRC. */
#define FK_VERIFY_PIECE 0x20000U

static int fk_flash_verify_crc(fk_session *s, const fk_seg *segs, unsigned nsegs, uint64_t total,
			       uint32_t *bad_addr)
{
	size_t npieces = 0;
	for (unsigned i = 0; i < nsegs; i++)
		npieces += (segs[i].len + FK_VERIFY_PIECE - 1U) / FK_VERIFY_PIECE;
	if (!npieces)
		return FK_OK;
	uint32_t *addr = calloc(npieces, 3 * sizeof *addr);
	if (!addr)
		return fk_fail(s->ctx, FK_E_NOMEM, "verify: %zu pieces", npieces);
	uint32_t *len = addr + npieces, *crc = len + npieces;
	const uint8_t **data = calloc(npieces, sizeof *data);
	size_t k = 0;
	for (unsigned i = 0; i < nsegs && data; i++)
		for (uint32_t off = 0; off < segs[i].len; off += FK_VERIFY_PIECE, k++) {
			addr[k] = segs[i].addr + off;
			len[k] = FK_MIN(segs[i].len - off, FK_VERIFY_PIECE);
			data[k] = segs[i].data + off;
		}
	int rc = data ? FK_OK : fk_fail(s->ctx, FK_E_NOMEM, "verify: %zu pieces", npieces);
	for (size_t at = 0; at < npieces && !rc; at += FK_CHIP_CRC_MAX) {
		unsigned n = (unsigned)FK_MIN(npieces - at, (size_t)FK_CHIP_CRC_MAX);
		rc = fk_flash_crc_batch(s, addr + at, len + at, n, crc + at);
	}
	uint64_t done = 0;
	for (size_t i = 0; i < npieces && !rc; i++) {
		if (fk_crc32(0, data[i], len[i]) == crc[i]) {
			done += len[i];
			fk_progress(s->ctx, "verify", done, total);
			continue;
		}
		rc = fk_flash_compare(s, addr[i], data[i], len[i], &done, total, bad_addr);
		if (!rc)
			rc = fk_fail(s->ctx, FK_E_VERIFY, "0x%08X..0x%08X: the CRC-32 computed on the "
							  "chip is 0x%08X, the image's 0x%08X, yet the "
							  "bytes read back match: unstable flash?",
				     addr[i], addr[i] + len[i] - 1U, crc[i], fk_crc32(0, data[i], len[i]));
	}
	free(data);
	free(addr);
	return rc;
}

static int fk_flash_verify_body(fk_session *s, const fk_seg *segs, unsigned nsegs, bool read_back,
				uint32_t *bad_addr, fk_verify_how *how);

/* Everything but the window this path cannot read back (fk_flash_hidden_in) is compared. */
int fk_flash_verify_ex(fk_session *s, const fk_seg *segs, unsigned nsegs, bool read_back,
		       uint32_t *bad_addr, fk_verify_how *how)
{
	if (!s->desc->hidden_len)
		return fk_flash_verify_body(s, segs, nsegs, read_back, bad_addr, how);
	fk_seg *clip = calloc(2 * (size_t)nsegs + 1, sizeof *clip);
	if (!clip)
		return fk_fail(s->ctx, FK_E_NOMEM, "verify: segment list");
	unsigned m = 0;
	for (unsigned i = 0; i < nsegs; i++) {
		const fk_seg *g = &segs[i];
		uint32_t lo, hi;
		if (!fk_flash_hidden_in(s->desc, g->addr, g->len, &lo, &hi)) {
			clip[m++] = *g;
			continue;
		}
		if (lo > g->addr)
			clip[m++] = (fk_seg){g->addr, lo - g->addr, g->data};
		if ((uint64_t)g->addr + g->len > hi)
			clip[m++] = (fk_seg){hi, g->addr + g->len - hi, g->data + (hi - g->addr)};
	}
	int rc = fk_flash_verify_body(s, clip, m, read_back, bad_addr, how);
	free(clip);
	return rc;
}

static int fk_flash_verify_body(fk_session *s, const fk_seg *segs, unsigned nsegs, bool read_back,
				uint32_t *bad_addr, fk_verify_how *how)
{
	uint64_t total = 0, done = 0;
	for (unsigned i = 0; i < nsegs; i++) {
		if (!fk_span_ok(segs[i].addr, segs[i].len, FK_ADDR_SPACE))
			return fk_fail(s->ctx, FK_E_RANGE, "verify: %u bytes at 0x%08X run past "
							   "0xFFFFFFFF", segs[i].len, segs[i].addr);
		total += segs[i].len;
	}
	if (how)
		*how = FK_VERIFY_READ;
	if (!read_back && s->drv->crc32) {
		int rc = fk_flash_verify_crc(s, segs, nsegs, total, bad_addr);
		if (rc != FK_E_UNSUPPORTED) {
			if (how)
				*how = FK_VERIFY_CRC;
			return rc;
		}
	}
	for (unsigned i = 0; i < nsegs; i++) {
		int rc;
		int same_md5 = fk_flash_md5_same(s, read_back, segs[i].addr, segs[i].data, segs[i].len,
						 &rc);
		if (rc)
			return rc;
		if (same_md5 >= 0 && how)
			*how = FK_VERIFY_MD5;
		if (same_md5 == 1) {
			done += segs[i].len;
			fk_progress(s->ctx, "verify", done, total);
			continue;
		}
		/* read back: names the first differing byte when the digests differ */
		rc = fk_flash_compare(s, segs[i].addr, segs[i].data, segs[i].len, &done, total,
				      bad_addr);
		if (rc)
			return rc;
		if (same_md5 == 0)
			return fk_fail(s->ctx, FK_E_VERIFY, "0x%08X..0x%08X: the MD5 computed on the "
							    "chip differs from the image's, yet the "
							    "bytes read back match: unstable flash?",
				       segs[i].addr, segs[i].addr + segs[i].len - 1U);
	}
	return FK_OK;
}

int fk_flash_verify(fk_session *s, const fk_seg *segs, unsigned nsegs, uint32_t *bad_addr)
{
	return fk_flash_verify_ex(s, segs, nsegs, false, bad_addr, NULL);
}

int fk_flash_erase(fk_session *s, const fk_sector_set *set, bool all, const fk_perms *perms)
{
	const fk_chip_desc *c = s->desc;
	bool dry = perms && perms->dry_run;
	fk_sector_set every = {0};
	int rc = FK_OK;
	if (all && fk_sector_set_init(&every, c->nunits))
		return fk_fail(s->ctx, FK_E_NOMEM, "a set of %u sectors", c->nunits);
	for (unsigned i = 0; all && i < c->nunits; i++)
		fk_sector_set_add(&every, i);
	/* protection first: no backup is taken for an erase the chip would refuse */
	if (dry || all)
		rc = fk_api_write_blocked(s, all ? &every : set, "erase");
	fk_sector_set_free(&every);
	/* all of flash goes: the erase-all gate and a verified backup of it first (class 6) */
	char what[96];
	snprintf(what, sizeof what, "erase --all%s%s%s", c->mass_erase_how ? " (" : "",
		 c->mass_erase_how ? c->mass_erase_how : "", c->mass_erase_how ? ")" : "");
	if (!rc && all)
		rc = fk_api_need_erase_all(s->ctx, perms, what);
	if (!rc && all)
		rc = fk_api_backup_before(s, perms, "the mass erase");
	if (rc || dry)
		return rc;
	if (fk_stop_requested(s->ctx)) {
		fk_hint(s->ctx, "run the same erase again when you are ready");
		return fk_fail(s->ctx, FK_E_INTERRUPTED, "erase stopped on request before it began: "
			       "no sector was changed");
	}
	uint64_t bytes = 0;
	for (unsigned i = 0; i < c->nunits; i++)
		bytes += all || fk_sector_set_has(set, i) ? c->units[i].size : 0;
	fk_progress_span(s->ctx, "erase", 0, bytes, bytes);
	rc = s->drv->erase(s->chip, s->ctx, all ? NULL : set, all);
	fk_progress_span_end(s->ctx);
	if (!rc && bytes)
		fk_progress(s->ctx, "erase", bytes, bytes);
	fk_flash_relock(s);
	return rc;
}

int fk_flash_sectors_for(fk_session *s, uint32_t addr, uint32_t len, fk_sector_set *set)
{
	const fk_chip_desc *c = s->desc;
	if (fk_sector_set_init(set, c->nunits))
		return fk_fail(s->ctx, FK_E_NOMEM, "a set of %u sectors", c->nunits);
	uint64_t end = (uint64_t)addr + len;
	uint64_t fend = (uint64_t)c->flash_base + c->flash_size;
	if (!len || addr < c->flash_base || end > fend)
		return fk_fail(s->ctx, FK_E_RANGE, "0x%08X+0x%X is not inside main flash "
						   "0x%08X-0x%08X", addr, len, c->flash_base,
			       (uint32_t)(fend - 1));
	for (unsigned i = 0; i < c->nunits; i++)
		if (c->units[i].addr < end && addr < c->units[i].addr + c->units[i].size)
			fk_sector_set_add(set, i);
	return FK_OK;
}

int fk_flash_read(fk_session *s, uint32_t addr, void *buf, uint32_t len)
{
	if (!fk_span_ok(addr, len, FK_ADDR_SPACE))
		return fk_fail(s->ctx, FK_E_RANGE, "reading %u bytes at 0x%08X runs past 0xFFFFFFFF",
			       len, addr);
	return fk_flash_read_pieces(s, addr, buf, len, true);
}
