/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32L4/G0/G4 chip model behind the generic twin interface (twin/model.h): variants,
 * life cycle, `new`/`set` options, `show`, clock, power and the debug port (SW-DP, plus JTAG on
 * L4/G4), the ROM bootloader's USART (AN3155, rom.c). Every entry forwards to the model's own
 * API (l4.h). Sources: as l4.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/image.h"
#include "stm32l4/l4.h"

#define L4_OPTION_KEYS                                                                         \
	"rdp, optr, every option register by name (wrp1ar, pcrop1er, ...), the OPTR fields "      \
	"(bor_lev, nrst_stop, nrst_stdby, nrst_shdw, iwdg_sw, iwdg_stop, iwdg_stdby, wwdg_sw, "    \
	"bfb2, dualbank, nboot1, nboot0, nswboot0, ...), pcrop_rdp, tear (flash address), bkp0, " \
	"power, fault_op, fault_ns"

/* OPTR fields per family (CMSIS-L4/G0/G4 bit positions; stm32-optr.md §1 "FLASH_OPTR
 * fields"). */
typedef struct l4_field {
	const char *key;
	uint8_t kinds; /* bit per l4_kind */
	uint8_t shift, bits;
} l4_field;

#define KL4 (1U << L4K_L4)
#define KG0 (1U << L4K_G0)
#define KG4 (1U << L4K_G4)

static const l4_field l4_fields_tab[] = {
	{"bor_lev", KL4 | KG4, 8, 3},  {"bor_en", KG0, 8, 1},	     {"borr_lev", KG0, 9, 2},
	{"borf_lev", KG0, 11, 2},      {"nrst_stop", KL4 | KG4, 12, 1}, {"nrst_stdby", KL4 | KG4, 13, 1},
	{"nrst_shdw", KL4 | KG4, 14, 1}, {"nrst_stop", KG0, 13, 1},  {"nrst_stdby", KG0, 14, 1},
	{"nrst_shdw", KG0, 15, 1},     {"iwdg_sw", 7, 16, 1},	     {"iwdg_stop", 7, 17, 1},
	{"iwdg_stdby", 7, 18, 1},      {"wwdg_sw", 7, 19, 1},	     {"bfb2", KL4, 20, 1},
	{"dualbank", KL4, 21, 1},      {"ram_parity_check", KG0, 22, 1}, {"nboot1", KL4 | KG4, 23, 1},
	{"sram2_pe", KL4, 24, 1},      {"sram2_rst", KL4, 25, 1},    {"nswboot0", KL4 | KG4, 26, 1},
	{"nboot0", KL4 | KG4, 27, 1},  {"nboot_sel", KG0, 24, 1},    {"nboot1", KG0, 25, 1},
	{"nboot0", KG0, 26, 1},	       {"nrst_mode", KG0, 27, 2},    {"irhen", KG0, 29, 1},
	{"sram_pe", KG4, 24, 1},       {"ccmsram_rst", KG4, 25, 1},  {"nrst_mode", KG4, 28, 2},
	{"irhen", KG4, 30, 1},
};

static const l4_field *l4_field_find(const tw_l4 *t, const char *key)
{
	for (size_t i = 0; i < sizeof l4_fields_tab / sizeof l4_fields_tab[0]; i++) {
		const l4_field *f = &l4_fields_tab[i];
		uint32_t m = ((1U << f->bits) - 1U) << f->shift;
		if ((f->kinds & (1U << t->v->kind)) && strcmp(f->key, key) == 0 &&
		    (t->v->opt[0].mask & m) == m)
			return f;
	}
	return NULL;
}

/* ---------------------------------------------------------------- variants, life cycle */

static bool l4m_variant_at(unsigned i, tw_variant_info *out)
{
	const l4_variant *v = tw_l4_variant_at(i);
	if (!v)
		return false;
	*out = (tw_variant_info){
		.name = v->name,
		.family = v->family,
		.id_name = "DEV_ID",
		.id_key = "dev_id",
		.id = v->dev_id,
		.id_digits = 3,
		.flash_bytes = v->flash_bytes,
	};
	return true;
}

static int l4m_create(fk_ctx *ctx, const char *name, void **m)
{
	const l4_variant *v = tw_l4_variant_find(name);
	if (!v)
		return FK_E_NOT_FOUND;
	*m = tw_l4_new(v);
	return *m ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "out of memory");
}

