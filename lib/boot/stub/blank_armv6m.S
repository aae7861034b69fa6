/* SPDX-License-Identifier: GPL-2.0-or-later */
@ flashkey: which flash pages still read erased, checked by the chip itself, for the STM32 ROM
@ bootloader's Go command (AN3155 §3.5). Used before erasing: a page whose every word reads
@ 0xFFFFFFFF needs no erase on the FPEC parts (PM0075 §2.3.3: a half-word is programmed when it
@ reads 0xFFFF). Exact (no checksum), and a page stops being scanned at its first other word.
@ Assembled for ARMv6-M (Thumb, the subset every Cortex-M executes), linked at 0x20003000 and
@ relocated by the host like crc32_armv6m.S (the same vector table and PARAMS literal).
@
@ Parameter block at PARAMS, written by the host with Write Memory:
@   +0  token        a value the host chose for this run
@   +4  n            number of pages
@   +8  addr         first page (word-aligned)
@   +12 page         page size in bytes (a multiple of 4, not 0)
@   +16 n bytes      one per page, written by the code: 0 erased, 1 not
@ then ~token at +0, then a system reset (AIRCR = VECTKEY | SYSRESETREQ, ARMv6-M ARM §B3.2.6),
@ as crc32_armv6m.S: the bootloader starts again (BOOT0 high) and the host reads the block.
@ About 7 cycles a word of an erased page (Cortex-M0 TRM cycle counts: ldr 2, adds 1, bne 1
@ not taken, adds 1, cmp 1, bne 3 taken).
@ Rebuild the bytes in stm32_stub_blank.inc with scripts/gen-stub.sh blank.

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
	ldr	r0, [r6, #8]    @ r0: next word to read
	ldr	r1, [r6, #12]   @ r1: page size
	adds	r6, r6, #16     @ r6: the result bytes
	movs	r2, #0          @ r2: page index
next_page:
	cmp	r2, r7
	beq	finish
	adds	r3, r0, r1      @ r3: end of this page
	movs	r5, #0          @ erased until a word says otherwise
scan:
	ldr	r4, [r0]
	adds	r4, r4, #1      @ 0xFFFFFFFF + 1 = 0
	bne	dirty
	adds	r0, r0, #4
	cmp	r0, r3
	bne	scan
	b	store
dirty:
	movs	r5, #1
	movs	r0, r3          @ the rest of the page need not be read
store:
	strb	r5, [r6, r2]
	adds	r2, r2, #1
	b	next_page
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
	.ltorg
