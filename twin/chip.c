/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A twin of any model with its state file (see chip.h): registry look-ups, the magic dispatch,
 * the lock and the atomic save. POSIX open/flock/mkstemp/rename/fsync. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chip.h"
#include "statefile.h"

#define TW_STATE_MAX (64U * 1024U * 1024U) /* larger files are refused unread */

struct tw_chip {
	const tw_model *model;
	void *m;
	bool borrowed; /* tw_chip_borrow: m is the caller's */
	tw_statefile sf; /* the lock, where saves go, the path as given (statefile.h) */
};

/* ---------------------------------------------------------------- registry */

#define TW_EXTRA_MAX 4
static const tw_model *tw_extra[TW_EXTRA_MAX];

int tw_model_register(const tw_model *m)
{
	for (unsigned i = 0; i < TW_EXTRA_MAX; i++)
		if (!tw_extra[i] || tw_extra[i] == m) {
			tw_extra[i] = m;
			return FK_OK;
		}
	return FK_E_NOMEM;
}

const tw_model *tw_model_at(unsigned i)
{
	unsigned n = 0;
	while (tw_models[n])
		n++;
	if (i < n)
		return tw_models[i];
	return i - n < TW_EXTRA_MAX ? tw_extra[i - n] : NULL;
}

const tw_model *tw_model_find(const char *name)
{
	const tw_model *m;
	for (unsigned i = 0; name && (m = tw_model_at(i)); i++)
		if (strcasecmp(m->name, name) == 0)
			return m;
	return NULL;
}

const tw_model *tw_model_by_magic(const uint8_t magic[8])
{
	const tw_model *m;
	for (unsigned i = 0; (m = tw_model_at(i)); i++)
		if (memcmp(m->magic, magic, 8) == 0)
			return m;
	return NULL;
}

const tw_model *tw_model_of_variant(const char *chip, tw_variant_info *info)
{
	tw_variant_info tmp;
	if (!info)
		info = &tmp;
	const tw_model *m;
	for (unsigned i = 0; chip && (m = tw_model_at(i)); i++)
		for (unsigned k = 0; m->variant_at(k, info); k++)
			if (strcasecmp(info->name, chip) == 0)
				return m;
	return NULL;
}

int tw_chip_unknown(fk_ctx *ctx, const char *chip)
{
	char list[1024] = "";
	tw_variant_info v;
	const tw_model *m;
	for (unsigned i = 0; (m = tw_model_at(i)); i++)
		for (unsigned k = 0; m->variant_at(k, &v); k++)
			fk_snprintf_cat(list, sizeof list, "%s%s", list[0] ? ", " : "", v.name);
	fk_hint(ctx, "valid chips (case-insensitive): %s", list);
	return fk_fail(ctx, FK_E_USAGE, "unknown chip \"%s\" (`flashkey-twin list` shows them)",
		       chip);
}

/* ---------------------------------------------------------------- life cycle */

tw_chip *tw_chip_wrap(const tw_model *model, void *m)
{
	tw_chip *c = calloc(1, sizeof *c);
	if (!c) {
		model->destroy(m);
		return NULL;
	}
	c->model = model;
	c->m = m;
	c->sf = (tw_statefile)TW_STATEFILE_INIT;
	return c;
}

tw_chip *tw_chip_borrow(const tw_model *model, void *m)
{
	tw_chip *c = calloc(1, sizeof *c);
	if (c) {
		c->model = model;
		c->m = m;
		c->sf = (tw_statefile)TW_STATEFILE_INIT;
		c->borrowed = true;
	}
	return c;
}

static int tw_chip_wrap_ctx(fk_ctx *ctx, const tw_model *model, void *m, tw_chip **out)
{
	*out = tw_chip_wrap(model, m);
	return *out ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "out of memory");
}

int tw_chip_create(fk_ctx *ctx, const char *chip, tw_chip **out)
{
	*out = NULL;
	const tw_model *model = tw_model_of_variant(chip, NULL);
	if (!model)
		return tw_chip_unknown(ctx, chip);
	void *m = NULL;
	int rc = model->create(ctx, chip, &m);
	return rc ? rc : tw_chip_wrap_ctx(ctx, model, m, out);
}

