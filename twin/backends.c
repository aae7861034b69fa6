/* Registration of the twin's connection schemes with libflashkey (see fktwin.h). */
#include "fktwin/fktwin.h"

void fktwin_register_backends(void)
{
	/* The STM32F4 twin registers "twin" here once its in-process access path exists. */
}
