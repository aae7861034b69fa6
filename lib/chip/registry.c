/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The chip-driver registry (lib/chip/driver.h section 2): the families in the order they are
 * tried, the IDs collected once for all of them, and the choice of the driver for a chip.
 * Adding a family is one line in fk_chip_drivers[] (docs/ADDING-A-FAMILY.md). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chip/driver.h"
#include "core/core.h"

#define FK_FAMILY(name) extern const fk_chip_driver name##_chip_driver;
#include "chip/families.h"
#undef FK_FAMILY

/* Tried in the order of chip/families.h: a family whose match() is stricter goes first when
 * two could claim the same ID (none overlap today). */
static const fk_chip_driver *const fk_chip_drivers[] = {
#define FK_FAMILY(name) &name##_chip_driver,
#include "chip/families.h"
#undef FK_FAMILY
};

const fk_chip_driver *fk_chip_driver_at(unsigned i)
{
	return i < FK_ARRAY_SIZE(fk_chip_drivers) ? fk_chip_drivers[i] : NULL;
}

const fk_chip_driver *fk_chip_driver_for_name(const char *name)
{
	const fk_chip_driver *d;
	for (unsigned i = 0; (d = fk_chip_driver_at(i)) != NULL; i++)
		if (strcasecmp(d->family, name) == 0 || (d->owns_name && d->owns_name(name)))
			return d;
	return NULL;
}

void fk_chip_families_text(char *out, size_t n)
{
	const fk_chip_driver *d;
	out[0] = '\0';
	for (unsigned i = 0; (d = fk_chip_driver_at(i)) != NULL; i++)
		fk_snprintf_cat(out, n, "%s%s", i ? "; " : "", d->summary);
}

bool fk_chip_ids_word(const fk_chip_ids *ids, uint32_t addr, uint32_t *value)
{
	for (unsigned i = 0; i < ids->nwords; i++)
		if (ids->words[i].addr == addr && ids->words[i].ok) {
			*value = ids->words[i].value;
			return true;
		}
	return false;
}

void fk_chip_ids_text(const fk_chip_ids *ids, char *out, size_t n)
{
	out[0] = '\0';
	if (ids->have_dp)
		fk_snprintf_cat(out, n, "DPIDR=0x%08X", ids->dp_idr);
	for (unsigned i = 0; i < ids->nap; i++)
		fk_snprintf_cat(out, n, "%sAP%u IDR=0x%08X", out[0] ? ", " : "", ids->ap[i].apsel,
				ids->ap[i].idr);
	for (unsigned i = 0; i < ids->nwords; i++) {
		const fk_chip_id_word *w = &ids->words[i];
		if (w->ok)
			fk_snprintf_cat(out, n, "%s%s@0x%08X=0x%08X", out[0] ? ", " : "", w->name,
					w->addr, w->value);
		else
			fk_snprintf_cat(out, n, "%s%s@0x%08X unreadable", out[0] ? ", " : "", w->name,
					w->addr);
	}
	if (ids->have_boot_pid)
		fk_snprintf_cat(out, n, "%sbootloader PID 0x%03X (protocol %u.%u)", out[0] ? ", " : "",
				ids->boot_pid, ids->boot_version >> 4, ids->boot_version & 0xFU);
	if (ids->have_jedec)
		fk_snprintf_cat(out, n, "%sJEDEC ID %02X %02X %02X", out[0] ? ", " : "", ids->jedec[0],
				ids->jedec[1], ids->jedec[2]);
	if (ids->have_lpc_part)
		fk_snprintf_cat(out, n, "%sLPC part ID 0x%08X", out[0] ? ", " : "", ids->lpc_part_id);
	if (ids->have_esp_chip_id)
		fk_snprintf_cat(out, n, "%sESP ROM chip id %u (GET_SECURITY_INFO)", out[0] ? ", " : "",
				ids->esp_chip_id);
	if (ids->have_esp_magic)
		fk_snprintf_cat(out, n, "%sESP chip-detect magic 0x%08X (0x40001000)",
				out[0] ? ", " : "", ids->esp_magic);
	if (!out[0])
		fk_strlcpy(out, "no ID could be read", n);
}

