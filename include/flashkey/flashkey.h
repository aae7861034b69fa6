/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libflashkey session API: what the tools (and doctor) call. A session is one connected chip:
 * open it from a connection string, then identify, inventory, plan and run the unlock ladder,
 * erase, write, verify, read, back up and restore, read and set option bytes and OTP.
 *
 * Safety gates live here, not only in the CLI (DESIGN.md "Safety gates"): every destructive
 * call takes an fk_perms and refuses with FK_E_PERMISSION naming the missing permission; every
 * protection change is read back before success is reported. The library never prints. */
#ifndef FLASHKEY_FLASHKEY_H
#define FLASHKEY_FLASHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"
#include "flashkey/core.h"
#include "flashkey/image.h"
#include "flashkey/inventory.h"

typedef struct fk_session fk_session;

/* One program width of the chip (lib/chip/driver.h fk_width_row, as the tools print it). */
#define FK_CHIP_MAX_WIDTHS 4
typedef struct fk_width_info {
	unsigned width;        /* bytes per program operation */
	char need[40];         /* "2.7 V", "2.7 V and 8-9 V on VPP" */
	/* a programming supply the width needs beyond the target supply, which no probe
	 * measures ("VPP", "8-9 V", "at most an hour"); ext_name "" when none */
	char ext_name[8], ext_volts[16], ext_limit[32];
} fk_width_info;

typedef struct fk_chip_info {
	char chip[32];       /* "stm32f40x" */
	char members[64];    /* "stm32f405 stm32f407 stm32f415 stm32f417" */
	char family[16];     /* "stm32f4" */
	char manual[16];     /* "RM0090" */
	char path[16];       /* "debug" | "bootloader" */
	char transport[160];
	uint16_t dev_id, rev_id;
	char revision[16];
	uint32_t flash_base, flash_size;
	bool flash_size_assumed;
	unsigned nsectors;                   /* the erase units, any number */
	const fk_sector_info *sectors;       /* owned by the session */
	uint32_t otp_base, otp_size;         /* data blocks + lock bytes */
	uint32_t option_base;
	char option_reg[40];  /* the register behind the option bytes: "FLASH_OPTCR 0x40023C14" */
	/* Added with issue 12 (cli/ knows no chip): what the tools print, from the driver's
	 * description (lib/chip/driver.h fk_chip_desc). */
	unsigned otp_blocks, otp_block_size; /* 0 blocks: the chip has no OTP */
	uint32_t otp_lock_base;              /* lock byte of block i at otp_lock_base + i */
	/* Added with SPI NOR security registers: the lock is a one-time bit outside the memory
	 * map, not a lock byte at otp_lock_base (and the OTP has no memory address:
	 * otp_base is 0); its name: block b locks with otp_lock_name followed by b + 1 ("LB1")
	 * when there are several blocks, otp_lock_name alone ("LDSO") when there is one. */
	bool otp_lock_bit;
	char otp_lock_name[16];              /* "LOCKB" (F4: LOCKB0..15), "LB", "LDSO" */
	char opt_reg_prefix[16];  /* inventory registers that hold the options ("FLASH_OPTCR") */
	char rdp_source[40];      /* where the manual says what read protection hides */
	char width_source[40];    /* where the manual gives the program widths by supply */
	unsigned nwidths;         /* forced width index i (`write --psize`) = widths[i] */
	fk_width_info widths[FK_CHIP_MAX_WIDTHS];
} fk_chip_info;

/* Open a session: connect, identify (fail closed on unknown chips with FK_E_UNKNOWN_CHIP);
 * expect_chip (NULL = any) must match the identified part. */
int fk_session_open(fk_ctx *ctx, const char *connection, const fk_conn_opts *opts,
		    const char *expect_chip, fk_session **out);
void fk_session_close(fk_session *s);
/* Makes what the target now holds persistent (a twin's state file; nothing to do on hardware):
 * FK_E_IO naming the file and errno when that fails. Call it before reporting success: a
 * command whose result could not be saved did not succeed (issue 13 class 7). */
