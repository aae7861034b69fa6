/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 over its ROM bootloader (AN3155): the "bootloader" access path of the family driver
 * (lib/chip/stm32f4.h). Opened on any FK_TRANSPORT_STREAM: uart:DEVICE[@BAUD], twin-uart:PATH. */
#ifndef FK_CHIP_STM32F4_BOOT_H
#define FK_CHIP_STM32F4_BOOT_H

#include "boot/stm32_usart.h"
#include "chip/stm32f4.h"

/* Runs the boot-entry sequence (if any), synchronises and identifies (Get, Get Version, Get ID).
 * h is freed by ops->close (which runs the exit sequence). */
int stm32f4_boot_open(fk_ctx *ctx, const fk_transport *t, const char *boot_seq,
		      const stm32f4_path_ops **ops, void **h);
/* The same over a client already connected (the session's ROM-stream path synchronised and
 * read the IDs); the path takes over the client's state (bl is copied). */
int stm32f4_boot_adopt(fk_ctx *ctx, const fk_transport *t, const an3155 *bl,
		       const stm32f4_path_ops **ops, void **h);
/* The option-byte change as bootloader commands (stm32f4_boot_opt.c). */
int stm32f4_boot_write_options(void *h, fk_ctx *ctx, uint32_t optcr, uint32_t optcr1, bool has_optcr1);
/* The path's regs operation (option area read; RDP inferred from a refused read). */
int stm32f4_boot_path_regs(void *h, fk_ctx *ctx, stm32f4_regs *r);
/* Writes the gathered main-flash block, if any (every path operation does this first). */
int stm32f4_boot_flush(void *h, fk_ctx *ctx);
/* The AN3155 client behind a path handle (tests, benchmarks). */
an3155 *stm32f4_boot_client(void *h);

#endif
