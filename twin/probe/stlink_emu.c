/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: an ST-LINK V2 / V2-1 / V3 emulator answering ST-LINK command blocks on the twin's
 * debug port. Memory commands act through the AHB-AP (tw_dap_mem_*), so protection, bus stalls
 * and the Cortex-M debug registers behave as on the DP/AP core every other path uses.
 *
 * Written from probes.md §2 (not from lib/probe/stlink.c): §2.1 endpoints per PID; §2.2 16-byte
 * command blocks, separate data phase, status byte 0x80; §2.3 GET_VERSION big-endian word,
 * APIV3_GET_VERSION_EX, GET_CURRENT_MODE, target voltage V = 2 * adc1 * 1.2 / adc0; §2.4
 * subcommands; §2.5 memory block layout, 6144-byte limit, 64/512-byte 8-bit limit, 1-byte
 * READMEM_8BIT answering 2 bytes; §2.6 status codes; §2.7 feature gates; §2.8 speed map.
 * UNCONFIRMED choices, marked where made: which status a failed SWD entry answers (0x16
 * SWD_DP_ERROR), and that a memory fault answers 0x11 SWD_AP_FAULT with the address. */
#include <stdlib.h>
#include <string.h>

#include "probe/probe_emu.h"

#define ST_CMD_GET_VERSION 0xF1u
#define ST_CMD_DEBUG 0xF2u
#define ST_CMD_DFU 0xF3u
#define ST_CMD_SWIM 0xF4u
#define ST_CMD_GET_MODE 0xF5u
#define ST_CMD_VOLTAGE 0xF7u
#define ST_CMD_VERSION_EX 0xFBu

#define ST_OK 0x80u
#define ST_FAULT 0x81u
#define ST_AP_WAIT 0x10u
#define ST_AP_FAULT 0x11u
#define ST_DP_ERROR 0x16u
#define ST_ALIGN 0x0Au
#define ST_UNKNOWN_CMD 0x42u

#define ST_MODE_DFU 0u
#define ST_MODE_MASS 1u
#define ST_MODE_DEBUG 2u

#define ST_MAX_DATA 6144u
#define ST_SWD_BITS 46u   /* one SWD transaction */
#define ST_WAIT_BITS 13u  /* a WAIT answer */
#define ST_WAIT_TRIES 100000u

struct tw_stlink {
	tw_probe_target *t;
	tw_probe_kind kind;
	uint8_t ep_out;
	unsigned mode;
	uint8_t reply[ST_MAX_DATA + 16];
	size_t reply_len, reply_pos;
	uint8_t wr_op;       /* a write waiting for its data phase (0 = none) */
	uint32_t wr_addr;
	uint16_t wr_len;
	uint8_t rw_status;
	uint32_t fault_addr;
	unsigned khz;
};

static uint16_t st_pid(tw_probe_kind k)
{
	return k == TW_PROBE_STLINK_V2 ? 0x3748 : k == TW_PROBE_STLINK_V21 ? 0x374B : 0x374F;
}

tw_stlink *tw_stlink_new(tw_probe_target *t, tw_probe_kind kind)
{
	tw_stlink *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->t = t;
	s->kind = kind;
	s->ep_out = kind == TW_PROBE_STLINK_V2 ? 0x02 : 0x01;
	/* A V2 comes up in DFU mode, the others with their mass-storage interface (§2.8). */
	s->mode = kind == TW_PROBE_STLINK_V2 ? ST_MODE_DFU : ST_MODE_MASS;
	s->rw_status = ST_OK;
	s->khz = 1800;
	tw_dap_set_clock_hz(t->dap, s->khz * 1000u);
	return s;
}

void tw_stlink_free(tw_stlink *s)
{
	free(s);
}

static uint8_t *st_reply(tw_stlink *s, size_t len)
{
	memset(s->reply, 0, len);
	s->reply_len = len;
	s->reply_pos = 0;
	return s->reply;
}

