/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin internals shared by the files of twin/stm32f4/ (never by access paths: they use
 * f4.h). Register addresses and bits from RM0090 Rev 21 §3.9 (facts in
 * ../shared/reference/stm32.md §1). */
#ifndef TW_STM32F4_F4_INT_H
#define TW_STM32F4_F4_INT_H

#include "statefile.h"
#include <stdbool.h>
#include <stdint.h>

#include "stm32f4/f4.h"

/* ---- memory map (RM0090 §2.3, §3.3 Table 5; stm32.md §1.8) ---- */
#define F4_FLASH_BASE 0x08000000U
#define F4_SYSMEM_BASE 0x1FFF0000U
#define F4_SYSMEM_SIZE 0x7800U /* 30 KiB */
#define F4_OTP_BASE 0x1FFF7800U
#define F4_OTP_SIZE 528U /* 16 x 32-byte blocks + 16 lock bytes */
#define F4_OTP_LOCK_BASE 0x1FFF7A00U
#define F4_SYSINFO_BASE 0x1FFF7A10U /* UID (12 bytes) .. flash size (0x1FFF7A22) */
#define F4_SYSINFO_SIZE 0x20U
#define F4_UID_BASE 0x1FFF7A10U
#define F4_FLASHSIZE_ADDR 0x1FFF7A22U
#define F4_OB1_BASE 0x1FFFC000U
#define F4_OB2_BASE 0x1FFEC000U
#define F4_OB_SIZE 0x10U
#define F4_SRAM_BASE 0x20000000U
#define F4_BKPSRAM_BASE 0x40024000U
#define F4_BKPSRAM_SIZE 0x1000U
#define F4_DBGMCU_IDCODE 0xE0042000U
#define F4_DBGMCU_CR 0xE0042004U
#define F4_DBGMCU_APB1FZ 0xE0042008U
#define F4_DBGMCU_APB2FZ 0xE004200CU
#define F4_DBGMCU_DBG_IWDG_STOP (1U << 12) /* DBGMCU_APB1_FZ, RM0090 §38.16.4 */
#define F4_DBGMCU_DBG_WWDG_STOP (1U << 11)
#define F4_SCS_BASE 0xE000E000U /* Cortex-M4 System Control Space (ARMv7-M ARM §B3.2) */
#define F4_SCS_SIZE 0x1000U
#define F4_SCS_CPUID 0xE000ED00U
#define F4_SCS_AIRCR 0xE000ED0CU
#define F4_SCS_DHCSR 0xE000EDF0U
#define F4_SCS_DEMCR 0xE000EDFCU

/* ---- flash interface registers (RM0090 §3.9) ---- */
#define F4_FLASH_R_BASE 0x40023C00U
#define F4_FLASH_ACR 0x40023C00U
#define F4_FLASH_KEYR 0x40023C04U
#define F4_FLASH_OPTKEYR 0x40023C08U
#define F4_FLASH_SR 0x40023C0CU
#define F4_FLASH_CR 0x40023C10U
#define F4_FLASH_OPTCR 0x40023C14U
#define F4_FLASH_OPTCR1 0x40023C18U
#define F4_FLASH_R_END 0x40023C20U

#define F4_KEY1 0x45670123U
#define F4_KEY2 0xCDEF89ABU
#define F4_OPTKEY1 0x08192A3BU
#define F4_OPTKEY2 0x4C5D6E7FU

#define F4_SR_EOP (1U << 0)
#define F4_SR_OPERR (1U << 1)
#define F4_SR_WRPERR (1U << 4)
#define F4_SR_PGAERR (1U << 5)
#define F4_SR_PGPERR (1U << 6)
#define F4_SR_PGSERR (1U << 7)
#define F4_SR_RDERR (1U << 8)
#define F4_SR_BSY (1U << 16)

#define F4_CR_PG (1U << 0)
#define F4_CR_SER (1U << 1)
#define F4_CR_MER (1U << 2)
#define F4_CR_SNB_SHIFT 3U
#define F4_CR_PSIZE_SHIFT 8U
#define F4_CR_PSIZE_MASK (3U << 8)
#define F4_CR_MER1 (1U << 15) /* RM0090 name (CMSIS: MER2): bank-2 mass erase, F42x/43x */
#define F4_CR_STRT (1U << 16)
#define F4_CR_EOPIE (1U << 24)
#define F4_CR_ERRIE (1U << 25)
#define F4_CR_LOCK (1U << 31)

