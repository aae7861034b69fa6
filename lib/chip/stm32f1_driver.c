/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 (the FPEC family) behind the chip-driver interface (lib/chip/driver.h):
 * identification from the IDs the path collected, attach, the description (pages as erase
 * units, option bytes as a protected area, the options schema), and erase / program / read with
 * protection reported before anything is erased.
 *
 * Sources: RM0008 Rev 21 §31.6.1 (DBGMCU_IDCODE at 0xE0042000 on F1; DEV_ID [11:0], REV_ID
 * [31:16]), §30.1 (flash size register 0x1FFFF7E0, KiB), §3.4 (boot alias); RM0091 Rev 10
 * §40.4.1 (F0: DBGMCU_IDCODE at 0x40015800), §33.2 (flash size 0x1FFFF7CC); RM0316 Rev 8
 * §33.6.1 (F3 at 0xE0042000); ARMv7-M/ARMv6-M ARM §B3.2.3 (CPUID part number: 0xC23 Cortex-M3
 * on F1, 0xC20 Cortex-M0 on F0, 0xC24 Cortex-M4 on F3); PM0075 §2.3-§2.4 (what protection
 * refuses); the clone's DP IDCODE 0x2BA01477 (a Cortex-M4-style DPIDR on a part reporting the
 * F103's DEV_ID 0x410): ../shared/reference/stm32-fpec.md §6 and the OpenOCD "UNEXPECTED
 * idcode" reports it collects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chip/stm32f1_fam.h"
#include "core/core.h"

#define F1_CLONE_DPIDR 0x2BA01477U

static const fk_chip_id_reg f1_id_regs[] = {
	{"DBGMCU_IDCODE", STM32F1_DBGMCU_IDCODE_F1},
	{"DBGMCU_IDCODE", STM32F1_DBGMCU_IDCODE_F0},
	{"CPUID", STM32F1_CPUID},
};

/* The Cortex-M part number each line carries (ARM ARM §B3.2.3). */
static unsigned f1_cpu_part(stm32f1_family fam)
{
	return fam == STM32F1_FAM_F0 ? 0xC20U : fam == STM32F1_FAM_F3 ? 0xC24U : 0xC23U;
}

/* The device from the IDs: on a memory path DBGMCU_IDCODE at the family's own address (F1/F3
 * at 0xE0042000, F0 at 0x40015800), checked against the core's CPUID when it was read; on the
 * bootloader the product ID. */
static const stm32f1_device *f1_dev_from_ids(const fk_chip_ids *ids, uint32_t *idcode)
{
	uint32_t v, cpuid;
	*idcode = 0;
	if (ids->path == FK_PATH_ROM_STREAM)
		return ids->have_boot_pid ? stm32f1_dev_find(ids->boot_pid) : NULL;
	bool have_cpu = fk_chip_ids_word(ids, STM32F1_CPUID, &cpuid);
	const uint32_t addrs[2] = {STM32F1_DBGMCU_IDCODE_F1, STM32F1_DBGMCU_IDCODE_F0};
	for (unsigned i = 0; i < 2; i++) {
		if (!fk_chip_ids_word(ids, addrs[i], &v))
			continue;
		const stm32f1_device *d = stm32f1_dev_find((uint16_t)(v & 0xFFFU));
		if (!d || stm32f1_dev_idcode_addr(d) != addrs[i])
			continue;
		if (have_cpu && ((cpuid >> 4) & 0xFFFU) != f1_cpu_part(d->family))
			continue;
		*idcode = v;
		return d;
	}
	return NULL;
}

static bool f1_owns_name(const char *name)
{
	static const char *const fams[] = {"stm32f1", "stm32f0", "stm32f3", "stm32f10x"};
	for (unsigned i = 0; i < FK_ARRAY_SIZE(fams); i++)
		if (strcasecmp(name, fams[i]) == 0)
			return true;
	for (unsigned i = 0; stm32f1_dev_at(i); i++)
		if (stm32f1_dev_matches(stm32f1_dev_at(i), name))
			return true;
	return false;
}

