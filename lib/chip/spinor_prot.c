/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chip/spinor: identification (JEDEC 9Fh, SFDP 5Ah when the ID is not in the table), the status
 * registers decoded into a protected range and SRP mode, and the unlock ladder as a pure plan.
 * Sources: W64 §7.1 (BP/TB/SEC/CMP tables, SRP/SRL with /WP, WPS, LB1-3 one-time), §8.2.5
 * (50h volatile writes: gone at power-off, SRL and LB cannot be cleared through them), §8.2.34-
 * 36 (98h global unlock, block locks 1 at power-up when WPS = 1); GD64 §6 (SRP1/SRP0);
 * JESD216 (SFDP); ../shared/reference/spi-nor.md §2-§3. */
#include <stdio.h>
#include <string.h>

#include "chip/spinor.h"
#include "core/core.h"

bool spinor_id_is_none(const uint8_t id[3])
{
	return (id[0] == 0x00 && id[1] == 0x00 && id[2] == 0x00) ||
	       (id[0] == 0xFF && id[1] == 0xFF && id[2] == 0xFF);
}

spinor_id_kind spinor_id_classify(const uint8_t id[3], const spinor_part **part)
{
	*part = NULL;
	if (spinor_id_is_none(id))
		return SPINOR_ID_NONE;
	*part = spinor_part_by_id(id);
	return *part ? SPINOR_ID_KNOWN : SPINOR_ID_UNKNOWN;
}

int spinor_fail_no_chip(fk_ctx *ctx, const uint8_t id[3], const char *where)
{
	fk_hint(ctx, "check: the chip's supply (VCC, pin 8: 3.3 V; a 1.8 V part needs 1.8 V "
		"logic) and a common GND (pin 4); the wiring /CS (1), DO->MISO (2), DI<-MOSI (5), "
		"CLK (6); /WP (3) and /HOLD or /RESET (7) held high; a board whose own MCU drives "
		"the chip (hold that MCU in reset); the clip's contact; a chip left in deep "
		"power-down (release it with ABh or a power cycle)");
	return fk_fail(ctx, FK_E_CONNECT, "no SPI chip answered%s%s: JEDEC ID (9Fh) read %02X %02X "
		       "%02X (%s)", where ? " on " : "", where ? where : "", id[0], id[1], id[2],
		       id[0] == 0xFF ? "MISO floating or pulled high: nothing drives it"
				     : "MISO held low");
}

/* SFDP is small: header, parameter headers and a BFPT at the pointer the header gives. */
#define SPINOR_SFDP_READ 256U

static void spinor_try_sfdp(spinor_bus *b, spinor_ident *out)
{
	uint8_t buf[SPINOR_SFDP_READ];
	fk_ctx saved = *b->ctx;
	for (size_t off = 0; off < sizeof buf;) {
		size_t k = FK_MIN(sizeof buf - off, b->max_r);
		if (spinor_read_sfdp(b, (uint32_t)off, buf + off, k)) {
			fk_ctx_restore_error(b->ctx, &saved);
			snprintf(out->sfdp_err, sizeof out->sfdp_err, "the SFDP read (5Ah) failed");
			return;
		}
		off += k;
	}
	if (spinor_sfdp_parse(buf, sizeof buf, &out->sfdp, out->sfdp_err,
			      sizeof out->sfdp_err) == 0)
		out->kind = SPINOR_ID_SFDP;
}

int spinor_identify(spinor_bus *b, spinor_ident *out)
{
	memset(out, 0, sizeof *out);
	int rc = spinor_rdid(b, out->id);
	if (rc)
		return rc;
	out->kind = spinor_id_classify(out->id, &out->part);
	if (out->kind == SPINOR_ID_NONE)
		return spinor_fail_no_chip(b->ctx, out->id, NULL);
	if (out->kind == SPINOR_ID_UNKNOWN)
		spinor_try_sfdp(b, out);
	return FK_OK;
}

