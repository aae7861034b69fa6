/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32 / ESP32-C3 chip model behind the generic twin interface (twin/model.h): variants
 * "esp32" and "esp32c3", the state image of state.c ("FKTWESP\n", version 1), eFuses set at
 * creation (`flashkey-twin new esp32 PATH --efuse FLASH_CRYPT_CNT=1`; flashkey never burns an
 * eFuse, the twin's factory does), the board (auto-reset circuit, boot pin held), the attached
 * SPI NOR twin (--spi-flash PART, --flash FILE, --option flash.KEY=V), and one port: the serial
 * ROM loader "esp-rom" (rom.c). Sources: see esp.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp32/esp.h"
#include "flashkey/image.h"
#include "spinor/spinor_int.h"

#define ESP_OPTION_KEYS                                                                        \
	"autoreset (0|1: the DTR/RTS circuit), boot_pin (low|high: held by the user), "        \
	"efuse.NAME (an eFuse field, e.g. efuse.FLASH_CRYPT_CNT=1), flash.KEY (the SPI flash: " \
	"bp, tb, sec, cmp, srp, srl, qe, sr1..sr3, wp=low|high)"

static bool esp_variant_at(unsigned i, tw_variant_info *out)
{
	if (i >= tw_esp_nvariants)
		return false;
	const tw_esp_variant *v = &tw_esp_variants[i];
	*out = (tw_variant_info){
		.name = v->name,
		.family = v->family,
		.id_name = v->chip_id ? "chip ID" : "chip-detect magic",
		.id_key = v->chip_id ? "chip_id" : "magic",
		.id = v->chip_id ? v->chip_id : v->magic,
		.id_digits = v->chip_id ? 2 : 8,
		.flash_bytes = 4U * 1024U * 1024U,
	};
	return true;
}

static int esp_create_m(fk_ctx *ctx, const char *name, void **m)
{
	if (!tw_esp_variant_find(name))
		return FK_E_NOT_FOUND;
	tw_esp *e;
	int rc = tw_esp_create(ctx, name, NULL, &e);
	if (rc)
		return rc;
	*m = e;
	return FK_OK;
}

static void esp_destroy(void *m)
{
	tw_esp_free(m);
}

static int esp_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_esp *e;
	int rc = tw_esp_load_buf(ctx, name, buf, len, &e);
	if (rc)
		return rc;
	e->clean_run = e->run;
	*m = e;
	return FK_OK;
}

static int esp_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_esp_save_buf(m, buf, len);
}

static bool esp_dirty(const void *m)
{
	const tw_esp *e = m;
	return e->touched || tw_spinor_generation(e->flash) != e->clean_gen ||
	       e->run != e->clean_run;
}

static void esp_mark_clean(void *m)
{
	tw_esp *e = m;
	e->touched = false;
	e->clean_gen = tw_spinor_generation(e->flash);
	e->clean_run = e->run;
}

static const char *esp_variant_name(const void *m)
{
	return ((const tw_esp *)m)->v->name;
}

/* ---------------------------------------------------------------- configuration */

static const tw_model_opt esp_new_opts[] = {
	{"efuse", TW_OPT_MULTI, "NAME=VALUE", "an eFuse field as the factory left it "
					      "(e.g. FLASH_CRYPT_CNT=1, UART_DOWNLOAD_DIS=1; "
					      "esp32c3: BLOCK_KEY0..5=64 hex digits, a key file "
					      "burnt as espefuse burn_key does)"},
	{"spi-flash", TW_OPT_VALUE, "PART", "the attached SPI NOR part (default w25q32jv)"},
	{"flash", TW_OPT_VALUE, "FILE", "initial flash contents (any image format; a raw binary at 0)"},
	{NULL, 0, NULL, NULL},
};

