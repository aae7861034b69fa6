/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --OPTION LINK` for twins whose model offers byte-stream ports and no
 * debug port (twin/model.h tw_stream_port: a boot-ROM protocol behind a UART): each LINK is a
 * symlink to a pseudo-terminal whose other end is the model's stream port, for peer tools that
 * open a serial device (lpc21isp). Generic over the model registry: the option names the
 * protocol through the table in stream_serve.c (one line per protocol).
 *
 * Peer sessions: the server does not hold the pty's slave open, so it sees a peer open the
 * device (the hang-up on the master clears) and then resets the board into the ROM
 * (tw_stream_port.board_reset), as the user pressing RESET with the boot/ISP button held, or a
 * tool's DTR/RTS wiring, does before each session on a bench. A pty carries no DTR/RTS, so the
 * line-control wiring itself is exercised in process only (tw_stream_port.lines).
 *
 * Time: the model charges every byte on its virtual clock; the server does not pace (replies go
 * out at once). The state file is locked for the run and saved when the line is idle for 200 ms,
 * at least every 5 s while bytes flow, and at the end. */
#ifndef TW_STREAM_SERVE_H
#define TW_STREAM_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkey/core.h"

/* The stream protocol served by `--OPTION` (e.g. option "lpc-pty"), or NULL. */
const char *tw_stream_serve_protocol(const char *option);
/* True when one of this server's options serves the stream protocol (e.g. "lpc-isp"). A
 * stream-only model whose ports none of them serves (e.g. "esp-rom") is served by the serve
 * loop's stream modules (twin/serve_modules.c TW_SERVE_STREAM: --esp-pty, --esp-tcp). */
bool tw_stream_serve_has_protocol(const char *protocol);

typedef struct tw_stream_serve_opts {
	int64_t max_ms; /* stop after this much wall time (tests); <= 0: until a signal */
} tw_stream_serve_opts;

typedef struct tw_stream_link {
	const char *option; /* "lpc-pty" (for messages) */
	const char *link;   /* the symlink path */
} tw_stream_link;

/* Lock and load PATH, create the ptys, serve until SIGINT/SIGTERM or max_ms, save. Prints one
 * line per link ("lpc-pty: LINK -> /dev/pts/N (PROTOCOL)") and the port's log lines. */
int tw_stream_serve(fk_ctx *ctx, const char *path, const tw_stream_link *links, unsigned n,
		    const tw_stream_serve_opts *o);

#endif
