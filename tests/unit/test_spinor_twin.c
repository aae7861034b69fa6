/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SPI NOR twin (twin/spinor/) driven over its bus API with raw instruction bytes, each test
 * citing the datasheet rule it checks (keys as in lib/devices/spinor.h: W64 = W25Q64JV Rev J,
 * GD64 = GD25Q64C, MX64 = MX25L6433F). */
#include <unistd.h>

#include "fk_test.h"

#include "devices/spinor.h"
#include "fktwin/spinor.h"

static fk_ctx *ctx;
static tw_spinor *C;

static void open_part(const char *key)
{
	if (C)
		tw_spinor_free(C);
	assert_int_equal(tw_spinor_create(ctx, key, &C), 0);
}

static int setup(void **state)
{
	(void)state;
	ctx = fk_ctx_new();
	C = NULL;
	open_part("w25q64jv");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tw_spinor_free(C);
	C = NULL;
	fk_ctx_free(ctx);
	return 0;
}

/* One instruction: /CS low, n bytes out, rlen bytes in after them, /CS high. */
static void xfer(const uint8_t *tx, size_t n, uint8_t *rx, size_t rlen)
{
	tw_spinor_cs_assert(C);
	tw_spinor_exchange(C, tx, NULL, n);
	tw_spinor_exchange(C, NULL, rx, rlen);
	tw_spinor_cs_release(C);
}

static void op1(uint8_t op)
{
	xfer(&op, 1, NULL, 0);
}

static uint8_t rdsr(uint8_t op)
{
	uint8_t v[2];
	xfer(&op, 1, v, 2);
	assert_int_equal(v[0], v[1]); /* W64 §8.2 RDSR: the register repeats until /CS rises */
	return v[0];
}

static void addr_cmd(uint8_t op, uint32_t a, const uint8_t *data, size_t n)
{
	uint8_t b[4 + 512];
	b[0] = op;
	b[1] = (uint8_t)(a >> 16);
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
	if (n)
		memcpy(b + 4, data, n);
	xfer(b, 4 + n, NULL, 0);
}

