/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chip/spinor: SPI NOR instructions over an SPI programmer (fk_spi_ops). Sources: W64 §8.1
 * Tables 1-2 (opcodes, byte counts), §8.2.5 (Write Status Register: 06h for non-volatile, 50h
 * for volatile; 01h with one byte writes SR1 only, with two bytes SR1 then SR2), §8.2.13 (Page
 * Program: bytes past the page end wrap, so a chunk never crosses a page), §8.2.6 (READ), §9.6
 * (tW, tPP, tSE, tBE1, tBE2, tCE); MX64: 01h writes SR then the configuration register. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chip/spinor.h"
#include "core/core.h"

#define SPINOR_FAST_POLLS 64U   /* back-to-back BUSY polls before sleeping between them */
#define SPINOR_POLL_SLEEP_US 6000U

int spinor_bus_init(spinor_bus *b, fk_ctx *ctx, const fk_spi_ops *ops, void *h)
{
	memset(b, 0, sizeof *b);
	b->ops = ops;
	b->h = h;
	b->ctx = ctx;
	ops->limits(h, &b->max_w, &b->max_r);
	if (b->max_w < 5 || b->max_r < 1)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the SPI programmer carries %zu bytes out and "
			       "%zu in per transaction: a SPI NOR needs at least 5 out (instruction, "
			       "3 address bytes, data) and 1 in", b->max_w, b->max_r);
	b->buf = malloc(b->max_w);
	return b->buf ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "allocating the SPI buffer");
}

void spinor_bus_free(spinor_bus *b)
{
	free(b->buf);
	b->buf = NULL;
}

/* W64 §8.1 Table 1, MX64 command set: the instructions that write a status or configuration
 * register, lock or unlock blocks, reset, or enter/leave power-down or the secured OTP mode. */
static bool spinor_changes_protection(uint8_t op)
{
	static const uint8_t ops[] = {0x01, 0x31, 0x11, 0x36, 0x39, 0x7E, 0x98, 0x66, 0x99,
				      0x2F, 0xB9, 0xAB, 0xB1, 0xC1};
	for (size_t i = 0; i < sizeof ops; i++)
		if (ops[i] == op)
			return true;
	return false;
}

int spinor_xfer(spinor_bus *b, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	if (wn && spinor_changes_protection(w[0]))
		b->prot_gen++;
	return b->ops->xfer(b->h, b->ctx, w, wn, r, rn);
}

static int spinor_op1(spinor_bus *b, uint8_t op)
{
	return spinor_xfer(b, &op, 1, NULL, 0);
}

static void spinor_addr(uint8_t *q, uint8_t op, uint32_t addr)
{
	q[0] = op;
	q[1] = (uint8_t)(addr >> 16);
	q[2] = (uint8_t)(addr >> 8);
	q[3] = (uint8_t)addr;
}

int spinor_rdid(spinor_bus *b, uint8_t id[3])
{
	const uint8_t op = SPINOR_OP_RDID;
	int rc = spinor_xfer(b, &op, 1, id, 3);
	return rc ? fk_fail_wrap(b->ctx, rc, "reading the JEDEC ID (9Fh)") : FK_OK;
}

int spinor_read_sfdp(spinor_bus *b, uint32_t addr, uint8_t *buf, size_t n)
{
	uint8_t q[5];
	spinor_addr(q, SPINOR_OP_RDSFDP, addr);
	q[4] = 0; /* JESD216 §6.2: 8 dummy clocks */
	int rc = spinor_xfer(b, q, 5, buf, FK_MIN(n, b->max_r));
	return rc ? fk_fail_wrap(b->ctx, rc, "reading SFDP (5Ah) at 0x%06X", addr) : FK_OK;
}

static uint8_t spinor_rd_op(const spinor_part *p, unsigned r)
{
	if (r == SPINOR_SR1)
		return SPINOR_OP_RDSR1;
	if (r == SPINOR_SR2)
		return (p->flags & SPINOR_F_CR_15H) ? SPINOR_OP_RDSR3 : SPINOR_OP_RDSR2;
	return SPINOR_OP_RDSR3;
}

