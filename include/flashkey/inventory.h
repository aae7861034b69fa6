/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protection inventory (DESIGN.md "The protection inventory"): one generic structure a family
 * driver fills from the chip, listing every lock with its exact state, raw register values and
 * what removing it costs; and the unlock ladder (plan) built from it by lib/plan.
 *
 * Family-neutral: STM32F4 fills it from FLASH_CR/SR/OPTCR/OPTCR1 and the OTP lock bytes (RM0090
 * §3.7, §3.8, §3.9); other families (F1, LPC CRP, SPI NOR status registers) fill the same
 * fields. `flashkey status` prints it, `flashkey unlock` executes its ladder, `doctor` checks
 * foreign error messages against it. Shapes in --json: docs/JSON.md. */
#ifndef FLASHKEY_INVENTORY_H
#define FLASHKEY_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum fk_lock_kind {
	FK_LOCK_CTRL = 0,      /* flash controller lock (STM32 FLASH_CR.LOCK) */
	FK_LOCK_OPT,           /* option-register lock (FLASH_OPTCR.OPTLOCK) */
	FK_LOCK_ERRORS,        /* error flags latched in the status register */
	FK_LOCK_RDP,           /* read-out protection level */
	FK_LOCK_WRP,           /* write protection of sectors */
	FK_LOCK_PCROP,         /* proprietary-code read-out protection of sectors */
	FK_LOCK_OTP,           /* OTP block locked (lock byte programmed) */
	FK_LOCK_SPI_BP,        /* SPI NOR status-register block protect */
	FK_LOCK_CRP,           /* NXP code read protection */
	FK_LOCK_BOOT,          /* boot lock */
	FK_LOCK_DEBUG,         /* debug port disabled / intrusion detected */
	FK_LOCK_OPTIONS_TORN,  /* option bytes hold values no tool writes (power loss) */
	FK_LOCK_WATCHDOG,      /* hardware watchdog selected: aborts long operations */
	FK_LOCK_BUSY,          /* the controller's busy flag is set: an operation runs, or it is stuck */
} fk_lock_kind;

/* What removing a lock destroys. */
typedef enum fk_cost {
	FK_COST_NOTHING = 0,
	FK_COST_SECTORS = 1,    /* the sectors named in fk_lock.sectors */
	FK_COST_ALL_FLASH = 2,  /* whole main flash (and backup SRAM on STM32F4) */
	FK_COST_IMPOSSIBLE = 3, /* cannot be removed (RDP level 2, locked OTP) */
} fk_cost;

/* What is needed before a change takes effect. */
typedef enum fk_pending {
	FK_PENDING_NONE = 0,
	FK_PENDING_RESET = 1,      /* system reset (option bytes reload at reset release) */
	FK_PENDING_POWER_ON = 2,   /* power-on reset (clears the debug intrusion latch) */
	FK_PENDING_RECONNECT = 3,  /* reconnect the debugger / bootloader */
} fk_pending;

/* Steps of the ladder, from safest to most aggressive (their names are the --upto words). */
typedef enum fk_step_id {
	FK_STEP_ERRORS = 0,   /* clear latched error flags */
	FK_STEP_CTRL,         /* unlock the flash controller (keys) */
	FK_STEP_OPT,          /* unlock the option register (keys) */
	FK_STEP_WRP,          /* remove write protection, other options kept */
	FK_STEP_RDP_RAISE,    /* PCROP at level 0: raise to level 1 first (PCROP can only go 1->0) */
	FK_STEP_RDP,          /* RDP 1 -> 0 regression: mass erase (with PCROP removal) */
	FK_STEP_COUNT_,
	/* Not unlock classes (no --upto word): the steps of an OTP change (issue 12 Deliver 4,
	 * every protection change is a plan run by one executor). */
	FK_STEP_OTP_WRITE = 16, /* program bytes of one OTP block (irreversible) */
	FK_STEP_OTP_LOCK = 17,  /* lock one OTP block (irreversible) */
} fk_step_id;

#define FK_INV_MAX_LOCKS 40
/* The erase units an inventory describes one by one: every unit of every part in the device
 * tables (an STM32F103 XL or L476 has 512 pages); a chip with more (a 16 MiB SPI NOR has 4096
 * sectors) describes its protection by ranges (fk_lock.range_addr) and lists none here. */
#define FK_INV_MAX_SECTORS 512
#define FK_INV_MAX_OTP 16
#define FK_INV_MAX_REGS 16
#define FK_INV_MAX_OPTS 32

