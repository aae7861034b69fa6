/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LPC twin's chip: variants, memory map, boot-ROM decision at reset, CRP latch, flash
 * erase/program with their times, and the state file ("FKTWLPC\n", version 1). Sources in
 * lpc.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "lpc/lpc.h"

const tw_lpc_variant tw_lpc_variants[] = {
	{
		/* UM10360 §32.5 Table 568 (sectors), §32.7.11 Table 583 (part ID 0x26013F37),
		 * ch. 2 memory map (32 KiB local SRAM at 0x1000 0000; the AHB SRAM banks are not
		 * modelled), §32.6 (CRP1: W not below 0x1000 0200), Table 579 (C: 256-byte
		 * boundary, 256 | 512 | 1024 | 4096 bytes). */
		.name = "lpc1768", .family = "LPC176x/5x", .part = "LPC1768FBD100",
		.part_id = 0x26013F37U, .flash_bytes = 512U * 1024U, .nsectors = 30,
		.small_sector = 4096, .small_count = 16, .large_sector = 32768,
		.ram_base = 0x10000000U, .ram_bytes = 32U * 1024U, .crp1_ram_floor = 0x10000200U,
		.copy_align = 256, .copy_sizes = {256, 512, 1024, 4096, 0}, .prog_unit = 256,
		.binary = false,
		/* UNCONFIRMED: the boot code version of a given silicon lot (4.1 chosen) */
		.boot_major = 4, .boot_minor = 1,
		/* UM10237 Table 619 (LPC2400) and lpc21isp's -verify ("first 64 bytes are re-mapped
		 * to flash boot sector"); UNCONFIRMED for the LPC17xx (one user reports 512 bytes). */
		.remap_bytes = 64,
		/* OpenOCD target/lpc1xxx.cfg (lpc1700: SW-DP 0x2BA01477, JTAG 0x4BA00477, one
		 * TAP); Cortex-M3 r2p0 CPUID (UNCONFIRMED revision: ES_LPC176X names r2p0);
		 * AHB-AP of a Cortex-M3 (probes.md §4.1); UM10360 §4.3.2: the 4 MHz IRC clocks
		 * the core out of reset; MEMMAP at 0x400F C040, bit 0 (UM10360 ch. 2 Table 8,
		 * UNCONFIRMED table number). */
		.dpidr = 0x2BA01477U, .jtag_idcode = 0x4BA00477U, .ahbap_idr = 0x24770011U,
		.cpuid = 0x412FC230U, .irc_hz = 4000000U,
		.remap_reg = 0x400FC040U, .remap_mask = 0x1U, .device_id_reg = 0,
	},
	{
		/* UM10601 §21.5 (LPC81x ISP), Table 260 part IDs (LPC812M101JDH20 0x0000 8122), 16
		 * sectors of 1 KiB (64-byte pages), 4 KiB SRAM at 0x1000 0000; C: 64-byte boundary,
		 * 64 | 128 | 256 | 512 | 1024 bytes; CRP1 W floor 0x1000 0300 (UM10800 Table 311,
		 * UNCONFIRMED for the LPC81x). */
		.name = "lpc812", .family = "LPC81x", .part = "LPC812M101JDH20",
		.part_id = 0x00008122U, .flash_bytes = 16U * 1024U, .nsectors = 16,
		.small_sector = 1024, .small_count = 16, .large_sector = 1024,
		.ram_base = 0x10000000U, .ram_bytes = 4U * 1024U, .crp1_ram_floor = 0x10000300U,
		.copy_align = 64, .copy_sizes = {64, 128, 256, 512, 1024, 0}, .prog_unit = 64,
		.binary = true,
		.boot_major = 13, .boot_minor = 4, /* UNCONFIRMED: version of a given lot */
		.remap_bytes = 64,                 /* UNCONFIRMED, as for the LPC1768 */
		/* Cortex-M0+ r0p1 (CPUID 0x410CC601) with its SW-DP (DPIDR 0x0BC11477) and AHB-AP
		 * (IDR 0x04770031): UNCONFIRMED (Cortex-M0+ TRM values, not read from an LPC812;
		 * OpenOCD's lpc1xxx.cfg expects 0x0BB11477, the Cortex-M0 one). The LPC81x has
		 * SWD only (UM10601 ch. 31): no JTAG-DP. UM10601 §5.3: the 12 MHz IRC clocks the
		 * core out of reset; §4.6.1 SYSMEMREMAP at 0x4004 8000 (bits 1:0); §4.6.37
		 * DEVICE_ID at 0x4004 83F8 holds the part ID. */
		.dpidr = 0x0BC11477U, .jtag_idcode = 0, .ahbap_idr = 0x04770031U,
		.cpuid = 0x410CC601U, .irc_hz = 12000000U,
		.remap_reg = 0x40048000U, .remap_mask = 0x3U, .device_id_reg = 0x400483F8U,
	},
};
const unsigned tw_lpc_nvariants = sizeof tw_lpc_variants / sizeof tw_lpc_variants[0];

