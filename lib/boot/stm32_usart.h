/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/stm32_usart: client of the STM32 system-memory bootloader's USART protocol (AN3155),
 * over any FK_TRANSPORT_STREAM (serial port, pty, in-process twin).
 *
 * Sources: AN3155 Rev 20 §1-§3 (framing, sync, ACK 0x79 / NACK 0x1F, every command's byte
 * sequence, Table 2 reset-after-command list, Table 3 versions); AN2606 Rev 69 Tables 74/76
 * (F40x V3.1 double NACK under RDP); facts in ../shared/reference/an3155.md. */
#ifndef FK_BOOT_STM32_USART_H
#define FK_BOOT_STM32_USART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"

#define AN3155_ACK 0x79u
#define AN3155_NACK 0x1Fu
#define AN3155_SYNC 0x7Fu

enum an3155_cmd {
	AN3155_CMD_GET = 0x00,
	AN3155_CMD_GET_VERSION = 0x01,
	AN3155_CMD_GET_ID = 0x02,
	AN3155_CMD_READ = 0x11,
	AN3155_CMD_GO = 0x21,
	AN3155_CMD_WRITE = 0x31,
	AN3155_CMD_ERASE = 0x43,
	AN3155_CMD_EXT_ERASE = 0x44,
	AN3155_CMD_WRITE_PROTECT = 0x63,
	AN3155_CMD_WRITE_UNPROTECT = 0x73,
	AN3155_CMD_READOUT_PROTECT = 0x82,
	AN3155_CMD_READOUT_UNPROTECT = 0x92,
	AN3155_CMD_GET_CHECKSUM = 0xA1,
};

#define AN3155_MAX_BLOCK 256u /* Read/Write Memory: N+1 <= 256 (AN3155 §3.4, §3.6) */
#define AN3155_MAX_CMDS 32u

typedef enum an3155_mass {
	AN3155_MASS_ALL = 0xFFFF,   /* Extended Erase special code: global mass erase */
	AN3155_MASS_BANK1 = 0xFFFE, /* bank 1 mass erase */
	AN3155_MASS_BANK2 = 0xFFFD, /* bank 2 mass erase */
} an3155_mass;

/* Reply budgets in milliseconds (an3155.md §4.3: what stm32flash allows, which real parts meet). */
typedef struct an3155_timeouts {
	unsigned reply_ms;        /* any ACK or data byte of a short command */
	unsigned write_ms;        /* Write Memory final ACK (byte programming, 256 B x 100 us max) */
	unsigned sector_erase_ms; /* per sector in an Extended Erase list (128 KB x8: 4 s max) */
	unsigned mass_erase_ms;   /* mass erase and Readout Unprotect (F4 x8: 32 s max) */
	unsigned option_ms;       /* second ACK of Write (Un)protect / Readout Protect */
	unsigned sync_ms;         /* reply to one 0x7F */
	unsigned reset_ms;        /* bootloader start-up after a reset (AN2606 Table 227: 84.59 ms) */
} an3155_timeouts;

/* A DTR/RTS boot-entry sequence in stm32flash's -i syntax (rts,-dtr,dtr:rts...): entry before
 * the first 0x7F, exit when done. */
#define AN3155_SEQ_MAX 16
typedef struct an3155_seq_step {
	char line;     /* 'd' DTR, 'r' RTS */
	int level;     /* 1 = asserted, 0 = released */
	unsigned delay_ms; /* after this step: 100 for ',' (and at the end), 0 for '&' */
} an3155_seq_step;
typedef struct an3155_seq {
	unsigned n;
	an3155_seq_step step[AN3155_SEQ_MAX];
} an3155_seq;