static bool f1_match(const fk_chip_ids *ids, char *part, size_t n)
{
	uint32_t idcode;
	const stm32f1_device *d = f1_dev_from_ids(ids, &idcode);
	if (d)
		fk_strlcpy(part, d->name, n);
	return d != NULL;
}

static bool f1_part_is(const fk_chip_ids *ids, const char *name)
{
	uint32_t idcode;
	const stm32f1_device *d = f1_dev_from_ids(ids, &idcode);
	if (!d)
		return false;
	if (strcasecmp(name, "stm32f1") == 0 || strcasecmp(name, "stm32f10x") == 0)
		return d->family == STM32F1_FAM_F1;
	if (strcasecmp(name, "stm32f0") == 0)
		return d->family == STM32F1_FAM_F0;
	if (strcasecmp(name, "stm32f3") == 0)
		return d->family == STM32F1_FAM_F3;
	return stm32f1_dev_matches(d, name);
}

/* REV_ID -> revision letter (stm32-fpec.md §6, after OpenOCD's get_stm32x_info and RM0008
 * §31.6.1; "?" for anything else). */
static const char *f1_revision(const stm32f1_device *d, uint16_t rev)
{
	if (d->dev_id == 0x410)
		return rev == 0x0000 ? "A" : rev == 0x2000 ? "B" : rev == 0x2001 ? "Z"
				       : rev == 0x2003 ? "Y" : "?";
	if (d->dev_id == 0x414)
		return rev == 0x1000 ? "A" : rev == 0x1001 ? "Z" : rev == 0x1003 ? "Y" : "?";
	if (d->family == STM32F1_FAM_F0)
		return rev == 0x1000 ? "1.0" : rev == 0x2000 ? "2.0" : "?";
	if (d->dev_id == 0x422)
		return rev == 0x1000 ? "A" : rev == 0x1001 ? "Z" : rev == 0x1003 ? "Y"
				       : rev == 0x2000 ? "B" : "?";
	return "?";
}

/* The text for the line: F1 (PM0075), F0 (RM0091) or F3 (RM0316). */
static const char *f1_src(const stm32f1_device *d, const char *f1, const char *f0, const char *f3)
{
	return d->family == STM32F1_FAM_F1 ? f1 : d->family == STM32F1_FAM_F0 ? f0 : f3;
}

static int f1_describe_fill(stm32f1drv *f)
{
	const stm32f1_device *d = f->dev;
	fk_chip_desc *c = &f->desc;
	f->npages = (unsigned)(f->flash_kb * 1024U / d->page_bytes);
	f->units = calloc(f->npages ? f->npages : 1, sizeof *f->units);
	if (!f->units)
		return FK_E_NOMEM;
	for (unsigned i = 0; i < f->npages; i++)
		f->units[i] = (fk_erase_unit){i, STM32F1_FLASH_BASE + i * d->page_bytes,
					      d->page_bytes, 0};
	uint16_t rev = (uint16_t)(f->idcode >> 16);
	snprintf(f->part, sizeof f->part, "%s%s", d->name, f->clone ? " (clone)" : "");
	/* the line's name, not its member list: the session keeps 63 characters of it */
	snprintf(f->members, sizeof f->members, "%s%s", d->desc,
		 f->clone ? "; clone, DP IDCODE 0x2BA01477" : "");
	c->family = "stm32f1";
	c->part = f->part;
	c->members = f->members;
	c->manual = f1_src(d, "PM0075", "RM0091", "RM0316");
	c->revision = f1_revision(d, rev);
	c->dev_id = d->dev_id;
	c->rev_id = rev;
	c->flash_base = STM32F1_FLASH_BASE;
	c->flash_size = f->flash_kb * 1024U;
	c->flash_size_assumed = f->size_assumed;
	c->nunits = f->npages;
	c->units = f->units;
	/* PM0075 §2.5 / RM0091 §3.3: option bytes at 0x1FFFF800; system memory (ROM) below them */
	f->areas[0] = (fk_chip_area){"option bytes", FK_AREA_OPTIONS, STM32F1_OPTBYTES,
				     STM32F1_OPTBYTES_LEN};
	f->areas[1] = (fk_chip_area){"system memory", FK_AREA_SYSTEM, d->sysmem_base,
				     STM32F1_OPTBYTES - d->sysmem_base};
	c->nareas = FK_ARRAY_SIZE(f->areas);
	c->areas = f->areas;
	c->option_base = STM32F1_OPTBYTES;
	c->option_reg = "FLASH_OBR 0x4002201C";
	c->mass_erase_how = "FLASH_CR.MER"; /* PM0075 §2.3.5 */
	c->program_source = f1_src(d, "PM0075 §2.3", "RM0091 §3.2", "RM0316 §4.2");
	c->rdp_source = f1_src(d, "PM0075 §2.4.1", "RM0091 §3.3.1", "RM0316 §4.3.1");
	c->otp = (fk_otp_desc){0};
	c->nwidths = 0; /* one width: half-words (PM0075 §2.3.3) */
	c->widths = NULL;
	c->width_source = "PM0075 §2.3.3";
	c->nopts = stm32f1_opt_fields(d, f->opts, FK_ARRAY_SIZE(f->opts));
	c->opts = f->opts;
	c->opt_reg_prefix = "OB_";
	c->ram_base = STM32F1_SRAM_BASE;
	c->ram_size = d->sram_kb * 1024U;
	return FK_OK;
}

