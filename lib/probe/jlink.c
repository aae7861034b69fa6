/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/jlink: a J-Link session through libjaylink as a raw DAP transport (fk_dap_ops), SWD.
 *
 * Open: discovery over USB, the probe chosen by its serial number; firmware version, caps (and
 * extended caps), hardware version, target voltage read FIRST (below 1.7 V: "target not
 * powered"), free memory (how many bits one SWD I/O command may carry: OpenOCD's rule,
 * min(2048, (free - 16) / 2) bytes), SELECT_TIF SWD, the speed (clamped to what GET_SPEEDS
 * allows). Transfers: as many whole SWD frames as fit one SWD I/O command are clocked at once
 * (jlink_codec.c), then their ACKs are read. A batch cannot react to a WAIT or FAULT in its
 * middle, so the transport sets CTRL/STAT.ORUNDETECT in every CTRL/STAT write it carries
 * (ADIv5.2 §B2.2.5, §B4.2.4: with overrun detection the target ignores the data phase after a
 * WAIT or FAULT, and answers later transactions FAULT until STICKYORUN is cleared), reports the
 * first ACK that is not OK, and clears STICKYORUN itself (ABORT.ORUNERRCLR) before returning,
 * so that lib/debug sees a plain WAIT or FAULT. After a WAIT on an AP access it adds idle
 * cycles after every AP access (doubling, up to 1 ms at the wire clock) so that a flash being
 * programmed is not asked again too early; calm batches lower them again, down to a floor that
 * WAITs on writes raise (jlink_pace, jlink.h).
 * The probe's nRESET line (SET_RESET/CLEAR_RESET) serves connect-under-reset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "link/usb.h"
#include "probe/jlink.h"

#define JLINK_MIN_MV 1700
#define JLINK_DEFAULT_KHZ 4000u
#define JLINK_MAX_BUF 2048u /* bytes per SWD I/O direction (OpenOCD's JLINK_TAP_BUFFER_SIZE) */
#define JLINK_TAIL_IDLE 8u  /* after a batch: clocks the last AP access through (OpenOCD) */
#define JLINK_CTRL_ORUNDETECT 0x1u
#define JLINK_ABORT_ORUNERRCLR 0x10u

#ifndef FK_HAVE_LIBJAYLINK

int jlink_open(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts, fk_transport *out)
{
	(void)serial, (void)opts, (void)out;
	fk_hint(ctx, "install libjaylink-dev and rebuild flashkey");
	return fk_fail(ctx, FK_E_UNSUPPORTED, "this flashkey was built without libjaylink: no "
			"J-Link support");
}

int jlink_list(fk_ctx *ctx, jlink_listing *rows, unsigned max, unsigned *n)
{
	(void)ctx, (void)rows, (void)max;
	*n = 0;
	return FK_OK;
}

#else

#include <libjaylink/libjaylink.h>

typedef struct jlink {
	struct jaylink_context *jctx;
	struct jaylink_device_handle *devh;
	uint8_t caps[JAYLINK_DEV_EXT_CAPS_SIZE];
	char fw[128];
	unsigned buf_bytes;
	unsigned khz;
	jlink_pace pace; /* idle cycles after each AP access */
	uint8_t dir[JLINK_MAX_BUF], out[JLINK_MAX_BUF], in[JLINK_MAX_BUF];
	uint64_t bits;
	char serial[16];
} jlink;

static int jl_err(fk_ctx *ctx, int jrc, const char *what)
{
	int code = jrc == JAYLINK_ERR_TIMEOUT ? FK_E_TIMEOUT : FK_E_IO;
	return fk_fail(ctx, code, "J-Link: %s failed: %s", what, jaylink_strerror(jrc));
}

/* Is a J-Link with this serial still on the bus? libjaylink reports an unplugged probe as a
 * generic error, so a failed exchange looks at the USB device list (serials zero-padded). */
