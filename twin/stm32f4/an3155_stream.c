/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4's AN3155 bootloader as an in-process stream on an F4 the caller owns (unit tests,
 * benchmarks): the generic twin-uart transport (twin/stream_uart.c) over the F4 model's "an3155"
 * port. The `twin-uart:PATH` backend itself is generic (stream.h). */
#include <stdlib.h>

#include "stm32f4/an3155_stream.h"
#include "stm32f4/model_int.h"
#include "stream.h"

int tw_uart_attach(tw_f4 *chip, const tw_an3155_cfg *cfg, fk_transport *out)
{
	tw_chip *c = tw_chip_borrow(&tw_model_stm32f4, chip);
	const tw_stream_port *port = c ? tw_chip_stream(c, NULL, "", "an3155") : NULL;
	if (!port) {
		tw_chip_free(c);
		return FK_E_NOMEM;
	}
	tw_an3155 *srv = tw_an3155_new(chip, cfg); /* all of cfg, go_budget included */
	int rc = srv ? tw_stream_adopt(c, port, srv, true, out) : FK_E_NOMEM;
	if (rc) {
		tw_an3155_free(srv);
		tw_chip_free(c);
	}
	return rc;
}

tw_an3155 *tw_uart_server(void *handle)
{
	return tw_uart_session(handle);
}

tw_f4 *tw_uart_chip(void *handle)
{
	return tw_chip_impl(tw_uart_twin(handle));
}
