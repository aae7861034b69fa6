/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/stm32l4: the STM32L4/G0/G4 model against the reference manuals' sequences — keys and
 * their lock-up (RM0351 §3.3.5), double-word programming and its errors (§3.3.7, §3.3.8,
 * §3.7.5), page/mass erase with WRP (§3.3.6, §3.5.3), fast programming rows, option bytes as
 * programmed vs loaded until OBL_LAUNCH / power-on (§3.4.2), RDP level 1 access rules and the
 * 1 -> 0 regression scope per PCROP_RDP (§3.5.1, §3.5.2; RM0444 Table 18), level 2, ECC after a
 * torn double word (§3.3.3), power cuts, the state image. */
#include "fk_test.h"

#include "chip.h"
#include "stm32l4/l4.h"

#define FR(o) (L4_FLASH_REGS + (o))

static tw_l4 *mk(const char *name)
{
	tw_l4 *t = tw_l4_new(tw_l4_variant_find(name));
	assert_non_null(t);
	return t;
}

static uint32_t rd(tw_l4 *t, uint32_t a)
{
	uint32_t v = 0;
	assert_int_equal(tw_l4_read(t, TW_INIT_DEBUG, a, 4, &v), TW_OK);
	return v;
}

static void wr(tw_l4 *t, uint32_t a, uint32_t v)
{
	assert_int_equal(tw_l4_write(t, TW_INIT_DEBUG, a, 4, v), TW_OK);
}

static void wait_idle(tw_l4 *t)
{
	if (tw_l4_busy(t))
		tw_l4_advance(t, t->op_end - t->now);
	assert_false(tw_l4_busy(t));
}

static void unlock(tw_l4 *t)
{
	wr(t, FR(L4R_KEYR), L4_KEY1);
	wr(t, FR(L4R_KEYR), L4_KEY2);
	assert_int_equal(rd(t, FR(L4R_CR)) & L4_CR_LOCK, 0);
}

static void unlock_opt(tw_l4 *t)
{
	unlock(t);
	wr(t, FR(L4R_OPTKEYR), L4_OPTKEY1);
	wr(t, FR(L4R_OPTKEYR), L4_OPTKEY2);
	assert_int_equal(rd(t, FR(L4R_CR)) & L4_CR_OPTLOCK, 0);
}

static void program(tw_l4 *t, uint32_t a, uint32_t lo, uint32_t hi)
{
	wr(t, FR(L4R_CR), L4_CR_PG);
	wr(t, a, lo);
	wr(t, a + 4, hi);
	wait_idle(t);
	wr(t, FR(L4R_CR), 0);
}

static void test_variants(void **state)
{
	(void)state;
	const l4_variant *v = tw_l4_variant_find("STM32L476RG");
	assert_non_null(v);
	assert_int_equal(v->dev_id, 0x415);
	assert_int_equal(v->banks, 2);
	assert_int_equal(v->flash_bytes / v->banks / v->page_bytes, 256);
	assert_int_equal(tw_l4_variant_find("stm32g071rb")->dev_id, 0x460);
	assert_false(tw_l4_variant_find("stm32g071rb")->jtag);
	assert_int_equal(tw_l4_variant_find("stm32g431rb")->dev_id, 0x468);
	assert_int_equal(tw_l4_variant_find("stm32l433rc")->dev_id, 0x435);
	for (unsigned i = 0; tw_l4_variant_at(i); i++) {
		const l4_variant *w = tw_l4_variant_at(i);
		assert_int_equal(w->flash_bytes % (w->page_bytes * w->banks), 0);
		/* factory options: level 0, every WRP and PCROP area unused */
		tw_l4 *t = tw_l4_new(w);
		assert_int_equal(tw_l4_level(t), 0);
		for (unsigned a = 0; a < 4; a++) {
			unsigned b, f, l;
			assert_false(tw_l4_wrp_area(t, t->loaded, a, &b, &f, &l));
		}
		uint32_t o, n;
		assert_false(tw_l4_pcrop_area(t, t->loaded, 0, &o, &n));
		/* DBGMCU_IDCODE at the family's address; flash size word in KiB */
		assert_int_equal(rd(t, w->dbgmcu) & 0xFFFU, w->dev_id);
		assert_int_equal(rd(t, L4_FSIZE) & 0xFFFFU, w->flash_bytes / 1024U);
		tw_l4_free(t);
	}
}

