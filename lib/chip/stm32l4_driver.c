/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4 (the FLASH_OPTR family) behind the chip-driver interface
 * (lib/chip/driver.h): identification from the IDs the path collected, attach, the
 * description (2 KiB pages per bank as erase units, option words and OTP as protected areas,
 * the options schema), erase / program by double words / read with protection reported before
 * anything is erased, and the ECC error of a torn double word reported with its address.
 *
 * Sources: RM0351 §48.6.1 / RM0440 §46.6.1 (DBGMCU_IDCODE at 0xE0042000: DEV_ID [11:0], REV_ID
 * [31:16]), RM0444 §40.4.1 (G0: at 0x40015800); flash size register 0x1FFF75E0 (KiB, 16 bit);
 * ARMv7-M / ARMv6-M ARM §B3.2.3 (CPUID PARTNO 0xC24 Cortex-M4, 0xC60 Cortex-M0+); RM0351
 * §3.3.1 (bank 2 from 0x08080000 on the 1 MiB L47x; pages numbered from 0 in each bank), §3.3.3
 * (ECC: ECCD with the failing double word's address in FLASH_ECCR), §3.5 (what protection
 * refuses). The debug path drives the controller (stm32l4_dbg.c), the bootloader path lets the
 * ROM do it (stm32l4_boot.c, AN3155). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot/stm32_usart.h"
#include "chip/stm32l4_fam.h"
#include "core/core.h"

static const fk_chip_id_reg l4_id_regs[] = {
	{"DBGMCU_IDCODE", STM32L4_DBGMCU_L4},
	{"DBGMCU_IDCODE", STM32L4_DBGMCU_G0},
	{"CPUID", STM32L4_CPUID},
};

static const stm32l4_device *l4_dev_from_ids(const fk_chip_ids *ids, uint32_t *idcode)
{
	uint32_t v, cpuid;
	*idcode = 0;
	if (ids->path == FK_PATH_ROM_STREAM)
		return ids->have_boot_pid ? stm32l4_dev_find(ids->boot_pid) : NULL;
	bool have_cpu = fk_chip_ids_word(ids, STM32L4_CPUID, &cpuid);
	const uint32_t addrs[2] = {STM32L4_DBGMCU_L4, STM32L4_DBGMCU_G0};
	for (unsigned i = 0; i < 2; i++) {
		if (!fk_chip_ids_word(ids, addrs[i], &v))
			continue;
		const stm32l4_device *d = stm32l4_dev_find((uint16_t)(v & 0xFFFU));
		if (!d || d->idcode_addr != addrs[i])
			continue;
		if (have_cpu && ((cpuid >> 4) & 0xFFFU) != d->cpu_part)
			continue;
		*idcode = v;
		return d;
	}
	return NULL;
}

static bool l4_owns_name(const char *name)
{
	static const char *const fams[] = {"stm32l4", "stm32g0", "stm32g4"};
	for (unsigned i = 0; i < FK_ARRAY_SIZE(fams); i++)
		if (strcasecmp(name, fams[i]) == 0)
			return true;
	for (unsigned i = 0; stm32l4_dev_at(i); i++)
		if (stm32l4_dev_matches(stm32l4_dev_at(i), name))
			return true;
	return false;
}

static bool l4_match(const fk_chip_ids *ids, char *part, size_t n)
{
	uint32_t idcode;
	const stm32l4_device *d = l4_dev_from_ids(ids, &idcode);
	if (d)
		fk_strlcpy(part, d->name, n);
	return d != NULL;
}

static bool l4_part_is(const fk_chip_ids *ids, const char *name)
{
	uint32_t idcode;
	const stm32l4_device *d = l4_dev_from_ids(ids, &idcode);
	if (!d)
		return false;
	if (strcasecmp(name, "stm32l4") == 0)
		return d->kind == STM32L4_KIND_L4;
	if (strcasecmp(name, "stm32g0") == 0)
		return d->kind == STM32L4_KIND_G0;
	if (strcasecmp(name, "stm32g4") == 0)
		return d->kind == STM32L4_KIND_G4;
	return stm32l4_dev_matches(d, name);
}