static int esp_bad(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " ESP_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

/* BLOCK_KEYn=HEX (C3): the 32-byte key file as 64 hex digits, burnt as `espefuse burn_key
 * BLOCK_KEYn key.bin XTS_AES_128_KEY` burns it (crypt.c); the purpose is KEY_PURPOSE_n=4. */
static int esp_set_key(tw_esp *e, fk_ctx *ctx, const char *what, const char *nv, unsigned n)
{
	const char *hex = strchr(nv, '=') + 1;
	uint8_t key[32];
	if (e->v->kind != TW_ESP32C3)
		return fk_fail(ctx, FK_E_USAGE, "%s %s: key blocks are modelled on the esp32c3 only",
			       what, nv);
	if (strlen(hex) != 64)
		return fk_fail(ctx, FK_E_USAGE, "%s %s: expected 64 hex digits (a 256-bit "
			       "XTS-AES-128 key file, as espsecure generate_flash_encryption_key "
			       "writes)", what, nv);
	for (unsigned i = 0; i < 32; i++) {
		char b[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
		char *end;
		unsigned long v = strtoul(b, &end, 16);
		if (*end || !isxdigit((unsigned char)b[0]))
			return fk_fail(ctx, FK_E_USAGE, "%s %s: '%s' is not a hex byte", what, nv,
				       b);
		key[i] = (uint8_t)v;
	}
	return tw_esp_set_key(e, n, key);
}

static int esp_set_efuse(tw_esp *e, fk_ctx *ctx, const char *what, const char *nv)
{
	char name[48];
	const char *eq = strchr(nv, '=');
	uint32_t v;
	if (!eq || (size_t)(eq - nv) >= sizeof name)
		return fk_fail(ctx, FK_E_USAGE, "%s %s: expected NAME=VALUE", what, nv);
	memcpy(name, nv, (size_t)(eq - nv));
	name[eq - nv] = '\0';
	if (strncasecmp(name, "BLOCK_KEY", 9) == 0 && name[9] >= '0' && name[9] <= '5' && !name[10])
		return esp_set_key(e, ctx, what, nv, (unsigned)(name[9] - '0'));
	const tw_esp_field *f = tw_esp_field_find(e->v->kind, name);
	if (!f) {
		char list[1200] = "";
		for (const tw_esp_field *g = tw_esp_fields(e->v->kind); g->name; g++)
			fk_snprintf_cat(list, sizeof list, "%s%s", list[0] ? ", " : "", g->name);
		fk_hint(ctx, "%s eFuse fields: %s", e->v->name, list);
		return fk_fail(ctx, FK_E_USAGE, "%s %s: %s has no eFuse field %s", what, nv,
			       e->v->name, name);
	}
	if (fk_parse_u32(eq + 1, &v))
		return fk_fail(ctx, FK_E_USAGE, "%s %s: expected a number", what, nv);
	if (f->width < 32 && v >> f->width)
		return fk_fail(ctx, FK_E_RANGE, "%s %s: %s is %u bits wide", what, nv, f->name,
			       f->width);
	tw_esp_field_set(e->efuse, f, v);
	e->touched = true;
	return FK_OK;
}

static int esp_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	tw_esp *e = m;
	const char *eq = strchr(kv, '=');
	if (!eq)
		return esp_bad(ctx, kv, "expected KEY=VALUE");
	const char *val = eq + 1;
	size_t klen = (size_t)(eq - kv);
	e->touched = true;
	if (strncmp(kv, "efuse.", 6) == 0)
		return esp_set_efuse(e, ctx, "--option", kv + 6);
	if (strncmp(kv, "flash.", 6) == 0) {
		char key[32];
		if (klen - 6 >= sizeof key)
			return esp_bad(ctx, kv, "key too long");
		memcpy(key, kv + 6, klen - 6);
		key[klen - 6] = '\0';
		if (strcmp(key, "wp") == 0) {
			if (strcmp(val, "low") && strcmp(val, "high"))
				return esp_bad(ctx, kv, "expected low or high");
			tw_spinor_set_wp(e->flash, strcmp(val, "high") == 0);
			return FK_OK;
		}
		uint32_t v;
		if (fk_parse_u32(val, &v))
			return esp_bad(ctx, kv, "expected a number");
		int rc = tw_spinor_set_field(e->flash, key, v);
		if (rc == -1)
			return esp_bad(ctx, kv, "the attached flash has no such status bit");
		if (rc == -2)
			return esp_bad(ctx, kv, "value too large for the field");
		return FK_OK;
	}
	if (klen == 9 && strncmp(kv, "autoreset", 9) == 0) {
		if (strcmp(val, "0") && strcmp(val, "1"))
			return esp_bad(ctx, kv, "expected 0 or 1");
		e->autoreset = val[0] == '1';
		return FK_OK;
	}
	if (klen == 8 && strncmp(kv, "boot_pin", 8) == 0) {
		if (strcmp(val, "low") && strcmp(val, "high"))
			return esp_bad(ctx, kv, "expected low (held for download) or high");
		e->strap_download = strcmp(val, "low") == 0;
		return FK_OK;
	}
	return esp_bad(ctx, kv, "unknown key");
}

static int esp_flash_file(tw_esp *e, fk_ctx *ctx, const char *path)
{
	fk_image_load_opts lo = {FK_IMAGE_AUTO, 0};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		if ((uint64_t)sg->addr + sg->len > tw_spinor_size(e->flash)) {
			rc = fk_fail(ctx, FK_E_RANGE, "--flash %s: data up to 0x%llX is beyond the "
				     "%u-byte flash", path,
				     (unsigned long long)sg->addr + sg->len - 1,
				     tw_spinor_size(e->flash));
			break;
		}
		memcpy(tw_spinor_mem(e->flash) + sg->addr, sg->data, sg->len);
	}
	fk_image_free(img);
	return rc;
}

