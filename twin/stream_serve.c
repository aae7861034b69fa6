/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stream-port twins on pseudo-terminals (see stream_serve.h). POSIX openpty/poll/sigaction. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "chip.h"
#include "stream_serve.h"

/* Options of `serve` that put a stream protocol on a pty: one line per protocol. */
static const struct {
	const char *option, *protocol;
} tw_stream_opts[] = {
	/* slot: lpc-isp */
	{"lpc-pty", "lpc-isp"},
};

const char *tw_stream_serve_protocol(const char *option)
{
	for (unsigned i = 0; i < sizeof tw_stream_opts / sizeof tw_stream_opts[0]; i++)
		if (strcmp(option, tw_stream_opts[i].option) == 0)
			return tw_stream_opts[i].protocol;
	return NULL;
}

bool tw_stream_serve_has_protocol(const char *protocol)
{
	for (unsigned i = 0; i < sizeof tw_stream_opts / sizeof tw_stream_opts[0]; i++)
		if (strcmp(protocol, tw_stream_opts[i].protocol) == 0)
			return true;
	return false;
}

#define TW_SS_MAX 4

typedef struct tw_ss_link {
	int master;
	char link[512], name[128];
	const char *option;
	const tw_stream_port *port;
	void *sess;
	bool absent; /* no peer has the slave open */
} tw_ss_link;

static volatile sig_atomic_t tw_ss_sig;

static void tw_ss_on_signal(int sig)
{
	tw_ss_sig = sig;
}

static int64_t tw_ss_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tw_ss_log(void *arg, const char *line)
{
	const tw_ss_link *l = arg;
	printf("%s %s: %s\n", l->option, l->link, line);
	fflush(stdout);
}

static int tw_ss_open(fk_ctx *ctx, tw_chip *c, tw_ss_link *l, const tw_stream_link *req)
{
	const char *proto = tw_stream_serve_protocol(req->option);
	l->option = req->option;
	if (!proto)
		return fk_fail(ctx, FK_E_USAGE, "--%s: not a stream server", req->option);
	l->port = tw_chip_stream(c, ctx, req->option, proto);
	if (!l->port)
		return FK_E_UNSUPPORTED;
	if (fk_strlcpy(l->link, req->link, sizeof l->link) >= sizeof l->link || !l->link[0])
		return fk_fail(ctx, FK_E_USAGE, "--%s %s: expected a link path", req->option, req->link);
	/* LINK@BAUD: the line's rate, which the twin charges each character at (the ISP itself
	 * autobauds on '?', UM10360 §32.7.1; a pty has no rate of its own) */
	uint32_t baud = 0;
	char *at = strrchr(l->link, '@');
	if (at) {
		if (fk_parse_u32(at + 1, &baud) || baud < 300U || at == l->link)
			return fk_fail(ctx, FK_E_USAGE, "--%s %s: expected LINK[@BAUD]", req->option,
				       req->link);
		*at = '\0';
	}
	int slave;
	if (openpty(&l->master, &slave, l->name, NULL, NULL) != 0)
		return fk_fail(ctx, FK_E_IO, "creating a pseudo-terminal: %s", strerror(errno));
	struct termios t;
	tcgetattr(slave, &t);
	cfmakeraw(&t); /* a peer that does not set raw mode still gets the bytes as they are */
	tcsetattr(slave, TCSANOW, &t);
	close(slave); /* see the header: a peer's open is seen as the hang-up clearing */
	fcntl(l->master, F_SETFD, FD_CLOEXEC);
	fcntl(l->master, F_SETFL, fcntl(l->master, F_GETFL) | O_NONBLOCK);
	l->absent = true;
	char old[512];
	if (readlink(l->link, old, sizeof old - 1) >= 0)
		unlink(l->link); /* a stale link from an earlier server */
	else if (access(l->link, F_OK) == 0)
		return fk_fail(ctx, FK_E_USAGE, "%s exists and is not a symlink: not replacing it",
			       l->link);
	if (symlink(l->name, l->link) != 0)
		return fk_fail(ctx, FK_E_IO, "creating the link %s -> %s: %s", l->link, l->name,
			       strerror(errno));
	tw_stream_cfg cfg = {.baud = baud, .log = tw_ss_log, .hook_arg = l};
	int rc = l->port->open(tw_chip_impl(c), ctx, &cfg, &l->sess);
	if (rc)
		return rc;
	printf("%s: %s -> %s (%s: %s)\n", l->option, l->link, l->name, proto, l->port->summary);
	fflush(stdout);
	return FK_OK;
}

