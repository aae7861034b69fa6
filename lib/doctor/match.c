/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor/match: tolerant matching of pasted text against the catalogue's patterns.
 *
 * Both sides are cut into words (runs of ASCII letters and digits), so case, spacing, line
 * breaks, punctuation, quotes and prefixes such as "Error:" or "A fatal error occurred:" do not
 * matter. A pattern is found in order; up to DOCTOR_GAP extra words may sit between two pattern
 * words (then the match is no longer exact) and up to DOCTOR_STAR_GAP after `*`. `#` matches one
 * number, `a|b` either word; a word also matches a longer form of itself (flash ~ flashing).
 * Cost is bounded: the input is cut at FK_DOCTOR_MAX_INPUT bytes and a walk starts only at
 * occurrences of the first DOCTOR_STARTS words of a pattern. */
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_int.h"

#define DOCTOR_GAP 3
#define DOCTOR_STAR_GAP 40
#define DOCTOR_STARTS 3
#define DOCTOR_MAX_PTOK 48
#define DOCTOR_MAX_ALTS 4

typedef struct tok {
	const char *s;
	size_t n;
} tok;

typedef enum { PT_WORD, PT_NUM, PT_STAR } pt_kind;

typedef struct ptok {
	pt_kind kind;
	unsigned nalt;
	tok alt[DOCTOR_MAX_ALTS];
	unsigned weight;
} ptok;

typedef struct pattern {
	ptok t[DOCTOR_MAX_PTOK];
	unsigned n, total, words;
} pattern;

typedef struct span {
	unsigned score;
	size_t first, last; /* token indexes */
	unsigned words;     /* matched words that are not stop words */
} span;

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool tok_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool is_stop(const char *s, size_t n)
{
	static const char *const stop[] = {"a",  "an", "the", "to", "of",   "is",  "it",
					   "its", "be", "or",  "and", "in", "on",  "at",
					   "for", "by", "if",  "s",   "t",  "may", "please"};
	for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
		if (strlen(stop[i]) == n && tok_eq(stop[i], s, n))
			return true;
	return false;
}

static bool is_number(const tok *t)
{
	size_t i = 0;
	bool hex = t->n > 2 && t->s[0] == '0' && lower(t->s[1]) == 'x';
	for (i = hex ? 2 : 0; i < t->n; i++) {
		char c = lower(t->s[i]);
		bool digit = c >= '0' && c <= '9';
		if (!digit && !(hex && c >= 'a' && c <= 'f'))
			return false;
	}
	return t->n > 0;
}

/* Same word, or one is the other plus a short ending (protect ~ protected, flash ~ flashing). */
static bool word_match(const tok *p, const tok *t)
{
	if (p->n == t->n)
		return tok_eq(p->s, t->s, p->n);
	const tok *shorter = p->n < t->n ? p : t, *longer = p->n < t->n ? t : p;
	return shorter->n >= 4 && longer->n - shorter->n <= 4 &&
	       tok_eq(shorter->s, longer->s, shorter->n);
}

static bool ptok_match(const ptok *p, const tok *t)
{
	if (p->kind == PT_NUM)
		return is_number(t);
	for (unsigned i = 0; i < p->nalt; i++)
		if (word_match(&p->alt[i], t))
			return true;
	return false;
}

/* Next word of text at or after *pos; false at the end. */
static bool next_word(const char *s, size_t len, size_t *pos, tok *out)
{
	size_t i = *pos;
	while (i < len && !is_alnum(s[i]))
		i++;
	if (i == len)
		return false;
	size_t start = i;
	while (i < len && is_alnum(s[i]))
		i++;
	out->s = s + start;
	out->n = i - start;
	*pos = i;
	return true;
}

/* "cannot" is the same words as "can not" (ST-LINK Utility prints "Can not connect to target!",
 * J-Link "Cannot connect"): both sides cut it into "can" + "not", so either spelling matches. */
static bool is_cannot(const char *s, size_t n)
{
	return n == 6 && tok_eq(s, "cannot", 6);
}

