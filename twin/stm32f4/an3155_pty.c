/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The F4 twin's AN3155 bootloader on a pseudo-terminal, for peers such as stm32flash 0.7:
 * `flashkey-twin serve PATH --uart-pty LINK`. Creates the pty, puts a symlink at LINK, and
 * answers until stopped; the state file is saved after every change the peer makes.
 *
 * Sources: an3155.md §4.3 and §7 (a Linux pty drops PARENB, so peers must use 8N1 — stm32flash
 * `-m 8n1` — or `-b 0` with the slave left raw, VMIN=0/VTIME=5; every reply byte within 0.5 s;
 * DTR/RTS do not exist on a pty), openpty(3), termios(3). Without pacing the server
 * answers as fast as it can; with pacing it sleeps the virtual time each exchange costs (wire
 * bytes at the configured baud plus flash times), so a peer sees real-time behaviour.
 * Events of the bootloader (what the code started by Go did) go to stdout, the serve log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "stm32f4/an3155_pty.h"

struct tw_an3155_pty {
	tw_f4 *chip;
	tw_an3155 *srv;
	int master, slave;
	bool pace;
	char link[512];
};

static int pty_make(fk_ctx *ctx, tw_an3155_pty *p, char *name, size_t size)
{
	(void)size; /* openpty writes a ttyname; name is 128 bytes, far above PATH of /dev/pts/N */
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
	fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
	return FK_OK;
}

static void pty_flush_hook(void *arg);
static void pty_log_hook(void *arg, const char *line);

static int pty_link(fk_ctx *ctx, const char *link, const char *name)
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

int tw_an3155_pty_open(fk_ctx *ctx, tw_f4 *chip, const char *link, const tw_an3155_cfg *cfg,
		       bool pace, tw_an3155_pty **out)
{
	char name[128];
	tw_an3155_pty *p = calloc(1, sizeof *p);
	if (!p)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the pty server");
	p->master = p->slave = -1;
	p->chip = chip;
	p->pace = pace;
	fk_strlcpy(p->link, link, sizeof p->link);
	int rc = pty_make(ctx, p, name, sizeof name);
	if (!rc)
		rc = pty_link(ctx, link, name);
	tw_an3155_cfg hooked = cfg ? *cfg : (tw_an3155_cfg){0};
	hooked.log = pty_log_hook;
	hooked.flush = pty_flush_hook;
	hooked.hook_arg = p;
	if (!rc && !(p->srv = tw_an3155_new(chip, &hooked)))
		rc = fk_fail(ctx, FK_E_NOMEM, "allocating the bootloader server");
	if (rc) {
		p->link[0] = '\0';
		tw_an3155_pty_close(p);
		return rc;
	}
	tw_f4_set_boot(chip, TW_BOOT_SYSMEM); /* the board: BOOT0=1, reset */
	tw_f4_reset(chip, TW_RESET_SYSTEM);
	*out = p;
	return FK_OK;
}

int tw_an3155_pty_fd(const tw_an3155_pty *p)
{
	return p->master;
}

tw_an3155 *tw_an3155_pty_server(const tw_an3155_pty *p)
{
	return p->srv;
}

static void pty_pace(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ULL),
			      .tv_nsec = (long)(ns % 1000000000ULL)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Writes the queued reply bytes; 0 or an errno. */
static int pty_write_out(tw_an3155_pty *p)
{
	uint8_t out[512];
	size_t n;
	while ((n = tw_an3155_tx(p->srv, out, sizeof out)) > 0) {
		for (size_t off = 0; off < n;) {
			ssize_t w = write(p->master, out + off, n - off);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				struct pollfd pfd = {.fd = p->master, .events = POLLOUT};
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

static int pty_send(tw_an3155_pty *p, fk_ctx *ctx)
{
	int err = pty_write_out(p);
	if (err)
		return fk_fail(ctx, FK_E_IO, "writing to the pty: %s", strerror(err));
	return FK_OK;
}

/* Server hooks: the ACK of Go goes out before the code runs (an error shows up at the next
 * pty_send); events are lines in the serve log. */
static void pty_flush_hook(void *arg)
{
	(void)pty_write_out(arg);
}

static void pty_log_hook(void *arg, const char *line)
{
	(void)arg;
	printf("uart-pty: %s\n", line);
	fflush(stdout);
}

int tw_an3155_pty_service(tw_an3155_pty *p, fk_ctx *ctx)
{
	uint8_t in[512];
	for (;;) {
		ssize_t n = read(p->master, in, sizeof in);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EIO))
			return FK_OK; /* nothing more now (EIO: no peer has the slave open) */
		if (n <= 0)
			return n == 0 ? FK_OK : fk_fail(ctx, FK_E_IO, "reading the pty: %s", strerror(errno));
		uint64_t t0 = tw_f4_now_ns(p->chip);
		tw_an3155_rx(p->srv, in, (size_t)n);
		if (p->pace)
			pty_pace(tw_f4_now_ns(p->chip) - t0);
		int rc = pty_send(p, ctx);
		if (rc)
			return rc;
	}
}

void tw_an3155_pty_close(tw_an3155_pty *p)
{
	if (!p)
		return;
	if (p->link[0])
		unlink(p->link);
	if (p->slave >= 0)
		close(p->slave);
	if (p->master >= 0)
		close(p->master);
	tw_an3155_free(p->srv);
	free(p);
}

int tw_an3155_pty_run(fk_ctx *ctx, tw_an3155_pty *p, volatile sig_atomic_t *stop)
{
	while (!*stop) {
		struct pollfd pfd = {.fd = p->master, .events = POLLIN};
		int r = poll(&pfd, 1, 50);
		if (r < 0 && errno != EINTR)
			return fk_fail(ctx, FK_E_IO, "waiting on the pty: %s", strerror(errno));
		int rc = FK_OK;
		if (r > 0)
			rc = tw_an3155_pty_service(p, ctx);
		else if (r == 0 && tw_f4_dirty(p->chip))
			rc = tw_f4_sync(p->chip, ctx); /* DESIGN.md §5: saved after a change, once idle */
		if (rc)
			return rc;
	}
	return FK_OK;
}
