/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ESP32 and ESP32-C3 behind the chip-driver interface (lib/chip/driver.h) on the Espressif
 * serial ROM loader path (esp:, twin-esp:; lib/boot/esp_loader.c).
 *
 * What locks an ESP32's flash comes from two places:
 *   - the attached SPI NOR's status register (BP/TB/SEC/CMP/SRP): decoded, planned and cleared
 *     by the SPI NOR driver (lib/chip/spinor_driver.c), which this driver runs over a SPI
 *     programmer made of the ROM's SPI1 user-command registers (esptool's
 *     run_spiflash_command: READ_REG/WRITE_REG of SPI_USER/USER2/DLEN/W0.., SPI_CMD.USR) —
 *     the same mechanism as esptool's read_flash_status / write_flash_status, so unlock is
 *     `write_flash_status` (volatile 50h, then --non-volatile 06h) with a read-back;
 *   - eFuses (flash encryption, secure boot, JTAG, download mode, eFuse write/read disable):
 *     one-time bits. flashkey never burns an eFuse and cannot clear one: they are listed with
 *     their meaning, "cannot be undone", and what still works.
 * Erase goes through the SPI NOR driver (it checks the protection first and names the bits);
 * program through the ROM's FLASH_BEGIN/FLASH_DATA (the ROM reads every block back); read
 * through READ_FLASH_SLOW (ESP32 ROM) or 03h through SPI1 (C3).
 *
 * Sources (own words; ../shared/reference/esp32-rom.md, esp_lpc.md part A): esptool loader.py
 * (flash_begin, run_spiflash_command, read_status/write_status), cmds.py (detect_chip,
 * attach_flash, write_flash_status, the security checks before write/erase), targets/esp32.py and
 * esp32c3.py, espefuse field tables (lib/devices/esp32.c), serial-protocol.rst. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot/esp_loader.h"
#include "chip/driver.h"
#include "chip/esp32_crypt.h"
#include "core/core.h"
#include "devices/esp32.h"
#include "flashkey/flashkey.h"

extern const fk_chip_driver spinor_chip_driver;

#define E32_MAX_WORDS 8U

typedef struct e32drv {
	const esp32_part *part;
	esp_loader *l;
	esp_spi_regs regs;
	bool sdm;            /* Secure Download Mode: no register access */
	bool crypt_said;     /* the "digests are of ciphertext" warning given, or write_crypt ran */
	uint32_t efuse[E32_MAX_WORDS];
	bool efuse_ok;
	unsigned revision;   /* ESP32: 0..3 (esp32_revision); C3: major * 100 + minor */
	bool have_revision;
	char rev_text[16];   /* "v3", "v0.4" (as esptool prints it) */
	uint8_t mac[6];
	bool have_mac;
	/* the flash behind SPI1, driven by the SPI NOR driver */
	fk_transport spi_t;
	fk_chip_path spi_path;
	fk_chip_ids spi_ids;
	void *nor;           /* spinor driver state; NULL in Secure Download Mode */
	uint32_t flash_size;
	fk_chip_desc desc;
	fk_erase_unit *units;
	char members[64], chip[32];
	/* write-blocking ranges of the flash's status register, from the last inventory */
	unsigned nblock;
	struct {
		uint32_t addr, len;
		char what[320];
	} block[4];
} e32drv;

/* ---------------------------------------------------------------- identification (pure) */

static bool e32_magic_is(const esp32_part *p, uint32_t m)
{
	for (const uint32_t *v = p->magic; *v; v++)
		if (*v == m)
			return true;
	return false;
}

static bool e32_ids_are(const esp32_part *p, const fk_chip_ids *ids)
{
	if (ids->path != FK_PATH_ROM_STREAM)
		return false;
	if (ids->have_esp_chip_id)
		return p->chip_id && ids->esp_chip_id == p->chip_id;
	return ids->have_esp_magic && e32_magic_is(p, ids->esp_magic);
}

#define E32_DRIVER_FNS(NAME, IDX)                                                                  \
	static bool NAME##_owns(const char *n)                                                     \
	{                                                                                          \
		return strcasecmp(n, esp32_parts[IDX].name) == 0;                                  \
	}                                                                                          \
	static bool NAME##_match(const fk_chip_ids *ids, char *part, size_t n)                     \
	{                                                                                          \
		if (!e32_ids_are(&esp32_parts[IDX], ids))                                          \
			return false;                                                              \
		fk_strlcpy(part, esp32_parts[IDX].name, n);                                        \
		return true;                                                                       \
	}                                                                                          \
	static bool NAME##_part_is(const fk_chip_ids *ids, const char *name)                       \
	{                                                                                          \
		return e32_ids_are(&esp32_parts[IDX], ids) && NAME##_owns(name);                   \
	}                                                                                          \
	static int NAME##_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,          \
				 const char *force, void **state)                                  \
	{                                                                                          \
		return e32_attach(&esp32_parts[IDX], ctx, path, ids, force, state);                \
	}

/* ---------------------------------------------------------------- SPI1 as a SPI programmer */

static int e32_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	e32drv *d = h;
	d->l->ctx = ctx;
	if (!wlen)
		return fk_fail(ctx, FK_E_INTERNAL, "SPI transaction without an instruction");
	/* the instruction in the command phase, address and data bytes as MOSI data: the flash
	 * sees the same bits (TRM §7.4.4 user-defined command) */
	return esp_ldr_spi_command(d->l, &d->regs, w[0], w + 1, wlen - 1, r, rlen);
}

static void e32_limits(void *h, size_t *max_write, size_t *max_read)
{
	(void)h;
	*max_write = 1U + ESP_SPI_MAX_DATA;
	*max_read = ESP_SPI_MAX_DATA;
}

static uint64_t e32_vns(void *h)
{
	e32drv *d = h;
	return d->l->ops->virtual_ns ? d->l->ops->virtual_ns(d->l->h) : 0;
}

/* Waiting = a read that times out: a twin advances its clock, hardware sleeps. */
static void e32_delay(void *h, uint32_t us)
{
	e32drv *d = h;
	uint8_t b;
	size_t got;
	(void)d->l->ops->read(d->l->h, d->l->ctx, &b, 1, (us + 999U) / 1000U, &got);
}

/* A run of sectors erased by the ROM: FLASH_BEGIN with the run as its erase size and no data
 * blocks, as Secure Download Mode's erase does. The ROM erases before it answers, by 64 KiB
 * blocks where aligned (esptool loader.py flash_begin: one command, its timeout scaled by the
 * size), instead of WREN, 20h/D8h and status polls each carried by READ_REG/WRITE_REG round
 * trips. Called by the SPI NOR driver after it found the run unprotected. UNCONFIRMED: that
 * the real ROM accepts 0 blocks (serial-protocol.rst does not say; see e32_erase). */
static int e32_erase_range(void *h, fk_ctx *ctx, uint32_t addr, uint32_t len)
{
	e32drv *d = h;
	d->l->ctx = ctx;
	return esp_ldr_flash_begin(d->l, len, 0, ESP_FLASH_BLOCK, addr);
}

