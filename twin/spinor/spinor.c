/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR twin: the instruction state machine of one chip, byte by byte between /CS fall and
 * rise. Sources (keys as in lib/devices/spinor.h): W64 Rev J §6.4 (reset), §6.5 (write
 * protection), §7.1 (status registers), §8 (instruction rules: writes end on a byte boundary;
 * while BUSY only Read Status Register is answered), §8.1 Tables 1-2 (opcodes, byte layouts,
 * notes 2-5), §8.2 (each instruction), §9.6 (timings); GD64 §7; MX64 (ENSO/EXSO/RDSCUR/WRSCUR).
 *
 * Choices where the sources are silent (each UNCONFIRMED):
 *  - an erase/program/status write refused by protection clears WEL (as a completed one does);
 *  - 50h enables a volatile write for the next instruction only;
 *  - a volatile status write leaves LB1-3 unchanged (they are OTP bits, written non-volatile);
 *  - after the 3 JEDEC ID bytes DO is high (0xFF); security-register and SFDP reads wrap within
 *    their space; a read of an undefined security-register address returns 0xFF;
 *  - BUSY lasts the typical time of §9.6;
 *  - a power cut during an erase leaves the part of the region the erase had reached at 0xFF
 *    and the rest as it was; during a program, the bytes the program had reached are
 *    programmed; during a status write, the old values stay.
 * Not modelled: dual/quad instructions (3Bh, BBh, 6Bh, EBh, 32h, 92h, 94h, 77h: ignored),
 * erase/program suspend (75h/7Ah: ignored, SUS stays 0), QPI, the /HOLD and /RESET pins. */
#include <stdlib.h>
#include <string.h>

#include "spinor/spinor_int.h"

static void tw_lock_all(tw_spinor *c, bool locked)
{
	memset(c->locks, locked ? 0xFF : 0x00, sizeof c->locks);
}

int tw_spinor_alloc(fk_ctx *ctx, const spinor_part *p, tw_spinor **out)
{
	tw_spinor *c = calloc(1, sizeof *c);
	if (c)
		c->mem = malloc(p->size);
	if (!c || !c->mem) {
		free(c);
		return fk_fail(ctx, FK_E_NOMEM, "no memory for a %u-byte SPI NOR twin", p->size);
	}
	c->p = p;
	c->wp_high = true;
	*out = c;
	return 0;
}

int tw_spinor_create(fk_ctx *ctx, const char *part, tw_spinor **out)
{
	const spinor_part *p = spinor_part_by_key(part);
	if (!p)
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "unknown SPI NOR part \"%s\" (known: %s)",
			       part ? part : "", tw_spinor_part_list());
	tw_spinor *c;
	int rc = tw_spinor_alloc(ctx, p, &c);
	if (rc)
		return rc;
	memset(c->mem, 0xFF, p->size);
	memset(c->secreg, 0xFF, sizeof c->secreg);
	memcpy(c->nv, p->factory, SPINOR_NREGS);
	memcpy(c->cur, p->factory, SPINOR_NREGS);
	uint32_t h = fk_crc32(0, p->key, strlen(p->key));
	for (unsigned i = 0; i < 8; i++)
		c->uid[i] = (uint8_t)(h >> (8 * (i % 4))) ^ (uint8_t)(0x5A + i);
	tw_lock_all(c, true); /* W64 Fig. 4d note 2: all lock bits 1 after power-up */
	*out = c;
	return 0;
}

void tw_spinor_free(tw_spinor *c)
{
	if (!c)
		return;
	free(c->mem);
	free(c);
}

const char *tw_spinor_part_list(void)
{
	static char buf[256];
	if (!buf[0])
		for (size_t i = 0; i < spinor_nparts; i++)
			fk_snprintf_cat(buf, sizeof buf, "%s%s", i ? " " : "", spinor_parts[i].key);
	return buf;
}

bool tw_spinor_part_exists(const char *name)
{
	return spinor_part_by_key(name) != NULL;
}