static bool jl_present(fk_ctx *ctx, const char *serial)
{
	fk_usb_info *usb = calloc(FK_USB_MAX_DEVICES, sizeof *usb);
	unsigned nu = 0;
	bool found = !usb; /* cannot tell: assume present */
	fk_ctx *quiet = fk_ctx_new();
	if (usb && quiet && fk_usb_enumerate(quiet, usb, FK_USB_MAX_DEVICES, &nu) == FK_OK)
		for (unsigned i = 0; i < nu && !found; i++) {
			const char *sn = usb[i].serial;
			while (*sn == '0' && sn[1])
				sn++;
			found = usb[i].vid == JLINK_VID && strcmp(sn, serial) == 0;
		}
	else
		found = true;
	(void)ctx;
	fk_ctx_free(quiet);
	free(usb);
	return found;
}

/* A failed exchange: device gone, timeout or I/O error. */
static int jl_fail(jlink *s, fk_ctx *ctx, int jrc, const char *what)
{
	if (jrc != JAYLINK_ERR_TIMEOUT && !jl_present(ctx, s->serial))
		return fk_fail(ctx, FK_E_DEVICE_GONE, "J-Link %s: %s failed: the probe left the USB "
			       "device list (unplugged)", s->serial, what);
	return jl_err(ctx, jrc, what);
}

/* ---- SWD ---- */

static int jl_io(jlink *s, fk_ctx *ctx, jlink_swd_buf *b)
{
	int jrc = jaylink_swd_io(s->devh, b->dir, b->out, s->in, (uint16_t)b->bits);
	s->bits += b->bits;
	fk_log(ctx, FK_LOG_TRACE, FK_TRACE_USB, "J-Link: SWD I/O of %u bits -> %s", b->bits,
	       jaylink_strerror(jrc));
	return jrc == JAYLINK_OK ? FK_OK : jl_fail(s, ctx, jrc, "SWD I/O");
}

static void jl_buf(jlink *s, jlink_swd_buf *b)
{
	b->dir = s->dir, b->out = s->out, b->bits = 0;
	b->cap = s->buf_bytes * 8u;
	memset(s->dir, 0, s->buf_bytes);
	memset(s->out, 0, s->buf_bytes);
}

/* ABORT.ORUNERRCLR: STICKYORUN set by a WAIT or FAULT under overrun detection. */
static int jl_clear_orun(jlink *s, fk_ctx *ctx)
{
	jlink_swd_buf b;
	fk_dap_xfer x = {.ap = 0, .rnw = 0, .addr = FK_DP_ABORT, .data = JLINK_ABORT_ORUNERRCLR};
	jl_buf(s, &b);
	jlink_swd_frame(&b, &x);
	jlink_swd_idle(&b, JLINK_TAIL_IDLE);
	return jl_io(s, ctx, &b);
}

/* The transaction as clocked: CTRL/STAT writes keep overrun detection on. */
static fk_dap_xfer jl_wire(const fk_dap_xfer *x)
{
	fk_dap_xfer y = *x;
	if (!y.ap && !y.rnw && y.addr == FK_DP_CTRL_STAT)
		y.data |= JLINK_CTRL_ORUNDETECT;
	return y;
}

