/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parts of the STM32L4/G0/G4 twin, as data. Sources per field:
 *   DEV_ID, flash size, page size, banks: RM0351 §3.3.1 (L47x: 1 MiB as two 512 KiB banks of
 *     256 pages of 2 KiB), RM0394 §3.3.1 (L43x), RM0444 §3.3.1 (G07x: 64 pages of 2 KiB),
 *     RM0440 §5.3.1 (G431, category 2: 64 pages of 2 KiB); OpenOCD stm32l4x.c part table;
 *   SRAM: stm32flash 0.7 dev_table.c RAM end (0x20018000 L47x = SRAM1 96 KiB, SRAM2 aliased
 *     above it: 128 KiB contiguous per RM0351 §2.4; 0x2000C000 L43x + SRAM2 16 KiB; 0x20009000
 *     G07x; 0x20005800 G431 = SRAM1 16 KiB + SRAM2 6 KiB);
 *   bootloader RAM start and system memory end: stm32flash 0.7 dev_table.c rows 0x415, 0x435,
 *     0x460, 0x468; protocol version 0x31 (AN3155 v3.1; AN2606 lists these ROMs as using the
 *     USART protocol v3.1: UNCONFIRMED per part);
 *   debug IDs: OpenOCD tcl/target/stm32l4x.cfg and stm32g4x.cfg (SW-DP 0x2BA01477, JTAG
 *     0x4BA00477), stm32g0x.cfg (SW-DP 0x0BC11477, no JTAG); CPUID Cortex-M4 r0p1 0x410FC241,
 *     Cortex-M0+ r0p1 0x410CC601 (ARM TRMs); boundary-scan TAP IDCODE (second in the JTAG
 *     chain, IR 5 bits): 0x06415041 for the L47x (RM0351 §48.6.2 "JTAG ID code"; ST's BSDL
 *     STM32L4x6 V1.1: part number 0x6415, manufacturer 0x020, version nibble "XXXX", taken as
 *     0), 0x06468041 for the G431 (RM0440 §47.6.2; also the G4 boundary-scan row of Keil's
 *     CMSIS-DAP debugger ID table), 0x06435041 for the L43x (UNCONFIRMED: RM0394 not
 *     retrieved; ST's pattern 0x06<DEV_ID>041 of the L47x/F1/F3/F4/G4 rows), none on the G0
 *     (no JTAG); AHB-AP IDR 0x24770011 (Cortex-M4, ADIv5 §C2.6.5), 0x04770031 (Cortex-M0+
 *     AHB-AP, UNCONFIRMED: ARM DDI 0484 not retrieved);
 *   option words: register offsets CMSIS-L4/G0/G4 and OpenOCD stm32l4_flash_regs; places in the
 *     option area RM0351 §3.4.1 Table 12 (bank 2 at 0x1FFFF8xx), RM0444 §3.4.1, RM0440 §5.4.1;
 *     writable masks = the CMSIS field masks; factory values: OPTR 0xFFEFF8AA on L4 and G4
 *     (RM0351 §3.7.8 and RM0440 §5.7.8 "factory value"; also the value users read on new
 *     G431 boards), 0xFFFFFEAA on G0 (UNCONFIRMED: RM0444 text not retrieved), WRP areas as
 *     START=all ones > END=0 (unused) and PCROP areas as START=all ones > END=0 (the defaults the
 *     Black Magic Probe `option erase` command writes; reserved bits UNCONFIRMED);
 *   timings: L476 datasheet (DS10198) §6.3.10 Table 50, G071 datasheet (DS12232) Table 29, G431
 *     datasheet (DS12589) Table 42: 64-bit programming typ 81.69 us (L4/G4) / 85 us (G0), page
 *     erase typ 22.02 ms, mass erase typ 22.13 ms. The twin uses the typical values;
 *     UNCONFIRMED (quoted from memory in stm32-optr.md §6): all of them. The option-byte
 *     operation (OPTSTRT) is a page erase plus one double word per option word (UNCONFIRMED:
 *     no datasheet row); a fast-programming row (32 double words) 2.0 ms (UNCONFIRMED). */
#include <stddef.h>
#include <strings.h>

#include "stm32l4/l4.h"

#define US 1000ULL
#define MS 1000000ULL

static const l4_variant l4_variants[] = {
	{
		.name = "stm32l476rg",
		.family = "STM32L47x/L48x",
		.manual = "RM0351",
		.kind = L4K_L4,
		.dev_id = 0x415,
		.rev_id = 0x1007, /* revision "4" (OpenOCD stm32l47_l48xx_revs) */
		.flash_bytes = 1024U * 1024U,
		.page_bytes = 2048,
		.banks = 2,
		.sram_bytes = 128U * 1024U,
		.dbgmcu = L4_DBGMCU_L4,
		.jtag = true,
		.dpidr_swd = 0x2BA01477U,
		.idcode_jtag = 0x4BA00477U,
		.cpuid = 0x410FC241U,
		.bs_idcode = 0x06415041U,
		.ahbap_idr = 0x24770011U,
		.bl_version = 0x31,
		.bl_ram_start = 0x20003100U,
		.sysmem_end = 0x1FFF7000U,
		.wrp_field = 0xFF,
		.pcrop_field = 0xFFFF,
		.pcrop_shift = 3,
		.nopt = 9,
		.opt = {
			{"OPTR", 0x20, 0x1FFF7800U, 0x0F9F77FFU, 0xFFEFF8AAU},
			{"PCROP1SR", 0x24, 0x1FFF7808U, 0x0000FFFFU, 0xFFFFFFFFU},
			{"PCROP1ER", 0x28, 0x1FFF7810U, 0x8000FFFFU, 0x00000000U},
			{"WRP1AR", 0x2C, 0x1FFF7818U, 0x00FF00FFU, 0x000000FFU},
			{"WRP1BR", 0x30, 0x1FFF7820U, 0x00FF00FFU, 0x000000FFU},
			{"PCROP2SR", 0x44, 0x1FFFF808U, 0x0000FFFFU, 0xFFFFFFFFU},
			{"PCROP2ER", 0x48, 0x1FFFF810U, 0x0000FFFFU, 0x00000000U},
			{"WRP2AR", 0x4C, 0x1FFFF818U, 0x00FF00FFU, 0x000000FFU},
			{"WRP2BR", 0x50, 0x1FFFF820U, 0x00FF00FFU, 0x000000FFU},
		},
		.o_wrp1a = 3, .o_wrp1b = 4, .o_wrp2a = 7, .o_wrp2b = 8,
		.o_pcrop1s = 1, .o_pcrop1e = 2, .o_pcrop2s = 5, .o_pcrop2e = 6,
		.nbkp = 32,
		.t_dw = 81690, .t_page = 22020 * US, .t_mass = 22130 * US,
		.t_opt = 22020 * US + 9 * 81690, .t_row = 2 * MS,
	},
	{
		.name = "stm32l433rc",
		.family = "STM32L43x/L44x",
		.manual = "RM0394",
		.kind = L4K_L4,
		.dev_id = 0x435,
		.rev_id = 0x1001,
		.flash_bytes = 256U * 1024U,
		.page_bytes = 2048,
		.banks = 1,
		.sram_bytes = 64U * 1024U,
		.dbgmcu = L4_DBGMCU_L4,
		.jtag = true,
		.dpidr_swd = 0x2BA01477U,
		.idcode_jtag = 0x4BA00477U,
		.cpuid = 0x410FC241U,
		.bs_idcode = 0x06435041U,
		.ahbap_idr = 0x24770011U,
		.bl_version = 0x31,
		.bl_ram_start = 0x20003100U,
		.sysmem_end = 0x1FFF7000U,
		.wrp_field = 0xFF,
		.pcrop_field = 0xFFFF,
		.pcrop_shift = 3,
		.nopt = 5,
		.opt = {
			{"OPTR", 0x20, 0x1FFF7800U, 0x0F8F77FFU, 0xFFEFF8AAU},
			{"PCROP1SR", 0x24, 0x1FFF7808U, 0x0000FFFFU, 0xFFFFFFFFU},
			{"PCROP1ER", 0x28, 0x1FFF7810U, 0x8000FFFFU, 0x00000000U},
			{"WRP1AR", 0x2C, 0x1FFF7818U, 0x00FF00FFU, 0x000000FFU},
			{"WRP1BR", 0x30, 0x1FFF7820U, 0x00FF00FFU, 0x000000FFU},
		},
		.o_wrp1a = 3, .o_wrp1b = 4, .o_wrp2a = -1, .o_wrp2b = -1,
		.o_pcrop1s = 1, .o_pcrop1e = 2, .o_pcrop2s = -1, .o_pcrop2e = -1,
		.nbkp = 32,
		.t_dw = 81690, .t_page = 22020 * US, .t_mass = 22130 * US,
		.t_opt = 22020 * US + 5 * 81690, .t_row = 2 * MS,
	},
	{
		.name = "stm32g071rb",
		.family = "STM32G07x/G08x",
		.manual = "RM0444",
		.kind = L4K_G0,
		.dev_id = 0x460,
		.rev_id = 0x2000,
		.flash_bytes = 128U * 1024U,
		.page_bytes = 2048,
		.banks = 1,
		.sram_bytes = 36U * 1024U,
		.dbgmcu = L4_DBGMCU_G0,
		.jtag = false,
		.dpidr_swd = 0x0BC11477U,
		.idcode_jtag = 0,
		.cpuid = 0x410CC601U,
		.bs_idcode = 0,
		.ahbap_idr = 0x04770031U,
		.bl_version = 0x31,
		.bl_ram_start = 0x20002700U,
		.sysmem_end = 0x1FFF7000U,
		.wrp_field = 0x3F,
		.pcrop_field = 0xFF,
		.pcrop_shift = 9,
		.nopt = 8,
		.opt = {
			{"OPTR", 0x20, 0x1FFF7800U, 0x3F4FFFFFU, 0xFFFFFEAAU},
			{"PCROP1ASR", 0x24, 0x1FFF7808U, 0x000000FFU, 0xFFFFFFFFU},
			{"PCROP1AER", 0x28, 0x1FFF7810U, 0x800000FFU, 0x00000000U},
			{"WRP1AR", 0x2C, 0x1FFF7818U, 0x003F003FU, 0x000000FFU},
			{"WRP1BR", 0x30, 0x1FFF7820U, 0x003F003FU, 0x000000FFU},
			{"PCROP1BSR", 0x34, 0x1FFF7828U, 0x000000FFU, 0xFFFFFFFFU},
			{"PCROP1BER", 0x38, 0x1FFF7830U, 0x000000FFU, 0x00000000U},
			{"SECR", 0x80, 0x1FFF7870U, 0x0001007FU, 0x00000000U},
		},
		.o_wrp1a = 3, .o_wrp1b = 4, .o_wrp2a = -1, .o_wrp2b = -1,
		.o_pcrop1s = 1, .o_pcrop1e = 2, .o_pcrop2s = 5, .o_pcrop2e = 6,
		.nbkp = 5,
		.t_dw = 85 * US, .t_page = 22000 * US, .t_mass = 22100 * US,
		.t_opt = 22000 * US + 8 * 85 * US, .t_row = 2 * MS,
	},
	{
		.name = "stm32g431rb",
		.family = "STM32G431/G441",
		.manual = "RM0440",
		.kind = L4K_G4,
		.dev_id = 0x468,
		.rev_id = 0x2001,
		.flash_bytes = 128U * 1024U,
		.page_bytes = 2048,
		.banks = 1,
		.sram_bytes = 22U * 1024U,
		.dbgmcu = L4_DBGMCU_L4,
		.jtag = true,
		.dpidr_swd = 0x2BA01477U,
		.idcode_jtag = 0x4BA00477U,
		.cpuid = 0x410FC241U,
		.bs_idcode = 0x06468041U,
		.ahbap_idr = 0x24770011U,
		.bl_version = 0x31,
		.bl_ram_start = 0x20004000U,
		.sysmem_end = 0x1FFF7000U,
		/* RM0440 §5.7.11: WRP1A_STRT[6:0]; OpenOCD's comment says category 2 parts implement
		 * 6 bits only (UNCONFIRMED; the twin follows the manual) */
		.wrp_field = 0x7F,
		.pcrop_field = 0x7FFF,
		.pcrop_shift = 3,
		.nopt = 6,
		.opt = {
			{"OPTR", 0x20, 0x1FFF7800U, 0x7F8F77FFU, 0xFFEFF8AAU},
			{"PCROP1SR", 0x24, 0x1FFF7808U, 0x00007FFFU, 0xFFFFFFFFU},
			{"PCROP1ER", 0x28, 0x1FFF7810U, 0x80007FFFU, 0x00FF0000U},
			{"WRP1AR", 0x2C, 0x1FFF7818U, 0x007F007FU, 0xFF00FFFFU},
			{"WRP1BR", 0x30, 0x1FFF7820U, 0x007F007FU, 0xFF00FFFFU},
			{"SEC1R", 0x70, 0x1FFF7828U, 0x000100FFU, 0xFF00FF00U},
		},
		.o_wrp1a = 3, .o_wrp1b = 4, .o_wrp2a = -1, .o_wrp2b = -1,
		.o_pcrop1s = 1, .o_pcrop1e = 2, .o_pcrop2s = -1, .o_pcrop2e = -1,
		.nbkp = 32,
		.t_dw = 81690, .t_page = 22020 * US, .t_mass = 22130 * US,
		.t_opt = 22020 * US + 6 * 81690, .t_row = 2 * MS,
	},
};

const l4_variant *tw_l4_variant_at(unsigned i)
{
	return i < sizeof l4_variants / sizeof l4_variants[0] ? &l4_variants[i] : NULL;
}

/* The CHIP word of `new` (case-insensitive). */
const l4_variant *tw_l4_variant_find(const char *name)
{
	if (!name)
		return NULL;
	for (unsigned i = 0; i < sizeof l4_variants / sizeof l4_variants[0]; i++) {
		const char *n = l4_variants[i].name;
		if (strcasecmp(name, n) == 0)
			return &l4_variants[i];
	}
	return NULL;
}
