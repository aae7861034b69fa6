/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/stm32f4: the state file (round trip, corrupt/truncated/foreign/versioned files, the
 * exclusive lock), fault injection (power cut by virtual time or at the Nth flash operation:
 * RM0090 §3.6 "contents not guaranteed if a reset occurs during an operation"; torn option
 * bytes as field reports describe, stm32.md §3.1), and the `twin:PATH` memory backend. */
#include <sys/stat.h>
#include <unistd.h>

#include "fk_test.h"

#include "chip.h"

#include "flashkey/backend.h"
#include "fktwin/fktwin.h"
#include "stm32f4/f4.h"

#define KEYR 0x40023C04U
#define OPTKEYR 0x40023C08U
#define SR 0x40023C0CU
#define CR 0x40023C10U
#define OPTCR 0x40023C14U
#define FLASH 0x08000000U
#define U TW_INIT_USER

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/fk_twin_state_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tpath(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
	return buf;
}

static void w(tw_f4 *t, uint32_t a, unsigned size, uint32_t v)
{
	assert_int_equal(tw_f4_write_wait(t, U, a, size, v), TW_OK);
}

static void unlock(tw_f4 *t)
{
	w(t, KEYR, 4, 0x45670123U);
	w(t, KEYR, 4, 0xCDEF89ABU);
}

static void erase_sector(tw_f4 *t, unsigned snb)
{
	w(t, CR, 4, 0x202U | (snb << 3));
	w(t, CR, 4, 0x10202U | (snb << 3));
}

/* ---- state file ---- */

static void test_round_trip(void **state)
{
	(void)state;
	char p[128];
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f429"));
	unlock(t);
	w(t, CR, 4, 0x201U);
	w(t, 0x08123450U, 4, 0x12345678U);
	tw_f4_advance(t, 1000000);
	w(t, 0x20001000U, 4, 0xA5A5A5A5U);
	w(t, 0x40024010U, 4, 0x5A5A5A5AU);
	erase_sector(t, 3); /* an operation in progress survives the save too */
	tw_f4_debug_attach(t);
	tw_f4_set_option_word(t, 0, 0x0FFE55ECU);
	assert_int_equal(tw_f4_save(t, ctx, tpath(p, sizeof p, "rt.twin")), FK_OK);
	tw_f4 *u;
	assert_int_equal(tw_f4_load(ctx, p, &u), FK_OK);
	assert_ptr_equal(tw_f4_variant_of(u), tw_f4_variant_of(t));
	assert_int_equal(tw_f4_now_ns(u), tw_f4_now_ns(t));
	assert_true(tw_f4_intrusion(u));
	assert_true(tw_f4_busy(u));
	assert_int_equal(tw_f4_busy_until_ns(u), tw_f4_busy_until_ns(t));
	assert_int_equal(tw_f4_option_word(u, 0), 0x0FFE55ECU);
	for (uint32_t a = 0x40023C00U; a < 0x40023C1CU; a += 4)
		assert_int_equal(tw_f4_reg(u, a), tw_f4_reg(t, a));
	assert_int_equal(tw_f4_peek(u, 0x08123450U), 0x78);
	assert_int_equal(tw_f4_peek(u, 0x20001000U), 0xA5);
	assert_int_equal(tw_f4_peek(u, 0x40024010U), 0x5A);
	assert_int_equal(tw_f4_flash_ops(u), tw_f4_flash_ops(t));
	tw_f4_free(u);
	tw_f4_free(t);
	fk_ctx_free(ctx);
}

