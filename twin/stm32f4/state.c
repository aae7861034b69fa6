/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin: the state file — the whole chip (memories, registers, option bytes, virtual
 * time, intrusion latch, operation in progress, armed faults) saved atomically (temp file +
 * fsync + rename), versioned, CRC-checked and validated field by field on load; and the
 * exclusive lock that makes a second user of the same file fail with "twin busy".
 *
 * Layout (little-endian): a 64-byte header {magic "FKTWF4\r\n", u32 version, u32 header size,
 * char variant[24], u32 flash bytes, u32 SRAM bytes, u32 payload size, u32 payload CRC-32,
 * u32 header CRC-32 over the preceding bytes, 4 bytes zero} then the payload written by
 * f4_state_fields() (one field list for both directions).
 *
 * The lock and the save are twin/statefile.c's: an flock(2) on the state file's own inode,
 * handed over to the new inode before each save's rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stm32f4/f4_int.h"

#define F4_STATE_MAGIC "FKTWF4\r\n"
#define F4_STATE_VERSION 4U /* 2: VPP flag, weak operations; 3: key mode; 4: weak cells */
#define F4_STATE_OLDEST 3U /* still loaded: version 3 (no weak cells) */
#define F4_STATE_HDR 64U
#define F4_STATE_MAX (64U * 1024U * 1024U)

typedef struct f4_ser {
	uint8_t *buf; /* NULL while counting */
	size_t len, pos;
	bool rd;
	unsigned version; /* of the image read (F4_STATE_VERSION when writing) */
	const char *bad; /* first field that failed validation */
} f4_ser;

static void ser_raw(f4_ser *s, void *p, size_t n, const char *what)
{
	if (s->bad)
		return;
	if (n > s->len - s->pos) {
		s->bad = what;
		return;
	}
	if (s->rd)
		memcpy(p, s->buf + s->pos, n);
	else if (s->buf)
		memcpy(s->buf + s->pos, p, n);
	s->pos += n;
}

static void ser_uint(f4_ser *s, void *p, unsigned bytes, uint64_t max, const char *what)
{
	uint8_t b[8] = {0};
	uint64_t v = 0;
	if (!s->rd) {
		v = bytes == 1 ? *(uint8_t *)p : bytes == 4 ? *(uint32_t *)p : *(uint64_t *)p;
		for (unsigned i = 0; i < bytes; i++)
			b[i] = (uint8_t)(v >> (8 * i));
	}
	ser_raw(s, b, bytes, what);
	if (!s->rd || s->bad)
		return;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	if (v > max) {
		s->bad = what;
		return;
	}
	if (bytes == 1)
		*(uint8_t *)p = (uint8_t)v;
	else if (bytes == 4)
		*(uint32_t *)p = (uint32_t)v;
	else
		*(uint64_t *)p = v;
}

static void ser_u8(f4_ser *s, uint8_t *p, uint8_t max, const char *what)
{
	ser_uint(s, p, 1, max, what);
}
static void ser_u32(f4_ser *s, uint32_t *p, const char *what)
{
	ser_uint(s, p, 4, UINT32_MAX, what);
}
static void ser_u64(f4_ser *s, uint64_t *p, const char *what)
{
	ser_uint(s, p, 8, UINT64_MAX, what);
}
static void ser_bool(f4_ser *s, bool *p, const char *what)
{
	uint8_t v = *p ? 1 : 0;
	ser_u8(s, &v, 1, what);
	*p = v != 0;
}

static void f4_state_regs(f4_ser *s, tw_f4 *t)
{
	ser_u32(s, &t->ob[0], "option bytes (bank 1)");
	ser_u32(s, &t->ob[1], "option bytes (bank 2)");
	ser_u32(s, &t->acr, "FLASH_ACR");
	ser_u32(s, &t->sr, "FLASH_SR");
	ser_u32(s, &t->cr, "FLASH_CR");
	ser_u32(s, &t->optcr, "FLASH_OPTCR");
	ser_u32(s, &t->optcr1, "FLASH_OPTCR1");
	ser_u8(s, &t->key_stage, 1, "KEYR sequence stage");
	ser_u8(s, &t->optkey_stage, 1, "OPTKEYR sequence stage");
	ser_bool(s, &t->cr_lockout, "FLASH_CR lockout");
	ser_bool(s, &t->opt_lockout, "FLASH_OPTCR lockout");
	ser_u32(s, &t->dbgmcu_cr, "DBGMCU_CR");
	ser_u32(s, &t->dbgmcu_apb1fz, "DBGMCU_APB1_FZ");
	ser_u32(s, &t->dbgmcu_apb2fz, "DBGMCU_APB2_FZ");
	for (unsigned i = 0; i < F4_SCS_WORDS; i++)
		ser_u32(s, &t->scs[i], "SCS registers");
	ser_bool(s, &t->x64_pending, "x64 pending flag");
	ser_u32(s, &t->x64_addr, "x64 address");
	ser_u32(s, &t->x64_lo, "x64 low word");
}

