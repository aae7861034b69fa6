/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the probe emulators as servers facing a hostile host. The input is split
 * into packets (one length byte each); even-numbered runs feed the CMSIS-DAP emulator (as the
 * USB and TCP front ends do), odd ones the ST-LINK emulator's OUT endpoint, each packet followed
 * by draining the IN endpoint. Replies must stay within the packet size; nothing may crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debug/membus.h"
#include "probe/probe_emu.h"

static void fuzz_dap(tw_probe_target *t, const uint8_t *d, size_t n)
{
	tw_cmsis_dap *e = tw_cmsis_dap_new(t, "FUZZ", 64, 4, "2.1.0");
	uint8_t resp[1024];
	while (e && n) {
		size_t len = d[0] < n - 1 ? d[0] : n - 1;
		size_t r = tw_cmsis_dap_process(e, d + 1, len, resp, sizeof resp);
		if (r > tw_cmsis_dap_packet_size(e))
			abort(); /* a reply larger than the packet size */
		d += len + 1, n -= len + 1;
	}
	tw_cmsis_dap_free(e);
}

static void fuzz_stlink(tw_probe_target *t, const uint8_t *d, size_t n, tw_probe_kind k)
{
	tw_stlink *s = tw_stlink_new(t, k);
	uint8_t in[512];
	while (s && n) {
		size_t len = d[0] < n - 1 ? d[0] : n - 1;
		tw_stlink_out(s, k == TW_PROBE_STLINK_V2 ? 0x02 : 0x01, d + 1, len);
		while (tw_stlink_in(s, 0x81, in, sizeof in))
			;
		d += len + 1, n -= len + 1;
	}
	tw_stlink_free(s);
}

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
	if (data[0] & 1)
		fuzz_stlink(&t, data + 1, size - 1, (data[0] & 2) ? TW_PROBE_STLINK_V3 : TW_PROBE_STLINK_V2);
	else
		fuzz_dap(&t, data + 1, size - 1);
	tw_dap_free(t.dap);
	tw_membus_free(m);
	return 0;
}
