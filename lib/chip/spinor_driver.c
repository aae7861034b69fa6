/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR flash behind the chip-driver interface (lib/chip/driver.h) on the SPI programmer path
 * (serprog:, twin-spi:): identification by the JEDEC ID the path read (SFDP for an ID not in
 * lib/devices/spinor.c, "no SPI chip answered" for 00 00 00 / FF FF FF), the description (4 KiB
 * sectors as erase units, page program), the inventory (every status bit decoded, the BP/TB/SEC/
 * CMP range as addresses, SRP mode with /WP when the programmer can sense it, WPS block locks,
 * security registers written/locked), the unlock ladder (volatile clear, then non-volatile; SRL,
 * /WP low and the one-time lock refused with what they need; LB bits never), erase by the
 * largest unit that fits, page program, read, reset.
 *
 * The chip ignores an erase or program touching a protected address without any error bit
 * (W64 §7.1 note 3), so the driver checks the protection itself before anything is erased or
 * programmed and names the bits and the addresses.
 *
 * Sources: W64 (Winbond W25Q64JV Rev J) §7.1 (status registers, protection tables, SRP/SRL, WPS,
 * LB1-3), §8.2 (instructions: 06h, 50h, 01h/31h/11h, 03h, 02h, 20h/52h/D8h/C7h, 9Fh, 5Ah, 48h,
 * 3Dh, 98h, 66h/99h), §9.6 (tW, tPP, tSE, tBE1, tBE2, tCE); GD64 §6; MX64; JESD216 (SFDP);
 * as summarised in ../shared/reference/spi-nor.md and the rows of lib/devices/spinor.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chip/driver.h"
#include "chip/spinor.h"
#include "core/core.h"

#define SPD_MAX_ERASE 4
#define SPD_SECREG_SRC "W64 §7.1 LB1-3, §8.2 Program Security Registers 42h"
#define SPD_MX_OTP_SRC "MX64 secured OTP: ENSO B1h, WRSCUR 2Fh LDSO"
#define SPD_OTP_MAX 512 /* the largest security register area (MX64: 4 Kbit) */

typedef struct spd_etype {
	uint32_t size;
	uint8_t op;
} spd_etype;

typedef struct spdrv {
	spinor_bus bus;
	const fk_spi_ops *ops;
	void *h;
	uint8_t id[3];
	spinor_part part;     /* the table row, or one built from SFDP */
	bool known;           /* from the table: protection decoded; else "unknown" */
	bool forced;          /* --allow-wrong-memory-map against the ID */
	spd_etype erase[SPD_MAX_ERASE]; /* largest first */
	unsigned nerase;
	char chip[32], members[64], manual[16], sfdp_note[128];
	fk_chip_desc desc;
	fk_erase_unit *units;
	/* The last protection reading found nothing protected anywhere, and no instruction that
	 * could change that has been sent since (bus.prot_gen): spd_check need not read again. */
	bool all_clear;
	uint64_t all_clear_gen;
} spdrv;

/* The options schema: the non-volatile status fields by their semantic keys (W64 §7.1). */
static const fk_opt_field spd_opts[] = {
	{"bp", "0..7|0..15", "block protect BP2-0 (BP3-0 on Macronix): the size of the protected "
			     "range (status register 1)", false},
	{"tb", "0|1", "top/bottom: 1 protects from address 0 (SR1 bit 5; Macronix: configuration "
		      "register, one-time)", true},
	{"sec", "0|1", "sector/block: 1 counts the range in 4 KiB sectors (SR1 bit 6)", false},
	{"cmp", "0|1", "complement: 1 protects everything the BP/TB/SEC row does not (SR2 bit 6)",
	 false},
	{"srp", "0|1", "status register protect: 1 locks the status registers while /WP is low "
		       "(SR1 bit 7; SRWD on Macronix)", false},
	{"qe", "0|1", "quad enable: /WP and /HOLD become IO2/IO3 (SR2 bit 1)", false},
	{"wps", "0|1", "write protect selection: 1 uses the individual block locks instead of BP "
		       "(SR3 bit 2)", false},
};

/* ---------------------------------------------------------------- identification (pure) */

static bool spd_owns_name(const char *name)
{
	return strcasecmp(name, "spinor") == 0 || strcasecmp(name, "spi-nor") == 0 ||
	       spinor_part_by_key(name) != NULL;
}

/* Every JEDEC ID on the SPI path is ours: a known part, an unknown one (SFDP decides at attach),
 * or none at all (attach says no chip answered). No other family reads a JEDEC ID. */
static bool spd_match(const fk_chip_ids *ids, char *part, size_t n)
{
	if (ids->path != FK_PATH_SPI || !ids->have_jedec)
		return false;
	const spinor_part *p;
	spinor_id_kind k = spinor_id_classify(ids->jedec, &p);
	if (k == SPINOR_ID_KNOWN)
		fk_strlcpy(part, p->key, n);
	else if (k == SPINOR_ID_NONE)
		fk_strlcpy(part, "no chip", n);
	else
		snprintf(part, n, "spi-nor %02X%02X%02X", ids->jedec[0], ids->jedec[1], ids->jedec[2]);
	return true;
}

static bool spd_part_is(const fk_chip_ids *ids, const char *name)
{
	const spinor_part *p;
	spinor_id_kind k = spinor_id_classify(ids->jedec, &p);
	if (k == SPINOR_ID_NONE)
		return true; /* attach reports that no chip answered, whatever was named */
	return k == SPINOR_ID_KNOWN && strcasecmp(p->key, name) == 0;
}

/* ---------------------------------------------------------------- description */

static void spd_upper(char *out, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

/* An ID not in the table: size and erase types from SFDP (JESD216 BFPT); BUSY and WEL are where
 * every JEDEC part has them (SR1 bits 0 and 1); nothing else of the status register is assumed.
 * Timings: the W64 maxima, generous for any part (UNCONFIRMED for the unknown chip). */
static void spd_sfdp_part(spdrv *d, const spinor_sfdp_info *sf)
{
	spinor_part *p = &d->part;
	memset(p, 0, sizeof *p);
	p->key = "sfdp";
	p->name = "SPI NOR (from SFDP)";
	p->source = "JESD216 SFDP";
	memcpy(p->id, d->id, 3);
	p->size = sf->size;
	for (unsigned i = 0; i < SPINOR_NFIELDS; i++)
		p->bits[i].reg = SPINOR_NOREG;
	p->bits[SPINOR_BUSY] = (spinor_bitpos){SPINOR_SR1, 0};
	p->bits[SPINOR_WEL] = (spinor_bitpos){SPINOR_SR1, 1};
	p->nregs = 1;
	p->typ = (spinor_timing){10000, 400, 45000, 120000, 150000, 20000000};
	p->max = (spinor_timing){15000, 3000, 400000, 1600000, 2000000, 200000000};
	p->flashrom = "";
	d->nerase = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (!sf->erase[i].size || sf->erase[i].size > sf->size ||
		    sf->size % sf->erase[i].size || d->nerase == SPD_MAX_ERASE)
			continue;
		d->erase[d->nerase++] = (spd_etype){sf->erase[i].size, sf->erase[i].opcode};
	}
	/* largest first */
	for (unsigned i = 0; i < d->nerase; i++)
		for (unsigned j = i + 1; j < d->nerase; j++)
			if (d->erase[j].size > d->erase[i].size) {
				spd_etype t = d->erase[i];
				d->erase[i] = d->erase[j];
				d->erase[j] = t;
			}
}

static void spd_table_erase(spdrv *d)
{
	/* W64 §8.2.18-8.2.20: 64 KiB D8h, 32 KiB 52h, 4 KiB 20h (GD64, MX64 the same) */
	d->erase[0] = (spd_etype){SPINOR_BLOCK64, SPINOR_OP_BE64};
	d->erase[1] = (spd_etype){SPINOR_BLOCK32, SPINOR_OP_BE32};
	d->erase[2] = (spd_etype){SPINOR_SECTOR, SPINOR_OP_SE};
	d->nerase = 3;
}

static int spd_describe_fill(spdrv *d, fk_ctx *ctx)
{
	const spinor_part *p = &d->part;
	fk_chip_desc *c = &d->desc;
	uint32_t unit = d->erase[d->nerase - 1].size;
	unsigned n = p->size / unit;
	d->units = calloc(n, sizeof *d->units);
	if (!d->units)
		return fk_fail(ctx, FK_E_NOMEM, "a map of %u erase units", n);
	for (unsigned i = 0; i < n; i++)
		d->units[i] = (fk_erase_unit){i, i * unit, unit, 0};
	if (d->known) {
		fk_strlcpy(d->chip, p->key, sizeof d->chip);
		spd_upper(d->manual, sizeof d->manual, p->key);
	} else {
		snprintf(d->chip, sizeof d->chip, "spi-nor %02X%02X%02X", d->id[0], d->id[1], d->id[2]);
		fk_strlcpy(d->manual, "JESD216 SFDP", sizeof d->manual);
	}
	fk_strlcpy(d->members, p->name, sizeof d->members);
	c->family = "spinor";
	c->part = d->chip;
	c->members = d->members;
	c->manual = d->manual;
	c->revision = "-";
	c->dev_id = (uint16_t)(d->id[1] << 8 | d->id[2]);
	c->rev_id = d->id[0];
	c->flash_base = 0;
	c->flash_size = p->size;
	c->nunits = n;
	c->units = d->units;
	c->nareas = 0; /* security registers and SFDP are separate address spaces (48h, 5Ah) */
	c->option_base = 0;
	c->option_reg = "status registers (05h/35h/15h)";
	/* Security registers: their own instructions, not the array's addresses (otp_read).
	 * Winbond/GigaDevice: each register has its own one-time lock bit, LB1-3 in SR2 (W64
	 * §7.1); Macronix: one secured OTP area locked as a whole by LDSO (MX64). */
	if (p->flags & SPINOR_F_MX_OTP)
		c->otp = (fk_otp_desc){p->secreg_count, p->secreg_size, 0, 0, FK_OTP_LOCK_REGION,
				       0xFF, SPD_MX_OTP_SRC, "LDSO"};
	else if (p->flags & SPINOR_F_SECREG)
		c->otp = (fk_otp_desc){p->secreg_count, p->secreg_size, 0, 0, FK_OTP_LOCK_BIT,
				       0xFF, SPD_SECREG_SRC, "LB"};
	c->nwidths = 0;
	c->nopts = d->known ? FK_ARRAY_SIZE(spd_opts) : 0;
	c->opts = spd_opts;
	c->opt_reg_prefix = "SR";
	c->mass_erase_how = "chip erase C7h";
	c->program_source = d->known ? p->source : "JESD216";
	return FK_OK;
}

