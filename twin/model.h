/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin chip-model interface: the contract between a chip model (twin/stm32f4/, twin/stm32f1/,
 * twin/spinor/, ...) and everything generic in the twin — the state-file dispatch, the
 * `flashkey-twin` commands (new/set/show/list/reset/power-cycle), the `twin:` / `twin-swd:` /
 * `twin-uart:` connections, the emulated probes (twin/probe) and the `flashkey-twin serve`
 * plug-ins (twin/serve*.c).
 *
 * A model is one `const tw_model` value (below) listed in twin/models.c (one line). Generic code
 * reaches a model only through a tw_chip (twin/chip.h) and the tables here; it never names a
 * family. A model never knows which tool, server or probe drives it.
 *
 * What a model provides:
 *   - identity: a name ("stm32f4"), an 8-byte state-file magic and the newest state version it
 *     reads and writes; its variants (the CHIP names of `flashkey-twin new CHIP PATH`);
 *   - life cycle: create a variant in factory state, load/save a whole state image from/to a
 *     buffer (the generic layer does the file, the lock and the atomic write), dirty tracking;
 *   - configuration: its own `new` options (a table: the CLI builds --help and parsing from it)
 *     and `--option KEY=VALUE` keys for `new` and `set`;
 *   - description: `flashkey-twin show` text and JSON (through tw_json below, no CLI code);
 *   - the virtual clock, resets, power, NRST and supply, and fault-injection hooks;
 *   - PORTS, each optional (NULL = not offered; generic users then refuse clearly, naming the
 *     model and the port):
 *       dap     memory-mapped access as a debugger's MEM-AP performs it (the SW-DP/JTAG-DP core
 *               in twin/debug and the emulated probes sit on it), plus the IDs the DP/AP show;
 *       stream  byte streams: a ROM bootloader / ISP / ROM monitor behind a UART (AN3155, NXP
 *               LPC ISP, ESP32 ROM...). Bytes in, bytes out, with virtual-clock timing,
 *               line-control signals (DTR/RTS) and baud changes. A model may offer several,
 *               told apart by their protocol name;
 *       spi     a chip-select + byte-exchange port (SPI NOR flash): a serprog or CH341A
 *               emulator drives it.
 *
 * Rules for model authors:
 *   - Protection is enforced inside the model, on the access, for the initiator (tw_initiator)
 *     that performs it; ports and servers never re-implement it.
 *   - Every behaviour cites the manual section; a behaviour no source confirms is marked
 *     UNCONFIRMED with the choice made.
 *   - Time moves only through advance() (and the model's own charges for operations started by
 *     an access); ports charge wire time through advance().
 *   - Loading must validate every field (hostile files: fuzzed) and fail with FK_E_BAD_FILE
 *     naming the file and the reason; the generic layer has already checked the magic and that
 *     the version is not newer than tw_model.version.
 *
 * docs/ADDING-A-FAMILY.md (twin section) and docs/TWIN.md walk through adding a model. */
#ifndef TW_MODEL_H
#define TW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flashkey/core.h"

/* ---------------------------------------------------------------- common vocabulary */

/* Who performs an access. Models decide protection from it (e.g. RM0090 §3.7.3 Table 18: at RDP
 * level 1, flash is inaccessible "while the debug feature is connected or while booting from RAM
 * or system memory bootloader"; user code booted from flash has full access). */
typedef enum tw_initiator {
	TW_INIT_DEBUG = 0,      /* a debugger (MEM-AP); the first access sets the intrusion latch */
	TW_INIT_BOOTLOADER = 1, /* code running from system memory (the ROM bootloader) */
	TW_INIT_USER = 2,       /* user firmware running from flash (tests, fault scenarios) */
} tw_initiator;

typedef enum tw_status {
	TW_OK = 0,
	TW_BUS_ERROR = 1, /* AHB error response: MEM-AP FAULT / bootloader NACK */
	TW_STALL = 2,     /* bus stalled while the flash is busy: retry after time advances (WAIT) */
	TW_POWER_OFF = 3, /* the chip has no power (fault injection): nothing answers */
} tw_status;

typedef enum tw_reset {
	TW_RESET_SYSTEM = 0,   /* NRST pin or AIRCR.SYSRESETREQ */
	TW_RESET_POWER_ON = 1, /* POR: also clears what only a power-on clears (intrusion latch) */
} tw_reset;

