/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ESP32 and ESP32-C3 device rows (sources in esp32.h). */
#include <string.h>
#include <strings.h>

#include "devices/esp32.h"

/* esptool targets/esp32.py CHIP_DETECT_MAGIC_VALUE */
static const uint32_t esp32_magic[] = {0x00F01D83U, 0};
/* esptool targets/esp32c3.py CHIP_DETECT_MAGIC_VALUE (the C3 revisions) */
static const uint32_t c3_magic[] = {0x6921506FU, 0x1B31506FU, 0x4881606FU, 0x4361606FU, 0};

/* ESP32: EFUSE_BLK0_RDATA0..6 at 0x3FF5A000 + 4n (espefuse esp32.yaml; esp32-rom.md §4) */
static const esp32_field esp32_fields[] = {
	{"WR_DIS", "wr_dis", 0x00, 0, 16, "eFuse fields write-disabled (one bit per group)"},
	{"RD_DIS", "rd_dis", 0x00, 16, 4, "eFuse blocks read-disabled: bit 0 BLOCK1 (flash "
					  "encryption key), 1 BLOCK2 (secure boot key), 2 BLOCK3, "
					  "3 FLASH_CRYPT_CONFIG"},
	{"FLASH_CRYPT_CNT", "flash_crypt_cnt", 0x00, 20, 7, "flash encryption: on when an odd "
							   "number of bits is set"},
	{"UART_DOWNLOAD_DIS", "uart_dl_dis", 0x00, 27, 1, "UART download mode disabled (ESP32 "
							  "v3.0 and later)"},
	{"FLASH_CRYPT_CONFIG", "crypt_config", 0x14, 28, 4, "flash encryption key tweak"},
	{"CODING_SCHEME", "coding_scheme", 0x18, 0, 2, "eFuse coding: 0 none, 1 3/4, 2 repeat"},
	{"CONSOLE_DEBUG_DISABLE", "console_dis", 0x18, 2, 1, "ROM BASIC console disabled"},
	{"ABS_DONE_0", "abs_done_0", 0x18, 4, 1, "secure boot V1 enabled"},
	{"ABS_DONE_1", "abs_done_1", 0x18, 5, 1, "secure boot V2 enabled (v3.0 and later)"},
	{"JTAG_DISABLE", "jtag_disable", 0x18, 6, 1, "JTAG disabled"},
	{"DISABLE_DL_ENCRYPT", "dl_encrypt_dis", 0x18, 7, 1, "no flash encryption in UART "
							     "download mode"},
	{"DISABLE_DL_DECRYPT", "dl_decrypt_dis", 0x18, 8, 1, "no flash decryption in UART "
							     "download mode"},
	{"DISABLE_DL_CACHE", "dl_cache_dis", 0x18, 9, 1, "flash cache disabled in UART download "
							 "mode"},
	{NULL, NULL, 0, 0, 0, NULL},
};

/* ESP32-C3: EFUSE_RD_WR_DIS_REG 0x6000882C, RD_REPEAT_DATA0..4 0x60008830.. (espefuse
 * esp32c3.yaml; esp32-rom.md §4); offsets from 0x6000882C */
static const esp32_field c3_fields[] = {
	{"WR_DIS", "wr_dis", 0x00, 0, 32, "eFuse fields write-disabled (one bit per group)"},
	{"RD_DIS", "rd_dis", 0x04, 0, 7, "key blocks BLOCK4..10 read-disabled"},
	{"DIS_USB_JTAG", "dis_usb_jtag", 0x04, 9, 1, "JTAG over the USB-Serial/JTAG disabled"},
	{"DIS_DOWNLOAD_ICACHE", "dl_icache_dis", 0x04, 10, 1, "cache disabled in download mode"},
	{"SOFT_DIS_JTAG", "soft_dis_jtag", 0x04, 16, 3, "JTAG soft-disabled (odd count; HMAC can "
							"re-enable)"},
	{"DIS_PAD_JTAG", "dis_pad_jtag", 0x04, 19, 1, "JTAG on the pads disabled for good"},
	{"DIS_DOWNLOAD_MANUAL_ENCRYPT", "dl_encrypt_dis", 0x04, 20, 1, "no flash encryption "
								       "in download mode"},
	{"SPI_BOOT_CRYPT_CNT", "crypt_cnt", 0x08, 18, 3, "flash encryption: on when 1 or 3 bits "
							 "are set"},
	{"SECURE_BOOT_EN", "secure_boot_en", 0x0C, 20, 1, "secure boot V2 enabled"},
	{"DIS_DOWNLOAD_MODE", "dl_mode_dis", 0x10, 0, 1, "every download boot mode disabled"},
	{"DIS_DIRECT_BOOT", "direct_boot_dis", 0x10, 1, 1, "direct boot (legacy SPI boot) "
							   "disabled"},
	{"DIS_USB_SERIAL_JTAG_DOWNLOAD_MODE", "usb_dl_dis", 0x10, 4, 1, "download over the "
									"USB-Serial/JTAG "
									"disabled"},
	{"ENABLE_SECURITY_DOWNLOAD", "secure_dl", 0x10, 5, 1, "Secure Download Mode: only flash "
							      "writes, no reads"},
	{NULL, NULL, 0, 0, 0, NULL},
};

