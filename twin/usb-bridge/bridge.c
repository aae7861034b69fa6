/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/usb-bridge: a stand-in for libusb-1.0 that presents the twin's emulated probes as USB
 * devices to unmodified programs (OpenOCD, stlink-tools, libjaylink, flashkey itself), loaded with
 * LD_PRELOAD or found first on LD_LIBRARY_PATH under the name libusb-1.0.so.0. The devices come
 * from the `usb-bridge` server module over the socket named by FLASHKEY_USB_BRIDGE (proto.h).
 *
 * Semantics follow the libusb-1.0 API reference (libusb.sourceforge.io/api-1.0, "Synchronous
 * device I/O", "Asynchronous device I/O", "Polling and timing", "USB descriptors"):
 *   - libusb_bulk/interrupt_transfer return 0 with *transferred, LIBUSB_ERROR_TIMEOUT when the
 *     timeout expires (0 = none), LIBUSB_ERROR_PIPE on a stall, LIBUSB_ERROR_NO_DEVICE once the
 *     device is gone;
 *   - asynchronous transfers complete only inside libusb_handle_events*(), which call the
 *     callback with status (COMPLETED, TIMED_OUT, STALL, NO_DEVICE, CANCELLED, ERROR for a short
 *     read with LIBUSB_TRANSFER_SHORT_NOT_OK) and actual_length set; FREE_TRANSFER frees it after
 *     the callback; libusb_cancel_transfer on a transfer not in flight is LIBUSB_ERROR_NOT_FOUND;
 *   - standard requests on endpoint 0 (GET_DESCRIPTOR device/configuration/string, GET_STATUS,
 *     GET/SET_CONFIGURATION) are answered here from the descriptors, others stall.
 * Endpoints NAK while the emulator has nothing to send; as the emulators answer synchronously,
 * a read that finds nothing waits out its timeout in wall time (the virtual clock is the
 * server's; the bridge adds none). Hotplug is not supported: LIBUSB_ERROR_NOT_SUPPORTED and a
 * line on stderr, as for every other function in bridge_stubs.c. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "proto.h"

#define TWB_MAX_DEVS 32
#define TWB_NO_LIMIT_MS 10000u /* timeout 0 ("none") is cut here, with a line on stderr */

struct libusb_context {
	struct twb_xpriv *pending; /* submitted asynchronous transfers, oldest first */
	int refs;
};

/* Bookkeeping in front of each struct libusb_transfer (which ends in a flexible array). */
struct twb_xpriv {
	struct twb_xpriv *next;
	struct libusb_context *ctx;
	uint64_t deadline_ns; /* 0 = none */
	bool cancelled;
	size_t out_off; /* OUT: bytes the device took so far (it NAKs the rest until it can) */
};
#define TWB_XPRIV_SIZE ((sizeof(struct twb_xpriv) + 15u) & ~(size_t)15u)

static pthread_mutex_t twb_lock = PTHREAD_MUTEX_INITIALIZER;
static int twb_fd = -1;
static bool twb_fd_failed;
static struct libusb_context *twb_dflt;
static int twb_trace = -1; /* FLASHKEY_USB_BRIDGE_TRACE set: every request on stderr */

/* ------------------------------------------------------------------ helpers */

void twb_unsupported(const char *fn)
{
	fprintf(stderr, "flashkey usb-bridge: %s is not supported by the twin bridge "
			"(LIBUSB_ERROR_NOT_SUPPORTED)\n", fn);
}

static uint64_t twb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void twb_sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

struct libusb_context *twb_default_ctx(void)
{
	pthread_mutex_lock(&twb_lock);
	if (!twb_dflt)
		twb_dflt = calloc(1, sizeof *twb_dflt);
	pthread_mutex_unlock(&twb_lock);
	return twb_dflt;
}

static struct libusb_context *twb_ctx(struct libusb_context *ctx)
{
	return ctx ? ctx : twb_default_ctx();
}

/* ------------------------------------------------------------------ the socket */

static bool twb_io(int fd, void *buf, size_t len, bool wr)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n, len -= (size_t)n;
	}
	return true;
}

