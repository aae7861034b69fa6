/* Registration of the library's own connection schemes (serial bootloader, debug probes).
 * Each access-path module adds one line here. */
#include "core/core.h"
#include "link/serial.h"

void fk_register_builtin_backends(void)
{
	fk_backend_register("uart", serial_open,
			    "uart:DEVICE[@BAUD]  STM32 ROM bootloader (AN3155) on a serial port, 8E1");
	/* stlink:, cmsis-dap: register here. */
}
