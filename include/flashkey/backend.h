/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey transports: the seam between the library and whatever carries its accesses to a chip.
 *
 * A connection string "SCHEME:ARG" (twin:PATH, uart:/dev/ttyUSB0@115200, stlink:SERIAL, ...) is
 * opened by the backend registered for SCHEME. A backend yields one transport of one kind:
 *
 *   FK_TRANSPORT_MEM     memory-mapped access to the target bus (the debug path as a chip driver
 *                        sees it: ST-LINK, ADIv5 over a probe, or the in-process twin)
 *   FK_TRANSPORT_STREAM  a byte stream to a ROM bootloader (serial port, pty, in-process twin)
 *   FK_TRANSPORT_DAP     raw DP/AP transactions (SWD/JTAG probes); lib/debug turns it into MEM
 *   FK_TRANSPORT_SPI     SPI transactions to a serial flash through a programmer (serprog,
 *                        the in-process SPI twin): the programmer knows nothing about the chip
 *
 * The library's own backends (serial, probes) and the twin's (registered by the tools at start
 * with fktwin_register_backends()) use this same table: the library cannot tell a twin from
 * hardware. */
#ifndef FLASHKEY_BACKEND_H
#define FLASHKEY_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"

typedef enum fk_reset_kind {
	FK_RESET_SYSTEM = 0,     /* AIRCR.SYSRESETREQ: core and peripherals; option bytes reload */
	FK_RESET_HARDWARE = 1,   /* NRST pin pulsed by the probe */
	FK_RESET_POWER_CYCLE = 2 /* power-on reset: only a twin (or a powered probe) can do this */
} fk_reset_kind;

typedef struct fk_mem_ops {
	/* Read len bytes at addr with accesses of `width` bytes (1, 2 or 4); addr and len are
	 * multiples of width. A bus error fails with FK_E_BUS_FAULT and a frame naming the address. */
	int (*read)(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len, unsigned width);
	int (*write)(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		     unsigned width);
	/* Halt the core so that it cannot touch flash behind our back; may be NULL (no CPU). */
	int (*halt)(void *h, fk_ctx *ctx);
	int (*reset)(void *h, fk_ctx *ctx, fk_reset_kind kind);
	/* Target supply in millivolts, or -1 when the transport cannot measure it. May be NULL. */
	int (*voltage_mv)(void *h, fk_ctx *ctx);
	/* Virtual time of a twin in nanoseconds (benchmarks); NULL on hardware. */
	uint64_t (*virtual_ns)(void *h);
	/* Optional (NULL = cannot): reset the target of `kind` (SYSTEM or HARDWARE) and leave the
	 * core running the application with halting debug off: DEMCR.VC_CORERESET = 0 so that the
	 * reset is not caught, then DHCSR = DBGKEY with C_DEBUGEN = 0 and C_HALT = 0 so that no
	 * breakpoint or vector catch can stop it (ARMv7-M §C1.6.2, §C1.6.3). The core starts from
	 * the boot address (the vector table at 0x00000000). kind is the reset to use: the caller
	 * has applied the user's --reset choice and refused "none". Added last: members above keep
	 * their order. */
	int (*run)(void *h, fk_ctx *ctx, fk_reset_kind kind);
	/* Optional (NULL: not a DAP): the DPIDR and AP 0 IDR the debug port answered at connect,
	 * for the identification every driver sees (lib/chip/driver.h fk_chip_ids). */
	int (*dap_ids)(void *h, uint32_t *dpidr, uint32_t *ap0_idr);
} fk_mem_ops;

typedef struct fk_stream_ops {
	int (*write)(void *h, fk_ctx *ctx, const void *buf, size_t len);
	/* Read exactly len bytes; FK_E_TIMEOUT when no byte arrives for timeout_ms. *got receives
	 * the number of bytes read either way. */
	int (*read)(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms, size_t *got);
	int (*flush_input)(void *h, fk_ctx *ctx);
	/* Drive DTR/RTS: 1 = asserted, 0 = released, -1 = unchanged. May be NULL. */
	int (*set_lines)(void *h, fk_ctx *ctx, int dtr, int rts);
	uint64_t (*virtual_ns)(void *h);
	/* Optional (NULL = fixed rate): change the host side's baud rate, after the device was
	 * told (ESP ROM CHANGE_BAUDRATE). Added last: members above keep their order. */
	int (*set_baud)(void *h, fk_ctx *ctx, unsigned baud);
} fk_stream_ops;

