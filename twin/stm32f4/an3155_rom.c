/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory areas and flash-controller sequences of the twin's F40x bootloader (see an3155_rom.h
 * for the sources). Everything goes through the bus as TW_INIT_BOOTLOADER: the ROM unlocks
 * FLASH_CR with the keys, programs bytes at x8 (AN2606 Table 73: the bootloader sets the
 * 1.62-2.1 V range) unless the host selected another range at 0xFFFF0000 (AN2606 §4.3),
 * starts erases with SER/MER + STRT and reads FLASH_SR back; the model
 * decides what protection lets through. */
#include <stddef.h>

#include "stm32f4/an3155_rom.h"

#define R_FLASH_BASE 0x08000000U
#define R_SRAM_BASE 0x20000000U
#define R_BL_RAM_END 0x20002000U /* AN2606 Table 226: V3.x uses 8 KB from 0x20000000 */
#define R_SYSMEM 0x1FFF0000U
#define R_SYSMEM_END 0x1FFF7800U
#define R_OTP 0x1FFF7800U
#define R_OTP_END 0x1FFF7A10U /* 16 x 32 bytes + 16 lock bytes */
#define R_SYSINFO_END 0x1FFF7A30U /* UID and flash size: UNCONFIRMED that the ROM allows reads;
				     stm32loader reads the F4 UID through Read Memory */
#define R_OB1 0x1FFFC000U
#define R_OB2 0x1FFEC000U
#define R_OB_SIZE 16U

#define R_KEYR 0x40023C04U
#define R_OPTKEYR 0x40023C08U
#define R_SR 0x40023C0CU
#define R_CR 0x40023C10U
#define R_OPTCR 0x40023C14U
#define R_OPTCR1 0x40023C18U
#define R_SR_BSY (1U << 16)
#define R_SR_ERR 0x1F2U
#define R_CR_PG (1U << 0)
#define R_CR_SER (1U << 1)
#define R_CR_MER (1U << 2)
#define R_CR_MER1 (1U << 15)
#define R_CR_STRT (1U << 16)
#define R_CR_LOCK (1U << 31)
#define R_OPT_LOCK (1U << 0)
#define R_OPT_STRT (1U << 1)
#define R_NWRP_MASK 0x0FFF0000U
#define R_SPRMOD (1U << 31)
#define R_RDP_L1 0x55U /* UNCONFIRMED which level-1 value the ROM writes; HAL's OB_RDP_LEVEL_1 */

static const tw_f4_variant *r_var(const an_rom *r)
{
	return tw_f4_variant_of(r->chip);
}

static bool r_in(uint32_t a, uint32_t n, uint32_t lo, uint32_t hi)
{
	return a >= lo && a < hi && n <= hi - a;
}

static uint32_t r_flash_end(const an_rom *r)
{
	return R_FLASH_BASE + tw_f4_variant_flash_bytes(r_var(r));
}

static uint32_t r_ram_end(const an_rom *r)
{
	return R_SRAM_BASE + tw_f4_variant_sram_bytes(r_var(r));
}

void an_rom_init(an_rom *r, tw_f4 *chip)
{
	r->chip = chip;
	r->vrange = 0; /* AN2606 Table 73: the ROM starts in the 1.8-2.1 V range (x8) */
}

/* FLASH_CR.PSIZE for the selected range (RM0090 Table 13: x8, x16, x16, x32, x64). */
static uint32_t r_psize(const an_rom *r)
{
	static const uint8_t psize[5] = {0, 1, 1, 2, 3};
	return (uint32_t)psize[r->vrange < 5 ? r->vrange : 0] << 8;
}

uint16_t an_rom_pid(const an_rom *r)
{
	return tw_f4_variant_dev_id(r_var(r));
}

static uint32_t r_rd(an_rom *r, uint32_t addr)
{
	uint32_t v = 0;
	tw_f4_read_wait(r->chip, TW_INIT_BOOTLOADER, addr, 4, &v);
	return v;
}

static void r_wr(an_rom *r, uint32_t addr, uint32_t v)
{
	tw_f4_write_wait(r->chip, TW_INIT_BOOTLOADER, addr, 4, v);
}

bool an_rom_rdp_active(an_rom *r)
{
	return ((r_rd(r, R_OPTCR) >> 8) & 0xFFU) != 0xAAU;
}

static bool r_ob2(const an_rom *r)
{
	return tw_f4_variant_has_optcr1(r_var(r));
}

bool an_rom_is_options(const an_rom *r, uint32_t addr)
{
	return addr == R_OB1 || (r_ob2(r) && addr == R_OB2);
}

bool an_rom_readable(const an_rom *r, uint32_t a, uint32_t n)
{
	return r_in(a, n, R_FLASH_BASE, r_flash_end(r)) || r_in(a, n, R_BL_RAM_END, r_ram_end(r)) ||
	       r_in(a, n, R_SYSMEM, R_SYSINFO_END) || r_in(a, n, R_OB1, R_OB1 + R_OB_SIZE) ||
	       (r_ob2(r) && r_in(a, n, R_OB2, R_OB2 + R_OB_SIZE));
}

