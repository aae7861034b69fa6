/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/stm32_usart: the AN3155 client — sync, the byte exchange of every command, reply budgets,
 * diagnostics naming the command and the bytes seen, bounded retries, re-sync after the commands
 * that reset the chip.
 *
 * Sources: AN3155 Rev 20 §1 (0x7F autobaud), §3 (ACK 0x79 / NACK 0x1F, command + complement,
 * XOR checksums), §3.1-§3.12 (each command), Table 2 note (F2/F4/F7 reset after Write Memory to
 * option bytes, Write Protect, Write Unprotect, Readout Protect, Readout Unprotect);
 * AN2606 Tables 74/76 (F40x V3.1: two NACKs for Read/Write Memory under RDP), Table 227 (84.59 ms
 * start-up); ../shared/reference/an3155.md §1.4 (a second 0x7F on a synchronised link gets NACK;
 * 0x00 glitch before 0x79), §4.3 (reply budgets). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "boot/stm32_usart.h"
#include "core/core.h"

#define AN3155_DRAIN_MS 50u /* after a NACK: the F40x V3.1 second NACK follows at once */
#define AN3155_RECOVER_MS 20u
#define AN3155_RECOVER_DRAIN_MS 200u

static void an3155_begin(an3155 *b, uint8_t cmd)
{
	b->cur_cmd = cmd;
	b->nseen = 0;
	b->nack_on_cmd = false;
}

static void an3155_seen_add(an3155 *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++, b->nseen++)
		if (b->nseen < sizeof b->seen)
			b->seen[b->nseen] = p[i];
}

static const char *an3155_seen_str(const an3155 *b, char *buf, size_t size)
{
	buf[0] = '\0';
	size_t shown = FK_MIN(b->nseen, sizeof b->seen);
	for (size_t i = 0; i < shown; i++)
		fk_snprintf_cat(buf, size, "%s%02X", i ? " " : "", b->seen[i]);
	if (b->nseen > shown)
		fk_snprintf_cat(buf, size, " ... (%zu bytes)", b->nseen);
	if (!b->nseen)
		fk_strlcpy(buf, "none", size);
	return buf;
}

static int an3155_fail(an3155 *b, int code, const char *what)
{
	char seen[120];
	return fk_fail(b->ctx, code, "%s (0x%02X): %s (bytes seen: %s)", an3155_cmd_name(b->cur_cmd),
		       b->cur_cmd, what, an3155_seen_str(b, seen, sizeof seen));
}

static int an3155_wr(an3155 *b, const void *buf, size_t len)
{
	int rc = b->ops->write(b->h, b->ctx, buf, len);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "%s (0x%02X): sending %zu bytes", an3155_cmd_name(b->cur_cmd),
				    b->cur_cmd, len);
	return FK_OK;
}

/* Reads exactly len bytes; a timeout fails naming the stage. */
static int an3155_rd(an3155 *b, void *buf, size_t len, unsigned tmo, const char *stage)
{
	size_t got = 0;
	int rc = b->ops->read(b->h, b->ctx, buf, len, tmo, &got);
	an3155_seen_add(b, buf, got);
	if (rc == FK_E_TIMEOUT) {
		char what[96];
		snprintf(what, sizeof what, "no reply %s within %u ms (%zu of %zu bytes)", stage, tmo, got, len);
		fk_hint(b->ctx, "check BOOT0=1 and reset the board, TX/RX wiring, the baud rate and 8E1 framing");
		return an3155_fail(b, FK_E_TIMEOUT, what);
	}
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "%s (0x%02X): %s", an3155_cmd_name(b->cur_cmd), b->cur_cmd, stage);
	return FK_OK;
}

/* Swallows what the device sent beyond the protocol (a second NACK, a doubled ACK). */
static size_t an3155_drain(an3155 *b, unsigned tmo)
{
	uint8_t junk[64];
	size_t total = 0;
	for (;;) {
		size_t got = 0;
		b->ops->read(b->h, b->ctx, junk, sizeof junk, tmo, &got);
		an3155_seen_add(b, junk, got);
		total += got;
		if (got < sizeof junk || total > 4096) /* a babbling line: the next stage says so */
			break;
	}
	return total;
}