/* `new`: --spi-flash (replaces the module's flash), the eFuses, --option, --flash; then a
 * power-on reset so that the ROM reads the eFuses and the straps. */
static int esp_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	tw_esp *e = m;
	int rc = FK_OK;
	const char *part = a->get(a, "spi-flash", 0);
	if (part) {
		if (!tw_spinor_part_exists(part)) {
			fk_hint(ctx, "SPI NOR parts: %s", tw_spinor_part_list());
			return fk_fail(ctx, FK_E_USAGE, "--spi-flash %s: not a SPI NOR part the twin "
							"models", part);
		}
		tw_spinor *f;
		rc = tw_spinor_create(ctx, part, &f);
		if (rc)
			return rc;
		tw_spinor_advance(f, tw_spinor_now(e->flash));
		tw_spinor_free(e->flash);
		e->flash = f;
	}
	const char *kv;
	for (unsigned i = 0; !rc && (kv = a->get(a, "efuse", i)); i++)
		rc = esp_set_efuse(e, ctx, "--efuse", kv);
	for (unsigned i = 0; !rc && (kv = a->get(a, "option", i)); i++)
		rc = esp_set_option(e, ctx, kv);
	const char *path = a->get(a, "flash", 0);
	if (!rc && path)
		rc = esp_flash_file(e, ctx, path);
	if (!rc) {
		tw_spinor_power_cycle(e->flash);
		tw_esp_reset(e);
	}
	e->touched = true;
	return rc;
}

static const char *run_text(tw_esp_run r)
{
	switch (r) {
	case TW_ESP_RUN_APP: return "application (SPI boot)";
	case TW_ESP_RUN_ROM: return "ROM download mode";
	case TW_ESP_RUN_ROM_DEAD: return "download mode disabled by eFuse (silent)";
	case TW_ESP_RUN_STUB: return "esptool flasher stub";
	case TW_ESP_RUN_UNKNOWN: return "unknown code from RAM (silent)";
	case TW_ESP_RUN_RESET: return "held in reset";
	}
	return "?";
}

static void prot_text(const tw_esp *e, char *buf, size_t n)
{
	uint32_t ps, pl;
	bool contig;
	tw_spinor_protected_span(e->flash, &ps, &pl, &contig);
	if (pl)
		snprintf(buf, n, "flash protected 0x%06X..0x%06X", ps, ps + pl - 1);
	else
		snprintf(buf, n, "flash unprotected");
}

static void esp_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_esp *e = m;
	char prot[64];
	prot_text(e, prot, sizeof prot);
	switch (ev) {
	case TW_EV_CREATED:
		snprintf(buf, n, "%s, %u KiB %s, %s, flash encryption %s", run_text(e->run),
			 tw_spinor_size(e->flash) / 1024, tw_spinor_part_key(e->flash), prot,
			 tw_esp_flash_encrypted(e) ? "on" : "off");
		return;
	case TW_EV_POWER_CYCLED:
		snprintf(buf, n, "power cycle: the ROM sampled the boot pin: %s; the flash reloaded "
				 "its volatile status bits; %s", run_text(e->run), prot);
		return;
	case TW_EV_RESET:
		snprintf(buf, n, "reset (EN): %s; %s", run_text(e->run), prot);
		return;
	}
	if (n)
		buf[0] = '\0';
}

