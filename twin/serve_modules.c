/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of `flashkey-twin serve` modules (see serve.h). One line per module, each in its own
 * slot below so that parallel additions do not touch the same lines; keep the NULL at the end.
 * Declare your module extern here, next to its slot — or, for a server of a byte-stream port
 * (a ROM bootloader / ISP on a pty or TCP socket), define it here in one line with
 * TW_SERVE_STREAM (stream.h): it then serves every model that offers that port and refuses the
 * others, naming the model and what it offers. */
#include <stddef.h>

#include "serve.h"
#include "stream.h"

/* slot: uart-pty (the STM32 ROM bootloader, AN3155, on a pty; any model with an "an3155" port).
 * The virtual clock is charged at BAUD (default 115200) with 11 bits per byte (8E1, as the real
 * chip's USART) whatever framing the peer sets on the pty. Peers must use 8N1 on a pty
 * (an3155.md §4.3): `stm32flash -m 8n1 LINK`. */
TW_SERVE_STREAM(tw_serve_mod_uart_pty, "uart-pty", "LINK[@BAUD]",
		"STM32 bootloader (AN3155) on a pseudo-terminal, symlinked at LINK (peers: 8N1)",
		"an3155", TW_HOST_PTY, 115200, 11, "AN3155 bootloader, use 8N1");
/* slot: jtag-bitbang (OpenOCD remote_bitbang) */
extern const tw_serve_module tw_serve_mod_jtag_bitbang; /* twin/debug/rbb_serve.c */
/* slot: cmsis-dap-tcp (CMSIS-DAP over TCP) */
extern const tw_serve_module tw_serve_mod_cmsis_dap_tcp; /* twin/probe/dap_tcp_serve.c */
/* slot: usb-bridge (emulated USB probes for unmodified libusb/hidapi programs) */
extern const tw_serve_module tw_serve_mod_usb_bridge; /* twin/probe/usb_bridge_serve.c */
/* slot: serprog-pty (SPI NOR twin behind a serprog programmer) */
extern const tw_serve_module tw_serve_mod_serprog_pty; /* twin/spinor/serprog_module.c */
/* slot: lpc-pty (NXP LPC UART ISP on a pty) */
extern const tw_serve_module tw_serve_mod_lpc_pty; /* twin/lpc/isp_module.c */
/* slot: esp-pty, esp-tcp (the Espressif serial ROM loader, SLIP, 8N1 at 115200 until
 * CHANGE_BAUDRATE; any model with an "esp-rom" port). A pty and a TCP socket carry no DTR/RTS:
 * the board's auto-reset is applied once when the server starts (peers: --before no_reset). */
TW_SERVE_STREAM(tw_serve_mod_esp_pty, "esp-pty", "LINK[@BAUD]",
		"Espressif serial ROM loader on a pseudo-terminal, symlinked at LINK",
		"esp-rom", TW_HOST_PTY, 115200, 10, "ESP ROM loader, 8N1, use --before no_reset");
TW_SERVE_STREAM(tw_serve_mod_esp_tcp, "esp-tcp", "127.0.0.1:PORT[@BAUD]",
		"Espressif serial ROM loader on a loopback TCP socket (esptool socket://, Node)",
		"esp-rom", TW_HOST_TCP, 115200, 10, "ESP ROM loader, raw TCP, no DTR/RTS");

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
	/* slot: lpc-pty */
	&tw_serve_mod_lpc_pty,
	/* slot: esp-pty, esp-tcp */
	&tw_serve_mod_esp_pty,
	&tw_serve_mod_esp_tcp,
	NULL,
};
