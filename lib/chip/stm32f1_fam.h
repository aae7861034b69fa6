/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 (the FPEC family) behind the chip-driver interface: the family's internal API,
 * shared by lib/chip/stm32f1_*.c only (the layers above see lib/chip/driver.h alone).
 *
 * Sources: PM0075 Rev 2 (STM32F10xxx flash programming manual) §2.3 (unlock, program, erase),
 * §2.4 (read and write protection), §2.5 (option bytes), §3 (FLASH_ACR..FLASH_WRPR);
 * RM0091 Rev 10 §3.2-§3.5 (F0: the same FPEC, OBL_LAUNCH, RDP level 2, OBR layout);
 * RM0316 Rev 8 §4.2-§4.5 (F3, as F0); ../shared/reference/stm32-fpec.md (register map, OBR
 * layouts per family, what OpenOCD and stm32flash write). */
#ifndef FK_CHIP_STM32F1_FAM_H
#define FK_CHIP_STM32F1_FAM_H

#include <stdbool.h>
#include <stdint.h>

#include "chip/driver.h"
#include "devices/stm32f1.h"

/* ---- FPEC registers (PM0075 §3.1-§3.8; RM0091 §3.5) ---- */
#define STM32F1_FLASH_ACR 0x40022000U
#define STM32F1_FLASH_KEYR 0x40022004U
#define STM32F1_FLASH_OPTKEYR 0x40022008U
#define STM32F1_FLASH_SR 0x4002200CU
#define STM32F1_FLASH_CR 0x40022010U
#define STM32F1_FLASH_AR 0x40022014U
#define STM32F1_FLASH_OBR 0x4002201CU
#define STM32F1_FLASH_WRPR 0x40022020U
#define STM32F1_KEY1 0x45670123U /* PM0075 §3.2: the same keys for KEYR and OPTKEYR */
#define STM32F1_KEY2 0xCDEF89ABU

#define STM32F1_FLASH_SR_BSY (1U << 0)
#define STM32F1_FLASH_SR_PGERR (1U << 2)
#define STM32F1_FLASH_SR_WRPRTERR (1U << 4)
#define STM32F1_FLASH_SR_EOP (1U << 5)
#define STM32F1_FLASH_SR_ERRORS (STM32F1_FLASH_SR_PGERR | STM32F1_FLASH_SR_WRPRTERR)

#define STM32F1_FLASH_CR_PG (1U << 0)
#define STM32F1_FLASH_CR_PER (1U << 1)
#define STM32F1_FLASH_CR_MER (1U << 2)
#define STM32F1_FLASH_CR_OPTPG (1U << 4)
#define STM32F1_FLASH_CR_OPTER (1U << 5)
#define STM32F1_FLASH_CR_STRT (1U << 6)
#define STM32F1_FLASH_CR_LOCK (1U << 7)
#define STM32F1_FLASH_CR_OPTWRE (1U << 9)
#define STM32F1_FLASH_CR_OBL_LAUNCH (1U << 13) /* F0/F3 only: RM0091 §3.5.5 */

#define STM32F1_FLASH_OBR_OPTERR (1U << 0)

/* USER option byte bits (PM0075 §2.5 Table 4; RM0091 §3.3 Table 11). */
#define STM32F1_USER_WDG_SW (1U << 0)
#define STM32F1_USER_NRST_STOP (1U << 1)
#define STM32F1_USER_NRST_STDBY (1U << 2)
#define STM32F1_USER_NBOOT1 (1U << 4)       /* F0 */
#define STM32F1_USER_VDDA_MONITOR (1U << 5) /* F0 */
#define STM32F1_USER_RAM_PARITY (1U << 6)   /* F0: 0 = parity check enabled */

/* The option bytes as values (complements implied): what an option write programs. wrp holds
 * WRP0..WRP3 in bits 7:0 .. 31:24, a bit clear = its page group protected (PM0075 §2.5). */
typedef struct stm32f1_opts {
	uint8_t rdp, user, data0, data1;
	uint32_t wrp;
} stm32f1_opts;

/* The option-byte block read from the chip: as stored at 0x1FFFF800 and as loaded. */
typedef struct stm32f1_optstate {
	uint8_t raw[STM32F1_OPTBYTES_LEN]; /* value/complement pairs as stored */
	bool raw_valid;
	uint32_t obr, wrpr;                /* FLASH_OBR, FLASH_WRPR: as loaded at the last load */
	bool regs_valid;
	stm32f1_opts stored;               /* the value bytes of raw */
	unsigned bad_pairs;                /* bit i: pair i's complement does not match */
	stm32f1_opts loaded;               /* decoded from OBR/WRPR */
	unsigned level;                    /* RDP level in force (from OBR) */
	bool opterr;
} stm32f1_optstate;

/* One access path (debug memory path; the bootloader later): the operations the family logic
 * needs. Every function reports in register terms through ctx. */
