/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LPC55S69 chip model behind the generic twin interface (twin/model.h): variant lpc55s69,
 * state file "FKTWL55\n" version 1, one port: the debug port (SW-DP, AHB-AP at AP 0 that the
 * CMPA policy opens or closes, the debug mailbox at AP 2; AP 1, the second core's AP, is not
 * modelled and reads as absent). No ROM stream: the ISP (MCUboot/blhost) is not modelled.
 * Sources in lpc55.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "flashkey/image.h"
#include "lpc55/lpc55.h"

typedef struct l55m {
	tw_l55 *c;
	uint32_t clean_gen;
	bool touched;
} l55m;

#define L55M_OPTION_KEYS "debug (open|closed|closed-no-erase|sealed: the CMPA policy), " \
			 "dm_fault (none|mute|bad-ack|wrong-idr), " \
			 "app_debug (on|off: the application closes debug when it runs)"

/* [NXP-DPID]: DPIDR 0x6BA02477, a Cortex-M33 (part 0xD21). UNCONFIRMED: the revision in
 * CPUID (r0p4 chosen), the JTAG IDCODE (0x6BA00477, the SWD one with the JTAG designer
 * bits) and the AHB-AP IDR (0x84770001, Arm's AHB5-AP of the Cortex-M33). */
static const tw_dap_ids l55m_ids = {
	.dpidr_swd = 0x6BA02477U,
	.idcode_jtag = 0x6BA00477U,
	.bs_idcode = 0,
	.ahbap_idr = 0x84770001U,
	.cpuid = 0x410FD214U,
	.core_hz = 12000000U, /* UNCONFIRMED: the 12 MHz FRO out of reset */
};

tw_l55 *tw_l55_of_instance(void *m)
{
	return ((l55m *)m)->c;
}

static bool l55m_variant_at(unsigned i, tw_variant_info *out)
{
	if (i)
		return false;
	*out = (tw_variant_info){.name = "lpc55s69", .family = "LPC55S6x", .id_name = "DPIDR",
				 .id_key = "dpidr", .id = l55m_ids.dpidr_swd, .id_digits = 8,
				 .flash_bytes = TW_L55_FLASH_BYTES};
	return true;
}

static l55m *l55m_wrap(tw_l55 *c, bool touched)
{
	l55m *s = calloc(1, sizeof *s);
	if (s) {
		s->c = c;
		s->clean_gen = c->gen;
		s->touched = touched;
	}
	return s;
}

static int l55m_create(fk_ctx *ctx, const char *name, void **m)
{
	tw_l55 *c;
	int rc = tw_l55_create(ctx, name, &c);
	if (rc)
		return rc; /* FK_E_NOT_FOUND silently: the registry tries the next model */
	l55m *s = l55m_wrap(c, true);
	if (!s) {
		tw_l55_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "creating an LPC55S69 twin");
	}
	*m = s;
	return FK_OK;
}

static void l55m_destroy(void *m)
{
	l55m *s = m;
	if (s)
		tw_l55_free(s->c);
	free(s);
}

static int l55m_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_l55 *c;
	int rc = tw_l55_load(ctx, name, buf, len, &c);
	if (rc)
		return rc;
	l55m *s = l55m_wrap(c, false);
	if (!s) {
		tw_l55_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "loading %s", name);
	}
	*m = s;
	return FK_OK;
}

static int l55m_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_l55_save(((const l55m *)m)->c, buf, len);
}

static bool l55m_dirty(const void *m)
{
	const l55m *s = m;
	return s->touched || s->c->gen != s->clean_gen;
}

static void l55m_mark_clean(void *m)
{
	l55m *s = m;
	s->touched = false;
	s->clean_gen = s->c->gen;
}

static const char *l55m_variant_name(const void *m)
{
	(void)m;
	return "lpc55s69";
}

/* ---------------------------------------------------------------- configuration */

static const tw_model_opt l55m_new_opts[] = {
	{"debug", TW_OPT_VALUE, "open|closed|closed-no-erase|sealed",
	 "LPC55S69: debug policy in the CMPA page (open = CMPA blank; closed = debug off until "
	 "debug authentication, mailbox mass erase allowed; closed-no-erase = mass erase off too; "
	 "sealed = PIN=1 DFLT=0, off for good)"},
	{"flash", TW_OPT_VALUE, "FILE", "firmware image (bin at 0, HEX, S-record, ELF)"},
	{NULL, 0, NULL, NULL},
};

