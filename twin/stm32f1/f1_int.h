/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 twin internals shared by the files of twin/stm32f1/ (access paths use f1.h).
 * Register addresses and bits: PM0075 §3 (F1), RM0091 §3.5 (F0), RM0316 §4.5 (F3); the same
 * FPEC block at 0x40022000 in all three (stm32-fpec.md §1). */
#ifndef TW_STM32F1_F1_INT_H
#define TW_STM32F1_F1_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "stm32f1/f1.h"

/* ---- memory map (RM0008 §3.3.3 Table 5, RM0091 §2.2.2, RM0316 §3.3) ---- */
#define F1_FLASH_BASE 0x08000000U
#define F1_OB_BASE 0x1FFFF800U
#define F1_OB_SIZE 16U
#define F1_SRAM_BASE 0x20000000U
#define F1_DBGMCU_F1 0xE0042000U /* F1, F3: DBGMCU_IDCODE, CR at +4 */
#define F1_DBGMCU_F0 0x40015800U /* F0: IDCODE, CR +4, APB1_FZ +8, APB2_FZ +0xC */
#define F1_SCS_BASE 0xE000E000U
#define F1_SCS_SIZE 0x1000U
#define F1_SCS_CPUID 0xE000ED00U
#define F1_SCS_AIRCR 0xE000ED0CU
#define F1_SCS_DHCSR 0xE000EDF0U
#define F1_SCS_DEMCR 0xE000EDFCU

/* ---- FPEC registers (PM0075 §3.1-§3.8, offsets from 0x40022000) ---- */
#define F1_FLASH_R_BASE 0x40022000U
#define F1_FLASH_ACR 0x40022000U
#define F1_FLASH_KEYR 0x40022004U
#define F1_FLASH_OPTKEYR 0x40022008U
#define F1_FLASH_SR 0x4002200CU
#define F1_FLASH_CR 0x40022010U
#define F1_FLASH_AR 0x40022014U
#define F1_FLASH_OBR 0x4002201CU
#define F1_FLASH_WRPR 0x40022020U
#define F1_FLASH_R_SIZE 0x24U

#define F1_KEY1 0x45670123U /* PM0075 §3.2/§3.3: same keys for KEYR and OPTKEYR */
#define F1_KEY2 0xCDEF89ABU

#define F1_SR_BSY (1U << 0)
#define F1_SR_PGERR (1U << 2)
#define F1_SR_WRPRTERR (1U << 4)
#define F1_SR_EOP (1U << 5)
#define F1_SR_W1C (F1_SR_PGERR | F1_SR_WRPRTERR | F1_SR_EOP)

#define F1_CR_PG (1U << 0)
#define F1_CR_PER (1U << 1)
#define F1_CR_MER (1U << 2)
#define F1_CR_OPTPG (1U << 4)
#define F1_CR_OPTER (1U << 5)
#define F1_CR_STRT (1U << 6)
#define F1_CR_LOCK (1U << 7)
#define F1_CR_OPTWRE (1U << 9)
#define F1_CR_ERRIE (1U << 10)
#define F1_CR_EOPIE (1U << 12)
#define F1_CR_OBL_LAUNCH (1U << 13) /* F0/F3 only (RM0091 §3.5.5, RM0316 §4.5.5) */

#define F1_OBR_OPTERR (1U << 0)

#define F1_RDP_L0_F1 0xA5U /* PM0075 §2.4.1 */
#define F1_RDP_L0_F03 0xAAU /* RM0091 §3.3.1 Table 9 */
#define F1_RDP_L2_F03 0xCCU

/* ---- variants ---- */
enum { F1_FEAT_CLONE = 1, F1_FEAT_HD_RDP_WRP = 2 /* level 1 protects pages 0-1, not 0-3 */ };

