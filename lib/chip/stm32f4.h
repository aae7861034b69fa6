/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 family driver: the one interface above two access paths (DESIGN.md §2).
 *
 * The family logic (lib/chip/stm32f4.c: identify, inventory, erase/program planning, option
 * bytes, OTP, unlock steps) works over an access path, a table of operations:
 *   - the debug path (lib/chip/stm32f4_dbg.c) drives the flash controller registers over
 *     fk_mem_ops (SWD probe or the in-process twin: the driver cannot tell which);
 *   - the bootloader path (lib/chip/stm32f4_boot.c) asks the ROM bootloader (AN3155) to do it.
 * A path sets an operation to NULL when it cannot do it at all; an operation that is impossible
 * in the current state (e.g. reading OTP lock bytes through a bootloader at RDP level 1) fails
 * with FK_E_UNSUPPORTED or FK_E_PROTECTED and a frame saying why.
 *
 * Sources: RM0090 Rev 21 ch. 3 (§3.5-3.9), §38.6.1; AN3155; ../shared/reference/stm32.md. */
#ifndef FK_CHIP_STM32F4_H
#define FK_CHIP_STM32F4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chip/driver.h"
#include "devices/stm32f4.h"
#include "flashkey/backend.h"
#include "flashkey/core.h"
#include "flashkey/inventory.h"

/* ---- registers (RM0090 §3.9, FLASH base 0x40023C00) ---- */
#define STM32F4_FLASH_R_BASE 0x40023C00U
#define STM32F4_FLASH_ACR (STM32F4_FLASH_R_BASE + 0x00U)
#define STM32F4_FLASH_KEYR (STM32F4_FLASH_R_BASE + 0x04U)
#define STM32F4_FLASH_OPTKEYR (STM32F4_FLASH_R_BASE + 0x08U)
#define STM32F4_FLASH_SR (STM32F4_FLASH_R_BASE + 0x0CU)
#define STM32F4_FLASH_CR (STM32F4_FLASH_R_BASE + 0x10U)
#define STM32F4_FLASH_OPTCR (STM32F4_FLASH_R_BASE + 0x14U)
#define STM32F4_FLASH_OPTCR1 (STM32F4_FLASH_R_BASE + 0x18U)

#define STM32F4_FLASH_KEY1 0x45670123U
#define STM32F4_FLASH_KEY2 0xCDEF89ABU
#define STM32F4_FLASH_OPTKEY1 0x08192A3BU
#define STM32F4_FLASH_OPTKEY2 0x4C5D6E7FU

#define STM32F4_FLASH_SR_EOP (1U << 0)
#define STM32F4_FLASH_SR_OPERR (1U << 1)
#define STM32F4_FLASH_SR_WRPERR (1U << 4)
#define STM32F4_FLASH_SR_PGAERR (1U << 5)
#define STM32F4_FLASH_SR_PGPERR (1U << 6)
#define STM32F4_FLASH_SR_PGSERR (1U << 7)
#define STM32F4_FLASH_SR_RDERR (1U << 8)
#define STM32F4_FLASH_SR_BSY (1U << 16)
#define STM32F4_FLASH_SR_ERRORS 0x1F2U /* RDERR|PGSERR|PGPERR|PGAERR|WRPERR|OPERR */

#define STM32F4_FLASH_CR_PG (1U << 0)
#define STM32F4_FLASH_CR_SER (1U << 1)
#define STM32F4_FLASH_CR_MER (1U << 2)
#define STM32F4_FLASH_CR_SNB_SHIFT 3U
#define STM32F4_FLASH_CR_PSIZE_SHIFT 8U
#define STM32F4_FLASH_CR_MER1 (1U << 15)
#define STM32F4_FLASH_CR_STRT (1U << 16)
#define STM32F4_FLASH_CR_EOPIE (1U << 24)
#define STM32F4_FLASH_CR_ERRIE (1U << 25)
#define STM32F4_FLASH_CR_LOCK (1U << 31)

#define STM32F4_FLASH_OPTCR_OPTLOCK (1U << 0)
#define STM32F4_FLASH_OPTCR_OPTSTRT (1U << 1)
#define STM32F4_FLASH_OPTCR_BOR_SHIFT 2U
#define STM32F4_FLASH_OPTCR_BFB2 (1U << 4)
#define STM32F4_FLASH_OPTCR_WDG_SW (1U << 5)
#define STM32F4_FLASH_OPTCR_NRST_STOP (1U << 6)
#define STM32F4_FLASH_OPTCR_NRST_STDBY (1U << 7)
#define STM32F4_FLASH_OPTCR_RDP_SHIFT 8U
#define STM32F4_FLASH_OPTCR_NWRP_SHIFT 16U
#define STM32F4_FLASH_OPTCR_DB1M (1U << 30)
#define STM32F4_FLASH_OPTCR_SPRMOD (1U << 31)
#define STM32F4_OPTCR_DEFAULT 0x0FFFAAEDU /* RM0090 §3.9.10 reset value (virgin options) */
#define STM32F4_OPTCR1_DEFAULT 0x0FFF0000U

