/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC device table and CRP decoding (see lpc.h for the sources). */
#include "devices/lpc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const lpc_device lpc_devices[] = {
	/* UM10360 Table 583 part IDs; Table 568: sectors 0-15 of 4 KiB, 16-29 of 32 KiB; 32 KiB
	 * local SRAM at 0x1000 0000 (ch. 2); W floor at CRP1 0x1000 0200 (UM10800 Table 311,
	 * lpc21isp's LPC17xx RAM buffer); ISP pin P2.10 (§32.1) */
	{0x26013F37U, "lpc1768", "lpc17xx", "LPC1768 (LPC176x/5x)", "UM10360", 512U * 1024U, 4096U,
	 16, 32768U, 0x10000000U, 32U * 1024U, 0x10000200U, 4096U, 256U, false, 64, "P2.10"},
	{0x26113F37U, "lpc1769", "lpc17xx", "LPC1769 (LPC176x/5x)", "UM10360", 512U * 1024U, 4096U,
	 16, 32768U, 0x10000000U, 32U * 1024U, 0x10000200U, 4096U, 256U, false, 64, "P2.10"},
	{0x25013F37U, "lpc1758", "lpc17xx", "LPC1758 (LPC176x/5x)", "UM10360", 512U * 1024U, 4096U,
	 16, 32768U, 0x10000000U, 32U * 1024U, 0x10000200U, 4096U, 256U, false, 64, "P2.10"},
	/* UM10601 Table 260: LPC812M101JDH16/JD20/JDH20; 16 sectors of 1 KiB; 4 KiB SRAM; W floor
	 * at CRP1 0x1000 0300 (UM10800 Table 311); ISP pin PIO0_1 (§21.3) */
	{0x00008120U, "lpc812", "lpc8xx", "LPC812M101JDH16 (LPC81x)", "UM10601", 16U * 1024U, 1024U,
	 16, 1024U, 0x10000000U, 4U * 1024U, 0x10000300U, 1024U, 64U, true, 64, "PIO0_1"},
	{0x00008121U, "lpc812", "lpc8xx", "LPC812M101JD20 (LPC81x)", "UM10601", 16U * 1024U, 1024U,
	 16, 1024U, 0x10000000U, 4U * 1024U, 0x10000300U, 1024U, 64U, true, 64, "PIO0_1"},
	{0x00008122U, "lpc812", "lpc8xx", "LPC812M101JDH20 (LPC81x)", "UM10601", 16U * 1024U, 1024U,
	 16, 1024U, 0x10000000U, 4U * 1024U, 0x10000300U, 1024U, 64U, true, 64, "PIO0_1"},
};

const lpc_device *lpc_dev_find(uint32_t part_id)
{
	for (size_t i = 0; i < sizeof lpc_devices / sizeof lpc_devices[0]; i++)
		if (lpc_devices[i].part_id == part_id)
			return &lpc_devices[i];
	return NULL;
}

const lpc_device *lpc_dev_by_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof lpc_devices / sizeof lpc_devices[0]; i++)
		if (!strcasecmp(name, lpc_devices[i].name) || !strcasecmp(name, lpc_devices[i].line))
			return &lpc_devices[i];
	return NULL;
}

unsigned lpc_dev_nsectors(const lpc_device *d)
{
	return d->small_count + (d->flash_bytes - d->small_count * d->small_sector) / d->large_sector;
}

uint32_t lpc_dev_sector_addr(const lpc_device *d, unsigned s)
{
	if (s <= d->small_count)
		return s * d->small_sector;
	return d->small_count * d->small_sector + (s - d->small_count) * d->large_sector;
}

uint32_t lpc_dev_sector_size(const lpc_device *d, unsigned s)
{
	return s < d->small_count ? d->small_sector : d->large_sector;
}

lpc_crp lpc_crp_decode(uint32_t word)
{
	switch (word) {
	case LPC_CRP1_WORD: return LPC_CRP1;
	case LPC_CRP2_WORD: return LPC_CRP2;
	case LPC_CRP3_WORD: return LPC_CRP3;
	case LPC_NO_ISP_WORD: return LPC_NO_ISP;
	default: return LPC_CRP_NONE;
	}
}

const char *lpc_crp_name(lpc_crp c)
{
	static const char *const names[] = {"none", "CRP1", "CRP2", "CRP3", "NO_ISP"};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

bool lpc_dev_vectors_ok(const lpc_device *d, uint32_t sp, uint32_t reset, char *why, size_t n)
{
	bool ok = sp > d->ram_base && sp <= d->ram_base + d->ram_bytes && (reset & 1U) &&
		  (reset & ~1U) < d->flash_bytes;
	if (!ok && why && n)
		snprintf(why, n, "SP 0x%08X must be in RAM 0x%08X-0x%08X and the reset handler "
			 "0x%08X odd (Thumb) in flash below 0x%08X", sp, d->ram_base,
			 d->ram_base + d->ram_bytes, reset, d->flash_bytes);
	return ok;
}
