/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 behind the chip-driver interface (lib/chip/driver.h): identification from the IDs the
 * path collected (DBGMCU_IDCODE at 0xE0042000, RM0090 §38.6.1, with CPUID telling rev-A F405/407
 * from F2; the AN3155 Get ID product ID), attach over the debug or the bootloader path, and the
 * operations as calls into the family logic (stm32f4.c), which keeps its stm32f4_* API.
 * Sources: RM0090 Rev 21 §2.3 (memory map), §3.3-§3.9, §38.6.1; AN3155; AN2606 §4.3. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot/stm32_usart.h"
#include "chip/driver.h"
#include "chip/stm32f4.h"
#include "chip/stm32f4_boot.h"
#include "core/core.h"

typedef struct f4drv {
	stm32f4 d; /* first: stm32f4_driver_state */
	fk_path_kind kind;
	fk_chip_desc desc;
	fk_erase_unit units[STM32F4_MAX_SECTORS];
	fk_chip_area areas[5];
	fk_opt_field opts[10]; /* the schema keys this part has (f4_opts filtered) */
} f4drv;

stm32f4 *stm32f4_driver_state(void *state)
{
	return &((f4drv *)state)->d;
}

static const fk_chip_id_reg f4_id_regs[] = {
	{"DBGMCU_IDCODE", STM32F4_DBGMCU_IDCODE},
	{"CPUID", STM32F4_CPUID},
};

/* RM0090 §3.6.2 Table 13: the parallelism each supply range allows (x64 needs VPP). */
static const fk_width_row f4_widths[] = {
	{1800, 1, "1.8 V", false, NULL, NULL, NULL},
	{2100, 2, "2.1 V", false, NULL, NULL, NULL},
	{2700, 4, "2.7 V", false, NULL, NULL, NULL},
	{2700, 8, "2.7 V and 8-9 V on VPP", true, "VPP", "8-9 V", "at most an hour"},
};

/* The keys stm32f4_opt_apply takes (RM0090 §3.9.10-§3.9.11). */
static const fk_opt_field f4_opts[] = {
	{"rdp", "0|1|2", "read-out protection level (OPTCR.RDP; 2 is permanent)", true},
	{"bor", "off|1|2|3", "brown-out reset threshold (OPTCR.BOR_LEV)", false},
	{"wdg", "sw|hw", "independent watchdog started by software or hardware (OPTCR.WDG_SW)",
	 false},
	{"nrst_stop", "0|1", "reset when entering Stop mode: 0 = reset (OPTCR.nRST_STOP)", false},
	{"nrst_stdby", "0|1", "reset when entering Standby: 0 = reset (OPTCR.nRST_STDBY)", false},
	{"wrp", "none|all|LIST", "write-protected sectors, e.g. 0,1,5-7 (nWRP bits)", false},
	{"pcrop", "none|all|LIST", "PCROP sectors, execute-only (nWRP bits with SPRMOD=1, RM0090 "
				   "§3.7.5)", false},
	{"sprmod", "0|1", "nWRP bits select PCROP instead of WRP (OPTCR.SPRMOD; F42x/F43x/F401/"
			  "F411/F446)", false},
	{"db1m", "0|1", "1 MB parts: dual bank (OPTCR.DB1M)", false},
	{"bfb2", "0|1", "boot from bank 2 (OPTCR.BFB2)", false},
};

/* DEV_ID from the IDs: DBGMCU_IDCODE on a memory path (0x411 with a Cortex-M4 CPUID is a rev-A
 * F405/407, RM0090 §38.6.1 errata), the product ID on the bootloader. */
