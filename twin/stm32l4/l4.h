/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32L4 / G0 / G4 twin: the FLASH_OPTR generation of the STM32 flash controller (one
 * design shared by L4, G0, G4, WB, WL) as a chip model behind twin/model.h. This header is the
 * model's own API: the model table (model.c), the state file (state.c) and the unit tests use
 * it; generic code never does.
 *
 * Parts (variants.c): STM32L476xG (DEV_ID 0x415, 1 MiB in two 512 KiB banks, 2 KiB pages),
 * STM32L43x (0x435, 256 KiB), STM32G071/G081 (0x460, 128 KiB, SWD only), STM32G431 (0x468,
 * 128 KiB).
 *
 * Sources (facts collected in ../shared/reference/stm32-optr.md, keys as there):
 *   RM0351 (L4) §3.3 functional description (§3.3.5-§3.3.7 erase/program sequences, §3.3.8
 *     program/erase errors), §3.4 option bytes (§3.4.2 programming, loading at power-on reset
 *     or OBL_LAUNCH), §3.5 protection (§3.5.1 RDP, §3.5.2 PCROP, §3.5.3 WRP), §3.7 registers;
 *   RM0444 (G0) §3.3-§3.7 (same structure; Table 18: what an RDP 1 -> 0 regression erases);
 *   RM0440 (G4) §5.3-§5.7;
 *   OpenOCD src/flash/nor/stm32l4x.[ch] (register offsets, keys, OPTR bits, probe sequence),
 *   stm32flash 0.7 dev_table.c (bootloader PID, RAM, option-byte ranges), CMSIS device
 *   headers (field masks), the L476/G071/G431 datasheets (timings). */
#ifndef TW_STM32L4_L4_H
#define TW_STM32L4_L4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* ---------------------------------------------------------------- memory map */
#define L4_FLASH_BASE 0x08000000U
#define L4_SRAM_BASE 0x20000000U
#define L4_SYSMEM 0x1FFF0000U
#define L4_OTP 0x1FFF7000U /* 1 KiB (OpenOCD part table; RM0351 §3.3.1 Table 7) */
#define L4_OTP_BYTES 1024U
#define L4_PACKAGE 0x1FFF7500U /* CMSIS-L4 PACKAGE_BASE */
#define L4_UID 0x1FFF7590U     /* CMSIS UID_BASE (96 bits) */
#define L4_FSIZE 0x1FFF75E0U   /* CMSIS FLASHSIZE_BASE: 16-bit size in KiB */
#define L4_OB1 0x1FFF7800U     /* option words of bank 1 (each followed by its complement) */
#define L4_OB2 0x1FFFF800U     /* option words of bank 2 (L47x/L49x, RM0351 §3.4.1 Table 12) */
#define L4_FLASH_REGS 0x40022000U
#define L4_DBGMCU_L4 0xE0042000U /* DBGMCU_IDCODE on L4/G4 (OpenOCD DBGMCU_IDCODE_L4_G4) */
#define L4_DBGMCU_G0 0x40015800U /* DBGMCU_IDCODE on G0 (OpenOCD DBGMCU_IDCODE_G0) */
#define L4_TAMP_BKP_G0 0x40021900U /* G0 TAMP_BKP0R..4R (RM0444 §29.6) */
#define L4_RTC_BKP_L4 0x40002850U  /* L4/G4 RTC_BKP0R.. (RM0351 §38.6.20) */

/* ---------------------------------------------------------------- FLASH registers */
#define L4R_ACR 0x00U
#define L4R_PDKEYR 0x04U
#define L4R_KEYR 0x08U
#define L4R_OPTKEYR 0x0CU
#define L4R_SR 0x10U
#define L4R_CR 0x14U
#define L4R_ECCR 0x18U
#define L4R_OPTR 0x20U

#define L4_KEY1 0x45670123U
#define L4_KEY2 0xCDEF89ABU
#define L4_OPTKEY1 0x08192A3BU
#define L4_OPTKEY2 0x4C5D6E7FU

/* FLASH_SR (RM0351 §3.7.5, RM0444 §3.7.4, RM0440 §5.7.5) */
#define L4_SR_EOP (1U << 0)
#define L4_SR_OPERR (1U << 1)
#define L4_SR_PROGERR (1U << 3)
#define L4_SR_WRPERR (1U << 4)
#define L4_SR_PGAERR (1U << 5)
#define L4_SR_SIZERR (1U << 6)
#define L4_SR_PGSERR (1U << 7)
#define L4_SR_MISERR (1U << 8)
#define L4_SR_FASTERR (1U << 9)
#define L4_SR_RDERR (1U << 14)
#define L4_SR_OPTVERR (1U << 15)
#define L4_SR_BSY (1U << 16)
#define L4_SR_CFGBSY (1U << 18) /* G0 only (RM0444 §3.7.4) */
#define L4_SR_W1C 0xC3FBU       /* EOP, OPERR, PROGERR..FASTERR, RDERR, OPTVERR */
#define L4_SR_PROG_ERRS                                                                        \
	(L4_SR_PROGERR | L4_SR_WRPERR | L4_SR_PGAERR | L4_SR_SIZERR | L4_SR_PGSERR |           \
	 L4_SR_MISERR | L4_SR_FASTERR)