static void test_keys(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32l476rg");
	assert_int_equal(rd(t, FR(L4R_CR)), 0xC0000000U);
	/* OPTKEYR before KEYR: ignored, OPTLOCK stays */
	wr(t, FR(L4R_OPTKEYR), L4_OPTKEY1);
	wr(t, FR(L4R_OPTKEYR), L4_OPTKEY2);
	assert_true(rd(t, FR(L4R_CR)) & L4_CR_OPTLOCK);
	unlock_opt(t);
	/* LOCK also sets OPTLOCK */
	wr(t, FR(L4R_CR), L4_CR_LOCK);
	assert_int_equal(rd(t, FR(L4R_CR)) & 0xC0000000U, 0xC0000000U);
	/* a wrong key: bus error, locked until the next reset even with the right keys */
	assert_int_equal(tw_l4_write(t, TW_INIT_DEBUG, FR(L4R_KEYR), 4, 0x12345678U), TW_BUS_ERROR);
	assert_int_equal(tw_l4_write(t, TW_INIT_DEBUG, FR(L4R_KEYR), 4, L4_KEY1), TW_BUS_ERROR);
	assert_true(rd(t, FR(L4R_CR)) & L4_CR_LOCK);
	tw_l4_reset(t, TW_RESET_SYSTEM);
	unlock(t);
	tw_l4_free(t);
}

static void test_program_errors(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32l476rg");
	unlock(t);
	/* a double word: busy for the datasheet time, then the data */
	wr(t, FR(L4R_CR), L4_CR_PG);
	wr(t, 0x08000000U, 0x11223344U);
	assert_false(tw_l4_busy(t));
	wr(t, 0x08000004U, 0x55667788U);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_BSY);
	uint32_t v;
	assert_int_equal(tw_l4_read(t, TW_INIT_DEBUG, 0x08000000U, 4, &v), TW_STALL);
	uint64_t t0 = t->now;
	wait_idle(t);
	assert_int_equal(t->now - t0, t->v->t_dw);
	assert_int_equal(rd(t, 0x08000000U), 0x11223344U);
	assert_int_equal(rd(t, 0x08000004U), 0x55667788U);
	/* PROGERR: not erased; all zeros may still be written */
	wr(t, 0x08000000U, 1);
	wr(t, 0x08000004U, 0);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PROGERR);
	/* PGSERR: a new programming while an error is still set */
	wr(t, 0x08000008U, 0);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGSERR);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	assert_int_equal(rd(t, FR(L4R_SR)) & L4_SR_PROG_ERRS, 0);
	wr(t, 0x08000000U, 0);
	wr(t, 0x08000004U, 0);
	wait_idle(t);
	assert_int_equal(rd(t, 0x08000000U), 0);
	/* PGAERR: second word of another double word */
	wr(t, 0x08000010U, 1);
	wr(t, 0x0800001CU, 2);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGAERR);
	assert_int_equal(rd(t, 0x08000010U), 0xFFFFFFFFU);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	/* SIZERR: a half-word write */
	assert_int_equal(tw_l4_write(t, TW_INIT_DEBUG, 0x08000020U, 2, 0x1234), TW_OK);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_SIZERR);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	/* PGSERR: PG cleared with only the first word written */
	wr(t, 0x08000020U, 7);
	wr(t, FR(L4R_CR), 0);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGSERR);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	/* PGSERR: a write to flash without PG */
	wr(t, 0x08000028U, 7);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGSERR);
	tw_l4_free(t);
}

