/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32 / ESP32-C3 serial ROM loader as the model's byte-stream port "esp-rom": SLIP framing,
 * the ROM's commands acting on the chip (esp.c) and its SPI flash twin, the boot log after a
 * reset, DTR/RTS through the board's auto-reset circuit, CHANGE_BAUDRATE on the virtual clock.
 * Written from the protocol documents, independently of flashkey's client (lib/boot).
 *
 * The flasher stub: esptool and esptool-js upload esptool's published flasher stub to RAM and
 * start it. The twin cannot run Xtensa or RISC-V code; it recognises exactly the stub
 * esptool-js 0.7.0 ships (segment addresses, sizes, MD5 of each segment, entry) and then models
 * that program's documented protocol behaviourally (docs/TWIN.md). Any other code started by
 * MEM_END leaves the chip silent, as unknown code would.
 *
 * Sources (own words; ../shared/reference/esp32-rom.md §1-§3, esp_lpc.md A.5-A.10):
 *   esptool docs/en/advanced-topics/serial-protocol.rst ("Low Level Protocol", "Command
 *   Packet", "Response Packet", "Status bytes": ROM of the ESP32 and later 4 bytes, stub 2;
 *   "Checksum" seed 0xEF; "ROM Loader Errors"; "Supported in Secure Download Mode"; "Reading
 *   Flash" for the stub's READ_FLASH flow); esptool loader.py (sync: 8 replies from the ROM,
 *   1 from the stub with value 0; command(); mem_finish; flash_begin);
 *   flasher_stub stub_flasher.c / stub_write_flash.c (OHAI after start, SPIUnlock at every
 *   FLASH_BEGIN, 0xC1 bad checksum, 0xFF not implemented). ESP32 TRM §3.3 (the boot log). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/md5.h"
#include "esp32/esp.h"

/* ---------------------------------------------------------------- the published stubs */

/* esptool-js 0.7.0 lib/targets/stub_flasher/esp32.json and esp32c3.json (base64 text/data
 * decoded): text 6456 and data 212 bytes (ESP32), 5880 and 204 bytes (ESP32-C3); the json files'
 * text_start, data_start and entry. */
const tw_esp_stub_id tw_esp_stubs[] = {
	{TW_ESP32, 0x400A8000U, 6456, 0x3FFDED6CU, 212, 0x400A902CU,
	 "d495f63a306a3f0e012700cc1c031cb6", "5db21ce4a452000bffbd831714e0468a"},
	{TW_ESP32C3, 0x40380000U, 5880, 0x3FC96D68U, 204, 0x40380E9AU,
	 "4659109a8a116702c5beb0cc5f595fcc", "3abe7b1cef33190b5955eade8a96e321"},
};
const unsigned tw_esp_nstubs = sizeof tw_esp_stubs / sizeof tw_esp_stubs[0];

/* ---------------------------------------------------------------- protocol constants */

enum {
	OP_FLASH_BEGIN = 0x02, OP_FLASH_DATA = 0x03, OP_FLASH_END = 0x04, OP_MEM_BEGIN = 0x05,
	OP_MEM_END = 0x06, OP_MEM_DATA = 0x07, OP_SYNC = 0x08, OP_WRITE_REG = 0x09,
	OP_READ_REG = 0x0A, OP_SPI_SET_PARAMS = 0x0B, OP_SPI_ATTACH = 0x0D,
	OP_READ_FLASH_SLOW = 0x0E, OP_CHANGE_BAUDRATE = 0x0F, OP_FLASH_DEFL_BEGIN = 0x10,
	OP_FLASH_DEFL_DATA = 0x11, OP_FLASH_DEFL_END = 0x12, OP_SPI_FLASH_MD5 = 0x13,
	OP_GET_SECURITY_INFO = 0x14, OP_ERASE_FLASH = 0xD0, OP_ERASE_REGION = 0xD1,
	OP_READ_FLASH = 0xD2, OP_RUN_USER_CODE = 0xD3,
};
/* ROM loader errors (serial-protocol.rst) */
enum {
	E_PARAM = 0x01, E_MALLOC = 0x02, E_BAD_MSG = 0x05, E_RESULT = 0x06, E_CHECKSUM = 0x07,
	E_WRITE = 0x08
};
/* stub errors (stub_flasher.h as documented in serial-protocol.rst) */
enum { SE_BAD_LEN = 0xC0, SE_CHECKSUM = 0xC1, SE_BLOCKSIZE = 0xC2, SE_NOT_IMPL = 0xFF };

#define MAX_FRAME (0x4000U + 64U) /* stub FLASH_DATA block + headers */
#define MAX_RAM (512U * 1024U)
#define MAX_SEGS 4U
#define ROM_BAUD 115200U
/* The ROM's flash size until SPI_SET_PARAMS (serial-protocol.rst "Supported in Secure Download
 * Mode": writes beyond the ROM's default 2 MB fail) */
#define ROM_DEFAULT_FLASH (2U * 1024U * 1024U)

typedef struct esp_seg {
	uint32_t addr, len;
	uint8_t *data;
} esp_seg;

