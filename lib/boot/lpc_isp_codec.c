/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NXP LPC UART ISP wire codec (see lpc_isp_codec.h for the sources). */
#include "boot/lpc_isp_codec.h"

static const struct {
	const char *name, *text;
} lpc_isp_rcs[LPC_ISP_RC_COUNT] = {
	/* UM10360 §32.4.23 Table 596: names as NXP spells them; sentences say what to do. */
	{"CMD_SUCCESS", "the command succeeded"},
	{"INVALID_COMMAND", "the bootloader does not know this command"},
	{"SRC_ADDR_ERROR", "the source address is not on a word boundary"},
	{"DST_ADDR_ERROR", "the destination address is not on a correct boundary (flash: 256 bytes, "
			   "RAM: word)"},
	{"SRC_ADDR_NOT_MAPPED", "the source address is not in the part's memory map"},
	{"DST_ADDR_NOT_MAPPED", "the destination address is not in the part's memory map"},
	{"COUNT_ERROR", "the byte count is not one the command accepts (a multiple of 4; for C: "
			"256, 512, 1024 or 4096)"},
	{"INVALID_SECTOR", "a sector number is past the last sector, or the end sector is below the "
			   "start sector"},
	{"SECTOR_NOT_BLANK", "the sector is not blank"},
	{"SECTOR_NOT_PREPARED_FOR_WRITE_OPERATION", "the sector was not prepared: send P for it "
						    "right before E or C"},
	{"COMPARE_ERROR", "the two memory areas differ"},
	{"BUSY", "the flash interface is busy"},
	{"PARAM_ERROR", "wrong number of parameters or an invalid parameter"},
	{"ADDR_ERROR", "the address is not on a word boundary"},
	{"ADDR_NOT_MAPPED", "the address is not in the part's memory map"},
	{"CMD_LOCKED", "the command is locked: send U 23130 (Unlock) first"},
	{"INVALID_CODE", "the unlock code is wrong (it is 23130)"},
	{"INVALID_BAUD_RATE", "the baud rate is not one the bootloader can set"},
	{"INVALID_STOP_BIT", "the stop-bit setting is invalid (1 or 2)"},
	{"CODE_READ_PROTECTION_ENABLED", "Code Read Protection (the CRP word at 0x2FC) forbids this "
					 "command"},
};

const char *lpc_isp_rc_name(unsigned rc)
{
	return rc < LPC_ISP_RC_COUNT ? lpc_isp_rcs[rc].name : NULL;
}

const char *lpc_isp_rc_text(unsigned rc)
{
	return rc < LPC_ISP_RC_COUNT ? lpc_isp_rcs[rc].text : "an unknown return code";
}

static char lpc_uu_char(unsigned v)
{
	return v ? (char)(0x20 + v) : '`'; /* 0 travels as '`' (lpc21isp uuencode_table) */
}

size_t lpc_uu_encode_line(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t groups = (n + 2) / 3;
	if (n == 0 || n > LPC_UU_LINE_MAX_BYTES || cap < 1 + 4 * groups + 1)
		return 0;
	size_t o = 0;
	out[o++] = (char)(0x20 + n);
	for (size_t g = 0; g < groups; g++) {
		uint32_t k = 0;
		for (size_t b = 0; b < 3; b++) {
			size_t i = g * 3 + b;
			k = (k << 8) | (i < n ? in[i] : 0U);
		}
		out[o++] = lpc_uu_char((k >> 18) & 63U);
		out[o++] = lpc_uu_char((k >> 12) & 63U);
		out[o++] = lpc_uu_char((k >> 6) & 63U);
		out[o++] = lpc_uu_char(k & 63U);
	}
	out[o] = '\0';
	return o;
}

static int lpc_uu_val(char c)
{
	unsigned char u = (unsigned char)c;
	if (u < 0x20 || u > 0x60)
		return -1;
	return (int)((u - 0x20U) & 63U); /* 0x60 ('`') is 0 as 0x20 is */
}

static int lpc_uu_bad(size_t *err_pos, const char **why, size_t pos, const char *reason)
{
	*err_pos = pos;
	*why = reason;
	return -1;
}

