/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NXP LPC chip model behind the generic twin interface (twin/model.h): variants lpc1768 and
 * lpc812 (chip.c), state file "FKTWLPC\n" version 1, two ports: the UART ISP ("lpc-isp",
 * isp.c) and the debug port with the IAP modelled by behaviour (debug.c; closed at CRP1 and
 * above, UM10360 §32.6). Sources in lpc.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/lpc_isp_codec.h"
#include "core/core.h"
#include "flashkey/image.h"
#include "lpc/lpc.h"

typedef struct lpm {
	tw_lpc *c;
	uint32_t clean_gen;
	bool touched;
} lpm;

#define LPM_OPTION_KEYS "crp (none|1|2|3|no-isp: the word at 0x2FC), isp_pin (low|high), " \
			"fix_checksum (1: write word 7 so the vector table sums to 0)"

tw_lpc *tw_lpc_of_instance(void *m)
{
	return ((lpm *)m)->c;
}

static bool lpm_variant_at(unsigned i, tw_variant_info *out)
{
	if (i >= tw_lpc_nvariants)
		return false;
	const tw_lpc_variant *v = &tw_lpc_variants[i];
	*out = (tw_variant_info){.name = v->name, .family = v->family, .id_name = "part ID",
				 .id_key = "part_id", .id = v->part_id, .id_digits = 8,
				 .flash_bytes = v->flash_bytes};
	return true;
}

static lpm *lpm_wrap(tw_lpc *c, bool touched)
{
	lpm *s = calloc(1, sizeof *s);
	if (s) {
		s->c = c;
		s->clean_gen = c->gen;
		s->touched = touched;
	}
	return s;
}

static int lpm_create(fk_ctx *ctx, const char *name, void **m)
{
	tw_lpc *c;
	int rc = tw_lpc_create(ctx, name, &c);
	if (rc)
		return rc; /* FK_E_NOT_FOUND silently: the registry tries the next model */
	lpm *s = lpm_wrap(c, true);
	if (!s) {
		tw_lpc_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "creating an LPC twin");
	}
	*m = s;
	return FK_OK;
}

static void lpm_destroy(void *m)
{
	lpm *s = m;
	if (s)
		tw_lpc_free(s->c);
	free(s);
}

static int lpm_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_lpc *c;
	int rc = tw_lpc_load(ctx, name, buf, len, &c);
	if (rc)
		return rc;
	lpm *s = lpm_wrap(c, false);
	if (!s) {
		tw_lpc_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "loading %s", name);
	}
	*m = s;
	return FK_OK;
}

static int lpm_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_lpc_save(((const lpm *)m)->c, buf, len);
}

static bool lpm_dirty(const void *m)
{
	const lpm *s = m;
	return s->touched || s->c->gen != s->clean_gen;
}

static void lpm_mark_clean(void *m)
{
	lpm *s = m;
	s->touched = false;
	s->clean_gen = s->c->gen;
}

static const char *lpm_variant_name(const void *m)
{
	return ((const lpm *)m)->c->v->name;
}

/* ---------------------------------------------------------------- configuration */

static const tw_model_opt lpm_new_opts[] = {
	{"crp", TW_OPT_VALUE, "1|2|3|no-isp", "LPC: Code Read Protection word at 0x2FC (latched at "
					     "the reset that ends `new`)"},
	{"flash", TW_OPT_VALUE, "FILE", "firmware image (bin at 0, HEX, S-record, ELF)"},
	{NULL, 0, NULL, NULL},
};

static int lpm_bad(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " LPM_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

static int lpm_set_crp(lpm *s, fk_ctx *ctx, const char *what, const char *val)
{
	static const struct {
		const char *name;
		uint32_t word;
	} t[] = {{"none", 0xFFFFFFFFU}, {"1", TW_LPC_CRP1_WORD}, {"2", TW_LPC_CRP2_WORD},
		 {"3", TW_LPC_CRP3_WORD}, {"no-isp", TW_LPC_NOISP_WORD}};
	for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(val, t[i].name) == 0) {
			fk_put_le32(s->c->flash + TW_LPC_CRP_ADDR, t[i].word);
			s->touched = true;
			return FK_OK;
		}
	return fk_fail(ctx, FK_E_USAGE, "%s %s: expected none, 1, 2, 3 or no-isp", what, val);
}

static int lpm_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	lpm *s = m;
	const char *eq = strchr(kv, '=');
	if (!eq)
		return lpm_bad(ctx, kv, "expected KEY=VALUE");
	size_t kl = (size_t)(eq - kv);
	const char *val = eq + 1;
	if (kl == 3 && memcmp(kv, "crp", 3) == 0)
		return lpm_set_crp(s, ctx, "--option crp=", val);
	if (kl == 7 && memcmp(kv, "isp_pin", 7) == 0) {
		if (strcmp(val, "low") && strcmp(val, "high"))
			return lpm_bad(ctx, kv, "expected low (ISP requested at reset) or high");
		s->c->isp_pin = strcmp(val, "low") == 0;
		s->touched = true;
		return FK_OK;
	}
	if (kl == 12 && memcmp(kv, "fix_checksum", 12) == 0) {
		if (strcmp(val, "1"))
			return lpm_bad(ctx, kv, "expected 1");
		fk_put_le32(s->c->flash + 0x1C, lpc_vector_checksum(s->c->flash));
		s->touched = true;
		return FK_OK;
	}
	return lpm_bad(ctx, kv, "unknown key");
}

