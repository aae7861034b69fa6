/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR flash parts as data: JEDEC IDs, sizes, status-register bit maps, which bits are
 * writable / one-time / volatile-capable, the protection-range rule, security registers,
 * timings, and the SFDP table a part serves. Validated by tests/unit/test_spinor_devices.c.
 *
 * Sources (keys used in the rows and comments):
 *   W32  Winbond W25Q32JV datasheet (same register map and table shape as W64, 4 MiB)
 *   W64  Winbond W25Q64JV datasheet Rev J (2018-03-27): §7.1 status registers and protection
 *        tables (pp.13-20), §8.1 ID and instruction tables (pp.21-23), §8.2.5 WRSR, §9.6 AC
 *   W128 Winbond W25Q128JV datasheet (same register map, 16 MiB)
 *   GD64 GigaDevice GD25Q64C datasheet §5 data protection, §6 status register, §7.3-7.5
 *   MX64 Macronix MX25L6433F datasheet: status register, configuration register (TB), table 2
 *   JESD216 (SFDP header and Basic Flash Parameter Table, first 9 DWORDs)
 * and ../shared/reference/spi-nor.md, which summarises them. Where a value could not be checked
 * against the part's own datasheet the row says UNCONFIRMED and why the value was chosen. */
#ifndef FK_DEVICES_SPINOR_H
#define FK_DEVICES_SPINOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPINOR_PAGE 256U
#define SPINOR_SECTOR 4096U
#define SPINOR_BLOCK32 32768U
#define SPINOR_BLOCK64 65536U

/* The status/configuration registers a part may have, as read by 05h/35h/15h. On Macronix
 * parts 15h reads the configuration register (CR) and 01h writes SR then CR (MX64). */
enum { SPINOR_SR1, SPINOR_SR2, SPINOR_SR3, SPINOR_NREGS };

/* Named status bits. A part maps each to a register and bit, or marks it absent. */
typedef enum spinor_field {
	SPINOR_BUSY, /* WIP on Macronix */
	SPINOR_WEL,
	SPINOR_BP0, SPINOR_BP1, SPINOR_BP2, SPINOR_BP3,
	SPINOR_TB,
	SPINOR_SEC,
	SPINOR_CMP,
	SPINOR_SRP0, /* SRP (W64), SRP0 (GD64), SRWD (MX64) */
	SPINOR_SRL,  /* SRL (W64), SRP1 (GD64) */
	SPINOR_QE,
	SPINOR_LB1, SPINOR_LB2, SPINOR_LB3,
	SPINOR_SUS,
	SPINOR_WPS,
	SPINOR_DRV0, SPINOR_DRV1,
	SPINOR_NFIELDS
} spinor_field;

typedef struct spinor_bitpos {
	uint8_t reg; /* SPINOR_SR1..SR3; SPINOR_NOREG = the part has no such bit */
	uint8_t bit;
} spinor_bitpos;
#define SPINOR_NOREG 0xFFU

/* How BP/TB/SEC/CMP select the protected range. */
typedef enum spinor_prot_rule {
	/* W64 §7.1 tables: 3 BP bits, TB, SEC (4 KiB granules), CMP inverts. BP=1..6 protect
	 * size/64 << (BP-1) (SEC=0) or 4 KiB << (BP-1) capped at 32 KiB (SEC=1); BP=7 all. */
	SPINOR_PROT_BP3_SEC_CMP,
	/* Macronix: 4 BP bits, TB; BP=1..7 protect 64 KiB << (BP-1), BP>=8 all (MX64 table 2). */
	SPINOR_PROT_BP4_TB,
} spinor_prot_rule;

/* Feature flags (which commands and register paths the part has). */
#define SPINOR_F_WRSR2_31H   (1U << 0) /* SR2 written by 31h (W64 §8.2.5) */
#define SPINOR_F_WRSR_2BYTE  (1U << 1) /* 01h takes a second byte: SR2 (or CR on Macronix) */
#define SPINOR_F_SR3         (1U << 2) /* 15h/11h read/write SR3 */
#define SPINOR_F_VOLATILE_SR (1U << 3) /* 50h volatile SR write enable */
#define SPINOR_F_SECREG      (1U << 4) /* security registers 48h/42h/44h, locked by LB1..3 */
#define SPINOR_F_BLOCKLOCK   (1U << 5) /* WPS=1 individual block locks 36h/39h/3Dh/7Eh/98h */
#define SPINOR_F_QE_FIXED    (1U << 6) /* QE reads 1 and cannot be cleared (W64 "IQ/JQ") */
#define SPINOR_F_CR_15H      (1U << 7) /* 15h reads the configuration register (Macronix) */
#define SPINOR_F_MX_OTP      (1U << 8) /* secured OTP: B1h/C1h enter/exit, 2Bh/2Fh RDSCUR/WRSCUR */
#define SPINOR_F_SRL_PWR_CLR (1U << 9) /* SRL returns to 0 at power-up (W64 §7.1 note 1) */
#define SPINOR_F_SRP1_OTP    (1U << 10) /* (SRP1,SRP0) = (1,1) makes the SR permanently
					  * read-only (GD64 §6, UNCONFIRMED see the row) */
#define SPINOR_F_UNIQUE_ID   (1U << 11) /* 4Bh: 4 dummy bytes, 64-bit unique ID */
#define SPINOR_F_OTP_UNCONFIRMED (1U << 12) /* the security registers' layout is not confirmed
					      * from the part's datasheet: read and shown, never
					      * programmed or locked (both are one-time) */

