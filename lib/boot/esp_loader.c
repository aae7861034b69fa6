/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/esp_loader: the Espressif serial ROM loader client (see esp_loader.h for the sources).
 * Reads byte by byte through the SLIP decoder (esp_rom_codec.c); a reply is bounded in bytes
 * and packets, so garbage on the line ends in an error naming what was seen, never a hang. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/esp_loader.h"
#include "core/core.h"
#include "core/md5.h"

/* ---------------------------------------------------------------- words */

static const char *const before_names[] = {"default_reset", "usb_reset", "no_reset",
					   "no_reset_no_sync"};
static const char *const after_names[] = {"hard_reset", "soft_reset", "no_reset"};

/* esptool accepts both spellings since v5 (default-reset); compare with '-' as '_' */
static bool word_is(const char *s, const char *w)
{
	for (; *s && *w; s++, w++)
		if (!(*s == *w || (*s == '-' && *w == '_')))
			return false;
	return *s == '\0' && *w == '\0';
}

int esp_before_parse(const char *s)
{
	for (unsigned i = 0; i < FK_ARRAY_SIZE(before_names); i++)
		if (word_is(s, before_names[i]))
			return (int)i;
	return -1;
}

int esp_after_parse(const char *s)
{
	for (unsigned i = 0; i < FK_ARRAY_SIZE(after_names); i++)
		if (word_is(s, after_names[i]))
			return (int)i;
	return -1;
}

const char *esp_before_name(esp_before b)
{
	return (unsigned)b < FK_ARRAY_SIZE(before_names) ? before_names[b] : "?";
}

const char *esp_after_name(esp_after a)
{
	return (unsigned)a < FK_ARRAY_SIZE(after_names) ? after_names[a] : "?";
}

void esp_timeouts_default(esp_timeouts *t)
{
	t->sync_ms = 100;           /* loader.py SYNC_TIMEOUT */
	t->cmd_ms = 3000;           /* DEFAULT_TIMEOUT */
	t->erase_ms_per_mb = 30000; /* ERASE_REGION_TIMEOUT_PER_MB */
	t->md5_ms_per_mb = 8000;    /* MD5_TIMEOUT_PER_MB */
	t->reset_ms = 100;          /* reset.py: EN held low 0.1 s */
	t->boot_ms = 50;            /* DEFAULT_RESET_DELAY */
}

static unsigned per_mb(unsigned base_ms, unsigned per_mb_ms, uint32_t bytes)
{
	uint64_t t = (uint64_t)per_mb_ms * bytes / (1024U * 1024U);
	return t > base_ms ? (unsigned)FK_MIN(t, 600000U) : base_ms;
}

void esp_ldr_status_text(bool stub, uint8_t status, uint8_t error, char *out, size_t n)
{
	if (stub)
		snprintf(out, n, "stub error 0x%02X%02X (%s)", status, error,
			 esp_stub_error_text(status ? status : error));
	else
		snprintf(out, n, "ROM error 0x%02X (%s)", error, esp_rom_error_text(error));
}

/* ---------------------------------------------------------------- set-up */

int esp_ldr_init(esp_loader *l, fk_ctx *ctx, const fk_transport *t, const char *before,
		 const char *after, unsigned baud)
{
	memset(l, 0, sizeof *l);
	if (t->kind != FK_TRANSPORT_STREAM)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s is not a byte stream", t->description);
	l->ctx = ctx;
	l->ops = t->ops;
	l->h = t->handle;
	l->where = t->description;
	esp_timeouts_default(&l->tmo);
	l->attempts = 7; /* esptool DEFAULT_CONNECT_ATTEMPTS */
	l->baud = baud ? baud : 115200U;
	l->status_len = 4;
	int b = before ? esp_before_parse(before) : 0;
	int a = after ? esp_after_parse(after) : 0;
	if (b < 0) {
		fk_hint(ctx, "--before takes esptool's words: default_reset, usb_reset, no_reset, "
			     "no_reset_no_sync");
		return fk_fail(ctx, FK_E_USAGE, "--before %.40s: not a reset mode", before);
	}
	if (a < 0) {
		fk_hint(ctx, "--after takes esptool's words: hard_reset, soft_reset, no_reset");
		return fk_fail(ctx, FK_E_USAGE, "--after %.40s: not a reset mode", after);
	}
	l->before = (esp_before)b;
	l->after = (esp_after)a;
	esp_slip_init(&l->dec, l->frame, sizeof l->frame);
	l->txcap = ESP_SLIP_MAX_ENCODED(ESP_HDR_LEN + ESP_DATA_HDR_LEN + ESP_RAM_BLOCK);
	l->txbuf = malloc(l->txcap);
	if (!l->txbuf)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the ESP loader's buffer");
	return FK_OK;
}

void esp_ldr_free(esp_loader *l)
{
	free(l->txbuf);
	l->txbuf = NULL;
}

/* ---------------------------------------------------------------- the wire */

static void note_noise(esp_loader *l, uint8_t b)
{
	l->noise++;
	if (l->noise_n == sizeof l->noise_tail) {
		memmove(l->noise_tail, l->noise_tail + 1, sizeof l->noise_tail - 1);
		l->noise_n--;
	}
	l->noise_tail[l->noise_n++] = b;
}

/* "ets Jul 29 2019..." as printable text for messages */
static void noise_text(const esp_loader *l, char *out, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < l->noise_n && o + 5 < n; i++) {
		uint8_t c = l->noise_tail[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, n - o, "\\x%02X", c);
	}
	out[o < n ? o : n - 1] = '\0';
}

