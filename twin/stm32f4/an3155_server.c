/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Twin of the STM32F40x/41x system bootloader (USART, protocol V3.1): the AN3155 byte protocol.
 * Memory and flash-controller work is in an3155_rom.c; this file is the wire side. Go runs the
 * code on the twin's CPU (f4_cpu.c).
 *
 * Sources: AN3155 Rev 20 §1 (0x7F autobaud; bytes before it are ignored), §3 (ACK 0x79, NACK
 * 0x1F, command + complement, XOR checksums; after NACK back to waiting for a command), §3.1-3.12
 * (each command), Table 2 (commands NACKed under RDP; F4 resets after WM to option bytes, WP,
 * WUP, RP, RUP), Table 3 (V3.1); AN2606 Rev 69 Table 74 (F40x V3.1: two NACKs for Read/Write
 * Memory when RDP is active), Table 227 (start-up 84.59 ms); an3155.md §2.5 (Get reply of a
 * V3.1 bootloader: 0B 31 00 01 02 11 21 31 44 63 73 82 92). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#include "stm32f4/an3155_rom.h"
#include "stm32f4/an3155_server.h"

#define AN_ACK 0x79U
#define AN_NACK 0x1FU
#define AN_OUT_MAX 8192U

enum an_state { AN_BOOT, AN_CMD, AN_COLLECT, AN_APP };

static const uint8_t an_commands[] = {0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
				      0x44, 0x63, 0x73, 0x82, 0x92};

struct tw_an3155 {
	tw_f4 *chip;
	an_rom rom;
	tw_an3155_cfg cfg;
	enum an_state st;
	uint8_t cmd;
	unsigned stage;
	uint8_t buf[600];
	size_t have, need;
	uint32_t addr;
	uint64_t ready_at;
	uint8_t out[AN_OUT_MAX];
	size_t out_len, out_pos;
	uint64_t out_ns[AN_OUT_MAX]; /* when each queued byte's stop bit left the device */
	uint64_t tx_last_ns;         /* that time for the last byte the host took */
	uint64_t rx_bytes, tx_bytes;
	tw_f4_run go;
	bool went;
};

uint64_t tw_an3155_byte_ns(const tw_an3155 *s)
{
	return (uint64_t)s->cfg.bits_per_byte * 1000000000ULL / s->cfg.baud;
}

static void an_emit(tw_an3155 *s, uint8_t c)
{
	tw_f4_advance(s->chip, tw_an3155_byte_ns(s)); /* the device is transmitting */
	s->tx_bytes++;
	if (s->out_pos == s->out_len)
		s->out_pos = s->out_len = 0;
	if (s->out_len < AN_OUT_MAX) {
		s->out_ns[s->out_len] = tw_f4_now_ns(s->chip);
		s->out[s->out_len++] = c;
	}
}

static void an_emit_n(tw_an3155 *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		an_emit(s, p[i]);
}

/* Back to waiting for a command pair (AN3155 §3: after the final ACK or NACK). */
static void an_to_cmd(tw_an3155 *s)
{
	s->st = AN_CMD;
	s->have = 0;
}

static void an_collect(tw_an3155 *s, unsigned stage, size_t need)
{
	s->st = AN_COLLECT;
	s->stage = stage;
	s->have = 0;
	s->need = need;
}

static void an_done(tw_an3155 *s, uint8_t reply)
{
	an_emit(s, reply);
	an_to_cmd(s);
}

/* The chip was just reset with the boot pins on system memory: the bootloader starts again and
 * ignores the line until its start-up time is over (AN2606 Table 227). */
static void an_restart(tw_an3155 *s)
{
	s->st = AN_BOOT;
	s->ready_at = tw_f4_now_ns(s->chip) + s->cfg.startup_ns;
	an_rom_init(&s->rom, s->chip);
}

/* A system reset at the end of a command (AN3155 Table 2 footnote: F0/F2/F4/F7). */
static void an_reset(tw_an3155 *s)
{
	tw_f4_reset(s->chip, TW_RESET_SYSTEM);
	an_restart(s);
}

