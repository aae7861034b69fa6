/* SPDX-License-Identifier: GPL-2.0-or-later */
/* api: `flashkey list` — every attached probe (ST-LINK, CMSIS-DAP v2 and v1, J-Link) with the
 * firmware version it reports, through the probe drivers' own discovery (probe/stlink,
 * probe/cmsis_dap, probe/jlink), and the CH341A SPI programmers (probe/ch341a). */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "flashkey/probe.h"
#include "probe/ch341a.h"
#include "probe/cmsis_dap.h"
#include "probe/jlink.h"
#include "probe/stlink.h"

static void probes_from_stlink(const stlink_listing *r, fk_probe_info *p)
{
	memset(p, 0, sizeof *p);
	fk_strlcpy(p->kind, r->model, sizeof p->kind);
	p->vid = STLINK_VID;
	p->pid = r->pid;
	fk_strlcpy(p->serial, r->serial, sizeof p->serial);
	fk_strlcpy(p->product, r->model, sizeof p->product);
	fk_strlcpy(p->firmware, r->firmware, sizeof p->firmware);
	fk_strlcpy(p->location, r->location, sizeof p->location);
	snprintf(p->connection, sizeof p->connection, "stlink:%s", r->serial);
	p->error = r->error;
}

static void probes_from_dap(const cmsis_dap_listing *r, fk_probe_info *p)
{
	memset(p, 0, sizeof *p);
	fk_strlcpy(p->kind, r->v1 ? "CMSIS-DAP v1" : "CMSIS-DAP v2", sizeof p->kind);
	p->vid = r->vid;
	p->pid = r->pid;
	fk_strlcpy(p->serial, r->serial, sizeof p->serial);
	fk_strlcpy(p->product, r->product, sizeof p->product);
	fk_strlcpy(p->firmware, r->firmware, sizeof p->firmware);
	fk_strlcpy(p->location, r->location, sizeof p->location);
	snprintf(p->connection, sizeof p->connection, "cmsis-dap:%s", r->serial);
	p->error = r->error;
}

static void probes_from_jlink(const jlink_listing *r, fk_probe_info *p)
{
	memset(p, 0, sizeof *p);
	fk_strlcpy(p->kind, r->model, sizeof p->kind);
	p->vid = JLINK_VID;
	p->pid = r->pid;
	fk_strlcpy(p->serial, r->serial, sizeof p->serial);
	fk_strlcpy(p->product, "J-Link", sizeof p->product);
	fk_strlcpy(p->firmware, r->firmware, sizeof p->firmware);
	fk_strlcpy(p->location, r->location, sizeof p->location);
	snprintf(p->connection, sizeof p->connection, "jlink:%s", r->serial);
	p->error = r->error;
}

int fk_probe_list(fk_ctx *ctx, fk_probe_info *list, unsigned max, unsigned *n)
{
	stlink_listing st[FK_PROBE_MAX];
	cmsis_dap_listing dap[FK_PROBE_MAX];
	jlink_listing jl[FK_PROBE_MAX];
	unsigned ns = 0, nd = 0, nj = 0;
	*n = 0;
	stlink_list(ctx, st, FK_PROBE_MAX, &ns);
	cmsis_dap_list(ctx, dap, FK_PROBE_MAX, &nd);
	jlink_list(ctx, jl, FK_PROBE_MAX, &nj);
	for (unsigned i = 0; i < ns && *n < max; i++)
		probes_from_stlink(&st[i], &list[(*n)++]);
	for (unsigned i = 0; i < nd && *n < max; i++)
		probes_from_dap(&dap[i], &list[(*n)++]);
	for (unsigned i = 0; i < nj && *n < max; i++)
		probes_from_jlink(&jl[i], &list[(*n)++]);
	ch341a_listing ch[FK_PROBE_MAX];
	unsigned nc = 0;
	ch341a_list(ctx, ch, FK_PROBE_MAX, &nc);
	for (unsigned i = 0; i < nc && *n < max; i++) {
		fk_probe_info *p = &list[(*n)++];
		memset(p, 0, sizeof *p);
		bool spi = ch[i].pid == CH341A_PID;
		fk_strlcpy(p->kind, spi ? "CH341A (SPI)" : "CH341 (UART mode)", sizeof p->kind);
		p->vid = CH341A_VID;
		p->pid = ch[i].pid;
		fk_strlcpy(p->product, spi ? "SPI flash programmer" : "move the jumper to I2C/SPI",
			   sizeof p->product);
		fk_strlcpy(p->location, ch[i].location, sizeof p->location);
		if (spi)
			snprintf(p->connection, sizeof p->connection, "ch341a:%u", ch[i].position);
	}
	fk_ctx_clear(ctx); /* per-probe failures are reported in the rows */
	return FK_OK;
}
