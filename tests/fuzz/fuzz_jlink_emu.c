/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the J-Link emulator (twin/probe/jlink_emu.c) facing a hostile host. The
 * input's first byte picks the debug bus's flash delay; the rest is a list of USB transfers,
 * each a 3-byte header {u8 kind, u16 length} and that many bytes: kind bit 0 = an IN transfer
 * of `length` bytes at most (else an OUT transfer with the bytes), bit 1 = the wrong endpoint.
 * Commands may be split across transfers, replies read in pieces. Checked: an IN never gives
 * more than asked, an OUT never takes more than given, the wrong endpoint stalls, and the
 * emulator neither crashes nor hangs (a JTAG/SWD I/O command clocks at most 65535 bits). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debug/membus.h"
#include "probe/probe_emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	tw_membus *m = tw_membus_new();
	tw_probe_target t = {0};
	t.bus = &tw_membus_bus;
	t.bus_h = m;
	t.dap = tw_dap_new(&tw_membus_bus, m);
	m->write_ns = data[0] & 0x80 ? 16000 : 0;
	tw_jlink *j = tw_jlink_new(&t);
	static uint8_t in[65536];
	size_t at = 1;
	while (j && at + 3 <= size) {
		uint8_t kind = data[at];
		size_t len = (size_t)(data[at + 1] | data[at + 2] << 8);
		at += 3;
		if (kind & 1) {
			uint8_t ep = kind & 2 ? 0x82 : TW_JLINK_EP_IN;
			size_t got = tw_jlink_in(j, ep, in, len);
			if (got > len || (ep != TW_JLINK_EP_IN && got))
				abort(); /* more than asked, or data on an endpoint it does not have */
			continue;
		}
		len = len < size - at ? len : size - at;
		uint8_t ep = kind & 2 ? 0x01 : TW_JLINK_EP_OUT;
		size_t took = 0;
		tw_jlink_status st = tw_jlink_out(j, ep, data + at, len, &took);
		if (took > len || (ep != TW_JLINK_EP_OUT && st != TW_JLINK_STALL))
			abort();
		at += len;
	}
	tw_jlink_free(j);
	tw_dap_free(t.dap);
	tw_membus_free(m);
	return 0;
}
