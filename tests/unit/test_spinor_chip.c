/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chip/spinor (the SPI NOR driver's instructions, identification, protection decode and unlock
 * ladder) against the SPI NOR twin through an fk_spi_ops adapter, and against scripted buses for
 * what no twin part gives (no chip, an unknown ID with SFDP). */
#include "fk_test.h"

#include "chip/spinor.h"
#include "core/core.h"
#include "fktwin/spinor.h"

static fk_ctx *CTX;
static tw_spinor *C;
static spinor_bus B;
static char MSG[FK_CHAIN_MSG_MAX];

static int tw_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	(void)ctx;
	tw_spinor_cs_assert(h);
	tw_spinor_exchange(h, w, NULL, wn);
	tw_spinor_exchange(h, NULL, r, rn);
	tw_spinor_cs_release(h);
	return FK_OK;
}

static void tw_limits(void *h, size_t *mw, size_t *mr)
{
	(void)h;
	*mw = 4096;
	*mr = 65536;
}

static void tw_delay(void *h, uint32_t us)
{
	tw_spinor_advance(h, (uint64_t)us * 1000U);
}

static const fk_spi_ops tw_ops = {.xfer = tw_xfer, .limits = tw_limits, .delay = tw_delay};

static void open_part(const char *key)
{
	if (C) {
		spinor_bus_free(&B);
		tw_spinor_free(C);
	}
	assert_int_equal(tw_spinor_create(CTX, key, &C), 0);
	tw_spinor_set_sck(C, 8000000); /* polls move the virtual clock */
	assert_int_equal(spinor_bus_init(&B, CTX, &tw_ops, C), FK_OK);
}

static int setup(void **state)
{
	(void)state;
	CTX = fk_ctx_new();
	C = NULL;
	open_part("w25q64jv");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	spinor_bus_free(&B);
	tw_spinor_free(C);
	C = NULL;
	fk_ctx_free(CTX);
	return 0;
}

static const char *msg(void)
{
	return fk_ctx_message(CTX, MSG, sizeof MSG);
}

static void identifies_every_part(void **state)
{
	(void)state;
	for (size_t i = 0; i < spinor_nparts; i++) {
		open_part(spinor_parts[i].key);
		spinor_ident id;
		assert_int_equal(spinor_identify(&B, &id), FK_OK);
		assert_int_equal(id.kind, SPINOR_ID_KNOWN);
		assert_string_equal(id.part->key, spinor_parts[i].key);
		assert_memory_equal(id.id, spinor_parts[i].id, 3);
	}
}

/* ---- scripted buses: a fixed ID, an SFDP space ---- */
static uint8_t S_ID[3];
static uint8_t S_SFDP[256];

static int s_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	(void)h;
	(void)ctx;
	memset(r, 0xFF, rn);
	if (wn >= 1 && w[0] == SPINOR_OP_RDID)
		memcpy(r, S_ID, FK_MIN(rn, (size_t)3));
	if (wn >= 5 && w[0] == SPINOR_OP_RDSFDP) {
		size_t a = (size_t)w[1] << 16 | (size_t)w[2] << 8 | w[3];
		for (size_t i = 0; i < rn; i++)
			r[i] = a + i < sizeof S_SFDP ? S_SFDP[a + i] : 0xFF;
	}
	return FK_OK;
}

static void s_limits(void *h, size_t *mw, size_t *mr)
{
	(void)h;
	*mw = 260;
	*mr = 64; /* SFDP read in pieces */
}

static const fk_spi_ops s_ops = {.xfer = s_xfer, .limits = s_limits};

static void no_chip_is_named_with_checks(void **state)
{
	(void)state;
	spinor_bus sb;
	spinor_ident id;
	assert_int_equal(spinor_bus_init(&sb, CTX, &s_ops, NULL), FK_OK);
	memset(S_ID, 0xFF, 3);
	assert_int_equal(spinor_identify(&sb, &id), FK_E_CONNECT);
	assert_non_null(strstr(msg(), "no SPI chip answered: JEDEC ID (9Fh) read FF FF FF"));
	assert_non_null(strstr(msg(), "MISO floating"));
	assert_non_null(strstr(fk_ctx_hint(CTX), "supply"));
	assert_non_null(strstr(fk_ctx_hint(CTX), "/WP (3)"));
	fk_ctx_clear(CTX);
	memset(S_ID, 0x00, 3);
	assert_int_equal(spinor_identify(&sb, &id), FK_E_CONNECT);
	assert_non_null(strstr(msg(), "read 00 00 00 (MISO held low)"));
	spinor_bus_free(&sb);
}

