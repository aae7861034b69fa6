/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/cmsis_dap: pure encoders and reply decoders of the CMSIS-DAP command set (no I/O).
 * Sources: probes.md §1.1 (every reply repeats the command byte; 0xFF = unsupported), §1.2
 * (DAP_Info, DAP_Transfer, DAP_TransferBlock layouts), §1.3 (request/response bits, sizing:
 * request 3 + 1 per op + 4 per write; response 3 + 4 per read), §6.1 (TCP header). */
#include <string.h>

#include "core/core.h"
#include "probe/cmsis_dap.h"

const char *dap_cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case DAP_INFO: return "DAP_Info";
	case DAP_HOST_STATUS: return "DAP_HostStatus";
	case DAP_CONNECT: return "DAP_Connect";
	case DAP_DISCONNECT: return "DAP_Disconnect";
	case DAP_TRANSFER_CONFIGURE: return "DAP_TransferConfigure";
	case DAP_TRANSFER: return "DAP_Transfer";
	case DAP_TRANSFER_BLOCK: return "DAP_TransferBlock";
	case DAP_WRITE_ABORT: return "DAP_WriteABORT";
	case DAP_SWJ_PINS: return "DAP_SWJ_Pins";
	case DAP_SWJ_CLOCK: return "DAP_SWJ_Clock";
	case DAP_SWJ_SEQUENCE: return "DAP_SWJ_Sequence";
	case DAP_SWD_CONFIGURE: return "DAP_SWD_Configure";
	default: return "DAP command";
	}
}

int dap_check_reply(fk_ctx *ctx, uint8_t cmd, const uint8_t *resp, size_t n, size_t min)
{
	const char *name = dap_cmd_name(cmd);
	if (n == 0)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: empty reply", name);
	if (resp[0] == DAP_INVALID && cmd != DAP_INVALID)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s (0x%02x): the probe does not implement it",
			       name, cmd);
	if (resp[0] != cmd)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: reply is for command 0x%02x", name, resp[0]);
	if (n < min)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: reply of %zu bytes, expected at least %zu",
			       name, n, min);
	return FK_OK;
}

int dap_parse_status(fk_ctx *ctx, uint8_t cmd, const uint8_t *resp, size_t n)
{
	int rc = dap_check_reply(ctx, cmd, resp, n, 2);
	if (rc == FK_OK && resp[1] != DAP_OK)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: the probe answered DAP_ERROR (0x%02x)",
			       dap_cmd_name(cmd), resp[1]);
	return rc;
}

int dap_parse_info(fk_ctx *ctx, uint8_t id, const uint8_t *resp, size_t n, const uint8_t **data,
		   size_t *len)
{
	int rc = dap_check_reply(ctx, DAP_INFO, resp, n, 2);
	if (rc)
		return fk_fail_wrap(ctx, rc, "DAP_Info 0x%02x", id);
	if ((size_t)resp[1] + 2 > n)
		return fk_fail(ctx, FK_E_PROTOCOL, "DAP_Info 0x%02x: length %u runs past the %zu-byte "
				"reply", id, resp[1], n);
	*data = resp + 2;
	*len = resp[1];
	return FK_OK;
}

static uint8_t dap_req_byte(const fk_dap_xfer *x)
{
	return (uint8_t)((x->ap ? DAP_REQ_APNDP : 0) | (x->rnw ? DAP_REQ_RNW : 0) |
			 (x->addr & 0x0Cu));
}

unsigned dap_transfer_fit(const fk_dap_xfer *x, unsigned n, size_t pkt)
{
	size_t req = 3, resp = 3;
	unsigned k = 0;
	for (; k < n && k < 255; k++) {
		size_t rq = req + 1 + (x[k].rnw ? 0 : 4), rs = resp + (x[k].rnw ? 4 : 0);
		if (rq > pkt || rs > pkt)
			break;
		req = rq, resp = rs;
	}
	return k;
}

size_t dap_encode_transfer(uint8_t *buf, const fk_dap_xfer *x, unsigned n)
{
	size_t p = 0;
	buf[p++] = DAP_TRANSFER;
	buf[p++] = 0; /* DAP index: ignored in SWD */
	buf[p++] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		buf[p++] = dap_req_byte(&x[i]);
		if (!x[i].rnw) {
			fk_put_le32(buf + p, x[i].data);
			p += 4;
		}
	}
	return p;
}

/* The reference firmware counts only completed transfers; the ACK in the response byte belongs
 * to the op after them, or to the last one when its closing RDBUFF check failed (DAP.c). */
static int dap_mark_acks(fk_ctx *ctx, const char *name, uint8_t resp_byte, unsigned executed,
			 fk_dap_xfer *x, unsigned cnt)
{
	uint8_t ack = resp_byte & DAP_RESP_ACK_MASK;
	if (cnt == 0)
		return fk_fail(ctx, FK_E_INTERNAL, "%s: decoding a reply to no request", name);
	if (ack != FK_DAP_ACK_OK && ack != FK_DAP_ACK_WAIT && ack != FK_DAP_ACK_FAULT &&
	    ack != FK_DAP_ACK_NONE)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: invalid ACK %u in response 0x%02x", name, ack,
			       resp_byte);
	if (resp_byte & DAP_RESP_ERROR)
		ack = FK_DAP_ACK_NONE; /* SWD parity error: no valid answer */
	if (ack == FK_DAP_ACK_OK && executed < cnt)
		return fk_fail(ctx, FK_E_PROTOCOL, "%s: stopped after %u of %u with ACK OK", name,
			       executed, cnt);
	for (unsigned i = 0; i < cnt; i++)
		x[i].ack = i < executed ? FK_DAP_ACK_OK : 0;
	if (ack != FK_DAP_ACK_OK)
		x[executed < cnt ? executed : cnt - 1].ack = ack;
	return FK_OK;
}