static uint32_t spinor_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

void spinor_range_text(const spinor_part *p, uint32_t start, uint32_t len, char *out, size_t n)
{
	out[0] = '\0';
	if (!len) {
		fk_snprintf_cat(out, n, "none");
		return;
	}
	if (len >= 1024U * 1024U && len % (1024U * 1024U) == 0)
		fk_snprintf_cat(out, n, "0x%06X-0x%06X (%u MiB", start, start + len - 1U,
				len >> 20);
	else
		fk_snprintf_cat(out, n, "0x%06X-0x%06X (%u KiB", start, start + len - 1U, len >> 10);
	if (len == p->size)
		fk_snprintf_cat(out, n, ", all)");
	else {
		uint32_t g = spinor_gcd(len, p->size);
		fk_snprintf_cat(out, n, ", %s %u/%u)", start == 0 ? "lower" : "upper", len / g,
				p->size / g);
	}
}

void spinor_prot_decode(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], int wp_level,
			spinor_prot *out)
{
	memset(out, 0, sizeof *out);
	spinor_prot_range(p, regs, &out->start, &out->len);
	out->wps = spinor_get(p, regs, SPINOR_WPS) == 1;
	out->srp = spinor_srp(p, regs);
	out->wp_level = wp_level;
	out->sr_writable = out->srp == SPINOR_SRP_SOFTWARE ||
			   (out->srp == SPINOR_SRP_HW && wp_level != 0);
	for (unsigned i = 0; i < 3; i++)
		if (spinor_get(p, regs, (spinor_field)(SPINOR_LB1 + i)) == 1)
			out->lb |= (uint8_t)(1U << i);
}

void spinor_srp_text(const spinor_prot *pr, char *out, size_t n)
{
	out[0] = '\0';
	switch (pr->srp) {
	case SPINOR_SRP_SOFTWARE:
		fk_snprintf_cat(out, n, "software (SRP=0): status register writable after WREN");
		break;
	case SPINOR_SRP_HW:
		if (pr->wp_level == 0)
			fk_snprintf_cat(out, n, "hardware protected (SRP=1, /WP low): status "
					"register locked while /WP is low");
		else if (pr->wp_level == 1)
			fk_snprintf_cat(out, n, "hardware unprotected (SRP=1, /WP high): status "
					"register writable after WREN");
		else
			fk_snprintf_cat(out, n, "hardware (SRP=1): status register locked while /WP "
					"is low; this programmer cannot read /WP");
		break;
	case SPINOR_SRP_POWER:
		fk_snprintf_cat(out, n, "power-supply lock-down (SRL=1): status register locked "
				"until the next power cycle");
		break;
	case SPINOR_SRP_PERMANENT:
		fk_snprintf_cat(out, n, "one-time program (SRP1=1, SRP0=1): status register "
				"permanently locked");
		break;
	}
}

/* Target registers with no BP protection: BP = 0 and CMP = 0 (CMP = 1 with BP = 0 protects
 * everything, W64 CMP=1 table); WPS = 0 when asked. */
static void spinor_clear_target(const spinor_part *p, uint8_t t[SPINOR_NREGS], bool wps)
{
	for (unsigned i = 0; i < 4; i++)
		spinor_set(p, t, (spinor_field)(SPINOR_BP0 + i), false);
	spinor_set(p, t, SPINOR_CMP, false);
	if (wps)
		spinor_set(p, t, SPINOR_WPS, false);
}

static uint8_t spinor_diff(const spinor_part *p, const uint8_t a[SPINOR_NREGS],
			   const uint8_t b[SPINOR_NREGS])
{
	uint8_t m = 0;
	for (unsigned r = 0; r < p->nregs && r < SPINOR_NREGS; r++)
		if ((a[r] ^ b[r]) & p->wmask[r])
			m |= (uint8_t)(1U << r);
	return m;
}