static int lpm_flash(lpm *s, fk_ctx *ctx, const char *path)
{
	fk_image_load_opts lo = {FK_IMAGE_AUTO, 0};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		if ((uint64_t)sg->addr + sg->len > s->c->v->flash_bytes) {
			rc = fk_fail(ctx, FK_E_RANGE, "--flash %s: data up to 0x%llX is beyond the "
				     "%u KiB flash of the %s", path,
				     (unsigned long long)sg->addr + sg->len - 1,
				     s->c->v->flash_bytes / 1024, s->c->v->name);
			break;
		}
		memcpy(s->c->flash + sg->addr, sg->data, sg->len);
	}
	fk_image_free(img);
	s->touched = true;
	return rc;
}

/* `new`: --flash, then --crp (the word in flash), then each --option, then the reset at which
 * the boot ROM latches CRP and picks ISP or user code (§32.3.1, §32.6). */
static int lpm_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	lpm *s = m;
	int rc = FK_OK;
	const char *v = a->get(a, "flash", 0);
	if (v)
		rc = lpm_flash(s, ctx, v);
	if (!rc && (v = a->get(a, "crp", 0)))
		rc = lpm_set_crp(s, ctx, "--crp", v);
	for (unsigned i = 0; !rc && (v = a->get(a, "option", i)); i++)
		rc = lpm_set_option(s, ctx, v);
	if (!rc)
		tw_lpc_reset(s->c);
	return rc;
}

static const char *lpm_mode_text(const tw_lpc *c)
{
	switch (c->mode) {
	case TW_LPC_MODE_ISP: return "ISP command handler";
	case TW_LPC_MODE_USER: return "user code";
	default: return "held in reset";
	}
}

static void lpm_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_lpc *c = ((const lpm *)m)->c;
	char state[160];
	snprintf(state, sizeof state, "CRP %s (0x2FC = 0x%08X), %s user code, boot: %s",
		 tw_lpc_crp_name(c->crp), tw_lpc_flash_word(c, TW_LPC_CRP_ADDR),
		 tw_lpc_user_code_valid(c) ? "valid" : "no valid", lpm_mode_text(c));
	switch (ev) {
	case TW_EV_CREATED: snprintf(buf, n, "%s", state); return;
	case TW_EV_POWER_CYCLED: snprintf(buf, n, "power cycle: boot ROM ran; %s", state); return;
	case TW_EV_RESET: snprintf(buf, n, "reset: boot ROM ran; %s", state); return;
	}
	if (n)
		buf[0] = '\0';
}

/* ---------------------------------------------------------------- description */

static unsigned lpm_used_sectors(const tw_lpc *c, char *buf, size_t n)
{
	unsigned used = 0;
	buf[0] = '\0';
	for (unsigned s = 0; s < c->v->nsectors; s++) {
		uint32_t a = tw_lpc_sector_start(c->v, s), z = tw_lpc_sector_size(c->v, s);
		for (uint32_t i = 0; i < z; i++)
			if (c->flash[a + i] != 0xFF) {
				size_t l = strlen(buf);
				snprintf(buf + l, n - l, "%s%u", used ? " " : "", s);
				used++;
				break;
			}
	}
	return used;
}

static void lpm_show_text(const void *m, const char *path, FILE *out)
{
	const tw_lpc *c = ((const lpm *)m)->c;
	char used[160];
	unsigned nu = lpm_used_sectors(c, used, sizeof used);
	fprintf(out, "twin %s: %s (%s), part ID 0x%08X, boot code %u.%u\n", path, c->v->part,
		c->v->family, c->v->part_id, c->v->boot_major, c->v->boot_minor);
	fprintf(out, "flash: %u KiB in %u sectors, %u not blank%s%s\n", c->v->flash_bytes / 1024,
		c->v->nsectors, nu, nu ? ": " : "", used);
	fprintf(out, "CRP word at 0x2FC: 0x%08X (%s); level latched at the last reset: %s\n",
		tw_lpc_flash_word(c, TW_LPC_CRP_ADDR),
		tw_lpc_crp_name(tw_lpc_crp_of_word(tw_lpc_flash_word(c, TW_LPC_CRP_ADDR))),
		tw_lpc_crp_name(c->crp));
	fprintf(out, "user code: %s (vector checksum word 7 = 0x%08X)\n",
		tw_lpc_user_code_valid(c) ? "valid" : "not valid", tw_lpc_flash_word(c, 0x1C));
	fprintf(out, "running: %s; ISP pin %s, RESET %s, power %s\n", lpm_mode_text(c),
		c->isp_pin ? "low (ISP requested)" : "high", c->reset_pin ? "low" : "high",
		c->powered ? "on" : "off");
	fprintf(out, "ports: stream lpc-isp, debug (%s; closed at CRP1-3); virtual time %llu ns; "
		"%u erases, %u programs, %u IAP calls\n", c->v->jtag_idcode ? "SWD/JTAG" : "SWD",
		(unsigned long long)c->now_ns, c->erases, c->programs, c->iap_calls);
}

