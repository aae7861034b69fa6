/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure STM32F4 logic: option-byte decode/encode and rules (RM0090 §3.7.3-§3.7.5), the inventory
 * decoded from raw register values, the unlock ladder and its permission gates, and the flash
 * planner with awkward images (spanning sectors, unaligned tails, gaps, option-byte segments). */
#include "fk_test.h"

#include "chip/stm32f4.h"
#include "plan/flashplan.h"
#include "plan/ladder.h"

static const stm32f4_device *f407(void)
{
	return stm32f4_dev_find(0x413);
}

static unsigned f407_layout(stm32f4_sector *s)
{
	return stm32f4_dev_layout(f407(), 1024, false, s, STM32F4_MAX_SECTORS);
}

/* F407 at level 1 (0x55) with sectors 0-1 write-protected, locks in reset state. */
static void inv_of(uint32_t optcr, uint32_t sr, const uint8_t *otp_lock, fk_inventory *inv)
{
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	unsigned n = f407_layout(s);
	stm32f4_regs r = {.sr = sr, .cr = 0x80000000U, .optcr = optcr, .sr_valid = true,
			  .cr_valid = true, .optcr_valid = true};
	memset(inv, 0, sizeof *inv);
	inv->flash_size = 1024 * 1024;
	stm32f4_inventory_decode(f407(), s, n, &r, true, otp_lock, NULL, inv);
}

static const fk_lock *find_lock(const fk_inventory *inv, fk_lock_kind k)
{
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == k)
			return &inv->locks[i];
	return NULL;
}

static void test_opt_roundtrip(void **state)
{
	(void)state;
	const stm32f4_device *f429 = stm32f4_dev_find(0x419);
	stm32f4_options o;
	uint32_t a, b;
	stm32f4_opt_decode(f429, 0xCFFC55E5U, 0x0FF70000U, &o);
	assert_int_equal(o.rdp, 0x55);
	assert_true(o.sprmod);
	assert_true(o.db1m);
	assert_int_equal(o.bor_lev, 1);
	assert_false(o.bfb2);
	assert_int_equal(o.nwrp, 0xFF7FFCU);
	stm32f4_opt_encode(f429, &o, &a, &b);
	assert_int_equal(a, 0xCFFC55E4U); /* OPTLOCK is never part of a written value */
	assert_int_equal(b, 0x0FF70000U);
	stm32f4_opt_decode(f407(), STM32F4_OPTCR_DEFAULT, 0, &o);
	assert_int_equal(stm32f4_rdp_level(o.rdp), 0);
	assert_int_equal(o.nwrp, 0xFFF);
	assert_false(o.sprmod); /* F40x has no SPRMOD */
}

static void test_opt_apply_and_rules(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	const stm32f4_device *f411 = stm32f4_dev_find(0x431);
	stm32f4_options cur, want;
	bool irr, all;
	stm32f4_opt_decode(f411, 0x0FFFAAEDU, 0, &cur);
	want = cur;
	assert_int_equal(stm32f4_opt_apply(f411, 8, ctx, "wrp=0,1,5-7", &want), 0);
	assert_int_equal(want.nwrp, 0x1C);
	assert_int_equal(stm32f4_opt_apply(f411, 8, ctx, "bor=2", &want), 0);
	assert_int_equal(want.bor_lev, 1);
	assert_int_equal(stm32f4_opt_apply(f411, 8, ctx, "wrp=9", &want), FK_E_USAGE);
	assert_int_equal(stm32f4_opt_apply(f411, 8, ctx, "colour=red", &want), FK_E_USAGE);
	assert_int_equal(stm32f4_opt_apply(f411, 8, ctx, "rdp", &want), FK_E_USAGE);
	assert_int_equal(stm32f4_opt_check(f411, ctx, &cur, &want, &irr, &all), 0);
	assert_false(irr);
	assert_false(all);
	assert_int_equal(stm32f4_opt_apply(f411, 8, ctx, "rdp=2", &want), 0);
	assert_int_equal(stm32f4_opt_check(f411, ctx, &cur, &want, &irr, &all), 0);
	assert_true(irr);
	/* PCROP at level 1: clearing SPRMOD alone is refused, with RDP 1->0 it is allowed */
	stm32f4_opt_decode(f411, 0x8FFF55EDU, 0, &cur);
	want = cur;
	want.sprmod = false;
	assert_int_equal(stm32f4_opt_check(f411, ctx, &cur, &want, &irr, &all), FK_E_PROTECTED);
	char buf[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, buf, sizeof buf), "§3.7.5"));
	want.rdp = 0xAA;
	assert_int_equal(stm32f4_opt_check(f411, ctx, &cur, &want, &irr, &all), 0);
	assert_true(all);
	/* hardware watchdog: the regression is refused with the way out in the hint */
	cur.wdg_sw = false;
	want.wdg_sw = false;
	assert_int_equal(stm32f4_opt_check(f411, ctx, &cur, &want, &irr, &all), FK_E_PROTECTED);
	assert_non_null(strstr(fk_ctx_hint(ctx), "wdg=sw"));
	/* level 2: nothing changes any more */
	stm32f4_opt_decode(f411, 0x0FFFCCEDU, 0, &cur);
	want = cur;
	want.bor_lev = 0;
	assert_int_equal(stm32f4_opt_check(f411, ctx, &cur, &want, &irr, &all), FK_E_PROTECTED);
	fk_ctx_free(ctx);
}