static int send_packet(esp_loader *l, uint8_t op, const uint8_t *data, size_t n, uint32_t chk)
{
	uint8_t *raw = malloc(ESP_HDR_LEN + n);
	if (!raw)
		return fk_fail(l->ctx, FK_E_NOMEM, "building %s", esp_cmd_name(op));
	size_t len = esp_pkt_build(raw, ESP_HDR_LEN + n, ESP_DIR_REQ, op, chk, data, n);
	size_t enc = len ? esp_slip_encode(raw, len, l->txbuf, l->txcap) : 0;
	free(raw);
	if (!enc)
		return fk_fail(l->ctx, FK_E_INTERNAL, "%s: %zu data bytes do not fit one packet",
			       esp_cmd_name(op), n);
	fk_log(l->ctx, FK_LOG_TRACE, FK_TRACE_BOOT, "esp > %s (%zu data bytes)", esp_cmd_name(op),
	       n);
	return l->ops->write(l->h, l->ctx, l->txbuf, enc);
}

/* The next frame within timeout_ms per byte, at most max_bytes bytes read. FK_E_TIMEOUT (no
 * chain) when the line goes quiet first. */
static int read_frame(esp_loader *l, unsigned timeout_ms, size_t max_bytes, size_t *len)
{
	for (size_t i = 0; i < max_bytes; i++) {
		uint8_t b;
		size_t got = 0;
		int rc;
		if (i == 0 && timeout_ms > 1000U) { /* a wait over a second is said (class 16) */
			fk_ctx saved = *l->ctx;
			rc = l->ops->read(l->h, l->ctx, &b, 1, 1000U, &got);
			if (rc == FK_E_TIMEOUT && got == 0) {
				*l->ctx = saved;
				fk_log(l->ctx, FK_LOG_INFO, FK_TRACE_BOOT, "waiting for the ESP "
				       "loader's answer (it answers when the flash operation is done; "
				       "up to %u s)", timeout_ms / 1000U);
				rc = l->ops->read(l->h, l->ctx, &b, 1, timeout_ms - 1000U, &got);
			}
		} else {
			rc = l->ops->read(l->h, l->ctx, &b, 1, timeout_ms, &got);
		}
		if (rc)
			return rc;
		bool outside = !esp_slip_in_frame(&l->dec);
		esp_slip_ev ev = esp_slip_feed(&l->dec, b);
		if (outside && ev == ESP_SLIP_MORE && b != ESP_SLIP_END)
			note_noise(l, b);
		if (ev == ESP_SLIP_FRAME) {
			*len = l->dec.len;
			return FK_OK;
		}
		if (ev == ESP_SLIP_BAD_ESCAPE)
			fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT,
			       "esp: bad SLIP escape DB %02X: frame dropped", l->dec.bad);
		else if (ev == ESP_SLIP_OVERFLOW)
			fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT,
			       "esp: frame longer than %zu bytes: dropped", l->dec.cap);
	}
	return FK_E_PROTOCOL;
}

/* ---------------------------------------------------------------- commands */

static int status_fail(esp_loader *l, uint8_t op, uint8_t status, uint8_t error)
{
	char t[200];
	esp_ldr_status_text(l->stub, status, error, t, sizeof t);
	int code = FK_E_NACK;
	if (!l->stub && (error == ESP_ROM_ERR_FLASH_WRITE || error == ESP_ROM_ERR_FLASH_READ))
		code = FK_E_FLASH;
	else if (l->stub ? status == 0xC1 : error == ESP_ROM_ERR_CHECKSUM)
		code = FK_E_PROTOCOL;
	if (code == FK_E_PROTOCOL)
		fk_hint(l->ctx, "the data arrived corrupted: try a lower --baud, a shorter cable or "
				"another USB-serial adapter");
	return fk_fail(l->ctx, code, "%s refused by the %s: %s", esp_cmd_name(op),
		       l->stub ? "flasher stub" : "ROM loader", t);
}

static void spi_forget(esp_loader *l);
static int spi_restore(esp_loader *l);

