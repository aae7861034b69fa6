/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin new/show/serve for SPI NOR twins (fktwin/spinor.h). `new PART PATH` takes
 * `--option KEY=VALUE` with the semantic keys of the status bits (bp, tb, sec, cmp, srp, srl,
 * qe, lb1..lb3, wps, drv0, drv1; raw sr1/sr2/sr3), the pin (wp=low|high) and the special-order
 * one-time status lock (sr_otp=1), and `--flash FILE` (any image format; a raw binary at 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "fktwin/spinor.h"
#include "flashkey/image.h"
#include "twin_cli.h"

static int tcli_spi_bad(tcli_env *e, const char *kv, const char *why)
{
	fk_hint(e->ctx, "keys: bp, tb, sec, cmp, srp, srl, qe, lb1, lb2, lb3, wps, drv0, drv1, "
			"sr1, sr2, sr3 (raw bytes), wp (low|high), sr_otp (0|1)");
	return fk_fail(e->ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

static int tcli_spi_option(tcli_env *e, tw_spinor *c, const char *kv)
{
	char key[32];
	const char *eq = strchr(kv, '=');
	if (!eq || (size_t)(eq - kv) >= sizeof key)
		return tcli_spi_bad(e, kv, "expected KEY=VALUE");
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	const char *val = eq + 1;
	if (strcmp(key, "wp") == 0) {
		if (strcmp(val, "low") && strcmp(val, "high"))
			return tcli_spi_bad(e, kv, "expected low or high");
		tw_spinor_set_wp(c, strcmp(val, "high") == 0);
		return FK_OK;
	}
	uint32_t v;
	if (fk_parse_u32(val, &v))
		return tcli_spi_bad(e, kv, "expected a number");
	if (strcmp(key, "sr_otp") == 0) {
		tw_spinor_set_sr_otp(c, v != 0);
		return FK_OK;
	}
	int rc = tw_spinor_set_field(c, key, v);
	if (rc == -1)
		return tcli_spi_bad(e, kv, "this part has no such status bit");
	if (rc == -2)
		return tcli_spi_bad(e, kv, "value too large for the field");
	return FK_OK;
}

static int tcli_spi_flash(tcli_env *e, tw_spinor *c)
{
	const char *path = cli_value(&e->args, "flash");
	if (!path)
		return FK_OK;
	fk_image_load_opts lo = {FK_IMAGE_AUTO, 0};
	fk_image *img;
	int rc = fk_image_load(e->ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(e->ctx, rc, "--flash %s", path);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		if ((uint64_t)sg->addr + sg->len > tw_spinor_size(c)) {
			rc = fk_fail(e->ctx, FK_E_RANGE, "--flash %s: data up to 0x%llX is beyond the "
				     "%u-byte chip", path, (unsigned long long)sg->addr + sg->len - 1,
				     tw_spinor_size(c));
			break;
		}
		memcpy(tw_spinor_mem(c) + sg->addr, sg->data, sg->len);
	}
	fk_image_free(img);
	return rc;
}

int tcli_spinor_new(tcli_env *e)
{
	const char *part = tcli_arg(e, 0), *path = tcli_arg(e, 1);
	tw_spinor *c;
	int rc = tw_spinor_create(e->ctx, part, &c);
	if (rc)
		return rc;
	const char *kv;
	for (unsigned i = 0; !rc && (kv = cli_multi(&e->args, "option", i)); i++)
		rc = tcli_spi_option(e, c, kv);
	if (!rc)
		rc = tcli_spi_flash(e, c);
	/* after the options and --flash are checked, so a bad one is still a usage error; an
	 * existing path (a firmware file, another twin) is never replaced without --force */
	if (!rc)
		rc = cli_refuse_existing(e->ctx, path, cli_flag(&e->args, "force"), "a new twin");
	if (!rc)
		rc = tw_spinor_save(e->ctx, c, path);
	if (!rc && e->out.verbosity >= 0) {
		uint32_t s, l;
		bool contig;
		tw_spinor_protected_span(c, &s, &l, &contig);
		printf("created %s: %s, %u KiB, protected %s", path, tw_spinor_part_key(c),
		       tw_spinor_size(c) / 1024, l ? "" : "none\n");
		if (l)
			printf("0x%06X..0x%06X\n", s, s + l - 1);
	}
	tw_spinor_free(c);
	return rc;
}

int tcli_spinor_show(tcli_env *e)
{
	tw_spinor *c;
	int rc = tw_spinor_load(e->ctx, tcli_arg(e, 0), &c);
	if (rc)
		return rc;
	tw_spinor_show(c, stdout, cli_flag(&e->args, "json"));
	tw_spinor_free(c);
	return FK_OK;
}

int tcli_spinor_serve(tcli_env *e, bool realtime, int64_t max_ms)
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
	tw_spinor_serve_opts so = {.realtime = realtime, .idle_ms = 5, .max_ms = max_ms};
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("serving %s (%u server%s); stop with SIGINT or SIGTERM\n", tcli_arg(e, 0), n,
	       n == 1 ? "" : "s");
	int rc = tw_spinor_serve(e->ctx, tcli_arg(e, 0), links, n, &so);
	printf("stopped serving %s%s\n", tcli_arg(e, 0), rc ? " (error below)" : "; state saved");
	return rc;
}
