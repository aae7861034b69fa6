/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's DP and AHB-AP at transaction level (see dap_core.h for the API and sources).
 *
 * DP: ADIv5.2 §B2.2 (DPIDR, ABORT, CTRL/STAT, SELECT, RDBUFF, DLCR), §B4.2 (SW-DP: FAULT and WAIT
 * rules, line reset state), §B3.3 (JTAG-DP: sticky flags are write-1-to-clear in CTRL/STAT).
 * MEM-AP: ADIv5.2 §C2.6 (CSW, TAR, DRW, BD0-3, CFG, BASE, IDR), §C2.2.2 (auto-increment).
 *
 * Choices where the sources leave room (UNCONFIRMED):
 * - packed transfers are not implemented: CSW.AddrInc written as 0b10 reads back 0b00, which is
 *   how a debugger detects the lack of support (probes.md §3.6);
 * - TAR auto-increments within 4 KiB (TAR[11:0]) as the Cortex-M4 AHB-AP does (OpenOCD's
 *   CORTEX_M_F_TAR_AUTOINCR_BLOCK_4K); ADIv5 only guarantees 1 KiB, which is what clients use;
 * - an unaligned TAR is aligned down to the transfer size;
 * - BD0-BD3 are word accesses whatever CSW.Size says;
 * - while a sticky flag is set an RDBUFF read also answers FAULT (§B4.2.4 lists only DPIDR and
 *   CTRL/STAT reads and ABORT writes as exempt);
 * - the debugger "connects" (intrusion latch) at the first transaction the DP answers. */
#include "debug/dap_core.h"

#include <stdlib.h>

#include "debug/cm4.h"

#define CTRL_ORUNDETECT (1u << 0)
#define CTRL_STICKYORUN (1u << 1)
#define CTRL_STICKYCMP (1u << 4)
#define CTRL_STICKYERR (1u << 5)
#define CTRL_WDATAERR (1u << 7)
#define CTRL_STICKY (CTRL_STICKYORUN | CTRL_STICKYCMP | CTRL_STICKYERR | CTRL_WDATAERR)
#define CTRL_RW_MASK 0x543FFF0Du /* ORUNDETECT, TRNMODE, MASKLANE, TRNCNT, *REQ bits */
#define ABORT_DAPABORT (1u << 0)
#define ABORT_STKCMPCLR (1u << 1)
#define ABORT_STKERRCLR (1u << 2)
#define ABORT_WDERRCLR (1u << 3)
#define ABORT_ORUNERRCLR (1u << 4)
#define CSW_SIZE_MASK 0x7u
#define CSW_ADDRINC_MASK 0x30u
#define CSW_ADDRINC_SINGLE 0x10u
#define CSW_DEVICEEN (1u << 6)
#define CSW_RW_MASK 0xFF000F37u
#define AP_CSW 0x00u
#define AP_TAR 0x04u
#define AP_DRW 0x0Cu
#define AP_BD0 0x10u
#define AP_CFG 0xF4u
#define AP_BASE 0xF8u
#define AP_IDR 0xFCu

typedef struct dap_pending {
	bool active;
	bool rnw;
	bool incr; /* a DRW access: TAR advances when it completes */
	uint32_t addr;
	unsigned size;
	uint32_t wdata; /* already lane-extracted */
} dap_pending;

struct tw_dap {
	const tw_dap_bus *bus;
	void *h;
	tw_dap_wire wire;
	bool reset_state; /* SWD line reset seen, DPIDR not yet read */
	bool attached;
	uint32_t ctrl, select, dlcr, rdbuff;
	uint32_t csw, tar;
	dap_pending pend;
	tw_cm4 cm;
	tw_dap_ids ids;
	uint32_t hz;
	uint64_t bits;
	uint64_t unpaid; /* cycles clocked but not yet charged to the chip's clock */
	uint64_t ns_rem; /* remainder of bits * 1e9 / hz not yet charged */
	uint32_t xap_val; /* an extra AP's register read in the ACK phase (tw_dap_bus.ap_access) */
};

