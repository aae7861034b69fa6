/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NXP LPC twin (LPC1768, LPC812): flash in sectors, SRAM, Code Read Protection, the boot
 * ROM's choice between user code and ISP at reset, and the UART ISP command handler (isp.c)
 * as a byte-stream port. Internal interface of twin/lpc/ (the unit tests call it directly).
 *
 * Sources:
 *   UM10360 LPC176x/5x User manual Rev. 4.1 (2016) ch. 32 "Flash memory interface and
 *     programming": §32.3.1 boot process (ISP entry pin P2.10, the valid-user-code criterion,
 *     word 7 at 0x1C), §32.5 sector map (Table 568: 16 x 4 KiB then 14 x 32 KiB), §32.6 Code
 *     Read Protection (values at 0x2FC, what each level blocks), §32.7 ISP commands (Tables
 *     571-586) and §32.7.16 return codes (Table 587);
 *   UM10601 LPC800 User manual Rev. 1.6 ch. 21 (LPC81x ISP: binary data for W/R, 1 KiB
 *     sectors of 64-byte pages, the same CRP values incl. NO_ISP);
 *   UM10800 LPC82x User manual Rev. 1.2 §25.5.3 Table 311 "ISP commands allowed for different
 *     CRP levels" (the CRP1/CRP2 command matrix, also the LPC81x one) and §25.5.3.1 NO_ISP;
 *   LPC1769/68/67/66/65/64/63 data sheet Rev. 9.x Table 19 and LPC81xM data sheet Rev. 4.x
 *     Table 12 "Flash characteristics" (t_er 100 ms for a sector or several consecutive
 *     sectors, t_prog 1 ms);
 *   ../shared/reference/lpc-isp.md and esp_lpc.md part C (the above summarised, and what
 *     lpc21isp 1.97 sends).
 * Every rule below cites its section; UNCONFIRMED marks a choice no source confirms. */
#ifndef TW_LPC_H
#define TW_LPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "model.h"

/* CRP words at 0x000002FC (UM10360 §32.6, UM10601 §21.4.2 incl. NO_ISP). */
#define TW_LPC_CRP_ADDR   0x000002FCU
#define TW_LPC_CRP1_WORD  0x12345678U
#define TW_LPC_CRP2_WORD  0x87654321U
#define TW_LPC_CRP3_WORD  0x43218765U
#define TW_LPC_NOISP_WORD 0x4E697370U

typedef enum tw_lpc_crp {
	TW_LPC_CRP_NONE = 0,
	TW_LPC_CRP1 = 1,
	TW_LPC_CRP2 = 2,
	TW_LPC_CRP3 = 3,
	TW_LPC_NO_ISP = 4,
} tw_lpc_crp;

/* What the core does after the boot ROM decided (UM10360 §32.3.1 Figure 155). */
typedef enum tw_lpc_mode {
	TW_LPC_MODE_ISP = 0,  /* the ISP command handler owns UART0 */
	TW_LPC_MODE_USER = 1, /* user code runs (not modelled: the UART is silent) */
	TW_LPC_MODE_RESET = 2, /* held in reset (RESET pin low) */
} tw_lpc_mode;

typedef struct tw_lpc_variant {
	const char *name;   /* "lpc1768" */
	const char *family; /* "LPC176x/5x" */
	const char *part;   /* "LPC1768FBD100" */
	uint32_t part_id;   /* answer of J */
	uint32_t flash_bytes;
	unsigned nsectors;
	uint32_t small_sector, small_count, large_sector; /* small_count sectors, then large */
	uint32_t ram_base, ram_bytes;
	uint32_t crp1_ram_floor; /* CRP1: W only at or above this address */
	uint32_t copy_align;     /* C: flash address alignment */
	uint32_t copy_sizes[6];  /* C: the byte counts accepted (0-terminated) */
	uint32_t prog_unit;      /* bytes programmed per t_prog */
	bool binary;             /* W/R carry raw bytes (LPC8xx) rather than UU lines */
	uint8_t boot_major, boot_minor;
	uint32_t remap_bytes;    /* ISP reads of 0..remap_bytes-1 see the boot ROM */
	/* the debug port (debug.c): IDs, the clock out of reset, the boot-ROM remap register */
	uint32_t dpidr, jtag_idcode, ahbap_idr, cpuid, irc_hz;
	uint32_t remap_reg;      /* MEMMAP (LPC17xx) or SYSMEMREMAP (LPC8xx) address */
	uint32_t remap_mask;     /* its writable bits */
	uint32_t device_id_reg;  /* LPC8xx DEVICE_ID (holds part_id); 0: none */
} tw_lpc_variant;

