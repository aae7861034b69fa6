/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The built-in doctor catalogue loaded once per test group (cmocka group setup/teardown), shared
 * by the doctor unit tests: `cat` is the catalogue; a load failure is printed with its chain. */
#ifndef FK_TEST_DOCTOR_FIXTURE_H
#define FK_TEST_DOCTOR_FIXTURE_H

#include <stdio.h>

#include "flashkey/doctor.h"

static fk_doctor_catalogue *cat;

static int setup(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	int rc = fk_doctor_load_builtin(ctx, &cat);
	if (rc) {
		char buf[FK_CHAIN_MSG_MAX];
		fprintf(stderr, "catalogue: %s\n", fk_ctx_message(ctx, buf, sizeof buf));
	}
	fk_ctx_free(ctx);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	fk_doctor_free(cat);
	return 0;
}

#endif