static void dap_pay(tw_dap *d);

tw_dap *tw_dap_new(const tw_dap_bus *bus, void *bus_handle)
{
	tw_dap *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->bus = bus;
	d->h = bus_handle;
	d->csw = 0x03000002u; /* 32-bit, no increment; reads 0x23000042 with DeviceEn (F4: 0x23000040) */
	d->hz = 4000000u;
	tw_cm4_init(&d->cm);
	tw_dap_set_ids(d, NULL);
	return d;
}

void tw_dap_set_ids(tw_dap *d, const tw_dap_ids *ids)
{
	/* RM0090 §6.2.2: the F4 runs from its 16 MHz HSI out of reset */
	static const tw_dap_ids dflt = {TW_DAP_DPIDR_SWD, TW_DAP_IDCODE_JTAG, TW_JTAG_BS_IDCODE,
					TW_DAP_AHBAP_IDR, TW_DAP_CPUID, 16000000u, 0, 0, false};
	d->ids = ids ? *ids : dflt;
	d->cm.cpuid = d->ids.cpuid;
	d->cm.core_hz = d->ids.core_hz ? d->ids.core_hz : 16000000u;
	d->cm.xram_base = d->ids.exec_ram_base;
	d->cm.xram_bytes = d->ids.exec_ram_bytes;
}

const tw_dap_ids *tw_dap_ids_of(const tw_dap *d)
{
	return &d->ids;
}

void tw_dap_free(tw_dap *d)
{
	free(d);
}

void tw_dap_set_wire(tw_dap *d, tw_dap_wire wire)
{
	d->wire = wire;
}

uint32_t tw_dap_dpidr(const tw_dap *d)
{
	return d->wire == TW_WIRE_JTAG ? d->ids.idcode_jtag : d->ids.dpidr_swd;
}

bool tw_dap_overrun_detect(const tw_dap *d)
{
	return (d->ctrl & CTRL_ORUNDETECT) != 0;
}

bool tw_dap_reachable(tw_dap *d)
{
	return d->bus->powered(d->h) && d->bus->reachable(d->h);
}

/* ---------------------------------------------------------------- memory level */

static bool ap_device_en(const tw_dap *d);

tw_status tw_dap_mem_read(tw_dap *d, uint32_t addr, unsigned size, uint32_t *val)
{
	dap_pay(d);
	if (!ap_device_en(d)) /* ADIv5.2 §C2.6.4: no transfer while DeviceEn is 0 */
		return TW_BUS_ERROR;
	tw_cm4_exec_run(&d->cm, d->bus, d->h); /* code the core runs meanwhile (cm4_exec.c) */
	if (!tw_cm4_owns(addr))
		return d->bus->read(d->h, addr, size, val);
	uint32_t w = tw_cm4_read(&d->cm, addr & ~3u);
	unsigned sh = 8 * (addr & 3u);
	*val = size == 4 ? w : (w >> sh) & (size == 2 ? 0xFFFFu : 0xFFu);
	return TW_OK;
}

tw_status tw_dap_mem_write(tw_dap *d, uint32_t addr, unsigned size, uint32_t val)
{
	dap_pay(d);
	if (!ap_device_en(d))
		return TW_BUS_ERROR;
	tw_cm4_exec_run(&d->cm, d->bus, d->h);
	if (!tw_cm4_owns(addr))
		return d->bus->write(d->h, addr, size, val);
	if (size != 4)
		return TW_OK;
	tw_cm4_write(&d->cm, d->bus, d->h, addr, val);
	/* DHCSR and DEMCR: the chip model keeps its own copy (a halted or reset-caught core
	 * decides whether repurposed SWD pins answer); keep it in step */
	if (addr == 0xE000EDF0u || addr == 0xE000EDFCu)
		(void)d->bus->write(d->h, addr, 4, val);
	return TW_OK;
}