static int twb_connect(void)
{
	if (twb_fd >= 0 || twb_fd_failed)
		return twb_fd;
	const char *path = getenv(TWB_ENV_SOCKET);
	twb_fd_failed = true;
	if (!path || !path[0])
		return -1; /* no server: a bus with no devices */
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "flashkey usb-bridge: %s=%s is too long for a socket path\n",
			TWB_ENV_SOCKET, path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
		fprintf(stderr, "flashkey usb-bridge: cannot reach the twin at %s: %s (no USB "
				"devices)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	twb_fd = fd;
	twb_fd_failed = false;
	return fd;
}

/* One request and its answer. *ans (malloc'd, may be NULL) gets the payload. Returns the status,
 * or LIBUSB_ERROR_IO / NO_DEVICE when the server is unreachable. Called with twb_lock held. */
static int twb_call(uint8_t op, uint8_t dev, uint8_t ep, uint32_t arg, const void *data,
		    size_t len, uint32_t *ans_arg, uint8_t **ans, size_t *ans_len)
{
	int fd = twb_connect();
	if (ans)
		*ans = NULL;
	if (ans_len)
		*ans_len = 0;
	if (fd < 0)
		return LIBUSB_ERROR_NO_DEVICE;
	uint8_t hdr[TWB_REQ_HDR];
	twb_put32(hdr, (uint32_t)(TWB_REQ_HDR - 4 + len));
	hdr[4] = op, hdr[5] = dev, hdr[6] = ep, hdr[7] = 0;
	twb_put32(hdr + 8, arg);
	uint8_t ah[TWB_ANS_HDR];
	/* one send per request: a round trip is two context switches on a loaded machine */
	uint8_t small[TWB_REQ_HDR + 512];
	bool one = len <= sizeof small - TWB_REQ_HDR;
	if (one) {
		memcpy(small, hdr, sizeof hdr);
		if (len)
			memcpy(small + sizeof hdr, data, len);
	}
	if ((one ? !twb_io(fd, small, sizeof hdr + len, true)
		 : (!twb_io(fd, hdr, sizeof hdr, true) || !twb_io(fd, (void *)data, len, true))) ||
	    !twb_io(fd, ah, sizeof ah, false))
		goto lost;
	uint32_t alen = twb_get32(ah);
	if (alen < TWB_ANS_HDR - 4 || alen - (TWB_ANS_HDR - 4) > 16u * TWB_MAX_PAYLOAD)
		goto lost;
	size_t plen = alen - (TWB_ANS_HDR - 4);
	uint8_t *p = plen ? malloc(plen) : NULL;
	if (plen && (!p || !twb_io(fd, p, plen, false))) {
		free(p);
		goto lost;
	}
	if (twb_trace < 0)
		twb_trace = getenv("FLASHKEY_USB_BRIDGE_TRACE") != NULL;
	if (twb_trace) { /* one line per request: op, device, endpoint, status, first bytes */
		const uint8_t *show = op == TWB_OP_IN ? p : data;
		size_t sl = op == TWB_OP_IN ? plen : len;
		fprintf(stderr, "usb-bridge: op %u dev %u ep 0x%02x len %zu -> %d:", op, dev, ep, sl,
			(int)twb_get32(ah + 4));
		for (size_t i = 0; show && i < sl && i < 16; i++)
			fprintf(stderr, " %02x", show[i]);
		fprintf(stderr, "\n");
	}
	if (ans_arg)
		*ans_arg = twb_get32(ah + 8);
	if (ans) {
		*ans = p;
		*ans_len = plen;
	} else {
		free(p);
	}
	return (int)twb_get32(ah + 4);
lost:
	fprintf(stderr, "flashkey usb-bridge: the twin's server went away; every device is gone\n");
	close(fd);
	twb_fd = -1;
	twb_fd_failed = true;
	return LIBUSB_ERROR_NO_DEVICE;
}

/* ------------------------------------------------------------------ library */

int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	if (!ctx) {
		return twb_default_ctx() ? 0 : LIBUSB_ERROR_NO_MEM;
	}
	*ctx = calloc(1, sizeof **ctx);
	return *ctx ? 0 : LIBUSB_ERROR_NO_MEM;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	if (ctx && ctx != twb_dflt) {
		/* transfers still in flight belong to the program; leave them be */
		if (!ctx->pending)
			free(ctx);
	}
}

void LIBUSB_CALL libusb_set_debug(libusb_context *ctx, int level)
{
	(void)ctx, (void)level;
}

void LIBUSB_CALL libusb_set_log_cb(libusb_context *ctx, libusb_log_cb cb, int mode)
{
	(void)ctx, (void)cb, (void)mode;
}

int LIBUSB_CALL libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)
{
	(void)ctx;
	switch (option) {
	case LIBUSB_OPTION_LOG_LEVEL:
	case LIBUSB_OPTION_USE_USBDK:
		return 0; /* log level: nothing is logged; UsbDk is Windows-only */
	default:
		return 0; /* LIBUSB_OPTION_NO_DEVICE_DISCOVERY and later: no effect here */
	}
}

const struct libusb_version *LIBUSB_CALL libusb_get_version(void)
{
	static const struct libusb_version v = {1, 0, 26, 0, "-flashkey-twin-bridge",
						"https://libusb.info"};
	return &v;
}

int LIBUSB_CALL libusb_has_capability(uint32_t capability)
{
	return capability == LIBUSB_CAP_HAS_CAPABILITY; /* no hotplug, no HID access, no detach */
}

int LIBUSB_CALL libusb_setlocale(const char *locale)
{
	(void)locale;
	return 0;
}

const char *LIBUSB_CALL libusb_error_name(int code)
{
	switch (code) {
	case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED";
	case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
	case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
	case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
	case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
	case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
	case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
	case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
	case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
	case LIBUSB_ERROR_PIPE: return "LIBUSB_ERROR_PIPE";
	case LIBUSB_ERROR_INTERRUPTED: return "LIBUSB_ERROR_INTERRUPTED";
	case LIBUSB_ERROR_NO_MEM: return "LIBUSB_ERROR_NO_MEM";
	case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
	case LIBUSB_ERROR_OTHER: return "LIBUSB_ERROR_OTHER";
	case LIBUSB_TRANSFER_ERROR: return "LIBUSB_TRANSFER_ERROR";
	case LIBUSB_TRANSFER_TIMED_OUT: return "LIBUSB_TRANSFER_TIMED_OUT";
	case LIBUSB_TRANSFER_CANCELLED: return "LIBUSB_TRANSFER_CANCELLED";
	case LIBUSB_TRANSFER_STALL: return "LIBUSB_TRANSFER_STALL";
	case LIBUSB_TRANSFER_NO_DEVICE: return "LIBUSB_TRANSFER_NO_DEVICE";
	case LIBUSB_TRANSFER_OVERFLOW: return "LIBUSB_TRANSFER_OVERFLOW";
	default: return "**UNKNOWN**";
	}
}

const char *LIBUSB_CALL libusb_strerror(int code)
{
	switch (code) {
	case LIBUSB_SUCCESS: return "Success";
	case LIBUSB_ERROR_IO: return "Input/Output Error";
	case LIBUSB_ERROR_INVALID_PARAM: return "Invalid parameter";
	case LIBUSB_ERROR_ACCESS: return "Access denied (insufficient permissions)";
	case LIBUSB_ERROR_NO_DEVICE: return "No such device (it may have been disconnected)";
	case LIBUSB_ERROR_NOT_FOUND: return "Entity not found";
	case LIBUSB_ERROR_BUSY: return "Resource busy";
	case LIBUSB_ERROR_TIMEOUT: return "Operation timed out";
	case LIBUSB_ERROR_OVERFLOW: return "Overflow";
	case LIBUSB_ERROR_PIPE: return "Pipe error";
	case LIBUSB_ERROR_INTERRUPTED: return "System call interrupted (perhaps due to signal)";
	case LIBUSB_ERROR_NO_MEM: return "Insufficient memory";
	case LIBUSB_ERROR_NOT_SUPPORTED: return "Operation not supported or unimplemented on this "
						"platform";
	default: return "Other error";
	}
}

