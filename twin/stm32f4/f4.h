/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 chip model: the one place where the twin enforces flash protection.
 *
 * Every access path — the in-process `twin:` backend, the debug port (SW-DP/JTAG-DP, MEM-AP),
 * the AN3155 bootloader server, the probe emulators — reaches the chip through tw_f4_read() and
 * tw_f4_write() with the initiator it represents. None of them re-implements protection.
 *
 * Sources: RM0090 Rev 21 ch. 3 (embedded flash interface), §38.6 (DBGMCU), §39.1 (unique ID);
 * DS8626 Table 40 (timing); facts collected in ../shared/reference/stm32.md. */
#ifndef TW_STM32F4_F4_H
#define TW_STM32F4_F4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "../model.h" /* tw_initiator, tw_status, tw_reset, tw_boot, tw_core_state */

typedef struct tw_f4 tw_f4;
typedef struct tw_f4_variant tw_f4_variant; /* defined in variants.c; accessors below */

/* ---- variants (data; validated by a unit test) ---- */
const tw_f4_variant *tw_f4_variant_find(const char *name); /* case-insensitive, e.g. "stm32f407" */
const tw_f4_variant *tw_f4_variant_at(unsigned i);        /* NULL past the end */
const char *tw_f4_variant_name(const tw_f4_variant *v);
uint16_t tw_f4_variant_dev_id(const tw_f4_variant *v);
uint32_t tw_f4_variant_flash_bytes(const tw_f4_variant *v);

/* ---- life cycle ---- */
tw_f4 *tw_f4_new(const tw_f4_variant *v); /* factory state: blank flash, RDP 0, options default */
void tw_f4_free(tw_f4 *t); /* no save; releases the lock of an opened twin */
/* (was tw_f4_variant(): a function may not share the typedef's name in C) */
const tw_f4_variant *tw_f4_variant_of(const tw_f4 *t);

/* State file: atomic save (temp + rename), versioned, validated on load (FK_E_BAD_FILE with the
 * reason for a corrupt, truncated or foreign file). */
int tw_f4_save(const tw_f4 *t, fk_ctx *ctx, const char *path);
int tw_f4_load(fk_ctx *ctx, const char *path, tw_f4 **out);
/* Open for use by one process: load and take an exclusive lock (FK_E_BUSY "twin busy: PATH is
 * in use by another process" when held). tw_f4_close saves (if changed) and unlocks. */
int tw_f4_open(fk_ctx *ctx, const char *path, tw_f4 **out);
int tw_f4_close(tw_f4 *t, fk_ctx *ctx); /* saves; returns the save result */
int tw_f4_sync(tw_f4 *t, fk_ctx *ctx);  /* save now, keep the lock (servers after each change) */
/* The same without fsync: still atomic (temp + rename) for other readers, but not flushed to
 * disk. Servers use it while a peer is talking, so a slow disk never stalls a reply past the
 * peer's timeout (stm32flash waits 0.5 s); the final save at close is durable. */
int tw_f4_sync_fast(tw_f4 *t, fk_ctx *ctx);

