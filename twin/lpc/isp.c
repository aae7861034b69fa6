/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LPC boot ROM's UART ISP command handler as a byte-stream port ("lpc-isp", twin/model.h).
 *
 * Sources (see lpc.h for editions): UM10360 §32.7 (autobaud with '?', "Synchronized", the
 * crystal line, echo on by default, command and response format, UU-encoded data with a
 * checksum after every 20 lines answered OK or RESEND, ESC aborts a command, XON/XOFF flow
 * control) and Tables 571-587 per command; UM10601 §21.5 (LPC81x: W and R carry raw binary);
 * UM10800 §25.5.3 Table 311 (what CRP1 and CRP2 refuse with CODE_READ_PROTECTION_ENABLED).
 *
 * The session is the ROM's protocol state; the chip (flash, RAM, CRP latch, mode) is tw_lpc.
 * Every byte received is charged on the virtual clock at the session's baud (10 bits: 8N1);
 * E and C charge t_er / t_prog before CMD_SUCCESS is queued ("sent only when the command is
 * completely executed", Table 587). While the chip is not in ISP mode (user code runs, RESET
 * held) the port is silent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/lpc_isp_codec.h"
#include "lpc/lpc.h"

typedef enum isp_state {
	ISP_SYNC = 0,  /* waiting for '?' */
	ISP_SYNC_STR,  /* "Synchronized" expected */
	ISP_FREQ,      /* crystal frequency in kHz expected */
	ISP_CMD,       /* command lines */
	ISP_W_UU,      /* W data: UU lines and checksum lines */
	ISP_W_BIN,     /* W data: raw bytes (LPC81x) */
	ISP_R_WAIT,    /* R: waiting for OK / RESEND after a checksum */
	ISP_GONE,      /* G done: user code runs */
} isp_state;

typedef struct isp {
	tw_lpc *c;
	tw_stream_cfg cfg;
	unsigned baud;
	isp_state st;
	bool echo, unlocked, prepared, overflow;
	unsigned prep_a, prep_b;
	char line[LPC_ISP_LINE_MAX + 1];
	size_t nline;
	/* W */
	uint32_t w_addr, w_left;
	uint8_t blk[LPC_UU_LINES_PER_SUM * LPC_UU_LINE_MAX_BYTES];
	size_t nblk;
	unsigned blines;
	bool blk_bad, want_sum;
	/* R */
	uint32_t r_addr, r_left, r_blk;
	/* output */
	uint8_t *out;
	size_t nout, cap, off;
	uint64_t tx_free_ns;
} isp;

/* ---------------------------------------------------------------- output */

static uint64_t isp_byte_ns(const isp *s)
{
	return 10ULL * 1000000000ULL / (s->baud ? s->baud : 115200U);
}

static void isp_put(isp *s, const void *p, size_t n)
{
	if (s->nout + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->nout + n)
			cap *= 2;
		uint8_t *o = realloc(s->out, cap);
		if (!o)
			return; /* out of memory: the reply is lost, as on a broken line */
		s->out = o;
		s->cap = cap;
	}
	memcpy(s->out + s->nout, p, n);
	s->nout += n;
	uint64_t start = s->tx_free_ns > s->c->now_ns ? s->tx_free_ns : s->c->now_ns;
	s->tx_free_ns = start + n * isp_byte_ns(s);
}

