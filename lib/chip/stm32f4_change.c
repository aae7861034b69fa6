/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 protection changes other than the unlock ladder, as plans of steps for the session's
 * one executor (lib/chip/driver.h plan(); issue 12 Deliver 4): `options set` KEY=VALUE and the
 * option bytes an image carries (one OPTCR/OPTCR1 write, checked against RM0090 §3.7.3-§3.7.5
 * by stm32f4_opt_check), the options saved in a backup (restore: what lifts protection before
 * the flash is written back, the rest after), and OTP writes and locks (RM0090 §3.8: 16 blocks
 * of 32 bytes at 0x1FFF7800, lock bytes at 0x1FFF7A00; bits only go 1 -> 0; a block whose lock
 * byte is 0x00 can never be written again). Planning reads the chip, never writes it. */
#include <stdio.h>
#include <string.h>

#include "chip/stm32f4.h"
#include "core/core.h"
#include "flashkey/flashkey.h"

/* RM0090 §3.7.3: raising RDP with a debugger attached takes effect at a power-on reset; the
 * other user option fields and a regression load at the next reset; nWRP is live at once. */
static fk_pending f4c_pending(const stm32f4_options *cur, const stm32f4_options *want)
{
	int from = stm32f4_rdp_level(cur->rdp), to = stm32f4_rdp_level(want->rdp);
	if (to > from)
		return FK_PENDING_POWER_ON;
	if (from != to || cur->wdg_sw != want->wdg_sw || cur->bor_lev != want->bor_lev ||
	    cur->nrst_stop != want->nrst_stop || cur->nrst_stdby != want->nrst_stdby ||
	    cur->db1m != want->db1m || cur->bfb2 != want->bfb2 || cur->sprmod != want->sprmod)
		return FK_PENDING_RESET;
	return FK_PENDING_NONE;
}

/* One option write cur -> want as a step: its class, gates and target words (the reserved
 * OPTCR bits written back as read, e.g. nWRP[11:8] on an 8-sector F411). */
static int f4c_opt_step(const stm32f4 *d, fk_ctx *ctx, const stm32f4_options *cur,
			const stm32f4_options *want, uint32_t cur_optcr, fk_plan *plan, fk_step **out)
{
	bool irr = false, all = false;
	int rc = stm32f4_opt_check(d->dev, ctx, cur, want, &irr, &all);
	if (rc)
		return rc;
	int from = stm32f4_rdp_level(cur->rdp), to = stm32f4_rdp_level(want->rdp);
	fk_step *s = fk_plan_step_add(plan, all ? FK_STEP_RDP : to > from ? FK_STEP_RDP_RAISE
								      : FK_STEP_WRP);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "stm32f4: plan full");
	if (s->id == FK_STEP_WRP) /* the class of a same-level write; it may change any field */
		s->name = "options";
	stm32f4_opt_encode(d->dev, want, &s->value[0], &s->value[1]);
	s->value[0] |= cur_optcr & d->dev->optcr_reserved;
	char words[48];
	if (d->dev->has_optcr1)
		snprintf(words, sizeof words, "FLASH_OPTCR=0x%08X, FLASH_OPTCR1=0x%08X", s->value[0],
			 s->value[1]);
	else
		snprintf(words, sizeof words, "FLASH_OPTCR=0x%08X", s->value[0]);
	snprintf(s->what, sizeof s->what, "write %s (RDP 0x%02X -> 0x%02X), OPTSTRT, read back%s",
		 words, cur->rdp, want->rdp, all ? ": the chip mass-erases flash and backup SRAM first" : "");
	s->pending = f4c_pending(cur, want);
	if (irr) {
		s->irreversible = true;
		s->cost = FK_COST_IMPOSSIBLE;
		fk_strlcpy(s->cost_text, "PERMANENT: RDP level 2 disables debug and the bootloader for "
					 "good; option bytes can never change again, RM0090 §3.7.3",
			   sizeof s->cost_text);
	} else if (all) {
		s->cost = FK_COST_ALL_FLASH;
		s->destructive = true;
		s->backup = true;
		snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KB) and backup SRAM: RDP "
			 "1 -> 0 mass-erases first; OTP and the other option bytes are kept",
			 d->flash_kb);
	} else if (to > from) {
		fk_strlcpy(s->cost_text, "nothing lost, but flash becomes unreadable to a debugger and "
					 "the bootloader; going back to level 0 mass-erases",
			   sizeof s->cost_text);
	} else {
		fk_strlcpy(s->cost_text, "nothing: no data is lost", sizeof s->cost_text);
	}
	*out = s;
	return FK_OK;
}

