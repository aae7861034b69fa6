/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/usb-bridge: a stand-in for hidapi (the hidraw and libusb flavours export the same hid_*
 * calls) over the bridge's devices, for CMSIS-DAP v1. A HID device is an interface of class 3
 * (USB HID 1.11 §4.1) with an interrupt IN and an interrupt OUT endpoint; hid_write sends the
 * report without its report-ID byte when that byte is 0 (hidapi: "the first byte must contain the
 * Report ID; for devices which only support a single report, this must be set to 0x0"), and
 * hid_read returns the report as the device sent it (no ID byte for unnumbered reports). */
#include <hidapi/hidapi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bridge.h"

#define TWB_HID_PATH "twin-hidraw:"

struct hid_device_ {
	libusb_device_handle *h;
	int iface;
	uint8_t ep_in, ep_out;
	uint16_t in_size;
	int nonblocking;
	struct hid_device_info *info;
	wchar_t err[160];
};

static wchar_t twb_hid_global_err[160];

static void twb_hid_seterr(hid_device *d, const char *msg)
{
	wchar_t *dst = d ? d->err : twb_hid_global_err;
	mbstowcs(dst, msg, 159);
	dst[159] = 0;
}

static wchar_t *twb_wdup(const char *s, size_t n)
{
	wchar_t *w = calloc(n + 1, sizeof *w);
	for (size_t i = 0; w && i < n; i++)
		w[i] = (unsigned char)s[i];
	return w;
}

static wchar_t *twb_wstr(libusb_device *dev, unsigned idx)
{
	size_t n = 0;
	const char *s = twb_string(dev, idx, &n);
	return twb_wdup(s ? s : "", s ? n : 0);
}

int HID_API_EXPORT hid_init(void)
{
	return twb_default_ctx() ? 0 : -1;
}

int HID_API_EXPORT hid_exit(void)
{
	return 0;
}

const struct hid_api_version *HID_API_EXPORT_CALL hid_version(void)
{
	static const struct hid_api_version v = {HID_API_VERSION_MAJOR, HID_API_VERSION_MINOR,
						 HID_API_VERSION_PATCH};
	return &v;
}

const char *HID_API_EXPORT_CALL hid_version_str(void)
{
	return HID_API_VERSION_STR;
}

/* The HID interface of a device: its number and interrupt endpoints; false if it has none. */
static bool twb_hid_iface(libusb_device *dev, int *iface, uint8_t *in, uint8_t *out,
			  uint16_t *in_size)
{
	struct libusb_config_descriptor *c;
	if (libusb_get_config_descriptor(dev, 0, &c))
		return false;
	bool found = false;
	for (int i = 0; i < c->bNumInterfaces && !found; i++) {
		const struct libusb_interface_descriptor *a = &c->interface[i].altsetting[0];
		if (c->interface[i].num_altsetting < 1 || a->bInterfaceClass != LIBUSB_CLASS_HID)
			continue;
		*in = *out = 0;
		for (int e = 0; e < a->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &a->endpoint[e];
			if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_INTERRUPT)
				continue;
			if (ep->bEndpointAddress & 0x80)
				*in = ep->bEndpointAddress, *in_size = ep->wMaxPacketSize;
			else
				*out = ep->bEndpointAddress;
		}
		*iface = a->bInterfaceNumber;
		found = *in != 0;
	}
	libusb_free_config_descriptor(c);
	return found;
}

static struct hid_device_info *twb_hid_info(libusb_device *dev, int iface)
{
	struct libusb_device_descriptor dd;
	struct hid_device_info *i = calloc(1, sizeof *i);
	if (!i)
		return NULL;
	libusb_get_device_descriptor(dev, &dd);
	char path[64];
	snprintf(path, sizeof path, TWB_HID_PATH "%u", libusb_get_device_address(dev));
	i->path = strdup(path);
	i->vendor_id = dd.idVendor;
	i->product_id = dd.idProduct;
	i->serial_number = twb_wstr(dev, dd.iSerialNumber);
	i->release_number = dd.bcdDevice;
	i->manufacturer_string = twb_wstr(dev, dd.iManufacturer);
	i->product_string = twb_wstr(dev, dd.iProduct);
	i->usage_page = 0xFF00; /* vendor-defined page, as CMSIS-DAP's report descriptor */
	i->usage = 0x0001;
	i->interface_number = iface;
	i->bus_type = HID_API_BUS_USB;
	return i;
}

