/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flash operations on a session: plan from the image (lib/plan/flashplan), erase only the
 * sectors needed (or none that already match, --skip-unchanged), program at the widest
 * parallelism the supply allows (RM0090 §3.6.2 Table 13), verify; erase; read; verify.
 * Option bytes are never touched here (DESIGN.md: only report protection that blocks). */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"
#include "plan/flashplan.h"

static const fkp_area fk_flash_special[] = {
	{"option bytes", STM32F4_OPTBYTES_BANK1, STM32F4_OPTBYTES_LEN},
	{"option bytes", STM32F4_OPTBYTES_BANK2, STM32F4_OPTBYTES_LEN},
	{"OTP", STM32F4_OTP_BASE, STM32F4_OTP_END - STM32F4_OTP_BASE},
	{"system memory", STM32F4_SYSMEM_BASE, STM32F4_OTP_BASE - STM32F4_SYSMEM_BASE},
};

/* The program width through the driver (a measured supply wins over --voltage, issue 13
 * class 11: the driver refuses a contradiction with both numbers). */
static int fk_flash_psize(fk_session *s, const fk_write_opts *o)
{
	unsigned width = 0;
	return s->drv->set_supply(s->chip, s->ctx, o->voltage_mv, o->psize, &width);
}

/* CRC-32 of the whole sectors in mask computed on the chip (crc indexed by sector);
 * FK_E_UNSUPPORTED when the path cannot (the debug path reads fast enough; a bootloader that
 * refuses code in RAM). */
static int fk_flash_chip_crcs(fk_session *s, uint64_t mask, uint32_t *crc)
{
	uint32_t addr[STM32F4_MAX_SECTORS], len[STM32F4_MAX_SECTORS], got[STM32F4_MAX_SECTORS];
	unsigned idx[STM32F4_MAX_SECTORS], n = 0;
	for (unsigned i = 0; i < FK_F4(s)->nsectors && n < STM32F4_MAX_SECTORS; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		addr[n] = FK_F4(s)->sectors[i].addr;
		len[n] = FK_F4(s)->sectors[i].size;
		idx[n++] = i;
	}
	if (!n)
		return FK_OK;
	int rc = stm32f4_crc32(FK_F4(s), s->ctx, addr, len, n, got);
	for (unsigned k = 0; k < n && !rc; k++)
		crc[idx[k]] = got[k];
	return rc;
}

/* How to compare the sectors in mask: by on-chip CRCs (filled into chip) unless read_back or
 * the path cannot, else by reading back (*how says which). */
static int fk_flash_chip_or_read(fk_session *s, uint64_t mask, bool read_back, uint32_t *chip,
				 fk_verify_how *how, const char *what)
{
	int rc = read_back ? FK_E_UNSUPPORTED : fk_flash_chip_crcs(s, mask, chip);
	if (rc && rc != FK_E_UNSUPPORTED)
		return fk_fail_wrap(s->ctx, rc, "%s", what);
	*how = rc ? FK_VERIFY_READ : FK_VERIFY_CRC;
	return FK_OK;
}

/* Sectors whose flash CRC already equals the image's sector content are left alone. */
static int fk_flash_unchanged(fk_session *s, const fk_seg *segs, unsigned n, uint64_t touch,
			      const fk_write_opts *o, uint8_t *want, uint8_t *have, uint64_t *same,
			      fk_verify_how *how)
{
	uint32_t chip[64];
	int rc = fk_flash_chip_or_read(s, touch, o->read_back, chip, how,
				       "comparing the sectors with the image");
	if (rc)
		return rc;
	*same = 0;
	for (unsigned i = 0; i < FK_F4(s)->nsectors; i++) {
		const stm32f4_sector *sec = &FK_F4(s)->sectors[i];
		if (!(touch & (1ULL << i)))
			continue;
		fkp_sector_image(segs, n, sec->addr, sec->size, want);
		uint32_t flash_crc = chip[i];
		if (*how == FK_VERIFY_READ) {
			rc = stm32f4_read(FK_F4(s), s->ctx, sec->addr, have, sec->size);
			if (rc)
				return rc;
			flash_crc = fk_crc32(0, have, sec->size);
		}
		if (fk_crc32(0, want, sec->size) == flash_crc)
			*same |= 1ULL << i;
	}
	return FK_OK;
}