static void l4m_destroy(void *m)
{
	tw_l4_free(m);
}

static int l4m_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_l4 *t = NULL;
	int rc = tw_l4_load_buffer(ctx, name, buf, len, &t);
	*m = t;
	return rc;
}

static int l4m_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_l4_save_buffer(m, buf, len);
}

static bool l4m_dirty(const void *m)
{
	return ((const tw_l4 *)m)->dirty;
}

static void l4m_mark_clean(void *m)
{
	((tw_l4 *)m)->dirty = false;
}

static const char *l4m_variant_name(const void *m)
{
	return ((const tw_l4 *)m)->v->name;
}

/* ---------------------------------------------------------------- configuration */

static const tw_model_opt l4_new_opts[] = {
	{"rdp", TW_OPT_VALUE, "0|1|2", "read protection level (RDP 0xAA, 0xBB, 0xCC)"},
	{"flash", TW_OPT_VALUE, "FILE", "firmware image (bin at 0x08000000, HEX, S-record, ELF)"},
	{NULL, 0, NULL, NULL},
};

static int l4_bad(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " L4_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

static void l4_upper(char *d, const char *s, size_t n)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		d[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	d[i] = '\0';
}

/* --option KEY=VALUE: programs the option area as a factory programmer would and loads it as
 * a power-on does; raw words keep their reserved bits (masked to the writable ones). */
static int l4_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	tw_l4 *t = m;
	char key[32];
	const char *eq = strchr(kv, '=');
	if (!eq || (size_t)(eq - kv) >= sizeof key)
		return l4_bad(ctx, kv, "expected KEY=VALUE");
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	const char *val = eq + 1;
	t->dirty = true;
	if (strcmp(key, "power") == 0) {
		if (strcmp(val, "off") == 0)
			tw_l4_power_off(t);
		else if (strcmp(val, "on") == 0)
			tw_l4_power_on(t);
		else
			return l4_bad(ctx, kv, "expected on or off");
		return FK_OK;
	}
	uint32_t v;
	if (fk_parse_u32(val, &v))
		return l4_bad(ctx, kv, "expected a number (decimal, or hex with 0x)");
	if (strcmp(key, "fault_op") == 0) {
		t->fault_op = v ? t->ops_done + v : 0;
		return FK_OK;
	}
	if (strcmp(key, "fault_ns") == 0) {
		t->fault_ns = v ? t->now + v : 0;
		return FK_OK;
	}
	if (strcmp(key, "tear") == 0) {
		if (v < L4_FLASH_BASE || v - L4_FLASH_BASE >= t->v->flash_bytes)
			return l4_bad(ctx, kv, "not a main-flash address");
		t->ecc_bad[(v - L4_FLASH_BASE) / 8] = 1;
		return FK_OK;
	}
	if (strncmp(key, "bkp", 3) == 0) {
		uint32_t n;
		if (fk_parse_u32(key + 3, &n) || n >= t->v->nbkp)
			return l4_bad(ctx, kv, "no such backup register");
		t->bkp[n] = v;
		return FK_OK;
	}
	uint32_t optr = t->ob[0];
	if (strcmp(key, "rdp") == 0) {
		if (v > 0xFF)
			return l4_bad(ctx, kv, "RDP is one byte (0xAA level 0, 0xCC level 2, else 1)");
		tw_l4_set_ob(t, 0, (optr & ~0xFFU) | v);
		return FK_OK;
	}
	if (strcmp(key, "pcrop_rdp") == 0) {
		int e = t->v->o_pcrop1e;
		tw_l4_set_ob(t, (unsigned)e, (t->ob[e] & ~(1U << 31)) | (v ? 1U << 31 : 0));
		return FK_OK;
	}
	char up[32];
	l4_upper(up, key, sizeof up);
	int i = tw_l4_opt_index(t, up);
	if (i >= 0) {
		const l4_optword *w = &t->v->opt[i];
		tw_l4_set_ob(t, (unsigned)i, (t->ob[i] & ~w->mask) | (v & w->mask));
		return FK_OK;
	}
	const l4_field *f = l4_field_find(t, key);
	if (!f)
		return l4_bad(ctx, kv, "unknown key for this part");
	if (v >= (1U << f->bits))
		return l4_bad(ctx, kv, "value too large for the field");
	uint32_t mk = ((1U << f->bits) - 1U) << f->shift;
	tw_l4_set_ob(t, 0, (optr & ~mk) | (v << f->shift));
	return FK_OK;
}

