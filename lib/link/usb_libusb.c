/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/usb backend 0: real USB devices through libusb-1.0.
 * Sources: libusb-1.0 API reference (libusb_get_device_list, libusb_get_active_config_descriptor,
 * libusb_get_string_descriptor_ascii, libusb_claim_interface, libusb_bulk_transfer, error codes).
 * Devices are referred to by bus and address so that no libusb reference outlives a call. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "link/usb.h"

#ifdef FK_HAVE_LIBUSB
#include <libusb.h>
#include <stdlib.h>

typedef struct usb_lib_handle {
	libusb_device_handle *h;
	int iface;
} usb_lib_handle;

static libusb_context *usb_lib_ctx;

static int usb_lib_init(fk_ctx *ctx)
{
	if (usb_lib_ctx)
		return FK_OK;
	int r = libusb_init(&usb_lib_ctx);
	if (r < 0) {
		usb_lib_ctx = NULL;
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "libusb cannot start: %s",
		       libusb_strerror((enum libusb_error)r));
		return FK_E_IO;
	}
	return FK_OK;
}

/* Maps a libusb error to ours with a frame naming what failed. */
static int usb_lib_fail(fk_ctx *ctx, int r, const char *what)
{
	const char *txt = libusb_strerror((enum libusb_error)r);
	switch (r) {
	case LIBUSB_ERROR_TIMEOUT:
		return fk_fail(ctx, FK_E_TIMEOUT, "%s: USB timeout", what);
	case LIBUSB_ERROR_NO_DEVICE:
		return fk_fail(ctx, FK_E_DEVICE_GONE, "%s: the USB device was unplugged", what);
	case LIBUSB_ERROR_ACCESS:
		return fk_fail(ctx, FK_E_CONNECT, "%s: permission denied", what);
	case LIBUSB_ERROR_BUSY:
		fk_hint(ctx, "close the other program using the probe (OpenOCD, STM32CubeProgrammer, "
			     "a GDB server) and retry");
		return fk_fail(ctx, FK_E_BUSY, "%s: the interface is claimed by another program", what);
	case LIBUSB_ERROR_OVERFLOW:
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: the device sent more than asked for", what);
	default:
		return fk_fail(ctx, FK_E_IO, "%s: %s", what, txt);
	}
}

static void usb_lib_string(libusb_device_handle *h, uint8_t idx, char *out, size_t n)
{
	out[0] = '\0';
	if (!h || !idx)
		return;
	unsigned char tmp[FK_USB_STR];
	int r = libusb_get_string_descriptor_ascii(h, idx, tmp, sizeof tmp);
	if (r > 0) {
		size_t len = FK_MIN((size_t)r, n - 1);
		memcpy(out, tmp, len);
		out[len] = '\0';
	}
}

