/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: a twin in a state file (any model that offers a debug port or a SPI port) as the
 * target of an emulated probe. The file is opened (and locked) when the host opens the probe,
 * and saved and unlocked when it closes it; the debug port is the one every path shares
 * (debug/chip_port.h). A SPI NOR twin offers its SPI port to a CH341A. A probe whose port the
 * twin lacks is refused when it is opened, naming the model (usb_emu.c). */
#include <stdlib.h>

#include "debug/chip_port.h"
#include "model.h"
#include "probe/probe_emu.h"
#include "probe/targets.h"

typedef struct tw_chip_target {
	tw_chip *chip;
	tw_chip_port port;
} tw_chip_target;

static void tw_chip_target_release(tw_probe_target *t, fk_ctx *ctx)
{
	tw_chip_target *x = t->owner;
	if (t->dap)
		tw_dap_free(t->dap);
	tw_chip_close(x->chip, ctx);
	free(x);
	t->dap = NULL;
}

static int tw_target_open_chip(fk_ctx *ctx, const char *path, tw_probe_target *out)
{
	tw_chip_target *x = calloc(1, sizeof *x);
	if (!x)
		return fk_fail(ctx, FK_E_NOMEM, "opening %s", path);
	int rc = tw_chip_connect(ctx, path, &x->chip);
	if (rc) {
		free(x);
		return rc;
	}
	out->spi = tw_chip_spi(x->chip, NULL, NULL);
	out->spi_m = tw_chip_impl(x->chip);
	x->port.chip = x->chip; /* the bus's clock and power work without a debug port */
	out->dap = tw_chip_port_open(&x->port, x->chip, out->spi ? NULL : ctx,
				     "the emulated probe's target");
	if (!out->dap && !out->spi) {
		rc = fk_ctx_error(ctx);
		tw_chip_close(x->chip, NULL);
		free(x);
		return rc;
	}
	out->bus = &tw_chip_port_bus;
	out->bus_h = &x->port;
	out->release = tw_chip_target_release;
	out->owner = x;
	return FK_OK;
}

tw_target_open_fn tw_target_open_state(fk_ctx *ctx, const char *path)
{
	(void)ctx, (void)path;
	return tw_target_open_chip;
}
