/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/stlink: an ST-LINK V2 / V2-1 / V3 session giving memory access (fk_mem_ops) over SWD.
 *
 * Sources: probes.md §2.2 (16-byte command blocks, data phases, status 0x80), §2.4 (debug
 * subcommands), §2.5 (memory sizes: 6144 bytes per 16/32-bit call within the TAR auto-increment
 * block, 64 or 512 bytes per 8-bit call, 1-byte READMEM_8BIT answers 2 bytes), §2.6 (WAIT codes
 * retried, FAULT is a bus error), §2.8 (connect sequence of OpenOCD 0.12 stlink_usb_init_mode);
 * probes.md §4.1 (DHCSR, AIRCR, DEMCR, CPUID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "link/usb.h"
#include "probe/stlink.h"

#define STLINK_EP_IN 0x81u
#define STLINK_TIMEOUT_MS 1000u
#define STLINK_MIN_MV 1700 /* below this the target is taken as unpowered */
#define STLINK_WAIT_RETRIES 8
/* A silent SW-DP: pins reused by firmware, or no power/wiring, or RDP level 2 (RM0090 §3.7.3),
 * which silence alone cannot tell apart (docs/EXIT-CODES.md). */
#define STLINK_SILENT_HINT "firmware may have taken the SWD pins: retry with --connect under-reset; " \
	"silent even then: no power/wiring, or RDP level 2 (debug off for good; the BOOT0 " \
	"bootloader is off too); `flashkey doctor`"

#define CM_DHCSR 0xE000EDF0u
#define CM_DEMCR 0xE000EDFCu
#define CM_AIRCR 0xE000ED0Cu
#define CM_CPUID 0xE000ED00u
#define CM_DHCSR_DBGKEY 0xA05F0000u
#define CM_DHCSR_C_DEBUGEN (1u << 0)
#define CM_DHCSR_C_HALT (1u << 1)
#define CM_DHCSR_S_HALT (1u << 17)
#define CM_DEMCR_VC_CORERESET (1u << 0)
#define CM_DEMCR_TRCENA (1u << 24)
#define CM_AIRCR_SYSRESETREQ 0x05FA0004u

typedef struct stlink {
	fk_usb_dev *dev;
	const stlink_model *model;
	stlink_version ver;
	unsigned feat;
	uint8_t ep_out;
	unsigned blk;  /* TAR auto-increment block for 16/32-bit transfers: 1 KiB, 4 KiB on M3/M4 */
	unsigned max8; /* bytes per 8-bit transfer */
	int under_reset;
} stlink;

/* ---- one command: block out, optional data out, optional reply in ---- */

static int stlink_xfer(stlink *s, fk_ctx *ctx, const char *name, const uint8_t *cmd,
		       const void *out, size_t out_len, void *in, size_t in_len)
{
	uint8_t block[STLINK_CMD_SIZE];
	memcpy(block, cmd, STLINK_CMD_SIZE);
	int rc = fk_usb_write(s->dev, ctx, s->ep_out, block, sizeof block, STLINK_TIMEOUT_MS);
	if (rc == FK_OK && out_len)
		rc = fk_usb_write(s->dev, ctx, s->ep_out, out, out_len, STLINK_TIMEOUT_MS);
	size_t got = in_len;
	if (rc == FK_OK && in_len)
		rc = fk_usb_read(s->dev, ctx, STLINK_EP_IN, in, in_len, STLINK_TIMEOUT_MS, &got);
	if (rc)
		return fk_fail_wrap(ctx, rc, "ST-LINK %s", name);
	if (got != in_len)
		return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK %s: reply of %zu bytes, expected %zu",
			       name, got, in_len);
	return FK_OK;
}

static void stlink_cmd(uint8_t cmd[STLINK_CMD_SIZE], uint8_t b0, uint8_t b1, uint8_t b2)
{
	memset(cmd, 0, STLINK_CMD_SIZE);
	cmd[0] = b0;
	cmd[1] = b1;
	cmd[2] = b2;
}

