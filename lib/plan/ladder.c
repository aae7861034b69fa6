/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The permission check on a plan (see ladder.h). The plans themselves are the family drivers'
 * (lib/chip/driver.h plan()): each family orders its own ladder. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "plan/ladder.h"

int fkp_plan_check(fk_ctx *ctx, const fk_plan *plan, const fk_perms *perms)
{
	for (unsigned i = 0; i < plan->nsteps; i++) {
		const fk_step *s = &plan->steps[i];
		if (s->refused) {
			fk_hint(ctx, "%s", s->why);
			return fk_fail(ctx, s->id == FK_STEP_CTRL ? FK_E_LOCKED : FK_E_PROTECTED,
				       "step %s refused: %s", s->name, s->why);
		}
		if (s->destructive && !perms->allow_erase_all) {
			fk_hint(ctx, "review the plan with --dry-run, then add --allow-erase-all (or "
				     "answer the prompt by typing yes)");
			return fk_fail(ctx, FK_E_PERMISSION, "step %s destroys data (%s) and needs "
							     "--allow-erase-all; nothing was changed",
				       s->name, s->cost_text[0] ? s->cost_text : "all flash");
		}
		if (s->irreversible && (!perms->allow_irreversible ||
					strcmp(perms->allow_irreversible, "PERMANENT") != 0)) {
			fk_hint(ctx, "this cannot be undone; name the consequence with "
				     "--allow-irreversible=PERMANENT (or type PERMANENT at the prompt)");
			return fk_fail(ctx, FK_E_PERMISSION, "step %s is irreversible (%s); nothing "
							     "was changed", s->name,
				       s->cost_text[0] ? s->cost_text : s->what);
		}
	}
	return FK_OK;
}
