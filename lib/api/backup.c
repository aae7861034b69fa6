/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backup and restore: every readable region (main flash, option registers, OTP) into a new
 * timestamped directory with a manifest of CRCs, verified by reading the files back; restore
 * writes flash back (options only when asked, through the option gates; OTP never, only
 * compared). At RDP level 1 nothing but the options is readable (RM0090 §3.7.3 Table 18):
 * the manifest says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/session.h"
#include "core/core.h"


int fk_api_options_write(fk_session *s, const stm32f4_options *cur, const stm32f4_options *want,
			 uint32_t cur_optcr, const fk_perms *perms, fk_pending *pending);

static int fk_bk_mkdirs(fk_ctx *ctx, const char *path)
{
	char buf[256];
	fk_strlcpy(buf, path, sizeof buf);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return fk_fail(ctx, FK_E_IO, "creating %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return fk_fail(ctx, FK_E_IO, "creating %s: %s", buf, strerror(errno));
	return FK_OK;
}

static int fk_bk_newdir(fk_session *s, const char *parent, char *dir, size_t n)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	int rc = fk_bk_mkdirs(s->ctx, parent);
	for (unsigned i = 1; !rc && i < 100; i++) {
		snprintf(dir, n, "%s/%s-%s%s", parent, s->info.chip, stamp, "");
		if (i > 1)
			fk_snprintf_cat(dir, n, "-%u", i);
		if (mkdir(dir, 0755) == 0)
			return FK_OK;
		if (errno != EEXIST)
			return fk_fail(s->ctx, FK_E_IO, "creating %s: %s", dir, strerror(errno));
	}
	return rc ? rc : fk_fail(s->ctx, FK_E_IO, "no free backup directory name under %s", parent);
}

static int fk_bk_save(fk_ctx *ctx, const char *dir, const char *name, const void *buf, size_t len)
{
	char path[320];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return fk_fail(ctx, FK_E_IO, "creating %s: %s", path, strerror(errno));
	size_t w = fwrite(buf, 1, len, f);
	if (fclose(f) || w != len)
		return fk_fail(ctx, FK_E_IO, "writing %s", path);
	return FK_OK;
}

/* Reads a whole file (at most max bytes) into a malloc'ed buffer. */
static int fk_bk_load(fk_ctx *ctx, const char *dir, const char *name, uint8_t **buf, size_t *len,
		      size_t max)
{
	char path[320];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fk_fail(ctx, FK_E_IO, "opening %s: %s", path, strerror(errno));
	*buf = malloc(max + 1);
	*len = *buf ? fread(*buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!*buf || *len > max) {
		free(*buf);
		*buf = NULL;
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: larger than %zu bytes", path, max);
	}
	return FK_OK;
}

/* The most option bytes and OTP bytes a backup holds (a driver's backup_options layout; the
 * F4's 16 x 32 OTP bytes + 16 lock bytes). */
#define FK_BK_OPT_MAX 64U
#define FK_BK_OTP_MAX 0x210U

typedef struct fk_bk_file {
	const char *name;
	uint32_t addr;
	uint8_t *data;
	size_t len;
} fk_bk_file;

static int fk_bk_verify(fk_ctx *ctx, const char *dir, const fk_bk_file *f)
{
	uint8_t *buf;
	size_t len;
	int rc = fk_bk_load(ctx, dir, f->name, &buf, &len, f->len);
	if (rc)
		return rc;
	bool same = len == f->len && fk_crc32(0, buf, len) == fk_crc32(0, f->data, f->len);
	free(buf);
	return same ? FK_OK : fk_fail(ctx, FK_E_BACKUP, "%s/%s reads back different", dir, f->name);
}

/* Everything the chip lets this path read goes into the backup; what it cannot hold although
 * the chip would let us read it is a failure, never a note (DESIGN.md "Safety gates"). What
 * the chip refuses (the inventory says so: RDP level, OTP hidden) is recorded as missing. */
