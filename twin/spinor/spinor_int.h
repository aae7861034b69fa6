/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR twin internals shared by spinor.c (command machine), prot.c (protection) and
 * state.c (state file). The part's identity (ID, size, register map, timings, SFDP) comes from
 * the device table lib/devices/spinor.h; the behaviour is written here from the datasheets. */
#ifndef TW_SPINOR_INT_H
#define TW_SPINOR_INT_H

#include "devices/spinor.h"
#include "fktwin/spinor.h"
#include "model.h"

#define TW_SPINOR_MAX_UNITS (32U + 256U) /* 16 MiB: 256 blocks */
#define TW_SPINOR_SECREG_BYTES 1024U     /* 3 x 256 or 1 x 512 */

/* An operation in progress (BUSY). */
typedef enum tw_spinor_opkind {
	TW_SPINOR_OP_NONE,
	TW_SPINOR_OP_PROGRAM,   /* data[0..255] at page (mask says which bytes) */
	TW_SPINOR_OP_ERASE,     /* [addr, addr+len) -> 0xFF */
	TW_SPINOR_OP_WRSR,      /* regs[] -> current and non-volatile registers */
	TW_SPINOR_OP_SEC_PROG,  /* security register n = addr */
	TW_SPINOR_OP_SEC_ERASE, /* security register n = addr */
	TW_SPINOR_OP_RESET,     /* tRST: nothing is answered */
	TW_SPINOR_OP_WRSCUR,    /* Macronix LDSO */
	TW_SPINOR_OP_KINDS
} tw_spinor_opkind;

typedef struct tw_spinor_op {
	uint8_t kind;
	uint32_t addr, len;
	uint64_t start_ns, end_ns;
	uint8_t regs[SPINOR_NREGS];
	uint8_t regmask; /* which regs[] WRSR writes (bit n = register n) */
	uint8_t data[SPINOR_PAGE];
	uint8_t mask[SPINOR_PAGE / 8]; /* PROGRAM: bytes given */
} tw_spinor_op;

struct tw_spinor {
	const spinor_part *p;
	uint8_t *mem;
	uint8_t secreg[TW_SPINOR_SECREG_BYTES];
	uint8_t cur[SPINOR_NREGS], nv[SPINOR_NREGS];
	uint8_t locks[TW_SPINOR_MAX_UNITS / 8]; /* 1 = locked (W64 Fig. 4d) */
	uint8_t uid[8];
	uint8_t scur;   /* Macronix security register: bit0 factory lock, bit1 LDSO */
	bool wel, wp_high, sr_otp, powered_down, reset_enable, vol_wren, in_otp;
	uint64_t now_ns;
	uint32_t sck_hz;
	tw_spinor_op op;
	tw_spinor_stats st;
	uint32_t gen; /* bumped by anything that may change state worth saving */
	/* the instruction being clocked in (between /CS fall and rise) */
	bool selected;
	uint8_t cmd;
	uint32_t nbytes; /* bytes clocked in this instruction, opcode included */
	uint32_t addr;   /* address bytes collected */
	uint32_t rd;     /* read pointer */
	uint8_t wr[3];   /* data bytes of a status write */
	tw_spinor_op pend; /* program being collected */
	bool pend_any;
};

/* prot.c */
bool tw_spinor_range_protected(const tw_spinor *c, uint32_t addr, uint32_t len);
bool tw_spinor_sr_locked(const tw_spinor *c);
/* spinor.c */
int tw_spinor_alloc(fk_ctx *ctx, const spinor_part *p, tw_spinor **out);

/* The chip model on the registry (twin/spinor/model.c): `show --json` through the generic JSON
 * sink (show.c), the state image in memory (state.c: the bytes tw_spinor_save writes). */
void tw_spinor_show_json(const tw_spinor *c, const tw_json *j);
int tw_spinor_save_buf(const tw_spinor *c, uint8_t **buf, size_t *len);

#endif