static int spinor_read_sr1(spinor_bus *b, uint8_t *v)
{
	const uint8_t op = SPINOR_OP_RDSR1;
	return spinor_xfer(b, &op, 1, v, 1);
}

int spinor_read_regs(spinor_bus *b, const spinor_part *p, uint8_t regs[SPINOR_NREGS])
{
	memset(regs, 0, SPINOR_NREGS);
	bool q = b->ops->xfer_queued && b->ops->flush; /* all of them in one round trip */
	for (unsigned r = 0; r < p->nregs && r < SPINOR_NREGS; r++) {
		uint8_t op = spinor_rd_op(p, r);
		int rc = q ? b->ops->xfer_queued(b->h, b->ctx, &op, 1, &regs[r], 1)
			   : spinor_xfer(b, &op, 1, &regs[r], 1);
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "reading status register %u (%02Xh)", r + 1, op);
	}
	int rc = q ? b->ops->flush(b->h, b->ctx) : FK_OK;
	return rc ? fk_fail_wrap(b->ctx, rc, "reading the status registers") : FK_OK;
}

static void spinor_sleep_us(unsigned us)
{
	struct timespec ts = {.tv_sec = us / 1000000U, .tv_nsec = (long)(us % 1000000U) * 1000L};
	nanosleep(&ts, NULL);
}

/* Between slow polls: a twin's own clock moves a tenth of the typical time; on hardware (and
 * a served twin, which completes an operation once the line is idle for 5 ms) the host sleeps. */
static void spinor_pause(spinor_bus *b, uint32_t typ_us)
{
	if (b->ops->delay)
		b->ops->delay(b->h, FK_MAX(typ_us / 10U, 50U));
	else
		spinor_sleep_us(SPINOR_POLL_SLEEP_US);
}

static uint64_t spinor_wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

/* W64 §7.1.1: BUSY is set while a program, erase or status write runs; only 05h (and suspend)
 * are answered meanwhile. Polls come back to back first (a page program takes ~0.4 ms), then
 * with sleeps between them (an erase takes tens of ms; an idle line also lets a served twin
 * complete the operation, see twin/spinor/serprog_serve.c). */
int spinor_wait(spinor_bus *b, const spinor_part *p, uint32_t typ_us, uint32_t max_us,
		const char *what)
{
	uint64_t t0 = spinor_wall_us(), deadline = t0 + (uint64_t)max_us * 2U + 2000000U;
	int busy_bit = p->bits[SPINOR_BUSY].bit;
	bool said = false; /* a wait over a second is said once (issue 13 class 16) */
	/* An erase (milliseconds to seconds): most of its typical time in one wait where the
	 * programmer can wait by itself (a CH341A queues it in front of the first poll; a twin
	 * moves its clock), then the polls. */
	if (b->ops->delay && typ_us >= 2000U)
		b->ops->delay(b->h, typ_us / 10U * 9U);
	for (unsigned n = 0;; n++) {
		uint8_t sr = 0;
		int rc = spinor_read_sr1(b, &sr);
		b->polls++;
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "waiting for %s", what);
		if (!((sr >> busy_bit) & 1U))
			return FK_OK;
		uint64_t now = spinor_wall_us();
		if (!said && now - t0 >= 1000000U) {
			fk_log(b->ctx, FK_LOG_INFO, FK_TRACE_FLASH, "waiting for %s: status register 1 "
			       "= 0x%02X, BUSY (typically %u ms, at most %u ms by the datasheet)", what,
			       sr, typ_us / 1000U, max_us / 1000U);
			said = true;
		}
		if (now > deadline) {
			fk_hint(b->ctx, "power-cycle the chip and check its supply; a chip that stays "
				"busy may be damaged");
			return fk_fail(b->ctx, FK_E_TIMEOUT, "%s: status register 1 = 0x%02X still "
				       "BUSY after %u ms (datasheet maximum %u ms)", what, sr,
				       max_us / 500U + 2000U, max_us / 1000U);
		}
		if (n >= SPINOR_FAST_POLLS)
			spinor_pause(b, typ_us);
	}
}