/* A DEBUG_COMMAND answered by a 2-byte status. */
static int stlink_simple(stlink *s, fk_ctx *ctx, const char *name, uint8_t sub, uint8_t arg)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[2];
	stlink_cmd(cmd, STLINK_DEBUG_COMMAND, sub, arg);
	int rc = stlink_xfer(s, ctx, name, cmd, NULL, 0, r, sizeof r);
	return rc ? rc : stlink_parse_status_u32(ctx, name, r, sizeof r, NULL);
}

static int stlink_nrst(stlink *s, fk_ctx *ctx, uint8_t how)
{
	return stlink_simple(s, ctx, "DRIVE_NRST", STLINK_DEBUG_APIV2_DRIVE_NRST, how);
}

/* ---- debug registers ---- */

static int stlink_dreg_read(stlink *s, fk_ctx *ctx, uint32_t addr, uint32_t *val)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[8];
	stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV2_READDEBUGREG, 0);
	fk_put_le32(cmd + 2, addr);
	int rc = stlink_xfer(s, ctx, "READDEBUGREG", cmd, NULL, 0, r, sizeof r);
	if (rc == FK_OK)
		rc = stlink_parse_status_u32(ctx, "READDEBUGREG", r, sizeof r, val);
	return rc ? fk_fail_wrap(ctx, rc, "reading debug register 0x%08X", addr) : FK_OK;
}

static int stlink_dreg_write(stlink *s, fk_ctx *ctx, uint32_t addr, uint32_t val)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[2];
	stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV2_WRITEDEBUGREG, 0);
	fk_put_le32(cmd + 2, addr);
	fk_put_le32(cmd + 6, val);
	int rc = stlink_xfer(s, ctx, "WRITEDEBUGREG", cmd, NULL, 0, r, sizeof r);
	if (rc == FK_OK)
		rc = stlink_parse_status_u32(ctx, "WRITEDEBUGREG", r, sizeof r, NULL);
	return rc ? fk_fail_wrap(ctx, rc, "writing debug register 0x%08X", addr) : FK_OK;
}

/* ---- memory ---- */

static int stlink_rw_status(stlink *s, fk_ctx *ctx, const char *name, uint32_t addr,
			    uint8_t *status)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[12];
	int two = (s->feat & STLINK_F_RW_STATUS2) != 0;
	size_t n = two ? 12 : 2;
	stlink_cmd(cmd, STLINK_DEBUG_COMMAND,
		   two ? STLINK_DEBUG_APIV2_GETLASTRWSTATUS2 : STLINK_DEBUG_APIV2_GETLASTRWSTATUS, 0);
	int rc = stlink_xfer(s, ctx, two ? "GETLASTRWSTATUS2" : "GETLASTRWSTATUS", cmd, NULL, 0, r,
			     n);
	if (rc)
		return rc;
	*status = r[0];
	if (stlink_status_is_wait(r[0]))
		return FK_OK; /* the caller retries */
	return stlink_parse_rw_status(ctx, name, r, n, addr);
}

static const char *stlink_op_name(uint8_t op)
{
	switch (op) {
	case STLINK_DEBUG_READMEM_32BIT: return "READMEM_32BIT";
	case STLINK_DEBUG_WRITEMEM_32BIT: return "WRITEMEM_32BIT";
	case STLINK_DEBUG_READMEM_16BIT: return "READMEM_16BIT";
	case STLINK_DEBUG_WRITEMEM_16BIT: return "WRITEMEM_16BIT";
	case STLINK_DEBUG_READMEM_8BIT: return "READMEM_8BIT";
	default: return "WRITEMEM_8BIT";
	}
}

