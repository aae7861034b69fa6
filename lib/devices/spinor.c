/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR parts as data (see spinor.h for the sources and their keys), the range decoder the
 * driver uses, and JESD216 SFDP build/parse. Pure: no I/O. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "devices/spinor.h"

#define B(r, b) {SPINOR_##r, b}
#define NO {SPINOR_NOREG, 0}

/* Winbond JV register map (W64 §7.1 Figures 4a-4c; W32/W128 use the same map). SRP is listed
 * among the writable bits in §7.1 ("Volatile/Non-Volatile Writable"), although §8.2.5's list of
 * writable SR1 bits omits it; the table follows §7.1. */
#define WINBOND_JV_BITS                                                                          \
	{                                                                                        \
		[SPINOR_BUSY] = B(SR1, 0), [SPINOR_WEL] = B(SR1, 1), [SPINOR_BP0] = B(SR1, 2),     \
		[SPINOR_BP1] = B(SR1, 3), [SPINOR_BP2] = B(SR1, 4), [SPINOR_BP3] = NO,             \
		[SPINOR_TB] = B(SR1, 5), [SPINOR_SEC] = B(SR1, 6), [SPINOR_SRP0] = B(SR1, 7),      \
		[SPINOR_SRL] = B(SR2, 0), [SPINOR_QE] = B(SR2, 1), [SPINOR_LB1] = B(SR2, 3),       \
		[SPINOR_LB2] = B(SR2, 4), [SPINOR_LB3] = B(SR2, 5), [SPINOR_CMP] = B(SR2, 6),      \
		[SPINOR_SUS] = B(SR2, 7), [SPINOR_WPS] = B(SR3, 2), [SPINOR_DRV0] = B(SR3, 5),     \
		[SPINOR_DRV1] = B(SR3, 6),                                                         \
	}
#define WINBOND_JV_FLAGS                                                                         \
	(SPINOR_F_WRSR2_31H | SPINOR_F_WRSR_2BYTE | SPINOR_F_SR3 | SPINOR_F_VOLATILE_SR |          \
	 SPINOR_F_SECREG | SPINOR_F_BLOCKLOCK | SPINOR_F_QE_FIXED | SPINOR_F_SRL_PWR_CLR |         \
	 SPINOR_F_UNIQUE_ID)