#define F4_OPTCR_OPTLOCK (1U << 0)
#define F4_OPTCR_OPTSTRT (1U << 1)
#define F4_OPTCR_BOR_SHIFT 2U
#define F4_OPTCR_BFB2 (1U << 4)
#define F4_OPTCR_WDG_SW (1U << 5)
#define F4_OPTCR_NRST_STOP (1U << 6)
#define F4_OPTCR_NRST_STDBY (1U << 7)
#define F4_OPTCR_RDP_SHIFT 8U
#define F4_OPTCR_NWRP_SHIFT 16U
#define F4_OPTCR_DB1M (1U << 30)
#define F4_OPTCR_SPRMOD (1U << 31)
#define F4_OPTCR_DEFAULT 0x0FFFAAEDU  /* RM0090 §3.9.10 reset value (virgin option bytes) */
#define F4_OPTCR1_DEFAULT 0x0FFF0000U /* RM0090 §3.9.11 */

#define F4_RDP_L0 0xAAU
#define F4_RDP_L2 0xCCU

/* ---- variants (variants.c) ---- */
enum { F4_FEAT_DUALBANK = 1, F4_FEAT_DB1M = 2, F4_FEAT_SPRMOD = 4, F4_FEAT_RDERR = 8,
       F4_FEAT_BKPSRAM = 16, F4_FEAT_OPTCR1 = 32 };

struct tw_f4_variant {
	const char *name;
	const char *family; /* "STM32F405/407/415/417" */
	uint16_t dev_id;
	uint16_t rev_id;
	uint32_t flash_kib;
	uint32_t sram_kib;   /* contiguous SRAM at 0x20000000 */
	unsigned features;   /* F4_FEAT_* */
	uint32_t optcr_mask; /* writable OPTCR bits 31:2 (reserved bits excluded) */
	uint32_t snb_mask;   /* FLASH_CR.SNB field (in place) */
	uint32_t latency_mask;
	const char *source;  /* manual section the row comes from */
};

unsigned f4_variant_count(void);

/* ---- sector geometry ---- */
typedef struct f4_sector {
	unsigned num;   /* RM numbering: bank 2 starts at 12 */
	uint32_t start; /* offset from 0x08000000 */
	uint32_t size;
	unsigned bank;  /* 0 or 1 */
} f4_sector;

/* The sector map as organised now (DB1M on 1 MiB F42x parts). Fills up to max; returns count. */
unsigned f4_sectors(const tw_f4 *t, f4_sector *out, unsigned max);
/* Sector containing flash offset off; false outside flash. */
bool f4_sector_at(const tw_f4 *t, uint32_t off, f4_sector *out);
/* Sector for an SNB field value; false if the encoding is not allowed. */
bool f4_sector_by_snb(const tw_f4 *t, unsigned snb, f4_sector *out);
bool f4_dual_bank(const tw_f4 *t);

/* ---- operations in progress ---- */
typedef enum f4_op_kind { F4_OP_NONE = 0, F4_OP_PROGRAM, F4_OP_ERASE, F4_OP_OPTIONS } f4_op_kind;

typedef struct f4_op {
	f4_op_kind kind;
	uint64_t start_ns, end_ns;
	uint32_t addr;   /* program: absolute address; erase: flash offset */
	uint32_t len;    /* program: bytes; erase: bytes */
	uint8_t data[8]; /* program data */
	uint32_t new_opt[2]; /* options: values to store */
	bool regress;    /* options: RDP 1 -> 0 mass erase first */
	uint32_t erase_mask; /* options/erase: banks to erase (bit 0 bank 1, bit 1 bank 2) */
	uint64_t erase_ns; /* options with regression: mass-erase part of the duration */
	uint8_t old_ob[6]; /* options: the stored bytes before (for a torn write) */
	bool weak; /* started with a parallelism the supply cannot sustain */
} f4_op;

#define F4_X64_ROW_OK(a) (((a) & 3U) == 0 && ((a) & 15U) + 8U <= 16U) /* §3.9.5 PGAERR */
#define F4_SCS_WORDS (F4_SCS_SIZE / 4U)

