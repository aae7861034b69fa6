/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4 device rows (sources in stm32l4.h; per row below). */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "devices/stm32l4.h"

/* FLASH_OPTR user fields. L4: RM0351 §3.7.8; G4: RM0440 §5.7.8; G0: RM0444 §3.7.8 (bit
 * positions as in the CMSIS headers, stm32-optr.md §1). A field is offered on a part when its
 * bits are writable there (the part's OPTR mask). */
static const stm32l4_field l4_fields[] = {
	{"bor_lev", 8, 3, "BOR_LEV[10:8]: brown-out reset level 0-4 (1.7 V .. 2.8 V)"},
	{"nrst_stop", 12, 1, "nRST_STOP: 0 = reset when entering Stop mode"},
	{"nrst_stdby", 13, 1, "nRST_STDBY: 0 = reset when entering Standby mode"},
	{"nrst_shdw", 14, 1, "nRST_SHDW: 0 = reset when entering Shutdown mode"},
	{"iwdg_sw", 16, 1, "IWDG_SW: 1 = independent watchdog started by software, 0 = hardware"},
	{"iwdg_stop", 17, 1, "IWDG_STOP: 0 = watchdog frozen in Stop mode"},
	{"iwdg_stdby", 18, 1, "IWDG_STDBY: 0 = watchdog frozen in Standby mode"},
	{"wwdg_sw", 19, 1, "WWDG_SW: 1 = window watchdog started by software"},
	{"bfb2", 20, 1, "BFB2: 1 = boot from bank 2 when it holds a valid image"},
	{"dualbank", 21, 1, "DUALBANK: dual-bank mode of the 256/512 KiB parts"},
	{"nboot1", 23, 1, "nBOOT1: with BOOT0 = 1, 1 boots system memory, 0 SRAM1"},
	{"sram2_pe", 24, 1, "SRAM2_PE: 0 = SRAM2 parity check enabled"},
	{"sram2_rst", 25, 1, "SRAM2_RST: 0 = SRAM2 erased at a system reset"},
	{"nswboot0", 26, 1, "nSWBOOT0: 0 = BOOT0 taken from nBOOT0, 1 = from the PH3/BOOT0 pin"},
	{"nboot0", 27, 1, "nBOOT0: the boot-0 value when nSWBOOT0 = 0"},
};

static const stm32l4_field g4_fields[] = {
	{"bor_lev", 8, 3, "BOR_LEV[10:8]: brown-out reset level 0-4"},
	{"nrst_stop", 12, 1, "nRST_STOP: 0 = reset when entering Stop mode"},
	{"nrst_stdby", 13, 1, "nRST_STDBY: 0 = reset when entering Standby mode"},
	{"nrst_shdw", 14, 1, "nRST_SHDW: 0 = reset when entering Shutdown mode"},
	{"iwdg_sw", 16, 1, "IWDG_SW: 1 = independent watchdog started by software, 0 = hardware"},
	{"iwdg_stop", 17, 1, "IWDG_STOP: 0 = watchdog frozen in Stop mode"},
	{"iwdg_stdby", 18, 1, "IWDG_STDBY: 0 = watchdog frozen in Standby mode"},
	{"wwdg_sw", 19, 1, "WWDG_SW: 1 = window watchdog started by software"},
	{"nboot1", 23, 1, "nBOOT1: with BOOT0 = 1, 1 boots system memory, 0 SRAM1"},
	{"sram_pe", 24, 1, "SRAM_PE: 0 = SRAM1 and CCM SRAM parity check enabled"},
	{"ccmsram_rst", 25, 1, "CCMSRAM_RST: 0 = CCM SRAM erased at a system reset"},
	{"nswboot0", 26, 1, "nSWBOOT0: 0 = BOOT0 taken from nBOOT0, 1 = from the PB8-BOOT0 pin"},
	{"nboot0", 27, 1, "nBOOT0: the boot-0 value when nSWBOOT0 = 0"},
	{"nrst_mode", 28, 2, "NRST_MODE: 1 = reset input only, 2 = GPIO, 3 = bidirectional reset"},
	{"irhen", 30, 1, "IRHEN: 1 = internal resets drive NRST low"},
};

