/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F0/F1/F3 (FPEC) chip model behind the generic twin interface (twin/model.h): the
 * table of operations and the ports the family offers — its debug port (SWJ-DP or SW-DP +
 * AHB-AP) and its ROM bootloader (AN3155, an3155.c). Every entry forwards to the model's own API (f1.h), which its unit tests call
 * directly. `new` options and `show` are in configure.c and show.c.
 * Sources: as f1.h; RM0091 §3.3.1 / RM0316 §4.3.1 (level 2 turns the debug port off). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stm32f1/f1_int.h"
#include "stm32f1/model_int.h"

static bool f1m_variant_at(unsigned i, tw_variant_info *out)
{
	const tw_f1_variant *v = tw_f1_variant_at(i);
	if (!v)
		return false;
	*out = (tw_variant_info){
		.name = v->name,
		.family = v->desc,
		.id_name = "DEV_ID",
		.id_key = "dev_id",
		.id = v->dev_id,
		.id_digits = 3,
		.flash_bytes = tw_f1_variant_flash_bytes(v),
	};
	return true;
}

static int f1m_create(fk_ctx *ctx, const char *name, void **m)
{
	const tw_f1_variant *v = tw_f1_variant_find(name);
	if (!v)
		return FK_E_NOT_FOUND;
	*m = tw_f1_new(v);
	return *m ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "out of memory");
}

static void f1m_destroy(void *m) { tw_f1_free(m); }

static int f1m_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_f1 *t = NULL;
	int rc = tw_f1_load_buffer(ctx, name, buf, len, &t);
	*m = t;
	return rc;
}

static int f1m_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_f1_save_buffer(m, buf, len);
}

static bool f1m_dirty(const void *m) { return tw_f1_dirty(m); }
static void f1m_mark_clean(void *m) { ((tw_f1 *)m)->dirty = false; }
static const char *f1m_variant_name(const void *m) { return ((const tw_f1 *)m)->v->name; }

/* When the options reload differs by family (PM0075 §2.5: F1 at every reset; RM0091 §3.3:
 * F0/F3 at a power-on reset or OBL_LAUNCH only). */
static void f1m_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_f1 *t = m;
	unsigned lvl = tw_f1_rdp_level(t);
	bool f1 = t->v->family == TW_F1_FAMILY_F1;
	switch (ev) {
	case TW_EV_CREATED:
		snprintf(buf, n, "RDP 0x%02X (level %u)%s", t->rdp_eff, lvl,
			 tw_f1_opterr(t) ? ", OPTERR" : "");
		return;
	case TW_EV_POWER_CYCLED:
		snprintf(buf, n, "power-on reset: option bytes reloaded (RDP level %u%s), debugger "
				 "latch cleared", lvl, tw_f1_opterr(t) ? ", OPTERR" : "");
		return;
	case TW_EV_RESET:
		snprintf(buf, n, "system reset: %s (RDP level %u), FPEC relocked; debugger latch %s",
			 f1 ? "option bytes reloaded"
			    : "option bytes NOT reloaded (F0/F3: power-on reset or OBL_LAUNCH)",
			 lvl, tw_f1_intrusion(t) ? "still set (needs a power-on reset)" : "clear");
		return;
	}
	if (n)
		buf[0] = '\0';
}

static uint64_t f1m_now(const void *m) { return tw_f1_now_ns(m); }
static void f1m_advance(void *m, uint64_t ns) { tw_f1_advance(m, ns); }

static uint64_t f1m_busy_until(const void *m)
{
	return tw_f1_busy(m) ? tw_f1_busy_until_ns(m) : 0;
}

static void f1m_reset(void *m, tw_reset kind) { tw_f1_reset(m, kind); }
static bool f1m_powered(const void *m) { return tw_f1_powered(m); }
static void f1m_power_off(void *m) { tw_f1_power_off(m); }
static void f1m_power_on(void *m) { tw_f1_power_on(m); }
static void f1m_set_nrst(void *m, bool asserted) { tw_f1_set_nrst(m, asserted); }
static bool f1m_nrst(const void *m) { return tw_f1_nrst(m); }
static int f1m_voltage(const void *m) { return tw_f1_powered(m) ? 3300 : 0; }
static void f1m_fault_ns(void *m, uint64_t ns) { tw_f1_fault_power_at_ns(m, ns); }
static void f1m_fault_op(void *m, unsigned n) { tw_f1_fault_power_at_op(m, n); }

/* ---------------------------------------------------------------- debug port */

static tw_status f1d_read(void *m, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_f1_read(m, TW_INIT_DEBUG, addr, size, val);
}

static tw_status f1d_write(void *m, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_f1_write(m, TW_INIT_DEBUG, addr, size, val);
}

