/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory areas and FPEC sequences of the twin's STM32F0/F1/F3 bootloader (see rom.h for the
 * sources). Everything goes through the bus as TW_INIT_BOOTLOADER: the ROM unlocks FLASH_CR
 * with the keys, programs half-words with PG, erases with PER/MER + STRT, rewrites the option
 * bytes with OPTER then OPTPG, and reads FLASH_SR back; the model decides what protection lets
 * through. What the ROM code does beyond the protocol (the order of its register writes, which
 * option values it keeps) is not published: each such choice below says UNCONFIRMED. */
#include <stddef.h>

#include "stm32f1/f1_int.h"
#include "stm32f1/rom.h"

#define R_SR_ERR (F1_SR_PGERR | F1_SR_WRPRTERR)

void f1_rom_init(f1_rom *r, tw_f1 *chip)
{
	r->chip = chip;
}

uint8_t f1_rom_version(const f1_rom *r)
{
	return r->chip->v->bl_version;
}

uint16_t f1_rom_pid(const f1_rom *r)
{
	return r->chip->v->dev_id; /* AN2606: the PID is the DEV_ID */
}

/* AN3155 §3.1: V2.x lists Erase 0x43, V3.x Extended Erase 0x44 (Table 3: exclusive). */
unsigned f1_rom_commands(const f1_rom *r, uint8_t out[16])
{
	static const uint8_t cmds[11] = {0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
					 0x43, 0x63, 0x73, 0x82, 0x92};
	for (unsigned i = 0; i < 11; i++)
		out[i] = cmds[i];
	if (f1_rom_version(r) >= 0x30)
		out[6] = 0x44;
	return 11;
}

bool f1_rom_has_command(const f1_rom *r, uint8_t cmd)
{
	uint8_t c[16];
	unsigned n = f1_rom_commands(r, c);
	for (unsigned i = 0; i < n; i++)
		if (c[i] == cmd)
			return true;
	return false;
}

static uint32_t r_rd(f1_rom *r, uint32_t addr)
{
	uint32_t v = 0;
	tw_f1_read_wait(r->chip, TW_INIT_BOOTLOADER, addr, 4, &v);
	return v;
}

static void r_wr(f1_rom *r, uint32_t addr, uint32_t v)
{
	tw_f1_write_wait(r->chip, TW_INIT_BOOTLOADER, addr, 4, v);
}

/* PM0075 §3.7 / RM0091 §3.5.8: OBR RDPRT (bit 1 on F1, bits 2:1 on F0/F3) */
bool f1_rom_rdp_active(f1_rom *r)
{
	uint32_t mask = r->chip->v->family == TW_F1_FAMILY_F1 ? 2U : 6U;
	return (r_rd(r, F1_FLASH_OBR) & mask) != 0;
}

static bool r_in(uint32_t a, uint32_t n, uint32_t lo, uint32_t hi)
{
	return a >= lo && a < hi && n <= hi - a;
}

static uint32_t r_flash_end(const f1_rom *r)
{
	return F1_FLASH_BASE + tw_f1_variant_flash_bytes(r->chip->v);
}

static uint32_t r_ram_lo(const f1_rom *r)
{
	return F1_SRAM_BASE + r->chip->v->bl_ram; /* AN3155 Table 3 V2.2: its own RAM NACKed */
}

static uint32_t r_ram_end(const f1_rom *r)
{
	return F1_SRAM_BASE + tw_f1_variant_sram_bytes(r->chip->v);
}

bool f1_rom_is_options(const f1_rom *r, uint32_t addr)
{
	(void)r;
	return addr == F1_OB_BASE;
}

/* AN3155 §3.4: RAM, flash, system memory (with the device signature) and option bytes. */
bool f1_rom_readable(const f1_rom *r, uint32_t a, uint32_t n)
{
	return r_in(a, n, F1_FLASH_BASE, r_flash_end(r)) || r_in(a, n, r_ram_lo(r), r_ram_end(r)) ||
	       r_in(a, n, r->chip->v->sysmem_base, F1_OB_BASE + F1_OB_SIZE);
}