const tw_lpc_variant *tw_lpc_variant_find(const char *name)
{
	for (unsigned i = 0; i < tw_lpc_nvariants; i++)
		if (strcasecmp(name, tw_lpc_variants[i].name) == 0)
			return &tw_lpc_variants[i];
	return NULL;
}

uint32_t tw_lpc_sector_start(const tw_lpc_variant *v, unsigned s)
{
	if (s <= v->small_count)
		return s * v->small_sector;
	return v->small_count * v->small_sector + (s - v->small_count) * v->large_sector;
}

uint32_t tw_lpc_sector_size(const tw_lpc_variant *v, unsigned s)
{
	return s < v->small_count ? v->small_sector : v->large_sector;
}

unsigned tw_lpc_sector_of(const tw_lpc_variant *v, uint32_t addr)
{
	uint32_t small_end = v->small_count * v->small_sector;
	if (addr < small_end)
		return addr / v->small_sector;
	return v->small_count + (addr - small_end) / v->large_sector;
}

tw_lpc_crp tw_lpc_crp_of_word(uint32_t w)
{
	switch (w) { /* UM10360 §32.6 Table 570; any other value: no protection */
	case TW_LPC_CRP1_WORD: return TW_LPC_CRP1;
	case TW_LPC_CRP2_WORD: return TW_LPC_CRP2;
	case TW_LPC_CRP3_WORD: return TW_LPC_CRP3;
	case TW_LPC_NOISP_WORD: return TW_LPC_NO_ISP;
	default: return TW_LPC_CRP_NONE;
	}
}

const char *tw_lpc_crp_name(tw_lpc_crp c)
{
	static const char *const n[] = {"none", "CRP1", "CRP2", "CRP3", "NO_ISP"};
	return (unsigned)c < 5 ? n[c] : "?";
}

uint32_t tw_lpc_flash_word(const tw_lpc *c, uint32_t addr)
{
	return fk_get_le32(c->flash + addr);
}

bool tw_lpc_user_code_valid(const tw_lpc *c)
{
	/* UM10360 §32.3.1.1: the 2's complement checksum of vectors 0..6 in word 7, i.e. the
	 * first 8 words sum to 0 (UM10601 §21.3.4 the same for the LPC81x). */
	uint32_t s = 0;
	for (unsigned w = 0; w < 8; w++)
		s += tw_lpc_flash_word(c, 4 * w);
	return s == 0;
}

void tw_lpc_reset(tw_lpc *c)
{
	c->gen++;
	c->iap_prepared = false;
	/* UM10360 Table 8 / UM10601 §4.6.1: the boot ROM leaves the flash mapped at 0 when it
	 * starts user code (MEMMAP = 1, SYSMEMREMAP = 2 "user flash mode") */
	c->remap = c->v->remap_mask == 1U ? 1U : 2U;
	if (!c->powered || c->reset_pin) {
		c->mode = TW_LPC_MODE_RESET;
		return;
	}
	/* §32.6: the CRP word is read by the boot ROM at reset, so a changed word (written or
	 * erased) takes effect at the next reset (UNCONFIRMED wording: the manual says CRP is
	 * "enabled by programming a specific pattern", evaluated during boot). */
	c->crp = tw_lpc_crp_of_word(tw_lpc_flash_word(c, TW_LPC_CRP_ADDR));
	bool valid = tw_lpc_user_code_valid(c);
	/* §32.3.1 Figure 155: CRP3 (with valid user code) and NO_ISP skip sampling the ISP pin
	 * (§32.6 "CRP3 ... ISP entry by pulling P2.10 LOW is disabled if a valid user code is
	 * present"; UM10800 §25.5.3.1 NO_ISP); without valid user code the ISP is entered anyway. */
	bool sample = !(valid && (c->crp == TW_LPC_CRP3 || c->crp == TW_LPC_NO_ISP));
	c->mode = (!valid || (sample && c->isp_pin)) ? TW_LPC_MODE_ISP : TW_LPC_MODE_USER;
}

