/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 model: `flashkey-twin show` (text and JSON): the option bytes as stored and as
 * loaded (FLASH_OBR, FLASH_WRPR), the protection in force with the protected page ranges, the
 * FPEC's locks and flags, pins, power, the clock. Field layouts: PM0075 §3.7-3.8 (F1 OBR),
 * RM0091 §3.5.8 (F0/F3 OBR). */
#include <stdio.h>

#include "stm32f1/f1_int.h"
#include "stm32f1/model_int.h"

static const char *f1s_boot(tw_boot b)
{
	return b == TW_BOOT_SYSMEM ? "sysmem" : b == TW_BOOT_SRAM ? "sram" : "flash";
}

/* USER byte as loaded (OBR[9:2] on F1, OBR[15:8] on F0/F3). */
static uint8_t f1s_user(const tw_f1 *t)
{
	return (uint8_t)(t->v->family == TW_F1_FAMILY_F1 ? t->obr >> 2 : t->obr >> 8);
}

/* Runs of protected pages: calls out(first, last) for each. */
static void f1s_ranges(const tw_f1 *t, void (*out)(void *arg, unsigned a, unsigned b), void *arg)
{
	unsigned n = tw_f1_page_count(t);
	for (unsigned p = 0; p < n;) {
		if (!tw_f1_page_protected(t, p)) {
			p++;
			continue;
		}
		unsigned q = p;
		while (q + 1 < n && tw_f1_page_protected(t, q + 1))
			q++;
		out(arg, p, q);
		p = q + 1;
	}
}

static void f1s_range_text(void *arg, unsigned a, unsigned b)
{
	fprintf(arg, " %u-%u", a, b);
}

void f1_show_text(const void *m, const char *path, FILE *out)
{
	const tw_f1 *t = m;
	uint8_t user = f1s_user(t);
	fprintf(out, "twin %s: %s (%s), DEV_ID 0x%03X REV_ID 0x%04X, flash %u KiB (%u pages of %u)\n",
		path, t->v->name, t->v->desc, t->v->dev_id, t->v->rev_id, t->v->flash_kib,
		tw_f1_page_count(t), t->v->page_bytes);
	fprintf(out, "option bytes @0x1FFFF800:");
	for (unsigned i = 0; i < F1_OB_SIZE; i += 2)
		fprintf(out, " %02X%02X", t->ob[i + 1], t->ob[i]);
	fprintf(out, "  (complement:value)\n");
	fprintf(out, "loaded: FLASH_OBR 0x%08X FLASH_WRPR 0x%08X%s\n", t->obr, t->wrpr,
		tw_f1_opterr(t) ? "  OPTERR (an option and its complement disagree)" : "");
	fprintf(out, "RDP: 0x%02X = level %u%s\n", t->rdp_eff, tw_f1_rdp_level(t),
		tw_f1_rdp_level(t) == 2 ? " (permanent: debug port and bootloader disabled)" : "");
	fprintf(out, "USER 0x%02X: WDG_SW=%u nRST_STOP=%u nRST_STDBY=%u; Data0 0x%02X Data1 0x%02X\n",
		user, user & 1U, (user >> 1) & 1U, (user >> 2) & 1U,
		(unsigned)(uint8_t)(t->obr >> (t->v->family == TW_F1_FAMILY_F1 ? 10 : 16)),
		(unsigned)(uint8_t)(t->obr >> (t->v->family == TW_F1_FAMILY_F1 ? 18 : 24)));
	fprintf(out, "write-protected pages:");
	f1s_ranges(t, f1s_range_text, out);
	fprintf(out, "%s\n", t->wrpr == 0xFFFFFFFFU && !tw_f1_page_protected(t, 0) ? " none" : "");
	fprintf(out, "FPEC: FLASH_CR 0x%08X (%s%s) FLASH_SR 0x%08X%s%s\n", tw_f1_reg(t, F1_FLASH_CR),
		(t->cr & F1_CR_LOCK) ? "locked" : "unlocked",
		(t->cr & F1_CR_OPTWRE) ? ", OPTWRE" : "", tw_f1_reg(t, F1_FLASH_SR),
		t->cr_lockout ? "; KEYR locked out until reset" : "",
		t->opt_lockout ? "; OPTKEYR locked out until reset" : "");
	fprintf(out, "power %s, NRST %s, boot %s (in force: %s), debugger latch %s, core %s, "
		     "virtual time %llu ns\n",
		t->powered ? "on" : "off", t->nrst ? "held" : "released", f1s_boot(t->boot_pins),
		f1s_boot(t->boot_eff), t->intrusion ? "set" : "clear",
		tw_core_state_name(tw_f1_core_state(t)), (unsigned long long)t->now_ns);
}

typedef struct f1s_jarg {
	const tw_json *j;
} f1s_jarg;

static void f1s_range_json(void *arg, unsigned a, unsigned b)
{
	const tw_json *j = ((f1s_jarg *)arg)->j;
	j->obj_begin(j->h);
	tw_json_kv_uint(j, "first_page", a);
	tw_json_kv_uint(j, "last_page", b);
	j->obj_end(j->h);
}

void f1_show_json(const void *m, const char *path, const tw_json *j)
{
	const tw_f1 *t = m;
	j->obj_begin(j->h);
	tw_json_kv_str(j, "path", path);
	tw_json_kv_str(j, "model", "stm32f1");
	tw_json_kv_str(j, "chip", t->v->name);
	tw_json_kv_hex(j, "dev_id", t->v->dev_id, 3);
	tw_json_kv_uint(j, "flash_bytes", tw_f1_variant_flash_bytes(t->v));
	tw_json_kv_uint(j, "page_bytes", t->v->page_bytes);
	tw_json_kv_hex(j, "rdp", t->rdp_eff, 2);
	tw_json_kv_uint(j, "rdp_level", tw_f1_rdp_level(t));
	tw_json_kv_bool(j, "opterr", tw_f1_opterr(t));
	tw_json_kv_hex(j, "obr", t->obr, 8);
	tw_json_kv_hex(j, "wrpr", t->wrpr, 8);
	j->key(j->h, "option_bytes");
	j->arr_begin(j->h);
	for (unsigned i = 0; i < F1_OB_SIZE; i += 2)
		j->hex(j->h, (uint32_t)t->ob[i] | (uint32_t)t->ob[i + 1] << 8, 4);
	j->arr_end(j->h);
	j->key(j->h, "write_protected");
	j->arr_begin(j->h);
	f1s_jarg arg = {j};
	f1s_ranges(t, f1s_range_json, &arg);
	j->arr_end(j->h);
	tw_json_kv_hex(j, "flash_cr", tw_f1_reg(t, F1_FLASH_CR), 8);
	tw_json_kv_hex(j, "flash_sr", tw_f1_reg(t, F1_FLASH_SR), 8);
	tw_json_kv_bool(j, "key_lockout", t->cr_lockout);
	tw_json_kv_bool(j, "optkey_lockout", t->opt_lockout);
	tw_json_kv_bool(j, "powered", t->powered);
	tw_json_kv_str(j, "boot", f1s_boot(t->boot_pins));
	tw_json_kv_bool(j, "intrusion", t->intrusion);
	tw_json_kv_str(j, "core", tw_core_state_name(tw_f1_core_state(t)));
	tw_json_kv_uint(j, "virtual_ns", t->now_ns);
	j->obj_end(j->h);
}
