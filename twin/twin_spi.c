/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin-spi:PATH[@HZ] — the in-process SPI programmer in front of a twin's SPI port (tw_spi_port,
 * twin/model.h): an FK_TRANSPORT_SPI for the scenario and unit tests and the benchmarks. It moves
 * /CS and bytes and nothing else (include/flashkey/backend.h fk_spi_ops): the chip model alone
 * decides what an instruction does. Any model offering a SPI port works; a model without one is
 * refused at open, naming its ports.
 *
 * Time: each byte costs 8 SCK periods on the twin's virtual clock at HZ (default 8 MHz, or
 * --speed in kHz; capped at the port's max_hz), and the host's waits (fk_spi_ops.delay) advance
 * the same clock instead of sleeping. What a real programmer adds (USB round trips, a serial
 * link) is not charged here: `serprog:` against `flashkey-twin serve --serprog-pty` has it.
 * Pins: /WP as the twin's board wiring sets it (the port's wp_level); the supply can be cycled
 * (a bench programmer with a switched VCC), which a hardware programmer usually cannot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "core/core.h"
#include "fktwin/fktwin.h"
#include "twin_spi.h"

#define TW_SPI_DEFAULT_HZ 8000000U
#define TW_SPI_MAX_WRITE 4096U   /* as a serprog firmware with a 4 KiB buffer */
#define TW_SPI_MAX_READ 65536U

typedef struct tw_spi_host {
	tw_chip *chip;
	const tw_spi_port *port;
	uint32_t hz;
	bool owns_chip;
} tw_spi_host;

static void tsh_charge(tw_spi_host *h, size_t bytes)
{
	if (h->hz)
		tw_chip_advance(h->chip, (uint64_t)bytes * 8U * 1000000000ULL / h->hz);
}

static int tsh_xfer(void *hh, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	tw_spi_host *h = hh;
	void *m = tw_chip_impl(h->chip);
	if (wlen > TW_SPI_MAX_WRITE || rlen > TW_SPI_MAX_READ)
		return fk_fail(ctx, FK_E_INVALID_ARG, "SPI transaction of %zu bytes out, %zu in: "
			       "above the programmer's %u/%u", wlen, rlen, TW_SPI_MAX_WRITE,
			       TW_SPI_MAX_READ);
	if (!tw_chip_powered(h->chip)) {
		if (r)
			memset(r, 0xFF, rlen);
		return FK_OK; /* an unpowered chip drives nothing: MISO floats high */
	}
	h->port->select(m, true);
	for (size_t i = 0; i < wlen; i++)
		(void)h->port->exchange(m, w[i]);
	for (size_t i = 0; i < rlen; i++) {
		uint8_t b = h->port->exchange(m, 0xFF);
		if (r)
			r[i] = b;
	}
	h->port->select(m, false);
	tsh_charge(h, wlen + rlen);
	return FK_OK;
}

static void tsh_limits(void *hh, size_t *mw, size_t *mr)
{
	(void)hh;
	*mw = TW_SPI_MAX_WRITE;
	*mr = TW_SPI_MAX_READ;
}

static int tsh_set_speed(void *hh, fk_ctx *ctx, uint32_t hz, uint32_t *actual)
{
	tw_spi_host *h = hh;
	(void)ctx;
	h->hz = hz && h->port->max_hz && hz > h->port->max_hz ? h->port->max_hz : hz;
	if (!h->hz)
		h->hz = TW_SPI_DEFAULT_HZ;
	if (actual)
		*actual = h->hz;
	return FK_OK;
}

static int tsh_wp(void *hh, fk_ctx *ctx)
{
	tw_spi_host *h = hh;
	(void)ctx;
	return h->port->wp_level ? h->port->wp_level(tw_chip_impl(h->chip)) : -1;
}

