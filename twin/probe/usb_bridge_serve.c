/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --usb-bridge 'SOCKET[;PROBE;...]'` and `flashkey-twin with-usb`: the
 * served twin behind emulated USB probes, reached by unmodified programs through the stand-in
 * libusb/hidapi library (twin/usb-bridge/, protocol in twin/usb-bridge/proto.h).
 *
 * PROBE is KIND[,serial=S][,gone-after=N] with KIND stlink-v2, stlink-v21, stlink-v3,
 * cmsis-dap-v2 or cmsis-dap-v1; without any, one of each is plugged. Every probe drives the same
 * debug port (one chip, one SW-DP); each keeps its own emulator state while the server runs, as a
 * probe left plugged in does. gone-after=N unplugs the probe once it has seen N transfers: it
 * leaves the device list and later requests answer LIBUSB_ERROR_NO_DEVICE.
 *
 * Descriptors (USB 2.0 §9.6) are the real probes' layouts as the host tools expect them:
 *   ST-LINK/V2   0483:3748 full speed, interface 0 class FF/FF/FF: EP 0x81 bulk IN (replies),
 *                0x02 bulk OUT (commands), 0x83 bulk IN (trace), 64 bytes
 *                (OpenOCD stlink_usb.c: rx_ep 0x81, tx_ep 0x02, trace_ep 0x83 for STLINK_V2_PID;
 *                stlink-tools usb.c: ep_req 2|OUT, ep_trace 3|IN for this PID);
 *   ST-LINK/V2-1 0483:374B full speed, EPs 0x81 IN, 0x01 OUT, 0x82 IN (trace), 64 bytes;
 *   ST-LINK/V3   0483:374F high speed, EPs 0x81, 0x01, 0x82, 512 bytes;
 *   serial numbers are 24 characters, as stlink-tools requires (STLINK_SERIAL_LENGTH; a
 *   string descriptor of 50 bytes). The V2-1's mass-storage and virtual-COM interfaces and the
 *   V2's 12-byte binary serial are not modelled (UNCONFIRMED which firmware a user has).
 *   CMSIS-DAP v2 interface 0 class FF/00/00 with an interface string containing "CMSIS-DAP",
 *                EP 0x01 bulk OUT then 0x81 bulk IN, 512 bytes, high speed (probes.md §1.4);
 *   CMSIS-DAP v1 interface 0 class 03 (HID) with a HID descriptor, interrupt IN 0x81 and OUT
 *                0x01, 64-byte reports, bInterval 1, full speed; product string contains
 *                "CMSIS-DAP" (the spec's rule for v1).
 * The USB timing model is the emulators' (probe_emu.h), charged to the twin's clock. */
#define _GNU_SOURCE /* pidfd via syscall */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "debug/chip_port.h"
#include "fktwin/usb_bridge.h"
#include "probe/probe_emu.h"
#include "serve.h"
#include "usb-bridge/proto.h"

#define UBS_MAX_PROBES 8
#define UBS_MAX_CONNS 8
#define UBS_MAX_MSG (TWB_MAX_PAYLOAD * 16u + TWB_REQ_HDR)

/* libusb.h values, restated so the server needs no libusb headers */
enum {
	UBS_ERR_IO = -1,
	UBS_ERR_INVALID = -2,
	UBS_ERR_NO_DEVICE = -4,
	UBS_ERR_NOT_FOUND = -5,
	UBS_ERR_TIMEOUT = -7,
	UBS_ERR_PIPE = -9,
	UBS_ERR_NO_MEM = -11,
	UBS_SPEED_FULL = 2,
	UBS_SPEED_HIGH = 3,
};

typedef struct ubs_probe {
	tw_probe_kind kind;
	char serial[64];
	unsigned gone_after;
	uint64_t transfers;
	bool gone;
	tw_usb_sess *sess; /* created on first open, kept while the server runs */
} ubs_probe;

typedef struct ubs_conn {
	int fd;
	uint8_t *buf;
	size_t have, cap;
} ubs_conn;

typedef struct ubs_srv {
	tw_chip_port port;
	tw_probe_target tgt;
	ubs_probe probes[UBS_MAX_PROBES];
	unsigned nprobes;
	int lfd;
	char sock[108];
	ubs_conn conns[UBS_MAX_CONNS];
	/* with-usb: the command run under the bridge */
	pid_t child;
	int pidfd;
	int *child_status;
} ubs_srv;

/* with-usb hands its command to the module instance it starts (one at a time). */
static char *const *ubs_cmd_argv;
static const char *ubs_cmd_lib;
static bool ubs_cmd_preload;
static int *ubs_cmd_status;

/* ------------------------------------------------------------------ descriptors */

typedef struct ubs_desc {
	uint16_t vid, pid, bcd_usb;
	const char *mfr, *product, *iface_str;
	uint8_t cls, sub, proto;
	uint8_t ep[3], ep_attr;
	unsigned nep;
	uint16_t mps;
	bool hid;
} ubs_desc;

static void ubs_describe(tw_probe_kind k, ubs_desc *d)
{
	memset(d, 0, sizeof *d);
	d->mfr = "STMicroelectronics";
	d->cls = d->sub = d->proto = 0xFF;
	d->ep_attr = 2; /* bulk */
	d->nep = 3;
	d->vid = 0x0483;
	d->bcd_usb = 0x0200;
	switch (k) {
	case TW_PROBE_STLINK_V2:
		d->pid = 0x3748, d->product = "STM32 STLink", d->mps = 64;
		d->ep[0] = 0x81, d->ep[1] = 0x02, d->ep[2] = 0x83;
		break;
	case TW_PROBE_STLINK_V21:
		d->pid = 0x374B, d->product = "STM32 STLink", d->mps = 64;
		d->ep[0] = 0x81, d->ep[1] = 0x01, d->ep[2] = 0x82;
		break;
	case TW_PROBE_STLINK_V3:
		d->pid = 0x374F, d->product = "STLINK-V3", d->mps = 512;
		d->ep[0] = 0x81, d->ep[1] = 0x01, d->ep[2] = 0x82;
		break;
	case TW_PROBE_DAP_V2:
		/* the pair usb_emu.c gives: CMSIS-DAP is found by its strings, not its IDs */
		d->vid = 0xC251, d->pid = 0xF00A, d->mfr = "flashkey twin";
		d->product = "flashkey twin CMSIS-DAP", d->iface_str = "CMSIS-DAP v2 (flashkey twin)";
		d->cls = 0xFF, d->sub = 0, d->proto = 0, d->mps = 512, d->nep = 2;
		d->ep[0] = 0x01, d->ep[1] = 0x81;
		break;
	default: /* TW_PROBE_DAP_V1 */
		d->vid = 0xC251, d->pid = 0xF001, d->mfr = "flashkey twin", d->bcd_usb = 0x0110;
		d->product = "flashkey twin CMSIS-DAP", d->cls = 3, d->sub = 0, d->proto = 0;
		d->mps = 64, d->nep = 2, d->ep_attr = 3, d->hid = true;
		d->ep[0] = 0x81, d->ep[1] = 0x01;
		break;
	}
}

static uint8_t ubs_speed(tw_probe_kind k)
{
	return k == TW_PROBE_STLINK_V3 || k == TW_PROBE_DAP_V2 ? UBS_SPEED_HIGH : UBS_SPEED_FULL;
}

/* The HID report descriptor's length: a vendor page with one 64-byte input and one 64-byte
 * output report, no report IDs (USB HID 1.11 §6.2.2; the layout CMSIS-DAP v1 firmware uses). */
#define UBS_HID_REPORT_LEN 33u

static size_t ubs_str(uint8_t *p, uint8_t idx, const char *s)
{
	size_t n = strlen(s);
	n = n > 126 ? 126 : n;
	p[0] = idx, p[1] = (uint8_t)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

/* The LIST blob of a probe (proto.h). */
static size_t ubs_blob(const ubs_probe *pr, uint8_t *b)
{
	ubs_desc d;
	ubs_describe(pr->kind, &d);
	uint8_t *p = b;
	/* device descriptor, USB 2.0 Table 9-8 */
	const uint8_t dev[18] = {18, 1, (uint8_t)d.bcd_usb, (uint8_t)(d.bcd_usb >> 8), 0, 0, 0, 64,
				 (uint8_t)d.vid, (uint8_t)(d.vid >> 8), (uint8_t)d.pid,
				 (uint8_t)(d.pid >> 8), 0x00, 0x01, 1, 2, 3, 1};
	memcpy(p, dev, sizeof dev);
	p += sizeof dev;
	/* configuration, interface, (HID), endpoints: Tables 9-10, 9-12, 9-13; HID 1.11 §6.2.1 */
	uint8_t *cfg = p;
	const uint8_t c[9] = {9, 2, 0, 0, 1, 1, 0, 0x80, 50};
	memcpy(p, c, 9);
	p += 9;
	const uint8_t itf[9] = {9, 4, 0, 0, (uint8_t)d.nep, d.cls, d.sub, d.proto,
				d.iface_str ? 4 : 0};
	memcpy(p, itf, 9);
	p += 9;
	if (d.hid) {
		const uint8_t hid[9] = {9, 0x21, 0x11, 0x01, 0, 1, 0x22, UBS_HID_REPORT_LEN, 0};
		memcpy(p, hid, 9);
		p += 9;
	}
	for (unsigned i = 0; i < d.nep; i++) {
		const uint8_t ep[7] = {7, 5, d.ep[i], d.ep_attr, (uint8_t)d.mps,
				       (uint8_t)(d.mps >> 8), d.hid ? 1 : 0};
		memcpy(p, ep, 7);
		p += 7;
	}
	size_t total = (size_t)(p - cfg);
	cfg[2] = (uint8_t)total, cfg[3] = (uint8_t)(total >> 8);
	/* strings: 1 manufacturer, 2 product, 3 serial, 4 interface */
	*p++ = d.iface_str ? 4 : 3;
	p += ubs_str(p, 1, d.mfr);
	p += ubs_str(p, 2, d.product);
	p += ubs_str(p, 3, pr->serial);
	if (d.iface_str)
		p += ubs_str(p, 4, d.iface_str);
	return (size_t)(p - b);
}

/* ------------------------------------------------------------------ requests */

static bool ubs_send(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n, len -= (size_t)n;
	}
	return true;
}

static bool ubs_answer(int fd, int status, uint32_t arg, const uint8_t *data, size_t len)
{
	uint8_t h[TWB_ANS_HDR + 1024];
	twb_put32(h, (uint32_t)(TWB_ANS_HDR - 4 + len));
	twb_put32(h + 4, (uint32_t)status);
	twb_put32(h + 8, arg);
	if (len <= sizeof h - TWB_ANS_HDR) { /* one send: fewer context switches per round trip */
		if (len)
			memcpy(h + TWB_ANS_HDR, data, len);
		return ubs_send(fd, h, TWB_ANS_HDR + len);
	}
	return ubs_send(fd, h, TWB_ANS_HDR) && ubs_send(fd, data, len);
}

static int ubs_status(int fk)
{
	switch (fk) {
	case FK_OK: return 0;
	case FK_E_TIMEOUT: return UBS_ERR_TIMEOUT;
	case FK_E_DEVICE_GONE: return UBS_ERR_NO_DEVICE;
	case FK_E_NOMEM: return UBS_ERR_NO_MEM;
	case FK_E_IO: return UBS_ERR_PIPE;
	default: return UBS_ERR_IO;
	}
}

static bool ubs_open_sess(ubs_srv *u, ubs_probe *pr)
{
	if (!pr->sess)
		pr->sess = tw_usb_sess_new(pr->kind, pr->serial, &u->tgt);
	return pr->sess != NULL;
}

/* One request (op..payload); false = drop the connection. */
static bool ubs_request(ubs_srv *u, tw_serve *s, fk_ctx *ctx, int fd, const uint8_t *m,
			size_t len)
{
	uint8_t op = m[0], dev = m[1], ep = m[2];
	uint32_t arg = twb_get32(m + 4);
	const uint8_t *data = m + 8;
	size_t dlen = len - 8;
	if (op == TWB_OP_LIST) {
		uint8_t *out = malloc(UBS_MAX_PROBES * 1024u);
		size_t n = 0;
		if (!out)
			return ubs_answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
		for (unsigned i = 0; i < u->nprobes; i++) {
			if (u->probes[i].gone)
				continue;
			uint8_t *r = out + n;
			r[0] = (uint8_t)i, r[1] = 1, r[2] = (uint8_t)(i + 2), r[3] = (uint8_t)(i + 1);
			r[4] = ubs_speed(u->probes[i].kind);
			size_t bl = ubs_blob(&u->probes[i], r + 7);
			r[5] = (uint8_t)bl, r[6] = (uint8_t)(bl >> 8);
			n += 7 + bl;
		}
		bool ok = ubs_answer(fd, 0, 0, out, n);
		free(out);
		return ok;
	}
	if (dev >= u->nprobes)
		return ubs_answer(fd, UBS_ERR_NOT_FOUND, 0, NULL, 0);
	ubs_probe *pr = &u->probes[dev];
	if (pr->gone)
		return ubs_answer(fd, UBS_ERR_NO_DEVICE, 0, NULL, 0);
	switch (op) {
	case TWB_OP_OPEN:
		return ubs_answer(fd, ubs_open_sess(u, pr) ? 0 : UBS_ERR_NO_MEM, 0, NULL, 0);
	case TWB_OP_CLOSE:
		return ubs_answer(fd, 0, 0, NULL, 0);
	case TWB_OP_RESET:
		tw_usb_sess_free(pr->sess);
		pr->sess = NULL;
		return ubs_answer(fd, ubs_open_sess(u, pr) ? 0 : UBS_ERR_NO_MEM, 0, NULL, 0);
	case TWB_OP_OUT:
	case TWB_OP_IN:
		break;
	default:
		return ubs_answer(fd, UBS_ERR_INVALID, 0, NULL, 0);
	}
	if (!ubs_open_sess(u, pr))
		return ubs_answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
	if (pr->gone_after && ++pr->transfers > pr->gone_after) {
		pr->gone = true;
		return ubs_answer(fd, UBS_ERR_NO_DEVICE, 0, NULL, 0);
	}
	if ((op == TWB_OP_IN) != ((ep & 0x80) != 0))
		return ubs_answer(fd, UBS_ERR_INVALID, 0, NULL, 0);
	size_t done = 0;
	int rc;
	if (op == TWB_OP_OUT) {
		uint8_t *copy = malloc(dlen ? dlen : 1);
		if (!copy)
			return ubs_answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
		memcpy(copy, data, dlen);
		rc = tw_usb_sess_xfer(pr->sess, ctx, ep, copy, dlen, &done);
		free(copy);
		tw_serve_changed(s);
		return ubs_answer(fd, ubs_status(rc), (uint32_t)done, NULL, 0);
	}
	size_t want = arg > TWB_MAX_PAYLOAD * 16u ? TWB_MAX_PAYLOAD * 16u : arg;
	uint8_t *in = malloc(want ? want : 1);
	if (!in)
		return ubs_answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
	rc = tw_usb_sess_xfer(pr->sess, ctx, ep, in, want, &done);
	bool ok = ubs_answer(fd, ubs_status(rc), (uint32_t)done, in, rc ? 0 : done);
	free(in);
	return ok;
}

static void ubs_drop(ubs_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/* Reads what the peer sent and answers every whole request; false = the peer left. */
static bool ubs_read(ubs_srv *u, tw_serve *s, fk_ctx *ctx, ubs_conn *c)
{
	if (c->cap - c->have < 65536) {
		size_t cap = c->cap ? c->cap * 2 : 131072;
		if (cap > UBS_MAX_MSG * 2)
			return false;
		uint8_t *b = realloc(c->buf, cap);
		if (!b)
			return false;
		c->buf = b, c->cap = cap;
	}
	ssize_t n = recv(c->fd, c->buf + c->have, c->cap - c->have, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	c->have += (size_t)n;
	size_t off = 0;
	while (c->have - off >= 4) {
		uint32_t len = twb_get32(c->buf + off);
		if (len < TWB_REQ_HDR - 4 || len > UBS_MAX_MSG)
			return false; /* not our protocol */
		if (c->have - off - 4 < len)
			break;
		fk_ctx_clear(ctx);
		if (!ubs_request(u, s, ctx, c->fd, c->buf + off + 4, len))
			return false;
		off += 4 + len;
	}
	memmove(c->buf, c->buf + off, c->have - off);
	c->have -= off;
	return true;
}

/* ------------------------------------------------------------------ the module */

static int ubs_parse_probe(ubs_srv *u, fk_ctx *ctx, char *item)
{
	if (u->nprobes >= UBS_MAX_PROBES)
		return fk_fail(ctx, FK_E_USAGE, "usb-bridge: at most %d probes", UBS_MAX_PROBES);
	ubs_probe *pr = &u->probes[u->nprobes];
	char *opt = strchr(item, ',');
	if (opt)
		*opt++ = '\0';
	if (tw_probe_kind_parse(item, &pr->kind))
		return fk_fail(ctx, FK_E_USAGE, "usb-bridge: unknown probe \"%s\" (stlink-v2, "
				"stlink-v21, stlink-v3, cmsis-dap-v2, cmsis-dap-v1)", item);
	/* 24 characters, as an ST-LINK's (stlink-tools reads no other length); distinct per slot */
	snprintf(pr->serial, sizeof pr->serial, "464B5457494E%012X", u->nprobes + 1);
	for (char *tok = opt; tok && *tok;) {
		char *next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (strncmp(tok, "serial=", 7) == 0 && tok[7])
			fk_strlcpy(pr->serial, tok + 7, sizeof pr->serial);
		else if (strncmp(tok, "gone-after=", 11) != 0 || fk_parse_u32(tok + 11, &pr->gone_after))
			return fk_fail(ctx, FK_E_USAGE, "usb-bridge: unknown probe option \"%s\" "
					"(serial=S, gone-after=N)", tok);
		tok = next;
	}
	for (unsigned i = 0; i < u->nprobes; i++)
		if (strcmp(u->probes[i].serial, pr->serial) == 0)
			return fk_fail(ctx, FK_E_USAGE, "usb-bridge: two probes with serial %s",
				       pr->serial);
	u->nprobes++;
	return FK_OK;
}

static void ubs_stop(void *state)
{
	ubs_srv *u = state;
	for (unsigned i = 0; i < UBS_MAX_CONNS; i++)
		if (u->conns[i].fd >= 0)
			ubs_drop(&u->conns[i]);
	if (u->child > 0) { /* the server stops first (signal): end the command too */
		kill(u->child, SIGTERM);
		int st;
		if (waitpid(u->child, &st, 0) == u->child && u->child_status)
			*u->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (u->pidfd >= 0)
		close(u->pidfd);
	for (unsigned i = 0; i < u->nprobes; i++)
		tw_usb_sess_free(u->probes[i].sess);
	if (u->lfd >= 0) {
		close(u->lfd);
		unlink(u->sock);
	}
	tw_dap_free(u->tgt.dap);
	free(u);
}

static void ubs_setenv_path(const char *var, const char *first)
{
	const char *old = getenv(var);
	size_t n = strlen(first) + (old ? strlen(old) : 0) + 2;
	char *v = malloc(n);
	if (!v)
		return;
	snprintf(v, n, "%s%s%s", first, old && old[0] ? ":" : "", old ? old : "");
	setenv(var, v, 1);
	free(v);
}

static int ubs_spawn(ubs_srv *u, fk_ctx *ctx)
{
	pid_t pid = fork();
	if (pid < 0)
		return fk_fail(ctx, FK_E_IO, "with-usb: fork: %s", strerror(errno));
	if (pid == 0) {
		char dir[4096];
		fk_strlcpy(dir, ubs_cmd_lib, sizeof dir);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		setenv(TWB_ENV_SOCKET, u->sock, 1);
		ubs_setenv_path("LD_LIBRARY_PATH", dir);
		if (ubs_cmd_preload)
			ubs_setenv_path("LD_PRELOAD", ubs_cmd_lib);
		execvp(ubs_cmd_argv[0], ubs_cmd_argv);
		fprintf(stderr, "flashkey-twin with-usb: cannot run %s: %s\n", ubs_cmd_argv[0],
			strerror(errno));
		_exit(127);
	}
	u->child = pid;
	u->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (u->pidfd < 0)
		return fk_fail(ctx, FK_E_IO, "with-usb: pidfd_open: %s", strerror(errno));
	return FK_OK;
}

static int ubs_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	ubs_srv *u = calloc(1, sizeof *u);
	if (!u)
		return fk_fail(ctx, FK_E_NOMEM, "usb-bridge");
	u->lfd = u->pidfd = -1;
	for (unsigned i = 0; i < UBS_MAX_CONNS; i++)
		u->conns[i].fd = -1;
	char spec[1024];
	fk_strlcpy(spec, value, sizeof spec);
	char *semi = strchr(spec, ';');
	if (semi)
		*semi++ = '\0';
	int rc = FK_OK;
	if (!spec[0] || strlen(spec) >= sizeof u->sock)
		rc = fk_fail(ctx, FK_E_USAGE, "usb-bridge: \"%s\" is not a socket path (at most %zu "
				"bytes)", spec, sizeof u->sock - 1);
	fk_strlcpy(u->sock, spec, sizeof u->sock);
	for (char *item = semi; rc == FK_OK && item && *item;) {
		char *next = strchr(item, ';');
		if (next)
			*next++ = '\0';
		rc = ubs_parse_probe(u, ctx, item);
		item = next;
	}
	if (rc == FK_OK && u->nprobes == 0) {
		static const char *const all[] = {"stlink-v2", "stlink-v21", "stlink-v3",
						  "cmsis-dap-v2", "cmsis-dap-v1"};
		for (unsigned i = 0; rc == FK_OK && i < sizeof all / sizeof all[0]; i++) {
			char k[32];
			fk_strlcpy(k, all[i], sizeof k);
			rc = ubs_parse_probe(u, ctx, k);
		}
	}
	if (rc == FK_OK && !(u->tgt.dap = tw_chip_port_open(&u->port, tw_serve_chip(s), ctx,
							     "--usb-bridge")))
		rc = fk_ctx_error(ctx);
	u->port.no_clock = tw_serve_realtime(s);
	u->tgt.bus = &tw_chip_port_bus;
	u->tgt.bus_h = &u->port;
	if (rc == FK_OK) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		memcpy(sa.sun_path, u->sock, strlen(u->sock) + 1);
		u->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (u->lfd < 0 || bind(u->lfd, (struct sockaddr *)&sa, sizeof sa) ||
		    listen(u->lfd, 8)) {
			rc = fk_fail(ctx, FK_E_IO, "usb-bridge: cannot listen on %s: %s", u->sock,
				     strerror(errno));
			if (u->lfd >= 0)
				close(u->lfd);
			u->lfd = -1;
		}
	}
	if (rc == FK_OK && ubs_cmd_argv) {
		u->child_status = ubs_cmd_status;
		rc = ubs_spawn(u, ctx);
		ubs_cmd_argv = NULL;
	} else if (rc == FK_OK) {
		printf("usb-bridge: listening on %s (%u probe%s:", u->sock, u->nprobes,
		       u->nprobes == 1 ? "" : "s");
		for (unsigned i = 0; i < u->nprobes; i++)
			printf(" %s=%s", tw_probe_kind_name(u->probes[i].kind), u->probes[i].serial);
		printf(")\n");
		fflush(stdout);
	}
	if (rc) {
		ubs_stop(u);
		return rc;
	}
	*state = u;
	return FK_OK;
}

static unsigned ubs_fds(void *state, struct pollfd *pfd, unsigned max)
{
	ubs_srv *u = state;
	unsigned n = 0;
	if (n < max)
		pfd[n++] = (struct pollfd){u->lfd, POLLIN, 0};
	if (u->pidfd >= 0 && n < max)
		pfd[n++] = (struct pollfd){u->pidfd, POLLIN, 0};
	for (unsigned i = 0; i < UBS_MAX_CONNS && n < max; i++)
		if (u->conns[i].fd >= 0)
			pfd[n++] = (struct pollfd){u->conns[i].fd, POLLIN, 0};
	return n;
}

static int ubs_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	ubs_srv *u = state;
	for (unsigned i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == u->lfd) {
			int fd = accept4(u->lfd, NULL, NULL, SOCK_CLOEXEC);
			unsigned k = 0;
			while (k < UBS_MAX_CONNS && u->conns[k].fd >= 0)
				k++;
			if (fd >= 0 && k == UBS_MAX_CONNS)
				close(fd); /* a full bus: the program sees no devices */
			else if (fd >= 0)
				u->conns[k].fd = fd;
			continue;
		}
		if (pfd[i].fd == u->pidfd) {
			int st;
			if (waitpid(u->child, &st, 0) == u->child && u->child_status)
				*u->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			u->child = 0;
			return TW_SERVE_DONE;
		}
		for (unsigned k = 0; k < UBS_MAX_CONNS; k++)
			if (u->conns[k].fd == pfd[i].fd && !ubs_read(u, s, ctx, &u->conns[k]))
				ubs_drop(&u->conns[k]);
	}
	return 0;
}

const tw_serve_module tw_serve_mod_usb_bridge = {
	.option = "usb-bridge",
	.metavar = "SOCKET[;PROBE...]",
	.help = "emulated USB probes for unmodified libusb/hidapi programs (PROBE: KIND[,serial=S]"
		"[,gone-after=N]; run them with FLASHKEY_USB_BRIDGE=SOCKET and the bridge library)",
	.start = ubs_start,
	.fds = ubs_fds,
	.handle = ubs_handle,
	.stop = ubs_stop,
};

int tw_with_usb(fk_ctx *ctx, const char *path, const tw_with_usb_opts *o, char *const *argv,
		int *status)
{
	char dir[] = "/tmp/fktwin-usb-XXXXXX";
	if (!argv || !argv[0])
		return fk_fail(ctx, FK_E_USAGE, "with-usb: no command after --");
	if (access(o->library, R_OK))
		return fk_fail(ctx, FK_E_NOT_FOUND, "with-usb: the bridge library %s is missing (%s); "
				"build the twin tools, or set FLASHKEY_USB_BRIDGE_LIB", o->library,
				strerror(errno));
	if (!mkdtemp(dir))
		return fk_fail(ctx, FK_E_IO, "with-usb: mkdtemp: %s", strerror(errno));
	char value[1200];
	snprintf(value, sizeof value, "%s/usb.sock;%s", dir, o->probes ? o->probes : "");
	ubs_cmd_argv = argv;
	ubs_cmd_lib = o->library;
	ubs_cmd_preload = o->preload;
	ubs_cmd_status = status;
	*status = 127;
	tw_serve_req req = {&tw_serve_mod_usb_bridge, value};
	tw_serve_opts so = {.realtime = o->realtime, .idle_ms = 5};
	int rc = tw_serve_run(ctx, path, &req, 1, &so);
	ubs_cmd_argv = NULL;
	char sock[sizeof dir + 16];
	snprintf(sock, sizeof sock, "%s/usb.sock", dir);
	unlink(sock);
	rmdir(dir);
	return rc;
}
