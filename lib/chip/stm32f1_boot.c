/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 bootloader access path: the family's operations carried out by the ROM
 * bootloader over AN3155 (boot/stm32_usart). The ROM unlocks the FPEC, programs, erases and
 * relocks by itself, so this path has no key steps; it cannot read FLASH_SR/CR/OBR/WRPR (Read
 * Memory serves RAM, flash, system memory and the option bytes only, AN3155 §3.4), so what
 * the chip loaded is inferred from the option bytes as stored when the bootloader started.
 *
 * Sources: AN3155 Rev 20 §3.4-§3.12, Table 2 note 2 (under read protection only Get, Get
 * Version, Get ID and Readout Unprotect are accepted: a refused Read Memory is how this path
 * sees RDP level 1), Table 3 (V2.2: Erase 0x43 with one-byte page numbers), the footnote of
 * figures 13/19/21/23/25 ("System reset is called only for some STM32 BL (STM32F0/F2/F4/F7)":
 * the F1 ROM does not reset after Write Unprotect, Readout Protect/Unprotect or an option-byte
 * Write Memory, so the new option bytes load at the next reset only); PM0075 Rev 2 §2.4-§2.5
 * (option bytes load at every reset on the F1), §3.7 (FLASH_OBR layout); RM0091 Rev 10 §3.5.6
 * (F0/F3 FLASH_OBR layout); ../shared/reference/an3155.md §2.2, stm32-fpec.md §7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/stm32_usart.h"
#include "chip/stm32f1_fam.h"
#include "core/core.h"

#define F1B_RDP_HINT "the chip is at RDP level 1: `flashkey unlock --dry-run` shows the plan (Readout Unprotect erases all flash)"

typedef struct f1boot {
	an3155 bl;
	const stm32f1_device *dev;
	uint64_t (*vns)(void *);
	void *stream_h;
	/* the option bytes as stored when the bootloader last started: what the chip loaded */
	uint8_t snap[STM32F1_OPTBYTES_LEN];
	bool have_snap;
	unsigned snap_restarts;
	/* an option change the ROM did not follow with a reset (F1): loads at the next reset */
	bool options_pending;
} f1boot;

static bool f1b_pair_ok(uint8_t v, uint8_t c)
{
	return (uint8_t)(v ^ c) == 0xFFU || (v == 0xFFU && c == 0xFFU);
}

/* FLASH_OBR and FLASH_WRPR as the option-byte loader makes them from stored bytes: a pair
 * whose complement does not match sets OPTERR and loads as 0xFF (PM0075 §2.5; RM0091 §3.3),
 * which for RDP is level 1. F1 OBR: OPTERR bit 0, RDPRT bit 1, USER 9:2, Data0 17:10, Data1
 * 25:18 (PM0075 §3.7); F0/F3: OPTERR bit 0, RDPRT 2:1 (01 level 1, 11 level 2), USER 15:8,
 * Data0 23:16, Data1 31:24 (RM0091 §3.5.6). */