typedef enum tw_boot {
	TW_BOOT_FLASH = 0,  /* BOOT0=0 */
	TW_BOOT_SYSMEM = 1, /* BOOT0=1, BOOT1=0: ROM bootloader */
	TW_BOOT_SRAM = 2,   /* BOOT0=1, BOOT1=1 */
} tw_boot;

/* What a Cortex-M core does (models with one): halted while DHCSR.C_DEBUGEN and C_HALT are set
 * (ARMv7-M §C1.6.2), held in reset while NRST is low, off without power, else running. */
typedef enum tw_core_state {
	TW_CORE_OFF = 0,
	TW_CORE_IN_RESET,
	TW_CORE_HALTED,
	TW_CORE_RUNNING,
} tw_core_state;
const char *tw_core_state_name(tw_core_state s); /* "off", "in-reset", "halted", "running" */

/* ---------------------------------------------------------------- JSON sink for `show --json` */

/* The CLI implements this over its JSON writer; models call the helpers tw_json_kv_* below.
 * Keys and nesting are the model's; `show --json` prints one object. */
typedef struct tw_json {
	void *h;
	void (*obj_begin)(void *h);
	void (*obj_end)(void *h);
	void (*arr_begin)(void *h);
	void (*arr_end)(void *h);
	void (*key)(void *h, const char *key);
	void (*str)(void *h, const char *s);
	void (*uint)(void *h, uint64_t v);
	void (*boolean)(void *h, bool v);
	void (*hex)(void *h, uint32_t v, int digits); /* "0x%0*X" as a string */
} tw_json;

static inline void tw_json_kv_str(const tw_json *j, const char *k, const char *v)
{
	j->key(j->h, k);
	j->str(j->h, v);
}
static inline void tw_json_kv_uint(const tw_json *j, const char *k, uint64_t v)
{
	j->key(j->h, k);
	j->uint(j->h, v);
}
static inline void tw_json_kv_bool(const tw_json *j, const char *k, bool v)
{
	j->key(j->h, k);
	j->boolean(j->h, v);
}
static inline void tw_json_kv_hex(const tw_json *j, const char *k, uint32_t v, int digits)
{
	j->key(j->h, k);
	j->hex(j->h, v, digits);
}

/* ---------------------------------------------------------------- options of `new` */

typedef enum tw_opt_kind {
	TW_OPT_FLAG = 0,  /* --name */
	TW_OPT_VALUE = 1, /* --name VALUE (last one wins) */
	TW_OPT_MULTI = 2, /* --name VALUE, repeatable */
} tw_opt_kind;

/* One command-line option a model adds to `flashkey-twin new` (table ends with name == NULL).
 * The CLI accepts the union of every model's options and refuses one the chosen model does not
 * declare ("--pcrop: not an option of model stm32f1"). `--option KEY=VALUE` is generic (below):
 * do not declare it. */
typedef struct tw_model_opt {
	const char *name; /* without dashes: "rdp" */
	tw_opt_kind kind;
	const char *metavar; /* "0|1|2"; NULL for a flag */
	const char *help;    /* one line for `flashkey-twin new CHIP --help` */
} tw_model_opt;

/* The parsed command line as a model sees it in configure(): the i-th value given for an
 * option of the model's table (i = 0 for VALUE options: the last one given); "" for a FLAG
 * that is present; NULL when absent. */
typedef struct tw_args {
	const char *(*get)(const struct tw_args *a, const char *name, unsigned i);
	void *h;
} tw_args;

/* ---------------------------------------------------------------- variants */

/* One line of `flashkey-twin list`. */
typedef struct tw_variant_info {
	const char *name;    /* the CHIP word of `new`: "stm32f407" (matched case-insensitively) */
	const char *family;  /* "STM32F405/407/415/417" */
	const char *id_name; /* what id is: "DEV_ID" (text), JSON key "dev_id" is id_key */
	const char *id_key;
	uint32_t id;
	int id_digits; /* hex digits to print */
	uint32_t flash_bytes;
} tw_variant_info;

/* Messages the generic commands print after acting, worded by the model (what it reloaded,
 * the protection in force...). */
typedef enum tw_event {
	TW_EV_CREATED = 0,     /* after `new`: "RDP 0xAA (level 0)"; printed after "created PATH: CHIP, " */
	TW_EV_POWER_CYCLED = 1, /* after `power-cycle`: the whole line */
	TW_EV_RESET = 2,        /* after `reset`: the whole line */
} tw_event;

