/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 device table (see stm32f1.h). Each row cites the manual of its layout; written
 * from the manuals independently of the twin's variant table (twin/stm32f1/variants.c).
 * WRP granularity: PM0075 §2.4.2 (medium density 4 pages/bit, high density 2 pages/bit),
 * RM0091 §3.2.1 (4-KiB sectors: 4 pages of 1 KiB on F030x8/F05x, 2 pages of 2 KiB on F07x,
 * where OpenOCD's table says 4: stm32-fpec.md §3), RM0316 §4.2.1 (F303xB/C 2 pages/bit).
 * Bootloader: AN2606's device-dependent parameters, which stm32flash 0.7's dev_table.c repeats
 * for the SRAM it keeps (0x200 on F10x, 0x800 on F030x8, 0x1800 on F07x, 0x1400 on F303xB/C);
 * USART protocol versions 0x22 (F10x) and 0x31 (F0/F3) from AN3155 §2.4 and stm32flash
 * reports; UNCONFIRMED which other versions shipped (0x20/0x21 are listed as seen on older
 * F10x parts in user reports). */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "devices/stm32f1.h"

#define F1_IDS .flash_size_reg = 0x1FFFF7E0U, .uid_base = 0x1FFFF7E8U, \
	       .sysmem_base = 0x1FFFF000U, .dpidr = 0x1BA01477U, .jtag_idcode = 0x3BA00477U
#define F03_INFO .flash_size_reg = 0x1FFFF7CCU, .uid_base = 0x1FFFF7ACU

static const stm32f1_device stm32f1_devices[] = {
	{.dev_id = 0x410, .name = "stm32f10x-md", .desc = "STM32F103x8/xB medium density",
	 .members = "stm32f103c8 stm32f103cb stm32f103r8 stm32f103rb stm32f103v8 stm32f103vb "
		    "stm32f103t8 stm32f103tb stm32f101c8 stm32f102c8 cks32f103c8",
	 .family = STM32F1_FAM_F1, .flags = STM32F1_F_RDP_4K_WRP, .max_kb = 128,
	 .page_bytes = 1024, .wrp_pages = 4, .wrp_bits = 32, .sram_kb = 20, F1_IDS,
	 .bl_versions = {0x22, 0x21, 0x20}, .bl_ram_reserved = 0x200,
	 .manual = "RM0008 §3.3.3 Table 5, PM0075 §2.4"},
	{.dev_id = 0x414, .name = "stm32f10x-hd", .desc = "STM32F103xC/xD/xE high density",
	 .members = "stm32f103rc stm32f103rd stm32f103re stm32f103vc stm32f103ve stm32f103zc "
		    "stm32f103ze",
	 .family = STM32F1_FAM_F1, .flags = STM32F1_F_RDP_4K_WRP, .max_kb = 512,
	 .page_bytes = 2048, .wrp_pages = 2, .wrp_bits = 32, .sram_kb = 64, F1_IDS,
	 .bl_versions = {0x22, 0x21, 0x20}, .bl_ram_reserved = 0x200,
	 .manual = "RM0008 §3.3.3 Table 6, PM0075 §2.4"},
	{.dev_id = 0x440, .name = "stm32f05x", .desc = "STM32F030x8/F05x",
	 .members = "stm32f030c8 stm32f030r8 stm32f030k8 stm32f051c8 stm32f051k8 stm32f051r8 "
		    "stm32f058c8",
	 .family = STM32F1_FAM_F0,
	 .flags = STM32F1_F_LEVEL2 | STM32F1_F_OBL_LAUNCH | STM32F1_F_EXT_ERASE | STM32F1_F_F0_USER,
	 .max_kb = 64, .page_bytes = 1024, .wrp_pages = 4, .wrp_bits = 16, .sram_kb = 8, F03_INFO,
	 .sysmem_base = 0x1FFFEC00U, .dpidr = 0x0BB11477U, .bl_versions = {0x31},
	 .bl_ram_reserved = 0x800, .manual = "RM0091 §3.2.1, §3.3, §3.5"},
	{.dev_id = 0x448, .name = "stm32f07x", .desc = "STM32F07x",
	 .members = "stm32f070cb stm32f070rb stm32f071cb stm32f071rb stm32f072c8 stm32f072cb "
		    "stm32f072rb stm32f072vb stm32f078cb",
	 .family = STM32F1_FAM_F0,
	 .flags = STM32F1_F_LEVEL2 | STM32F1_F_OBL_LAUNCH | STM32F1_F_EXT_ERASE | STM32F1_F_F0_USER,
	 .max_kb = 128, .page_bytes = 2048, .wrp_pages = 2, .wrp_bits = 32, .sram_kb = 16,
	 F03_INFO, .sysmem_base = 0x1FFFC800U, .dpidr = 0x0BB11477U, .bl_versions = {0x31},
	 .bl_ram_reserved = 0x1800, .manual = "RM0091 §3.2.1, §3.3, §3.5"},
	{.dev_id = 0x422, .name = "stm32f30x-bc", .desc = "STM32F302xB/C, STM32F303xB/C",
	 .members = "stm32f302cb stm32f302cc stm32f302rb stm32f302rc stm32f303cb stm32f303cc "
		    "stm32f303rb stm32f303rc stm32f303vb stm32f303vc stm32f358",
	 .family = STM32F1_FAM_F3,
	 .flags = STM32F1_F_LEVEL2 | STM32F1_F_OBL_LAUNCH | STM32F1_F_EXT_ERASE, .max_kb = 256,
	 .page_bytes = 2048, .wrp_pages = 2, .wrp_bits = 32, .sram_kb = 40, F03_INFO,
	 .sysmem_base = 0x1FFFD800U, .dpidr = 0x2BA01477U, .jtag_idcode = 0x4BA00477U,
	 .bl_versions = {0x31}, .bl_ram_reserved = 0x1400, .manual = "RM0316 §4.2, §4.3, §4.5"},
};

#define STM32F1_NDEV (sizeof stm32f1_devices / sizeof stm32f1_devices[0])

const stm32f1_device *stm32f1_dev_at(unsigned i)
{
	return i < STM32F1_NDEV ? &stm32f1_devices[i] : NULL;
}

const stm32f1_device *stm32f1_dev_find(uint16_t dev_id)
{
	for (unsigned i = 0; i < STM32F1_NDEV; i++)
		if (stm32f1_devices[i].dev_id == dev_id)
			return &stm32f1_devices[i];
	return NULL;
}

bool stm32f1_dev_matches(const stm32f1_device *d, const char *name)
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

uint32_t stm32f1_dev_idcode_addr(const stm32f1_device *d)
{
	return d->family == STM32F1_FAM_F0 ? STM32F1_DBGMCU_IDCODE_F0 : STM32F1_DBGMCU_IDCODE_F1;
}

uint8_t stm32f1_dev_rdp_level0(const stm32f1_device *d)
{
	return d->family == STM32F1_FAM_F1 ? 0xA5U : 0xAAU;
}

uint8_t stm32f1_dev_rdp_level2(const stm32f1_device *d)
{
	return (d->flags & STM32F1_F_LEVEL2) ? 0xCCU : 0U;
}

unsigned stm32f1_dev_rdp_level(const stm32f1_device *d, uint8_t rdp)
{
	if (rdp == stm32f1_dev_rdp_level0(d))
		return 0;
	return (d->flags & STM32F1_F_LEVEL2) && rdp == 0xCCU ? 2 : 1;
}

unsigned stm32f1_dev_wrp_bit(const stm32f1_device *d, unsigned page)
{
	unsigned bit = page / d->wrp_pages;
	return bit < d->wrp_bits ? bit : d->wrp_bits - 1U;
}

bool stm32f1_dev_wrp_range(const stm32f1_device *d, uint32_t flash_kb, unsigned bit,
			   unsigned *first, unsigned *last)
{
	unsigned pages = (unsigned)(flash_kb * 1024U / d->page_bytes);
	if (bit >= d->wrp_bits || (unsigned)bit * d->wrp_pages >= pages)
		return false;
	*first = bit * d->wrp_pages;
	*last = bit == d->wrp_bits - 1U ? pages - 1U : *first + d->wrp_pages - 1U;
	if (*last >= pages)
		*last = pages - 1U;
	return true;
}

bool stm32f1_dev_bl_version_known(const stm32f1_device *d, uint8_t version)
{
	for (unsigned i = 0; i < sizeof d->bl_versions; i++)
		if (d->bl_versions[i] && d->bl_versions[i] == version)
			return true;
	return false;
}
