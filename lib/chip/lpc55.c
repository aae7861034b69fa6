/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC55S69 behind the chip-driver interface (lib/chip/driver.h): identification from the
 * debug mailbox's AP IDR even when the AHB-AP is closed, the debug policy from the CMPA page
 * when the AHB-AP lets it be read, the unlock ladder through the debug mailbox (resynchronise,
 * START_DBG_SESSION; then ERASE_FLASH, a mass erase, as the destructive step), reads of the
 * main flash when debug is open.
 *
 * Sources (UM11126, the LPC55S6x user manual, was not at hand; what it says comes through):
 *   spsdk spsdk/dat/debug_mailbox.py and dm_commands.py: the DM-AP registers (CSW 0x00 with
 *     RESYNCH_REQ 0, REQ_PENDING 1, DBG_OR_ERR 2, AHB_OR_ERR 3, SOFT_RESET 4, CHIP_RESET_REQ 5;
 *     REQUEST 0x04; RETURN 0x08; IDR 0xFC = 0x002A0000), the command word id | (params << 16),
 *     the 0xA5A5 | (remaining << 16) acknowledgements, RETURN = status [15:0] | length [30:16],
 *     the command IDs (3 ERASE_FLASH, 7 START_DBG_SESSION), the resynchronisation (CSW =
 *     RESYNCH_REQ | CHIP_RESET_REQ, then CSW must read 0);
 *   pyOCD pyocd/target/family/target_lpc5500.py (DM_AP = 2, the unlock "See UM11126 51.6.1")
 *     and target_LPC55S69JBD100.py (flash 0x0-0x97FFF, 32 KiB sectors, 512-byte pages,
 *     "attempted accesses to erased pages result in bus faults"; SRAM 0x20000000, 0x44000);
 *   NXP community thread 539568: UM11126 §51.5.7 Table 1058 gives 0x2 for the bulk erase, but
 *     the silicon (rev 1B) erases on 0x3, as spsdk sends;
 *   NXP community thread 500518 (an LPC55S69's DPIDR 0x6BA02477, Cortex-M33 CPUID part 0xD21);
 *   spsdk spsdk/data/devices/lpc55s6x/pfr_cmpa.xml (CMPA DCFG_CC_SOCU_PIN +0x10, _DFLT +0x14,
 *     DBGEN bit 1, FA_ME_CMD_EN bit 7, the inverse in [31:16], the PIN/DFLT levels);
 *   NXP community thread 1952010 (CMPA at 0x9E400).
 * Programming is out of scope: the LPC55S69 flash is programmed through the boot ROM's flash
 * API (code run on the part), and no register-level interface was confirmed; program() says so
 * rather than pretend. UNCONFIRMED marks what no source fixes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chip/driver.h"
#include "core/core.h"
#include "debug/adiv5.h"
#include "flashkey/dap.h"

#define L55_DM_AP 2U
#define L55_DM_IDR 0x002A0000U
#define L55_DM_CSW 0x00U
#define L55_DM_REQUEST 0x04U
#define L55_DM_RETURN 0x08U
#define L55_CSW_RESYNCH_REQ (1U << 0)
#define L55_CSW_REQ_PENDING (1U << 1)
#define L55_CSW_CHIP_RESET_REQ (1U << 5)
#define L55_ACK 0xA5A5U
#define L55_CMD_ERASE_FLASH 3U
#define L55_CMD_START_DBG_SESSION 7U
#define L55_DPIDR 0x6BA02477U
#define L55_CPUID_ADDR 0xE000ED00U
#define L55_AHBAP_CSW_DEVICEEN (1U << 6)
#define L55_FLASH_SIZE 0x98000U
#define L55_SECTOR 0x8000U
#define L55_NSECT (L55_FLASH_SIZE / L55_SECTOR)
#define L55_PAGE 512U
#define L55_PFR 0x9DE00U
#define L55_CMPA 0x9E400U
#define L55_SOCU_DBGEN (1U << 1)
#define L55_SOCU_FA_ME (1U << 7)
/* WAIT budgets on RETURN: a command answers at once; the mass erase takes its time
 * (UNCONFIRMED duration: spsdk waits 0.5 s before reading, the budget leaves room). */
#define L55_WAIT_CMD_NS 200000000ULL
#define L55_WAIT_ERASE_NS 3000000000ULL
#define L55_WAIT_RESYNC_NS 1000000000ULL

typedef struct l55drv {
	bool raw;                 /* FK_PATH_DAP_RAW (the mailbox is reachable) */
	adi_dap adi;
	const fk_mem_ops *mem;
	void *mem_h;
	fk_chip_desc desc;
	fk_erase_unit units[L55_NSECT];
	fk_chip_area areas[1];
	bool tried_session;       /* START_DBG_SESSION sent in this session */
	uint32_t session_ret;     /* its RETURN word */
	bool erased;              /* ERASE_FLASH answered 0 in this session */
} l55drv;

static const fk_chip_id_reg l55_id_regs[] = {
	{"CPUID", L55_CPUID_ADDR}, /* ARMv8-M §D1.2.44 (the memory path: debug open) */
};

/* ---------------------------------------------------------------- identification */

static bool l55_owns_name(const char *name)
{
	return !strcasecmp(name, "lpc55") || !strcasecmp(name, "lpc55s69") ||
	       !strcasecmp(name, "lpc55s6x");
}

static bool l55_dm_seen(const fk_chip_ids *ids)
{
	for (unsigned i = 0; i < ids->nap; i++)
		if (ids->ap[i].apsel == L55_DM_AP && ids->ap[i].idr == L55_DM_IDR)
			return true;
	return false;
}

/* Raw path: the DM-AP's IDR at AP 2 (spsdk REGISTERS["IDR"]) behind the DPIDR an LPC55S69
 * shows (thread 500518). Memory path (debug open): the mailbox is out of reach, so that DPIDR
 * with a Cortex-M33 CPUID. UNCONFIRMED that no other part shows the same: probe-rs
 * (vendor/nxp/sequences/mcx.rs) finds the MCX N's mailbox at AP 2 with the same IDR, and its
 * DPIDR is not in our sources; `--chip lpc55s69` states the part. */
static bool l55_match(const fk_chip_ids *ids, char *part, size_t n)
{
	uint32_t cpuid = 0;
	bool dp = ids->have_dp && ids->dp_idr == L55_DPIDR;
	bool ok = ids->path == FK_PATH_DAP_RAW ? dp && l55_dm_seen(ids)
		  : ids->path == FK_PATH_MEMORY && dp &&
			    fk_chip_ids_word(ids, L55_CPUID_ADDR, &cpuid) &&
			    (cpuid >> 24) == 0x41U && ((cpuid >> 4) & 0xFFFU) == 0xD21U;
	if (ok && part)
		fk_strlcpy(part, "lpc55s69", n);
	return ok;
}

static bool l55_part_is(const fk_chip_ids *ids, const char *name)
{
	return l55_match(ids, NULL, 0) && l55_owns_name(name);
}

static void l55_describe_fill(l55drv *f)
{
	fk_chip_desc *c = &f->desc;
	for (unsigned i = 0; i < L55_NSECT; i++)
		f->units[i] = (fk_erase_unit){i, i * L55_SECTOR, L55_SECTOR, 0};
	f->areas[0] = (fk_chip_area){"protected flash region (CMPA/CFPA)", FK_AREA_SYSTEM, L55_PFR,
				     0xA0000U - L55_PFR};
	c->family = "lpc55";
	c->part = "lpc55s69";
	c->members = "LPC55S69";
	c->manual = "UM11126";
	c->revision = "?";
	c->flash_base = 0;
	c->flash_size = L55_FLASH_SIZE;
	c->nunits = L55_NSECT;
	c->units = f->units;
	c->nareas = 1;
	c->areas = f->areas;
	c->option_base = L55_CMPA;
	c->option_reg = "CMPA (SOCU_PIN/DFLT +0x10/+0x14)";
	c->mass_erase_how = "debug mailbox ERASE_FLASH (command 3) at AP 2";
	c->program_source = "UM11126 (flash programmed through the boot ROM's flash API)";
	c->rdp_source = "UM11126 ch. 51 via pyOCD target_lpc5500.py: the AHB-AP is closed";
	c->ram_base = 0x20000000U;
	c->ram_size = 0x44000U;
}

static int l55_attach(fk_ctx *ctx, fk_chip_path *path, const fk_chip_ids *ids,
		      const char *force_part, void **state)
{
	(void)ids;
	(void)force_part;
	*state = NULL;
	l55drv *f = calloc(1, sizeof *f);
	if (!f)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the LPC55 driver");
	if (path->kind == FK_PATH_DAP_RAW) {
		f->raw = true;
		adi_init(&f->adi, path->dap, path->dap_h);
		int rc = adi_connect_dp(&f->adi, ctx);
		if (rc) {
			free(f);
			return fk_fail_wrap(ctx, rc, "%s: the debug port", path->t->description);
		}
	} else {
		f->mem = path->mem;
		f->mem_h = path->mem_h;
	}
	l55_describe_fill(f);
	*state = f;
	return FK_OK;
}

static void l55_detach(void *state) { free(state); }
static const fk_chip_desc *l55_describe(void *state) { return &((l55drv *)state)->desc; }
static const char *l55_path_name(void *state)
{
	(void)state;
	return "debug";
}

/* ---------------------------------------------------------------- the debug mailbox */

static int l55_need_raw(const l55drv *f, fk_ctx *ctx, const char *what)
{
	if (f->raw)
		return FK_OK;
	fk_hint(ctx, "connect through a probe that gives raw DP/AP access (cmsis-dap:, twin-swd:)");
	return fk_fail(ctx, FK_E_UNSUPPORTED, "%s needs the debug mailbox (AP 2), which this "
					      "connection's memory path does not reach", what);
}

static int l55_dm_read(l55drv *f, fk_ctx *ctx, uint8_t reg, uint64_t wait_ns, uint32_t *v)
{
	uint64_t keep = f->adi.wait_ns;
	f->adi.wait_ns = wait_ns;
	int rc = adi_apx_read(&f->adi, ctx, L55_DM_AP, reg, v);
	f->adi.wait_ns = keep;
	return rc;
}

/* spsdk DebugMailbox.__init__ / pyOCD unlock: RESYNCH_REQ with CHIP_RESET_REQ; the DM stalls
 * CSW reads until the ROM served the request, which it shows by CSW reading 0. */
static int l55_dm_resync(l55drv *f, fk_ctx *ctx)
{
	uint32_t csw = 0;
	int rc = adi_apx_write(&f->adi, ctx, L55_DM_AP, L55_DM_CSW,
			       L55_CSW_RESYNCH_REQ | L55_CSW_CHIP_RESET_REQ);
	adi_delay_us(&f->adi, 100000); /* pyOCD's 0.1 s for the reset (hardware only) */
	if (!rc)
		rc = l55_dm_read(f, ctx, L55_DM_CSW, L55_WAIT_RESYNC_NS, &csw);
	if (!rc && csw != 0) {
		fk_hint(ctx, "power-cycle the board and try again; a ROM that never clears CSW does "
			     "not serve the mailbox (UM11126 §51.6.1)");
		rc = fk_fail(ctx, FK_E_PROTOCOL, "debug mailbox: CSW reads 0x%08X after the "
						 "resynchronisation request, expected 0", csw);
	}
	return rc ? fk_fail_wrap(ctx, rc, "resynchronising the debug mailbox (CSW = "
					  "RESYNCH_REQ | CHIP_RESET_REQ)") : FK_OK;
}

/* One command without parameters (spsdk DebugMailboxCommand.run): REQUEST = id, then RETURN.
 * A status word that asks to send response words is refused: none of ours has any. */
static int l55_dm_cmd(l55drv *f, fk_ctx *ctx, uint32_t cmd, uint64_t wait_ns, uint32_t *ret)
{
	int rc = adi_apx_write(&f->adi, ctx, L55_DM_AP, L55_DM_REQUEST, cmd);
	if (!rc)
		rc = l55_dm_read(f, ctx, L55_DM_RETURN, wait_ns, ret);
	if (rc == FK_E_TIMEOUT || rc == FK_E_PROTOCOL)
		fk_hint(ctx, "the boot ROM did not answer: resynchronise by power-cycling the board; "
			     "LPC55S69 rev 0A silicon has a ROM erratum here (errata ROM.6)");
	if (rc)
		return fk_fail_wrap(ctx, rc, "debug mailbox command %u: no answer in RETURN", cmd);
	if ((*ret & 0xFFFFU) == L55_ACK)
		return fk_fail(ctx, FK_E_PROTOCOL, "debug mailbox command %u: RETURN 0x%08X is a "
						   "parameter request (0xA5A5), but the command "
						   "takes none", cmd, *ret);
	if ((*ret & 0xFFFFU) == 0 && ((*ret >> 16) & 0x7FFFU) != 0)
		return fk_fail(ctx, FK_E_PROTOCOL, "debug mailbox command %u: RETURN 0x%08X announces "
						   "%u response words; the command has none", cmd,
			       *ret, (*ret >> 16) & 0x7FFFU);
	return FK_OK;
}

/* ---------------------------------------------------------------- memory */

static int l55_ap_open(l55drv *f, fk_ctx *ctx, bool *open, uint32_t *csw)
{
	*csw = 0;
	if (!f->raw) {
		*open = true;
		return FK_OK;
	}
	int rc = adi_apx_read(&f->adi, ctx, 0, ADI_AP_CSW, csw);
	*open = !rc && (*csw & L55_AHBAP_CSW_DEVICEEN);
	return rc;
}

static int l55_mem_read(l55drv *f, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	unsigned w = (addr | len) & 3U ? 1 : 4;
	if (f->raw)
		return adi_mem_read(&f->adi, ctx, addr, buf, len, w);
	return f->mem->read(f->mem_h, ctx, addr, buf, len, w);
}

/* ---------------------------------------------------------------- inventory */

typedef struct l55_policy {
	bool read;            /* the CMPA words could be read (or their page is erased) */
	bool blank;
	uint32_t pin, dflt;
} l55_policy;

/* spsdk pfr_cmpa.xml: PIN=1 DFLT=1 enabled, PIN=0 DFLT=0 closed until debug authentication,
 * PIN=1 DFLT=0 permanently closed, PIN=0 DFLT=1 illegal; [31:16] must be the inverse. */
static const char *l55_level_text(const l55_policy *p, uint32_t bit)
{
	if (p->blank)
		return "enabled (CMPA blank)";
	if ((p->pin >> 16) != (~p->pin & 0xFFFFU) || (p->dflt >> 16) != (~p->dflt & 0xFFFFU))
		return "invalid (inverse half does not match)";
	bool pin = p->pin & bit, dflt = p->dflt & bit;
	return pin && dflt ? "enabled" : !pin && !dflt ? "closed (debug authentication can open it)"
		: pin ? "closed for good (PIN=1, DFLT=0)" : "illegal (PIN=0, DFLT=1)";
}

static void l55_policy_read(l55drv *f, fk_ctx *ctx, l55_policy *p)
{
	uint8_t w[8];
	memset(p, 0, sizeof *p);
	fk_ctx *q = fk_ctx_new();
	if (!q)
		return;
	int rc = l55_mem_read(f, q, L55_CMPA + 0x10U, w, sizeof w);
	if (rc == FK_E_BUS_FAULT) { /* pyOCD: erased pages fault: no policy was programmed */
		p->read = p->blank = true;
	} else if (!rc) {
		p->read = true;
		p->pin = fk_get_le32(w);
		p->dflt = fk_get_le32(w + 4);
		p->blank = !p->pin && !p->dflt;
	} else {
		char msg[FK_CHAIN_MSG_MAX];
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "CMPA at 0x%08X not read: %s", L55_CMPA,
		       fk_ctx_message(q, msg, sizeof msg));
	}
	fk_ctx_free(q);
}