static const stm32l4_field g0_fields[] = {
	{"bor_en", 8, 1, "BOR_EN: 1 = brown-out reset enabled (levels BORR_LEV/BORF_LEV)"},
	{"borr_lev", 9, 2, "BORR_LEV: rising brown-out threshold 0-3 (2.1 V .. 3.1 V)"},
	{"borf_lev", 11, 2, "BORF_LEV: falling brown-out threshold 0-3 (2.0 V .. 3.0 V)"},
	{"nrst_stop", 13, 1, "nRST_STOP: 0 = reset when entering Stop mode"},
	{"nrst_stdby", 14, 1, "nRST_STDBY: 0 = reset when entering Standby mode"},
	{"nrst_shdw", 15, 1, "nRST_SHDW: 0 = reset when entering Shutdown mode"},
	{"iwdg_sw", 16, 1, "IWDG_SW: 1 = independent watchdog started by software, 0 = hardware"},
	{"iwdg_stop", 17, 1, "IWDG_STOP: 0 = watchdog frozen in Stop mode"},
	{"iwdg_stdby", 18, 1, "IWDG_STDBY: 0 = watchdog frozen in Standby mode"},
	{"wwdg_sw", 19, 1, "WWDG_SW: 1 = window watchdog started by software"},
	{"ram_parity", 22, 1, "RAM_PARITY_CHECK: 0 = SRAM parity check enabled"},
	{"nboot_sel", 24, 1, "nBOOT_SEL: 1 = BOOT0 taken from nBOOT0, 0 = from the PA14-BOOT0 pin"},
	{"nboot1", 25, 1, "nBOOT1: with BOOT0 = 1, 1 boots system memory, 0 SRAM"},
	{"nboot0", 26, 1, "nBOOT0: the boot-0 value when nBOOT_SEL = 1"},
	{"nrst_mode", 27, 2, "NRST_MODE: 1 = reset input only, 2 = GPIO, 3 = bidirectional reset"},
	{"irhen", 29, 1, "IRHEN: 1 = internal resets drive NRST low"},
};

