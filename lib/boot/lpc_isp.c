/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC UART ISP client (see lpc_isp.h for the sources). */
#include <stdio.h>
#include <string.h>

#include "boot/lpc_isp.h"
#include "core/core.h"

/* ---------------------------------------------------------------- bytes */

static void note_seen(lpc_isp *l, uint8_t b)
{
	if (l->nseen == LPC_ISP_SEEN_MAX) {
		memmove(l->seen, l->seen + 1, LPC_ISP_SEEN_MAX - 1);
		l->nseen--;
	}
	l->seen[l->nseen++] = b;
}

/* The bytes seen, printable: "0\r\n" -> "0\r\n" spelled out, others as \xNN. */
static const char *seen_text(const lpc_isp *l, char *out, size_t n)
{
	out[0] = '\0';
	if (!l->nseen) {
		fk_strlcpy(out, "nothing", n);
		return out;
	}
	fk_snprintf_cat(out, n, "\"");
	for (size_t i = 0; i < l->nseen; i++) {
		uint8_t b = l->seen[i];
		if (b == '\r')
			fk_snprintf_cat(out, n, "\\r");
		else if (b == '\n')
			fk_snprintf_cat(out, n, "\\n");
		else if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
			fk_snprintf_cat(out, n, "%c", b);
		else
			fk_snprintf_cat(out, n, "\\x%02X", b);
	}
	fk_snprintf_cat(out, n, "\"");
	return out;
}

static int rd_byte(lpc_isp *l, unsigned timeout_ms, uint8_t *b)
{
	size_t got = 0;
	int rc = l->ops->read(l->h, l->ctx, b, 1, timeout_ms, &got);
	if (rc == FK_OK && got == 1) {
		note_seen(l, *b);
		return FK_OK;
	}
	return rc ? rc : FK_E_TIMEOUT;
}

static int wr(lpc_isp *l, const void *buf, size_t n)
{
	int rc = l->ops->write(l->h, l->ctx, buf, n);
	return rc ? fk_fail_wrap(l->ctx, rc, "%s: sending to the LPC ISP", l->where) : FK_OK;
}

/* Waits ms (reading and dropping what arrives). */
static void quiet(lpc_isp *l, unsigned ms)
{
	for (unsigned k = 0; k < 4096; k++) {
		uint8_t b;
		if (rd_byte(l, ms, &b))
			return;
	}
}

/* One line as lpc21isp reads it (FormatCommand): CR/LF runs end a line, line breaks before it
 * are dropped. FK_E_TIMEOUT (no cause) when it does not complete in time. */
static int rd_line(lpc_isp *l, unsigned timeout_ms, char *out, size_t cap, size_t *n)
{
	size_t k = 0;
	for (;;) {
		uint8_t b;
		int rc = rd_byte(l, timeout_ms, &b);
		if (rc)
			return rc;
		if (b == '\n' || b == '\r') {
			bool lf_after_cr = b == '\n' && l->pending_lf;
			l->pending_lf = b == '\r';
			if (lf_after_cr || k == 0)
				continue; /* the rest of a line end, or a leading break */
			out[k] = '\0';
			*n = k;
			return FK_OK;
		}
		l->pending_lf = false;
		if (k + 1 >= cap)
			return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: a line from the LPC ISP longer than "
				       "%zu characters", l->where, cap - 1);
		out[k++] = (char)b;
	}
}

static int fail_seen(lpc_isp *l, int code, const char *fmt, const char *what, const char *arg)
{
	char s[4 * LPC_ISP_SEEN_MAX + 8];
	seen_text(l, s, sizeof s);
	char m[200];
	snprintf(m, sizeof m, fmt, what, arg);
	return fk_fail(l->ctx, code, "%s: %s (bytes seen last: %s)", l->where, m, s);
}

