/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host end of a byte-stream port (tw_stream_port, twin/model.h), for any model and any
 * protocol: the in-process `twin-uart:PATH` connection (stream_uart.c) and the `flashkey-twin
 * serve` servers on a pseudo-terminal or a loopback TCP socket (serve_stream.c).
 *
 * A serve entry for a stream port is ONE line in twin/serve_modules.c:
 *
 *     TW_SERVE_STREAM(tw_serve_mod_lpc_pty, "lpc-pty", "LINK[@BAUD]",
 *                     "NXP LPC ISP on a pseudo-terminal, symlinked at LINK",
 *                     "lpc-isp", TW_HOST_PTY, 115200, 10, "LPC ISP, use 8N1");
 *
 * and `&tw_serve_mod_lpc_pty,` in the table. It then works for every model that offers a stream
 * port named "lpc-isp" and is refused, naming the model and its ports, for any other. A server
 * that is not the chip's own port but an adapter in front of another port (a serprog programmer
 * in front of a SPI NOR's SPI port) sets `open_endpoint` in a tw_stream_serve_def instead of a
 * protocol name (TW_SERVE_STREAM_DEF).
 *
 * Timing: every byte the host end feeds is charged by the port on the virtual clock at the
 * session's baud and framing (bits_per_byte). With `serve --realtime` the pty/TCP server also
 * sleeps the virtual time each exchange cost, so a peer sees the real wire rate and ROM delays,
 * and the ROM's start-up after a reset (tw_stream_port.startup_ns) is kept.
 * Baud changes: the pty server reads the speed the peer set on its end (tcgetattr on the pty)
 * before each batch and passes a change to the port's set_baud (ports without it keep the
 * configured rate). Line control: a pty has no DTR/RTS (an3155.md §4.3); twin-uart: passes the
 * host's DTR/RTS to the port's `lines` (refused, as before, for ports without it); a TCP server
 * carrying them (RFC 2217) can call tw_stream_session_lines. */
#ifndef TW_STREAM_H
#define TW_STREAM_H

#include "chip.h"
#include "flashkey/backend.h"
#include "serve.h"

/* ---- a session: a port opened on a chip ---- */
typedef struct tw_stream_session {
	tw_chip *chip;
	const tw_stream_port *port;
	void *sess;
} tw_stream_session;

/* Open the port on chip: enter the ROM as a board would (port->enter) if `enter`, then start
 * the session with cfg. */
int tw_stream_session_open(tw_stream_session *s, fk_ctx *ctx, tw_chip *chip,
			   const tw_stream_port *port, const tw_stream_cfg *cfg, bool enter);
void tw_stream_session_close(tw_stream_session *s);
int tw_stream_session_lines(tw_stream_session *s, fk_ctx *ctx, unsigned asserted);

/* ---- twin-uart:PATH (in process) ---- */
/* The backend: the twin's first byte-stream port (its ROM bootloader UART), entered as a board
 * reset with the boot pins selecting the ROM does. A model without one is refused. */
int tw_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);
/* twin-lpc:PATH[,XTAL_KHZ]: the twin's "lpc-isp" port (8N1), the board as it is (the client's
 * --boot-seq control resets it into the ISP through the port's DTR/RTS wiring). */
int tw_lpc_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);
/* twin-esp:PATH: the same on the chip's "esp-rom" port (the Espressif serial ROM loader),
 * refused for a model without one. */
int tw_esp_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);
/* The same on a chip in memory (tests, benchmarks): no reset into the ROM (the chip is left as
 * it is); closing frees the session, and closes the chip too if take_chip. */
int tw_stream_attach(tw_chip *chip, const tw_stream_port *port, const tw_stream_cfg *cfg,
		     bool take_chip, fk_transport *out);
/* The same with a session the caller opened with the model's own API (its full configuration);
 * the transport takes the session. */
int tw_stream_adopt(tw_chip *chip, const tw_stream_port *port, void *sess, bool take_chip,
		    fk_transport *out);
/* For tests and benchmarks holding a twin-uart transport's handle: the port's session object
 * (the model's type) and the chip. */
void *tw_uart_session(void *handle);
tw_chip *tw_uart_twin(void *handle);

/* ---- serve: pty and TCP servers ---- */
typedef enum tw_stream_host {
	TW_HOST_PTY = 0, /* VALUE = LINK[@BAUD]: a pty, its slave symlinked at LINK */
	TW_HOST_TCP = 1, /* VALUE = 127.0.0.1:PORT[@BAUD]: one client at a time (0: pick a port) */
} tw_stream_host;

typedef struct tw_stream_serve_def {
	const char *option;   /* "uart-pty" (also the prefix of its log lines) */
	const char *protocol; /* the model's stream port to serve ("an3155") */
	tw_stream_host host;
	unsigned baud;          /* default baud when VALUE gives none */
	unsigned bits_per_byte; /* wire bits per byte the clock is charged (11 = 8E1, 10 = 8N1) */
	const char *peer_note;  /* printed after the link: "AN3155 bootloader, use 8N1" */
	/* Optional, instead of `protocol`: build the device end in front of another port of the
	 * chip (e.g. a serprog programmer over tw_chip_spi). Fail ctx (FK_E_UNSUPPORTED naming the
	 * port) when the chip lacks what it needs. */
	int (*open_endpoint)(tw_chip *chip, fk_ctx *ctx, const tw_stream_cfg *cfg,
			     const tw_stream_port **port, void **sess);
} tw_stream_serve_def;

int tw_stream_serve_start(const tw_stream_serve_def *def, tw_serve *s, fk_ctx *ctx,
			  const char *value, void **state);
unsigned tw_stream_serve_fds(void *state, struct pollfd *pfd, unsigned max);
int tw_stream_serve_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd,
			   unsigned n);
void tw_stream_serve_stop(void *state);

/* Defines `const tw_serve_module NAME` serving a stream port (see the top of this file). */
#define TW_SERVE_STREAM_DEF(NAME, OPTION, METAVAR, HELP, ...)                                      \
	static const tw_stream_serve_def NAME##_def = {OPTION, __VA_ARGS__};                       \
	static int NAME##_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)         \
	{                                                                                          \
		return tw_stream_serve_start(&NAME##_def, s, ctx, value, state);                   \
	}                                                                                          \
	const tw_serve_module NAME = {OPTION,                                                      \
				      METAVAR,                                                     \
				      HELP,                                                        \
				      NAME##_start,                                                \
				      tw_stream_serve_fds,                                         \
				      tw_stream_serve_handle,                                      \
				      NULL,                                                        \
				      tw_stream_serve_stop}
/* The common case: the chip's own port PROTOCOL. */
#define TW_SERVE_STREAM(NAME, OPTION, METAVAR, HELP, PROTOCOL, HOST, BAUD, BITS, NOTE)             \
	TW_SERVE_STREAM_DEF(NAME, OPTION, METAVAR, HELP, PROTOCOL, HOST, BAUD, BITS, NOTE, NULL)

#endif