static const stm32l4_device l4_devices[] = {
	{
		/* RM0351 §3.3.1 Table 9 (1 MiB: two banks of 256 pages of 2 KiB); §3.7.8-§3.7.14:
		 * OPTR writable bits 0x0F9F77FF, PCROPx 16-bit fields in double words from the
		 * bank start, WRPxy 8-bit page fields per bank */
		.dev_id = 0x415,
		.name = "stm32l47x",
		.desc = "STM32L47x/L48x",
		.members = "stm32l475 stm32l476 stm32l486 stm32l476rg stm32l476vg stm32l476xg",
		.kind = STM32L4_KIND_L4,
		.manual = "RM0351",
		.chapter = "3",
		.max_kb = 1024,
		.page_bytes = 2048,
		.dual_bank = true,
		.sram_kb = 128,
		.bl_ram_lo = 0x20003100U, /* stm32flash 0.7 dev_table.c */
		.bl_ram_hi = 0x20018000U,
		.idcode_addr = STM32L4_DBGMCU_L4,
		.cpu_part = 0xC24,
		.wrp_field = 0xFF,
		.pcrop_field = 0xFFFF,
		.pcrop_shift = 3,
		.nregs = 9,
		.regs = {{"OPTR", 0x20, 0x0F9F77FFU},
			 {"PCROP1SR", 0x24, 0x0000FFFFU},
			 {"PCROP1ER", 0x28, 0x8000FFFFU},
			 {"WRP1AR", 0x2C, 0x00FF00FFU},
			 {"WRP1BR", 0x30, 0x00FF00FFU},
			 {"PCROP2SR", 0x44, 0x0000FFFFU},
			 {"PCROP2ER", 0x48, 0x0000FFFFU},
			 {"WRP2AR", 0x4C, 0x00FF00FFU},
			 {"WRP2BR", 0x50, 0x00FF00FFU}},
		.i_wrp = {3, 4, 7, 8},
		.i_pcs = {1, 5},
		.i_pce = {2, 6},
		.nbkp = 32,
		.bkp_name = "RTC_BKPxR",
	},
	{
		/* RM0394 §3.3.1 (256 KiB, single bank of 128 pages); §3.7.8 OPTR bits 0x0F8F77FF */
		.dev_id = 0x435,
		.name = "stm32l43x",
		.desc = "STM32L43x/L44x",
		.members = "stm32l431 stm32l432 stm32l433 stm32l442 stm32l443 stm32l433rc",
		.kind = STM32L4_KIND_L4,
		.manual = "RM0394",
		.chapter = "3",
		.max_kb = 256,
		.page_bytes = 2048,
		.dual_bank = false,
		.sram_kb = 64,
		.bl_ram_lo = 0x20003100U, /* stm32flash 0.7 dev_table.c */
		.bl_ram_hi = 0x2000C000U,
		.idcode_addr = STM32L4_DBGMCU_L4,
		.cpu_part = 0xC24,
		.wrp_field = 0xFF,
		.pcrop_field = 0xFFFF,
		.pcrop_shift = 3,
		.nregs = 5,
		.regs = {{"OPTR", 0x20, 0x0F8F77FFU},
			 {"PCROP1SR", 0x24, 0x0000FFFFU},
			 {"PCROP1ER", 0x28, 0x8000FFFFU},
			 {"WRP1AR", 0x2C, 0x00FF00FFU},
			 {"WRP1BR", 0x30, 0x00FF00FFU}},
		.i_wrp = {3, 4, -1, -1},
		.i_pcs = {1, -1},
		.i_pce = {2, -1},
		.nbkp = 32,
		.bkp_name = "RTC_BKPxR",
	},
	{
		/* RM0444 §3.3.1 (128 KiB, 64 pages of 2 KiB); §3.7.8 OPTR bits 0x3F4FFFFF;
		 * §3.7.9-§3.7.13 PCROP1A/1B in 512-byte units (8 bits), WRP1A/1B 6-bit fields */
		.dev_id = 0x460,
		.name = "stm32g07x",
		.desc = "STM32G07x/G08x",
		.members = "stm32g070 stm32g071 stm32g081 stm32g071rb stm32g071kb stm32g081rb",
		.kind = STM32L4_KIND_G0,
		.manual = "RM0444",
		.chapter = "3",
		.max_kb = 128,
		.page_bytes = 2048,
		.dual_bank = false,
		.sram_kb = 36,
		.bl_ram_lo = 0x20002700U, /* stm32flash 0.7 dev_table.c */
		.bl_ram_hi = 0x20009000U,
		.idcode_addr = STM32L4_DBGMCU_G0,
		.cpu_part = 0xC60,
		.wrp_field = 0x3F,
		.pcrop_field = 0xFF,
		.pcrop_shift = 9,
		.nregs = 7,
		.regs = {{"OPTR", 0x20, 0x3F4FFFFFU},
			 {"PCROP1ASR", 0x24, 0x000000FFU},
			 {"PCROP1AER", 0x28, 0x800000FFU},
			 {"WRP1AR", 0x2C, 0x003F003FU},
			 {"WRP1BR", 0x30, 0x003F003FU},
			 {"PCROP1BSR", 0x34, 0x000000FFU},
			 {"PCROP1BER", 0x38, 0x000000FFU}},
		.i_wrp = {3, 4, -1, -1},
		.i_pcs = {1, 5},
		.i_pce = {2, 6},
		.nbkp = 5,
		.bkp_name = "TAMP_BKPxR",
	},
	{
		/* RM0440 §5.3.1 (category 2: 128 KiB, 64 pages of 2 KiB, single bank); §5.7.8 OPTR
		 * bits 0x7F8F77FF; §5.7.9-§5.7.12 PCROP 15-bit fields in double words, WRP 7-bit */
		.dev_id = 0x468,
		.name = "stm32g43x",
		.desc = "STM32G431/G441",
		.members = "stm32g431 stm32g441 stm32g431rb stm32g431kb stm32g431cb",
		.kind = STM32L4_KIND_G4,
		.manual = "RM0440",
		.chapter = "5",
		.max_kb = 128,
		.page_bytes = 2048,
		.dual_bank = false,
		.sram_kb = 22,
		.bl_ram_lo = 0x20004000U, /* stm32flash 0.7 dev_table.c */
		.bl_ram_hi = 0x20005800U,
		.idcode_addr = STM32L4_DBGMCU_L4,
		.cpu_part = 0xC24,
		.wrp_field = 0x7F,
		.pcrop_field = 0x7FFF,
		.pcrop_shift = 3,
		.nregs = 5,
		.regs = {{"OPTR", 0x20, 0x7F8F77FFU},
			 {"PCROP1SR", 0x24, 0x00007FFFU},
			 {"PCROP1ER", 0x28, 0x80007FFFU},
			 {"WRP1AR", 0x2C, 0x007F007FU},
			 {"WRP1BR", 0x30, 0x007F007FU}},
		.i_wrp = {3, 4, -1, -1},
		.i_pcs = {1, -1},
		.i_pce = {2, -1},
		.nbkp = 32,
		.bkp_name = "RTC_BKPxR",
	},
};

