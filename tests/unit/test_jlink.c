/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/jlink's SWD frame layout (jlink_codec.c): request bits, which bits the probe drives, where
 * the ACK, the read data and its parity are taken from (the J-Link reports the level of the next
 * cycle: ACK at the turnaround's index, as OpenOCD's jlink.c reads it), a parity error, and a
 * buffer that is full. */
#include "fk_test.h"

#include "probe/jlink.h"

static unsigned bit(const uint8_t *b, unsigned i)
{
	return (b[i / 8] >> (i % 8)) & 1u;
}

static uint32_t field(const uint8_t *b, unsigned at, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= bit(b, at + i) << i;
	return v;
}

static void set_field(uint8_t *b, unsigned at, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		if ((v >> i) & 1u)
			b[(at + i) / 8] |= (uint8_t)(1u << ((at + i) % 8));
}

static void test_read_frame(void **state)
{
	(void)state;
	uint8_t dir[16] = {0}, out[16] = {0}, in[16] = {0};
	jlink_swd_buf b = {dir, out, 0, 128};
	fk_dap_xfer x = {.ap = 0, .rnw = 1, .addr = FK_DP_DPIDR};
	int at = jlink_swd_frame(&b, &x);
	assert_int_equal(at, 8);
	assert_int_equal(b.bits, 46);
	assert_int_equal(field(out, 0, 8), 0xA5); /* start, DP, read, A 00, parity 1, stop, park */
	assert_int_equal(field(dir, 0, 8), 0xFF);
	assert_int_equal(field(dir, 8, 32), 0); /* released for ACK, data, parity, turnaround */
	assert_int_equal(field(dir, 40, 6), 0);
	set_field(in, 8, 3, FK_DAP_ACK_OK);
	set_field(in, 11, 32, 0x2BA01477u);
	set_field(in, 43, 1, 0); /* 0x2BA01477 has an even number of ones */
	assert_int_equal(jlink_swd_result(in, 8, &x), 0);
	assert_int_equal(x.ack, FK_DAP_ACK_OK);
	assert_int_equal(x.data, 0x2BA01477u);
	set_field(in, 43, 1, 1);
	assert_int_equal(jlink_swd_result(in, 8, &x), -1); /* parity error */
}

static void test_write_frame(void **state)
{
	(void)state;
	uint8_t dir[16] = {0}, out[16] = {0}, in[16] = {0};
	jlink_swd_buf b = {dir, out, 0, 128};
	fk_dap_xfer x = {.ap = 1, .rnw = 0, .addr = 0xC, .data = 0x12345678u};
	assert_int_equal(jlink_swd_frame(&b, &x), 8);
	assert_int_equal(b.bits, 46);
	assert_int_equal(field(out, 0, 8), 0xBB); /* start, AP, write, A 11, parity 0, stop, park */
	assert_int_equal(field(dir, 8, 5), 0);    /* turnaround, ACK, turnaround */
	assert_int_equal(field(dir, 13, 32), 0xFFFFFFFFu);
	assert_int_equal(field(out, 13, 32), 0x12345678u);
	assert_int_equal(bit(out, 45), 1); /* 0x12345678: 13 ones, odd parity */
	set_field(in, 8, 3, FK_DAP_ACK_WAIT);
	assert_int_equal(jlink_swd_result(in, 8, &x), 0);
	assert_int_equal(x.ack, FK_DAP_ACK_WAIT);
	assert_true(jlink_swd_idle(&b, 10));
	assert_int_equal(field(dir, 46, 10), 0x3FF);
	assert_int_equal(field(out, 46, 10), 0);
}

static void test_full(void **state)
{
	(void)state;
	uint8_t dir[8] = {0}, out[8] = {0};
	jlink_swd_buf b = {dir, out, 0, 60};
	fk_dap_xfer x = {.rnw = 1};
	assert_int_equal(jlink_swd_frame(&b, &x), 8);
	assert_int_equal(jlink_swd_frame(&b, &x), -1); /* 46 more bits do not fit in 60 */
	assert_int_equal(b.bits, 46);
	assert_false(jlink_swd_idle(&b, 15));
	assert_true(jlink_swd_idle(&b, 14));
}

/* Pacing: a flash that takes a word every 64 cycles (F4 x32 tPROG 16 us at 4 MHz, a write frame
 * of 46 cycles: 18 idle cycles needed). The pause settles at 18-19 and WAITs stop; over 4000
 * batches the few WAITs that probe the floor stay rare. Read WAITs (an erase) do not raise the
 * floor, so programming afterwards is not slowed by them. */
static void test_pace(void **state)
{
	(void)state;
	jlink_pace p = {0};
	unsigned waits = 0, late = 0;
	for (unsigned i = 0; i < 4000; i++) {
		if (p.idle < 18) {
			jlink_pace_wait(&p, 1, 4000);
			waits++;
			late += i >= 1000;
		} else {
			jlink_pace_ok(&p);
		}
	}
	assert_in_range(p.idle, 18, 19);
	assert_true(waits < 40);
	assert_true(late <= 12); /* one probe of the floor every 256 calm batches at most */
	jlink_pace q = {0};
	for (unsigned i = 0; i < 20; i++)
		jlink_pace_wait(&q, 0, 4000); /* an erase: reads stalled for a long time */
	assert_int_equal(q.idle, 4000);
	assert_int_equal(q.floor, 0);
	for (unsigned i = 0; i < 200; i++)
		jlink_pace_ok(&q);
	assert_true(q.idle < 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_frame),
		cmocka_unit_test(test_write_frame),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_pace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
