/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/esp_rom codec: SLIP framing and its hostile inputs (bad escapes, overflow, noise before
 * a frame, empty frames), packets in both directions with the exact bytes of
 * serial-protocol.rst's examples, the data checksum, status bytes, names and the ROM boot log. */
#include "fk_test.h"

#include "boot/esp_rom.h"

static esp_slip_ev feed_all(esp_slip_dec *d, const uint8_t *p, size_t n, size_t *used)
{
	for (size_t i = 0; i < n; i++) {
		esp_slip_ev ev = esp_slip_feed(d, p[i]);
		if (ev != ESP_SLIP_MORE) {
			*used = i + 1;
			return ev;
		}
	}
	*used = n;
	return ESP_SLIP_MORE;
}

/* serial-protocol.rst "Low Level Protocol": C0 -> DB DC, DB -> DB DD, delimiters C0. */
static void test_slip_encode_escapes(void **st)
{
	(void)st;
	const uint8_t in[] = {0x01, 0xC0, 0x02, 0xDB, 0x03};
	const uint8_t want[] = {0xC0, 0x01, 0xDB, 0xDC, 0x02, 0xDB, 0xDD, 0x03, 0xC0};
	uint8_t out[32];
	size_t n = esp_slip_encode(in, sizeof in, out, sizeof out);
	assert_int_equal(n, sizeof want);
	assert_memory_equal(out, want, sizeof want);
	/* too small a buffer: 0, never a partial frame reported as complete */
	assert_int_equal(esp_slip_encode(in, sizeof in, out, sizeof want - 1), 0);
	assert_int_equal(esp_slip_encode(in, 0, out, sizeof out), 2);
}