/* REV_ID -> revision (OpenOCD stm32l4x.c revision tables as in stm32-optr.md §5). */
static const char *l4_revision(const stm32l4_device *d, uint16_t rev)
{
	if (d->dev_id == 0x415)
		return rev == 0x1000 ? "1" : rev == 0x1001 ? "2" : rev == 0x1003 ? "3"
				       : rev == 0x1007 ? "4" : "?";
	if (d->dev_id == 0x435)
		return rev == 0x1000 ? "A" : rev == 0x1001 ? "Z" : rev == 0x2001 ? "Y" : "?";
	if (d->dev_id == 0x460)
		return rev == 0x1000 ? "A" : rev == 0x2000 ? "B" : "?";
	if (d->dev_id == 0x468)
		return rev == 0x1000 ? "A" : rev == 0x2000 ? "Y" : rev == 0x2001 ? "Z" : "?";
	return "?";
}

static int l4_describe_fill(stm32l4drv *f)
{
	const stm32l4_device *d = f->dev;
	fk_chip_desc *c = &f->desc;
	uint32_t size = f->flash_kb * 1024U;
	f->dual = d->dual_bank;
	f->npages = size / d->page_bytes;
	f->units = calloc(f->npages ? f->npages : 1, sizeof *f->units);
	f->fresh = calloc(f->npages ? f->npages : 1, 1);
	if (!f->units || !f->fresh)
		return FK_E_NOMEM;
	/* pages numbered across the banks (as OpenOCD's sectors); PNB is the number within the
	 * bank BKER selects (§3.3.6) */
	unsigned ppb = f->dual ? f->npages / 2U : f->npages;
	for (unsigned i = 0; i < f->npages; i++)
		f->units[i] = (fk_erase_unit){i, STM32L4_FLASH_BASE + i * d->page_bytes,
					      d->page_bytes, (uint8_t)(i / ppb)};
	uint16_t rev = (uint16_t)(f->idcode >> 16);
	fk_strlcpy(f->part, d->name, sizeof f->part);
	c->family = "stm32l4";
	c->part = f->part;
	c->members = d->members;
	c->manual = d->manual;
	c->revision = l4_revision(d, rev);
	c->dev_id = d->dev_id;
	c->rev_id = rev;
	c->flash_base = STM32L4_FLASH_BASE;
	c->flash_size = size;
	c->flash_size_assumed = f->size_assumed;
	c->nunits = f->npages;
	c->units = f->units;
	/* §3.4.1: option words of bank 1 at 0x1FFF7800, of bank 2 at 0x1FFFF800 (L47x); OTP at
	 * 0x1FFF7000 (1 KiB); system memory from 0x1FFF0000 */
	f->areas[0] = (fk_chip_area){"option bytes", FK_AREA_OPTIONS, STM32L4_OPT_AREA, 0x800U};
	f->areas[1] = (fk_chip_area){"OTP", FK_AREA_OTP, STM32L4_OTP_BASE, 0x400U};
	f->areas[2] = (fk_chip_area){"system memory", FK_AREA_SYSTEM, STM32L4_SYSMEM, 0x7000U};
	c->nareas = FK_ARRAY_SIZE(f->areas);
	c->areas = f->areas;
	c->option_base = STM32L4_OPT_AREA;
	c->option_reg = "FLASH_OPTR 0x40022020";
	c->otp = (fk_otp_desc){0};
	c->nwidths = 0; /* one width: double words (§3.3.7) */
	c->widths = NULL;
	c->width_source = d->kind == STM32L4_KIND_G4 ? "RM0440 §5.3.7"
			  : d->kind == STM32L4_KIND_G0 ? "RM0444 §3.3.7" : "RM0351 §3.3.7";
	c->nopts = stm32l4_opt_fields(f, f->opts, FK_ARRAY_SIZE(f->opts));
	c->opts = f->opts;
	c->opt_reg_prefix = "FLASH_";
	c->ram_base = STM32L4_SRAM_BASE;
	c->ram_size = d->sram_kb * 1024U;
	c->mass_erase_how = f->dual ? "FLASH_CR.MER1|MER2" : "FLASH_CR.MER1";
	c->program_source = c->width_source;
	return FK_OK;
}

