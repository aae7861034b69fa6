/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR twin: the state file. The whole chip (array, security registers, current and
 * non-volatile status registers, block locks, WEL, /WP pin, operation in progress, virtual
 * time) saved atomically (temp file + fsync + rename), CRC-checked and validated on load.
 *
 * Layout (little-endian): magic "FKTWSPI\n", u32 version, char part[16], u32 array bytes,
 * u32 payload bytes, u32 payload CRC-32, then the payload written by tw_state_fields() (one
 * field list for both directions). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spinor/spinor_int.h"

#define TW_STATE_MAGIC "FKTWSPI\n"
#define TW_STATE_VERSION 1U
#define TW_STATE_HDR 40U

typedef struct tw_ser {
	uint8_t *buf; /* NULL while counting */
	size_t len, pos;
	bool rd;
	const char *bad;
} tw_ser;

static void ser_raw(tw_ser *s, void *p, size_t n, const char *what)
{
	if (s->bad)
		return;
	if (s->rd) {
		if (s->pos + n > s->len) {
			s->bad = what;
			return;
		}
		memcpy(p, s->buf + s->pos, n);
	} else if (s->buf) {
		memcpy(s->buf + s->pos, p, n);
	}
	s->pos += n;
}

static void ser_u64(tw_ser *s, uint64_t *v, const char *what)
{
	uint8_t b[8];
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(*v >> (8 * i));
	ser_raw(s, b, 8, what);
	if (s->rd && !s->bad) {
		*v = 0;
		for (unsigned i = 0; i < 8; i++)
			*v |= (uint64_t)b[i] << (8 * i);
	}
}

static void ser_u32(tw_ser *s, uint32_t *v, const char *what)
{
	uint64_t x = *v;
	ser_u64(s, &x, what);
	if (s->rd && !s->bad) {
		if (x > UINT32_MAX)
			s->bad = what;
		*v = (uint32_t)x;
	}
}

static void ser_bool(tw_ser *s, bool *v, const char *what)
{
	uint8_t b = *v ? 1 : 0;
	ser_raw(s, &b, 1, what);
	if (s->rd && !s->bad) {
		if (b > 1)
			s->bad = what;
		*v = b != 0;
	}
}

static void tw_state_fields(tw_ser *s, tw_spinor *c)
{
	ser_raw(s, c->mem, c->p->size, "array");
	ser_raw(s, c->secreg, sizeof c->secreg, "security registers");
	ser_raw(s, c->cur, SPINOR_NREGS, "status registers");
	ser_raw(s, c->nv, SPINOR_NREGS, "non-volatile status registers");
	ser_raw(s, c->locks, sizeof c->locks, "block locks");
	ser_raw(s, c->uid, sizeof c->uid, "unique ID");
	ser_raw(s, &c->scur, 1, "security status");
	ser_bool(s, &c->wel, "WEL");
	ser_bool(s, &c->wp_high, "/WP");
	ser_bool(s, &c->sr_otp, "SR OTP lock");
	ser_bool(s, &c->powered_down, "power-down");
	ser_bool(s, &c->in_otp, "secured OTP mode");
	ser_u64(s, &c->now_ns, "clock");
	ser_raw(s, &c->op.kind, 1, "operation");
	ser_u32(s, &c->op.addr, "operation address");
	ser_u32(s, &c->op.len, "operation length");
	ser_u64(s, &c->op.start_ns, "operation start");
	ser_u64(s, &c->op.end_ns, "operation end");
	ser_raw(s, c->op.regs, SPINOR_NREGS, "operation registers");
	ser_raw(s, &c->op.regmask, 1, "operation register mask");
	ser_raw(s, c->op.data, sizeof c->op.data, "operation data");
	ser_raw(s, c->op.mask, sizeof c->op.mask, "operation mask");
	uint32_t *st = &c->st.ignored_protected;
	const char *names[] = {"stats"};
	for (unsigned i = 0; i < sizeof c->st / sizeof(uint32_t); i++)
		ser_u32(s, &st[i], names[0]);
}

/* The loaded operation must be one the machine could have started. */
static const char *tw_state_check(const tw_spinor *c)
{
	const tw_spinor_op *o = &c->op;
	if (o->kind >= TW_SPINOR_OP_KINDS)
		return "operation kind";
	if (o->end_ns < o->start_ns)
		return "operation times";
	if (o->regmask > 7)
		return "operation register mask";
	switch (o->kind) {
	case TW_SPINOR_OP_PROGRAM:
		if (o->addr % SPINOR_PAGE || o->addr >= c->p->size)
			return "operation address";
		break;
	case TW_SPINOR_OP_ERASE:
		if (o->addr >= c->p->size || o->len > c->p->size - o->addr)
			return "operation range";
		break;
	case TW_SPINOR_OP_SEC_PROG:
	case TW_SPINOR_OP_SEC_ERASE:
		if (o->addr >= sizeof c->secreg || o->len > sizeof c->secreg - o->addr ||
		    (o->kind == TW_SPINOR_OP_SEC_PROG && o->addr + SPINOR_PAGE > sizeof c->secreg))
			return "operation range";
		break;
	default:
		break;
	}
	return NULL;
}

