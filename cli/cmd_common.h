/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the chip commands (info, status, unlock, erase, write, verify, read,
 * backup, restore, options, otp, reset): session opening, permissions and typed consent,
 * image loading, and the JSON/text renderings of the inventory and the plan (docs/JSON.md). */
#ifndef FK_CLI_CMD_COMMON_H
#define FK_CLI_CMD_COMMON_H

#include "cli.h"
#include "flashkey/flashkey.h"
#include "flashkey/image.h"

int cli_session(cli_env *e, fk_session **s);
/* cli_session for a command that only reads: a core found running runs on when the session
 * ends, unless --halt (issue 13 class 12). */
int cli_session_ro(cli_env *e, fk_session **s);
void cli_perms(const cli_env *e, fk_perms *p);
/* Permission gates with interactive consent: true when given by flag or typed at the prompt. */
bool cli_consent_erase_all(cli_env *e, fk_perms *p, const char *what);
bool cli_consent_irreversible(cli_env *e, fk_perms *p, const char *what);

/* Loads FILE (--base for raw binaries) into segments pointing into *img. */
typedef struct cli_image {
	fk_image *img;
	fk_seg *segs;
	unsigned n;
	uint64_t bytes;
	bool raw;       /* a raw binary: it carries no address of its own */
	bool base_given;/* --base placed it; otherwise it sits at the default base */
} cli_image;
/* Where a raw binary is loaded before the chip is known (without --base). */
#define CLI_RAW_BASE 0x08000000U
int cli_image_load(cli_env *e, const char *path, cli_image *ci);
/* The image's protection words (fk_image_marks) weighed against the chip: warnings, or the
 * PERMANENT gate for one the chip obeys that would lock it for good (issue 17 Deliver 4). */
int cli_image_marks(cli_env *e, fk_session *s, const cli_image *ci, const fk_perms *perms);
/* A raw binary loaded without --base goes to the connected chip's flash base (the description's
 * flash_base: 0 on a SPI NOR): call after the session is open. */
void cli_image_rebase(cli_env *e, cli_image *ci, const fk_session *s);
/* A raw binary without --base goes to the chip's flash base (fk_chip_info.flash_base), and
 * its first two words must be a vector table the chip could start there (issue 13 class 4: a
 * binary converted from an image that lived elsewhere, e.g. after a bootloader, would
 * otherwise be written over the bootloader): FK_E_BAD_IMAGE naming both words otherwise. */
int cli_image_place(cli_env *e, fk_session *s, cli_image *ci);
void cli_image_free(cli_image *ci);
/* The image's bytes this connection programs but cannot read back (fk_session_unreadable), and
 * the report of them: "not compared: 0x00000000-0x0000003F (why)", JSON "not_compared". */
void cli_image_unreadable(const fk_session *s, const cli_image *ci, uint32_t *addr,
			  uint32_t *len, char *why, size_t why_size);
void cli_unreadable_text(uint32_t addr, uint32_t len, const char *why);
void cli_unreadable_json(json_w *j, uint32_t addr, uint32_t len, const char *why);
/* "ADDR:LEN" or "ADDR" (len 0). */
int cli_parse_range(cli_env *e, const char *s, uint32_t *addr, uint32_t *len);

void cli_json_chip(json_w *j, const fk_chip_info *c);
void cli_json_inventory(json_w *j, const fk_inventory *inv);
void cli_json_plan(json_w *j, const fk_plan *plan);
void cli_print_inventory(const fk_inventory *inv);
void cli_print_plan(const fk_plan *plan);
/* "crc32" | "read" | "none" (docs/JSON.md). */
const char *cli_verify_how_name(fk_verify_how how);
/* Starts the JSON document {"command": ..., "ok": ...} used by every chip command. */
void cli_json_begin(cli_env *e, json_w *j, int rc);
/* Ends it, with "error" when rc != 0; marks the document printed. */
void cli_json_end(cli_env *e, json_w *j, int rc);

#endif
