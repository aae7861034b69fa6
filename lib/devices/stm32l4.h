/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4 device table (the FLASH_OPTR family): IDs, memory layout, the option
 * registers with their writable bits, the FLASH_OPTR user fields, WRP/PCROP area geometry and
 * the manual chapter of each part. Data only; checked by tests/unit/test_stm32l4_devices.c.
 *
 * Sources: RM0351 Rev 9 (L47x/L48x) §3.3.1 (flash 1 MiB in two banks of 256 pages of 2 KiB),
 * §3.7.8-§3.7.14 (FLASH_OPTR, PCROP1SR/ER, WRP1AR/BR, PCROP2SR/ER, WRP2AR/BR), §48.6.1
 * (DBGMCU_IDCODE 0xE0042000); RM0394 (L43x/L44x) §3.7 (single bank, 256 KiB); RM0444 Rev 5
 * (G07x/G08x) §3.7.8-§3.7.13 (OPTR fields, PCROP1A/B, WRP1A/B with 6-bit page fields),
 * §40.4.1 (DBGMCU_IDCODE 0x40015800); RM0440 Rev 7 (G431/G441, category 2) §5.7.8-§5.7.12
 * (7-bit WRP page fields, 15-bit PCROP fields); flash size register 0x1FFF75E0 (RM0351
 * §51.2, RM0444 §42.2, RM0440 §48.2); ../shared/reference/stm32-optr.md §1-§5 (register map,
 * OPTR bit positions after the CMSIS headers, DEV_IDs after OpenOCD's stm32l4x.h). */
#ifndef FK_DEVICES_STM32L4_H
#define FK_DEVICES_STM32L4_H

#include <stdbool.h>
#include <stdint.h>

#define STM32L4_FLASH_BASE 0x08000000U
#define STM32L4_SRAM_BASE 0x20000000U
#define STM32L4_FLASH_REGS 0x40022000U
#define STM32L4_FLASH_SIZE_REG 0x1FFF75E0U /* 16 bits, KiB */
#define STM32L4_OPT_AREA 0x1FFF7800U       /* option words (each followed by its complement) */
#define STM32L4_OTP_BASE 0x1FFF7000U       /* 1 KiB OTP (RM0351 §3.3.1 Table 7) */
#define STM32L4_SYSMEM 0x1FFF0000U
#define STM32L4_DBGMCU_L4 0xE0042000U
#define STM32L4_DBGMCU_G0 0x40015800U
#define STM32L4_CPUID 0xE000ED00U

typedef enum stm32l4_kind {
	STM32L4_KIND_L4 = 0,
	STM32L4_KIND_G0 = 1,
	STM32L4_KIND_G4 = 2,
} stm32l4_kind;

/* An option register: its offset from FLASH_R_BASE and the bits software may write. */
typedef struct stm32l4_optreg {
	const char *name; /* "OPTR", "WRP1AR" */
	uint8_t off;
	uint32_t mask;
} stm32l4_optreg;

/* A user field of FLASH_OPTR (`options set KEY=VALUE`). */
typedef struct stm32l4_field {
	const char *key;  /* "iwdg_sw" */
	uint8_t shift, bits;
	const char *help; /* what it means, values */
} stm32l4_field;

#define STM32L4_MAXREG 9

typedef struct stm32l4_device {
	uint16_t dev_id;
	const char *name;     /* canonical part name: "stm32l47x" */
	const char *desc;     /* "STM32L47x/L48x" */
	const char *members;  /* names --chip accepts */
	stm32l4_kind kind;
	const char *manual;   /* "RM0351" */
	const char *chapter;  /* the flash chapter's number in that manual: "3" (L4, G0), "5" (G4) */
	uint16_t max_kb;
	uint16_t page_bytes;
	bool dual_bank;       /* two banks of half the flash, bank 2 pages numbered from 0 (BKER) */
	uint16_t sram_kb;
	uint32_t bl_ram_lo, bl_ram_hi; /* SRAM the ROM bootloader leaves to Write Memory/Go */
	uint32_t idcode_addr;
	uint16_t cpu_part;    /* CPUID PARTNO: 0xC24 Cortex-M4, 0xC60 Cortex-M0+ */
	uint32_t wrp_field;   /* WRPxyR STRT mask (END = same << 16) */
	uint32_t pcrop_field; /* PCROPxSR/ER mask */
	unsigned pcrop_shift; /* log2 of the PCROP unit: 3 (double words) or 9 (512 bytes) */
	unsigned nregs;
	stm32l4_optreg regs[STM32L4_MAXREG]; /* regs[0] is OPTR */
	int8_t i_wrp[4];      /* WRP1A, WRP1B, WRP2A, WRP2B register index, -1 absent */
	int8_t i_pcs[2];      /* PCROP1(A) start, PCROP2 / PCROP1B start, -1 absent */
	int8_t i_pce[2];      /* ... end; PCROP_RDP is bit 31 of i_pce[0] */
	unsigned nbkp;        /* backup registers a regression clears */
	const char *bkp_name; /* "RTC_BKPxR", "TAMP_BKPxR" */
} stm32l4_device;

#define STM32L4_PCROP_RDP (1U << 31)

const stm32l4_device *stm32l4_dev_find(uint16_t dev_id);
const stm32l4_device *stm32l4_dev_at(unsigned i); /* NULL past the end */
bool stm32l4_dev_matches(const stm32l4_device *d, const char *name);
/* FLASH_OPTR user fields of this part (those whose bits are writable on it). */
unsigned stm32l4_dev_fields(const stm32l4_device *d, const stm32l4_field **out, unsigned cap);
/* 0xAA level 0, 0xCC level 2, anything else level 1 (RM0351 §3.5.1). */
unsigned stm32l4_rdp_level(uint8_t rdp);

#endif
