/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin: the variants as data, and the sector geometry derived from them.
 *
 * Sources: RM0090 Rev 21 §3.3 Tables 5-7 (sector layouts, dual bank, DB1M), §3.9.7 (SNB
 * encoding, bank 2 = 0b1xxxx), §3.9.10 (OPTCR fields), §38.6.1 (DEV_ID/REV_ID); RM0368 (F401),
 * RM0383 (F411), RM0390 (F446) via ../shared/reference/stm32.md §1.4, §1.6, §1.8, §1.9 (reserved
 * OPTCR bit masks from BMP optcr_mask(), SNB width from CMSIS FLASH_CR_SNB_Msk). */
#include <stddef.h>
#include <strings.h>

#include "stm32f4/f4_int.h"

#define F40X_FEAT (F4_FEAT_BKPSRAM)
#define F42X_FEAT                                                                          \
	(F4_FEAT_DUALBANK | F4_FEAT_DB1M | F4_FEAT_SPRMOD | F4_FEAT_RDERR | F4_FEAT_BKPSRAM | \
	 F4_FEAT_OPTCR1)
#define F401_FEAT (F4_FEAT_SPRMOD | F4_FEAT_RDERR) /* no backup SRAM on F401/F411 */
#define F446_FEAT (F4_FEAT_SPRMOD | F4_FEAT_RDERR | F4_FEAT_BKPSRAM)

/* Writable OPTCR bits = ~(reserved | OPTLOCK | OPTSTRT); reserved masks from stm32.md §1.6. */
#define MASK_F40X (~0xF0000010U & ~3U)
#define MASK_F42X (~0x30000000U & ~3U)
#define MASK_F401BC (~0x7FC00010U & ~3U)
#define MASK_F4XX_512 (~0x7F000010U & ~3U)

#define F40X(n) {n, "STM32F405/407/415/417", 0x413, 0x1007, 1024, 128, F40X_FEAT, MASK_F40X, \
		 0x78U, 0x7U, "RM0090 §3.3 Table 5, §38.6.1"}
#define F42X(n, kib) {n, "STM32F427/429/437/439", 0x419, 0x2003, kib, 192, F42X_FEAT, MASK_F42X, \
		      0xF8U, 0xFU, "RM0090 §3.3 Tables 6/7, §38.6.1"}

static const tw_f4_variant f4_variants[] = {
	F40X("stm32f405"), F40X("stm32f407"), F40X("stm32f415"), F40X("stm32f417"),
	F42X("stm32f427", 2048), F42X("stm32f429", 2048), F42X("stm32f437", 2048),
	F42X("stm32f439", 2048),
	/* 1 MiB F42x: single bank unless DB1M=1 (RM0090 §3.3 Table 6) */
	F42X("stm32f429xg", 1024),
	{"stm32f401xb", "STM32F401xB/C", 0x423, 0x1001, 128, 64, F401_FEAT, MASK_F401BC, 0xF8U,
	 0x7U, "RM0368 §3.3 Table 4"},
	{"stm32f401xc", "STM32F401xB/C", 0x423, 0x1001, 256, 64, F401_FEAT, MASK_F401BC, 0xF8U,
	 0x7U, "RM0368 §3.3 Table 4"},
	{"stm32f401xd", "STM32F401xD/E", 0x433, 0x1001, 384, 96, F401_FEAT, MASK_F4XX_512, 0xF8U,
	 0x7U, "RM0368 §3.3 Table 5"},
	{"stm32f401xe", "STM32F401xD/E", 0x433, 0x1001, 512, 96, F401_FEAT, MASK_F4XX_512, 0xF8U,
	 0x7U, "RM0368 §3.3 Table 5"},
	{"stm32f411", "STM32F411xC/E", 0x431, 0x1000, 512, 128, F401_FEAT, MASK_F4XX_512, 0xF8U,
	 0x7U, "RM0383 §3.3 Table 4"},
	{"stm32f446", "STM32F446xC/E", 0x421, 0x1000, 512, 128, F446_FEAT, MASK_F4XX_512, 0xF8U,
	 0xFU, "RM0390 §3.3 Table 4"},
};

unsigned f4_variant_count(void)
{
	return (unsigned)(sizeof f4_variants / sizeof f4_variants[0]);
}

const tw_f4_variant *tw_f4_variant_at(unsigned i)
{
	return i < f4_variant_count() ? &f4_variants[i] : NULL;
}

const tw_f4_variant *tw_f4_variant_find(const char *name)
{
	if (!name)
		return NULL;
	for (unsigned i = 0; i < f4_variant_count(); i++)
		if (strcasecmp(name, f4_variants[i].name) == 0)
			return &f4_variants[i];
	return NULL;
}

const char *tw_f4_variant_name(const tw_f4_variant *v)
{
	return v->name;
}

uint16_t tw_f4_variant_dev_id(const tw_f4_variant *v)
{
	return v->dev_id;
}

