/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F0/F1/F3 chip driver (lib/chip/stm32f1_*.c) against the F1 twin model in-process:
 * a small fk_mem_ops over tw_f1_read/tw_f1_write as the debugger (no server, no probe), the
 * registry choosing the driver from the IDs, then identify, inventory, erase / program / read
 * with protection refused before anything is erased, the unlock ladder (keys, WRP removal
 * keeping the other options, RDP regression with its mass erase), options set with semantic
 * keys, level 2 refused without PERMANENT, OPTERR after a torn option write, the clone. */
#include "fk_test.h"

#include "chip/driver.h"
#include "core/core.h"
#include "plan/ladder.h"
#include "stm32f1/f1.h"

/* ---- the twin as a memory path (the debugger's view) ---- */
typedef struct f1m {
	tw_f1 *t;
	unsigned accesses;
} f1m;

#define ACCESS_NS 1000U /* virtual time one debug access takes */

static int m_one(f1m *m, fk_ctx *ctx, bool wr, uint32_t addr, uint8_t *p, unsigned w)
{
	uint32_t v = 0;
	tw_status st;
	if (wr) {
		for (unsigned i = 0; i < w; i++)
			v |= (uint32_t)p[i] << (8 * i);
		st = tw_f1_write_wait(m->t, TW_INIT_DEBUG, addr, w, v);
	} else {
		st = tw_f1_read_wait(m->t, TW_INIT_DEBUG, addr, w, &v);
		for (unsigned i = 0; i < w; i++)
			p[i] = (uint8_t)(v >> (8 * i));
	}
	m->accesses++;
	tw_f1_advance(m->t, ACCESS_NS);
	if (st == TW_POWER_OFF)
		return fk_fail(ctx, FK_E_NO_POWER, "twin unpowered at 0x%08X", addr);
	if (st != TW_OK)
		return fk_fail(ctx, FK_E_BUS_FAULT, "bus error %s 0x%08X", wr ? "writing" : "reading",
			       addr);
	return FK_OK;
}

static int m_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len, unsigned width)
{
	for (uint32_t off = 0; off < len; off += width) {
		int rc = m_one(h, ctx, false, addr + off, (uint8_t *)buf + off, width);
		if (rc)
			return rc;
	}
	return FK_OK;
}

static int m_write(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		   unsigned width)
{
	for (uint32_t off = 0; off < len; off += width) {
		uint8_t tmp[4];
		memcpy(tmp, (const uint8_t *)buf + off, width);
		int rc = m_one(h, ctx, true, addr + off, tmp, width);
		if (rc)
			return rc;
	}
	return FK_OK;
}

static int m_halt(void *h, fk_ctx *ctx)
{
	uint8_t b[4];
	fk_put_le32(b, 0x01000001U); /* DEMCR.VC_CORERESET | TRCENA */
	int rc = m_write(h, ctx, 0xE000EDFCU, b, 4, 4);
	fk_put_le32(b, 0xA05F0003U); /* DHCSR: DBGKEY | C_HALT | C_DEBUGEN */
	return rc ? rc : m_write(h, ctx, 0xE000EDF0U, b, 4, 4);
}

static int m_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	f1m *m = h;
	tw_f1_reset(m->t, kind == FK_RESET_POWER_CYCLE ? TW_RESET_POWER_ON : TW_RESET_SYSTEM);
	return m_halt(h, ctx);
}

static uint64_t m_vns(void *h)
{
	return tw_f1_now_ns(((f1m *)h)->t);
}

static const fk_mem_ops m_ops = {
	.read = m_read, .write = m_write, .halt = m_halt, .reset = m_reset, .virtual_ns = m_vns,
};

/* ---- fixture: a twin, the path, the driver the registry picks ---- */
typedef struct fx {
	f1m m;
	fk_ctx *ctx;
	fk_transport tr;
	fk_chip_path path;
	fk_chip_ids ids;
	const fk_chip_driver *drv;
	void *st;
} fx;