static tw_status f1d_fetch(void *m, uint32_t addr, uint32_t *val)
{
	return tw_f1_read_wait(m, TW_INIT_USER, addr, 4, val);
}

static void f1d_system_reset(void *m) { tw_f1_reset(m, TW_RESET_SYSTEM); }

static bool f1d_reachable(void *m, int core_halted)
{
	(void)core_halted;
	return tw_f1_debug_reachable(m);
}

static void f1d_attach(void *m) { tw_f1_debug_attach(m); }

static int f1d_refusal(void *m, fk_ctx *ctx, const char *path)
{
	const tw_f1 *t = m;
	if (!tw_f1_powered(t)) {
		fk_hint(ctx, "restore power with `flashkey-twin power-cycle %s`", path);
		return fk_fail(ctx, FK_E_NO_POWER, "twin %s: target not powered (0 mV)", path);
	}
	fk_hint(ctx, "RDP level 2 is permanent; only firmware running on the chip can still "
		     "change its flash");
	return fk_fail(ctx, FK_E_DEBUG_DISABLED,
		       "twin %s: debug port disabled: option byte RDP=0xCC (level 2, FLASH_OBR."
		       "RDPRT=11) turns SWD/JTAG off for good (%s)", path,
		       t->v->family == TW_F1_FAMILY_F3 ? "RM0316 §4.3.1" : "RM0091 §3.3.1");
}

static void f1d_bus_error_note(void *m, char *buf, size_t n)
{
	const tw_f1 *t = m;
	if (tw_f1_rdp_level(t) > 0)
		snprintf(buf, n, "the chip is at RDP level %u (RDP byte 0x%02X), which blocks "
				 "debugger access to main flash", tw_f1_rdp_level(t), t->rdp_eff);
	else if (n)
		buf[0] = '\0';
}

/* The variant's DP/AP/CPU IDs (variants.c cites them). AHB-AP IDR: 0x24770011 for
 * Cortex-M3/M4 (probes.md §4.1); Cortex-M0 0x04770021 (UNCONFIRMED: ARM DDI 0432C, not
 * retrieved). */
static const tw_dap_ids *f1d_ids(void *m)
{
	tw_f1 *t = m;
	const tw_f1_variant *v = t->v;
	t->dap_ids = (tw_dap_ids){
		.dpidr_swd = v->dpidr,
		.idcode_jtag = v->jtag_idcode,
		.bs_idcode = v->bs_idcode,
		.ahbap_idr = v->family == TW_F1_FAMILY_F0 ? 0x04770021U : 0x24770011U,
		.cpuid = v->cpuid,
	};
	return &t->dap_ids;
}

static const tw_dap_port f1_dap_port = {
	.read = f1d_read,
	.write = f1d_write,
	.fetch = f1d_fetch,
	.system_reset = f1d_system_reset,
	.reachable = f1d_reachable,
	.attach = f1d_attach,
	.refusal = f1d_refusal,
	.bus_error_note = f1d_bus_error_note,
	.ids = NULL,
	.ids_of = f1d_ids,
};

static const tw_stream_port *const f1_streams[] = {&f1_an3155_port, NULL};

const tw_model tw_model_stm32f1 = {
	.name = "stm32f1",
	.summary = "STM32F0/F1/F3 (PM0075, RM0091, RM0316): FPEC, option bytes, debug port",
	.magic = {'F', 'K', 'T', 'W', 'F', 'P', 'E', 'C'},
	.version = F1_MODEL_STATE_VERSION,
	.variant_at = f1m_variant_at,
	.create = f1m_create,
	.destroy = f1m_destroy,
	.load = f1m_load,
	.save = f1m_save,
	.dirty = f1m_dirty,
	.mark_clean = f1m_mark_clean,
	.variant_name = f1m_variant_name,
	.new_opts = f1_new_opts,
	.configure = f1_configure,
	.set_option = f1_set_option,
	.option_keys = F1_OPTION_KEYS,
	.event_text = f1m_event_text,
	.show_text = f1_show_text,
	.show_json = f1_show_json,
	.now_ns = f1m_now,
	.advance = f1m_advance,
	.busy_until_ns = f1m_busy_until,
	.reset = f1m_reset,
	.powered = f1m_powered,
	.power_off = f1m_power_off,
	.power_on = f1m_power_on,
	.set_nrst = f1m_set_nrst,
	.nrst = f1m_nrst,
	.voltage_mv = f1m_voltage,
	.fault_power_at_ns = f1m_fault_ns,
	.fault_power_at_op = f1m_fault_op,
	.dap = &f1_dap_port,
	.streams = f1_streams,
	.spi = NULL,
};
