/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backup and restore: every readable region (main flash, option registers, OTP) into a new
 * timestamped directory with a manifest of CRCs, verified by reading the files back; restore
 * writes flash back (options only when asked, through the option gates; OTP never, only
 * compared). When read protection hides the flash from the path (an STM32 at RDP level 1)
 * nothing but the options is readable: the manifest says so, naming the driver's rdp_source. A
 * range the chip refuses to read while the rest of flash reads (proprietary code read
 * protection) is recorded as missing ("unreadable" lines), never filled: the readable ranges
 * around it go into flash-0xADDR.bin files (issue 13 class 9). Restore checks every
 * manifest field (format version, chip, dev_id, flash base and size, each file's address,
 * size and CRC) against the data and the chip before writing anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/session.h"
#include "core/core.h"
#include "plan/ladder.h"

#define FK_BK_MANIFEST_MAX 8192

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
	char name[40];
	uint32_t addr;
	uint8_t *data;
	size_t len;
} fk_bk_file;

#define FK_BK_MAX_HOLES 32
#define FK_BK_MAX_FILES (FK_BK_MAX_HOLES + 4)

/* A flash range the chip refuses to read although main flash is readable. */
typedef struct fk_bk_hole {
	uint32_t addr, len;
	char why[160];
} fk_bk_hole;

static void fk_bk_hole_add(fk_bk_hole *h, unsigned *n, uint32_t addr, uint32_t len,
			   const char *why)
{
	for (unsigned i = 0; i < *n; i++) /* adjacent units of one lock become one range */
		if (h[i].addr + h[i].len == addr && strcmp(h[i].why, why) == 0) {
			h[i].len += len;
			return;
		}
	if (*n >= FK_BK_MAX_HOLES) { /* never drop one: widen the last to cover it */
		h[*n - 1].len = addr + len - h[*n - 1].addr;
		return;
	}
	h[*n].addr = addr;
	h[*n].len = len;
	fk_strlcpy(h[*n].why, why, sizeof h[*n].why);
	(*n)++;
}

/* The read-protected ranges of main flash from the inventory (PCROP locks by erase unit or by
 * range), clipped to flash, in ascending order. */