static int jl_transfer(void *h, fk_ctx *ctx, fk_dap_xfer *x, unsigned n, unsigned *done)
{
	jlink *s = h;
	unsigned at[512];
	*done = 0;
	for (unsigned i = 0; i < n; i++)
		x[i].ack = 0;
	unsigned i = 0;
	while (i < n) {
		jlink_swd_buf b;
		jl_buf(s, &b);
		b.cap -= JLINK_TAIL_IDLE;
		unsigned first = i;
		while (i < n && i - first < 512) {
			fk_dap_xfer y = jl_wire(&x[i]);
			unsigned mark = b.bits;
			int a = jlink_swd_frame(&b, &y);
			if (a < 0 || (y.ap && !jlink_swd_idle(&b, s->pace.idle))) {
				b.bits = mark;
				break;
			}
			at[i - first] = (unsigned)a;
			i++;
		}
		if (i == first) { /* idle cycles longer than a command: send the frame bare */
			fk_dap_xfer y = jl_wire(&x[i++]);
			at[0] = (unsigned)jlink_swd_frame(&b, &y);
		}
		b.cap += JLINK_TAIL_IDLE;
		jlink_swd_idle(&b, JLINK_TAIL_IDLE);
		int rc = jl_io(s, ctx, &b);
		if (rc)
			return rc;
		for (unsigned k = first; k < i; k++) {
			if (jlink_swd_result(s->in, at[k - first], &x[k]) < 0) {
				x[k].ack = FK_DAP_ACK_FAULT;
				return fk_fail(ctx, FK_E_PROTOCOL, "SWD read data parity error (%s read "
					       "0x%X through the J-Link)", x[k].ap ? "AP" : "DP",
					       x[k].addr);
			}
			if (x[k].ack == FK_DAP_ACK_OK) {
				(*done)++;
				continue;
			}
			if (x[k].ack == FK_DAP_ACK_WAIT && x[k].ap)
				jlink_pace_wait(&s->pace, !x[k].rnw, s->khz);
			if (x[k].ack == FK_DAP_ACK_WAIT || x[k].ack == FK_DAP_ACK_FAULT)
				return jl_clear_orun(s, ctx);
			return FK_OK; /* no answer: lib/debug says so */
		}
		jlink_pace_ok(&s->pace);
	}
	return FK_OK;
}

static int jl_swj(void *h, fk_ctx *ctx, const uint8_t *bits, unsigned nbits)
{
	jlink *s = h;
	for (unsigned at = 0; at < nbits;) {
		jlink_swd_buf b;
		jl_buf(s, &b);
		for (; at < nbits && b.bits < b.cap; at++) {
			unsigned i = b.bits++;
			s->dir[i / 8] |= (uint8_t)(1u << (i % 8));
			if ((bits[at / 8] >> (at % 8)) & 1u)
				s->out[i / 8] |= (uint8_t)(1u << (i % 8));
		}
		int rc = jl_io(s, ctx, &b);
		if (rc)
			return rc;
	}
	return FK_OK;
}

static int jl_nrst(void *h, fk_ctx *ctx, int asserted)
{
	jlink *s = h;
	/* CLEAR_RESET drives nRESET low, SET_RESET releases it (libjaylink target.c) */
	int jrc = asserted ? jaylink_clear_reset(s->devh) : jaylink_set_reset(s->devh);
	return jrc == JAYLINK_OK ? FK_OK
				 : jl_fail(s, ctx, jrc, asserted ? "nRESET low" : "nRESET release");
}

static int jl_clock(void *h, fk_ctx *ctx, unsigned khz)
{
	jlink *s = h;
	if (!khz)
		return fk_fail(ctx, FK_E_INVALID_ARG, "SWD clock of 0 kHz");
	if (jaylink_has_cap(s->caps, JAYLINK_DEV_CAP_GET_SPEEDS)) {
		struct jaylink_speed sp;
		int jrc = jaylink_get_speeds(s->devh, &sp);
		if (jrc != JAYLINK_OK)
			return jl_fail(s, ctx, jrc, "GET_SPEEDS");
		unsigned max = sp.freq / 1000u / sp.div;
		if (khz > max) {
			fk_log(ctx, FK_LOG_INFO, FK_TRACE_USB, "J-Link: SWD clock %u kHz lowered to the "
			       "probe's maximum, %u kHz", khz, max);
			khz = max;
		}
	}
	int jrc = jaylink_set_speed(s->devh, (uint16_t)FK_MIN(khz, 0xFFFEu));
	if (jrc != JAYLINK_OK)
		return jl_fail(s, ctx, jrc, "SET_SPEED");
	s->khz = khz;
	return FK_OK;
}

