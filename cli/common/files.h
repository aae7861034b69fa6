/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files of flashkey and flashkey-twin (issue 13, class 5): an existing path is never
 * replaced unless the user said --force. */
#ifndef FK_CLI_FILES_H
#define FK_CLI_FILES_H

#include <stdbool.h>

#include "flashkey/core.h"

/* FK_OK when path does not exist (nor as a dangling symlink) or force is set; otherwise
 * FK_E_PERMISSION naming the path and what it is, with the hint to pass --force. `what` says
 * what would be written there ("the twin state", "the converted image"). */
int cli_refuse_existing(fk_ctx *ctx, const char *path, bool force, const char *what);

#endif
