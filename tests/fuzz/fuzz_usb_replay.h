/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the probe-reply fuzz harnesses: a USB device whose every IN transfer is the next
 * chunk of the fuzz input (one length byte, then that many bytes) and which accepts every OUT.
 * When the input runs out it stops answering (a timeout), so a driver must end, never hang. */
#ifndef FK_FUZZ_USB_REPLAY_H
#define FK_FUZZ_USB_REPLAY_H

#include <string.h>

#include "core/core.h"
#include "link/usb.h"

static const uint8_t *replay_data;
static size_t replay_left;
static fk_usb_info replay_dev;

static int replay_enumerate(fk_ctx *ctx, fk_usb_info *list, unsigned max, unsigned *n)
{
	(void)ctx;
	if (*n < max)
		list[(*n)++] = replay_dev;
	return FK_OK;
}

static int replay_open(fk_ctx *ctx, const fk_usb_info *info, int iface, void **h)
{
	(void)ctx, (void)info, (void)iface;
	*h = &replay_dev;
	return FK_OK;
}

static int replay_bulk(void *h, fk_ctx *ctx, uint8_t ep, void *buf, size_t len, unsigned tmo,
		       size_t *done)
{
	(void)h, (void)tmo;
	if (!(ep & 0x80)) {
		*done = len;
		return FK_OK;
	}
	if (replay_left == 0)
		return fk_fail(ctx, FK_E_TIMEOUT, "replay: input exhausted");
	size_t n = replay_data[0];
	replay_data++, replay_left--;
	n = FK_MIN(n, replay_left);
	size_t give = FK_MIN(n, len);
	memcpy(buf, replay_data, give);
	replay_data += n, replay_left -= n;
	*done = give;
	return FK_OK;
}

static void replay_close(void *h)
{
	(void)h;
}

static const fk_usb_backend replay_backend = {
	.name = "replay",
	.enumerate = replay_enumerate,
	.open = replay_open,
	.bulk = replay_bulk,
	.close = replay_close,
};

#endif