/* ---------------------------------------------------------------- MEM-AP */

static unsigned ap_size(const tw_dap *d)
{
	unsigned s = d->csw & CSW_SIZE_MASK;
	return s == 0 ? 1 : s == 1 ? 2 : s == 2 ? 4 : 0;
}

static void ap_advance_tar(tw_dap *d, unsigned size)
{
	if ((d->csw & CSW_ADDRINC_MASK) == CSW_ADDRINC_SINGLE)
		d->tar = (d->tar & ~0xFFFu) | ((d->tar + size) & 0xFFFu);
}

/* Runs the pending AHB access once. Returns false while the bus still stalls. */
static bool ap_try_pending(tw_dap *d)
{
	dap_pending *p = &d->pend;
	uint32_t v = 0;
	tw_status st;
	if (!p->active)
		return true;
	st = p->rnw ? tw_dap_mem_read(d, p->addr, p->size, &v)
		    : tw_dap_mem_write(d, p->addr, p->size, p->wdata);
	if (st == TW_STALL)
		return false;
	p->active = false;
	if (st != TW_OK) { /* bus error (or power lost): sticky, TAR unchanged (probes.md §3.7) */
		d->ctrl |= CTRL_STICKYERR;
		return true;
	}
	if (p->rnw)
		d->rdbuff = v << (8 * (p->addr & 3u));
	if (p->incr)
		ap_advance_tar(d, p->size);
	return true;
}

static void ap_start_access(tw_dap *d, bool rnw, uint32_t addr, unsigned size, bool incr,
			    uint32_t wdata)
{
	d->pend.active = true;
	d->pend.rnw = rnw;
	d->pend.incr = incr;
	d->pend.size = size;
	d->pend.addr = addr & ~(size - 1u);
	d->pend.wdata = size == 4 ? wdata
				  : (wdata >> (8 * (addr & 3u))) & (size == 2 ? 0xFFFFu : 0xFFu);
	ap_try_pending(d);
}

static bool ap_device_en(const tw_dap *d)
{
	return !d->bus->device_en || d->bus->device_en(d->h);
}

static bool ap_data_access(tw_dap *d, uint8_t reg, bool rnw, uint32_t wdata)
{
	bool data = reg == AP_DRW || (reg >= AP_BD0 && reg < AP_BD0 + 16);
	if (data && !ap_device_en(d)) { /* §C2.6.4: DeviceEn 0, the transfer is not done */
		d->ctrl |= CTRL_STICKYERR;
		return true;
	}
	if (reg == AP_DRW) {
		unsigned size = ap_size(d);
		if (!size) {
			d->ctrl |= CTRL_STICKYERR; /* reserved CSW.Size */
			return true;
		}
		ap_start_access(d, rnw, d->tar, size, true, wdata);
		return true;
	}
	if (reg >= AP_BD0 && reg < AP_BD0 + 16) {
		ap_start_access(d, rnw, (d->tar & ~0xFu) + (reg - AP_BD0), 4, false, wdata);
		return true;
	}
	return false;
}

static uint32_t ap_reg_read(tw_dap *d, uint8_t reg)
{
	switch (reg) {
	case AP_CSW: return d->csw | (ap_device_en(d) ? CSW_DEVICEEN : 0u);
	case AP_TAR: return d->tar;
	case AP_CFG: return 0; /* little-endian, no large address, no large data */
	case AP_BASE: return TW_DAP_AHBAP_BASE;
	case AP_IDR: return d->ids.ahbap_idr;
	default: return 0;
	}
}

static void ap_reg_write(tw_dap *d, uint8_t reg, uint32_t val)
{
	if (reg == AP_CSW) {
		d->csw = val & CSW_RW_MASK;
		if ((d->csw & CSW_ADDRINC_MASK) == 0x20u) /* packed: not implemented */
			d->csw &= ~CSW_ADDRINC_MASK;
	} else if (reg == AP_TAR) {
		d->tar = val;
	}
}