static void st_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t st_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void st_status(tw_stlink *s, uint8_t status)
{
	st_reply(s, 2)[0] = status;
}

/* ---- top-level commands ---- */

static void st_version(tw_stlink *s)
{
	/* V2: V2J37S7; V2-1: V2J37M26; V3 reports 3/0/0 here and the rest in VERSION_EX. */
	uint16_t w = s->kind == TW_PROBE_STLINK_V3 ? 0x3000
		     : s->kind == TW_PROBE_STLINK_V21 ? (uint16_t)(0x2000 | 37u << 6 | 26u)
						       : (uint16_t)(0x2000 | 37u << 6 | 7u);
	uint8_t *r = st_reply(s, 6);
	r[0] = (uint8_t)(w >> 8), r[1] = (uint8_t)w; /* big-endian, the only such field */
	r[2] = 0x83, r[3] = 0x04;
	r[4] = (uint8_t)st_pid(s->kind), r[5] = (uint8_t)(st_pid(s->kind) >> 8);
}

static void st_version_ex(tw_stlink *s)
{
	uint8_t *r = st_reply(s, 12);
	r[0] = 3, r[1] = 1, r[2] = 7, r[3] = 2, r[4] = 3; /* V3 S1 J7 M2 B3 */
	r[8] = 0x83, r[9] = 0x04;
	r[10] = (uint8_t)st_pid(s->kind), r[11] = (uint8_t)(st_pid(s->kind) >> 8);
}

static void st_voltage(tw_stlink *s)
{
	/* adc0 is the internal 1.2 V reference reading; adc1 half the target supply. */
	uint32_t adc0 = 1638, mv = s->t->bus->powered(s->t->bus_h) ? 3300 : 0;
	uint8_t *r = st_reply(s, 8);
	st_put32(r, adc0);
	st_put32(r + 4, mv * adc0 / 2400u);
}

/* ---- the wire ---- */

static bool st_dp_answers(tw_stlink *s)
{
	return tw_dap_reachable(s->t->dap);
}

/* Line reset and DPIDR read, then clear stickies and power up the debug domain (what the probe
 * firmware does on entering SWD, ADIv5.2 §B4.3.3). */
static bool st_swd_connect(tw_stlink *s)
{
	tw_dap *d = s->t->dap;
	uint32_t v = 0;
	tw_dap_line_reset(d);
	tw_dap_clock_bits(d, 64);
	tw_dap_ack ack = tw_dap_transfer(d, false, true, 0x0, &v);
	tw_dap_clock_bits(d, ST_SWD_BITS);
	if (ack != TW_ACK_OK)
		return false;
	v = 0x1E;
	tw_dap_transfer(d, false, false, 0x0, &v);
	v = 0x50000000u;
	tw_dap_transfer(d, false, false, 0x4, &v);
	tw_dap_clock_bits(d, 2 * ST_SWD_BITS);
	return true;
}

/* One AHB access as the probe firmware makes it: WAIT answers are retried on the wire. */
static tw_status st_access(tw_stlink *s, bool write, uint32_t addr, unsigned size, uint32_t *val)
{
	tw_dap *d = s->t->dap;
	if (!st_dp_answers(s))
		return TW_POWER_OFF;
	for (unsigned i = 0;; i++) {
		tw_status st = write ? tw_dap_mem_write(d, addr, size, *val)
				     : tw_dap_mem_read(d, addr, size, val);
		if (st != TW_STALL || i == ST_WAIT_TRIES) {
			tw_dap_clock_bits(d, ST_SWD_BITS);
			return st;
		}
		tw_dap_clock_bits(d, ST_WAIT_BITS);
	}
}

static uint8_t st_status_of(tw_status st)
{
	switch (st) {
	case TW_OK: return ST_OK;
	case TW_BUS_ERROR: return ST_AP_FAULT;
	case TW_STALL: return ST_AP_WAIT;
	default: return ST_DP_ERROR; /* nobody answers on the wire */
	}
}

