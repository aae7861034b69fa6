/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --serprog-pty LINK[@BAUD]` for a SPI NOR twin: a serprog programmer
 * (serprog.c) with the chip behind it, on one or more pseudo-terminals, for peers such as
 * `flashrom -p serprog:dev=LINK:115200`. The state file is locked (PATH.lock) for the whole
 * run and saved when the peers pause (200 ms without a byte), at least every 5 s while they
 * stream, and on SIGINT/SIGTERM (after letting an operation in progress finish).
 *
 * Time: by default the virtual clock moves with the bytes (10 bits per byte at BAUD, default
 * 115200, each way; SPI bytes at the programmer's SPI clock), and an operation in progress is
 * completed when the line has been idle for 5 ms — a peer that sleeps between BUSY polls (as
 * flashrom does: 10 ms steps for a sector erase) then sees BUSY clear at its next poll, so tests
 * stay fast. With --realtime the clock follows the wall clock instead, so BUSY lasts the
 * datasheet's typical time. This file is twin-side plumbing, not chip behaviour. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "spinor/serprog.h"
#include "spinor/spinor_int.h"
#include "statefile.h"

#define TW_SP_MAX_LINKS 4
#define TW_SP_STATE_MAX (64U << 20) /* as tw_spinor_load */

typedef struct tw_sp_link {
	int master, slave;
	char link[512];
	tw_serprog *sp;
	tw_spinor *chip;
} tw_sp_link;

static volatile sig_atomic_t tw_sp_sig;

static void tw_sp_on_signal(int sig)
{
	tw_sp_sig = sig;
}

static int64_t tw_sp_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t tw_sp_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int tw_sp_open(fk_ctx *ctx, tw_sp_link *l, const char *value, tw_spinor *chip,
		      bool realtime)
{
	uint32_t baud = 115200;
	const char *at = strrchr(value, '@');
	size_t n = at ? (size_t)(at - value) : strlen(value);
	if (n == 0 || n >= sizeof l->link || (at && (fk_parse_u32(at + 1, &baud) || !baud)))
		return fk_fail(ctx, FK_E_USAGE, "--serprog-pty %s: expected LINK[@BAUD]", value);
	memcpy(l->link, value, n);
	l->link[n] = '\0';
	char name[128];
	if (openpty(&l->master, &l->slave, name, NULL, NULL) != 0)
		return fk_fail(ctx, FK_E_IO, "creating a pseudo-terminal: %s", strerror(errno));
	fcntl(l->master, F_SETFD, FD_CLOEXEC);
	fcntl(l->slave, F_SETFD, FD_CLOEXEC); /* kept open: no HUP between peer sessions */
	struct termios t;
	tcgetattr(l->slave, &t);
	cfmakeraw(&t);
	tcsetattr(l->slave, TCSANOW, &t);
	fcntl(l->master, F_SETFL, fcntl(l->master, F_GETFL) | O_NONBLOCK);
	char old[512];
	if (readlink(l->link, old, sizeof old - 1) >= 0)
		unlink(l->link); /* a stale link from an earlier server */
	else if (access(l->link, F_OK) == 0)
		return fk_fail(ctx, FK_E_USAGE, "%s exists and is not a symlink: not replacing it",
			       l->link);
	if (symlink(name, l->link) != 0)
		return fk_fail(ctx, FK_E_IO, "creating the link %s -> %s: %s", l->link, name,
			       strerror(errno));
	tw_serprog_cfg cfg = {.baud = baud, .charge_time = !realtime};
	l->chip = chip;
	l->sp = tw_serprog_new(chip, &cfg);
	if (!l->sp)
		return fk_fail(ctx, FK_E_NOMEM, "no memory for the serprog server");
	printf("serprog-pty: %s -> %s (serprog, SPI, %u baud)\n", l->link, name, baud);
	fflush(stdout);
	return FK_OK;
}

static void tw_sp_close(tw_sp_link *l)
{
	if (l->link[0] && l->sp)
		unlink(l->link);
	if (l->slave >= 0)
		close(l->slave);
	if (l->master >= 0)
		close(l->master);
	tw_serprog_free(l->sp);
}

/* Write all pending reply bytes (the peer reads them; wait for room if the pty is full). */
static int tw_sp_flush(fk_ctx *ctx, tw_sp_link *l)
{
	size_t n;
	const uint8_t *b = tw_serprog_output(l->sp, &n);
	while (n) {
		ssize_t w = write(l->master, b, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = {.fd = l->master, .events = POLLOUT};
			poll(&p, 1, 100);
			if (tw_sp_sig)
				return FK_OK;
			continue;
		}
		if (w < 0)
			return fk_fail(ctx, FK_E_IO, "writing to %s: %s", l->link, strerror(errno));
		tw_serprog_consume(l->sp, (size_t)w);
		b = tw_serprog_output(l->sp, &n);
	}
	return FK_OK;
}

static int tw_sp_service(fk_ctx *ctx, tw_sp_link *l, bool *dirty)
{
	uint8_t buf[16384];
	for (;;) {
		ssize_t r = read(l->master, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EAGAIN: all read; EIO: no peer (slave kept open, rare) */
		uint32_t gen = tw_spinor_generation(l->chip);
		tw_serprog_input(l->sp, buf, (size_t)r);
		tw_serprog_touched(l->sp);
		if (tw_spinor_generation(l->chip) != gen)
			*dirty = true;
		int rc = tw_sp_flush(ctx, l);
		if (rc)
			return rc;
	}
	return FK_OK;
}

typedef struct tw_sp_run {
	tw_spinor *chip;
	tw_sp_link links[TW_SP_MAX_LINKS];
	unsigned n;
	const char *path;
	tw_statefile sf; /* the lock on the state file and where saves go */
	bool dirty;
	int64_t saved_ms, last_rx_ms;
	uint32_t saved_gen;
} tw_sp_run;

/* The chip's state image, saved through the lock (twin/statefile.h). */
static int tw_sp_write(fk_ctx *ctx, tw_sp_run *r)
{
	uint8_t *buf;
	size_t n;
	if (tw_spinor_save_buf(r->chip, &buf, &n))
		return fk_fail(ctx, FK_E_NOMEM, "no memory to save %s", r->path);
	int rc = tw_sf_save(ctx, &r->sf, buf, n, true);
	free(buf);
	return rc;
}

static int tw_sp_save(fk_ctx *ctx, tw_sp_run *r)
{
	int rc = tw_sp_write(ctx, r);
	r->dirty = false;
	r->saved_gen = tw_spinor_generation(r->chip);
	r->saved_ms = tw_sp_ms();
	return rc;
}

static int tw_sp_loop(fk_ctx *ctx, tw_sp_run *r, const tw_spinor_serve_opts *o)
{
	int64_t t0 = tw_sp_ms();
	uint64_t wall = tw_sp_ns();
	unsigned idle = o->idle_ms ? o->idle_ms : 5;
	while (!tw_sp_sig) {
		if (o->realtime) {
			uint64_t now = tw_sp_ns();
			tw_spinor_advance(r->chip, now - wall);
			wall = now;
		}
		int64_t now = tw_sp_ms();
		if (o->max_ms > 0 && now - t0 >= o->max_ms)
			break;
		bool busy = tw_spinor_busy_ns(r->chip) > 0;
		int timeout = busy && !o->realtime ? (int)idle : (r->dirty ? 200 : 1000);
		if (busy && o->realtime)
			timeout = 1;
		struct pollfd p[TW_SP_MAX_LINKS];
		for (unsigned i = 0; i < r->n; i++)
			p[i] = (struct pollfd){.fd = r->links[i].master, .events = POLLIN};
		int k = poll(p, r->n, timeout);
		if (k < 0 && errno != EINTR)
			return fk_fail(ctx, FK_E_IO, "poll: %s", strerror(errno));
		if (k > 0) {
			r->last_rx_ms = tw_sp_ms();
			for (unsigned i = 0; i < r->n; i++) {
				if (!p[i].revents)
					continue;
				int rc = tw_sp_service(ctx, &r->links[i], &r->dirty);
				if (rc)
					return rc;
			}
		} else if (k == 0 && busy && !o->realtime) {
			tw_spinor_finish(r->chip); /* the peer is waiting: see the header */
			r->dirty = true;
		}
		if (tw_spinor_generation(r->chip) != r->saved_gen)
			r->dirty = true;
		now = tw_sp_ms();
		if (r->dirty && (now - r->last_rx_ms >= 200 || now - r->saved_ms >= 5000)) {
			int rc = tw_sp_save(ctx, r);
			if (rc)
				return rc;
		}
	}
	return FK_OK;
}

int tw_spinor_serve(fk_ctx *ctx, const char *path, const char *const *links, unsigned nlinks,
		    const tw_spinor_serve_opts *o)
{
	if (nlinks == 0 || nlinks > TW_SP_MAX_LINKS)
		return fk_fail(ctx, FK_E_USAGE, "a SPI NOR twin is served with 1 to %u "
						"--serprog-pty LINK options", TW_SP_MAX_LINKS);
	tw_sp_run r = {.path = path, .sf = TW_STATEFILE_INIT};
	uint8_t *buf;
	size_t n;
	int rc = tw_sf_open_read(ctx, path, TW_SP_STATE_MAX, &r.sf, &buf, &n);
	if (!rc)
		rc = tw_spinor_load_buf(ctx, buf, n, &r.chip);
	free(buf); /* NULL when the open failed */
	for (unsigned i = 0; i < nlinks; i++)
		r.links[i] = (tw_sp_link){.master = -1, .slave = -1};
	for (unsigned i = 0; !rc && i < nlinks; i++) {
		rc = tw_sp_open(ctx, &r.links[i], links[i], r.chip, o->realtime);
		r.n = i + 1;
	}
	struct sigaction sa, old[2];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tw_sp_on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	tw_sp_sig = 0;
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	uint64_t t0 = r.chip ? tw_spinor_now(r.chip) : 0;
	if (!rc) {
		r.saved_ms = r.last_rx_ms = tw_sp_ms();
		r.saved_gen = tw_spinor_generation(r.chip);
		rc = tw_sp_loop(ctx, &r, o);
	}
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	for (unsigned i = 0; i < r.n; i++)
		tw_sp_close(&r.links[i]);
	if (r.chip) {
		if (tw_spinor_busy_ns(r.chip)) { /* let an operation in progress end, as the chip would */
			tw_spinor_finish(r.chip);
			r.dirty = true;
		}
		if (tw_spinor_generation(r.chip) != r.saved_gen)
			r.dirty = true;
		if (o->served_ns) /* what the peers cost on the chip's clock (bench/) */
			*o->served_ns = tw_spinor_now(r.chip) - t0;
		int src = r.dirty ? tw_sp_write(ctx, &r) : 0;
		if (!rc)
			rc = src;
		tw_spinor_free(r.chip);
	}
	tw_sf_release(&r.sf);
	return rc;
}
