/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the image loaders and writers on real files: the committed firmware fixture
 * (tests/fixtures/fw.{elf,bin,hex,srec}, built by arm-none-eabi-gcc/objcopy) must load into
 * identical segments and CRCs through all four loaders; writing and reloading must give the
 * same image; fill and pad reshape as documented. */
#include "fk_test.h"

#include <unistd.h>

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

static fk_image *load_fixture(const char *name, fk_image_format expect)
{
	char path[4096], msg[FK_CHAIN_MSG_MAX];
	fk_test_src(path, sizeof path, name);
	fk_image_load_opts o = {FK_IMAGE_AUTO, 0x08000000u};
	fk_image *img = NULL;
	if (fk_image_load(ctx, path, &o, &img) != 0)
		fail_msg("%s: %s", name, fk_ctx_message(ctx, msg, sizeof msg));
	assert_int_equal(fk_image_get_format(img), expect);
	return img;
}

static void assert_same_image(const fk_image *a, const fk_image *b)
{
	assert_int_equal(fk_image_segment_count(a), fk_image_segment_count(b));
	for (size_t i = 0; i < fk_image_segment_count(a); i++) {
		const fk_segment *sa = fk_image_segment(a, i), *sb = fk_image_segment(b, i);
		assert_int_equal(sa->addr, sb->addr);
		assert_int_equal(sa->len, sb->len);
		assert_memory_equal(sa->data, sb->data, sa->len);
	}
	uint32_t lo;
	uint64_t end;
	assert_true(fk_image_span(a, &lo, &end));
	if (end - lo <= 16u << 20) /* the CRC of a sparse 4 GiB span would take a minute */
		assert_int_equal(fk_image_crc32(a, lo, end - lo, 0xFF),
				 fk_image_crc32(b, lo, end - lo, 0xFF));
}

static void test_fixture_four_formats_agree(void **state)
{
	(void)state;
	fk_image *elf = load_fixture("tests/fixtures/fw.elf", FK_IMAGE_ELF);
	fk_image *bin = load_fixture("tests/fixtures/fw.bin", FK_IMAGE_BIN);
	fk_image *hex = load_fixture("tests/fixtures/fw.hex", FK_IMAGE_IHEX);
	fk_image *srec = load_fixture("tests/fixtures/fw.srec", FK_IMAGE_SREC);
	assert_same_image(elf, bin);
	assert_same_image(elf, hex);
	assert_same_image(elf, srec);
	uint32_t e1, e2, e3;
	assert_true(fk_image_entry(elf, &e1));
	assert_true(fk_image_entry(hex, &e2));
	assert_true(fk_image_entry(srec, &e3));
	assert_int_equal(e1, e2);
	assert_int_equal(e1, e3);
	assert_false(fk_image_entry(bin, NULL));
	fk_image_free(elf);
	fk_image_free(bin);
	fk_image_free(hex);
	fk_image_free(srec);
}

/* The fixture's .data runs at 0x20000000 but is stored in flash: the ELF loader must place it
 * at p_paddr, so nothing of the image is in RAM and the vector table's reset vector (word 1)
 * is the ELF entry point and lies inside the image. */
static void test_fixture_elf_uses_paddr(void **state)
{
	(void)state;
	fk_image *elf = load_fixture("tests/fixtures/fw.elf", FK_IMAGE_ELF);
	uint32_t lo, entry;
	uint64_t end;
	assert_true(fk_image_span(elf, &lo, &end));
	assert_int_equal(lo, 0x08000000u);
	assert_true(end < 0x08100000u);
	assert_true(end - lo > 32 * 1024); /* spans flash sectors 0-2 */
	uint8_t ram[4];
	assert_int_equal(fk_image_read(elf, 0x20000000u, 4, 0, ram), 0);
	uint8_t vec[8];
	assert_int_equal(fk_image_read(elf, lo, 8, 0, vec), 8);
	assert_true(fk_image_entry(elf, &entry));
	assert_int_equal(vec[4] | vec[5] << 8 | vec[6] << 16 | (uint32_t)vec[7] << 24, entry);
	assert_true(entry & 1u); /* Thumb */
	fk_image_free(elf);
}

