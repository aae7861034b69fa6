/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/esp_loader: client of the Espressif serial ROM loader (ESP32, ESP32-C3) over any
 * FK_TRANSPORT_STREAM (serial port, pty, in-process twin): reset into the ROM with DTR/RTS as
 * esptool does (--before), SYNC with retries, chip detection data (GET_SECURITY_INFO, the magic
 * word), READ_REG / WRITE_REG, SPI_ATTACH / SPI_SET_PARAMS, FLASH_BEGIN/DATA/END, MEM_BEGIN/
 * DATA/END, CHANGE_BAUDRATE, SPI_FLASH_MD5, READ_FLASH_SLOW, and any SPI flash command run
 * through the chip's SPI1 user-command registers (esptool's run_spiflash_command). Every ROM
 * error status becomes a sentence. The packet codec is esp_rom.h (pure, shared with nothing
 * else: the twin has its own).
 *
 * No chip knowledge: which register holds what, which SPI controller layout a chip has, is the
 * family driver's (lib/chip/esp32*.c); this client moves requests.
 *
 * Sources (own words; ../shared/reference/esp32-rom.md §1-§3, esp_lpc.md part A):
 *   esptool docs/en/advanced-topics/serial-protocol.rst (packets, status bytes, checksum, ROM
 *   loader errors, "Supported in Secure Download Mode"); esptool loader.py (sync: one request,
 *   the ROM answers 8 times, value 0 = a stub runs; command(): up to 100 packets until the op
 *   matches, an "invalid message" reply with another op = unsupported command; check_command();
 *   flash_begin/flash_block/mem_block; run_spiflash_command; _connect_attempt with the boot-log
 *   regex; timeouts: 3 s default, 30 s per MiB erase, 8 s per MiB MD5); esptool 4.8.1 reset.py
 *   (ClassicReset, UnixTightReset, USBJTAGSerialReset, HardReset; DTR -> IO0, RTS -> EN, a
 *   line "asserted" = pin low). */
#ifndef FK_BOOT_ESP_LOADER_H
#define FK_BOOT_ESP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/esp_rom.h"
#include "flashkey/backend.h"

/* esptool's --before choices (loader.py / esptool-js resetModes). */
typedef enum esp_before {
	ESP_BEFORE_DEFAULT = 0,  /* default_reset: the classic DTR/RTS pulse (esptool's order) */
	ESP_BEFORE_USB = 1,      /* usb_reset: the USB-Serial/JTAG sequence (ESP32-C3 built-in USB) */
	ESP_BEFORE_NO_RESET = 2, /* no_reset: the chip is in the ROM already (IO0 held, EN tapped) */
	ESP_BEFORE_NO_SYNC = 3,  /* no_reset_no_sync: a loader already synchronised */
} esp_before;

/* esptool's --after choices. */
typedef enum esp_after {
	ESP_AFTER_HARD = 0,     /* hard_reset: RTS pulse on EN, the application starts */
	ESP_AFTER_SOFT = 1,     /* soft_reset: FLASH_END "run user code" (the ROM leaves) */
	ESP_AFTER_NO_RESET = 2, /* no_reset: stay in the ROM */
} esp_after;

/* "default_reset" (also default-reset) -> ESP_BEFORE_DEFAULT; -1 on anything else. */
int esp_before_parse(const char *s);
int esp_after_parse(const char *s);
const char *esp_before_name(esp_before b);
const char *esp_after_name(esp_after a);

/* GET_SECURITY_INFO (loader.py get_security_info; esp32-rom.md §1). */
typedef struct esp_security {
	uint32_t flags;       /* bit 0 SECURE_BOOT_EN ... bit 2 SECURE_DOWNLOAD_ENABLE ... */
	uint8_t crypt_cnt;    /* flash_crypt_cnt */
	uint8_t key_purpose[7];
	bool have_chip_id;    /* 20-byte answer (not the ESP32-S2's 12) */
	uint32_t chip_id;     /* C3 = 5 */
	uint32_t api_version;
} esp_security;

#define ESP_SEC_SECURE_BOOT_EN (1U << 0)
#define ESP_SEC_SECURE_DOWNLOAD (1U << 2)
#define ESP_SEC_SOFT_DIS_JTAG (1U << 6)
#define ESP_SEC_HARD_DIS_JTAG (1U << 7)

/* The SPI controller's user-command registers as a chip lays them out (the driver knows;
 * esp32-rom.md §3 table). */
typedef struct esp_spi_regs {
	uint32_t base;       /* SPI_CMD_REG; SPI_ADDR_REG at base + 4 */
	uint32_t user, user1, user2, mosi_dlen, miso_dlen, w0; /* offsets from base */
} esp_spi_regs;

