/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stable names of the inventory and ladder enums (include/flashkey/inventory.h), as they
 * appear in --json output and --upto (docs/JSON.md). */
#include <stdio.h>
#include <string.h>

#include "flashkey/inventory.h"

const char *fk_lock_kind_name(fk_lock_kind k)
{
	static const char *const names[] = {"ctrl", "opt", "errors", "rdp", "wrp", "pcrop", "otp",
					    "spi-bp", "crp", "boot", "debug", "options-torn",
					    "watchdog", "busy"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *fk_cost_name(fk_cost c)
{
	static const char *const names[] = {"nothing", "sectors", "all-flash", "impossible"};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

const char *fk_pending_name(fk_pending p)
{
	static const char *const names[] = {"none", "reset", "power-on-reset", "reconnect"};
	return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

static const char *const fk_step_names[FK_STEP_COUNT_] = {"errors", "ctrl", "opt", "wrp",
							  "rdp-raise", "rdp"};

const char *fk_step_name(fk_step_id id)
{
	if (id == FK_STEP_OTP_WRITE)
		return "otp-write";
	if (id == FK_STEP_OTP_LOCK)
		return "otp-lock";
	return (unsigned)id < FK_STEP_COUNT_ ? fk_step_names[id] : "?";
}

int fk_step_parse(const char *name, fk_step_id *out)
{
	for (unsigned i = 0; i < FK_STEP_COUNT_; i++) {
		if (strcmp(name, fk_step_names[i]) == 0) {
			*out = (fk_step_id)i;
			return 0;
		}
	}
	return -1;
}

fk_step *fk_plan_step_add(fk_plan *plan, fk_step_id id)
{
	if (plan->nsteps >= FK_PLAN_MAX_STEPS)
		return NULL;
	fk_step *s = &plan->steps[plan->nsteps++];
	memset(s, 0, sizeof *s);
	s->id = id;
	s->name = fk_step_name(id);
	return s;
}

fk_reg_value *fk_inv_reg_add(fk_inventory *inv, const char *name, uint32_t addr, uint32_t value,
			     bool valid)
{
	if (inv->nregs >= FK_INV_MAX_REGS)
		return NULL;
	fk_reg_value *r = &inv->regs[inv->nregs++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->addr = addr;
	r->value = value;
	r->valid = valid;
	return r;
}

void fk_inventory_read_guard(const fk_inventory *inv, char *out, size_t n)
{
	if (!n)
		return;
	out[0] = '\0';
	if (inv->rdp_level >= 0) {
		snprintf(out, n, "RDP level %d (RDP byte 0x%02X)", inv->rdp_level, inv->rdp_raw);
		return;
	}
	for (unsigned i = 0; i < inv->nlocks && i < FK_INV_MAX_LOCKS; i++) {
		const fk_lock *l = &inv->locks[i];
		if (!l->blocks_write)
			continue;
		size_t k = strcspn(l->state, ":");
		snprintf(out, n, "%s: %.*s", l->name, (int)k, l->state);
		return;
	}
	snprintf(out, n, "read protection");
}