/* ------------------------------------------------------------------ devices */

static uint16_t twb_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Checks a LIST blob and finds the configuration descriptor in it. */
static bool twb_blob_ok(struct libusb_device *d)
{
	if (d->blob_len < 18 + 9 || d->blob[0] != 18 || d->blob[1] != LIBUSB_DT_DEVICE)
		return false;
	const uint8_t *c = d->blob + 18;
	size_t total = twb_le16(c + 2);
	if (c[1] != LIBUSB_DT_CONFIG || total < 9 || 18 + total + 1 > d->blob_len)
		return false;
	d->cfg = c, d->cfg_len = total;
	/* the string table must be whole */
	const uint8_t *s = c + total, *end = d->blob + d->blob_len;
	unsigned n = *s++;
	for (unsigned i = 0; i < n; i++) {
		if (end - s < 2 || end - s < 2 + s[1])
			return false;
		s += 2 + s[1];
	}
	return true;
}

const char *twb_string(const struct libusb_device *dev, unsigned idx, size_t *len)
{
	const uint8_t *s = dev->cfg + dev->cfg_len;
	unsigned n = *s++;
	for (unsigned i = 0; i < n; i++, s += 2 + s[1])
		if (s[0] == idx && idx) {
			*len = s[1];
			return (const char *)s + 2;
		}
	return NULL;
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	ctx = twb_ctx(ctx);
	if (!list || !ctx)
		return LIBUSB_ERROR_INVALID_PARAM;
	uint8_t *p = NULL;
	size_t n = 0;
	pthread_mutex_lock(&twb_lock);
	int rc = twb_call(TWB_OP_LIST, 0, 0, 0, NULL, 0, NULL, &p, &n);
	pthread_mutex_unlock(&twb_lock);
	libusb_device **l = calloc(TWB_MAX_DEVS + 1, sizeof *l);
	if (!l) {
		free(p);
		return LIBUSB_ERROR_NO_MEM;
	}
	ssize_t cnt = 0;
	for (size_t off = 0; rc == 0 && off + 7 <= n && cnt < TWB_MAX_DEVS;) {
		size_t bl = twb_le16(p + off + 5);
		if (off + 7 + bl > n)
			break;
		struct libusb_device *d = calloc(1, sizeof *d);
		if (!d || !(d->blob = malloc(bl ? bl : 1))) {
			free(d);
			break;
		}
		d->ctx = ctx, d->refs = 1;
		d->id = p[off], d->bus = p[off + 1], d->addr = p[off + 2], d->port = p[off + 3];
		d->speed = p[off + 4];
		memcpy(d->blob, p + off + 7, bl);
		d->blob_len = bl;
		off += 7 + bl;
		if (!twb_blob_ok(d)) {
			fprintf(stderr, "flashkey usb-bridge: malformed descriptors for device %u "
					"skipped\n", d->id);
			free(d->blob);
			free(d);
			continue;
		}
		l[cnt++] = d;
	}
	free(p);
	*list = l;
	return cnt;
}

libusb_device *LIBUSB_CALL libusb_ref_device(libusb_device *dev)
{
	pthread_mutex_lock(&twb_lock);
	dev->refs++;
	pthread_mutex_unlock(&twb_lock);
	return dev;
}

void LIBUSB_CALL libusb_unref_device(libusb_device *dev)
{
	if (!dev)
		return;
	pthread_mutex_lock(&twb_lock);
	bool last = --dev->refs == 0;
	pthread_mutex_unlock(&twb_lock);
	if (last) {
		free(dev->blob);
		free(dev);
	}
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
	if (!list)
		return;
	for (size_t i = 0; unref_devices && list[i]; i++)
		libusb_unref_device(list[i]);
	free(list);
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev,
					     struct libusb_device_descriptor *desc)
{
	const uint8_t *b = dev->blob;
	desc->bLength = b[0];
	desc->bDescriptorType = b[1];
	desc->bcdUSB = twb_le16(b + 2);
	desc->bDeviceClass = b[4];
	desc->bDeviceSubClass = b[5];
	desc->bDeviceProtocol = b[6];
	desc->bMaxPacketSize0 = b[7];
	desc->idVendor = twb_le16(b + 8);
	desc->idProduct = twb_le16(b + 10);
	desc->bcdDevice = twb_le16(b + 12);
	desc->iManufacturer = b[14];
	desc->iProduct = b[15];
	desc->iSerialNumber = b[16];
	desc->bNumConfigurations = b[17];
	return 0;
}

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	return dev->bus;
}

uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
	return dev->addr;
}

uint8_t LIBUSB_CALL libusb_get_port_number(libusb_device *dev)
{
	return dev->port;
}

int LIBUSB_CALL libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers,
					int port_numbers_len)
{
	if (port_numbers_len <= 0)
		return LIBUSB_ERROR_INVALID_PARAM;
	if (port_numbers_len < 1)
		return LIBUSB_ERROR_OVERFLOW;
	port_numbers[0] = dev->port; /* every emulated probe sits on a root-hub port */
	return 1;
}

int LIBUSB_CALL libusb_get_port_path(libusb_context *ctx, libusb_device *dev, uint8_t *path,
				     uint8_t path_length)
{
	(void)ctx;
	return libusb_get_port_numbers(dev, path, path_length);
}

libusb_device *LIBUSB_CALL libusb_get_parent(libusb_device *dev)
{
	(void)dev;
	return NULL; /* root-hub ports: no parent in any list */
}

int LIBUSB_CALL libusb_get_device_speed(libusb_device *dev)
{
	return dev->speed;
}

/* ---- configuration descriptor parsing (USB 2.0 §9.6.3-§9.6.6) ---- */

static int twb_add_extra(const unsigned char **extra, int *len, const uint8_t *p, size_t n)
{
	unsigned char *e = realloc((void *)*extra, (size_t)*len + n);
	if (!e)
		return LIBUSB_ERROR_NO_MEM;
	memcpy(e + *len, p, n);
	*extra = e;
	*len += (int)n;
	return 0;
}

