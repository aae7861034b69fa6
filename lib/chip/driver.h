/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The chip-driver interface: what a family (STM32F4, STM32F0/F1/F3, SPI NOR, ESP32, NXP LPC ...)
 * implements so that the session (lib/api), the planners (lib/plan), doctor and the tools work
 * with it unchanged. This header is the contract: a family driver is written against it alone,
 * and the layers above never include a family header (tests/lint/check_family_ids.sh).
 *
 * ---------------------------------------------------------------------------------------------
 * 1. Access paths (how bytes reach a chip), orthogonal to families (what the bytes mean)
 * ---------------------------------------------------------------------------------------------
 * A connection string yields one transport (include/flashkey/backend.h). The session turns it
 * into one access path of these kinds, collects the IDs once (section 2), then hands the path
 * to the driver that claims the IDs:
 *
 *   FK_PATH_MEMORY      memory-mapped reads/writes of the target bus: debug probes through a
 *                       MEM-AP (lib/debug over cmsis-dap:), ST-LINK (stlink:), the in-process
 *                       twin (twin:). The driver drives the flash controller's registers.
 *                       path->mem / path->mem_h are set.
 *   FK_PATH_DAP_RAW     raw DP/AP transactions without assuming a working MEM-AP: what an
 *                       AP-level unlocker needs (Kinetis MDM-AP mass erase, LPC55 debug
 *                       mailbox, nRF CTRL-AP ERASEALL). A raw DAP transport becomes a memory
 *                       path (lib/debug/dap_mem) when its AHB-AP and Cortex-M core answer;
 *                       when the DP answers but they do not (a secured part, an AP 0 that is
 *                       no AHB-AP), it stays raw: this path powers the DP up and reads the
 *                       APs' IDRs into ids.ap[] (path->dap / dap_h are the transport's DAP
 *                       ops), so the part is still identified rather than failing at
 *                       connect. On a memory path over a DAP, ids.dp_idr and ids.ap[0] are
 *                       the IDRs read at connect (fk_mem_ops.dap_ids).
 *   FK_PATH_ROM_STREAM  a ROM bootloader's protocol over a byte stream (uart:, twin-uart:).
 *                       path->protocol names it: "an3155" (STM32 USART bootloader: the
 *                       session synchronises and runs Get ID once, the driver adopts the
 *                       connected client path->an3155) or "esp-rom" (the Espressif serial
 *                       ROM loader, esp:/twin-esp:: reset into the ROM, SYNC, GET_SECURITY_INFO
 *                       and the chip-detect magic word; the driver adopts path->esp) or
 *                       "lpc-isp" (the NXP LPC boot ROM UART ISP, lpc:/twin-lpc:: '?' /
 *                       Synchronized / crystal, echo off, Read Part ID; path->lpc). The
 *                       transport names the protocol (fk_transport.protocol, NULL = an3155).
 *   FK_PATH_SPI         an SPI programmer talking to a serial flash (serprog:, twin-spi:):
 *                       path->spi / path->spi_h carry SPI transactions (include/flashkey/
 *                       backend.h fk_spi_ops). The path reads the JEDEC ID (9Fh, JESD21-C
 *                       manufacturer + two device bytes) into ids.jedec, nothing else.
 *
 * A path contains no family code. A family contains no path code beyond what its ROM protocol
 * requires (e.g. which AN3155 command erases an F4 sector). A driver says which kinds it can
 * drive in fk_chip_driver.paths; the session never offers it another.
 *
 * ---------------------------------------------------------------------------------------------
 * 2. Identification: the IDs are collected once, by the path, for every driver
 * ---------------------------------------------------------------------------------------------
 * Before any driver runs, the session fills one fk_chip_ids: on a memory path the ID registers
 * every registered driver lists in fk_chip_driver.id_regs (DBGMCU_IDCODE sits at 0xE0042000 on
 * F1/F3/F4 but at 0x40015800 on F0/G0: each family names its own address; each address is read
 * once, a bus fault is recorded, not fatal); on a ROM stream the bootloader's product ID; later
 * the JEDEC ID (SPI) and the LPC part ID (ISP). Then each driver's match() looks at them,
 * purely, without I/O. So a family is identified without touching the chip in a way another
 * family might mind, and the error for an unknown chip can name every ID that was seen.
 *
 * The registry (lib/chip/registry.c) tries the drivers in table order; the first whose match()
 * claims the IDs attaches. `--chip NAME` narrows the choice to the family owning NAME (a
 * family "stm32f4" or a part "stm32f407"). When no driver claims the IDs the session fails
 * closed with FK_E_UNKNOWN_CHIP (exit 8), listing every ID read and the supported families;
 * nothing is written. When --chip names a part the IDs contradict, the session refuses with
 * FK_E_UNKNOWN_CHIP unless the user forces it with --allow-wrong-memory-map (the risk: erasing
 * and programming with another part's memory map); then attach() gets force_part.
 *
 * ---------------------------------------------------------------------------------------------
 * 3. What a driver provides
 * ---------------------------------------------------------------------------------------------
 * - a description (fk_chip_desc): names, flash base, the erase units, the areas that are not
 *   main flash (option bytes, OTP, system memory: images reaching them are refused or routed
 *   to the option/OTP gates), OTP/security regions (count, size, lock model), program widths by
 *   supply voltage (the text the CLI prints), the options schema (keys, values, help). The CLI
 *   takes every default from it (flash base for raw binaries, etc.): cli/ knows no chip.
 * - inventory: every protection as generic fk_lock rows (include/flashkey/inventory.h).
 * - plan: a requested protection change (fk_change: unlock ladder up to a class, options set,
 *   OTP write/lock, options restore) becomes an fk_plan of steps. Each step carries the common
 *   class (fk_step.id: the --upto words), the family word, a description, its gates (cost,
 *   destructive, irreversible, backup, pending) and the raw target values (fk_step.values[],
 *   printed in JSON under their names), plus an opaque payload only the driver reads.
 * - step: run one step of such a plan. The session's one executor (lib/api) checks the gates
 *   of the whole plan first, backs up before a destructive step, runs the steps, reads the
 *   inventory back after each, and reports the pending reset/power-on.
 * - erase (a set of erase units or everything), program, read, on-chip CRC-32 (optional),
 *   start the application (optional), reset.
 *
 * Rules every operation keeps (DESIGN.md "Safety gates"; docs/ADDING-A-FAMILY.md):
 * - report protection that would block an operation before anything is erased, naming the
 *   register/bit/unit (fk_fail + fk_hint);
 * - never change option bytes as a side effect of erase or program;
 * - read back every protection change (step) before reporting success;
 * - fail closed: an ID not in the device table is FK_E_UNKNOWN_CHIP, never a guess. */
#ifndef FK_CHIP_DRIVER_H
#define FK_CHIP_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"

struct fk_seg; /* flashkey/flashkey.h: an image segment (image_notes) */
#include "flashkey/core.h"
#include "flashkey/inventory.h"

struct an3155;     /* lib/boot/stm32_usart.h */
struct esp_loader; /* lib/boot/esp_loader.h */
struct lpc_isp;    /* lib/boot/lpc_isp.h */

/* ---- access paths ---- */
typedef enum fk_path_kind {
	FK_PATH_MEMORY = 0,
	FK_PATH_DAP_RAW = 1,
	FK_PATH_ROM_STREAM = 2,
	FK_PATH_SPI = 3,
} fk_path_kind;
#define FK_PATH_BIT(k) (1U << (k))

typedef struct fk_chip_path {
	fk_path_kind kind;
	const char *protocol;       /* FK_PATH_ROM_STREAM: "an3155"; NULL otherwise */
	const fk_transport *t;      /* the transport under the path (description for messages) */
	const fk_mem_ops *mem;      /* FK_PATH_MEMORY */
	void *mem_h;
	/* FK_PATH_ROM_STREAM "an3155": the connected client (Get, Get Version, Get ID done). A
	 * driver that adopts it sets this to NULL and owns it from then on (closes it in
	 * detach); otherwise the session closes it. */
	struct an3155 *an3155;
	const char *boot_seq;       /* the user's DTR/RTS boot sequence (stream paths) */
	int reset_mode;             /* fk_conn_opts.reset_mode: -1 default, else fk_reset_kind */
	/* Added with the SPI NOR driver: FK_PATH_SPI, the programmer (t->ops, t->handle). */
	const fk_spi_ops *spi;
	void *spi_h;
	/* Added with the ESP32 drivers: FK_PATH_ROM_STREAM "esp-rom", the connected loader
	 * (synchronised, chip detection done); adopted like an3155 (set to NULL, closed in
	 * detach, which runs its --after action). */
	struct esp_loader *esp;
	/* Added with the NXP LPC drivers: FK_PATH_ROM_STREAM "lpc-isp" (lpc:, twin-lpc:), the
	 * synchronised ISP client (echo off, Read Part ID done, ids.lpc_part_id); adopted like
	 * an3155. */
	struct lpc_isp *lpc;
	/* Added for issue 13 class 12: the core as FK_PATH_MEMORY found it, before halting it:
	 * core_seen when DHCSR could be read, then core_ran (S_HALT was 0) and core_debugen
	 * (C_DEBUGEN was 1). fk_chip_path_resume puts a core that ran back to running. */
	bool core_seen, core_ran, core_debugen;
	/* FK_PATH_DAP_RAW: the debug port (include/flashkey/dap.h), for an AP-level driver. */
	const struct fk_dap_ops *dap;
	void *dap_h;
} fk_chip_path;

/* ---- IDs collected once (section 2) ---- */
#define FK_CHIP_MAX_APS 8
#define FK_CHIP_MAX_IDWORDS 16

/* An ID register a family reads on a memory path (32-bit read). */
typedef struct fk_chip_id_reg {
	const char *name;  /* "DBGMCU_IDCODE" */
	uint32_t addr;     /* 0xE0042000 */
} fk_chip_id_reg;

typedef struct fk_chip_id_word {
	const char *name;
	uint32_t addr;
	uint32_t value;
	bool ok;           /* false: the read failed (bus fault, protection); value is 0 */
} fk_chip_id_word;

typedef struct fk_chip_ids {
	fk_path_kind path;
	bool have_dp;
	uint32_t dp_idr;                       /* DPIDR (ADIv5 §2.3.5) when the path reports it */
	unsigned nap;
	struct {
		uint8_t apsel;
		uint32_t idr;                  /* AP IDR (ADIv5 §C2.6.2) */
	} ap[FK_CHIP_MAX_APS];
	unsigned nwords;
	fk_chip_id_word words[FK_CHIP_MAX_IDWORDS]; /* memory path: each id_regs address once */
	bool have_boot_pid;
	uint16_t boot_pid;                     /* AN3155 Get ID product ID */
	uint8_t boot_version;                  /* AN3155 Get: protocol version, e.g. 0x31 */
	bool have_jedec;
	uint8_t jedec[3];                      /* SPI NOR 0x9F: manufacturer, type, capacity */
	bool have_lpc_part;
	uint32_t lpc_part_id;                  /* LPC ISP "J" */
	/* ESP ROM loader: GET_SECURITY_INFO's chip id (not in the ESP32 ROM) and the word at
	 * CHIP_DETECT_MAGIC_REG 0x40001000 (refused in Secure Download Mode) */
	bool have_esp_chip_id;
	uint32_t esp_chip_id;
	bool have_esp_magic;
	uint32_t esp_magic;
} fk_chip_ids;

/* The word read at addr (any name); false when it was not read or the read failed. */
bool fk_chip_ids_word(const fk_chip_ids *ids, uint32_t addr, uint32_t *value);
/* "DBGMCU_IDCODE@0xE0042000=0x10076413, bootloader PID 0x413": every ID seen, for messages. */
void fk_chip_ids_text(const fk_chip_ids *ids, char *out, size_t n);

/* ---- the chip description ---- */
typedef struct fk_erase_unit {
	unsigned number;   /* as the controller knows it (F4 SNB, F1 page, SPI sector) */
	uint32_t addr, size;
	uint8_t bank;      /* 0 or 1 */
} fk_erase_unit;

typedef enum fk_area_kind {
	FK_AREA_OPTIONS = 1,  /* option bytes: an image reaching them goes through the option gates */
	FK_AREA_OTP = 2,      /* OTP data: irreversible gate */
	FK_AREA_OTP_LOCK = 3, /* OTP lock bytes: irreversible gate */
	FK_AREA_SYSTEM = 4,   /* ROM (system memory): never written */
} fk_area_kind;

typedef struct fk_chip_area {
	const char *name;     /* "option bytes", "OTP", "system memory" */
	fk_area_kind kind;
	uint32_t addr, size;
} fk_chip_area;

/* How an OTP / security region locks. */
typedef enum fk_otp_lock_model {
	FK_OTP_LOCK_NONE = 0,      /* no lock: bits only go 1 -> 0 */
	FK_OTP_LOCK_BYTE = 1,      /* one lock byte per block, 0x00 = locked (STM32F4 RM0090 §3.8) */
	FK_OTP_LOCK_REGION = 2,    /* the whole region locks at once (Macronix secured OTP: LDSO) */
	/* Added with SPI NOR security registers: each block has its own one-time lock bit in a
	 * register, not a byte in the memory map (W25Q LB1-3 in status register 2, W64 §7.1). */
	FK_OTP_LOCK_BIT = 3,
} fk_otp_lock_model;

typedef struct fk_otp_desc {
	unsigned nblocks;          /* 0: the chip has none */
	unsigned block_size;       /* bytes per block */
	uint32_t data_base;        /* block i at data_base + i * block_size */
	uint32_t lock_base;        /* FK_OTP_LOCK_BYTE: lock byte of block i at lock_base + i */
	fk_otp_lock_model lock_model;
	uint8_t erased;            /* value of an unwritten byte (0xFF) */
	const char *source;        /* manual section, for messages: "RM0090 §3.8" */
	const char *lock_name;     /* FK_OTP_LOCK_BYTE: the lock byte's name before its block
				    * number ("LOCKB" for LOCKB0); NULL: "lock byte ".
				    * FK_OTP_LOCK_BIT: the lock bit's name before block + 1 ("LB"
				    * for LB1 = block 0); FK_OTP_LOCK_REGION: the bit ("LDSO") */
} fk_otp_desc;

/* Program width by supply voltage, row i = the forced width index i (`write --psize`): the
 * CLI prints these (help, the warning for a forced width, the hint after a verify failure). */
typedef struct fk_width_row {
	int min_mv;                /* from this supply up */
	unsigned width;            /* bytes per program operation */
	const char *need;          /* what it needs: "2.7 V", "2.7 V and 8-9 V on VPP" */
	/* It needs more than the supply (a programming voltage no probe measures): never
	 * chosen from a voltage, only when forced, and then with a warning naming `need`. */
	bool external;
	/* With external (issue 12, cli/ knows no chip): the extra supply's name, its voltage
	 * and the limit the manual puts on it, for the warning and the hint the CLI prints:
	 * "VPP", "8-9 V", "at most an hour". */
	const char *ext_name, *ext_volts, *ext_limit;
} fk_width_row;

/* One key of the options schema: drives `options show/set`, their help and JSON. The public
 * fk_option_key (include/flashkey/inventory.h): key as `options set KEY=VALUE` takes it,
 * accepted values ("0|1|2", "none|all|LIST"), one line of help naming the register bits, and
 * whether some value of it cannot be undone (RDP 2). */
typedef fk_option_key fk_opt_field;

typedef struct fk_chip_desc {
	const char *family;        /* "stm32f4" (JSON "family") */
	const char *part;          /* "stm32f40x" (JSON "chip") */
	const char *members;       /* "stm32f405 stm32f407 stm32f415 stm32f417" */
	const char *manual;        /* "RM0090" */
	const char *revision;      /* "Y", "1", "?" */
	uint16_t dev_id, rev_id;
	uint32_t flash_base;       /* where a raw binary goes unless --base says otherwise */
	uint32_t flash_size;
	bool flash_size_assumed;   /* the size register was unreadable: the table's size used */
	unsigned nunits;
	const fk_erase_unit *units;/* erase units in address order; owned by the driver state */
	unsigned nareas;
	const fk_chip_area *areas; /* everything an image must not reach as main flash */
	uint32_t option_base;      /* the option bytes as an image addresses them (info) */
	const char *option_reg;    /* "FLASH_OPTCR 0x40023C14": the register behind them (info) */
	fk_otp_desc otp;
	unsigned nwidths;
	const fk_width_row *widths;/* program width by supply; empty when one width only */
	const char *width_source;  /* "RM0090 §3.6.2 Table 13" */
	unsigned nopts;
	const fk_opt_field *opts;  /* the options schema */
	const char *opt_reg_prefix;/* inventory regs[] that hold the options ("FLASH_OPTCR") */
	uint32_t ram_base, ram_size; /* SRAM as a vector table may point into it */
	/* Added after the first landing (docs/ADDING-A-FAMILY.md "Changes to the interface"): */
	const char *mass_erase_how;/* "FLASH_CR.MER": named by the erase --all gate; may be NULL */
	const char *program_source;/* manual section on an interrupted erase/program ("RM0090
				    * §3.6"), named when a write is cut short; may be NULL */
	const char *rdp_source;    /* manual section saying what read protection hides from
				    * this path ("RM0090 §3.7.3"), named when a backup cannot
				    * read the flash; may be NULL (then the manual is named) */
	/* `run`: where it starts by default (0 = flash_base; the ESP32 ROM boots the image at
	 * 0x1000), the names of the two words vector_check judges (NULL = the Cortex-M vector
	 * table's "MSP" and "reset handler"), and what the user is told when the path no longer
	 * answers afterwards (NULL = the STM32 ROM bootloader's BOOT0 text). */
	uint32_t run_default;
	const char *run_word_names[2];
	const char *run_gone_note;
	/* Added for the image safety scan (issue 17 Deliver 4): the image protection words this
	 * part obeys, bit (1 << fk_image_mark_kind) (FK_MARK_LPC_CRP on an LPC); a word the part
	 * does not obey is only warned about, one it obeys that locks it for good needs
	 * allow_irreversible. 0: none (every driver today). */
	unsigned obeys_marks;
	/* Added with the LPC driver: main flash this path cannot read (the LPC boot ROM maps its
	 * vectors over 0x00-0x3F while the ISP runs): a backup records it as missing with
	 * hidden_why, as it records PCROP; 0 = none. */
	uint32_t hidden_addr, hidden_len;
	const char *hidden_why;
	/* Added with LPC programming: program() compares every block on the chip right after
	 * programming it and fails FK_E_VERIFY on a difference (the LPC ISP's Compare after
	 * Copy), so a write reads back only what it left erased (FK_VERIFY_COMPARE). */
	bool program_compares;
	/* Added with the ESP ROM path: program() takes one call for a run of consecutive erase
	 * units up to this many bytes (the ROM's FLASH_BEGIN costs a round trip per call, so
	 * 4 KiB sectors one by one cost 256 of them per MiB). 0: one unit at a time, in pieces
	 * of 16 KiB at most. */
	uint32_t program_span;
} fk_chip_desc;

/* ---- requested protection changes, planned by the driver ---- */
typedef enum fk_change_kind {
	FK_CHANGE_UNLOCK = 0,      /* the unlock ladder up to class `upto` */
	FK_CHANGE_OPTIONS = 1,     /* options set KEY=VALUE ... */
	FK_CHANGE_OTP_WRITE = 2,   /* program bytes in one OTP block */
	FK_CHANGE_OTP_LOCK = 3,    /* lock one OTP block */
	FK_CHANGE_OPTIONS_RAW = 4, /* restore: the option words saved in a backup */
	/* The bytes an image carries in the FK_AREA_OPTIONS areas (write --with-options), laid
	 * over the current option bytes: planned like FK_CHANGE_OPTIONS. */
	FK_CHANGE_OPTIONS_IMAGE = 5,
} fk_change_kind;

typedef struct fk_change {
	fk_change_kind kind;
	fk_step_id upto;                 /* UNLOCK */
	const char *const *kv;           /* OPTIONS: "key=value" */
	unsigned nkv;
	unsigned block, off, len;        /* OTP_WRITE / OTP_LOCK */
	const uint8_t *data;             /* OTP_WRITE */
	const uint8_t *raw;              /* OPTIONS_RAW: as the driver's backup_options wrote it */
	unsigned raw_len;
	/* OPTIONS_IMAGE: the image's segments (only those inside FK_AREA_OPTIONS areas count) */
	const struct fk_seg *segs;
	unsigned nsegs;
} fk_change;

typedef enum fk_vec_verdict {
	FK_VEC_OK = 0,
	FK_VEC_ERASED = 1,     /* both words erased: nothing to start */
	FK_VEC_BAD = 2,        /* SP or reset handler outside what the part allows */
} fk_vec_verdict;

/* The most ranges the session passes to one crc32 call (the path splits them into runs: 64
 * one-KiB F1 pages make one run of the code in RAM, AN3155_CRC_MAX_RANGES). */
#define FK_CHIP_CRC_MAX 64U

/* ---- the driver ---- */
typedef struct fk_chip_driver {
	const char *family;        /* "stm32f4": registry key, --chip family name */
	const char *summary;       /* one line for the unknown-chip error and lists */
	unsigned paths;            /* FK_PATH_BIT(kind) for each path kind it drives */
	const fk_chip_id_reg *id_regs; /* memory path: ID registers to read for match() */
	unsigned nid_regs;

	/* Does NAME (--chip) belong to this family (a family or part name)? Pure. */
	bool (*owns_name)(const char *name);
	/* Do the IDs belong to this family? Pure, no I/O. part (n bytes) receives the part name
	 * ("stm32f40x") when it does. */
	bool (*match)(const fk_chip_ids *ids, char *part, size_t n);
	/* Does the part matched from the IDs satisfy `--chip NAME`? Pure. */
	bool (*part_is)(const fk_chip_ids *ids, const char *name);
	/* Attach over the path: read what the description needs (flash size, layout), never
	 * write. force_part (NULL normally) is the part the user forced against the IDs. The
	 * driver allocates its state into *state and frees it in detach (which also closes what
	 * it adopted from the path). */
	int (*attach)(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		      const char *force_part, void **state);
	void (*detach)(void *state);
	/* The description; valid until detach. The path's name ("debug", "bootloader") as JSON
	 * reports it comes from path_name. */
	const fk_chip_desc *(*describe)(void *state);
	const char *(*path_name)(void *state);

	int (*inventory)(void *state, fk_ctx *ctx, fk_inventory *inv);
	/* A requested change as a plan of steps (gates filled in, refused steps kept with why).
	 * Reads the chip when it must (current option values), never writes. Every protection
	 * change goes through here and the session's one executor (lib/api/unlock.c):
	 *  - UNLOCK: the ladder up to req->upto, safest first;
	 *  - OPTIONS / OPTIONS_IMAGE: the option write(s); nothing_to_do when nothing changes;
	 *    a step whose reload the user should choose sets user_reset;
	 *  - OPTIONS_RAW (restore): the steps that lift what would block writing the flash back
	 *    (WRP off, an RDP regression) are marked before_write; the rest run after it;
	 *  - OTP_WRITE / OTP_LOCK: FK_STEP_OTP_WRITE / FK_STEP_OTP_LOCK steps, irreversible, with
	 *    what they write in payload; refused (FK_E_PROTECTED, nothing planned) for a locked
	 *    block or a bit that would have to go 0 -> 1. step() reads them back.
	 * A kind the family does not have: FK_E_UNSUPPORTED naming it. */
	int (*plan)(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		    fk_plan *plan);
	/* Runs one step of a plan made by plan(); the caller reads the inventory back. */
	int (*step)(void *state, fk_ctx *ctx, const fk_step *st);

	/* Program width from the supply: stated_mv (0 = measure, which may be unknown) or a
	 * forced width index (-1 = from the voltage). Returns the width in bytes in *width;
	 * FK_E_USAGE on a forced index the chip does not have. */
	int (*set_supply)(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width);
	/* Erase the units in `set` (index i = units[i]), or everything when all (mass erase;
	 * set may then be NULL). Protection that blocks is reported before anything is erased. */
	int (*erase)(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all);
	/* Optional: how many units of the last erase() were left as they were because they already
	 * read erased (proven all 0xFF, e.g. by a CRC-32 computed on the chip); NULL: none ever. */
	unsigned (*erase_spared)(void *state);
	/* Program main flash inside one erase unit; addr/len multiples of the width. */
	int (*program)(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len);
	int (*read)(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len);
	/* Optional (NULL or FK_E_UNSUPPORTED with nothing in the chain): CRC-32 (fk_crc32(0,..))
	 * of n ranges computed on the chip; the session asks at most FK_CHIP_CRC_MAX at once. */
	int (*crc32)(void *state, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		     uint32_t *crc);
	/* Set the controller locks again after flash work (RM0090 §3.6.1 on F4); may be NULL. */
	void (*relock)(void *state, fk_ctx *ctx);
	int (*reset)(void *state, fk_ctx *ctx, fk_reset_kind kind);
	/* Optional: the refusals reset would give, touching nothing (`reset --dry-run`). */
	int (*reset_check)(void *state, fk_ctx *ctx, fk_reset_kind kind);
	/* Optional: start the application at addr (vector table checked by the session);
	 * dry: the same refusals, nothing touched. how receives what was (would be) done.
	 * *gone: the path no longer answers afterwards (a ROM bootloader). */
	int (*run)(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len, bool *gone);
	/* With run: are these the first two words of a startable vector table on this part
	 * (sp = initial stack pointer, reset = reset handler)? why (n bytes) receives the
	 * reason with the accepted ranges. */
	fk_vec_verdict (*vector_check)(void *state, uint32_t sp, uint32_t reset, char *why,
				       size_t n);
	uint64_t (*virtual_ns)(void *state); /* twin clock; may be NULL */
	/* Optional: the option words as a backup keeps them (raw, driver's layout), for
	 * FK_CHANGE_OPTIONS_RAW later. *addr is what the backup records as their address. */
	int (*backup_options)(void *state, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *len,
			      uint32_t *addr);
	/* Optional (NULL or FK_E_UNSUPPORTED with nothing in the chain): the MD5 of [addr,
	 * addr+len) computed on the chip (ESP ROM SPI_FLASH_MD5): verify and --skip-unchanged
	 * compare digests instead of reading every byte back when there is no crc32. */
	int (*md5)(void *state, fk_ctx *ctx, uint32_t addr, uint32_t len, uint8_t out[16]);
	/* Optional: what the image about to be written says that contradicts this chip, in the
	 * chip's own terms (an ESP bootloader header naming another flash size, flash mode or
	 * chip): logged as warnings before anything is erased; never refuses, never changes the
	 * image (the user may mean it: esptool leaves the header alone with --flash_size keep). */
	void (*image_notes)(void *state, fk_ctx *ctx, const struct fk_seg *segs, unsigned n);
	/* Added with SPI NOR security registers. Optional: OTP that is not in the memory map
	 * (FK_OTP_LOCK_BIT / FK_OTP_LOCK_REGION: read by their own instructions): len bytes of
	 * block `block` into buf and *locked = its lock bit (or the region's lock) is set. NULL:
	 * OTP is read with read() at otp.data_base and lock_base; without it a chip whose OTP
	 * is not memory-mapped is refused by `otp` (FK_E_UNSUPPORTED). */
	int (*otp_read)(void *state, fk_ctx *ctx, unsigned block, uint8_t *buf, unsigned len,
			bool *locked);
	/* Optional: flash the chip encrypts with its own key (`write --encrypt`; ESP32-C3 ROM:
	 * FLASH_BEGIN's "encrypted" word, lib/chip/esp32_crypt.c). how: FK_CRYPT_CHECK = the
	 * refusals for [addr, addr+len), nothing touched (buf may be NULL); FK_CRYPT_ERASE = erase
	 * the erase units [addr, addr+len) covers; FK_CRYPT_WRITE = program buf into erased flash,
	 * encrypted by the chip (addr and len multiples of FK_CRYPT_ALIGN); FK_CRYPT_RAW = program
	 * buf as it is into erased flash (bytes read before the erase, put back unchanged). */
	int (*write_crypt)(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len,
			   int how);
} fk_chip_driver;

enum { FK_CRYPT_CHECK = 0, FK_CRYPT_ERASE = 1, FK_CRYPT_WRITE = 2, FK_CRYPT_RAW = 3 };
/* esptool FLASH_ENCRYPTED_WRITE_ALIGN of the ESP32-C3 (targets/esp32c3.py): 16 bytes, one
 * XTS-AES block. A chip with another alignment refuses in FK_CRYPT_CHECK. */
#define FK_CRYPT_ALIGN 16U

/* ---- the registry (lib/chip/registry.c) ---- */
/* The drivers in the order they are tried; NULL past the end. */
const fk_chip_driver *fk_chip_driver_at(unsigned i);
/* The driver whose family is `family`, or that owns the part name; NULL when none. */
const fk_chip_driver *fk_chip_driver_for_name(const char *name);
/* "stm32f4 (STM32F401/405/...)": the supported families, for messages. */
void fk_chip_families_text(char *out, size_t n);

/* Reads every registered driver's id_regs once over a memory path into ids (a failed read is
 * recorded, not fatal; only when none answers is the first read's error returned). */
int fk_chip_ids_collect_mem(fk_ctx *ctx, const fk_mem_ops *mem, void *h, fk_chip_ids *ids);

/* Chooses and attaches the driver for ids over path: tries the registered drivers in order
 * (only the family owning `expect` when given); FK_E_UNKNOWN_CHIP naming every ID when none
 * claims them, or when `expect` names a part the IDs contradict and force is false. */
int fk_chip_select(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids, const char *expect,
		   bool force, const fk_chip_driver **drv, void **state);

#endif