/* One read command of len bytes; WAIT answers are retried (a read can be repeated safely). */
static int stlink_read_chunk(stlink *s, fk_ctx *ctx, uint8_t op, uint32_t addr, uint8_t *buf,
			     uint16_t len)
{
	uint8_t cmd[STLINK_CMD_SIZE], tmp[2];
	const char *name = stlink_op_name(op);
	stlink_encode_mem(cmd, op, addr, len);
	for (int attempt = 0;; attempt++) {
		/* A 1-byte READMEM_8BIT answers 2 bytes (firmware quirk, §2.5). */
		int rc = len == 1 ? stlink_xfer(s, ctx, name, cmd, NULL, 0, tmp, 2)
				  : stlink_xfer(s, ctx, name, cmd, NULL, 0, buf, len);
		uint8_t st = STLINK_STATUS_OK;
		if (rc == FK_OK)
			rc = stlink_rw_status(s, ctx, name, addr, &st);
		if (rc)
			return rc;
		if (!stlink_status_is_wait(st)) {
			if (len == 1)
				buf[0] = tmp[0];
			return FK_OK;
		}
		if (attempt == STLINK_WAIT_RETRIES)
			return stlink_check_status(ctx, name, st);
	}
}

/* A write is not repeated on WAIT: part of it may have reached flash already. */
static int stlink_write_chunk(stlink *s, fk_ctx *ctx, uint8_t op, uint32_t addr,
			      const uint8_t *buf, uint16_t len)
{
	uint8_t cmd[STLINK_CMD_SIZE], st = STLINK_STATUS_OK;
	const char *name = stlink_op_name(op);
	stlink_encode_mem(cmd, op, addr, len);
	int rc = stlink_xfer(s, ctx, name, cmd, buf, len, NULL, 0);
	if (rc == FK_OK)
		rc = stlink_rw_status(s, ctx, name, addr, &st);
	if (rc == FK_OK && stlink_status_is_wait(st))
		rc = fk_fail_wrap(ctx, stlink_check_status(ctx, name, st), "writing at 0x%08X", addr);
	return rc;
}

/* Largest chunk at addr: 8-bit calls are capped by max8, wider ones by the TAR block. */
static uint32_t stlink_chunk(const stlink *s, uint32_t addr, uint32_t left, unsigned width)
{
	uint32_t cap = width == 1 ? s->max8 : s->blk - (addr & (s->blk - 1));
	return FK_MIN(left, FK_MIN(cap, STLINK_DATA_MAX));
}

static int stlink_width_op(stlink *s, fk_ctx *ctx, unsigned width, int write, uint8_t *op)
{
	if (width == 4)
		*op = write ? STLINK_DEBUG_WRITEMEM_32BIT : STLINK_DEBUG_READMEM_32BIT;
	else if (width == 1)
		*op = write ? STLINK_DEBUG_WRITEMEM_8BIT : STLINK_DEBUG_READMEM_8BIT;
	else if (width == 2 && (s->feat & STLINK_F_MEM_16BIT))
		*op = write ? STLINK_DEBUG_WRITEMEM_16BIT : STLINK_DEBUG_READMEM_16BIT;
	else if (width == 2) {
		fk_hint(ctx, "update the ST-LINK firmware (STM32CubeProgrammer > Firmware upgrade)");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "ST-LINK firmware V%uJ%u has no 16-bit memory "
				"access (needs J26 or later)", s->ver.hw, s->ver.jtag);
	} else
		return fk_fail(ctx, FK_E_INVALID_ARG, "ST-LINK: access width %u", width);
	return FK_OK;
}

static int stlink_mem_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len,
			   unsigned width)
{
	stlink *s = h;
	uint8_t op, *p = buf;
	int rc = stlink_width_op(s, ctx, width, 0, &op);
	while (rc == FK_OK && len) {
		uint32_t n = stlink_chunk(s, addr, len, width);
		rc = stlink_read_chunk(s, ctx, op, addr, p, (uint16_t)n);
		addr += n, p += n, len -= n;
	}
	return rc;
}

static int stlink_mem_write(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
			    unsigned width)
{
	stlink *s = h;
	uint8_t op;
	const uint8_t *p = buf;
	int rc = stlink_width_op(s, ctx, width, 1, &op);
	while (rc == FK_OK && len) {
		uint32_t n = stlink_chunk(s, addr, len, width);
		rc = stlink_write_chunk(s, ctx, op, addr, p, (uint16_t)n);
		addr += n, p += n, len -= n;
	}
	return rc;
}

/* ---- core control ---- */

