/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F0/F1/F3 system-memory bootloader's memory side (its "ROM personality" for an AN3155
 * protocol server): the protocol version and command list, which addresses each command
 * accepts, and the FPEC sequences the ROM code runs — all through tw_f1_read()/tw_f1_write() as
 * TW_INIT_BOOTLOADER, so the chip model alone enforces protection.
 *
 * Sources: AN3155 Rev 20 §3.1-§3.12, Table 2 (note 2: under read protection only Get, Get
 * Version, Get ID and Readout Unprotect; footnote to figures 13/19/21/23/25: the closing system
 * reset only on F0/F2/F4/F7), Table 3 (V2.2 NACKs the bootloader's RAM and clears RAM in
 * Readout Unprotect; V3.0 Extended Erase, exclusive with Erase); AN2606 (F10x V2.2 with Erase
 * 0x43; F0/F3 V3.1 with Extended Erase 0x44; SRAM the ROM keeps: variants.c);
 * ../shared/reference/an3155.md §2, stm32-fpec.md §7. */
#ifndef TW_STM32F1_ROM_H
#define TW_STM32F1_ROM_H

#include <stdbool.h>
#include <stdint.h>

#include "stm32f1/f1.h"

typedef struct f1_rom {
	tw_f1 *chip;
} f1_rom;

void f1_rom_init(f1_rom *r, tw_f1 *chip);
uint8_t f1_rom_version(const f1_rom *r);  /* Get / Get Version: 0x22 or 0x31 */
uint16_t f1_rom_pid(const f1_rom *r);     /* Get ID */
/* The command codes Get lists, in order; returns how many (11). */
unsigned f1_rom_commands(const f1_rom *r, uint8_t out[16]);
bool f1_rom_has_command(const f1_rom *r, uint8_t cmd);
/* The ROM reads FLASH_OBR: read protection active (level 1; level 2 never runs the ROM). */
bool f1_rom_rdp_active(f1_rom *r);
bool f1_rom_readable(const f1_rom *r, uint32_t addr, uint32_t n);
bool f1_rom_writable(const f1_rom *r, uint32_t addr, uint32_t n);
bool f1_rom_go_ok(const f1_rom *r, uint32_t addr);
bool f1_rom_is_options(const f1_rom *r, uint32_t addr);
void f1_rom_read(f1_rom *r, uint32_t addr, uint8_t *buf, uint32_t n);
/* 0 on success, -1 when the FPEC reported an error or the request is invalid (NACK). */
int f1_rom_write(f1_rom *r, uint32_t addr, const uint8_t *data, uint32_t n);
int f1_rom_mass_erase(f1_rom *r);
/* Pages by number (Erase 0x43: one byte each; Extended Erase 0x44: two, MSB first). */
int f1_rom_erase_pages(f1_rom *r, const uint16_t *pages, unsigned n);
/* Write Protect: the WRP groups ("sectors") listed become the only protected ones. */
int f1_rom_write_protect(f1_rom *r, const uint8_t *sectors, unsigned n);
int f1_rom_write_unprotect(f1_rom *r);
int f1_rom_readout_protect(f1_rom *r);
int f1_rom_readout_unprotect(f1_rom *r);
/* After Write Protect/Unprotect, Readout Protect/Unprotect and an option-area Write Memory:
 * true when this family's ROM resets the chip itself (AN3155 footnote: F0, not F1), which it
 * then does in f1_rom_after_option_change (on F0/F3 through OBL_LAUNCH, so that the new
 * option bytes are loaded). */
bool f1_rom_resets_after_options(const f1_rom *r);
void f1_rom_after_option_change(f1_rom *r);

#endif
