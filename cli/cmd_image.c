/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey image: inspect and convert firmware images (docs/IMAGES.md).
 *   flashkey image info FILE [--base ADDR] [--format F] [--fill BYTE]
 *       format, segments, sizes, entry point, CRC-32 (per segment and over the span)
 *   flashkey image convert IN OUT --format bin|ihex|srec [--fill BYTE] [--base ADDR]
 * Loading and writing live in lib/image (include/flashkey/image.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/files.h"
#include "flashkey/image.h"

/* Offline, no chip to ask: a raw binary goes to the STM32 main-flash base (0x08000000) unless
 * --base says otherwise (a connected command takes the chip's own flash base). */
#define IMAGE_DEFAULT_BASE 0x08000000u

static const cli_opt image_opts[] = {
	{"force", 0, CLI_FLAG, NULL, "convert: replace OUT if it exists (default: refuse)"},
	{"format", 'f', CLI_VALUE, "F", "info: input format (as --in-format); convert: output format bin, ihex or srec (default: from OUT's name)"},
	{"in-format", 0, CLI_VALUE, "F", "input format auto, bin, ihex, srec or elf (default auto: from the content)"},
	{"base", 0, CLI_VALUE, "ADDR", "load address of a raw binary (default 0x08000000)"},
	{"fill", 0, CLI_VALUE, "BYTE", "gap byte: convert fills the gaps with it; info uses it for the span CRC (default 0xFF)"},
	{NULL, 0, 0, NULL, NULL},
};

typedef struct image_args {
	fk_image_load_opts load;
	bool base_given;
	bool fill_given;
	uint8_t fill;
} image_args;

static int image_parse_args(cli_env *e, bool info, image_args *a)
{
	const char *v;
	memset(a, 0, sizeof *a);
	a->load.base = IMAGE_DEFAULT_BASE;
	a->fill = 0xFF;
	if ((v = cli_value(&e->args, "base"))) {
		if (fk_parse_u32(v, &a->load.base))
			return fk_fail(e->ctx, FK_E_USAGE, "--base %s: expected an address such as "
							   "0x08000000", v);
		a->base_given = true;
	}
	uint32_t fill;
	if ((v = cli_value(&e->args, "fill"))) {
		if (fk_parse_u32(v, &fill) || fill > 0xFF)
			return fk_fail(e->ctx, FK_E_USAGE, "--fill %s: expected a byte, 0 to 0xFF", v);
		a->fill = (uint8_t)fill;
		a->fill_given = true;
	}
	v = cli_value(&e->args, "in-format");
	if (!v && info)
		v = cli_value(&e->args, "format"); /* info has no output: --format names the input */
	if (v && fk_image_format_parse(v, &a->load.format))
		return fk_fail(e->ctx, FK_E_USAGE, "--in-format %s: expected auto, bin, ihex, srec or "
						   "elf", v);
	return FK_OK;
}

static int image_load(cli_env *e, const image_args *a, const char *path, fk_image **img)
{
	int rc = fk_image_load(e->ctx, path, &a->load, img);
	if (rc)
		return rc;
	if (fk_image_get_format(*img) == FK_IMAGE_BIN && !a->base_given)
		cli_note(&e->out, "%s: raw binary, loaded at 0x%08X (STM32 flash); give --base to "
				  "change", path, a->load.base);
	return FK_OK;
}

static void image_print_info(const char *path, const fk_image *img, uint8_t fill)
{
	uint32_t lo = 0, entry;
	uint64_t end = 0;
	fk_image_span(img, &lo, &end);
	size_t n = fk_image_segment_count(img);
	printf("%s: %s, %zu segment%s, %llu bytes\n", path,
	       fk_image_format_name(fk_image_get_format(img)), n, n == 1 ? "" : "s",
	       (unsigned long long)fk_image_size(img));
	if (fk_image_entry(img, &entry))
		printf("  entry point  0x%08X\n", entry);
	else
		printf("  entry point  none\n");
	printf("  span         0x%08X-0x%08llX (%llu bytes)\n", lo, (unsigned long long)end - 1,
	       (unsigned long long)(end - lo));
	if (end - lo <= FK_IMAGE_MAX_SPAN)
		printf("  CRC-32       0x%08X (span, gaps 0x%02X)\n",
		       fk_image_crc32(img, lo, end - lo, fill), fill);
	for (size_t i = 0; i < n; i++) {
		const fk_segment *s = fk_image_segment(img, i);
		printf("  segment %-4zu 0x%08X-0x%08llX %10u bytes  CRC-32 0x%08X\n", i, s->addr,
		       (unsigned long long)s->addr + s->len - 1, s->len, fk_crc32(0, s->data, s->len));
	}
	fk_image_mark m[8];
	unsigned nm = fk_image_marks(img, m, 8);
	for (unsigned i = 0; i < nm && i < 8; i++)
		printf("  protection   0x%08X %s%s: %s\n", m[i].addr, m[i].name,
		       m[i].permanent ? " (PERMANENT)" : "", m[i].text);
}

static void image_json_info(const char *path, const fk_image *img, uint8_t fill)
{
	uint32_t lo = 0, entry;
	uint64_t end = 0;
	fk_image_span(img, &lo, &end);
	json_w j;
	json_init(&j, stdout, 2);
	json_obj_begin(&j);
	json_kv_str(&j, "command", "image info");
	json_kv_bool(&j, "ok", true);
	json_kv_str(&j, "file", path);
	json_kv_str(&j, "format", fk_image_format_name(fk_image_get_format(img)));
	json_kv_uint(&j, "size", fk_image_size(img));
	json_key(&j, "entry");
	if (fk_image_entry(img, &entry))
		json_hex(&j, entry, 8);
	else
		json_null(&j);
	json_kv_hex(&j, "start", lo, 8);
	json_kv_hex(&j, "last", (uint32_t)(end - 1), 8);
	json_kv_uint(&j, "span", end - lo);
	json_kv_hex(&j, "fill", fill, 2);
	json_key(&j, "crc32");
	if (end - lo <= FK_IMAGE_MAX_SPAN)
		json_hex(&j, fk_image_crc32(img, lo, end - lo, fill), 8);
	else
		json_null(&j);
	json_key(&j, "segments");
	json_arr_begin(&j);
	for (size_t i = 0; i < fk_image_segment_count(img); i++) {
		const fk_segment *s = fk_image_segment(img, i);
		json_obj_begin(&j);
		json_kv_hex(&j, "start", s->addr, 8);
		json_kv_uint(&j, "length", s->len);
		json_kv_hex(&j, "crc32", fk_crc32(0, s->data, s->len), 8);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	fk_image_mark m[8];
	unsigned nm = fk_image_marks(img, m, 8);
	json_key(&j, "protection");
	json_arr_begin(&j);
	for (unsigned i = 0; i < nm && i < 8; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "kind", fk_image_mark_kind_name(m[i].kind));
		json_kv_str(&j, "name", m[i].name);
		json_kv_hex(&j, "address", m[i].addr, 8);
		json_kv_hex(&j, "value", m[i].value, m[i].kind == FK_MARK_LPC_CRP ? 8 : 2);
		json_kv_bool(&j, "permanent", m[i].permanent);
		json_kv_str(&j, "text", m[i].text);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static int image_info(cli_env *e, const image_args *a)
{
	const char *path = cli_arg(e, 1);
	if (!path || cli_nargs(e) != 2)
		return fk_fail(e->ctx, FK_E_USAGE, "image info: expected one FILE");
	fk_image *img;
	int rc = image_load(e, a, path, &img);
	if (rc)
		return rc;
	if (e->out.json)
		image_json_info(path, img, a->fill);
	else
		image_print_info(path, img, a->fill);
	fk_image_free(img);
	return FK_OK;
}

static int image_out_format(cli_env *e, const char *out, fk_image_format *fmt)
{
	const char *v = cli_value(&e->args, "format");
	const char *dot = strrchr(out, '.');
	if (!v && dot && fk_image_format_parse(dot + 1, fmt) == 0 && *fmt != FK_IMAGE_ELF)
		return FK_OK;
	if (!v || fk_image_format_parse(v, fmt) || *fmt == FK_IMAGE_ELF || *fmt == FK_IMAGE_AUTO) {
		fk_hint(e->ctx, "e.g. `flashkey image convert fw.elf fw.hex --format ihex`");
		return fk_fail(e->ctx, FK_E_USAGE, "image convert: --format %s: expected bin, ihex or "
						   "srec", v ? v : "missing");
	}
	return FK_OK;
}

static int image_convert(cli_env *e, const image_args *a)
{
	const char *in = cli_arg(e, 1), *out = cli_arg(e, 2);
	fk_image_format fmt;
	if (!in || !out || cli_nargs(e) != 3)
		return fk_fail(e->ctx, FK_E_USAGE, "image convert: expected IN and OUT files");
	int rc = image_out_format(e, out, &fmt);
	if (rc == 0)
		rc = cli_refuse_existing(e->ctx, out, cli_flag(&e->args, "force"),
					 "the converted image");
	fk_image *img = NULL;
	if (rc == 0)
		rc = image_load(e, a, in, &img);
	if (rc == 0 && a->fill_given)
		rc = fk_image_fill_gaps(e->ctx, img, a->fill);
	if (rc == 0)
		rc = fk_image_save(e->ctx, img, out, fmt);
	/* a raw binary keeps no address: say where the data was, and how to put it back there
	 * (issue 13 class 4: `write app.bin` would otherwise go to the flash base) */
	uint32_t start = 0;
	uint64_t end = 0;
	char lost[256] = "";
	if (rc == 0 && fmt == FK_IMAGE_BIN && fk_image_get_format(img) != FK_IMAGE_BIN &&
	    fk_image_segment_count(img)) {
		fk_image_span(img, &start, &end);
		snprintf(lost, sizeof lost, "%s is a raw binary: it keeps no address; its data "
			 "started at 0x%08X: write it with `flashkey write %s --base 0x%08X`", out,
			 start, out, start);
		fk_log(e->ctx, FK_LOG_WARN, FK_TRACE_IMAGE, "%s", lost);
	}
	if (rc == 0 && e->out.json) {
		json_w j;
		json_init(&j, stdout, 2);
		json_obj_begin(&j);
		json_kv_str(&j, "command", "image convert");
		json_kv_bool(&j, "ok", true);
		json_kv_str(&j, "input", in);
		json_kv_str(&j, "output", out);
		json_kv_str(&j, "format", fk_image_format_name(fmt));
		json_kv_uint(&j, "segments", fk_image_segment_count(img));
		json_kv_uint(&j, "size", fk_image_size(img));
		json_kv_bool(&j, "address_lost", lost[0] != '\0');
		json_kv_hex(&j, "start", start, 8);
		json_kv_str(&j, "warning", lost);
		json_obj_end(&j);
		json_finish(&j);
	} else if (rc == 0) {
		cli_note(&e->out, "wrote %s: %s, %zu segment(s), %llu bytes", out,
			 fk_image_format_name(fmt), fk_image_segment_count(img),
			 (unsigned long long)fk_image_size(img));
	}
	fk_image_free(img);
	return rc;
}

static int cmd_image_run(cli_env *e)
{
	const char *sub = cli_arg(e, 0);
	image_args a;
	int rc = image_parse_args(e, sub && strcmp(sub, "info") == 0, &a);
	if (rc)
		return rc;
	if (sub && strcmp(sub, "info") == 0)
		return image_info(e, &a);
	if (sub && strcmp(sub, "convert") == 0)
		return image_convert(e, &a);
	fk_hint(e->ctx, "run `flashkey image --help`");
	return fk_fail(e->ctx, FK_E_USAGE, "image: expected `info FILE` or `convert IN OUT`, got %s",
		       sub ? sub : "nothing");
}

const cli_command cli_cmd_image = {
	.name = "image",
	.synopsis = "image info FILE [--base ADDR] [--format F] | image convert IN OUT --format "
		    "bin|ihex|srec [--fill BYTE]",
	.summary = "inspect and convert firmware images (bin, Intel HEX, S-record, ELF)",
	.details = "info prints the format, the segments with their sizes and CRC-32, the entry "
		   "point and the CRC-32 over the whole span with gaps read as --fill. convert "
		   "writes the image in another format; with --fill the gaps are filled first. The "
		   "input format is detected from the content; a raw binary is placed at --base. "
		   "A malformed file fails with its line or offset and exit code 7. convert never "
		   "replaces an existing OUT unless --force is given.",
	.opts = image_opts,
	.run = cmd_image_run,
};