static const fk_spi_ops e32_spi_ops = {
	.xfer = e32_xfer,
	.limits = e32_limits,
	.set_speed = NULL,
	.wp_level = NULL,
	.power_cycle = NULL,
	.virtual_ns = e32_vns,
	.delay = e32_delay,
	.erase_range = e32_erase_range,
};

/* ---------------------------------------------------------------- eFuses */

static int e32_read_efuses(e32drv *d, fk_ctx *ctx)
{
	/* an inventory read after a failed step must not wipe that step's error (the MAC and
	 * revision reads below are optional and clear only what they added) */
	bool clean = fk_ctx_error(ctx) == FK_OK;
	d->l->ctx = ctx;
	d->efuse_ok = false;
	if (d->sdm)
		return FK_OK; /* READ_REG is refused in Secure Download Mode */
	unsigned n = d->part->kind == ESP32_KIND_ESP32 ? 7U : 5U;
	for (unsigned i = 0; i < n; i++) {
		int rc = esp_ldr_read_reg(d->l, d->part->efuse_rd + 4U * i, &d->efuse[i]);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading the eFuses");
	}
	d->efuse_ok = true;
	uint32_t lo, hi;
	if (!esp_ldr_read_reg(d->l, d->part->mac_reg, &lo) &&
	    !esp_ldr_read_reg(d->l, d->part->mac_reg + 4U, &hi)) {
		esp32_mac(lo, hi, d->mac);
		d->have_mac = true;
	}
	if (d->part->kind == ESP32_KIND_ESP32) {
		uint32_t apb;
		if (!esp_ldr_read_reg(d->l, ESP32_APB_CTL_DATE, &apb)) {
			d->revision = esp32_revision(d->efuse[3], d->efuse[5], apb);
			d->have_revision = true;
			snprintf(d->rev_text, sizeof d->rev_text, "v%u", d->revision);
		}
	} else {
		/* ESP32-C3 wafer version from EFUSE_RD_MAC_SPI_SYS_3 / _5 (BLOCK1 words 3 and 5,
		 * 0x60008850 / 0x60008858; esptool esp32c3.py get_major/minor_chip_version;
		 * ESP32-C3 TRM Table 4.3-2 WAFER_VERSION_MINOR_LO/HI, WAFER_VERSION_MAJOR) */
		uint32_t w3, w5;
		if (!esp_ldr_read_reg(d->l, ESP32C3_EFUSE_BLK1_W3, &w3) &&
		    !esp_ldr_read_reg(d->l, ESP32C3_EFUSE_BLK1_W5, &w5)) {
			unsigned major = (w5 >> 24) & 3U;
			unsigned minor = (((w5 >> 23) & 1U) << 3) | ((w3 >> 18) & 7U);
			d->revision = major * 100U + minor;
			d->have_revision = true;
			snprintf(d->rev_text, sizeof d->rev_text, "v%u.%u", major, minor);
		}
	}
	if (clean)
		fk_ctx_clear(ctx);
	return FK_OK;
}

static bool e32_field(const e32drv *d, const char *name, uint32_t *v)
{
	const esp32_field *f = esp32_field_by_name(d->part, name);
	if (!f || !d->efuse_ok || f->off / 4U >= E32_MAX_WORDS)
		return false;
	*v = esp32_field_get(f, d->efuse[f->off / 4U]);
	return true;
}

static uint32_t e32_get(const e32drv *d, const char *name)
{
	uint32_t v = 0;
	(void)e32_field(d, name, &v);
	return v;
}

/* Flash encryption on: an odd count of FLASH_CRYPT_CNT / SPI_BOOT_CRYPT_CNT bits (esptool
 * get_flash_encryption_enabled); from GET_SECURITY_INFO when the eFuses cannot be read. */
static bool e32_crypt_cnt(const e32drv *d, uint32_t *cnt, unsigned *bits)
{
	if (d->efuse_ok)
		*cnt = e32_get(d, d->part->kind == ESP32_KIND_ESP32 ? "FLASH_CRYPT_CNT"
								    : "SPI_BOOT_CRYPT_CNT");
	else if (d->l->have_security)
		*cnt = d->l->sec.crypt_cnt;
	else
		return false;
	*bits = d->part->kind == ESP32_KIND_ESP32 ? 7U : 3U;
	return true;
}

/* The flash-encryption eFuses for esp32_crypt.c. C3 KEY_PURPOSE_0..5: EFUSE_RD_REPEAT_DATA1
 * [31:24] and DATA2[15:0], eFuse words 2 and 3 here (esptool esp32c3.py
 * EFUSE_PURPOSE_KEYn_REG/SHIFT); in Secure Download Mode GET_SECURITY_INFO's key purposes. */
static void e32_crypt_fuses(const e32drv *d, esp32_crypt_fuses *f)
{
	uint32_t cnt = 0;
	unsigned bits;
	memset(f, 0, sizeof *f);
	f->c3 = d->part->kind == ESP32_KIND_C3;
	f->key_block = -1;
	f->known = d->efuse_ok || d->l->have_security;
	f->manual_known = d->efuse_ok;
	f->manual_disabled = e32_get(d, f->c3 ? "DIS_DOWNLOAD_MANUAL_ENCRYPT" : "DISABLE_DL_ENCRYPT");
	if (e32_crypt_cnt(d, &cnt, &bits)) {
		f->crypt_cnt = cnt;
		f->encryption_on = esp32_popcount(cnt) % 2U == 1U;
	}
	for (unsigned n = 0; f->c3 && f->known && n < 6; n++) {
		uint32_t p = !d->efuse_ok ? d->l->sec.key_purpose[n]
			     : n < 2	  ? d->efuse[2] >> (24U + 4U * n)
					  : d->efuse[3] >> (4U * (n - 2U));
		if ((p & 0xFU) == ESP32C3_PURPOSE_XTS_AES_128) {
			f->key_block = (int)n;
			break;
		}
	}
}

/* ---------------------------------------------------------------- attach */

/* Where the ROM boots from: the second-stage bootloader image at 0x1000 (ESP32) or 0x0
 * (ESP32-C3) (ESP-IDF "Bootloader", esptool flash offsets). */
static uint32_t e32_boot_addr(const e32drv *d)
{
	return d->part->kind == ESP32_KIND_ESP32 ? 0x1000U : 0x0U;
}