int esp_ldr_command(esp_loader *l, uint8_t op, const uint8_t *data, size_t n, uint32_t chk,
		    unsigned timeout_ms, size_t resp_len, uint8_t *resp, uint32_t *value)
{
	if (!timeout_ms)
		timeout_ms = l->tmo.cmd_ms;
	if (l->ops->flush_input)
		(void)l->ops->flush_input(l->h, l->ctx); /* stale replies belong to nothing */
	esp_slip_reset(&l->dec);
	l->noise_n = 0;
	l->commands++;
	if (op != ESP_READ_REG && op != ESP_WRITE_REG) {
		/* the ROM's flash routines run next: SPI1 USER/USER2 as they expect them, and
		 * whatever they leave is not known any more */
		int rrc = spi_restore(l);
		spi_forget(l);
		if (rrc)
			return fk_fail_wrap(l->ctx, rrc, "restoring SPI1 USER/USER2 before command "
					    "0x%02X", op);
	}
	int rc = send_packet(l, op, data, n, chk);
	if (rc)
		return rc;
	unsigned others = 0, bad = 0;
	/* loader.py command(): up to 100 packets until one answers this op */
	for (unsigned k = 0; k < 100; k++) {
		size_t len = 0;
		rc = read_frame(l, timeout_ms, 64U * 1024U, &len);
		if (rc == FK_E_TIMEOUT) {
			char seen[260] = "";
			if (l->noise_n) {
				char t[200];
				noise_text(l, t, sizeof t);
				snprintf(seen, sizeof seen, "; only bytes outside SLIP packets: \"%s\"", t);
			} else if (others || bad) {
				snprintf(seen, sizeof seen, "; %u packet(s) for other commands, %u malformed",
					 others, bad);
			}
			fk_hint(l->ctx, "the loader stopped answering: was the chip reset (EN), or did it "
					"leave the ROM? Reconnect to enter download mode again");
			return fk_fail(l->ctx, FK_E_TIMEOUT, "%s: no answer from the ESP loader within %u ms%s",
				       esp_cmd_name(op), timeout_ms, seen);
		}
		if (rc == FK_E_PROTOCOL)
			return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: 64 KiB without a complete SLIP packet "
					"(noise on the line, or the wrong baud rate)", esp_cmd_name(op));
		if (rc)
			return fk_fail_wrap(l->ctx, rc, "%s: waiting for the answer", esp_cmd_name(op));
		esp_pkt p;
		esp_pkt_err pe = esp_pkt_parse(l->frame, len, ESP_DIR_RESP, &p);
		if (pe != ESP_PKT_OK) {
			bad++;
			fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "esp: %zu-byte packet ignored: %s",
			       len, esp_pkt_err_text(pe));
			continue;
		}
		if (p.op != op) {
			/* loader.py: an error reply "invalid message" for another op means this ROM
			 * does not have the command */
			if (p.size >= 2 && p.data[0] != 0 && p.data[1] == ESP_ROM_ERR_BAD_MSG) {
				if (l->ops->flush_input)
					(void)l->ops->flush_input(l->h, l->ctx);
				return fk_fail(l->ctx, FK_E_UNSUPPORTED,
					       "%s (0x%02X): the %s does not support this command "
					       "(ROM error 0x05, invalid message)",
					       esp_cmd_name(op), op, l->stub ? "flasher stub" : "ROM loader");
			}
			others++;
			continue;
		}
		uint8_t st, er;
		size_t slen = l->stub ? 2U : 4U;
		if (!esp_pkt_status(&p, resp_len, 2, &st, &er))
			return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: answer of %u data bytes, expected %zu "
					"(%zu of result, %zu status)", esp_cmd_name(op), p.size,
					resp_len + slen, resp_len, slen);
		if (st != 0 || (l->stub && er != 0))
			return status_fail(l, op, st, er);
		if (resp && resp_len)
			memcpy(resp, p.data, resp_len);
		if (value)
			*value = p.word;
		return FK_OK;
	}
	return fk_fail(l->ctx, FK_E_PROTOCOL, "%s: 100 packets without the answer (\"Response "
			"doesn't match request\" in esptool's words)", esp_cmd_name(op));
}

int esp_ldr_read_reg(esp_loader *l, uint32_t addr, uint32_t *value)
{
	uint8_t d[4];
	fk_put_le32(d, addr);
	int rc = esp_ldr_command(l, ESP_READ_REG, d, 4, 0, 0, 0, NULL, value);
	return rc ? fk_fail_wrap(l->ctx, rc, "reading register 0x%08X", addr) : FK_OK;
}

int esp_ldr_write_reg(esp_loader *l, uint32_t addr, uint32_t value, uint32_t mask,
		      uint32_t delay_us)
{
	uint8_t d[16];
	fk_put_le32(d, addr);
	fk_put_le32(d + 4, value);
	fk_put_le32(d + 8, mask);
	fk_put_le32(d + 12, delay_us);
	int rc = esp_ldr_command(l, ESP_WRITE_REG, d, 16, 0, 0, 0, NULL, NULL);
	return rc ? fk_fail_wrap(l->ctx, rc, "writing 0x%08X to register 0x%08X", value, addr)
		  : FK_OK;
}

int esp_ldr_security_info(esp_loader *l, esp_security *out)
{
	uint8_t r[20];
	memset(out, 0, sizeof *out);
	int rc = esp_ldr_command(l, ESP_GET_SECURITY_INFO, NULL, 0, 0, 0, 20, r, NULL);
	if (rc)
		return rc;
	out->flags = fk_get_le32(r);
	out->crypt_cnt = r[4];
	memcpy(out->key_purpose, r + 5, 7);
	out->have_chip_id = true;
	out->chip_id = fk_get_le32(r + 12);
	out->api_version = fk_get_le32(r + 16);
	return FK_OK;
}

int esp_ldr_spi_attach(esp_loader *l, uint32_t pins)
{
	uint8_t d[8] = {0};
	fk_put_le32(d, pins);
	/* the ROM takes a second word (is_legacy and padding, all 0); the stub only the pins */
	int rc = esp_ldr_command(l, ESP_SPI_ATTACH, d, l->stub ? 4U : 8U, 0, 0, 0, NULL, NULL);
	return rc ? fk_fail_wrap(l->ctx, rc, "attaching the SPI flash") : FK_OK;
}

int esp_ldr_spi_set_params(esp_loader *l, uint32_t total_size)
{
	uint8_t d[24];
	fk_put_le32(d, 0);                /* fl_id */
	fk_put_le32(d + 4, total_size);
	fk_put_le32(d + 8, 64U * 1024U);  /* block */
	fk_put_le32(d + 12, 4U * 1024U);  /* sector */
	fk_put_le32(d + 16, 256U);        /* page */
	fk_put_le32(d + 20, 0xFFFFU);     /* status mask */
	int rc = esp_ldr_command(l, ESP_SPI_SET_PARAMS, d, 24, 0, 0, 0, NULL, NULL);
	return rc ? fk_fail_wrap(l->ctx, rc, "telling the ROM the flash size (%u bytes)", total_size)
		  : FK_OK;
}

