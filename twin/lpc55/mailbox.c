/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LPC55S69 debug mailbox (DM-AP, AP 2) and the boot ROM's command loop behind it. Sources
 * in lpc55.h ([SPSDK-DM] registers and handshake, [PYOCD]/[PR] the unlock sequence, [NXP-CMD]
 * the command codes as the silicon has them, [SPSDK-PFR] what the CMPA policy allows). */
#include <stdint.h>

#include "lpc55/lpc55.h"

const char *tw_l55_dm_name(tw_l55_dm s)
{
	static const char *const n[] = {"off (no resynchronisation seen at boot)",
					"resynchronising", "idle (waiting for a command)",
					"receiving parameters", "busy", "answer waiting"};
	return (unsigned)s < 6 ? n[s] : "?";
}

static void dm_answer(tw_l55 *c, uint32_t word)
{
	if (c->dm_ret_valid) /* [SPSDK-DM] AHB_OR_ERR: a return value overwritten by the ROM */
		c->dm_csw |= TW_L55_CSW_AHB_OR_ERR;
	c->dm_return = word;
	c->dm_ret_valid = true;
	c->dm = TW_L55_DM_ANSWER;
	c->gen++;
}

/* A command the policy refuses gets the unknown-command answer (UNCONFIRMED status). */
static void dm_execute(tw_l55 *c)
{
	c->dm_commands++;
	switch (c->dm_cmd) {
	case 1: /* START_DBG_MB */
		dm_answer(c, 0);
		return;
	case 3: /* ERASE_FLASH [NXP-CMD]: 3 on rev 1B silicon; gated by FA_ME_CMD_EN [SPSDK-PFR] */
		if (tw_l55_level_of(c, TW_L55_SOCU_FA_ME_CMD_EN) != TW_L55_OPEN)
			break;
		tw_l55_mass_erase(c);
		c->dm = TW_L55_DM_BUSY;
		c->dm_return = 0;
		c->t_ready = c->now_ns + TW_L55_T_MASS_ERASE_NS;
		return;
	case 4: /* EXIT_DBG_MB: the ROM leaves the loop and goes on booting */
		c->dm_exit = true;
		dm_answer(c, 0);
		return;
	case 5: /* ENTER_ISP_MODE (1 parameter), gated by ISP_CMD_EN [SPSDK-PFR] */
		if (tw_l55_level_of(c, 1U << 6) != TW_L55_OPEN)
			break;
		c->in_isp = true;
		dm_answer(c, 0);
		return;
	case 7: /* START_DBG_SESSION [PYOCD]: the ROM opens debug as far as the policy allows */
		if (tw_l55_level_of(c, TW_L55_SOCU_DBGEN) != TW_L55_OPEN)
			break;
		c->dbg_open = true;
		dm_answer(c, 0);
		return;
	default: /* 2 GET_CRP_LEVEL and the rest: not on this ROM [NXP-CMD] */
		break;
	}
	dm_answer(c, TW_L55_RET_UNSUPPORTED);
}

static uint32_t dm_ack(const tw_l55 *c, uint32_t remaining)
{
	(void)c;
	return TW_L55_ACK_TOKEN | remaining << 16;
}

static void dm_request(tw_l55 *c, uint32_t val)
{
	if (c->dm == TW_L55_DM_OFF || c->dm == TW_L55_DM_RESYNC || c->dm == TW_L55_DM_BUSY) {
		if (c->dm_req_pending) /* [SPSDK-DM] DBG_OR_ERR: REQUEST overwritten before read */
			c->dm_csw |= TW_L55_CSW_DBG_OR_ERR;
		c->dm_req_pending = true; /* nobody takes it */
		return;
	}
	if (c->fault == TW_L55_FAULT_MUTE) { /* a ROM that never answers */
		c->dm = TW_L55_DM_BUSY;
		c->t_ready = UINT64_MAX;
		return;
	}
	if (c->dm == TW_L55_DM_PARAMS) {
		c->dm_params[c->dm_got++] = val;
		c->dm_ret_valid = false;
		if (c->dm_got < c->dm_nparams)
			dm_answer(c, dm_ack(c, c->dm_nparams - c->dm_got));
		else
			dm_execute(c);
		if (c->dm == TW_L55_DM_ANSWER && c->dm_got < c->dm_nparams)
			c->dm = TW_L55_DM_PARAMS;
		return;
	}
	/* [SPSDK-DM] a new command: id in [15:0], parameter count in [31:16] */
	c->dm_ret_valid = false;
	c->dm_cmd = val & 0xFFFFU;
	c->dm_nparams = val >> 16;
	if (c->fault == TW_L55_FAULT_BAD_ACK && !c->dm_nparams)
		c->dm_nparams = 1; /* a ROM that wants a parameter the command does not take */
	c->dm_got = 0;
	if (c->dm_nparams > 8) { /* more than any command takes (UNCONFIRMED answer) */
		dm_answer(c, TW_L55_RET_UNSUPPORTED);
		return;
	}
	if (c->dm_nparams == 0) {
		dm_execute(c);
		return;
	}
	dm_answer(c, dm_ack(c, c->dm_nparams));
	c->dm = TW_L55_DM_PARAMS;
}

