/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SPI NOR chip model behind the generic twin interface (twin/model.h): variants are the parts
 * of lib/devices/spinor.c, the state file is twin/spinor/state.c's ("FKTWSPI\n", version 1), and
 * the one port is SPI (chip select + full-duplex bytes). Every entry forwards to the twin's own
 * API (fktwin/spinor.h), which stays its internal interface (the unit tests call it directly).
 * Sources: as twin/spinor/spinor.c (W25Q64JV, GD25Q64C, MX25L6433F datasheets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/image.h"
#include "spinor/spinor_int.h"

/* The instance: the chip plus what the generic layer asks that the chip does not keep. */
typedef struct spm {
	tw_spinor *c;
	uint32_t clean_gen; /* tw_spinor_generation at the last load/save */
	bool touched;       /* changed by direct access (new, set, reset), not through the bus */
	bool off;           /* power-cycle in progress (power_off .. power_on) */
} spm;

#define SPM_OPTION_KEYS                                                                        \
	"bp, tb, sec, cmp, srp, srl, qe, lb1, lb2, lb3, wps, drv0, drv1, sr1, sr2, sr3 (raw bytes), " \
	"wp (low|high), sr_otp (0|1)"

static bool spm_variant_at(unsigned i, tw_variant_info *out)
{
	if (i >= spinor_nparts)
		return false;
	const spinor_part *p = &spinor_parts[i];
	*out = (tw_variant_info){
		.name = p->key,
		.family = p->name,
		.id_name = "JEDEC ID",
		.id_key = "jedec_id",
		.id = (uint32_t)p->id[0] << 16 | (uint32_t)p->id[1] << 8 | p->id[2],
		.id_digits = 6,
		.flash_bytes = p->size,
	};
	return true;
}

static spm *spm_wrap(tw_spinor *c, bool touched)
{
	spm *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->c = c;
	s->clean_gen = tw_spinor_generation(c);
	s->touched = touched;
	return s;
}

static int spm_create(fk_ctx *ctx, const char *name, void **m)
{
	if (!tw_spinor_part_exists(name))
		return FK_E_NOT_FOUND; /* silently: the registry tries the next model */
	tw_spinor *c;
	int rc = tw_spinor_create(ctx, name, &c);
	if (rc)
		return rc;
	spm *s = spm_wrap(c, true); /* a new chip is saved even if nothing is set */
	if (!s) {
		tw_spinor_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "creating a SPI NOR twin");
	}
	*m = s;
	return FK_OK;
}

static void spm_destroy(void *m)
{
	spm *s = m;
	if (!s)
		return;
	tw_spinor_free(s->c);
	free(s);
}

static int spm_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, void **m)
{
	tw_spinor *c;
	int rc = tw_spinor_load_buf(ctx, buf, len, &c);
	if (rc)
		return fk_fail_wrap(ctx, rc, "loading %s", name);
	spm *s = spm_wrap(c, false);
	if (!s) {
		tw_spinor_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "loading %s", name);
	}
	*m = s;
	return FK_OK;
}

static int spm_save(const void *m, uint8_t **buf, size_t *len)
{
	return tw_spinor_save_buf(((const spm *)m)->c, buf, len);
}

static bool spm_dirty(const void *m)
{
	const spm *s = m;
	return s->touched || tw_spinor_generation(s->c) != s->clean_gen;
}

static void spm_mark_clean(void *m)
{
	spm *s = m;
	s->touched = false;
	s->clean_gen = tw_spinor_generation(s->c);
}

static const char *spm_variant_name(const void *m)
{
	return tw_spinor_part_key(((const spm *)m)->c);
}

/* ---------------------------------------------------------------- configuration */

static const tw_model_opt spm_new_opts[] = {
	{"flash", TW_OPT_VALUE, "FILE", "initial flash contents (any image format; a raw binary at 0)"},
	{NULL, 0, NULL, NULL},
};

static int spm_bad(fk_ctx *ctx, const char *kv, const char *why)
{
	fk_hint(ctx, "keys: " SPM_OPTION_KEYS);
	return fk_fail(ctx, FK_E_USAGE, "--option %s: %s", kv, why);
}

/* --option KEY=VALUE: the semantic status fields in both the current and non-volatile registers
 * as a factory programmer would set them, the /WP pin, the one-time status lock (sr_otp). */
