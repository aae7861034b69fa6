/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32 / ESP32-C3 twin (twin/esp32): the ROM loader port driven in process with raw SLIP
 * frames, one test per documented rule (serial-protocol.rst, esptool loader.py, the TRMs as
 * cited in twin/esp32/esp.h and rom.c), the eFuse model, the auto-reset circuit, the state
 * image round trip and its refusals. */
#include "fk_test.h"

#include "core/aes.h"
#include "core/md5.h"
#include "esp32/esp.h"

/* ---------------------------------------------------------------- a host in the test */

typedef struct host {
	tw_esp *e;
	void *sess;
	uint8_t raw[1 << 17];
	size_t nraw;
	/* decoded frames */
	uint8_t fr[64][600];
	size_t frlen[64];
	unsigned nfr;
} host;

static host *host_new(const char *variant, bool enter)
{
	host *h = calloc(1, sizeof *h);
	assert_non_null(h);
	fk_ctx *ctx = fk_ctx_new();
	assert_int_equal(tw_esp_create(ctx, variant, NULL, &h->e), 0);
	assert_int_equal(tw_esp_rom_port.open(h->e, ctx, NULL, &h->sess), 0);
	if (enter)
		tw_esp_rom_port.board_reset(h->sess); /* as the servers: the board enters the ROM */
	fk_ctx_free(ctx);
	return h;
}

static void host_free(host *h)
{
	tw_esp_rom_port.close(h->sess);
	tw_esp_free(h->e);
	free(h);
}

/* Take everything the chip sent; split the SLIP frames out of it. */
static void drain(host *h)
{
	h->nraw = tw_esp_rom_port.tx(h->sess, h->raw, sizeof h->raw);
	h->nfr = 0;
	bool in = false, esc = false;
	size_t n = 0;
	for (size_t i = 0; i < h->nraw && h->nfr < 64; i++) {
		uint8_t c = h->raw[i];
		if (c == 0xC0) {
			if (in && n) {
				h->frlen[h->nfr++] = n;
				in = false;
			} else {
				in = true;
			}
			n = 0;
			continue;
		}
		if (!in)
			continue;
		if (esc) {
			c = c == 0xDC ? 0xC0 : 0xDB;
			esc = false;
		} else if (c == 0xDB) {
			esc = true;
			continue;
		}
		if (n < sizeof h->fr[0])
			h->fr[h->nfr][n++] = c;
	}
}

static const void *find(const host *h, const char *text)
{
	size_t n = strlen(text);
	for (size_t i = 0; i + n <= h->nraw; i++)
		if (memcmp(h->raw + i, text, n) == 0)
			return h->raw + i;
	return NULL;
}

static void send_raw(host *h, const uint8_t *p, size_t n)
{
	uint8_t enc[2 * 0x2000 + 64];
	size_t k = 0;
	enc[k++] = 0xC0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0xC0) {
			enc[k++] = 0xDB;
			enc[k++] = 0xDC;
		} else if (p[i] == 0xDB) {
			enc[k++] = 0xDB;
			enc[k++] = 0xDD;
		} else {
			enc[k++] = p[i];
		}
	}
	enc[k++] = 0xC0;
	tw_esp_rom_port.rx(h->sess, enc, k);
	drain(h);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void cmd(host *h, uint8_t op, const uint8_t *d, size_t n, uint32_t chk)
{
	uint8_t p[0x2000 + 64];
	p[0] = 0;
	p[1] = op;
	p[2] = (uint8_t)n;
	p[3] = (uint8_t)(n >> 8);
	put32(p + 4, chk);
	if (n)
		memcpy(p + 8, d, n);
	send_raw(h, p, 8 + n);
}

static void sync_(host *h)
{
	uint8_t d[36] = {0x07, 0x07, 0x12, 0x20};
	memset(d + 4, 0x55, 32);
	cmd(h, 0x08, d, 36, 0);
}

static uint32_t read_reg(host *h, uint32_t a)
{
	uint8_t d[4];
	put32(d, a);
	cmd(h, 0x0A, d, 4, 0);
	assert_int_equal(h->nfr, 1);
	assert_int_equal(h->fr[0][1], 0x0A);
	return get32(h->fr[0] + 4);
}

