/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/doctor, issue 17 part 6: the NXP tools' messages as their sources print them (lpc21isp
 * 1.97 lpcprog.c, spsdk lpcprog / blhost / nxpdebugmbox, pyOCD target_lpc5500.py and
 * commander.py) and as public logs show the closed-source ones (Flash Magic), each recognised as
 * its catalogue family, first, with the cause its printing condition implies (CRP level, ISP
 * entry, LPC55 debug closed). The success lines of the same tools match nothing. No corpus case
 * is used here. */
#include "fk_test.h"

#include "flashkey/doctor.h"

#include "doctor_fixture.h"

static const struct {
	const char *text, *id, *cause;
} nxp[] = {
	/* lpc21isp 1.97 lpcprog.c NxpDownload, NxpOutputErrorMessage, PhilipsChipVersion */
	{"Wrong answer on Prepare-Command (1) (Sector 3)", "lpc21isp-wrong-answer", "lpc-crp"},
	{"Wrong answer on Erase-Command (Sector 0)", "lpc21isp-wrong-answer", "lpc-crp"},
	{"Wrong answer on Write-Command", "lpc21isp-wrong-answer", "lpc-crp"},
	{"Wrong answer on Copy-Command\nSECTOR_NOT_BLANK", "lpc21isp-wrong-answer", "not-erased"},
	{"Wrong answer on Erase-Command\nCODE READ PROTECTION ENABLED", "lpc21isp-wrong-answer",
	 "lpc-crp"},
	{"CMD_LOCKED", "lpc21isp-cmd-locked", "lpc-crp"},
	{"Synchronizing (ESC to abort)........................ no answer on '?'", "lpc21isp-no-sync",
	 "lpc-isp-not-entered"},
	{"No answer on 'Synchronized'", "lpc21isp-no-sync", "lpc-isp-not-entered"},
	{"No answer on Oscillator-Command", "lpc21isp-no-sync", "serial-link"},
	{"no answer on Read Part Id", "lpc21isp-no-part-id", "serial-link"},
	{"incomplete answer on Read Part Id (second configuration word missing)",
	 "lpc21isp-no-part-id", "serial-link"},
	/* spsdk lpcprog/interface.py, lpcprog/error_codes.py */
	{"spsdk.exceptions.SPSDKConnectionError: Cannot synchronize", "spsdk-lpcprog-sync",
	 "lpc-isp-not-entered"},
	{"WARNING:spsdk.lpcprog.interface:Did not receive 'Synchronized' response, attempts left: 3",
	 "spsdk-lpcprog-sync", "lpc-isp-not-entered"},
	{"Code Read Protection Enabled Error", "lpc21isp-crp", "lpc-crp"},
	{"ISP error: CodeReadProtectionEnabled", "spsdk-lpcprog-crp", "lpc-crp"},
	{"Command Locked Error", "lpc21isp-cmd-locked", "lpc-crp"},
	/* Flash Magic (public logs) */
	{"Operation Failed. (failed to autobaud - step 1)", "flashmagic-autobaud",
	 "lpc-isp-not-entered"},
	{"Unable to connect at the specified baud rate. Try reducing the baud rate. (failed to "
	 "autobaud - step 2). Reset the hardware into ISP mode again.",
	 "flashmagic-autobaud", "serial-link"},
	{"Failed to read the device signature. Accessing a device using the wrong protocol could "
	 "render the device unusable.",
	 "flashmagic-signature", "lpc-isp-not-entered"},
	{"Operation Failed. (failed to erase block 0)", "flashmagic-signature", "lpc-crp"},
	{"Operation Failed. (programming - failed to send data to the device)",
	 "flashmagic-programming", "lpc-crp"},
	/* pyOCD pyocd/target/family/target_lpc5500.py, pyocd/commands/commander.py */
	{"0001234 E AP#0 was not found, unable to create core 0 [target_lpc5500]",
	 "pyocd-lpc55-closed", "lpc55-locked"},
	{"0000867 E received error from unlock attempt (1) [target_lpc5500]", "pyocd-lpc55-closed",
	 "lpc55-locked"},
	{"E debugger mailbox failed to reset the device [target_lpc5500]", "pyocd-lpc55-closed",
	 "lpc55-locked"},
	{"0000512 E cannot request debug unlock; no debugger mailbox AP was found [target_lpc5500]",
	 "pyocd-lpc55-no-mailbox", "lpc55-locked"},
	{"Warning: Target is locked, limited operations available. Use 'unlock' command to mass "
	 "erase and unlock, then execute 'reinit'.",
	 "pyocd-target-locked", "kinetis-security"},
	/* MCUXpresso / LinkServer (public logs) */
	{"No connection to chip's debug port", "linkserver-debug-port", "debug-disabled"},
	{"probe unbooted? no core 0?", "linkserver-debug-port", "probe-problem"},
	{"15: Target error from Register access: Ee(FF). Redlink interface error 255",
	 "linkserver-debug-port", "lpc-isp-not-entered"},
	/* spsdk apps/nxpdebugmbox.py, dat/debug_mailbox.py, mboot/error_codes.py */
	{"ERROR: Start Debug Mailbox failed: Timeout", "spsdk-debugmbox", "lpc55-locked"},
	{"SPSDKError: The debug mailbox access port is not found!", "spsdk-debugmbox",
	 "lpc55-locked"},
	{"Debug Mailbox authentication failed:", "spsdk-debugmbox", "lpc55-locked"},
	{"Response status = 10001 (0x2711) Security Violation.", "blhost-security",
	 "lpc55-locked"},
	{"Response status = 104 (0x68) FLASH Driver: Protection Violation", "blhost-security",
	 "kinetis-security"},
	{"Response status = 10004 (0x2714) No response packet from target device.",
	 "blhost-no-response", "lpc-isp-not-entered"},
	{"Packetizer Error: No Ping Response", "blhost-no-response", "serial-link"},
};

