/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 bootloader access path: the family driver's operations carried out by the ROM
 * bootloader over AN3155 (boot/stm32_usart). The ROM unlocks, programs (x8 unless told the
 * supply range, AN2606 §4.3) and erases by itself; what it cannot do (read the flash registers,
 * anything while RDP is active except Readout Unprotect) is said, with the path that can.
 *
 * Sources: AN3155 Rev 20 §3.4-§3.12 and Table 2 (under RDP only Get, Get Version, Get ID and
 * Readout Unprotect are accepted: a refused Read Memory is how this path sees RDP level 1);
 * AN2606 Rev 69 Table 73 (F40x bootloader programs x8), §4.3 Table 4 (OTP read/write);
 * RM0090 Rev 21 §3.7 (option bytes); stm32.md §1.7 (option-byte area layout: 0x1FFFC000 USER/RDP,
 * 0x1FFFC008 nWRP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/stm32_usart.h"
#include "chip/stm32f4_boot.h"
#include "core/core.h"

#define F4B_RDP_HINT "Readout Unprotect removes it and erases all flash: `flashkey unlock --dry-run` shows the plan"

/* Main-flash writes are gathered into whole 256-byte Write Memory blocks: the driver hands over
 * runs split at blank (0xFF) stretches, and one AN3155 command per run would cost 12 extra wire
 * characters each. Gaps inside a block are sent as 0xFF, which leaves flash cells unchanged
 * (bits only go 1 -> 0, RM0090 §3.6.3). Every other operation flushes the block first. */
#define F4B_BLOCK AN3155_MAX_BLOCK

typedef struct f4boot {
	an3155 bl;
	uint64_t (*vns)(void *);
	void *stream_h;
	uint32_t pend_addr;
	unsigned pend_len;
	uint8_t pend[F4B_BLOCK];
	stm32f4_psize pend_psize; /* parallelism the gathered block is to be programmed with */
	stm32f4_psize rom_psize;  /* what the ROM was last set to, valid while ... */
	unsigned rom_restarts;    /* ... the bootloader has not restarted since (then it is x8) */
} f4boot;

/* AN2606 §4.3 Table 4: a virtual 4-byte location selects the supply range the ROM programs and
 * erases for, until the next reset; the parallelism per range is RM0090 Table 13's (x8 at
 * 1.8-2.1 V, x16 at 2.4-2.7 V, x32 at 2.7-3.6 V, x64 with VPP). UNCONFIRMED that the ROM maps
 * ranges to PSIZE exactly so (an3155.md §8). Written only when the ROM's setting differs. */
#define F4B_VRANGE_ADDR 0xFFFF0000U

static int f4b_vrange(f4boot *b, fk_ctx *ctx, stm32f4_psize psize)
{
	static const uint8_t range[4] = {0x00, 0x02, 0x03, 0x04};
	stm32f4_psize now = b->rom_restarts == b->bl.restarts ? b->rom_psize : STM32F4_PSIZE_X8;
	if (now == psize || (unsigned)psize > STM32F4_PSIZE_X64)
		return FK_OK;
	uint8_t v[4] = {range[psize], 0xFF, 0xFF, 0xFF};
	int rc = an3155_write_block(&b->bl, F4B_VRANGE_ADDR, v, sizeof v);
	if (rc == FK_E_NACK) {
		fk_hint(ctx, "leave out --voltage/--psize: the bootloader then programs x8");
		return fk_fail_wrap(ctx, FK_E_UNSUPPORTED, "the bootloader refused voltage range 0x%02X "
							   "at 0x%08X (AN2606 §4.3 Table 4)",
				    range[psize], F4B_VRANGE_ADDR);
	}
	if (rc)
		return fk_fail_wrap(ctx, rc, "setting the bootloader's voltage range at 0x%08X",
				    F4B_VRANGE_ADDR);
	b->rom_psize = psize;
	b->rom_restarts = b->bl.restarts;
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "bootloader voltage range 0x%02X: programs x%u",
	       range[psize], 8u << psize);
	return FK_OK;
}

/* Every operation starts here: the client reports into this call's context (callers pass
 * short-lived "quiet" contexts for probing), and a gathered block goes out first. */
static int f4b_flush(f4boot *b, fk_ctx *ctx)
{
	b->bl.ctx = ctx;
	if (!b->pend_len)
		return FK_OK;
	unsigned n = b->pend_len;
	b->pend_len = 0;
	int rc = f4b_vrange(b, ctx, b->pend_psize);
	return rc ? rc : an3155_write(&b->bl, b->pend_addr, b->pend, n);
}

