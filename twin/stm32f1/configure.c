/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 model: `flashkey-twin new CHIP PATH [...]` and `set` — put a twin in a chosen
 * state: read protection level, write-protected pages, any option byte, a flash image, torn
 * option bytes. Option values are stored with their complements and loaded (as after a
 * power-on reset); `--option` keys take raw values.
 * Facts: PM0075 §2.4-2.5 (RDP 0xA5 = level 0 on F1; HAL's level-1 byte 0x00), RM0091 §3.3
 * Table 11 (F0/F3: 0xAA level 0, 0xBB the HAL's level 1, 0xCC level 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flashkey/image.h"
#include "stm32f1/f1_int.h"
#include "stm32f1/model_int.h"

const tw_model_opt f1_new_opts[] = {
	{"rdp", TW_OPT_VALUE, "0|1|2", "read protection level (level 2 on F0/F3 only: permanent)"},
	{"wrp", TW_OPT_VALUE, "PAGES", "write-protect the WRP groups holding these pages, e.g. 0-3,60"},
	{"flash", TW_OPT_VALUE, "FILE", "firmware image (bin at 0x08000000, HEX, S-record, ELF)"},
	{"corrupt-options", TW_OPT_FLAG, NULL,
	 "torn option bytes as after a power cut during an option erase (OPTERR, level 1)"},
	{NULL, 0, NULL, NULL},
};

static int f1c_bad(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " F1_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

/* The 8 stored option values (value bytes; complements are recomputed on store). */
static void f1c_values(const tw_f1 *t, uint8_t v[8])
{
	for (unsigned i = 0; i < 8; i++)
		v[i] = t->ob[2 * i];
}

static void f1c_store(tw_f1 *t, const uint8_t v[8])
{
	tw_f1_set_options(t, v[0], v[1], v[2], v[3],
			  (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 |
				  (uint32_t)v[7] << 24);
}

static int f1c_byte_key(fk_ctx *ctx, tw_f1 *t, const char *kv, unsigned idx, const char *val)
{
	uint32_t n;
	if (fk_parse_u32(val, &n) || n > 0xFF)
		return f1c_bad(ctx, kv, "value must be a byte 0..0xFF");
	uint8_t v[8];
	f1c_values(t, v);
	v[idx] = (uint8_t)n;
	f1c_store(t, v);
	return FK_OK;
}

static int f1c_special(fk_ctx *ctx, tw_f1 *t, const char *kv, const char *key, const char *val)
{
	uint32_t n;
	uint64_t ns;
	if (strcmp(key, "boot") == 0) {
		tw_boot b = strcmp(val, "flash") == 0 ? TW_BOOT_FLASH
			    : strcmp(val, "sysmem") == 0 ? TW_BOOT_SYSMEM
			    : strcmp(val, "sram") == 0 ? TW_BOOT_SRAM : (tw_boot)-1;
		if ((int)b < 0)
			return f1c_bad(ctx, kv, "expected flash, sysmem or sram");
		tw_f1_set_boot(t, b);
	} else if (strcmp(key, "timing") == 0) {
		if (strcmp(val, "typ") && strcmp(val, "max"))
			return f1c_bad(ctx, kv, "expected typ or max");
		tw_f1_set_timing_max(t, strcmp(val, "max") == 0);
	} else if (strcmp(key, "power") == 0) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return f1c_bad(ctx, kv, "expected on or off");
		if (strcmp(val, "off") == 0)
			tw_f1_power_off(t);
		else if (!tw_f1_powered(t))
			tw_f1_power_on(t);
	} else if (strcmp(key, "fault_op") == 0) {
		if (fk_parse_u32(val, &n))
			return f1c_bad(ctx, kv, "expected N: cut power halfway through the Nth flash "
						"operation from now (0 = none)");
		tw_f1_fault_power_at_op(t, n);
	} else if (strcmp(key, "fault_ns") == 0) {
		if (fk_parse_u64(val, &ns))
			return f1c_bad(ctx, kv, "expected nanoseconds of virtual time from now (0 = "
						"none)");
		tw_f1_fault_power_at_ns(t, ns ? tw_f1_now_ns(t) + ns : 0);
	} else {
		return f1c_bad(ctx, kv, "unknown key");
	}
	return FK_OK;
}

static int f1c_apply(fk_ctx *ctx, tw_f1 *t, const char *kv)
{
	static const char *const bytes[4] = {"rdp", "user", "data0", "data1"};
	const char *eq = strchr(kv, '=');
	char key[32];
	size_t klen = eq ? (size_t)(eq - kv) : 0;
	if (!eq || klen == 0 || klen >= sizeof key)
		return f1c_bad(ctx, kv, "expected KEY=VALUE");
	memcpy(key, kv, klen);
	key[klen] = '\0';
	for (unsigned i = 0; i < 4; i++)
		if (strcasecmp(key, bytes[i]) == 0)
			return f1c_byte_key(ctx, t, kv, i, eq + 1);
	if (strcasecmp(key, "wrp") == 0) {
		uint32_t w;
		if (fk_parse_u32(eq + 1, &w))
			return f1c_bad(ctx, kv, "expected the 32-bit WRPR image (bit clear = "
						"protected), e.g. 0xFFFFFFFE");
		uint8_t v[8];
		f1c_values(t, v);
		for (unsigned i = 0; i < 4; i++)
			v[4 + i] = (uint8_t)(w >> (8 * i));
		f1c_store(t, v);
		return FK_OK;
	}
	return f1c_special(ctx, t, kv, key, eq + 1);
}

int f1_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	return f1c_apply(ctx, m, kv);
}

static int f1c_rdp(fk_ctx *ctx, tw_f1 *t, const char *lv)
{
	uint32_t lvl;
	bool f1 = t->v->family == TW_F1_FAMILY_F1;
	if (fk_parse_u32(lv, &lvl) || lvl > 2)
		return fk_fail(ctx, FK_E_USAGE, "--rdp %s: expected 0, 1 or 2 (use --option "
						   "rdp=0xNN for a raw RDP byte)", lv);
	if (lvl == 2 && f1)
		return fk_fail(ctx, FK_E_USAGE, "--rdp 2: %s is an STM32F1, which has no level 2 "
						   "(PM0075 §2.4.1: only 0xA5 and everything else)",
			       t->v->name);
	static const uint8_t f1b[2] = {0xA5, 0x00}, f03b[3] = {0xAA, 0xBB, 0xCC};
	uint8_t v[8];
	f1c_values(t, v);
	v[0] = f1 ? f1b[lvl] : f03b[lvl];
	f1c_store(t, v);
	return FK_OK;
}

/* --wrp PAGES: a list of pages and ranges; the WRP group (WRPR bit) of each is protected. */
static int f1c_wrp(fk_ctx *ctx, tw_f1 *t, const char *list)
{
	unsigned pages = tw_f1_page_count(t);
	uint8_t v[8];
	f1c_values(t, v);
	uint32_t wrpr = (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 |
			(uint32_t)v[7] << 24;
	for (const char *s = list; *s;) {
		char *end;
		unsigned long a = strtoul(s, &end, 0), b = a;
		if (end == s)
			return fk_fail(ctx, FK_E_USAGE, "--wrp %s: \"%s\" is not a page number", list, s);
		if (*end == '-') {
			const char *s2 = end + 1;
			b = strtoul(s2, &end, 0);
			if (end == s2 || b < a)
				return fk_fail(ctx, FK_E_USAGE, "--wrp %s: bad range at \"%s\"", list, s);
		}
		if (b >= pages) {
			fk_hint(ctx, "%s has pages 0..%u", t->v->name, pages - 1);
			return fk_fail(ctx, FK_E_RANGE, "--wrp %s: page %lu does not exist", list, b);
		}
		for (unsigned long p = a; p <= b; p++) {
			unsigned bit = (unsigned)p / t->v->wrp_pages;
			wrpr &= ~(1U << (bit < t->v->wrp_bits ? bit : t->v->wrp_bits - 1U));
		}
		if (*end == ',')
			end++;
		else if (*end)
			return fk_fail(ctx, FK_E_USAGE, "--wrp %s: unexpected \"%s\"", list, end);
		s = end;
	}
	for (unsigned i = 0; i < 4; i++)
		v[4 + i] = (uint8_t)(wrpr >> (8 * i));
	f1c_store(t, v);
	return FK_OK;
}

/* --flash FILE: every byte must land in main flash. */
static int f1c_flash_file(fk_ctx *ctx, tw_f1 *t, const char *path)
{
	fk_image_load_opts lo = {FK_IMAGE_AUTO, F1_FLASH_BASE};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	uint32_t fend = F1_FLASH_BASE + tw_f1_variant_flash_bytes(t->v);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		uint64_t end = (uint64_t)sg->addr + sg->len;
		if (sg->addr < F1_FLASH_BASE || end > fend) {
			rc = fk_fail(ctx, FK_E_RANGE, "--flash %s: data at 0x%08X..0x%08llX is outside "
						      "the flash of %s (0x08000000..0x%08X)", path,
				     sg->addr, (unsigned long long)end - 1, t->v->name, fend - 1);
			break;
		}
		for (uint32_t k = 0; k < sg->len; k++)
			tw_f1_poke(t, sg->addr + k, sg->data[k]);
	}
	fk_image_free(img);
	return rc;
}

/* `new`: --option keys, --wrp, --rdp, torn options, the image; then a power-on reset. */
int f1_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	tw_f1 *t = m;
	const char *s;
	int rc = FK_OK;
	for (unsigned i = 0; !rc && (s = a->get(a, "option", i)); i++)
		rc = f1c_apply(ctx, t, s);
	if (!rc && (s = a->get(a, "wrp", 0)))
		rc = f1c_wrp(ctx, t, s);
	if (!rc && (s = a->get(a, "rdp", 0)))
		rc = f1c_rdp(ctx, t, s);
	if (!rc && a->get(a, "corrupt-options", 0))
		for (unsigned i = 0; i < F1_OB_SIZE; i++)
			tw_f1_poke(t, F1_OB_BASE + i, (uint8_t)(t->ob[i] | 0x0FU));
	if (!rc && (s = a->get(a, "flash", 0)))
		rc = f1c_flash_file(ctx, t, s);
	if (!rc && tw_f1_powered(t))
		tw_f1_reset(t, TW_RESET_POWER_ON);
	return rc;
}
