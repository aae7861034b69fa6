/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/model.h + twin/chip.c: the chip-model registry, the state-file dispatch on magic (an
 * unknown magic or a newer version is refused naming both), the generic lock, and ports a model
 * does not offer (refused naming the model, the port and what the twin does offer). A test model
 * without any port ("nullchip") is registered at run time. */
#include <strings.h>
#include <unistd.h>

#include "fk_test.h"

#include "chip.h"
#include "fktwin/fktwin.h"
#include "flashkey/backend.h"
#include "stm32f4/f4.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/fk_twin_models_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tpath(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
	return buf;
}

static const char *msg_of(fk_ctx *ctx)
{
	static char msg[FK_CHAIN_MSG_MAX];
	return fk_ctx_message(ctx, msg, sizeof msg);
}

/* ---- a model with no port at all: a state of 12 header bytes + one counter byte ---- */
typedef struct nullchip {
	uint8_t counter;
	bool dirty;
	uint64_t now;
} nullchip;

static bool nc_variant_at(unsigned i, tw_variant_info *out)
{
	if (i)
		return false;
	*out = (tw_variant_info){"nullchip0", "test", "ID", "id", 0x42, 2, 0};
	return true;
}
static int nc_create(fk_ctx *ctx, const char *name, void **m)
{
	(void)ctx;
	if (strcasecmp(name, "nullchip0"))
		return FK_E_NOT_FOUND;
	*m = calloc(1, sizeof(nullchip));
	return FK_OK;
}
static void nc_destroy(void *m) { free(m); }
static int nc_load(fk_ctx *ctx, const char *name, const uint8_t *b, size_t n, void **m)
{
	if (n != 13)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: bad nullchip state", name);
	nullchip *c = calloc(1, sizeof *c);
	c->counter = b[12];
	*m = c;
	return FK_OK;
}
static int nc_save(const void *m, uint8_t **buf, size_t *len)
{
	*buf = malloc(13);
	memcpy(*buf, "FKTWNULL\x01\0\0\0", 12);
	(*buf)[12] = ((const nullchip *)m)->counter;
	*len = 13;
	return FK_OK;
}
static bool nc_dirty(const void *m) { return ((const nullchip *)m)->dirty; }
static void nc_clean(void *m) { ((nullchip *)m)->dirty = false; }
static const char *nc_variant(const void *m) { (void)m; return "nullchip0"; }
static uint64_t nc_now(const void *m) { return ((const nullchip *)m)->now; }
static void nc_advance(void *m, uint64_t ns) { ((nullchip *)m)->now += ns; }
static uint64_t nc_busy(const void *m) { (void)m; return 0; }

static const tw_model nullchip_model = {
	.name = "nullchip",
	.summary = "test model without ports",
	.magic = {'F', 'K', 'T', 'W', 'N', 'U', 'L', 'L'},
	.version = 1,
	.variant_at = nc_variant_at,
	.create = nc_create,
	.destroy = nc_destroy,
	.load = nc_load,
	.save = nc_save,
	.dirty = nc_dirty,
	.mark_clean = nc_clean,
	.variant_name = nc_variant,
	.now_ns = nc_now,
	.advance = nc_advance,
	.busy_until_ns = nc_busy,
};

