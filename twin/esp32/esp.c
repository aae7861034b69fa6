/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32 / ESP32-C3 twin chip: variants, eFuse fields, registers, the SPI1 controller over
 * the SPI NOR twin, strapping and resets. Sources: see esp.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp32/esp.h"

/* ---------------------------------------------------------------- variants */

const tw_esp_variant tw_esp_variants[] = {
	/* ESP32: magic esptool targets/esp32.py CHIP_DETECT_MAGIC_VALUE; no GET_SECURITY_INFO in
	 * the ROM (esp32-rom.md §1 command table); eFuse window at EFUSE_BLK0_RDATA0 (TRM §20);
	 * SPI1 at 0x3FF42000 with USER +0x1C, USER1 +0x20, USER2 +0x24, MOSI_DLEN +0x28,
	 * MISO_DLEN +0x2C, W0 +0x80 (TRM §7.7 register summary; esp32-rom.md §3); SPI_ADDR holds
	 * the address left-aligned (esptool SPI_ADDR_REG_MSB). A module's flash: 4 MiB. */
	{"esp32", "ESP32 (Xtensa LX6, ROM loader)", TW_ESP32, 0x00F01D83U, 0, 0x3FF5A000U, 38,
	 0x3FF42000U, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x80, true, "w25q32jv"},
	/* ESP32-C3: chip id 5 from GET_SECURITY_INFO (esptool IMAGE_CHIP_ID); magic one of
	 * esptool's ESP32-C3 values (ECO3: 0x1B31506F); eFuse window from EFUSE_RD_WR_DIS_REG
	 * 0x6000882C (C3 TRM §5 register summary); SPI_MEM1 at 0x60002000, USER +0x18, USER1
	 * +0x1C, USER2 +0x20, MOSI_DLEN +0x24, MISO_DLEN +0x28, W0 +0x58 (esptool targets
	 * esp32c3.py). UNCONFIRMED: whether SPI_MEM_ADDR is left-aligned; modelled right-aligned
	 * (esptool.py ESP32C3ROM.SPI_ADDR_REG_MSB = False). */
	{"esp32c3", "ESP32-C3 (RISC-V, ROM loader)", TW_ESP32C3, 0x1B31506FU, 5, 0x6000882CU, 84,
	 0x60002000U, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x58, false, "w25q32jv"},
};
const unsigned tw_esp_nvariants = sizeof tw_esp_variants / sizeof tw_esp_variants[0];

const tw_esp_variant *tw_esp_variant_find(const char *name)
{
	for (unsigned i = 0; i < tw_esp_nvariants; i++)
		if (strcasecmp(name, tw_esp_variants[i].name) == 0)
			return &tw_esp_variants[i];
	return NULL;
}

/* ---------------------------------------------------------------- eFuse fields */

/* ESP32 (espefuse efuse_defs/esp32.yaml; TRM §20 Table 20-1). Word n < 7 = EFUSE_BLK0_RDATAn;
 * 14..21 = BLOCK1 (flash encryption key), 22..29 = BLOCK2 (secure boot key), 30..37 = BLOCK3. */