static void f1b_loaded(const stm32f1_device *dev, const uint8_t *raw, uint32_t *obr, uint32_t *wrpr)
{
	uint8_t v[8];
	bool err = false;
	for (unsigned i = 0; i < 8; i++) {
		bool ok = f1b_pair_ok(raw[2 * i], raw[2 * i + 1]);
		err |= !ok;
		v[i] = ok ? raw[2 * i] : 0xFFU;
	}
	unsigned level = stm32f1_dev_rdp_level(dev, v[0]);
	*wrpr = (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 24;
	if (dev->wrp_bits < 32)
		*wrpr |= ~((1U << dev->wrp_bits) - 1U) & 0xFFFFFFFFU;
	if (dev->family == STM32F1_FAM_F1)
		*obr = (err ? 1U : 0U) | (level ? 2U : 0U) | (uint32_t)v[1] << 2 |
		       (uint32_t)v[2] << 10 | (uint32_t)v[3] << 18;
	else
		*obr = (err ? 1U : 0U) | (level == 2 ? 6U : level == 1 ? 2U : 0U) |
		       (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
}

static int f1b_nack_rdp(f1boot *b, fk_ctx *ctx, int rc, uint32_t addr, const char *what)
{
	if (rc != FK_E_NACK || !b->bl.nack_on_cmd)
		return rc;
	fk_hint(ctx, F1B_RDP_HINT);
	return fk_fail_wrap(ctx, FK_E_PROTECTED, "%s 0x%08X: the bootloader refuses the command: "
			    "readout protection (RDP level 1) is active (AN3155 Table 2)", what, addr);
}

static int f1b_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	f1boot *b = h;
	b->bl.ctx = ctx;
	return f1b_nack_rdp(b, ctx, an3155_read(&b->bl, addr, buf, len), addr, "reading");
}

/* Comparing flash with an image by a CRC-32 the chip computes (boot/stm32_stub.c: code in RAM,
 * started with Go, ending in a system reset) instead of reading every byte back: 268 wire
 * characters per 256 bytes. A hardware watchdog (WDG_SW = 0) keeps running while our code
 * does: its shortest period is 4 x 4096 / LSI 60 kHz max = 0.27 s (RM0008 §19.3.x, DS5319
 * LSI row, UNCONFIRMED: datasheet table not retrieved), and 64 KiB at 20 cycles a byte takes
 * 0.16 s at the HSI's 8 MHz, so runs are at most 64 KiB. Refused while option bytes written
 * by the F1 ROM wait for a reset: the code's reset would load them as a side effect. */
#define F1B_CRC_RUN_BYTES 0x10000u

static int f1b_crc32(void *h, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		     uint32_t *crc)
{
	f1boot *b = h;
	b->bl.ctx = ctx;
	if (b->options_pending)
		return FK_E_UNSUPPORTED;
	return an3155_crc32_runs(&b->bl, addr, len, n, crc, F1B_CRC_RUN_BYTES);
}

/* Which pages read erased, scanned by code in RAM (boot/stm32_stub.c, blank_armv6m.S: 7 cycles
 * a word, so 256 KiB is 0.06 s at 8 MHz, within the watchdog's 0.27 s above); refused, as the
 * CRC, while option bytes wait for a reset. */
#define F1B_BLANK_RUN_BYTES 0x40000u

static int f1b_blank(void *h, fk_ctx *ctx, uint32_t addr, uint32_t page, unsigned n,
		     uint8_t *dirty)
{
	f1boot *b = h;
	b->bl.ctx = ctx;
	if (b->options_pending)
		return FK_E_UNSUPPORTED;
	if (!page)
		return fk_fail(ctx, FK_E_INTERNAL, "blank check with a page of 0 bytes");
	unsigned per = FK_MIN(AN3155_BLANK_MAX_PAGES, FK_MAX(1U, F1B_BLANK_RUN_BYTES / page));
	int rc = FK_OK;
	for (unsigned i = 0; i < n && !rc; i += per) {
		unsigned k = FK_MIN(per, n - i);
		rc = an3155_blank_pages(&b->bl, addr + i * page, page, k, dirty + i);
	}
	return rc;
}

static int f1b_options(void *h, fk_ctx *ctx, stm32f1_optstate *o)
{
	f1boot *b = h;
	memset(o, 0, sizeof *o);
	b->bl.ctx = ctx;
	fk_ctx saved = *ctx;
	int rc = an3155_read(&b->bl, STM32F1_OPTBYTES, o->raw, STM32F1_OPTBYTES_LEN);
	if (rc == FK_E_NACK && b->bl.nack_on_cmd) {
		/* RDP in force (level 1: at level 2 the F0/F3 bootloader does not start). The
		 * NACK is the answer, not a failure. The stored bytes stay unknown. */
		fk_ctx_restore_error(ctx, &saved);
		memset(o->raw, 0xFF, sizeof o->raw);
		o->raw_valid = false;
		o->stored = (stm32f1_opts){0x00, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU};
		o->loaded = o->stored;
		o->level = 1;
		o->obr = 2U; /* RDPRT (both layouts: bit 1) */
		o->wrpr = 0xFFFFFFFFU;
		return FK_OK;
	}
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the option bytes at 0x%08X", STM32F1_OPTBYTES);
	o->raw_valid = true;
	if (!b->have_snap || b->snap_restarts != b->bl.restarts) {
		memcpy(b->snap, o->raw, sizeof b->snap);
		b->have_snap = true;
		b->snap_restarts = b->bl.restarts;
		b->options_pending = false;
	}
	f1b_loaded(b->dev, b->snap, &o->obr, &o->wrpr);
	o->regs_valid = false; /* inferred from the bytes stored at the bootloader's start */
	stm32f1_opt_decode(b->dev, o);
	return FK_OK;
}

static int f1b_erase_page(void *h, fk_ctx *ctx, uint32_t addr)
{
	f1boot *b = h;
	uint16_t page = (uint16_t)((addr - STM32F1_FLASH_BASE) / b->dev->page_bytes);
	b->bl.ctx = ctx;
	int rc = an3155_erase(&b->bl, &page, 1);
	if (rc == FK_E_NACK)
		fk_hint(ctx, "a NACK here means RDP level 1 or a page the part does not have: "
			     "`flashkey status`");
	return rc ? fk_fail_wrap(ctx, rc, "AN3155 erase of page %u at 0x%08X", page, addr) : FK_OK;
}

static int f1b_mass_erase(void *h, fk_ctx *ctx)
{
	f1boot *b = h;
	b->bl.ctx = ctx;
	return an3155_erase_mass(&b->bl, AN3155_MASS_ALL);
}

/* Write Memory takes 4-aligned words (AN3155 §3.6): a half-word-aligned run is widened with
 * 0xFF, which leaves an erased half-word erased (PM0075 §2.3.3: programming is only allowed on
 * erased half-words; the driver erases before it programs). */
static int f1b_program(void *h, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	f1boot *b = h;
	b->bl.ctx = ctx;
	uint32_t lead = addr & 3U;
	if (!lead)
		return f1b_nack_rdp(b, ctx, an3155_write(&b->bl, addr, buf, len), addr, "writing");
	uint8_t *tmp = malloc((size_t)len + lead);
	if (!tmp)
		return fk_fail(ctx, FK_E_NOMEM, "aligning a write at 0x%08X", addr);
	memset(tmp, 0xFF, lead);
	memcpy(tmp + lead, buf, len);
	int rc = an3155_write(&b->bl, addr - lead, tmp, len + lead);
	free(tmp);
	return f1b_nack_rdp(b, ctx, rc, addr, "writing");
}

/* After an option command the F0/F3 ROM resets the chip (the client re-synchronises and
 * counts a restart); the F1 ROM keeps running and the new bytes load at the next reset. */
static void f1b_after_options(f1boot *b, unsigned restarts_before)
{
	if (b->bl.restarts == restarts_before)
		b->options_pending = true;
}

/* Non-regressing changes: one Write Memory of the 16 bytes to 0x1FFFF800 (AN3155 §3.6: the
 * ROM erases the option area, then writes the new values). Regression (RDP 1 -> 0): Readout
 * Unprotect (AN3155 §3.12), the only command the ROM takes under RDP: it erases all flash and
 * writes the level-0 RDP; what it leaves in the other option bytes is the ROM's, so they are
 * written afterwards when the chip lets us (a second Write Memory once RDP is 0). */
static int f1b_write_options(void *h, fk_ctx *ctx, const stm32f1_opts *want, bool regress)
{
	f1boot *b = h;
	b->bl.ctx = ctx;
	uint8_t v[8] = {want->rdp,	       want->user,		want->data0,
			want->data1,	       (uint8_t)want->wrp,	(uint8_t)(want->wrp >> 8),
			(uint8_t)(want->wrp >> 16), (uint8_t)(want->wrp >> 24)};
	uint8_t ob[STM32F1_OPTBYTES_LEN];
	for (unsigned i = 0; i < 8; i++) {
		bool absent = i >= 6 && b->dev->wrp_bits <= 16; /* RM0091 §3.3 Table 11 */
		ob[2 * i] = absent ? 0xFFU : v[i];
		ob[2 * i + 1] = absent ? 0xFFU : (uint8_t)~v[i];
	}
	unsigned before = b->bl.restarts;
	int rc;
	if (regress) {
		rc = an3155_readout_unprotect(&b->bl);
		if (rc)
			return fk_fail_wrap(ctx, rc, "AN3155 Readout Unprotect (0x92)");
		f1b_after_options(b, before);
		if (b->options_pending) {
			fk_hint(ctx, "reset the board with BOOT0 still high (NRST or a power cycle), "
				     "then `flashkey status` to confirm level 0 and `flashkey options "
				     "set` for the other option bytes");
			return fk_fail(ctx, FK_E_LOCKED, "Readout Unprotect done: the bootloader "
				       "erased all flash and programmed the level-0 RDP, but the F1 "
				       "bootloader does not reset the chip (AN3155, figure footnote), "
				       "so RDP level 1 stays loaded and nothing can be read back "
				       "until the next reset");
		}
		before = b->bl.restarts;
	}
	rc = an3155_write_options(&b->bl, STM32F1_OPTBYTES, ob, sizeof ob);
	if (rc)
		return fk_fail_wrap(ctx, rc, "AN3155 Write Memory to the option bytes at 0x%08X",
				    STM32F1_OPTBYTES);
	f1b_after_options(b, before);
	return FK_OK;
}

/* A system reset: the bootloader has no command for it, so code in RAM requests it (AIRCR,
 * an3155_system_reset); the option bytes load then. NRST and power are not on a UART. */
static int f1b_reset(void *h, fk_ctx *ctx, fk_reset_kind kind, bool reload)
{
	f1boot *b = h;
	(void)reload;
	b->bl.ctx = ctx;
	if (kind != FK_RESET_SYSTEM) {
		fk_hint(ctx, "`flashkey reset sw` resets through the bootloader; for NRST or a power "
			     "cycle use a debug probe, or a --boot-seq that pulses NRST from DTR/RTS");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the bootloader path has no %s: a UART reaches "
						      "only USART1 RX/TX",
			       kind == FK_RESET_HARDWARE ? "NRST line" : "power switch");
	}
	int rc = an3155_system_reset(&b->bl);
	if (rc == FK_E_NACK && b->bl.nack_on_cmd) {
		fk_hint(ctx, "reset the board with BOOT0 high (NRST or a power cycle)");
		return fk_fail_wrap(ctx, FK_E_PROTECTED, "system reset through the bootloader: the "
				    "code that requests it cannot be loaded while RDP level 1 is "
				    "in force (Write Memory and Go are refused, AN3155 Table 2)");
	}
	if (!rc)
		b->have_snap = false; /* the option bytes loaded again */
	return rc;
}

