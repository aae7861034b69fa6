/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4 (the FLASH_OPTR family) behind the chip-driver interface: the family's
 * internal API, shared by lib/chip/stm32l4_*.c only (the layers above see lib/chip/driver.h).
 *
 * Sources: RM0351 Rev 9 §3.3.5 (unlock: KEY1, KEY2 to FLASH_KEYR; a wrong sequence locks
 * FLASH_CR until the next reset), §3.3.6 (page erase PER + PNB + BKER + STRT, mass erase
 * MER1/MER2 + STRT), §3.3.7 (programming by double words with PG, errors §3.3.8), §3.4.2
 * (option bytes: OPTKEYR, write the registers, OPTSTRT, then OBL_LAUNCH or a power-on loads
 * them), §3.5.1 (RDP 0xAA / 0xCC / other; level 1 with a debugger connected: flash and backup
 * registers inaccessible; the 1 -> 0 regression erases per PCROP_RDP), §3.5.2 (PCROP, the
 * PCROP_RDP bit), §3.5.3 (WRP areas, unused when start > end), §3.7 (registers); RM0444 §3
 * (G0, same numbering; Table 18 for the regression incl. TAMP backup registers); RM0440 §5
 * (G4). ../shared/reference/stm32-optr.md collects them with OpenOCD's sequences. */
#ifndef FK_CHIP_STM32L4_FAM_H
#define FK_CHIP_STM32L4_FAM_H

#include <stdbool.h>
#include <stdint.h>

#include "chip/driver.h"
#include "devices/stm32l4.h"

#define STM32L4_FLASH_KEYR (STM32L4_FLASH_REGS + 0x08U)
#define STM32L4_FLASH_OPTKEYR (STM32L4_FLASH_REGS + 0x0CU)
#define STM32L4_FLASH_SR (STM32L4_FLASH_REGS + 0x10U)
#define STM32L4_FLASH_CR (STM32L4_FLASH_REGS + 0x14U)
#define STM32L4_FLASH_ECCR (STM32L4_FLASH_REGS + 0x18U)
#define STM32L4_KEY1 0x45670123U
#define STM32L4_KEY2 0xCDEF89ABU
#define STM32L4_OPTKEY1 0x08192A3BU
#define STM32L4_OPTKEY2 0x4C5D6E7FU

/* FLASH_SR (RM0351 §3.7.5) */
#define STM32L4_FLASH_SR_EOP (1U << 0)
#define STM32L4_FLASH_SR_OPERR (1U << 1)
#define STM32L4_FLASH_SR_PROGERR (1U << 3)
#define STM32L4_FLASH_SR_WRPERR (1U << 4)
#define STM32L4_FLASH_SR_PGAERR (1U << 5)
#define STM32L4_FLASH_SR_SIZERR (1U << 6)
#define STM32L4_FLASH_SR_PGSERR (1U << 7)
#define STM32L4_FLASH_SR_MISERR (1U << 8)
#define STM32L4_FLASH_SR_FASTERR (1U << 9)
#define STM32L4_FLASH_SR_RDERR (1U << 14)
#define STM32L4_FLASH_SR_OPTVERR (1U << 15)
#define STM32L4_FLASH_SR_BSY (1U << 16)
#define STM32L4_FLASH_SR_ERRORS 0xC3FAU /* OPERR, PROGERR..FASTERR, RDERR, OPTVERR */

/* FLASH_CR (RM0351 §3.7.6) */
#define STM32L4_FLASH_CR_PG (1U << 0)
#define STM32L4_FLASH_CR_PER (1U << 1)
#define STM32L4_FLASH_CR_MER1 (1U << 2)
#define STM32L4_FLASH_CR_PNB_SHIFT 3U
#define STM32L4_FLASH_CR_BKER (1U << 11)
#define STM32L4_FLASH_CR_MER2 (1U << 15)
#define STM32L4_FLASH_CR_STRT (1U << 16)
#define STM32L4_FLASH_CR_FSTPG (1U << 18)
#define STM32L4_ROW_BYTES 256U /* fast programming: a row of 32 double words (§3.3.7) */
#define STM32L4_FLASH_CR_OPTSTRT (1U << 17)
#define STM32L4_FLASH_CR_OBL_LAUNCH (1U << 27)
#define STM32L4_FLASH_CR_OPTLOCK (1U << 30)
#define STM32L4_FLASH_CR_LOCK (1U << 31)

#define STM32L4_FLASH_ECCR_ECCD (1U << 31)
#define STM32L4_FLASH_ECCR_ECCC (1U << 30)

/* The option registers as read (FLASH_OPTR.. in force since the last load) plus SR/CR. */
typedef struct stm32l4_optstate {
	uint32_t w[STM32L4_MAXREG]; /* device regs[] order */
	uint32_t sr, cr, eccr;
	unsigned level;
	uint8_t rdp;
	bool pcrop_rdp;
	/* bootloader path at RDP level 1: the ROM refuses Read Memory, so the option words (and
	 * the RDP byte) are unknown; w[] is zero, level is 1 */
	bool hidden;
} stm32l4_optstate;