/* ---- the bus: every access path goes through these ---- */
/* size is 1, 2 or 4 bytes; addr naturally aligned for size (else TW_BUS_ERROR). */
tw_status tw_f4_read(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_f4_write(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);
/* Convenience for in-process callers: on TW_STALL advance the clock to the end of the flash
 * operation and retry (what the AHB does for a stalled master). */
tw_status tw_f4_read_wait(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val);
tw_status tw_f4_write_wait(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val);

/* ---- time (virtual clock, nanoseconds) ---- */
uint64_t tw_f4_now_ns(const tw_f4 *t);
void tw_f4_advance(tw_f4 *t, uint64_t ns); /* completes flash operations whose time is up */
bool tw_f4_busy(const tw_f4 *t);           /* FLASH_SR.BSY */
uint64_t tw_f4_busy_until_ns(const tw_f4 *t);
/* Timing figures: false = datasheet typical (default), true = maximum. */
void tw_f4_set_timing_max(tw_f4 *t, bool max);

/* ---- pins, resets, power ---- */
void tw_f4_reset(tw_f4 *t, tw_reset kind);
/* Resets (system or power-on, from any cause: NRST, AIRCR.SYSRESETREQ, watchdog) since the
 * model was created or loaded; not saved. Code running on the twin's CPU watches it. */
unsigned tw_f4_reset_count(const tw_f4 *t);
void tw_f4_set_boot(tw_f4 *t, tw_boot boot); /* takes effect at the next reset */
tw_boot tw_f4_boot(const tw_f4 *t);
void tw_f4_set_nrst(tw_f4 *t, bool asserted); /* releasing NRST performs a system reset */
bool tw_f4_nrst(const tw_f4 *t);
bool tw_f4_powered(const tw_f4 *t);
/* The debug port answers at all: false at RDP level 2 (RM0090 §3.7.3: JTAG/SWD disabled) and
 * while firmware has the SWD pins repurposed, unless NRST is held (connect-under-reset). */
bool tw_f4_debug_reachable(const tw_f4 *t);
/* The ROM bootloader can run: false at RDP level 2 (boot from system memory disabled). */
bool tw_f4_bootloader_available(const tw_f4 *t);
bool tw_f4_intrusion(const tw_f4 *t); /* debugger connected since the last POR */
/* What the Cortex-M4 does, from the SCS registers the model keeps (saved in the state file):
 * halted while DHCSR.C_DEBUGEN and C_HALT are set (ARMv7-M §C1.6.2), held in reset while NRST
 * is low, off without power, else running. The chip model executes no code on the debug path:
 * "running" means released, as `flashkey run` leaves it (tw_core_state: model.h). */
tw_core_state tw_f4_core_state(const tw_f4 *t);
bool tw_f4_halting_debug(const tw_f4 *t); /* DHCSR.C_DEBUGEN: a debugger may halt the core */
void tw_f4_debug_attach(tw_f4 *t);    /* a debugger connects: sets the intrusion latch */

/* ---- fault injection (RM0090 §3.6: "contents not guaranteed if a reset occurs during an
 * operation"; field reports of torn option bytes) ---- */
void tw_f4_fault_power_at_ns(tw_f4 *t, uint64_t ns);       /* 0 = none */
void tw_f4_fault_power_at_op(tw_f4 *t, unsigned nth_op);   /* the Nth flash operation from now */
void tw_f4_power_on(tw_f4 *t);                             /* restore power: a POR */

/* ---- inspection for tools and tests (bypass protection; never used by access paths) ---- */
uint32_t tw_f4_reg(const tw_f4 *t, uint32_t addr);          /* raw register value */
uint8_t tw_f4_peek(const tw_f4 *t, uint32_t addr);          /* raw memory byte, any region */
void tw_f4_poke(tw_f4 *t, uint32_t addr, uint8_t val);      /* raw set (twin creation only) */
uint32_t tw_f4_option_word(const tw_f4 *t, unsigned bank);  /* stored options: OPTCR/OPTCR1 image */
void tw_f4_set_option_word(tw_f4 *t, unsigned bank, uint32_t v); /* stored + live (creation) */
unsigned tw_f4_flash_ops(const tw_f4 *t);                   /* program/erase ops performed */

/* ---- additions (twin worker): more variant facts, conditions and inspection ---- */
const char *tw_f4_variant_family(const tw_f4_variant *v); /* "STM32F405/407/415/417" */
uint16_t tw_f4_variant_rev_id(const tw_f4_variant *v);
uint32_t tw_f4_variant_sram_bytes(const tw_f4_variant *v);
bool tw_f4_variant_has_pcrop(const tw_f4_variant *v);   /* OPTCR.SPRMOD exists */
bool tw_f4_variant_has_bkpsram(const tw_f4_variant *v); /* 4 KiB at 0x40024000 */
bool tw_f4_variant_has_optcr1(const tw_f4_variant *v);  /* F42x/43x: sectors 12-23 */

typedef struct tw_f4_sector_info {
	unsigned num;  /* RM0090 numbering: bank-2 sectors are 12..23 */
	uint32_t addr; /* absolute, 0x08xxxxxx */
	uint32_t size;
	unsigned bank; /* 0 or 1 */
	bool wrp;      /* write-protected now (nWRP, or PCROP which implies it) */
	bool pcrop;    /* PCROP (SPRMOD=1 and nWRPi=1) */
} tw_f4_sector_info;
/* Sector map as organised now (DB1M), protection in force (loaded option bytes, plus write
 * protection a live FLASH_OPTCR edit adds; see options.c). */
unsigned tw_f4_sector_count(const tw_f4 *t);
bool tw_f4_sector_get(const tw_f4 *t, unsigned i, tw_f4_sector_info *out);
unsigned tw_f4_rdp_level(const tw_f4 *t); /* level in force (loaded at reset / option write) */
bool tw_f4_key_lockout(const tw_f4 *t, bool option_key); /* wrong key: locked until reset */

/* State images (the fuzz harness, tools): parse a whole file held in memory. */
int tw_f4_load_buffer(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      tw_f4 **out);
/* The state image tw_f4_save would write, in a malloc'd buffer (caller frees). */
int tw_f4_save_buffer(const tw_f4 *t, uint8_t **buf, size_t *len);
/* Take the exclusive lock of path (FK_E_BUSY "twin busy" when held) and make t its owner, so
 * that tw_f4_sync/tw_f4_close save there (creating a twin: new + attach + close). */
int tw_f4_attach_path(tw_f4 *t, fk_ctx *ctx, const char *path);
const char *tw_f4_path(const tw_f4 *t); /* NULL when not attached */
bool tw_f4_dirty(const tw_f4 *t);       /* changed since the last save/load */

/* Firmware has repurposed the SWD pins: the debug port answers only while NRST is held. */
void tw_f4_set_swd_repurposed(tw_f4 *t, bool repurposed);
bool tw_f4_swd_repurposed(const tw_f4 *t);
/* Supply voltage (default 3300 mV); tw_f4_voltage_mv is 0 while unpowered. Below 1700 mV the
 * chip is off (power cut); back above, a POR. Program/erase with a PSIZE the supply cannot
 * sustain (RM0090 Table 13) completes with only half its effect (UNCONFIRMED model). */
void tw_f4_set_voltage_mv(tw_f4 *t, unsigned mv);
int tw_f4_voltage_mv(const tw_f4 *t);
/* UNCONFIRMED (stm32.md §1.2): does a key write to an already unlocked FLASH_CR/OPTCR count as
 * a wrong sequence? strict (default): yes, bus error + lockout; otherwise it is ignored. */
void tw_f4_set_strict_keys(tw_f4 *t, bool strict);
/* VPP (8-9 V) applied: needed for x64 parallelism (RM0090 §3.6.2 Table 13). */
void tw_f4_set_vpp(tw_f4 *t, bool applied);
void tw_f4_set_stuck_bsy(tw_f4 *t, bool on); /* FLASH_SR.BSY set until a reset (fault) */
/* Cut power now (as a fault would): an operation in progress is left half-done. */
void tw_f4_power_off(tw_f4 *t);
/* Model the hardware-watchdog abort of an RDP 1->0 regression (stm32.md §3.1 BMP note; see
 * options.c). Default on. */
void tw_f4_set_hw_watchdog_aborts(tw_f4 *t, bool aborts);

#endif