static fk_lock *l55_lock_add(fk_inventory *inv, const char *name)
{
	if (inv->nlocks >= FK_INV_MAX_LOCKS)
		return NULL;
	fk_lock *l = &inv->locks[inv->nlocks++];
	memset(l, 0, sizeof *l);
	l->kind = FK_LOCK_DEBUG;
	fk_strlcpy(l->name, name, sizeof l->name);
	l->reversible = true;
	return l;
}

/* The AHB-AP is closed: the policy cannot be read; what the mailbox has said so far decides
 * which step is next. */
static void l55_inv_closed(l55drv *f, uint32_t csw, fk_inventory *inv)
{
	fk_lock *l = l55_lock_add(inv, "debug (AHB-AP)");
	if (!l)
		return;
	l->blocks_write = true;
	snprintf(l->raw, sizeof l->raw, "AP0 CSW=0x%08X (DeviceEn=0), AP2 IDR=0x%08X", csw,
		 L55_DM_IDR);
	if (!f->tried_session || !(f->session_ret & 0xFFFFU)) {
		snprintf(l->state, sizeof l->state, "debug closed; mailbox present (DM-AP at AP 2): "
			 "the CMPA debug policy cannot be read while the AHB-AP is closed");
		l->step = FK_STEP_CTRL;
		l->cost = FK_COST_NOTHING;
		snprintf(l->remedy, sizeof l->remedy, "START_DBG_SESSION through the mailbox opens "
			 "it when the CMPA allows debug (closed only by the boot state or the "
			 "application); it resets the chip");
		return;
	}
	snprintf(l->state, sizeof l->state, "debug closed; START_DBG_SESSION refused (RETURN "
		 "0x%08X): the CMPA policy keeps it closed%s", f->session_ret,
		 f->erased ? "; flash mass-erased (ERASE_FLASH answered 0)" : "");
	l->step = FK_STEP_RDP;
	l->cost = FK_COST_ALL_FLASH;
	snprintf(l->remedy, sizeof l->remedy, "ERASE_FLASH through the mailbox erases the flash if "
		 "the CMPA allows it (FA_ME_CMD_EN); it leaves the CMPA, so debug may stay closed; "
		 "debug authentication is not done by flashkey");
}