static const stm32f4_device *f4_dev_from_ids(const fk_chip_ids *ids)
{
	uint32_t idcode, cpuid;
	if (ids->path == FK_PATH_ROM_STREAM)
		return ids->have_boot_pid ? stm32f4_dev_find(ids->boot_pid) : NULL;
	if (!fk_chip_ids_word(ids, STM32F4_DBGMCU_IDCODE, &idcode))
		return NULL;
	uint16_t dev = (uint16_t)(idcode & 0xFFFU);
	if (dev == 0x411 && fk_chip_ids_word(ids, STM32F4_CPUID, &cpuid) &&
	    ((cpuid >> 4) & 0xFFFU) == 0xC24)
		dev = 0x413;
	return stm32f4_dev_find(dev);
}

static bool f4_owns_name(const char *name)
{
	if (strcasecmp(name, "stm32f4") == 0)
		return true;
	for (unsigned i = 0; stm32f4_dev_at(i); i++)
		if (stm32f4_dev_matches(stm32f4_dev_at(i), name))
			return true;
	return false;
}

static bool f4_match(const fk_chip_ids *ids, char *part, size_t n)
{
	const stm32f4_device *dev = f4_dev_from_ids(ids);
	if (dev)
		fk_strlcpy(part, dev->name, n);
	return dev != NULL;
}

static bool f4_part_is(const fk_chip_ids *ids, const char *name)
{
	const stm32f4_device *dev = f4_dev_from_ids(ids);
	return dev && stm32f4_dev_matches(dev, name);
}

static void f4_describe_fill(f4drv *f)
{
	const stm32f4 *d = &f->d;
	fk_chip_desc *c = &f->desc;
	uint16_t rev = (uint16_t)(d->idcode >> 16);
	c->family = "stm32f4";
	c->part = d->dev->name;
	c->members = d->dev->members;
	c->manual = d->dev->manual;
	c->dev_id = (uint16_t)(d->idcode & 0xFFFU);
	c->rev_id = rev;
	c->revision = stm32f4_dev_revision(d->dev, rev);
	c->flash_base = STM32F4_FLASH_BASE;
	c->flash_size = d->flash_kb * 1024U;
	c->flash_size_assumed = d->size_assumed;
	c->nunits = d->nsectors;
	for (unsigned i = 0; i < d->nsectors; i++)
		f->units[i] = (fk_erase_unit){d->sectors[i].number, d->sectors[i].addr,
					      d->sectors[i].size, d->sectors[i].bank};
	c->units = f->units;
	/* RM0090 §3.3 Table 5 and §3.7.1: option bytes of both banks, OTP, its lock bytes, ROM */
	f->areas[0] = (fk_chip_area){"option bytes", FK_AREA_OPTIONS, STM32F4_OPTBYTES_BANK1,
				     STM32F4_OPTBYTES_LEN};
	f->areas[1] = (fk_chip_area){"option bytes", FK_AREA_OPTIONS, STM32F4_OPTBYTES_BANK2,
				     STM32F4_OPTBYTES_LEN};
	f->areas[2] = (fk_chip_area){"OTP", FK_AREA_OTP, STM32F4_OTP_BASE,
				     STM32F4_OTP_LOCK_BASE - STM32F4_OTP_BASE};
	f->areas[3] = (fk_chip_area){"OTP", FK_AREA_OTP_LOCK, STM32F4_OTP_LOCK_BASE,
				     STM32F4_OTP_END - STM32F4_OTP_LOCK_BASE};
	f->areas[4] = (fk_chip_area){"system memory", FK_AREA_SYSTEM, STM32F4_SYSMEM_BASE,
				     STM32F4_OTP_BASE - STM32F4_SYSMEM_BASE};
	c->nareas = FK_ARRAY_SIZE(f->areas);
	c->areas = f->areas;
	c->mass_erase_how = "FLASH_CR.MER";     /* RM0090 §3.6.3 */
	c->program_source = "RM0090 §3.6";
	c->rdp_source = "RM0090 §3.7.3 Table 18";
	c->option_base = STM32F4_OPTBYTES_BANK1;
	c->option_reg = "FLASH_OPTCR 0x40023C14";
	c->otp = (fk_otp_desc){STM32F4_OTP_BLOCKS,    STM32F4_OTP_BLOCK_SIZE, STM32F4_OTP_BASE,
			       STM32F4_OTP_LOCK_BASE, FK_OTP_LOCK_BYTE,       0xFF,
			       "RM0090 §3.8",         "LOCKB"};
	c->nwidths = FK_ARRAY_SIZE(f4_widths);
	c->widths = f4_widths;
	c->width_source = "RM0090 §3.6.2 Table 13";
	/* the keys of bits this line has (RM0090 §3.9.10; RM0368/RM0383/RM0390 for SPRMOD) */
	c->nopts = 0;
	for (unsigned i = 0; i < FK_ARRAY_SIZE(f4_opts) && i < FK_ARRAY_SIZE(f->opts); i++) {
		const char *k = f4_opts[i].key;
		if (((!strcmp(k, "sprmod") || !strcmp(k, "pcrop")) && !d->dev->has_sprmod) ||
		    (!strcmp(k, "db1m") && !d->dev->has_db1m) || (!strcmp(k, "bfb2") && !d->dev->has_bfb2))
			continue;
		f->opts[c->nopts++] = f4_opts[i];
	}
	c->opts = f->opts;
	c->opt_reg_prefix = "FLASH_OPTCR";
	c->ram_base = STM32F4_SRAM_BASE;
	c->ram_size = d->dev->sram_kb * 1024U;
}