int esp_ldr_change_baud(esp_loader *l, unsigned baud)
{
	if (baud == l->baud)
		return FK_OK;
	if (!l->ops->set_baud)
		return fk_fail(l->ctx, FK_E_UNSUPPORTED, "%s cannot change its baud rate", l->where);
	uint8_t d[8];
	fk_put_le32(d, baud);
	fk_put_le32(d + 4, l->stub ? l->baud : 0U); /* the ROM takes 0 as the old rate */
	int rc = esp_ldr_command(l, ESP_CHANGE_BAUDRATE, d, 8, 0, 0, 0, NULL, NULL);
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "changing to %u baud", baud);
	/* the answer left at the old rate; now both sides switch (loader.py change_baud sleeps
	 * 50 ms for the chip) */
	rc = l->ops->set_baud(l->h, l->ctx, baud);
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "switching %s to %u baud", l->where, baud);
	l->baud = baud;
	uint8_t junk;
	size_t got;
	(void)l->ops->read(l->h, l->ctx, &junk, 1, 50, &got);
	if (l->ops->flush_input)
		(void)l->ops->flush_input(l->h, l->ctx);
	return FK_OK;
}

static int data_cmd(esp_loader *l, uint8_t op, const uint8_t *buf, uint32_t len, uint32_t seq,
		    unsigned timeout_ms)
{
	uint8_t *d = malloc(ESP_DATA_HDR_LEN + (size_t)len);
	if (!d)
		return fk_fail(l->ctx, FK_E_NOMEM, "%s block", esp_cmd_name(op));
	fk_put_le32(d, len);
	fk_put_le32(d + 4, seq);
	fk_put_le32(d + 8, 0);
	fk_put_le32(d + 12, 0);
	memcpy(d + ESP_DATA_HDR_LEN, buf, len);
	int rc = esp_ldr_command(l, op, d, ESP_DATA_HDR_LEN + (size_t)len, esp_checksum(buf, len),
				 timeout_ms, 0, NULL, NULL);
	free(d);
	return rc;
}

int esp_ldr_flash_begin(esp_loader *l, uint32_t erase_size, uint32_t blocks, uint32_t block_size,
			uint32_t offset)
{
	uint8_t d[16];
	fk_put_le32(d, erase_size);
	fk_put_le32(d + 4, blocks);
	fk_put_le32(d + 8, block_size);
	fk_put_le32(d + 12, offset);
	/* The ESP32 ROM takes 16 bytes; later ROMs and the stub a fifth word "encrypted" (0): 16
	 * are accepted by both (esp_lpc.md A.5) */
	int rc = esp_ldr_command(l, ESP_FLASH_BEGIN, d, 16, 0,
				 per_mb(l->tmo.cmd_ms, l->tmo.erase_ms_per_mb, erase_size), 0, NULL,
				 NULL);
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "FLASH_BEGIN at 0x%06X (%u bytes erased first)", offset,
				    erase_size);
	return FK_OK;
}

int esp_ldr_flash_data(esp_loader *l, const uint8_t *buf, uint32_t len, uint32_t seq)
{
	int rc = data_cmd(l, ESP_FLASH_DATA, buf, len, seq, 0);
	return rc ? fk_fail_wrap(l->ctx, rc, "FLASH_DATA block %u", seq) : FK_OK;
}

int esp_ldr_flash_end(esp_loader *l, bool run)
{
	uint8_t d[4];
	fk_put_le32(d, run ? 1U : 0U);
	return esp_ldr_command(l, ESP_FLASH_END, d, 4, 0, 0, 0, NULL, NULL);
}

int esp_ldr_mem_begin(esp_loader *l, uint32_t size, uint32_t blocks, uint32_t block_size,
		      uint32_t offset)
{
	uint8_t d[16];
	fk_put_le32(d, size);
	fk_put_le32(d + 4, blocks);
	fk_put_le32(d + 8, block_size);
	fk_put_le32(d + 12, offset);
	int rc = esp_ldr_command(l, ESP_MEM_BEGIN, d, 16, 0, 0, 0, NULL, NULL);
	return rc ? fk_fail_wrap(l->ctx, rc, "MEM_BEGIN at 0x%08X (%u bytes)", offset, size) : FK_OK;
}

int esp_ldr_mem_data(esp_loader *l, const uint8_t *buf, uint32_t len, uint32_t seq)
{
	int rc = data_cmd(l, ESP_MEM_DATA, buf, len, seq, 0);
	return rc ? fk_fail_wrap(l->ctx, rc, "MEM_DATA block %u (\"Failed to write to target RAM\")",
				 seq)
		  : FK_OK;
}

int esp_ldr_mem_end(esp_loader *l, uint32_t entry)
{
	uint8_t d[8];
	fk_put_le32(d, entry == 0 ? 1U : 0U); /* loader.py mem_finish: flag = entry == 0 */
	fk_put_le32(d + 4, entry);
	/* loader.py: the ROM may jump before its answer is out; 200 ms and errors tolerated
	 * only when code starts */
	int rc = esp_ldr_command(l, ESP_MEM_END, d, 8, 0, entry ? 200U : 0U, 0, NULL, NULL);
	if (rc && entry && rc == FK_E_TIMEOUT) {
		fk_ctx_clear(l->ctx);
		return FK_OK;
	}
	return rc;
}

