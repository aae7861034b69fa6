/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/doctor/match.c: real logs, not clean lines. A message wrapped over two lines keeps matching
 * when every line carries a timestamp, a log level, a source location or a module path, when the
 * text is coloured (ANSI) or has CRLF line ends; and the prefix stripper leaves message words
 * alone (numbers such as "3.3V", a line that starts with a word followed by ':'). The prefix forms
 * are the ones in tests/doctor/cases/ (OpenOCD, st-flash, CubeProgrammer, pyOCD, probe-rs,
 * esptool traces). */
#include "fk_test.h"

#include "flashkey/doctor.h"

#include "doctor_fixture.h"

static unsigned score_of(const char *text, const char *id)
{
	fk_doctor_hit hits[32];
	int n = fk_doctor_match(cat, text, strlen(text), hits, 32);
	for (int i = 0; i < n && i < 32; i++)
		if (strcmp(hits[i].entry->id, id) == 0)
			return hits[i].score;
	return 0;
}

/* Two-line messages whose lines each carry a long prefix: without the stripper the prefix words
 * sit between the message's words (more than the matcher's gap of 3) and nothing matched. */
static void test_wrapped_with_prefixes(void **state)
{
	(void)state;
	static const char *const openocd_debug =
		"Debug: 229 69 stlink_usb.c:828 stlink_usb_idcode(): IDCODE: 0x2BA01477\n"
		"Warn : 230 69 hla_interface.c:95 hl_interface_init_target(): UNEXPECTED idcode: 0x2ba01477\n"
		"Error: 231 69 hla_interface.c:98 hl_interface_init_target(): expected 1 of 1: 0x1ba01477\n";
	assert_int_equal(score_of(openocd_debug, "openocd-unexpected-idcode-clone"), 100);

	static const char *const stflash =
		"2021-05-03T17:27:58 INFO common.c: Starting Flash write for L0\n"
		"2017-01-24T18:44:14 INFO src/stlink-common.c: SRAM size: 0x10000 bytes (64 KiB), Flash: 0 bytes\n"
		"2017-01-24T18:44:14 INFO src/stlink-common.c: (0 KiB) in pages of 2048 bytes\n";
	assert_true(score_of(stflash, "stflash-zero-size") >= 90);

	static const char *const cubeprog =
		"13:18:34 : Error: failed to download Segment[0]\n"
		"13:18:34 : Error: failed to download the File\n";
	(void)cubeprog; /* may or may not be catalogued: must simply not crash */
	fk_doctor_hit hits[4];
	assert_true(fk_doctor_match(cat, cubeprog, strlen(cubeprog), hits, 4) >= 0);

	static const char *const stm32flash =
		"12:06:46:555 : Got NACK from device on command 0x43\n"
		"12:06:46:556 : Can't initiate chip mass erase!\n";
	assert_true(score_of(stm32flash, "stm32flash-nack-erase") >= 90);
}

static void test_ansi_and_crlf(void **state)
{
	(void)state;
	static const char *const coloured =
		"\x1b[0;31mE (1234) esptool: \x1b[0mA fatal error occurred: Failed to connect to ESP32: "
		"Wrong boot mode detected (0x13)!\r\n\x1b[31mThe chip needs to be in download mode.\x1b[0m\r\n";
	assert_true(score_of(coloured, "esptool-wrong-boot") >= 90);
	static const char *const crlf = "Info : device id = 0x20036410\r\nError: stm32x device protected\r\n";
	assert_int_equal(score_of(crlf, "openocd-device-protected"), 100);
}

/* The stripper takes only what a tool puts in front of a line. */
static void test_message_words_kept(void **state)
{
	(void)state;
	/* a line that starts with the message (no prefix): nothing may be cut */
	static const char *const plain = "Got NACK from device on command 0x43";
	assert_int_equal(score_of(plain, "stm32flash-nack-erase") > 0, 1);
	/* "3.3V" is no timestamp; "Target:" after a level stays a word only when it is not a path */
	static const char *const volts = "Info : Target voltage: 3.3V\nError: init mode failed (unable to connect to the target)\n";
	assert_int_equal(score_of(volts, "openocd-init-mode-failed"), 100);
	/* a module path prefix (probe-rs) and a Python logger prefix (pyOCD) */
	static const char *const probers =
		" WARN probe_rs::probe::list::linux: Make sure you have reloaded udev rules\n"
		"Error: Failed to open probe: Failed to open the debug probe.\n";
	assert_int_equal(score_of(probers, "probe-rs-failed-open"), 100);
	static const char *const pyocd = "ERROR:root:eraseAll error: 104\n";
	assert_true(score_of(pyocd, "pyocd-erase-104") >= 90);
}

/* Prefix forms met in the corpus since (tests/doctor/cases/041, 059, 087): an env_logger stamp
 * with a time zone (espflash, "[2025-02-03T12:35:14Z INFO ]"), nrfjprog's worker tags after the
 * level ("[error] [ Worker] - "), a pyOCD counter logger ("0000653:WARNING:pyusb_backend:").
 * A message wrapped over two such lines must match as if it were on one line. */
