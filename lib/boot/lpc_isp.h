/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/lpc_isp: client of the NXP LPC boot ROM's UART ISP (LPC17xx, LPC8xx) over any
 * FK_TRANSPORT_STREAM (serial port `lpc:DEV[@BAUD][,XTAL_KHZ]`, pty, in-process `twin-lpc:`).
 * The wire codec (UU lines, line splitting, command parsing, return-code names) is
 * lpc_isp_codec.h; this file moves requests and turns every answer into a result or a sentence.
 *
 * No part knowledge: which sectors a part has, where its RAM buffer is, whether W/R carry UU
 * lines or raw bytes, is the driver's (lib/chip/lpc.c sets `binary` after Read Part ID).
 *
 * Sources (own words): UM10360 Rev. 4.1 §32.7 (autobaud '?', "Synchronized", the crystal line,
 * echo on after reset, CR LF line ends, a return-code line per command, the UU data of W/R with
 * a decimal checksum after every 20 lines answered "OK" or "RESEND"), Tables 569-586 per
 * command, §32.7.16 Table 587 return codes; UM10601 §21.5 (LPC81x: W/R carry raw bytes);
 * lpc21isp 1.97 lpcprog.c NxpDownload (the handshake order, strings compared after CR/LF runs
 * are folded, up to 3 resends of a UU block) and lpc21isp.c ResetTarget (-control: DTR drives
 * RESET, RTS drives the ISP pin, a line "asserted" pulls the pin low);
 * ../shared/reference/lpc-isp.md §1, esp_lpc.md C.2-C.8. */
#ifndef FK_BOOT_LPC_ISP_H
#define FK_BOOT_LPC_ISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/lpc_isp_codec.h"
#include "flashkey/backend.h"

#define LPC_ISP_DEFAULT_XTAL_KHZ 12000U /* lpc21isp's usual argument; the LPC1768 IRC is 4 MHz
					  * but the ROM only uses the number for its own timing */
#define LPC_ISP_UNLOCK_CODE 23130U      /* UM10360 Table 570 */
#define LPC_ISP_SEEN_MAX 48U            /* bytes kept for "what was seen" in errors */

/* How the part gets into the ISP. */
typedef enum lpc_isp_entry {
	LPC_ENTRY_HAND = 0,    /* the user holds the ISP pin low and resets (or the part has no
				* valid user code): nothing is driven */
	LPC_ENTRY_CONTROL = 1, /* lpc21isp -control: DTR -> RESET, RTS -> ISP pin */
} lpc_isp_entry;

typedef struct lpc_isp_timeouts {
	unsigned sync_ms;   /* one '?' answered "Synchronized": 200 */
	unsigned cmd_ms;    /* a return code: 1000 */
	unsigned erase_ms;  /* E / C return code (t_er 100 ms per call, plus margin): 5000 */
	unsigned reset_ms;  /* RESET held low, and the ROM's start after it: 100 */
} lpc_isp_timeouts;

typedef struct lpc_isp {
	fk_ctx *ctx;
	const fk_stream_ops *ops;
	void *h;
	const char *where;   /* the transport's description */
	lpc_isp_timeouts tmo;
	lpc_isp_entry entry;
	unsigned xtal_khz;
	unsigned sync_attempts; /* '?' sent at most this often (lpc21isp: 100; here 25) */
	unsigned resends;    /* UU block retries (lpc21isp: 3) */
	bool binary;         /* W/R carry raw bytes (LPC8xx) instead of UU lines */
	bool echo;           /* the ROM echoes what it receives (on after reset) */
	bool synced;
	bool unlocked;
	unsigned last_rc;    /* the last return code read (LPC_ISP_RC_COUNT when none) */
	bool pending_lf;     /* the last line ended with CR: an LF may follow */
	/* the last bytes received, for error messages */
	uint8_t seen[LPC_ISP_SEEN_MAX];
	size_t nseen;
	uint64_t resent_blocks; /* RESEND answers met (W) or sent (R), for tests and -v */
} lpc_isp;

/* Binds the client to a stream transport; nothing is sent. xtal_khz 0 = 12000. */
int lpc_isp_init(lpc_isp *l, fk_ctx *ctx, const fk_transport *t, lpc_isp_entry entry,
		 unsigned xtal_khz);
/* "control" / "lpc21isp" -> LPC_ENTRY_CONTROL; NULL, "" or "none" -> LPC_ENTRY_HAND; -1 else. */
int lpc_isp_entry_parse(const char *s);

/* Reset into the ISP (entry CONTROL: DTR+RTS asserted, RESET released with the ISP pin still
 * low, then the ISP pin released), then '?' / "Synchronized" / OK, the crystal / OK, and echo
 * off (A 0). Silence: FK_E_CONNECT naming the causes; bytes that are not the handshake:
 * FK_E_PROTOCOL with the bytes seen. */
int lpc_isp_connect(lpc_isp *l);
/* Leave the part: CONTROL pulses RESET with the ISP pin released (user code starts), HAND
 * does nothing. */
int lpc_isp_leave(lpc_isp *l);
/* After a reset: does the boot ROM answer '?' with "Synchronized" (it entered the ISP)? One '?',
 * up to the sync timeout; silence or other bytes (user code on the UART) is *answered = false. */
int lpc_isp_probe(lpc_isp *l, bool *answered);

/* One command line (without CR LF) whose answer is the return code alone. 0 on CMD_SUCCESS;
 * a non-zero code fails with "CMD: return code N NAME: sentence" (FK_E_PROTECTED for 19
 * CODE_READ_PROTECTION_ENABLED and 15 CMD_LOCKED, FK_E_NACK for the others) and is kept in
 * last_rc. */
int lpc_isp_command(lpc_isp *l, const char *cmd, unsigned timeout_ms);

int lpc_isp_echo(lpc_isp *l, bool on);                       /* A 0|1 */
int lpc_isp_unlock(lpc_isp *l);                              /* U 23130 */
int lpc_isp_part_id(lpc_isp *l, uint32_t *id);               /* J */
int lpc_isp_boot_version(lpc_isp *l, unsigned *major, unsigned *minor); /* K */
int lpc_isp_uid(lpc_isp *l, uint32_t uid[4]);                /* N */
int lpc_isp_prepare(lpc_isp *l, unsigned first, unsigned last);    /* P */
int lpc_isp_erase(lpc_isp *l, unsigned first, unsigned last);      /* E (prepare first) */
int lpc_isp_copy(lpc_isp *l, uint32_t flash, uint32_t ram, uint32_t n); /* C */
/* W: n (multiple of 4) bytes to RAM at addr; UU blocks retried on RESEND. */
int lpc_isp_write_ram(lpc_isp *l, uint32_t addr, const uint8_t *buf, uint32_t n);
/* R: n (multiple of 4) bytes from addr; UU blocks with a bad checksum or a bad line are asked
 * again (RESEND) up to `resends` times, then FK_E_PROTOCOL naming the line. */
int lpc_isp_read(lpc_isp *l, uint32_t addr, uint8_t *buf, uint32_t n);
/* I: *blank, or the offset and word of the first non-blank word (ROM's answer). */
int lpc_isp_blank_check(lpc_isp *l, unsigned first, unsigned last, bool *blank,
			uint32_t *offset, uint32_t *word);
/* M: *same, or the offset of the first difference. */
int lpc_isp_compare(lpc_isp *l, uint32_t a, uint32_t b, uint32_t n, bool *same,
		    uint32_t *offset);
/* G addr T: the ROM answers 0 and stops listening. */
int lpc_isp_go(lpc_isp *l, uint32_t addr);

#endif