static void test_slip_round_trip_all_bytes(void **st)
{
	(void)st;
	uint8_t in[256], enc[ESP_SLIP_MAX_ENCODED(256)], dec[300];
	for (unsigned i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	size_t n = esp_slip_encode(in, sizeof in, enc, sizeof enc);
	assert_int_equal(n, 256 + 2 + 2); /* C0 and DB each take one extra byte */
	esp_slip_dec d;
	esp_slip_init(&d, dec, sizeof dec);
	size_t used;
	assert_int_equal(feed_all(&d, enc, n, &used), ESP_SLIP_FRAME);
	assert_int_equal(used, n);
	assert_int_equal(d.len, 256);
	assert_memory_equal(dec, in, 256);
}

/* esptool's reader refuses "DB" followed by anything but DC/DD ("Invalid SLIP escape"); the
 * decoder reports the byte and drops the frame, then decodes the next one. */
static void test_slip_bad_escape_then_recovers(void **st)
{
	(void)st;
	const uint8_t in[] = {0xC0, 0x01, 0xDB, 0x41, 0x02, 0xC0, 0xC0, 0x07, 0xC0};
	uint8_t buf[16];
	esp_slip_dec d;
	esp_slip_init(&d, buf, sizeof buf);
	size_t used, off = 0;
	assert_int_equal(feed_all(&d, in, sizeof in, &used), ESP_SLIP_BAD_ESCAPE);
	assert_int_equal(d.bad, 0x41);
	off += used;
	assert_int_equal(feed_all(&d, in + off, sizeof in - off, &used), ESP_SLIP_FRAME);
	assert_int_equal(d.len, 1);
	assert_int_equal(buf[0], 0x07);
}

static void test_slip_overflow_dropped(void **st)
{
	(void)st;
	uint8_t buf[4];
	esp_slip_dec d;
	esp_slip_init(&d, buf, sizeof buf);
	const uint8_t in[] = {0xC0, 1, 2, 3, 4, 5, 6, 0xC0, 0xC0, 9, 0xC0};
	size_t used, off = 0;
	assert_int_equal(feed_all(&d, in, sizeof in, &used), ESP_SLIP_OVERFLOW);
	off += used;
	assert_int_equal(feed_all(&d, in + off, sizeof in - off, &used), ESP_SLIP_FRAME);
	assert_int_equal(d.len, 1);
	assert_int_equal(buf[0], 9);
}

/* The ROM prints its boot log (text) before any frame: it is noise, counted and kept. Empty
 * frames are skipped. */
static void test_slip_noise_and_empty_frames(void **st)
{
	(void)st;
	const char *log = "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_"
			  "REI_REO_V2))\r\nwaiting for download\r\n";
	uint8_t buf[16];
	esp_slip_dec d;
	esp_slip_init(&d, buf, sizeof buf);
	size_t used;
	assert_int_equal(feed_all(&d, (const uint8_t *)log, strlen(log), &used), ESP_SLIP_MORE);
	assert_int_equal(d.noise, strlen(log));
	assert_int_equal(d.noise_n, ESP_SLIP_NOISE_KEEP);
	assert_memory_equal(d.noise_tail + ESP_SLIP_NOISE_KEEP - 6, "load\r\n", 6);
	const uint8_t fr[] = {0xC0, 0xC0, 0xC0, 0x33, 0xC0};
	assert_int_equal(feed_all(&d, fr, sizeof fr, &used), ESP_SLIP_FRAME);
	assert_int_equal(used, sizeof fr);
	assert_int_equal(d.len, 1);
	assert_false(esp_slip_in_frame(&d));
	esp_slip_reset(&d);
	assert_int_equal(d.noise, 0);
}

/* serial-protocol.rst "Command Packet": 00 op size(LE16) checksum(LE32) data. */
static void test_pkt_build_parse_request(void **st)
{
	(void)st;
	uint8_t sync[ESP_SYNC_LEN], pkt[64];
	esp_sync_payload(sync);
	assert_true(esp_is_sync_payload(sync, sizeof sync));
	size_t n = esp_pkt_build(pkt, sizeof pkt, ESP_DIR_REQ, ESP_SYNC, 0, sync, sizeof sync);
	assert_int_equal(n, 44);
	const uint8_t head[] = {0x00, 0x08, 0x24, 0x00, 0, 0, 0, 0, 0x07, 0x07, 0x12, 0x20, 0x55};
	assert_memory_equal(pkt, head, sizeof head);
	esp_pkt p;
	assert_int_equal(esp_pkt_parse(pkt, n, ESP_DIR_REQ, &p), ESP_PKT_OK);
	assert_int_equal(p.op, ESP_SYNC);
	assert_int_equal(p.size, 36);
	assert_true(esp_is_sync_payload(p.data, p.size));
	/* wrong direction, truncated, size field lying */
	assert_int_equal(esp_pkt_parse(pkt, n, ESP_DIR_RESP, &p), ESP_PKT_BAD_DIR);
	assert_int_equal(esp_pkt_parse(pkt, 7, ESP_DIR_REQ, &p), ESP_PKT_SHORT);
	assert_int_equal(esp_pkt_parse(pkt, n - 1, ESP_DIR_REQ, &p), ESP_PKT_BAD_SIZE);
	assert_int_equal(esp_pkt_build(pkt, 10, ESP_DIR_REQ, ESP_SYNC, 0, sync, sizeof sync), 0);
}

/* A READ_REG response of an ESP32 ROM as in esptool issue traces: 01 0a 0400 <value> 00000000;
 * the 4 status bytes (status, error, 0, 0) follow the payload. */
static void test_pkt_response_status(void **st)
{
	(void)st;
	const uint8_t r[] = {0x01, 0x0A, 0x04, 0x00, 0x83, 0x1D, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00};
	esp_pkt p;
	assert_int_equal(esp_pkt_parse(r, sizeof r, ESP_DIR_RESP, &p), ESP_PKT_OK);
	assert_int_equal(p.word, 0x00F01D83);
	uint8_t s, e;
	assert_true(esp_pkt_status(&p, 0, 4, &s, &e));
	assert_int_equal(s, 0);
	assert_int_equal(e, 0);
	assert_false(esp_pkt_status(&p, 1, 4, &s, &e)); /* would need 5 bytes */
	/* an MD5 reply: 32 ASCII hex chars then status 01 07 (checksum error) */
	uint8_t md[40] = {0};
	memset(md, 'a', 32);
	md[32] = 1;
	md[33] = ESP_ROM_ERR_CHECKSUM;
	uint8_t pkt[64];
	size_t n = esp_pkt_build(pkt, sizeof pkt, ESP_DIR_RESP, ESP_SPI_FLASH_MD5, 0, md, 36);
	assert_int_equal(esp_pkt_parse(pkt, n, ESP_DIR_RESP, &p), ESP_PKT_OK);
	assert_true(esp_pkt_status(&p, 32, 4, &s, &e));
	assert_int_equal(s, 1);
	assert_int_equal(e, 7);
	uint32_t w;
	assert_true(esp_pkt_u32(&p, 8, &w));
	assert_false(esp_pkt_u32(&p, 9, &w));
}

/* serial-protocol.rst "Checksum": seed 0xEF, XOR of the data bytes only. */
static void test_checksum(void **st)
{
	(void)st;
	assert_int_equal(esp_checksum(NULL, 0), 0xEF);
	const uint8_t d[] = {0xEF};
	assert_int_equal(esp_checksum(d, 1), 0x00);
	uint8_t ff[1024];
	memset(ff, 0xFF, sizeof ff);
	assert_int_equal(esp_checksum(ff, sizeof ff), 0xEF); /* an even count of FF cancels */
	assert_int_equal(esp_checksum(ff, 3), 0xEF ^ 0xFF);
}

static void test_names(void **st)
{
	(void)st;
	assert_string_equal(esp_cmd_name(ESP_SPI_ATTACH), "SPI_ATTACH");
	assert_string_equal(esp_cmd_name(0x77), "unknown command");
	assert_non_null(strstr(esp_rom_error_text(ESP_ROM_ERR_CHECKSUM), "checksum"));
	assert_non_null(strstr(esp_rom_error_text(ESP_ROM_ERR_FLASH_WRITE), "write-protected"));
	assert_string_equal(esp_rom_error_text(0x69), "insufficient storage");
	assert_string_equal(esp_rom_error_text(0x99), "unknown ROM error code");
	assert_string_equal(esp_stub_error_text(0xC1), "bad data checksum");
	assert_string_equal(esp_stub_error_text(0xFF), "command not implemented");
	assert_string_equal(esp_stub_error_text(0x10), "unknown stub error code");
}

/* esptool loader.py _connect_attempt: boot:(0x..)(.*waiting for download)? */
static void test_boot_log(void **st)
{
	(void)st;
	esp_boot_log b;
	static const char dl[] = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 "
			 "(SPI_FAST_FLASH_BOOT)\r\n\xff\x00rst:0x1 (POWERON_RESET),boot:0x3 "
			 "(DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n";
	esp_boot_log_scan((const uint8_t *)dl, sizeof dl - 1, &b); /* a NUL inside: binary noise */
	assert_true(b.seen_boot);
	assert_int_equal(b.boot_mode, 0x3);
	assert_true(b.download);
	const char *fl = "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
	esp_boot_log_scan((const uint8_t *)fl, strlen(fl), &b);
	assert_true(b.seen_boot);
	assert_int_equal(b.boot_mode, 0x13);
	assert_false(b.download);
	esp_boot_log_scan((const uint8_t *)"boot:0xZZ", 9, &b);
	assert_false(b.seen_boot);
	esp_boot_log_scan((const uint8_t *)"boot:0x", 7, &b); /* truncated at the end */
	assert_false(b.seen_boot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slip_encode_escapes),
		cmocka_unit_test(test_slip_round_trip_all_bytes),
		cmocka_unit_test(test_slip_bad_escape_then_recovers),
		cmocka_unit_test(test_slip_overflow_dropped),
		cmocka_unit_test(test_slip_noise_and_empty_frames),
		cmocka_unit_test(test_pkt_build_parse_request),
		cmocka_unit_test(test_pkt_response_status),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_boot_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
