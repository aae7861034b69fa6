/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `twin-spi:PATH[@HZ]` in-process SPI programmer backend (twin_spi.c). */
#ifndef TW_TWIN_SPI_H
#define TW_TWIN_SPI_H

#include <stdbool.h>
#include <stdint.h>

#include "chip.h"
#include "flashkey/backend.h"

void tw_spi_register(void);
/* The same transport on a chip in memory (tests, benchmarks): hz = SCK (0: 8 MHz); closing
 * frees the host end, and closes the chip too if take_chip. Refused (FK_E_UNSUPPORTED) for a
 * model without a SPI port. */
int tw_spi_attach(fk_ctx *ctx, tw_chip *chip, uint32_t hz, bool take_chip, fk_transport *out);
/* For tests holding a twin-spi transport's handle: the chip. */
tw_chip *tw_spi_twin(void *handle);

#endif
