/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC17xx / LPC81x behind the chip-driver interface (lib/chip/driver.h) over the boot ROM's
 * UART ISP (lpc:, twin-lpc:; the client is lib/boot/lpc_isp.c, the part data lib/devices/lpc.c):
 * identification by Read Part ID, the Code Read Protection level as the ISP applies it, the unlock
 * ladder (CRP1/CRP2: erase every sector, the only way to remove the word at 0x2FC from outside),
 * sector erase, programming (W, P, C, then Compare), reads, and run (a reset out of the ISP).
 *
 * How the CRP level is found (UM10360 §32.6, UM10800 Table 311): Read Memory of the word at
 * 0x2FC works when no level restricts the ISP, and then the word says what the next reset will
 * latch; refused with 19 CODE_READ_PROTECTION_ENABLED, the part is at CRP1 or CRP2, which a
 * 4-byte Write to RAM at the CRP1 floor tells apart (CRP1 allows it, CRP2 refuses every W).
 * Nothing in flash is touched to find out.
 *
 * While the ISP runs the boot ROM's vectors are mapped over bytes 0x00-0x3F (UM10360 §32.3.1,
 * lpc21isp's verify skips them): those bytes are programmed but never compared, and the session
 * says so (fk_chip_desc.hidden_*); `run` cannot read the vector table either, so it sees after
 * the reset whether the boot ROM accepted the code (the ISP answering again means it did not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot/lpc_isp.h"
#include "chip/driver.h"
#include "core/core.h"
#include "devices/lpc.h"
#include "flashkey/image.h"

#define LPC_MAX_UNITS 32U

typedef struct lpcdrv {
	lpc_isp *isp;              /* adopted from the path */
	const fk_stream_ops *sops; /* the stream under it (virtual clock) */
	void *sh;
	const lpc_device *dev;
	fk_chip_desc desc;
	fk_erase_unit units[LPC_MAX_UNITS];
	unsigned nunits;
	/* this session erased every sector: the word at 0x2FC is gone, the level the ROM latched
	 * at reset stays until the next one */
	bool erased_all;
} lpcdrv;

/* What the ISP applies now and what the word says. */
typedef struct lpc_crp_state {
	lpc_crp applied;       /* LPC_CRP_NONE, LPC_CRP1 or LPC_CRP2 */
	bool word_read;
	uint32_t word;         /* when word_read */
} lpc_crp_state;

static bool lpc_owns_name(const char *name)
{
	return !strcasecmp(name, "lpc") || lpc_dev_by_name(name) != NULL;
}

static bool lpc_match(const fk_chip_ids *ids, char *part, size_t n)
{
	const lpc_device *d = ids->have_lpc_part ? lpc_dev_find(ids->lpc_part_id) : NULL;
	if (d && part)
		fk_strlcpy(part, d->name, n);
	return d != NULL;
}

static bool lpc_part_is(const fk_chip_ids *ids, const char *name)
{
	const lpc_device *d = ids->have_lpc_part ? lpc_dev_find(ids->lpc_part_id) : NULL;
	return d && (!strcasecmp(name, "lpc") || !strcasecmp(name, d->name) ||
		     !strcasecmp(name, d->line));
}

static void lpc_describe_fill(lpcdrv *f)
{
	const lpc_device *d = f->dev;
	fk_chip_desc *c = &f->desc;
	f->nunits = lpc_dev_nsectors(d);
	if (f->nunits > LPC_MAX_UNITS)
		f->nunits = LPC_MAX_UNITS;
	for (unsigned i = 0; i < f->nunits; i++)
		f->units[i] = (fk_erase_unit){i, lpc_dev_sector_addr(d, i), lpc_dev_sector_size(d, i), 0};
	c->family = "lpc";
	c->part = d->name;
	c->members = d->desc;
	c->manual = d->manual;
	c->revision = "?";
	c->flash_base = 0;
	c->flash_size = d->flash_bytes;
	c->nunits = f->nunits;
	c->units = f->units;
	c->nareas = 0; /* the CRP word is main flash, at 0x2FC in sector 0 */
	c->option_base = LPC_CRP_ADDR;
	c->option_reg = "CRP word at 0x000002FC (in sector 0)";
	c->mass_erase_how = "ISP Prepare + Erase of every sector";
	c->program_source = d->manual;
	c->rdp_source = !strcmp(d->manual, "UM10360") ? "UM10360 §32.6" : "UM10800 Table 311";
	c->ram_base = d->ram_base;
	c->ram_size = d->ram_bytes;
	c->obeys_marks = 1U << FK_MARK_LPC_CRP;
	c->hidden_addr = 0;
	c->hidden_len = d->remap_bytes;
	c->hidden_why = "the boot ROM's vectors are mapped over them while the ISP runs";
	c->program_compares = true; /* lpc_program: Compare after every Copy */
	c->run_gone_note = "the ISP no longer answers: the user code owns the part and its UART; "
			   "a reset with the ISP pin low enters the ISP again";
}

static int lpc_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		      const char *force_part, void **state)
{
	const lpc_device *d = ids->have_lpc_part ? lpc_dev_find(ids->lpc_part_id) : NULL;
	*state = NULL;
	if (force_part && lpc_dev_by_name(force_part))
		d = lpc_dev_by_name(force_part);
	if (!d) {
		fk_hint(ctx, "`flashkey list` shows the parts flashkey knows; a part not there is "
			     "not programmed rather than guessed at");
		if (!ids->have_lpc_part)
			return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no LPC part ID was read (Read Part ID, "
							       "J) and no known part was named");
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no LPC part has part ID 0x%08X (Read Part "
						       "ID, J)", ids->lpc_part_id);
	}
	if (path->kind != FK_PATH_ROM_STREAM || !path->lpc) {
		fk_hint(ctx, "connect through the ISP: -c lpc:/dev/ttyUSB0[@BAUD][,XTAL_KHZ] or "
			     "-c twin-lpc:PATH");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the LPC driver drives the boot ROM's UART "
						      "ISP only (lpc:, twin-lpc:)", path->t->description);
	}
	lpcdrv *f = calloc(1, sizeof *f);
	if (!f)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the LPC driver");
	f->dev = d;
	f->isp = path->lpc; /* ours from now on: left and freed in detach */
	path->lpc = NULL;
	f->isp->binary = d->binary;
	f->sops = path->t->ops;
	f->sh = path->t->handle;
	lpc_describe_fill(f);
	*state = f;
	return FK_OK;
}