static int f4c_current(stm32f4 *d, fk_ctx *ctx, stm32f4_options *cur, uint32_t *optcr,
		       uint32_t *optcr1)
{
	int rc = stm32f4_options_read(d, ctx, optcr, optcr1);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading FLASH_OPTCR");
	stm32f4_opt_decode(d->dev, *optcr, *optcr1, cur);
	return FK_OK;
}

/* One write of the whole change; its reset is the user's to choose (`flashkey reset`). */
static int f4c_plan_options(stm32f4 *d, fk_ctx *ctx, const stm32f4_options *cur,
			    const stm32f4_options *want, uint32_t optcr, fk_plan *plan)
{
	if (memcmp(cur, want, sizeof *cur) == 0) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	fk_step *s;
	int rc = f4c_opt_step(d, ctx, cur, want, optcr, plan, &s);
	if (!rc)
		s->user_reset = true;
	return rc;
}

static bool f4c_in(const struct fk_seg *g, uint32_t lo, uint32_t size)
{
	return g->addr >= lo && (uint64_t)g->addr + g->len <= (uint64_t)lo + size;
}

/* RM0090 §3.7.1 Table 16: the image bytes of [base, base+16) on the option words: USER at +0,
 * RDP at +1, nWRP[7:0] at +8, nWRP[11:8]/SPRMOD at +9 (OPTCR bits 0-7, 8-15, 16-23, 24-31);
 * bank 2 (0x1FFEC000) has only nWRP at +8/+9 (OPTCR1 bits 16-31). The complement bytes are
 * not written by the controller and are ignored. */
static void f4c_overlay(const struct fk_seg *g, uint32_t base, uint32_t *w, bool bank2)
{
	for (uint32_t i = 0; i < g->len; i++) {
		uint32_t off = g->addr + i - base;
		uint32_t shift = off == 0 ? 0 : off == 1 ? 8 : off == 8 ? 16 : off == 9 ? 24 : 99;
		if (shift == 99 || (bank2 && off < 8))
			continue;
		*w = (*w & ~(0xFFU << shift)) | ((uint32_t)g->data[i] << shift);
	}
}

/* Restore (OPTIONS_RAW): options applied first could forbid the flash write (WRP/PCROP on a
 * sector to restore, §3.7.4; an RDP raise latching the debug intrusion, §3.7.3); applied
 * after, a protection the chip has now but the backup does not would. So the gates of the
 * whole change are checked first (stm32f4_opt_check on cur -> want), then a before_write step
 * does only what does not restrict writing (an RDP regression, which erases and is reloaded by
 * a reset; WRP lifted from every sector, which loses nothing) and a second step writes the
 * backup's options as they were. PCROP (SPRMOD) changes go in the second step (§3.7.5). */
static int f4c_plan_restore(stm32f4 *d, fk_ctx *ctx, const stm32f4_options *cur,
			    const stm32f4_options *want, uint32_t optcr, fk_plan *plan)
{
	bool irr, all;
	if (memcmp(cur, want, sizeof *cur) == 0) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	int rc = stm32f4_opt_check(d->dev, ctx, cur, want, &irr, &all);
	if (rc)
		return rc;
	stm32f4_options mid = *want;
	if (stm32f4_rdp_level(want->rdp) >= stm32f4_rdp_level(cur->rdp))
		mid.rdp = cur->rdp;
	if (!cur->sprmod && !want->sprmod) {
		mid.nwrp = stm32f4_opt_nwrp_mask(d->dev); /* nWRPi = 1: writable (§3.7.4) */
	} else {
		mid.sprmod = cur->sprmod;
		mid.nwrp = cur->nwrp;
	}
	fk_step *s;
	if (memcmp(&mid, cur, sizeof mid) != 0) {
		rc = f4c_opt_step(d, ctx, cur, &mid, optcr, plan, &s);
		if (rc)
			return rc;
		s->before_write = true;
		/* after a regression the flash stays unreadable until the options reload (§3.7.3):
		 * the executor resets when the path can; the other fields wait for the second step */
		s->user_reset = mid.rdp == cur->rdp;
	} else {
		mid = *cur;
	}
	if (memcmp(&mid, want, sizeof mid) != 0) {
		rc = f4c_opt_step(d, ctx, &mid, want, optcr, plan, &s);
		if (rc)
			return rc;
		s->user_reset = true;
	}
	return FK_OK;
}