static void rd(uint32_t a, uint8_t *out, size_t n)
{
	uint8_t b[4] = {0x03, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
	xfer(b, 4, out, n);
}

static void wrsr(uint8_t op, uint8_t v)
{
	uint8_t b[2] = {op, v};
	op1(0x06);
	xfer(b, 2, NULL, 0);
	tw_spinor_finish(C);
}

static void program(uint32_t a, const uint8_t *d, size_t n)
{
	op1(0x06);
	addr_cmd(0x02, a, d, n);
	tw_spinor_finish(C);
}

static void test_ids(void **state)
{
	(void)state;
	const char *keys[] = {"w25q32jv", "w25q64jv", "w25q128jv", "gd25q64c", "mx25l6433f"};
	for (unsigned k = 0; k < 5; k++) {
		open_part(keys[k]);
		const spinor_part *p = spinor_part_by_key(keys[k]);
		uint8_t op = 0x9F, id[4];
		xfer(&op, 1, id, 4); /* W64 §8.1: 9Fh -> MF7-0, ID15-8, ID7-0 */
		assert_memory_equal(id, p->id, 3);
		uint8_t rems[4] = {0x90, 0, 0, 0}, r[4];
		xfer(rems, 4, r, 4); /* 90h with address 0: MF, ID, MF, ID */
		assert_int_equal(r[0], p->id[0]);
		assert_int_equal(r[1], p->dev_id);
		assert_int_equal(r[2], p->id[0]);
		uint8_t sf[5] = {0x5A, 0, 0, 0, 0}, sig[4];
		xfer(sf, 5, sig, 4); /* 5Ah: address, 8 dummy clocks, data */
		assert_memory_equal(sig, "SFDP", 4);
	}
}

static void test_power_down(void **state)
{
	(void)state;
	op1(0xB9); /* W64 §6.5: all instructions ignored except Release Power-down */
	uint8_t op = 0x9F, id[3];
	xfer(&op, 1, id, 3);
	assert_int_equal(id[0], 0xFF);
	uint8_t res[4] = {0xAB, 0, 0, 0}, dev;
	xfer(res, 4, &dev, 1);
	assert_int_equal(dev, 0x16);
	xfer(&op, 1, id, 3);
	assert_int_equal(id[0], 0xEF);
}

static void test_program_needs_wel_and_wraps(void **state)
{
	(void)state;
	uint8_t d[300], out[256];
	for (unsigned i = 0; i < sizeof d; i++)
		d[i] = (uint8_t)i;
	addr_cmd(0x02, 0x1000, d, 16); /* W64 §8.2: PP needs WEL = 1 */
	rd(0x1000, out, 16);
	assert_int_equal(out[0], 0xFF);
	tw_spinor_stats st;
	tw_spinor_get_stats(C, &st);
	assert_int_equal(st.ignored_wel, 1);

	op1(0x06);
	assert_int_equal(rdsr(0x05) & 0x02, 0x02);
	addr_cmd(0x02, 0x10F0, d, 300); /* W64 §8.2 PP: more than the page wraps to its start */
	assert_int_equal(rdsr(0x05) & 0x01, 0x01); /* BUSY for tPP */
	assert_int_equal(tw_spinor_busy_ns(C), 400000); /* W64 §9.6 tPP typ 0.4 ms */
	tw_spinor_advance(C, 399999);
	assert_int_equal(rdsr(0x05) & 0x01, 0x01);
	tw_spinor_advance(C, 1);
	assert_int_equal(rdsr(0x05) & 0x03, 0x00); /* BUSY and WEL cleared on completion */
	rd(0x1000, out, 256);
	/* bytes 0..299 went to offsets F0..FF, 00..FF, 00..1B: the last write of each offset wins */
	for (unsigned off = 0; off < 256; off++) {
		unsigned last = 0;
		for (unsigned i = 0; i < 300; i++)
			if (((0xF0 + i) & 0xFF) == off)
				last = i;
		assert_int_equal(out[off], (uint8_t)last);
	}
	/* NOR: programming only clears bits */
	uint8_t z = 0xF0;
	program(0x2000, &z, 1);
	z = 0x0F;
	program(0x2000, &z, 1);
	rd(0x2000, out, 1);
	assert_int_equal(out[0], 0x00);
}

static void test_busy_ignores_all_but_rdsr(void **state)
{
	(void)state;
	op1(0x06);
	addr_cmd(0x20, 0x0, NULL, 0);
	assert_int_equal(tw_spinor_busy_ns(C), 45000000ULL); /* W64 §9.6 tSE typ 45 ms */
	uint8_t out[4];
	rd(0, out, 4); /* W64 §8.2 Read Data: ignored while BUSY */
	assert_int_equal(out[0], 0xFF);
	op1(0x04); /* ignored too: WEL stays */
	assert_int_equal(rdsr(0x05), 0x03);
	tw_spinor_stats st;
	tw_spinor_get_stats(C, &st);
	assert_int_equal(st.ignored_busy, 2);
	tw_spinor_finish(C);
	assert_int_equal(rdsr(0x05), 0x00);
}

static void test_erase_sizes(void **state)
{
	(void)state;
	uint8_t z[256], out[1];
	memset(z, 0, sizeof z);
	for (uint32_t a = 0; a < 0x20000; a += 0x1000)
		program(a, z, 1);
	op1(0x06);
	addr_cmd(0x20, 0x1234, NULL, 0); /* 4 KiB containing 0x1234 */
	tw_spinor_finish(C);
	rd(0x1000, out, 1);
	assert_int_equal(out[0], 0xFF);
	rd(0x0000, out, 1);
	assert_int_equal(out[0], 0x00);
	op1(0x06);
	addr_cmd(0x52, 0x8000, NULL, 0); /* 32 KiB */
	assert_int_equal(tw_spinor_busy_ns(C), 120000000ULL);
	tw_spinor_finish(C);
	rd(0xF000, out, 1);
	assert_int_equal(out[0], 0xFF);
	rd(0x10000, out, 1);
	assert_int_equal(out[0], 0x00);
	op1(0x06);
	addr_cmd(0xD8, 0x10000, NULL, 0); /* 64 KiB */
	tw_spinor_finish(C);
	rd(0x1F000, out, 1);
	assert_int_equal(out[0], 0xFF);
	program(0x0, z, 1);
	op1(0x06);
	op1(0xC7); /* chip erase */
	assert_int_equal(tw_spinor_busy_ns(C), 20000000000ULL); /* tCE typ 20 s */
	tw_spinor_finish(C);
	rd(0x0, out, 1);
	assert_int_equal(out[0], 0xFF);
	/* an erase with a fifth byte is not executed (W64 §8: /CS after the last address byte) */
	program(0x0, z, 1);
	op1(0x06);
	addr_cmd(0x20, 0x0, z, 1);
	tw_spinor_finish(C);
	rd(0x0, out, 1);
	assert_int_equal(out[0], 0x00);
}

static void test_protected_silently_ignored(void **state)
{
	(void)state;
	wrsr(0x01, 1U << 2); /* BP = 001: 7E0000h-7FFFFFh (W64 §7.1 p.18) */
	uint8_t z = 0x00, out[1];
	op1(0x06);
	addr_cmd(0x02, 0x7E0000, &z, 1);
	assert_int_equal(rdsr(0x05) & 0x01, 0); /* no BUSY, no error bit: only the data stays */
	rd(0x7E0000, out, 1);
	assert_int_equal(out[0], 0xFF);
	program(0x7DFFFF, &z, 1); /* just below: allowed */
	rd(0x7DFFFF, out, 1);
	assert_int_equal(out[0], 0x00);
	op1(0x06);
	addr_cmd(0xD8, 0x7F0000, NULL, 0);
	op1(0x06);
	op1(0xC7); /* W64 §8.2 Chip Erase: not executed if any region is protected */
	assert_int_equal(tw_spinor_busy_ns(C), 0);
	rd(0x7DFFFF, out, 1);
	assert_int_equal(out[0], 0x00);
	tw_spinor_stats st;
	tw_spinor_get_stats(C, &st);
	assert_int_equal(st.ignored_protected, 3);
}

static void test_status_write_paths(void **state)
{
	(void)state;
	uint8_t cur[3], nv[3];
	/* non-volatile: WEL, BUSY for tW (W64 §8.2.5, §9.6 tW 10 ms) */
	uint8_t b[3] = {0x01, 0x1C, 0x40};
	op1(0x06);
	xfer(b, 2, NULL, 0);
	assert_int_equal(tw_spinor_busy_ns(C), 10000000ULL);
	tw_spinor_finish(C);
	tw_spinor_regs(C, cur, nv);
	assert_int_equal(nv[0], 0x1C);
	/* 01h with one byte leaves SR2 alone (W64 Fig. 9c: "Status Register-2 will not be
	 * affected"); with two bytes it writes SR2 too */
	assert_int_equal(nv[1] & 0x40, 0);
	op1(0x06);
	xfer(b, 3, NULL, 0);
	tw_spinor_finish(C);
	tw_spinor_regs(C, cur, nv);
	assert_int_equal(nv[1] & 0x40, 0x40);
	/* volatile: 50h, no WEL, no BUSY, lost at power cycle (W64 §8.2 50h, §8.2.5) */
	uint8_t v[2] = {0x01, 0x00};
	op1(0x50);
	xfer(v, 2, NULL, 0);
	assert_int_equal(tw_spinor_busy_ns(C), 0);
	assert_int_equal(rdsr(0x05), 0x00);
	tw_spinor_regs(C, cur, nv);
	assert_int_equal(nv[0], 0x1C);
	tw_spinor_power_cycle(C);
	assert_int_equal(rdsr(0x05), 0x1C);
	/* without WREN or 50h: ignored */
	xfer(v, 2, NULL, 0);
	assert_int_equal(rdsr(0x05), 0x1C);
	/* SR3 via 11h; QE fixed 1 on the IQ part (W64 §7.1) */
	wrsr(0x11, 0x04);
	assert_int_equal(rdsr(0x15) & 0x04, 0x04);
	wrsr(0x31, 0x00);
	assert_int_equal(rdsr(0x35) & 0x02, 0x02);
	open_part("gd25q64c");
	wrsr(0x31, 0x02);
	assert_int_equal(rdsr(0x35) & 0x02, 0x02);
	wrsr(0x31, 0x00);
	assert_int_equal(rdsr(0x35) & 0x02, 0x00);
}

static void test_srp_wp_and_lockdown(void **state)
{
	(void)state;
	wrsr(0x01, 0x80); /* SRP = 1 */
	tw_spinor_set_wp(C, false);
	wrsr(0x01, 0x84); /* hardware protected: /WP low locks the SR (W64 §7.1 table) */
	assert_int_equal(rdsr(0x05), 0x80);
	op1(0x50);
	uint8_t v[2] = {0x01, 0x04};
	xfer(v, 2, NULL, 0); /* the volatile path too */
	assert_int_equal(rdsr(0x05), 0x80);
	tw_spinor_stats st;
	tw_spinor_get_stats(C, &st);
	assert_int_equal(st.ignored_srp, 2);
	tw_spinor_set_wp(C, true); /* hardware unprotected */
	wrsr(0x01, 0x84);
	assert_int_equal(rdsr(0x05), 0x84);
	wrsr(0x01, 0x00);
	/* SRL = 1: power-supply lock-down until the next power cycle, /WP irrelevant */
	wrsr(0x31, 0x01);
	assert_int_equal(rdsr(0x35) & 0x01, 0x01);
	wrsr(0x01, 0x04);
	assert_int_equal(rdsr(0x05), 0x00);
	op1(0x66);
	op1(0x99); /* a reset does not end the lock-down of a non-volatile SRL */
	tw_spinor_finish(C);
	wrsr(0x01, 0x04);
	assert_int_equal(rdsr(0x05), 0x00);
	tw_spinor_power_cycle(C); /* W64 §7.1 note 1: SRL back to 0 */
	assert_int_equal(rdsr(0x35) & 0x01, 0x00);
	wrsr(0x01, 0x04);
	assert_int_equal(rdsr(0x05), 0x04);
	/* the special-order one-time program: for ever */
	tw_spinor_set_sr_otp(C, true);
	wrsr(0x01, 0x00);
	tw_spinor_power_cycle(C);
	wrsr(0x01, 0x00);
	assert_int_equal(rdsr(0x05), 0x04);
}

static void test_gd_srp1_modes(void **state)
{
	(void)state;
	open_part("gd25q64c");
	wrsr(0x31, 0x01); /* SRP1 = 1, SRP0 = 0: lock-down until power cycle */
	wrsr(0x01, 0x04);
	assert_int_equal(rdsr(0x05), 0x00);
	tw_spinor_power_cycle(C);
	assert_int_equal(rdsr(0x35) & 0x01, 0x00);
	wrsr(0x01, 0x80); /* SRP0 = 1, then SRP1 = 1: one-time program (UNCONFIRMED GD64 §6) */
	wrsr(0x31, 0x01);
	tw_spinor_power_cycle(C);
	assert_int_equal(rdsr(0x35) & 0x01, 0x01);
	wrsr(0x01, 0x00);
	assert_int_equal(rdsr(0x05), 0x80);
}

static void test_security_registers(void **state)
{
	(void)state;
	uint8_t d[4] = {1, 2, 3, 4}, out[4];
	op1(0x06);
	addr_cmd(0x42, 0x002010, d, 4); /* W64 §8.1 note 5: register 2 at 00 20 xx */
	assert_int_equal(tw_spinor_busy_ns(C), 400000);
	tw_spinor_finish(C);
	uint8_t r[5] = {0x48, 0x00, 0x20, 0x10, 0x00}; /* 8 dummy clocks */
	xfer(r, 5, out, 4);
	assert_memory_equal(out, d, 4);
	/* LB2 = 1 (SR2 bit 4): register 2 read-only for ever, LB cannot be cleared */
	wrsr(0x31, 0x12);
	assert_int_equal(rdsr(0x35) & 0x10, 0x10);
	op1(0x06);
	addr_cmd(0x44, 0x002000, NULL, 0);
	assert_int_equal(tw_spinor_busy_ns(C), 0);
	xfer(r, 5, out, 4);
	assert_memory_equal(out, d, 4);
	wrsr(0x31, 0x02);
	tw_spinor_power_cycle(C);
	assert_int_equal(rdsr(0x35) & 0x10, 0x10);
	/* register 1 is still free */
	op1(0x06);
	addr_cmd(0x42, 0x001000, d, 1);
	tw_spinor_finish(C);
	uint32_t size;
	assert_int_equal(tw_spinor_secreg(C, 1, &size)[0], 1);
	assert_int_equal(size, 256);
	op1(0x06);
	addr_cmd(0x44, 0x001000, NULL, 0);
	tw_spinor_finish(C);
	assert_int_equal(tw_spinor_secreg(C, 1, NULL)[0], 0xFF);
}

static void test_block_locks(void **state)
{
	(void)state;
	wrsr(0x11, 0x04); /* WPS = 1: individual locks, all 1 after power-up (W64 §7.1 SR3) */
	tw_spinor_power_cycle(C);
	uint8_t z = 0, out[1];
	program(0x100000, &z, 1);
	rd(0x100000, out, 1);
	assert_int_equal(out[0], 0xFF);
	uint8_t q[4] = {0x3D, 0x10, 0x00, 0x00}, l;
	xfer(q, 4, &l, 1);
	assert_int_equal(l & 1, 1);
	op1(0x06);
	addr_cmd(0x39, 0x100000, NULL, 0); /* unlock block 16 */
	xfer(q, 4, &l, 1);
	assert_int_equal(l & 1, 0);
	program(0x100000, &z, 1);
	rd(0x100000, out, 1);
	assert_int_equal(out[0], 0x00);
	program(0x110000, &z, 1); /* block 17 still locked */
	rd(0x110000, out, 1);
	assert_int_equal(out[0], 0xFF);
	op1(0x06);
	op1(0x98); /* global unlock */
	program(0x001000, &z, 1); /* sector 1 of block 0 */
	rd(0x001000, out, 1);
	assert_int_equal(out[0], 0x00);
	op1(0x06);
	op1(0x7E);
	program(0x002000, &z, 1);
	rd(0x002000, out, 1);
	assert_int_equal(out[0], 0xFF);
	/* BP bits do not matter while WPS = 1 */
	op1(0x06);
	op1(0x98);
	wrsr(0x01, 0x1C);
	program(0x7FF000, &z, 1);
	rd(0x7FF000, out, 1);
	assert_int_equal(out[0], 0x00);
}

static void test_reset(void **state)
{
	(void)state;
	op1(0x50);
	uint8_t v[2] = {0x01, 0x08};
	xfer(v, 2, NULL, 0);
	op1(0x99); /* without 66h first: nothing (W64 §6.4) */
	assert_int_equal(rdsr(0x05), 0x08);
	op1(0x06);
	op1(0x66);
	op1(0x99);
	/* tRST: nothing answered */
	uint8_t op = 0x05, s;
	xfer(&op, 1, &s, 1);
	assert_int_equal(s, 0xFF);
	tw_spinor_advance(C, 30000);
	assert_int_equal(rdsr(0x05), 0x00); /* volatile bits lost, WEL 0 */
}

static void test_power_cut(void **state)
{
	(void)state;
	uint8_t z[256], out[4096];
	memset(z, 0, sizeof z);
	for (uint32_t a = 0; a < 0x1000; a += 256)
		program(a, z, 256);
	op1(0x06);
	addr_cmd(0x20, 0x0, NULL, 0);
	tw_spinor_advance(C, 45000000ULL / 2);
	tw_spinor_power_cycle(C);
	rd(0, out, 4096);
	assert_int_equal(out[0], 0xFF);       /* reached */
	assert_int_equal(out[4095], 0x00);    /* not reached */
	assert_int_equal(rdsr(0x05), 0x00);   /* no BUSY, WEL 0 after power-up */
	memset(z, 0xA5, sizeof z);
	op1(0x06);
	addr_cmd(0x02, 0x4000, z, 256);
	tw_spinor_advance(C, 100000); /* a quarter of tPP */
	tw_spinor_power_cycle(C);
	rd(0x4000, out, 256);
	assert_int_equal(out[0], 0xA5);
	assert_int_equal(out[255], 0xFF);
	tw_spinor_stats st;
	tw_spinor_get_stats(C, &st);
	assert_int_equal(st.cut_ops, 2);
}

static void test_macronix(void **state)
{
	(void)state;
	open_part("mx25l6433f");
	uint8_t b[3] = {0x01, 0x04, 0x08}; /* BP0, CR.TB (MX64: OTP) */
	op1(0x06);
	xfer(b, 3, NULL, 0);
	tw_spinor_finish(C);
	assert_int_equal(rdsr(0x15), 0x08);
	assert_true(tw_spinor_protected(C, 0x0));
	assert_false(tw_spinor_protected(C, 0x10000));
	b[2] = 0x00;
	op1(0x06);
	xfer(b, 3, NULL, 0);
	tw_spinor_finish(C);
	assert_int_equal(rdsr(0x15), 0x08); /* TB stays */
	op1(0x50); /* no volatile path on this part */
	uint8_t v[2] = {0x01, 0x00};
	xfer(v, 2, NULL, 0);
	assert_int_equal(rdsr(0x05), 0x04);
	/* secured OTP: ENSO, program, EXSO, lock with WRSCUR */
	uint8_t d = 0x3C, out[1];
	op1(0xB1);
	program(0x10, &d, 1);
	rd(0x10, out, 1);
	assert_int_equal(out[0], 0x3C);
	op1(0xC1);
	rd(0x10, out, 1);
	assert_int_equal(out[0], 0xFF);
	op1(0x06);
	op1(0x2F);
	tw_spinor_finish(C);
	assert_int_equal(rdsr(0x2B) & 0x02, 0x02);
	op1(0xB1);
	d = 0x00;
	program(0x10, &d, 1);
	rd(0x10, out, 1);
	assert_int_equal(out[0], 0x3C);
}

static void test_state_roundtrip(void **state)
{
	(void)state;
	char path[] = "/tmp/fk_spinor_stateXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	uint8_t d[2] = {0x12, 0x34};
	program(0x123400, d, 2);
	wrsr(0x01, 0x84);
	tw_spinor_set_wp(C, false);
	op1(0x06);
	addr_cmd(0x20, 0x0, NULL, 0); /* in progress when saved */
	assert_int_equal(tw_spinor_save(ctx, C, path), 0);
	assert_true(tw_spinor_is_state(path));
	tw_spinor *L;
	assert_int_equal(tw_spinor_load(ctx, path, &L), 0);
	assert_int_equal(tw_spinor_busy_ns(L), tw_spinor_busy_ns(C));
	assert_memory_equal(tw_spinor_mem(L), tw_spinor_mem(C), tw_spinor_size(C));
	assert_false(tw_spinor_wp(L));
	uint8_t a[3], b[3];
	tw_spinor_regs(L, a, NULL);
	tw_spinor_regs(C, b, NULL);
	assert_memory_equal(a, b, 3);
	tw_spinor_free(L);
	/* a flipped payload byte is caught */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 100, SEEK_SET);
	fputc(0x00, f);
	fclose(f);
	assert_int_not_equal(tw_spinor_load(ctx, path, &L), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_needs_wel_and_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_ignores_all_but_rdsr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protected_silently_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_write_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srp_wp_and_lockdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gd_srp1_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_security_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_macronix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_roundtrip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