static void dm_csw_write(tw_l55 *c, uint32_t val)
{
	/* error flags: written 1 clears them (UNCONFIRMED: spsdk names them, not how to clear) */
	c->dm_csw &= ~(val & (TW_L55_CSW_DBG_OR_ERR | TW_L55_CSW_AHB_OR_ERR));
	if (val & TW_L55_CSW_RESYNCH_REQ)
		c->dm_csw |= TW_L55_CSW_RESYNCH_REQ;
	/* [SPSDK-DM] CHIP_RESET_REQ resets the chip but not the DM; the ROM then sees the
	 * resynchronisation request and serves it */
	if (val & TW_L55_CSW_CHIP_RESET_REQ) {
		c->dm_req_pending = false;
		c->dm_ret_valid = false;
		c->dm_exit = false;
		tw_l55_reset(c, (c->dm_csw & TW_L55_CSW_RESYNCH_REQ) != 0);
	}
	c->gen++;
}

static tw_status dm_return_read(tw_l55 *c, uint32_t *val)
{
	/* [SPSDK-DM] "any read from debugger side will be stalled until new data is present" */
	if (!c->dm_ret_valid)
		return TW_STALL;
	*val = c->dm_return;
	c->dm_ret_valid = false;
	if (c->dm == TW_L55_DM_ANSWER)
		c->dm = TW_L55_DM_IDLE;
	if (c->dm_exit) { /* the ROM goes on booting: an image runs with the policy's debug */
		c->dm_exit = false;
		c->dm = TW_L55_DM_OFF;
		c->in_isp = !tw_l55_image_valid(c);
		if (!c->in_isp && tw_l55_level_of(c, TW_L55_SOCU_DBGEN) == TW_L55_OPEN)
			c->dbg_open = !c->app_closes_debug;
	}
	c->gen++;
	return TW_OK;
}

tw_status tw_l55_dm_access(tw_l55 *c, uint8_t reg, bool rnw, uint32_t *val)
{
	if (!c->powered)
		return TW_POWER_OFF;
	if (c->dm == TW_L55_DM_BUSY && c->now_ns >= c->t_ready) {
		c->dm_ret_valid = true; /* the command's status is ready */
		c->dm = TW_L55_DM_ANSWER;
	}
	if (!rnw) {
		if (reg == TW_L55_DM_CSW)
			dm_csw_write(c, *val);
		else if (reg == TW_L55_DM_REQUEST)
			dm_request(c, *val);
		return TW_OK; /* RETURN and IDR are read-only */
	}
	switch (reg) {
	case TW_L55_DM_CSW:
		/* [SPSDK-DM]: stalled until the ROM has served the resynchronisation */
		if (c->dm == TW_L55_DM_RESYNC)
			return TW_STALL;
		*val = c->dm_csw | (c->dm_req_pending ? TW_L55_CSW_REQ_PENDING : 0U);
		return TW_OK;
	case TW_L55_DM_RETURN:
		return dm_return_read(c, val);
	case TW_L55_DM_IDR_REG:
		*val = c->fault == TW_L55_FAULT_WRONG_IDR ? TW_L55_DM_IDR | 0x1U : TW_L55_DM_IDR;
		return TW_OK;
	default:
		*val = 0;
		return TW_OK;
	}
}
