/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin serve for twins whose model offers byte-stream ports and no debug port: each
 * stream-server option (tw_stream_serve_protocol knows which) puts the model's port for that
 * protocol on a pseudo-terminal (twin/stream_serve.c). */
#include <stdio.h>
#include <string.h>

#include "fktwin/stream_serve.h"
#include "twin_cli.h"

int tcli_stream_serve(tcli_env *e, bool realtime, int64_t max_ms)
{
	tw_stream_link links[4];
	unsigned n = 0;
	if (realtime)
		return fk_fail(e->ctx, FK_E_UNSUPPORTED, "--realtime: a stream twin charges every byte "
				"and flash operation on its virtual clock but is not paced by the wall "
				"clock yet");
	for (unsigned i = 0; i < e->args.nseen; i++) {
		const char *opt = e->args.seen[i].opt->name;
		if (!strcmp(opt, "max-ms") || !strcmp(opt, "allow-network-exposure"))
			continue;
		if (!tw_stream_serve_protocol(opt))
			return fk_fail(e->ctx, FK_E_USAGE, "--%s: this twin offers byte-stream ports "
				       "only (no debug port): serve it with a stream server such as "
				       "--lpc-pty", opt);
		if (n == sizeof links / sizeof links[0])
			return fk_fail(e->ctx, FK_E_USAGE, "--%s %s: at most %zu stream servers per "
				       "twin", opt, e->args.seen[i].value, sizeof links / sizeof links[0]);
		links[n++] = (tw_stream_link){opt, e->args.seen[i].value};
	}
	tw_stream_serve_opts so = {.max_ms = max_ms};
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("serving %s (%u server%s); stop with SIGINT or SIGTERM\n", tcli_arg(e, 0), n,
	       n == 1 ? "" : "s");
	int rc = tw_stream_serve(e->ctx, tcli_arg(e, 0), links, n, &so);
	printf("stopped serving %s%s\n", tcli_arg(e, 0), rc ? " (error below)" : "; state saved");
	return rc;
}