static int stlink_halt(void *h, fk_ctx *ctx)
{
	stlink *s = h;
	uint32_t dhcsr = 0;
	int rc = stlink_dreg_write(s, ctx, CM_DHCSR,
				   CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN | CM_DHCSR_C_HALT);
	for (int i = 0; rc == FK_OK && i < 10; i++) {
		rc = stlink_dreg_read(s, ctx, CM_DHCSR, &dhcsr);
		if (rc == FK_OK && (dhcsr & CM_DHCSR_S_HALT))
			return FK_OK;
	}
	if (rc)
		return fk_fail_wrap(ctx, rc, "halting the core");
	return fk_fail(ctx, FK_E_NOT_HALTED, "DHCSR=0x%08X: S_HALT stays 0 after C_HALT", dhcsr);
}

static int stlink_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	stlink *s = h;
	if (kind == FK_RESET_HARDWARE)
		return stlink_nrst(s, ctx, STLINK_NRST_PULSE);
	if (kind == FK_RESET_SYSTEM) {
		/* The write may not be acknowledged: the core resets under it (OpenOCD ignores it). */
		int rc = stlink_dreg_write(s, ctx, CM_AIRCR, CM_AIRCR_SYSRESETREQ);
		if (rc == FK_E_BUS_FAULT || rc == FK_E_TIMEOUT)
			rc = FK_OK;
		return rc;
	}
	fk_hint(ctx, "power-cycle the board by hand (unplug its supply), then reconnect");
	return fk_fail(ctx, FK_E_UNSUPPORTED, "an ST-LINK cannot cut the target's power");
}

/* Start the application (fk_mem_ops.run): reset vector catch off (DEMCR.VC_CORERESET = 0), the
 * reset of the given kind (sw = AIRCR.SYSRESETREQ, hw = the probe's NRST), RUNCORE (F2 09,
 * probes.md §2.4) so that the probe's firmware knows the core runs, then DHCSR = DBGKEY with
 * C_DEBUGEN = 0 so that no breakpoint can stop the application (ARMv7-M §C1.6.3); DHCSR is read
 * back. UNCONFIRMED: RUNCORE's reply is taken as the 2-byte status of the other control
 * subcommands (probes.md lists no reply for it). */
static int stlink_run(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	stlink *s = h;
	uint32_t demcr = 0, dhcsr = 0;
	int rc = stlink_dreg_read(s, ctx, CM_DEMCR, &demcr);
	if (rc == FK_OK)
		rc = stlink_dreg_write(s, ctx, CM_DEMCR, demcr & ~CM_DEMCR_VC_CORERESET);
	if (rc == FK_OK)
		rc = stlink_reset(s, ctx, kind);
	if (rc == FK_OK)
		rc = stlink_simple(s, ctx, "RUNCORE", STLINK_DEBUG_RUNCORE, 0);
	if (rc == FK_OK)
		rc = stlink_dreg_write(s, ctx, CM_DHCSR, CM_DHCSR_DBGKEY);
	if (rc == FK_OK)
		rc = stlink_dreg_read(s, ctx, CM_DHCSR, &dhcsr);
	if (rc)
		return fk_fail_wrap(ctx, rc, "starting the application");
	if (dhcsr & CM_DHCSR_S_HALT)
		return fk_fail(ctx, FK_E_PROTOCOL, "DHCSR 0x%08X: the core is still halted after "
			       "RUNCORE and C_DEBUGEN = 0", dhcsr);
	return FK_OK;
}

static int stlink_read_voltage(stlink *s, fk_ctx *ctx, int *mv)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[8];
	stlink_cmd(cmd, STLINK_GET_TARGET_VOLTAGE, 0, 0);
	int rc = stlink_xfer(s, ctx, "GET_TARGET_VOLTAGE", cmd, NULL, 0, r, sizeof r);
	return rc ? rc : stlink_parse_voltage(ctx, r, sizeof r, mv);
}

static int stlink_voltage_mv(void *h, fk_ctx *ctx)
{
	stlink *s = h;
	int mv;
	if (!(s->feat & STLINK_F_VOLTAGE) || stlink_read_voltage(s, ctx, &mv))
		return -1;
	return mv;
}

