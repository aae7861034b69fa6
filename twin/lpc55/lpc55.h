/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NXP LPC55S69 twin: 640 KiB of flash whose erased pages fault when read, SRAM, the debug
 * policy the boot ROM takes from the CMPA page of the protected flash region, the SW-DP with
 * the AHB-AP at AP 0 (open or closed by that policy) and the debug mailbox (DM-AP) at AP 2
 * with the ROM's command loop behind it. Internal interface of twin/lpc55/ (the unit tests
 * call it directly).
 *
 * Sources (UM11126 itself was not at hand; what it says comes through these):
 *   [SPSDK-DM]  nxp-mcuxpresso/spsdk spsdk/dat/debug_mailbox.py (REGISTERS: CSW bits
 *               RESYNCH_REQ 0, REQ_PENDING 1, DBG_OR_ERR 2, AHB_OR_ERR 3, SOFT_RESET 4,
 *               CHIP_RESET_REQ 5; REQUEST 0x04; RETURN 0x08, "any read from debugger side
 *               will be stalled until new data is present"; IDR 0xFC = 0x002A0000; the
 *               resynchronisation: "the DM will stall the debugger until the ROM code has
 *               serviced the resynchronization request ... the debugger must read back 0x0
 *               in CSW") and spsdk/dat/dm_commands.py (command IDs 1 START_DBG_MB,
 *               2 GET_CRP_LEVEL, 3 ERASE_FLASH, 4 EXIT_DBG_MB, 5 ENTER_ISP_MODE (1 param),
 *               6 SET_FA_MODE, 7 START_DBG_SESSION, 8 ENTER_BLANK_DEBUG_AUTH, 16/17 debug
 *               authentication; REQUEST = id | (param count << 16); parameters acknowledged
 *               with 0xA5A5 | (remaining << 16); RETURN = status [15:0] | length [30:16]);
 *   [PYOCD]     pyocd/pyOCD pyocd/target/family/target_lpc5500.py (DM_AP = 2, the unlock
 *               sequence "See UM11126 51.6.1": CSW = 0x21, CSW reads 0, REQUEST = 7, RETURN
 *               low half 0) and pyocd/target/builtin/target_LPC55S69JBD100.py (flash
 *               0x0-0x97FFF in 512-byte pages, are_erased_sectors_readable=False: "attempted
 *               accesses to erased pages result in bus faults"; SRAM 0x20000000, 0x44000);
 *   [PR]        probe-rs nxp_armv8m.rs LPC55Sxx enable_debug_mailbox (the same sequence);
 *   [NXP-CMD]   NXP community thread 539568 "Updated Debug Mailbox commands for LPC55S69":
 *               UM11126 §51.5.7 Table 1058 lists 0x2 as the bulk erase, but on rev 1B silicon
 *               0x3 is the one that erases (as spsdk has it); unknown commands answer
 *               RETURN 0x00100002 (rev 0A observation);
 *   [NXP-DPID]  NXP community thread 500518 (MCUXpresso log of an LPC55S69: "DAP DP ID
 *               6BA02477", "CPU ID 00000D21" = Cortex-M33);
 *   [SPSDK-PFR] spsdk/data/devices/lpc55s6x/pfr_cmpa.xml: CMPA DCFG_CC_SOCU_PIN at +0x10,
 *               DCFG_CC_SOCU_DFLT at +0x14, bits NIDEN 0, DBGEN 1, SPNIDEN 2, SPIDEN 3,
 *               TAPEN 4, CPU1_DBGEN 5, ISP_CMD_EN 6, FA_ME_CMD_EN 7, CPU1_NIDEN 9,
 *               UUID_CHECK 15, [31:16] the inverse of [15:0]; PIN=1/DFLT=1 always enabled,
 *               PIN=0/DFLT=0 disabled until debug authentication, PIN=1/DFLT=0 "permanently
 *               disabled and can't be reversed", PIN=0/DFLT=1 illegal;
 *   [NXP-CMPA]  NXP community thread 1952010 "Disable ISP mode for LPC55": CMPA at 0x9E400.
 * UNCONFIRMED marks every choice no source fixes. */
#ifndef TW_LPC55_H
#define TW_LPC55_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "model.h"

#define TW_L55_FLASH_BYTES (640U * 1024U)  /* the array, incl. the protected region */
#define TW_L55_USER_BYTES 0x98000U         /* [PYOCD] nsflash length */
#define TW_L55_PAGE 512U                    /* [PYOCD] blocksize 0x200 */
#define TW_L55_NPAGES (TW_L55_FLASH_BYTES / TW_L55_PAGE)
#define TW_L55_CMPA 0x9E400U                /* [NXP-CMPA] */
#define TW_L55_CMPA_PIN (TW_L55_CMPA + 0x10U)  /* [SPSDK-PFR] */
#define TW_L55_CMPA_DFLT (TW_L55_CMPA + 0x14U)
#define TW_L55_SRAM 0x20000000U
#define TW_L55_SRAM_BYTES 0x44000U          /* [PYOCD] nsram */

/* DCFG_CC_SOCU bits [SPSDK-PFR] */
#define TW_L55_SOCU_DBGEN (1U << 1)
#define TW_L55_SOCU_FA_ME_CMD_EN (1U << 7)
#define TW_L55_SOCU_DEBUG_BITS 0x023FU      /* NIDEN..CPU1_DBGEN, CPU1_NIDEN */

/* The DM-AP [SPSDK-DM] */
#define TW_L55_DM_APSEL 2U
#define TW_L55_DM_IDR 0x002A0000U
#define TW_L55_DM_CSW 0x00U
#define TW_L55_DM_REQUEST 0x04U
#define TW_L55_DM_RETURN 0x08U
#define TW_L55_DM_IDR_REG 0xFCU
#define TW_L55_CSW_RESYNCH_REQ (1U << 0)
#define TW_L55_CSW_REQ_PENDING (1U << 1)
#define TW_L55_CSW_DBG_OR_ERR (1U << 2)
#define TW_L55_CSW_AHB_OR_ERR (1U << 3)
#define TW_L55_CSW_SOFT_RESET (1U << 4)
#define TW_L55_CSW_CHIP_RESET_REQ (1U << 5)
#define TW_L55_ACK_TOKEN 0xA5A5U
/* An unknown command's answer [NXP-CMD]; also used (UNCONFIRMED) for a command the debug
 * policy refuses: no source gives that status. */
#define TW_L55_RET_UNSUPPORTED 0x00100002U

/* Times, all UNCONFIRMED (UM11126 not at hand): the ROM services a resynchronisation within
 * 10 ms of the chip reset (pyOCD waits 100 ms, probe-rs 30 ms); ERASE_FLASH takes 500 ms
 * (spsdk's delay for it). */
#define TW_L55_T_RESYNC_NS 10000000ULL
#define TW_L55_T_MASS_ERASE_NS 500000000ULL

/* What the ROM's mailbox loop is doing. */
typedef enum tw_l55_dm {
	TW_L55_DM_OFF = 0,     /* no resynchronisation seen at boot: nobody reads REQUEST */
	TW_L55_DM_RESYNC = 1,  /* chip reset asked with RESYNCH_REQ: the ROM serves it at t_ready */
	TW_L55_DM_IDLE = 2,    /* waiting for a command */
	TW_L55_DM_PARAMS = 3,  /* a command takes parameters: ACK sent, waiting for the next */
	TW_L55_DM_BUSY = 4,    /* executing (mass erase) until t_ready */
	TW_L55_DM_ANSWER = 5,  /* RETURN holds the answer until the debugger reads it */
} tw_l55_dm;

/* Fault injection (`--option dm_fault=...`): the ROM never answers a command (a hung ROM, the
 * rev 0A erratum [NXP-CMD]); it asks for a parameter (0xA5A5 | 1 << 16) every command gets
 * although none of them takes one; the DM-AP shows another IDR (0x002A0001). */
typedef enum tw_l55_fault {
	TW_L55_FAULT_NONE = 0,
	TW_L55_FAULT_MUTE = 1,
	TW_L55_FAULT_BAD_ACK = 2,
	TW_L55_FAULT_WRONG_IDR = 3,
} tw_l55_fault;

typedef struct tw_l55 {
	uint8_t *flash;            /* TW_L55_FLASH_BYTES */
	uint8_t *page_prog;        /* TW_L55_NPAGES: 1 = programmed (readable), 0 = erased */
	uint8_t *sram;
	uint64_t now_ns;
	bool powered;
	bool nrst_low;
	bool dbg_open;             /* the ROM enabled the AHB-AP (at boot or START_DBG_SESSION) */
	bool in_isp;               /* no valid image at the last boot: the ROM runs ISP */
	tw_l55_dm dm;
	uint64_t t_ready;          /* RESYNC / BUSY end */
	uint32_t dm_csw;           /* sticky error bits and RESYNCH_REQ as the debugger set it */
	uint32_t dm_cmd, dm_nparams, dm_got;
	uint32_t dm_params[8];
	uint32_t dm_return;
	bool dm_ret_valid;         /* RETURN holds data the debugger has not read */
	bool dm_req_pending;       /* REQUEST written, not taken by the ROM (CSW.REQ_PENDING) */
	bool dm_exit;              /* EXIT_DBG_MB answered: leave the loop once it is read */
	tw_l55_fault fault;
	/* `--option app_debug=off`: the application closes debug as soon as it runs (firmware
	 * that turns the debug features off; the twin runs no code, so this stands for it). The
	 * DP and the mailbox still answer (UNCONFIRMED: the mechanism, e.g. SYSCON debug feature
	 * registers, is not in our sources). */
	bool app_closes_debug;
	uint32_t gen;
	uint32_t mass_erases, dm_commands;
} tw_l55;

/* ---- life cycle and state file ("FKTWL55\n", version 1) (chip.c) */
int tw_l55_create(fk_ctx *ctx, const char *name, tw_l55 **out);
void tw_l55_free(tw_l55 *c);
int tw_l55_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, tw_l55 **out);
int tw_l55_save(const tw_l55 *c, uint8_t **buf, size_t *len);

/* ---- policy, memory, resets (chip.c) */
/* The access level of one DCFG_CC_SOCU bit from the CMPA [SPSDK-PFR]. */
typedef enum tw_l55_level {
	TW_L55_OPEN = 0,        /* no CMPA policy (blank) or PIN=1 DFLT=1 */
	TW_L55_AUTH = 1,        /* PIN=0 DFLT=0: closed, debug authentication can open it */
	TW_L55_PERMANENT = 3,   /* PIN=1 DFLT=0: closed for good */
	TW_L55_ILLEGAL = 4,     /* PIN=0 DFLT=1, or the inverse half does not match */
} tw_l55_level;
bool tw_l55_cmpa_blank(const tw_l55 *c);
tw_l55_level tw_l55_level_of(const tw_l55 *c, uint32_t bit);
const char *tw_l55_level_name(tw_l55_level l);
/* Program the CMPA page with these PIN/DFLT low halves (the inverse added); pin == dflt == 0
 * and blank: the page erased. */
void tw_l55_set_policy(tw_l55 *c, bool blank, uint16_t pin, uint16_t dflt);
bool tw_l55_image_valid(const tw_l55 *c);
void tw_l55_reset(tw_l55 *c, bool resync);
void tw_l55_advance(tw_l55 *c, uint64_t ns);
/* A debugger access through the AHB-AP (refused while dbg_open is false). */
tw_status tw_l55_read(tw_l55 *c, tw_initiator who, uint32_t addr, unsigned size, uint32_t *v);
tw_status tw_l55_write(tw_l55 *c, tw_initiator who, uint32_t addr, unsigned size, uint32_t v);
/* Put bytes into flash as a programmer would have (new --flash); pages become programmed. */
void tw_l55_load_image(tw_l55 *c, uint32_t addr, const uint8_t *src, uint32_t n);
void tw_l55_mass_erase(tw_l55 *c);
unsigned tw_l55_pages_programmed(const tw_l55 *c, uint32_t from, uint32_t to);

/* ---- the model's instance (model.c): its chip */
tw_l55 *tw_l55_of_instance(void *m);

/* ---- the debug mailbox (mailbox.c) */
tw_status tw_l55_dm_access(tw_l55 *c, uint8_t reg, bool rnw, uint32_t *val);
const char *tw_l55_dm_name(tw_l55_dm s);

#endif