static void test_erase_wrp(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32l476rg");
	/* WRP1A pages 2-3 of bank 1 */
	tw_l4_set_ob(t, (unsigned)t->v->o_wrp1a, 0x00030002U);
	unlock(t);
	program(t, 0x08000800U, 0xA5A5A5A5U, 0x5A5A5A5AU); /* page 1 */
	program(t, 0x08001000U, 1, 2);                      /* page 2: protected */
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_WRPERR);
	assert_int_equal(rd(t, 0x08001000U), 0xFFFFFFFFU);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	/* page erase: PER | PNB | STRT in one store (as OpenOCD does) */
	wr(t, FR(L4R_CR), L4_CR_PER | (2U << L4_CR_PNB_SHIFT) | L4_CR_STRT);
	assert_false(tw_l4_busy(t));
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_WRPERR);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	wr(t, FR(L4R_CR), L4_CR_PER | (1U << L4_CR_PNB_SHIFT) | L4_CR_STRT);
	assert_true(tw_l4_busy(t));
	uint64_t t0 = t->now;
	wait_idle(t);
	assert_int_equal(t->now - t0, t->v->t_page);
	assert_int_equal(rd(t, 0x08000800U), 0xFFFFFFFFU);
	/* mass erase of bank 1 refused (a WRP page), bank 2 done; bank 2 page 0 with BKER */
	wr(t, FR(L4R_CR), L4_CR_MER1);
	wr(t, FR(L4R_CR), L4_CR_MER1 | L4_CR_STRT);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_WRPERR);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	program(t, 0x08080000U, 3, 4);
	assert_int_equal(rd(t, 0x08080000U), 3);
	wr(t, FR(L4R_CR), L4_CR_PER | L4_CR_BKER | L4_CR_STRT);
	wait_idle(t);
	assert_int_equal(rd(t, 0x08080000U), 0xFFFFFFFFU);
	/* STRT with no erase selected */
	wr(t, FR(L4R_CR), L4_CR_STRT);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGSERR);
	tw_l4_free(t);
}

static void test_fast_row(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32g431rb");
	unlock(t);
	wr(t, FR(L4R_CR), L4_CR_FSTPG);
	for (unsigned i = 0; i < 64; i++)
		wr(t, 0x08000100U + 4 * i, i);
	assert_true(tw_l4_busy(t));
	wait_idle(t);
	assert_int_equal(rd(t, 0x08000100U + 4 * 63), 63);
	/* BSY from the first double word (RM0351 §3.3.7 note), the rest taken while it is set,
	 * each double word programmed in t_row / 32: the row ends t_row after the first one */
	wr(t, 0x08000300U, 0x11);
	assert_false(tw_l4_busy(t));
	wr(t, 0x08000304U, 0x22);
	assert_true(tw_l4_busy(t));
	uint64_t t0 = t->now;
	for (unsigned i = 2; i < 64; i++)
		assert_int_equal(tw_l4_write(t, TW_INIT_DEBUG, 0x08000300U + 4 * i, 4, i), TW_OK);
	assert_int_equal(t->op_end - t0, t->v->t_row);
	/* a read of flash meanwhile stalls */
	uint32_t v;
	assert_int_equal(tw_l4_read(t, TW_INIT_DEBUG, 0x08000000U, 4, &v), TW_STALL);
	wait_idle(t);
	assert_int_equal(rd(t, 0x08000300U + 4 * 63), 63);
	assert_int_equal(rd(t, FR(L4R_SR)) & (L4_SR_MISERR | L4_SR_FASTERR), 0);
	/* MISERR: the next double word arrives after the previous one is programmed; the double
	 * word that made it stays programmed */
	wr(t, 0x08000200U, 1);
	wr(t, 0x08000204U, 2);
	tw_l4_advance(t, t->v->t_row / 32 + 1);
	assert_false(tw_l4_busy(t));
	assert_int_equal(rd(t, FR(L4R_SR)) & (L4_SR_MISERR | L4_SR_FASTERR),
			 L4_SR_MISERR | L4_SR_FASTERR);
	assert_int_equal(rd(t, 0x08000204U), 2);
	assert_int_equal(rd(t, 0x08000208U), 0xFFFFFFFFU);
	/* with the error still set, the late double word is refused (PGSERR) */
	wr(t, 0x08000208U, 3);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGSERR);
	tw_l4_free(t);
}

