/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/cmsis_dap: a CMSIS-DAP session as a raw DAP transport (fk_dap_ops).
 *
 * Transfers are cut into DAP_Transfer packets, or DAP_TransferBlock packets for runs of four or
 * more accesses to one register (OpenOCD master's threshold, probes.md §1.5), and up to the
 * probe's packet count of them are sent before the first reply is read (§1.5 pipelining). The
 * probe retries WAIT itself (DAP_TransferConfigure), so a flash write stream does not cost a
 * round trip per word. Read data comes back un-posted (§1.3): the transport does not set
 * FK_DAP_POSTED_READS.
 * Sources: probes.md §1.2-§1.5, §6.1, §7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "probe/cmsis_dap.h"
#include "probe/cmsis_dap_int.h"

#define DAP_MAX_INFLIGHT 8
#define DAP_WAIT_RETRY 0xFFFFu /* the flash stalls the bus while it programs a word */
#define DAP_DEFAULT_KHZ 4000u

typedef struct cmsis_dap {
	dap_link link;
	size_t pkt;
	unsigned count;
	uint8_t caps;
	char fw[32];
	uint8_t rx[DAP_MAX_PACKET];
	uint8_t tx[DAP_MAX_PACKET];
} cmsis_dap;

/* ---- one command ---- */

static int dap_send(cmsis_dap *s, fk_ctx *ctx, const uint8_t *req, size_t len)
{
	int rc = s->link.ops->send(s->link.h, ctx, req, len);
	return rc ? fk_fail_wrap(ctx, rc, "%s", dap_cmd_name(req[0])) : FK_OK;
}

static int dap_recv(cmsis_dap *s, fk_ctx *ctx, uint8_t cmd, size_t *n)
{
	int rc = s->link.ops->recv(s->link.h, ctx, s->rx, s->pkt, n);
	return rc ? fk_fail_wrap(ctx, rc, "%s", dap_cmd_name(cmd)) : FK_OK;
}

static int dap_cmd(cmsis_dap *s, fk_ctx *ctx, const uint8_t *req, size_t len, size_t *n)
{
	int rc = dap_send(s, ctx, req, len);
	return rc ? rc : dap_recv(s, ctx, req[0], n);
}

static int dap_cmd_status(cmsis_dap *s, fk_ctx *ctx, const uint8_t *req, size_t len)
{
	size_t n;
	int rc = dap_cmd(s, ctx, req, len, &n);
	return rc ? rc : dap_parse_status(ctx, req[0], s->rx, n);
}

static int dap_info(cmsis_dap *s, fk_ctx *ctx, uint8_t id, const uint8_t **data, size_t *len)
{
	uint8_t req[2] = {DAP_INFO, id};
	size_t n;
	int rc = dap_cmd(s, ctx, req, sizeof req, &n);
	return rc ? rc : dap_parse_info(ctx, id, s->rx, n, data, len);
}

static void dap_info_string(cmsis_dap *s, fk_ctx *ctx, uint8_t id, char *out, size_t size)
{
	const uint8_t *d;
	size_t len;
	out[0] = '\0';
	if (dap_info(s, ctx, id, &d, &len) != FK_OK) {
		fk_ctx_clear(ctx); /* optional information */
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < len && d[i] && k + 1 < size; i++)
		out[k++] = (d[i] >= 0x20 && d[i] < 0x7F) ? (char)d[i] : '?';
	out[k] = '\0';
}

/* ---- pipelined transfers ---- */

typedef struct dap_pkt {
	unsigned first, cnt;
	int block;
} dap_pkt;

/* Plans the packet starting at x[0]: a block for a run of >= 4 on one register, otherwise
 * plain transfers up to the next such run. */
static dap_pkt dap_plan(const cmsis_dap *s, const fk_dap_xfer *x, unsigned n)
{
	dap_pkt p = {0, 0, 0};
	unsigned run = dap_same_reg_run(x, n);
	if (run >= 4) {
		p.block = 1;
		p.cnt = FK_MIN(run, dap_block_fit(x[0].rnw, s->pkt));
		return p;
	}
	unsigned j = 0;
	while (j < n && (run = dap_same_reg_run(x + j, n - j)) < 4)
		j += run;
	p.cnt = dap_transfer_fit(x, j, s->pkt);
	return p;
}

static int dap_pkt_send(cmsis_dap *s, fk_ctx *ctx, const fk_dap_xfer *x, const dap_pkt *p)
{
	size_t len = p->block ? dap_encode_block(s->tx, x + p->first, p->cnt)
			      : dap_encode_transfer(s->tx, x + p->first, p->cnt);
	return dap_send(s, ctx, s->tx, len);
}

static int dap_pkt_recv(cmsis_dap *s, fk_ctx *ctx, fk_dap_xfer *x, const dap_pkt *p,
			unsigned *ok)
{
	uint8_t cmd = p->block ? DAP_TRANSFER_BLOCK : DAP_TRANSFER;
	size_t n;
	int rc = dap_recv(s, ctx, cmd, &n);
	if (rc)
		return rc;
	return p->block ? dap_parse_block(ctx, s->rx, n, x + p->first, p->cnt, ok)
			: dap_parse_transfer(ctx, s->rx, n, x + p->first, p->cnt, ok);
}

static int dap_ops_transfer(void *h, fk_ctx *ctx, fk_dap_xfer *x, unsigned n, unsigned *done)
{
	cmsis_dap *s = h;
	dap_pkt q[DAP_MAX_INFLIGHT];
	unsigned head = 0, queued = 0, next = 0, depth = FK_MIN(FK_MAX(s->count, 1u), DAP_MAX_INFLIGHT);
	int failed = 0, rc = FK_OK;
	*done = 0;
	for (unsigned i = 0; i < n; i++)
		x[i].ack = 0;
	while (rc == FK_OK && ((next < n && !failed) || queued)) {
		while (rc == FK_OK && !failed && next < n && queued < depth) {
			dap_pkt p = dap_plan(s, x + next, n - next);
			p.first = next;
			rc = dap_pkt_send(s, ctx, x, &p);
			q[(head + queued++) % DAP_MAX_INFLIGHT] = p;
			next += p.cnt;
		}
		if (rc)
			break;
		dap_pkt p = q[head];
		head = (head + 1) % DAP_MAX_INFLIGHT, queued--;
		unsigned ok = 0;
		rc = dap_pkt_recv(s, ctx, x, &p, &ok);
		if (rc == FK_OK && !failed) {
			*done += ok;
			failed = ok < p.cnt;
		}
	}
	return rc;
}

/* ---- pins, clock, sequences ---- */

static int dap_ops_swj_sequence(void *h, fk_ctx *ctx, const uint8_t *bits, unsigned nbits)
{
	cmsis_dap *s = h;
	int rc = FK_OK;
	for (unsigned off = 0; rc == FK_OK && off < nbits; off += 256) {
		unsigned cnt = FK_MIN(nbits - off, 256u);
		uint8_t req[2 + 32];
		req[0] = DAP_SWJ_SEQUENCE;
		req[1] = (uint8_t)(cnt == 256 ? 0 : cnt); /* 0 encodes 256 */
		memcpy(req + 2, bits + off / 8, (cnt + 7) / 8);
		rc = dap_cmd_status(s, ctx, req, 2 + (cnt + 7) / 8);
	}
	return rc;
}

static int dap_ops_set_nrst(void *h, fk_ctx *ctx, int asserted)
{
	cmsis_dap *s = h;
	/* A selected pin written 0 is driven low: nRESET asserted (§1.2 DAP_SWJ_Pins). */
	uint8_t req[7] = {DAP_SWJ_PINS, asserted ? 0x00 : DAP_PIN_NRESET, DAP_PIN_NRESET, 0, 0, 0, 0};
	size_t n;
	int rc = dap_cmd(s, ctx, req, sizeof req, &n);
	return rc ? rc : dap_check_reply(ctx, DAP_SWJ_PINS, s->rx, n, 2);
}

static int dap_ops_set_clock(void *h, fk_ctx *ctx, unsigned khz)
{
	uint8_t req[5] = {DAP_SWJ_CLOCK};
	fk_put_le32(req + 1, khz * 1000u);
	return dap_cmd_status(h, ctx, req, sizeof req);
}

static uint64_t dap_ops_virtual_ns(void *h)
{
	cmsis_dap *s = h;
	return s->link.ops->virtual_ns ? s->link.ops->virtual_ns(s->link.h) : 0;
}

static const fk_dap_ops dap_ops = {
	.flags = 0,
	.transfer = dap_ops_transfer,
	.swj_sequence = dap_ops_swj_sequence,
	.set_nrst = dap_ops_set_nrst,
	.set_clock = dap_ops_set_clock,
	.virtual_ns = dap_ops_virtual_ns,
};

/* ---- set-up (DAP_Info, Connect, Clock, TransferConfigure, SWD_Configure) ---- */

static int dap_read_limits(cmsis_dap *s, fk_ctx *ctx)
{
	const uint8_t *d;
	size_t len;
	int rc = dap_info(s, ctx, DAP_ID_PACKET_SIZE, &d, &len);
	if (rc == FK_OK && len != 2)
		rc = fk_fail(ctx, FK_E_PROTOCOL, "DAP_Info packet size: %zu bytes, expected 2", len);
	if (rc)
		return rc;
	unsigned pkt = fk_get_le16(d);
	if (pkt < 16 || pkt > DAP_MAX_PACKET)
		return fk_fail(ctx, FK_E_PROTOCOL, "DAP_Info packet size %u outside 16..%u", pkt,
			       DAP_MAX_PACKET);
	s->pkt = pkt;
	s->link.ops->set_packet(s->link.h, pkt);
	rc = dap_info(s, ctx, DAP_ID_PACKET_COUNT, &d, &len);
	if (rc == FK_OK && (len != 1 || d[0] == 0))
		rc = fk_fail(ctx, FK_E_PROTOCOL, "DAP_Info packet count: invalid answer");
	if (rc)
		return rc;
	s->count = d[0];
	rc = dap_info(s, ctx, DAP_ID_CAPABILITIES, &d, &len);
	if (rc == FK_OK && len < 1)
		rc = fk_fail(ctx, FK_E_PROTOCOL, "DAP_Info capabilities: empty answer");
	if (rc == FK_OK && !((s->caps = d[0]) & 0x01))
		rc = fk_fail(ctx, FK_E_UNSUPPORTED, "this CMSIS-DAP probe has no SWD (capabilities 0x%02x)",
			     d[0]);
	return rc;
}

static int dap_setup(cmsis_dap *s, fk_ctx *ctx, const fk_conn_opts *opts)
{
	s->pkt = 64;
	int rc = dap_read_limits(s, ctx);
	if (rc)
		return rc;
	dap_info_string(s, ctx, DAP_ID_FW_VERSION, s->fw, sizeof s->fw);
	if (!s->fw[0])
		dap_info_string(s, ctx, DAP_ID_PROTOCOL, s->fw, sizeof s->fw);
	uint8_t con[2] = {DAP_CONNECT, DAP_PORT_SWD};
	size_t n;
	rc = dap_cmd(s, ctx, con, sizeof con, &n);
	if (rc == FK_OK && (rc = dap_check_reply(ctx, DAP_CONNECT, s->rx, n, 2)) == FK_OK &&
	    s->rx[1] != DAP_PORT_SWD)
		rc = fk_fail(ctx, FK_E_CONNECT, "DAP_Connect: the probe could not switch to SWD "
				"(answered port %u)", s->rx[1]);
	if (rc == FK_OK)
		rc = dap_ops_set_clock(s, ctx, opts->swd_khz ? opts->swd_khz : DAP_DEFAULT_KHZ);
	uint8_t cfg[6] = {DAP_TRANSFER_CONFIGURE, 0, 0, 0, 0, 0};
	fk_put_le16(cfg + 2, DAP_WAIT_RETRY);
	if (rc == FK_OK)
		rc = dap_cmd_status(s, ctx, cfg, sizeof cfg);
	uint8_t swd[2] = {DAP_SWD_CONFIGURE, 0}; /* 1 turnaround cycle, no data phase */
	if (rc == FK_OK)
		rc = dap_cmd_status(s, ctx, swd, sizeof swd);
	return rc;
}

static void dap_close(void *h)
{
	cmsis_dap *s = h;
	if (!s)
		return;
	if (s->link.ops) {
		fk_ctx *quiet = fk_ctx_new();
		uint8_t req[1] = {DAP_DISCONNECT};
		size_t n;
		if (quiet)
			dap_cmd(s, quiet, req, 1, &n);
		fk_ctx_free(quiet);
		s->link.ops->close(s->link.h);
	}
	free(s);
}

static int dap_finish_open(cmsis_dap *s, fk_ctx *ctx, const fk_conn_opts *opts,
			   fk_transport *out, const char *what)
{
	int rc = dap_setup(s, ctx, opts);
	if (rc) {
		dap_close(s);
		return fk_fail_wrap(ctx, rc, "setting up %s", what);
	}
	out->kind = FK_TRANSPORT_DAP;
	out->ops = &dap_ops;
	out->handle = s;
	out->close = dap_close;
	snprintf(out->description, sizeof out->description, "%s (firmware %s, %zu-byte packets x%u)",
		 what, s->fw[0] ? s->fw : "?", s->pkt, s->count);
	return FK_OK;
}

int cmsis_dap_open_tcp(fk_ctx *ctx, const char *hostport, const fk_conn_opts *opts,
		       fk_transport *out)
{
	cmsis_dap *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "opening CMSIS-DAP over TCP");
	int rc = dap_link_tcp(ctx, hostport, &s->link);
	if (rc) {
		free(s);
		return rc;
	}
	char what[128];
	snprintf(what, sizeof what, "CMSIS-DAP at tcp %s", hostport);
	return dap_finish_open(s, ctx, opts, out, what);
}