uint32_t tw_f4_variant_flash_bytes(const tw_f4_variant *v)
{
	return v->flash_kib * 1024U;
}

bool f4_dual_bank(const tw_f4 *t)
{
	if (!(t->v->features & F4_FEAT_DUALBANK))
		return false;
	if (t->v->flash_kib >= 2048)
		return true;
	/* RM0090 §3.9.10: DB1M=1 organises a 1 MiB device as 2 x 512 KiB banks — the loaded
	 * value (stored option bytes), not the one being edited in FLASH_OPTCR (issue #20 item 1) */
	return t->v->flash_kib == 1024 && (t->ob[0] & F4_OPTCR_DB1M);
}

/* One bank: 4 x 16 KiB, 1 x 64 KiB, then 128 KiB sectors (RM0090 §3.3). */
static unsigned f4_bank_sectors(uint32_t bank_bytes, uint32_t base, unsigned first, unsigned bank,
				f4_sector *out, unsigned n, unsigned max)
{
	uint32_t off = 0;
	for (unsigned i = 0; off < bank_bytes && n < max; i++) {
		uint32_t size = i < 4 ? 0x4000U : i == 4 ? 0x10000U : 0x20000U;
		out[n++] = (f4_sector){first + i, base + off, size, bank};
		off += size;
	}
	return n;
}

unsigned f4_sectors(const tw_f4 *t, f4_sector *out, unsigned max)
{
	uint32_t total = tw_f4_variant_flash_bytes(t->v);
	if (!f4_dual_bank(t))
		return f4_bank_sectors(total, 0, 0, 0, out, 0, max);
	unsigned n = f4_bank_sectors(total / 2, 0, 0, 0, out, 0, max);
	return f4_bank_sectors(total / 2, total / 2, 12, 1, out, n, max);
}

bool f4_sector_at(const tw_f4 *t, uint32_t off, f4_sector *out)
{
	f4_sector s[32];
	unsigned n = f4_sectors(t, s, 32);
	for (unsigned i = 0; i < n; i++)
		if (off >= s[i].start && off - s[i].start < s[i].size) {
			*out = s[i];
			return true;
		}
	return false;
}

bool f4_sector_by_snb(const tw_f4 *t, unsigned snb, f4_sector *out)
{
	unsigned num = snb;
	if (t->v->snb_mask == 0xF8U && !(snb & 0x10U) && snb > 11)
		return false; /* RM0090 §3.9.7: 0b01100-0b01111 not allowed */
	if (t->v->snb_mask == 0xF8U && (snb & 0x10U)) {
		/* RM0090 §3.9.7: 0b10000-0b11011 = sectors 12-23; 0b11100-0b11111 not allowed */
		if (!f4_dual_bank(t) || (snb & 0xFU) > 11)
			return false;
		num = 12 + (snb & 0xFU);
	}
	f4_sector s[32];
	unsigned n = f4_sectors(t, s, 32);
	for (unsigned i = 0; i < n; i++)
		if (s[i].num == num) {
			*out = s[i];
			return true;
		}
	return false;
}

const char *tw_f4_variant_family(const tw_f4_variant *v)
{
	return v->family;
}

uint16_t tw_f4_variant_rev_id(const tw_f4_variant *v)
{
	return v->rev_id;
}

uint32_t tw_f4_variant_sram_bytes(const tw_f4_variant *v)
{
	return v->sram_kib * 1024U;
}

bool tw_f4_variant_has_pcrop(const tw_f4_variant *v)
{
	return (v->features & F4_FEAT_SPRMOD) != 0;
}

bool tw_f4_variant_has_bkpsram(const tw_f4_variant *v)
{
	return (v->features & F4_FEAT_BKPSRAM) != 0;
}

bool tw_f4_variant_has_optcr1(const tw_f4_variant *v)
{
	return (v->features & F4_FEAT_OPTCR1) != 0;
}

unsigned tw_f4_sector_count(const tw_f4 *t)
{
	f4_sector s[32];
	return f4_sectors(t, s, 32);
}

bool tw_f4_sector_get(const tw_f4 *t, unsigned i, tw_f4_sector_info *out)
{
	f4_sector s[32];
	if (i >= f4_sectors(t, s, 32))
		return false;
	*out = (tw_f4_sector_info){s[i].num, F4_FLASH_BASE + s[i].start, s[i].size, s[i].bank,
				   f4_sector_wrp(t, s[i].num), f4_sector_pcrop(t, s[i].num)};
	return true;
}

unsigned tw_f4_rdp_level(const tw_f4 *t)
{
	return f4_rdp_level(t->rdp_eff);
}

bool tw_f4_key_lockout(const tw_f4 *t, bool option_key)
{
	return option_key ? t->opt_lockout : t->cr_lockout;
}

const char *tw_f4_path(const tw_f4 *t)
{
	return t->sf.path;
}

bool tw_f4_dirty(const tw_f4 *t)
{
	return t->dirty;
}
