/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chip/spinor: the SPI NOR flash driver's internal API: instructions over an SPI programmer
 * (fk_spi_ops: serprog, the in-process twin), identification by JEDEC ID with SFDP as the
 * fallback, the status registers decoded into a protected address range and SRP mode, and the
 * unlock ladder (volatile clear first, then non-volatile) as a pure plan.
 *
 * Sources: W64 (Winbond W25Q64JV Rev J) §7.1 status registers, SRP/SRL table, protection
 * tables; §8.2 instruction descriptions (06h/50h/01h/31h/11h, 03h, 02h page wrap, 20h/52h/D8h/
 * C7h, 9Fh, 5Ah, 48h/42h/44h, 36h/39h/3Dh/7Eh/98h); §9.6 timings; GD64 §6; MX64 status and
 * configuration registers; JESD216 (SFDP); all as summarised in ../shared/reference/spi-nor.md
 * and the part rows of lib/devices/spinor.c. */
#ifndef FK_CHIP_SPINOR_H
#define FK_CHIP_SPINOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/spinor.h"
#include "flashkey/backend.h"
#include "flashkey/core.h"

/* Instructions (W64 §8.1 Tables 1-2). */
#define SPINOR_OP_WREN 0x06u
#define SPINOR_OP_WRDI 0x04u
#define SPINOR_OP_VSR_WREN 0x50u
#define SPINOR_OP_RDSR1 0x05u
#define SPINOR_OP_RDSR2 0x35u
#define SPINOR_OP_RDSR3 0x15u /* the configuration register on Macronix (MX64) */
#define SPINOR_OP_WRSR1 0x01u
#define SPINOR_OP_WRSR2 0x31u
#define SPINOR_OP_WRSR3 0x11u
#define SPINOR_OP_RDID 0x9Fu
#define SPINOR_OP_READ 0x03u
#define SPINOR_OP_PP 0x02u
#define SPINOR_OP_SE 0x20u
#define SPINOR_OP_BE32 0x52u
#define SPINOR_OP_BE64 0xD8u
#define SPINOR_OP_CE 0xC7u
#define SPINOR_OP_RDSFDP 0x5Au
#define SPINOR_OP_RDSEC 0x48u
#define SPINOR_OP_PPSEC 0x42u
#define SPINOR_OP_ERSEC 0x44u
#define SPINOR_OP_LOCK 0x36u
#define SPINOR_OP_UNLOCK 0x39u
#define SPINOR_OP_RDLOCK 0x3Du
#define SPINOR_OP_GLOCK 0x7Eu
#define SPINOR_OP_GUNLOCK 0x98u

/* The programmer as the driver uses it. */
typedef struct spinor_bus {
	const fk_spi_ops *ops;
	void *h;
	fk_ctx *ctx;
	size_t max_w, max_r;   /* per transaction, from ops->limits */
	uint8_t *buf;          /* one write transaction */
	uint64_t polls;        /* BUSY polls made (bench, tests) */
	/* Queued page programming (programmers with xfer_queued): the wait after each page
	 * program in microseconds, learnt from what the chip shows; and the pages found
	 * unfinished when the next one was sent (bench, tests). */
	uint32_t st_wait_us;
	uint64_t queued_misses;
	/* Counts the instructions sent that can change what protects the chip (status and
	 * configuration writes, block locks, resets, power-down): a driver keeps a protection
	 * reading while it is unchanged. */
	uint64_t prot_gen;
} spinor_bus;

