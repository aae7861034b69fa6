/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 twin's CPU binding (f4_cpu.h): the F4 model's bus and clock for twin/cpu/go.c. */
#include "stm32f4/f4_cpu.h"

static tw_status f4c_read(void *chip, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_f4_read_wait(chip, TW_INIT_BOOTLOADER, addr, size, val);
}

static tw_status f4c_write(void *chip, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_f4_write_wait(chip, TW_INIT_BOOTLOADER, addr, size, val);
}

static void f4c_advance(void *chip, uint64_t ns)
{
	tw_f4_advance(chip, ns);
}

static uint64_t f4c_now(void *chip)
{
	return tw_f4_now_ns(chip);
}

static bool f4c_powered(void *chip)
{
	return tw_f4_powered(chip);
}

static unsigned f4c_resets(void *chip)
{
	return tw_f4_reset_count(chip);
}

void tw_f4_cpu_go(tw_f4 *t, uint32_t vtor, uint64_t max_insns, tw_f4_run *out)
{
	/* a Cortex-M4: ARMv7E-M, Thumb-2 (its DSP/FPU parts not modelled) */
	tw_go_chip chip = {.chip = t, .read = f4c_read, .write = f4c_write,
			   .advance = f4c_advance, .now_ns = f4c_now, .powered = f4c_powered,
			   .reset_count = f4c_resets, .hz = TW_F4_CPU_HZ, .v7m = true};
	tw_go(&chip, vtor, max_insns, out);
}