static uint64_t stlink_virtual_ns(void *h)
{
	return fk_usb_virtual_ns(((stlink *)h)->dev);
}

static const fk_mem_ops stlink_mem_ops = {
	.read = stlink_mem_read,
	.write = stlink_mem_write,
	.halt = stlink_halt,
	.reset = stlink_reset,
	.voltage_mv = stlink_voltage_mv,
	.virtual_ns = stlink_virtual_ns,
	.run = stlink_run,
};

/* ---- connect (§2.8) ---- */

static int stlink_get_mode(stlink *s, fk_ctx *ctx, unsigned *mode)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[2];
	stlink_cmd(cmd, STLINK_GET_CURRENT_MODE, 0, 0);
	int rc = stlink_xfer(s, ctx, "GET_CURRENT_MODE", cmd, NULL, 0, r, sizeof r);
	return rc ? rc : stlink_parse_mode(ctx, r, sizeof r, mode);
}

static int stlink_read_version(stlink *s, fk_ctx *ctx)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[12];
	stlink_cmd(cmd, STLINK_GET_VERSION, 0, 0);
	int rc = stlink_xfer(s, ctx, "GET_VERSION", cmd, NULL, 0, r, 6);
	if (rc == FK_OK)
		rc = stlink_parse_version(ctx, r, 6, s->model->pid, &s->ver);
	if (rc == FK_OK && s->ver.hw == 3) { /* V3 reports J=0 here: ask for the long form */
		stlink_cmd(cmd, STLINK_APIV3_GET_VERSION_EX, 0, 0);
		rc = stlink_xfer(s, ctx, "APIV3_GET_VERSION_EX", cmd, NULL, 0, r, 12);
		if (rc == FK_OK)
			rc = stlink_parse_version_ex(ctx, r, 12, &s->ver);
	}
	s->feat = stlink_features(&s->ver);
	s->max8 = (s->feat & STLINK_F_RW8_512) ? 512 : 64;
	return rc;
}

/* Leaves DFU, mass-storage-only, SWIM or a stale debug session so that SWD can be entered. */
static int stlink_leave_mode(stlink *s, fk_ctx *ctx)
{
	unsigned mode;
	uint8_t cmd[STLINK_CMD_SIZE];
	int rc = stlink_get_mode(s, ctx, &mode);
	if (rc)
		return rc;
	if (mode == STLINK_MODE_DFU)
		stlink_cmd(cmd, STLINK_DFU_COMMAND, STLINK_DFU_EXIT, 0);
	else if (mode == STLINK_MODE_DEBUG)
		stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_EXIT, 0);
	else if (mode == STLINK_MODE_SWIM)
		stlink_cmd(cmd, STLINK_SWIM_COMMAND, STLINK_SWIM_EXIT, 0);
	else
		return FK_OK;
	/* These exits have no reply (§2.3, §2.4). */
	rc = stlink_xfer(s, ctx, "mode exit", cmd, NULL, 0, NULL, 0);
	if (rc == FK_OK)
		rc = stlink_get_mode(s, ctx, &mode);
	if (rc == FK_OK && mode == STLINK_MODE_DFU)
		return fk_fail(ctx, FK_E_CONNECT, "ST-LINK stays in DFU mode after DFU_EXIT");
	return rc;
}

static int stlink_check_power(stlink *s, fk_ctx *ctx)
{
	int mv;
	if (!(s->feat & STLINK_F_VOLTAGE))
		return FK_OK; /* cannot measure before V2J13 */
	int rc = stlink_read_voltage(s, ctx, &mv);
	if (rc)
		return rc;
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "ST-LINK: target voltage %d.%02d V", mv / 1000,
	       (mv % 1000) / 10);
	if (mv >= STLINK_MIN_MV)
		return FK_OK;
	fk_hint(ctx, "power the board and connect its supply to the ST-LINK's VAPP/VDD pin (pin 1 "
		     "of the 20-pin connector), then retry");
	return fk_fail(ctx, FK_E_NO_POWER, "target not powered: the ST-LINK measures %d.%02d V on "
			"the target supply (needs at least 1.7 V)", mv / 1000, (mv % 1000) / 10);
}