/* ---- USB discovery: v2 = bulk interface named CMSIS-DAP, v1 = HID product CMSIS-DAP ---- */

static const fk_usb_iface *dap_v2_iface(const fk_usb_info *d)
{
	for (unsigned i = 0; i < d->n_ifaces; i++) {
		const fk_usb_iface *f = &d->ifaces[i];
		int named = strstr(f->name, "CMSIS-DAP") || strstr(d->product, "CMSIS-DAP");
		int cls_ok = f->cls == 0xFF || f->cls == 0 || f->cls > 0x12;
		if (named && cls_ok && f->n_endpoints >= 2 && f->ep_bulk[0] && f->ep_bulk[1] &&
		    !(f->ep_addr[0] & 0x80) && (f->ep_addr[1] & 0x80))
			return f;
	}
	return NULL;
}

typedef struct dap_found {
	int v1;
	fk_usb_info usb;
	const fk_usb_iface *iface;
	fk_hid_info hid;
} dap_found;

static unsigned dap_scan(fk_ctx *ctx, dap_found *out, unsigned max)
{
	fk_usb_info *usb = calloc(FK_USB_MAX_DEVICES, sizeof *usb);
	fk_hid_info *hid = calloc(FK_USB_MAX_DEVICES, sizeof *hid);
	unsigned nu = 0, nh = 0, k = 0;
	if (usb && hid) {
		fk_usb_enumerate(ctx, usb, FK_USB_MAX_DEVICES, &nu);
		fk_hid_enumerate(ctx, hid, FK_USB_MAX_DEVICES, &nh);
	}
	for (unsigned i = 0; i < nu && k < max; i++)
		if (dap_v2_iface(&usb[i])) {
			out[k].v1 = 0;
			out[k].usb = usb[i];
			out[k].iface = NULL;
			k++;
		}
	unsigned nv2 = k;
	for (unsigned i = 0; i < nh && k < max; i++) {
		int dup = 0;
		for (unsigned j = 0; j < nv2; j++)
			dup |= out[j].usb.vid == hid[i].vid && out[j].usb.pid == hid[i].pid &&
			       strcmp(out[j].usb.serial, hid[i].serial) == 0;
		if (!dup && strstr(hid[i].product, "CMSIS-DAP")) {
			out[k].v1 = 1;
			out[k++].hid = hid[i];
		}
	}
	free(usb);
	free(hid);
	return k;
}