static unsigned fk_bk_holes(const fk_session *s, const fk_inventory *inv, fk_bk_hole *h)
{
	unsigned n = 0;
	const fk_chip_desc *d = s->desc;
	uint64_t lo = s->info.flash_base, hi = lo + s->info.flash_size;
	for (unsigned i = 0; i < inv->nlocks; i++) {
		const fk_lock *l = &inv->locks[i];
		if (l->kind != FK_LOCK_PCROP)
			continue;
		char why[160] = "";
		fk_snprintf_cat(why, sizeof why, "%s: %s", l->name, l->state);
		if (l->range_len) {
			uint64_t a = FK_MAX((uint64_t)l->range_addr, lo);
			uint64_t b = FK_MIN((uint64_t)l->range_addr + l->range_len, hi);
			if (a < b)
				fk_bk_hole_add(h, &n, (uint32_t)a, (uint32_t)(b - a), why);
			continue;
		}
		for (unsigned k = 0; k < d->nunits; k++)
			if (d->units[k].number < 64 && (l->sectors >> d->units[k].number) & 1U &&
			    d->units[k].addr >= lo && (uint64_t)d->units[k].addr + d->units[k].size <= hi)
				fk_bk_hole_add(h, &n, d->units[k].addr, d->units[k].size, why);
	}
	if (d->hidden_len && d->hidden_addr >= lo && (uint64_t)d->hidden_addr + d->hidden_len <= hi)
		fk_bk_hole_add(h, &n, d->hidden_addr, d->hidden_len,
			       d->hidden_why ? d->hidden_why : "not readable on this path");
	for (unsigned i = 1; i < n; i++) /* insertion sort by address */
		for (unsigned j = i; j > 0 && h[j - 1].addr > h[j].addr; j--) {
			fk_bk_hole t = h[j];
			h[j] = h[j - 1];
			h[j - 1] = t;
		}
	return n;
}

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
			 fk_backup_result *r, uint8_t *flash, uint8_t *opt, uint8_t *otp,
			 fk_bk_hole *holes_out, unsigned *nholes)
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
		fk_bk_hole holes[FK_BK_MAX_HOLES];
		unsigned nh = fk_bk_holes(s, inv, holes);
		uint32_t at = base;
		for (unsigned i = 0; !rc && i <= nh; i++) { /* the readable ranges between holes */
			uint32_t end = i < nh ? holes[i].addr : base + size;
			if (end > at) {
				fk_bk_file *f = &files[(*n)++];
				*f = (fk_bk_file){.addr = at, .data = flash + (at - base), .len = end - at};
				if (nh)
					snprintf(f->name, sizeof f->name, "flash-0x%08X.bin", at);
				else
					fk_strlcpy(f->name, "flash.bin", sizeof f->name);
				rc = dry ? FK_OK : fk_flash_read(s, at, f->data, end - at);
			}
			if (i < nh) {
				r->flash_missing += holes[i].len;
				fk_snprintf_cat(r->why_not, sizeof r->why_not, "flash 0x%08X-0x%08X not "
						"saved: %s; ", holes[i].addr, holes[i].addr + holes[i].len - 1U,
						holes[i].why);
				at = holes[i].addr + holes[i].len;
			}
		}
		if (rc)
			fk_fail_wrap(s->ctx, rc, "reading flash for the backup (the chip lets it be "
						 "read, so a backup without it would lose it)");
		r->flash_saved = !rc;
		r->flash_crc = rc || dry || nh ? 0 : fk_crc32(0, flash, size);
		if (holes_out) {
			memcpy(holes_out, holes, nh * sizeof *holes);
			*nholes = nh;
		}
	} else if (!rc) {
		char guard[96];
		fk_inventory_read_guard(inv, guard, sizeof guard);
		fk_snprintf_cat(r->why_not, sizeof r->why_not, "flash not saved: %s makes it "
				"unreadable through the %s path (%s); ", guard, inv->path,
				s->desc->rdp_source ? s->desc->rdp_source : s->desc->manual);
	}
	if (!rc && inv->notp && otp_size && otp_size <= FK_BK_OTP_MAX && inv->otp[0].readable) {
		rc = dry ? FK_OK : s->drv->read(s->chip, s->ctx, otp_base, otp, otp_size);
		if (rc)
			fk_fail_wrap(s->ctx, rc, "reading OTP for the backup (the chip lets it be read, "
						 "so a backup without it would lose it)");
		else
			files[(*n)++] = (fk_bk_file){"otp.bin", otp_base, otp, otp_size};
		r->otp_saved = !rc;
	} else if (!rc && inv->notp && otp_size) {
		fk_snprintf_cat(r->why_not, sizeof r->why_not, "OTP not saved: not readable through "
				"the %s path at RDP level %d; ", inv->path, inv->rdp_level);
	}
	size_t wl = strlen(r->why_not);
	if (wl >= 2 && r->why_not[wl - 2] == ';')
		r->why_not[wl - 2] = '\0';
	free(inv);
	return rc;
}

/* Format 2 adds flash_base and the "unreadable ADDR LEN WHY" lines (format 1 had neither). */
#define FK_BK_FORMAT 2

