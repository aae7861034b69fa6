/* flashkey -c CONN doctor [TEXT]: the live forms of doctor (docs/DOCTOR.md). They need the chip
 * session (include/flashkey/flashkey.h), whose implementation lands with the STM32F4 driver;
 * until then they refuse honestly and point to the offline form. */
#include "cmd_doctor.h"

static int doctor_live_missing(cli_env *e)
{
	fk_hint(e->ctx, "run `flashkey doctor \"TEXT\"` without -c for the offline diagnosis");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED,
		       "doctor on a live chip (-c %s) needs the chip session, not built yet",
		       e->connection);
}

int doctor_live(cli_env *e, const fk_doctor_catalogue *cat, const char *text, size_t len)
{
	(void)cat;
	(void)text;
	(void)len;
	return doctor_live_missing(e);
}

int doctor_health(cli_env *e, const fk_doctor_catalogue *cat)
{
	(void)cat;
	return doctor_live_missing(e);
}