static int f4_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		     const char *force_part, void **state)
{
	(void)ids; /* the path's idcode operation reads them again as the family logic wants */
	const stm32f4_path_ops *ops = NULL;
	void *h = NULL;
	int rc;
	*state = NULL;
	f4drv *f = calloc(1, sizeof *f);
	if (!f)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the STM32F4 driver");
	if (path->kind == FK_PATH_MEMORY) {
		rc = stm32f4_dbg_open(ctx, path->mem, path->mem_h, &ops, &h);
	} else if (path->kind == FK_PATH_ROM_STREAM && path->an3155) {
		rc = stm32f4_boot_adopt(ctx, path->t, path->an3155, &ops, &h);
		if (!rc) {
			free(path->an3155); /* its state now lives in the path handle */
			path->an3155 = NULL;
		}
	} else {
		rc = fk_fail(ctx, FK_E_UNSUPPORTED, "%s: no STM32F4 access path for this connection",
			     path->t->description);
	}
	if (rc) {
		free(f);
		return rc;
	}
	rc = stm32f4_attach_as(&f->d, ctx, ops, h, force_part);
	if (rc) {
		if (ops->close)
			ops->close(h);
		free(f);
		return rc;
	}
	f->kind = path->kind;
	f4_describe_fill(f);
	*state = f;
	return FK_OK;
}

static void f4_detach(void *state)
{
	f4drv *f = state;
	if (!f)
		return;
	if (f->d.ops && f->d.ops->close)
		f->d.ops->close(f->d.h);
	free(f);
}

static const fk_chip_desc *f4_describe(void *state)
{
	return &((f4drv *)state)->desc;
}

static const char *f4_path_name(void *state)
{
	return ((f4drv *)state)->d.ops->name;
}

static int f4_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	return stm32f4_inventory(&((f4drv *)state)->d, ctx, inv);
}

static void f4_optwords(const fk_inventory *inv, uint32_t *optcr, uint32_t *optcr1)
{
	*optcr = *optcr1 = 0;
	for (unsigned i = 0; i < inv->nregs; i++) {
		if (strcmp(inv->regs[i].name, "FLASH_OPTCR") == 0)
			*optcr = inv->regs[i].value;
		if (strcmp(inv->regs[i].name, "FLASH_OPTCR1") == 0)
			*optcr1 = inv->regs[i].value;
	}
}