static void usb_lib_ifaces(libusb_device *dev, libusb_device_handle *h, fk_usb_info *info)
{
	struct libusb_config_descriptor *cfg;
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
		return;
	for (unsigned i = 0; i < cfg->bNumInterfaces && info->n_ifaces < FK_USB_MAX_IFACES; i++) {
		if (cfg->interface[i].num_altsetting < 1)
			continue;
		const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[0];
		fk_usb_iface *f = &info->ifaces[info->n_ifaces++];
		memset(f, 0, sizeof *f);
		f->number = d->bInterfaceNumber;
		f->cls = d->bInterfaceClass;
		f->subclass = d->bInterfaceSubClass;
		f->protocol = d->bInterfaceProtocol;
		f->n_endpoints = d->bNumEndpoints;
		for (unsigned e = 0; e < d->bNumEndpoints && e < 3; e++) {
			f->ep_addr[e] = d->endpoint[e].bEndpointAddress;
			f->ep_bulk[e] = (d->endpoint[e].bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_BULK;
			f->ep_size[e] = d->endpoint[e].wMaxPacketSize;
		}
		usb_lib_string(h, d->iInterface, f->name, sizeof f->name);
	}
	libusb_free_config_descriptor(cfg);
}

static void usb_lib_describe(libusb_device *dev, fk_usb_info *info)
{
	struct libusb_device_descriptor dd;
	memset(info, 0, sizeof *info);
	if (libusb_get_device_descriptor(dev, &dd) != 0)
		return;
	info->vid = dd.idVendor;
	info->pid = dd.idProduct;
	info->bcd_usb = dd.bcdUSB;
	uint8_t bus = libusb_get_bus_number(dev), addr = libusb_get_device_address(dev);
	info->id = ((uintptr_t)bus << 8) | addr;
	snprintf(info->location, sizeof info->location, "bus %u device %u", bus, addr);
	libusb_device_handle *h = NULL;
	int r = libusb_open(dev, &h);
	if (r == LIBUSB_ERROR_ACCESS)
		info->strings_error = FK_E_CONNECT;
	else if (r != 0)
		info->strings_error = FK_E_IO;
	usb_lib_string(h, dd.iManufacturer, info->manufacturer, sizeof info->manufacturer);
	usb_lib_string(h, dd.iProduct, info->product, sizeof info->product);
	usb_lib_string(h, dd.iSerialNumber, info->serial, sizeof info->serial);
	usb_lib_ifaces(dev, h, info);
	if (h)
		libusb_close(h);
}

static int usb_lib_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n)
{
	if (usb_lib_init(ctx))
		return FK_OK;
	libusb_device **devs;
	ssize_t cnt = libusb_get_device_list(usb_lib_ctx, &devs);
	if (cnt < 0) {
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "libusb lists no devices: %s",
		       libusb_strerror((enum libusb_error)cnt));
		return FK_OK;
	}
	for (ssize_t i = 0; i < cnt && *n < max; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(devs[i], &dd) != 0 || dd.bDeviceClass == LIBUSB_CLASS_HUB)
			continue;
		usb_lib_describe(devs[i], &list[(*n)++]);
	}
	libusb_free_device_list(devs, 1);
	return FK_OK;
}

static libusb_device *usb_lib_find(libusb_device **devs, ssize_t cnt, uintptr_t id)
{
	for (ssize_t i = 0; i < cnt; i++)
		if ((((uintptr_t)libusb_get_bus_number(devs[i]) << 8) |
		     libusb_get_device_address(devs[i])) == id)
			return devs[i];
	return NULL;
}

static int usb_lib_claim(fk_ctx *ctx, const fk_usb_info *info, libusb_device_handle *h, int iface)
{
	libusb_set_auto_detach_kernel_driver(h, 1);
	int r = libusb_claim_interface(h, iface);
	if (r == 0)
		return FK_OK;
	char what[80];
	snprintf(what, sizeof what, "claiming interface %d of USB device %04x:%04x", iface,
		 info->vid, info->pid);
	return usb_lib_fail(ctx, r, what);
}

static int usb_lib_open(fk_ctx *ctx, const fk_usb_info *info, int iface, void **out)
{
	int rc = usb_lib_init(ctx);
	if (rc)
		return fk_fail(ctx, FK_E_CONNECT, "USB is not available on this machine");
	libusb_device **devs;
	ssize_t cnt = libusb_get_device_list(usb_lib_ctx, &devs);
	libusb_device *dev = cnt > 0 ? usb_lib_find(devs, cnt, info->id) : NULL;
	libusb_device_handle *h = NULL;
	int r = dev ? libusb_open(dev, &h) : LIBUSB_ERROR_NO_DEVICE;
	if (cnt >= 0)
		libusb_free_device_list(devs, 1);
	char what[80];
	snprintf(what, sizeof what, "opening USB device %04x:%04x (%s)", info->vid, info->pid,
		 info->location);
	if (r != 0) {
		if (r == LIBUSB_ERROR_ACCESS)
			fk_usb_hint_udev(ctx, info->vid, info->pid);
		return usb_lib_fail(ctx, r, what);
	}
	if ((rc = usb_lib_claim(ctx, info, h, iface)) != 0) {
		libusb_close(h);
		return rc;
	}
	usb_lib_handle *lh = calloc(1, sizeof *lh);
	if (!lh) {
		libusb_release_interface(h, iface);
		libusb_close(h);
		return fk_fail(ctx, FK_E_NOMEM, "%s", what);
	}
	lh->h = h;
	lh->iface = iface;
	*out = lh;
	return FK_OK;
}

