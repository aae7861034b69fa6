/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/lpc55: the LPC55S69 twin's rules, one test per rule, driven through the SW-DP/AP core
 * (twin/debug/dap_core.c) as a probe would: the IDs (DPIDR 0x6BA02477, DM-AP IDR 0x002A0000 at
 * AP 2 behind an absent AP 1; spsdk debug_mailbox.py, NXP thread 500518), the AHB-AP closed by
 * the CMPA policy (CSW.DeviceEn 0, every transfer FAULTs; ADIv5.2 §C2.6.4), the resynchronisation
 * that stalls CSW until the ROM served it (spsdk), START_DBG_SESSION (pyOCD target_lpc5500.py
 * "See UM11126 51.6.1"), ERASE_FLASH = 3 (spsdk; NXP thread 539568) with its time and the CMPA
 * kept, the parameter handshake 0xA5A5 | remaining << 16, DBG_OR_ERR, erased pages that fault
 * (pyOCD target_LPC55S69JBD100.py), the PIN/DFLT levels (spsdk pfr_cmpa.xml), the state file. */
#include "fk_test.h"

#include "chip.h"
#include "core/core.h"
#include "debug/chip_port.h"
#include "lpc55/lpc55.h"

typedef struct rig {
	fk_ctx *ctx;
	tw_chip *chip;
	tw_l55 *c;
	tw_chip_port port;
	tw_dap *d;
} rig;

static void rig_open(rig *r, const char *debug)
{
	memset(r, 0, sizeof *r);
	r->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(r->ctx, "lpc55s69", &r->chip), FK_OK);
	r->c = tw_l55_of_instance(tw_chip_impl(r->chip));
	if (!strcmp(debug, "closed"))
		tw_l55_set_policy(r->c, false, TW_L55_SOCU_FA_ME_CMD_EN, TW_L55_SOCU_FA_ME_CMD_EN);
	else if (!strcmp(debug, "closed-no-erase"))
		tw_l55_set_policy(r->c, false, 0, 0);
	tw_l55_reset(r->c, false);
	r->d = tw_chip_port_open(&r->port, r->chip, r->ctx, "test");
	assert_non_null(r->d);
}

static void rig_close(rig *r)
{
	tw_dap_free(r->d);
	tw_chip_free(r->chip);
	fk_ctx_free(r->ctx);
}

static void rig_image(rig *r, uint32_t addr, uint32_t len)
{
	uint8_t *b = malloc(len);
	assert_non_null(b);
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 1);
	tw_l55_load_image(r->c, addr, b, len);
	free(b);
}

static void dp_write(rig *r, uint8_t addr, uint32_t v)
{
	assert_int_equal(tw_dap_transfer(r->d, false, false, addr, &v), TW_ACK_OK);
}

static void abort_sticky(rig *r)
{
	dp_write(r, 0x0, 0x1E);
}

/* AP register read (posted: the value comes with RDBUFF); the AP read's own ACK returned. */
static tw_dap_ack ap_read(rig *r, uint8_t apsel, uint8_t reg, uint32_t *v)
{
	dp_write(r, 0x8, (uint32_t)apsel << 24 | (reg & 0xF0u));
	uint32_t x = 0;
	tw_dap_ack ack = tw_dap_transfer(r->d, true, true, reg & 0xCu, &x);
	if (ack != TW_ACK_OK)
		return ack;
	assert_int_equal(tw_dap_transfer(r->d, false, true, 0xC, v), TW_ACK_OK);
	return ack;
}

static uint32_t ap_rd(rig *r, uint8_t apsel, uint8_t reg)
{
	uint32_t v = 0;
	assert_int_equal(ap_read(r, apsel, reg, &v), TW_ACK_OK);
	return v;
}

static void ap_wr(rig *r, uint8_t apsel, uint8_t reg, uint32_t v)
{
	dp_write(r, 0x8, (uint32_t)apsel << 24 | (reg & 0xF0u));
	assert_int_equal(tw_dap_transfer(r->d, true, false, reg & 0xCu, &v), TW_ACK_OK);
}

/* CSW = RESYNCH_REQ | CHIP_RESET_REQ, then CSW reads WAIT until the ROM served it, then 0. */
static void resync(rig *r)
{
	uint32_t v = 0;
	ap_wr(r, 2, TW_L55_DM_CSW, TW_L55_CSW_RESYNCH_REQ | TW_L55_CSW_CHIP_RESET_REQ);
	assert_int_equal(ap_read(r, 2, TW_L55_DM_CSW, &v), TW_ACK_WAIT);
	tw_chip_advance(r->chip, TW_L55_T_RESYNC_NS);
	assert_int_equal(ap_rd(r, 2, TW_L55_DM_CSW), 0);
}

static uint32_t command(rig *r, uint32_t cmd)
{
	ap_wr(r, 2, TW_L55_DM_REQUEST, cmd);
	return ap_rd(r, 2, TW_L55_DM_RETURN);
}

static bool device_en(rig *r)
{
	return (ap_rd(r, 0, 0x00) & (1u << 6)) != 0;
}

