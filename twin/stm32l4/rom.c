/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4/G0/G4 twin: the system-memory bootloader's USART protocol (AN3155 v3.1) as the
 * model's "an3155" byte-stream port. It drives the chip only through tw_l4_read/tw_l4_write
 * as TW_INIT_BOOTLOADER, running the flash-controller sequences the ROM runs (keys, PG with
 * double words, PER/STRT per page, MER, OPTR + OPTSTRT + OBL_LAUNCH), so the model alone
 * decides protection. Bytes are charged on the twin's clock at 11 bits per byte (8E1).
 *
 * Sources: AN3155 Rev 20 §2 (0x7F, ACK 0x79, NACK 0x1F, command + complement), §3.1 Get (v3.1
 * command list with Extended Erase 0x44), §3.2 GV, §3.3 GID, §3.4 Read Memory, §3.5 Go, §3.6
 * Write Memory, §3.8 Extended Erase (0xFFFF/0xFFFE/0xFFFD, page list big-endian), §3.9-3.12
 * Write Protect/Unprotect, Readout Protect/Unprotect (two ACKs, then a system reset); AN2606
 * (RDP active: Read, Write, Go, Erase and Write (Un)protect are NACKed; Readout Unprotect
 * regresses to level 0 with a mass erase). UNCONFIRMED: the level-1 value the ROM writes for
 * Readout Protect (0xBB, HAL's OB_RDP_LEVEL_1); Write Protect covers the listed pages with
 * WRP1A/WRP1B/... as one range per area in order (the ROM's own mapping is not documented). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/go.h"
#include "stm32l4/l4.h"

#define ACK 0x79U
#define NACK 0x1FU
#define FR(o) (L4_FLASH_REGS + (o))

typedef enum rs {
	RS_SYNC = 0, /* waiting for 0x7F */
	RS_CMD,      /* command byte + complement */
	RS_ADDR,     /* 4 address bytes + checksum */
	RS_LEN,      /* Read: N + complement */
	RS_WDATA,    /* Write: N, N+1 bytes, checksum */
	RS_ERASE,    /* Extended Erase: 2 bytes N (+ list) + checksum */
	RS_WP,       /* Write Protect: N, N+1 sectors, checksum */
	RS_DEAD,     /* after Go: the application runs */
} rs;

typedef struct l4_rom {
	tw_l4 *t;
	rs st;
	uint8_t cmd;
	uint8_t in[2 + 2 * 65536 + 1];
	size_t n_in;
	uint32_t addr;
	uint8_t out[512];
	size_t n_out;
	uint64_t tx_last;
	unsigned baud;
	tw_stream_cfg cfg; /* the server's hooks (log) */
} l4_rom;

static uint64_t rom_byte_ns(const l4_rom *r)
{
	return 11ULL * 1000000000ULL / r->baud;
}

static void put(l4_rom *r, uint8_t b)
{
	if (r->n_out < sizeof r->out)
		r->out[r->n_out++] = b;
}

static uint32_t rrd(l4_rom *r, uint32_t a)
{
	uint32_t v = 0;
	tw_status st = tw_l4_read(r->t, TW_INIT_BOOTLOADER, a, 4, &v);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_l4_advance(r->t, r->t->op_end > r->t->now ? r->t->op_end - r->t->now : 1);
		st = tw_l4_read(r->t, TW_INIT_BOOTLOADER, a, 4, &v);
	}
	return v;
}

static tw_status rwr(l4_rom *r, uint32_t a, uint32_t v)
{
	tw_status st = tw_l4_write(r->t, TW_INIT_BOOTLOADER, a, 4, v);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_l4_advance(r->t, r->t->op_end > r->t->now ? r->t->op_end - r->t->now : 1);
		st = tw_l4_write(r->t, TW_INIT_BOOTLOADER, a, 4, v);
	}
	return st;
}

static void wait_idle(l4_rom *r)
{
	if (tw_l4_busy(r->t))
		tw_l4_advance(r->t, r->t->op_end - r->t->now);
}

