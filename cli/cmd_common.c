/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the chip commands (see cmd_common.h). JSON shapes: docs/JSON.md. */
#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"

int cli_session(cli_env *e, fk_session **s)
{
	if (!e->connection) {
		fk_hint(e->ctx, "give a connection, e.g. `flashkey -c twin:board.twin %s` (create a twin "
				"with `flashkey-twin new stm32f407 board.twin`)", e->cmd->name);
		return fk_fail(e->ctx, FK_E_USAGE, "`%s` needs a target: no -c CONNECTION given",
			       e->cmd->name);
	}
	return fk_session_open(e->ctx, e->connection, &e->conn_opts, e->chip, s);
}

int cli_session_ro(cli_env *e, fk_session **s)
{
	int rc = cli_session(e, s);
	if (!rc && !e->halt)
		fk_session_restore_run_state(*s);
	return rc;
}

void cli_perms(const cli_env *e, fk_perms *p)
{
	memset(p, 0, sizeof *p);
	p->allow_erase_all = e->allow_erase_all;
	p->allow_irreversible = e->allow_irreversible;
	p->no_backup = e->no_backup;
	p->backup_dir = e->backup_dir;
	p->dry_run = e->dry_run;
}

bool cli_consent_erase_all(cli_env *e, fk_perms *p, const char *what)
{
	if (p->allow_erase_all)
		return true;
	if (e->dry_run || e->out.json || !e->out.interactive)
		return false;
	char q[256];
	snprintf(q, sizeof q, "%s (--yes does not grant this.)", what);
	p->allow_erase_all = cli_confirm_typed(&e->out, q, "yes");
	return p->allow_erase_all;
}

bool cli_consent_irreversible(cli_env *e, fk_perms *p, const char *what)
{
	if (p->allow_irreversible && strcmp(p->allow_irreversible, "PERMANENT") == 0)
		return true;
	if (e->dry_run || e->out.json || !e->out.interactive)
		return false;
	char q[256];
	snprintf(q, sizeof q, "%s is PERMANENT: it can never be undone.", what);
	if (!cli_confirm_typed(&e->out, q, "PERMANENT"))
		return false;
	p->allow_irreversible = "PERMANENT";
	return true;
}

int cli_parse_range(cli_env *e, const char *s, uint32_t *addr, uint32_t *len)
{
	char a[32];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	*len = 0;
	if (n >= sizeof a)
		return fk_fail(e->ctx, FK_E_USAGE, "\"%s\": expected ADDR:LEN", s);
	memcpy(a, s, n);
	a[n] = '\0';
	if (fk_parse_u32(a, addr) || (colon && fk_parse_u32(colon + 1, len)))
		return fk_fail(e->ctx, FK_E_USAGE, "\"%s\": expected ADDR:LEN, e.g. 0x08000000:0x4000", s);
	if (!fk_span_ok(*addr, *len, FK_ADDR_SPACE))
		return fk_fail(e->ctx, FK_E_RANGE, "\"%s\": 0x%08X + 0x%X runs past 0xFFFFFFFF", s,
			       *addr, *len);
	return FK_OK;
}

int cli_image_load(cli_env *e, const char *path, cli_image *ci)
{
	memset(ci, 0, sizeof *ci);
	fk_image_load_opts o = {FK_IMAGE_AUTO, CLI_RAW_BASE};
	const char *base = cli_value(&e->args, "base");
	if (base && fk_parse_u32(base, &o.base))
		return fk_fail(e->ctx, FK_E_USAGE, "--base %s: not an address", base);
	int rc = fk_image_load(e->ctx, path, &o, &ci->img);
	if (rc)
		return rc;
	size_t n = fk_image_segment_count(ci->img);
	ci->segs = calloc(n ? n : 1, sizeof *ci->segs);
	if (!ci->segs)
		return fk_fail(e->ctx, FK_E_NOMEM, "loading %s", path);
	for (size_t i = 0; i < n; i++) {
		const fk_segment *g = fk_image_segment(ci->img, i);
		ci->segs[i] = (fk_seg){g->addr, g->len, g->data};
		ci->bytes += g->len;
	}
	ci->n = (unsigned)n;
	ci->raw = fk_image_get_format(ci->img) == FK_IMAGE_BIN;
	ci->base_given = base != NULL;
	return FK_OK;
}

