/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A twin of any model (twin/model.h) with its state file: what generic code — the flashkey-twin
 * commands, the `twin:`/`twin-swd:`/`twin-uart:` connections, the emulated probes, the serve
 * loop and its plug-ins — holds. It owns the file: the exclusive lock and the atomic save
 * (twin/statefile.h: flock(2) on the state file's own inode, handed to the new file before each
 * save's rename, fsync when durable) and the magic dispatch on load.
 *
 * Loading a file: the first 8 bytes select the model (tw_model.magic), the u32 at offset 8 is
 * the version; an unknown magic or a version above the model's is FK_E_BAD_FILE naming both,
 * nothing else is read. */
#ifndef TW_CHIP_H
#define TW_CHIP_H

#include "model.h"

typedef struct tw_chip tw_chip;

/* ---- registry ---- */
/* The i-th model: the table of twin/models.c, then those added at run time; NULL past the end.
 * Generic code iterates with this, never tw_models[] directly. */
const tw_model *tw_model_at(unsigned i);
/* Add a model at run time (unit tests: a model without some port; up to 4). */
int tw_model_register(const tw_model *m);
const tw_model *tw_model_find(const char *name);  /* by model name ("stm32f4") */
const tw_model *tw_model_by_magic(const uint8_t magic[8]);
/* The model that has the variant `chip` (case-insensitive); NULL if none. */
const tw_model *tw_model_of_variant(const char *chip, tw_variant_info *info);
/* FK_E_USAGE "unknown chip" listing every variant of every model. */
int tw_chip_unknown(fk_ctx *ctx, const char *chip);

/* ---- life cycle ---- */
/* Factory state of variant `chip` of whichever model has it (no file yet). */
int tw_chip_create(fk_ctx *ctx, const char *chip, tw_chip **out);
/* Parse a state image (magic dispatch). name: for messages. */
int tw_chip_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
			tw_chip **out);
/* Read PATH without locking it (`show` while a server holds it). */
int tw_chip_load(fk_ctx *ctx, const char *path, tw_chip **out);
/* Lock PATH (FK_E_BUSY "twin busy" when held) and load it. */
int tw_chip_open(fk_ctx *ctx, const char *path, tw_chip **out);
/* tw_chip_open for a connection (twin:PATH, twin-uart:PATH, ...): a state file that cannot be
 * opened is the twin being unreachable, FK_E_CONNECT (exit 3), as a serial port that cannot be
 * opened is (issue 13 class 19: one exit code per kind of failure across schemes). */
int tw_chip_connect(fk_ctx *ctx, const char *path, tw_chip **out);
/* Take the lock of PATH for a created chip; tw_chip_close then saves there. */
int tw_chip_attach_path(tw_chip *c, fk_ctx *ctx, const char *path);
/* Save if changed (durable), unlock, free. ctx may be NULL (errors dropped). */
int tw_chip_close(tw_chip *c, fk_ctx *ctx);
void tw_chip_free(tw_chip *c); /* no save; unlocks */
int tw_chip_sync(tw_chip *c, fk_ctx *ctx);      /* save now if changed (durable) */
int tw_chip_sync_fast(tw_chip *c, fk_ctx *ctx); /* the same without fsync (servers) */
/* The whole image tw_chip_close would write (caller frees). */
int tw_chip_save_buffer(const tw_chip *c, uint8_t **buf, size_t *len);
/* Wrap an instance of `model` the caller created with the model's own API (tests, benchmarks,
 * a model's own unit tests). The chip takes ownership of m. */
tw_chip *tw_chip_wrap(const tw_model *model, void *m);
/* The same without taking ownership: freeing the tw_chip leaves m to the caller. */
tw_chip *tw_chip_borrow(const tw_model *model, void *m);

/* ---- facts ---- */
const tw_model *tw_chip_model(const tw_chip *c);
void *tw_chip_impl(const tw_chip *c); /* the model's instance */
const char *tw_chip_path(const tw_chip *c); /* NULL when no file is attached */
const char *tw_chip_variant(const tw_chip *c);
bool tw_chip_dirty(const tw_chip *c);

/* ---- clock, power, pins (the model's, through the table) ---- */
uint64_t tw_chip_now_ns(const tw_chip *c);
void tw_chip_advance(tw_chip *c, uint64_t ns);
bool tw_chip_busy(const tw_chip *c);
/* Complete the operation in progress, if any (advance to its end). */
void tw_chip_finish_busy(tw_chip *c);
uint64_t tw_chip_busy_until_ns(const tw_chip *c);
void tw_chip_reset(tw_chip *c, tw_reset kind);
bool tw_chip_powered(const tw_chip *c);
void tw_chip_power_off(tw_chip *c);
void tw_chip_power_on(tw_chip *c);
void tw_chip_set_nrst(tw_chip *c, bool asserted);
bool tw_chip_nrst(const tw_chip *c);
int tw_chip_voltage_mv(const tw_chip *c);

/* ---- ports ---- */
/* The port, or NULL with FK_E_UNSUPPORTED in ctx (ctx may be NULL): "the twin PATH (stm32f4x,
 * model M) offers no debug port (DAP); its ports: ...". `who` names the user for the message
 * ("twin-swd:", "--jtag-bitbang"). */
const tw_dap_port *tw_chip_dap(const tw_chip *c, fk_ctx *ctx, const char *who);
const tw_stream_port *tw_chip_stream(const tw_chip *c, fk_ctx *ctx, const char *who,
				     const char *protocol);
const tw_spi_port *tw_chip_spi(const tw_chip *c, fk_ctx *ctx, const char *who);
/* "dap, stream an3155, spi" (what the chip offers), for messages and `show`. */
void tw_chip_ports_text(const tw_chip *c, char *buf, size_t n);

/* DAP access with the stall waited out (advance to the end of the flash operation and retry, as
 * the AHB does for a stalled master): the in-process paths. */
tw_status tw_chip_dap_read_wait(tw_chip *c, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_chip_dap_write_wait(tw_chip *c, uint32_t addr, unsigned size, uint32_t val);

#endif
