/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 bootloader path: an option-byte change carried out with the bootloader's commands.
 * Readout Unprotect for RDP 1 -> 0 (the only command accepted under RDP), Write Unprotect /
 * Write Protect for nWRP, Readout Protect for 0 -> 1, and a Write Memory of the option area for
 * anything else (user bits, level 2). Each of these resets the chip; the client re-syncs.
 *
 * Sources: AN3155 Rev 20 §3.6 (Write Memory to the option area: erased then written, then a
 * system reset), §3.9 (Write Protect: the list replaces the old one), §3.10-§3.12, Table 2;
 * stm32.md §1.7 (area layout: 0x1FFFC000 USER/RDP, 0x1FFFC008 nWRP; the complements at +2/+0xA
 * are UNCONFIRMED, written as complements here). */
#include <string.h>

#include "chip/stm32f4_boot.h"
#include "core/core.h"

#define F4B_NWRP 0x0FFF0000U
#define F4B_USER 0xC00000FCU /* USER byte bits 7:2 and SPRMOD/DB1M */

static int f4bo_level(uint8_t rdp)
{
	return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

static void f4bo_image(uint8_t ob[16], uint16_t lo, uint16_t hi)
{
	memset(ob, 0xFF, 16);
	fk_put_le16(ob, lo);
	fk_put_le16(ob + 2, (uint16_t)~lo);
	fk_put_le16(ob + 8, hi);
	fk_put_le16(ob + 10, (uint16_t)~hi);
}

static int f4bo_write_image(an3155 *bl, uint32_t optcr, uint32_t optcr1, bool two)
{
	uint8_t ob[16];
	if (two) {
		f4bo_image(ob, 0xFFFF, (uint16_t)(optcr1 >> 16));
		int rc = an3155_write_options(bl, STM32F4_OPTBYTES_BANK2, ob, sizeof ob);
		if (rc)
			return rc;
	}
	f4bo_image(ob, (uint16_t)(optcr & 0xFFFCU), (uint16_t)(optcr >> 16));
	return an3155_write_options(bl, STM32F4_OPTBYTES_BANK1, ob, sizeof ob);
}

/* Write Protect takes the list of sectors to protect; an empty list is Write Unprotect. */
static int f4bo_wrp(an3155 *bl, uint32_t optcr, uint32_t optcr1, bool two)
{
	uint8_t list[24];
	unsigned n = 0;
	uint32_t nwrp = ((optcr >> 16) & 0xFFFU) | (two ? ((optcr1 >> 16) & 0xFFFU) << 12 : 0xFFF000U);
	for (unsigned s = 0; s < 24; s++)
		if (!(nwrp & (1U << s)))
			list[n++] = (uint8_t)s;
	return n ? an3155_write_protect(bl, list, n) : an3155_write_unprotect(bl);
}

static int f4bo_unprotect(void *h, fk_ctx *ctx, stm32f4_regs *cur)
{
	an3155 *bl = stm32f4_boot_client(h);
	int rc = an3155_readout_unprotect(bl);
	if (rc)
		return fk_fail_wrap(ctx, rc, "Readout Unprotect (RDP 1 -> 0: the chip erases all flash)");
	rc = stm32f4_boot_path_regs(h, ctx, cur);
	if (!rc && cur->rdp_inferred) {
		/* The debug path refuses this case beforehand (it reads WDG_SW); here the option
		 * bytes are unreadable at level 1, so the failed regression is the first sign. */
		fk_hint(ctx, "the bootloader cannot read or change WDG_SW at level 1; over a debug probe: "
			     "`flashkey status` shows it, `flashkey options set wdg=sw`, `flashkey "
			     "reset`, then `flashkey unlock --allow-erase-all`");
		rc = fk_fail(ctx, FK_E_PROTECTED, "RDP still level 1 after Readout Unprotect: the "
						  "regression did not finish (flash may be partly erased); "
						  "likely the hardware watchdog (WDG_SW=0) reset the chip");
	}
	return rc;
}

int stm32f4_boot_write_options(void *h, fk_ctx *ctx, uint32_t optcr, uint32_t optcr1, bool two)
{
	an3155 *bl = stm32f4_boot_client(h);
	stm32f4_regs cur;
	bl->ctx = ctx;
	int rc = stm32f4_boot_path_regs(h, ctx, &cur); /* flushes pending writes too */
	if (!rc && cur.rdp_inferred) {
		if (f4bo_level((uint8_t)(optcr >> 8)) != 0) {
			fk_hint(ctx, "set rdp=0 first (Readout Unprotect, erases all flash), or use the debug path");
			return fk_fail(ctx, FK_E_PROTECTED, "under RDP level 1 the bootloader accepts no option "
							    "change but Readout Unprotect (AN3155 Table 2)");
		}
		/* The other words were not readable, so they are not the user's: change nothing else
		 * now; the state is read back and a further change is a run of its own. */
		return f4bo_unprotect(h, ctx, &cur);
	}
	if (rc)
		return rc;
	uint8_t want = (uint8_t)(optcr >> 8), have = (uint8_t)(cur.optcr >> 8);
	bool user = ((optcr ^ cur.optcr) & F4B_USER) != 0;
	bool wrp = ((optcr ^ cur.optcr) & F4B_NWRP) || (two && ((optcr1 ^ cur.optcr1) & F4B_NWRP));
	if (user || f4bo_level(want) == 2)
		return f4bo_write_image(bl, optcr, optcr1, two);
	if (wrp && (rc = f4bo_wrp(bl, optcr, optcr1, two)))
		return fk_fail_wrap(ctx, rc, "changing write protection (nWRP)");
	if (f4bo_level(want) == 1 && f4bo_level(have) == 0 && (rc = an3155_readout_protect(bl)))
		return fk_fail_wrap(ctx, rc, "Readout Protect (RDP 0 -> 1)");
	return FK_OK;
}