/* AN3155 §3.5 Go: MSP from [addr], jump to [addr + 4]; the ROM answers nothing afterwards. */
static int f1b_run(void *h, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len)
{
	f1boot *b = h;
	(void)reset_mode;
	b->bl.ctx = ctx;
	if (b->bl.ncmds && !an3155_has(&b->bl, AN3155_CMD_GO)) {
		fk_hint(ctx, "start the application with a reset and BOOT0 low, or over a debug probe");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this bootloader does not list Go (0x21) in "
						      "its Get reply");
	}
	snprintf(how, how_len, "AN3155 Go 0x%08X (MSP from [0x%08X], jump to [0x%08X])", addr, addr,
		 addr + 4U);
	if (dry)
		return FK_OK;
	int rc = an3155_go(&b->bl, addr);
	return rc ? fk_fail_wrap(ctx, rc, "AN3155 Go 0x%08X", addr) : FK_OK;
}

static uint64_t f1b_vns(void *h)
{
	f1boot *b = h;
	return b->vns ? b->vns(b->stream_h) : 0;
}

static void f1b_close(void *h)
{
	f1boot *b = h;
	if (!b)
		return;
	fk_ctx *ctx = fk_ctx_new();
	b->bl.ctx = ctx;
	(void)an3155_detach(&b->bl);
	fk_ctx_free(ctx);
	free(b);
}