static bool pat_push(pattern *p, pt_kind kind, const char *s, size_t n)
{
	if (p->n == DOCTOR_MAX_PTOK)
		return false;
	ptok *t = &p->t[p->n++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	if (kind == PT_WORD) {
		t->alt[t->nalt++] = (tok){s, n};
		t->weight = is_stop(s, n) ? 1 : 3;
		p->words += t->weight > 1;
	} else {
		t->weight = kind == PT_NUM ? 1 : 0;
	}
	p->total += t->weight;
	return true;
}

/* "0x43|0x44": alternatives of single words, all stored in one pattern word. */
static bool pat_alternatives(pattern *p, const char *s, size_t n)
{
	ptok *t = NULL;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '|')
			j++;
		tok w;
		size_t pos = 0;
		if (next_word(s + i, j - i, &pos, &w)) {
			if (!t) {
				if (!pat_push(p, PT_WORD, w.s, w.n))
					return false;
				t = &p->t[p->n - 1];
			} else if (t->nalt < DOCTOR_MAX_ALTS) {
				t->alt[t->nalt++] = w;
			}
		}
		i = j + 1;
	}
	return true;
}

static bool pat_word(pattern *p, const char *s, size_t n)
{
	if (n == 1 && (s[0] == '*' || s[0] == '#'))
		return pat_push(p, s[0] == '*' ? PT_STAR : PT_NUM, s, n);
	if (memchr(s, '|', n))
		return pat_alternatives(p, s, n);
	size_t pos = 0;
	tok w;
	while (next_word(s, n, &pos, &w)) {
		if (is_cannot(w.s, w.n)) {
			if (!pat_push(p, PT_WORD, w.s, 3) || !pat_push(p, PT_WORD, w.s + 3, 3))
				return false;
			continue;
		}
		if (!pat_push(p, PT_WORD, w.s, w.n))
			return false;
	}
	return true;
}

/* A pattern derived from a message as printed starts with the tool's severity prefix; the
 * prefix is not part of the message (users paste it with or without), so it is dropped. */
static void pat_drop_prefix(pattern *p)
{
	static const char *const prefixes[] = {"a fatal error occurred", "fatal error", "error",
					       "warning", "info"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		const char *w = prefixes[i];
		unsigned k = 0;
		while (*w && k < p->n && p->t[k].kind == PT_WORD && p->t[k].nalt == 1) {
			size_t n = strcspn(w, " ");
			if (n != p->t[k].alt[0].n || !tok_eq(w, p->t[k].alt[0].s, n))
				break;
			w += n + (w[n] == ' ');
			k++;
		}
		if (*w || k == 0 || k == p->n)
			continue;
		for (unsigned d = 0; d < k; d++) {
			p->total -= p->t[d].weight;
			p->words -= p->t[d].weight > 1;
		}
		memmove(p->t, p->t + k, (p->n - k) * sizeof p->t[0]);
		p->n -= k;
		return;
	}
}

/* Compiles a pattern. Extra input words before or after a match cost nothing, so other prefixes
 * ("FAILED (remote: '") need no special case. */
static void pat_compile(const char *src, pattern *p)
{
	memset(p, 0, sizeof *p);
	size_t len = strlen(src), i = 0;
	while (i < len) {
		while (i < len && (src[i] == ' ' || src[i] == '\t'))
			i++;
		size_t j = i;
		while (j < len && src[j] != ' ' && src[j] != '\t')
			j++;
		if (j > i && !pat_word(p, src + i, j - i))
			break;
		i = j;
	}
	pat_drop_prefix(p);
}

unsigned doctor_pattern_words(const char *pattern_text)
{
	pattern *p = malloc(sizeof *p);
	if (!p)
		return 0;
	pat_compile(pattern_text, p);
	unsigned n = p->total ? p->n : 0;
	free(p);
	return n;
}

/* Walks the pattern from pattern word p0 matched at input word j. */
static span pat_walk(const pattern *p, unsigned p0, const tok *in, size_t nin, size_t j)
{
	span r = {0, j, j, 0};
	unsigned got = p->t[p0].weight;
	bool exact = true;
	for (unsigned k = 0; k < p0; k++)
		exact = exact && p->t[k].kind == PT_STAR;
	r.words = p->t[p0].weight > 1;
	size_t i = j + 1, gap = DOCTOR_GAP;
	bool star = false;
	for (unsigned k = p0 + 1; k < p->n; k++) {
		if (p->t[k].kind == PT_STAR) {
			gap = DOCTOR_STAR_GAP;
			star = true;
			continue;
		}
		size_t end = i + gap < nin ? i + gap + 1 : nin, f = i;
		while (f < end && !ptok_match(&p->t[k], &in[f]))
			f++;
		if (f == end) {
			exact = false;
			continue;
		}
		exact = exact && (f == i || star);
		got += p->t[k].weight;
		r.words += p->t[k].weight > 1;
		r.last = f;
		i = f + 1;
		gap = DOCTOR_GAP;
		star = false;
	}
	unsigned pct = p->total ? (unsigned)((100u * got) / p->total) : 0;
	r.score = (exact && got == p->total) ? 100 : (pct > 99 ? 99 : pct);
	return r;
}