/* The registers 01h takes on this part to set register r (1 or 2 bytes). */
static size_t spinor_wrsr_frame(const spinor_part *p, unsigned r, uint8_t v,
				const uint8_t cur[SPINOR_NREGS], uint8_t q[3])
{
	if (r == SPINOR_SR3) {
		q[0] = SPINOR_OP_WRSR3, q[1] = v;
		return 2;
	}
	if (r == SPINOR_SR2 && (p->flags & SPINOR_F_WRSR2_31H)) {
		q[0] = SPINOR_OP_WRSR2, q[1] = v;
		return 2;
	}
	q[0] = SPINOR_OP_WRSR1;
	q[1] = r == SPINOR_SR1 ? v : cur[SPINOR_SR1];
	if (r == SPINOR_SR1 && !(p->flags & SPINOR_F_CR_15H))
		return 2; /* W64 §8.2.5: one byte writes SR1, SR2 unaffected */
	q[2] = r == SPINOR_SR2 ? v : cur[SPINOR_SR2]; /* MX64: 01h writes SR then CR */
	return 3;
}

int spinor_write_reg(spinor_bus *b, const spinor_part *p, unsigned r, uint8_t v, bool vol,
		     const uint8_t cur[SPINOR_NREGS])
{
	uint8_t q[3];
	if (r >= p->nregs)
		return fk_fail(b->ctx, FK_E_INTERNAL, "status register %u: the part has %u", r + 1,
			       p->nregs);
	if (vol && !(p->flags & SPINOR_F_VOLATILE_SR))
		return fk_fail(b->ctx, FK_E_UNSUPPORTED, "%s has no volatile status write (50h)",
			       p->name);
	if (r == SPINOR_SR2 && !(p->flags & (SPINOR_F_WRSR2_31H | SPINOR_F_WRSR_2BYTE)))
		return fk_fail(b->ctx, FK_E_UNSUPPORTED, "%s: status register 2 is not writable",
			       p->name);
	size_t n = spinor_wrsr_frame(p, r, v, cur, q);
	int rc = spinor_op1(b, vol ? SPINOR_OP_VSR_WREN : SPINOR_OP_WREN);
	if (!rc)
		rc = spinor_xfer(b, q, n, NULL, 0);
	if (!rc && !vol)
		rc = spinor_wait(b, p, p->typ.tw, p->max.tw, "the status register write");
	return rc ? fk_fail_wrap(b->ctx, rc, "writing status register %u = 0x%02X (%s, %02Xh)",
				 r + 1, v, vol ? "volatile" : "non-volatile", q[0])
		  : FK_OK;
}

int spinor_read(spinor_bus *b, uint32_t addr, uint8_t *buf, size_t n)
{
	uint8_t q[4];
	size_t done = 0;
	while (done < n) {
		size_t k = FK_MIN(n - done, b->max_r);
		spinor_addr(q, SPINOR_OP_READ, (uint32_t)(addr + done));
		int rc = spinor_xfer(b, q, 4, buf + done, k);
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "reading %zu bytes at 0x%06zX", k,
					    (size_t)addr + done);
		done += k;
		fk_progress_part(b->ctx, "read", done, n);
	}
	return FK_OK;
}

#define SPINOR_QPAGES 16U       /* pages per queued batch (a 4 KiB sector) */

/* One page the plain way: WREN, op (02h, or 42h for a security register), wait. */
static int spinor_page_op(spinor_bus *b, const spinor_part *p, uint8_t op, uint32_t a,
			  const uint8_t *data, size_t k, const char *what)
{
	spinor_addr(b->buf, op, a);
	memcpy(b->buf + 4, data, k);
	int rc = spinor_op1(b, SPINOR_OP_WREN);
	if (!rc)
		rc = spinor_xfer(b, b->buf, 4 + k, NULL, 0);
	if (!rc)
		rc = spinor_wait(b, p, p->typ.tpp, p->max.tpp, what);
	return rc;
}