static int e32_describe_fill(e32drv *d)
{
	fk_chip_desc *c = &d->desc;
	memset(c, 0, sizeof *c);
	const fk_chip_desc *nd = d->nor ? spinor_chip_driver.describe(d->nor) : NULL;
	c->family = d->part->name;
	c->part = d->part->name;
	snprintf(d->members, sizeof d->members, "%s with %s", d->part->title,
		 nd ? nd->part : "a SPI flash of unknown size (Secure Download Mode)");
	c->members = d->members;
	c->manual = d->part->manual;
	c->revision = d->have_revision ? d->rev_text : "?";
	c->run_default = e32_boot_addr(d);
	c->run_word_names[0] = "image header";
	c->run_word_names[1] = "entry point";
	c->run_gone_note = "the ROM loader no longer answers: the application owns the chip and "
			   "its UART; the loader answers again after a reset with the boot pin low "
			   "(what --before default_reset does)";
	c->flash_base = 0;
	c->flash_size = d->flash_size;
	c->flash_size_assumed = !nd;
	/* one FLASH_BEGIN per run of sectors (up to 1 MiB) instead of one per 4 KiB sector */
	c->program_span = 0x100000U;
	if (nd) {
		c->nunits = nd->nunits;
		c->units = nd->units;
	} else {
		/* 4 KiB sectors of the ROM's default 2 MiB (serial-protocol.rst) */
		c->nunits = d->flash_size / 4096U;
		d->units = calloc(c->nunits, sizeof *d->units);
		if (!d->units)
			return FK_E_NOMEM;
		for (unsigned i = 0; i < c->nunits; i++)
			d->units[i] = (fk_erase_unit){i, i * 4096U, 4096U, 0};
		c->units = d->units;
	}
	c->mass_erase_how = "chip erase (C7h) of the SPI flash through SPI1";
	c->program_source = "esptool serial-protocol.rst (FLASH_BEGIN/FLASH_DATA)";
	return FK_OK;
}

static int e32_attach_flash(e32drv *d, fk_ctx *ctx, const char *where)
{
	/* esptool attach_flash: SPI_ATTACH 0 (default pins) before any flash access */
	int rc = esp_ldr_spi_attach(d->l, 0);
	if (rc)
		return rc;
	d->spi_t.kind = FK_TRANSPORT_SPI;
	d->spi_t.ops = &e32_spi_ops;
	d->spi_t.handle = d;
	snprintf(d->spi_t.description, sizeof d->spi_t.description, "SPI flash behind %s's SPI1 "
		 "(%.100s)", d->part->title, where);
	d->spi_path.kind = FK_PATH_SPI;
	d->spi_path.t = &d->spi_t;
	d->spi_path.spi = &e32_spi_ops;
	d->spi_path.spi_h = d;
	d->spi_ids.path = FK_PATH_SPI;
	const uint8_t op = 0x9F; /* RDID: esptool flash_id through SPI1 */
	rc = e32_xfer(d, ctx, &op, 1, d->spi_ids.jedec, 3);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the SPI flash's JEDEC ID (9Fh)");
	d->spi_ids.have_jedec = true;
	rc = spinor_chip_driver.attach(ctx, &d->spi_path, &d->spi_ids, NULL, &d->nor);
	if (rc)
		return fk_fail_wrap(ctx, rc, "the SPI flash attached to the %s", d->part->title);
	d->flash_size = spinor_chip_driver.describe(d->nor)->flash_size;
	/* the ROM refuses writes past the size it knows (2 MiB until SPI_SET_PARAMS) */
	return esp_ldr_spi_set_params(d->l, d->flash_size);
}

static void e32_free(e32drv *d)
{
	if (!d)
		return;
	if (d->nor)
		spinor_chip_driver.detach(d->nor);
	if (d->l) {
		(void)esp_ldr_leave(d->l);
		esp_ldr_free(d->l);
		free(d->l);
	}
	free(d->units);
	free(d);
}

static int e32_attach(const esp32_part *part, fk_ctx *ctx, fk_chip_path *path,
		      const fk_chip_ids *ids, const char *force, void **state)
{
	(void)ids;
	*state = NULL;
	if (path->kind != FK_PATH_ROM_STREAM || !path->esp)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: the %s is reached through its serial ROM "
			       "loader (esp:DEVICE or twin-esp:PATH)", path->t->description,
			       part->title);
	if (force && !esp32_part_by_name(force))
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "--chip %s: not an ESP32 part", force);
	e32drv *d = calloc(1, sizeof *d);
	if (!d)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the %s driver", part->title);
	d->part = force ? esp32_part_by_name(force) : part;
	d->l = path->esp;
	path->esp = NULL; /* adopted: detach runs --after and frees it */
	d->l->ctx = ctx;
	d->regs = (esp_spi_regs){d->part->spi_base, d->part->spi_user, d->part->spi_user1,
				 d->part->spi_user2, d->part->spi_mosi_dlen,
				 d->part->spi_miso_dlen, d->part->spi_w0};
	d->sdm = d->l->have_security && (d->l->sec.flags & ESP_SEC_SECURE_DOWNLOAD);
	d->flash_size = 2U * 1024U * 1024U;
	int rc = e32_read_efuses(d, ctx);
	if (!rc && !d->sdm)
		rc = e32_attach_flash(d, ctx, path->t->description);
	if (!rc && d->sdm)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "%s in Secure Download Mode: no register "
		       "or flash reads; the flash size is assumed to be the ROM's default 2 MiB",
		       d->part->title);
	if (!rc)
		rc = e32_describe_fill(d);
	if (rc) {
		e32_free(d);
		return rc;
	}
	*state = d;
	return FK_OK;
}

static void e32_detach(void *state)
{
	e32_free(state);
}

static const fk_chip_desc *e32_describe(void *state)
{
	return &((e32drv *)state)->desc;
}

static const char *e32_path_name(void *state)
{
	(void)state;
	return "bootloader";
}

/* ---------------------------------------------------------------- inventory */

static fk_lock *e32_lock(fk_inventory *inv, fk_lock_kind kind, const char *name)
{
	if (inv->nlocks >= FK_INV_MAX_LOCKS)
		return NULL;
	fk_lock *l = &inv->locks[inv->nlocks++];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	fk_strlcpy(l->name, name, sizeof l->name);
	l->step = -1;
	l->cost = FK_COST_IMPOSSIBLE;
	l->reversible = false;
	return l;
}

static void e32_opt(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
	FK_PRINTF(4, 5);
static void e32_opt(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
{
	if (inv->nopts >= FK_INV_MAX_OPTS)
		return;
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, key, sizeof o->key);
	o->value = v;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof o->text, fmt, ap);
	va_end(ap);
}

/* "cannot be undone" rows: eFuse bits only go 0 -> 1 (ESP32 TRM §20.3.1.4); flashkey never
 * burns one. */