static int an3155_ack_byte(an3155 *b, uint8_t c, const char *stage);

/* A wait for the ROM's answer longer than a second (an erase: the ROM answers when it is done)
 * is said once, then goes on (issue 13 class 16: no silent wait over a second). */
#define AN3155_QUIET_MS 1000u

static int an3155_ack(an3155 *b, unsigned tmo, const char *stage)
{
	uint8_t c;
	if (tmo > AN3155_QUIET_MS) {
		fk_ctx saved = *b->ctx; /* a timeout here is not a failure yet */
		size_t got = 0;
		int r1 = b->ops->read(b->h, b->ctx, &c, 1, AN3155_QUIET_MS, &got);
		if (r1 == FK_E_TIMEOUT && got == 0) {
			*b->ctx = saved;
			fk_log(b->ctx, FK_LOG_INFO, FK_TRACE_BOOT, "waiting for the bootloader's answer "
			       "%s (it answers when the flash operation is done; up to %u s)", stage,
			       tmo / 1000u);
			tmo -= AN3155_QUIET_MS;
		} else {
			an3155_seen_add(b, &c, got);
			if (r1)
				return fk_fail_wrap(b->ctx, r1, "%s (0x%02X): %s",
						    an3155_cmd_name(b->cur_cmd), b->cur_cmd, stage);
			return an3155_ack_byte(b, c, stage);
		}
	}
	int rc = an3155_rd(b, &c, 1, tmo, stage);
	if (rc)
		return rc;
	return an3155_ack_byte(b, c, stage);
}

static int an3155_ack_byte(an3155 *b, uint8_t c, const char *stage)
{
	if (c == AN3155_ACK)
		return FK_OK;
	char what[96];
	if (c == AN3155_NACK) {
		b->nack_extra = (unsigned)an3155_drain(b, AN3155_DRAIN_MS);
		snprintf(what, sizeof what, "NACK %s%s", stage,
			 b->nack_extra ? " (and a second NACK: F40x V3.1 under RDP)" : "");
		return an3155_fail(b, FK_E_NACK, what);
	}
	snprintf(what, sizeof what, "expected ACK 0x79 or NACK 0x1F %s, got 0x%02X", stage, c);
	return an3155_fail(b, FK_E_PROTOCOL, what);
}

/* Command code + complement, then its ACK (AN3155 §3). Stray bytes from a previous exchange are
 * reported, not silently taken for this command's ACK. */
static int an3155_cmd(an3155 *b, uint8_t cmd)
{
	an3155_begin(b, cmd);
	size_t stray = an3155_drain(b, 0);
	if (stray)
		fk_log(b->ctx, FK_LOG_WARN, FK_TRACE_BOOT,
		       "%zu stray byte(s) before %s (0x%02X) discarded (the device double-ACKed?)", stray,
		       an3155_cmd_name(cmd), cmd);
	uint8_t pair[2] = {cmd, (uint8_t)~cmd};
	int rc = an3155_wr(b, pair, 2);
	if (!rc)
		rc = an3155_ack(b, b->tmo.reply_ms, "to the command");
	b->nack_on_cmd = rc == FK_E_NACK;
	return rc;
}

bool an3155_has(const an3155 *b, uint8_t cmd)
{
	for (unsigned i = 0; i < b->ncmds; i++)
		if (b->cmds[i] == cmd)
			return true;
	return false;
}

static int an3155_need(an3155 *b, uint8_t cmd)
{
	if (!b->ncmds || an3155_has(b, cmd))
		return FK_OK;
	return fk_fail(b->ctx, FK_E_UNSUPPORTED, "%s (0x%02X) is not in this bootloader's command list (Get)",
		       an3155_cmd_name(cmd), cmd);
}

static void an3155_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
	nanosleep(&ts, NULL);
}