static int fk_bk_manifest(fk_session *s, const char *dir, const fk_bk_file *files, unsigned n,
			  const fk_bk_hole *holes, unsigned nh, const fk_backup_result *r)
{
	char text[FK_BK_MANIFEST_MAX];
	snprintf(text, sizeof text, "flashkey-backup %d\nchip %s\ndev_id 0x%03X\nflash_base "
		 "0x%08X\nflash_size %u\n", FK_BK_FORMAT, s->info.chip, s->info.dev_id,
		 s->info.flash_base, s->info.flash_size);
	for (unsigned i = 0; i < n; i++)
		fk_snprintf_cat(text, sizeof text, "file %s addr 0x%08X size %zu crc32 0x%08X\n",
				files[i].name, files[i].addr, files[i].len,
				fk_crc32(0, files[i].data, files[i].len));
	for (unsigned i = 0; i < nh; i++)
		fk_snprintf_cat(text, sizeof text, "unreadable 0x%08X 0x%X %s\n", holes[i].addr,
				holes[i].len, holes[i].why);
	if (r->why_not[0])
		fk_snprintf_cat(text, sizeof text, "missing %s\n", r->why_not);
	return fk_bk_save(s->ctx, dir, "manifest.txt", text, strlen(text));
}

int fk_backup_check(fk_session *s, const char *parent, fk_backup_result *r)
{
	memset(r, 0, sizeof *r);
	fk_perms p = {.backup_dir = parent};
	uint8_t opt[FK_BK_OPT_MAX];
	fk_bk_file files[FK_BK_MAX_FILES];
	unsigned n = 0;
	int rc = fk_api_backup_dir_check(s, &p);
	if (!rc)
		rc = fk_bk_collect(s, true, files, &n, r, NULL, opt, NULL, NULL, NULL);
	snprintf(r->dir, sizeof r->dir, "%s/%s-YYYYmmdd-HHMMSS", parent ? parent : "flashkey-backups",
		 s->info.chip);
	return rc;
}

int fk_backup(fk_session *s, const char *parent, fk_backup_result *r)
{
	memset(r, 0, sizeof *r);
	uint8_t opt[FK_BK_OPT_MAX], otp[FK_BK_OTP_MAX];
	uint8_t *flash = malloc(s->info.flash_size);
	fk_bk_file files[FK_BK_MAX_FILES];
	fk_bk_hole holes[FK_BK_MAX_HOLES];
	unsigned nh = 0;
	if (!flash)
		return fk_fail(s->ctx, FK_E_NOMEM, "allocating the flash backup");
	int rc = fk_bk_newdir(s, parent ? parent : "flashkey-backups", r->dir, sizeof r->dir);
	unsigned n = 0;
	if (!rc)
		rc = fk_bk_collect(s, false, files, &n, r, flash, opt, otp, holes, &nh);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = fk_bk_save(s->ctx, r->dir, files[i].name, files[i].data, files[i].len);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = fk_bk_verify(s->ctx, r->dir, &files[i]);
	if (!rc)
		rc = fk_bk_manifest(s, r->dir, files, n, holes, nh, r);
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

/* ---------------------------------------------------------------- manifest (restore) */

typedef struct fk_bk_entry {
	char name[40];
	uint32_t addr, size, crc;
} fk_bk_entry;

typedef struct fk_bk_man {
	unsigned format;
	unsigned n;
	fk_bk_entry f[FK_BK_MAX_FILES];
} fk_bk_man;

static int fk_bk_bad(fk_session *s, const char *dir, unsigned line, const char *what)
{
	fk_hint(s->ctx, "use a backup directory flashkey wrote for this chip, unchanged");
	return fk_fail(s->ctx, FK_E_BAD_FILE, "%s/manifest.txt line %u: %s; nothing was written",
		       dir, line, what);
}

/* A u32 field of the manifest ("0x08000000", "1048576"): -1 when it is not one. */
static int fk_bk_u32(const char *text, uint32_t *v)
{
	return text && text[0] && !fk_parse_u32(text, v) ? 0 : -1;
}

static bool fk_bk_plain_name(const char *n)
{
	if (!n[0] || n[0] == '.')
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
		      *n == '.' || *n == '-' || *n == '_'))
			return false;
	return true;
}

/* Parses and checks the manifest against the chip: format version, chip, dev_id, flash base
 * and size, and each file's name, address and size against what that file must be. */