static const tw_esp_field esp32_fields[] = {
	{"WR_DIS", 0, 0, 16, "write-disable bits per field group"},
	{"RD_DIS", 0, 16, 4, "read-disable BLOCK1, BLOCK2, BLOCK3, FLASH_CRYPT_CONFIG"},
	{"FLASH_CRYPT_CNT", 0, 20, 7, "flash encryption on when an odd number of bits is set"},
	{"UART_DOWNLOAD_DIS", 0, 27, 1, "UART download mode disabled (ESP32 v3.0 and later)"},
	{"MAC", 1, 0, 32, "factory MAC, low 32 bits"},
	{"MAC_HI", 2, 0, 16, "factory MAC, high 16 bits"},
	{"MAC_CRC", 2, 16, 8, "CRC-8 of the MAC"},
	{"CHIP_VER_DIS_APP_CPU", 3, 0, 1, "single core"},
	{"CHIP_VER_DIS_BT", 3, 1, 1, "Bluetooth disabled"},
	{"CHIP_PACKAGE", 3, 9, 3, "package (0 D0WDQ6, 1 D0WD, 2 D2WD, 4 U4WDH, 5 PICO-D4)"},
	{"CHIP_VER_REV1", 3, 15, 1, "revision bit 0"},
	{"CK8M_FREQ", 4, 0, 8, "8 MHz clock calibration"},
	{"XPD_SDIO_REG", 4, 14, 1, "VDD_SDIO regulator powered by eFuse"},
	{"XPD_SDIO_TIEH", 4, 15, 1, "VDD_SDIO at 3.3 V (1) or 1.8 V (0)"},
	{"XPD_SDIO_FORCE", 4, 16, 1, "the eFuse, not MTDI, decides VDD_SDIO"},
	{"SPI_PAD_CONFIG", 5, 0, 20, "flash pins (0 = default)"},
	{"CHIP_VER_REV2", 5, 20, 1, "revision bit 1"},
	{"FLASH_CRYPT_CONFIG", 5, 28, 4, "flash encryption key tweak"},
	{"CODING_SCHEME", 6, 0, 2, "0 none, 1 3/4, 2 repeat"},
	{"CONSOLE_DEBUG_DISABLE", 6, 2, 1, "ROM BASIC console disabled"},
	{"ABS_DONE_0", 6, 4, 1, "secure boot V1 enabled"},
	{"ABS_DONE_1", 6, 5, 1, "secure boot V2 enabled (v3.0 and later)"},
	{"JTAG_DISABLE", 6, 6, 1, "JTAG disabled"},
	{"DISABLE_DL_ENCRYPT", 6, 7, 1, "no flash encryption in UART download mode"},
	{"DISABLE_DL_DECRYPT", 6, 8, 1, "no flash decryption in UART download mode"},
	{"DISABLE_DL_CACHE", 6, 9, 1, "flash cache disabled in UART download mode"},
	{"KEY_STATUS", 6, 10, 1, "BLOCK3 used as a key"},
	{NULL, 0, 0, 0, NULL},
};

/* ESP32-C3 (espefuse efuse_defs/esp32c3.yaml; C3 TRM §5.3 Table 5-2). Word n = register at
 * 0x6000882C + 4n: 0 RD_WR_DIS, 1..5 RD_REPEAT_DATA0..4, 6..11 BLOCK1 (RD_MAC_SPI_SYS_0..5),
 * 12..19 BLOCK2, 20..27 BLOCK3, 28.. BLOCK4..10 (keys, 8 words each). */