const char *tw_spinor_part_key(const tw_spinor *c)
{
	return c->p->key;
}

uint32_t tw_spinor_size(const tw_spinor *c)
{
	return c->p->size;
}

/* ---------------------------------------------------------------- operations and time */

static void tw_op_start(tw_spinor *c, uint8_t kind, uint32_t us)
{
	c->op.kind = kind;
	c->op.start_ns = c->now_ns;
	c->op.end_ns = c->now_ns + (uint64_t)us * 1000U;
}

static bool tw_mask_has(const uint8_t *mask, unsigned i)
{
	return (mask[i / 8] >> (i % 8)) & 1U;
}

/* Apply the first `upto` units of the operation (all of it when it completes). */
static void tw_op_apply(tw_spinor *c, uint64_t upto)
{
	tw_spinor_op *o = &c->op;
	switch (o->kind) {
	case TW_SPINOR_OP_PROGRAM:
	case TW_SPINOR_OP_SEC_PROG: {
		uint8_t *base = o->kind == TW_SPINOR_OP_PROGRAM ? c->mem + o->addr : c->secreg + o->addr;
		for (unsigned i = 0; i < SPINOR_PAGE && i < upto; i++)
			if (tw_mask_has(o->mask, i))
				base[i] &= o->data[i]; /* NOR: a program only clears bits */
		break;
	}
	case TW_SPINOR_OP_ERASE:
		memset(c->mem + o->addr, 0xFF, (size_t)(upto < o->len ? upto : o->len));
		break;
	case TW_SPINOR_OP_SEC_ERASE:
		memset(c->secreg + o->addr, 0xFF, (size_t)(upto < o->len ? upto : o->len));
		break;
	case TW_SPINOR_OP_WRSR:
		if (upto < 1)
			break;
		for (unsigned r = 0; r < SPINOR_NREGS; r++)
			if (o->regmask & (1U << r))
				c->cur[r] = c->nv[r] = o->regs[r];
		break;
	case TW_SPINOR_OP_WRSCUR:
		if (upto >= 1)
			c->scur |= 0x02; /* LDSO */
		break;
	default:
		break;
	}
}

static void tw_op_complete(tw_spinor *c)
{
	c->gen++;
	uint8_t kind = c->op.kind;
	tw_op_apply(c, UINT64_MAX);
	memset(&c->op, 0, sizeof c->op);
	if (kind != TW_SPINOR_OP_RESET)
		c->wel = false; /* W64 §8.2 Write Disable: WEL cleared on completion */
}

/* An operation cut by power loss: the part done so far stays (UNCONFIRMED, header). */
static void tw_op_cut(tw_spinor *c)
{
	tw_spinor_op *o = &c->op;
	if (o->kind == TW_SPINOR_OP_NONE)
		return;
	uint64_t total = o->end_ns - o->start_ns, done = c->now_ns - o->start_ns;
	uint64_t units = o->kind == TW_SPINOR_OP_ERASE || o->kind == TW_SPINOR_OP_SEC_ERASE
				 ? o->len
				 : (o->kind == TW_SPINOR_OP_PROGRAM || o->kind == TW_SPINOR_OP_SEC_PROG
					    ? SPINOR_PAGE
					    : 1);
	uint64_t upto = total ? (units * done) / total : 0;
	if (o->kind == TW_SPINOR_OP_WRSR || o->kind == TW_SPINOR_OP_WRSCUR)
		upto = 0;
	tw_op_apply(c, upto);
	if (o->kind != TW_SPINOR_OP_RESET)
		c->st.cut_ops++;
	memset(o, 0, sizeof *o);
}

static void tw_tick(tw_spinor *c)
{
	if (c->op.kind != TW_SPINOR_OP_NONE && c->now_ns >= c->op.end_ns)
		tw_op_complete(c);
}

void tw_spinor_advance(tw_spinor *c, uint64_t ns)
{
	c->now_ns += ns;
	tw_tick(c);
}

uint64_t tw_spinor_now(const tw_spinor *c)
{
	return c->now_ns;
}

