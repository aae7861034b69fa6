/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey otp show | write BLOCK HEX [--offset N] | lock BLOCK: the OTP blocks and their lock
 * bytes as the chip's driver describes them (fk_chip_info.otp_*: 16 blocks of 32 bytes on an
 * STM32F4; on a SPI NOR chip the security registers, 256 bytes each locked by LB1-3, or the
 * Macronix secured OTP area locked by LDSO, numbered from block 0). Writes refuse a locked
 * block and any 0 -> 1 bit and show exactly which bytes change; a lock writes only that
 * block's lock byte (or lock bit). Both are permanent:
 * --allow-irreversible=PERMANENT or PERMANENT typed. */
#include <string.h>

#include "cmd_common.h"

static const cli_opt otp_opts[] = {
	{"offset", 0, CLI_VALUE, "N", "first byte within the block for `otp write` (default 0)"},
	{NULL, 0, 0, NULL, NULL},
};

/* The lock of block b where it is a bit (SPI NOR): "LB1" for several blocks, "LDSO" alone. */
static void otp_lock_bit_name(const fk_chip_info *c, unsigned b, char *out, size_t n)
{
	if (c->otp_blocks == 1)
		fk_strlcpy(out, c->otp_lock_name, n);
	else
		snprintf(out, n, "%s%u", c->otp_lock_name, b + 1U);
}

/* A lock-bit chip's block (SPI NOR security register: 256 or 512 bytes): a header line, then
 * 32 bytes a line with the offset. */
static void otp_show_long(const fk_chip_info *c, const fk_otp *otp, unsigned b)
{
	char bit[32];
	unsigned written = 0;
	otp_lock_bit_name(c, b, bit, sizeof bit);
	for (unsigned i = 0; i < otp->block_size; i++)
		written += otp->data[b][i] != 0xFF;
	printf("%2u %s (%s=%u), %u of %u bytes written\n", b, otp->lock[b] ? "unlocked" : "locked",
	       bit, otp->lock[b] ? 0U : 1U, written, otp->block_size);
	for (unsigned i = 0; i < otp->block_size; i += 32) {
		printf("   0x%03X ", i);
		for (unsigned k = i; k < i + 32 && k < otp->block_size; k++)
			printf("%02X", otp->data[b][k]);
		printf("\n");
	}
}

static int otp_show(cli_env *e, fk_session *s)
{
	const fk_chip_info *c = fk_session_chip(s);
	static fk_otp otp; /* 8 KiB: not on the stack */
	int rc = fk_otp_read(s, &otp);
	if (rc)
		return rc;
	json_w j;
	if (e->out.json) {
		cli_json_begin(e, &j, FK_OK);
		json_key(&j, "blocks");
		json_arr_begin(&j);
	}
	for (unsigned b = 0; b < otp.nblocks; b++) {
		char hex[2 * FK_OTP_MAX_BLOCK + 1] = "", bit[32];
		for (unsigned i = 0; i < otp.block_size; i++)
			fk_snprintf_cat(hex, sizeof hex, "%02X", otp.data[b][i]);
		const char *st = otp.lock[b] == 0xFF ? "unlocked" : otp.lock[b] == 0 ? "locked"
									      : "invalid lock byte";
		if (!e->out.json && c->otp_lock_bit) {
			otp_show_long(c, &otp, b);
			continue;
		}
		if (!e->out.json) {
			printf("%2u %s %s (LOCKB%u=0x%02X)\n", b, hex, st, b, otp.lock[b]);
			continue;
		}
		json_obj_begin(&j);
		json_kv_uint(&j, "block", b);
		json_kv_str(&j, "data", hex);
		json_kv_bool(&j, "locked", otp.lock[b] != 0xFF);
		if (c->otp_lock_bit) {
			otp_lock_bit_name(c, b, bit, sizeof bit);
			json_kv_str(&j, "lock_bit", bit);
		} else {
			json_kv_hex(&j, "lock_byte", otp.lock[b], 2);
		}
		json_obj_end(&j);
	}
	if (e->out.json) {
		json_arr_end(&j);
		cli_json_end(e, &j, FK_OK);
	}
	return FK_OK;
}

/* What a write or lock touches, for the dry run and the JSON document (issue 13: a dry run of
 * an irreversible step names the exact block and address). */
