/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the segment model (lib/image/image.c, build.c, load.c): raw binary loading,
 * reading ranges with gaps, CRC over ranges, merging and conflicting overlaps. */
#include "fk_test.h"

#include "core/core.h"
#include "flashkey/image.h"

static fk_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = fk_ctx_new();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fk_ctx_free(ctx);
	return 0;
}

static void assert_error_contains(int rc, int code, const char *needle)
{
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(rc, code);
	fk_ctx_message(ctx, msg, sizeof msg);
	if (!strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void test_bin_at_base(void **state)
{
	(void)state;
	uint8_t data[100];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	fk_image_load_opts o = {FK_IMAGE_AUTO, 0x08000000u};
	fk_image *img;
	assert_int_equal(fk_image_load_mem(ctx, data, sizeof data, "fw.bin", &o, &img), 0);
	assert_int_equal(fk_image_get_format(img), FK_IMAGE_BIN);
	assert_int_equal(fk_image_segment_count(img), 1);
	const fk_segment *s = fk_image_segment(img, 0);
	assert_int_equal(s->addr, 0x08000000u);
	assert_int_equal(s->len, 100);
	assert_memory_equal(s->data, data, 100);
	assert_null(fk_image_segment(img, 1));
	assert_false(fk_image_entry(img, NULL));
	assert_int_equal(fk_image_crc32(img, 0x08000000u, 100, 0xFF), fk_crc32(0, data, 100));
	fk_image_free(img);
}

static void test_bin_past_4g(void **state)
{
	(void)state;
	uint8_t data[32] = {1};
	fk_image_load_opts o = {FK_IMAGE_BIN, 0xFFFFFFF0u};
	fk_image *img = (fk_image *)1;
	assert_error_contains(fk_image_load_mem(ctx, data, sizeof data, "x.bin", &o, &img),
			      FK_E_BAD_IMAGE, "x.bin: 32 bytes at base 0xFFFFFFF0 run past the 4 GiB");
	assert_null(img);
}

static void test_empty_file(void **state)
{
	(void)state;
	fk_image *img;
	assert_error_contains(fk_image_load_mem(ctx, "", 0, "e.hex", NULL, &img), FK_E_BAD_IMAGE,
			      "e.hex: empty file");
	assert_error_contains(fk_image_load_mem(ctx, " \r\n\n", 4, "w.bin", NULL, &img),
			      FK_E_BAD_IMAGE, "w.bin: empty file");
}

static void test_junk_named_hex(void **state)
{
	(void)state;
	const uint8_t junk[] = {0x00, 0x9F, 0x12, 0xEE};
	fk_image *img;
	assert_error_contains(fk_image_load_mem(ctx, junk, sizeof junk, "fw.hex", NULL, &img),
			      FK_E_BAD_IMAGE, "fw.hex: offset 0: expected Intel HEX");
	assert_error_contains(fk_image_load_mem(ctx, junk, sizeof junk, "fw.elf", NULL, &img),
			      FK_E_BAD_IMAGE, "expected ELF");
}

static void test_add_merge_and_conflict(void **state)
{
	(void)state;
	fk_image *img = fk_image_new();
	const uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(fk_image_add(ctx, img, 0x100, a, 8), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x108, a, 4), 0); /* adjacent: merges */
	assert_int_equal(fk_image_add(ctx, img, 0x104, a + 4, 4), 0); /* identical overlap */
	assert_int_equal(fk_image_segment_count(img), 1);
	assert_int_equal(fk_image_segment(img, 0)->len, 12);
	assert_int_equal(fk_image_add(ctx, img, 0x10, a, 2), 0);
	assert_int_equal(fk_image_segment_count(img), 2);
	assert_int_equal(fk_image_segment(img, 0)->addr, 0x10);
	assert_error_contains(fk_image_add(ctx, img, 0x102, a, 4), FK_E_BAD_IMAGE,
			      "data for 0x00000102 (0x01)");
	/* the failed add left the image as it was */
	assert_int_equal(fk_image_segment_count(img), 2);
	assert_int_equal(fk_image_size(img), 14);
	uint32_t lo;
	uint64_t end;
	assert_true(fk_image_span(img, &lo, &end));
	assert_int_equal(lo, 0x10);
	assert_int_equal(end, 0x10C);
	fk_image_free(img);
}

static void test_read_and_crc_with_gaps(void **state)
{
	(void)state;
	fk_image *img = fk_image_new();
	const uint8_t a[4] = {0xA0, 0xA1, 0xA2, 0xA3}, b[2] = {0xB0, 0xB1};
	assert_int_equal(fk_image_add(ctx, img, 0x1000, a, 4), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x1006, b, 2), 0);
	uint8_t buf[12];
	assert_int_equal(fk_image_read(img, 0xFFE, sizeof buf, 0x5A, buf), 6);
	const uint8_t want[12] = {0x5A, 0x5A, 0xA0, 0xA1, 0xA2, 0xA3,
				  0x5A, 0x5A, 0xB0, 0xB1, 0x5A, 0x5A};
	assert_memory_equal(buf, want, sizeof want);
	assert_int_equal(fk_image_crc32(img, 0xFFE, sizeof buf, 0x5A), fk_crc32(0, want, 12));
	assert_int_equal(fk_image_read(img, 0x2000, 4, 0, buf), 0);
	/* a range past 4 GiB reads as fill and does not wrap */
	assert_int_equal(fk_image_read(img, 0xFFFFFFFEu, 4, 0x11, buf), 0);
	fk_image_free(img);
}