/* FLASH_CR (RM0351 §3.7.6) */
#define L4_CR_PG (1U << 0)
#define L4_CR_PER (1U << 1)
#define L4_CR_MER1 (1U << 2)
#define L4_CR_PNB_SHIFT 3U
#define L4_CR_BKER (1U << 11) /* L4 dual bank */
#define L4_CR_MER2 (1U << 15)
#define L4_CR_STRT (1U << 16)
#define L4_CR_OPTSTRT (1U << 17)
#define L4_CR_FSTPG (1U << 18)
#define L4_CR_EOPIE (1U << 24)
#define L4_CR_ERRIE (1U << 25)
#define L4_CR_RDERRIE (1U << 26)
#define L4_CR_OBL_LAUNCH (1U << 27)
#define L4_CR_SEC_PROT (1U << 28) /* G0 */
#define L4_CR_OPTLOCK (1U << 30)
#define L4_CR_LOCK (1U << 31)

/* FLASH_ECCR */
#define L4_ECCR_ECCC (1U << 30)
#define L4_ECCR_ECCD (1U << 31)

/* ---------------------------------------------------------------- parts */
typedef enum l4_kind { L4K_L4 = 0, L4K_G0 = 1, L4K_G4 = 2 } l4_kind;

/* An option word: its FLASH register offset, where it sits in the option area (value, then its
 * complement 4 bytes on), the bits software may change, the factory value. */
typedef struct l4_optword {
	const char *name;
	uint8_t reg;      /* offset from FLASH_R_BASE */
	uint32_t mem;     /* address in the option area */
	uint32_t mask;    /* writable bits */
	uint32_t factory; /* as shipped (reserved bits included) */
} l4_optword;

#define L4_MAXOPT 10

typedef struct l4_variant {
	const char *name;   /* `flashkey-twin new` CHIP word */
	const char *family; /* "STM32L47x/L48x" */
	const char *manual; /* "RM0351" */
	l4_kind kind;
	uint16_t dev_id, rev_id;
	uint32_t flash_bytes;
	uint32_t page_bytes;
	unsigned banks;       /* 2: two banks of flash_bytes/2, pages numbered from 0 in each */
	uint32_t sram_bytes;  /* contiguous at 0x20000000 */
	uint32_t dbgmcu;      /* DBGMCU_IDCODE address */
	bool jtag;            /* false: SW-DP only (G0) */
	uint32_t dpidr_swd, idcode_jtag, cpuid;
	uint32_t bs_idcode;   /* the boundary-scan TAP after the debug TAP (0: no JTAG) */
	uint32_t ahbap_idr;   /* AHB-AP IDR of the core */
	/* AN2606 / stm32flash 0.7 dev_table.c */
	uint8_t bl_version;
	uint32_t bl_ram_start; /* first RAM address the ROM leaves to the host */
	uint32_t sysmem_end;
	/* field geometry (CMSIS masks; OpenOCD stm32l4_probe) */
	uint32_t wrp_field;    /* mask of WRPxyR STRT (and END >> 16) */
	uint32_t pcrop_field;  /* mask of PCROPxSR/ER STRT/END */
	unsigned pcrop_shift;  /* log2 of the PCROP unit in bytes (3: double word; 9: 512 B) */
	unsigned nopt;
	l4_optword opt[L4_MAXOPT];
	/* option-word indexes */
	int o_wrp1a, o_wrp1b, o_wrp2a, o_wrp2b;
	int o_pcrop1s, o_pcrop1e, o_pcrop2s, o_pcrop2e; /* G0: 1A and 1B */
	unsigned nbkp;         /* backup registers erased by a regression */
	/* timings in ns (datasheets; see variants.c) */
	uint64_t t_dw, t_page, t_mass, t_opt, t_row;
} l4_variant;

const l4_variant *tw_l4_variant_at(unsigned i);
const l4_variant *tw_l4_variant_find(const char *name);

/* ---------------------------------------------------------------- the chip */
typedef enum l4_op {
	L4_OP_NONE = 0,
	L4_OP_PROG,  /* one double word */
	L4_OP_ROW,   /* fast programming: one row of 32 double words */
	L4_OP_PAGE,  /* page erase */
	L4_OP_MASS,  /* MER1 and/or MER2 */
	L4_OP_OPT,   /* OPTSTRT: option area erased and reprogrammed */
} l4_op;

#define L4_NBKP 32U
#define L4_ROW_DW 32U /* fast programming row: 32 double words (RM0351 §3.3.7) */