static int f4c_otp_read(stm32f4 *d, fk_ctx *ctx, uint8_t raw[STM32F4_OTP_END - STM32F4_OTP_BASE])
{
	int rc = stm32f4_read(d, ctx, STM32F4_OTP_BASE, raw, STM32F4_OTP_END - STM32F4_OTP_BASE);
	return rc ? fk_fail_wrap(ctx, rc, "reading OTP at 0x%08X", STM32F4_OTP_BASE) : FK_OK;
}

/* Payload of an OTP step: block, offset, length, then the bytes. */
static int f4c_plan_otp_write(stm32f4 *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	uint8_t raw[STM32F4_OTP_END - STM32F4_OTP_BASE];
	unsigned block = req->block, off = req->off, len = req->len, changed = 0;
	if (block >= STM32F4_OTP_BLOCKS || !len || !req->data ||
	    !fk_span_ok(off, len, STM32F4_OTP_BLOCK_SIZE))
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u, %u bytes at offset %u: blocks 0-15 hold "
						"32 bytes", block, len, off);
	int rc = f4c_otp_read(d, ctx, raw);
	if (rc)
		return rc;
	uint8_t lock = raw[STM32F4_OTP_LOCK_BASE - STM32F4_OTP_BASE + block];
	if (lock != 0xFF)
		return fk_fail(ctx, FK_E_PROTECTED, "OTP block %u is locked (LOCKB%u = 0x%02X at "
						    "0x%08X): it can never be written again (RM0090 "
						    "§3.8)", block, block, lock,
			       STM32F4_OTP_LOCK_BASE + block);
	const uint8_t *old = raw + block * STM32F4_OTP_BLOCK_SIZE + off;
	for (unsigned i = 0; i < len; i++) {
		if (req->data[i] & ~old[i])
			return fk_fail(ctx, FK_E_PROTECTED, "OTP block %u byte %u: 0x%02X -> 0x%02X "
							    "needs bits 0x%02X to go 0 -> 1; OTP bits "
							    "can only be cleared", block, off + i,
				       old[i], req->data[i], (unsigned)(req->data[i] & ~old[i]));
		changed += req->data[i] != old[i];
	}
	if (!changed) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	fk_step *s = fk_plan_step_add(plan, FK_STEP_OTP_WRITE);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "stm32f4: plan full");
	s->payload[0] = (uint8_t)block;
	s->payload[1] = (uint8_t)off;
	s->payload[2] = (uint8_t)len;
	memcpy(s->payload + 3, req->data, len);
	snprintf(s->what, sizeof s->what, "program %u byte%s of OTP block %u at 0x%08X (%u of them "
		 "change), read back", len, len == 1 ? "" : "s", block,
		 STM32F4_OTP_BASE + block * STM32F4_OTP_BLOCK_SIZE + off, changed);
	fk_strlcpy(s->cost_text, "PERMANENT: OTP bits once cleared stay cleared, RM0090 §3.8",
		   sizeof s->cost_text);
	s->cost = FK_COST_IMPOSSIBLE;
	s->irreversible = true;
	return FK_OK;
}

