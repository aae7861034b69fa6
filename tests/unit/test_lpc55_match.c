/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chip/lpc55: which IDs the LPC55S69 driver claims (lib/chip/lpc55.c l55_match). On the raw
 * DP/AP path (AHB-AP closed): the debug mailbox's IDR 0x002A0000 at AP 2 (spsdk
 * debug_mailbox.py) behind DPIDR 0x6BA02477 (NXP thread 500518); a mailbox at another AP, another
 * IDR or another DPIDR is not claimed. On a memory path (debug open): that DPIDR with a
 * Cortex-M33 CPUID (part 0xD21). --chip names and the registry order. */
#include "fk_test.h"

#include "chip/driver.h"
#include "core/core.h"

static void ids_raw(fk_chip_ids *ids, uint32_t dpidr, uint8_t apsel, uint32_t idr)
{
	memset(ids, 0, sizeof *ids);
	ids->path = FK_PATH_DAP_RAW;
	ids->have_dp = true;
	ids->dp_idr = dpidr;
	ids->nap = 2;
	ids->ap[0].apsel = 0;
	ids->ap[0].idr = 0x84770001U;
	ids->ap[1].apsel = apsel;
	ids->ap[1].idr = idr;
}

static void test_raw_path(void **state)
{
	(void)state;
	const fk_chip_driver *d = fk_chip_driver_for_name("lpc55s69");
	assert_non_null(d);
	assert_string_equal(d->family, "lpc55");
	assert_true(d->paths & FK_PATH_BIT(FK_PATH_DAP_RAW));
	fk_chip_ids ids;
	char part[48] = "";
	ids_raw(&ids, 0x6BA02477U, 2, 0x002A0000U);
	assert_true(d->match(&ids, part, sizeof part));
	assert_string_equal(part, "lpc55s69");
	assert_true(d->part_is(&ids, "lpc55s69"));
	assert_false(d->part_is(&ids, "stm32f407"));
	ids_raw(&ids, 0x6BA02477U, 2, 0x002A0001U); /* another IDR */
	assert_false(d->match(&ids, part, sizeof part));
	ids_raw(&ids, 0x6BA02477U, 1, 0x002A0000U); /* the mailbox at AP 1 (an MCX A in probe-rs) */
	assert_false(d->match(&ids, part, sizeof part));
	ids_raw(&ids, 0x2BA01477U, 2, 0x002A0000U); /* another DP */
	assert_false(d->match(&ids, part, sizeof part));
	ids_raw(&ids, 0x6BA02477U, 2, 0x002A0000U);
	ids.have_dp = false;
	assert_false(d->match(&ids, part, sizeof part));
}

static void test_memory_path(void **state)
{
	(void)state;
	const fk_chip_driver *d = fk_chip_driver_for_name("lpc55");
	fk_chip_ids ids;
	char part[48];
	memset(&ids, 0, sizeof ids);
	ids.path = FK_PATH_MEMORY;
	ids.have_dp = true;
	ids.dp_idr = 0x6BA02477U;
	ids.nwords = 1;
	ids.words[0] = (fk_chip_id_word){"CPUID", 0xE000ED00U, 0x410FD214U, true};
	assert_true(d->match(&ids, part, sizeof part));
	ids.words[0].value = 0x410FC241U; /* a Cortex-M4 */
	assert_false(d->match(&ids, part, sizeof part));
	ids.words[0].value = 0x410FD214U;
	ids.words[0].ok = false; /* CPUID unreadable */
	assert_false(d->match(&ids, part, sizeof part));
	ids.words[0].ok = true;
	ids.dp_idr = 0x2BA01477U;
	assert_false(d->match(&ids, part, sizeof part));
}

static void test_no_other_driver_claims_it(void **state)
{
	(void)state;
	fk_chip_ids ids;
	char part[48];
	const fk_chip_driver *d, *l55 = fk_chip_driver_for_name("lpc55");
	ids_raw(&ids, 0x6BA02477U, 2, 0x002A0000U);
	for (unsigned i = 0; (d = fk_chip_driver_at(i)) != NULL; i++)
		if (d != l55 && (d->paths & FK_PATH_BIT(FK_PATH_DAP_RAW)))
			assert_false(d->match(&ids, part, sizeof part));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_path),
		cmocka_unit_test(test_memory_path),
		cmocka_unit_test(test_no_other_driver_claims_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
