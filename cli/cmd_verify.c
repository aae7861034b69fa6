/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey verify FILE: compare flash with an image; exit 6 at the first difference. */
#include "cmd_common.h"

static const cli_opt verify_opts[] = {
	{"base", 0, CLI_VALUE, "ADDR", "load address of a raw binary (default: the chip's flash base)"},
	{"read-back", 0, CLI_FLAG, NULL, "read every byte back, not a CRC-32 the chip computes "
					 "(bootloader path)"},
	{NULL, 0, 0, NULL, NULL},
};

static int cmd_verify_run(cli_env *e)
{
	const char *file = cli_arg(e, 0);
	cli_image ci = {0};
	fk_session *s = NULL;
	uint32_t bad = 0;
	fk_verify_how how = FK_VERIFY_NONE;
	if (!file || cli_nargs(e) != 1)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey verify FILE");
	int rc = cli_image_load(e, file, &ci);
	if (!rc)
		rc = cli_session_ro(e, &s);
	if (!rc)
		cli_image_rebase(e, &ci, s);
	if (!rc)
		rc = fk_flash_verify_ex(s, ci.segs, ci.n, cli_flag(&e->args, "read-back"), &bad, &how);
	uint32_t un_addr = 0, un_len = 0;
	char un_why[128] = "";
	if (s)
		cli_image_unreadable(s, &ci, &un_addr, &un_len, un_why, sizeof un_why);
	if (rc == FK_E_VERIFY)
		fk_hint(e->ctx, "write it again with `flashkey write %s`", file);
	rc = fk_session_end(s, rc);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "file", file);
		json_kv_uint(&j, "bytes", ci.bytes);
		json_kv_str(&j, "compared", cli_verify_how_name(how));
		if (rc == FK_E_VERIFY)
			json_kv_hex(&j, "first_difference", bad, 8);
		cli_unreadable_json(&j, un_addr, un_len, un_why);
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		printf("verified %s: %llu bytes match%s\n", file,
		       (unsigned long long)(ci.bytes - un_len),
		       how == FK_VERIFY_CRC ? " (CRC-32 computed on the chip)"
		       : how == FK_VERIFY_MD5 ? " (MD5 computed on the chip)" : "");
		if (un_len)
			cli_unreadable_text(un_addr, un_len, un_why);
	}
	cli_image_free(&ci);
	return rc;
}

const cli_command cli_cmd_verify = {
	.name = "verify",
	.synopsis = "verify FILE [--read-back]",
	.summary = "compare flash with an image",
	.opts = verify_opts,
	.run = cmd_verify_run,
};