static void an_log(tw_an3155 *s, const char *line)
{
	if (s->cfg.log)
		s->cfg.log(s->cfg.hook_arg, line);
}

static uint8_t an_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

static bool an_addr_ok(tw_an3155 *s)
{
	if (an_xor(s->buf, 5) != 0)
		return false;
	s->addr = ((uint32_t)s->buf[0] << 24) | ((uint32_t)s->buf[1] << 16) |
		  ((uint32_t)s->buf[2] << 8) | s->buf[3];
	return true;
}

/* ---- commands without payload ---- */
static void an_get(tw_an3155 *s)
{
	uint8_t r[3 + sizeof an_commands];
	r[0] = AN_ACK;
	r[1] = (uint8_t)sizeof an_commands;
	r[2] = AN_ROM_VERSION;
	memcpy(r + 3, an_commands, sizeof an_commands);
	an_emit_n(s, r, sizeof r);
	an_done(s, AN_ACK);
}

static void an_get_version(tw_an3155 *s)
{
	/* AN3155 §3.2: the two option bytes are 0x00 for compatibility; they tell nothing of RDP */
	const uint8_t r[] = {AN_ACK, AN_ROM_VERSION, 0x00, 0x00};
	an_emit_n(s, r, sizeof r);
	an_done(s, AN_ACK);
}

static void an_get_id(tw_an3155 *s)
{
	uint16_t pid = an_rom_pid(&s->rom);
	const uint8_t r[] = {AN_ACK, 0x01, (uint8_t)(pid >> 8), (uint8_t)pid};
	an_emit_n(s, r, sizeof r);
	an_done(s, AN_ACK);
}

/* WUP, RP, RUP: ACK, the work, a second ACK (or NACK), then the reset (AN3155 §3.10-3.12). */
static void an_resetting(tw_an3155 *s, int (*work)(an_rom *))
{
	an_emit(s, AN_ACK);
	int rc = work(&s->rom);
	an_emit(s, rc ? AN_NACK : AN_ACK);
	if (rc)
		an_to_cmd(s);
	else
		an_reset(s);
}

/* ---- command byte pairs ---- */
static bool an_known(uint8_t c)
{
	return memchr(an_commands, c, sizeof an_commands) != NULL;
}

static void an_nack_rdp(tw_an3155 *s, uint8_t cmd)
{
	an_emit(s, AN_NACK);
	if (cmd == 0x11 || cmd == 0x31) /* AN2606 Table 74: V3.1 sends two NACKs here */
		an_emit(s, AN_NACK);
	an_to_cmd(s);
}

static void an_start(tw_an3155 *s, uint8_t cmd)
{
	bool open_cmd = cmd <= 0x02 || cmd == 0x92; /* AN3155 Table 2 note 2 */
	if (!open_cmd && an_rom_rdp_active(&s->rom)) {
		an_nack_rdp(s, cmd);
		return;
	}
	switch (cmd) {
	case 0x00: an_get(s); return;
	case 0x01: an_get_version(s); return;
	case 0x02: an_get_id(s); return;
	case 0x73: an_resetting(s, an_rom_write_unprotect); return;
	case 0x82: an_resetting(s, an_rom_readout_protect); return;
	case 0x92: an_resetting(s, an_rom_readout_unprotect); return;
	case 0x44: an_emit(s, AN_ACK); an_collect(s, 0, 2); return;
	case 0x63: an_emit(s, AN_ACK); an_collect(s, 0, 1); return;
	default: an_emit(s, AN_ACK); an_collect(s, 0, 5); return; /* 0x11, 0x21, 0x31: address */
	}
}

/* ---- payload stages ---- */
static void an_read_stage(tw_an3155 *s)
{
	if (s->stage == 0) {
		if (!an_addr_ok(s) || !an_rom_readable(&s->rom, s->addr, 1)) {
			an_done(s, AN_NACK);
			return;
		}
		an_emit(s, AN_ACK);
		an_collect(s, 1, 2);
		return;
	}
	unsigned n = (unsigned)s->buf[0] + 1;
	if ((s->buf[0] ^ s->buf[1]) != 0xFF || !an_rom_readable(&s->rom, s->addr, n)) {
		an_done(s, AN_NACK);
		return;
	}
	uint8_t data[256];
	an_rom_read(&s->rom, s->addr, data, n);
	an_emit(s, AN_ACK);
	an_emit_n(s, data, n);
	an_to_cmd(s);
}

