/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ADIv5 DP and MEM-AP client (see adiv5.h for the API and sources).
 *
 * Posted reads (ADIv5.2 §B4.1.4): on a raw wire (FK_DAP_POSTED_READS) an AP read returns the
 * previous AP read's result, so a batch reads N registers with N AP reads and one RDBUFF read;
 * the queue routes each result to its destination. Writes are posted too: a batch of writes
 * ends with an RDBUFF read, which answers WAIT until the last write completed and FAULT if any
 * failed (§B4.2.4), so no error goes unseen.
 * Block transfers are split where TAR auto-increment is no longer guaranteed (§C2.2.2: 1 KiB). */
#include "debug/adiv5.h"

#include <string.h>
#include <time.h>

#include "core/core.h"

#define ADI_CSW_BASE 0x23000000u /* HPROT data+privileged, debug master (STM32F4 reset value) */
#define ADI_CSW_INC_SINGLE 0x10u
#define ADI_ABORT_CLEAR_ALL 0x1Eu
#define ADI_MAX_RETRIES 1000000u /* safety net beside the time bound */

static const uint8_t adi_seq_jtag_to_swd[] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* >= 50 ones */
	0x9E, 0xE7,                               /* 0xE79E, LSB first (§B5.2.2) */
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* line reset */
	0x00,                                     /* idle cycles */
};

void adi_init(adi_dap *a, const fk_dap_ops *ops, void *h)
{
	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->h = h;
	a->autoinc_block = 1024;
	/* A stalled AHB access legitimately lasts as long as the flash operation behind it
	 * (RM0090 §3.6.5); a mass erase takes up to 32 s (DS8626 tME max at x8). */
	a->wait_ns = 35000000000ull;
}

uint64_t adi_now_ns(const adi_dap *a)
{
	struct timespec ts;
	if (a->ops->virtual_ns)
		return a->ops->virtual_ns(a->h);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void adi_delay_us(adi_dap *a, unsigned us)
{
	if (a->ops->virtual_ns)
		return; /* a twin's clock advances with the wire traffic of the next poll */
	struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000L};
	nanosleep(&ts, NULL);
}

static void adi_forget(adi_dap *a)
{
	a->select_valid = a->csw_valid = a->tar_valid = false;
}

/* ---------------------------------------------------------------- queue */

void adi_q_init(adi_queue *q)
{
	q->n = 0;
	q->ap_read_open = false;
}

static void adi_q_push(adi_queue *q, bool ap, bool rnw, uint8_t addr, uint32_t v, uint32_t *dst)
{
	fk_dap_xfer *x = &q->x[q->n];
	x->ap = ap;
	x->rnw = rnw;
	x->addr = addr;
	x->ack = 0;
	x->data = v;
	q->dst[q->n++] = dst;
}

void adi_q_dp(adi_dap *a, adi_queue *q, bool rnw, uint8_t addr, uint32_t wval, uint32_t *dst)
{
	(void)a;
	adi_q_push(q, false, rnw, addr, wval, dst);
	if (rnw && addr == FK_DP_RDBUFF)
		q->ap_read_open = false;
}

static void adi_q_select(adi_dap *a, adi_queue *q, uint8_t reg)
{
	uint32_t sel = (uint32_t)(reg & 0xF0u); /* APSEL 0, APBANKSEL, DPBANKSEL 0 */
	if (a->select_valid && a->select == sel)
		return;
	adi_q_push(q, false, false, FK_DP_SELECT, sel, NULL);
	a->select = sel;
	a->select_valid = true;
}

void adi_q_ap(adi_dap *a, adi_queue *q, bool rnw, uint8_t reg, uint32_t wval, uint32_t *dst)
{
	adi_q_select(a, q, reg);
	adi_q_push(q, true, rnw, (uint8_t)(reg & 0xCu), wval, dst);
	if (rnw && (a->ops->flags & FK_DAP_POSTED_READS))
		q->ap_read_open = true;
}

