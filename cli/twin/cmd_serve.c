/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin serve PATH [--realtime] [--max-ms MS] [--MODULE VALUE ...]: the option table is
 * built from the server modules (fktwin/serve.h); the loop runs in twin/serve.c. */
#include <stdio.h>
#include <string.h>

#include "fktwin/serve.h"
#include "fktwin/stream_serve.h"
#include "twin_cli.h"

#define TCLI_SERVE_FIXED 4

static cli_opt tcli_serve_table[TCLI_SERVE_FIXED + CLI_MAX_OPTS];

const cli_opt *tcli_serve_opts(void)
{
	unsigned n = 0;
	tcli_serve_table[n++] = (cli_opt){"realtime", 0, CLI_FLAG, NULL,
					  "pace the virtual clock with the wall clock (BSY lasts "
					  "the datasheet time)"};
	tcli_serve_table[n++] = (cli_opt){"max-ms", 0, CLI_VALUE, "MS",
					  "stop after MS milliseconds (tests)"};
	tcli_serve_table[n++] = (cli_opt){"allow-network-exposure", 0, CLI_FLAG, NULL,
					  "let a server listen beyond loopback: whoever reaches the "
					  "port can read and rewrite the twin (no authentication)"};
	for (unsigned i = 0; tw_serve_modules[i] && n + 1 < TCLI_SERVE_FIXED + CLI_MAX_OPTS; i++)
		tcli_serve_table[n++] = (cli_opt){tw_serve_modules[i]->option, 0, CLI_MULTI,
						  tw_serve_modules[i]->metavar,
						  tw_serve_modules[i]->help};
	tcli_serve_table[n] = (cli_opt){NULL, 0, 0, NULL, NULL};
	return tcli_serve_table;
}

/* A twin whose model offers a SPI port and no DAP or byte stream (a SPI NOR flash) is served by
 * the SPI programmer servers alone (cmd_spi_serve.c), unless --usb-bridge asks for the emulated
 * USB programmer (a CH341A on its SPI port), which the serve loop runs; any other goes to the
 * serve loop. */
/* A twin whose model offers byte streams and no DAP, or whose every requested server is a stream
 * one (an NXP LPC with its ISP: --lpc-pty), goes to the stream pty server (cmd_stream_serve.c)
 * when that server knows one of its protocols; other
 * stream-only models (the ESP ROM loader) stay in the serve loop, whose TW_SERVE_STREAM
 * modules serve any model's stream port. */
typedef enum { TCLI_SERVE_LOOP, TCLI_SERVE_SPI, TCLI_SERVE_STREAM } tcli_serve_kind;

/* Every server asked for is one of the stream pty server's (e.g. --lpc-pty): a model that also
 * has a debug port (the LPC) goes to that server then, to the serve loop for --jtag-bitbang. */
static bool tcli_only_stream_servers(tcli_env *e)
{
	bool any = false;
	for (unsigned i = 0; i < e->args.nseen; i++)
		for (unsigned m = 0; tw_serve_modules[m]; m++) {
			const char *o = tw_serve_modules[m]->option;
			if (strcmp(e->args.seen[i].opt->name, o) != 0)
				continue;
			if (!tw_stream_serve_protocol(o))
				return false;
			any = true;
		}
	return any;
}

static tcli_serve_kind tcli_serve_kind_of(tcli_env *e)
{
	tw_chip *c;
	fk_ctx *tmp = fk_ctx_new();
	tcli_serve_kind k = TCLI_SERVE_LOOP;
	if (cli_value(&e->args, "usb-bridge")) { /* an emulated USB programmer: the serve loop */
		fk_ctx_free(tmp);
		return k;
	}
	if (tmp && tw_chip_load(tmp, tcli_arg(e, 0), &c) == FK_OK) {
		const tw_model *m = tw_chip_model(c);
		if (m->spi && !m->dap && !m->streams)
			k = TCLI_SERVE_SPI;
		else if (m->streams && !m->spi && (!m->dap || tcli_only_stream_servers(e)))
			for (unsigned i = 0; m->streams[i]; i++)
				if (tw_stream_serve_has_protocol(m->streams[i]->protocol))
					k = TCLI_SERVE_STREAM;
		tw_chip_free(c);
	}
	fk_ctx_free(tmp);
	return k; /* unreadable files: the serve loop reports them */
}

int tcli_cmd_serve(tcli_env *e)
{
	int rc = tcli_need_args(e, 1);
	if (rc)
		return rc;
	tw_serve_req reqs[CLI_MAX_OPTS];
	unsigned n = 0;
	for (unsigned i = 0; i < e->args.nseen && n < CLI_MAX_OPTS; i++)
		for (unsigned m = 0; tw_serve_modules[m]; m++)
			if (strcmp(e->args.seen[i].opt->name, tw_serve_modules[m]->option) == 0)
				reqs[n++] = (tw_serve_req){tw_serve_modules[m], e->args.seen[i].value};
	tw_serve_opts o = {.realtime = cli_flag(&e->args, "realtime"), .idle_ms = 5,
			   .allow_network = cli_flag(&e->args, "allow-network-exposure")};
	const char *ms = cli_value(&e->args, "max-ms");
	uint32_t v;
	if (ms) {
		if (fk_parse_u32(ms, &v) || v == 0)
			return fk_fail(e->ctx, FK_E_USAGE, "--max-ms %s: expected a positive number", ms);
		o.max_ms = v;
	}
	if (!n) { /* issue 13 class 19: nothing to serve is a mistake, not an idle lock holder */
		fk_hint(e->ctx, "name at least one server, e.g. `flashkey-twin serve %s --uart-pty "
				"/tmp/ttyF4` (see `flashkey-twin serve --help`)", tcli_arg(e, 0));
		return fk_fail(e->ctx, FK_E_USAGE, "serve: no server given: nothing would be served");
	}
	tcli_serve_kind kind = tcli_serve_kind_of(e);
	if (kind == TCLI_SERVE_SPI)
		return tcli_spi_serve(e, o.realtime, o.max_ms);
	if (kind == TCLI_SERVE_STREAM)
		return tcli_stream_serve(e, o.realtime, o.max_ms);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("serving %s (%u server%s); stop with SIGINT or SIGTERM\n", tcli_arg(e, 0), n,
	       n == 1 ? "" : "s");
	uint64_t served_ns = 0;
	o.served_ns = &served_ns;
	rc = tw_serve_run(e->ctx, tcli_arg(e, 0), reqs, n, &o);
	/* what the peers cost on the chip's clock (bench/ compares tools by it) */
	printf("virtual time: %.6f s while served\n", (double)served_ns / 1e9);
	printf("stopped serving %s%s\n", tcli_arg(e, 0), rc ? " (error below)" : "; state saved");
	return rc;
}
