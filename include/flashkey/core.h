/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey core public API: the diagnostic context (cause chain, hint, log and progress
 * callbacks), CRC32 and version. The library never prints; everything it has to say travels
 * through this context. */
#ifndef FLASHKEY_CORE_H
#define FLASHKEY_CORE_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/errors.h"

#ifdef __GNUC__
#define FK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FK_PRINTF(a, b)
#endif

typedef struct fk_ctx fk_ctx;

/* Enough for a full cause chain (8 frames) as one line. */
#define FK_CHAIN_MSG_MAX 1700

typedef enum fk_log_level {
	FK_LOG_ERROR = 0,
	FK_LOG_WARN = 1,
	FK_LOG_INFO = 2,
	FK_LOG_DEBUG = 3,
	FK_LOG_TRACE = 4, /* only emitted for categories enabled with fk_ctx_set_trace() */
} fk_log_level;

/* Trace categories, one per layer (--trace=link,dap,adi,...). */
#define FK_TRACE_TABLE(X)      \
	X(LINK, "link", 0)     \
	X(USB, "usb", 1)       \
	X(DAP, "dap", 2)       \
	X(ADI, "adi", 3)       \
	X(CORTEXM, "cortexm", 4) \
	X(BOOT, "boot", 5)     \
	X(FLASH, "flash", 6)   \
	X(CHIP, "chip", 7)     \
	X(PLAN, "plan", 8)     \
	X(IMAGE, "image", 9)   \
	X(TWIN, "twin", 10)    \
	X(DOCTOR, "doctor", 11)

enum fk_trace_category {
#define FK_X_TRACE(sym, name, bit) FK_TRACE_##sym = (1u << (bit)),
	FK_TRACE_TABLE(FK_X_TRACE)
#undef FK_X_TRACE
};
#define FK_TRACE_ALL 0xFFFFFFFFu

typedef void (*fk_log_fn)(void *user, fk_log_level level, unsigned category, const char *msg);
/* A progress event: phase ("erase", "program", "verify", "read", "backup"...), done of total
 * units (bytes unless the phase says otherwise). done == total ends the phase. */
typedef void (*fk_progress_fn)(void *user, const char *phase, uint64_t done, uint64_t total);

fk_ctx *fk_ctx_new(void);
void fk_ctx_free(fk_ctx *ctx);
void fk_ctx_set_log(fk_ctx *ctx, fk_log_fn fn, void *user, fk_log_level max_level);
void fk_ctx_set_trace(fk_ctx *ctx, unsigned categories);
/* Parses "link,dap,adi" or "all" into a category mask; -1 (and *bad set to the offending word)
 * on an unknown name. */
int fk_trace_parse(const char *list, unsigned *mask, const char **bad);
const char *fk_trace_name(unsigned category);
void fk_ctx_set_progress(fk_ctx *ctx, fk_progress_fn fn, void *user);
/* Has the user asked us to stop (the CLI: SIGINT or SIGTERM)? The library asks only at safe
 * points — between the pieces of a read or verification, after the backup and before an erase
 * starts, between the steps of an unlock plan — and then fails with FK_E_INTERRUPTED saying what
 * was done and what the chip holds. An erase or program that has started is finished (a half-
 * done write would leave erased sectors blank) and verified. NULL fn: never asked to stop. */
typedef bool (*fk_stop_fn)(void *user);
void fk_ctx_set_stop(fk_ctx *ctx, fk_stop_fn fn, void *user);
bool fk_stop_requested(const fk_ctx *ctx);
/* A stretch that must not stop halfway (a write between its erase and the end of its
 * programming, an unlock step, an option or OTP write): fk_stop_requested answers false until
 * the matching release, whatever the layers below ask (a busy-flag wait, say). Nests. */
void fk_stop_hold(fk_ctx *ctx);
void fk_stop_release(fk_ctx *ctx);

/* The cause chain. fk_fail() starts a new chain with the innermost cause and returns code;
 * fk_fail_wrap() adds an outer frame giving context ("writing sector 5 at 0x08020000") and
 * returns code. The message reads outermost first: "writing sector 5 at 0x08020000:
 * FLASH_SR.WRPERR: sector 5 is write-protected (nWRP5=0)". */
int fk_fail(fk_ctx *ctx, int code, const char *fmt, ...) FK_PRINTF(3, 4);
int fk_fail_wrap(fk_ctx *ctx, int code, const char *fmt, ...) FK_PRINTF(3, 4);
/* The next step for the user ("run `flashkey unlock --upto wrp`"); kept until fk_ctx_clear. */
void fk_hint(fk_ctx *ctx, const char *fmt, ...) FK_PRINTF(2, 3);
void fk_ctx_clear(fk_ctx *ctx);
int fk_ctx_error(const fk_ctx *ctx); /* code of the last failure, FK_OK if none */
/* Writes the chain into buf (always NUL-terminated); returns buf. Empty when no failure. */
const char *fk_ctx_message(const fk_ctx *ctx, char *buf, size_t size);
const char *fk_ctx_hint(const fk_ctx *ctx); /* "" when none */
unsigned fk_ctx_depth(const fk_ctx *ctx);
const char *fk_ctx_frame(const fk_ctx *ctx, unsigned i); /* 0 = outermost */

void fk_log(fk_ctx *ctx, fk_log_level level, unsigned category, const char *fmt, ...)
	FK_PRINTF(4, 5);
void fk_progress(fk_ctx *ctx, const char *phase, uint64_t done, uint64_t total);
/* One piece of a larger job: until fk_progress_span_end, the events of `phase` that the layers
 * below send about their own part (done of their own total, in their own units: bytes, pages,
 * sectors) are passed on as base + done / their total * len of the whole job's total, so a bar
 * shows the whole job instead of starting again for each sector or block (issue 13 class 20).
 * total 0 mutes the phase (a read that only checks, say). */
void fk_progress_span(fk_ctx *ctx, const char *phase, uint64_t base, uint64_t len,
		      uint64_t total);
void fk_progress_span_end(fk_ctx *ctx);
/* Progress of a part (a protocol client's block loop): shown only inside a span of the same
 * phase, as that span's share of the job; dropped otherwise (a 16-byte option read draws no
 * bar). */
void fk_progress_part(fk_ctx *ctx, const char *phase, uint64_t done, uint64_t total);

/* CRC-32 (IEEE 802.3, reflected, as zlib): fk_crc32(0, buf, n) for a fresh CRC. */
uint32_t fk_crc32(uint32_t crc, const void *buf, size_t len);

const char *fk_version(void);

/* Bounded string helpers: always NUL-terminate, never overflow (no strcpy/sprintf here). */
size_t fk_strlcpy(char *dst, const char *src, size_t size);
int fk_snprintf_cat(char *dst, size_t size, const char *fmt, ...) FK_PRINTF(3, 4);
/* Parse a whole unsigned number: "0x"/"0X" + hex digits, or decimal digits (leading zeros stay
 * decimal: "012" is 12, never octal); -1 on junk, sign, space, empty or overflow. */
int fk_parse_u32(const char *s, uint32_t *out);
int fk_parse_u64(const char *s, uint64_t *out);
/* [off, off + len) lies within [0, limit), computed without wrapping: every "addr + len" and
 * "off + len" bound check goes through it (issue 13 class 14: `otp write 3 00 --offset
 * 4294967295` wrapped to 0 and crashed). A span that ends exactly at limit fits. */
bool fk_span_ok(uint64_t off, uint64_t len, uint64_t limit);
/* Every 32-bit address: [addr, addr + len) must not run past 0xFFFFFFFF. */
#define FK_ADDR_SPACE 0x100000000ULL

#endif