static int fk_bk_collect(fk_session *s, bool dry, fk_bk_file *files, unsigned *n,
			 fk_backup_result *r, uint8_t *flash, uint8_t *opt, uint8_t *otp)
{
	uint32_t size = s->info.flash_size, base = s->info.flash_base, opt_addr = 0;
	uint32_t otp_base = s->info.otp_base, otp_size = s->info.otp_size;
	size_t opt_len = 0;
	fk_inventory *inv = malloc(sizeof *inv);
	*n = 0;
	if (!inv)
		return fk_fail(s->ctx, FK_E_NOMEM, "backup: inventory");
	int rc = fk_session_inventory(s, inv);
	if (rc) {
		free(inv);
		return fk_fail_wrap(s->ctx, rc, "reading the protection state for the backup");
	}
	/* a family without option words (SPI NOR) has no backup_options: nothing to save */
	rc = s->drv->backup_options ? s->drv->backup_options(s->chip, s->ctx, opt, FK_BK_OPT_MAX,
							      &opt_len, &opt_addr)
				    : FK_OK;
	if (!s->drv->backup_options) {
		/* nothing */
	} else if (rc == FK_E_PROTECTED || rc == FK_E_UNSUPPORTED) { /* the chip keeps them from us */
		fk_ctx_clear(s->ctx);
		fk_snprintf_cat(r->why_not, sizeof r->why_not, "option bytes not readable on the %s "
				"path at RDP level %d; ", inv->path, inv->rdp_level);
		rc = FK_OK;
	} else if (rc) {
		rc = fk_fail_wrap(s->ctx, rc, "reading the option bytes for the backup");
	} else {
		files[(*n)++] = (fk_bk_file){"options.bin", opt_addr, opt, opt_len};
		r->options_saved = true;
	}
	if (!rc && inv->flash_readable) {
		rc = dry ? FK_OK : fk_flash_read(s, base, flash, size);
		if (rc)
			fk_fail_wrap(s->ctx, rc, "reading flash for the backup (the chip lets it be "
						 "read, so a backup without it would lose it)");
		else
			files[(*n)++] = (fk_bk_file){"flash.bin", base, flash, size};
		r->flash_saved = !rc;
		r->flash_crc = rc || dry ? 0 : fk_crc32(0, flash, size);
	} else if (!rc) {
		fk_snprintf_cat(r->why_not, sizeof r->why_not, "flash not saved: RDP level %d (RDP "
				"byte 0x%02X) makes it unreadable through the %s path (%s); ",
				inv->rdp_level, inv->rdp_raw, inv->path,
				s->desc->rdp_source ? s->desc->rdp_source : s->desc->manual);
	}
	if (!rc && inv->notp && otp_size && otp_size <= FK_BK_OTP_MAX && inv->otp[0].readable &&
	    FK_IS_F4(s)) {
		rc = dry ? FK_OK : s->drv->read(s->chip, s->ctx, otp_base, otp, otp_size);
		if (rc)
			fk_fail_wrap(s->ctx, rc, "reading OTP for the backup (the chip lets it be read, "
						 "so a backup without it would lose it)");
		else
			files[(*n)++] = (fk_bk_file){"otp.bin", otp_base, otp, otp_size};
		r->otp_saved = !rc;
	} else if (!rc && inv->notp && FK_IS_F4(s)) {
		fk_snprintf_cat(r->why_not, sizeof r->why_not, "OTP not saved: not readable through "
				"the %s path at RDP level %d; ", inv->path, inv->rdp_level);
	}
	size_t wl = strlen(r->why_not);
	if (wl >= 2 && r->why_not[wl - 2] == ';')
		r->why_not[wl - 2] = '\0';
	free(inv);
	return rc;
}

static int fk_bk_manifest(fk_session *s, const char *dir, const fk_bk_file *files, unsigned n,
			  const fk_backup_result *r)
{
	char text[1024];
	snprintf(text, sizeof text, "flashkey-backup 1\nchip %s\ndev_id 0x%03X\nflash_size %u\n",
		 s->info.chip, s->info.dev_id, s->info.flash_size);
	for (unsigned i = 0; i < n; i++)
		fk_snprintf_cat(text, sizeof text, "file %s addr 0x%08X size %zu crc32 0x%08X\n",
				files[i].name, files[i].addr, files[i].len,
				fk_crc32(0, files[i].data, files[i].len));
	if (r->why_not[0])
		fk_snprintf_cat(text, sizeof text, "missing %s\n", r->why_not);
	return fk_bk_save(s->ctx, dir, "manifest.txt", text, strlen(text));
}

