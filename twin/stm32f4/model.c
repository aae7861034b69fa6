/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 chip model behind the generic twin interface (twin/model.h): the table of
 * operations and the ports the F4 offers — its debug port (SWJ-DP + AHB-AP with a Cortex-M4
 * r0p1) and its ROM bootloader's USART (AN3155). Every entry forwards to the model's own API
 * (f4.h), which stays the F4's internal interface (unit tests call it directly).
 * Sources: as f4.h; RM0090 §3.7.3 (what RDP level 1 and 2 do to the debug port). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stm32f4/an3155_server.h"
#include "stm32f4/f4_int.h"
#include "stm32f4/model_int.h"

/* ---------------------------------------------------------------- variants, life cycle */

static bool f4m_variant_at(unsigned i, tw_variant_info *out)
{
	const tw_f4_variant *v = tw_f4_variant_at(i);
	if (!v)
		return false;
	*out = (tw_variant_info){
		.name = tw_f4_variant_name(v),
		.family = tw_f4_variant_family(v),
		.id_name = "DEV_ID",
		.id_key = "dev_id",
		.id = tw_f4_variant_dev_id(v),
		.id_digits = 3,
		.flash_bytes = tw_f4_variant_flash_bytes(v),
	};
	return true;
}

static int f4m_create(fk_ctx *ctx, const char *name, void **m)
{
	const tw_f4_variant *v = tw_f4_variant_find(name);
	if (!v)
		return FK_E_NOT_FOUND;
	*m = tw_f4_new(v);
	return *m ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "out of memory");
}

static void f4m_destroy(void *m)
{
	tw_f4_free(m);
}

static int f4m_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_f4 *t = NULL;
	int rc = tw_f4_load_buffer(ctx, name, buf, len, &t);
	*m = t;
	return rc;
}

static int f4m_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_f4_save_buffer(m, buf, len);
}

static bool f4m_dirty(const void *m)
{
	return tw_f4_dirty(m);
}

static void f4m_mark_clean(void *m)
{
	((tw_f4 *)m)->dirty = false;
}

static const char *f4m_variant_name(const void *m)
{
	return tw_f4_variant_name(tw_f4_variant_of(m));
}

static void f4m_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_f4 *t = m;
	unsigned lvl = tw_f4_rdp_level(t);
	switch (ev) {
	case TW_EV_CREATED:
		snprintf(buf, n, "RDP 0x%02X (level %u)", (tw_f4_option_word(t, 0) >> 8) & 0xFFU,
			 lvl);
		return;
	case TW_EV_POWER_CYCLED:
		snprintf(buf, n, "power-on reset: option bytes reloaded (RDP level %u), intrusion "
				 "latch cleared", lvl);
		return;
	case TW_EV_RESET:
		snprintf(buf, n, "system reset: option bytes reloaded (RDP level %u), controller "
				 "relocked; intrusion latch %s", lvl,
			 tw_f4_intrusion(t) ? "still set (needs a power-on reset)" : "clear");
		return;
	}
	buf[0] = '\0';
}

/* ---------------------------------------------------------------- clock, power, pins */

static uint64_t f4m_now(const void *m)
{
	return tw_f4_now_ns(m);
}

static void f4m_advance(void *m, uint64_t ns)
{
	tw_f4_advance(m, ns);
}

static uint64_t f4m_busy_until(const void *m)
{
	return tw_f4_busy(m) ? tw_f4_busy_until_ns(m) : 0;
}

static void f4m_reset(void *m, tw_reset kind)
{
	tw_f4_reset(m, kind);
}

static bool f4m_powered(const void *m)
{
	return tw_f4_powered(m);
}

static void f4m_power_off(void *m)
{
	tw_f4_power_off(m);
}

static void f4m_power_on(void *m)
{
	tw_f4_power_on(m);
}

static void f4m_set_nrst(void *m, bool asserted)
{
	tw_f4_set_nrst(m, asserted);
}

static bool f4m_nrst(const void *m)
{
	return tw_f4_nrst(m);
}

static int f4m_voltage(const void *m)
{
	return tw_f4_voltage_mv(m);
}

static void f4m_fault_ns(void *m, uint64_t ns)
{
	tw_f4_fault_power_at_ns(m, ns);
}

static void f4m_fault_op(void *m, unsigned n)
{
	tw_f4_fault_power_at_op(m, n);
}

/* ---------------------------------------------------------------- debug port */

static tw_status f4d_read(void *m, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_f4_read(m, TW_INIT_DEBUG, addr, size, val);
}

static tw_status f4d_write(void *m, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_f4_write(m, TW_INIT_DEBUG, addr, size, val);
}

/* The core's own fetch waits out a busy flash as the AHB stalls the core. */
static tw_status f4d_fetch(void *m, uint32_t addr, uint32_t *val)
{
	return tw_f4_read_wait(m, TW_INIT_USER, addr, 4, val);
}

static void f4d_system_reset(void *m)
{
	tw_f4_reset(m, TW_RESET_SYSTEM);
}

/* RM0090 §3.7.3: JTAG/SWD disabled at level 2; firmware that repurposes PA13/PA14 has not run
 * while NRST is held or the core is halted. */
static bool f4d_reachable(void *m, int core_halted)
{
	const tw_f4 *t = m;
	if (core_halted < 0)
		return tw_f4_debug_reachable(t); /* halted: from DHCSR as the model keeps it */
	if (!tw_f4_powered(t) || tw_f4_rdp_level(t) == 2)
		return false;
	return !tw_f4_swd_repurposed(t) || tw_f4_nrst(t) || core_halted;
}

static void f4d_attach(void *m)
{
	tw_f4_debug_attach(m);
}