static void lpc_detach(void *state)
{
	lpcdrv *f = state;
	if (!f)
		return;
	fk_ctx *ctx = fk_ctx_new();
	f->isp->ctx = ctx;
	(void)lpc_isp_leave(f->isp);
	fk_ctx_free(ctx);
	free(f->isp);
	free(f);
}

static const fk_chip_desc *lpc_describe(void *state) { return &((lpcdrv *)state)->desc; }
static const char *lpc_path_name(void *state)
{
	(void)state;
	return "bootloader";
}

/* U 23130 once: Erase, Copy and Go need it (UM10360 Table 570); it changes nothing. */
static int lpc_unlock(lpcdrv *f, fk_ctx *ctx)
{
	f->isp->ctx = ctx;
	return f->isp->unlocked ? FK_OK : lpc_isp_unlock(f->isp);
}

static int lpc_crp_probe(lpcdrv *f, fk_ctx *ctx, lpc_crp_state *st)
{
	uint8_t w[4] = {0};
	memset(st, 0, sizeof *st);
	fk_ctx *q = fk_ctx_new();
	if (!q)
		return fk_fail(ctx, FK_E_NOMEM, "CRP probe");
	f->isp->ctx = q;
	int rc = lpc_isp_read(f->isp, LPC_CRP_ADDR, w, sizeof w);
	if (!rc) {
		st->word_read = true;
		st->word = fk_get_le32(w);
		st->applied = LPC_CRP_NONE;
	} else if (rc == FK_E_PROTECTED && f->isp->last_rc == LPC_ISP_CODE_READ_PROTECTION_ENABLED) {
		fk_ctx_clear(q);
		memset(w, 0, sizeof w);
		rc = lpc_isp_write_ram(f->isp, f->dev->ram_buf, w, sizeof w);
		if (!rc)
			st->applied = LPC_CRP1;
		else if (rc == FK_E_PROTECTED &&
			 f->isp->last_rc == LPC_ISP_CODE_READ_PROTECTION_ENABLED)
			st->applied = LPC_CRP2, rc = FK_OK;
	}
	if (rc) {
		char msg[FK_CHAIN_MSG_MAX];
		fk_hint(ctx, "check the link (the lpc: baud rate and crystal) and that the part is "
			     "still in its ISP; `flashkey -c CONN doctor` lists the checks");
		rc = fk_fail(ctx, rc, "reading the CRP word at 0x%08X over the ISP: %s", LPC_CRP_ADDR,
			     fk_ctx_message(q, msg, sizeof msg));
	}
	f->isp->ctx = ctx;
	fk_ctx_free(q);
	return rc;
}