void HID_API_EXPORT hid_free_enumeration(struct hid_device_info *devs)
{
	while (devs) {
		struct hid_device_info *n = devs->next;
		free(devs->path);
		free(devs->serial_number);
		free(devs->manufacturer_string);
		free(devs->product_string);
		free(devs);
		devs = n;
	}
}

struct hid_device_info *HID_API_EXPORT hid_enumerate(unsigned short vendor_id,
						    unsigned short product_id)
{
	libusb_device **l;
	struct hid_device_info *head = NULL, **tail = &head;
	ssize_t n = libusb_get_device_list(NULL, &l);
	for (ssize_t k = 0; k < n; k++) {
		struct libusb_device_descriptor dd;
		int iface;
		uint8_t in, out;
		uint16_t sz;
		libusb_get_device_descriptor(l[k], &dd);
		if ((vendor_id && dd.idVendor != vendor_id) || (product_id && dd.idProduct != product_id))
			continue;
		if (!twb_hid_iface(l[k], &iface, &in, &out, &sz))
			continue;
		struct hid_device_info *i = twb_hid_info(l[k], iface);
		if (i) {
			*tail = i;
			tail = &i->next;
		}
	}
	if (n >= 0)
		libusb_free_device_list(l, 1);
	return head;
}

hid_device *HID_API_EXPORT hid_open_path(const char *path)
{
	unsigned addr;
	if (!path || sscanf(path, TWB_HID_PATH "%u", &addr) != 1) {
		twb_hid_seterr(NULL, "hid_open_path: not a twin bridge HID path");
		return NULL;
	}
	libusb_device **l;
	hid_device *d = NULL;
	ssize_t n = libusb_get_device_list(NULL, &l);
	for (ssize_t k = 0; k < n && !d; k++) {
		if (libusb_get_device_address(l[k]) != addr)
			continue;
		d = calloc(1, sizeof *d);
		if (!d)
			break;
		if (!twb_hid_iface(l[k], &d->iface, &d->ep_in, &d->ep_out, &d->in_size) ||
		    libusb_open(l[k], &d->h)) {
			free(d);
			d = NULL;
			break;
		}
		libusb_claim_interface(d->h, d->iface);
		d->info = twb_hid_info(l[k], d->iface);
	}
	if (n >= 0)
		libusb_free_device_list(l, 1);
	if (!d)
		twb_hid_seterr(NULL, "hid_open_path: no such device (unplugged?)");
	return d;
}

hid_device *HID_API_EXPORT hid_open(unsigned short vendor_id, unsigned short product_id,
				    const wchar_t *serial_number)
{
	struct hid_device_info *all = hid_enumerate(vendor_id, product_id), *i = all;
	while (i && serial_number && (!i->serial_number || wcscmp(i->serial_number, serial_number)))
		i = i->next;
	hid_device *d = i ? hid_open_path(i->path) : NULL;
	hid_free_enumeration(all);
	return d;
}

void HID_API_EXPORT hid_close(hid_device *dev)
{
	if (!dev)
		return;
	libusb_release_interface(dev->h, dev->iface);
	libusb_close(dev->h);
	hid_free_enumeration(dev->info);
	free(dev);
}

int HID_API_EXPORT hid_write(hid_device *dev, const unsigned char *data, size_t length)
{
	if (!dev || !data || length < 1) {
		twb_hid_seterr(dev, "hid_write: nothing to write");
		return -1;
	}
	if (!dev->ep_out) {
		twb_hid_seterr(dev, "hid_write: the device has no interrupt OUT endpoint");
		return -1;
	}
	const unsigned char *p = data;
	size_t n = length;
	if (data[0] == 0)
		p++, n--; /* unnumbered report: the ID byte is not sent */
	int done = 0;
	int rc = twb_xfer(dev->h, dev->ep_out, (unsigned char *)p, (int)n, &done, 1000);
	if (rc) {
		twb_hid_seterr(dev, libusb_strerror(rc));
		return -1;
	}
	return (int)length;
}