static int fk_flash_program_sector(fk_session *s, const stm32f4_sector *sec, const uint8_t *want,
				   uint64_t *done, uint64_t total)
{
	unsigned w = stm32f4_psize_bytes(FK_F4(s)->psize);
	uint32_t pos = 0, start, len;
	while (fkp_next_run(want, sec->size, w, &pos, &start, &len)) {
		for (uint32_t off = 0; off < len; off += 0x4000) {
			uint32_t n = FK_MIN(len - off, 0x4000U);
			int rc = stm32f4_program(FK_F4(s), s->ctx, sec->addr + start + off,
						 want + start + off, n);
			if (rc)
				return rc;
			*done += n;
			fk_progress(s->ctx, "program", *done, total);
		}
	}
	return FK_OK;
}

static int fk_flash_check_sector(fk_session *s, const stm32f4_sector *sec, const uint8_t *want,
				 uint8_t *have)
{
	int rc = stm32f4_read(FK_F4(s), s->ctx, sec->addr, have, sec->size);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "verifying sector %u", sec->number);
	for (uint32_t k = 0; k < sec->size; k++)
		if (want[k] != have[k])
			return fk_fail(s->ctx, FK_E_VERIFY, "sector %u at 0x%08X: flash reads 0x%02X, "
							    "the image has 0x%02X",
				       sec->number, sec->addr + k, have[k], want[k]);
	return FK_OK;
}

/* FLASH_CR.LOCK (and OPTLOCK) set again once done, as after a reset (RM0090 §3.6.1). */
static void fk_flash_relock(fk_session *s)
{
	fk_ctx *q = fk_ctx_new();
	if (q && FK_F4(s)->ops->lock)
		(void)FK_F4(s)->ops->lock(FK_F4(s)->h, q);
	fk_ctx_free(q);
}

static uint64_t fk_flash_bytes(const stm32f4 *d, uint64_t mask)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < d->nsectors; i++)
		n += mask & (1ULL << i) ? d->sectors[i].size : 0;
	return n;
}

/* Verify the sectors in mask against the image: one on-chip CRC pass when the path has it
 * (a mismatching sector is then read back to name its first differing byte), else read back. */
static int fk_flash_verify_sectors(fk_session *s, const fk_seg *segs, unsigned n, uint64_t mask,
				   bool read_back, uint8_t *want, uint8_t *have, fk_verify_how *how)
{
	uint32_t chip[64];
	int rc = fk_flash_chip_or_read(s, mask, read_back, chip, how, "verifying the written sectors");
	if (rc)
		return rc;
	for (unsigned i = 0; i < FK_F4(s)->nsectors; i++) {
		const stm32f4_sector *sec = &FK_F4(s)->sectors[i];
		if (!(mask & (1ULL << i)))
			continue;
		fkp_sector_image(segs, n, sec->addr, sec->size, want);
		if (*how == FK_VERIFY_CRC && fk_crc32(0, want, sec->size) == chip[i])
			continue;
		rc = fk_flash_check_sector(s, sec, want, have);
		if (rc)
			return rc;
		if (*how == FK_VERIFY_CRC) /* the CRC differed, the bytes read back agree */
			return fk_fail(s->ctx, FK_E_VERIFY, "sector %u at 0x%08X: the CRC-32 computed on "
							    "the chip is 0x%08X, the image's 0x%08X, yet "
							    "the bytes read back match: unstable flash?",
				       sec->number, sec->addr, chip[i], fk_crc32(0, want, sec->size));
	}
	return FK_OK;
}