/* Reads a line and requires it to be `want` (an echo, "OK"). */
static int expect_line(lpc_isp *l, const char *want, unsigned timeout_ms, const char *after)
{
	char line[LPC_ISP_LINE_MAX + 1];
	size_t n;
	int rc = rd_line(l, timeout_ms, line, sizeof line, &n);
	if (rc == FK_E_TIMEOUT)
		return fail_seen(l, FK_E_TIMEOUT, "no \"%s\" after %s", want, after);
	if (rc)
		return rc;
	if (strcmp(line, want) != 0) {
		char m[160];
		snprintf(m, sizeof m, "expected \"%s\" after %s, got \"%.60s\"", want, after, line);
		return fail_seen(l, FK_E_PROTOCOL, "%s%s", m, "");
	}
	return FK_OK;
}

static int rd_number(lpc_isp *l, unsigned timeout_ms, uint32_t *v, const char *what)
{
	char line[LPC_ISP_LINE_MAX + 1];
	size_t n;
	int rc = rd_line(l, timeout_ms, line, sizeof line, &n);
	if (rc == FK_E_TIMEOUT)
		return fail_seen(l, FK_E_TIMEOUT, "no %s%s", what, " in time");
	if (rc)
		return rc;
	if (lpc_isp_parse_number(line, n, v)) {
		char m[160];
		snprintf(m, sizeof m, "expected %s (a decimal number), got \"%.60s\"", what, line);
		return fail_seen(l, FK_E_PROTOCOL, "%s%s", m, "");
	}
	return FK_OK;
}

/* ---------------------------------------------------------------- set-up */

int lpc_isp_entry_parse(const char *s)
{
	if (!s || !*s || strcmp(s, "none") == 0 || strcmp(s, "hand") == 0)
		return LPC_ENTRY_HAND;
	if (strcmp(s, "control") == 0 || strcmp(s, "lpc21isp") == 0)
		return LPC_ENTRY_CONTROL;
	return -1;
}

int lpc_isp_init(lpc_isp *l, fk_ctx *ctx, const fk_transport *t, lpc_isp_entry entry,
		 unsigned xtal_khz)
{
	memset(l, 0, sizeof *l);
	l->ctx = ctx;
	if (!t || t->kind != FK_TRANSPORT_STREAM || !t->ops)
		return fk_fail(ctx, FK_E_INTERNAL, "the LPC ISP client needs a byte stream");
	l->ops = t->ops;
	l->h = t->handle;
	l->where = t->description;
	l->tmo = (lpc_isp_timeouts){.sync_ms = 200, .cmd_ms = 1000, .erase_ms = 5000,
				    .reset_ms = 100};
	l->entry = entry;
	l->xtal_khz = xtal_khz ? xtal_khz : LPC_ISP_DEFAULT_XTAL_KHZ;
	l->sync_attempts = 25;
	l->resends = 3;
	l->echo = true; /* after reset (UM10360 Table 572) */
	l->last_rc = LPC_ISP_RC_COUNT;
	return FK_OK;
}

static int lines(lpc_isp *l, int dtr, int rts)
{
	if (!l->ops->set_lines)
		return fk_fail(l->ctx, FK_E_UNSUPPORTED, "%s: this port cannot drive DTR/RTS",
			       l->where);
	int rc = l->ops->set_lines(l->h, l->ctx, dtr, rts);
	if (rc) {
		fk_hint(l->ctx, "without DTR/RTS wiring: hold the ISP pin low (P2.10 on an LPC17xx, "
			"PIO0_1 on an LPC81x), press reset, and connect without --boot-seq");
		return fk_fail_wrap(l->ctx, rc, "%s: driving DTR (RESET) / RTS (ISP pin)", l->where);
	}
	return FK_OK;
}

/* lpc21isp ResetTarget(PROGRAM_MODE) order: RESET and ISP low, RESET released while ISP stays
 * low (the ROM samples it, UM10360 §32.3.1), then ISP released. */
static int enter_control(lpc_isp *l)
{
	int rc = lines(l, 1, 1);
	if (!rc) {
		quiet(l, l->tmo.reset_ms);
		rc = lines(l, 0, 1);
	}
	if (!rc) {
		quiet(l, l->tmo.reset_ms);
		rc = lines(l, 0, 0);
	}
	return rc;
}