const spinor_part spinor_parts[] = {
	{
		.key = "w25q32jv",
		.name = "Winbond W25Q32JV-IQ/JQ",
		/* W32: map and tables as W64 scaled to 4 MiB (BP=001 protects block 63, 64 KiB).
		 * UNCONFIRMED: tCE 10 s typ / 50 s max (the W32 AC table was not retrieved;
		 * Winbond's JV chip-erase time scales with density). */
		.source = "W32 §7.1, §8.1; W64 §9.6",
		.id = {0xEF, 0x40, 0x16},
		.id_alt = {0xEF, 0x70, 0x16},
		.dev_id = 0x15,
		.size = 4U << 20,
		.flags = WINBOND_JV_FLAGS,
		.bits = WINBOND_JV_BITS,
		.nregs = 3,
		.wmask = {0xFC, 0x7B, 0x64},
		.otp_mask = {0x00, 0x38, 0x00},
		.factory = {0x00, 0x02, 0x60},
		.prot = SPINOR_PROT_BP3_SEC_CMP,
		.secreg_count = 3,
		.secreg_size = 256,
		.typ = {10000, 400, 45000, 120000, 150000, 10000000},
		.max = {15000, 3000, 400000, 1600000, 2000000, 50000000},
		.flashrom = "W25Q32.V",
		.flashrom_wp = false,
	},
	{
		.key = "w25q64jv",
		.name = "Winbond W25Q64JV-IQ/JQ",
		.source = "W64 §7.1 (pp.13-20), §8.1 (pp.21-23), §9.6",
		.id = {0xEF, 0x40, 0x17},
		.id_alt = {0xEF, 0x70, 0x17},
		.dev_id = 0x16,
		.size = 8U << 20,
		.flags = WINBOND_JV_FLAGS,
		.bits = WINBOND_JV_BITS,
		.nregs = 3,
		.wmask = {0xFC, 0x7B, 0x64},
		.otp_mask = {0x00, 0x38, 0x00},
		/* QE: "factory fixed default" 1 for IQ/JQ; DRV1:0 = 11 (25 %) default (W64 §7.1) */
		.factory = {0x00, 0x02, 0x60},
		.prot = SPINOR_PROT_BP3_SEC_CMP,
		.secreg_count = 3,
		.secreg_size = 256,
		.typ = {10000, 400, 45000, 120000, 150000, 20000000},
		.max = {15000, 3000, 400000, 1600000, 2000000, 100000000},
		.flashrom = "W25Q64JV-.Q",
		.flashrom_wp = true,
	},
	{
		.key = "w25q128jv",
		.name = "Winbond W25Q128JV-IQ/JQ",
		/* UNCONFIRMED: tCE 40 s typ / 200 s max (W128 AC table not retrieved). */
		.source = "W128 §7.1, §8.1; W64 §9.6",
		.id = {0xEF, 0x40, 0x18},
		.id_alt = {0xEF, 0x70, 0x18},
		.dev_id = 0x17,
		.size = 16U << 20,
		.flags = WINBOND_JV_FLAGS,
		.bits = WINBOND_JV_BITS,
		.nregs = 3,
		.wmask = {0xFC, 0x7B, 0x64},
		.otp_mask = {0x00, 0x38, 0x00},
		.factory = {0x00, 0x02, 0x60},
		.prot = SPINOR_PROT_BP3_SEC_CMP,
		.secreg_count = 3,
		.secreg_size = 256,
		.typ = {10000, 400, 45000, 120000, 150000, 40000000},
		.max = {15000, 3000, 400000, 1600000, 2000000, 200000000},
		.flashrom = "W25Q128.V",
		.flashrom_wp = true,
	},
	{
		.key = "gd25q64c",
		.name = "GigaDevice GD25Q64C",
		/* GD64 §6: SR1 = SRP0 BP4 BP3 BP2 BP1 BP0 WEL WIP, SR2 = SUS1 CMP LB3 LB2 LB1 SUS2 QE
		 * SRP1; BP3 acts as TB and BP4 as SEC, which is how flashrom 1.3 maps it (reference
		 * §5). UNCONFIRMED (GD64 text not retrieved): SR3 holds DRV1:0 at bits 6:5; three
		 * 256-byte security registers at 0x001000/0x002000/0x003000; (SRP1,SRP0)=(1,1) is
		 * the one-time-program mode; timings below (GigaDevice's usual Q-series figures). */
		.source = "GD64 §5, §6, §7.3-7.5 (UNCONFIRMED items in the table comment)",
		.id = {0xC8, 0x40, 0x17},
		.dev_id = 0x16,
		.size = 8U << 20,
		.flags = SPINOR_F_WRSR2_31H | SPINOR_F_WRSR_2BYTE | SPINOR_F_SR3 |
			 SPINOR_F_VOLATILE_SR | SPINOR_F_SECREG | SPINOR_F_SRL_PWR_CLR |
			 SPINOR_F_SRP1_OTP | SPINOR_F_UNIQUE_ID | SPINOR_F_OTP_UNCONFIRMED,
		.bits =
			{
				[SPINOR_BUSY] = B(SR1, 0), [SPINOR_WEL] = B(SR1, 1),
				[SPINOR_BP0] = B(SR1, 2), [SPINOR_BP1] = B(SR1, 3),
				[SPINOR_BP2] = B(SR1, 4), [SPINOR_BP3] = NO,
				[SPINOR_TB] = B(SR1, 5), [SPINOR_SEC] = B(SR1, 6),
				[SPINOR_SRP0] = B(SR1, 7), [SPINOR_SRL] = B(SR2, 0),
				[SPINOR_QE] = B(SR2, 1), [SPINOR_LB1] = B(SR2, 3),
				[SPINOR_LB2] = B(SR2, 4), [SPINOR_LB3] = B(SR2, 5),
				[SPINOR_CMP] = B(SR2, 6), [SPINOR_SUS] = B(SR2, 7),
				[SPINOR_WPS] = NO, [SPINOR_DRV0] = B(SR3, 5),
				[SPINOR_DRV1] = B(SR3, 6),
			},
		.nregs = 3,
		.wmask = {0xFC, 0x7B, 0x60},
		.otp_mask = {0x00, 0x38, 0x00},
		.factory = {0x00, 0x00, 0x60},
		.prot = SPINOR_PROT_BP3_SEC_CMP,
		.secreg_count = 3,
		.secreg_size = 256,
		.typ = {5000, 600, 50000, 150000, 250000, 25000000},
		.max = {30000, 2400, 400000, 800000, 1200000, 60000000},
		.flashrom = "GD25Q64(B)",
		.flashrom_wp = true,
	},
	{
		.key = "mx25l6433f",
		.name = "Macronix MX25L6433F",
		/* MX64: SR = SRWD QE BP3 BP2 BP1 BP0 WEL WIP; configuration register (15h, second
		 * byte of 01h) bit 3 = TB, one-time programmable. 4 Kbit secured OTP entered with
		 * ENSO B1h, locked with WRSCUR 2Fh (LDSO). UNCONFIRMED (MX64 text not retrieved):
		 * the ID C2 20 17 (the MX25L64xx family ID flashrom lists), the protected-area
		 * table shape (that of MX25L6406E/6445E: BP=n protects 64 KiB << (n-1), BP>=8 all)
		 * and the timings below. */
		.source = "MX64 status/configuration register, table 2 (UNCONFIRMED items in the "
			  "table comment)",
		.id = {0xC2, 0x20, 0x17},
		.dev_id = 0x16,
		.size = 8U << 20,
		.flags = SPINOR_F_WRSR_2BYTE | SPINOR_F_CR_15H | SPINOR_F_MX_OTP,
		.bits =
			{
				[SPINOR_BUSY] = B(SR1, 0), [SPINOR_WEL] = B(SR1, 1),
				[SPINOR_BP0] = B(SR1, 2), [SPINOR_BP1] = B(SR1, 3),
				[SPINOR_BP2] = B(SR1, 4), [SPINOR_BP3] = B(SR1, 5),
				[SPINOR_QE] = B(SR1, 6), [SPINOR_SRP0] = B(SR1, 7),
				[SPINOR_TB] = B(SR2, 3), [SPINOR_SEC] = NO, [SPINOR_CMP] = NO,
				[SPINOR_SRL] = NO, [SPINOR_LB1] = NO, [SPINOR_LB2] = NO,
				[SPINOR_LB3] = NO, [SPINOR_SUS] = NO, [SPINOR_WPS] = NO,
				[SPINOR_DRV0] = NO, [SPINOR_DRV1] = NO,
			},
		.nregs = 2,
		.wmask = {0xFC, 0x08, 0x00},
		.otp_mask = {0x00, 0x08, 0x00},
		.factory = {0x00, 0x00, 0x00},
		.prot = SPINOR_PROT_BP4_TB,
		.secreg_count = 1,
		.secreg_size = 512,
		.typ = {10000, 500, 40000, 200000, 400000, 25000000},
		.max = {40000, 3000, 200000, 1000000, 2000000, 50000000},
		.flashrom = "MX25L6436E/MX25L6445E/MX25L6465E/MX25L6473E/MX25L6473F",
		.flashrom_wp = false,
	},
};
const size_t spinor_nparts = sizeof spinor_parts / sizeof spinor_parts[0];