static int tsh_power_cycle(void *hh, fk_ctx *ctx)
{
	tw_spi_host *h = hh;
	(void)ctx;
	if (tw_chip_powered(h->chip))
		tw_chip_power_off(h->chip);
	tw_chip_power_on(h->chip);
	return FK_OK;
}

static uint64_t tsh_now(void *hh)
{
	return tw_chip_now_ns(((tw_spi_host *)hh)->chip);
}

static void tsh_delay(void *hh, uint32_t us)
{
	tw_chip_advance(((tw_spi_host *)hh)->chip, (uint64_t)us * 1000U);
}

static const fk_spi_ops tsh_ops = {
	.xfer = tsh_xfer,
	.limits = tsh_limits,
	.set_speed = tsh_set_speed,
	.wp_level = tsh_wp,
	.power_cycle = tsh_power_cycle,
	.virtual_ns = tsh_now,
	.delay = tsh_delay,
};

static void tsh_close(void *hh)
{
	tw_spi_host *h = hh;
	if (!h)
		return;
	if (h->owns_chip)
		tw_chip_close(h->chip, NULL);
	free(h);
}

static int tsh_sync(void *hh, fk_ctx *ctx)
{
	tw_spi_host *h = hh;
	return h->owns_chip && tw_chip_path(h->chip) ? tw_chip_sync(h->chip, ctx) : FK_OK;
}

int tw_spi_attach(fk_ctx *ctx, tw_chip *chip, uint32_t hz, bool take_chip, fk_transport *out)
{
	const tw_spi_port *port = tw_chip_spi(chip, ctx, "twin-spi:");
	if (!port)
		return fk_ctx_error(ctx);
	tw_spi_host *h = calloc(1, sizeof *h);
	if (!h)
		return fk_fail(ctx, FK_E_NOMEM, "twin-spi:");
	h->chip = chip;
	h->port = port;
	h->owns_chip = take_chip;
	(void)tsh_set_speed(h, ctx, hz, NULL);
	memset(out, 0, sizeof *out);
	out->kind = FK_TRANSPORT_SPI;
	out->ops = &tsh_ops;
	out->handle = h;
	out->close = tsh_close;
	out->sync = tsh_sync;
	snprintf(out->description, sizeof out->description, "twin %s at %s (in-process SPI, %u kHz)",
		 tw_chip_variant(chip), tw_chip_path(chip) ? tw_chip_path(chip) : "(memory)",
		 h->hz / 1000U);
	return FK_OK;
}

tw_chip *tw_spi_twin(void *handle)
{
	return ((tw_spi_host *)handle)->chip;
}

/* PATH[@HZ] */
static int tsh_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	char path[4096];
	uint32_t hz = opts && opts->swd_khz ? opts->swd_khz * 1000U : 0;
	if (!arg || !*arg) {
		fk_hint(ctx, "create one with `flashkey-twin new w25q64jv chip.twin`");
		return fk_fail(ctx, FK_E_USAGE, "twin-spi: needs a state file path (twin-spi:PATH)");
	}
	const char *at = strrchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	if (n >= sizeof path)
		return fk_fail(ctx, FK_E_USAGE, "twin-spi: path too long");
	memcpy(path, arg, n);
	path[n] = '\0';
	if (at && fk_parse_u32(at + 1, &hz))
		return fk_fail(ctx, FK_E_USAGE, "twin-spi:%s: expected PATH[@HZ], HZ a number", arg);
	tw_chip *t;
	int rc = tw_chip_open(ctx, path, &t);
	if (rc)
		return rc;
	rc = tw_spi_attach(ctx, t, hz, true, out);
	if (rc)
		tw_chip_close(t, NULL);
	return rc;
}

void tw_spi_register(void)
{
	fk_backend_register("twin-spi", tsh_open,
			    "twin-spi:PATH[@HZ]  in-process SPI programmer on a twin's SPI flash "
			    "(flashkey-twin new w25q64jv PATH); HZ = SCK, default 8 MHz");
}