static void test_inventory_rdp1_wrp(void **state)
{
	(void)state;
	fk_inventory inv;
	uint8_t lock[16];
	memset(lock, 0xFF, sizeof lock);
	lock[0] = 0x00;
	inv_of(0x0FFC55EDU, 0x000000C0U, lock, &inv);
	assert_int_equal(inv.rdp_level, 1);
	assert_int_equal(inv.rdp_raw, 0x55);
	assert_true(inv.intrusion);
	assert_true(inv.write_blocked);
	const fk_lock *wrp = find_lock(&inv, FK_LOCK_WRP);
	assert_non_null(wrp);
	assert_int_equal(wrp->sectors, 0x3);
	assert_int_equal(wrp->cost, FK_COST_NOTHING);
	const fk_lock *rdp = find_lock(&inv, FK_LOCK_RDP);
	assert_int_equal(rdp->cost, FK_COST_ALL_FLASH);
	assert_int_equal(rdp->pending, FK_PENDING_RESET);
	const fk_lock *err = find_lock(&inv, FK_LOCK_ERRORS);
	assert_non_null(err);
	assert_string_equal(err->state, "PGPERR PGSERR latched");
	const fk_lock *otp = find_lock(&inv, FK_LOCK_OTP);
	assert_non_null(otp);
	assert_int_equal(otp->cost, FK_COST_IMPOSSIBLE);
	assert_false(otp->reversible);
	assert_true(inv.otp[0].locked);
	assert_false(inv.otp[1].locked);
	assert_true(inv.sectors[0].wrp);
	assert_false(inv.sectors[2].wrp);
	assert_int_equal(inv.sectors[5].addr, 0x08020000);
	assert_non_null(find_lock(&inv, FK_LOCK_CTRL));
	assert_non_null(find_lock(&inv, FK_LOCK_OPT));
}

static void test_inventory_clean_and_torn(void **state)
{
	(void)state;
	fk_inventory inv;
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	unsigned n = f407_layout(s);
	stm32f4_regs r = {.optcr = 0x0FFFAAECU, .cr = 0, .optcr_valid = true, .cr_valid = true,
			  .sr_valid = true};
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(f407(), s, n, &r, true, NULL, NULL, &inv);
	assert_int_equal(inv.nlocks, 0);
	assert_false(inv.write_blocked);
	assert_false(inv.intrusion); /* intrusion matters only at level 1 */
	assert_false(inv.otp[0].readable);
	inv_of(0x0FFFFFEDU, 0, NULL, &inv); /* the F407 power-loss case: OPTCR 0x0FFFFFEC */
	const fk_lock *torn = find_lock(&inv, FK_LOCK_OPTIONS_TORN);
	assert_non_null(torn);
	assert_non_null(strstr(torn->state, "power loss"));
	assert_int_equal(torn->step, FK_STEP_RDP);
}

