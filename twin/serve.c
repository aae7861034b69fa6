/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `flashkey-twin serve` loop (see serve.h for the module interface and the time policy):
 * poll(2) over the modules' fds, call their handlers, save the state file after each change,
 * stop cleanly on SIGINT/SIGTERM. POSIX poll/sigaction/clock_gettime only. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "serve.h"

#define TW_SERVE_MAX_INST 16

struct tw_serve {
	tw_chip *t;
	bool changed, stop, realtime, allow_network;
	struct {
		const tw_serve_module *mod;
		void *state;
		unsigned first, n; /* its entries in the poll array */
		int64_t deadline;  /* wall ms of its timer, -1 none */
	} inst[TW_SERVE_MAX_INST];
	unsigned ninst;
};

static volatile sig_atomic_t tw_serve_sig;

static void tw_serve_on_signal(int sig)
{
	tw_serve_sig = sig;
}

tw_chip *tw_serve_chip(tw_serve *s)
{
	return s->t;
}

void tw_serve_changed(tw_serve *s)
{
	s->changed = true;
}

bool tw_serve_realtime(const tw_serve *s)
{
	return s->realtime;
}

void tw_serve_stop(tw_serve *s)
{
	s->stop = true;
}

int tw_serve_check_listen(const tw_serve *s, fk_ctx *ctx, const char *option, const char *value)
{
	const char *colon = strrchr(value, ':');
	char host[128];
	size_t n = colon ? (size_t)(colon - value) : strlen(value);
	if (n >= sizeof host)
		return fk_fail(ctx, FK_E_USAGE, "--%s %s: host name too long", option, value);
	memcpy(host, value, n);
	host[n] = '\0';
	struct in_addr a;
	bool loopback = !host[0] || strcmp(host, "localhost") == 0 ||
			(inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127);
	if (loopback || s->allow_network)
		return FK_OK;
	fk_hint(ctx, "listen on 127.0.0.1 (e.g. --%s 127.0.0.1:0) and reach it through an SSH "
		     "tunnel, or give --allow-network-exposure if every host that can reach this "
		     "port may read and rewrite the twin", option);
	return fk_fail(ctx, FK_E_PERMISSION, "--%s %s: \"%s\" is not a loopback address: the "
					    "server has no authentication, so anyone who reaches it "
					    "could read and rewrite the twin's flash",
		       option, value, host);
}

