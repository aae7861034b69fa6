/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/usb: the backend table and the device handle every probe driver uses (see usb.h).
 * Sources: libusb-1.0 API documentation (transfer semantics copied into fk_usb_backend). */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "link/usb.h"

extern const fk_usb_backend fk_usb_libusb_backend; /* usb_libusb.c */

struct fk_usb_dev {
	const fk_usb_backend *b;
	void *h;
	fk_usb_info info;
};

static const fk_usb_backend *fk_usb_backends[FK_USB_MAX_BACKENDS] = {&fk_usb_libusb_backend};

int fk_usb_backend_add(const fk_usb_backend *b)
{
	for (unsigned i = 0; i < FK_USB_MAX_BACKENDS; i++)
		if (fk_usb_backends[i] == b)
			return FK_OK;
	for (unsigned i = 0; i < FK_USB_MAX_BACKENDS; i++)
		if (!fk_usb_backends[i]) {
			fk_usb_backends[i] = b;
			return FK_OK;
		}
	return FK_E_BUSY;
}

void fk_usb_backend_remove(const fk_usb_backend *b)
{
	for (unsigned i = 1; i < FK_USB_MAX_BACKENDS; i++)
		if (fk_usb_backends[i] == b)
			fk_usb_backends[i] = NULL;
}

int fk_usb_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; i < FK_USB_MAX_BACKENDS; i++) {
		const fk_usb_backend *b = fk_usb_backends[i];
		if (!b)
			continue;
		unsigned before = *n;
		b->enumerate(ctx, list, max, n);
		for (unsigned k = before; k < *n; k++)
			list[k].backend = i;
	}
	return FK_OK;
}

int fk_usb_open(fk_ctx *ctx, const fk_usb_info *info, int iface, fk_usb_dev **out)
{
	*out = NULL;
	if (info->backend >= FK_USB_MAX_BACKENDS || !fk_usb_backends[info->backend])
		return fk_fail(ctx, FK_E_DEVICE_GONE, "USB device %04x:%04x: its backend is gone",
			       info->vid, info->pid);
	fk_usb_dev *d = calloc(1, sizeof *d);
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "opening USB device %04x:%04x", info->vid, info->pid);
	d->b = fk_usb_backends[info->backend];
	d->info = *info;
	int rc = d->b->open(ctx, info, iface, &d->h);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return FK_OK;
}

int fk_usb_write(fk_usb_dev *d, fk_ctx *ctx, uint8_t ep, const void *buf, size_t len,
		 unsigned timeout_ms)
{
	size_t done = 0;
	int rc = d->b->bulk(d->h, ctx, (uint8_t)(ep & 0x7Fu), (void *)(uintptr_t)buf, len,
			    timeout_ms, &done);
	if (rc)
		return rc;
	if (done != len)
		return fk_fail(ctx, FK_E_IO, "USB endpoint 0x%02x took %zu of %zu bytes", ep, done,
			       len);
	return FK_OK;
}

int fk_usb_read(fk_usb_dev *d, fk_ctx *ctx, uint8_t ep, void *buf, size_t len,
		unsigned timeout_ms, size_t *got)
{
	*got = 0;
	return d->b->bulk(d->h, ctx, (uint8_t)(ep | 0x80u), buf, len, timeout_ms, got);
}

/* One transfer at a time: each OUT in turn; when the device refuses an OUT (FK_E_TIMEOUT: it
 * holds replies the host has not read), the next IN transfers are read and the rest of the OUT
 * is offered again. */
static int fk_usb_batch_serial(fk_usb_dev *d, fk_ctx *ctx, const fk_usb_batch *b,
			       unsigned timeout_ms)
{
	const uint8_t *o = b->out;
	uint8_t *in = b->in;
	unsigned next_in = 0;
	for (unsigned i = 0; i < b->n_out; i++) {
		size_t off = 0;
		while (off < b->out_len[i]) {
			size_t done = 0;
			int rc = d->b->bulk(d->h, ctx, b->ep_out, (void *)(uintptr_t)(o + off),
					    b->out_len[i] - off, timeout_ms, &done);
			off += done;
			if (rc == FK_E_TIMEOUT && next_in < b->n_in) {
				fk_ctx_clear(ctx);
				rc = d->b->bulk(d->h, ctx, b->ep_in, in, b->in_len[next_in],
						timeout_ms, &b->in_got[next_in]);
				in += b->in_len[next_in++];
			}
			if (rc)
				return rc;
		}
		o += b->out_len[i];
	}
	for (; next_in < b->n_in; next_in++) {
		int rc = d->b->bulk(d->h, ctx, b->ep_in, in, b->in_len[next_in], timeout_ms,
				    &b->in_got[next_in]);
		if (rc)
			return rc;
		in += b->in_len[next_in];
	}
	return FK_OK;
}

int fk_usb_batch_run(fk_usb_dev *d, fk_ctx *ctx, const fk_usb_batch *b, unsigned timeout_ms)
{
	for (unsigned i = 0; i < b->n_in; i++)
		b->in_got[i] = 0;
	if (d->b->batch)
		return d->b->batch(d->h, ctx, b, timeout_ms);
	return fk_usb_batch_serial(d, ctx, b, timeout_ms);
}

void fk_usb_close(fk_usb_dev *d)
{
	if (!d)
		return;
	d->b->close(d->h);
	free(d);
}

uint64_t fk_usb_virtual_ns(const fk_usb_dev *d)
{
	return d->b->virtual_ns ? d->b->virtual_ns(d->h) : 0;
}

int fk_usb_is_virtual(const fk_usb_dev *d)
{
	return d->b->virtual_ns != NULL;
}

const fk_usb_info *fk_usb_dev_info(const fk_usb_dev *d)
{
	return &d->info;
}

void fk_usb_hint_udev(fk_ctx *ctx, uint16_t vid, uint16_t pid)
{
	fk_hint(ctx,
		"no permission to open USB device %04x:%04x: install the udev rule "
		"(sudo cp docs/60-flashkey.rules /etc/udev/rules.d/ && sudo udevadm control "
		"--reload && sudo udevadm trigger), then unplug and replug the probe",
		vid, pid);
}
