/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The F4's AN3155 bootloader as an in-process stream on an F4 the caller owns (see the .c); the
 * `twin-uart:PATH` backend is generic (twin/stream.h). */
#ifndef TW_STM32F4_AN3155_STREAM_H
#define TW_STM32F4_AN3155_STREAM_H

#include "flashkey/backend.h"
#include "stm32f4/an3155_server.h"

/* A stream onto the bootloader of a chip the caller owns (tests, benchmarks): no state file, the
 * chip is left as it is (no reset), closing frees only the server. */
int tw_uart_attach(tw_f4 *chip, const tw_an3155_cfg *cfg, fk_transport *out);
/* For tests and benchmarks holding a twin-uart transport's handle. */
tw_an3155 *tw_uart_server(void *handle);
tw_f4 *tw_uart_chip(void *handle);

#endif
