/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/doctor: the built-in catalogue is complete and valid (every entry sourced, with causes and
 * remedies), every entry recognises its own text and samples, a hand-written list of real
 * messages copied from the sources (anchors.md, stm32.md, an3155.md, esp_lpc.md, the seeds) is
 * recognised as the right family, tricky input behaves, parser defects are caught with a line
 * number, and live verdicts follow the facts an STM32F4 inventory (decoded by lib/chip from
 * register values of RM0090 §3.9) establishes. */
#include "fk_test.h"

#include "chip/stm32f4.h"
#include "devices/stm32f4.h"
#include "flashkey/doctor.h"

#include "doctor_fixture.h"

/* Index of entry id among the hits for text, or -1; *score gets its score. */
static int hit_rank(const char *text, const char *id, unsigned *score)
{
	fk_doctor_hit hits[32];
	int n = fk_doctor_match(cat, text, strlen(text), hits, 32);
	assert_true(n >= 0);
	for (int i = 0; i < n && i < 32; i++)
		if (strcmp(hits[i].entry->id, id) == 0) {
			if (score)
				*score = hits[i].score;
			return i;
		}
	return -1;
}

static void test_catalogue_complete(void **state)
{
	(void)state;
	unsigned n = fk_doctor_entry_count(cat);
	assert_true(n >= 40);
	for (unsigned i = 0; i < n; i++) {
		const fk_doctor_entry *e = fk_doctor_entry_at(cat, i);
		assert_non_null(e->tool);
		assert_non_null(e->text);
		assert_true(strlen(e->source) >= 8); /* a real reference, not "x" */
		assert_true(e->ncauses >= 1);
		assert_true(e->npatterns >= 1);
		for (unsigned k = 0; k < e->ncauses; k++) {
			const fk_doctor_cause *c = e->causes[k];
			assert_non_null(c->text);
			/* a remedy: a flashkey command, or an honest explanation */
			assert_true(c->fix || c->explain);
			if (c->fix)
				assert_true(strncmp(c->fix, "flashkey ", 9) == 0);
			if (c->outside)
				assert_non_null(c->explain);
		}
	}
	assert_null(fk_doctor_entry_at(cat, n));
	/* the health check covers the seed-002 symptom table plus voltage and debug pins */
	static const char *const health[] = {"device-locked", "mass-erase-refused",
					     "target-not-halted", "options-inconsistent",
					     "write-protected-sector", "low-voltage", "debug-pins"};
	for (size_t i = 0; i < sizeof health / sizeof health[0]; i++) {
		const fk_doctor_health *h = NULL;
		for (unsigned k = 0; k < fk_doctor_health_count(cat); k++)
			if (strcmp(fk_doctor_health_at(cat, k)->id, health[i]) == 0)
				h = fk_doctor_health_at(cat, k);
		if (!h)
			fail_msg("health item %s missing", health[i]);
		assert_true(h->ncauses >= 1);
		/* a running core is a note, not a problem: flashkey halts it itself */
		assert_int_equal(h->blocking, strcmp(health[i], "target-not-halted") != 0);
	}
}

/* Every cause that can be confirmed on an STM32F4 has a flashkey fix or says why none exists. */
static void test_causes_have_checks(void **state)
{
	(void)state;
	for (unsigned i = 0; i < fk_doctor_cause_count(cat); i++) {
		const fk_doctor_cause *c = fk_doctor_cause_at(cat, i);
		assert_non_null(c->check);
		if (c->confirm.n == 0 && c->rule_out.n == 0)
			assert_true(c->outside || c->fix);
	}
}

