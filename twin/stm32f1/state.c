/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 twin: the state image (what a state file holds). Little-endian, versioned:
 *   magic "FKTWFPEC" (8), u32 version, u32 total length, char variant[24] (NUL-padded),
 *   then the fields in the order f1_state_fields() visits them, then flash and SRAM.
 * Loading validates everything (magic, version, length, variant, enums, the operation in
 * progress) and says what is wrong and where; it never trusts the file. */
#include <stdlib.h>
#include <string.h>

#include "stm32f1/f1_int.h"

#define F1_STATE_MAGIC "FKTWFPEC"
#define F1_STATE_VERSION 1U
#define F1_STATE_NAME 24U
#define F1_STATE_HEAD (8U + 4U + 4U + F1_STATE_NAME)

/* A cursor that writes (buf != NULL, out mode) or reads the same sequence of fields. */
typedef struct f1_cur {
	uint8_t *buf;
	const uint8_t *in;
	size_t pos, len;
	bool bad;
} f1_cur;

static void f1_bytes(f1_cur *c, void *p, size_t n)
{
	if (c->pos + n > c->len || c->pos + n < c->pos) {
		c->bad = true;
		return;
	}
	if (c->buf)
		memcpy(c->buf + c->pos, p, n);
	else
		memcpy(p, c->in + c->pos, n);
	c->pos += n;
}

static void f1_u64(f1_cur *c, uint64_t *v)
{
	uint8_t b[8];
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(*v >> (8 * i));
	f1_bytes(c, b, 8);
	if (!c->buf && !c->bad) {
		*v = 0;
		for (unsigned i = 0; i < 8; i++)
			*v |= (uint64_t)b[i] << (8 * i);
	}
}

static void f1_u32(f1_cur *c, uint32_t *v)
{
	uint64_t w = *v;
	f1_u64(c, &w);
	if (w > UINT32_MAX)
		c->bad = true;
	*v = (uint32_t)w;
}

static void f1_flag(f1_cur *c, bool *v)
{
	uint8_t b = *v ? 1 : 0;
	f1_bytes(c, &b, 1);
	if (b > 1)
		c->bad = true;
	*v = b == 1;
}

static void f1_u8(f1_cur *c, uint8_t *v)
{
	f1_bytes(c, v, 1);
}

/* Every saved field, in file order. Enums travel as u32 and are checked after loading. */
static void f1_state_fields(f1_cur *c, tw_f1 *t, uint32_t e[4])
{
	f1_bytes(c, t->ob, sizeof t->ob);
	f1_bytes(c, t->uid, sizeof t->uid);
	f1_u32(c, &t->acr);
	f1_u32(c, &t->sr);
	f1_u32(c, &t->cr);
	f1_u32(c, &t->ar);
	f1_u32(c, &t->obr);
	f1_u32(c, &t->wrpr);
	f1_u8(c, &t->key_stage);
	f1_u8(c, &t->optkey_stage);
	f1_flag(c, &t->cr_lockout);
	f1_flag(c, &t->opt_lockout);
	for (unsigned i = 0; i < 4; i++)
		f1_u32(c, &t->dbgmcu[i]);
	for (unsigned i = 0; i < F1_SCS_WORDS; i++)
		f1_u32(c, &t->scs[i]);
	f1_u8(c, &t->rdp_eff);
	f1_flag(c, &t->intrusion);
	f1_flag(c, &t->powered);
	f1_flag(c, &t->nrst);
	f1_flag(c, &t->timing_max);
	f1_u32(c, &e[0]); /* boot pins */
	f1_u32(c, &e[1]); /* boot in force */
	f1_u64(c, &t->now_ns);
	f1_u32(c, &e[2]); /* op kind */
	f1_u64(c, &t->op.start_ns);
	f1_u64(c, &t->op.end_ns);
	f1_u32(c, &t->op.off);
	uint32_t data = t->op.data;
	f1_u32(c, &data);
	t->op.data = (uint16_t)data;
	if (data > 0xFFFFU)
		c->bad = true;
	f1_flag(c, &t->op.regress);
	f1_u64(c, &t->op.erase_ns);
	f1_u64(c, &t->fault_ns);
	f1_u32(c, &e[3]); /* fault at op */
	f1_u32(c, &t->ops);
}

/* Bytes of the field part: walk the fields once in write mode into a scratch buffer. */
static size_t f1_state_len(const tw_f1_variant *v)
{
	tw_f1 probe = {.v = v};
	uint32_t e[4] = {0};
	size_t cap = F1_SCS_WORDS * 8U + 1024U; /* larger than the fields can be */
	uint8_t *scratch = malloc(cap);
	if (!scratch)
		return 0;
	f1_cur c = {.buf = scratch, .len = cap};
	f1_state_fields(&c, &probe, e);
	free(scratch);
	return F1_STATE_HEAD + c.pos + tw_f1_variant_flash_bytes(v) + tw_f1_variant_sram_bytes(v);
}

