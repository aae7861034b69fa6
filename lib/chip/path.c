/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Access paths (lib/chip/driver.h section 1): a transport becomes a path of one kind and the
 * IDs are collected once, before any family driver runs. No family code here: the memory path
 * reads the ID registers the registered drivers list; the ROM-stream path speaks the protocol
 * the transport names (AN3155: sync, Get, Get Version, Get ID; the Espressif ROM loader: reset,
 * SYNC, GET_SECURITY_INFO, magic word; lib/boot). */
#include <stdlib.h>
#include <string.h>

#include "boot/esp_loader.h"
#include "boot/lpc_isp.h"
#include "boot/stm32_usart.h"
#include "chip/driver.h"
#include "chip/path.h"
#include "core/core.h"
#include "debug/adiv5.h"

/* The Espressif ROM loader: reset into it, SYNC, detection data (lib/boot/esp_loader.c). */
static int path_esp(fk_ctx *ctx, const fk_transport *t, const fk_conn_opts *opts,
		    fk_chip_path *p, fk_chip_ids *ids)
{
	p->kind = FK_PATH_ROM_STREAM;
	p->protocol = "esp-rom";
	ids->path = FK_PATH_ROM_STREAM;
	esp_loader *l = calloc(1, sizeof *l);
	if (!l)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the ESP loader client");
	int rc = esp_ldr_init(l, ctx, t, opts ? opts->before : NULL, opts ? opts->after : NULL,
			      t->baud);
	if (!rc)
		rc = esp_ldr_connect(l);
	/* synced at the ROM's 115200: now the rate the user asked for (esptool: connect, then
	 * change_baud; the ROM's reply leaves at the old rate, then both ends switch) */
	if (!rc && t->baud_switch && t->baud_switch != l->baud) {
		fk_log(ctx, FK_LOG_INFO, FK_TRACE_LINK, "changing %s from %u to %u baud",
		       t->description, l->baud, t->baud_switch);
		rc = esp_ldr_change_baud(l, t->baud_switch);
	}
	if (rc) {
		esp_ldr_free(l);
		free(l);
		return fk_fail_wrap(ctx, rc, "%s", t->description);
	}
	p->esp = l;
	ids->have_esp_chip_id = l->have_security && l->sec.have_chip_id;
	ids->esp_chip_id = l->sec.chip_id;
	ids->have_esp_magic = l->have_magic;
	ids->esp_magic = l->magic;
	return FK_OK;
}

/* The NXP LPC UART ISP: reset into it (--boot-seq control) or as the user left it, sync,
 * echo off, Read Part ID (lib/boot/lpc_isp.c). */
static int path_lpc(fk_ctx *ctx, const fk_transport *t, const fk_conn_opts *opts,
		    fk_chip_path *p, fk_chip_ids *ids)
{
	p->kind = FK_PATH_ROM_STREAM;
	p->protocol = "lpc-isp";
	ids->path = FK_PATH_ROM_STREAM;
	int entry = lpc_isp_entry_parse(opts ? opts->boot_seq : NULL);
	if (entry < 0) {
		fk_hint(ctx, "on lpc: --boot-seq is `control` (DTR drives RESET, RTS drives the ISP "
			"pin, as lpc21isp -control) or `none` (the ISP entered by hand)");
		return fk_fail(ctx, FK_E_USAGE, "--boot-seq %s: not an LPC ISP entry", opts->boot_seq);
	}
	lpc_isp *l = calloc(1, sizeof *l);
	if (!l)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the LPC ISP client");
	int rc = lpc_isp_init(l, ctx, t, (lpc_isp_entry)entry, t->clock_khz);
	if (!rc)
		rc = lpc_isp_connect(l);
	uint32_t id = 0;
	if (!rc)
		rc = lpc_isp_part_id(l, &id);
	if (rc) {
		free(l);
		return fk_fail_wrap(ctx, rc, "%s", t->description);
	}
	p->lpc = l;
	ids->have_lpc_part = true;
	ids->lpc_part_id = id;
	return FK_OK;
}