/* The catalogue's own texts and samples. */
static void test_entries_match_own_texts(void **state)
{
	(void)state;
	for (unsigned i = 0; i < fk_doctor_entry_count(cat); i++) {
		const fk_doctor_entry *e = fk_doctor_entry_at(cat, i);
		unsigned score = 0;
		if (hit_rank(e->text, e->id, &score) < 0 || score != 100)
			fail_msg("entry %s does not recognise its text \"%s\" (score %u)", e->id,
				 e->text, score);
		for (unsigned k = 0; k < e->nsamples; k++) {
			score = 0;
			if (hit_rank(e->samples[k], e->id, &score) < 0 || score < 90)
				fail_msg("entry %s does not recognise sample \"%s\" (score %u)", e->id,
					 e->samples[k], score);
		}
	}
}

/* Real messages, copied from the sources (not from the catalogue), and the family they belong
 * to. The first hit must be that family. */
static const struct {
	const char *text, *id;
} real[] = {
	{"Error: Failed to download data! If it's a Flash memory, it may be not erased or protected",
	 "cubeprog-download-failed"},
	{"Error: Failed to download data!If it's a Flash memory, it may be not erased or protected",
	 "cubeprog-download-failed"},
	{"Error: failed to erase memory\nError: failed to erase memory", "cubeprog-erase-failed"},
	{"Error: Expected value for Option Byte \"RDP\": 0xAA, found: 0xFF", "cubeprog-ob-expected"},
	{"Option Byte Programming failed Or modified by application after OB_LAUNCH",
	 "cubeprog-ob-launch"},
	{"Device is under Read Out Protection or Target is held under reset", "cubeprog-rop-or-reset"},
	{"Error: Unable to get core ID", "cubeprog-core-id"},
	{"Warning: The core is locked up", "cubeprog-core-locked-up"},
	{"OTP programming commands are not supported with STLINK interfaces for this device",
	 "cubeprog-otp-stlink"},
	{"Can not read memory! Disable Read Out Protection and retry.", "stlinkutil-cannot-read"},
	{"Could not update the option bytes!", "stlinkcli-ob-update"},
	{"Error: stm32x device protected", "openocd-device-protected"},
	{"Error: failed erasing sectors 0 to 2", "openocd-failed-erasing"},
	{"Error: Target not halted", "openocd-target-not-halted"},
	{"stm32x unlocked.\nINFO: a reset or power cycle is required for the new settings to take "
	 "effect.",
	 "openocd-reset-required"},
	{"Error: jtag status contains invalid mode value - communication failure",
	 "openocd-invalid-mode"},
	{"OTP protection can only be enabled", "openocd-otp-protect"},
	{"Flash memory is write protected", "stflash-write-protected"},
	{"Option control register writing is currently not implemented for connected chip",
	 "stflash-ob-unsupported"},
	{"Got NACK from device on command 0x43", "stm32flash-nack-erase"},
	{"Got NACK from device on command 0x73", "stm32flash-nack-unprotect"},
	{"Failed to read memory at address 0x08000000, target write-protected?", "stm32flash-read-wp"},
	{"Failed to init device, timeout.", "stm32flash-init"},
	{"Got byte 0x1f instead of ACK", "stm32flash-byte-not-ack"},
	{"Perhaps your chip has write protected sectors that need to be cleared?", "probers-wp-hint"},
	{"The execution of 'init' failed with code 134217728. This might indicate a problem with the "
	 "flash algorithm.",
	 "probers-init-failed"},
	{"Memory transfer fault (read) @ 0x08000000-0x0800003f", "pyocd-transfer-fault"},
	{"eraseAll error: 104", "pyocd-erase-104"},
	{"A fatal error occurred: MD5 of file does not match data in flash!", "esptool-md5"},
	{"A fatal error occurred: Failed to connect to ESP32: No serial data received.",
	 "esptool-no-serial"},
	{"Failed to connect to ESP32: Wrong boot mode detected (0x13)! The chip needs to be in "
	 "download mode.",
	 "esptool-wrong-boot"},
	{"Active security features detected, erasing flash is disabled as a safety measure.",
	 "esptool-erase-disabled"},
	{"CODE READ PROTECTION ENABLED", "lpc21isp-crp"},
	{"Page at 0x08004000 is not writeable", "dfuutil-not-writeable"},
	{"At least part of the write range is write protected!", "flashrom-wp-range"},
	/* seeds */
	{"FAILED (remote: 'Flashing Lock Flag is locked. Please unlock it first!')",
	 "fastboot-unisoc-lock"},
	{"flashing lock flag is locked. please unlock it first", "fastboot-unisoc-lock"},
	{"Writing Flash Programmer... Fail", "phone-writing-programmer"},
	{"writing flash programmer... fail unlock tool", "phone-writing-programmer"},
	{"If you are flashing firmware and receive an error regarding anti-rollback",
	 "phone-anti-rollback"},
	{"Error: STM32 flash write protection error", "article-write-protection-error"},
	{"Error: dap service can't execute requested operation", "article-dap-service"},
	{"| “Connection failed – device locked” | RDP active (Level 1) | Refuse connect |",
	 "symptom-device-locked"},
	{"| “Mass erase not allowed” | RDP active | Erase rejected |", "symptom-mass-erase"},
	{"| “Target not halted” | Debug port disabled (JTAG/SWD kill) |", "openocd-target-not-halted"},
	{"| “Option byte CRC error” | Corrupt OB after bad flash |", "symptom-ob-crc"},
	{"| “Write protected sector” | Flash option bits set |", "symptom-write-protected-sector"},
};