static void l55_inv_open(l55drv *f, fk_ctx *ctx, fk_inventory *inv)
{
	l55_policy p;
	l55_policy_read(f, ctx, &p);
	fk_inv_reg_add(inv, "CC_SOCU_PIN", L55_CMPA + 0x10U, p.pin, p.read && !p.blank);
	fk_inv_reg_add(inv, "CC_SOCU_DFLT", L55_CMPA + 0x14U, p.dflt, p.read && !p.blank);
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, "debug", sizeof o->key);
	o->value = p.blank ? 0 : p.pin;
	snprintf(o->text, sizeof o->text, "%s", p.read ? l55_level_text(&p, L55_SOCU_DBGEN)
						       : "CMPA unreadable");
	o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, "mass_erase", sizeof o->key);
	o->value = p.blank ? 0 : p.dflt;
	snprintf(o->text, sizeof o->text, "%s", p.read ? l55_level_text(&p, L55_SOCU_FA_ME)
						       : "CMPA unreadable");
	if (!p.read || p.blank || !strcmp(l55_level_text(&p, L55_SOCU_DBGEN), "enabled"))
		return;
	fk_lock *l = l55_lock_add(inv, "CMPA debug policy");
	if (!l)
		return;
	snprintf(l->state, sizeof l->state, "debug %s at every boot; open now (this session)",
		 l55_level_text(&p, L55_SOCU_DBGEN));
	snprintf(l->raw, sizeof l->raw, "DCFG_CC_SOCU_PIN=0x%08X DFLT=0x%08X", p.pin, p.dflt);
	l->step = -1;
	l->cost = FK_COST_NOTHING;
	snprintf(l->remedy, sizeof l->remedy, "the CMPA is written through the boot ROM's FFR API "
		 "or blhost; flashkey does not write it");
}

