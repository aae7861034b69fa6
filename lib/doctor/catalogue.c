/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor/catalogue: parses and validates the message catalogue (lib/doctor/catalogue.txt, record
 * format in docs/DOCTOR.md). A defect is reported with its line number, so a bad edit of the
 * data fails the unit test and the build's first doctor call, never a user's diagnosis. */
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_int.h"

extern const unsigned char fk_doctor_catalogue_data[];
extern const size_t fk_doctor_catalogue_size;

typedef enum { REC_NONE, REC_CAUSE, REC_MESSAGE, REC_HEALTH } rec_kind;

typedef struct parser {
	fk_ctx *ctx;
	fk_doctor_catalogue *cat;
	rec_kind kind;
	unsigned line; /* current line number, 1-based */
	unsigned rec_line;
} parser;

static int cat_bad(parser *p, const char *what, const char *arg)
{
	return fk_fail(p->ctx, FK_E_BAD_FILE, "doctor catalogue line %u: %s%s%s", p->line, what,
		       arg ? ": " : "", arg ? arg : "");
}

static char *cat_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static fk_doctor_cause *cat_cur_cause(parser *p)
{
	return &p->cat->causes[p->cat->ncauses - 1];
}

static fk_doctor_entry *cat_cur_entry(parser *p)
{
	return &p->cat->entries[p->cat->nentries - 1];
}

static fk_doctor_health *cat_cur_health(parser *p)
{
	return &p->cat->health[p->cat->nhealth - 1];
}

/* Splits a space-separated list of cause IDs into refs. */
static int cat_refs(parser *p, char *list, const char **refs, unsigned *n)
{
	if (*n)
		return cat_bad(p, "`causes` given twice", NULL);
	for (char *w = list; *w;) {
		while (*w == ' ' || *w == '\t')
			*w++ = '\0';
		if (!*w)
			break;
		if (*n == FK_DOCTOR_MAX_CAUSES)
			return cat_bad(p, "too many causes", NULL);
		refs[(*n)++] = w;
		while (*w && *w != ' ' && *w != '\t')
			w++;
	}
	return *n ? FK_OK : cat_bad(p, "`causes` is empty", NULL);
}

static int cat_expr(parser *p, char *value, fk_doctor_expr *e)
{
	const char *bad = NULL;
	if (e->n)
		return cat_bad(p, "expression given twice", NULL);
	if (doctor_expr_parse(value, e, &bad) != 0)
		return cat_bad(p, "unknown fact or too many facts", bad);
	return e->n ? FK_OK : cat_bad(p, "empty expression", NULL);
}

static int cat_set(parser *p, const char **field, const char *value)
{
	if (*field)
		return cat_bad(p, "field given twice", value);
	*field = value;
	return FK_OK;
}

static int cat_cause_field(parser *p, const char *key, char *value)
{
	fk_doctor_cause *c = cat_cur_cause(p);
	if (strcmp(key, "text") == 0)
		return cat_set(p, &c->text, value);
	if (strcmp(key, "check") == 0)
		return cat_set(p, &c->check, value);
	if (strcmp(key, "fix") == 0)
		return cat_set(p, &c->fix, value);
	if (strcmp(key, "explain") == 0)
		return cat_set(p, &c->explain, value);
	if (strcmp(key, "step") == 0) {
		fk_step_id id;
		if (c->step >= 0 || fk_step_parse(value, &id) != 0)
			return cat_bad(p, "`step` must name one ladder step (errors ctrl opt wrp "
					  "rdp-raise rdp)", value);
		c->step = (int)id;
		return FK_OK;
	}
	if (strcmp(key, "confirm") == 0)
		return cat_expr(p, value, &c->confirm);
	if (strcmp(key, "rule-out") == 0)
		return cat_expr(p, value, &c->rule_out);
	if (strcmp(key, "outside") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return cat_bad(p, "`outside` must be yes or no", value);
		c->outside = strcmp(value, "yes") == 0;
		return FK_OK;
	}
	return cat_bad(p, "unknown field in a [cause] record", key);
}