/* ---------------------------------------------------------------- attach */

static int spd_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		      const char *force_part, void **state)
{
	*state = NULL;
	if (path->kind != FK_PATH_SPI || !path->spi)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: SPI NOR flash needs a SPI programmer "
			       "(serprog:, twin-spi:)", path->t->description);
	spdrv *d = calloc(1, sizeof *d);
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the SPI NOR driver");
	d->ops = path->spi;
	d->h = path->spi_h;
	memcpy(d->id, ids->jedec, 3);
	int rc = spinor_bus_init(&d->bus, ctx, d->ops, d->h);
	const spinor_part *p = NULL;
	spinor_id_kind k = spinor_id_classify(d->id, &p);
	if (!rc && k == SPINOR_ID_NONE)
		rc = spinor_fail_no_chip(ctx, d->id, path->t->description);
	if (!rc && force_part) {
		p = spinor_part_by_key(force_part);
		d->forced = true;
		if (!p)
			rc = fk_fail(ctx, FK_E_UNKNOWN_CHIP, "--chip %s: not a SPI NOR part in the "
				     "table", force_part);
	}
	if (!rc && p) {
		d->part = *p;
		d->known = true;
		spd_table_erase(d);
	} else if (!rc) {
		spinor_ident id;
		rc = spinor_identify(&d->bus, &id);
		if (!rc && id.kind != SPINOR_ID_SFDP) {
			fk_hint(ctx, "give the part with --chip NAME --allow-wrong-memory-map if you know "
				"it (flashkey list shows the parts), or check the wiring");
			rc = fk_fail(ctx, FK_E_UNKNOWN_CHIP, "JEDEC ID %02X %02X %02X is not in the "
				     "table and its SFDP is not usable (%s); refusing to guess its "
				     "size; nothing was written", d->id[0], d->id[1], d->id[2],
				     id.sfdp_err[0] ? id.sfdp_err : "no SFDP");
		}
		if (!rc) {
			spd_sfdp_part(d, &id.sfdp);
			if (!d->nerase)
				rc = fk_fail(ctx, FK_E_UNKNOWN_CHIP, "JEDEC ID %02X %02X %02X: SFDP "
					     "gives no erase type that tiles %u bytes", d->id[0],
					     d->id[1], d->id[2], id.sfdp.size);
			else
				fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "JEDEC ID %02X %02X %02X is "
				       "not in the table: size %u KiB and erase types from SFDP "
				       "%u.%u; its protection bits are unknown", d->id[0], d->id[1],
				       d->id[2], id.sfdp.size / 1024U, id.sfdp.major, id.sfdp.minor);
		}
	}
	if (!rc)
		rc = spd_describe_fill(d, ctx);
	if (rc) {
		spinor_bus_free(&d->bus);
		free(d->units);
		free(d);
		return rc;
	}
	*state = d;
	return FK_OK;
}

static void spd_detach(void *state)
{
	spdrv *d = state;
	if (!d)
		return;
	spinor_bus_free(&d->bus);
	free(d->units);
	free(d);
}

static const fk_chip_desc *spd_describe(void *state)
{
	return &((spdrv *)state)->desc;
}

static const char *spd_path_name(void *state)
{
	(void)state;
	return "spi";
}

/* ---------------------------------------------------------------- reading the protection */

static spinor_bus *spd_bus(spdrv *d, fk_ctx *ctx)
{
	d->bus.ctx = ctx;
	return &d->bus;
}

static int spd_wp(spdrv *d, fk_ctx *ctx)
{
	return d->ops->wp_level ? d->ops->wp_level(d->h, ctx) : -1;
}

/* The block-lock units that read locked (3Dh), as a bitmap of spinor_lock_units() bits. */
static int spd_read_locks(spdrv *d, fk_ctx *ctx, uint8_t *bits, unsigned *count)
{
	const spinor_part *p = &d->part;
	unsigned n = spinor_lock_units(p);
	*count = 0;
	memset(bits, 0, (n + 7) / 8);
	for (unsigned u = 0; u < n; u++) {
		uint32_t a, l;
		bool locked;
		spinor_lock_unit_range(p, u, &a, &l);
		int rc = spinor_read_lock(spd_bus(d, ctx), a, &locked);
		if (rc)
			return rc;
		if (locked) {
			bits[u / 8] |= (uint8_t)(1U << (u % 8));
			(*count)++;
		}
	}
	return FK_OK;
}

typedef struct spd_state {
	uint8_t regs[SPINOR_NREGS];
	spinor_prot pr;
	uint8_t locks[(32U + 256U + 7U) / 8U]; /* up to 16 MiB: 32 + 254 units */
	unsigned nlocked;
} spd_state;

static int spd_read_state(spdrv *d, fk_ctx *ctx, bool with_locks, spd_state *st)
{
	memset(st, 0, sizeof *st);
	int rc = spinor_read_regs(spd_bus(d, ctx), &d->part, st->regs);
	if (rc)
		return rc;
	spinor_prot_decode(&d->part, st->regs, spd_wp(d, ctx), &st->pr);
	if (d->known && st->pr.wps && with_locks &&
	    spinor_lock_units(&d->part) <= sizeof st->locks * 8U) {
		rc = spd_read_locks(d, ctx, st->locks, &st->nlocked);
		st->pr.locked_units = st->nlocked;
	}
	return rc;
}

static bool spd_unit_locked(const spd_state *st, unsigned u)
{
	return (st->locks[u / 8] >> (u % 8)) & 1U;
}

static void spd_bits_text(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], char *out,
			  size_t n)
{
	unsigned nbp;
	unsigned bp = spinor_bp(p, regs, &nbp);
	out[0] = '\0';
	fk_snprintf_cat(out, n, "BP%u-0=", nbp ? nbp - 1 : 0);
	for (unsigned i = nbp; i-- > 0;)
		fk_snprintf_cat(out, n, "%u", (bp >> i) & 1U);
	static const spinor_field f[] = {SPINOR_TB, SPINOR_SEC, SPINOR_CMP};
	static const char *const name[] = {"TB", "SEC", "CMP"};
	for (unsigned i = 0; i < 3; i++)
		if (spinor_has(p, f[i]))
			fk_snprintf_cat(out, n, " %s=%d", name[i], spinor_get(p, regs, f[i]));
}

static void spd_regs_raw(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], char *out,
			 size_t n)
{
	out[0] = '\0';
	for (unsigned r = 0; r < p->nregs; r++)
		fk_snprintf_cat(out, n, "%s%s=0x%02X", r ? " " : "",
				r == 1 && (p->flags & SPINOR_F_CR_15H) ? "CR" : r == 0 ? "SR1"
				: r == 1 ? "SR2" : "SR3", regs[r]);
}

/* Is [addr, addr+len) protected now? *why receives the bits and the protected addresses. */
static bool spd_blocked(spdrv *d, const spd_state *st, uint32_t addr, uint32_t len, char *why,
			size_t n)
{
	const spinor_part *p = &d->part;
	uint64_t end = (uint64_t)addr + len;
	why[0] = '\0';
	if (!d->known || !len)
		return false;
	if (st->pr.wps) {
		unsigned nu = spinor_lock_units(p);
		for (unsigned u = 0; u < nu; u++) {
			uint32_t a, l;
			spinor_lock_unit_range(p, u, &a, &l);
			if (!spd_unit_locked(st, u) || (uint64_t)a >= end || addr >= a + l)
				continue;
			snprintf(why, n, "WPS=1 and the block lock of 0x%06X-0x%06X is set (3Dh reads "
				 "1; W64 §7.1.13: all block locks are set at power-up)", a, a + l - 1U);
			return true;
		}
		return false;
	}
	if (!st->pr.len || (uint64_t)st->pr.start >= end || addr >= (uint64_t)st->pr.start + st->pr.len)
		return false;
	char bits[64], range[80];
	spd_bits_text(p, st->regs, bits, sizeof bits);
	spinor_range_text(p, st->pr.start, st->pr.len, range, sizeof range);
	snprintf(why, n, "%s protect %s (W64 §7.1)", bits, range);
	return true;
}