static void isp_printf(isp *s, const char *fmt, ...) FK_PRINTF(2, 3);
static void isp_printf(isp *s, const char *fmt, ...)
{
	char b[96];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n > 0)
		isp_put(s, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static void isp_rc(isp *s, unsigned rc)
{
	isp_printf(s, "%u\r\n", rc);
}

static void isp_log(isp *s, const char *fmt, ...) FK_PRINTF(2, 3);
static void isp_log(isp *s, const char *fmt, ...)
{
	if (!s->cfg.log)
		return;
	char b[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.hook_arg, b);
}

/* ---------------------------------------------------------------- CRP rules */

/* The level the ISP applies. CRP3 is only met in ISP when there is no valid user code
 * (§32.3.1); UNCONFIRMED which commands it then allows: treated as CRP2. NO_ISP restricts no
 * command (UM10800 §25.5.3.1: it only stops the ISP pin being sampled). */
static tw_lpc_crp isp_crp(const isp *s)
{
	tw_lpc_crp c = s->c->crp;
	if (c == TW_LPC_CRP3)
		return TW_LPC_CRP2;
	return c == TW_LPC_NO_ISP ? TW_LPC_CRP_NONE : c;
}

static bool isp_crp_any(const isp *s)
{
	return isp_crp(s) != TW_LPC_CRP_NONE;
}

/* ---------------------------------------------------------------- commands */

static unsigned isp_last_sector(const isp *s)
{
	return s->c->v->nsectors - 1;
}

static unsigned isp_cmd_write(isp *s, const lpc_isp_cmd *k)
{
	/* Table 573 (W); Table 311: CRP1 only at or above the floor, CRP2 never */
	if (k->nargs != 2)
		return LPC_ISP_PARAM_ERROR;
	uint32_t a = k->arg[0], n = k->arg[1];
	if (isp_crp(s) == TW_LPC_CRP2)
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (a % 4)
		return LPC_ISP_ADDR_ERROR;
	if (n % 4)
		return LPC_ISP_COUNT_ERROR;
	if (!tw_lpc_is_ram(s->c, a, n))
		return LPC_ISP_ADDR_NOT_MAPPED;
	if (isp_crp(s) == TW_LPC_CRP1 && a < s->c->v->crp1_ram_floor)
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	s->w_addr = a;
	s->w_left = n;
	s->nblk = s->blines = 0;
	s->blk_bad = s->want_sum = false;
	if (n)
		s->st = s->c->v->binary ? ISP_W_BIN : ISP_W_UU;
	return LPC_ISP_CMD_SUCCESS;
}

static void isp_send_block(isp *s)
{
	/* UM10360 §32.7 "ISP data format": up to 20 UU lines of 45 bytes, then the checksum */
	uint8_t b[LPC_UU_LINE_MAX_BYTES];
	uint32_t sum = 0, sent = 0;
	for (unsigned l = 0; l < LPC_UU_LINES_PER_SUM && sent < s->r_left; l++) {
		uint32_t n = s->r_left - sent < LPC_UU_LINE_MAX_BYTES ? s->r_left - sent
								       : LPC_UU_LINE_MAX_BYTES;
		for (uint32_t i = 0; i < n; i++)
			(void)tw_lpc_read_byte(s->c, s->r_addr + sent + i, &b[i]);
		char line[LPC_UU_LINE_MAX_CHARS + 2];
		size_t m = lpc_uu_encode_line(b, n, line, sizeof line);
		isp_put(s, line, m);
		isp_put(s, "\r\n", 2);
		sum += lpc_uu_sum(b, n);
		sent += n;
	}
	isp_printf(s, "%u\r\n", sum);
	s->r_blk = sent;
	s->st = ISP_R_WAIT;
}

static unsigned isp_cmd_read(isp *s, const lpc_isp_cmd *k)
{
	/* Table 574 (R); Table 311: refused at CRP1 and CRP2 */
	if (k->nargs != 2)
		return LPC_ISP_PARAM_ERROR;
	uint32_t a = k->arg[0], n = k->arg[1];
	if (isp_crp_any(s))
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (a % 4)
		return LPC_ISP_ADDR_ERROR;
	if (n % 4)
		return LPC_ISP_COUNT_ERROR;
	if (!tw_lpc_is_flash(s->c, a, n) && !tw_lpc_is_ram(s->c, a, n))
		return LPC_ISP_ADDR_NOT_MAPPED;
	isp_rc(s, LPC_ISP_CMD_SUCCESS);
	s->r_addr = a;
	s->r_left = n;
	if (!n)
		return UINT32_MAX;
	if (s->c->v->binary) {
		/* UM10601 §21.5.1.6: the data follow as raw bytes (UNCONFIRMED: no checksum) */
		for (uint32_t i = 0; i < n; i++) {
			uint8_t b;
			(void)tw_lpc_read_byte(s->c, a + i, &b);
			isp_put(s, &b, 1);
		}
		return UINT32_MAX;
	}
	isp_send_block(s);
	return UINT32_MAX; /* the return code is already queued */
}

static bool isp_sectors_ok(const isp *s, uint32_t a, uint32_t b)
{
	return a <= b && b <= isp_last_sector(s);
}

static unsigned isp_cmd_prepare(isp *s, const lpc_isp_cmd *k)
{
	/* Table 575 (P): allowed at every CRP level (Table 311) */
	if (k->nargs != 2)
		return LPC_ISP_PARAM_ERROR;
	if (!isp_sectors_ok(s, k->arg[0], k->arg[1]))
		return LPC_ISP_INVALID_SECTOR;
	s->prepared = true;
	s->prep_a = k->arg[0];
	s->prep_b = k->arg[1];
	return LPC_ISP_CMD_SUCCESS;
}

static bool isp_is_prepared(const isp *s, unsigned a, unsigned b)
{
	return s->prepared && s->prep_a <= a && b <= s->prep_b;
}

static bool isp_copy_size_ok(const isp *s, uint32_t n)
{
	for (unsigned i = 0; s->c->v->copy_sizes[i]; i++)
		if (s->c->v->copy_sizes[i] == n)
			return true;
	return false;
}

static unsigned isp_cmd_copy(isp *s, const lpc_isp_cmd *k)
{
	/* Table 576 (C); Table 311: CRP1 not to sector 0, CRP2 never */
	if (k->nargs != 3)
		return LPC_ISP_PARAM_ERROR;
	uint32_t dst = k->arg[0], src = k->arg[1], n = k->arg[2];
	if (!s->unlocked)
		return LPC_ISP_CMD_LOCKED;
	if (isp_crp(s) == TW_LPC_CRP2)
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (src % 4)
		return LPC_ISP_SRC_ADDR_ERROR;
	if (dst % s->c->v->copy_align)
		return LPC_ISP_DST_ADDR_ERROR;
	if (!isp_copy_size_ok(s, n))
		return LPC_ISP_COUNT_ERROR;
	if (!tw_lpc_is_flash(s->c, dst, n))
		return LPC_ISP_DST_ADDR_NOT_MAPPED;
	if (!tw_lpc_is_ram(s->c, src, n))
		return LPC_ISP_SRC_ADDR_NOT_MAPPED;
	unsigned a = tw_lpc_sector_of(s->c->v, dst), b = tw_lpc_sector_of(s->c->v, dst + n - 1);
	if (isp_crp(s) == TW_LPC_CRP1 && a == 0)
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (!isp_is_prepared(s, a, b))
		return LPC_ISP_SECTOR_NOT_PREPARED;
	tw_lpc_program(s->c, dst, s->c->ram + (src - s->c->v->ram_base), n);
	s->prepared = false; /* "the affected sectors are automatically protected again" */
	isp_log(s, "C: %u bytes programmed at 0x%08X", n, dst);
	return LPC_ISP_CMD_SUCCESS;
}

static unsigned isp_cmd_erase(isp *s, const lpc_isp_cmd *k)
{
	/* Table 578 (E); Table 311: CRP1 erases sector 0 only with all sectors, CRP2 only all */
	if (k->nargs != 2)
		return LPC_ISP_PARAM_ERROR;
	uint32_t a = k->arg[0], b = k->arg[1];
	if (!s->unlocked)
		return LPC_ISP_CMD_LOCKED;
	if (!isp_sectors_ok(s, a, b))
		return LPC_ISP_INVALID_SECTOR;
	bool all = a == 0 && b == isp_last_sector(s);
	if (isp_crp(s) == TW_LPC_CRP2 && !all)
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (isp_crp(s) == TW_LPC_CRP1 && a == 0 && !all)
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (!isp_is_prepared(s, a, b))
		return LPC_ISP_SECTOR_NOT_PREPARED;
	tw_lpc_erase(s->c, a, b);
	s->prepared = false;
	isp_log(s, "E: sectors %u..%u erased", a, b);
	return LPC_ISP_CMD_SUCCESS;
}

static unsigned isp_cmd_blank(isp *s, const lpc_isp_cmd *k)
{
	/* Table 579 (I): SECTOR_NOT_BLANK is followed by the offset of the first non-blank word
	 * and its contents (UNCONFIRMED: offset from the start of sector a, both decimal) */
	if (k->nargs != 2)
		return LPC_ISP_PARAM_ERROR;
	if (isp_crp_any(s))
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (!isp_sectors_ok(s, k->arg[0], k->arg[1]))
		return LPC_ISP_INVALID_SECTOR;
	uint32_t start = tw_lpc_sector_start(s->c->v, k->arg[0]);
	uint32_t end = tw_lpc_sector_start(s->c->v, k->arg[1] + 1);
	for (uint32_t w = start; w < end; w += 4) {
		uint8_t b[4];
		for (unsigned i = 0; i < 4; i++)
			(void)tw_lpc_read_byte(s->c, w + i, &b[i]);
		uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			     (uint32_t)b[3] << 24;
		if (v != 0xFFFFFFFFU) {
			isp_rc(s, LPC_ISP_SECTOR_NOT_BLANK);
			isp_printf(s, "%u\r\n%u\r\n", w - start, v);
			return UINT32_MAX;
		}
	}
	return LPC_ISP_CMD_SUCCESS;
}

static unsigned isp_cmd_compare(isp *s, const lpc_isp_cmd *k)
{
	/* Table 586 (M): "blocked when any level of code read protection is enabled";
	 * COMPARE_ERROR is followed by the offset of the first mismatch (UNCONFIRMED: in bytes) */
	if (k->nargs != 3)
		return LPC_ISP_PARAM_ERROR;
	uint32_t a = k->arg[0], b = k->arg[1], n = k->arg[2];
	if (isp_crp_any(s))
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (a % 4 || b % 4)
		return LPC_ISP_ADDR_ERROR;
	if (n % 4)
		return LPC_ISP_COUNT_ERROR;
	if ((!tw_lpc_is_flash(s->c, a, n) && !tw_lpc_is_ram(s->c, a, n)) ||
	    (!tw_lpc_is_flash(s->c, b, n) && !tw_lpc_is_ram(s->c, b, n)))
		return LPC_ISP_ADDR_NOT_MAPPED;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t x, y;
		(void)tw_lpc_read_byte(s->c, a + i, &x);
		(void)tw_lpc_read_byte(s->c, b + i, &y);
		if (x != y) {
			isp_rc(s, LPC_ISP_COMPARE_ERROR);
			isp_printf(s, "%u\r\n", i);
			return UINT32_MAX;
		}
	}
	return LPC_ISP_CMD_SUCCESS;
}

