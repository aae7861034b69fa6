/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey run [ADDR]: start the application after flashing. The vector table at ADDR (default
 * the flash base) is checked first (erased, SP outside RAM, reset vector not Thumb in flash or
 * SRAM: refused, exit 7); then the debug path resets the chip with the core left running and
 * halting debug off (ARMv7-M §C1.6.3), and the bootloader path jumps with AN3155 Go (§3.5). */
#include <stdio.h>

#include "cmd_common.h"

static void run_report(cli_env *e, int rc, const fk_run_result *r, const fk_session *s)
{
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_bool(&j, "dry_run", e->dry_run);
		json_kv_hex(&j, "addr", r->addr, 8);
		json_kv_hex(&j, "msp", r->msp, 8);
		json_kv_hex(&j, "reset_handler", r->reset_handler, 8);
		json_kv_str(&j, "path", s ? fk_session_chip(s)->path : "");
		json_kv_str(&j, "how", r->how);
		json_kv_bool(&j, "started", r->started);
		json_kv_bool(&j, "bootloader_gone", r->bootloader_gone);
		json_kv_bool(&j, "vector_unread", r->vector_unread);
		cli_json_end(e, &j, rc);
		return;
	}
	if (rc)
		return;
	if (r->vector_unread)
		printf("%s the application at 0x%08X (its vector table cannot be read over this "
		       "connection: the chip's boot check decides)\n",
		       e->dry_run ? "dry run: would start" : "started", r->addr);
	else
		printf("%s the application at 0x%08X: %s 0x%08X, %s 0x%08X\n",
		       e->dry_run ? "dry run: would start" : "started", r->addr, r->word_names[0],
		       r->msp, r->word_names[1], r->reset_handler);
	printf("  %s%s\n", e->dry_run ? "would do: " : "", r->how);
	if (r->bootloader_gone)
		printf("  %s\n", r->gone_note);
	else if (r->started)
		printf("  the core runs with halting debug off (DHCSR.C_DEBUGEN = 0): breakpoints "
		       "cannot stop it; the next flashkey command halts it again\n");
	if (e->dry_run)
		printf("  nothing was started\n");
}

static int cmd_run_run(cli_env *e)
{
	const char *a = cli_arg(e, 0);
	uint32_t addr = 0;
	fk_run_result r = {0};
	if (cli_nargs(e) > 1)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey run [ADDR]");
	if (a && fk_parse_u32(a, &addr))
		return fk_fail(e->ctx, FK_E_USAGE, "run %s: expected an address, e.g. 0x08000000", a);
	fk_session *s = NULL;
	int rc = cli_session(e, &s);
	if (!rc)
		rc = e->dry_run ? fk_session_run_check(s, addr, &r) : fk_session_run(s, addr, &r);
	if (!rc) /* "started" only once the target's state is saved (issue 13 class 7) */
		rc = fk_session_sync(s);
	run_report(e, rc, &r, s);
	fk_session_close(s);
	return rc;
}

const cli_command cli_cmd_run = {
	.name = "run",
	.synopsis = "run [ADDR]",
	.summary = "start the application (vector table at ADDR, default the flash base)",
	.details = "The vector table at ADDR is checked first: erased flash, an initial SP that is "
		   "not a word-aligned address in SRAM or CCM, or a reset vector that is not a Thumb "
		   "address in flash or SRAM is refused (exit 7) and nothing is started. Over a debug "
		   "probe the chip is reset with the reset vector catch off (--reset sw or hw; "
		   "--reset=none is refused) and halting debug is turned off (DHCSR.C_DEBUGEN = 0) so "
		   "that no breakpoint stops the application; a reset starts from the boot address, so "
		   "only the flash base can be started this way. Over the ROM bootloader, AN3155 Go "
		   "loads the SP from ADDR and jumps to the reset handler at ADDR+4; the bootloader "
		   "then no longer answers until a reset with BOOT0 high. --dry-run checks and says "
		   "what it would do.",
	.run = cmd_run_run,
};
