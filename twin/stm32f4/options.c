/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin: option bytes and the protection rules that depend on them — RDP levels and the
 * level 1 -> 0 regression, nWRP write protection, SPRMOD/PCROP and its single way back, the
 * level-2 freeze, torn option bytes after a power cut.
 *
 * Sources: RM0090 Rev 21 §3.7.1 (option bytes, Table 15), §3.7.2 (programming: "first erases the
 * user configuration sector and then programs all the option bytes"), §3.7.3 (RDP, Table 18,
 * regression erases flash and backup SRAM, not OTP), §3.7.4 (nWRP), §3.7.5 (PCROP: "the
 * deactivation of the SPRMOD and/or the unprotection of PCROPed user sectors can only occur
 * when, at the same time, the RDP level changes from 1 to 0 ... otherwise the modification is
 * cancelled and WRPERR is set"), §3.9.10/§3.9.11; RM0090 §21.3 (IWDG: LSI ~32 kHz, reset values
 * PR=/4, RL=0xFFF -> ~512 ms; hardware watchdog started at reset when WDG_SW=0);
 * ../shared/reference/stm32.md §1.6, §1.7, §3.1, §4. */
#include <string.h>

#include "stm32f4/f4_int.h"

/* IWDG default timeout: 4096 * 4 / 32 kHz (RM0090 §21.3.3 reset values). */
#define F4_IWDG_DEFAULT_NS 512000000ULL

unsigned f4_rdp_level(uint8_t rdp)
{
	return rdp == F4_RDP_L0 ? 0U : rdp == F4_RDP_L2 ? 2U : 1U;
}

/* Option values in force are the ones loaded — from the option bytes at reset (RM0090 §3.9.10:
 * OPTCR is "loaded with the option bytes" at reset release) and again when an option write
 * completes (OPTSTRT, §3.7.2; HAL_FLASH_OB_Launch is OPTSTRT alone on F4) — not the value being
 * edited in FLASH_OPTCR: §3.7.5 lets PCROP go only together with an RDP 1 -> 0 regression, so a
 * plain register write (or an option write cancelled with WRPERR) cannot lift it. Between
 * those loads the twin's stored option bytes t->ob are the loaded values (issue #20 item 1). */
static bool f4_nwrp_bit_of(const tw_f4 *t, uint32_t w0, uint32_t w1, unsigned num)
{
	if (num < 12)
		return (w0 >> (F4_OPTCR_NWRP_SHIFT + num)) & 1U;
	if (num < 24 && (t->v->features & F4_FEAT_OPTCR1))
		return (w1 >> (F4_OPTCR_NWRP_SHIFT + num - 12)) & 1U;
	return true;
}

static bool f4_sprmod_of(const tw_f4 *t, uint32_t w0)
{
	return (t->v->features & F4_FEAT_SPRMOD) && (w0 & F4_OPTCR_SPRMOD);
}

/* SPRMOD=0: nWRPi=0 write-protects sector i; SPRMOD=1: nWRPi=1 makes it PCROP, which is also
 * write-protected (RM0090 §3.7.5), all from the loaded values. On top of them, the live
 * FLASH_OPTCR can add write protection: OpenOCD 7bcf1d838 (stm32.md §1.6) saw WRPERR on silicon
 * after relocking with a bare 0x00000001 (nWRP all 0, no OPTSTRT). UNCONFIRMED: whether a live
 * nWRPi=1 can also lift a loaded WRP; the twin never lets a live edit remove protection. */
bool f4_sector_wrp(const tw_f4 *t, unsigned num)
{
	bool bit = f4_nwrp_bit_of(t, t->ob[0], t->ob[1], num);
	bool loaded = f4_sprmod_of(t, t->ob[0]) ? bit : !bit;
	bool live = !f4_sprmod_of(t, t->optcr) && !f4_nwrp_bit_of(t, t->optcr, t->optcr1, num);
	return loaded || live;
}

bool f4_sector_pcrop(const tw_f4 *t, unsigned num)
{
	return f4_sprmod_of(t, t->ob[0]) && f4_nwrp_bit_of(t, t->ob[0], t->ob[1], num);
}