static void e32_efuse_locks(e32drv *d, fk_inventory *inv)
{
	bool esp32 = d->part->kind == ESP32_KIND_ESP32;
	char raw[96];
	if (d->efuse_ok)
		snprintf(raw, sizeof raw, "%s=0x%08X", esp32 ? "EFUSE_BLK0_RDATA0" : "RD_REPEAT_DATA0",
			 d->efuse[esp32 ? 0 : 1]);
	else
		snprintf(raw, sizeof raw, "GET_SECURITY_INFO flags=0x%08X", d->l->sec.flags);
	uint32_t cnt;
	unsigned bits;
	if (e32_crypt_cnt(d, &cnt, &bits)) {
		unsigned set = esp32_popcount(cnt);
		bool on = set % 2U == 1U;
		e32_opt(inv, esp32 ? "flash_crypt_cnt" : "crypt_cnt", cnt, "0x%02X: encryption %s, %u "
			"toggle%s left", cnt, on ? "on" : "off", bits - set, bits - set == 1 ? "" : "s");
		fk_lock *l = on ? e32_lock(inv, FK_LOCK_RDP, esp32 ? "FLASH_CRYPT_CNT"
								  : "SPI_BOOT_CRYPT_CNT") : NULL;
		if (l) {
			snprintf(l->state, sizeof l->state, "flash encryption on (%u of %u bits set: "
				 "odd); the chip decrypts flash on every read", set, bits);
			fk_strlcpy(l->raw, raw, sizeof l->raw);
			l->blocks_write = true;
			l->range_addr = 0;
			l->range_len = d->flash_size;
			esp32_crypt_fuses f;
			e32_crypt_fuses(d, &f);
			esp32_crypt_remedy(&f, l->remedy, sizeof l->remedy);
		}
	}
	if (esp32) {
		bool v1 = e32_get(d, "ABS_DONE_0"), v2 = e32_get(d, "ABS_DONE_1") &&
							 d->have_revision && d->revision >= 3;
		e32_opt(inv, "abs_done_0", v1, "%s", v1 ? "1: secure boot V1" : "0");
		e32_opt(inv, "abs_done_1", e32_get(d, "ABS_DONE_1"), "%s",
			e32_get(d, "ABS_DONE_1") ? "1: secure boot V2 (rev 3+)" : "0");
		fk_lock *l = v1 ? e32_lock(inv, FK_LOCK_BOOT, "ABS_DONE_0") : NULL;
		if (l) {
			snprintf(l->state, sizeof l->state, "secure boot V1 on: the ROM checks the "
				 "bootloader's digest; 0x0000-0x7FFF holds it");
			snprintf(l->raw, sizeof l->raw, "EFUSE_BLK0_RDATA6=0x%08X", d->efuse[6]);
			l->blocks_write = true;
			l->range_addr = 0;
			l->range_len = 0x8000;
			fk_strlcpy(l->remedy, "an eFuse: cannot be undone; writes below 0x8000 (the "
				   "bootloader) are refused as esptool refuses them; the application "
				   "partitions can still be written", sizeof l->remedy);
		}
		l = v2 ? e32_lock(inv, FK_LOCK_BOOT, "ABS_DONE_1") : NULL;
		if (l) {
			snprintf(l->state, sizeof l->state, "secure boot V2 on: only images signed "
				 "with the enrolled key boot");
			snprintf(l->raw, sizeof l->raw, "EFUSE_BLK0_RDATA6=0x%08X", d->efuse[6]);
			fk_strlcpy(l->remedy, "an eFuse: cannot be undone; what still works: writing "
				   "images signed with the device's key (unsigned ones will not "
				   "boot)", sizeof l->remedy);
		}
	} else {
		bool sb = d->efuse_ok ? e32_get(d, "SECURE_BOOT_EN")
				      : (d->l->sec.flags & ESP_SEC_SECURE_BOOT_EN) != 0;
		char digests[96] = "";
		for (unsigned k = 0; d->l->have_security && k < 6; k++) {
			uint8_t p = d->l->sec.key_purpose[k];
			if (p >= 9 && p <= 11)
				fk_snprintf_cat(digests, sizeof digests, "%sKEY%u=%s", digests[0] ? ", "
						: "", k, esp32_key_purpose_name(p));
		}
		e32_opt(inv, "secure_boot_en", sb, "%s", sb ? "1: secure boot V2" : "0");
		fk_lock *l = sb || digests[0] ? e32_lock(inv, FK_LOCK_BOOT, "SECURE_BOOT_EN") : NULL;
		if (l) {
			snprintf(l->state, sizeof l->state, "secure boot %s; key digests: %s",
				 sb ? "on" : "off (digests enrolled)", digests[0] ? digests : "none");
			fk_strlcpy(l->raw, raw, sizeof l->raw);
			fk_strlcpy(l->remedy, "eFuses: cannot be undone; what still works: images "
				   "signed with an enrolled key", sizeof l->remedy);
		}
	}
	/* JTAG */
	bool jtag = esp32 ? e32_get(d, "JTAG_DISABLE")
			  : (e32_get(d, "DIS_PAD_JTAG") || esp32_popcount(e32_get(d, "SOFT_DIS_JTAG")) % 2U ||
			     (!d->efuse_ok && (d->l->sec.flags & (ESP_SEC_SOFT_DIS_JTAG |
								    ESP_SEC_HARD_DIS_JTAG))));
	e32_opt(inv, "jtag_disable", jtag, "%s", jtag ? "1: JTAG off" : "0");
	fk_lock *l = jtag ? e32_lock(inv, FK_LOCK_DEBUG, esp32 ? "JTAG_DISABLE" : "DIS_PAD_JTAG")
			  : NULL;
	if (l) {
		snprintf(l->state, sizeof l->state, "JTAG disabled by eFuse");
		fk_strlcpy(l->raw, raw, sizeof l->raw);
		fk_strlcpy(l->remedy, "an eFuse: cannot be undone; what still works: this serial ROM "
			   "loader (flash read/write over UART)", sizeof l->remedy);
	}
	/* download mode */
	bool dl_off = esp32 ? e32_get(d, "UART_DOWNLOAD_DIS") && d->have_revision &&
				      d->revision >= 3
			    : e32_get(d, "DIS_DOWNLOAD_MODE");
	bool sdm = d->sdm;
	e32_opt(inv, esp32 ? "uart_dl_dis" : "secure_dl", esp32 ? dl_off : sdm, "%s",
		esp32 ? (dl_off ? "1: download mode off" : "0") : (sdm ? "1: Secure Download Mode"
								      : "0"));
	l = dl_off || sdm ? e32_lock(inv, FK_LOCK_BOOT, sdm ? "ENABLE_SECURITY_DOWNLOAD"
						       : esp32 ? "UART_DOWNLOAD_DIS"
							       : "DIS_DOWNLOAD_MODE") : NULL;
	if (l) {
		snprintf(l->state, sizeof l->state, "%s", sdm ? "Secure Download Mode: the ROM takes "
			 "only SYNC, SPI_ATTACH/SET_PARAMS, CHANGE_BAUDRATE, FLASH_BEGIN/DATA/END and "
			 "GET_SECURITY_INFO" : "download mode disabled (this connection should not "
			 "exist: the ROM ignores the bit on this revision)");
		fk_strlcpy(l->raw, raw, sizeof l->raw);
		fk_strlcpy(l->remedy, sdm ? "an eFuse: cannot be undone; what still works: writing "
			   "flash (no reads, no verify by read-back, no status-register access)"
			   : "an eFuse: cannot be undone", sizeof l->remedy);
	}
	/* eFuse write / read protection */
	if (d->efuse_ok) {
		uint32_t wr = e32_get(d, "WR_DIS"), rd = e32_get(d, "RD_DIS");
		e32_opt(inv, "wr_dis", wr, "0x%0*X%s", esp32 ? 4 : 8, wr, wr ? ": fields frozen" : "");
		e32_opt(inv, "rd_dis", rd, "0x%X%s", rd, rd ? ": blocks unreadable" : "");
		if (wr && (l = e32_lock(inv, FK_LOCK_OTP, "WR_DIS"))) {
			snprintf(l->state, sizeof l->state, "eFuse write protection 0x%X: those "
				 "eFuse fields can never change again", wr);
			fk_strlcpy(l->raw, raw, sizeof l->raw);
			fk_strlcpy(l->remedy, "an eFuse: cannot be undone; the flash itself is not "
				   "affected", sizeof l->remedy);
		}
		if (rd && (l = e32_lock(inv, FK_LOCK_OTP, "RD_DIS"))) {
			snprintf(l->state, sizeof l->state, "eFuse read protection 0x%X: key blocks "
				 "hidden from software (as intended for keys)", rd);
			fk_strlcpy(l->raw, raw, sizeof l->raw);
			fk_strlcpy(l->remedy, "an eFuse: cannot be undone; the flash itself is not "
				   "affected", sizeof l->remedy);
		}
	}
}