uint64_t tw_spinor_busy_ns(const tw_spinor *c)
{
	if (c->op.kind == TW_SPINOR_OP_NONE || c->now_ns >= c->op.end_ns)
		return 0;
	return c->op.end_ns - c->now_ns;
}

void tw_spinor_finish(tw_spinor *c)
{
	if (c->op.kind == TW_SPINOR_OP_NONE)
		return;
	if (c->now_ns < c->op.end_ns)
		c->now_ns = c->op.end_ns;
	tw_op_complete(c);
}

void tw_spinor_set_sck(tw_spinor *c, uint32_t hz)
{
	c->sck_hz = hz;
}

/* ---------------------------------------------------------------- pins and power */

void tw_spinor_set_wp(tw_spinor *c, bool high)
{
	c->wp_high = high;
}

bool tw_spinor_wp(const tw_spinor *c)
{
	return c->wp_high;
}

/* Volatile state after power-up or reset: registers reload, WEL 0, block locks 1. */
static void tw_reload(tw_spinor *c)
{
	memcpy(c->cur, c->nv, SPINOR_NREGS);
	c->wel = c->vol_wren = c->reset_enable = c->in_otp = false;
	tw_lock_all(c, true);
}

uint32_t tw_spinor_generation(const tw_spinor *c)
{
	return c->gen;
}

void tw_spinor_power_cycle(tw_spinor *c)
{
	c->gen++;
	tw_op_cut(c);
	const spinor_part *p = c->p;
	if ((p->flags & SPINOR_F_SRL_PWR_CLR) && spinor_get(p, c->nv, SPINOR_SRL) == 1) {
		/* W64 §7.1 note 1: a power cycle changes SRL to 0. GD64: (SRP1,SRP0) = (1,1) is the
		 * one-time-program mode and stays (UNCONFIRMED). */
		bool otp = (p->flags & SPINOR_F_SRP1_OTP) && spinor_get(p, c->nv, SPINOR_SRP0) == 1;
		if (!otp)
			spinor_set(p, c->nv, SPINOR_SRL, false);
	}
	tw_reload(c);
	c->powered_down = false;
	c->selected = false;
}

/* ---------------------------------------------------------------- direct access */

void tw_spinor_regs(const tw_spinor *c, uint8_t cur[3], uint8_t nv[3])
{
	if (cur) {
		memcpy(cur, c->cur, SPINOR_NREGS);
		spinor_set(c->p, cur, SPINOR_BUSY, tw_spinor_busy_ns(c) > 0);
		spinor_set(c->p, cur, SPINOR_WEL, c->wel);
	}
	if (nv)
		memcpy(nv, c->nv, SPINOR_NREGS);
}

void tw_spinor_set_regs(tw_spinor *c, const uint8_t nv[3])
{
	for (unsigned r = 0; r < SPINOR_NREGS; r++) {
		uint8_t ro = 0;
		for (int f = 0; f < SPINOR_NFIELDS; f++)
			if ((f == SPINOR_BUSY || f == SPINOR_WEL || f == SPINOR_SUS) &&
			    spinor_has(c->p, (spinor_field)f) && c->p->bits[f].reg == r)
				ro |= (uint8_t)(1U << c->p->bits[f].bit);
		c->nv[r] = c->cur[r] = (uint8_t)(nv[r] & ~ro);
	}
}

int tw_spinor_set_field(tw_spinor *c, const char *key, uint32_t value)
{
	uint8_t nv[SPINOR_NREGS];
	memcpy(nv, c->nv, SPINOR_NREGS);
	if (strlen(key) == 3 && strncmp(key, "sr", 2) == 0 && key[2] >= '1' && key[2] <= '3') {
		if (value > 0xFF)
			return -2;
		nv[key[2] - '1'] = (uint8_t)value;
	} else if (strcmp(key, "bp") == 0) {
		unsigned nbp;
		spinor_bp(c->p, nv, &nbp);
		if (value >= (1U << nbp))
			return -2;
		for (unsigned i = 0; i < nbp; i++)
			spinor_set(c->p, nv, (spinor_field)(SPINOR_BP0 + i), (value >> i) & 1U);
	} else {
		int f = spinor_field_by_name(key);
		if (f < 0 || f == SPINOR_BUSY || f == SPINOR_WEL || f == SPINOR_SUS ||
		    !spinor_has(c->p, (spinor_field)f))
			return -1;
		if (value > 1)
			return -2;
		spinor_set(c->p, nv, (spinor_field)f, value != 0);
	}
	tw_spinor_set_regs(c, nv);
	return 0;
}

