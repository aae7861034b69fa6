/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey doctor: from another tool's error message to the cause and the fix.
 *
 * The catalogue is data (lib/doctor/catalogue.txt, embedded at build time; record format in
 * docs/DOCTOR.md): message families of other tools (CubeProgrammer, OpenOCD, st-flash, stm32flash,
 * esptool, ...), each with ranked causes; a cause names the inventory facts that confirm or rule it
 * out and the remedy. The matcher is tolerant (case, spacing, punctuation, prefixes, several
 * messages pasted at once). Everything here is pure: no I/O, no printing.
 * Sources of the entries: ../shared/reference/anchors.md §0/§2, stm32.md, an3155.md, esp_lpc.md. */
#ifndef FLASHKEY_DOCTOR_H
#define FLASHKEY_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "flashkey/core.h"
#include "flashkey/inventory.h"

/* Facts a live inventory can establish. X(symbol, name in the catalogue, sentence). */
#define FK_DOCTOR_FACT_TABLE(X)                                                                   \
	X(CONNECTED, "connected", "the debug or bootloader connection to the chip works")         \
	X(RDP0, "rdp0", "read protection level 0: flash open")                                    \
	X(RDP1, "rdp1", "read protection level 1: flash closed to debugger and bootloader")       \
	X(RDP2, "rdp2", "read protection level 2: debug disabled for good")                      \
	X(WRP, "wrp", "at least one flash sector is write-protected (nWRPi=0)")                   \
	X(PCROP, "pcrop", "proprietary code readout protection active (SPRMOD=1)")                \
	X(OTP_LOCKED, "otp-locked", "at least one OTP block is locked (lock byte 0x00)")          \
	X(FPEC_LOCKOUT, "fpec-lockout", "flash or option control register locked until reset")    \
	X(SR_ERRORS, "sr-errors", "error flags latched in FLASH_SR")                              \
	X(OPTIONS_PENDING, "options-pending", "option bytes changed but not yet loaded (reset needed)") \
	X(OPTIONS_BAD, "options-bad", "option bytes inconsistent or corrupt")                     \
	X(RUNNING, "running", "the core is running (not halted)")                                 \
	X(LOW_VOLTAGE, "low-voltage", "target supply below 1.8 V")                                \
	X(DEBUG_DISABLED, "debug-disabled", "debug port disabled or unreachable")                 \
	X(HW_WATCHDOG, "hw-watchdog", "hardware independent watchdog selected (WDG_SW=0)")       \
	X(SPI_BP, "spi-bp", "the SPI flash's status register protects blocks (BP/TB/SEC/CMP or block locks)") \
	X(BOOT_LOCK, "boot-lock", "secure boot or a locked-down download mode burnt into eFuses") \
	X(FLASH_BUSY, "flash-busy", "FLASH_SR.BSY set: a flash operation runs, or the controller is stuck") \
	X(CRP, "lpc-crp", "NXP Code Read Protection (CRP1/CRP2) in force: the ISP refuses commands") \
	X(DEBUG_LOCK, "debug-locked", "a debug lock in the inventory: the chip's debug policy or fuses close the core's access port")

typedef enum fk_doctor_fact {
#define FK_X_FACT(sym, name, text) FK_FACT_##sym,
	FK_DOCTOR_FACT_TABLE(FK_X_FACT)
#undef FK_X_FACT
	FK_DOCTOR_FACT_COUNT
} fk_doctor_fact;

const char *fk_doctor_fact_name(int fact);  /* "rdp1"; NULL when out of range */
const char *fk_doctor_fact_text(int fact);  /* the sentence; "" when out of range */
int fk_doctor_fact_lookup(const char *name); /* index, or -1 */

#define FK_DOCTOR_UNKNOWN (-1)
/* What a live inventory established: v[fact] = 1 true, 0 false, FK_DOCTOR_UNKNOWN not known
 * (e.g. not readable on this access path); detail[fact] says how ("OPTCR=0x0FFF55ED"). */
typedef struct fk_doctor_facts {
	signed char v[FK_DOCTOR_FACT_COUNT];
	char detail[FK_DOCTOR_FACT_COUNT][160];
} fk_doctor_facts;
void fk_doctor_facts_init(fk_doctor_facts *f); /* all unknown */
void fk_doctor_facts_set(fk_doctor_facts *f, int fact, bool value, const char *detail);
/* Facts a read-only inventory establishes (everything but `running` and `low-voltage`, which the
 * caller measures on the transport). */
void fk_doctor_facts_from_inventory(const fk_inventory *inv, fk_doctor_facts *f);

#define FK_DOCTOR_MAX_ATOMS 6
#define FK_DOCTOR_MAX_CAUSES 8
#define FK_DOCTOR_MAX_PATTERNS 4
#define FK_DOCTOR_MAX_SAMPLES 6

/* A fact expression: all atoms must hold; an atom is a fact or its negation ("!wrp"). */
typedef struct fk_doctor_expr {
	unsigned n;
	int fact[FK_DOCTOR_MAX_ATOMS];
	bool negated[FK_DOCTOR_MAX_ATOMS];
} fk_doctor_expr;