static void write_reg(host *h, uint32_t a, uint32_t v)
{
	uint8_t d[16];
	put32(d, a);
	put32(d + 4, v);
	put32(d + 8, 0xFFFFFFFFU);
	put32(d + 12, 0);
	cmd(h, 0x09, d, 16, 0);
	assert_int_equal(h->nfr, 1);
}

/* status byte and error byte of reply 0 (payload bytes before them) */
static void expect_status(host *h, size_t payload, uint8_t st, uint8_t err)
{
	assert_true(h->nfr >= 1);
	assert_true(h->frlen[0] >= 8 + payload + 2);
	assert_int_equal(h->fr[0][8 + payload], st);
	assert_int_equal(h->fr[0][9 + payload], err);
}

/* esptool run_spiflash_command with only MISO bits: RDSR, RDID (esp32-rom.md §3) */
static uint32_t spi_cmd(host *h, uint8_t op, unsigned miso_bits)
{
	const tw_esp_variant *v = h->e->v;
	uint32_t b = v->spi_base;
	write_reg(h, b + v->off_miso_dlen, miso_bits - 1);
	write_reg(h, b + v->off_user, (1U << 31) | (1U << 28));
	write_reg(h, b + v->off_user2, (7U << 28) | op);
	write_reg(h, b + v->off_w0, 0);
	write_reg(h, b + 0, 1U << 18);
	assert_int_equal(read_reg(h, b) & (1U << 18), 0); /* SPI_USR cleared when done */
	return read_reg(h, b + v->off_w0);
}

static void flash_begin(host *h, uint32_t size, uint32_t blocks, uint32_t bs, uint32_t off)
{
	uint8_t d[16];
	put32(d, size);
	put32(d + 4, blocks);
	put32(d + 8, bs);
	put32(d + 12, off);
	cmd(h, 0x02, d, 16, 0);
}

static void data_block(host *h, uint8_t op, const uint8_t *data, uint32_t n, uint32_t seq,
		       bool bad_sum)
{
	uint8_t d[0x1800 + 16];
	put32(d, n);
	put32(d + 4, seq);
	put32(d + 8, 0);
	put32(d + 12, 0);
	memcpy(d + 16, data, n);
	uint8_t c = 0xEF;
	for (uint32_t i = 0; i < n; i++)
		c ^= data[i];
	cmd(h, op, d, 16 + n, bad_sum ? (uint8_t)(c ^ 1) : c);
}

/* ---------------------------------------------------------------- tests */

/* loader.py sync(): the ROM answers SYNC 8 times, value non-zero, 4 status bytes (ROM of the
 * ESP32 and later, serial-protocol.rst "Status bytes"); the boot log came first. */
static void test_sync_rom(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	drain(h);
	assert_non_null(find(h, "boot:0x3 (DOWNLOAD_BOOT"));
	assert_non_null(find(h, "waiting for download"));
	sync_(h);
	assert_int_equal(h->nfr, 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(h->frlen[i], 12);
		assert_int_equal(h->fr[i][0], 0x01);
		assert_int_equal(h->fr[i][1], 0x08);
		assert_int_equal(get32(h->fr[i] + 4), 0x20120707U);
	}
	host_free(h);
}

/* Chip detection: ESP32 magic 0x00F01D83 at 0x40001000, GET_SECURITY_INFO unsupported by the
 * ESP32 ROM (status 1, error 0x05, another op: esptool's UnsupportedCommandError); the C3
 * answers it with chip id 5. */
static void test_detect(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	assert_int_equal(read_reg(h, 0x40001000U), 0x00F01D83U);
	cmd(h, 0x14, NULL, 0, 0);
	assert_int_equal(h->nfr, 1);
	assert_int_not_equal(h->fr[0][1], 0x14);
	expect_status(h, 0, 1, 0x05);
	host_free(h);

	h = host_new("esp32c3", true);
	cmd(h, 0x14, NULL, 0, 0);
	assert_int_equal(h->nfr, 1);
	assert_int_equal(h->fr[0][1], 0x14);
	assert_int_equal(get32(h->fr[0] + 8 + 12), 5);
	expect_status(h, 20, 0, 0);
	host_free(h);
}