static unsigned isp_cmd_go(isp *s, const lpc_isp_cmd *k)
{
	/* Table 577 (G): Thumb mode only on Cortex-M (UNCONFIRMED: 'A' answers PARAM_ERROR) */
	if (k->nargs != 1 || !k->mode)
		return LPC_ISP_PARAM_ERROR;
	if (!s->unlocked)
		return LPC_ISP_CMD_LOCKED;
	if (isp_crp_any(s))
		return LPC_ISP_CODE_READ_PROTECTION_ENABLED;
	if (k->mode != 'T')
		return LPC_ISP_PARAM_ERROR;
	if (k->arg[0] % 4)
		return LPC_ISP_ADDR_ERROR;
	if (!tw_lpc_is_flash(s->c, k->arg[0], 4) && !tw_lpc_is_ram(s->c, k->arg[0], 4))
		return LPC_ISP_ADDR_NOT_MAPPED;
	isp_rc(s, LPC_ISP_CMD_SUCCESS);
	s->st = ISP_GONE;
	s->c->mode = TW_LPC_MODE_USER;
	s->c->gen++;
	isp_log(s, "G: user code started at 0x%08X; the ISP no longer answers until a reset",
		k->arg[0]);
	return UINT32_MAX;
}

static unsigned isp_cmd_baud(isp *s, const lpc_isp_cmd *k)
{
	/* Table 571 (B): the new rate applies after CMD_SUCCESS has been sent */
	static const unsigned rates[] = {9600, 19200, 38400, 57600, 115200, 230400};
	if (k->nargs != 2)
		return LPC_ISP_PARAM_ERROR;
	bool ok = false;
	for (unsigned i = 0; i < sizeof rates / sizeof rates[0]; i++)
		ok = ok || rates[i] == k->arg[0];
	if (!ok)
		return LPC_ISP_INVALID_BAUD_RATE;
	if (k->arg[1] != 1 && k->arg[1] != 2)
		return LPC_ISP_INVALID_STOP_BIT;
	isp_rc(s, LPC_ISP_CMD_SUCCESS);
	s->baud = k->arg[0];
	return UINT32_MAX;
}