static void test_ids_and_ap_scan(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed");
	uint32_t v = 0;
	assert_int_equal(tw_dap_transfer(r.d, false, true, 0x0, &v), TW_ACK_OK);
	assert_int_equal(v, 0x6BA02477u);
	assert_int_equal(ap_rd(&r, 0, 0xFC), 0x84770001u);
	assert_int_equal(ap_rd(&r, 1, 0xFC), 0u); /* AP 1 absent */
	assert_int_equal(ap_rd(&r, 2, 0xFC), TW_L55_DM_IDR);
	assert_int_equal(ap_rd(&r, 3, 0xFC), 0u);
	rig_close(&r);
}

static void test_closed_ahb_ap_faults(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed");
	rig_image(&r, 0, 4096);
	tw_l55_reset(r.c, false); /* a valid image boots, but the CMPA keeps debug closed */
	assert_false(device_en(&r));
	uint32_t v = 0;
	ap_wr(&r, 0, 0x04, 0x00000000u); /* TAR */
	dp_write(&r, 0x8, 0x00);
	assert_int_equal(tw_dap_transfer(r.d, true, true, 0xC, &v), TW_ACK_OK); /* posted */
	assert_int_equal(tw_dap_transfer(r.d, false, true, 0x4, &v), TW_ACK_OK);
	assert_true(v & (1u << 5)); /* STICKYERR */
	abort_sticky(&r);
	assert_int_equal(tw_dap_mem_read(r.d, 0xE000ED00u, 4, &v), TW_BUS_ERROR); /* CPUID too */
	rig_close(&r);
}

static void test_open_policy_image_boots_open(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "open");
	rig_image(&r, 0, 4096);
	tw_l55_reset(r.c, false);
	assert_true(device_en(&r));
	uint32_t v = 0;
	assert_int_equal(tw_dap_mem_read(r.d, 0x4, 4, &v), TW_OK);
	assert_int_equal(v, 0x322B241Du); /* bytes 4..7 of the pattern: 29, 36, 43, 50 */
	/* an erased page faults (pyOCD: erased pages are not readable) */
	assert_int_equal(tw_dap_mem_read(r.d, 0x1000, 4, &v), TW_BUS_ERROR);
	assert_int_equal(tw_dap_mem_write(r.d, 0x20000000u, 4, 0x12345678u), TW_OK);
	assert_int_equal(tw_dap_mem_read(r.d, 0x20000000u, 4, &v), TW_OK);
	assert_int_equal(v, 0x12345678u);
	/* flash is not written by AHB writes */
	assert_int_equal(tw_dap_mem_write(r.d, 0x0, 4, 0), TW_BUS_ERROR);
	rig_close(&r);
}

static void test_blank_flash_keeps_debug_closed_until_session(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "open");
	assert_true(r.c->in_isp);
	assert_false(device_en(&r));
	resync(&r);
	assert_int_equal(command(&r, 7), 0u); /* START_DBG_SESSION */
	assert_true(device_en(&r));
	rig_close(&r);
}

static void test_session_refused_by_cmpa(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed");
	resync(&r);
	assert_int_equal(command(&r, 7), TW_L55_RET_UNSUPPORTED);
	assert_false(device_en(&r));
	rig_close(&r);
}

static void test_erase_flash_takes_time_keeps_cmpa(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed");
	rig_image(&r, 0, 0x98000);
	resync(&r);
	assert_int_equal(tw_l55_pages_programmed(r.c, 0, 0x98000), 0x98000 / 512);
	ap_wr(&r, 2, TW_L55_DM_REQUEST, 3);
	uint32_t v = 0;
	assert_int_equal(ap_read(&r, 2, TW_L55_DM_RETURN, &v), TW_ACK_WAIT); /* stalls meanwhile */
	tw_chip_advance(r.chip, TW_L55_T_MASS_ERASE_NS);
	assert_int_equal(ap_rd(&r, 2, TW_L55_DM_RETURN), 0u);
	assert_int_equal(tw_l55_pages_programmed(r.c, 0, 0x98000), 0);
	assert_false(tw_l55_cmpa_blank(r.c)); /* the policy page stays */
	assert_int_equal(tw_l55_level_of(r.c, TW_L55_SOCU_DBGEN), TW_L55_AUTH);
	assert_int_equal(r.c->mass_erases, 1);
	assert_int_equal(command(&r, 7), TW_L55_RET_UNSUPPORTED); /* still closed by the CMPA */
	rig_close(&r);
}

static void test_erase_refused_without_fa_me_cmd_en(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed-no-erase");
	rig_image(&r, 0, 4096);
	resync(&r);
	assert_int_equal(command(&r, 3), TW_L55_RET_UNSUPPORTED);
	assert_int_equal(tw_l55_pages_programmed(r.c, 0, 0x98000), 8);
	rig_close(&r);
}

static void test_manual_bulk_erase_code_2_is_not_erase(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed");
	rig_image(&r, 0, 4096);
	resync(&r);
	/* NXP thread 539568: UM11126 Table 1058 says 0x2, the silicon answers 0x00100002 */
	assert_int_equal(command(&r, 2), TW_L55_RET_UNSUPPORTED);
	assert_int_equal(tw_l55_pages_programmed(r.c, 0, 0x98000), 8);
	rig_close(&r);
}