typedef struct esp_sess {
	tw_esp *e;
	tw_stream_cfg cfg;
	unsigned baud;
	uint32_t resets_seen;
	/* SLIP in */
	uint8_t in[MAX_FRAME];
	size_t in_len;
	bool in_frame, esc, drop;
	/* out */
	uint8_t *out;
	uint64_t *out_ns;
	size_t out_len, out_pos, out_cap;
	uint64_t tx_last_ns;
	/* flash download */
	bool fl_on, fl_enc; /* fl_enc: FLASH_BEGIN asked for encryption (crypt.c) */
	uint32_t fl_off, fl_size, fl_blocks, fl_bsize, fl_seq;
	fk_xts128 fl_xts;
	uint32_t param_size; /* SPI_SET_PARAMS total size */
	/* RAM download */
	bool mem_on;
	uint32_t mem_seq, mem_blocks, mem_bsize;
	esp_seg seg[MAX_SEGS];
	unsigned nseg;
	/* stub READ_FLASH stream */
	bool rf_on;
	uint32_t rf_addr, rf_len, rf_sent, rf_acked, rf_psize, rf_maxun;
	fk_md5 rf_md5;
} esp_sess;

/* ---------------------------------------------------------------- output */

static uint64_t esp_byte_ns(const void *sess)
{
	const esp_sess *s = sess;
	return (uint64_t)s->cfg.bits_per_byte * 1000000000ULL / s->baud;
}

static void emit(esp_sess *s, uint8_t c)
{
	tw_esp_advance(s->e, esp_byte_ns(s)); /* the device is transmitting */
	if (s->out_pos == s->out_len)
		s->out_pos = s->out_len = 0;
	if (s->out_len == s->out_cap) {
		size_t cap = s->out_cap ? 2 * s->out_cap : 4096;
		uint8_t *o = realloc(s->out, cap);
		if (!o)
			return;
		s->out = o;
		uint64_t *t = realloc(s->out_ns, cap * sizeof *t);
		if (!t)
			return;
		s->out_ns = t;
		s->out_cap = cap;
	}
	s->out_ns[s->out_len] = tw_esp_now(s->e);
	s->out[s->out_len++] = c;
}

static void emit_text(esp_sess *s, const char *t)
{
	while (*t)
		emit(s, (uint8_t)*t++);
}

/* SLIP (serial-protocol.rst "Low Level Protocol"): C0, payload with C0 -> DB DC and
 * DB -> DB DD, C0. */
static void emit_frame(esp_sess *s, const uint8_t *p, size_t n)
{
	emit(s, 0xC0);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0xC0) {
			emit(s, 0xDB);
			emit(s, 0xDC);
		} else if (p[i] == 0xDB) {
			emit(s, 0xDB);
			emit(s, 0xDD);
		} else {
			emit(s, p[i]);
		}
	}
	emit(s, 0xC0);
}

static bool is_stub(const esp_sess *s)
{
	return s->e->run == TW_ESP_RUN_STUB;
}

/* Response: 01, op, size (u16), value (u32), data, then the status bytes: status, error and,
 * from the ROM, two more zero bytes. */
static void respond(esp_sess *s, uint8_t op, uint32_t value, const uint8_t *data, size_t n,
		    uint8_t status, uint8_t error)
{
	uint8_t pkt[8 + 64 + 4];
	size_t st = is_stub(s) ? 2 : 4;
	if (n > 64)
		n = 64;
	size_t size = n + st;
	pkt[0] = 0x01;
	pkt[1] = op;
	pkt[2] = (uint8_t)size;
	pkt[3] = (uint8_t)(size >> 8);
	for (unsigned i = 0; i < 4; i++)
		pkt[4 + i] = (uint8_t)(value >> (8 * i));
	if (n)
		memcpy(pkt + 8, data, n);
	memset(pkt + 8 + n, 0, st);
	pkt[8 + n] = status;
	pkt[9 + n] = error;
	emit_frame(s, pkt, 8 + size);
}

static void ok(esp_sess *s, uint8_t op)
{
	respond(s, op, 0, NULL, 0, 0, 0);
}

static void fail(esp_sess *s, uint8_t op, uint8_t err)
{
	respond(s, op, 0, NULL, 0, 1, err);
}

/* A command the running loader does not have. ROM: status 1, error 0x05 "received message
 * format invalid", in a response whose op differs from the request's, which esptool and
 * esptool-js classify as an unsupported command (loader.py command(), ROM_INVALID_RECV_MSG).
 * UNCONFIRMED: the op byte the ROM puts there and how often it repeats the reply (esp_lpc.md
 * A.5 reports 8 repeats); one reply with op 0x00 is modelled. Stub: the request's op with
 * error 0xFF "not implemented". */
static void unsupported(esp_sess *s, uint8_t op)
{
	if (is_stub(s))
		fail(s, op, SE_NOT_IMPL);
	else
		respond(s, 0x00, 0, NULL, 0, 1, E_BAD_MSG);
}

static void log_line(esp_sess *s, const char *fmt, const char *a)
{
	if (!s->cfg.log)
		return;
	char line[200];
	snprintf(line, sizeof line, fmt, a);
	s->cfg.log(s->cfg.hook_arg, line);
}

/* ---------------------------------------------------------------- boot log and restarts */

static void free_segs(esp_sess *s)
{
	for (unsigned i = 0; i < s->nseg; i++)
		free(s->seg[i].data);
	s->nseg = 0;
	s->mem_on = false;
}