int fk_chip_ids_collect_mem(fk_ctx *ctx, const fk_mem_ops *mem, void *h, fk_chip_ids *ids)
{
	const fk_chip_driver *d;
	bool any = false;
	ids->path = FK_PATH_MEMORY;
	for (unsigned i = 0; (d = fk_chip_driver_at(i)) != NULL; i++) {
		if (!(d->paths & FK_PATH_BIT(FK_PATH_MEMORY)))
			continue;
		for (unsigned k = 0; k < d->nid_regs; k++) {
			const fk_chip_id_reg *r = &d->id_regs[k];
			uint32_t v;
			if (fk_chip_ids_word(ids, r->addr, &v) || ids->nwords >= FK_CHIP_MAX_IDWORDS)
				continue;
			bool seen = false;
			for (unsigned j = 0; j < ids->nwords; j++)
				seen |= ids->words[j].addr == r->addr;
			if (seen)
				continue;
			fk_chip_id_word *w = &ids->words[ids->nwords++];
			uint8_t b[4] = {0};
			fk_ctx *quiet = fk_ctx_new();
			w->name = r->name;
			w->addr = r->addr;
			w->ok = quiet && !mem->read(h, quiet, r->addr, b, 4, 4);
			w->value = w->ok ? fk_get_le32(b) : 0;
			if (!w->ok)
				fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_CHIP, "%s at 0x%08X: unreadable (%s)",
				       r->name, r->addr, quiet ? fk_strerror(fk_ctx_error(quiet)) : "");
			fk_ctx_free(quiet);
			any |= w->ok;
		}
	}
	if (any || !ids->nwords)
		return FK_OK;
	/* Nothing answered (debug disabled, no power, a bus that faults everywhere): the first
	 * read again, to report its error as it is rather than as an unknown chip. */
	uint8_t b[4];
	int rc = mem->read(h, ctx, ids->words[0].addr, b, 4, 4);
	if (!rc)
		return FK_OK; /* answered now: keep what was collected */
	fk_fail_wrap(ctx, rc, "reading %s at 0x%08X", ids->words[0].name, ids->words[0].addr);
	return fk_fail_wrap(ctx, rc, "identifying the chip");
}

static int fk_chip_unknown(fk_ctx *ctx, const fk_chip_ids *ids, const char *expect)
{
	char seen[512], fams[512];
	fk_chip_ids_text(ids, seen, sizeof seen);
	fk_chip_families_text(fams, sizeof fams);
	if (ids->path == FK_PATH_DAP_RAW)
		fk_hint(ctx, "the debug port answers but its memory access port does not (a secured "
			     "part, or no Cortex-M behind AP 0): no driver here unlocks it at the "
			     "access-port level; `flashkey doctor` lists the checks; supported: %s", fams);
	else
		fk_hint(ctx, "check the connection, the power and BOOT pins; supported: %s%s", fams,
		expect ? "; with --chip and --allow-wrong-memory-map the named part's memory map is "
			 "used regardless of the IDs (erasing and programming may hit the wrong "
			 "addresses)" : "");
	return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no driver knows this chip (IDs read: %s); refusing "
					       "to guess its memory map; nothing was written", seen);
}

/* A family may register one driver per access path (the NXP LPC: ISP and debug): --chip names
 * the family, whichever of its drivers the path takes. */
static bool fk_chip_same_family(const fk_chip_driver *a, const fk_chip_driver *b)
{
	return strcasecmp(a->family, b->family) == 0;
}

int fk_chip_select(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids, const char *expect,
		   bool force, const fk_chip_driver **drv, void **state)
{
	const fk_chip_driver *want = NULL, *d, *found = NULL;
	char part[48] = "";
	*drv = NULL;
	*state = NULL;
	if (expect) {
		want = fk_chip_driver_for_name(expect);
		if (!want) {
			char fams[512];
			fk_chip_families_text(fams, sizeof fams);
			fk_hint(ctx, "supported: %s", fams);
			return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "--chip %s: no driver knows this name",
				       expect);
		}
	}
	for (unsigned i = 0; (d = fk_chip_driver_at(i)) != NULL && !found; i++)
		if ((d->paths & FK_PATH_BIT(path->kind)) && d->match(ids, part, sizeof part))
			found = d;
	const char *force_part = NULL;
	if (want && found && fk_chip_same_family(found, want))
		want = found; /* the family's driver for this path */
	if (want && (!found || found != want ||
		     (want->part_is && strcasecmp(want->family, expect) != 0 &&
		      !want->part_is(ids, expect)))) {
		char seen[512];
		fk_chip_ids_text(ids, seen, sizeof seen);
		if (!force) {
			fk_hint(ctx, "check --chip; to use the %s memory map regardless of the IDs add "
				     "--allow-wrong-memory-map (erasing and programming may then hit "
				     "the wrong addresses)", expect);
			if (found)
				return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "--chip %s given, but the target "
								       "is %s (%s)", expect, part, seen);
			return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "--chip %s given, but no driver "
							       "knows the target (IDs read: %s)",
				       expect, seen);
		}
		for (unsigned i = 0; (d = fk_chip_driver_at(i)) != NULL; i++)
			if (fk_chip_same_family(d, want) && (d->paths & FK_PATH_BIT(path->kind))) {
				want = d;
				break;
			}
		if (!(want->paths & FK_PATH_BIT(path->kind)))
			return fk_fail(ctx, FK_E_UNSUPPORTED, "--chip %s: the %s driver cannot use "
							      "this access path", expect, want->family);
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "--allow-wrong-memory-map: using %s although "
							"the IDs say %s (%s)", expect,
		       found ? part : "unknown", seen);
		found = want;
		force_part = strcasecmp(want->family, expect) != 0 ? expect : NULL;
	}
	if (!found)
		return fk_chip_unknown(ctx, ids, expect);
	int rc = found->attach(ctx, path, ids, force_part, state);
	if (rc)
		return rc;
	*drv = found;
	return FK_OK;
}