static int f4b_nack_rdp(f4boot *b, fk_ctx *ctx, int rc, uint32_t addr)
{
	if (rc != FK_E_NACK || !b->bl.nack_on_cmd)
		return rc;
	fk_hint(ctx, F4B_RDP_HINT);
	return fk_fail_wrap(ctx, FK_E_PROTECTED,
			    "reading 0x%08X: the bootloader refuses Read Memory: readout protection "
			    "(RDP level 1) is active (AN3155 Table 2)", addr);
}

static int f4b_idcode(void *h, fk_ctx *ctx, uint32_t *idcode)
{
	f4boot *b = h;
	b->bl.ctx = ctx;
	*idcode = b->bl.pid; /* Get ID gives DEV_ID only; REV_ID is not visible on this path */
	return FK_OK;
}

static int f4b_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	f4boot *b = h;
	int rc = f4b_flush(b, ctx);
	if (rc)
		return rc;
	return f4b_nack_rdp(b, ctx, an3155_read(&b->bl, addr, buf, len), addr);
}

static int f4b_flash_kb(void *h, fk_ctx *ctx, uint16_t *kb)
{
	uint8_t v[2];
	int rc = f4b_read(h, ctx, STM32F4_FLASH_SIZE_REG, v, 2);
	if (!rc)
		*kb = fk_get_le16(v);
	return rc;
}

/* OPTCR/OPTCR1 images from the option area (stm32.md §1.7). Bits 1:0 (OPTLOCK/OPTSTRT) are not
 * option bytes: left 0. */
static uint32_t f4b_optword(const uint8_t *ob, bool bank2)
{
	uint32_t hi = ((uint32_t)ob[9] << 24 | (uint32_t)ob[8] << 16);
	hi &= 0xCFFF0000U; /* bits 29:28 read as 1 in the area, reserved in OPTCR (stm32.md §1.7) */
	return bank2 ? hi & 0x0FFF0000U : hi | ((uint32_t)ob[1] << 8) | (ob[0] & 0xFCU);
}

int stm32f4_boot_path_regs(void *h, fk_ctx *ctx, stm32f4_regs *r)
{
	f4boot *b = h;
	uint8_t ob[STM32F4_OPTBYTES_LEN];
	memset(r, 0, sizeof *r);
	int rc = f4b_flush(b, ctx);
	if (rc)
		return rc;
	fk_ctx saved = *ctx;
	rc = an3155_read(&b->bl, STM32F4_OPTBYTES_BANK1, ob, sizeof ob);
	if (rc == FK_E_NACK && b->bl.nack_on_cmd) {
		/* RDP active: level 1 (at level 2 the bootloader would not run at all); the NACK is
		 * the answer, not a failure: an earlier failure in ctx stays the one reported */
		fk_ctx_restore_error(ctx, &saved);
		r->rdp_inferred = true;
		r->rdp_inferred_level = 1;
		return FK_OK;
	}
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the option bytes at 0x%08X", STM32F4_OPTBYTES_BANK1);
	const stm32f4_device *dev = stm32f4_dev_find(b->bl.pid);
	/* Bits without an option read as 1 in the area (RM0090 Table 16: F40x USER bit 4, nWRP
	 * halfword bits 15:12) and as 0 in OPTCR: the register image leaves them 0 */
	r->optcr = f4b_optword(ob, false) & ~(dev ? dev->optcr_reserved : 0U);
	r->optcr_valid = true;
	if (!dev || !dev->has_optcr1)
		return FK_OK; /* no second option area (nWRP of sectors 12-23) on this part */
	rc = an3155_read(&b->bl, STM32F4_OPTBYTES_BANK2, ob, sizeof ob);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the option bytes at 0x%08X", STM32F4_OPTBYTES_BANK2);
	r->optcr1 = f4b_optword(ob, true);
	r->optcr1_valid = true;
	return FK_OK;
}

static int f4b_erase_sector(void *h, fk_ctx *ctx, const stm32f4_sector *s, stm32f4_psize psize)
{
	f4boot *b = h;
	uint16_t n = s->number; /* AN3155 §3.8: F4 "pages" are sector numbers */
	int rc = f4b_flush(b, ctx);
	if (!rc)
		rc = f4b_vrange(b, ctx, psize); /* erase time follows PSIZE (DS8626 Table 40) */
	if (!rc)
		rc = an3155_erase(&b->bl, &n, 1);
	if (rc == FK_E_NACK)
		fk_hint(ctx, "a NACK here means RDP level 1 or a write-protected sector: `flashkey status`");
	return rc ? fk_fail_wrap(ctx, rc, "erasing sector %u at 0x%08X", s->number, s->addr) : FK_OK;
}