static void twb_free_config(struct libusb_config_descriptor *c)
{
	if (!c)
		return;
	for (int i = 0; c->interface && i < c->bNumInterfaces; i++) {
		struct libusb_interface *itf = (struct libusb_interface *)&c->interface[i];
		for (int a = 0; a < itf->num_altsetting; a++) {
			struct libusb_interface_descriptor *alt =
				(struct libusb_interface_descriptor *)&itf->altsetting[a];
			for (int e = 0; alt->endpoint && e < alt->bNumEndpoints; e++)
				free((void *)alt->endpoint[e].extra);
			free((void *)alt->endpoint);
			free((void *)alt->extra);
		}
		free((void *)itf->altsetting);
	}
	free((void *)c->interface);
	free((void *)c->extra);
	free(c);
}

static int twb_parse_config(const uint8_t *b, size_t len, struct libusb_config_descriptor **out)
{
	struct libusb_config_descriptor *c = calloc(1, sizeof *c);
	if (!c)
		return LIBUSB_ERROR_NO_MEM;
	c->bLength = b[0];
	c->bDescriptorType = b[1];
	c->wTotalLength = twb_le16(b + 2);
	c->bNumInterfaces = b[4];
	c->bConfigurationValue = b[5];
	c->iConfiguration = b[6];
	c->bmAttributes = b[7];
	c->MaxPower = b[8];
	struct libusb_interface *itfs = calloc(c->bNumInterfaces ? c->bNumInterfaces : 1,
					       sizeof *itfs);
	c->interface = itfs;
	if (!itfs) {
		twb_free_config(c);
		return LIBUSB_ERROR_NO_MEM;
	}
	struct libusb_interface_descriptor *alt = NULL;
	struct libusb_endpoint_descriptor *ep = NULL;
	int rc = 0, expect = 0;
	for (size_t off = b[0]; rc == 0 && off + 2 <= len;) {
		const uint8_t *d = b + off;
		if (d[0] < 2 || off + d[0] > len)
			break; /* a truncated descriptor ends the parse, as libusb does */
		if (d[1] == LIBUSB_DT_INTERFACE && d[0] >= 9) {
			int slot = -1;
			for (int i = 0; i < c->bNumInterfaces; i++)
				if (itfs[i].num_altsetting &&
				    itfs[i].altsetting[0].bInterfaceNumber == d[2])
					slot = i;
			for (int i = 0; slot < 0 && i < c->bNumInterfaces; i++)
				if (!itfs[i].num_altsetting)
					slot = i;
			if (slot < 0) {
				rc = LIBUSB_ERROR_IO; /* more interfaces than bNumInterfaces */
				break;
			}
			struct libusb_interface *itf = &itfs[slot];
			struct libusb_interface_descriptor *alts =
				realloc((void *)itf->altsetting,
					(size_t)(itf->num_altsetting + 1) * sizeof *alts);
			if (!alts) {
				rc = LIBUSB_ERROR_NO_MEM;
				break;
			}
			itf->altsetting = alts;
			alt = &alts[itf->num_altsetting++];
			memset(alt, 0, sizeof *alt);
			alt->bLength = d[0];
			alt->bDescriptorType = d[1];
			alt->bInterfaceNumber = d[2];
			alt->bAlternateSetting = d[3];
			alt->bNumEndpoints = 0; /* counted as endpoints arrive */
			alt->bInterfaceClass = d[5];
			alt->bInterfaceSubClass = d[6];
			alt->bInterfaceProtocol = d[7];
			alt->iInterface = d[8];
			if (d[4] && !(alt->endpoint = calloc(d[4], sizeof *alt->endpoint)))
				rc = LIBUSB_ERROR_NO_MEM;
			expect = d[4];
			ep = NULL;
		} else if (d[1] == LIBUSB_DT_ENDPOINT && d[0] >= 7 && alt &&
			   alt->bNumEndpoints < expect) {
			ep = (struct libusb_endpoint_descriptor *)&alt->endpoint[alt->bNumEndpoints++];
			ep->bLength = d[0];
			ep->bDescriptorType = d[1];
			ep->bEndpointAddress = d[2];
			ep->bmAttributes = d[3];
			ep->wMaxPacketSize = twb_le16(d + 4);
			ep->bInterval = d[6];
			if (d[0] >= 9)
				ep->bRefresh = d[7], ep->bSynchAddress = d[8];
		} else if (ep) {
			rc = twb_add_extra(&ep->extra, &ep->extra_length, d, d[0]);
		} else if (alt) {
			/* class descriptors (e.g. HID, USB HID 1.11 §6.2.1) go to the interface's extra */
			rc = twb_add_extra(&alt->extra, &alt->extra_length, d, d[0]);
		} else {
			rc = twb_add_extra(&c->extra, &c->extra_length, d, d[0]);
		}
		off += d[0];
	}
	if (rc) {
		twb_free_config(c);
		return rc;
	}
	*out = c;
	return 0;
}

int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t config_index,
					     struct libusb_config_descriptor **config)
{
	if (config_index != 0)
		return LIBUSB_ERROR_NOT_FOUND; /* every probe has one configuration */
	return twb_parse_config(dev->cfg, dev->cfg_len, config);
}

int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev,
						    struct libusb_config_descriptor **config)
{
	return libusb_get_config_descriptor(dev, 0, config);
}

int LIBUSB_CALL libusb_get_config_descriptor_by_value(libusb_device *dev,
						      uint8_t bConfigurationValue,
						      struct libusb_config_descriptor **config)
{
	if (bConfigurationValue != dev->cfg[5])
		return LIBUSB_ERROR_NOT_FOUND;
	return libusb_get_config_descriptor(dev, 0, config);
}

void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
	twb_free_config(config);
}

int LIBUSB_CALL libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)
{
	struct libusb_config_descriptor *c;
	if (libusb_get_config_descriptor(dev, 0, &c))
		return LIBUSB_ERROR_OTHER;
	int r = LIBUSB_ERROR_NOT_FOUND;
	for (int i = 0; i < c->bNumInterfaces; i++)
		for (int a = 0; a < c->interface[i].num_altsetting; a++)
			for (int e = 0; e < c->interface[i].altsetting[a].bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *d =
					&c->interface[i].altsetting[a].endpoint[e];
				if (d->bEndpointAddress == endpoint && r < 0)
					r = d->wMaxPacketSize & 0x7FF;
			}
	libusb_free_config_descriptor(c);
	return r;
}