static int l55_inventory(void *state, fk_ctx *ctx, fk_inventory *inv)
{
	l55drv *f = state;
	memset(inv, 0, sizeof *inv);
	fk_strlcpy(inv->chip, "lpc55s69", sizeof inv->chip);
	fk_strlcpy(inv->family, "lpc55", sizeof inv->family);
	fk_strlcpy(inv->path, "debug", sizeof inv->path);
	fk_strlcpy(inv->revision, "?", sizeof inv->revision);
	inv->flash_size = L55_FLASH_SIZE;
	inv->rdp_level = -1;
	bool open = false;
	uint32_t csw = 0;
	int rc = l55_ap_open(f, ctx, &open, &csw);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the AHB-AP's CSW");
	if (f->raw) {
		fk_inv_reg_add(inv, "AHB-AP CSW", 0, csw, true);
		fk_inv_reg_add(inv, "DM-AP IDR", 0xFC, L55_DM_IDR, true);
	}
	inv->flash_readable = open;
	inv->nsectors = L55_NSECT;
	for (unsigned i = 0; i < L55_NSECT; i++)
		inv->sectors[i] = (fk_sector_info){.number = i, .addr = i * L55_SECTOR,
						   .size = L55_SECTOR, .blank = -1};
	if (open)
		l55_inv_open(f, ctx, inv);
	else
		l55_inv_closed(f, csw, inv);
	if (open && f->erased)
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_CHIP, "flash mass-erased in this session");
	for (unsigned i = 0; i < inv->nlocks; i++)
		inv->write_blocked |= inv->locks[i].blocks_write;
	return FK_OK;
}

