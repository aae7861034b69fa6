/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey list: every attached debug probe (kind, VID:PID, serial, firmware) and every serial
 * port, with the -c string that selects each. Listing nothing is not an error. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "flashkey/probe.h"

#define LIST_MAX_PORTS 64

static const char *list_problem(int error)
{
	if (error == FK_E_CONNECT)
		return "permission denied: install docs/60-flashkey.rules (see `flashkey list --help`)";
	if (error == FK_E_BUSY)
		return "in use by another program";
	if (error)
		return fk_strerror(error);
	return "";
}

static void list_print_text(const fk_probe_info *p, unsigned np, const fk_serial_port *s,
			    unsigned ns)
{
	printf("Debug probes:\n");
	if (np == 0)
		printf("  (none found)\n");
	for (unsigned i = 0; i < np; i++) {
		printf("  %-14s %04x:%04x  serial %-24s firmware %-12s %s\n", p[i].kind, p[i].vid,
		       p[i].pid, p[i].serial[0] ? p[i].serial : "-",
		       p[i].firmware[0] ? p[i].firmware : "?", p[i].location);
		if (p[i].error)
			printf("  %14s %s\n", "", list_problem(p[i].error));
		else
			printf("  %14s use: -c %s\n", "", p[i].connection);
	}
	printf("Serial ports:\n");
	if (ns == 0)
		printf("  (none found)\n");
	for (unsigned i = 0; i < ns; i++)
		printf("  %-20s %s\n", s[i].path, s[i].description);
}

static void list_print_json(const fk_probe_info *p, unsigned np, const fk_serial_port *s,
			    unsigned ns)
{
	json_w j;
	json_init(&j, stdout, 2);
	json_obj_begin(&j);
	json_kv_str(&j, "command", "list");
	json_kv_bool(&j, "ok", true);
	json_key(&j, "probes");
	json_arr_begin(&j);
	for (unsigned i = 0; i < np; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "kind", p[i].kind);
		json_kv_hex(&j, "vid", p[i].vid, 4);
		json_kv_hex(&j, "pid", p[i].pid, 4);
		json_kv_str(&j, "serial", p[i].serial);
		json_kv_str(&j, "product", p[i].product);
		json_kv_str(&j, "firmware", p[i].firmware);
		json_kv_str(&j, "location", p[i].location);
		json_kv_str(&j, "connection", p[i].connection);
		if (p[i].error)
			json_kv_str(&j, "problem", list_problem(p[i].error));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "serial_ports");
	json_arr_begin(&j);
	for (unsigned i = 0; i < ns; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "path", s[i].path);
		json_kv_str(&j, "description", s[i].description);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static int cmd_list_run(cli_env *e)
{
	static fk_probe_info probes[FK_PROBE_MAX];
	static fk_serial_port ports[LIST_MAX_PORTS];
	unsigned np = 0, ns = 0;
	int rc = fk_probe_list(e->ctx, probes, FK_PROBE_MAX, &np);
	if (rc == FK_OK)
		rc = fk_serial_list(e->ctx, ports, LIST_MAX_PORTS, &ns);
	if (rc)
		return rc;
	if (e->out.json) {
		list_print_json(probes, np, ports, ns);
		e->json_done = true;
	} else {
		list_print_text(probes, np, ports, ns);
	}
	return FK_OK;
}

const cli_command cli_cmd_list = {
	.name = "list",
	.synopsis = "list",
	.summary = "list attached probes and serial ports",
	.details = "Shows every ST-LINK (V2, V2-1, V3) and CMSIS-DAP probe (v2 bulk, v1 HID) with its "
		   "USB VID:PID, serial number and firmware version, and the -c string that selects "
		   "it, then every serial port. A probe that cannot be opened for lack of permission "
		   "needs the udev rule: sudo cp docs/60-flashkey.rules /etc/udev/rules.d/ && sudo "
		   "udevadm control --reload && sudo udevadm trigger, then replug it.",
	.run = cmd_list_run,
};