/* AN3155 §3.6: flash, RAM, and the option area from its base address. */
bool f1_rom_writable(const f1_rom *r, uint32_t a, uint32_t n)
{
	return r_in(a, n, F1_FLASH_BASE, r_flash_end(r)) || r_in(a, n, r_ram_lo(r), r_ram_end(r)) ||
	       (f1_rom_is_options(r, a) && n <= F1_OB_SIZE);
}

/* AN3155 §3.5 / Table 3: Go only to RAM or flash (V2.2: not the bootloader's RAM). */
bool f1_rom_go_ok(const f1_rom *r, uint32_t a)
{
	return r_in(a, 8, F1_FLASH_BASE, r_flash_end(r)) || r_in(a, 8, r_ram_lo(r), r_ram_end(r));
}

void f1_rom_read(f1_rom *r, uint32_t addr, uint8_t *buf, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = 0;
		tw_f1_read_wait(r->chip, TW_INIT_BOOTLOADER, addr + i, 1, &v);
		buf[i] = (uint8_t)v;
	}
}

/* Polls FLASH_SR until BSY clears, letting the virtual clock run to the operation's end. */
static uint32_t r_wait(f1_rom *r)
{
	for (unsigned i = 0; i < 1000000U; i++) {
		uint32_t sr = r_rd(r, F1_FLASH_SR);
		if (!(sr & F1_SR_BSY))
			return sr;
		uint64_t now = tw_f1_now_ns(r->chip), until = tw_f1_busy_until_ns(r->chip);
		tw_f1_advance(r->chip, until > now ? until - now : 1000U);
	}
	return R_SR_ERR;
}

static int r_unlock(f1_rom *r)
{
	if (r_rd(r, F1_FLASH_CR) & F1_CR_LOCK) {
		r_wr(r, F1_FLASH_KEYR, F1_KEY1); /* PM0075 §2.3.1 */
		r_wr(r, F1_FLASH_KEYR, F1_KEY2);
	}
	r_wr(r, F1_FLASH_SR, R_SR_ERR | F1_SR_EOP);
	return (r_rd(r, F1_FLASH_CR) & F1_CR_LOCK) ? -1 : 0;
}

static int r_opt_unlock(f1_rom *r)
{
	if (r_unlock(r))
		return -1;
	if (!(r_rd(r, F1_FLASH_CR) & F1_CR_OPTWRE)) {
		r_wr(r, F1_FLASH_OPTKEYR, F1_KEY1); /* PM0075 §2.5.1 */
		r_wr(r, F1_FLASH_OPTKEYR, F1_KEY2);
	}
	return (r_rd(r, F1_FLASH_CR) & F1_CR_OPTWRE) ? 0 : -1;
}

/* Ends an operation: the error flags it raised (cleared, w1c) and FLASH_CR locked again. */
static uint32_t r_finish(f1_rom *r)
{
	uint32_t err = r_wait(r) & R_SR_ERR;
	if (err)
		r_wr(r, F1_FLASH_SR, err);
	r_wr(r, F1_FLASH_CR, F1_CR_LOCK);
	return err;
}

/* AN3155 §3.6: "no error is returned" for write-protected sectors: WRPRTERR is ACKed. A
 * target that was not erased (PGERR) is NACKed (UNCONFIRMED: stm32flash users report "Failed to
 * write memory" writing over old data on F1). */
static int r_result(uint32_t err)
{
	return (err & F1_SR_PGERR) ? -1 : 0;
}