static int fk_flash_do(fk_session *s, const fk_seg *segs, unsigned n, const fk_write_opts *o,
		       uint64_t mask, uint8_t *want, uint8_t *have, fk_write_result *r)
{
	/* every sector: one mass erase is shorter than the sum of sector erases (DS8626 Table 40) */
	uint64_t all = FK_F4(s)->nsectors >= 64 ? ~0ULL : (1ULL << FK_F4(s)->nsectors) - 1U;
	int rc = mask == all	? stm32f4_mass_erase(FK_F4(s), s->ctx)
		 : mask		? stm32f4_erase_sectors(FK_F4(s), s->ctx, mask)
				: FK_OK;
	if (rc)
		return rc;
	uint64_t done = 0, total = fk_flash_bytes(FK_F4(s), mask);
	for (unsigned i = 0; i < FK_F4(s)->nsectors && !rc; i++) {
		const stm32f4_sector *sec = &FK_F4(s)->sectors[i];
		if (!(mask & (1ULL << i)))
			continue;
		fkp_sector_image(segs, n, sec->addr, sec->size, want);
		rc = fk_flash_program_sector(s, sec, want, &done, total);
	}
	r->bytes_programmed = done;
	if (!rc && mask && !o->no_verify)
		rc = fk_flash_verify_sectors(s, segs, n, mask, o->read_back, want, have, &r->verified);
	return rc;
}

int fk_flash_write(fk_session *s, const fk_seg *segs, unsigned nsegs, const fk_write_opts *o,
		   const fk_perms *perms, fk_write_result *r)
{
	memset(r, 0, sizeof *r);
	fkp_flash_plan plan;
	uint64_t t0 = fk_session_virtual_ns(s), same = 0;
	int rc = fkp_flash_plan_build(s->ctx, segs, nsegs, s->info.sectors, s->info.nsectors,
				      fk_flash_special, FK_ARRAY_SIZE(fk_flash_special), &plan);
	if (!rc)
		rc = fk_flash_psize(s, o);
	if (rc)
		return rc;
	r->psize_bytes = stm32f4_psize_bytes(FK_F4(s)->psize);
	uint8_t *want = malloc(0x20000), *have = malloc(0x20000);
	if (!want || !have)
		rc = fk_fail(s->ctx, FK_E_NOMEM, "allocating sector buffers");
	if (!rc && o->skip_unchanged)
		rc = fk_flash_unchanged(s, segs, nsegs, plan.touch, o, want, have, &same, &r->compared);
	uint64_t mask = plan.touch & ~same;
	if (!rc && perms && perms->dry_run && mask) /* what the real run's erase would refuse */
		rc = fk_api_write_blocked(s, mask, "write");
	if (!rc && !(perms && perms->dry_run))
		rc = fk_flash_do(s, segs, nsegs, o, mask, want, have, r);
	free(want);
	free(have);
	if (rc == FK_E_NO_POWER || rc == FK_E_POWER_LOST || rc == FK_E_DEVICE_GONE)
		fk_fail_wrap(s->ctx, rc, "the write was cut short: sectors being erased or programmed "
					 "hold undefined data (RM0090 §3.6); restore power and run the "
					 "same write again");
	else
		fk_flash_relock(s);
	r->erase_mask = mask;
	for (unsigned i = 0; i < 64; i++) {
		r->sectors_erased += (unsigned)((mask >> i) & 1U);
		r->sectors_skipped += (unsigned)((same >> i) & 1U);
	}
	r->virtual_ns = fk_session_virtual_ns(s) - t0;
	return rc;
}