/* AP 0 is the AHB-AP; others are the model's (tw_dap_bus.ap_access, read in the ACK phase)
 * or read as zero (IDR 0 ends a debugger's AP scan). */
static void ap_read(tw_dap *d, uint8_t addr)
{
	uint8_t reg = (uint8_t)((d->select & 0xF0u) | addr);
	if ((d->select >> 24) != 0) {
		d->rdbuff = d->bus->ap_access ? d->xap_val : 0;
		return;
	}
	if (!ap_data_access(d, reg, true, 0))
		d->rdbuff = ap_reg_read(d, reg);
}

static void ap_write(tw_dap *d, uint8_t addr, uint32_t val)
{
	uint8_t reg = (uint8_t)((d->select & 0xF0u) | addr);
	if ((d->select >> 24) != 0) {
		if (d->bus->ap_access &&
		    d->bus->ap_access(d->h, (uint8_t)(d->select >> 24), reg, false, &val) ==
			    TW_BUS_ERROR)
			d->ctrl |= CTRL_STICKYERR;
		return;
	}
	if (!ap_data_access(d, reg, false, val))
		ap_reg_write(d, reg, val);
}

/* ---------------------------------------------------------------- DP */

static uint32_t dp_ctrl_read(const tw_dap *d)
{
	uint32_t v = d->ctrl;
	/* Power and reset requests are acknowledged at once (probes.md §3.4). */
	v |= (v & (1u << 26)) << 1 | (v & (1u << 28)) << 1 | (v & (1u << 30)) << 1;
	return v;
}

static void dp_abort(tw_dap *d, uint32_t val)
{
	if (val & ABORT_DAPABORT)
		d->pend.active = false;
	if (d->wire == TW_WIRE_JTAG)
		return; /* §B2.2.1: bits 1-4 are SW-DP only */
	if (val & ABORT_STKCMPCLR)
		d->ctrl &= ~CTRL_STICKYCMP;
	if (val & ABORT_STKERRCLR)
		d->ctrl &= ~CTRL_STICKYERR;
	if (val & ABORT_WDERRCLR)
		d->ctrl &= ~CTRL_WDATAERR;
	if (val & ABORT_ORUNERRCLR)
		d->ctrl &= ~CTRL_STICKYORUN;
}

static void dp_ctrl_write(tw_dap *d, uint32_t val)
{
	if (d->wire == TW_WIRE_JTAG) /* §B3: write 1 to clear */
		d->ctrl &= ~(val & CTRL_STICKY);
	d->ctrl = (d->ctrl & ~CTRL_RW_MASK) | (val & CTRL_RW_MASK);
}

static bool dp_is_exempt(const tw_dap *d, bool ap, bool rnw, uint8_t addr)
{
	if (ap)
		return false;
	if (rnw)
		return addr == 0x0 || (addr == 0x4 && (d->select & 0xFu) == 0);
	return addr == 0x0;
}

/* A debugger connecting finds the core as the chip kept it: C_DEBUGEN and C_HALT are reset by
 * a power-on reset only (ARMv7-M §C1.6.2), so a core a previous session left halted is still
 * halted, and DEMCR keeps its vector catch. The chip model holds that copy across processes
 * (its state file); the core model here starts from it. A model without the copy (bus error,
 * or no C_DEBUGEN recorded) leaves the core as tw_cm4_init made it: running. */
static void dap_sync_core(tw_dap *d)
{
	uint32_t dhcsr = 0, demcr = 0;
	if (d->bus->read(d->h, 0xE000EDF0u, 4, &dhcsr) != TW_OK || !(dhcsr & 1u))
		return;
	d->cm.dhcsr_ctrl = dhcsr & 0xFu;
	if ((dhcsr & 3u) == 3u)
		d->cm.halted = true;
	if (d->bus->read(d->h, 0xE000EDFCu, 4, &demcr) == TW_OK)
		d->cm.demcr = demcr;
}

