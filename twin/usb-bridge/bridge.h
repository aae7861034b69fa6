/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/usb-bridge: internals shared by the stand-in libusb (bridge.c), hidapi (bridge_hid.c) and
 * the not-supported stubs (bridge_stubs.c). Only libusb_* and hid_* leave the library (the
 * version script bridge.map hides the rest). */
#ifndef TWB_BRIDGE_H
#define TWB_BRIDGE_H

#include <libusb-1.0/libusb.h>
#include <stddef.h>
#include <stdint.h>

/* A device as the server described it (proto.h LIST record). */
struct libusb_device {
	struct libusb_context *ctx;
	int refs;
	uint8_t id, bus, addr, port, speed;
	uint8_t *blob; /* device descriptor, configuration descriptor, strings */
	size_t blob_len;
	const uint8_t *cfg; /* into blob */
	size_t cfg_len;
};

struct libusb_device_handle {
	struct libusb_device *dev;
	uint32_t claimed; /* interfaces 0..31 */
	int config;
};

/* The ASCII text of string descriptor idx of dev, or NULL. */
const char *twb_string(const struct libusb_device *dev, unsigned idx, size_t *len);
/* A transfer on an endpoint through the server; waits out timeout_ms (0 = no limit) while the
 * endpoint NAKs, as libusb does. Returns 0 or a LIBUSB_ERROR_*; *done = bytes moved. */
int twb_xfer(struct libusb_device_handle *h, unsigned char ep, unsigned char *buf, int len,
	     int *done, unsigned timeout_ms);
/* A line on stderr naming a libusb/hidapi function the bridge does not provide. */
void twb_unsupported(const char *fn);
/* The default context (created on first use). */
struct libusb_context *twb_default_ctx(void);

#endif