static void opt_write(tw_l4 *t, uint32_t reg, uint32_t val)
{
	unlock_opt(t);
	wr(t, FR(reg), val);
	wr(t, FR(L4R_CR), L4_CR_OPTSTRT);
	wait_idle(t);
}

static void test_options_loaded_vs_programmed(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32l476rg");
	program(t, 0x08000000U, 0xCAFEF00DU, 0); /* locked: PG not set, PGSERR */
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_PGSERR);
	assert_int_equal(rd(t, 0x08000000U), 0xFFFFFFFFU);
	unlock(t);
	wr(t, FR(L4R_SR), L4_SR_W1C);
	program(t, 0x08000000U, 0xCAFEF00DU, 0);
	/* level 1 programmed: still level 0 in force, the register shows the new value */
	opt_write(t, L4R_OPTR, (rd(t, FR(L4R_OPTR)) & ~0xFFU) | 0xBBU);
	assert_int_equal(rd(t, FR(L4R_OPTR)) & 0xFFU, 0xBB);
	assert_int_equal(tw_l4_level(t), 0);
	assert_int_equal(rd(t, 0x08000000U), 0xCAFEF00DU);
	/* a system reset does not load the option bytes */
	tw_l4_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_l4_level(t), 0);
	assert_int_equal(rd(t, FR(L4R_OPTR)) & 0xFFU, 0xAA);
	/* OBL_LAUNCH does (and resets: FLASH_CR locked again) */
	unlock_opt(t);
	wr(t, FR(L4R_CR), L4_CR_OBL_LAUNCH);
	assert_int_equal(tw_l4_level(t), 1);
	assert_int_equal(rd(t, FR(L4R_CR)), 0xC0000000U);
	/* level 1 with a debugger: flash is a bus error; firmware booted from flash reads it
	 * only until a debugger connected since power-on */
	uint32_t v;
	assert_int_equal(tw_l4_read(t, TW_INIT_DEBUG, 0x08000000U, 4, &v), TW_BUS_ERROR);
	assert_int_equal(tw_l4_read(t, TW_INIT_USER, 0x08000000U, 4, &v), TW_BUS_ERROR);
	tw_l4_power_off(t);
	tw_l4_power_on(t);
	assert_int_equal(tw_l4_read(t, TW_INIT_USER, 0x08000000U, 4, &v), TW_OK);
	assert_int_equal(v, 0xCAFEF00DU);
	assert_int_equal(tw_l4_read(t, TW_INIT_BOOTLOADER, 0x08000000U, 4, &v), TW_BUS_ERROR);
	tw_l4_free(t);
}

static void test_regression_scope(void **state)
{
	(void)state;
	for (int pcrop_rdp = 0; pcrop_rdp <= 1; pcrop_rdp++) {
		tw_l4 *t = mk("stm32g071rb");
		/* PCROP1A = pages 2..3 (512-byte units 8..15), level 1, data in pages 0 and 2 */
		t->flash[0] = 0x11;
		t->flash[2 * 2048] = 0x22;
		t->bkp[0] = 0xDEADBEEFU;
		tw_l4_set_ob(t, (unsigned)t->v->o_pcrop1s, 8);
		tw_l4_set_ob(t, (unsigned)t->v->o_pcrop1e, 15U | (pcrop_rdp ? 1U << 31 : 0));
		tw_l4_set_ob(t, 0, (t->ob[0] & ~0xFFU) | 0xBBU);
		assert_int_equal(tw_l4_level(t), 1);
		/* PCROP_RDP can only be set: clearing it in the register does not stick */
		unlock_opt(t);
		wr(t, FR(0x28), 15U);
		assert_int_equal(rd(t, FR(0x28)) >> 31, (uint32_t)pcrop_rdp);
		opt_write(t, L4R_OPTR, (rd(t, FR(L4R_OPTR)) & ~0xFFU) | 0xAAU);
		tw_l4_reset(t, TW_RESET_POWER_ON);
		assert_int_equal(tw_l4_level(t), 0);
		assert_int_equal(t->flash[0], 0xFF);
		assert_int_equal(t->bkp[0], 0);
		uint32_t o, l;
		if (pcrop_rdp) {
			/* full erase, PCROP removed (RM0444 Table 18) */
			assert_int_equal(t->flash[2 * 2048], 0xFF);
			assert_false(tw_l4_pcrop_area(t, t->loaded, 0, &o, &l));
		} else {
			/* the PCROP pages kept, the area too */
			assert_int_equal(t->flash[2 * 2048], 0x22);
			assert_true(tw_l4_pcrop_area(t, t->loaded, 0, &o, &l));
			assert_int_equal(o, 4096);
			assert_int_equal(l, 4096);
			/* PCROP data reads as zero with RDERR */
			assert_int_equal(rd(t, 0x08001000U), 0);
			assert_true(rd(t, FR(L4R_SR)) & L4_SR_RDERR);
		}
		tw_l4_free(t);
	}
}