static int fx_attach(fx *x, const char *expect)
{
	memset(&x->path, 0, sizeof x->path);
	memset(&x->ids, 0, sizeof x->ids);
	x->tr = (fk_transport){.kind = FK_TRANSPORT_MEM, .ops = &m_ops, .handle = &x->m};
	snprintf(x->tr.description, sizeof x->tr.description, "in-process F1 twin");
	x->path = (fk_chip_path){.kind = FK_PATH_MEMORY, .t = &x->tr, .mem = &m_ops,
				 .mem_h = &x->m};
	assert_int_equal(m_halt(&x->m, x->ctx), FK_OK);
	int rc = fk_chip_ids_collect_mem(x->ctx, &m_ops, &x->m, &x->ids);
	if (!rc)
		rc = fk_chip_select(x->ctx, &x->path, &x->ids, expect, false, &x->drv, &x->st);
	return rc;
}

static fx *fx_new(const char *variant)
{
	fx *x = calloc(1, sizeof *x);
	assert_non_null(x);
	x->m.t = tw_f1_new(tw_f1_variant_find(variant));
	assert_non_null(x->m.t);
	x->ctx = fk_ctx_new();
	assert_non_null(x->ctx);
	return x;
}

static void fx_free(fx *x)
{
	if (x->drv)
		x->drv->detach(x->st);
	tw_f1_free(x->m.t);
	fk_ctx_free(x->ctx);
	free(x);
}

static fx *fx_up(const char *variant)
{
	fx *x = fx_new(variant);
	assert_int_equal(fx_attach(x, NULL), FK_OK);
	assert_string_equal(x->drv->family, "stm32f1");
	return x;
}

static const fk_lock *find_lock(const fk_inventory *inv, fk_lock_kind k)
{
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == k)
			return &inv->locks[i];
	return NULL;
}

static const fk_option_value *find_opt(const fk_inventory *inv, const char *key)
{
	for (unsigned i = 0; i < inv->nopts; i++)
		if (strcmp(inv->opts[i].key, key) == 0)
			return &inv->opts[i];
	return NULL;
}

/* The session's executor in miniature: gates, each step, a system reset after a step whose
 * effect waits for the option reload (lib/api/unlock.c does the same). */
static int run_plan(fx *x, const fk_plan *p, const fk_perms *perms)
{
	int rc = fkp_plan_check(x->ctx, p, perms);
	for (unsigned i = 0; i < p->nsteps && !rc; i++) {
		rc = x->drv->step(x->st, x->ctx, &p->steps[i]);
		if (!rc && p->steps[i].pending == FK_PENDING_RESET)
			rc = x->drv->reset(x->st, x->ctx, FK_RESET_SYSTEM);
	}
	return rc;
}

static int plan_unlock(fx *x, fk_step_id upto, fk_plan *p)
{
	fk_inventory inv;
	fk_change req = {.kind = FK_CHANGE_UNLOCK, .upto = upto};
	int rc = x->drv->inventory(x->st, x->ctx, &inv);
	return rc ? rc : x->drv->plan(x->st, x->ctx, &inv, &req, p);
}

static int plan_options(fx *x, const char *const *kv, unsigned n, fk_plan *p)
{
	fk_inventory inv;
	fk_change req = {.kind = FK_CHANGE_OPTIONS, .kv = kv, .nkv = n};
	int rc = x->drv->inventory(x->st, x->ctx, &inv);
	return rc ? rc : x->drv->plan(x->st, x->ctx, &inv, &req, p);
}

static const char *msg(const fk_ctx *ctx)
{
	static char buf[1024];
	return fk_ctx_message(ctx, buf, sizeof buf);
}

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7U + seed);
}