typedef struct otp_target {
	bool known;
	bool mapped;   /* addr is a memory address (not for SPI NOR security registers) */
	unsigned block, off, len;
	uint32_t addr; /* first byte written: data in the block, or the lock byte */
} otp_target;

/* The block size as the tools handle it (fk_otp holds at most FK_OTP_MAX_BLOCK bytes). */
static unsigned otp_bsize(fk_session *s)
{
	unsigned n = fk_session_chip(s)->otp_block_size;
	return n && n < FK_OTP_MAX_BLOCK ? n : n ? FK_OTP_MAX_BLOCK : 32U;
}

static int otp_block(cli_env *e, fk_session *s, unsigned i, unsigned *block)
{
	const char *a = cli_arg(e, i);
	/* a chip without OTP: the library refuses, naming the family */
	unsigned n = fk_session_chip(s)->otp_blocks ? fk_session_chip(s)->otp_blocks : 16U;
	uint32_t v;
	if (!a || fk_parse_u32(a, &v) || v >= n)
		return fk_fail(e->ctx, FK_E_USAGE, "OTP block \"%s\": expected a block number 0 to %u "
						   "(decimal, or hex with 0x)", a ? a : "", n - 1U);
	*block = v;
	return FK_OK;
}

static int otp_hex(cli_env *e, const char *s, uint8_t *out, unsigned *len)
{
	size_t n = strlen(s);
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, n -= 2;
	if (!n || n % 2 || n / 2 > 32)
		return fk_fail(e->ctx, FK_E_USAGE, "DATA \"%s\": expected 1-32 bytes as hex, e.g. "
						   "DEADBEEF", s);
	for (size_t i = 0; i < n / 2; i++) {
		char byte[3] = {s[2 * i], s[2 * i + 1], 0}, num[8];
		uint32_t v;
		snprintf(num, sizeof num, "0x%s", byte);
		if (fk_parse_u32(num, &v))
			return fk_fail(e->ctx, FK_E_USAGE, "DATA: \"%s\" is not hex", byte);
		out[i] = (uint8_t)v;
	}
	*len = (unsigned)(n / 2);
	return FK_OK;
}

/* mask covers bytes 0-31 of the block; past them (a SPI NOR security register) the bytes
 * that change are found by reading the block. */
static void otp_print_changes(cli_env *e, fk_session *s, unsigned block, unsigned off,
			      const uint8_t *data, unsigned len, uint32_t mask)
{
	static fk_otp now; /* 8 KiB: not on the stack */
	bool read = off + len > 32U && !fk_otp_read(s, &now);
	if (e->out.json)
		return;
	printf("OTP block %u, bytes that change:", block);
	for (unsigned i = 0; i < len; i++)
		if (read ? now.data[block][off + i] != data[i]
			 : off + i < 32U && (mask & (1U << (off + i))))
			printf(" [%u]=0x%02X", off + i, data[i]);
	printf("\n");
}

static int otp_write(cli_env *e, fk_session *s, otp_target *t)
{
	unsigned block = 0, len = 0, changed = 0;
	uint32_t off = 0, mask = 0;
	uint8_t data[32];
	fk_perms perms;
	const char *o = cli_value(&e->args, "offset");
	if (cli_nargs(e) != 3)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey otp write BLOCK HEXDATA [--offset N]");
	unsigned bsize = otp_bsize(s);
	int rc = otp_block(e, s, 1, &block);
	if (!rc && o && (fk_parse_u32(o, &off) || off >= bsize))
		rc = fk_fail(e->ctx, FK_E_USAGE, "--offset \"%s\": expected a byte offset 0 to %u "
						 "within the %u-byte block (decimal, or hex with 0x)", o,
			     bsize - 1U, bsize);
	if (!rc)
		rc = otp_hex(e, cli_arg(e, 2), data, &len);
	if (!rc && len > bsize - off)
		rc = fk_fail(e->ctx, FK_E_RANGE, "OTP block %u: %u bytes at offset %u run past the "
						 "block's %u bytes", block, len, off, bsize);
	if (!rc)
		rc = fk_otp_write_check(s, block, off, data, len, &changed, &mask);
	if (rc)
		return rc;
	*t = (otp_target){true, !fk_session_chip(s)->otp_lock_bit, block, off, len,
			  fk_session_chip(s)->otp_base + block * bsize + off};
	if (!changed) {
		printf("OTP block %u already holds these bytes: nothing to write\n", block);
		return FK_OK;
	}
	otp_print_changes(e, s, block, off, data, len, mask);
	cli_perms(e, &perms);
	cli_consent_irreversible(e, &perms, "Writing OTP");
	rc = fk_otp_write(s, block, off, data, len, &perms);
	if (!rc) /* "written" only once the target holds it (issue 13 class 7) */
		rc = fk_session_sync(s);
	if (!rc && !e->out.json && e->dry_run && !t->mapped)
		printf("dry run: would write OTP block %u bytes %u-%u (%u byte%s change, "
		       "PERMANENT); nothing written\n", block, off, off + len - 1, changed,
		       changed == 1 ? "" : "s");
	else if (!rc && !e->out.json && e->dry_run)
		printf("dry run: would write OTP block %u bytes %u-%u at 0x%08X-0x%08X (%u byte%s "
		       "change, PERMANENT); nothing written\n", block, off, off + len - 1, t->addr,
		       t->addr + len - 1, changed, changed == 1 ? "" : "s");
	else if (!rc && !e->out.json)
		printf("OTP block %u written and read back (%u bytes changed)\n", block, changed);
	return rc;
}

