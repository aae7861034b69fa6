/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --usb-bridge 'SOCKET[;PROBE;...]'` and `flashkey-twin with-usb`: the
 * served twin behind emulated USB probes, reached by unmodified programs through the stand-in
 * libusb/hidapi library (twin/usb-bridge/, protocol in twin/usb-bridge/proto.h).
 *
 * PROBE is KIND[,serial=S][,gone-after=N]; the probe table, descriptors and request decoder are
 * usb_bridge_core.c.
 * The USB timing model is the emulators' (probe_emu.h), charged to the twin's clock. */
#define _GNU_SOURCE /* pidfd via syscall */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "debug/chip_port.h"
#include "fktwin/usb_bridge.h"
#include "model.h"
#include "probe/probe_emu.h"
#include "probe/usb_bridge_core.h"
#include "serve.h"
#include "usb-bridge/proto.h"

#define UBS_MAX_CONNS 8

typedef struct ubs_conn {
	int fd;
	uint8_t *buf;
	size_t have, cap;
} ubs_conn;

typedef struct ubs_srv {
	tw_chip_port port;
	tw_ubs bus;
	int lfd;
	char sock[108];
	ubs_conn conns[UBS_MAX_CONNS];
	/* with-usb: the command run under the bridge */
	pid_t child;
	int pidfd;
	int *child_status;
} ubs_srv;

/* with-usb hands its command to the module instance it starts (one at a time). */
static char *const *ubs_cmd_argv;
static const char *ubs_cmd_lib;
static bool ubs_cmd_preload;
static int *ubs_cmd_status;

/* ------------------------------------------------------------------ sockets */

static bool ubs_send(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n, len -= (size_t)n;
	}
	return true;
}

/* tw_ubs_answer_fn on a connection's socket */
static bool ubs_answer(void *h, int status, uint32_t arg, const uint8_t *data, size_t len)
{
	int fd = *(const int *)h;
	uint8_t hd[TWB_ANS_HDR + 1024];
	twb_put32(hd, (uint32_t)(TWB_ANS_HDR - 4 + len));
	twb_put32(hd + 4, (uint32_t)status);
	twb_put32(hd + 8, arg);
	if (len <= sizeof hd - TWB_ANS_HDR) { /* one send: fewer context switches per round trip */
		if (len)
			memcpy(hd + TWB_ANS_HDR, data, len);
		return ubs_send(fd, hd, TWB_ANS_HDR + len);
	}
	return ubs_send(fd, hd, TWB_ANS_HDR) && ubs_send(fd, data, len);
}

static void ubs_drop(ubs_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/* Reads what the peer sent and answers every whole request; false = the peer left. */
static bool ubs_read(ubs_srv *u, tw_serve *s, fk_ctx *ctx, ubs_conn *c)
{
	if (c->cap - c->have < 65536) {
		size_t cap = c->cap ? c->cap * 2 : 131072;
		if (cap > TW_UBS_MAX_MSG * 2)
			return false;
		uint8_t *b = realloc(c->buf, cap);
		if (!b)
			return false;
		c->buf = b, c->cap = cap;
	}
	ssize_t n = recv(c->fd, c->buf + c->have, c->cap - c->have, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	c->have += (size_t)n;
	bool changed = false;
	long off = tw_ubs_decode(&u->bus, ctx, c->buf, c->have, ubs_answer, &c->fd, &changed);
	if (changed)
		tw_serve_changed(s);
	if (off < 0)
		return false;
	memmove(c->buf, c->buf + off, c->have - (size_t)off);
	c->have -= (size_t)off;
	return true;
}

/* ------------------------------------------------------------------ the module */

static void ubs_stop(void *state)
{
	ubs_srv *u = state;
	for (unsigned i = 0; i < UBS_MAX_CONNS; i++)
		if (u->conns[i].fd >= 0)
			ubs_drop(&u->conns[i]);
	if (u->child > 0) { /* the server stops first (signal): end the command too */
		kill(u->child, SIGTERM);
		int st;
		if (waitpid(u->child, &st, 0) == u->child && u->child_status)
			*u->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (u->pidfd >= 0)
		close(u->pidfd);
	tw_ubs_clear(&u->bus);
	if (u->lfd >= 0) {
		close(u->lfd);
		unlink(u->sock);
	}
	if (u->bus.tgt.dap)
		tw_dap_free(u->bus.tgt.dap);
	free(u);
}

static void ubs_setenv_path(const char *var, const char *first)
{
	const char *old = getenv(var);
	size_t n = strlen(first) + (old ? strlen(old) : 0) + 2;
	char *v = malloc(n);
	if (!v)
		return;
	snprintf(v, n, "%s%s%s", first, old && old[0] ? ":" : "", old ? old : "");
	setenv(var, v, 1);
	free(v);
}

static int ubs_spawn(ubs_srv *u, fk_ctx *ctx)
{
	pid_t pid = fork();
	if (pid < 0)
		return fk_fail(ctx, FK_E_IO, "with-usb: fork: %s", strerror(errno));
	if (pid == 0) {
		char dir[4096];
		fk_strlcpy(dir, ubs_cmd_lib, sizeof dir);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		setenv(TWB_ENV_SOCKET, u->sock, 1);
		ubs_setenv_path("LD_LIBRARY_PATH", dir);
		if (ubs_cmd_preload)
			ubs_setenv_path("LD_PRELOAD", ubs_cmd_lib);
		execvp(ubs_cmd_argv[0], ubs_cmd_argv);
		fprintf(stderr, "flashkey-twin with-usb: cannot run %s: %s\n", ubs_cmd_argv[0],
			strerror(errno));
		_exit(127);
	}
	u->child = pid;
	u->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (u->pidfd < 0)
		return fk_fail(ctx, FK_E_IO, "with-usb: pidfd_open: %s", strerror(errno));
	return FK_OK;
}

static int ubs_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	ubs_srv *u = calloc(1, sizeof *u);
	if (!u)
		return fk_fail(ctx, FK_E_NOMEM, "usb-bridge");
	u->lfd = u->pidfd = -1;
	for (unsigned i = 0; i < UBS_MAX_CONNS; i++)
		u->conns[i].fd = -1;
	char spec[1024];
	fk_strlcpy(spec, value, sizeof spec);
	char *semi = strchr(spec, ';');
	if (semi)
		*semi++ = '\0';
	int rc = FK_OK;
	if (!spec[0] || strlen(spec) >= sizeof u->sock)
		rc = fk_fail(ctx, FK_E_USAGE, "usb-bridge: \"%s\" is not a socket path (at most %zu "
				"bytes)", spec, sizeof u->sock - 1);
	fk_strlcpy(u->sock, spec, sizeof u->sock);
	/* the ports the twin has: its debug port for the debug probes, its SPI port for a CH341A */
	tw_chip *chip = tw_serve_chip(s);
	u->port.chip = chip;
	u->bus.tgt.spi = tw_chip_spi(chip, NULL, NULL);
	u->bus.tgt.spi_m = tw_chip_impl(chip);
	if (rc == FK_OK && !(u->bus.tgt.dap = tw_chip_port_open(&u->port, chip,
								 u->bus.tgt.spi ? NULL : ctx,
								 "--usb-bridge")) && !u->bus.tgt.spi)
		rc = fk_ctx_error(ctx);
	u->port.no_clock = tw_serve_realtime(s);
	u->bus.tgt.bus = &tw_chip_port_bus;
	u->bus.tgt.bus_h = &u->port;
	if (rc == FK_OK)
		rc = tw_ubs_parse_probes(&u->bus, ctx, semi);
	if (rc == FK_OK) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		memcpy(sa.sun_path, u->sock, strlen(u->sock) + 1);
		u->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (u->lfd < 0 || bind(u->lfd, (struct sockaddr *)&sa, sizeof sa) ||
		    listen(u->lfd, 8)) {
			rc = fk_fail(ctx, FK_E_IO, "usb-bridge: cannot listen on %s: %s", u->sock,
				     strerror(errno));
			if (u->lfd >= 0)
				close(u->lfd);
			u->lfd = -1;
		}
	}
	if (rc == FK_OK && ubs_cmd_argv) {
		u->child_status = ubs_cmd_status;
		rc = ubs_spawn(u, ctx);
		ubs_cmd_argv = NULL;
	} else if (rc == FK_OK) {
		printf("usb-bridge: listening on %s (%u probe%s:", u->sock, u->bus.nprobes,
		       u->bus.nprobes == 1 ? "" : "s");
		for (unsigned i = 0; i < u->bus.nprobes; i++)
			printf(" %s=%s", tw_probe_kind_name(u->bus.probes[i].kind), u->bus.probes[i].serial);
		printf(")\n");
		fflush(stdout);
	}
	if (rc) {
		ubs_stop(u);
		return rc;
	}
	*state = u;
	return FK_OK;
}

static unsigned ubs_fds(void *state, struct pollfd *pfd, unsigned max)
{
	ubs_srv *u = state;
	unsigned n = 0;
	if (n < max)
		pfd[n++] = (struct pollfd){u->lfd, POLLIN, 0};
	if (u->pidfd >= 0 && n < max)
		pfd[n++] = (struct pollfd){u->pidfd, POLLIN, 0};
	for (unsigned i = 0; i < UBS_MAX_CONNS && n < max; i++)
		if (u->conns[i].fd >= 0)
			pfd[n++] = (struct pollfd){u->conns[i].fd, POLLIN, 0};
	return n;
}

static int ubs_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	ubs_srv *u = state;
	for (unsigned i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == u->lfd) {
			int fd = accept4(u->lfd, NULL, NULL, SOCK_CLOEXEC);
			unsigned k = 0;
			while (k < UBS_MAX_CONNS && u->conns[k].fd >= 0)
				k++;
			if (fd >= 0 && k == UBS_MAX_CONNS)
				close(fd); /* a full bus: the program sees no devices */
			else if (fd >= 0)
				u->conns[k].fd = fd;
			continue;
		}
		if (pfd[i].fd == u->pidfd) {
			int st;
			if (waitpid(u->child, &st, 0) == u->child && u->child_status)
				*u->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			u->child = 0;
			return TW_SERVE_DONE;
		}
		for (unsigned k = 0; k < UBS_MAX_CONNS; k++)
			if (u->conns[k].fd == pfd[i].fd && !ubs_read(u, s, ctx, &u->conns[k]))
				ubs_drop(&u->conns[k]);
	}
	return 0;
}

const tw_serve_module tw_serve_mod_usb_bridge = {
	.option = "usb-bridge",
	.metavar = "SOCKET[;PROBE...]",
	.help = "emulated USB probes for unmodified libusb/hidapi programs (PROBE: KIND[,serial=S]"
		"[,gone-after=N]; run them with FLASHKEY_USB_BRIDGE=SOCKET and the bridge library)",
	.start = ubs_start,
	.fds = ubs_fds,
	.handle = ubs_handle,
	.stop = ubs_stop,
};

int tw_with_usb(fk_ctx *ctx, const char *path, const tw_with_usb_opts *o, char *const *argv,
		int *status)
{
	char dir[] = "/tmp/fktwin-usb-XXXXXX";
	if (!argv || !argv[0])
		return fk_fail(ctx, FK_E_USAGE, "with-usb: no command after --");
	if (access(o->library, R_OK))
		return fk_fail(ctx, FK_E_NOT_FOUND, "with-usb: the bridge library %s is missing (%s); "
				"build the twin tools, or set FLASHKEY_USB_BRIDGE_LIB", o->library,
				strerror(errno));
	if (!mkdtemp(dir))
		return fk_fail(ctx, FK_E_IO, "with-usb: mkdtemp: %s", strerror(errno));
	char value[1200];
	snprintf(value, sizeof value, "%s/usb.sock;%s", dir, o->probes ? o->probes : "");
	ubs_cmd_argv = argv;
	ubs_cmd_lib = o->library;
	ubs_cmd_preload = o->preload;
	ubs_cmd_status = status;
	*status = 127;
	tw_serve_req req = {&tw_serve_mod_usb_bridge, value};
	tw_serve_opts so = {.realtime = o->realtime, .idle_ms = 5};
	int rc = tw_serve_run(ctx, path, &req, 1, &so);
	ubs_cmd_argv = NULL;
	char sock[sizeof dir + 16];
	snprintf(sock, sizeof sock, "%s/usb.sock", dir);
	unlink(sock);
	rmdir(dir);
	return rc;
}
