/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: packet-level emulators of debug probes (ST-LINK, CMSIS-DAP, J-Link) sitting on the
 * twin's debug port (debug/dap_core.h), and the emulated USB bus that lets the library's
 * unchanged drivers reach them through link/usb and link/hid.
 *
 * The emulators are written from the protocol descriptions (../shared/reference/probes.md §1,
 * §2, §6; J-Link: the sources named in jlink_emu.c), not from our drivers: they share no code or
 * header with lib/probe.
 *
 * Timing model (charged to the twin's virtual clock):
 *   USB full speed (ST-LINK/V2, V2-1, J-Link V9): a command/response round trip costs 1 ms (the
 *     host schedules bulk transfers per 1 ms frame), each 64-byte packet 53 us (19 per frame);
 *   USB high speed (ST-LINK/V3, CMSIS-DAP v2): round trip 250 us (two 125 us microframes),
 *     each 512-byte packet 10 us;
 *   USB HID full speed (CMSIS-DAP v1): interrupt endpoints polled every 1 ms: one report per
 *     millisecond each way;
 *   requests sent while earlier replies are still unread (pipelining) add only their wire time;
 *   on the wire: every SWD transaction 46 clock cycles (8 request, 1 turnaround, 3 ACK, 33 data,
 *     1 turnaround), a WAIT or FAULT answer 13, at the probe's SWD clock.
 * These figures are the model's choices from USB 2.0 §5.8 (bulk transfers, frame/microframe
 * scheduling) and ADIv5.2 §B4.2 (SWD frame lengths); a real host controller varies. */
#ifndef TW_PROBE_PROBE_EMU_H
#define TW_PROBE_PROBE_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/dap_core.h"
#include "flashkey/core.h"

typedef enum tw_probe_kind {
	TW_PROBE_STLINK_V2 = 0,  /* 0483:3748, full speed, commands on EP 0x02 */
	TW_PROBE_STLINK_V21 = 1, /* 0483:374b, full speed, commands on EP 0x01 */
	TW_PROBE_STLINK_V3 = 2,  /* 0483:374f (V3S), high speed */
	TW_PROBE_DAP_V2 = 3,     /* CMSIS-DAP v2, bulk, high speed, 512-byte packets x8 */
	TW_PROBE_DAP_V1 = 4,     /* CMSIS-DAP v1, HID, full speed, 64-byte reports x4 */
	TW_PROBE_JLINK = 5,      /* SEGGER J-Link V9, 1366:0101, full speed, EP 0x02 out, 0x81 in */
	TW_PROBE_CH341A = 6,     /* WCH CH341A SPI programmer, 1a86:5512, full speed, 32-byte packets,
				  * EP 0x02 out, 0x82 in: on the chip's SPI port, not its DP */
	TW_PROBE_KIND_COUNT
} tw_probe_kind;

const char *tw_probe_kind_name(tw_probe_kind k); /* "stlink-v2", "cmsis-dap-v2", ... */
int tw_probe_kind_parse(const char *s, tw_probe_kind *k);

/* What an emulator drives: the DP/AP core of a chip, and the bus under it (for power and time).
 * A chip with a SPI port (a SPI NOR) offers it in spi/spi_m instead of (or besides) a DP; the
 * bus then serves only its clock and power. */
typedef struct tw_probe_target {
	tw_dap *dap;
	const tw_dap_bus *bus;
	void *bus_h;
	const struct tw_spi_port *spi; /* NULL: no SPI port */
	void *spi_m;                   /* the model instance the port's functions take */
	void (*release)(struct tw_probe_target *t, fk_ctx *ctx); /* closes what open made */
	void *owner;
} tw_probe_target;

/* Opens the target an emulated probe is plugged into, when the host opens the probe. */
typedef int (*tw_target_open_fn)(fk_ctx *ctx, const char *arg, tw_probe_target *out);

/* ---- the emulators ---- */

/* ST-LINK: USB endpoint level (16-byte command blocks, data phases, replies). */
typedef struct tw_stlink tw_stlink;
tw_stlink *tw_stlink_new(tw_probe_target *t, tw_probe_kind kind);
void tw_stlink_free(tw_stlink *s);
/* A bulk OUT transfer; false = the endpoint STALLs (wrong endpoint, unexpected data). */
bool tw_stlink_out(tw_stlink *s, uint8_t ep, const uint8_t *buf, size_t len);
/* A bulk IN transfer: up to cap bytes of the pending reply; 0 = nothing to send. */
size_t tw_stlink_in(tw_stlink *s, uint8_t ep, uint8_t *buf, size_t cap);

/* CMSIS-DAP: one command packet in, one response packet out (none for DAP_TransferAbort). */
typedef struct tw_cmsis_dap tw_cmsis_dap;
tw_cmsis_dap *tw_cmsis_dap_new(tw_probe_target *t, const char *serial, unsigned packet_size,
			       unsigned packet_count, const char *version);