int fk_session_sync(fk_session *s);
/* The end of a command that got rc so far: fk_session_sync, then fk_session_close. Returns rc
 * when it already failed (a failed save is then logged as an error too), else the save's
 * result. s may be NULL. */
int fk_session_end(fk_session *s, int rc);
const fk_chip_info *fk_session_chip(const fk_session *s);
uint64_t fk_session_virtual_ns(const fk_session *s); /* twin clock, 0 on hardware */
/* Main flash this connection cannot read back, in [addr, addr + len) of the image [lo, hi): the
 * overlap as addr and len (0: none) and why (the LPC boot ROM's vectors over 0x00-0x3F while the
 * ISP runs). write programs these bytes; write and verify compare everything else. */
void fk_session_unreadable(const fk_session *s, uint32_t lo, uint64_t hi, uint32_t *addr,
			   uint32_t *len, const char **why);
/* The options schema of the session's chip (its driver's keys for `options set`); *n = 0 when
 * the chip has no options flashkey can set. Valid until the session closes. */
const fk_option_key *fk_session_option_keys(const fk_session *s, unsigned *n);
/* The directory of the last backup this session took before a destructive step ("" = none). */
const char *fk_session_backup_dir(const fk_session *s);
/* For a command that only reads (status, info, read, verify, backup, doctor): when the session
 * ends, put the core back as it was found when the session attached over a debug path — a core
 * that was running (DHCSR.S_HALT = 0) runs on from where it was halted, with halting debug
 * (C_DEBUGEN) as it was (issue 13 class 12). Nothing changes for a core found halted, on a
 * bootloader or SPI path, or when DHCSR could not be read. */
void fk_session_restore_run_state(fk_session *s);

/* Read-only inventory of every protection (status). */
int fk_session_inventory(fk_session *s, fk_inventory *inv);

/* The unlock ladder from an inventory, up to `upto` (FK_STEP_COUNT_ = all). Pure planning:
 * permissions are not checked here (fk_plan_check). */
int fk_unlock_plan(fk_session *s, const fk_inventory *inv, int upto, fk_plan *plan);
/* The first step the permissions do not allow: FK_E_PERMISSION (with the chain naming the step
 * and the flag that grants it) or FK_E_PROTECTED for a refused step; FK_OK when all may run. */
int fk_plan_check(fk_ctx *ctx, const fk_plan *plan, const fk_perms *perms);

/* Called after each ladder step with the inventory read back. */
typedef struct fk_step_result {
	const fk_step *step;
	int rc;
	char changed[200];   /* what changed, read back */
	fk_pending pending;  /* what is still needed */
	char backup_dir[256];/* set when a backup was taken before this step */
} fk_step_result;
typedef void (*fk_step_fn)(void *user, const fk_step_result *r, const fk_inventory *after);

/* Runs the plan (after fk_plan_check). Backs up before a destructive step unless
 * perms->no_backup; when nothing is readable the backup holds options and says why. */
int fk_unlock_run(fk_session *s, const fk_plan *plan, const fk_perms *perms, fk_step_fn fn,
		  void *user);

/* ---- flash ---- */
typedef struct fk_seg {
	uint32_t addr;
	uint32_t len;
	const uint8_t *data;
} fk_seg;

typedef struct fk_write_opts {
	bool skip_unchanged;     /* leave sectors whose CRC already matches */
	bool allow_options;      /* image may reach option bytes (through the option gates) */
	bool allow_otp;          /* image may reach OTP (irreversible gate) */
	int voltage_mv;          /* 0 = measure, else the supply the user states (a measured
				  * supply wins; a contradiction is refused with both values) */
	int psize;               /* -1 = from the voltage (safe default x8 when unknown), 0..3 */
	bool no_verify;
	bool read_back;          /* compare by reading every byte, never by an on-chip CRC */
	bool erase_unwritten;    /* erase whole sectors, losing what the image does not cover
				  * (default: read, merge, write back: keep_unwritten) */
	bool encrypt;            /* the chip encrypts what is written with its own flash
				  * encryption key (ESP32-C3 ROM); not verifiable: see
				  * FK_VERIFY_ENCRYPTED */
} fk_write_opts;