/* The flash size register (16 bits, KiB): read once at attach; unreadable, 0 or 0xFFFF means
 * the table's size for the line is assumed. */
static void f1_flash_size(stm32f1drv *f, fk_ctx *ctx)
{
	uint8_t b[2];
	fk_ctx *quiet = fk_ctx_new();
	int rc = quiet ? f->ops->read(f->h, quiet, f->dev->flash_size_reg, b, 2) : FK_E_NOMEM;
	fk_ctx_free(quiet);
	uint16_t kb = rc ? 0 : fk_get_le16(b);
	if (!kb || kb == 0xFFFFU || kb > f->dev->max_kb || (kb * 1024U) % f->dev->page_bytes) {
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "flash size register at 0x%08X %s: assuming "
			      "%u KiB (the largest %s)", f->dev->flash_size_reg,
		       rc ? "unreadable" : "out of range", f->dev->max_kb, f->dev->desc);
		f->flash_kb = f->dev->max_kb;
		f->size_assumed = true;
		return;
	}
	f->flash_kb = kb;
}

static int f1_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		     const char *force_part, void **state)
{
	uint32_t idcode = 0;
	const stm32f1_device *dev = f1_dev_from_ids(ids, &idcode);
	*state = NULL;
	if (force_part) {
		for (unsigned i = 0; stm32f1_dev_at(i); i++)
			if (stm32f1_dev_matches(stm32f1_dev_at(i), force_part))
				dev = stm32f1_dev_at(i);
	}
	if (!dev)
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no STM32F0/F1/F3 device matches the IDs");
	if (path->kind != FK_PATH_MEMORY && !(path->kind == FK_PATH_ROM_STREAM && path->an3155))
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the STM32F0/F1/F3 driver drives the debug "
						      "path and the AN3155 bootloader only",
			       path->t->description);
	stm32f1drv *f = calloc(1, sizeof *f);
	if (!f)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the STM32F1 driver");
	f->dev = dev;
	f->kind = path->kind;
	f->idcode = idcode ? idcode : dev->dev_id;
	f->clone = ids->have_dp && ids->dp_idr == F1_CLONE_DPIDR && dev->dev_id == 0x410;
	int rc = path->kind == FK_PATH_MEMORY
			 ? stm32f1_dbg_open(ctx, dev, path->mem, path->mem_h, &f->ops, &f->h)
			 : stm32f1_boot_adopt(ctx, dev, path->t, path->an3155, &f->ops, &f->h);
	if (rc) {
		free(f);
		return rc;
	}
	if (path->kind == FK_PATH_ROM_STREAM) { /* adopted: its state now lives in the path */
		free(path->an3155);
		path->an3155 = NULL;
	}
	f1_flash_size(f, ctx);
	if (f1_describe_fill(f)) {
		f->ops->close(f->h);
		free(f);
		return fk_fail(ctx, FK_E_NOMEM, "allocating the page table");
	}
	if (f->clone)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "DP IDCODE 0x%08X with DEV_ID 0x410: a clone "
			      "of the STM32F103 (ST parts answer 0x1BA01477); its flash may differ "
			      "from ST's manual", ids->dp_idr);
	*state = f;
	return FK_OK;
}

