/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/hid: USB HID devices (CMSIS-DAP v1) through a small backend table, like link/usb.
 *
 * Backend 0 is hidapi (libhidapi-libusb); the twin registers a backend of emulated devices.
 * Reports are written with the report-ID byte 0x00 in front and zero-padded to the report size;
 * reads return the report without an ID byte (probes.md §1.4, §7).
 * Sources: hidapi API (hid_enumerate, hid_open_path, hid_write, hid_read_timeout). */
#ifndef FK_LINK_HID_H
#define FK_LINK_HID_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"

#define FK_HID_STR 64
#define FK_HID_MAX_BACKENDS 4

typedef struct fk_hid_info {
	uint16_t vid, pid;
	int iface;
	char path[128];
	char manufacturer[FK_HID_STR];
	char product[FK_HID_STR];
	char serial[FK_HID_STR];
	unsigned backend;
	uintptr_t id;
} fk_hid_info;

typedef struct fk_hid_backend {
	const char *name;
	int (*enumerate)(fk_ctx *ctx, fk_hid_info *list, unsigned max, unsigned *n);
	int (*open)(fk_ctx *ctx, const fk_hid_info *info, void **h);
	/* Writes one report: data[0] is the report ID (0), then the report. */
	int (*write)(void *h, fk_ctx *ctx, const uint8_t *data, size_t len);
	/* Reads one report (no ID byte); *got = 0 on timeout. */
	int (*read)(void *h, fk_ctx *ctx, uint8_t *buf, size_t len, unsigned timeout_ms,
		    size_t *got);
	void (*close)(void *h);
	uint64_t (*virtual_ns)(void *h);
} fk_hid_backend;

int fk_hid_backend_add(const fk_hid_backend *b);
void fk_hid_backend_remove(const fk_hid_backend *b);
int fk_hid_enumerate(fk_ctx *ctx, fk_hid_info *list, unsigned max, unsigned *n);

typedef struct fk_hid_dev fk_hid_dev;
int fk_hid_open(fk_ctx *ctx, const fk_hid_info *info, fk_hid_dev **out);
/* Sends one report of report_size bytes: report ID 0 + data zero-padded. len <= report_size. */
int fk_hid_send(fk_hid_dev *d, fk_ctx *ctx, const void *data, size_t len, size_t report_size);
/* Receives one report; FK_E_TIMEOUT when none arrives in time. */
int fk_hid_recv(fk_hid_dev *d, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms,
		size_t *got);
void fk_hid_close(fk_hid_dev *d);
uint64_t fk_hid_virtual_ns(const fk_hid_dev *d);

#endif