void tw_lpc_advance(tw_lpc *c, uint64_t ns)
{
	c->now_ns += ns;
}

void tw_lpc_erase(tw_lpc *c, unsigned a, unsigned b)
{
	uint32_t s = tw_lpc_sector_start(c->v, a), e = tw_lpc_sector_start(c->v, b + 1);
	memset(c->flash + s, 0xFF, e - s);
	c->now_ns += TW_LPC_T_ERASE_NS; /* t_er covers "sector or multiple consecutive sectors" */
	c->erases++;
	c->gen++;
}

void tw_lpc_program(tw_lpc *c, uint32_t addr, const uint8_t *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		c->flash[addr + i] &= src[i]; /* a program only clears bits (erase sets them) */
	c->now_ns += TW_LPC_T_PROG_NS * ((n + c->v->prog_unit - 1) / c->v->prog_unit);
	c->programs++;
	c->gen++;
}

bool tw_lpc_is_flash(const tw_lpc *c, uint32_t addr, uint32_t n)
{
	return (uint64_t)addr + n <= c->v->flash_bytes;
}

bool tw_lpc_is_ram(const tw_lpc *c, uint32_t addr, uint32_t n)
{
	return addr >= c->v->ram_base && (uint64_t)addr + n <= (uint64_t)c->v->ram_base + c->v->ram_bytes;
}