static void test_more_prefixes(void **state)
{
	(void)state;
	static const char *const espflash =
		"[2025-02-03T12:35:14Z INFO ] A fatal error occurred: Failed to connect to ESP32:\n"
		"[2025-02-03T12:35:15Z ERROR] No serial data received.\n";
	assert_true(score_of(espflash, "esptool-no-serial") >= 90);
	static const char *const nrfjprog =
		"[error] [ Worker] - Access protection is enabled,\n"
		"[error] [  nRF91] - can't read block protection state.\n";
	assert_int_equal(score_of(nrfjprog, "nrfjprog-readback-protection"), 100);
	static const char *const pyocd =
		"0000653:WARNING:pyusb_backend:[Errno 13] Access denied\n"
		"0000653:WARNING:pyusb_backend:(insufficient permissions) while trying to interrogate\n";
	assert_int_equal(score_of(pyocd, "usb-access-denied"), 100);
	/* a millisecond stamp is a stamp; "3ms" glued to a word is not */
	static const char *const ms = "120ms Error: init mode failed (unable to connect to the target)\n";
	assert_int_equal(score_of(ms, "openocd-init-mode-failed"), 100);
	static const char *const notstamp = "12msX Error: open failed\n";
	fk_doctor_hit hits[4];
	assert_true(fk_doctor_match(cat, notstamp, strlen(notstamp), hits, 4) >= 0);
}

/* A plain word ending in ':' after a level word is a logger name only where a tool glues it to
 * the level ("INFO:root:", "WARNING:pyusb_backend:") or puts it after an ESP-IDF "(123)"
 * counter; after "error " it is the message's first word (dfu-util "error get_status: ..."). */
static void test_word_colon_after_level(void **state)
{
	(void)state;
	assert_int_equal(score_of("error get_status: LIBUSB_ERROR_IO\n", "dfuutil-usb-setup"), 100);
	assert_int_equal(score_of("ERROR get_status: LIBUSB_ERROR_PIPE\n", "dfuutil-usb-setup"), 100);
	assert_int_equal(score_of("Error: get_status: LIBUSB_ERROR_IO\n", "dfuutil-usb-setup"), 100);
	/* glued logger names are still dropped, so a wrapped message still joins up */
	static const char *const pyocd =
		"0000653:WARNING:pyusb_backend:[Errno 13] Access denied\n"
		"0000653:WARNING:pyusb_backend:(insufficient permissions) while trying to interrogate\n";
	assert_int_equal(score_of(pyocd, "usb-access-denied"), 100);
	assert_true(score_of("ERROR:root:eraseAll error: 104\n", "pyocd-erase-104") >= 90);
	/* a dotted file name after a spaced level is still a source location */
	static const char *const stlink = "2020-04-05T23:14:01 ERROR common.c: Flash memory is write "
					  "protected\n";
	assert_int_equal(score_of(stlink, "stflash-write-protected"), 100);
}

/* Hostile prefixes: endless stamps, lone ESC, prefix-only lines, a line of only separators. */
/* "cannot" and "can not" are the same words: ST-LINK Utility prints "Can not connect to target!",
 * the J-Link pattern says "cannot"; either spelling in a paste matches either in a pattern, and a
 * word that merely contains the letters ("cannotx") is not split. */
static void test_cannot_spellings(void **state)
{
	(void)state;
	assert_int_equal(score_of("Can not connect to target!\n", "jlink-could-not-connect"), 100);
	assert_int_equal(score_of("ERROR: Cannot connect to target.\n", "jlink-could-not-connect"), 100);
	static const char *const stlinkutil =
		"06:23:37 : Can not connect to target!\n"
		"If you're trying to connect to an STM32W1xx device, please select Normal or HotPlug mode\n";
	assert_int_equal(score_of(stlinkutil, "stlinkutil-cannot-connect"), 100);
	assert_int_equal(score_of("Cannot connect to target! If you're trying to connect\n",
				  "stlinkutil-cannot-connect"),
			 100);
	assert_int_equal(score_of("cannotx connect to target\n", "jlink-could-not-connect") == 100, 0);
}

static void test_hostile_prefixes(void **state)
{
	(void)state;
	char buf[4096];
	size_t n = 0;
	while (n + 16 < sizeof buf) {
		memcpy(buf + n, "12:34:56.789 ", 13);
		n += 13;
	}
	buf[n++] = 0x1b;
	buf[n++] = '[';
	fk_doctor_hit hits[4];
	assert_true(fk_doctor_match(cat, buf, n, hits, 4) >= 0);
	static const char *const odd = "\x1b\n\x1b[\nInfo:\n:::::\n[][]|||\n+1.2.3.4.5\nE:\nI (\n";
	assert_true(fk_doctor_match(cat, odd, strlen(odd), hits, 4) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrapped_with_prefixes),
		cmocka_unit_test(test_ansi_and_crlf),
		cmocka_unit_test(test_message_words_kept),
		cmocka_unit_test(test_more_prefixes),
		cmocka_unit_test(test_hostile_prefixes),
		cmocka_unit_test(test_cannot_spellings),
		cmocka_unit_test(test_word_colon_after_level),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