/* ------------------------------------------------------------------ handles */

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **dev_handle)
{
	pthread_mutex_lock(&twb_lock);
	int rc = twb_call(TWB_OP_OPEN, dev->id, 0, 0, NULL, 0, NULL, NULL, NULL);
	pthread_mutex_unlock(&twb_lock);
	if (rc)
		return rc;
	libusb_device_handle *h = calloc(1, sizeof *h);
	if (!h)
		return LIBUSB_ERROR_NO_MEM;
	h->dev = libusb_ref_device(dev);
	h->config = dev->cfg[5];
	*dev_handle = h;
	return 0;
}

libusb_device_handle *LIBUSB_CALL libusb_open_device_with_vid_pid(libusb_context *ctx,
								   uint16_t vendor_id,
								   uint16_t product_id)
{
	libusb_device **l;
	libusb_device_handle *h = NULL;
	ssize_t n = libusb_get_device_list(ctx, &l);
	for (ssize_t i = 0; i < n && !h; i++) {
		struct libusb_device_descriptor d;
		libusb_get_device_descriptor(l[i], &d);
		if (d.idVendor == vendor_id && d.idProduct == product_id && libusb_open(l[i], &h))
			h = NULL;
	}
	if (n >= 0)
		libusb_free_device_list(l, 1);
	return h;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *dev_handle)
{
	if (!dev_handle)
		return;
	pthread_mutex_lock(&twb_lock);
	twb_call(TWB_OP_CLOSE, dev_handle->dev->id, 0, 0, NULL, 0, NULL, NULL, NULL);
	pthread_mutex_unlock(&twb_lock);
	libusb_unref_device(dev_handle->dev);
	free(dev_handle);
}

libusb_device *LIBUSB_CALL libusb_get_device(libusb_device_handle *dev_handle)
{
	return dev_handle->dev;
}

int LIBUSB_CALL libusb_get_configuration(libusb_device_handle *dev, int *config)
{
	*config = dev->config;
	return 0;
}

int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *dev, int configuration)
{
	if (configuration != -1 && configuration != 0 && configuration != dev->dev->cfg[5])
		return LIBUSB_ERROR_NOT_FOUND;
	if (dev->claimed)
		return LIBUSB_ERROR_BUSY;
	dev->config = configuration == -1 ? 0 : configuration;
	return 0;
}

static bool twb_has_interface(const libusb_device_handle *h, int n)
{
	const uint8_t *b = h->dev->cfg, *end = b + h->dev->cfg_len;
	for (const uint8_t *d = b + b[0]; d + 2 <= end && d[0] >= 2; d += d[0])
		if (d[1] == LIBUSB_DT_INTERFACE && d + 9 <= end && d[2] == n)
			return true;
	return false;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *dev, int interface_number)
{
	if (interface_number < 0 || interface_number > 31 || !twb_has_interface(dev, interface_number))
		return LIBUSB_ERROR_NOT_FOUND;
	dev->claimed |= 1u << interface_number;
	return 0;
}

int LIBUSB_CALL libusb_release_interface(libusb_device_handle *dev, int interface_number)
{
	if (interface_number < 0 || interface_number > 31 ||
	    !(dev->claimed & (1u << interface_number)))
		return LIBUSB_ERROR_NOT_FOUND;
	dev->claimed &= ~(1u << interface_number);
	return 0;
}

int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *dev, int interface_number,
						 int alternate_setting)
{
	if (interface_number < 0 || interface_number > 31 ||
	    !(dev->claimed & (1u << interface_number)))
		return LIBUSB_ERROR_NOT_FOUND;
	return alternate_setting == 0 ? 0 : LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *dev, unsigned char endpoint)
{
	(void)dev, (void)endpoint;
	return 0; /* the emulated endpoints do not stay halted after a stall */
}

int LIBUSB_CALL libusb_reset_device(libusb_device_handle *dev)
{
	pthread_mutex_lock(&twb_lock);
	int rc = twb_call(TWB_OP_RESET, dev->dev->id, 0, 0, NULL, 0, NULL, NULL, NULL);
	pthread_mutex_unlock(&twb_lock);
	return rc;
}

int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *dev, int interface_number)
{
	(void)dev;
	return interface_number >= 0 ? 0 : LIBUSB_ERROR_INVALID_PARAM; /* no kernel driver bound */
}

int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *dev, int interface_number)
{
	(void)dev, (void)interface_number;
	return LIBUSB_ERROR_NOT_FOUND; /* "no kernel driver was active" */
}

int LIBUSB_CALL libusb_attach_kernel_driver(libusb_device_handle *dev, int interface_number)
{
	(void)dev, (void)interface_number;
	return LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *dev, int enable)
{
	(void)dev, (void)enable;
	return 0;
}

/* ------------------------------------------------------------------ endpoint 0 */