static int spd_check(spdrv *d, fk_ctx *ctx, uint32_t addr, uint32_t len, const char *what,
		     bool may_cache)
{
	spd_state st;
	char why[240];
	if (!d->known)
		return FK_OK; /* unknown bits: the read-back after the operation decides */
	/* a program (each sector of a write) after a reading that found nothing protected and no
	 * instruction since that could change it: the chip would ignore a refused program, and
	 * the read-back verify would find it; an erase always reads again */
	if (may_cache && d->all_clear && d->all_clear_gen == d->bus.prot_gen)
		return FK_OK;
	int rc = spd_read_state(d, ctx, true, &st);
	if (rc)
		return fk_fail_wrap(ctx, rc, "%s: reading the protection state", what);
	d->all_clear = !spd_blocked(d, &st, 0, d->part.size, why, sizeof why);
	d->all_clear_gen = d->bus.prot_gen;
	if (!spd_blocked(d, &st, addr, len, why, sizeof why))
		return FK_OK;
	fk_hint(ctx, "the chip would ignore the %s there without any error bit; remove the "
		"protection with `flashkey unlock` (a volatile clear first: it lasts until the next "
		"power cycle), then run this again", what);
	return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%06X-0x%06X: %s; nothing was erased or written",
		       what, addr, addr + len - 1U, why);
}

/* ---------------------------------------------------------------- inventory */

static void spd_opt(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
	FK_PRINTF(4, 5);
static void spd_opt(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
{
	if (inv->nopts >= FK_INV_MAX_OPTS)
		return;
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, key, sizeof o->key);
	o->value = v;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof o->text, fmt, ap);
	va_end(ap);
}

static fk_lock *spd_lock(fk_inventory *inv, fk_lock_kind kind, const char *name)
{
	if (inv->nlocks >= FK_INV_MAX_LOCKS)
		return NULL;
	fk_lock *l = &inv->locks[inv->nlocks++];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	fk_strlcpy(l->name, name, sizeof l->name);
	l->step = -1;
	return l;
}

static void spd_inv_opts(const spinor_part *p, const spd_state *st, fk_inventory *inv)
{
	const uint8_t *r = st->regs;
	unsigned nbp;
	unsigned bp = spinor_bp(p, r, &nbp);
	char range[80];
	spinor_range_text(p, st->pr.start, st->pr.len, range, sizeof range);
	spd_opt(inv, "busy", (uint32_t)spinor_get(p, r, SPINOR_BUSY), "%s",
		spinor_get(p, r, SPINOR_BUSY) ? "1: an erase/program/write is running" : "0: idle");
	spd_opt(inv, "wel", (uint32_t)spinor_get(p, r, SPINOR_WEL), "%s",
		spinor_get(p, r, SPINOR_WEL) ? "1: write enabled (06h given)" : "0: write disabled");
	if (nbp)
		spd_opt(inv, "bp", bp, "%u (BP%u-0): %s%s", bp, nbp - 1, st->pr.wps ? "ignored (WPS=1), "
			: "", st->pr.wps ? "" : range);
	static const struct {
		spinor_field f;
		const char *key, *one, *zero;
	} bits[] = {
		{SPINOR_TB, "tb", "1: range counted from the bottom", "0: range counted from the top"},
		{SPINOR_SEC, "sec", "1: range in 4 KiB sectors", "0: range in 64 KiB blocks"},
		{SPINOR_CMP, "cmp", "1: protection complemented", "0: not complemented"},
		{SPINOR_SRP0, "srp", "1: status register locked while /WP is low",
		 "0: status register writable after WREN"},
		{SPINOR_SRL, "srl", "1: status register locked until power cycle", "0: not locked down"},
		{SPINOR_QE, "qe", "1: quad enabled: pins 3 and 7 also serve as IO2/IO3",
		 "0: quad disabled"},
		{SPINOR_LB1, "lb1", "1: security register 1 locked for good", "0: security register 1 "
		 "writable"},
		{SPINOR_LB2, "lb2", "1: security register 2 locked for good", "0: security register 2 "
		 "writable"},
		{SPINOR_LB3, "lb3", "1: security register 3 locked for good", "0: security register 3 "
		 "writable"},
		{SPINOR_SUS, "sus", "1: erase/program suspended", "0: not suspended"},
		{SPINOR_WPS, "wps", "1: individual block locks (BP ignored)", "0: BP/TB/SEC/CMP ranges"},
	};
	for (unsigned i = 0; i < FK_ARRAY_SIZE(bits); i++) {
		int v = spinor_get(p, r, bits[i].f);
		if (v >= 0)
			spd_opt(inv, bits[i].key, (uint32_t)v, "%s", v ? bits[i].one : bits[i].zero);
	}
	if (spinor_has(p, SPINOR_DRV0)) {
		static const char *const drv[] = {"100 %", "75 %", "50 %", "25 %"};
		unsigned v = (unsigned)spinor_get(p, r, SPINOR_DRV0) |
			     (unsigned)spinor_get(p, r, SPINOR_DRV1) << 1;
		spd_opt(inv, "drv", v, "%u: output driver strength %s", v, drv[v]);
	}
	int wp = st->pr.wp_level;
	spd_opt(inv, "wp", wp < 0 ? 0xFFFFFFFFU : (uint32_t)wp, "%s",
		wp < 0 ? "unknown: this programmer cannot sense /WP (pin 3)"
		       : wp ? "/WP (pin 3) high" : "/WP (pin 3) low");
}

/* The BP range, or each run of locked units (WPS=1), as write-blocking locks. */
static void spd_inv_ranges(spdrv *d, const spd_state *st, const char *raw, fk_inventory *inv)
{
	const spinor_part *p = &d->part;
	const char *remedy = "unlock: volatile clear (50h + WRSR, until the next power cycle), then "
			     "the non-volatile clear (06h + WRSR); no data is lost";
	if (!st->pr.wps) {
		if (!st->pr.len)
			return;
		fk_lock *l = spd_lock(inv, FK_LOCK_SPI_BP, "BP range");
		char bits[64], range[80];
		spd_bits_text(p, st->regs, bits, sizeof bits);
		spinor_range_text(p, st->pr.start, st->pr.len, range, sizeof range);
		snprintf(l->state, sizeof l->state, "%s protected (%s)", range, bits);
		fk_strlcpy(l->raw, raw, sizeof l->raw);
		l->blocks_write = true;
		l->range_addr = st->pr.start;
		l->range_len = st->pr.len;
		l->step = (p->flags & SPINOR_F_VOLATILE_SR) ? FK_STEP_OPT : FK_STEP_WRP;
		l->reversible = true;
		fk_strlcpy(l->remedy, (p->flags & SPINOR_F_VOLATILE_SR) ? remedy
			   : "unlock: non-volatile clear (06h + WRSR BP=0); no data is lost",
			   sizeof l->remedy);
		return;
	}
	unsigned nu = spinor_lock_units(p);
	for (unsigned u = 0; u < nu; u++) {
		if (!spd_unit_locked(st, u) || (u && spd_unit_locked(st, u - 1)))
			continue;
		unsigned v = u;
		while (v + 1 < nu && spd_unit_locked(st, v + 1))
			v++;
		uint32_t a, l0, b, l1;
		spinor_lock_unit_range(p, u, &a, &l0);
		spinor_lock_unit_range(p, v, &b, &l1);
		fk_lock *l = spd_lock(inv, FK_LOCK_SPI_BP, "block locks");
		if (!l)
			return;
		snprintf(l->state, sizeof l->state, "0x%06X-0x%06X locked (%u unit%s, WPS=1; 3Dh "
			 "reads 1)", a, b + l1 - 1U, v - u + 1U, v > u ? "s" : "");
		fk_strlcpy(l->raw, raw, sizeof l->raw);
		l->blocks_write = true;
		l->range_addr = a;
		l->range_len = b + l1 - a;
		l->step = FK_STEP_OPT;
		l->reversible = true;
		fk_strlcpy(l->remedy, "unlock: global block unlock (98h, until the next power cycle), "
			   "then WPS=0 (non-volatile); no data is lost", sizeof l->remedy);
	}
}

static void spd_inv_srp(spdrv *d, const spd_state *st, const char *raw, fk_inventory *inv)
{
	const spinor_prot *pr = &st->pr;
	if (pr->srp == SPINOR_SRP_SOFTWARE)
		return;
	fk_lock *l = spd_lock(inv, FK_LOCK_SPI_BP, "status register");
	if (!l)
		return;
	spinor_srp_text(pr, l->state, sizeof l->state);
	fk_strlcpy(l->raw, raw, sizeof l->raw);
	l->reversible = true;
	switch (pr->srp) {
	case SPINOR_SRP_HW:
		if (pr->wp_level == 0) {
			l->pending = FK_PENDING_NONE;
			fk_strlcpy(l->remedy, "hold /WP (pin 3) high, e.g. tie it to VCC; then the "
				   "status register takes writes again (SRP stays 1)", sizeof l->remedy);
		} else {
			l->step = FK_STEP_WRP;
			fk_strlcpy(l->remedy, pr->wp_level == 1
				   ? "/WP is high: the status register is writable; nothing to do"
				   : "writable while /WP (pin 3) is high: keep it high during unlock",
				   sizeof l->remedy);
		}
		break;
	case SPINOR_SRP_POWER:
		l->pending = FK_PENDING_POWER_ON;
		fk_strlcpy(l->remedy, "power-cycle the chip (SRL returns to 0 at power-up, W64 §7.1 "
			   "note 1), then unlock", sizeof l->remedy);
		break;
	case SPINOR_SRP_PERMANENT:
		l->cost = FK_COST_IMPOSSIBLE;
		l->reversible = false;
		fk_strlcpy(l->remedy, "none: the status register is one-time programmed; only "
			   "unprotected addresses can be written", sizeof l->remedy);
		break;
	case SPINOR_SRP_SOFTWARE:
		break;
	}
	(void)d;
}

/* Security registers: written (any byte not 0xFF) and locked (LB1-3; Macronix: the secured OTP
 * area's LDSO/factory lock bits in RDSCUR 2Bh). */