static int l55m_bad(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " L55M_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

/* [SPSDK-PFR] PIN/DFLT pairs: open = blank CMPA; closed = every debug bit PIN=0 DFLT=0
 * (authentication can open it) with FA_ME_CMD_EN PIN=1 DFLT=1 (mass erase always allowed);
 * closed-no-erase = FA_ME_CMD_EN PIN=0 DFLT=0 too; sealed = every bit PIN=1 DFLT=0. */
static int l55m_set_debug(l55m *s, fk_ctx *ctx, const char *what, const char *val)
{
	uint16_t all = TW_L55_SOCU_DEBUG_BITS | TW_L55_SOCU_FA_ME_CMD_EN | (1U << 6);
	if (strcmp(val, "open") == 0)
		tw_l55_set_policy(s->c, true, 0, 0);
	else if (strcmp(val, "closed") == 0)
		tw_l55_set_policy(s->c, false, TW_L55_SOCU_FA_ME_CMD_EN, TW_L55_SOCU_FA_ME_CMD_EN);
	else if (strcmp(val, "closed-no-erase") == 0)
		tw_l55_set_policy(s->c, false, 0, 0);
	else if (strcmp(val, "sealed") == 0)
		tw_l55_set_policy(s->c, false, all, 0);
	else
		return fk_fail(ctx, FK_E_USAGE, "%s %s: expected open, closed, closed-no-erase or "
				"sealed", what, val);
	s->touched = true;
	return FK_OK;
}

static int l55m_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	l55m *s = m;
	const char *eq = strchr(kv, '=');
	if (!eq)
		return l55m_bad(ctx, kv, "expected KEY=VALUE");
	size_t kl = (size_t)(eq - kv);
	const char *val = eq + 1;
	if (kl == 5 && memcmp(kv, "debug", 5) == 0)
		return l55m_set_debug(s, ctx, "--option debug=", val);
	if (kl == 8 && memcmp(kv, "dm_fault", 8) == 0) {
		if (strcmp(val, "none") == 0)
			s->c->fault = TW_L55_FAULT_NONE;
		else if (strcmp(val, "mute") == 0)
			s->c->fault = TW_L55_FAULT_MUTE;
		else if (strcmp(val, "bad-ack") == 0)
			s->c->fault = TW_L55_FAULT_BAD_ACK;
		else if (strcmp(val, "wrong-idr") == 0)
			s->c->fault = TW_L55_FAULT_WRONG_IDR;
		else
			return l55m_bad(ctx, kv, "expected none, mute, bad-ack or wrong-idr");
		s->touched = true;
		return FK_OK;
	}
	if (kl == 9 && memcmp(kv, "app_debug", 9) == 0) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return l55m_bad(ctx, kv, "expected on or off");
		s->c->app_closes_debug = strcmp(val, "off") == 0;
		s->touched = true;
		return FK_OK;
	}
	return l55m_bad(ctx, kv, "unknown key");
}

static int l55m_flash(l55m *s, fk_ctx *ctx, const char *path)
{
	fk_image_load_opts lo = {FK_IMAGE_AUTO, 0};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		if ((uint64_t)sg->addr + sg->len > TW_L55_USER_BYTES) {
			rc = fk_fail(ctx, FK_E_RANGE, "--flash %s: data up to 0x%llX is beyond the "
				     "608 KiB of user flash (0x0-0x97FFF)", path,
				     (unsigned long long)sg->addr + sg->len - 1);
			break;
		}
		tw_l55_load_image(s->c, sg->addr, sg->data, (uint32_t)sg->len);
	}
	fk_image_free(img);
	s->touched = true;
	return rc;
}

/* `new`: --flash, then --debug (the CMPA page), then each --option, then the power-on reset at
 * which the boot ROM reads the policy and looks for an image. */