static int usb_lib_bulk(void *hv, fk_ctx *ctx, uint8_t ep, void *buf, size_t len,
			unsigned timeout_ms, size_t *done)
{
	usb_lib_handle *lh = hv;
	int got = 0;
	int r = libusb_bulk_transfer(lh->h, ep, buf, (int)len, &got, timeout_ms);
	*done = got > 0 ? (size_t)got : 0;
	if (r == 0)
		return FK_OK;
	char what[48];
	snprintf(what, sizeof what, "USB bulk %s on endpoint 0x%02x", (ep & 0x80) ? "read" : "write",
		 ep);
	return usb_lib_fail(ctx, r, what);
}

/* ---- batches: libusb's asynchronous API (libusb_submit_transfer, the callbacks run inside
 * libusb_handle_events_timeout_completed; a cancelled transfer completes with
 * LIBUSB_TRANSFER_CANCELLED and must be waited for before its buffer goes away) ---- */

#define USB_LIB_IN_FLIGHT 32u

typedef struct usb_lib_slot {
	struct libusb_transfer *t;
	int state;     /* 0 idle, 1 in flight, 2 done */
	unsigned idx;  /* which OUT/IN transfer of the batch */
	int *pending;  /* the batch's count of transfers in flight */
} usb_lib_slot;

static void LIBUSB_CALL usb_lib_batch_cb(struct libusb_transfer *t)
{
	usb_lib_slot *s = t->user_data;
	s->state = 2;
	(*s->pending)--;
}

static const char *usb_lib_status(enum libusb_transfer_status st)
{
	switch (st) {
	case LIBUSB_TRANSFER_TIMED_OUT: return "timed out";
	case LIBUSB_TRANSFER_STALL: return "stalled";
	case LIBUSB_TRANSFER_NO_DEVICE: return "the device is gone";
	case LIBUSB_TRANSFER_OVERFLOW: return "overflow (the device sent more than asked)";
	case LIBUSB_TRANSFER_CANCELLED: return "cancelled";
	default: return "failed";
	}
}