static void dap_attach(tw_dap *d)
{
	if (!d->attached) {
		d->attached = true;
		d->bus->attach(d->h);
		dap_sync_core(d);
	}
}

/* A read of another AP's register in the ACK phase (tw_dap_bus.ap_access): WAIT while the
 * model stalls, FAULT on its bus error, else the value waits for tw_dap_read. */
static tw_dap_ack xap_read(tw_dap *d, uint8_t addr)
{
	uint8_t apsel = (uint8_t)(d->select >> 24);
	if (!apsel || !d->bus->ap_access)
		return TW_ACK_OK;
	uint32_t v = 0;
	tw_status st = d->bus->ap_access(d->h, apsel, (uint8_t)((d->select & 0xF0u) | (addr & 0xCu)),
					 true, &v);
	if (st == TW_STALL)
		return TW_ACK_WAIT;
	if (st == TW_BUS_ERROR) {
		d->ctrl |= CTRL_STICKYERR;
		return TW_ACK_FAULT;
	}
	d->xap_val = v;
	return TW_ACK_OK;
}

tw_dap_ack tw_dap_request(tw_dap *d, bool ap, bool rnw, uint8_t addr)
{
	dap_pay(d);
	bool exempt = dp_is_exempt(d, ap, rnw, addr);
	if (!tw_dap_reachable(d))
		return TW_ACK_NONE;
	if (d->wire == TW_WIRE_SWD && d->reset_state && !(!ap && rnw && addr == 0))
		return TW_ACK_NONE; /* §B4.3.3: only a DPIDR read leaves the reset state */
	dap_attach(d);
	if (!exempt && !ap_try_pending(d)) {
		if (d->ctrl & CTRL_ORUNDETECT)
			d->ctrl |= CTRL_STICKYORUN;
		return TW_ACK_WAIT;
	}
	if (d->wire == TW_WIRE_JTAG) {
		/* §B3.3: with STICKYORUN set only CTRL/STAT accesses go through; with any other
		 * sticky flag AP accesses are discarded. */
		if ((d->ctrl & CTRL_STICKYORUN) && !(!ap && addr == 0x4))
			return TW_ACK_FAULT;
		if (ap && (d->ctrl & CTRL_STICKY))
			return TW_ACK_FAULT;
		return ap && rnw ? xap_read(d, addr) : TW_ACK_OK;
	}
	if (!exempt && (d->ctrl & CTRL_STICKY)) {
		if (d->ctrl & CTRL_ORUNDETECT)
			d->ctrl |= CTRL_STICKYORUN;
		return TW_ACK_FAULT;
	}
	return ap && rnw ? xap_read(d, addr) : TW_ACK_OK;
}

static uint32_t dp_read(tw_dap *d, uint8_t addr)
{
	switch (addr) {
	case 0x0:
		d->reset_state = false;
		return tw_dap_dpidr(d);
	case 0x4:
		return (d->select & 0xFu) == 0 ? dp_ctrl_read(d)
		       : (d->select & 0xFu) == 1 ? d->dlcr : 0;
	default: /* RESEND and RDBUFF: the last AP read result (§B2.2.8, §B2.2.10) */
		return d->rdbuff;
	}
}

uint32_t tw_dap_read(tw_dap *d, bool ap, uint8_t addr)
{
	addr &= 0xCu;
	if (!ap)
		return dp_read(d, addr);
	uint32_t posted = d->rdbuff;
	ap_read(d, addr);
	return posted;
}

void tw_dap_write(tw_dap *d, bool ap, uint8_t addr, uint32_t val)
{
	addr &= 0xCu;
	if (ap) {
		ap_write(d, addr, val);
		return;
	}
	if (addr == 0x0)
		dp_abort(d, val);
	else if (addr == 0x4 && (d->select & 0xFu) == 1)
		d->dlcr = val & 0x300u;
	else if (addr == 0x4)
		dp_ctrl_write(d, val);
	else if (addr == 0x8)
		d->select = val;
	/* 0xC TARGETSEL: DPv2 only; the F4's DPv1 ignores it */
}