/* eFuse words as esptool reads them: MAC from BLK0 words 1 and 2 (ESP32), BLOCK1 (C3);
 * RD_DIS bit 0 makes BLOCK1 read as zero (TRM §20). */
static void test_efuse_read(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	assert_int_equal(read_reg(h, 0x3FF5A004U), 0xC4123456U);
	assert_int_equal(read_reg(h, 0x3FF5A008U) & 0xFFFFU, 0x240AU);
	h->e->efuse[14] = 0xA5A5A5A5U; /* BLOCK1 word 0 */
	assert_int_equal(read_reg(h, 0x3FF5A038U), 0xA5A5A5A5U);
	tw_esp_field_set(h->e->efuse, tw_esp_field_find(TW_ESP32, "RD_DIS"), 1);
	assert_int_equal(read_reg(h, 0x3FF5A038U), 0);
	host_free(h);

	h = host_new("esp32c3", true);
	assert_int_equal(read_reg(h, 0x60008844U), 0x79123456U);
	assert_int_equal(read_reg(h, 0x60008848U) & 0xFFFFU, 0x58CFU);
	host_free(h);
}

/* run_spiflash_command through SPI1: RDID 9Fh reads EF 40 16 into W0 as byte0 | byte1 << 8 |
 * byte2 << 16 (esp_lpc.md A.6); RDSR 05h / 35h read the SPI NOR twin's registers. */
static void test_spi_user_command(void **st)
{
	(void)st;
	const char *vs[] = {"esp32", "esp32c3"};
	for (unsigned i = 0; i < 2; i++) {
		host *h = host_new(vs[i], true);
		assert_int_equal(spi_cmd(h, 0x9F, 24), 0x1640EFU);
		tw_spinor_set_field(h->e->flash, "bp", 3);
		assert_int_equal(spi_cmd(h, 0x05, 8), 0x0C);
		assert_int_equal(spi_cmd(h, 0x35, 8), 0x02); /* QE */
		host_free(h);
	}
}

/* ROM FLASH_BEGIN erases, FLASH_DATA programs and reads back (error 0x08 when the flash did
 * not take the data: block protection), SPI_FLASH_MD5 answers 32 hex digits; a checksum error
 * is 0x07. */
static void test_rom_flash(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	uint8_t img[0x400];
	for (unsigned i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 7 + 1);
	flash_begin(h, 0x1000, 1, 0x400, 0x20000);
	expect_status(h, 0, 0, 0);
	data_block(h, 0x03, img, 0x400, 0, true);
	expect_status(h, 0, 1, 0x07);
	data_block(h, 0x03, img, 0x400, 0, false);
	expect_status(h, 0, 0, 0);
	assert_memory_equal(tw_spinor_mem(h->e->flash) + 0x20000, img, 0x400);
	uint8_t d[16];
	put32(d, 0x20000);
	put32(d + 4, 0x400);
	put32(d + 8, 0);
	put32(d + 12, 0);
	cmd(h, 0x13, d, 16, 0);
	uint8_t dg[16];
	char hex[33];
	fk_md5_buf(img, sizeof img, dg);
	fk_md5_hex(dg, hex);
	assert_memory_equal(h->fr[0] + 8, hex, 32);
	expect_status(h, 32, 0, 0);

	/* all blocks protected (BP=7 on a 4 MiB part): the erase and program are ignored by the
	 * flash, the ROM's read-back fails */
	tw_spinor_set_field(h->e->flash, "bp", 7);
	flash_begin(h, 0x1000, 1, 0x400, 0x30000);
	expect_status(h, 0, 0, 0);
	data_block(h, 0x03, img, 0x400, 0, false);
	expect_status(h, 0, 1, 0x08);
	host_free(h);
}