typedef struct spinor_timing {
	/* microseconds */
	uint32_t tw, tpp, tse, tbe32, tbe64, tce;
} spinor_timing;

typedef struct spinor_part {
	const char *key;       /* --chip / flashkey-twin new name: "w25q64jv" */
	const char *name;      /* "Winbond W25Q64JV-IQ/JQ" */
	const char *source;    /* datasheet key and sections */
	uint8_t id[3];         /* 9Fh: manufacturer, memory type, capacity */
	uint8_t id_alt[3];     /* another ordering option's ID (W64 -IM/JM: EF 70 17), or zeros */
	uint8_t dev_id;        /* ABh / 90h device ID byte */
	uint32_t size;         /* bytes */
	uint32_t flags;
	spinor_bitpos bits[SPINOR_NFIELDS];
	uint8_t nregs;                  /* registers readable: 1..3 (SR1, SR2 or CR, SR3) */
	uint8_t wmask[SPINOR_NREGS];    /* bits WRSR changes */
	uint8_t otp_mask[SPINOR_NREGS]; /* bits that never return to 0 once set (LB1..3, MX TB) */
	uint8_t factory[SPINOR_NREGS];  /* non-volatile values as shipped */
	spinor_prot_rule prot;
	uint8_t secreg_count;  /* security registers (48h/42h/44h) or 1 Macronix OTP area */
	uint16_t secreg_size;  /* bytes each */
	spinor_timing typ, max;
	const char *flashrom;  /* flashrom 1.3 entry name matching the ID ("" = none) */
	bool flashrom_wp;      /* flashrom 1.3 has a write-protect model for that entry */
} spinor_part;

extern const spinor_part spinor_parts[];
extern const size_t spinor_nparts;

/* By --chip key (case-insensitive); NULL if unknown. */
const spinor_part *spinor_part_by_key(const char *key);
/* By 9Fh bytes (main or alternative ID); NULL if not in the table. */
const spinor_part *spinor_part_by_id(const uint8_t id[3]);
/* "busy", "wel", "bp0", ..., "drv1": the semantic key of a field. */
const char *spinor_field_name(spinor_field f);
/* Field by semantic key; -1 if unknown. */
int spinor_field_by_name(const char *name);
/* True when the part has the field. */
bool spinor_has(const spinor_part *p, spinor_field f);
/* The field's value in regs[] (0 or 1), or -1 if the part has no such bit. */
int spinor_get(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], spinor_field f);
/* Set or clear the field in regs[] (no effect if absent). */
void spinor_set(const spinor_part *p, uint8_t regs[SPINOR_NREGS], spinor_field f, bool v);
/* BP bits as an integer (BP0 = bit 0) and how many the part has. */
unsigned spinor_bp(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], unsigned *nbp);

/* The range BP/TB/SEC/CMP protect (WPS=0), as [start, start+len). len 0 = none. */
void spinor_prot_range(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], uint32_t *start,
		       uint32_t *len);

/* Status-register protection mode from SRP0/SRL and the /WP pin (W64 §7.1 table). */
typedef enum spinor_srp_mode {
	SPINOR_SRP_SOFTWARE,  /* SRL=0 SRP=0: writable after WREN */
	SPINOR_SRP_HW,        /* SRL=0 SRP=1: locked while /WP is low */
	SPINOR_SRP_POWER,     /* SRL=1: locked until the next power cycle */
	SPINOR_SRP_PERMANENT, /* one-time programmed (GD64 SRP1=SRP0=1) */
} spinor_srp_mode;
spinor_srp_mode spinor_srp(const spinor_part *p, const uint8_t regs[SPINOR_NREGS]);
const char *spinor_srp_name(spinor_srp_mode m);

/* Individual block-lock units (W64 Fig. 4d): the bottom and top 64 KiB blocks are locked per
 * 4 KiB sector, the blocks between per 64 KiB. Unit index for an address, and the unit's range. */
unsigned spinor_lock_units(const spinor_part *p);
unsigned spinor_lock_unit(const spinor_part *p, uint32_t addr);
void spinor_lock_unit_range(const spinor_part *p, unsigned unit, uint32_t *start, uint32_t *len);

/* The SFDP space the part serves (JESD216 header + 9-DWORD Basic Flash Parameter Table),
 * written into buf (at least SPINOR_SFDP_LEN bytes); returns its length. */
#define SPINOR_SFDP_LEN 64U
size_t spinor_sfdp_build(const spinor_part *p, uint8_t *buf, size_t n);

/* What a reader learns from SFDP (JESD216 BFPT): density and erase types. */
typedef struct spinor_sfdp_info {
	uint32_t size;          /* bytes */
	uint8_t major, minor;   /* SFDP revision */
	struct {
		uint32_t size;  /* bytes, 0 = unused slot */
		uint8_t opcode;
	} erase[4];
	bool erase_4k_20h;      /* DWORD1 bits 1:0 = 01 and opcode 20h */
} spinor_sfdp_info;
/* Parse an SFDP space read from a chip (untrusted: bounds-checked). 0 on success; otherwise
 * -1 and a message naming the offending field in err. */
int spinor_sfdp_parse(const uint8_t *buf, size_t n, spinor_sfdp_info *out, char *err,
		      size_t errlen);

#endif