static void l4_flash_size(stm32l4drv *f, fk_ctx *ctx)
{
	uint8_t b[2];
	fk_ctx *quiet = fk_ctx_new();
	int rc = !quiet ? FK_E_NOMEM
		 : f->bl ? an3155_read((f->bl->ctx = quiet, f->bl), STM32L4_FLASH_SIZE_REG, b, 2)
			 : f->mem->read(f->h, quiet, STM32L4_FLASH_SIZE_REG, b, 2, 2);
	fk_ctx_free(quiet);
	uint16_t kb = rc ? 0 : fk_get_le16(b);
	if (!kb || kb == 0xFFFFU || kb > f->dev->max_kb || (kb * 1024U) % (2U * f->dev->page_bytes)) {
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "flash size register at 0x%08X %s: assuming "
			      "%u KiB (the largest %s)", STM32L4_FLASH_SIZE_REG,
		       rc ? "unreadable" : "out of range", f->dev->max_kb, f->dev->desc);
		f->flash_kb = f->dev->max_kb;
		f->size_assumed = true;
		return;
	}
	f->flash_kb = kb;
}

static int l4_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		     const char *force_part, void **state)
{
	uint32_t idcode = 0;
	const stm32l4_device *dev = l4_dev_from_ids(ids, &idcode);
	*state = NULL;
	if (force_part)
		for (unsigned i = 0; stm32l4_dev_at(i); i++)
			if (stm32l4_dev_matches(stm32l4_dev_at(i), force_part))
				dev = stm32l4_dev_at(i);
	if (!dev)
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "no STM32L4/G0/G4 device matches the IDs");
	bool boot = path->kind == FK_PATH_ROM_STREAM;
	if (!(path->kind == FK_PATH_MEMORY || (boot && path->an3155)))
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the STM32L4/G0/G4 driver drives the debug "
						      "path and the AN3155 bootloader only",
			       path->t->description);
	stm32l4drv *f = calloc(1, sizeof *f);
	if (!f)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the STM32L4 driver");
	f->dev = dev;
	if (boot) {
		/* the client is ours from now on (driver.h: closed in detach) */
		f->bl = path->an3155;
		path->an3155 = NULL;
		f->bl_vns = ((const fk_stream_ops *)path->t->ops)->virtual_ns;
		f->bl_stream_h = path->t->handle;
	} else {
		f->mem = path->mem;
		f->h = path->mem_h;
	}
	/* the bootloader's Get ID gives DEV_ID only: REV_ID is not visible on that path */
	f->idcode = idcode ? idcode : dev->dev_id;
	l4_flash_size(f, ctx);
	if (l4_describe_fill(f)) {
		stm32l4_boot_close(f);
		free(f->units);
		free(f->fresh);
		free(f);
		return fk_fail(ctx, FK_E_NOMEM, "allocating the page table");
	}
	*state = f;
	return FK_OK;
}

static void l4_detach(void *state)
{
	stm32l4drv *f = state;
	if (!f)
		return;
	stm32l4_boot_close(f);
	free(f->units);
	free(f->fresh);
	free(f);
}

static const fk_chip_desc *l4_describe(void *state) { return &((stm32l4drv *)state)->desc; }
static const char *l4_path_name(void *state)
{
	return ((stm32l4drv *)state)->bl ? "bootloader" : "debug";
}

static int l4_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	return stm32l4_inventory(state, ctx, inv);
}

static int l4_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		   fk_plan *plan)
{
	return stm32l4_plan(state, ctx, inv, req, plan);
}

static int l4_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	return stm32l4_step(state, ctx, st);
}

/* One width on this family: 64-bit double words (§3.3.7), whatever the supply. */
static int l4_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	stm32l4drv *f = state;
	(void)stated_mv;
	if (forced >= 0 && forced != 3)
		return fk_fail(ctx, FK_E_USAGE, "--psize: the %s programs 64 bits at a time (%s): "
						"only 64 is possible", f->dev->desc,
			       f->desc.width_source);
	*width = 8;
	return FK_OK;
}

/* Why [lo, hi) cannot be erased or programmed from the debugger now, before anything is
 * touched: FK_E_PROTECTED naming the register, the area and the way out. */
