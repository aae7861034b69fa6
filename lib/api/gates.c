/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Protection checks shared by the real and the dry runs of erase and write (DESIGN.md "Safety
 * gates": a dry run checks protection exactly as the real run and exits with its code). They
 * work on the family-neutral inventory: every lock that blocks a write (RDP, WRP, PCROP, a key
 * lockout, a busy controller...) either covers the whole flash (sectors == 0) or the sectors
 * it names. The chip driver keeps its own check as the innermost line. */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"

/* Does lock l cover the erase unit si (its address range, else its sector mask, else all)? */
static bool fk_lock_covers(const fk_lock *l, const fk_sector_info *si)
{
	if (l->range_len)
		return si->addr < (uint64_t)l->range_addr + l->range_len &&
		       l->range_addr < (uint64_t)si->addr + si->size;
	return !l->sectors || (si->number < 64 && (l->sectors & (1ULL << si->number)));
}

int fk_api_write_blocked(fk_session *s, const fk_sector_set *set, const char *what)
{
	fk_inventory *inv = malloc(sizeof *inv);
	if (!inv)
		return fk_fail(s->ctx, FK_E_NOMEM, "%s: inventory", what);
	int rc = fk_session_inventory(s, inv);
	if (rc) {
		free(inv);
		return fk_fail_wrap(s->ctx, rc, "%s: reading the protection state", what);
	}
	const fk_sector_info *map = s->info.sectors;
	for (unsigned k = 0; k < inv->nlocks && !rc; k++) {
		const fk_lock *l = &inv->locks[k];
		if (!l->blocks_write)
			continue;
		int hit = -1;
		for (unsigned i = 0; i < s->info.nsectors && hit < 0; i++)
			if (fk_sector_set_has(set, i) && fk_lock_covers(l, &map[i]))
				hit = (int)i;
		if (hit < 0)
			continue;
		if (l->remedy[0])
			fk_hint(s->ctx, "%s", l->remedy);
		rc = fk_fail(s->ctx, l->kind == FK_LOCK_CTRL ? FK_E_LOCKED : FK_E_PROTECTED,
			     "%s sector %u at 0x%08X: blocked by %s: %s (%s); nothing was erased or "
			     "written", what, map[hit].number, map[hit].addr, l->name,
			     l->state, l->raw);
	}
	free(inv);
	return rc;
}