/* ---------------------------------------------------------------- description */

static const char *jtag_text(const tw_esp *e)
{
	if (e->v->kind == TW_ESP32)
		return tw_esp_field_get(e->efuse, tw_esp_field_find(TW_ESP32, "JTAG_DISABLE"))
			       ? "disabled (JTAG_DISABLE)"
			       : "enabled";
	uint32_t f = tw_esp_security_flags(e);
	return f & (1U << 7) ? "disabled for good (DIS_PAD_JTAG)"
	       : f & (1U << 6) ? "soft-disabled (SOFT_DIS_JTAG)"
			       : "enabled";
}

static bool secure_boot(const tw_esp *e)
{
	if (e->v->kind == TW_ESP32)
		return tw_esp_field_get(e->efuse, tw_esp_field_find(TW_ESP32, "ABS_DONE_0")) ||
		       tw_esp_field_get(e->efuse, tw_esp_field_find(TW_ESP32, "ABS_DONE_1"));
	return (tw_esp_security_flags(e) & 1U) != 0;
}

static void esp_show_text(const void *m, const char *path, FILE *out)
{
	const tw_esp *e = m;
	uint8_t mac[6];
	tw_esp_mac(e, mac);
	fprintf(out, "ESP twin %s: %s\n", path ? path : "", e->v->family);
	fprintf(out, "  running:          %s (boot:0x%X)\n", run_text(e->run), e->boot_value);
	fprintf(out, "  board:            auto-reset circuit %s, boot pin %s\n",
		e->autoreset ? "present (DTR->IO0, RTS->EN)" : "absent",
		e->strap_download ? "held low (download)" : "released");
	fprintf(out, "  MAC:              %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2],
		mac[3], mac[4], mac[5]);
	fprintf(out, "  download mode:    %s\n",
		tw_esp_download_disabled(e) ? "disabled by eFuse"
		: tw_esp_secure_download(e) ? "Secure Download Mode"
					    : "enabled");
	fprintf(out, "  flash encryption: %s (crypt count 0x%X)\n",
		tw_esp_flash_encrypted(e) ? "on" : "off", tw_esp_crypt_cnt(e));
	if (e->v->kind == TW_ESP32C3) {
		uint8_t key[32];
		fprintf(out, "  XTS-AES-128 key:  %s\n", tw_esp_xts_key(e, key)
			? "a key block with KEY_PURPOSE XTS_AES_128_KEY (4)" : "none");
		memset(key, 0, sizeof key);
	}
	fprintf(out, "  secure boot:      %s\n", secure_boot(e) ? "on" : "off");
	fprintf(out, "  JTAG:             %s\n", jtag_text(e));
	fprintf(out, "  eFuse fields set:");
	bool any = false;
	for (const tw_esp_field *f = tw_esp_fields(e->v->kind); f->name; f++) {
		uint32_t v = tw_esp_field_get(e->efuse, f);
		if (v) {
			fprintf(out, " %s=0x%X", f->name, v);
			any = true;
		}
	}
	fprintf(out, "%s\n", any ? "" : " none");
	fprintf(out, "  attached SPI flash:\n");
	tw_spinor_show(e->flash, out, false);
}

