/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SPI NOR flash twin: one chip (W25Q32JV/64JV/128JV, GD25Q64C, MX25L6433F) behind its four
 * wires, written from the datasheets (see twin/spinor/spinor.c for the sources and rules).
 *
 * Use it as a bus master would:
 *     tw_spinor_cs_assert(c);                 // /CS falls: a new instruction starts
 *     tw_spinor_exchange(c, tx, rx, n);       // n bytes shifted out on DI, n bytes in from DO
 *     tw_spinor_cs_release(c);                // /CS rises: writes/erases start here
 * A byte is full-duplex: the byte returned by tw_spinor_xfer is what DO carried while the byte
 * given was clocked in (0xFF where the datasheet says high impedance; the bus is assumed pulled
 * up). Write, program and erase instructions execute at /CS release only when the byte count
 * is one the datasheet allows (W64 §8: "must complete on a byte boundary").
 *
 * Pins: /WP (tw_spinor_set_wp), power (tw_spinor_power_cycle: off then on; an operation in
 * progress is cut, leaving partial data). /HOLD and the quad modes are not modelled (standard
 * SPI only, mode 0/3, MSB first — a programmer's bit order is its own business).
 *
 * Time: a virtual clock in nanoseconds. It moves only when told: tw_spinor_advance(ns), or one
 * byte time per byte exchanged after tw_spinor_set_sck(hz). BUSY lasts the datasheet's typical
 * time (tW, tPP, tSE, tBE1, tBE2, tCE); tw_spinor_finish completes an operation at once (the
 * servers' fast mode). While BUSY only Read Status Register is answered (W64 §8).
 *
 * Protection is applied as the silicon does it: an erase or program touching a protected
 * address is ignored entirely, with no error bit (W64 §7.1 table note 3); the data just stays.
 *
 * Everything here is single-threaded; one object per chip. Errors carry a cause in ctx. */
#ifndef FKTWIN_SPINOR_H
#define FKTWIN_SPINOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flashkey/core.h"

typedef struct tw_spinor tw_spinor;

/* ---- life cycle */
/* A factory-fresh chip of the named part ("w25q64jv", see tw_spinor_part_list): array and
 * security registers erased (0xFF), status registers at their factory values, powered. */
int tw_spinor_create(fk_ctx *ctx, const char *part, tw_spinor **out);
void tw_spinor_free(tw_spinor *c);
/* Space-separated list of part keys, for messages. */
const char *tw_spinor_part_list(void);
/* True if name is a part this twin models (case-insensitive). */
bool tw_spinor_part_exists(const char *name);
const char *tw_spinor_part_key(const tw_spinor *c);
uint32_t tw_spinor_size(const tw_spinor *c);

/* ---- the bus */
void tw_spinor_cs_assert(tw_spinor *c);
uint8_t tw_spinor_xfer(tw_spinor *c, uint8_t mosi);
/* tx may be NULL (0xFF clocked out), rx may be NULL (input discarded). */
void tw_spinor_exchange(tw_spinor *c, const uint8_t *tx, uint8_t *rx, size_t n);
void tw_spinor_cs_release(tw_spinor *c);

/* ---- pins */
void tw_spinor_set_wp(tw_spinor *c, bool high);
bool tw_spinor_wp(const tw_spinor *c);
/* Power off then on (W64 §6.5, §7.1): an operation in progress is cut (partial data), volatile
 * status bits reload from the non-volatile ones, SRL returns to 0, WEL = 0, block locks = 1. */
void tw_spinor_power_cycle(tw_spinor *c);

/* ---- the clock */
void tw_spinor_set_sck(tw_spinor *c, uint32_t hz); /* 0: bytes take no time (default) */
void tw_spinor_advance(tw_spinor *c, uint64_t ns);
uint64_t tw_spinor_now(const tw_spinor *c);
uint64_t tw_spinor_busy_ns(const tw_spinor *c); /* time left of the operation, 0 = idle */
void tw_spinor_finish(tw_spinor *c);             /* complete the operation now */
/* A counter that changes whenever the chip's state may have changed (instructions other than
 * reads, completions, power cycles): servers save the state file only when it moved. */
uint32_t tw_spinor_generation(const tw_spinor *c);

/* ---- direct access for tests and `flashkey-twin new/show` (not a bus path) */
/* Current (volatile) and non-volatile register values (SR1, SR2 or CR, SR3). */
void tw_spinor_regs(const tw_spinor *c, uint8_t cur[3], uint8_t nv[3]);
/* Set non-volatile and current values as a factory programmer would (no WEL, no SRP checks);
 * read-only bits (BUSY, WEL, SUS) are ignored. */
void tw_spinor_set_regs(tw_spinor *c, const uint8_t nv[3]);
/* Set a status field by its semantic key ("bp" = all BP bits as a number, "tb", "sec", "cmp",
 * "srp", "srl", "qe", "lb1".."lb3", "wps", "drv0", "drv1"; "sr1".."sr3" = raw bytes) in both
 * the current and non-volatile registers, as a factory programmer would. Returns 0, -1 for a
 * key the part does not have, -2 for a value that does not fit. */
int tw_spinor_set_field(tw_spinor *c, const char *key, uint32_t value);
/* The special-order one-time status-register lock (W64 §7.1 "One Time Program", enabled by a
 * vendor-only sequence, not modelled on the bus): set at creation only. */
void tw_spinor_set_sr_otp(tw_spinor *c, bool on);
bool tw_spinor_sr_otp(const tw_spinor *c);
uint8_t *tw_spinor_mem(tw_spinor *c);
/* Security register n (1-based; Macronix: 1 = the secured OTP area), and its size; NULL if
 * the part has no such register. */
uint8_t *tw_spinor_secreg(tw_spinor *c, unsigned n, uint32_t *size);
unsigned tw_spinor_lock_units(const tw_spinor *c);
bool tw_spinor_unit_locked(const tw_spinor *c, unsigned unit);
/* Is the byte at addr protected against erase/program right now (BP/TB/SEC/CMP or WPS locks)? */
bool tw_spinor_protected(const tw_spinor *c, uint32_t addr);

/* The protected addresses: one range when contiguous (BP rules), else the span of the
 * protected block-lock units (*contiguous false). len 0 = nothing protected. */
void tw_spinor_protected_span(const tw_spinor *c, uint32_t *start, uint32_t *len,
			      bool *contiguous);
/* `flashkey-twin show` text (or JSON) of the chip. */
void tw_spinor_show(const tw_spinor *c, FILE *f, bool json);

/* What the chip did, for tests and `show`: instructions ignored and why. */
typedef struct tw_spinor_stats {
	uint32_t ignored_protected; /* erase/program refused by protection */
	uint32_t ignored_wel;       /* write instruction without WEL */
	uint32_t ignored_busy;      /* instruction while BUSY */
	uint32_t ignored_srp;       /* status write refused by SRP/SRL/WP/OTP */
	uint32_t ignored_length;    /* wrong byte count at /CS release */
	uint32_t cut_ops;           /* operations cut by power loss or reset */
	uint32_t programs, erases, sr_writes;
} tw_spinor_stats;
void tw_spinor_get_stats(const tw_spinor *c, tw_spinor_stats *st);

/* ---- state file (atomic save, versioned, CRC-checked, validated on load) */
int tw_spinor_save(fk_ctx *ctx, const tw_spinor *c, const char *path);
int tw_spinor_load(fk_ctx *ctx, const char *path, tw_spinor **out);
/* Load from memory (the fuzz harness and tests); same checks as tw_spinor_load. */
int tw_spinor_load_buf(fk_ctx *ctx, const uint8_t *buf, size_t n, tw_spinor **out);
/* True if PATH starts with the SPI NOR state magic (to pick the model for a state file). */
bool tw_spinor_is_state(const char *path);

/* ---- serving to peers (twin/spinor/serprog_serve.c) */
typedef struct tw_spinor_serve_opts {
	bool realtime;    /* the virtual clock follows the wall clock (BUSY lasts tSE, tPP, ...) */
	unsigned idle_ms; /* fast mode: idle time before an operation in progress completes (5) */
	int64_t max_ms;   /* stop after this much wall time (tests); <= 0: until SIGINT/SIGTERM */
	uint64_t *served_ns; /* if set, receives the chip's virtual time spent while served */
} tw_spinor_serve_opts;
/* Lock and load PATH, put a serprog programmer with the chip behind it on a pty at each LINK
 * ("LINK[@BAUD]"), serve until a signal or max_ms, then save. Prints one line per link. */
int tw_spinor_serve(fk_ctx *ctx, const char *path, const char *const *links, unsigned nlinks,
		    const tw_spinor_serve_opts *o);

#endif