int spinor_bus_init(spinor_bus *b, fk_ctx *ctx, const fk_spi_ops *ops, void *h);
void spinor_bus_free(spinor_bus *b);
/* One transaction: w out, then rn bytes in. */
int spinor_xfer(spinor_bus *b, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
int spinor_rdid(spinor_bus *b, uint8_t id[3]);
/* Read SFDP space (5Ah, 3 address bytes, 1 dummy byte). */
int spinor_read_sfdp(spinor_bus *b, uint32_t addr, uint8_t *buf, size_t n);
/* SR1, SR2 (or CR), SR3 as the part has them; absent ones read 0. */
int spinor_read_regs(spinor_bus *b, const spinor_part *p, uint8_t regs[SPINOR_NREGS]);
/* Write register r to v (50h volatile or 06h non-volatile, then 01h/31h/11h by the part's
 * write method; cur = the current values for the combined 01h form), wait for BUSY to clear. */
int spinor_write_reg(spinor_bus *b, const spinor_part *p, unsigned r, uint8_t v, bool vol,
		     const uint8_t cur[SPINOR_NREGS]);
/* Poll 05h until BUSY = 0: typ_us the datasheet's typical time, max_us its maximum. */
int spinor_wait(spinor_bus *b, const spinor_part *p, uint32_t typ_us, uint32_t max_us,
		const char *what);
int spinor_read(spinor_bus *b, uint32_t addr, uint8_t *buf, size_t n);
/* Page program (02h) of buf at addr, split at page boundaries and the programmer's limit;
 * each chunk WREN, 02h, wait. A programmer that queues transactions (fk_spi_ops.xfer_queued)
 * gets the pages of one call in one batch, each followed by a wait inside the programmer and a
 * short status read, and the batch checked afterwards (spinor_bus.c). */
int spinor_program(spinor_bus *b, const spinor_part *p, uint32_t addr, const uint8_t *buf,
		   size_t n);
/* One erase instruction (20h/52h/D8h at addr, C7h for the chip) and its wait. */
int spinor_erase_op(spinor_bus *b, const spinor_part *p, uint8_t op, uint32_t addr);
/* A one-byte instruction (06h, 98h, 66h, 99h, B1h, C1h ...). */
int spinor_op(spinor_bus *b, uint8_t op);
/* Read Block Lock (3Dh) of the unit holding addr: *locked = bit 0 of the answer (W64 §8.2.35). */
int spinor_read_lock(spinor_bus *b, uint32_t addr, bool *locked);
/* Security register n (1-based) into buf: 48h with the address 00h, n0h, 00h and 8 dummy
 * clocks (W64 §8.2.32, §8.1 note 5); on Macronix the secured OTP area, read between ENSO (B1h)
 * and EXSO (C1h) with 03h (MX64). */
int spinor_secreg_read(spinor_bus *b, const spinor_part *p, unsigned n, uint8_t *buf, size_t len);
/* Program len bytes at offset off of security register n (1-based): WREN, 42h with the address
 * 00h, n0h, off and the bytes, BUSY polled (W64 §8.2 Program Security Registers; split so that
 * no instruction crosses a 256-byte page, which would wrap); on Macronix the secured OTP area:
 * ENSO (B1h), WREN + 02h at off, EXSO (C1h) whatever happened (MX64). The chip ignores a
 * program into a locked register without an error bit: the caller reads back. */
int spinor_secreg_program(spinor_bus *b, const spinor_part *p, unsigned n, unsigned off,
			  const uint8_t *buf, size_t len);
/* Macronix security register (MX64): RDSCUR 2Bh (bit 0 factory lock, bit 1 LDSO) and WRSCUR
 * 2Fh after WREN (sets LDSO: the secured OTP area locked for good), BUSY polled. */
int spinor_mx_rdscur(spinor_bus *b, uint8_t *scur);
int spinor_mx_wrscur(spinor_bus *b, const spinor_part *p);

/* ---- identification ---- */
typedef enum spinor_id_kind {
	SPINOR_ID_KNOWN = 0,   /* the part is in lib/devices/spinor.c */
	SPINOR_ID_SFDP = 1,    /* not in the table; size and erase types from SFDP */
	SPINOR_ID_NONE = 2,    /* 00 00 00 or FF FF FF: no chip answered */
	SPINOR_ID_UNKNOWN = 3, /* an ID we do not know and no usable SFDP */
} spinor_id_kind;

typedef struct spinor_ident {
	spinor_id_kind kind;
	uint8_t id[3];
	const spinor_part *part;  /* KNOWN */
	spinor_sfdp_info sfdp;    /* SFDP */
	char sfdp_err[96];        /* why SFDP was not usable */
} spinor_ident;

/* A JEDEC ID that no chip can give: all 0x00 (MISO held low) or all 0xFF (MISO floating). */
bool spinor_id_is_none(const uint8_t id[3]);
/* Classify an ID (pure): KNOWN, NONE, or UNKNOWN (SFDP to be tried). */
spinor_id_kind spinor_id_classify(const uint8_t id[3], const spinor_part **part);
/* Read 9Fh and, for an unknown ID, SFDP. FK_E_CONNECT for no chip (with the checks to make as
 * the hint); FK_OK otherwise, the kind telling what was found. */
int spinor_identify(spinor_bus *b, spinor_ident *out);
/* The message and hint for "no SPI chip answered" (used by identify and the path). */
int spinor_fail_no_chip(fk_ctx *ctx, const uint8_t id[3], const char *where);

/* ---- protection, decoded ---- */
typedef struct spinor_prot {
	uint32_t start, len;      /* BP/TB/SEC/CMP range (WPS = 0); len 0 = none */
	bool wps;                 /* individual block locks in force instead of BP */
	unsigned locked_units;    /* WPS = 1: units whose lock bit reads 1 */
	spinor_srp_mode srp;
	int wp_level;             /* /WP: 1 high, 0 low, -1 unknown */
	bool sr_writable;         /* a WRSR can change the register now (as far as we know) */
	uint8_t lb;               /* LB1..3 as bits 0..2 */
} spinor_prot;

/* "000000-7FFFFF (8 MiB, all)" style text of a range. */
void spinor_range_text(const spinor_part *p, uint32_t start, uint32_t len, char *out, size_t n);
/* Decode regs (and the /WP level, -1 unknown) without the block locks. */
void spinor_prot_decode(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], int wp_level,
			spinor_prot *out);
