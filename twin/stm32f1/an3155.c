/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F0/F1/F3 system bootloader's USART protocol (AN3155) as the model's byte-stream port
 * "an3155" (twin/model.h): the wire side, in front of the ROM personality of rom.c, which does
 * every memory and FPEC step through the chip model as TW_INIT_BOOTLOADER (protection is the
 * model's). `flashkey-twin serve --uart-pty` and `twin-uart:` reach it through the generic
 * stream host end (twin/stream.h); nothing here knows which one.
 *
 * Sources: AN3155 Rev 20 §1 (0x7F autobaud, bytes before it ignored), §2-§3 (ACK 0x79, NACK
 * 0x1F, command + complement, XOR checksums), §3.1 Get (N = number of commands, version, the
 * list), §3.2 Get Version (version + two 0x00 option bytes), §3.3 Get ID, §3.4 Read Memory, §3.5
 * Go, §3.6 Write Memory, §3.7 Erase Memory 0x43 (N = 0xFF + 0x00 = global erase; else N+1 page
 * bytes and the XOR of N and the pages), §3.8 Extended Erase 0x44 (two-byte N MSB first,
 * 0xFFFF/0xFFFE/0xFFFD special erases + one checksum byte; else N+1 two-byte pages and their XOR
 * with N's bytes), §3.9-§3.12 Write Protect / Unprotect / Readout Protect / Unprotect (ACK,
 * work, second ACK); Table 2 note 2 (under read protection only Get, Get Version, Get ID and
 * Readout Unprotect are accepted); Table 3 (V2.2 and V3.x differences). AN2606 (F10x: V2.2 with
 * Erase 0x43; F0/F3: V3.1 with Extended Erase 0x44). Facts: ../shared/reference/an3155.md §2,
 * stm32-fpec.md §7. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/go.h"
#include "core/core.h"
#include "stm32f1/f1_int.h"
#include "stm32f1/model_int.h"
#include "stm32f1/rom.h"

#define F1A_ACK 0x79U
#define F1A_NACK 0x1FU
#define F1A_OUT_MAX 4096U

enum f1a_state { F1A_BOOT, F1A_CMD, F1A_COLLECT, F1A_APP };

typedef struct f1a {
	tw_f1 *chip;
	f1_rom rom;
	tw_stream_cfg cfg;
	enum f1a_state st;
	uint8_t cmd;
	unsigned stage;
	uint8_t buf[600];
	size_t have, need;
	uint32_t addr;
	uint64_t ready_at;
	uint8_t out[F1A_OUT_MAX];
	uint64_t out_ns[F1A_OUT_MAX];
	size_t out_len, out_pos;
	uint64_t tx_last_ns;
} f1a;

static uint64_t f1a_byte_ns(const void *sess)
{
	const f1a *s = sess;
	return (uint64_t)s->cfg.bits_per_byte * 1000000000ULL / s->cfg.baud;
}

static void f1a_emit(f1a *s, uint8_t c)
{
	tw_f1_advance(s->chip, f1a_byte_ns(s)); /* the device is transmitting */
	if (s->out_pos == s->out_len)
		s->out_pos = s->out_len = 0;
	if (s->out_len < F1A_OUT_MAX) {
		s->out_ns[s->out_len] = tw_f1_now_ns(s->chip);
		s->out[s->out_len++] = c;
	}
}

static void f1a_emit_n(f1a *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		f1a_emit(s, p[i]);
}

static void f1a_to_cmd(f1a *s)
{
	s->st = F1A_CMD;
	s->have = 0;
}

static void f1a_collect(f1a *s, unsigned stage, size_t need)
{
	s->st = F1A_COLLECT;
	s->stage = stage;
	s->have = 0;
	s->need = need;
}

static void f1a_done(f1a *s, uint8_t reply)
{
	f1a_emit(s, reply);
	f1a_to_cmd(s);
}

static void f1a_log(f1a *s, const char *line)
{
	if (s->cfg.log)
		s->cfg.log(s->cfg.hook_arg, line);
}

/* The chip was reset with the boot pins on system memory: the ROM starts again and ignores
 * the line until its start-up time is over. */
static void f1a_restart(f1a *s)
{
	s->st = F1A_BOOT;
	s->ready_at = tw_f1_now_ns(s->chip) + s->cfg.startup_ns;
	f1_rom_init(&s->rom, s->chip);
}

/* After Write Protect/Unprotect, Readout Protect/Unprotect and an option-byte Write Memory:
 * the F0/F3 ROM resets the chip (through OBL_LAUNCH, rom.c), the F1 ROM does not (AN3155
 * figure footnote; rom.c cites it). */
static void f1a_after_options(f1a *s)
{
	if (f1_rom_resets_after_options(&s->rom)) {
		f1_rom_after_option_change(&s->rom);
		f1a_restart(s);
		f1a_log(s, "option bytes changed: the ROM reset the chip (OBL_LAUNCH)");
	} else {
		f1a_to_cmd(s);
		f1a_log(s, "option bytes changed: they take effect at the next reset (F1 ROM does "
			   "not reset by itself)");
	}
}

static uint8_t f1a_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

static bool f1a_addr_ok(f1a *s)
{
	if (f1a_xor(s->buf, 5) != 0)
		return false;
	s->addr = ((uint32_t)s->buf[0] << 24) | ((uint32_t)s->buf[1] << 16) |
		  ((uint32_t)s->buf[2] << 8) | s->buf[3];
	return true;
}

/* ---- commands without payload ---- */

static void f1a_get(f1a *s)
{
	uint8_t c[16];
	unsigned n = f1_rom_commands(&s->rom, c);
	uint8_t r[3] = {F1A_ACK, (uint8_t)n, f1_rom_version(&s->rom)};
	f1a_emit_n(s, r, sizeof r);
	f1a_emit_n(s, c, n);
	f1a_done(s, F1A_ACK);
}

static void f1a_get_version(f1a *s)
{
	const uint8_t r[] = {F1A_ACK, f1_rom_version(&s->rom), 0x00, 0x00};
	f1a_emit_n(s, r, sizeof r);
	f1a_done(s, F1A_ACK);
}

static void f1a_get_id(f1a *s)
{
	uint16_t pid = f1_rom_pid(&s->rom);
	const uint8_t r[] = {F1A_ACK, 0x01, (uint8_t)(pid >> 8), (uint8_t)pid};
	f1a_emit_n(s, r, sizeof r);
	f1a_done(s, F1A_ACK);
}

/* Write Unprotect, Readout Protect, Readout Unprotect: ACK, the work, a second ACK or NACK. */
static void f1a_two_acks(f1a *s, int (*work)(f1_rom *), const char *what)
{
	f1a_emit(s, F1A_ACK);
	int rc = work(&s->rom);
	f1a_emit(s, rc ? F1A_NACK : F1A_ACK);
	char line[96];
	snprintf(line, sizeof line, "%s %s", what, rc ? "failed (NACK)" : "done");
	f1a_log(s, line);
	if (rc)
		f1a_to_cmd(s);
	else
		f1a_after_options(s);
}

static void f1a_start(f1a *s, uint8_t cmd)
{
	/* AN3155 Table 2 note 2. One NACK (UNCONFIRMED for V2.2/V3.1 of these parts: AN2606's
	 * "two NACKs" note is for the F40x V3.1) */
	bool open_cmd = cmd <= 0x02 || cmd == 0x92;
	if (!open_cmd && f1_rom_rdp_active(&s->rom)) {
		f1a_done(s, F1A_NACK);
		return;
	}
	switch (cmd) {
	case 0x00: f1a_get(s); return;
	case 0x01: f1a_get_version(s); return;
	case 0x02: f1a_get_id(s); return;
	case 0x73: f1a_two_acks(s, f1_rom_write_unprotect, "Write Unprotect"); return;
	case 0x82: f1a_two_acks(s, f1_rom_readout_protect, "Readout Protect"); return;
	case 0x92: f1a_two_acks(s, f1_rom_readout_unprotect, "Readout Unprotect"); return;
	case 0x43: f1a_emit(s, F1A_ACK); f1a_collect(s, 0, 1); return;
	case 0x44: f1a_emit(s, F1A_ACK); f1a_collect(s, 0, 2); return;
	case 0x63: f1a_emit(s, F1A_ACK); f1a_collect(s, 0, 1); return;
	default: f1a_emit(s, F1A_ACK); f1a_collect(s, 0, 5); return; /* 0x11, 0x21, 0x31 */
	}
}

/* ---- payload stages ---- */

static void f1a_read_stage(f1a *s)
{
	if (s->stage == 0) {
		if (!f1a_addr_ok(s) || !f1_rom_readable(&s->rom, s->addr, 1)) {
			f1a_done(s, F1A_NACK);
			return;
		}
		f1a_emit(s, F1A_ACK);
		f1a_collect(s, 1, 2);
		return;
	}
	unsigned n = (unsigned)s->buf[0] + 1;
	if ((s->buf[0] ^ s->buf[1]) != 0xFF || !f1_rom_readable(&s->rom, s->addr, n)) {
		f1a_done(s, F1A_NACK);
		return;
	}
	uint8_t data[256];
	f1_rom_read(&s->rom, s->addr, data, n);
	f1a_emit(s, F1A_ACK);
	f1a_emit_n(s, data, n);
	f1a_to_cmd(s);
}

/* The core Go's code runs on (twin/cpu/go.h): the model's bus as TW_INIT_BOOTLOADER (the
 * protection of a system-memory boot, RM0008 §2.3.x / RM0091 §3.3.1), its clock, and the core
 * from the variant's CPUID (ARCHITECTURE 0xF: ARMv7-M, the F1's Cortex-M3 and F3's Cortex-M4;
 * 0xC: ARMv6-M, the F0's Cortex-M0). Clock: UNCONFIRMED (AN2606's clock rows for these parts
 * not retrieved): the HSI, 8 MHz (RM0008 §7.2.1, RM0091 §6.2.2), the slowest the ROM could
 * leave: code's time is an upper bound. */
#define F1A_GO_HZ 8000000ULL

static tw_status f1a_go_read(void *chip, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_f1_read_wait(chip, TW_INIT_BOOTLOADER, addr, size, val);
}

static tw_status f1a_go_write(void *chip, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_f1_write_wait(chip, TW_INIT_BOOTLOADER, addr, size, val);
}

static void f1a_go_advance(void *chip, uint64_t ns)
{
	tw_f1_advance(chip, ns);
}

static uint64_t f1a_go_now(void *chip)
{
	return tw_f1_now_ns(chip);
}

static bool f1a_go_powered(void *chip)
{
	return tw_f1_powered(chip);
}

static unsigned f1a_go_resets(void *chip)
{
	return tw_f1_reset_count(chip);
}

/* AN3155 §3.5: the ROM loads MSP from [addr] and jumps to [addr + 4]: the code runs (bounded:
 * past the budget it runs on, unobserved, and nothing answers). A system reset it requests
 * with BOOT0 still high starts the bootloader again (SRAM keeps its content: RM0008 §3.3.x
 * "SRAM ... not affected by a system reset", the stub's results live there). */
static void f1a_go_stage(f1a *s)
{
	if (!f1a_addr_ok(s) || !f1_rom_go_ok(&s->rom, s->addr)) {
		f1a_done(s, F1A_NACK);
		return;
	}
	f1a_emit(s, F1A_ACK);
	const tw_f1_variant *v = tw_f1_variant_of(s->chip);
	tw_go_chip chip = {.chip = s->chip, .read = f1a_go_read, .write = f1a_go_write,
			   .advance = f1a_go_advance, .now_ns = f1a_go_now,
			   .powered = f1a_go_powered, .reset_count = f1a_go_resets,
			   .hz = F1A_GO_HZ,
			   .v7m = ((tw_f1_variant_cpuid(v) >> 16) & 0xFu) == 0xFu};
	tw_go_run run;
	if (s->cfg.flush)
		s->cfg.flush(s->cfg.hook_arg); /* the ACK reaches the host before the code runs */
	tw_go(&chip, s->addr, s->cfg.go_budget ? s->cfg.go_budget : TW_GO_BUDGET, &run);
	char line[384];
	snprintf(line, sizeof line, "Go 0x%08" PRIX32 ": code ", s->addr);
	tw_go_describe(&run, line + strlen(line), sizeof line - strlen(line));
	if (run.end == TW_RUN_RESET && tw_f1_boot(s->chip) == TW_BOOT_SYSMEM &&
	    tw_f1_bootloader_available(s->chip)) {
		f1a_restart(s); /* BOOT0 still high: system memory again */
		fk_snprintf_cat(line, sizeof line, ", bootloader restarts");
	} else {
		s->st = F1A_APP; /* the code (or, after a reset, the application) owns the chip */
		fk_snprintf_cat(line, sizeof line, "%s", run.end == TW_RUN_RESET
				? ", boots from flash/SRAM: the bootloader stays silent"
				: "; the bootloader is gone (silent until a board reset)");
	}
	f1a_log(s, line);
}

static void f1a_write_stage(f1a *s)
{
	if (s->stage == 0) {
		if (!f1a_addr_ok(s) || !f1_rom_writable(&s->rom, s->addr, 1)) {
			f1a_done(s, F1A_NACK);
			return;
		}
		f1a_emit(s, F1A_ACK);
		f1a_collect(s, 1, 1);
		return;
	}
	if (s->stage == 1) { /* N kept in buf[0]: the checksum covers it */
		s->stage = 2;
		s->need = (size_t)s->buf[0] + 3;
		return;
	}
	unsigned n = (unsigned)s->buf[0] + 1;
	if (f1a_xor(s->buf, n + 2) != 0 || !f1_rom_writable(&s->rom, s->addr, n)) {
		f1a_done(s, F1A_NACK);
		return;
	}
	bool options = f1_rom_is_options(&s->rom, s->addr);
	int rc = f1_rom_write(&s->rom, s->addr, s->buf + 1, n);
	f1a_emit(s, rc ? F1A_NACK : F1A_ACK);
	if (!rc && options)
		f1a_after_options(s);
	else
		f1a_to_cmd(s);
}

/* Erase 0x43 (V2.x): N; 0xFF then 0x00 = global erase; else N+1 page bytes and a checksum. */
static void f1a_erase_stage(f1a *s)
{
	if (s->stage == 0) {
		s->stage = 1;
		s->need = s->buf[0] == 0xFF ? 2 : (size_t)s->buf[0] + 3;
		return;
	}
	int rc;
	if (s->buf[0] == 0xFF) {
		if (s->buf[1] != 0x00) {
			f1a_done(s, F1A_NACK);
			return;
		}
		rc = f1_rom_mass_erase(&s->rom);
	} else {
		unsigned n = (unsigned)s->buf[0] + 1;
		if (f1a_xor(s->buf, n + 2) != 0) {
			f1a_done(s, F1A_NACK);
			return;
		}
		uint16_t pages[256];
		for (unsigned i = 0; i < n; i++)
			pages[i] = s->buf[1 + i];
		rc = f1_rom_erase_pages(&s->rom, pages, n);
	}
	f1a_done(s, rc ? F1A_NACK : F1A_ACK);
}

/* Extended Erase 0x44 (V3.x): two-byte N; 0xFFFF global erase (0xFFFE/0xFFFD bank erases:
 * these parts have one bank, NACKed, UNCONFIRMED); else N+1 two-byte pages and a checksum. */
static void f1a_ext_erase_stage(f1a *s)
{
	uint16_t n = (uint16_t)((s->buf[0] << 8) | s->buf[1]);
	if (s->stage == 0) {
		size_t rest = n >= 0xFFF0 ? 1 : 2u * ((size_t)n + 1) + 1;
		if (rest > sizeof s->buf - 2) {
			f1a_done(s, F1A_NACK);
			return;
		}
		s->stage = 1;
		s->need = 2 + rest;
		return;
	}
	if (f1a_xor(s->buf, s->need) != 0) {
		f1a_done(s, F1A_NACK);
		return;
	}
	int rc;
	if (n >= 0xFFF0) {
		rc = n == 0xFFFF ? f1_rom_mass_erase(&s->rom) : -1;
	} else {
		uint16_t pages[256];
		unsigned cnt = (unsigned)n + 1u;
		if (cnt > 256) {
			f1a_done(s, F1A_NACK);
			return;
		}
		for (unsigned i = 0; i < cnt; i++)
			pages[i] = (uint16_t)((s->buf[2 + 2 * i] << 8) | s->buf[3 + 2 * i]);
		rc = f1_rom_erase_pages(&s->rom, pages, cnt);
	}
	f1a_done(s, rc ? F1A_NACK : F1A_ACK);
}

static void f1a_wp_stage(f1a *s)
{
	if (s->stage == 0) {
		s->stage = 1;
		s->need = (size_t)s->buf[0] + 3;
		return;
	}
	unsigned n = (unsigned)s->buf[0] + 1;
	if (f1a_xor(s->buf, n + 2) != 0) {
		f1a_done(s, F1A_NACK);
		return;
	}
	int rc = f1_rom_write_protect(&s->rom, s->buf + 1, n);
	f1a_emit(s, rc ? F1A_NACK : F1A_ACK);
	if (rc)
		f1a_to_cmd(s);
	else
		f1a_after_options(s);
}

static void f1a_stage(f1a *s)
{
	switch (s->cmd) {
	case 0x11: f1a_read_stage(s); break;
	case 0x21: f1a_go_stage(s); break;
	case 0x31: f1a_write_stage(s); break;
	case 0x43: f1a_erase_stage(s); break;
	case 0x44: f1a_ext_erase_stage(s); break;
	case 0x63: f1a_wp_stage(s); break;
	default: f1a_to_cmd(s); break;
	}
}

static void f1a_byte(f1a *s, uint8_t c)
{
	switch (s->st) {
	case F1A_APP:
		return;
	case F1A_BOOT: /* AN3155 §1: only 0x7F is taken; anything else is ignored */
		if (tw_f1_now_ns(s->chip) < s->ready_at || !tw_f1_bootloader_available(s->chip))
			return;
		if (c == 0x7F) {
			f1a_emit(s, F1A_ACK);
			f1a_to_cmd(s);
		}
		return;
	case F1A_CMD:
		s->buf[s->have++] = c;
		if (s->have < 2)
			return;
		s->have = 0;
		s->cmd = s->buf[0];
		/* a command this ROM does not list (0x44 on a V2.2 ROM, 0x43 on V3.1) is NACKed */
		if ((s->buf[0] ^ s->buf[1]) != 0xFF || !f1_rom_has_command(&s->rom, s->cmd))
			f1a_emit(s, F1A_NACK);
		else
			f1a_start(s, s->cmd);
		return;
	case F1A_COLLECT:
		s->buf[s->have++] = c;
		if (s->have >= s->need)
			f1a_stage(s);
		return;
	}
}

/* ---- the tw_stream_port entries ---- */

static void f1a_rx(void *sess, const uint8_t *buf, size_t n)
{
	f1a *s = sess;
	for (size_t i = 0; i < n; i++) {
		tw_f1_advance(s->chip, f1a_byte_ns(s)); /* the byte is on the wire */
		if (!tw_f1_powered(s->chip))
			continue;
		f1a_byte(s, buf[i]);
	}
}

static size_t f1a_tx(void *sess, uint8_t *buf, size_t max)
{
	f1a *s = sess;
	size_t n = s->out_len - s->out_pos;
	if (n > max)
		n = max;
	memcpy(buf, s->out + s->out_pos, n);
	if (n)
		s->tx_last_ns = s->out_ns[s->out_pos + n - 1];
	s->out_pos += n;
	return n;
}

static size_t f1a_pending(const void *sess)
{
	const f1a *s = sess;
	return s->out_len - s->out_pos;
}

static uint64_t f1a_tx_last(const void *sess)
{
	return ((const f1a *)sess)->tx_last_ns;
}

/* AN2606 pattern for these parts: BOOT0=1, BOOT1=0 (F1) / nBOOT1=1 (F0/F3), then a reset. */
static void f1a_enter(void *m)
{
	tw_f1_set_boot(m, TW_BOOT_SYSMEM);
	tw_f1_reset(m, TW_RESET_SYSTEM);
}

static void f1a_board_reset(void *sess)
{
	f1a *s = sess;
	f1a_enter(s->chip);
	f1a_restart(s);
	s->out_len = s->out_pos = 0;
}

static int f1a_open(void *m, fk_ctx *ctx, const tw_stream_cfg *cfg, void **sess)
{
	tw_f1 *t = m;
	if (!tw_f1_bootloader_available(t)) {
		fk_hint(ctx, "RDP level 2 is permanent: only the firmware in flash can still talk");
		return fk_fail(ctx, FK_E_DEBUG_DISABLED, "%s: the ROM bootloader does not run at "
							 "RDP level 2 (RM0091 §3.3.1)", t->v->name);
	}
	f1a *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "creating the bootloader server");
	s->chip = t;
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.baud)
		s->cfg.baud = 115200;
	if (!s->cfg.bits_per_byte)
		s->cfg.bits_per_byte = 11; /* AN3155 §1: 8 data bits, even parity, 1 stop bit */
	f1_rom_init(&s->rom, t);
	s->st = F1A_BOOT;
	s->ready_at = tw_f1_now_ns(t);
	*sess = s;
	return FK_OK;
}

static void f1a_close(void *sess)
{
	free(sess);
}

const tw_stream_port f1_an3155_port = {
	.protocol = "an3155",
	.summary = "STM32 ROM bootloader, USART protocol AN3155 (F1: V2.2, F0/F3: V3.1)",
	/* UNCONFIRMED: AN2606's start-up time for these parts not retrieved; none modelled */
	.startup_ns = 0,
	.enter = f1a_enter,
	.open = f1a_open,
	.close = f1a_close,
	.rx = f1a_rx,
	.tx = f1a_tx,
	.pending = f1a_pending,
	.tx_last_ns = f1a_tx_last,
	.byte_ns = f1a_byte_ns,
	.board_reset = f1a_board_reset,
	.lines = NULL,
	.set_baud = NULL,
};
