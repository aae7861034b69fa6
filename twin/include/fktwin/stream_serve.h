/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Public face of the stream-port pty server for the tools: see twin/stream_serve.h. */
#ifndef FKTWIN_STREAM_SERVE_H
#define FKTWIN_STREAM_SERVE_H
#include "../../stream_serve.h"
#endif
