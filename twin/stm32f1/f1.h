/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 chip model (the FPEC family): the one place where the twin enforces this
 * family's flash protection. Every access path reaches the chip through tw_f1_read() and
 * tw_f1_write() with the initiator it represents (the types are the twin's common ones, from
 * stm32f4/f4.h); none of them re-implements protection.
 *
 * Sources (each rule in the .c files cites its section):
 *   PM0075 Rev 2 "STM32F10xxx Flash memory microcontrollers" (programming manual) §2.3 (FPEC
 *     operations), §2.4 (protections), §2.5 (option bytes), §3 (registers);
 *   RM0008 Rev 21 (STM32F101/2/3/5/7) §3.3.3 (flash), §31.6.1 (DBGMCU_IDCODE), §30 (device
 *     electronic signature: flash size 0x1FFFF7E0, UID 0x1FFFF7E8);
 *   RM0091 Rev 10 (STM32F0x1/x2/x8) §3 (flash: §3.2.2 program/erase, §3.3 option bytes,
 *     §3.3.1 read protection levels, §3.5 registers), §40.1 (DBGMCU_IDCODE at 0x40015800);
 *   RM0316 Rev 8 (STM32F303xB/C...) §4 (flash, same FPEC as F0), §33.6.1 (DBGMCU_IDCODE);
 *   DS5319 (F103x8/xB) Table 28, DS9773 (F030), DS9118 (F303xB/C) flash characteristics;
 *   facts as collected (with the peer tools' readings) in ../shared/reference/stm32-fpec.md. */
#ifndef TW_STM32F1_F1_H
#define TW_STM32F1_F1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "model.h" /* the twin's access-path types: tw_initiator, tw_status, tw_reset... */

typedef struct tw_f1 tw_f1;
typedef struct tw_f1_variant tw_f1_variant; /* defined in variants.c; accessors below */

/* The three protection dialects of the FPEC (stm32-fpec.md §2): F1 RDP 0xA5 and no level 2,
 * option reload at every system reset; F0/F3 RDP 0xAA, level 2 0xCC, reload on OBL_LAUNCH or
 * power-on reset only. */
typedef enum tw_f1_family {
	TW_F1_FAMILY_F1 = 1,
	TW_F1_FAMILY_F0 = 0,
	TW_F1_FAMILY_F3 = 3,
} tw_f1_family;

/* ---- variants (data; validated by a unit test) ---- */
const tw_f1_variant *tw_f1_variant_find(const char *name); /* case-insensitive: "stm32f103c8" */
const tw_f1_variant *tw_f1_variant_at(unsigned i);        /* NULL past the end */
const char *tw_f1_variant_name(const tw_f1_variant *v);
const char *tw_f1_variant_desc(const tw_f1_variant *v);   /* "STM32F103x8/xB medium density" */
tw_f1_family tw_f1_variant_family(const tw_f1_variant *v);
uint16_t tw_f1_variant_dev_id(const tw_f1_variant *v);
uint16_t tw_f1_variant_rev_id(const tw_f1_variant *v);
uint32_t tw_f1_variant_flash_bytes(const tw_f1_variant *v);
uint32_t tw_f1_variant_page_bytes(const tw_f1_variant *v);
unsigned tw_f1_variant_wrp_pages(const tw_f1_variant *v); /* pages per WRPR bit */
uint32_t tw_f1_variant_sram_bytes(const tw_f1_variant *v);
uint32_t tw_f1_variant_idcode_addr(const tw_f1_variant *v); /* DBGMCU_IDCODE */
uint32_t tw_f1_variant_flash_size_addr(const tw_f1_variant *v);
uint32_t tw_f1_variant_dpidr(const tw_f1_variant *v);     /* SW-DP DPIDR */
uint32_t tw_f1_variant_jtag_idcode(const tw_f1_variant *v); /* JTAG-DP IDCODE, 0 = SWD only */
uint32_t tw_f1_variant_bs_idcode(const tw_f1_variant *v); /* boundary-scan TAP, 0 = none */
uint32_t tw_f1_variant_cpuid(const tw_f1_variant *v);
uint8_t tw_f1_variant_bl_version(const tw_f1_variant *v); /* AN3155 Get: protocol version */
uint32_t tw_f1_variant_bl_ram_reserved(const tw_f1_variant *v); /* bytes from 0x20000000 */
uint32_t tw_f1_variant_sysmem_base(const tw_f1_variant *v);
bool tw_f1_variant_is_clone(const tw_f1_variant *v);

/* ---- life cycle ---- */
tw_f1 *tw_f1_new(const tw_f1_variant *v); /* factory state: blank flash, level 0, options valid */
void tw_f1_free(tw_f1 *t);
const tw_f1_variant *tw_f1_variant_of(const tw_f1 *t);

/* ---- the bus: every access path goes through these ---- */
/* size is 1, 2 or 4 bytes; addr naturally aligned for size (else TW_BUS_ERROR). */
tw_status tw_f1_read(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_f1_write(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);
/* On TW_STALL advance the clock to the end of the flash operation and retry. */
tw_status tw_f1_read_wait(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_f1_write_wait(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size,
			   uint32_t val);

/* ---- time (virtual clock, nanoseconds) ---- */
uint64_t tw_f1_now_ns(const tw_f1 *t);
void tw_f1_advance(tw_f1 *t, uint64_t ns); /* completes flash operations whose time is up */
bool tw_f1_busy(const tw_f1 *t);           /* FLASH_SR.BSY */
uint64_t tw_f1_busy_until_ns(const tw_f1 *t);
void tw_f1_set_timing_max(tw_f1 *t, bool max); /* false = datasheet typical/minimum (default) */
uint64_t tw_f1_prog_ns(const tw_f1 *t);        /* one half-word */
uint64_t tw_f1_page_erase_ns(const tw_f1 *t);
uint64_t tw_f1_mass_erase_ns(const tw_f1 *t);

/* ---- pins, resets, power ---- */
void tw_f1_reset(tw_f1 *t, tw_reset kind);
unsigned tw_f1_reset_count(const tw_f1 *t);
void tw_f1_set_boot(tw_f1 *t, tw_boot boot); /* takes effect at the next reset */
tw_boot tw_f1_boot(const tw_f1 *t);
void tw_f1_set_nrst(tw_f1 *t, bool asserted); /* releasing NRST performs a system reset */
bool tw_f1_nrst(const tw_f1 *t);
bool tw_f1_powered(const tw_f1 *t);
bool tw_f1_debug_reachable(const tw_f1 *t);     /* false at level 2 (F0/F3) */
bool tw_f1_bootloader_available(const tw_f1 *t); /* false at level 2 (F0/F3) */
bool tw_f1_intrusion(const tw_f1 *t);            /* debugger connected since the last POR */
void tw_f1_debug_attach(tw_f1 *t);
tw_core_state tw_f1_core_state(const tw_f1 *t);
bool tw_f1_halting_debug(const tw_f1 *t);

/* ---- faults (PM0075 §2.3: a reset during an operation leaves the contents undefined) ---- */
void tw_f1_fault_power_at_ns(tw_f1 *t, uint64_t ns); /* 0 = none */
void tw_f1_fault_power_at_op(tw_f1 *t, unsigned nth_op); /* cut halfway through the Nth op */
void tw_f1_power_off(tw_f1 *t);
void tw_f1_power_on(tw_f1 *t); /* a POR */

/* ---- protection as in force (loaded at the last option-byte load) ---- */
unsigned tw_f1_rdp_level(const tw_f1 *t); /* 0, 1, 2 */
uint8_t tw_f1_rdp_byte(const tw_f1 *t);   /* RDP byte as loaded (0xFF after a bad complement) */
bool tw_f1_opterr(const tw_f1 *t);        /* FLASH_OBR.OPTERR */
uint32_t tw_f1_wrpr(const tw_f1 *t);      /* FLASH_WRPR: bit clear = pages protected */
/* The page is write-protected now (WRPR, or the F1's first 4 KiB at level 1). */
bool tw_f1_page_protected(const tw_f1 *t, unsigned page);
unsigned tw_f1_page_count(const tw_f1 *t);
bool tw_f1_key_lockout(const tw_f1 *t, bool option_key); /* wrong key: locked until reset */

/* ---- inspection and creation (bypass protection; never used by access paths) ---- */
uint32_t tw_f1_reg(const tw_f1 *t, uint32_t addr); /* raw FLASH_x register value */
uint8_t tw_f1_peek(const tw_f1 *t, uint32_t addr);  /* raw memory byte, any region */
void tw_f1_poke(tw_f1 *t, uint32_t addr, uint8_t val); /* flash, SRAM, option bytes, UID */
/* The 16 option bytes at 0x1FFFF800 as stored (value/complement pairs). */
void tw_f1_option_bytes(const tw_f1 *t, uint8_t out[16]);
/* Store option bytes with their complements and load them (twin creation): rdp, user,
 * data0, data1, wrp = the four WRPx bytes (WRP0 in bits 7:0). */
void tw_f1_set_options(tw_f1 *t, uint8_t rdp, uint8_t user, uint8_t data0, uint8_t data1,
		       uint32_t wrp);
unsigned tw_f1_flash_ops(const tw_f1 *t); /* program/erase operations started */
bool tw_f1_dirty(const tw_f1 *t);

/* ---- state image (versioned, magic "FKTWFPEC"; validated on load) ---- */
int tw_f1_save_buffer(const tw_f1 *t, uint8_t **buf, size_t *len); /* malloc'd, caller frees */
int tw_f1_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      tw_f1 **out);
bool tw_f1_is_state_image(const uint8_t *buf, size_t len); /* starts with the magic */

#endif