static int fk_bk_man_read(fk_session *s, const char *dir, fk_bk_man *m)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc = fk_bk_load(s->ctx, dir, "manifest.txt", &buf, &len, FK_BK_MANIFEST_MAX);
	if (rc)
		return rc;
	buf[len] = '\0';
	memset(m, 0, sizeof *m);
	bool chip = false, dev = false, base = false, size = false;
	unsigned line = 0;
	char msg[200];
	for (char *l = (char *)buf, *nl; !rc && l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		char key[24] = "", a[48] = "", b[24] = "", c[24] = "", d[24] = "", e[24] = "",
		     f[24] = "", g[24] = "";
		line++;
		int k = sscanf(l, "%23s %47s %23s %23s %23s %23s %23s %23s", key, a, b, c, d, e, f, g);
		uint32_t v = 0;
		if (line == 1) {
			if (strcmp(key, "flashkey-backup") || k != 2 || fk_bk_u32(a, &v) || v < 1 ||
			    v > FK_BK_FORMAT) {
				snprintf(msg, sizeof msg, "not a flashkey backup of a format this build "
					 "reads (1 to %d): \"%.60s\"", FK_BK_FORMAT, l);
				rc = fk_bk_bad(s, dir, line, msg);
			}
			m->format = v;
		} else if (strcmp(key, "chip") == 0) {
			chip = true;
			if (k != 2 || strcmp(a, s->info.chip)) {
				snprintf(msg, sizeof msg, "a backup of a %.40s, this chip is a %s", a,
					 s->info.chip);
				rc = fk_bk_bad(s, dir, line, msg);
			}
		} else if (strcmp(key, "dev_id") == 0) {
			dev = true;
			if (k != 2 || fk_bk_u32(a, &v) || v != s->info.dev_id) {
				snprintf(msg, sizeof msg, "dev_id %.20s, this chip's DEV_ID is 0x%03X", a,
					 s->info.dev_id);
				rc = fk_bk_bad(s, dir, line, msg);
			}
		} else if (strcmp(key, "flash_base") == 0) {
			base = true;
			if (k != 2 || fk_bk_u32(a, &v) || v != s->info.flash_base) {
				snprintf(msg, sizeof msg, "flash_base %.20s, this chip's flash starts at "
					 "0x%08X", a, s->info.flash_base);
				rc = fk_bk_bad(s, dir, line, msg);
			}
		} else if (strcmp(key, "flash_size") == 0) {
			size = true;
			if (k != 2 || fk_bk_u32(a, &v) || v != s->info.flash_size) {
				snprintf(msg, sizeof msg, "flash_size %.20s, this chip has %u bytes", a,
					 s->info.flash_size);
				rc = fk_bk_bad(s, dir, line, msg);
			}
		} else if (strcmp(key, "file") == 0) {
			fk_bk_entry *x = &m->f[m->n];
			if (m->n >= FK_BK_MAX_FILES) {
				rc = fk_bk_bad(s, dir, line, "more files than a backup holds");
			} else if (k != 8 || strcmp(b, "addr") || strcmp(d, "size") || strcmp(f, "crc32") ||
				   fk_bk_u32(c, &x->addr) || fk_bk_u32(e, &x->size) ||
				   fk_bk_u32(g, &x->crc) || strlen(a) >= sizeof x->name ||
				   !fk_bk_plain_name(a)) {
				rc = fk_bk_bad(s, dir, line, "expected \"file NAME addr 0x... size N crc32 "
							     "0x...\" with a plain file name");
			} else {
				fk_strlcpy(x->name, a, sizeof x->name);
				m->n++;
			}
		} else if (strcmp(key, "unreadable") && strcmp(key, "missing")) {
			snprintf(msg, sizeof msg, "unknown line \"%.60s\"", l);
			rc = fk_bk_bad(s, dir, line, msg);
		}
	}
	free(buf);
	if (!rc && !(chip && dev && size && (base || m->format < 2)))
		rc = fk_bk_bad(s, dir, line, "the manifest lacks one of chip, dev_id, flash_base, "
					     "flash_size");
	return rc;
}

