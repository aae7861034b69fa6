/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey write FILE: plan sectors from the image, erase only those, program at the widest
 * parallelism the supply allows (the chip's width table, fk_chip_info.widths: on an STM32F4
 * x32 from 2.7 V, x8 when unknown),
 * verify. --skip-unchanged leaves sectors whose CRC already matches. Images reaching option
 * bytes or OTP are refused. */
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"

static const cli_opt write_opts[] = {
	{"base", 0, CLI_VALUE, "ADDR", "load address of a raw binary (default: the chip's flash base)"},
	{"skip-unchanged", 0, CLI_FLAG, NULL, "leave sectors whose CRC already matches the image"},
	{"voltage", 0, CLI_VALUE, "VOLTS", "target supply (e.g. 3.3): chooses the parallelism"},
	{"psize", 0, CLI_VALUE, "BITS", "force program parallelism 8, 16, 32 or 64 (64 needs VPP)"},
	{"erase-sectors", 0, CLI_FLAG, NULL, "erase the sectors whole: lose the bytes in them the image "
					     "does not cover (default: read, merge, write them back)"},
	{"no-verify", 0, CLI_FLAG, NULL, "skip the verification (not recommended)"},
	{"read-back", 0, CLI_FLAG, NULL, "compare by reading every byte back, not by a CRC-32 the "
					 "chip computes (bootloader path)"},
	{"with-options", 0, CLI_FLAG, NULL, "apply option bytes found in the image (option gates apply)"},
	{"with-otp", 0, CLI_FLAG, NULL, "apply OTP data/lock bytes found in the image (PERMANENT gate)"},
	{"encrypt", 0, CLI_FLAG, NULL, "the chip encrypts the image with its own flash encryption "
				       "key as it is written (ESP32-C3; not verifiable: see ESP32.md)"},
	{"run", 0, CLI_FLAG, NULL, "start the application afterwards, as `flashkey run` (only after a "
				   "successful, verified write)"},
	{NULL, 0, 0, NULL, NULL},
};

static int write_voltage(cli_env *e, fk_write_opts *o)
{
	const char *v = cli_value(&e->args, "voltage"), *p = cli_value(&e->args, "psize");
	o->psize = -1;
	if (v) {
		unsigned whole = 0, frac = 0, digits = 0;
		const char *c = v;
		for (; *c >= '0' && *c <= '9'; c++)
			whole = whole * 10 + (unsigned)(*c - '0');
		if (*c == '.')
			for (c++; *c >= '0' && *c <= '9' && digits < 3; c++, digits++)
				frac = frac * 10 + (unsigned)(*c - '0');
		while (digits < 3)
			frac *= 10, digits++;
		if (*c || c == v || whole > 5)
			return fk_fail(e->ctx, FK_E_USAGE, "--voltage %s: expected volts, e.g. 3.3", v);
		o->voltage_mv = (int)(whole * 1000 + frac);
	}
	if (p) {
		static const char *const names[] = {"8", "16", "32", "64"};
		for (int i = 0; i < 4; i++)
			if (strcmp(p, names[i]) == 0)
				o->psize = i;
		if (o->psize < 0)
			return fk_fail(e->ctx, FK_E_USAGE, "--psize %s: expected 8, 16, 32 or 64", p);
	}
	return FK_OK;
}