int an3155_run_seq(an3155 *b, const an3155_seq *seq)
{
	for (unsigned i = 0; i < seq->n; i++) {
		const an3155_seq_step *st = &seq->step[i];
		if (!b->ops->set_lines)
			return fk_fail(b->ctx, FK_E_UNSUPPORTED, "this connection has no DTR/RTS lines");
		int rc = b->ops->set_lines(b->h, b->ctx, st->line == 'd' ? st->level : -1,
					   st->line == 'r' ? st->level : -1);
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "boot sequence step %u (%s%s)", i + 1,
					    st->level ? "" : "-", st->line == 'd' ? "dtr" : "rts");
		if (st->delay_ms)
			an3155_sleep_ms(st->delay_ms);
	}
	return FK_OK;
}

int an3155_attach(an3155 *b, fk_ctx *ctx, const fk_transport *t, const char *boot_seq)
{
	memset(b, 0, sizeof *b);
	b->ctx = ctx;
	if (t->kind != FK_TRANSPORT_STREAM)
		return fk_fail(ctx, FK_E_INTERNAL, "AN3155 needs a byte stream, %s is not one", t->description);
	b->ops = t->ops;
	b->h = t->handle;
	b->max_retries = 2;
	an3155_timeouts_default(&b->tmo);
	return an3155_seq_parse(ctx, boot_seq, &b->entry, &b->exit);
}

static int an3155_sync_reply(an3155 *b, uint8_t c)
{
	if (c == AN3155_ACK) {
		b->synced = true;
		b->sync_nack = false;
		return 1;
	}
	if (c == AN3155_NACK) { /* an3155.md §1.4: the link was already synchronised */
		b->sync_nack = true;
		fk_log(b->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "0x7F answered NACK: the bootloader was already synchronised");
		b->synced = true;
		return 1;
	}
	return 0;
}

static int an3155_sync_fail(an3155 *b, unsigned attempts)
{
	char what[96];
	if (!b->nseen) {
		fk_hint(b->ctx, "hold BOOT0=1 (BOOT1=0) and reset the board; check TX/RX and the port; "
				"at RDP level 2 the bootloader cannot start at all");
		snprintf(what, sizeof what, "no answer to 0x7F after %u attempts of %u ms", attempts, b->tmo.sync_ms);
		return an3155_fail(b, FK_E_TIMEOUT, what);
	}
	fk_hint(b->ctx, "reset the board and retry, or lower the baud rate (F4 autobaud jitter, AN2606 "
			"Table 6); check 8E1 framing and the adapter's parity support");
	snprintf(what, sizeof what, "no ACK 0x79 / NACK 0x1F to 0x7F in %u attempts", attempts);
	return an3155_fail(b, FK_E_PROTOCOL, what);
}

static int an3155_recover(an3155 *b);

/* The answer may have been to an earlier 0x7F that was only slow, leaving a later 0x7F in the
 * device's command buffer as the first byte of a command pair (an3155.md §1.4); clear it before
 * the first real command. */
static int an3155_sync_realign(an3155 *b)
{
	int rc = an3155_recover(b);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "sync (0x7F): answered only after a repeat, then lost");
	return FK_OK;
}

int an3155_sync(an3155 *b, unsigned attempts)
{
	an3155_begin(b, AN3155_SYNC);
	b->synced = false;
	b->ops->flush_input(b->h, b->ctx);
	for (unsigned i = 0; i < attempts; i++) {
		uint8_t c = AN3155_SYNC;
		size_t got = 0;
		int rc = an3155_wr(b, &c, 1);
		if (rc)
			return rc;
		rc = b->ops->read(b->h, b->ctx, &c, 1, b->tmo.sync_ms, &got);
		if (rc == FK_E_TIMEOUT)
			continue;
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "sync (0x7F)");
		an3155_seen_add(b, &c, 1);
		if (c == 0x00 && b->ops->read(b->h, b->ctx, &c, 1, b->tmo.sync_ms, &got) == FK_OK) {
			an3155_seen_add(b, &c, 1); /* a framing glitch read as 0x00 before the ACK */
		}
		/* After a repeat the reply may be late and belong to an earlier 0x7F, with the last
		 * one still pending in the device: realign (a cheap, bounded exchange) */
		if (an3155_sync_reply(b, c))
			return i == 0 ? FK_OK : an3155_sync_realign(b);
		an3155_drain(b, AN3155_DRAIN_MS);
	}
	return an3155_sync_fail(b, attempts);
}