/* Byte-by-byte comparison of [addr, addr+len) with data: FK_E_VERIFY naming the address. */
static int fk_flash_compare(fk_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
			    uint64_t *done, uint64_t total, uint32_t *bad_addr)
{
	uint8_t buf[4096];
	for (uint32_t off = 0; off < len; off += sizeof buf) {
		uint32_t n = FK_MIN(len - off, (uint32_t)sizeof buf);
		int rc = stm32f4_read(FK_F4(s), s->ctx, addr + off, buf, n);
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
	for (size_t at = 0; at < npieces && !rc; at += STM32F4_MAX_SECTORS) {
		unsigned n = (unsigned)FK_MIN(npieces - at, (size_t)STM32F4_MAX_SECTORS);
		rc = stm32f4_crc32(FK_F4(s), s->ctx, addr + at, len + at, n, crc + at);
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

int fk_flash_verify_ex(fk_session *s, const fk_seg *segs, unsigned nsegs, bool read_back,
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
	if (!read_back && FK_F4(s)->ops->crc32) {
		int rc = fk_flash_verify_crc(s, segs, nsegs, total, bad_addr);
		if (rc != FK_E_UNSUPPORTED) {
			if (how)
				*how = FK_VERIFY_CRC;
			return rc;
		}
	}
	for (unsigned i = 0; i < nsegs; i++) {
		int rc = fk_flash_compare(s, segs[i].addr, segs[i].data, segs[i].len, &done, total,
					  bad_addr);
		if (rc)
			return rc;
	}
	return FK_OK;
}

int fk_flash_verify(fk_session *s, const fk_seg *segs, unsigned nsegs, uint32_t *bad_addr)
{
	return fk_flash_verify_ex(s, segs, nsegs, false, bad_addr, NULL);
}

int fk_flash_erase(fk_session *s, uint64_t mask, bool all, const fk_perms *perms)
{
	uint64_t every = FK_F4(s)->nsectors >= 64 ? ~0ULL : (1ULL << FK_F4(s)->nsectors) - 1U;
	bool dry = perms && perms->dry_run;
	/* protection first: no backup is taken for an erase the chip would refuse */
	int rc = dry || all ? fk_api_write_blocked(s, all ? every : mask, "erase") : FK_OK;
	/* all of flash goes: the erase-all gate and a verified backup of it first (class 6) */
	if (!rc && all)
		rc = fk_api_need_erase_all(s->ctx, perms, "erase --all (FLASH_CR.MER)");
	if (!rc && all)
		rc = fk_api_backup_before(s, perms, "the mass erase");
	if (rc || dry)
		return rc;
	rc = all ? stm32f4_mass_erase(FK_F4(s), s->ctx) : stm32f4_erase_sectors(FK_F4(s), s->ctx, mask);
	fk_flash_relock(s);
	return rc;
}

int fk_flash_sectors_for(fk_session *s, uint32_t addr, uint32_t len, uint64_t *mask)
{
	*mask = 0;
	const stm32f4 *d = FK_F4(s);
	uint64_t end = (uint64_t)addr + len;
	uint64_t fend = (uint64_t)STM32F4_FLASH_BASE + d->flash_kb * 1024U;
	if (!len || addr < STM32F4_FLASH_BASE || end > fend)
		return fk_fail(s->ctx, FK_E_RANGE, "0x%08X+0x%X is not inside main flash "
						   "0x%08X-0x%08X", addr, len, STM32F4_FLASH_BASE,
			       (uint32_t)(fend - 1));
	for (unsigned i = 0; i < d->nsectors; i++)
		if (d->sectors[i].addr < end && addr < d->sectors[i].addr + d->sectors[i].size)
			*mask |= 1ULL << i;
	return FK_OK;
}

int fk_flash_read(fk_session *s, uint32_t addr, void *buf, uint32_t len)
{
	if (!fk_span_ok(addr, len, FK_ADDR_SPACE))
		return fk_fail(s->ctx, FK_E_RANGE, "reading %u bytes at 0x%08X runs past 0xFFFFFFFF",
			       len, addr);
	for (uint32_t off = 0; off < len; off += 0x4000) {
		uint32_t n = FK_MIN(len - off, 0x4000U);
		int rc = stm32f4_read(FK_F4(s), s->ctx, addr + off, (uint8_t *)buf + off, n);
		if (rc)
			return rc;
		fk_progress(s->ctx, "read", off + n, len);
	}
	return FK_OK;
}
