/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: the emulated USB bus. Plugged emulated probes appear to link/usb (ST-LINK,
 * CMSIS-DAP v2) or link/hid (CMSIS-DAP v1) as a backend beside libusb/hidapi, with descriptors
 * as a real probe has them (probes.md §1.4: v2 interface string containing "CMSIS-DAP", bulk OUT
 * then bulk IN; §2.1: ST-LINK VID:PID and endpoints). The twin behind a probe is opened when the
 * host opens the device, and closed (saved) when the host closes it.
 * Each transfer is charged to the twin's clock by the timing model in probe_emu.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "link/hid.h"
#include "link/usb.h"
#include "probe/probe_emu.h"
#include "probe/targets.h"

#define TW_USB_SLOTS 8
#define TW_USB_REPLY_MAX 6400u

typedef struct tw_usb_timing {
	uint64_t rtt_ns; /* a command/response round trip */
	uint64_t pkt_ns; /* wire time of one packet */
	unsigned pkt;    /* bytes per packet */
} tw_usb_timing;

static const tw_usb_timing tw_usb_fs = {1000000, 53000, 64};
static const tw_usb_timing tw_usb_hs = {250000, 10000, 512};
static const tw_usb_timing tw_usb_hid = {2000000, 1000000, 64};
/* CH341A: full speed with 32-byte bulk packets (the model's choice: 32 us each, USB 2.0 §5.8) */
static const tw_usb_timing tw_usb_ch341a = {1000000, 32000, 32};

typedef struct tw_usb_slot {
	bool used;
	tw_probe_kind kind;
	char serial[64];
	tw_target_open_fn open;
	char arg[512];
	unsigned gone_after;
	uint64_t transfers;
	bool in_use;
} tw_usb_slot;

struct tw_usb_sess {
	tw_usb_slot *slot; /* NULL for a session on a caller's target (tw_usb_sess_new) */
	tw_probe_kind kind;
	tw_probe_target tgt;
	tw_stlink *st;
	tw_cmsis_dap *dap;
	tw_jlink *jl;
	tw_ch341a *ch;
	uint8_t reply[TW_USB_REPLY_MAX]; /* CMSIS-DAP replies not yet read, in order */
	size_t reply_len[16];
	unsigned nreplies;
	const tw_usb_timing *tm;
};

static tw_usb_slot tw_usb_slots[TW_USB_SLOTS];

static const char *const tw_probe_names[TW_PROBE_KIND_COUNT] = {
	"stlink-v2", "stlink-v21", "stlink-v3", "cmsis-dap-v2", "cmsis-dap-v1", "jlink", "ch341a"};

const char *tw_probe_kind_name(tw_probe_kind k)
{
	return k < TW_PROBE_KIND_COUNT ? tw_probe_names[k] : "?";
}

int tw_probe_kind_parse(const char *s, tw_probe_kind *k)
{
	for (unsigned i = 0; i < TW_PROBE_KIND_COUNT; i++)
		if (strcmp(s, tw_probe_names[i]) == 0) {
			*k = (tw_probe_kind)i;
			return FK_OK;
		}
	return FK_E_USAGE;
}

static bool tw_is_stlink(tw_probe_kind k)
{
	return k <= TW_PROBE_STLINK_V3;
}

/* ---- descriptors ---- */