/* After a command that resets the chip: let it boot (and erase), then sync again for as long as
 * the operation may take. */
int an3155_resync_after(an3155 *b, unsigned wait_ms, unsigned budget_ms, unsigned poll_ms)
{
	uint8_t junk[16];
	size_t got = 0;
	b->synced = false;
	b->ops->read(b->h, b->ctx, junk, sizeof junk, wait_ms, &got); /* boot time */
	unsigned keep = b->tmo.sync_ms;
	b->tmo.sync_ms = poll_ms ? poll_ms : keep;
	unsigned attempts = 2 + budget_ms / (b->tmo.sync_ms ? b->tmo.sync_ms : 1);
	int rc = an3155_sync(b, attempts);
	b->tmo.sync_ms = keep;
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "re-synchronising after the chip reset");
	if (!b->sync_nack) /* a NACK: the same bootloader session went on (no reset: F1 ROM) */
		b->restarts++;
	return FK_OK;
}

static int an3155_resync(an3155 *b, unsigned budget_ms)
{
	return an3155_resync_after(b, b->tmo.reset_ms, budget_ms, 0);
}

/* Get and Get ID answer ACK, N, N+1 bytes, ACK (AN3155 §3.1, §3.3): buf receives N and the
 * bytes, 2 + 256 at most. */
static int an3155_len_reply(an3155 *b, uint8_t cmd, uint8_t buf[2 + 256], const char *what,
			    const char *after)
{
	int rc = an3155_cmd(b, cmd);
	if (!rc)
		rc = an3155_rd(b, buf, 1, b->tmo.reply_ms, "(length)");
	if (!rc)
		rc = an3155_rd(b, buf + 1, (size_t)buf[0] + 1, b->tmo.reply_ms, what);
	if (!rc)
		rc = an3155_ack(b, b->tmo.reply_ms, after);
	return rc;
}

int an3155_get(an3155 *b)
{
	uint8_t buf[2 + 256];
	int rc = an3155_len_reply(b, AN3155_CMD_GET, buf, "(version and commands)",
				  "after the command list");
	if (rc)
		return rc;
	an3155_parse_get(buf, (size_t)buf[0] + 2, &b->version, b->cmds, &b->ncmds);
	return FK_OK;
}

int an3155_get_version(an3155 *b)
{
	uint8_t buf[3];
	int rc = an3155_cmd(b, AN3155_CMD_GET_VERSION);
	if (!rc)
		rc = an3155_rd(b, buf, 3, b->tmo.reply_ms, "(version and option bytes)");
	if (!rc)
		rc = an3155_ack(b, b->tmo.reply_ms, "after the version");
	if (rc)
		return rc;
	b->version = buf[0];
	b->opt[0] = buf[1];
	b->opt[1] = buf[2];
	return FK_OK;
}

int an3155_get_id(an3155 *b)
{
	uint8_t buf[2 + 256];
	int rc = an3155_len_reply(b, AN3155_CMD_GET_ID, buf, "(product ID)", "after the product ID");
	if (rc)
		return rc;
	an3155_parse_get_id(buf, (size_t)buf[0] + 2, &b->pid);
	return FK_OK;
}

