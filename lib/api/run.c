/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session API: start the application (`flashkey run`): check the vector table, then let the
 * access path start it (AN3155 Go, or a reset with the core left running). */
#include <string.h>

#include "api/session.h"
#include "core/core.h"

/* The table must be readable where it is: main flash or SRAM, word-aligned. */
static int run_addr_ok(fk_session *s, uint32_t addr)
{
	const fk_chip_desc *c = s->desc;
	uint32_t flash = c->flash_size, sram = c->ram_size, fb = c->flash_base, rb = c->ram_base;
	bool in_flash = addr >= fb && addr - fb < flash && flash - (addr - fb) >= 8U;
	bool in_sram = addr >= rb && addr - rb < sram && sram - (addr - rb) >= 8U;
	if ((addr & 3U) == 0 && (in_flash || in_sram))
		return FK_OK;
	fk_hint(s->ctx, "give the address of a vector table (the first word the initial SP, the "
			"second the reset handler), e.g. 0x%08X", fb);
	return fk_fail(s->ctx, FK_E_RANGE, "run 0x%08X: a vector table must be word-aligned in "
		       "flash (0x%08X-0x%08X) or SRAM (0x%08X-0x%08X)", addr, fb, fb + flash - 1U,
		       rb, rb + sram - 1U);
}

/* Reads and checks the vector table, fills r; the path's own refusals come with dry. */
static int run_prepare(fk_session *s, uint32_t addr, fk_run_result *r)
{
	uint8_t vt[8];
	char why[200];
	bool gone;
	const fk_chip_desc *d = s->desc;
	memset(r, 0, sizeof *r);
	r->addr = addr ? addr : d->run_default ? d->run_default : d->flash_base;
	fk_strlcpy(r->word_names[0], d->run_word_names[0] ? d->run_word_names[0] : "MSP",
		   sizeof r->word_names[0]);
	fk_strlcpy(r->word_names[1], d->run_word_names[1] ? d->run_word_names[1] : "reset handler",
		   sizeof r->word_names[1]);
	fk_strlcpy(r->gone_note, d->run_gone_note ? d->run_gone_note
			: "the bootloader no longer answers: the application owns the chip and its "
			  "USART; the bootloader answers again after a reset with BOOT0 high",
		   sizeof r->gone_note);
	if (!s->drv->run || !s->drv->vector_check)
		return fk_fail(s->ctx, FK_E_UNSUPPORTED, "the %s driver cannot start code",
			       s->desc->family);
	int rc = run_addr_ok(s, r->addr);
	if (rc)
		return rc;
	/* the path's refusals first (another address, --reset=none): nothing needs reading */
	rc = s->drv->run(s->chip, s->ctx, r->addr, s->reset_mode, true, r->how, sizeof r->how,
			 &gone);
	if (rc)
		return rc;
	/* a vector table under the window this path cannot read: the driver's run relies on the
	 * chip's own boot check and says whether the code started */
	if (d->hidden_len && r->addr < (uint64_t)d->hidden_addr + d->hidden_len &&
	    (uint64_t)r->addr + sizeof vt > d->hidden_addr) {
		r->vector_unread = true;
		return FK_OK;
	}
	rc = s->drv->read(s->chip, s->ctx, r->addr, vt, sizeof vt);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "reading the vector table at 0x%08X", r->addr);
	r->msp = fk_get_le32(vt);
	r->reset_handler = fk_get_le32(vt + 4);
	fk_vec_verdict v = s->drv->vector_check(s->chip, r->msp, r->reset_handler, why, sizeof why);
	if (v != FK_VEC_OK) {
		/* FK_E_BAD_IMAGE (exit 7, malformed input): the input that failed is the firmware
		 * image in flash, whose vector table cannot start a core; the link and the chip are
		 * fine, and nothing was started. */
		fk_hint(s->ctx, v == FK_VEC_ERASED
				    ? "program the application first (`flashkey write fw.elf`), or give "
				      "the address of its vector table"
				    : "check the image's linker script (the vector table's first word "
				      "is the initial SP, the second the reset handler) and the address");
		fk_fail(s->ctx, FK_E_BAD_IMAGE, "%s", why);
		return fk_fail_wrap(s->ctx, FK_E_BAD_IMAGE, "no startable application at 0x%08X "
				    "(%s 0x%08X, %s 0x%08X); nothing was started", r->addr,
				    r->word_names[0], r->msp, r->word_names[1], r->reset_handler);
	}
	return FK_OK;
}

int fk_session_vector_check(fk_session *s, uint32_t sp, uint32_t reset, char *why, size_t n)
{
	if (n)
		why[0] = '\0';
	if (!s->drv->vector_check)
		return -1;
	fk_vec_verdict v = s->drv->vector_check(s->chip, sp, reset, why, n);
	return v == FK_VEC_OK ? 0 : v == FK_VEC_ERASED ? 1 : 2;
}

int fk_session_run_check(fk_session *s, uint32_t addr, fk_run_result *r)
{
	return run_prepare(s, addr, r);
}

int fk_session_run(fk_session *s, uint32_t addr, fk_run_result *r)
{
	int rc = run_prepare(s, addr, r);
	if (rc)
		return rc;
	bool gone = false;
	rc = s->drv->run(s->chip, s->ctx, r->addr, s->reset_mode, false, r->how, sizeof r->how,
			 &gone);
	if (rc)
		return rc;
	r->started = true;
	r->bootloader_gone = gone;
	return FK_OK;
}
