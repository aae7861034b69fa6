/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Code a debugger resumes in SRAM runs on the twin's core (twin/debug/cm4_exec.c), seen through
 * the debug port's memory level on a bare memory bus (membus): registers written through
 * DCRSR/DCRDR, C_HALT cleared, BKPT halting with DFSR.BKPT and PC at the BKPT (ARMv7-M §C1.4,
 * §C1.6), a copy into a flash that stalls the bus after each write (time moves while the core
 * waits), a loop that waits for a word the debugger posts while it runs, C_HALT stopping a
 * running loop with its registers readable, C_STEP, a fault locking the core up (S_LOCKUP),
 * and firmware outside SRAM left unexecuted. The programs were written for this test and
 * assembled with GNU as (cortex-m4). */
#include "fk_test.h"

#include "debug/dap_core.h"
#include "debug/membus.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DFSR 0xE000ED30u
#define DBGKEY 0xA05F0000u
#define C_DEBUGEN 1u
#define C_HALT 2u
#define C_STEP 4u
#define S_HALT (1u << 17)
#define S_LOCKUP (1u << 19)
#define CODE 0x20000100u
#define SRC 0x20001000u
#define FLASH TW_MEMBUS_FLASH

typedef struct rig {
	tw_membus *m;
	tw_dap *d;
} rig;

static int setup(void **state)
{
	rig *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->m = tw_membus_new();
	r->d = tw_dap_new(&tw_membus_bus, r->m);
	assert_non_null(r->m);
	assert_non_null(r->d);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	rig *r = *state;
	tw_dap_free(r->d);
	tw_membus_free(r->m);
	free(r);
	return 0;
}

static void w32(rig *r, uint32_t a, uint32_t v)
{
	assert_int_equal(tw_dap_mem_write(r->d, a, 4, v), TW_OK);
}

static uint32_t r32(rig *r, uint32_t a)
{
	uint32_t v = 0;
	assert_int_equal(tw_dap_mem_read(r->d, a, 4, &v), TW_OK);
	return v;
}

static void set_reg(rig *r, unsigned sel, uint32_t v)
{
	w32(r, DCRDR, v);
	w32(r, DCRSR, (1u << 16) | sel);
}

static uint32_t get_reg(rig *r, unsigned sel)
{
	w32(r, DCRSR, sel);
	return r32(r, DCRDR);
}

static void load(rig *r, const uint16_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tw_dap_mem_write(r->d, CODE + 2u * (uint32_t)i, 2, p[i]), TW_OK);
}