static int sync_fail(lpc_isp *l, bool any)
{
	char s[4 * LPC_ISP_SEEN_MAX + 8];
	seen_text(l, s, sizeof s);
	if (!any) {
		fk_hint(l->ctx, "hold the ISP pin low (P2.10 on an LPC17xx, PIO0_1 on an LPC81x) while "
			"releasing RESET, or wire DTR to RESET and RTS to ISP and pass --boot-seq "
			"control; check 8N1 and the baud rate; `flashkey doctor` lists the causes");
		return fk_fail(l->ctx, FK_E_CONNECT,
			       "%s: no answer from the LPC ISP to '?' (%u tries): no power or "
			       "wiring, the part was not reset with the ISP pin low, user code owns "
			       "the UART, or CRP3 / NO_ISP at 0x2FC with valid user code (the boot "
			       "ROM no longer samples the ISP pin, UM10360 §32.6)",
			       l->where, l->sync_attempts);
	}
	fk_hint(l->ctx, "noise instead of \"Synchronized\": check the baud rate (the ROM autobauds "
		"on '?'), 8N1, and that nothing else uses the port");
	return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: the LPC ISP did not answer '?' with "
		       "\"Synchronized\" (bytes seen last: %s)", l->where, s);
}

int lpc_isp_connect(lpc_isp *l)
{
	int rc;
	l->synced = l->unlocked = false;
	l->echo = true;
	l->nseen = 0;
	l->pending_lf = false;
	if (l->entry == LPC_ENTRY_CONTROL && (rc = enter_control(l)))
		return rc;
	bool any = false, ok = false;
	char line[LPC_ISP_LINE_MAX + 1];
	for (unsigned a = 0; a < l->sync_attempts && !ok; a++) {
		if (l->ops->flush_input)
			(void)l->ops->flush_input(l->h, l->ctx);
		if ((rc = wr(l, "?", 1)))
			return rc;
		size_t n;
		for (;;) { /* lines until silence; lpc21isp drops leading '?' and NULs */
			rc = rd_line(l, l->tmo.sync_ms, line, sizeof line, &n);
			if (rc == FK_E_PROTOCOL)
				fk_ctx_clear(l->ctx);
			if (rc)
				break;
			any = true;
			size_t s = 0;
			while (s < n && (line[s] == '?' || line[s] == '\0'))
				s++;
			if (strcmp(line + s, "Synchronized") == 0) {
				ok = true;
				break;
			}
		}
		any = any || l->nseen;
	}
	if (!ok)
		return sync_fail(l, any);
	/* UM10360 §32.7.1: the host answers "Synchronized"; the ROM echoes it and says OK */
	if ((rc = wr(l, "Synchronized\r\n", 14)) ||
	    (rc = expect_line(l, "Synchronized", l->tmo.cmd_ms, "sending \"Synchronized\"")) ||
	    (rc = expect_line(l, "OK", l->tmo.cmd_ms, "sending \"Synchronized\"")))
		return fk_fail_wrap(l->ctx, rc, "synchronising with the LPC ISP");
	char x[16];
	snprintf(x, sizeof x, "%u", l->xtal_khz);
	char crlf[20];
	snprintf(crlf, sizeof crlf, "%s\r\n", x);
	if ((rc = wr(l, crlf, strlen(crlf))) ||
	    (rc = expect_line(l, x, l->tmo.cmd_ms, "sending the crystal frequency")) ||
	    (rc = expect_line(l, "OK", l->tmo.cmd_ms, "sending the crystal frequency")))
		return fk_fail_wrap(l->ctx, rc, "synchronising with the LPC ISP (crystal %u kHz)",
				    l->xtal_khz);
	l->synced = true;
	fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_LINK, "%s: LPC ISP synchronised (crystal %u kHz)",
	       l->where, l->xtal_khz);
	return lpc_isp_echo(l, false);
}

int lpc_isp_leave(lpc_isp *l)
{
	if (l->entry != LPC_ENTRY_CONTROL)
		return FK_OK;
	int rc = lines(l, 1, 0);
	if (!rc) {
		quiet(l, l->tmo.reset_ms);
		rc = lines(l, 0, 0);
	}
	return rc;
}

