/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SPI NOR chip driver (lib/chip/spinor_driver.c) through the path and the registry, as the
 * session uses it: no chip (ID 00 00 00 / FF FF FF) named with the checks to make; an ID not in
 * the table identified from SFDP with its protection reported unknown and no unlock step; no
 * usable SFDP refused; erase by the largest unit that fits (instructions counted on a twin);
 * protection checked before anything is erased; a forced part against the ID. */
#include "fk_test.h"

#include "chip/driver.h"
#include "chip/path.h"
#include "chip/spinor.h"
#include "core/core.h"
#include "fktwin/spinor.h"

static fk_ctx *CTX;
static char MSG[FK_CHAIN_MSG_MAX];

static const char *msg(void)
{
	return fk_ctx_message(CTX, MSG, sizeof MSG);
}

/* ---- a scripted bus: a fixed ID and SFDP space, nothing else answers ---- */
static uint8_t S_ID[3];
static uint8_t S_SFDP[256];
static uint8_t S_SR1;

static int s_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	(void)h;
	(void)ctx;
	if (r)
		memset(r, 0xFF, rn);
	if (wn >= 1 && w[0] == SPINOR_OP_RDID)
		memcpy(r, S_ID, FK_MIN(rn, (size_t)3));
	if (wn >= 1 && w[0] == SPINOR_OP_RDSR1 && rn)
		r[0] = S_SR1;
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
	*mr = 64;
}

static const fk_spi_ops s_ops = {.xfer = s_xfer, .limits = s_limits};

/* ---- the twin behind a counting bus ---- */
static tw_spinor *C;
static unsigned OPS[256];

static int t_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	(void)ctx;
	if (wn)
		OPS[w[0]]++;
	tw_spinor_cs_assert(h);
	tw_spinor_exchange(h, w, NULL, wn);
	tw_spinor_exchange(h, NULL, r, rn);
	tw_spinor_cs_release(h);
	return FK_OK;
}

static void t_limits(void *h, size_t *mw, size_t *mr)
{
	(void)h;
	*mw = 4096;
	*mr = 65536;
}

static void t_delay(void *h, uint32_t us)
{
	tw_spinor_advance(h, (uint64_t)us * 1000U);
}

static int t_wp(void *h, fk_ctx *ctx)
{
	(void)ctx;
	return tw_spinor_wp(h) ? 1 : 0;
}

static const fk_spi_ops t_ops = {.xfer = t_xfer, .limits = t_limits, .wp_level = t_wp,
				 .delay = t_delay};

typedef struct conn {
	fk_transport t;
	fk_chip_path path;
	fk_chip_ids ids;
	const fk_chip_driver *drv;
	void *st;
} conn;

static int open_conn(conn *c, const fk_spi_ops *ops, void *h, const char *expect, bool force)
{
	memset(c, 0, sizeof *c);
	c->t.kind = FK_TRANSPORT_SPI;
	c->t.ops = ops;
	c->t.handle = h;
	snprintf(c->t.description, sizeof c->t.description, "test bus");
	int rc = fk_chip_path_open(CTX, &c->t, NULL, &c->path, &c->ids);
	if (!rc)
		rc = fk_chip_select(CTX, &c->path, &c->ids, expect, force, &c->drv, &c->st);
	return rc;
}

static void close_conn(conn *c)
{
	if (c->drv)
		c->drv->detach(c->st);
	fk_chip_path_close(&c->path);
}

static int setup(void **state)
{
	(void)state;
	CTX = fk_ctx_new();
	memset(S_SFDP, 0xFF, sizeof S_SFDP);
	S_SR1 = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_ctx_free(CTX);
	if (C)
		tw_spinor_free(C);
	C = NULL;
	return 0;
}

static void no_chip_named_with_checks(void **state)
{
	(void)state;
	conn c;
	memset(S_ID, 0x00, 3);
	assert_int_equal(open_conn(&c, &s_ops, NULL, NULL, false), FK_E_CONNECT);
	assert_non_null(strstr(msg(), "no SPI chip answered on test bus: JEDEC ID (9Fh) read 00 00 "
				      "00 (MISO held low)"));
	assert_non_null(strstr(fk_ctx_hint(CTX), "check: the chip's supply"));
	close_conn(&c);
	fk_ctx_clear(CTX);
	memset(S_ID, 0xFF, 3);
	/* --chip names a part: still "no chip", not a contradiction */
	assert_int_equal(open_conn(&c, &s_ops, NULL, "w25q64jv", false), FK_E_CONNECT);
	assert_non_null(strstr(msg(), "MISO floating"));
	close_conn(&c);
}

static void unknown_id_from_sfdp_protection_unknown(void **state)
{
	(void)state;
	conn c;
	const uint8_t other[3] = {0x20, 0xBA, 0x16}; /* not in the table */
	memcpy(S_ID, other, 3);
	spinor_sfdp_build(spinor_part_by_key("w25q32jv"), S_SFDP, sizeof S_SFDP);
	S_SR1 = 0x1C; /* what would be BP=7 on a Winbond: not decoded for an unknown part */
	assert_int_equal(open_conn(&c, &s_ops, NULL, NULL, false), FK_OK);
	const fk_chip_desc *d = c.drv->describe(c.st);
	assert_string_equal(d->family, "spinor");
	assert_string_equal(d->part, "spi-nor 20BA16");
	assert_int_equal(d->flash_size, 4U << 20);
	assert_int_equal(d->nunits, 1024);
	assert_int_equal(d->units[1].addr, 4096);
	fk_inventory inv;
	assert_int_equal(c.drv->inventory(c.st, CTX, &inv), FK_OK);
	assert_int_equal(inv.nlocks, 1);
	assert_non_null(strstr(inv.locks[0].state, "unknown: JEDEC ID 20 BA 16 is not in the table"));
	assert_false(inv.write_blocked);
	fk_change req = {.kind = FK_CHANGE_UNLOCK, .upto = FK_STEP_COUNT_};
	fk_plan plan;
	assert_int_equal(c.drv->plan(c.st, CTX, &inv, &req, &plan), FK_OK);
	assert_true(plan.nothing_to_do); /* no unlock attempted on bits nobody decoded */
	assert_int_equal(plan.nsteps, 0);
	close_conn(&c);
	/* no usable SFDP: refused, naming the ID */
	memset(S_SFDP, 0xFF, sizeof S_SFDP);
	assert_int_equal(open_conn(&c, &s_ops, NULL, NULL, false), FK_E_UNKNOWN_CHIP);
	assert_non_null(strstr(msg(), "JEDEC ID 20 BA 16 is not in the table and its SFDP is not "
				      "usable"));
	close_conn(&c);
}