/* Reply budgets in milliseconds (loader.py constants). */
typedef struct esp_timeouts {
	unsigned sync_ms;        /* one SYNC answer: 100 */
	unsigned cmd_ms;         /* any command: 3000 */
	unsigned erase_ms_per_mb;/* FLASH_BEGIN erases up front: 30000 per MiB (at least cmd_ms) */
	unsigned md5_ms_per_mb;  /* SPI_FLASH_MD5: 8000 per MiB */
	unsigned reset_ms;       /* EN held low: 100 */
	unsigned boot_ms;        /* after EN rises, before the first SYNC: 50, 550 on retry */
} esp_timeouts;

#define ESP_FLASH_BLOCK 0x400U  /* the ROM's FLASH_DATA block (loader.py FLASH_WRITE_SIZE) */
#define ESP_RAM_BLOCK 0x1800U   /* MEM_DATA block (ESP_RAM_BLOCK) */
#define ESP_SPI_MAX_DATA 64U    /* W0..W15 */
#define ESP_MAGIC_REG 0x40001000U /* CHIP_DETECT_MAGIC_REG_ADDR (esptool targets) */

typedef struct esp_loader {
	fk_ctx *ctx;
	const fk_stream_ops *ops;
	void *h;
	const char *where;   /* the transport's description, for messages */
	esp_timeouts tmo;
	esp_before before;
	esp_after after;
	unsigned baud;       /* the rate both ends use now */
	unsigned attempts;   /* connect attempts (esptool --connect-attempts, 7) */
	bool synced;
	bool stub;           /* SYNC answered with value 0: a flasher stub runs (2 status bytes) */
	uint32_t sync_value;
	unsigned status_len; /* 4 from the ROM, 2 from a stub */
	/* what the last connect saw */
	esp_boot_log boot;
	uint64_t noise;      /* bytes outside SLIP frames since connect began */
	uint8_t noise_tail[ESP_SLIP_NOISE_KEEP];
	size_t noise_n;
	/* detection */
	bool have_security;
	esp_security sec;
	bool have_magic;
	uint32_t magic;
	bool unsupported_security; /* the ROM answered GET_SECURITY_INFO as unsupported */
	/* SPI1 USER/USER2 as the ROM's flash routines left them, read by the first SPI command
	 * and written back by each: valid until a command other than READ_REG/WRITE_REG runs
	 * (the ROM's own flash routines may set them) */
	bool spi_saved;
	uint32_t spi_saved_base, spi_regs_user, spi_regs_user2, spi_user, spi_user2;
	/* USER/USER2 hold an SPI command's values (written back before the next other command
	 * and when leaving); the last values written to USER, USER2, MOSI_DLEN and MISO_DLEN
	 * (bit i of spi_cur_valid: spi_cur[i] known) */
	bool spi_dirty;
	unsigned spi_cur_valid;
	uint32_t spi_cur[4];
	/* the reader */
	esp_slip_dec dec;
	uint8_t frame[ESP_HDR_LEN + 0x4000U + 64U];
	uint8_t *txbuf;      /* one encoded request */
	size_t txcap;
	/* statistics (bench, tests) */
	uint64_t commands, retries;
} esp_loader;

/* ---- set-up ---- */
void esp_timeouts_default(esp_timeouts *t);
/* Bind to a stream transport; before/after as parsed (NULL strings = defaults). FK_E_USAGE
 * names a bad word. baud: the rate the port was opened at (0 = 115200). */
int esp_ldr_init(esp_loader *l, fk_ctx *ctx, const fk_transport *t, const char *before,
		 const char *after, unsigned baud);
void esp_ldr_free(esp_loader *l);

/* Reset into the ROM as `before` says, SYNC (attempts x 5 tries, esptool's order of reset
 * delays), then chip detection: GET_SECURITY_INFO, and READ_REG of the magic word when that
 * command is unsupported or when Secure Download Mode does not forbid it. On failure the error
 * says what was seen: nothing (no auto-reset circuit, download mode disabled by eFuse, wiring),
 * a boot log without "waiting for download" (wrong boot mode, with the strapping value), a ROM
 * in download mode that never answered (TX path), or garbage (baud rate, another program). */
int esp_ldr_connect(esp_loader *l);
/* One SYNC exchange (100 ms), then the ROM's 7 repeats drained. FK_E_TIMEOUT when silent. */
int esp_ldr_sync(esp_loader *l);
/* The DTR/RTS sequences (esptool reset.py). */
int esp_ldr_reset_classic(esp_loader *l, unsigned boot_ms);
int esp_ldr_reset_usb(esp_loader *l);
/* RTS pulse on EN with IO0 high: the application starts (esptool HardReset). */
int esp_ldr_hard_reset(esp_loader *l);
/* `run`: the hard reset, then the boot log for log_ms scanned into boot (seen_boot false: no
 * log arrived). FK_E_UNSUPPORTED when the port cannot drive DTR/RTS. */
