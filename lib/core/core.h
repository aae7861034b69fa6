/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/core internals shared by every layer: the context structure, byte-order helpers and small
 * utilities. Public declarations live in include/flashkey/core.h. */
#ifndef FK_CORE_CORE_H
#define FK_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flashkey/backend.h"
#include "flashkey/core.h"

#define FK_CHAIN_FRAMES 8
#define FK_FRAME_LEN 200

struct fk_ctx {
	int error;
	unsigned depth;                             /* frames in use */
	char frames[FK_CHAIN_FRAMES][FK_FRAME_LEN]; /* [0] = innermost */
	char hint[256];
	fk_log_fn log_fn;
	void *log_user;
	fk_log_level log_max;
	unsigned trace;
	fk_progress_fn progress_fn;
	void *progress_user;
	fk_stop_fn stop_fn; /* fk_stop_requested */
	void *stop_user;
	unsigned stop_hold; /* fk_stop_hold depth */
	const char *span_phase; /* fk_progress_span: NULL when none */
	uint64_t span_base, span_len, span_total;
};

/* A failure that a caller expects and handles (a NACK that means "read protection") is dropped
 * by putting back the error state saved before it, so that a failure recorded earlier in the
 * same context (the one the user must see) survives: save with `fk_ctx saved = *ctx;`. */
static inline void fk_ctx_restore_error(fk_ctx *ctx, const fk_ctx *saved)
{
	ctx->error = saved->error;
	ctx->depth = saved->depth;
	memcpy(ctx->frames, saved->frames, sizeof ctx->frames);
	memcpy(ctx->hint, saved->hint, sizeof ctx->hint);
}

#define FK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FK_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline uint16_t fk_get_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t fk_get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint16_t fk_get_be16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)((b[0] << 8) | b[1]);
}
static inline uint32_t fk_get_be32(const void *p)
{
	const uint8_t *b = p;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}
static inline void fk_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void fk_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}
static inline void fk_put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}
static inline void fk_put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* True when trace messages of this category would be delivered (avoid formatting otherwise). */
static inline bool fk_tracing(const fk_ctx *ctx, unsigned category)
{
	return ctx && ctx->log_fn && ctx->log_max >= FK_LOG_TRACE && (ctx->trace & category);
}


#endif
