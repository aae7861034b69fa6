/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's JTAG front end: the STM32F4 scan chain TDI -> boundary-scan TAP (IR 5 bits,
 * IDCODE 0x06413041) -> Cortex-M4 JTAG-DP TAP (IR 4 bits, IDCODE 0x4BA00477) -> TDO, with the
 * JTAG-DP instructions ABORT, DPACC, APACC, IDCODE and BYPASS feeding the transaction core.
 *
 * Sources: IEEE 1149.1-2013 §6 (TAP controller states and transitions), §7-§8 (IR capture,
 * BYPASS, IDCODE); Arm IHI 0031 (ADIv5.2) §B3.2 (JTAG-DP scan chains: 35-bit DPACC/APACC,
 * ACK OK/FAULT 0b010 and WAIT 0b001 captured in Capture-DR, results of the previous
 * transaction); RM0090 §38.5 (STM32F4 TAP chain, boundary-scan IDCODE); ../shared/reference/
 * probes.md §3.7 and openocd-remote-bitbang.md. */
#ifndef TW_DEBUG_JTAG_WIRE_H
#define TW_DEBUG_JTAG_WIRE_H

#include "debug/dap_core.h"

typedef struct tw_jtag tw_jtag;

/* TW_JTAG_BS_IDCODE (the STM32F4 boundary-scan TAP) is in dap_core.h, with the other IDs. */

tw_jtag *tw_jtag_new(tw_dap *dap); /* in Test-Logic-Reset */
void tw_jtag_free(tw_jtag *j);
/* One rising TCK edge with the given TMS and TDI (each 0 or 1). Charged to the virtual clock. */
void tw_jtag_clock(tw_jtag *j, int tms, int tdi);
/* TDO as the host samples it before the next rising edge (1 outside the shift states). */
int tw_jtag_tdo(const tw_jtag *j);
void tw_jtag_trst(tw_jtag *j); /* TRST: both TAPs to Test-Logic-Reset */
/* For tests: the TAP state (IEEE 1149.1 numbering of this file's enum) and the IRs. */
int tw_jtag_state(const tw_jtag *j);
unsigned tw_jtag_ir(const tw_jtag *j, int bs);

#endif