/* Every registered model has the required operations; names, variants and magics are unique. */
static void test_registry(void **state)
{
	(void)state;
	assert_ptr_equal(tw_model_find("STM32F4"), tw_model_at(0));
	assert_null(tw_model_find("nosuch"));
	for (unsigned i = 0; tw_model_at(i); i++) {
		const tw_model *m = tw_model_at(i);
		if (m == &nullchip_model)
			continue;
		assert_non_null(m->variant_at);
		assert_non_null(m->create);
		assert_non_null(m->load);
		assert_non_null(m->save);
		assert_non_null(m->configure);
		assert_non_null(m->set_option);
		assert_non_null(m->show_text);
		assert_non_null(m->show_json);
		assert_non_null(m->event_text);
		assert_non_null(m->reset);
		assert_non_null(m->power_on);
		assert_true(m->version > 0);
		for (unsigned k = i + 1; tw_model_at(k); k++) {
			assert_string_not_equal(m->name, tw_model_at(k)->name);
			assert_memory_not_equal(m->magic, tw_model_at(k)->magic, 8);
		}
		tw_variant_info v;
		for (unsigned k = 0; m->variant_at(k, &v); k++)
			assert_ptr_equal(tw_model_of_variant(v.name, NULL), m); /* unique names */
	}
	tw_variant_info v;
	assert_ptr_equal(tw_model_of_variant("stm32F407", &v), tw_model_find("stm32f4"));
	assert_string_equal(v.name, "stm32f407");
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c = NULL;
	assert_int_equal(tw_chip_create(ctx, "stm32f999", &c), FK_E_USAGE);
	assert_null(c);
	assert_non_null(strstr(msg_of(ctx), "unknown chip \"stm32f999\""));
	fk_ctx_free(ctx);
}

/* The F4 writes the magic and the version its model entry declares. */
static void test_f4_image_matches_model(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c;
	assert_int_equal(tw_chip_create(ctx, "stm32f401xc", &c), FK_OK);
	uint8_t *b;
	size_t n;
	assert_int_equal(tw_chip_save_buffer(c, &b, &n), FK_OK);
	const tw_model *m = tw_model_by_magic(b);
	assert_ptr_equal(m, tw_chip_model(c));
	assert_int_equal(b[8] | b[9] << 8 | b[10] << 16 | (uint32_t)b[11] << 24, m->version);
	tw_chip *d;
	assert_int_equal(tw_chip_load_buffer(ctx, "mem", b, n, &d), FK_OK);
	assert_string_equal(tw_chip_variant(d), "stm32f401xc");
	tw_chip_free(d);
	free(b);
	tw_chip_free(c);
	fk_ctx_free(ctx);
}

/* An unknown magic and a newer version are refused with both named; nothing else is read. */
static void test_dispatch_refusals(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c = NULL;
	uint8_t junk[64] = "NOTATWIN";
	junk[8] = 7;
	assert_int_equal(tw_chip_load_buffer(ctx, "junk.twin", junk, sizeof junk, &c),
			 FK_E_BAD_FILE);
	assert_null(c);
	assert_non_null(strstr(msg_of(ctx), "junk.twin: not a valid twin state file: unknown "
					    "magic \"NOTATWIN\" (version field 7)"));
	fk_ctx_clear(ctx);
	assert_int_equal(tw_chip_load_buffer(ctx, "short.twin", junk, 5, &c), FK_E_BAD_FILE);
	assert_non_null(strstr(msg_of(ctx), "file too short"));
	fk_ctx_clear(ctx);

	/* a newer F4 file: the version the model reads + 1 */
	tw_chip *f4;
	assert_int_equal(tw_chip_create(ctx, "stm32f407", &f4), FK_OK);
	uint8_t *b;
	size_t n;
	assert_int_equal(tw_chip_save_buffer(f4, &b, &n), FK_OK);
	uint32_t v = tw_chip_model(f4)->version + 1;
	b[8] = (uint8_t)v;
	assert_int_equal(tw_chip_load_buffer(ctx, "new.twin", b, n, &c), FK_E_BAD_FILE);
	assert_null(c);
	char want[160];
	snprintf(want, sizeof want, "new.twin: stm32f4 twin state file (magic \"FKTWF4\\r\\n\") "
				    "version %u is newer than this build reads (up to version %u)",
		 v, v - 1);
	assert_non_null(strstr(msg_of(ctx), want));
	free(b);
	tw_chip_free(f4);
	fk_ctx_free(ctx);
}