/* ---- identification ---- */
static void test_identify_parts(void **state)
{
	(void)state;
	static const struct {
		const char *variant, *part;
		uint32_t kb, page;
		const char *rev;
	} rows[] = {
		{"stm32f103c8", "stm32f10x-md", 64, 1024, "Y"},
		{"stm32f103cb", "stm32f10x-md", 128, 1024, "Y"},
		{"stm32f103re", "stm32f10x-hd", 512, 2048, "Z"},
		{"stm32f030c8", "stm32f05x", 64, 1024, "2.0"},
		{"stm32f072rb", "stm32f07x", 128, 2048, "1.0"},
		{"stm32f303cc", "stm32f30x-bc", 256, 2048, "Z"},
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		fx *x = fx_up(rows[i].variant);
		const fk_chip_desc *c = x->drv->describe(x->st);
		assert_string_equal(c->part, rows[i].part);
		assert_int_equal(c->flash_size, rows[i].kb * 1024U);
		assert_false(c->flash_size_assumed);
		assert_int_equal(c->nunits, rows[i].kb * 1024U / rows[i].page);
		assert_int_equal(c->units[1].addr, 0x08000000U + rows[i].page);
		assert_int_equal(c->units[1].size, rows[i].page);
		assert_string_equal(c->revision, rows[i].rev);
		assert_int_equal(c->option_base, 0x1FFFF800U);
		assert_string_equal(x->drv->path_name(x->st), "debug");
		/* F0 answers at 0x40015800 only; F1/F3 at 0xE0042000 */
		uint32_t v;
		bool f0 = strncmp(rows[i].variant, "stm32f0", 7) == 0;
		assert_int_equal(fk_chip_ids_word(&x->ids, 0x40015800U, &v), f0);
		assert_int_equal(fk_chip_ids_word(&x->ids, 0xE0042000U, &v), !f0);
		fx_free(x);
	}
}

static void test_identify_names_and_clone(void **state)
{
	(void)state;
	fx *x = fx_new("stm32f103c8");
	assert_int_equal(fx_attach(x, "stm32f103c8"), FK_OK);
	fx_free(x);
	x = fx_new("stm32f103c8");
	/* the IDs say F103: --chip for an F030 is refused, nothing attached */
	assert_int_equal(fx_attach(x, "stm32f030c8"), FK_E_UNKNOWN_CHIP);
	assert_null(x->drv);
	fx_free(x);
	const fk_chip_driver *d = fk_chip_driver_for_name("stm32f303cc");
	assert_non_null(d);
	assert_string_equal(d->family, "stm32f1");
	assert_ptr_equal(fk_chip_driver_for_name("stm32f0"), d);
	/* the clone: a DP IDCODE 0x2BA01477 with DEV_ID 0x410 (when the path reports the DP) */
	x = fx_new("cks32f103c8");
	x->tr = (fk_transport){.kind = FK_TRANSPORT_MEM, .ops = &m_ops, .handle = &x->m};
	x->path = (fk_chip_path){.kind = FK_PATH_MEMORY, .t = &x->tr, .mem = &m_ops,
				 .mem_h = &x->m};
	assert_int_equal(fk_chip_ids_collect_mem(x->ctx, &m_ops, &x->m, &x->ids), FK_OK);
	x->ids.have_dp = true;
	x->ids.dp_idr = tw_f1_variant_dpidr(tw_f1_variant_find("cks32f103c8"));
	assert_int_equal(x->ids.dp_idr, 0x2BA01477U);
	assert_int_equal(fk_chip_select(x->ctx, &x->path, &x->ids, NULL, false, &x->drv, &x->st),
			 FK_OK);
	assert_non_null(strstr(x->drv->describe(x->st)->part, "clone"));
	fx_free(x);
	/* CPUID contradicting the line (a Cortex-M0 claiming the F103's DEV_ID): not claimed */
	fk_chip_ids ids;
	memset(&ids, 0, sizeof ids);
	ids.path = FK_PATH_MEMORY;
	ids.nwords = 2;
	ids.words[0] = (fk_chip_id_word){"DBGMCU_IDCODE", 0xE0042000U, 0x20036410U, true};
	ids.words[1] = (fk_chip_id_word){"CPUID", 0xE000ED00U, 0x410CC200U, true};
	char part[48];
	assert_false(d->match(&ids, part, sizeof part));
	ids.words[1].value = 0x411FC231U;
	assert_true(d->match(&ids, part, sizeof part));
	assert_string_equal(part, "stm32f10x-md");
}