extern const tw_lpc_variant tw_lpc_variants[];
extern const unsigned tw_lpc_nvariants;
const tw_lpc_variant *tw_lpc_variant_find(const char *name);

typedef struct tw_lpc {
	const tw_lpc_variant *v;
	uint8_t *flash, *ram;
	uint32_t uid[4];
	uint64_t now_ns;
	tw_lpc_crp crp;     /* the level the boot ROM latched at the last reset (§32.6) */
	tw_lpc_mode mode;
	bool isp_pin;       /* ISP entry pin (P2.10 / PIO0_1) held low */
	bool reset_pin;     /* RESET held low */
	bool powered;
	uint32_t gen;       /* bumped on every change worth saving */
	uint32_t erases, programs; /* counters for show and tests */
	/* not saved: a reset clears them */
	bool iap_prepared;         /* IAP Prepare (50) done for iap_prep_a..b, not yet used */
	unsigned iap_prep_a, iap_prep_b;
	uint32_t remap;            /* MEMMAP / SYSMEMREMAP as written (debug.c) */
	uint32_t iap_calls;        /* IAP commands performed (tests) */
	tw_dap_ids dap_ids;        /* the variant's, for the debug port */
} tw_lpc;

/* ---- life cycle (chip.c) */
int tw_lpc_create(fk_ctx *ctx, const char *name, tw_lpc **out);
void tw_lpc_free(tw_lpc *c);
int tw_lpc_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, tw_lpc **out);
int tw_lpc_save(const tw_lpc *c, uint8_t **buf, size_t *len);

/* ---- memory map and rules (chip.c) */
unsigned tw_lpc_sector_of(const tw_lpc_variant *v, uint32_t addr);
uint32_t tw_lpc_sector_start(const tw_lpc_variant *v, unsigned s);
uint32_t tw_lpc_sector_size(const tw_lpc_variant *v, unsigned s);
tw_lpc_crp tw_lpc_crp_of_word(uint32_t w);
const char *tw_lpc_crp_name(tw_lpc_crp c);
uint32_t tw_lpc_flash_word(const tw_lpc *c, uint32_t addr);
bool tw_lpc_user_code_valid(const tw_lpc *c); /* word 7 criterion, §32.3.1.1 */
/* The boot ROM at reset (§32.3.1): latch CRP from 0x2FC; enter ISP when the pin is low and
 * CRP3/NO_ISP does not forbid sampling it, or when there is no valid user code. */
void tw_lpc_reset(tw_lpc *c);
void tw_lpc_advance(tw_lpc *c, uint64_t ns);
/* Erase sectors a..b at once (t_er for the lot), program n bytes at addr from src (bits only
 * go 1 -> 0, as a flash cell). Time charged here. */
void tw_lpc_erase(tw_lpc *c, unsigned a, unsigned b);
void tw_lpc_program(tw_lpc *c, uint32_t addr, const uint8_t *src, uint32_t n);
/* A memory byte as the ISP reads it (flash with the boot-ROM remap, RAM); false if unmapped. */
bool tw_lpc_read_byte(const tw_lpc *c, uint32_t addr, uint8_t *b);
bool tw_lpc_is_ram(const tw_lpc *c, uint32_t addr, uint32_t n);
bool tw_lpc_is_flash(const tw_lpc *c, uint32_t addr, uint32_t n);

/* Times (data sheets, see the header). */
#define TW_LPC_T_ERASE_NS 100000000ULL /* t_er: a sector or several consecutive sectors */
#define TW_LPC_T_PROG_NS  1000000ULL   /* t_prog per prog_unit bytes */

/* ---- the ISP port (isp.c); its m is the model's instance (model.c) */
tw_lpc *tw_lpc_of_instance(void *m);
extern const tw_stream_port tw_lpc_isp_port;

/* ---- the debug port and the IAP (debug.c) ---- */
#define TW_LPC_IAP_ENTRY 0x1FFF1FF1U /* UM10360 §32.8, UM10601 §22.4: Thumb entry */
#define TW_LPC_ROM_BASE  0x1FFF0000U
#define TW_LPC_ROM_BYTES 0x2000U     /* 8 KiB boot ROM (UM10360 Table 3, UM10601 Fig. 2) */
extern const tw_dap_port tw_lpc_dap_port;
/* One IAP command as the boot ROM performs it: the command table at cmd (code and up to 5
 * parameters), the status and results written to the table at res. */
void tw_lpc_iap(tw_lpc *c, uint32_t cmd, uint32_t res);

#endif