static void an_go_stage(tw_an3155 *s)
{
	if (!an_addr_ok(s) || !an_rom_go_ok(&s->rom, s->addr)) {
		an_done(s, AN_NACK);
		return;
	}
	an_emit(s, AN_ACK);
	if (s->cfg.flush)
		s->cfg.flush(s->cfg.hook_arg);
	/* AN3155 §3.5: the bootloader loads MSP from [addr] and jumps to [addr + 4]; the code runs
	 * (bounded: past the budget it runs on, unobserved, and nothing answers) */
	tw_f4_cpu_go(s->chip, s->addr, s->cfg.go_budget ? s->cfg.go_budget : TW_F4_GO_BUDGET, &s->go);
	s->went = true;
	bool reboot = s->go.end == TW_RUN_RESET && tw_f4_boot(s->chip) == TW_BOOT_SYSMEM &&
		      tw_f4_bootloader_available(s->chip);
	char line[384];
	snprintf(line, sizeof line, "Go 0x%08" PRIX32 ": code ", s->addr);
	tw_f4_run_describe(&s->go, line + strlen(line), sizeof line - strlen(line));
	if (reboot) {
		an_restart(s); /* BOOT0 still high: system memory again */
		fk_snprintf_cat(line, sizeof line, ", bootloader restarts");
	} else {
		s->st = AN_APP; /* the code (or, after a reset, the application) owns the chip */
		fk_snprintf_cat(line, sizeof line, "%s", s->go.end == TW_RUN_RESET
				? ", boots from flash/SRAM: the bootloader stays silent"
				: "; the bootloader is gone (silent)");
	}
	an_log(s, line);
}

static void an_write_stage(tw_an3155 *s)
{
	if (s->stage == 0) {
		if (!an_addr_ok(s) || !an_rom_writable(&s->rom, s->addr, 4)) {
			an_done(s, AN_NACK);
			return;
		}
		an_emit(s, AN_ACK);
		an_collect(s, 1, 1);
		return;
	}
	if (s->stage == 1) {
		an_collect(s, 2, (size_t)s->buf[0] + 2); /* data + checksum; N kept in buf[0] */
		s->have = 1;
		s->need = (size_t)s->buf[0] + 3;
		return;
	}
	unsigned n = (unsigned)s->buf[0] + 1;
	bool ok = an_xor(s->buf, n + 2) == 0 && (n % 4) == 0 && (s->addr % 4) == 0 &&
		  an_rom_writable(&s->rom, s->addr, n);
	if (!ok) { /* AN2606 §4.3: F4 writes must be 4-byte aligned and sized */
		an_done(s, AN_NACK);
		return;
	}
	bool options = an_rom_is_options(&s->rom, s->addr);
	int rc = an_rom_write(&s->rom, s->addr, s->buf + 1, n);
	an_emit(s, rc ? AN_NACK : AN_ACK);
	if (!rc && options) /* AN3155 §3.6: option bytes written, then a system reset */
		an_reset(s);
	else
		an_to_cmd(s);
}

static void an_erase_stage(tw_an3155 *s)
{
	uint16_t n = (uint16_t)((s->buf[0] << 8) | s->buf[1]);
	if (s->stage == 0) {
		size_t rest = n >= 0xFFF0 ? 1 : 2u * ((size_t)n + 1) + 1;
		if (rest > sizeof s->buf - 2) {
			an_done(s, AN_NACK);
			return;
		}
		s->st = AN_COLLECT;
		s->stage = 1;
		s->need = 2 + rest; /* keep the count bytes: the checksum covers them */
		return;
	}
	if (an_xor(s->buf, s->need) != 0) {
		an_done(s, AN_NACK);
		return;
	}
	int rc = n >= 0xFFF0 ? an_rom_mass_erase(&s->rom, n) : an_rom_erase_list(&s->rom, s->buf + 2, n + 1u);
	an_done(s, rc ? AN_NACK : AN_ACK);
}

