/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey raw DAP transport: DP/AP transactions as a debug probe carries them (SWD or JTAG).
 *
 * A backend that opens a transport of kind FK_TRANSPORT_DAP sets fk_transport.ops to an
 * fk_dap_ops table. lib/debug (ADIv5 + Cortex-M) turns it into the fk_mem_ops a chip driver uses,
 * so the driver cannot tell an ST-LINK (MEM transport) from a CMSIS-DAP or a bit-banged SWD line
 * (DAP transports).
 *
 * Sources: Arm IHI 0031 (ADIv5.2) §B4 (SW-DP protocol: request, ACK, posted reads, WAIT, FAULT),
 * §B3 (JTAG-DP), §B2 (DP registers); CMSIS-DAP DAP_Transfer (resolves posted reads in the
 * probe); ../shared/reference/probes.md §1.3, §3. */
#ifndef FLASHKEY_DAP_H
#define FLASHKEY_DAP_H

#include <stdint.h>

#include "flashkey/core.h"

/* ACK of one transaction, SWD encoding (ADIv5.2 §B4.2.2). FK_DAP_ACK_NONE: nobody drove the
 * line (pull-up reads 0b111): protocol error, DP in reset state, or the target unreachable. */
typedef enum fk_dap_ack {
	FK_DAP_ACK_OK = 1,
	FK_DAP_ACK_WAIT = 2,
	FK_DAP_ACK_FAULT = 4,
	FK_DAP_ACK_NONE = 7,
} fk_dap_ack;

/* Register addresses (A[3:2] as a byte offset; the AP bank comes from DP SELECT). */
#define FK_DP_DPIDR 0x0u  /* read */
#define FK_DP_ABORT 0x0u  /* write */
#define FK_DP_CTRL_STAT 0x4u
#define FK_DP_SELECT 0x8u /* write */
#define FK_DP_RESEND 0x8u /* read (SWD) */
#define FK_DP_RDBUFF 0xCu /* read */

/* One transaction. The transport fills ack (and data for reads). */
typedef struct fk_dap_xfer {
	uint8_t ap;   /* 1 = AP access (APnDP), 0 = DP */
	uint8_t rnw;  /* 1 = read */
	uint8_t addr; /* 0x0, 0x4, 0x8 or 0xC */
	uint8_t ack;  /* fk_dap_ack of this transaction; 0 when it was not issued */
	uint32_t data;
} fk_dap_xfer;

/* Capabilities (fk_dap_ops.flags). */
#define FK_DAP_POSTED_READS 0x1u /* raw wire: an AP read returns the PREVIOUS AP read's result
				  * and RDBUFF the last one (ADIv5.2 §B4.1.4); without the flag
				  * the transport resolves posting (CMSIS-DAP) and an AP read
				  * returns its own value */
#define FK_DAP_JTAG 0x2u         /* the wire is JTAG (JTAG-DP): sticky flags are cleared by writing
				  * CTRL/STAT (W1C), not ABORT; DP reads are posted too */

typedef struct fk_dap_ops {
	unsigned flags;
	/* Run n transactions in order, stopping after the first whose ack is not OK. *done is the
	 * number that completed with OK. Returns 0 when the exchange itself worked (whatever the
	 * acks), a negative FK_E_* when the link failed (probe gone, USB error). */
	int (*transfer)(void *h, fk_ctx *ctx, fk_dap_xfer *x, unsigned n, unsigned *done);
	/* Clock nbits on SWDIO/TMS, LSB of bits[0] first (line reset, JTAG-to-SWD switch). */
	int (*swj_sequence)(void *h, fk_ctx *ctx, const uint8_t *bits, unsigned nbits);
	/* Drive the NRST pin: 1 = assert (hold in reset), 0 = release. May be NULL (no pin). */
	int (*set_nrst)(void *h, fk_ctx *ctx, int asserted);
	/* Wire clock in kHz (SWCLK/TCK). May be NULL. */
	int (*set_clock)(void *h, fk_ctx *ctx, unsigned khz);
	/* Target supply in millivolts, -1 when not measurable. May be NULL. */
	int (*voltage_mv)(void *h, fk_ctx *ctx);
	/* Virtual time of a twin in nanoseconds; NULL on hardware. */
	uint64_t (*virtual_ns)(void *h);
	/* Total wire clock cycles so far (benchmarks); may be NULL. */
	uint64_t (*wire_bits)(void *h);
} fk_dap_ops;

#endif