/* Standard requests (USB 2.0 §9.4) from the descriptors; >= 0 bytes returned, or an error. */
static int twb_control(libusb_device_handle *h, uint8_t rt, uint8_t req, uint16_t value,
		       uint16_t index, unsigned char *data, uint16_t len)
{
	const struct libusb_device *d = h->dev;
	uint8_t type = (uint8_t)(value >> 8), idx = (uint8_t)value;
	if ((rt & 0x60) != LIBUSB_REQUEST_TYPE_STANDARD)
		return LIBUSB_ERROR_PIPE; /* the probes define no class or vendor requests on EP0 */
	if (req == LIBUSB_REQUEST_GET_DESCRIPTOR && (rt & 0x80)) {
		uint8_t buf[256];
		const uint8_t *src = buf;
		size_t n;
		if (type == LIBUSB_DT_DEVICE && (rt & 0x1F) == 0) {
			src = d->blob, n = 18;
		} else if (type == LIBUSB_DT_CONFIG && (rt & 0x1F) == 0 && idx == 0) {
			src = d->cfg, n = d->cfg_len;
		} else if (type == LIBUSB_DT_STRING && (rt & 0x1F) == 0 && idx == 0) {
			buf[0] = 4, buf[1] = LIBUSB_DT_STRING, buf[2] = 0x09, buf[3] = 0x04;
			n = 4; /* LANGID 0x0409, English (United States) */
		} else if (type == LIBUSB_DT_STRING && (rt & 0x1F) == 0) {
			size_t sl;
			const char *s = twb_string(d, idx, &sl);
			if (!s || (index != 0x0409 && index != 0))
				return LIBUSB_ERROR_PIPE;
			sl = sl > 126 ? 126 : sl;
			buf[0] = (uint8_t)(2 + 2 * sl), buf[1] = LIBUSB_DT_STRING;
			for (size_t i = 0; i < sl; i++)
				buf[2 + 2 * i] = (uint8_t)s[i], buf[3 + 2 * i] = 0;
			n = buf[0];
		} else {
			return LIBUSB_ERROR_PIPE;
		}
		n = n < len ? n : len;
		memcpy(data, src, n);
		return (int)n;
	}
	if (req == LIBUSB_REQUEST_GET_STATUS && (rt & 0x80) && len >= 2) {
		data[0] = data[1] = 0;
		return 2;
	}
	if (req == LIBUSB_REQUEST_GET_CONFIGURATION && (rt & 0x80) && len >= 1) {
		data[0] = (uint8_t)h->config;
		return 1;
	}
	if (req == LIBUSB_REQUEST_SET_CONFIGURATION && !(rt & 0x80))
		return libusb_set_configuration(h, value) ? LIBUSB_ERROR_PIPE : 0;
	if ((req == LIBUSB_REQUEST_CLEAR_FEATURE || req == LIBUSB_REQUEST_SET_INTERFACE) &&
	    !(rt & 0x80))
		return 0;
	return LIBUSB_ERROR_PIPE;
}

int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *dev_handle, uint8_t request_type,
					uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
					unsigned char *data, uint16_t wLength, unsigned int timeout)
{
	(void)timeout;
	if (!dev_handle)
		return LIBUSB_ERROR_INVALID_PARAM;
	return twb_control(dev_handle, request_type, bRequest, wValue, wIndex, data, wLength);
}

int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *dev, uint8_t desc_index,
						   unsigned char *data, int length)
{
	if (desc_index == 0 || length <= 0)
		return LIBUSB_ERROR_INVALID_PARAM;
	unsigned char buf[256];
	int n = twb_control(dev, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
			    (uint16_t)(LIBUSB_DT_STRING << 8 | desc_index), 0x0409, buf, sizeof buf);
	if (n < 0)
		return n;
	if (n < 2 || buf[1] != LIBUSB_DT_STRING || buf[0] > n)
		return LIBUSB_ERROR_IO;
	int di = 0;
	for (int si = 2; si + 1 < buf[0] && di < length - 1; si += 2)
		data[di++] = (buf[si + 1] || (buf[si] & 0x80)) ? '?' : buf[si];
	data[di] = 0;
	return di;
}

/* ------------------------------------------------------------------ transfers */

int twb_xfer(libusb_device_handle *h, unsigned char ep, unsigned char *buf, int len, int *done,
	     unsigned timeout_ms)
{
	*done = 0;
	if (len < 0 || (size_t)len > TWB_MAX_PAYLOAD * 16u)
		return LIBUSB_ERROR_INVALID_PARAM;
	unsigned limit = timeout_ms ? timeout_ms : TWB_NO_LIMIT_MS;
	uint64_t end = twb_now_ns() + (uint64_t)limit * 1000000u;
	size_t off = 0; /* OUT: what the device took before it NAKed the rest */
	for (;;) {
		uint8_t *ans = NULL;
		size_t n = 0;
		uint32_t arg = 0;
		pthread_mutex_lock(&twb_lock);
		int rc = (ep & 0x80) ? twb_call(TWB_OP_IN, h->dev->id, ep, (uint32_t)len, NULL, 0,
						&arg, &ans, &n)
				     : twb_call(TWB_OP_OUT, h->dev->id, ep, 0, buf + off,
						(size_t)len - off, &arg, NULL, NULL);
		pthread_mutex_unlock(&twb_lock);
		if (!(ep & 0x80)) {
			off += arg > (uint32_t)len - off ? (size_t)len - off : arg;
			*done = (int)off;
		}
		if (rc == 0) {
			if (ep & 0x80) {
				if (n > (size_t)len) {
					free(ans);
					return LIBUSB_ERROR_OVERFLOW;
				}
				memcpy(buf, ans, n);
				*done = (int)n;
			}
			free(ans);
			return 0;
		}
		free(ans);
		if (rc != LIBUSB_ERROR_TIMEOUT)
			return rc;
		/* the endpoint NAKs: try again until the caller's timeout */
		if (twb_now_ns() >= end) {
			if (!timeout_ms)
				fprintf(stderr, "flashkey usb-bridge: a transfer on endpoint 0x%02x with no "
						"timeout got nothing for %u ms; giving up "
						"(LIBUSB_ERROR_TIMEOUT)\n", ep, limit);
			return LIBUSB_ERROR_TIMEOUT;
		}
		twb_sleep_ns(1000000u);
	}
}

int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *dev_handle, unsigned char endpoint,
				     unsigned char *data, int length, int *actual_length,
				     unsigned int timeout)
{
	int done = 0;
	if (!dev_handle)
		return LIBUSB_ERROR_INVALID_PARAM;
	int rc = twb_xfer(dev_handle, endpoint, data, length, &done, timeout);
	if (actual_length)
		*actual_length = done;
	return rc;
}

int LIBUSB_CALL libusb_interrupt_transfer(libusb_device_handle *dev_handle,
					  unsigned char endpoint, unsigned char *data, int length,
					  int *actual_length, unsigned int timeout)
{
	return libusb_bulk_transfer(dev_handle, endpoint, data, length, actual_length, timeout);
}

/* ---- asynchronous ---- */

static struct twb_xpriv *twb_priv(struct libusb_transfer *t)
{
	return (struct twb_xpriv *)(void *)((char *)t - TWB_XPRIV_SIZE);
}