/* Cells programmed or erased with a parallelism the supply cannot sustain (RM0090 §3.6.2: "may
 * lead to unpredicted results ... value may not be retained"): they read back as written, and
 * lose it at the next power cycle or after F4_RETENTION_NS of virtual time (issue #20 item 5).
 * UNCONFIRMED: the retention time (a model choice: 60 s), and what a lost cell reads (programmed
 * cells return to the erased 0xFF; erased cells drift to 0x00). */
#define F4_WEAK_MAX 64U
#define F4_RETENTION_NS 60000000000ULL
typedef struct f4_weak {
	uint32_t addr; /* absolute: flash or OTP */
	uint32_t len;
	uint8_t erase; /* 1: an erase that does not hold; 0: programmed bits that do not */
	uint64_t until_ns;
} f4_weak;

struct tw_f4 {
	const tw_f4_variant *v;
	uint8_t *flash;
	uint8_t *sram;
	uint8_t bkpsram[F4_BKPSRAM_SIZE];
	uint8_t otp[F4_OTP_SIZE];
	uint8_t uid[12];
	uint32_t ob[2]; /* option bytes as stored: OPTCR image (bits 31:2), OPTCR1 image */
	/* registers */
	uint32_t acr, sr, cr, optcr, optcr1;
	uint8_t key_stage, optkey_stage;
	bool cr_lockout, opt_lockout; /* wrong key sequence: locked until the next reset */
	uint32_t dbgmcu_cr, dbgmcu_apb1fz, dbgmcu_apb2fz;
	uint32_t scs[F4_SCS_WORDS]; /* Cortex-M SCS registers as plain storage (debug-port use) */
	bool x64_pending;            /* PSIZE x64: first word of a double word received */
	uint32_t x64_addr, x64_lo;
	/* conditions */
	uint8_t rdp_eff; /* RDP byte loaded at the last reset or completed option write: in force */
	bool intrusion, powered, nrst, swd_repurposed, timing_max, hw_wdg_aborts, vpp;
	bool lenient_keys; /* key writes while unlocked are ignored (UNCONFIRMED either way) */
	tw_boot boot_pins, boot_eff;
	unsigned voltage_mv;
	uint64_t now_ns;
	f4_op op;
	uint64_t fault_ns;
	unsigned fault_op; /* 0 none; else the op count at which power is cut */
	unsigned ops;
	uint64_t wdg_ns; /* scheduled independent-watchdog reset (0 = none) */
	unsigned resets; /* resets since tw_f4_new/load (not saved): lets a running core notice one */
	f4_weak weak[F4_WEAK_MAX]; /* weakly written ranges, oldest first (state file v4) */
	uint32_t nweak;
	bool dirty;
	/* persistence */
	tw_statefile sf; /* lock + save target (twin/statefile.h); sf.path NULL: in memory */
};

/* flash.c: the flash interface */
tw_status f4_reg_read(tw_f4 *t, uint32_t addr, unsigned size, uint32_t *val);
tw_status f4_reg_write(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);
tw_status f4_flash_program(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);
void f4_op_finish(tw_f4 *t);
void f4_op_cut(tw_f4 *t); /* power lost / reset during the operation: partial effect */
void f4_flash_reset(tw_f4 *t);
void f4_set_error(tw_f4 *t, uint32_t flag);
/* Weak cells lose their value: all of them (power cycle) or those whose time is up. */
void f4_weak_expire(tw_f4 *t, bool all);
void f4_weak_forget(tw_f4 *t, uint32_t addr, uint32_t len); /* soundly erased again */
/* options.c */
unsigned f4_rdp_level(uint8_t rdp);
bool f4_sector_wrp(const tw_f4 *t, unsigned num);   /* write-protected (incl. PCROP) */
bool f4_sector_pcrop(const tw_f4 *t, unsigned num); /* PCROP (read-protected on D-bus) */
void f4_options_start(tw_f4 *t);
void f4_options_apply(tw_f4 *t, double fraction); /* 1.0 = completed */
void f4_erase_banks(tw_f4 *t, uint32_t mask, double fraction);
/* timing.c */
uint64_t f4_prog_ns(const tw_f4 *t);
uint64_t f4_erase_ns(const tw_f4 *t, uint32_t bytes);
uint64_t f4_mass_erase_ns(const tw_f4 *t, uint32_t bytes);
unsigned f4_psize_bytes(const tw_f4 *t);
bool f4_psize_supported(const tw_f4 *t);
/* f4.c */
bool f4_restricted(const tw_f4 *t, tw_initiator who);
void f4_count_op(tw_f4 *t);

#endif
