/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/esp_rom_codec: SLIP framing, packets, checksum, names and the boot-log scan of the
 * Espressif serial ROM loader (see esp_rom.h for the sources). Pure: no I/O, no allocation. */
#include <string.h>

#include "boot/esp_rom.h"
#include "core/core.h"

/* ---------------------------------------------------------------- SLIP */

size_t esp_slip_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	if (cap < 2)
		return 0;
	out[o++] = ESP_SLIP_END;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];
		bool esc = b == ESP_SLIP_END || b == ESP_SLIP_ESC;
		if (o + (esc ? 2U : 1U) + 1U > cap)
			return 0;
		if (esc) {
			out[o++] = ESP_SLIP_ESC;
			out[o++] = b == ESP_SLIP_END ? ESP_SLIP_ESC_END : ESP_SLIP_ESC_ESC;
		} else {
			out[o++] = b;
		}
	}
	out[o++] = ESP_SLIP_END;
	return o;
}

enum { SLIP_IDLE = 0, SLIP_IN = 1, SLIP_ESC = 2, SLIP_SKIP = 3 };

void esp_slip_init(esp_slip_dec *d, uint8_t *buf, size_t cap)
{
	memset(d, 0, sizeof *d);
	d->buf = buf;
	d->cap = cap;
}

void esp_slip_reset(esp_slip_dec *d)
{
	d->state = SLIP_IDLE;
	d->len = 0;
	d->noise = 0;
	d->noise_n = 0;
}

bool esp_slip_in_frame(const esp_slip_dec *d)
{
	return d->state == SLIP_IN || d->state == SLIP_ESC;
}

static void slip_noise(esp_slip_dec *d, uint8_t b)
{
	d->noise++;
	if (d->noise_n == ESP_SLIP_NOISE_KEEP) {
		memmove(d->noise_tail, d->noise_tail + 1, ESP_SLIP_NOISE_KEEP - 1);
		d->noise_n--;
	}
	d->noise_tail[d->noise_n++] = b;
}

static esp_slip_ev slip_put(esp_slip_dec *d, uint8_t b)
{
	if (d->len >= d->cap) {
		d->state = SLIP_SKIP;
		return ESP_SLIP_OVERFLOW;
	}
	d->buf[d->len++] = b;
	d->state = SLIP_IN;
	return ESP_SLIP_MORE;
}

esp_slip_ev esp_slip_feed(esp_slip_dec *d, uint8_t b)
{
	switch (d->state) {
	case SLIP_IDLE:
		if (b == ESP_SLIP_END) {
			d->state = SLIP_IN;
			d->len = 0;
		} else {
			slip_noise(d, b);
		}
		return ESP_SLIP_MORE;
	case SLIP_SKIP: /* the rest of a dropped frame, up to its end */
		if (b == ESP_SLIP_END)
			d->state = SLIP_IDLE;
		return ESP_SLIP_MORE;
	case SLIP_ESC:
		if (b == ESP_SLIP_ESC_END)
			return slip_put(d, ESP_SLIP_END);
		if (b == ESP_SLIP_ESC_ESC)
			return slip_put(d, ESP_SLIP_ESC);
		d->bad = b;
		/* a C0 here ends the broken frame; anything else leaves the rest of it to skip */
		d->state = b == ESP_SLIP_END ? SLIP_IDLE : SLIP_SKIP;
		d->len = 0;
		return ESP_SLIP_BAD_ESCAPE;
	default: /* SLIP_IN */
		if (b == ESP_SLIP_ESC) {
			d->state = SLIP_ESC;
			return ESP_SLIP_MORE;
		}
		if (b != ESP_SLIP_END)
			return slip_put(d, b);
		if (d->len == 0)
			return ESP_SLIP_MORE; /* C0 C0: the second one opens the next frame */
		d->state = SLIP_IDLE;
		return ESP_SLIP_FRAME;
	}
}

/* ---------------------------------------------------------------- packets */

void esp_sync_payload(uint8_t out[ESP_SYNC_LEN])
{
	static const uint8_t head[4] = {0x07, 0x07, 0x12, 0x20};
	memcpy(out, head, sizeof head);
	memset(out + 4, 0x55, ESP_SYNC_LEN - 4);
}

bool esp_is_sync_payload(const uint8_t *p, size_t n)
{
	uint8_t want[ESP_SYNC_LEN];
	esp_sync_payload(want);
	return n == ESP_SYNC_LEN && memcmp(p, want, n) == 0;
}

esp_pkt_err esp_pkt_parse(const uint8_t *p, size_t n, uint8_t dir, esp_pkt *out)
{
	memset(out, 0, sizeof *out);
	if (n < ESP_HDR_LEN)
		return ESP_PKT_SHORT;
	out->dir = p[0];
	out->op = p[1];
	out->size = fk_get_le16(p + 2);
	out->word = fk_get_le32(p + 4);
	out->data = p + ESP_HDR_LEN;
	if (p[0] != dir)
		return ESP_PKT_BAD_DIR;
	if (out->size != n - ESP_HDR_LEN)
		return ESP_PKT_BAD_SIZE;
	return ESP_PKT_OK;
}

const char *esp_pkt_err_text(esp_pkt_err e)
{
	switch (e) {
	case ESP_PKT_OK: return "ok";
	case ESP_PKT_SHORT: return "packet shorter than its 8-byte header";
	case ESP_PKT_BAD_DIR: return "wrong direction byte";
	case ESP_PKT_BAD_SIZE: return "size field disagrees with the packet length";
	}
	return "bad packet";
}

