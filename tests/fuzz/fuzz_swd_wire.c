/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the twin's SW-DP wire decoder (twin/debug/swd_wire.c) and the DP/AP core
 * behind it, fed arbitrary SWCLK cycles. Byte 0 chooses bus misbehaviour (stalls, faults, read
 * protection) and whether the JTAG-to-SWD switch and a line reset come first; every following
 * byte gives four cycles of (host drives?, level). Must never crash, hang or read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "debug/membus.h"
#include "debug/swd_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_swd_prologue(tw_swd *s)
{
	static const uint8_t seq[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7,
				      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
	for (unsigned i = 0; i < sizeof(seq) * 8; i++)
		tw_swd_cycle(s, (seq[i / 8] >> (i % 8)) & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	tw_membus *m = tw_membus_new();
	tw_dap *d = tw_dap_new(&tw_membus_bus, m);
	tw_swd *s = tw_swd_new(d);
	m->write_ns = (data[0] & 0x02) ? 20000 : 0;
	m->stall_forever = (data[0] & 0x04) != 0;
	m->fault_all = (data[0] & 0x08) != 0;
	m->read_protect = (data[0] & 0x10) != 0;
	m->unreachable = (data[0] & 0x20) != 0;
	if (data[0] & 0x01)
		fuzz_swd_prologue(s);
	for (size_t i = 1; i < size; i++)
		for (unsigned c = 0; c < 4; c++) {
			unsigned bits = (data[i] >> (2 * c)) & 3u;
			tw_swd_cycle(s, (bits & 2u) ? (int)(bits & 1u) : -1);
		}
	tw_swd_free(s);
	tw_dap_free(d);
	tw_membus_free(m);
	return 0;
}