static const char *const spinor_field_names[SPINOR_NFIELDS] = {
	"busy", "wel", "bp0", "bp1", "bp2", "bp3", "tb", "sec", "cmp", "srp", "srl",
	"qe", "lb1", "lb2", "lb3", "sus", "wps", "drv0", "drv1",
};

const spinor_part *spinor_part_by_key(const char *key)
{
	for (size_t i = 0; key && i < spinor_nparts; i++)
		if (strcasecmp(key, spinor_parts[i].key) == 0)
			return &spinor_parts[i];
	return NULL;
}

const spinor_part *spinor_part_by_id(const uint8_t id[3])
{
	for (size_t i = 0; i < spinor_nparts; i++)
		if (memcmp(id, spinor_parts[i].id, 3) == 0 ||
		    (spinor_parts[i].id_alt[0] && memcmp(id, spinor_parts[i].id_alt, 3) == 0))
			return &spinor_parts[i];
	return NULL;
}

const char *spinor_field_name(spinor_field f)
{
	return (unsigned)f < SPINOR_NFIELDS ? spinor_field_names[f] : "?";
}

int spinor_field_by_name(const char *name)
{
	for (int i = 0; name && i < SPINOR_NFIELDS; i++)
		if (strcasecmp(name, spinor_field_names[i]) == 0)
			return i;
	return -1;
}

