/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The raw DP/AP path (issue 12 Deliver 2): a part whose debug port answers but whose MEM-AP
 * faults every access (a secured Kinetis: AHB-AP at AP 0, MDM-AP at AP 1, IDR 0x001C0000) is
 * identified from its DP and AP IDRs and refused as an unknown chip naming them (exit 8), not
 * failed at connect; a silent debug port still fails at connect. The DAP is a small fake that
 * follows ADIv5 (DPIDR, CTRL/STAT power-up handshake, SELECT.APSEL/APBANKSEL, AP IDR at 0xFC,
 * a FAULT ack on every DRW/BD access of AP 0). */
#include "fk_test.h"

#include <stdio.h>
#include <string.h>

#include "chip/driver.h"
#include "chip/path.h"
#include "debug/adiv5.h"
#include "debug/dap_mem.h"
#include "flashkey/dap.h"

typedef struct fake_dp {
	bool silent;     /* no ACK at all (ACK 0b111): unpowered, RDP 2 */
	bool lpc55;      /* AP 1 absent, the debug mailbox (IDR 0x002A0000) at AP 2 */
	uint32_t ctrl, select, rdbuff;
	unsigned ap_reads[8];
} fake_dp;

#define FAKE_DPIDR 0x2BA01477u

static uint32_t fake_idr(const fake_dp *d, unsigned apsel)
{
	if (d->lpc55)
		return apsel == 0 ? 0x84770001u : apsel == 2 ? 0x002A0000u : 0u;
	return apsel == 0 ? 0x24770011u : apsel == 1 ? 0x001C0000u : 0u;
}

static int fake_transfer(void *h, fk_ctx *ctx, fk_dap_xfer *x, unsigned n, unsigned *done)
{
	fake_dp *d = h;
	(void)ctx;
	*done = 0;
	for (unsigned i = 0; i < n; i++) {
		fk_dap_xfer *t = &x[i];
		if (d->silent) {
			t->ack = FK_DAP_ACK_NONE;
			return 0;
		}
		t->ack = FK_DAP_ACK_OK;
		if (!t->ap) {
			if (t->rnw)
				t->data = t->addr == FK_DP_DPIDR ? FAKE_DPIDR
					  : t->addr == FK_DP_CTRL_STAT ? d->ctrl
					  : t->addr == FK_DP_RDBUFF ? d->rdbuff : 0;
			else if (t->addr == FK_DP_CTRL_STAT) /* acks follow the requests */
				d->ctrl = (t->data & 0x50000000u) | (t->data & 0x50000000u) << 1;
			else if (t->addr == FK_DP_SELECT)
				d->select = t->data;
			else if (t->addr == FK_DP_ABORT) /* STKCMP/STKERR/WDERR/ORUN clear */
				d->ctrl &= ~0xB2u;
		} else {
			unsigned apsel = d->select >> 24;
			uint8_t reg = (uint8_t)((d->select & 0xF0u) | t->addr);
			if (apsel < 8 && t->rnw)
				d->ap_reads[apsel]++;
			if (apsel == 0 && (reg == 0x0C || (reg >= 0x10 && reg < 0x20))) {
				t->ack = FK_DAP_ACK_FAULT; /* secured: the AHB-AP refuses the bus */
				d->ctrl |= 1u << 5;        /* STICKYERR */
				return 0;
			}
			if (t->rnw)
				t->data = d->rdbuff = reg == 0xFC ? fake_idr(d, apsel) : 0;
		}
		(*done)++;
	}
	return 0;
}

static int fake_swj(void *h, fk_ctx *ctx, const uint8_t *bits, unsigned nbits)
{
	(void)h, (void)ctx, (void)bits, (void)nbits;
	return 0;
}

static const fk_dap_ops fake_ops = {.flags = 0, .transfer = fake_transfer,
				    .swj_sequence = fake_swj};

static fk_transport fake_transport(fake_dp *d)
{
	fk_transport t;
	memset(&t, 0, sizeof t);
	t.kind = FK_TRANSPORT_DAP;
	t.ops = &fake_ops;
	t.handle = d;
	snprintf(t.description, sizeof t.description, "fake DAP");
	return t;
}

static void test_secured_part_identified_from_aps(void **state)
{
	(void)state;
	fake_dp d = {0};
	fk_transport t = fake_transport(&d);
	fk_ctx *ctx = fk_ctx_new();
	assert_int_equal(dbgmem_wrap(ctx, &t, NULL), FK_OK);
	assert_int_equal(t.kind, FK_TRANSPORT_DAP); /* left raw: the memory path did not answer */

	fk_chip_path p;
	fk_chip_ids ids;
	assert_int_equal(fk_chip_path_open(ctx, &t, NULL, &p, &ids), FK_OK);
	assert_int_equal(p.kind, FK_PATH_DAP_RAW);
	assert_ptr_equal(p.dap, &fake_ops);
	assert_true(ids.have_dp);
	assert_int_equal(ids.dp_idr, FAKE_DPIDR);
	assert_int_equal(ids.nap, 2); /* the scan stops after APs 2 and 3 read 0 */
	assert_int_equal(ids.ap[0].idr, 0x24770011u);
	assert_int_equal(ids.ap[1].apsel, 1);
	assert_int_equal(ids.ap[1].idr, 0x001C0000u);
	assert_int_equal(d.ap_reads[2], 1);
	assert_int_equal(d.ap_reads[3], 1);
	assert_int_equal(d.ap_reads[4], 0);

	const fk_chip_driver *drv;
	void *st;
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(fk_chip_select(ctx, &p, &ids, NULL, false, &drv, &st), FK_E_UNKNOWN_CHIP);
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_non_null(strstr(msg, "DPIDR=0x2BA01477"));
	assert_non_null(strstr(msg, "AP1 IDR=0x001C0000"));
	assert_null(drv);
	fk_chip_path_close(&p);
	fk_ctx_free(ctx);
}

/* An AP behind an absent one: the LPC55S69's debug mailbox (AP 2) past an empty AP 1. */
static void test_ap_behind_a_gap(void **state)
{
	(void)state;
	fake_dp d = {.lpc55 = true};
	fk_transport t = fake_transport(&d);
	fk_ctx *ctx = fk_ctx_new();
	adi_dap a;
	adi_init(&a, t.ops, t.handle);
	assert_int_equal(adi_connect_dp(&a, ctx), 0);
	uint8_t sel[8];
	uint32_t idr[8];
	unsigned n = 0;
	assert_int_equal(adi_ap_scan(&a, ctx, sel, idr, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sel[1], 2);
	assert_int_equal(idr[1], 0x002A0000u);
	assert_int_equal(d.ap_reads[4], 1); /* APs 3 and 4 read 0: the end */
	assert_int_equal(d.ap_reads[5], 0);
	fk_ctx_free(ctx);
}

static void test_silent_dp_fails_at_connect(void **state)
{
	(void)state;
	fake_dp d = {.silent = true};
	fk_transport t = fake_transport(&d);
	fk_ctx *ctx = fk_ctx_new();
	assert_int_equal(dbgmem_wrap(ctx, &t, NULL), FK_E_CONNECT);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secured_part_identified_from_aps),
		cmocka_unit_test(test_ap_behind_a_gap),
		cmocka_unit_test(test_silent_dp_fails_at_connect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
