/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image segments that reach option bytes or OTP, applied only when the user asked for those
 * areas, and then through the same gates as `options set` and `otp write`/`otp lock`: an image
 * can never set RDP level 2 or lock OTP by accident. Layout: RM0090 §3.7.1 Table 16 (option
 * bytes at 0x1FFFC000: USER, RDP at +1, nWRP/SPRMOD at +8/+9; bank 2 nWRP at 0x1FFEC008/9),
 * §3.8 (OTP blocks at 0x1FFF7800, lock bytes at 0x1FFF7A00: only 0x00 or 0xFF are valid). */
#include <string.h>

#include "api/session.h"
#include "core/core.h"

int fk_api_options_write(fk_session *s, const stm32f4_options *cur, const stm32f4_options *want,
			 uint32_t cur_optcr, const fk_perms *perms, fk_pending *pending,
			 bool *mass_erase);

static bool fk_sp_in(const fk_seg *g, uint32_t lo, uint32_t size)
{
	return g->addr >= lo && (uint64_t)g->addr + g->len <= (uint64_t)lo + size;
}

/* Overlay the image bytes of [base, base+16) on the option word images. */
static void fk_sp_overlay(const fk_seg *g, uint32_t base, uint32_t *w, bool bank2)
{
	for (uint32_t i = 0; i < g->len; i++) {
		uint32_t off = g->addr + i - base;
		uint32_t shift = off == 0 ? 0 : off == 1 ? 8 : off == 8 ? 16 : off == 9 ? 24 : 99;
		if (shift == 99 || (bank2 && off < 8))
			continue;
		*w = (*w & ~(0xFFU << shift)) | ((uint32_t)g->data[i] << shift);
	}
}

static int fk_sp_options(fk_session *s, const fk_seg *segs, unsigned n, const fk_perms *perms,
			 fk_special_result *r)
{
	uint32_t optcr, optcr1;
	int rc = stm32f4_options_read(FK_F4(s), s->ctx, &optcr, &optcr1);
	if (rc)
		return rc;
	uint32_t w0 = optcr, w1 = optcr1;
	bool any = false;
	for (unsigned i = 0; i < n; i++) {
		if (fk_sp_in(&segs[i], STM32F4_OPTBYTES_BANK1, STM32F4_OPTBYTES_LEN))
			fk_sp_overlay(&segs[i], STM32F4_OPTBYTES_BANK1, &w0, false), any = true;
		if (fk_sp_in(&segs[i], STM32F4_OPTBYTES_BANK2, STM32F4_OPTBYTES_LEN))
			fk_sp_overlay(&segs[i], STM32F4_OPTBYTES_BANK2, &w1, true), any = true;
	}
	if (!any)
		return FK_OK;
	stm32f4_options cur, want;
	stm32f4_opt_decode(FK_F4(s)->dev, optcr, optcr1, &cur);
	stm32f4_opt_decode(FK_F4(s)->dev, w0, w1, &want);
	r->options = true;
	r->options_before[0] = r->options_after[0] = optcr;
	r->options_before[1] = r->options_after[1] = optcr1;
	if (memcmp(&cur, &want, sizeof cur) == 0)
		return FK_OK;
	rc = fk_api_options_write(s, &cur, &want, optcr, perms, &r->pending, &r->mass_erased);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "option bytes from the image");
	r->options_changed = !perms->dry_run;
	if (r->options_changed &&
	    stm32f4_options_read(FK_F4(s), s->ctx, &r->options_after[0], &r->options_after[1]))
		return fk_fail_wrap(s->ctx, fk_ctx_error(s->ctx), "reading the option bytes back "
				    "after applying the image's");
	return FK_OK;
}

static int fk_sp_otp_data(fk_session *s, const fk_seg *g, const fk_perms *perms,
			  fk_special_result *r)
{
	for (uint32_t i = 0; i < g->len;) {
		uint32_t off = g->addr + i - STM32F4_OTP_BASE;
		unsigned block = off / STM32F4_OTP_BLOCK_SIZE, boff = off % STM32F4_OTP_BLOCK_SIZE;
		unsigned len = FK_MIN(g->len - i, STM32F4_OTP_BLOCK_SIZE - boff);
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
	for (uint32_t i = 0; i < g->len; i++) {
		unsigned block = g->addr + i - STM32F4_OTP_LOCK_BASE;
		if (g->data[i] == 0xFF)
			continue;
		if (g->data[i] != 0x00)
			return fk_fail(s->ctx, FK_E_BAD_IMAGE, "the image sets LOCKB%u to 0x%02X: lock bytes "
							      "may only hold 0x00 or 0xFF (RM0090 §3.8)",
				       block, g->data[i]);
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
	if (fk_sp_in(g, STM32F4_OPTBYTES_BANK1, STM32F4_OPTBYTES_LEN) ||
	    fk_sp_in(g, STM32F4_OPTBYTES_BANK2, STM32F4_OPTBYTES_LEN))
		*kind = 1;
	else if (fk_sp_in(g, STM32F4_OTP_BASE, STM32F4_OTP_LOCK_BASE - STM32F4_OTP_BASE))
		*kind = 2;
	else if (fk_sp_in(g, STM32F4_OTP_LOCK_BASE, STM32F4_OTP_END - STM32F4_OTP_LOCK_BASE))
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
		if (fk_sp_in(&segs[i], STM32F4_OTP_BASE, STM32F4_OTP_LOCK_BASE - STM32F4_OTP_BASE))
			rc = fk_sp_otp_data(s, &segs[i], perms, r);
	for (unsigned i = 0; i < n && !rc; i++)
		if (fk_sp_in(&segs[i], STM32F4_OTP_LOCK_BASE, STM32F4_OTP_END - STM32F4_OTP_LOCK_BASE))
			rc = fk_sp_otp_locks(s, &segs[i], perms, r);
	/* options last: raising RDP would hide everything else from the debugger */
	return rc ? rc : fk_sp_options(s, segs, n, perms, r);
}
