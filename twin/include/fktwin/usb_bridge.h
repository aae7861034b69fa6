/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin with-usb`: run an unmodified program with the twin behind emulated USB probes,
 * through the stand-in libusb/hidapi library (twin/usb-bridge/). The server side is the serve
 * module `usb-bridge` (twin/probe/usb_bridge_serve.c); see docs/PROBES.md. */
#ifndef FKTWIN_USB_BRIDGE_H
#define FKTWIN_USB_BRIDGE_H

#include <stdbool.h>

#include "flashkey/core.h"

typedef struct tw_with_usb_opts {
	const char *probes;  /* "KIND[,serial=S][,gone-after=N];..." (NULL/"": one of each kind) */
	const char *library; /* the bridge library (libfktwin-usb.so); its folder also holds the
			      * names libusb-1.0.so.0, libhidapi-hidraw.so.0, libhidapi-libusb.so.0 */
	bool preload;        /* also put it in LD_PRELOAD (not with AddressSanitizer programs) */
	bool realtime;       /* serve --realtime */
} tw_with_usb_opts;

/* Serves the twin at path behind the probes on a private socket, runs argv with
 * FLASHKEY_USB_BRIDGE, LD_LIBRARY_PATH (and LD_PRELOAD) set, and returns when it exits (the twin
 * saved). *status: the command's exit code (128+signal when killed, 127 when it could not run).
 * Returns FK_OK or the server's failure. */
int tw_with_usb(fk_ctx *ctx, const char *path, const tw_with_usb_opts *o, char *const *argv,
		int *status);

#endif