static fk_image *roundtrip(const fk_image *img, fk_image_format fmt, uint32_t base)
{
	uint8_t *buf;
	size_t len;
	char msg[FK_CHAIN_MSG_MAX];
	if (fk_image_save_mem(ctx, img, fmt, &buf, &len))
		fail_msg("save: %s", fk_ctx_message(ctx, msg, sizeof msg));
	fk_image_load_opts o = {fmt, base};
	fk_image *back = NULL;
	if (fk_image_load_mem(ctx, buf, len, "roundtrip", &o, &back))
		fail_msg("reload: %s", fk_ctx_message(ctx, msg, sizeof msg));
	free(buf);
	return back;
}

static void test_fixture_roundtrips(void **state)
{
	(void)state;
	fk_image *elf = load_fixture("tests/fixtures/fw.elf", FK_IMAGE_ELF);
	fk_image_format fmts[] = {FK_IMAGE_BIN, FK_IMAGE_IHEX, FK_IMAGE_SREC};
	for (unsigned i = 0; i < 3; i++) {
		fk_image *back = roundtrip(elf, fmts[i], 0x08000000u);
		assert_same_image(elf, back);
		uint32_t e1 = 0, e2 = 0;
		fk_image_entry(elf, &e1);
		assert_int_equal(fk_image_entry(back, &e2), fmts[i] != FK_IMAGE_BIN);
		if (fmts[i] != FK_IMAGE_BIN)
			assert_int_equal(e1, e2);
		fk_image_free(back);
	}
	fk_image_free(elf);
}

/* Segments crossing 64 KiB boundaries, high addresses (S3 records, HEX type 04) and gaps. */
static void test_roundtrip_sparse_high(void **state)
{
	(void)state;
	fk_image *img = fk_image_new();
	uint8_t d[300];
	for (unsigned i = 0; i < sizeof d; i++)
		d[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(fk_image_add(ctx, img, 0x0800FFF0u, d, 300), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x1FFF7800u, d, 16), 0);
	assert_int_equal(fk_image_add(ctx, img, 0xFFFFFFF0u, d, 16), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x100, d, 3), 0);
	fk_image_set_entry(img, true, 0x08000101u);
	for (fk_image_format f = FK_IMAGE_IHEX; f <= FK_IMAGE_SREC; f++) {
		fk_image *back = roundtrip(img, f, 0);
		assert_same_image(img, back);
		uint32_t e;
		assert_true(fk_image_entry(back, &e));
		assert_int_equal(e, 0x08000101u);
		fk_image_free(back);
	}
	/* a raw binary of this span would be almost 4 GiB of filler */
	uint8_t *buf;
	size_t len;
	assert_int_equal(fk_image_save_mem(ctx, img, FK_IMAGE_BIN, &buf, &len), FK_E_RANGE);
	assert_int_equal(fk_image_fill_gaps(ctx, img, 0xFF), FK_E_RANGE);
	assert_int_equal(fk_image_segment_count(img), 4);
	fk_image_free(img);
}

static void test_srec_small_addresses_use_s1(void **state)
{
	(void)state;
	fk_image *img = fk_image_new();
	const uint8_t d[4] = {1, 2, 3, 4};
	assert_int_equal(fk_image_add(ctx, img, 0x1234, d, 4), 0);
	uint8_t *buf;
	size_t len;
	assert_int_equal(fk_image_save_mem(ctx, img, FK_IMAGE_SREC, &buf, &len), 0);
	char *text = malloc(len + 1);
	memcpy(text, buf, len);
	text[len] = 0;
	assert_non_null(strstr(text, "\nS107123401020304A8\n"));
	assert_non_null(strstr(text, "\nS9030000FC\n"));
	free(text);
	free(buf);
	fk_image_free(img);
}