void tw_spinor_set_sr_otp(tw_spinor *c, bool on)
{
	c->sr_otp = on;
}

bool tw_spinor_sr_otp(const tw_spinor *c)
{
	return c->sr_otp;
}

uint8_t *tw_spinor_mem(tw_spinor *c)
{
	return c->mem;
}

uint8_t *tw_spinor_secreg(tw_spinor *c, unsigned n, uint32_t *size)
{
	if (n < 1 || n > c->p->secreg_count)
		return NULL;
	if (size)
		*size = c->p->secreg_size;
	return c->secreg + (n - 1) * c->p->secreg_size;
}

void tw_spinor_get_stats(const tw_spinor *c, tw_spinor_stats *st)
{
	*st = c->st;
}

/* ---------------------------------------------------------------- instructions */

static bool tw_has(const tw_spinor *c, uint32_t flag)
{
	return (c->p->flags & flag) != 0;
}

/* Status register n as DO shows it (BUSY and WEL live). */
static uint8_t tw_sr_out(tw_spinor *c, unsigned r)
{
	uint8_t v[SPINOR_NREGS];
	tw_spinor_regs(c, v, NULL);
	return v[r];
}

/* Is the opcode accepted now? W64 §8: while BUSY only Read Status Register; in power-down only
 * Release Power-down (W64 §6.5); during tRST nothing (§6.4). */
static bool tw_accept(tw_spinor *c, uint8_t op)
{
	if (c->op.kind == TW_SPINOR_OP_RESET)
		return false;
	if (c->powered_down)
		return op == 0xAB;
	if (c->op.kind != TW_SPINOR_OP_NONE) {
		bool rdsr = op == 0x05 || (op == 0x35 && !tw_has(c, SPINOR_F_CR_15H)) || op == 0x15;
		if (!rdsr)
			c->st.ignored_busy++;
		return rdsr;
	}
	return true;
}

/* A security-register address (W64 §8.1 note 5): 00h, n0h, byte. Returns the offset into
 * c->secreg or -1. Macronix: the secured OTP area is addressed 0..511 in ENSO mode. */
static long tw_secreg_off(const tw_spinor *c, uint32_t addr)
{
	if (tw_has(c, SPINOR_F_MX_OTP))
		return (long)(addr % c->p->secreg_size);
	unsigned n = (addr >> 12) & 0xFU;
	if ((addr >> 16) != 0 || n < 1 || n > c->p->secreg_count ||
	    (addr & 0xFFFU) >= c->p->secreg_size)
		return -1;
	return (long)((n - 1) * c->p->secreg_size + (addr & 0xFFU));
}

static uint8_t tw_read_mem(tw_spinor *c)
{
	if (c->in_otp) {
		long o = tw_secreg_off(c, c->rd++);
		return o < 0 ? 0xFF : c->secreg[o];
	}
	uint8_t v = c->mem[c->rd % c->p->size];
	c->rd = (c->rd + 1) % c->p->size; /* W64 §8.2 Read Data: the whole array in one go */
	return v;
}

static uint8_t tw_read_secreg(tw_spinor *c)
{
	long o = tw_secreg_off(c, c->addr);
	if (o < 0)
		return 0xFF;
	uint8_t v = c->secreg[(size_t)o - (c->addr & 0xFFU) + (c->rd & 0xFFU)];
	c->rd++;
	return v;
}

