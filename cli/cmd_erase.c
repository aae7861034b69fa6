/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey erase: erase sectors (the chip's erase units) by number (0 1 5-7), by address
 * range (--range ADDR:LEN) or everything (--all: the chip's mass erase). Never touches option
 * bytes; protection that blocks is reported before anything is erased. */
#include <string.h>

#include "cmd_common.h"

static const cli_opt erase_opts[] = {
	{"all", 0, CLI_FLAG, NULL, "mass erase all of main flash"},
	{"range", 0, CLI_VALUE, "ADDR:LEN", "erase the sectors covering this range"},
	{NULL, 0, 0, NULL, NULL},
};

/* "0-11" or "0-11, 16-27": the sector numbers the chip has, for the refusal of one it has not. */
static void erase_valid_numbers(const fk_chip_info *c, char *buf, size_t size)
{
	buf[0] = '\0';
	for (unsigned k = 0; k < c->nsectors;) {
		unsigned first = c->sectors[k].number, last = first;
		while (++k < c->nsectors && c->sectors[k].number == last + 1U)
			last = c->sectors[k].number;
		if (first == last)
			fk_snprintf_cat(buf, size, "%s%u", buf[0] ? ", " : "", first);
		else
			fk_snprintf_cat(buf, size, "%s%u-%u", buf[0] ? ", " : "", first, last);
	}
}

/* The index of the sector numbered n, or -1. */
static int erase_index_of(const fk_chip_info *c, uint32_t n)
{
	for (unsigned k = 0; k < c->nsectors; k++)
		if (c->sectors[k].number == n)
			return (int)k;
	return -1;
}

/* set is allocated here (free it whatever the result). Every argument must name sectors the
 * chip has, both ends of a range included: one that does not is refused, naming the valid
 * numbers, and nothing is erased (issue 13 class 19: `erase 0 99` erased 0 and ignored 99). */
static int erase_set_of(cli_env *e, fk_session *s, fk_sector_set *set)
{
	const fk_chip_info *c = fk_session_chip(s);
	const char *range = cli_value(&e->args, "range");
	if (range) {
		if (cli_nargs(e))
			return fk_fail(e->ctx, FK_E_USAGE, "\"%s\": give sector numbers or --range, not "
							   "both", cli_arg(e, 0));
		uint32_t addr, len;
		int rc = cli_parse_range(e, range, &addr, &len);
		return rc ? rc : fk_flash_sectors_for(s, addr, len, set);
	}
	if (fk_sector_set_init(set, c->nsectors))
		return fk_fail(e->ctx, FK_E_NOMEM, "a set of %u sectors", c->nsectors);
	for (unsigned i = 0; i < cli_nargs(e); i++) {
		const char *a = cli_arg(e, i), *dash = strchr(a, '-');
		char lo_s[256], valid[256];
		uint32_t lo, hi;
		size_t n = dash ? (size_t)(dash - a) : strlen(a);
		/* the whole number or nothing: a prefix cut to fit names another sector */
		if (n >= sizeof lo_s)
			return fk_fail(e->ctx, FK_E_USAGE, "\"%s\": not a sector number", a);
		memcpy(lo_s, a, n);
		lo_s[n] = '\0';
		if (fk_parse_u32(lo_s, &lo) || (dash ? fk_parse_u32(dash + 1, &hi) : (hi = lo, 0)))
			return fk_fail(e->ctx, FK_E_USAGE, "\"%s\": expected a sector number or range "
							   "(decimal, or hex with 0x)", a);
		erase_valid_numbers(c, valid, sizeof valid);
		if (lo > hi)
			return fk_fail(e->ctx, FK_E_RANGE, "\"%s\": a range runs from the lower sector "
							   "number to the higher; %s has sectors %s",
				       a, c->chip, valid);
		if (erase_index_of(c, lo) < 0 || erase_index_of(c, hi) < 0) {
			fk_hint(e->ctx, "nothing was erased; `flashkey info` lists the sectors with "
					"their addresses");
			return fk_fail(e->ctx, FK_E_RANGE, "sector %u does not exist on %s: its sectors "
							   "are %s", erase_index_of(c, lo) < 0 ? lo : hi,
				       c->chip, valid);
		}
		for (unsigned k = 0; k < c->nsectors; k++)
			if (c->sectors[k].number >= lo && c->sectors[k].number <= hi)
				fk_sector_set_add(set, k);
	}
	if (!fk_sector_set_count(set))
		return fk_fail(e->ctx, FK_E_USAGE, "say what to erase: sector numbers, --range "
						   "ADDR:LEN or --all");
	return FK_OK;
}

/* "5 (0x08020000, 128 KB), 6 (...)": the exact sectors, for the dry run and the report. */
static void erase_describe(const fk_chip_info *c, const fk_sector_set *set, char *buf,
			   size_t size)
{
	buf[0] = '\0';
	for (unsigned k = 0; k < c->nsectors; k++)
		if (fk_sector_set_has(set, k))
			fk_snprintf_cat(buf, size, "%s%u (0x%08X, %u KB)", buf[0] ? ", " : "",
					c->sectors[k].number, c->sectors[k].addr,
					c->sectors[k].size / 1024);
}

static int cmd_erase_run(cli_env *e)
{
	fk_session *s;
	fk_sector_set set = {0};
	bool all = cli_flag(&e->args, "all");
	char which[1536] = "";
	int rc = cli_session(e, &s);
	if (rc)
		return rc;
	if (all && (cli_nargs(e) || cli_value(&e->args, "range")))
		rc = fk_fail(e->ctx, FK_E_USAGE, "--all erases everything: give no sector numbers "
						 "or --range with it");
	else if (!all)
		rc = erase_set_of(e, s, &set);
	if (!rc && !all)
		erase_describe(fk_session_chip(s), &set, which, sizeof which);
	else if (!rc)
		snprintf(which, sizeof which, "all of main flash, 0x%08X-0x%08X (option bytes and OTP "
					      "untouched)", fk_session_chip(s)->flash_base,
			 fk_session_chip(s)->flash_base + fk_session_chip(s)->flash_size - 1);
	fk_perms perms;
	cli_perms(e, &perms);
	if (!rc && all)
		cli_consent_erase_all(e, &perms, "Erasing all of main flash.");
	/* the one yes/no question flashkey asks: on a terminal, before sectors are erased (no
	 * permission gates a sector erase, and no backup is taken for it); --yes answers it */
	if (!rc && !all && !e->dry_run && !e->out.json && e->out.interactive) {
		char q[1700];
		snprintf(q, sizeof q, "Erase sector%s %s? What they hold is lost (no backup is "
				      "taken for a sector erase).",
			 fk_sector_set_count(&set) > 1 ? "s" : "", which);
		if (!cli_confirm(&e->out, q)) {
			fk_hint(e->ctx, "--yes answers this question (scripts); `flashkey backup DIR` "
					"first keeps a copy");
			rc = fk_fail(e->ctx, FK_E_PERMISSION, "erase not confirmed: nothing was erased");
		}
	}
	if (!rc)
		rc = fk_flash_erase(s, &set, all, &perms);
	char backup[256] = "";
	fk_strlcpy(backup, fk_session_backup_dir(s), sizeof backup);
	rc = fk_session_end(s, rc);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_bool(&j, "dry_run", e->dry_run);
		json_kv_bool(&j, "all", all);
		json_kv_str(&j, "backup_dir", backup);
		json_key(&j, "sectors");
		json_arr_begin(&j);
		for (unsigned i = 0; i < set.n; i++)
			if (fk_sector_set_has(&set, i))
				json_uint(&j, i);
		json_arr_end(&j);
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		if (backup[0])
			printf("backup of the flash written and verified: %s\n", backup);
		printf("%s%s%s\n", e->dry_run ? "dry run: would erase " : "erased ",
		       all ? "" : fk_sector_set_count(&set) > 1 ? "sectors " : "sector ", which);
	}
	fk_sector_set_free(&set);
	return rc;
}

const cli_command cli_cmd_erase = {
	.name = "erase",
	.synopsis = "erase [SECTOR|FIRST-LAST]... | --range ADDR:LEN | --all",
	.summary = "erase sectors, an address range or all of flash (never option bytes)",
	.opts = erase_opts,
	.run = cmd_erase_run,
};
