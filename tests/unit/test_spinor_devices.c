/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SPI NOR device table (lib/devices/spinor.c): rows are consistent, the driver's range
 * decoder gives the W64 §7.1 table rows (pp.18-19), agrees with the twin's independent
 * protection tables for every BP/TB/SEC/CMP combination of every part, lock units tile the
 * array (W64 Fig. 4d), and SFDP (JESD216) built for a part parses back to its geometry. */
#include "fk_test.h"

#include "devices/spinor.h"
#include "fktwin/spinor.h"

static void test_rows_consistent(void **state)
{
	(void)state;
	assert_true(spinor_nparts >= 5);
	for (size_t i = 0; i < spinor_nparts; i++) {
		const spinor_part *p = &spinor_parts[i];
		assert_true(p->size >= (1U << 20) && (p->size & (p->size - 1)) == 0);
		assert_ptr_equal(spinor_part_by_key(p->key), p);
		assert_ptr_equal(spinor_part_by_id(p->id), p);
		for (size_t j = 0; j < i; j++)
			assert_false(memcmp(p->id, spinor_parts[j].id, 3) == 0);
		/* no two fields share a bit; read-only status bits are not writable */
		for (int f = 0; f < SPINOR_NFIELDS; f++) {
			if (!spinor_has(p, (spinor_field)f))
				continue;
			for (int g = 0; g < f; g++)
				if (spinor_has(p, (spinor_field)g))
					assert_false(p->bits[f].reg == p->bits[g].reg &&
						     p->bits[f].bit == p->bits[g].bit);
		}
		uint8_t ro[SPINOR_NREGS] = {0};
		spinor_set(p, ro, SPINOR_BUSY, true);
		spinor_set(p, ro, SPINOR_WEL, true);
		spinor_set(p, ro, SPINOR_SUS, true);
		for (unsigned r = 0; r < SPINOR_NREGS; r++) {
			assert_int_equal(p->wmask[r] & ro[r], 0);
			assert_int_equal(p->otp_mask[r] & ~p->wmask[r], 0);
		}
		assert_true(spinor_has(p, SPINOR_BUSY) && spinor_has(p, SPINOR_WEL) &&
			    spinor_has(p, SPINOR_BP0) && spinor_has(p, SPINOR_SRP0));
		assert_true(p->typ.tpp <= p->max.tpp && p->typ.tse <= p->max.tse &&
			    p->typ.tce <= p->max.tce && p->typ.tw <= p->max.tw);
	}
	assert_null(spinor_part_by_key("w25q99"));
	uint8_t none[3] = {0xFF, 0xFF, 0xFF};
	assert_null(spinor_part_by_id(none));
	uint8_t im[3] = {0xEF, 0x70, 0x17}; /* W64 §8.1: -IM/JM */
	assert_string_equal(spinor_part_by_id(im)->key, "w25q64jv");
	assert_int_equal(spinor_field_by_name("cmp"), SPINOR_CMP);
	assert_int_equal(spinor_field_by_name("nope"), -1);
}

static void range(const char *key, uint8_t sr1, uint8_t sr2, uint32_t start, uint32_t len)
{
	const spinor_part *p = spinor_part_by_key(key);
	uint8_t regs[3] = {sr1, sr2, 0};
	uint32_t s, l;
	spinor_prot_range(p, regs, &s, &l);
	assert_int_equal(l, len);
	if (len)
		assert_int_equal(s, start);
}

/* SR1: SEC bit 6, TB bit 5, BP2..0 bits 4..2; SR2: CMP bit 6 (W64 §7.1). */
#define W(sec, tb, bp) (uint8_t)((sec) << 6 | (tb) << 5 | (bp) << 2)
static void test_w64_table_rows(void **state)
{
	(void)state;
	range("w25q64jv", W(0, 0, 0), 0, 0, 0);
	range("w25q64jv", W(0, 0, 1), 0, 0x7E0000, 0x20000);  /* Upper 1/64 */
	range("w25q64jv", W(0, 0, 6), 0, 0x400000, 0x400000); /* Upper 1/2 */
	range("w25q64jv", W(0, 1, 3), 0, 0x000000, 0x80000);  /* Lower 1/16 */
	range("w25q64jv", W(1, 0, 1), 0, 0x7FF000, 0x1000);   /* U - 1/2048 */
	range("w25q64jv", W(1, 0, 5), 0, 0x7F8000, 0x8000);   /* "1 0 X": U - 1/256 */
	range("w25q64jv", W(1, 1, 3), 0, 0x000000, 0x4000);   /* L - 1/512 */
	range("w25q64jv", W(1, 1, 7), 0, 0, 0x800000);        /* ALL */
	/* CMP = 1 table (p.19) */
	range("w25q64jv", W(0, 0, 0), 0x40, 0, 0x800000);           /* ALL */
	range("w25q64jv", W(0, 0, 1), 0x40, 0x000000, 0x7E0000);    /* Lower 63/64 */
	range("w25q64jv", W(0, 1, 2), 0x40, 0x040000, 0x7C0000);    /* Upper 31/32 */
	range("w25q64jv", W(1, 0, 1), 0x40, 0x000000, 0x7FF000);    /* L - 2047/2048 */
	range("w25q64jv", W(1, 1, 4), 0x40, 0x008000, 0x7F8000);    /* 008000h-7FFFFFh */
	range("w25q64jv", W(0, 0, 7), 0x40, 0, 0);                  /* NONE */
	/* the same portions on 4 and 16 MiB parts */
	range("w25q32jv", W(0, 0, 1), 0, 0x3F0000, 0x10000);
	range("w25q128jv", W(0, 1, 6), 0, 0, 0x800000);
	/* Macronix: BP3..0 in SR bits 5..2, TB in CR bit 3 */
	range("mx25l6433f", 1U << 2, 0, 0x7F0000, 0x10000);
	range("mx25l6433f", 7U << 2, 0x08, 0, 0x400000);
	range("mx25l6433f", 8U << 2, 0, 0, 0x800000);
}