static void lpc_lock_add(fk_inventory *inv, const char *state, const char *raw, bool blocks,
			 int step, fk_cost cost, fk_pending pending, const char *remedy)
{
	if (inv->nlocks >= FK_INV_MAX_LOCKS)
		return;
	fk_lock *l = &inv->locks[inv->nlocks++];
	memset(l, 0, sizeof *l);
	l->kind = FK_LOCK_CRP;
	fk_strlcpy(l->name, "CRP", sizeof l->name);
	fk_strlcpy(l->state, state, sizeof l->state);
	fk_strlcpy(l->raw, raw, sizeof l->raw);
	l->blocks_write = blocks;
	l->step = step;
	l->cost = cost;
	l->reversible = true;
	l->pending = pending;
	fk_strlcpy(l->remedy, remedy, sizeof l->remedy);
}

static void lpc_inv_locks(lpcdrv *f, const lpc_crp_state *st, fk_inventory *inv)
{
	char state[160], raw[96], remedy[200];
	unsigned last = f->nunits - 1;
	if (st->applied != LPC_CRP_NONE) {
		bool c1 = st->applied == LPC_CRP1;
		snprintf(raw, sizeof raw, "word at 0x%08X unreadable: R answers 19, W %s", LPC_CRP_ADDR,
			 c1 ? "allowed" : "answers 19");
		if (f->erased_all) {
			snprintf(state, sizeof state, "%s latched until the next reset; the word at 0x2FC "
				 "is erased (every sector erased)", lpc_crp_name(st->applied));
			snprintf(remedy, sizeof remedy, "reset the part into the ISP (ISP pin %s low): "
				 "from then on it is unprotected", f->dev->isp_pin);
			lpc_lock_add(inv, state, raw, true, -1, FK_COST_NOTHING, FK_PENDING_RESET,
				     remedy);
			return;
		}
		snprintf(state, sizeof state, "%s in force: the ISP refuses %s; SWD is off (%s)",
			 lpc_crp_name(st->applied),
			 c1 ? "R, G, I, M and copies into sector 0" : "W, R, C, G, I, M and any "
			      "erase but all sectors", f->desc.rdp_source);
		snprintf(remedy, sizeof remedy, "erase every sector through the ISP (P 0 %u, E 0 %u): "
			 "the word at 0x2FC goes with sector 0; unprotected from the next reset", last,
			 last);
		lpc_lock_add(inv, state, raw, true, FK_STEP_RDP, FK_COST_ALL_FLASH, FK_PENDING_RESET,
			     remedy);
		return;
	}
	lpc_crp word = st->word_read ? lpc_crp_decode(st->word) : LPC_CRP_NONE;
	if (word == LPC_CRP_NONE)
		return;
	snprintf(raw, sizeof raw, "word at 0x%08X = 0x%08X", LPC_CRP_ADDR, st->word);
	if (word == LPC_NO_ISP) {
		snprintf(state, sizeof state, "NO_ISP: from the next reset the ISP pin is not sampled "
			 "(only a part without valid user code enters the ISP); SWD stays on");
		snprintf(remedy, sizeof remedy, "erase sector 0 (or every sector) before the next "
			 "reset to keep the ISP reachable through its pin");
	} else {
		snprintf(state, sizeof state, "%s written at 0x2FC, not in force yet: it latches at the "
			 "next reset%s", lpc_crp_name(word),
			 word == LPC_CRP3 ? " and then shuts the ISP and SWD out for good" : "");
		snprintf(remedy, sizeof remedy, "erase every sector now (P 0 %u, E 0 %u), before the "
			 "next reset, if this protection is not meant", last, last);
	}
	lpc_lock_add(inv, state, raw, false, FK_STEP_RDP, FK_COST_ALL_FLASH, FK_PENDING_NONE,
		     remedy);
}