int fk_backup_check(fk_session *s, const char *parent, fk_backup_result *r)
{
	memset(r, 0, sizeof *r);
	fk_perms p = {.backup_dir = parent};
	uint8_t opt[FK_BK_OPT_MAX];
	fk_bk_file files[3];
	unsigned n = 0;
	int rc = fk_api_backup_dir_check(s, &p);
	if (!rc)
		rc = fk_bk_collect(s, true, files, &n, r, NULL, opt, NULL);
	snprintf(r->dir, sizeof r->dir, "%s/%s-YYYYmmdd-HHMMSS", parent ? parent : "flashkey-backups",
		 s->info.chip);
	return rc;
}

int fk_backup(fk_session *s, const char *parent, fk_backup_result *r)
{
	memset(r, 0, sizeof *r);
	uint8_t opt[FK_BK_OPT_MAX], otp[FK_BK_OTP_MAX];
	uint8_t *flash = malloc(s->info.flash_size);
	fk_bk_file files[3];
	if (!flash)
		return fk_fail(s->ctx, FK_E_NOMEM, "allocating the flash backup");
	int rc = fk_bk_newdir(s, parent ? parent : "flashkey-backups", r->dir, sizeof r->dir);
	unsigned n = 0;
	if (!rc)
		rc = fk_bk_collect(s, false, files, &n, r, flash, opt, otp);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = fk_bk_save(s->ctx, r->dir, files[i].name, files[i].data, files[i].len);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = fk_bk_verify(s->ctx, r->dir, &files[i]);
	if (!rc)
		rc = fk_bk_manifest(s, r->dir, files, n, r);
	if (!rc)
		fk_progress(s->ctx, "backup", 1, 1);
	free(flash);
	return rc ? fk_fail_wrap(s->ctx, FK_E_BACKUP, "backup into %s", r->dir) : FK_OK;
}

int fk_api_backup_dir_check(fk_session *s, const fk_perms *perms)
{
	if (!perms || perms->no_backup)
		return FK_OK;
	const char *parent = perms->backup_dir ? perms->backup_dir : "flashkey-backups";
	char buf[256];
	struct stat st;
	if (!parent[0] || strlen(parent) >= sizeof buf - 1)
		return fk_fail(s->ctx, FK_E_BACKUP, "backup directory \"%s\": %s; nothing was changed",
			       parent, parent[0] ? "path too long" : "empty path");
	fk_strlcpy(buf, parent, sizeof buf);
	for (;;) { /* the nearest existing ancestor decides: nothing is created here */
		if (stat(buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode) || access(buf, W_OK | X_OK)) {
				fk_hint(s->ctx, "give a writable --backup-dir (or --no-backup to go on "
						"without one)");
				return fk_fail(s->ctx, FK_E_BACKUP, "backup directory %s cannot be created: "
								    "%s %s; nothing was changed", parent, buf,
					       S_ISDIR(st.st_mode) ? "is not writable" : "is not a directory");
			}
			return FK_OK;
		}
		if (errno != ENOENT)
			return fk_fail(s->ctx, FK_E_BACKUP, "backup directory %s: %s: %s; nothing was "
							    "changed", parent, buf, strerror(errno));
		char *slash = strrchr(buf, '/');
		while (slash && slash > buf && slash[1] == '\0') { /* "a/b/" */
			*slash = '\0';
			slash = strrchr(buf, '/');
		}
		if (!slash)
			fk_strlcpy(buf, ".", sizeof buf);
		else if (slash == buf)
			buf[1] = '\0';
		else
			*slash = '\0';
	}
}

int fk_api_backup_before(fk_session *s, const fk_perms *perms, const char *what)
{
	if (!perms || perms->no_backup) {
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_CHIP, "--no-backup: nothing saved before %s", what);
		return FK_OK;
	}
	int rc = fk_api_backup_dir_check(s, perms);
	if (rc || perms->dry_run)
		return rc;
	fk_backup_result br;
	rc = fk_backup(s, perms->backup_dir, &br);
	if (rc)
		return fk_fail_wrap(s->ctx, FK_E_BACKUP, "backup before %s; nothing was changed", what);
	fk_strlcpy(s->backup_dir, br.dir, sizeof s->backup_dir);
	if (br.why_not[0])
		fk_log(s->ctx, FK_LOG_INFO, FK_TRACE_CHIP, "backup %s: %s", br.dir, br.why_not);
	return FK_OK;
}

