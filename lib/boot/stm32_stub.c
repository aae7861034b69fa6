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
/* lib/boot/stub/blank_armv6m.S: which pages read all 0xFF; 7 cycles a word of an erased page
 * (2 a byte, rounded up), less for a page it stops reading at its first other word */
static const uint8_t an3155_stub_blank[] = {
#include "boot/stub/stm32_stub_blank.inc"
};
_Static_assert(sizeof an3155_stub_blank <= sizeof an3155_stub_crc32, "code buffer");
#define STUB_BLANK_CYCLES_PER_BYTE 2u

#define STUB_CYCLES_PER_BYTE 20u
#define STUB_FAST_HZ 24000000u /* AN2606 Table 73: V3.x runs from HSI + PLL at 24 MHz */
#define STUB_SLOW_HZ 16000000u /* HSI alone */
#define STUB_POLL_MS 20u

static uint32_t stub_base_of(const an3155 *b)
{
	return b->stub_base ? b->stub_base : AN3155_STUB_BASE;
}

size_t an3155_stub_size(void)
{
	return sizeof an3155_stub_crc32;
}

/* The code is assembled for AN3155_STUB_BASE (crc32_armv6m.S); everything in it is
 * PC-relative except three words: MSP and the entry point (the vector table Go reads) and the
 * literal pool's copy of PARAMS. A word relocates when it points into the code (entry) or is
 * PARAMS; the CRC table and AIRCR constants lie far from SRAM, and the unit test checks the
 * count. */
static unsigned stub_relocate(const uint8_t *code, size_t size, uint32_t base, uint8_t *out)
{
	unsigned n = 0;
	memcpy(out, code, size);
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint32_t w = fk_get_le32(out + i);
		if (w == AN3155_STUB_PARAMS) {
			fk_put_le32(out + i, base + AN3155_STUB_PARAMS_OFF);
			n++;
		} else if (w >= AN3155_STUB_BASE && w < AN3155_STUB_BASE + size) {
			fk_put_le32(out + i, w - AN3155_STUB_BASE + base);
			n++;
		}
	}
	return n;
}

unsigned an3155_stub_image(uint32_t base, uint8_t *out)
{
	return stub_relocate(an3155_stub_crc32, sizeof an3155_stub_crc32, base, out);
}

size_t an3155_stub_blank_size(void)
{
	return sizeof an3155_stub_blank;
}

unsigned an3155_stub_blank_image(uint32_t base, uint8_t *out)
{
	return stub_relocate(an3155_stub_blank, sizeof an3155_stub_blank, base, out);
}

void an3155_stub_place(an3155 *b, uint32_t ram_lo, uint32_t ram_end, uint32_t hz_fast,
		       uint32_t hz_slow)
{
	uint32_t base = AN3155_STUB_BASE;
	if (ram_lo > base || (uint64_t)base + AN3155_STUB_SPAN > ram_end)
		base = (uint32_t)(((uint64_t)ram_lo + 0xFFu) & ~(uint64_t)0xFFu);
	b->stub_base = base;
	b->stub_ram_end = ram_end;
	b->stub_hz_fast = hz_fast;
	b->stub_hz_slow = hz_slow;
}

static uint32_t stub_token(void)
{
	static uint32_t counter;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint32_t t = (uint32_t)ts.tv_nsec ^ ((uint32_t)ts.tv_sec << 20) ^ (++counter * 0x9E3779B9u);
	return t == 0xFFFFFFFFu || t == 0 ? 0x5EED1234u : t;
}

static unsigned stub_ms(uint64_t bytes, unsigned cycles_per_byte, uint32_t hz)
{
	return (unsigned)((bytes * cycles_per_byte * 1000u + hz - 1u) / hz);
}

/* Upload the code (src: one of the routines above, as assembled) and the parameter block
 * (token, n, the routine's own fields), Go, wait for the bootloader to come back, read the block
 * into back and check the token. total = bytes the code reads, at most cpb cycles each. */
