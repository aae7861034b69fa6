/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/stlink: pure encoders and reply decoders of the ST-LINK USB protocol (no I/O).
 * Sources: probes.md §2.1 (PIDs and endpoints), §2.3 (GET_VERSION big-endian version word,
 * APIV3_GET_VERSION_EX, target voltage formula), §2.5 (memory command block), §2.6 (status
 * codes), §2.7 (feature gates), §2.8 (OpenOCD's kHz -> divisor map). */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "probe/stlink.h"

static const stlink_model stlink_models[] = {
	{0x3744, "ST-LINK/V1", 0x02, 0},
	{0x3748, "ST-LINK/V2", 0x02, 1},
	{0x374B, "ST-LINK/V2-1", 0x01, 1},
	{0x3752, "ST-LINK/V2-1", 0x01, 1},
	{0x374A, "ST-LINK/V2-1", 0x01, 1}, /* probe-rs maps these two as V2-1 too */
	{0x3742, "ST-LINK/V2-1", 0x01, 1},
	{0x374D, "ST-LINK/V3 loader", 0x01, 0},
	{0x374E, "ST-LINK/V3E", 0x01, 1},
	{0x374F, "ST-LINK/V3S", 0x01, 1},
	{0x3753, "ST-LINK/V3 2VCP", 0x01, 1},
	{0x3754, "ST-LINK/V3E", 0x01, 1},
};

const stlink_model *stlink_model_find(uint16_t pid)
{
	for (size_t i = 0; i < FK_ARRAY_SIZE(stlink_models); i++)
		if (stlink_models[i].pid == pid)
			return &stlink_models[i];
	return NULL;
}

static int stlink_short(fk_ctx *ctx, const char *cmd, size_t n, size_t want)
{
	return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK %s: reply of %zu bytes, expected %zu", cmd, n,
		       want);
}

static int stlink_is_v21(uint16_t pid)
{
	return pid == 0x374B || pid == 0x3752 || pid == 0x374A || pid == 0x3742;
}

int stlink_parse_version(fk_ctx *ctx, const uint8_t *r, size_t n, uint16_t pid,
			 stlink_version *v)
{
	if (n < 6)
		return stlink_short(ctx, "GET_VERSION", n, 6);
	uint16_t w = fk_get_be16(r); /* the one big-endian field of the protocol (§2.3) */
	memset(v, 0, sizeof *v);
	v->hw = (w >> 12) & 0xFu;
	v->jtag = (w >> 6) & 0x3Fu;
	if (stlink_is_v21(pid))
		v->msd = w & 0x3Fu;
	else
		v->swim = w & 0x3Fu;
	v->vid = fk_get_le16(r + 2);
	v->pid = fk_get_le16(r + 4);
	if (v->hw < 2 || v->hw > 3)
		return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK GET_VERSION: hardware version V%u is not "
				"an ST-LINK V2 or V3 (word 0x%04x)", v->hw, w);
	return FK_OK;
}

int stlink_parse_version_ex(fk_ctx *ctx, const uint8_t *r, size_t n, stlink_version *v)
{
	if (n < 12)
		return stlink_short(ctx, "APIV3_GET_VERSION_EX", n, 12);
	memset(v, 0, sizeof *v);
	v->hw = r[0];
	v->swim = r[1];
	v->jtag = r[2];
	v->msd = r[3];
	v->bridge = r[4];
	v->vid = fk_get_le16(r + 8);
	v->pid = fk_get_le16(r + 10);
	if (v->hw != 3)
		return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK APIV3_GET_VERSION_EX: hardware version V%u "
				"where V3 was expected", v->hw);
	return FK_OK;
}

int stlink_parse_voltage(fk_ctx *ctx, const uint8_t *r, size_t n, int *mv)
{
	if (n < 8)
		return stlink_short(ctx, "GET_TARGET_VOLTAGE", n, 8);
	uint32_t adc0 = fk_get_le32(r), adc1 = fk_get_le32(r + 4);
	if (adc0 == 0)
		return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK GET_TARGET_VOLTAGE: reference reading "
				"is 0 (adc1=%u)", adc1);
	/* V = 2 * adc1 * 1.2 / adc0 (§2.3), in millivolts; saturate absurd readings. */
	uint64_t v = (uint64_t)adc1 * 2400u / adc0;
	*mv = v > 100000u ? 100000 : (int)v;
	return FK_OK;
}

int stlink_parse_mode(fk_ctx *ctx, const uint8_t *r, size_t n, unsigned *mode)
{
	if (n < 2)
		return stlink_short(ctx, "GET_CURRENT_MODE", n, 2);
	if (r[0] > STLINK_MODE_BOOTLOADER)
		return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK GET_CURRENT_MODE: unknown mode 0x%02x",
			       r[0]);
	*mode = r[0];
	return FK_OK;
}

static const char *stlink_status_text(uint8_t s)
{
	switch (s) {
	case 0x81: return "DEBUG_ERR_FAULT";
	case 0x10: return "SWD_AP_WAIT";
	case 0x11: return "SWD_AP_FAULT";
	case 0x12: return "SWD_AP_ERROR";
	case 0x13: return "SWD_AP_PARITY_ERROR";
	case 0x14: return "SWD_DP_WAIT";
	case 0x15: return "SWD_DP_FAULT";
	case 0x16: return "SWD_DP_ERROR";
	case 0x17: return "SWD_DP_PARITY_ERROR";
	case 0x18: return "SWD_AP_WDATA_ERROR";
	case 0x19: return "SWD_AP_STICKY_ERROR";
	case 0x1A: return "SWD_AP_STICKYORUN_ERROR";
	case 0x1D: return "BAD_AP_ERROR";
	case 0x05: return "no device found";
	case 0x09: return "JTAG_GET_IDCODE_ERROR";
	case 0x0A: return "alignment error";
	case 0x0B: return "debug power error";
	case 0x0E: return "already opened in another mode";
	case 0x41: return "frequency not supported";
	case 0x42: return "unknown command";
	default: return "unknown status";
	}
}