static const stm32f1_path_ops f1b_ops = {
	.name = "bootloader",
	.read = f1b_read,
	.crc32 = f1b_crc32,
	.blank = f1b_blank,
	.regs = NULL,         /* FLASH_SR/CR are not readable through the bootloader */
	.options = f1b_options,
	.clear_errors = NULL, /* the ROM clears, unlocks and relocks by itself */
	.unlock_ctrl = NULL,
	.unlock_opt = NULL,
	.lock = NULL,
	.erase_page = f1b_erase_page,
	.mass_erase = f1b_mass_erase,
	.program = f1b_program,
	.write_options = f1b_write_options,
	.reset = f1b_reset,
	.run = f1b_run,
	.virtual_ns = f1b_vns,
	.key_failed = NULL,
	.close = f1b_close,
};

int stm32f1_boot_adopt(fk_ctx *ctx, const stm32f1_device *dev, const fk_transport *t,
		       const an3155 *bl, const stm32f1_path_ops **ops, void **h)
{
	f1boot *b = calloc(1, sizeof *b);
	if (!b)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the STM32F1 bootloader path");
	b->bl = *bl;
	b->dev = dev;
	/* the code in RAM goes past what the ROM keeps (AN2606; dev->bl_ram_reserved) and runs at
	 * the HSI, 8 MHz (UNCONFIRMED: AN2606's clock rows for these parts not retrieved) */
	an3155_stub_place(&b->bl, 0x20000000u + dev->bl_ram_reserved,
			  0x20000000u + 1024u * dev->sram_kb, 8000000u, 8000000u);
	b->vns = ((const fk_stream_ops *)t->ops)->virtual_ns;
	b->stream_h = t->handle;
	if (!stm32f1_dev_bl_version_known(dev, bl->version))
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "bootloader version %u.%u is not one the "
			      "device data lists for the %s (AN2606): continuing, but its commands "
			      "may differ", bl->version >> 4, bl->version & 0xFU, dev->desc);
	*ops = &f1b_ops;
	*h = b;
	return FK_OK;
}