static uint8_t tw_read_sfdp(tw_spinor *c)
{
	uint8_t t[SPINOR_SFDP_LEN];
	spinor_sfdp_build(c->p, t, sizeof t);
	uint32_t a = c->rd++ & 0xFFU;
	return a < sizeof t ? t[a] : 0xFF;
}

/* Collect a 24-bit address in bytes 1..3. */
static void tw_addr_byte(tw_spinor *c, uint32_t i, uint8_t b)
{
	if (i >= 1 && i <= 3)
		c->addr = (c->addr << 8) | b;
	if (i == 3)
		c->rd = c->addr;
}

static void tw_collect_program(tw_spinor *c, uint32_t i, uint8_t b)
{
	if (i < 4)
		return;
	unsigned off = (unsigned)((c->addr + (i - 4)) & 0xFFU); /* W64 §8.2 PP: wrap in page */
	c->pend.data[off] = b;
	c->pend.mask[off / 8] |= (uint8_t)(1U << (off % 8));
	c->pend_any = true;
}

static uint8_t tw_byte(tw_spinor *c, uint32_t i, uint8_t b)
{
	const spinor_part *p = c->p;
	switch (c->cmd) {
	case 0x05:
		return tw_sr_out(c, SPINOR_SR1);
	case 0x35:
		return tw_has(c, SPINOR_F_CR_15H) ? 0xFF : tw_sr_out(c, SPINOR_SR2);
	case 0x15:
		if (tw_has(c, SPINOR_F_CR_15H))
			return tw_sr_out(c, SPINOR_SR2);
		return tw_has(c, SPINOR_F_SR3) ? tw_sr_out(c, SPINOR_SR3) : 0xFF;
	case 0x2B:
		return tw_has(c, SPINOR_F_MX_OTP) ? c->scur : 0xFF;
	case 0x9F:
		return i <= 3 ? p->id[i - 1] : 0xFF;
	case 0x90:
		tw_addr_byte(c, i, b);
		if (i < 4)
			return 0xFF;
		return ((i - 4 + (c->addr & 1U)) % 2) ? p->dev_id : p->id[0];
	case 0xAB:
		return i < 4 ? 0xFF : p->dev_id;
	case 0x4B:
		if (!tw_has(c, SPINOR_F_UNIQUE_ID) || i < 5 || i > 12)
			return 0xFF;
		return c->uid[i - 5];
	case 0x03:
		tw_addr_byte(c, i, b);
		return i < 4 ? 0xFF : tw_read_mem(c);
	case 0x0B:
		tw_addr_byte(c, i, b);
		return i < 5 ? 0xFF : tw_read_mem(c);
	case 0x5A:
		tw_addr_byte(c, i, b);
		return i < 5 ? 0xFF : tw_read_sfdp(c);
	case 0x48:
		tw_addr_byte(c, i, b);
		return (i < 5 || !tw_has(c, SPINOR_F_SECREG)) ? 0xFF : tw_read_secreg(c);
	case 0x3D:
		tw_addr_byte(c, i, b);
		if (i < 4 || !tw_has(c, SPINOR_F_BLOCKLOCK))
			return 0xFF;
		return tw_spinor_unit_locked(c, spinor_lock_unit(p, c->addr % p->size)) ? 0x01 : 0x00;
	case 0x02:
	case 0x42:
		tw_addr_byte(c, i, b);
		tw_collect_program(c, i, b);
		return 0xFF;
	case 0x01:
	case 0x31:
	case 0x11:
		if (i <= 3)
			c->wr[i - 1] = b;
		return 0xFF;
	default:
		tw_addr_byte(c, i, b);
		return 0xFF;
	}
}

uint8_t tw_spinor_xfer(tw_spinor *c, uint8_t mosi)
{
	if (c->sck_hz)
		c->now_ns += 8000000000ULL / c->sck_hz;
	tw_tick(c);
	if (!c->selected)
		return 0xFF;
	uint32_t i = c->nbytes;
	if (c->nbytes < UINT32_MAX)
		c->nbytes++;
	if (i == 0) {
		c->cmd = mosi;
		c->addr = c->rd = 0;
		memset(&c->pend, 0, sizeof c->pend);
		c->pend_any = false;
		if (!tw_accept(c, mosi))
			c->selected = false; /* ignored until /CS rises */
		return 0xFF;
	}
	return tw_byte(c, i, mosi);
}

