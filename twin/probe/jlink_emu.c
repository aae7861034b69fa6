/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: a SEGGER J-Link emulator on the twin's debug port, speaking the J-Link USB protocol
 * as libjaylink 0.3 and OpenOCD 0.12 (src/jtag/drivers/jlink.c) use it: a byte stream of
 * commands on bulk OUT 0x02 and of replies on bulk IN 0x81 (a command may span several
 * transfers, a reply may be read in pieces, as libjaylink's transport_usb.c does).
 *
 * Sources (facts only; no code taken): SEGGER RM08001 "J-Link USB Protocol" as restated by
 * libjaylink (libjaylink/device.c, target.c, jtag.c, swd.c, libjaylink.h) and OpenOCD's jlink.c:
 *   0x01 GET_VERSION      -> u16 length, then that many bytes of NUL-padded firmware string
 *   0x05 SET_SPEED u16 kHz (0xFFFF = adaptive clocking), no reply
 *   0x07 GET_HW_STATUS    -> u16 target voltage in mV, TCK, TDI, TDO, TMS, TRES, TRST levels
 *   0x08 SET_TARGET_POWER u8 on/off, no reply
 *   0xC0 GET_SPEEDS       -> u32 base frequency in Hz, u16 minimum divider
 *   0xC1 GET_HW_INFO u32 mask -> one u32 per mask bit set, lowest bit first (bit 0 target
 *        power on, bit 2 target current, bit 3 its peak, bits 16..19 IPv4 settings)
 *   0xC7 SELECT_TIF u8 (0 JTAG, 1 SWD; 0xFE = which, 0xFF = available mask) -> u32
 *   0xCE JTAG I/O v2, 0xCF JTAG I/O v3 / SWD I/O: u8 0, u16 bit count, TMS (SWD: direction,
 *        1 = the probe drives SWDIO) bytes, TDI (SWD: SWDIO out) bytes -> TDO (SWD: SWDIO in)
 *        bytes, and for 0xCF a status byte (0 = ok, 6 = not enough memory)
 *   0xD4 GET_FREE_MEMORY  -> u32 bytes
 *   0xDC CLEAR_RESET / 0xDD SET_RESET: nRESET low / released; 0xDE / 0xDF: nTRST likewise
 *   0xE8 GET_CAPS         -> u32 capability bits; 0xED GET_EXT_CAPS -> 32 bytes
 *   0xF0 GET_HW_VERSION   -> u32 TTMMmmrr in decimal (type, major, minor, revision)
 * All values little-endian. OpenOCD sends JTAG I/O v3 only when the hardware major version is
 * 5 or more; this probe says it is a J-Link V9.60 (type 0).
 *
 * SWD sampling: OpenOCD reads a transaction's ACK at the bit index of the turnaround that
 * follows the 8 request bits, its read data 3 bits later and the parity after the data
 * (jlink_swd_run_queue); a spec bit-banger (OpenOCD bitbang.c) reads the ACK one bit later. So
 * the J-Link reports in bit k the SWDIO level of the next cycle k + 1 in ADIv5.2 §B4.2's cycle
 * numbering (the level at the clock edge that ends cycle k, as the probe samples it). The last
 * bit of a command has no next cycle in it: it reports the level of its own cycle. UNCONFIRMED
 * against SEGGER documentation, which does not describe this sampling; it is what every host
 * that drives a real J-Link over SWD (OpenOCD, probe-rs) expects.
 *
 * Choices no source confirms (UNCONFIRMED):
 * - firmware string length 0x70 with NUL padding; base frequency 48 MHz with divider 4
 *   (12 MHz, OpenOCD's JLINK_MAX_SPEED); free memory 16 KiB; a JTAG/SWD I/O needs room for
 *   its TMS, TDI and TDO bytes in that memory, else it is not clocked and answers status 6;
 * - an unknown command discards the rest of its transfer and answers nothing (the host times
 *   out); an interface this probe does not have keeps the current one;
 * - the twin's SWJ-DP follows the probe's interface selection (the SWD decoder or the JTAG TAP
 *   chain is fed) instead of watching both on the shared pins; the SWD decoder still needs the
 *   JTAG-to-SWD sequence (ADIv5.2 §B5.2) before it answers;
 * - target power (0x08) is remembered and reported; it does not power the twin. */
#include <stdlib.h>
#include <string.h>

#include "debug/jtag_wire.h"
#include "debug/swd_wire.h"
#include "probe/probe_emu.h"

#define TJ_CMD_VERSION 0x01u
#define TJ_CMD_SET_SPEED 0x05u
#define TJ_CMD_HW_STATUS 0x07u
#define TJ_CMD_TARGET_POWER 0x08u
#define TJ_CMD_GET_SPEEDS 0xC0u
#define TJ_CMD_HW_INFO 0xC1u
#define TJ_CMD_SELECT_TIF 0xC7u
#define TJ_CMD_IO_V2 0xCEu
#define TJ_CMD_IO_V3 0xCFu
#define TJ_CMD_FREE_MEMORY 0xD4u
#define TJ_CMD_CLEAR_RESET 0xDCu
#define TJ_CMD_SET_RESET 0xDDu
#define TJ_CMD_CLEAR_TRST 0xDEu
#define TJ_CMD_SET_TRST 0xDFu
#define TJ_CMD_CAPS 0xE8u
#define TJ_CMD_EXT_CAPS 0xEDu
#define TJ_CMD_HW_VERSION 0xF0u

#define TJ_TIF_JTAG 0u
#define TJ_TIF_SWD 1u

/* capability bits (libjaylink.h enum jaylink_device_capability); bit 0 is always set */
#define TJ_CAPS                                                                              \
	((1u << 0) | (1u << 1) /* GET_HW_VERSION */ | (1u << 9) /* GET_SPEEDS */ |           \
	 (1u << 11) /* GET_FREE_MEMORY */ | (1u << 12) /* GET_HW_INFO */ |                    \
	 (1u << 13) /* SET_TARGET_POWER */ | (1u << 17) /* SELECT_TIF */ |                   \
	 (1u << 31) /* GET_EXT_CAPS */)

#define TJ_FW_LEN 0x70u
#define TJ_FIRMWARE "J-Link V9 compiled Dec  1 2026 12:00:00"
#define TJ_HW_VERSION 96000u /* type 0 (J-Link), 9.60.00 */
#define TJ_BASE_HZ 48000000u
#define TJ_MIN_DIV 4u
#define TJ_FREE_MEMORY 16384u
#define TJ_IO_ERR_NO_MEMORY 0x06u

#define TJ_IO_MAX_BYTES 8192u                     /* 65535 bits */
#define TJ_CMD_MAX (4u + 2u * TJ_IO_MAX_BYTES)    /* the largest command */
#define TJ_REPLY_MAX (4u * TJ_IO_MAX_BYTES)       /* replies not yet read */
#define TJ_REPLY_ROOM (TJ_IO_MAX_BYTES + 64u)     /* room the largest reply needs */

struct tw_jlink {
	tw_probe_target *t;
	tw_swd *swd;
	tw_jtag *jtag;
	unsigned tif;
	unsigned khz;
	bool power;
	bool nrst_low;
	uint8_t cmd[TJ_CMD_MAX];
	size_t cmd_len;
	uint8_t reply[TJ_REPLY_MAX];
	size_t reply_len, reply_pos;
};

static void tj_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void tj_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t tj_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

tw_jlink *tw_jlink_new(tw_probe_target *t)
{
	tw_jlink *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->t = t;
	j->swd = tw_swd_new(t->dap);
	if (!j->swd) {
		free(j);
		return NULL;
	}
	j->tif = TJ_TIF_JTAG; /* the interface after power-up (UNCONFIRMED) */
	j->khz = 4000;
	tw_dap_set_clock_hz(t->dap, j->khz * 1000u);
	return j;
}

void tw_jlink_free(tw_jlink *j)
{
	if (!j)
		return;
	tw_swd_free(j->swd);
	tw_jtag_free(j->jtag);
	free(j);
}

/* Room for n more reply bytes (the caller checked TJ_REPLY_ROOM before the command). */
static uint8_t *tj_reply(tw_jlink *j, size_t n)
{
	if (j->reply_pos == j->reply_len)
		j->reply_pos = j->reply_len = 0;
	if (j->reply_len + n > TJ_REPLY_MAX) {
		memmove(j->reply, j->reply + j->reply_pos, j->reply_len - j->reply_pos);
		j->reply_len -= j->reply_pos;
		j->reply_pos = 0;
	}
	uint8_t *p = j->reply + j->reply_len;
	memset(p, 0, n);
	j->reply_len += n;
	return p;
}

/* Bytes the command starting in j->cmd needs in all; 0 = its header is not complete yet,
 * -1 = not a command this probe knows. */
static long tj_cmd_size(const tw_jlink *j)
{
	switch (j->cmd[0]) {
	case TJ_CMD_VERSION: case TJ_CMD_HW_STATUS: case TJ_CMD_GET_SPEEDS:
	case TJ_CMD_FREE_MEMORY: case TJ_CMD_CLEAR_RESET: case TJ_CMD_SET_RESET:
	case TJ_CMD_CLEAR_TRST: case TJ_CMD_SET_TRST: case TJ_CMD_CAPS: case TJ_CMD_EXT_CAPS:
	case TJ_CMD_HW_VERSION:
		return 1;
	case TJ_CMD_TARGET_POWER: case TJ_CMD_SELECT_TIF:
		return 2;
	case TJ_CMD_SET_SPEED:
		return 3;
	case TJ_CMD_HW_INFO:
		return 5;
	case TJ_CMD_IO_V2: case TJ_CMD_IO_V3:
		if (j->cmd_len < 4)
			return 0;
		return 4 + 2 * (long)(((j->cmd[2] | j->cmd[3] << 8) + 7u) / 8);
	default:
		return -1;
	}
}

/* ---- the wire ---- */

static int tj_bit(const uint8_t *b, unsigned i)
{
	return (b[i / 8] >> (i % 8)) & 1;
}

static void tj_set_bit(uint8_t *b, unsigned i, int v)
{
	if (v)
		b[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* SWD: dir bit 1 = the probe drives SWDIO with the out bit; bit k of in = the level of cycle
 * k + 1 (see the file comment). */
static void tj_swd_io(tw_jlink *j, const uint8_t *dir, const uint8_t *out, uint8_t *in,
		      unsigned bits)
{
	int level = 1;
	for (unsigned k = 0; k < bits; k++) {
		level = tw_swd_cycle(j->swd, tj_bit(dir, k) ? tj_bit(out, k) : -1);
		if (k)
			tj_set_bit(in, k - 1, level);
	}
	if (bits)
		tj_set_bit(in, bits - 1, level);
}

/* JTAG: TDO as sampled before each rising TCK edge (IEEE 1149.1 §4.5: TDO changes on the
 * falling edge). */
static void tj_jtag_io(tw_jlink *j, const uint8_t *tms, const uint8_t *tdi, uint8_t *tdo,
		       unsigned bits)
{
	if (!j->jtag && !(j->jtag = tw_jtag_new(j->t->dap)))
		return;
	for (unsigned k = 0; k < bits; k++) {
		tj_set_bit(tdo, k, tw_jtag_tdo(j->jtag));
		tw_jtag_clock(j->jtag, tj_bit(tms, k), tj_bit(tdi, k));
	}
}

static void tj_io(tw_jlink *j, const uint8_t *c)
{
	unsigned bits = (unsigned)(c[2] | c[3] << 8), n = (bits + 7) / 8;
	bool v3 = c[0] == TJ_CMD_IO_V3;
	uint8_t *in = tj_reply(j, n + (v3 ? 1u : 0u));
	if (3u * n > TJ_FREE_MEMORY) {
		if (v3)
			in[n] = TJ_IO_ERR_NO_MEMORY; /* nothing clocked */
		return;
	}
	if (j->tif == TJ_TIF_SWD)
		tj_swd_io(j, c + 4, c + 4 + n, in, bits);
	else
		tj_jtag_io(j, c + 4, c + 4 + n, in, bits);
}

/* ---- the other commands ---- */

static void tj_select_tif(tw_jlink *j, uint8_t want)
{
	uint8_t *r = tj_reply(j, 4);
	if (want == 0xFF) {
		tj_put32(r, (1u << TJ_TIF_JTAG) | (1u << TJ_TIF_SWD));
		return;
	}
	tj_put32(r, j->tif);
	if (want == 0xFE || (want != TJ_TIF_JTAG && want != TJ_TIF_SWD))
		return;
	if (want == TJ_TIF_JTAG && j->tif != TJ_TIF_JTAG)
		tw_dap_set_wire(j->t->dap, TW_WIRE_JTAG);
	j->tif = want;
}

static void tj_hw_info(tw_jlink *j, uint32_t mask)
{
	for (unsigned b = 0; b < 32; b++) {
		if (!(mask & (1u << b)))
			continue;
		uint8_t *r = tj_reply(j, 4);
		tj_put32(r, b == 0 ? (uint32_t)j->power : 0); /* currents and IPv4: 0 (USB probe) */
	}
}

static void tj_hw_status(tw_jlink *j)
{
	uint8_t *r = tj_reply(j, 8);
	bool powered = j->t->bus->powered(j->t->bus_h);
	tj_put16(r, powered ? 3300u : 0u);
	r[2] = 1; /* TCK idles high */
	r[3] = 1; /* TDI */
	r[4] = (uint8_t)(j->jtag && j->tif == TJ_TIF_JTAG ? tw_jtag_tdo(j->jtag) : 1);
	r[5] = 1; /* TMS / SWDIO pulled up */
	r[6] = (uint8_t)(!j->nrst_low && powered);
	r[7] = 1; /* nTRST */
}

static void tj_set_speed(tw_jlink *j, unsigned khz)
{
	unsigned max = TJ_BASE_HZ / 1000u / TJ_MIN_DIV;
	if (khz == 0xFFFF || khz == 0)
		return; /* adaptive clocking is not offered; 0 is not a speed */
	j->khz = khz > max ? max : khz;
	tw_dap_set_clock_hz(j->t->dap, j->khz * 1000u);
}

static void tj_execute(tw_jlink *j)
{
	const uint8_t *c = j->cmd;
	uint8_t *r;
	switch (c[0]) {
	case TJ_CMD_VERSION:
		r = tj_reply(j, 2 + TJ_FW_LEN);
		tj_put16(r, TJ_FW_LEN);
		memcpy(r + 2, TJ_FIRMWARE, sizeof TJ_FIRMWARE);
		break;
	case TJ_CMD_SET_SPEED: tj_set_speed(j, (unsigned)(c[1] | c[2] << 8)); break;
	case TJ_CMD_HW_STATUS: tj_hw_status(j); break;
	case TJ_CMD_TARGET_POWER: j->power = c[1] != 0; break;
	case TJ_CMD_GET_SPEEDS:
		r = tj_reply(j, 6);
		tj_put32(r, TJ_BASE_HZ);
		tj_put16(r + 4, TJ_MIN_DIV);
		break;
	case TJ_CMD_HW_INFO: tj_hw_info(j, tj_get32(c + 1)); break;
	case TJ_CMD_SELECT_TIF: tj_select_tif(j, c[1]); break;
	case TJ_CMD_IO_V2: case TJ_CMD_IO_V3: tj_io(j, c); break;
	case TJ_CMD_FREE_MEMORY: tj_put32(tj_reply(j, 4), TJ_FREE_MEMORY); break;
	case TJ_CMD_CLEAR_RESET:
	case TJ_CMD_SET_RESET:
		j->nrst_low = c[0] == TJ_CMD_CLEAR_RESET;
		tw_dap_set_nrst(j->t->dap, j->nrst_low);
		break;
	case TJ_CMD_CLEAR_TRST:
		if (j->jtag)
			tw_jtag_trst(j->jtag);
		break;
	case TJ_CMD_SET_TRST: break;
	case TJ_CMD_CAPS: tj_put32(tj_reply(j, 4), TJ_CAPS); break;
	case TJ_CMD_EXT_CAPS: tj_put32(tj_reply(j, 32), TJ_CAPS); break;
	case TJ_CMD_HW_VERSION: tj_put32(tj_reply(j, 4), TJ_HW_VERSION); break;
	default: break;
	}
}

/* ---- endpoints ---- */

tw_jlink_status tw_jlink_out(tw_jlink *j, uint8_t ep, const uint8_t *buf, size_t len,
			     size_t *accepted)
{
	*accepted = 0;
	if (ep != TW_JLINK_EP_OUT)
		return TW_JLINK_STALL;
	size_t at = 0;
	while (at < len) {
		/* a command starts only when its largest reply fits: else the OUT endpoint NAKs
		 * until the host reads its replies */
		if (j->cmd_len == 0 && TJ_REPLY_MAX - (j->reply_len - j->reply_pos) < TJ_REPLY_ROOM) {
			*accepted = at;
			return TW_JLINK_NAK;
		}
		j->cmd[j->cmd_len++] = buf[at++];
		long need = tj_cmd_size(j);
		if (need < 0) {
			j->cmd_len = 0;
			break; /* unknown: the rest of the transfer is dropped */
		}
		if (need == 0)
			continue;
		size_t take = (size_t)need - j->cmd_len;
		take = take < len - at ? take : len - at;
		memcpy(j->cmd + j->cmd_len, buf + at, take);
		j->cmd_len += take, at += take;
		if (j->cmd_len == (size_t)need) {
			tj_execute(j);
			j->cmd_len = 0;
		}
	}
	*accepted = len;
	return TW_JLINK_OK;
}

size_t tw_jlink_in(tw_jlink *j, uint8_t ep, uint8_t *buf, size_t cap)
{
	if (ep != TW_JLINK_EP_IN)
		return 0;
	size_t n = j->reply_len - j->reply_pos;
	n = n < cap ? n : cap;
	memcpy(buf, j->reply + j->reply_pos, n);
	j->reply_pos += n;
	return n;
}

bool tw_jlink_busy(const tw_jlink *j)
{
	return j->reply_len != j->reply_pos;
}