int tw_spinor_load_buf(fk_ctx *ctx, const uint8_t *buf, size_t n, tw_spinor **out)
{
	if (n < TW_STATE_HDR || memcmp(buf, TW_STATE_MAGIC, 8) != 0)
		return fk_fail(ctx, FK_E_BAD_FILE, "not a SPI NOR twin state file (no %s magic)",
			       "FKTWSPI");
	uint32_t ver = (uint32_t)buf[8] | (uint32_t)buf[9] << 8 | (uint32_t)buf[10] << 16 |
		       (uint32_t)buf[11] << 24;
	if (ver != TW_STATE_VERSION)
		return fk_fail(ctx, FK_E_BAD_FILE, "SPI NOR state file version %u, expected %u",
			       ver, TW_STATE_VERSION);
	char part[17];
	memcpy(part, buf + 12, 16);
	part[16] = 0;
	const spinor_part *p = spinor_part_by_key(part);
	if (!p)
		return fk_fail(ctx, FK_E_BAD_FILE, "state file names unknown part \"%.16s\"", part);
	uint32_t h[3];
	for (unsigned k = 0; k < 3; k++)
		h[k] = (uint32_t)buf[28 + 4 * k] | (uint32_t)buf[29 + 4 * k] << 8 |
		       (uint32_t)buf[30 + 4 * k] << 16 | (uint32_t)buf[31 + 4 * k] << 24;
	if (h[0] != p->size)
		return fk_fail(ctx, FK_E_BAD_FILE, "state file array is %u bytes, %s has %u", h[0],
			       p->key, p->size);
	if (h[1] != n - TW_STATE_HDR)
		return fk_fail(ctx, FK_E_BAD_FILE, "state file payload is %zu bytes, header says %u "
						   "(truncated?)", n - TW_STATE_HDR, h[1]);
	if (fk_crc32(0, buf + TW_STATE_HDR, h[1]) != h[2])
		return fk_fail(ctx, FK_E_BAD_FILE, "state file payload CRC mismatch (corrupted)");
	tw_spinor *c;
	int rc = tw_spinor_alloc(ctx, p, &c);
	if (rc)
		return rc;
	tw_ser s = {.buf = (uint8_t *)(uintptr_t)(buf + TW_STATE_HDR), .len = h[1], .rd = true};
	tw_state_fields(&s, c);
	const char *bad = s.bad ? s.bad : (s.pos != s.len ? "trailing bytes" : tw_state_check(c));
	if (bad) {
		tw_spinor_free(c);
		return fk_fail(ctx, FK_E_BAD_FILE, "state file field \"%s\" is invalid", bad);
	}
	*out = c;
	return 0;
}

int tw_spinor_load(fk_ctx *ctx, const char *path, tw_spinor **out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fk_fail(ctx, FK_E_IO, "cannot open twin state %s: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || sb.st_size > (64 << 20)) {
		fclose(f);
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a regular file of a twin state's size",
			       path);
	}
	size_t n = (size_t)sb.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		free(buf);
		fclose(f);
		return fk_fail(ctx, FK_E_IO, "cannot read twin state %s", path);
	}
	fclose(f);
	int rc = tw_spinor_load_buf(ctx, buf, n, out);
	free(buf);
	return rc ? fk_fail_wrap(ctx, rc, "loading %s", path) : 0;
}

bool tw_spinor_is_state(const char *path)
{
	char m[8];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	bool ok = fread(m, 1, 8, f) == 8 && memcmp(m, TW_STATE_MAGIC, 8) == 0;
	fclose(f);
	return ok;
}

static void put32(uint8_t *b, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

int tw_spinor_save_buf(const tw_spinor *cc, uint8_t **out, size_t *len)
{
	tw_spinor *c = (tw_spinor *)(uintptr_t)cc; /* the serializer reads only when saving */
	tw_ser s = {0};
	tw_state_fields(&s, c);
	size_t n = TW_STATE_HDR + s.pos;
	uint8_t *buf = calloc(1, n);
	if (!buf)
		return FK_E_NOMEM;
	s = (tw_ser){.buf = buf + TW_STATE_HDR, .len = n - TW_STATE_HDR};
	tw_state_fields(&s, c);
	memcpy(buf, TW_STATE_MAGIC, 8);
	put32(buf + 8, TW_STATE_VERSION);
	fk_strlcpy((char *)buf + 12, c->p->key, 16);
	put32(buf + 28, c->p->size);
	put32(buf + 32, (uint32_t)(n - TW_STATE_HDR));
	put32(buf + 36, fk_crc32(0, buf + TW_STATE_HDR, n - TW_STATE_HDR));
	*out = buf;
	*len = n;
	return FK_OK;
}

int tw_spinor_save(fk_ctx *ctx, const tw_spinor *c, const char *path)
{
	uint8_t *buf;
	size_t n;
	if (tw_spinor_save_buf(c, &buf, &n))
		return fk_fail(ctx, FK_E_NOMEM, "no memory to save %s", path);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok = fd >= 0 && write(fd, buf, n) == (ssize_t)n && fsync(fd) == 0;
	if (fd >= 0)
		ok = close(fd) == 0 && ok;
	free(buf);
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return fk_fail(ctx, FK_E_IO, "cannot save twin state %s: %s", path, strerror(e));
	}
	return 0;
}