static void tw_usb_describe(const tw_usb_slot *s, unsigned idx, fk_usb_info *i)
{
	memset(i, 0, sizeof *i);
	i->id = idx;
	snprintf(i->serial, sizeof i->serial, "%s", s->serial);
	snprintf(i->location, sizeof i->location, "emulated %u", idx);
	snprintf(i->manufacturer, sizeof i->manufacturer, "flashkey twin");
	i->n_ifaces = 1;
	fk_usb_iface *f = &i->ifaces[0];
	f->n_endpoints = 2;
	f->ep_bulk[0] = f->ep_bulk[1] = 1;
	if (tw_is_stlink(s->kind)) {
		static const uint16_t pid[] = {0x3748, 0x374B, 0x374F};
		i->vid = 0x0483, i->pid = pid[s->kind];
		i->bcd_usb = s->kind == TW_PROBE_STLINK_V3 ? 0x0200 : 0x0110;
		snprintf(i->product, sizeof i->product, "STM32 STLink");
		f->cls = 0xFF;
		f->ep_addr[0] = 0x81, f->ep_addr[1] = s->kind == TW_PROBE_STLINK_V2 ? 0x02 : 0x01;
		f->ep_size[0] = f->ep_size[1] = s->kind == TW_PROBE_STLINK_V3 ? 512 : 64;
		return;
	}
	if (s->kind == TW_PROBE_CH341A) {
		/* CH341A in SPI/I2C mode: vendor interface 0, bulk IN 0x82 and OUT 0x02 of 32 bytes
		 * (flashrom ch341a_spi.c); it has no serial number string */
		i->vid = 0x1A86, i->pid = 0x5512, i->bcd_usb = 0x0110;
		i->serial[0] = '\0';
		snprintf(i->manufacturer, sizeof i->manufacturer, "%s", "");
		snprintf(i->product, sizeof i->product, "USB UART-LPT");
		f->cls = 0xFF;
		f->ep_addr[0] = TW_CH341A_EP_IN, f->ep_addr[1] = TW_CH341A_EP_OUT;
		f->ep_size[0] = f->ep_size[1] = 32;
		return;
	}
	if (s->kind == TW_PROBE_JLINK) {
		/* J-Link V9: interface 0 class FF/FF/FF, bulk IN 0x81 and OUT 0x02 (jlink_emu.c) */
		i->vid = 0x1366, i->pid = 0x0101, i->bcd_usb = 0x0110;
		snprintf(i->manufacturer, sizeof i->manufacturer, "SEGGER");
		snprintf(i->product, sizeof i->product, "J-Link");
		f->cls = 0xFF;
		f->ep_addr[0] = TW_JLINK_EP_IN, f->ep_addr[1] = TW_JLINK_EP_OUT;
		f->ep_size[0] = f->ep_size[1] = 64;
		return;
	}
	i->vid = 0xC251, i->pid = 0xF00A; /* an arbitrary pair: CMSIS-DAP is found by name */
	i->bcd_usb = 0x0200;
	snprintf(i->product, sizeof i->product, "flashkey twin CMSIS-DAP");
	snprintf(f->name, sizeof f->name, "CMSIS-DAP v2 (flashkey twin)");
	f->cls = 0xFF;
	f->ep_addr[0] = 0x01, f->ep_addr[1] = 0x81;
	f->ep_size[0] = f->ep_size[1] = 512;
}

/* ---- plugging ---- */

int tw_usb_plug(fk_ctx *ctx, const tw_usb_plug_opts *o)
{
	for (unsigned i = 0; i < TW_USB_SLOTS; i++) {
		tw_usb_slot *s = &tw_usb_slots[i];
		if (s->used)
			continue;
		memset(s, 0, sizeof *s);
		s->used = true;
		s->kind = o->kind;
		s->open = o->open;
		fk_strlcpy(s->arg, o->arg ? o->arg : "", sizeof s->arg);
		s->gone_after = o->gone_after;
		if (o->serial && o->serial[0])
			fk_strlcpy(s->serial, o->serial, sizeof s->serial);
		else if (o->kind == TW_PROBE_JLINK)
			snprintf(s->serial, sizeof s->serial, "%012u", 900000001u + i); /* digits */
		else
			snprintf(s->serial, sizeof s->serial, "TWIN%s%u",
				 tw_is_stlink(o->kind) ? "STLINK" : "DAP", i);
		return (int)i;
	}
	return fk_fail(ctx, FK_E_BUSY, "no free emulated USB port (%d in use)", TW_USB_SLOTS);
}

void tw_usb_unplug(int slot)
{
	if (slot >= 0 && slot < TW_USB_SLOTS)
		tw_usb_slots[slot].used = false;
}

void tw_usb_unplug_all(void)
{
	for (int i = 0; i < TW_USB_SLOTS; i++)
		tw_usb_unplug(i);
}

const char *tw_usb_serial(int slot)
{
	if (slot < 0 || slot >= TW_USB_SLOTS || !tw_usb_slots[slot].used)
		return "";
	return tw_usb_slots[slot].serial;
}