/* The option bytes and OTP steps of the image, each one that ran (issue 13 class 10). */
static void write_report_special_json(json_w *j, const fk_special_result *sp, const char *bk)
{
	json_key(j, "options");
	if (!sp->options) {
		json_null(j);
	} else {
		json_obj_begin(j);
		json_kv_bool(j, "changed", sp->options_changed);
		json_kv_hex(j, "before", sp->options_before[0], 8);
		json_kv_hex(j, "after", sp->options_after[0], 8);
		json_kv_hex(j, "before2", sp->options_before[1], 8);
		json_kv_hex(j, "after2", sp->options_after[1], 8);
		json_kv_bool(j, "mass_erased", sp->mass_erased);
		json_kv_str(j, "backup_dir", sp->mass_erased ? bk : "");
		json_kv_str(j, "pending", fk_pending_name(sp->pending));
		json_obj_end(j);
	}
	json_kv_uint(j, "otp_bytes_written", sp->otp_bytes);
	json_key(j, "otp_blocks_locked");
	json_arr_begin(j);
	for (unsigned b = 0; b < 32; b++)
		if (sp->otp_locked & (1U << b))
			json_uint(j, b);
	json_arr_end(j);
}

/* What write_image did beyond main flash, kept past the session's end for the report. */
typedef struct write_steps {
	fk_special_result sp;
	unsigned nmain;	      /* image segments in main flash */
	char reg[48];	      /* the option register's name, from the chip description */
	char backup_dir[256]; /* the backup taken before a destructive step, "" if none */
	uint32_t unread_addr, unread_len; /* image bytes this connection cannot read back */
	char unread_why[128];
} write_steps;

static void write_report_special_text(const write_steps *w)
{
	const fk_special_result *sp = &w->sp;
	const char *bk = w->backup_dir, *reg = w->reg[0] ? w->reg : "options";
	int reg_len = (int)strcspn(reg, " ");
	if (sp->otp_bytes)
		printf("OTP from the image: %u byte%s programmed and read back\n", sp->otp_bytes,
		       sp->otp_bytes == 1 ? "" : "s");
	if (sp->otp_locked) {
		printf("OTP blocks locked for good by the image:");
		for (unsigned b = 0; b < 32; b++)
			if (sp->otp_locked & (1U << b))
				printf(" %u", b);
		printf("\n");
	}
	if (!sp->options)
		return;
	if (!sp->options_changed) {
		printf("option bytes from the image: the chip already holds them (%.*s 0x%08X), "
		       "nothing programmed\n", reg_len, reg, sp->options_before[0]);
		return;
	}
	printf("option bytes from the image programmed and read back: %.*s 0x%08X -> 0x%08X\n",
	       reg_len, reg, sp->options_before[0], sp->options_after[0]);
	if (sp->mass_erased)
		printf("the RDP regression erased ALL of flash (mass erase)%s%s\n",
		       bk[0] ? "; what could be read was backed up first to " : "", bk);
	if (sp->pending == FK_PENDING_POWER_ON)
		printf("a power-on reset is required before it takes effect (`flashkey reset "
		       "power`)\n");
	else if (sp->pending == FK_PENDING_RESET)
		printf("a reset is required before it takes effect (`flashkey reset`)\n");
}