static uint32_t tw_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* The magic as text for a message: printable bytes as they are, others as \xNN. */
static void tw_magic_text(const uint8_t *b, size_t n, char *out, size_t max)
{
	out[0] = '\0';
	for (size_t i = 0; i < n && i < 8; i++) {
		if (b[i] == '\r')
			fk_snprintf_cat(out, max, "\\r");
		else if (b[i] == '\n')
			fk_snprintf_cat(out, max, "\\n");
		else if (isprint(b[i]) && b[i] != '"' && b[i] != '\\')
			fk_snprintf_cat(out, max, "%c", b[i]);
		else
			fk_snprintf_cat(out, max, "\\x%02X", b[i]);
	}
}

static void tw_known_magics(char *out, size_t max)
{
	out[0] = '\0';
	const tw_model *mod;
	for (unsigned i = 0; (mod = tw_model_at(i)); i++) {
		char m[40];
		tw_magic_text((const uint8_t *)mod->magic, 8, m, sizeof m);
		fk_snprintf_cat(out, max, "%s\"%s\" (%s, versions up to %u)", i ? ", " : "", m,
				mod->name, mod->version);
	}
}

int tw_chip_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
			tw_chip **out)
{
	*out = NULL;
	char magic[40], known[512];
	tw_known_magics(known, sizeof known);
	if (len < 12) {
		fk_hint(ctx, "recreate it with `flashkey-twin new CHIP %s`", name);
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a valid twin state file: file too short "
						   "(%zu bytes; a state file starts with an 8-byte "
						   "magic and a version)", name, len);
	}
	tw_magic_text(buf, 8, magic, sizeof magic);
	uint32_t version = tw_get32(buf + 8);
	const tw_model *model = tw_model_by_magic(buf);
	if (!model) {
		fk_hint(ctx, "this build reads %s; recreate it with `flashkey-twin new CHIP %s`",
			known, name);
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a valid twin state file: unknown magic "
						   "\"%s\" (version field %u): a foreign file or a "
						   "chip family this build does not model", name,
			       magic, version);
	}
	if (version > model->version) {
		fk_hint(ctx, "open it with the newer flashkey-twin that wrote it, or recreate it "
			     "with `flashkey-twin new CHIP %s`", name);
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: %s twin state file (magic \"%s\") version %u "
						   "is newer than this build reads (up to version "
						   "%u)", name, model->name, magic, version,
			       model->version);
	}
	void *m = NULL;
	int rc = model->load(ctx, name, buf, len, &m);
	return rc ? rc : tw_chip_wrap_ctx(ctx, model, m, out);
}

int tw_chip_load(fk_ctx *ctx, const char *path, tw_chip **out)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fk_hint(ctx, "create one with `flashkey-twin new stm32f407 %s`", path);
		return fk_fail(ctx, errno == ENOENT ? FK_E_NOT_FOUND : FK_E_IO,
			       "cannot open twin state %s: %s", path, strerror(errno));
	}
	uint8_t *buf = malloc(TW_STATE_MAX + 1U);
	size_t n = buf ? fread(buf, 1, TW_STATE_MAX + 1U, f) : 0;
	int err = ferror(f);
	fclose(f);
	if (!buf)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s: out of memory", path);
	int rc = err ? fk_fail(ctx, FK_E_IO, "cannot read twin state %s", path)
		 : n > TW_STATE_MAX ? fk_fail(ctx, FK_E_BAD_FILE, "%s: not a valid twin state "
								  "file: file too large", path)
				    : tw_chip_load_buffer(ctx, path, buf, n, out);
	free(buf);
	return rc;
}

int tw_chip_attach_path(tw_chip *c, fk_ctx *ctx, const char *path)
{
	if (c->sf.given)
		return fk_fail(ctx, FK_E_INVALID_ARG, "twin already attached to %s", c->sf.given);
	return tw_sf_attach(ctx, path, true, &c->sf);
}

