/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OTP on a session (RM0090 §3.8): 16 blocks of 32 bytes at 0x1FFF7800, lock bytes at
 * 0x1FFF7A00. Writes and locks are irreversible: they need allow_irreversible=PERMANENT; a
 * write is refused on a locked block and for any bit that would have to go 0 -> 1. */
#include <string.h>

#include "api/session.h"
#include "core/core.h"

int fk_otp_read(fk_session *s, fk_otp *otp)
{
	if (!FK_IS_F4(s))
		return fk_api_f4_only(s, "otp");
	uint8_t raw[STM32F4_OTP_END - STM32F4_OTP_BASE];
	memset(otp, 0, sizeof *otp);
	otp->nblocks = STM32F4_OTP_BLOCKS;
	otp->block_size = STM32F4_OTP_BLOCK_SIZE;
	int rc = stm32f4_read(FK_F4(s), s->ctx, STM32F4_OTP_BASE, raw, sizeof raw);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "reading OTP at 0x%08X", STM32F4_OTP_BASE);
	otp->readable = true;
	memcpy(otp->data, raw, sizeof otp->data);
	memcpy(otp->lock, raw + 0x200, sizeof otp->lock);
	return FK_OK;
}

int fk_otp_write_check(fk_session *s, unsigned block, unsigned off, const uint8_t *data,
		       unsigned len, unsigned *changed, uint32_t *change_mask)
{
	if (!FK_IS_F4(s))
		return fk_api_f4_only(s, "otp");
	fk_otp otp;
	*changed = 0;
	*change_mask = 0;
	if (block >= STM32F4_OTP_BLOCKS || !len || !fk_span_ok(off, len, STM32F4_OTP_BLOCK_SIZE))
		return fk_fail(s->ctx, FK_E_RANGE, "OTP block %u, %u bytes at offset %u: blocks 0-15 "
						   "hold 32 bytes", block, len, off);
	int rc = fk_otp_read(s, &otp);
	if (rc)
		return rc;
	if (otp.lock[block] != 0xFF)
		return fk_fail(s->ctx, FK_E_PROTECTED, "OTP block %u is locked (LOCKB%u = 0x%02X at "
						       "0x%08X): it can never be written again "
						       "(RM0090 §3.8)", block, block, otp.lock[block],
			       STM32F4_OTP_LOCK_BASE + block);
	for (unsigned i = 0; i < len; i++) {
		uint8_t old = otp.data[block][off + i], nw = data[i];
		if (nw & ~old)
			return fk_fail(s->ctx, FK_E_PROTECTED, "OTP block %u byte %u: 0x%02X -> 0x%02X "
							       "needs bits 0x%02X to go 0 -> 1; OTP bits "
							       "can only be cleared", block, off + i,
				       old, nw, (unsigned)(nw & ~old));
		if (nw != old) {
			(*changed)++;
			*change_mask |= 1U << (off + i);
		}
	}
	return FK_OK;
}

int fk_otp_write(fk_session *s, unsigned block, unsigned off, const uint8_t *data, unsigned len,
		 const fk_perms *perms)
{
	if (!FK_IS_F4(s))
		return fk_api_f4_only(s, "otp");
	unsigned changed;
	uint32_t mask;
	int rc = fk_otp_write_check(s, block, off, data, len, &changed, &mask);
	if (!rc && changed)
		rc = fk_api_need_irreversible(s->ctx, perms, "writing OTP");
	if (rc || !changed || perms->dry_run)
		return rc;
	fk_stop_hold(s->ctx); /* OTP is written once: never stopped halfway */
	rc = stm32f4_otp_write(FK_F4(s), s->ctx, block, off, data, len);
	fk_stop_release(s->ctx);
	fk_otp otp;
	if (!rc)
		rc = fk_otp_read(s, &otp);
	if (!rc && memcmp(otp.data[block] + off, data, len) != 0)
		rc = fk_fail(s->ctx, FK_E_VERIFY, "OTP block %u reads back different from what was "
						  "written", block);
	return rc;
}

int fk_otp_lock(fk_session *s, unsigned block, const fk_perms *perms)
{
	if (!FK_IS_F4(s))
		return fk_api_f4_only(s, "otp");
	fk_otp otp;
	if (block >= STM32F4_OTP_BLOCKS)
		return fk_fail(s->ctx, FK_E_RANGE, "OTP block %u: blocks are 0-15", block);
	int rc = fk_otp_read(s, &otp);
	if (rc || otp.lock[block] == 0x00)
		return rc;
	rc = fk_api_need_irreversible(s->ctx, perms, "locking an OTP block");
	if (rc || perms->dry_run)
		return rc;
	fk_stop_hold(s->ctx);
	int lrc = stm32f4_otp_lock(FK_F4(s), s->ctx, block);
	fk_stop_release(s->ctx);
	return lrc;
}