static const tw_esp_field c3_fields[] = {
	{"WR_DIS", 0, 0, 32, "write-disable bits per field group"},
	{"RD_DIS", 1, 0, 7, "read-disable BLOCK4..BLOCK10 (key blocks)"},
	{"DIS_USB_JTAG", 1, 9, 1, "USB-Serial-JTAG's JTAG disabled"},
	{"DIS_DOWNLOAD_ICACHE", 1, 10, 1, "icache disabled in download mode"},
	{"DIS_USB_SERIAL_JTAG", 1, 11, 1, "USB-Serial-JTAG disabled"},
	{"SOFT_DIS_JTAG", 1, 16, 3, "JTAG soft-disabled when an odd number of bits is set"},
	{"DIS_PAD_JTAG", 1, 19, 1, "JTAG pads disabled for good"},
	{"DIS_DOWNLOAD_MANUAL_ENCRYPT", 1, 20, 1, "no flash encryption in download mode"},
	{"SPI_BOOT_CRYPT_CNT", 2, 18, 3, "flash encryption on when 1 or 3 bits are set"},
	{"SECURE_BOOT_KEY_REVOKE0", 2, 21, 1, "secure boot key digest 0 revoked"},
	{"SECURE_BOOT_KEY_REVOKE1", 2, 22, 1, "secure boot key digest 1 revoked"},
	{"SECURE_BOOT_KEY_REVOKE2", 2, 23, 1, "secure boot key digest 2 revoked"},
	{"KEY_PURPOSE_0", 2, 24, 4, "purpose of BLOCK_KEY0"},
	{"KEY_PURPOSE_1", 2, 28, 4, "purpose of BLOCK_KEY1"},
	{"KEY_PURPOSE_2", 3, 0, 4, "purpose of BLOCK_KEY2"},
	{"KEY_PURPOSE_3", 3, 4, 4, "purpose of BLOCK_KEY3"},
	{"KEY_PURPOSE_4", 3, 8, 4, "purpose of BLOCK_KEY4"},
	{"KEY_PURPOSE_5", 3, 12, 4, "purpose of BLOCK_KEY5"},
	{"SECURE_BOOT_EN", 3, 20, 1, "secure boot V2 enabled"},
	{"SECURE_BOOT_AGGRESSIVE_REVOKE", 3, 21, 1, "revoke a key digest on the first failure"},
	{"DIS_DOWNLOAD_MODE", 4, 0, 1, "every download boot mode disabled"},
	{"DIS_DIRECT_BOOT", 4, 1, 1, "legacy direct SPI boot disabled"},
	{"DIS_USB_SERIAL_JTAG_DOWNLOAD_MODE", 4, 4, 1, "download over USB-Serial-JTAG disabled"},
	{"ENABLE_SECURITY_DOWNLOAD", 4, 5, 1, "Secure Download Mode"},
	{"MAC", 6, 0, 32, "factory MAC, low 32 bits"},
	{"MAC_HI", 7, 0, 16, "factory MAC, high 16 bits"},
	{"WAFER_VERSION_MINOR_LO", 9, 18, 3, "revision minor, low bits"},
	{"PKG_VERSION", 9, 21, 3, "package (0 ESP32-C3 QFN32, 1 ESP8685)"},
	{"FLASH_CAP", 9, 27, 3, "embedded flash (0 none)"},
	{"FLASH_VENDOR", 10, 0, 3, "embedded flash vendor"},
	{"WAFER_VERSION_MINOR_HI", 11, 23, 1, "revision minor, high bit"},
	{"WAFER_VERSION_MAJOR", 11, 24, 2, "revision major"},
	{NULL, 0, 0, 0, NULL},
};

const tw_esp_field *tw_esp_fields(tw_esp_kind k)
{
	return k == TW_ESP32 ? esp32_fields : c3_fields;
}

const tw_esp_field *tw_esp_field_find(tw_esp_kind k, const char *name)
{
	for (const tw_esp_field *f = tw_esp_fields(k); f->name; f++)
		if (strcasecmp(f->name, name) == 0)
			return f;
	return NULL;
}

static uint32_t field_mask(const tw_esp_field *f)
{
	return f->width >= 32 ? 0xFFFFFFFFU : ((1U << f->width) - 1U);
}

uint32_t tw_esp_field_get(const uint32_t *efuse, const tw_esp_field *f)
{
	return (efuse[f->word] >> f->shift) & field_mask(f);
}

void tw_esp_field_set(uint32_t *efuse, const tw_esp_field *f, uint32_t v)
{
	uint32_t m = field_mask(f) << f->shift;
	efuse[f->word] = (efuse[f->word] & ~m) | ((v << f->shift) & m);
}

static uint32_t fget(const tw_esp *e, const char *name)
{
	const tw_esp_field *f = tw_esp_field_find(e->v->kind, name);
	return f ? tw_esp_field_get(e->efuse, f) : 0;
}

