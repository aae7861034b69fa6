/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of `flashkey-twin serve` modules (see serve.h). One line per module, each in its own
 * slot below so that parallel additions do not touch the same lines; keep the NULL at the end.
 * Declare your module extern here, next to its slot. */
#include <stddef.h>

#include "serve.h"

/* slot: uart-pty (AN3155 bootloader on a pty) */
extern const tw_serve_module tw_serve_mod_uart_pty; /* twin/stm32f4/an3155_serve.c */
/* slot: jtag-bitbang (OpenOCD remote_bitbang) */
extern const tw_serve_module tw_serve_mod_jtag_bitbang; /* twin/debug/rbb_serve.c */
/* slot: cmsis-dap-tcp (CMSIS-DAP over TCP) */
extern const tw_serve_module tw_serve_mod_cmsis_dap_tcp; /* twin/probe/dap_tcp_serve.c */
/* slot: usb-bridge (emulated USB probes for unmodified libusb/hidapi programs) */
extern const tw_serve_module tw_serve_mod_usb_bridge; /* twin/probe/usb_bridge_serve.c */
/* slot: serprog-pty (SPI NOR twin behind a serprog programmer) */
extern const tw_serve_module tw_serve_mod_serprog_pty; /* twin/spinor/serprog_module.c */

const tw_serve_module *const tw_serve_modules[] = {
	/* slot: uart-pty */
	&tw_serve_mod_uart_pty,
	/* slot: jtag-bitbang */
	&tw_serve_mod_jtag_bitbang,
	/* slot: cmsis-dap-tcp */
	&tw_serve_mod_cmsis_dap_tcp,
	/* slot: usb-bridge */
	&tw_serve_mod_usb_bridge,
	/* slot: serprog-pty */
	&tw_serve_mod_serprog_pty,
	NULL,
};