static int l4_blocked(stm32l4drv *f, fk_ctx *ctx, const stm32l4_optstate *o, uint32_t lo,
		      uint32_t hi, const char *what)
{
	char sec[32];
	if (o->level >= 1) {
		fk_hint(ctx, o->level == 2 ? "RDP level 2 is permanent: nothing can change this flash "
					     "from outside"
					   : "`flashkey unlock --upto rdp --allow-erase-all` regresses "
					     "to level 0 (erases the flash); a backup cannot read it "
					     "now");
		if (f->bl)
			return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%08X: RDP level %u: the bootloader "
				       "refuses every flash command but Readout Unprotect (AN3155 "
				       "Table 2, %s)", what, lo, o->level,
				       stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%08X: RDP level %u (FLASH_OPTR=0x%08X): with "
			       "a debugger connected the flash is inaccessible (%s)", what, lo,
			       o->level, o->w[0], stm32l4_sec(f, "3.5.1", sec, sizeof sec));
	}
	for (unsigned i = 0; i < 4; i++) {
		stm32l4_area a;
		stm32l4_wrp_area(f, o->w, i, &a);
		if (!a.used || lo >= a.hi || hi <= a.lo)
			continue;
		static const char *const n[4] = {"WRP1A", "WRP1B", "WRP2A", "WRP2B"};
		fk_hint(ctx, "`flashkey unlock --upto wrp` removes write protection (no data lost), "
			     "or `flashkey options set %s=none`", i == 0 ? "wrp1a" : i == 1 ? "wrp1b"
							       : i == 2 ? "wrp2a" : "wrp2b");
		return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%08X: write-protected by %s (FLASH_%sR=0x%08X"
			       ": bank %u pages %u-%u, 0x%08X-0x%08X), %s; nothing was erased",
			       what, lo > a.lo ? lo : a.lo, n[i], n[i], o->w[f->dev->i_wrp[i]],
			       a.bank + 1U, a.first, a.last, a.lo, a.hi - 1U,
			       stm32l4_sec(f, "3.5.3", sec, sizeof sec));
	}
	for (unsigned i = 0; i < 2; i++) {
		stm32l4_area a;
		stm32l4_pcrop_area(f, o->w, i, &a);
		if (!a.used || lo >= a.hi || hi <= a.lo)
			continue;
		fk_hint(ctx, "PCROP goes only with an RDP 1 -> 0 regression with PCROP_RDP = 1, which "
			     "erases all flash: `flashkey unlock --upto rdp --allow-erase-all`");
		return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%08X: inside the execute-only PCROP area "
			       "0x%08X-0x%08X (FLASH_%s=0x%08X, PCROP_RDP=%u), %s; nothing was erased",
			       what, lo > a.lo ? lo : a.lo, a.lo, a.hi - 1U,
			       f->dev->regs[f->dev->i_pcs[i]].name, o->w[f->dev->i_pcs[i]],
			       o->pcrop_rdp, stm32l4_sec(f, "3.5.2", sec, sizeof sec));
	}
	return FK_OK;
}

static int l4_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	stm32l4drv *f = state;
	stm32l4_optstate o;
	int rc = stm32l4_options(f, ctx, &o);
	if (rc)
		return rc;
	if (all) {
		rc = l4_blocked(f, ctx, &o, STM32L4_FLASH_BASE, STM32L4_FLASH_BASE + f->desc.flash_size,
				"mass erase at");
		return rc ? rc : stm32l4_mass_erase(f, ctx);
	}
	for (unsigned i = 0; i < f->npages && !rc; i++)
		if (fk_sector_set_has(set, i))
			rc = l4_blocked(f, ctx, &o, f->units[i].addr,
					f->units[i].addr + f->units[i].size, "erase");
	if (!rc && f->bl) { /* one Extended Erase with the page list (AN3155 §3.8) */
		uint16_t *pages = calloc(f->npages ? f->npages : 1, sizeof *pages);
		unsigned n = 0;
		if (!pages)
			return fk_fail(ctx, FK_E_NOMEM, "erase list");
		for (unsigned i = 0; i < f->npages; i++)
			if (fk_sector_set_has(set, i))
				pages[n++] = (uint16_t)f->units[i].number;
		rc = stm32l4_boot_erase(f, ctx, pages, n);
		free(pages);
		return rc ? fk_fail_wrap(ctx, rc, "erasing %u page(s) through the bootloader", n)
			  : FK_OK;
	}
	for (unsigned i = 0; i < f->npages && !rc; i++)
		if (fk_sector_set_has(set, i)) {
			rc = stm32l4_erase_page(f, ctx, i);
			if (rc)
				rc = fk_fail_wrap(ctx, rc, "erasing page %u (bank %u) at 0x%08X",
						  f->units[i].number, f->units[i].bank + 1U,
						  f->units[i].addr);
		}
	return rc;
}

