/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32 / ESP32-C3 twin: the chip as the serial ROM loader and esptool see it — eFuse read
 * registers, the chip-detect magic word, the SPI1 (ESP32) / SPI_MEM1 (C3) controller's user
 * command registers driving an attached SPI NOR twin (twin/spinor), strapping pins, EN and the
 * board's DTR/RTS auto-reset circuit, and the virtual clock (the SPI NOR twin's clock is the
 * chip's). The ROM protocol itself is rom.c (the "esp-rom" stream port); model.c puts the chip
 * on the twin registry; state.c is the state file.
 *
 * Sources (own words; facts in ../shared/reference/esp32-rom.md and esp_lpc.md part A):
 *   ESP32 TRM v5 §3 (chip boot control: strapping pins GPIO0/GPIO2/MTDI/MTDO/GPIO5, Table 3-1;
 *   §3.3 ROM boot log), §7 (SPI controller: SPI_CMD_REG.SPI_USR bit 18, SPI_USER_REG bits 31..27,
 *   SPI_USER1_REG address bit length [31:26] and dummy cycles [7:0], SPI_USER2_REG command bit
 *   length [31:28] and value [15:0], SPI_MOSI/MISO_DLEN_REG, SPI_W0..W15 at 0x80), §20 (eFuse
 *   controller: BLK0 fields, read registers EFUSE_BLK0_RDATA0..6 at 0x3FF5A000, BLK1..3 read data
 *   at 0x3FF5A038/58/78, RD_DIS making a block read as zero).
 *   ESP32-C3 TRM v1 §5 (eFuse: EFUSE_RD_WR_DIS_REG +0x2C, RD_REPEAT_DATA0..4 +0x30..+0x40, BLOCK1
 *   RD_MAC_SPI_SYS at +0x44, key blocks), §7 (chip boot control: GPIO2/GPIO8/GPIO9), SPI_MEM
 *   user command registers (USER +0x18, USER1 +0x1C, USER2 +0x20, MOSI/MISO_DLEN +0x24/+0x28,
 *   W0 +0x58).
 *   esptool targets/esp32.py, esp32c3.py (register addresses, CHIP_DETECT_MAGIC_VALUE, eFuse
 *   field positions), espefuse efuse_defs esp32.yaml / esp32c3.yaml (bit layouts). */
#ifndef TW_ESP32_ESP_H
#define TW_ESP32_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/aes.h"
#include "fktwin/spinor.h"
#include "model.h"

typedef enum tw_esp_kind { TW_ESP32 = 0, TW_ESP32C3 = 1 } tw_esp_kind;

/* eFuse read-register window: ESP32 0x3FF5A000..0x3FF5A097 (BLK0 RDATA0..6, WDATA0..6, BLK1..3
 * read data, 38 words); C3 0x6000882C..0x6000917B (RD_WR_DIS, REPEAT_DATA0..4, BLOCK1..10,
 * 84 words). */
#define TW_ESP_EFUSE_WORDS 84U

typedef struct tw_esp_variant {
	const char *name; /* "esp32", "esp32c3" */
	const char *family;
	tw_esp_kind kind;
	uint32_t magic;       /* CHIP_DETECT_MAGIC_REG 0x40001000 */
	uint32_t chip_id;     /* GET_SECURITY_INFO chip id (C3: 5); 0 = command not in the ROM */
	uint32_t efuse_base;  /* address of efuse word 0 */
	unsigned efuse_words; /* words in the window */
	uint32_t spi_base;    /* SPI1 / SPI_MEM1 */
	uint32_t off_user, off_user1, off_user2, off_mosi_dlen, off_miso_dlen, off_w0;
	bool addr_msb; /* SPI_ADDR holds the address left-aligned */
	const char *default_flash; /* the SPI NOR part of a factory module */
} tw_esp_variant;

extern const tw_esp_variant tw_esp_variants[];
extern const unsigned tw_esp_nvariants;
const tw_esp_variant *tw_esp_variant_find(const char *name);

/* One eFuse field (espefuse efuse_defs): word index in the window, shift, width. */
typedef struct tw_esp_field {
	const char *name;
	uint8_t word, shift, width;
	const char *what;
} tw_esp_field;
/* The variant's fields (NULL-terminated by name). */
const tw_esp_field *tw_esp_fields(tw_esp_kind k);
const tw_esp_field *tw_esp_field_find(tw_esp_kind k, const char *name);
uint32_t tw_esp_field_get(const uint32_t *efuse, const tw_esp_field *f);
void tw_esp_field_set(uint32_t *efuse, const tw_esp_field *f, uint32_t v);

/* What runs on the chip. */
typedef enum tw_esp_run {
	TW_ESP_RUN_APP = 0,      /* SPI boot: the application (modelled as silent) */
	TW_ESP_RUN_ROM = 1,      /* UART download mode: the ROM loader answers */
	TW_ESP_RUN_ROM_DEAD = 2, /* download mode strapped but disabled by eFuse: silent */
	TW_ESP_RUN_STUB = 3,     /* esptool's published flasher stub (recognised by digest) */
	TW_ESP_RUN_UNKNOWN = 4,  /* other code loaded to RAM and started: silent */
	TW_ESP_RUN_RESET = 5,    /* EN held low */
} tw_esp_run;