static int hexnib(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (uint8_t)tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int esp_ldr_flash_md5(esp_loader *l, uint32_t addr, uint32_t len, uint8_t md5[16])
{
	uint8_t d[16], r[32];
	fk_put_le32(d, addr);
	fk_put_le32(d + 4, len);
	fk_put_le32(d + 8, 0);
	fk_put_le32(d + 12, 0);
	size_t want = l->stub ? 16U : 32U;
	int rc = esp_ldr_command(l, ESP_SPI_FLASH_MD5, d, 16, 0,
				 per_mb(l->tmo.cmd_ms, l->tmo.md5_ms_per_mb, len), want, r, NULL);
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "MD5 of flash 0x%06X..0x%06X", addr, addr + len - 1);
	if (l->stub) {
		memcpy(md5, r, 16);
		return FK_OK;
	}
	for (unsigned i = 0; i < 16; i++) {
		int hi = hexnib(r[2 * i]), lo = hexnib(r[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return fk_fail(l->ctx, FK_E_PROTOCOL, "SPI_FLASH_MD5: the ROM's digest is not 32 "
					"hex digits (byte %u is 0x%02X)", 2 * i + (hi < 0 ? 0 : 1),
					r[2 * i + (hi < 0 ? 0 : 1)]);
		md5[i] = (uint8_t)(hi << 4 | lo);
	}
	return FK_OK;
}

int esp_ldr_read_flash_slow(esp_loader *l, uint32_t addr, uint8_t *buf, uint32_t len)
{
	uint8_t d[8], r[64];
	if (len > 64)
		return fk_fail(l->ctx, FK_E_INTERNAL, "READ_FLASH_SLOW of %u bytes (64 at most)", len);
	fk_put_le32(d, addr);
	fk_put_le32(d + 4, len);
	int rc = esp_ldr_command(l, ESP_READ_FLASH_SLOW, d, 8, 0, 0, 64, r, NULL);
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "reading flash at 0x%06X", addr);
	memcpy(buf, r, len);
	return FK_OK;
}

/* One FLASH_BEGIN run of whole blocks of bsize; erase_size bytes at off are erased first */
static int write_run(esp_loader *l, uint32_t off, const uint8_t *buf, uint32_t len, uint32_t bsize,
		     uint32_t erase_size, uint32_t *done, uint32_t total)
{
	uint32_t blocks = (len + bsize - 1U) / bsize;
	int rc = esp_ldr_flash_begin(l, erase_size, blocks, bsize, off);
	for (uint32_t s = 0; !rc && s < blocks; s++) {
		uint32_t k = FK_MIN(bsize, len - s * bsize);
		rc = esp_ldr_flash_data(l, buf + (size_t)s * bsize, k, s);
		if (rc)
			rc = fk_fail_wrap(l->ctx, rc, "programming 0x%06X..0x%06X", off + s * bsize,
					  off + s * bsize + k - 1U);
		*done += k;
		fk_progress_part(l->ctx, "program", *done, total);
	}
	return rc;
}

int esp_ldr_flash_write(esp_loader *l, uint32_t offset, const uint8_t *buf, uint32_t len,
			bool erase)
{
	/* Whole ROM blocks first, then the tail as one block of its own size: a short last
	 * block padded with 0xFF would make the ROM's read-back compare 0xFF with whatever the
	 * flash holds after it (UNCONFIRMED: that the ROM accepts a block size other than
	 * 0x400; serial-protocol.rst leaves it to the host). The erase (every sector the span
	 * touches) goes with the first FLASH_BEGIN only, so the tail's sector is not erased a
	 * second time under the blocks just written. */
	uint32_t whole = len - len % ESP_FLASH_BLOCK, done = 0;
	uint32_t esz = erase ? len : 0U;
	int rc = FK_OK;
	if (whole) {
		rc = write_run(l, offset, buf, whole, ESP_FLASH_BLOCK, esz, &done, len);
		esz = 0;
	}
	if (!rc && len > whole)
		rc = write_run(l, offset + whole, buf + whole, len - whole, len - whole, esz, &done,
			       len);
	return rc;
}

/* ---------------------------------------------------------------- SPI flash commands */

#define SPI_CMD_USR (1U << 18)
#define SPI_USR_COMMAND (1U << 31)
#define SPI_USR_MISO (1U << 28)
#define SPI_USR_MOSI (1U << 27)

/* SPI1 registers as run_spiflash_command leaves them between two of its commands: USER and
 * USER2 differ from what the ROM's flash routines expect until written back (spi_restore),
 * and the last values written to USER, USER2 and the two DLEN registers are known, so a run of
 * SPI commands (the status registers read one after the other) writes only what changes. */
enum { SPI_CUR_USER, SPI_CUR_USER2, SPI_CUR_MOSI_DLEN, SPI_CUR_MISO_DLEN };

static void spi_forget(esp_loader *l)
{
	l->spi_saved = false;
	l->spi_dirty = false;
	l->spi_cur_valid = 0;
}

/* USER/USER2 back to what the ROM had (loader.py run_spiflash_command restores them after
 * each command); done before any command other than READ_REG/WRITE_REG and when leaving. */
static int spi_restore(esp_loader *l)
{
	if (!l->spi_dirty)
		return FK_OK;
	l->spi_dirty = false; /* once: a failure here is reported, not retried in a loop */
	int rc = esp_ldr_write_reg(l, l->spi_saved_base + l->spi_regs_user, l->spi_user,
				   0xFFFFFFFFU, 0);
	if (!rc)
		rc = esp_ldr_write_reg(l, l->spi_saved_base + l->spi_regs_user2, l->spi_user2,
				       0xFFFFFFFFU, 0);
	l->spi_cur_valid = 0;
	if (rc)
		l->spi_saved = false;
	return rc;
}

static int spi_set(esp_loader *l, uint32_t addr, unsigned which, uint32_t v)
{
	if ((l->spi_cur_valid & (1U << which)) && l->spi_cur[which] == v)
		return FK_OK;
	int rc = esp_ldr_write_reg(l, addr, v, 0xFFFFFFFFU, 0);
	if (rc) {
		l->spi_cur_valid &= ~(1U << which);
		return rc;
	}
	l->spi_cur[which] = v;
	l->spi_cur_valid |= 1U << which;
	return FK_OK;
}

int esp_ldr_spi_command(esp_loader *l, const esp_spi_regs *r, uint8_t opcode,
			const uint8_t *mosi, size_t nmosi, uint8_t *miso, size_t nmiso)
{
	if (nmosi > ESP_SPI_MAX_DATA || nmiso > ESP_SPI_MAX_DATA)
		return fk_fail(l->ctx, FK_E_INTERNAL, "SPI command %02Xh: %zu out, %zu in (64 at most)",
			       opcode, nmosi, nmiso);
	int rc = FK_OK;
	if (l->spi_saved && l->spi_saved_base != r->base)
		rc = spi_restore(l); /* another controller's registers: put those back first */
	if (!rc && (!l->spi_saved || l->spi_saved_base != r->base)) {
		uint32_t user, user2;
		rc = esp_ldr_read_reg(l, r->base + r->user, &user);
		if (!rc)
			rc = esp_ldr_read_reg(l, r->base + r->user2, &user2);
		if (!rc) {
			l->spi_saved = true;
			l->spi_saved_base = r->base;
			l->spi_regs_user = r->user;
			l->spi_regs_user2 = r->user2;
			l->spi_user = user;
			l->spi_user2 = user2;
			l->spi_cur_valid = 0;
		}
	}
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "SPI command %02Xh", opcode);
	/* loader.py run_spiflash_command: data lengths, USER flags, opcode in USER2 with a bit
	 * length of 8, W0.. with the data (W0 = 0 without), USR, poll, result from W0.. */
	l->spi_dirty = true;
	if (nmosi)
		rc = spi_set(l, r->base + r->mosi_dlen, SPI_CUR_MOSI_DLEN, (uint32_t)nmosi * 8U - 1U);
	if (!rc && nmiso)
		rc = spi_set(l, r->base + r->miso_dlen, SPI_CUR_MISO_DLEN, (uint32_t)nmiso * 8U - 1U);
	uint32_t flags = SPI_USR_COMMAND | (nmiso ? SPI_USR_MISO : 0U) | (nmosi ? SPI_USR_MOSI : 0U);
	if (!rc)
		rc = spi_set(l, r->base + r->user, SPI_CUR_USER, flags);
	if (!rc)
		rc = spi_set(l, r->base + r->user2, SPI_CUR_USER2, (7U << 28) | opcode);
	if (!rc && !nmosi)
		rc = esp_ldr_write_reg(l, r->base + r->w0, 0, 0xFFFFFFFFU, 0);
	for (size_t i = 0; !rc && i < nmosi; i += 4) {
		uint32_t w = 0;
		for (size_t k = 0; k < 4 && i + k < nmosi; k++)
			w |= (uint32_t)mosi[i + k] << (8U * k);
		rc = esp_ldr_write_reg(l, r->base + r->w0 + (uint32_t)i, w, 0xFFFFFFFFU, 0);
	}
	if (!rc)
		rc = esp_ldr_write_reg(l, r->base, SPI_CMD_USR, 0xFFFFFFFFU, 0);
	bool done = false;
	for (unsigned k = 0; !rc && k < 10 && !done; k++) {
		uint32_t cmd;
		rc = esp_ldr_read_reg(l, r->base, &cmd);
		done = !rc && !(cmd & SPI_CMD_USR);
	}
	if (!rc && !done)
		rc = fk_fail(l->ctx, FK_E_TIMEOUT, "SPI_CMD_REG.USR (bit 18) still set after 10 reads "
			     "(\"SPI command did not complete in time\")");
	for (size_t i = 0; !rc && i < nmiso; i += 4) {
		uint32_t w;
		rc = esp_ldr_read_reg(l, r->base + r->w0 + (uint32_t)i, &w);
		for (size_t k = 0; !rc && k < 4 && i + k < nmiso; k++)
			miso[i + k] = (uint8_t)(w >> (8U * k));
	}
	if (rc) { /* put back what the ROM's flash routines expect now, as loader.py does */
		(void)spi_restore(l);
		return fk_fail_wrap(l->ctx, rc, "SPI flash command %02Xh through the SPI controller",
				    opcode);
	}
	return FK_OK;
}