static bool l4_in_flash(const stm32l4drv *f, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len, fend = (uint64_t)STM32L4_FLASH_BASE + f->desc.flash_size;
	return addr >= STM32L4_FLASH_BASE && end <= fend;
}

static int l4_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	stm32l4drv *f = state;
	if (!len)
		return FK_OK;
	if (!l4_in_flash(f, addr, len) || ((addr | len) & 7U))
		return fk_fail(ctx, FK_E_RANGE, "program 0x%08X+%u: not whole double words of main "
						"flash (0x%08X-0x%08X)", addr, len, STM32L4_FLASH_BASE,
			       STM32L4_FLASH_BASE + f->desc.flash_size - 1U);
	int rc = FK_OK;
	if (!f->prog_opts_valid || (f->bl && f->bl->restarts != f->prog_opts_restarts)) {
		rc = stm32l4_options(f, ctx, &f->prog_opts);
		f->prog_opts_valid = !rc;
		f->prog_opts_restarts = f->bl ? f->bl->restarts : 0;
	}
	if (!rc)
		rc = l4_blocked(f, ctx, &f->prog_opts, addr, addr + len, "program");
	return rc ? rc : stm32l4_program_dw(f, ctx, addr, buf, len);
}

/* A read of a torn double word (ECC cannot correct it) sets FLASH_ECCR.ECCD with the address
 * of the double word (§3.3.3, §3.7.4): checked after each read of main flash and reported with
 * the address; the flag is cleared (write 1) so that the next read starts clean. */
static int l4_ecc_check(stm32l4drv *f, fk_ctx *ctx, uint32_t addr, uint32_t len)
{
	char sec[32];
	uint32_t eccr;
	int rc = stm32l4_rd32(f, ctx, STM32L4_FLASH_ECCR, &eccr);
	if (rc || !(eccr & STM32L4_FLASH_ECCR_ECCD))
		return rc;
	/* ADDR_ECC: L4/G4 the byte offset of the double word in its bank (BK_ECC bit 19 = bank
	 * 2), RM0351 §3.7.4; G0 the double-word offset [13:0], RM0444 §3.7.4 */
	uint32_t bad;
	if (f->dev->kind == STM32L4_KIND_G0)
		bad = STM32L4_FLASH_BASE + (eccr & 0x3FFFU) * 8U;
	else
		bad = STM32L4_FLASH_BASE + ((f->dual && (eccr & (1U << 19))) ? f->desc.flash_size / 2U
									     : 0) + (eccr & 0x7FFF8U);
	fk_ctx *quiet = fk_ctx_new();
	(void)stm32l4_wr32(f, quiet ? quiet : ctx, STM32L4_FLASH_ECCR, STM32L4_FLASH_ECCR_ECCD |
								       STM32L4_FLASH_ECCR_ECCC);
	fk_ctx_free(quiet);
	fk_hint(ctx, "the double word at 0x%08X was torn (a power cut while programming?): erase "
		     "its page and program it again", bad);
	return fk_fail(ctx, FK_E_FLASH, "reading 0x%08X+%u: ECC error in the double word at 0x%08X "
					"(FLASH_ECCR=0x%08X: ECCD, two bits wrong, uncorrectable), %s",
		       addr, len, bad, eccr, stm32l4_sec(f, "3.3.3", sec, sizeof sec));
}

/* On-chip CRC-32: the bootloader path runs code in RAM for it; the debug path reads back. */
static int l4_crc32(void *state, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len,
		    unsigned n, uint32_t *crc)
{
	stm32l4drv *f = state;
	if (!f->bl)
		return FK_E_UNSUPPORTED;
	return stm32l4_boot_crc32(f, ctx, addr, len, n, crc);
}

