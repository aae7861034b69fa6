/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ESP32 and ESP32-C3 as data: how the ROM loader identifies them, where their SPI1 user-command
 * registers and eFuse read registers are, and the eFuse fields that lock a chip, with their
 * bit positions and meaning. Validated by tests/unit/test_esp32_driver.c.
 *
 * Sources (own words; ../shared/reference/esp32-rom.md §2-§4, esp_lpc.md A.6, A.10, A.11):
 *   esptool targets/esp32.py and esp32c3.py (CHIP_DETECT_MAGIC_VALUE, IMAGE_CHIP_ID, SPI_REG_BASE
 *   and the SPI_*_OFFS, EFUSE_RD_REG_BASE / EFUSE_BASE, MAC_EFUSE_REG, read_mac,
 *   get_chip_revision); espefuse efuse_defs esp32.yaml and esp32c3.yaml (field words and bits);
 *   esptool loader.py SECURITY_INFO_FLAG_MAP; espefuse KEY_PURPOSES (9..11 = secure boot
 *   digests). ESP32 TRM v5 §20 (eFuse: bits only go 0 -> 1; write/read disable), ESP32-C3 TRM
 *   v1 §5. */
#ifndef FK_DEVICES_ESP32_H
#define FK_DEVICES_ESP32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum esp32_kind { ESP32_KIND_ESP32 = 0, ESP32_KIND_C3 = 1 } esp32_kind;

/* One eFuse field: offset of its read word from the part's eFuse read base, shift, width. */
typedef struct esp32_field {
	const char *name;  /* espefuse's name: "FLASH_CRYPT_CNT" */
	const char *key;   /* the inventory option key (<= 15 chars): "flash_crypt_cnt" */
	uint16_t off;      /* byte offset from efuse_rd */
	uint8_t shift, width;
	const char *what;  /* meaning when set */
} esp32_field;

typedef struct esp32_part {
	const char *name;     /* "esp32": --chip name and JSON chip */
	const char *title;    /* "ESP32" */
	const char *manual;   /* "ESP32 TRM v5" */
	esp32_kind kind;
	const uint32_t *magic;/* CHIP_DETECT_MAGIC_VALUE words; 0-terminated */
	uint32_t chip_id;     /* GET_SECURITY_INFO chip id; 0 = the ROM lacks the command */
	/* SPI1 user-command registers (esptool SPI_REG_BASE, SPI_*_OFFS) */
	uint32_t spi_base, spi_user, spi_user1, spi_user2, spi_mosi_dlen, spi_miso_dlen, spi_w0;
	uint32_t efuse_rd;    /* the first eFuse read word */
	uint32_t mac_reg;     /* MAC: word at mac_reg (low) and mac_reg + 4 (high) */
	bool read_flash_slow; /* the ROM has READ_FLASH_SLOW (0x0E) */
	const esp32_field *fields; /* NULL-name terminated */
} esp32_part;

extern const esp32_part esp32_parts[];
extern const unsigned esp32_nparts;
const esp32_part *esp32_part_by_name(const char *name);
const esp32_field *esp32_field_by_name(const esp32_part *p, const char *name);
uint32_t esp32_field_get(const esp32_field *f, uint32_t word);

/* ESP32 chip revision (esptool esp32.py get_chip_revision): CHIP_VER_REV1 (word 3 bit 15),
 * CHIP_VER_REV2 (word 5 bit 20), APB_CTL_DATE bit 31. */
#define ESP32_APB_CTL_DATE 0x3FF6607CU
/* ESP32-C3 eFuse BLOCK1 words 3 and 5 (EFUSE_RD_MAC_SPI_SYS_3/_5): package and wafer version
 * (ESP32-C3 TRM §4 Table 4.3-2; esptool esp32c3.py EFUSE_BLOCK1_ADDR 0x60008844 + 4 * n) */
#define ESP32C3_EFUSE_BLK1_W3 0x60008850U
#define ESP32C3_EFUSE_BLK1_W5 0x60008858U
unsigned esp32_revision(uint32_t word3, uint32_t word5, uint32_t apb_ctl_date);

/* MAC from the two words (esptool read_mac: pack(">II", hi, lo)[2:]). */
void esp32_mac(uint32_t lo, uint32_t hi, uint8_t mac[6]);

/* espefuse KEY_PURPOSES names ("XTS_AES_128_KEY", "SECURE_BOOT_DIGEST0", ...); "?" else. */
const char *esp32_key_purpose_name(uint8_t v);

/* Bits set in v (FLASH_CRYPT_CNT: odd = encryption on). */
unsigned esp32_popcount(uint32_t v);

#endif