int lpc_isp_probe(lpc_isp *l, bool *answered)
{
	*answered = false;
	l->synced = l->unlocked = false;
	if (l->ops->flush_input)
		(void)l->ops->flush_input(l->h, l->ctx);
	int rc = wr(l, "?", 1);
	if (rc)
		return rc;
	char line[LPC_ISP_LINE_MAX + 1];
	size_t n;
	rc = rd_line(l, l->tmo.sync_ms, line, sizeof line, &n);
	if (rc == FK_E_TIMEOUT || rc == FK_E_PROTOCOL) {
		fk_ctx_clear(l->ctx);
		return FK_OK;
	}
	if (rc)
		return rc;
	*answered = strstr(line, "Synchronized") != NULL;
	return FK_OK;
}

/* ---------------------------------------------------------------- commands */

static int rc_fail(lpc_isp *l, const char *cmd, unsigned rc)
{
	const char *name = lpc_isp_rc_name(rc);
	if (rc == LPC_ISP_CODE_READ_PROTECTION_ENABLED)
		fk_hint(l->ctx, "the part is code-read-protected (the CRP word at 0x2FC): `flashkey "
			"status` names the level; CRP1 and CRP2 are cleared by erasing every sector "
			"(`flashkey unlock --allow-erase-all`)");
	else if (rc == LPC_ISP_CMD_LOCKED)
		fk_hint(l->ctx, "send U 23130 (Unlock) before E, C or G");
	else if (rc == LPC_ISP_SECTOR_NOT_PREPARED)
		fk_hint(l->ctx, "P (Prepare) must name the sectors right before E or C");
	return fk_fail(l->ctx, rc == LPC_ISP_CODE_READ_PROTECTION_ENABLED ? FK_E_PROTECTED
									  : FK_E_NACK,
		       "%s: \"%s\" answered return code %u %s: %s", l->where, cmd, rc,
		       name ? name : "(not in UM10360 Table 587)", lpc_isp_rc_text(rc));
}

/* Sends the command, checks the echo when echo is on, reads the return code into *code. */
static int cmd_rc(lpc_isp *l, const char *cmd, unsigned timeout_ms, unsigned *code)
{
	char b[LPC_ISP_LINE_MAX + 3];
	size_t n = strlen(cmd);
	if (n > LPC_ISP_LINE_MAX)
		return fk_fail(l->ctx, FK_E_INTERNAL, "an ISP command longer than %u characters",
			       LPC_ISP_LINE_MAX);
	memcpy(b, cmd, n);
	memcpy(b + n, "\r\n", 2);
	l->nseen = 0;
	int rc = wr(l, b, n + 2);
	if (rc)
		return rc;
	if (l->echo && (rc = expect_line(l, cmd, l->tmo.cmd_ms, "a command (its echo)")))
		return fk_fail_wrap(l->ctx, rc, "\"%s\"", cmd);
	uint32_t v;
	if ((rc = rd_number(l, timeout_ms, &v, "return code")))
		return fk_fail_wrap(l->ctx, rc, "\"%s\"", cmd);
	l->last_rc = v < LPC_ISP_RC_COUNT ? v : LPC_ISP_RC_COUNT;
	*code = v;
	return FK_OK;
}

int lpc_isp_command(lpc_isp *l, const char *cmd, unsigned timeout_ms)
{
	unsigned code;
	int rc = cmd_rc(l, cmd, timeout_ms ? timeout_ms : l->tmo.cmd_ms, &code);
	if (rc)
		return rc;
	return code ? rc_fail(l, cmd, code) : FK_OK;
}

int lpc_isp_echo(lpc_isp *l, bool on)
{
	int rc = lpc_isp_command(l, on ? "A 1" : "A 0", 0);
	if (!rc)
		l->echo = on;
	return rc;
}

int lpc_isp_unlock(lpc_isp *l)
{
	char c[16];
	snprintf(c, sizeof c, "U %u", LPC_ISP_UNLOCK_CODE);
	int rc = lpc_isp_command(l, c, 0);
	if (!rc)
		l->unlocked = true;
	return rc;
}

static int cmd_words(lpc_isp *l, const char *cmd, uint32_t *w, unsigned n, const char *what)
{
	int rc = lpc_isp_command(l, cmd, 0);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = rd_number(l, l->tmo.cmd_ms, &w[i], what);
	return rc ? fk_fail_wrap(l->ctx, rc, "%s (%s)", what, cmd) : FK_OK;
}

