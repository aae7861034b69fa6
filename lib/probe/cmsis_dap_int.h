/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/cmsis_dap internals: the packet link under a CMSIS-DAP session (HID, bulk or TCP). */
#ifndef FK_PROBE_CMSIS_DAP_INT_H
#define FK_PROBE_CMSIS_DAP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/core.h"
#include "link/hid.h"
#include "link/usb.h"

typedef struct dap_link_ops {
	int (*send)(void *h, fk_ctx *ctx, const uint8_t *buf, size_t len);
	/* One response packet into buf (cap bytes); fails on timeout or a broken link. */
	int (*recv)(void *h, fk_ctx *ctx, uint8_t *buf, size_t cap, size_t *got);
	void (*set_packet)(void *h, size_t pkt); /* DAP_Info 0xFF answered */
	void (*close)(void *h);
	uint64_t (*virtual_ns)(void *h); /* may be NULL */
} dap_link_ops;

typedef struct dap_link {
	const dap_link_ops *ops;
	void *h;
	int is_v1;
} dap_link;

int dap_link_hid(fk_ctx *ctx, const fk_hid_info *info, dap_link *out);
int dap_link_bulk(fk_ctx *ctx, const fk_usb_info *info, const fk_usb_iface *f, dap_link *out);
int dap_link_tcp(fk_ctx *ctx, const char *hostport, dap_link *out);

#endif