/* The generic lock is the F4's: either side excludes the other; close saves only if changed. */
static void test_open_lock_roundtrip(void **state)
{
	(void)state;
	char p[128];
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c, *d = NULL;
	assert_int_equal(tw_chip_create(ctx, "stm32f407", &c), FK_OK);
	assert_int_equal(tw_chip_attach_path(c, ctx, tpath(p, sizeof p, "a.twin")), FK_OK);
	tw_f4_debug_attach(tw_chip_impl(c)); /* a change: close must save */
	assert_true(tw_chip_dirty(c));
	assert_int_equal(tw_chip_close(c, ctx), FK_OK);
	assert_int_equal(tw_chip_open(ctx, p, &c), FK_OK);
	assert_true(tw_f4_intrusion(tw_chip_impl(c)));
	assert_int_equal(tw_chip_open(ctx, p, &d), FK_E_BUSY);
	assert_non_null(strstr(msg_of(ctx), "twin busy"));
	tw_f4 *t = NULL;
	assert_int_equal(tw_f4_open(ctx, p, &t), FK_E_BUSY);
	assert_int_equal(tw_chip_close(c, ctx), FK_OK);
	assert_int_equal(tw_f4_open(ctx, p, &t), FK_OK);
	assert_int_equal(tw_chip_open(ctx, p, &d), FK_E_BUSY);
	assert_int_equal(tw_f4_close(t, ctx), FK_OK);
	assert_int_equal(tw_chip_open(ctx, p, &d), FK_OK);
	assert_string_equal(tw_chip_path(d), p);
	tw_chip_free(d);
	fk_ctx_free(ctx);
}

/* A model registered at run time loads by its magic; its missing ports are refused clearly. */
static void test_missing_ports(void **state)
{
	(void)state;
	char p[128];
	fk_ctx *ctx = fk_ctx_new();
	assert_int_equal(tw_model_register(&nullchip_model), FK_OK);
	tw_chip *c;
	assert_int_equal(tw_chip_create(ctx, "NULLCHIP0", &c), FK_OK);
	assert_ptr_equal(tw_chip_model(c), &nullchip_model);
	assert_int_equal(tw_chip_attach_path(c, ctx, tpath(p, sizeof p, "null.twin")), FK_OK);
	((nullchip *)tw_chip_impl(c))->counter = 9;
	((nullchip *)tw_chip_impl(c))->dirty = true;
	assert_int_equal(tw_chip_close(c, ctx), FK_OK);
	assert_int_equal(tw_chip_open(ctx, p, &c), FK_OK);
	assert_int_equal(((nullchip *)tw_chip_impl(c))->counter, 9);

	assert_null(tw_chip_dap(c, ctx, "twin-swd:"));
	char want[256];
	snprintf(want, sizeof want, "twin-swd:: the twin %s (nullchip0, model nullchip) has no "
				    "debug port (DAP bus)", p);
	assert_non_null(strstr(msg_of(ctx), want));
	fk_ctx_clear(ctx);
	assert_null(tw_chip_stream(c, ctx, "--uart-pty", "an3155"));
	assert_non_null(strstr(msg_of(ctx), "has no \"an3155\" byte-stream port"));
	fk_ctx_clear(ctx);
	assert_null(tw_chip_spi(c, ctx, "--serprog-pty"));
	assert_non_null(strstr(msg_of(ctx), "has no SPI port"));
	fk_ctx_clear(ctx);
	tw_chip_free(c);

	/* the F4 offers a debug port and AN3155, no SPI: the refusal lists what it has */
	assert_int_equal(tw_chip_create(ctx, "stm32f407", &c), FK_OK);
	assert_non_null(tw_chip_dap(c, ctx, "x"));
	assert_non_null(tw_chip_stream(c, ctx, "x", "an3155"));
	assert_null(tw_chip_stream(c, ctx, "--esp-pty", "esp-rom"));
	fk_ctx_clear(ctx);
	assert_null(tw_chip_spi(c, ctx, "--serprog-pty"));
	assert_non_null(strstr(fk_ctx_hint(ctx), "debug port (DAP), byte stream \"an3155\""));
	tw_chip_free(c);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_f4_image_matches_model),
		cmocka_unit_test(test_dispatch_refusals),
		cmocka_unit_test(test_open_lock_roundtrip),
		cmocka_unit_test(test_missing_ports),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