static struct libusb_transfer *twb_pub(struct twb_xpriv *p)
{
	return (struct libusb_transfer *)(void *)((char *)p + TWB_XPRIV_SIZE);
}

struct libusb_transfer *LIBUSB_CALL libusb_alloc_transfer(int iso_packets)
{
	if (iso_packets < 0)
		return NULL;
	size_t sz = TWB_XPRIV_SIZE + sizeof(struct libusb_transfer) +
		    (size_t)iso_packets * sizeof(struct libusb_iso_packet_descriptor);
	char *m = calloc(1, sz);
	if (!m)
		return NULL;
	struct libusb_transfer *t = (struct libusb_transfer *)(void *)(m + TWB_XPRIV_SIZE);
	t->num_iso_packets = iso_packets;
	return t;
}

void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *transfer)
{
	if (!transfer)
		return;
	if (transfer->flags & LIBUSB_TRANSFER_FREE_BUFFER)
		free(transfer->buffer);
	free(twb_priv(transfer));
}

int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *transfer)
{
	libusb_device_handle *h = transfer->dev_handle;
	if (!h)
		return LIBUSB_ERROR_INVALID_PARAM;
	if (transfer->type == LIBUSB_TRANSFER_TYPE_ISOCHRONOUS ||
	    transfer->type == LIBUSB_TRANSFER_TYPE_BULK_STREAM) {
		twb_unsupported("libusb_submit_transfer (isochronous/stream)");
		return LIBUSB_ERROR_NOT_SUPPORTED;
	}
	struct twb_xpriv *p = twb_priv(transfer);
	pthread_mutex_lock(&twb_lock);
	for (struct twb_xpriv *q = h->dev->ctx->pending; q; q = q->next)
		if (q == p) {
			pthread_mutex_unlock(&twb_lock);
			return LIBUSB_ERROR_BUSY; /* already in flight */
		}
	p->ctx = h->dev->ctx;
	p->cancelled = false;
	p->out_off = 0;
	p->next = NULL;
	p->deadline_ns = transfer->timeout ? twb_now_ns() + (uint64_t)transfer->timeout * 1000000u
					   : 0;
	struct twb_xpriv **tail = &p->ctx->pending;
	while (*tail)
		tail = &(*tail)->next;
	*tail = p;
	transfer->actual_length = 0;
	pthread_mutex_unlock(&twb_lock);
	return 0;
}

int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *transfer)
{
	struct twb_xpriv *p = twb_priv(transfer);
	int rc = LIBUSB_ERROR_NOT_FOUND;
	pthread_mutex_lock(&twb_lock);
	for (struct twb_xpriv *q = p->ctx ? p->ctx->pending : NULL; q; q = q->next)
		if (q == p) {
			rc = p->cancelled ? LIBUSB_ERROR_NOT_FOUND : 0;
			p->cancelled = true;
		}
	pthread_mutex_unlock(&twb_lock);
	return rc;
}

/* Tries one transfer once; true when it is finished (status set). */
static bool twb_try(struct libusb_transfer *t, uint64_t now)
{
	struct twb_xpriv *p = twb_priv(t);
	if (p->cancelled) {
		t->status = LIBUSB_TRANSFER_CANCELLED;
		return true;
	}
	int rc, done = 0;
	if (t->type == LIBUSB_TRANSFER_TYPE_CONTROL) {
		if (t->length < 8) {
			t->status = LIBUSB_TRANSFER_ERROR;
			return true;
		}
		const uint8_t *s = t->buffer;
		uint16_t wlen = twb_le16(s + 6);
		if (wlen > t->length - 8)
			wlen = (uint16_t)(t->length - 8);
		rc = twb_control(t->dev_handle, s[0], s[1], twb_le16(s + 2), twb_le16(s + 4),
				 t->buffer + 8, wlen);
		done = rc > 0 ? rc : 0;
		rc = rc > 0 ? 0 : rc;
	} else {
		/* one attempt: timeout handling is the event loop's */
		uint8_t *ans = NULL;
		size_t n = 0;
		uint32_t arg = 0;
		libusb_device_handle *h = t->dev_handle;
		pthread_mutex_lock(&twb_lock);
		if (t->endpoint & 0x80)
			rc = twb_call(TWB_OP_IN, h->dev->id, t->endpoint, (uint32_t)t->length, NULL, 0,
				      &arg, &ans, &n);
		else
			rc = twb_call(TWB_OP_OUT, h->dev->id, t->endpoint, 0, t->buffer + p->out_off,
				      (size_t)t->length - p->out_off, &arg, NULL, NULL);
		pthread_mutex_unlock(&twb_lock);
		if (!(t->endpoint & 0x80)) { /* a NAK may follow packets the device did take */
			size_t left = (size_t)t->length - p->out_off;
			p->out_off += arg > left ? left : arg;
		}
		if (rc == 0 && (t->endpoint & 0x80)) {
			if (n > (size_t)t->length) {
				rc = LIBUSB_ERROR_OVERFLOW;
			} else {
				memcpy(t->buffer, ans, n);
				done = (int)n;
			}
		} else if (rc == 0) {
			done = (int)p->out_off;
		}
		free(ans);
		if (rc == LIBUSB_ERROR_TIMEOUT) {
			if (!p->deadline_ns || now < p->deadline_ns)
				return false; /* NAK: stays in flight */
			t->actual_length = (t->endpoint & 0x80) ? 0 : (int)p->out_off;
			t->status = LIBUSB_TRANSFER_TIMED_OUT;
			return true;
		}
	}
	t->actual_length = done;
	switch (rc) {
	case 0:
		t->status = (t->flags & LIBUSB_TRANSFER_SHORT_NOT_OK) && done < t->length &&
					    t->type != LIBUSB_TRANSFER_TYPE_CONTROL
				    ? LIBUSB_TRANSFER_ERROR
				    : LIBUSB_TRANSFER_COMPLETED;
		break;
	case LIBUSB_ERROR_PIPE: t->status = LIBUSB_TRANSFER_STALL; break;
	case LIBUSB_ERROR_NO_DEVICE: t->status = LIBUSB_TRANSFER_NO_DEVICE; break;
	case LIBUSB_ERROR_OVERFLOW: t->status = LIBUSB_TRANSFER_OVERFLOW; break;
	default: t->status = LIBUSB_TRANSFER_ERROR; break;
	}
	return true;
}

