/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin show PATH [--json], list, power-cycle and reset, for a twin of any chip model:
 * the model decodes itself (tw_model.show_text/show_json) and words what a reset did
 * (tw_model.event_text); this file only opens, dispatches and prints. */
#include <stdio.h>
#include <string.h>

#include "twin_cli.h"

const cli_opt tcli_show_opts[] = {
	{"json", 0, CLI_FLAG, NULL, "print one JSON document"},
	{NULL, 0, 0, NULL, NULL},
};

/* ---- the model's JSON goes through the CLI's writer ---- */
static void tj_obj_begin(void *h) { json_obj_begin(h); }
static void tj_obj_end(void *h) { json_obj_end(h); }
static void tj_arr_begin(void *h) { json_arr_begin(h); }
static void tj_arr_end(void *h) { json_arr_end(h); }
static void tj_key(void *h, const char *k) { json_key(h, k); }
static void tj_str(void *h, const char *s) { json_str(h, s); }
static void tj_uint(void *h, uint64_t v) { json_uint(h, v); }
static void tj_bool(void *h, bool v) { json_bool(h, v); }
static void tj_hex(void *h, uint32_t v, int digits) { json_hex(h, v, digits); }

int tcli_cmd_show(tcli_env *e)
{
	int rc = tcli_need_args(e, 1);
	if (rc)
		return rc;
	tw_chip *c;
	/* no lock: show works while a server holds the twin (it saves after every change) */
	if ((rc = tw_chip_load(e->ctx, tcli_arg(e, 0), &c)))
		return rc;
	const tw_model *m = tw_chip_model(c);
	if (cli_flag(&e->args, "json")) {
		json_w j;
		json_init(&j, stdout, 2);
		tw_json tj = {&j,     tj_obj_begin, tj_obj_end, tj_arr_begin, tj_arr_end,
			      tj_key, tj_str,	    tj_uint,	tj_bool,      tj_hex};
		m->show_json(tw_chip_impl(c), tcli_arg(e, 0), &tj);
		json_finish(&j);
	} else {
		m->show_text(tw_chip_impl(c), tcli_arg(e, 0), stdout);
	}
	tw_chip_free(c);
	return FK_OK;
}

int tcli_cmd_list(tcli_env *e)
{
	int rc = tcli_need_args(e, 0);
	if (rc)
		return rc;
	json_w j;
	bool json = cli_flag(&e->args, "json");
	if (json) {
		json_init(&j, stdout, 2);
		json_arr_begin(&j);
	}
	tw_variant_info v;
	for (unsigned m = 0; tw_model_at(m); m++)
		for (unsigned i = 0; tw_model_at(m)->variant_at(i, &v); i++) {
			if (!json) {
				printf("%-12s %-22s %s 0x%0*X  %5u KiB flash\n", v.name, v.family,
				       v.id_name, v.id_digits, v.id, v.flash_bytes / 1024);
				continue;
			}
			json_obj_begin(&j);
			json_kv_str(&j, "name", v.name);
			json_kv_str(&j, "family", v.family);
			json_kv_hex(&j, v.id_key, v.id, v.id_digits);
			json_kv_uint(&j, "flash_bytes", v.flash_bytes);
			json_obj_end(&j);
		}
	if (json) {
		json_arr_end(&j);
		json_finish(&j);
	}
	return FK_OK;
}

static int tcli_open_twin(tcli_env *e, tw_chip **c)
{
	int rc = tcli_need_args(e, 1);
	return rc ? rc : tw_chip_open(e->ctx, tcli_arg(e, 0), c);
}

/* Closes (saving) and prints the model's account of what happened. */
static int tcli_close_report(tcli_env *e, tw_chip *c, tw_event ev)
{
	char what[256] = "";
	tw_chip_model(c)->event_text(tw_chip_impl(c), ev, what, sizeof what);
	int rc = tw_chip_close(c, e->ctx);
	if (!rc && e->out.verbosity >= 0 && what[0])
		printf("%s\n", what);
	return rc;
}

int tcli_cmd_power_cycle(tcli_env *e)
{
	tw_chip *c;
	int rc = tcli_open_twin(e, &c);
	if (rc)
		return rc;
	if (tw_chip_powered(c))
		tw_chip_power_off(c);
	tw_chip_power_on(c);
	return tcli_close_report(e, c, TW_EV_POWER_CYCLED);
}

int tcli_cmd_reset(tcli_env *e)
{
	tw_chip *c;
	int rc = tcli_open_twin(e, &c);
	if (rc)
		return rc;
	if (!tw_chip_powered(c)) {
		tw_chip_close(c, e->ctx);
		fk_hint(e->ctx, "restore power with `flashkey-twin power-cycle %s`", tcli_arg(e, 0));
		return fk_fail(e->ctx, FK_E_NO_POWER, "%s: target not powered", tcli_arg(e, 0));
	}
	tw_chip_reset(c, TW_RESET_SYSTEM);
	return tcli_close_report(e, c, TW_EV_RESET);
}
