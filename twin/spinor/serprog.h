/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A serprog programmer in front of a SPI NOR twin: the device side of the serial flasher
 * protocol (interface version 1) as flashrom speaks it. Bytes from the host go in, reply bytes
 * come out; SPI operations are carried out on the chip's bus API (fktwin/spinor.h). The
 * decoder knows nothing about the chip: it only moves /CS and bytes. */
#ifndef TW_SPINOR_SERPROG_H
#define TW_SPINOR_SERPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fktwin/spinor.h"

#define TW_SERPROG_WRNMAX 4096U   /* O_SPIOP slen limit we announce (Q_WRNMAXLEN) */
#define TW_SERPROG_RDNMAX 65536U  /* O_SPIOP rlen limit we announce (Q_RDNMAXLEN) */

typedef struct tw_serprog_cfg {
	uint32_t baud;     /* charge the virtual clock 10 bits per byte each way; 0 = free */
	bool charge_time;  /* false with --realtime: the server advances the clock itself */
} tw_serprog_cfg;

typedef struct tw_serprog tw_serprog;

tw_serprog *tw_serprog_new(tw_spinor *chip, const tw_serprog_cfg *cfg);
void tw_serprog_free(tw_serprog *s);
/* Feed n host bytes; complete commands are executed at once. Returns how many commands ran. */
unsigned tw_serprog_input(tw_serprog *s, const uint8_t *in, size_t n);
/* Reply bytes waiting to go to the host; tw_serprog_consume removes the first n. */
const uint8_t *tw_serprog_output(const tw_serprog *s, size_t *n);
void tw_serprog_consume(tw_serprog *s, size_t n);
/* True when the last command could have changed the chip (an O_SPIOP was run). */
bool tw_serprog_touched(tw_serprog *s);
/* SPI clock (S_SPI_FREQ) and whether the output drivers are on (S_PIN_STATE). */
uint32_t tw_serprog_spi_hz(const tw_serprog *s);
bool tw_serprog_drivers_on(const tw_serprog *s);

#endif