/* A set of sectors (erase units) by index, without a size limit: an F103 has 256 pages, a
 * 16 MiB SPI NOR 4096 sectors. Index i is bit (i % 8) of bits[i / 8]. */
typedef struct fk_sector_set {
	unsigned n;          /* capacity in sectors */
	uint8_t *bits;
} fk_sector_set;
/* All clear, room for n sectors: 0 or FK_E_NOMEM. */
int fk_sector_set_init(fk_sector_set *s, unsigned n);
void fk_sector_set_free(fk_sector_set *s);
void fk_sector_set_add(fk_sector_set *s, unsigned i);  /* ignored past n */
void fk_sector_set_del(fk_sector_set *s, unsigned i);  /* ignored past n */
bool fk_sector_set_has(const fk_sector_set *s, unsigned i);
unsigned fk_sector_set_count(const fk_sector_set *s);
/* The next run of consecutive members at or after *from and below n: true with [*first, *last]
 * and *from moved past it; false when there is none. Loop: `unsigned i = 0, a, b;
 * while (fk_sector_set_next_run(set, n, &i, &a, &b)) ...`. */
bool fk_sector_set_next_run(const fk_sector_set *s, unsigned n, unsigned *from, unsigned *first,
			    unsigned *last);

typedef struct fk_lock {
	fk_lock_kind kind;
	char name[32];       /* "FLASH_CR.LOCK", "RDP", "WRP sector 5", "OTP block 0" */
	char state[160];      /* "level 1 (RDP byte 0x55)" */
	char raw[96];        /* raw register values: "OPTCR=0x0FFC55ED" */
	bool blocks_write;   /* would stop an erase/program of main flash */
	uint64_t sectors;    /* sectors (WRP, PCROP) or OTP blocks concerned: bit i = number i */
	int step;            /* fk_step_id that removes it, -1 when no step can */
	fk_cost cost;        /* what that removal destroys */
	bool reversible;     /* the lock can be set again after removal */
	fk_pending pending;  /* what the removal needs before it takes effect */
	char remedy[200];    /* one sentence: how it goes away and what that costs */
	/* Added with the SPI NOR driver: the protected addresses when the lock covers a range
	 * that `sectors` cannot name (a 16 MiB SPI NOR has 4096 sectors); range_len 0 = see
	 * `sectors`. A write touching it is blocked (lib/api/gates.c). */
	uint32_t range_addr, range_len;
} fk_lock;

typedef struct fk_sector_info {
	unsigned number;     /* sector number as the controller knows it (SNB) */
	uint32_t addr, size;
	bool wrp;            /* write-protected (nWRPi=0 with SPRMOD=0) */
	bool pcrop;          /* PCROP-protected (nWRPi=1 with SPRMOD=1) */
	int8_t blank;        /* 1 all 0xFF, 0 programmed, -1 not readable */
	uint32_t crc;        /* CRC-32 of the sector when readable */
} fk_sector_info;

typedef struct fk_otp_info {
	bool readable;       /* false when RDP/intrusion hides OTP from this path */
	bool written;        /* any data byte != 0xFF */
	bool locked;         /* lock byte == 0x00 */
	uint8_t lock_byte;   /* raw; anything but 0x00/0xFF is invalid (RM0090 §3.8) */
} fk_otp_info;

typedef struct fk_reg_value {
	char name[16];       /* "FLASH_OPTCR" */
	uint32_t addr;
	uint32_t value;
	bool valid;          /* false when not readable on this path */
} fk_reg_value;

typedef struct fk_option_value {
	char key[16];        /* semantic key as `options set` takes it: rdp, bor, wdg, ... */
	uint32_t value;      /* raw field value */
	char text[64];       /* decoded: "level 1 (0x55)", "2.70-3.60 V", "software" */
} fk_option_value;

/* One key of a chip's options schema, from its driver: what `options set KEY=VALUE` takes. */
typedef struct fk_option_key {
	const char *key;           /* "rdp" */
	const char *values;        /* accepted values: "0|1|2", "off|1|2|3", "none|all|LIST" */
	const char *help;          /* one line: what it is, which register bits */
	bool irreversible_value;   /* some value of it cannot be undone (RDP 2) */
} fk_option_key;