/* ---- erase, program, read ---- */
static void test_program_read_erase(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	uint8_t img[2048], back[2048];
	pattern(img, sizeof img, 3);
	unsigned w = 0;
	assert_int_equal(x->drv->set_supply(x->st, x->ctx, 0, -1, &w), FK_OK);
	assert_int_equal(w, 2);
	assert_int_equal(x->drv->set_supply(x->st, x->ctx, 0, 2, &w), FK_E_USAGE);
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08000800U, img, sizeof img), FK_OK);
	assert_int_equal(x->drv->read(x->st, x->ctx, 0x08000800U, back, sizeof back), FK_OK);
	assert_memory_equal(img, back, sizeof img);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08000800U), img[0]);
	/* programming a half-word that is not erased: PGERR, named */
	uint8_t two[2] = {0x12, 0x34};
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08000800U, two, 2), FK_E_FLASH);
	/* erase page 2 only: page 3 keeps its data */
	fk_sector_set set;
	assert_int_equal(fk_sector_set_init(&set, 64), FK_OK);
	fk_sector_set_add(&set, 2);
	assert_int_equal(x->drv->erase(x->st, x->ctx, &set, false), FK_OK);
	fk_sector_set_free(&set);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08000800U), 0xFF);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08000C00U), img[1024]);
	/* mass erase */
	assert_int_equal(x->drv->erase(x->st, x->ctx, NULL, true), FK_OK);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08000C00U), 0xFF);
	/* outside main flash, odd length */
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08010000U, two, 2), FK_E_RANGE);
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08000000U, two, 1), FK_E_RANGE);
	/* the option bytes are never touched by erase/program */
	uint8_t ob[16];
	tw_f1_option_bytes(x->m.t, ob);
	assert_int_equal(ob[0], 0xA5);
	assert_int_equal(ob[1], 0x5A);
	/* the controller is locked again afterwards */
	x->drv->relock(x->st, x->ctx);
	assert_true(tw_f1_reg(x->m.t, 0x40022010U) & 0x80U);
	fx_free(x);
}

/* ---- inventory ---- */
static void test_inventory_factory(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	fk_inventory inv;
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	assert_string_equal(inv.family, "stm32f1");
	assert_int_equal(inv.rdp_level, 0);
	assert_int_equal(inv.rdp_raw, 0xA5);
	assert_true(inv.flash_readable);
	assert_false(inv.write_blocked);
	assert_non_null(find_lock(&inv, FK_LOCK_CTRL));
	assert_non_null(find_lock(&inv, FK_LOCK_OPT));
	assert_null(find_lock(&inv, FK_LOCK_RDP));
	assert_null(find_lock(&inv, FK_LOCK_WRP));
	assert_null(find_lock(&inv, FK_LOCK_OPTIONS_TORN));
	assert_string_equal(find_opt(&inv, "wdg_sw")->text, "software");
	assert_string_equal(find_opt(&inv, "wrp")->text, "pages none");
	assert_null(find_opt(&inv, "nboot1"));
	fx_free(x);
	x = fx_up("stm32f030c8");
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	assert_int_equal(inv.rdp_raw, 0xAA);
	assert_non_null(find_opt(&inv, "nboot1"));
	assert_non_null(find_opt(&inv, "ram_parity"));
	fx_free(x);
}

