/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/stm32_stub: code the ROM bootloader runs for us. Bootloaders before AN3155 protocol v3.3
 * have no checksum command (AN3155 Table 3; the F4 has v3.1), so comparing flash with an image
 * would mean reading every byte back over the UART: 268 wire characters per 256 bytes. Instead a
 * 176-byte ARMv6-M routine (lib/boot/stub/crc32_armv6m.S) is written to RAM and started with Go
 * (AN3155 §3.5); it computes the CRC-32 of each range, marks the results complete and requests
 * a system reset (ARMv6-M ARM §B3.2.6 AIRCR.SYSRESETREQ) — the same way stm32flash's `-R` resets
 * a chip (an3155.md §4.5). With BOOT0 still high the bootloader starts again (AN2606 Table 227:
 * 84.59 ms start-up); SRAM keeps its content through a system reset, so the results are read back
 * from the parameter block with Read Memory.
 *
 * Timing: 15 instructions, about 20 cycles per byte (Cortex-M TRM cycle counts); the F4
 * bootloader runs at 24 MHz (AN2606 Table 73), 16 MHz if Go left only the HSI. */
#include <string.h>
#include <time.h>

#include "boot/stm32_usart.h"
#include "core/core.h"

static const uint8_t an3155_stub_crc32[] = {
#include "boot/stub/stm32_stub_crc32.inc"
};

#define STUB_CYCLES_PER_BYTE 20u
#define STUB_FAST_HZ 24000000u /* AN2606 Table 73: V3.x runs from HSI + PLL at 24 MHz */
#define STUB_SLOW_HZ 16000000u /* HSI alone */
#define STUB_POLL_MS 20u

static uint32_t stub_token(void)
{
	static uint32_t counter;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint32_t t = (uint32_t)ts.tv_nsec ^ ((uint32_t)ts.tv_sec << 20) ^ (++counter * 0x9E3779B9u);
	return t == 0xFFFFFFFFu || t == 0 ? 0x5EED1234u : t;
}

static unsigned stub_ms(uint64_t bytes, uint32_t hz)
{
	return (unsigned)((bytes * STUB_CYCLES_PER_BYTE * 1000u + hz - 1u) / hz);
}

/* Upload the code and the parameter block (token, n, ranges), Go, wait for the bootloader to
 * come back, read the block into back and check the token. total = bytes the code reads. */
static int stub_run(an3155 *b, uint8_t *blk, size_t plen, uint64_t total, const char *what,
		    uint8_t *back)
{
	if (!an3155_has(b, AN3155_CMD_GO) || !an3155_has(b, AN3155_CMD_WRITE))
		return fk_fail(b->ctx, FK_E_UNSUPPORTED, "this bootloader lists no Go/Write Memory: "
							 "no code can run in RAM");
	uint32_t token = stub_token(), n = fk_get_le32(blk + 4);
	fk_put_le32(blk, token);
	int rc = an3155_write(b, AN3155_STUB_BASE, an3155_stub_crc32, sizeof an3155_stub_crc32);
	if (!rc)
		rc = an3155_write(b, AN3155_STUB_PARAMS, blk, (uint32_t)plen);
	if (!rc)
		rc = an3155_go(b, AN3155_STUB_BASE);
	if (rc == FK_E_NACK)
		return fk_fail_wrap(b->ctx, FK_E_UNSUPPORTED, "the bootloader refused the code in RAM "
							      "at 0x%08X (%s)", AN3155_STUB_BASE, what);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "starting the code at 0x%08X (%s)", AN3155_STUB_BASE,
				    what);
	/* the code runs, the chip resets, the bootloader starts (84.59 ms): the first 0x7F once
	 * the code should be done at 24 MHz and the bootloader started, then one every
	 * STUB_POLL_MS for as long as the slow clock could take. Waiting first keeps 0x7F bytes
	 * out of the moment the bootloader starts measuring the baud rate; bytes that arrive
	 * while the code runs are lost harmlessly (the code never reads USART1, the system reset
	 * clears it, RM0090 §7.1.2). */
	unsigned fast = stub_ms(total, STUB_FAST_HZ), slow = stub_ms(total, STUB_SLOW_HZ);
	rc = an3155_resync_after(b, fast + b->tmo.reset_ms, 2 * slow + 1000u, STUB_POLL_MS);
	if (rc) {
		fk_hint(b->ctx, "the code ends with a system reset: BOOT0 must stay high so that the "
				"bootloader starts again; `--read-back` compares by reading instead");
		return fk_fail_wrap(b->ctx, rc, "waiting for the bootloader after the code in RAM "
						"(%s, %llu bytes, about %u ms)", what,
				    (unsigned long long)total, fast);
	}
	rc = an3155_read(b, AN3155_STUB_PARAMS, back, (uint32_t)plen);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "reading the results at 0x%08X (%s)",
				    AN3155_STUB_PARAMS, what);
	if (fk_get_le32(back) != ~token || fk_get_le32(back + 4) != n) {
		fk_hint(b->ctx, "a watchdog or a reset may have cut the code short; `--read-back` "
				"compares by reading instead");
		return fk_fail(b->ctx, FK_E_PROTOCOL, "the code at 0x%08X (%s) did not finish: its "
						      "parameter block reads token 0x%08X, n %u "
						      "(expected 0x%08X, %u)",
			       AN3155_STUB_BASE, what, fk_get_le32(back), fk_get_le32(back + 4), ~token,
			       n);
	}
	return FK_OK;
}

int an3155_crc32(an3155 *b, const uint32_t *addr, const uint32_t *len, unsigned n, uint32_t *crc)
{
	uint8_t blk[8 + 8 * AN3155_CRC_MAX_RANGES], back[sizeof blk];
	uint64_t total = 0;
	if (!n || n > AN3155_CRC_MAX_RANGES)
		return fk_fail(b->ctx, FK_E_INTERNAL, "on-chip CRC of %u ranges (1..%u)", n,
			       AN3155_CRC_MAX_RANGES);
	fk_put_le32(blk + 4, n);
	for (unsigned i = 0; i < n; i++) {
		fk_put_le32(blk + 8 + 8 * i, addr[i]);
		fk_put_le32(blk + 12 + 8 * i, len[i]);
		total += len[i];
	}
	size_t plen = 8 + 8 * (size_t)n;
	int rc = stub_run(b, blk, plen, total, "CRC-32", back);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (fk_get_le32(back + 8 + 8 * i) != addr[i])
			return fk_fail(b->ctx, FK_E_PROTOCOL, "the CRC results at 0x%08X are damaged "
							      "(range %u address)", AN3155_STUB_PARAMS, i);
		crc[i] = fk_get_le32(back + 12 + 8 * i);
	}
	fk_log(b->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "on-chip CRC of %u range(s), %llu bytes", n,
	       (unsigned long long)total);
	return FK_OK;
}

int an3155_system_reset(an3155 *b)
{
	uint8_t blk[8] = {0}, back[8];
	return stub_run(b, blk, sizeof blk, 0, "system reset", back);
}