typedef struct tw_l4 {
	const l4_variant *v;
	uint8_t *flash;       /* flash_bytes */
	uint8_t *ecc_bad;     /* one byte per double word: 1 = torn (ECC cannot correct) */
	uint8_t *sram;        /* sram_bytes, volatile (not saved) */
	uint8_t otp[L4_OTP_BYTES];
	uint32_t ob[L4_MAXOPT];     /* the option area as programmed (what a reload loads) */
	uint32_t ob_ok[L4_MAXOPT];  /* 1 when the word's complement matched at programming */
	uint32_t loaded[L4_MAXOPT]; /* loaded at the last power-on / OBL_LAUNCH: in force */
	uint32_t reg[L4_MAXOPT];    /* FLASH_OPTR.. registers: loaded, then as written */
	uint32_t bkp[L4_NBKP];      /* RTC / TAMP backup registers (battery domain) */
	/* controller */
	uint32_t acr, sr, cr, eccr;
	unsigned key_step, optkey_step; /* 0, 1 = first key seen */
	bool keys_dead;                 /* wrong key: LOCK stays until reset (§3.3.5) */
	bool pg_half;                   /* first word of a double word latched */
	uint32_t pg_addr;               /* its address (flash offset) */
	uint32_t pg_lo;
	uint32_t row_base; /* fast programming: row offset and double words received */
	unsigned row_n;
	uint8_t row_buf[L4_ROW_DW * 8];
	uint64_t row_last_ns;
	/* operation in progress */
	l4_op op;
	uint64_t op_end;
	uint32_t op_addr, op_len; /* flash offset range the operation changes */
	uint32_t op_lo, op_hi;    /* PROG: the double word */
	unsigned op_mer;          /* MASS: 1 = bank 1, 2 = bank 2, 3 = both */
	/* clock, power, pins */
	uint64_t now;
	bool powered, nrst_low;
	int mv;
	bool dbg_latch; /* a debugger was connected since the last power-on (RM0351 §3.5.1) */
	uint32_t dbgmcu_cr;
	uint32_t dhcsr;
	bool boot_sysmem; /* BOOT0 pin selects system memory */
	uint64_t fault_ns;
	unsigned fault_op;
	unsigned ops_done; /* operations started (fault_op counts these) */
	unsigned resets;   /* system and power-on resets (not saved): code run by Go sees one */
	bool optverr;      /* set at load when an option word's complement did not match */
	bool dirty;
	tw_dap_ids dap_ids; /* the variant's IDs, filled for the debug port (model.c) */
} tw_l4;

/* life cycle */
tw_l4 *tw_l4_new(const l4_variant *v);
void tw_l4_free(tw_l4 *t);

/* The bus: an access by an initiator (size 1, 2, 4 aligned). Protection is decided here. */
tw_status tw_l4_read(tw_l4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_l4_write(tw_l4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);

/* clock and power */
void tw_l4_advance(tw_l4 *t, uint64_t ns);
bool tw_l4_busy(const tw_l4 *t);
void tw_l4_reset(tw_l4 *t, tw_reset kind);
void tw_l4_power_off(tw_l4 *t);
void tw_l4_power_on(tw_l4 *t);
void tw_l4_set_nrst(tw_l4 *t, bool asserted);
void tw_l4_debug_attach(tw_l4 *t);

/* option words in force / as programmed / as the register shows */
int tw_l4_opt_index(const tw_l4 *t, const char *name); /* -1: not on this part */
unsigned tw_l4_rdp_level(uint32_t optr);               /* 0xAA: 0, 0xCC: 2, else 1 */
unsigned tw_l4_level(const tw_l4 *t);                  /* of the loaded OPTR */
/* Decoded areas of a set of option words (loaded or ob): page ranges in bank b (WRP), byte
 * offsets from the flash base (PCROP). false = area unused (start > end). */
bool tw_l4_wrp_area(const tw_l4 *t, const uint32_t *w, unsigned area, unsigned *bank,
		    unsigned *first, unsigned *last);
bool tw_l4_pcrop_area(const tw_l4 *t, const uint32_t *w, unsigned area, uint32_t *off,
		      uint32_t *len);
bool tw_l4_pcrop_rdp(const tw_l4 *t, const uint32_t *w);
unsigned tw_l4_nwrp(const tw_l4 *t);   /* 2 or 4 */
unsigned tw_l4_npcrop(const tw_l4 *t); /* 1 or 2 */
/* Program the option area directly (factory programmer, `flashkey-twin new/set`): writes the
 * word and reloads as a power-on would (loaded = registers = ob). */
void tw_l4_set_ob(tw_l4 *t, unsigned i, uint32_t val);
void tw_l4_reload(tw_l4 *t); /* option load (OBL) */

/* state file (state.c) */
#define L4_STATE_VERSION 1U
int tw_l4_save_buffer(const tw_l4 *t, uint8_t **buf, size_t *len);
int tw_l4_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      tw_l4 **out);

/* model entries (model.c), the ROM bootloader's port (rom.c) */
extern const tw_model tw_model_stm32l4;
extern const tw_stream_port tw_l4_an3155_port;

#endif
