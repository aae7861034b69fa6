/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LPC55S69 twin's chip: memory map, erased pages that fault, the CMPA debug policy, the
 * boot ROM's decision at reset, mass erase, and the state file ("FKTWL55\n", version 1).
 * Sources in lpc55.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "lpc55/lpc55.h"

#define L55_MAGIC "FKTWL55\n"
#define L55_VERSION 1U
#define L55_HDR 48U

int tw_l55_create(fk_ctx *ctx, const char *name, tw_l55 **out)
{
	if (strcasecmp(name, "lpc55s69") != 0)
		return FK_E_NOT_FOUND;
	tw_l55 *c = calloc(1, sizeof *c);
	if (c) {
		c->flash = malloc(TW_L55_FLASH_BYTES);
		c->page_prog = calloc(TW_L55_NPAGES, 1);
		c->sram = calloc(TW_L55_SRAM_BYTES, 1);
	}
	if (!c || !c->flash || !c->page_prog || !c->sram) {
		tw_l55_free(c);
		return fk_fail(ctx, FK_E_NOMEM, "creating an LPC55S69 twin");
	}
	/* UNCONFIRMED: an erased cell's value is never seen (reads of erased pages fault,
	 * [PYOCD]); 0xFF is kept in the array */
	memset(c->flash, 0xFF, TW_L55_FLASH_BYTES);
	c->powered = true;
	tw_l55_reset(c, false);
	*out = c;
	return FK_OK;
}

void tw_l55_free(tw_l55 *c)
{
	if (!c)
		return;
	free(c->flash);
	free(c->page_prog);
	free(c->sram);
	free(c);
}

/* ---------------------------------------------------------------- policy */

static bool l55_page_prog(const tw_l55 *c, uint32_t addr)
{
	return addr < TW_L55_FLASH_BYTES && c->page_prog[addr / TW_L55_PAGE];
}

bool tw_l55_cmpa_blank(const tw_l55 *c)
{
	/* an erased CMPA page, or PIN and DFLT both zero: no policy programmed (spsdk's PFR rule
	 * 1.1 treats a zero DCFG_CC_SOCU_PIN as "no valid configuration"); debug is open, as on
	 * a part fresh from the factory (UNCONFIRMED wording: UM11126 not at hand) */
	if (!l55_page_prog(c, TW_L55_CMPA))
		return true;
	return fk_get_le32(c->flash + TW_L55_CMPA_PIN) == 0 &&
	       fk_get_le32(c->flash + TW_L55_CMPA_DFLT) == 0;
}

tw_l55_level tw_l55_level_of(const tw_l55 *c, uint32_t bit)
{
	if (tw_l55_cmpa_blank(c))
		return TW_L55_OPEN;
	uint32_t pin = fk_get_le32(c->flash + TW_L55_CMPA_PIN);
	uint32_t dflt = fk_get_le32(c->flash + TW_L55_CMPA_DFLT);
	/* [SPSDK-PFR]: [31:16] is the inverse of [15:0]; a word that fails the check is taken as
	 * the most restrictive reading (UNCONFIRMED: the ROM's reaction is not documented here) */
	if ((pin >> 16) != (~pin & 0xFFFFU) || (dflt >> 16) != (~dflt & 0xFFFFU))
		return TW_L55_ILLEGAL;
	bool p = (pin & bit) != 0, d = (dflt & bit) != 0;
	return p && d ? TW_L55_OPEN : !p && !d ? TW_L55_AUTH : p ? TW_L55_PERMANENT : TW_L55_ILLEGAL;
}

const char *tw_l55_level_name(tw_l55_level l)
{
	switch (l) {
	case TW_L55_OPEN: return "enabled";
	case TW_L55_AUTH: return "disabled (debug authentication can enable it)";
	case TW_L55_PERMANENT: return "disabled permanently";
	default: return "illegal setting";
	}
}

void tw_l55_set_policy(tw_l55 *c, bool blank, uint16_t pin, uint16_t dflt)
{
	uint32_t page = TW_L55_CMPA / TW_L55_PAGE;
	memset(c->flash + page * TW_L55_PAGE, 0, TW_L55_PAGE);
	c->page_prog[page] = !blank;
	if (!blank) {
		fk_put_le32(c->flash + TW_L55_CMPA_PIN, pin | ((uint32_t)(uint16_t)~pin << 16));
		fk_put_le32(c->flash + TW_L55_CMPA_DFLT, dflt | ((uint32_t)(uint16_t)~dflt << 16));
	}
	c->gen++;
}

/* UNCONFIRMED criterion: the boot ROM's image check is taken as "page 0 is programmed" (pyOCD
 * probes exactly that page to decide whether there is an application to catch). */
bool tw_l55_image_valid(const tw_l55 *c)
{
	return c->page_prog[0] != 0;
}

/* The boot ROM at reset [PYOCD] "See UM11126 51.6.1": with RESYNCH_REQ pending it serves the
 * debug mailbox (it clears CSW and waits for commands instead of booting); with a valid image
 * it enables debug as the CMPA policy allows and starts it; without one it runs ISP, and debug
 * stays closed until START_DBG_SESSION (pyOCD's check_locked_state: "locked (flash is empty
 * etc.)"). */
