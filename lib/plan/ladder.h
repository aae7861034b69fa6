/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unlock ladder: protection inventory -> ordered steps, safest first (pure, no I/O), and
 * the permission check every caller runs before executing a plan (DESIGN.md "Safety gates"). */
#ifndef FK_PLAN_LADDER_H
#define FK_PLAN_LADDER_H

#include "flashkey/core.h"
#include "flashkey/inventory.h"

/* Steps for the locks of inv with step id <= upto. A step that cannot run as things stand is
 * kept with refused=true and why (so the plan shows it). */
void fkp_ladder_build(const fk_inventory *inv, fk_step_id upto, fk_plan *plan);
/* FK_OK when every step may run under perms; else the first obstacle: FK_E_LOCKED (key lockout),
 * FK_E_PROTECTED (refused step), FK_E_PERMISSION (missing --allow-erase-all / irreversible). */
int fkp_plan_check(fk_ctx *ctx, const fk_plan *plan, const fk_perms *perms);

#endif