/* The write-blocking ranges of the flash's status register, kept for program(). */
static void e32_keep_blocks(e32drv *d, const fk_inventory *inv)
{
	d->nblock = 0;
	for (unsigned i = 0; i < inv->nlocks && d->nblock < 4; i++) {
		const fk_lock *l = &inv->locks[i];
		if (!l->blocks_write || l->kind != FK_LOCK_SPI_BP)
			continue;
		d->block[d->nblock].addr = l->range_len ? l->range_addr : 0;
		d->block[d->nblock].len = l->range_len ? l->range_len : d->flash_size;
		snprintf(d->block[d->nblock].what, sizeof d->block[0].what, "%s: %s (%s)", l->name,
			 l->state, l->raw);
		d->nblock++;
	}
}

static int e32_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	int rc = FK_OK;
	if (d->nor) {
		rc = spinor_chip_driver.inventory(d->nor, ctx, inv);
		if (rc)
			return rc;
		e32_keep_blocks(d, inv);
	} else {
		memset(inv, 0, sizeof *inv);
		fk_lock *l = e32_lock(inv, FK_LOCK_SPI_BP, "SPI status");
		if (l) {
			snprintf(l->state, sizeof l->state, "unknown: Secure Download Mode refuses the "
				 "register access the SPI flash commands need");
			l->cost = FK_COST_NOTHING;
			fk_strlcpy(l->remedy, "none attempted; a write shows protection as a ROM flash "
				   "write error (0x08)", sizeof l->remedy);
		}
	}
	/* ESP facts first; the SPI NOR driver's decoded status fields after them as room
	 * allows (the ones that never block a write last to go in) */
	fk_option_value nor_opts[FK_INV_MAX_OPTS];
	unsigned nnor = inv->nopts;
	memcpy(nor_opts, inv->opts, sizeof nor_opts);
	inv->nopts = 0;
	inv->dev_id = 0;
	fk_strlcpy(inv->chip, d->part->name, sizeof inv->chip);
	fk_strlcpy(inv->family, d->part->name, sizeof inv->family);
	fk_strlcpy(inv->path, "bootloader", sizeof inv->path);
	if (d->have_revision)
		fk_strlcpy(inv->revision, d->rev_text, sizeof inv->revision);
	else
		fk_strlcpy(inv->revision, "?", sizeof inv->revision);
	inv->flash_base = 0;
	inv->flash_size = d->flash_size;
	inv->flash_size_assumed = !d->nor;
	inv->rdp_level = -1;
	inv->flash_readable = !d->sdm;
	if ((rc = e32_read_efuses(d, ctx)) != FK_OK)
		return rc;
	if (d->have_mac)
		e32_opt(inv, "mac", 0, "%02x:%02x:%02x:%02x:%02x:%02x", d->mac[0], d->mac[1],
			d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
	if (d->nor)
		e32_opt(inv, "flash_id", (uint32_t)d->spi_ids.jedec[0] << 16 |
			(uint32_t)d->spi_ids.jedec[1] << 8 | d->spi_ids.jedec[2],
			"JEDEC %02X %02X %02X", d->spi_ids.jedec[0], d->spi_ids.jedec[1],
			d->spi_ids.jedec[2]);
	for (unsigned i = 0; d->efuse_ok && i < 2 && inv->nregs < FK_INV_MAX_REGS; i++) {
		fk_reg_value *v = &inv->regs[inv->nregs++];
		unsigned w = d->part->kind == ESP32_KIND_ESP32 ? (i ? 6U : 0U) : (i ? 4U : 1U);
		snprintf(v->name, sizeof v->name, "EFUSE%u", w);
		v->addr = d->part->efuse_rd + 4U * w;
		v->value = d->efuse[w];
		v->valid = true;
	}
	e32_efuse_locks(d, inv);
	static const char *const minor[] = {"busy", "wel", "sus", "drv", "lb1", "lb2", "lb3"};
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < nnor && inv->nopts < FK_INV_MAX_OPTS; i++) {
			bool is_minor = false;
			for (unsigned k = 0; k < FK_ARRAY_SIZE(minor); k++)
				is_minor |= strcmp(nor_opts[i].key, minor[k]) == 0;
			if (is_minor == (pass == 1))
				inv->opts[inv->nopts++] = nor_opts[i];
		}
	inv->write_blocked = false;
	for (unsigned i = 0; i < inv->nlocks; i++)
		inv->write_blocked |= inv->locks[i].blocks_write;
	return FK_OK;
}

/* ---------------------------------------------------------------- plan / step */

static int e32_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		    fk_plan *plan)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	if (!d->nor) {
		memset(plan, 0, sizeof *plan);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s in Secure Download Mode: the SPI flash's "
			       "status register cannot be reached (no READ_REG/WRITE_REG)",
			       d->part->title);
	}
	if (req->kind != FK_CHANGE_UNLOCK && req->kind != FK_CHANGE_OPTIONS) {
		memset(plan, 0, sizeof *plan);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: only the SPI flash's status register can "
			       "be changed; eFuses are never burnt by flashkey", d->part->title);
	}
	/* the SPI flash's ladder (write_flash_status: volatile 50h, then 06h non-volatile);
	 * eFuse locks stay in the inventory as impossible: no step exists for them */
	return spinor_chip_driver.plan(d->nor, ctx, inv, req, plan);
}

static int e32_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	if (!d->nor)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "no SPI flash access in Secure Download Mode");
	int rc = spinor_chip_driver.step(d->nor, ctx, st);
	d->nblock = 0; /* the next inventory refreshes the ranges */
	return rc;
}

/* ---------------------------------------------------------------- flash */

static int e32_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	(void)state;
	(void)stated_mv;
	if (forced >= 0)
		return fk_fail(ctx, FK_E_USAGE, "--psize: the ESP ROM programs what FLASH_DATA "
			       "carries; there is no width to choose");
	*width = 4; /* esptool pads images to 4 bytes */
	return FK_OK;
}

/* The eFuse locks that forbid changing flash (esptool cmds.py write_flash/erase_flash checks):
 * flash encryption on (a plaintext image boots as garbage), secure boot V1 below 0x8000 (the
 * bootloader whose digest the ROM checks). Checked before anything is erased. */
