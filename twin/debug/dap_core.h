/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's debug port at transaction level: one DP (SW-DP/JTAG-DP of an STM32F4 SWJ-DP), one
 * AHB-AP (MEM-AP) with its ROM table, and the Cortex-M4 debug registers (SCS, FPB, DWT) with a
 * core model that halts, resets and locks up without emulating instructions.
 *
 * Every wire front end feeds this one core: the SWD decoder (swd_wire.h), the JTAG TAP chain
 * (jtag_wire.h) and the probe emulators (CMSIS-DAP, ST-LINK) of twin/probe.
 *
 * The core reaches the chip through a small bus table (tw_dap_bus) so it can be tested over a
 * fake bus (membus.h); chip_port.h binds it to any chip model that offers a DAP-bus port.
 *
 * Sources: Arm IHI 0031 (ADIv5.2) §B2 (DP registers), §B3 (JTAG-DP), §B4 (SW-DP), §C2 (MEM-AP);
 * Arm DDI 0403 (ARMv7-M) §C1 (debug: DHCSR, DCRSR, DCRDR, DEMCR, DFSR, FPB, DWT), §B1.5.15
 * (lockup); Cortex-M4 TRM r0p1 (IDs); ../shared/reference/probes.md §3, §4. */
#ifndef TW_DEBUG_DAP_CORE_H
#define TW_DEBUG_DAP_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h" /* tw_status, tw_dap_ids */

typedef struct tw_dap tw_dap;

/* The chip as the debug port sees it. All fields are required. */
typedef struct tw_dap_bus {
	/* An AHB access by the debugger (size 1, 2, 4; addr aligned). TW_STALL: retry later. */
	tw_status (*read)(void *h, uint32_t addr, unsigned size, uint32_t *val);
	tw_status (*write)(void *h, uint32_t addr, unsigned size, uint32_t val);
	/* A fetch by the core itself (reset vector): uses the user initiator. */
	tw_status (*fetch)(void *h, uint32_t addr, uint32_t *val);
	void (*system_reset)(void *h);            /* SYSRESETREQ: peripherals, flash interface */
	void (*set_nrst)(void *h, bool asserted); /* the pin; release resets the chip */
	bool (*reachable)(void *h);               /* false: the DP answers nothing (RDP 2...) */
	bool (*powered)(void *h);
	void (*attach)(void *h);                  /* a debugger connected (intrusion latch) */
	void (*advance)(void *h, uint64_t ns);    /* virtual clock */
	uint64_t (*now)(void *h);
	/* Optional: time the core itself spends (its cycles, an access the flash stalls). Unlike
	 * advance (the wire's time, which a --realtime server paces itself) it always moves the
	 * chip's clock. NULL: advance. */
	void (*core_advance)(void *h, uint64_t ns);
	/* Optional: when the operation in progress ends (0: none), so a core polling a busy flag
	 * can let the clock run to it instead of interpreting every poll. */
	uint64_t (*busy_until)(void *h);
	/* Optional (NULL: only AP 0 exists, the others read as zero). An access to a register of
	 * an AP other than AP 0 (APSEL = SELECT[31:24], reg = SELECT[7:4] | A[3:2]): the model's
	 * own access ports (the LPC55S69 debug mailbox at AP 2). Reads happen in the ACK phase:
	 * TW_STALL answers WAIT (the debugger retries), TW_BUS_ERROR FAULT (STICKYERR); an AP the
	 * model does not have returns TW_OK with *val = 0 (IDR 0: not implemented). */
	tw_status (*ap_access)(void *h, uint8_t apsel, uint8_t reg, bool rnw, uint32_t *val);
	/* Optional (NULL: always): CSW.DeviceEn of AP 0, ADIv5.2 §C2.6.4: when false every
	 * transfer through DRW/BDx faults (STICKYERR) without reaching the bus or the core. */
	bool (*device_en)(void *h);
	/* Optional: the model's boot-ROM routine at addr (tw_dap_port.rom_call); NULL: none. */
	bool (*rom_call)(void *h, uint32_t addr, const uint32_t r[16]);
} tw_dap_bus;

/* ACK values, SWD encoding (ADIv5.2 §B4.2.2); TW_ACK_NONE = the target does not drive. */
typedef enum tw_dap_ack {
	TW_ACK_OK = 1,
	TW_ACK_WAIT = 2,
	TW_ACK_FAULT = 4,
	TW_ACK_NONE = 7,
} tw_dap_ack;