static int cat_message_field(parser *p, const char *key, char *value)
{
	fk_doctor_entry *e = cat_cur_entry(p);
	unsigned n = p->cat->nentries - 1;
	if (strcmp(key, "tool") == 0)
		return cat_set(p, &e->tool, value);
	if (strcmp(key, "text") == 0)
		return cat_set(p, &e->text, value);
	if (strcmp(key, "source") == 0)
		return cat_set(p, &e->source, value);
	if (strcmp(key, "note") == 0)
		return cat_set(p, &e->note, value);
	if (strcmp(key, "causes") == 0)
		return cat_refs(p, value, p->cat->entry_refs[n], &e->ncauses);
	if (strcmp(key, "pattern") == 0) {
		if (e->npatterns == FK_DOCTOR_MAX_PATTERNS)
			return cat_bad(p, "too many patterns", NULL);
		if (doctor_pattern_words(value) == 0)
			return cat_bad(p, "pattern has no word to match", value);
		e->patterns[e->npatterns++] = value;
		return FK_OK;
	}
	if (strcmp(key, "sample") == 0) {
		if (e->nsamples == FK_DOCTOR_MAX_SAMPLES)
			return cat_bad(p, "too many samples", NULL);
		e->samples[e->nsamples++] = value;
		return FK_OK;
	}
	return cat_bad(p, "unknown field in a [message] record", key);
}

static int cat_health_field(parser *p, const char *key, char *value)
{
	fk_doctor_health *h = cat_cur_health(p);
	if (strcmp(key, "symptom") == 0)
		return cat_set(p, &h->symptom, value);
	if (strcmp(key, "source") == 0)
		return cat_set(p, &h->source, value);
	if (strcmp(key, "causes") == 0)
		return cat_refs(p, value, p->cat->health_refs[p->cat->nhealth - 1], &h->ncauses);
	if (strcmp(key, "blocking") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return cat_bad(p, "`blocking` must be yes or no", value);
		h->blocking = strcmp(value, "yes") == 0;
		return FK_OK;
	}
	return cat_bad(p, "unknown field in a [health] record", key);
}

/* Checks the record that just ended (its first line is p->rec_line). */
static int cat_finish_record(parser *p)
{
	unsigned keep = p->line;
	p->line = p->rec_line;
	int rc = FK_OK;
	if (p->kind == REC_CAUSE) {
		const fk_doctor_cause *c = cat_cur_cause(p);
		if (!c->text)
			rc = cat_bad(p, "cause without `text`", c->id);
		else if (!c->fix && !c->explain)
			rc = cat_bad(p, "cause needs a `fix` or an `explain`", c->id);
		else if (c->step >= 0 && !c->fix)
			rc = cat_bad(p, "cause with a `step` needs the `fix` that runs it", c->id);
	} else if (p->kind == REC_MESSAGE) {
		fk_doctor_entry *e = cat_cur_entry(p);
		if (!e->tool || !e->text || !e->source)
			rc = cat_bad(p, "message needs `tool`, `text` and `source`", e->id);
		else if (!e->ncauses)
			rc = cat_bad(p, "message without `causes`", e->id);
		else if (!e->npatterns && doctor_pattern_words(e->text) == 0)
			rc = cat_bad(p, "message text has no word to match", e->id);
		else if (!e->npatterns)
			e->patterns[e->npatterns++] = e->text;
	} else if (p->kind == REC_HEALTH) {
		const fk_doctor_health *h = cat_cur_health(p);
		if (!h->symptom || !h->source || !h->ncauses)
			rc = cat_bad(p, "health item needs `symptom`, `source` and `causes`", h->id);
	}
	p->line = keep;
	return rc;
}