/* ---------------------------------------------------------------- plan and steps */

static void l55_plan_session(fk_step *s)
{
	s->name = "dm-session";
	snprintf(s->what, sizeof s->what, "debug mailbox (AP 2): CSW = RESYNCH_REQ | CHIP_RESET_REQ "
		 "(resets the chip), CSW reads 0, REQUEST = 7 START_DBG_SESSION, RETURN status; read "
		 "back AP0 CSW.DeviceEn");
	snprintf(s->cost_text, sizeof s->cost_text, "nothing erased; the chip is reset and stays in "
		 "the boot ROM's mailbox loop");
	s->cost = FK_COST_NOTHING;
}

static void l55_plan_erase(fk_step *s)
{
	s->name = "dm-erase";
	snprintf(s->what, sizeof s->what, "debug mailbox: REQUEST = 3 ERASE_FLASH (mass erase of "
		 "0x0-0x97FFF), then START_DBG_SESSION again; read back. Skipped if the AHB-AP is "
		 "already open");
	snprintf(s->cost_text, sizeof s->cost_text, "all main flash (608 KiB); the CMPA/CFPA pages "
		 "(debug policy) are not erased");
	s->cost = FK_COST_ALL_FLASH;
	s->destructive = true;
	s->backup = true;
}

static int l55_plan(void *state, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		    fk_plan *plan)
{
	(void)state;
	memset(plan, 0, sizeof *plan);
	if (req->kind != FK_CHANGE_UNLOCK) {
		fk_hint(ctx, "the CMPA/CFPA pages are written through the boot ROM (blhost, spsdk)");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the LPC55S69 has no option bytes flashkey "
						      "writes: its debug policy is the CMPA page");
	}
	const fk_lock *l = NULL;
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == FK_LOCK_DEBUG && inv->locks[i].step >= 0)
			l = &inv->locks[i];
	fk_step *s;
	if (l && l->step == FK_STEP_CTRL && req->upto >= FK_STEP_CTRL) {
		if (!(s = fk_plan_step_add(plan, FK_STEP_CTRL)))
			return fk_fail(ctx, FK_E_INTERNAL, "lpc55: plan full");
		l55_plan_session(s);
	}
	if (l && req->upto >= FK_STEP_RDP) {
		if (!(s = fk_plan_step_add(plan, FK_STEP_RDP)))
			return fk_fail(ctx, FK_E_INTERNAL, "lpc55: plan full");
		l55_plan_erase(s);
	}
	plan->nothing_to_do = plan->nsteps == 0;
	return FK_OK;
}