static const char *dap_found_serial(const dap_found *f)
{
	return f->v1 ? f->hid.serial : f->usb.serial;
}

static int dap_open_found(fk_ctx *ctx, dap_found *f, cmsis_dap *s)
{
	if (f->v1)
		return dap_link_hid(ctx, &f->hid, &s->link);
	return dap_link_bulk(ctx, &f->usb, dap_v2_iface(&f->usb), &s->link);
}

static int dap_choose(fk_ctx *ctx, const char *serial, dap_found *all, unsigned n, unsigned *pick)
{
	char seen[200] = "";
	unsigned hits = 0;
	for (unsigned i = 0; i < n; i++) {
		fk_snprintf_cat(seen, sizeof seen, "%s%s", i ? ", " : "", dap_found_serial(&all[i]));
		if (serial && serial[0] && strcasecmp(serial, dap_found_serial(&all[i])) != 0)
			continue;
		if (hits++ == 0)
			*pick = i;
	}
	if (hits == 1 || (hits > 1 && serial && serial[0]))
		return FK_OK;
	if (hits > 1) {
		fk_hint(ctx, "choose one with -c cmsis-dap:SERIAL (serials: %s)", seen);
		return fk_fail(ctx, FK_E_USAGE, "%u CMSIS-DAP probes attached: say which one", hits);
	}
	fk_hint(ctx, "%s%s", n ? "attached CMSIS-DAP serials: " : "plug in the probe; run `flashkey list` "
								 "to see what is attached", seen);
	return serial && serial[0] ? fk_fail(ctx, FK_E_CONNECT, "no CMSIS-DAP probe with serial %s", serial)
				   : fk_fail(ctx, FK_E_CONNECT, "no CMSIS-DAP probe found on USB");
}

