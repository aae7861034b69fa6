/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the USB twin bridge server's socket protocol decoder (twin/usb-bridge/proto.h,
 * twin/probe/usb_bridge_core.c) facing a hostile peer. Byte 0 picks the probes on the bus (one of
 * each kind, or one kind with gone-after from byte 1); the rest is the byte stream a connection
 * sends, delivered in chunks whose sizes come from the input (framing across reads). The emulators
 * sit on a bare memory bus. Checks: never a crash or hang; every answer's status is 0 or a libusb
 * error code; an IN answer never carries more than was asked; a request split across reads is
 * decoded exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/membus.h"
#include "probe/usb_bridge_core.h"
#include "usb-bridge/proto.h"

/* The harness's own reading of the requests being answered, in order (one answer each). */
typedef struct fz_peer {
	const uint8_t *buf;
	size_t have, next; /* the request the next answer is for starts at buf + next */
} fz_peer;

static bool fz_answer(void *h, int status, uint32_t arg, const uint8_t *data, size_t len)
{
	fz_peer *p = h;
	if (p->have - p->next < TWB_REQ_HDR)
		abort(); /* an answer to a request that was not whole */
	const uint8_t *r = p->buf + p->next;
	uint32_t rlen = twb_get32(r);
	if (p->have - p->next - 4 < rlen)
		abort();
	if (status > 0 || status < -99)
		abort(); /* not a libusb_error value */
	if (len && !data)
		abort();
	if (r[4] == TWB_OP_IN && (len > twb_get32(r + 8) || (status == 0 && arg != len)))
		abort(); /* more data than the IN transfer asked for, or a wrong count */
	if (r[4] != TWB_OP_IN && r[4] != TWB_OP_LIST && len)
		abort(); /* only IN and LIST answers carry data */
	p->next += 4 + rlen;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"stlink-v2", "stlink-v21", "stlink-v3", "cmsis-dap-v2",
					    "cmsis-dap-v1"};
	if (size < 2)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	tw_membus *m = tw_membus_new();
	tw_ubs u;
	memset(&u, 0, sizeof u);
	u.tgt.bus = &tw_membus_bus;
	u.tgt.bus_h = m;
	u.tgt.dap = tw_dap_new(&tw_membus_bus, m);
	char spec[128] = "";
	if (data[0] < 0x80) /* one kind, maybe unplugged after a few transfers */
		snprintf(spec, sizeof spec, "%s,gone-after=%u;%s", kinds[data[0] % 5], data[1] % 16,
			 kinds[(data[0] / 5) % 5]);
	if (!ctx || !m || !u.tgt.dap || tw_ubs_parse_probes(&u, ctx, spec))
		abort();
	data += 2, size -= 2;

	/* a connection's receive buffer, as usb_bridge_serve.c keeps it */
	uint8_t *buf = malloc(size + 1);
	size_t have = 0, i = 0;
	fz_peer peer = {0};
	bool dropped = false;
	while (buf && i < size && !dropped) {
		size_t chunk = 1 + (size_t)data[i] * 7 % 97; /* chunk sizes come from the input */
		chunk = chunk > size - i ? size - i : chunk;
		memcpy(buf + have, data + i, chunk);
		have += chunk, i += chunk;
		peer.buf = buf, peer.have = have, peer.next = 0;
		bool changed = false;
		long off = tw_ubs_decode(&u, ctx, buf, have, fz_answer, &peer, &changed);
		if (off < 0) {
			dropped = true; /* not our protocol: the server drops the connection */
			break;
		}
		if ((size_t)off != peer.next)
			abort(); /* consumed other than exactly the requests it answered */
		memmove(buf, buf + off, have - (size_t)off);
		have -= (size_t)off;
	}
	free(buf);
	tw_ubs_clear(&u);
	tw_dap_free(u.tgt.dap);
	tw_membus_free(m);
	fk_ctx_free(ctx);
	return 0;
}