/* ---- memory commands (§2.5) ---- */

static unsigned st_width(uint8_t op)
{
	switch (op) {
	case 0x07: case 0x08: return 4;
	case 0x47: case 0x48: return 2;
	default: return 1;
	}
}

/* Reads answer from one buffer of ST_MAX_DATA bytes (OpenOCD's STLINK_DATA_SIZE, probes.md
 * §2.5). Writes are streamed to the target and take the whole 16-bit length: stlink-tools 1.7
 * sends its flash loader's buffer, up to 0x8000 bytes, in one WRITEMEM_32BIT (common.c
 * write_buffer_to_sram, buf_size), which works on real V2/V2-1 probes; the 6144-byte limit
 * this emulator first applied to writes too is OpenOCD's own (docs/PROBES.md, disagreement 8).
 * UNCONFIRMED: the firmware's real upper bound for writes. */
static uint8_t st_check_mem(tw_stlink *s, uint8_t op, uint32_t addr, uint16_t len, bool write)
{
	unsigned w = st_width(op);
	unsigned max8 = s->kind == TW_PROBE_STLINK_V3 ? 512 : 64;
	if (s->mode != ST_MODE_DEBUG)
		return ST_FAULT;
	if ((addr | len) & (w - 1) || (!write && len > ST_MAX_DATA) || (w == 1 && len > max8))
		return ST_ALIGN;
	return ST_OK;
}

static void st_fail(tw_stlink *s, uint8_t status, uint32_t addr)
{
	s->rw_status = status;
	s->fault_addr = addr;
}

static void st_read_mem(tw_stlink *s, uint8_t op, uint32_t addr, uint16_t len)
{
	uint8_t chk = st_check_mem(s, op, addr, len, false);
	/* a 1-byte 8-bit read answers 2 bytes; an oversized request gets a capped, zero reply */
	uint8_t *r = st_reply(s, len == 1 ? 2 : len > ST_MAX_DATA ? ST_MAX_DATA : len);
	unsigned w = st_width(op);
	s->rw_status = chk;
	for (uint32_t off = 0; chk == ST_OK && off < len; off += w) {
		uint32_t v = 0;
		tw_status st = st_access(s, false, addr + off, w, &v);
		if (st != TW_OK) {
			st_fail(s, st_status_of(st), addr + off);
			break;
		}
		for (unsigned b = 0; b < w; b++)
			r[off + b] = (uint8_t)(v >> (8 * b));
	}
}

static void st_write_data(tw_stlink *s, const uint8_t *buf, size_t len)
{
	uint8_t op = s->wr_op;
	uint32_t addr = s->wr_addr;
	unsigned w = st_width(op);
	s->wr_op = 0;
	s->rw_status = st_check_mem(s, op, addr, s->wr_len, true);
	for (uint32_t off = 0; s->rw_status == ST_OK && off + w <= len; off += w) {
		uint32_t v = 0;
		for (unsigned b = 0; b < w; b++)
			v |= (uint32_t)buf[off + b] << (8 * b);
		tw_status st = st_access(s, true, addr + off, w, &v);
		if (st != TW_OK)
			st_fail(s, st_status_of(st), addr + off);
	}
}

static void st_rw_status(tw_stlink *s, bool two)
{
	uint8_t *r = st_reply(s, two ? 12 : 2);
	r[0] = s->rw_status;
	if (two && s->rw_status != ST_OK)
		st_put32(r + 4, s->fault_addr);
	s->rw_status = ST_OK;
}

/* ---- debug registers, pins, speed ---- */