static int e32_efuse_block(e32drv *d, fk_ctx *ctx, uint32_t addr, uint32_t len, const char *what)
{
	uint32_t cnt;
	unsigned bits;
	bool esp32 = d->part->kind == ESP32_KIND_ESP32;
	if (e32_crypt_cnt(d, &cnt, &bits) && esp32_popcount(cnt) % 2U == 1U) {
		fk_hint(ctx, "an eFuse cannot be undone (flashkey burns none); what still works: "
			"%s (the chip encrypts with its own key), or the application's OTA update",
			esp32 ? "esptool write_flash --encrypt (its flasher stub)"
			      : "`flashkey write --encrypt`");
		return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%06X..0x%06X: flash encryption is on "
			       "(eFuse %s=0x%02X, an odd count): plaintext written here would be "
			       "decrypted into garbage at boot; nothing was erased or written", what,
			       addr, addr + len - 1U, esp32 ? "FLASH_CRYPT_CNT" : "SPI_BOOT_CRYPT_CNT",
			       cnt);
	}
	if (esp32 && e32_get(d, "ABS_DONE_0") && addr < 0x8000U) {
		fk_hint(ctx, "an eFuse cannot be undone; the application partitions above 0x8000 can "
			"still be written");
		return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%06X..0x%06X: secure boot V1 is on (eFuse "
			       "ABS_DONE_0): the bootloader below 0x8000 is checked by the ROM and "
			       "must not change; nothing was erased or written", what, addr,
			       addr + len - 1U);
	}
	return FK_OK;
}

static int e32_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	for (unsigned i = 0; i < d->desc.nunits; i++) {
		if (!all && !fk_sector_set_has(set, i))
			continue;
		int rc = e32_efuse_block(d, ctx, d->desc.units[i].addr, d->desc.units[i].size,
					 all ? "erasing all of flash:" : "erasing");
		if (rc)
			return rc;
	}
	if (d->nor) /* the SPI NOR driver checks BP/CMP first and names the bits */
		return spinor_chip_driver.erase(d->nor, ctx, set, all);
	/* Secure Download Mode: FLASH_BEGIN erases (serial-protocol.rst), no data blocks
	 * (UNCONFIRMED: a FLASH_BEGIN with 0 blocks; the ROM erases before answering) */
	const fk_chip_desc *c = &d->desc;
	for (unsigned i = 0; i < c->nunits; i++) {
		if (!all && !fk_sector_set_has(set, i))
			continue;
		int rc = esp_ldr_flash_begin(d->l, c->units[i].size, 0, ESP_FLASH_BLOCK,
					     c->units[i].addr);
		if (rc)
			return rc;
	}
	return FK_OK;
}

/* The SPI flash's block protection over [addr, addr+len), from the last inventory: FK_E_PROTECTED
 * naming the protected block when what ("programming", "writing") would touch it. */
static int e32_spi_blocked(const e32drv *d, fk_ctx *ctx, uint32_t addr, uint32_t len,
			   const char *what, const char *untouched)
{
	for (unsigned i = 0; i < d->nblock; i++) {
		const uint64_t a = d->block[i].addr, e = a + d->block[i].len;
		if (addr < e && a < (uint64_t)addr + len) {
			fk_hint(ctx, "clear the SPI flash's block protection with `flashkey unlock` "
				"(esptool: write_flash_status --non-volatile 0)");
			return fk_fail(ctx, FK_E_PROTECTED, "%s 0x%06X..0x%06X: blocked by %s; "
				       "nothing was %s", what, addr, addr + len - 1U,
				       d->block[i].what, untouched);
		}
	}
	return FK_OK;
}

static int e32_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	if ((uint64_t)addr + len > d->flash_size)
		return fk_fail(ctx, FK_E_RANGE, "programming 0x%X bytes at 0x%06X: the flash ends at "
			       "0x%06X", len, addr, d->flash_size - 1U);
	int brc = e32_efuse_block(d, ctx, addr, len, "programming");
	if (brc)
		return brc;
	brc = e32_spi_blocked(d, ctx, addr, len, "programming", "written");
	if (brc)
		return brc;
	/* the ROM erases nothing here (erase size 0; the session erased the units) and reads
	 * every block back (error 0x08 on a difference). UNCONFIRMED: FLASH_BEGIN with erase
	 * size 0 erases nothing on the real ROM (serial-protocol.rst does not say). */
	int rc = esp_ldr_flash_write(d->l, addr, buf, len, false);
	if (rc == FK_E_FLASH)
		fk_hint(ctx, "the ROM read back something else than it wrote: the SPI flash is "
			"write-protected (run `flashkey status`) or failing");
	return rc;
}

static int e32_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	if ((uint64_t)addr + len > d->flash_size)
		return fk_fail(ctx, FK_E_RANGE, "reading 0x%X bytes at 0x%06X: the flash ends at "
			       "0x%06X", len, addr, d->flash_size - 1U);
	if (d->sdm)
		return fk_fail(ctx, FK_E_PROTECTED, "%s in Secure Download Mode (eFuse "
			       "ENABLE_SECURITY_DOWNLOAD): the ROM refuses every flash read",
			       d->part->title);
	if (!d->part->read_flash_slow)
		return spinor_chip_driver.read(d->nor, ctx, addr, buf, len); /* 03h via SPI1 */
	uint8_t *p = buf;
	for (uint32_t off = 0; off < len;) {
		uint32_t k = FK_MIN(64U, len - off);
		int rc = esp_ldr_read_flash_slow(d->l, addr + off, p + off, k);
		if (rc)
			return rc;
		off += k;
		if (off % 4096U == 0 || off == len)
			fk_progress_part(ctx, "read", off, len);
	}
	return FK_OK;
}

static int e32_reset_check(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	(void)state;
	if (kind == FK_RESET_POWER_CYCLE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "a serial port cannot switch the board's "
			       "supply: unplug it and plug it in again");
	return FK_OK;
}

/* EN pulsed through RTS with IO0 high (esptool hard_reset): the application starts; the
 * loader is gone afterwards. */
static int e32_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	e32drv *d = state;
	int rc = e32_reset_check(state, ctx, kind);
	if (rc)
		return rc;
	d->l->ctx = ctx;
	rc = esp_ldr_hard_reset(d->l);
	return rc ? fk_fail_wrap(ctx, rc, "hard reset through RTS -> EN") : FK_OK;
}

/* ---------------------------------------------------------------- run */

/* The two words `run` reads at the boot address are the head of an ESP image (ESP-IDF "App
 * Image Format", esp_image_header_t): byte 0 the magic 0xE9, byte 1 the segment count (at most
 * 16, ESP_IMAGE_MAX_SEGMENTS), then the entry point, which must be in instruction RAM or the
 * flash-mapped instruction space (esptool memory maps: ESP32 IRAM 0x40070000-0x400A0000, IROM
 * 0x400D0000-0x40400000; ESP32-C3 IRAM 0x4037C000-0x403E0000, IROM 0x42000000-0x42800000). */