/* options.bin must be what this chip's driver writes: its option words at their address. */
static bool fk_bk_options_fit(fk_session *s, const fk_bk_entry *x)
{
	uint8_t raw[FK_BK_OPT_MAX];
	size_t len = 0;
	uint32_t addr = 0;
	if (!s->drv->backup_options)
		return false;
	fk_ctx *q = fk_ctx_new();
	bool ok = q && !s->drv->backup_options(s->chip, q, raw, sizeof raw, &len, &addr) &&
		  x->addr == addr && x->size == len;
	fk_ctx_free(q);
	return ok;
}

/* What each file must be: flash ranges inside this chip's flash (flash.bin the whole of it,
 * flash-0xADDR.bin at ADDR), the option words and OTP where this chip has them; flash ranges
 * do not overlap. */
static int fk_bk_man_check(fk_session *s, const char *dir, const fk_bk_man *m)
{
	char msg[200];
	uint32_t base = s->info.flash_base, fsz = s->info.flash_size;
	for (unsigned i = 0; i < m->n; i++) {
		const fk_bk_entry *x = &m->f[i];
		uint32_t at = 0;
		bool ok;
		if (strcmp(x->name, "flash.bin") == 0)
			ok = x->addr == base && x->size == fsz;
		else if (strncmp(x->name, "flash-", 6) == 0) {
			char num[16] = "";
			const char *dot = strchr(x->name + 6, '.');
			if (dot && (size_t)(dot - (x->name + 6)) < sizeof num)
				memcpy(num, x->name + 6, (size_t)(dot - (x->name + 6)));
			ok = dot && strcmp(dot, ".bin") == 0 && !fk_bk_u32(num, &at) && at == x->addr &&
			     x->size && x->addr >= base && fk_span_ok(x->addr - base, x->size, fsz);
		} else if (strcmp(x->name, "options.bin") == 0)
			ok = fk_bk_options_fit(s, x);
		else if (strcmp(x->name, "otp.bin") == 0)
			ok = x->size && x->addr == s->info.otp_base && x->size == s->info.otp_size;
		else {
			snprintf(msg, sizeof msg, "%s/manifest.txt names %s, which no backup holds; "
				 "nothing was written", dir, x->name);
			return fk_fail(s->ctx, FK_E_BAD_FILE, "%s", msg);
		}
		for (unsigned j = 0; ok && j < i; j++) /* flash ranges do not overlap */
			if (strncmp(m->f[j].name, "flash", 5) == 0 && strncmp(x->name, "flash", 5) == 0 &&
			    (uint64_t)m->f[j].addr < (uint64_t)x->addr + x->size &&
			    (uint64_t)x->addr < (uint64_t)m->f[j].addr + m->f[j].size)
				ok = false;
		if (!ok) {
			fk_hint(s->ctx, "use a backup directory flashkey wrote for this chip, unchanged");
			return fk_fail(s->ctx, FK_E_BAD_FILE, "%s/manifest.txt: %s at 0x%08X, %u bytes "
				       "does not fit this %s (flash 0x%08X, %u bytes); nothing was "
				       "written", dir, x->name, x->addr, x->size, s->info.chip, base, fsz);
		}
	}
	return FK_OK;
}

/* Loads the file of entry x: its size and CRC as the manifest says, or FK_E_BAD_FILE. */
static int fk_bk_entry_load(fk_session *s, const char *dir, const fk_bk_entry *x, uint8_t **buf)
{
	size_t len;
	int rc = fk_bk_load(s->ctx, dir, x->name, buf, &len, (size_t)x->size + 1U);
	uint32_t got = rc ? 0 : fk_crc32(0, *buf, len);
	if (!rc && (len != x->size || got != x->crc)) {
		free(*buf);
		*buf = NULL;
		if (len != x->size)
			return fk_fail(s->ctx, FK_E_BAD_FILE, "%s/%s: %s%zu bytes, the manifest says %u "
				       "bytes; nothing was written", dir, x->name,
				       len > x->size ? "more than " : "", FK_MIN(len, (size_t)x->size),
				       x->size);
		return fk_fail(s->ctx, FK_E_BAD_FILE, "%s/%s: CRC 0x%08X, the manifest says 0x%08X; "
			       "nothing was written", dir, x->name, got, x->crc);
	}
	return rc;
}