/* Cortex-M debug halting control and status register (ARMv7-M §C1.6.2) */
#define PATH_DHCSR 0xE000EDF0U
#define PATH_DHCSR_DBGKEY 0xA05F0000U
#define PATH_DHCSR_C_DEBUGEN (1U << 0)
#define PATH_DHCSR_S_HALT (1U << 17)

/* A debug port whose memory path is not usable (lib/debug/dap_mem.c leaves the transport raw):
 * the DP powered up, the APs' IDRs read (ADIv5 §C2.6.2), nothing else touched. A driver for an
 * AP-level unlocker (Kinetis MDM-AP, LPC55 debug mailbox, nRF CTRL-AP) claims them from
 * ids.ap[]; with none, the session's unknown-chip error names every ID. */
static int path_dap_raw(fk_ctx *ctx, const fk_transport *t, fk_chip_path *p, fk_chip_ids *ids)
{
	adi_dap a;
	uint8_t sel[FK_CHIP_MAX_APS];
	uint32_t idr[FK_CHIP_MAX_APS];
	unsigned n = 0;
	p->kind = FK_PATH_DAP_RAW;
	p->dap = t->ops;
	p->dap_h = t->handle;
	ids->path = FK_PATH_DAP_RAW;
	adi_init(&a, t->ops, t->handle);
	int rc = adi_connect_dp(&a, ctx);
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "%s", t->description);
	ids->have_dp = true;
	ids->dp_idr = a.dpidr;
	rc = adi_ap_scan(&a, ctx, sel, idr, FK_CHIP_MAX_APS, &n);
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "%s: scanning the access ports", t->description);
	for (unsigned i = 0; i < n; i++) {
		ids->ap[i].apsel = sel[i];
		ids->ap[i].idr = idr[i];
	}
	ids->nap = n;
	return FK_OK;
}

int fk_chip_path_open(fk_ctx *ctx, const fk_transport *t, const fk_conn_opts *opts,
		      fk_chip_path *p, fk_chip_ids *ids)
{
	memset(p, 0, sizeof *p);
	memset(ids, 0, sizeof *ids);
	const char *boot_seq = opts ? opts->boot_seq : NULL;
	p->t = t;
	p->boot_seq = boot_seq;
	p->reset_mode = opts ? opts->reset_mode : -1;
	if (t->kind == FK_TRANSPORT_STREAM && t->protocol && strcmp(t->protocol, "esp-rom") == 0)
		return path_esp(ctx, t, opts, p, ids);
	if (t->kind == FK_TRANSPORT_STREAM && t->protocol && strcmp(t->protocol, "lpc-isp") == 0)
		return path_lpc(ctx, t, opts, p, ids);
	if (t->kind == FK_TRANSPORT_MEM) {
		p->kind = FK_PATH_MEMORY;
		p->mem = t->ops;
		p->mem_h = t->handle;
		/* the run state first, to put it back after a read-only command (class 12) */
		uint32_t dhcsr = 0;
		fk_ctx *q = fk_ctx_new();
		if (q && p->mem->read(p->mem_h, q, PATH_DHCSR, &dhcsr, 4, 4) == FK_OK) {
			p->core_seen = true;
			p->core_ran = !(dhcsr & PATH_DHCSR_S_HALT);
			p->core_debugen = (dhcsr & PATH_DHCSR_C_DEBUGEN) != 0;
		}
		fk_ctx_free(q);
		uint32_t dpidr = 0, ap0 = 0;
		if (p->mem->dap_ids && !p->mem->dap_ids(p->mem_h, &dpidr, &ap0) && (dpidr & 1u)) {
			ids->have_dp = true;
			ids->dp_idr = dpidr;
			ids->nap = 1;
			ids->ap[0].apsel = 0;
			ids->ap[0].idr = ap0;
		}
		/* halted first, so that the application cannot touch flash behind our back */
		if (p->mem->halt && p->mem->halt(p->mem_h, ctx))
			fk_log(ctx, FK_LOG_WARN, FK_TRACE_CHIP, "could not halt the core; continuing");
		return fk_chip_ids_collect_mem(ctx, p->mem, p->mem_h, ids);
	}
	if (t->kind == FK_TRANSPORT_DAP)
		return path_dap_raw(ctx, t, p, ids);
	if (t->kind == FK_TRANSPORT_STREAM && t->protocol)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: no client for the \"%s\" protocol",
			       t->description, t->protocol);
	if (t->kind == FK_TRANSPORT_STREAM) { /* AN3155: the STM32 USART bootloader */
		p->kind = FK_PATH_ROM_STREAM;
		p->protocol = "an3155";
		ids->path = FK_PATH_ROM_STREAM;
		an3155 *bl = calloc(1, sizeof *bl);
		if (!bl)
			return fk_fail(ctx, FK_E_NOMEM, "allocating the bootloader client");
		int rc = an3155_attach(bl, ctx, t, boot_seq);
		if (!rc)
			rc = an3155_connect(bl);
		if (rc) {
			free(bl);
			return fk_fail_wrap(ctx, rc, "%s", t->description);
		}
		p->an3155 = bl;
		ids->have_boot_pid = true;
		ids->boot_pid = bl->pid;
		ids->boot_version = bl->version;
		return FK_OK;
	}
	if (t->kind == FK_TRANSPORT_SPI) { /* a serial flash behind an SPI programmer */
		p->kind = FK_PATH_SPI;
		p->spi = t->ops;
		p->spi_h = t->handle;
		ids->path = FK_PATH_SPI;
		/* JEDEC ID (9Fh): manufacturer then two device bytes (JESD21-C, W64 §8.2.29); a
		 * chip that does not answer leaves MISO at 00 or FF, which the driver names */
		const uint8_t op = 0x9F;
		int rc = p->spi->xfer(p->spi_h, ctx, &op, 1, ids->jedec, 3);
		if (rc)
			return fk_fail_wrap(ctx, rc, "%s: reading the JEDEC ID (9Fh)", t->description);
		ids->have_jedec = true;
		return FK_OK;
	}
	return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: no access path for this connection",
		       t->description);
}