/* ESP32 TRM §3.3 and published boot logs: the ROM prints its banner, the reset cause and the
 * strapping value, then "waiting for download" in download mode. UNCONFIRMED: the exact banner
 * dates and the wording when download mode is disabled by eFuse (modelled: "download mode is
 * disabled"). Printed at the session's baud (a 40 MHz crystal gives 115200; esptool reads it). */
static void boot_log(esp_sess *s)
{
	tw_esp *e = s->e;
	char line[160];
	if (e->v->kind == TW_ESP32) {
		emit_text(s, "ets Jul 29 2019 12:21:46\r\n\r\n");
		snprintf(line, sizeof line, "rst:0x1 (POWERON_RESET),boot:0x%" PRIx32 " (%s)\r\n",
			 e->boot_value,
			 e->boot_value == 0x13 ? "SPI_FAST_FLASH_BOOT"
					       : "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)");
	} else {
		emit_text(s, "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n");
		snprintf(line, sizeof line, "rst:0x1 (POWERON),boot:0x%" PRIx32 " (%s)\r\n",
			 e->boot_value,
			 e->boot_value == 0x0C ? "SPI_FAST_FLASH_BOOT" : "DOWNLOAD(USB/UART0/1)");
	}
	emit_text(s, line);
	if (e->run == TW_ESP_RUN_ROM)
		emit_text(s, "waiting for download\r\n");
	else if (e->run == TW_ESP_RUN_ROM_DEAD)
		emit_text(s, "download mode is disabled\r\n");
}

/* The chip was reset (EN released, power-on): a new ROM session. */
static void restart(esp_sess *s)
{
	s->resets_seen = s->e->resets;
	s->out_len = s->out_pos = 0;
	s->in_len = 0;
	s->in_frame = s->esc = s->drop = false;
	s->fl_on = s->fl_enc = s->rf_on = false;
	s->param_size = ROM_DEFAULT_FLASH;
	free_segs(s);
	s->baud = ROM_BAUD; /* the ROM's own UART set-up */
	if (s->e->run != TW_ESP_RUN_RESET)
		boot_log(s);
	log_line(s, "chip reset: %s",
		 s->e->run == TW_ESP_RUN_ROM	  ? "ROM download mode"
		 : s->e->run == TW_ESP_RUN_ROM_DEAD ? "download mode disabled by eFuse (silent)"
		 : s->e->run == TW_ESP_RUN_APP	    ? "SPI boot (application, silent)"
						    : "held in reset");
}

static void check_reset(esp_sess *s)
{
	if (s->resets_seen != s->e->resets)
		restart(s);
}

/* ---------------------------------------------------------------- helpers */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t xsum(const uint8_t *p, size_t n)
{
	uint8_t c = 0xEF;
	for (size_t i = 0; i < n; i++)
		c ^= p[i];
	return c;
}

static uint32_t flash_limit(const esp_sess *s)
{
	uint32_t chip = tw_esp_flash_size(s->e);
	if (is_stub(s))
		return chip;
	return s->param_size < chip ? s->param_size : chip;
}

/* Secure Download Mode (C3): only these commands (serial-protocol.rst "Supported in Secure
 * Download Mode"). */
static bool sdm_allowed(uint8_t op)
{
	switch (op) {
	case OP_SYNC: case OP_SPI_ATTACH: case OP_SPI_SET_PARAMS: case OP_CHANGE_BAUDRATE:
	case OP_FLASH_BEGIN: case OP_FLASH_DATA: case OP_FLASH_END: case OP_GET_SECURITY_INFO:
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- commands */

static void cmd_sync(esp_sess *s, const uint8_t *d, size_t n)
{
	static const uint8_t head[4] = {0x07, 0x07, 0x12, 0x20};
	if (n != 36 || memcmp(d, head, 4) != 0)
		return; /* not a SYNC: the ROM keeps listening (UNCONFIRMED: no reply) */
	for (size_t i = 4; i < 36; i++)
		if (d[i] != 0x55)
			return;
	if (is_stub(s)) {
		ok(s, OP_SYNC); /* the stub answers once, value 0 (loader.py sync) */
		return;
	}
	/* The ROM answers 8 times; value 0x20120707 as in real ESP32 traces (esp_lpc.md A.6;
	 * esptool only needs it non-zero) */
	for (unsigned i = 0; i < 8; i++)
		respond(s, OP_SYNC, 0x20120707U, NULL, 0, 0, 0);
}

static void cmd_read_reg(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n < 4) {
		fail(s, OP_READ_REG, E_PARAM);
		return;
	}
	uint32_t v = tw_esp_read_reg(s->e, le32(d));
	respond(s, OP_READ_REG, v, NULL, 0, 0, 0);
}

/* WRITE_REG: groups of addr, value, mask, delay_us; the value is ANDed with mask over the old
 * contents (serial-protocol.rst); the delay runs after the write. */
static void cmd_write_reg(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n < 16 || n % 16) {
		fail(s, OP_WRITE_REG, E_PARAM);
		return;
	}
	for (size_t i = 0; i < n; i += 16) {
		uint32_t a = le32(d + i), v = le32(d + i + 4), m = le32(d + i + 8);
		uint32_t dly = le32(d + i + 12);
		if (m != 0xFFFFFFFFU)
			v = (tw_esp_read_reg(s->e, a) & ~m) | (v & m);
		tw_esp_write_reg(s->e, a, v);
		tw_esp_advance(s->e, (uint64_t)dly * 1000U);
	}
	ok(s, OP_WRITE_REG);
}

