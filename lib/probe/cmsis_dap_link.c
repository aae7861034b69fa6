/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/cmsis_dap: the three packet links a CMSIS-DAP command travels on.
 *   v1: USB HID reports (report ID 0 prefix, zero padding to the report size)   probes.md §1.4
 *   v2: USB bulk, commands unpadded, responses read with length = packet size     probes.md §1.4
 *   TCP: 8-byte header "DAP\0" + u16 length + type (1 request, 2 response) + 0    probes.md §6.1 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "link/hid.h"
#include "link/usb.h"
#include "probe/cmsis_dap.h"
#include "probe/cmsis_dap_int.h"

#define DAP_USB_TIMEOUT_MS 2000u
#define DAP_TCP_TIMEOUT_MS 3000

/* ---- v1: HID ---- */

typedef struct dap_hid {
	fk_hid_dev *d;
	size_t report;
} dap_hid;

static int dap_hid_send(void *h, fk_ctx *ctx, const uint8_t *buf, size_t len)
{
	dap_hid *l = h;
	return fk_hid_send(l->d, ctx, buf, len, l->report);
}

static int dap_hid_recv(void *h, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *got)
{
	dap_hid *l = h;
	return fk_hid_recv(l->d, ctx, buf, FK_MIN(cap, l->report), DAP_USB_TIMEOUT_MS, got);
}

static void dap_hid_set_packet(void *h, size_t pkt)
{
	((dap_hid *)h)->report = pkt; /* "report size as reported" by DAP_Info 0xFF */
}

static void dap_hid_close(void *h)
{
	dap_hid *l = h;
	fk_hid_close(l->d);
	free(l);
}

static uint64_t dap_hid_vns(void *h)
{
	return fk_hid_virtual_ns(((dap_hid *)h)->d);
}

static const dap_link_ops dap_hid_ops = {dap_hid_send, dap_hid_recv, dap_hid_set_packet,
					  dap_hid_close, dap_hid_vns};

int dap_link_hid(fk_ctx *ctx, const fk_hid_info *info, dap_link *out)
{
	dap_hid *l = calloc(1, sizeof *l);
	if (!l)
		return fk_fail(ctx, FK_E_NOMEM, "opening CMSIS-DAP v1");
	l->report = 64; /* full-speed default until DAP_Info 0xFF answers */
	int rc = fk_hid_open(ctx, info, &l->d);
	if (rc) {
		free(l);
		return rc;
	}
	out->ops = &dap_hid_ops;
	out->h = l;
	out->is_v1 = 1;
	return FK_OK;
}

/* ---- v2: USB bulk ---- */

typedef struct dap_bulk {
	fk_usb_dev *d;
	uint8_t ep_out, ep_in;
	size_t pkt;
} dap_bulk;

static int dap_bulk_send(void *h, fk_ctx *ctx, const uint8_t *buf, size_t len)
{
	dap_bulk *l = h;
	return fk_usb_write(l->d, ctx, l->ep_out, buf, len, DAP_USB_TIMEOUT_MS);
}

static int dap_bulk_recv(void *h, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *got)
{
	dap_bulk *l = h;
	int rc = fk_usb_read(l->d, ctx, l->ep_in, buf, FK_MIN(cap, l->pkt), DAP_USB_TIMEOUT_MS, got);
	if (rc == FK_OK && *got == 0)
		return fk_fail(ctx, FK_E_TIMEOUT, "no reply on USB endpoint 0x%02x", l->ep_in);
	return rc;
}

static void dap_bulk_set_packet(void *h, size_t pkt)
{
	((dap_bulk *)h)->pkt = pkt;
}

static void dap_bulk_close(void *h)
{
	dap_bulk *l = h;
	fk_usb_close(l->d);
	free(l);
}

static uint64_t dap_bulk_vns(void *h)
{
	return fk_usb_virtual_ns(((dap_bulk *)h)->d);
}

static const dap_link_ops dap_bulk_ops = {dap_bulk_send, dap_bulk_recv, dap_bulk_set_packet,
					   dap_bulk_close, dap_bulk_vns};

int dap_link_bulk(fk_ctx *ctx, const fk_usb_info *info, const fk_usb_iface *f, dap_link *out)
{
	dap_bulk *l = calloc(1, sizeof *l);
	if (!l)
		return fk_fail(ctx, FK_E_NOMEM, "opening CMSIS-DAP v2");
	l->ep_out = f->ep_addr[0];
	l->ep_in = f->ep_addr[1];
	l->pkt = f->ep_size[0] ? f->ep_size[0] : 64; /* until DAP_Info 0xFF answers */
	int rc = fk_usb_open(ctx, info, f->number, &l->d);
	if (rc) {
		free(l);
		return rc;
	}
	out->ops = &dap_bulk_ops;
	out->h = l;
	out->is_v1 = 0;
	return FK_OK;
}

/* ---- TCP ---- */

typedef struct dap_tcp {
	int fd;
} dap_tcp;