int lpc_isp_part_id(lpc_isp *l, uint32_t *id)
{
	return cmd_words(l, "J", id, 1, "the part ID");
}

int lpc_isp_boot_version(lpc_isp *l, unsigned *major, unsigned *minor)
{
	/* UM10360 Table 584: two numbers, read as <byte1 (major)>.<byte0 (minor)>; sent byte0
	 * first (UNCONFIRMED order, as the twin does) */
	uint32_t w[2];
	int rc = cmd_words(l, "K", w, 2, "the boot code version");
	if (!rc) {
		*minor = w[0];
		*major = w[1];
	}
	return rc;
}

int lpc_isp_uid(lpc_isp *l, uint32_t uid[4])
{
	return cmd_words(l, "N", uid, 4, "the unique ID");
}

int lpc_isp_prepare(lpc_isp *l, unsigned first, unsigned last)
{
	char c[32];
	snprintf(c, sizeof c, "P %u %u", first, last);
	return lpc_isp_command(l, c, 0);
}

int lpc_isp_erase(lpc_isp *l, unsigned first, unsigned last)
{
	char c[32];
	snprintf(c, sizeof c, "E %u %u", first, last);
	return lpc_isp_command(l, c, l->tmo.erase_ms);
}

int lpc_isp_copy(lpc_isp *l, uint32_t flash, uint32_t ram, uint32_t n)
{
	char c[48];
	snprintf(c, sizeof c, "C %u %u %u", flash, ram, n);
	return lpc_isp_command(l, c, l->tmo.erase_ms);
}

/* ---------------------------------------------------------------- W / R data */

static int check_count(lpc_isp *l, const char *what, uint32_t addr, uint32_t n)
{
	if (addr % 4 || n % 4)
		return fk_fail(l->ctx, FK_E_INTERNAL, "%s: address 0x%08X and count %u must be "
			       "multiples of 4 (UM10360 Tables 573/574)", what, addr, n);
	return FK_OK;
}

/* Sends one block of UU lines and its checksum; *ok = the ROM answered OK (else RESEND). */
static int w_block(lpc_isp *l, const uint8_t *p, uint32_t n, bool *ok)
{
	char text[LPC_UU_LINES_PER_SUM * (LPC_UU_LINE_MAX_CHARS + 3) + 16];
	size_t t = 0;
	unsigned nl = 0;
	for (uint32_t o = 0; o < n; o += LPC_UU_LINE_MAX_BYTES, nl++) {
		uint32_t k = n - o < LPC_UU_LINE_MAX_BYTES ? n - o : LPC_UU_LINE_MAX_BYTES;
		t += lpc_uu_encode_line(p + o, k, text + t, sizeof text - t);
		text[t++] = '\r';
		text[t++] = '\n';
	}
	t += (size_t)snprintf(text + t, sizeof text - t, "%u\r\n", lpc_uu_sum(p, n));
	l->nseen = 0;
	int rc = wr(l, text, t);
	char line[LPC_ISP_LINE_MAX + 1];
	size_t m;
	for (unsigned i = 0; !rc && l->echo && i <= nl; i++) /* the echo of the lines and sum */
		if ((rc = rd_line(l, l->tmo.cmd_ms, line, sizeof line, &m)) == FK_E_TIMEOUT)
			return fail_seen(l, rc, "%s%s", "the echo of the UU lines did not come back",
					 "");
	if (rc)
		return rc;
	rc = rd_line(l, l->tmo.cmd_ms, line, sizeof line, &m);
	if (rc == FK_E_TIMEOUT)
		return fail_seen(l, rc, "no OK or RESEND after the checksum %s%s", "of a UU block",
				 "");
	if (rc)
		return rc;
	if (strcmp(line, "OK") && strcmp(line, "RESEND")) {
		char w[120];
		snprintf(w, sizeof w, "expected OK or RESEND after a UU block's checksum, got "
			 "\"%.40s\"", line);
		return fail_seen(l, FK_E_PROTOCOL, "%s%s", w, "");
	}
	*ok = line[0] == 'O';
	return FK_OK;
}