/* The six stored bytes in programming order: 0x1FFFC000, C001, C008, C009, 0x1FFEC008, C009. */
static uint8_t *f4_ob_bytes(uint32_t ob[2], uint8_t out[6])
{
	out[0] = (uint8_t)ob[0];
	out[1] = (uint8_t)(ob[0] >> 8);
	out[2] = (uint8_t)(ob[0] >> 16);
	out[3] = (uint8_t)(ob[0] >> 24);
	out[4] = (uint8_t)(ob[1] >> 16);
	out[5] = (uint8_t)(ob[1] >> 24);
	return out;
}

static void f4_ob_store(tw_f4 *t, const uint8_t b[6])
{
	uint32_t w0 = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
		      ((uint32_t)b[3] << 24);
	t->ob[0] = w0 & t->v->optcr_mask;
	if (t->v->features & F4_FEAT_OPTCR1)
		t->ob[1] = (((uint32_t)b[4] << 16) | ((uint32_t)b[5] << 24)) & 0x0FFF0000U;
}

/* Would the new options remove PCROP (clear SPRMOD or an active nWRPi)? */
static bool f4_pcrop_removed(const tw_f4 *t, uint32_t n0, uint32_t n1)
{
	if (!(t->v->features & F4_FEAT_SPRMOD) || !(t->ob[0] & F4_OPTCR_SPRMOD))
		return false;
	if (!(n0 & F4_OPTCR_SPRMOD))
		return true;
	uint32_t cleared0 = t->ob[0] & ~n0 & 0x0FFF0000U;
	uint32_t cleared1 = t->ob[1] & ~n1 & 0x0FFF0000U;
	return cleared0 || cleared1;
}

/* Option-byte erase + program time. UNCONFIRMED (no datasheet figure): one 16 KiB sector erase
 * plus six byte programs at the current PSIZE. */
static uint64_t f4_options_ns(const tw_f4 *t)
{
	return f4_erase_ns(t, 0x4000U) + 6U * f4_prog_ns(t);
}

void f4_options_start(tw_f4 *t)
{
	uint32_t n0 = t->optcr & t->v->optcr_mask, n1 = t->optcr1 & 0x0FFF0000U;
	uint8_t new_rdp = (uint8_t)(n0 >> 8);
	/* §3.7.3 (and PM0059 §2.6.3, the same block on F2): "when Level 1 is active, programming
	 * the protection option byte (RDP) to Level 0 causes the Flash memory and the backup SRAM
	 * to be mass-erased". Active = the level loaded (t->rdp_eff: at reset and at the end of
	 * each option write), which is also the level the access rules (Table 18) enforce: the
	 * two agree on which level is in force (issue #20 item 7). */
	bool regress = f4_rdp_level(t->rdp_eff) == 1 && new_rdp == F4_RDP_L0;
	/* §3.7.3: at level 2 the user option bytes can no longer be changed. UNCONFIRMED on F4
	 * which flag is raised: WRPERR as on F3/G4. §3.7.5: PCROP removal needs 1 -> 0. */
	if (f4_rdp_level(t->rdp_eff) == 2 || (f4_pcrop_removed(t, n0, n1) && !regress)) {
		f4_set_error(t, F4_SR_WRPERR);
		return;
	}
	uint64_t erase = regress ? f4_mass_erase_ns(t, tw_f4_variant_flash_bytes(t->v)) : 0;
	t->op = (f4_op){.kind = F4_OP_NONE, .regress = regress, .erase_ns = erase,
			.erase_mask = 3U, .new_opt = {n0, n1}};
	f4_ob_bytes(t->ob, t->op.old_ob);
	t->op.kind = F4_OP_OPTIONS;
	t->op.start_ns = t->now_ns;
	t->op.end_ns = t->now_ns + erase + f4_options_ns(t);
	/* stm32.md §3.1 (BMP, tool-source claim, not in RM0090): with the hardware watchdog
	 * (WDG_SW=0) running, the IWDG resets the chip during the seconds-long regression erase,
	 * which aborts it. Modelled: a system reset 512 ms (IWDG default) into the regression;
	 * tw_f4_set_hw_watchdog_aborts(t, false) turns this off. */
	if (regress && t->hw_wdg_aborts && !(t->ob[0] & F4_OPTCR_WDG_SW))
		t->wdg_ns = t->now_ns + F4_IWDG_DEFAULT_NS;
	f4_count_op(t);
}

