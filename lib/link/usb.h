/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/usb: USB devices for the probe drivers, reached through a small backend table.
 *
 * Backend 0 is libusb-1.0 (real hardware). Other backends can be registered at run time: the
 * twin registers one that serves in-process emulated probes (twin/probe/usb_emu.c), so a probe
 * driver's encoding and parsing run unchanged against an emulator. The table follows libusb's own
 * habit (struct usbi_os_backend): one documented struct of function pointers per backend.
 *
 * Sources: libusb-1.0 API (libusb_get_device_list, libusb_bulk_transfer, error codes);
 * ../shared/reference/probes.md §1.4 (CMSIS-DAP v2 interface selection), §2.1 (ST-LINK endpoints). */
#ifndef FK_LINK_USB_H
#define FK_LINK_USB_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"

#define FK_USB_STR 64
#define FK_USB_MAX_IFACES 6
#define FK_USB_MAX_DEVICES 32
#define FK_USB_MAX_BACKENDS 4

/* One interface of a device, as the descriptors describe it (only what the drivers need). */
typedef struct fk_usb_iface {
	uint8_t number;
	uint8_t cls, subclass, protocol;
	uint8_t n_endpoints;
	uint8_t ep_addr[3];      /* first endpoints in descriptor order (bit 7 = IN) */
	uint8_t ep_bulk[3];      /* 1 when that endpoint is a bulk endpoint */
	uint16_t ep_size[3];     /* wMaxPacketSize */
	char name[FK_USB_STR];   /* iInterface string, "" when absent or unreadable */
} fk_usb_iface;

typedef struct fk_usb_info {
	uint16_t vid, pid;
	uint16_t bcd_usb;        /* 0x0200 high-speed capable, 0x0110 full-speed */
	char manufacturer[FK_USB_STR];
	char product[FK_USB_STR];
	char serial[FK_USB_STR];
	char location[32];       /* "bus 1 port 1.4" or "emulated 2" */
	unsigned backend;        /* index in the backend table */
	uintptr_t id;            /* the backend's own device reference */
	unsigned n_ifaces;
	fk_usb_iface ifaces[FK_USB_MAX_IFACES];
	int strings_error;       /* FK_OK, or why the strings could not be read (e.g. permission) */
} fk_usb_info;

/* A batch of bulk transfers kept in flight together (see fk_usb_batch_run): n_out OUT
 * transfers on ep_out, sent in order (transfer i is out_len[i] bytes of out, one after the
 * other), and n_in IN transfers on ep_in (transfer i reads up to in_len[i] bytes into in, one
 * buffer after the other; in_got[i] receives what came). */
typedef struct fk_usb_batch {
	uint8_t ep_out, ep_in;
	const uint8_t *out;
	const size_t *out_len;
	unsigned n_out;
	uint8_t *in;
	const size_t *in_len;
	size_t *in_got;
	unsigned n_in;
} fk_usb_batch;

typedef struct fk_usb_backend {
	const char *name; /* "libusb", "twin" */
	/* Append up to max - *n devices to list; never fails hard (a backend that cannot start
	 * logs why and lists nothing). The device list must be released with free_list. */
	int (*enumerate)(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n);
	/* Open a listed device and claim interface `iface`. */
	int (*open)(fk_ctx *ctx, const fk_usb_info *info, int iface, void **h);
	/* One bulk transfer on endpoint ep (bit 7 set: IN). *done receives the bytes moved. */
	int (*bulk)(void *h, fk_ctx *ctx, uint8_t ep, void *buf, size_t len, unsigned timeout_ms,
		    size_t *done);
	void (*close)(void *h);
	/* Optional: run a batch with its transfers in flight together (libusb's asynchronous
	 * API: the OUT transfers queued in order, up to 32 IN transfers queued). NULL: the batch
	 * runs one transfer at a time (fk_usb_batch_run). */
	int (*batch)(void *h, fk_ctx *ctx, const fk_usb_batch *b, unsigned timeout_ms);
	/* Virtual time in ns of an emulated device; NULL on hardware. */
	uint64_t (*virtual_ns)(void *h);
} fk_usb_backend;

/* Registers a backend (the twin's); FK_E_BUSY when the table is full. Idempotent. */
int fk_usb_backend_add(const fk_usb_backend *b);
void fk_usb_backend_remove(const fk_usb_backend *b);

/* All devices on every backend. Never fails for "no device": *n = 0. */
int fk_usb_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n);

typedef struct fk_usb_dev fk_usb_dev;
int fk_usb_open(fk_ctx *ctx, const fk_usb_info *info, int iface, fk_usb_dev **out);
/* Write all of len bytes to an OUT endpoint; a short write is FK_E_IO. */
int fk_usb_write(fk_usb_dev *d, fk_ctx *ctx, uint8_t ep, const void *buf, size_t len,
		 unsigned timeout_ms);
/* Read one transfer of at most len bytes from an IN endpoint; *got = bytes received. */
int fk_usb_read(fk_usb_dev *d, fk_ctx *ctx, uint8_t ep, void *buf, size_t len,
		unsigned timeout_ms, size_t *got);
/* Runs a batch (fk_usb_batch). Without the backend's batch: each OUT transfer in turn, the
 * IN transfers read whenever the device refuses more (FK_E_TIMEOUT on a write) and at the end.
 * A short IN transfer is not an error (in_got says); an OUT transfer the device does not take
 * whole is FK_E_IO. */
int fk_usb_batch_run(fk_usb_dev *d, fk_ctx *ctx, const fk_usb_batch *b, unsigned timeout_ms);
void fk_usb_close(fk_usb_dev *d);
uint64_t fk_usb_virtual_ns(const fk_usb_dev *d); /* 0 on hardware */
int fk_usb_is_virtual(const fk_usb_dev *d);
const fk_usb_info *fk_usb_dev_info(const fk_usb_dev *d);

/* The hint for a permission failure: which udev rule to install. */
void fk_usb_hint_udev(fk_ctx *ctx, uint16_t vid, uint16_t pid);

#endif