/* fk_image_marks (issue 17 Deliver 4): each protection word found by its address and value,
 * nothing for a word the image does not wholly cover or for a value that means nothing. */
static unsigned marks_of(uint32_t addr, const uint8_t *d, uint32_t len, fk_image_mark *m)
{
	fk_image *img = fk_image_new();
	assert_int_equal(fk_image_add(ctx, img, addr, d, len), 0);
	unsigned n = fk_image_marks(img, m, 4);
	fk_image_free(img);
	return n;
}

static void test_protection_marks(void **state)
{
	(void)state;
	fk_image_mark m[4];
	uint8_t w[0x300];
	memset(w, 0x11, sizeof w);
	static const struct {
		uint32_t v;
		const char *name;
		bool permanent;
	} crp[] = {{0x12345678u, "NXP LPC CRP1", false}, {0x87654321u, "NXP LPC CRP2", false},
		   {0x43218765u, "NXP LPC CRP3", true}, {0x4E697370u, "NXP LPC NO_ISP", false}};
	for (unsigned i = 0; i < 4; i++) {
		fk_put_le32(w + 0x2FC, crp[i].v);
		assert_int_equal(marks_of(0, w, sizeof w, m), 1);
		assert_int_equal(m[0].kind, FK_MARK_LPC_CRP);
		assert_int_equal(m[0].addr, 0x2FC);
		assert_int_equal(m[0].value, crp[i].v);
		assert_string_equal(m[0].name, crp[i].name);
		assert_int_equal(m[0].permanent, crp[i].permanent);
	}
	fk_put_le32(w + 0x2FC, 0x43218766u); /* one bit off: no CRP value */
	assert_int_equal(marks_of(0, w, sizeof w, m), 0);
	fk_put_le32(w + 0x2FC, 0x43218765u);
	assert_int_equal(marks_of(0, w, 0x2FE, m), 0);          /* half the word: not a CRP word */
	assert_int_equal(marks_of(0x08000000u, w, sizeof w, m), 0); /* not at 0x2FC */

	uint8_t f[0x410];
	memset(f, 0xFF, sizeof f);
	f[0x40C] = 0xFE; /* OpenOCD's default FSEC: unsecured */
	assert_int_equal(marks_of(0, f, sizeof f, m), 0);
	f[0x40C] = 0xFF; /* secured, mass erase enabled: the next connect needs a mass erase */
	assert_int_equal(marks_of(0, f, sizeof f, m), 1);
	assert_int_equal(m[0].kind, FK_MARK_KINETIS_FCF);
	assert_false(m[0].permanent);
	f[0x40C] = 0x64; /* secured, MEEN = 10b, KEYEN = 01b: never opened again */
	assert_int_equal(marks_of(0, f, sizeof f, m), 1);
	assert_true(m[0].permanent);
	f[0x40C] = 0xA4; /* the same with the backdoor key enabled (KEYEN = 10b) */
	assert_int_equal(marks_of(0, f, sizeof f, m), 1);
	assert_false(m[0].permanent);

	const uint8_t f4[2] = {0xED, 0xCC}, f1[2] = {0xA5, 0x5A};
	assert_int_equal(marks_of(0x1FFFC000u, f4, 2, m), 1);
	assert_int_equal(m[0].kind, FK_MARK_STM32_OPTIONS);
	assert_int_equal(m[0].value, 0xCC);
	assert_true(m[0].permanent); /* RDP 2 on an F4 */
	assert_int_equal(marks_of(0x1FFFF800u, f1, 2, m), 1);
	assert_int_equal(m[0].value, 0xA5);
	assert_false(m[0].permanent);
	assert_string_equal(fk_image_mark_kind_name(FK_MARK_KINETIS_FCF), "kinetis-fsec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bin_at_base),
		cmocka_unit_test(test_bin_past_4g),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_junk_named_hex),
		cmocka_unit_test(test_add_merge_and_conflict),
		cmocka_unit_test(test_read_and_crc_with_gaps),
		cmocka_unit_test(test_protection_marks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
