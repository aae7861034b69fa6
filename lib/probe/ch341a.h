/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/ch341a: the WCH CH341A USB bridge in its SPI/I2C mode (1a86:5512) as an SPI programmer
 * transport (FK_TRANSPORT_SPI): `ch341a[:WHICH]`. It carries SPI transactions and knows
 * nothing about the chip behind them. See ch341a.c for the protocol and its sources. */
#ifndef FK_PROBE_CH341A_H
#define FK_PROBE_CH341A_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"

#define CH341A_VID 0x1A86u
#define CH341A_PID 0x5512u
#define CH341A_PID_UART 0x5523u /* the same chip strapped for UART (CH341 serial) */
#define CH341A_PKT 32u

/* ch341a[:WHICH]: WHICH = the device's location ("bus 1 port 4", as `flashkey list` shows it),
 * or its position among the attached CH341As (1, 2, ...); empty with one attached. */
int ch341a_open(fk_ctx *ctx, const char *which, const fk_conn_opts *opts, fk_transport *out);

/* Attached CH341As for `flashkey list`: SPI/I2C mode (usable) and UART mode (pid 5523, shown
 * with what to change). position = N in ch341a:N. */
typedef struct ch341a_listing {
	uint16_t pid;
	unsigned position; /* 1, 2, ... among the SPI-mode ones; 0 for a UART-mode one */
	char location[32];
} ch341a_listing;
int ch341a_list(fk_ctx *ctx, ch341a_listing *out, unsigned max, unsigned *n);

/* Pure encoders (unit-tested): the bytes of one transaction as the device takes them.
 * The chip-select packet: /CS high (ending the previous transaction), then low. Returns 32. */
size_t ch341a_cs_packet(uint8_t pkt[CH341A_PKT]);
/* SPI stream packets for n bytes (each byte bit-reversed, LSB first on the wire): at most 31
 * bytes per packet behind the 0xA8 command byte. Returns the bytes written to out, which must
 * hold ch341a_spi_len(n). */
size_t ch341a_spi_len(size_t n);
size_t ch341a_spi_packets(const uint8_t *w, size_t n, uint8_t *out);
/* A wait of us microseconds inside the device (UIO 0xC0|n instructions, 63 us each, 30 a
 * packet), after releasing /CS when release is set. Returns bytes written to out (at most
 * ch341a_wait_len(us)). */
size_t ch341a_wait_len(uint32_t us);
size_t ch341a_wait_packets(uint32_t us, int release, uint8_t *out);
uint8_t ch341a_rev(uint8_t b);

#endif
