/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Public face of the `flashkey-twin serve` framework for the tools: see twin/serve.h. */
#ifndef FKTWIN_SERVE_H
#define FKTWIN_SERVE_H
#include "../../serve.h"
#endif