static int lpc_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	lpcdrv *f = state;
	lpc_crp_state st;
	memset(inv, 0, sizeof *inv);
	fk_strlcpy(inv->chip, f->dev->name, sizeof inv->chip);
	fk_strlcpy(inv->family, "lpc", sizeof inv->family);
	fk_strlcpy(inv->path, "bootloader", sizeof inv->path);
	fk_strlcpy(inv->revision, "?", sizeof inv->revision);
	inv->flash_base = 0;
	inv->flash_size = f->dev->flash_bytes;
	inv->rdp_level = -1; /* no STM32-style level: CRP is its own lock */
	int rc = lpc_crp_probe(f, ctx, &st);
	if (rc)
		return rc;
	inv->flash_readable = st.applied == LPC_CRP_NONE;
	(void)fk_inv_reg_add(inv, "CRP", LPC_CRP_ADDR, st.word, st.word_read);
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, "crp", sizeof o->key);
	o->value = st.word_read ? (uint32_t)lpc_crp_decode(st.word) : (uint32_t)st.applied;
	if (st.word_read)
		snprintf(o->text, sizeof o->text, "%s (word 0x%08X; in force: none)",
			 lpc_crp_name(lpc_crp_decode(st.word)), st.word);
	else
		snprintf(o->text, sizeof o->text, "%s in force (word unreadable)",
			 lpc_crp_name(st.applied));
	inv->nsectors = FK_MIN(f->nunits, FK_INV_MAX_SECTORS);
	for (unsigned i = 0; i < inv->nsectors; i++)
		inv->sectors[i] = (fk_sector_info){.number = i, .addr = f->units[i].addr,
						   .size = f->units[i].size, .blank = -1};
	lpc_inv_locks(f, &st, inv);
	for (unsigned i = 0; i < inv->nlocks; i++)
		inv->write_blocked |= inv->locks[i].blocks_write;
	return FK_OK;
}

static int lpc_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		    fk_plan *plan)
{
	lpcdrv *f = state;
	memset(plan, 0, sizeof *plan);
	if (req->kind != FK_CHANGE_UNLOCK)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s has no option bytes: its protection is "
						      "the CRP word at 0x2FC, part of the image",
			       f->dev->desc);
	const fk_lock *crp = NULL;
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == FK_LOCK_CRP && inv->locks[i].step >= 0)
			crp = &inv->locks[i];
	if (!crp || req->upto < FK_STEP_RDP) {
		plan->nothing_to_do = plan->nsteps == 0;
		return FK_OK;
	}
	unsigned last = f->nunits - 1;
	fk_step *s = fk_plan_step_add(plan, FK_STEP_RDP);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "lpc: plan full");
	s->name = "crp";
	snprintf(s->what, sizeof s->what, "U 23130, P 0 %u, E 0 %u: erase every sector through the "
		 "ISP; the CRP word at 0x2FC goes with sector 0, read back", last, last);
	snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KiB); the part is unprotected "
		 "from the next reset", f->dev->flash_bytes / 1024U);
	s->cost = FK_COST_ALL_FLASH;
	s->destructive = true;
	s->backup = true;
	s->pending = crp->blocks_write ? FK_PENDING_RESET : FK_PENDING_NONE;
	return FK_OK;
}

static int lpc_erase_range(lpcdrv *f, fk_ctx *ctx, unsigned a, unsigned b)
{
	int rc = lpc_unlock(f, ctx);
	if (!rc)
		rc = lpc_isp_prepare(f->isp, a, b);
	if (!rc)
		rc = lpc_isp_erase(f->isp, a, b);
	if (!rc && a == 0 && b == f->nunits - 1)
		f->erased_all = true;
	return rc ? fk_fail_wrap(ctx, rc, "erasing sectors %u-%u over the ISP", a, b) : FK_OK;
}