/* An SPI programmer (FK_TRANSPORT_SPI): moves /CS and bytes, nothing else. */
typedef struct fk_spi_ops {
	/* One transaction: /CS asserted, wlen bytes shifted out (what the chip drives back
	 * meanwhile is dropped), then rlen bytes shifted in, /CS released. wlen and rlen are at
	 * most what limits() says; r may be NULL when rlen is 0. */
	int (*xfer)(void *h, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen);
	/* The largest wlen and rlen one xfer carries. */
	void (*limits)(void *h, size_t *max_write, size_t *max_read);
	/* Set the SPI clock; *actual_hz receives what the programmer set. NULL = fixed clock. */
	int (*set_speed)(void *h, fk_ctx *ctx, uint32_t hz, uint32_t *actual_hz);
	/* The chip's /WP pin: 1 high, 0 low, -1 when the programmer cannot tell. May be NULL. */
	int (*wp_level)(void *h, fk_ctx *ctx);
	/* Remove and restore the chip's supply; NULL when the programmer cannot (only a twin). */
	int (*power_cycle)(void *h, fk_ctx *ctx);
	/* Virtual time of a twin in nanoseconds; NULL on hardware. */
	uint64_t (*virtual_ns)(void *h);
	/* Let us microseconds pass (a twin advances its clock); NULL: the host sleeps. */
	void (*delay)(void *h, uint32_t us);
	/* Optional, both or neither (added with the CH341A): a transaction that may wait in the
	 * programmer's queue and go out with others in one USB round trip. It runs in order with
	 * every other transaction; r (rlen bytes) is filled when flush returns. delay() between
	 * queued transactions is queued too. NULL: xfer only. */
	int (*xfer_queued)(void *h, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r,
			   size_t rlen);
	int (*flush)(void *h, fk_ctx *ctx);
	/* Optional (added with the ESP ROM path): a programmer that erases a sector-aligned range
	 * itself, faster than instructions sent one by one over its link (the ESP ROM's
	 * FLASH_BEGIN erases before it answers). The SPI NOR driver checks the protection of the
	 * range first and calls this only when nothing there is protected. NULL: 20h/52h/D8h. */
	int (*erase_range)(void *h, fk_ctx *ctx, uint32_t addr, uint32_t len);
} fk_spi_ops;

typedef enum fk_transport_kind {
	FK_TRANSPORT_NONE = 0,
	FK_TRANSPORT_MEM,
	FK_TRANSPORT_STREAM,
	FK_TRANSPORT_DAP,
	FK_TRANSPORT_SPI,
} fk_transport_kind;

typedef struct fk_transport {
	fk_transport_kind kind;
	const void *ops; /* fk_mem_ops, fk_stream_ops, fk_spi_ops or the DAP ops of lib/debug */
	void *handle;
	void (*close)(void *handle); /* releases handle; may be NULL */
	/* Makes what the target now holds persistent (a twin's state file) and says whether that
	 * worked: FK_E_IO naming the file and errno when not (issue 13 class 7: close cannot
	 * report, so a save that failed there was lost). NULL: nothing to persist. */
	int (*sync)(void *handle, fk_ctx *ctx);
	char description[160]; /* for messages: "twin stm32f407 at fw.twin", "/dev/ttyUSB0 @115200 8E1" */
	/* FK_TRANSPORT_STREAM: the ROM protocol the stream carries, as the connection scheme says
	 * ("esp-rom" for esp: and twin-esp:); NULL = AN3155 (uart:, twin-uart: on an STM32). */
	const char *protocol;
	unsigned baud; /* FK_TRANSPORT_STREAM: the rate the port was opened at (0 = unknown) */
	/* esp:/twin-esp: the rate the user asked for, when it is not the one the port opened at.
	 * The Espressif ROM listens at 115200 after reset; the client syncs there and then moves
	 * both ends with CHANGE_BAUDRATE (esptool's order: connect, then change_baud). 0 = stay. */
	unsigned baud_switch;
	/* lpc:/twin-lpc: ("lpc-isp"): the crystal in kHz the ISP handshake names (the ",XTAL_KHZ"
	 * of the connection string; 0 = 12000, lpc21isp's usual value). */
	unsigned clock_khz;
} fk_transport;

/* Options a connection may need; zero-initialise and set what the user gave. */
typedef struct fk_conn_opts {
	unsigned baud;         /* serial: 0 = default (115200) */
	int parity_none;       /* serial: 8N1 instead of AN3155's 8E1 */
	const char *boot_seq;  /* serial: DTR/RTS boot-entry sequence, stm32flash -i syntax */
	unsigned swd_khz;      /* probes: 0 = default */
	int connect_under_reset;
	int reset_mode;        /* -1 default, else fk_reset_kind; FK_RESET_POWER_CYCLE means none */
	/* --allow-wrong-memory-map: the part named by --chip is used although the IDs read say
	 * otherwise (or no driver knows them); erasing and programming may hit wrong addresses. */
	int allow_wrong_memory_map;
	/* ESP ROM (esp:, twin-esp:): esptool's --before and --after words (NULL = default_reset,
	 * hard_reset). */
	const char *before, *after;
} fk_conn_opts;

typedef int (*fk_backend_open_fn)(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
				  fk_transport *out);

/* Register a backend for "SCHEME:"; help is one line for `flashkey --help`. Returns FK_E_BUSY
 * when the table is full or the scheme is taken. */
int fk_backend_register(const char *scheme, fk_backend_open_fn open, const char *help);
/* Open "SCHEME:ARG". Unknown schemes fail with FK_E_USAGE and a list of the known ones. */
int fk_transport_open(fk_ctx *ctx, const char *connection, const fk_conn_opts *opts,
		      fk_transport *out);
void fk_transport_close(fk_transport *t);
/* t->sync if the transport has one, else FK_OK. */
int fk_transport_sync(fk_transport *t, fk_ctx *ctx);
/* Registers the library's own schemes (uart:, stlink:, cmsis-dap:, ...). Tools call this and
 * fktwin_register_backends() once at start. */
void fk_register_builtin_backends(void);
/* Enumerate registered backends (for help): returns NULL past the end. */
const char *fk_backend_scheme(unsigned i, const char **help);

#endif
