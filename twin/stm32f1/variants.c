/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 twin variants: one row per part the twin can play. Written from the manuals
 * (each row's source field), independently of lib/devices/stm32f1.c, so the driver's table is
 * checked against the twin rather than against itself.
 *
 * Identification: DBGMCU_IDCODE = REV_ID << 16 | DEV_ID (RM0008 §31.6.1, RM0091 §40.4.1,
 * RM0316 §33.6.1). SW-DP DPIDR and JTAG-DP IDCODE are those of the Cortex-M core's DAP
 * (RM0008 §31.6.3 "Cortex-M3 TAP" 0x3BA00477, §31.8.3 SW-DP 0x1BA01477; RM0091 §40.5.3 SW-DP
 * 0x0BB11477, no JTAG on F0; RM0316 §33.6.3/§33.8.3 0x4BA00477 / 0x2BA01477); OpenOCD's
 * target configs expect the same values (stm32f1x.cfg, stm32f0x.cfg, stm32f3x.cfg). The
 * boundary-scan TAP IDs are RM0008 §31.6.2 (0x06410041 medium, 0x06414041 high density) and
 * RM0316 §33.6.2 (0x06422041).
 * Bootloader: AN2606 (device-dependent parameters: the first SRAM bytes it keeps, its USART
 * protocol version, v2.2 on F10x and v3.1 on F0/F3); the SRAM column agrees with stm32flash
 * 0.7 dev_table.c (stm32-fpec.md §7). The F103 high-density bootloader's version is
 * UNCONFIRMED (AN2606 not retrieved: 0x22 chosen, as stm32flash users report for F103RE).
 * Timing: DS5319 Table 28 (F103x8/xB: tPROG 40/52.5/70 us, page and mass erase 20-40 ms, no
 * typical value given: the minimum is the default and 40 ms the "max" figure); DS5792 (F103xE)
 * same figures (UNCONFIRMED: datasheet not retrieved); F0 DS9773 and F3 DS9118 tPROG typ
 * 53.5 us max 60 us and erase 20-40 ms (UNCONFIRMED, stm32-fpec.md §8: only a code comment). */
#include <stddef.h>
#include <strings.h>

#include "stm32f1/f1_int.h"

#define F1_TIMING {52500U, 70000U}, {20000000U, 40000000U}, {20000000U, 40000000U}
#define F03_TIMING {53500U, 60000U}, {20000000U, 40000000U}, {20000000U, 40000000U}

static const tw_f1_variant f1_variants[] = {
	{.name = "stm32f103c8", .desc = "STM32F103x8/xB medium density", .family = TW_F1_FAMILY_F1,
	 .dev_id = 0x410, .rev_id = 0x2003, .flash_kib = 64, .page_bytes = 1024, .wrp_pages = 4,
	 .wrp_bits = 32, .sram_kib = 20, .sysmem_base = 0x1FFFF000U,
	 .flash_size_addr = 0x1FFFF7E0U, .uid_addr = 0x1FFFF7E8U, .dpidr = 0x1BA01477U,
	 .jtag_idcode = 0x3BA00477U, .bs_idcode = 0x06410041U, .cpuid = 0x411FC231U,
	 .bl_version = 0x22, .bl_ram = 0x200, F1_TIMING,
	 .source = "RM0008 §3.3.3 Table 5, PM0075 §2.3-2.5, DS5319"},
	{.name = "stm32f103cb", .desc = "STM32F103x8/xB medium density", .family = TW_F1_FAMILY_F1,
	 .dev_id = 0x410, .rev_id = 0x2003, .flash_kib = 128, .page_bytes = 1024, .wrp_pages = 4,
	 .wrp_bits = 32, .sram_kib = 20, .sysmem_base = 0x1FFFF000U,
	 .flash_size_addr = 0x1FFFF7E0U, .uid_addr = 0x1FFFF7E8U, .dpidr = 0x1BA01477U,
	 .jtag_idcode = 0x3BA00477U, .bs_idcode = 0x06410041U, .cpuid = 0x411FC231U,
	 .bl_version = 0x22, .bl_ram = 0x200, F1_TIMING,
	 .source = "RM0008 §3.3.3 Table 5, PM0075 §2.3-2.5, DS5319"},
	/* PM0075 §2.4.1: high density protects pages 0-1 (still 4 KiB) at level 1;
	 * WRP 2 pages per bit, WRP3 bit 7 pages 62-255 (PM0075 §2.5 Table 4) */
	{.name = "stm32f103re", .desc = "STM32F103xC/xD/xE high density", .family = TW_F1_FAMILY_F1,
	 .dev_id = 0x414, .rev_id = 0x1001, .flash_kib = 512, .page_bytes = 2048, .wrp_pages = 2,
	 .wrp_bits = 32, .sram_kib = 64, .sysmem_base = 0x1FFFF000U,
	 .flash_size_addr = 0x1FFFF7E0U, .uid_addr = 0x1FFFF7E8U, .dpidr = 0x1BA01477U,
	 .jtag_idcode = 0x3BA00477U, .bs_idcode = 0x06414041U, .cpuid = 0x411FC231U,
	 .bl_version = 0x22, .bl_ram = 0x200, F1_TIMING, .features = F1_FEAT_HD_RDP_WRP,
	 .source = "RM0008 §3.3.3 Table 6, PM0075 §2.3-2.5, DS5792"},
	{.name = "stm32f103ze", .desc = "STM32F103xC/xD/xE high density", .family = TW_F1_FAMILY_F1,
	 .dev_id = 0x414, .rev_id = 0x1001, .flash_kib = 512, .page_bytes = 2048, .wrp_pages = 2,
	 .wrp_bits = 32, .sram_kib = 64, .sysmem_base = 0x1FFFF000U,
	 .flash_size_addr = 0x1FFFF7E0U, .uid_addr = 0x1FFFF7E8U, .dpidr = 0x1BA01477U,
	 .jtag_idcode = 0x3BA00477U, .bs_idcode = 0x06414041U, .cpuid = 0x411FC231U,
	 .bl_version = 0x22, .bl_ram = 0x200, F1_TIMING, .features = F1_FEAT_HD_RDP_WRP,
	 .source = "RM0008 §3.3.3 Table 6, PM0075 §2.3-2.5, DS5792"},
	/* RM0091 §3.2.1: 1 KiB pages, write protection per 4-KiB sector (4 pages), WRP0/WRP1
	 * only on 64 KiB parts (§3.3 Table 11); system memory 3 KiB at 0x1FFFEC00 */
	{.name = "stm32f030c8", .desc = "STM32F030x8/F05x", .family = TW_F1_FAMILY_F0,
	 .dev_id = 0x440, .rev_id = 0x2000, .flash_kib = 64, .page_bytes = 1024, .wrp_pages = 4,
	 .wrp_bits = 16, .sram_kib = 8, .sysmem_base = 0x1FFFEC00U,
	 .flash_size_addr = 0x1FFFF7CCU, .uid_addr = 0x1FFFF7ACU, .dpidr = 0x0BB11477U,
	 .cpuid = 0x410CC200U, .bl_version = 0x31, .bl_ram = 0x800, F03_TIMING,
	 .source = "RM0091 §3.2.1, §3.3, §3.5; DS9773"},
	{.name = "stm32f051r8", .desc = "STM32F030x8/F05x", .family = TW_F1_FAMILY_F0,
	 .dev_id = 0x440, .rev_id = 0x2000, .flash_kib = 64, .page_bytes = 1024, .wrp_pages = 4,
	 .wrp_bits = 16, .sram_kib = 8, .sysmem_base = 0x1FFFEC00U,
	 .flash_size_addr = 0x1FFFF7CCU, .uid_addr = 0x1FFFF7ACU, .dpidr = 0x0BB11477U,
	 .cpuid = 0x410CC200U, .bl_version = 0x31, .bl_ram = 0x800, F03_TIMING,
	 .source = "RM0091 §3.2.1, §3.3, §3.5; DS8668"},
	/* RM0091 §3.2.1: 2 KiB pages, 4-KiB sectors = 2 pages per WRP bit (OpenOCD says 4:
	 * stm32-fpec.md §3); system memory 12 KiB at 0x1FFFC800 */
	{.name = "stm32f072rb", .desc = "STM32F07x", .family = TW_F1_FAMILY_F0,
	 .dev_id = 0x448, .rev_id = 0x1000, .flash_kib = 128, .page_bytes = 2048, .wrp_pages = 2,
	 .wrp_bits = 32, .sram_kib = 16, .sysmem_base = 0x1FFFC800U,
	 .flash_size_addr = 0x1FFFF7CCU, .uid_addr = 0x1FFFF7ACU, .dpidr = 0x0BB11477U,
	 .cpuid = 0x410CC200U, .bl_version = 0x31, .bl_ram = 0x1800, F03_TIMING,
	 .source = "RM0091 §3.2.1, §3.3, §3.5; DS9826"},
	/* RM0316 §4.2.1: 2 KiB pages, WRP per 2 pages, WRP3 bit 7 = pages 62-127 */
	{.name = "stm32f303cc", .desc = "STM32F302xB/C, STM32F303xB/C", .family = TW_F1_FAMILY_F3,
	 .dev_id = 0x422, .rev_id = 0x1001, .flash_kib = 256, .page_bytes = 2048, .wrp_pages = 2,
	 .wrp_bits = 32, .sram_kib = 40, .sysmem_base = 0x1FFFD800U,
	 .flash_size_addr = 0x1FFFF7CCU, .uid_addr = 0x1FFFF7ACU, .dpidr = 0x2BA01477U,
	 .jtag_idcode = 0x4BA00477U, .bs_idcode = 0x06422041U, .cpuid = 0x410FC241U,
	 .bl_version = 0x31, .bl_ram = 0x1400, F03_TIMING,
	 .source = "RM0316 §4.2, §4.5; DS9118"},
	{.name = "stm32f303cb", .desc = "STM32F302xB/C, STM32F303xB/C", .family = TW_F1_FAMILY_F3,
	 .dev_id = 0x422, .rev_id = 0x1001, .flash_kib = 128, .page_bytes = 2048, .wrp_pages = 2,
	 .wrp_bits = 32, .sram_kib = 40, .sysmem_base = 0x1FFFD800U,
	 .flash_size_addr = 0x1FFFF7CCU, .uid_addr = 0x1FFFF7ACU, .dpidr = 0x2BA01477U,
	 .jtag_idcode = 0x4BA00477U, .bs_idcode = 0x06422041U, .cpuid = 0x410FC241U,
	 .bl_version = 0x31, .bl_ram = 0x1400, F03_TIMING,
	 .source = "RM0316 §4.2, §4.5; DS9118"},
	/* A CKS32F103-style clone: F103 medium density by DEV_ID, but a Cortex-M3 r2 DAP that
	 * answers 0x2BA01477 (what OpenOCD reports as "UNEXPECTED idcode: 0x2ba01477" with
	 * stm32f1x.cfg; stm32-fpec.md, issue 21). UNCONFIRMED: the clone's JTAG IDCODE (the
	 * same value is chosen, as the issue describes), its CPUID (r2p1 chosen) and its
	 * boundary-scan TAP (none modelled); flash behaviour taken to be the F103's. */
	{.name = "cks32f103c8", .desc = "CKS32F103x8 (STM32F103 clone)", .family = TW_F1_FAMILY_F1,
	 .dev_id = 0x410, .rev_id = 0x2003, .flash_kib = 64, .page_bytes = 1024, .wrp_pages = 4,
	 .wrp_bits = 32, .sram_kib = 20, .sysmem_base = 0x1FFFF000U,
	 .flash_size_addr = 0x1FFFF7E0U, .uid_addr = 0x1FFFF7E8U, .dpidr = 0x2BA01477U,
	 .jtag_idcode = 0x2BA01477U, .cpuid = 0x412FC231U, .bl_version = 0x22, .bl_ram = 0x200,
	 F1_TIMING, .features = F1_FEAT_CLONE, .source = "issue 21 (clone); PM0075 as the F103"},
};

#define F1_NVARIANTS (sizeof f1_variants / sizeof f1_variants[0])

const tw_f1_variant *tw_f1_variant_at(unsigned i)
{
	return i < F1_NVARIANTS ? &f1_variants[i] : NULL;
}

const tw_f1_variant *tw_f1_variant_find(const char *name)
{
	for (unsigned i = 0; name && i < F1_NVARIANTS; i++)
		if (strcasecmp(f1_variants[i].name, name) == 0)
			return &f1_variants[i];
	return NULL;
}

const char *tw_f1_variant_name(const tw_f1_variant *v) { return v->name; }
const char *tw_f1_variant_desc(const tw_f1_variant *v) { return v->desc; }
tw_f1_family tw_f1_variant_family(const tw_f1_variant *v) { return v->family; }
uint16_t tw_f1_variant_dev_id(const tw_f1_variant *v) { return v->dev_id; }
uint16_t tw_f1_variant_rev_id(const tw_f1_variant *v) { return v->rev_id; }
uint32_t tw_f1_variant_flash_bytes(const tw_f1_variant *v) { return v->flash_kib * 1024U; }
uint32_t tw_f1_variant_page_bytes(const tw_f1_variant *v) { return v->page_bytes; }
unsigned tw_f1_variant_wrp_pages(const tw_f1_variant *v) { return v->wrp_pages; }
uint32_t tw_f1_variant_sram_bytes(const tw_f1_variant *v) { return v->sram_kib * 1024U; }
uint32_t tw_f1_variant_flash_size_addr(const tw_f1_variant *v) { return v->flash_size_addr; }
uint32_t tw_f1_variant_dpidr(const tw_f1_variant *v) { return v->dpidr; }
uint32_t tw_f1_variant_jtag_idcode(const tw_f1_variant *v) { return v->jtag_idcode; }
uint32_t tw_f1_variant_bs_idcode(const tw_f1_variant *v) { return v->bs_idcode; }
uint32_t tw_f1_variant_cpuid(const tw_f1_variant *v) { return v->cpuid; }
uint8_t tw_f1_variant_bl_version(const tw_f1_variant *v) { return v->bl_version; }
uint32_t tw_f1_variant_bl_ram_reserved(const tw_f1_variant *v) { return v->bl_ram; }
uint32_t tw_f1_variant_sysmem_base(const tw_f1_variant *v) { return v->sysmem_base; }
bool tw_f1_variant_is_clone(const tw_f1_variant *v) { return (v->features & F1_FEAT_CLONE) != 0; }

uint32_t tw_f1_variant_idcode_addr(const tw_f1_variant *v)
{
	return v->family == TW_F1_FAMILY_F0 ? F1_DBGMCU_F0 : F1_DBGMCU_F1;
}