bool an_rom_writable(const an_rom *r, uint32_t a, uint32_t n)
{
	/* system memory is ROM; the option area only from its base (AN3155 §3.6) */
	return r_in(a, n, R_FLASH_BASE, r_flash_end(r)) || r_in(a, n, R_BL_RAM_END, r_ram_end(r)) ||
	       r_in(a, n, R_OTP, R_OTP_END) || (an_rom_is_options(r, a) && n <= R_OB_SIZE) ||
	       (a == AN_ROM_VRANGE_ADDR && n <= 4);
}

bool an_rom_go_ok(const an_rom *r, uint32_t a)
{
	/* AN3155 §3.5 / Table 3 V2.1: only RAM or flash; V2.2: not the bootloader's RAM */
	return r_in(a, 8, R_FLASH_BASE, r_flash_end(r)) || r_in(a, 8, R_BL_RAM_END, r_ram_end(r));
}

void an_rom_read(an_rom *r, uint32_t addr, uint8_t *buf, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = 0;
		tw_f4_read_wait(r->chip, TW_INIT_BOOTLOADER, addr + i, 1, &v);
		buf[i] = (uint8_t)v;
	}
}

/* Polls FLASH_SR until BSY clears, letting the virtual clock run to the end of the operation. */
static uint32_t r_wait(an_rom *r)
{
	for (unsigned i = 0; i < 1000000U; i++) {
		uint32_t sr = r_rd(r, R_SR);
		if (!(sr & R_SR_BSY))
			return sr;
		uint64_t now = tw_f4_now_ns(r->chip), until = tw_f4_busy_until_ns(r->chip);
		tw_f4_advance(r->chip, until > now ? until - now : 1000U);
	}
	return R_SR_ERR;
}

static int r_unlock(an_rom *r)
{
	if (r_rd(r, R_CR) & R_CR_LOCK) {
		r_wr(r, R_KEYR, 0x45670123U); /* RM0090 §3.6.1: KEY1 then KEY2 */
		r_wr(r, R_KEYR, 0xCDEF89ABU);
	}
	r_wr(r, R_SR, R_SR_ERR); /* stale flags from an earlier session would block PG */
	return (r_rd(r, R_CR) & R_CR_LOCK) ? -1 : 0;
}

/* Ends an operation: error flags cleared (w1c) and FLASH_CR locked again. */
static int r_finish(an_rom *r)
{
	uint32_t err = r_wait(r) & R_SR_ERR;
	if (err)
		r_wr(r, R_SR, err);
	r_wr(r, R_CR, R_CR_LOCK);
	return err ? -1 : 0;
}

static int r_program(an_rom *r, uint32_t addr, const uint8_t *d, uint32_t n)
{
	if (r_unlock(r))
		return -1;
	uint32_t psize = r_psize(r);
	r_wr(r, R_CR, R_CR_PG | psize);
	/* accesses of the PSIZE width (x64 as two words, RM0090 §3.6.2); Write Memory blocks are
	 * 4-byte aligned and sized (AN2606 Table 7), so x8..x32 always fit */
	unsigned w = psize == (1U << 8) ? 2 : psize >= (2U << 8) ? 4 : 1;
	for (uint32_t i = 0; i + w <= n; i += w) {
		uint32_t v = 0;
		for (unsigned k = 0; k < w; k++)
			v |= (uint32_t)d[i + k] << (8 * k);
		if (tw_f4_write_wait(r->chip, TW_INIT_BOOTLOADER, addr + i, w, v) != TW_OK)
			break;
	}
	return r_finish(r);
}

/* The voltage-range location (AN2606 §4.3 Table 4): 0 on success, -1 (NACK) for a value above
 * 4 or reserved bytes other than 0xFF. */
static int r_vrange(an_rom *r, const uint8_t *d, uint32_t n)
{
	if (n != 4 || d[0] > 4 || d[1] != 0xFF || d[2] != 0xFF || d[3] != 0xFF)
		return -1;
	r->vrange = d[0];
	return 0;
}

/* Option bytes through FLASH_OPTCR/OPTCR1 (RM0090 §3.7.2): keys, values, OPTSTRT, wait. An RDP
 * 1->0 change makes the model mass-erase here, which takes its time. */
static int r_options(an_rom *r, uint32_t optcr, bool set1, uint32_t optcr1)
{
	r_wait(r);
	if (r_rd(r, R_OPTCR) & R_OPT_LOCK) {
		r_wr(r, R_OPTKEYR, 0x08192A3BU);
		r_wr(r, R_OPTKEYR, 0x4C5D6E7FU);
	}
	if (set1 && r_ob2(r))
		r_wr(r, R_OPTCR1, optcr1 & R_NWRP_MASK);
	optcr &= ~(R_OPT_LOCK | R_OPT_STRT);
	r_wr(r, R_OPTCR, optcr);
	r_wr(r, R_OPTCR, optcr | R_OPT_STRT);
	uint32_t err = r_wait(r) & R_SR_ERR;
	if (err)
		r_wr(r, R_SR, err);
	r_wr(r, R_OPTCR, r_rd(r, R_OPTCR) | R_OPT_LOCK);
	return err ? -1 : 0;
}