typedef struct fk_doctor_cause {
	const char *id;      /* "rdp1" */
	const char *text;    /* what is wrong, in one sentence */
	const char *check;   /* what to look at offline, e.g. "flashkey -c CONN status: RDP level" */
	const char *fix;     /* a flashkey command line; NULL when flashkey cannot fix it */
	int step;            /* the unlock ladder step (fk_step_id) that removes it, or -1 */
	const char *explain; /* consequences of the fix, or the honest answer and the right tool */
	bool outside;        /* outside microcontroller flash (phones...) or outside flashkey's reach */
	fk_doctor_expr confirm;  /* empty: cannot be checked on the chip */
	fk_doctor_expr rule_out; /* empty: ruled out when a confirm atom is known false */
} fk_doctor_cause;

typedef struct fk_doctor_entry {
	const char *id;
	const char *tool;   /* "STM32CubeProgrammer" */
	const char *text;   /* the message as the tool prints it */
	const char *source; /* where the message and its causes are documented */
	const char *note;   /* may be NULL */
	const char *patterns[FK_DOCTOR_MAX_PATTERNS];
	unsigned npatterns;
	const char *samples[FK_DOCTOR_MAX_SAMPLES]; /* real texts that must match (tests) */
	unsigned nsamples;
	const fk_doctor_cause *causes[FK_DOCTOR_MAX_CAUSES]; /* ranked: most likely first */
	unsigned ncauses;
	bool outside; /* every cause is outside microcontroller flash */
} fk_doctor_entry;

/* A health-check item (`flashkey -c CONN doctor` without text). */
typedef struct fk_doctor_health {
	const char *id;
	const char *symptom; /* "Device locked (read protection)" */
	const char *source;
	const fk_doctor_cause *causes[FK_DOCTOR_MAX_CAUSES];
	unsigned ncauses;
	bool blocking; /* a confirmed cause is a problem (false: only a note) */
} fk_doctor_health;

typedef struct fk_doctor_catalogue fk_doctor_catalogue;

/* Parse and validate a catalogue text (format: docs/DOCTOR.md). Fails with FK_E_BAD_FILE and a
 * frame naming the line on any defect (unknown key, missing source, unknown cause or fact...). */
int fk_doctor_parse(fk_ctx *ctx, const char *text, size_t len, fk_doctor_catalogue **out);
/* The catalogue built into the library. */
int fk_doctor_load_builtin(fk_ctx *ctx, fk_doctor_catalogue **out);
void fk_doctor_free(fk_doctor_catalogue *cat);
const char *fk_doctor_builtin_text(size_t *len);

unsigned fk_doctor_entry_count(const fk_doctor_catalogue *cat);
const fk_doctor_entry *fk_doctor_entry_at(const fk_doctor_catalogue *cat, unsigned i);
unsigned fk_doctor_cause_count(const fk_doctor_catalogue *cat);
const fk_doctor_cause *fk_doctor_cause_at(const fk_doctor_catalogue *cat, unsigned i);
const fk_doctor_cause *fk_doctor_cause_find(const fk_doctor_catalogue *cat, const char *id);
unsigned fk_doctor_health_count(const fk_doctor_catalogue *cat);
const fk_doctor_health *fk_doctor_health_at(const fk_doctor_catalogue *cat, unsigned i);

/* Matching. The input may be any bytes of any size; only the first FK_DOCTOR_MAX_INPUT bytes
 * are read (hit.truncated tells). Scores are 0..100; 100 means every word of a pattern was
 * found in order with no words in between (except where the pattern says `*`). */
#define FK_DOCTOR_MAX_INPUT (256u * 1024u)
#define FK_DOCTOR_MIN_SCORE 75u
typedef struct fk_doctor_hit {
	const fk_doctor_entry *entry;
	unsigned score;
	size_t offset, length; /* the matched span in the input */
} fk_doctor_hit;
/* Fills hits (best first) with every entry scoring at least FK_DOCTOR_MIN_SCORE; returns the
 * number of hits found (may exceed max: only max are stored), or a negative FK_E_* code. */
int fk_doctor_match(const fk_doctor_catalogue *cat, const char *text, size_t len,
		    fk_doctor_hit *hits, unsigned max);
/* Score of one pattern against a text (tests, tools). */
unsigned fk_doctor_pattern_score(const char *pattern, const char *text, size_t len);

/* Live verdicts. */
typedef enum fk_doctor_verdict {
	FK_DOCTOR_NOT_CHECKABLE = 0, /* no fact on the chip can confirm it */
	FK_DOCTOR_UNDECIDED = 1,     /* the facts it needs are not known */
	FK_DOCTOR_RULED_OUT = 2,
	FK_DOCTOR_CONFIRMED = 3,
} fk_doctor_verdict;
const char *fk_doctor_verdict_name(fk_doctor_verdict v); /* "confirmed", "ruled-out", ... */
/* *why receives the fact that decided (or -1). */
fk_doctor_verdict fk_doctor_judge(const fk_doctor_cause *cause, const fk_doctor_facts *facts,
				  int *why);

#endif