int stlink_status_is_wait(uint8_t status)
{
	return status == 0x10 || status == 0x14;
}

int stlink_check_status(fk_ctx *ctx, const char *cmd, uint8_t status)
{
	if (status == STLINK_STATUS_OK)
		return FK_OK;
	const char *t = stlink_status_text(status);
	switch (status) {
	case 0x81: case 0x11: case 0x15: case 0x19: case 0x1A:
		return fk_fail(ctx, FK_E_BUS_FAULT, "ST-LINK %s: status 0x%02x (%s)", cmd, status, t);
	case 0x10: case 0x14:
		return fk_fail(ctx, FK_E_TIMEOUT, "ST-LINK %s: status 0x%02x (%s): the target kept "
				"answering WAIT", cmd, status, t);
	case 0x05: case 0x09: case 0x16: case 0x17: case 0x12: case 0x13:
		/* the same class lib/debug gives a silent DP (ACK 0b111): no connection */
		return fk_fail(ctx, FK_E_CONNECT, "ST-LINK %s: status 0x%02x (%s): no valid "
				"SWD answer from the target", cmd, status, t);
	default:
		return fk_fail(ctx, FK_E_PROTOCOL, "ST-LINK %s: status 0x%02x (%s)", cmd, status, t);
	}
}

int stlink_parse_status_u32(fk_ctx *ctx, const char *cmd, const uint8_t *r, size_t n,
			    uint32_t *val)
{
	size_t want = val ? 8 : 2;
	if (n < want)
		return stlink_short(ctx, cmd, n, want);
	int rc = stlink_check_status(ctx, cmd, r[0]);
	if (rc == FK_OK && val)
		*val = fk_get_le32(r + 4);
	return rc;
}

int stlink_parse_rw_status(fk_ctx *ctx, const char *cmd, const uint8_t *r, size_t n,
			   uint32_t addr)
{
	if (n < 2)
		return stlink_short(ctx, "GETLASTRWSTATUS", n, 2);
	if (r[0] == STLINK_STATUS_OK)
		return FK_OK;
	int rc = stlink_check_status(ctx, "GETLASTRWSTATUS", r[0]);
	/* GETLASTRWSTATUS2 carries the faulting address at bytes 4..7 (pyOCD). */
	uint32_t at = n >= 8 ? fk_get_le32(r + 4) : addr;
	return fk_fail_wrap(ctx, rc, "%s at 0x%08X", cmd, at);
}

unsigned stlink_features(const stlink_version *v)
{
	if (v->hw >= 3)
		return STLINK_F_VOLTAGE | STLINK_F_RW_STATUS2 | STLINK_F_MEM_16BIT | STLINK_F_INIT_AP |
		       STLINK_F_COM_FREQ | (v->jtag >= 6 ? STLINK_F_RW8_512 : 0);
	unsigned f = 0;
	f |= v->jtag >= 13 ? STLINK_F_VOLTAGE : 0;
	f |= v->jtag >= 15 ? STLINK_F_RW_STATUS2 : 0;
	f |= v->jtag >= 22 ? STLINK_F_SWD_SET_FREQ : 0;
	f |= v->jtag >= 26 ? STLINK_F_MEM_16BIT : 0;
	f |= v->jtag >= 28 ? STLINK_F_INIT_AP : 0;
	return f;
}

void stlink_version_string(const stlink_version *v, uint16_t pid, char *out, size_t n)
{
	if (v->hw >= 3)
		snprintf(out, n, "V%uJ%uM%uB%uS%u", v->hw, v->jtag, v->msd, v->bridge, v->swim);
	else if (stlink_is_v21(pid))
		snprintf(out, n, "V%uJ%uM%u", v->hw, v->jtag, v->msd);
	else
		snprintf(out, n, "V%uJ%uS%u", v->hw, v->jtag, v->swim);
}

uint16_t stlink_swd_divisor(unsigned khz, unsigned *actual)
{
	/* OpenOCD 0.12 stlink_khz_to_speed_map_swd (§2.8), fastest first. */
	static const struct { unsigned khz; uint16_t div; } map[] = {
		{4000, 0}, {1800, 1}, {1200, 2}, {950, 3}, {480, 7}, {240, 15}, {125, 31},
		{100, 40}, {50, 79}, {25, 158}, {15, 265}, {5, 798},
	};
	for (size_t i = 0; i < FK_ARRAY_SIZE(map); i++)
		if (map[i].khz <= khz) {
			*actual = map[i].khz;
			return map[i].div;
		}
	*actual = 5;
	return 798;
}

void stlink_encode_mem(uint8_t cmd[STLINK_CMD_SIZE], uint8_t op, uint32_t addr, uint16_t len)
{
	memset(cmd, 0, STLINK_CMD_SIZE);
	cmd[0] = STLINK_DEBUG_COMMAND;
	cmd[1] = op;
	fk_put_le32(cmd + 2, addr);
	fk_put_le16(cmd + 6, len);
}