static int spd_inv_secregs(spdrv *d, fk_ctx *ctx, const spd_state *st, fk_inventory *inv)
{
	const spinor_part *p = &d->part;
	if (!d->known || !(p->flags & (SPINOR_F_SECREG | SPINOR_F_MX_OTP)))
		return FK_OK;
	uint8_t scur = 0;
	if (p->flags & SPINOR_F_MX_OTP) {
		const uint8_t op = 0x2B; /* RDSCUR (MX64) */
		int rc = spinor_xfer(spd_bus(d, ctx), &op, 1, &scur, 1);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading the security register (2Bh)");
	}
	for (unsigned i = 0; i < p->secreg_count && inv->notp < FK_INV_MAX_OTP; i++) {
		uint8_t buf[512];
		size_t sz = FK_MIN((size_t)p->secreg_size, sizeof buf);
		int rc = spinor_secreg_read(spd_bus(d, ctx), p, i + 1, buf, sz);
		if (rc)
			return rc;
		fk_otp_info *o = &inv->otp[inv->notp++];
		o->readable = true;
		for (size_t k = 0; k < sz; k++)
			o->written |= buf[k] != 0xFF;
		o->locked = (p->flags & SPINOR_F_MX_OTP)
				    ? (scur & 0x03U) != 0
				    : spinor_get(p, st->regs, (spinor_field)(SPINOR_LB1 + i)) == 1;
		o->lock_byte = o->locked ? 0x00 : 0xFF;
		if (!o->locked)
			continue;
		char name[32];
		snprintf(name, sizeof name, "security register %u", i + 1);
		fk_lock *l = spd_lock(inv, FK_LOCK_OTP, name);
		if (!l)
			continue;
		snprintf(l->state, sizeof l->state, "locked for good (%s=1)%s",
			 (p->flags & SPINOR_F_MX_OTP) ? "LDSO/factory lock" : (i == 0 ? "LB1" : i == 1
			 ? "LB2" : "LB3"), o->written ? ", holds data" : ", blank");
		l->cost = FK_COST_IMPOSSIBLE;
		fk_strlcpy(l->remedy, "none: a lock bit is one-time programmable (W64 §7.1.8); the "
			   "main array is not affected", sizeof l->remedy);
	}
	return FK_OK;
}

static int spd_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	spdrv *d = state;
	const spinor_part *p = &d->part;
	spd_state st;
	memset(inv, 0, sizeof *inv);
	fk_strlcpy(inv->chip, d->chip, sizeof inv->chip);
	fk_strlcpy(inv->family, "spinor", sizeof inv->family);
	fk_strlcpy(inv->path, "spi", sizeof inv->path);
	inv->dev_id = d->desc.dev_id;
	fk_strlcpy(inv->revision, "-", sizeof inv->revision);
	inv->flash_base = 0;
	inv->flash_size = p->size;
	inv->rdp_level = -1;
	inv->flash_readable = true;
	int rc = spd_read_state(d, ctx, true, &st);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the status registers");
	char raw[96];
	spd_regs_raw(p, st.regs, raw, sizeof raw);
	for (unsigned r = 0; r < p->nregs && inv->nregs < FK_INV_MAX_REGS; r++) {
		fk_reg_value *v = &inv->regs[inv->nregs++];
		fk_strlcpy(v->name, r == 0 ? "SR1" : r == 1 && (p->flags & SPINOR_F_CR_15H) ? "CR"
			   : r == 1 ? "SR2" : "SR3", sizeof v->name);
		v->value = st.regs[r];
		v->valid = true;
	}
	if (!d->known) {
		fk_lock *l = spd_lock(inv, FK_LOCK_SPI_BP, "protection");
		snprintf(l->state, sizeof l->state, "unknown: JEDEC ID %02X %02X %02X is not in the "
			 "table; SR1=0x%02X, its bits other than BUSY/WEL are not decoded", d->id[0],
			 d->id[1], d->id[2], st.regs[0]);
		fk_strlcpy(l->raw, raw, sizeof l->raw);
		l->cost = FK_COST_NOTHING;
		fk_strlcpy(l->remedy, "none attempted: flashkey does not write status bits it cannot "
			   "decode; a write is verified, so protection shows as a verify failure",
			   sizeof l->remedy);
		spd_opt(inv, "busy", (uint32_t)(st.regs[0] & 1U), "%s",
			st.regs[0] & 1U ? "1: busy" : "0: idle");
		return FK_OK;
	}
	spd_inv_opts(p, &st, inv);
	spd_inv_ranges(d, &st, raw, inv);
	spd_inv_srp(d, &st, raw, inv);
	rc = spd_inv_secregs(d, ctx, &st, inv);
	for (unsigned i = 0; i < inv->nlocks; i++)
		inv->write_blocked |= inv->locks[i].blocks_write;
	return rc;
}

/* ---------------------------------------------------------------- unlock: plan and step */

#define SPD_STEP_VOL "volatile"
#define SPD_STEP_NV "nonvolatile"

static uint32_t spd_pack(const uint8_t r[SPINOR_NREGS])
{
	return (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16;
}

static void spd_unpack(uint32_t v, uint8_t r[SPINOR_NREGS])
{
	r[0] = (uint8_t)v;
	r[1] = (uint8_t)(v >> 8);
	r[2] = (uint8_t)(v >> 16);
}

/* One key=value of the options schema into target (W64 §7.1: the non-volatile bits WRSR
 * changes; Macronix TB and LB bits are one-time: 1 -> 0 impossible, 0 -> 1 irreversible). */
static int spd_opt_apply(spdrv *d, fk_ctx *ctx, const char *kv, uint8_t t[SPINOR_NREGS],
			 bool *irreversible)
{
	const spinor_part *p = &d->part;
	char key[16];
	uint32_t v;
	const char *eq = strchr(kv, '=');
	if (!eq || (size_t)(eq - kv) >= sizeof key) {
		fk_hint(ctx, "keys: bp, tb, sec, cmp, srp, qe, wps (as `flashkey options show` names "
			"them)");
		return fk_fail(ctx, FK_E_USAGE, "options set %s: expected KEY=VALUE", kv);
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	if (fk_parse_u32(eq + 1, &v))
		return fk_fail(ctx, FK_E_USAGE, "options set %s: the value is not a number", kv);
	if (strcmp(key, "bp") == 0) {
		unsigned nbp;
		spinor_bp(p, t, &nbp);
		if (v >= (1U << nbp))
			return fk_fail(ctx, FK_E_USAGE, "options set %s: %s has BP%u-0, values 0..%u",
				       kv, p->name, nbp - 1, (1U << nbp) - 1);
		for (unsigned i = 0; i < nbp; i++)
			spinor_set(p, t, (spinor_field)(SPINOR_BP0 + i), (v >> i) & 1U);
		return FK_OK;
	}
	static const struct {
		const char *key;
		spinor_field f;
	} keys[] = {{"tb", SPINOR_TB}, {"sec", SPINOR_SEC}, {"cmp", SPINOR_CMP},
		    {"srp", SPINOR_SRP0}, {"qe", SPINOR_QE}, {"wps", SPINOR_WPS}};
	for (unsigned i = 0; i < FK_ARRAY_SIZE(keys); i++) {
		if (strcmp(key, keys[i].key))
			continue;
		spinor_field f = keys[i].f;
		if (!spinor_has(p, f))
			return fk_fail(ctx, FK_E_UNSUPPORTED, "options set %s: %s has no %s bit", kv,
				       p->name, key);
		if (v > 1)
			return fk_fail(ctx, FK_E_USAGE, "options set %s: 0 or 1", kv);
		spinor_bitpos b = p->bits[f];
		int cur = spinor_get(p, t, f);
		if (f == SPINOR_QE && (p->flags & SPINOR_F_QE_FIXED) && !v)
			return fk_fail(ctx, FK_E_UNSUPPORTED, "options set qe=0: QE is fixed at 1 on "
				       "%s (W64 §7.1.10, -IQ/-JQ ordering codes)", p->name);
		if (!((p->wmask[b.reg] >> b.bit) & 1U))
			return fk_fail(ctx, FK_E_UNSUPPORTED, "options set %s: the %s bit of %s is "
				       "not writable", kv, key, p->name);
		if (((p->otp_mask[b.reg] >> b.bit) & 1U) && cur == 1 && !v)
			return fk_fail(ctx, FK_E_PROTECTED, "options set %s: %s is one-time "
				       "programmable on %s and already 1: it can never return to 0",
				       kv, key, p->name);
		if (((p->otp_mask[b.reg] >> b.bit) & 1U) && cur == 0 && v)
			*irreversible = true;
		spinor_set(p, t, f, v != 0);
		return FK_OK;
	}
	fk_hint(ctx, "keys: bp, tb, sec, cmp, srp, qe, wps");
	return fk_fail(ctx, FK_E_USAGE, "options set %s: unknown key %s", kv, key);
}

/* options set: one non-volatile status write (06h + WRSR) of the changed registers, refused
 * while the status register is locked (SRL, /WP low with SRP=1, one-time lock). */
static int spd_plan_options(spdrv *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	const spinor_part *p = &d->part;
	if (!d->known)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "JEDEC ID %02X %02X %02X is not in the table: "
			       "its status bits are unknown, flashkey does not write them", d->id[0],
			       d->id[1], d->id[2]);
	spd_state st;
	int rc = spd_read_state(d, ctx, false, &st);
	if (rc)
		return rc;
	uint8_t t[SPINOR_NREGS];
	bool irr = false;
	memcpy(t, st.regs, sizeof t);
	for (unsigned i = 0; i < req->nkv && !rc; i++)
		rc = spd_opt_apply(d, ctx, req->kv[i], t, &irr);
	if (rc)
		return rc;
	unsigned mask = 0;
	for (unsigned r = 0; r < p->nregs; r++)
		if ((t[r] ^ st.regs[r]) & p->wmask[r])
			mask |= 1U << r;
	if (!mask) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	fk_step *s = &plan->steps[plan->nsteps++];
	memset(s, 0, sizeof *s);
	s->id = FK_STEP_WRP;
	s->name = "status";
	char bits[64], range[80];
	uint32_t a, l;
	spd_bits_text(p, t, bits, sizeof bits);
	spinor_prot_range(p, t, &a, &l);
	spinor_range_text(p, a, l, range, sizeof range);
	s->what[0] = '\0'; /* cut, never overflowed, if it were long */
	fk_snprintf_cat(s->what, sizeof s->what, "non-volatile status write 06h + WRSR (%s%s%s): ",
			mask & 1U ? "SR1" : "", mask & 2U ? " SR2" : "", mask & 4U ? " SR3" : "");
	fk_snprintf_cat(s->what, sizeof s->what, "%s, protected %s", bits, range);
	fk_strlcpy(s->cost_text, irr ? "nothing erased; a one-time bit is set for good"
				     : "nothing: no data is lost", sizeof s->cost_text);
	s->irreversible = irr;
	s->value[0] = spd_pack(t);
	s->value[1] = mask;
	char why[240];
	spinor_blocker_text(&st.pr, why, sizeof why);
	if (why[0]) {
		s->refused = true;
		fk_strlcpy(s->why, why, sizeof s->why);
		if (st.pr.srp == SPINOR_SRP_POWER)
			s->pending = FK_PENDING_POWER_ON;
	}
	return FK_OK;
}

/* ---------------------------------------------------------------- security registers (otp) */

/* The lock of OTP block `block`: "LB2" (security register 2's bit in SR2) or "LDSO". */
static void spd_lb_name(const spinor_part *p, unsigned block, char *out, size_t n)
{
	if (p->flags & SPINOR_F_MX_OTP)
		fk_strlcpy(out, "LDSO", n);
	else
		snprintf(out, n, "LB%u", block + 1);
}

/* Is block `block` locked: LBn in SR2 (W64 §7.1), or on Macronix the factory lock (bit 0) or
 * LDSO (bit 1) of RDSCUR 2Bh (MX64). */
static int spd_otp_locked(spdrv *d, fk_ctx *ctx, unsigned block, bool *locked)
{
	const spinor_part *p = &d->part;
	*locked = true;
	if (p->flags & SPINOR_F_MX_OTP) {
		uint8_t scur = 0;
		int rc = spinor_mx_rdscur(spd_bus(d, ctx), &scur);
		*locked = (scur & 0x03U) != 0;
		return rc;
	}
	uint8_t regs[SPINOR_NREGS];
	int rc = spinor_read_regs(spd_bus(d, ctx), p, regs);
	if (!rc)
		*locked = spinor_get(p, regs, (spinor_field)(SPINOR_LB1 + block)) == 1;
	return rc;
}

static int spd_otp_read(void *state, fk_ctx *ctx, unsigned block, uint8_t *buf, unsigned len,
			bool *locked)
{
	spdrv *d = state;
	const spinor_part *p = &d->part;
	if (!d->known || !(p->flags & (SPINOR_F_SECREG | SPINOR_F_MX_OTP)) ||
	    block >= p->secreg_count || len > p->secreg_size)
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u (%u bytes): the %s has %u security "
			       "register%s of %u bytes", block, len, d->chip, p->secreg_count,
			       p->secreg_count == 1 ? "" : "s", p->secreg_size);
	int rc = spinor_secreg_read(spd_bus(d, ctx), p, block + 1, buf, len);
	return rc ? rc : spd_otp_locked(d, ctx, block, locked);
}

