/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey probe and port discovery: what `flashkey list` shows.
 *
 * fk_probe_list() enumerates every attached debug probe (ST-LINK V2/V2-1/V3 on USB bulk,
 * CMSIS-DAP v2 on USB bulk, CMSIS-DAP v1 on USB HID), including emulated probes the twin has
 * plugged into the USB seam, and asks each one for its firmware version. fk_serial_list()
 * lists serial ports (for uart: connections). Neither fails because nothing is attached. */
#ifndef FLASHKEY_PROBE_H
#define FLASHKEY_PROBE_H

#include <stdint.h>

#include "flashkey/core.h"

#define FK_PROBE_MAX 32

typedef struct fk_probe_info {
	char kind[24];        /* "ST-LINK/V2", "ST-LINK/V3E", "CMSIS-DAP v2", "CMSIS-DAP v1" */
	uint16_t vid, pid;
	char serial[64];
	char product[64];
	char firmware[32];    /* "V2J37S7", "2.1.0"; "" when it could not be read */
	char location[32];    /* "bus 1 device 4", "emulated 1", a hidraw path */
	char connection[96];  /* how to choose it: "stlink:SERIAL", "cmsis-dap:SERIAL" */
	int error;            /* why the probe could not be asked (FK_E_CONNECT: permission...) */
} fk_probe_info;

int fk_probe_list(fk_ctx *ctx, fk_probe_info *list, unsigned max, unsigned *n);

typedef struct fk_serial_port {
	char path[64];        /* "/dev/ttyUSB0" */
	char description[96]; /* "/dev/serial/by-id/usb-FTDI_..." or the driver name */
} fk_serial_port;

int fk_serial_list(fk_ctx *ctx, fk_serial_port *list, unsigned max, unsigned *n);

#endif