void tw_cmsis_dap_free(tw_cmsis_dap *e);
size_t tw_cmsis_dap_process(tw_cmsis_dap *e, const uint8_t *req, size_t len, uint8_t *resp,
			    size_t cap);
unsigned tw_cmsis_dap_packet_size(const tw_cmsis_dap *e);

/* J-Link: a byte stream of commands on bulk OUT 0x02, replies on bulk IN 0x81 (jlink_emu.c). */
#define TW_JLINK_EP_OUT 0x02u
#define TW_JLINK_EP_IN 0x81u
typedef enum tw_jlink_status {
	TW_JLINK_OK = 0,    /* every byte accepted */
	TW_JLINK_NAK = 1,   /* *accepted bytes taken; the rest waits until replies are read */
	TW_JLINK_STALL = 2, /* not an endpoint of this probe */
} tw_jlink_status;
typedef struct tw_jlink tw_jlink;
tw_jlink *tw_jlink_new(tw_probe_target *t);
void tw_jlink_free(tw_jlink *j);
tw_jlink_status tw_jlink_out(tw_jlink *j, uint8_t ep, const uint8_t *buf, size_t len,
			     size_t *accepted);
/* Up to cap bytes of the replies not yet read; 0 = nothing to send (the endpoint NAKs). */
size_t tw_jlink_in(tw_jlink *j, uint8_t ep, uint8_t *buf, size_t cap);
bool tw_jlink_busy(const tw_jlink *j); /* replies wait to be read */

/* CH341A (ch341a_emu.c): 32-byte command packets on bulk OUT 0x02, replies on bulk IN 0x82. */
#define TW_CH341A_EP_OUT 0x02u
#define TW_CH341A_EP_IN 0x82u
typedef enum tw_ch341a_status {
	TW_CH341A_OK = 0,    /* every packet taken */
	TW_CH341A_NAK = 1,   /* *accepted bytes (whole packets) taken; the replies must be read */
	TW_CH341A_STALL = 2, /* not an endpoint of this device */
} tw_ch341a_status;
typedef struct tw_ch341a_stats {
	uint64_t packets, spi_bytes, selects, ignored;
} tw_ch341a_stats;
typedef struct tw_ch341a tw_ch341a;
tw_ch341a *tw_ch341a_new(tw_probe_target *t); /* NULL: no SPI port on t, or no memory */
void tw_ch341a_free(tw_ch341a *c);
tw_ch341a_status tw_ch341a_out(tw_ch341a *c, uint8_t ep, const uint8_t *buf, size_t len,
			       size_t *accepted);
/* The oldest reply packet (up to cap bytes of it); 0 = nothing to send (the endpoint NAKs). */
size_t tw_ch341a_in(tw_ch341a *c, uint8_t ep, uint8_t *buf, size_t cap);
bool tw_ch341a_pending(const tw_ch341a *c); /* replies wait to be read */
const tw_ch341a_stats *tw_ch341a_stats_of(const tw_ch341a *c);

/* ---- the emulated USB bus (usb_emu.c) ---- */

/* A probe session on a target the caller owns and keeps (the USB bridge's server): the emulator
 * of that kind with its USB timing, charged to t's clock. Transfers: ST-LINK and CMSIS-DAP v2
 * are bulk transfers on the probe's endpoints; CMSIS-DAP v1 takes 64-byte reports on interrupt
 * OUT 0x01 (no report-ID byte) and gives them on interrupt IN 0x81. Errors: FK_E_TIMEOUT = the
 * endpoint NAKs (nothing to send, or too many commands in flight), FK_E_IO = it stalls. */
typedef struct tw_usb_sess tw_usb_sess;
tw_usb_sess *tw_usb_sess_new(tw_probe_kind kind, const char *serial, const tw_probe_target *t);
void tw_usb_sess_free(tw_usb_sess *x);
int tw_usb_sess_xfer(tw_usb_sess *x, fk_ctx *ctx, uint8_t ep, uint8_t *buf, size_t len,
		     size_t *done);

typedef struct tw_usb_plug_opts {
	tw_probe_kind kind;
	const char *serial;        /* NULL: a default per kind and slot */
	tw_target_open_fn open;
	const char *arg;           /* passed to open (a state file path) */
	unsigned gone_after;       /* the device vanishes after this many transfers (0 = never) */
} tw_usb_plug_opts;

/* Plugs an emulated probe into link/usb (or link/hid for CMSIS-DAP v1); returns a slot >= 0. */
int tw_usb_plug(fk_ctx *ctx, const tw_usb_plug_opts *o);
void tw_usb_unplug(int slot);
void tw_usb_unplug_all(void);
/* Serial number of a plugged probe ("" for a free slot). */
const char *tw_usb_serial(int slot);
/* Bytes per transfer the host asked for so far (statistics for tests and benchmarks). */
uint64_t tw_usb_transfers(int slot);
/* Fault injection: the device vanishes once it has seen this many transfers in all. */
void tw_usb_set_gone_after(int slot, unsigned transfers);

#endif