typedef enum tw_dap_wire {
	TW_WIRE_SWD = 0,  /* sticky flags cleared by ABORT; FAULT answers while a flag is set */
	TW_WIRE_JTAG = 1, /* sticky flags W1C in CTRL/STAT; AP accesses ignored while set */
} tw_dap_wire;

/* Identification (probes.md §3.4, §3.6, §4.1). */
#define TW_DAP_DPIDR_SWD 0x2BA01477u
#define TW_DAP_IDCODE_JTAG 0x4BA00477u
#define TW_DAP_AHBAP_IDR 0x24770011u
#define TW_DAP_AHBAP_BASE 0xE00FF003u
#define TW_DAP_CPUID 0x410FC241u
#define TW_JTAG_BS_IDCODE 0x06413041u /* STM32F405/407 boundary-scan TAP (probes.md §3.7) */

tw_dap *tw_dap_new(const tw_dap_bus *bus, void *bus_handle);
/* The IDs the port shows (the chip model's tw_dap_port.ids); NULL keeps the defaults above and
 * TW_JTAG_BS_IDCODE. */
void tw_dap_set_ids(tw_dap *d, const tw_dap_ids *ids);
const tw_dap_ids *tw_dap_ids_of(const tw_dap *d);
void tw_dap_free(tw_dap *d);
void tw_dap_set_wire(tw_dap *d, tw_dap_wire wire);

/* ---- transaction level (what a probe's firmware does on the wire) ----
 * Two phases, because the SWD ACK is sent before the write data arrives:
 *   tw_dap_request() is the ACK phase: completes a pending AP access if it can, checks the
 *     sticky flags and the DP reset state. Nothing is performed yet.
 *   after TW_ACK_OK, tw_dap_read() returns the read data, or tw_dap_write() performs the write.
 * AP reads are posted (ADIv5.2 §B4.1.4): tw_dap_read() of an AP register returns the result
 * of the PREVIOUS AP read and starts this one; DP RDBUFF returns the last result. A stalled AHB
 * access stays pending in the AP and later requests get WAIT until it completes. */
tw_dap_ack tw_dap_request(tw_dap *d, bool ap, bool rnw, uint8_t addr);
uint32_t tw_dap_read(tw_dap *d, bool ap, uint8_t addr);
void tw_dap_write(tw_dap *d, bool ap, uint8_t addr, uint32_t val);
/* SWD data parity error on a write: the write is dropped and WDATAERR set (§B4.2.5). */
void tw_dap_write_parity_error(tw_dap *d);
/* Both phases at once; *val in/out. */
tw_dap_ack tw_dap_transfer(tw_dap *d, bool ap, bool rnw, uint8_t addr, uint32_t *val);

/* SWD line reset (≥50 ones): DP in reset state until DPIDR is read; DPBANKSEL = 0. */
void tw_dap_line_reset(tw_dap *d);
/* JTAG-DP Capture-DR: is the AP still busy with the previous access (ACK = WAIT)? Tries to
 * complete it first. A WAIT reported this way sets STICKYORUN when ORUNDETECT is on. */
bool tw_dap_busy(tw_dap *d);
uint32_t tw_dap_dpidr(const tw_dap *d);
bool tw_dap_overrun_detect(const tw_dap *d); /* CTRL/STAT.ORUNDETECT */
bool tw_dap_reachable(tw_dap *d);

/* ---- memory level (what the AHB-AP does for one DRW access; ST-LINK emulator) ---- */
/* Routes Cortex-M debug registers, ROM table and component IDs to the core model, the rest to
 * the bus. */
tw_status tw_dap_mem_read(tw_dap *d, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_dap_mem_write(tw_dap *d, uint32_t addr, unsigned size, uint32_t val);

/* ---- pins, core, time ---- */
void tw_dap_set_nrst(tw_dap *d, bool asserted); /* vector catch is decided on release */
bool tw_dap_halted(const tw_dap *d);
bool tw_dap_locked_up(const tw_dap *d);
uint32_t tw_dap_core_reg(const tw_dap *d, unsigned regsel); /* DCRSR numbering */
/* Charge wire clock cycles to the virtual clock at the configured frequency. */
void tw_dap_set_clock_hz(tw_dap *d, uint32_t hz); /* default 4 MHz */
void tw_dap_clock_bits(tw_dap *d, uint64_t bits);
uint64_t tw_dap_bits(const tw_dap *d);
uint64_t tw_dap_now_ns(tw_dap *d); /* charges the cycles clocked so far first */

#endif