static int lpc_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	lpcdrv *f = state;
	if (st->id != FK_STEP_RDP)
		return fk_fail(ctx, FK_E_INTERNAL, "lpc: step %s", st->name);
	return lpc_erase_range(f, ctx, 0, f->nunits - 1);
}

static int lpc_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	lpcdrv *f = state;
	(void)stated_mv;
	if (forced >= 0)
		return fk_fail(ctx, FK_E_USAGE, "--psize: the %s has one program width",
			       f->dev->desc);
	*width = f->dev->copy_min;
	return FK_OK;
}

static int lpc_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	lpcdrv *f = state;
	if (all)
		return lpc_erase_range(f, ctx, 0, f->nunits - 1);
	unsigned i = 0, a, b;
	while (fk_sector_set_next_run(set, f->nunits, &i, &a, &b)) {
		int rc = lpc_erase_range(f, ctx, a, b);
		if (rc)
			return rc;
	}
	return FK_OK;
}

/* The sector holding flash offset a (UM10360 Table 568: 4 KiB sectors, then 32 KiB ones). */
static unsigned lpc_sector_of(const lpc_device *d, uint32_t a)
{
	unsigned n = lpc_dev_nsectors(d);
	for (unsigned i = 0; i < n; i++)
		if (a - lpc_dev_sector_addr(d, i) < lpc_dev_sector_size(d, i))
			return i;
	return n - 1U;
}

/* The largest Copy RAM to Flash count for what is left at addr: the part's largest, else the
 * powers of two from its smallest to 1024 (UM10360 Table 579: 256 | 512 | 1024 | 4096;
 * UM10601: 64 .. 1024). */
static uint32_t lpc_copy_size(const lpc_device *d, uint32_t left)
{
	if (left >= d->copy_max)
		return d->copy_max;
	uint32_t n = d->copy_min;
	while (n * 2U <= left && n * 2U <= 1024U)
		n *= 2U;
	return n;
}

/* Words 0-7 of a Cortex-M vector table must sum to zero for the boot ROM to start the user code
 * (UM10360 §32.3.1.1 "Criterion for Valid User Code": word 7, offset 0x1C, holds the two's
 * complement of the sum of words 0-6; UM10601 the same for the LPC81x). Returns the word 7 that
 * makes it so. */
static uint32_t lpc_vector_word7(const uint8_t *v)
{
	uint32_t sum = 0;
	for (unsigned i = 0; i < 7; i++)
		sum += fk_get_le32(v + 4 * i);
	return 0U - sum;
}

/* Programming over the ISP (UM10360 §32.7: W, P, C): each chunk is written to the RAM buffer the
 * ISP lets a tool use (ram_buf, above the CRP1 floor), its sector prepared, then copied. The
 * boot ROM maps its vectors over 0x00-0x3F while the ISP runs, so those bytes cannot be read
 * back: a chunk at 0 gets word 7 set so the vector table passes the valid-user-code check (as
 * lpc21isp and the NXP tools do), said when it changes the image, and verification compares
 * everything but that window (the session skips fk_chip_desc.hidden_*). */
