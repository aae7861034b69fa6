/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin serve for twins whose model offers only a SPI port (twin/model.h: a SPI NOR
 * flash): a serprog programmer on a pty per --serprog-pty (twin/spinor/serprog_serve.c).
 * `new`, `set`, `show`, `reset` and `power-cycle` of these twins go through the model registry
 * like any other (cmd_new.c, cmd_show.c). Not yet generic: the serprog server drives the SPI NOR
 * twin's own API rather than tw_spi_port, and does not run inside the serve loop (twin/serve.c). */
#include <stdio.h>
#include <string.h>

#include "fktwin/spinor.h"
#include "twin_cli.h"

int tcli_spi_serve(tcli_env *e, bool realtime, int64_t max_ms)
{
	const char *links[8];
	unsigned n = 0;
	const char *v;
	for (unsigned i = 0; (v = cli_multi(&e->args, "serprog-pty", i)); i++) {
		if (n == sizeof links / sizeof links[0])
			return fk_fail(e->ctx, FK_E_USAGE, "--serprog-pty %s: at most %zu serprog "
				       "servers per twin", v, sizeof links / sizeof links[0]);
		links[n++] = v;
	}
	for (unsigned i = 0; i < e->args.nseen; i++)
		if (strcmp(e->args.seen[i].opt->name, "serprog-pty") &&
		    strcmp(e->args.seen[i].opt->name, "realtime") &&
		    strcmp(e->args.seen[i].opt->name, "max-ms") &&
		    strcmp(e->args.seen[i].opt->name, "allow-network-exposure"))
			return fk_fail(e->ctx, FK_E_USAGE, "--%s: a SPI NOR twin is served with "
				       "--serprog-pty only", e->args.seen[i].opt->name);
	uint64_t served_ns = 0;
	tw_spinor_serve_opts so = {.realtime = realtime, .idle_ms = 5, .max_ms = max_ms,
				   .served_ns = &served_ns};
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("serving %s (%u server%s); stop with SIGINT or SIGTERM\n", tcli_arg(e, 0), n,
	       n == 1 ? "" : "s");
	int rc = tw_spinor_serve(e->ctx, tcli_arg(e, 0), links, n, &so);
	printf("virtual time: %.6f s while served\n", (double)served_ns / 1e9);
	printf("stopped serving %s%s\n", tcli_arg(e, 0), rc ? " (error below)" : "; state saved");
	return rc;
}