static void st_debugreg(tw_stlink *s, const uint8_t *c, bool write)
{
	uint32_t addr = st_get32(c + 2), v = st_get32(c + 6);
	tw_status st = (addr & 3) ? TW_BUS_ERROR : st_access(s, write, addr, 4, &v);
	uint8_t *r = st_reply(s, write ? 2 : 8);
	r[0] = s->mode == ST_MODE_DEBUG ? st_status_of(st) : ST_FAULT;
	if (!write && st == TW_OK)
		st_put32(r + 4, v);
}

/* RUNCORE (§2.4 0x09): the core leaves a debug halt. UNCONFIRMED (probes.md gives neither its
 * reply nor its effect): a 2-byte status like the other control subcommands, and the effect of
 * DHCSR = DBGKEY | C_DEBUGEN (C_HALT cleared, halting debug left enabled), the write a host
 * makes to resume a core (probes.md §4.3 "resume"). */
static void st_runcore(tw_stlink *s)
{
	uint32_t v = 0xA05F0001u;
	if (s->mode != ST_MODE_DEBUG) {
		st_status(s, ST_FAULT);
		return;
	}
	st_status(s, st_status_of(st_access(s, true, 0xE000EDF0u, 4, &v)));
}

/* Core registers through DCRSR/DCRDR, as the probe's firmware reaches them (ARMv7-M §C1.6.4):
 * APIV2_READREG 0x33 `F2 33 REGSEL` answers 8 bytes (status, 3 bytes padding, the value LE);
 * APIV2_WRITEREG 0x34 `F2 34 REGSEL VALUE(LE)` answers a 2-byte status; APIV2_READALLREGS 0x3A
 * answers 88 bytes (status word, then REGSEL 0-20: r0-r15, xPSR, MSP, PSP, 19, 20). REGSEL is
 * the DCRSR numbering (stlink-tools 1.7 usb.c _stlink_usb_read_reg/_write_reg/_read_all_regs,
 * OpenOCD 0.12 stlink_usb.c stlink_usb_read_reg: the index goes to the probe as is). Found by
 * st-flash write (its flash loader's registers): docs/PROBES.md, disagreement 2. UNCONFIRMED:
 * that a transfer while the core runs answers OK with DCRDR's stale value (as DCRSR ignores
 * it, §C1.6.4). */
static tw_status st_core_reg(tw_stlink *s, bool write, uint8_t sel, uint32_t *v)
{
	uint32_t sr = sel | (write ? 1u << 16 : 0u);
	tw_status st = write ? st_access(s, true, 0xE000EDF8u, 4, v) : TW_OK;
	if (st == TW_OK)
		st = st_access(s, true, 0xE000EDF4u, 4, &sr);
	if (st == TW_OK && !write)
		st = st_access(s, false, 0xE000EDF8u, 4, v);
	return st;
}

static void st_readreg(tw_stlink *s, uint8_t sel)
{
	uint32_t v = 0;
	tw_status st = s->mode == ST_MODE_DEBUG ? st_core_reg(s, false, sel, &v) : TW_POWER_OFF;
	uint8_t *r = st_reply(s, 8);
	r[0] = s->mode == ST_MODE_DEBUG ? st_status_of(st) : ST_FAULT;
	if (st == TW_OK)
		st_put32(r + 4, v);
}

static void st_writereg(tw_stlink *s, const uint8_t *c)
{
	uint32_t v = st_get32(c + 3);
	if (s->mode != ST_MODE_DEBUG) {
		st_status(s, ST_FAULT);
		return;
	}
	st_status(s, st_status_of(st_core_reg(s, true, c[2], &v)));
}

static void st_readallregs(tw_stlink *s)
{
	uint8_t *r = st_reply(s, 88);
	tw_status st = s->mode == ST_MODE_DEBUG ? TW_OK : TW_POWER_OFF;
	for (uint8_t i = 0; i <= 20 && st == TW_OK; i++) {
		uint32_t v = 0;
		st = st_core_reg(s, false, i, &v);
		st_put32(r + 4 + 4u * i, v);
	}
	r[0] = s->mode == ST_MODE_DEBUG ? st_status_of(st) : ST_FAULT;
}