void cli_image_unreadable(const fk_session *s, const cli_image *ci, uint32_t *addr,
			  uint32_t *len, char *why, size_t why_size)
{
	*addr = *len = 0;
	why[0] = '\0';
	for (unsigned i = 0; i < ci->n && !*len; i++) {
		const char *w = "";
		fk_session_unreadable(s, ci->segs[i].addr,
				      (uint64_t)ci->segs[i].addr + ci->segs[i].len, addr, len, &w);
		fk_strlcpy(why, w, why_size);
	}
}

void cli_unreadable_text(uint32_t addr, uint32_t len, const char *why)
{
	printf("not compared: 0x%08X-0x%08X, programmed but not readable over this connection "
	       "(%s)\n", addr, addr + len - 1U, why);
}

void cli_unreadable_json(json_w *j, uint32_t addr, uint32_t len, const char *why)
{
	json_key(j, "not_compared");
	if (!len) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_kv_hex(j, "start", addr, 8);
	json_kv_hex(j, "end", addr + len - 1U, 8);
	json_kv_str(j, "why", why);
	json_obj_end(j);
}

void cli_image_rebase(cli_env *e, cli_image *ci, const fk_session *s)
{
	uint32_t base = fk_session_chip(s)->flash_base;
	if (!ci->img || cli_value(&e->args, "base") || fk_image_get_format(ci->img) != FK_IMAGE_BIN ||
	    base == CLI_RAW_BASE)
		return;
	for (unsigned i = 0; i < ci->n; i++) /* loaded at CLI_RAW_BASE: moved to the chip's base */
		ci->segs[i].addr = ci->segs[i].addr - CLI_RAW_BASE + base;
}

int cli_image_place(cli_env *e, fk_session *s, cli_image *ci)
{
	if (!ci->raw || ci->base_given || !ci->n)
		return FK_OK;
	const fk_chip_info *c = fk_session_chip(s);
	cli_image_rebase(e, ci, s);
	if (ci->segs[0].len < 8)
		return FK_OK;
	const uint8_t *w = ci->segs[0].data;
	uint32_t sp = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
	uint32_t reset = (uint32_t)w[4] | (uint32_t)w[5] << 8 | (uint32_t)w[6] << 16 |
			 (uint32_t)w[7] << 24;
	char why[200];
	int v = fk_session_vector_check(s, sp, reset, why, sizeof why);
	if (v <= 0) /* a vector table it could start, or a chip that starts no Cortex-M code */
		return FK_OK;
	fk_hint(e->ctx, "a raw binary keeps no address: give the one it was linked for with --base "
			"(e.g. --base 0x08004000 after a 16 KiB bootloader), or write the ELF/HEX "
			"file, which carries it");
	fk_fail(e->ctx, FK_E_BAD_IMAGE, "%s", why);
	return fk_fail_wrap(e->ctx, FK_E_BAD_IMAGE, "raw binary at the flash base 0x%08X (no "
			    "--base): its first words (initial SP 0x%08X, reset vector 0x%08X) are "
			    "no vector table %s could start there; nothing was written", c->flash_base,
			    sp, reset, c->chip);
}

int cli_image_marks(cli_env *e, fk_session *s, const cli_image *ci, const fk_perms *perms)
{
	fk_image *img = fk_image_new(); /* the segments as placed (a raw binary's base applied) */
	if (!img)
		return fk_fail(e->ctx, FK_E_NOMEM, "scanning the image");
	int rc = FK_OK;
	for (unsigned i = 0; i < ci->n && !rc; i++)
		rc = fk_image_add(e->ctx, img, ci->segs[i].addr, ci->segs[i].data, ci->segs[i].len);
	fk_image_mark m[8];
	unsigned n = rc ? 0 : fk_image_marks(img, m, 8);
	fk_image_free(img);
	return rc ? rc : fk_image_marks_check(s, m, n < 8 ? n : 8, perms);
}

void cli_image_free(cli_image *ci)
{
	fk_image_free(ci->img);
	free(ci->segs);
	memset(ci, 0, sizeof *ci);
}