int dap_parse_transfer(fk_ctx *ctx, const uint8_t *resp, size_t n, fk_dap_xfer *x, unsigned cnt,
		       unsigned *done)
{
	*done = 0;
	int rc = dap_check_reply(ctx, DAP_TRANSFER, resp, n, 3);
	if (rc)
		return rc;
	unsigned executed = resp[1];
	if (executed > cnt)
		return fk_fail(ctx, FK_E_PROTOCOL, "DAP_Transfer: reply counts %u transfers of %u sent",
			       executed, cnt);
	if ((rc = dap_mark_acks(ctx, "DAP_Transfer", resp[2], executed, x, cnt)) != 0)
		return rc;
	size_t p = 3;
	uint8_t ack = resp[2] & DAP_RESP_ACK_MASK;
	for (unsigned i = 0; i < executed; i++) {
		if (!x[i].rnw || x[i].ack != FK_DAP_ACK_OK)
			continue;
		if (p + 4 <= n) {
			x[i].data = fk_get_le32(resp + p);
			p += 4;
		} else if (ack != FK_DAP_ACK_OK) {
			/* a posted AP read is collected by the next access: when that one failed the
			 * value never came (§1.3); the read counts as failed with it */
			x[i].ack = (resp[2] & DAP_RESP_ERROR) ? FK_DAP_ACK_NONE : ack;
			for (unsigned k = i + 1; k < cnt; k++)
				x[k].ack = 0;
			break;
		} else {
			return fk_fail(ctx, FK_E_PROTOCOL, "DAP_Transfer: reply of %zu bytes lacks the "
					"data of read %u", n, i);
		}
	}
	for (unsigned i = 0; i < cnt && x[i].ack == FK_DAP_ACK_OK; i++)
		(*done)++;
	return FK_OK;
}

unsigned dap_block_fit(int rnw, size_t pkt)
{
	size_t hdr = rnw ? 4 : 5; /* response header 4 bytes; request header 5 */
	size_t k = (pkt - hdr) / 4;
	return (unsigned)FK_MIN(k, 65535u);
}

unsigned dap_same_reg_run(const fk_dap_xfer *x, unsigned n)
{
	unsigned k = 1;
	while (k < n && x[k].ap == x[0].ap && x[k].rnw == x[0].rnw && x[k].addr == x[0].addr)
		k++;
	return n ? k : 0;
}

size_t dap_encode_block(uint8_t *buf, const fk_dap_xfer *x, unsigned cnt)
{
	size_t p = 0;
	buf[p++] = DAP_TRANSFER_BLOCK;
	buf[p++] = 0;
	fk_put_le16(buf + p, (uint16_t)cnt);
	p += 2;
	buf[p++] = dap_req_byte(&x[0]);
	for (unsigned i = 0; !x[0].rnw && i < cnt; i++, p += 4)
		fk_put_le32(buf + p, x[i].data);
	return p;
}

int dap_parse_block(fk_ctx *ctx, const uint8_t *resp, size_t n, fk_dap_xfer *x, unsigned cnt,
		    unsigned *done)
{
	*done = 0;
	int rc = dap_check_reply(ctx, DAP_TRANSFER_BLOCK, resp, n, 4);
	if (rc)
		return rc;
	unsigned executed = fk_get_le16(resp + 1);
	if (executed > cnt)
		return fk_fail(ctx, FK_E_PROTOCOL, "DAP_TransferBlock: reply counts %u of %u words",
			       executed, cnt);
	if ((rc = dap_mark_acks(ctx, "DAP_TransferBlock", resp[3], executed, x, cnt)) != 0)
		return rc;
	unsigned ok = 0;
	while (ok < cnt && x[ok].ack == FK_DAP_ACK_OK)
		ok++;
	if (x[0].rnw && n < 4 + 4 * (size_t)ok)
		return fk_fail(ctx, FK_E_PROTOCOL, "DAP_TransferBlock: reply of %zu bytes lacks the "
				"data of %u reads", n, ok);
	for (unsigned i = 0; x[0].rnw && i < ok; i++)
		x[i].data = fk_get_le32(resp + 4 + 4 * i);
	*done = ok;
	return FK_OK;
}

void dap_tcp_header(uint8_t hdr[DAP_TCP_HEADER], uint16_t len, uint8_t type)
{
	fk_put_le32(hdr, DAP_TCP_SIGNATURE);
	fk_put_le16(hdr + 4, len);
	hdr[6] = type;
	hdr[7] = 0;
}

int dap_tcp_parse_header(fk_ctx *ctx, const uint8_t hdr[DAP_TCP_HEADER], uint8_t type,
			 size_t max, uint16_t *len)
{
	if (fk_get_le32(hdr) != DAP_TCP_SIGNATURE)
		return fk_fail(ctx, FK_E_PROTOCOL, "CMSIS-DAP TCP: bad frame signature 0x%08X "
				"(expected \"DAP\\0\")", fk_get_le32(hdr));
	if (hdr[6] != type)
		return fk_fail(ctx, FK_E_PROTOCOL, "CMSIS-DAP TCP: frame type %u, expected %u", hdr[6],
			       type);
	*len = fk_get_le16(hdr + 4);
	if (*len == 0 || *len > max)
		return fk_fail(ctx, FK_E_PROTOCOL, "CMSIS-DAP TCP: frame length %u outside 1..%zu",
			       *len, max);
	return FK_OK;
}