const esp32_part esp32_parts[] = {
	{"esp32", "ESP32", "ESP32 TRM v5", ESP32_KIND_ESP32, esp32_magic, 0,
	 /* SPI1 at 0x3FF42000: USER +0x1C, USER1 +0x20, USER2 +0x24, MOSI_DLEN +0x28,
	  * MISO_DLEN +0x2C, W0 +0x80 (esptool esp32.py) */
	 0x3FF42000U, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x80,
	 0x3FF5A000U, 0x3FF5A004U, true, esp32_fields},
	{"esp32c3", "ESP32-C3", "ESP32-C3 TRM v1", ESP32_KIND_C3, c3_magic, 5,
	 /* SPI_MEM1 at 0x60002000: USER +0x18, USER1 +0x1C, USER2 +0x20, MOSI_DLEN +0x24,
	  * MISO_DLEN +0x28, W0 +0x58 (esptool esp32c3.py) */
	 0x60002000U, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x58,
	 /* MAC_EFUSE_REG 0x60008844 (BLOCK1) */
	 0x6000882CU, 0x60008844U, false, c3_fields},
};
const unsigned esp32_nparts = sizeof esp32_parts / sizeof esp32_parts[0];

const esp32_part *esp32_part_by_name(const char *name)
{
	for (unsigned i = 0; i < esp32_nparts; i++)
		if (strcasecmp(esp32_parts[i].name, name) == 0)
			return &esp32_parts[i];
	return NULL;
}

const esp32_field *esp32_field_by_name(const esp32_part *p, const char *name)
{
	for (const esp32_field *f = p->fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

uint32_t esp32_field_get(const esp32_field *f, uint32_t word)
{
	uint32_t mask = f->width >= 32 ? 0xFFFFFFFFU : (1U << f->width) - 1U;
	return (word >> f->shift) & mask;
}

unsigned esp32_revision(uint32_t word3, uint32_t word5, uint32_t apb_ctl_date)
{
	unsigned combined = (apb_ctl_date >> 31 & 1U) << 2 | (word5 >> 20 & 1U) << 1 |
			    (word3 >> 15 & 1U);
	switch (combined) {
	case 1: return 1;
	case 3: return 2;
	case 7: return 3;
	default: return 0;
	}
}

void esp32_mac(uint32_t lo, uint32_t hi, uint8_t mac[6])
{
	mac[0] = (uint8_t)(hi >> 8);
	mac[1] = (uint8_t)hi;
	mac[2] = (uint8_t)(lo >> 24);
	mac[3] = (uint8_t)(lo >> 16);
	mac[4] = (uint8_t)(lo >> 8);
	mac[5] = (uint8_t)lo;
}

const char *esp32_key_purpose_name(uint8_t v)
{
	static const char *const n[] = {
		"USER", "RESERVED", "?", "?", "XTS_AES_128_KEY", "HMAC_DOWN_ALL",
		"HMAC_DOWN_JTAG", "HMAC_DOWN_DIGITAL_SIGNATURE", "HMAC_UP", "SECURE_BOOT_DIGEST0",
		"SECURE_BOOT_DIGEST1", "SECURE_BOOT_DIGEST2",
	};
	return v < sizeof n / sizeof n[0] ? n[v] : "?";
}

unsigned esp32_popcount(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1U)
		n++;
	return n;
}