static int stlink_set_speed(stlink *s, fk_ctx *ctx, unsigned khz)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[8];
	unsigned actual = khz;
	if (s->feat & STLINK_F_COM_FREQ) {
		stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV3_SET_COM_FREQ, 0); /* 0 = SWD */
		fk_put_le32(cmd + 4, khz);
		int rc = stlink_xfer(s, ctx, "SET_COM_FREQ", cmd, NULL, 0, r, 8);
		if (rc == FK_OK)
			rc = stlink_parse_status_u32(ctx, "SET_COM_FREQ", r, 8, NULL);
		if (rc == FK_OK)
			actual = fk_get_le32(r + 4);
		fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "ST-LINK: SWD clock %u kHz", actual);
		return rc;
	}
	if (!(s->feat & STLINK_F_SWD_SET_FREQ))
		return FK_OK; /* before J22 the clock is fixed */
	uint16_t div = stlink_swd_divisor(khz, &actual);
	stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV2_SWD_SET_FREQ, 0);
	fk_put_le16(cmd + 2, div);
	int rc = stlink_xfer(s, ctx, "SWD_SET_FREQ", cmd, NULL, 0, r, 2);
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "ST-LINK: SWD clock %u kHz", actual);
	return rc ? rc : stlink_parse_status_u32(ctx, "SWD_SET_FREQ", r, 2, NULL);
}

static int stlink_read_idcode(stlink *s, fk_ctx *ctx, uint32_t *idcode)
{
	uint8_t cmd[STLINK_CMD_SIZE], r[12];
	stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV2_READ_IDCODES, 0);
	int rc = stlink_xfer(s, ctx, "READ_IDCODES", cmd, NULL, 0, r, sizeof r);
	return rc ? rc : stlink_parse_status_u32(ctx, "READ_IDCODES", r, sizeof r, idcode);
}

static int stlink_enter_swd(stlink *s, fk_ctx *ctx, const fk_conn_opts *opts)
{
	int rc = FK_OK;
	if (s->under_reset) /* before ENTER, and again after it (§2.8 step 4) */
		rc = stlink_nrst(s, ctx, STLINK_NRST_LOW);
	if (rc == FK_OK)
		rc = stlink_set_speed(s, ctx, opts->swd_khz ? opts->swd_khz : 1800);
	if (rc == FK_OK)
		rc = stlink_simple(s, ctx, "APIV2_ENTER (SWD)", STLINK_DEBUG_APIV2_ENTER,
				   STLINK_DEBUG_ENTER_SWD_NO_RESET);
	if (rc == FK_OK && s->under_reset)
		rc = stlink_nrst(s, ctx, STLINK_NRST_LOW);
	unsigned mode = 0;
	if (rc == FK_OK)
		rc = stlink_get_mode(s, ctx, &mode);
	if (rc == FK_OK && mode != STLINK_MODE_DEBUG)
		rc = fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK GET_CURRENT_MODE: mode %u after entering "
			     "SWD, expected 2 (debug)", mode);
	if (rc == FK_OK && (s->feat & STLINK_F_INIT_AP))
		rc = stlink_simple(s, ctx, "INIT_AP", STLINK_DEBUG_APIV2_INIT_AP, 0);
	return rc;
}