/* Writes and locks only where the scheme is the part's own, confirmed one. */
static int spd_otp_can(spdrv *d, fk_ctx *ctx, const char *what)
{
	const spinor_part *p = &d->part;
	if (!d->known || !(p->flags & (SPINOR_F_SECREG | SPINOR_F_MX_OTP)))
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the %s has no security registers that "
			       "flashkey knows", what, d->chip);
	if (p->flags & SPINOR_F_OTP_UNCONFIRMED) {
		fk_hint(ctx, "`flashkey otp show` reads them; program them with a tool that has "
			"the %s's datasheet layout", p->name);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the %s's security registers (%u of %u "
			       "bytes, 42h, LB1-%u in SR2) are modelled on Winbond's, UNCONFIRMED "
			       "from its own datasheet (lib/devices/spinor.c); flashkey does not "
			       "program or lock one-time bits on a guess; nothing was written", what,
			       p->name, p->secreg_count, p->secreg_size, p->secreg_count);
	}
	return FK_OK;
}

/* OTP_WRITE: payload = block, offset (2 bytes, little-endian), length, the bytes. */
static int spd_plan_otp_write(spdrv *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	const spinor_part *p = &d->part;
	bool mx = (p->flags & SPINOR_F_MX_OTP) != 0;
	unsigned block = req->block, off = req->off, len = req->len, changed = 0;
	uint8_t cur[SPD_OTP_MAX];
	bool locked = true;
	char lb[8];
	int rc = spd_otp_can(d, ctx, "otp write");
	if (rc)
		return rc;
	if (block >= p->secreg_count || !len || !req->data || p->secreg_size > sizeof cur ||
	    !fk_span_ok(off, len, p->secreg_size))
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u, %u bytes at offset %u: the %s has "
			       "blocks 0-%u of %u bytes", block, len, off, d->chip,
			       p->secreg_count - 1U, p->secreg_size);
	if (len > sizeof plan->steps[0].payload - 4U)
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u: %u bytes in one write; at most %zu "
			       "(use --offset for the rest)", block, len,
			       sizeof plan->steps[0].payload - 4U);
	rc = spd_otp_read(d, ctx, block, cur, p->secreg_size, &locked);
	if (rc)
		return rc;
	spd_lb_name(p, block, lb, sizeof lb);
	if (locked)
		return fk_fail(ctx, FK_E_PROTECTED, "OTP block %u is locked (%s = 1 in %s): it is "
			       "read-only for good (%s); nothing was written", block, lb,
			       mx ? "RDSCUR 2Bh" : "status register 2", mx ? SPD_MX_OTP_SRC
			       : SPD_SECREG_SRC);
	for (unsigned i = 0; i < len; i++) {
		uint8_t old = cur[off + i], nw = req->data[i];
		if (nw & ~old) {
			if (!mx)
				fk_hint(ctx, "only Erase Security Register (44h) sets a whole register "
					"back to 0xFF while %s = 0; flashkey does not issue it", lb);
			return fk_fail(ctx, FK_E_PROTECTED, "OTP block %u byte %u: 0x%02X -> 0x%02X "
				       "needs bits 0x%02X to go 0 -> 1; a program only clears bits; "
				       "nothing was written", block, off + i, old, nw,
				       (unsigned)(nw & ~old));
		}
		changed += nw != old;
	}
	if (!changed) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	fk_step *s = fk_plan_step_add(plan, FK_STEP_OTP_WRITE);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "spinor: plan full");
	s->payload[0] = (uint8_t)block;
	s->payload[1] = (uint8_t)off;
	s->payload[2] = (uint8_t)(off >> 8);
	s->payload[3] = (uint8_t)len;
	memcpy(s->payload + 4, req->data, len);
	if (mx)
		snprintf(s->what, sizeof s->what, "ENSO B1h, WREN + page program 02h of %u byte%s "
			 "at 0x%03X of the secured OTP area (%u change), EXSO C1h; read back", len,
			 len == 1 ? "" : "s", off, changed);
	else
		snprintf(s->what, sizeof s->what, "WREN + Program Security Register 42h: %u byte%s "
			 "at 0x%06X (security register %u, offset %u; %u change), read back", len,
			 len == 1 ? "" : "s", ((block + 1U) << 12) + off, block + 1U, off, changed);
	if (mx)
		fk_strlcpy(s->cost_text, "PERMANENT: programmed bits stay 0; the secured OTP area "
			   "cannot be erased (MX64)", sizeof s->cost_text);
	else
		snprintf(s->cost_text, sizeof s->cost_text, "PERMANENT for flashkey: programmed bits "
			 "stay 0 (only Erase Security Register 44h, never issued by flashkey, resets "
			 "the register while %s = 0)", lb);
	s->cost = FK_COST_IMPOSSIBLE;
	s->irreversible = true;
	return FK_OK;
}

/* OTP_LOCK: LBn := 1 by a non-volatile status write (W64 §7.1), or WRSCUR (MX64): one-time. */
static int spd_plan_otp_lock(spdrv *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	const spinor_part *p = &d->part;
	bool mx = (p->flags & SPINOR_F_MX_OTP) != 0, locked = true;
	char lb[8];
	int rc = spd_otp_can(d, ctx, "otp lock");
	if (rc)
		return rc;
	if (req->block >= p->secreg_count)
		return fk_fail(ctx, FK_E_RANGE, "OTP block %u: the %s has blocks 0-%u", req->block,
			       d->chip, p->secreg_count - 1U);
	rc = spd_otp_locked(d, ctx, req->block, &locked);
	if (rc)
		return rc;
	if (locked) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	spd_lb_name(p, req->block, lb, sizeof lb);
	fk_step *s = fk_plan_step_add(plan, FK_STEP_OTP_LOCK);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "spinor: plan full");
	s->payload[0] = (uint8_t)req->block;
	if (mx) {
		fk_strlcpy(s->what, "WREN + WRSCUR 2Fh: LDSO := 1, the whole secured OTP area "
			   "read-only; RDSCUR 2Bh read back", sizeof s->what);
		fk_strlcpy(s->cost_text, "PERMANENT: the secured OTP area can never be programmed "
			   "again (MX64 LDSO)", sizeof s->cost_text);
	} else {
		snprintf(s->what, sizeof s->what, "non-volatile status write 06h + WRSR: %s := 1 "
			 "(status register 2 bit %u), the other bits as they are; read back", lb,
			 p->bits[SPINOR_LB1 + req->block].bit);
		snprintf(s->cost_text, sizeof s->cost_text, "PERMANENT: security register %u can "
			 "never be programmed or erased again (W64 §7.1 %s)", req->block + 1U, lb);
	}
	s->cost = FK_COST_IMPOSSIBLE;
	s->irreversible = true;
	if (mx)
		return FK_OK; /* WRSCUR is not a status write; the read-back decides */
	spd_state st;
	rc = spd_read_state(d, ctx, false, &st);
	if (rc)
		return rc;
	spinor_blocker_text(&st.pr, s->why, sizeof s->why);
	if (s->why[0]) {
		s->refused = true;
		if (st.pr.srp == SPINOR_SRP_POWER)
			s->pending = FK_PENDING_POWER_ON;
	}
	return FK_OK;
}

