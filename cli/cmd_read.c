/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey read FILE [ADDR:LEN]: save memory (default: all of main flash) as a raw binary. At
 * RDP level 1 this fails with the reason (the driver cites its manual: fk_chip_info.rdp_source). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_common.h"
#include "common/files.h"

static const cli_opt read_opts[] = {
	{"force", 0, CLI_FLAG, NULL, "replace FILE if it exists (default: refuse)"},
	{NULL, 0, 0, NULL, NULL},
};

static int read_save(cli_env *e, const char *file, const uint8_t *buf, uint32_t len)
{
	bool force = cli_flag(&e->args, "force");
	/* O_EXCL: a file that appeared since the check is not replaced either */
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0 && errno == EEXIST)
		return cli_refuse_existing(e->ctx, file, false, "the memory read");
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return fk_fail(e->ctx, FK_E_IO, "creating %s: %s", file, strerror(err));
	}
	size_t w = fwrite(buf, 1, len, f);
	if (fclose(f) || w != len)
		return fk_fail(e->ctx, FK_E_IO, "writing %s", file);
	return FK_OK;
}

static int cmd_read_run(cli_env *e)
{
	const char *file = cli_arg(e, 0), *range = cli_arg(e, 1);
	fk_session *s = NULL;
	uint32_t addr = 0, len = 0;
	uint8_t *buf = NULL;
	if (!file || cli_nargs(e) > 2)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey read FILE [ADDR:LEN]");
	int rc = range ? cli_parse_range(e, range, &addr, &len) : FK_OK;
	if (!rc) /* before the target is touched; read_save checks again with O_EXCL */
		rc = cli_refuse_existing(e->ctx, file, cli_flag(&e->args, "force"), "the memory read");
	if (!rc)
		rc = cli_session_ro(e, &s);
	if (!rc && !range) {
		addr = fk_session_chip(s)->flash_base;
		len = fk_session_chip(s)->flash_size;
	}
	if (!rc && (!len || len > 64u * 1024 * 1024))
		rc = fk_fail(e->ctx, FK_E_USAGE, "%s: give a length between 1 byte and 64 MiB", range);
	if (!rc && !(buf = malloc(len)))
		rc = fk_fail(e->ctx, FK_E_NOMEM, "allocating %u bytes", len);
	if (!rc)
		rc = fk_flash_read(s, addr, buf, len);
	if (!rc)
		rc = read_save(e, file, buf, len);
	uint32_t crc = rc ? 0 : fk_crc32(0, buf, len);
	free(buf);
	rc = fk_session_end(s, rc);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "file", file);
		json_kv_hex(&j, "addr", addr, 8);
		json_kv_uint(&j, "size", len);
		json_kv_hex(&j, "crc32", crc, 8);
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		printf("read 0x%08X+%u into %s (CRC-32 0x%08X)\n", addr, len, file, crc);
	}
	return rc;
}

const cli_command cli_cmd_read = {
	.name = "read",
	.synopsis = "read FILE [ADDR:LEN]",
	.summary = "save memory (default: all of main flash) to a raw binary file",
	.details = "FILE must not exist: an existing file is replaced only with --force.",
	.opts = read_opts,
	.run = cmd_read_run,
};
