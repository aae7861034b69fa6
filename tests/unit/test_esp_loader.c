/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Espressif ROM loader client (lib/boot/esp_loader.c) against the ESP32 / ESP32-C3 twin's
 * ROM port in process: reset into the ROM through the board's DTR/RTS circuit, SYNC, chip
 * detection, registers, SPI flash commands through SPI1, FLASH_BEGIN/DATA with the ROM's
 * read-back, MD5, READ_FLASH_SLOW, CHANGE_BAUDRATE on the virtual clock, and the failures a
 * user meets: no auto-reset circuit, wrong boot mode, download mode disabled by eFuse, Secure
 * Download Mode, an unsupported command, a corrupted block. */
#include "fk_test.h"

#include "boot/esp_loader.h"
#include "chip.h"
#include "core/core.h"
#include "core/md5.h"
#include "esp32/esp.h"
#include "stream.h"

typedef struct rig {
	fk_ctx *ctx;
	tw_chip *chip;
	tw_esp *e;
	fk_transport t;
	esp_loader l;
} rig;

static const esp_spi_regs esp32_spi = {0x3FF42000U, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x80};
static const esp_spi_regs c3_spi = {0x60002000U, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x58};

static rig *rig_new(const char *variant)
{
	rig *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(r->ctx, variant, &r->chip), 0);
	r->e = tw_chip_impl(r->chip);
	return r;
}

/* The board as it is (no reset into the ROM yet): the client's --before does that. */
static int rig_connect(rig *r, const char *before)
{
	const tw_stream_port *port = tw_chip_stream(r->chip, NULL, "test", "esp-rom");
	assert_non_null(port);
	tw_stream_cfg cfg = {.baud = 115200, .bits_per_byte = 10};
	assert_int_equal(tw_stream_attach(r->chip, port, &cfg, false, &r->t), 0);
	assert_string_equal(r->t.protocol, "esp-rom");
	int rc = esp_ldr_init(&r->l, r->ctx, &r->t, before, "no_reset", 115200);
	assert_int_equal(rc, 0);
	r->l.attempts = 2; /* keep the failing cases short */
	return esp_ldr_connect(&r->l);
}

static void rig_free(rig *r)
{
	esp_ldr_free(&r->l);
	fk_transport_close(&r->t);
	tw_chip_free(r->chip);
	fk_ctx_free(r->ctx);
	free(r);
}

static const char *msg(rig *r)
{
	static char buf[1024];
	return fk_ctx_message(r->ctx, buf, sizeof buf);
}

static void efuse(rig *r, const char *name, uint32_t v)
{
	const tw_esp_field *f = tw_esp_field_find(r->e->v->kind, name);
	assert_non_null(f);
	tw_esp_field_set(r->e->efuse, f, v);
}

/* ESP32: classic DTR/RTS reset, 8 SYNC answers with a non-zero value (a ROM, 4 status bytes),
 * GET_SECURITY_INFO unsupported by this ROM, the magic word read instead. */
static void test_connect_esp32(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, NULL), 0);
	assert_true(r->l.synced);
	assert_false(r->l.stub);
	assert_int_not_equal(r->l.sync_value, 0);
	assert_true(r->l.boot.seen_boot);
	assert_true(r->l.boot.download);
	assert_true(r->l.unsupported_security);
	assert_false(r->l.have_security);
	assert_true(r->l.have_magic);
	assert_int_equal(r->l.magic, 0x00F01D83U);
	/* nothing left over from SYNC's 7 repeats: the next command gets its own answer */
	uint32_t v = 0;
	assert_int_equal(esp_ldr_read_reg(&r->l, ESP_MAGIC_REG, &v), 0);
	assert_int_equal(v, 0x00F01D83U);
	rig_free(r);
}

/* ESP32-C3: GET_SECURITY_INFO answers with chip id 5 (esptool targets/esp32c3.py). */
static void test_connect_c3(void **st)
{
	(void)st;
	rig *r = rig_new("esp32c3");
	assert_int_equal(rig_connect(r, "default-reset"), 0);
	assert_true(r->l.have_security);
	assert_int_equal(r->l.sec.chip_id, 5);
	assert_false(r->l.sec.flags & ESP_SEC_SECURE_DOWNLOAD);
	rig_free(r);
}