static bool rdp_active(l4_rom *r)
{
	return tw_l4_level(r->t) != 0;
}

/* 0 ok, -1 the controller reported an error (cleared) */
static int sr_check(l4_rom *r)
{
	wait_idle(r);
	uint32_t sr = rrd(r, FR(L4R_SR));
	rwr(r, FR(L4R_SR), sr & L4_SR_W1C);
	return (sr & L4_SR_PROG_ERRS) ? -1 : 0;
}

static void unlock(l4_rom *r, bool opt)
{
	if (rrd(r, FR(L4R_CR)) & L4_CR_LOCK) {
		rwr(r, FR(L4R_KEYR), L4_KEY1);
		rwr(r, FR(L4R_KEYR), L4_KEY2);
	}
	if (opt && (rrd(r, FR(L4R_CR)) & L4_CR_OPTLOCK)) {
		rwr(r, FR(L4R_OPTKEYR), L4_OPTKEY1);
		rwr(r, FR(L4R_OPTKEYR), L4_OPTKEY2);
	}
}

static void lock(l4_rom *r)
{
	rwr(r, FR(L4R_CR), L4_CR_LOCK);
}

static bool in(uint32_t a, uint32_t n, uint32_t lo, uint32_t hi)
{
	return a >= lo && a < hi && n <= hi - a;
}

static bool readable(l4_rom *r, uint32_t a, uint32_t n)
{
	const l4_variant *v = r->t->v;
	return in(a, n, L4_FLASH_BASE, L4_FLASH_BASE + v->flash_bytes) ||
	       in(a, n, L4_SRAM_BASE, L4_SRAM_BASE + v->sram_bytes) ||
	       in(a, n, L4_SYSMEM, v->sysmem_end) || in(a, n, L4_OTP, 0x1FFF7800U) ||
	       in(a, n, L4_OB1, L4_OB1 + 0x80U) || (v->banks == 2 && in(a, n, L4_OB2, L4_OB2 + 0x30U));
}

/* Write Memory: flash in double words (a partial double word is padded with 0xFF), RAM from
 * the first address the ROM leaves free (stm32flash dev_table.c). */
static int write_mem(l4_rom *r, uint32_t a, const uint8_t *d, uint32_t n)
{
	const l4_variant *v = r->t->v;
	if (in(a, n, v->bl_ram_start, L4_SRAM_BASE + v->sram_bytes)) {
		for (uint32_t i = 0; i < n; i++)
			r->t->sram[a - L4_SRAM_BASE + i] = d[i];
		return 0;
	}
	if (!in(a, n, L4_FLASH_BASE, L4_FLASH_BASE + v->flash_bytes) || (a & 7U))
		return -1;
	unlock(r, false);
	rwr(r, FR(L4R_CR), L4_CR_PG);
	int rc = 0;
	for (uint32_t i = 0; i < n && !rc; i += 8) {
		uint8_t dw[8];
		memset(dw, 0xFF, sizeof dw);
		memcpy(dw, d + i, n - i < 8 ? n - i : 8);
		uint32_t lo = (uint32_t)dw[0] | (uint32_t)dw[1] << 8 | (uint32_t)dw[2] << 16 |
			      (uint32_t)dw[3] << 24;
		uint32_t hi = (uint32_t)dw[4] | (uint32_t)dw[5] << 8 | (uint32_t)dw[6] << 16 |
			      (uint32_t)dw[7] << 24;
		if (rwr(r, a + i, lo) != TW_OK || rwr(r, a + i + 4, hi) != TW_OK)
			rc = -1;
		else
			rc = sr_check(r);
	}
	rwr(r, FR(L4R_CR), 0);
	lock(r);
	return rc;
}

static int erase_page(l4_rom *r, unsigned page)
{
	const l4_variant *v = r->t->v;
	unsigned per_bank = v->flash_bytes / v->banks / v->page_bytes;
	if (page >= per_bank * v->banks)
		return -1;
	uint32_t cr = L4_CR_PER | ((page % per_bank) << L4_CR_PNB_SHIFT) | L4_CR_STRT;
	if (page >= per_bank)
		cr |= L4_CR_BKER;
	rwr(r, FR(L4R_CR), cr);
	return sr_check(r);
}