int lpc_uu_decode_line(const char *line, size_t len, uint8_t *out, size_t *n, size_t *err_pos,
		       const char **why)
{
	if (len == 0)
		return lpc_uu_bad(err_pos, why, 0, "empty line where UU data was expected");
	int cnt = lpc_uu_val(line[0]);
	if (cnt < 0 || cnt > (int)LPC_UU_LINE_MAX_BYTES)
		return lpc_uu_bad(err_pos, why, 0, "length character out of range");
	size_t need = 1 + 4 * (((size_t)cnt + 2) / 3);
	if (len < need)
		return lpc_uu_bad(err_pos, why, len, "line shorter than its length character says");
	if (len > need)
		return lpc_uu_bad(err_pos, why, need, "characters after the data");
	size_t o = 0;
	for (size_t i = 1; i < need; i += 4) {
		uint32_t k = 0;
		for (size_t j = 0; j < 4; j++) {
			int v = lpc_uu_val(line[i + j]);
			if (v < 0)
				return lpc_uu_bad(err_pos, why, i + j,
						  "character outside the UU alphabet");
			k = (k << 6) | (uint32_t)v;
		}
		for (unsigned b = 0; b < 3 && o < (size_t)cnt; b++)
			out[o++] = (uint8_t)(k >> (16 - 8 * b));
	}
	*n = (size_t)cnt;
	return 0;
}

uint32_t lpc_uu_sum(const uint8_t *buf, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += buf[i];
	return s;
}

static bool lpc_is_eol(char c)
{
	return c == '\r' || c == '\n';
}

bool lpc_isp_next_line(const char *buf, size_t len, size_t *start, size_t *line_len,
		       size_t *consumed)
{
	size_t i = 0;
	while (i < len && lpc_is_eol(buf[i]))
		i++;
	size_t s = i;
	while (i < len && !lpc_is_eol(buf[i]))
		i++;
	if (i == len) {
		*consumed = s;
		return false;
	}
	*start = s;
	*line_len = i - s;
	/* one CR LF (or LF, or CR LF LF) ends it; a further line break belongs to the next read */
	if (buf[i] == '\r')
		i++;
	if (i < len && buf[i] == '\n')
		i++;
	*consumed = i;
	return true;
}

static int lpc_parse_dec(const char *s, size_t len, size_t *i, uint32_t *v, size_t *err_pos,
			 const char **why)
{
	uint64_t acc = 0;
	size_t start = *i;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		acc = acc * 10U + (uint64_t)(s[*i] - '0');
		if (acc > UINT32_MAX)
			return lpc_uu_bad(err_pos, why, start, "a number is larger than 4294967295");
		(*i)++;
	}
	if (*i == start)
		return lpc_uu_bad(err_pos, why, *i, "unexpected character");
	*v = (uint32_t)acc;
	return 0;
}

int lpc_isp_parse_cmd(const char *line, size_t len, lpc_isp_cmd *out, size_t *err_pos,
		      const char **why)
{
	*out = (lpc_isp_cmd){0};
	if (len == 0)
		return lpc_uu_bad(err_pos, why, 0, "empty line");
	if (line[0] < 'A' || line[0] > 'Z')
		return lpc_uu_bad(err_pos, why, 0, "a command starts with a capital letter");
	out->letter = line[0];
	size_t i = 1;
	for (;;) {
		size_t sp = i;
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			return 0;
		if (i == sp)
			return lpc_uu_bad(err_pos, why, i, "unexpected character");
		if (out->letter == 'G' && out->nargs == 1 && (line[i] == 'T' || line[i] == 'A')) {
			out->mode = line[i++];
			while (i < len && line[i] == ' ')
				i++;
			return i == len ? 0 : lpc_uu_bad(err_pos, why, i, "too many arguments");
		}
		if (out->nargs == 4)
			return lpc_uu_bad(err_pos, why, i, "too many arguments");
		if (lpc_parse_dec(line, len, &i, &out->arg[out->nargs], err_pos, why))
			return -1;
		out->nargs++;
	}
}

int lpc_isp_parse_number(const char *line, size_t len, uint32_t *out)
{
	size_t i = 0, pos;
	const char *why;
	if (lpc_parse_dec(line, len, &i, out, &pos, &why) || i != len)
		return -1;
	return 0;
}

static uint32_t lpc_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t lpc_vector_checksum(const uint8_t vec[32])
{
	uint32_t s = 0;
	for (unsigned w = 0; w < 7; w++)
		s += lpc_le32(vec + 4 * w);
	return 0U - s;
}

bool lpc_vector_valid(const uint8_t vec[32])
{
	return lpc_vector_checksum(vec) == lpc_le32(vec + 28);
}
