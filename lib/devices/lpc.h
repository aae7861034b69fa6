/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC parts reached over the boot ROM's UART ISP: part IDs, flash sectors, the RAM the ISP
 * lets a tool write, the copy sizes, and the Code Read Protection word. Data and pure decoding.
 * Sources: UM10360 Rev. 4.1 (LPC176x/5x) §32.5 Table 568 (sectors), §32.7.11 Table 583 (part
 * IDs), §32.6 (CRP levels, the word at 0x2FC), Table 579 (Copy RAM to Flash: 256-byte boundary,
 * 256 | 512 | 1024 | 4096 bytes); UM10601 Rev. 1.6 (LPC81x) §21.5, Table 260 (part IDs), 16
 * sectors of 1 KiB, 64-byte boundary, 64 .. 1024 bytes, W/R in raw bytes; UM10800 Table 311
 * (what CRP1 and CRP2 refuse; the CRP1 RAM floor for W); lpc21isp 1.97 LPCtypes[] (the RAM
 * buffer a tool uses); ../shared/reference/lpc-isp.md §1-§2. */
#ifndef FK_DEVICES_LPC_H
#define FK_DEVICES_LPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LPC_CRP_ADDR 0x000002FCU
#define LPC_CRP1_WORD 0x12345678U
#define LPC_CRP2_WORD 0x87654321U
#define LPC_CRP3_WORD 0x43218765U
#define LPC_NO_ISP_WORD 0x4E697370U

typedef enum lpc_crp {
	LPC_CRP_NONE = 0,
	LPC_CRP1 = 1,
	LPC_CRP2 = 2,
	LPC_CRP3 = 3,
	LPC_NO_ISP = 4,
} lpc_crp;

typedef struct lpc_device {
	uint32_t part_id;       /* Read Part ID (J) */
	const char *name;       /* "lpc1768" */
	const char *line;       /* "lpc17xx": the --chip family word of the line */
	const char *desc;       /* "LPC1768 (LPC176x/5x)" */
	const char *manual;     /* "UM10360" */
	uint32_t flash_bytes;
	uint32_t small_sector;  /* the first small_count sectors, then large_sector ones */
	unsigned small_count;
	uint32_t large_sector;
	uint32_t ram_base, ram_bytes;
	/* where the driver puts data for Copy RAM to Flash: at the CRP1 floor of W, so that the
	 * same buffer works at CRP1 (UM10800 Table 311) */
	uint32_t ram_buf;
	uint32_t copy_max;      /* the largest Copy RAM to Flash count */
	uint32_t copy_min;      /* the smallest (and the flash address alignment) */
	bool binary;            /* W/R carry raw bytes (LPC8xx), else UU lines */
	uint32_t remap_bytes;   /* ISP reads of 0 .. remap_bytes-1 see the boot ROM's vectors */
	const char *isp_pin;    /* "P2.10" */
} lpc_device;

const lpc_device *lpc_dev_find(uint32_t part_id);
/* The part named (a part "lpc1768" or its line "lpc17xx"), first of the line for a line. */
const lpc_device *lpc_dev_by_name(const char *name);
unsigned lpc_dev_nsectors(const lpc_device *d);
uint32_t lpc_dev_sector_addr(const lpc_device *d, unsigned s);
uint32_t lpc_dev_sector_size(const lpc_device *d, unsigned s);
/* The level a CRP word selects (UM10360 §32.6): anything but the four patterns is none. */
lpc_crp lpc_crp_decode(uint32_t word);
const char *lpc_crp_name(lpc_crp c); /* "CRP1", ..., "none" */
/* Could the part start from this vector table: an initial SP in its RAM and a Thumb reset
 * handler in its flash (what both LPC drivers check before `run`). When not, why says so. */
bool lpc_dev_vectors_ok(const lpc_device *d, uint32_t sp, uint32_t reset, char *why, size_t n);

#endif
