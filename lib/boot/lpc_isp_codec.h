/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NXP LPC UART ISP wire codec: pure functions over bytes, no I/O, shared by the ISP client
 * (lib/boot/lpc_isp.c) and the LPC twin's ISP engine (twin/lpc/). Everything a hostile line can
 * reach is here and fuzzed (tests/fuzz/fuzz_lpc_isp.c).
 *
 * Sources: UM10360 (LPC17xx) Rev. 4.1 §32.4 "UART ISP commands" (command syntax, CR LF line
 * ends, the UU-encoded data of W/R with a checksum line after every 20 lines), §32.4.23 Table
 * 596 "ISP Return Codes Summary"; UM10601 (LPC800) §21.5 (the same command set, binary data for
 * W/R); lpc21isp 1.97 lpcprog.c (FormatCommand: CR/LF runs read as one line end; the UU table
 * with 0 sent as '`'). ../shared/reference/lpc-isp.md §1 and esp_lpc.md C.2–C.4 summarise them.
 *
 * UU-encoding as the ISP uses it: a line starts with one length character (0x20 + byte count,
 * at most 45 bytes = 'M'), then 4 characters per 3 bytes (padded), each 6-bit value v sent as
 * 0x20 + v, where 0 is sent as '`' (0x60) — a decoder accepts both 0x20 and 0x60 for 0. */
#ifndef FK_BOOT_LPC_ISP_CODEC_H
#define FK_BOOT_LPC_ISP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LPC_UU_LINE_MAX_BYTES 45U   /* bytes per UU line (UM10360 §32.4.4) */
#define LPC_UU_LINES_PER_SUM  20U   /* a checksum line after every 20 data lines */
#define LPC_UU_LINE_MAX_CHARS 61U   /* 1 length char + 60 data chars, without CR LF */
#define LPC_ISP_LINE_MAX      128U  /* longest command line a decoder accepts (UNCONFIRMED: the
				       * manuals give no limit; every command fits in 40 chars) */

/* Return codes (UM10360 §32.4.23 Table 596; the same numbers on UM10601 §21.5.1.19). */
enum lpc_isp_rc {
	LPC_ISP_CMD_SUCCESS = 0,
	LPC_ISP_INVALID_COMMAND = 1,
	LPC_ISP_SRC_ADDR_ERROR = 2,
	LPC_ISP_DST_ADDR_ERROR = 3,
	LPC_ISP_SRC_ADDR_NOT_MAPPED = 4,
	LPC_ISP_DST_ADDR_NOT_MAPPED = 5,
	LPC_ISP_COUNT_ERROR = 6,
	LPC_ISP_INVALID_SECTOR = 7,
	LPC_ISP_SECTOR_NOT_BLANK = 8,
	LPC_ISP_SECTOR_NOT_PREPARED = 9,
	LPC_ISP_COMPARE_ERROR = 10,
	LPC_ISP_BUSY = 11,
	LPC_ISP_PARAM_ERROR = 12,
	LPC_ISP_ADDR_ERROR = 13,
	LPC_ISP_ADDR_NOT_MAPPED = 14,
	LPC_ISP_CMD_LOCKED = 15,
	LPC_ISP_INVALID_CODE = 16,
	LPC_ISP_INVALID_BAUD_RATE = 17,
	LPC_ISP_INVALID_STOP_BIT = 18,
	LPC_ISP_CODE_READ_PROTECTION_ENABLED = 19,
	LPC_ISP_RC_COUNT = 20,
};

/* "CMD_SUCCESS" ... "CODE_READ_PROTECTION_ENABLED"; NULL for a number outside the table. */
const char *lpc_isp_rc_name(unsigned rc);
/* One sentence a user can act on ("the sectors were not prepared: send P before E/C"). Never
 * NULL ("an unknown return code" outside the table). */
const char *lpc_isp_rc_text(unsigned rc);

/* ---- UU lines ---- */
/* Encode n bytes (1..45) into out as the length character and the data characters (no CR LF,
 * NUL-terminated). Returns the number of characters (without the NUL), 0 if n is out of range or
 * out (cap) is too small (needs 1 + 4*ceil(n/3) + 1). */
size_t lpc_uu_encode_line(const uint8_t *in, size_t n, char *out, size_t cap);

/* Decode one UU line (len characters, CR/LF already removed; trailing spaces are NOT
 * stripped). out holds at least 45 bytes. Returns 0 and *n, or -1 with *err_pos the index of
 * the offending character (or len when the line is too short for its length character) and
 * *why a short reason ("length character out of range", "character outside the UU alphabet",
 * "line shorter than its length character says", "characters after the data"). */
int lpc_uu_decode_line(const char *line, size_t len, uint8_t *out, size_t *n, size_t *err_pos,
		       const char **why);

/* The checksum the ISP exchanges after UU lines: the sum of the raw (decoded) bytes. */
uint32_t lpc_uu_sum(const uint8_t *buf, size_t n);

/* ---- lines ---- */
/* Find the first line in buf[0..len): skip leading CR/LF, then the line runs to the next CR or
 * LF. Returns true with *start, *line_len and *consumed (through the whole CR/LF run that ends
 * it) when a line end was seen; false when the line is not complete yet (*consumed = the leading
 * line breaks that may be dropped). This is how lpc21isp reads (FormatCommand): a bootloader may
 * end lines with CR LF, LF, or CR LF LF. */
bool lpc_isp_next_line(const char *buf, size_t len, size_t *start, size_t *line_len,
		       size_t *consumed);

/* ---- commands ---- */
typedef struct lpc_isp_cmd {
	char letter;      /* 'U', 'J', ... (as received, upper case required) */
	unsigned nargs;   /* numbers given, 0..4 */
	uint32_t arg[4];
	char mode;        /* G's third word: 'T' or 'A'; 0 when absent */
} lpc_isp_cmd;

/* Parse a command line (no CR/LF): one letter, then up to four decimal numbers separated by
 * single or multiple spaces; for 'G' a final 'T' or 'A'. Returns 0, or -1 with *err_pos (the
 * column) and *why ("empty line", "a number is larger than 4294967295", "unexpected character",
 * "too many arguments"). Whether the letter is a known command is the caller's business (the
 * ISP answers INVALID_COMMAND). */
int lpc_isp_parse_cmd(const char *line, size_t len, lpc_isp_cmd *out, size_t *err_pos,
		      const char **why);

/* Parse a line holding one decimal number (a checksum line, a J/K/N answer word): 0 or -1. */
int lpc_isp_parse_number(const char *line, size_t len, uint32_t *out);

/* The vector-table checksum of Cortex-M LPC parts (UM10360 §32.3.1.1 "Criterion for Valid User
 * Code", UM10601 §21.3.4): the 32-bit sum of the first 8 little-endian words must be 0. Returns
 * the word 7 (offset 0x1C) that makes it so, given the first 32 bytes. */
uint32_t lpc_vector_checksum(const uint8_t vec[32]);
/* True when the first 8 words already sum to 0 modulo 2^32. */
bool lpc_vector_valid(const uint8_t vec[32]);

#endif