static bool span_better(const span *a, const span *b)
{
	return a->score > b->score || (a->score == b->score && a->first < b->first);
}

static span pat_best(const pattern *p, const tok *in, size_t nin)
{
	span best = {0, 0, 0, 0};
	unsigned starts = 0;
	for (unsigned k = 0; k < p->n && starts < DOCTOR_STARTS; k++) {
		if (p->t[k].kind == PT_STAR)
			continue;
		starts++;
		for (size_t j = 0; j < nin && best.score < 100; j++) {
			if (!ptok_match(&p->t[k], &in[j]))
				continue;
			span s = pat_walk(p, k, in, nin, j);
			if (span_better(&s, &best))
				best = s;
		}
	}
	return best;
}

/* A hit must share at least two real words with the pattern, unless the pattern has fewer. */
static bool span_counts(const pattern *p, const span *s)
{
	if (s->score < FK_DOCTOR_MIN_SCORE)
		return false;
	return s->words >= 2 || s->words == p->words;
}

/* ---------------------------------------------------------------- log noise
 * Users paste whole logs: every line may start with a timestamp, a log level, a source location
 * or a module path ("2018-04-05T23:14:01 DEBUG common.c:", "13:18:34 : ", "Debug: 229 69
 * stlink_usb.c:828 stlink_usb_idcode():", "INFO:root:", "WARN probe_rs::probe::list:",
 * "TRACE +0.121"), and may carry ANSI colour. Those words would sit between the words of a message
 * wrapped over two lines (and push them apart beyond DOCTOR_GAP), so they are not words of the
 * text: the line prefix is skipped before tokenizing the line. A level word at the start of a line
 * is dropped like a pattern's severity prefix (pat_drop_prefix), so both sides agree. */

static bool ci_prefix(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && tok_eq(s, w, k);
}

/* ANSI escape sequence at s[i] (ESC '[' params final, or ESC and one byte): its length, or 0. */
static size_t ansi_len(const char *s, size_t len, size_t i)
{
	if (s[i] != 0x1b)
		return 0;
	size_t j = i + 1;
	if (j < len && s[j] == '[') {
		j++;
		while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';' || s[j] == '?'))
			j++;
		return (j < len ? j + 1 : j) - i;
	}
	return (j < len ? j + 1 : j) - i;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A timestamp or counter: "+0.121", "2018-04-05T23:14:01", "12:06:46:555", "032:010.651",
 * "[00:00:01.234]": digits with at least one separator between digit runs. */
static size_t stamp_len(const char *s, size_t n)
{
	size_t i = (n && s[0] == '+') ? 1 : 0, seps = 0;
	if (i >= n || !is_digit(s[i]))
		return 0;
	while (i < n) {
		while (i < n && is_digit(s[i]))
			i++;
		if (i + 1 < n && (s[i] == ':' || s[i] == '.' || s[i] == '-' || s[i] == '/' ||
				  s[i] == 'T' || s[i] == ',') && is_digit(s[i + 1])) {
			seps++;
			i++;
			continue;
		}
		break;
	}
	if (!seps)
		return 0;
	/* a time zone or a millisecond suffix: "2025-02-03T12:35:14Z", "120ms" */
	if (i < n && s[i] == 'Z')
		i++;
	else if (i + 1 < n && s[i] == 'm' && s[i + 1] == 's')
		i += 2;
	if (i < n && is_alnum(s[i]))
		return 0;
	return i;
}