static void test_level2(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32l433rc");
	opt_write(t, L4R_OPTR, (rd(t, FR(L4R_OPTR)) & ~0xFFU) | 0xCCU);
	tw_l4_reset(t, TW_RESET_POWER_ON);
	assert_int_equal(tw_l4_level(t), 2);
	tw_chip *c = tw_chip_wrap(&tw_model_stm32l4, t);
	const tw_dap_port *d = tw_chip_dap(c, NULL, "test");
	assert_non_null(d);
	assert_false(d->reachable(t, false));
	/* firmware that tries to change the options gets WRPERR */
	uint32_t v;
	tw_l4_write(t, TW_INIT_USER, FR(L4R_KEYR), 4, L4_KEY1);
	tw_l4_write(t, TW_INIT_USER, FR(L4R_KEYR), 4, L4_KEY2);
	tw_l4_write(t, TW_INIT_USER, FR(L4R_OPTKEYR), 4, L4_OPTKEY1);
	tw_l4_write(t, TW_INIT_USER, FR(L4R_OPTKEYR), 4, L4_OPTKEY2);
	tw_l4_write(t, TW_INIT_USER, FR(L4R_OPTR), 4, 0xFFEFF8AAU);
	tw_l4_write(t, TW_INIT_USER, FR(L4R_CR), 4, L4_CR_OPTSTRT);
	tw_l4_read(t, TW_INIT_USER, FR(L4R_SR), 4, &v);
	assert_true(v & L4_SR_WRPERR);
	tw_chip_free(c);
}

static void test_power_cut_ecc(void **state)
{
	(void)state;
	tw_l4 *t = mk("stm32l476rg");
	unlock(t);
	t->fault_op = t->ops_done + 1;
	wr(t, FR(L4R_CR), L4_CR_PG);
	wr(t, 0x08000040U, 0x00000000U);
	wr(t, 0x08000044U, 0x12345678U);
	tw_l4_advance(t, t->v->t_dw);
	assert_false(t->powered);
	tw_l4_power_on(t);
	/* the torn double word reads back with ECCD and its address */
	(void)rd(t, 0x08000040U);
	uint32_t e = rd(t, FR(L4R_ECCR));
	assert_true(e & L4_ECCR_ECCD);
	assert_int_equal(e & 0x7FFFFU, 0x40);
	/* a power cut during OPTSTRT leaves mismatching option words: OPTVERR, level 1 */
	unlock_opt(t);
	wr(t, FR(L4R_OPTR), 0xFFEFF8AAU);
	t->fault_op = t->ops_done + 1;
	wr(t, FR(L4R_CR), L4_CR_OPTSTRT);
	tw_l4_advance(t, t->v->t_opt);
	tw_l4_power_on(t);
	assert_true(rd(t, FR(L4R_SR)) & L4_SR_OPTVERR);
	assert_int_equal(tw_l4_level(t), 1);
	tw_l4_free(t);
}