static void forced_part_against_the_id(void **state)
{
	(void)state;
	conn c;
	assert_int_equal(tw_spinor_create(CTX, "w25q32jv", &C), FK_OK);
	assert_int_equal(open_conn(&c, &t_ops, C, "w25q64jv", false), FK_E_UNKNOWN_CHIP);
	assert_non_null(strstr(msg(), "--chip w25q64jv given, but the target is w25q32jv"));
	close_conn(&c);
	fk_ctx_clear(CTX);
	assert_int_equal(open_conn(&c, &t_ops, C, "w25q64jv", true), FK_OK);
	assert_int_equal(c.drv->describe(c.st)->flash_size, 8U << 20);
	close_conn(&c);
}

static void erase_by_largest_unit_after_protection(void **state)
{
	(void)state;
	conn c;
	assert_int_equal(tw_spinor_create(CTX, "w25q64jv", &C), FK_OK);
	assert_int_equal(open_conn(&c, &t_ops, C, NULL, false), FK_OK);
	const fk_chip_desc *d = c.drv->describe(c.st);
	fk_sector_set set;
	assert_int_equal(fk_sector_set_init(&set, d->nunits), 0);
	/* sectors 8..63: 0x8000-0x3FFFF = one 32 KiB block, three 64 KiB blocks */
	for (unsigned i = 8; i < 64; i++)
		fk_sector_set_add(&set, i);
	fk_sector_set_add(&set, 100); /* a lone sector: 20h */
	memset(OPS, 0, sizeof OPS);
	assert_int_equal(c.drv->erase(c.st, CTX, &set, false), FK_OK);
	assert_int_equal(OPS[SPINOR_OP_BE64], 3);
	assert_int_equal(OPS[SPINOR_OP_BE32], 1);
	assert_int_equal(OPS[SPINOR_OP_SE], 1);
	/* BP=1 protects the upper 128 KiB: an erase reaching it is refused before any erase */
	assert_int_equal(tw_spinor_set_field(C, "bp", 1), 0);
	fk_sector_set_add(&set, d->nunits - 1);
	memset(OPS, 0, sizeof OPS);
	assert_int_equal(c.drv->erase(c.st, CTX, &set, false), FK_E_PROTECTED);
	assert_non_null(strstr(msg(), "erase 0x7FF000-0x7FFFFF: BP2-0=001 TB=0 SEC=0 CMP=0 protect "
				      "0x7E0000-0x7FFFFF"));
	assert_int_equal(OPS[SPINOR_OP_BE64] + OPS[SPINOR_OP_BE32] + OPS[SPINOR_OP_SE], 0);
	fk_sector_set_free(&set);
	close_conn(&c);
}

/* A write's sectors: protection read once (SR2 35h counts the full readings; the BUSY polls
 * read SR1 only), read again after anything that can change it (a status write, 01h). */
static void program_reads_protection_once(void **state)
{
	(void)state;
	conn c;
	assert_int_equal(tw_spinor_create(CTX, "w25q64jv", &C), FK_OK);
	assert_int_equal(open_conn(&c, &t_ops, C, NULL, false), FK_OK);
	uint8_t page[256];
	memset(page, 0x5A, sizeof page);
	memset(OPS, 0, sizeof OPS);
	assert_int_equal(c.drv->program(c.st, CTX, 0x0000, page, sizeof page), FK_OK);
	assert_int_equal(OPS[0x35], 1);
	assert_int_equal(c.drv->program(c.st, CTX, 0x1000, page, sizeof page), FK_OK);
	assert_int_equal(c.drv->program(c.st, CTX, 0x2000, page, sizeof page), FK_OK);
	assert_int_equal(OPS[0x35], 1);
	const uint8_t wren = 0x06, wrsr[] = {0x01, 0x04}; /* BP0: the top 128 KiB */
	assert_int_equal(t_ops.xfer(C, CTX, &wren, 1, NULL, 0), FK_OK);
	spinor_bus *b = (spinor_bus *)c.st; /* the driver state starts with its bus */
	assert_int_equal(spinor_xfer(b, wrsr, sizeof wrsr, NULL, 0), FK_OK);
	tw_spinor_finish(C);
	assert_int_equal(c.drv->program(c.st, CTX, 0x3000, page, sizeof page), FK_OK);
	assert_int_equal(OPS[0x35], 2); /* read again: and the top is now refused */
	assert_int_equal(c.drv->program(c.st, CTX, 0x7FF000, page, sizeof page), FK_E_PROTECTED);
	close_conn(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(no_chip_named_with_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_id_from_sfdp_protection_unknown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(forced_part_against_the_id, setup, teardown),
		cmocka_unit_test_setup_teardown(program_reads_protection_once, setup, teardown),
		cmocka_unit_test_setup_teardown(erase_by_largest_unit_after_protection, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