static int mass_erase(l4_rom *r, uint16_t code)
{
	uint32_t mer = code == 0xFFFEU ? L4_CR_MER1 : code == 0xFFFDU ? L4_CR_MER2
								 : L4_CR_MER1 | L4_CR_MER2;
	if (r->t->v->banks == 1 && code == 0xFFFDU)
		return -1;
	unlock(r, false);
	rwr(r, FR(L4R_CR), mer);
	rwr(r, FR(L4R_CR), mer | L4_CR_STRT);
	int rc = sr_check(r);
	rwr(r, FR(L4R_CR), 0);
	lock(r);
	return rc;
}

/* Option change as the ROM does it: OPTR/WRP registers, OPTSTRT, then OBL_LAUNCH (a reset:
 * the bootloader starts over). */
static int options(l4_rom *r, int idx, uint32_t val, uint32_t mask)
{
	unlock(r, true);
	uint32_t reg = L4_FLASH_REGS + r->t->v->opt[idx].reg;
	rwr(r, reg, (rrd(r, reg) & ~mask) | (val & mask));
	rwr(r, FR(L4R_CR), L4_CR_OPTSTRT);
	int rc = sr_check(r);
	rwr(r, FR(L4R_CR), L4_CR_OBL_LAUNCH);
	return rc;
}

static void restart(l4_rom *r)
{
	r->st = RS_SYNC;
	r->n_in = 0;
}

static void command(l4_rom *r, uint8_t c)
{
	static const uint8_t cmds[] = {0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
				       0x44, 0x63, 0x73, 0x82, 0x92};
	const l4_variant *v = r->t->v;
	r->cmd = c;
	r->n_in = 0;
	switch (c) {
	case 0x00:
		put(r, ACK);
		put(r, sizeof cmds);
		put(r, v->bl_version);
		for (size_t i = 0; i < sizeof cmds; i++)
			put(r, cmds[i]);
		put(r, ACK);
		return;
	case 0x01:
		put(r, ACK);
		put(r, v->bl_version);
		put(r, 0);
		put(r, 0);
		put(r, ACK);
		return;
	case 0x02:
		put(r, ACK);
		put(r, 1);
		put(r, (uint8_t)(v->dev_id >> 8));
		put(r, (uint8_t)v->dev_id);
		put(r, ACK);
		return;
	case 0x11:
	case 0x21:
	case 0x31:
	case 0x44:
	case 0x63:
		if (rdp_active(r)) {
			put(r, NACK);
			return;
		}
		put(r, ACK);
		r->st = c == 0x44 ? RS_ERASE : c == 0x63 ? RS_WP : RS_ADDR;
		return;
	case 0x73: { /* Write Unprotect: every WRP area unused (start 1 > end 0, as OpenOCD) */
		if (rdp_active(r)) {
			put(r, NACK);
			return;
		}
		put(r, ACK);
		int idx[4] = {v->o_wrp1a, v->o_wrp1b, v->o_wrp2a, v->o_wrp2b};
		unlock(r, true);
		for (unsigned k = 0; k < 4; k++)
			if (idx[k] >= 0)
				rwr(r, L4_FLASH_REGS + v->opt[idx[k]].reg, 0x00000001U |
				    (rrd(r, L4_FLASH_REGS + v->opt[idx[k]].reg) & ~v->opt[idx[k]].mask));
		rwr(r, FR(L4R_CR), L4_CR_OPTSTRT);
		put(r, sr_check(r) ? NACK : ACK);
		rwr(r, FR(L4R_CR), L4_CR_OBL_LAUNCH);
		restart(r);
		return;
	}
	case 0x82: /* Readout Protect: level 1 (0xBB, UNCONFIRMED value) */
		if (rdp_active(r)) {
			put(r, NACK);
			return;
		}
		put(r, ACK);
		put(r, options(r, 0, 0xBB, 0xFF) ? NACK : ACK);
		restart(r);
		return;
	case 0x92: /* Readout Unprotect: RDP 0xAA, the model erases per PCROP_RDP */
		put(r, ACK);
		put(r, options(r, 0, 0xAA, 0xFF) ? NACK : ACK);
		restart(r);
		return;
	default:
		put(r, NACK);
		return;
	}
}

