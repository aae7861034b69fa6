/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 device table (see stm32f4.h). Each row cites the manual that defines its layout.
 * Reserved OPTCR bits follow BMP's optcr_mask() table (../shared/reference/stm32.md §1.6).
 * Written from RM0090 Rev 21 §3.3-3.4 and §38.6.1, independently of the twin's own table.
 * SRAM/CCM sizes (the last two columns): RM0090 §2.3.1 (F40x: SRAM1 112 + SRAM2 16 KB, CCM
 * 64 KB; F42x adds SRAM3 64 KB), RM0386 §2.3 (F469: 160 + 32 + 128 KB, CCM 64 KB), RM0390 §2.3
 * (F446: 112 + 16 KB), RM0368 §2.3 (F401xB/C 64 KB, xD/E 96 KB), RM0383 (F411: 128 KB), RM0402
 * (F412: 256 KB), RM0401 (F410: 32 KB), RM0430 (F413: 256 + 64 KB). F40x and F413 checked
 * against RM0090 §2.1 and RM0430 §2.1 (bus-matrix slave lists); the others are not in
 * ../shared/reference/stm32.md and are UNCONFIRMED here. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "devices/stm32f4.h"

static const stm32f4_device stm32f4_devices[] = {
	/* RM0090 Table 5: 1 MB, sectors 0-11, 12 nWRP bits, no SPRMOD on F40x (§3.9.10) */
	{0x413, "stm32f40x", "stm32f405 stm32f407 stm32f415 stm32f417", 1024, 0, 12, false, false,
	 false, false, false, false, 0xF0000010U, "RM0090", 128, 64},
	/* RM0090 Tables 6-7: F42x/43x up to 2 MB, two banks of 1 MB (or DB1M 2 x 512 KB) */
	{0x419, "stm32f42x", "stm32f427 stm32f429 stm32f437 stm32f439", 2048, 1024, 12, true, true,
	 true, true, true, false, 0x30000000U, "RM0090", 192, 64},
	/* RM0386: F469/479, same flash block as F42x */
	{0x434, "stm32f469", "stm32f469 stm32f479", 2048, 1024, 12, true, true, true, true, true,
	 false, 0x30000000U, "RM0386", 320, 64},
	/* RM0390: F446, 512 KB, sectors 0-7 */
	{0x421, "stm32f446", "stm32f446", 512, 0, 8, true, false, false, false, true, false,
	 0x7F000010U, "RM0390", 128, 0},
	/* RM0368: F401xB/C 256 KB, sectors 0-5 */
	{0x423, "stm32f401xc", "stm32f401xb stm32f401xc stm32f401", 256, 0, 6, true, false, false,
	 false, true, false, 0x7FC00010U, "RM0368", 64, 0},
	/* RM0368: F401xD/E 512 KB, sectors 0-7 */
	{0x433, "stm32f401xe", "stm32f401xd stm32f401xe", 512, 0, 8, true, false, false, false, true,
	 false, 0x7F000010U, "RM0368", 96, 0},
	/* RM0383: F411xC/E, 512 KB, sectors 0-7 */
	{0x431, "stm32f411", "stm32f411 stm32f411xc stm32f411xe", 512, 0, 8, true, false, false,
	 false, true, false, 0x7F000010U, "RM0383", 128, 0},
	/* RM0402: F412, 1 MB, sectors 0-11 */
	{0x441, "stm32f412", "stm32f412", 1024, 0, 12, true, false, false, false, true, false,
	 0x70000010U, "RM0402", 256, 0},
	/* RM0401: F410, 128 KB, sectors 0-4 */
	{0x458, "stm32f410", "stm32f410", 128, 0, 5, true, false, false, false, true, false,
	 0x7FE00010U, "RM0401", 32, 0},
	/* RM0430: F413/423, 1.5 MB, sectors 0-15, sectors 14 and 15 share nWRP14 */
	{0x463, "stm32f413", "stm32f413 stm32f423", 1536, 0, 15, true, false, false, false, true,
	 true, 0x00000010U, "RM0430", 320, 0},
};

const stm32f4_device *stm32f4_dev_at(unsigned i)
{
	return i < sizeof stm32f4_devices / sizeof stm32f4_devices[0] ? &stm32f4_devices[i] : NULL;
}

const stm32f4_device *stm32f4_dev_find(uint16_t dev_id)
{
	for (unsigned i = 0; stm32f4_dev_at(i); i++)
		if (stm32f4_devices[i].dev_id == dev_id)
			return &stm32f4_devices[i];
	return NULL;
}