static const fk_bk_entry *fk_bk_find(const fk_bk_man *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

/* Option restore around the flash write (FK_CHANGE_OPTIONS_RAW, planned by the driver):
 * options applied first could forbid the write (write protection on a sector to restore, a
 * read-protection raise); applied after, a protection the chip has now but the backup does not
 * would. So the gates of the whole plan are checked before anything is written; the steps the
 * driver marks before_write (those that lift what would block the write: WRP off, an RDP
 * regression, which erases and is reloaded by a reset where the path can) run before the flash
 * write; the rest, the backup's options as they were, after it. */
typedef struct fk_restore_opt {
	fk_plan plan;
	bool active;
} fk_restore_opt;

static void fk_restore_step_done(void *user, const fk_step_result *r, const fk_inventory *after)
{
	(void)after;
	fk_session *s = user;
	if (!r->rc && r->step->before_write && r->pending == FK_PENDING_RESET &&
	    !r->step->user_reset)
		fk_log(s->ctx, FK_LOG_WARN, FK_TRACE_CHIP, "the restored read-protection level "
			"takes effect at the next reset, which this path cannot do");
}

/* Runs the steps of the plan with before_write == before (a sub-plan through the executor). */
static int fk_restore_opt_steps(fk_session *s, const fk_restore_opt *ro, bool before,
				const fk_perms *perms)
{
	fk_plan part;
	memset(&part, 0, sizeof part);
	for (unsigned i = 0; i < ro->plan.nsteps; i++)
		if (ro->plan.steps[i].before_write == before)
			part.steps[part.nsteps++] = ro->plan.steps[i];
	if (!part.nsteps)
		return FK_OK;
	int rc = fk_unlock_run(s, &part, perms, fk_restore_step_done, s);
	return rc ? fk_fail_wrap(s->ctx, rc, "restoring the option bytes (%s flash)",
				 before ? "before" : "after") : FK_OK;
}

static int fk_restore_opt_before(fk_session *s, const uint8_t *opt, size_t len,
				 const fk_perms *perms, fk_restore_opt *ro)
{
	fk_change req = {.kind = FK_CHANGE_OPTIONS_RAW, .raw = opt, .raw_len = (unsigned)len};
	int rc = fk_api_change_plan(s, &req, &ro->plan);
	if (rc || ro->plan.nothing_to_do || !ro->plan.nsteps)
		return rc;
	ro->active = true;
	/* every gate of the whole change first: nothing written on a refusal */
	rc = fkp_plan_check(s->ctx, &ro->plan, perms);
	for (unsigned i = 0; !rc && i < ro->plan.nsteps; i++)
		if (ro->plan.steps[i].backup)
			rc = fk_api_backup_dir_check(s, perms);
	if (rc || perms->dry_run)
		return rc;
	return fk_restore_opt_steps(s, ro, true, perms);
}

static int fk_restore_opt_after(fk_session *s, const fk_perms *perms, fk_restore_opt *ro)
{
	if (!ro->active || perms->dry_run)
		return FK_OK;
	return fk_restore_opt_steps(s, ro, false, perms);
}

/* OTP bytes (data and lock bytes, as otp.bin holds them) that differ on the chip now. */
static unsigned fk_restore_otp_diffs(fk_session *s, const uint8_t *otp, size_t len)
{
	uint8_t now[FK_BK_OTP_MAX];
	unsigned diffs = 0;
	fk_ctx *q = fk_ctx_new();
	if (q && len == s->info.otp_size && len <= sizeof now &&
	    !s->drv->read(s->chip, q, s->info.otp_base, now, (uint32_t)len))
		for (size_t i = 0; i < len; i++)
			diffs += now[i] != otp[i];
	fk_ctx_free(q);
	return diffs;
}

int fk_restore(fk_session *s, const char *dir, bool with_options, const fk_perms *perms,
	       unsigned *otp_diffs)
{
	uint8_t *opt = NULL, *otp = NULL;
	uint8_t *data[FK_BK_MAX_FILES] = {NULL};
	fk_seg segs[FK_BK_MAX_FILES];
	unsigned nseg = 0;
	*otp_diffs = 0;
	fk_bk_man *m = calloc(1, sizeof *m);
	int rc = m ? fk_bk_man_read(s, dir, m) : fk_fail(s->ctx, FK_E_NOMEM, "restore: manifest");
	if (!rc)
		rc = fk_bk_man_check(s, dir, m);
	/* every file checked (size, CRC) before anything is written */
	for (unsigned i = 0; !rc && i < m->n; i++)
		if (strncmp(m->f[i].name, "flash", 5) == 0 &&
		    !(rc = fk_bk_entry_load(s, dir, &m->f[i], &data[nseg])))
			segs[nseg] = (fk_seg){m->f[i].addr, m->f[i].size, data[nseg]}, nseg++;
	for (unsigned i = 1; i < nseg; i++) /* in address order, as an image's segments */
		for (unsigned j = i; j > 0 && segs[j - 1].addr > segs[j].addr; j--) {
			fk_seg t = segs[j];
			segs[j] = segs[j - 1];
			segs[j - 1] = t;
		}
	const fk_bk_entry *oe = rc ? NULL : fk_bk_find(m, "options.bin");
	if (!rc && !nseg && !(with_options && oe)) {
		if (oe)
			fk_hint(s->ctx, "restore its option bytes with `flashkey restore %s --options`",
				dir);
		rc = fk_fail(s->ctx, FK_E_NOT_FOUND, "%s holds no flash image (the chip was "
			     "unreadable when it was taken)%s", dir, oe ? ", only the option bytes" : "");
	}
	/* writing flash back overwrites all of it: the gate and a backup of what is there now.
	 * An options-only restore goes through the option gates alone (a regression among them
	 * needs --allow-erase-all and takes its backup there). */
	if (!rc && nseg)
		rc = fk_api_need_erase_all(s->ctx, perms, "restore (it overwrites all of flash)");
	if (!rc && nseg && perms->dry_run)
		rc = fk_api_backup_dir_check(s, perms);
	else if (!rc && nseg)
		rc = fk_api_backup_before(s, perms, "restoring (the current contents)");
	fk_restore_opt *ro = calloc(1, sizeof *ro);
	if (!rc && !ro)
		rc = fk_fail(s->ctx, FK_E_NOMEM, "restore: option plan");
	if (!rc && with_options && !s->drv->backup_options)
		rc = fk_api_unsupported(s, "restore --options");
	if (!rc && with_options && !oe)
		rc = fk_fail(s->ctx, FK_E_NOT_FOUND, "%s holds no option bytes to restore", dir);
	if (!rc && with_options && !(rc = fk_bk_entry_load(s, dir, oe, &opt)))
		rc = fk_restore_opt_before(s, opt, oe->size, perms, ro);
	if (!rc && nseg) {
		fk_write_opts wo = {.skip_unchanged = true, .psize = -1};
		fk_write_result wr;
		rc = fk_flash_write(s, segs, nseg, &wo, perms, &wr);
	}
	if (!rc)
		rc = fk_restore_opt_after(s, perms, ro);
	free(ro);
	const fk_bk_entry *te = rc ? NULL : fk_bk_find(m, "otp.bin");
	if (te && !fk_bk_entry_load(s, dir, te, &otp))
		*otp_diffs = fk_restore_otp_diffs(s, otp, te->size);
	else if (te)
		fk_ctx_clear(s->ctx); /* OTP is only compared: an unreadable copy changes nothing */
	for (unsigned i = 0; i < nseg; i++)
		free(data[i]);
	free(m);
	free(opt);
	free(otp);
	return rc;
}
