/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the CH341A emulator (twin/probe/ch341a_emu.c) in front of a W25Q64JV twin,
 * facing a hostile host. The input is a list of USB transfers, each a 3-byte header {u8 kind,
 * u16 length} and, for an OUT, that many bytes: kind bit 0 = an IN transfer of `length` bytes at
 * most, bit 1 = the wrong endpoint. Any command bytes reach the chip (instructions, chip select,
 * waits of up to 63 us each). Checked: an IN never gives more than asked, an OUT never takes
 * more than given and takes whole 32-byte packets when it refuses the rest, the wrong endpoint
 * stalls, and nothing crashes or hangs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "debug/chip_port.h"
#include "model.h"
#include "probe/probe_emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tw_chip *chip;
	static fk_ctx *ctx;
	if (!ctx)
		ctx = fk_ctx_new();
	if (!chip && tw_chip_create(ctx, "w25q64jv", &chip) != FK_OK)
		abort();
	tw_chip_port port = {.chip = chip};
	tw_probe_target t = {0};
	t.bus = &tw_chip_port_bus;
	t.bus_h = &port;
	t.spi = tw_chip_spi(chip, NULL, NULL);
	t.spi_m = tw_chip_impl(chip);
	tw_ch341a *c = tw_ch341a_new(&t);
	if (!c)
		abort();
	static uint8_t in[65536];
	size_t at = 0;
	while (at + 3 <= size) {
		uint8_t kind = data[at];
		size_t len = (size_t)(data[at + 1] | data[at + 2] << 8);
		at += 3;
		if (kind & 1) {
			uint8_t ep = kind & 2 ? 0x81 : TW_CH341A_EP_IN;
			size_t got = tw_ch341a_in(c, ep, in, len);
			if (got > len || (ep != TW_CH341A_EP_IN && got))
				abort();
			continue;
		}
		len = len < size - at ? len : size - at;
		uint8_t ep = kind & 2 ? 0x01 : TW_CH341A_EP_OUT;
		size_t took = 0;
		tw_ch341a_status st = tw_ch341a_out(c, ep, data + at, len, &took);
		if (took > len || (ep != TW_CH341A_EP_OUT && st != TW_CH341A_STALL) ||
		    (st == TW_CH341A_NAK && took % 32))
			abort();
		at += len;
	}
	tw_ch341a_free(c); /* releases /CS: the chip ends whatever instruction was under way */
	return 0;
}