static int f4_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		   fk_plan *plan)
{
	f4drv *f = state;
	if (req->kind != FK_CHANGE_UNLOCK)
		return stm32f4_plan_change(&f->d, ctx, req, plan);
	uint32_t optcr, optcr1;
	stm32f4_ladder_build(inv, req->upto, plan);
	f4_optwords(inv, &optcr, &optcr1);
	stm32f4_plan_values(f->d.dev, optcr, optcr1, plan);
	return FK_OK;
}

static int f4_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	return stm32f4_step_run(&((f4drv *)state)->d, ctx, st);
}

/* A supply the path measures wins over what the user states: a --voltage that would choose
 * another width, or a forced --psize above what the measured supply sustains (RM0090 §3.6.2
 * Table 13), is refused with both numbers before anything is written (issue 13 class 11). A
 * stated supply is used only where nothing is measured (the ROM bootloader path). */
static int f4_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	stm32f4 *d = &((f4drv *)state)->d;
	if (forced > 3)
		return fk_fail(ctx, FK_E_USAGE, "--psize: expected 8, 16, 32 or 64");
	int measured = d->ops->voltage_mv ? d->ops->voltage_mv(d->h, ctx) : -1;
	stm32f4_psize fit = stm32f4_psize_for_mv(measured, false);
	if (measured > 0 && stated_mv > 0 && stm32f4_psize_for_mv(stated_mv, false) != fit) {
		fk_hint(ctx, "drop --voltage: flashkey programs x%u, what the measured %d.%02d V "
			     "allows; check the target supply if you expected %d.%02d V",
			stm32f4_psize_bytes(fit) * 8, measured / 1000, measured % 1000 / 10,
			stated_mv / 1000, stated_mv % 1000 / 10);
		return fk_fail(ctx, FK_E_USAGE, "--voltage %d.%02d V contradicts the supply measured on "
						"the target, %d.%02d V (RM0090 §3.6.2 Table 13); "
						"refused, nothing was written",
			       stated_mv / 1000, stated_mv % 1000 / 10, measured / 1000,
			       measured % 1000 / 10);
	}
	/* x64 needs VPP, which no path measures: taken on trust with the CLI's warning */
	if (measured > 0 && forced >= 0 && forced < 3 && (stm32f4_psize)forced > fit) {
		fk_hint(ctx, "drop --psize: flashkey then programs x%u, what the measured supply allows",
			stm32f4_psize_bytes(fit) * 8);
		return fk_fail(ctx, FK_E_USAGE, "--psize %u needs a higher supply than the %d.%02d V "
						"measured on the target (RM0090 §3.6.2 Table 13); "
						"refused, nothing was written",
			       8U << forced, measured / 1000, measured % 1000 / 10);
	}
	if (forced >= 0) {
		d->psize = (stm32f4_psize)forced;
	} else {
		int mv = measured > 0 ? measured : stated_mv > 0 ? stated_mv : -1;
		d->psize = stm32f4_psize_for_mv(mv, false);
		if (mv < 0)
			fk_log(ctx, FK_LOG_INFO, FK_TRACE_FLASH, "supply voltage unknown: programming "
								 "x8 (give --voltage 3.3 for x32)");
	}
	*width = stm32f4_psize_bytes(d->psize);
	return FK_OK;
}

static int f4_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	stm32f4 *d = &((f4drv *)state)->d;
	if (all)
		return stm32f4_mass_erase(d, ctx);
	uint64_t mask = 0;
	for (unsigned i = 0; i < d->nsectors; i++)
		if (fk_sector_set_has(set, i))
			mask |= 1ULL << i;
	return stm32f4_erase_sectors(d, ctx, mask);
}

static int f4_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	return stm32f4_program(&((f4drv *)state)->d, ctx, addr, buf, len);
}

static int f4_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	return stm32f4_read(&((f4drv *)state)->d, ctx, addr, buf, len);
}

static int f4_crc32(void *state, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len,
		    unsigned n, uint32_t *crc)
{
	return stm32f4_crc32(&((f4drv *)state)->d, ctx, addr, len, n, crc);
}