static void f1_detach(void *state)
{
	stm32f1drv *f = state;
	if (!f)
		return;
	if (f->ops && f->ops->close)
		f->ops->close(f->h);
	free(f->units);
	free(f);
}

static const fk_chip_desc *f1_describe(void *state)
{
	return &((stm32f1drv *)state)->desc;
}

static const char *f1_path_name(void *state)
{
	return ((stm32f1drv *)state)->ops->name;
}

static int f1_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	return stm32f1_inventory(state, ctx, inv);
}

static int f1_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		   fk_plan *plan)
{
	return stm32f1_plan(state, ctx, inv, req, plan);
}

static int f1_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	((stm32f1drv *)state)->prog_opts_valid = false;
	return stm32f1_step(state, ctx, st);
}

/* One program width on this family: half-words (PM0075 §2.3.3), whatever the supply. */
static int f1_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	(void)state;
	(void)stated_mv;
	if (forced >= 0 && forced != 1)
		return fk_fail(ctx, FK_E_USAGE, "--psize: the FPEC programs 16 bits at a time "
						"(PM0075 §2.3.3): only 16 is possible");
	*width = 2;
	return FK_OK;
}

/* Why the pages [first, last] cannot be erased or programmed from this path now, before
 * anything is touched: FK_E_PROTECTED naming the page, its group and the way out. */
static int f1_blocked(stm32f1drv *f, fk_ctx *ctx, const stm32f1_optstate *o, unsigned first,
		      unsigned last, const char *what)
{
	if (o->level >= 1) {
		fk_hint(ctx, "`flashkey unlock --upto rdp --allow-erase-all` regresses to level 0 "
			     "(mass erase); a backup cannot read the flash from the debugger now");
		return fk_fail(ctx, FK_E_PROTECTED, "%s page %u: RDP level %u (FLASH_OBR=0x%08X): "
			       "%s", what, first, o->level, o->obr,
			       f->dev->family == STM32F1_FAM_F1
				   ? "at level 1 the debugger can neither program nor erase pages "
				     "(PM0075 §2.4.1; only a mass erase is allowed)"
				   : "at level 1 program and erase from the debugger set PGERR "
				     "(RM0091 §3.3.1 Table 10)");
	}
	for (unsigned p = first; p <= last; p++) {
		const char *why;
		if (!stm32f1_page_protected(f, o, p, &why))
			continue;
		unsigned bit = stm32f1_dev_wrp_bit(f->dev, p), a, b;
		if (!stm32f1_dev_wrp_range(f->dev, f->flash_kb, bit, &a, &b))
			a = b = p;
		fk_hint(ctx, "`flashkey unlock --upto wrp` removes write protection (no data lost), "
			     "or `flashkey options set wrp=none`");
		return fk_fail(ctx, FK_E_PROTECTED, "%s page %u (0x%08X): write-protected by WRP bit "
			       "%u (FLASH_WRPR=0x%08X, pages %u-%u), PM0075 §2.4.2; nothing was "
			       "erased", what, p, f->units[p].addr, bit, o->wrpr, a, b);
	}
	return FK_OK;
}

/* Erased pages need no erase. Before it programs a half-word the FPEC reads it and programs
 * only if it reads 0xFFFF (PM0075 §2.3.3: it "checks that it has been erased. If not, the
 * program operation is skipped" with PGERR; RM0091 §3.2.2 and RM0316 §4.2 the same on F0/F3),
 * and the ROM bootloader's Write Memory programs through the same FPEC: a page that reads all
 * 0xFF takes an image exactly as a freshly erased one does. Where the path can ask the chip
 * (the bootloader: boot/stm32_stub.c's blank-check code in RAM, one run for the span from the
 * first to the last page of the set) the pages are checked before anything is erased; a page
 * is left alone only when the chip says every word of it reads 0xFFFFFFFF, so a page with one
 * half-word programmed is erased, and a check that fails or is refused (no Go, RDP, options
 * waiting for a reset) erases every page as before. Left-alone pages are programmed and
 * verified like the others. What it costs: one run of the code (about 30 ms of wire at 115200
 * baud and 7 cycles a word, plus the ROM's start-up after the code's reset, 84.59 ms on the F4
 * per AN2606 Table 227) against 20 ms per page erase (DS5319 Table 28, tERASE typical). */