static void test_words(void **st)
{
	(void)st;
	assert_int_equal(esp_before_parse("default_reset"), ESP_BEFORE_DEFAULT);
	assert_int_equal(esp_before_parse("usb-reset"), ESP_BEFORE_USB);
	assert_int_equal(esp_before_parse("no_reset_no_sync"), ESP_BEFORE_NO_SYNC);
	assert_int_equal(esp_before_parse("reset"), -1);
	assert_int_equal(esp_after_parse("hard_reset"), ESP_AFTER_HARD);
	assert_int_equal(esp_after_parse("no-reset"), ESP_AFTER_NO_RESET);
	assert_int_equal(esp_after_parse(""), -1);
	rig *r = rig_new("esp32");
	const tw_stream_port *port = tw_chip_stream(r->chip, NULL, "test", "esp-rom");
	tw_stream_cfg cfg = {.baud = 115200, .bits_per_byte = 10};
	assert_int_equal(tw_stream_attach(r->chip, port, &cfg, false, &r->t), 0);
	assert_int_equal(esp_ldr_init(&r->l, r->ctx, &r->t, "sometimes", NULL, 0), FK_E_USAGE);
	assert_non_null(strstr(msg(r), "--before sometimes"));
	rig_free(r);
}

/* READ_REG / WRITE_REG with a mask: (old & ~mask) | (value & mask). */
static void test_registers(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, NULL), 0);
	uint32_t w0 = 0x3FF42080U, v = 0;
	assert_int_equal(esp_ldr_write_reg(&r->l, w0, 0x12345678U, 0xFFFFFFFFU, 0), 0);
	assert_int_equal(esp_ldr_write_reg(&r->l, w0, 0x0000AB00U, 0x0000FF00U, 0), 0);
	assert_int_equal(esp_ldr_read_reg(&r->l, w0, &v), 0);
	assert_int_equal(v, 0x1234AB78U);
	rig_free(r);
}

/* SPI flash commands through SPI1 (run_spiflash_command): 9Fh gives the factory flash's JEDEC
 * ID; 05h the status register; a 64-byte read with address bytes sent as data. */
static void spi_case(const char *variant, const esp_spi_regs *regs)
{
	rig *r = rig_new(variant);
	assert_int_equal(rig_connect(r, NULL), 0);
	uint8_t id[3] = {0};
	assert_int_equal(esp_ldr_spi_command(&r->l, regs, 0x9F, NULL, 0, id, 3), 0);
	assert_false((id[0] == 0 && id[1] == 0 && id[2] == 0) ||
		     (id[0] == 0xFF && id[1] == 0xFF && id[2] == 0xFF));
	uint8_t sr = 0xAA;
	assert_int_equal(esp_ldr_spi_command(&r->l, regs, 0x05, NULL, 0, &sr, 1), 0);
	assert_int_equal(sr & 0x01, 0); /* not busy */
	/* program 16 bytes with the ROM, read them back with 03h through SPI1 */
	uint8_t data[16], back[64];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(0xA0 + i);
	assert_int_equal(esp_ldr_flash_write(&r->l, 0x1000, data, sizeof data, true), 0);
	uint8_t a[3] = {0x00, 0x10, 0x00};
	assert_int_equal(esp_ldr_spi_command(&r->l, regs, 0x03, a, 3, back, 64), 0);
	assert_memory_equal(back, data, sizeof data);
	assert_int_equal(back[16], 0xFF);
	rig_free(r);
}

static void test_spi_esp32(void **st)
{
	(void)st;
	spi_case("esp32", &esp32_spi);
}

static void test_spi_c3(void **st)
{
	(void)st;
	spi_case("esp32c3", &c3_spi);
}

/* A run of SPI commands (the status registers one after the other) reads USER/USER2 once and
 * writes only the registers that change; USER/USER2 are back to the ROM's values before the
 * ROM's own next command (FLASH_BEGIN here), as loader.py run_spiflash_command leaves them. */
static void test_spi_run_restores(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, NULL), 0);
	const esp_spi_regs *g = &esp32_spi;
	uint32_t user0 = 0, user20 = 0, v = 0;
	assert_int_equal(esp_ldr_read_reg(&r->l, g->base + g->user, &user0), 0);
	assert_int_equal(esp_ldr_read_reg(&r->l, g->base + g->user2, &user20), 0);
	uint64_t c0 = r->l.commands;
	uint8_t sr[3];
	assert_int_equal(esp_ldr_spi_command(&r->l, g, 0x05, NULL, 0, &sr[0], 1), 0);
	uint64_t first = r->l.commands - c0;
	assert_int_equal(esp_ldr_spi_command(&r->l, g, 0x35, NULL, 0, &sr[1], 1), 0);
	assert_int_equal(esp_ldr_spi_command(&r->l, g, 0x15, NULL, 0, &sr[2], 1), 0);
	uint64_t later = (r->l.commands - c0 - first) / 2;
	/* the first: 2 reads of USER/USER2, 4 register writes, W0, USR, a poll, W0 back */
	assert_true(first <= 10);
	/* the next ones: USER2 (the opcode), W0, USR, a poll, W0 back */
	assert_true(later <= 5);
	/* USER holds the command's flags until the ROM's next own command */
	assert_int_equal(esp_ldr_read_reg(&r->l, g->base + g->user, &v), 0);
	assert_int_not_equal(v, user0);
	assert_int_equal(esp_ldr_flash_begin(&r->l, 0, 0, 0x400, 0x1000), 0);
	assert_int_equal(esp_ldr_read_reg(&r->l, g->base + g->user, &v), 0);
	assert_int_equal(v, user0);
	assert_int_equal(esp_ldr_read_reg(&r->l, g->base + g->user2, &v), 0);
	assert_int_equal(v, user20);
	/* and a command after the ROM's reads them again (the ROM may have changed them) */
	c0 = r->l.commands;
	assert_int_equal(esp_ldr_spi_command(&r->l, g, 0x05, NULL, 0, &sr[0], 1), 0);
	assert_int_equal(r->l.commands - c0, first);
	/* leaving restores them too */
	assert_int_equal(esp_ldr_leave(&r->l), 0);
	assert_int_equal(esp_ldr_read_reg(&r->l, g->base + g->user, &v), 0);
	assert_int_equal(v, user0);
	rig_free(r);
}