int cmsis_dap_open_usb(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts,
		       fk_transport *out)
{
	dap_found all[8];
	unsigned n = dap_scan(ctx, all, 8), pick = 0;
	int rc = dap_choose(ctx, serial, all, n, &pick);
	if (rc)
		return rc;
	cmsis_dap *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "opening the CMSIS-DAP probe");
	if ((rc = dap_open_found(ctx, &all[pick], s)) != 0) {
		free(s);
		return fk_fail_wrap(ctx, rc, "opening CMSIS-DAP %s", dap_found_serial(&all[pick]));
	}
	char what[128];
	snprintf(what, sizeof what, "CMSIS-DAP %s %s", all[pick].v1 ? "v1 (HID)" : "v2 (bulk)",
		 dap_found_serial(&all[pick]));
	return dap_finish_open(s, ctx, opts, out, what);
}

static void dap_list_one(fk_ctx *ctx, dap_found *f, cmsis_dap_listing *row)
{
	memset(row, 0, sizeof *row);
	row->v1 = f->v1;
	row->vid = f->v1 ? f->hid.vid : f->usb.vid;
	row->pid = f->v1 ? f->hid.pid : f->usb.pid;
	fk_strlcpy(row->product, f->v1 ? f->hid.product : f->usb.product, sizeof row->product);
	fk_strlcpy(row->serial, dap_found_serial(f), sizeof row->serial);
	fk_strlcpy(row->location, f->v1 ? f->hid.path : f->usb.location, sizeof row->location);
	cmsis_dap *s = calloc(1, sizeof *s);
	if (!s)
		return;
	s->pkt = 64;
	row->error = dap_open_found(ctx, f, s);
	if (row->error == FK_OK) {
		dap_info_string(s, ctx, DAP_ID_FW_VERSION, row->firmware, sizeof row->firmware);
		if (!row->firmware[0])
			dap_info_string(s, ctx, DAP_ID_PROTOCOL, row->firmware, sizeof row->firmware);
		s->link.ops->close(s->link.h);
	}
	free(s);
}

int cmsis_dap_list(fk_ctx *ctx, cmsis_dap_listing *rows, unsigned max, unsigned *n)
{
	dap_found all[8];
	unsigned k = dap_scan(ctx, all, 8);
	*n = 0;
	for (unsigned i = 0; i < k && *n < max; i++)
		dap_list_one(ctx, &all[i], &rows[(*n)++]);
	return FK_OK;
}