/* How flash was compared with the image: a bootloader path computes CRC-32 on the chip (RAM
 * code started with Go) instead of reading every byte back; a mismatch is then read back to
 * name the first differing address. */
typedef enum fk_verify_how {
	FK_VERIFY_NONE = 0, /* --no-verify, or nothing written */
	FK_VERIFY_READ = 1, /* every byte read back */
	FK_VERIFY_CRC = 2,  /* CRC-32 of each sector computed on the chip */
	FK_VERIFY_MD5 = 3,  /* MD5 computed by the chip's ROM (ESP SPI_FLASH_MD5) */
	FK_VERIFY_COMPARE = 4, /* each block compared on the chip right after it was programmed
				* (LPC ISP Compare after Copy), what stayed erased read back */
	FK_VERIFY_ENCRYPTED = 5, /* written encrypted by the chip: the flash holds ciphertext of
				  * a key flashkey does not know, so the content is NOT verified;
				  * checked only that it is neither the plaintext nor erased */
} fk_verify_how;

typedef struct fk_write_result {
	unsigned sectors_erased, sectors_skipped;
	uint64_t bytes_programmed;
	unsigned psize_bytes;
	uint64_t virtual_ns;     /* twin time spent (0 on hardware) */
	fk_verify_how verified;  /* how the written sectors were checked */
	fk_verify_how compared;  /* how --skip-unchanged compared the sectors (NONE without it) */
	uint64_t kept_bytes;     /* bytes of the erased sectors outside the image, read before the
				  * erase and written back (the default) */
	uint64_t discarded_bytes;/* the same bytes left erased (erase_unwritten) */
	unsigned sectors_blank;  /* of sectors_erased, those found already erased (all 0xFF) and
				  * not erased again */
} fk_write_result;

int fk_flash_write(fk_session *s, const fk_seg *segs, unsigned nsegs, const fk_write_opts *o,
		   const fk_perms *perms, fk_write_result *r);
/* Compare flash with the image: FK_E_VERIFY with the first differing address. */
int fk_flash_verify(fk_session *s, const fk_seg *segs, unsigned nsegs, uint32_t *bad_addr);
/* The same; read_back forces reading every byte; *how (may be NULL) says how it compared. */
int fk_flash_verify_ex(fk_session *s, const fk_seg *segs, unsigned nsegs, bool read_back,
		       uint32_t *bad_addr, fk_verify_how *how);
/* Erase the sectors in set (index in fk_chip_info.sectors), or everything (mass erase; set
 * may then be NULL). Never options.
 * Protection that blocks the erase is refused first, on a dry run (perms->dry_run) too, with
 * the code the real run would give; a dry run erases nothing. `all` needs
 * perms->allow_erase_all and takes a verified backup first unless perms->no_backup
 * (fk_session_backup_dir names it). */
int fk_flash_erase(fk_session *s, const fk_sector_set *set, bool all, const fk_perms *perms);
/* Sectors covering [addr, addr+len) into set (allocated here for every sector; free it with
 * fk_sector_set_free whatever the result): FK_E_RANGE outside flash. */
int fk_flash_sectors_for(fk_session *s, uint32_t addr, uint32_t len, fk_sector_set *set);
int fk_flash_read(fk_session *s, uint32_t addr, void *buf, uint32_t len);

/* Image segments in the option bytes or OTP: fk_flash_write refuses them. With the user's
 * explicit request (allow_options / allow_otp) fk_image_special_check accepts them (count =
 * number of such segments; FK_E_PERMISSION otherwise, naming the area) and
 * fk_image_special_apply writes them through the option and OTP gates (RDP 2 and OTP need
 * allow_irreversible=PERMANENT, RDP 1->0 allow_erase_all). */
int fk_image_special_check(fk_session *s, const fk_seg *segs, unsigned n, bool allow_options,
			   bool allow_otp, unsigned *count);
