/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile and malformed images, one per error path of lib/image: each must fail with
 * FK_E_BAD_IMAGE (exit code 7) and a message naming the file, the line or offset and what was
 * expected. ELF cases are built here from <elf.h> structures; text cases are literal. */
#include "fk_test.h"

#include <elf.h>

#include "flashkey/image.h"

static fk_ctx *ctx;
static char last_warning[512];

static void capture_log(void *user, fk_log_level level, unsigned category, const char *msg)
{
	(void)user, (void)category;
	if (level == FK_LOG_WARN)
		snprintf(last_warning, sizeof last_warning, "%s", msg);
}

static int setup(void **state)
{
	(void)state;
	ctx = fk_ctx_new();
	if (ctx)
		fk_ctx_set_log(ctx, capture_log, NULL, FK_LOG_DEBUG);
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fk_ctx_free(ctx);
	return 0;
}

static void expect_bad(const char *name, const void *buf, size_t len, const char *needle)
{
	fk_image *img = (fk_image *)&img;
	char msg[FK_CHAIN_MSG_MAX];
	int rc = fk_image_load_mem(ctx, buf, len, name, NULL, &img);
	fk_ctx_message(ctx, msg, sizeof msg);
	if (rc != FK_E_BAD_IMAGE || !strstr(msg, needle))
		fail_msg("%s: rc %d, message \"%s\", expected \"%s\"", name, rc, msg, needle);
	assert_null(img);
	assert_int_equal(fk_error_exit_code(rc), 7);
}

static void expect_bad_text(const char *name, const char *text, const char *needle)
{
	expect_bad(name, text, strlen(text), needle);
}

static fk_image *expect_ok_text(const char *name, const char *text)
{
	fk_image *img = NULL;
	char msg[FK_CHAIN_MSG_MAX];
	if (fk_image_load_mem(ctx, text, strlen(text), name, NULL, &img))
		fail_msg("%s: %s", name, fk_ctx_message(ctx, msg, sizeof msg));
	return img;
}

static void test_ihex_errors(void **state)
{
	(void)state;
	expect_bad_text("a.hex", ":0100000001FF\n:00000001FF\n", "a.hex:1: bad checksum 0xFF: expected 0xFE");
	expect_bad_text("b.hex", ":00000006FA\n", "b.hex:1: unknown record type 0x06: expected 00-05");
	expect_bad_text("c.hex", ":10000000AABB\n", "c.hex:1: record of 6 bytes: expected 21");
	expect_bad_text("d.hex", ":0G000000\n", "d.hex:1: column 3: expected a hex digit, found 'G'");
	expect_bad_text("e.hex", ":0100000001FE\n", "e.hex:1: file ends without an end-of-file record");
	expect_bad_text("f.hex", ":0100000001FE\n\n:0100010002FC", "f.hex:3: file ends without");
	expect_bad_text("g.hex", ":0100000001FE\nhello\n", "g.hex:2: column 1: expected ':' to start a record, found 'h'");
	expect_bad_text("i.hex", ":020000040FFFEA\n:020000041000EA\n:00000001FF\n",
			"i.hex:1: bad checksum 0xEA: expected 0xEC");
	expect_bad_text("j.hex", ":03000004FFFF00FB\n", "j.hex:1: record type 04 with 3 data bytes: expected 2");
	expect_bad_text("k.hex", ":0100000\n", "k.hex:1: odd number of hex digits (7)");
	expect_bad_text("l.hex", ":00000001FF\n", "l.hex: no data");
	expect_bad_text("m.hex", ":0100100001EE\n:0100100002ED\n:00000001FF\n",
			"m.hex:2: data for 0x00000010 (0x02) overlaps m.hex:1 with different data (0x01)");
	expect_bad_text("n.hex", ":0401000001020304F1\n:02010200AA0051\n:00000001FF\n",
			"n.hex:2: data for 0x00000102 (0xAA) overlaps n.hex:1");
	expect_bad_text("o.hex", ":FF000000", "o.hex:1: record of 4 bytes: expected 260");
}

/* Addresses past 4 GiB through extended linear addresses and through S3 records. */
static void test_past_4g(void **state)
{
	(void)state;
	expect_bad_text("p.hex", ":02000004FFFFFC\n:04FFFE0001020304F5\n:00000001FF\n",
			"p.hex:2: 4 bytes at 0xFFFFFFFE run past the 4 GiB address space");
	expect_bad_text("p.srec", "S307FFFFFFFF0102F9\nS70500000000FA\n",
			"p.srec:1: 2 bytes at 0xFFFFFFFF run past the 4 GiB");
}