static void test_parameter_handshake(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "open");
	resync(&r);
	/* ENTER_ISP_MODE takes one parameter: ACK 0xA5A5 | 1 << 16, then the status */
	assert_int_equal(command(&r, 5u | 1u << 16), TW_L55_ACK_TOKEN | 1u << 16);
	ap_wr(&r, 2, TW_L55_DM_REQUEST, 0);
	assert_int_equal(ap_rd(&r, 2, TW_L55_DM_RETURN), 0u);
	/* nothing more to read: RETURN stalls */
	uint32_t v = 0;
	assert_int_equal(ap_read(&r, 2, TW_L55_DM_RETURN, &v), TW_ACK_WAIT);
	rig_close(&r);
}

static void test_request_without_resync_is_not_served(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "open");
	ap_wr(&r, 2, TW_L55_DM_REQUEST, 7);
	uint32_t v = 0;
	assert_int_equal(ap_read(&r, 2, TW_L55_DM_RETURN, &v), TW_ACK_WAIT);
	abort_sticky(&r); /* DAPABORT ends the WAIT storm as a probe would */
	assert_int_equal(ap_rd(&r, 2, TW_L55_DM_CSW), TW_L55_CSW_REQ_PENDING);
	ap_wr(&r, 2, TW_L55_DM_REQUEST, 7);
	assert_int_equal(ap_rd(&r, 2, TW_L55_DM_CSW),
			 TW_L55_CSW_REQ_PENDING | TW_L55_CSW_DBG_OR_ERR);
	rig_close(&r);
}

static void test_policy_levels(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "open");
	assert_true(tw_l55_cmpa_blank(r.c));
	assert_int_equal(tw_l55_level_of(r.c, TW_L55_SOCU_DBGEN), TW_L55_OPEN);
	tw_l55_set_policy(r.c, false, 0x0002, 0x0002);
	assert_int_equal(tw_l55_level_of(r.c, TW_L55_SOCU_DBGEN), TW_L55_OPEN);
	tw_l55_set_policy(r.c, false, 0x0002, 0x0000);
	assert_int_equal(tw_l55_level_of(r.c, TW_L55_SOCU_DBGEN), TW_L55_PERMANENT);
	tw_l55_set_policy(r.c, false, 0x0000, 0x0002);
	assert_int_equal(tw_l55_level_of(r.c, TW_L55_SOCU_DBGEN), TW_L55_ILLEGAL);
	fk_put_le32(r.c->flash + TW_L55_CMPA_PIN, 0x00000002u); /* inverse half wrong */
	assert_int_equal(tw_l55_level_of(r.c, TW_L55_SOCU_DBGEN), TW_L55_ILLEGAL);
	rig_close(&r);
}

static void test_state_round_trip_and_refusals(void **state)
{
	(void)state;
	rig r;
	rig_open(&r, "closed");
	rig_image(&r, 0x200, 100);
	uint8_t *b;
	size_t n;
	assert_int_equal(tw_l55_save(r.c, &b, &n), FK_OK);
	tw_l55 *c2;
	assert_int_equal(tw_l55_load(r.ctx, "t", b, n, &c2), FK_OK);
	assert_int_equal(tw_l55_pages_programmed(c2, 0, 0xA0000), 2); /* image page + CMPA */
	assert_int_equal(c2->flash[0x200], 1);
	assert_int_equal(tw_l55_level_of(c2, TW_L55_SOCU_DBGEN), TW_L55_AUTH);
	tw_l55_free(c2);
	assert_int_equal(tw_l55_load(r.ctx, "t", b, n - 1, &c2), FK_E_BAD_FILE);
	fk_ctx_clear(r.ctx);
	b[14] = 7; /* a flag byte */
	assert_int_equal(tw_l55_load(r.ctx, "t", b, n, &c2), FK_E_BAD_FILE);
	fk_ctx_clear(r.ctx);
	b[14] = 0;
	b[48 + 3] = 2; /* page map entry */
	assert_int_equal(tw_l55_load(r.ctx, "t", b, n, &c2), FK_E_BAD_FILE);
	fk_ctx_clear(r.ctx);
	free(b);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_ap_scan),
		cmocka_unit_test(test_closed_ahb_ap_faults),
		cmocka_unit_test(test_open_policy_image_boots_open),
		cmocka_unit_test(test_blank_flash_keeps_debug_closed_until_session),
		cmocka_unit_test(test_session_refused_by_cmpa),
		cmocka_unit_test(test_erase_flash_takes_time_keeps_cmpa),
		cmocka_unit_test(test_erase_refused_without_fa_me_cmd_en),
		cmocka_unit_test(test_manual_bulk_erase_code_2_is_not_erase),
		cmocka_unit_test(test_parameter_handshake),
		cmocka_unit_test(test_request_without_resync_is_not_served),
		cmocka_unit_test(test_policy_levels),
		cmocka_unit_test(test_state_round_trip_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