int HID_API_EXPORT hid_read_timeout(hid_device *dev, unsigned char *data, size_t length,
				    int milliseconds)
{
	if (!dev || !data)
		return -1;
	unsigned char buf[1024];
	int done = 0;
	unsigned want = dev->in_size && dev->in_size <= sizeof buf ? dev->in_size : 64;
	unsigned ms = milliseconds < 0 ? 0 : milliseconds == 0 ? 1 : (unsigned)milliseconds;
	int rc = twb_xfer(dev->h, dev->ep_in, buf, (int)want, &done, ms);
	if (rc == LIBUSB_ERROR_TIMEOUT)
		return 0;
	if (rc) {
		twb_hid_seterr(dev, libusb_strerror(rc));
		return -1;
	}
	size_t n = (size_t)done < length ? (size_t)done : length;
	memcpy(data, buf, n);
	return (int)n;
}

int HID_API_EXPORT hid_read(hid_device *dev, unsigned char *data, size_t length)
{
	return hid_read_timeout(dev, data, length, dev && dev->nonblocking ? 0 : -1);
}

int HID_API_EXPORT hid_set_nonblocking(hid_device *dev, int nonblock)
{
	if (!dev)
		return -1;
	dev->nonblocking = nonblock;
	return 0;
}

static int twb_hid_copy(wchar_t *dst, size_t maxlen, const wchar_t *src)
{
	if (!dst || !maxlen)
		return -1;
	wcsncpy(dst, src ? src : L"", maxlen);
	dst[maxlen - 1] = 0;
	return 0;
}

int HID_API_EXPORT_CALL hid_get_manufacturer_string(hid_device *dev, wchar_t *string,
						    size_t maxlen)
{
	return dev ? twb_hid_copy(string, maxlen, dev->info->manufacturer_string) : -1;
}

int HID_API_EXPORT_CALL hid_get_product_string(hid_device *dev, wchar_t *string, size_t maxlen)
{
	return dev ? twb_hid_copy(string, maxlen, dev->info->product_string) : -1;
}

int HID_API_EXPORT_CALL hid_get_serial_number_string(hid_device *dev, wchar_t *string,
						     size_t maxlen)
{
	return dev ? twb_hid_copy(string, maxlen, dev->info->serial_number) : -1;
}

struct hid_device_info *HID_API_EXPORT_CALL hid_get_device_info(hid_device *dev)
{
	return dev ? dev->info : NULL;
}

int HID_API_EXPORT_CALL hid_get_indexed_string(hid_device *dev, int string_index, wchar_t *string,
					       size_t maxlen)
{
	if (!dev || string_index < 1 || string_index > 255)
		return -1;
	wchar_t *w = twb_wstr(libusb_get_device(dev->h), (unsigned)string_index);
	int rc = w ? twb_hid_copy(string, maxlen, w) : -1;
	free(w);
	return rc;
}

const wchar_t *HID_API_EXPORT_CALL hid_error(hid_device *dev)
{
	const wchar_t *e = dev ? dev->err : twb_hid_global_err;
	return e[0] ? e : L"Success";
}

int HID_API_EXPORT hid_send_feature_report(hid_device *dev, const unsigned char *data,
					   size_t length)
{
	(void)data, (void)length;
	twb_unsupported("hid_send_feature_report");
	twb_hid_seterr(dev, "hid_send_feature_report is not supported by the twin bridge");
	return -1;
}

int HID_API_EXPORT hid_get_feature_report(hid_device *dev, unsigned char *data, size_t length)
{
	(void)data, (void)length;
	twb_unsupported("hid_get_feature_report");
	twb_hid_seterr(dev, "hid_get_feature_report is not supported by the twin bridge");
	return -1;
}

int HID_API_EXPORT_CALL hid_get_input_report(hid_device *dev, unsigned char *data, size_t length)
{
	(void)data, (void)length;
	twb_unsupported("hid_get_input_report");
	twb_hid_seterr(dev, "hid_get_input_report is not supported by the twin bridge");
	return -1;
}