bool tw_usb_slot_matches(int slot, tw_probe_kind kind, const char *target)
{
	if (slot < 0 || slot >= TW_USB_SLOTS)
		return false;
	const tw_usb_slot *s = &tw_usb_slots[slot];
	return s->used && !s->gone_after && s->kind == kind && strcmp(s->arg, target) == 0;
}

void tw_usb_set_gone_after(int slot, unsigned transfers)
{
	if (slot >= 0 && slot < TW_USB_SLOTS)
		tw_usb_slots[slot].gone_after = transfers;
}

uint64_t tw_usb_transfers(int slot)
{
	return slot >= 0 && slot < TW_USB_SLOTS ? tw_usb_slots[slot].transfers : 0;
}

/* ---- sessions ---- */

/* The emulator and timing of a probe kind on a target (no slot, no opener). */
static tw_usb_sess *tw_sess_make(tw_probe_kind kind, const char *serial, const tw_probe_target *t)
{
	tw_usb_sess *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->tgt = *t;
	bool hs = kind == TW_PROBE_STLINK_V3 || kind == TW_PROBE_DAP_V2;
	x->tm = kind == TW_PROBE_DAP_V1 ? &tw_usb_hid : hs ? &tw_usb_hs : &tw_usb_fs;
	if (kind == TW_PROBE_CH341A)
		x->tm = &tw_usb_ch341a;
	x->kind = kind;
	if (kind == TW_PROBE_CH341A)
		x->ch = tw_ch341a_new(&x->tgt);
	else if (!x->tgt.dap)
		; /* a debug probe on a chip without a debug port: refused below */
	else if (tw_is_stlink(kind))
		x->st = tw_stlink_new(&x->tgt, kind);
	else if (kind == TW_PROBE_JLINK)
		x->jl = tw_jlink_new(&x->tgt);
	else
		x->dap = tw_cmsis_dap_new(&x->tgt, serial, kind == TW_PROBE_DAP_V1 ? 64 : 512,
					  kind == TW_PROBE_DAP_V1 ? 4 : 8,
					  kind == TW_PROBE_DAP_V1 ? "1.3.0" : "2.1.0");
	if (!x->st && !x->dap && !x->jl && !x->ch) {
		free(x);
		return NULL;
	}
	return x;
}

static int tw_sess_open(fk_ctx *ctx, uintptr_t id, tw_usb_sess **out)
{
	if (id >= TW_USB_SLOTS || !tw_usb_slots[id].used)
		return fk_fail(ctx, FK_E_DEVICE_GONE, "emulated probe %u was unplugged", (unsigned)id);
	tw_usb_slot *s = &tw_usb_slots[id];
	if (s->in_use)
		return fk_fail(ctx, FK_E_BUSY, "emulated probe %s is already open", s->serial);
	tw_probe_target tgt = {0};
	int rc = s->open(ctx, s->arg, &tgt);
	if (rc)
		return fk_fail_wrap(ctx, rc, "emulated probe %s", s->serial);
	tw_usb_sess *x = tw_sess_make(s->kind, s->serial, &tgt);
	if (!x) {
		bool spi = s->kind == TW_PROBE_CH341A;
		bool missing = spi ? !tgt.spi : !tgt.dap;
		if (tgt.release)
			tgt.release(&tgt, ctx);
		if (missing)
			return fk_fail(ctx, FK_E_UNSUPPORTED, "emulated %s on %s: the twin has no %s",
				       tw_probe_kind_name(s->kind), s->arg,
				       spi ? "SPI port (a CH341A programs SPI flash chips)"
					   : "debug port");
		return fk_fail(ctx, FK_E_NOMEM, "opening emulated probe %s", s->serial);
	}
	x->slot = s;
	s->in_use = true;
	*out = x;
	return FK_OK;
}

static void tw_sess_close(void *h)
{
	tw_usb_sess *x = h;
	tw_stlink_free(x->st);
	tw_cmsis_dap_free(x->dap);
	tw_jlink_free(x->jl);
	tw_ch341a_free(x->ch);
	if (x->slot) {
		fk_ctx *ctx = fk_ctx_new();
		if (x->tgt.release)
			x->tgt.release(&x->tgt, ctx);
		fk_ctx_free(ctx);
		x->slot->in_use = false;
	}
	free(x);
}