static void unknown_id_uses_sfdp(void **state)
{
	(void)state;
	spinor_bus sb;
	spinor_ident id;
	assert_int_equal(spinor_bus_init(&sb, CTX, &s_ops, NULL), FK_OK);
	const uint8_t other[3] = {0x20, 0xBA, 0x18}; /* not in the table */
	memcpy(S_ID, other, 3);
	memset(S_SFDP, 0xFF, sizeof S_SFDP);
	spinor_sfdp_build(spinor_part_by_key("w25q128jv"), S_SFDP, sizeof S_SFDP);
	assert_int_equal(spinor_identify(&sb, &id), FK_OK);
	assert_int_equal(id.kind, SPINOR_ID_SFDP);
	assert_null(id.part);
	assert_int_equal(id.sfdp.size, 16U << 20);
	/* no SFDP: the ID is unknown and said so */
	memset(S_SFDP, 0xFF, sizeof S_SFDP);
	assert_int_equal(spinor_identify(&sb, &id), FK_OK);
	assert_int_equal(id.kind, SPINOR_ID_UNKNOWN);
	assert_true(id.sfdp_err[0] != '\0');
	spinor_bus_free(&sb);
}

/* Our decode against the twin's own view of what is protected, for every BP/TB/SEC/CMP. */
static void decode_agrees_with_twin(void **state)
{
	(void)state;
	const char *parts[] = {"w25q64jv", "w25q128jv", "gd25q64c", "mx25l6433f"};
	for (size_t k = 0; k < 4; k++) {
		open_part(parts[k]);
		const spinor_part *p = spinor_part_by_key(parts[k]);
		unsigned nbp;
		uint8_t z[3] = {0};
		spinor_bp(p, z, &nbp);
		for (unsigned v = 0; v < (1U << (nbp + 3)); v++) {
			uint8_t nv[3] = {0}, cur[3], tnv[3];
			memcpy(nv, p->factory, 3);
			for (unsigned i = 0; i < nbp; i++)
				spinor_set(p, nv, (spinor_field)(SPINOR_BP0 + i), (v >> i) & 1U);
			spinor_set(p, nv, SPINOR_TB, (v >> nbp) & 1U);
			spinor_set(p, nv, SPINOR_SEC, (v >> (nbp + 1)) & 1U);
			spinor_set(p, nv, SPINOR_CMP, (v >> (nbp + 2)) & 1U);
			tw_spinor_set_regs(C, nv);
			assert_int_equal(spinor_read_regs(&B, p, cur), FK_OK);
			tw_spinor_regs(C, tnv, nv);
			assert_memory_equal(cur, tnv, p->nregs);
			spinor_prot pr;
			spinor_prot_decode(p, cur, -1, &pr);
			uint32_t ts, tl;
			bool contig;
			tw_spinor_protected_span(C, &ts, &tl, &contig);
			assert_int_equal(pr.len, tl);
			if (tl)
				assert_int_equal(pr.start, ts);
		}
	}
}

static void range_text(void **state)
{
	(void)state;
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	char t[96];
	spinor_range_text(p, 0x7E0000, 0x20000, t, sizeof t);
	assert_string_equal(t, "0x7E0000-0x7FFFFF (128 KiB, upper 1/64)");
	spinor_range_text(p, 0, 0x400000, t, sizeof t);
	assert_string_equal(t, "0x000000-0x3FFFFF (4 MiB, lower 1/2)");
	spinor_range_text(p, 0, 8U << 20, t, sizeof t);
	assert_string_equal(t, "0x000000-0x7FFFFF (8 MiB, all)");
	spinor_range_text(p, 0, 0, t, sizeof t);
	assert_string_equal(t, "none");
}

static void protected_span(uint32_t *s, uint32_t *l)
{
	bool contig;
	tw_spinor_protected_span(C, s, l, &contig);
}

static void run_step(const spinor_part *p, const spinor_lstep *s)
{
	uint8_t cur[3];
	bool vol = s->kind == SPINOR_STEP_VOLATILE;
	assert_int_equal(spinor_read_regs(&B, p, cur), FK_OK);
	for (unsigned r = 0; r < 3; r++)
		if (s->regmask & (1U << r)) {
			assert_int_equal(spinor_write_reg(&B, p, r, s->target[r], vol, cur), FK_OK);
			assert_int_equal(spinor_read_regs(&B, p, cur), FK_OK);
		}
}

static void ladder_volatile_then_nonvolatile(void **state)
{
	(void)state;
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	assert_int_equal(tw_spinor_set_field(C, "bp", 7), 0);
	assert_int_equal(tw_spinor_set_field(C, "cmp", 1), 0);
	assert_int_equal(tw_spinor_set_field(C, "bp", 1), 0); /* CMP=1 BP=1: lower 63/64 */
	uint8_t regs[3];
	uint32_t s, l;
	assert_int_equal(spinor_read_regs(&B, p, regs), FK_OK);
	spinor_ladder lad;
	spinor_plan_unlock(p, regs, -1, 0, &lad);
	assert_false(lad.nothing_to_do);
	assert_int_equal(lad.n, 2);
	assert_int_equal(lad.steps[0].kind, SPINOR_STEP_VOLATILE);
	assert_int_equal(lad.steps[0].regmask, 0x3); /* SR1 (BP) and SR2 (CMP) */
	assert_false(lad.steps[0].refused);
	assert_non_null(strstr(lad.steps[0].what, "until the next power cycle"));
	run_step(p, &lad.steps[0]);
	protected_span(&s, &l);
	assert_int_equal(l, 0);
	tw_spinor_power_cycle(C); /* W64 §8.2.5: volatile values are lost at power-off */
	protected_span(&s, &l);
	assert_int_equal(l, 0x7E0000);
	run_step(p, &lad.steps[1]);
	tw_spinor_power_cycle(C);
	protected_span(&s, &l);
	assert_int_equal(l, 0);
}