static void write_report(cli_env *e, int rc, const char *file, const cli_image *ci,
			 const fk_write_result *r, const fk_run_result *run, const write_steps *w)
{
	bool want_run = cli_flag(&e->args, "run");
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "file", file);
		json_kv_bool(&j, "dry_run", e->dry_run);
		json_kv_uint(&j, "image_bytes", ci->bytes);
		json_kv_hex(&j, "start", ci->n ? ci->segs[0].addr : 0, 8);
		json_kv_bool(&j, "raw_binary", ci->raw);
		json_kv_uint(&j, "sectors_erased", r->sectors_erased);
		json_kv_uint(&j, "sectors_skipped", r->sectors_skipped);
		json_kv_uint(&j, "sectors_blank", r->sectors_blank);
		json_kv_uint(&j, "bytes_programmed", r->bytes_programmed);
		json_kv_uint(&j, "psize_bits", r->psize_bytes * 8);
		json_kv_uint(&j, "virtual_ns", r->virtual_ns);
		json_kv_str(&j, "verified", cli_verify_how_name(r->verified));
		json_kv_str(&j, "compared", cli_verify_how_name(r->compared));
		json_kv_uint(&j, "kept_bytes", r->kept_bytes);
		json_kv_uint(&j, "discarded_bytes", r->discarded_bytes);
		json_kv_uint(&j, "main_flash_segments", w->nmain);
		cli_unreadable_json(&j, w->unread_addr, w->unread_len, w->unread_why);
		write_report_special_json(&j, &w->sp, w->backup_dir);
		if (want_run) {
			json_key(&j, "run");
			json_obj_begin(&j);
			json_kv_hex(&j, "addr", run->addr, 8);
			json_kv_hex(&j, "msp", run->msp, 8);
			json_kv_hex(&j, "reset_handler", run->reset_handler, 8);
			json_kv_str(&j, "how", run->how);
			json_kv_bool(&j, "started", run->started);
			json_kv_bool(&j, "bootloader_gone", run->bootloader_gone);
			json_obj_end(&j);
		}
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		char blank[80] = "";
		if (r->sectors_blank)
			snprintf(blank, sizeof blank, " (+%u found already erased)", r->sectors_blank);
		if (ci->raw && ci->n)
			printf("%s raw binary %s at 0x%08X (%s)\n", e->dry_run ? "would place" : "placed",
			       file, ci->segs[0].addr,
			       ci->base_given ? "--base" : "the flash base: a raw binary has no address "
							   "of its own; --base gives one");
		if (!w->nmain && ci->n) /* only option bytes / OTP: no flash line of zeros */
			printf("%s %s: %llu bytes, none in main flash\n",
			       e->dry_run ? "dry run: would apply" : "applied", file,
			       (unsigned long long)ci->bytes);
		else
		printf("%s %s: %llu bytes, %u sector%s erased%s, %u unchanged left alone, x%u, %s%s\n",
		       e->dry_run ? "dry run: would write" : "wrote", file,
		       (unsigned long long)ci->bytes, r->sectors_erased - r->sectors_blank,
		       r->sectors_erased - r->sectors_blank == 1 ? "" : "s", blank, r->sectors_skipped,
		       r->psize_bytes * 8,
		       e->dry_run		      ? "nothing written"
		       : r->verified == FK_VERIFY_NONE && r->sectors_erased ? "NOT verified"
		       : r->verified == FK_VERIFY_NONE ? "nothing to write"
		       : r->verified == FK_VERIFY_ENCRYPTED ? "encrypted by the chip, NOT verified"
							     : "verified",
		       r->verified == FK_VERIFY_CRC ? " (CRC-32 computed on the chip)"
		       : r->verified == FK_VERIFY_MD5 ? " (MD5 computed on the chip)"
		       : r->verified == FK_VERIFY_COMPARE ? " (each block compared on the chip after "
							    "programming, erased areas read back)"
							  : "");
		if (r->verified == FK_VERIFY_ENCRYPTED)
			printf("not verifiable over the ROM: the flash holds ciphertext of the chip's "
			       "key, which flashkey does not know; checked only that it is neither "
			       "the plaintext nor erased (where the ROM lets flashkey read it). Boot "
			       "the application to check it\n");
		if (w->unread_len && r->verified != FK_VERIFY_NONE &&
		    r->verified != FK_VERIFY_ENCRYPTED && !e->dry_run)
			cli_unreadable_text(w->unread_addr, w->unread_len, w->unread_why);
		if (r->kept_bytes)
			printf("%s %llu bytes of the erased sectors that the image does not cover (read "
			       "before the erase, written back; --erase-sectors erases them)\n",
			       e->dry_run ? "would keep" : "kept", (unsigned long long)r->kept_bytes);
		if (r->discarded_bytes)
			printf("%s %llu bytes of the erased sectors that the image does not cover "
			       "(--erase-sectors)\n", e->dry_run ? "would erase" : "erased",
			       (unsigned long long)r->discarded_bytes);
		write_report_special_text(w);
		if (want_run && e->dry_run)
			printf("dry run: would then start the application at 0x%08X\n",
			       0x08000000U);
		else if (want_run)
			printf("started the application at 0x%08X: MSP 0x%08X, reset handler 0x%08X "
			       "(%s)%s\n", run->addr, run->msp, run->reset_handler, run->how,
			       run->bootloader_gone ? "; the bootloader answers again after a reset "
						      "with BOOT0 high" : "");
	}
}