static int stub_run(an3155 *b, const uint8_t *src, size_t src_len, unsigned cpb, uint8_t *blk,
		    size_t plen, uint64_t total, const char *what, uint8_t *back)
{
	if (!an3155_has(b, AN3155_CMD_GO) || !an3155_has(b, AN3155_CMD_WRITE))
		return fk_fail(b->ctx, FK_E_UNSUPPORTED, "this bootloader lists no Go/Write Memory: "
							 "no code can run in RAM");
	uint32_t base = stub_base_of(b);
	uint32_t params = base + AN3155_STUB_PARAMS_OFF;
	if (b->stub_ram_end && (uint64_t)params + plen > b->stub_ram_end)
		return fk_fail(b->ctx, FK_E_UNSUPPORTED, "the code in RAM (%s) needs 0x%08X..0x%08X, "
			       "past the RAM the bootloader leaves free (ends 0x%08X)", what, base,
			       (unsigned)(params + plen - 1U), b->stub_ram_end);
	uint8_t code[sizeof an3155_stub_crc32];
	stub_relocate(src, src_len, base, code);
	uint32_t token = stub_token(), n = fk_get_le32(blk + 4);
	fk_put_le32(blk, token);
	int rc = an3155_write(b, base, code, (uint32_t)src_len);
	if (!rc)
		rc = an3155_write(b, params, blk, (uint32_t)plen);
	if (!rc)
		rc = an3155_go(b, base);
	if (rc == FK_E_NACK)
		return fk_fail_wrap(b->ctx, FK_E_UNSUPPORTED, "the bootloader refused the code in RAM "
							      "at 0x%08X (%s)", base, what);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "starting the code at 0x%08X (%s)", base,
				    what);
	/* the code runs, the chip resets, the bootloader starts (84.59 ms): the first 0x7F once
	 * the code should be done at 24 MHz and the bootloader started, then one every
	 * STUB_POLL_MS for as long as the slow clock could take. Waiting first keeps 0x7F bytes
	 * out of the moment the bootloader starts measuring the baud rate; bytes that arrive
	 * while the code runs are lost harmlessly (the code never reads USART1, the system reset
	 * clears it, RM0090 §7.1.2). */
	unsigned fast = stub_ms(total, cpb, b->stub_hz_fast ? b->stub_hz_fast : STUB_FAST_HZ);
	unsigned slow = stub_ms(total, cpb, b->stub_hz_slow ? b->stub_hz_slow : STUB_SLOW_HZ);
	rc = an3155_resync_after(b, fast + b->tmo.reset_ms, 2 * slow + 1000u, STUB_POLL_MS);
	if (rc) {
		fk_hint(b->ctx, "the code ends with a system reset: BOOT0 must stay high so that the "
				"bootloader starts again; `--read-back` compares by reading instead");
		return fk_fail_wrap(b->ctx, rc, "waiting for the bootloader after the code in RAM "
						"(%s, %llu bytes, about %u ms)", what,
				    (unsigned long long)total, fast);
	}
	rc = an3155_read(b, params, back, (uint32_t)plen);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "reading the results at 0x%08X (%s)", params, what);
	if (fk_get_le32(back) != ~token || fk_get_le32(back + 4) != n) {
		fk_hint(b->ctx, "a watchdog or a reset may have cut the code short; `--read-back` "
				"compares by reading instead");
		return fk_fail(b->ctx, FK_E_PROTOCOL, "the code at 0x%08X (%s) did not finish: its "
						      "parameter block reads token 0x%08X, n %u "
						      "(expected 0x%08X, %u)",
			       base, what, fk_get_le32(back), fk_get_le32(back + 4), ~token,
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
	int rc = stub_run(b, an3155_stub_crc32, sizeof an3155_stub_crc32, STUB_CYCLES_PER_BYTE, blk,
			  plen, total, "CRC-32", back);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (fk_get_le32(back + 8 + 8 * i) != addr[i])
			return fk_fail(b->ctx, FK_E_PROTOCOL, "the CRC results at 0x%08X are damaged "
				       "(range %u address)", stub_base_of(b) + AN3155_STUB_PARAMS_OFF, i);
		crc[i] = fk_get_le32(back + 12 + 8 * i);
	}
	fk_log(b->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "on-chip CRC of %u range(s), %llu bytes", n,
	       (unsigned long long)total);
	return FK_OK;
}

int an3155_crc32_runs(an3155 *b, const uint32_t *addr, const uint32_t *len, unsigned n,
		      uint32_t *crc, uint32_t run_bytes)
{
	int rc = FK_OK;
	for (unsigned i = 0; i < n && !rc;) {
		unsigned k = 0;
		uint64_t bytes = 0;
		while (i + k < n && k < AN3155_CRC_MAX_RANGES &&
		       (k == 0 || bytes + len[i + k] <= run_bytes))
			bytes += len[i + k++];
		rc = an3155_crc32(b, addr + i, len + i, k, crc + i);
		i += k;
	}
	return rc;
}

int an3155_blank_pages(an3155 *b, uint32_t addr, uint32_t page, unsigned n, uint8_t *dirty)
{
	uint8_t blk[16 + AN3155_BLANK_MAX_PAGES], back[sizeof blk];
	if (!n || n > AN3155_BLANK_MAX_PAGES || !page || ((addr | page) & 3U) ||
	    (uint64_t)addr + (uint64_t)n * page > 0x100000000ULL)
		return fk_fail(b->ctx, FK_E_INTERNAL, "blank check of %u page(s) of %u bytes at "
			       "0x%08X (1..%u word-aligned pages)", n, page, addr,
			       AN3155_BLANK_MAX_PAGES);
	size_t plen = (16U + n + 3U) & ~(size_t)3U;
	memset(blk, 2, plen); /* neither answer: a result the code did not write shows */
	fk_put_le32(blk + 4, n);
	fk_put_le32(blk + 8, addr);
	fk_put_le32(blk + 12, page);
	uint64_t total = (uint64_t)n * page;
	int rc = stub_run(b, an3155_stub_blank, sizeof an3155_stub_blank,
			  STUB_BLANK_CYCLES_PER_BYTE, blk, plen, total, "blank check", back);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (back[16 + i] > 1 || fk_get_le32(back + 8) != addr ||
		    fk_get_le32(back + 12) != page)
			return fk_fail(b->ctx, FK_E_PROTOCOL, "the blank-check results at 0x%08X are "
				       "damaged (page %u reads %u)",
				       stub_base_of(b) + AN3155_STUB_PARAMS_OFF, i, back[16 + i]);
		dirty[i] = back[16 + i];
	}
	fk_log(b->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "on-chip blank check of %u page(s) from 0x%08X: "
	       "%llu bytes", n, addr, (unsigned long long)total);
	return FK_OK;
}

int an3155_system_reset(an3155 *b)
{
	uint8_t blk[8] = {0}, back[8];
	return stub_run(b, an3155_stub_crc32, sizeof an3155_stub_crc32, STUB_CYCLES_PER_BYTE, blk,
			sizeof blk, 0, "system reset", back);
}