static int spinor_program_page(spinor_bus *b, const spinor_part *p, uint32_t a,
			       const uint8_t *data, size_t k)
{
	return spinor_page_op(b, p, SPINOR_OP_PP, a, data, k, "the page program");
}

/* A page the batch could not vouch for (the chip was still busy with the page before it when
 * its WREN and 02h came, W64 §8: both then ignored): read it back; program it if it is still
 * erased where the data is not. */
static int spinor_program_recheck(spinor_bus *b, const spinor_part *p, uint32_t a,
				  const uint8_t *data, size_t k)
{
	uint8_t now[SPINOR_PAGE];
	int rc = spinor_read(b, a, now, k);
	if (rc || memcmp(now, data, k) == 0)
		return rc;
	for (size_t i = 0; i < k; i++)
		if (now[i] != 0xFF)
			return fk_fail(b->ctx, FK_E_VERIFY, "page 0x%06X: byte 0x%06zX reads 0x%02X, "
				       "neither erased nor the image's 0x%02X, after a page program "
				       "the chip may not have taken", a, a + i, now[i], data[i]);
	return spinor_program_page(b, p, a, data, k);
}

/* Queued page programming. Each page goes out as WREN, 02h, a wait inside the programmer
 * (fk_spi_ops.delay, queued: /CS rises first, so the program starts), and a status read of
 * SPINOR_QWIN bytes (W64 §8.2.4: 05h repeats SR1 while /CS stays low, BUSY live), all queued
 * and sent as one batch. After it, a page counts as programmed when the status read of the page
 * before it ended with BUSY clear: its WREN and 02h then found the chip idle (W64 §8: while
 * BUSY only 05h is taken). The wait is learnt from the chip: shorter while BUSY is already
 * clear at the first status byte, longer while it is still set at the second; a page still
 * busy at the end of its window lengthens it by a quarter and is checked again by reading it
 * back (spinor_program_recheck). */
#define SPINOR_QWIN 3U