bool spinor_has(const spinor_part *p, spinor_field f)
{
	return (unsigned)f < SPINOR_NFIELDS && p->bits[f].reg < SPINOR_NREGS;
}

int spinor_get(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], spinor_field f)
{
	if (!spinor_has(p, f))
		return -1;
	return (regs[p->bits[f].reg] >> p->bits[f].bit) & 1;
}

void spinor_set(const spinor_part *p, uint8_t regs[SPINOR_NREGS], spinor_field f, bool v)
{
	if (!spinor_has(p, f))
		return;
	uint8_t m = (uint8_t)(1U << p->bits[f].bit);
	regs[p->bits[f].reg] = v ? (uint8_t)(regs[p->bits[f].reg] | m)
				 : (uint8_t)(regs[p->bits[f].reg] & ~m);
}

unsigned spinor_bp(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], unsigned *nbp)
{
	unsigned v = 0, n = 0;
	for (unsigned i = 0; i < 4; i++) {
		int b = spinor_get(p, regs, (spinor_field)(SPINOR_BP0 + i));
		if (b < 0)
			break;
		v |= (unsigned)b << i;
		n++;
	}
	if (nbp)
		*nbp = n;
	return v;
}

/* Length protected from the top (TB=0) or bottom before CMP; size = all. */
static uint32_t spinor_prot_len(const spinor_part *p, unsigned bp, unsigned nbp, bool sec)
{
	unsigned all = (1U << nbp) - 1;
	if (bp == 0)
		return 0;
	if (p->prot == SPINOR_PROT_BP4_TB) {
		if (bp >= 8)
			return p->size;
		uint32_t len = SPINOR_BLOCK64 << (bp - 1);
		return len > p->size ? p->size : len;
	}
	if (bp == all)
		return p->size;
	if (sec) {
		/* W64 CMP=0 table: 4/8/16/32 KiB for BP=1..4, "1 0 X" = 32 KiB; BP=6 decoded as
		 * 32 KiB (UNCONFIRMED in the reference, as flashrom decodes it). */
		uint32_t len = SPINOR_SECTOR << (bp - 1);
		return len > 32768U ? 32768U : len;
	}
	return (p->size / 64U) << (bp - 1); /* "Upper 1/64" .. "Upper 1/2" */
}

void spinor_prot_range(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], uint32_t *start,
		       uint32_t *len)
{
	unsigned nbp;
	unsigned bp = spinor_bp(p, regs, &nbp);
	bool top = spinor_get(p, regs, SPINOR_TB) != 1;
	uint32_t l = spinor_prot_len(p, bp, nbp, spinor_get(p, regs, SPINOR_SEC) == 1);
	if (spinor_get(p, regs, SPINOR_CMP) == 1) {
		/* W64 CMP=1 table: the complement of the CMP=0 row */
		l = p->size - l;
		top = !top;
	}
	*len = l;
	*start = (top && l) ? p->size - l : 0;
}

