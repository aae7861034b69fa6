/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: a WCH CH341A USB bridge in its SPI/I2C ("EPP/I2C", 1a86:5512) mode, in front of a
 * twin's SPI port (tw_spi_port, twin/model.h), as flashrom's ch341a_spi programmer drives it.
 *
 * Sources (facts only; no code taken): flashrom 1.3 ch341a_spi.c (the command bytes and their
 * meaning, the 32-byte packet, the pin map of the UIO stream, the bit order, the measured 750 ns
 * of one UIO instruction) and WCH's CH341DLL.H constants it restates (mCH341A_CMD_*):
 *   The host writes 32-byte packets to bulk OUT 0x02; the first byte of each packet is a
 *   command, and a command ends with its packet:
 *     0xA8 SPI_STREAM  the packet's other bytes are shifted out on D5 (MOSI) with D3 (SCK), least
 *                      significant bit first; as many bytes shifted in on D7 (MISO) come back
 *                      as one packet on bulk IN 0x82 (the host reverses each byte's bits both
 *                      ways: flashrom reverse_byte)
 *     0xAB UIO_STREAM  instructions up to 0x20 (END): 0x80|v sets the output levels of D5..D0
 *                      (D0 = CS0# of the SPI flash, D3 = SCK, D5 = MOSI), 0x40|v their
 *                      directions (1 = output), 0xC0|n waits n microseconds, 0x00 reads the
 *                      pins (one byte back on bulk IN)
 *     0xAA I2C_STREAM  instructions up to 0x00 (END): 0x60|s sets the stream speed (bits 1-0
 *                      the I2C rate, bit 2 a second SPI data pair)
 *   flashrom selects the chip with a UIO packet {AB, 80|37 (CS high), 80|36 (CS low), 20} in
 *   front of each command's SPI packets and leaves /CS low until the next command's packet.
 *
 * Choices no source confirms (UNCONFIRMED):
 * - the SPI clock in stream mode: 1.5 MHz (no WCH figure found; bench users report 1-2 MHz);
 * - the bytes after a UIO or I2C END in the same packet are ignored (flashrom pads them with
 *   zeros); unknown command bytes (0xA1 SET_OUTPUT, 0xA2, 0xA3, 0xA9 SIO_STREAM) are ignored;
 * - the dual-data SPI mode (0x60|4) is not modelled: a SPI packet then reads back 0xFF;
 * - I2C instructions other than SET and END find no device: each 0xC0|n (IN) returns n bytes
 *   0xFF;
 * - the device holds up to 256 reply packets; past that its OUT endpoint NAKs until the host
 *   reads (real firmware holds far fewer and relies on the host's queued IN transfers).
 * Time: each SPI byte costs 8 SCK periods, each UIO instruction 750 ns, a wait its microseconds,
 * charged to the twin's clock through the target's bus; USB packet times are usb_emu.c's. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "model.h"
#include "probe/probe_emu.h"

#define CH_PKT 32u
#define CH_MAX_REPLIES 256u
#define CH_SCK_HZ 1500000u
#define CH_UIO_NS 750u

#define CH_CMD_SPI 0xA8u
#define CH_CMD_I2C 0xAAu
#define CH_CMD_UIO 0xABu
#define CH_UIO_END 0x20u
#define CH_PIN_CS 0x01u

struct tw_ch341a {
	tw_probe_target *t;
	uint8_t out, dir;      /* UIO output levels and directions, D5..D0 */
	bool selected;         /* CS0# driven low */
	bool dual;             /* 0x60|4: two data pairs (not modelled) */
	uint8_t i2c_speed;
	uint8_t reply[CH_MAX_REPLIES][CH_PKT];
	uint8_t reply_len[CH_MAX_REPLIES];
	unsigned head, count;
	tw_ch341a_stats st;
};

static uint8_t ch_rev(uint8_t b)
{
	b = (uint8_t)((b & 0xF0u) >> 4 | (b & 0x0Fu) << 4);
	b = (uint8_t)((b & 0xCCu) >> 2 | (b & 0x33u) << 2);
	return (uint8_t)((b & 0xAAu) >> 1 | (b & 0x55u) << 1);
}

tw_ch341a *tw_ch341a_new(tw_probe_target *t)
{
	if (!t || !t->spi)
		return NULL;
	tw_ch341a *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->t = t;
	c->out = 0x37; /* after power-up: as flashrom leaves the pins (UNCONFIRMED) */
	return c;
}

void tw_ch341a_free(tw_ch341a *c)
{
	if (!c)
		return;
	if (c->selected)
		c->t->spi->select(c->t->spi_m, false);
	free(c);
}

const tw_ch341a_stats *tw_ch341a_stats_of(const tw_ch341a *c)
{
	return &c->st;
}

static void ch_advance(tw_ch341a *c, uint64_t ns)
{
	c->t->bus->advance(c->t->bus_h, ns);
}

static bool ch_powered(const tw_ch341a *c)
{
	return !c->t->bus->powered || c->t->bus->powered(c->t->bus_h);
}

/* /CS follows D0 while D0 is an output; an input (or the pins disabled) floats high: the
 * board's pull-up deselects the chip. */
static void ch_pins(tw_ch341a *c)
{
	bool sel = (c->dir & CH_PIN_CS) && !(c->out & CH_PIN_CS);
	if (sel == c->selected)
		return;
	c->selected = sel;
	c->t->spi->select(c->t->spi_m, sel);
	if (sel)
		c->st.selects++;
}

static uint8_t *ch_reply_slot(tw_ch341a *c)
{
	unsigned i = (c->head + c->count) % CH_MAX_REPLIES;
	c->count++;
	c->reply_len[i] = 0;
	return c->reply[i];
}

static void ch_spi(tw_ch341a *c, const uint8_t *p, size_t n)
{
	if (n == 0)
		return; /* an empty stream packet shifts nothing and answers nothing */
	uint8_t *r = ch_reply_slot(c);
	unsigned slot = (c->head + c->count - 1) % CH_MAX_REPLIES;
	bool live = c->selected && !c->dual && ch_powered(c);
	for (size_t i = 0; i < n; i++) {
		ch_advance(c, 8ull * 1000000000ull / CH_SCK_HZ);
		uint8_t miso = live ? c->t->spi->exchange(c->t->spi_m, ch_rev(p[i])) : 0xFF;
		r[i] = ch_rev(miso);
	}
	c->reply_len[slot] = (uint8_t)n;
	c->st.spi_bytes += n;
}

static void ch_uio(tw_ch341a *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && p[i] != CH_UIO_END; i++) {
		uint8_t v = p[i] & 0x3Fu;
		switch (p[i] & 0xC0u) {
		case 0x80:
			c->out = v;
			ch_advance(c, CH_UIO_NS);
			ch_pins(c);
			break;
		case 0x40:
			c->dir = v;
			ch_advance(c, CH_UIO_NS);
			ch_pins(c);
			break;
		case 0xC0:
			ch_advance(c, (uint64_t)v * 1000u);
			break;
		default:
			if (p[i] == 0x00) { /* read the pins: D7 = MISO idles high */
				uint8_t *r = ch_reply_slot(c);
				unsigned slot = (c->head + c->count - 1) % CH_MAX_REPLIES;
				r[0] = (uint8_t)(0x80u | (c->out & c->dir));
				c->reply_len[slot] = 1;
			}
			break;
		}
	}
}

static void ch_i2c(tw_ch341a *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && p[i] != 0x00; i++) {
		if ((p[i] & 0xF8u) == 0x60u) {
			c->i2c_speed = p[i] & 0x03u;
			c->dual = (p[i] & 0x04u) != 0;
		} else if ((p[i] & 0xC0u) == 0xC0u && (p[i] & 0x3Fu)) {
			uint8_t *r = ch_reply_slot(c);
			unsigned slot = (c->head + c->count - 1) % CH_MAX_REPLIES;
			unsigned k = FK_MIN(p[i] & 0x3Fu, CH_PKT);
			memset(r, 0xFF, k);
			c->reply_len[slot] = (uint8_t)k;
		}
	}
}