static void test_ladder_order_and_gates(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_inventory inv;
	fk_plan plan;
	inv_of(0x0FFC55EDU, 0x000000C0U, NULL, &inv);
	stm32f4_ladder_build(&inv, FK_STEP_COUNT_, &plan);
	stm32f4_plan_values(f407(), 0x0FFC55EDU, 0, &plan);
	assert_int_equal(plan.nsteps, 5);
	static const fk_step_id order[] = {FK_STEP_ERRORS, FK_STEP_CTRL, FK_STEP_OPT, FK_STEP_WRP,
					   FK_STEP_RDP};
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(plan.steps[i].id, order[i]);
	assert_int_equal(plan.steps[3].value[0], 0x0FFF55ECU); /* WRP off, RDP kept */
	assert_int_equal(plan.steps[4].value[0], 0x0FFFAAECU); /* then level 0 */
	assert_true(plan.steps[4].destructive);
	assert_true(plan.steps[4].backup);
	assert_false(plan.steps[3].destructive);
	fk_perms none = {0}, erase = {.allow_erase_all = true};
	assert_int_equal(fkp_plan_check(ctx, &plan, &none), FK_E_PERMISSION);
	assert_non_null(strstr(fk_ctx_hint(ctx), "--allow-erase-all"));
	assert_int_equal(fkp_plan_check(ctx, &plan, &erase), 0);
	/* --upto wrp: no destructive step, no permission needed */
	stm32f4_ladder_build(&inv, FK_STEP_WRP, &plan);
	assert_int_equal(plan.nsteps, 4);
	assert_int_equal(fkp_plan_check(ctx, &plan, &none), 0);
	fk_ctx_free(ctx);
}

static void test_ladder_pcrop_level0_and_watchdog(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	const stm32f4_device *f411 = stm32f4_dev_find(0x431);
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	unsigned n = stm32f4_dev_layout(f411, 512, false, s, STM32F4_MAX_SECTORS);
	stm32f4_regs r = {.optcr = 0x80FFAAEDU, .optcr_valid = true};
	fk_inventory inv;
	fk_plan plan;
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(f411, s, n, &r, true, NULL, NULL, &inv);
	const fk_lock *pc = find_lock(&inv, FK_LOCK_PCROP);
	assert_non_null(pc);
	assert_int_equal(pc->sectors, 0xFF);
	stm32f4_ladder_build(&inv, FK_STEP_COUNT_, &plan);
	stm32f4_plan_values(f411, r.optcr, 0, &plan);
	assert_int_equal(plan.steps[plan.nsteps - 2].id, FK_STEP_RDP_RAISE);
	assert_int_equal(plan.steps[plan.nsteps - 2].value[0], 0x80FF55ECU);
	assert_int_equal(plan.steps[plan.nsteps - 1].value[0], 0x00FFAAECU); /* SPRMOD=0, nWRP=1 */
	/* the same chip at level 1 with the hardware watchdog: regression refused */
	r.optcr = 0x80FF55CDU;
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(f411, s, n, &r, true, NULL, NULL, &inv);
	stm32f4_ladder_build(&inv, FK_STEP_COUNT_, &plan);
	assert_true(plan.steps[plan.nsteps - 1].refused);
	fk_perms all = {.allow_erase_all = true};
	assert_int_equal(fkp_plan_check(ctx, &plan, &all), FK_E_PROTECTED);
	assert_non_null(strstr(fk_ctx_hint(ctx), "wdg=sw"));
	/* over the bootloader PCROP cannot be removed (Readout Unprotect leaves SPRMOD): both the
	 * raise and the regression are refused, so nothing is erased for nothing */
	r.optcr = 0x80FFAAEDU;
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(f411, s, n, &r, true, NULL, NULL, &inv);
	fk_strlcpy(inv.path, "bootloader", sizeof inv.path);
	stm32f4_ladder_build(&inv, FK_STEP_COUNT_, &plan);
	assert_int_equal(plan.steps[plan.nsteps - 2].id, FK_STEP_RDP_RAISE);
	assert_true(plan.steps[plan.nsteps - 2].refused);
	assert_true(plan.steps[plan.nsteps - 1].refused);
	assert_non_null(strstr(plan.steps[plan.nsteps - 1].why, "debug probe"));
	fk_ctx_clear(ctx);
	assert_int_equal(fkp_plan_check(ctx, &plan, &all), FK_E_PROTECTED);
	/* the same over the debug path is allowed */
	fk_strlcpy(inv.path, "debug", sizeof inv.path);
	stm32f4_ladder_build(&inv, FK_STEP_COUNT_, &plan);
	assert_false(plan.steps[plan.nsteps - 1].refused);
	fk_ctx_free(ctx);
}