void tw_spinor_exchange(tw_spinor *c, const uint8_t *tx, uint8_t *rx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t v = tw_spinor_xfer(c, tx ? tx[i] : 0xFF);
		if (rx)
			rx[i] = v;
	}
}

void tw_spinor_cs_assert(tw_spinor *c)
{
	tw_tick(c);
	c->selected = true;
	c->nbytes = 0;
}

/* --- what happens at /CS rise */

static bool tw_need_wel(tw_spinor *c)
{
	if (c->wel)
		return true;
	c->st.ignored_wel++;
	return false;
}

static void tw_refused(tw_spinor *c)
{
	c->st.ignored_protected++;
	c->wel = false; /* UNCONFIRMED (header) */
}

/* W64 §8.2.5: Write Status Register 01h/31h/11h, non-volatile after 06h, volatile after 50h. */
static void tw_wrsr(tw_spinor *c, uint8_t regmask, const uint8_t *vals)
{
	const spinor_part *p = c->p;
	bool vol = c->vol_wren;
	if (!vol && !tw_need_wel(c))
		return;
	if (tw_spinor_sr_locked(c)) {
		c->st.ignored_srp++;
		c->wel = false; /* UNCONFIRMED (header) */
		return;
	}
	uint8_t nv[SPINOR_NREGS];
	memcpy(nv, c->cur, SPINOR_NREGS);
	for (unsigned r = 0; r < SPINOR_NREGS; r++) {
		if (!(regmask & (1U << r)))
			continue;
		uint8_t keep = (uint8_t)(c->cur[r] & p->otp_mask[r]); /* OTP: never back to 0 */
		nv[r] = (uint8_t)((c->cur[r] & ~p->wmask[r]) | (vals[r] & p->wmask[r]) | keep);
		if (vol) /* LB1-3 are written non-volatile only (UNCONFIRMED, header) */
			nv[r] = (uint8_t)((nv[r] & ~p->otp_mask[r]) | keep);
	}
	if (vol && spinor_get(p, c->cur, SPINOR_SRL) == 1)
		spinor_set(p, nv, SPINOR_SRL, true); /* §8.2.5: SRL cannot go 1 -> 0 this way */
	if (tw_has(c, SPINOR_F_QE_FIXED))
		spinor_set(p, nv, SPINOR_QE, true); /* W64 §7.1: QE factory fixed on IQ/JQ */
	c->st.sr_writes++;
	if (vol) {
		for (unsigned r = 0; r < SPINOR_NREGS; r++)
			if (regmask & (1U << r))
				c->cur[r] = nv[r]; /* within tSHSL2, BUSY stays 0 */
		return;
	}
	memcpy(c->op.regs, nv, SPINOR_NREGS);
	c->op.regmask = regmask;
	tw_op_start(c, TW_SPINOR_OP_WRSR, p->typ.tw);
}

static void tw_release_wrsr(tw_spinor *c)
{
	uint8_t vals[SPINOR_NREGS] = {0};
	uint32_t n = c->nbytes;
	switch (c->cmd) {
	case 0x01:
		if (n == 2) {
			vals[0] = c->wr[0];
			tw_wrsr(c, 0x1, vals);
		} else if (n == 3 && tw_has(c, SPINOR_F_WRSR_2BYTE)) {
			vals[0] = c->wr[0];
			vals[1] = c->wr[1];
			tw_wrsr(c, 0x3, vals);
		} else {
			c->st.ignored_length++;
		}
		return;
	case 0x31:
		vals[1] = c->wr[0];
		if (n == 2 && tw_has(c, SPINOR_F_WRSR2_31H))
			tw_wrsr(c, 0x2, vals);
		else
			c->st.ignored_length++;
		return;
	default: /* 0x11 */
		vals[2] = c->wr[0];
		if (n == 2 && tw_has(c, SPINOR_F_SR3))
			tw_wrsr(c, 0x4, vals);
		else
			c->st.ignored_length++;
		return;
	}
}

