/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: remote_bitbang characters (twin/debug/rbb.c) driving the twin's JTAG chain
 * (jtag_wire.c) and the DP/AP core, as a hostile OpenOCD peer could send them. Byte 0 chooses
 * bus misbehaviour; the rest is the character stream. Must never crash or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "debug/membus.h"
#include "debug/rbb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	tw_membus *m = tw_membus_new();
	tw_dap *d = tw_dap_new(&tw_membus_bus, m);
	tw_jtag *j = tw_jtag_new(d);
	tw_rbb r;
	uint8_t *out = malloc(size);
	size_t used = 0;
	m->write_ns = (data[0] & 0x02) ? 20000 : 0;
	m->stall_forever = (data[0] & 0x04) != 0;
	m->fault_all = (data[0] & 0x08) != 0;
	m->read_protect = (data[0] & 0x10) != 0;
	m->unreachable = (data[0] & 0x20) != 0;
	tw_rbb_init(&r, j, d);
	size_t o = tw_rbb_feed(&r, data + 1, size - 1, out, &used);
	if (o > size || used > size - 1)
		abort(); /* more replies than characters: a decoder bug */
	for (size_t i = 0; i < o; i++)
		if (out[i] != '0' && out[i] != '1')
			abort();
	free(out);
	tw_jtag_free(j);
	tw_dap_free(d);
	tw_membus_free(m);
	return 0;
}
