/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 bootloader path (lib/chip/stm32f4_boot*.c): what the inventory says when the
 * bootloader refuses reads (RDP inferred, AN3155 Table 2), and the path against the twin's
 * bootloader server (tests/unit/test_an3155_twin.c covers the protocol end to end). */
#include "fk_test.h"

#include "chip/stm32f4.h"

static void test_inventory_rdp_inferred(void **state)
{
	(void)state;
	const stm32f4_device *dev = stm32f4_dev_find(0x413);
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	unsigned n = stm32f4_dev_layout(dev, 1024, false, s, STM32F4_MAX_SECTORS);
	stm32f4_regs r = {.rdp_inferred = true, .rdp_inferred_level = 1};
	fk_inventory inv;
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(dev, s, n, &r, false, NULL, NULL, &inv);
	assert_int_equal(inv.rdp_level, 1);
	assert_true(inv.write_blocked);
	const fk_lock *l = NULL;
	for (unsigned i = 0; i < inv.nlocks; i++)
		if (inv.locks[i].kind == FK_LOCK_RDP)
			l = &inv.locks[i];
	assert_non_null(l);
	assert_int_equal(l->step, FK_STEP_RDP);
	assert_int_equal(l->cost, FK_COST_ALL_FLASH);
	assert_non_null(strstr(l->raw, "Read Memory refused"));
	assert_non_null(strstr(l->remedy, "Readout Unprotect"));
	/* no option words were readable: no WRP lock is made up */
	for (unsigned i = 0; i < inv.nlocks; i++)
		assert_int_not_equal(inv.locks[i].kind, FK_LOCK_WRP);
	/* nothing inferred, nothing readable: no RDP claim either */
	stm32f4_regs none = {0};
	memset(&inv, 0, sizeof inv);
	stm32f4_inventory_decode(dev, s, n, &none, false, NULL, NULL, &inv);
	assert_int_equal(inv.rdp_level, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory_rdp_inferred),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
