/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: targets an emulated probe can be plugged into.
 *   membus  the debug port over a bare memory bus (debug/membus.h): tests and benchmarks of the
 *           probe path without a chip model; the bus outlives the session (tw_probe_membus()).
 * The state-file target (a twin of any model with a debug port) is in targets_chip.c. */
#include <stdlib.h>

#include "debug/membus.h"
#include "probe/probe_emu.h"
#include "probe/targets.h"

static tw_membus *tw_shared_membus;

tw_membus *tw_probe_membus(void)
{
	if (!tw_shared_membus)
		tw_shared_membus = tw_membus_new();
	return tw_shared_membus;
}

void tw_probe_membus_reset(void)
{
	tw_membus_free(tw_shared_membus);
	tw_shared_membus = NULL;
}

static void tw_target_membus_release(tw_probe_target *t, fk_ctx *ctx)
{
	(void)ctx;
	tw_dap_free(t->dap);
	t->dap = NULL;
}

int tw_target_open_membus(fk_ctx *ctx, const char *arg, tw_probe_target *out)
{
	(void)arg;
	tw_membus *m = tw_probe_membus();
	if (!m)
		return fk_fail(ctx, FK_E_NOMEM, "creating the memory bus");
	out->bus = &tw_membus_bus;
	out->bus_h = m;
	out->dap = tw_dap_new(&tw_membus_bus, m);
	out->release = tw_target_membus_release;
	out->owner = NULL;
	return out->dap ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "creating the debug port");
}
