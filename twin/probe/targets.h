/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: target openers for emulated probes (see targets.c). */
#ifndef TW_PROBE_TARGETS_H
#define TW_PROBE_TARGETS_H

#include "debug/membus.h"
#include "probe/probe_emu.h"

/* The shared bare bus behind "membus" targets (created on first use). */
tw_membus *tw_probe_membus(void);
void tw_probe_membus_reset(void);
int tw_target_open_membus(fk_ctx *ctx, const char *arg, tw_probe_target *out);

/* Registers the emulated USB and HID backends with link/usb and link/hid. */
void tw_usb_register(void);
/* Plugs the probes named in FLASHKEY_TWIN_PROBES: "KIND=TARGET[,serial=S][,gone-after=N];..."
 * with KIND stlink-v2|stlink-v21|stlink-v3|cmsis-dap-v2|cmsis-dap-v1|jlink and TARGET a twin state
 * file, or @membus for the bare debug-port bus. */
int tw_probe_plug_env(fk_ctx *ctx, const char *spec);
/* Backends twin-stlink:, twin-cmsis-dap:, the USB seam, and FLASHKEY_TWIN_PROBES. */
void tw_probe_register(void);
/* The opener for a twin state file; NULL (with the reason in ctx) when none is available. */
tw_target_open_fn tw_target_open_state(fk_ctx *ctx, const char *path);
/* A plugged slot is this kind behind this target, with no fault armed. */
bool tw_usb_slot_matches(int slot, tw_probe_kind kind, const char *target);

#endif