static int spd_step_otp_write(spdrv *d, fk_ctx *ctx, const fk_step *stp)
{
	const spinor_part *p = &d->part;
	unsigned block = stp->payload[0], off = stp->payload[1] | (unsigned)stp->payload[2] << 8;
	unsigned len = stp->payload[3];
	uint8_t before[SPD_OTP_MAX], after[SPD_OTP_MAX];
	bool locked = true;
	char lb[8];
	if (block >= p->secreg_count || !len || len > sizeof stp->payload - 4U ||
	    p->secreg_size > sizeof before || !fk_span_ok(off, len, p->secreg_size))
		return fk_fail(ctx, FK_E_INTERNAL, "OTP step: block %u, %u bytes at %u", block, len,
			       off);
	spd_lb_name(p, block, lb, sizeof lb);
	int rc = spd_otp_read(d, ctx, block, before, p->secreg_size, &locked);
	if (!rc && locked)
		rc = fk_fail(ctx, FK_E_PROTECTED, "OTP block %u is locked (%s = 1): nothing was "
			     "written", block, lb);
	if (!rc)
		rc = spinor_secreg_program(spd_bus(d, ctx), p, block + 1, off, stp->payload + 4, len);
	/* read back: the chip ignores a refused program silently (W64 §7.1 LB, MX64) */
	if (!rc)
		rc = spd_otp_read(d, ctx, block, after, p->secreg_size, &locked);
	if (rc)
		return fk_fail_wrap(ctx, rc, "writing OTP block %u", block);
	for (unsigned i = 0; i < p->secreg_size; i++) {
		bool in = i >= off && i < off + len;
		uint8_t want = in ? (uint8_t)(before[i] & stp->payload[4 + i - off]) : before[i];
		if (after[i] == want)
			continue;
		if (in && after[i] == before[i] && locked)
			return fk_fail(ctx, FK_E_PROTECTED, "OTP block %u byte %u reads 0x%02X after "
				       "programming 0x%02X: the chip ignored the program (%s = 1)",
				       block, i, after[i], want, lb);
		return fk_fail(ctx, FK_E_VERIFY, "OTP block %u byte %u reads 0x%02X after the "
			       "program, expected 0x%02X", block, i, after[i], want);
	}
	return FK_OK;
}

static void spd_ignored_why(const spd_state *st, char *out, size_t n);

static int spd_step_otp_lock(spdrv *d, fk_ctx *ctx, const fk_step *stp)
{
	const spinor_part *p = &d->part;
	unsigned block = stp->payload[0];
	bool locked = false;
	char lb[8];
	if (block >= p->secreg_count)
		return fk_fail(ctx, FK_E_INTERNAL, "OTP lock step: block %u", block);
	spd_lb_name(p, block, lb, sizeof lb);
	if (p->flags & SPINOR_F_MX_OTP) {
		int rc = spinor_mx_wrscur(spd_bus(d, ctx), p);
		if (!rc)
			rc = spd_otp_locked(d, ctx, block, &locked);
		if (!rc && !locked)
			rc = fk_fail(ctx, FK_E_PROTECTED, "LDSO still reads 0 in RDSCUR 2Bh after "
				     "WRSCUR 2Fh: the chip ignored it");
		return rc ? fk_fail_wrap(ctx, rc, "locking the secured OTP area") : FK_OK;
	}
	spd_state st, after;
	spinor_bitpos b = p->bits[SPINOR_LB1 + block];
	int rc = spd_read_state(d, ctx, false, &st);
	if (!rc)
		rc = spinor_write_reg(spd_bus(d, ctx), p, b.reg,
				      (uint8_t)(st.regs[b.reg] | (1U << b.bit)), false, st.regs);
	if (!rc) /* read back: the chip ignores a refused status write silently (W64 §7.1.7) */
		rc = spd_read_state(d, ctx, false, &after);
	if (rc)
		return fk_fail_wrap(ctx, rc, "setting %s", lb);
	if (!((after.regs[b.reg] >> b.bit) & 1U)) {
		char why[160];
		spd_ignored_why(&after, why, sizeof why);
		fk_hint(ctx, "%s", why);
		return fk_fail(ctx, FK_E_PROTECTED, "%s still reads 0 (status register %u = 0x%02X) "
			       "after the status write: the chip ignored it", lb, b.reg + 1U,
			       after.regs[b.reg]);
	}
	for (unsigned r = 0; r < p->nregs; r++) {
		uint8_t other = (uint8_t)(p->wmask[r] & ~(r == b.reg ? 1U << b.bit : 0U));
		if ((after.regs[r] ^ st.regs[r]) & other)
			return fk_fail(ctx, FK_E_VERIFY, "status register %u reads 0x%02X after "
				       "setting %s, was 0x%02X: other bits changed", r + 1U,
				       after.regs[r], lb, st.regs[r]);
	}
	return FK_OK;
}

/* ---------------------------------------------------------------- restore (status registers) */

/* OPTIONS_RAW: the status registers as spd_backup_options saved them (SR1, SR2 or CR, SR3).
 * A before_write step lifts what would block writing the array back (BP/CMP range, WPS block
 * locks: volatile where the part has 50h, so a failure later leaves the non-volatile
 * protection as it was); after the array, one non-volatile write of every register with the
 * backup's values, SR1 (SRP) last so that SRP=1 with /WP low cannot stop the others. One-time
 * bits (LB1-3, Macronix TB) are never written: a difference refuses the plan; SRL (power-
 * supply lock-down, cleared at power-up) is left as it is. */