/* ---------------------------------------------------------------- port: DAP bus */

/* The IDs the debug port shows (ADIv5.2 §B2.2.5 DPIDR, §B3 JTAG IDCODE, §C2.6.5 AP IDR;
 * ARMv7-M §B4.1.2 CPUID). */
typedef struct tw_dap_ids {
	uint32_t dpidr_swd;   /* SW-DP DPIDR */
	uint32_t idcode_jtag; /* JTAG-DP IDCODE (the debug TAP) */
	uint32_t bs_idcode;   /* the boundary-scan TAP's IDCODE, second in the chain (0: none) */
	uint32_t ahbap_idr;   /* AHB-AP IDR */
	uint32_t cpuid;       /* SCB CPUID */
	uint32_t core_hz;     /* the core's clock out of reset, for code run on the debug path
			       * (0: 16 MHz, the F4's HSI) */
	/* RAM outside the SRAM region (ARMv7-M §B3.1: 0x20000000-0x3FFFFFFF) where code a
	 * debugger loads may run too (NXP LPC: local SRAM at 0x10000000, in the Code region);
	 * 0 bytes: none. */
	uint32_t exec_ram_base, exec_ram_bytes;
	/* JTAG: the debug TAP is alone in the chain (no boundary-scan TAP after it, whatever
	 * bs_idcode says): NXP LPC17xx (OpenOCD target/lpc1xxx.cfg declares one TAP). */
	bool single_tap;
} tw_dap_ids;

/* Memory-mapped access as the debugger's MEM-AP (AHB-AP) performs it. `m` is the model's
 * instance (tw_chip_impl). All function pointers are required unless marked optional. */
typedef struct tw_dap_port {
	/* An access by the debugger (size 1, 2, 4; addr aligned; else TW_BUS_ERROR). Protection
	 * for TW_INIT_DEBUG is the model's. TW_STALL: flash busy, retry once time advanced. */
	tw_status (*read)(void *m, uint32_t addr, unsigned size, uint32_t *val);
	tw_status (*write)(void *m, uint32_t addr, unsigned size, uint32_t val);
	/* A 32-bit fetch by the core itself (reset vector; TW_INIT_USER); waits out a busy flash
	 * as the AHB stalls the core. */
	tw_status (*fetch)(void *m, uint32_t addr, uint32_t *val);
	void (*system_reset)(void *m); /* AIRCR.SYSRESETREQ */
	/* The DP answers at all. core_halted: 1/0 the wire-level debug port's core model has the
	 * core halted or not (firmware that repurposed the SWD pins has then not run); -1 the path
	 * keeps no core model (`twin:`): use the model's own record of DHCSR. */
	bool (*reachable)(void *m, int core_halted);
	void (*attach)(void *m); /* a debugger connected (intrusion latch) */
	/* The port did not answer (reachable false, or no power): fail ctx with FK_E_NO_POWER or
	 * FK_E_DEBUG_DISABLED, saying why in the chip's terms and the next step (hint). `path` is
	 * the state file, for the hint. Returns the error. */
	int (*refusal)(void *m, fk_ctx *ctx, const char *path);
	/* Optional: words appended to "bus error" for the user ("the chip is at RDP level 1, which
	 * blocks ..."); leave buf empty when nothing applies. */
	void (*bus_error_note)(void *m, char *buf, size_t n);
	const tw_dap_ids *ids; /* NULL: an STM32F4's SWJ-DP with a Cortex-M4 r0p1 */
	/* Optional: the IDs of this instance, when they differ by variant (it wins over `ids`).
	 * The pointer stays valid as long as m. */
	const tw_dap_ids *(*ids_of)(void *m);
	/* Optional, added with the LPC55S69 (its debug mailbox is AP 2): a register access to an
	 * AP other than AP 0, as twin/debug/dap_core.h tw_dap_bus.ap_access says (TW_STALL =
	 * WAIT, TW_BUS_ERROR = FAULT; an absent AP reads 0). NULL: only AP 0 exists. */
	tw_status (*ap_access)(void *m, uint8_t apsel, uint8_t reg, bool rnw, uint32_t *val);
	/* Optional: AP 0's CSW.DeviceEn (ADIv5.2 §C2.6.4); false = every MEM-AP transfer faults
	 * (a part whose debug policy closes the AHB-AP). NULL: always enabled. */
	bool (*device_en)(void *m);
	/* Optional: a boot-ROM routine the model performs by its behaviour rather than by code
	 * (NXP LPC IAP). Called when code the debugger runs fetches an instruction at `addr`;
	 * r is the core's R0-R15. Returns false when addr is no such entry (the fetch reads
	 * memory); true when the model did the routine's work (its memory effects and time on
	 * the chip's clock): the core then returns as the routine's last instruction, BX LR,
	 * would. */
	bool (*rom_call)(void *m, uint32_t addr, const uint32_t r[16]);
} tw_dap_port;