/* START_DBG_SESSION: a refusal is the ROM's answer, not a failure of the step; the read-back
 * shows it (the lock's state names the RETURN word) and the next step may go on. */
static int l55_session(l55drv *f, fk_ctx *ctx)
{
	uint32_t ret = 0;
	int rc = l55_dm_resync(f, ctx);
	if (!rc)
		rc = l55_dm_cmd(f, ctx, L55_CMD_START_DBG_SESSION, L55_WAIT_CMD_NS, &ret);
	if (rc)
		return rc;
	f->tried_session = true;
	f->session_ret = ret;
	if (ret & 0xFFFFU)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "START_DBG_SESSION refused: RETURN 0x%08X "
		       "(status 0x%04X); the CMPA policy keeps debug closed", ret, ret & 0xFFFFU);
	return FK_OK;
}

static int l55_mass_erase(l55drv *f, fk_ctx *ctx)
{
	uint32_t ret = 0;
	int rc = l55_need_raw(f, ctx, "a mass erase");
	if (!rc && !f->tried_session)
		rc = l55_dm_resync(f, ctx);
	if (!rc)
		rc = l55_dm_cmd(f, ctx, L55_CMD_ERASE_FLASH, L55_WAIT_ERASE_NS, &ret);
	if (rc)
		return rc;
	if (ret & 0xFFFFU) {
		fk_hint(ctx, "the CMPA's DCFG_CC_SOCU FA_ME_CMD_EN keeps the mailbox mass erase shut; "
			     "only debug authentication with the OEM's credential (spsdk "
			     "nxpdebugmbox auth) can open it, and PIN=1 DFLT=0 shuts it for good");
		return fk_fail(ctx, FK_E_PROTECTED, "debug mailbox ERASE_FLASH (3) refused: RETURN "
						    "0x%08X (status 0x%04X); nothing was erased", ret,
			       ret & 0xFFFFU);
	}
	f->erased = true;
	return l55_session(f, ctx); /* the AHB-AP opens as far as the CMPA allows */
}