static int l4_flash_image(tw_l4 *t, fk_ctx *ctx, const char *path)
{
	fk_image_load_opts lo = {FK_IMAGE_AUTO, L4_FLASH_BASE};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		if (sg->addr < L4_FLASH_BASE ||
		    (uint64_t)sg->addr + sg->len > (uint64_t)L4_FLASH_BASE + t->v->flash_bytes) {
			rc = fk_fail(ctx, FK_E_RANGE, "--flash %s: data at 0x%08X..0x%08llX is outside "
				     "the %u KiB flash at 0x08000000", path, sg->addr,
				     (unsigned long long)sg->addr + sg->len - 1,
				     t->v->flash_bytes / 1024U);
			break;
		}
		memcpy(t->flash + (sg->addr - L4_FLASH_BASE), sg->data, sg->len);
	}
	fk_image_free(img);
	t->dirty = true;
	return rc;
}

static int l4_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	tw_l4 *t = m;
	int rc = FK_OK;
	const char *s = a->get(a, "flash", 0);
	if (s)
		rc = l4_flash_image(t, ctx, s);
	const char *kv;
	for (unsigned i = 0; !rc && (kv = a->get(a, "option", i)); i++)
		rc = l4_set_option(t, ctx, kv);
	s = a->get(a, "rdp", 0);
	if (!rc && s) {
		static const uint8_t rdp[3] = {0xAA, 0xBB, 0xCC};
		if (strlen(s) != 1 || s[0] < '0' || s[0] > '2')
			return fk_fail(ctx, FK_E_USAGE, "--rdp %s: expected 0, 1 or 2", s);
		tw_l4_set_ob(t, 0, (t->ob[0] & ~0xFFU) | rdp[s[0] - '0']);
	}
	return rc;
}

static void l4m_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_l4 *t = m;
	unsigned lvl = tw_l4_level(t);
	switch (ev) {
	case TW_EV_CREATED:
		snprintf(buf, n, "RDP 0x%02X (level %u)", t->loaded[0] & 0xFFU, lvl);
		return;
	case TW_EV_POWER_CYCLED:
		snprintf(buf, n, "power-on reset: option bytes loaded (RDP level %u%s), debug latch "
				 "cleared", lvl, t->optverr ? ", OPTVERR: an option word mismatched" : "");
		return;
	case TW_EV_RESET:
		snprintf(buf, n, "system reset: FLASH_CR relocked; option bytes NOT reloaded (only a "
				 "power-on or OBL_LAUNCH loads them), RDP level %u", lvl);
		return;
	}
	if (n)
		buf[0] = '\0';
}

/* ---------------------------------------------------------------- show */

static void l4_area_text(const tw_l4 *t, const uint32_t *w, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	static const char *wn[4] = {"WRP1A", "WRP1B", "WRP2A", "WRP2B"};
	for (unsigned a = 0; a < tw_l4_nwrp(t); a++) {
		unsigned b, f, l;
		if (tw_l4_wrp_area(t, w, a, &b, &f, &l) && k < n)
			k += (size_t)snprintf(buf + k, n - k, "%s%s bank %u pages %u-%u",
					      k ? ", " : "", wn[a], b + 1, f, l);
	}
	if (!k)
		snprintf(buf, n, "none");
}

static void l4_pcrop_text(const tw_l4 *t, const uint32_t *w, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (unsigned a = 0; a < tw_l4_npcrop(t); a++) {
		uint32_t o, l;
		if (tw_l4_pcrop_area(t, w, a, &o, &l) && k < n)
			k += (size_t)snprintf(buf + k, n - k, "%s0x%08X..0x%08X", k ? ", " : "",
					      L4_FLASH_BASE + o, L4_FLASH_BASE + o + l - 1);
	}
	if (!k)
		snprintf(buf, n, "none");
}

static const char *l4_op_name(l4_op op)
{
	static const char *n[] = {"idle", "programming a double word", "fast-programming a row",
				  "erasing a page", "mass erase", "programming the option bytes"};
	return n[op];
}

