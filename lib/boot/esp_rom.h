/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/esp_rom: the pure half of the Espressif serial ROM loader protocol (ESP32, ESP32-C3) —
 * SLIP framing, request/response packets, the data checksum, command and error names, the boot
 * log the ROM prints after reset. No I/O: shared by the client (lib/boot) and the twin's ROM
 * (twin/esp32), unit-tested (tests/unit/test_esp_rom_codec.c) and fuzzed
 * (tests/fuzz/fuzz_slip.c).
 *
 * Sources (own words, ../shared/reference/esp32-rom.md and esp_lpc.md part A):
 *   esptool docs/en/advanced-topics/serial-protocol.rst ("Low Level Protocol", "Command
 *   Packet", "Response Packet", "Status bytes", "Checksum", "ROM Loader Errors");
 *   esptool/loader.py (ESP_CMDS, checksum(), slip_reader(), command(), check_command()). */
#ifndef FK_BOOT_ESP_ROM_H
#define FK_BOOT_ESP_ROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- SLIP (serial-protocol.rst) */

#define ESP_SLIP_END 0xC0U
#define ESP_SLIP_ESC 0xDBU
#define ESP_SLIP_ESC_END 0xDCU /* DB DC = C0 inside a packet */
#define ESP_SLIP_ESC_ESC 0xDDU /* DB DD = DB inside a packet */

/* Worst-case encoded size of n payload bytes: both delimiters, every byte escaped. */
#define ESP_SLIP_MAX_ENCODED(n) (2U * (size_t)(n) + 2U)

/* Frame n bytes into out: C0, escaped payload, C0. Returns the encoded length, 0 when cap is
 * too small (nothing useful is written then). */
size_t esp_slip_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Incremental decoder over a caller-owned buffer. Bytes outside a frame are "noise" (a ROM boot
 * log, an application's output): the decoder keeps the last ESP_SLIP_NOISE_KEEP of them so the
 * reader can say what it saw. */
#define ESP_SLIP_NOISE_KEEP 48U

typedef enum esp_slip_ev {
	ESP_SLIP_MORE = 0,      /* nothing complete yet */
	ESP_SLIP_FRAME = 1,     /* d->len bytes of a decoded frame in d->buf */
	ESP_SLIP_BAD_ESCAPE = 2, /* DB followed by d->bad (not DC/DD): the frame is dropped */
	ESP_SLIP_OVERFLOW = 3,  /* frame longer than the buffer: dropped up to its end */
} esp_slip_ev;

typedef struct esp_slip_dec {
	uint8_t *buf;
	size_t cap, len;
	uint8_t state; /* internal */
	uint8_t bad;   /* the byte after DB in ESP_SLIP_BAD_ESCAPE */
	uint64_t noise; /* bytes seen outside frames since the last reset of the counter */
	uint8_t noise_tail[ESP_SLIP_NOISE_KEEP];
	size_t noise_n; /* valid bytes in noise_tail (<= ESP_SLIP_NOISE_KEEP), oldest first */
} esp_slip_dec;

void esp_slip_init(esp_slip_dec *d, uint8_t *buf, size_t cap);
/* Drop any partial frame and forget the noise. */
void esp_slip_reset(esp_slip_dec *d);
/* One byte in. After ESP_SLIP_FRAME the frame stays in buf until the next call. An empty frame
 * (C0 C0) is not reported: the second C0 is taken as the start of the next frame. */
esp_slip_ev esp_slip_feed(esp_slip_dec *d, uint8_t b);
bool esp_slip_in_frame(const esp_slip_dec *d);

/* ---------------------------------------------------------------- packets (serial-protocol.rst) */

enum {
	ESP_DIR_REQ = 0x00,  /* host -> chip */
	ESP_DIR_RESP = 0x01, /* chip -> host */
};
#define ESP_HDR_LEN 8U
#define ESP_CHECKSUM_SEED 0xEFU
#define ESP_DATA_HDR_LEN 16U /* FLASH_DATA / MEM_DATA: len, seq, 0, 0 */

/* Command opcodes (loader.py ESP_CMDS; serial-protocol.rst "Commands"). */
enum {
	ESP_FLASH_BEGIN = 0x02,
	ESP_FLASH_DATA = 0x03,
	ESP_FLASH_END = 0x04,
	ESP_MEM_BEGIN = 0x05,
	ESP_MEM_END = 0x06,
	ESP_MEM_DATA = 0x07,
	ESP_SYNC = 0x08,
	ESP_WRITE_REG = 0x09,
	ESP_READ_REG = 0x0A,
	ESP_SPI_SET_PARAMS = 0x0B,
	ESP_SPI_ATTACH = 0x0D,
	ESP_READ_FLASH_SLOW = 0x0E,
	ESP_CHANGE_BAUDRATE = 0x0F,
	ESP_FLASH_DEFL_BEGIN = 0x10,
	ESP_FLASH_DEFL_DATA = 0x11,
	ESP_FLASH_DEFL_END = 0x12,
	ESP_SPI_FLASH_MD5 = 0x13,
	ESP_GET_SECURITY_INFO = 0x14,
	/* the flasher stub only */
	ESP_ERASE_FLASH = 0xD0,
	ESP_ERASE_REGION = 0xD1,
	ESP_READ_FLASH = 0xD2,
	ESP_RUN_USER_CODE = 0xD3,
};

/* SYNC payload: 07 07 12 20 then 32 x 55 (serial-protocol.rst "SYNC"). */
#define ESP_SYNC_LEN 36U
void esp_sync_payload(uint8_t out[ESP_SYNC_LEN]);
bool esp_is_sync_payload(const uint8_t *p, size_t n);

/* A decoded packet (either direction): dir, op, the size field, the u32 word (checksum of a
 * request, value of a response), and the data that follows the header. */
typedef struct esp_pkt {
	uint8_t dir, op;
	uint16_t size;
	uint32_t word;
	const uint8_t *data;
} esp_pkt;

typedef enum esp_pkt_err {
	ESP_PKT_OK = 0,
	ESP_PKT_SHORT = 1,    /* fewer than 8 bytes */
	ESP_PKT_BAD_DIR = 2,  /* direction byte not the expected one */
	ESP_PKT_BAD_SIZE = 3, /* size field disagrees with the bytes in the frame */
} esp_pkt_err;

/* Parse a decoded SLIP frame as a packet of direction dir. */
esp_pkt_err esp_pkt_parse(const uint8_t *p, size_t n, uint8_t dir, esp_pkt *out);
const char *esp_pkt_err_text(esp_pkt_err e);
/* Header + data into out (not SLIP-framed). Returns the length, 0 if cap is too small or
 * n > 65535. */
size_t esp_pkt_build(uint8_t *out, size_t cap, uint8_t dir, uint8_t op, uint32_t word,
		     const uint8_t *data, size_t n);

/* The data checksum: seed 0xEF XOR every byte (serial-protocol.rst "Checksum"). Only the data
 * after the 16-byte header of FLASH_DATA / MEM_DATA / FLASH_DEFL_DATA is summed. */
uint8_t esp_checksum(const uint8_t *p, size_t n);

/* Status bytes of a response: the ROM of the ESP32 and later chips ends the data with 4 bytes
 * (status, error, 0, 0), the flasher stub with 2 (status, error) (serial-protocol.rst "Status
 * bytes"); they follow `payload` bytes of command-specific data. False if the response is too
 * short to hold them. */
bool esp_pkt_status(const esp_pkt *p, size_t payload, size_t status_len, uint8_t *status,
		    uint8_t *error);

/* Little-endian u32 words of a request's data: word i, or false when the data is too short. */
bool esp_pkt_u32(const esp_pkt *p, unsigned i, uint32_t *v);

/* ---------------------------------------------------------------- names and errors */

const char *esp_cmd_name(uint8_t op); /* "FLASH_BEGIN"; "unknown command" */
/* The ROM loader error byte as a sentence (serial-protocol.rst "ROM Loader Errors"). */
const char *esp_rom_error_text(uint8_t err);
/* The flasher stub's error byte (0xC0..0xCB, 0xFF). */
const char *esp_stub_error_text(uint8_t err);

enum {
	ESP_ROM_ERR_UNDEFINED = 0x00,
	ESP_ROM_ERR_INVALID_PARAM = 0x01,
	ESP_ROM_ERR_MALLOC = 0x02,
	ESP_ROM_ERR_SEND = 0x03,
	ESP_ROM_ERR_RECV = 0x04,
	ESP_ROM_ERR_BAD_MSG = 0x05, /* also the answer to an unsupported command */
	ESP_ROM_ERR_RESULT = 0x06,
	ESP_ROM_ERR_CHECKSUM = 0x07,
	ESP_ROM_ERR_FLASH_WRITE = 0x08,
	ESP_ROM_ERR_FLASH_READ = 0x09,
	ESP_ROM_ERR_READ_LEN = 0x0A,
	ESP_ROM_ERR_DEFLATE = 0x0B,
	ESP_ROM_ERR_ADLER = 0x0C,
	ESP_ROM_ERR_DEFLATE_PARAM = 0x0D,
	ESP_ROM_ERR_RAM_SIZE = 0x0E,
	ESP_ROM_ERR_RAM_ADDR = 0x0F,
};

/* ---------------------------------------------------------------- the ROM boot log */

/* After reset the ROM prints a line such as
 *   "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)"
 * and, in download mode, "waiting for download" (esptool loader.py _connect_attempt regex
 * `boot:(0x[0-9a-fA-F]+)(.*waiting for download)?`). Scan arbitrary bytes for it. */
typedef struct esp_boot_log {
	bool seen_boot;     /* a "boot:0x.." field was found */
	uint32_t boot_mode; /* its value (the strapping pins as the ROM read them) */
	bool download;      /* "waiting for download" follows it */
} esp_boot_log;
void esp_boot_log_scan(const uint8_t *p, size_t n, esp_boot_log *out);

#endif