/* ---------------------------------------------------------------- port: byte stream */

/* Line-control signals the host drives (USB-serial adapters wire them to reset and boot pins:
 * ESP32 and NXP LPC auto-reset into their ROM with DTR/RTS). Bit set = asserted (low on the
 * wire for RS-232 DTR#/RTS#; the model decides what each pin is wired to). */
enum { TW_LINE_DTR = 1U << 0, TW_LINE_RTS = 1U << 1 };

typedef struct tw_stream_cfg {
	unsigned baud;          /* 0: the protocol's default */
	unsigned bits_per_byte; /* 0: the protocol's default (AN3155: 11 = 8E1) */
	uint64_t startup_ns;    /* after a reset, bytes are lost for this long (0: none) */
	uint64_t go_budget;     /* AN3155 Go: instructions the code may run (0: TW_GO_BUDGET) */
	/* Optional hooks, hook_arg passed back. log: one line per notable event. flush: the bytes
	 * queued so far must reach the host now (e.g. before a long computation). */
	void (*log)(void *arg, const char *line);
	void (*flush)(void *arg);
	void *hook_arg;
} tw_stream_cfg;

/* A byte-stream port: the device end of a UART. The host end (a pty, a TCP socket, the
 * in-process twin-uart: connection) is generic (twin/stream*.c): it feeds rx, drains tx and
 * paces by the virtual clock. Every byte in rx is charged to the virtual clock at the session's
 * baud before it is acted on. */
typedef struct tw_stream_port {
	const char *protocol; /* "an3155", "lpc-isp", "esp-rom": names the port */
	const char *summary;  /* "STM32 ROM bootloader (AN3155)" */
	/* The ROM's start-up after a reset, during which bytes are lost (AN2606 Table 227 for an
	 * STM32F4: 84.59 ms); used as cfg->startup_ns where real time matters. */
	uint64_t startup_ns;
	/* Optional: put the chip into this ROM as a board does (boot pins selecting it + reset);
	 * twin-uart: and the serve servers call it when they open the port. */
	void (*enter)(void *m);
	/* Start a session on the chip m (the device side state: protocol engine, queues). The chip
	 * is left as it is (no reset). Fail ctx when the port cannot run (e.g. the ROM is disabled). */
	int (*open)(void *m, fk_ctx *ctx, const tw_stream_cfg *cfg, void **sess);
	void (*close)(void *sess);
	void (*rx)(void *sess, const uint8_t *buf, size_t n); /* bytes from the host */
	size_t (*tx)(void *sess, uint8_t *buf, size_t max);   /* take queued reply bytes */
	size_t (*pending)(const void *sess);
	/* Virtual time at which the last byte taken by tx left the device. */
	uint64_t (*tx_last_ns)(const void *sess);
	uint64_t (*byte_ns)(const void *sess); /* wire time of one byte at the current baud */
	/* The board was reset into the ROM (BOOT pins high): the protocol starts over. */
	void (*board_reset)(void *sess);
	/* Optional: the host changed DTR/RTS (TW_LINE_* mask of asserted lines). */
	void (*lines)(void *sess, unsigned asserted);
	/* Optional: the host (or the protocol) changed the baud rate. 0 or FK_E_UNSUPPORTED. */
	int (*set_baud)(void *sess, unsigned baud);
} tw_stream_port;

/* ---------------------------------------------------------------- port: SPI */

/* A SPI device (one chip select). A programmer emulator (serprog, CH341A) asserts CS, then
 * exchanges bytes, then releases CS; it charges the wire time with tw_chip_advance. */