/* The twin's rows (twin/spinor/prot.c) and the driver's decoder agree everywhere. */
static void test_twin_agrees(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	for (size_t i = 0; i < spinor_nparts; i++) {
		const spinor_part *p = &spinor_parts[i];
		tw_spinor *c;
		assert_int_equal(tw_spinor_create(ctx, p->key, &c), 0);
		for (unsigned v = 0; v < 128; v++) {
			uint8_t regs[3] = {0, 0, 0};
			spinor_set(p, regs, SPINOR_BP0, v & 1);
			spinor_set(p, regs, SPINOR_BP1, v & 2);
			spinor_set(p, regs, SPINOR_BP2, v & 4);
			spinor_set(p, regs, SPINOR_BP3, v & 8);
			spinor_set(p, regs, SPINOR_TB, v & 16);
			spinor_set(p, regs, SPINOR_SEC, v & 32);
			spinor_set(p, regs, SPINOR_CMP, v & 64);
			tw_spinor_set_regs(c, regs);
			uint32_t s, l;
			spinor_prot_range(p, regs, &s, &l);
			uint32_t probes[] = {0, s ? s - 1 : 0, s, s + l - 1, s + l, p->size - 1};
			for (unsigned k = 0; k < 6; k++) {
				uint32_t a = probes[k] % p->size;
				bool want = l && a >= s && a < s + l;
				if (tw_spinor_protected(c, a) != want)
					fail_msg("%s regs %02x %02x addr %06x: twin %d decoder %d",
						 p->key, regs[0], regs[1], a,
						 tw_spinor_protected(c, a), want);
			}
		}
		tw_spinor_free(c);
	}
	fk_ctx_free(ctx);
}

static void test_lock_units_tile(void **state)
{
	(void)state;
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	assert_int_equal(spinor_lock_units(p), 32 + 126); /* W64 §6.5: 126 blocks + 32 sectors */
	uint32_t next = 0;
	for (unsigned u = 0; u < spinor_lock_units(p); u++) {
		uint32_t s, l;
		spinor_lock_unit_range(p, u, &s, &l);
		assert_int_equal(s, next);
		assert_int_equal(spinor_lock_unit(p, s), u);
		assert_int_equal(spinor_lock_unit(p, s + l - 1), u);
		next = s + l;
	}
	assert_int_equal(next, p->size);
}

static void test_sfdp_roundtrip(void **state)
{
	(void)state;
	char err[128];
	for (size_t i = 0; i < spinor_nparts; i++) {
		uint8_t t[SPINOR_SFDP_LEN];
		assert_int_equal(spinor_sfdp_build(&spinor_parts[i], t, sizeof t), SPINOR_SFDP_LEN);
		spinor_sfdp_info info;
		assert_int_equal(spinor_sfdp_parse(t, sizeof t, &info, err, sizeof err), 0);
		assert_int_equal(info.size, spinor_parts[i].size);
		assert_true(info.erase_4k_20h);
		assert_int_equal(info.erase[0].size, 4096);
		assert_int_equal(info.erase[1].opcode, 0x52);
		assert_int_equal(info.erase[2].size, 65536);
		assert_int_equal(info.erase[2].opcode, 0xD8);
		/* hostile: no signature, pointer past the end, short table */
		t[0] = 'X';
		assert_int_equal(spinor_sfdp_parse(t, sizeof t, &info, err, sizeof err), -1);
		assert_non_null(strstr(err, "signature"));
		t[0] = 'S';
		assert_int_equal(spinor_sfdp_parse(t, 40, &info, err, sizeof err), -1);
		assert_non_null(strstr(err, "past"));
		t[11] = 2;
		assert_int_equal(spinor_sfdp_parse(t, sizeof t, &info, err, sizeof err), -1);
	}
	uint8_t ff[64];
	memset(ff, 0xFF, sizeof ff);
	spinor_sfdp_info info;
	assert_int_equal(spinor_sfdp_parse(ff, sizeof ff, &info, err, sizeof err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_consistent),
		cmocka_unit_test(test_w64_table_rows),
		cmocka_unit_test(test_twin_agrees),
		cmocka_unit_test(test_lock_units_tile),
		cmocka_unit_test(test_sfdp_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