static int f4c_plan_otp_lock(stm32f4 *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	uint8_t raw[STM32F4_OTP_END - STM32F4_OTP_BASE];
	if (req->block >= STM32F4_OTP_BLOCKS)
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u: blocks are 0-15", req->block);
	int rc = f4c_otp_read(d, ctx, raw);
	if (rc)
		return rc;
	if (raw[STM32F4_OTP_LOCK_BASE - STM32F4_OTP_BASE + req->block] == 0x00) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	fk_step *s = fk_plan_step_add(plan, FK_STEP_OTP_LOCK);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "stm32f4: plan full");
	s->payload[0] = (uint8_t)req->block;
	snprintf(s->what, sizeof s->what, "write 0x00 to LOCKB%u at 0x%08X alone (a byte write at "
		 "x8), read back", req->block, STM32F4_OTP_LOCK_BASE + req->block);
	snprintf(s->cost_text, sizeof s->cost_text, "PERMANENT: OTP block %u can never be written "
		 "again, RM0090 §3.8", req->block);
	s->cost = FK_COST_IMPOSSIBLE;
	s->irreversible = true;
	return FK_OK;
}

int stm32f4_plan_change(stm32f4 *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	stm32f4_options cur, want;
	uint32_t optcr, optcr1;
	memset(plan, 0, sizeof *plan);
	if (req->kind == FK_CHANGE_OTP_WRITE)
		return f4c_plan_otp_write(d, ctx, req, plan);
	if (req->kind == FK_CHANGE_OTP_LOCK)
		return f4c_plan_otp_lock(d, ctx, req, plan);
	int rc = f4c_current(d, ctx, &cur, &optcr, &optcr1);
	if (rc)
		return rc;
	want = cur;
	switch (req->kind) {
	case FK_CHANGE_OPTIONS:
		for (unsigned i = 0; i < req->nkv && !rc; i++)
			rc = stm32f4_opt_apply(d->dev, d->nsectors, ctx, req->kv[i], &want);
		return rc ? rc : f4c_plan_options(d, ctx, &cur, &want, optcr, plan);
	case FK_CHANGE_OPTIONS_IMAGE: {
		uint32_t w0 = optcr, w1 = optcr1;
		for (unsigned i = 0; i < req->nsegs; i++) {
			if (f4c_in(&req->segs[i], STM32F4_OPTBYTES_BANK1, STM32F4_OPTBYTES_LEN))
				f4c_overlay(&req->segs[i], STM32F4_OPTBYTES_BANK1, &w0, false);
			if (f4c_in(&req->segs[i], STM32F4_OPTBYTES_BANK2, STM32F4_OPTBYTES_LEN))
				f4c_overlay(&req->segs[i], STM32F4_OPTBYTES_BANK2, &w1, true);
		}
		stm32f4_opt_decode(d->dev, w0, w1, &want);
		return f4c_plan_options(d, ctx, &cur, &want, optcr, plan);
	}
	case FK_CHANGE_OPTIONS_RAW:
		if (!req->raw || req->raw_len != 8)
			return fk_fail(ctx, FK_E_BAD_FILE, "option backup of %u bytes: the STM32F4 "
							   "keeps 8 (FLASH_OPTCR, FLASH_OPTCR1)",
				       req->raw_len);
		stm32f4_opt_decode(d->dev, fk_get_le32(req->raw), fk_get_le32(req->raw + 4), &want);
		return f4c_plan_restore(d, ctx, &cur, &want, optcr, plan);
	default:
		return fk_fail(ctx, FK_E_INTERNAL, "stm32f4: change kind %d", (int)req->kind);
	}
}

int stm32f4_otp_step(stm32f4 *d, fk_ctx *ctx, const fk_step *s)
{
	unsigned block = s->payload[0];
	if (s->id == FK_STEP_OTP_LOCK)
		return stm32f4_otp_lock(d, ctx, block);
	unsigned off = s->payload[1], len = s->payload[2];
	uint8_t raw[STM32F4_OTP_END - STM32F4_OTP_BASE];
	if (len > sizeof s->payload - 3)
		return fk_fail(ctx, FK_E_INTERNAL, "OTP step of %u bytes", len);
	int rc = stm32f4_otp_write(d, ctx, block, off, s->payload + 3, len);
	if (!rc)
		rc = f4c_otp_read(d, ctx, raw);
	if (!rc && memcmp(raw + block * STM32F4_OTP_BLOCK_SIZE + off, s->payload + 3, len) != 0)
		rc = fk_fail(ctx, FK_E_VERIFY, "OTP block %u reads back different from what was "
					       "written", block);
	return rc;
}