/* FLASH_BEGIN's fifth word "encrypted" (esptool loader.py flash_begin): the data blocks that
 * follow go through the XTS_AES block's manual encryption (crypt.c). Only the C3 ROM is
 * modelled doing it: the ESP32 ROM takes no fifth word (esptool: "ESP32 ROM bootloader does not
 * support encrypted writes") and the stub's encrypted path is not modelled; both answer
 * "invalid parameter". UNCONFIRMED (the ROM's answers are not documented): with
 * DIS_DOWNLOAD_MANUAL_ENCRYPT burnt (TRM: no manual encryption in download mode) and for an
 * offset that is no multiple of 16 (the XTS_AES block works on 16-byte-aligned lines), the ROM
 * is modelled refusing the FLASH_BEGIN with 0x01 before anything is erased. */
static bool flash_begin_encrypted(esp_sess *s, uint32_t off)
{
	uint8_t key[32];
	if (is_stub(s) || s->e->v->kind != TW_ESP32C3 || tw_esp_manual_encrypt_disabled(s->e) ||
	    off % FK_ESP_XTS_ALIGN) {
		fail(s, OP_FLASH_BEGIN, is_stub(s) ? SE_BAD_LEN : E_PARAM);
		return false;
	}
	(void)tw_esp_xts_key(s->e, key);
	fk_xts128_init(&s->fl_xts, key);
	memset(key, 0, sizeof key);
	return true;
}

static void cmd_flash_begin(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 16 && n != 20) {
		fail(s, OP_FLASH_BEGIN, is_stub(s) ? SE_BAD_LEN : E_PARAM);
		return;
	}
	uint32_t esz = le32(d), blocks = le32(d + 4), bsize = le32(d + 8), off = le32(d + 12);
	uint32_t enc = n == 20 ? le32(d + 16) : 0;
	if (enc && !flash_begin_encrypted(s, off))
		return;
	if (bsize == 0 || bsize > 0x4000U || (uint64_t)off + esz > flash_limit(s)) {
		/* beyond the flash size the loader knows: "running result wrong" (esp_lpc.md
		 * A.9: 0106 in Secure Download Mode beyond the default 2 MB) */
		fail(s, OP_FLASH_BEGIN, is_stub(s) ? SE_BLOCKSIZE : E_RESULT);
		return;
	}
	if (is_stub(s))
		tw_esp_stub_unlock(s->e); /* stub_write_flash.c SPIUnlock (esp_lpc.md A.10) */
	/* The ROM erases the whole region before answering (loader.py flash_begin: timeout
	 * scales with the size). UNCONFIRMED for the stub, which erases ahead of the data as it
	 * arrives: modelled as an erase up front, the same end state. */
	if (esz)
		tw_esp_flash_erase(s->e, off, esz);
	s->fl_on = true;
	s->fl_enc = enc != 0;
	s->fl_off = off;
	s->fl_size = esz;
	s->fl_blocks = blocks;
	s->fl_bsize = bsize;
	s->fl_seq = 0;
	ok(s, OP_FLASH_BEGIN);
}

/* The 16-byte data header: len, seq, 0, 0; then len bytes; checksum in the request word. */
static bool data_hdr(esp_sess *s, uint8_t op, const uint8_t *d, size_t n, uint32_t chk,
		     uint32_t *len, uint32_t *seq)
{
	if (n < 16 || le32(d) != n - 16) {
		fail(s, op, is_stub(s) ? SE_BAD_LEN : E_PARAM);
		return false;
	}
	*len = le32(d);
	*seq = le32(d + 4);
	if (xsum(d + 16, *len) != (uint8_t)chk) {
		fail(s, op, is_stub(s) ? SE_CHECKSUM : E_CHECKSUM);
		return false;
	}
	return true;
}

/* The ROM reads every block back and compares (serial-protocol.rst error 0x08 "flash write
 * error"); the stub does not (esp_lpc.md A.10). */
static bool readback_same(esp_sess *s, uint32_t addr, const uint8_t *want, uint32_t len)
{
	if (is_stub(s) || !len)
		return true;
	uint8_t *rb = malloc(len);
	bool same = rb != NULL;
	if (rb) {
		tw_esp_flash_read(s->e, addr, rb, len);
		same = memcmp(rb, want, len) == 0;
		free(rb);
	}
	return same;
}