void tw_l55_reset(tw_l55 *c, bool resync)
{
	c->gen++;
	c->dm_cmd = c->dm_nparams = c->dm_got = 0;
	c->dm_csw &= TW_L55_CSW_RESYNCH_REQ;
	if (!c->powered || c->nrst_low) {
		c->dbg_open = false;
		c->dm = TW_L55_DM_OFF;
		return;
	}
	c->in_isp = !tw_l55_image_valid(c);
	c->dbg_open = !c->in_isp && !c->app_closes_debug &&
		      tw_l55_level_of(c, TW_L55_SOCU_DBGEN) == TW_L55_OPEN;
	if (resync || (c->dm_csw & TW_L55_CSW_RESYNCH_REQ)) {
		c->dm = TW_L55_DM_RESYNC;
		c->t_ready = c->now_ns + TW_L55_T_RESYNC_NS;
		c->dbg_open = false; /* the ROM holds the chip in its mailbox loop */
	} else {
		c->dm = TW_L55_DM_OFF;
	}
}

void tw_l55_advance(tw_l55 *c, uint64_t ns)
{
	c->now_ns += ns;
	if (c->dm == TW_L55_DM_RESYNC && c->now_ns >= c->t_ready) {
		c->dm = TW_L55_DM_IDLE; /* [SPSDK-DM]: the ROM soft-resets the DM: CSW reads 0 */
		c->dm_csw = 0;
		c->gen++;
	}
	if (c->dm == TW_L55_DM_BUSY && c->now_ns >= c->t_ready) {
		c->dm = TW_L55_DM_ANSWER; /* the command's status waits in RETURN */
		c->dm_ret_valid = true;
		c->gen++;
	}
}

void tw_l55_mass_erase(tw_l55 *c)
{
	/* The main array only: the CMPA/CFPA pages (from 0x9DE00) hold the policy and are not
	 * erased (UNCONFIRMED for ERASE_FLASH: UM11126 not at hand; spsdk calls PIN=1/DFLT=0
	 * "permanently disabled and can't be reversed", which a mass erase could not keep if it
	 * wiped the CMPA). */
	memset(c->flash, 0xFF, TW_L55_USER_BYTES);
	memset(c->page_prog, 0, TW_L55_USER_BYTES / TW_L55_PAGE);
	c->mass_erases++;
	c->gen++;
}

unsigned tw_l55_pages_programmed(const tw_l55 *c, uint32_t from, uint32_t to)
{
	unsigned n = 0;
	for (uint32_t p = from / TW_L55_PAGE; p < to / TW_L55_PAGE && p < TW_L55_NPAGES; p++)
		n += c->page_prog[p] != 0;
	return n;
}

void tw_l55_load_image(tw_l55 *c, uint32_t addr, const uint8_t *src, uint32_t n)
{
	if (addr >= TW_L55_FLASH_BYTES)
		return;
	if (n > TW_L55_FLASH_BYTES - addr)
		n = TW_L55_FLASH_BYTES - addr;
	for (uint32_t p = addr / TW_L55_PAGE; p <= (addr + n - 1) / TW_L55_PAGE && n; p++) {
		if (!c->page_prog[p]) /* a page is programmed whole: the rest reads 0 (UNCONFIRMED) */
			memset(c->flash + p * TW_L55_PAGE, 0, TW_L55_PAGE);
		c->page_prog[p] = 1;
	}
	memcpy(c->flash + addr, src, n);
	c->gen++;
}

/* ---------------------------------------------------------------- memory */

static uint32_t l55_get(const uint8_t *p, unsigned size)
{
	return size == 4 ? fk_get_le32(p) : size == 2 ? (uint32_t)(p[0] | p[1] << 8) : p[0];
}

tw_status tw_l55_read(tw_l55 *c, tw_initiator who, uint32_t addr, unsigned size, uint32_t *v)
{
	if (!c->powered)
		return TW_POWER_OFF;
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return TW_BUS_ERROR;
	if (who == TW_INIT_DEBUG && !c->dbg_open)
		return TW_BUS_ERROR;
	if (addr < TW_L55_FLASH_BYTES) {
		if (!l55_page_prog(c, addr)) /* [PYOCD]: erased pages fault (ECC) */
			return TW_BUS_ERROR;
		*v = l55_get(c->flash + addr, size);
		return TW_OK;
	}
	if (addr >= TW_L55_SRAM && addr - TW_L55_SRAM < TW_L55_SRAM_BYTES) {
		*v = l55_get(c->sram + (addr - TW_L55_SRAM), size);
		return TW_OK;
	}
	return TW_BUS_ERROR; /* peripherals are not modelled */
}

