/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 model: `flashkey-twin new stm32f4xx PATH [...]` and `set` — put a twin in a chosen
 * state (protection levels, write protection, PCROP, OTP contents and locks, any option field,
 * a flash image, corrupted option bytes). Moved from cli/twin/cmd_new.c unchanged in behaviour
 * and wording; the generic command (cli/twin) parses the line from f4_new_opts.
 * Facts: RM0090 §3.7.1 (option fields), §3.8 (OTP lock bytes); ../shared/reference/stm32.md §1.6,
 * §3.1 (torn option bytes: OPTCR 0x0FFFFFEC after a power loss, F407 field report). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flashkey/image.h"
#include "stm32f4/f4.h"
#include "stm32f4/model_int.h"

const tw_model_opt f4_new_opts[] = {
	{"rdp", TW_OPT_VALUE, "0|1|2", "read protection level (level 1 is stored as 0x55, as HAL does)"},
	{"wrp", TW_OPT_VALUE, "SECTORS", "write-protect sectors, e.g. 0,1,5-7 (nWRPi=0)"},
	{"pcrop", TW_OPT_VALUE, "SECTORS", "PCROP sectors (SPRMOD=1, nWRPi=1 for these only)"},
	{"flash", TW_OPT_VALUE, "FILE", "firmware image (bin at 0x08000000, HEX, S-record, ELF)"},
	{"otp", TW_OPT_MULTI, "BLOCK=HEX", "OTP block 0..15 contents (up to 32 bytes of hex)"},
	{"otp-locked", TW_OPT_VALUE, "BLOCKS", "lock OTP blocks (lock byte 0x00), e.g. 0,3"},
	{"corrupt-options", TW_OPT_FLAG, NULL,
	 "torn option bytes as after a power loss (OPTCR 0x0FFFFFEC: RDP 0xFF = level 1)"},
	{NULL, 0, NULL, NULL},
};

static int f4c_parse_num(fk_ctx *ctx, const char *what, const char *s, size_t n,
			  uint32_t max_plus1, uint32_t *out)
{
	char buf[256];
	if (n == 0 || n >= sizeof buf)
		return fk_fail(ctx, FK_E_USAGE, "%s: \"%.*s\" is not a number in 0..%u", what,
			       (int)(n < 64 ? n : 64), s, max_plus1 - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (fk_parse_u32(buf, out) || *out >= max_plus1)
		return fk_fail(ctx, FK_E_USAGE, "%s: \"%s\" is not a number in 0..%u (decimal, or hex "
						"with 0x)", what, buf, max_plus1 - 1);
	return FK_OK;
}

static int f4c_parse_list(fk_ctx *ctx, const char *what, const char *s, uint32_t max_plus1,
		    uint32_t *mask)
{
	*mask = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		const char *dash = memchr(s, '-', len);
		uint32_t a, b;
		int rc = f4c_parse_num(ctx, what, s, dash ? (size_t)(dash - s) : len, max_plus1, &a);
		if (!rc)
			rc = dash ? f4c_parse_num(ctx, what, dash + 1, len - (size_t)(dash - s) - 1,
						   max_plus1, &b)
				  : (b = a, 0);
		if (rc)
			return rc;
		if (b < a)
			return fk_fail(ctx, FK_E_USAGE, "%s: range %u-%u is backwards", what, a, b);
		for (uint32_t i = a; i <= b && i < 32; i++)
			*mask |= 1U << i;
		s += len;
		if (*s == ',')
			s++;
	}
	return FK_OK;
}

typedef struct f4c_optkey {
	const char *key;
	unsigned shift, bits; /* field in the bank-1 option word (bits == 0: special) */
	unsigned bank;
} f4c_optkey;

static const f4c_optkey f4c_optkeys[] = {
	{"rdp", 8, 8, 0},	 {"bor_lev", 2, 2, 0},	 {"bfb2", 4, 1, 0},   {"wdg_sw", 5, 1, 0},
	{"nrst_stop", 6, 1, 0}, {"nrst_stdby", 7, 1, 0}, {"nwrp", 16, 12, 0}, {"db1m", 30, 1, 0},
	{"sprmod", 31, 1, 0},	 {"nwrp2", 16, 12, 1},
};