static void cmd_flash_data(esp_sess *s, const uint8_t *d, size_t n, uint32_t chk)
{
	uint32_t len, seq;
	if (!data_hdr(s, OP_FLASH_DATA, d, n, chk, &len, &seq))
		return;
	if (!s->fl_on || seq >= s->fl_blocks || len > s->fl_bsize) {
		/* UNCONFIRMED: the ROM's answer to data outside a FLASH_BEGIN window */
		fail(s, OP_FLASH_DATA, is_stub(s) ? SE_BAD_LEN : E_PARAM);
		return;
	}
	uint32_t addr = s->fl_off + seq * s->fl_bsize;
	if ((uint64_t)addr + len > tw_esp_flash_size(s->e))
		len = tw_esp_flash_size(s->e) > addr ? tw_esp_flash_size(s->e) - addr : 0;
	if (s->fl_enc && len % FK_ESP_XTS_ALIGN) {
		/* UNCONFIRMED: the ROM's answer to an encrypted block that is no multiple of 16
		 * (esptool pads every block to 0x400) */
		fail(s, OP_FLASH_DATA, E_PARAM);
		return;
	}
	/* Encrypted: the ROM hands the block to the XTS_AES block, which writes ciphertext;
	 * the read-back compares the flash with that ciphertext (UNCONFIRMED: how the ROM checks
	 * an encrypted block is not documented; error 0x08 is modelled alike). */
	uint8_t *want = s->fl_enc && len ? malloc(len) : NULL;
	if (s->fl_enc && len && !want) {
		fail(s, OP_FLASH_DATA, E_MALLOC);
		return;
	}
	if (want)
		tw_esp_flash_program_encrypted(s->e, &s->fl_xts, addr, d + 16, want, len);
	else
		tw_esp_flash_program(s->e, addr, d + 16, len);
	s->fl_seq = seq + 1;
	bool same = readback_same(s, addr, want ? want : d + 16, len);
	free(want);
	if (!same) {
		fail(s, OP_FLASH_DATA, E_WRITE);
		return;
	}
	ok(s, OP_FLASH_DATA);
}

/* FLASH_END: 0 = reboot, 1 = stay / run user code (serial-protocol.rst). The ROM runs the
 * application for 1; the stub stays in the loader (esptool-js sends 1 after every write and
 * keeps talking). The reply goes out first. */
static void cmd_flash_end(esp_sess *s, const uint8_t *d, size_t n)
{
	uint32_t arg = n >= 4 ? le32(d) : 1;
	s->fl_on = false;
	ok(s, OP_FLASH_END);
	if (arg == 0) {
		if (s->cfg.flush)
			s->cfg.flush(s->cfg.hook_arg);
		tw_esp_reset(s->e); /* the pins decide again */
		check_reset(s);
	} else if (!is_stub(s)) {
		s->e->run = TW_ESP_RUN_APP;
		log_line(s, "%s", "FLASH_END: the ROM runs the application (silent)");
	}
}

static void cmd_mem_begin(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 16) {
		fail(s, OP_MEM_BEGIN, E_PARAM);
		return;
	}
	uint32_t size = le32(d), blocks = le32(d + 4), bsize = le32(d + 8), off = le32(d + 12);
	if (s->nseg >= MAX_SEGS || size > MAX_RAM || bsize == 0 ||
	    (uint64_t)blocks * bsize < size) {
		fail(s, OP_MEM_BEGIN, 0x0E); /* invalid RAM binary size */
		return;
	}
	esp_seg *g = &s->seg[s->nseg];
	g->data = calloc(1, size ? size : 1);
	if (!g->data) {
		fail(s, OP_MEM_BEGIN, 0x02);
		return;
	}
	g->addr = off;
	g->len = size;
	s->nseg++;
	s->mem_on = true;
	s->mem_seq = 0;
	s->mem_blocks = blocks;
	s->mem_bsize = bsize;
	ok(s, OP_MEM_BEGIN);
}

static void cmd_mem_data(esp_sess *s, const uint8_t *d, size_t n, uint32_t chk)
{
	uint32_t len, seq;
	if (!data_hdr(s, OP_MEM_DATA, d, n, chk, &len, &seq))
		return;
	if (!s->mem_on || !s->nseg || seq >= s->mem_blocks) {
		fail(s, OP_MEM_DATA, E_PARAM);
		return;
	}
	esp_seg *g = &s->seg[s->nseg - 1];
	uint64_t at = (uint64_t)seq * s->mem_bsize;
	if (at + len > g->len) {
		fail(s, OP_MEM_DATA, 0x0F); /* invalid RAM binary address */
		return;
	}
	memcpy(g->data + at, d + 16, len);
	ok(s, OP_MEM_DATA);
}

static bool seg_is(const esp_seg *g, uint32_t addr, uint32_t len, const char *md5hex)
{
	if (g->addr != addr || g->len != len)
		return false;
	uint8_t dg[16];
	char hex[33];
	fk_md5_buf(g->data, g->len, dg);
	fk_md5_hex(dg, hex);
	return strcmp(hex, md5hex) == 0;
}

/* The uploaded segments are exactly a published stub (both segments, entry): by digest. */
static bool stub_recognised(const esp_sess *s, uint32_t entry)
{
	for (unsigned i = 0; i < tw_esp_nstubs; i++) {
		const tw_esp_stub_id *id = &tw_esp_stubs[i];
		if (id->kind != s->e->v->kind || id->entry != entry || s->nseg != 2)
			continue;
		if (seg_is(&s->seg[0], id->text_addr, id->text_len, id->text_md5) &&
		    seg_is(&s->seg[1], id->data_addr, id->data_len, id->data_md5))
			return true;
	}
	return false;
}

/* MEM_END: execute flag, entry (loader.py mem_finish sends flag = entry == 0). The ROM
 * answers, then jumps to entry. */