const stm32l4_device *stm32l4_dev_at(unsigned i)
{
	return i < sizeof l4_devices / sizeof l4_devices[0] ? &l4_devices[i] : NULL;
}

const stm32l4_device *stm32l4_dev_find(uint16_t dev_id)
{
	for (unsigned i = 0; stm32l4_dev_at(i); i++)
		if (l4_devices[i].dev_id == dev_id)
			return &l4_devices[i];
	return NULL;
}

/* The canonical name, or one of the members; "stm32l476rg" also matches member "stm32l476"
 * as a prefix (package and size letters follow the line's digits). */
bool stm32l4_dev_matches(const stm32l4_device *d, const char *name)
{
	if (strcasecmp(name, d->name) == 0)
		return true;
	for (const char *p = d->members; *p;) {
		size_t w = strcspn(p, " ");
		if (w && strncasecmp(name, p, w) == 0 &&
		    (name[w] == '\0' || (w == 9 && strlen(name) <= 12)))
			return true;
		p += w;
		p += *p == ' ';
	}
	return false;
}

unsigned stm32l4_dev_fields(const stm32l4_device *d, const stm32l4_field **out, unsigned cap)
{
	const stm32l4_field *t = d->kind == STM32L4_KIND_G0 ? g0_fields
				 : d->kind == STM32L4_KIND_G4 ? g4_fields : l4_fields;
	unsigned nt = d->kind == STM32L4_KIND_G0   ? sizeof g0_fields / sizeof g0_fields[0]
		      : d->kind == STM32L4_KIND_G4 ? sizeof g4_fields / sizeof g4_fields[0]
						   : sizeof l4_fields / sizeof l4_fields[0];
	unsigned n = 0;
	for (unsigned i = 0; i < nt && n < cap; i++) {
		uint32_t m = ((1U << t[i].bits) - 1U) << t[i].shift;
		if ((d->regs[0].mask & m) == m)
			out[n++] = &t[i];
	}
	return n;
}

unsigned stm32l4_rdp_level(uint8_t rdp)
{
	return rdp == 0xAA ? 0U : rdp == 0xCC ? 2U : 1U;
}