static uint64_t tw_sess_now(void *h)
{
	tw_usb_sess *x = h;
	return x->tgt.bus->now(x->tgt.bus_h);
}

/* Wire time of len bytes, plus half a round trip unless the transfer overlaps others. */
static void tw_sess_charge(tw_usb_sess *x, size_t len, bool overlapped)
{
	uint64_t pkts = (len + x->tm->pkt - 1) / x->tm->pkt;
	uint64_t ns = (pkts ? pkts : 1) * x->tm->pkt_ns + (overlapped ? 0 : x->tm->rtt_ns / 2);
	x->tgt.bus->advance(x->tgt.bus_h, ns);
}

static int tw_sess_gone(tw_usb_sess *x, fk_ctx *ctx)
{
	if (!x->slot)
		return FK_OK; /* the caller counts and unplugs */
	x->slot->transfers++;
	if (x->slot->gone_after && x->slot->transfers > x->slot->gone_after)
		return fk_fail(ctx, FK_E_DEVICE_GONE, "the USB device was unplugged (emulated probe %s)",
			       x->slot->serial);
	return FK_OK;
}

/* CMSIS-DAP: each OUT packet is a command; its reply queues until the host reads it. */
static int tw_sess_dap_out(tw_usb_sess *x, fk_ctx *ctx, const uint8_t *buf, size_t len)
{
	size_t used = 0;
	for (unsigned i = 0; i < x->nreplies; i++)
		used += x->reply_len[i];
	if (x->nreplies >= 16 || used + 1024 > TW_USB_REPLY_MAX)
		return fk_fail(ctx, FK_E_TIMEOUT, "emulated CMSIS-DAP: more packets in flight than "
				"its packet count; the OUT endpoint NAKs");
	tw_sess_charge(x, len, x->nreplies > 0);
	size_t n = tw_cmsis_dap_process(x->dap, buf, len, x->reply + used, 1024);
	if (n)
		x->reply_len[x->nreplies++] = n;
	return FK_OK;
}

static size_t tw_sess_dap_in(tw_usb_sess *x, uint8_t *buf, size_t cap)
{
	if (x->nreplies == 0)
		return 0;
	size_t n = FK_MIN(x->reply_len[0], cap);
	memcpy(buf, x->reply, n);
	size_t rest = 0;
	for (unsigned i = 1; i < x->nreplies; i++)
		rest += x->reply_len[i];
	memmove(x->reply, x->reply + x->reply_len[0], rest);
	memmove(x->reply_len, x->reply_len + 1, (x->nreplies - 1) * sizeof x->reply_len[0]);
	x->nreplies--;
	tw_sess_charge(x, n, x->nreplies > 0);
	return n;
}

/* J-Link: a byte stream each way; every transfer costs half a round trip and its packets. */
static int tw_sess_jlink(tw_usb_sess *x, fk_ctx *ctx, uint8_t ep, void *buf, size_t len,
			 size_t *done)
{
	if (ep & 0x80) {
		*done = tw_jlink_in(x->jl, ep, buf, len);
		tw_sess_charge(x, FK_MAX(*done, (size_t)1), false);
		if (*done == 0)
			return fk_fail(ctx, FK_E_TIMEOUT, "no reply on USB endpoint 0x%02x (emulated "
					"J-Link)", ep);
		return FK_OK;
	}
	tw_jlink_status st = tw_jlink_out(x->jl, ep, buf, len, done);
	if (st == TW_JLINK_STALL)
		return fk_fail(ctx, FK_E_IO, "USB endpoint 0x%02x stalled (emulated J-Link)", ep);
	tw_sess_charge(x, FK_MAX(*done, (size_t)1), false);
	if (st == TW_JLINK_NAK)
		return fk_fail(ctx, FK_E_TIMEOUT, "emulated J-Link: the host leaves its replies unread; "
				"the OUT endpoint NAKs (%zu of %zu bytes taken)", *done, len);
	return FK_OK;
}

/* CH341A: 32-byte command packets; each OUT transfer costs its packets, plus half a round trip
 * unless replies are still unread (the host keeps transfers queued); each reply packet the
 * same. */