static int spd_plan_restore(spdrv *d, fk_ctx *ctx, const fk_change *req, fk_plan *plan)
{
	const spinor_part *p = &d->part;
	if (!d->known)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "JEDEC ID %02X %02X %02X is not in the table: "
			       "its status bits are unknown, flashkey does not write them", d->id[0],
			       d->id[1], d->id[2]);
	if (!req->raw || req->raw_len != p->nregs)
		return fk_fail(ctx, FK_E_BAD_FILE, "status backup of %u bytes: the %s keeps %u "
			       "(%s)", req->raw_len, p->name, p->nregs,
			       p->nregs == 2 ? "SR, CR" : "SR1, SR2, SR3");
	spd_state st;
	int rc = spd_read_state(d, ctx, true, &st);
	if (rc)
		return rc;
	uint8_t want[SPINOR_NREGS] = {0}, tgt[SPINOR_NREGS], mid[SPINOR_NREGS];
	memcpy(want, req->raw, p->nregs);
	char why[200] = "";
	for (unsigned f = 0; f < SPINOR_NFIELDS; f++) {
		spinor_bitpos b = p->bits[f];
		if (b.reg == SPINOR_NOREG || !((p->otp_mask[b.reg] >> b.bit) & 1U))
			continue;
		int now = spinor_get(p, st.regs, (spinor_field)f);
		int then = spinor_get(p, want, (spinor_field)f);
		char nm[8];
		spd_upper(nm, sizeof nm, spinor_field_name((spinor_field)f));
		if (now != then)
			fk_snprintf_cat(why, sizeof why, "%s%s is %d on the chip, %d in the backup",
					why[0] ? "; " : "", nm, now, then);
	}
	if (why[0]) {
		fk_step *s = fk_plan_step_add(plan, FK_STEP_WRP);
		if (!s)
			return fk_fail(ctx, FK_E_INTERNAL, "spinor: plan full");
		s->name = "one-time";
		fk_snprintf_cat(why, sizeof why, ": one-time bits are never written (%s); restore "
				"without --options writes the array back", (p->flags & SPINOR_F_MX_OTP)
				? "MX64 configuration register" : "W64 §7.1");
		fk_strlcpy(s->what, "restore the one-time status bits as the backup has them",
			   sizeof s->what);
		fk_strlcpy(s->cost_text, "impossible: a one-time bit never returns to 0, and "
			   "restore never sets one", sizeof s->cost_text);
		s->cost = FK_COST_IMPOSSIBLE;
		s->refused = true;
		fk_strlcpy(s->why, why, sizeof s->why);
	}
	char blocker[240];
	spinor_blocker_text(&st.pr, blocker, sizeof blocker);
	/* the target: the backup's writable bits; one-time bits and SRL as they are now */
	for (unsigned r = 0; r < SPINOR_NREGS; r++) {
		uint8_t keep = (uint8_t)(~p->wmask[r] | p->otp_mask[r]);
		tgt[r] = (uint8_t)((st.regs[r] & keep) | (want[r] & ~keep));
	}
	if (spinor_has(p, SPINOR_SRL)) {
		if (spinor_get(p, want, SPINOR_SRL) == 1 && spinor_get(p, st.regs, SPINOR_SRL) == 0)
			fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "the backup has SRL=1 (status "
			       "register locked until the next power cycle); restore leaves SRL=0");
		spinor_set(p, tgt, SPINOR_SRL, spinor_get(p, st.regs, SPINOR_SRL) == 1);
	}
	bool differs = false;
	for (unsigned r = 0; r < p->nregs; r++)
		differs |= ((tgt[r] ^ st.regs[r]) & p->wmask[r]) != 0;
	memcpy(mid, st.regs, sizeof mid);
	if (st.pr.len || st.pr.wps) { /* before the array: lift what would block writing it */
		unsigned nbp;
		spinor_bp(p, mid, &nbp);
		for (unsigned i = 0; i < nbp; i++)
			spinor_set(p, mid, (spinor_field)(SPINOR_BP0 + i), false);
		if (spinor_has(p, SPINOR_CMP))
			spinor_set(p, mid, SPINOR_CMP, false);
		if (spinor_has(p, SPINOR_WPS))
			spinor_set(p, mid, SPINOR_WPS, false);
		bool vol = (p->flags & SPINOR_F_VOLATILE_SR) != 0;
		unsigned mask = 0;
		for (unsigned r = 0; r < p->nregs; r++)
			if ((mid[r] ^ st.regs[r]) & p->wmask[r])
				mask |= 1U << r;
		fk_step *s = mask ? fk_plan_step_add(plan, vol ? FK_STEP_OPT : FK_STEP_WRP) : NULL;
		if (mask && !s)
			return fk_fail(ctx, FK_E_INTERNAL, "spinor: plan full");
		if (s) {
			char bits[64];
			s->name = vol ? SPD_STEP_VOL : SPD_STEP_NV;
			spd_bits_text(p, mid, bits, sizeof bits);
			snprintf(s->what, sizeof s->what, "before the array: %s status write (%s) %s%s: "
				 "nothing protected while it is written back", vol ? "volatile" :
				 "non-volatile", vol ? "50h + WRSR" : "06h + WRSR", bits,
				 spinor_has(p, SPINOR_WPS) ? " WPS=0" : "");
			fk_strlcpy(s->cost_text, "nothing: no data is lost; the backup's protection "
				   "is written after the array", sizeof s->cost_text);
			s->before_write = true;
			s->value[0] = spd_pack(mid);
			s->value[1] = mask | (vol ? 0x10000U : 0U);
			if (blocker[0]) {
				s->refused = true;
				fk_strlcpy(s->why, blocker, sizeof s->why);
				if (st.pr.srp == SPINOR_SRP_POWER)
					s->pending = FK_PENDING_POWER_ON;
			}
			differs = true;
		}
	}
	if (!differs) {
		plan->nothing_to_do = !plan->nsteps;
		return FK_OK;
	}
	/* after the array: every register with writable bits, non-volatile (a volatile clear
	 * before, or earlier in this power cycle, leaves the non-volatile values unknown) */
	unsigned mask = 0;
	for (unsigned r = 0; r < p->nregs; r++)
		if (p->wmask[r] & ~p->otp_mask[r])
			mask |= 1U << r;
	fk_step *s = fk_plan_step_add(plan, FK_STEP_WRP);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "spinor: plan full");
	s->name = "status";
	char bits[64], range[80], raw[96];
	uint32_t a, l;
	spd_bits_text(p, tgt, bits, sizeof bits);
	spinor_prot_range(p, tgt, &a, &l);
	spinor_range_text(p, a, l, range, sizeof range);
	spd_regs_raw(p, tgt, raw, sizeof raw);
	s->what[0] = '\0'; /* cut, never overflowed, if it were long */
	fk_snprintf_cat(s->what, sizeof s->what, "after the array: non-volatile status write 06h + "
			"WRSR %s (%s, protected %s), SR1 last; read back", raw, bits, range);
	fk_strlcpy(s->cost_text, "nothing: no data is lost; the backup's protection is in force "
		   "again", sizeof s->cost_text);
	s->value[0] = spd_pack(tgt);
	s->value[1] = mask | 0x20000U; /* SR1 last */
	if (blocker[0]) {
		s->refused = true;
		fk_strlcpy(s->why, blocker, sizeof s->why);
		if (st.pr.srp == SPINOR_SRP_POWER)
			s->pending = FK_PENDING_POWER_ON;
	}
	return FK_OK;
}

static int spd_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		    fk_plan *plan)
{
	spdrv *d = state;
	(void)inv;
	memset(plan, 0, sizeof *plan);
	if (req->kind == FK_CHANGE_OPTIONS)
		return spd_plan_options(d, ctx, req, plan);
	if (req->kind == FK_CHANGE_OTP_WRITE)
		return spd_plan_otp_write(d, ctx, req, plan);
	if (req->kind == FK_CHANGE_OTP_LOCK)
		return spd_plan_otp_lock(d, ctx, req, plan);
	if (req->kind == FK_CHANGE_OPTIONS_RAW)
		return spd_plan_restore(d, ctx, req, plan);
	if (req->kind != FK_CHANGE_UNLOCK)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "SPI NOR: option bytes in an image (write "
			       "--with-options) do not apply: the status registers are not in the "
			       "memory map; use `flashkey options set`");
	if (!d->known) {
		plan->nothing_to_do = true;
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "the protection of JEDEC ID %02X %02X %02X "
		       "is unknown: no unlock step is attempted", d->id[0], d->id[1], d->id[2]);
		return FK_OK;
	}
	spd_state st;
	int rc = spd_read_state(d, ctx, true, &st);
	if (rc)
		return rc;
	spinor_ladder lad;
	spinor_plan_unlock(&d->part, st.regs, st.pr.wp_level, st.nlocked, &lad);
	for (unsigned i = 0; i < lad.n && plan->nsteps < FK_PLAN_MAX_STEPS; i++) {
		const spinor_lstep *ls = &lad.steps[i];
		bool vol = ls->kind == SPINOR_STEP_VOLATILE;
		fk_step_id id = vol ? FK_STEP_OPT : FK_STEP_WRP;
		if (id > req->upto)
			continue;
		if (!vol && !ls->regmask && !ls->global_unlock &&
		    !(spinor_get(&d->part, st.regs, SPINOR_SRP0) == 1 && st.pr.srp == SPINOR_SRP_HW &&
		      (st.pr.len || st.pr.wps)))
			continue;
		uint8_t target[SPINOR_NREGS];
		unsigned regmask = ls->regmask;
		memcpy(target, ls->target, sizeof target);
		fk_step *s = &plan->steps[plan->nsteps++];
		memset(s, 0, sizeof *s);
		s->id = id;
		s->name = vol ? SPD_STEP_VOL : SPD_STEP_NV;
		fk_strlcpy(s->what, ls->what, sizeof s->what);
		if (!vol && spinor_get(&d->part, st.regs, SPINOR_SRP0) == 1 &&
		    st.pr.srp == SPINOR_SRP_HW) {
			/* for good means the status register protection too: SRP=0 (software
			 * mode, W64 §7.1.7), as flashrom's --wp-disable leaves it */
			spinor_set(&d->part, target, SPINOR_SRP0, false);
			regmask |= 1U << d->part.bits[SPINOR_SRP0].reg;
			char bits[64];
			spd_bits_text(&d->part, target, bits, sizeof bits);
			snprintf(s->what, sizeof s->what, "non-volatile clear 06h + WRSR %s SRP=0: "
				 "protection off for good, the status register writable without /WP "
				 "(tW %u ms)", bits, d->part.typ.tw / 1000U);
		}
		fk_strlcpy(s->cost_text, vol ? "nothing: no data is lost; the protection returns at "
			   "the next power cycle" : "nothing: no data is lost; the protection "
			   "settings are gone for good", sizeof s->cost_text);
		s->cost = FK_COST_NOTHING;
		s->refused = ls->refused;
		fk_strlcpy(s->why, ls->why, sizeof s->why);
		if (ls->refused && st.pr.srp == SPINOR_SRP_POWER)
			s->pending = FK_PENDING_POWER_ON;
		s->value[0] = spd_pack(target);
		s->value[1] = (uint32_t)regmask | (ls->global_unlock ? 0x100U : 0U) |
			    (vol ? 0x10000U : 0U);
	}
	plan->nothing_to_do = plan->nsteps == 0;
	return FK_OK;
}

/* Why the chip ignored a status write, as far as we can tell. */
static void spd_ignored_why(const spd_state *st, char *out, size_t n)
{
	if (st->pr.srp == SPINOR_SRP_HW)
		snprintf(out, n, "SRP=1: /WP (pin 3) is %s; hold it high and run unlock again",
			 st->pr.wp_level == 0 ? "low" : "probably low (this programmer cannot sense it)");
	else if (st->pr.srp == SPINOR_SRP_POWER)
		snprintf(out, n, "SRL=1: power-cycle the chip and run unlock again");
	else if (st->pr.srp == SPINOR_SRP_PERMANENT)
		snprintf(out, n, "the status register is one-time programmed");
	else
		snprintf(out, n, "check /WP (pin 3) and the supply; QE=1 parts use /WP as IO2");
}