int tw_chip_open(fk_ctx *ctx, const char *path, tw_chip **out)
{
	*out = NULL;
	tw_statefile sf;
	uint8_t *buf;
	size_t n;
	int rc = tw_sf_open_read(ctx, path, TW_STATE_MAX, &sf, &buf, &n);
	if (rc)
		return rc;
	rc = tw_chip_load_buffer(ctx, path, buf, n, out);
	free(buf);
	if (rc)
		tw_sf_release(&sf);
	else
		(*out)->sf = sf;
	return rc;
}

int tw_chip_connect(fk_ctx *ctx, const char *path, tw_chip **out)
{
	*out = NULL;
	if (!path || !path[0]) { /* as twin: and uart: with nothing after the colon */
		fk_hint(ctx, "e.g. twin-uart:board.twin (create one with `flashkey-twin new stm32f407 "
			     "board.twin`)");
		return fk_fail(ctx, FK_E_USAGE, "the twin connection needs a state file path");
	}
	int rc = tw_chip_open(ctx, path, out);
	if (rc != FK_E_NOT_FOUND && rc != FK_E_IO)
		return rc;
	char msg[FK_CHAIN_MSG_MAX];
	fk_ctx_message(ctx, msg, sizeof msg);
	return fk_fail(ctx, FK_E_CONNECT, "%s", msg);
}

/* durable: fsync before the rename. The temp + rename keeps the file whole for readers
 * whatever happens to this process; fsync adds safety against the host losing power. */
static int tw_save(tw_chip *c, fk_ctx *ctx, bool durable)
{
	uint8_t *buf;
	size_t len;
	if (c->model->save(c->m, &buf, &len))
		return fk_fail(ctx, FK_E_NOMEM, "saving twin state %s: out of memory", c->sf.given);
	int rc = tw_sf_save(ctx, &c->sf, buf, len, durable);
	free(buf);
	return rc;
}

static int tw_chip_sync_mode(tw_chip *c, fk_ctx *ctx, bool durable)
{
	if (!c->sf.given)
		return fk_fail(ctx, FK_E_INVALID_ARG, "twin has no state file to sync to");
	if (!c->model->dirty(c->m))
		return FK_OK;
	int rc = tw_save(c, ctx, durable);
	if (rc == FK_OK)
		c->model->mark_clean(c->m);
	return rc;
}

int tw_chip_sync(tw_chip *c, fk_ctx *ctx)
{
	return tw_chip_sync_mode(c, ctx, true);
}

int tw_chip_sync_fast(tw_chip *c, fk_ctx *ctx)
{
	return tw_chip_sync_mode(c, ctx, false);
}

int tw_chip_save_buffer(const tw_chip *c, uint8_t **buf, size_t *len)
{
	return c->model->save(c->m, buf, len);
}

void tw_chip_free(tw_chip *c)
{
	if (!c)
		return;
	tw_sf_release(&c->sf);
	if (!c->borrowed)
		c->model->destroy(c->m);
	free(c);
}

int tw_chip_close(tw_chip *c, fk_ctx *ctx)
{
	if (!c)
		return FK_OK;
	fk_ctx *tmp = ctx ? ctx : fk_ctx_new();
	int rc = c->sf.given && tmp ? tw_chip_sync(c, tmp) : FK_OK;
	if (tmp != ctx)
		fk_ctx_free(tmp);
	tw_chip_free(c);
	return rc;
}

/* ---------------------------------------------------------------- facts */

const tw_model *tw_chip_model(const tw_chip *c) { return c->model; }
void *tw_chip_impl(const tw_chip *c) { return c->m; }
const char *tw_chip_path(const tw_chip *c) { return c->sf.given; }
const char *tw_chip_variant(const tw_chip *c) { return c->model->variant_name(c->m); }
bool tw_chip_dirty(const tw_chip *c) { return c->model->dirty(c->m); }

/* ---------------------------------------------------------------- clock, power, pins */

uint64_t tw_chip_now_ns(const tw_chip *c) { return c->model->now_ns(c->m); }
void tw_chip_advance(tw_chip *c, uint64_t ns) { c->model->advance(c->m, ns); }
uint64_t tw_chip_busy_until_ns(const tw_chip *c) { return c->model->busy_until_ns(c->m); }
bool tw_chip_busy(const tw_chip *c) { return c->model->busy_until_ns(c->m) != 0; }