static int spinor_program_queued(spinor_bus *b, const spinor_part *p, uint32_t addr,
				 const uint8_t *buf, size_t n)
{
	const fk_spi_ops *o = b->ops;
	int busy_bit = p->bits[SPINOR_BUSY].bit;
	uint8_t st[SPINOR_QPAGES][SPINOR_QWIN];
	if (!b->st_wait_us)
		b->st_wait_us = p->typ.tpp * 3U / 4U;
	int rc = FK_OK;
	size_t done = 0;
	while (rc == FK_OK && done < n) {
		uint32_t pa[SPINOR_QPAGES];
		size_t pk[SPINOR_QPAGES], poff[SPINOR_QPAGES];
		unsigned np = 0;
		uint32_t wait = b->st_wait_us;
		for (size_t q = done; np < SPINOR_QPAGES && q < n && rc == FK_OK; np++) {
			uint32_t a = (uint32_t)(addr + q);
			size_t k = FK_MIN(n - q, SPINOR_PAGE - (a % SPINOR_PAGE));
			k = FK_MIN(k, b->max_w - 4);
			pa[np] = a, pk[np] = k, poff[np] = q;
			uint8_t pp[4 + SPINOR_PAGE];
			spinor_addr(pp, SPINOR_OP_PP, a);
			memcpy(pp + 4, buf + q, k);
			const uint8_t wren = SPINOR_OP_WREN, rdsr = SPINOR_OP_RDSR1;
			rc = o->xfer_queued(b->h, b->ctx, &wren, 1, NULL, 0);
			if (!rc)
				rc = o->xfer_queued(b->h, b->ctx, pp, 4 + k, NULL, 0);
			if (!rc) {
				o->delay(b->h, wait);
				rc = o->xfer_queued(b->h, b->ctx, &rdsr, 1, st[np], SPINOR_QWIN);
			}
			q += k;
		}
		if (!rc)
			rc = o->flush(b->h, b->ctx);
		if (rc)
			break;
		bool prev_idle = true;
		unsigned early = 0, late = 0, missed = 0;
		for (unsigned i = 0; i < np && rc == FK_OK; i++) {
			unsigned busy = 0;
			while (busy < SPINOR_QWIN && ((st[i][busy] >> busy_bit) & 1U))
				busy++;
			bool trusted = prev_idle;
			if (!trusted) { /* its WREN and 02h may have met a busy chip: read it back */
				b->queued_misses++;
				rc = spinor_wait(b, p, p->typ.tpp, p->max.tpp, "the page program");
				if (!rc)
					rc = spinor_program_recheck(b, p, pa[i], buf + poff[i], pk[i]);
			}
			/* what came after it depends on where its own window ended */
			prev_idle = busy < SPINOR_QWIN;
			missed += !prev_idle;
			early += trusted && busy == 0;
			late += trusted && busy >= 2 && busy < SPINOR_QWIN;
		}
		if (rc == FK_OK && !prev_idle) /* the last page still running */
			rc = spinor_wait(b, p, p->typ.tpp, p->max.tpp, "the page program");
		fk_log(b->ctx, FK_LOG_DEBUG, FK_TRACE_FLASH, "queued program 0x%06X: %u pages, wait "
		       "%u us: %u outlasted it, %u idle at once, %u late", pa[0], np, wait, missed,
		       early, late);
		if (missed)
			b->st_wait_us = wait + wait / 4U + 16U;
		else if (late)
			b->st_wait_us = wait + 4U;
		else if (early && wait > 8U)
			b->st_wait_us = wait - 4U;
		b->st_wait_us = FK_MIN(b->st_wait_us, p->max.tpp);
		for (unsigned i = 0; i < np; i++)
			done += pk[i];
		if (rc)
			rc = fk_fail_wrap(b->ctx, rc, "programming %zu bytes at 0x%06X", n,
					  (unsigned)addr);
	}
	return rc;
}

int spinor_program(spinor_bus *b, const spinor_part *p, uint32_t addr, const uint8_t *buf,
		   size_t n)
{
	if (b->ops->xfer_queued && b->ops->flush && b->ops->delay)
		return spinor_program_queued(b, p, addr, buf, n);
	size_t done = 0;
	while (done < n) {
		uint32_t a = (uint32_t)(addr + done);
		size_t k = FK_MIN(n - done, SPINOR_PAGE - (a % SPINOR_PAGE));
		k = FK_MIN(k, b->max_w - 4);
		int rc = spinor_program_page(b, p, a, buf + done, k);
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "programming %zu bytes at 0x%06X", k, a);
		done += k;
	}
	return FK_OK;
}

int spinor_erase_op(spinor_bus *b, const spinor_part *p, uint8_t op, uint32_t addr)
{
	uint8_t q[4];
	size_t n = 4;
	uint32_t typ = p->typ.tse, max = p->max.tse;
	if (op == SPINOR_OP_BE32)
		typ = p->typ.tbe32, max = p->max.tbe32;
	else if (op == SPINOR_OP_BE64)
		typ = p->typ.tbe64, max = p->max.tbe64;
	else if (op == SPINOR_OP_CE)
		typ = p->typ.tce, max = p->max.tce, n = 1;
	spinor_addr(q, op, addr);
	int rc = spinor_op1(b, SPINOR_OP_WREN);
	if (!rc)
		rc = spinor_xfer(b, q, n, NULL, 0);
	if (!rc)
		rc = spinor_wait(b, p, typ, max, "the erase");
	if (rc && op == SPINOR_OP_CE)
		return fk_fail_wrap(b->ctx, rc, "chip erase (C7h)");
	return rc ? fk_fail_wrap(b->ctx, rc, "erase %02Xh at 0x%06X", op, addr) : FK_OK;
}