/* ---- write protection: refused before anything is erased; the ladder removes it ---- */
static void test_wrp_refused_then_removed(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	uint8_t img[1024];
	pattern(img, sizeof img, 9);
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08001400U, img, sizeof img), FK_OK);
	/* WRP0 bit 1 = pages 4-7 protected; USER 0xFE (hardware watchdog), Data0 0x42 */
	tw_f1_set_options(x->m.t, 0xA5, 0xFE, 0x42, 0xFF, 0xFFFFFFFDU);
	fk_inventory inv;
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	const fk_lock *wrp = find_lock(&inv, FK_LOCK_WRP);
	assert_non_null(wrp);
	assert_string_equal(wrp->state, "pages 4-7");
	assert_int_equal(wrp->sectors, 0xF0U);
	assert_true(inv.sectors[5].wrp);
	assert_false(inv.sectors[3].wrp);
	/* erase pages 5 (page 5 holds data) and 6: refused, nothing erased */
	fk_sector_set set;
	assert_int_equal(fk_sector_set_init(&set, 64), FK_OK);
	fk_sector_set_add(&set, 5);
	fk_sector_set_add(&set, 1);
	unsigned ops = tw_f1_flash_ops(x->m.t);
	assert_int_equal(x->drv->erase(x->st, x->ctx, &set, false), FK_E_PROTECTED);
	assert_int_equal(tw_f1_flash_ops(x->m.t), ops);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08001400U), img[0]);
	assert_int_equal(x->drv->erase(x->st, x->ctx, NULL, true), FK_E_PROTECTED);
	assert_int_equal(tw_f1_flash_ops(x->m.t), ops);
	/* the ladder up to wrp: keys, then the option rewrite with the other options kept
	 * (the controller relocked after the flash work, as the session does) */
	x->drv->relock(x->st, x->ctx);
	fk_plan p;
	assert_int_equal(plan_unlock(x, FK_STEP_WRP, &p), FK_OK);
	assert_int_equal(p.nsteps, 3);
	assert_int_equal(p.steps[0].id, FK_STEP_CTRL);
	assert_int_equal(p.steps[1].id, FK_STEP_OPT);
	assert_int_equal(p.steps[2].id, FK_STEP_WRP);
	assert_false(p.steps[2].destructive);
	fk_perms perms = {0};
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	assert_int_equal(tw_f1_wrpr(x->m.t), 0xFFFFFFFFU);
	uint8_t ob[16];
	tw_f1_option_bytes(x->m.t, ob);
	assert_int_equal(ob[0], 0xA5); /* RDP kept */
	assert_int_equal(ob[2], 0xFE); /* USER kept */
	assert_int_equal(ob[4], 0x42); /* Data0 kept */
	assert_int_equal(ob[5], 0xBD);
	assert_false(tw_f1_opterr(x->m.t));
	assert_int_equal(tw_f1_rdp_level(x->m.t), 0);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08001400U), img[0]); /* no data lost */
	assert_int_equal(x->drv->erase(x->st, x->ctx, &set, false), FK_OK);
	fk_sector_set_free(&set);
	fx_free(x);
}

/* ---- RDP level 1 on the F1: reads refused, first 4 KiB protected, regression erases ---- */
static void test_rdp1_regression_f1(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	uint8_t img[512], back[512];
	pattern(img, sizeof img, 1);
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08002000U, img, sizeof img), FK_OK);
	tw_f1_set_options(x->m.t, 0x00, 0xFF, 0x5C, 0xFF, 0xFFFFFFFFU);
	fk_inventory inv;
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	assert_int_equal(inv.rdp_level, 1);
	assert_false(inv.flash_readable);
	const fk_lock *rdp = find_lock(&inv, FK_LOCK_RDP);
	assert_non_null(rdp);
	assert_non_null(strstr(rdp->state, "first 4 KiB"));
	assert_int_equal(rdp->cost, FK_COST_ALL_FLASH);
	assert_true(inv.sectors[3].wrp);
	assert_false(inv.sectors[4].wrp);
	assert_int_equal(x->drv->read(x->st, x->ctx, 0x08002000U, back, sizeof back),
			 FK_E_PROTECTED);
	assert_non_null(strstr(msg(x->ctx), "RDP level 1"));
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08002000U, img, 2), FK_E_PROTECTED);
	/* the ladder: rdp is destructive and needs --allow-erase-all */
	fk_plan p;
	assert_int_equal(plan_unlock(x, FK_STEP_RDP, &p), FK_OK);
	const fk_step *last = &p.steps[p.nsteps - 1];
	assert_int_equal(last->id, FK_STEP_RDP);
	assert_true(last->destructive);
	assert_true(last->backup);
	assert_int_equal(last->cost, FK_COST_ALL_FLASH);
	fk_perms perms = {0};
	assert_int_equal(run_plan(x, &p, &perms), FK_E_PERMISSION);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 1);
	perms.allow_erase_all = true;
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 0);
	assert_int_equal(tw_f1_peek(x->m.t, 0x08002000U), 0xFF); /* mass-erased */
	uint8_t ob[16];
	tw_f1_option_bytes(x->m.t, ob);
	assert_int_equal(ob[0], 0xA5);
	assert_int_equal(ob[4], 0x5C); /* Data0 kept */
	assert_int_equal(x->drv->read(x->st, x->ctx, 0x08002000U, back, sizeof back), FK_OK);
	fx_free(x);
}