/* Posted results: each AP read's value arrives with the next AP read or RDBUFF read. */
static void adi_q_deliver(const adi_dap *a, adi_queue *q)
{
	bool posted = a->ops->flags & FK_DAP_POSTED_READS;
	uint32_t **waiting = NULL;
	for (unsigned i = 0; i < q->n; i++) {
		fk_dap_xfer *x = &q->x[i];
		if (!x->rnw)
			continue;
		if (!posted || (!x->ap && x->addr != FK_DP_RDBUFF)) {
			if (q->dst[i])
				*q->dst[i] = x->data;
			continue;
		}
		if (waiting && *waiting)
			**waiting = x->data;
		waiting = x->ap ? &q->dst[i] : NULL;
		if (!x->ap && q->dst[i])
			*q->dst[i] = x->data;
	}
}

/* One transaction without retries: used on error paths, which must not recurse. */
static int adi_raw(adi_dap *a, fk_ctx *ctx, bool rnw, uint8_t addr, uint32_t *val)
{
	fk_dap_xfer x = {.ap = 0, .rnw = rnw, .addr = addr, .data = *val};
	unsigned done = 0;
	int rc = a->ops->transfer(a->h, ctx, &x, 1, &done);
	if (rc < 0)
		return rc;
	if (done != 1 || x.ack != FK_DAP_ACK_OK)
		return FK_E_PROTOCOL;
	*val = x.data;
	return 0;
}

static int adi_q_fault(adi_dap *a, fk_ctx *ctx, const fk_dap_xfer *x)
{
	uint32_t ctrl = 0;
	a->faults++;
	adi_forget(a);
	if (adi_raw(a, ctx, true, FK_DP_CTRL_STAT, &ctrl) == 0)
		adi_clear_sticky(a, ctx);
	if (ctrl & ADI_CTRL_STICKYORUN)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s access 0x%X: FAULT (CTRL/STAT 0x%08X: "
			       "STICKYORUN, overrun)", x->ap ? "AP" : "DP", x->addr, ctrl);
	return fk_fail(ctx, FK_E_BUS_FAULT, "%s access 0x%X: FAULT (CTRL/STAT 0x%08X%s)",
		       x->ap ? "AP" : "DP", x->addr, ctrl,
		       (ctrl & ADI_CTRL_STICKYERR) ? ": STICKYERR, the AHB access failed" : "");
}

static int adi_q_bad_ack(adi_dap *a, fk_ctx *ctx, const fk_dap_xfer *x)
{
	adi_forget(a);
	a->silent = x->ack == FK_DAP_ACK_NONE;
	if (a->silent) {
		fk_hint(ctx, "check the wiring, the target power and the SWD clock; a chip at RDP "
			"level 2 never answers; try --connect=under-reset if the firmware "
			"reuses the SWD pins");
		return fk_fail(ctx, FK_E_PROTOCOL, "%s %s 0x%X: no answer from the target (ACK "
			       "0b111)", x->ap ? "AP" : "DP", x->rnw ? "read" : "write", x->addr);
	}
	return fk_fail(ctx, FK_E_PROTOCOL, "%s %s 0x%X: invalid ACK 0b%u%u%u",
		       x->ap ? "AP" : "DP", x->rnw ? "read" : "write", x->addr,
		       (x->ack >> 2) & 1u, (x->ack >> 1) & 1u, x->ack & 1u);
}

int adi_q_run(adi_dap *a, fk_ctx *ctx, adi_queue *q)
{
	unsigned start = 0, retries = 0;
	uint64_t t0 = 0;
	if (q->ap_read_open)
		adi_q_dp(a, q, true, FK_DP_RDBUFF, 0, NULL);
	while (start < q->n) {
		unsigned done = 0;
		int rc = a->ops->transfer(a->h, ctx, q->x + start, q->n - start, &done);
		if (rc < 0) {
			adi_forget(a);
			return rc;
		}
		if (done > q->n - start)
			return fk_fail(ctx, FK_E_PROTOCOL, "DAP transport reported %u of %u "
				       "transfers done", done, q->n - start);
		start += done;
		if (start == q->n)
			break;
		const fk_dap_xfer *x = &q->x[start];
		if (x->ack == FK_DAP_ACK_FAULT)
			return adi_q_fault(a, ctx, x);
		if (x->ack != FK_DAP_ACK_WAIT)
			return adi_q_bad_ack(a, ctx, x);
		a->waits++;
		if (retries++ == 0)
			t0 = adi_now_ns(a);
		else if (adi_now_ns(a) - t0 > a->wait_ns || retries > ADI_MAX_RETRIES) {
			uint32_t abort = 1; /* DAPABORT: give up the access */
			adi_forget(a);
			adi_raw(a, ctx, false, FK_DP_ABORT, &abort);
			fk_hint(ctx, "the target bus stayed busy; power-cycle the board if it persists");
			return fk_fail(ctx, FK_E_TIMEOUT, "%s access 0x%X: target answered WAIT for "
				       "%llu ms (%u retries)", x->ap ? "AP" : "DP", x->addr,
				       (unsigned long long)(a->wait_ns / 1000000u), retries);
		}
		if (retries > 16)
			adi_delay_us(a, 1000); /* hardware: do not hammer a stalled bus */
	}
	adi_q_deliver(a, q);
	return 0;
}