static int jl_voltage(void *h, fk_ctx *ctx)
{
	jlink *s = h;
	struct jaylink_hardware_status st;
	int jrc = jaylink_get_hardware_status(s->devh, &st);
	if (jrc != JAYLINK_OK) { /* unknown; the next exchange reports what went wrong */
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "J-Link: GET_HW_STATUS failed: %s",
		       jaylink_strerror(jrc));
		return -1;
	}
	return st.target_voltage;
}
static uint64_t jl_bits(void *h)
{
	return ((jlink *)h)->bits;
}

static const fk_dap_ops jl_ops = {
	.flags = FK_DAP_POSTED_READS,
	.transfer = jl_transfer,
	.swj_sequence = jl_swj,
	.set_nrst = jl_nrst,
	.set_clock = jl_clock,
	.voltage_mv = jl_voltage,
	.virtual_ns = NULL,
	.wire_bits = jl_bits,
};

/* ---- discovery and set-up ---- */

static void jl_close(void *h)
{
	jlink *s = h;
	if (!s)
		return;
	if (s->devh)
		jaylink_close(s->devh);
	if (s->jctx)
		jaylink_exit(s->jctx);
	free(s);
}

static int jl_context(fk_ctx *ctx, struct jaylink_context **jctx)
{
	int jrc = jaylink_init(jctx);
	if (jrc != JAYLINK_OK)
		return jl_err(ctx, jrc, "libjaylink initialisation");
	jaylink_log_set_level(*jctx, JAYLINK_LOG_LEVEL_NONE); /* the library never prints */
	jrc = jaylink_discovery_scan(*jctx, JAYLINK_HIF_USB);
	if (jrc != JAYLINK_OK) {
		jaylink_exit(*jctx);
		*jctx = NULL;
		return jl_err(ctx, jrc, "USB discovery");
	}
	return FK_OK;
}

static void jl_serial_of(struct jaylink_device *d, char *out, size_t size)
{
	uint32_t sn;
	if (jaylink_device_get_serial_number(d, &sn) == JAYLINK_OK)
		snprintf(out, size, "%u", sn);
	else
		snprintf(out, size, "?");
}

/* Opens the probe with this serial (any when serial is empty, if only one is attached). */
static int jl_pick(jlink *s, fk_ctx *ctx, const char *serial)
{
	struct jaylink_device **devs = NULL;
	size_t n = 0;
	int jrc = jaylink_get_devices(s->jctx, &devs, &n);
	if (jrc != JAYLINK_OK)
		return jl_err(ctx, jrc, "listing devices");
	uint32_t want = 0;
	bool by_serial = serial && serial[0];
	if (by_serial && jaylink_parse_serial_number(serial, &want) != JAYLINK_OK) {
		jaylink_free_devices(devs, true);
		return fk_fail(ctx, FK_E_USAGE, "J-Link serial \"%s\" is not a decimal number", serial);
	}
	char seen[160] = "";
	unsigned hits = 0;
	struct jaylink_device *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		char sn[16];
		uint32_t v = 0;
		jl_serial_of(devs[i], sn, sizeof sn);
		fk_snprintf_cat(seen, sizeof seen, "%s%s", i ? ", " : "", sn);
		if (by_serial && (jaylink_device_get_serial_number(devs[i], &v) != JAYLINK_OK || v != want))
			continue;
		if (hits++ == 0)
			pick = devs[i], fk_strlcpy(s->serial, sn, sizeof s->serial);
	}
	int rc = FK_OK;
	if (hits > 1 && !by_serial) {
		fk_hint(ctx, "choose one with -c jlink:SERIAL (serials: %s)", seen);
		rc = fk_fail(ctx, FK_E_USAGE, "%u J-Links attached: say which one", hits);
	} else if (!pick) {
		fk_hint(ctx, "%s%s", n ? "attached J-Link serials: " : "plug in the probe; run `flashkey "
			"list` to see what is attached", seen);
		rc = by_serial ? fk_fail(ctx, FK_E_CONNECT, "no J-Link with serial %s", serial)
			       : fk_fail(ctx, FK_E_CONNECT, "no J-Link found on USB");
	} else if ((jrc = jaylink_open(pick, &s->devh)) != JAYLINK_OK) {
		fk_hint(ctx, "on Linux the probe needs the udev rule (docs/PROBES.md, Permissions)");
		rc = fk_fail(ctx, FK_E_CONNECT, "J-Link %s: cannot open it: %s", s->serial,
			     jaylink_strerror(jrc));
	}
	jaylink_free_devices(devs, true);
	return rc;
}