typedef struct tw_esp {
	const tw_esp_variant *v;
	uint32_t efuse[TW_ESP_EFUSE_WORDS];
	tw_spinor *flash;
	/* board */
	bool autoreset;      /* DTR/RTS reach EN and the boot pin (the usual two transistors) */
	bool strap_download; /* the boot pin (ESP32 GPIO0, C3 GPIO9) held low by the user */
	bool en_low;         /* EN held low by the auto-reset circuit */
	bool io0_low_line;   /* boot pin pulled low by the auto-reset circuit */
	bool powered;
	tw_esp_run run;
	uint32_t boot_value; /* the strapping value the ROM printed after the last reset */
	/* SPI1 user-command registers (§7) */
	uint32_t spi_cmd, spi_addr, spi_ctrl, spi_user, spi_user1, spi_user2, spi_mosi_dlen,
		spi_miso_dlen, spi_w[16];
	uint32_t resets;  /* resets since load: a port's session restarts when it moves */
	bool touched;     /* changed by direct access */
	uint32_t clean_gen;
	tw_esp_run clean_run; /* run at the last load/save */
	uint64_t base_ns; /* clock at power-off (the flash clock keeps running) */
} tw_esp;

int tw_esp_create(fk_ctx *ctx, const char *variant, const char *flash_part, tw_esp **out);
void tw_esp_free(tw_esp *e);

/* clock: the attached flash's clock */
uint64_t tw_esp_now(const tw_esp *e);
void tw_esp_advance(tw_esp *e, uint64_t ns);
/* Complete the flash operation in progress (the ROM polls the status register until idle). */
void tw_esp_wait_flash(tw_esp *e);

/* Reset (EN released or power-on): sample the strapping pins, print nothing (the port prints
 * the boot log), choose what runs. */
void tw_esp_reset(tw_esp *e);
/* The auto-reset circuit: DTR -> boot pin, RTS -> EN (asserted lines, TW_LINE_*). Returns true
 * when the chip left reset (the ROM starts: the port restarts its session). */
bool tw_esp_lines(tw_esp *e, unsigned asserted);
bool tw_esp_boot_pin_low(const tw_esp *e);

/* Security state from the eFuses. */
bool tw_esp_download_disabled(const tw_esp *e);     /* UART_DOWNLOAD_DIS / DIS_DOWNLOAD_MODE */
bool tw_esp_secure_download(const tw_esp *e);       /* C3 ENABLE_SECURITY_DOWNLOAD */
bool tw_esp_flash_encrypted(const tw_esp *e);       /* odd FLASH_CRYPT_CNT / SPI_BOOT_CRYPT_CNT */
uint32_t tw_esp_security_flags(const tw_esp *e);    /* GET_SECURITY_INFO flags */
uint8_t tw_esp_crypt_cnt(const tw_esp *e);
void tw_esp_mac(const tw_esp *e, uint8_t mac[6]);

/* Register access as the ROM's READ_REG / WRITE_REG perform it. Unknown addresses read 0 and
 * ignore writes (UNCONFIRMED: the real chip's other peripherals are not modelled). */
uint32_t tw_esp_read_reg(tw_esp *e, uint32_t addr);
void tw_esp_write_reg(tw_esp *e, uint32_t addr, uint32_t val);

/* SPI flash through the controller (the ROM's SPIRead/SPIWrite/SPIEraseSector): every access
 * goes over the flash twin's bus, so its protection applies. */
void tw_esp_flash_read(tw_esp *e, uint32_t addr, uint8_t *buf, uint32_t n);
/* Program [addr, addr+n) page by page (WREN + 02h, wait). */
void tw_esp_flash_program(tw_esp *e, uint32_t addr, const uint8_t *buf, uint32_t n);
/* Erase [addr, addr+n): 64 KiB blocks where aligned, else 4 KiB sectors (WREN + D8h/20h). */
void tw_esp_flash_erase(tw_esp *e, uint32_t addr, uint32_t n);
void tw_esp_flash_erase_chip(tw_esp *e);
/* The flasher stub's SPIUnlock before every FLASH_BEGIN (stub_write_flash.c, esp_lpc.md A.10):
 * WREN + 16-bit WRSR keeping only QE. */
void tw_esp_stub_unlock(tw_esp *e);
uint32_t tw_esp_flash_size(const tw_esp *e);

/* crypt.c: the C3's flash encryption in download mode (XTS_AES manual encryption). */
bool tw_esp_manual_encrypt_disabled(const tw_esp *e); /* DIS_DOWNLOAD_MANUAL_ENCRYPT */
/* BLOCK_KEYn (0..5) from a 32-byte key file, stored byte-reversed as espefuse burn_key does. */
int tw_esp_set_key(tw_esp *e, unsigned n, const uint8_t key[32]);
/* The XTS-AES-128 key (key-file order) of the first block with purpose XTS_AES_128_KEY. */
bool tw_esp_xts_key(const tw_esp *e, uint8_t key[32]);
void tw_esp_flash_program_encrypted(tw_esp *e, const fk_xts128 *x, uint32_t addr,
				    const uint8_t *plain, uint8_t *ct, uint32_t n);

/* state.c */
#define TW_ESP_MAGIC "FKTWESP\n"
#define TW_ESP_VERSION 1U
int tw_esp_save_buf(const tw_esp *e, uint8_t **buf, size_t *len);
int tw_esp_load_buf(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, tw_esp **out);

/* rom.c: the "esp-rom" stream port */
extern const tw_stream_port tw_esp_rom_port;

/* The flasher stub esptool-js 0.7.0 uploads (lib/targets/stub_flasher/CHIP.json): segment sizes,
 * load addresses, entry and the MD5 of each segment, by which the twin recognises it. */
typedef struct tw_esp_stub_id {
	tw_esp_kind kind;
	uint32_t text_addr, text_len, data_addr, data_len, entry;
	const char *text_md5, *data_md5;
} tw_esp_stub_id;
extern const tw_esp_stub_id tw_esp_stubs[];
extern const unsigned tw_esp_nstubs;

#endif