spinor_srp_mode spinor_srp(const spinor_part *p, const uint8_t regs[SPINOR_NREGS])
{
	int srl = spinor_get(p, regs, SPINOR_SRL), srp = spinor_get(p, regs, SPINOR_SRP0);
	if (srl == 1)
		return (srp == 1 && (p->flags & SPINOR_F_SRP1_OTP)) ? SPINOR_SRP_PERMANENT
								      : SPINOR_SRP_POWER;
	return srp == 1 ? SPINOR_SRP_HW : SPINOR_SRP_SOFTWARE;
}

const char *spinor_srp_name(spinor_srp_mode m)
{
	switch (m) {
	case SPINOR_SRP_SOFTWARE:
		return "software";
	case SPINOR_SRP_HW:
		return "hardware";
	case SPINOR_SRP_POWER:
		return "power-cycle";
	case SPINOR_SRP_PERMANENT:
		return "permanent";
	}
	return "?";
}

unsigned spinor_lock_units(const spinor_part *p)
{
	return 32U + p->size / SPINOR_BLOCK64 - 2U;
}

unsigned spinor_lock_unit(const spinor_part *p, uint32_t addr)
{
	uint32_t blocks = p->size / SPINOR_BLOCK64, blk = (addr % p->size) / SPINOR_BLOCK64;
	if (blk == 0)
		return (addr % SPINOR_BLOCK64) / SPINOR_SECTOR;
	if (blk == blocks - 1)
		return 16U + (blocks - 2U) + (addr % SPINOR_BLOCK64) / SPINOR_SECTOR;
	return 16U + blk - 1U;
}

void spinor_lock_unit_range(const spinor_part *p, unsigned unit, uint32_t *start, uint32_t *len)
{
	uint32_t blocks = p->size / SPINOR_BLOCK64;
	if (unit < 16U) {
		*start = unit * SPINOR_SECTOR;
		*len = SPINOR_SECTOR;
	} else if (unit < 16U + blocks - 2U) {
		*start = (unit - 15U) * SPINOR_BLOCK64;
		*len = SPINOR_BLOCK64;
	} else {
		*start = p->size - SPINOR_BLOCK64 + (unit - 16U - (blocks - 2U)) * SPINOR_SECTOR;
		*len = SPINOR_SECTOR;
	}
}