/* ---------------------------------------------------------------- registers */

/* One DP or AP register access as a queue of one. */
static int adi_reg1(adi_dap *a, fk_ctx *ctx, bool ap, bool rnw, uint8_t reg, uint32_t wval,
		    uint32_t *rval)
{
	adi_queue q;
	adi_q_init(&q);
	if (ap)
		adi_q_ap(a, &q, rnw, reg, wval, rval);
	else
		adi_q_dp(a, &q, rnw, reg, wval, rval);
	return adi_q_run(a, ctx, &q);
}

int adi_dp_read(adi_dap *a, fk_ctx *ctx, uint8_t addr, uint32_t *val)
{
	return adi_reg1(a, ctx, false, true, addr, 0, val);
}

int adi_dp_write(adi_dap *a, fk_ctx *ctx, uint8_t addr, uint32_t val)
{
	return adi_reg1(a, ctx, false, false, addr, val, NULL);
}

int adi_ap_read(adi_dap *a, fk_ctx *ctx, uint8_t reg, uint32_t *val)
{
	return adi_reg1(a, ctx, true, true, reg, 0, val);
}

int adi_ap_write(adi_dap *a, fk_ctx *ctx, uint8_t reg, uint32_t val)
{
	return adi_reg1(a, ctx, true, false, reg, val, NULL);
}

int adi_clear_sticky(adi_dap *a, fk_ctx *ctx)
{
	fk_dap_xfer x = {.ap = 0, .rnw = 0, .addr = FK_DP_ABORT, .data = ADI_ABORT_CLEAR_ALL};
	unsigned done = 0;
	int rc;
	adi_forget(a);
	if (a->ops->flags & FK_DAP_JTAG) { /* §B3: W1C in CTRL/STAT */
		x.addr = FK_DP_CTRL_STAT;
		x.data = ADI_CTRL_CDBGPWRUPREQ | ADI_CTRL_CSYSPWRUPREQ | ADI_CTRL_STICKYERR |
			 ADI_CTRL_STICKYCMP | ADI_CTRL_STICKYORUN | ADI_CTRL_WDATAERR;
	}
	rc = a->ops->transfer(a->h, ctx, &x, 1, &done);
	if (rc < 0)
		return rc;
	if (done != 1)
		return fk_fail(ctx, FK_E_PROTOCOL, "clearing sticky flags: ACK 0x%X", x.ack);
	return 0;
}

/* ---------------------------------------------------------------- connect */

static int adi_power_up(adi_dap *a, fk_ctx *ctx)
{
	const uint32_t req = ADI_CTRL_CDBGPWRUPREQ | ADI_CTRL_CSYSPWRUPREQ;
	const uint32_t ack = ADI_CTRL_CDBGPWRUPACK | ADI_CTRL_CSYSPWRUPACK;
	uint32_t ctrl = 0;
	uint64_t t0 = adi_now_ns(a);
	int rc = adi_dp_write(a, ctx, FK_DP_CTRL_STAT, req);
	while (rc == 0) {
		rc = adi_dp_read(a, ctx, FK_DP_CTRL_STAT, &ctrl);
		if (rc == 0 && (ctrl & ack) == ack)
			return 0;
		if (adi_now_ns(a) - t0 > 100000000ull) {
			fk_hint(ctx, "the debug power domain did not come up: check the target supply");
			return fk_fail(ctx, FK_E_TIMEOUT, "DP CTRL/STAT 0x%08X: CDBGPWRUPACK/"
				       "CSYSPWRUPACK not set after 100 ms", ctrl);
		}
		adi_delay_us(a, 100);
	}
	return fk_fail_wrap(ctx, rc, "powering up the debug domain (CTRL/STAT)");
}