/* ---------------------------------------------------------------- connect */

/* Wait ms, keeping whatever arrives (the ROM's boot log) for the scan. */
static void wait_collect(esp_loader *l, unsigned ms, uint8_t *log, size_t cap, size_t *n)
{
	for (size_t k = 0; k < 4096; k++) {
		uint8_t b;
		size_t got = 0;
		if (l->ops->read(l->h, l->ctx, &b, 1, ms, &got) || !got)
			return;
		note_noise(l, b);
		if (*n < cap)
			log[(*n)++] = b;
	}
}

static int lines(esp_loader *l, int dtr, int rts)
{
	if (!l->ops->set_lines)
		return fk_fail(l->ctx, FK_E_UNSUPPORTED, "%s has no DTR/RTS", l->where);
	return l->ops->set_lines(l->h, l->ctx, dtr, rts);
}

/* esptool ClassicReset: DTR = IO0, RTS = EN (asserted = low). IO0 high with EN low (reset),
 * 100 ms; IO0 low with EN high (the ROM samples IO0 = 0: download mode); boot_ms; IO0 high. */
static int classic(esp_loader *l, unsigned boot_ms, uint8_t *log, size_t cap, size_t *n)
{
	int rc = lines(l, 0, 1);
	if (rc)
		return rc;
	wait_collect(l, l->tmo.reset_ms, log, cap, n);
	*n = 0; /* what came before the reset is not this boot's log */
	l->noise_n = 0;
	l->noise = 0;
	if ((rc = lines(l, 1, 0)) != FK_OK)
		return rc;
	wait_collect(l, boot_ms, log, cap, n);
	return lines(l, 0, -1);
}

