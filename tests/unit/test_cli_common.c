/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/common: the table-driven option parser and the JSON writer used by every --json output. */
#include "fk_test.h"

#include "common/args.h"
#include "common/json.h"

static const cli_opt globals[] = {
	{"connection", 'c', CLI_VALUE, "CONN", "connection"},
	{"json", 0, CLI_FLAG, NULL, "json"},
	{"verbose", 'v', CLI_FLAG, NULL, "more"},
	{"yes", 'y', CLI_FLAG, NULL, "yes"},
	{NULL, 0, 0, NULL, NULL},
};
static const cli_opt cmdopts[] = {
	{"otp", 0, CLI_MULTI, "BLOCK=HEX", "otp"},
	{"format", 'f', CLI_VALUE, "FMT", "format"},
	{NULL, 0, 0, NULL, NULL},
};

static void test_parse_mixed(void **state)
{
	(void)state;
	char *argv[] = {"-c", "twin:a.twin", "write", "fw.elf", "--json", "-vy", "--format=ihex",
			"--otp", "0=00", "--otp", "1=ff", "--", "--not-an-option"};
	cli_args a;
	assert_int_equal(cli_parse(&a, globals, cmdopts, 13, argv), 0);
	assert_string_equal(cli_value(&a, "connection"), "twin:a.twin");
	assert_true(cli_flag(&a, "json"));
	assert_true(cli_flag(&a, "verbose"));
	assert_true(cli_flag(&a, "yes"));
	assert_string_equal(cli_value(&a, "format"), "ihex");
	assert_string_equal(cli_multi(&a, "otp", 0), "0=00");
	assert_string_equal(cli_multi(&a, "otp", 1), "1=ff");
	assert_null(cli_multi(&a, "otp", 2));
	assert_int_equal(a.npos, 3);
	assert_string_equal(a.pos[0], "write");
	assert_string_equal(a.pos[1], "fw.elf");
	assert_string_equal(a.pos[2], "--not-an-option");
	assert_null(cli_value(&a, "missing"));
}

static void test_parse_errors(void **state)
{
	(void)state;
	cli_args a;
	char *bad1[] = {"--nosuch"};
	assert_int_equal(cli_parse(&a, globals, cmdopts, 1, bad1), -1);
	assert_string_equal(a.error, "unknown option --nosuch");
	char *bad2[] = {"--connection"};
	assert_int_equal(cli_parse(&a, globals, NULL, 1, bad2), -1);
	assert_non_null(strstr(a.error, "needs a value (CONN)"));
	char *bad3[] = {"--json=1"};
	assert_int_equal(cli_parse(&a, globals, NULL, 1, bad3), -1);
	assert_string_equal(a.error, "option --json takes no value");
	char *bad4[] = {"-x"};
	assert_int_equal(cli_parse(&a, globals, NULL, 1, bad4), -1);
	/* the command's options are unknown without its table */
	char *bad5[] = {"--format", "bin"};
	assert_int_equal(cli_parse(&a, globals, NULL, 2, bad5), -1);
	/* short option with attached value */
	char *ok[] = {"-ctwin:x"};
	assert_int_equal(cli_parse(&a, globals, NULL, 1, ok), 0);
	assert_string_equal(cli_value(&a, "connection"), "twin:x");
}

static char *json_of(void (*build)(json_w *), int indent)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	json_w j;
	json_init(&j, f, indent);
	build(&j);
	json_finish(&j);
	fclose(f);
	return buf;
}

static void build_doc(json_w *j)
{
	json_obj_begin(j);
	json_kv_str(j, "name", "quote\" back\\ nl\n tab\t ctl\x01");
	json_kv_int(j, "neg", -5);
	json_kv_uint(j, "big", 4294967296ull);
	json_kv_bool(j, "t", true);
	json_kv_hex(j, "addr", 0x08000000u, 8);
	json_key(j, "empty");
	json_arr_begin(j);
	json_arr_end(j);
	json_key(j, "list");
	json_arr_begin(j);
	json_int(j, 1);
	json_obj_begin(j);
	json_key(j, "n");
	json_null(j);
	json_obj_end(j);
	json_str(j, NULL);
	json_arr_end(j);
	json_obj_end(j);
}

static void test_json_compact(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_doc, 0),
			    "{\"name\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001\",\"neg\":-5,"
			    "\"big\":4294967296,\"t\":true,\"addr\":\"0x08000000\",\"empty\":[],"
			    "\"list\":[1,{\"n\":null},null]}\n");
}

static void test_json_indented(void **state)
{
	(void)state;
	const char *s = json_of(build_doc, 2);
	assert_non_null(strstr(s, "{\n  \"name\": "));
	assert_non_null(strstr(s, "\"empty\": [],\n"));
	assert_non_null(strstr(s, "\"list\": [\n    1,\n    {\n      \"n\": null\n    },\n    null\n  ]\n}\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mixed),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_json_compact),
		cmocka_unit_test(test_json_indented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