/* ---- options set with semantic keys ---- */
static void test_options_set(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	fk_plan p;
	fk_perms perms = {0};
	const char *kv[] = {"wdg_sw=0", "data0=0x42", "data1=7", "nrst_stop=0", "wrp=0-3,8-11"};
	assert_int_equal(plan_options(x, kv, 5, &p), FK_OK);
	assert_int_equal(p.steps[p.nsteps - 1].id, FK_STEP_WRP);
	assert_false(p.steps[p.nsteps - 1].destructive);
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	fk_inventory inv;
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	assert_string_equal(find_opt(&inv, "wdg_sw")->text, "hardware");
	assert_int_equal(find_opt(&inv, "data0")->value, 0x42);
	assert_int_equal(find_opt(&inv, "data1")->value, 7);
	assert_string_equal(find_opt(&inv, "nrst_stop")->text, "reset on Stop");
	assert_string_equal(find_opt(&inv, "wrp")->text, "pages 0-3, 8-11");
	assert_int_equal(tw_f1_wrpr(x->m.t), 0xFFFFFFFAU);
	assert_int_equal(inv.rdp_level, 0);
	/* the same again: nothing to do */
	assert_int_equal(plan_options(x, kv, 5, &p), FK_OK);
	assert_true(p.nothing_to_do);
	/* bad input: part of a group, unknown key, out of range, no level 2 on the F1 */
	const char *partial[] = {"wrp=0-2"};
	assert_int_equal(plan_options(x, partial, 1, &p), FK_E_INVALID_ARG);
	assert_non_null(strstr(msg(x->ctx), "pages 0-3 form one group"));
	const char *unknown[] = {"bor=3"};
	assert_int_equal(plan_options(x, unknown, 1, &p), FK_E_INVALID_ARG);
	const char *range[] = {"wrp=60-67"};
	assert_int_equal(plan_options(x, range, 1, &p), FK_E_RANGE);
	const char *nol2[] = {"rdp=2"};
	assert_int_equal(plan_options(x, nol2, 1, &p), FK_E_UNSUPPORTED);
	const char *f0key[] = {"nboot1=0"};
	assert_int_equal(plan_options(x, f0key, 1, &p), FK_E_INVALID_ARG);
	/* raising to level 1 is not destructive; back to 0 is, with a mass erase */
	const char *l1[] = {"rdp=1"};
	assert_int_equal(plan_options(x, l1, 1, &p), FK_OK);
	assert_int_equal(p.steps[p.nsteps - 1].id, FK_STEP_RDP_RAISE);
	assert_false(p.steps[p.nsteps - 1].destructive);
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 1);
	assert_int_equal(tw_f1_wrpr(x->m.t), 0xFFFFFFFAU); /* kept */
	const char *l0[] = {"rdp=0", "wrp=none"};
	assert_int_equal(plan_options(x, l0, 2, &p), FK_OK);
	assert_int_equal(p.steps[p.nsteps - 1].id, FK_STEP_RDP);
	assert_int_equal(run_plan(x, &p, &perms), FK_E_PERMISSION);
	perms.allow_erase_all = true;
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 0);
	assert_int_equal(tw_f1_wrpr(x->m.t), 0xFFFFFFFFU);
	fx_free(x);
}

