/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A scripted USB device for probe-driver unit tests: the test lists the exact bytes the driver
 * must send (OUT) and the bytes the device answers (IN), written from the protocol documents
 * (../shared/reference/probes.md), so a driver is checked against the documented layouts rather
 * than against our own emulator. Header-only; one script per test. */
#ifndef FK_TEST_FAKE_USB_H
#define FK_TEST_FAKE_USB_H

#include <stdio.h>
#include <string.h>

#include "link/usb.h"

#define FAKE_MAX_STEPS 64

typedef struct fake_step {
	int in;              /* 0: the driver must send `bytes`; 1: the device answers `bytes` */
	uint8_t bytes[4200];
	size_t len;
} fake_step;

static struct {
	fk_usb_info dev;
	fake_step steps[FAKE_MAX_STEPS];
	unsigned n, pos;
	char error[256]; /* first divergence from the script */
	int gone_at;     /* step index at which the device disappears; -1 = never */
} fake;

static inline void fake_reset(uint16_t vid, uint16_t pid, const char *serial)
{
	memset(&fake, 0, sizeof fake);
	fake.dev.vid = vid;
	fake.dev.pid = pid;
	snprintf(fake.dev.serial, sizeof fake.dev.serial, "%s", serial);
	snprintf(fake.dev.location, sizeof fake.dev.location, "fake");
	fake.gone_at = -1;
}

static inline void fake_push(int in, const uint8_t *b, size_t len)
{
	fake_step *s = &fake.steps[fake.n++];
	s->in = in;
	memcpy(s->bytes, b, len);
	s->len = len;
}
/* A reply of len bytes, byte i = (seed + i) & 0xFF. */
static inline void fake_push_fill(size_t len, uint8_t seed)
{
	fake_step *s = &fake.steps[fake.n++];
	s->in = 1;
	for (size_t i = 0; i < len; i++)
		s->bytes[i] = (uint8_t)(seed + i);
	s->len = len;
}
#define FAKE_OUT(...) do { const uint8_t b_[] = {__VA_ARGS__}; fake_push(0, b_, sizeof b_); } while (0)
#define FAKE_IN(...) do { const uint8_t b_[] = {__VA_ARGS__}; fake_push(1, b_, sizeof b_); } while (0)

static int fake_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n)
{
	(void)ctx;
	if (*n < max)
		list[(*n)++] = fake.dev;
	return FK_OK;
}

static int fake_open(fk_ctx *ctx, const fk_usb_info *info, int iface, void **h)
{
	(void)ctx, (void)info, (void)iface;
	*h = &fake;
	return FK_OK;
}

static int fake_out(fk_ctx *ctx, uint8_t ep, const uint8_t *buf, size_t len, size_t *done)
{
	const fake_step *s = &fake.steps[fake.pos];
	if (fake.pos >= fake.n || s->in) {
		if (!fake.error[0])
			snprintf(fake.error, sizeof fake.error, "step %u: unexpected OUT 0x%02x 0x%02x on ep %02x",
				 fake.pos, buf[0], len > 1 ? buf[1] : 0, ep);
		return fk_fail(ctx, FK_E_IO, "fake: script diverged");
	}
	/* the script gives the significant prefix; the rest of a command block must be zero */
	for (size_t i = 0; i < len; i++) {
		uint8_t want = i < s->len ? s->bytes[i] : 0;
		if (buf[i] != want && !fake.error[0])
			snprintf(fake.error, sizeof fake.error, "step %u byte %zu: sent 0x%02x, expected 0x%02x",
				 fake.pos, i, buf[i], want);
	}
	fake.pos++;
	*done = len;
	return FK_OK;
}

static int fake_bulk(void *h, fk_ctx *ctx, uint8_t ep, void *buf, size_t len, unsigned timeout_ms,
		     size_t *done)
{
	(void)h, (void)timeout_ms;
	if (fake.gone_at >= 0 && fake.pos >= (unsigned)fake.gone_at)
		return fk_fail(ctx, FK_E_DEVICE_GONE, "fake: the USB device was unplugged");
	if (!(ep & 0x80))
		return fake_out(ctx, ep, buf, len, done);
	const fake_step *s = &fake.steps[fake.pos];
	if (fake.pos >= fake.n || !s->in)
		return fk_fail(ctx, FK_E_TIMEOUT, "fake: no reply scripted at step %u", fake.pos);
	size_t n = s->len < len ? s->len : len;
	memcpy(buf, s->bytes, n);
	*done = n;
	fake.pos++;
	return FK_OK;
}

static void fake_close(void *h)
{
	(void)h;
}

static const fk_usb_backend fake_backend = {
	.name = "fake",
	.enumerate = fake_enumerate,
	.open = fake_open,
	.bulk = fake_bulk,
	.close = fake_close,
};

#endif