tw_status tw_l55_write(tw_l55 *c, tw_initiator who, uint32_t addr, unsigned size, uint32_t v)
{
	if (!c->powered)
		return TW_POWER_OFF;
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return TW_BUS_ERROR;
	if (who == TW_INIT_DEBUG && !c->dbg_open)
		return TW_BUS_ERROR;
	if (addr >= TW_L55_SRAM && addr - TW_L55_SRAM < TW_L55_SRAM_BYTES) {
		uint8_t *p = c->sram + (addr - TW_L55_SRAM);
		for (unsigned i = 0; i < size; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		return TW_OK;
	}
	/* flash is programmed by the flash controller (through the ROM API), never by an AHB
	 * write; the controller is not modelled, so such a write faults (UNCONFIRMED) */
	return TW_BUS_ERROR;
}

/* ---------------------------------------------------------------- state file */

int tw_l55_save(const tw_l55 *c, uint8_t **buf, size_t *len)
{
	size_t n = L55_HDR + TW_L55_NPAGES + TW_L55_FLASH_BYTES;
	uint8_t *b = calloc(1, n);
	if (!b)
		return FK_E_NOMEM;
	memcpy(b, L55_MAGIC, 8);
	fk_put_le32(b + 8, L55_VERSION);
	b[12] = c->powered;
	b[13] = c->nrst_low;
	b[14] = c->dbg_open;
	b[15] = c->in_isp;
	/* the mailbox between commands: a command half-done is not kept (UNCONFIRMED choice) */
	b[16] = (uint8_t)(c->dm == TW_L55_DM_OFF ? TW_L55_DM_OFF
			  : c->dm == TW_L55_DM_RESYNC ? TW_L55_DM_RESYNC : TW_L55_DM_IDLE);
	b[17] = (uint8_t)c->fault;
	b[18] = c->app_closes_debug;
	fk_put_le32(b + 20, c->dm_csw);
	fk_put_le32(b + 24, (uint32_t)c->now_ns);
	fk_put_le32(b + 28, (uint32_t)(c->now_ns >> 32));
	fk_put_le32(b + 32, (uint32_t)c->t_ready);
	fk_put_le32(b + 36, (uint32_t)(c->t_ready >> 32));
	fk_put_le32(b + 40, c->mass_erases);
	fk_put_le32(b + 44, c->dm_commands);
	memcpy(b + L55_HDR, c->page_prog, TW_L55_NPAGES);
	memcpy(b + L55_HDR + TW_L55_NPAGES, c->flash, TW_L55_FLASH_BYTES);
	*buf = b;
	*len = n;
	return FK_OK;
}

static int l55_bad(fk_ctx *ctx, const char *name, const char *field)
{
	return fk_fail(ctx, FK_E_BAD_FILE, "%s: not a valid LPC55S69 twin state: %s", name, field);
}

int tw_l55_load(fk_ctx *ctx, const char *name, const uint8_t *buf, size_t len, tw_l55 **out)
{
	if (len != L55_HDR + TW_L55_NPAGES + TW_L55_FLASH_BYTES)
		return l55_bad(ctx, name, "wrong size (truncated or padded)");
	if (memcmp(buf, L55_MAGIC, 8) != 0 || fk_get_le32(buf + 8) != L55_VERSION)
		return l55_bad(ctx, name, "magic or version");
	for (unsigned i = 12; i < 16; i++)
		if (buf[i] > 1)
			return l55_bad(ctx, name, "a flag byte is neither 0 nor 1");
	if (buf[16] != TW_L55_DM_OFF && buf[16] != TW_L55_DM_RESYNC && buf[16] != TW_L55_DM_IDLE)
		return l55_bad(ctx, name, "mailbox state");
	if (buf[17] > TW_L55_FAULT_WRONG_IDR)
		return l55_bad(ctx, name, "dm_fault");
	if (buf[18] > 1)
		return l55_bad(ctx, name, "app_debug flag is neither 0 nor 1");
	if (buf[19])
		return l55_bad(ctx, name, "reserved byte 19 is not zero");
	if (fk_get_le32(buf + 20) & ~0x3FU)
		return l55_bad(ctx, name, "mailbox CSW has bits above CHIP_RESET_REQ");
	for (unsigned p = 0; p < TW_L55_NPAGES; p++)
		if (buf[L55_HDR + p] > 1)
			return l55_bad(ctx, name, "page map entry neither 0 nor 1");
	tw_l55 *c;
	int rc = tw_l55_create(ctx, "lpc55s69", &c);
	if (rc)
		return rc;
	c->powered = buf[12];
	c->nrst_low = buf[13];
	c->dbg_open = buf[14];
	c->in_isp = buf[15];
	c->dm = (tw_l55_dm)buf[16];
	c->fault = (tw_l55_fault)buf[17];
	c->app_closes_debug = buf[18];
	c->dm_csw = fk_get_le32(buf + 20);
	c->now_ns = fk_get_le32(buf + 24) | (uint64_t)fk_get_le32(buf + 28) << 32;
	c->t_ready = fk_get_le32(buf + 32) | (uint64_t)fk_get_le32(buf + 36) << 32;
	c->mass_erases = fk_get_le32(buf + 40);
	c->dm_commands = fk_get_le32(buf + 44);
	memcpy(c->page_prog, buf + L55_HDR, TW_L55_NPAGES);
	memcpy(c->flash, buf + L55_HDR + TW_L55_NPAGES, TW_L55_FLASH_BYTES);
	*out = c;
	return FK_OK;
}