/* FLASH_BEGIN with its fifth word "encrypted" = 1 on the C3 ROM (esptool loader.py flash_begin,
 * cmds.py write_flash --encrypt): the FLASH_DATA blocks go through the XTS_AES block with the
 * key of the block whose KEY_PURPOSE is XTS_AES_128_KEY (twin/esp32/crypt.c). The flash then
 * holds ciphertext that decrypts, with that key and espsecure's layout, to the image. */
static void flash_begin_enc(host *h, uint32_t size, uint32_t off, uint32_t enc)
{
	uint8_t d[20];
	put32(d, size);
	put32(d + 4, (size + 0x3FFU) / 0x400U);
	put32(d + 8, 0x400);
	put32(d + 12, off);
	put32(d + 16, enc);
	cmd(h, 0x02, d, 20, 0);
}

static void set_fuse(tw_esp *e, const char *name, uint32_t v)
{
	tw_esp_field_set(e->efuse, tw_esp_field_find(e->v->kind, name), v);
}

static void test_rom_flash_encrypted(void **st)
{
	(void)st;
	host *h = host_new("esp32c3", true);
	uint8_t key[32], img[0x800], got[0x800];
	for (unsigned i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xA0 + i);
	for (unsigned i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 13 + 5);
	assert_int_equal(tw_esp_set_key(h->e, 2, key), 0);
	set_fuse(h->e, "KEY_PURPOSE_2", 4); /* XTS_AES_128_KEY */
	set_fuse(h->e, "SPI_BOOT_CRYPT_CNT", 1);
	/* espefuse burn_key stores the key file reversed: BLOCK_KEY2 = BLOCK6, word 28 + 16 */
	assert_int_equal(read_reg(h, 0x6000882CU + 4U * (28U + 16U)),
			 (uint32_t)key[31] | (uint32_t)key[30] << 8 | (uint32_t)key[29] << 16 |
				 (uint32_t)key[28] << 24);

	flash_begin_enc(h, sizeof img, 0x10000, 1);
	expect_status(h, 0, 0, 0);
	data_block(h, 0x03, img, 0x400, 0, false);
	expect_status(h, 0, 0, 0);
	data_block(h, 0x03, img + 0x400, 0x400, 1, false);
	expect_status(h, 0, 0, 0);
	const uint8_t *fl = tw_spinor_mem(h->e->flash) + 0x10000;
	assert_memory_not_equal(fl, img, 16);
	fk_xts128 x;
	fk_xts128_init(&x, key);
	fk_esp_xts_crypt(&x, 0x10000, fl, got, sizeof got, false);
	assert_memory_equal(got, img, sizeof img);

	/* the ROM's MD5 is of the ciphertext: it cannot confirm the plaintext */
	uint8_t d[16], dg[16];
	char hex[33];
	put32(d, 0x10000);
	put32(d + 4, sizeof img);
	put32(d + 8, 0);
	put32(d + 12, 0);
	cmd(h, 0x13, d, 16, 0);
	fk_md5_buf(img, sizeof img, dg);
	fk_md5_hex(dg, hex);
	assert_memory_not_equal(h->fr[0] + 8, hex, 32);
	fk_md5_buf(fl, sizeof img, dg);
	fk_md5_hex(dg, hex);
	assert_memory_equal(h->fr[0] + 8, hex, 32);

	/* an offset that is no multiple of 16: refused before the erase */
	flash_begin_enc(h, 0x400, 0x20008, 1);
	expect_status(h, 0, 1, 0x01);
	/* encrypted flag 0: plaintext, as before */
	flash_begin_enc(h, 0x400, 0x20000, 0);
	expect_status(h, 0, 0, 0);
	data_block(h, 0x03, img, 0x400, 0, false);
	expect_status(h, 0, 0, 0);
	assert_memory_equal(tw_spinor_mem(h->e->flash) + 0x20000, img, 0x400);

	/* DIS_DOWNLOAD_MANUAL_ENCRYPT: no manual encryption in download mode; nothing erased */
	set_fuse(h->e, "DIS_DOWNLOAD_MANUAL_ENCRYPT", 1);
	flash_begin_enc(h, 0x400, 0x10000, 1);
	expect_status(h, 0, 1, 0x01);
	fk_esp_xts_crypt(&x, 0x10000, fl, got, 0x400, false);
	assert_memory_equal(got, img, 0x400);
	host_free(h);

	/* the ESP32 ROM has no encrypted download */
	h = host_new("esp32", true);
	flash_begin_enc(h, 0x400, 0x10000, 1);
	expect_status(h, 0, 1, 0x01);
	host_free(h);
}