/* ---- F0: level 2 refused without PERMANENT; at level 2 nothing is reachable ---- */
static void test_f0_level2(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f030c8");
	fk_plan p;
	const char *kv[] = {"rdp=2"};
	assert_int_equal(plan_options(x, kv, 1, &p), FK_OK);
	const fk_step *s = &p.steps[p.nsteps - 1];
	assert_true(s->irreversible);
	assert_int_equal(s->cost, FK_COST_IMPOSSIBLE);
	assert_non_null(strstr(s->cost_text, "PERMANENT"));
	fk_perms perms = {.allow_erase_all = true};
	assert_int_equal(run_plan(x, &p, &perms), FK_E_PERMISSION);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 0);
	uint8_t ob[16];
	tw_f1_option_bytes(x->m.t, ob);
	assert_int_equal(ob[0], 0xAA); /* nothing written */
	perms.allow_irreversible = "PERMANENT";
	assert_int_equal(s->pending, FK_PENDING_POWER_ON);
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	/* stored, not loaded by the session (which would cut its own debug port): the
	 * power-on loads it (RM0091 §3.5.5), and the debug port is gone for good */
	tw_f1_option_bytes(x->m.t, ob);
	assert_int_equal(ob[0], 0xCC);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 0);
	tw_f1_power_off(x->m.t);
	tw_f1_power_on(x->m.t);
	assert_int_equal(tw_f1_rdp_level(x->m.t), 2);
	assert_false(tw_f1_debug_reachable(x->m.t));
	fk_inventory inv;
	assert_int_not_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	fx_free(x);
	/* an F0 found at level 2 by the twin directly: the ladder refuses with the reason */
	x = fx_up("stm32f072rb");
	tw_f1_set_options(x->m.t, 0x00, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
	assert_int_equal(plan_unlock(x, FK_STEP_RDP, &p), FK_OK);
	assert_int_equal(p.steps[p.nsteps - 1].id, FK_STEP_RDP);
	assert_false(p.steps[p.nsteps - 1].refused);
	/* F0 level 1: the debugger cannot erase pages (RM0091 Table 10) */
	fk_sector_set set;
	assert_int_equal(fk_sector_set_init(&set, 64), FK_OK);
	fk_sector_set_add(&set, 9);
	assert_int_equal(x->drv->erase(x->st, x->ctx, &set, false), FK_E_PROTECTED);
	assert_int_equal(x->drv->erase(x->st, x->ctx, NULL, true), FK_E_PROTECTED);
	fk_sector_set_free(&set);
	fx_free(x);
}

/* ---- OPTERR after a torn option write: shown, and the ladder rewrites the options ---- */
static void test_torn_options(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	uint8_t img[64];
	pattern(img, sizeof img, 5);
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08004000U, img, sizeof img), FK_OK);
	/* power lost halfway through the option erase of `options set data0=1` */
	tw_f1_fault_power_at_op(x->m.t, 1);
	fk_plan p;
	const char *kv[] = {"data0=1"};
	assert_int_equal(plan_options(x, kv, 1, &p), FK_OK);
	fk_perms perms = {0};
	assert_int_not_equal(run_plan(x, &p, &perms), FK_OK);
	tw_f1_power_on(x->m.t);
	assert_true(tw_f1_opterr(x->m.t));
	assert_int_equal(tw_f1_rdp_level(x->m.t), 1); /* a torn RDP byte loads as level 1 */
	fk_inventory inv;
	assert_int_equal(m_halt(&x->m, x->ctx), FK_OK);
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	const fk_lock *torn = find_lock(&inv, FK_LOCK_OPTIONS_TORN);
	assert_non_null(torn);
	assert_non_null(strstr(torn->state, "RDP"));
	assert_int_equal(torn->step, FK_STEP_RDP);
	assert_int_equal(inv.rdp_level, 1);
	assert_int_equal(plan_unlock(x, FK_STEP_RDP, &p), FK_OK);
	perms.allow_erase_all = true;
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	assert_false(tw_f1_opterr(x->m.t));
	assert_int_equal(tw_f1_rdp_level(x->m.t), 0);
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	assert_null(find_lock(&inv, FK_LOCK_OPTIONS_TORN));
	fx_free(x);
}