int lpc_isp_write_ram(lpc_isp *l, uint32_t addr, const uint8_t *buf, uint32_t n)
{
	int rc = check_count(l, "W", addr, n);
	if (rc)
		return rc;
	char c[40];
	snprintf(c, sizeof c, "W %u %u", addr, n);
	if ((rc = lpc_isp_command(l, c, 0)))
		return rc;
	if (l->binary) { /* UM10601 §21.5.1.4: the bytes follow as they are */
		if ((rc = wr(l, buf, n)))
			return rc;
		if (l->echo && l->pending_lf) { /* the LF of the return code's CR LF */
			uint8_t b;
			if ((rc = rd_byte(l, l->tmo.cmd_ms, &b)) || b != '\n')
				return fail_seen(l, rc ? rc : FK_E_PROTOCOL, "W: %s%s", "no LF after the "
						 "return code", "");
			l->pending_lf = false;
		}
		for (uint32_t i = 0; l->echo && i < n; i++) {
			uint8_t b;
			if ((rc = rd_byte(l, l->tmo.cmd_ms, &b)))
				return fail_seen(l, rc, "%s (byte %s)", "the echo of the data stopped",
						 "");
			if (b != buf[i])
				return fail_seen(l, FK_E_PROTOCOL, "%s%s", "the echo of the data "
						 "differs from what was sent", "");
		}
		return FK_OK;
	}
	const uint32_t blk = LPC_UU_LINES_PER_SUM * LPC_UU_LINE_MAX_BYTES;
	for (uint32_t o = 0; o < n; o += blk) {
		uint32_t k = n - o < blk ? n - o : blk;
		bool ok = false;
		for (unsigned t = 0; !ok; t++) {
			if ((rc = w_block(l, buf + o, k, &ok)))
				return fk_fail_wrap(l->ctx, rc, "W: the block at 0x%08X", addr + o);
			if (!ok) {
				l->resent_blocks++;
				if (t >= l->resends)
					return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: W: the ISP answered "
						       "RESEND %u times for the block at 0x%08X (%u "
						       "bytes): the line corrupts data",
						       l->where, t + 1, addr + o, k);
			}
		}
	}
	return FK_OK;
}

/* Reads one UU block of k bytes into p; *why (bad, line) set when it must be asked again. */
static int r_block(lpc_isp *l, uint8_t *p, uint32_t k, char *why, size_t whyn)
{
	char line[LPC_ISP_LINE_MAX + 1];
	size_t m;
	uint32_t got = 0;
	why[0] = '\0';
	for (unsigned i = 0; got < k; i++) {
		uint32_t want = k - got < LPC_UU_LINE_MAX_BYTES ? k - got : LPC_UU_LINE_MAX_BYTES;
		int rc = rd_line(l, l->tmo.cmd_ms, line, sizeof line, &m);
		if (rc == FK_E_TIMEOUT)
			return fail_seen(l, rc, "R: UU line %s of a block did not come (%s)",
					 i < 100 ? "data" : "?", "timeout");
		if (rc)
			return rc;
		uint8_t b[LPC_UU_LINE_MAX_BYTES];
		size_t nb = 0, pos;
		const char *w;
		if (lpc_uu_decode_line(line, m, b, &nb, &pos, &w)) {
			if (!why[0])
				snprintf(why, whyn, "line %u: %s at column %zu (\"%.64s\")", i + 1,
					 w, pos, line);
		} else if (nb != want) {
			if (!why[0])
				snprintf(why, whyn, "line %u carries %zu bytes, %u expected (\"%.64s\")",
					 i + 1, nb, want, line);
		} else {
			memcpy(p + got, b, nb);
		}
		got += want;
	}
	uint32_t sum;
	int rc = rd_number(l, l->tmo.cmd_ms, &sum, "a UU block checksum");
	if (rc)
		return rc;
	if (!why[0] && sum != lpc_uu_sum(p, k))
		snprintf(why, whyn, "the checksum line says %u, the data sum to %u", sum,
			 lpc_uu_sum(p, k));
	return FK_OK;
}