/* A Write Memory image of the option area: bytes 0/1 = USER/RDP, 8/9 = nWRP (the layout the
 * area reads back with, stm32.md §1.7). UNCONFIRMED which bytes the F4 ROM actually takes. */
static int r_write_options(an_rom *r, uint32_t addr, const uint8_t *d, uint32_t n)
{
	if (n < 12)
		return -1;
	uint32_t word = ((uint32_t)d[9] << 24) | ((uint32_t)d[8] << 16);
	uint32_t optcr = r_rd(r, R_OPTCR), optcr1 = r_ob2(r) ? r_rd(r, R_OPTCR1) : 0;
	if (addr == R_OB2)
		return r_options(r, optcr, true, word);
	optcr = (word & 0xCFFF0000U) | ((uint32_t)d[1] << 8) | (d[0] & 0xFCU);
	return r_options(r, optcr, false, optcr1);
}

int an_rom_write(an_rom *r, uint32_t addr, const uint8_t *data, uint32_t n)
{
	if (addr == AN_ROM_VRANGE_ADDR)
		return r_vrange(r, data, n);
	if (an_rom_is_options(r, addr))
		return r_write_options(r, addr, data, n);
	if (r_in(addr, n, R_BL_RAM_END, r_ram_end(r))) {
		for (uint32_t i = 0; i < n; i++)
			tw_f4_write(r->chip, TW_INIT_BOOTLOADER, addr + i, 1, data[i]);
		return 0;
	}
	return r_program(r, addr, data, n); /* main flash or OTP */
}

static int r_erase_cr(an_rom *r, uint32_t cr)
{
	if (r_unlock(r))
		return -1;
	cr |= r_psize(r); /* erase time follows the parallelism (DS8626 Table 40) */
	r_wr(r, R_CR, cr);
	r_wr(r, R_CR, cr | R_CR_STRT);
	return r_finish(r);
}

int an_rom_mass_erase(an_rom *r, uint16_t code)
{
	bool two = r_ob2(r);
	/* UNCONFIRMED how a single-bank F40x answers the bank codes: NACK (an3155.md §8) */
	if (code == 0xFFFF)
		return r_erase_cr(r, R_CR_MER | (two ? R_CR_MER1 : 0));
	if (two && code == 0xFFFE)
		return r_erase_cr(r, R_CR_MER);
	if (two && code == 0xFFFD)
		return r_erase_cr(r, R_CR_MER1);
	return -1;
}

int an_rom_erase_list(an_rom *r, const uint8_t *pages_be, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned sec = ((unsigned)pages_be[2 * i] << 8) | pages_be[2 * i + 1];
		if (sec > 23)
			return -1;
		/* RM0090 §3.9.8: bank-2 sectors 12-23 are SNB 0x10 | (n - 12) */
		unsigned snb = sec < 12 ? sec : (0x10U | (sec - 12));
		if (r_erase_cr(r, R_CR_SER | (snb << 3)))
			return -1;
	}
	return 0;
}

int an_rom_write_protect(an_rom *r, const uint8_t *sectors, unsigned n)
{
	/* AN3155 §3.9: the new list replaces the old one; numbers are not checked */
	uint32_t nwrp = 0xFFFFFFU;
	for (unsigned i = 0; i < n; i++)
		if (sectors[i] < 24)
			nwrp &= ~(1U << sectors[i]);
	uint32_t optcr = (r_rd(r, R_OPTCR) & ~R_NWRP_MASK) | ((nwrp & 0xFFFU) << 16);
	return r_options(r, optcr, true, (nwrp >> 12) << 16);
}

int an_rom_write_unprotect(an_rom *r)
{
	/* all nWRP bits to 1 (and SPRMOD to 0 where it exists: nWRP=1 would mean PCROP) */
	uint32_t optcr = (r_rd(r, R_OPTCR) | R_NWRP_MASK) & ~R_SPRMOD;
	return r_options(r, optcr, true, R_NWRP_MASK);
}

int an_rom_readout_protect(an_rom *r)
{
	uint32_t optcr = (r_rd(r, R_OPTCR) & ~0xFF00U) | (R_RDP_L1 << 8);
	return r_options(r, optcr, false, 0);
}

int an_rom_readout_unprotect(an_rom *r)
{
	/* AN3155 Table 3 (V2.2): RAM is cleared first; §3.12: all flash erased, then RDP removed.
	 * At level 1 the RDP 1->0 regression itself mass-erases (RM0090 §3.7.3); at level 0 the
	 * ROM erases with MER (users report -k erasing an unprotected chip, an3155.md §3.1). */
	for (uint32_t a = R_SRAM_BASE; a < r_ram_end(r); a += 4)
		tw_f4_write(r->chip, TW_INIT_BOOTLOADER, a, 4, 0);
	if (!an_rom_rdp_active(r) && an_rom_mass_erase(r, 0xFFFF))
		return -1;
	uint32_t optcr = (r_rd(r, R_OPTCR) & ~0xFF00U) | (0xAAU << 8);
	return r_options(r, optcr, false, 0);
}