/* Main-flash segments are written first; option-byte/OTP segments only when asked for, after
 * the flash and through their own gates. */
static int write_image(cli_env *e, fk_session *s, const cli_image *ci, const fk_write_opts *o,
		       fk_perms *perms, fk_write_result *r, fk_special_result *sp, unsigned *nmain_out)
{
	unsigned nspecial = 0, nmain = 0;
	bool with_opt = cli_flag(&e->args, "with-options"), with_otp = cli_flag(&e->args, "with-otp");
	int rc = fk_image_special_check(s, ci->segs, ci->n, with_opt, with_otp, &nspecial);
	if (rc)
		return rc;
	fk_seg *main_segs = calloc(ci->n ? ci->n : 1, sizeof *main_segs);
	if (!main_segs)
		return fk_fail(e->ctx, FK_E_NOMEM, "splitting the image");
	const fk_chip_info *c = fk_session_chip(s);
	for (unsigned i = 0; i < ci->n; i++)
		if (ci->segs[i].addr < c->flash_base + c->flash_size &&
		    ci->segs[i].addr >= c->flash_base)
			main_segs[nmain++] = ci->segs[i];
	if (nmain + nspecial < ci->n)
		rc = fk_flash_write(s, ci->segs, ci->n, o, perms, r); /* says what lies outside */
	else
		rc = nmain ? fk_flash_write(s, main_segs, nmain, o, perms, r) : FK_OK;
	free(main_segs);
	*nmain_out = nmain;
	if (rc || !nspecial)
		return rc;
	if (with_otp)
		cli_consent_irreversible(e, perms, "Writing OTP from the image");
	return fk_image_special_apply(s, ci->segs, ci->n, perms, sp);
}