/* APIV2_RESETSYS (§2.4 0x32): a system reset made by the probe. OpenOCD 0.12 sends it after its
 * own AIRCR write in hl_assert_reset (stlink_usb_reset, `F2 32`, a 2-byte status answer) and
 * fails the reset on anything but 0x80. UNCONFIRMED how the firmware resets: the choice is the
 * host-visible one, AIRCR = VECTKEY | SYSRESETREQ (0x05FA0004) through the AHB-AP, the request
 * ARMv7-M §B1.5.16 defines. Found by the USB bridge (docs/PROBES.md, disagreement 1). */
static void st_resetsys(tw_stlink *s)
{
	uint32_t v = 0x05FA0004u;
	if (s->mode != ST_MODE_DEBUG) {
		st_status(s, ST_FAULT);
		return;
	}
	st_status(s, st_status_of(st_access(s, true, 0xE000ED0Cu, 4, &v)));
}

static void st_nrst(tw_stlink *s, uint8_t how)
{
	if (how == 2) {
		tw_dap_set_nrst(s->t->dap, true);
		s->t->bus->advance(s->t->bus_h, 1000000); /* hold it 1 ms */
		how = 1;
	}
	tw_dap_set_nrst(s->t->dap, how == 0);
	st_status(s, ST_OK);
}

static void st_set_khz(tw_stlink *s, unsigned khz)
{
	s->khz = khz ? khz : 5;
	tw_dap_set_clock_hz(s->t->dap, s->khz * 1000u);
}

static void st_swd_freq(tw_stlink *s, uint16_t div)
{
	/* The V2 divisor table (§2.8), kHz per divisor; others in between take the slower. */
	static const struct { uint16_t div; unsigned khz; } map[] = {
		{0, 4000}, {1, 1800}, {2, 1200}, {3, 950}, {7, 480}, {15, 240}, {31, 125},
		{40, 100}, {79, 50}, {158, 25}, {265, 15}, {798, 5}};
	unsigned khz = 5;
	for (size_t i = sizeof map / sizeof map[0]; i-- > 0;)
		if (map[i].div >= div)
			khz = map[i].khz;
	st_set_khz(s, khz);
	st_status(s, ST_OK);
}

static void st_com_freq(tw_stlink *s, const uint8_t *c)
{
	static const unsigned v3[] = {24000, 8000, 3300, 1000, 200, 50, 5};
	unsigned want = st_get32(c + 4), khz = 5;
	for (size_t i = sizeof v3 / sizeof v3[0]; i-- > 0;)
		if (v3[i] <= want)
			khz = v3[i];
	st_set_khz(s, khz);
	uint8_t *r = st_reply(s, 8);
	r[0] = c[2] == 0 ? ST_OK : ST_UNKNOWN_CMD; /* SWD only */
	st_put32(r + 4, khz);
}

static void st_enter(tw_stlink *s)
{
	if (!st_swd_connect(s)) {
		st_status(s, ST_DP_ERROR); /* UNCONFIRMED: the status a silent target gives */
		return;
	}
	s->mode = ST_MODE_DEBUG;
	st_status(s, ST_OK);
}

static void st_idcodes(tw_stlink *s)
{
	uint32_t v = 0;
	tw_dap_ack ack = st_dp_answers(s) ? tw_dap_transfer(s->t->dap, false, true, 0x0, &v)
					  : TW_ACK_NONE;
	tw_dap_clock_bits(s->t->dap, ST_SWD_BITS);
	uint8_t *r = st_reply(s, 12);
	r[0] = ack == TW_ACK_OK ? ST_OK : ST_DP_ERROR;
	if (ack == TW_ACK_OK)
		st_put32(r + 4, v);
}

/* ---- dispatch ---- */

