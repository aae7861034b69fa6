/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 system-memory bootloader's USART protocol (AN3155) as a twin server: a byte-driven
 * state machine in front of the chip model. It acts on the chip only through tw_f4_read() and
 * tw_f4_write() as TW_INIT_BOOTLOADER (the model enforces protection), driving the flash
 * controller registers as the ROM code does, and it charges the twin's virtual clock for every
 * byte on the wire (bits_per_byte at baud) on top of the flash times the model charges.
 *
 * Sources: AN3155 Rev 20 §1-§3 and Tables 2/3; AN2606 Rev 69 Tables 3, 73/74 (F40xxx/41xxx
 * bootloader V3.1: ID 0x31, RAM from 0x20002000, two NACKs for Read/Write Memory under RDP),
 * Table 227 (84.59 ms start-up); facts in ../shared/reference/an3155.md §2, §3, §7. */
#ifndef TW_STM32F4_AN3155_SERVER_H
#define TW_STM32F4_AN3155_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stm32f4/f4.h"
#include "stm32f4/f4_cpu.h"

typedef struct tw_an3155_cfg {
	unsigned baud;          /* 0 = 115200 */
	unsigned bits_per_byte; /* 0 = 11 (start + 8 data + even parity + stop, AN3155 §1) */
	uint64_t startup_ns;    /* after a reset, bytes are lost for this long (AN2606 Table 227) */
	uint64_t go_budget;     /* instructions Go's code may run before it "runs on" (0: default) */
	/* Optional hooks (hook_arg is passed back). log: one line per notable event (what the
	 * code started by Go did), for `flashkey-twin serve`'s log. flush: the reply bytes queued
	 * so far must reach the host now (called before Go's code runs, so the ACK is not held
	 * back by a long computation). */
	void (*log)(void *arg, const char *line);
	void (*flush)(void *arg);
	void *hook_arg;
} tw_an3155_cfg;

typedef struct tw_an3155 tw_an3155;

tw_an3155 *tw_an3155_new(tw_f4 *chip, const tw_an3155_cfg *cfg);
void tw_an3155_free(tw_an3155 *s);
/* Bytes from the host. Each is charged on the clock, then acted on; replies are queued. */
void tw_an3155_rx(tw_an3155 *s, const uint8_t *buf, size_t n);
/* Takes up to max queued reply bytes; returns how many. */
size_t tw_an3155_tx(tw_an3155 *s, uint8_t *buf, size_t max);
size_t tw_an3155_pending(const tw_an3155 *s);
/* Virtual time at which the last byte taken by tw_an3155_tx left the device: the host saw it
 * then, even if the device went on working (code run by Go) before the host asked again. */
uint64_t tw_an3155_tx_last_ns(const tw_an3155 *s);
/* The board was reset with BOOT0 high: the bootloader waits for 0x7F again (after start-up). */
void tw_an3155_board_reset(tw_an3155 *s);
/* Nanoseconds one byte occupies on the wire. */
uint64_t tw_an3155_byte_ns(const tw_an3155 *s);
/* Wire bytes so far, each direction (benchmarks compute the ceiling from these). */
void tw_an3155_counts(const tw_an3155 *s, uint64_t *rx, uint64_t *tx);
/* True while the application runs after Go: nothing answers until a board reset. Go runs the
 * code on the twin's CPU (stm32f4/f4_cpu.h); when the code resets the system and the boot pins
 * still select system memory, the bootloader starts again instead (0x7F after start-up). */
bool tw_an3155_in_application(const tw_an3155 *s);
/* The outcome of the last Go's code (NULL before any). */
const tw_f4_run *tw_an3155_last_go(const tw_an3155 *s);

#endif