/* MEM_BEGIN/DATA/END with code that is not the published stub: the ROM answers MEM_END and
 * jumps; unknown code leaves the chip silent (docs/TWIN.md). */
static void test_unknown_code_silent(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	uint8_t code[64];
	memset(code, 0x11, sizeof code);
	uint8_t d[16];
	put32(d, sizeof code);
	put32(d + 4, 1);
	put32(d + 8, 0x1800);
	put32(d + 12, 0x400A8000U);
	cmd(h, 0x05, d, 16, 0);
	expect_status(h, 0, 0, 0);
	data_block(h, 0x07, code, sizeof code, 0, false);
	expect_status(h, 0, 0, 0);
	put32(d, 0);
	put32(d + 4, 0x400A902CU);
	cmd(h, 0x06, d, 8, 0);
	expect_status(h, 0, 0, 0);
	assert_int_equal(h->e->run, TW_ESP_RUN_UNKNOWN);
	sync_(h);
	assert_int_equal(h->nraw, 0);
	host_free(h);
}

/* Download mode disabled by eFuse (ESP32 UART_DOWNLOAD_DIS, C3 DIS_DOWNLOAD_MODE): the ROM
 * prints its boot log and then answers nothing. */
static void test_download_disabled(void **st)
{
	(void)st;
	host *h = host_new("esp32", false);
	tw_esp_field_set(h->e->efuse, tw_esp_field_find(TW_ESP32, "UART_DOWNLOAD_DIS"), 1);
	tw_esp_rom_port.board_reset(h->sess);
	drain(h);
	assert_non_null(find(h, "download mode is disabled"));
	sync_(h);
	assert_int_equal(h->nraw, 0);
	host_free(h);
}

/* C3 Secure Download Mode: READ_REG is refused as unsupported, GET_SECURITY_INFO works and
 * carries flag bit 2 (serial-protocol.rst "Supported in Secure Download Mode"). */
static void test_secure_download(void **st)
{
	(void)st;
	host *h = host_new("esp32c3", false);
	tw_esp_field_set(h->e->efuse, tw_esp_field_find(TW_ESP32C3, "ENABLE_SECURITY_DOWNLOAD"), 1);
	tw_esp_rom_port.board_reset(h->sess);
	drain(h);
	uint8_t d[4];
	put32(d, 0x40001000U);
	cmd(h, 0x0A, d, 4, 0);
	assert_int_equal(h->nfr, 1);
	expect_status(h, 0, 1, 0x05);
	cmd(h, 0x14, NULL, 0, 0);
	assert_int_equal(get32(h->fr[0] + 8) & 4U, 4U);
	host_free(h);
}

/* The auto-reset circuit: esptool's ClassicReset (DTR=0 RTS=1, then DTR=1 RTS=0, then both 0)
 * resets into download mode; on a board without the circuit the lines do nothing and a reset
 * with the boot pin released boots the application (silent). */
static void test_autoreset(void **st)
{
	(void)st;
	host *h = host_new("esp32", false);
	drain(h);
	assert_int_equal(h->e->run, TW_ESP_RUN_APP);
	tw_esp_rom_port.lines(h->sess, TW_LINE_RTS);
	tw_esp_rom_port.lines(h->sess, TW_LINE_DTR);
	tw_esp_rom_port.lines(h->sess, 0);
	drain(h);
	assert_int_equal(h->e->run, TW_ESP_RUN_ROM);
	assert_non_null(find(h, "waiting for download"));
	host_free(h);

	h = host_new("esp32", false);
	h->e->autoreset = false;
	tw_esp_rom_port.lines(h->sess, TW_LINE_RTS);
	tw_esp_rom_port.lines(h->sess, TW_LINE_DTR);
	tw_esp_rom_port.lines(h->sess, 0);
	drain(h);
	assert_int_equal(h->e->run, TW_ESP_RUN_APP);
	tw_esp_rom_port.board_reset(h->sess); /* EN tapped, IO0 not held */
	drain(h);
	assert_non_null(find(h, "boot:0x13 (SPI_FAST_FLASH_BOOT)"));
	sync_(h);
	assert_int_equal(h->nraw, 0);
	h->e->strap_download = true; /* the user holds IO0 and taps EN */
	tw_esp_rom_port.board_reset(h->sess);
	sync_(h);
	assert_int_equal(h->nfr, 8);
	host_free(h);
}