static int tw_sess_ch341a(tw_usb_sess *x, fk_ctx *ctx, uint8_t ep, void *buf, size_t len,
			  size_t *done)
{
	if (ep & 0x80) {
		*done = tw_ch341a_in(x->ch, ep, buf, len);
		if (*done == 0)
			return fk_fail(ctx, FK_E_TIMEOUT, "no reply on USB endpoint 0x%02x (emulated "
					"CH341A)", ep);
		tw_sess_charge(x, *done, tw_ch341a_pending(x->ch));
		return FK_OK;
	}
	bool overlapped = tw_ch341a_pending(x->ch);
	tw_ch341a_status st = tw_ch341a_out(x->ch, ep, buf, len, done);
	if (st == TW_CH341A_STALL)
		return fk_fail(ctx, FK_E_IO, "USB endpoint 0x%02x stalled (emulated CH341A)", ep);
	if (*done || len == 0) /* the packets it took (a NAKed one costs a retry, not charged) */
		tw_sess_charge(x, FK_MAX(*done, (size_t)1), overlapped);
	if (st == TW_CH341A_NAK)
		return fk_fail(ctx, FK_E_TIMEOUT, "emulated CH341A: the host leaves its replies "
				"unread; the OUT endpoint NAKs (%zu of %zu bytes taken)", *done, len);
	return FK_OK;
}

/* ---- link/usb backend ---- */

/* ---- sessions on a caller's target (the USB bridge) ---- */

tw_usb_sess *tw_usb_sess_new(tw_probe_kind kind, const char *serial, const tw_probe_target *t)
{
	return tw_sess_make(kind, serial, t);
}

void tw_usb_sess_free(tw_usb_sess *x)
{
	if (x)
		tw_sess_close(x);
}

static int tw_usb_bulk(void *h, fk_ctx *ctx, uint8_t ep, void *buf, size_t len, unsigned tmo,
		       size_t *done);
static int tw_hid_write(void *h, fk_ctx *ctx, const uint8_t *data, size_t len);
static int tw_hid_read(void *h, fk_ctx *ctx, uint8_t *buf, size_t len, unsigned tmo, size_t *got);

int tw_usb_sess_xfer(tw_usb_sess *x, fk_ctx *ctx, uint8_t ep, uint8_t *buf, size_t len,
		     size_t *done)
{
	*done = 0;
	if (x->kind != TW_PROBE_DAP_V1)
		return tw_usb_bulk(x, ctx, ep, buf, len, 0, done);
	/* CMSIS-DAP v1: interrupt endpoints 0x01 OUT and 0x81 IN carry whole reports */
	if (ep == 0x01) {
		uint8_t report[65] = {0};
		if (len > 64)
			return fk_fail(ctx, FK_E_IO, "HID report of %zu bytes; this device's reports "
					"are 64", len);
		memcpy(report + 1, buf, len);
		int rc = tw_hid_write(x, ctx, report, len + 1);
		if (rc == FK_OK)
			*done = len;
		return rc;
	}
	if (ep != 0x81)
		return fk_fail(ctx, FK_E_IO, "USB endpoint 0x%02x does not exist (emulated CMSIS-DAP "
				"v1)", ep);
	int rc = tw_hid_read(x, ctx, buf, len, 0, done);
	if (rc == FK_OK && *done == 0)
		return fk_fail(ctx, FK_E_TIMEOUT, "no report on USB endpoint 0x81");
	return rc;
}

static int tw_usb_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n)
{
	(void)ctx;
	for (unsigned i = 0; i < TW_USB_SLOTS && *n < max; i++)
		if (tw_usb_slots[i].used && tw_usb_slots[i].kind != TW_PROBE_DAP_V1)
			tw_usb_describe(&tw_usb_slots[i], i, &list[(*n)++]);
	return FK_OK;
}

static int tw_usb_open(fk_ctx *ctx, const fk_usb_info *info, int iface, void **h)
{
	(void)iface;
	return tw_sess_open(ctx, info->id, (tw_usb_sess **)h);
}