static int usb_lib_batch(void *hv, fk_ctx *ctx, const fk_usb_batch *b, unsigned timeout_ms)
{
	usb_lib_handle *lh = hv;
	unsigned nin_slots = b->n_in < USB_LIB_IN_FLIGHT ? b->n_in : USB_LIB_IN_FLIGHT;
	unsigned nslots = b->n_out + nin_slots;
	usb_lib_slot *slot = calloc(nslots ? nslots : 1, sizeof *slot);
	size_t *in_off = calloc(b->n_in + 1, sizeof *in_off);
	int pending = 0, rc = FK_OK;
	if (!slot || !in_off) {
		free(slot);
		free(in_off);
		return fk_fail(ctx, FK_E_NOMEM, "USB batch of %u transfers", b->n_out + b->n_in);
	}
	for (unsigned i = 0; i < b->n_in; i++)
		in_off[i + 1] = in_off[i] + b->in_len[i];
	for (unsigned i = 0; i < nslots && rc == FK_OK; i++) {
		slot[i].t = libusb_alloc_transfer(0);
		slot[i].pending = &pending;
		if (!slot[i].t)
			rc = fk_fail(ctx, FK_E_NOMEM, "USB batch: libusb_alloc_transfer");
	}
	/* the OUT transfers, in order */
	size_t off = 0;
	for (unsigned i = 0; i < b->n_out && rc == FK_OK; i++) {
		libusb_fill_bulk_transfer(slot[i].t, lh->h, b->ep_out,
					  (unsigned char *)(uintptr_t)(b->out + off),
					  (int)b->out_len[i], usb_lib_batch_cb, &slot[i], timeout_ms);
		slot[i].idx = i;
		off += b->out_len[i];
		int r = libusb_submit_transfer(slot[i].t);
		if (r)
			rc = usb_lib_fail(ctx, r, "submitting a USB bulk write");
		else
			slot[i].state = 1, pending++;
	}
	unsigned next_in = 0, in_done = 0;
	while (rc == FK_OK && (pending > 0 || in_done < b->n_in)) {
		/* keep the IN transfers queued, in order */
		for (unsigned k = b->n_out; k < nslots && next_in < b->n_in && rc == FK_OK; k++) {
			if (slot[k].state != 0)
				continue;
			libusb_fill_bulk_transfer(slot[k].t, lh->h, b->ep_in, b->in + in_off[next_in],
						  (int)b->in_len[next_in], usb_lib_batch_cb, &slot[k],
						  timeout_ms);
			slot[k].idx = next_in++;
			int r = libusb_submit_transfer(slot[k].t);
			if (r)
				rc = usb_lib_fail(ctx, r, "submitting a USB bulk read");
			else
				slot[k].state = 1, pending++;
		}
		if (rc)
			break;
		struct timeval tv = {1, 0};
		int r = libusb_handle_events_timeout_completed(usb_lib_ctx, &tv, NULL);
		if (r && r != LIBUSB_ERROR_INTERRUPTED) {
			rc = usb_lib_fail(ctx, r, "waiting for USB transfers");
			break;
		}
		for (unsigned k = 0; k < nslots && rc == FK_OK; k++) {
			if (slot[k].state != 2)
				continue;
			struct libusb_transfer *t = slot[k].t;
			bool out = k < b->n_out;
			if (t->status != LIBUSB_TRANSFER_COMPLETED ||
			    (out && (size_t)t->actual_length != b->out_len[slot[k].idx])) {
				rc = fk_fail(ctx, t->status == LIBUSB_TRANSFER_NO_DEVICE
						      ? FK_E_DEVICE_GONE : FK_E_IO,
					     "USB bulk %s %u of the batch on endpoint 0x%02x: %s (%d of "
					     "%d bytes)", out ? "write" : "read", slot[k].idx + 1,
					     out ? b->ep_out : b->ep_in,
					     t->status == LIBUSB_TRANSFER_COMPLETED
						     ? "short" : usb_lib_status(t->status),
					     t->actual_length, t->length);
				slot[k].state = 3; /* finished: nothing to cancel */
				break;
			}
			if (!out) {
				b->in_got[slot[k].idx] = (size_t)t->actual_length;
				in_done++;
				slot[k].state = 0;
			} else {
				slot[k].state = 3;
			}
		}
	}
	if (rc) { /* cancel what is still queued and wait until libusb gives every buffer back */
		for (unsigned k = 0; k < nslots; k++)
			if (slot[k].state == 1)
				libusb_cancel_transfer(slot[k].t);
		for (unsigned spins = 0; pending > 0 && spins < 100; spins++) {
			struct timeval tv = {0, 100000};
			libusb_handle_events_timeout_completed(usb_lib_ctx, &tv, NULL);
		}
	}
	for (unsigned k = 0; k < nslots; k++)
		if (slot[k].t && pending == 0)
			libusb_free_transfer(slot[k].t);
	free(slot);
	free(in_off);
	return rc;
}

static void usb_lib_close(void *hv)
{
	usb_lib_handle *lh = hv;
	libusb_release_interface(lh->h, lh->iface);
	libusb_close(lh->h);
	free(lh);
}

const fk_usb_backend fk_usb_libusb_backend = {
	.name = "libusb",
	.enumerate = usb_lib_enumerate,
	.open = usb_lib_open,
	.bulk = usb_lib_bulk,
	.close = usb_lib_close,
	.batch = usb_lib_batch,
};

#else /* built without libusb: lists nothing, opens nothing */

static int usb_none_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n)
{
	(void)ctx, (void)list, (void)max, (void)n;
	return FK_OK;
}

static int usb_none_open(fk_ctx *ctx, const fk_usb_info *info, int iface, void **h)
{
	(void)info, (void)iface, (void)h;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "flashkey was built without libusb-1.0");
}

static int usb_none_bulk(void *h, fk_ctx *ctx, uint8_t ep, void *buf, size_t len,
			 unsigned timeout_ms, size_t *done)
{
	(void)h, (void)ep, (void)buf, (void)len, (void)timeout_ms, (void)done;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "flashkey was built without libusb-1.0");
}

static void usb_none_close(void *h)
{
	(void)h;
}

const fk_usb_backend fk_usb_libusb_backend = {
	.name = "none",
	.enumerate = usb_none_enumerate,
	.open = usb_none_open,
	.bulk = usb_none_bulk,
	.close = usb_none_close,
};
#endif
