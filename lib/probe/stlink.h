/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/stlink: ST-LINK V2 / V2-1 / V3 over USB bulk (link/usb), as an fk_mem_ops transport.
 *
 * The reply decoders are separate functions so that unit tests and the libFuzzer harness
 * (tests/fuzz/fuzz_stlink_resp.c) reach them without a probe.
 * Sources: ../shared/reference/probes.md §2 (IDs, framing, commands, status codes, feature gates,
 * connect sequence), from OpenOCD 0.12 stlink_usb.c and pyOCD stlink.py. */
#ifndef FK_PROBE_STLINK_H
#define FK_PROBE_STLINK_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"
#include "flashkey/core.h"

#define STLINK_VID 0x0483u
#define STLINK_CMD_SIZE 16u    /* STLINK_CMD_SIZE_V2 */
#define STLINK_DATA_MAX 6144u  /* STLINK_DATA_SIZE: largest 16/32-bit memory transfer */
#define STLINK_STATUS_OK 0x80u /* DEBUG_ERR_OK */

/* Top-level commands (probes.md §2.3). */
#define STLINK_GET_VERSION 0xF1u
#define STLINK_DEBUG_COMMAND 0xF2u
#define STLINK_DFU_COMMAND 0xF3u
#define STLINK_SWIM_COMMAND 0xF4u
#define STLINK_GET_CURRENT_MODE 0xF5u
#define STLINK_GET_TARGET_VOLTAGE 0xF7u
#define STLINK_APIV3_GET_VERSION_EX 0xFBu
#define STLINK_DFU_EXIT 0x07u
#define STLINK_SWIM_EXIT 0x01u

/* DEBUG_COMMAND subcommands (§2.4). */
#define STLINK_DEBUG_READMEM_32BIT 0x07u
#define STLINK_DEBUG_WRITEMEM_32BIT 0x08u
#define STLINK_DEBUG_RUNCORE 0x09u
#define STLINK_DEBUG_READMEM_8BIT 0x0Cu
#define STLINK_DEBUG_WRITEMEM_8BIT 0x0Du
#define STLINK_DEBUG_EXIT 0x21u
#define STLINK_DEBUG_APIV2_ENTER 0x30u
#define STLINK_DEBUG_APIV2_READ_IDCODES 0x31u
#define STLINK_DEBUG_APIV2_WRITEDEBUGREG 0x35u
#define STLINK_DEBUG_APIV2_READDEBUGREG 0x36u
#define STLINK_DEBUG_APIV2_GETLASTRWSTATUS 0x3Bu
#define STLINK_DEBUG_APIV2_DRIVE_NRST 0x3Cu
#define STLINK_DEBUG_APIV2_GETLASTRWSTATUS2 0x3Eu
#define STLINK_DEBUG_APIV2_SWD_SET_FREQ 0x43u
#define STLINK_DEBUG_READMEM_16BIT 0x47u
#define STLINK_DEBUG_WRITEMEM_16BIT 0x48u
#define STLINK_DEBUG_APIV2_INIT_AP 0x4Bu
#define STLINK_DEBUG_APIV3_SET_COM_FREQ 0x61u
#define STLINK_DEBUG_ENTER_SWD_NO_RESET 0xA3u

#define STLINK_NRST_LOW 0x00u
#define STLINK_NRST_HIGH 0x01u
#define STLINK_NRST_PULSE 0x02u

/* GET_CURRENT_MODE answers (§2.3). */
enum stlink_mode { STLINK_MODE_DFU = 0, STLINK_MODE_MASS = 1, STLINK_MODE_DEBUG = 2,
		   STLINK_MODE_SWIM = 3, STLINK_MODE_BOOTLOADER = 4 };

/* Feature flags decided from the firmware version (§2.7). */
#define STLINK_F_VOLTAGE (1u << 0)
#define STLINK_F_RW_STATUS2 (1u << 1)
#define STLINK_F_SWD_SET_FREQ (1u << 2)
#define STLINK_F_MEM_16BIT (1u << 3)
#define STLINK_F_INIT_AP (1u << 4)
#define STLINK_F_COM_FREQ (1u << 5)
#define STLINK_F_RW8_512 (1u << 6)

typedef struct stlink_model {
	uint16_t pid;
	const char *name; /* "ST-LINK/V2" */
	uint8_t ep_out;   /* 0x02 on V2, 0x01 on V2-1 and V3 (§2.1); IN is 0x81 for all */
	int usable;       /* 0: V1 (SCSI) or the V3 USB loader */
} stlink_model;

typedef struct stlink_version {
	unsigned hw, jtag, swim, msd, bridge;
	uint16_t vid, pid;
} stlink_version;

const stlink_model *stlink_model_find(uint16_t pid);

/* Decoders: each checks the length and names the command in its failure. */
int stlink_parse_version(fk_ctx *ctx, const uint8_t *r, size_t n, uint16_t pid,
			 stlink_version *v);
int stlink_parse_version_ex(fk_ctx *ctx, const uint8_t *r, size_t n, stlink_version *v);
int stlink_parse_voltage(fk_ctx *ctx, const uint8_t *r, size_t n, int *mv);
int stlink_parse_mode(fk_ctx *ctx, const uint8_t *r, size_t n, unsigned *mode);
/* A reply whose byte 0 is a status (and, for n >= 8, a 32-bit value at bytes 4..7). */
int stlink_check_status(fk_ctx *ctx, const char *cmd, uint8_t status);
int stlink_parse_status_u32(fk_ctx *ctx, const char *cmd, const uint8_t *r, size_t n,
			    uint32_t *val);
/* GETLASTRWSTATUS(2) after a memory command at addr: FAULT -> FK_E_BUS_FAULT naming the address. */
int stlink_parse_rw_status(fk_ctx *ctx, const char *cmd, const uint8_t *r, size_t n,
			   uint32_t addr);
int stlink_status_is_wait(uint8_t status);
unsigned stlink_features(const stlink_version *v);
/* "V2J37S7", "V2J37M26", "V3J7M2B4S4" */
void stlink_version_string(const stlink_version *v, uint16_t pid, char *out, size_t n);
/* V2 SWD_SET_FREQ divisor for at most khz (OpenOCD's map); *actual receives the chosen kHz. */
uint16_t stlink_swd_divisor(unsigned khz, unsigned *actual);
/* F2 op addr32 len16 (memory command block, §2.5; apnum/csw left 0). */
void stlink_encode_mem(uint8_t cmd[STLINK_CMD_SIZE], uint8_t op, uint32_t addr, uint16_t len);

/* Opens "stlink[:SERIAL]". Exposed for the backend table and the twin's emulated probes. */
int stlink_open(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts, fk_transport *out);

/* For `flashkey list`: one row per attached ST-LINK. */
typedef struct stlink_listing {
	uint16_t pid;
	char model[24];
	char serial[64];
	char firmware[24];
	char location[32];
	int error; /* why the firmware version could not be read */
} stlink_listing;
int stlink_list(fk_ctx *ctx, stlink_listing *rows, unsigned max, unsigned *n);

#endif