typedef struct stm32f1_path_ops {
	const char *name; /* "debug", "bootloader" */
	int (*read)(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len);
	/* Optional (NULL or FK_E_UNSUPPORTED): CRC-32 of ranges computed on the chip. */
	int (*crc32)(void *h, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		     uint32_t *crc);
	/* Optional (NULL or FK_E_UNSUPPORTED): which of n pages of page bytes from addr hold
	 * anything but 0xFF, decided on the chip (dirty[i] 1: not erased, 0: reads erased). */
	int (*blank)(void *h, fk_ctx *ctx, uint32_t addr, uint32_t page, unsigned n, uint8_t *dirty);
	int (*regs)(void *h, fk_ctx *ctx, uint32_t *sr, uint32_t *cr);
	int (*options)(void *h, fk_ctx *ctx, stm32f1_optstate *o);
	int (*clear_errors)(void *h, fk_ctx *ctx);
	int (*unlock_ctrl)(void *h, fk_ctx *ctx);
	int (*unlock_opt)(void *h, fk_ctx *ctx);
	int (*lock)(void *h, fk_ctx *ctx);
	int (*erase_page)(void *h, fk_ctx *ctx, uint32_t addr);
	int (*mass_erase)(void *h, fk_ctx *ctx);
	int (*program)(void *h, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len);
	/* Erase the option block and program want (all eight, complements included). */
	int (*write_options)(void *h, fk_ctx *ctx, const stm32f1_opts *want, bool regress);
	/* Make the stored option bytes the loaded ones: F1 at any system reset, F0/F3 through
	 * FLASH_CR.OBL_LAUNCH (RM0091 §3.5.5). */
	int (*reset)(void *h, fk_ctx *ctx, fk_reset_kind kind, bool reload);
	int (*run)(void *h, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len);
	uint64_t (*virtual_ns)(void *h);
	bool (*key_failed)(void *h, bool opt);
	void (*close)(void *h);
} stm32f1_path_ops;

typedef struct stm32f1drv {
	const stm32f1_device *dev;
	fk_path_kind kind;
	const stm32f1_path_ops *ops;
	void *h;
	uint32_t idcode;
	uint16_t flash_kb;
	bool size_assumed;
	bool clone;              /* DP IDCODE 0x2BA01477 with DEV_ID 0x410: not an ST part */
	unsigned npages;
	fk_erase_unit *units;
	fk_chip_area areas[2];
	fk_chip_desc desc;
	fk_opt_field opts[10];
	char part[48];
	char members[320];
	/* the option state program() last checked protection against: kept while only erase,
	 * program and read run; any step, reset, run, relock or on-chip CRC (its code ends in a
	 * system reset, which loads pending F1 options) forgets it */
	stm32f1_optstate prog_opts;
	bool prog_opts_valid;
	unsigned erase_spared; /* pages the last erase found erased and left alone */
} stm32f1drv;

/* stm32f1_dbg.c: the debug memory path. */
int stm32f1_dbg_open(fk_ctx *ctx, const stm32f1_device *dev, const fk_mem_ops *mem, void *mem_h,
		     const stm32f1_path_ops **ops, void **h);

/* stm32f1_boot.c: the ROM bootloader path (AN3155), adopting the session's connected
 * client. */
struct an3155;
int stm32f1_boot_adopt(fk_ctx *ctx, const stm32f1_device *dev, const fk_transport *t,
		       const struct an3155 *bl, const stm32f1_path_ops **ops, void **h);

/* stm32f1_opt.c: option bytes as semantic keys, decode, the inventory and the plans. */
void stm32f1_opt_decode(const stm32f1_device *dev, stm32f1_optstate *o);
unsigned stm32f1_opt_fields(const stm32f1_device *dev, fk_opt_field *out, unsigned cap);
int stm32f1_opt_apply(const stm32f1drv *f, fk_ctx *ctx, const char *kv, stm32f1_opts *want);
/* The level-1 byte written when raising to level 1 (0x00 on all three, as OpenOCD's lock). */
uint8_t stm32f1_rdp_code(const stm32f1_device *dev, unsigned level, uint8_t keep);
int stm32f1_inventory(stm32f1drv *f, fk_ctx *ctx, fk_inventory *inv);
int stm32f1_plan(stm32f1drv *f, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		 fk_plan *plan);
int stm32f1_step(stm32f1drv *f, fk_ctx *ctx, const fk_step *st);
/* The option values a step writes travel in the step itself (fk_step.value[0]/value[1] hold
 * rdp|user<<8|data0<<16|data1<<24 and the WRP bytes: the step's payload). */
void stm32f1_step_pack(const stm32f1_opts *o, fk_step *st);
void stm32f1_step_unpack(const fk_step *st, stm32f1_opts *o);
/* Page i is write-protected by the loaded options (WRPR, or the F1's first 4 KiB at level 1). */
bool stm32f1_page_protected(const stm32f1drv *f, const stm32f1_optstate *o, unsigned page,
			    const char **why);

/* stm32f1_driver.c: pages that already read erased are not erased again (PM0075 §2.3.3).
 * stm32f1_erase_needed: does a page need an erase when the path's blank check ended with rc
 * and said dirty (1: a word other than 0xFFFFFFFF)? Yes unless rc is FK_OK and dirty is 0.
 * stm32f1_pages_to_erase: the pages of set put into todo (initialised, empty) minus those the
 * path's blank check proves erased; returns how many were left out. Never fails: without a
 * check every page stays in todo. */
bool stm32f1_erase_needed(int rc, uint8_t dirty);
unsigned stm32f1_pages_to_erase(stm32f1drv *f, fk_ctx *ctx, const fk_sector_set *set,
				fk_sector_set *todo);

#endif
