/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fk_mem_ops over ADIv5 + Cortex-M (see dap_mem.h). The driver above cannot tell this from an
 * ST-LINK or the in-process twin. */
#include "debug/dap_mem.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "debug/cortex_m.h"

typedef struct dbgmem {
	fk_transport dap; /* the wrapped DAP transport */
	adi_dap adi;
	cm_target cm;
	int reset_mode; /* -1 or fk_reset_kind */
} dbgmem;

static int dbgmem_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len,
		       unsigned width)
{
	dbgmem *m = h;
	return adi_mem_read(&m->adi, ctx, addr, buf, len, width);
}

static int dbgmem_write(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
			unsigned width)
{
	dbgmem *m = h;
	return adi_mem_write(&m->adi, ctx, addr, buf, len, width);
}

static int dbgmem_halt(void *h, fk_ctx *ctx)
{
	dbgmem *m = h;
	return cm_halt(&m->cm, ctx);
}

/* The user's --reset choice overrides the kind the driver asks for; "none" refuses. */
static int dbgmem_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	dbgmem *m = h;
	if (m->reset_mode == FK_RESET_POWER_CYCLE) {
		fk_hint(ctx, "drop --reset=none, or reset the board by hand and reconnect");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "a reset is needed but --reset=none was given");
	}
	if (kind != FK_RESET_POWER_CYCLE && m->reset_mode >= 0)
		kind = (fk_reset_kind)m->reset_mode;
	return cm_reset(&m->cm, ctx, kind, true);
}

/* Start the application: a reset of the given kind with the reset vector catch off, then
 * halting debug off (fk_mem_ops.run; the caller applied --reset and refused "none"). */
static int dbgmem_run(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	dbgmem *m = h;
	int rc = cm_reset(&m->cm, ctx, kind, false);
	if (rc == 0)
		rc = cm_release(&m->cm, ctx);
	return rc;
}

static int dbgmem_voltage(void *h, fk_ctx *ctx)
{
	dbgmem *m = h;
	const fk_dap_ops *ops = m->adi.ops;
	return ops->voltage_mv ? ops->voltage_mv(m->adi.h, ctx) : -1;
}

static uint64_t dbgmem_virtual_ns(void *h)
{
	dbgmem *m = h;
	return m->adi.ops->virtual_ns ? m->adi.ops->virtual_ns(m->adi.h) : 0;
}

static void dbgmem_close(void *h)
{
	dbgmem *m = h;
	fk_transport_close(&m->dap);
	free(m);
}

static int dbgmem_sync(void *h, fk_ctx *ctx)
{
	return fk_transport_sync(&((dbgmem *)h)->dap, ctx);
}

/* The DP and AP 0 identification registers read at connect (no extra traffic). */
static int dbgmem_dap_ids(void *h, uint32_t *dpidr, uint32_t *ap0_idr)
{
	dbgmem *m = h;
	*dpidr = m->adi.dpidr;
	*ap0_idr = m->adi.ap_idr;
	return FK_OK;
}

static const fk_mem_ops dbgmem_ops = {
	.read = dbgmem_read,
	.write = dbgmem_write,
	.halt = dbgmem_halt,
	.reset = dbgmem_reset,
	.voltage_mv = dbgmem_voltage,
	.virtual_ns = dbgmem_virtual_ns,
	.run = dbgmem_run,
	.dap_ids = dbgmem_dap_ids,
};

static int dbgmem_attach(dbgmem *m, fk_ctx *ctx, const fk_conn_opts *opts)
{
	const fk_dap_ops *ops = m->dap.ops;
	int rc = 0;
	if (opts && opts->swd_khz && ops->set_clock)
		rc = ops->set_clock(m->dap.handle, ctx, opts->swd_khz);
	/* not halted here: the path halts it (fk_chip_path_open) once it has read DHCSR, so that a
	 * read-only command can leave a running core running (issue 13 class 12) */
	if (rc == 0)
		rc = cm_connect(&m->cm, ctx, opts && opts->connect_under_reset
						     ? CM_CONNECT_UNDER_RESET : CM_CONNECT_NORMAL);
	return rc;
}

int dbgmem_wrap(fk_ctx *ctx, fk_transport *t, const fk_conn_opts *opts)
{
	if (t->kind != FK_TRANSPORT_DAP)
		return 0;
	dbgmem *m = calloc(1, sizeof(*m));
	if (!m)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the debug session");
	m->dap = *t;
	m->reset_mode = opts ? opts->reset_mode : -1;
	adi_init(&m->adi, t->ops, t->handle);
	cm_init(&m->cm, &m->adi);
	int rc = dbgmem_attach(m, ctx, opts);
	/* The DP answered but the memory path is not usable: AP 0 is not an AHB-AP, the MEM-AP
	 * faults every access (a secured Kinetis, an nRF with APPROTECT) or the core is not a
	 * Cortex-M flashkey knows. The transport stays a raw DAP: the session identifies the part
	 * from its DP and AP IDRs (FK_PATH_DAP_RAW) instead of failing at connect. */
	if (rc < 0 && (m->adi.dpidr & 1u) &&
	    (rc == FK_E_UNSUPPORTED || rc == FK_E_BUS_FAULT || rc == FK_E_UNKNOWN_CHIP)) {
		char msg[FK_CHAIN_MSG_MAX];
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_ADI, "%s: the debug port answers (DPIDR 0x%08X) but "
		       "the memory path does not: %s; identifying the part from its access ports",
		       t->description, m->adi.dpidr, fk_ctx_message(ctx, msg, sizeof msg));
		fk_ctx_clear(ctx);
		free(m);
		return 0;
	}
	if (rc < 0) {
		free(m);
		return fk_fail_wrap(ctx, rc, "attaching to %s", t->description);
	}
	t->kind = FK_TRANSPORT_MEM;
	t->ops = &dbgmem_ops;
	t->handle = m;
	t->close = dbgmem_close;
	t->sync = dbgmem_sync;
	return 0;
}