/* ---- a wrong key locks the FPEC until reset: reported, never retried ---- */
static void test_key_lockout(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f103c8");
	/* someone (another tool) wrote a wrong key */
	assert_int_equal(tw_f1_write(x->m.t, TW_INIT_DEBUG, 0x40022004U, 4, 0x12345678U),
			 TW_BUS_ERROR);
	uint8_t two[2] = {1, 2};
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08000000U, two, 2), FK_E_LOCKED);
	fk_plan p;
	assert_int_equal(plan_unlock(x, FK_STEP_CTRL, &p), FK_OK);
	assert_int_equal(p.steps[0].id, FK_STEP_CTRL);
	assert_true(p.steps[0].refused);
	assert_int_equal(x->drv->reset(x->st, x->ctx, FK_RESET_SYSTEM), FK_OK);
	assert_int_equal(x->drv->program(x->st, x->ctx, 0x08000000U, two, 2), FK_OK);
	fx_free(x);
}

/* ---- F303: WRP bit 31 covers the rest; backup of the option bytes; vector check ---- */
static void test_f303_wrp_and_misc(void **state)
{
	(void)state;
	fx *x = fx_up("stm32f303cc");
	tw_f1_set_options(x->m.t, 0xAA, 0xFF, 0xFF, 0xFF, 0x7FFFFFFEU);
	fk_inventory inv;
	assert_int_equal(x->drv->inventory(x->st, x->ctx, &inv), FK_OK);
	/* one lock per run of pages, with its address range (2 KiB pages, PM0075 §2.4.2) */
	const fk_lock *w = find_lock(&inv, FK_LOCK_WRP);
	assert_string_equal(w[0].state, "pages 0-1");
	assert_int_equal(w[0].range_addr, 0x08000000U);
	assert_int_equal(w[0].range_len, 2U * 2048U);
	assert_int_equal(w[1].kind, FK_LOCK_WRP);
	assert_string_equal(w[1].state, "pages 62-127");
	assert_int_equal(w[1].range_addr, 0x08000000U + 62U * 2048U);
	assert_int_equal(w[1].range_len, 66U * 2048U);
	uint8_t buf[32];
	size_t len = 0;
	uint32_t addr = 0;
	assert_int_equal(x->drv->backup_options(x->st, x->ctx, buf, sizeof buf, &len, &addr), FK_OK);
	assert_int_equal(len, 16);
	assert_int_equal(addr, 0x1FFFF800U);
	assert_int_equal(buf[0], 0xAA);
	assert_int_equal(buf[8], 0xFE);
	/* restore from a backup: the raw option bytes as a plan */
	buf[8] = 0xFF;
	buf[9] = 0x00;
	buf[14] = 0xFF;
	buf[15] = 0x00;
	fk_change req = {.kind = FK_CHANGE_OPTIONS_RAW, .raw = buf, .raw_len = 16};
	fk_plan p;
	assert_int_equal(x->drv->plan(x->st, x->ctx, &inv, &req, &p), FK_OK);
	fk_perms perms = {0};
	assert_int_equal(run_plan(x, &p, &perms), FK_OK);
	assert_int_equal(tw_f1_wrpr(x->m.t), 0xFFFFFFFFU);
	char why[160];
	assert_int_equal(x->drv->vector_check(x->st, 0x2000A000U, 0x08000101U, why, sizeof why),
			 FK_VEC_OK);
	assert_int_equal(x->drv->vector_check(x->st, 0x2000A004U, 0x08000101U, why, sizeof why),
			 FK_VEC_BAD); /* 40 KiB SRAM ends at 0x2000A000 */
	assert_int_equal(x->drv->vector_check(x->st, 0x2000A000U, 0x08000100U, why, sizeof why),
			 FK_VEC_BAD);
	assert_int_equal(x->drv->vector_check(x->st, 0xFFFFFFFFU, 0xFFFFFFFFU, why, sizeof why),
			 FK_VEC_ERASED);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identify_parts),
		cmocka_unit_test(test_identify_names_and_clone),
		cmocka_unit_test(test_program_read_erase),
		cmocka_unit_test(test_inventory_factory),
		cmocka_unit_test(test_wrp_refused_then_removed),
		cmocka_unit_test(test_rdp1_regression_f1),
		cmocka_unit_test(test_options_set),
		cmocka_unit_test(test_f0_level2),
		cmocka_unit_test(test_torn_options),
		cmocka_unit_test(test_key_lockout),
		cmocka_unit_test(test_f303_wrp_and_misc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
