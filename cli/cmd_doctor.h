/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey doctor: the pieces cmd_doctor.c (offline, --list) and cmd_doctor_live.c (-c CONN)
 * share. */
#ifndef FK_CLI_CMD_DOCTOR_H
#define FK_CLI_CMD_DOCTOR_H

#include <stdio.h>

#include "cli.h"
#include "flashkey/doctor.h"

/* Live forms: a message checked on the chip, and the health check without a message. */
int doctor_live(cli_env *e, const fk_doctor_catalogue *cat, const char *text, size_t len);
int doctor_health(cli_env *e, const fk_doctor_catalogue *cat);

/* One JSON document per run: begin, members, end (adds "ok" and "error"). */
void doctor_json_begin(json_w *j, const char *mode);
void doctor_json_end(cli_env *e, json_w *j, int code);
void doctor_json_hits(json_w *j, const fk_doctor_hit *hits, unsigned n);
void doctor_json_cause(json_w *j, const fk_doctor_cause *c);

#endif