bool stm32f1_erase_needed(int rc, uint8_t dirty)
{
	return rc != FK_OK || dirty != 0;
}

unsigned stm32f1_pages_to_erase(stm32f1drv *f, fk_ctx *ctx, const fk_sector_set *set,
				fk_sector_set *todo)
{
	unsigned n = 0, first = 0, last = 0, spared = 0;
	for (unsigned i = 0; i < f->npages; i++)
		if (fk_sector_set_has(set, i)) {
			fk_sector_set_add(todo, i);
			first = n++ ? first : i;
			last = i;
		}
	if (!n || !f->ops->blank)
		return 0;
	unsigned span = last - first + 1U;
	uint32_t page = f->units[first].size;
	for (unsigned i = first; i <= last; i++) /* one size, back to back: one scan */
		if (f->units[i].size != page || f->units[i].addr != f->units[first].addr +
						  (i - first) * page)
			return 0;
	uint8_t *dirty = calloc(span, 1); /* read below even when the check failed */
	if (!dirty)
		return 0;
	fk_ctx saved = *ctx;
	int rc = f->ops->blank(f->h, ctx, f->units[first].addr, page, span, dirty);
	f->prog_opts_valid = false; /* the code ends in a system reset */
	if (rc) {
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_CHIP, "blank check of pages %u-%u on the chip: %s; "
		       "every page is erased", first, last,
		       rc == FK_E_UNSUPPORTED ? "not available here" : "failed");
		fk_ctx_restore_error(ctx, &saved);
	}
	for (unsigned i = first; i <= last; i++)
		if (fk_sector_set_has(set, i) && !stm32f1_erase_needed(rc, dirty[i - first])) {
			fk_sector_set_del(todo, i);
			spared++;
		}
	if (!rc)
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_CHIP, "%u of %u page(s) already erased (every word "
		       "0xFFFFFFFF, checked on the chip): not erased again", spared, n);
	free(dirty);
	return spared;
}

static int f1_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	stm32f1drv *f = state;
	stm32f1_optstate o;
	f->erase_spared = 0;
	int rc = f->ops->options(f->h, ctx, &o);
	if (rc)
		return rc;
	if (all) {
		if (o.level >= 1 && f->dev->family != STM32F1_FAM_F1)
			return f1_blocked(f, ctx, &o, 0, 0, "mass erase at");
		if (~o.wrpr & ((f->dev->wrp_bits >= 32) ? 0xFFFFFFFFU : (1U << f->dev->wrp_bits) - 1U))
			return f1_blocked(f, ctx, &o, 0, f->npages - 1U, "mass erase at");
		return f->ops->mass_erase(f->h, ctx);
	}
	for (unsigned i = 0; i < f->npages; i++)
		if (fk_sector_set_has(set, i) && (rc = f1_blocked(f, ctx, &o, i, i, "erase")))
			return rc;
	fk_sector_set todo = {0};
	if (fk_sector_set_init(&todo, f->npages))
		return fk_fail(ctx, FK_E_NOMEM, "allocating a page set");
	f->erase_spared = stm32f1_pages_to_erase(f, ctx, set, &todo);
	for (unsigned i = 0; i < f->npages && !rc; i++)
		if (fk_sector_set_has(&todo, i)) {
			rc = f->ops->erase_page(f->h, ctx, f->units[i].addr);
			if (rc)
				rc = fk_fail_wrap(ctx, rc, "erasing page %u at 0x%08X", i,
						  f->units[i].addr);
		}
	fk_sector_set_free(&todo);
	return rc;
}

static unsigned f1_erase_spared(void *state)
{
	return ((const stm32f1drv *)state)->erase_spared;
}

static bool f1_in_flash(const stm32f1drv *f, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len, fend = (uint64_t)STM32F1_FLASH_BASE + f->desc.flash_size;
	return addr >= STM32F1_FLASH_BASE && end <= fend;
}

