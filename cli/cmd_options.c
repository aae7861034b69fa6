/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey options show|set: option bytes decoded by the chip's driver, with the raw registers
 * it names as holding them (fk_chip_info.opt_reg_prefix) and the keys `set` takes (its options
 * schema, fk_session_option_keys): the CLI knows no chip's options.
 * `set` takes semantic keys, RDP level 2 only with --allow-irreversible=PERMANENT (or PERMANENT
 * typed), RDP 1->0 only with --allow-erase-all (or yes typed); read back, pending reset said. */
#include <string.h>

#include "cmd_common.h"

static int options_show(cli_env *e, fk_session *s)
{
	fk_inventory inv;
	const char *pre = fk_session_chip(s)->opt_reg_prefix;
	size_t npre = strlen(pre);
	unsigned nkeys;
	const fk_option_key *keys = fk_session_option_keys(s, &nkeys);
	int rc = fk_session_inventory(s, &inv);
	if (rc)
		return rc;
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, FK_OK);
		json_key(&j, "registers");
		json_obj_begin(&j);
		for (unsigned i = 0; i < inv.nregs; i++)
			if (npre && strncmp(inv.regs[i].name, pre, npre) == 0)
				json_kv_hex(&j, inv.regs[i].name, inv.regs[i].value, 8);
		json_obj_end(&j);
		json_key(&j, "options");
		json_obj_begin(&j);
		for (unsigned i = 0; i < inv.nopts; i++) {
			json_key(&j, inv.opts[i].key);
			json_obj_begin(&j);
			json_kv_uint(&j, "value", inv.opts[i].value);
			json_kv_str(&j, "text", inv.opts[i].text);
			json_obj_end(&j);
		}
		json_obj_end(&j);
		json_key(&j, "keys");
		json_arr_begin(&j);
		for (unsigned i = 0; i < nkeys; i++) {
			json_obj_begin(&j);
			json_kv_str(&j, "key", keys[i].key);
			json_kv_str(&j, "values", keys[i].values);
			json_kv_str(&j, "help", keys[i].help);
			json_kv_bool(&j, "irreversible", keys[i].irreversible_value);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		cli_json_end(e, &j, FK_OK);
		return FK_OK;
	}
	for (unsigned i = 0; i < inv.nregs; i++)
		if (npre && strncmp(inv.regs[i].name, pre, npre) == 0)
			printf("%-13s 0x%08X\n", inv.regs[i].name, inv.regs[i].value);
	for (unsigned i = 0; i < inv.nopts; i++)
		printf("  %-10s %s\n", inv.opts[i].key, inv.opts[i].text);
	for (unsigned i = 0; i < inv.nsectors; i++)
		if (inv.sectors[i].wrp || inv.sectors[i].pcrop)
			printf("  sector %u: %s\n", inv.sectors[i].number,
			       inv.sectors[i].pcrop ? "PCROP" : "write-protected");
	if (nkeys)
		printf("keys for `flashkey options set KEY=VALUE`:\n");
	for (unsigned i = 0; i < nkeys; i++)
		printf("  %-10s %-16s %s%s\n", keys[i].key, keys[i].values, keys[i].help,
		       keys[i].irreversible_value ? " [a value of it is irreversible]" : "");
	return FK_OK;
}

static int options_gates(cli_env *e, fk_session *s, const char *const *kv, unsigned n,
			 fk_perms *perms)
{
	bool irr = false, all = false;
	int rc = fk_options_preview(s, kv, n, &irr, &all);
	if (rc)
		return rc;
	if (irr)
		cli_consent_irreversible(e, perms, "RDP level 2 disables debug and the bootloader "
						  "for good; option bytes can never change again.");
	if (all)
		cli_consent_erase_all(e, perms, "RDP 1->0 mass-erases all flash.");
	return FK_OK;
}

static int options_set(cli_env *e, fk_session *s)
{
	const char *kv[CLI_MAX_POS];
	unsigned n = 0;
	fk_perms perms;
	fk_pending pending = FK_PENDING_NONE;
	for (unsigned i = 1; i < cli_nargs(e); i++)
		kv[n++] = cli_arg(e, i);
	if (!n)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey options set KEY=VALUE...");
	cli_perms(e, &perms);
	if (!e->out.json) { /* a driver-planned change says what each step writes and costs first */
		fk_plan plan;
		int prc = fk_options_plan(s, kv, n, &plan);
		if (prc && prc != FK_E_UNSUPPORTED)
			return prc; /* the same failure the change itself would meet */
		for (unsigned i = 0; !prc && i < plan.nsteps; i++)
			printf("%s  %u. %-9s %s\n     cost: %s%s%s\n", i ? "" : "plan:\n", i + 1,
			       plan.steps[i].name, plan.steps[i].what, plan.steps[i].cost_text,
			       plan.steps[i].refused ? "; refused: " : "",
			       plan.steps[i].refused ? plan.steps[i].why : "");
	}
	int rc = options_gates(e, s, kv, n, &perms);
	if (!rc)
		rc = fk_options_set(s, kv, n, &perms, &pending);
	if (!rc) /* "programmed" only once the target holds it (issue 13 class 7) */
		rc = fk_session_sync(s);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_bool(&j, "dry_run", e->dry_run);
		json_kv_str(&j, "pending", fk_pending_name(pending));
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		if (e->dry_run) { /* name what a real run would program (issue 13, class 2) */
			const fk_chip_info *c = fk_session_chip(s);
			printf("dry run: would program the option bytes at 0x%08X (%.*s):",
			       c->option_base, (int)strcspn(c->option_reg, " "), c->option_reg);
			for (unsigned i = 0; i < n; i++)
				printf(" %s", kv[i]);
			printf("\n");
		}
		printf("%s%s\n", e->dry_run ? "dry run: the change is allowed; nothing was written"
					    : "option bytes programmed and read back",
		       pending == FK_PENDING_POWER_ON ? "; a power-on reset is required before it "
							"takes effect (`flashkey reset power`)"
		       : pending == FK_PENDING_RESET ? "; a reset is required before it takes effect "
						       "(`flashkey reset`)" : "");
	}
	return rc;
}

static int cmd_options_run(cli_env *e)
{
	const char *sub = cli_arg(e, 0);
	fk_session *s;
	if (!sub || (strcmp(sub, "show") && strcmp(sub, "set")))
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey options show | set KEY=VALUE...");
	int rc = cli_session(e, &s);
	if (rc)
		return rc;
	rc = strcmp(sub, "show") == 0 ? options_show(e, s) : options_set(e, s);
	rc = fk_session_end(s, rc);
	return rc;
}

const cli_command cli_cmd_options = {
	.name = "options",
	.synopsis = "options show | set KEY=VALUE...",
	.summary = "show or change option bytes (RDP, WRP, PCROP, BOR, watchdog, reset bits)",
	.details = "The keys come from the chip's driver: `flashkey -c CONN options show` lists "
		   "them with the values each takes (JSON: \"keys\"). A change is planned first "
		   "and the plan printed; a value that can never be undone (read protection at its "
		   "permanent level) needs --allow-irreversible=PERMANENT, one that erases all flash "
		   "(a read-protection regression) --allow-erase-all, and a backup is taken first.",
	.run = cmd_options_run,
};