int an3155_connect(an3155 *b)
{
	int rc = an3155_run_seq(b, &b->entry);
	if (!rc)
		rc = an3155_sync(b, 3);
	if (rc == FK_E_TIMEOUT && !b->nseen) /* not one byte back: as a silent SW-DP, exit 3 */
		rc = fk_fail_wrap(b->ctx, FK_E_CONNECT, "no answer from the bootloader (no power or "
							"wiring, BOOT0 not high at reset, or RDP level 2: "
							"no system-memory boot, RM0090 §3.7.3); silence "
							"cannot tell these apart");
	if (!rc)
		rc = an3155_get(b);
	if (!rc && !(an3155_has(b, AN3155_CMD_GET) && an3155_has(b, AN3155_CMD_GET_ID)))
		rc = an3155_fail(b, FK_E_PROTOCOL, "the command list lacks Get/Get ID: not an STM32 bootloader");
	/* Get already gave the version; Get Version's two bytes say nothing (AN3155 §3.2). */
	if (!rc)
		rc = an3155_get_id(b);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "connecting to the STM32 bootloader");
	fk_log(b->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "bootloader v%u.%u, product ID 0x%03X, %u commands",
	       b->version >> 4, b->version & 15u, b->pid, b->ncmds);
	return FK_OK;
}

static int an3155_send_addr(an3155 *b, uint32_t addr)
{
	uint8_t a[5];
	an3155_encode_addr(a, addr);
	int rc = an3155_wr(b, a, 5);
	return rc ? rc : an3155_ack(b, b->tmo.reply_ms, "to the address");
}

int an3155_read_block(an3155 *b, uint32_t addr, void *buf, unsigned len)
{
	if (len == 0 || len > AN3155_MAX_BLOCK)
		return fk_fail(b->ctx, FK_E_INTERNAL, "Read Memory of %u bytes (1..256)", len);
	uint8_t n[2] = {(uint8_t)(len - 1), (uint8_t)~(len - 1)};
	int rc = an3155_cmd(b, AN3155_CMD_READ);
	if (!rc)
		rc = an3155_send_addr(b, addr);
	if (!rc)
		rc = an3155_wr(b, n, 2);
	if (!rc)
		rc = an3155_ack(b, b->tmo.reply_ms, "to the byte count");
	if (!rc)
		rc = an3155_rd(b, buf, len, b->tmo.reply_ms, "(data)");
	if (!rc && an3155_drain(b, 0))
		rc = an3155_fail(b, FK_E_PROTOCOL, "more data than requested (duplicated bytes on the line)");
	return rc;
}

int an3155_write_block(an3155 *b, uint32_t addr, const void *buf, unsigned len)
{
	if (len == 0 || len > AN3155_MAX_BLOCK || (addr & 3u))
		return fk_fail(b->ctx, FK_E_INVALID_ARG, "Write Memory of %u bytes at 0x%08X (1..256, 4-aligned)",
			       len, addr);
	uint8_t frame[1 + AN3155_MAX_BLOCK + 1];
	unsigned padded = (len + 3u) & ~3u;
	memset(frame, 0xFF, sizeof frame);
	frame[0] = (uint8_t)(padded - 1);
	memcpy(frame + 1, buf, len);
	frame[1 + padded] = an3155_xor(frame, 1 + padded);
	int rc = an3155_cmd(b, AN3155_CMD_WRITE);
	if (!rc)
		rc = an3155_send_addr(b, addr);
	if (!rc)
		rc = an3155_wr(b, frame, padded + 2);
	if (!rc)
		rc = an3155_ack(b, b->tmo.write_ms, "after the data");
	return rc;
}

/* Gets the device back to "waiting for a command" after a lost or extra byte: fill any partly
 * received frame with 0xFF (an erased-flash value; a checksum over 0xFF fillers never matches a
 * command frame) until it answers, then prove it with Get Version. Bounded. */
static int an3155_recover(an3155 *b)
{
	uint8_t ff = 0xFF, c;
	size_t got;
	int rc = FK_E_TIMEOUT;
	/* A late reply can leave one more filler pending, which then spoils Get Version: a
	 * further round clears that. Three rounds at most. */
	for (unsigned round = 0; round < 3 && rc; round++) {
		b->ops->flush_input(b->h, b->ctx);
		for (unsigned i = 0; i < AN3155_MAX_BLOCK + 4; i++) {
			if (b->ops->write(b->h, b->ctx, &ff, 1))
				break;
			if (b->ops->read(b->h, b->ctx, &c, 1, AN3155_RECOVER_MS, &got) == FK_OK)
				break;
		}
		an3155_drain(b, AN3155_RECOVER_DRAIN_MS);
		rc = an3155_get_version(b);
	}
	return rc;
}

