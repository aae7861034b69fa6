/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `twin-swd:PATH` connection (see swd_backend.h): opens (and locks) the state file of a twin
 * of any model that offers a debug port, binds the debug port to it (chip_port.c) and hands out
 * the bit-level SWD probe
 * (swd_probe.c) as the transport. Closing saves the twin. */
#include "debug/swd_backend.h"

#include <stdio.h>
#include <stdlib.h>

#include "debug/chip_port.h"
#include "debug/swd_probe.h"
#include "flashkey/backend.h"

typedef struct twin_swd {
	tw_swd_probe probe; /* first: the transport handle is this struct */
	tw_chip_port port;
	tw_chip *chip;
} twin_swd;

static int twin_swd_vtarget(void *user)
{
	return tw_chip_voltage_mv(user);
}

static void twin_swd_close(void *h)
{
	twin_swd *w = h;
	tw_swd_free(w->probe.swd);
	tw_dap_free(w->probe.dap);
	tw_chip_close(w->chip, NULL);
	free(w);
}

static int twin_swd_sync(void *h, fk_ctx *ctx)
{
	return tw_chip_sync(((twin_swd *)h)->chip, ctx);
}

static int twin_swd_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			 fk_transport *out)
{
	twin_swd *w = calloc(1, sizeof(*w));
	if (!w)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the twin's SWD port");
	int rc = tw_chip_connect(ctx, arg, &w->chip);
	if (rc < 0) {
		free(w);
		return rc;
	}
	w->probe.dap = tw_chip_port_open(&w->port, w->chip, ctx, "twin-swd:");
	if (!w->probe.dap) {
		rc = fk_ctx_error(ctx);
		twin_swd_close(w);
		return rc;
	}
	w->probe.swd = tw_swd_new(w->probe.dap);
	w->probe.idle_cycles = 2;
	w->probe.vtarget_mv = twin_swd_vtarget;
	w->probe.vtarget_user = w->chip;
	if (!w->probe.swd) {
		twin_swd_close(w);
		return fk_fail(ctx, FK_E_NOMEM, "allocating the twin's SWD port");
	}
	if (opts && opts->swd_khz)
		tw_dap_set_clock_hz(w->probe.dap, opts->swd_khz * 1000u);
	out->kind = FK_TRANSPORT_DAP;
	out->ops = &tw_swd_probe_ops;
	out->handle = w;
	out->close = twin_swd_close;
	out->sync = twin_swd_sync;
	snprintf(out->description, sizeof(out->description), "twin %s at %s over SWD",
		 tw_chip_variant(w->chip), arg);
	return 0;
}

void twin_swd_register(void)
{
	fk_backend_register("twin-swd", twin_swd_open,
			    "twin-swd:PATH   a twin through its SWD debug port (wire level)");
}