static void test_ladder_key_lockout(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	unsigned n = f407_layout(s);
	stm32f4_regs r = {.optcr = 0x0FFFAAEDU, .cr = 0x80000000U, .optcr_valid = true,
			  .cr_valid = true, .cr_key_failed = true};
	fk_inventory inv;
	fk_plan plan;
	fk_perms all = {.allow_erase_all = true};
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(f407(), s, n, &r, false, NULL, NULL, &inv);
	assert_true(inv.write_blocked);
	stm32f4_ladder_build(&inv, FK_STEP_COUNT_, &plan);
	assert_true(plan.steps[0].refused);
	assert_int_equal(fkp_plan_check(ctx, &plan, &all), FK_E_LOCKED);
	assert_non_null(strstr(fk_ctx_hint(ctx), "flashkey reset"));
	fk_ctx_free(ctx);
}

static void sectors_info(fk_sector_info *si, unsigned *n)
{
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	*n = f407_layout(s);
	for (unsigned i = 0; i < *n; i++)
		si[i] = (fk_sector_info){.number = s[i].number, .addr = s[i].addr, .size = s[i].size};
}

static void test_flash_plan_awkward(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_sector_info si[FK_INV_MAX_SECTORS];
	unsigned n;
	sectors_info(si, &n);
	static uint8_t a[0x4800], b[3] = {1, 2, 3};
	memset(a, 0x11, sizeof a);
	/* 18 KiB from 0x08003000 spans sectors 0..1 (4.5 x 4 KiB), plus a 3-byte tail in sector 5 */
	fk_seg segs[] = {{0x08003000, sizeof a, a}, {0x08020001, 3, b}};
	fkp_area opt[] = {{"option bytes", 0x1FFFC000, 16}, {"OTP", 0x1FFF7800, 0x210}};
	fkp_flash_plan p;
	assert_int_equal(fkp_flash_plan_build(ctx, segs, 2, si, n, opt, 2, &p), 0);
	/* exactly sectors 0, 1 and 5 */
	assert_int_equal(fk_sector_set_count(&p.touch), 3);
	assert_true(fk_sector_set_has(&p.touch, 0));
	assert_true(fk_sector_set_has(&p.touch, 1));
	assert_true(fk_sector_set_has(&p.touch, 5));
	assert_int_equal(p.bytes, sizeof a + 3);
	fkp_flash_plan_free(&p);
	static uint8_t buf[0x20000];
	assert_int_equal(fkp_sector_image(segs, 2, 0x08004000, 0x4000, buf), 0x3800);
	assert_int_equal(buf[0x37FF], 0x11);
	assert_int_equal(buf[0x3800], 0xFF);
	assert_int_equal(fkp_sector_image(segs, 2, 0x08020000, 0x20000, buf), 3);
	uint32_t pos = 0, st, len;
	assert_true(fkp_next_run(buf, 0x20000, 4, &pos, &st, &len));
	assert_int_equal(st, 0);
	assert_int_equal(len, 4); /* the unaligned tail is padded to one word */
	assert_int_equal(buf[0], 0xFF);
	assert_int_equal(buf[1], 1);
	assert_false(fkp_next_run(buf, 0x20000, 4, &pos, &st, &len));
	/* an image reaching the option bytes is refused, naming them */
	fk_seg bad[] = {{0x1FFFC000, 2, b}};
	assert_int_equal(fkp_flash_plan_build(ctx, bad, 1, si, n, opt, 2, &p), FK_E_PERMISSION);
	fkp_flash_plan_free(&p);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "option bytes"));
	fk_seg past[] = {{0x080FFFFE, 4, a}};
	assert_int_equal(fkp_flash_plan_build(ctx, past, 1, si, n, opt, 2, &p), FK_E_RANGE);
	fkp_flash_plan_free(&p);
	fk_seg ovl[] = {{0x08000000, 8, a}, {0x08000004, 8, a}};
	assert_int_equal(fkp_flash_plan_build(ctx, ovl, 2, si, n, opt, 2, &p), FK_E_BAD_IMAGE);
	fkp_flash_plan_free(&p);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opt_roundtrip),
		cmocka_unit_test(test_opt_apply_and_rules),
		cmocka_unit_test(test_inventory_rdp1_wrp),
		cmocka_unit_test(test_inventory_clean_and_torn),
		cmocka_unit_test(test_ladder_order_and_gates),
		cmocka_unit_test(test_ladder_pcrop_level0_and_watchdog),
		cmocka_unit_test(test_ladder_key_lockout),
		cmocka_unit_test(test_flash_plan_awkward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
