/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The USB twin bridge server's probe table and request decoder (usb_bridge_core.h); the sockets,
 * the serve module and with-usb are usb_bridge_serve.c.
 *
 * PROBE is KIND[,serial=S][,gone-after=N] with KIND stlink-v2, stlink-v21, stlink-v3,
 * cmsis-dap-v2, cmsis-dap-v1 or jlink; without any, one of each is plugged. Every probe drives the
 * same debug port (one chip, one SW-DP); each keeps its own emulator state while the server runs,
 * as a probe left plugged in does. gone-after=N unplugs the probe once it has seen N transfers: it
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
 *                "CMSIS-DAP" (the spec's rule for v1);
 *   J-Link V9    1366:0101 full speed, interface 0 class FF/FF/FF with bulk IN 0x81 and OUT 0x02,
 *                64 bytes (libjaylink discovery_usb.c: VID 0x1366 and its PID table, 0x0101 =
 *                USB address 0; transport_usb.c: the first interface of class and subclass FF
 *                with two endpoints; OpenOCD 0.8 jlink.c JLINK_READ/WRITE_ENDPOINT 0x81/0x02).
 *                Its serial string is the decimal serial number, 12 digits zero-padded
 *                (libjaylink reads 12 characters and parses the last 10 as a decimal number).
 * The USB timing model is the emulators' (probe_emu.h), charged to the twin's clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "probe/usb_bridge_core.h"
#include "usb-bridge/proto.h"

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
	case TW_PROBE_CH341A:
		/* WCH CH341A, SPI/I2C mode: vendor interface, bulk IN 0x82 and OUT 0x02 of 32 bytes,
		 * interrupt IN 0x81 (flashrom ch341a_spi.c uses the bulk pair) */
		d->vid = 0x1A86, d->pid = 0x5512, d->mfr = "", d->product = "USB UART-LPT";
		d->bcd_usb = 0x0110, d->mps = 32, d->nep = 2;
		d->ep[0] = TW_CH341A_EP_IN, d->ep[1] = TW_CH341A_EP_OUT;
		break;
	case TW_PROBE_JLINK:
		d->vid = 0x1366, d->pid = 0x0101, d->mfr = "SEGGER", d->product = "J-Link";
		d->bcd_usb = 0x0110, d->mps = 64, d->nep = 2;
		d->ep[0] = TW_JLINK_EP_IN, d->ep[1] = TW_JLINK_EP_OUT;
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
static size_t ubs_blob(const tw_ubs_probe *pr, uint8_t *b)
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

static bool ubs_open_sess(tw_ubs *u, tw_ubs_probe *pr)
{
	if (!pr->sess)
		pr->sess = tw_usb_sess_new(pr->kind, pr->serial, &u->tgt);
	return pr->sess != NULL;
}

/* One request (op..payload); false = drop the connection. */
static bool ubs_request(tw_ubs *u, fk_ctx *ctx, tw_ubs_answer_fn answer, void *fd,
			bool *changed, const uint8_t *m, size_t len)
{
	uint8_t op = m[0], dev = m[1], ep = m[2];
	uint32_t arg = twb_get32(m + 4);
	const uint8_t *data = m + 8;
	size_t dlen = len - 8;
	if (op == TWB_OP_LIST) {
		uint8_t *out = malloc(TW_UBS_MAX_PROBES * 1024u);
		size_t n = 0;
		if (!out)
			return answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
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
		bool ok = answer(fd, 0, 0, out, n);
		free(out);
		return ok;
	}
	if (dev >= u->nprobes)
		return answer(fd, UBS_ERR_NOT_FOUND, 0, NULL, 0);
	tw_ubs_probe *pr = &u->probes[dev];
	if (pr->gone)
		return answer(fd, UBS_ERR_NO_DEVICE, 0, NULL, 0);
	switch (op) {
	case TWB_OP_OPEN:
		return answer(fd, ubs_open_sess(u, pr) ? 0 : UBS_ERR_NO_MEM, 0, NULL, 0);
	case TWB_OP_CLOSE:
		return answer(fd, 0, 0, NULL, 0);
	case TWB_OP_RESET:
		tw_usb_sess_free(pr->sess);
		pr->sess = NULL;
		return answer(fd, ubs_open_sess(u, pr) ? 0 : UBS_ERR_NO_MEM, 0, NULL, 0);
	case TWB_OP_OUT:
	case TWB_OP_IN:
		break;
	default:
		return answer(fd, UBS_ERR_INVALID, 0, NULL, 0);
	}
	if (!ubs_open_sess(u, pr))
		return answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
	if (pr->gone_after && ++pr->transfers > pr->gone_after) {
		pr->gone = true;
		return answer(fd, UBS_ERR_NO_DEVICE, 0, NULL, 0);
	}
	if ((op == TWB_OP_IN) != ((ep & 0x80) != 0))
		return answer(fd, UBS_ERR_INVALID, 0, NULL, 0);
	size_t done = 0;
	int rc;
	if (op == TWB_OP_OUT) {
		uint8_t *copy = malloc(dlen ? dlen : 1);
		if (!copy)
			return answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
		memcpy(copy, data, dlen);
		rc = tw_usb_sess_xfer(pr->sess, ctx, ep, copy, dlen, &done);
		free(copy);
		*changed = true;
		return answer(fd, ubs_status(rc), (uint32_t)done, NULL, 0);
	}
	size_t want = arg > TWB_MAX_PAYLOAD * 16u ? TWB_MAX_PAYLOAD * 16u : arg;
	uint8_t *in = malloc(want ? want : 1);
	if (!in)
		return answer(fd, UBS_ERR_NO_MEM, 0, NULL, 0);
	rc = tw_usb_sess_xfer(pr->sess, ctx, ep, in, want, &done);
	bool ok = answer(fd, ubs_status(rc), (uint32_t)done, in, rc ? 0 : done);
	free(in);
	return ok;
}

/* ------------------------------------------------------------------ the module */

static int ubs_parse_probe(tw_ubs *u, fk_ctx *ctx, char *item)
{
	if (u->nprobes >= TW_UBS_MAX_PROBES)
		return fk_fail(ctx, FK_E_USAGE, "usb-bridge: at most %d probes", TW_UBS_MAX_PROBES);
	tw_ubs_probe *pr = &u->probes[u->nprobes];
	char *opt = strchr(item, ',');
	if (opt)
		*opt++ = '\0';
	if (tw_probe_kind_parse(item, &pr->kind))
		return fk_fail(ctx, FK_E_USAGE, "usb-bridge: unknown probe \"%s\" (stlink-v2, "
				"stlink-v21, stlink-v3, cmsis-dap-v2, cmsis-dap-v1, jlink, ch341a)",
				item);
	/* 24 characters, as an ST-LINK's (stlink-tools reads no other length); a J-Link's is a
	 * decimal number; distinct per slot */
	if (pr->kind == TW_PROBE_JLINK)
		snprintf(pr->serial, sizeof pr->serial, "%012u", 900000000u + u->nprobes + 1);
	else
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
	if (pr->kind == TW_PROBE_JLINK && (strlen(pr->serial) > 12 ||
					   strspn(pr->serial, "0123456789") != strlen(pr->serial)))
		return fk_fail(ctx, FK_E_USAGE, "usb-bridge: a J-Link serial is a decimal number of at "
				"most 12 digits (libjaylink parses no other), not \"%s\"", pr->serial);
	for (unsigned i = 0; i < u->nprobes; i++)
		if (strcmp(u->probes[i].serial, pr->serial) == 0)
			return fk_fail(ctx, FK_E_USAGE, "usb-bridge: two probes with serial %s",
				       pr->serial);
	u->nprobes++;
	return FK_OK;
}


int tw_ubs_parse_probes(tw_ubs *u, fk_ctx *ctx, char *list)
{
	int rc = FK_OK;
	for (char *item = list; rc == FK_OK && item && *item;) {
		char *next = strchr(item, ';');
		if (next)
			*next++ = '\0';
		rc = ubs_parse_probe(u, ctx, item);
		item = next;
	}
	if (rc == FK_OK && u->nprobes == 0) {
		/* one of each debug probe on a chip with a debug port; a CH341A on a SPI flash */
		static const char *const all[] = {"stlink-v2", "stlink-v21", "stlink-v3",
						  "cmsis-dap-v2", "cmsis-dap-v1", "jlink"};
		static const char *const spi[] = {"ch341a"};
		const char *const *set = u->tgt.dap || !u->tgt.spi ? all : spi;
		unsigned nset = set == all ? sizeof all / sizeof all[0] : 1;
		for (unsigned i = 0; rc == FK_OK && i < nset; i++) {
			char k[32];
			fk_strlcpy(k, set[i], sizeof k);
			rc = ubs_parse_probe(u, ctx, k);
		}
	}
	return rc;
}

void tw_ubs_clear(tw_ubs *u)
{
	for (unsigned i = 0; i < u->nprobes; i++) {
		tw_usb_sess_free(u->probes[i].sess);
		u->probes[i].sess = NULL;
	}
}

long tw_ubs_decode(tw_ubs *u, fk_ctx *ctx, const uint8_t *buf, size_t have,
		   tw_ubs_answer_fn answer, void *h, bool *changed)
{
	size_t off = 0;
	while (have - off >= 4) {
		uint32_t len = twb_get32(buf + off);
		if (len < TWB_REQ_HDR - 4 || len > TW_UBS_MAX_MSG)
			return -1; /* not our protocol */
		if (have - off - 4 < len)
			break;
		fk_ctx_clear(ctx);
		if (!ubs_request(u, ctx, answer, h, changed, buf + off + 4, len))
			return -1;
		off += 4 + len;
	}
	return (long)off;
}