static int spd_step(void *state, fk_ctx *ctx, const fk_step *stp)
{
	spdrv *d = state;
	const spinor_part *p = &d->part;
	if (stp->id == FK_STEP_OTP_WRITE)
		return spd_step_otp_write(d, ctx, stp);
	if (stp->id == FK_STEP_OTP_LOCK)
		return spd_step_otp_lock(d, ctx, stp);
	uint8_t target[SPINOR_NREGS];
	spd_unpack(stp->value[0], target);
	unsigned mask = stp->value[1] & 0xFFU;
	bool glob = (stp->value[1] & 0x100U) != 0, vol = (stp->value[1] & 0x10000U) != 0;
	bool sr1_last = (stp->value[1] & 0x20000U) != 0;
	spd_state st;
	int rc = spd_read_state(d, ctx, false, &st);
	if (rc)
		return rc;
	if (glob) { /* W64 §8.2.36: Global Block Unlock, after Write Enable */
		rc = spinor_op(spd_bus(d, ctx), SPINOR_OP_WREN);
		if (!rc)
			rc = spinor_op(spd_bus(d, ctx), SPINOR_OP_GUNLOCK);
		if (rc)
			return fk_fail_wrap(ctx, rc, "global block unlock (98h)");
	}
	uint8_t cur[SPINOR_NREGS];
	memcpy(cur, st.regs, sizeof cur);
	for (unsigned i = 0; i < p->nregs && !rc; i++) {
		/* SR1 last when SRP may become 1 (restore): with /WP low it locks the others */
		unsigned r = sr1_last ? (i + 1U) % p->nregs : i;
		if (!(mask & (1U << r)))
			continue;
		uint8_t v = (uint8_t)((cur[r] & ~p->wmask[r]) | (target[r] & p->wmask[r]));
		rc = spinor_write_reg(spd_bus(d, ctx), p, r, v, vol, cur);
		cur[r] = v;
	}
	if (rc)
		return rc;
	/* read back: the chip ignores a refused status write silently (W64 §7.1.7) */
	spd_state after;
	rc = spd_read_state(d, ctx, glob, &after);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the status registers back");
	for (unsigned r = 0; r < p->nregs; r++) {
		if (!(mask & (1U << r)) || !((after.regs[r] ^ target[r]) & p->wmask[r]))
			continue;
		char why[160];
		spd_ignored_why(&after, why, sizeof why);
		fk_hint(ctx, "%s", why);
		return fk_fail(ctx, FK_E_PROTECTED, "status register %u reads 0x%02X after the %s "
			       "write of 0x%02X: the chip ignored it", r + 1, after.regs[r],
			       vol ? "volatile" : "non-volatile", target[r]);
	}
	if (glob && after.nlocked)
		return fk_fail(ctx, FK_E_PROTECTED, "%u block lock%s still read 1 after the global "
			       "unlock (98h)", after.nlocked, after.nlocked == 1 ? "" : "s");
	return FK_OK;
}

/* ---------------------------------------------------------------- flash operations */

/* Page program: one 256-byte page per instruction (W64 §8.2.13); the session hands whole runs
 * of non-blank pages. */
static int spd_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	(void)state;
	(void)stated_mv;
	if (forced >= 0)
		return fk_fail(ctx, FK_E_USAGE, "--psize: a SPI NOR programs by 256-byte page (02h); "
			       "there is no width to choose");
	*width = SPINOR_PAGE;
	return FK_OK;
}

/* The ranges of a sector set, each erased by the largest erase unit that fits: aligned and
 * wholly inside the run (W64 §8.2.18-20: 64 KiB D8h, 32 KiB 52h, 4 KiB 20h). */
static bool spd_has_erase(const spdrv *d, uint8_t op)
{
	for (unsigned i = 0; i < d->nerase; i++)
		if (d->erase[i].op == op)
			return true;
	return false;
}

static int spd_erase_run(spdrv *d, fk_ctx *ctx, uint32_t addr, uint32_t len, uint64_t *done,
			 uint64_t total)
{
	uint32_t end = addr + len;
	if (d->bus.ops->erase_range) { /* the programmer erases the run itself (checked first) */
		int rc = d->bus.ops->erase_range(d->bus.h, ctx, addr, len);
		if (rc)
			return rc;
		*done += len;
		fk_progress(ctx, "erase", *done, total);
		return FK_OK;
	}
	while (addr < end) {
		const spd_etype *e = &d->erase[d->nerase - 1];
		for (unsigned i = 0; i < d->nerase; i++)
			if (addr % d->erase[i].size == 0 && addr + d->erase[i].size <= end) {
				e = &d->erase[i];
				break;
			}
		int rc = spinor_erase_op(spd_bus(d, ctx), &d->part, e->op, addr);
		if (rc)
			return rc;
		addr += e->size;
		*done += e->size;
		fk_progress(ctx, "erase", *done, total);
	}
	return FK_OK;
}

static int spd_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	spdrv *d = state;
	const fk_chip_desc *c = &d->desc;
	int rc;
	if (all) {
		rc = spd_check(d, ctx, 0, d->part.size, "chip erase", false);
		/* by 64 KiB blocks when the datasheet's typical times make that quicker (W25Q64JV:
		 * 128 x tBE2 150 ms = 19.2 s against tCE 20 s) */
		uint64_t blocks = (uint64_t)(d->part.size / SPINOR_BLOCK64) * d->part.typ.tbe64;
		if (!rc && d->known && d->part.size % SPINOR_BLOCK64 == 0 &&
		    blocks < d->part.typ.tce && spd_has_erase(d, SPINOR_OP_BE64)) {
			uint64_t done = 0;
			return spd_erase_run(d, ctx, 0, d->part.size, &done, d->part.size);
		}
		if (!rc) /* W64 §8.2.21: C7h is ignored when any block is protected: checked above */
			rc = spinor_erase_op(spd_bus(d, ctx), &d->part, SPINOR_OP_CE, 0);
		return rc;
	}
	/* protection of every run first: nothing is erased when one is blocked */
	uint64_t total = 0, done = 0;
	for (unsigned pass = 0; pass < 2; pass++) {
		unsigned i = 0, first, last;
		while (fk_sector_set_next_run(set, c->nunits, &i, &first, &last)) {
			uint32_t a = c->units[first].addr;
			uint32_t l = c->units[last].addr + c->units[last].size - a;
			rc = pass ? spd_erase_run(d, ctx, a, l, &done, total)
				  : spd_check(d, ctx, a, l, "erase", false);
			if (rc)
				return rc;
			total += pass ? 0 : l;
		}
	}
	return FK_OK;
}

static int spd_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	spdrv *d = state;
	int rc = spd_check(d, ctx, addr, len, "program", true);
	return rc ? rc : spinor_program(spd_bus(d, ctx), &d->part, addr, buf, len);
}

static int spd_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	spdrv *d = state;
	if ((uint64_t)addr + len > d->part.size)
		return fk_fail(ctx, FK_E_RANGE, "reading 0x%X bytes at 0x%06X: the chip ends at "
			       "0x%06X", len, addr, d->part.size - 1U);
	return spinor_read(spd_bus(d, ctx), addr, buf, len);
}

static int spd_reset_check(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	spdrv *d = state;
	if (kind == FK_RESET_POWER_CYCLE && !d->ops->power_cycle)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this SPI programmer cannot switch the chip's "
			       "supply: unplug it (or the board) and plug it in again");
	if (kind == FK_RESET_HARDWARE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "a SPI programmer has no reset line: use "
			       "`flashkey reset` (66h + 99h) or a power cycle");
	return FK_OK;
}

/* System reset = Enable Reset (66h) then Reset Device (99h), W64 §8.2.43: volatile status bits
 * reload, WEL clears; tRST 30 us. A power cycle also clears SRL and sets every block lock. */
static int spd_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	spdrv *d = state;
	int rc = spd_reset_check(state, ctx, kind);
	if (rc)
		return rc;
	d->all_clear = false; /* volatile protection comes back at power-up */
	if (kind == FK_RESET_POWER_CYCLE)
		return d->ops->power_cycle(d->h, ctx);
	rc = spinor_op(spd_bus(d, ctx), 0x66);
	if (!rc)
		rc = spinor_op(spd_bus(d, ctx), 0x99);
	if (!rc && d->ops->delay)
		d->ops->delay(d->h, 30);
	return rc ? fk_fail_wrap(ctx, rc, "software reset (66h, 99h)") : FK_OK;
}

static uint64_t spd_virtual_ns(void *state)
{
	spdrv *d = state;
	return d->ops->virtual_ns ? d->ops->virtual_ns(d->h) : 0;
}

/* The status registers (SR1, SR2 or CR, SR3) as read now, recorded at address 0. */
static int spd_backup_options(void *state, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *len,
			      uint32_t *addr)
{
	spdrv *d = state;
	uint8_t regs[SPINOR_NREGS];
	if (cap < d->part.nregs)
		return fk_fail(ctx, FK_E_INTERNAL, "status backup buffer of %zu bytes", cap);
	int rc = spinor_read_regs(spd_bus(d, ctx), &d->part, regs);
	if (rc)
		return rc;
	memcpy(buf, regs, d->part.nregs);
	*len = d->part.nregs;
	*addr = 0;
	return FK_OK;
}

const fk_chip_driver spinor_chip_driver = {
	.family = "spinor",
	.summary = "spinor (SPI NOR flash by JEDEC ID: W25Q32JV/64JV/128JV, GD25Q64C, MX25L6433F; "
		   "others by SFDP)",
	.paths = FK_PATH_BIT(FK_PATH_SPI),
	.id_regs = NULL,
	.nid_regs = 0,
	.owns_name = spd_owns_name,
	.match = spd_match,
	.part_is = spd_part_is,
	.attach = spd_attach,
	.detach = spd_detach,
	.describe = spd_describe,
	.path_name = spd_path_name,
	.inventory = spd_inventory,
	.plan = spd_plan,
	.step = spd_step,
	.set_supply = spd_set_supply,
	.erase = spd_erase,
	.program = spd_program,
	.read = spd_read,
	.crc32 = NULL,
	.relock = NULL,
	.reset = spd_reset,
	.reset_check = spd_reset_check,
	.run = NULL,
	.vector_check = NULL,
	.virtual_ns = spd_virtual_ns,
	.backup_options = spd_backup_options,
	.otp_read = spd_otp_read,
};
