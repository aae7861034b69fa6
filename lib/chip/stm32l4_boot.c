/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4 bootloader access path: the family driver's operations carried out by the
 * ROM bootloader over AN3155 (boot/stm32_usart). The ROM unlocks, programs double words and
 * erases pages by itself, and changes the option bytes only through its four protection
 * commands; what it cannot do (read the flash registers, set PCROP_RDP or a user option,
 * anything but Readout Unprotect while RDP is active) is said, with the path that can.
 *
 * Sources: AN3155 Rev 20 §3.4 (Read Memory), §3.5 (Go), §3.6 (Write Memory), §3.8 (Extended
 * Erase: page numbers, 0xFFFF global mass erase), §3.10 (Write Unprotect: every write
 * protection removed, then a system reset), §3.11 (Readout Protect), §3.12 (Readout
 * Unprotect: level 0 with the regression's erase, then a reset), Table 2 (under RDP only Get,
 * Get Version, Get ID and Readout Unprotect are accepted: a refused Read Memory is how this
 * path sees RDP level 1); AN2606 (L4/G0/G4 bootloaders, USART protocol v3.1; the RAM the ROM
 * keeps and the option area per part as in stm32flash 0.7 dev_table.c, stm32-optr.md §5);
 * RM0351 §3.4.1 Table 12 (the option words at 0x1FFF7800 + 2 x (register offset - 0x20), each
 * double word the value and its complement; bank 2's at 0x1FFFF800 + 2 x (offset - 0x40)),
 * RM0444 §3.4.1 and RM0440 §5.4.1 (the same layout for bank 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/stm32_usart.h"
#include "chip/stm32l4_fam.h"
#include "core/core.h"

/* Where the option register at FLASH_R_BASE + off is stored in the option area (Table 12). */
uint32_t stm32l4_ob_addr(uint8_t off)
{
	if (off >= 0x40U)
		return 0x1FFFF800U + 2U * (uint32_t)(off - 0x40U);
	return STM32L4_OPT_AREA + 2U * (uint32_t)(off - 0x20U);
}

static an3155 *l4b(stm32l4drv *f, fk_ctx *ctx)
{
	f->bl->ctx = ctx;
	return f->bl;
}

/* The option words from the option area. At RDP level 1 the ROM refuses Read Memory (AN3155
 * Table 2): the level is known (level 2 has no bootloader at all, §3.5.1), the words are not. */
int stm32l4_boot_options(stm32l4drv *f, fk_ctx *ctx, stm32l4_optstate *o)
{
	const stm32l4_device *d = f->dev;
	memset(o, 0, sizeof *o);
	for (unsigned i = 0; i < d->nregs; i++) {
		uint8_t b[8];
		uint32_t at = stm32l4_ob_addr(d->regs[i].off);
		fk_ctx saved = *ctx;
		int rc = an3155_read(l4b(f, ctx), at, b, sizeof b);
		if (rc == FK_E_NACK && f->bl->nack_on_cmd && i == 0) {
			fk_ctx_restore_error(ctx, &saved);
			o->hidden = true;
			o->level = 1;
			return FK_OK;
		}
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading the option word FLASH_%s at 0x%08X",
					    d->regs[i].name, at);
		uint32_t v = fk_get_le32(b), c = fk_get_le32(b + 4);
		if ((v ^ c) != 0xFFFFFFFFU)
			o->sr |= STM32L4_FLASH_SR_OPTVERR; /* what the next load would flag */
		o->w[i] = v;
	}
	o->rdp = (uint8_t)o->w[0];
	o->level = stm32l4_rdp_level(o->rdp);
	o->pcrop_rdp = (o->w[d->i_pce[0]] & STM32L4_PCROP_RDP) != 0;
	return FK_OK;
}

int stm32l4_boot_read(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	char sec[32];
	int rc = an3155_read(l4b(f, ctx), addr, buf, len);
	if (rc != FK_E_NACK || !f->bl->nack_on_cmd)
		return rc;
	fk_hint(ctx, "`flashkey unlock --upto rdp --allow-erase-all` sends Readout Unprotect, which "
		     "regresses to level 0 and erases the flash first");
	return fk_fail_wrap(ctx, FK_E_PROTECTED, "reading 0x%08X: the bootloader refuses Read "
			    "Memory: read protection (RDP level 1) is active (AN3155 Table 2, %s)",
			    addr, stm32l4_sec(f, "3.5.1", sec, sizeof sec));
}

int stm32l4_boot_erase(stm32l4drv *f, fk_ctx *ctx, const uint16_t *pages, unsigned n)
{
	int rc = an3155_erase(l4b(f, ctx), pages, n);
	if (rc == FK_E_NACK)
		fk_hint(ctx, "a NACK here means RDP level 1 or a write-protected page: `flashkey "
			     "status`");
	return rc;
}

int stm32l4_boot_mass_erase(stm32l4drv *f, fk_ctx *ctx)
{
	return an3155_erase_mass(l4b(f, ctx), AN3155_MASS_ALL);
}

/* Write Memory programs whole double words (the ROM pads a partial one with 0xFF); the driver
 * hands over double-word aligned runs, which 256-byte blocks from an aligned start keep. */
int stm32l4_boot_program(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
			 uint32_t len)
{
	int rc = an3155_write(l4b(f, ctx), addr, buf, len);
	if (rc == FK_E_NACK)
		fk_hint(ctx, "a NACK here means RDP level 1, a write-protected page or a double word "
			     "not erased: `flashkey status`");
	return rc;
}

/* Which bootloader command carries an option change from `cur` to `w`, if any:
 * 0x73 when only WRP areas change and all end unused, 0x92 for a regression to 0xAA that
 * changes nothing else, 0x82 for level 0 -> 1 that changes nothing else. 0 and *why filled
 * otherwise. */
uint8_t stm32l4_boot_cmd_for(const stm32l4drv *f, const stm32l4_optstate *o, const uint32_t *w,
			     char *why, size_t n)
{
	const stm32l4_device *d = f->dev;
	uint32_t wrp_mask = d->wrp_field | d->wrp_field << 16;
	uint8_t rdp = (uint8_t)w[0];
	unsigned to = stm32l4_rdp_level(rdp);
	bool others = false, wrp_change = false, wrp_all_unused = true;
	for (unsigned i = 0; i < d->nregs; i++) {
		uint32_t diff = (w[i] ^ o->w[i]) & d->regs[i].mask;
		if (i == 0)
			diff &= ~0xFFU;
		bool is_wrp = false;
		for (unsigned k = 0; k < 4; k++)
			if (d->i_wrp[k] == (int)i) {
				is_wrp = true;
				stm32l4_area a;
				stm32l4_wrp_area(f, w, k, &a);
				wrp_all_unused &= !a.used;
				wrp_change |= (diff & wrp_mask) != 0;
				diff &= ~wrp_mask;
			}
		others |= diff != 0;
		(void)is_wrp;
	}
	if (o->hidden) /* level 1: the words are unknown; only Readout Unprotect is accepted */
		others = wrp_change = false;
	if (!others && !wrp_change && to == 0 && o->level == 1)
		return AN3155_CMD_READOUT_UNPROTECT;
	if (!others && !wrp_change && to == 1 && o->level == 0)
		return AN3155_CMD_READOUT_PROTECT;
	if (!others && wrp_change && wrp_all_unused && to == o->level)
		return AN3155_CMD_WRITE_UNPROTECT;
	if (to == 2)
		snprintf(why, n, "the bootloader cannot set RDP level 2 (Readout Protect sets level "
			 "1, AN3155 §3.11): use a debug probe");
	else
		snprintf(why, n, "the bootloader changes options only by Readout (Un)protect and "
			 "Write Unprotect (AN3155 §3.10-§3.12): %s needs a debug probe",
			 others ? "a FLASH_OPTR field, PCROP or PCROP_RDP" : "setting a WRP area");
	return 0;
}

/* Carry out an option step: the command, then the ROM's own OBL_LAUNCH resets the chip and the
 * client re-synchronises (an3155_resetting). The caller reads the words back. */
int stm32l4_boot_options_write(stm32l4drv *f, fk_ctx *ctx, const stm32l4_optstate *o,
			       const uint32_t *w)
{
	char why[256];
	uint8_t cmd = stm32l4_boot_cmd_for(f, o, w, why, sizeof why);
	an3155 *b = l4b(f, ctx);
	switch (cmd) {
	case AN3155_CMD_READOUT_UNPROTECT:
		return an3155_readout_unprotect(b);
	case AN3155_CMD_READOUT_PROTECT:
		return an3155_readout_protect(b);
	case AN3155_CMD_WRITE_UNPROTECT:
		return an3155_write_unprotect(b);
	default:
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s", why);
	}
}

/* Start code with AN3155 Go (§3.5): the ROM loads MSP from [addr] and jumps to [addr + 4]; it
 * answers nothing afterwards. */
int stm32l4_boot_run(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, bool dry, char *how,
		     size_t how_len)
{
	an3155 *b = l4b(f, ctx);
	if (b->ncmds && !an3155_has(b, AN3155_CMD_GO)) {
		fk_hint(ctx, "start the application with a reset and BOOT0 low, or over a debug probe");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this bootloader does not list Go (0x21) in "
						      "its Get reply");
	}
	snprintf(how, how_len, "AN3155 Go 0x%08X (MSP from [0x%08X], jump to [0x%08X])", addr, addr,
		 addr + 4U);
	if (dry)
		return FK_OK;
	int rc = an3155_go(b, addr);
	return rc ? fk_fail_wrap(ctx, rc, "AN3155 Go 0x%08X", addr) : FK_OK;
}

