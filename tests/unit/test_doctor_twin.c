/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor on twins whose state flashkey-twin cannot set from the command line, armed here through
 * the twin API: a wrong-key lockout of FLASH_CR (RM0090 §3.7.2) and error flags left latched in
 * FLASH_SR by a write without PG (RM0090 §3.9.5: PGSERR). The real flashkey binary must confirm
 * the cause for a matching message, print the fix, and the fix, run as printed, must clear it.
 * A lockout cannot be confirmed read-only (FLASH_CR reads as after reset): doctor must say it is
 * undecided and how to decide, never rule it out. */
#include <sys/wait.h>
#include <unistd.h>

#include "fk_test.h"

#include "stm32f4/f4.h"

static char dir[256], twin_path[300], out_path[300];
static char out[16384];

/* Runs flashkey ARGS on the twin; the output (stdout+stderr) lands in out. */
static int run(const char *args)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "%s -c twin:%s %s </dev/null >%s 2>&1", getenv("FK_BIN"), twin_path,
		 args, out_path);
	int st = system(cmd);
	FILE *f = fopen(out_path, "r");
	size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
	if (f)
		fclose(f);
	out[n] = '\0';
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect_out(const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("output lacks \"%s\":\n%s", needle, out);
}

static void twin_arm(uint32_t addr, uint32_t value)
{
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_non_null(t);
	tw_f4_write(t, TW_INIT_USER, addr, 4, value);
	fk_ctx *ctx = fk_ctx_new();
	assert_int_equal(tw_f4_save(t, ctx, twin_path), 0);
	fk_ctx_free(ctx);
	tw_f4_free(t);
}

/* Runs the "Fix: flashkey -c twin:PATH ..." line doctor printed. */
static void run_printed_fix(void)
{
	char prefix[400], args[400];
	snprintf(prefix, sizeof prefix, "Fix: flashkey -c twin:%s ", twin_path);
	const char *p = strstr(out, prefix);
	if (!p)
		fail_msg("no fix line for this twin:\n%s", out);
	p += strlen(prefix);
	size_t n = strcspn(p, "\n");
	assert_true(n < sizeof args);
	memcpy(args, p, n);
	args[n] = '\0';
	assert_int_equal(run(args), 0);
}

static void test_wrong_key_lockout(void **state)
{
	(void)state;
	twin_arm(0x40023C04U, 0x12345678U); /* a wrong KEY1 written to FLASH_KEYR */
	assert_int_equal(run("doctor \"Error: flash not unlocked STM32_FLASH_CR\""), 0);
	expect_out("fpec-lockout   undecided");
	expect_out("To decide fpec-lockout:");
	expect_out("flashkey -c CONN reset");
	/* a write trips over the lockout, which the session then knows: now it is confirmed */
	char args[600];
	snprintf(args, sizeof args, "write %s", fk_test_src(args + 300, 300, "tests/fixtures/fw.elf"));
	assert_int_equal(run(args), 4);
	assert_int_equal(run("reset"), 0); /* the fix the hint and doctor name */
	assert_int_equal(run(args), 0);
	assert_int_equal(run("doctor \"Error: flash not unlocked STM32_FLASH_CR\""), 0);
	expect_out("fpec-lockout   undecided");
}

static void test_stale_error_flags(void **state)
{
	(void)state;
	twin_arm(0x08000000U, 0x00000000U); /* a flash write without PG: PGSERR (RM0090 §3.9.5) */
	assert_int_equal(run("doctor"), 4);
	expect_out("problem  Error flags latched in FLASH_SR");
	assert_int_equal(run("doctor \"Error: failed erasing sectors 0 to 2\""), 0);
	expect_out("sr-errors      confirmed");
	expect_out("PGSERR");
	run_printed_fix(); /* flashkey unlock --upto errors */
	assert_int_equal(run("doctor \"Error: failed erasing sectors 0 to 2\""), 0);
	expect_out("sr-errors      ruled-out");
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/fk-doctor.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(twin_path, sizeof twin_path, "%s/b.twin", dir);
	snprintf(out_path, sizeof out_path, "%s/out", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	if (!getenv("FK_BIN") || !getenv("FK_TWIN_BIN") || !*getenv("FK_TWIN_BIN")) {
		fprintf(stderr, "run through ctest (FK_BIN, FK_TWIN_BIN)\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wrong_key_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_error_flags, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