/* The core Go's code runs on (twin/cpu/go.h): the model's bus as TW_INIT_BOOTLOADER (the
 * protection of a system-memory boot, RM0351 §3.5.1), its clock; a Cortex-M4 (ARMv7-M) on the L4
 * and G4, a Cortex-M0+ (ARMv6-M) on the G0. Clock: UNCONFIRMED (AN2606's clock rows for these
 * parts not retrieved): HSI16, 16 MHz (RM0351 §6.2.2, RM0444 §5.2.2), no PLL assumed: the
 * code's time is an upper bound. */
#define ROM_GO_HZ 16000000ULL

static tw_status go_access(tw_l4 *t, bool rnw, uint32_t a, unsigned size, uint32_t *v)
{
	tw_status st = rnw ? tw_l4_read(t, TW_INIT_BOOTLOADER, a, size, v)
			   : tw_l4_write(t, TW_INIT_BOOTLOADER, a, size, *v);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_l4_advance(t, t->op_end > t->now ? t->op_end - t->now : 1);
		st = rnw ? tw_l4_read(t, TW_INIT_BOOTLOADER, a, size, v)
			 : tw_l4_write(t, TW_INIT_BOOTLOADER, a, size, *v);
	}
	return st;
}

static tw_status go_read(void *chip, uint32_t a, unsigned size, uint32_t *v)
{
	return go_access(chip, true, a, size, v);
}

static tw_status go_write(void *chip, uint32_t a, unsigned size, uint32_t v)
{
	return go_access(chip, false, a, size, &v);
}

static void go_advance(void *chip, uint64_t ns) { tw_l4_advance(chip, ns); }
static uint64_t go_now(void *chip) { return ((tw_l4 *)chip)->now; }
static bool go_powered(void *chip) { return ((tw_l4 *)chip)->powered; }
static unsigned go_resets(void *chip) { return ((tw_l4 *)chip)->resets; }

/* AN3155 §3.5: after the address's ACK the ROM loads MSP from [addr] and jumps to [addr + 4]:
 * the code runs (bounded: past the budget it runs on, unobserved, and nothing answers). A
 * system reset it requests with BOOT0 still high starts the bootloader again; SRAM keeps its
 * content through a system reset (RM0351 §3.x, only a power-on clears it in the model). */
static void go(l4_rom *r)
{
	tw_l4 *t = r->t;
	tw_go_chip chip = {.chip = t, .read = go_read, .write = go_write, .advance = go_advance,
			   .now_ns = go_now, .powered = go_powered, .reset_count = go_resets,
			   .hz = ROM_GO_HZ, .v7m = t->v->kind != L4K_G0};
	tw_go_run run;
	if (r->cfg.flush)
		r->cfg.flush(r->cfg.hook_arg); /* the ACK reaches the host before the code runs */
	tw_go(&chip, r->addr, r->cfg.go_budget ? r->cfg.go_budget : TW_GO_BUDGET, &run);
	if (run.end == TW_RUN_RESET && t->boot_sysmem && tw_l4_level(t) != 2)
		restart(r); /* the bootloader starts again */
	else
		r->st = RS_DEAD; /* the code, or after a reset the application, owns the chip */
	if (r->cfg.log) {
		char line[384];
		int k = snprintf(line, sizeof line, "Go 0x%08X: code ", (unsigned)r->addr);
		tw_go_describe(&run, line + k, sizeof line - (size_t)k);
		r->cfg.log(r->cfg.hook_arg, line);
	}
}

static uint8_t xor_of(const uint8_t *b, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= b[i];
	return x;
}