static void write_file(const char *p, const uint8_t *b, size_t n)
{
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

static uint8_t *read_file(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*n);
	assert_int_equal(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

/* A corrupt, truncated, foreign or future file is FK_E_BAD_FILE with the reason. */
static void test_bad_files(void **state)
{
	(void)state;
	char p[128], q[128];
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f401xc"));
	assert_int_equal(tw_f4_save(t, ctx, tpath(p, sizeof p, "good.twin")), FK_OK);
	tw_f4_free(t);
	size_t n;
	uint8_t *good = read_file(p, &n);
	static const struct { size_t off; int cut; uint8_t x; const char *why; } cases[] = {
		{0, 0, 'X', "wrong magic"},   {8, 0, 0x07, "header CRC"}, {5000, 0, 0x01, "payload CRC"},
		{0, 100, 0, "payload size"},   {0, -1, 0, "too short"},
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *b = malloc(n);
		memcpy(b, good, n);
		size_t len = cases[i].cut < 0 ? 4 : n - (size_t)cases[i].cut;
		if (!cases[i].cut)
			b[cases[i].off] ^= cases[i].x;
		write_file(tpath(q, sizeof q, "bad.twin"), b, len);
		tw_f4 *u = NULL;
		assert_int_equal(tw_f4_load(ctx, q, &u), FK_E_BAD_FILE);
		assert_null(u);
		char msg[FK_CHAIN_MSG_MAX];
		fk_ctx_message(ctx, msg, sizeof msg);
		assert_non_null(strstr(msg, cases[i].why));
		free(b);
	}
	tw_f4 *u = NULL;
	assert_int_equal(tw_f4_load(ctx, tpath(q, sizeof q, "missing.twin"), &u), FK_E_NOT_FOUND);
	free(good);
	fk_ctx_free(ctx);
}

/* A second user of a state file gets FK_E_BUSY "twin busy" (DESIGN.md §5). */
static void test_lock(void **state)
{
	(void)state;
	char p[128];
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_int_equal(tw_f4_save(t, ctx, tpath(p, sizeof p, "lock.twin")), FK_OK);
	tw_f4_free(t);
	tw_f4 *a, *b = NULL;
	assert_int_equal(tw_f4_open(ctx, p, &a), FK_OK);
	assert_int_equal(tw_f4_open(ctx, p, &b), FK_E_BUSY);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "twin busy"));
	assert_null(b);
	tw_f4_debug_attach(a);
	assert_int_equal(tw_f4_sync(a, ctx), FK_OK); /* saves, keeps the lock */
	assert_int_equal(tw_f4_open(ctx, p, &b), FK_E_BUSY);
	assert_int_equal(tw_f4_close(a, ctx), FK_OK);
	assert_int_equal(tw_f4_open(ctx, p, &b), FK_OK);
	assert_true(tw_f4_intrusion(b));
	assert_int_equal(tw_f4_close(b, ctx), FK_OK);
	fk_ctx_free(ctx);
}

/* Issue 13 class 15: the lock is on the state file itself. A symlink and its target are one
 * twin; a save hands the lock to the new file (no window, the symlink stays a symlink); no
 * "PATH.lock" file is made or left by a good or a failed open; a directory or a FIFO is refused
 * without hanging and without creating anything beside it. */
static void test_lock_inode(void **state)
{
	(void)state;
	char p[128], l[128], x[160];
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_int_equal(tw_f4_save(t, ctx, tpath(p, sizeof p, "real.twin")), FK_OK);
	tw_f4_free(t);
	tpath(l, sizeof l, "link.twin");
	assert_int_equal(symlink("real.twin", l), 0);

	tw_f4 *a = NULL, *b = NULL;
	tw_chip *c = NULL;
	assert_int_equal(tw_f4_open(ctx, l, &a), FK_OK);
	assert_int_equal(tw_f4_open(ctx, p, &b), FK_E_BUSY);	 /* the target of the held link */
	assert_int_equal(tw_chip_open(ctx, p, &c), FK_E_BUSY); /* the generic opener too */
	assert_null(b);
	assert_null(c);
	tw_f4_debug_attach(a);
	assert_int_equal(tw_f4_sync(a, ctx), FK_OK); /* a save: new inode renamed over the old */
	struct stat st;
	assert_int_equal(lstat(l, &st), 0);
	assert_true(S_ISLNK(st.st_mode)); /* saved through the link, not over it */
	assert_int_equal(tw_f4_open(ctx, p, &b), FK_E_BUSY); /* the new inode is held too */
	assert_int_equal(tw_chip_open(ctx, l, &c), FK_E_BUSY);
	snprintf(x, sizeof x, "%s.lock", p);
	assert_int_not_equal(access(x, F_OK), 0);
	snprintf(x, sizeof x, "%s.lock", l);
	assert_int_not_equal(access(x, F_OK), 0);
	assert_int_equal(tw_f4_close(a, ctx), FK_OK);
	assert_int_equal(tw_chip_open(ctx, p, &c), FK_OK);
	assert_true(tw_f4_intrusion(tw_chip_impl(c))); /* the save went to the real file */
	assert_int_equal(tw_chip_close(c, ctx), FK_OK);

	/* failed opens leave nothing behind */
	assert_int_equal(tw_chip_open(ctx, tpath(x, sizeof x, "missing.twin"), &c), FK_E_NOT_FOUND);
	assert_int_not_equal(access(x, F_OK), 0);
	assert_int_not_equal(access(tpath(x, sizeof x, "missing.twin.lock"), F_OK), 0);
	assert_int_equal(tw_chip_open(ctx, tmpdir, &c), FK_E_BAD_FILE); /* a directory */
	snprintf(x, sizeof x, "%s.lock", tmpdir);
	assert_int_not_equal(access(x, F_OK), 0);
	assert_int_equal(mkfifo(tpath(x, sizeof x, "fifo.twin"), 0600), 0);
	assert_int_equal(tw_chip_open(ctx, x, &c), FK_E_BAD_FILE); /* no hang on a FIFO */
	assert_int_not_equal(access(tpath(x, sizeof x, "fifo.twin.lock"), F_OK), 0);
	assert_int_equal(unlink(l), 0);
	assert_int_equal(symlink("gone.twin", l), 0); /* a dangling link */
	assert_int_equal(tw_chip_open(ctx, l, &c), FK_E_NOT_FOUND);
	assert_int_not_equal(access(tpath(x, sizeof x, "gone.twin"), F_OK), 0);
	fk_ctx_free(ctx);
}