static int stlink_attach(stlink *s, fk_ctx *ctx)
{
	uint32_t idcode = 0, cpuid = 0;
	int rc = stlink_read_idcode(s, ctx, &idcode);
	if (rc == FK_OK && (idcode == 0 || idcode == 0xFFFFFFFFu))
		rc = fk_fail(ctx, FK_E_CONNECT, "ST-LINK READ_IDCODES: DP IDCODE 0x%08X", idcode);
	if (rc) {
		fk_hint(ctx, s->under_reset ? "the debug port does not answer even under reset: "
					      "check SWDIO/SWCLK/GND wiring; at RDP level 2 debug "
					      "is disabled for good"
					    : STLINK_SILENT_HINT);
		return fk_fail_wrap(ctx, rc, "attaching to the target");
	}
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_USB, "ST-LINK: DP IDCODE 0x%08X", idcode);
	if (s->under_reset) { /* halt at the reset vector, then let NRST go */
		rc = stlink_dreg_write(s, ctx, CM_DEMCR, CM_DEMCR_TRCENA | CM_DEMCR_VC_CORERESET);
		if (rc == FK_OK)
			rc = stlink_dreg_write(s, ctx, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN |
								  CM_DHCSR_C_HALT);
		if (rc == FK_OK)
			rc = stlink_nrst(s, ctx, STLINK_NRST_HIGH);
	}
	/* Cortex-M3/M4 increment TAR across 4 KiB (probes.md §3.6); others 1 KiB. */
	if (rc == FK_OK && stlink_dreg_read(s, ctx, CM_CPUID, &cpuid) == FK_OK) {
		unsigned part = (cpuid >> 4) & 0xFFFu;
		s->blk = (part == 0xC23 || part == 0xC24) ? 4096 : 1024;
	} else if (rc == FK_OK) {
		fk_ctx_clear(ctx); /* unknown core: keep the safe 1 KiB block */
	}
	return rc;
}

/* ---- opening ---- */

static int stlink_pick(fk_ctx *ctx, const char *serial, fk_usb_info *found)
{
	fk_usb_info *list = calloc(FK_USB_MAX_DEVICES, sizeof *list);
	unsigned n = 0, hits = 0;
	if (!list)
		return fk_fail(ctx, FK_E_NOMEM, "listing USB devices");
	fk_usb_enumerate(ctx, list, FK_USB_MAX_DEVICES, &n);
	char seen[160] = "";
	for (unsigned i = 0; i < n; i++) {
		if (list[i].vid != STLINK_VID || !stlink_model_find(list[i].pid))
			continue;
		fk_snprintf_cat(seen, sizeof seen, "%s%s", hits ? ", " : "", list[i].serial);
		if (serial && serial[0] && strcasecmp(serial, list[i].serial) != 0)
			continue;
		if (hits++ == 0 || !(serial && serial[0]))
			*found = list[i];
	}
	free(list);
	if (serial && serial[0] && !stlink_model_find(found->pid)) {
		fk_hint(ctx, "run `flashkey list` to see attached probes%s%s",
			seen[0] ? "; ST-LINK serials: " : "", seen);
		return fk_fail(ctx, FK_E_CONNECT, "no ST-LINK with serial %s", serial);
	}
	if (hits == 0) {
		fk_hint(ctx, "plug in the ST-LINK; if it is plugged in, check `lsusb` for 0483:3748 "
			     "(V2), 0483:374b (V2-1) or 0483:374e/374f (V3) and the udev rule");
		return fk_fail(ctx, FK_E_CONNECT, "no ST-LINK found on USB");
	}
	if (hits > 1 && !(serial && serial[0])) {
		fk_hint(ctx, "choose one with -c stlink:SERIAL (serials: %s)", seen);
		return fk_fail(ctx, FK_E_USAGE, "%u ST-LINKs attached: say which one", hits);
	}
	return FK_OK;
}

static int stlink_start(stlink *s, fk_ctx *ctx, const fk_usb_info *info)
{
	s->model = stlink_model_find(info->pid);
	if (!s->model->usable) {
		fk_hint(ctx, "%s", info->pid == 0x374D ? "the ST-LINK/V3 is in its USB loader: replug "
							 "it or finish its firmware upgrade"
						       : "ST-LINK/V1 (SCSI) is not supported: use a V2 or V3");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s (%04x:%04x) cannot be used", s->model->name,
			       info->vid, info->pid);
	}
	s->ep_out = s->model->ep_out;
	s->blk = 1024;
	int rc = fk_usb_open(ctx, info, 0, &s->dev);
	if (rc == FK_OK)
		rc = stlink_read_version(s, ctx);
	return rc;
}