static int f4c_bad_option(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " F4_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

static int f4c_special_option(fk_ctx *ctx, tw_f4 *t, const char *kv, const char *key,
			       const char *val)
{
	uint32_t n;
	if (strcmp(key, "boot") == 0) {
		tw_boot b = strcmp(val, "flash") == 0 ? TW_BOOT_FLASH
			    : strcmp(val, "sysmem") == 0 ? TW_BOOT_SYSMEM
			    : strcmp(val, "sram") == 0 ? TW_BOOT_SRAM : (tw_boot)-1;
		if ((int)b < 0)
			return f4c_bad_option(ctx, kv, "expected flash, sysmem or sram");
		tw_f4_set_boot(t, b);
	} else if (strcmp(key, "swd") == 0) {
		if (strcmp(val, "normal") && strcmp(val, "repurposed"))
			return f4c_bad_option(ctx, kv, "expected normal or repurposed");
		tw_f4_set_swd_repurposed(t, strcmp(val, "repurposed") == 0);
	} else if (strcmp(key, "voltage_mv") == 0) {
		if (fk_parse_u32(val, &n) || n > 5000)
			return f4c_bad_option(ctx, kv, "expected millivolts 0..5000");
		tw_f4_set_voltage_mv(t, n);
	} else if (strcmp(key, "timing") == 0) {
		if (strcmp(val, "typ") && strcmp(val, "max"))
			return f4c_bad_option(ctx, kv, "expected typ or max");
		tw_f4_set_timing_max(t, strcmp(val, "max") == 0);
	} else if (strcmp(key, "fault_op") == 0) {
		if (fk_parse_u32(val, &n))
			return f4c_bad_option(ctx, kv, "expected N: cut power halfway through the Nth "
						      "flash operation from now (0 = none)");
		tw_f4_fault_power_at_op(t, n);
	} else if (strcmp(key, "fault_ns") == 0) {
		uint64_t ns;
		if (fk_parse_u64(val, &ns))
			return f4c_bad_option(ctx, kv, "expected nanoseconds of virtual time from now "
						      "(0 = none)");
		tw_f4_fault_power_at_ns(t, ns ? tw_f4_now_ns(t) + ns : 0);
	} else if (strcmp(key, "strict_keys") == 0) {
		if (fk_parse_u32(val, &n) || n > 1)
			return f4c_bad_option(ctx, kv, "expected 0 or 1");
		tw_f4_set_strict_keys(t, n != 0);
	} else if (strcmp(key, "vpp") == 0) {
		if (fk_parse_u32(val, &n) || n > 1)
			return f4c_bad_option(ctx, kv, "expected 0 or 1");
		tw_f4_set_vpp(t, n != 0);
	} else if (strcmp(key, "hw_wdg_abort") == 0) {
		if (fk_parse_u32(val, &n) || n > 1)
			return f4c_bad_option(ctx, kv, "expected 0 or 1");
		tw_f4_set_hw_watchdog_aborts(t, n != 0);
	} else if (strcmp(key, "stuck_bsy") == 0) {
		if (fk_parse_u32(val, &n) || n > 1)
			return f4c_bad_option(ctx, kv, "expected 0 or 1 (1: FLASH_SR.BSY stays set "
						      "with no operation running, until a reset)");
		tw_f4_set_stuck_bsy(t, n != 0);
	} else if (strcmp(key, "power") == 0) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return f4c_bad_option(ctx, kv, "expected on or off");
		if (strcmp(val, "off") == 0)
			tw_f4_power_off(t);
	} else {
		return f4c_bad_option(ctx, kv, "unknown key");
	}
	return FK_OK;
}

static int f4c_field_allowed(fk_ctx *ctx, const tw_f4_variant *v, const char *kv,
			      const f4c_optkey *k)
{
	if (strcmp(k->key, "sprmod") == 0 && !tw_f4_variant_has_pcrop(v))
		return f4c_bad_option(ctx, kv, "this chip has no SPRMOD/PCROP (RM0090 §3.7.5)");
	if ((k->bank || !strcmp(k->key, "db1m") || !strcmp(k->key, "bfb2")) &&
	    !tw_f4_variant_has_optcr1(v))
		return f4c_bad_option(ctx, kv, "only STM32F42x/43x have this field");
	return FK_OK;
}

static int f4c_apply_option(fk_ctx *ctx, tw_f4 *t, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return f4c_bad_option(ctx, kv, "expected KEY=VALUE");
	char key[32];
	size_t klen = (size_t)(eq - kv);
	if (klen >= sizeof key)
		return f4c_bad_option(ctx, kv, "unknown key");
	memcpy(key, kv, klen);
	key[klen] = '\0';
	for (size_t i = 0; i < sizeof f4c_optkeys / sizeof f4c_optkeys[0]; i++) {
		const f4c_optkey *k = &f4c_optkeys[i];
		if (strcasecmp(key, k->key))
			continue;
		uint32_t val, max = (1U << k->bits) - 1U;
		if (fk_parse_u32(eq + 1, &val) || val > max) {
			char why[64];
			snprintf(why, sizeof why, "value must be a number in 0..0x%X", max);
			return f4c_bad_option(ctx, kv, why);
		}
		int rc = f4c_field_allowed(ctx, tw_f4_variant_of(t), kv, k);
		if (rc)
			return rc;
		uint32_t w = tw_f4_option_word(t, k->bank);
		w = (w & ~(max << k->shift)) | (val << k->shift);
		tw_f4_set_option_word(t, k->bank, w);
		return FK_OK;
	}
	return f4c_special_option(ctx, t, kv, key, eq + 1);
}