static unsigned isp_cmd_simple(isp *s, const lpc_isp_cmd *k)
{
	switch (k->letter) {
	case 'U': /* Table 570: unlocks E, C and G */
		if (k->nargs != 1)
			return LPC_ISP_PARAM_ERROR;
		if (k->arg[0] != 23130)
			return LPC_ISP_INVALID_CODE;
		s->unlocked = true;
		return LPC_ISP_CMD_SUCCESS;
	case 'A': /* Table 572: echo on/off, answered with the old setting's echo */
		if (k->nargs != 1 || k->arg[0] > 1)
			return LPC_ISP_PARAM_ERROR;
		s->echo = k->arg[0] == 1;
		return LPC_ISP_CMD_SUCCESS;
	case 'J': /* Table 582 */
		if (k->nargs)
			return LPC_ISP_PARAM_ERROR;
		isp_rc(s, 0);
		isp_printf(s, "%u\r\n", s->c->v->part_id);
		return UINT32_MAX;
	case 'K': /* Table 584: byte0 (minor) then byte1 (major), UNCONFIRMED order */
		if (k->nargs)
			return LPC_ISP_PARAM_ERROR;
		isp_rc(s, 0);
		isp_printf(s, "%u\r\n%u\r\n", s->c->v->boot_minor, s->c->v->boot_major);
		return UINT32_MAX;
	case 'N': /* Table 585: 4 decimal words (UNCONFIRMED: one per line) */
		if (k->nargs)
			return LPC_ISP_PARAM_ERROR;
		isp_rc(s, 0);
		for (unsigned i = 0; i < 4; i++)
			isp_printf(s, "%u\r\n", s->c->uid[i]);
		return UINT32_MAX;
	default:
		return LPC_ISP_INVALID_COMMAND;
	}
}