static int l55_step(void *state, fk_ctx *ctx, const fk_step *st)
{
	l55drv *f = state;
	bool open = false;
	uint32_t csw = 0;
	int rc = l55_need_raw(f, ctx, "the mailbox unlock");
	if (!rc)
		rc = l55_ap_open(f, ctx, &open, &csw);
	if (rc)
		return rc;
	if (st->id == FK_STEP_CTRL)
		return open ? FK_OK : l55_session(f, ctx);
	if (st->id != FK_STEP_RDP)
		return fk_fail(ctx, FK_E_INTERNAL, "lpc55: step %s", st->name);
	if (open) {
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "step %s skipped: the AHB-AP is open, so "
		       "the flash was not erased", st->name);
		return FK_OK;
	}
	return l55_mass_erase(f, ctx);
}

/* ---------------------------------------------------------------- flash */

static int l55_set_supply(void *state, fk_ctx *ctx, int stated_mv, int forced, unsigned *width)
{
	(void)state;
	(void)stated_mv;
	if (forced >= 0)
		return fk_fail(ctx, FK_E_USAGE, "--psize: the LPC55S69 has one program width");
	*width = L55_PAGE;
	return FK_OK;
}

static int l55_erase(void *state, fk_ctx *ctx, const fk_sector_set *set, bool all)
{
	(void)set;
	if (all)
		return l55_mass_erase(state, ctx);
	fk_hint(ctx, "use a tool that runs the ROM flash API (pyOCD, MCUXpresso, spsdk blhost); "
		     "with debug closed, `unlock --allow-erase-all` mass-erases through the mailbox");
	return fk_fail(ctx, FK_E_UNSUPPORTED, "erasing sectors (and programming) the LPC55S69 "
					      "flash goes through the boot ROM's flash API (UM11126), "
					      "which flashkey does not run");
}