int lpc_isp_read(lpc_isp *l, uint32_t addr, uint8_t *buf, uint32_t n)
{
	int rc = check_count(l, "R", addr, n);
	if (rc)
		return rc;
	char c[40];
	snprintf(c, sizeof c, "R %u %u", addr, n);
	if ((rc = lpc_isp_command(l, c, 0)))
		return rc;
	if (l->binary) { /* UM10601 §21.5.1.5: the bytes follow as they are */
		uint32_t i = 0;
		if (l->pending_lf) { /* the CR LF after the return code */
			uint8_t b;
			if ((rc = rd_byte(l, l->tmo.cmd_ms, &b)))
				return fail_seen(l, rc, "R: no data after the %s%s", "return code", "");
			l->pending_lf = false;
			if (b != '\n')
				buf[i++] = b;
		}
		for (; i < n; i++)
			if ((rc = rd_byte(l, l->tmo.cmd_ms, &buf[i]))) {
				char w[64];
				snprintf(w, sizeof w, "%u of %u bytes", i, n);
				return fail_seen(l, rc, "R: the data stopped after %s%s", w, "");
			}
		return FK_OK;
	}
	const uint32_t blk = LPC_UU_LINES_PER_SUM * LPC_UU_LINE_MAX_BYTES;
	for (uint32_t o = 0; o < n; o += blk) {
		uint32_t k = n - o < blk ? n - o : blk;
		for (unsigned t = 0;; t++) {
			char why[200];
			l->nseen = 0;
			if ((rc = r_block(l, buf + o, k, why, sizeof why)))
				return fk_fail_wrap(l->ctx, rc, "R: the block at 0x%08X", addr + o);
			bool ok = !why[0];
			if (!ok && t >= l->resends)
				return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: R: the block at 0x%08X was "
					       "still bad after %u requests: %s", l->where, addr + o,
					       t + 1, why);
			if (!ok) {
				l->resent_blocks++;
				fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_LINK, "%s: R 0x%08X: %s; RESEND",
				       l->where, addr + o, why);
			}
			if ((rc = wr(l, ok ? "OK\r\n" : "RESEND\r\n", ok ? 4 : 8)))
				return rc;
			if (l->echo && (rc = expect_line(l, ok ? "OK" : "RESEND", l->tmo.cmd_ms,
							  "R's OK/RESEND (its echo)")))
				return rc;
			if (ok)
				break;
		}
	}
	return FK_OK;
}

/* ---------------------------------------------------------------- I, M, G */

int lpc_isp_blank_check(lpc_isp *l, unsigned first, unsigned last, bool *blank,
			uint32_t *offset, uint32_t *word)
{
	char c[32];
	snprintf(c, sizeof c, "I %u %u", first, last);
	unsigned code;
	int rc = cmd_rc(l, c, l->tmo.erase_ms, &code);
	if (rc)
		return rc;
	*blank = code == LPC_ISP_CMD_SUCCESS;
	if (code == LPC_ISP_SECTOR_NOT_BLANK) { /* Table 579: offset, then the contents */
		uint32_t w[2];
		for (unsigned i = 0; i < 2; i++)
			if ((rc = rd_number(l, l->tmo.cmd_ms, &w[i], "I's offset and word")))
				return rc;
		*offset = w[0];
		*word = w[1];
		return FK_OK;
	}
	return code ? rc_fail(l, c, code) : FK_OK;
}

int lpc_isp_compare(lpc_isp *l, uint32_t a, uint32_t b, uint32_t n, bool *same,
		    uint32_t *offset)
{
	char c[48];
	snprintf(c, sizeof c, "M %u %u %u", a, b, n);
	unsigned code;
	int rc = cmd_rc(l, c, l->tmo.erase_ms, &code);
	if (rc)
		return rc;
	*same = code == LPC_ISP_CMD_SUCCESS;
	if (code == LPC_ISP_COMPARE_ERROR) /* Table 586: the offset of the first difference */
		return rd_number(l, l->tmo.cmd_ms, offset, "M's offset");
	return code ? rc_fail(l, c, code) : FK_OK;
}

int lpc_isp_go(lpc_isp *l, uint32_t addr)
{
	char c[32];
	snprintf(c, sizeof c, "G %u T", addr);
	int rc = lpc_isp_command(l, c, 0);
	if (!rc)
		l->synced = false; /* the ROM no longer listens (Table 577) */
	return rc;
}