static void test_pad_and_fill(void **state)
{
	(void)state;
	fk_image *img = fk_image_new();
	const uint8_t d[3] = {0xA1, 0xA2, 0xA3};
	assert_int_equal(fk_image_add(ctx, img, 0x1003, d, 2), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x1021, d, 1), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x100E, d + 2, 1), 0);
	assert_int_equal(fk_image_pad(ctx, img, 6, 0), FK_E_INVALID_ARG);
	assert_int_equal(fk_image_pad(ctx, img, 16, 0xEE), 0);
	assert_int_equal(fk_image_segment_count(img), 2);
	const fk_segment *s0 = fk_image_segment(img, 0), *s1 = fk_image_segment(img, 1);
	assert_int_equal(s0->addr, 0x1000);
	assert_int_equal(s0->len, 16);
	assert_int_equal(s0->data[3], 0xA1);
	assert_int_equal(s0->data[0], 0xEE);
	assert_int_equal(s0->data[14], 0xA3);
	assert_int_equal(s1->addr, 0x1020);
	assert_int_equal(s1->len, 16);
	assert_int_equal(s1->data[1], 0xA1);
	assert_int_equal(fk_image_pad(ctx, img, 64, 0x11), 0); /* now both meet in one granule */
	assert_int_equal(fk_image_segment_count(img), 1);
	assert_int_equal(fk_image_segment(img, 0)->len, 64);
	assert_int_equal(fk_image_segment(img, 0)->data[0x10], 0x11);
	fk_image_free(img);

	img = fk_image_new();
	assert_int_equal(fk_image_add(ctx, img, 0x10, d, 1), 0);
	assert_int_equal(fk_image_add(ctx, img, 0x14, d + 1, 2), 0);
	assert_int_equal(fk_image_fill_gaps(ctx, img, 0x00), 0);
	assert_int_equal(fk_image_segment_count(img), 1);
	const uint8_t want[6] = {0xA1, 0, 0, 0, 0xA2, 0xA3};
	assert_memory_equal(fk_image_segment(img, 0)->data, want, 6);
	fk_image_free(img);
}

static void test_format_names(void **state)
{
	(void)state;
	fk_image_format f;
	assert_int_equal(fk_image_format_parse("hex", &f), 0);
	assert_int_equal(f, FK_IMAGE_IHEX);
	assert_int_equal(fk_image_format_parse("S19", &f), 0);
	assert_int_equal(f, FK_IMAGE_SREC);
	assert_int_equal(fk_image_format_parse("coff", &f), -1);
	assert_string_equal(fk_image_format_name(FK_IMAGE_ELF), "elf");
	assert_string_equal(fk_image_format_name(FK_IMAGE_SREC), "srec");
}

static void test_save_file_atomic(void **state)
{
	(void)state;
	fk_image *img = load_fixture("tests/fixtures/fw.hex", FK_IMAGE_IHEX);
	char path[] = "/tmp/fk_image_test_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fk_image_save(ctx, img, path, FK_IMAGE_SREC), 0);
	fk_image *back;
	assert_int_equal(fk_image_load(ctx, path, NULL, &back), 0);
	assert_int_equal(fk_image_get_format(back), FK_IMAGE_SREC);
	assert_same_image(img, back);
	fk_image_free(back);
	remove(path);
	assert_int_equal(fk_image_save(ctx, img, "/nonexistent-dir/x.hex", FK_IMAGE_IHEX), FK_E_IO);
	assert_int_equal(fk_image_load(ctx, "/nonexistent-dir/x.hex", NULL, &back), FK_E_NOT_FOUND);
	assert_null(back);
	fk_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_four_formats_agree),
		cmocka_unit_test(test_fixture_elf_uses_paddr),
		cmocka_unit_test(test_fixture_roundtrips),
		cmocka_unit_test(test_roundtrip_sparse_high),
		cmocka_unit_test(test_srec_small_addresses_use_s1),
		cmocka_unit_test(test_pad_and_fill),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_save_file_atomic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