static int spm_set_option(void *m, fk_ctx *ctx, const char *kv)
{
	spm *s = m;
	char key[32];
	const char *eq = strchr(kv, '=');
	if (!eq || (size_t)(eq - kv) >= sizeof key)
		return spm_bad(ctx, kv, "expected KEY=VALUE");
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	const char *val = eq + 1;
	s->touched = true;
	if (strcmp(key, "wp") == 0) {
		if (strcmp(val, "low") && strcmp(val, "high"))
			return spm_bad(ctx, kv, "expected low or high");
		tw_spinor_set_wp(s->c, strcmp(val, "high") == 0);
		return FK_OK;
	}
	uint32_t v;
	if (fk_parse_u32(val, &v))
		return spm_bad(ctx, kv, "expected a number");
	if (strcmp(key, "sr_otp") == 0) {
		tw_spinor_set_sr_otp(s->c, v != 0);
		return FK_OK;
	}
	int rc = tw_spinor_set_field(s->c, key, v);
	if (rc == -1)
		return spm_bad(ctx, kv, "this part has no such status bit");
	if (rc == -2)
		return spm_bad(ctx, kv, "value too large for the field");
	return FK_OK;
}

static int spm_flash(spm *s, fk_ctx *ctx, const char *path)
{
	fk_image_load_opts lo = {FK_IMAGE_AUTO, 0};
	fk_image *img;
	int rc = fk_image_load(ctx, path, &lo, &img);
	if (rc)
		return fk_fail_wrap(ctx, rc, "--flash %s", path);
	const fk_segment *sg;
	for (size_t i = 0; rc == FK_OK && (sg = fk_image_segment(img, i)); i++) {
		if ((uint64_t)sg->addr + sg->len > tw_spinor_size(s->c)) {
			rc = fk_fail(ctx, FK_E_RANGE, "--flash %s: data up to 0x%llX is beyond the "
				     "%u-byte chip", path, (unsigned long long)sg->addr + sg->len - 1,
				     tw_spinor_size(s->c));
			break;
		}
		memcpy(tw_spinor_mem(s->c) + sg->addr, sg->data, sg->len);
	}
	fk_image_free(img);
	return rc;
}

/* `new`: the --option settings in the order given, then --flash. */
static int spm_configure(void *m, fk_ctx *ctx, const tw_args *a)
{
	int rc = FK_OK;
	const char *kv;
	for (unsigned i = 0; !rc && (kv = a->get(a, "option", i)); i++)
		rc = spm_set_option(m, ctx, kv);
	const char *path = a->get(a, "flash", 0);
	if (!rc && path)
		rc = spm_flash(m, ctx, path);
	return rc;
}

static void spm_event_text(const void *m, tw_event ev, char *buf, size_t n)
{
	const tw_spinor *c = ((const spm *)m)->c;
	uint32_t ps, pl;
	bool contig;
	tw_spinor_protected_span(c, &ps, &pl, &contig);
	char prot[64];
	if (pl)
		snprintf(prot, sizeof prot, "protected 0x%06X..0x%06X", ps, ps + pl - 1);
	else
		snprintf(prot, sizeof prot, "protected none");
	switch (ev) {
	case TW_EV_CREATED:
		snprintf(buf, n, "%u KiB, %s", tw_spinor_size(c) / 1024, prot);
		return;
	case TW_EV_POWER_CYCLED:
		snprintf(buf, n, "power cycle: volatile status bits reloaded from the non-volatile "
				 "ones, SRL cleared, WEL 0, block locks set; %s", prot);
		return;
	case TW_EV_RESET:
		snprintf(buf, n, "software reset (66h, 99h): WEL 0, volatile status bits reloaded; %s",
			 prot);
		return;
	}
	if (n)
		buf[0] = '\0';
}

/* ---------------------------------------------------------------- description */

static void spm_show_text(const void *m, const char *path, FILE *out)
{
	(void)path;
	tw_spinor_show(((const spm *)m)->c, out, false);
}

static void spm_show_json(const void *m, const char *path, const tw_json *j)
{
	(void)path;
	tw_spinor_show_json(((const spm *)m)->c, j);
}

/* ---------------------------------------------------------------- clock, power, pins */

static uint64_t spm_now(const void *m)
{
	return tw_spinor_now(((const spm *)m)->c);
}

static void spm_advance(void *m, uint64_t ns)
{
	tw_spinor_advance(((spm *)m)->c, ns);
}