static void l4_show_text(const void *m, const char *path, FILE *out)
{
	const tw_l4 *t = m;
	const l4_variant *v = t->v;
	(void)path;
	fprintf(out, "%s (%s, %s): DEV_ID 0x%03X rev 0x%04X, %u KiB flash in %u bank%s of %u-byte "
		     "pages, %u KiB SRAM, %s\n",
		v->family, v->name, v->manual, v->dev_id, v->rev_id, v->flash_bytes / 1024U,
		v->banks, v->banks > 1 ? "s" : "", v->page_bytes, v->sram_bytes / 1024U,
		v->jtag ? "SWD and JTAG" : "SWD only");
	fprintf(out, "power: %s, %d mV; virtual time %llu ns; flash controller %s\n",
		t->powered ? "on" : "off", t->powered ? t->mv : 0, (unsigned long long)t->now,
		l4_op_name(t->op));
	fprintf(out, "RDP in force: 0x%02X (level %u)%s\n", t->loaded[0] & 0xFFU, tw_l4_level(t),
		t->dbg_latch ? "; debugger connected since power-on" : "");
	char buf[256];
	l4_area_text(t, t->loaded, buf, sizeof buf);
	fprintf(out, "write protection: %s\n", buf);
	l4_pcrop_text(t, t->loaded, buf, sizeof buf);
	fprintf(out, "PCROP: %s; PCROP_RDP %u (%s)\n", buf, tw_l4_pcrop_rdp(t, t->loaded),
		tw_l4_pcrop_rdp(t, t->loaded) ? "an RDP 1->0 regression erases the PCROP area too"
					      : "an RDP 1->0 regression keeps the PCROP pages");
	for (unsigned i = 0; i < v->nopt; i++) {
		fprintf(out, "  %-9s loaded 0x%08X  register 0x%08X  programmed 0x%08X%s\n",
			v->opt[i].name, t->loaded[i], t->reg[i], t->ob[i],
			!t->ob_ok[i] ? "  (torn: complement mismatch)"
			: t->ob[i] != t->loaded[i] ? "  (pending: loads at OBL_LAUNCH or power-on)"
						   : "");
	}
	fprintf(out, "FLASH_CR 0x%08X (%s%s), FLASH_SR 0x%08X, FLASH_ECCR 0x%08X\n", t->cr,
		(t->cr & L4_CR_LOCK) ? "locked" : "unlocked",
		(t->cr & L4_CR_OPTLOCK) ? ", options locked" : "", t->sr, t->eccr);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < v->flash_bytes / 8; i++)
		bad += t->ecc_bad[i];
	if (bad)
		fprintf(out, "torn double words (ECC error on read): %u\n", bad);
}