static void an_wp_stage(tw_an3155 *s)
{
	if (s->stage == 0) {
		s->stage = 1;
		s->need = (size_t)s->buf[0] + 3;
		return;
	}
	unsigned n = (unsigned)s->buf[0] + 1;
	if (an_xor(s->buf, n + 2) != 0) {
		an_done(s, AN_NACK);
		return;
	}
	int rc = an_rom_write_protect(&s->rom, s->buf + 1, n);
	an_emit(s, rc ? AN_NACK : AN_ACK);
	if (rc)
		an_to_cmd(s);
	else
		an_reset(s);
}

static void an_stage(tw_an3155 *s)
{
	switch (s->cmd) {
	case 0x11: an_read_stage(s); break;
	case 0x21: an_go_stage(s); break;
	case 0x31: an_write_stage(s); break;
	case 0x44: an_erase_stage(s); break;
	case 0x63: an_wp_stage(s); break;
	default: an_to_cmd(s); break;
	}
}

static void an_byte(tw_an3155 *s, uint8_t c)
{
	switch (s->st) {
	case AN_APP:
		return;
	case AN_BOOT: /* AN3155 §1: only a 0x7F frame is timed; anything else is ignored */
		if (tw_f4_now_ns(s->chip) < s->ready_at || !tw_f4_bootloader_available(s->chip))
			return;
		if (c == 0x7F) {
			an_emit(s, AN_ACK);
			an_to_cmd(s);
		}
		return;
	case AN_CMD:
		s->buf[s->have++] = c;
		if (s->have < 2)
			return;
		s->have = 0;
		s->cmd = s->buf[0];
		if ((s->buf[0] ^ s->buf[1]) != 0xFF || !an_known(s->cmd))
			an_emit(s, AN_NACK);
		else
			an_start(s, s->cmd);
		return;
	case AN_COLLECT:
		s->buf[s->have++] = c;
		if (s->have >= s->need)
			an_stage(s);
		return;
	}
}

void tw_an3155_rx(tw_an3155 *s, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tw_f4_advance(s->chip, tw_an3155_byte_ns(s)); /* the byte is on the wire */
		s->rx_bytes++;
		if (!tw_f4_powered(s->chip))
			continue;
		an_byte(s, buf[i]);
	}
}

size_t tw_an3155_tx(tw_an3155 *s, uint8_t *buf, size_t max)
{
	size_t n = s->out_len - s->out_pos;
	if (n > max)
		n = max;
	memcpy(buf, s->out + s->out_pos, n);
	if (n)
		s->tx_last_ns = s->out_ns[s->out_pos + n - 1];
	s->out_pos += n;
	return n;
}

size_t tw_an3155_pending(const tw_an3155 *s)
{
	return s->out_len - s->out_pos;
}

void tw_an3155_board_reset(tw_an3155 *s)
{
	tw_f4_set_boot(s->chip, TW_BOOT_SYSMEM);
	an_reset(s);
	s->out_len = s->out_pos = 0;
}

void tw_an3155_counts(const tw_an3155 *s, uint64_t *rx, uint64_t *tx)
{
	*rx = s->rx_bytes;
	*tx = s->tx_bytes;
}

bool tw_an3155_in_application(const tw_an3155 *s)
{
	return s->st == AN_APP;
}

const tw_f4_run *tw_an3155_last_go(const tw_an3155 *s)
{
	return s->went ? &s->go : NULL;
}

tw_an3155 *tw_an3155_new(tw_f4 *chip, const tw_an3155_cfg *cfg)
{
	tw_an3155 *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->chip = chip;
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.baud)
		s->cfg.baud = 115200;
	if (!s->cfg.bits_per_byte)
		s->cfg.bits_per_byte = 11;
	an_rom_init(&s->rom, chip);
	s->st = AN_BOOT;
	s->ready_at = tw_f4_now_ns(chip); /* the board was reset before the host opened the port */
	return s;
}

void tw_an3155_free(tw_an3155 *s)
{
	free(s);
}

uint64_t tw_an3155_tx_last_ns(const tw_an3155 *s)
{
	return s->tx_last_ns;
}