static int f1_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	stm32f1drv *f = state;
	if (!len)
		return FK_OK;
	if (!f1_in_flash(f, addr, len) || ((addr | len) & 1U))
		return fk_fail(ctx, FK_E_RANGE, "program 0x%08X+%u: not whole half-words of main "
						"flash (0x%08X-0x%08X)", addr, len, STM32F1_FLASH_BASE,
			       STM32F1_FLASH_BASE + f->desc.flash_size - 1U);
	int rc = FK_OK;
	if (!f->prog_opts_valid) {
		rc = f->ops->options(f->h, ctx, &f->prog_opts);
		f->prog_opts_valid = !rc;
	}
	unsigned p0 = (addr - STM32F1_FLASH_BASE) / f->dev->page_bytes;
	unsigned p1 = (addr + len - 1U - STM32F1_FLASH_BASE) / f->dev->page_bytes;
	if (!rc)
		rc = f1_blocked(f, ctx, &f->prog_opts, p0, p1, "program");
	return rc ? rc : f->ops->program(f->h, ctx, addr, buf, len);
}

static int f1_crc32(void *state, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len,
		    unsigned n, uint32_t *crc)
{
	stm32f1drv *f = state;
	f->prog_opts_valid = false;
	if (!f->ops->crc32)
		return FK_E_UNSUPPORTED;
	return f->ops->crc32(f->h, ctx, addr, len, n, crc);
}

static int f1_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	stm32f1drv *f = state;
	uint64_t end = (uint64_t)addr + len;
	bool flash = end > STM32F1_FLASH_BASE &&
		     addr < (uint64_t)STM32F1_FLASH_BASE + f->desc.flash_size;
	if (flash) {
		stm32f1_optstate o;
		int rc = f->ops->options(f->h, ctx, &o);
		if (rc)
			return rc;
		if (o.level >= 1) {
			fk_hint(ctx, "`flashkey unlock --upto rdp --allow-erase-all` regresses to "
				     "level 0, which erases everything first: the contents cannot "
				     "be recovered from the debugger");
			return fk_fail(ctx, FK_E_PROTECTED, "reading 0x%08X: main flash is "
							    "unreadable from the %s at RDP level %u "
							    "(FLASH_OBR=0x%08X; %s)",
				       addr, f->ops->name, o.level, o.obr,
				       f->dev->family == STM32F1_FAM_F1 ? "PM0075 §2.4.1"
									: "RM0091 §3.3.1");
		}
	}
	return f->ops->read(f->h, ctx, addr, buf, len);
}

static void f1_relock(void *state, fk_ctx *ctx)
{
	stm32f1drv *f = state;
	f->prog_opts_valid = false;
	if (f->ops->lock) /* the bootloader relocks by itself */
		(void)f->ops->lock(f->h, ctx);
}

static int f1_reset_check(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	(void)state;
	(void)kind;
	(void)ctx;
	return FK_OK;
}

/* A system reset makes the stored option bytes effective on all three lines: the F1 loads
 * them at every reset (PM0075 §2.5), the F0/F3 only on OBL_LAUNCH, which resets too (RM0091
 * §3.5.5), so that is the system reset used there. */
static int f1_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	stm32f1drv *f = state;
	f->prog_opts_valid = false;
	return f->ops->reset(f->h, ctx, kind, true);
}

static int f1_run(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		  size_t how_len, bool *gone)
{
	stm32f1drv *f = state;
	f->prog_opts_valid = false;
	*gone = false;
	if (!f->ops->run)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s path cannot start code", f->ops->name);
	return f->ops->run(f->h, ctx, addr, reset_mode, dry, how, how_len);
}

/* ARMv6-M/ARMv7-M §B1.5.3: word 0 the initial SP (in SRAM, word-aligned, may be its end),
 * word 1 the reset vector (Thumb bit set, in flash or SRAM). */