#define STM32F4_RDP_LEVEL0 0xAAU
#define STM32F4_RDP_LEVEL1 0x55U /* any value but 0xAA/0xCC; HAL's OB_RDP_LEVEL_1 */
#define STM32F4_RDP_LEVEL2 0xCCU

/* Program parallelism (FLASH_CR.PSIZE), RM0090 §3.6.2 Table 13. */
typedef enum stm32f4_psize {
	STM32F4_PSIZE_X8 = 0,
	STM32F4_PSIZE_X16 = 1,
	STM32F4_PSIZE_X32 = 2,
	STM32F4_PSIZE_X64 = 3,
} stm32f4_psize;

/* Raw controller state as a path can see it; valid flags say what it could read. */
typedef struct stm32f4_regs {
	uint32_t sr, cr, optcr, optcr1;
	bool sr_valid, cr_valid, optcr_valid, optcr1_valid;
	bool cr_key_failed; /* a key sequence failed in this session: locked until reset */
	/* OPTCR unreadable, but the path saw read protection (the bootloader NACKs Read Memory
	 * under RDP, AN3155 Table 2): level 1, since at level 2 it would not run at all. */
	bool rdp_inferred;
	int rdp_inferred_level;
} stm32f4_regs;

/* An access path: every operation is optional (NULL = impossible on this path). */
typedef struct stm32f4_path_ops {
	const char *name; /* "debug" | "bootloader" */
	/* DBGMCU_IDCODE (DEV_ID bits 11:0, REV_ID 31:16); bootloader: PID from Get ID, REV 0. */
	int (*idcode)(void *h, fk_ctx *ctx, uint32_t *idcode);
	/* Flash size in KB from 0x1FFF7A22; FK_E_PROTECTED/FK_E_BUS_FAULT when unreadable. */
	int (*flash_kb)(void *h, fk_ctx *ctx, uint16_t *kb);
	/* Memory read (any region the path can reach); a protected region fails with
	 * FK_E_PROTECTED naming the protection. */
	int (*read)(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len);
	int (*regs)(void *h, fk_ctx *ctx, stm32f4_regs *out);
	int (*clear_errors)(void *h, fk_ctx *ctx);          /* w1c of latched SR flags */
	int (*unlock_ctrl)(void *h, fk_ctx *ctx);           /* FLASH_CR keys; LOCK checked first */
	int (*unlock_opt)(void *h, fk_ctx *ctx);            /* FLASH_OPTCR keys */
	int (*lock)(void *h, fk_ctx *ctx);                  /* set LOCK and OPTLOCK again */
	/* Erase one sector (its SNB) with the given parallelism; waits for the end. */
	int (*erase_sector)(void *h, fk_ctx *ctx, const stm32f4_sector *s, stm32f4_psize psize);
	int (*mass_erase)(void *h, fk_ctx *ctx, bool two_banks, stm32f4_psize psize);
	/* Optional: erase several sectors in one request (a bootloader's Extended Erase takes a
	 * list, AN3155 §3.8); when NULL, erase_sector is called for each. */
	int (*erase_list)(void *h, fk_ctx *ctx, const stm32f4_sector *const *list, unsigned n,
			  stm32f4_psize psize);
	/* Program main flash or OTP: addr/len multiples of the PSIZE width, inside one region. */
	int (*program)(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		       stm32f4_psize psize);
	/* Program option bytes: OPTCR1 (when has_optcr1) then OPTCR, OPTSTRT, wait (an RDP 1->0
	 * regression mass-erases: long). The values are without OPTLOCK/OPTSTRT. */
	int (*write_options)(void *h, fk_ctx *ctx, uint32_t optcr, uint32_t optcr1, bool has_optcr1);
	int (*reset)(void *h, fk_ctx *ctx, fk_reset_kind kind);
	int (*voltage_mv)(void *h, fk_ctx *ctx);   /* -1 when unknown */
	uint64_t (*virtual_ns)(void *h);           /* twin clock; 0 when none */
	/* Optional: CRC-32 (as fk_crc32(0, ...)) of n ranges computed on the chip, so that a
	 * comparison does not read every byte back over a slow link; FK_E_UNSUPPORTED when the
	 * chip refuses to run the code (the caller reads back instead). */
	int (*crc32)(void *h, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		     uint32_t *crc);
	void (*close)(void *h);
	/* Optional (added last): start the application whose vector table is at addr (checked by
	 * the caller, stm32f4_vector_check). The bootloader jumps there (AN3155 Go); the debug
	 * path resets the chip with the core left running (fk_mem_ops.run), so it can start only
	 * the boot address (flash base) and refuses another addr. reset_mode is the user's
	 * --reset (-1 default, else fk_reset_kind; FK_RESET_POWER_CYCLE = none, refused on the
	 * debug path). With dry set nothing is touched: the same refusals, and `how` says what
	 * would be done. how (how_len bytes) receives what was done, e.g. "AN3155 Go 0x08000000". */
	int (*run)(void *h, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len);
} stm32f4_path_ops;