static int tw_usb_bulk(void *h, fk_ctx *ctx, uint8_t ep, void *buf, size_t len, unsigned tmo,
		       size_t *done)
{
	tw_usb_sess *x = h;
	(void)tmo;
	*done = 0;
	int rc = tw_sess_gone(x, ctx);
	if (rc)
		return rc;
	if (x->jl)
		return tw_sess_jlink(x, ctx, ep, buf, len, done);
	if (x->ch)
		return tw_sess_ch341a(x, ctx, ep, buf, len, done);
	if (x->dap && !(ep & 0x80))
		rc = tw_sess_dap_out(x, ctx, buf, len);
	else if (x->dap)
		*done = tw_sess_dap_in(x, buf, len);
	else if (!(ep & 0x80) && !tw_stlink_out(x->st, ep, buf, len))
		return fk_fail(ctx, FK_E_IO, "USB endpoint 0x%02x stalled (emulated ST-LINK)", ep);
	else if (ep & 0x80)
		*done = tw_stlink_in(x->st, ep, buf, len);
	if (rc == FK_OK && !(ep & 0x80))
		*done = len;
	if (x->st)
		tw_sess_charge(x, FK_MAX(*done, (size_t)1), false);
	if (rc == FK_OK && (ep & 0x80) && *done == 0)
		return fk_fail(ctx, FK_E_TIMEOUT, "no reply on USB endpoint 0x%02x", ep);
	return rc;
}

static const fk_usb_backend tw_usb_backend = {
	.name = "twin",
	.enumerate = tw_usb_enumerate,
	.open = tw_usb_open,
	.bulk = tw_usb_bulk,
	.close = tw_sess_close,
	.virtual_ns = tw_sess_now,
};

/* ---- link/hid backend (CMSIS-DAP v1) ---- */

static int tw_hid_enumerate(fk_ctx *ctx, fk_hid_info *list, unsigned max, unsigned *n)
{
	(void)ctx;
	for (unsigned i = 0; i < TW_USB_SLOTS && *n < max; i++) {
		const tw_usb_slot *s = &tw_usb_slots[i];
		if (!s->used || s->kind != TW_PROBE_DAP_V1)
			continue;
		fk_hid_info *h = &list[(*n)++];
		memset(h, 0, sizeof *h);
		h->vid = 0xC251, h->pid = 0xF001, h->id = i;
		snprintf(h->path, sizeof h->path, "emulated-hid-%u", i);
		snprintf(h->product, sizeof h->product, "flashkey twin CMSIS-DAP");
		snprintf(h->manufacturer, sizeof h->manufacturer, "flashkey twin");
		snprintf(h->serial, sizeof h->serial, "%s", s->serial);
	}
	return FK_OK;
}

static int tw_hid_open(fk_ctx *ctx, const fk_hid_info *info, void **h)
{
	return tw_sess_open(ctx, info->id, (tw_usb_sess **)h);
}

static int tw_hid_write(void *h, fk_ctx *ctx, const uint8_t *data, size_t len)
{
	tw_usb_sess *x = h;
	int rc = tw_sess_gone(x, ctx);
	if (rc == FK_OK && (len < 2 || data[0] != 0x00))
		rc = fk_fail(ctx, FK_E_IO, "HID write without report ID 0 (emulated CMSIS-DAP v1)");
	if (rc == FK_OK && len - 1 != 64)
		rc = fk_fail(ctx, FK_E_IO, "HID report of %zu bytes; this device's reports are 64",
			     len - 1);
	return rc ? rc : tw_sess_dap_out(x, ctx, data + 1, len - 1);
}

static int tw_hid_read(void *h, fk_ctx *ctx, uint8_t *buf, size_t len, unsigned tmo, size_t *got)
{
	tw_usb_sess *x = h;
	(void)tmo;
	int rc = tw_sess_gone(x, ctx);
	if (rc)
		return rc;
	uint8_t report[64] = {0};
	size_t n = tw_sess_dap_in(x, report, sizeof report);
	*got = n ? FK_MIN(len, sizeof report) : 0; /* a whole, zero-padded report */
	memcpy(buf, report, *got);
	return FK_OK;
}

static const fk_hid_backend tw_hid_backend = {
	.name = "twin",
	.enumerate = tw_hid_enumerate,
	.open = tw_hid_open,
	.write = tw_hid_write,
	.read = tw_hid_read,
	.close = tw_sess_close,
	.virtual_ns = tw_sess_now,
};

void tw_usb_register(void)
{
	fk_usb_backend_add(&tw_usb_backend);
	fk_hid_backend_add(&tw_hid_backend);
}