static void tw_release_program(tw_spinor *c)
{
	if (c->nbytes < 5 || !c->pend_any) {
		c->st.ignored_length++;
		return;
	}
	if (!tw_need_wel(c))
		return;
	const spinor_part *p = c->p;
	uint32_t page = (c->addr % p->size) & ~(SPINOR_PAGE - 1U);
	if (c->cmd == 0x42 || c->in_otp) {
		long o = tw_secreg_off(c, c->addr);
		bool locked = true;
		if (o >= 0 && c->in_otp)
			locked = (c->scur & 0x03) != 0; /* factory lock or LDSO */
		else if (o >= 0) /* W64 §7.1: LBn = 1 makes register n read-only */
			locked = spinor_get(p, c->cur, (spinor_field)(SPINOR_LB1 +
								     ((c->addr >> 12) & 0xFU) - 1U)) == 1;
		if (locked) {
			tw_refused(c);
			return;
		}
		c->op = c->pend;
		c->op.addr = (uint32_t)o & ~0xFFU;
		c->st.programs++;
		tw_op_start(c, TW_SPINOR_OP_SEC_PROG, p->typ.tpp);
		return;
	}
	if (tw_spinor_range_protected(c, page, SPINOR_PAGE)) {
		tw_refused(c);
		return;
	}
	c->op = c->pend;
	c->op.addr = page;
	c->st.programs++;
	tw_op_start(c, TW_SPINOR_OP_PROGRAM, p->typ.tpp);
}

static void tw_release_erase(tw_spinor *c, uint32_t unit, uint32_t us)
{
	if (c->nbytes != (unit == c->p->size ? 1U : 4U)) {
		c->st.ignored_length++;
		return;
	}
	if (!tw_need_wel(c))
		return;
	if (c->in_otp) { /* the secured OTP area cannot be erased */
		tw_refused(c);
		return;
	}
	uint32_t a = unit == c->p->size ? 0 : (c->addr % c->p->size) & ~(unit - 1U);
	/* W64 table note 3: a region that contains protected data is ignored entirely; chip erase
	 * is ignored if any part is protected (§8.2 Chip Erase) */
	if (tw_spinor_range_protected(c, a, unit)) {
		tw_refused(c);
		return;
	}
	c->op.addr = a;
	c->op.len = unit;
	c->st.erases++;
	tw_op_start(c, TW_SPINOR_OP_ERASE, us);
}

static void tw_release_secreg_erase(tw_spinor *c)
{
	if (!tw_has(c, SPINOR_F_SECREG) || c->nbytes != 4) {
		c->st.ignored_length++;
		return;
	}
	if (!tw_need_wel(c))
		return;
	long o = tw_secreg_off(c, c->addr);
	unsigned n = (c->addr >> 12) & 0xFU;
	if (o < 0 || spinor_get(c->p, c->cur, (spinor_field)(SPINOR_LB1 + n - 1U)) == 1) {
		tw_refused(c); /* W64 §7.1 LB: the register is read-only for ever */
		return;
	}
	c->op.addr = (n - 1U) * c->p->secreg_size;
	c->op.len = c->p->secreg_size;
	c->st.erases++;
	tw_op_start(c, TW_SPINOR_OP_SEC_ERASE, c->p->typ.tse);
}