static int l55m_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	l55m *s = m;
	int rc = FK_OK;
	const char *v = a->get(a, "flash", 0);
	if (v)
		rc = l55m_flash(s, ctx, v);
	if (!rc && (v = a->get(a, "debug", 0)))
		rc = l55m_set_debug(s, ctx, "--debug", v);
	for (unsigned i = 0; !rc && (v = a->get(a, "option", i)); i++)
		rc = l55m_set_option(s, ctx, v);
	if (!rc) {
		s->c->dm_csw = 0;
		tw_l55_reset(s->c, false);
	}
	return rc;
}

static const char *l55m_policy_text(const tw_l55 *c)
{
	if (tw_l55_cmpa_blank(c))
		return "CMPA blank: debug open";
	switch (tw_l55_level_of(c, TW_L55_SOCU_DBGEN)) {
	case TW_L55_OPEN: return "CMPA: debug enabled";
	case TW_L55_AUTH: return "CMPA: debug closed (authentication can open it)";
	case TW_L55_PERMANENT: return "CMPA: debug closed for good";
	default: return "CMPA: illegal debug setting";
	}
}

static void l55m_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_l55 *c = ((const l55m *)m)->c;
	char state[200];
	snprintf(state, sizeof state, "%s; mass erase by mailbox %s; %s; AHB-AP %s",
		 l55m_policy_text(c),
		 tw_l55_level_of(c, TW_L55_SOCU_FA_ME_CMD_EN) == TW_L55_OPEN ? "allowed"
									      : "refused",
		 c->in_isp ? "no valid image (ISP)" : "image boots",
		 c->dbg_open ? "open" : "closed");
	switch (ev) {
	case TW_EV_CREATED: snprintf(buf, n, "%s", state); return;
	case TW_EV_POWER_CYCLED: snprintf(buf, n, "power cycle: boot ROM ran; %s", state); return;
	case TW_EV_RESET: snprintf(buf, n, "reset: boot ROM ran; %s", state); return;
	}
	if (n)
		buf[0] = '\0';
}

/* ---------------------------------------------------------------- description */

static uint32_t l55m_word(const tw_l55 *c, uint32_t a)
{
	return c->page_prog[a / TW_L55_PAGE] ? fk_get_le32(c->flash + a) : 0;
}

static void l55m_show_text(const void *m, const char *path, FILE *out)
{
	const tw_l55 *c = ((const l55m *)m)->c;
	fprintf(out, "twin %s: LPC55S69 (LPC55S6x), DPIDR 0x%08X, debug mailbox at AP 2 (IDR "
		"0x%08X)\n", path, l55m_ids.dpidr_swd, TW_L55_DM_IDR);
	fprintf(out, "flash: 640 KiB, user 0x0-0x97FFF: %u of %u pages programmed (erased pages "
		"fault when read)\n", tw_l55_pages_programmed(c, 0, TW_L55_USER_BYTES),
		TW_L55_USER_BYTES / TW_L55_PAGE);
	fprintf(out, "CMPA at 0x%05X: DCFG_CC_SOCU_PIN 0x%08X, DFLT 0x%08X (%s)\n", TW_L55_CMPA,
		l55m_word(c, TW_L55_CMPA_PIN), l55m_word(c, TW_L55_CMPA_DFLT),
		tw_l55_cmpa_blank(c) ? "blank" : "programmed");
	fprintf(out, "policy: debug (DBGEN) %s; mailbox mass erase (FA_ME_CMD_EN) %s\n",
		tw_l55_level_name(tw_l55_level_of(c, TW_L55_SOCU_DBGEN)),
		tw_l55_level_name(tw_l55_level_of(c, TW_L55_SOCU_FA_ME_CMD_EN)));
	fprintf(out, "boot: %s%s; AHB-AP %s; mailbox %s\n",
		c->in_isp ? "no valid image, ROM in ISP" : "image",
		c->app_closes_debug ? " (the application closes debug)" : "",
		c->dbg_open ? "open" : "closed", tw_l55_dm_name(c->dm));
	fprintf(out, "ports: dap (SW-DP, AP 0 AHB-AP, AP 2 DM-AP); power %s; virtual time %llu ns; "
		"%u mass erases, %u mailbox commands\n", c->powered ? "on" : "off",
		(unsigned long long)c->now_ns, c->mass_erases, c->dm_commands);
}