static int l55_program(void *state, fk_ctx *ctx, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	(void)state;
	(void)buf;
	(void)len;
	fk_hint(ctx, "program it with a tool that runs the ROM flash API (pyOCD's LPC55S69 flash "
		     "algorithm, MCUXpresso, spsdk blhost over the ISP)");
	return fk_fail(ctx, FK_E_UNSUPPORTED, "programming at 0x%08X: the LPC55S69 flash is "
					      "programmed through the boot ROM's flash API (code run "
					      "on the part, UM11126); no register-level interface is "
					      "confirmed, so flashkey does not program it", addr);
}

/* Page by page: an erased page faults (pyOCD: erased pages are not readable) and reads as
 * 0xFF here, the value pyOCD assumes for them too (UNCONFIRMED: the cells' own value is
 * never seen). With the AHB-AP closed nothing is read. */
static int l55_read(void *state, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len)
{
	l55drv *f = state;
	bool open = false;
	uint32_t csw = 0;
	int rc = l55_ap_open(f, ctx, &open, &csw);
	if (!rc && !open) {
		fk_hint(ctx, "`flashkey unlock` opens it through the debug mailbox when the policy "
			     "allows; see `flashkey status`");
		return fk_fail(ctx, FK_E_PROTECTED, "reading 0x%08X: the AHB-AP is closed (AP0 CSW "
						    "0x%08X, DeviceEn=0)", addr, csw);
	}
	uint8_t *p = buf;
	while (!rc && len) {
		uint32_t n = FK_MIN(len, L55_PAGE - (addr % L55_PAGE));
		rc = l55_mem_read(f, ctx, addr, p, n);
		if (rc == FK_E_BUS_FAULT && addr < L55_FLASH_SIZE) {
			fk_ctx_clear(ctx);
			memset(p, 0xFF, n);
			rc = FK_OK;
		}
		addr += n;
		p += n;
		len -= n;
	}
	return rc;
}

static int l55_reset(void *state, fk_ctx *ctx, fk_reset_kind kind)
{
	l55drv *f = state;
	if (!f->raw)
		return f->mem->reset ? f->mem->reset(f->mem_h, ctx, kind)
				     : fk_fail(ctx, FK_E_UNSUPPORTED, "no reset on this path");
	/* spsdk: CHIP_RESET_REQ resets the chip, not the mailbox */
	return adi_apx_write(&f->adi, ctx, L55_DM_AP, L55_DM_CSW, L55_CSW_CHIP_RESET_REQ);
}

static uint64_t l55_virtual_ns(void *state)
{
	l55drv *f = state;
	if (f->raw)
		return f->adi.ops->virtual_ns ? f->adi.ops->virtual_ns(f->adi.h) : 0;
	return f->mem->virtual_ns ? f->mem->virtual_ns(f->mem_h) : 0;
}

const fk_chip_driver lpc55_chip_driver = {
	.family = "lpc55",
	.summary = "lpc55 (LPC55S69: debug mailbox recovery, CMPA debug policy)",
	.paths = FK_PATH_BIT(FK_PATH_DAP_RAW) | FK_PATH_BIT(FK_PATH_MEMORY),
	.id_regs = l55_id_regs,
	.nid_regs = 1,
	.owns_name = l55_owns_name,
	.match = l55_match,
	.part_is = l55_part_is,
	.attach = l55_attach,
	.detach = l55_detach,
	.describe = l55_describe,
	.path_name = l55_path_name,
	.inventory = l55_inventory,
	.plan = l55_plan,
	.step = l55_step,
	.set_supply = l55_set_supply,
	.erase = l55_erase,
	.program = l55_program,
	.read = l55_read,
	.reset = l55_reset,
	.virtual_ns = l55_virtual_ns,
};
