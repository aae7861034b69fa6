/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command list, in the order `flashkey --help` shows it. */
#include "cli.h"

extern const cli_command cli_cmd_list, cli_cmd_info, cli_cmd_status, cli_cmd_unlock,
	cli_cmd_erase, cli_cmd_write, cli_cmd_verify, cli_cmd_read, cli_cmd_backup, cli_cmd_restore,
	cli_cmd_options, cli_cmd_otp, cli_cmd_reset, cli_cmd_run, cli_cmd_doctor, cli_cmd_image;

const cli_command *const cli_commands[] = {
	&cli_cmd_list,   &cli_cmd_info,    &cli_cmd_status, &cli_cmd_unlock,  &cli_cmd_erase,
	&cli_cmd_write,  &cli_cmd_verify,  &cli_cmd_read,   &cli_cmd_backup,  &cli_cmd_restore,
	&cli_cmd_options, &cli_cmd_otp,    &cli_cmd_reset,  &cli_cmd_run,     &cli_cmd_doctor,
	&cli_cmd_image,
	NULL,
};
