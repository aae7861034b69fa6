/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image segments that reach option bytes or OTP (the chip description's FK_AREA_OPTIONS, _OTP
 * and _OTP_LOCK areas), applied only when the user asked for those areas, and then as the
 * changes `options set` and `otp write`/`otp lock` are: planned by the family driver
 * (FK_CHANGE_OPTIONS_IMAGE lays the image's option bytes over the current ones;
 * FK_CHANGE_OTP_WRITE / _LOCK per block) and run by the one executor with its gates, so an
 * image can never set RDP level 2 or lock OTP by accident. */
#include <string.h>

#include "api/session.h"
#include "core/core.h"

static bool fk_sp_in(const fk_seg *g, uint32_t lo, uint32_t size)
{
	return g->addr >= lo && (uint64_t)g->addr + g->len <= (uint64_t)lo + size;
}

/* The area of kind `kind` the segment lies wholly inside, or NULL. */
static const fk_chip_area *fk_sp_area(const fk_session *s, const fk_seg *g, fk_area_kind kind)
{
	for (unsigned i = 0; i < s->desc->nareas; i++)
		if (s->desc->areas[i].kind == kind &&
		    fk_sp_in(g, s->desc->areas[i].addr, s->desc->areas[i].size))
			return &s->desc->areas[i];
	return NULL;
}

/* The option words as the driver keeps them (its backup layout), first two words. */
static int fk_sp_words(fk_session *s, uint32_t w[2])
{
	uint8_t raw[64];
	size_t len = 0;
	uint32_t addr;
	w[0] = w[1] = 0;
	if (!s->drv->backup_options)
		return FK_OK;
	int rc = s->drv->backup_options(s->chip, s->ctx, raw, sizeof raw, &len, &addr);
	if (rc)
		return rc;
	if (len >= 4)
		w[0] = fk_get_le32(raw);
	if (len >= 8)
		w[1] = fk_get_le32(raw + 4);
	return FK_OK;
}

static void fk_sp_options_done(void *user, const fk_step_result *res, const fk_inventory *after)
{
	fk_special_result *r = user;
	(void)after;
	if (!res->rc && res->pending > r->pending)
		r->pending = res->pending;
	if (!res->rc && res->step->destructive)
		r->mass_erased = true;
}

static int fk_sp_options(fk_session *s, const fk_seg *segs, unsigned n, const fk_perms *perms,
			 fk_special_result *r)
{
	bool any = false;
	for (unsigned i = 0; i < n; i++)
		any |= fk_sp_area(s, &segs[i], FK_AREA_OPTIONS) != NULL;
	if (!any)
		return FK_OK;
	int rc = fk_sp_words(s, r->options_before);
	if (rc)
		return rc;
	r->options = true;
	memcpy(r->options_after, r->options_before, sizeof r->options_after);
	fk_change req = {.kind = FK_CHANGE_OPTIONS_IMAGE, .segs = segs, .nsegs = n};
	fk_plan plan;
	rc = fk_api_change_plan(s, &req, &plan);
	if (!rc && (plan.nothing_to_do || !plan.nsteps))
		return FK_OK;
	if (!rc)
		rc = fk_unlock_run(s, &plan, perms, fk_sp_options_done, r);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "option bytes from the image");
	if (perms->dry_run) /* the gates passed; nothing was written */
		return FK_OK;
	r->options_changed = true;
	if (fk_sp_words(s, r->options_after))
		return fk_fail_wrap(s->ctx, fk_ctx_error(s->ctx), "reading the option bytes back "
				    "after applying the image's");
	return FK_OK;
}