static unsigned popcount(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* ---------------------------------------------------------------- life cycle */

/* Factory eFuses: a MAC in Espressif's OUI, the package and revision of current parts (ESP32
 * D0WD v3.0: CHIP_VER_REV1 and REV2 set, APB_CTL_DATE bit 31 set; C3 v0.4). Everything that
 * protects is 0 (esptool-js targets: revision and package decoding). */
static void esp_factory(tw_esp *e)
{
	memset(e->efuse, 0, sizeof e->efuse);
	if (e->v->kind == TW_ESP32) {
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32, "MAC"), 0xC4123456U);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32, "MAC_HI"), 0x240AU);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32, "CHIP_PACKAGE"), 1);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32, "CHIP_VER_REV1"), 1);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32, "CHIP_VER_REV2"), 1);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32, "CK8M_FREQ"), 0x40);
	} else {
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32C3, "MAC"), 0x79123456U);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32C3, "MAC_HI"), 0x58CFU);
		tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32C3, "WAFER_VERSION_MINOR_LO"),
				 4);
	}
}

int tw_esp_create(fk_ctx *ctx, const char *variant, const char *flash_part, tw_esp **out)
{
	const tw_esp_variant *v = tw_esp_variant_find(variant);
	if (!v)
		return FK_E_NOT_FOUND;
	tw_esp *e = calloc(1, sizeof *e);
	if (!e)
		return fk_fail(ctx, FK_E_NOMEM, "creating an %s twin", v->name);
	e->v = v;
	int rc = tw_spinor_create(ctx, flash_part ? flash_part : v->default_flash, &e->flash);
	if (rc) {
		free(e);
		return fk_fail_wrap(ctx, rc, "the %s twin's SPI flash", v->name);
	}
	esp_factory(e);
	e->autoreset = true;
	e->powered = true;
	e->touched = true;
	tw_esp_reset(e);
	*out = e;
	return FK_OK;
}

void tw_esp_free(tw_esp *e)
{
	if (!e)
		return;
	tw_spinor_free(e->flash);
	free(e);
}

/* ---------------------------------------------------------------- clock */

uint64_t tw_esp_now(const tw_esp *e)
{
	return tw_spinor_now(e->flash);
}

void tw_esp_advance(tw_esp *e, uint64_t ns)
{
	tw_spinor_advance(e->flash, ns);
}

void tw_esp_wait_flash(tw_esp *e)
{
	uint64_t left;
	while ((left = tw_spinor_busy_ns(e->flash)) > 0)
		tw_spinor_advance(e->flash, left);
}

/* ---------------------------------------------------------------- security state */

bool tw_esp_download_disabled(const tw_esp *e)
{
	return e->v->kind == TW_ESP32 ? fget(e, "UART_DOWNLOAD_DIS") != 0
				      : fget(e, "DIS_DOWNLOAD_MODE") != 0;
}

bool tw_esp_secure_download(const tw_esp *e)
{
	return e->v->kind == TW_ESP32C3 && fget(e, "ENABLE_SECURITY_DOWNLOAD") != 0;
}

uint8_t tw_esp_crypt_cnt(const tw_esp *e)
{
	return (uint8_t)(e->v->kind == TW_ESP32 ? fget(e, "FLASH_CRYPT_CNT")
						: fget(e, "SPI_BOOT_CRYPT_CNT"));
}

bool tw_esp_flash_encrypted(const tw_esp *e)
{
	return popcount(tw_esp_crypt_cnt(e)) % 2U == 1U;
}