static void f4_state_cond(f4_ser *s, tw_f4 *t)
{
	uint8_t b = (uint8_t)t->boot_pins, be = (uint8_t)t->boot_eff;
	ser_u8(s, &t->rdp_eff, 0xFF, "effective RDP");
	ser_bool(s, &t->intrusion, "intrusion latch");
	ser_bool(s, &t->powered, "power flag");
	ser_bool(s, &t->nrst, "NRST pin");
	ser_bool(s, &t->swd_repurposed, "SWD-pins flag");
	ser_bool(s, &t->timing_max, "timing flag");
	ser_bool(s, &t->hw_wdg_aborts, "watchdog flag");
	ser_bool(s, &t->vpp, "VPP flag");
	ser_bool(s, &t->lenient_keys, "key-mode flag");
	ser_u8(s, &b, TW_BOOT_SRAM, "boot pins");
	ser_u8(s, &be, TW_BOOT_SRAM, "effective boot mode");
	t->boot_pins = (tw_boot)b;
	t->boot_eff = (tw_boot)be;
	ser_u32(s, &t->voltage_mv, "supply voltage");
	ser_u64(s, &t->now_ns, "virtual time");
	ser_u64(s, &t->fault_ns, "power-cut time");
	ser_u64(s, &t->wdg_ns, "watchdog time");
	ser_u32(s, &t->fault_op, "power-cut operation");
	ser_u32(s, &t->ops, "operation count");
}

static void f4_state_op(f4_ser *s, tw_f4 *t)
{
	uint8_t k = (uint8_t)t->op.kind;
	ser_u8(s, &k, F4_OP_OPTIONS, "operation kind");
	t->op.kind = (f4_op_kind)k;
	ser_u64(s, &t->op.start_ns, "operation start");
	ser_u64(s, &t->op.end_ns, "operation end");
	ser_u32(s, &t->op.addr, "operation address");
	ser_u32(s, &t->op.len, "operation length");
	ser_raw(s, t->op.data, sizeof t->op.data, "operation data");
	ser_u32(s, &t->op.new_opt[0], "pending options (bank 1)");
	ser_u32(s, &t->op.new_opt[1], "pending options (bank 2)");
	ser_bool(s, &t->op.regress, "regression flag");
	ser_u32(s, &t->op.erase_mask, "erase bank mask");
	ser_u64(s, &t->op.erase_ns, "regression erase time");
	ser_raw(s, t->op.old_ob, sizeof t->op.old_ob, "previous option bytes");
	ser_bool(s, &t->op.weak, "weak-operation flag");
}

static void f4_state_fields(f4_ser *s, tw_f4 *t)
{
	f4_state_regs(s, t);
	f4_state_cond(s, t);
	f4_state_op(s, t);
	ser_raw(s, t->uid, sizeof t->uid, "unique ID");
	ser_raw(s, t->otp, sizeof t->otp, "OTP");
	ser_raw(s, t->bkpsram, sizeof t->bkpsram, "backup SRAM");
	ser_raw(s, t->flash, tw_f4_variant_flash_bytes(t->v), "flash");
	ser_raw(s, t->sram, t->v->sram_kib * 1024U, "SRAM");
	if (s->version < 4)
		return; /* version 3: no weak cells (upgraded on the next save) */
	ser_uint(s, &t->nweak, 4, F4_WEAK_MAX, "weak-cell count");
	for (uint32_t i = 0; i < t->nweak && !s->bad; i++) {
		ser_u32(s, &t->weak[i].addr, "weak-cell address");
		ser_u32(s, &t->weak[i].len, "weak-cell length");
		ser_u8(s, &t->weak[i].erase, 1, "weak-cell kind");
		ser_u64(s, &t->weak[i].until_ns, "weak-cell deadline");
	}
}