/* The manifest line "file NAME addr A size N crc32 C" for name; FK_E_NOT_FOUND if absent. */
static int fk_bk_entry(fk_ctx *ctx, const char *manifest, const char *name, uint32_t *crc)
{
	char key[48];
	snprintf(key, sizeof key, "file %s ", name);
	const char *p = strstr(manifest, key);
	if (!p)
		return FK_E_NOT_FOUND;
	const char *c = strstr(p, "crc32 ");
	const char *eol = strchr(p, '\n');
	char num[16] = "";
	if (c && (!eol || c < eol))
		fk_strlcpy(num, c + 6, FK_MIN(sizeof num, (size_t)11));
	if (fk_parse_u32(num, crc))
		return fk_fail(ctx, FK_E_BAD_FILE, "manifest line for %s has no crc32", name);
	return FK_OK;
}

static int fk_bk_file_checked(fk_session *s, const char *dir, const char *manifest,
			      const char *name, size_t max, uint8_t **buf, size_t *len)
{
	uint32_t crc;
	int rc = fk_bk_entry(s->ctx, manifest, name, &crc);
	if (rc)
		return rc;
	rc = fk_bk_load(s->ctx, dir, name, buf, len, max);
	uint32_t got = rc ? 0 : fk_crc32(0, *buf, *len);
	if (!rc && got != crc) {
		free(*buf);
		*buf = NULL;
		return fk_fail(s->ctx, FK_E_BAD_FILE, "%s/%s: CRC 0x%08X differs from the manifest's "
						      "0x%08X", dir, name, got, crc);
	}
	return rc;
}

/* Option restore around the flash write. Options applied first could forbid the write
 * (WRP/PCROP on a sector to restore, RM0090 §3.7.4; an RDP raise latching the debug
 * intrusion, §3.7.3); applied after, a protection the chip has now but the backup does not
 * would. So: every gate is checked on the whole change before anything is written; before the
 * flash write go only the changes that do not restrict writing (an RDP regression, which
 * erases, followed by a reset; WRP lifted from every sector, which loses nothing); after it,
 * the backup's options as they were. PCROP (SPRMOD) is left to the second step. */
typedef struct fk_restore_opt {
	bool active;
	stm32f4_options cur, want;
	uint32_t optcr;
} fk_restore_opt;

static int fk_restore_opt_read(fk_session *s, fk_restore_opt *ro)
{
	uint32_t optcr1;
	int rc = stm32f4_options_read(FK_F4(s), s->ctx, &ro->optcr, &optcr1);
	if (!rc)
		stm32f4_opt_decode(FK_F4(s)->dev, ro->optcr, optcr1, &ro->cur);
	return rc;
}

static int fk_restore_opt_before(fk_session *s, const uint8_t *opt, const fk_perms *perms,
				 fk_restore_opt *ro)
{
	int rc = fk_restore_opt_read(s, ro);
	if (rc)
		return rc;
	stm32f4_opt_decode(FK_F4(s)->dev, fk_get_le32(opt), fk_get_le32(opt + 4), &ro->want);
	if (memcmp(&ro->cur, &ro->want, sizeof ro->cur) == 0)
		return FK_OK;
	ro->active = true;
	fk_perms check = *perms;
	check.dry_run = true; /* all gates and §3.7 rules first: nothing written on a refusal */
	rc = fk_api_options_write(s, &ro->cur, &ro->want, ro->optcr, &check, NULL);
	if (rc || perms->dry_run)
		return rc;
	stm32f4_options mid = ro->want;
	if (stm32f4_rdp_level(ro->want.rdp) >= stm32f4_rdp_level(ro->cur.rdp))
		mid.rdp = ro->cur.rdp;
	if (!ro->cur.sprmod && !ro->want.sprmod) {
		mid.nwrp = stm32f4_opt_nwrp_mask(FK_F4(s)->dev); /* nWRPi = 1: writable (§3.7.4) */
	} else {
		mid.sprmod = ro->cur.sprmod; /* PCROP changes (§3.7.5) go in one step, after */
		mid.nwrp = ro->cur.nwrp;
	}
	if (memcmp(&mid, &ro->cur, sizeof mid) == 0)
		return FK_OK;
	fk_pending pending = FK_PENDING_NONE;
	rc = fk_api_options_write(s, &ro->cur, &mid, ro->optcr, perms, &pending);
	/* after a regression the flash stays unreadable until the options reload (§3.7.3) */
	if (!rc && mid.rdp != ro->cur.rdp && pending == FK_PENDING_RESET && !fk_api_reset_reload(s))
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_CHIP, "RDP level 0 takes effect at the next reset, "
							   "which this path cannot do");
	if (!rc)
		rc = fk_restore_opt_read(s, ro);
	return rc ? fk_fail_wrap(s->ctx, rc, "restoring the option bytes (before flash)") : FK_OK;
}

