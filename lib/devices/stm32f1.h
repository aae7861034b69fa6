/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 device table (the FPEC family): IDs, memory layout, page and write-protection
 * geometry, option-byte dialect and bootloader facts per DEV_ID. Data only; validated by
 * tests/unit/test_stm32f1_devices.c.
 * Sources: PM0075 Rev 2 §2.2-§2.5 and §3 (F10x flash, option bytes, OBR layout); RM0008 Rev 21
 * §3.3.3 Tables 5-6 (memory), §30 (flash size 0x1FFFF7E0, UID 0x1FFFF7E8), §31.6
 * (DBGMCU_IDCODE 0xE0042000, JTAG/SW-DP IDs); RM0091 Rev 10 §3 and §40 (F0: DBGMCU at
 * 0x40015800, flash size 0x1FFFF7CC, UID 0x1FFFF7AC, SW-DP 0x0BB11477); RM0316 Rev 8 §4 and
 * §33 (F3); AN2606 (bootloader version, SRAM it keeps); ../shared/reference/stm32-fpec.md. */
#ifndef FK_DEVICES_STM32F1_H
#define FK_DEVICES_STM32F1_H

#include <stdbool.h>
#include <stdint.h>

#define STM32F1_FLASH_BASE 0x08000000U
#define STM32F1_OPTBYTES 0x1FFFF800U /* 8 value/complement half-words */
#define STM32F1_OPTBYTES_LEN 16U
#define STM32F1_SRAM_BASE 0x20000000U
#define STM32F1_FLASH_REGS 0x40022000U
#define STM32F1_DBGMCU_IDCODE_F1 0xE0042000U /* F1 and F3 */
#define STM32F1_DBGMCU_IDCODE_F0 0x40015800U
#define STM32F1_CPUID 0xE000ED00U

/* Protection dialect (stm32-fpec.md §2): F1 RDP 0xA5 = level 0, no level 2, options reload at
 * every reset; F0/F3 0xAA level 0, 0xCC level 2, reload on OBL_LAUNCH or power-on reset. */
typedef enum stm32f1_family {
	STM32F1_FAM_F0 = 0,
	STM32F1_FAM_F1 = 1,
	STM32F1_FAM_F3 = 3,
} stm32f1_family;

enum stm32f1_flags {
	STM32F1_F_LEVEL2 = 1u << 0,      /* RDP level 2 (0xCC) exists: F0/F3 */
	STM32F1_F_OBL_LAUNCH = 1u << 1,  /* FLASH_CR bit 13 reloads the options: F0/F3 */
	STM32F1_F_RDP_4K_WRP = 1u << 2,  /* level 1 write-protects the first 4 KiB: F1 (not XL) */
	STM32F1_F_EXT_ERASE = 1u << 3,   /* the bootloader has Extended Erase 0x44, not 0x43 */
	STM32F1_F_F0_USER = 1u << 4,     /* USER has nBOOT1, VDDA_MONITOR, RAM_PARITY_CHECK */
};

typedef struct stm32f1_device {
	uint16_t dev_id;       /* DBGMCU_IDCODE[11:0] = bootloader PID */
	const char *name;      /* canonical: "stm32f10x-md" */
	const char *desc;      /* "STM32F103x8/xB medium density" */
	const char *members;   /* space-separated names accepted by --chip */
	stm32f1_family family;
	unsigned flags;        /* STM32F1_F_* */
	uint16_t max_kb;       /* largest flash of the line (the size register says the part's) */
	uint16_t page_bytes;
	uint8_t wrp_pages;     /* pages per WRPR bit; the last bit takes all remaining pages */
	uint8_t wrp_bits;      /* WRPR bits that exist (16: WRP0/WRP1 only) */
	uint16_t sram_kb;
	uint32_t flash_size_reg; /* 16-bit, KiB */
	uint32_t uid_base;
	uint32_t sysmem_base;
	uint32_t dpidr;        /* SW-DP */
	uint32_t jtag_idcode;  /* JTAG-DP, 0 = SWD only */
	uint8_t bl_versions[3]; /* AN3155 Get versions known for this PID (0 = unused slot) */
	uint16_t bl_ram_reserved; /* bytes at the start of SRAM the ROM bootloader keeps */
	const char *manual;
} stm32f1_device;

const stm32f1_device *stm32f1_dev_find(uint16_t dev_id);
const stm32f1_device *stm32f1_dev_at(unsigned i); /* NULL past the end */
bool stm32f1_dev_matches(const stm32f1_device *d, const char *name);
uint32_t stm32f1_dev_idcode_addr(const stm32f1_device *d);
/* Level-0 RDP byte of the family (0xA5 or 0xAA); level 2 byte (0xCC) or 0 when none. */
uint8_t stm32f1_dev_rdp_level0(const stm32f1_device *d);
uint8_t stm32f1_dev_rdp_level2(const stm32f1_device *d);
/* RDP byte (after the complement check) -> level 0, 1, 2. */
unsigned stm32f1_dev_rdp_level(const stm32f1_device *d, uint8_t rdp);
/* WRPR bit protecting a page, and the pages [first, last] a bit covers for flash_kb. Returns
 * false for a bit with no page in this flash size. */
unsigned stm32f1_dev_wrp_bit(const stm32f1_device *d, unsigned page);
bool stm32f1_dev_wrp_range(const stm32f1_device *d, uint32_t flash_kb, unsigned bit,
			   unsigned *first, unsigned *last);
/* Bootloader version listed for this part. */
bool stm32f1_dev_bl_version_known(const stm32f1_device *d, uint8_t version);

#endif