/* Cross-field checks a CRC cannot catch (a hand-edited or foreign-but-valid file). */
static const char *f4_state_check(const tw_f4 *t)
{
	uint32_t fsize = tw_f4_variant_flash_bytes(t->v);
	const f4_op *op = &t->op;
	if (op->kind != F4_OP_NONE && op->end_ns < op->start_ns)
		return "operation ends before it starts";
	if (op->kind == F4_OP_PROGRAM && (op->len == 0 || op->len > sizeof op->data))
		return "operation length";
	if (op->kind == F4_OP_ERASE && op->erase_mask > 3U)
		return "erase bank mask";
	if (op->kind == F4_OP_ERASE && !op->erase_mask &&
	    (op->addr > fsize || op->len > fsize - op->addr))
		return "erase range outside flash";
	if (t->x64_pending && !F4_X64_ROW_OK(t->x64_addr))
		return "x64 address";
	for (uint32_t i = 0; i < t->nweak; i++) {
		const f4_weak *w = &t->weak[i];
		bool in_flash = w->addr >= F4_FLASH_BASE && w->addr - F4_FLASH_BASE <= fsize &&
				w->len <= fsize - (w->addr - F4_FLASH_BASE);
		bool in_otp = w->addr >= F4_OTP_BASE && w->addr - F4_OTP_BASE <= F4_OTP_SIZE &&
			      w->len <= F4_OTP_SIZE - (w->addr - F4_OTP_BASE);
		if (!w->len || (!in_flash && !in_otp))
			return "weak-cell range";
	}
	return NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static size_t f4_payload_size(tw_f4 *t)
{
	f4_ser s = {.buf = NULL, .len = SIZE_MAX, .version = F4_STATE_VERSION};
	f4_state_fields(&s, t);
	return s.pos;
}

static void f4_header(const tw_f4 *t, uint8_t *h, uint32_t plen, uint32_t pcrc)
{
	memset(h, 0, F4_STATE_HDR);
	memcpy(h, F4_STATE_MAGIC, 8);
	put32(h + 8, F4_STATE_VERSION);
	put32(h + 12, F4_STATE_HDR);
	fk_strlcpy((char *)h + 16, t->v->name, 24);
	put32(h + 40, tw_f4_variant_flash_bytes(t->v));
	put32(h + 44, t->v->sram_kib * 1024U);
	put32(h + 48, plen);
	put32(h + 52, pcrc);
	put32(h + 56, fk_crc32(0, h, 56));
}

/* Serialises the twin into a fresh buffer (header + payload). */
static uint8_t *f4_serialise(const tw_f4 *t, size_t *len)
{
	tw_f4 *m = (tw_f4 *)t; /* f4_state_fields reads only when !rd */
	size_t plen = f4_payload_size(m);
	uint8_t *buf = malloc(F4_STATE_HDR + plen);
	if (!buf)
		return NULL;
	f4_ser s = {.buf = buf + F4_STATE_HDR, .len = plen, .version = F4_STATE_VERSION};
	f4_state_fields(&s, m);
	f4_header(t, buf, (uint32_t)plen, fk_crc32(0, buf + F4_STATE_HDR, plen));
	*len = F4_STATE_HDR + plen;
	return buf;
}

int tw_f4_save_buffer(const tw_f4 *t, uint8_t **buf, size_t *len)
{
	*buf = f4_serialise(t, len);
	return *buf ? FK_OK : FK_E_NOMEM;
}

/* A state file written whole (tests, benchmarks, `new`): through the same lock and atomic save
 * as every twin (twin/statefile.c). */
int tw_f4_save(const tw_f4 *t, fk_ctx *ctx, const char *path)
{
	size_t len;
	uint8_t *buf = f4_serialise(t, &len);
	if (!buf)
		return fk_fail(ctx, FK_E_NOMEM, "saving twin state %s: out of memory", path);
	tw_statefile sf;
	int rc = tw_sf_attach(ctx, path, true, &sf);
	if (!rc)
		rc = tw_sf_save(ctx, &sf, buf, len, true);
	tw_sf_release(&sf);
	free(buf);
	return rc;
}

static int f4_bad(fk_ctx *ctx, const char *path, const char *why)
{
	fk_hint(ctx, "recreate it with `flashkey-twin new CHIP %s`", path);
	return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a valid STM32F4 twin state file: %s", path, why);
}

static int f4_parse_header(fk_ctx *ctx, const char *path, const uint8_t *b, size_t n,
			   const tw_f4_variant **v)
{
	if (n < F4_STATE_HDR || memcmp(b, F4_STATE_MAGIC, 8) != 0)
		return f4_bad(ctx, path, n < 8 ? "file too short" : "wrong magic (foreign file)");
	if (get32(b + 56) != fk_crc32(0, b, 56))
		return f4_bad(ctx, path, "header CRC mismatch (corrupt header)");
	if (get32(b + 8) < F4_STATE_OLDEST || get32(b + 8) > F4_STATE_VERSION) {
		fk_fail(ctx, FK_E_BAD_FILE, "%s: state file version %u, this build reads versions "
			"%u to %u", path, get32(b + 8), F4_STATE_OLDEST, F4_STATE_VERSION);
		return FK_E_BAD_FILE;
	}
	char name[25];
	memcpy(name, b + 16, 24);
	name[24] = '\0';
	*v = tw_f4_variant_find(name);
	if (!*v || get32(b + 12) != F4_STATE_HDR)
		return f4_bad(ctx, path, "unknown chip variant in header");
	if (get32(b + 40) != tw_f4_variant_flash_bytes(*v) || get32(b + 44) != (*v)->sram_kib * 1024U)
		return f4_bad(ctx, path, "memory sizes do not match the chip variant");
	if ((size_t)get32(b + 48) != n - F4_STATE_HDR)
		return f4_bad(ctx, path, "truncated or padded (payload size mismatch)");
	if (get32(b + 52) != fk_crc32(0, b + F4_STATE_HDR, n - F4_STATE_HDR))
		return f4_bad(ctx, path, "payload CRC mismatch (corrupt data)");
	return FK_OK;
}

/* Parses a complete state image; exported for the fuzz harness through tw_f4_load_buffer. */
int tw_f4_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *b, size_t n, tw_f4 **out)
{
	const tw_f4_variant *v = NULL;
	*out = NULL;
	int rc = f4_parse_header(ctx, name, b, n, &v);
	if (rc)
		return rc;
	tw_f4 *t = tw_f4_new(v);
	if (!t)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s: out of memory", name);
	f4_ser s = {.buf = (uint8_t *)b + F4_STATE_HDR, .len = n - F4_STATE_HDR, .rd = true,
		    .version = get32(b + 8)};
	f4_state_fields(&s, t);
	const char *why = s.bad ? s.bad : s.pos != s.len ? "trailing bytes" : f4_state_check(t);
	if (why) {
		tw_f4_free(t);
		char msg[160];
		snprintf(msg, sizeof msg, "bad field: %s", why);
		return f4_bad(ctx, name, msg);
	}
	t->dirty = false;
	*out = t;
	return FK_OK;
}