static int f4b_erase_list(void *h, fk_ctx *ctx, const stm32f4_sector *const *list, unsigned n,
			  stm32f4_psize psize)
{
	f4boot *b = h;
	uint16_t nums[STM32F4_MAX_SECTORS];
	if (n > STM32F4_MAX_SECTORS)
		return fk_fail(ctx, FK_E_INTERNAL, "erase list of %u sectors", n);
	for (unsigned i = 0; i < n; i++)
		nums[i] = list[i]->number;
	int rc = f4b_flush(b, ctx);
	if (!rc)
		rc = f4b_vrange(b, ctx, psize);
	if (!rc)
		rc = an3155_erase(&b->bl, nums, n);
	if (rc == FK_E_NACK)
		fk_hint(ctx, "a NACK here means RDP level 1 or a write-protected sector: `flashkey status`");
	return rc;
}

static int f4b_mass_erase(void *h, fk_ctx *ctx, bool two_banks, stm32f4_psize psize)
{
	f4boot *b = h;
	(void)two_banks; /* 0xFFFF erases every bank */
	int rc = f4b_flush(b, ctx);
	if (!rc)
		rc = f4b_vrange(b, ctx, psize);
	return rc ? rc : an3155_erase_mass(&b->bl, AN3155_MASS_ALL);
}

static bool f4b_main_flash(uint32_t addr)
{
	return addr >= STM32F4_FLASH_BASE && addr < STM32F4_FLASH_BASE + 0x00200000U;
}

/* OTP, RAM: written as given. Write Memory takes 4-aligned words (AN2606 Table 7), so a run is
 * widened with 0xFF here (front) and by the client (tail). 0xFF programs no OTP bit; on a lock
 * byte that is how one LOCKBn goes out as a word without touching its neighbours: the lock block
 * has no lock of its own (RM0090 §3.8), while a data block's lock is checked before any write
 * (stm32f4_otp_write), as 0xFF into a locked block would be WRPERR (§3.7.4). */
static int f4b_program_direct(f4boot *b, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	uint32_t lead = addr & 3U; /* Write Memory needs 4-byte alignment (AN2606 Table 7) */
	if (!lead)
		return an3155_write(&b->bl, addr, buf, len);
	uint8_t *tmp = malloc(len + lead);
	if (!tmp)
		return fk_fail(ctx, FK_E_NOMEM, "aligning a write at 0x%08X", addr);
	memset(tmp, 0xFF, lead);
	memcpy(tmp + lead, buf, len);
	int rc = an3155_write(&b->bl, addr - lead, tmp, len + lead);
	free(tmp);
	return rc;
}

static int f4b_program(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		       stm32f4_psize psize)
{
	f4boot *b = h;
	const uint8_t *p = buf;
	int rc = FK_OK;
	if (!f4b_main_flash(addr)) {
		if (!(rc = f4b_flush(b, ctx)) && !(rc = f4b_vrange(b, ctx, psize)))
			rc = f4b_program_direct(b, ctx, addr, p, len);
		return rc;
	}
	while (len && !rc) {
		uint32_t blk = addr & ~(F4B_BLOCK - 1U), off = addr - blk;
		if (b->pend_len && (blk != b->pend_addr || psize != b->pend_psize) &&
		    (rc = f4b_flush(b, ctx)))
			break;
		if (!b->pend_len) {
			b->pend_addr = blk;
			b->pend_psize = psize;
			memset(b->pend, 0xFF, sizeof b->pend);
		}
		uint32_t n = FK_MIN(len, F4B_BLOCK - off);
		memcpy(b->pend + off, p, n);
		b->pend_len = FK_MAX(b->pend_len, off + n);
		addr += n;
		p += n;
		len -= n;
		if (b->pend_len == F4B_BLOCK)
			rc = f4b_flush(b, ctx);
	}
	return rc;
}

/* Bytes one run of the CRC code may cover. An independent watchdog started by hardware
 * (option WDG_SW = 0) keeps running in the bootloader, which refreshes it, but not in our
 * code: its shortest period is 4096 x 4 / LSI max 47 kHz = 0.35 s (RM0090 §19.3, DS8626 LSI);
 * 128 KiB at 20 cycles a byte takes 0.16 s even at 16 MHz. A range (a sector, at most 128 KiB)
 * is never split. */
#define F4B_CRC_RUN_BYTES 0x20000u