void cli_json_chip(json_w *j, const fk_chip_info *c)
{
	json_obj_begin(j);
	json_kv_str(j, "chip", c->chip);
	json_kv_str(j, "members", c->members);
	json_kv_str(j, "family", c->family);
	json_kv_str(j, "manual", c->manual);
	json_kv_str(j, "path", c->path);
	json_kv_str(j, "transport", c->transport);
	json_kv_hex(j, "dev_id", c->dev_id, 3);
	json_kv_hex(j, "rev_id", c->rev_id, 4);
	json_kv_str(j, "revision", c->revision);
	json_kv_hex(j, "flash_base", c->flash_base, 8);
	json_kv_uint(j, "flash_size", c->flash_size);
	json_kv_bool(j, "flash_size_assumed", c->flash_size_assumed);
	json_kv_hex(j, "otp_base", c->otp_base, 8);
	json_kv_uint(j, "otp_size", c->otp_size);
	json_kv_hex(j, "option_base", c->option_base, 8);
	json_key(j, "sectors");
	json_arr_begin(j);
	for (unsigned i = 0; i < c->nsectors; i++) {
		json_obj_begin(j);
		json_kv_uint(j, "number", c->sectors[i].number);
		json_kv_hex(j, "addr", c->sectors[i].addr, 8);
		json_kv_uint(j, "size", c->sectors[i].size);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void cli_json_sectors_mask(json_w *j, const char *key, uint64_t mask)
{
	json_key(j, key);
	json_arr_begin(j);
	for (unsigned i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			json_uint(j, i);
	json_arr_end(j);
}

static void cli_json_lock(json_w *j, const fk_lock *l)
{
	json_obj_begin(j);
	json_kv_str(j, "kind", fk_lock_kind_name(l->kind));
	json_kv_str(j, "name", l->name);
	json_kv_str(j, "state", l->state);
	json_kv_str(j, "raw", l->raw);
	json_kv_bool(j, "blocks_write", l->blocks_write);
	cli_json_sectors_mask(j, "sectors", l->sectors);
	if (l->range_len) { /* an area of any size or sector number (WRP pages of an F103 HD) */
		json_kv_hex(j, "addr", l->range_addr, 8);
		json_kv_uint(j, "size", l->range_len);
	}
	json_key(j, "step");
	if (l->step >= 0)
		json_str(j, fk_step_name((fk_step_id)l->step));
	else
		json_null(j);
	json_kv_str(j, "cost", fk_cost_name(l->cost));
	json_kv_bool(j, "reversible", l->reversible);
	json_kv_str(j, "pending", fk_pending_name(l->pending));
	json_kv_str(j, "remedy", l->remedy);
	json_obj_end(j);
}

static void cli_json_inv_sectors(json_w *j, const fk_inventory *inv)
{
	json_key(j, "sectors");
	json_arr_begin(j);
	for (unsigned i = 0; i < inv->nsectors; i++) {
		const fk_sector_info *s = &inv->sectors[i];
		json_obj_begin(j);
		json_kv_uint(j, "number", s->number);
		json_kv_hex(j, "addr", s->addr, 8);
		json_kv_uint(j, "size", s->size);
		json_kv_bool(j, "wrp", s->wrp);
		json_kv_bool(j, "pcrop", s->pcrop);
		json_kv_str(j, "content", s->blank < 0 ? "unreadable" : s->blank ? "blank" : "programmed");
		if (s->blank >= 0)
			json_kv_hex(j, "crc32", s->crc, 8);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void cli_json_inv_otp(json_w *j, const fk_inventory *inv)
{
	json_key(j, "otp");
	json_arr_begin(j);
	for (unsigned i = 0; i < inv->notp; i++) {
		json_obj_begin(j);
		json_kv_uint(j, "block", i);
		json_kv_bool(j, "readable", inv->otp[i].readable);
		if (inv->otp[i].readable) {
			json_kv_bool(j, "written", inv->otp[i].written);
			json_kv_bool(j, "locked", inv->otp[i].locked);
			json_kv_hex(j, "lock_byte", inv->otp[i].lock_byte, 2);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

void cli_json_inventory(json_w *j, const fk_inventory *inv)
{
	json_obj_begin(j);
	json_kv_str(j, "chip", inv->chip);
	json_kv_str(j, "path", inv->path);
	json_kv_hex(j, "dev_id", inv->dev_id, 3);
	json_kv_str(j, "revision", inv->revision);
	json_kv_uint(j, "flash_size", inv->flash_size);
	json_kv_int(j, "rdp_level", inv->rdp_level);
	json_kv_hex(j, "rdp_raw", inv->rdp_raw, 2);
	json_kv_bool(j, "intrusion", inv->intrusion);
	json_kv_bool(j, "flash_readable", inv->flash_readable);
	json_kv_bool(j, "write_blocked", inv->write_blocked);
	json_key(j, "registers");
	json_obj_begin(j);
	for (unsigned i = 0; i < inv->nregs; i++) {
		json_key(j, inv->regs[i].name);
		if (inv->regs[i].valid)
			json_hex(j, inv->regs[i].value, 8);
		else
			json_null(j);
	}
	json_obj_end(j);
	json_key(j, "options");
	json_obj_begin(j);
	for (unsigned i = 0; i < inv->nopts; i++) {
		json_key(j, inv->opts[i].key);
		json_obj_begin(j);
		json_kv_uint(j, "value", inv->opts[i].value);
		json_kv_str(j, "text", inv->opts[i].text);
		json_obj_end(j);
	}
	json_obj_end(j);
	json_key(j, "locks");
	json_arr_begin(j);
	for (unsigned i = 0; i < inv->nlocks; i++)
		cli_json_lock(j, &inv->locks[i]);
	json_arr_end(j);
	cli_json_inv_sectors(j, inv);
	cli_json_inv_otp(j, inv);
	json_obj_end(j);
}

void cli_json_plan(json_w *j, const fk_plan *plan)
{
	json_arr_begin(j);
	for (unsigned i = 0; i < plan->nsteps; i++) {
		const fk_step *s = &plan->steps[i];
		json_obj_begin(j);
		json_kv_str(j, "step", s->name);
		json_kv_str(j, "what", s->what);
		json_kv_str(j, "cost", fk_cost_name(s->cost));
		json_kv_str(j, "cost_text", s->cost_text);
		json_kv_bool(j, "destructive", s->destructive);
		json_kv_bool(j, "irreversible", s->irreversible);
		json_kv_bool(j, "backup", s->backup);
		json_kv_str(j, "pending", fk_pending_name(s->pending));
		json_kv_bool(j, "refused", s->refused);
		if (s->refused)
			json_kv_str(j, "why", s->why);
		if (s->id >= FK_STEP_WRP)
			json_kv_hex(j, FK_STEP_VALUE_KEY, s->value[0], 8);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void cli_print_sector_map(const fk_inventory *inv)
{
	if (!inv->nsectors) /* a chip with thousands of units lists none here (SPI NOR) */
		return;
	printf("\nsector  address     size     WRP    content\n");
	/* up to 32 units one line each; more (F1/L4 pages) as runs of neighbours alike in size,
	 * protection and content: "24-63" */
	bool group = inv->nsectors > 32;
	for (unsigned i = 0; i < inv->nsectors;) {
		const fk_sector_info *s = &inv->sectors[i];
		unsigned j = i + 1;
		while (group && j < inv->nsectors && inv->sectors[j].size == s->size &&
		       inv->sectors[j].wrp == s->wrp && inv->sectors[j].pcrop == s->pcrop &&
		       inv->sectors[j].blank == s->blank &&
		       inv->sectors[j].number == inv->sectors[j - 1].number + 1U &&
		       inv->sectors[j].addr == inv->sectors[j - 1].addr + inv->sectors[j - 1].size)
			j++;
		char num[24];
		if (j - i > 1)
			snprintf(num, sizeof num, "%u-%u", s->number, inv->sectors[j - 1].number);
		else
			snprintf(num, sizeof num, "%u", s->number);
		printf("%6s  0x%08X  %4u KB  %-5s  %s\n", num, s->addr, s->size / 1024,
		       s->pcrop ? "PCROP" : s->wrp ? "yes" : "-",
		       s->blank < 0 ? "unreadable" : s->blank ? "blank" : "programmed");
		i = j;
	}
}

void cli_print_inventory(const fk_inventory *inv)
{
	char id[40] = ""; /* a chip without a DBGMCU-style ID (ESP, SPI NOR, LPC) shows none */
	if (inv->dev_id || inv->rev_id)
		snprintf(id, sizeof id, "DEV_ID 0x%03X ", inv->dev_id);
	printf("chip    %s (%srev %s), %u KB flash%s, via the %s path\n", inv->chip, id,
	       inv->revision, inv->flash_size / 1024,
	       inv->flash_size_assumed ? " (size register unreadable: family size assumed)" : "",
	       inv->path);
	if (inv->rdp_level >= 0) /* -1: the chip has no read-out protection level */
		printf("RDP     level %d (RDP byte 0x%02X)%s\n", inv->rdp_level, inv->rdp_raw,
		       inv->intrusion ? ": debugger attached, flash and OTP unreadable until level 0"
				      : "");
	for (unsigned i = 0; i < inv->nregs; i++)
		if (inv->regs[i].valid)
			printf("%-12s 0x%08X\n", inv->regs[i].name, inv->regs[i].value);
	for (unsigned i = 0; i < inv->nopts; i++)
		printf("  %-10s %s\n", inv->opts[i].key, inv->opts[i].text);
	printf("\n%-20s %-44s %-10s %-6s %-14s %s\n", "lock", "state", "removal", "undo",
	       "then", "how");
	if (!inv->nlocks)
		printf("(none: nothing locks this chip's flash)\n");
	for (unsigned i = 0; i < inv->nlocks; i++) {
		const fk_lock *l = &inv->locks[i];
		/* a long state gets its own line so the columns after it stay aligned */
		bool wide = strlen(l->state) > 44;
		if (wide)
			printf("%-20s %s\n", l->name, l->state);
		printf("%-20s %-44s %-10s %-6s %-14s %s\n", wide ? "" : l->name, wide ? "" : l->state,
		       fk_cost_name(l->cost), l->reversible ? "yes" : "no", fk_pending_name(l->pending),
		       l->remedy);
	}
	cli_print_sector_map(inv);
	if (inv->notp) {
		printf("\nOTP blocks: ");
		for (unsigned i = 0; i < inv->notp; i++)
			putchar(!inv->otp[i].readable ? '?' : inv->otp[i].locked ? 'L'
							   : inv->otp[i].written ? 'w' : '.');
		printf("  (. blank, w written, L locked, ? unreadable)\n");
	}
}

void cli_print_plan(const fk_plan *plan)
{
	if (plan->nothing_to_do) {
		printf("plan: nothing to do, no lock stands in the way\n");
		return;
	}
	printf("plan (%u step%s, safest first):\n", plan->nsteps, plan->nsteps == 1 ? "" : "s");
	for (unsigned i = 0; i < plan->nsteps; i++) {
		const fk_step *s = &plan->steps[i];
		printf("  %u. %-9s %s\n", i + 1, s->name, s->what);
		printf("     cost: %s%s%s%s\n", s->cost_text,
		       s->destructive ? "; needs --allow-erase-all" : "",
		       s->backup ? "; backup first" : "",
		       s->pending != FK_PENDING_NONE ? "; then a reset" : "");
		if (s->refused)
			printf("     REFUSED: %s\n", s->why);
	}
}

void cli_json_begin(cli_env *e, json_w *j, int rc)
{
	json_init(j, stdout, 2);
	json_obj_begin(j);
	json_kv_str(j, "command", e->cmd->name);
	json_kv_bool(j, "ok", rc == FK_OK);
}

void cli_json_end(cli_env *e, json_w *j, int rc)
{
	if (rc) {
		json_key(j, "error");
		cli_json_error(j, e->ctx, rc);
	}
	json_obj_end(j);
	json_finish(j);
	e->json_done = true;
}

const char *cli_verify_how_name(fk_verify_how how)
{
	return how == FK_VERIFY_CRC	? "crc32"
	       : how == FK_VERIFY_MD5	? "md5"
	       : how == FK_VERIFY_READ	? "read"
	       : how == FK_VERIFY_COMPARE ? "compare"
	       : how == FK_VERIFY_ENCRYPTED ? "not_verifiable_encrypted"
					: "none";
}