static int f4d_refusal(void *m, fk_ctx *ctx, const char *path)
{
	const tw_f4 *t = m;
	if (!tw_f4_powered(t)) {
		fk_hint(ctx, "restore power with `flashkey-twin power-cycle %s`", path);
		return fk_fail(ctx, FK_E_NO_POWER, "twin %s: target not powered (0 mV)", path);
	}
	if (tw_f4_rdp_level(t) == 2) {
		fk_hint(ctx, "RDP level 2 is permanent; only firmware running on the chip or its "
			     "own update path can still change flash");
		return fk_fail(ctx, FK_E_DEBUG_DISABLED,
			       "twin %s: debug port disabled: FLASH_OPTCR.RDP=0xCC (level 2) turns "
			       "JTAG/SWD off for good (RM0090 §3.7.3)", path);
	}
	fk_hint(ctx, "connect under reset (hold NRST while attaching): --connect under-reset");
	return fk_fail(ctx, FK_E_DEBUG_DISABLED,
		       "twin %s: debug port unreachable: the firmware has repurposed the SWD pins "
		       "(PA13/PA14)", path);
}

static void f4d_bus_error_note(void *m, char *buf, size_t n)
{
	unsigned lvl = tw_f4_rdp_level(m);
	if (lvl > 0)
		snprintf(buf, n, "the chip is at RDP level %u, which blocks debugger access to "
				 "flash, backup SRAM and OTP", lvl);
	else if (n)
		buf[0] = '\0';
}

static const tw_dap_port f4_dap_port = {
	.read = f4d_read,
	.write = f4d_write,
	.fetch = f4d_fetch,
	.system_reset = f4d_system_reset,
	.reachable = f4d_reachable,
	.attach = f4d_attach,
	.refusal = f4d_refusal,
	.bus_error_note = f4d_bus_error_note,
	.ids = NULL, /* the STM32F4 SWJ-DP / Cortex-M4 r0p1 defaults of dap_core.h */
};

/* ---------------------------------------------------------------- ROM bootloader (AN3155) */

static int f4s_open(void *m, fk_ctx *ctx, const tw_stream_cfg *cfg, void **sess)
{
	tw_an3155_cfg c = {0};
	if (cfg) {
		c.baud = cfg->baud;
		c.bits_per_byte = cfg->bits_per_byte;
		c.startup_ns = cfg->startup_ns;
		c.log = cfg->log;
		c.flush = cfg->flush;
		c.hook_arg = cfg->hook_arg;
	}
	*sess = tw_an3155_new(m, &c);
	return *sess ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "creating the bootloader server");
}

static void f4s_close(void *s) { tw_an3155_free(s); }
static void f4s_rx(void *s, const uint8_t *b, size_t n) { tw_an3155_rx(s, b, n); }
static size_t f4s_tx(void *s, uint8_t *b, size_t max) { return tw_an3155_tx(s, b, max); }
static size_t f4s_pending(const void *s) { return tw_an3155_pending(s); }
static uint64_t f4s_tx_last(const void *s) { return tw_an3155_tx_last_ns(s); }
static uint64_t f4s_byte_ns(const void *s) { return tw_an3155_byte_ns(s); }
static void f4s_board_reset(void *s) { tw_an3155_board_reset(s); }

/* AN2606 §4.1 pattern 1: BOOT0=1, BOOT1=0, then a reset; option bytes reload (RM0090 §3.7). */
static void f4s_enter(void *m)
{
	tw_f4_set_boot(m, TW_BOOT_SYSMEM);
	tw_f4_reset(m, TW_RESET_SYSTEM);
}

static const tw_stream_port f4_an3155_port = {
	.protocol = "an3155",
	.summary = "STM32 ROM bootloader, USART protocol AN3155",
	.startup_ns = 84590000ULL, /* AN2606 Rev 69 Table 227 */
	.enter = f4s_enter,
	.open = f4s_open,
	.close = f4s_close,
	.rx = f4s_rx,
	.tx = f4s_tx,
	.pending = f4s_pending,
	.tx_last_ns = f4s_tx_last,
	.byte_ns = f4s_byte_ns,
	.board_reset = f4s_board_reset,
	.lines = NULL,
	.set_baud = NULL,
};

static const tw_stream_port *const f4_streams[] = {&f4_an3155_port, NULL};

/* ---------------------------------------------------------------- the model */

const tw_model tw_model_stm32f4 = {
	.name = "stm32f4",
	.summary = "STM32F4 (RM0090): flash interface, option bytes, OTP, debug port, AN3155 ROM",
	.magic = {'F', 'K', 'T', 'W', 'F', '4', '\r', '\n'},
	.version = F4_MODEL_STATE_VERSION,
	.variant_at = f4m_variant_at,
	.create = f4m_create,
	.destroy = f4m_destroy,
	.load = f4m_load,
	.save = f4m_save,
	.dirty = f4m_dirty,
	.mark_clean = f4m_mark_clean,
	.variant_name = f4m_variant_name,
	.new_opts = f4_new_opts,
	.configure = f4_configure,
	.set_option = f4_set_option,
	.option_keys = F4_OPTION_KEYS,
	.event_text = f4m_event_text,
	.show_text = f4_show_text,
	.show_json = f4_show_json,
	.now_ns = f4m_now,
	.advance = f4m_advance,
	.busy_until_ns = f4m_busy_until,
	.reset = f4m_reset,
	.powered = f4m_powered,
	.power_off = f4m_power_off,
	.power_on = f4m_power_on,
	.set_nrst = f4m_set_nrst,
	.nrst = f4m_nrst,
	.voltage_mv = f4m_voltage,
	.fault_power_at_ns = f4m_fault_ns,
	.fault_power_at_op = f4m_fault_op,
	.dap = &f4_dap_port,
	.streams = f4_streams,
	.spi = NULL,
};