typedef struct an3155 {
	fk_ctx *ctx;
	const fk_stream_ops *ops;
	void *h;
	an3155_timeouts tmo;
	unsigned max_retries; /* per block on timeouts and garbage (never on NACK) */
	bool synced;
	unsigned restarts;    /* bootloader restarts seen (re-syncs after a reset): ROM settings
			       * such as the voltage range (AN2606 §4.3) are back to defaults */
	uint8_t version;      /* from Get, e.g. 0x31 = protocol v3.1 */
	uint8_t opt[2];       /* Get Version's two compatibility bytes (always 0: no RDP status) */
	uint16_t pid;         /* Get ID, e.g. 0x413 */
	unsigned ncmds;
	uint8_t cmds[AN3155_MAX_CMDS];
	/* diagnostics of the command in progress */
	uint8_t cur_cmd;
	size_t nseen;
	uint8_t seen[24];   /* bytes received since the command started (first 24) */
	unsigned nack_extra; /* extra NACKs drained after the last NACK (F40x V3.1 sends two) */
	bool nack_on_cmd;    /* the last NACK refused the command itself (RDP: AN3155 Table 2) */
	bool sync_nack;      /* the last sync was answered NACK: the bootloader had not restarted */
	an3155_seq entry, exit;
	/* Code in RAM (stm32_stub.c): where it may go, set by the family driver from its device
	 * data (an3155_stub_place); all zero: the F4 defaults (AN3155_STUB_BASE, 24/16 MHz). */
	uint32_t stub_base;    /* vector table and code; parameters at + AN3155_STUB_PARAMS_OFF */
	uint32_t stub_ram_end; /* first byte past the RAM (0: not checked) */
	uint32_t stub_hz_fast, stub_hz_slow; /* the bootloader's core clock, fastest and slowest */
} an3155;

/* ---- pure helpers (no I/O; unit-tested and fuzzed) ---- */
const char *an3155_cmd_name(uint8_t cmd);
uint8_t an3155_xor(const uint8_t *p, size_t n);
/* Address block: 4 bytes MSB first + XOR (AN3155 §3.4). */
void an3155_encode_addr(uint8_t out[5], uint32_t addr);
/* Extended Erase list: N_hi N_lo, pages MSB first, XOR of all (AN3155 §3.8); returns length. */
size_t an3155_encode_ext_erase(uint8_t *out, size_t cap, const uint16_t *pages, unsigned n);
/* Get reply body after the first ACK: N, version, N command codes. 0 or FK_E_PROTOCOL. */
int an3155_parse_get(const uint8_t *p, size_t n, uint8_t *version, uint8_t *cmds, unsigned *ncmds);
/* Get ID body after the first ACK: N, N+1 PID bytes (MSB first). */
int an3155_parse_get_id(const uint8_t *p, size_t n, uint16_t *pid);
/* stm32flash -i syntax; FK_E_USAGE (with a frame naming the bad part) on junk or GPIO numbers. */
int an3155_seq_parse(fk_ctx *ctx, const char *s, an3155_seq *entry, an3155_seq *exit);
/* Defaults above (an3155.md §4.3). */
void an3155_timeouts_default(an3155_timeouts *t);

/* ---- session ---- */
int an3155_attach(an3155 *b, fk_ctx *ctx, const fk_transport *t, const char *boot_seq);
/* Entry sequence, sync, Get, Get ID (Get already carries the version). */
int an3155_connect(an3155 *b);
int an3155_run_seq(an3155 *b, const an3155_seq *seq);
/* 0x7F with AN3155 §1.4 re-sync rules: ACK = synced; NACK = link already synchronised; silence
 * retried up to `attempts` times. */
int an3155_sync(an3155 *b, unsigned attempts);
bool an3155_has(const an3155 *b, uint8_t cmd);

int an3155_get(an3155 *b);
int an3155_get_version(an3155 *b);
int an3155_get_id(an3155 *b);
/* One block (1..256 bytes). */
int an3155_read_block(an3155 *b, uint32_t addr, void *buf, unsigned len);
/* One block (1..256 bytes, addr 4-aligned; the tail is padded with 0xFF to a multiple of 4). */
int an3155_write_block(an3155 *b, uint32_t addr, const void *buf, unsigned len);
/* Any length, in blocks, with bounded retries and progress events ("read" / "program"). */
int an3155_read(an3155 *b, uint32_t addr, void *buf, uint32_t len);
int an3155_write(an3155 *b, uint32_t addr, const void *buf, uint32_t len);
/* Write Memory to the option-byte area: the device resets afterwards (AN3155 §3.6); re-syncs. */
int an3155_write_options(an3155 *b, uint32_t addr, const void *buf, unsigned len);
int an3155_go(an3155 *b, uint32_t addr);
/* Page/sector erase (Extended Erase when listed by Get, else Erase with 1-byte numbers). */
int an3155_erase(an3155 *b, const uint16_t *pages, unsigned n);
int an3155_erase_mass(an3155 *b, an3155_mass kind);
/* The four commands after which F2/F4/F7 reset (AN3155 Table 2): each ends re-synced. */
int an3155_write_protect(an3155 *b, const uint8_t *sectors, unsigned n);
int an3155_write_unprotect(an3155 *b);
int an3155_readout_protect(an3155 *b);
int an3155_readout_unprotect(an3155 *b);
/* After the chip reset itself: wait wait_ms (start-up), then 0x7F every poll_ms (0 = the sync
 * budget) for up to budget_ms. */