/* FLASH_BEGIN (erase up front), FLASH_DATA blocks with the ROM's read-back, a tail block of its
 * own size, then SPI_FLASH_MD5 (32 hex digits from the ROM) equal to the local digest, and
 * READ_FLASH_SLOW on the ESP32. */
static void test_write_md5(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, NULL), 0);
	assert_int_equal(esp_ldr_spi_attach(&r->l, 0), 0);
	assert_int_equal(esp_ldr_spi_set_params(&r->l, 4U * 1024U * 1024U), 0);
	uint32_t n = 3U * 1024U + 100U;
	uint8_t *img = malloc(n);
	for (uint32_t i = 0; i < n; i++)
		img[i] = (uint8_t)(i * 7U + 3U);
	assert_int_equal(esp_ldr_flash_write(&r->l, 0x10000, img, n, true), 0);
	uint8_t want[16], got[16];
	fk_md5_buf(img, n, want);
	assert_int_equal(esp_ldr_flash_md5(&r->l, 0x10000, n, got), 0);
	assert_memory_equal(want, got, 16);
	uint8_t slow[64];
	assert_int_equal(esp_ldr_read_flash_slow(&r->l, 0x10000 + 3U * 1024U, slow, 64), 0);
	assert_memory_equal(slow, img + 3U * 1024U, 64);
	/* without erase, programming over written bytes makes the ROM's read-back differ:
	 * ROM error 0x08, a sentence naming block protection as a cause */
	uint8_t zeros[16] = {0}, ff[16];
	memset(ff, 0xFF, sizeof ff);
	assert_int_equal(esp_ldr_flash_write(&r->l, 0x10000, zeros, 16, false), 0);
	assert_int_equal(esp_ldr_flash_write(&r->l, 0x10000, ff, 16, false), FK_E_FLASH);
	assert_non_null(strstr(msg(r), "flash write error"));
	free(img);
	rig_free(r);
}

/* CHANGE_BAUDRATE: the ROM answers at the old rate, then both sides switch; a 4 KiB MD5 read
 * afterwards takes less virtual time on the wire. */
static void test_change_baud(void **st)
{
	(void)st;
	rig *r = rig_new("esp32c3");
	assert_int_equal(rig_connect(r, NULL), 0);
	uint64_t t0 = tw_chip_now_ns(r->chip);
	uint32_t v;
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(esp_ldr_read_reg(&r->l, ESP_MAGIC_REG, &v), 0);
	uint64_t slow = tw_chip_now_ns(r->chip) - t0;
	assert_int_equal(esp_ldr_change_baud(&r->l, 921600), 0);
	assert_int_equal(r->l.baud, 921600);
	t0 = tw_chip_now_ns(r->chip);
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(esp_ldr_read_reg(&r->l, ESP_MAGIC_REG, &v), 0);
	uint64_t fast = tw_chip_now_ns(r->chip) - t0;
	assert_true(fast * 6 < slow);
	rig_free(r);
}

/* A board without the DTR/RTS circuit: nothing answers; the message says to hold the boot pin
 * and tap EN, and names --before no_reset. Then the user does that: it connects. */
static void test_no_autoreset(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	r->e->autoreset = false;
	assert_int_equal(rig_connect(r, NULL), FK_E_CONNECT);
	assert_non_null(strstr(msg(r), "no serial data received"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "--before no_reset"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "GPIO0"));
	/* the user holds GPIO0 low and taps EN */
	fk_ctx_clear(r->ctx);
	esp_ldr_free(&r->l);
	fk_transport_close(&r->t);
	r->e->strap_download = true;
	tw_esp_reset(r->e);
	assert_int_equal(rig_connect(r, "no_reset"), 0);
	assert_true(r->l.synced);
	rig_free(r);
}