static void rx_byte(l4_rom *r, uint8_t b)
{
	const l4_variant *v = r->t->v;
	switch (r->st) {
	case RS_DEAD:
		return;
	case RS_SYNC:
		if (b == 0x7F) {
			put(r, ACK);
			r->st = RS_CMD;
			r->n_in = 0;
		}
		return;
	case RS_CMD:
		r->in[r->n_in++] = b;
		if (r->n_in < 2)
			return;
		r->n_in = 0;
		if ((uint8_t)(r->in[0] ^ r->in[1]) != 0xFF) {
			put(r, NACK);
			return;
		}
		command(r, r->in[0]);
		return;
	case RS_ADDR:
		r->in[r->n_in++] = b;
		if (r->n_in < 5)
			return;
		r->n_in = 0;
		r->addr = (uint32_t)r->in[0] << 24 | (uint32_t)r->in[1] << 16 |
			  (uint32_t)r->in[2] << 8 | r->in[3];
		if (xor_of(r->in, 4) != r->in[4]) {
			put(r, NACK);
			r->st = RS_CMD;
			return;
		}
		if (r->cmd == 0x21) {
			bool ok = in(r->addr, 4, L4_FLASH_BASE, L4_FLASH_BASE + v->flash_bytes) ||
				  in(r->addr, 4, v->bl_ram_start, L4_SRAM_BASE + v->sram_bytes);
			put(r, ok ? ACK : NACK);
			if (ok)
				go(r);
			else
				r->st = RS_CMD;
			return;
		}
		bool ok = r->cmd == 0x11 ? readable(r, r->addr, 1)
					 : readable(r, r->addr, 1) || in(r->addr, 1, v->bl_ram_start,
									  L4_SRAM_BASE + v->sram_bytes);
		put(r, ok ? ACK : NACK);
		r->st = ok ? (r->cmd == 0x11 ? RS_LEN : RS_WDATA) : RS_CMD;
		return;
	case RS_LEN: {
		r->in[r->n_in++] = b;
		if (r->n_in < 2)
			return;
		r->n_in = 0;
		r->st = RS_CMD;
		uint32_t n = (uint32_t)r->in[0] + 1U;
		if ((uint8_t)(r->in[0] ^ r->in[1]) != 0xFF || !readable(r, r->addr, n)) {
			put(r, NACK);
			return;
		}
		put(r, ACK);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t a = r->addr + i, w = rrd(r, a & ~3U);
			put(r, (uint8_t)(w >> (8 * (a & 3U))));
		}
		return;
	}
	case RS_WDATA: {
		r->in[r->n_in++] = b;
		size_t need = (size_t)r->in[0] + 3U;
		if (r->n_in < need)
			return;
		r->n_in = 0;
		r->st = RS_CMD;
		uint32_t n = (uint32_t)r->in[0] + 1U;
		if (xor_of(r->in, need - 1) != r->in[need - 1]) {
			put(r, NACK);
			return;
		}
		put(r, write_mem(r, r->addr, r->in + 1, n) ? NACK : ACK);
		return;
	}
	case RS_ERASE: {
		r->in[r->n_in++] = b;
		if (r->n_in < 3)
			return;
		uint16_t n = (uint16_t)(r->in[0] << 8 | r->in[1]);
		if (n >= 0xFFF0U) {
			r->n_in = 0;
			r->st = RS_CMD;
			if ((uint8_t)(r->in[0] ^ r->in[1]) != r->in[2] || n < 0xFFFDU) {
				put(r, NACK);
				return;
			}
			put(r, mass_erase(r, n) ? NACK : ACK);
			return;
		}
		size_t need = 2U + 2U * ((size_t)n + 1U) + 1U;
		if (r->n_in < need)
			return;
		r->n_in = 0;
		r->st = RS_CMD;
		if (xor_of(r->in, need - 1) != r->in[need - 1]) {
			put(r, NACK);
			return;
		}
		unlock(r, false);
		int rc = 0;
		for (size_t i = 0; i <= n && !rc; i++)
			rc = erase_page(r, (unsigned)(r->in[2 + 2 * i] << 8 | r->in[3 + 2 * i]));
		rwr(r, FR(L4R_CR), 0);
		lock(r);
		put(r, rc ? NACK : ACK);
		return;
	}
	case RS_WP: {
		r->in[r->n_in++] = b;
		size_t need = (size_t)r->in[0] + 3U;
		if (r->n_in < need)
			return;
		r->n_in = 0;
		r->st = RS_CMD;
		if (xor_of(r->in, need - 1) != r->in[need - 1]) {
			put(r, NACK);
			return;
		}
		/* the listed pages of bank 1 as one range in WRP1A (UNCONFIRMED mapping) */
		unsigned lo = 0xFFFF, hi = 0;
		for (size_t i = 1; i < need - 1; i++) {
			lo = r->in[i] < lo ? r->in[i] : lo;
			hi = r->in[i] > hi ? r->in[i] : hi;
		}
		int rc = options(r, v->o_wrp1a, (uint32_t)hi << 16 | lo,
				 v->wrp_field | v->wrp_field << 16);
		put(r, rc ? NACK : ACK);
		restart(r);
		return;
	}
	}
}

