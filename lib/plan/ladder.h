/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The permission check every caller runs before executing a plan (DESIGN.md "Safety gates").
 * The plans (the unlock ladder, option changes, OTP) are made by the family drivers. */
#ifndef FK_PLAN_LADDER_H
#define FK_PLAN_LADDER_H

#include "flashkey/core.h"
#include "flashkey/inventory.h"

/* FK_OK when every step may run under perms; else the first obstacle: FK_E_LOCKED (key lockout),
 * FK_E_PROTECTED (refused step), FK_E_PERMISSION (missing --allow-erase-all / irreversible). */
int fkp_plan_check(fk_ctx *ctx, const fk_plan *plan, const fk_perms *perms);

#endif