static int dap_tcp_io(int fd, fk_ctx *ctx, uint8_t *buf, size_t len, int out)
{
	size_t done = 0;
	while (done < len) {
		struct pollfd p = {fd, (short)(out ? POLLOUT : POLLIN), 0};
		int pr = poll(&p, 1, DAP_TCP_TIMEOUT_MS);
		if (pr == 0)
			return fk_fail(ctx, FK_E_TIMEOUT, "CMSIS-DAP TCP: no %s for %d ms",
				       out ? "room to send" : "reply", DAP_TCP_TIMEOUT_MS);
		ssize_t n = pr < 0 ? -1
			    : out  ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
				   : recv(fd, buf + done, len - done, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return fk_fail(ctx, FK_E_DEVICE_GONE, "CMSIS-DAP TCP: connection %s",
				       n == 0 ? "closed by the server" : strerror(errno));
		done += (size_t)n;
	}
	return FK_OK;
}

static int dap_tcp_send(void *h, fk_ctx *ctx, const uint8_t *buf, size_t len)
{
	dap_tcp *l = h;
	uint8_t frame[DAP_TCP_HEADER + DAP_TCP_MAX_PAYLOAD];
	if (len > DAP_TCP_MAX_PAYLOAD)
		return fk_fail(ctx, FK_E_INTERNAL, "CMSIS-DAP TCP: %zu-byte command", len);
	dap_tcp_header(frame, (uint16_t)len, DAP_TCP_REQUEST);
	memcpy(frame + DAP_TCP_HEADER, buf, len);
	return dap_tcp_io(l->fd, ctx, frame, DAP_TCP_HEADER + len, 1);
}

static int dap_tcp_recv(void *h, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *got)
{
	dap_tcp *l = h;
	uint8_t hdr[DAP_TCP_HEADER];
	uint16_t len = 0;
	int rc = dap_tcp_io(l->fd, ctx, hdr, sizeof hdr, 0);
	if (rc == FK_OK)
		rc = dap_tcp_parse_header(ctx, hdr, DAP_TCP_RESPONSE, FK_MIN(cap, DAP_TCP_MAX_PAYLOAD),
					  &len);
	if (rc == FK_OK)
		rc = dap_tcp_io(l->fd, ctx, buf, len, 0);
	*got = rc == FK_OK ? len : 0;
	return rc;
}

static void dap_tcp_set_packet(void *h, size_t pkt)
{
	(void)h, (void)pkt;
}

static void dap_tcp_close(void *h)
{
	dap_tcp *l = h;
	close(l->fd);
	free(l);
}

static const dap_link_ops dap_tcp_ops = {dap_tcp_send, dap_tcp_recv, dap_tcp_set_packet,
					  dap_tcp_close, NULL};

/* "HOST", "HOST:PORT", "[V6ADDR]:PORT" */
static int dap_tcp_split(fk_ctx *ctx, const char *arg, char *host, size_t hn, char *port,
			 size_t pn)
{
	const char *colon;
	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');
		if (!end)
			return fk_fail(ctx, FK_E_USAGE, "cmsis-dap-tcp:%s: missing ']'", arg);
		snprintf(host, hn, "%.*s", (int)(end - arg - 1), arg + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(arg, ':');
		snprintf(host, hn, "%.*s", (int)(colon ? (size_t)(colon - arg) : strlen(arg)), arg);
	}
	uint32_t p = DAP_TCP_DEFAULT_PORT;
	if (colon && (fk_parse_u32(colon + 1, &p) || p == 0 || p > 65535))
		return fk_fail(ctx, FK_E_USAGE, "cmsis-dap-tcp:%s: \"%s\" is not a TCP port", arg,
			       colon + 1);
	snprintf(port, pn, "%u", p);
	if (!host[0])
		return fk_fail(ctx, FK_E_USAGE, "cmsis-dap-tcp: no host given (cmsis-dap-tcp:HOST[:PORT])");
	return FK_OK;
}

static int dap_tcp_connect_fd(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd p = {fd, POLLOUT, 0};
		int err = 0;
		socklen_t el = sizeof err;
		r = poll(&p, 1, DAP_TCP_TIMEOUT_MS) == 1 &&
				    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0
			    ? 0
			    : -1;
		errno = err ? err : ETIMEDOUT;
	}
	if (r < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	fcntl(fd, F_SETFL, fl);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as OpenOCD's client */
	return fd;
}

int dap_link_tcp(fk_ctx *ctx, const char *arg, dap_link *out)
{
	char host[128], port[8];
	int rc = dap_tcp_split(ctx, arg, host, sizeof host, port, sizeof port);
	if (rc)
		return rc;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g != 0)
		return fk_fail(ctx, FK_E_CONNECT, "CMSIS-DAP TCP: cannot resolve %s: %s", host,
			       gai_strerror(g));
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = dap_tcp_connect_fd(ai);
	int err = errno;
	freeaddrinfo(res);
	if (fd < 0) {
		fk_hint(ctx, "is the probe (or `flashkey-twin serve PATH --cmsis-dap-tcp %s:%s`) "
			     "running and reachable?", host, port);
		return fk_fail(ctx, FK_E_CONNECT, "CMSIS-DAP TCP: cannot connect to %s port %s: %s",
			       host, port, strerror(err));
	}
	dap_tcp *l = calloc(1, sizeof *l);
	if (!l) {
		close(fd);
		return fk_fail(ctx, FK_E_NOMEM, "CMSIS-DAP TCP");
	}
	l->fd = fd;
	out->ops = &dap_tcp_ops;
	out->h = l;
	out->is_v1 = 0;
	return FK_OK;
}