static int r_program(f1_rom *r, uint32_t addr, const uint8_t *d, uint32_t n)
{
	if (n % 2 || addr % 2 || r_unlock(r))
		return -1;
	r_wr(r, F1_FLASH_CR, F1_CR_PG);
	uint32_t err = 0;
	for (uint32_t i = 0; i < n; i += 2) {
		uint32_t v = (uint32_t)d[i] | ((uint32_t)d[i + 1] << 8);
		if (tw_f1_write_wait(r->chip, TW_INIT_BOOTLOADER, addr + i, 2, v) != TW_OK)
			return -1;
		err |= r_wait(r) & R_SR_ERR;
	}
	err |= r_finish(r);
	return r_result(err);
}

/* The option bytes as stored now (value bytes; 0xFF where a pair is erased). */
static void r_opt_values(f1_rom *r, uint8_t v[8])
{
	uint8_t raw[F1_OB_SIZE];
	f1_rom_read(r, F1_OB_BASE, raw, F1_OB_SIZE);
	for (unsigned i = 0; i < 8; i++)
		v[i] = raw[2 * i];
}

/* PM0075 §2.5.1-2.5.2: OPTER then OPTPG with one half-word per option. keep[i] false leaves
 * option i erased. Programming the level-0 RDP code while level 1 is in force mass-erases the
 * flash first (the model does it, with its time). */
static int r_options(f1_rom *r, const uint8_t v[8], const bool keep[8])
{
	if (r_opt_unlock(r))
		return -1;
	r_wr(r, F1_FLASH_CR, F1_CR_OPTER | F1_CR_OPTWRE);
	r_wr(r, F1_FLASH_CR, F1_CR_OPTER | F1_CR_STRT | F1_CR_OPTWRE);
	uint32_t err = r_wait(r) & R_SR_ERR;
	r_wr(r, F1_FLASH_CR, F1_CR_OPTPG | F1_CR_OPTWRE);
	for (unsigned i = 0; i < 8 && !err; i++) {
		if (!keep[i])
			continue;
		if (tw_f1_write_wait(r->chip, TW_INIT_BOOTLOADER, F1_OB_BASE + 2 * i, 2, v[i]) != TW_OK)
			err |= F1_SR_PGERR;
		err |= r_wait(r) & R_SR_ERR;
	}
	err |= r_finish(r);
	return err ? -1 : 0;
}

/* AN3155 §3.6: a Write Memory to the option area erases it, then writes the new values. A
 * pair sent as 0xFF 0xFF stays erased (UNCONFIRMED: the ROM's treatment of it). */
static int r_write_options(f1_rom *r, const uint8_t *d, uint32_t n)
{
	uint8_t v[8] = {0};
	bool keep[8] = {false};
	for (unsigned i = 0; i < 8 && 2 * i + 1 < n; i++) {
		v[i] = d[2 * i];
		keep[i] = !(d[2 * i] == 0xFF && d[2 * i + 1] == 0xFF);
	}
	return r_options(r, v, keep);
}

int f1_rom_write(f1_rom *r, uint32_t addr, const uint8_t *data, uint32_t n)
{
	if (f1_rom_is_options(r, addr))
		return r_write_options(r, data, n);
	if (r_in(addr, n, r_ram_lo(r), r_ram_end(r))) {
		for (uint32_t i = 0; i < n; i++)
			tw_f1_write(r->chip, TW_INIT_BOOTLOADER, addr + i, 1, data[i]);
		return 0;
	}
	return r_program(r, addr, data, n);
}

static int r_erase(f1_rom *r, uint32_t cr, uint32_t ar)
{
	if (r_unlock(r))
		return -1;
	r_wr(r, F1_FLASH_CR, cr);
	if (cr & F1_CR_PER)
		r_wr(r, F1_FLASH_AR, ar);
	r_wr(r, F1_FLASH_CR, cr | F1_CR_STRT);
	return r_result(r_finish(r));
}

int f1_rom_mass_erase(f1_rom *r)
{
	return r_erase(r, F1_CR_MER, 0);
}

/* AN3155 §3.7-3.8: "no error is returned" for write-protected pages; a page the part does
 * not have is NACKed (UNCONFIRMED). */