static void cmd_mem_end(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 8) {
		fail(s, OP_MEM_END, E_PARAM);
		return;
	}
	uint32_t flag = le32(d), entry = le32(d + 4);
	ok(s, OP_MEM_END);
	s->mem_on = false;
	if (flag != 0 || entry == 0)
		return; /* stay in the loader */
	if (!is_stub(s) && stub_recognised(s, entry)) {
		s->e->run = TW_ESP_RUN_STUB;
		log_line(s, "%s", "MEM_END: esptool's published flasher stub recognised by its "
				  "digest; modelled by its protocol");
		static const uint8_t ohai[4] = {'O', 'H', 'A', 'I'};
		emit_frame(s, ohai, 4);
	} else {
		s->e->run = TW_ESP_RUN_UNKNOWN;
		log_line(s, "%s", "MEM_END: unknown code started from RAM: the chip goes silent");
	}
	free_segs(s);
}

static void cmd_spi_attach(esp_sess *s, const uint8_t *d, size_t n)
{
	(void)d;
	if (n != 4 && n != 8) {
		fail(s, OP_SPI_ATTACH, E_PARAM);
		return;
	}
	ok(s, OP_SPI_ATTACH);
}

static void cmd_spi_set_params(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 24) {
		fail(s, OP_SPI_SET_PARAMS, E_PARAM);
		return;
	}
	s->param_size = le32(d + 4);
	ok(s, OP_SPI_SET_PARAMS);
}

/* CHANGE_BAUDRATE: new, old (0 from a ROM host). The reply leaves at the old rate, then the
 * UART switches. */
static void cmd_change_baud(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 8 || le32(d) < 1200 || le32(d) > 5000000) {
		fail(s, OP_CHANGE_BAUDRATE, E_PARAM);
		return;
	}
	ok(s, OP_CHANGE_BAUDRATE);
	s->baud = le32(d);
	char b[16];
	snprintf(b, sizeof b, "%u", s->baud);
	log_line(s, "CHANGE_BAUDRATE: %s baud", b);
}

static bool flash_range(esp_sess *s, uint32_t addr, uint32_t len)
{
	return (uint64_t)addr + len <= tw_esp_flash_size(s->e);
}

static void cmd_md5(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 16 || !flash_range(s, le32(d), le32(d + 4))) {
		fail(s, OP_SPI_FLASH_MD5, E_PARAM);
		return;
	}
	uint32_t addr = le32(d), len = le32(d + 4);
	fk_md5 m;
	fk_md5_init(&m);
	uint8_t buf[4096];
	while (len) {
		uint32_t k = len < sizeof buf ? len : (uint32_t)sizeof buf;
		tw_esp_flash_read(s->e, addr, buf, k);
		fk_md5_update(&m, buf, k);
		addr += k;
		len -= k;
	}
	uint8_t dg[16];
	fk_md5_final(&m, dg);
	if (is_stub(s)) {
		respond(s, OP_SPI_FLASH_MD5, 0, dg, 16, 0, 0); /* 16 raw bytes */
	} else {
		char hex[33]; /* 32 ASCII hex digits; UNCONFIRMED: lower case */
		fk_md5_hex(dg, hex);
		respond(s, OP_SPI_FLASH_MD5, 0, (const uint8_t *)hex, 32, 0, 0);
	}
}

static void cmd_read_slow(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 8 || le32(d + 4) > 64 || !flash_range(s, le32(d), le32(d + 4))) {
		fail(s, OP_READ_FLASH_SLOW, E_PARAM);
		return;
	}
	uint8_t buf[64];
	memset(buf, 0, sizeof buf);
	tw_esp_flash_read(s->e, le32(d), buf, le32(d + 4));
	respond(s, OP_READ_FLASH_SLOW, 0, buf, 64, 0, 0); /* always 64 bytes */
}

/* GET_SECURITY_INFO (C3 ROM and stub): flags u32, flash_crypt_cnt u8, 7 key purposes, chip id
 * u32, API version u32 (loader.py get_security_info). UNCONFIRMED: API version 0. */
static void cmd_security(esp_sess *s)
{
	tw_esp *e = s->e;
	uint8_t r[20];
	memset(r, 0, sizeof r);
	put32(r, tw_esp_security_flags(e));
	r[4] = tw_esp_crypt_cnt(e);
	static const char *const kp[] = {"KEY_PURPOSE_0", "KEY_PURPOSE_1", "KEY_PURPOSE_2",
					 "KEY_PURPOSE_3", "KEY_PURPOSE_4", "KEY_PURPOSE_5"};
	for (unsigned i = 0; i < 6; i++) {
		const tw_esp_field *f = tw_esp_field_find(e->v->kind, kp[i]);
		r[5 + i] = f ? (uint8_t)tw_esp_field_get(e->efuse, f) : 0;
	}
	put32(r + 12, e->v->chip_id);
	respond(s, OP_GET_SECURITY_INFO, 0, r, 20, 0, 0);
}

static void cmd_erase_region(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 8 || (le32(d) & 0xFFFU) || (le32(d + 4) & 0xFFFU) ||
	    !flash_range(s, le32(d), le32(d + 4))) {
		fail(s, OP_ERASE_REGION, SE_BAD_LEN);
		return;
	}
	tw_esp_stub_unlock(s->e);
	tw_esp_flash_erase(s->e, le32(d), le32(d + 4));
	ok(s, OP_ERASE_REGION);
}

