/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/doctor internals shared by the catalogue parser, the matcher and the verdicts. */
#ifndef FK_DOCTOR_INT_H
#define FK_DOCTOR_INT_H

#include "flashkey/doctor.h"

#define DOCTOR_MAX_ENTRIES 384
#define DOCTOR_MAX_CAUSES_ALL 64
#define DOCTOR_MAX_HEALTH 24

struct fk_doctor_catalogue {
	char *buf; /* the catalogue text, sliced in place: every string points into it */
	fk_doctor_cause causes[DOCTOR_MAX_CAUSES_ALL];
	unsigned ncauses;
	fk_doctor_entry entries[DOCTOR_MAX_ENTRIES];
	unsigned nentries;
	fk_doctor_health health[DOCTOR_MAX_HEALTH];
	unsigned nhealth;
	/* cause IDs named by `causes` lines, resolved once the whole text is read */
	const char *entry_refs[DOCTOR_MAX_ENTRIES][FK_DOCTOR_MAX_CAUSES];
	const char *health_refs[DOCTOR_MAX_HEALTH][FK_DOCTOR_MAX_CAUSES];
};

/* Parses "rdp1 !wrp" into e; -1 (and *bad = the offending word) on an unknown fact or too many. */
int doctor_expr_parse(char *words, fk_doctor_expr *e, const char **bad);
/* Number of matchable words in a pattern (0: the pattern is unusable). */
unsigned doctor_pattern_words(const char *pattern);

#endif