int esp_ldr_run_app(esp_loader *l, unsigned log_ms, esp_boot_log *boot);
/* The --after action when the work is done. */
int esp_ldr_leave(esp_loader *l);

/* ---- commands ---- */
/* Send op with data (checksum word chk) and wait for the answer with the same op, at most
 * timeout_ms (0 = the default). resp_len bytes of payload are expected before the status
 * bytes and copied to resp (may be NULL); *value (may be NULL) receives the value word. A ROM
 * error status fails with the ROM's sentence (FK_E_NACK; FK_E_FLASH for flash errors,
 * FK_E_PROTOCOL for a checksum error); an unsupported command with FK_E_UNSUPPORTED. */
int esp_ldr_command(esp_loader *l, uint8_t op, const uint8_t *data, size_t n, uint32_t chk,
		    unsigned timeout_ms, size_t resp_len, uint8_t *resp, uint32_t *value);
int esp_ldr_read_reg(esp_loader *l, uint32_t addr, uint32_t *value);
/* WRITE_REG addr = (old & ~mask) | (value & mask), then delay_us. */
int esp_ldr_write_reg(esp_loader *l, uint32_t addr, uint32_t value, uint32_t mask,
		      uint32_t delay_us);
int esp_ldr_security_info(esp_loader *l, esp_security *out);
/* SPI_ATTACH (0 = the default SPI pins; the ROM takes 4 more zero bytes). */
int esp_ldr_spi_attach(esp_loader *l, uint32_t pins);
/* SPI_SET_PARAMS: id 0, total size, 64 KiB block, 4 KiB sector, 256-byte page, mask 0xFFFF. */
int esp_ldr_spi_set_params(esp_loader *l, uint32_t total_size);
/* CHANGE_BAUDRATE new (old = 0 to the ROM, the current rate to a stub), then the host side;
 * FK_E_UNSUPPORTED when the transport cannot change its rate (the ROM keeps the old one then:
 * nothing is sent). */
int esp_ldr_change_baud(esp_loader *l, unsigned baud);
/* FLASH_BEGIN: erase_size bytes at offset are erased by the ROM before it answers; blocks of
 * block_size follow. */
int esp_ldr_flash_begin(esp_loader *l, uint32_t erase_size, uint32_t blocks, uint32_t block_size,
			uint32_t offset);
/* FLASH_DATA block seq (len <= block size; the ROM wants whole blocks: pad with 0xFF). */
int esp_ldr_flash_data(esp_loader *l, const uint8_t *buf, uint32_t len, uint32_t seq);
/* FLASH_END: run = true leaves the loader for the application (FLASH_END 1 on the ROM). */
int esp_ldr_flash_end(esp_loader *l, bool run);
int esp_ldr_mem_begin(esp_loader *l, uint32_t size, uint32_t blocks, uint32_t block_size,
		      uint32_t offset);
int esp_ldr_mem_data(esp_loader *l, const uint8_t *buf, uint32_t len, uint32_t seq);
/* MEM_END: entry 0 = stay in the loader. The ROM jumps to entry after answering. */
int esp_ldr_mem_end(esp_loader *l, uint32_t entry);
/* SPI_FLASH_MD5 of [addr, addr+len) into md5 (16 bytes): the ROM answers 32 hex digits, a
 * stub 16 raw bytes. */
int esp_ldr_flash_md5(esp_loader *l, uint32_t addr, uint32_t len, uint8_t md5[16]);
/* READ_FLASH_SLOW: len <= 64 bytes (ESP32 ROM). */
int esp_ldr_read_flash_slow(esp_loader *l, uint32_t addr, uint8_t *buf, uint32_t len);

/* Program buf at offset (offset and len as the caller aligned them; nothing is erased: call
 * flash_begin's erase separately or give erase = true to erase the span first), in ROM blocks,
 * progress events "program". */
int esp_ldr_flash_write(esp_loader *l, uint32_t offset, const uint8_t *buf, uint32_t len,
			bool erase);

/* One SPI flash command through the SPI controller's user-command registers (esptool
 * run_spiflash_command, with reads of up to 64 bytes from W0..W15): opcode, then nmosi bytes
 * (address bytes included, sent as data), then nmiso bytes read back. nmosi, nmiso <= 64.
 * USER and USER2 are restored afterwards. */
int esp_ldr_spi_command(esp_loader *l, const esp_spi_regs *r, uint8_t opcode,
			const uint8_t *mosi, size_t nmosi, uint8_t *miso, size_t nmiso);

/* "ROM error 0x08 (flash write error: ...)" for status bytes. */
void esp_ldr_status_text(bool stub, uint8_t status, uint8_t error, char *out, size_t n);

#endif