static int fk_sp_otp_data(fk_session *s, const fk_seg *g, const fk_perms *perms,
			  fk_special_result *r)
{
	const fk_otp_desc *o = &s->desc->otp;
	if (!o->block_size)
		return fk_api_unsupported(s, "OTP bytes in the image");
	for (uint32_t i = 0; i < g->len;) {
		uint32_t off = g->addr + i - o->data_base;
		unsigned block = off / o->block_size, boff = off % o->block_size;
		unsigned len = FK_MIN(g->len - i, o->block_size - boff);
		int rc = fk_otp_write(s, block, boff, g->data + i, len, perms);
		if (rc)
			return fk_fail_wrap(s->ctx, rc, "OTP from the image");
		r->otp_bytes += perms->dry_run ? 0 : len;
		i += len;
	}
	return FK_OK;
}

static int fk_sp_otp_locks(fk_session *s, const fk_seg *g, const fk_perms *perms,
			   fk_special_result *r)
{
	const fk_otp_desc *o = &s->desc->otp;
	for (uint32_t i = 0; i < g->len; i++) {
		unsigned block = g->addr + i - o->lock_base;
		if (g->data[i] == 0xFF)
			continue;
		if (g->data[i] != 0x00)
			return fk_fail(s->ctx, FK_E_BAD_IMAGE, "the image sets %s%u to 0x%02X: lock bytes "
							      "may only hold 0x00 or 0xFF (%s)",
				       o->lock_name ? o->lock_name : "lock byte ", block, g->data[i],
				       o->source ? o->source : "");
		int rc = fk_otp_lock(s, block, perms);
		if (rc)
			return fk_fail_wrap(s->ctx, rc, "OTP lock byte from the image");
		if (!perms->dry_run && block < 32)
			r->otp_locked |= 1U << block;
	}
	return FK_OK;
}

/* Segments must lie wholly inside one area; main-flash segments are ignored here. */
static int fk_sp_classify(fk_session *s, const fk_seg *g, bool allow_options, bool allow_otp,
			  int *kind)
{
	*kind = 0;
	if (fk_sp_area(s, g, FK_AREA_OPTIONS))
		*kind = 1;
	else if (fk_sp_area(s, g, FK_AREA_OTP))
		*kind = 2;
	else if (fk_sp_area(s, g, FK_AREA_OTP_LOCK))
		*kind = 3;
	else
		return FK_OK;
	if ((*kind == 1 && !allow_options) || (*kind >= 2 && !allow_otp)) {
		fk_hint(s->ctx, "to apply them on purpose add %s (their own gates still apply)",
			*kind == 1 ? "--with-options" : "--with-otp");
		return fk_fail(s->ctx, FK_E_PERMISSION, "the image has %u bytes at 0x%08X in the %s; "
							"refused: an image never changes them implicitly",
			       g->len, g->addr, *kind == 1 ? "option bytes" : "OTP area");
	}
	return FK_OK;
}

int fk_image_special_check(fk_session *s, const fk_seg *segs, unsigned n, bool allow_options,
			   bool allow_otp, unsigned *count)
{
	*count = 0;
	for (unsigned i = 0; i < n; i++) {
		int kind;
		int rc = fk_sp_classify(s, &segs[i], allow_options, allow_otp, &kind);
		if (rc)
			return rc;
		*count += kind != 0;
	}
	return FK_OK;
}

int fk_image_special_apply(fk_session *s, const fk_seg *segs, unsigned n, const fk_perms *perms,
			   fk_special_result *r)
{
	memset(r, 0, sizeof *r);
	int rc = FK_OK;
	for (unsigned i = 0; i < n && !rc; i++)
		if (fk_sp_area(s, &segs[i], FK_AREA_OTP))
			rc = fk_sp_otp_data(s, &segs[i], perms, r);
	for (unsigned i = 0; i < n && !rc; i++)
		if (fk_sp_area(s, &segs[i], FK_AREA_OTP_LOCK))
			rc = fk_sp_otp_locks(s, &segs[i], perms, r);
	/* options last: raising RDP would hide everything else from the debugger */
	return rc ? rc : fk_sp_options(s, segs, n, perms, r);
}
