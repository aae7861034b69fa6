/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serprog device side (interface version 1). Sources: flashrom's serprog protocol description
 * (Documentation/serprog-protocol.txt, serprog.h) and serprog.c as summarised in
 * ../shared/reference/spi-nor.md §7: every command is one byte plus fixed parameters (O_SPIOP:
 * u24 slen, u24 rlen, slen bytes); the device answers ACK 0x06 and the return bytes, or NAK
 * 0x15; multi-byte values little-endian; SYNCNOP answers NAK then ACK.
 *
 * What this programmer offers (its command map): NOP, Q_IFACE, Q_CMDMAP, Q_PGMNAME, Q_SERBUF,
 * Q_BUSTYPE (SPI only), Q_WRNMAXLEN, SYNCNOP, Q_RDNMAXLEN, S_BUSTYPE, O_SPIOP, S_SPI_FREQ,
 * S_PIN_STATE. Parallel/LPC/FWH commands (R_BYTE, O_INIT, O_WRITEB, ...) are not in the map and
 * are refused with NAK. O_SPIOP: /CS low, slen bytes out (what comes back is dropped), rlen
 * bytes in while 0xFF is shifted out, /CS high (the conventional meaning; UNCONFIRMED as
 * normative text, reference §7). With the output drivers off (S_PIN_STATE 0) the chip is not
 * driven: /CS stays high and every byte read is 0xFF (a pulled-up MISO; UNCONFIRMED choice).
 * S_SPI_FREQ: the programmer runs 1 kHz..16 MHz (a choice for the twin) and answers the
 * frequency it set; 0 is refused (NAK) as the protocol says. */
#include <stdlib.h>
#include <string.h>

#include "spinor/serprog.h"

#define SP_ACK 0x06
#define SP_NAK 0x15
#define SP_MAXHZ 16000000U
#define SP_MINHZ 1000U

enum {
	SP_NOP = 0x00, SP_Q_IFACE, SP_Q_CMDMAP, SP_Q_PGMNAME, SP_Q_SERBUF, SP_Q_BUSTYPE,
	SP_Q_CHIPSIZE, SP_Q_OPBUF, SP_Q_WRNMAXLEN, SP_R_BYTE, SP_R_NBYTES, SP_O_INIT,
	SP_O_WRITEB, SP_O_WRITEN, SP_O_DELAY, SP_O_EXEC, SP_SYNCNOP, SP_Q_RDNMAXLEN,
	SP_S_BUSTYPE, SP_O_SPIOP, SP_S_SPI_FREQ, SP_S_PIN_STATE,
};

struct tw_serprog {
	tw_spinor *chip;
	tw_serprog_cfg cfg;
	uint8_t in[7 + TW_SERPROG_WRNMAX];
	size_t nin;
	uint8_t *out;
	size_t nout, capout;
	uint32_t hz;
	bool drivers, touched;
};

static bool sp_supported(uint8_t cmd)
{
	switch (cmd) {
	case SP_NOP: case SP_Q_IFACE: case SP_Q_CMDMAP: case SP_Q_PGMNAME: case SP_Q_SERBUF:
	case SP_Q_BUSTYPE: case SP_Q_WRNMAXLEN: case SP_SYNCNOP: case SP_Q_RDNMAXLEN:
	case SP_S_BUSTYPE: case SP_O_SPIOP: case SP_S_SPI_FREQ: case SP_S_PIN_STATE:
		return true;
	default:
		return false;
	}
}

tw_serprog *tw_serprog_new(tw_spinor *chip, const tw_serprog_cfg *cfg)
{
	tw_serprog *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->chip = chip;
	s->cfg = *cfg;
	s->hz = 8000000U; /* until the host sets one (a twin choice) */
	s->drivers = true;
	tw_spinor_set_sck(chip, s->hz);
	return s;
}

void tw_serprog_free(tw_serprog *s)
{
	if (!s)
		return;
	free(s->out);
	free(s);
}

static void sp_charge(tw_serprog *s, size_t bytes)
{
	if (s->cfg.charge_time && s->cfg.baud)
		tw_spinor_advance(s->chip, (uint64_t)bytes * 10U * 1000000000ULL / s->cfg.baud);
}

static bool sp_reserve(tw_serprog *s, size_t more)
{
	if (s->nout + more <= s->capout)
		return true;
	size_t cap = s->capout ? s->capout : 4096;
	while (cap < s->nout + more)
		cap *= 2;
	uint8_t *n = realloc(s->out, cap);
	if (!n)
		return false;
	s->out = n;
	s->capout = cap;
	return true;
}

static void sp_put(tw_serprog *s, const uint8_t *b, size_t n)
{
	if (!sp_reserve(s, n))
		return;
	memcpy(s->out + s->nout, b, n);
	s->nout += n;
	sp_charge(s, n);
}

static void sp_byte(tw_serprog *s, uint8_t b)
{
	sp_put(s, &b, 1);
}

static void sp_ack_le(tw_serprog *s, uint32_t v, unsigned n)
{
	uint8_t b[5] = {SP_ACK};
	for (unsigned i = 0; i < n; i++)
		b[1 + i] = (uint8_t)(v >> (8 * i));
	sp_put(s, b, 1 + n);
}