/* Replies one packet can add (the worst case of a UIO or I2C packet: one per byte). */
static unsigned ch_replies_needed(const uint8_t *p, size_t n)
{
	if (p[0] == CH_CMD_SPI)
		return n > 1;
	if (p[0] != CH_CMD_UIO && p[0] != CH_CMD_I2C)
		return 0;
	return (unsigned)n;
}

tw_ch341a_status tw_ch341a_out(tw_ch341a *c, uint8_t ep, const uint8_t *buf, size_t len,
			       size_t *accepted)
{
	*accepted = 0;
	if (ep != TW_CH341A_EP_OUT)
		return TW_CH341A_STALL;
	while (*accepted < len) {
		const uint8_t *p = buf + *accepted;
		size_t n = FK_MIN(len - *accepted, (size_t)CH_PKT);
		if (c->count + ch_replies_needed(p, n) > CH_MAX_REPLIES)
			return TW_CH341A_NAK;
		c->st.packets++;
		if (p[0] == CH_CMD_SPI)
			ch_spi(c, p + 1, n - 1);
		else if (p[0] == CH_CMD_UIO)
			ch_uio(c, p + 1, n - 1);
		else if (p[0] == CH_CMD_I2C)
			ch_i2c(c, p + 1, n - 1);
		else
			c->st.ignored++;
		*accepted += n;
	}
	return TW_CH341A_OK;
}

size_t tw_ch341a_in(tw_ch341a *c, uint8_t ep, uint8_t *buf, size_t cap)
{
	if (ep != TW_CH341A_EP_IN || c->count == 0)
		return 0;
	unsigned i = c->head;
	size_t n = FK_MIN((size_t)c->reply_len[i], cap);
	memcpy(buf, c->reply[i], n);
	if (n < c->reply_len[i]) { /* a short read keeps the rest for the next one */
		memmove(c->reply[i], c->reply[i] + n, c->reply_len[i] - n);
		c->reply_len[i] = (uint8_t)(c->reply_len[i] - n);
		return n;
	}
	c->head = (c->head + 1) % CH_MAX_REPLIES;
	c->count--;
	return n;
}

bool tw_ch341a_pending(const tw_ch341a *c)
{
	return c->count > 0;
}