struct tw_f1_variant {
	const char *name;
	const char *desc;
	tw_f1_family family;
	uint16_t dev_id, rev_id;
	uint32_t flash_kib, page_bytes;
	unsigned wrp_pages;    /* pages per WRPR bit (bit 31 takes all the rest) */
	unsigned wrp_bits;     /* WRPR bits that exist (16 on F030x8: WRP0/1 only) */
	uint32_t sram_kib;
	uint32_t sysmem_base;  /* system memory (ROM) start; it ends below the info block */
	uint32_t flash_size_addr, uid_addr;
	uint32_t dpidr, jtag_idcode, bs_idcode, cpuid;
	uint8_t bl_version;
	uint32_t bl_ram;       /* bytes of SRAM the ROM bootloader keeps for itself */
	uint32_t prog_ns[2];   /* half-word: typical (or min), max */
	uint32_t erase_ns[2];  /* page erase */
	uint32_t mass_ns[2];   /* mass erase */
	unsigned features;     /* F1_FEAT_* */
	const char *source;
};

/* ---- operations in progress ---- */
typedef enum f1_op_kind {
	F1_OP_NONE = 0, F1_OP_PROGRAM, F1_OP_PAGE_ERASE, F1_OP_MASS_ERASE,
	F1_OP_OPT_PROGRAM, F1_OP_OPT_ERASE
} f1_op_kind;

typedef struct f1_op {
	f1_op_kind kind;
	uint64_t start_ns, end_ns;
	uint32_t off;     /* program/page erase: flash offset; option program: option offset */
	uint16_t data;    /* half-word being programmed */
	bool regress;     /* option program of the level-0 RDP at level 1: mass erase first */
	uint64_t erase_ns; /* the mass-erase part of a regression */
} f1_op;

#define F1_SCS_WORDS (F1_SCS_SIZE / 4U)

struct tw_f1 {
	const tw_f1_variant *v;
	uint8_t *flash;
	uint8_t *sram;
	uint8_t ob[F1_OB_SIZE]; /* option bytes as stored, 0x1FFFF800.. */
	uint8_t uid[12];
	/* registers */
	uint32_t acr, sr, cr, ar;
	uint32_t obr, wrpr; /* loaded by the option-byte loader */
	uint8_t key_stage, optkey_stage;
	bool cr_lockout, opt_lockout; /* wrong key sequence: locked until the next reset */
	uint32_t dbgmcu[4];           /* CR, APB1_FZ, APB2_FZ (index 1..3) */
	uint32_t scs[F1_SCS_WORDS];
	/* conditions */
	uint8_t rdp_eff;  /* RDP byte loaded (0xFF when its complement was wrong) */
	bool intrusion, powered, nrst, timing_max;
	tw_boot boot_pins, boot_eff;
	uint64_t now_ns;
	f1_op op;
	uint64_t fault_ns;
	unsigned fault_op;
	unsigned ops, resets;
	bool dirty;
	tw_dap_ids dap_ids; /* model.c: the variant's, for the debug port */
};

/* flash.c */
void f1_flash_reset(tw_f1 *t);
tw_status f1_reg_read(tw_f1 *t, uint32_t addr, unsigned size, uint32_t *val);
tw_status f1_reg_write(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);
tw_status f1_flash_write(tw_f1 *t, tw_initiator who, uint32_t off, unsigned size, uint32_t val);
void f1_op_finish(tw_f1 *t);
void f1_op_cut(tw_f1 *t);
bool f1_restricted(const tw_f1 *t, tw_initiator who);
/* options.c */
unsigned f1_rdp_level(const tw_f1 *t, uint8_t rdp);
bool f1_is_level0(const tw_f1 *t, uint8_t rdp);
void f1_options_load(tw_f1 *t);
tw_status f1_options_write(tw_f1 *t, tw_initiator who, uint32_t off, unsigned size,
			   uint32_t val);
void f1_options_erase_start(tw_f1 *t);
void f1_options_finish(tw_f1 *t, double fraction);
bool f1_page_wrp(const tw_f1 *t, unsigned page);
/* f1.c */
void f1_start_op(tw_f1 *t, f1_op_kind kind, uint64_t ns);
uint64_t f1_time(const tw_f1 *t, const uint32_t pair[2]);
void f1_obl_launch(tw_f1 *t); /* reload the option bytes and reset (F0/F3) */

#endif