void f4_erase_banks(tw_f4 *t, uint32_t mask, double fraction)
{
	uint32_t total = tw_f4_variant_flash_bytes(t->v);
	bool dual = f4_dual_bank(t);
	uint32_t bank_bytes = dual ? total / 2 : total;
	double f = fraction > 1.0 ? 1.0 : fraction < 0.0 ? 0.0 : fraction;
	for (unsigned b = 0; b < (dual ? 2U : 1U); b++)
		if ((mask >> b) & 1U) {
			memset(t->flash + b * bank_bytes, 0xFF, (size_t)((double)bank_bytes * f));
			if (f >= 1.0)
				f4_weak_forget(t, F4_FLASH_BASE + b * bank_bytes, bank_bytes);
		}
}

/* Torn option write (field reports, stm32.md §3.1): the sector is erased byte by byte in the
 * first half of the time (erased bytes read 0xFF: RDP 0xFF = level 1), then the bytes are
 * programmed in order in the second half; the byte being programmed gets its low nibble only.
 * UNCONFIRMED: the erase/program split and byte order are a model choice. */
static void f4_options_torn(tw_f4 *t, double f)
{
	uint8_t b[6];
	memcpy(b, t->op.old_ob, sizeof b);
	uint8_t nb[6];
	uint32_t nw[2] = {t->op.new_opt[0], t->op.new_opt[1]};
	f4_ob_bytes(nw, nb);
	if (f < 0.5) {
		unsigned erased = (unsigned)(f * 2.0 * 6.0);
		for (unsigned i = 0; i < erased && i < 6; i++)
			b[i] = 0xFF;
	} else {
		double p = (f - 0.5) * 2.0 * 6.0;
		unsigned done = (unsigned)p;
		for (unsigned i = 0; i < 6; i++)
			b[i] = i < done ? nb[i] : i == done ? (uint8_t)(nb[i] | 0xF0U) : 0xFF;
	}
	f4_ob_store(t, b);
}

void f4_options_apply(tw_f4 *t, double fraction)
{
	double f = fraction;
	if (t->op.regress) {
		uint64_t span = t->op.end_ns - t->op.start_ns;
		double ef = span ? (double)t->op.erase_ns / (double)span : 0.0;
		/* §3.7.3: flash and backup SRAM are erased before protection is removed; OTP and
		 * the other option bytes are not touched by the erase. UNCONFIRMED: PCROP sectors
		 * are erased too (full mass erase); erased backup SRAM reads 0x00. */
		memset(t->bkpsram, 0, sizeof t->bkpsram);
		if (f < ef) {
			f4_erase_banks(t, 3U, ef > 0 ? f / ef : 1.0);
			return;
		}
		f4_erase_banks(t, 3U, 1.0);
		f = ef < 1.0 ? (f - ef) / (1.0 - ef) : 1.0;
	}
	if (f >= 1.0) {
		uint8_t nb[6];
		uint32_t nw[2] = {t->op.new_opt[0], t->op.new_opt[1]};
		f4_ob_store(t, f4_ob_bytes(nw, nb));
		/* the completed write is loaded (see f4_sector_wrp): its RDP level is in force
		 * from now on, for the access rules and for the next regression alike.
		 * UNCONFIRMED (RM0090 is silent on when RDP takes effect without a reset): HAL's
		 * F4 HAL_FLASH_OB_Launch is OPTSTRT alone ("launch the option byte loading"), and
		 * an F437 that set RDP 1 from code loaded over JTAG stopped at once (field report,
		 * stm32.md §3.1); OpenOCD's `unlock` message asks for a reset anyway. */
		t->rdp_eff = (uint8_t)(t->ob[0] >> 8);
		return;
	}
	f4_options_torn(t, f);
}