int esp_ldr_reset_classic(esp_loader *l, unsigned boot_ms)
{
	uint8_t log[8] = {0};
	size_t n = 0;
	return classic(l, boot_ms, log, 0, &n);
}

/* esptool USBJTAGSerialReset (USB-Serial/JTAG of the C3): the peripheral maps DTR/RTS to the
 * chip's reset and boot strap itself. */
static int usb(esp_loader *l, uint8_t *log, size_t cap, size_t *n)
{
	int rc = lines(l, 0, 0);
	if (!rc) {
		wait_collect(l, 100, log, cap, n);
		rc = lines(l, 1, 0);
	}
	if (!rc) {
		wait_collect(l, 100, log, cap, n);
		*n = 0;
		l->noise_n = 0;
		l->noise = 0;
		rc = lines(l, 0, 1);
	}
	if (!rc)
		rc = lines(l, -1, 1);
	if (!rc) {
		wait_collect(l, 100, log, cap, n);
		rc = lines(l, 0, 0);
	}
	if (!rc)
		wait_collect(l, l->tmo.boot_ms, log, cap, n);
	return rc;
}

int esp_ldr_reset_usb(esp_loader *l)
{
	uint8_t log[8] = {0};
	size_t n = 0;
	return usb(l, log, 0, &n);
}

int esp_ldr_hard_reset(esp_loader *l)
{
	/* esptool HardReset: EN low 100 ms with IO0 high, then released: SPI boot */
	int rc = lines(l, 0, 1);
	if (rc)
		return rc;
	uint8_t b;
	size_t got;
	(void)l->ops->read(l->h, l->ctx, &b, 1, 100, &got);
	rc = lines(l, 0, 0);
	l->synced = false;
	return rc;
}

int esp_ldr_run_app(esp_loader *l, unsigned log_ms, esp_boot_log *boot)
{
	/* esptool HardReset (EN low 100 ms with IO0 high), then the ROM's boot log: "boot:0x13
	 * (SPI_FAST_FLASH_BOOT)" says the strapping let it boot from flash; "waiting for
	 * download" says IO0 is still held low and the ROM is back in download mode. */
	uint8_t log[512];
	size_t n = 0;
	memset(boot, 0, sizeof *boot);
	int rc = lines(l, 0, 1);
	if (rc)
		return rc;
	wait_collect(l, 100, log, sizeof log, &n);
	n = 0;
	if ((rc = lines(l, 0, 0)) != FK_OK)
		return rc;
	l->synced = false;
	wait_collect(l, log_ms, log, sizeof log, &n);
	esp_boot_log_scan(log, n, boot);
	fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "esp: %zu bytes after the hard reset, boot "
	       "mode %s0x%02X%s", n, boot->seen_boot ? "" : "(none) ", boot->boot_mode,
	       boot->download ? ", waiting for download" : "");
	return FK_OK;
}

int esp_ldr_leave(esp_loader *l)
{
	if (!l->synced)
		return FK_OK;
	int rc = spi_restore(l);
	if (rc)
		return rc;
	switch (l->after) {
	case ESP_AFTER_HARD:
		return esp_ldr_hard_reset(l);
	case ESP_AFTER_SOFT:
		l->synced = false;
		return esp_ldr_flash_end(l, true);
	default:
		return FK_OK;
	}
}

int esp_ldr_sync(esp_loader *l)
{
	uint8_t p[ESP_SYNC_LEN];
	esp_sync_payload(p);
	spi_forget(l); /* a (re)connect: whatever SPI1 holds is the ROM's own again */
	if (l->ops->flush_input)
		(void)l->ops->flush_input(l->h, l->ctx);
	esp_slip_reset(&l->dec);
	int rc = send_packet(l, ESP_SYNC, p, sizeof p, 0);
	if (rc)
		return rc;
	/* the first answer within the sync budget (packets of other ops are skipped) */
	for (unsigned k = 0; k < 16; k++) {
		size_t len;
		rc = read_frame(l, l->tmo.sync_ms, 4096, &len);
		if (rc)
			return rc == FK_E_PROTOCOL ? FK_E_TIMEOUT : rc;
		esp_pkt pk;
		if (esp_pkt_parse(l->frame, len, ESP_DIR_RESP, &pk) != ESP_PKT_OK ||
		    pk.op != ESP_SYNC)
			continue;
		l->sync_value = pk.word;
		l->stub = pk.word == 0; /* loader.py sync(): a stub answers with value 0 */
		l->status_len = l->stub ? 2U : 4U;
		/* the ROM answers 8 times: drain the 7 repeats so no command sees them */
		for (unsigned r = 0; r < 7 && !l->stub; r++)
			if (read_frame(l, l->tmo.sync_ms, 4096, &len))
				break;
		l->synced = true;
		return FK_OK;
	}
	return FK_E_TIMEOUT;
}