static void ladder_refusals(void **state)
{
	(void)state;
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	uint8_t regs[3];
	spinor_ladder lad;
	assert_int_equal(tw_spinor_set_field(C, "bp", 6), 0);
	assert_int_equal(tw_spinor_set_field(C, "srl", 1), 0);
	assert_int_equal(spinor_read_regs(&B, p, regs), FK_OK);
	spinor_plan_unlock(p, regs, -1, 0, &lad);
	assert_true(lad.steps[0].refused);
	assert_true(lad.steps[1].refused);
	assert_non_null(strstr(lad.blocker, "SRL=1 (power-supply lock-down)"));
	assert_non_null(strstr(lad.blocker, "power-cycle"));

	open_part("w25q64jv");
	assert_int_equal(tw_spinor_set_field(C, "bp", 6), 0);
	assert_int_equal(tw_spinor_set_field(C, "srp", 1), 0);
	tw_spinor_set_wp(C, false);
	assert_int_equal(spinor_read_regs(&B, p, regs), FK_OK);
	spinor_plan_unlock(p, regs, 0, 0, &lad);
	assert_true(lad.steps[1].refused);
	assert_non_null(strstr(lad.steps[1].why, "hold /WP (pin 3) high"));
	/* /WP unknown: kept, and the twin (WP low) ignores the write: the read-back tells */
	spinor_plan_unlock(p, regs, -1, 0, &lad);
	assert_false(lad.steps[1].refused);
	uint8_t after[3];
	assert_int_equal(spinor_write_reg(&B, p, 0, lad.steps[1].target[0], false, regs), FK_OK);
	assert_int_equal(spinor_read_regs(&B, p, after), FK_OK);
	assert_int_equal(after[0], regs[0]);
	tw_spinor_set_wp(C, true);
	run_step(p, &lad.steps[1]);
	assert_int_equal(spinor_read_regs(&B, p, after), FK_OK);
	assert_int_equal(spinor_bp(p, after, NULL), 0);
}

static void ladder_nothing_and_macronix(void **state)
{
	(void)state;
	uint8_t regs[3];
	spinor_ladder lad;
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	assert_int_equal(spinor_read_regs(&B, p, regs), FK_OK);
	spinor_plan_unlock(p, regs, -1, 0, &lad);
	assert_true(lad.nothing_to_do);
	/* MX64: no 50h: the ladder is the non-volatile step alone, written as 01h SR CR */
	open_part("mx25l6433f");
	p = spinor_part_by_key("mx25l6433f");
	assert_int_equal(tw_spinor_set_field(C, "bp", 3), 0);
	assert_int_equal(spinor_read_regs(&B, p, regs), FK_OK);
	spinor_plan_unlock(p, regs, -1, 0, &lad);
	assert_int_equal(lad.n, 1);
	assert_int_equal(lad.steps[0].kind, SPINOR_STEP_NONVOLATILE);
	run_step(p, &lad.steps[0]);
	uint32_t s, l;
	protected_span(&s, &l);
	assert_int_equal(l, 0);
}

static void program_read_erase_roundtrip(void **state)
{
	(void)state;
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	uint8_t img[1000], back[1000];
	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	/* 0x1F0: starts 16 bytes before a page end, crosses three page boundaries */
	assert_int_equal(spinor_program(&B, p, 0x1F0, img, sizeof img), FK_OK);
	assert_int_equal(spinor_read(&B, 0x1F0, back, sizeof back), FK_OK);
	assert_memory_equal(back, img, sizeof img);
	assert_int_equal(spinor_erase_op(&B, p, SPINOR_OP_SE, 0), FK_OK);
	assert_int_equal(spinor_read(&B, 0x1F0, back, sizeof back), FK_OK);
	for (size_t i = 0; i < sizeof back; i++)
		assert_int_equal(back[i], 0xFF);
	assert_true(B.polls > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(identifies_every_part, setup, teardown),
		cmocka_unit_test_setup_teardown(no_chip_is_named_with_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_id_uses_sfdp, setup, teardown),
		cmocka_unit_test_setup_teardown(decode_agrees_with_twin, setup, teardown),
		cmocka_unit_test_setup_teardown(range_text, setup, teardown),
		cmocka_unit_test_setup_teardown(ladder_volatile_then_nonvolatile, setup, teardown),
		cmocka_unit_test_setup_teardown(ladder_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(ladder_nothing_and_macronix, setup, teardown),
		cmocka_unit_test_setup_teardown(program_read_erase_roundtrip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