static void test_ihex_accepts_variants(void **state)
{
	(void)state;
	/* CRLF, blank lines, lower case, segment addressing (02), start segment (03), trailing text */
	fk_image *img = expect_ok_text("v.hex", "\r\n:020000021000EC\r\n\r\n:02000000aabb99\r\n"
						"  :0400000300120034B3\n:00000001FF\r\nrest\n");
	const fk_segment *s = fk_image_segment(img, 0);
	assert_int_equal(s->addr, 0x10000);
	assert_int_equal(s->len, 2);
	assert_int_equal(s->data[1], 0xBB);
	uint32_t e;
	assert_true(fk_image_entry(img, &e));
	assert_int_equal(e, 0x12 * 16 + 0x34);
	assert_non_null(strstr(last_warning, "v.hex:7: text after the end-of-file record ignored"));
	fk_image_free(img);
	/* identical overlap merges */
	img = expect_ok_text("w.hex", ":0401000001020304F1\n:020102000304F4\n:00000001FF\n");
	assert_int_equal(fk_image_segment(img, 0)->len, 4);
	fk_image_free(img);
}

static void test_srec_errors(void **state)
{
	(void)state;
	expect_bad_text("a.srec", "S1051234AABB00\nS9030000FC\n", "a.srec:1: bad checksum 0x00: expected 0x4F");
	expect_bad_text("b.srec", "S4051234AABB53\n", "b.srec:1: column 2: unknown record type '4'");
	expect_bad_text("c.srec", "S1051234AA\n", "c.srec:1: record of 4 bytes after S1: expected 6");
	expect_bad_text("d.srec", "S1051234AABB4F\n", "d.srec:1: file ends without a termination record");
	expect_bad_text("e.srec", "S10212EB\nS9030000FC\n", "e.srec:1: S1 count byte 2: expected at least 3");
	expect_bad_text("f.srec", "S1051234AABB4F\nS9050000AABBFF\n", "f.srec:2: S9 with 2 data bytes: expected none");
	expect_bad_text("g.srec", "S1051234AXBB4F\n", "g.srec:1: column 10: expected a hex digit, found 'X'");
	expect_bad_text("h.srec", "S1051234AABB4F\nX9030000FC\n", "h.srec:2: column 1: expected 'S'");
	expect_bad_text("i.srec", "S\n", "i.srec:1: column 2: unknown record type (end of line)");
	expect_bad_text("j.srec", "S00600004844521B\nS9030000FC\n", "j.srec: no data");
	expect_bad_text("k.srec", "S1051234AABB4F\nS1051234AABC4E\nS9030000FC\n",
			"k.srec:2: data for 0x00001235 (0xBC) overlaps k.srec:1 with different data (0xBB)");
}

static void test_srec_count_and_entry(void **state)
{
	(void)state;
	last_warning[0] = 0;
	fk_image *img = expect_ok_text("c.srec", "S00600004844521B\nS2081234560102030451\n"
						 "S5030002FA\nS8041234565F\n");
	assert_non_null(strstr(last_warning, "c.srec:3: S5 says 2 data records, the file had 1"));
	uint32_t e;
	assert_true(fk_image_entry(img, &e));
	assert_int_equal(e, 0x123456);
	assert_int_equal(fk_image_segment(img, 0)->addr, 0x123456);
	fk_image_free(img);
}

static void test_junk_and_empty(void **state)
{
	(void)state;
	const uint8_t junk[] = {0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01};
	expect_bad("fw.srec", junk, sizeof junk, "fw.srec: offset 0: expected an S-record");
	expect_bad("fw.s19", "", 0, "fw.s19: empty file");
	expect_bad_text("x.hex", "\x7f" "ELF", "x.hex: offset 0: no readable ELF header in 4 bytes");
	/* forced format on junk */
	fk_image_load_opts o = {FK_IMAGE_IHEX, 0};
	fk_image *img;
	assert_int_equal(fk_image_load_mem(ctx, junk, sizeof junk, "j", &o, &img), FK_E_BAD_IMAGE);
	last_warning[0] = 0;
	img = expect_ok_text("notes.txt", "hello world, not firmware\n");
	assert_non_null(strstr(last_warning, "looks like text"));
	fk_image_free(img);
}

/* ---------------------------------------------------------------- ELF built by hand */

typedef struct elf_case {
	uint8_t buf[1024];
	Elf32_Ehdr *eh;
	Elf32_Phdr *ph;
} elf_case;

