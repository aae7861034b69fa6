/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin serve PATH --uart-pty LINK[@BAUD]`: the serve-loop module (twin/serve.h) that
 * puts the F4 twin's AN3155 bootloader on a pseudo-terminal (an3155_pty.c). The virtual clock is
 * charged at BAUD (default 115200) with 11 bits per byte (8E1, as the real chip's USART) whatever
 * framing the peer sets on the pty, so a peer and flashkey are measured alike. With --realtime
 * the replies are paced in wall time as well. Peers must use 8N1 on a pty (an3155.md §4.3):
 * `stm32flash -m 8n1 LINK`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "serve.h"
#include "stm32f4/an3155_pty.h"

static int up_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	char link[512];
	/* The bootloader's start-up after a reset (AN2606 Table 227: 84.59 ms, bytes before it are
	 * lost) needs a clock that runs while the line is idle: only --realtime has one. Without
	 * it the clock moves with bytes only, so a start-up delay would swallow every 0x7F. */
	tw_an3155_cfg cfg = {.baud = 115200, .bits_per_byte = 11,
			     .startup_ns = tw_serve_realtime(s) ? 84590000ULL : 0};
	const char *at = strrchr(value, '@');
	size_t n = at ? (size_t)(at - value) : strlen(value);
	uint32_t baud;
	if (n == 0 || n >= sizeof link || (at && (fk_parse_u32(at + 1, &baud) || !baud)))
		return fk_fail(ctx, FK_E_USAGE, "--uart-pty %s: expected LINK[@BAUD]", value);
	if (at)
		cfg.baud = baud;
	memcpy(link, value, n);
	link[n] = '\0';
	tw_an3155_pty *p;
	int rc = tw_an3155_pty_open(ctx, tw_serve_chip(s), link, &cfg, tw_serve_realtime(s), &p);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--uart-pty %s", value);
	char name[128] = "";
	ssize_t k = readlink(link, name, sizeof name - 1);
	name[k > 0 ? k : 0] = '\0';
	printf("uart-pty: %s -> %s (AN3155 bootloader, use 8N1)\n", link, name);
	fflush(stdout);
	*state = p;
	return FK_OK;
}

static unsigned up_fds(void *state, struct pollfd *pfd, unsigned max)
{
	if (!max)
		return 0;
	pfd[0].fd = tw_an3155_pty_fd(state);
	pfd[0].events = POLLIN;
	return 1;
}

static int up_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	(void)pfd;
	if (!n)
		return FK_OK;
	int rc = tw_an3155_pty_service(state, ctx);
	if (!rc && tw_f4_dirty(tw_serve_chip(s)))
		tw_serve_changed(s);
	return rc;
}

static void up_stop(void *state)
{
	tw_an3155_pty_close(state);
}

const tw_serve_module tw_serve_mod_uart_pty = {
	.option = "uart-pty",
	.metavar = "LINK[@BAUD]",
	.help = "STM32 bootloader (AN3155) on a pseudo-terminal, symlinked at LINK (peers: 8N1)",
	.start = up_start,
	.fds = up_fds,
	.handle = up_handle,
	.timeout_ms = NULL,
	.stop = up_stop,
};