static int f4b_crc32(void *h, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		     uint32_t *crc)
{
	f4boot *b = h;
	int rc = f4b_flush(b, ctx);
	return rc ? rc : an3155_crc32_runs(&b->bl, addr, len, n, crc, F4B_CRC_RUN_BYTES);
}

/* A system reset: the bootloader has no command for it, so code in RAM requests it (AIRCR);
 * NRST and power are not wired to a UART. */
static int f4b_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	f4boot *b = h;
	int rc = f4b_flush(b, ctx);
	if (rc)
		return rc;
	if (kind != FK_RESET_SYSTEM) {
		fk_hint(ctx, "`flashkey reset sw` resets through the bootloader; for NRST or a power "
			     "cycle use a debug probe (-c stlink, -c cmsis-dap), or a --boot-seq that "
			     "pulses NRST from DTR/RTS and reconnect");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the bootloader path has no %s: a UART reaches "
						      "only USART1 RX/TX",
			       kind == FK_RESET_HARDWARE ? "NRST line" : "power switch");
	}
	return an3155_system_reset(&b->bl);
}

/* Start code with AN3155 Go (§3.5: the bootloader loads MSP from [addr] and jumps to the reset
 * handler at [addr + 4]). The ROM answers nothing afterwards: the code owns the chip (and its
 * USART) until a reset with BOOT0 high starts the bootloader again. Go is a jump, not a reset:
 * --reset does not apply, and nothing the bootloader set up (clock, USART) is reset. */
static int f4b_run(void *h, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len)
{
	f4boot *b = h;
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
	int rc = f4b_flush(b, ctx);
	if (!rc)
		rc = an3155_go(&b->bl, addr);
	return rc ? fk_fail_wrap(ctx, rc, "AN3155 Go 0x%08X", addr) : FK_OK;
}

static uint64_t f4b_vns(void *h)
{
	f4boot *b = h;
	return b->vns ? b->vns(b->stream_h) : 0;
}

static void f4b_close(void *h)
{
	f4boot *b = h;
	if (!b)
		return;
	fk_ctx *ctx = fk_ctx_new();
	if (f4b_flush(b, ctx))
		fk_log(ctx, FK_LOG_ERROR, FK_TRACE_CHIP, "the last block was not written");
	b->bl.ctx = ctx;
	an3155_detach(&b->bl);
	fk_ctx_free(ctx);
	free(b);
}

static const stm32f4_path_ops f4b_ops = {
	.name = "bootloader",
	.idcode = f4b_idcode,
	.flash_kb = f4b_flash_kb,
	.read = f4b_read,
	.regs = stm32f4_boot_path_regs,
	.clear_errors = NULL, /* the ROM clears, unlocks and relocks by itself */
	.unlock_ctrl = NULL,
	.unlock_opt = NULL,
	.lock = NULL,
	.erase_sector = f4b_erase_sector,
	.mass_erase = f4b_mass_erase,
	.erase_list = f4b_erase_list,
	.program = f4b_program,
	.write_options = stm32f4_boot_write_options,
	.reset = f4b_reset, /* no reset command: code in RAM requests one */
	.voltage_mv = NULL,
	.virtual_ns = f4b_vns,
	.crc32 = f4b_crc32,
	.close = f4b_close,
	.run = f4b_run,
};

an3155 *stm32f4_boot_client(void *h)
{
	return &((f4boot *)h)->bl;
}

int stm32f4_boot_flush(void *h, fk_ctx *ctx)
{
	return f4b_flush(h, ctx);
}

int stm32f4_boot_open(fk_ctx *ctx, const fk_transport *t, const char *boot_seq,
		      const stm32f4_path_ops **ops, void **h)
{
	an3155 bl;
	int rc = an3155_attach(&bl, ctx, t, boot_seq);
	if (!rc)
		rc = an3155_connect(&bl);
	if (rc)
		return fk_fail_wrap(ctx, rc, "%s", t->description);
	rc = stm32f4_boot_adopt(ctx, t, &bl, ops, h);
	if (rc)
		(void)an3155_detach(&bl);
	return rc;
}

int stm32f4_boot_adopt(fk_ctx *ctx, const fk_transport *t, const an3155 *bl,
		       const stm32f4_path_ops **ops, void **h)
{
	f4boot *b = calloc(1, sizeof *b);
	if (!b)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the bootloader path");
	b->bl = *bl;
	b->vns = ((const fk_stream_ops *)t->ops)->virtual_ns;
	b->stream_h = t->handle;
	*ops = &f4b_ops;
	*h = b;
	return FK_OK;
}
