/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registration of the twin's connection schemes with libflashkey (see fktwin.h). */
#include <stdbool.h>

#include "fktwin/fktwin.h"
#include "debug/swd_backend.h"
#include "probe/targets.h"
#include "stream.h"
#include "twin_mem.h"
#include "twin_spi.h"

void fktwin_register_backends(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	twin_mem_register();
	tw_probe_register(); /* emulated probes: twin-stlink:, twin-cmsis-dap:, USB seam */
	twin_swd_register();
	tw_spi_register(); /* twin-spi: a SPI programmer on a twin's SPI flash */
	fk_backend_register("twin-uart", tw_uart_open,
			    "twin-uart:PATH  the twin's ROM bootloader UART (STM32: AN3155), in-process");
	fk_backend_register("twin-esp", tw_esp_uart_open,
			    "twin-esp:PATH  the twin's Espressif serial ROM loader (ESP32, ESP32-C3), "
			    "in-process");
	fk_backend_register("twin-lpc", tw_lpc_uart_open,
			    "twin-lpc:PATH[,XTAL_KHZ]  the twin's NXP LPC boot ROM UART ISP (LPC1768, "
			    "LPC812), in-process");
}