/* The driver state for one connected chip. */
typedef struct stm32f4 {
	const stm32f4_path_ops *ops;
	void *h;
	const stm32f4_device *dev;
	uint32_t idcode;
	uint32_t flash_kb;
	bool size_assumed;
	unsigned nsectors;
	stm32f4_sector sectors[STM32F4_MAX_SECTORS];
	stm32f4_psize psize;
} stm32f4;

/* ---- paths ---- */
/* The debug path over memory-mapped access. h is freed by ops->close. */
int stm32f4_dbg_open(fk_ctx *ctx, const fk_mem_ops *mem, void *mem_h,
		     const stm32f4_path_ops **ops, void **h);

/* ---- family logic (stm32f4.c) ---- */
/* Identify: fails closed with FK_E_UNKNOWN_CHIP on an ID not in the table. */
int stm32f4_attach(stm32f4 *d, fk_ctx *ctx, const stm32f4_path_ops *ops, void *h);
/* The same; force_part (NULL = none) names the part whose table is used whatever the IDs say
 * (the user's --allow-wrong-memory-map). */
int stm32f4_attach_as(stm32f4 *d, fk_ctx *ctx, const stm32f4_path_ops *ops, void *h,
		      const char *force_part);
/* PSIZE for a supply voltage in mV (Table 13); vpp allows x64. */
stm32f4_psize stm32f4_psize_for_mv(int mv, bool vpp);
unsigned stm32f4_psize_bytes(stm32f4_psize p);
const stm32f4_sector *stm32f4_sector_at(const stm32f4 *d, uint32_t addr);

/* Inventory: fills inv from the chip (never writes). */
int stm32f4_inventory(stm32f4 *d, fk_ctx *ctx, fk_inventory *inv);
/* Pure part of the inventory: decode raw values into inv (unit-tested). otp_lock may be NULL
 * (unreadable); otp_data likewise (16 x 32 bytes). */
void stm32f4_inventory_decode(const stm32f4_device *dev, const stm32f4_sector *sectors,
			      unsigned nsectors, const stm32f4_regs *r, bool intrusion,
			      const uint8_t *otp_lock, const uint8_t *otp_data, fk_inventory *inv);

/* ---- option bytes (pure, stm32f4_opt.c) ---- */
typedef struct stm32f4_options {
	uint8_t rdp;
	unsigned bor_lev;   /* raw field 0..3 (3 = off) */
	bool wdg_sw, nrst_stop, nrst_stdby, bfb2, db1m, sprmod;
	uint32_t nwrp;      /* bank 1 bits 0..11 (F413 0..14), bank 2 bits 12..23 */
} stm32f4_options;

void stm32f4_opt_decode(const stm32f4_device *dev, uint32_t optcr, uint32_t optcr1,
			stm32f4_options *o);
/* Fields from o; reserved bits and OPTLOCK/OPTSTRT as zero (written values). */
void stm32f4_opt_encode(const stm32f4_device *dev, const stm32f4_options *o, uint32_t *optcr,
			uint32_t *optcr1);
uint32_t stm32f4_opt_nwrp_mask(const stm32f4_device *dev); /* all nWRP bits of o->nwrp */
int stm32f4_rdp_level(uint8_t rdp); /* 0, 1 or 2 */
/* The unlock ladder (stm32f4_ladder.c): steps for the locks of inv with step id <= upto, safest
 * first; a step that cannot run as things stand is kept with refused=true and why. */
void stm32f4_ladder_build(const fk_inventory *inv, fk_step_id upto, fk_plan *plan);
/* Fills the optcr/optcr1 targets of the plan's option steps (wrp, rdp-raise, rdp). */
void stm32f4_plan_values(const stm32f4_device *dev, uint32_t optcr, uint32_t optcr1,
			 fk_plan *plan);
