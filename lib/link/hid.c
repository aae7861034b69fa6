/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/hid: backend table, report framing, and backend 0 over hidapi (see hid.h).
 * Sources: hidapi API reference; probes.md §1.4 (report ID 0 prefix on writes, none on reads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "link/hid.h"
#include "link/usb.h"

#define FK_HID_MAX_REPORT 1024

extern const fk_hid_backend fk_hid_hidapi_backend;

struct fk_hid_dev {
	const fk_hid_backend *b;
	void *h;
};

static const fk_hid_backend *fk_hid_backends[FK_HID_MAX_BACKENDS] = {&fk_hid_hidapi_backend};

int fk_hid_backend_add(const fk_hid_backend *b)
{
	for (unsigned i = 0; i < FK_HID_MAX_BACKENDS; i++)
		if (fk_hid_backends[i] == b)
			return FK_OK;
	for (unsigned i = 0; i < FK_HID_MAX_BACKENDS; i++)
		if (!fk_hid_backends[i]) {
			fk_hid_backends[i] = b;
			return FK_OK;
		}
	return FK_E_BUSY;
}

void fk_hid_backend_remove(const fk_hid_backend *b)
{
	for (unsigned i = 1; i < FK_HID_MAX_BACKENDS; i++)
		if (fk_hid_backends[i] == b)
			fk_hid_backends[i] = NULL;
}

int fk_hid_enumerate(fk_ctx *ctx, fk_hid_info *list, unsigned max, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; i < FK_HID_MAX_BACKENDS; i++) {
		if (!fk_hid_backends[i])
			continue;
		unsigned before = *n;
		fk_hid_backends[i]->enumerate(ctx, list, max, n);
		for (unsigned k = before; k < *n; k++)
			list[k].backend = i;
	}
	return FK_OK;
}

int fk_hid_open(fk_ctx *ctx, const fk_hid_info *info, fk_hid_dev **out)
{
	*out = NULL;
	if (info->backend >= FK_HID_MAX_BACKENDS || !fk_hid_backends[info->backend])
		return fk_fail(ctx, FK_E_DEVICE_GONE, "HID device %04x:%04x: its backend is gone",
			       info->vid, info->pid);
	fk_hid_dev *d = calloc(1, sizeof *d);
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "opening HID device %04x:%04x", info->vid, info->pid);
	d->b = fk_hid_backends[info->backend];
	int rc = d->b->open(ctx, info, &d->h);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return FK_OK;
}

int fk_hid_send(fk_hid_dev *d, fk_ctx *ctx, const void *data, size_t len, size_t report_size)
{
	uint8_t buf[FK_HID_MAX_REPORT + 1];
	if (len > report_size || report_size > FK_HID_MAX_REPORT)
		return fk_fail(ctx, FK_E_INTERNAL, "HID report of %zu bytes exceeds the report size %zu",
			       len, report_size);
	buf[0] = 0x00; /* report ID: CMSIS-DAP uses unnumbered reports */
	memcpy(buf + 1, data, len);
	memset(buf + 1 + len, 0, report_size - len);
	return d->b->write(d->h, ctx, buf, report_size + 1);
}

int fk_hid_recv(fk_hid_dev *d, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms,
		size_t *got)
{
	*got = 0;
	int rc = d->b->read(d->h, ctx, buf, len, timeout_ms, got);
	if (rc == FK_OK && *got == 0)
		return fk_fail(ctx, FK_E_TIMEOUT, "no HID report within %u ms", timeout_ms);
	return rc;
}

void fk_hid_close(fk_hid_dev *d)
{
	if (!d)
		return;
	d->b->close(d->h);
	free(d);
}

uint64_t fk_hid_virtual_ns(const fk_hid_dev *d)
{
	return d->b->virtual_ns ? d->b->virtual_ns(d->h) : 0;
}

/* ---- backend 0: hidapi ---- */
#ifdef FK_HAVE_HIDAPI
#include <hidapi.h>
#include <wchar.h>