int f1_rom_erase_pages(f1_rom *r, const uint16_t *pages, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (pages[i] >= tw_f1_page_count(r->chip))
			return -1;
	for (unsigned i = 0; i < n; i++)
		if (r_erase(r, F1_CR_PER, F1_FLASH_BASE + pages[i] * r->chip->v->page_bytes))
			return -1;
	return 0;
}

static const bool r_keep_all[8] = {true, true, true, true, true, true, true, true};

/* AN3155 §3.9: the listed sectors (here: WRP groups, the bits of FLASH_WRPR) become the
 * protected ones, replacing the old list; numbers are not checked (those past the last bit are
 * ignored). RDP, USER and Data are written back unchanged (UNCONFIRMED which values the ROM
 * keeps: the stored ones chosen). */
int f1_rom_write_protect(f1_rom *r, const uint8_t *sectors, unsigned n)
{
	uint8_t v[8];
	r_opt_values(r, v);
	uint32_t wrp = 0xFFFFFFFFU;
	for (unsigned i = 0; i < n; i++)
		if (sectors[i] < r->chip->v->wrp_bits)
			wrp &= ~(1U << sectors[i]);
	for (unsigned i = 0; i < 4; i++)
		v[4 + i] = (uint8_t)(wrp >> (8 * i));
	return r_options(r, v, r_keep_all);
}

int f1_rom_write_unprotect(f1_rom *r)
{
	uint8_t v[8];
	r_opt_values(r, v);
	for (unsigned i = 4; i < 8; i++)
		v[i] = 0xFF;
	return r_options(r, v, r_keep_all);
}

/* AN3155 §3.11: RDP to level 1; the byte written is UNCONFIRMED (HAL's level-1 values chosen:
 * 0x00 on F1, 0xBB on F0/F3). */
int f1_rom_readout_protect(f1_rom *r)
{
	uint8_t v[8];
	r_opt_values(r, v);
	v[0] = r->chip->v->family == TW_F1_FAMILY_F1 ? 0x00 : 0xBB;
	return r_options(r, v, r_keep_all);
}

/* AN3155 §3.12 and Table 3 (V2.2): RAM cleared, all flash erased, RDP removed. At level 1 the
 * regression itself mass-erases (PM0075 §2.4.1, RM0091 §3.3.1); at level 0 the ROM erases with
 * MER (as an3155.md §3.1 reports). Only RDP is written back: the other options stay erased
 * (UNCONFIRMED; PM0075's unprotect sequence is "erase, then program RDP"). */
int f1_rom_readout_unprotect(f1_rom *r)
{
	for (uint32_t a = F1_SRAM_BASE; a < r_ram_end(r); a += 4)
		tw_f1_write(r->chip, TW_INIT_BOOTLOADER, a, 4, 0);
	if (!f1_rom_rdp_active(r) && f1_rom_mass_erase(r))
		return -1;
	uint8_t v[8] = {r->chip->v->family == TW_F1_FAMILY_F1 ? F1_RDP_L0_F1 : F1_RDP_L0_F03};
	const bool keep[8] = {true};
	return r_options(r, v, keep);
}

/* AN3155 figures 13/19/21/23/25 footnote: the ROM resets the chip after these commands on
 * F0/F2/F4/F7, not on F1 (UNCONFIRMED against stm32flash's comment that "the device
 * automatically performs a reset", written for the F1 era). On F0/F3 only an option-byte load
 * makes new options effective, so the reset is taken to be OBL_LAUNCH (UNCONFIRMED). */
bool f1_rom_resets_after_options(const f1_rom *r)
{
	return r->chip->v->family != TW_F1_FAMILY_F1;
}

void f1_rom_after_option_change(f1_rom *r)
{
	if (!f1_rom_resets_after_options(r))
		return;
	if (r_unlock(r) == 0)
		r_wr(r, F1_FLASH_CR, F1_CR_OBL_LAUNCH);
}