size_t esp_pkt_build(uint8_t *out, size_t cap, uint8_t dir, uint8_t op, uint32_t word,
		     const uint8_t *data, size_t n)
{
	if (n > 0xFFFFU || cap < ESP_HDR_LEN + n)
		return 0;
	out[0] = dir;
	out[1] = op;
	fk_put_le16(out + 2, (uint16_t)n);
	fk_put_le32(out + 4, word);
	if (n)
		memcpy(out + ESP_HDR_LEN, data, n);
	return ESP_HDR_LEN + n;
}

uint8_t esp_checksum(const uint8_t *p, size_t n)
{
	uint8_t x = ESP_CHECKSUM_SEED;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

bool esp_pkt_status(const esp_pkt *p, size_t payload, size_t status_len, uint8_t *status,
		    uint8_t *error)
{
	if (status_len < 2 || (size_t)p->size < payload + status_len)
		return false;
	*status = p->data[payload];
	*error = p->data[payload + 1];
	return true;
}

bool esp_pkt_u32(const esp_pkt *p, unsigned i, uint32_t *v)
{
	if ((size_t)p->size < 4U * ((size_t)i + 1U))
		return false;
	*v = fk_get_le32(p->data + 4U * i);
	return true;
}

/* ---------------------------------------------------------------- names */

const char *esp_cmd_name(uint8_t op)
{
	switch (op) {
	case ESP_FLASH_BEGIN: return "FLASH_BEGIN";
	case ESP_FLASH_DATA: return "FLASH_DATA";
	case ESP_FLASH_END: return "FLASH_END";
	case ESP_MEM_BEGIN: return "MEM_BEGIN";
	case ESP_MEM_END: return "MEM_END";
	case ESP_MEM_DATA: return "MEM_DATA";
	case ESP_SYNC: return "SYNC";
	case ESP_WRITE_REG: return "WRITE_REG";
	case ESP_READ_REG: return "READ_REG";
	case ESP_SPI_SET_PARAMS: return "SPI_SET_PARAMS";
	case ESP_SPI_ATTACH: return "SPI_ATTACH";
	case ESP_READ_FLASH_SLOW: return "READ_FLASH_SLOW";
	case ESP_CHANGE_BAUDRATE: return "CHANGE_BAUDRATE";
	case ESP_FLASH_DEFL_BEGIN: return "FLASH_DEFL_BEGIN";
	case ESP_FLASH_DEFL_DATA: return "FLASH_DEFL_DATA";
	case ESP_FLASH_DEFL_END: return "FLASH_DEFL_END";
	case ESP_SPI_FLASH_MD5: return "SPI_FLASH_MD5";
	case ESP_GET_SECURITY_INFO: return "GET_SECURITY_INFO";
	case ESP_ERASE_FLASH: return "ERASE_FLASH";
	case ESP_ERASE_REGION: return "ERASE_REGION";
	case ESP_READ_FLASH: return "READ_FLASH";
	case ESP_RUN_USER_CODE: return "RUN_USER_CODE";
	default: return "unknown command";
	}
}

const char *esp_rom_error_text(uint8_t err)
{
	static const char *const t[] = {
		"undefined error",
		"input parameter invalid",
		"the ROM could not allocate memory",
		"the ROM failed to send",
		"the ROM failed to receive",
		"received message format invalid (or a command this ROM does not support)",
		"message accepted but the operation's result was wrong",
		"checksum error: the data block arrived corrupted",
		("flash write error: the ROM read the data back and it differs (write-protected "
		 "flash, e.g. SPI status-register block protection, or a failing flash)"),
		"flash read error",
		"flash read length error",
		"deflate failed",
		"deflate Adler-32 error",
		"deflate parameter error",
		"invalid RAM binary size",
		"invalid RAM binary address",
	};
	if (err < sizeof t / sizeof t[0])
		return t[err];
	switch (err) {
	case 0x64: return "invalid parameter";
	case 0x65: return "invalid format";
	case 0x66: return "description too long";
	case 0x67: return "bad encoding description";
	case 0x69: return "insufficient storage";
	default: return "unknown ROM error code";
	}
}

const char *esp_stub_error_text(uint8_t err)
{
	static const char *const t[] = {
		"bad data length", "bad data checksum", "bad block size", "invalid command",
		"SPI operation failed", "SPI unlock failed", "not in flash mode", "inflate error",
		"not enough data", "too much data", "NAND program failed", "NAND erase failed",
	};
	if (err >= 0xC0 && err <= 0xCB)
		return t[err - 0xC0];
	if (err == 0xFF)
		return "command not implemented";
	return "unknown stub error code";
}

/* ---------------------------------------------------------------- boot log */

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const uint8_t *find(const uint8_t *p, size_t n, const char *s)
{
	size_t m = strlen(s);
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(p + i, s, m) == 0)
			return p + i;
	return NULL;
}

/* The last "boot:0x.." in the bytes counts (a board reset twice prints two lines). */
void esp_boot_log_scan(const uint8_t *p, size_t n, esp_boot_log *out)
{
	memset(out, 0, sizeof *out);
	const uint8_t *end = p + n, *at = p, *hit;
	while ((hit = find(at, (size_t)(end - at), "boot:0x")) != NULL) {
		const uint8_t *q = hit + 7;
		uint32_t v = 0;
		int digits = 0, h;
		while (q < end && digits < 8 && (h = hexval(*q)) >= 0) {
			v = v << 4 | (uint32_t)h;
			q++;
			digits++;
		}
		at = q;
		if (!digits)
			continue;
		out->seen_boot = true;
		out->boot_mode = v;
		/* "waiting for download" on the same boot message (before the next boot line) */
		const uint8_t *next = find(q, (size_t)(end - q), "boot:0x");
		const uint8_t *w = find(q, (size_t)((next ? next : end) - q), "waiting for download");
		out->download = w != NULL;
	}
}