static int cmd_write_run(cli_env *e)
{
	const char *file = cli_arg(e, 0);
	fk_write_opts o = {0};
	fk_write_result r = {0};
	fk_run_result run = {0};
	cli_image ci = {0};
	fk_perms perms;
	fk_session *s = NULL;
	if (!file || cli_nargs(e) != 1)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey write FILE");
	o.skip_unchanged = cli_flag(&e->args, "skip-unchanged");
	o.no_verify = cli_flag(&e->args, "no-verify");
	o.read_back = cli_flag(&e->args, "read-back");
	o.erase_unwritten = cli_flag(&e->args, "erase-sectors");
	o.encrypt = cli_flag(&e->args, "encrypt");
	if (o.encrypt && cli_flag(&e->args, "run"))
		return fk_fail(e->ctx, FK_E_USAGE, "--run starts only a verified write, and an "
			       "encrypted write cannot be verified over the ROM: watch the "
			       "application boot (reset the board) to check it");
	if (o.no_verify && cli_flag(&e->args, "run"))
		return fk_fail(e->ctx, FK_E_USAGE, "--run starts only a verified write: drop "
			       "--no-verify (or run `flashkey run` yourself afterwards)");
	cli_perms(e, &perms);
	int rc = write_voltage(e, &o);
	if (!rc)
		rc = cli_image_load(e, file, &ci);
	if (!rc)
		rc = cli_session(e, &s);
	if (!rc)
		rc = cli_image_place(e, s, &ci);
	if (!rc)
		rc = cli_image_marks(e, s, &ci, &perms);
	/* A width that needs a programming supply beyond the target's (the F4's x64: 8-9 V on
	 * VPP), which no probe or bootloader can measure; a parallelism above what the supply
	 * sustains may not retain the value. So a forced --psize is taken on trust, and a verify
	 * failure after it names the cause, as the chip's width table states it. */
	const fk_chip_info *ci_chip = s ? fk_session_chip(s) : NULL;
	const fk_width_info *wi = ci_chip && o.psize >= 0 && (unsigned)o.psize < ci_chip->nwidths
					  ? &ci_chip->widths[o.psize]
					  : NULL;
	if (!rc && wi && wi->ext_name[0])
		fk_log(e->ctx, FK_LOG_WARN, FK_TRACE_FLASH, "--psize %u programs x%u, which needs "
			"%s on %s (%s); flashkey cannot measure %s, and without it the data may read "
			"back correctly and still not be retained: the verify right after the write "
			"cannot catch that; power-cycle the board and run `flashkey verify` to check",
			wi->width * 8U, wi->width * 8U, wi->ext_volts, wi->ext_name,
			ci_chip->width_source, wi->ext_name);
	write_steps w;
	memset(&w, 0, sizeof w);
	if (!rc)
		rc = write_image(e, s, &ci, &o, &perms, &r, &w.sp, &w.nmain);
	if (s) { /* for the report, which comes after the session's end */
		fk_strlcpy(w.reg, fk_session_chip(s)->option_reg, sizeof w.reg);
		fk_strlcpy(w.backup_dir, fk_session_backup_dir(s), sizeof w.backup_dir);
		cli_image_unreadable(s, &ci, &w.unread_addr, &w.unread_len, w.unread_why,
				     sizeof w.unread_why);
	}
	if (rc == FK_E_VERIFY && wi && fk_ctx_error(e->ctx) == rc) {
		char ext[80] = "check the target supply";
		if (wi->ext_name[0])
			snprintf(ext, sizeof ext, "apply %s to %s (%s)", wi->ext_volts, wi->ext_name,
				 wi->ext_limit);
		fk_hint(e->ctx, "%s; or write without --psize (flashkey then picks what the measured "
			"supply allows)", ext);
		fk_fail_wrap(e->ctx, rc, "programmed at x%u (--psize), which needs at least %s "
			     "(%s): without it cells may keep only part of the value, or read back "
			     "right and lose it later", wi->width * 8U, wi->need, ci_chip->width_source);
	}
	if (rc && fk_ctx_error(e->ctx) == rc)
		fk_fail_wrap(e->ctx, rc, "writing %s", file);
	if (!rc && !e->dry_run && cli_flag(&e->args, "run")) {
		rc = fk_session_run(s, 0, &run);
		if (rc)
			fk_fail_wrap(e->ctx, rc, "%s was written and verified; starting it", file);
	}
	rc = fk_session_end(s, rc);
	write_report(e, rc, file, &ci, &r, &run, &w);
	cli_image_free(&ci);
	return rc;
}

const cli_command cli_cmd_write = {
	.name = "write",
	.synopsis = "write FILE [--skip-unchanged] [--voltage V | --psize BITS] [--read-back] "
		    "[--erase-sectors] [--encrypt] [--run]",
	.summary = "program an image: plan, erase what is needed, program, verify",
	.details = "FILE is ELF, Intel HEX, S-record or raw binary (--base). Only the sectors the "
		   "image touches are erased, and the bytes in them the image does not cover are "
		   "read first and written back (--erase-sectors loses them instead); blocking protection is reported before any erase. "
		   "Segments reaching option bytes or OTP are refused unless --with-options / --with-otp "
		   "is given; they then pass the same gates as `options set` and `otp write`. Over a ROM "
		   "bootloader the comparisons (--skip-unchanged, verify) use a CRC-32 the chip "
		   "computes with a small routine in RAM (started with Go; the chip resets into the "
		   "bootloader afterwards, so BOOT0 must stay high); --read-back reads every byte "
		   "instead. --run starts the application after a verified write (as `flashkey run`).",
	.opts = write_opts,
	.run = cmd_write_run,
};