static void l4_show_json(const void *m, const char *path, const tw_json *j)
{
	const tw_l4 *t = m;
	const l4_variant *v = t->v;
	j->obj_begin(j->h);
	tw_json_kv_str(j, "path", path ? path : "");
	tw_json_kv_str(j, "chip", v->name);
	tw_json_kv_str(j, "family", v->family);
	tw_json_kv_str(j, "manual", v->manual);
	tw_json_kv_hex(j, "dev_id", v->dev_id, 3);
	tw_json_kv_uint(j, "flash_bytes", v->flash_bytes);
	tw_json_kv_uint(j, "page_bytes", v->page_bytes);
	tw_json_kv_uint(j, "banks", v->banks);
	tw_json_kv_bool(j, "powered", t->powered);
	tw_json_kv_uint(j, "virtual_ns", t->now);
	tw_json_kv_hex(j, "rdp", t->loaded[0] & 0xFFU, 2);
	tw_json_kv_uint(j, "rdp_level", tw_l4_level(t));
	tw_json_kv_hex(j, "rdp_programmed", t->ob[0] & 0xFFU, 2);
	tw_json_kv_bool(j, "pcrop_rdp", tw_l4_pcrop_rdp(t, t->loaded));
	tw_json_kv_bool(j, "optverr", t->optverr);
	tw_json_kv_bool(j, "debug_latch", t->dbg_latch);
	j->key(j->h, "wrp");
	j->arr_begin(j->h);
	for (unsigned a = 0; a < tw_l4_nwrp(t); a++) {
		unsigned b, f, l;
		if (!tw_l4_wrp_area(t, t->loaded, a, &b, &f, &l))
			continue;
		j->obj_begin(j->h);
		tw_json_kv_uint(j, "bank", b + 1);
		tw_json_kv_uint(j, "first_page", f);
		tw_json_kv_uint(j, "last_page", l);
		j->obj_end(j->h);
	}
	j->arr_end(j->h);
	j->key(j->h, "pcrop");
	j->arr_begin(j->h);
	for (unsigned a = 0; a < tw_l4_npcrop(t); a++) {
		uint32_t o, l;
		if (!tw_l4_pcrop_area(t, t->loaded, a, &o, &l))
			continue;
		j->obj_begin(j->h);
		tw_json_kv_hex(j, "start", L4_FLASH_BASE + o, 8);
		tw_json_kv_hex(j, "end", L4_FLASH_BASE + o + l - 1, 8);
		j->obj_end(j->h);
	}
	j->arr_end(j->h);
	j->key(j->h, "options");
	j->obj_begin(j->h);
	for (unsigned i = 0; i < v->nopt; i++) {
		j->key(j->h, v->opt[i].name);
		j->obj_begin(j->h);
		tw_json_kv_hex(j, "loaded", t->loaded[i], 8);
		tw_json_kv_hex(j, "register", t->reg[i], 8);
		tw_json_kv_hex(j, "programmed", t->ob[i], 8);
		tw_json_kv_bool(j, "valid", t->ob_ok[i] != 0);
		j->obj_end(j->h);
	}
	j->obj_end(j->h);
	tw_json_kv_hex(j, "flash_cr", t->cr, 8);
	tw_json_kv_hex(j, "flash_sr", t->sr, 8);
	tw_json_kv_hex(j, "flash_eccr", t->eccr, 8);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < v->flash_bytes / 8; i++)
		bad += t->ecc_bad[i];
	tw_json_kv_uint(j, "torn_double_words", bad);
	j->obj_end(j->h);
}

/* ---------------------------------------------------------------- clock, power, pins */

static uint64_t l4m_now(const void *m) { return ((const tw_l4 *)m)->now; }
static void l4m_advance(void *m, uint64_t ns) { tw_l4_advance(m, ns); }
static uint64_t l4m_busy_until(const void *m)
{
	const tw_l4 *t = m;
	return t->op != L4_OP_NONE ? t->op_end : 0;
}
static void l4m_reset(void *m, tw_reset kind) { tw_l4_reset(m, kind); }
static bool l4m_powered(const void *m) { return ((const tw_l4 *)m)->powered; }
static void l4m_power_off(void *m) { tw_l4_power_off(m); }
static void l4m_power_on(void *m) { tw_l4_power_on(m); }
static void l4m_set_nrst(void *m, bool a) { tw_l4_set_nrst(m, a); }
static bool l4m_nrst(const void *m) { return ((const tw_l4 *)m)->nrst_low; }
static int l4m_voltage(const void *m)
{
	const tw_l4 *t = m;
	return t->powered ? t->mv : 0;
}
static void l4m_fault_ns(void *m, uint64_t ns) { ((tw_l4 *)m)->fault_ns = ns; }
static void l4m_fault_op(void *m, unsigned n)
{
	tw_l4 *t = m;
	t->fault_op = n ? t->ops_done + n : 0;
}

/* ---------------------------------------------------------------- debug port */

static tw_status l4d_read(void *m, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_l4_read(m, TW_INIT_DEBUG, addr, size, val);
}

static tw_status l4d_write(void *m, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_l4_write(m, TW_INIT_DEBUG, addr, size, val);
}

static tw_status l4d_fetch(void *m, uint32_t addr, uint32_t *val)
{
	tw_l4 *t = m;
	tw_status st = tw_l4_read(t, TW_INIT_USER, addr, 4, val);
	for (int i = 0; st == TW_STALL && i < 4; i++) {
		tw_l4_advance(t, t->op_end > t->now ? t->op_end - t->now : 1);
		st = tw_l4_read(t, TW_INIT_USER, addr, 4, val);
	}
	return st;
}

static void l4d_system_reset(void *m) { tw_l4_reset(m, TW_RESET_SYSTEM); }