/* ---- faults ---- */

/* A power cut halfway through the Nth operation: partly programmed bits. */
static void test_fault_program(void **state)
{
	(void)state;
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	unlock(t);
	tw_f4_fault_power_at_op(t, 2);
	w(t, CR, 4, 0x201U);
	w(t, FLASH, 4, 0x00000000U); /* op 1: completes */
	tw_f4_advance(t, 1000000);
	assert_true(tw_f4_powered(t));
	assert_int_equal(tw_f4_write_wait(t, U, FLASH + 4, 4, 0x00000000U), TW_OK); /* op 2 */
	assert_int_equal(tw_f4_write_wait(t, U, FLASH + 8, 4, 0), TW_POWER_OFF);
	assert_false(tw_f4_powered(t));
	uint32_t word = 0;
	for (unsigned i = 0; i < 4; i++)
		word |= (uint32_t)tw_f4_peek(t, FLASH + 4 + i) << (8 * i);
	assert_int_not_equal(word, 0xFFFFFFFFU); /* some bits programmed */
	assert_int_not_equal(word, 0);           /* not all */
	assert_int_equal(tw_f4_peek(t, FLASH), 0);
	tw_f4_power_on(t);
	assert_int_equal(tw_f4_reg(t, CR), 0x80000000U);
	tw_f4_free(t);
}

/* A power cut at a virtual time during a sector erase: partly erased sector. */
static void test_fault_erase(void **state)
{
	(void)state;
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	for (uint32_t a = 0x08020000U; a < 0x08040000U; a++)
		tw_f4_poke(t, a, 0);
	unlock(t);
	erase_sector(t, 5); /* 128 KiB x32: 1 s typ */
	tw_f4_fault_power_at_ns(t, tw_f4_now_ns(t) + 500000000ULL);
	tw_f4_advance(t, 2000000000ULL);
	assert_false(tw_f4_powered(t));
	assert_int_equal(tw_f4_peek(t, 0x08020000U), 0xFF);
	assert_int_equal(tw_f4_peek(t, 0x0803FFFFU), 0x00);
	tw_f4_free(t);
}

/* A power cut during an option-byte write: torn options, RDP reading as level 1. */
static void test_fault_options_torn(void **state)
{
	(void)state;
	static const uint64_t cut[] = {1, 100000000ULL, 250000000ULL};
	for (unsigned i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
		w(t, OPTKEYR, 4, 0x08192A3BU);
		w(t, OPTKEYR, 4, 0x4C5D6E7FU);
		w(t, OPTCR, 4, 0x0FFEAAECU);
		w(t, OPTCR, 4, 0x0FFEAAEEU); /* OPTSTRT: same level, nWRP0=0 */
		tw_f4_fault_power_at_ns(t, tw_f4_now_ns(t) + cut[i]);
		tw_f4_advance(t, 1000000000ULL);
		assert_false(tw_f4_powered(t));
		tw_f4_power_on(t);
		uint32_t ob = tw_f4_option_word(t, 0);
		assert_int_not_equal(ob, 0x0FFEAAECU); /* never the intended value */
		if (i > 0) /* RDP byte erased to 0xFF, or half-programmed (0xFA): level 1 */
			assert_int_equal(tw_f4_rdp_level(t), 1);
		tw_f4_free(t);
	}
}