/* A log level word followed by a separator (':', ' ', ']', '|'): its length, or 0. */
static size_t level_len(const char *s, size_t n)
{
	static const char *const levels[] = {"warning", "verbose", "critical", "debug", "error",
					     "trace",   "fatal",   "info",     "warn",  "note",
					     "dbg",     "err",     "inf",      "wrn",   "i",
					     "w",       "e",       "d"};
	for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
		size_t m = strlen(levels[k]);
		if (!ci_prefix(s, n, levels[k]) || m >= n)
			continue;
		char c = s[m];
		/* single letters only as "I (123)" / "E:" forms; whole words with any separator */
		if (m == 1 && !(c == ':' || (c == ' ' && m + 1 < n && s[m + 1] == '(')))
			continue;
		if (c == ':' || c == ' ' || c == ']' || c == '|' || c == '\t' || c == '!')
			return m;
	}
	return 0;
}

/* A source location or module path ending in ':' ("common.c:", "stlink_usb.c:828",
 * "/home/x/src/common.c:", "probe_rs::probe::list::linux:", "root:", "stlink_usb_idcode():").
 * Only taken after a level word or a stamp, where a tool puts it. A plain word with none of '.',
 * '/', "::" or "()" ("root:", "boot:") is a logger name only where a tool glues it on (bare_ok:
 * right after "LEVEL:" or an ESP-IDF "(123) " counter); after "error " it is a word of the
 * message (dfu-util "error get_status: LIBUSB_ERROR_IO"). */
static size_t where_len(const char *s, size_t n, bool bare_ok)
{
	size_t i = 0;
	bool dotted = false, path = false;
	while (i < n && s[i] != ' ' && s[i] != '\t') {
		if (s[i] == ':' && (i + 1 >= n || s[i + 1] != ':')) {
			/* "file.c:828" keeps its line number */
			size_t j = i + 1;
			while (j < n && is_digit(s[j]))
				j++;
			if (j > i + 1)
				i = j;
			else
				i++;
			return (dotted || path || (bare_ok && i > 1)) ? i : 0;
		}
		if (s[i] == '.' || s[i] == '/')
			dotted = true;
		if (s[i] == ':' || s[i] == '(' || s[i] == ')')
			path = true;
		if (s[i] == ':')
			i++;
		i++;
	}
	return 0;
}

/* A worker or module tag after the level word: nrfjprog "[error] [ Worker] - ",
 * "[error] [  nRF91] - ": '[', up to 32 letters, digits, spaces, '_', '-', '.', then ']'. */
static size_t tag_len(const char *s, size_t n)
{
	size_t j = 1;
	while (j < n && j <= 32 && (is_alnum(s[j]) || s[j] == ' ' || s[j] == '_' || s[j] == '-' ||
				    s[j] == '.'))
		j++;
	return (j < n && s[j] == ']' && j > 1) ? j + 1 : 0;
}

/* Length of the noise at the start of the line s[0..n). */
static size_t line_prefix_len(const char *s, size_t n)
{
	size_t i = 0;
	bool after_level = false, any = false, counter = false;
	for (unsigned rounds = 0; rounds < 8 && i < n; rounds++) {
		size_t start = i;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '[' || s[i] == ']' ||
				 s[i] == '|' || s[i] == '\r' || (any && (s[i] == ':' || s[i] == '-')))) {
			size_t t = (s[i] == '[' && after_level) ? tag_len(s + i, n - i) : 0;
			i += t ? t : 1;
		}
		size_t a = i < n ? ansi_len(s, n, i) : 0;
		if (a) {
			i += a;
			continue;
		}
		size_t m = stamp_len(s + i, n - i);
		if (m) {
			i += m;
			any = true;
			continue;
		}
		m = level_len(s + i, n - i);
		if (m) {
			i += m;
			after_level = any = true;
			continue;
		}
		if (i < n && is_digit(s[i])) {
			/* a counter glued to the level: pyOCD "0000653:WARNING:pyusb_backend:" */
			size_t j = i;
			while (j < n && is_digit(s[j]))
				j++;
			if (j + 1 < n && s[j] == ':' && level_len(s + j + 1, n - j - 1)) {
				i = j + 1;
				any = true;
				continue;
			}
		}
		if (after_level && i < n && is_digit(s[i])) {
			/* OpenOCD's "Debug: 229 69 file.c:..." counters, "I (123) tag:" */
			size_t j = i;
			while (j < n && is_digit(s[j]))
				j++;
			if (j < n && s[j] == ' ') {
				i = j;
				continue;
			}
		}
		if (i < n && s[i] == '(' && after_level) {
			size_t j = i + 1;
			while (j < n && is_digit(s[j]))
				j++;
			if (j < n && s[j] == ')' && j > i + 1) {
				i = j + 1;
				counter = true;
				continue;
			}
		}
		if (any) {
			/* glued: "INFO:root:", "WARNING:pyusb_backend:"; or after "(123) " */
			bool bare_ok = counter || i > start;
			for (size_t k = start; k < i; k++)
				bare_ok = bare_ok && (counter || s[k] == ':');
			m = where_len(s + i, n - i, bare_ok);
			if (m) {
				i += m;
				counter = false;
				continue;
			}
		}
		break;
	}
	return any ? i : 0;
}