void tw_dap_write_parity_error(tw_dap *d)
{
	d->ctrl |= CTRL_WDATAERR;
}

tw_dap_ack tw_dap_transfer(tw_dap *d, bool ap, bool rnw, uint8_t addr, uint32_t *val)
{
	tw_dap_ack ack = tw_dap_request(d, ap, rnw, addr);
	if (ack != TW_ACK_OK)
		return ack;
	if (rnw)
		*val = tw_dap_read(d, ap, addr);
	else
		tw_dap_write(d, ap, addr, *val);
	return ack;
}

void tw_dap_line_reset(tw_dap *d)
{
	d->reset_state = true;
	d->select &= ~0xFu;
}

bool tw_dap_busy(tw_dap *d)
{
	dap_pay(d);
	if (ap_try_pending(d))
		return false;
	if (d->ctrl & CTRL_ORUNDETECT)
		d->ctrl |= CTRL_STICKYORUN;
	return true;
}

/* ---------------------------------------------------------------- pins, core, time */

void tw_dap_set_nrst(tw_dap *d, bool asserted)
{
	dap_pay(d);
	d->bus->set_nrst(d->h, asserted);
	if (asserted)
		tw_cm4_hold_reset(&d->cm);
	else /* the vector catch is decided on release (probes.md, SRST) */
		tw_cm4_core_reset(&d->cm, d->bus, d->h);
}

bool tw_dap_halted(const tw_dap *d)
{
	return d->cm.halted;
}

bool tw_dap_locked_up(const tw_dap *d)
{
	return d->cm.lockup;
}

uint32_t tw_dap_core_reg(const tw_dap *d, unsigned regsel)
{
	return regsel < TW_CM4_NREGS ? d->cm.regs[regsel] : 0;
}

void tw_dap_set_clock_hz(tw_dap *d, uint32_t hz)
{
	dap_pay(d);
	d->hz = hz ? hz : 1;
}

/* Cycles are charged lazily, before anything that can observe the chip's time: a wire front
 * end clocks one cycle at a time, and advancing the chip per cycle would cost more than the
 * decoding itself. */
/* The wire's time since the last payment goes on the chip's clock. A MEM-AP access left pending
 * by a stalled bus (a flash write while the previous one is programmed) is carried out by the
 * AP as soon as the bus frees, whatever the wire is doing (ADIv5.2: the AP performs the bus
 * transfer on its own; WAIT only tells the debugger it is not done yet): when the operation
 * in progress ends within this wire time, the clock runs to that moment, the access completes
 * there (and may start the next operation), then the rest of the wire time passes. */
static void dap_pay(tw_dap *d)
{
	if (!d->unpaid)
		return;
	uint64_t total = d->unpaid * 1000000000ull + d->ns_rem;
	d->unpaid = 0;
	d->ns_rem = total % d->hz;
	uint64_t ns = total / d->hz;
	if (ns && d->pend.active && d->bus->busy_until) {
		uint64_t now = d->bus->now(d->h), free = d->bus->busy_until(d->h);
		if (free > now && free - now < ns) {
			d->bus->advance(d->h, free - now);
			ns -= free - now;
			(void)ap_try_pending(d);
		}
	}
	if (ns)
		d->bus->advance(d->h, ns);
}

void tw_dap_clock_bits(tw_dap *d, uint64_t bits)
{
	d->bits += bits;
	d->unpaid += bits;
	if (d->unpaid >= 1000000u) /* keep the product far from overflow */
		dap_pay(d);
}

uint64_t tw_dap_bits(const tw_dap *d)
{
	return d->bits;
}

uint64_t tw_dap_now_ns(tw_dap *d)
{
	dap_pay(d);
	return d->bus->now(d->h);
}
