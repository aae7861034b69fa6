/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin: create, inspect, reset and serve digital twins. One file per command group;
 * the command table is in main.c. Uses only public headers (fktwin/...). */
#ifndef FK_TWIN_CLI_H
#define FK_TWIN_CLI_H

#include "common/args.h"
#include "common/json.h"
#include "common/out.h"
#include "fktwin/chip.h"
#include "flashkey/core.h"

typedef struct tcli_env {
	cli_out out;
	fk_ctx *ctx;
	cli_args args;
	const struct tcli_cmd *cmd;
	char **rest; /* with-usb: the command after "--" (NULL-terminated), NULL if none */
	tw_chip *chip; /* new: the chip being created */
} tcli_env;

typedef struct tcli_cmd {
	const char *name;
	const char *synopsis;
	const char *summary;
	const cli_opt *opts;
	int (*run)(tcli_env *e);
} tcli_cmd;

const char *tcli_arg(const tcli_env *e, unsigned i); /* positional after the command */
/* Fails with FK_E_USAGE unless exactly n positional arguments follow the command. */
int tcli_need_args(tcli_env *e, unsigned n);
/* Unknown chip: FK_E_USAGE with the list of valid names. */
int tcli_unknown_chip(tcli_env *e, const char *name);

int tcli_cmd_list(tcli_env *e);
int tcli_cmd_new(tcli_env *e);
int tcli_cmd_set(tcli_env *e);
extern const cli_opt tcli_set_opts[];
int tcli_cmd_show(tcli_env *e);
int tcli_cmd_power_cycle(tcli_env *e);
int tcli_cmd_reset(tcli_env *e);
int tcli_cmd_serve(tcli_env *e);
int tcli_cmd_with_usb(tcli_env *e);
extern const cli_opt tcli_with_usb_opts[];
/* Twins whose model offers only a SPI port (cmd_spi_serve.c): served by the SPI servers */
int tcli_spi_serve(tcli_env *e, bool realtime, int64_t max_ms);
/* Twins whose model offers byte-stream ports and no debug port (cmd_stream_serve.c) */
int tcli_stream_serve(tcli_env *e, bool realtime, int64_t max_ms);
/* new's options: the union of the models' (built at start) */
const cli_opt *tcli_new_opts(void);
extern const cli_opt tcli_show_opts[];
/* serve's options: built from the module table at start */
const cli_opt *tcli_serve_opts(void);

#endif