static void spinor_put32(uint8_t *b, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t spinor_get32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* JESD216 (rev 1.0 layout): 8-byte SFDP header, one 8-byte parameter header, the 9-DWORD BFPT
 * at 0x10. UNCONFIRMED: the vendors' exact SFDP bytes (table address, fast-read DWORDs) were
 * not retrieved; the fields a reader uses for geometry (density, erase types) follow the part.
 * Only 1-1-1 reads are advertised because the twins model standard SPI only. */
size_t spinor_sfdp_build(const spinor_part *p, uint8_t *buf, size_t n)
{
	if (n < SPINOR_SFDP_LEN)
		return 0;
	memset(buf, 0xFF, SPINOR_SFDP_LEN);
	memcpy(buf, "SFDP", 4);
	buf[4] = 0x00; /* minor */
	buf[5] = 0x01; /* major */
	buf[6] = 0x00; /* NPH: one parameter header */
	uint8_t *ph = buf + 8;
	ph[0] = 0x00; /* BFPT ID LSB */
	ph[1] = 0x00; /* table minor */
	ph[2] = 0x01; /* table major */
	ph[3] = 9;    /* length in DWORDs */
	ph[4] = 0x10; /* PTP, 24-bit */
	ph[5] = 0x00;
	ph[6] = 0x00;
	ph[7] = 0xFF; /* ID MSB */
	uint8_t *t = buf + 0x10;
	/* DWORD1: 4 KiB erase (01), write granularity >= 64 B, 20h, 3-byte addresses only */
	spinor_put32(t + 0, 0xFF8020E5U);
	spinor_put32(t + 4, p->size * 8U - 1U); /* DWORD2: density in bits - 1 */
	spinor_put32(t + 8, 0);
	spinor_put32(t + 12, 0);
	spinor_put32(t + 16, 0xFFFFFFEEU);
	spinor_put32(t + 20, 0xFFFF0000U);
	spinor_put32(t + 24, 0xFFFF0000U);
	spinor_put32(t + 28, 0x520F200CU); /* DWORD8: 4 KiB 20h, 32 KiB 52h */
	spinor_put32(t + 32, 0x0000D810U); /* DWORD9: 64 KiB D8h */
	return SPINOR_SFDP_LEN;
}

static int spinor_sfdp_err(char *err, size_t errlen, const char *msg, size_t off)
{
	if (err && errlen)
		snprintf(err, errlen, "SFDP offset 0x%zx: %s", off, msg);
	return -1;
}

int spinor_sfdp_parse(const uint8_t *buf, size_t n, spinor_sfdp_info *out, char *err,
		      size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (n < 16)
		return spinor_sfdp_err(err, errlen, "shorter than the SFDP header and one "
						    "parameter header", n);
	if (memcmp(buf, "SFDP", 4) != 0)
		return spinor_sfdp_err(err, errlen, "no \"SFDP\" signature (the chip has no SFDP or "
						    "did not answer)", 0);
	out->minor = buf[4];
	out->major = buf[5];
	if (out->major != 1)
		return spinor_sfdp_err(err, errlen, "unsupported SFDP major revision", 5);
	size_t nph = (size_t)buf[6] + 1;
	const uint8_t *bfpt = NULL;
	size_t bfpt_dw = 0, bfpt_off = 0;
	for (size_t i = 0; i < nph; i++) {
		size_t o = 8 + 8 * i;
		if (o + 8 > n)
			return spinor_sfdp_err(err, errlen, "parameter header past the end", o);
		if (buf[o] != 0x00 || buf[o + 7] != 0xFF)
			continue; /* not the Basic Flash Parameter Table */
		size_t ptp = (size_t)buf[o + 4] | (size_t)buf[o + 5] << 8 | (size_t)buf[o + 6] << 16;
		size_t dw = buf[o + 3];
		if (dw < 9)
			return spinor_sfdp_err(err, errlen, "BFPT shorter than 9 DWORDs", o + 3);
		if (ptp > n || dw * 4 > n - ptp)
			return spinor_sfdp_err(err, errlen, "BFPT pointer/length past the data read",
					       o + 4);
		bfpt = buf + ptp;
		bfpt_dw = dw;
		bfpt_off = ptp;
		break;
	}
	if (!bfpt)
		return spinor_sfdp_err(err, errlen, "no Basic Flash Parameter Table header", 8);
	(void)bfpt_dw;
	uint32_t d1 = spinor_get32(bfpt), d2 = spinor_get32(bfpt + 4);
	if (d2 & 0x80000000U) {
		uint32_t e = d2 & 0x7FFFFFFFU;
		if (e < 3 || e > 34)
			return spinor_sfdp_err(err, errlen, "density 2^N bits out of range",
					       bfpt_off + 4);
		out->size = (uint32_t)((1ULL << e) / 8U);
	} else {
		uint64_t bits = (uint64_t)d2 + 1U;
		if (bits < 8 || bits / 8U > 0xFFFFFFFFULL || bits % 8U)
			return spinor_sfdp_err(err, errlen, "density not a whole number of bytes "
							    "in range", bfpt_off + 4);
		out->size = (uint32_t)(bits / 8U);
	}
	out->erase_4k_20h = (d1 & 3U) == 1U && ((d1 >> 8) & 0xFFU) == 0x20U;
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = bfpt + 28 + 2 * i;
		if (e[0] == 0)
			continue;
		if (e[0] > 31)
			return spinor_sfdp_err(err, errlen, "erase type size exponent > 31",
					       bfpt_off + 28 + 2 * i);
		out->erase[i].size = 1U << e[0];
		out->erase[i].opcode = e[1];
	}
	return 0;
}