/* CHANGE_BAUDRATE: the reply at the old rate, then the UART runs at the new one. */
static void test_change_baud(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	uint64_t b0 = tw_esp_rom_port.byte_ns(h->sess);
	uint8_t d[8];
	put32(d, 921600);
	put32(d + 4, 0);
	cmd(h, 0x0F, d, 8, 0);
	expect_status(h, 0, 0, 0);
	uint64_t b1 = tw_esp_rom_port.byte_ns(h->sess);
	assert_true(b1 * 7 < b0 && b1 * 9 > b0);
	host_free(h);
}

/* Bad input: noise and a bad escape before a frame are dropped, the next frame is answered. */
static void test_noise_and_bad_escape(void **st)
{
	(void)st;
	host *h = host_new("esp32", true);
	drain(h);
	const uint8_t junk[] = {'h', 'e', 'l', 'l', 'o', 0xC0, 0x00, 0xDB, 0x11, 0x22, 0xC0};
	tw_esp_rom_port.rx(h->sess, junk, sizeof junk);
	drain(h);
	assert_int_equal(h->nraw, 0);
	assert_int_equal(read_reg(h, 0x40001000U), 0x00F01D83U);
	host_free(h);
}

/* The state image: round trip keeps eFuses, board and flash; corruption and truncation are
 * refused with FK_E_BAD_FILE. */
static void test_state_round_trip(void **st)
{
	(void)st;
	fk_ctx *ctx = fk_ctx_new();
	tw_esp *e;
	assert_int_equal(tw_esp_create(ctx, "esp32c3", "w25q64jv", &e), 0);
	tw_esp_field_set(e->efuse, tw_esp_field_find(TW_ESP32C3, "SPI_BOOT_CRYPT_CNT"), 1);
	e->autoreset = false;
	tw_spinor_mem(e->flash)[0x1234] = 0x5A;
	uint8_t *buf;
	size_t len;
	assert_int_equal(tw_esp_save_buf(e, &buf, &len), 0);
	tw_esp *f;
	assert_int_equal(tw_esp_load_buf(ctx, "t", buf, len, &f), 0);
	assert_true(tw_esp_flash_encrypted(f));
	assert_false(f->autoreset);
	assert_int_equal(tw_spinor_mem(f->flash)[0x1234], 0x5A);
	assert_int_equal(tw_esp_flash_size(f), 8U * 1024U * 1024U);
	tw_esp_free(f);
	buf[50] ^= 1;
	assert_int_equal(tw_esp_load_buf(ctx, "t", buf, len, &f), FK_E_BAD_FILE);
	buf[50] ^= 1;
	assert_int_equal(tw_esp_load_buf(ctx, "t", buf, len - 9, &f), FK_E_BAD_FILE);
	free(buf);
	tw_esp_free(e);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_rom),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_efuse_read),
		cmocka_unit_test(test_spi_user_command),
		cmocka_unit_test(test_rom_flash),
		cmocka_unit_test(test_rom_flash_encrypted),
		cmocka_unit_test(test_unknown_code_silent),
		cmocka_unit_test(test_download_disabled),
		cmocka_unit_test(test_secure_download),
		cmocka_unit_test(test_autoreset),
		cmocka_unit_test(test_change_baud),
		cmocka_unit_test(test_noise_and_bad_escape),
		cmocka_unit_test(test_state_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