static void lpm_show_json(const void *m, const char *path, const tw_json *j)
{
	const tw_lpc *c = ((const lpm *)m)->c;
	char used[160];
	j->obj_begin(j->h);
	tw_json_kv_str(j, "path", path);
	tw_json_kv_str(j, "model", "lpc");
	tw_json_kv_str(j, "chip", c->v->name);
	tw_json_kv_str(j, "part", c->v->part);
	tw_json_kv_hex(j, "part_id", c->v->part_id, 8);
	tw_json_kv_uint(j, "flash_bytes", c->v->flash_bytes);
	tw_json_kv_uint(j, "sectors", c->v->nsectors);
	tw_json_kv_uint(j, "sectors_not_blank", lpm_used_sectors(c, used, sizeof used));
	tw_json_kv_hex(j, "crp_word", tw_lpc_flash_word(c, TW_LPC_CRP_ADDR), 8);
	tw_json_kv_str(j, "crp_latched", tw_lpc_crp_name(c->crp));
	tw_json_kv_bool(j, "user_code_valid", tw_lpc_user_code_valid(c));
	tw_json_kv_str(j, "mode", c->mode == TW_LPC_MODE_ISP ? "isp"
				  : c->mode == TW_LPC_MODE_USER ? "user" : "reset");
	tw_json_kv_bool(j, "isp_pin_low", c->isp_pin);
	tw_json_kv_bool(j, "powered", c->powered);
	tw_json_kv_uint(j, "virtual_ns", c->now_ns);
	tw_json_kv_uint(j, "erases", c->erases);
	tw_json_kv_uint(j, "programs", c->programs);
	j->obj_end(j->h);
}

/* ---------------------------------------------------------------- clock, power, pins */

static uint64_t lpm_now(const void *m)
{
	return ((const lpm *)m)->c->now_ns;
}

static void lpm_advance(void *m, uint64_t ns)
{
	tw_lpc_advance(((lpm *)m)->c, ns);
}

static uint64_t lpm_busy_until(const void *m)
{
	(void)m;
	return 0; /* the ISP answers only when E/C are done: their time is charged at once */
}

static void lpm_reset(void *m, tw_reset kind)
{
	(void)kind; /* POR and RESET run the same boot ROM decision (§32.3.1) */
	lpm *s = m;
	s->c->reset_pin = false;
	tw_lpc_reset(s->c);
	s->touched = true;
}

static bool lpm_powered(const void *m)
{
	return ((const lpm *)m)->c->powered;
}

static void lpm_power_off(void *m)
{
	lpm *s = m;
	s->c->powered = false;
	tw_lpc_reset(s->c);
}

static void lpm_power_on(void *m)
{
	lpm *s = m;
	s->c->powered = true;
	tw_lpc_reset(s->c);
}

static void lpm_set_nrst(void *m, bool asserted)
{
	lpm *s = m;
	bool was = s->c->reset_pin;
	s->c->reset_pin = asserted;
	if (asserted || was)
		tw_lpc_reset(s->c);
}

static bool lpm_nrst(const void *m)
{
	return ((const lpm *)m)->c->reset_pin;
}

static int lpm_voltage(const void *m)
{
	return lpm_powered(m) ? 3300 : 0; /* UNCONFIRMED: no supply model, 3.3 V nominal */
}

static const tw_stream_port *const lpm_streams[] = {&tw_lpc_isp_port, NULL};

const tw_model tw_model_lpc = {
	.name = "lpc",
	.summary = "NXP LPC1768 / LPC812 (UM10360, UM10601): flash sectors, Code Read Protection, "
		   "UART ISP boot ROM",
	.magic = {'F', 'K', 'T', 'W', 'L', 'P', 'C', '\n'},
	.version = 1,
	.variant_at = lpm_variant_at,
	.create = lpm_create,
	.destroy = lpm_destroy,
	.load = lpm_load,
	.save = lpm_save,
	.dirty = lpm_dirty,
	.mark_clean = lpm_mark_clean,
	.variant_name = lpm_variant_name,
	.new_opts = lpm_new_opts,
	.configure = lpm_configure,
	.set_option = lpm_set_option,
	.option_keys = LPM_OPTION_KEYS,
	.event_text = lpm_event_text,
	.show_text = lpm_show_text,
	.show_json = lpm_show_json,
	.now_ns = lpm_now,
	.advance = lpm_advance,
	.busy_until_ns = lpm_busy_until,
	.reset = lpm_reset,
	.powered = lpm_powered,
	.power_off = lpm_power_off,
	.power_on = lpm_power_on,
	.set_nrst = lpm_set_nrst,
	.nrst = lpm_nrst,
	.voltage_mv = lpm_voltage,
	.dap = &tw_lpc_dap_port,
	.streams = lpm_streams,
	.spi = NULL,
};