bool tw_lpc_read_byte(const tw_lpc *c, uint32_t addr, uint8_t *b)
{
	if (addr < c->v->remap_bytes) {
		/* The boot ROM's vectors in place of flash while the ISP runs (see remap_bytes).
		 * UNCONFIRMED content: a fixed pattern standing for the ROM's own vector table. */
		uint32_t w = 0x1FFF0000U + (addr & ~3U) * 4U + 1U;
		*b = (uint8_t)(w >> (8 * (addr & 3U)));
		return true;
	}
	if (tw_lpc_is_flash(c, addr, 1)) {
		*b = c->flash[addr];
		return true;
	}
	if (tw_lpc_is_ram(c, addr, 1)) {
		*b = c->ram[addr - c->v->ram_base];
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- life cycle */

static tw_lpc *tw_lpc_alloc(const tw_lpc_variant *v)
{
	tw_lpc *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->v = v;
	c->flash = malloc(v->flash_bytes);
	c->ram = calloc(1, v->ram_bytes);
	if (!c->flash || !c->ram) {
		tw_lpc_free(c);
		return NULL;
	}
	return c;
}

int tw_lpc_create(fk_ctx *ctx, const char *name, tw_lpc **out)
{
	const tw_lpc_variant *v = tw_lpc_variant_find(name);
	if (!v)
		return FK_E_NOT_FOUND;
	tw_lpc *c = tw_lpc_alloc(v);
	if (!c)
		return fk_fail(ctx, FK_E_NOMEM, "creating an %s twin", v->name);
	memset(c->flash, 0xFF, v->flash_bytes); /* factory: erased, so no valid code: ISP */
	/* UNCONFIRMED: a device serial number (N) of our choosing, fixed per variant */
	for (unsigned i = 0; i < 4; i++)
		c->uid[i] = v->part_id ^ (0x9E3779B9U * (i + 1));
	c->powered = true;
	c->isp_pin = true; /* the board: ISP jumper set (see docs/NXP.md) */
	tw_lpc_reset(c);
	*out = c;
	return FK_OK;
}

void tw_lpc_free(tw_lpc *c)
{
	if (!c)
		return;
	free(c->flash);
	free(c->ram);
	free(c);
}

/* State file, little-endian (version 1):
 *   0  magic "FKTWLPC\n"      8  u32 version        12  char[16] variant name (NUL-padded)
 *  28  u64 now_ns            36  u8 crp latched     37  u8 mode   38  u8 isp_pin
 *  39  u8 reset_pin          40  u8 powered         41  u8[3] zero
 *  44  u32 uid[4]            60  u32 erases         64  u32 programs
 *  68  flash (flash_bytes)   then RAM (ram_bytes)                                           */
#define TW_LPC_HDR 68U
static const char tw_lpc_magic[8] = {'F', 'K', 'T', 'W', 'L', 'P', 'C', '\n'};

int tw_lpc_save(const tw_lpc *c, uint8_t **buf, size_t *len)
{
	size_t n = TW_LPC_HDR + c->v->flash_bytes + c->v->ram_bytes;
	uint8_t *b = calloc(1, n);
	if (!b)
		return FK_E_NOMEM;
	memcpy(b, tw_lpc_magic, 8);
	fk_put_le32(b + 8, 1);
	memcpy(b + 12, c->v->name, strlen(c->v->name));
	fk_put_le32(b + 28, (uint32_t)c->now_ns);
	fk_put_le32(b + 32, (uint32_t)(c->now_ns >> 32));
	b[36] = (uint8_t)c->crp;
	b[37] = (uint8_t)c->mode;
	b[38] = c->isp_pin;
	b[39] = c->reset_pin;
	b[40] = c->powered;
	for (unsigned i = 0; i < 4; i++)
		fk_put_le32(b + 44 + 4 * i, c->uid[i]);
	fk_put_le32(b + 60, c->erases);
	fk_put_le32(b + 64, c->programs);
	memcpy(b + TW_LPC_HDR, c->flash, c->v->flash_bytes);
	memcpy(b + TW_LPC_HDR + c->v->flash_bytes, c->ram, c->v->ram_bytes);
	*buf = b;
	*len = n;
	return FK_OK;
}

static int tw_lpc_bad(fk_ctx *ctx, const char *name, const char *field)
{
	return fk_fail(ctx, FK_E_BAD_FILE, "%s: LPC twin state: %s", name, field);
}

int tw_lpc_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, tw_lpc **out)
{
	if (len < TW_LPC_HDR)
		return tw_lpc_bad(ctx, name, "truncated header");
	if (fk_get_le32(buf + 8) != 1)
		return tw_lpc_bad(ctx, name, "version is not 1");
	char vn[17];
	memcpy(vn, buf + 12, 16);
	vn[16] = '\0';
	const tw_lpc_variant *v = tw_lpc_variant_find(vn);
	if (!v || strlen(vn) != strlen(v->name))
		return tw_lpc_bad(ctx, name, "unknown variant name at offset 12");
	for (size_t i = strlen(vn); i < 16; i++)
		if (buf[12 + i])
			return tw_lpc_bad(ctx, name, "variant name not NUL-padded");
	if (len != TW_LPC_HDR + (size_t)v->flash_bytes + v->ram_bytes)
		return tw_lpc_bad(ctx, name, "size does not match the variant's flash and RAM");
	if (buf[36] > TW_LPC_NO_ISP || buf[37] > TW_LPC_MODE_RESET || buf[38] > 1 || buf[39] > 1 ||
	    buf[40] > 1 || buf[41] || buf[42] || buf[43])
		return tw_lpc_bad(ctx, name, "a flag at offsets 36..43 is out of range");
	tw_lpc *c = tw_lpc_alloc(v);
	if (!c)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s", name);
	c->now_ns = fk_get_le32(buf + 28) | (uint64_t)fk_get_le32(buf + 32) << 32;
	c->crp = (tw_lpc_crp)buf[36];
	c->mode = (tw_lpc_mode)buf[37];
	c->isp_pin = buf[38];
	c->reset_pin = buf[39];
	c->powered = buf[40];
	for (unsigned i = 0; i < 4; i++)
		c->uid[i] = fk_get_le32(buf + 44 + 4 * i);
	c->erases = fk_get_le32(buf + 60);
	c->programs = fk_get_le32(buf + 64);
	memcpy(c->flash, buf + TW_LPC_HDR, v->flash_bytes);
	memcpy(c->ram, buf + TW_LPC_HDR + v->flash_bytes, v->ram_bytes);
	*out = c;
	return FK_OK;
}