/* What fk_image_special_apply did, each step that ran (issue 13 class 10: an RDP regression
 * from an image used to be reported as "0 sectors erased, nothing to write"). */
typedef struct fk_special_result {
	bool options;             /* the image has option bytes (and --with-options was given) */
	bool options_changed;     /* they differed from the chip's: programmed and read back */
	uint32_t options_before[2], options_after[2]; /* the option words (F4: OPTCR, OPTCR1) */
	bool mass_erased;         /* the change regressed RDP 1 -> 0: all of flash was erased */
	fk_pending pending;       /* what the option change still needs to take effect */
	unsigned otp_bytes;       /* OTP data bytes programmed */
	uint32_t otp_locked;      /* bit b: OTP block b locked by the image */
} fk_special_result;
int fk_image_special_apply(fk_session *s, const fk_seg *segs, unsigned n, const fk_perms *perms,
			   fk_special_result *r);

/* The protection words the image carries (fk_image_marks), weighed against the chip before
 * anything is written (issue 17 Deliver 4): one this part obeys that would lock it for good
 * (NXP CRP3, a Kinetis FSEC that disables mass erase) needs allow_irreversible = PERMANENT, one it
 * obeys otherwise is announced, one it does not obey (a CRP word in an image for an STM32 or an
 * ESP32) is warned about with its address: the image may be meant for another part. STM32
 * option-byte areas are left to fk_image_special_check. */
int fk_image_marks_check(fk_session *s, const fk_image_mark *m, unsigned n, const fk_perms *perms);

/* ---- backup / restore ---- */
typedef struct fk_backup_result {
	char dir[256];
	bool flash_saved, options_saved, otp_saved;
	char why_not[512];   /* what could not be saved and why (e.g. RDP level 1, PCROP) */
	uint32_t flash_crc;  /* of the whole flash; 0 when part of it could not be read */
	/* Bytes of main flash the chip refused to read (PCROP) while the rest was saved: they
	 * are recorded as missing in the manifest, never filled (issue 13 class 9). */
	uint32_t flash_missing;
} fk_backup_result;
/* Writes into a new timestamped directory under parent; verifies every file it wrote. */
int fk_backup(fk_session *s, const char *parent, fk_backup_result *r);
/* The dry run of fk_backup: checks that parent can take a backup and fills r with what would be
 * saved (dir is the name pattern), writing nothing. */
int fk_backup_check(fk_session *s, const char *parent, fk_backup_result *r);
/* Restores flash from dir; options only when with_options (same gates as options set); OTP is
 * never written back: differences go to *otp_diffs. Writing flash back overwrites all of it:
 * it needs perms->allow_erase_all and first takes a verified backup of the current contents
 * unless perms->no_backup (fk_session_backup_dir names it). */
int fk_restore(fk_session *s, const char *dir, bool with_options, const fk_perms *perms,
	       unsigned *otp_diffs);

/* ---- option bytes ---- */
/* Applies KEY=VALUE settings; RDP 2 needs allow_irreversible=PERMANENT, RDP 1->0 allow_erase_all.
 * Reads back and sets *pending. */
int fk_options_set(fk_session *s, const char *const *kv, unsigned n, const fk_perms *perms,
		   fk_pending *pending);
/* The plan a family driver makes for these settings (steps with what each writes and costs),
 * for printing before anything runs; FK_E_UNSUPPORTED (and nothing added to the error chain)
 * for the STM32F4, whose options the session writes itself. */
int fk_options_plan(fk_session *s, const char *const *kv, unsigned n, fk_plan *plan);
/* Preview: which gates the change needs (for prompts) without writing. */
int fk_options_preview(fk_session *s, const char *const *kv, unsigned n, bool *irreversible,
		       bool *erases_all);

