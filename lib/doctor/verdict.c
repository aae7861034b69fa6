/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor/verdict: facts from a live inventory -> which of a message's causes holds.
 * A cause is confirmed when every fact of its `confirm` expression is known true, ruled out when
 * a `rule-out` fact is known true or a `confirm` fact is known false, and undecided otherwise
 * (the facts are not readable on this access path). Catalogue format: docs/DOCTOR.md. */
#include <string.h>

#include "doctor/doctor_int.h"

static const char *const fact_names[] = {
#define FK_X_FACT(sym, name, text) name,
	FK_DOCTOR_FACT_TABLE(FK_X_FACT)
#undef FK_X_FACT
};

static const char *const fact_texts[] = {
#define FK_X_FACT(sym, name, text) text,
	FK_DOCTOR_FACT_TABLE(FK_X_FACT)
#undef FK_X_FACT
};

const char *fk_doctor_fact_name(int fact)
{
	return fact >= 0 && fact < FK_DOCTOR_FACT_COUNT ? fact_names[fact] : NULL;
}

const char *fk_doctor_fact_text(int fact)
{
	return fact >= 0 && fact < FK_DOCTOR_FACT_COUNT ? fact_texts[fact] : "";
}

int fk_doctor_fact_lookup(const char *name)
{
	for (int i = 0; name && i < FK_DOCTOR_FACT_COUNT; i++)
		if (strcmp(fact_names[i], name) == 0)
			return i;
	return -1;
}

void fk_doctor_facts_init(fk_doctor_facts *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < FK_DOCTOR_FACT_COUNT; i++)
		f->v[i] = FK_DOCTOR_UNKNOWN;
}

void fk_doctor_facts_set(fk_doctor_facts *f, int fact, bool value, const char *detail)
{
	if (fact < 0 || fact >= FK_DOCTOR_FACT_COUNT)
		return;
	f->v[fact] = value ? 1 : 0;
	fk_strlcpy(f->detail[fact], detail ? detail : "", sizeof f->detail[fact]);
}

int doctor_expr_parse(char *words, fk_doctor_expr *e, const char **bad)
{
	memset(e, 0, sizeof *e);
	for (char *w = words; *w;) {
		while (*w == ' ' || *w == '\t')
			*w++ = '\0';
		if (!*w)
			break;
		char *start = w;
		while (*w && *w != ' ' && *w != '\t')
			w++;
		if (*w)
			*w++ = '\0';
		bool neg = start[0] == '!';
		int f = fk_doctor_fact_lookup(start + neg);
		if (f < 0 || e->n == FK_DOCTOR_MAX_ATOMS) {
			*bad = start;
			return -1;
		}
		e->fact[e->n] = f;
		e->negated[e->n++] = neg;
	}
	return 0;
}

/* 1 true, 0 false, FK_DOCTOR_UNKNOWN */
static int atom_value(const fk_doctor_expr *e, unsigned i, const fk_doctor_facts *f)
{
	int v = f->v[e->fact[i]];
	if (v == FK_DOCTOR_UNKNOWN)
		return v;
	return e->negated[i] ? !v : v;
}

static int expr_find(const fk_doctor_expr *e, const fk_doctor_facts *f, int want)
{
	for (unsigned i = 0; i < e->n; i++)
		if (atom_value(e, i, f) == want)
			return e->fact[i];
	return -1;
}

fk_doctor_verdict fk_doctor_judge(const fk_doctor_cause *c, const fk_doctor_facts *f, int *why)
{
	int dummy;
	why = why ? why : &dummy;
	*why = expr_find(&c->rule_out, f, 1);
	if (*why >= 0)
		return FK_DOCTOR_RULED_OUT;
	*why = expr_find(&c->confirm, f, 0);
	if (*why >= 0)
		return FK_DOCTOR_RULED_OUT;
	if (!c->confirm.n)
		return FK_DOCTOR_NOT_CHECKABLE;
	*why = expr_find(&c->confirm, f, FK_DOCTOR_UNKNOWN);
	if (*why >= 0)
		return FK_DOCTOR_UNDECIDED;
	*why = c->confirm.fact[0];
	return FK_DOCTOR_CONFIRMED;
}

const char *fk_doctor_verdict_name(fk_doctor_verdict v)
{
	switch (v) {
	case FK_DOCTOR_CONFIRMED:
		return "confirmed";
	case FK_DOCTOR_RULED_OUT:
		return "ruled-out";
	case FK_DOCTOR_UNDECIDED:
		return "undecided";
	case FK_DOCTOR_NOT_CHECKABLE:
	default:
		return "not-checkable";
	}
}