static void test_real_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
		fk_doctor_hit hits[8];
		int n = fk_doctor_match(cat, real[i].text, strlen(real[i].text), hits, 8);
		if (n < 1 || strcmp(hits[0].entry->id, real[i].id) != 0)
			fail_msg("\"%s\": expected %s first, got %s (%d hits)", real[i].text,
				 real[i].id, n > 0 ? hits[0].entry->id : "nothing", n);
	}
}

static char *slurp(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f = fopen(fk_test_src(path, sizeof path, rel), "rb");
	assert_non_null(f);
	static char buf[65536];
	*len = fread(buf, 1, sizeof buf - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void expect_in_file(const char *rel, const char *const *ids)
{
	size_t len;
	char *text = slurp(rel, &len);
	for (; *ids; ids++)
		if (hit_rank(text, *ids, NULL) < 0)
			fail_msg("%s: %s not recognised", rel, *ids);
}

/* The seed pages pasted whole: every message in them is recognised. */
static void test_seed_pages(void **state)
{
	(void)state;
	static const char *const s0[] = {"fastboot-unisoc-lock", "article-write-protection-error",
					 "article-dap-service", NULL};
	static const char *const s1[] = {"phone-writing-programmer", "phone-anti-rollback", NULL};
	static const char *const s2[] = {"symptom-device-locked", "symptom-mass-erase",
					 "openocd-target-not-halted", "symptom-ob-crc",
					 "symptom-write-protected-sector", "phone-writing-programmer",
					 "phone-anti-rollback", NULL};
	static const char *const s3[] = {"cubeprog-download-failed", NULL};
	expect_in_file("tests/fuzz/corpus/fuzz_doctor_match/seed_000.txt", s0);
	expect_in_file("tests/fuzz/corpus/fuzz_doctor_match/seed_001.txt", s1);
	expect_in_file("tests/fuzz/corpus/fuzz_doctor_match/seed_002.txt", s2);
	expect_in_file("tests/fuzz/corpus/fuzz_doctor_match/seed_003.txt", s3);
}

static void test_tolerant(void **state)
{
	(void)state;
	unsigned score = 0;
	/* case, spacing, line breaks inside the message, prefixes */
	assert_int_equal(hit_rank("ERROR:   STM32X\n  DEVICE\r\n PROTECTED", "openocd-device-protected",
				  &score),
			 0);
	assert_int_equal(score, 100);
	assert_int_equal(hit_rank("Info : xxx\nError: failed erasing sectors 4 to 11\n",
				  "openocd-failed-erasing", &score),
			 0);
	assert_int_equal(score, 100);
	/* one word missing: still found, with a lower score */
	assert_true(hit_rank("failed to download data! If it's a Flash, it may be not erased or protected",
			     "cubeprog-download-failed", &score) == 0);
	assert_true(score >= FK_DOCTOR_MIN_SCORE && score < 100);
	/* two words of four are not the message */
	assert_true(hit_rank("the device failed to boot", "stm32flash-init", NULL) < 0);
	/* several messages pasted at once: each is reported */
	const char *two = "Error: Target not halted\nError: failed erasing sectors 0 to 2\n"
			  "A fatal error occurred: MD5 of file does not match data in flash!";
	assert_true(hit_rank(two, "openocd-target-not-halted", NULL) >= 0);
	assert_true(hit_rank(two, "openocd-failed-erasing", NULL) >= 0);
	assert_true(hit_rank(two, "esptool-md5", NULL) >= 0);
	/* a number is a number, not any word */
	assert_true(hit_rank("failed erasing sectors zero to two", "openocd-failed-erasing",
			     &score) < 0 ||
		    score < 100);
}

static void test_junk(void **state)
{
	(void)state;
	fk_doctor_hit hits[4];
	const char *prose = "The quick brown fox jumps over the lazy dog; nothing failed today.";
	assert_int_equal(fk_doctor_match(cat, prose, strlen(prose), hits, 4), 0);
	assert_int_equal(fk_doctor_match(cat, "", 0, hits, 4), 0);
	assert_int_equal(fk_doctor_match(cat, NULL, 0, hits, 4), 0);
	/* binary junk and an oversized paste: no crash, bounded time, nothing invented */
	size_t big = FK_DOCTOR_MAX_INPUT + 4096;
	char *buf = malloc(big);
	assert_non_null(buf);
	uint32_t x = 12345;
	for (size_t i = 0; i < big; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 24);
	}
	assert_true(fk_doctor_match(cat, buf, big, hits, 4) >= 0);
	/* a real message after the cut is not seen; one before it is */
	const char *msg = "Error: stm32x device protected";
	memcpy(buf + big - 100, msg, strlen(msg));
	memcpy(buf + 100, msg, strlen(msg));
	int n = fk_doctor_match(cat, buf, big, hits, 4);
	assert_true(n >= 1);
	assert_string_equal(hits[0].entry->id, "openocd-device-protected");
	assert_int_equal(hits[0].offset, 100 + strlen("Error: ")); /* the prefix is not the message */
	/* the same word repeated (worst case for the walk) */
	for (size_t i = 0; i + 6 <= big; i += 6)
		memcpy(buf + i, "flash ", 6);
	assert_true(fk_doctor_match(cat, buf, big, hits, 4) >= 0);
	free(buf);
}

static int parse_error(const char *text, const char *expect_in_message)
{
	fk_ctx *ctx = fk_ctx_new();
	fk_doctor_catalogue *c = NULL;
	int rc = fk_doctor_parse(ctx, text, strlen(text), &c);
	char buf[FK_CHAIN_MSG_MAX];
	fk_ctx_message(ctx, buf, sizeof buf);
	if (rc && !strstr(buf, expect_in_message))
		fail_msg("message \"%s\" lacks \"%s\"", buf, expect_in_message);
	fk_doctor_free(c);
	fk_ctx_free(ctx);
	return rc;
}

#define GOOD_CAUSE "[cause c1]\ntext t\ncheck k\nconfirm rdp1\nfix flashkey -c CONN unlock\n"
#define GOOD_MSG "[message m1]\ntool T\ntext some message here\nsource anchors.md\ncauses c1\n"

static void test_parser_defects(void **state)
{
	(void)state;
	assert_int_equal(parse_error(GOOD_CAUSE GOOD_MSG, ""), FK_OK);
	assert_int_equal(parse_error(GOOD_CAUSE "[message m1]\ntool T\ntext abc\ncauses c1\n",
				     "line 6: message needs"),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error(GOOD_CAUSE "[message m1]\ntool T\ntext abc\nsource s\n"
						"causes nope\n",
				     "unknown cause \"nope\""),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error("[cause c1]\ntext t\nconfirm rdp9\nfix flashkey x\n",
				     "line 3: unknown fact"),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error(GOOD_CAUSE GOOD_CAUSE GOOD_MSG, "duplicate ID"), FK_E_BAD_FILE);
	assert_int_equal(parse_error("tool T\n", "line 1: field outside a record"), FK_E_BAD_FILE);
	assert_int_equal(parse_error(GOOD_CAUSE "[weird x]\n", "unknown record kind"), FK_E_BAD_FILE);
	assert_int_equal(parse_error("[cause c1]\ncheck k\nfix flashkey x\n", "without `text`"),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error("[cause c1]\ntext t\n", "`fix` or an `explain`"), FK_E_BAD_FILE);
	assert_int_equal(parse_error(GOOD_CAUSE "[message m1]\ntool T\ntext ...\nsource s\ncauses c1\n",
				     "no word to match"),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error(GOOD_CAUSE, "no [message] records"), FK_E_BAD_FILE);
	assert_int_equal(parse_error(GOOD_CAUSE GOOD_MSG "[health h]\nsymptom s\nsource s\n"
							  "causes c1\nblocking maybe\n",
				     "`blocking` must be yes or no"),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error("[cause c1]\ntext t\nexplain e\nstep wrp\n",
				     "needs the `fix` that runs it"),
			 FK_E_BAD_FILE);
	assert_int_equal(parse_error("[cause c1]\ntext t\nfix flashkey x\nstep nope\n",
				     "`step` must name one ladder step"),
			 FK_E_BAD_FILE);
	fk_ctx *ctx = fk_ctx_new();
	fk_doctor_catalogue *c = NULL;
	assert_int_equal(fk_doctor_parse(ctx, "[cause a]\0x", 11, &c), FK_E_BAD_FILE);
	assert_null(c);
	fk_ctx_free(ctx);
}

static void test_verdicts(void **state)
{
	(void)state;
	const fk_doctor_cause *rdp1 = fk_doctor_cause_find(cat, "rdp1");
	const fk_doctor_cause *notgt = fk_doctor_cause_find(cat, "no-target");
	const fk_doctor_cause *phone = fk_doctor_cause_find(cat, "phone-bootloader-lock");
	assert_non_null(rdp1);
	fk_doctor_facts f;
	fk_doctor_facts_init(&f);
	int why;
	assert_int_equal(fk_doctor_judge(rdp1, &f, &why), FK_DOCTOR_UNDECIDED);
	fk_doctor_facts_set(&f, FK_FACT_RDP1, true, "OPTCR=0x0FFF55ED");
	assert_int_equal(fk_doctor_judge(rdp1, &f, &why), FK_DOCTOR_CONFIRMED);
	assert_int_equal(why, FK_FACT_RDP1);
	fk_doctor_facts_set(&f, FK_FACT_RDP1, false, "OPTCR=0x0FFFAAED");
	assert_int_equal(fk_doctor_judge(rdp1, &f, &why), FK_DOCTOR_RULED_OUT);
	assert_int_equal(fk_doctor_judge(notgt, &f, NULL), FK_DOCTOR_NOT_CHECKABLE);
	fk_doctor_facts_set(&f, FK_FACT_CONNECTED, true, NULL);
	assert_int_equal(fk_doctor_judge(notgt, &f, &why), FK_DOCTOR_RULED_OUT);
	assert_int_equal(why, FK_FACT_CONNECTED);
	assert_int_equal(fk_doctor_judge(phone, &f, NULL), FK_DOCTOR_NOT_CHECKABLE);
	assert_string_equal(fk_doctor_verdict_name(FK_DOCTOR_CONFIRMED), "confirmed");
	assert_string_equal(fk_doctor_fact_name(FK_FACT_WRP), "wrp");
	assert_int_equal(fk_doctor_fact_lookup("hw-watchdog"), FK_FACT_HW_WATCHDOG);
	assert_int_equal(fk_doctor_fact_lookup("nope"), -1);
	assert_null(fk_doctor_fact_name(FK_DOCTOR_FACT_COUNT));
}

/* An STM32F407 inventory decoded by the real driver code from raw register values. */
static void f4_facts_dev(uint16_t dev_id, uint32_t optcr, uint32_t sr, bool key_failed,
			 bool intrusion, const uint8_t *otp_lock, fk_doctor_facts *f)
{
	static fk_inventory inv;
	memset(&inv, 0, sizeof inv);
	const stm32f4_device *dev = stm32f4_dev_find(dev_id);
	assert_non_null(dev);
	stm32f4_sector sectors[FK_INV_MAX_SECTORS];
	unsigned ns = stm32f4_dev_layout(dev, 1024, false, sectors, FK_INV_MAX_SECTORS);
	assert_int_equal(ns, 12);
	stm32f4_regs r = {.sr = sr, .cr = 0x80000000u, .optcr = optcr, .sr_valid = true,
			  .cr_valid = true, .optcr_valid = true, .cr_key_failed = key_failed};
	stm32f4_inventory_decode(dev, sectors, ns, &r, intrusion, otp_lock, NULL, &inv);
	fk_strlcpy(inv.chip, "stm32f407", sizeof inv.chip);
	fk_strlcpy(inv.path, "debug", sizeof inv.path);
	fk_doctor_facts_from_inventory(&inv, f);
}

/* STM32F407 (DEV_ID 0x413, RM0090) */
static void f4_facts(uint32_t optcr, uint32_t sr, bool key_failed, bool intrusion,
		     const uint8_t *otp_lock, fk_doctor_facts *f)
{
	f4_facts_dev(0x413, optcr, sr, key_failed, intrusion, otp_lock, f);
}

static void test_facts_from_inventory(void **state)
{
	(void)state;
	static const uint8_t open_otp[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
					     0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	fk_doctor_facts f;
	f4_facts(0x0FFFAAEDu, 0, false, false, open_otp, &f); /* factory state, RM0090 §3.9.10 */
	assert_int_equal(f.v[FK_FACT_CONNECTED], 1);
	assert_int_equal(f.v[FK_FACT_RDP0], 1);
	assert_int_equal(f.v[FK_FACT_RDP1], 0);
	assert_int_equal(f.v[FK_FACT_WRP], 0);
	assert_int_equal(f.v[FK_FACT_PCROP], 0);
	assert_int_equal(f.v[FK_FACT_OTP_LOCKED], 0);
	/* FLASH_CR.LOCK=1 after reset reads like a wrong-key lockout (RM0090 §3.7.2) */
	assert_int_equal(f.v[FK_FACT_FPEC_LOCKOUT], FK_DOCTOR_UNKNOWN);
	assert_int_equal(f.v[FK_FACT_SR_ERRORS], 0);
	assert_int_equal(f.v[FK_FACT_OPTIONS_BAD], 0);
	assert_int_equal(f.v[FK_FACT_HW_WATCHDOG], 0);
	assert_int_equal(f.v[FK_FACT_DEBUG_DISABLED], 0);
	assert_int_equal(f.v[FK_FACT_RUNNING], FK_DOCTOR_UNKNOWN);

	f4_facts(0x0FFF55EDu, 0, false, true, NULL, &f); /* level 1, debugger attached */
	assert_int_equal(f.v[FK_FACT_RDP1], 1);
	assert_non_null(strstr(f.detail[FK_FACT_RDP1], "0x55"));
	/* the inventory cannot tell whether new option bytes await a reset */
	assert_int_equal(f.v[FK_FACT_OPTIONS_PENDING], FK_DOCTOR_UNKNOWN);
	assert_int_equal(f.v[FK_FACT_OTP_LOCKED], FK_DOCTOR_UNKNOWN); /* OTP hidden */

	f4_facts(0x0FFCAAEDu, 0, false, false, open_otp, &f); /* nWRP0 = nWRP1 = 0 */
	assert_int_equal(f.v[FK_FACT_WRP], 1);
	assert_int_equal(f.v[FK_FACT_RDP1], 0);

	/* SPRMOD (bit 31) exists on F42x/43x only (RM0090 §3.9.10): not PCROP on an F407 */
	f4_facts(0x8FFFAAEDu, 0, false, false, open_otp, &f);
	assert_int_equal(f.v[FK_FACT_PCROP], 0);
	f4_facts_dev(0x419, 0x8FFFAAEDu, 0, false, false, open_otp, &f);
	assert_int_equal(f.v[FK_FACT_PCROP], 1);

	f4_facts(0x0FFFAAEDu, 0xC0u, true, false, open_otp, &f); /* key failed, PGSERR|PGPERR */
	assert_int_equal(f.v[FK_FACT_FPEC_LOCKOUT], 1);
	assert_int_equal(f.v[FK_FACT_SR_ERRORS], 1);

	f4_facts(0x0FFFFFEDu, 0, false, false, open_otp, &f); /* RDP byte 0xFF: torn options */
	assert_int_equal(f.v[FK_FACT_OPTIONS_BAD], 1);

	f4_facts(0x0FFF55CDu, 0, false, false, open_otp, &f); /* level 1, WDG_SW = 0 */
	assert_int_equal(f.v[FK_FACT_HW_WATCHDOG], 1);

	uint8_t otp[16];
	memcpy(otp, open_otp, sizeof otp);
	otp[3] = 0x00;
	f4_facts(0x0FFFAAEDu, 0, false, false, otp, &f);
	assert_int_equal(f.v[FK_FACT_OTP_LOCKED], 1);
}

/* The ranked causes of one message judged on two chips: the verdict follows the chip. */
static void test_message_on_chip(void **state)
{
	(void)state;
	static const uint8_t otp[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
					0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	fk_doctor_hit hit;
	const char *msg = "Error: stm32x device protected";
	assert_int_equal(fk_doctor_match(cat, msg, strlen(msg), &hit, 1), 1);
	const fk_doctor_entry *e = hit.entry;
	fk_doctor_facts f;
	f4_facts(0x0FFCAAEDu, 0, false, false, otp, &f); /* WRP on sectors 0-1 */
	assert_int_equal(fk_doctor_judge(e->causes[0], &f, NULL), FK_DOCTOR_CONFIRMED);
	assert_int_equal(fk_doctor_judge(e->causes[1], &f, NULL), FK_DOCTOR_RULED_OUT);
	assert_int_equal(fk_doctor_judge(e->causes[2], &f, NULL), FK_DOCTOR_RULED_OUT);
	assert_int_equal(e->causes[0]->step, FK_STEP_WRP);
	f4_facts(0x0FFF55EDu, 0, false, true, NULL, &f); /* RDP level 1 */
	assert_int_equal(fk_doctor_judge(e->causes[0], &f, NULL), FK_DOCTOR_RULED_OUT);
	assert_int_equal(fk_doctor_judge(e->causes[1], &f, NULL), FK_DOCTOR_CONFIRMED);
	assert_int_equal(e->causes[1]->step, FK_STEP_RDP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_complete),
		cmocka_unit_test(test_causes_have_checks),
		cmocka_unit_test(test_entries_match_own_texts),
		cmocka_unit_test(test_real_messages),
		cmocka_unit_test(test_seed_pages),
		cmocka_unit_test(test_tolerant),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_parser_defects),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_facts_from_inventory),
		cmocka_unit_test(test_message_on_chip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
