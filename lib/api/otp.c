/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OTP on a session, as the chip's description lays it out (fk_chip_desc.otp: blocks, their
 * size and addresses, the lock model). Reading is plain reads; writes and locks are changes the
 * family driver plans (FK_CHANGE_OTP_WRITE / FK_CHANGE_OTP_LOCK: a locked block and a bit that
 * would have to go 0 -> 1 are refused there) and the one executor runs: they are irreversible,
 * so the plan's gate needs allow_irreversible=PERMANENT, and each step is read back. */
#include <stdio.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"

static int fk_otp_have(fk_session *s)
{
	const fk_otp_desc *o = &s->desc->otp;
	if (!o->nblocks)
		return fk_fail(s->ctx, FK_E_UNSUPPORTED, "otp: the %s has no OTP area", s->info.chip);
	/* not memory-mapped (SPI NOR security registers: their own instructions): the driver
	 * reads them, or `otp` is not available */
	if ((o->lock_model == FK_OTP_LOCK_REGION || o->lock_model == FK_OTP_LOCK_BIT) &&
	    !s->drv->otp_read)
		return fk_fail(s->ctx, FK_E_UNSUPPORTED, "otp: the %s's %u OTP regions of %u bytes are "
							 "not memory-mapped; `flashkey status` shows "
							 "their lock bits", s->info.chip, o->nblocks,
			       o->block_size);
	if (o->nblocks > FK_INV_MAX_OTP || o->block_size > sizeof ((fk_otp *)0)->data[0])
		return fk_fail(s->ctx, FK_E_UNSUPPORTED, "otp: the %s has %u OTP blocks of %u bytes; "
							 "this version shows at most %u of %zu",
			       s->info.chip, o->nblocks, o->block_size, FK_INV_MAX_OTP,
			       sizeof ((fk_otp *)0)->data[0]);
	return FK_OK;
}

int fk_otp_read(fk_session *s, fk_otp *otp)
{
	const fk_otp_desc *o = &s->desc->otp;
	int rc = fk_otp_have(s);
	if (rc)
		return rc;
	memset(otp, 0, sizeof *otp);
	otp->nblocks = o->nblocks;
	otp->block_size = o->block_size;
	if (s->drv->otp_read) { /* not memory-mapped: the driver's instructions */
		for (unsigned b = 0; b < o->nblocks; b++) {
			bool locked = true;
			rc = s->drv->otp_read(s->chip, s->ctx, b, otp->data[b], o->block_size,
					      &locked);
			if (rc)
				return fk_fail_wrap(s->ctx, rc, "reading OTP block %u", b);
			otp->lock[b] = locked ? 0x00 : 0xFF;
		}
		otp->readable = true;
		return FK_OK;
	}
	uint32_t dlen = o->nblocks * o->block_size;
	bool locks = o->lock_model == FK_OTP_LOCK_BYTE;
	/* data and lock bytes in one read when they are adjacent (one bootloader command) */
	uint8_t raw[FK_INV_MAX_OTP * sizeof otp->data[0] + FK_INV_MAX_OTP];
	bool one = locks && o->lock_base == o->data_base + dlen;
	rc = s->drv->read(s->chip, s->ctx, o->data_base, raw, dlen + (one ? o->nblocks : 0));
	if (!rc && locks && !one)
		rc = s->drv->read(s->chip, s->ctx, o->lock_base, raw + dlen, o->nblocks);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "reading OTP at 0x%08X", o->data_base);
	otp->readable = true;
	for (unsigned b = 0; b < o->nblocks; b++) {
		memcpy(otp->data[b], raw + b * o->block_size, o->block_size);
		otp->lock[b] = locks ? raw[dlen + b] : 0xFF;
	}
	return FK_OK;
}

int fk_otp_write_check(fk_session *s, unsigned block, unsigned off, const uint8_t *data,
		       unsigned len, unsigned *changed, uint32_t *change_mask)
{
	const fk_otp_desc *o = &s->desc->otp;
	fk_otp otp;
	*changed = 0;
	*change_mask = 0;
	int rc = fk_otp_have(s);
	if (rc)
		return rc;
	if (block >= o->nblocks || !len || !fk_span_ok(off, len, o->block_size))
		return fk_fail(s->ctx, FK_E_RANGE, "OTP block %u, %u bytes at offset %u: blocks 0-%u "
						   "hold %u bytes", block, len, off, o->nblocks - 1,
			       o->block_size);
	rc = fk_otp_read(s, &otp);
	if (rc)
		return rc;
	if (otp.lock[block] != 0xFF && s->drv->otp_read) {
		char bit[24];
		if (o->nblocks == 1)
			fk_strlcpy(bit, o->lock_name ? o->lock_name : "lock bit", sizeof bit);
		else
			snprintf(bit, sizeof bit, "%s%u", o->lock_name ? o->lock_name : "lock bit ",
				 block + 1);
		return fk_fail(s->ctx, FK_E_PROTECTED, "OTP block %u is locked (%s = 1, one-time): "
			       "it can never be written again (%s); nothing was written", block,
			       bit, o->source ? o->source : "");
	}
	if (otp.lock[block] != 0xFF)
		return fk_fail(s->ctx, FK_E_PROTECTED, "OTP block %u is locked (%s%u = 0x%02X at "
						       "0x%08X): it can never be written again (%s)",
			       block, o->lock_name ? o->lock_name : "lock byte ", block,
			       otp.lock[block], o->lock_base + block, o->source ? o->source : "");
	for (unsigned i = 0; i < len; i++) {
		uint8_t old = otp.data[block][off + i], nw = data[i];
		if (nw & ~old)
			return fk_fail(s->ctx, FK_E_PROTECTED, "OTP block %u byte %u: 0x%02X -> 0x%02X "
							       "needs bits 0x%02X to go 0 -> 1; OTP bits "
							       "can only be cleared", block, off + i,
				       old, nw, (unsigned)(nw & ~old));
		if (nw != old) {
			(*changed)++;
			if (off + i < 32)
				*change_mask |= 1U << (off + i);
		}
	}
	return FK_OK;
}

/* An OTP change planned by the driver and run by the one executor. */
static int fk_otp_change(fk_session *s, const fk_change *req, const fk_perms *perms)
{
	fk_plan plan;
	fk_pending pending;
	int rc = fk_otp_have(s);
	if (!rc)
		rc = fk_api_change_plan(s, req, &plan);
	return rc ? rc : fk_api_change_run(s, &plan, perms, &pending);
}

int fk_otp_write(fk_session *s, unsigned block, unsigned off, const uint8_t *data, unsigned len,
		 const fk_perms *perms)
{
	fk_change req = {.kind = FK_CHANGE_OTP_WRITE, .block = block, .off = off, .len = len,
			 .data = data};
	return fk_otp_change(s, &req, perms);
}

int fk_otp_lock(fk_session *s, unsigned block, const fk_perms *perms)
{
	fk_change req = {.kind = FK_CHANGE_OTP_LOCK, .block = block};
	return fk_otp_change(s, &req, perms);
}
