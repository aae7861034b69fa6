/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flash plan (pure): image segments + sector geometry -> sectors to erase, runs to program.
 * Segments that reach areas other than main flash (option bytes, OTP, system memory) are
 * reported, never written implicitly (DESIGN.md "Never touch option bytes implicitly"). */
#ifndef FK_PLAN_FLASHPLAN_H
#define FK_PLAN_FLASHPLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "flashkey/flashkey.h"

typedef struct fkp_area {
	const char *name; /* "option bytes", "OTP" */
	uint32_t addr, size;
} fkp_area;

typedef struct fkp_flash_plan {
	fk_sector_set touch; /* sectors holding image bytes (index in the sector array) */
	uint64_t bytes;      /* image bytes inside main flash */
} fkp_flash_plan;

/* out->touch is allocated for nsec sectors (free it with fkp_flash_plan_free, whatever the
 * result). Fails with FK_E_NOMEM, FK_E_PERMISSION when a segment reaches one of the `special` areas (naming it, e.g.
 * "option bytes"), FK_E_RANGE when it leaves main flash otherwise, and FK_E_BAD_IMAGE on overlapping segments. */
int fkp_flash_plan_build(fk_ctx *ctx, const fk_seg *segs, unsigned nsegs,
			 const fk_sector_info *sec, unsigned nsec, const fkp_area *special,
			 unsigned nspecial, fkp_flash_plan *out);
void fkp_flash_plan_free(fkp_flash_plan *p);
/* Content of [addr, addr+size) after erase + program: 0xFF, then the image bytes. Returns the
 * number of image bytes in the range. */
uint32_t fkp_sector_image(const fk_seg *segs, unsigned nsegs, uint32_t addr, uint32_t size,
			  uint8_t *buf);
/* Next run of width-aligned words that are not all 0xFF, from *pos; false at the end. Erased
 * cells already read 0xFF, so programming them would only cost time. */
bool fkp_next_run(const uint8_t *buf, uint32_t size, unsigned width, uint32_t *pos,
		  uint32_t *start, uint32_t *len);

#endif