static int otp_lock(cli_env *e, fk_session *s, otp_target *t)
{
	unsigned block;
	fk_perms perms;
	if (cli_nargs(e) != 2)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey otp lock BLOCK");
	int rc = otp_block(e, s, 1, &block);
	if (rc)
		return rc;
	cli_perms(e, &perms);
	const fk_chip_info *c = fk_session_chip(s);
	*t = (otp_target){true, !c->otp_lock_bit, block, 0, 1, c->otp_lock_base + block};
	char what[96], bit[32];
	otp_lock_bit_name(c, block, bit, sizeof bit);
	if (c->otp_lock_bit)
		snprintf(what, sizeof what, "Locking OTP block %u (%s := 1)", block, bit);
	else
		snprintf(what, sizeof what, "Locking OTP block %u (LOCKB%u at 0x%08X := 0x00)",
			 block, block, t->addr);
	cli_consent_irreversible(e, &perms, what);
	rc = fk_otp_lock(s, block, &perms);
	if (!rc) /* "locked" only once the target holds it (issue 13 class 7) */
		rc = fk_session_sync(s);
	if (!rc && !e->out.json && c->otp_lock_bit && e->dry_run)
		printf("dry run: would lock OTP block %u (%s := 1, PERMANENT); nothing written\n",
		       block, bit);
	else if (!rc && !e->out.json && c->otp_lock_bit)
		printf("OTP block %u is locked (%s read back 1)\n", block, bit);
	else if (!rc && !e->out.json && e->dry_run)
		printf("dry run: would lock OTP block %u (LOCKB%u at 0x%08X := 0x00, PERMANENT); "
		       "nothing written\n", block, block, t->addr);
	else if (!rc && !e->out.json)
		printf("OTP block %u is locked (lock byte read back 0x00)\n", block);
	return rc;
}

static int cmd_otp_run(cli_env *e)
{
	const char *sub = cli_arg(e, 0);
	fk_session *s;
	if (!sub || (strcmp(sub, "show") && strcmp(sub, "write") && strcmp(sub, "lock")))
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey otp show | write BLOCK HEX | lock BLOCK");
	int rc = cli_session(e, &s);
	if (rc)
		return rc;
	otp_target t = {0};
	rc = strcmp(sub, "show") == 0 ? otp_show(e, s)
	     : strcmp(sub, "write") == 0 ? otp_write(e, s, &t) : otp_lock(e, s, &t);
	rc = fk_session_end(s, rc);
	if (e->out.json && !e->json_done) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "action", sub);
		json_kv_bool(&j, "dry_run", e->dry_run);
		if (t.known) {
			json_kv_uint(&j, "block", t.block);
			if (t.mapped) /* SPI NOR security registers have no memory address */
				json_kv_hex(&j, "address", t.addr, 8);
			else if (strcmp(sub, "write") == 0)
				json_kv_uint(&j, "offset", t.off);
			json_kv_uint(&j, "bytes", t.len);
		}
		cli_json_end(e, &j, rc);
	}
	return rc;
}

const cli_command cli_cmd_otp = {
	.name = "otp",
	.synopsis = "otp show | write BLOCK HEXDATA [--offset N] | lock BLOCK",
	.summary = "show, write or lock the one-time-programmable blocks (permanent)",
	.opts = otp_opts,
	.run = cmd_otp_run,
};