static void isp_command(isp *s)
{
	lpc_isp_cmd k;
	size_t pos;
	const char *why;
	if (s->overflow) {
		isp_rc(s, LPC_ISP_INVALID_COMMAND); /* UNCONFIRMED: an over-long line */
		return;
	}
	if (!s->nline)
		return; /* UNCONFIRMED: an empty line is ignored */
	unsigned rc;
	if (lpc_isp_parse_cmd(s->line, s->nline, &k, &pos, &why))
		rc = (s->line[0] >= 'A' && s->line[0] <= 'Z') ? LPC_ISP_PARAM_ERROR
							      : LPC_ISP_INVALID_COMMAND;
	else
		switch (k.letter) {
		case 'W': rc = isp_cmd_write(s, &k); break;
		case 'R': rc = isp_cmd_read(s, &k); break;
		case 'P': rc = isp_cmd_prepare(s, &k); break;
		case 'C': rc = isp_cmd_copy(s, &k); break;
		case 'E': rc = isp_cmd_erase(s, &k); break;
		case 'I': rc = isp_cmd_blank(s, &k); break;
		case 'M': rc = isp_cmd_compare(s, &k); break;
		case 'G': rc = isp_cmd_go(s, &k); break;
		case 'B': rc = isp_cmd_baud(s, &k); break;
		default: rc = isp_cmd_simple(s, &k); break;
		}
	if (rc != UINT32_MAX)
		isp_rc(s, rc);
}

/* ---------------------------------------------------------------- data lines */