/* ---- OTP ---- */
/* The largest OTP block fk_otp holds (a Macronix secured OTP area: 512 bytes). */
#define FK_OTP_MAX_BLOCK 512
typedef struct fk_otp {
	unsigned nblocks, block_size;
	bool readable;
	uint8_t data[16][FK_OTP_MAX_BLOCK]; /* block b: data[b][0 .. block_size - 1] */
	/* Block b's lock byte (0xFF unlocked, 0x00 locked, anything else invalid); where the
	 * lock is a bit (fk_chip_info.otp_lock_bit: SPI NOR LB1-3, LDSO), 0x00 = the bit is set,
	 * 0xFF = clear. */
	uint8_t lock[16];
} fk_otp;
int fk_otp_read(fk_session *s, fk_otp *otp);
/* Plans an OTP write: fails on a locked block or a 0->1 bit (FK_E_PROTECTED naming the byte);
 * *changed receives the count of bytes that change, and change_mask bit i = byte i changes. */
int fk_otp_write_check(fk_session *s, unsigned block, unsigned off, const uint8_t *data,
		       unsigned len, unsigned *changed, uint32_t *change_mask);
int fk_otp_write(fk_session *s, unsigned block, unsigned off, const uint8_t *data, unsigned len,
		 const fk_perms *perms);
int fk_otp_lock(fk_session *s, unsigned block, const fk_perms *perms);

int fk_session_reset(fk_session *s, fk_reset_kind kind);
/* What fk_session_reset would refuse (FK_E_UNSUPPORTED on a path that cannot reset), touching
 * nothing: the dry run of a reset. */
int fk_session_reset_check(fk_session *s, fk_reset_kind kind);

/* ---- starting the application ---- */
typedef struct fk_run_result {
	uint32_t addr;          /* the vector table used (flash base when 0 was asked) */
	uint32_t msp;           /* initial stack pointer read at addr */
	uint32_t reset_handler; /* reset vector read at addr + 4 (bit 0 = Thumb) */
	bool started;           /* the core was let go (false on a dry run or a refusal) */
	/* The path no longer answers afterwards: a ROM bootloader hands the chip (and its USART)
	 * to the code it jumped to, until a reset with BOOT0 high starts it again. */
	bool bootloader_gone;
	char how[128];          /* what was (or, dry, would be) done */
	/* What the two words are on this chip ("MSP" / "reset handler" on a Cortex-M; "image
	 * header" / "entry point" on an ESP), and, when bootloader_gone, how to get it back. */
	char word_names[2][24];
	char gone_note[200];
	/* The vector table lies where this connection cannot read (the LPC boot ROM's window in
	 * ISP mode): msp/reset_handler are 0, and the chip's own boot check decides (how says). */
	bool vector_unread;
} fk_run_result;

/* Start the application whose vector table is at addr (0 = the chip's default: the flash base,
 * 0x1000 on an ESP32, whose ROM boots the image there). First the table's
 * first two words are read and checked (the driver's vector_check): erased flash, an initial SP
 * outside SRAM/CCM or a reset vector that is not a Thumb address in flash or SRAM is refused
 * with FK_E_BAD_IMAGE naming the address and the values, and nothing is started. Then the path
 * starts it: the bootloader with AN3155 Go addr; the debug path with a reset (the user's
 * --reset of the session: sw or hw; none is refused with FK_E_UNSUPPORTED) leaving the core
 * running with halting debug off, which can only start the boot address (another addr:
 * FK_E_UNSUPPORTED). r is filled as far as it got. The session should be closed afterwards: a
 * debug path no longer holds the core, a bootloader path no longer answers. */
int fk_session_run(fk_session *s, uint32_t addr, fk_run_result *r);
/* The same checks and refusals, touching nothing: r->how says what fk_session_run would do. */
int fk_session_run_check(fk_session *s, uint32_t addr, fk_run_result *r);
/* Would the chip start a vector table whose first words are sp (initial SP) and reset (reset
 * vector), in its flash? 0 yes, 1 both words erased, 2 no (why, n bytes, says which word is
 * outside what and the accepted ranges); -1 when the chip's driver starts no code (nothing to
 * check). Pure: nothing is read. */
int fk_session_vector_check(fk_session *s, uint32_t sp, uint32_t reset, char *why, size_t n);

#endif