static bool lists_cause(const fk_doctor_entry *e, const char *cause)
{
	for (unsigned k = 0; k < e->ncauses; k++)
		if (strcmp(e->causes[k]->id, cause) == 0)
			return true;
	return false;
}

static void test_nxp_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof nxp / sizeof nxp[0]; i++) {
		fk_doctor_hit hits[8];
		int n = fk_doctor_match(cat, nxp[i].text, strlen(nxp[i].text), hits, 8);
		if (n < 1 || strcmp(hits[0].entry->id, nxp[i].id) != 0)
			fail_msg("\"%s\": expected %s first, got %s (%d hits)", nxp[i].text, nxp[i].id,
				 n > 0 ? hits[0].entry->id : "nothing", n);
		bool named = false;
		for (int h = 0; h < n; h++)
			named = named || lists_cause(hits[h].entry, nxp[i].cause);
		if (!named)
			fail_msg("\"%s\": no hit lists %s", nxp[i].text, nxp[i].cause);
	}
}

/* A lpc21isp refusal followed by the CRP return code ranks CRP first, whatever the command. */
static void test_nxp_crp_ranked_first(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"Wiping Device. OK\nSector 0: Wrong answer on Write-Command\n"
		"CODE READ PROTECTION ENABLED\n",
		"Erasing sector 0 first, to invalidate checksum. Wrong answer on Erase-Command\n"
		"CODE READ PROTECTION ENABLED\n",
	};
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		fk_doctor_hit hits[8];
		int n = fk_doctor_match(cat, logs[i], strlen(logs[i]), hits, 8);
		assert_true(n >= 1);
		assert_string_equal(hits[0].entry->causes[0]->id, "lpc-crp");
	}
}

/* The new causes carry what the remedy needs: CRP and ISP entry in flashkey terms, the LPC55
 * mailbox honestly outside flashkey's reach. */
static void test_nxp_causes(void **state)
{
	(void)state;
	fk_doctor_hit hit;
	const char *t = "Operation Failed. (failed to autobaud - step 1)";
	assert_int_equal(fk_doctor_match(cat, t, strlen(t), &hit, 1), 1);
	const fk_doctor_cause *isp = hit.entry->causes[0];
	assert_string_equal(isp->id, "lpc-isp-not-entered");
	assert_non_null(isp->fix);
	assert_non_null(strstr(isp->fix, "status"));
	t = "AP#0 was not found, unable to create core 0";
	assert_int_equal(fk_doctor_match(cat, t, strlen(t), &hit, 1), 1);
	const fk_doctor_cause *lpc55 = hit.entry->causes[0];
	assert_string_equal(lpc55->id, "lpc55-locked");
	assert_false(lpc55->outside); /* the lpc55 driver unlocks through the mailbox */
	assert_non_null(lpc55->fix);
	assert_non_null(strstr(lpc55->fix, "unlock"));
	assert_non_null(strstr(lpc55->explain, "nxpdebugmbox"));
}

static void test_nxp_success_lines(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"Synchronizing (ESC to abort). OK",
		"Read bootcode version: 4.1",
		"Read part ID: LPC1768, 512 kiB FLASH / 64 kiB SRAM (0x26013F37)",
		"Wiping Device. OK",
		"Download Finished... taking 3 seconds",
		"Start Debug Mailbox succeeded",
		"Response status = 0 (0x0) Success.",
		"Target is unlocked",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		fk_doctor_hit hit;
		int n = fk_doctor_match(cat, ok[i], strlen(ok[i]), &hit, 1);
		if (n != 0)
			fail_msg("\"%s\" matched %s", ok[i], hit.entry->id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nxp_messages),
		cmocka_unit_test(test_nxp_crp_ranked_first),
		cmocka_unit_test(test_nxp_causes),
		cmocka_unit_test(test_nxp_success_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
