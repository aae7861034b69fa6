/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ADIv5 debug port client: DP (DPIDR, CTRL/STAT power-up, SELECT cache, sticky errors, ABORT,
 * RDBUFF, posted reads) and MEM-AP (CSW size and auto-increment, TAR, DRW, BD0-3, block
 * transfers split at the auto-increment boundary), over a raw DAP transport (flashkey/dap.h).
 *
 * Sources: Arm IHI 0031 (ADIv5.2) §B2 (DP registers), §B4 (SW-DP: posted reads, WAIT, FAULT,
 * sticky flags), §B5.2 (SWJ-DP switching), §C2 (MEM-AP, §C2.2.2 auto-increment limited to a 1 KiB
 * block); ../shared/reference/probes.md §3. */
#ifndef FK_DEBUG_ADIV5_H
#define FK_DEBUG_ADIV5_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkey/dap.h"

#define ADI_QMAX 264u /* transactions per batch: one 1 KiB block of words plus set-up */

/* MEM-AP registers (bank in [7:4], A[3:2] in [3:2]). */
#define ADI_AP_CSW 0x00u
#define ADI_AP_TAR 0x04u
#define ADI_AP_DRW 0x0Cu
#define ADI_AP_BD0 0x10u
#define ADI_AP_CFG 0xF4u
#define ADI_AP_BASE 0xF8u
#define ADI_AP_IDR 0xFCu

#define ADI_CTRL_STICKYORUN (1u << 1)
#define ADI_CTRL_STICKYCMP (1u << 4)
#define ADI_CTRL_STICKYERR (1u << 5)
#define ADI_CTRL_WDATAERR (1u << 7)
#define ADI_CTRL_CDBGPWRUPREQ (1u << 28)
#define ADI_CTRL_CDBGPWRUPACK (1u << 29)
#define ADI_CTRL_CSYSPWRUPREQ (1u << 30)
#define ADI_CTRL_CSYSPWRUPACK (1u << 31)

typedef struct adi_dap {
	const fk_dap_ops *ops;
	void *h;
	uint32_t dpidr;
	uint32_t ap_idr;
	uint32_t select;
	bool select_valid;
	uint32_t csw;
	bool csw_valid;
	uint32_t tar;
	bool tar_valid;
	uint32_t autoinc_block; /* bytes; 1 KiB unless the core is known to allow more */
	uint64_t wait_ns;       /* how long WAIT is retried before giving up (default 35 s) */
	uint64_t waits, faults; /* statistics */
	bool silent;            /* the last failed transfer had no answer at all (ACK 0b111) */
} adi_dap;

/* A batch of transactions whose read results go to caller variables. */
typedef struct adi_queue {
	fk_dap_xfer x[ADI_QMAX];
	uint32_t *dst[ADI_QMAX];
	unsigned n;
	bool ap_read_open; /* posted transport: an AP read still waits for its data */
} adi_queue;

void adi_init(adi_dap *a, const fk_dap_ops *ops, void *h);
/* SWJ switch to SWD and line reset, DPIDR, clear sticky flags, power up the debug domain, find
 * the AHB-AP at AP 0. FK_E_CONNECT with a hint when nothing answers. */
int adi_connect(adi_dap *a, fk_ctx *ctx);
/* The same up to the powered-up debug domain, without looking at any AP: what a raw DP/AP path
 * needs when the MEM-AP is dead (a secured part) or is not an AHB-AP. */
int adi_connect_dp(adi_dap *a, fk_ctx *ctx);
/* The IDRs of APs 0, 1, ... (at most max found): apsel[i] and idr[i], *n of them. The scan ends
 * after ADI_AP_SCAN_GAP APs in a row whose IDR reads 0 (ADIv5.2 §C2.6.2: an AP that is not
 * implemented reads as zero), so an AP behind an absent one is still found (the LPC55S69's debug
 * mailbox at AP 2; pyOCD's adi.v5.max_invalid_ap_count). */
#define ADI_AP_SCAN_GAP 2u
int adi_ap_scan(adi_dap *a, fk_ctx *ctx, uint8_t *apsel, uint32_t *idr, unsigned max,
		unsigned *n);

/* ---- single registers ---- */
int adi_dp_read(adi_dap *a, fk_ctx *ctx, uint8_t addr, uint32_t *val);
int adi_dp_write(adi_dap *a, fk_ctx *ctx, uint8_t addr, uint32_t val);
int adi_ap_read(adi_dap *a, fk_ctx *ctx, uint8_t reg, uint32_t *val);
int adi_ap_write(adi_dap *a, fk_ctx *ctx, uint8_t reg, uint32_t val);
/* A register of AP `apsel` (any AP, not only the MEM-AP at 0): what an AP-level unlocker needs
 * (the LPC55S69 debug mailbox at AP 2, a Kinetis MDM-AP at 1). SELECT is written each time and
 * forgotten afterwards, so the next MEM-AP access selects AP 0 again. */
int adi_apx_read(adi_dap *a, fk_ctx *ctx, uint8_t apsel, uint8_t reg, uint32_t *val);
int adi_apx_write(adi_dap *a, fk_ctx *ctx, uint8_t apsel, uint8_t reg, uint32_t val);
/* Clears STICKYERR/STICKYCMP/STICKYORUN/WDATAERR (ABORT in SWD, CTRL/STAT W1C in JTAG) and
 * forgets cached SELECT/CSW/TAR. */
int adi_clear_sticky(adi_dap *a, fk_ctx *ctx);

/* ---- memory through the MEM-AP ---- */
/* width 1, 2 or 4; addr and len multiples of width. A bus error fails with FK_E_BUS_FAULT and a
 * frame naming the address (from TAR, which does not advance on a faulted transfer). */
int adi_mem_read(adi_dap *a, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len, unsigned width);
int adi_mem_write(adi_dap *a, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		  unsigned width);
int adi_read32(adi_dap *a, fk_ctx *ctx, uint32_t addr, uint32_t *val);
int adi_write32(adi_dap *a, fk_ctx *ctx, uint32_t addr, uint32_t val);

/* ---- batches (for callers that need several accesses in one round trip) ---- */
void adi_q_init(adi_queue *q);
void adi_q_dp(adi_dap *a, adi_queue *q, bool rnw, uint8_t addr, uint32_t wval, uint32_t *dst);
void adi_q_ap(adi_dap *a, adi_queue *q, bool rnw, uint8_t reg, uint32_t wval, uint32_t *dst);
/* Runs the batch: WAIT retried within a->wait_ns, FAULT turned into FK_E_BUS_FAULT (sticky
 * flags cleared), no answer into FK_E_PROTOCOL. Read results land in their dst. */
int adi_q_run(adi_dap *a, fk_ctx *ctx, adi_queue *q);

/* Time in ns on the transport's virtual clock, or the monotonic wall clock on hardware. */
uint64_t adi_now_ns(const adi_dap *a);
/* Let time pass (hardware: sleep; a twin's clock moves with the wire). */
void adi_delay_us(adi_dap *a, unsigned us);

#endif
