/* SPDX-License-Identifier: GPL-2.0-or-later */
@ flashkey: CRC-32 of flash ranges, computed by the chip itself, for the STM32 ROM bootloader's
@ Go command (AN3155 §3.5). Bootloaders before protocol v3.3 have no checksum command
@ (AN3155 Table 3), so without this code comparing flash with an image means reading every byte
@ back over the UART. Assembled for ARMv6-M (Thumb, the subset every Cortex-M executes).
@
@ Loaded at 0x20003000 (valid RAM for both F4 bootloader families: V3.x reserves 8 KB from
@ 0x20000000, V9.x 12 KB; AN2606 Tables 73/75). Go loads MSP from the first word and jumps to the
@ second (AN3155 §3.5).
@
@ Parameter block at PARAMS, written by the host with Write Memory:
@   +0  token        a value the host chose for this run
@   +4  n            number of ranges
@   +8  {addr, len}  n times
@ For each range the code replaces len with the range's CRC-32 (IEEE 802.3, reflected,
@ initial value and final XOR 0xFFFFFFFF: the same as zlib's crc32), then writes ~token at +0,
@ then requests a system reset (AIRCR = VECTKEY | SYSRESETREQ, ARMv6-M ARM §B3.2.6). With BOOT0
@ still high the bootloader starts again; SRAM keeps its content across a system reset, so the
@ host re-synchronises (0x7F) and reads the block back with Read Memory.
@
@ The CRC is computed a nibble at a time from a 16-entry table: 15 instructions per byte.
@ Rebuild the bytes in stm32_stub_crc32.inc with scripts/gen-stub.sh (a scenario test checks
@ that they match this source when arm-none-eabi-as is installed).

	.syntax unified
	.cpu cortex-m0
	.thumb

	.equ PARAMS, 0x20003400
	.equ AIRCR, 0xE000ED0C
	.equ AIRCR_SYSRESET, 0x05FA0004

	.text
	.global _start
_start:
	.word PARAMS            @ MSP (the code uses no stack)
	.word entry + 1         @ entry point, Thumb

	.thumb_func
entry:
	ldr	r6, =PARAMS
	ldr	r7, [r6, #4]    @ n
	lsls	r7, r7, #3
	adds	r6, r6, #8      @ r6: next range
	adds	r7, r7, r6      @ r7: end of the ranges
	adr	r3, table
next_range:
	cmp	r6, r7
	beq	finish
	ldm	r6!, {r0, r1}   @ r0: address, r1: length
	adds	r1, r1, r0      @ r1: end address
	movs	r2, #0
	mvns	r2, r2          @ crc = 0xFFFFFFFF
	cmp	r0, r1
	beq	store
byte_loop:
	ldrb	r4, [r0]
	adds	r0, r0, #1
	eors	r2, r2, r4
	lsls	r4, r2, #28     @ low nibble, times 4
	lsrs	r4, r4, #26
	ldr	r5, [r3, r4]
	lsrs	r2, r2, #4
	eors	r2, r2, r5
	lsls	r4, r2, #28
	lsrs	r4, r4, #26
	ldr	r5, [r3, r4]
	lsrs	r2, r2, #4
	eors	r2, r2, r5
	cmp	r0, r1
	bne	byte_loop
store:
	mvns	r2, r2
	subs	r4, r6, #4
	str	r2, [r4]        @ the CRC replaces the range's length
	b	next_range
finish:
	ldr	r6, =PARAMS
	ldr	r0, [r6]
	mvns	r0, r0
	str	r0, [r6]        @ ~token: the results are complete
	dsb
	ldr	r0, =AIRCR
	ldr	r1, =AIRCR_SYSRESET
	str	r1, [r0]
	dsb
hang:
	b	hang            @ until the reset takes effect

	.align 2
table:	@ CRC-32 of each nibble value, reflected polynomial 0xEDB88320
	.word 0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC
	.word 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C
	.word 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C
	.word 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C
	.ltorg