int tw_f4_load(fk_ctx *ctx, const char *path, tw_f4 **out)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fk_hint(ctx, "create one with `flashkey-twin new stm32f407 %s`", path);
		return fk_fail(ctx, errno == ENOENT ? FK_E_NOT_FOUND : FK_E_IO,
			       "cannot open twin state %s: %s", path, strerror(errno));
	}
	uint8_t *buf = malloc(F4_STATE_MAX + 1U);
	size_t n = buf ? fread(buf, 1, F4_STATE_MAX + 1U, f) : 0;
	int err = ferror(f);
	fclose(f);
	if (!buf)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s: out of memory", path);
	int rc = err ? fk_fail(ctx, FK_E_IO, "cannot read twin state %s", path)
		 : n > F4_STATE_MAX ? f4_bad(ctx, path, "file too large")
				    : tw_f4_load_buffer(ctx, path, buf, n, out);
	free(buf);
	return rc;
}

/* Takes the exclusive lock for path (a file still to be created is allowed: the first sync
 * creates it, locked) and makes t the owner of that file. */
int tw_f4_attach_path(tw_f4 *t, fk_ctx *ctx, const char *path)
{
	if (t->sf.path)
		return fk_fail(ctx, FK_E_INVALID_ARG, "twin already attached to %s", t->sf.path);
	return tw_sf_attach(ctx, path, true, &t->sf);
}

int tw_f4_open(fk_ctx *ctx, const char *path, tw_f4 **out)
{
	*out = NULL;
	tw_statefile sf;
	uint8_t *buf;
	size_t n;
	int rc = tw_sf_open_read(ctx, path, F4_STATE_MAX, &sf, &buf, &n);
	if (rc)
		return rc;
	rc = tw_f4_load_buffer(ctx, path, buf, n, out);
	free(buf);
	if (rc)
		tw_sf_release(&sf);
	else
		(*out)->sf = sf;
	return rc;
}

static int f4_sync(tw_f4 *t, fk_ctx *ctx, bool durable)
{
	if (!t->sf.path)
		return fk_fail(ctx, FK_E_INVALID_ARG, "twin has no state file to sync to");
	if (!t->dirty)
		return FK_OK;
	size_t len;
	uint8_t *buf = f4_serialise(t, &len);
	if (!buf)
		return fk_fail(ctx, FK_E_NOMEM, "saving twin state %s: out of memory", t->sf.path);
	int rc = tw_sf_save(ctx, &t->sf, buf, len, durable);
	free(buf);
	if (rc == FK_OK)
		t->dirty = false;
	return rc;
}

int tw_f4_sync(tw_f4 *t, fk_ctx *ctx)
{
	return f4_sync(t, ctx, true);
}

int tw_f4_sync_fast(tw_f4 *t, fk_ctx *ctx)
{
	return f4_sync(t, ctx, false);
}

int tw_f4_close(tw_f4 *t, fk_ctx *ctx)
{
	if (!t)
		return FK_OK;
	int rc = t->sf.path ? tw_f4_sync(t, ctx) : FK_OK;
	tw_f4_free(t);
	return rc;
}