/* Sector numbers the chip has now; bank-2 sectors are 12..23. */
static uint32_t f4c_sector_mask(const tw_f4 *t)
{
	uint32_t m = 0;
	tw_f4_sector_info s;
	for (unsigned i = 0; tw_f4_sector_get(t, i, &s); i++)
		m |= 1U << s.num;
	return m;
}

static int f4c_sectors(fk_ctx *ctx, tw_f4 *t, const char *what, const char *list, uint32_t *m)
{
	int rc = f4c_parse_list(ctx, what, list, 24, m);
	if (rc)
		return rc;
	uint32_t bad = *m & ~f4c_sector_mask(t);
	if (bad) {
		unsigned n = (unsigned)__builtin_ctz(bad), c = tw_f4_sector_count(t);
		tw_f4_sector_info last;
		tw_f4_sector_get(t, c - 1, &last);
		fk_hint(ctx, "%s has sectors 0..%u%s", tw_f4_variant_name(tw_f4_variant_of(t)),
			c > 12 || last.num >= 12 ? 11U : c - 1,
			last.num >= 12 ? " and 12..23 (bank 2)" : "");
		return fk_fail(ctx, FK_E_RANGE, "%s: sector %u does not exist on %s", what, n,
			       tw_f4_variant_name(tw_f4_variant_of(t)));
	}
	return FK_OK;
}

/* nWRP bits: bank 1 in OPTCR[27:16] (sectors 0-11), bank 2 in OPTCR1[27:16] (12-23). */
static void f4c_set_nwrp(tw_f4 *t, uint32_t sectors_set)
{
	uint32_t w0 = tw_f4_option_word(t, 0) & ~0x0FFF0000U;
	uint32_t w1 = tw_f4_option_word(t, 1) & ~0x0FFF0000U;
	w0 |= (sectors_set & 0xFFFU) << 16;
	w1 |= ((sectors_set >> 12) & 0xFFFU) << 16;
	tw_f4_set_option_word(t, 0, w0);
	tw_f4_set_option_word(t, 1, w1);
}

static int f4c_protection(fk_ctx *ctx, tw_f4 *t, const tw_args *a)
{
	const char *wrp = a->get(a, "wrp", 0), *pcrop = a->get(a, "pcrop", 0);
	uint32_t m;
	int rc;
	if (wrp && pcrop)
		return fk_fail(ctx, FK_E_USAGE, "--wrp and --pcrop share the nWRP bits "
						   "(SPRMOD selects one meaning, RM0090 §3.7.5): give one");
	if (wrp) {
		if ((rc = f4c_sectors(ctx, t, "--wrp", wrp, &m)))
			return rc;
		f4c_set_nwrp(t, 0xFFFFFFU & ~m);
	}
	if (pcrop) {
		if (!tw_f4_variant_has_pcrop(tw_f4_variant_of(t)))
			return fk_fail(ctx, FK_E_USAGE, "--pcrop: %s has no PCROP (no SPRMOD bit)",
				       tw_f4_variant_name(tw_f4_variant_of(t)));
		if ((rc = f4c_sectors(ctx, t, "--pcrop", pcrop, &m)))
			return rc;
		f4c_set_nwrp(t, m);
		tw_f4_set_option_word(t, 0, tw_f4_option_word(t, 0) | (1U << 31));
	}
	return FK_OK;
}

static int f4c_rdp(fk_ctx *ctx, tw_f4 *t, const tw_args *a)
{
	const char *v = a->get(a, "rdp", 0);
	if (!v)
		return FK_OK;
	static const uint8_t bytes[3] = {0xAA, 0x55, 0xCC};
	uint32_t lvl;
	if (fk_parse_u32(v, &lvl) || lvl > 2)
		return fk_fail(ctx, FK_E_USAGE, "--rdp %s: expected 0, 1 or 2 (use --option "
						   "rdp=0xNN for a raw RDP byte)", v);
	uint32_t w = tw_f4_option_word(t, 0);
	tw_f4_set_option_word(t, 0, (w & ~0xFF00U) | ((uint32_t)bytes[lvl] << 8));
	return FK_OK;
}