static uint64_t spm_busy_until(const void *m)
{
	const tw_spinor *c = ((const spm *)m)->c;
	uint64_t left = tw_spinor_busy_ns(c);
	return left ? tw_spinor_now(c) + left : 0;
}

/* A system reset is the Enable Reset (66h) + Reset Device (99h) pair (W64 §6.4), as a host resets
 * the chip; a power-on reset is a power cycle. UNCONFIRMED choice: the /RESET pin of some
 * packages is not modelled, so `flashkey-twin reset` uses the instruction pair. */
static void spm_reset(void *m, tw_reset kind)
{
	spm *s = m;
	s->touched = true;
	if (kind == TW_RESET_POWER_ON) {
		tw_spinor_power_cycle(s->c);
		return;
	}
	tw_spinor_cs_assert(s->c);
	(void)tw_spinor_xfer(s->c, 0x66);
	tw_spinor_cs_release(s->c);
	tw_spinor_cs_assert(s->c);
	(void)tw_spinor_xfer(s->c, 0x99);
	tw_spinor_cs_release(s->c);
}

static bool spm_powered(const void *m)
{
	return !((const spm *)m)->off;
}

/* The twin cuts and restores power in one step (tw_spinor_power_cycle); the generic power-cycle
 * calls off then on, so the cut is applied at power_on. */
static void spm_power_off(void *m)
{
	((spm *)m)->off = true;
}

static void spm_power_on(void *m)
{
	spm *s = m;
	s->off = false;
	s->touched = true;
	tw_spinor_power_cycle(s->c);
}

static void spm_set_nrst(void *m, bool asserted)
{
	(void)m; /* no reset pin modelled (/HOLD//RESET shares a pin on some packages) */
	(void)asserted;
}

static bool spm_nrst(const void *m)
{
	(void)m;
	return false;
}

static int spm_voltage(const void *m)
{
	/* no supply is modelled: 3.3 V nominal while powered (UNCONFIRMED choice) */
	return spm_powered(m) ? 3300 : 0;
}

/* ---------------------------------------------------------------- port: SPI */

static void spm_select(void *m, bool asserted)
{
	spm *s = m;
	if (asserted)
		tw_spinor_cs_assert(s->c);
	else
		tw_spinor_cs_release(s->c);
}

static uint8_t spm_exchange(void *m, uint8_t mosi)
{
	return tw_spinor_xfer(((spm *)m)->c, mosi);
}

/* The /WP pin as `flashkey-twin set --option wp=low|high` wired it. */
static int spm_wp_level(const void *m)
{
	return tw_spinor_wp(((const spm *)m)->c) ? 1 : 0;
}

static const tw_spi_port spm_spi_port = {
	.select = spm_select,
	.exchange = spm_exchange,
	.wp_level = spm_wp_level,
	/* fR: Read Data (03h) up to 50 MHz (W64 AC characteristics; other instructions 133 MHz);
	 * the twin times every instruction alike. UNCONFIRMED for GD25Q64C/MX25L6433F. */
	.max_hz = 50000000U,
};

/* ---------------------------------------------------------------- the model */

const tw_model tw_model_spinor = {
	.name = "spinor",
	.summary = "SPI NOR flash (W25Q32JV/64JV/128JV, GD25Q64C, MX25L6433F): status-register "
		   "protection, block locks, security registers, SPI port",
	.magic = {'F', 'K', 'T', 'W', 'S', 'P', 'I', '\n'},
	.version = 1,
	.variant_at = spm_variant_at,
	.create = spm_create,
	.destroy = spm_destroy,
	.load = spm_load,
	.save = spm_save,
	.dirty = spm_dirty,
	.mark_clean = spm_mark_clean,
	.variant_name = spm_variant_name,
	.new_opts = spm_new_opts,
	.configure = spm_configure,
	.set_option = spm_set_option,
	.option_keys = SPM_OPTION_KEYS,
	.event_text = spm_event_text,
	.show_text = spm_show_text,
	.show_json = spm_show_json,
	.now_ns = spm_now,
	.advance = spm_advance,
	.busy_until_ns = spm_busy_until,
	.reset = spm_reset,
	.powered = spm_powered,
	.power_off = spm_power_off,
	.power_on = spm_power_on,
	.set_nrst = spm_set_nrst,
	.nrst = spm_nrst,
	.voltage_mv = spm_voltage,
	.fault_power_at_ns = NULL,
	.fault_power_at_op = NULL,
	.dap = NULL,
	.streams = NULL,
	.spi = &spm_spi_port,
};