typedef struct fk_inventory {
	char chip[32];            /* "stm32f407" */
	char family[16];          /* "stm32f4" */
	char path[16];            /* "debug" or "bootloader" */
	uint16_t dev_id, rev_id;
	char revision[16];        /* "Y", "1", ... */
	uint32_t flash_base, flash_size;
	bool flash_size_assumed;  /* size register unreadable: family table size used */
	int rdp_level;            /* 0, 1, 2; -1 unknown */
	uint8_t rdp_raw;
	bool intrusion;           /* level 1 with a debugger attached: flash/OTP unreadable */
	bool flash_readable;      /* main flash can be read on this path now */
	bool pcrop_mode;          /* SPRMOD=1 */
	unsigned nregs;
	fk_reg_value regs[FK_INV_MAX_REGS];
	unsigned nopts;
	fk_option_value opts[FK_INV_MAX_OPTS];
	unsigned nsectors;
	fk_sector_info sectors[FK_INV_MAX_SECTORS];
	unsigned notp;            /* 0 when the chip has none */
	fk_otp_info otp[FK_INV_MAX_OTP];
	unsigned nlocks;
	fk_lock locks[FK_INV_MAX_LOCKS];
	bool write_blocked;       /* something in locks[] would stop a write */
} fk_inventory;

/* ---- the ladder ---- */
#define FK_PLAN_MAX_STEPS 8

typedef struct fk_step {
	fk_step_id id;
	const char *name;         /* "errors", "ctrl", "opt", "wrp", "rdp-raise", "rdp" */
	char what[200];           /* what it does, in register terms */
	char cost_text[160];      /* what it costs */
	fk_cost cost;
	uint64_t sectors;         /* sectors lost when cost == FK_COST_SECTORS */
	bool destructive;         /* needs allow_erase_all */
	bool irreversible;        /* needs allow_irreversible */
	bool backup;              /* a backup is taken before it (unless no_backup) */
	fk_pending pending;
	bool refused;             /* cannot be run as things stand (see why) */
	char why[200];            /* reason for refusal, with how to proceed */
	/* Target values the step writes (option steps), in the driver's layout: value[0] is what
	 * JSON shows under FK_STEP_VALUE_KEY (docs/JSON.md; the key kept from the first family). */
	uint32_t value[2];
	/* The pending reset is reported to the user, not done by the executor (an option change
	 * the user asked for takes effect at the reset they choose; an unlock step's reset is
	 * done when the path can). */
	bool user_reset;
	/* Restore: run before the flash is written back (it lifts what would block the write). */
	bool before_write;
	/* Opaque to everything but the driver that planned the step (an OTP step's block, offset
	 * and bytes). */
	uint8_t payload[40];
} fk_step;
#define FK_STEP_VALUE_KEY "optcr"

typedef struct fk_plan {
	unsigned nsteps;
	fk_step steps[FK_PLAN_MAX_STEPS];
	bool nothing_to_do;
} fk_plan;

/* Permissions given by the user (DESIGN.md "Safety gates"). --yes is not among them: it only
 * answers prompts for what is already permitted. */
typedef struct fk_perms {
	bool allow_erase_all;
	const char *allow_irreversible; /* the consequence named, e.g. "PERMANENT"; NULL = none */
	bool no_backup;
	const char *backup_dir;         /* NULL = ./flashkey-backups */
	bool dry_run;
} fk_perms;

const char *fk_lock_kind_name(fk_lock_kind k);  /* "rdp", "wrp", ... (JSON) */
const char *fk_cost_name(fk_cost c);            /* "nothing", "sectors", "all-flash", "impossible" */
const char *fk_pending_name(fk_pending p);      /* "none", "reset", "power-on-reset", "reconnect" */
const char *fk_step_name(fk_step_id id);        /* "errors" ... "rdp" */
int fk_step_parse(const char *name, fk_step_id *out); /* 0 or -1 */
/* What keeps flash unreadable, in the inventory's words: "RDP level 1 (RDP byte 0x55)", or on a
 * chip without an RDP level the first lock that blocks a write ("CRP: CRP1 in force"). */
void fk_inventory_read_guard(const fk_inventory *inv, char *out, size_t n);
/* A new zeroed step of class id (its name set) at the end of plan; NULL when the plan is full
 * (FK_PLAN_MAX_STEPS). What every driver's plan() builds with. */
fk_step *fk_plan_step_add(fk_plan *plan, fk_step_id id);
/* A register shown in the inventory (name, address, value, whether it was read); NULL when
 * inventory's register table is full (FK_INV_MAX_REGS). What every driver's inventory uses. */
fk_reg_value *fk_inv_reg_add(fk_inventory *inv, const char *name, uint32_t addr, uint32_t value,
			     bool valid);

#endif