static int f4c_hexnib(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

static int f4c_otp_block(fk_ctx *ctx, tw_f4 *t, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char num[256];
	uint32_t blk;
	size_t n = eq ? (size_t)(eq - kv) : 0;
	if (!eq || n == 0 || n >= sizeof num)
		return fk_fail(ctx, FK_E_USAGE, "--otp %s: expected BLOCK=HEX (block 0..15)", kv);
	memcpy(num, kv, n);
	num[n] = '\0';
	if (fk_parse_u32(num, &blk) || blk > 15)
		return fk_fail(ctx, FK_E_USAGE, "--otp %s: block \"%s\" must be 0..15 "
						"(decimal, or hex with 0x)", kv, num);
	const char *hex = eq + 1;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	size_t len = strlen(hex);
	if (len == 0 || len % 2 || len > 64)
		return fk_fail(ctx, FK_E_USAGE, "--otp %s: expected 2..64 hex digits (1..32 bytes)",
			       kv);
	for (size_t i = 0; i < len; i += 2) {
		int hi = f4c_hexnib(hex[i]), lo = f4c_hexnib(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return fk_fail(ctx, FK_E_USAGE, "--otp %s: '%c' at position %zu is not hex",
				       kv, hi < 0 ? hex[i] : hex[i + 1], i + (hi < 0 ? 0 : 1));
		tw_f4_poke(t, 0x1FFF7800U + blk * 32U + (uint32_t)(i / 2), (uint8_t)(hi << 4 | lo));
	}
	return FK_OK;
}

static int f4c_otp(fk_ctx *ctx, tw_f4 *t, const tw_args *a)
{
	const char *kv;
	for (unsigned i = 0; (kv = a->get(a, "otp", i)); i++) {
		int rc = f4c_otp_block(ctx, t, kv);
		if (rc)
			return rc;
	}
	const char *locked = a->get(a, "otp-locked", 0);
	uint32_t m;
	if (locked) {
		int rc = f4c_parse_list(ctx, "--otp-locked", locked, 16, &m);
		if (rc)
			return rc;
		for (unsigned b = 0; b < 16; b++)
			if (m & (1U << b))
				tw_f4_poke(t, 0x1FFF7A00U + b, 0x00);
	}
	return FK_OK;
}

/* --flash FILE: any format the image layer reads (bin at 0x08000000, Intel HEX, S-record,
 * ELF); every byte must land in main flash or OTP. */
static int f4c_flash_file(fk_ctx *ctx, tw_f4 *t, const tw_args *a)
{
	const char *path = a->get(a, "flash", 0);
	if (!path)
		return FK_OK;
	fk_image_load_opts lo = {FK_IMAGE_AUTO, 0x08000000U};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	uint32_t fend = 0x08000000U + tw_f4_variant_flash_bytes(tw_f4_variant_of(t));
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		uint64_t end = (uint64_t)sg->addr + sg->len;
		bool in_flash = sg->addr >= 0x08000000U && end <= fend;
		bool in_otp = sg->addr >= 0x1FFF7800U && end <= 0x1FFF7A10U;
		if (!in_flash && !in_otp) {
			rc = fk_fail(ctx, FK_E_RANGE,
				     "--flash %s: data at 0x%08X..0x%08llX is outside flash "
				     "(0x08000000..0x%08X) and OTP of %s", path, sg->addr,
				     (unsigned long long)end - 1, fend - 1,
				     tw_f4_variant_name(tw_f4_variant_of(t)));
			break;
		}
		for (uint32_t k = 0; k < sg->len; k++)
			tw_f4_poke(t, sg->addr + k, sg->data[k]);
	}
	fk_image_free(img);
	return rc;
}

static int f4c_configure(fk_ctx *ctx, tw_f4 *t, const tw_args *a)
{
	const char *kv;
	int rc = FK_OK;
	for (unsigned i = 0; !rc && (kv = a->get(a, "option", i)); i++)
		rc = f4c_apply_option(ctx, t, kv);
	if (!rc)
		rc = f4c_protection(ctx, t, a);
	if (!rc)
		rc = f4c_rdp(ctx, t, a);
	if (!rc && (a->get(a, "corrupt-options", 0) != NULL))
		tw_f4_set_option_word(t, 0, 0x0FFFFFECU); /* stm32.md §3.1 field report */
	if (!rc)
		rc = f4c_otp(ctx, t, a);
	if (!rc)
		rc = f4c_flash_file(ctx, t, a);
	return rc;
}

int f4_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	return f4c_apply_option(ctx, m, kv);
}

/* `new`: the options in this order, then a power-on reset so that they take effect. */
int f4_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	tw_f4 *t = m;
	int rc = f4c_configure(ctx, t, a);
	if (!rc && tw_f4_powered(t))
		tw_f4_reset(t, TW_RESET_POWER_ON); /* options take effect as after a POR */
	return rc;
}