static void f1_put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t f1_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int tw_f1_save_buffer(const tw_f1 *t, uint8_t **buf, size_t *len)
{
	size_t n = f1_state_len(t->v);
	uint8_t *b = n ? calloc(1, n) : NULL;
	if (!b)
		return FK_E_NOMEM;
	memcpy(b, F1_STATE_MAGIC, 8);
	f1_put32(b + 8, F1_STATE_VERSION);
	f1_put32(b + 12, (uint32_t)n);
	size_t nl = strlen(t->v->name);
	memcpy(b + 16, t->v->name, nl < F1_STATE_NAME ? nl : F1_STATE_NAME - 1);
	tw_f1 copy = *t; /* the field walker takes non-const pointers; nothing is changed */
	uint32_t e[4] = {(uint32_t)t->boot_pins, (uint32_t)t->boot_eff, (uint32_t)t->op.kind,
			 t->fault_op};
	f1_cur c = {.buf = b, .pos = F1_STATE_HEAD, .len = n};
	f1_state_fields(&c, &copy, e);
	f1_bytes(&c, t->flash, tw_f1_variant_flash_bytes(t->v));
	f1_bytes(&c, t->sram, tw_f1_variant_sram_bytes(t->v));
	*buf = b;
	*len = n;
	return 0;
}

bool tw_f1_is_state_image(const uint8_t *buf, size_t len)
{
	return len >= 8 && memcmp(buf, F1_STATE_MAGIC, 8) == 0;
}

/* The operation in progress must be one the model could have started. */
static const char *f1_state_op_check(const tw_f1 *t)
{
	const f1_op *op = &t->op;
	uint32_t fbytes = tw_f1_variant_flash_bytes(t->v);
	if (op->kind == F1_OP_NONE)
		return NULL;
	if (op->end_ns < op->start_ns || op->end_ns < t->now_ns)
		return "operation in progress ends before it starts or in the past";
	if ((op->kind == F1_OP_PROGRAM && (op->off >= fbytes || (op->off & 1U))) ||
	    (op->kind == F1_OP_PAGE_ERASE && (op->off >= fbytes || op->off % t->v->page_bytes)) ||
	    (op->kind == F1_OP_OPT_PROGRAM && (op->off >= F1_OB_SIZE || (op->off & 1U))))
		return "operation in progress addresses nothing the chip has";
	if (op->erase_ns > op->end_ns - op->start_ns)
		return "operation in progress has an erase part longer than itself";
	return NULL;
}

static int f1_state_bad(fk_ctx *ctx, const char *name, const char *why)
{
	return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a usable STM32F0/F1/F3 twin state: %s",
		       name, why);
}

static int f1_state_parse(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
			  tw_f1 *t)
{
	uint32_t e[4] = {0};
	f1_cur c = {.in = buf, .pos = F1_STATE_HEAD, .len = len};
	f1_state_fields(&c, t, e);
	f1_bytes(&c, t->flash, tw_f1_variant_flash_bytes(t->v));
	f1_bytes(&c, t->sram, tw_f1_variant_sram_bytes(t->v));
	if (c.bad || c.pos != len)
		return f1_state_bad(ctx, name, "a field is out of range or the file is truncated");
	if (e[0] > TW_BOOT_SRAM || e[1] > TW_BOOT_SRAM || e[2] > F1_OP_OPT_ERASE)
		return f1_state_bad(ctx, name, "boot mode or operation kind unknown");
	if (t->key_stage > 1 || t->optkey_stage > 1)
		return f1_state_bad(ctx, name, "key sequence stage out of range");
	t->boot_pins = (tw_boot)e[0];
	t->boot_eff = (tw_boot)e[1];
	t->op.kind = (f1_op_kind)e[2];
	t->fault_op = e[3];
	const char *why = f1_state_op_check(t);
	return why ? f1_state_bad(ctx, name, why) : 0;
}

int tw_f1_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      tw_f1 **out)
{
	*out = NULL;
	if (!tw_f1_is_state_image(buf, len) || len < F1_STATE_HEAD)
		return f1_state_bad(ctx, name, "no FKTWFPEC magic at offset 0");
	if (f1_get32(buf + 8) != F1_STATE_VERSION)
		return f1_state_bad(ctx, name, "unknown version (offset 8)");
	if (f1_get32(buf + 12) != len)
		return f1_state_bad(ctx, name, "length at offset 12 differs from the file's");
	char vname[F1_STATE_NAME + 1] = {0};
	memcpy(vname, buf + 16, F1_STATE_NAME);
	const tw_f1_variant *v = tw_f1_variant_find(vname);
	if (!v)
		return f1_state_bad(ctx, name, "unknown part name at offset 16");
	if (len != f1_state_len(v))
		return f1_state_bad(ctx, name, "size does not match the part's memories");
	tw_f1 *t = tw_f1_new(v);
	if (!t)
		return fk_fail(ctx, FK_E_NOMEM, "%s: no memory for the twin", name);
	int rc = f1_state_parse(ctx, name, buf, len, t);
	if (rc) {
		tw_f1_free(t);
		return rc;
	}
	t->dirty = false;
	*out = t;
	return 0;
}
