/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: CMSIS-DAP over TCP, the server side (one client at a time), feeding the CMSIS-DAP
 * emulator. Framing from probes.md §6.1 (OpenOCD master cmsis_dap_tcp.c): every request and
 * response carries an 8-byte header, u32 LE signature 0x00504144 ("DAP\0"), u16 LE payload
 * length, u8 type (1 request, 2 response), u8 reserved 0; payload at most 1024 bytes. A client
 * that sends a bad header is disconnected (the emulator keeps serving the next one).
 * No time is charged for the network: the timing model covers USB only. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "probe/dap_tcp.h"

#define DT_SIG 0x00504144u
#define DT_HDR 8u
#define DT_MAX 1024u

static int dt_split(fk_ctx *ctx, const char *hostport, char *host, size_t hn, char *port,
		    size_t pn)
{
	const char *colon = strrchr(hostport, ':');
	if (!colon)
		return fk_fail(ctx, FK_E_USAGE, "--cmsis-dap-tcp %s: expected HOST:PORT", hostport);
	snprintf(host, hn, "%.*s", (int)(colon - hostport), hostport);
	snprintf(port, pn, "%s", colon + 1);
	uint32_t p;
	if (fk_parse_u32(port, &p) || p > 65535)
		return fk_fail(ctx, FK_E_USAGE, "--cmsis-dap-tcp %s: \"%s\" is not a port", hostport, port);
	return FK_OK;
}

int tw_dap_tcp_listen(fk_ctx *ctx, const char *hostport, int *fd, unsigned *port)
{
	char host[128], ps[16];
	int rc = dt_split(ctx, hostport, host, sizeof host, ps, sizeof ps);
	if (rc)
		return rc;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	/* no host: loopback, never every interface (issue 13 class 18) */
	int g = getaddrinfo(host[0] ? host : "127.0.0.1", ps, &hints, &res);
	if (g != 0)
		return fk_fail(ctx, FK_E_USAGE, "--cmsis-dap-tcp %s: %s", hostport, gai_strerror(g));
	int s = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0), one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, res->ai_addr, res->ai_addrlen) != 0 || listen(s, 1) != 0) {
		int e = errno;
		if (s >= 0)
			close(s);
		freeaddrinfo(res);
		return fk_fail(ctx, FK_E_IO, "--cmsis-dap-tcp %s: cannot listen: %s", hostport, strerror(e));
	}
	freeaddrinfo(res);
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	*fd = s;
	return FK_OK;
}

void tw_dap_tcp_init(tw_dap_tcp *t, int listen_fd, tw_cmsis_dap *emu)
{
	memset(t, 0, sizeof *t);
	t->lfd = listen_fd;
	t->cfd = -1;
	t->emu = emu;
}

void tw_dap_tcp_drop(tw_dap_tcp *t)
{
	if (t->cfd >= 0)
		close(t->cfd);
	t->cfd = -1;
	t->in_len = 0;
}

void tw_dap_tcp_accept(tw_dap_tcp *t)
{
	int c = accept(t->lfd, NULL, NULL);
	if (c < 0)
		return;
	if (t->cfd >= 0) { /* one client at a time, like a probe on one USB port */
		close(c);
		return;
	}
	int one = 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	t->cfd = c;
	t->in_len = 0;
}

static int dt_send_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w, n -= (size_t)w;
	}
	return 0;
}

/* One complete frame at the start of t->in: answer it. -1 = protocol violation. */
static int dt_frame(tw_dap_tcp *t, size_t *used)
{
	uint32_t sig = (uint32_t)t->in[0] | (uint32_t)t->in[1] << 8 | (uint32_t)t->in[2] << 16 |
		       (uint32_t)t->in[3] << 24;
	size_t len = (size_t)(t->in[4] | t->in[5] << 8);
	if (sig != DT_SIG || t->in[6] != 0x01 || len == 0 || len > DT_MAX) {
		t->bad_frames++;
		return -1;
	}
	if (t->in_len < DT_HDR + len)
		return 0; /* wait for the rest */
	uint8_t out[DT_HDR + DT_MAX];
	size_t n = tw_cmsis_dap_process(t->emu, t->in + DT_HDR, len, out + DT_HDR, DT_MAX);
	*used = DT_HDR + len;
	t->frames++;
	if (n == 0)
		return 0; /* DAP_TransferAbort: no reply */
	out[0] = 0x44, out[1] = 0x41, out[2] = 0x50, out[3] = 0x00;
	out[4] = (uint8_t)n, out[5] = (uint8_t)(n >> 8), out[6] = 0x02, out[7] = 0;
	return dt_send_all(t->cfd, out, DT_HDR + n);
}

int tw_dap_tcp_read(tw_dap_tcp *t)
{
	ssize_t r = recv(t->cfd, t->in + t->in_len, sizeof t->in - t->in_len, 0);
	if (r <= 0) {
		tw_dap_tcp_drop(t);
		return 0;
	}
	t->in_len += (size_t)r;
	while (t->in_len >= DT_HDR) {
		size_t used = 0;
		if (dt_frame(t, &used) < 0) {
			tw_dap_tcp_drop(t);
			return 0;
		}
		if (!used)
			break;
		memmove(t->in, t->in + used, t->in_len - used);
		t->in_len -= used;
	}
	return 1;
}