/* What stops every status-register write now (SRL, one-time lock, SRP=1 with /WP low), with
 * what it needs; "" when nothing does (as far as the programmer can tell). */
void spinor_blocker_text(const spinor_prot *pr, char *out, size_t n);
/* "software", "hardware (/WP low: status register locked)", ... */
void spinor_srp_text(const spinor_prot *pr, char *out, size_t n);

/* ---- the unlock ladder (pure) ---- */
typedef enum spinor_step_kind {
	SPINOR_STEP_VOLATILE = 0,    /* 50h + WRSR: BP/CMP clear until power-off; WPS: 98h */
	SPINOR_STEP_NONVOLATILE = 1, /* 06h + WRSR: BP/CMP (and WPS) clear for good */
} spinor_step_kind;

#define SPINOR_LADDER_MAX 2
typedef struct spinor_lstep {
	spinor_step_kind kind;
	uint8_t target[SPINOR_NREGS]; /* register values after the step */
	uint8_t regmask;              /* registers the step writes (bit r = register r) */
	bool global_unlock;           /* 98h (WPS = 1 block locks) */
	bool refused;
	char what[200];
	char why[240];                /* refusal: what it needs */
} spinor_lstep;

typedef struct spinor_ladder {
	unsigned n;
	spinor_lstep steps[SPINOR_LADDER_MAX];
	bool nothing_to_do;
	char blocker[240];            /* why no step can run (SRL, OTP, /WP low), "" otherwise */
} spinor_ladder;

/* The ladder from the registers read and what is known of /WP: volatile clear first (when the
 * part has 50h), then the non-volatile clear. SRL = 1 (power-supply lock-down) refuses both
 * until a power cycle; a permanent lock refuses them for good; SRP = 1 with /WP low refuses
 * them until /WP is high (when /WP is unknown the steps are kept: the read-back decides).
 * LB1-3 are never part of it: they cannot be undone. */
void spinor_plan_unlock(const spinor_part *p, const uint8_t regs[SPINOR_NREGS], int wp_level,
			unsigned locked_units, spinor_ladder *out);

#endif
