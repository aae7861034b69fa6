/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --cmsis-dap-tcp HOST:PORT`: the served twin behind the CMSIS-DAP
 * emulator, reached with the "DAP\0" TCP framing (probes.md §6.1) by `flashkey -c
 * cmsis-dap-tcp:HOST:PORT` or OpenOCD master's `cmsis-dap backend tcp`. One client at a time;
 * the debug port keeps its state across connections, as on a board. PORT 0 picks a free port;
 * the line "cmsis-dap-tcp: listening on HOST:PORT" says which. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug/chip_port.h"
#include "probe/dap_tcp.h"
#include "serve.h"

typedef struct dts_srv {
	tw_chip_port port;
	tw_probe_target tgt;
	tw_cmsis_dap *emu;
	tw_dap_tcp tcp;
	int lfd;
} dts_srv;

static void dts_stop(void *state)
{
	dts_srv *d = state;
	tw_dap_tcp_drop(&d->tcp);
	if (d->lfd >= 0)
		close(d->lfd);
	tw_cmsis_dap_free(d->emu);
	tw_dap_free(d->tgt.dap);
	free(d);
}

static int dts_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	dts_srv *d = calloc(1, sizeof *d);
	unsigned port = 0;
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "cmsis-dap-tcp");
	d->lfd = -1;
	int rc = tw_serve_check_listen(s, ctx, "cmsis-dap-tcp", value);
	if (rc == FK_OK)
		rc = tw_dap_tcp_listen(ctx, value, &d->lfd, &port);
	if (rc == FK_OK && !(d->tgt.dap = tw_chip_port_open(&d->port, tw_serve_chip(s), ctx,
							     "--cmsis-dap-tcp")))
		rc = fk_ctx_error(ctx);
	d->port.no_clock = tw_serve_realtime(s);
	d->tgt.bus = &tw_chip_port_bus;
	d->tgt.bus_h = &d->port;
	if (rc == FK_OK && !(d->emu = tw_cmsis_dap_new(&d->tgt, "TWINTCP", 1024, 4, "2.1.0")))
		rc = fk_fail(ctx, FK_E_NOMEM, "cmsis-dap-tcp: emulator");
	if (rc) {
		dts_stop(d);
		return rc;
	}
	tw_dap_tcp_init(&d->tcp, d->lfd, d->emu);
	const char *colon = strrchr(value, ':');
	if (colon == value) /* no host: tw_dap_tcp_listen took loopback */
		printf("cmsis-dap-tcp: listening on 127.0.0.1:%u\n", port);
	else
		printf("cmsis-dap-tcp: listening on %.*s:%u\n", (int)(colon - value), value, port);
	fflush(stdout);
	*state = d;
	return FK_OK;
}

static unsigned dts_fds(void *state, struct pollfd *pfd, unsigned max)
{
	dts_srv *d = state;
	unsigned n = 0;
	if (n < max)
		pfd[n++] = (struct pollfd){d->lfd, POLLIN, 0};
	if (d->tcp.cfd >= 0 && n < max)
		pfd[n++] = (struct pollfd){d->tcp.cfd, POLLIN, 0};
	return n;
}

static int dts_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	dts_srv *d = state;
	(void)ctx, (void)s;
	for (unsigned i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->lfd)
			tw_dap_tcp_accept(&d->tcp);
		else if (pfd[i].fd == d->tcp.cfd) {
			tw_dap_tcp_read(&d->tcp); /* the loop sees the twin dirty by itself */
		}
	}
	return 0;
}

const tw_serve_module tw_serve_mod_cmsis_dap_tcp = {
	.option = "cmsis-dap-tcp",
	.metavar = "HOST:PORT",
	.help = "CMSIS-DAP over TCP (\"DAP\\0\" framing, OpenOCD's cmsis-dap tcp backend)",
	.start = dts_start,
	.fds = dts_fds,
	.handle = dts_handle,
	.stop = dts_stop,
};