/* An ELF32 with two PT_LOADs of 16 bytes at file offsets 0x100/0x110 -> 0x08000000/0x08000010. */
static void elf_build(elf_case *c)
{
	memset(c->buf, 0, sizeof c->buf);
	c->eh = (Elf32_Ehdr *)c->buf;
	memcpy(c->eh->e_ident, ELFMAG, SELFMAG);
	c->eh->e_ident[EI_CLASS] = ELFCLASS32;
	c->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	c->eh->e_ident[EI_VERSION] = EV_CURRENT;
	c->eh->e_type = ET_EXEC;
	c->eh->e_machine = EM_ARM;
	c->eh->e_version = EV_CURRENT;
	c->eh->e_entry = 0x08000009;
	c->eh->e_phoff = sizeof(Elf32_Ehdr);
	c->eh->e_ehsize = sizeof(Elf32_Ehdr);
	c->eh->e_phentsize = sizeof(Elf32_Phdr);
	c->eh->e_phnum = 2;
	c->ph = (Elf32_Phdr *)(c->buf + sizeof(Elf32_Ehdr));
	for (unsigned i = 0; i < 2; i++) {
		c->ph[i] = (Elf32_Phdr){PT_LOAD, 0x100 + 16 * i, 0x20000000 + 16 * i,
					0x08000000 + 16 * i, 16, 16, PF_R, 4};
	}
	for (unsigned i = 0; i < 32; i++)
		c->buf[0x100 + i] = (uint8_t)(0xC0 + i);
}

static void test_elf_minimal_ok(void **state)
{
	(void)state;
	elf_case c;
	elf_build(&c);
	c.ph[1].p_memsz = 64; /* .bss tail: not flash content */
	fk_image *img;
	assert_int_equal(fk_image_load_mem(ctx, c.buf, 0x120, "m.elf", NULL, &img), 0);
	assert_int_equal(fk_image_segment_count(img), 1);
	assert_int_equal(fk_image_segment(img, 0)->addr, 0x08000000);
	assert_int_equal(fk_image_segment(img, 0)->len, 32);
	assert_int_equal(fk_image_segment(img, 0)->data[31], 0xC0 + 31);
	uint32_t e;
	assert_true(fk_image_entry(img, &e));
	assert_int_equal(e, 0x08000009);
	fk_image_free(img);
}

static void test_elf_errors(void **state)
{
	(void)state;
	elf_case c;
	elf_build(&c);
	expect_bad("t.elf", c.buf, 0x118, "t.elf: program header 1: bytes at file offset 0x110 + 0x10 run past the end of the file (280 bytes)");
	elf_build(&c);
	c.ph[0].p_filesz = 0xFFFFFFF0u;
	expect_bad("h.elf", c.buf, 0x120, "h.elf: program header 0: bytes at file offset 0x100 + 0xFFFFFFF0");
	elf_build(&c);
	c.ph[0].p_memsz = 8;
	expect_bad("m.elf", c.buf, 0x120, "m.elf: program header 0: p_filesz 0x10 exceeds p_memsz 0x8");
	elf_build(&c);
	c.eh->e_phnum = 0;
	expect_bad("z.elf", c.buf, 0x120, "z.elf: offset 0x2C: 0 program headers");
	elf_build(&c);
	c.eh->e_phoff = 0x7FFFFFF0u;
	expect_bad("o.elf", c.buf, 0x120, "o.elf: offset 0x1C: cannot locate the program headers");
	elf_build(&c);
	c.eh->e_phnum = 0xFFFF - 1;
	expect_bad("n.elf", c.buf, 0x120, "n.elf: program header 0: cannot read it: expected 65534 headers of 32 bytes");
	elf_build(&c);
	c.ph[1].p_paddr = 0xFFFFFFF8u;
	expect_bad("p.elf", c.buf, 0x120, "p.elf: program header 1: 16 bytes at 0xFFFFFFF8 run past the 4 GiB");
	elf_build(&c);
	c.ph[1].p_paddr = 0x08000008u;
	expect_bad("v.elf", c.buf, 0x120, "v.elf: program header 1: data for 0x08000008 (0xD0) overlaps v.elf: program header 0");
	elf_build(&c);
	c.eh->e_ident[EI_CLASS] = ELFCLASS64;
	expect_bad("c.elf", c.buf, 0x120, "c.elf: offset 4: ELF class 2: expected ELFCLASS32");
	elf_build(&c);
	expect_bad("s.elf", c.buf, 30, "s.elf: ");
	elf_build(&c);
	c.eh->e_phnum = 5; /* every header repeats the whole file: absurd */
	for (unsigned i = 0; i < 5; i++)
		c.ph[i] = (Elf32_Phdr){PT_LOAD, 0, 0, 0x1000u * i, 0x120, 0x120, PF_R, 4};
	expect_bad("r.elf", c.buf, 0x120, "r.elf: program headers describe 1440 bytes in a file of 288");
}