/* Comparing flash with an image by a CRC-32 the chip computes (boot/stm32_stub.c: code in RAM
 * the bootloader leaves free, started with Go, ending in a system reset, after which the
 * bootloader starts again) instead of reading every byte back. The ROM's clock is taken as
 * HSI16 (UNCONFIRMED: AN2606's clock rows for these parts not retrieved). A hardware watchdog
 * keeps running while our code does: shortest period 4 x 4096 / LSI 34 kHz max = 0.48 s (RM0351
 * §32.3, DS10198 LSI row, UNCONFIRMED), and 128 KiB at 20 cycles a byte takes 0.16 s at
 * 16 MHz, so runs are at most 128 KiB. */
#define L4B_CRC_RUN_BYTES 0x20000u
#define L4B_HSI16 16000000u

int stm32l4_boot_crc32(stm32l4drv *f, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len,
		       unsigned n, uint32_t *crc)
{
	an3155 *b = l4b(f, ctx);
	an3155_stub_place(b, f->dev->bl_ram_lo, f->dev->bl_ram_hi, L4B_HSI16, L4B_HSI16);
	return an3155_crc32_runs(b, addr, len, n, crc, L4B_CRC_RUN_BYTES);
}

void stm32l4_boot_close(stm32l4drv *f)
{
	if (!f->bl)
		return;
	fk_ctx *ctx = fk_ctx_new();
	f->bl->ctx = ctx;
	(void)an3155_detach(f->bl);
	fk_ctx_free(ctx);
	free(f->bl);
	f->bl = NULL;
}
