/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 device table: IDs, flash sizes, sector layouts, option-byte layout per DEV_ID.
 * Data only; validated by tests/unit/test_stm32f4_devices.c (sectors tile flash, unique IDs).
 * Sources: RM0090 Rev 21 §3.3/§3.4 Tables 5-10 (sectors), §3.9.10/§3.9.11 (OPTCR/OPTCR1),
 * §38.6.1 (DBGMCU_IDCODE, REV_ID); RM0368 (F401), RM0383 (F411), RM0390 (F446), RM0401 (F410),
 * RM0402 (F412), RM0430 (F413), RM0386 (F469) as summarised in ../shared/reference/stm32.md §1. */
#ifndef FK_DEVICES_STM32F4_H
#define FK_DEVICES_STM32F4_H

#include <stdbool.h>
#include <stdint.h>

/* Fixed F4 memory map (RM0090 §3.3 Table 5, §39.1). */
#define STM32F4_FLASH_BASE 0x08000000U
#define STM32F4_SYSMEM_BASE 0x1FFF0000U
#define STM32F4_OTP_BASE 0x1FFF7800U
#define STM32F4_OTP_BLOCKS 16U
#define STM32F4_OTP_BLOCK_SIZE 32U
#define STM32F4_OTP_LOCK_BASE 0x1FFF7A00U /* LOCKB0..LOCKB15, one 128-bit row */
#define STM32F4_OTP_END 0x1FFF7A10U      /* exclusive */
#define STM32F4_UID_BASE 0x1FFF7A10U
#define STM32F4_FLASH_SIZE_REG 0x1FFF7A22U /* 16-bit, KB */
#define STM32F4_OPTBYTES_BANK1 0x1FFFC000U
#define STM32F4_OPTBYTES_BANK2 0x1FFEC000U
#define STM32F4_OPTBYTES_LEN 16U
#define STM32F4_DBGMCU_IDCODE 0xE0042000U
#define STM32F4_CPUID 0xE000ED00U
#define STM32F4_SRAM_BASE 0x20000000U
#define STM32F4_CCM_BASE 0x10000000U

#define STM32F4_MAX_SECTORS 24U

typedef struct stm32f4_device {
	uint16_t dev_id;
	const char *name;     /* canonical: "stm32f40x" */
	const char *members;  /* space-separated part names accepted by --chip: "stm32f405 stm32f407" */
	uint16_t max_kb;      /* largest flash of the line */
	uint16_t bank_kb;     /* sectors restart at 12 after this many KB (dual bank); 0 = single */
	uint8_t nwrp_bits;    /* nWRP bits in OPTCR (per bank) */
	bool has_sprmod;      /* OPTCR bit 31 SPRMOD (PCROP) */
	bool has_optcr1;      /* OPTCR1 (bank 2 nWRP) */
	bool has_db1m;        /* OPTCR bit 30 */
	bool has_bfb2;        /* OPTCR bit 4 */
	bool has_rdperr;      /* FLASH_SR bit 8 */
	bool shared_last_wrp; /* F413: sectors 14 and 15 share nWRP14 */
	uint32_t optcr_reserved; /* bits that read as fixed (BMP's optcr_mask table) */
	const char *manual;   /* "RM0090" */
	/* RAM where an application's stack may live (`flashkey run` checks the initial SP):
	 * contiguous SRAM at STM32F4_SRAM_BASE and core-coupled memory at STM32F4_CCM_BASE (0 =
	 * none; CCM is on the D-bus only, so no code runs from it). The largest part of the line. */
	uint16_t sram_kb;
	uint16_t ccm_kb;
} stm32f4_device;

typedef struct stm32f4_sector {
	uint8_t number;  /* sector number: 0-11 bank 1, 12-23 bank 2 */
	uint8_t snb;     /* FLASH_CR.SNB encoding: bank 2 = 0x10 | (n - 12) (RM0090 §3.9.8) */
	uint8_t wrp_bit; /* bit in nWRP of OPTCR (bank 1) or OPTCR1 (bank 2) */
	uint8_t bank;    /* 0 or 1 */
	uint32_t addr, size;
} stm32f4_sector;

const stm32f4_device *stm32f4_dev_find(uint16_t dev_id);
const stm32f4_device *stm32f4_dev_at(unsigned i); /* NULL past the end */
/* True when name is the canonical name or one of the members (case-insensitive). */
bool stm32f4_dev_matches(const stm32f4_device *d, const char *name);

/* Sector layout for a part with flash_kb of flash (from the size register). db1m: OPTCR.DB1M on
 * 1 MB F42x (two banks of 512 KB). Returns the number of sectors, 0 when the size does not fit
 * the line (never guess a layout). */
unsigned stm32f4_dev_layout(const stm32f4_device *d, uint32_t flash_kb, bool db1m,
			    stm32f4_sector *out, unsigned max);

/* REV_ID -> revision letter/number (RM0090 §38.6.1), "?" when unknown. */
const char *stm32f4_dev_revision(const stm32f4_device *d, uint16_t rev_id);

#endif