static void test_elf_no_loadable_data(void **state)
{
	(void)state;
	elf_case c;
	elf_build(&c);
	c.ph[0].p_filesz = 0;
	c.ph[1].p_type = PT_NOTE;
	expect_bad("b.elf", c.buf, 0x120, "b.elf: no data");
}

/* A section with SHF_ALLOC whose bytes are in no PT_LOAD gets a warning naming it. */
static void test_elf_section_outside_segments(void **state)
{
	(void)state;
	elf_case c;
	elf_build(&c);
	Elf32_Shdr *sh = (Elf32_Shdr *)(c.buf + 0x200);
	static const char names[] = "\0.shstrtab\0.lost\0";
	memcpy(c.buf + 0x180, names, sizeof names);
	memset(sh, 0, 3 * sizeof *sh);
	sh[1] = (Elf32_Shdr){1, SHT_STRTAB, 0, 0, 0x180, sizeof names, 0, 0, 1, 0};
	sh[2] = (Elf32_Shdr){11, SHT_PROGBITS, SHF_ALLOC, 0x20001000, 0x1A0, 8, 0, 0, 4, 0};
	c.eh->e_shoff = 0x200;
	c.eh->e_shentsize = sizeof(Elf32_Shdr);
	c.eh->e_shnum = 3;
	c.eh->e_shstrndx = 1;
	last_warning[0] = 0;
	fk_image *img;
	assert_int_equal(fk_image_load_mem(ctx, c.buf, 0x200 + 3 * sizeof *sh, "s.elf", NULL, &img), 0);
	assert_non_null(strstr(last_warning, "s.elf: section .lost (0x20001000, 8 bytes) is allocated but outside every loadable segment"));
	fk_image_free(img);
}

/* Scattered 1-byte records: each starts a new range. Up to 1 Mi ranges load; one more is refused
 * naming the line, so a hostile file cannot take ~8x its size in bookkeeping. */
static void test_scattered_records_bounded(void **state)
{
	(void)state;
	const unsigned n = (1u << 20) + 1;
	char *text = malloc((size_t)n * 16 + 64);
	assert_non_null(text);
	size_t at = 0;
	unsigned upper = 0xFFFFFFFFu;
	for (unsigned i = 0; i < n; i++) {
		unsigned addr = i * 2; /* every other byte: nothing is adjacent */
		if ((addr >> 16) != upper) { /* type 04: extended linear address */
			upper = addr >> 16;
			unsigned sum = 2 + 4 + (upper >> 8) + (upper & 0xFF);
			at += (size_t)snprintf(text + at, 32, ":02000004%04X%02X\n", upper, (0x100 - (sum & 0xFF)) & 0xFF);
		}
		unsigned lo = addr & 0xFFFF, sum = 1 + (lo >> 8) + (lo & 0xFF) + 0xA5;
		at += (size_t)snprintf(text + at, 32, ":01%04X00A5%02X\n", lo, (0x100 - (sum & 0xFF)) & 0xFF);
	}
	at += (size_t)snprintf(text + at, 32, ":00000001FF\n");
	fk_image *img = NULL;
	char msg[FK_CHAIN_MSG_MAX];
	int rc = fk_image_load_mem(ctx, text, at, "scattered.hex", NULL, &img);
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_int_equal(rc, FK_E_BAD_IMAGE);
	assert_null(img);
	assert_non_null(strstr(msg, "scattered.hex:1048610: data at 0x00200000"));
	assert_non_null(strstr(msg, "more than 1048576 separate or out-of-order address ranges"));
	assert_non_null(strstr(msg, "0x00200000")); /* the first byte past the limit */
	/* one range fewer loads */
	fk_ctx_clear(ctx);
	size_t cut = at;
	while (cut > 0 && text[cut - 1] != ':')
		cut--; /* start of ":00000001FF" */
	cut--;
	size_t prev = cut;
	while (prev > 0 && text[prev - 1] != ':')
		prev--;
	prev--; /* start of the last data record */
	memcpy(text + prev, ":00000001FF\n", 12);
	assert_int_equal(fk_image_load_mem(ctx, text, prev + 12, "scattered.hex", NULL, &img), 0);
	assert_int_equal(fk_image_segment_count(img), 1u << 20);
	fk_image_free(img);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ihex_errors),
		cmocka_unit_test(test_past_4g),
		cmocka_unit_test(test_ihex_accepts_variants),
		cmocka_unit_test(test_srec_errors),
		cmocka_unit_test(test_srec_count_and_entry),
		cmocka_unit_test(test_junk_and_empty),
		cmocka_unit_test(test_elf_minimal_ok),
		cmocka_unit_test(test_elf_errors),
		cmocka_unit_test(test_elf_no_loadable_data),
		cmocka_unit_test(test_elf_section_outside_segments),
		cmocka_unit_test(test_scattered_records_bounded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