static void isp_w_line(isp *s)
{
	if (s->want_sum) {
		uint32_t sum;
		bool ok = !s->blk_bad && !lpc_isp_parse_number(s->line, s->nline, &sum) &&
			  sum == lpc_uu_sum(s->blk, s->nblk);
		if (ok) {
			memcpy(s->c->ram + (s->w_addr - s->c->v->ram_base), s->blk, s->nblk);
			s->w_addr += (uint32_t)s->nblk;
			s->w_left -= (uint32_t)s->nblk;
			s->c->gen++;
		}
		isp_put(s, ok ? "OK\r\n" : "RESEND\r\n", ok ? 4 : 8);
		s->nblk = s->blines = 0;
		s->blk_bad = s->want_sum = false;
		if (ok && !s->w_left)
			s->st = ISP_CMD;
		return;
	}
	uint8_t b[LPC_UU_LINE_MAX_BYTES];
	size_t n = 0, pos;
	const char *why;
	if (lpc_uu_decode_line(s->line, s->nline, b, &n, &pos, &why) ||
	    s->nblk + n > s->w_left) {
		/* UNCONFIRMED: a garbled line spoils the block, answered RESEND at the checksum;
		 * it stands for a full line */
		s->blk_bad = true;
		n = LPC_UU_LINE_MAX_BYTES;
	} else {
		memcpy(s->blk + s->nblk, b, n);
	}
	s->nblk += n;
	s->blines++;
	if (s->blines == LPC_UU_LINES_PER_SUM || s->nblk >= s->w_left)
		s->want_sum = true;
	if (s->nblk > s->w_left) /* keep the accounting inside the buffer */
		s->nblk = s->w_left;
}

static void isp_r_line(isp *s)
{
	if (s->nline == 2 && memcmp(s->line, "OK", 2) == 0) {
		s->r_addr += s->r_blk;
		s->r_left -= s->r_blk;
		if (!s->r_left) {
			s->st = ISP_CMD;
			return;
		}
	} else if (!(s->nline == 6 && memcmp(s->line, "RESEND", 6) == 0)) {
		s->st = ISP_CMD; /* UNCONFIRMED: anything else ends the transfer */
		return;
	}
	isp_send_block(s);
}

static void isp_line(isp *s)
{
	switch (s->st) {
	case ISP_SYNC_STR:
		/* §32.7.1 autobaud: "Synchronized" verified -> "OK"; otherwise wait for '?' */
		if (s->nline == 12 && memcmp(s->line, "Synchronized", 12) == 0) {
			isp_put(s, "OK\r\n", 4);
			s->st = ISP_FREQ;
		} else {
			s->st = ISP_SYNC;
		}
		break;
	case ISP_FREQ: {
		uint32_t khz; /* the crystal in kHz; UNCONFIRMED: a non-number restarts the sync */
		if (s->nline && s->nline <= 6 && !lpc_isp_parse_number(s->line, s->nline, &khz)) {
			isp_put(s, "OK\r\n", 4);
			s->st = ISP_CMD;
		} else {
			s->st = ISP_SYNC;
		}
		break;
	}
	case ISP_CMD: isp_command(s); break;
	case ISP_W_UU: isp_w_line(s); break;
	case ISP_R_WAIT: isp_r_line(s); break;
	default: break;
	}
	s->nline = 0;
	s->overflow = false;
}

/* ---------------------------------------------------------------- bytes in */

static void isp_byte(isp *s, uint8_t b)
{
	/* The ISP answers each command before the next one (§32.7: a command, then its return
	 * code and data): a host starts a line that waits for a reply (a command, R's OK/RESEND)
	 * once that reply has arrived, so the device's transmission (R's data, a long return
	 * line) is on the clock before the line's first byte. Within a line, or while W data
	 * streams in with its echo, both directions overlap (full duplex). */
	bool line_start = (s->st == ISP_CMD || s->st == ISP_R_WAIT) && s->nline == 0;
	if (line_start && s->tx_free_ns > s->c->now_ns)
		tw_lpc_advance(s->c, s->tx_free_ns - s->c->now_ns);
	tw_lpc_advance(s->c, isp_byte_ns(s));
	if (s->c->mode != TW_LPC_MODE_ISP || s->st == ISP_GONE)
		return;
	if (s->st == ISP_SYNC) {
		if (b == '?') { /* §32.7.1: autobaud on '?' and answer */
			isp_put(s, "Synchronized\r\n", 14);
			s->st = ISP_SYNC_STR;
			s->nline = 0;
		}
		return;
	}
	if (s->st == ISP_W_BIN) {
		if (s->echo)
			isp_put(s, &b, 1);
		s->c->ram[s->w_addr++ - s->c->v->ram_base] = b;
		s->c->gen++;
		if (--s->w_left == 0)
			s->st = ISP_CMD;
		return;
	}
	if (b == 0x11 || b == 0x13)
		return; /* XON/XOFF: flow control, not data (§32.7 "ISP flow control") */
	if (s->echo)
		isp_put(s, &b, 1);
	if (b == 0x1B && s->st == ISP_CMD) { /* §32.7 "ISP command abort": ESC */
		s->nline = 0;
		s->overflow = false;
		return;
	}
	/* Lines end with CR LF (§32.7 "ISP command format"); the line is acted on at the LF, so
	 * that data following a W command start after the whole line end. UNCONFIRMED: a bare LF
	 * also ends a line (lpc21isp's FormatCommand notes ROMs accept it), a CR is dropped. */
	if (b == '\r')
		return;
	if (b == '\n') {
		isp_line(s);
		return;
	}
	if (s->nline < LPC_ISP_LINE_MAX)
		s->line[s->nline++] = (char)b;
	else
		s->overflow = true;
}