static int64_t tw_serve_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t tw_serve_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void tw_serve_signals(bool install, struct sigaction old[2])
{
	if (!install) {
		sigaction(SIGINT, &old[0], NULL);
		sigaction(SIGTERM, &old[1], NULL);
		return;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tw_serve_on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	tw_serve_sig = 0;
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	signal(SIGPIPE, SIG_IGN);
}

static int tw_serve_start(tw_serve *s, fk_ctx *ctx, const tw_serve_req *reqs, unsigned n)
{
	if (n > TW_SERVE_MAX_INST)
		return fk_fail(ctx, FK_E_USAGE, "at most %d servers per twin", TW_SERVE_MAX_INST);
	for (unsigned i = 0; i < n; i++) {
		void *st = NULL;
		int rc = reqs[i].mod->start(s, ctx, reqs[i].value, &st);
		if (rc)
			return fk_fail_wrap(ctx, rc, "starting --%s %s", reqs[i].mod->option,
					    reqs[i].value);
		s->inst[s->ninst].mod = reqs[i].mod;
		s->inst[s->ninst++].state = st;
	}
	return FK_OK;
}

/* Fills the poll array; returns the poll timeout in ms. */
static int tw_serve_prepare(tw_serve *s, struct pollfd *pfd, unsigned *npfd,
			    const tw_serve_opts *o, int64_t stop_at)
{
	int64_t now = tw_serve_wall_ms();
	int timeout = 200;
	*npfd = 0;
	for (unsigned i = 0; i < s->ninst; i++) {
		const tw_serve_module *m = s->inst[i].mod;
		s->inst[i].first = *npfd;
		s->inst[i].n = m->fds ? m->fds(s->inst[i].state, pfd + *npfd, TW_SERVE_MAX_FDS) : 0;
		if (s->inst[i].n > TW_SERVE_MAX_FDS)
			s->inst[i].n = TW_SERVE_MAX_FDS;
		*npfd += s->inst[i].n;
		int to = m->timeout_ms ? m->timeout_ms(s->inst[i].state, s) : -1;
		s->inst[i].deadline = to >= 0 ? now + to : -1;
		if (to >= 0 && to < timeout)
			timeout = to;
	}
	if (tw_chip_busy(s->t)) {
		int busy = o->realtime ? 1 : (int)(o->idle_ms ? o->idle_ms : 5);
		timeout = busy < timeout ? busy : timeout;
	}
	if (stop_at > 0 && stop_at - now < timeout)
		timeout = stop_at - now > 0 ? (int)(stop_at - now) : 0;
	return timeout;
}

static int tw_serve_call(tw_serve *s, fk_ctx *ctx, unsigned i, struct pollfd *pfd, unsigned n)
{
	int rc = s->inst[i].mod->handle(s->inst[i].state, s, ctx, pfd, n);
	if (rc == TW_SERVE_DONE) {
		s->stop = true;
		return FK_OK;
	}
	return rc ? fk_fail_wrap(ctx, rc, "server --%s", s->inst[i].mod->option) : FK_OK;
}

static int tw_serve_dispatch(tw_serve *s, fk_ctx *ctx, struct pollfd *pfd)
{
	int64_t now = tw_serve_wall_ms();
	for (unsigned i = 0; i < s->ninst && !s->stop; i++) {
		bool ev = false;
		for (unsigned k = 0; k < s->inst[i].n; k++)
			ev = ev || pfd[s->inst[i].first + k].revents;
		bool timer = s->inst[i].deadline >= 0 && now >= s->inst[i].deadline;
		if (!ev && !timer)
			continue;
		int rc = ev ? tw_serve_call(s, ctx, i, pfd + s->inst[i].first, s->inst[i].n) : 0;
		if (rc == FK_OK && timer && !s->stop)
			rc = tw_serve_call(s, ctx, i, pfd + s->inst[i].first, 0);
		if (rc)
			return rc;
	}
	return FK_OK;
}

static int tw_serve_loop(tw_serve *s, fk_ctx *ctx, const tw_serve_opts *o)
{
	struct pollfd pfd[TW_SERVE_MAX_INST * TW_SERVE_MAX_FDS];
	int64_t stop_at = o->max_ms > 0 ? tw_serve_wall_ms() + o->max_ms : 0;
	uint64_t last = tw_serve_wall_ns(), last_sync = last, busy_wall = 0;
	while (!tw_serve_sig && !s->stop && (!stop_at || tw_serve_wall_ms() < stop_at)) {
		unsigned n;
		int timeout = tw_serve_prepare(s, pfd, &n, o, stop_at);
		int r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR)
			return fk_fail(ctx, FK_E_IO, "poll: %s", strerror(errno));
		uint64_t wall = tw_serve_wall_ns();
		bool busy = tw_chip_busy(s->t);
		if (!busy)
			busy_wall = 0;
		else if (!busy_wall)
			busy_wall = wall;
		/* Without --realtime the clock moves with the peer's traffic. A flash operation ends
		 * at once when the line goes idle, or after 50 ms of wall time while the peer keeps
		 * polling: a peer whose bytes are processed late (a loaded machine) never leaves the
		 * line idle, and its own wall-clock timeouts (OpenOCD's BSY wait) would expire
		 * before its polls add up to the operation's virtual duration. */
		if (o->realtime)
			tw_chip_advance(s->t, wall - last);
		else if (busy && (r == 0 || wall - busy_wall >= 50000000ull))
			tw_chip_finish_busy(s->t);
		last = wall;
		if (r < 0)
			continue;
		int rc = tw_serve_dispatch(s, ctx, pfd);
		if (rc)
			return rc;
		/* Save when the peers pause (poll timed out), at most once a second while they
		 * keep talking: an fsync per round trip would throttle a JTAG peer to a crawl. */
		bool due = r == 0 || wall - last_sync >= 1000000000ull;
		if (due && (s->changed || tw_chip_dirty(s->t))) {
			if ((rc = tw_chip_sync_fast(s->t, ctx)) != 0)
				return rc;
			s->changed = false;
			last_sync = wall;
		}
	}
	return FK_OK;
}

int tw_serve_run(fk_ctx *ctx, const char *path, const tw_serve_req *reqs, unsigned nreqs,
		 const tw_serve_opts *opts)
{
	tw_serve s;
	memset(&s, 0, sizeof s);
	s.realtime = opts->realtime;
	s.allow_network = opts->allow_network;
	int rc = tw_chip_open(ctx, path, &s.t);
	if (rc)
		return rc;
	uint64_t t0 = tw_chip_now_ns(s.t);
	struct sigaction old[2];
	tw_serve_signals(true, old);
	rc = tw_serve_start(&s, ctx, reqs, nreqs);
	if (rc == FK_OK)
		rc = tw_serve_loop(&s, ctx, opts);
	for (unsigned i = s.ninst; i-- > 0;)
		s.inst[i].mod->stop(s.inst[i].state);
	tw_serve_signals(false, old);
	/* the chip keeps running after the peers left: let a flash operation finish */
	tw_chip_finish_busy(s.t);
	/* what the peers cost on the chip's clock (benchmarks compare tools by it: bench/) */
	if (opts->served_ns)
		*opts->served_ns = tw_chip_now_ns(s.t) - t0;
	fk_ctx *tmp = rc ? fk_ctx_new() : ctx; /* keep the first error's chain */
	int crc = tw_chip_close(s.t, tmp ? tmp : ctx);
	if (tmp != ctx)
		fk_ctx_free(tmp);
	return rc ? rc : crc;
}