static int jl_identify(jlink *s, fk_ctx *ctx)
{
	char *fw = NULL;
	size_t len = 0;
	int jrc = jaylink_get_firmware_version(s->devh, &fw, &len);
	if (jrc != JAYLINK_OK)
		return jl_err(ctx, jrc, "GET_VERSION");
	fk_strlcpy(s->fw, fw && len ? fw : "?", sizeof s->fw);
	free(fw);
	memset(s->caps, 0, sizeof s->caps);
	if ((jrc = jaylink_get_caps(s->devh, s->caps)) != JAYLINK_OK)
		return jl_err(ctx, jrc, "GET_CAPS");
	if (jaylink_has_cap(s->caps, JAYLINK_DEV_CAP_GET_EXT_CAPS) &&
	    (jrc = jaylink_get_extended_caps(s->devh, s->caps)) != JAYLINK_OK)
		return jl_err(ctx, jrc, "GET_EXT_CAPS");
	s->buf_bytes = JLINK_MAX_BUF;
	if (jaylink_has_cap(s->caps, JAYLINK_DEV_CAP_GET_FREE_MEMORY)) {
		uint32_t free_mem = 0;
		if ((jrc = jaylink_get_free_memory(s->devh, &free_mem)) != JAYLINK_OK)
			return jl_err(ctx, jrc, "GET_FREE_MEMORY");
		if (free_mem < 143)
			return fk_fail(ctx, FK_E_CONNECT, "J-Link %s: only %u bytes of free memory; "
				       "replug the probe", s->serial, free_mem);
		s->buf_bytes = FK_MIN(JLINK_MAX_BUF, (free_mem - 16u) / 2u);
	}
	return FK_OK;
}

static int jl_setup(jlink *s, fk_ctx *ctx, const fk_conn_opts *opts)
{
	int rc = jl_identify(s, ctx);
	if (rc)
		return rc;
	struct jaylink_hardware_status st;
	int jrc = jaylink_get_hardware_status(s->devh, &st);
	if (jrc != JAYLINK_OK)
		return jl_fail(s, ctx, jrc, "GET_HW_STATUS");
	int mv = st.target_voltage;
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "J-Link %s: %s, VTref %d.%03d V", s->serial, s->fw,
	       mv / 1000, mv % 1000);
	if (mv < JLINK_MIN_MV) {
		fk_hint(ctx, "power the board and connect its supply to the J-Link's VTref pin (pin 1 "
			"of the 20-pin connector), then retry");
		return fk_fail(ctx, FK_E_NO_POWER, "target not powered: the J-Link measures %d.%03d V "
			       "on VTref (needs at least 1.7 V)", mv / 1000, mv % 1000);
	}
	if (!jaylink_has_cap(s->caps, JAYLINK_DEV_CAP_SELECT_TIF))
		return fk_fail(ctx, FK_E_UNSUPPORTED, "J-Link %s cannot select an interface: it speaks "
			       "JTAG only, flashkey drives SWD", s->serial);
	uint32_t ifaces = 0;
	jrc = jaylink_get_available_interfaces(s->devh, &ifaces);
	if (jrc != JAYLINK_OK)
		return jl_err(ctx, jrc, "SELECT_TIF (available)");
	if (!(ifaces & (1u << JAYLINK_TIF_SWD)))
		return fk_fail(ctx, FK_E_UNSUPPORTED, "J-Link %s has no SWD interface (available "
			       "0x%08X)", s->serial, ifaces);
	if ((jrc = jaylink_select_interface(s->devh, JAYLINK_TIF_SWD, NULL)) != JAYLINK_OK)
		return jl_err(ctx, jrc, "SELECT_TIF SWD");
	return jl_clock(s, ctx, opts && opts->swd_khz ? opts->swd_khz : JLINK_DEFAULT_KHZ);
}

