/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to twin/cpu: the instruction in flight and the helpers the ARMv6-M decoder
 * (thumb.c) shares with the ARMv7-M Thumb-2 decoder (thumb2.c). */
#ifndef TW_CPU_THUMB_INT_H
#define TW_CPU_THUMB_INT_H

#include "cpu/thumb.h"

#define TC_P 2U /* pipeline refill cycles (Cortex-M4 TRM Table 3-1: 1 to 3) */
#define TC_SPECIAL_CYCLES 2U

/* One instruction in flight. */
typedef struct tc_x {
	tc_cpu *c;
	uint32_t pc;   /* address of this instruction */
	uint32_t next; /* where execution continues */
	unsigned cyc;
	bool ls;       /* this is a single load/store (pipelines with the next one) */
	bool unal;     /* this access may be unaligned (ARMv7-M single LDR/STR/LDRH/STRH) */
	bool halt;     /* a bus access asked to stop after this instruction */
	bool flags_saved; /* in an IT block: a 16-bit instruction whose flags do not stick */
	bool nzcv[4];
	const char *idle;
} tc_x;

bool tc_lock(tc_x *x, const char *why);
uint32_t tc_reg(const tc_x *x, unsigned n);
void tc_branch(tc_x *x, uint32_t addr);
void tc_bx(tc_x *x, uint32_t addr);
void tc_set(tc_x *x, unsigned n, uint32_t v);
void tc_nz(tc_cpu *c, uint32_t r);
uint32_t tc_adc(tc_cpu *c, uint32_t a, uint32_t b, bool cin, bool setflags);
uint32_t tc_lsl(uint32_t x, unsigned n, bool *carry);
uint32_t tc_lsr(uint32_t x, unsigned n, bool *carry);
uint32_t tc_asr(uint32_t x, unsigned n, bool *carry);
uint32_t tc_ror(uint32_t x, unsigned n, bool *carry);
bool tc_ld(tc_x *x, uint32_t a, unsigned size, uint32_t *v);
bool tc_st(tc_x *x, uint32_t a, unsigned size, uint32_t v);
uint32_t tc_sext(uint32_t v, unsigned bits);
void tc_ldst(tc_x *x, bool load, unsigned size, bool sign, unsigned rt, uint32_t addr);
unsigned tc_popcount(uint32_t v);
bool tc_stm(tc_x *x, uint32_t list, uint32_t addr);
bool tc_ldm(tc_x *x, uint32_t list, uint32_t addr);
bool tc_cond_pass(const tc_cpu *c, unsigned cond);

/* thumb2.c: the ARMv7-M 32-bit encodings beyond ARMv6-M's (§A5.3 of DDI 0403E). Returns false
 * when the encoding is not one of them (the caller decides what it is). */
bool tc_thumb2(tc_x *x, uint16_t hw1, uint16_t hw2);

#endif