/* FLASH_CR.LOCK and OPTLOCK set again, as after a reset (RM0090 §3.6.1). */
static void f4_relock(void *state, fk_ctx *ctx)
{
	stm32f4 *d = &((f4drv *)state)->d;
	if (d->ops->lock)
		(void)d->ops->lock(d->h, ctx);
}

static int f4_reset_check(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	stm32f4 *d = &((f4drv *)state)->d;
	(void)kind;
	if (!d->ops->reset)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s path cannot reset the target",
			       d->ops->name);
	return FK_OK;
}

static int f4_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	stm32f4 *d = &((f4drv *)state)->d;
	int rc = f4_reset_check(state, ctx, kind);
	return rc ? rc : d->ops->reset(d->h, ctx, kind);
}

static int f4_run(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		  size_t how_len, bool *gone)
{
	f4drv *f = state;
	*gone = false;
	if (!f->d.ops->run)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s path cannot start code", f->d.ops->name);
	int rc = f->d.ops->run(f->d.h, ctx, addr, reset_mode, dry, how, how_len);
	*gone = !rc && !dry && f->kind == FK_PATH_ROM_STREAM; /* Go hands the chip over */
	return rc;
}

static fk_vec_verdict f4_vector_check(void *state, uint32_t sp, uint32_t reset, char *why,
				     size_t n)
{
	const stm32f4 *d = &((f4drv *)state)->d;
	stm32f4_vec_verdict v = stm32f4_vector_check(d->dev, d->flash_kb * 1024U, sp, reset, why, n);
	return v == STM32F4_VEC_OK ? FK_VEC_OK : v == STM32F4_VEC_ERASED ? FK_VEC_ERASED : FK_VEC_BAD;
}

static uint64_t f4_virtual_ns(void *state)
{
	stm32f4 *d = &((f4drv *)state)->d;
	return d->ops->virtual_ns ? d->ops->virtual_ns(d->h) : 0;
}

/* OPTCR then OPTCR1, little-endian, recorded at FLASH_OPTCR's address (backup options.bin). */
static int f4_backup_options(void *state, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *len,
			     uint32_t *addr)
{
	uint32_t optcr, optcr1;
	if (cap < 8)
		return fk_fail(ctx, FK_E_INTERNAL, "option backup buffer of %zu bytes", cap);
	int rc = stm32f4_options_read(&((f4drv *)state)->d, ctx, &optcr, &optcr1);
	if (rc)
		return rc;
	fk_put_le32(buf, optcr);
	fk_put_le32(buf + 4, optcr1);
	*len = 8;
	*addr = STM32F4_FLASH_OPTCR;
	return FK_OK;
}

const fk_chip_driver stm32f4_chip_driver = {
	.family = "stm32f4",
	.summary = "stm32f4 (STM32F401/405/407/410/411/412/413/415/417/427/429/437/439/446/469/479, "
		   "RM0090 and its siblings)",
	.paths = FK_PATH_BIT(FK_PATH_MEMORY) | FK_PATH_BIT(FK_PATH_ROM_STREAM),
	.id_regs = f4_id_regs,
	.nid_regs = FK_ARRAY_SIZE(f4_id_regs),
	.owns_name = f4_owns_name,
	.match = f4_match,
	.part_is = f4_part_is,
	.attach = f4_attach,
	.detach = f4_detach,
	.describe = f4_describe,
	.path_name = f4_path_name,
	.inventory = f4_inventory,
	.plan = f4_plan,
	.step = f4_step,
	.set_supply = f4_set_supply,
	.erase = f4_erase,
	.program = f4_program,
	.read = f4_read,
	.crc32 = f4_crc32,
	.relock = f4_relock,
	.reset = f4_reset,
	.reset_check = f4_reset_check,
	.run = f4_run,
	.vector_check = f4_vector_check,
	.virtual_ns = f4_virtual_ns,
	.backup_options = f4_backup_options,
};