int jlink_open(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts, fk_transport *out)
{
	jlink *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "opening the J-Link");
	int rc = jl_context(ctx, &s->jctx);
	if (rc == FK_OK)
		rc = jl_pick(s, ctx, serial);
	if (rc == FK_OK && (rc = jl_setup(s, ctx, opts)) != FK_OK)
		rc = fk_fail_wrap(ctx, rc, "setting up J-Link %s", s->serial);
	if (rc) {
		jl_close(s);
		return rc;
	}
	out->kind = FK_TRANSPORT_DAP;
	out->ops = &jl_ops;
	out->handle = s;
	out->close = jl_close;
	snprintf(out->description, sizeof out->description, "J-Link %s (%.80s, SWD %u kHz)",
		 s->serial, s->fw, s->khz);
	return FK_OK;
}

/* ---- `flashkey list` ---- */

/* "J-Link V9 compiled Dec  1 2026 12:00:00": the model before " compiled", the date after. */
static void jl_split_fw(const char *fw, jlink_listing *row)
{
	const char *c = strstr(fw, " compiled ");
	if (!c) {
		fk_strlcpy(row->model, "J-Link", sizeof row->model);
		fk_strlcpy(row->firmware, fw, sizeof row->firmware);
		return;
	}
	snprintf(row->model, sizeof row->model, "%.*s", (int)(c - fw), fw);
	fk_strlcpy(row->firmware, c + 10, sizeof row->firmware);
}

/* PID and location from the USB device list (libjaylink 0.3 gives neither). */
static void jl_usb_of(fk_ctx *ctx, jlink_listing *row)
{
	fk_usb_info *usb = calloc(FK_USB_MAX_DEVICES, sizeof *usb);
	unsigned nu = 0;
	if (usb && fk_usb_enumerate(ctx, usb, FK_USB_MAX_DEVICES, &nu) == FK_OK)
		for (unsigned i = 0; i < nu; i++) {
			const char *sn = usb[i].serial;
			while (*sn == '0' && sn[1])
				sn++; /* the string descriptor is zero-padded */
			if (usb[i].vid == JLINK_VID && strcmp(sn, row->serial) == 0) {
				row->pid = usb[i].pid;
				fk_strlcpy(row->location, usb[i].location, sizeof row->location);
			}
		}
	free(usb);
	fk_ctx_clear(ctx);
}

int jlink_list(fk_ctx *ctx, jlink_listing *rows, unsigned max, unsigned *n)
{
	struct jaylink_context *jctx = NULL;
	struct jaylink_device **devs = NULL;
	size_t nd = 0;
	*n = 0;
	if (jl_context(ctx, &jctx) != FK_OK || jaylink_get_devices(jctx, &devs, &nd) != JAYLINK_OK) {
		if (jctx)
			jaylink_exit(jctx);
		fk_ctx_clear(ctx); /* nothing to list */
		return FK_OK;
	}
	for (size_t i = 0; i < nd && *n < max; i++) {
		jlink_listing *row = &rows[(*n)++];
		memset(row, 0, sizeof *row);
		jl_serial_of(devs[i], row->serial, sizeof row->serial);
		fk_strlcpy(row->model, "J-Link", sizeof row->model);
		jl_usb_of(ctx, row);
		struct jaylink_device_handle *devh = NULL;
		int jrc = jaylink_open(devs[i], &devh);
		if (jrc != JAYLINK_OK) {
			row->error = FK_E_CONNECT;
			continue;
		}
		char *fw = NULL;
		size_t len = 0;
		if (jaylink_get_firmware_version(devh, &fw, &len) == JAYLINK_OK && fw && len)
			jl_split_fw(fw, row);
		free(fw);
		jaylink_close(devh);
	}
	jaylink_free_devices(devs, true);
	jaylink_exit(jctx);
	return FK_OK;
}

#endif