/* Apply "key=value" (rdp=0|1|2, bor=off|1|2|3, wdg=sw|hw, nrst_stop=0|1, nrst_stdby=0|1,
 * wrp=none|all|0,1,5-7, sprmod=0|1, db1m=0|1, bfb2=0|1) to o; FK_E_USAGE naming the key. */
int stm32f4_opt_apply(const stm32f4_device *dev, unsigned nsectors, fk_ctx *ctx,
		      const char *kv, stm32f4_options *o);
/* Checks a requested option change against RM0090 §3.7.3-§3.7.5 rules; returns FK_OK or
 * FK_E_PROTECTED/FK_E_UNSUPPORTED with the rule in the chain. Sets *irreversible (RDP 2) and
 * *erases_all (1 -> 0) for the gates. */
int stm32f4_opt_check(const stm32f4_device *dev, fk_ctx *ctx, const stm32f4_options *cur,
		      const stm32f4_options *want, bool *irreversible, bool *erases_all);

/* ---- starting an application (pure, stm32f4_run.c) ---- */
typedef enum stm32f4_vec_verdict {
	STM32F4_VEC_OK = 0,
	STM32F4_VEC_ERASED,    /* both words read 0xFFFFFFFF: erased flash, nothing to start */
	STM32F4_VEC_BAD_SP,    /* initial SP not word-aligned in (RAM start, RAM end] */
	STM32F4_VEC_BAD_RESET, /* reset vector not Thumb (bit 0) or not inside flash or SRAM */
} stm32f4_vec_verdict;

/* Checks the first two words of a vector table (ARMv7-M §B1.5.3: [0] initial MSP, [1] reset
 * handler with bit 0 set for Thumb, §A7.7.20 BX) against the part's memory map: SP word-aligned
 * inside SRAM or CCM, where it may equal the end of the RAM (a full-descending stack starts
 * there) but not its start (an empty stack); the reset handler inside main flash
 * [STM32F4_FLASH_BASE, + flash_bytes) or SRAM. why (n bytes, may be NULL) receives the reason
 * with the accepted ranges. */
stm32f4_vec_verdict stm32f4_vector_check(const stm32f4_device *dev, uint32_t flash_bytes,
					 uint32_t sp, uint32_t reset, char *why, size_t n);

/* ---- operations (stm32f4.c), each reading the state back ---- */
int stm32f4_erase_sectors(stm32f4 *d, fk_ctx *ctx, uint64_t mask);
int stm32f4_mass_erase(stm32f4 *d, fk_ctx *ctx);
int stm32f4_program(stm32f4 *d, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len);
int stm32f4_read(stm32f4 *d, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len);
/* On-chip CRC-32 of n ranges when the path has it; FK_E_UNSUPPORTED (nothing in the cause
 * chain of ctx) when it has not or the chip refused the code: compare by reading instead. */
int stm32f4_crc32(stm32f4 *d, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		  uint32_t *crc);
int stm32f4_options_read(stm32f4 *d, fk_ctx *ctx, uint32_t *optcr, uint32_t *optcr1);
int stm32f4_options_write(stm32f4 *d, fk_ctx *ctx, uint32_t optcr, uint32_t optcr1);
/* Runs one ladder step (the plan says what to write). */
int stm32f4_step_run(stm32f4 *d, fk_ctx *ctx, const fk_step *s);
/* Protection changes other than the ladder (stm32f4_change.c): options set, the option bytes of
 * an image, a backup's options, OTP write and lock, as plans (lib/chip/driver.h plan()). */
int stm32f4_plan_change(stm32f4 *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan);
/* Runs an FK_STEP_OTP_WRITE / FK_STEP_OTP_LOCK step and reads it back. */
int stm32f4_otp_step(stm32f4 *d, fk_ctx *ctx, const fk_step *s);
/* OTP: program bytes inside one block's data (refusing a locked block and 0->1 bits is the
 * caller's plan; the hardware refuses too) and lock one block by writing only its lock byte. */
int stm32f4_otp_write(stm32f4 *d, fk_ctx *ctx, unsigned block, unsigned off, const uint8_t *data,
		      unsigned len);
int stm32f4_otp_lock(stm32f4 *d, fk_ctx *ctx, unsigned block);

/* The family as a chip driver (lib/chip/driver.h, stm32f4_driver.c). Its state begins with an
 * stm32f4, which stm32f4_driver_state returns. */
struct fk_chip_driver;
extern const struct fk_chip_driver stm32f4_chip_driver;
stm32f4 *stm32f4_driver_state(void *state);

#endif