/* Cut while the nWRP byte is being programmed: some sectors protected, some not (garbled). */
static void test_fault_options_nwrp_garbled(void **state)
{
	(void)state;
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	w(t, OPTKEYR, 4, 0x08192A3BU);
	w(t, OPTKEYR, 4, 0x4C5D6E7FU);
	w(t, OPTCR, 4, 0x0F00AAECU); /* protect sectors 0-7 */
	w(t, OPTCR, 4, 0x0F00AAEEU);
	tw_f4_fault_power_at_ns(t, tw_f4_now_ns(t) + 280000000ULL); /* 70% of 400 ms */
	tw_f4_advance(t, 1000000000ULL);
	tw_f4_power_on(t);
	assert_int_equal(tw_f4_rdp_level(t), 0);                     /* RDP byte made it */
	assert_int_equal((tw_f4_option_word(t, 0) >> 16) & 0xFF, 0xF0); /* half of nWRP[7:0] */
	tw_f4_sector_info s;
	tw_f4_sector_get(t, 0, &s);
	assert_true(s.wrp);
	tw_f4_sector_get(t, 5, &s);
	assert_false(s.wrp);
	tw_f4_free(t);
}

/* ---- the twin: backend ---- */

static void test_backend(void **state)
{
	(void)state;
	char p[128];
	fk_ctx *ctx = fk_ctx_new();
	fktwin_register_backends();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	tw_f4_set_option_word(t, 0, 0x0FFF55ECU);
	tw_f4_reset(t, TW_RESET_POWER_ON);
	tw_f4_save(t, ctx, tpath(p, sizeof p, "be.twin"));
	char conn[160];
	snprintf(conn, sizeof conn, "twin:%s", p);
	fk_transport tr, tr2;
	fk_conn_opts o = {0};
	assert_int_equal(fk_transport_open(ctx, conn, &o, &tr), FK_OK);
	assert_int_equal(tr.kind, FK_TRANSPORT_MEM);
	assert_int_equal(fk_transport_open(ctx, conn, &o, &tr2), FK_E_BUSY);
	const fk_mem_ops *ops = tr.ops;
	uint8_t buf[8];
	assert_int_equal(ops->read(tr.handle, ctx, 0xE0042000U, buf, 4, 4), FK_OK);
	assert_int_equal(buf[0] | (buf[1] << 8), 0x0413);
	assert_int_equal(ops->read(tr.handle, ctx, 0x08000000U, buf, 8, 4), FK_E_BUS_FAULT);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "0x08000000"));
	assert_int_equal(ops->voltage_mv(tr.handle, ctx), 3300);
	assert_int_equal(ops->reset(tr.handle, ctx, FK_RESET_SYSTEM), FK_OK);
	fk_transport_close(&tr);
	tw_f4 *u;
	assert_int_equal(tw_f4_load(ctx, p, &u), FK_OK);
	assert_true(tw_f4_intrusion(u)); /* survives a system reset; saved on close */
	tw_f4_free(u);
	/* level 2: the debug port does not answer at all */
	tw_f4_set_option_word(t, 0, 0x0FFFCCECU);
	tw_f4_reset(t, TW_RESET_POWER_ON);
	tw_f4_save(t, ctx, p);
	assert_int_equal(fk_transport_open(ctx, conn, &o, &tr), FK_E_DEBUG_DISABLED);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "level 2"));
	/* SWD pins repurposed: unreachable, unless connecting under reset */
	tw_f4_set_option_word(t, 0, 0x0FFFAAECU);
	tw_f4_set_swd_repurposed(t, true);
	tw_f4_reset(t, TW_RESET_POWER_ON);
	tw_f4_save(t, ctx, p);
	assert_int_equal(fk_transport_open(ctx, conn, &o, &tr), FK_E_DEBUG_DISABLED);
	o.connect_under_reset = 1;
	assert_int_equal(fk_transport_open(ctx, conn, &o, &tr), FK_OK);
	assert_int_equal(((const fk_mem_ops *)tr.ops)->read(tr.handle, ctx, 0x08000000U, buf, 4, 4),
			 FK_OK);
	fk_transport_close(&tr);
	tw_f4_free(t);
	fk_ctx_free(ctx);
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* State file version 4 adds the weakly written cells (issue #20 item 5) at the end of the
 * payload; a version-3 file (written before) still loads, with none, and is saved as 4. */
static void test_state_v3_still_loads(void **state)
{
	(void)state;
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_non_null(t);
	tw_f4_poke(t, FLASH + 0x10, 0x42);
	uint8_t *buf;
	size_t len;
	assert_int_equal(tw_f4_save_buffer(t, &buf, &len), FK_OK);
	assert_int_equal(buf[8], 4); /* written as version 4 */
	/* the same chip as version 3 wrote it: without the trailing weak-cell count (0) */
	len -= 4;
	put32le(buf + 8, 3);
	put32le(buf + 48, (uint32_t)(len - 64));
	put32le(buf + 52, fk_crc32(0, buf + 64, len - 64));
	put32le(buf + 56, fk_crc32(0, buf, 56));
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *old = NULL;
	assert_int_equal(tw_f4_load_buffer(ctx, "v3.twin", buf, len, &old), FK_OK);
	assert_int_equal(tw_f4_peek(old, FLASH + 0x10), 0x42);
	assert_int_equal(tw_f4_rdp_level(old), 0);
	uint8_t *again;
	size_t alen;
	assert_int_equal(tw_f4_save_buffer(old, &again, &alen), FK_OK);
	assert_int_equal(alen, len + 4); /* upgraded */
	assert_int_equal(again[8], 4);
	free(again);
	/* versions outside 3..4 are refused, naming the range */
	put32le(buf + 8, 2);
	put32le(buf + 56, fk_crc32(0, buf, 56));
	tw_f4 *bad = NULL;
	assert_int_equal(tw_f4_load_buffer(ctx, "v2.twin", buf, len, &bad), FK_E_BAD_FILE);
	assert_null(bad);
	free(buf);
	fk_ctx_free(ctx);
	tw_f4_free(old);
	tw_f4_free(t);
}

/* Weakly written cells persist in the state file with their deadline (version 4). */
static void test_state_weak_cells_roundtrip(void **state)
{
	(void)state;
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	assert_non_null(t);
	assert_int_equal(tw_f4_write_wait(t, U, KEYR, 4, 0x45670123U), TW_OK);
	assert_int_equal(tw_f4_write_wait(t, U, KEYR, 4, 0xCDEF89ABU), TW_OK);
	assert_int_equal(tw_f4_write_wait(t, U, CR, 4, 0x301U), TW_OK); /* PG, x64, no VPP */
	assert_int_equal(tw_f4_write_wait(t, U, FLASH, 4, 0x11223344U), TW_OK);
	assert_int_equal(tw_f4_write_wait(t, U, FLASH + 4, 4, 0x55667788U), TW_OK);
	tw_f4_advance(t, tw_f4_busy_until_ns(t) - tw_f4_now_ns(t));
	assert_int_equal(tw_f4_peek(t, FLASH), 0x44);
	uint8_t *buf;
	size_t len;
	assert_int_equal(tw_f4_save_buffer(t, &buf, &len), FK_OK);
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *l = NULL;
	assert_int_equal(tw_f4_load_buffer(ctx, "w.twin", buf, len, &l), FK_OK);
	assert_int_equal(tw_f4_peek(l, FLASH), 0x44);
	tw_f4_power_off(l);
	tw_f4_power_on(l);
	assert_int_equal(tw_f4_peek(l, FLASH), 0xFF); /* lost at the power cycle */
	free(buf);
	fk_ctx_free(ctx);
	tw_f4_free(l);
	tw_f4_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_lock_inode),
		cmocka_unit_test(test_fault_program),
		cmocka_unit_test(test_fault_erase),
		cmocka_unit_test(test_fault_options_torn),
		cmocka_unit_test(test_fault_options_nwrp_garbled),
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_state_v3_still_loads),
		cmocka_unit_test(test_state_weak_cells_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