typedef struct tw_spi_port {
	void (*select)(void *m, bool asserted); /* CS# low = asserted; release ends the command */
	uint8_t (*exchange)(void *m, uint8_t mosi); /* one byte, full duplex, while selected */
	uint32_t max_hz;                            /* fastest SCK the part accepts */
	/* Optional (NULL: unknown): the level of the chip's /WP pin as wired on the board, 1 high
	 * 0 low, for a programmer that can sense it (the in-process twin-spi: does). Added after
	 * the first SPI model; older models leave it NULL. */
	int (*wp_level)(const void *m);
} tw_spi_port;

/* ---------------------------------------------------------------- the model */

typedef struct tw_model {
	const char *name;    /* "stm32f4": registry key, shown by `flashkey-twin list` */
	const char *summary; /* "STM32F4 (RM0090): flash, options, OTP, debug port, AN3155 ROM" */
	/* State file: the first 8 bytes, then a little-endian u32 version at offset 8. The
	 * generic loader picks the model by magic and refuses a version above `version`. */
	char magic[8];
	uint32_t version;

	/* -- variants -- */
	bool (*variant_at)(unsigned i, tw_variant_info *out); /* false past the end */

	/* -- life cycle -- (m is the model's own instance type, opaque to generic code) */
	/* Factory state of the variant `name` (case-insensitive); FK_E_NOT_FOUND when not one of
	 * this model's (silently: the registry tries the next model). */
	int (*create)(fk_ctx *ctx, const char *name, void **m);
	void (*destroy)(void *m);
	/* Parse a whole state image (magic and version already checked as said above). `name`
	 * is for messages (the file path). */
	int (*load)(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m);
	/* The image to save, in a malloc'd buffer. */
	int (*save)(const void *m, uint8_t **buf, size_t *len);
	bool (*dirty)(const void *m);  /* changed since the last load/save */
	void (*mark_clean)(void *m);   /* the generic layer saved it */
	const char *(*variant_name)(const void *m);

	/* -- configuration -- */
	const tw_model_opt *new_opts; /* extra options of `new` (may be NULL) */
	/* `new`: apply the model's options from args, in the model's own order (the last step
	 * may be a power-on reset so that they take effect). Errors: FK_E_USAGE/FK_E_RANGE with
	 * the option named. */
	int (*configure)(void *m, fk_ctx *ctx, const tw_args *args);
	/* `--option KEY=VALUE` for `new` and `set` (raw fields, pins, supply, faults...). Unknown
	 * key: FK_E_USAGE "unknown key" with the list in the hint (option_keys). */
	int (*set_option)(void *m, fk_ctx *ctx, const char *kv);
	const char *option_keys; /* "rdp, bor_lev, ..." for --help */
	/* Words for a generic command's report (tw_event). */
	void (*event_text)(const void *m, tw_event ev, char *buf, size_t n);

	/* -- description (`flashkey-twin show`) -- */
	void (*show_text)(const void *m, const char *path, FILE *out);
	void (*show_json)(const void *m, const char *path, const tw_json *j); /* one object */

	/* -- clock -- */
	uint64_t (*now_ns)(const void *m);
	void (*advance)(void *m, uint64_t ns); /* completes operations whose time is up */
	uint64_t (*busy_until_ns)(const void *m); /* end of the operation in progress; 0 if idle */

	/* -- power, resets, pins -- */
	void (*reset)(void *m, tw_reset kind);
	bool (*powered)(const void *m);
	void (*power_off)(void *m); /* cut now: an operation in progress is left half-done */
	void (*power_on)(void *m);  /* restore: a power-on reset */
	void (*set_nrst)(void *m, bool asserted); /* releasing NRST resets the chip */
	bool (*nrst)(const void *m);
	int (*voltage_mv)(const void *m); /* 0 while unpowered */

	/* -- fault injection (optional; `--option fault_*` reaches them through set_option) -- */
	void (*fault_power_at_ns)(void *m, uint64_t abs_ns); /* 0 = none */
	void (*fault_power_at_op)(void *m, unsigned nth_op); /* cut in the Nth operation from now */

	/* -- ports (NULL: not offered) -- */
	const tw_dap_port *dap;
	const tw_stream_port *const *streams; /* NULL-terminated list, or NULL */
	const tw_spi_port *spi;
} tw_model;

/* The registry (twin/models.c): NULL-terminated, one line per model. */
extern const tw_model *const tw_models[];

#endif
