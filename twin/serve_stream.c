/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve` servers for byte-stream ports (see stream.h): one implementation for
 * every model and protocol, on a pseudo-terminal (peers that open a serial device: stm32flash,
 * lpc21isp, flashrom's serprog) or on a loopback TCP socket (peers that take a socket).
 *
 * pty: creates the pty, puts a symlink at LINK, and answers until stopped. Sources: an3155.md
 * §4.3 and §7 (a Linux pty drops PARENB, so peers must use 8N1 — stm32flash `-m 8n1` — or
 * `-b 0` with the slave left raw, VMIN=0/VTIME=5; DTR/RTS do not exist on a pty), openpty(3),
 * termios(3). The virtual clock is charged at the configured baud and framing whatever framing
 * the peer sets on the pty, so a peer and flashkey are measured alike; a speed the peer sets is
 * passed to ports that change baud (set_baud). Without --realtime the server answers as fast as
 * it can; with it, it sleeps the virtual time each exchange costs (wire bytes plus the chip's
 * operations), so a peer sees real-time behaviour.
 * Events of the port (what code started by Go did) go to stdout, the serve log. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "stream.h"

typedef struct tw_sserv {
	const tw_stream_serve_def *def;
	tw_stream_session ss;
	bool pace;
	int master, slave; /* pty */
	int lfd, cfd;      /* tcp */
	speed_t speed;     /* the pty speed last seen */
	char link[512];
} tw_sserv;

/* ---------------------------------------------------------------- pty */

static int ss_pty_make(fk_ctx *ctx, tw_sserv *p, char *name)
{
	/* openpty writes a ttyname; name is 128 bytes, far above a PATH of /dev/pts/N */
	if (openpty(&p->master, &p->slave, name, NULL, NULL) != 0)
		return fk_fail(ctx, FK_E_IO, "creating a pseudo-terminal: %s", strerror(errno));
	/* We keep the slave fd open: the master then never sees EIO/HUP between peer sessions. */
	fcntl(p->master, F_SETFD, FD_CLOEXEC);
	fcntl(p->slave, F_SETFD, FD_CLOEXEC);
	struct termios t;
	tcgetattr(p->slave, &t);
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0; /* what `stm32flash -b 0` inherits (an3155.md §4.3 workaround B) */
	t.c_cc[VTIME] = 5;
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	tcsetattr(p->slave, TCSANOW, &t);
	p->speed = B115200;
	fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
	return FK_OK;
}

static int ss_pty_link(fk_ctx *ctx, const char *link, const char *name)
{
	char old[512];
	ssize_t n = readlink(link, old, sizeof old - 1);
	if (n >= 0)
		unlink(link); /* a stale link from an earlier server */
	else if (access(link, F_OK) == 0)
		return fk_fail(ctx, FK_E_USAGE, "%s exists and is not a symlink: not replacing it", link);
	if (symlink(name, link) != 0)
		return fk_fail(ctx, FK_E_IO, "creating the link %s -> %s: %s", link, name, strerror(errno));
	return FK_OK;
}

/* termios speed constant -> baud (the common rates; others are left alone) */
static unsigned ss_baud_of(speed_t sp)
{
	static const struct { speed_t sp; unsigned baud; } map[] = {
		{B9600, 9600}, {B19200, 19200}, {B38400, 38400}, {B57600, 57600},
		{B115200, 115200}, {B230400, 230400}, {B460800, 460800}, {B921600, 921600},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].sp == sp)
			return map[i].baud;
	return 0;
}

/* A peer that changed the line speed (tcsetattr on its end): tell ports that follow it. */
static void ss_pty_follow_baud(tw_sserv *p)
{
	struct termios t;
	if (!p->ss.port->set_baud || tcgetattr(p->slave, &t) != 0)
		return;
	speed_t sp = cfgetospeed(&t);
	unsigned baud = ss_baud_of(sp);
	if (sp != p->speed && baud && p->ss.port->set_baud(p->ss.sess, baud) == FK_OK)
		p->speed = sp;
}

/* ---------------------------------------------------------------- tcp */

static int ss_tcp_listen(fk_ctx *ctx, tw_sserv *p, const char *value, unsigned *port_out)
{
	char host[64];
	const char *colon = strrchr(value, ':');
	uint32_t port;
	if (!colon || (size_t)(colon - value) >= sizeof host || fk_parse_u32(colon + 1, &port) ||
	    port > 65535)
		return fk_fail(ctx, FK_E_USAGE, "--%s %s: expected 127.0.0.1:PORT (0 picks a free "
						"port)", p->def->option, value);
	memcpy(host, value, (size_t)(colon - value));
	host[colon - value] = '\0';
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || ntohl(sa.sin_addr.s_addr) >> 24 != 127)
		return fk_fail(ctx, FK_E_USAGE, "--%s %s: the host must be a loopback address (the "
						"twin is not for the network)", p->def->option, value);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return fk_fail(ctx, FK_E_IO, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	socklen_t len = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		int e = errno;
		close(fd);
		return fk_fail(ctx, FK_E_IO, "--%s %s: %s", p->def->option, value, strerror(e));
	}
	p->lfd = fd;
	*port_out = ntohs(sa.sin_port);
	return FK_OK;
}

/* ---------------------------------------------------------------- common */

static void ss_pace(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ULL),
			      .tv_nsec = (long)(ns % 1000000000ULL)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int ss_out_fd(const tw_sserv *p)
{
	return p->def->host == TW_HOST_PTY ? p->master : p->cfd;
}

/* Writes the queued reply bytes; 0 or an errno. */
static int ss_write_out(tw_sserv *p)
{
	uint8_t out[512];
	size_t n;
	int fd = ss_out_fd(p);
	while ((n = p->ss.port->tx(p->ss.sess, out, sizeof out)) > 0) {
		if (fd < 0)
			continue; /* no peer: the bytes go nowhere, as on an open line */
		for (size_t off = 0; off < n;) {
			ssize_t w = write(fd, out + off, n - off);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};
				poll(&pfd, 1, 100);
				continue;
			}
			if (w < 0)
				return errno;
			off += (size_t)w;
		}
	}
	return 0;
}

/* Port hooks: bytes queued before a long computation (the ACK of Go) go out first (an error
 * shows up at the next send); events are lines in the serve log. */
static void ss_flush_hook(void *arg)
{
	(void)ss_write_out(arg);
}

static void ss_log_hook(void *arg, const char *line)
{
	tw_sserv *p = arg;
	printf("%s: %s\n", p->def->option, line);
	fflush(stdout);
}

static int ss_parse(fk_ctx *ctx, const tw_stream_serve_def *def, const char *value, char *where,
		    size_t size, unsigned *baud)
{
	const char *at = strrchr(value, '@');
	size_t n = at ? (size_t)(at - value) : strlen(value);
	uint32_t b;
	if (n == 0 || n >= size || (at && (fk_parse_u32(at + 1, &b) || !b)))
		return fk_fail(ctx, FK_E_USAGE, "--%s %s: expected %s[@BAUD]", def->option, value,
			       def->host == TW_HOST_PTY ? "LINK" : "127.0.0.1:PORT");
	*baud = at ? b : def->baud;
	memcpy(where, value, n);
	where[n] = '\0';
	return FK_OK;
}

void tw_stream_serve_stop(void *state)
{
	tw_sserv *p = state;
	if (!p)
		return;
	if (p->link[0])
		unlink(p->link);
	if (p->slave >= 0)
		close(p->slave);
	if (p->master >= 0)
		close(p->master);
	if (p->cfd >= 0)
		close(p->cfd);
	if (p->lfd >= 0)
		close(p->lfd);
	tw_stream_session_close(&p->ss);
	free(p);
}

/* The device end: the chip's own port, or the definition's adapter. */
static int ss_endpoint(tw_sserv *p, tw_serve *s, fk_ctx *ctx, tw_stream_cfg *cfg)
{
	tw_chip *chip = tw_serve_chip(s);
	char who[40];
	snprintf(who, sizeof who, "--%s", p->def->option);
	if (p->def->open_endpoint) {
		p->ss.chip = chip;
		return p->def->open_endpoint(chip, ctx, cfg, &p->ss.port, &p->ss.sess);
	}
	const tw_stream_port *port = tw_chip_stream(chip, ctx, who, p->def->protocol);
	if (!port)
		return fk_ctx_error(ctx);
	/* The ROM's start-up after a reset (bytes before it are lost) needs a clock that runs
	 * while the line is idle: only --realtime has one. Without it the clock moves with bytes
	 * only, so a start-up delay would swallow every byte of the peer's first sync. */
	cfg->startup_ns = p->pace ? port->startup_ns : 0;
	return tw_stream_session_open(&p->ss, ctx, chip, port, cfg, false);
}

int tw_stream_serve_start(const tw_stream_serve_def *def, tw_serve *s, fk_ctx *ctx,
			  const char *value, void **state)
{
	char where[512], name[128] = "";
	unsigned baud = 0, tcp_port = 0;
	int rc = ss_parse(ctx, def, value, where, sizeof where, &baud);
	if (rc)
		return rc;
	tw_sserv *p = calloc(1, sizeof *p);
	if (!p)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the --%s server", def->option);
	p->def = def;
	p->master = p->slave = p->lfd = p->cfd = -1;
	p->pace = tw_serve_realtime(s);
	tw_stream_cfg cfg = {.baud = baud, .bits_per_byte = def->bits_per_byte,
			     .log = ss_log_hook, .flush = ss_flush_hook, .hook_arg = p};
	/* first the port (a model without it is refused before anything is created) */
	rc = ss_endpoint(p, s, ctx, &cfg);
	if (!rc && def->host == TW_HOST_PTY) {
		rc = ss_pty_make(ctx, p, name);
		if (!rc)
			rc = ss_pty_link(ctx, where, name);
		if (!rc)
			fk_strlcpy(p->link, where, sizeof p->link);
	} else if (!rc) {
		rc = ss_tcp_listen(ctx, p, where, &tcp_port);
	}
	if (rc) {
		tw_stream_serve_stop(p);
		return fk_fail_wrap(ctx, rc, "--%s %s", def->option, value);
	}
	if (p->ss.port->enter)
		p->ss.port->enter(tw_chip_impl(p->ss.chip)); /* the board: boot pins, reset */
	if (def->host == TW_HOST_PTY) {
		char target[128] = "";
		ssize_t k = readlink(where, target, sizeof target - 1);
		target[k > 0 ? k : 0] = '\0';
		printf("%s: %s -> %s (%s)\n", def->option, where, target, def->peer_note);
	} else {
		printf("%s: listening on 127.0.0.1:%u (%s)\n", def->option, tcp_port, def->peer_note);
	}
	fflush(stdout);
	*state = p;
	return FK_OK;
}

unsigned tw_stream_serve_fds(void *state, struct pollfd *pfd, unsigned max)
{
	tw_sserv *p = state;
	if (!max)
		return 0;
	pfd[0].fd = p->def->host == TW_HOST_PTY ? p->master : p->cfd >= 0 ? p->cfd : p->lfd;
	pfd[0].events = POLLIN;
	return 1;
}

static int ss_accept(tw_sserv *p, fk_ctx *ctx)
{
	int fd = accept(p->lfd, NULL, NULL);
	if (fd < 0)
		return errno == EINTR || errno == EAGAIN ? FK_OK
							 : fk_fail(ctx, FK_E_IO, "accept: %s",
								   strerror(errno));
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	p->cfd = fd;
	return FK_OK;
}

static int ss_service(tw_sserv *p, fk_ctx *ctx)
{
	uint8_t in[512];
	int fd = ss_out_fd(p);
	for (;;) {
		ssize_t n = read(fd, in, sizeof in);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EIO))
			return FK_OK; /* nothing more now (EIO: no peer has the pty slave open) */
		/* the peer left (closed, or reset the connection with our reply unread, as Node's
		 * socket.destroy() does): wait for the next one */
		if (p->def->host == TW_HOST_TCP && (n == 0 || (n < 0 && errno == ECONNRESET))) {
			close(p->cfd);
			p->cfd = -1;
			return FK_OK;
		}
		if (n <= 0)
			return n == 0 ? FK_OK
				      : fk_fail(ctx, FK_E_IO, "reading the %s: %s",
						p->def->host == TW_HOST_PTY ? "pty" : "socket",
						strerror(errno));
		if (p->def->host == TW_HOST_PTY)
			ss_pty_follow_baud(p);
		uint64_t t0 = tw_chip_now_ns(p->ss.chip);
		p->ss.port->rx(p->ss.sess, in, (size_t)n);
		if (p->pace)
			ss_pace(tw_chip_now_ns(p->ss.chip) - t0);
		int err = ss_write_out(p);
		if (p->def->host == TW_HOST_TCP && (err == EPIPE || err == ECONNRESET)) {
			close(p->cfd); /* the peer left while we answered */
			p->cfd = -1;
			return FK_OK;
		}
		if (err)
			return fk_fail(ctx, FK_E_IO, "writing to the %s: %s",
				       p->def->host == TW_HOST_PTY ? "pty" : "socket", strerror(err));
	}
}

int tw_stream_serve_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	tw_sserv *p = state;
	(void)pfd;
	if (!n)
		return FK_OK;
	int rc = p->def->host == TW_HOST_TCP && p->cfd < 0 ? ss_accept(p, ctx) : ss_service(p, ctx);
	if (!rc && tw_chip_dirty(tw_serve_chip(s)))
		tw_serve_changed(s);
	return rc;
}