static bool cat_id_taken(const parser *p, rec_kind kind, const char *id)
{
	const fk_doctor_catalogue *c = p->cat;
	for (unsigned i = 0; kind == REC_CAUSE && i < c->ncauses; i++)
		if (strcmp(c->causes[i].id, id) == 0)
			return true;
	for (unsigned i = 0; kind == REC_MESSAGE && i < c->nentries; i++)
		if (strcmp(c->entries[i].id, id) == 0)
			return true;
	for (unsigned i = 0; kind == REC_HEALTH && i < c->nhealth; i++)
		if (strcmp(c->health[i].id, id) == 0)
			return true;
	return false;
}

static int cat_start_record(parser *p, rec_kind kind, const char *id)
{
	fk_doctor_catalogue *c = p->cat;
	if (!*id || strchr(id, ' '))
		return cat_bad(p, "record ID must be one word", id);
	if (cat_id_taken(p, kind, id))
		return cat_bad(p, "duplicate ID", id);
	if ((kind == REC_CAUSE && c->ncauses == DOCTOR_MAX_CAUSES_ALL) ||
	    (kind == REC_MESSAGE && c->nentries == DOCTOR_MAX_ENTRIES) ||
	    (kind == REC_HEALTH && c->nhealth == DOCTOR_MAX_HEALTH))
		return cat_bad(p, "too many records", id);
	if (kind == REC_CAUSE) {
		c->causes[c->ncauses].step = -1;
		c->causes[c->ncauses++].id = id;
	}
	else if (kind == REC_MESSAGE)
		c->entries[c->nentries++].id = id;
	else {
		c->health[c->nhealth].blocking = true;
		c->health[c->nhealth++].id = id;
	}
	p->kind = kind;
	p->rec_line = p->line;
	return FK_OK;
}

/* "[cause rdp1]" */
static int cat_header(parser *p, char *s)
{
	size_t n = strlen(s);
	if (s[n - 1] != ']')
		return cat_bad(p, "record header must end with ]", s);
	s[n - 1] = '\0';
	char *id = strchr(s + 1, ' ');
	if (!id)
		return cat_bad(p, "record header needs a kind and an ID", s);
	*id++ = '\0';
	id = cat_trim(id);
	int rc = p->kind != REC_NONE ? cat_finish_record(p) : FK_OK;
	if (rc)
		return rc;
	if (strcmp(s + 1, "cause") == 0)
		return cat_start_record(p, REC_CAUSE, id);
	if (strcmp(s + 1, "message") == 0)
		return cat_start_record(p, REC_MESSAGE, id);
	if (strcmp(s + 1, "health") == 0)
		return cat_start_record(p, REC_HEALTH, id);
	return cat_bad(p, "unknown record kind (cause, message, health)", s + 1);
}

static int cat_line(parser *p, char *line)
{
	char *s = cat_trim(line);
	if (!*s || *s == '#')
		return FK_OK;
	if (*s == '[')
		return cat_header(p, s);
	if (p->kind == REC_NONE)
		return cat_bad(p, "field outside a record", s);
	char *value = s;
	while (*value && *value != ' ' && *value != '\t')
		value++;
	if (*value)
		*value++ = '\0';
	value = cat_trim(value);
	if (!*value)
		return cat_bad(p, "field without a value", s);
	if (p->kind == REC_CAUSE)
		return cat_cause_field(p, s, value);
	if (p->kind == REC_MESSAGE)
		return cat_message_field(p, s, value);
	return cat_health_field(p, s, value);
}

static int cat_resolve(parser *p, const char *const *refs, unsigned n,
		       const fk_doctor_cause **out, const char *owner)
{
	for (unsigned i = 0; i < n; i++) {
		out[i] = fk_doctor_cause_find(p->cat, refs[i]);
		if (!out[i])
			return fk_fail(p->ctx, FK_E_BAD_FILE,
				       "doctor catalogue: %s names unknown cause \"%s\"", owner, refs[i]);
	}
	return FK_OK;
}