static void tw_ss_close(tw_ss_link *l)
{
	if (l->sess)
		l->port->close(l->sess);
	if (l->link[0] && l->sess)
		unlink(l->link);
	if (l->master >= 0)
		close(l->master);
}

static int tw_ss_flush(fk_ctx *ctx, tw_ss_link *l)
{
	uint8_t buf[4096];
	size_t n;
	while ((n = l->port->tx(l->sess, buf, sizeof buf)) > 0) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(l->master, buf + off, n - off);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				struct pollfd p = {.fd = l->master, .events = POLLOUT};
				poll(&p, 1, 100);
				if (tw_ss_sig)
					return FK_OK;
				continue;
			}
			if (w < 0)
				return fk_fail(ctx, FK_E_IO, "writing to %s: %s", l->link, strerror(errno));
			off += (size_t)w;
		}
	}
	return FK_OK;
}

/* One poll result for a link: a peer appeared (reset the board into the ROM), bytes to feed. */
static int tw_ss_service(fk_ctx *ctx, tw_ss_link *l, short rev, bool *moved)
{
	bool hup = (rev & POLLHUP) && !(rev & POLLIN);
	if (hup) {
		l->absent = true;
		return FK_OK;
	}
	if (l->absent) {
		l->absent = false;
		l->port->board_reset(l->sess);
		*moved = true;
	}
	uint8_t buf[4096];
	for (;;) {
		ssize_t r = read(l->master, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EAGAIN: all read; EIO: the peer closed */
		l->port->rx(l->sess, buf, (size_t)r);
		*moved = true;
		int rc = tw_ss_flush(ctx, l);
		if (rc)
			return rc;
	}
	return FK_OK;
}

static int tw_ss_loop(fk_ctx *ctx, tw_chip *c, tw_ss_link *ls, unsigned n,
		      const tw_stream_serve_opts *o)
{
	int64_t t0 = tw_ss_ms(), saved = t0, last_rx = t0;
	while (!tw_ss_sig) {
		int64_t now = tw_ss_ms();
		if (o->max_ms > 0 && now - t0 >= o->max_ms)
			break;
		struct pollfd p[TW_SS_MAX];
		for (unsigned i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = ls[i].master, .events = POLLIN};
		int k = poll(p, n, 200);
		if (k < 0 && errno != EINTR)
			return fk_fail(ctx, FK_E_IO, "poll: %s", strerror(errno));
		bool moved = false, all_absent = true;
		for (unsigned i = 0; k > 0 && i < n; i++) {
			if (!p[i].revents)
				continue;
			int rc = tw_ss_service(ctx, &ls[i], p[i].revents, &moved);
			if (rc)
				return rc;
		}
		for (unsigned i = 0; i < n; i++)
			all_absent = all_absent && ls[i].absent;
		if (moved)
			last_rx = tw_ss_ms();
		now = tw_ss_ms();
		if (tw_chip_dirty(c) && (now - last_rx >= 200 || now - saved >= 5000)) {
			int rc = tw_chip_sync_fast(c, ctx);
			if (rc)
				return rc;
			saved = now;
		}
		if (all_absent && k > 0) { /* the master reports the hang-up at once: do not spin */
			struct timespec ts = {0, 20 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	return FK_OK;
}

int tw_stream_serve(fk_ctx *ctx, const char *path, const tw_stream_link *links, unsigned n,
		    const tw_stream_serve_opts *o)
{
	if (n == 0 || n > TW_SS_MAX)
		return fk_fail(ctx, FK_E_USAGE, "a stream twin is served with 1 to %u pty links",
			       TW_SS_MAX);
	tw_chip *c;
	int rc = tw_chip_open(ctx, path, &c);
	if (rc)
		return rc;
	tw_ss_link ls[TW_SS_MAX];
	unsigned opened = 0;
	for (unsigned i = 0; i < n; i++)
		ls[i] = (tw_ss_link){.master = -1};
	for (unsigned i = 0; !rc && i < n; i++) {
		opened = i + 1;
		rc = tw_ss_open(ctx, c, &ls[i], &links[i]);
	}
	struct sigaction sa, old[2];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tw_ss_on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	tw_ss_sig = 0;
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	if (!rc)
		rc = tw_ss_loop(ctx, c, ls, n, o);
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	for (unsigned i = 0; i < opened; i++)
		tw_ss_close(&ls[i]);
	int src = tw_chip_close(c, ctx);
	return rc ? rc : src;
}
