/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fk_next_program_run (lib/chip/busy_wait.c): the runs the F0/F1/F3 and L4/G0/G4 debug paths
 * stream under PG: blank units skipped, a run never crossing a page, the last partial page. */
#include "fk_test.h"

#include "chip/busy_wait.h"

static void test_runs(void **state)
{
	(void)state;
	uint8_t b[64];
	memset(b, 0x5A, sizeof b);
	memset(b + 8, 0xFF, 8);  /* one blank double word at 8 */
	memset(b + 40, 0xFF, 2); /* one blank half-word at 40 (a double word only partly blank) */
	uint32_t off = 0, end = 0;
	/* double words, pages of 32 bytes, buf at 0x08000010: the first page ends at offset 16 */
	assert_true(fk_next_program_run(b, sizeof b, 0x08000010u, 32, 8, &off, &end));
	assert_int_equal(off, 0);
	assert_int_equal(end, 8);
	off = end;
	assert_true(fk_next_program_run(b, sizeof b, 0x08000010u, 32, 8, &off, &end));
	assert_int_equal(off, 16); /* the blank double word skipped; stops at the page end */
	assert_int_equal(end, 48);
	off = end;
	assert_true(fk_next_program_run(b, sizeof b, 0x08000010u, 32, 8, &off, &end));
	assert_int_equal(off, 48);
	assert_int_equal(end, 64);
	off = end;
	assert_false(fk_next_program_run(b, sizeof b, 0x08000010u, 32, 8, &off, &end));
	/* half-words: the blank one at 40 splits the run */
	off = 32;
	assert_true(fk_next_program_run(b, sizeof b, 0x08000000u, 1024, 2, &off, &end));
	assert_int_equal(end, 40);
	off = end;
	assert_true(fk_next_program_run(b, sizeof b, 0x08000000u, 1024, 2, &off, &end));
	assert_int_equal(off, 42);
	assert_int_equal(end, 64);
	/* all blank */
	memset(b, 0xFF, sizeof b);
	off = 0;
	assert_false(fk_next_program_run(b, sizeof b, 0x08000000u, 1024, 2, &off, &end));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
