/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4/G0/G4 twin: the state image (the generic layer writes it atomically and dispatches
 * on the magic). Layout, little-endian: magic "FKTWL4\r\n", u32 version, char variant[24],
 * u32 flash bytes, then the fields of l4_fields() (one list for both directions), then a
 * CRC-32 of everything before it. Every field is validated on load; SRAM is volatile and not
 * saved. */
#include <stdlib.h>
#include <string.h>

#include "stm32l4/l4.h"

#define L4_MAGIC "FKTWL4\r\n"
#define L4_STATE_MAX (8U * 1024U * 1024U)

typedef struct l4_ser {
	uint8_t *buf; /* NULL while counting */
	size_t len, pos;
	bool rd;
	const char *bad;
} l4_ser;

static void ser_raw(l4_ser *s, void *p, size_t n, const char *what)
{
	if (s->bad)
		return;
	if (s->rd) {
		if (n > s->len - s->pos) {
			s->bad = what;
			return;
		}
		memcpy(p, s->buf + s->pos, n);
	} else if (s->buf) {
		memcpy(s->buf + s->pos, p, n);
	}
	s->pos += n;
}

static void ser_u(l4_ser *s, void *p, unsigned bytes, uint64_t max, const char *what)
{
	uint8_t b[8] = {0};
	uint64_t v = 0;
	if (!s->rd) {
		if (bytes == 1)
			v = *(uint8_t *)p;
		else if (bytes == 4)
			v = *(uint32_t *)p;
		else
			v = *(uint64_t *)p;
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

static void ser_bool(l4_ser *s, bool *p, const char *what)
{
	uint8_t v = *p;
	ser_u(s, &v, 1, 1, what);
	*p = v != 0;
}

static void ser_unsigned(l4_ser *s, unsigned *p, unsigned max, const char *what)
{
	uint32_t v = *p;
	ser_u(s, &v, 4, max, what);
	*p = v;
}

static void l4_fields(l4_ser *s, tw_l4 *t)
{
	const l4_variant *v = t->v;
	uint32_t fb = v->flash_bytes;
	ser_raw(s, t->flash, fb, "flash");
	ser_raw(s, t->ecc_bad, fb / 8, "ecc");
	ser_raw(s, t->otp, sizeof t->otp, "otp");
	for (unsigned i = 0; i < v->nopt; i++) {
		ser_u(s, &t->ob[i], 4, 0xFFFFFFFFU, "option word");
		ser_u(s, &t->ob_ok[i], 4, 1, "option word state");
		ser_u(s, &t->loaded[i], 4, 0xFFFFFFFFU, "loaded option word");
		ser_u(s, &t->reg[i], 4, 0xFFFFFFFFU, "option register");
	}
	for (unsigned i = 0; i < L4_NBKP; i++)
		ser_u(s, &t->bkp[i], 4, 0xFFFFFFFFU, "backup register");
	ser_u(s, &t->acr, 4, 0xFFFFFFFFU, "FLASH_ACR");
	ser_u(s, &t->sr, 4, L4_SR_W1C, "FLASH_SR");
	ser_u(s, &t->cr, 4, 0xFFFFFFFFU, "FLASH_CR");
	ser_u(s, &t->eccr, 4, 0xFFFFFFFFU, "FLASH_ECCR");
	ser_unsigned(s, &t->key_step, 1, "key step");
	ser_unsigned(s, &t->optkey_step, 1, "option key step");
	ser_bool(s, &t->keys_dead, "key lock");
	ser_bool(s, &t->pg_half, "half double word");
	ser_u(s, &t->pg_addr, 4, fb - 8, "half double word address");
	ser_u(s, &t->pg_lo, 4, 0xFFFFFFFFU, "half double word data");
	ser_u(s, &t->row_base, 4, fb - L4_ROW_DW * 8, "fast row address");
	ser_unsigned(s, &t->row_n, L4_ROW_DW * 2, "fast row words");
	ser_raw(s, t->row_buf, sizeof t->row_buf, "fast row data");
	ser_u(s, &t->row_last_ns, 8, UINT64_MAX, "fast row time");
	uint32_t op = t->op;
	ser_u(s, &op, 4, L4_OP_OPT, "operation");
	t->op = (l4_op)op;
	ser_u(s, &t->op_end, 8, UINT64_MAX, "operation end");
	ser_u(s, &t->op_addr, 4, fb, "operation address");
	ser_u(s, &t->op_len, 4, fb, "operation length");
	ser_u(s, &t->op_lo, 4, 0xFFFFFFFFU, "operation data");
	ser_u(s, &t->op_hi, 4, 0xFFFFFFFFU, "operation data");
	ser_unsigned(s, &t->op_mer, 3, "mass erase banks");
	ser_u(s, &t->now, 8, UINT64_MAX, "virtual time");
	ser_bool(s, &t->powered, "power");
	ser_bool(s, &t->nrst_low, "NRST");
	uint32_t mv = (uint32_t)t->mv;
	ser_u(s, &mv, 4, 5000, "supply");
	t->mv = (int)mv;
	ser_bool(s, &t->dbg_latch, "debug latch");
	ser_u(s, &t->dbgmcu_cr, 4, 0xFFFFFFFFU, "DBGMCU_CR");
	ser_u(s, &t->dhcsr, 4, 0xFU, "DHCSR");
	ser_bool(s, &t->boot_sysmem, "BOOT0");
	ser_u(s, &t->fault_ns, 8, UINT64_MAX, "fault time");
	ser_unsigned(s, &t->fault_op, 0xFFFFFFFFU, "fault operation");
	ser_unsigned(s, &t->ops_done, 0xFFFFFFFFU, "operation count");
	ser_bool(s, &t->optverr, "OPTVERR");
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define L4_HDR 40U /* magic 8, version 4, variant 24, flash bytes 4 */

int tw_l4_save_buffer(const tw_l4 *t, uint8_t **buf, size_t *len)
{
	l4_ser cnt = {0};
	l4_fields(&cnt, (tw_l4 *)t);
	size_t n = L4_HDR + cnt.pos + 4;
	uint8_t *b = calloc(1, n);
	if (!b)
		return FK_E_NOMEM;
	memcpy(b, L4_MAGIC, 8);
	put32(b + 8, L4_STATE_VERSION);
	strncpy((char *)b + 12, t->v->name, 23);
	put32(b + 36, t->v->flash_bytes);
	l4_ser s = {.buf = b + L4_HDR, .len = cnt.pos};
	l4_fields(&s, (tw_l4 *)t);
	put32(b + n - 4, fk_crc32(0, b, n - 4));
	*buf = b;
	*len = n;
	return FK_OK;
}

int tw_l4_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      tw_l4 **out)
{
	*out = NULL;
	if (len < L4_HDR + 4 || len > L4_STATE_MAX || memcmp(buf, L4_MAGIC, 8) != 0)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: not an STM32L4/G0/G4 twin state (%s)", name,
			       len < L4_HDR + 4 ? "too short" : len > L4_STATE_MAX ? "too large"
										: "magic");
	uint32_t ver = get32(buf + 8);
	if (ver != L4_STATE_VERSION)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: state version %u, this flashkey-twin reads "
						   "version %u", name, ver, L4_STATE_VERSION);
	if (get32(buf + len - 4) != fk_crc32(0, buf, len - 4))
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: CRC mismatch (the file is damaged)", name);
	char vname[24];
	memcpy(vname, buf + 12, 24);
	if (vname[23] != '\0')
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: variant name not terminated", name);
	const l4_variant *v = tw_l4_variant_find(vname);
	if (!v)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: unknown part \"%s\"", name, vname);
	if (get32(buf + 36) != v->flash_bytes)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: flash size %u does not match %s", name,
			       get32(buf + 36), v->name);
	tw_l4 *t = tw_l4_new(v);
	if (!t)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s", name);
	l4_ser s = {.buf = (uint8_t *)buf + L4_HDR, .len = len - L4_HDR - 4, .rd = true};
	l4_fields(&s, t);
	if (!s.bad && s.pos != s.len)
		s.bad = "trailing bytes";
	if (!s.bad) {
		for (uint32_t i = 0; i < v->flash_bytes / 8; i++)
			if (t->ecc_bad[i] > 1) {
				s.bad = "ecc";
				break;
			}
	}
	if (!s.bad && ((t->pg_addr | t->op_addr | t->op_len | t->row_base) & 7U))
		s.bad = "operation address alignment";
	if (!s.bad && (uint64_t)t->op_addr + t->op_len > v->flash_bytes)
		s.bad = "operation range";
	/* a row in progress: the double words started, no more than the words received */
	uint32_t got = (t->row_n ? t->row_n : L4_ROW_DW * 2) * 4U;
	if (!s.bad && t->op == L4_OP_ROW && (!t->op_len || t->op_len > got))
		s.bad = "fast row length";
	if (s.bad) {
		tw_l4_free(t);
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field \"%s\" is damaged or out of range", name,
			       s.bad);
	}
	t->dirty = false;
	*out = t;
	return FK_OK;
}