static fk_vec_verdict e32_vector_check(void *state, uint32_t w0, uint32_t entry, char *why,
				       size_t n)
{
	const e32drv *d = state;
	bool esp32 = d->part->kind == ESP32_KIND_ESP32;
	uint32_t at = e32_boot_addr(d);
	if (w0 == 0xFFFFFFFFU && entry == 0xFFFFFFFFU) {
		snprintf(why, n, "erased flash at 0x%X: no bootloader image to boot", at);
		return FK_VEC_ERASED;
	}
	if ((w0 & 0xFFU) != 0xE9U) {
		snprintf(why, n, "no ESP image at 0x%X: its first byte is 0x%02X, not the image "
			 "magic 0xE9", at, w0 & 0xFFU);
		return FK_VEC_BAD;
	}
	unsigned segs = (w0 >> 8) & 0xFFU;
	if (segs == 0 || segs > 16U) {
		snprintf(why, n, "the ESP image at 0x%X names %u segments (1 to 16 allowed)", at,
			 segs);
		return FK_VEC_BAD;
	}
	bool ok = esp32 ? (entry >= 0x40070000U && entry < 0x400A0000U) ||
				  (entry >= 0x400D0000U && entry < 0x40400000U)
			: (entry >= 0x4037C000U && entry < 0x403E0000U) ||
				  (entry >= 0x42000000U && entry < 0x42800000U);
	if (!ok) {
		snprintf(why, n, "the ESP image at 0x%X has entry point 0x%08X, outside instruction "
			 "RAM and flash (%s)", at, entry,
			 esp32 ? "0x40070000-0x4009FFFF, 0x400D0000-0x403FFFFF"
			       : "0x4037C000-0x403DFFFF, 0x42000000-0x427FFFFF");
		return FK_VEC_BAD;
	}
	return FK_VEC_OK;
}

/* The bootloader image's header as written (ESP-IDF esp_image_header_t, esptool's
 * ESPLoader image format): byte 0 magic 0xE9, byte 2 the SPI mode (0 QIO, 1 QOUT, 2 DIO, 3 DOUT,
 * 4 FAST_READ, 5 SLOW_READ), byte 3 the flash size in its high nibble (0 = 1 MB, 1 = 2 MB ...
 * 4 = 16 MB; later chips up to 7 = 128 MB) and the frequency in its low one; the extended header
 * from byte 8 has the chip ID at bytes 12-13 (ESP_CHIP_ID_ESP32 = 0, ESP32C3 = 5) and the minimum
 * chip revision at byte 14. The ROM reads the mode and size from here when it boots; a header
 * that names more flash than the chip has, a mode no ROM knows or another chip is what esptool
 * warns about (and patches with --flash_size/--flash_mode): flashkey only warns, and writes the
 * bytes the user gave. */
static void e32_image_notes(void *state, fk_ctx *ctx, const struct fk_seg *segs, unsigned n)
{
	const e32drv *d = state;
	uint32_t at = e32_boot_addr(d);
	uint8_t h[16];
	unsigned got = 0;
	for (unsigned i = 0; i < n; i++) /* the 16 header bytes, wherever the segments put them */
		for (uint32_t k = 0; k < 16; k++)
			if (segs[i].addr <= at + k && at + k - segs[i].addr < segs[i].len) {
				h[k] = segs[i].data[at + k - segs[i].addr];
				got |= 1U << k;
			}
	if (!(got & 1U) || h[0] != 0xE9U)
		return; /* no image header at the boot address: nothing to compare */
	char where[48];
	snprintf(where, sizeof where, "the bootloader header at 0x%X", at);
	static const char *const modes[] = {"QIO", "QOUT", "DIO", "DOUT", "FAST_READ", "SLOW_READ"};
	if ((got & 4U) && h[2] > 5U)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "%s names SPI mode %u, which no ESP ROM knows "
		       "(0 QIO, 1 QOUT, 2 DIO, 3 DOUT): the chip may not boot it; rebuild the "
		       "bootloader with the flash mode of the board (usually DIO)", where, h[2]);
	else if (got & 4U)
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_CHIP, "%s: SPI mode %s", where, modes[h[2]]);
	if ((got & 8U) && d->flash_size) {
		unsigned code = h[3] >> 4;
		uint64_t says = code <= 7U ? (1ULL << code) * 1024U * 1024U : 0;
		if (!says)
			fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "%s names flash size code %u, which no "
			       "ESP ROM knows (0 = 1 MB ... 4 = 16 MB)", where, code);
		else if (says > d->flash_size)
			fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "%s says %llu MB of flash, but the chip "
			       "has %u MB (JEDEC ID): the application may read past the end of flash; "
			       "rebuild with CONFIG_ESPTOOLPY_FLASHSIZE = %u MB, or write the header "
			       "for this chip", where, (unsigned long long)(says >> 20),
			       d->flash_size >> 20, d->flash_size >> 20);
	}
	if ((got & 0x3000U) == 0x3000U) {
		unsigned id = h[12] | (unsigned)h[13] << 8;
		unsigned want = d->part->kind == ESP32_KIND_ESP32 ? 0U : 5U;
		if (id != want && id != 0xFFFFU)
			fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "%s is built for chip ID %u (%s), not "
			       "this %s (chip ID %u): the ROM will refuse to boot it", where, id,
			       id == 0 ? "ESP32" : id == 2 ? "ESP32-S2" : id == 5 ? "ESP32-C3"
			       : id == 9 ? "ESP32-S3" : id == 12 ? "ESP32-C2" : "another chip",
			       d->part->title, want);
	}
}

/* `run`: a hard reset through RTS -> EN with IO0 released (esptool --after hard_reset); the
 * boot log that follows proves where the ROM went: "boot:0x13 (SPI_FAST_FLASH_BOOT)" = the
 * application, "waiting for download" = IO0 still held low. Nothing else counts as started. */