/* A decoded area: WRP in pages of its bank, PCROP as an address range. */
typedef struct stm32l4_area {
	bool used;
	unsigned bank;          /* 0 or 1 */
	unsigned first, last;   /* WRP: page numbers in the bank */
	uint32_t lo, hi;        /* absolute addresses, hi exclusive (pages for WRP too) */
} stm32l4_area;

struct an3155;

typedef struct stm32l4drv {
	const stm32l4_device *dev;
	const fk_mem_ops *mem;  /* debug path; NULL on the bootloader path */
	void *h;
	struct an3155 *bl;      /* bootloader path: the adopted AN3155 client; NULL otherwise */
	uint64_t (*bl_vns)(void *); /* the stream's virtual clock (twin), may be NULL */
	void *bl_stream_h;
	bool key_failed, optkey_failed;
	uint32_t idcode;
	uint16_t flash_kb;
	bool size_assumed;
	bool dual;              /* two banks in use */
	unsigned npages;        /* all banks */
	fk_erase_unit *units;
	/* per page, bit r: row r erased by this session and not programmed since (fast
	 * programming needs erased rows, §3.3.7); debug path only */
	uint8_t *fresh;
	bool fast_off;          /* fast programming failed once (MISERR/FASTERR): PG from then on */
	/* the option words program() last checked protection against: kept until an option
	 * register, OPTSTRT or OBL_LAUNCH is written, the chip is reset or the bootloader restarts
	 * (the only ways they change), so a write does not read them again for every page */
	stm32l4_optstate prog_opts;
	bool prog_opts_valid;
	unsigned prog_opts_restarts;
	fk_chip_area areas[3];
	fk_chip_desc desc;
	fk_opt_field opts[28];
	char part[32];
	/* the option words a planned step writes, by step id (the step's payload) */
	uint32_t target[FK_STEP_COUNT_][STM32L4_MAXREG];
	bool target_set[FK_STEP_COUNT_];
} stm32l4drv;

/* stm32l4_dbg.c: the flash controller over the memory path. */
int stm32l4_rd32(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, uint32_t *v);
int stm32l4_wr32(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, uint32_t v);
int stm32l4_options(stm32l4drv *f, fk_ctx *ctx, stm32l4_optstate *o);
int stm32l4_clear_errors(stm32l4drv *f, fk_ctx *ctx);
int stm32l4_unlock_ctrl(stm32l4drv *f, fk_ctx *ctx);
int stm32l4_unlock_opt(stm32l4drv *f, fk_ctx *ctx);
void stm32l4_lock(stm32l4drv *f, fk_ctx *ctx);
int stm32l4_erase_page(stm32l4drv *f, fk_ctx *ctx, unsigned unit);
int stm32l4_mass_erase(stm32l4drv *f, fk_ctx *ctx);
int stm32l4_program_dw(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
		       uint32_t len);
/* Write the option registers (w, device order), OPTSTRT, then OBL_LAUNCH (the load: a system
 * reset; the core is halted again after it). */
int stm32l4_write_options(stm32l4drv *f, fk_ctx *ctx, const uint32_t *w);
int stm32l4_obl_launch(stm32l4drv *f, fk_ctx *ctx);

/* stm32l4_boot.c: the same operations through the ROM bootloader (AN3155). */
uint32_t stm32l4_ob_addr(uint8_t off);
int stm32l4_boot_options(stm32l4drv *f, fk_ctx *ctx, stm32l4_optstate *o);
int stm32l4_boot_read(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len);
int stm32l4_boot_erase(stm32l4drv *f, fk_ctx *ctx, const uint16_t *pages, unsigned n);
int stm32l4_boot_mass_erase(stm32l4drv *f, fk_ctx *ctx);
int stm32l4_boot_crc32(stm32l4drv *f, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len,
		       unsigned n, uint32_t *crc);
int stm32l4_boot_program(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
			 uint32_t len);
uint8_t stm32l4_boot_cmd_for(const stm32l4drv *f, const stm32l4_optstate *o, const uint32_t *w,
			     char *why, size_t n);
int stm32l4_boot_options_write(stm32l4drv *f, fk_ctx *ctx, const stm32l4_optstate *o,
			       const uint32_t *w);
int stm32l4_boot_run(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, bool dry, char *how,
		     size_t how_len);
void stm32l4_boot_close(stm32l4drv *f);

/* stm32l4_opt.c: decode, the options schema, inventory, plans, steps. */
void stm32l4_wrp_area(const stm32l4drv *f, const uint32_t *w, unsigned i, stm32l4_area *a);
void stm32l4_pcrop_area(const stm32l4drv *f, const uint32_t *w, unsigned i, stm32l4_area *a);
unsigned stm32l4_opt_fields(const stm32l4drv *f, fk_opt_field *out, unsigned cap);
int stm32l4_opt_apply(const stm32l4drv *f, fk_ctx *ctx, const char *kv, uint32_t *w);
int stm32l4_inventory(stm32l4drv *f, fk_ctx *ctx, fk_inventory *inv);
int stm32l4_plan(stm32l4drv *f, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		 fk_plan *plan);
int stm32l4_step(stm32l4drv *f, fk_ctx *ctx, const fk_step *st);
/* "RM0351 §3.5.1" for sub-section "5.1" of the part's flash chapter (buf of n bytes). */
const char *stm32l4_sec(const stm32l4drv *f, const char *sub, char *buf, size_t n);

#endif