static void test_state_roundtrip(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_l4 *t = mk("stm32g431rb");
	t->flash[123] = 0x42;
	tw_l4_set_ob(t, (unsigned)t->v->o_wrp1a, 0x00050001U);
	uint8_t *buf;
	size_t len;
	assert_int_equal(tw_l4_save_buffer(t, &buf, &len), FK_OK);
	tw_l4 *u = NULL;
	assert_int_equal(tw_l4_load_buffer(ctx, "x", buf, len, &u), FK_OK);
	assert_int_equal(u->flash[123], 0x42);
	assert_int_equal(u->loaded[t->v->o_wrp1a], 0x00050001U);
	tw_l4_free(u);
	/* damaged, truncated: refused naming the file */
	buf[100] ^= 1;
	assert_int_equal(tw_l4_load_buffer(ctx, "x.twin", buf, len, &u), FK_E_BAD_FILE);
	char msg[256];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "x.twin"));
	assert_int_equal(tw_l4_load_buffer(ctx, "x.twin", buf, 20, &u), FK_E_BAD_FILE);
	free(buf);
	tw_l4_free(t);
	fk_ctx_free(ctx);
}

/* ---- the ROM bootloader port (AN3155 v3.1) ---- */

static size_t xfer(const tw_stream_port *p, void *s, const uint8_t *out, size_t n, uint8_t *in,
		   size_t max)
{
	p->rx(s, out, n);
	return p->tx(s, in, max);
}

static void send_cmd(const tw_stream_port *p, void *s, uint8_t c, uint8_t *in, size_t max,
		     size_t *got)
{
	uint8_t b[2] = {c, (uint8_t)~c};
	*got = xfer(p, s, b, 2, in, max);
}

static void send_addr(const tw_stream_port *p, void *s, uint32_t a, uint8_t *in)
{
	uint8_t b[5] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 0};
	b[4] = b[0] ^ b[1] ^ b[2] ^ b[3];
	assert_int_equal(xfer(p, s, b, 5, in, 1), 1);
}

static void test_rom(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_l4 *t = mk("stm32g071rb");
	const tw_stream_port *p = &tw_l4_an3155_port;
	void *s;
	assert_int_equal(p->open(t, ctx, NULL, &s), FK_OK);
	uint8_t in[300];
	size_t n;
	uint8_t sync = 0x7F;
	assert_int_equal(xfer(p, s, &sync, 1, in, sizeof in), 1);
	assert_int_equal(in[0], 0x79);
	/* GET: v3.1 with Extended Erase 0x44 */
	send_cmd(p, s, 0x00, in, sizeof in, &n);
	assert_int_equal(n, 15);
	assert_int_equal(in[2], 0x31);
	assert_memory_equal(in + 3, "\x00\x01\x02\x11\x21\x31\x44\x63\x73\x82\x92", 11);
	/* GID: 0x0460 */
	send_cmd(p, s, 0x02, in, sizeof in, &n);
	assert_int_equal(n, 5);
	assert_int_equal(in[2] << 8 | in[3], 0x460);
	/* Write Memory 16 bytes at 0x08000800, read them back */
	send_cmd(p, s, 0x31, in, sizeof in, &n);
	assert_int_equal(in[0], 0x79);
	send_addr(p, s, 0x08000800U, in);
	assert_int_equal(in[0], 0x79);
	uint8_t w[18];
	w[0] = 15;
	uint8_t ck = 15;
	for (unsigned i = 0; i < 16; i++) {
		w[1 + i] = (uint8_t)(0xA0 + i);
		ck ^= w[1 + i];
	}
	w[17] = ck;
	assert_int_equal(xfer(p, s, w, 18, in, 1), 1);
	assert_int_equal(in[0], 0x79);
	assert_int_equal(t->flash[0x800 + 15], 0xAF);
	send_cmd(p, s, 0x11, in, sizeof in, &n);
	send_addr(p, s, 0x08000800U, in);
	uint8_t len[2] = {15, 0xF0};
	assert_int_equal(xfer(p, s, len, 2, in, sizeof in), 17);
	assert_int_equal(in[0], 0x79);
	assert_int_equal(in[1], 0xA0);
	/* Extended Erase of page 1 */
	send_cmd(p, s, 0x44, in, sizeof in, &n);
	uint8_t er[5] = {0, 0, 0, 1, 1};
	assert_int_equal(xfer(p, s, er, 5, in, 1), 1);
	assert_int_equal(in[0], 0x79);
	assert_int_equal(t->flash[0x800], 0xFF);
	/* Readout Protect: ACK, ACK, then the ROM restarts (0x7F again); level 1 in force */
	t->flash[0] = 0x5A;
	send_cmd(p, s, 0x82, in, sizeof in, &n);
	assert_int_equal(n, 2);
	assert_int_equal(in[1], 0x79);
	assert_int_equal(tw_l4_level(t), 1);
	assert_int_equal(xfer(p, s, &sync, 1, in, sizeof in), 1);
	send_cmd(p, s, 0x11, in, sizeof in, &n);
	assert_int_equal(in[0], 0x1F); /* Read refused under RDP */
	/* Readout Unprotect: level 0, flash erased (no PCROP area) */
	send_cmd(p, s, 0x92, in, sizeof in, &n);
	assert_int_equal(n, 2);
	assert_int_equal(in[1], 0x79);
	assert_int_equal(tw_l4_level(t), 0);
	assert_int_equal(t->flash[0], 0xFF);
	p->close(s);
	tw_l4_free(t);
	fk_ctx_free(ctx);
}

