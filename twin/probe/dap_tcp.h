/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: CMSIS-DAP over TCP, server side (dap_tcp.c); the serve module and tests drive it
 * from their own poll loops. */
#ifndef TW_PROBE_DAP_TCP_H
#define TW_PROBE_DAP_TCP_H

#include "probe/probe_emu.h"

typedef struct tw_dap_tcp {
	int lfd, cfd;            /* listening socket, the client (-1: none) */
	tw_cmsis_dap *emu;
	uint8_t in[2 * (8 + 1024)];
	size_t in_len;
	unsigned long frames;     /* requests answered */
	unsigned long bad_frames; /* clients dropped for a bad header */
} tw_dap_tcp;

/* Listen on HOST:PORT (PORT 0: any free port, reported in *port). */
int tw_dap_tcp_listen(fk_ctx *ctx, const char *hostport, int *fd, unsigned *port);
void tw_dap_tcp_init(tw_dap_tcp *t, int listen_fd, tw_cmsis_dap *emu);
void tw_dap_tcp_accept(tw_dap_tcp *t); /* the listening socket is readable */
/* The client socket is readable: answer every complete frame. 0 when the client left or was
 * dropped for a protocol violation, 1 otherwise. */
int tw_dap_tcp_read(tw_dap_tcp *t);
void tw_dap_tcp_drop(tw_dap_tcp *t);

#endif