static void stlink_close(void *h)
{
	stlink *s = h;
	if (!s)
		return;
	if (s->dev) {
		uint8_t cmd[STLINK_CMD_SIZE];
		fk_ctx *quiet = fk_ctx_new();
		stlink_cmd(cmd, STLINK_DEBUG_COMMAND, STLINK_DEBUG_EXIT, 0);
		if (quiet)
			stlink_xfer(s, quiet, "DEBUG_EXIT", cmd, NULL, 0, NULL, 0);
		fk_ctx_free(quiet);
		fk_usb_close(s->dev);
	}
	free(s);
}

static int stlink_connect(stlink *s, fk_ctx *ctx, const fk_conn_opts *opts)
{
	s->under_reset = opts->connect_under_reset;
	int rc = stlink_leave_mode(s, ctx);
	if (rc == FK_OK)
		rc = stlink_check_power(s, ctx); /* reported before anything else (issue 7) */
	if (rc == FK_OK && (rc = stlink_enter_swd(s, ctx, opts)) == FK_E_CONNECT)
		fk_hint(ctx, "%s", s->under_reset ? "the debug port does not answer even under reset: "
						    "check SWDIO/SWCLK/GND wiring; at RDP level 2 "
						    "debug is disabled for good"
						  : STLINK_SILENT_HINT);
	if (rc == FK_OK)
		rc = stlink_attach(s, ctx);
	return rc;
}

int stlink_open(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts, fk_transport *out)
{
	fk_usb_info info;
	memset(&info, 0, sizeof info);
	int rc = stlink_pick(ctx, serial, &info);
	if (rc)
		return rc;
	stlink *s = calloc(1, sizeof *s);
	if (!s)
		return fk_fail(ctx, FK_E_NOMEM, "opening the ST-LINK");
	rc = stlink_start(s, ctx, &info);
	if (rc == FK_OK)
		rc = stlink_connect(s, ctx, opts);
	if (rc) {
		stlink_close(s);
		return fk_fail_wrap(ctx, rc, "connecting through %s %s",
				    stlink_model_find(info.pid)->name, info.serial);
	}
	char fw[24];
	stlink_version_string(&s->ver, info.pid, fw, sizeof fw);
	out->kind = FK_TRANSPORT_MEM;
	out->ops = &stlink_mem_ops;
	out->handle = s;
	out->close = stlink_close;
	snprintf(out->description, sizeof out->description, "%s %s (firmware %s) over SWD",
		 s->model->name, info.serial, fw);
	return FK_OK;
}

/* ---- listing ---- */

static void stlink_list_one(fk_ctx *ctx, const fk_usb_info *info, stlink_listing *row)
{
	memset(row, 0, sizeof *row);
	row->pid = info->pid;
	fk_strlcpy(row->model, stlink_model_find(info->pid)->name, sizeof row->model);
	fk_strlcpy(row->serial, info->serial, sizeof row->serial);
	fk_strlcpy(row->location, info->location, sizeof row->location);
	stlink s;
	memset(&s, 0, sizeof s);
	if (!stlink_model_find(info->pid)->usable) {
		row->error = FK_E_UNSUPPORTED;
		return;
	}
	int rc = stlink_start(&s, ctx, info);
	if (rc == FK_OK)
		stlink_version_string(&s.ver, info->pid, row->firmware, sizeof row->firmware);
	row->error = rc;
	if (s.dev)
		fk_usb_close(s.dev);
}

int stlink_list(fk_ctx *ctx, stlink_listing *rows, unsigned max, unsigned *n)
{
	fk_usb_info *list = calloc(FK_USB_MAX_DEVICES, sizeof *list);
	unsigned cnt = 0;
	*n = 0;
	if (!list)
		return fk_fail(ctx, FK_E_NOMEM, "listing USB devices");
	fk_usb_enumerate(ctx, list, FK_USB_MAX_DEVICES, &cnt);
	for (unsigned i = 0; i < cnt && *n < max; i++)
		if (list[i].vid == STLINK_VID && stlink_model_find(list[i].pid))
			stlink_list_one(ctx, &list[i], &rows[(*n)++]);
	free(list);
	return FK_OK;
}