/* Takes p out of its context's queue. */
static void twb_unlink(struct twb_xpriv *p)
{
	pthread_mutex_lock(&twb_lock);
	for (struct twb_xpriv **q = &p->ctx->pending; *q; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
	pthread_mutex_unlock(&twb_lock);
}

/* One pass over the queue in submission order; returns how many transfers finished. */
static int twb_pass(struct libusb_context *ctx, int *completed)
{
	int finished = 0;
	bool again = true;
	while (again) {
		again = false;
		uint64_t now = twb_now_ns();
		pthread_mutex_lock(&twb_lock);
		struct twb_xpriv *p = ctx->pending;
		pthread_mutex_unlock(&twb_lock);
		for (; p; p = p->next) {
			struct libusb_transfer *t = twb_pub(p);
			if (!twb_try(t, now))
				continue;
			twb_unlink(p);
			finished++;
			uint8_t flags = t->flags;
			if (t->callback)
				t->callback(t); /* may free or resubmit t */
			if (flags & LIBUSB_TRANSFER_FREE_TRANSFER)
				libusb_free_transfer(t);
			again = !(completed && *completed); /* the queue changed: start over */
			break;
		}
	}
	return finished;
}

static int twb_events(libusb_context *ctx, uint64_t wait_ns, int *completed)
{
	ctx = twb_ctx(ctx);
	if (!ctx)
		return LIBUSB_ERROR_NO_MEM;
	uint64_t end = twb_now_ns() + wait_ns;
	for (;;) {
		if (completed && *completed)
			return 0;
		if (twb_pass(ctx, completed))
			return 0;
		uint64_t now = twb_now_ns();
		if (now >= end)
			return 0;
		pthread_mutex_lock(&twb_lock);
		bool idle = ctx->pending == NULL;
		pthread_mutex_unlock(&twb_lock);
		if (idle) { /* nothing in flight can ever finish: sleep out the wait, as poll(2) */
			twb_sleep_ns(end - now > 1000000000u ? 1000000000u : end - now);
			return 0;
		}
		twb_sleep_ns(end - now < 1000000u ? end - now : 1000000u);
	}
}

static uint64_t twb_tv_ns(const struct timeval *tv)
{
	if (!tv)
		return 60ull * 1000000000u;
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv,
						       int *completed)
{
	return twb_events(ctx, twb_tv_ns(tv), completed);
}

int LIBUSB_CALL libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)
{
	return twb_events(ctx, twb_tv_ns(tv), NULL);
}

int LIBUSB_CALL libusb_handle_events(libusb_context *ctx)
{
	return twb_events(ctx, twb_tv_ns(NULL), NULL);
}

int LIBUSB_CALL libusb_handle_events_completed(libusb_context *ctx, int *completed)
{
	return twb_events(ctx, twb_tv_ns(NULL), completed);
}

int LIBUSB_CALL libusb_handle_events_locked(libusb_context *ctx, struct timeval *tv)
{
	return twb_events(ctx, twb_tv_ns(tv), NULL);
}

int LIBUSB_CALL libusb_get_next_timeout(libusb_context *ctx, struct timeval *tv)
{
	ctx = twb_ctx(ctx);
	pthread_mutex_lock(&twb_lock);
	bool any = ctx && ctx->pending;
	pthread_mutex_unlock(&twb_lock);
	if (!any)
		return 0;
	tv->tv_sec = 0, tv->tv_usec = 1000; /* in flight: look again within a millisecond */
	return 1;
}

int LIBUSB_CALL libusb_event_handling_ok(libusb_context *ctx)
{
	(void)ctx;
	return 1;
}

int LIBUSB_CALL libusb_event_handler_active(libusb_context *ctx)
{
	(void)ctx;
	return 0;
}

int LIBUSB_CALL libusb_try_lock_events(libusb_context *ctx)
{
	(void)ctx;
	return 0;
}

void LIBUSB_CALL libusb_lock_events(libusb_context *ctx)
{
	(void)ctx;
}

void LIBUSB_CALL libusb_unlock_events(libusb_context *ctx)
{
	(void)ctx;
}

void LIBUSB_CALL libusb_lock_event_waiters(libusb_context *ctx)
{
	(void)ctx;
}

void LIBUSB_CALL libusb_unlock_event_waiters(libusb_context *ctx)
{
	(void)ctx;
}

int LIBUSB_CALL libusb_wait_for_event(libusb_context *ctx, struct timeval *tv)
{
	twb_events(ctx, twb_tv_ns(tv), NULL);
	return 0;
}

void LIBUSB_CALL libusb_interrupt_event_handler(libusb_context *ctx)
{
	(void)ctx;
}

int LIBUSB_CALL libusb_pollfds_handle_timeouts(libusb_context *ctx)
{
	(void)ctx;
	return 1;
}

/* ------------------------------------------------------------------ hotplug */

int LIBUSB_CALL libusb_hotplug_register_callback(libusb_context *ctx, int events, int flags,
						 int vendor_id, int product_id, int dev_class,
						 libusb_hotplug_callback_fn cb_fn, void *user_data,
						 libusb_hotplug_callback_handle *callback_handle)
{
	(void)ctx, (void)events, (void)flags, (void)vendor_id, (void)product_id, (void)dev_class;
	(void)cb_fn, (void)user_data, (void)callback_handle;
	twb_unsupported("libusb_hotplug_register_callback");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_hotplug_deregister_callback(libusb_context *ctx,
						    libusb_hotplug_callback_handle callback_handle)
{
	(void)ctx, (void)callback_handle;
	twb_unsupported("libusb_hotplug_deregister_callback");
}

void *LIBUSB_CALL libusb_hotplug_get_user_data(libusb_context *ctx,
					       libusb_hotplug_callback_handle callback_handle)
{
	(void)ctx, (void)callback_handle;
	twb_unsupported("libusb_hotplug_get_user_data");
	return NULL;
}