/* RM0351 §3.5.1: level 2 disables the debug port for good. */
static bool l4d_reachable(void *m, int core_halted)
{
	const tw_l4 *t = m;
	(void)core_halted;
	return t->powered && tw_l4_level(t) != 2;
}

static void l4d_attach(void *m) { tw_l4_debug_attach(m); }

static int l4d_refusal(void *m, fk_ctx *ctx, const char *path)
{
	const tw_l4 *t = m;
	if (!t->powered) {
		fk_hint(ctx, "restore power with `flashkey-twin power-cycle %s`", path);
		return fk_fail(ctx, FK_E_NO_POWER, "twin %s: target not powered (0 mV)", path);
	}
	fk_hint(ctx, "RDP level 2 is permanent; only firmware running on the chip can still change "
		     "flash");
	return fk_fail(ctx, FK_E_DEBUG_DISABLED, "twin %s: debug port disabled: FLASH_OPTR.RDP="
						 "0xCC (level 2) turns SWD/JTAG off for good (%s "
						 "§%s.5.1)", path, t->v->manual,
			t->v->kind == L4K_G4 ? "5" : "3");
}

static void l4d_bus_error_note(void *m, char *buf, size_t n)
{
	const tw_l4 *t = m;
	if (tw_l4_level(t) > 0)
		snprintf(buf, n, "the chip is at RDP level %u, which blocks debugger access to flash "
				 "and the backup registers", tw_l4_level(t));
	else if (n)
		buf[0] = '\0';
}

/* The variant's SW-DP/JTAG-DP/boundary-scan/AHB-AP/CPU IDs (variants.c cites each). */
static const tw_dap_ids *l4d_ids(void *m)
{
	tw_l4 *t = m;
	const l4_variant *v = t->v;
	t->dap_ids = (tw_dap_ids){
		.dpidr_swd = v->dpidr_swd,
		.idcode_jtag = v->idcode_jtag,
		.bs_idcode = v->bs_idcode,
		.ahbap_idr = v->ahbap_idr,
		.cpuid = v->cpuid,
	};
	return &t->dap_ids;
}

static const tw_dap_port l4_port = {
	.read = l4d_read,
	.write = l4d_write,
	.fetch = l4d_fetch,
	.system_reset = l4d_system_reset,
	.reachable = l4d_reachable,
	.attach = l4d_attach,
	.refusal = l4d_refusal,
	.bus_error_note = l4d_bus_error_note,
	.ids = NULL,
	.ids_of = l4d_ids,
};

static const tw_stream_port *const l4_streams[] = {&tw_l4_an3155_port, NULL};

/* ---------------------------------------------------------------- the model */

const tw_model tw_model_stm32l4 = {
	.name = "stm32l4",
	.summary = "STM32L4/G0/G4 (RM0351, RM0394, RM0444, RM0440): FLASH_OPTR flash controller, "
		   "option bytes loaded at OBL_LAUNCH/power-on, WRP/PCROP areas, ECC, debug port",
	.magic = {'F', 'K', 'T', 'W', 'L', '4', '\r', '\n'},
	.version = L4_STATE_VERSION,
	.variant_at = l4m_variant_at,
	.create = l4m_create,
	.destroy = l4m_destroy,
	.load = l4m_load,
	.save = l4m_save,
	.dirty = l4m_dirty,
	.mark_clean = l4m_mark_clean,
	.variant_name = l4m_variant_name,
	.new_opts = l4_new_opts,
	.configure = l4_configure,
	.set_option = l4_set_option,
	.option_keys = L4_OPTION_KEYS,
	.event_text = l4m_event_text,
	.show_text = l4_show_text,
	.show_json = l4_show_json,
	.now_ns = l4m_now,
	.advance = l4m_advance,
	.busy_until_ns = l4m_busy_until,
	.reset = l4m_reset,
	.powered = l4m_powered,
	.power_off = l4m_power_off,
	.power_on = l4m_power_on,
	.set_nrst = l4m_set_nrst,
	.nrst = l4m_nrst,
	.voltage_mv = l4m_voltage,
	.fault_power_at_ns = l4m_fault_ns,
	.fault_power_at_op = l4m_fault_op,
	.dap = &l4_port,
	.streams = l4_streams,
	.spi = NULL,
};