static void connect_fail_text(esp_loader *l, const uint8_t *log, size_t n)
{
	esp_boot_log_scan(log, n, &l->boot);
	bool disabled = false;
	static const char dis[] = "download mode is disabled";
	for (size_t i = 0; i + sizeof dis - 1 <= n; i++)
		if (memcmp(log + i, dis, sizeof dis - 1) == 0)
			disabled = true;
	char seen[200];
	noise_text(l, seen, sizeof seen);
	if (l->boot.seen_boot && disabled) {
		fk_hint(l->ctx, "the eFuse that disables download mode (ESP32 v3: UART_DOWNLOAD_DIS; "
				"ESP32-C3: DIS_DOWNLOAD_MODE) cannot be cleared: only the application "
				"running from flash (OTA) or JTAG, if still enabled, can change the flash");
		fk_fail(l->ctx, FK_E_CONNECT, "the ROM booted into download mode (boot:0x%02X) and "
			"says download mode is disabled by eFuse", l->boot.boot_mode);
	} else if (l->boot.seen_boot && !l->boot.download) {
		fk_hint(l->ctx, "hold the boot pin low (ESP32: GPIO0, ESP32-C3: GPIO9) while you tap EN "
				"(reset), then run again with --before no_reset; a board without the "
				"DTR/RTS auto-reset circuit needs this every time");
		fk_fail(l->ctx, FK_E_CONNECT, "wrong boot mode detected (boot:0x%02X): the chip "
			"booted from flash instead of the download ROM", l->boot.boot_mode);
	} else if (l->boot.seen_boot) {
		fk_hint(l->ctx, "check the host-to-chip wire (TX -> RX) and the baud rate");
		fk_fail(l->ctx, FK_E_CONNECT, "download mode detected (boot:0x%02X, \"waiting for "
			"download\") but no answer to SYNC: the serial TX path seems to be down",
			l->boot.boot_mode);
	} else if (l->noise) {
		fk_hint(l->ctx, "another program may be printing on the line (the application), or the "
				"baud rate is wrong; put the chip in download mode (boot pin low, tap EN)");
		fk_fail(l->ctx, FK_E_CONNECT, "no answer to SYNC; %llu bytes that are no loader "
			"packet (\"Invalid head of packet\"), last: \"%s\"",
			(unsigned long long)l->noise, seen);
	} else {
		fk_hint(l->ctx, "no data at all: (1) a board without the DTR/RTS auto-reset circuit: "
				"hold the boot pin low (ESP32: GPIO0, ESP32-C3: GPIO9), tap EN, release "
				"the pin, run with --before no_reset; (2) download mode disabled by eFuse "
				"keeps the ROM silent for good; (3) check power, TX/RX and the port");
		fk_fail(l->ctx, FK_E_CONNECT, "no serial data received (the ESP ROM loader did "
			"not answer %u SYNC attempts after %s)", l->attempts * 5U,
			esp_before_name(l->before));
	}
}

static int detect(esp_loader *l)
{
	int rc = esp_ldr_security_info(l, &l->sec);
	if (!rc) {
		l->have_security = true;
	} else if (rc == FK_E_UNSUPPORTED) {
		l->unsupported_security = true;
		fk_ctx_clear(l->ctx);
	} else {
		return fk_fail_wrap(l->ctx, rc, "GET_SECURITY_INFO");
	}
	/* Secure Download Mode refuses READ_REG (serial-protocol.rst): not asked then */
	if (l->have_security && (l->sec.flags & ESP_SEC_SECURE_DOWNLOAD))
		return FK_OK;
	rc = esp_ldr_read_reg(l, ESP_MAGIC_REG, &l->magic);
	if (!rc) {
		l->have_magic = true;
	} else if (l->have_security) {
		fk_ctx_clear(l->ctx); /* the chip id is enough */
		rc = FK_OK;
	}
	return rc;
}

int esp_ldr_connect(esp_loader *l)
{
	uint8_t log[1024] = {0};
	size_t n = 0;
	l->noise = 0;
	l->noise_n = 0;
	memset(&l->boot, 0, sizeof l->boot);
	if (l->before == ESP_BEFORE_NO_SYNC) {
		l->synced = true;
		return detect(l);
	}
	bool warned = false;
	char msgbuf[200];
	for (unsigned a = 0; a < l->attempts; a++) {
		int rc = FK_OK;
		/* esptool alternates the short and the long boot delay */
		unsigned boot_ms = (a / 2U) % 2U ? l->tmo.boot_ms + 500U : l->tmo.boot_ms;
		if (l->before == ESP_BEFORE_DEFAULT) {
			n = 0;
			rc = classic(l, boot_ms, log, sizeof log, &n);
		} else if (l->before == ESP_BEFORE_USB) {
			n = 0;
			rc = usb(l, log, sizeof log, &n);
		}
		if (rc == FK_E_UNSUPPORTED) {
			if (!warned)
				fk_log(l->ctx, FK_LOG_WARN, FK_TRACE_BOOT, "%s: cannot drive DTR/RTS (%s): "
				       "trying to sync with the chip as it is", l->where,
				       fk_ctx_message(l->ctx, msgbuf, sizeof msgbuf));
			warned = true;
			fk_ctx_clear(l->ctx);
		} else if (rc) {
			return rc;
		}
		if (n) {
			esp_boot_log_scan(log, n, &l->boot);
			fk_log(l->ctx, FK_LOG_DEBUG, FK_TRACE_BOOT, "esp: %zu bytes after reset, boot "
			       "mode %s0x%02X%s", n, l->boot.seen_boot ? "" : "(none) ",
			       l->boot.boot_mode, l->boot.download ? ", waiting for download" : "");
		}
		for (unsigned t = 0; t < 5; t++) {
			rc = esp_ldr_sync(l);
			if (!rc)
				return detect(l);
			if (rc != FK_E_TIMEOUT)
				return fk_fail_wrap(l->ctx, rc, "SYNC with the ESP ROM loader");
			l->retries++;
			uint8_t b;
			size_t got;
			(void)l->ops->read(l->h, l->ctx, &b, 1, 50, &got); /* 50 ms apart */
			if (got) {
				note_noise(l, b);
				if (n < sizeof log)
					log[n++] = b;
			}
		}
		if (n && l->boot.seen_boot && !l->boot.download && l->before != ESP_BEFORE_NO_RESET)
			break; /* the pins say "boot from flash": more resets change nothing */
	}
	connect_fail_text(l, log, n);
	return fk_ctx_error(l->ctx);
}
