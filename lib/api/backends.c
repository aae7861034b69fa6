/* Registration of the library's own connection schemes (serial bootloader, debug probes).
 * Each access-path module adds one line here. */
#include "core/core.h"

void fk_register_builtin_backends(void)
{
	/* uart: (lib/link/serial + boot/stm32_usart), stlink:, cmsis-dap: register here. */
}