static int cat_link(parser *p)
{
	fk_doctor_catalogue *c = p->cat;
	for (unsigned i = 0; i < c->nentries; i++) {
		fk_doctor_entry *e = &c->entries[i];
		int rc = cat_resolve(p, c->entry_refs[i], e->ncauses, e->causes, e->id);
		if (rc)
			return rc;
		e->outside = true;
		for (unsigned k = 0; k < e->ncauses; k++)
			e->outside = e->outside && e->causes[k]->outside;
	}
	for (unsigned i = 0; i < c->nhealth; i++) {
		fk_doctor_health *h = &c->health[i];
		int rc = cat_resolve(p, c->health_refs[i], h->ncauses, h->causes, h->id);
		if (rc)
			return rc;
	}
	if (!c->nentries)
		return fk_fail(p->ctx, FK_E_BAD_FILE, "doctor catalogue: no [message] records");
	return FK_OK;
}

static int cat_parse_all(parser *p)
{
	char *s = p->cat->buf;
	int rc = FK_OK;
	while (s && rc == FK_OK) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		p->line++;
		rc = cat_line(p, s);
		s = nl ? nl + 1 : NULL;
	}
	if (rc == FK_OK && p->kind != REC_NONE)
		rc = cat_finish_record(p);
	return rc == FK_OK ? cat_link(p) : rc;
}

int fk_doctor_parse(fk_ctx *ctx, const char *text, size_t len, fk_doctor_catalogue **out)
{
	*out = NULL;
	if (memchr(text, '\0', len))
		return fk_fail(ctx, FK_E_BAD_FILE, "doctor catalogue: contains a NUL byte");
	fk_doctor_catalogue *cat = calloc(1, sizeof *cat);
	char *buf = cat ? malloc(len + 1) : NULL;
	if (!buf) {
		free(cat);
		return fk_fail(ctx, FK_E_NOMEM, "doctor catalogue: out of memory");
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	cat->buf = buf;
	parser p = {.ctx = ctx, .cat = cat, .kind = REC_NONE};
	int rc = cat_parse_all(&p);
	if (rc) {
		fk_doctor_free(cat);
		return rc;
	}
	*out = cat;
	return FK_OK;
}

const char *fk_doctor_builtin_text(size_t *len)
{
	if (len)
		*len = fk_doctor_catalogue_size;
	return (const char *)fk_doctor_catalogue_data;
}

int fk_doctor_load_builtin(fk_ctx *ctx, fk_doctor_catalogue **out)
{
	size_t len;
	const char *text = fk_doctor_builtin_text(&len);
	int rc = fk_doctor_parse(ctx, text, len, out);
	if (rc)
		fk_hint(ctx, "the built-in catalogue is broken: this is a flashkey bug, please report it");
	return rc;
}

void fk_doctor_free(fk_doctor_catalogue *cat)
{
	if (!cat)
		return;
	free(cat->buf);
	free(cat);
}

unsigned fk_doctor_entry_count(const fk_doctor_catalogue *cat)
{
	return cat ? cat->nentries : 0;
}

const fk_doctor_entry *fk_doctor_entry_at(const fk_doctor_catalogue *cat, unsigned i)
{
	return cat && i < cat->nentries ? &cat->entries[i] : NULL;
}

unsigned fk_doctor_cause_count(const fk_doctor_catalogue *cat)
{
	return cat ? cat->ncauses : 0;
}

const fk_doctor_cause *fk_doctor_cause_at(const fk_doctor_catalogue *cat, unsigned i)
{
	return cat && i < cat->ncauses ? &cat->causes[i] : NULL;
}

const fk_doctor_cause *fk_doctor_cause_find(const fk_doctor_catalogue *cat, const char *id)
{
	for (unsigned i = 0; cat && id && i < cat->ncauses; i++)
		if (strcmp(cat->causes[i].id, id) == 0)
			return &cat->causes[i];
	return NULL;
}

unsigned fk_doctor_health_count(const fk_doctor_catalogue *cat)
{
	return cat ? cat->nhealth : 0;
}

const fk_doctor_health *fk_doctor_health_at(const fk_doctor_catalogue *cat, unsigned i)
{
	return cat && i < cat->nhealth ? &cat->health[i] : NULL;
}
