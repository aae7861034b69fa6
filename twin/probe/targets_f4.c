/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: the STM32F4 twin in a state file as the target of an emulated probe. The file is
 * opened (and locked) when the host opens the probe, and saved and unlocked when it closes it;
 * the debug port is the one every path shares (debug/f4_port.h). */
#include <stdlib.h>

#include "debug/f4_port.h"
#include "probe/probe_emu.h"
#include "probe/targets.h"

typedef struct tw_f4_target {
	tw_f4 *chip;
	tw_f4_port port;
} tw_f4_target;

static void tw_f4_target_release(tw_probe_target *t, fk_ctx *ctx)
{
	tw_f4_target *x = t->owner;
	tw_dap_free(t->dap);
	tw_f4_close(x->chip, ctx);
	free(x);
	t->dap = NULL;
}

static int tw_target_open_f4(fk_ctx *ctx, const char *path, tw_probe_target *out)
{
	tw_f4_target *x = calloc(1, sizeof *x);
	if (!x)
		return fk_fail(ctx, FK_E_NOMEM, "opening %s", path);
	int rc = tw_f4_open(ctx, path, &x->chip);
	if (rc) {
		free(x);
		return rc;
	}
	out->dap = tw_f4_port_open(&x->port, x->chip);
	if (!out->dap) {
		tw_f4_close(x->chip, ctx);
		free(x);
		return fk_fail(ctx, FK_E_NOMEM, "creating the debug port of %s", path);
	}
	out->bus = &tw_f4_port_bus;
	out->bus_h = &x->port;
	out->release = tw_f4_target_release;
	out->owner = x;
	return FK_OK;
}

tw_target_open_fn tw_target_open_state(fk_ctx *ctx, const char *path)
{
	(void)ctx, (void)path;
	return tw_target_open_f4;
}