static fk_vec_verdict f1_vector_check(void *state, uint32_t sp, uint32_t reset, char *why,
				      size_t n)
{
	stm32f1drv *f = state;
	uint32_t sram = f->dev->sram_kb * 1024U, flash = f->desc.flash_size;
	char tmp[8];
	if (!why || !n) {
		why = tmp;
		n = sizeof tmp;
	}
	why[0] = '\0';
	if (sp == 0xFFFFFFFFU && reset == 0xFFFFFFFFU) {
		fk_strlcpy(why, "both words read 0xFFFFFFFF: the flash there is erased", n);
		return FK_VEC_ERASED;
	}
	if ((sp & 3U) || sp <= STM32F1_SRAM_BASE || sp > STM32F1_SRAM_BASE + sram) {
		snprintf(why, n, "initial SP 0x%08X is not a word-aligned stack address in SRAM "
			 "(0x%08X-0x%08X)", sp, STM32F1_SRAM_BASE + 4U, STM32F1_SRAM_BASE + sram);
		return FK_VEC_BAD;
	}
	uint32_t pc = reset & ~1U;
	bool in_flash = pc >= STM32F1_FLASH_BASE && pc - STM32F1_FLASH_BASE < flash;
	bool in_sram = pc >= STM32F1_SRAM_BASE && pc - STM32F1_SRAM_BASE < sram;
	if (!(reset & 1U) || (!in_flash && !in_sram)) {
		snprintf(why, n, "reset vector 0x%08X is not a Thumb address (bit 0 set) inside "
			 "flash (0x%08X-0x%08X) or SRAM (0x%08X-0x%08X)", reset, STM32F1_FLASH_BASE,
			 STM32F1_FLASH_BASE + flash - 1U, STM32F1_SRAM_BASE,
			 STM32F1_SRAM_BASE + sram - 1U);
		return FK_VEC_BAD;
	}
	return FK_VEC_OK;
}

static uint64_t f1_virtual_ns(void *state)
{
	stm32f1drv *f = state;
	return f->ops->virtual_ns ? f->ops->virtual_ns(f->h) : 0;
}

/* The 16 option bytes as stored (value/complement pairs), recorded at 0x1FFFF800. */
static int f1_backup_options(void *state, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *len,
			     uint32_t *addr)
{
	stm32f1drv *f = state;
	stm32f1_optstate o;
	if (cap < STM32F1_OPTBYTES_LEN)
		return fk_fail(ctx, FK_E_INTERNAL, "option backup buffer of %zu bytes", cap);
	int rc = f->ops->options(f->h, ctx, &o);
	if (rc)
		return rc;
	if (!o.raw_valid)
		return fk_fail(ctx, FK_E_PROTECTED, "the option bytes at 0x%08X do not read on the "
						    "%s path", STM32F1_OPTBYTES, f->ops->name);
	memcpy(buf, o.raw, STM32F1_OPTBYTES_LEN);
	*len = STM32F1_OPTBYTES_LEN;
	*addr = STM32F1_OPTBYTES;
	return FK_OK;
}

const fk_chip_driver stm32f1_chip_driver = {
	.family = "stm32f1",
	.summary = "stm32f1 (STM32F0/F1/F3 FPEC: F103x8/xB, F103xC-xE, F030x8/F05x, F07x, "
		   "F302/F303xB/C; PM0075, RM0091, RM0316)",
	.paths = FK_PATH_BIT(FK_PATH_MEMORY) | FK_PATH_BIT(FK_PATH_ROM_STREAM),
	.id_regs = f1_id_regs,
	.nid_regs = FK_ARRAY_SIZE(f1_id_regs),
	.owns_name = f1_owns_name,
	.match = f1_match,
	.part_is = f1_part_is,
	.attach = f1_attach,
	.detach = f1_detach,
	.describe = f1_describe,
	.path_name = f1_path_name,
	.inventory = f1_inventory,
	.plan = f1_plan,
	.step = f1_step,
	.set_supply = f1_set_supply,
	.erase = f1_erase,
	.erase_spared = f1_erase_spared,
	.program = f1_program,
	.read = f1_read,
	.crc32 = f1_crc32,
	.relock = f1_relock,
	.reset = f1_reset,
	.reset_check = f1_reset_check,
	.run = f1_run,
	.vector_check = f1_vector_check,
	.virtual_ns = f1_virtual_ns,
	.backup_options = f1_backup_options,
};
