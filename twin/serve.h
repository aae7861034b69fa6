/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH [--MODULE VALUE ...]`: the server loop that exposes one twin to real
 * peer tools, and the plug-in interface its server modules implement.
 *
 * The loop owns the twin — of any chip model (twin/chip.h), opened with tw_chip_open: the state
 * file is locked for the whole run.
 * Each module contributes one command-line option (e.g. --uart-pty LINK), file descriptors to
 * poll, and a handler for their events. After handler calls that changed the twin (the module
 * calls tw_serve_changed, or the twin reports itself dirty) the loop saves the state file
 * (tw_chip_sync_fast) — at once when the peers pause (poll times out), at most once a second while
 * one streams — so what a peer did can be inspected with `flashkey-twin show` while the server
 * runs; on SIGINT/SIGTERM it stops the modules, lets a flash operation in progress finish,
 * saves and exits 0.
 *
 * Time: by default the virtual clock only moves when a module advances it (wire time of the
 * bytes it moved, waits on stalls) and, when the loop is idle (nothing to read for
 * `idle` ms), any flash operation in progress is completed at once, so peers polling BSY see it
 * clear quickly. With --realtime the loop instead advances the virtual clock by the wall-clock
 * time that passed, so BSY lasts the datasheet time in real time (peers' timeouts are tested).
 *
 * Adding a module (e.g. twin/boot/uart_pty.c):
 *   1. define `const tw_serve_module tw_serve_mod_uart_pty = {...};` in your file;
 *   2. add one line to the table in twin/serve_modules.c (the only shared edit).
 * Modules may be given several times (each occurrence calls start once). */
#ifndef TW_SERVE_H
#define TW_SERVE_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "chip.h"

typedef struct tw_serve tw_serve;

#define TW_SERVE_MAX_FDS 16 /* per module instance */

typedef struct tw_serve_module {
	const char *option;  /* long option without dashes: "uart-pty" */
	const char *metavar; /* "LINK", "HOST:PORT" */
	const char *help;    /* one line for --help */
	/* Called once per occurrence of --option VALUE, before the loop starts. Set *state to the
	 * instance's private data. Return 0 or FK_E_* with a cause in ctx (the server then stops
	 * the instances already started and exits with that error). May print one line to stdout
	 * saying where it listens (e.g. "uart-pty: /tmp/link -> /dev/pts/5"): tests read it. */
	int (*start)(tw_serve *s, fk_ctx *ctx, const char *value, void **state);
	/* Fill up to max pollfd entries (fd and events); return how many. Called before every
	 * poll(2). May be NULL (no fds). */
	unsigned (*fds)(void *state, struct pollfd *pfd, unsigned max);
	/* The entries filled by fds, with revents set by poll (called only if one is non-zero).
	 * Return 0 to continue, FK_E_* to stop the server with that error, or TW_SERVE_DONE to
	 * ask for a clean stop (e.g. the peer closed and --once was given). */
	int (*handle)(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n);
	/* Milliseconds until this instance wants handle() called without an event (a timer,
	 * e.g. to pace output in real time), or -1 for none. May be NULL. When it expires the loop
	 * calls handle with n == 0. */
	int (*timeout_ms)(void *state, tw_serve *s);
	/* Release everything (close fds, remove links). Always called once after start succeeded. */
	void (*stop)(void *state);
} tw_serve_module;

#define TW_SERVE_DONE 1

/* The table of modules (twin/serve_modules.c), NULL-terminated. */
extern const tw_serve_module *const tw_serve_modules[];

/* The twin being served. Modules reach it only through the port they serve (tw_chip_dap,
 * tw_chip_stream, tw_chip_spi), and refuse in start() when the model does not offer it (those
 * calls fail ctx with the model, the port and what the twin does offer). */
tw_chip *tw_serve_chip(tw_serve *s);
/* Tell the loop the twin changed (it also notices on its own through tw_chip_dirty). */
void tw_serve_changed(tw_serve *s);
/* True with --realtime: the loop paces the virtual clock with the wall clock. Modules that
 * account wire time themselves should then not advance the clock (the loop does). */
bool tw_serve_realtime(const tw_serve *s);
/* Ask the loop to stop cleanly after the current handler (as on SIGTERM). */
void tw_serve_stop(tw_serve *s);
/* Every network server listens on loopback only (issue 13 class 18): anyone who reaches the
 * port reads and rewrites the twin, without authentication. For `--OPTION HOST:PORT` this
 * returns FK_OK when HOST is empty, "localhost" or an address in 127.0.0.0/8, or when the user
 * gave --allow-network-exposure (tw_serve_opts.allow_network); otherwise FK_E_PERMISSION
 * naming the address and the flag. Modules call it in start() before they bind. */
int tw_serve_check_listen(const tw_serve *s, fk_ctx *ctx, const char *option, const char *value);

typedef struct tw_serve_opts {
	bool realtime;
	unsigned idle_ms;   /* idle time before completing a busy flash operation (default 5) */
	int64_t max_ms;     /* stop after this much wall time (tests); <= 0: run until a signal */
	bool allow_network; /* --allow-network-exposure: servers may listen beyond loopback */
	uint64_t *served_ns; /* if set, receives the chip's virtual time spent while served */
} tw_serve_opts;

/* One module instance to start: the module and its option value. */
typedef struct tw_serve_req {
	const tw_serve_module *mod;
	const char *value;
} tw_serve_req;

/* Open PATH (locked), start the requested instances, run the loop until SIGINT/SIGTERM, a
 * module's TW_SERVE_DONE or max_ms; then stop the instances and save. Returns 0 or FK_E_*. */
int tw_serve_run(fk_ctx *ctx, const char *path, const tw_serve_req *reqs, unsigned nreqs,
		 const tw_serve_opts *opts);

#endif
