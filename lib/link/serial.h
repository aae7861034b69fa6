/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/serial: a POSIX serial port (USB-UART adapters, on-board UARTs, pseudo-terminals) as an
 * FK_TRANSPORT_STREAM. Framing 8E1 by default (AN3155 §1: the STM32 bootloader uses even
 * parity), 8N1 on request; standard baud rates; DTR/RTS control; inter-byte read timeouts.
 *
 * Convention of the stream ops implemented here: read() returns FK_E_TIMEOUT *without* starting
 * a cause chain (a silent line is an expected answer while synchronising); the protocol client
 * says what was expected. Real I/O errors fail with a frame naming the device. */
#ifndef FK_LINK_SERIAL_H
#define FK_LINK_SERIAL_H

#include <stddef.h>

#include "flashkey/backend.h"

#define SERIAL_DEFAULT_BAUD 115200u
/* the Espressif ROM loader's rate after reset (esptool ESPLoader.ESP_ROM_BAUD) */
#define SERIAL_ESP_ROM_BAUD 115200u

/* Split "DEVICE[@BAUD]" into the device path and the baud (0 when absent). -1 on an empty device,
 * a bad number or a device path too long for dev. */
int serial_parse_spec(const char *arg, char *dev, size_t devsz, unsigned *baud);
/* True for a baud rate this platform's termios can set. */
int serial_baud_supported(unsigned baud);
/* Open "DEVICE[@BAUD]" (the uart: backend). opts->baud overrides a missing @BAUD. */
int serial_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);
/* The esp: backend: the same port in 8N1 carrying the Espressif ROM loader protocol
 * (fk_transport.protocol = "esp-rom"). */
int serial_open_esp(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);

/* The lpc: backend: "DEVICE[@BAUD][,XTAL_KHZ]" in 8N1 carrying the NXP LPC UART ISP
 * (fk_transport.protocol = "lpc-isp", clock_khz = XTAL_KHZ or 0). */
int serial_open_lpc(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);

#endif
