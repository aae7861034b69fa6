/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/serprog: the host side of the serial flasher protocol (serprog, interface version 1)
 * as an SPI programmer transport (FK_TRANSPORT_SPI): `serprog:DEVICE[@BAUD]`. It carries SPI
 * transactions and knows nothing about the chip behind them.
 *
 * Sources: flashrom's Documentation/serprog-protocol.txt and serprog.c (v1.3.0), as summarised
 * in ../shared/reference/spi-nor.md §7: one command byte plus fixed little-endian parameters;
 * the device answers ACK (0x06) and the return bytes, or NAK (0x15); SYNCNOP answers NAK then
 * ACK; Q_CMDMAP is a 32-byte bitmap (command n = byte n/8, bit n%8) and a command whose bit is
 * clear is never sent; O_SPIOP = u24 slen, u24 rlen, slen bytes -> ACK + rlen bytes.
 *
 * Every reply is untrusted: each is decoded with its length and value checked, a NAK or a
 * wrong byte is an error naming the command and the bytes seen, a silent device is a timeout
 * naming what was expected (tests/unit/test_serprog_client.c, tests/fuzz/fuzz_serprog_client.c). */
#ifndef FK_PROBE_SERPROG_H
#define FK_PROBE_SERPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"
#include "flashkey/core.h"

#define SERPROG_ACK 0x06u
#define SERPROG_NAK 0x15u

enum serprog_cmd {
	SERPROG_NOP = 0x00,
	SERPROG_Q_IFACE = 0x01,
	SERPROG_Q_CMDMAP = 0x02,
	SERPROG_Q_PGMNAME = 0x03,
	SERPROG_Q_SERBUF = 0x04,
	SERPROG_Q_BUSTYPE = 0x05,
	SERPROG_Q_CHIPSIZE = 0x06,
	SERPROG_Q_OPBUF = 0x07,
	SERPROG_Q_WRNMAXLEN = 0x08,
	SERPROG_R_BYTE = 0x09,
	SERPROG_R_NBYTES = 0x0A,
	SERPROG_O_INIT = 0x0B,
	SERPROG_O_WRITEB = 0x0C,
	SERPROG_O_WRITEN = 0x0D,
	SERPROG_O_DELAY = 0x0E,
	SERPROG_O_EXEC = 0x0F,
	SERPROG_SYNCNOP = 0x10,
	SERPROG_Q_RDNMAXLEN = 0x11,
	SERPROG_S_BUSTYPE = 0x12,
	SERPROG_O_SPIOP = 0x13,
	SERPROG_S_SPI_FREQ = 0x14,
	SERPROG_S_PIN_STATE = 0x15,
};

/* Q_BUSTYPE bits (serprog-protocol.txt). */
#define SERPROG_BUS_PARALLEL 0x01u
#define SERPROG_BUS_LPC 0x02u
#define SERPROG_BUS_FWH 0x04u
#define SERPROG_BUS_SPI 0x08u

#define SERPROG_IFACE_VERSION 1u
#define SERPROG_LEN_MAX 0xFFFFFFu  /* a u24 length field */
/* What one O_SPIOP of ours carries at most, whatever the programmer allows (buffer sizes). */
#define SERPROG_OWN_WRITE_MAX 4096u
#define SERPROG_OWN_READ_MAX 65536u
#define SERPROG_DEFAULT_BAUD 115200u

typedef struct serprog {
	fk_ctx *ctx;
	const fk_transport *t;   /* the byte stream (serial port, pty, a test's fake) */
	unsigned timeout_ms;     /* for each reply byte */
	uint16_t iface;          /* Q_IFACE */
	uint8_t cmdmap[32];      /* Q_CMDMAP */
	uint8_t bustypes;        /* Q_BUSTYPE (SERPROG_BUS_*); 0 when not asked */
	char name[17];           /* Q_PGMNAME, printable, "" when not offered */
	uint32_t max_write;      /* O_SPIOP slen limit: Q_WRNMAXLEN, else SERPROG_LEN_MAX */
	uint32_t max_read;       /* O_SPIOP rlen limit: Q_RDNMAXLEN, else SERPROG_LEN_MAX */
	uint32_t spi_hz;         /* S_SPI_FREQ answer; 0 when never set */
	bool pins_on;            /* S_PIN_STATE 1 was acknowledged */
	uint8_t *buf;            /* one O_SPIOP request (7 + SERPROG_OWN_WRITE_MAX) */
} serprog;

/* The command's name ("O_SPIOP") for messages; "command 0xNN" for others (static buffer-free:
 * unknown codes give "unknown"). */
const char *serprog_cmd_name(uint8_t cmd);
/* Is cmd in the programmer's command map? */
bool serprog_has(const serprog *sp, uint8_t cmd);

/* Pure decoders of reply payloads (after the ACK), for the client and the fuzz harness. */
/* A u24 length limit: 0 means 2^24 (serprog-protocol.txt), capped to SERPROG_LEN_MAX. */
uint32_t serprog_decode_len24(const uint8_t b[3]);
/* Q_PGMNAME: 16 bytes, NUL-padded; anything not printable ASCII becomes '?'. */
void serprog_decode_name(const uint8_t b[16], char out[17]);

/* Synchronise (NOPs, then SYNCNOP until NAK ACK twice), check the interface version, read the
 * command map, require the SPI bus and O_SPIOP, select SPI, read the O_SPIOP limits and the
 * name, switch the output drivers on. Errors name the missing command or bus. */
int serprog_attach(serprog *sp, fk_ctx *ctx, const fk_transport *stream);
/* Output drivers off (S_PIN_STATE 0, when offered) and free what attach allocated; does not
 * close the stream. */
void serprog_detach(serprog *sp);
/* One SPI transaction (O_SPIOP): wlen bytes out, then rlen bytes in, /CS around both. */
int serprog_spi(serprog *sp, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen);
/* S_SPI_FREQ: FK_E_UNSUPPORTED naming the command when the programmer lacks it. */
int serprog_set_speed(serprog *sp, uint32_t hz, uint32_t *actual_hz);
/* S_PIN_STATE. */
int serprog_set_pins(serprog *sp, bool on);
/* The O_SPIOP limits the driver may use (the programmer's, capped by our buffers). */
void serprog_limits(const serprog *sp, size_t *max_write, size_t *max_read);

/* The `serprog:` backend: DEVICE[@BAUD] (8N1, default 115200); opts->swd_khz (--speed) sets
 * the SPI clock in kHz. Yields an FK_TRANSPORT_SPI transport. */
int serprog_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out);

#endif