void tw_chip_finish_busy(tw_chip *c)
{
	uint64_t end = tw_chip_busy_until_ns(c), now = tw_chip_now_ns(c);
	if (end)
		tw_chip_advance(c, end > now ? end - now : 0);
}

void tw_chip_reset(tw_chip *c, tw_reset kind) { c->model->reset(c->m, kind); }
bool tw_chip_powered(const tw_chip *c) { return c->model->powered(c->m); }
void tw_chip_power_off(tw_chip *c) { c->model->power_off(c->m); }
void tw_chip_power_on(tw_chip *c) { c->model->power_on(c->m); }
void tw_chip_set_nrst(tw_chip *c, bool asserted) { c->model->set_nrst(c->m, asserted); }
bool tw_chip_nrst(const tw_chip *c) { return c->model->nrst(c->m); }
int tw_chip_voltage_mv(const tw_chip *c) { return c->model->voltage_mv(c->m); }

/* ---------------------------------------------------------------- ports */

void tw_chip_ports_text(const tw_chip *c, char *buf, size_t n)
{
	const tw_model *m = c->model;
	buf[0] = '\0';
	if (m->dap)
		fk_snprintf_cat(buf, n, "debug port (DAP)");
	for (unsigned i = 0; m->streams && m->streams[i]; i++)
		fk_snprintf_cat(buf, n, "%sbyte stream \"%s\" (%s)", buf[0] ? ", " : "",
				m->streams[i]->protocol, m->streams[i]->summary);
	if (m->spi)
		fk_snprintf_cat(buf, n, "%sSPI", buf[0] ? ", " : "");
	if (!buf[0])
		fk_snprintf_cat(buf, n, "none");
}

static int tw_chip_no_port(const tw_chip *c, fk_ctx *ctx, const char *who, const char *what)
{
	if (!ctx)
		return FK_E_UNSUPPORTED;
	char ports[256];
	tw_chip_ports_text(c, ports, sizeof ports);
	fk_hint(ctx, "this twin offers: %s", ports);
	return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the twin %s (%s, model %s) has no %s",
		       who, c->sf.given ? c->sf.given : "(in memory)", tw_chip_variant(c), c->model->name,
		       what);
}

const tw_dap_port *tw_chip_dap(const tw_chip *c, fk_ctx *ctx, const char *who)
{
	if (!c->model->dap)
		tw_chip_no_port(c, ctx, who, "debug port (DAP bus)");
	return c->model->dap;
}

const tw_stream_port *tw_chip_stream(const tw_chip *c, fk_ctx *ctx, const char *who,
				     const char *protocol)
{
	for (unsigned i = 0; c->model->streams && c->model->streams[i]; i++)
		if (strcmp(c->model->streams[i]->protocol, protocol) == 0)
			return c->model->streams[i];
	char what[96];
	snprintf(what, sizeof what, "\"%s\" byte-stream port", protocol);
	tw_chip_no_port(c, ctx, who, what);
	return NULL;
}

const tw_spi_port *tw_chip_spi(const tw_chip *c, fk_ctx *ctx, const char *who)
{
	if (!c->model->spi)
		tw_chip_no_port(c, ctx, who, "SPI port");
	return c->model->spi;
}

tw_status tw_chip_dap_read_wait(tw_chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
	/* the first try, then up to 4 more, each after the operation's end (as tw_f4_*_wait) */
	tw_status st = c->model->dap->read(c->m, addr, size, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_chip_finish_busy(c);
		st = c->model->dap->read(c->m, addr, size, val);
	}
	return st;
}

tw_status tw_chip_dap_write_wait(tw_chip *c, uint32_t addr, unsigned size, uint32_t val)
{
	/* the first try, then up to 4 more, each after the operation's end (as tw_f4_*_wait) */
	tw_status st = c->model->dap->write(c->m, addr, size, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_chip_finish_busy(c);
		st = c->model->dap->write(c->m, addr, size, val);
	}
	return st;
}