/* Halted, with the program in SRAM, PC there, Thumb state, SP in SRAM. */
static void prepare(rig *r, const uint16_t *p, size_t n)
{
	w32(r, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	assert_true(r32(r, DHCSR) & S_HALT);
	load(r, p, n);
	set_reg(r, 15, CODE | 1u);
	set_reg(r, 16, 0x01000000u);
	set_reg(r, 13, 0x20008000u);
}

static void resume(rig *r)
{
	w32(r, DHCSR, DBGKEY | C_DEBUGEN);
}

/* Poll DHCSR as a debugger waiting for an algorithm does. */
static bool wait_halt(rig *r, unsigned polls)
{
	for (unsigned i = 0; i < polls; i++)
		if (r32(r, DHCSR) & S_HALT)
			return true;
	return false;
}

/* loop: ldrh r3,[r0],#2; strh r3,[r1],#2; subs r2,#1; bne loop; bkpt #0x11 */
static const uint16_t copy_prog[] = {0xF830, 0x3B02, 0xF821, 0x3B02, 0x3A01, 0xD1F9, 0xBE11};

static void test_copy_into_stalling_flash_halts_on_bkpt(void **state)
{
	rig *r = *state;
	r->m->write_ns = 16000; /* each flash write stalls the bus 16 us (an F4 x16 program) */
	prepare(r, copy_prog, sizeof copy_prog / 2);
	for (uint32_t i = 0; i < 64; i++)
		w32(r, SRC + 4 * i, 0x01020304u * (i + 1));
	set_reg(r, 0, SRC);
	set_reg(r, 1, FLASH + 0x100);
	set_reg(r, 2, 128); /* halfwords */
	uint64_t t0 = r->m->now_ns;
	resume(r);
	assert_true(wait_halt(r, 10));
	r->m->now_ns += 16000; /* the last write's stall, as the AP would WAIT it out */
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(r32(r, FLASH + 0x100 + 4 * i), 0x01020304u * (i + 1));
	assert_int_equal(get_reg(r, 15), CODE + 12); /* PC at the BKPT */
	assert_int_equal(get_reg(r, 2), 0);
	assert_int_equal(get_reg(r, 0), SRC + 256);
	assert_int_equal(get_reg(r, 1), FLASH + 0x100 + 256);
	assert_true(r32(r, DFSR) & 0x2u); /* DFSR.BKPT */
	assert_true(get_reg(r, 16) & (1u << 30)); /* Z from the last SUBS */
	/* the core waited out every write: 127 stalls of 16 us at least went on the clock */
	assert_true(r->m->now_ns - t0 >= 127u * 16000u);
}

/* wait: ldr r3,[r0]; cmp r3,#0; beq wait; str.w r3,[r1,#4]; bkpt #0 */
static const uint16_t fifo_prog[] = {0x6803, 0x2B00, 0xD0FC, 0xF8C1, 0x3004, 0xBE00};

static void test_waits_for_the_debugger_while_running(void **state)
{
	rig *r = *state;
	prepare(r, fifo_prog, sizeof fifo_prog / 2);
	w32(r, SRC, 0);
	set_reg(r, 0, SRC);
	set_reg(r, 1, SRC + 0x40);
	resume(r);
	uint64_t t0 = r->m->now_ns;
	assert_false(wait_halt(r, 50)); /* spinning on the word: still running */
	/* spinning in SRAM costs no virtual time of its own (the wire's time is the debugger's) */
	assert_int_equal(r->m->now_ns, t0);
	w32(r, SRC, 0xC0FFEE00u);
	assert_true(wait_halt(r, 3));
	assert_int_equal(r32(r, SRC + 0x44), 0xC0FFEE00u);
	assert_int_equal(get_reg(r, 15), CODE + 10);
}

static void test_halt_stops_a_running_loop(void **state)
{
	rig *r = *state;
	prepare(r, fifo_prog, sizeof fifo_prog / 2);
	w32(r, SRC, 0);
	set_reg(r, 0, SRC);
	set_reg(r, 1, SRC + 0x40);
	set_reg(r, 3, 0x12345678u);
	resume(r);
	assert_false(wait_halt(r, 5));
	w32(r, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	assert_true(r32(r, DHCSR) & S_HALT);
	uint32_t pc = get_reg(r, 15);
	assert_true(pc >= CODE && pc < CODE + 6); /* inside the wait loop */
	assert_int_equal(get_reg(r, 3), 0);        /* the LDR ran */
	/* and it no longer runs: posting the word changes nothing */
	w32(r, SRC, 1);
	assert_int_equal(r32(r, SRC + 0x44), 0);
}

static void test_step_runs_one_instruction(void **state)
{
	rig *r = *state;
	prepare(r, fifo_prog, sizeof fifo_prog / 2);
	w32(r, SRC, 7);
	set_reg(r, 0, SRC);
	w32(r, DHCSR, DBGKEY | C_DEBUGEN | C_STEP);
	assert_true(r32(r, DHCSR) & S_HALT);
	assert_int_equal(get_reg(r, 15), CODE + 2);
	assert_int_equal(get_reg(r, 3), 7);
}

static void test_fault_locks_up_with_the_pc(void **state)
{
	rig *r = *state;
	static const uint16_t fpu[] = {0xEE00, 0x0A10}; /* vmov s0, r0: no FPU model */
	prepare(r, fpu, 2);
	resume(r);
	uint32_t dhcsr = r32(r, DHCSR);
	assert_true(dhcsr & S_LOCKUP);
	assert_false(dhcsr & S_HALT);
	w32(r, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	assert_int_equal(get_reg(r, 15), CODE);
}

static void test_firmware_outside_sram_is_not_run(void **state)
{
	rig *r = *state;
	prepare(r, copy_prog, sizeof copy_prog / 2);
	set_reg(r, 15, FLASH | 1u); /* erased flash: would lock up if it ran */
	set_reg(r, 0, 0x1111u);
	resume(r);
	assert_false(wait_halt(r, 5));
	assert_false(r32(r, DHCSR) & S_LOCKUP);
	w32(r, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	assert_int_equal(get_reg(r, 0), 0x1111u);
	assert_int_equal(get_reg(r, 15) & ~1u, FLASH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_into_stalling_flash_halts_on_bkpt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_waits_for_the_debugger_while_running, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_halt_stops_a_running_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_runs_one_instruction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_locks_up_with_the_pc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_outside_sram_is_not_run, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