static int lpc_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	lpcdrv *f = state;
	const lpc_device *d = f->dev;
	if ((addr | len) % d->copy_min || (uint64_t)addr + len > d->flash_bytes)
		return fk_fail(ctx, FK_E_INTERNAL, "program 0x%08X+%u: Copy RAM to Flash takes "
			       "%u-byte aligned blocks inside the flash", addr, len, d->copy_min);
	int rc = lpc_unlock(f, ctx);
	f->isp->ctx = ctx;
	uint8_t blk[4096];
	for (uint32_t off = 0; off < len && !rc;) {
		uint32_t a = addr + off, n = lpc_copy_size(d, len - off);
		if (n > sizeof blk)
			return fk_fail(ctx, FK_E_INTERNAL, "lpc: copy block of %u bytes", n);
		memcpy(blk, buf + off, n);
		if (a == 0 && n >= 32) {
			uint32_t w7 = lpc_vector_word7(blk), was = fk_get_le32(blk + 28);
			if (w7 != was)
				fk_log(ctx, FK_LOG_INFO, FK_TRACE_CHIP, "0x0000001C: vector table word 7 "
				       "set to 0x%08X (the image has 0x%08X) so that words 0-7 sum to "
				       "zero, the boot ROM's test for valid user code (%s)", w7, was,
				       !strcmp(d->manual, "UM10360") ? "UM10360 §32.3.1.1" : d->manual);
			fk_put_le32(blk + 28, w7);
		}
		unsigned s0 = lpc_sector_of(d, a), s1 = lpc_sector_of(d, a + n - 1U);
		rc = lpc_isp_write_ram(f->isp, d->ram_buf, blk, n);
		if (!rc)
			rc = lpc_isp_prepare(f->isp, s0, s1);
		if (!rc)
			rc = lpc_isp_copy(f->isp, a, d->ram_buf, n);
		if (rc)
			return fk_fail_wrap(ctx, rc, "programming 0x%08X-0x%08X (sector %u) over the ISP",
					    a, a + n - 1U, s0);
		/* UM10360 §32.7.13 Compare (Table 586), as lpc21isp -verify: the flash against the
		 * data still in RAM, without the window the boot ROM maps over (its reads there
		 * see the ROM's vectors) */
		uint32_t skip = a < d->remap_bytes ? d->remap_bytes - a : 0, offset = 0;
		bool same = true;
		if (skip < n)
			rc = lpc_isp_compare(f->isp, a + skip, d->ram_buf + skip, n - skip, &same,
					     &offset);
		if (rc)
			return fk_fail_wrap(ctx, rc, "comparing 0x%08X-0x%08X with the data copied",
					    a + skip, a + n - 1U);
		if (!same) {
			fk_hint(ctx, "write the image again (the sector is erased first); if the same "
				     "address fails again, the sector is worn out or the supply is low");
			return fk_fail(ctx, FK_E_VERIFY, "0x%08X: flash differs from the data just "
				       "copied there (ISP Compare, sector %u): the program did not take",
				       a + skip + offset, s0);
		}
		if (a <= LPC_CRP_ADDR && LPC_CRP_ADDR < a + n)
			f->erased_all = false; /* the CRP word is programmed again */
		off += n;
	}
	return rc;
}

static int lpc_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	lpcdrv *f = state;
	if (addr < f->dev->remap_bytes) {
		fk_hint(ctx, "read from 0x%08X on: the rest of the flash reads as it is",
			f->dev->remap_bytes);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "0x%08X-0x%08X read as the boot ROM's vectors "
						      "while the ISP runs (%s): the flash under them "
						      "cannot be read over the ISP",
			       addr, f->dev->remap_bytes - 1U, f->dev->manual);
	}
	f->isp->ctx = ctx;
	uint8_t *p = buf;
	/* R takes a multiple of 4: read the covering words, keep the bytes asked for */
	while (len) {
		uint32_t lo = addr & ~3U, chunk = FK_MIN(len + (addr - lo), 4096U);
		uint32_t n = (chunk + 3U) & ~3U;
		uint8_t tmp[4096 + 4];
		int rc = lpc_isp_read(f->isp, lo, tmp, n);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading 0x%08X over the ISP", lo);
		uint32_t take = FK_MIN(len, n - (addr - lo));
		memcpy(p, tmp + (addr - lo), take);
		p += take;
		addr += take;
		len -= take;
	}
	return FK_OK;
}

/* A reset that comes back into the ISP: only with -control wiring (DTR/RTS to RESET and the
 * ISP pin); by hand the user resets the board. */
static int lpc_reset_check(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	lpcdrv *f = state;
	(void)kind;
	if (f->isp->entry != LPC_ENTRY_CONTROL) {
		fk_hint(ctx, "reset the board with its ISP pin (%s) held low, or connect with "
			     "--boot-seq control (DTR to RESET, RTS to the ISP pin, as lpc21isp -control)",
			f->dev->isp_pin);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the ISP was entered by hand: flashkey cannot "
						      "reset the part");
	}
	return FK_OK;
}

static int lpc_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	lpcdrv *f = state;
	int rc = lpc_reset_check(state, ctx, kind);
	if (rc)
		return rc;
	f->isp->ctx = ctx;
	rc = lpc_isp_connect(f->isp); /* pulses RESET with the ISP pin low, syncs again */
	if (!rc)
		f->erased_all = false;
	return rc ? fk_fail_wrap(ctx, rc, "resetting into the ISP") : FK_OK;
}