/* A reset that leaves the boot pin high: the ROM's boot log shows SPI boot, no "waiting for
 * download": wrong boot mode, with the value printed. (The USB-Serial/JTAG sequence on the
 * classic two-transistor circuit ends with IO0 high.) */
static void test_wrong_boot_mode(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, "usb_reset"), FK_E_CONNECT);
	assert_non_null(strstr(msg(r), "wrong boot mode detected (boot:0x13)"));
	rig_free(r);
}

/* UART_DOWNLOAD_DIS (ESP32 v3): the ROM says so and stays silent; nothing can undo it. */
static void test_download_disabled(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	efuse(r, "UART_DOWNLOAD_DIS", 1);
	assert_int_equal(rig_connect(r, NULL), FK_E_CONNECT);
	assert_non_null(strstr(msg(r), "download mode is disabled by eFuse"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "cannot be cleared"));
	rig_free(r);
}

/* C3 Secure Download Mode: GET_SECURITY_INFO flag bit 2; READ_REG refused as unsupported
 * (serial-protocol.rst "Supported in Secure Download Mode"), so no magic word is read. */
static void test_secure_download(void **st)
{
	(void)st;
	rig *r = rig_new("esp32c3");
	efuse(r, "ENABLE_SECURITY_DOWNLOAD", 1);
	assert_int_equal(rig_connect(r, NULL), 0);
	assert_true(r->l.have_security);
	assert_true(r->l.sec.flags & ESP_SEC_SECURE_DOWNLOAD);
	assert_false(r->l.have_magic);
	uint32_t v;
	assert_int_equal(esp_ldr_read_reg(&r->l, ESP_MAGIC_REG, &v), FK_E_UNSUPPORTED);
	assert_non_null(strstr(msg(r), "does not support this command"));
	rig_free(r);
}

/* A FLASH_DATA block whose checksum word is wrong: ROM error 0x07, a protocol error with a
 * hint about the line. */
static void test_checksum_error(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, NULL), 0);
	assert_int_equal(esp_ldr_flash_begin(&r->l, 0x1000, 1, 0x400, 0x2000), 0);
	uint8_t d[16 + 0x400];
	memset(d, 0, sizeof d);
	d[1] = 0x04; /* len 0x400 */
	memset(d + 16, 0x5A, 0x400);
	uint8_t good = esp_checksum(d + 16, 0x400);
	int rc = esp_ldr_command(&r->l, ESP_FLASH_DATA, d, sizeof d, (uint8_t)(good ^ 1U), 0, 0,
				 NULL, NULL);
	assert_int_equal(rc, FK_E_PROTOCOL);
	assert_non_null(strstr(msg(r), "checksum"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "--baud"));
	rig_free(r);
}

/* Every ROM error code has a sentence; stub codes too. */
static void test_status_text(void **st)
{
	(void)st;
	char t[200];
	for (unsigned e = 0; e < 0x10; e++) {
		esp_ldr_status_text(false, 1, (uint8_t)e, t, sizeof t);
		assert_null(strstr(t, "unknown"));
	}
	esp_ldr_status_text(true, 0xC1, 0, t, sizeof t);
	assert_non_null(strstr(t, "checksum"));
}

/* The chip silent after the loader left (FLASH_END run): a timeout naming the command. */
static void test_silence_after_run(void **st)
{
	(void)st;
	rig *r = rig_new("esp32");
	assert_int_equal(rig_connect(r, NULL), 0);
	assert_int_equal(esp_ldr_flash_end(&r->l, true), 0);
	uint32_t v;
	r->l.tmo.cmd_ms = 200;
	assert_int_equal(esp_ldr_read_reg(&r->l, ESP_MAGIC_REG, &v), FK_E_TIMEOUT);
	assert_non_null(strstr(msg(r), "READ_REG: no answer"));
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_esp32),   cmocka_unit_test(test_connect_c3),
		cmocka_unit_test(test_words),           cmocka_unit_test(test_registers),
		cmocka_unit_test(test_spi_esp32),       cmocka_unit_test(test_spi_c3),
		cmocka_unit_test(test_spi_run_restores),
		cmocka_unit_test(test_write_md5),       cmocka_unit_test(test_change_baud),
		cmocka_unit_test(test_no_autoreset),    cmocka_unit_test(test_wrong_boot_mode),
		cmocka_unit_test(test_download_disabled), cmocka_unit_test(test_secure_download),
		cmocka_unit_test(test_checksum_error),  cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_silence_after_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