static void spinor_step_text(const spinor_part *p, spinor_lstep *s)
{
	char bits[64] = "";
	unsigned nbp;
	spinor_bp(p, s->target, &nbp);
	if (s->regmask & 0x3U)
		fk_snprintf_cat(bits, sizeof bits, "BP%u-0=0%s", nbp ? nbp - 1 : 0,
				spinor_has(p, SPINOR_CMP) ? " CMP=0" : "");
	if (s->regmask & 0x4U)
		fk_snprintf_cat(bits, sizeof bits, "%sWPS=0", bits[0] ? " " : "");
	if (s->kind == SPINOR_STEP_VOLATILE)
		snprintf(s->what, sizeof s->what, "volatile clear%s%s%s%s: protection off until the "
			 "next power cycle, nothing permanent changed",
			 s->global_unlock ? " of the block locks (98h)" : "",
			 s->global_unlock && s->regmask ? " and" : "", s->regmask ? " 50h + WRSR " : "",
			 bits);
	else
		snprintf(s->what, sizeof s->what, "non-volatile clear 06h + WRSR %s: protection off "
			 "for good (tW %u ms)", bits, p->typ.tw / 1000U);
}

/* What stops every status-register write now, or "" (the steps are refused with it). */
void spinor_blocker_text(const spinor_prot *pr, char *out, size_t n)
{
	out[0] = '\0';
	if (pr->srp == SPINOR_SRP_POWER)
		snprintf(out, n, "SRL=1 (power-supply lock-down): the status register takes no "
			 "write until the chip's supply is removed and restored; power-cycle the "
			 "chip (unplug the programmer or the board) and run unlock again");
	else if (pr->srp == SPINOR_SRP_PERMANENT)
		snprintf(out, n, "the status register is one-time programmed (SRP1=SRP0=1): its "
			 "protection can never be removed; only unprotected addresses can be written");
	else if (pr->srp == SPINOR_SRP_HW && pr->wp_level == 0)
		snprintf(out, n, "SRP=1 with /WP low (hardware protected): hold /WP (pin 3) high, "
			 "e.g. tie it to VCC, and run unlock again");
}

void spinor_plan_unlock(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], int wp_level,
			unsigned locked_units, spinor_ladder *out)
{
	spinor_prot pr;
	memset(out, 0, sizeof *out);
	spinor_prot_decode(p, regs, wp_level, &pr);
	bool locks = pr.wps && locked_units > 0;
	bool bp = !pr.wps && pr.len > 0;
	if (!locks && !bp && !pr.wps) {
		out->nothing_to_do = true;
		return;
	}
	spinor_blocker_text(&pr, out->blocker, sizeof out->blocker);
	if ((p->flags & SPINOR_F_VOLATILE_SR) && (locks || bp)) {
		spinor_lstep *s = &out->steps[out->n++];
		s->kind = SPINOR_STEP_VOLATILE;
		memcpy(s->target, regs, SPINOR_NREGS);
		if (bp)
			spinor_clear_target(p, s->target, false);
		s->regmask = spinor_diff(p, regs, s->target);
		s->global_unlock = locks;
		spinor_step_text(p, s);
		if (s->regmask && out->blocker[0]) {
			s->refused = true;
			fk_strlcpy(s->why, out->blocker, sizeof s->why);
		}
	}
	spinor_lstep *s = &out->steps[out->n++];
	s->kind = SPINOR_STEP_NONVOLATILE;
	memcpy(s->target, regs, SPINOR_NREGS);
	spinor_clear_target(p, s->target, true);
	s->regmask = spinor_diff(p, regs, s->target);
	spinor_step_text(p, s);
	if (out->blocker[0]) {
		s->refused = true;
		fk_strlcpy(s->why, out->blocker, sizeof s->why);
	}
	if (!s->regmask && out->n == 1)
		out->nothing_to_do = true;
}
