/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --jtag-bitbang HOST:PORT`: OpenOCD's remote_bitbang protocol on a
 * loopback TCP socket, as a module of the serve loop (serve.h). One peer at a time; the TAP
 * chain and debug port state persist across connections, as on a board. PORT 0 picks a free
 * port; the line "jtag-bitbang: listening on 127.0.0.1:PORT" says which.
 * Sources: see rbb.h (OpenOCD 0.12 remote_bitbang.c, probes.md §5). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug/chip_port.h"
#include "debug/rbb.h"
#include "serve.h"

#define RBB_BUF 65536

typedef struct rbb_srv {
	int lfd, cfd;
	tw_chip_port port;
	tw_dap *dap;
	tw_jtag *jtag;
	tw_rbb rbb;
	uint8_t in[RBB_BUF], out[RBB_BUF];
} rbb_srv;

static int rbb_parse(fk_ctx *ctx, const char *value, struct sockaddr_in *sa)
{
	const char *colon = strrchr(value, ':');
	char host[64];
	uint32_t port;
	if (!colon || (size_t)(colon - value) >= sizeof(host) || fk_parse_u32(colon + 1, &port) ||
	    port > 65535)
		return fk_fail(ctx, FK_E_USAGE, "--jtag-bitbang %s: expected HOST:PORT, e.g. "
			       "127.0.0.1:5555 (0 picks a free port)", value);
	memcpy(host, value, (size_t)(colon - value));
	host[colon - value] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == 0 || strcmp(host, "localhost") == 0)
		fk_strlcpy(host, "127.0.0.1", sizeof(host));
	/* loopback unless --allow-network-exposure: tw_serve_check_listen, called first */
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return fk_fail(ctx, FK_E_USAGE, "--jtag-bitbang %s: HOST must be an IPv4 address "
			       "such as 127.0.0.1", value);
	return 0;
}

static int rbb_listen(fk_ctx *ctx, rbb_srv *r, const char *value)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int one = 1;
	int rc = rbb_parse(ctx, value, &sa);
	if (rc < 0)
		return rc;
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->lfd < 0)
		return fk_fail(ctx, FK_E_IO, "jtag-bitbang: socket: %s", strerror(errno));
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(r->lfd, 1) < 0 ||
	    getsockname(r->lfd, (struct sockaddr *)&sa, &len) < 0)
		return fk_fail(ctx, FK_E_IO, "jtag-bitbang: cannot listen on %s: %s", value,
			       strerror(errno));
	char ip[INET_ADDRSTRLEN] = "?";
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
	printf("jtag-bitbang: listening on %s:%u\n", ip, (unsigned)ntohs(sa.sin_port));
	fflush(stdout);
	return 0;
}

static void rbb_stop(void *state)
{
	rbb_srv *r = state;
	if (r->cfd >= 0)
		close(r->cfd);
	if (r->lfd >= 0)
		close(r->lfd);
	tw_jtag_free(r->jtag);
	tw_dap_free(r->dap);
	free(r);
}

static int rbb_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	rbb_srv *r = calloc(1, sizeof(*r));
	if (!r)
		return fk_fail(ctx, FK_E_NOMEM, "jtag-bitbang: out of memory");
	r->lfd = r->cfd = -1;
	r->port.no_clock = tw_serve_realtime(s);
	r->dap = tw_chip_port_open(&r->port, tw_serve_chip(s), ctx, "--jtag-bitbang");
	r->jtag = r->dap ? tw_jtag_new(r->dap) : NULL;
	int rc = !r->dap ? fk_ctx_error(ctx)
		 : !r->jtag ? fk_fail(ctx, FK_E_NOMEM, "jtag-bitbang: out of memory")
		 : tw_serve_check_listen(s, ctx, "jtag-bitbang", value);
	if (rc == FK_OK)
		rc = rbb_listen(ctx, r, value);
	if (rc < 0) {
		rbb_stop(r);
		return rc;
	}
	tw_rbb_init(&r->rbb, r->jtag, r->dap);
	*state = r;
	return 0;
}

static unsigned rbb_fds(void *state, struct pollfd *pfd, unsigned max)
{
	rbb_srv *r = state;
	if (max < 1)
		return 0;
	pfd[0].fd = r->cfd >= 0 ? r->cfd : r->lfd;
	pfd[0].events = POLLIN;
	return 1;
}

static void rbb_hangup(rbb_srv *r)
{
	close(r->cfd);
	r->cfd = -1;
}

static int rbb_send_all(rbb_srv *r, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = send(r->cfd, r->out + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static int rbb_serve_client(rbb_srv *r)
{
	ssize_t n = recv(r->cfd, r->in, sizeof(r->in), 0);
	size_t used = 0;
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		rbb_hangup(r);
		return 0;
	}
	size_t o = tw_rbb_feed(&r->rbb, r->in, (size_t)n, r->out, &used);
	if (rbb_send_all(r, o) < 0 || r->rbb.quit) {
		r->rbb.quit = false;
		rbb_hangup(r);
	}
	return 0;
}

static int rbb_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	rbb_srv *r = state;
	(void)ctx;
	(void)s;
	if (n == 0 || !pfd[0].revents)
		return 0;
	if (r->cfd >= 0)
		return rbb_serve_client(r);
	r->cfd = accept(r->lfd, NULL, NULL);
	if (r->cfd >= 0) {
		int one = 1;
		fcntl(r->cfd, F_SETFD, FD_CLOEXEC);
		setsockopt(r->cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return 0;
}

const tw_serve_module tw_serve_mod_jtag_bitbang = {
	.option = "jtag-bitbang",
	.metavar = "HOST:PORT",
	.help = "OpenOCD remote_bitbang (JTAG) on a loopback TCP port (0: pick one)",
	.start = rbb_start,
	.fds = rbb_fds,
	.handle = rbb_handle,
	.timeout_ms = NULL,
	.stop = rbb_stop,
};