/* Stub READ_FLASH (serial-protocol.rst "Reading Flash"): an empty response, then raw SLIP
 * frames of packet_size bytes, at most max_unacked unacknowledged; the host acknowledges each
 * with a frame holding the u32 count received so far; after the last, a 16-byte MD5 frame. */
static void rf_pump(esp_sess *s)
{
	while (s->rf_on && s->rf_sent < s->rf_len &&
	       (s->rf_sent - s->rf_acked) / s->rf_psize < s->rf_maxun) {
		uint8_t buf[0x1000];
		uint32_t k = s->rf_len - s->rf_sent;
		if (k > s->rf_psize)
			k = s->rf_psize;
		tw_esp_flash_read(s->e, s->rf_addr + s->rf_sent, buf, k);
		fk_md5_update(&s->rf_md5, buf, k);
		emit_frame(s, buf, k);
		s->rf_sent += k;
	}
	if (s->rf_on && s->rf_acked >= s->rf_len) {
		uint8_t dg[16];
		fk_md5_final(&s->rf_md5, dg);
		emit_frame(s, dg, 16);
		s->rf_on = false;
	}
}

static void cmd_read_flash(esp_sess *s, const uint8_t *d, size_t n)
{
	if (n != 16 || !flash_range(s, le32(d), le32(d + 4)) || le32(d + 8) == 0 ||
	    le32(d + 8) > 0x1000U || le32(d + 12) == 0) {
		fail(s, OP_READ_FLASH, SE_BAD_LEN);
		return;
	}
	ok(s, OP_READ_FLASH);
	s->rf_on = true;
	s->rf_addr = le32(d);
	s->rf_len = le32(d + 4);
	s->rf_psize = le32(d + 8);
	s->rf_maxun = le32(d + 12);
	s->rf_sent = s->rf_acked = 0;
	fk_md5_init(&s->rf_md5);
	rf_pump(s);
}

static void command(esp_sess *s, const uint8_t *p, size_t n)
{
	if (n < 8 || p[0] != 0x00 || (size_t)(p[2] | p[3] << 8) != n - 8) {
		/* not a request (direction byte, size field): "received message format invalid"
		 * (UNCONFIRMED: modelled as the unsupported-command reply) */
		if (!is_stub(s))
			respond(s, 0x00, 0, NULL, 0, 1, E_BAD_MSG);
		return;
	}
	uint8_t op = p[1];
	uint32_t chk = le32(p + 4);
	const uint8_t *d = p + 8;
	size_t dn = n - 8;
	bool stub = is_stub(s);
	if (!stub && tw_esp_secure_download(s->e) && !sdm_allowed(op)) {
		unsupported(s, op);
		return;
	}
	switch (op) {
	case OP_SYNC: cmd_sync(s, d, dn); return;
	case OP_READ_REG: cmd_read_reg(s, d, dn); return;
	case OP_WRITE_REG: cmd_write_reg(s, d, dn); return;
	case OP_FLASH_BEGIN: cmd_flash_begin(s, d, dn); return;
	case OP_FLASH_DATA: cmd_flash_data(s, d, dn, chk); return;
	case OP_FLASH_END: cmd_flash_end(s, d, dn); return;
	case OP_MEM_BEGIN: cmd_mem_begin(s, d, dn); return;
	case OP_MEM_DATA: cmd_mem_data(s, d, dn, chk); return;
	case OP_MEM_END: cmd_mem_end(s, d, dn); return;
	case OP_SPI_ATTACH: cmd_spi_attach(s, d, dn); return;
	case OP_SPI_SET_PARAMS: cmd_spi_set_params(s, d, dn); return;
	case OP_CHANGE_BAUDRATE: cmd_change_baud(s, d, dn); return;
	case OP_SPI_FLASH_MD5: cmd_md5(s, d, dn); return;
	case OP_READ_FLASH_SLOW:
		/* ESP32 ROM only (esp32-rom.md §1; C3 ROM UNCONFIRMED: not modelled) */
		if (!stub && s->e->v->kind == TW_ESP32)
			cmd_read_slow(s, d, dn);
		else
			unsupported(s, op);
		return;
	case OP_GET_SECURITY_INFO:
		/* not in the ESP32 ROM (esp32-rom.md §1); the ESP32 stub: UNCONFIRMED, modelled
		 * as not implemented */
		if (s->e->v->chip_id)
			cmd_security(s);
		else
			unsupported(s, op);
		return;
	case OP_ERASE_FLASH:
		if (!stub)
			break;
		tw_esp_stub_unlock(s->e);
		tw_esp_flash_erase_chip(s->e);
		ok(s, op);
		return;
	case OP_ERASE_REGION:
		if (!stub)
			break;
		cmd_erase_region(s, d, dn);
		return;
	case OP_READ_FLASH:
		if (!stub)
			break;
		cmd_read_flash(s, d, dn);
		return;
	case OP_RUN_USER_CODE:
		if (!stub)
			break;
		s->e->run = TW_ESP_RUN_APP; /* no response (serial-protocol.rst) */
		return;
	case OP_FLASH_DEFL_BEGIN:
	case OP_FLASH_DEFL_DATA:
	case OP_FLASH_DEFL_END:
		/* Not modelled: the twin has no inflater; docs/TWIN.md lists the gap. */
		break;
	default:
		break;
	}
	unsupported(s, op);
}