static int adi_find_ahb_ap(adi_dap *a, fk_ctx *ctx)
{
	int rc = adi_ap_read(a, ctx, ADI_AP_IDR, &a->ap_idr);
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "reading AP 0 IDR");
	/* AHB3 (0x04770001) or AHB5 (0x04770005) MEM-AP by Arm (probes.md §3.6) */
	if ((a->ap_idr & 0x0FFFE00Bu) != 0x04770001u) {
		fk_hint(ctx, "this target's AP 0 is not an AHB-AP: not a Cortex-M chip flashkey knows");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "AP 0 IDR 0x%08X is not an AHB MEM-AP",
			       a->ap_idr);
	}
	return 0;
}

/* ADIv5 §C2.6.2 (IDR at 0xFC of each AP), §B2.2.9 (SELECT.APSEL in bits 31:24): the APs are
 * scanned from 0 until an IDR reads 0, as debuggers do; at most max of them. */
int adi_ap_scan(adi_dap *a, fk_ctx *ctx, uint8_t *apsel, uint32_t *idr, unsigned max, unsigned *n)
{
	*n = 0;
	unsigned gap = 0; /* APs in a row whose IDR read 0 */
	for (unsigned sel = 0; *n < max && sel < 256; sel++) {
		uint32_t v = 0, word = (uint32_t)sel << 24 | (ADI_AP_IDR & 0xF0u);
		adi_queue q;
		adi_q_init(&q);
		adi_q_push(&q, false, false, FK_DP_SELECT, word, NULL);
		adi_q_push(&q, true, true, ADI_AP_IDR & 0xCu, 0, &v);
		if (a->ops->flags & FK_DAP_POSTED_READS)
			q.ap_read_open = true;
		a->select_valid = false; /* the next access selects AP 0 again */
		int rc = adi_q_run(a, ctx, &q);
		a->select_valid = false;
		if (rc < 0)
			return fk_fail_wrap(ctx, rc, "reading the IDR of AP %u", sel);
		if (!v) { /* an absent AP; one more may follow before the next that exists (the
			   * LPC55S69's debug mailbox is AP 2: pyOCD scans past up to 3 such) */
			if (++gap == ADI_AP_SCAN_GAP)
				break;
			continue;
		}
		gap = 0;
		apsel[*n] = (uint8_t)sel;
		idr[(*n)++] = v;
	}
	return 0;
}

static int adi_apx(adi_dap *a, fk_ctx *ctx, uint8_t apsel, uint8_t reg, bool rnw, uint32_t *val)
{
	adi_queue q;
	uint32_t v = rnw ? 0 : *val;
	adi_q_init(&q);
	adi_q_push(&q, false, false, FK_DP_SELECT, (uint32_t)apsel << 24 | (reg & 0xF0u), NULL);
	adi_q_push(&q, true, rnw, reg & 0xCu, v, rnw ? val : NULL);
	if (rnw && (a->ops->flags & FK_DAP_POSTED_READS))
		q.ap_read_open = true;
	a->select_valid = false;
	int rc = adi_q_run(a, ctx, &q);
	a->select_valid = false;
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "%s AP %u register 0x%02X", rnw ? "reading" : "writing",
				    apsel, reg);
	return 0;
}

int adi_apx_read(adi_dap *a, fk_ctx *ctx, uint8_t apsel, uint8_t reg, uint32_t *val)
{
	return adi_apx(a, ctx, apsel, reg, true, val);
}

int adi_apx_write(adi_dap *a, fk_ctx *ctx, uint8_t apsel, uint8_t reg, uint32_t val)
{
	return adi_apx(a, ctx, apsel, reg, false, &val);
}

int adi_connect(adi_dap *a, fk_ctx *ctx)
{
	int rc = adi_connect_dp(a, ctx);
	if (rc == 0)
		rc = adi_find_ahb_ap(a, ctx);
	return rc;
}

