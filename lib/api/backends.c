/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registration of the library's own connection schemes (serial bootloader, debug probes).
 * Each access-path module adds one line here. */
#include "core/core.h"
#include "link/serial.h"
#include "probe/ch341a.h"
#include "probe/cmsis_dap.h"
#include "probe/jlink.h"
#include "probe/serprog.h"
#include "probe/stlink.h"

void fk_register_builtin_backends(void)
{
	fk_backend_register("uart", serial_open,
			    "uart:DEVICE[@BAUD]  STM32 ROM bootloader (AN3155) on a serial port, 8E1");
	fk_backend_register("esp", serial_open_esp,
			    "esp:DEVICE[@BAUD]  Espressif serial ROM loader (ESP32, ESP32-C3) on a serial "
			    "port, 8N1; --before/--after as esptool");
	fk_backend_register("lpc", serial_open_lpc,
			    "lpc:DEVICE[@BAUD][,XTAL_KHZ]  NXP LPC boot ROM UART ISP (LPC17xx, LPC8xx), "
			    "8N1; --boot-seq control drives RESET (DTR) and ISP (RTS) as lpc21isp -control");
	fk_backend_register("stlink", stlink_open,
			    "stlink[:SERIAL]  ST-LINK V2/V2-1/V3 over USB (SWD)");
	fk_backend_register("cmsis-dap", cmsis_dap_open_usb,
			    "cmsis-dap[:SERIAL]  CMSIS-DAP v2 (USB bulk) or v1 (HID) probe (SWD)");
	fk_backend_register("jlink", jlink_open,
			    "jlink[:SERIAL]  SEGGER J-Link through libjaylink (SWD)");
	fk_backend_register("cmsis-dap-tcp", cmsis_dap_open_tcp,
			    "cmsis-dap-tcp:HOST[:PORT]  CMSIS-DAP over TCP (default port 4441)");
	fk_backend_register("serprog", serprog_open,
			    "serprog:DEVICE[@BAUD]  SPI flash programmer speaking serprog (8N1, "
			    "default 115200; --speed sets the SPI clock in kHz)");
	fk_backend_register("ch341a", ch341a_open,
			    "ch341a[:N]  WCH CH341A USB SPI flash programmer (1a86:5512); N = which "
			    "one (position or location) when several are attached");
}
