/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/cmsis_dap: CMSIS-DAP v1 (HID), v2 (USB bulk) and CMSIS-DAP over TCP, as a raw DAP
 * transport (flashkey/dap.h) that lib/debug turns into memory access.
 *
 * The encoders and reply decoders are separate pure functions (unit tests, and the libFuzzer
 * harness tests/fuzz/fuzz_cmsis_dap_resp.c).
 * Sources: ../shared/reference/probes.md §1.1-1.5 (commands, layouts, transfer bits,
 * v1/v2 identification and framing, packet count), §6.1 (TCP framing), §7 (pitfalls). */
#ifndef FK_PROBE_CMSIS_DAP_H
#define FK_PROBE_CMSIS_DAP_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"
#include "flashkey/dap.h"

#define DAP_INFO 0x00u
#define DAP_HOST_STATUS 0x01u
#define DAP_CONNECT 0x02u
#define DAP_DISCONNECT 0x03u
#define DAP_TRANSFER_CONFIGURE 0x04u
#define DAP_TRANSFER 0x05u
#define DAP_TRANSFER_BLOCK 0x06u
#define DAP_WRITE_ABORT 0x08u
#define DAP_SWJ_PINS 0x10u
#define DAP_SWJ_CLOCK 0x11u
#define DAP_SWJ_SEQUENCE 0x12u
#define DAP_SWD_CONFIGURE 0x13u
#define DAP_INVALID 0xFFu

#define DAP_ID_VENDOR 0x01u
#define DAP_ID_PRODUCT 0x02u
#define DAP_ID_SERIAL 0x03u
#define DAP_ID_PROTOCOL 0x04u
#define DAP_ID_FW_VERSION 0x09u
#define DAP_ID_CAPABILITIES 0xF0u
#define DAP_ID_PACKET_COUNT 0xFEu
#define DAP_ID_PACKET_SIZE 0xFFu

#define DAP_OK 0x00u
#define DAP_PORT_SWD 1u
#define DAP_PIN_NRESET 0x80u

/* Transfer request and response bits (§1.3). */
#define DAP_REQ_APNDP 0x01u
#define DAP_REQ_RNW 0x02u
#define DAP_REQ_A2 0x04u
#define DAP_REQ_A3 0x08u
#define DAP_REQ_MATCH_VALUE 0x10u
#define DAP_REQ_MATCH_MASK 0x20u
#define DAP_RESP_ACK_MASK 0x07u
#define DAP_RESP_ERROR 0x08u
#define DAP_RESP_MISMATCH 0x10u

#define DAP_TCP_SIGNATURE 0x00504144u /* "DAP\0" little-endian (§6.1) */
#define DAP_TCP_REQUEST 0x01u
#define DAP_TCP_RESPONSE 0x02u
#define DAP_TCP_HEADER 8u
#define DAP_TCP_DEFAULT_PORT 4441u
#define DAP_TCP_MAX_PAYLOAD 1024u
#define DAP_MAX_PACKET 1024u

const char *dap_cmd_name(uint8_t cmd);

/* Checks that resp answers cmd (not 0xFF "unsupported", not another command) and is at least
 * min bytes long. */
int dap_check_reply(fk_ctx *ctx, uint8_t cmd, const uint8_t *resp, size_t n, size_t min);
/* "< cmd status": status must be DAP_OK. */
int dap_parse_status(fk_ctx *ctx, uint8_t cmd, const uint8_t *resp, size_t n);
/* DAP_Info: data and len point into resp at the info bytes. */
int dap_parse_info(fk_ctx *ctx, uint8_t id, const uint8_t *resp, size_t n, const uint8_t **data,
		   size_t *len);

/* Ops of x[] that fit one DAP_Transfer packet of pkt bytes (request and response). */
unsigned dap_transfer_fit(const fk_dap_xfer *x, unsigned n, size_t pkt);
/* Encodes DAP_Transfer for x[0..n); returns the request length. buf holds >= the fitted size. */
size_t dap_encode_transfer(uint8_t *buf, const fk_dap_xfer *x, unsigned n);
/* Decodes a DAP_Transfer reply into x (ack per executed op, read data); *done = OK ops. A reply
 * that is short, claims more than asked, or carries data that does not fit fails with
 * FK_E_PROTOCOL naming DAP_Transfer. */
int dap_parse_transfer(fk_ctx *ctx, const uint8_t *resp, size_t n, fk_dap_xfer *x, unsigned cnt,
		       unsigned *done);
/* DAP_TransferBlock of cnt ops on one register (x[0] gives it; data of x[i]). */
size_t dap_encode_block(uint8_t *buf, const fk_dap_xfer *x, unsigned cnt);
int dap_parse_block(fk_ctx *ctx, const uint8_t *resp, size_t n, fk_dap_xfer *x, unsigned cnt,
		    unsigned *done);
/* Words that fit one DAP_TransferBlock packet. */
unsigned dap_block_fit(int rnw, size_t pkt);
/* Length of the run of ops starting at x[0] on the same register and direction. */
unsigned dap_same_reg_run(const fk_dap_xfer *x, unsigned n);

/* TCP framing (§6.1). */
void dap_tcp_header(uint8_t hdr[DAP_TCP_HEADER], uint16_t len, uint8_t type);
int dap_tcp_parse_header(fk_ctx *ctx, const uint8_t hdr[DAP_TCP_HEADER], uint8_t type,
			 size_t max, uint16_t *len);

/* Backends: "cmsis-dap[:SERIAL]" (v2 bulk first, then v1 HID) and "cmsis-dap-tcp:HOST[:PORT]". */
int cmsis_dap_open_usb(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts,
		       fk_transport *out);
int cmsis_dap_open_tcp(fk_ctx *ctx, const char *hostport, const fk_conn_opts *opts,
		       fk_transport *out);

typedef struct cmsis_dap_listing {
	int v1;
	uint16_t vid, pid;
	char product[64];
	char serial[64];
	char firmware[32];
	char location[32];
	int error;
} cmsis_dap_listing;
int cmsis_dap_list(fk_ctx *ctx, cmsis_dap_listing *rows, unsigned max, unsigned *n);

#endif