static bool an3155_retryable(int rc)
{
	return rc == FK_E_TIMEOUT || rc == FK_E_PROTOCOL;
}

/* Logs the failed attempt and recovers; if recovery fails, the error keeps the original cause. */
static int an3155_retry_note(an3155 *b, int rc, uint32_t addr, unsigned attempt)
{
	char orig[FK_CHAIN_MSG_MAX];
	fk_ctx_message(b->ctx, orig, sizeof orig);
	fk_log(b->ctx, FK_LOG_WARN, FK_TRACE_BOOT, "block at 0x%08X, attempt %u: %s; recovering", addr,
	       attempt + 1, orig);
	if (an3155_recover(b))
		return fk_fail(b->ctx, rc, "%.120s; the link did not recover (no answer to Get Version)", orig);
	fk_ctx_clear(b->ctx);
	return FK_OK;
}

/* One Read Memory (rd) or Write Memory (wr) block. */
static int an3155_block(an3155 *b, uint32_t addr, uint8_t *rd, const uint8_t *wr, unsigned n)
{
	return rd ? an3155_read_block(b, addr, rd, n) : an3155_write_block(b, addr, wr, n);
}

/* Splits a transfer into AN3155 blocks of at most 256 bytes, each retried (bounded) after a
 * recoverable failure; exactly one of rd and wr is set. */
static int an3155_blocks(an3155 *b, uint32_t addr, uint8_t *rd, const uint8_t *wr, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		unsigned n = (unsigned)FK_MIN(len - off, AN3155_MAX_BLOCK);
		uint8_t *r = rd ? rd + off : NULL;
		const uint8_t *w = wr ? wr + off : NULL;
		int rc = an3155_block(b, addr + off, r, w, n);
		for (unsigned t = 0; rc && an3155_retryable(rc) && t < b->max_retries; t++)
			if (!(rc = an3155_retry_note(b, rc, addr + off, t)))
				rc = an3155_block(b, addr + off, r, w, n);
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "%s %u bytes at 0x%08X",
					    rd ? "reading" : "writing", n, addr + off);
		off += n;
		fk_progress_part(b->ctx, rd ? "read" : "program", off, len);
	}
	return FK_OK;
}

int an3155_read(an3155 *b, uint32_t addr, void *buf, uint32_t len)
{
	return an3155_blocks(b, addr, buf, NULL, len);
}

int an3155_write(an3155 *b, uint32_t addr, const void *buf, uint32_t len)
{
	return an3155_blocks(b, addr, NULL, buf, len);
}

int an3155_write_options(an3155 *b, uint32_t addr, const void *buf, unsigned len)
{
	int rc = an3155_write_block(b, addr, buf, len);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "writing the option bytes at 0x%08X", addr);
	return an3155_resync(b, b->tmo.mass_erase_ms); /* an RDP 1->0 change mass-erases */
}

int an3155_go(an3155 *b, uint32_t addr)
{
	int rc = an3155_need(b, AN3155_CMD_GO);
	if (!rc)
		rc = an3155_cmd(b, AN3155_CMD_GO);
	if (!rc)
		rc = an3155_send_addr(b, addr);
	if (!rc)
		b->synced = false; /* the application runs now */
	return rc;
}

static int an3155_erase_legacy(an3155 *b, const uint16_t *pages, unsigned n)
{
	uint8_t frame[1 + 255 + 1];
	if (n > 255)
		return fk_fail(b->ctx, FK_E_INTERNAL, "Erase (0x43) of %u pages (at most 255)", n);
	frame[0] = (uint8_t)(n - 1);
	for (unsigned i = 0; i < n; i++)
		frame[1 + i] = (uint8_t)pages[i];
	frame[1 + n] = an3155_xor(frame, 1 + n);
	int rc = an3155_cmd(b, AN3155_CMD_ERASE);
	if (!rc)
		rc = an3155_wr(b, frame, n + 2);
	return rc ? rc : an3155_ack(b, b->tmo.sector_erase_ms * n, "after the page list");
}