/* W64 Fig. 4d, §8.2: 36h/39h lock/unlock one unit, 7Eh/98h all; WEL needed (reference §3). */
static void tw_release_lock(tw_spinor *c)
{
	bool one = c->cmd == 0x36 || c->cmd == 0x39;
	if (!tw_has(c, SPINOR_F_BLOCKLOCK) || c->nbytes != (one ? 4U : 1U)) {
		c->st.ignored_length++;
		return;
	}
	if (!tw_need_wel(c))
		return;
	bool lock = c->cmd == 0x36 || c->cmd == 0x7E;
	if (one) {
		unsigned u = spinor_lock_unit(c->p, c->addr % c->p->size);
		uint8_t m = (uint8_t)(1U << (u % 8));
		if (lock)
			c->locks[u / 8] |= m;
		else
			c->locks[u / 8] &= (uint8_t)~m;
	} else {
		tw_lock_all(c, lock);
	}
	c->wel = false; /* UNCONFIRMED: treated as a write instruction */
}

static void tw_release_simple(tw_spinor *c)
{
	if (c->nbytes != 1) {
		if (c->cmd != 0xAB)
			c->st.ignored_length++;
		if (c->cmd == 0xAB)
			c->powered_down = false;
		return;
	}
	switch (c->cmd) {
	case 0x06:
		c->wel = true;
		break;
	case 0x04:
		c->wel = false;
		break;
	case 0x50:
		if (tw_has(c, SPINOR_F_VOLATILE_SR))
			c->vol_wren = true;
		break;
	case 0x66:
		c->reset_enable = true;
		break;
	case 0x99:
		if (c->reset_enable) { /* W64 §6.4: 66h then 99h, tRST ~30 us */
			tw_reload(c);
			tw_op_start(c, TW_SPINOR_OP_RESET, 30);
		}
		break;
	case 0xB9:
		c->powered_down = true;
		break;
	case 0xAB:
		c->powered_down = false;
		break;
	case 0xB1:
		if (tw_has(c, SPINOR_F_MX_OTP))
			c->in_otp = true;
		break;
	case 0xC1:
		c->in_otp = false;
		break;
	case 0x2F:
		if (tw_has(c, SPINOR_F_MX_OTP) && tw_need_wel(c))
			tw_op_start(c, TW_SPINOR_OP_WRSCUR, c->p->typ.tw);
		break;
	default:
		break;
	}
}

static void tw_release(tw_spinor *c)
{
	const spinor_part *p = c->p;
	switch (c->cmd) {
	case 0x01:
	case 0x31:
	case 0x11:
		tw_release_wrsr(c);
		break;
	case 0x02:
	case 0x42:
		if (c->cmd == 0x42 && !tw_has(c, SPINOR_F_SECREG))
			break;
		tw_release_program(c);
		break;
	case 0x20:
		tw_release_erase(c, SPINOR_SECTOR, p->typ.tse);
		break;
	case 0x52:
		tw_release_erase(c, SPINOR_BLOCK32, p->typ.tbe32);
		break;
	case 0xD8:
		tw_release_erase(c, SPINOR_BLOCK64, p->typ.tbe64);
		break;
	case 0xC7:
	case 0x60:
		tw_release_erase(c, p->size, p->typ.tce);
		break;
	case 0x44:
		tw_release_secreg_erase(c);
		break;
	case 0x36:
	case 0x39:
	case 0x7E:
	case 0x98:
		tw_release_lock(c);
		break;
	case 0x06: case 0x04: case 0x50: case 0x66: case 0x99: case 0xB9: case 0xAB:
	case 0xB1: case 0xC1: case 0x2F:
		tw_release_simple(c);
		break;
	default:
		break; /* reads, IDs and unmodelled instructions change nothing */
	}
}

void tw_spinor_cs_release(tw_spinor *c)
{
	tw_tick(c);
	bool was = c->selected && c->nbytes > 0;
	c->selected = false;
	if (!was)
		return;
	uint8_t cmd = c->cmd;
	static const uint8_t reads[] = {0x05, 0x35, 0x15, 0x9F, 0x90, 0x4B, 0x03, 0x0B, 0x5A, 0x48,
					0x3D, 0x2B};
	if (!memchr(reads, cmd, sizeof reads))
		c->gen++;
	tw_release(c);
	if (cmd != 0x50)
		c->vol_wren = false; /* valid for the next instruction only (UNCONFIRMED) */
	if (cmd != 0x66)
		c->reset_enable = false;
}