int fk_chip_path_resume(fk_chip_path *p, fk_ctx *ctx)
{
	if (p->kind != FK_PATH_MEMORY || !p->mem || !p->core_seen || !p->core_ran)
		return FK_OK;
	uint32_t v = PATH_DHCSR_DBGKEY | PATH_DHCSR_C_DEBUGEN;
	int rc = p->mem->write(p->mem_h, ctx, PATH_DHCSR, &v, 4, 4);
	if (!rc && !p->core_debugen) {
		v = PATH_DHCSR_DBGKEY;
		rc = p->mem->write(p->mem_h, ctx, PATH_DHCSR, &v, 4, 4);
	}
	uint32_t d = 0;
	if (!rc)
		rc = p->mem->read(p->mem_h, ctx, PATH_DHCSR, &d, 4, 4);
	if (!rc && (d & PATH_DHCSR_S_HALT))
		rc = fk_fail(ctx, FK_E_PROTOCOL, "DHCSR 0x%08X: the core is still halted after "
						 "C_HALT was cleared", d);
	if (rc)
		return fk_fail_wrap(ctx, rc, "letting the core run on as it was found");
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_CHIP, "core resumed: it was running when flashkey "
		"attached (halting debug %s)", p->core_debugen ? "left on" : "off again");
	return FK_OK;
}

void fk_chip_path_close(fk_chip_path *p)
{
	if (p->lpc) { /* not adopted by a driver: leave as the entry wiring allows */
		fk_ctx *ctx = fk_ctx_new();
		p->lpc->ctx = ctx;
		(void)lpc_isp_leave(p->lpc);
		fk_ctx_free(ctx);
		free(p->lpc);
		p->lpc = NULL;
	}
	if (p->esp) { /* not adopted by a driver: leave as --after says */
		fk_ctx *ctx = fk_ctx_new();
		p->esp->ctx = ctx;
		(void)esp_ldr_leave(p->esp);
		fk_ctx_free(ctx);
		esp_ldr_free(p->esp);
		free(p->esp);
		p->esp = NULL;
	}
	if (p->an3155) { /* not adopted by a driver: run the exit sequence */
		fk_ctx *ctx = fk_ctx_new();
		p->an3155->ctx = ctx;
		(void)an3155_detach(p->an3155);
		fk_ctx_free(ctx);
		free(p->an3155);
		p->an3155 = NULL;
	}
}