bool stm32f4_dev_matches(const stm32f4_device *d, const char *name)
{
	size_t n = strlen(name);
	if (strcasecmp(d->name, name) == 0)
		return true;
	for (const char *p = d->members; *p;) {
		size_t w = strcspn(p, " ");
		if (w == n && strncasecmp(p, name, n) == 0)
			return true;
		p += w;
		p += strspn(p, " ");
	}
	return false;
}

/* One bank: 4 x 16 KB, 1 x 64 KB, then 128 KB sectors (RM0090 §3.3). */
static unsigned stm32f4_bank_layout(uint32_t base, uint32_t bank_kb, unsigned first, unsigned bank,
				    stm32f4_sector *out, unsigned max)
{
	uint32_t off = 0, end = bank_kb * 1024U;
	unsigned n = 0;
	while (off < end) {
		uint32_t size = n < 4 ? 0x4000U : n == 4 ? 0x10000U : 0x20000U;
		if (off + size > end || n >= 12 || n >= max)
			return 0;
		stm32f4_sector *s = &out[n];
		s->number = (uint8_t)(first + n);
		s->snb = (uint8_t)(bank ? (0x10U | n) : n);
		s->wrp_bit = (uint8_t)n;
		s->bank = (uint8_t)bank;
		s->addr = base + off;
		s->size = size;
		off += size;
		n++;
	}
	return n;
}

/* F413: 16 sectors in one bank (RM0430 §3.3); the 12-per-bank rule above does not apply. */
static unsigned stm32f4_f413_layout(uint32_t flash_kb, stm32f4_sector *out, unsigned max)
{
	uint32_t off = 0, end = flash_kb * 1024U;
	unsigned n = 0;
	while (off < end) {
		uint32_t size = n < 4 ? 0x4000U : n == 4 ? 0x10000U : 0x20000U;
		if (off + size > end || n >= max)
			return 0;
		out[n] = (stm32f4_sector){(uint8_t)n, (uint8_t)n, (uint8_t)(n == 15 ? 14 : n), 0,
					  STM32F4_FLASH_BASE + off, size};
		off += size;
		n++;
	}
	return n;
}

unsigned stm32f4_dev_layout(const stm32f4_device *d, uint32_t flash_kb, bool db1m,
			    stm32f4_sector *out, unsigned max)
{
	if (!d || flash_kb == 0 || flash_kb > d->max_kb)
		return 0;
	if (d->shared_last_wrp)
		return stm32f4_f413_layout(flash_kb, out, max);
	bool dual = d->bank_kb && (flash_kb > d->bank_kb || (db1m && flash_kb == d->bank_kb));
	if (!dual)
		return stm32f4_bank_layout(STM32F4_FLASH_BASE, flash_kb, 0, 0, out, max);
	uint32_t half = flash_kb / 2;
	unsigned n1 = stm32f4_bank_layout(STM32F4_FLASH_BASE, half, 0, 0, out, max);
	if (!n1)
		return 0;
	unsigned n2 = stm32f4_bank_layout(STM32F4_FLASH_BASE + half * 1024U, half, 12, 1, out + n1,
					  max - n1);
	return n2 ? n1 + n2 : 0;
}

typedef struct stm32f4_rev {
	uint16_t dev_id, rev_id;
	const char *name;
} stm32f4_rev;

/* RM0090 §38.6.1; low-power lines per their RMs (stm32.md §1.9). */
static const stm32f4_rev stm32f4_revs[] = {
	{0x413, 0x1000, "A"}, {0x413, 0x1001, "Z"}, {0x413, 0x1003, "1"}, {0x413, 0x1007, "2"},
	{0x413, 0x100F, "Y/4"}, {0x413, 0x101F, "5/6"}, {0x419, 0x1000, "A"}, {0x419, 0x1003, "Y"},
	{0x419, 0x1007, "1"}, {0x419, 0x2001, "3"}, {0x419, 0x2003, "4/5/B"}, {0x421, 0x1000, "A"},
	{0x463, 0x1000, "A"}, {0, 0x1000, "A"}, {0, 0x1001, "Z"}, {0, 0x2000, "B"}, {0, 0x3000, "C"},
};

const char *stm32f4_dev_revision(const stm32f4_device *d, uint16_t rev_id)
{
	bool own = false;
	for (size_t i = 0; i < sizeof stm32f4_revs / sizeof stm32f4_revs[0]; i++)
		own |= stm32f4_revs[i].dev_id == d->dev_id;
	for (size_t i = 0; i < sizeof stm32f4_revs / sizeof stm32f4_revs[0]; i++) {
		const stm32f4_rev *r = &stm32f4_revs[i];
		if (r->rev_id == rev_id && (r->dev_id == d->dev_id || (!own && r->dev_id == 0)))
			return r->name;
	}
	return "?";
}