static void l55m_show_json(const void *m, const char *path, const tw_json *j)
{
	const tw_l55 *c = ((const l55m *)m)->c;
	j->obj_begin(j->h);
	tw_json_kv_str(j, "path", path);
	tw_json_kv_str(j, "model", "lpc55");
	tw_json_kv_str(j, "chip", "lpc55s69");
	tw_json_kv_hex(j, "dpidr", l55m_ids.dpidr_swd, 8);
	tw_json_kv_hex(j, "dm_ap_idr", TW_L55_DM_IDR, 8);
	tw_json_kv_uint(j, "flash_bytes", TW_L55_FLASH_BYTES);
	tw_json_kv_uint(j, "pages_programmed", tw_l55_pages_programmed(c, 0, TW_L55_USER_BYTES));
	tw_json_kv_bool(j, "cmpa_blank", tw_l55_cmpa_blank(c));
	tw_json_kv_hex(j, "cc_socu_pin", l55m_word(c, TW_L55_CMPA_PIN), 8);
	tw_json_kv_hex(j, "cc_socu_dflt", l55m_word(c, TW_L55_CMPA_DFLT), 8);
	tw_json_kv_str(j, "debug_policy",
		       tw_l55_level_name(tw_l55_level_of(c, TW_L55_SOCU_DBGEN)));
	tw_json_kv_str(j, "mass_erase_policy",
		       tw_l55_level_name(tw_l55_level_of(c, TW_L55_SOCU_FA_ME_CMD_EN)));
	tw_json_kv_bool(j, "ahb_ap_open", c->dbg_open);
	tw_json_kv_bool(j, "in_isp", c->in_isp);
	tw_json_kv_bool(j, "app_closes_debug", c->app_closes_debug);
	tw_json_kv_str(j, "mailbox", tw_l55_dm_name(c->dm));
	tw_json_kv_bool(j, "powered", c->powered);
	tw_json_kv_uint(j, "virtual_ns", c->now_ns);
	tw_json_kv_uint(j, "mass_erases", c->mass_erases);
	tw_json_kv_uint(j, "mailbox_commands", c->dm_commands);
	j->obj_end(j->h);
}

/* ---------------------------------------------------------------- clock, power, pins */

static uint64_t l55m_now(const void *m) { return ((const l55m *)m)->c->now_ns; }
static void l55m_advance(void *m, uint64_t ns) { tw_l55_advance(((l55m *)m)->c, ns); }

static uint64_t l55m_busy_until(const void *m)
{
	const tw_l55 *c = ((const l55m *)m)->c;
	return c->dm == TW_L55_DM_BUSY && c->t_ready != UINT64_MAX ? c->t_ready : 0;
}

static void l55m_reset(void *m, tw_reset kind)
{
	l55m *s = m;
	if (kind == TW_RESET_POWER_ON)
		s->c->dm_csw = 0; /* [SPSDK-DM]: the DM itself is reset only by POR/BOD */
	s->c->nrst_low = false;
	tw_l55_reset(s->c, false);
	s->touched = true;
}

static bool l55m_powered(const void *m) { return ((const l55m *)m)->c->powered; }

static void l55m_power_off(void *m)
{
	l55m *s = m;
	s->c->powered = false;
	tw_l55_reset(s->c, false);
}

static void l55m_power_on(void *m)
{
	l55m *s = m;
	s->c->powered = true;
	s->c->dm_csw = 0;
	tw_l55_reset(s->c, false);
}

static void l55m_set_nrst(void *m, bool asserted)
{
	l55m *s = m;
	bool was = s->c->nrst_low;
	s->c->nrst_low = asserted;
	if (asserted || was)
		tw_l55_reset(s->c, false); /* a pending RESYNCH_REQ is seen by the ROM */
}

static bool l55m_nrst(const void *m) { return ((const l55m *)m)->c->nrst_low; }

static int l55m_voltage(const void *m)
{
	return l55m_powered(m) ? 3300 : 0; /* UNCONFIRMED: no supply model, 3.3 V nominal */
}

/* ---------------------------------------------------------------- debug port */

