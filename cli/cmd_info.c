/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey info: identify the chip (DBGMCU_IDCODE, flash size register, device table):
 * ID, revision, flash size, memory map. Unknown chips fail closed (exit 8). */
#include "cmd_common.h"

static int cmd_info_run(cli_env *e)
{
	fk_session *s;
	int rc = cli_session_ro(e, &s);
	if (rc)
		return rc;
	const fk_chip_info *c = fk_session_chip(s);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, FK_OK);
		json_key(&j, "chip");
		cli_json_chip(&j, c);
		cli_json_end(e, &j, FK_OK);
	} else {
		printf("chip      %s (%s), %s\n", c->chip, c->members, c->manual);
		if (c->dev_id || c->rev_id)
			printf("DEV_ID    0x%03X  REV_ID 0x%04X (revision %s)\n", c->dev_id, c->rev_id,
			       c->revision);
		else /* a chip without a DBGMCU-style ID register (ESP, SPI NOR): its revision */
			printf("revision  %s\n", c->revision);
		printf("flash     0x%08X, %u KB%s\n", c->flash_base, c->flash_size / 1024,
		       c->flash_size_assumed ? " (size register unreadable: family size assumed)" : "");
		if (c->otp_size) /* the areas the chip description gives, when it has them */
			printf("OTP       0x%08X, %u bytes (16 blocks of 32 + 16 lock bytes)\n",
			       c->otp_base, c->otp_size);
		if (c->option_base)
			printf("options   0x%08X (%s)\n", c->option_base, c->option_reg);
		printf("access    %s path over %s\n", c->path, c->transport);
		printf("sectors  ");
		for (unsigned i = 0; i < c->nsectors; i++) {
			unsigned j = i; /* a long run of equal units on one line: 0-2047:4K */
			while (j + 1 < c->nsectors && c->sectors[j + 1].size == c->sectors[i].size)
				j++;
			if (j - i + 1 >= 16) {
				printf(" %u-%u:%uK", c->sectors[i].number, c->sectors[j].number,
				       c->sectors[i].size / 1024);
				i = j;
				continue;
			}
			printf(" %u:%uK", c->sectors[i].number, c->sectors[i].size / 1024);
		}
		printf("\n");
	}
	return fk_session_end(s, FK_OK); /* a state that could not be saved fails (class 7) */
}

const cli_command cli_cmd_info = {
	.name = "info",
	.synopsis = "info",
	.summary = "identify the chip: ID, revision, flash size, memory map",
	.details = "Reads DBGMCU_IDCODE and the flash size register and looks the part up in the "
		   "device table; an ID not in the table fails (exit 8) instead of guessing a map.",
	.run = cmd_info_run,
};