static int e32_run(void *state, fk_ctx *ctx, uint32_t addr, int reset_mode, bool dry, char *how,
		   size_t how_len, bool *gone)
{
	e32drv *d = state;
	uint32_t at = e32_boot_addr(d);
	*gone = false;
	if (addr != at) {
		fk_hint(ctx, "run without an address, or `run 0x%X`", at);
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s ROM always boots the image at 0x%X: a "
			       "reset cannot start code at 0x%X", d->part->title, at, addr);
	}
	if (reset_mode == FK_RESET_POWER_CYCLE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "--reset=none: the %s starts its application "
			       "only through a reset (EN)", d->part->title);
	snprintf(how, how_len, "hard reset: RTS pulls EN low for 100 ms with IO0 (DTR) released, "
		 "then the ROM boots the image at 0x%X from flash", at);
	if (dry)
		return FK_OK;
	d->l->ctx = ctx;
	esp_boot_log boot;
	int rc = esp_ldr_run_app(d->l, 500, &boot);
	if (rc == FK_E_UNSUPPORTED) {
		fk_hint(ctx, "tap EN (reset) with the boot pin (ESP32: GPIO0, ESP32-C3: GPIO9) "
			     "released");
		return fk_fail_wrap(ctx, rc, "this port cannot drive DTR/RTS");
	}
	if (rc)
		return fk_fail_wrap(ctx, rc, "hard reset through RTS -> EN");
	*gone = true; /* the ROM loader no longer listens, whatever it booted */
	if (boot.seen_boot && boot.download) {
		fk_hint(ctx, "release the boot pin (ESP32: GPIO0, ESP32-C3: GPIO9; a button held or "
			     "a strap to GND), then run again");
		return fk_fail(ctx, FK_E_CONNECT, "the chip came back in download mode "
			       "(boot:0x%02X, \"waiting for download\"): the boot pin is held low, so "
			       "the application did not start", boot.boot_mode);
	}
	if (!boot.seen_boot) {
		fk_hint(ctx, "watch the serial console at 115200: the ROM prints \"boot:0x13 "
			     "(SPI_FAST_FLASH_BOOT)\" when it boots from flash");
		return fk_fail(ctx, FK_E_TIMEOUT, "EN was pulsed but no boot log arrived within "
			       "500 ms: cannot confirm that the application started");
	}
	snprintf(how, how_len, "hard reset: RTS pulsed EN with IO0 released; the ROM booted from "
		 "flash (boot:0x%02X)", boot.boot_mode);
	return FK_OK;
}

static uint64_t e32_virtual_ns(void *state)
{
	e32drv *d = state;
	return d->l->ops->virtual_ns ? d->l->ops->virtual_ns(d->l->h) : 0;
}

static int e32_backup_options(void *state, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *len,
			      uint32_t *addr)
{
	e32drv *d = state;
	d->l->ctx = ctx;
	if (!d->nor)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "no status-register access in Secure Download "
			       "Mode");
	return spinor_chip_driver.backup_options(d->nor, ctx, buf, cap, len, addr);
}

/* SPI_FLASH_MD5 (the ROM of the ESP32 and the C3; serial-protocol.rst): one command per
 * range instead of reading it back. Refused in Secure Download Mode. */
static int e32_md5(void *state, fk_ctx *ctx, uint32_t addr, uint32_t len, uint8_t out[16])
{
	e32drv *d = state;
	d->l->ctx = ctx;
	if (d->sdm)
		return FK_E_UNSUPPORTED;
	if ((uint64_t)addr + len > d->flash_size)
		return fk_fail(ctx, FK_E_RANGE, "MD5 of 0x%X bytes at 0x%06X: the flash ends at "
			       "0x%06X", len, addr, d->flash_size - 1U);
	uint32_t cnt;
	unsigned bits;
	if (!d->crypt_said && e32_crypt_cnt(d, &cnt, &bits) && esp32_popcount(cnt) % 2U == 1U) {
		/* a comparison with a plaintext image (verify) cannot match: say why before it
		 * reports a difference (write --encrypt explains this itself) */
		d->crypt_said = true;
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "flash encryption is on (%s 0x%02X, odd): "
		       "the ROM digests the ciphertext the flash holds, so it differs from a "
		       "plaintext image even when the chip decrypts it correctly; an image written "
		       "with `flashkey write --encrypt` cannot be verified over the ROM (boot the "
		       "application to check it)",
		       d->part->kind == ESP32_KIND_ESP32 ? "FLASH_CRYPT_CNT" : "SPI_BOOT_CRYPT_CNT",
		       cnt);
	}
	return esp_ldr_flash_md5(d->l, addr, len, out);
}

/* ---------------------------------------------------------------- the two drivers */

E32_DRIVER_FNS(e32a, 0)
E32_DRIVER_FNS(e32c3, 1)

/* ---------------------------------------------------------------- write --encrypt */


/* driver.h write_crypt: the refusals (esp32_crypt.c), the ROM's erase, the encrypted write,
 * and bytes put back as they were read (FLASH_BEGIN without "encrypted": the flash gets
 * exactly its old bytes, ciphertext or not). */
static int e32_write_crypt(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf,
			   uint32_t len, int how)
{
	e32drv *d = state;
	esp32_crypt_fuses f;
	d->l->ctx = ctx;
	d->crypt_said = true;
	if ((uint64_t)addr + len > d->flash_size)
		return fk_fail(ctx, FK_E_RANGE, "writing 0x%X bytes at 0x%06X: the flash ends at "
			       "0x%06X", len, addr, d->flash_size - 1U);
	e32_crypt_fuses(d, &f);
	int rc = how == FK_CRYPT_RAW ? FK_OK : esp32_crypt_check(ctx, &f, addr, len);
	if (!rc)
		rc = e32_spi_blocked(d, ctx, addr, len, "writing", "erased or written");
	if (rc || how == FK_CRYPT_CHECK)
		return rc;
	if (how == FK_CRYPT_ERASE)
		return e32_erase_range(d, ctx, addr, len);
	if (how == FK_CRYPT_RAW)
		return esp_ldr_flash_write(d->l, addr, buf, len, false);
	return esp32_crypt_write(d->l, addr, buf, len);
}

const fk_chip_driver esp32_chip_driver = {
	.write_crypt = e32_write_crypt,
	.family = "esp32",
	.summary = "esp32 (ESP32 through its serial ROM loader, with the attached SPI flash)",
	.paths = FK_PATH_BIT(FK_PATH_ROM_STREAM),
	.owns_name = e32a_owns,
	.match = e32a_match,
	.part_is = e32a_part_is,
	.attach = e32a_attach,
	.detach = e32_detach,
	.describe = e32_describe,
	.path_name = e32_path_name,
	.inventory = e32_inventory,
	.plan = e32_plan,
	.step = e32_step,
	.set_supply = e32_set_supply,
	.erase = e32_erase,
	.program = e32_program,
	.read = e32_read,
	.reset = e32_reset,
	.reset_check = e32_reset_check,
	.run = e32_run,
	.vector_check = e32_vector_check,
	.virtual_ns = e32_virtual_ns,
	.backup_options = e32_backup_options,
	.md5 = e32_md5,
	.image_notes = e32_image_notes,
};

const fk_chip_driver esp32c3_chip_driver = {
	.write_crypt = e32_write_crypt,
	.family = "esp32c3",
	.summary = "esp32c3 (ESP32-C3 through its serial ROM loader, with the attached SPI flash)",
	.paths = FK_PATH_BIT(FK_PATH_ROM_STREAM),
	.owns_name = e32c3_owns,
	.match = e32c3_match,
	.part_is = e32c3_part_is,
	.attach = e32c3_attach,
	.detach = e32_detach,
	.describe = e32_describe,
	.path_name = e32_path_name,
	.inventory = e32_inventory,
	.plan = e32_plan,
	.step = e32_step,
	.set_supply = e32_set_supply,
	.erase = e32_erase,
	.program = e32_program,
	.read = e32_read,
	.reset = e32_reset,
	.reset_check = e32_reset_check,
	.run = e32_run,
	.vector_check = e32_vector_check,
	.virtual_ns = e32_virtual_ns,
	.backup_options = e32_backup_options,
	.md5 = e32_md5,
	.image_notes = e32_image_notes,
};