int adi_connect_dp(adi_dap *a, fk_ctx *ctx)
{
	int rc = 0;
	adi_forget(a);
	if (a->ops->swj_sequence)
		rc = a->ops->swj_sequence(a->h, ctx, adi_seq_jtag_to_swd,
					  (unsigned)sizeof(adi_seq_jtag_to_swd) * 8);
	a->silent = false;
	if (rc == 0)
		rc = adi_dp_read(a, ctx, FK_DP_DPIDR, &a->dpidr);
	if (rc < 0 && a->silent) {
		/* A DP that never drives an ACK looks the same whether the chip is unpowered, not
		 * wired, has its SWD pins taken by firmware, or has debug off for good (STM32 RDP
		 * level 2, RM0090 §3.7.3): no connection (exit 3), with every cause named. */
		/* the hint buffer holds 255 bytes (lib/core/core.h) */
		fk_hint(ctx, "check the target power and SWD wiring; retry with --connect="
			     "under-reset; then the ROM bootloader (BOOT0=1, -c uart:PORT): it is off "
			     "at RDP 2 too, so both silent on good wiring means level 2; an LPC's ISP "
			     "(-c lpc:PORT) works at CRP1/2; `flashkey doctor`");
		return fk_fail_wrap(ctx, FK_E_CONNECT, "no answer from the SW-DP: no power, no wiring, "
				    "SWD pins reused by firmware, or debug off for good (RDP level 2, "
				    "RM0090 §3.7.3) or by LPC CRP1-3 (UM10360 §32.6); silence cannot "
				    "tell these apart");
	}
	if (rc < 0)
		return fk_fail_wrap(ctx, FK_E_CONNECT, "reading DPIDR after a line reset");
	if (!(a->dpidr & 1u))
		return fk_fail(ctx, FK_E_PROTOCOL, "DPIDR 0x%08X: bit 0 (RAO) reads 0", a->dpidr);
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_ADI, "DPIDR 0x%08X", a->dpidr);
	rc = adi_clear_sticky(a, ctx);
	if (rc == 0)
		rc = adi_power_up(a, ctx);
	return rc;
}

/* ---------------------------------------------------------------- memory */

static void adi_q_csw(adi_dap *a, adi_queue *q, unsigned width)
{
	uint32_t csw = ADI_CSW_BASE | ADI_CSW_INC_SINGLE | (width == 4 ? 2u : width == 2 ? 1u : 0u);
	if (a->csw_valid && a->csw == csw)
		return;
	adi_q_ap(a, q, false, ADI_AP_CSW, csw, NULL);
	a->csw = csw;
	a->csw_valid = true;
}

static void adi_q_tar(adi_dap *a, adi_queue *q, uint32_t addr)
{
	if (a->tar_valid && a->tar == addr)
		return;
	adi_q_ap(a, q, false, ADI_AP_TAR, addr, NULL);
	a->tar = addr;
	a->tar_valid = true;
}

/* Bytes that can go in one batch from addr: to the auto-increment boundary, at most a block. */
static uint32_t adi_chunk(const adi_dap *a, uint32_t addr, uint32_t len, unsigned width)
{
	uint32_t to_edge = a->autoinc_block - (addr & (a->autoinc_block - 1u));
	uint32_t n = FK_MIN(len, to_edge);
	uint32_t max = (ADI_QMAX - 8u) * width;
	return FK_MIN(n, max);
}

static void adi_after_block(adi_dap *a, uint32_t end)
{
	a->tar = end;
	a->tar_valid = (end & (a->autoinc_block - 1u)) != 0; /* past the edge TAR may have wrapped */
}

static int adi_fault_address(adi_dap *a, fk_ctx *ctx, int rc, const char *what, uint32_t addr,
			     uint32_t n, unsigned width)
{
	uint32_t tar = addr;
	if (rc != FK_E_BUS_FAULT)
		return fk_fail_wrap(ctx, rc, "MEM-AP %s 0x%08X..0x%08X", what, addr, addr + n - 1);
	/* TAR does not advance on a faulted transfer: it names the failing address. */
	if (adi_ap_read(a, ctx, ADI_AP_TAR, &tar) < 0)
		return fk_fail_wrap(ctx, FK_E_BUS_FAULT, "MEM-AP %s 0x%08X..0x%08X", what, addr,
				    addr + n - 1);
	adi_forget(a);
	return fk_fail_wrap(ctx, FK_E_BUS_FAULT, "MEM-AP %u-bit %s at 0x%08X: bus error", width * 8,
			    what, tar);
}