int an3155_erase(an3155 *b, const uint16_t *pages, unsigned n)
{
	if (n == 0)
		return FK_OK;
	if (!an3155_has(b, AN3155_CMD_EXT_ERASE))
		return an3155_erase_legacy(b, pages, n);
	for (unsigned done = 0; done < n;) {
		unsigned k = FK_MIN(n - done, 256u);
		uint8_t frame[3 + 2 * 256];
		size_t len = an3155_encode_ext_erase(frame, sizeof frame, pages + done, k);
		int rc = an3155_cmd(b, AN3155_CMD_EXT_ERASE);
		if (!rc)
			rc = an3155_wr(b, frame, len);
		if (!rc)
			rc = an3155_ack(b, b->tmo.sector_erase_ms * k, "after the sector list");
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "erasing sector %u (and %u more)", pages[done], k - 1);
		done += k;
		fk_progress_part(b->ctx, "erase", done, n);
	}
	return FK_OK;
}

int an3155_erase_mass(an3155 *b, an3155_mass kind)
{
	int rc;
	if (!an3155_has(b, AN3155_CMD_EXT_ERASE)) {
		uint8_t ff[2] = {0xFF, 0x00};
		if (kind != AN3155_MASS_ALL)
			return fk_fail(b->ctx, FK_E_UNSUPPORTED, "bank erase needs Extended Erase (0x44)");
		rc = an3155_cmd(b, AN3155_CMD_ERASE);
		if (!rc)
			rc = an3155_wr(b, ff, 2);
	} else {
		uint8_t f[3];
		fk_put_be16(f, (uint16_t)kind);
		f[2] = an3155_xor(f, 2);
		rc = an3155_cmd(b, AN3155_CMD_EXT_ERASE);
		if (!rc)
			rc = an3155_wr(b, f, 3);
	}
	if (!rc)
		rc = an3155_ack(b, b->tmo.mass_erase_ms, "after the mass-erase code");
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "mass erase");
	return FK_OK;
}

/* Command, optional payload, completion ACK within `tmo`, then the chip resets: re-sync. */
static int an3155_resetting(an3155 *b, uint8_t cmd, const uint8_t *payload, size_t n, unsigned tmo)
{
	int rc = an3155_need(b, cmd);
	if (!rc)
		rc = an3155_cmd(b, cmd);
	if (!rc && n)
		rc = an3155_wr(b, payload, n);
	if (!rc)
		rc = an3155_ack(b, tmo, "on completion");
	if (rc)
		return rc;
	return an3155_resync(b, tmo);
}

int an3155_write_protect(an3155 *b, const uint8_t *sectors, unsigned n)
{
	uint8_t frame[1 + 256 + 1];
	if (n == 0 || n > 256)
		return fk_fail(b->ctx, FK_E_INTERNAL, "Write Protect of %u sectors (1..256)", n);
	frame[0] = (uint8_t)(n - 1);
	memcpy(frame + 1, sectors, n);
	frame[1 + n] = an3155_xor(frame, 1 + n);
	return an3155_resetting(b, AN3155_CMD_WRITE_PROTECT, frame, n + 2, b->tmo.option_ms);
}

int an3155_write_unprotect(an3155 *b)
{
	return an3155_resetting(b, AN3155_CMD_WRITE_UNPROTECT, NULL, 0, b->tmo.option_ms);
}

int an3155_readout_protect(an3155 *b)
{
	return an3155_resetting(b, AN3155_CMD_READOUT_PROTECT, NULL, 0, b->tmo.option_ms);
}

int an3155_readout_unprotect(an3155 *b)
{
	return an3155_resetting(b, AN3155_CMD_READOUT_UNPROTECT, NULL, 0, b->tmo.mass_erase_ms);
}

int an3155_detach(an3155 *b)
{
	return an3155_run_seq(b, &b->exit);
}
