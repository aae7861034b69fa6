/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: plugging emulated probes from the environment (FLASHKEY_TWIN_PROBES) and the
 * in-process schemes twin-stlink:TARGET and twin-cmsis-dap:TARGET, which plug an emulated probe
 * and open it through the library's unchanged driver (stlink:SERIAL, cmsis-dap:SERIAL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "probe/probe_emu.h"
#include "probe/targets.h"

/* The opener for a target name: "@membus", or a twin state file. */
static tw_target_open_fn tw_plug_opener(fk_ctx *ctx, const char *target)
{
	if (strcmp(target, "@membus") == 0)
		return tw_target_open_membus;
	return tw_target_open_state(ctx, target);
}

static int tw_plug_find(tw_probe_kind kind, const char *target)
{
	for (int i = 0; i < 8; i++)
		if (tw_usb_serial(i)[0] && tw_usb_slot_matches(i, kind, target))
			return i;
	return -1;
}

static int tw_plug_one(fk_ctx *ctx, char *item)
{
	char *eq = strchr(item, '='), *opt = NULL;
	tw_usb_plug_opts o = {0};
	if (!eq || tw_probe_kind_parse((*eq = '\0', item), &o.kind))
		return fk_fail(ctx, FK_E_USAGE, "FLASHKEY_TWIN_PROBES: \"%s\" is not KIND=TARGET (kinds: "
				"stlink-v2, stlink-v21, stlink-v3, cmsis-dap-v2, cmsis-dap-v1, jlink, ch341a)",
				item);
	char *target = eq + 1;
	if ((opt = strchr(target, ',')) != NULL)
		*opt++ = '\0';
	for (char *tok = opt; tok && *tok;) {
		char *next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (strncmp(tok, "serial=", 7) == 0)
			o.serial = tok + 7;
		else if (strncmp(tok, "gone-after=", 11) != 0 || fk_parse_u32(tok + 11, &o.gone_after))
			return fk_fail(ctx, FK_E_USAGE, "FLASHKEY_TWIN_PROBES: unknown option \"%s\"", tok);
		tok = next;
	}
	o.arg = target;
	o.open = tw_plug_opener(ctx, target);
	if (!o.open)
		return fk_ctx_error(ctx);
	int slot = tw_usb_plug(ctx, &o);
	return slot < 0 ? slot : FK_OK;
}

int tw_probe_plug_env(fk_ctx *ctx, const char *spec)
{
	char buf[1024];
	if (!spec || !spec[0])
		return FK_OK;
	fk_strlcpy(buf, spec, sizeof buf);
	int rc = FK_OK;
	for (char *item = buf; item && *item && rc == FK_OK;) {
		char *next = strchr(item, ';');
		if (next)
			*next++ = '\0';
		rc = tw_plug_one(ctx, item);
		item = next;
	}
	return rc;
}

/* twin-stlink:TARGET / twin-cmsis-dap:TARGET / twin-ch341a:TARGET: the emulated probe of that
 * kind on the twin (plugged once), opened through the library's own connection: stlink:SERIAL,
 * cmsis-dap:SERIAL, or ch341a:LOCATION (a CH341A has no serial number). */
static int tw_plug_open(fk_ctx *ctx, tw_probe_kind kind, const char *target,
			const fk_conn_opts *opts, fk_transport *out)
{
	const char *scheme = kind == TW_PROBE_STLINK_V2 ? "stlink"
			     : kind == TW_PROBE_CH341A ? "ch341a" : "cmsis-dap";
	if (!target[0])
		return fk_fail(ctx, FK_E_USAGE, "twin-%s: needs a twin state file (twin-%s:PATH)",
			       scheme, scheme);
	int slot = tw_plug_find(kind, target);
	if (slot < 0) {
		tw_usb_plug_opts o = {.kind = kind, .arg = target};
		o.open = tw_plug_opener(ctx, target);
		if (!o.open)
			return fk_ctx_error(ctx);
		if ((slot = tw_usb_plug(ctx, &o)) < 0)
			return slot;
	}
	char conn[96];
	if (kind == TW_PROBE_CH341A)
		snprintf(conn, sizeof conn, "ch341a:emulated %d", slot);
	else
		snprintf(conn, sizeof conn, "%s:%s", scheme, tw_usb_serial(slot));
	return fk_transport_open(ctx, conn, opts, out);
}

static int tw_open_twin_stlink(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			       fk_transport *out)
{
	return tw_plug_open(ctx, TW_PROBE_STLINK_V2, arg, opts, out);
}

static int tw_open_twin_dap(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			    fk_transport *out)
{
	return tw_plug_open(ctx, TW_PROBE_DAP_V2, arg, opts, out);
}

static int tw_open_twin_ch341a(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			       fk_transport *out)
{
	return tw_plug_open(ctx, TW_PROBE_CH341A, arg, opts, out);
}

void tw_probe_register(void)
{
	static int done;
	if (done++)
		return;
	tw_usb_register();
	fk_backend_register("twin-stlink", tw_open_twin_stlink,
			    "twin-stlink:PATH  the twin in PATH behind an emulated ST-LINK/V2");
	fk_backend_register("twin-cmsis-dap", tw_open_twin_dap,
			    "twin-cmsis-dap:PATH  the twin in PATH behind an emulated CMSIS-DAP v2");
	fk_backend_register("twin-ch341a", tw_open_twin_ch341a,
			    "twin-ch341a:PATH  the SPI flash twin in PATH behind an emulated CH341A");
	fk_ctx *ctx = fk_ctx_new();
	if (ctx && tw_probe_plug_env(ctx, getenv("FLASHKEY_TWIN_PROBES"))) {
		char msg[FK_CHAIN_MSG_MAX];
		/* the tools would otherwise run without the probes the caller asked for */
		fprintf(stderr, "flashkey: warning: %s\n", fk_ctx_message(ctx, msg, sizeof msg));
	}
	fk_ctx_free(ctx);
}