/* ---------------------------------------------------------------- the port */

static void isp_restart(isp *s)
{
	s->st = ISP_SYNC;
	s->echo = true; /* echo is on after reset (Table 572) */
	s->unlocked = s->prepared = s->overflow = false;
	s->nline = 0;
	s->baud = s->cfg.baud ? s->cfg.baud : 115200U;
}

static int isp_open(void *m, fk_ctx *ctx, const tw_stream_cfg *cfg, void **sess)
{
	isp *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "opening the LPC ISP port");
	s->c = tw_lpc_of_instance(m);
	if (cfg)
		s->cfg = *cfg;
	isp_restart(s);
	s->tx_free_ns = s->c->now_ns;
	*sess = s;
	return FK_OK;
}

static void isp_close(void *sess)
{
	isp *s = sess;
	if (!s)
		return;
	free(s->out);
	free(s);
}

static void isp_rx(void *sess, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		isp_byte(sess, buf[i]);
}

static size_t isp_tx(void *sess, uint8_t *buf, size_t max)
{
	isp *s = sess;
	size_t n = s->nout - s->off < max ? s->nout - s->off : max;
	if (!n)
		return 0;
	memcpy(buf, s->out + s->off, n);
	s->off += n;
	if (s->off == s->nout)
		s->off = s->nout = 0;
	return n;
}

static size_t isp_pending(const void *sess)
{
	const isp *s = sess;
	return s->nout - s->off;
}

static uint64_t isp_tx_last(const void *sess)
{
	return ((const isp *)sess)->tx_free_ns;
}

static uint64_t isp_byte_ns_port(const void *sess)
{
	return isp_byte_ns(sess);
}

/* The board reset with the ISP pin held low (a reset button with the ISP button, or the
 * host's DTR/RTS): the boot ROM decides again (§32.3.1). */
static void isp_board_reset(void *sess)
{
	isp *s = sess;
	bool pin = s->c->isp_pin;
	s->c->isp_pin = true;
	s->c->reset_pin = false;
	tw_lpc_reset(s->c);
	s->c->isp_pin = pin;
	isp_restart(s);
}

/* lpc21isp -control wiring (esp_lpc.md C.8): DTR drives RESET, RTS drives the ISP pin
 * (asserted = low). RESET released = the chip starts, sampling the ISP pin (§32.3.1). */
static void isp_lines(void *sess, unsigned asserted)
{
	isp *s = sess;
	bool was_reset = s->c->reset_pin;
	s->c->isp_pin = (asserted & TW_LINE_RTS) != 0;
	s->c->reset_pin = (asserted & TW_LINE_DTR) != 0;
	if (s->c->reset_pin) {
		s->c->mode = TW_LPC_MODE_RESET;
		s->c->gen++;
	} else if (was_reset) {
		tw_lpc_reset(s->c);
		isp_restart(s);
	}
}

static int isp_set_baud(void *sess, unsigned baud)
{
	isp *s = sess;
	s->baud = baud; /* autobaud: the ROM follows whatever rate the host uses */
	return FK_OK;
}

const tw_stream_port tw_lpc_isp_port = {
	.protocol = "lpc-isp",
	.summary = "NXP LPC UART ISP (boot ROM command handler)",
	.open = isp_open,
	.close = isp_close,
	.rx = isp_rx,
	.tx = isp_tx,
	.pending = isp_pending,
	.tx_last_ns = isp_tx_last,
	.byte_ns = isp_byte_ns_port,
	.board_reset = isp_board_reset,
	.lines = isp_lines,
	.set_baud = isp_set_baud,
};