static void esp_show_json(const void *m, const char *path, const tw_json *j)
{
	const tw_esp *e = m;
	(void)path;
	uint8_t mac[6];
	char ms[24];
	tw_esp_mac(e, mac);
	snprintf(ms, sizeof ms, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	j->obj_begin(j->h);
	tw_json_kv_str(j, "model", "esp32");
	tw_json_kv_str(j, "variant", e->v->name);
	tw_json_kv_str(j, "running", run_text(e->run));
	tw_json_kv_bool(j, "autoreset", e->autoreset);
	tw_json_kv_bool(j, "boot_pin_held_low", e->strap_download);
	tw_json_kv_str(j, "mac", ms);
	tw_json_kv_bool(j, "download_disabled", tw_esp_download_disabled(e));
	tw_json_kv_bool(j, "secure_download", tw_esp_secure_download(e));
	tw_json_kv_bool(j, "flash_encryption", tw_esp_flash_encrypted(e));
	tw_json_kv_bool(j, "secure_boot", secure_boot(e));
	j->key(j->h, "efuse");
	j->obj_begin(j->h);
	for (const tw_esp_field *f = tw_esp_fields(e->v->kind); f->name; f++)
		tw_json_kv_uint(j, f->name, tw_esp_field_get(e->efuse, f));
	j->obj_end(j->h);
	j->key(j->h, "spi_flash");
	tw_spinor_show_json(e->flash, j);
	j->obj_end(j->h);
}

/* ---------------------------------------------------------------- clock, power, pins */

static uint64_t esp_now(const void *m)
{
	return tw_esp_now(m);
}

static void esp_advance(void *m, uint64_t ns)
{
	tw_esp_advance(m, ns);
}

static uint64_t esp_busy_until(const void *m)
{
	const tw_esp *e = m;
	uint64_t left = tw_spinor_busy_ns(e->flash);
	return left ? tw_spinor_now(e->flash) + left : 0;
}

/* A system reset is EN (CHIP_PU) pulled low and released; power-on also power-cycles the
 * flash, which shares the supply (its volatile status bits reload). */
static void esp_reset(void *m, tw_reset kind)
{
	tw_esp *e = m;
	if (kind == TW_RESET_POWER_ON)
		tw_spinor_power_cycle(e->flash);
	e->en_low = false;
	tw_esp_reset(e);
	e->touched = true;
}

static bool esp_powered(const void *m)
{
	return ((const tw_esp *)m)->powered;
}

static void esp_power_off(void *m)
{
	tw_esp *e = m;
	e->powered = false;
	e->run = TW_ESP_RUN_RESET;
	e->touched = true;
}

static void esp_power_on(void *m)
{
	tw_esp *e = m;
	e->powered = true;
	esp_reset(e, TW_RESET_POWER_ON);
}

static void esp_set_nrst(void *m, bool asserted)
{
	tw_esp *e = m;
	bool was = e->en_low;
	e->en_low = asserted;
	if (asserted)
		e->run = TW_ESP_RUN_RESET;
	else if (was)
		tw_esp_reset(e);
	e->touched = true;
}

static bool esp_nrst(const void *m)
{
	return ((const tw_esp *)m)->en_low;
}

static int esp_voltage(const void *m)
{
	/* UNCONFIRMED choice: no supply model, 3.3 V while powered */
	return esp_powered(m) ? 3300 : 0;
}

static const tw_stream_port *const esp_streams[] = {&tw_esp_rom_port, NULL};

const tw_model tw_model_esp32 = {
	.name = "esp32",
	.summary = "ESP32 / ESP32-C3: serial ROM loader (SLIP), eFuses, SPI1 controller over a "
		   "SPI NOR twin, auto-reset circuit",
	.magic = {'F', 'K', 'T', 'W', 'E', 'S', 'P', '\n'},
	.version = TW_ESP_VERSION,
	.variant_at = esp_variant_at,
	.create = esp_create_m,
	.destroy = esp_destroy,
	.load = esp_load,
	.save = esp_save,
	.dirty = esp_dirty,
	.mark_clean = esp_mark_clean,
	.variant_name = esp_variant_name,
	.new_opts = esp_new_opts,
	.configure = esp_configure,
	.set_option = esp_set_option,
	.option_keys = ESP_OPTION_KEYS,
	.event_text = esp_event_text,
	.show_text = esp_show_text,
	.show_json = esp_show_json,
	.now_ns = esp_now,
	.advance = esp_advance,
	.busy_until_ns = esp_busy_until,
	.reset = esp_reset,
	.powered = esp_powered,
	.power_off = esp_power_off,
	.power_on = esp_power_on,
	.set_nrst = esp_set_nrst,
	.nrst = esp_nrst,
	.voltage_mv = esp_voltage,
	.fault_power_at_ns = NULL,
	.fault_power_at_op = NULL,
	.dap = NULL,
	.streams = esp_streams,
	.spi = NULL,
};
