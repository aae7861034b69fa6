/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_doctor: how well `flashkey doctor` recognises what users actually paste.
 *
 * Runs the built-in catalogue over the corpus of real logs in tests/doctor/cases/ (one file per
 * case: headers `tool`, `source`, `causes`, `split`, then `---` and the text exactly as the user
 * saw it; format in tests/doctor/README.md) and prints, per split and per tool:
 *   recall    = cases where doctor names at least one of the causes the source thread established
 *               (any cause of any recognised message);
 *   precision = answered cases without a confident wrong cause, where "confident" means the best
 *               match scores >= 90 and its message lists exactly one cause (doctor offered no
 *               alternative): a wrong single answer is the harmful kind.
 * The held-out split (a third of the cases, fixed when the case was collected: number % 3 == 0)
 * is never looked at while writing patterns; its figures are the honest ones.
 *
 *   bench_doctor                    the table (FK_SRC names the source tree)
 *   bench_doctor --validate         check the corpus format only, and that no thread gives two
 *                                   cases for one tool (a test: tests/scenario)
 *   bench_doctor --check R P        also fail when held-out recall < R % or precision < P %
 *   bench_doctor --misses train     list the training cases doctor gets wrong (never held-out)
 *   bench_doctor --check-recalled N P   also fail when fewer than N held-out cases are recalled or
 *                                   precision < P %: a count only rises as the catalogue improves,
 *                                   while a percentage also falls when harder cases are added
 *   bench_doctor --upto N ...       consider only cases numbered up to N (the corpus as it was) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/core.h"
#include "flashkey/doctor.h"

#define MAX_CASES 1024
#define MAX_CAUSES 8
#define MAX_TOOLS 64
#define MAX_HITS 16

typedef struct kase {
	char name[260];
	char tool[96];
	char group[32];
	char source[512];
	char causes[MAX_CAUSES][40];
	unsigned ncauses;
	int heldout;
	char *text;
	size_t len;
} kase;

typedef struct tally {
	char group[32];
	unsigned n, recalled, answered, confident_wrong;
} tally;

static int case_number(const char *name)
{
	/* "012-openocd-..." -> 12; parse_case checks that names start with 3 digits */
	int n = 0;
	for (int i = 0; i < 3 && name[i] >= '0' && name[i] <= '9'; i++)
		n = n * 10 + (name[i] - '0');
	return n;
}

/* The tool group: a known tool named anywhere in the tool field ("xPack OpenOCD 0.11" ->
 * "openocd"), else the field's first word in lower case. */