/* Start the user code as the part does at power-up (UM10360 §32.3.1): a reset with the ISP pin
 * high makes the boot ROM check the vector table (words 0-7 summing to zero) and start the code
 * or, failing the check, enter the ISP. Only with --boot-seq control (DTR to RESET, RTS to the
 * ISP pin, as lpc21isp -control). The table cannot be read over the ISP, so the outcome is
 * seen after the reset: the ISP answering '?' again means the boot ROM refused the code. */
static int lpc_run(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len, bool *gone)
{
	lpcdrv *f = state;
	(void)reset_mode;
	*gone = false;
	if (addr != 0)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "run 0x%08X: the boot ROM starts the user code "
			       "from the vector table at 0 after a reset (%s §32.3.1); give no address",
			       addr, f->dev->manual);
	if (f->isp->entry != LPC_ENTRY_CONTROL) {
		fk_hint(ctx, "release the ISP pin (%s) and reset the board, or connect with --boot-seq "
			     "control (DTR to RESET, RTS to the ISP pin, as lpc21isp -control)",
			f->dev->isp_pin);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the ISP was entered by hand: flashkey cannot "
						      "reset the part with the ISP pin released");
	}
	snprintf(how, how_len, "reset with the ISP pin (%s) released: the boot ROM starts the code "
		 "if words 0-7 of its vector table sum to zero", f->dev->isp_pin);
	if (dry)
		return FK_OK;
	f->isp->ctx = ctx;
	bool isp = false;
	int rc = lpc_isp_leave(f->isp);
	if (!rc)
		rc = lpc_isp_probe(f->isp, &isp);
	if (rc)
		return fk_fail_wrap(ctx, rc, "resetting the %s out of the ISP", f->dev->desc);
	if (isp) {
		fk_hint(ctx, "write the application with flashkey (it sets word 7 of the vector "
			     "table), or fix word 7 at 0x1C so that words 0-7 sum to zero");
		return fk_fail(ctx, FK_E_BAD_IMAGE, "the boot ROM entered the ISP again after the "
			       "reset: the code at 0 is not valid user code (words 0-7 of the vector "
			       "table do not sum to zero, %s §32.3.1); nothing was started",
			       f->dev->manual);
	}
	*gone = true;
	return FK_OK;
}

/* The table cannot be read over the ISP (the session does not ask); for completeness: an SP in
 * the part's RAM and a Thumb reset handler in flash. */
static fk_vec_verdict lpc_vector_check(void *state, uint32_t sp, uint32_t reset, char *why,
				       size_t n)
{
	lpcdrv *f = state;
	if (sp == 0xFFFFFFFFU && reset == 0xFFFFFFFFU)
		return FK_VEC_ERASED;
	return lpc_dev_vectors_ok(f->dev, sp, reset, why, n) ? FK_VEC_OK : FK_VEC_BAD;
}

static uint64_t lpc_virtual_ns(void *state)
{
	lpcdrv *f = state;
	return f->sops && f->sops->virtual_ns ? f->sops->virtual_ns(f->sh) : 0;
}

const fk_chip_driver lpc_chip_driver = {
	.family = "lpc",
	.summary = "lpc (NXP LPC176x/5x and LPC81x over the boot ROM's UART ISP; UM10360, UM10601)",
	.paths = FK_PATH_BIT(FK_PATH_ROM_STREAM),
	.owns_name = lpc_owns_name,
	.match = lpc_match,
	.part_is = lpc_part_is,
	.attach = lpc_attach,
	.detach = lpc_detach,
	.describe = lpc_describe,
	.path_name = lpc_path_name,
	.inventory = lpc_inventory,
	.plan = lpc_plan,
	.step = lpc_step,
	.set_supply = lpc_set_supply,
	.erase = lpc_erase,
	.program = lpc_program,
	.run = lpc_run,
	.vector_check = lpc_vector_check,
	.read = lpc_read,
	.reset = lpc_reset,
	.reset_check = lpc_reset_check,
	.virtual_ns = lpc_virtual_ns,
};