/* A host frame while a stub READ_FLASH streams: the u32 acknowledgement. */
static void frame(esp_sess *s, const uint8_t *p, size_t n)
{
	tw_esp_run r = s->e->run;
	if (r != TW_ESP_RUN_ROM && r != TW_ESP_RUN_STUB)
		return; /* nothing listens */
	if (s->rf_on) {
		if (n == 4 && le32(p) <= s->rf_sent) {
			s->rf_acked = le32(p);
			rf_pump(s);
		}
		return;
	}
	command(s, p, n);
}

/* ---------------------------------------------------------------- the port */

static void esp_rx(void *sess, const uint8_t *buf, size_t n)
{
	esp_sess *s = sess;
	for (size_t i = 0; i < n; i++) {
		tw_esp_advance(s->e, esp_byte_ns(s)); /* the byte is on the wire */
		check_reset(s);
		if (!s->e->powered)
			continue;
		uint8_t c = buf[i];
		if (!s->in_frame) {
			if (c == 0xC0) {
				s->in_frame = true;
				s->in_len = 0;
				s->esc = s->drop = false;
			}
			continue; /* noise outside a frame is ignored */
		}
		if (c == 0xC0) {
			if (s->in_len == 0) {
				continue; /* C0 C0: the second starts the frame */
			}
			s->in_frame = false;
			if (!s->drop && !s->esc)
				frame(s, s->in, s->in_len);
			continue;
		}
		if (s->esc) {
			s->esc = false;
			if (c == 0xDC)
				c = 0xC0;
			else if (c == 0xDD)
				c = 0xDB;
			else
				s->drop = true; /* bad escape: the frame is lost */
		} else if (c == 0xDB) {
			s->esc = true;
			continue;
		}
		if (s->in_len < sizeof s->in)
			s->in[s->in_len++] = c;
		else
			s->drop = true;
	}
}

static size_t esp_tx(void *sess, uint8_t *buf, size_t max)
{
	esp_sess *s = sess;
	check_reset(s);
	size_t n = s->out_len - s->out_pos;
	if (n > max)
		n = max;
	if (n) {
		memcpy(buf, s->out + s->out_pos, n);
		s->tx_last_ns = s->out_ns[s->out_pos + n - 1];
	}
	s->out_pos += n;
	return n;
}

static size_t esp_pending(const void *sess)
{
	const esp_sess *s = sess;
	return s->out_len - s->out_pos;
}

static uint64_t esp_tx_last(const void *sess)
{
	return ((const esp_sess *)sess)->tx_last_ns;
}

/* As a board does it: with the auto-reset circuit, the classic DTR/RTS pulse (EN low with IO0
 * low, then EN released); without it, a reset with the pins as the user holds them. */
static void esp_enter(void *m)
{
	tw_esp *e = m;
	if (e->autoreset) {
		tw_esp_lines(e, TW_LINE_RTS);
		tw_esp_lines(e, TW_LINE_DTR);
		tw_esp_lines(e, 0);
	} else {
		tw_esp_reset(e);
	}
}

static void esp_board_reset(void *sess)
{
	esp_sess *s = sess;
	esp_enter(s->e);
	check_reset(s);
}

static void esp_lines(void *sess, unsigned asserted)
{
	esp_sess *s = sess;
	tw_esp_lines(s->e, asserted);
	check_reset(s);
}

static int esp_set_baud(void *sess, unsigned baud)
{
	esp_sess *s = sess;
	if (!baud)
		return FK_E_UNSUPPORTED;
	s->baud = baud;
	return FK_OK;
}

static int esp_open(void *m, fk_ctx *ctx, const tw_stream_cfg *cfg, void **sess)
{
	esp_sess *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "creating the ESP ROM port");
	s->e = m;
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.bits_per_byte)
		s->cfg.bits_per_byte = 10; /* 8N1 */
	s->baud = s->cfg.baud ? s->cfg.baud : ROM_BAUD;
	s->resets_seen = s->e->resets;
	s->param_size = ROM_DEFAULT_FLASH;
	*sess = s;
	return FK_OK;
}

static void esp_close(void *sess)
{
	esp_sess *s = sess;
	if (!s)
		return;
	free_segs(s);
	free(s->out);
	free(s->out_ns);
	free(s);
}

const tw_stream_port tw_esp_rom_port = {
	.protocol = "esp-rom",
	.summary = "Espressif serial ROM loader (SLIP), and esptool's flasher stub by digest",
	/* UNCONFIRMED: the ROM's start-up time after EN rises is not documented; none modelled */
	.startup_ns = 0,
	.enter = esp_enter,
	.open = esp_open,
	.close = esp_close,
	.rx = esp_rx,
	.tx = esp_tx,
	.pending = esp_pending,
	.tx_last_ns = esp_tx_last,
	.byte_ns = esp_byte_ns,
	.board_reset = esp_board_reset,
	.lines = esp_lines,
	.set_baud = esp_set_baud,
};