static void tool_group(const char *tool, char *out, size_t n)
{
	static const char *const known[][2] = {
		{"j-link", "j-link"},         {"jlink", "j-link"},        {"openocd", "openocd"},       {"st-flash", "st-flash"},   {"st-info", "st-flash"},
		{"st-util", "st-flash"},      {"cubeprog", "cubeprogrammer"},
		{"cubeide", "cubeprogrammer"}, {"gdb server", "cubeprogrammer"},
		{"st-link utility", "st-link-utility"}, {"st-link_cli", "st-link-utility"},
		{"stm32flash", "stm32flash"}, {"esptool", "esptool"},     {"idf.py", "esptool"},
		{"pyocd", "pyocd"},           {"probe-rs", "probe-rs"},   {"probe-run", "probe-rs"},
		{"black magic", "black-magic"},
		{"lpc21isp", "lpc21isp"},     {"flash magic", "flash-magic"},
		{"mcuxpresso", "mcuxpresso"}, {"flashrom", "flashrom"},   {"wchisp", "wch"},
		{"minichlink", "wch"},        {"wlink", "wch"}, {"wch-isp", "wch"}, {"dfu-util", "dfu-util"},
	};
	char low[96];
	size_t i = 0;
	for (; tool[i] && i + 1 < sizeof low; i++)
		low[i] = (tool[i] >= 'A' && tool[i] <= 'Z') ? (char)(tool[i] - 'A' + 'a') : tool[i];
	low[i] = 0;
	for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
		if (strstr(low, known[k][0])) {
			snprintf(out, n, "%s", known[k][1]);
			return;
		}
	i = 0;
	while (low[i] && low[i] != ' ' && i + 1 < n) {
		out[i] = low[i];
		i++;
	}
	out[i] = 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (!buf)
			break;
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

/* Parses one case file; on a format error prints "NAME: line N: what" and returns -1. */
static int parse_case(const char *dir, const char *name, const fk_doctor_catalogue *cat, kase *k)
{
	char path[1400];
	snprintf(path, sizeof path, "%.1023s/%.255s", dir, name);
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%.255s", name);
	size_t len = 0;
	char *buf = read_file(path, &len);
	if (!buf) {
		fprintf(stderr, "%s: cannot read\n", name);
		return -1;
	}
	if (!(name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
	      name[2] >= '0' && name[2] <= '9' && name[3] == '-')) {
		fprintf(stderr, "%s: the name must start with a 3-digit case number and '-'\n", name);
		free(buf);
		return -1;
	}
	char *p = buf;
	unsigned line = 0;
	int have_split = 0, rc = -1;
	while (*p) {
		char *eol = strchr(p, '\n');
		if (eol)
			*eol = 0;
		line++;
		size_t l = strlen(p);
		if (l && p[l - 1] == '\r')
			p[--l] = 0;
		if (strcmp(p, "---") == 0) {
			k->text = eol ? eol + 1 : p + l;
			k->len = len - (size_t)(k->text - buf);
			rc = 0;
			break;
		}
		char *colon = strchr(p, ':');
		if (!colon) {
			fprintf(stderr, "%s: line %u: expected 'key: value' or '---'\n", name, line);
			goto out;
		}
		*colon = 0;
		char *v = colon + 1;
		while (*v == ' ')
			v++;
		if (strcmp(p, "tool") == 0) {
			snprintf(k->tool, sizeof k->tool, "%s", v);
			tool_group(v, k->group, sizeof k->group);
		} else if (strcmp(p, "source") == 0) {
			snprintf(k->source, sizeof k->source, "%s", v);
		} else if (strcmp(p, "causes") == 0) {
			for (char *c = v, *next; *c; c = next) {
				size_t w = strcspn(c, " ,");
				next = c + w + (c[w] ? 1 : 0);
				c[w] = 0;
				if (!w)
					continue;
				if (k->ncauses == MAX_CAUSES) {
					fprintf(stderr, "%s: line %u: too many causes\n", name, line);
					goto out;
				}
				if (!fk_doctor_cause_find(cat, c)) {
					fprintf(stderr, "%s: line %u: cause '%s' is not in the catalogue\n",
						name, line, c);
					goto out;
				}
				snprintf(k->causes[k->ncauses++], sizeof k->causes[0], "%s", c);
			}
		} else if (strcmp(p, "split") == 0) {
			int want = case_number(name) % 3 == 0;
			if (strcmp(v, "held-out") == 0)
				k->heldout = 1;
			else if (strcmp(v, "train") != 0) {
				fprintf(stderr, "%s: line %u: split is 'train' or 'held-out'\n", name, line);
				goto out;
			}
			if (k->heldout != want) {
				fprintf(stderr, "%s: line %u: case %d belongs to the %s split (number %% 3)\n",
					name, line, case_number(name), want ? "held-out" : "train");
				goto out;
			}
			have_split = 1;
		} else {
			fprintf(stderr, "%s: line %u: unknown key '%s'\n", name, line, p);
			goto out;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	if (rc != 0)
		fprintf(stderr, "%s: no '---' line before the text\n", name);
	else if (!k->tool[0] || !k->ncauses || !have_split ||
		 strncmp(k->source, "https://", 8) != 0) {
		fprintf(stderr, "%s: needs tool, causes, split and an https:// source\n", name);
		rc = -1;
	} else if (k->len == 0) {
		fprintf(stderr, "%s: empty text\n", name);
		rc = -1;
	}
out:
	if (rc == 0) {
		/* keep the text: move it to the start of its own buffer */
		memmove(buf, k->text, k->len);
		buf[k->len] = 0;
		k->text = buf;
	} else {
		free(buf);
		k->text = NULL;
	}
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int established(const kase *k, const char *cause)
{
	for (unsigned i = 0; i < k->ncauses; i++)
		if (strcmp(k->causes[i], cause) == 0)
			return 1;
	return 0;
}

typedef struct verdict {
	int answered, recalled, confident_wrong;
	const char *top; /* best match's entry id */
} verdict;

static verdict judge(const fk_doctor_catalogue *cat, const kase *k)
{
	fk_doctor_hit hits[MAX_HITS];
	verdict v = {0, 0, 0, NULL};
	int n = fk_doctor_match(cat, k->text, k->len, hits, MAX_HITS);
	if (n <= 0)
		return v;
	if (n > MAX_HITS)
		n = MAX_HITS;
	v.answered = 1;
	v.top = hits[0].entry->id;
	for (int i = 0; i < n; i++)
		for (unsigned c = 0; c < hits[i].entry->ncauses; c++)
			if (established(k, hits[i].entry->causes[c]->id))
				v.recalled = 1;
	const fk_doctor_entry *best = hits[0].entry;
	if (hits[0].score >= 90 && best->ncauses == 1 && !established(k, best->causes[0]->id))
		v.confident_wrong = 1;
	return v;
}

static tally *tally_for(tally *t, unsigned *nt, const char *group)
{
	for (unsigned i = 0; i < *nt; i++)
		if (strcmp(t[i].group, group) == 0)
			return &t[i];
	if (*nt == MAX_TOOLS)
		return &t[MAX_TOOLS - 1];
	tally *x = &t[(*nt)++];
	memset(x, 0, sizeof *x);
	snprintf(x->group, sizeof x->group, "%s", group);
	return x;
}

static double pct(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : 100.0;
}

static void print_split(const char *title, tally *t, unsigned nt, const tally *all)
{
	printf("\n%s: %u cases\n", title, all->n);
	printf("  %-22s %5s %9s %11s\n", "tool", "cases", "recall", "precision");
	for (unsigned i = 0; i < nt; i++)
		printf("  %-22s %5u %8.1f%% %10.1f%%\n", t[i].group, t[i].n, pct(t[i].recalled, t[i].n),
		       pct(t[i].answered - t[i].confident_wrong, t[i].answered));
	printf("  %-22s %5u %8.1f%% %10.1f%%   (answered %u, confident wrong %u)\n", "ALL", all->n,
	       pct(all->recalled, all->n), pct(all->answered - all->confident_wrong, all->answered),
	       all->answered, all->confident_wrong);
}

int main(int argc, char **argv)
{
	const char *src = getenv("FK_SRC");
	int validate = 0, misses = 0, upto = 999;
	double min_recall = -1, min_precision = -1, min_recalled = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--validate") == 0)
			validate = 1;
		else if (strcmp(argv[i], "--check") == 0 && i + 2 < argc) {
			char *end1 = NULL, *end2 = NULL;
			min_recall = strtod(argv[++i], &end1);
			min_precision = strtod(argv[++i], &end2);
			if (*end1 || *end2) {
				fprintf(stderr, "bench_doctor: --check takes two percentages\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--check-recalled") == 0 && i + 2 < argc) {
			char *end1 = NULL, *end2 = NULL;
			min_recalled = strtod(argv[++i], &end1);
			min_precision = strtod(argv[++i], &end2);
			if (*end1 || *end2 || min_recalled < 0) {
				fprintf(stderr, "bench_doctor: --check-recalled takes a count and a percentage\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--upto") == 0 && i + 1 < argc) {
			char *end = NULL;
			double u = strtod(argv[++i], &end);
			if (*end || u < 0 || u > 999) {
				fprintf(stderr, "bench_doctor: --upto takes a case number (0-999)\n");
				return 2;
			}
			upto = (int)u;
		} else if (strcmp(argv[i], "--misses") == 0 && i + 1 < argc &&
			   strcmp(argv[i + 1], "train") == 0) {
			misses = 1;
			i++;
		} else {
			fprintf(stderr, "usage: bench_doctor [--validate] [--check RECALL PRECISION] "
					"[--check-recalled COUNT PRECISION] [--upto N] [--misses train]\n");
			return 2;
		}
	}
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/tests/doctor/cases", src ? src : ".");
	fk_ctx *ctx = fk_ctx_new();
	fk_doctor_catalogue *cat = NULL;
	if (!ctx || fk_doctor_load_builtin(ctx, &cat) != 0) {
		fprintf(stderr, "bench_doctor: the built-in catalogue does not load\n");
		fk_ctx_free(ctx);
		return 1;
	}
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "bench_doctor: cannot open %s (set FK_SRC)\n", dir);
		return 1;
	}
	char *names[MAX_CASES];
	unsigned nn = 0;
	struct dirent *e;
	while ((e = readdir(d)) && nn < MAX_CASES) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0 && case_number(e->d_name) <= upto)
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof names[0], cmp_names);

	static kase cases[MAX_CASES];
	unsigned nc = 0, bad = 0;
	for (unsigned i = 0; i < nn; i++) {
		if (i > 0 && case_number(names[i]) == case_number(names[i - 1])) {
			fprintf(stderr, "%s: case number %d used twice\n", names[i], case_number(names[i]));
			bad++;
		}
		if (parse_case(dir, names[i], cat, &cases[nc]) == 0)
			nc++;
		else
			bad++;
	}
	for (unsigned i = 0; i < nn; i++)
		free(names[i]);
	/* one thread gives at most one case per tool (tests/doctor/README.md): a second case
	 * from the same address and tool group counts the same paste twice */
	for (unsigned i = 0; i < nc; i++)
		for (unsigned j = i + 1; j < nc; j++)
			if (strcmp(cases[i].source, cases[j].source) == 0 &&
			    strcmp(cases[i].group, cases[j].group) == 0) {
				fprintf(stderr, "%s: same source and tool as %s\n", cases[j].name,
					cases[i].name);
				bad++;
			}
	if (bad) {
		fprintf(stderr, "bench_doctor: %u malformed case file(s)\n", bad);
		for (unsigned i = 0; i < nc; i++)
			free(cases[i].text);
		fk_doctor_free(cat);
		fk_ctx_free(ctx);
		return 1;
	}
	if (validate) {
		unsigned held = 0;
		for (unsigned i = 0; i < nc; i++)
			held += (unsigned)cases[i].heldout;
		printf("corpus: %u cases (%u held out), every file well formed\n", nc, held);
		for (unsigned i = 0; i < nc; i++)
			free(cases[i].text);
		fk_doctor_free(cat);
		fk_ctx_free(ctx);
		return nc ? 0 : 1;
	}

	tally tr[MAX_TOOLS], ho[MAX_TOOLS], all_tr = {"", 0, 0, 0, 0}, all_ho = {"", 0, 0, 0, 0};
	unsigned ntr = 0, nho = 0;
	for (unsigned i = 0; i < nc; i++) {
		const kase *k = &cases[i];
		verdict v = judge(cat, k);
		tally *t = k->heldout ? tally_for(ho, &nho, k->group) : tally_for(tr, &ntr, k->group);
		tally *a = k->heldout ? &all_ho : &all_tr;
		for (tally *x = t;; x = a) {
			x->n++;
			x->recalled += (unsigned)v.recalled;
			x->answered += (unsigned)v.answered;
			x->confident_wrong += (unsigned)v.confident_wrong;
			if (x == a)
				break;
		}
		if (misses && !k->heldout && (!v.recalled || v.confident_wrong))
			printf("miss %s: %s (best: %s)\n", k->name,
			       !v.answered ? "nothing recognised"
			       : v.confident_wrong ? "confident wrong cause"
						   : "no established cause named",
			       v.top ? v.top : "-");
	}
	if (misses) {
		for (unsigned i = 0; i < nc; i++)
			free(cases[i].text);
		fk_doctor_free(cat);
		fk_ctx_free(ctx);
		return 0;
	}
	printf("doctor corpus (tests/doctor/cases): recall = an established cause named; precision = "
	       "no confident wrong cause\n");
	print_split("training split", tr, ntr, &all_tr);
	print_split("held-out split (never used to write patterns)", ho, nho, &all_ho);
	int rc = 0;
	double p = pct(all_ho.answered - all_ho.confident_wrong, all_ho.answered);
	if (min_recall >= 0) {
		double r = pct(all_ho.recalled, all_ho.n);
		if (r < min_recall || p < min_precision) {
			printf("held-out below target: recall %.1f%% (want %.1f%%), precision %.1f%% "
			       "(want %.1f%%)\n", r, min_recall, p, min_precision);
			rc = 1;
		}
	}
	if (min_recalled >= 0 && ((double)all_ho.recalled < min_recalled || p < min_precision)) {
		printf("held-out below the floor: %u cases recalled (want %.0f), precision %.1f%% "
		       "(want %.1f%%)\n", all_ho.recalled, min_recalled, p, min_precision);
		rc = 1;
	}
	for (unsigned i = 0; i < nc; i++)
		free(cases[i].text);
	fk_doctor_free(cat);
	fk_ctx_free(ctx);
	return rc;
}