/* GET_SECURITY_INFO flags (esptool loader.py SECURITY_INFO_FLAG_MAP). */
uint32_t tw_esp_security_flags(const tw_esp *e)
{
	if (e->v->kind != TW_ESP32C3)
		return 0;
	uint32_t f = 0;
	f |= fget(e, "SECURE_BOOT_EN") ? 1U << 0 : 0;
	f |= fget(e, "SECURE_BOOT_AGGRESSIVE_REVOKE") ? 1U << 1 : 0;
	f |= fget(e, "ENABLE_SECURITY_DOWNLOAD") ? 1U << 2 : 0;
	f |= fget(e, "SECURE_BOOT_KEY_REVOKE0") ? 1U << 3 : 0;
	f |= fget(e, "SECURE_BOOT_KEY_REVOKE1") ? 1U << 4 : 0;
	f |= fget(e, "SECURE_BOOT_KEY_REVOKE2") ? 1U << 5 : 0;
	f |= popcount(fget(e, "SOFT_DIS_JTAG")) % 2U ? 1U << 6 : 0;
	f |= fget(e, "DIS_PAD_JTAG") ? 1U << 7 : 0;
	f |= fget(e, "DIS_USB_JTAG") ? 1U << 8 : 0;
	f |= fget(e, "DIS_DOWNLOAD_ICACHE") ? 1U << 10 : 0;
	return f;
}

void tw_esp_mac(const tw_esp *e, uint8_t mac[6])
{
	uint32_t lo = fget(e, "MAC"), hi = fget(e, "MAC_HI");
	mac[0] = (uint8_t)(hi >> 8);
	mac[1] = (uint8_t)hi;
	mac[2] = (uint8_t)(lo >> 24);
	mac[3] = (uint8_t)(lo >> 16);
	mac[4] = (uint8_t)(lo >> 8);
	mac[5] = (uint8_t)lo;
}

/* ---------------------------------------------------------------- resets and pins */

bool tw_esp_boot_pin_low(const tw_esp *e)
{
	return e->strap_download || (e->autoreset && e->io0_low_line);
}

/* ESP32 TRM §3.1 Table 3-1: GPIO0 low at reset (GPIO2 low or floating) = download boot; the
 * ROM prints "boot:0x3 (DOWNLOAD_BOOT...)" (strapping GPIO0=0, GPIO2=0, MTDI, MTDO, GPIO5 read
 * into GPIO_STRAP_REG), else 0x13 (SPI_FAST_FLASH_BOOT). C3 TRM §7 Table 7-1: GPIO9 low with
 * GPIO8 high = download boot. UNCONFIRMED: the C3's printed strap values, 0x0 for download
 * and 0xC for SPI boot as seen in published boot logs. */
void tw_esp_reset(tw_esp *e)
{
	e->spi_cmd = e->spi_addr = e->spi_ctrl = e->spi_user = e->spi_user1 = e->spi_user2 = 0;
	e->spi_mosi_dlen = e->spi_miso_dlen = 0;
	memset(e->spi_w, 0, sizeof e->spi_w);
	e->resets++;
	if (!e->powered) {
		e->run = TW_ESP_RUN_RESET;
		return;
	}
	bool dl = tw_esp_boot_pin_low(e);
	if (e->v->kind == TW_ESP32)
		e->boot_value = dl ? 0x03U : 0x13U;
	else
		e->boot_value = dl ? 0x00U : 0x0CU;
	if (!dl)
		e->run = TW_ESP_RUN_APP;
	else if (tw_esp_download_disabled(e))
		e->run = TW_ESP_RUN_ROM_DEAD;
	else
		e->run = TW_ESP_RUN_ROM;
}

/* The usual auto-reset circuit (two NPN transistors between DTR#/RTS# and EN/IO0, as esptool's
 * docs/en/advanced-topics/boot-mode-selection.rst shows): EN is pulled low only while RTS is
 * asserted and DTR is not; IO0 only while DTR is asserted and RTS is not. Releasing EN resets
 * the chip, which samples IO0 (ESP32 TRM §3.1). A board without the circuit ignores the lines. */