static int l4_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	stm32l4drv *f = state;
	char sec[32];
	uint64_t end = (uint64_t)addr + len;
	if (f->bl) /* the ROM checks RDP itself; an ECC error is not visible on this path */
		return stm32l4_boot_read(f, ctx, addr, buf, len);
	bool flash = end > STM32L4_FLASH_BASE &&
		     addr < (uint64_t)STM32L4_FLASH_BASE + f->desc.flash_size;
	if (flash) {
		stm32l4_optstate o;
		int rc = stm32l4_options(f, ctx, &o);
		if (rc)
			return rc;
		if (o.level >= 1) {
			fk_hint(ctx, "`flashkey unlock --upto rdp --allow-erase-all` regresses to "
				     "level 0, which erases the flash first: the contents cannot be "
				     "recovered from the debugger");
			return fk_fail(ctx, FK_E_PROTECTED, "reading 0x%08X: main flash is unreadable "
				       "from the debugger at RDP level %u (FLASH_OPTR=0x%08X; %s)",
				       addr, o.level, o.w[0],
				       stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		}
		if (o.eccr & STM32L4_FLASH_ECCR_ECCD) {
			fk_ctx *quiet = fk_ctx_new();
			(void)stm32l4_wr32(f, quiet ? quiet : ctx, STM32L4_FLASH_ECCR,
					   STM32L4_FLASH_ECCR_ECCD | STM32L4_FLASH_ECCR_ECCC);
			fk_ctx_free(quiet);
		}
	}
	unsigned w = (addr % 4 == 0 && len % 4 == 0) ? 4 : (addr % 2 == 0 && len % 2 == 0) ? 2 : 1;
	int rc = f->mem->read(f->h, ctx, addr, buf, len, w);
	if (!rc && flash)
		rc = l4_ecc_check(f, ctx, addr, len);
	return rc;
}

static void l4_relock(void *state, fk_ctx *ctx) { stm32l4_lock(state, ctx); }

static int l4_reset_check(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	stm32l4drv *f = state;
	(void)kind;
	if (f->bl)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the bootloader path cannot reset the target: "
						      "the ROM has no reset command (AN3155 §3)");
	return FK_OK;
}

/* A system reset does not load the option bytes on this family (§3.4.1: power-on or
 * OBL_LAUNCH only), so `flashkey reset` uses OBL_LAUNCH, which loads them and resets the
 * system; a hardware reset is asked of the connection. */
static int l4_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	stm32l4drv *f = state;
	f->prog_opts_valid = false;
	if (kind == FK_RESET_SYSTEM || f->bl)
		return stm32l4_obl_launch(f, ctx);
	if (!f->mem->reset)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot reset the target");
	int rc = f->mem->reset(f->h, ctx, kind);
	if (!rc)
		f->key_failed = f->optkey_failed = false;
	return rc;
}

static int l4_run(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		  size_t how_len, bool *gone)
{
	stm32l4drv *f = state;
	fk_reset_kind kind = reset_mode == FK_RESET_HARDWARE ? FK_RESET_HARDWARE : FK_RESET_SYSTEM;
	*gone = false;
	if (f->bl) { /* Go is a jump, not a reset: --reset does not apply */
		int rc = stm32l4_boot_run(f, ctx, addr, dry, how, how_len);
		*gone = !rc && !dry; /* Go hands the chip over */
		return rc;
	}
	if (addr != STM32L4_FLASH_BASE) {
		fk_hint(ctx, "start the application at 0x%08X (`flashkey run`)", STM32L4_FLASH_BASE);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "run 0x%08X: the debug path starts the core "
			       "with a reset, which always starts from the boot address (0x%08X)",
			       addr, STM32L4_FLASH_BASE);
	}
	if (reset_mode == FK_RESET_POWER_CYCLE) {
		fk_hint(ctx, "drop --reset=none, or reset the board by hand");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "starting the application needs a reset, but "
						      "--reset=none was given");
	}
	if (!f->mem->run) {
		fk_hint(ctx, "reset the board by hand");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this connection cannot let the core run");
	}
	snprintf(how, how_len, "%s with the reset vector catch off, then halting debug off",
		 kind == FK_RESET_HARDWARE ? "NRST pulse" : "system reset (AIRCR.SYSRESETREQ)");
	if (dry)
		return FK_OK;
	int rc = f->mem->run(f->h, ctx, kind);
	return rc ? fk_fail_wrap(ctx, rc, "starting the application") : FK_OK;
}