static tw_status l55d_read(void *m, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_l55_read(((l55m *)m)->c, TW_INIT_DEBUG, addr, size, val);
}

static tw_status l55d_write(void *m, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_l55_write(((l55m *)m)->c, TW_INIT_DEBUG, addr, size, val);
}

static tw_status l55d_fetch(void *m, uint32_t addr, uint32_t *val)
{
	return tw_l55_read(((l55m *)m)->c, TW_INIT_USER, addr, 4, val);
}

static void l55d_system_reset(void *m)
{
	tw_l55_reset(((l55m *)m)->c, false);
}

/* The SW-DP answers whenever the chip is powered: the debug mailbox must stay reachable when
 * the CMPA closes debug ([PYOCD]: "the debugger mailbox should always be present"). */
static bool l55d_reachable(void *m, int core_halted)
{
	(void)core_halted;
	return ((l55m *)m)->c->powered;
}

static void l55d_attach(void *m) { (void)m; }

static int l55d_refusal(void *m, fk_ctx *ctx, const char *path)
{
	(void)m;
	fk_hint(ctx, "restore power with `flashkey-twin power-cycle %s`", path);
	return fk_fail(ctx, FK_E_NO_POWER, "twin %s: target not powered (0 mV)", path);
}

static void l55d_bus_error_note(void *m, char *buf, size_t n)
{
	const tw_l55 *c = ((l55m *)m)->c;
	if (!c->dbg_open)
		snprintf(buf, n, "the AHB-AP is closed (%s%s); the debug mailbox at AP 2 still "
				 "answers", l55m_policy_text(c),
			 c->in_isp ? ", no valid image: START_DBG_SESSION opens it" : "");
	else
		snprintf(buf, n, "erased LPC55 flash pages fault when read");
}

static tw_status l55d_ap_access(void *m, uint8_t apsel, uint8_t reg, bool rnw, uint32_t *val)
{
	if (apsel != TW_L55_DM_APSEL) { /* AP 1 (CPU1) and the rest: not modelled, absent */
		if (rnw)
			*val = 0;
		return TW_OK;
	}
	return tw_l55_dm_access(((l55m *)m)->c, reg, rnw, val);
}

static bool l55d_device_en(void *m)
{
	return ((l55m *)m)->c->dbg_open;
}

static const tw_dap_port l55_port = {
	.read = l55d_read,
	.write = l55d_write,
	.fetch = l55d_fetch,
	.system_reset = l55d_system_reset,
	.reachable = l55d_reachable,
	.attach = l55d_attach,
	.refusal = l55d_refusal,
	.bus_error_note = l55d_bus_error_note,
	.ids = &l55m_ids,
	.ids_of = NULL,
	.ap_access = l55d_ap_access,
	.device_en = l55d_device_en,
};

const tw_model tw_model_lpc55 = {
	.name = "lpc55",
	.summary = "NXP LPC55S69 (UM11126 via spsdk/pyOCD): CMPA debug policy, AHB-AP, debug "
		   "mailbox (DM-AP) with mass erase",
	.magic = {'F', 'K', 'T', 'W', 'L', '5', '5', '\n'},
	.version = 1,
	.variant_at = l55m_variant_at,
	.create = l55m_create,
	.destroy = l55m_destroy,
	.load = l55m_load,
	.save = l55m_save,
	.dirty = l55m_dirty,
	.mark_clean = l55m_mark_clean,
	.variant_name = l55m_variant_name,
	.new_opts = l55m_new_opts,
	.configure = l55m_configure,
	.set_option = l55m_set_option,
	.option_keys = L55M_OPTION_KEYS,
	.event_text = l55m_event_text,
	.show_text = l55m_show_text,
	.show_json = l55m_show_json,
	.now_ns = l55m_now,
	.advance = l55m_advance,
	.busy_until_ns = l55m_busy_until,
	.reset = l55m_reset,
	.powered = l55m_powered,
	.power_off = l55m_power_off,
	.power_on = l55m_power_on,
	.set_nrst = l55m_set_nrst,
	.nrst = l55m_nrst,
	.voltage_mv = l55m_voltage,
	.dap = &l55_port,
	.streams = NULL,
	.spi = NULL,
};
