/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The F4 twin's AN3155 bootloader served on a pseudo-terminal for peer tools (see the .c). */
#ifndef TW_STM32F4_AN3155_PTY_H
#define TW_STM32F4_AN3155_PTY_H

#include <signal.h>
#include <stdbool.h>

#include "stm32f4/an3155_server.h"

typedef struct tw_an3155_pty tw_an3155_pty;

/* Creates the pty and the symlink LINK to its slave; the chip is reset into its bootloader. */
int tw_an3155_pty_open(fk_ctx *ctx, tw_f4 *chip, const char *link, const tw_an3155_cfg *cfg,
		       bool pace, tw_an3155_pty **out);
int tw_an3155_pty_fd(const tw_an3155_pty *p); /* poll it for POLLIN, then call _service */
/* Reads what the peer sent, answers it (paced if asked). */
int tw_an3155_pty_service(tw_an3155_pty *p, fk_ctx *ctx);
tw_an3155 *tw_an3155_pty_server(const tw_an3155_pty *p);
/* Serves until *stop; saves the twin (tw_f4_sync) whenever the line is idle after a change. */
int tw_an3155_pty_run(fk_ctx *ctx, tw_an3155_pty *p, volatile sig_atomic_t *stop);
void tw_an3155_pty_close(tw_an3155_pty *p); /* removes the link */

#endif