static int fk_restore_opt_after(fk_session *s, const fk_perms *perms, fk_restore_opt *ro)
{
	if (!ro->active || perms->dry_run || memcmp(&ro->cur, &ro->want, sizeof ro->cur) == 0)
		return FK_OK;
	fk_pending pending;
	int rc = fk_api_options_write(s, &ro->cur, &ro->want, ro->optcr, perms, &pending);
	return rc ? fk_fail_wrap(s->ctx, rc, "restoring the option bytes (after flash)") : FK_OK;
}

static unsigned fk_restore_otp_diffs(fk_session *s, const uint8_t *otp, size_t len)
{
	uint8_t now[0x210];
	unsigned diffs = 0;
	fk_ctx *q = fk_ctx_new();
	if (q && len == sizeof now && !stm32f4_read(FK_F4(s), q, STM32F4_OTP_BASE, now, sizeof now))
		for (size_t i = 0; i < len; i++)
			diffs += now[i] != otp[i];
	fk_ctx_free(q);
	return diffs;
}

int fk_restore(fk_session *s, const char *dir, bool with_options, const fk_perms *perms,
	       unsigned *otp_diffs)
{
	uint8_t *man = NULL, *flash = NULL, *opt = NULL, *otp = NULL;
	size_t mlen, flen = 0, olen, tlen = 0;
	*otp_diffs = 0;
	int rc = fk_bk_load(s->ctx, dir, "manifest.txt", &man, &mlen, 4096);
	if (!rc) {
		man[mlen] = '\0';
		char want[48];
		snprintf(want, sizeof want, "chip %s\n", s->info.chip);
		if (strncmp((char *)man, "flashkey-backup 1\n", 18) || !strstr((char *)man, want))
			rc = fk_fail(s->ctx, FK_E_BAD_FILE, "%s/manifest.txt is not a backup of a %s",
				     dir, s->info.chip);
	}
	if (!rc && (rc = fk_bk_file_checked(s, dir, (char *)man, "flash.bin", s->info.flash_size,
					     &flash, &flen)) == FK_E_NOT_FOUND)
		rc = fk_fail(s->ctx, FK_E_NOT_FOUND, "%s holds no flash image (the chip was "
						     "unreadable when it was taken)", dir);
	if (!rc)
		rc = fk_api_need_erase_all(s->ctx, perms, "restore (it overwrites all of flash)");
	if (!rc && perms->dry_run)
		rc = fk_api_backup_dir_check(s, perms);
	else if (!rc)
		rc = fk_api_backup_before(s, perms, "restoring (the current contents)");
	fk_restore_opt ro = {.active = false};
	if (!rc && with_options && !FK_IS_F4(s))
		rc = fk_api_f4_only(s, "restore --with-options");
	if (!rc && with_options &&
	    !(rc = fk_bk_file_checked(s, dir, (char *)man, "options.bin", 8, &opt, &olen)))
		rc = olen == 8 ? fk_restore_opt_before(s, opt, perms, &ro)
			       : fk_fail(s->ctx, FK_E_BAD_FILE, "options.bin: expected 8 bytes");
	if (!rc) {
		fk_seg seg = {s->info.flash_base, (uint32_t)flen, flash};
		fk_write_opts wo = {.skip_unchanged = true, .psize = -1};
		fk_write_result wr;
		rc = fk_flash_write(s, &seg, 1, &wo, perms, &wr);
	}
	if (!rc)
		rc = fk_restore_opt_after(s, perms, &ro);
	if (!rc && FK_IS_F4(s) &&
	    !fk_bk_file_checked(s, dir, (char *)man, "otp.bin", 0x210, &otp, &tlen))
		*otp_diffs = fk_restore_otp_diffs(s, otp, tlen);
	free(man);
	free(flash);
	free(opt);
	free(otp);
	return rc;
}