static int fk_hidapi_started;

static void hidapi_wcs(const wchar_t *w, char *out, size_t n)
{
	size_t i = 0;
	for (; w && w[i] && i + 1 < n; i++)
		out[i] = (w[i] >= 0x20 && w[i] < 0x7F) ? (char)w[i] : '?';
	out[i] = '\0';
}

static int hidapi_start(fk_ctx *ctx)
{
	if (fk_hidapi_started)
		return FK_OK;
	if (hid_init() != 0) {
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "hidapi cannot start");
		return FK_E_IO;
	}
	fk_hidapi_started = 1;
	return FK_OK;
}

static int hidapi_enumerate(fk_ctx *ctx, fk_hid_info *list, unsigned max, unsigned *n)
{
	if (hidapi_start(ctx))
		return FK_OK;
	struct hid_device_info *all = hid_enumerate(0, 0);
	for (struct hid_device_info *e = all; e && *n < max; e = e->next) {
		fk_hid_info *i = &list[(*n)++];
		memset(i, 0, sizeof *i);
		i->vid = e->vendor_id;
		i->pid = e->product_id;
		i->iface = e->interface_number;
		fk_strlcpy(i->path, e->path ? e->path : "", sizeof i->path);
		hidapi_wcs(e->manufacturer_string, i->manufacturer, sizeof i->manufacturer);
		hidapi_wcs(e->product_string, i->product, sizeof i->product);
		hidapi_wcs(e->serial_number, i->serial, sizeof i->serial);
	}
	hid_free_enumeration(all);
	return FK_OK;
}

static int hidapi_open(fk_ctx *ctx, const fk_hid_info *info, void **h)
{
	if (hidapi_start(ctx))
		return fk_fail(ctx, FK_E_CONNECT, "HID is not available on this machine");
	hid_device *d = hid_open_path(info->path);
	if (!d) {
		fk_usb_hint_udev(ctx, info->vid, info->pid);
		return fk_fail(ctx, FK_E_CONNECT, "cannot open HID device %04x:%04x at %s "
				"(permission, or in use)", info->vid, info->pid, info->path);
	}
	*h = d;
	return FK_OK;
}

static int hidapi_write(void *h, fk_ctx *ctx, const uint8_t *data, size_t len)
{
	int r = hid_write(h, data, len);
	if (r < 0)
		return fk_fail(ctx, FK_E_DEVICE_GONE, "HID write failed (device unplugged?)");
	if ((size_t)r != len)
		return fk_fail(ctx, FK_E_IO, "HID write took %d of %zu bytes", r, len);
	return FK_OK;
}

static int hidapi_read(void *h, fk_ctx *ctx, uint8_t *buf, size_t len, unsigned timeout_ms,
		       size_t *got)
{
	int r = hid_read_timeout(h, buf, len, (int)timeout_ms);
	if (r < 0)
		return fk_fail(ctx, FK_E_DEVICE_GONE, "HID read failed (device unplugged?)");
	*got = (size_t)r;
	return FK_OK;
}

static void hidapi_close(void *h)
{
	hid_close(h);
}

const fk_hid_backend fk_hid_hidapi_backend = {
	.name = "hidapi",
	.enumerate = hidapi_enumerate,
	.open = hidapi_open,
	.write = hidapi_write,
	.read = hidapi_read,
	.close = hidapi_close,
};
#else
static int hidnone_enumerate(fk_ctx *ctx, fk_hid_info *list, unsigned max, unsigned *n)
{
	(void)ctx, (void)list, (void)max, (void)n;
	return FK_OK;
}

static int hidnone_open(fk_ctx *ctx, const fk_hid_info *info, void **h)
{
	(void)info, (void)h;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "flashkey was built without hidapi");
}

const fk_hid_backend fk_hid_hidapi_backend = {
	.name = "none",
	.enumerate = hidnone_enumerate,
	.open = hidnone_open,
};
#endif