static size_t tokenize(const char *text, size_t len, tok **out)
{
	size_t cap = len / 2 + 1, n = 0, pos = 0;
	tok *t = malloc(cap * sizeof *t);
	if (!t)
		return 0;
	while (pos < len && n < cap) {
		size_t eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t p = pos + line_prefix_len(text + pos, eol - pos);
		while (n < cap && p < eol) {
			size_t a = ansi_len(text, eol, p);
			if (a) {
				p += a;
				continue;
			}
			if (!is_alnum(text[p])) {
				p++;
				continue;
			}
			size_t start = p;
			while (p < eol && is_alnum(text[p]))
				p++;
			if (is_cannot(text + start, p - start) && n + 1 < cap) {
				t[n++] = (tok){text + start, 3};
				t[n++] = (tok){text + start + 3, 3};
				continue;
			}
			t[n++] = (tok){text + start, p - start};
		}
		pos = eol + 1;
	}
	*out = t;
	return n;
}

unsigned fk_doctor_pattern_score(const char *pattern_text, const char *text, size_t len)
{
	pattern *p = malloc(sizeof *p);
	tok *in = NULL;
	if (!p)
		return 0;
	pat_compile(pattern_text, p);
	size_t nin = tokenize(text, len > FK_DOCTOR_MAX_INPUT ? FK_DOCTOR_MAX_INPUT : len, &in);
	span s = pat_best(p, in, nin);
	unsigned score = span_counts(p, &s) ? s.score : 0;
	free(in);
	free(p);
	return score;
}

static void hit_insert(fk_doctor_hit *hits, unsigned max, unsigned n, const fk_doctor_hit *h)
{
	unsigned i = n < max ? n : max;
	while (i > 0 && (hits[i - 1].score < h->score ||
			 (hits[i - 1].score == h->score && hits[i - 1].offset > h->offset))) {
		if (i < max)
			hits[i] = hits[i - 1];
		i--;
	}
	if (i < max)
		hits[i] = *h;
}

static bool entry_best(const fk_doctor_entry *e, pattern *p, const tok *in, size_t nin,
		       const char *text, fk_doctor_hit *out)
{
	bool found = false;
	for (unsigned k = 0; k < e->npatterns; k++) {
		pat_compile(e->patterns[k], p);
		span s = pat_best(p, in, nin);
		if (!span_counts(p, &s) || (found && s.score <= out->score))
			continue;
		found = true;
		out->entry = e;
		out->score = s.score;
		out->offset = (size_t)(in[s.first].s - text);
		out->length = (size_t)(in[s.last].s + in[s.last].n - in[s.first].s);
	}
	return found;
}

int fk_doctor_match(const fk_doctor_catalogue *cat, const char *text, size_t len,
		    fk_doctor_hit *hits, unsigned max)
{
	if (!cat || (!text && len))
		return FK_E_INVALID_ARG;
	tok *in = NULL;
	size_t nin = tokenize(text ? text : "", len > FK_DOCTOR_MAX_INPUT ? FK_DOCTOR_MAX_INPUT : len,
			      &in);
	pattern *p = malloc(sizeof *p);
	if (!in || !p) {
		free(in);
		free(p);
		return FK_E_NOMEM;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < cat->nentries; i++) {
		fk_doctor_hit h;
		if (entry_best(&cat->entries[i], p, in, nin, text, &h))
			hit_insert(hits, max, n++, &h);
	}
	free(in);
	free(p);
	return (int)n;
}