static void adi_unpack(uint8_t *out, const uint32_t *words, uint32_t addr, uint32_t n,
		       unsigned width)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = addr + i * width;
		uint32_t v = words[i] >> (width == 4 ? 0 : 8 * (a & 3u));
		for (unsigned b = 0; b < width; b++)
			out[i * width + b] = (uint8_t)(v >> (8 * b));
	}
}

static int adi_read_block(adi_dap *a, fk_ctx *ctx, uint32_t addr, uint8_t *out, uint32_t n,
			  unsigned width)
{
	adi_queue q;
	uint32_t words[ADI_QMAX];
	uint32_t count = n / width;
	adi_q_init(&q);
	adi_q_csw(a, &q, width);
	adi_q_tar(a, &q, addr);
	for (uint32_t i = 0; i < count; i++)
		adi_q_ap(a, &q, true, ADI_AP_DRW, 0, &words[i]);
	int rc = adi_q_run(a, ctx, &q);
	if (rc < 0)
		return adi_fault_address(a, ctx, rc, "read", addr, n, width);
	adi_unpack(out, words, addr, count, width);
	adi_after_block(a, addr + n);
	return 0;
}

int adi_mem_read(adi_dap *a, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len, unsigned width)
{
	uint8_t *out = buf;
	if ((width != 1 && width != 2 && width != 4) || (addr % width) || (len % width))
		return fk_fail(ctx, FK_E_INVALID_ARG, "MEM-AP read 0x%08X+%u: width %u misaligned",
			       addr, len, width);
	while (len) {
		uint32_t n = adi_chunk(a, addr, len, width);
		int rc = adi_read_block(a, ctx, addr, out, n, width);
		if (rc < 0)
			return rc;
		addr += n;
		out += n;
		len -= n;
	}
	return 0;
}

static uint32_t adi_pack(const uint8_t *in, uint32_t addr, unsigned width)
{
	uint32_t v = 0;
	for (unsigned b = 0; b < width; b++)
		v |= (uint32_t)in[b] << (8 * b);
	return width == 4 ? v : v << (8 * (addr & 3u)); /* byte lanes (§C2.6.5) */
}

static int adi_write_block(adi_dap *a, fk_ctx *ctx, uint32_t addr, const uint8_t *in,
			   uint32_t n, unsigned width)
{
	adi_queue q;
	adi_q_init(&q);
	adi_q_csw(a, &q, width);
	adi_q_tar(a, &q, addr);
	for (uint32_t i = 0; i < n / width; i++)
		adi_q_ap(a, &q, false, ADI_AP_DRW, adi_pack(in + i * width, addr + i * width, width),
			 NULL);
	adi_q_dp(a, &q, true, FK_DP_RDBUFF, 0, NULL); /* completes or reports the last write */
	int rc = adi_q_run(a, ctx, &q);
	if (rc < 0)
		return adi_fault_address(a, ctx, rc, "write", addr, n, width);
	adi_after_block(a, addr + n);
	return 0;
}

int adi_mem_write(adi_dap *a, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		  unsigned width)
{
	const uint8_t *in = buf;
	if ((width != 1 && width != 2 && width != 4) || (addr % width) || (len % width))
		return fk_fail(ctx, FK_E_INVALID_ARG, "MEM-AP write 0x%08X+%u: width %u misaligned",
			       addr, len, width);
	while (len) {
		uint32_t n = adi_chunk(a, addr, len, width);
		int rc = adi_write_block(a, ctx, addr, in, n, width);
		if (rc < 0)
			return rc;
		addr += n;
		in += n;
		len -= n;
	}
	return 0;
}

int adi_read32(adi_dap *a, fk_ctx *ctx, uint32_t addr, uint32_t *val)
{
	uint8_t b[4];
	int rc = adi_mem_read(a, ctx, addr, b, 4, 4);
	if (rc == 0)
		*val = fk_get_le32(b);
	return rc;
}

int adi_write32(adi_dap *a, fk_ctx *ctx, uint32_t addr, uint32_t val)
{
	uint8_t b[4];
	fk_put_le32(b, val);
	return adi_mem_write(a, ctx, addr, b, 4, 4);
}