bool tw_esp_lines(tw_esp *e, unsigned asserted)
{
	if (!e->autoreset)
		return false;
	bool dtr = (asserted & TW_LINE_DTR) != 0, rts = (asserted & TW_LINE_RTS) != 0;
	bool en_low = rts && !dtr;
	e->io0_low_line = dtr && !rts;
	bool released = e->en_low && !en_low;
	e->en_low = en_low;
	if (en_low) {
		e->run = TW_ESP_RUN_RESET;
		return false;
	}
	if (released) {
		tw_esp_reset(e);
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- SPI1 user commands */

#define SPI_CMD_USR (1U << 18)
#define SPI_USR_COMMAND (1U << 31)
#define SPI_USR_ADDR (1U << 30)
#define SPI_USR_DUMMY (1U << 29)
#define SPI_USR_MISO (1U << 28)
#define SPI_USR_MOSI (1U << 27)

/* SPI clock of the ROM's flash access. UNCONFIRMED: the ROM's SPI1 divider after SPI_ATTACH is
 * not in the TRM; 40 MHz (esptool's default --flash_freq for both chips) is modelled. */
#define TW_ESP_SPI_HZ 40000000U

static uint8_t w_byte(const tw_esp *e, unsigned i)
{
	return (uint8_t)(e->spi_w[(i / 4U) % 16U] >> (8U * (i % 4U)));
}

/* TRM §7.4.4 "user-defined command": CS falls, command phase (USER2 value, bit length + 1),
 * address (USER1[31:26] + 1 bits of SPI_ADDR), dummy cycles (USER1[7:0] + 1), MOSI data from
 * W0.. (MOSI_DLEN + 1 bits), MISO data into W0.. (MISO_DLEN + 1 bits), CS rises; SPI_USR
 * clears when done. Bit counts that are not whole bytes are rounded up (UNCONFIRMED: the
 * flash twin takes bytes; esptool only uses whole bytes). */
static void spi_user_command(tw_esp *e)
{
	tw_spinor *f = e->flash;
	tw_spinor_set_sck(f, TW_ESP_SPI_HZ);
	tw_spinor_cs_assert(f);
	if (e->spi_user & SPI_USR_COMMAND) {
		unsigned bits = ((e->spi_user2 >> 28) & 0xFU) + 1U;
		uint16_t val = (uint16_t)(e->spi_user2 & 0xFFFFU);
		if (bits > 8)
			tw_spinor_xfer(f, (uint8_t)(val >> 8));
		tw_spinor_xfer(f, (uint8_t)val);
	}
	if (e->spi_user & SPI_USR_ADDR) {
		unsigned bits = ((e->spi_user1 >> 26) & 0x3FU) + 1U;
		unsigned bytes = (bits + 7U) / 8U;
		uint32_t a = e->spi_addr;
		if (e->v->addr_msb && bits < 32)
			a >>= 32U - bits;
		for (unsigned i = bytes; i-- > 0;)
			tw_spinor_xfer(f, (uint8_t)(a >> (8U * i)));
	}
	if (e->spi_user & SPI_USR_DUMMY) {
		unsigned cycles = (e->spi_user1 & 0xFFU) + 1U;
		for (unsigned i = 0; i < (cycles + 7U) / 8U; i++)
			tw_spinor_xfer(f, 0xFF);
	}
	if (e->spi_user & SPI_USR_MOSI) {
		unsigned bytes = ((e->spi_mosi_dlen & 0xFFFFFFU) + 8U) / 8U;
		if (bytes > 64)
			bytes = 64;
		for (unsigned i = 0; i < bytes; i++)
			tw_spinor_xfer(f, w_byte(e, i));
	}
	if (e->spi_user & SPI_USR_MISO) {
		unsigned bytes = ((e->spi_miso_dlen & 0xFFFFFFU) + 8U) / 8U;
		if (bytes > 64)
			bytes = 64;
		uint32_t w[16];
		memcpy(w, e->spi_w, sizeof w);
		for (unsigned i = 0; i < bytes; i++) {
			uint8_t b = tw_spinor_xfer(f, 0xFF);
			uint32_t *wd = &w[i / 4U];
			unsigned sh = 8U * (i % 4U);
			*wd = (*wd & ~(0xFFU << sh)) | ((uint32_t)b << sh);
		}
		memcpy(e->spi_w, w, sizeof w);
	}
	tw_spinor_cs_release(f);
	tw_spinor_set_sck(f, 0);
	e->spi_cmd &= ~SPI_CMD_USR;
}

/* ---------------------------------------------------------------- registers */

#define TW_ESP_MAGIC_REG 0x40001000U
#define TW_ESP32_APB_CTL_DATE 0x3FF6607CU
#define TW_ESP32_UART0_CLKDIV 0x3FF40014U

static bool efuse_word_readable(const tw_esp *e, unsigned w)
{
	if (e->v->kind == TW_ESP32) {
		/* TRM §20.3.2: RD_DIS bit n (n = 0..2) makes BLOCK(n+1) read as zeros */
		uint32_t rd = fget(e, "RD_DIS");
		if (w >= 14 && w < 38)
			return !(rd & (1U << ((w - 14U) / 8U)));
		return !(w >= 7 && w < 14); /* WDATA registers: not read data (zeros) */
	}
	/* C3 TRM §5.3.2: RD_DIS bit n makes BLOCK(4+n) (key blocks) read as zeros */
	uint32_t rd = fget(e, "RD_DIS");
	if (w >= 28 && w < 84)
		return !(rd & (1U << ((w - 28U) / 8U)));
	return true;
}

uint32_t tw_esp_read_reg(tw_esp *e, uint32_t addr)
{
	const tw_esp_variant *v = e->v;
	if (addr == TW_ESP_MAGIC_REG)
		return v->magic;
	if (addr >= v->efuse_base && addr < v->efuse_base + 4U * v->efuse_words && !(addr & 3U)) {
		unsigned w = (addr - v->efuse_base) / 4U;
		return efuse_word_readable(e, w) ? e->efuse[w] : 0;
	}
	if (v->kind == TW_ESP32 && addr == TW_ESP32_APB_CTL_DATE)
		return 0x16042000U | (fget(e, "CHIP_VER_REV2") ? 0x80000000U : 0); /* rev bit 2 */
	if (v->kind == TW_ESP32 && addr == TW_ESP32_UART0_CLKDIV)
		return 347U; /* 40 MHz crystal / 115200 (esptool get_crystal_freq) */
	if (addr >= v->spi_base && addr < v->spi_base + 0x100U) {
		uint32_t o = addr - v->spi_base;
		if (o == 0)
			return e->spi_cmd;
		if (o == 4)
			return e->spi_addr;
		if (o == 8)
			return e->spi_ctrl;
		if (o == v->off_user)
			return e->spi_user;
		if (o == v->off_user1)
			return e->spi_user1;
		if (o == v->off_user2)
			return e->spi_user2;
		if (o == v->off_mosi_dlen)
			return e->spi_mosi_dlen;
		if (o == v->off_miso_dlen)
			return e->spi_miso_dlen;
		if (o >= v->off_w0 && o < v->off_w0 + 64U)
			return e->spi_w[(o - v->off_w0) / 4U];
	}
	return 0;
}

void tw_esp_write_reg(tw_esp *e, uint32_t addr, uint32_t val)
{
	const tw_esp_variant *v = e->v;
	if (addr < v->spi_base || addr >= v->spi_base + 0x100U)
		return; /* eFuse read registers are read-only; others not modelled */
	uint32_t o = addr - v->spi_base;
	if (o == 0) {
		e->spi_cmd = val;
		if (val & SPI_CMD_USR)
			spi_user_command(e);
	} else if (o == 4) {
		e->spi_addr = val;
	} else if (o == 8) {
		e->spi_ctrl = val;
	} else if (o == v->off_user) {
		e->spi_user = val;
	} else if (o == v->off_user1) {
		e->spi_user1 = val;
	} else if (o == v->off_user2) {
		e->spi_user2 = val;
	} else if (o == v->off_mosi_dlen) {
		e->spi_mosi_dlen = val;
	} else if (o == v->off_miso_dlen) {
		e->spi_miso_dlen = val;
	} else if (o >= v->off_w0 && o < v->off_w0 + 64U) {
		e->spi_w[(o - v->off_w0) / 4U] = val;
	}
}

/* ---------------------------------------------------------------- flash routines */

uint32_t tw_esp_flash_size(const tw_esp *e)
{
	return tw_spinor_size(e->flash);
}

static void flash_simple(tw_esp *e, const uint8_t *tx, size_t n)
{
	tw_spinor_set_sck(e->flash, TW_ESP_SPI_HZ);
	tw_spinor_cs_assert(e->flash);
	tw_spinor_exchange(e->flash, tx, NULL, n);
	tw_spinor_cs_release(e->flash);
	tw_spinor_set_sck(e->flash, 0);
}

static void flash_wren(tw_esp *e)
{
	uint8_t c = 0x06;
	flash_simple(e, &c, 1);
}

void tw_esp_flash_read(tw_esp *e, uint32_t addr, uint8_t *buf, uint32_t n)
{
	tw_esp_wait_flash(e);
	uint8_t cmd[4] = {0x03, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr};
	tw_spinor_set_sck(e->flash, TW_ESP_SPI_HZ);
	tw_spinor_cs_assert(e->flash);
	tw_spinor_exchange(e->flash, cmd, NULL, 4);
	tw_spinor_exchange(e->flash, NULL, buf, n);
	tw_spinor_cs_release(e->flash);
	tw_spinor_set_sck(e->flash, 0);
}

void tw_esp_flash_program(tw_esp *e, uint32_t addr, const uint8_t *buf, uint32_t n)
{
	while (n) {
		uint32_t chunk = 256U - (addr & 255U);
		if (chunk > n)
			chunk = n;
		tw_esp_wait_flash(e);
		flash_wren(e);
		uint8_t cmd[4] = {0x02, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr};
		tw_spinor_set_sck(e->flash, TW_ESP_SPI_HZ);
		tw_spinor_cs_assert(e->flash);
		tw_spinor_exchange(e->flash, cmd, NULL, 4);
		tw_spinor_exchange(e->flash, buf, NULL, chunk);
		tw_spinor_cs_release(e->flash);
		tw_spinor_set_sck(e->flash, 0);
		tw_esp_wait_flash(e);
		addr += chunk;
		buf += chunk;
		n -= chunk;
	}
}

void tw_esp_flash_erase(tw_esp *e, uint32_t addr, uint32_t n)
{
	uint32_t end = addr + n;
	addr &= ~0xFFFU;
	while (addr < end) {
		bool block = (addr & 0xFFFFU) == 0 && end - addr >= 0x10000U;
		tw_esp_wait_flash(e);
		flash_wren(e);
		uint8_t cmd[4] = {block ? 0xD8 : 0x20, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
				  (uint8_t)addr};
		flash_simple(e, cmd, 4);
		tw_esp_wait_flash(e);
		addr += block ? 0x10000U : 0x1000U;
	}
}

void tw_esp_flash_erase_chip(tw_esp *e)
{
	tw_esp_wait_flash(e);
	flash_wren(e);
	uint8_t c = 0xC7;
	flash_simple(e, &c, 1);
	tw_esp_wait_flash(e);
}

void tw_esp_stub_unlock(tw_esp *e)
{
	tw_esp_wait_flash(e);
	uint8_t rd[2] = {0x35, 0xFF}, got[2];
	tw_spinor_cs_assert(e->flash);
	tw_spinor_exchange(e->flash, rd, got, 2);
	tw_spinor_cs_release(e->flash);
	uint8_t sr2 = got[1] & 0x02U; /* keep QE only */
	flash_wren(e);
	uint8_t wr[3] = {0x01, 0x00, sr2};
	flash_simple(e, wr, 3);
	tw_esp_wait_flash(e);
}
