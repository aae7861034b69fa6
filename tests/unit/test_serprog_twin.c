/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The serprog client (lib/probe/serprog.c) against the twin's serprog programmer
 * (twin/spinor/serprog.c, written from the protocol text independently of the client) with a
 * W25Q64JV behind it, in process: start-up, the announced limits, SPI clock, and SPI NOR work
 * carried by O_SPIOP (JEDEC ID, status registers, page program, read, erase). */
#include <time.h>

#include "fk_test.h"

#include "chip/spinor.h"
#include "core/core.h"
#include "fktwin/spinor.h"
#include "probe/serprog.h"
#include "spinor/serprog.h"

static fk_ctx *CTX;
static tw_spinor *CHIP;
static tw_serprog *SRV;
static serprog SP;
static fk_transport T;

static uint64_t LAST_IO_MS;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

/* As twin/spinor/serprog_serve.c does: an operation in progress completes once the line has
 * been idle for 5 ms. */
static int st_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (now_ms() - LAST_IO_MS >= 5)
		tw_spinor_finish(CHIP);
	LAST_IO_MS = now_ms();
	tw_serprog_input(h, buf, len);
	return FK_OK;
}

static int st_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned tmo, size_t *got)
{
	size_t n;
	(void)ctx;
	(void)tmo;
	const uint8_t *o = tw_serprog_output(h, &n);
	*got = FK_MIN(len, n);
	memcpy(buf, o, *got);
	tw_serprog_consume(h, *got);
	return *got == len ? FK_OK : FK_E_TIMEOUT;
}

static int st_flush(void *h, fk_ctx *ctx)
{
	size_t n;
	(void)ctx;
	tw_serprog_output(h, &n);
	tw_serprog_consume(h, n);
	return FK_OK;
}

static const fk_stream_ops st_ops = {st_write, st_read, st_flush, NULL, NULL, NULL};

static int setup(void **state)
{
	(void)state;
	CTX = fk_ctx_new();
	assert_int_equal(tw_spinor_create(CTX, "w25q64jv", &CHIP), 0);
	tw_serprog_cfg cfg = {.baud = 4000000, .charge_time = true};
	SRV = tw_serprog_new(CHIP, &cfg);
	T = (fk_transport){.kind = FK_TRANSPORT_STREAM, .ops = &st_ops, .handle = SRV};
	snprintf(T.description, sizeof T.description, "in-process serprog twin");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	serprog_detach(&SP);
	tw_serprog_free(SRV);
	tw_spinor_free(CHIP);
	fk_ctx_free(CTX);
	return 0;
}

static void starts_and_reads_the_id(void **state)
{
	(void)state;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	assert_string_equal(SP.name, "flashkey-twin");
	assert_int_equal(SP.bustypes, SERPROG_BUS_SPI);
	assert_int_equal(SP.max_write, TW_SERPROG_WRNMAX);
	assert_int_equal(SP.max_read, TW_SERPROG_RDNMAX);
	assert_true(tw_serprog_drivers_on(SRV));
	uint32_t hz = 0;
	assert_int_equal(serprog_set_speed(&SP, 4000000, &hz), FK_OK);
	assert_int_equal(hz, 4000000);
	assert_int_equal(tw_serprog_spi_hz(SRV), 4000000);
	uint8_t id[3];
	const uint8_t rdid = 0x9F;
	assert_int_equal(serprog_spi(&SP, &rdid, 1, id, 3), FK_OK);
	assert_int_equal(id[0], 0xEF);
	assert_int_equal(id[1], 0x40);
	assert_int_equal(id[2], 0x17);
	serprog_detach(&SP);
	assert_false(tw_serprog_drivers_on(SRV));
}

static int sp_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	(void)ctx;
	return serprog_spi(h, w, wn, r, rn);
}

static void sp_limits(void *h, size_t *mw, size_t *mr)
{
	serprog_limits(h, mw, mr);
}

static const fk_spi_ops sp_ops = {.xfer = sp_xfer, .limits = sp_limits};

static void carries_spi_nor_work(void **state)
{
	(void)state;
	assert_int_equal(serprog_attach(&SP, CTX, &T), FK_OK);
	spinor_bus b;
	assert_int_equal(spinor_bus_init(&b, CTX, &sp_ops, &SP), FK_OK);
	spinor_ident id;
	assert_int_equal(spinor_identify(&b, &id), FK_OK);
	assert_string_equal(id.part->key, "w25q64jv");
	static uint8_t img[3000], back[3000];
	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i ^ (i >> 8));
	assert_int_equal(spinor_program(&b, id.part, 0x10000, img, sizeof img), FK_OK);
	assert_int_equal(spinor_read(&b, 0x10000, back, sizeof back), FK_OK);
	assert_memory_equal(img, back, sizeof img);
	assert_int_equal(spinor_erase_op(&b, id.part, SPINOR_OP_BE64, 0x10000), FK_OK);
	assert_int_equal(spinor_read(&b, 0x10000, back, sizeof back), FK_OK);
	assert_int_equal(back[0], 0xFF);
	assert_int_equal(back[sizeof back - 1], 0xFF);
	spinor_bus_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(starts_and_reads_the_id, setup, teardown),
		cmocka_unit_test_setup_teardown(carries_spi_nor_work, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