int an3155_resync_after(an3155 *b, unsigned wait_ms, unsigned budget_ms, unsigned poll_ms);

/* ---- code in RAM (stm32_stub.c) ---- */
#define AN3155_STUB_BASE 0x20003000u   /* valid RAM for V3.x and V9.x (AN2606 Tables 73/75) */
#define AN3155_STUB_PARAMS_OFF 0x400u  /* token, n, {addr, len} x n; CRCs replace the lengths */
#define AN3155_STUB_PARAMS (AN3155_STUB_BASE + AN3155_STUB_PARAMS_OFF)
/* Ranges per run of the code: 64 one-KiB pages (the F1's 64 KiB watchdog-bounded run,
 * stm32f1_boot.c) in one run; the 520-byte parameter block takes three Write Memory blocks. */
#define AN3155_CRC_MAX_RANGES 64u
#define AN3155_STUB_SPAN (AN3155_STUB_PARAMS_OFF + 8u + 8u * AN3155_CRC_MAX_RANGES)
/* Place the code for a chip whose bootloader leaves RAM from ram_lo to ram_end (exclusive) free
 * and runs its core at hz_fast..hz_slow: at AN3155_STUB_BASE when it fits there (as on the F4),
 * else at the first 256-byte boundary from ram_lo; no room: the code is refused later with
 * FK_E_UNSUPPORTED (the session then compares by reading). */
void an3155_stub_place(an3155 *b, uint32_t ram_lo, uint32_t ram_end, uint32_t hz_fast,
		       uint32_t hz_slow);
/* The code as it runs at base (pure; out holds an3155_stub_size() bytes): the vector table's
 * MSP and entry and the literal holding the parameter block's address are relocated.
 * Returns the number of words relocated (3 for the shipped code). */
size_t an3155_stub_size(void);
unsigned an3155_stub_image(uint32_t base, uint8_t *out);
/* CRC-32 (as fk_crc32(0, ...)) of n ranges computed by the chip: lib/boot/stub/crc32_armv6m.S
 * written to RAM and started with Go; it ends with a system reset, after which the bootloader
 * starts again (BOOT0 must stay high) and the results are read back from RAM. FK_E_UNSUPPORTED
 * when this bootloader has no Go or refuses the code (NACK: RDP, address); anything after Go
 * that fails leaves the link re-synchronised when possible. */
int an3155_crc32(an3155 *b, const uint32_t *addr, const uint32_t *len, unsigned n, uint32_t *crc);
/* an3155_crc32 over any number of ranges, in runs of at most run_bytes (a range is never split):
 * a hardware watchdog the bootloader refreshes does not wait for our code, so each run must
 * end within the watchdog's shortest period. */
int an3155_crc32_runs(an3155 *b, const uint32_t *addr, const uint32_t *len, unsigned n,
		      uint32_t *crc, uint32_t run_bytes);
/* Which of n pages of page bytes from addr (word-aligned; page a non-zero multiple of 4) hold
 * anything but 0xFF, decided by the chip: lib/boot/stub/blank_armv6m.S run like an3155_crc32
 * (written to RAM, Go, system reset, results read back); dirty[i] = 1 when page i has a word
 * other than 0xFFFFFFFF, 0 when it reads erased. Same failures as an3155_crc32. */
#define AN3155_BLANK_MAX_PAGES 128u
int an3155_blank_pages(an3155 *b, uint32_t addr, uint32_t page, unsigned n, uint8_t *dirty);
size_t an3155_stub_blank_size(void);
unsigned an3155_stub_blank_image(uint32_t base, uint8_t *out);
/* The same code with no range: a system reset (AIRCR.SYSRESETREQ) requested from RAM, as
 * stm32flash -R does; option bytes reload. Returns once the bootloader answers again and the
 * code's completion mark reads back (BOOT0 must stay high). */
int an3155_system_reset(an3155 *b);

/* Run the exit sequence if one was given. */
int an3155_detach(an3155 *b);

#endif
