/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory side of the twin's F4 bootloader (AN3155 server): which addresses each command
 * accepts, and the flash-controller sequences the ROM code runs — all through tw_f4_read() and
 * tw_f4_write() as TW_INIT_BOOTLOADER, so that the chip model alone enforces protection.
 *
 * Sources: AN3155 Rev 20 §3.4-§3.12, Table 3 (V2.2: Read/Write/Go NACK the bootloader's RAM;
 * Readout Unprotect clears RAM); AN2606 Rev 69 Table 73/226 (F40x V3.x uses 8 KB of RAM from
 * 0x20000000; system memory 0x1FFF0000-0x1FFF77FF; bytes written x8 at 1.62-2.1 V), §4.3 Table 4
 * (F2/F4/F7: OTP readable and writable); RM0090 Rev 21 §3.6 (program/erase sequences), §3.7
 * (option bytes, OPTKEYR, OPTSTRT); stm32.md §1.1-§1.7. */
#ifndef TW_STM32F4_AN3155_ROM_H
#define TW_STM32F4_AN3155_ROM_H

#include <stdbool.h>
#include <stdint.h>

#include "stm32f4/f4.h"

#define AN_ROM_VERSION 0x31U /* USART protocol V3.1 (AN2606 Table 226: F40x bootloader V3.1) */

/* AN2606 §4.3 Table 4 (F2/F4/F7): a virtual 4-byte location at 0xFFFF0000 selects the supply
 * range the ROM programs and erases for, until the next reset: 0x00 1.8-2.1 V, 0x01 2.1-2.4 V,
 * 0x02 2.4-2.7 V, 0x03 2.7-3.6 V, 0x04 2.7-3.6 V with VPP; the other 3 bytes must be 0xFF. The
 * parallelism for each range is RM0090 §3.6.2 Table 13's: x8, x16, x16, x32, x64 (AN2606 does
 * not list it: UNCONFIRMED, an3155.md §8). */
#define AN_ROM_VRANGE_ADDR 0xFFFF0000U

typedef struct an_rom {
	tw_f4 *chip;
	uint8_t vrange; /* 0..4 as written at AN_ROM_VRANGE_ADDR; 0 after a reset */
} an_rom;

void an_rom_init(an_rom *r, tw_f4 *chip);
uint16_t an_rom_pid(const an_rom *r);
/* The ROM reads FLASH_OPTCR.RDP: anything but 0xAA means read protection is active. */
bool an_rom_rdp_active(an_rom *r);
bool an_rom_readable(const an_rom *r, uint32_t addr, uint32_t n);
bool an_rom_writable(const an_rom *r, uint32_t addr, uint32_t n);
bool an_rom_go_ok(const an_rom *r, uint32_t addr);
bool an_rom_is_options(const an_rom *r, uint32_t addr);
void an_rom_read(an_rom *r, uint32_t addr, uint8_t *buf, uint32_t n);
/* 0 on success, -1 when the controller reported an error (the server NACKs). */
int an_rom_write(an_rom *r, uint32_t addr, const uint8_t *data, uint32_t n);
int an_rom_mass_erase(an_rom *r, uint16_t code); /* 0xFFFF all, 0xFFFE bank 1, 0xFFFD bank 2 */
int an_rom_erase_list(an_rom *r, const uint8_t *pages_be, unsigned n);
int an_rom_write_protect(an_rom *r, const uint8_t *sectors, unsigned n);
int an_rom_write_unprotect(an_rom *r);
int an_rom_readout_protect(an_rom *r);
int an_rom_readout_unprotect(an_rom *r);

#endif