static bool st_gate(const tw_stlink *s, uint8_t sub)
{
	bool v3 = s->kind == TW_PROBE_STLINK_V3;
	if (sub == 0x43)
		return !v3;  /* V2 only (V3 uses SET_COM_FREQ) */
	if (sub == 0x61)
		return v3;
	return true;    /* J37 has every other feature of §2.7 */
}

static void st_debug(tw_stlink *s, const uint8_t *c)
{
	uint8_t sub = c[1];
	uint16_t len = (uint16_t)(c[6] | c[7] << 8);
	if (!st_gate(s, sub)) {
		st_status(s, ST_UNKNOWN_CMD);
		return;
	}
	switch (sub) {
	case 0x09: st_runcore(s); break;
	case 0x21: s->mode = ST_MODE_MASS; s->reply_len = 0; break; /* EXIT: no reply */
	case 0x30: st_enter(s); break;
	case 0x31: st_idcodes(s); break;
	case 0x32: st_resetsys(s); break;
	case 0x33: st_readreg(s, c[2]); break;
	case 0x34: st_writereg(s, c); break;
	case 0x3A: st_readallregs(s); break;
	case 0x35: st_debugreg(s, c, true); break;
	case 0x36: st_debugreg(s, c, false); break;
	case 0x3B: st_rw_status(s, false); break;
	case 0x3C: st_nrst(s, c[2]); break;
	case 0x3E: st_rw_status(s, true); break;
	case 0x43: st_swd_freq(s, (uint16_t)(c[2] | c[3] << 8)); break;
	case 0x4B: st_status(s, s->mode == ST_MODE_DEBUG ? ST_OK : ST_FAULT); break;
	case 0x61: st_com_freq(s, c); break;
	case 0x07: case 0x0C: case 0x47: st_read_mem(s, sub, st_get32(c + 2), len); break;
	case 0x08: case 0x0D: case 0x48:
		s->wr_op = sub, s->wr_addr = st_get32(c + 2), s->wr_len = len;
		s->reply_len = 0;
		break;
	default: st_status(s, ST_UNKNOWN_CMD); break;
	}
}

static void st_command(tw_stlink *s, const uint8_t *c)
{
	s->reply_len = s->reply_pos = 0;
	switch (c[0]) {
	case ST_CMD_GET_VERSION: st_version(s); break;
	case ST_CMD_VERSION_EX:
		if (s->kind == TW_PROBE_STLINK_V3)
			st_version_ex(s);
		break;
	case ST_CMD_GET_MODE: st_reply(s, 2)[0] = (uint8_t)s->mode; break;
	case ST_CMD_VOLTAGE: st_voltage(s); break;
	case ST_CMD_DFU:
		if (c[1] == 0x07)
			s->mode = ST_MODE_MASS; /* DFU_EXIT, no reply */
		break;
	case ST_CMD_SWIM: break;     /* SWIM_EXIT: nothing to leave, no reply */
	case ST_CMD_DEBUG: st_debug(s, c); break;
	default: break;              /* unknown: the firmware ignores it */
	}
}

bool tw_stlink_out(tw_stlink *s, uint8_t ep, const uint8_t *buf, size_t len)
{
	if ((ep & 0x7F) != s->ep_out)
		return false;
	if (s->wr_op) {
		if (len != s->wr_len) {
			s->wr_op = 0;
			st_fail(s, ST_ALIGN, s->wr_addr);
			return false;
		}
		st_write_data(s, buf, len);
		return true;
	}
	uint8_t block[16] = {0};
	memcpy(block, buf, len < 16 ? len : 16);
	st_command(s, block);
	return true;
}

size_t tw_stlink_in(tw_stlink *s, uint8_t ep, uint8_t *buf, size_t cap)
{
	if (ep != 0x81 || s->reply_pos >= s->reply_len)
		return 0;
	size_t n = s->reply_len - s->reply_pos;
	n = n < cap ? n : cap;
	memcpy(buf, s->reply + s->reply_pos, n);
	s->reply_pos += n;
	return n;
}