/* AN3155 §3.5 Go on the G071's Cortex-M0+ (twin/cpu/go.c): one ACK for the address, then the
 * code runs. Code that requests AIRCR.SYSRESETREQ with BOOT0 high brings the bootloader back
 * (0x7F answered again, SRAM kept); code that spins (`b .`) leaves the line silent. */
static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void rom_go(tw_l4 *t, void *s, bool reset, uint8_t *in)
{
	const tw_stream_port *p = &tw_l4_an3155_port;
	static const uint8_t code[] = {0x01, 0x48, 0x02, 0x49, 0x01, 0x60, 0xFE, 0xE7,
				       0x0C, 0xED, 0x00, 0xE0, 0x04, 0x00, 0xFA, 0x05};
	uint8_t *ram = t->sram + 0x3000;
	put_le32(ram, 0x20004000U);
	put_le32(ram + 4, 0x20003009U);
	memcpy(ram + 8, code, sizeof code);
	if (!reset) /* the first instruction becomes `b .` */
		ram[8] = 0xFE, ram[9] = 0xE7;
	ram[0x100] = 0xC5; /* SRAM content that must survive the system reset */
	size_t n;
	send_cmd(p, s, 0x21, in, 8, &n);
	assert_int_equal(n, 1);
	assert_int_equal(in[0], 0x79);
	uint8_t b[5] = {0x20, 0x00, 0x30, 0x00, 0x10};
	assert_int_equal(xfer(p, s, b, 5, in, 8), 1); /* one ACK, nothing after it */
	assert_int_equal(in[0], 0x79);
}

static void test_rom_go(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_l4 *t = mk("stm32g071rb");
	const tw_stream_port *p = &tw_l4_an3155_port;
	p->enter(t);
	assert_true(t->boot_sysmem);
	void *s;
	assert_int_equal(p->open(t, ctx, NULL, &s), FK_OK);
	uint8_t in[16], sync = 0x7F;
	assert_int_equal(xfer(p, s, &sync, 1, in, sizeof in), 1);
	unsigned resets = t->resets;
	rom_go(t, s, true, in);
	assert_int_equal(t->resets, resets + 1);
	assert_int_equal(xfer(p, s, &sync, 1, in, sizeof in), 1); /* the bootloader is back */
	assert_int_equal(in[0], 0x79);
	assert_int_equal(t->sram[0x3100], 0xC5);
	rom_go(t, s, false, in);
	assert_int_equal(t->resets, resets + 1);
	assert_int_equal(xfer(p, s, &sync, 1, in, sizeof in), 0); /* the code owns the chip */
	p->close(s);
	tw_l4_free(t);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_program_errors),
		cmocka_unit_test(test_erase_wrp),
		cmocka_unit_test(test_fast_row),
		cmocka_unit_test(test_options_loaded_vs_programmed),
		cmocka_unit_test(test_regression_scope),
		cmocka_unit_test(test_level2),
		cmocka_unit_test(test_power_cut_ecc),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_rom),
		cmocka_unit_test(test_rom_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