static uint32_t sp_le(const uint8_t *b, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

/* Bytes the command needs in s->in (command byte included); 0 = not known yet. */
static size_t sp_need(const tw_serprog *s)
{
	switch (s->in[0]) {
	case SP_S_BUSTYPE:
	case SP_S_PIN_STATE:
		return 2;
	case SP_S_SPI_FREQ:
		return 5;
	case SP_O_SPIOP:
		if (s->nin < 7)
			return 7;
		return 7 + sp_le(s->in + 1, 3);
	default:
		return 1;
	}
}

static void sp_spiop(tw_serprog *s)
{
	uint32_t slen = sp_le(s->in + 1, 3), rlen = sp_le(s->in + 4, 3);
	if (rlen > TW_SERPROG_RDNMAX || !sp_reserve(s, 1 + rlen)) {
		sp_byte(s, SP_NAK);
		return;
	}
	s->out[s->nout++] = SP_ACK;
	uint8_t *rx = s->out + s->nout;
	if (s->drivers) {
		tw_spinor_cs_assert(s->chip);
		tw_spinor_exchange(s->chip, s->in + 7, NULL, slen);
		tw_spinor_exchange(s->chip, NULL, rx, rlen);
		tw_spinor_cs_release(s->chip);
		s->touched = true;
	} else {
		memset(rx, 0xFF, rlen);
	}
	s->nout += rlen;
	sp_charge(s, 1 + rlen);
}

static void sp_freq(tw_serprog *s)
{
	uint32_t hz = sp_le(s->in + 1, 4);
	if (hz == 0) {
		sp_byte(s, SP_NAK);
		return;
	}
	s->hz = hz > SP_MAXHZ ? SP_MAXHZ : (hz < SP_MINHZ ? SP_MINHZ : hz);
	tw_spinor_set_sck(s->chip, s->hz);
	sp_ack_le(s, s->hz, 4);
}

static void sp_exec(tw_serprog *s)
{
	static const char name[16] = "flashkey-twin";
	uint8_t cmd = s->in[0];
	switch (cmd) {
	case SP_NOP:
		sp_byte(s, SP_ACK);
		break;
	case SP_Q_IFACE:
		sp_ack_le(s, 1, 2);
		break;
	case SP_Q_CMDMAP: {
		uint8_t m[33] = {SP_ACK};
		for (unsigned c = 0; c < 256; c++)
			if (sp_supported((uint8_t)c))
				m[1 + c / 8] |= (uint8_t)(1U << (c % 8));
		sp_put(s, m, sizeof m);
		break;
	}
	case SP_Q_PGMNAME:
		sp_byte(s, SP_ACK);
		sp_put(s, (const uint8_t *)name, sizeof name);
		break;
	case SP_Q_SERBUF:
		sp_ack_le(s, 0xFFFF, 2); /* flow control of the pty is reliable */
		break;
	case SP_Q_BUSTYPE:
		sp_ack_le(s, 0x08, 1); /* SPI only */
		break;
	case SP_Q_WRNMAXLEN:
		sp_ack_le(s, TW_SERPROG_WRNMAX, 3);
		break;
	case SP_Q_RDNMAXLEN:
		sp_ack_le(s, TW_SERPROG_RDNMAX, 3);
		break;
	case SP_SYNCNOP:
		sp_byte(s, SP_NAK);
		sp_byte(s, SP_ACK);
		break;
	case SP_S_BUSTYPE:
		sp_byte(s, (s->in[1] & ~0x08U) ? SP_NAK : SP_ACK);
		break;
	case SP_S_PIN_STATE:
		s->drivers = s->in[1] != 0;
		sp_byte(s, SP_ACK);
		break;
	case SP_S_SPI_FREQ:
		sp_freq(s);
		break;
	case SP_O_SPIOP:
		sp_spiop(s);
		break;
	default:
		sp_byte(s, SP_NAK); /* not in our command map */
		break;
	}
}

unsigned tw_serprog_input(tw_serprog *s, const uint8_t *in, size_t n)
{
	unsigned ran = 0;
	for (size_t i = 0; i < n; i++) {
		s->in[s->nin++] = in[i];
		sp_charge(s, 1);
		size_t need = sp_need(s);
		if (s->in[0] == SP_O_SPIOP && s->nin == 7 && need > sizeof s->in) {
			/* slen above what we announced: refuse, and drop the command byte and the
			 * lengths; the data bytes that follow will be read as commands (NAK each) */
			sp_byte(s, SP_NAK);
			s->nin = 0;
			continue;
		}
		if (s->nin < need)
			continue;
		sp_exec(s);
		s->nin = 0;
		ran++;
	}
	return ran;
}

const uint8_t *tw_serprog_output(const tw_serprog *s, size_t *n)
{
	*n = s->nout;
	return s->out;
}

void tw_serprog_consume(tw_serprog *s, size_t n)
{
	if (n >= s->nout) {
		s->nout = 0;
		return;
	}
	memmove(s->out, s->out + n, s->nout - n);
	s->nout -= n;
}

bool tw_serprog_touched(tw_serprog *s)
{
	bool t = s->touched;
	s->touched = false;
	return t;
}

uint32_t tw_serprog_spi_hz(const tw_serprog *s)
{
	return s->hz;
}

bool tw_serprog_drivers_on(const tw_serprog *s)
{
	return s->drivers;
}