static fk_vec_verdict l4_vector_check(void *state, uint32_t sp, uint32_t reset, char *why,
				      size_t n)
{
	stm32l4drv *f = state;
	uint32_t sram = f->desc.ram_size, flash = f->desc.flash_size;
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
	if ((sp & 3U) || sp <= STM32L4_SRAM_BASE || sp > STM32L4_SRAM_BASE + sram) {
		snprintf(why, n, "initial SP 0x%08X is not a word-aligned stack address in SRAM "
			 "(0x%08X-0x%08X)", sp, STM32L4_SRAM_BASE + 4U, STM32L4_SRAM_BASE + sram);
		return FK_VEC_BAD;
	}
	uint32_t pc = reset & ~1U;
	bool in_flash = pc >= STM32L4_FLASH_BASE && pc - STM32L4_FLASH_BASE < flash;
	bool in_sram = pc >= STM32L4_SRAM_BASE && pc - STM32L4_SRAM_BASE < sram;
	if (!(reset & 1U) || (!in_flash && !in_sram)) {
		snprintf(why, n, "reset vector 0x%08X is not a Thumb address (bit 0 set) inside "
			 "flash (0x%08X-0x%08X) or SRAM (0x%08X-0x%08X)", reset, STM32L4_FLASH_BASE,
			 STM32L4_FLASH_BASE + flash - 1U, STM32L4_SRAM_BASE,
			 STM32L4_SRAM_BASE + sram - 1U);
		return FK_VEC_BAD;
	}
	return FK_VEC_OK;
}

static uint64_t l4_virtual_ns(void *state)
{
	stm32l4drv *f = state;
	if (f->bl)
		return f->bl_vns ? f->bl_vns(f->bl_stream_h) : 0;
	return f->mem->virtual_ns ? f->mem->virtual_ns(f->h) : 0;
}

/* The option registers in device order (4 bytes each, little endian), recorded at the
 * FLASH_OPTR address: what FK_CHANGE_OPTIONS_RAW takes back. */
static int l4_backup_options(void *state, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *len,
			     uint32_t *addr)
{
	stm32l4drv *f = state;
	stm32l4_optstate o;
	size_t need = 4U * f->dev->nregs;
	if (cap < need)
		return fk_fail(ctx, FK_E_INTERNAL, "option backup buffer of %zu bytes", cap);
	int rc = stm32l4_options(f, ctx, &o);
	if (rc)
		return rc;
	if (o.hidden)
		return fk_fail(ctx, FK_E_PROTECTED, "the option words are unreadable through the "
						    "bootloader at RDP level 1 (AN3155 Table 2)");
	for (unsigned i = 0; i < f->dev->nregs; i++)
		fk_put_le32(buf + 4 * i, o.w[i]);
	*len = need;
	*addr = STM32L4_FLASH_REGS + 0x20U;
	return FK_OK;
}

const fk_chip_driver stm32l4_chip_driver = {
	.family = "stm32l4",
	.summary = "stm32l4 (STM32L4/G0/G4 FLASH_OPTR: L47x/L48x, L43x/L44x, G07x/G08x, G431/G441; "
		   "RM0351, RM0394, RM0444, RM0440)",
	.paths = FK_PATH_BIT(FK_PATH_MEMORY) | FK_PATH_BIT(FK_PATH_ROM_STREAM),
	.id_regs = l4_id_regs,
	.nid_regs = FK_ARRAY_SIZE(l4_id_regs),
	.owns_name = l4_owns_name,
	.match = l4_match,
	.part_is = l4_part_is,
	.attach = l4_attach,
	.detach = l4_detach,
	.describe = l4_describe,
	.path_name = l4_path_name,
	.inventory = l4_inventory,
	.plan = l4_plan,
	.step = l4_step,
	.set_supply = l4_set_supply,
	.erase = l4_erase,
	.program = l4_program,
	.read = l4_read,
	.crc32 = l4_crc32,
	.relock = l4_relock,
	.reset = l4_reset,
	.reset_check = l4_reset_check,
	.run = l4_run,
	.vector_check = l4_vector_check,
	.virtual_ns = l4_virtual_ns,
	.backup_options = l4_backup_options,
};