/* ---------------------------------------------------------------- the port */

static int rom_open(void *m, fk_ctx *ctx, const tw_stream_cfg *cfg, void **sess)
{
	tw_l4 *t = m;
	if (tw_l4_level(t) == 2)
		return fk_fail(ctx, FK_E_DEBUG_DISABLED, "the system bootloader is disabled at RDP "
							 "level 2 (%s §3.5.1)", t->v->manual);
	l4_rom *r = calloc(1, sizeof *r);
	if (!r)
		return fk_fail(ctx, FK_E_NOMEM, "creating the bootloader");
	r->t = t;
	r->baud = cfg && cfg->baud ? cfg->baud : 115200U;
	if (cfg)
		r->cfg = *cfg;
	r->tx_last = t->now;
	*sess = r;
	return FK_OK;
}

static void rom_close(void *s) { free(s); }

static void rom_rx(void *s, const uint8_t *buf, size_t n)
{
	l4_rom *r = s;
	for (size_t i = 0; i < n; i++) {
		tw_l4_advance(r->t, rom_byte_ns(r));
		rx_byte(r, buf[i]);
	}
}

static size_t rom_tx(void *s, uint8_t *buf, size_t max)
{
	l4_rom *r = s;
	size_t n = r->n_out < max ? r->n_out : max;
	memcpy(buf, r->out, n);
	memmove(r->out, r->out + n, r->n_out - n);
	r->n_out -= n;
	if (n) {
		tw_l4_advance(r->t, n * rom_byte_ns(r));
		r->tx_last = r->t->now;
	}
	return n;
}

static size_t rom_pending(const void *s) { return ((const l4_rom *)s)->n_out; }
static uint64_t rom_tx_last(const void *s) { return ((const l4_rom *)s)->tx_last; }
static uint64_t rom_byte(const void *s) { return rom_byte_ns(s); }
/* AN2606 pattern for these parts: BOOT0 = 1 (nBOOT1 = 1, nSWBOOT0 = 1 in the factory options),
 * then a reset: the ROM bootloader starts. */
static void rom_enter(void *m)
{
	tw_l4 *t = m;
	t->boot_sysmem = true;
	t->dirty = true;
	tw_l4_reset(t, TW_RESET_SYSTEM);
}

static void rom_board_reset(void *s)
{
	l4_rom *r = s;
	rom_enter(r->t);
	r->n_out = 0;
	restart(r);
}

const tw_stream_port tw_l4_an3155_port = {
	.protocol = "an3155",
	.summary = "STM32 ROM bootloader, USART protocol AN3155 v3.1",
	.enter = rom_enter,
	.open = rom_open,
	.close = rom_close,
	.rx = rom_rx,
	.tx = rom_tx,
	.pending = rom_pending,
	.tx_last_ns = rom_tx_last,
	.byte_ns = rom_byte,
	.board_reset = rom_board_reset,
	.lines = NULL,
	.set_baud = NULL,
};