int spinor_op(spinor_bus *b, uint8_t op)
{
	return spinor_op1(b, op);
}

int spinor_read_lock(spinor_bus *b, uint32_t addr, bool *locked)
{
	uint8_t q[4], v = 0;
	spinor_addr(q, SPINOR_OP_RDLOCK, addr);
	int rc = spinor_xfer(b, q, 4, &v, 1);
	if (rc)
		return fk_fail_wrap(b->ctx, rc, "reading the block lock (3Dh) at 0x%06X", addr);
	*locked = (v & 1U) != 0;
	return FK_OK;
}

int spinor_secreg_read(spinor_bus *b, const spinor_part *p, unsigned n, uint8_t *buf, size_t len)
{
	int rc;
	if (p->flags & SPINOR_F_MX_OTP) {
		rc = spinor_op1(b, 0xB1); /* ENSO */
		if (!rc)
			rc = spinor_read(b, 0, buf, len);
		int rc2 = spinor_op1(b, 0xC1); /* EXSO, whatever happened */
		rc = rc ? rc : rc2;
		return rc ? fk_fail_wrap(b->ctx, rc, "reading the secured OTP area (B1h, 03h, C1h)")
			  : FK_OK;
	}
	uint8_t q[5];
	size_t done = 0;
	while (done < len) {
		size_t k = FK_MIN(len - done, b->max_r);
		spinor_addr(q, SPINOR_OP_RDSEC, (uint32_t)(n << 12) + (uint32_t)done);
		q[4] = 0; /* 8 dummy clocks */
		rc = spinor_xfer(b, q, 5, buf + done, k);
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "reading security register %u (48h)", n);
		done += k;
	}
	return FK_OK;
}

int spinor_secreg_program(spinor_bus *b, const spinor_part *p, unsigned n, unsigned off,
			  const uint8_t *buf, size_t len)
{
	int rc;
	if (p->flags & SPINOR_F_MX_OTP) {
		rc = spinor_op1(b, 0xB1); /* ENSO: 02h now programs the secured OTP area */
		if (!rc)
			rc = spinor_program(b, p, off, buf, len);
		int rc2 = spinor_op1(b, 0xC1); /* EXSO, whatever happened */
		rc = rc ? rc : rc2;
		return rc ? fk_fail_wrap(b->ctx, rc, "programming the secured OTP area (B1h, 02h, "
					 "C1h)") : FK_OK;
	}
	size_t done = 0;
	while (done < len) {
		uint32_t a = (uint32_t)(n << 12) + off + (uint32_t)done;
		size_t k = FK_MIN(len - done, SPINOR_PAGE - (a % SPINOR_PAGE));
		k = FK_MIN(k, b->max_w - 4);
		rc = spinor_page_op(b, p, SPINOR_OP_PPSEC, a, buf + done, k,
				    "the security register program");
		if (rc)
			return fk_fail_wrap(b->ctx, rc, "programming %zu bytes of security register %u "
					    "(42h at 0x%06X)", k, n, a);
		done += k;
	}
	return FK_OK;
}

int spinor_mx_rdscur(spinor_bus *b, uint8_t *scur)
{
	const uint8_t op = 0x2B; /* RDSCUR (MX64) */
	int rc = spinor_xfer(b, &op, 1, scur, 1);
	return rc ? fk_fail_wrap(b->ctx, rc, "reading the security register (RDSCUR 2Bh)") : FK_OK;
}

int spinor_mx_wrscur(spinor_bus *b, const spinor_part *p)
{
	int rc = spinor_op1(b, SPINOR_OP_WREN);
	if (!rc)
		rc = spinor_op1(b, 0x2F); /* WRSCUR: LDSO := 1 */
	if (!rc)
		rc = spinor_wait(b, p, p->typ.tw, p->max.tw, "the security register write");
	return rc ? fk_fail_wrap(b->ctx, rc, "writing the security register (WREN, WRSCUR 2Fh)")
		  : FK_OK;
}
