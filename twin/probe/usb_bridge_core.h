/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The USB twin bridge server's request decoder (protocol: twin/usb-bridge/proto.h), apart from
 * its sockets so that a fuzz harness can drive it (tests/fuzz/fuzz_usb_bridge.c): the probe table,
 * the descriptors handed out by LIST, and one function that decodes every whole request in a
 * byte buffer and answers each through a callback. The socket half is usb_bridge_serve.c. */
#ifndef TW_PROBE_USB_BRIDGE_CORE_H
#define TW_PROBE_USB_BRIDGE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "probe/probe_emu.h"

#define TW_UBS_MAX_PROBES 8

typedef struct tw_ubs_probe {
	tw_probe_kind kind;
	char serial[64];
	unsigned gone_after;
	uint64_t transfers;
	bool gone;
	tw_usb_sess *sess; /* created on first open, kept while the server runs */
} tw_ubs_probe;

/* The probes on one emulated bus, all driving one target (one chip, one debug port). */
typedef struct tw_ubs {
	tw_probe_target tgt; /* the caller's; tw_ubs_clear does not close it */
	tw_ubs_probe probes[TW_UBS_MAX_PROBES];
	unsigned nprobes;
} tw_ubs;

/* Adds the probes of "PROBE[;PROBE...]" (PROBE = KIND[,serial=S][,gone-after=N]); an empty list
 * plugs one of each kind. The list is edited in place. */
int tw_ubs_parse_probes(tw_ubs *u, fk_ctx *ctx, char *list);
/* Frees the probes' emulator sessions. */
void tw_ubs_clear(tw_ubs *u);

/* An answer (proto.h): status (0 or LIBUSB_ERROR_*), arg, payload. false = the peer is gone. */
typedef bool (*tw_ubs_answer_fn)(void *h, int status, uint32_t arg, const uint8_t *data,
				 size_t len);

#define TW_UBS_MAX_MSG (65536u * 16u + 12u) /* the largest request the decoder accepts */

/* Decodes every whole request at the start of buf[0..have) and answers each through answer.
 * Returns the bytes consumed (a partial request stays for the next call), or -1 when the bytes
 * are not this protocol or answer failed: drop the connection. *changed is set when a transfer
 * reached the emulators (the twin may have changed). */
long tw_ubs_decode(tw_ubs *u, fk_ctx *ctx, const uint8_t *buf, size_t have,
		   tw_ubs_answer_fn answer, void *h, bool *changed);

#endif
