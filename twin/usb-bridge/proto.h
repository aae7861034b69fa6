/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The USB twin bridge's wire protocol, between the stand-in libusb/hidapi library loaded into an
 * unmodified program (twin/usb-bridge/bridge.c) and the `usb-bridge` server module of
 * `flashkey-twin serve` / `with-usb` (twin/probe/usb_bridge_serve.c), over a Unix stream socket
 * named by the environment variable FLASHKEY_USB_BRIDGE.
 *
 * Every message is a fixed little-endian header and a payload; the host side sends one request and
 * waits for its answer (the emulators answer synchronously, so nothing arrives unasked).
 *
 *   request:  u32 len (bytes after this field) | u8 op | u8 dev | u8 ep | u8 0 | u32 arg | payload
 *   answer:   u32 len (bytes after this field) | i32 status (0 or a LIBUSB_ERROR_* value) |
 *             u32 arg | payload
 *
 *   LIST   -> payload: records {u8 dev, u8 bus, u8 addr, u8 port, u8 speed, u16 blob_len, blob};
 *             blob = device descriptor (18 bytes), configuration descriptor (wTotalLength bytes),
 *             u8 nstrings, {u8 index, u8 len, len ASCII bytes}*.  Unplugged probes are not listed.
 *   OPEN   dev         -> status (NO_DEVICE once unplugged)
 *   CLOSE  dev         -> status
 *   OUT    dev ep data -> status, arg = bytes accepted (STALL = LIBUSB_ERROR_PIPE)
 *   IN     dev ep arg=max -> status, payload = data; LIBUSB_ERROR_TIMEOUT = the endpoint NAKs now
 *             (nothing to send); the library then waits out the caller's timeout as libusb does
 *   RESET  dev         -> status (the probe restarts: emulator state cleared, as a USB reset)
 * The server charges the USB timing model (twin/probe/probe_emu.h) to the twin's clock; the bridge
 * adds no virtual time of its own. */
#ifndef TW_USB_BRIDGE_PROTO_H
#define TW_USB_BRIDGE_PROTO_H

#include <stdint.h>

#define TWB_ENV_SOCKET "FLASHKEY_USB_BRIDGE"

enum twb_op {
	TWB_OP_LIST = 1,
	TWB_OP_OPEN = 2,
	TWB_OP_CLOSE = 3,
	TWB_OP_OUT = 4,
	TWB_OP_IN = 5,
	TWB_OP_RESET = 6,
};

#define TWB_REQ_HDR 12u       /* len + op/dev/ep/pad + arg */
#define TWB_ANS_HDR 12u       /* len + status + arg */
#define TWB_MAX_PAYLOAD 65536u /* one transfer; larger ones are split by the library */

static inline void twb_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t twb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
