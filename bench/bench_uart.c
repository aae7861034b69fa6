/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench/uart: programming 256 KiB through the STM32F4 ROM bootloader (AN3155) at 115200 baud
 * 8E1 on the twin, side by side:
 *   1. the AN3155 client's Write Memory stream vs the ceiling: every wire character at 11 bits
 *      (268 characters per 256-byte block, an3155.md §5.1) plus the model's byte program time;
 *   2. flashkey's whole write (erase, program, verify) and a --skip-unchanged re-flash after a
 *      one-sector change, through the session API on twin-uart:, comparing on the chip (CRC-32
 *      code in RAM started with Go) and, for reference, with --read-back;
 *   3. stm32flash 0.7 and flashkey on the same served twin (pty): write + verify, write + verify
 *      by reading back on both sides, and write without verify; virtual time from the twin's
 *      clock; with --realtime the server paces the wire and wall time is shown.
 * Virtual times come from the twin's clock, so the figures are exact and repeatable. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot/stm32_usart.h"
#include "core/core.h"
#include "fktwin/fktwin.h"
#include "flashkey/flashkey.h"
#include "stm32f4/an3155_stream.h"

#define IMG_LEN (256u * 1024u)
#define BAUD 115200u

extern char **environ;

static uint8_t img[IMG_LEN];

static void make_image(void)
{
	uint32_t x = 0x12345678u;
	for (unsigned i = 0; i < IMG_LEN; i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)(x >> 16);
	}
}

static double wire_s(uint64_t chars)
{
	return (double)chars * 11.0 / BAUD;
}

static tw_f4 *new_chip(void)
{
	tw_f4 *c = tw_f4_new(tw_f4_variant_find("stm32f407"));
	if (c) {
		tw_f4_set_boot(c, TW_BOOT_SYSMEM);
		tw_f4_reset(c, TW_RESET_SYSTEM);
	}
	return c;
}

/* The model's byte program time (x8), measured through the flash controller. */
static double prog_byte_s(void)
{
	tw_f4 *c = new_chip();
	tw_f4_write_wait(c, TW_INIT_USER, 0x40023C04u, 4, 0x45670123u);
	tw_f4_write_wait(c, TW_INIT_USER, 0x40023C04u, 4, 0xCDEF89ABu);
	tw_f4_write_wait(c, TW_INIT_USER, 0x40023C10u, 4, 1u);
	tw_f4_write(c, TW_INIT_USER, 0x08000000u, 1, 0x00u);
	double s = (double)(tw_f4_busy_until_ns(c) - tw_f4_now_ns(c)) / 1e9;
	tw_f4_free(c);
	return s;
}

static int part_client(fk_ctx *ctx)
{
	tw_f4 *c = new_chip();
	fk_transport t;
	an3155 b;
	tw_an3155_cfg cfg = {.baud = BAUD, .bits_per_byte = 11};
	if (!c || tw_uart_attach(c, &cfg, &t) || an3155_attach(&b, ctx, &t, NULL) || an3155_connect(&b))
		return 1;
	uint64_t rx0, tx0, rx1, tx1, t0 = tw_f4_now_ns(c);
	tw_an3155_counts(tw_uart_server(t.handle), &rx0, &tx0);
	if (an3155_write(&b, 0x08000000u, img, IMG_LEN))
		return 1;
	double dt = (double)(tw_f4_now_ns(c) - t0) / 1e9;
	tw_an3155_counts(tw_uart_server(t.handle), &rx1, &tx1);
	double ceil = wire_s((IMG_LEN / 256u) * 268u) + IMG_LEN * prog_byte_s();
	printf("1. AN3155 Write Memory, 256 KiB at %u baud 8E1 (erased flash)\n", BAUD);
	printf("   wire characters %llu (minimum %u), virtual time %.3f s, ceiling %.3f s "
	       "(wire %.3f s + program %.3f s): %.1f %% of the ceiling\n",
	       (unsigned long long)(rx1 - rx0 + tx1 - tx0), (IMG_LEN / 256u) * 268u, dt, ceil,
	       wire_s((IMG_LEN / 256u) * 268u), IMG_LEN * prog_byte_s(), 100.0 * ceil / dt);
	fk_transport_close(&t);
	tw_f4_free(c);
	return 0;
}

static int twin_file(fk_ctx *ctx, const char *path)
{
	tw_f4 *c = new_chip();
	int rc = c ? tw_f4_save(c, ctx, path) : FK_E_NOMEM;
	tw_f4_free(c);
	return rc;
}

static int session_write(fk_ctx *ctx, const char *conn, bool skip, bool read_back,
			 fk_write_result *r)
{
	fk_session *s;
	fk_conn_opts o = {.baud = BAUD, .reset_mode = -1};
	fk_seg seg = {0x08000000u, IMG_LEN, img};
	fk_write_opts wo = {.skip_unchanged = skip, .read_back = read_back, .psize = -1};
	fk_perms perms;
	memset(&perms, 0, sizeof perms);
	int rc = fk_session_open(ctx, conn, &o, NULL, &s);
	if (!rc)
		rc = fk_flash_write(s, &seg, 1, &wo, &perms, r);
	fk_session_close(s);
	return rc;
}

static const char *how_name(fk_verify_how h)
{
	return h == FK_VERIFY_CRC ? "on-chip CRC-32" : h == FK_VERIFY_READ ? "read back" : "none";
}

static int part_session(fk_ctx *ctx, const char *dir)
{
	char path[512], conn[600];
	snprintf(path, sizeof path, "%s/session.twin", dir);
	snprintf(conn, sizeof conn, "twin-uart:%s", path);
	fk_write_result full, again, full_rb, again_rb;
	if (twin_file(ctx, path) || session_write(ctx, conn, false, false, &full))
		return 1;
	img[0x8000 + 100] ^= 0x5A; /* one byte in sector 2 (16 KiB at 0x08008000) */
	if (session_write(ctx, conn, true, false, &again))
		return 1;
	img[0x8000 + 100] ^= 0x5A;
	if (twin_file(ctx, path) || session_write(ctx, conn, false, true, &full_rb))
		return 1;
	img[0x8000 + 100] ^= 0x5A;
	if (session_write(ctx, conn, true, true, &again_rb))
		return 1;
	printf("2. flashkey write (erase + program + verify) through the session API, 256 KiB\n");
	printf("   full write %.3f s virtual (%u sectors erased, verified by %s); --skip-unchanged "
	       "after a one-sector change %.3f s (%u erased, %u skipped, compared by %s): %.1f %% "
	       "of the full write\n",
	       (double)full.virtual_ns / 1e9, full.sectors_erased, how_name(full.verified),
	       (double)again.virtual_ns / 1e9, again.sectors_erased, again.sectors_skipped,
	       how_name(again.compared), 100.0 * (double)again.virtual_ns / (double)full.virtual_ns);
	printf("   with --read-back (every byte over the wire, %.3f s for 256 KiB): full write %.3f s, "
	       "--skip-unchanged %.3f s: %.1f %%\n",
	       wire_s((IMG_LEN / 256u) * 268u), (double)full_rb.virtual_ns / 1e9,
	       (double)again_rb.virtual_ns / 1e9,
	       100.0 * (double)again_rb.virtual_ns / (double)full_rb.virtual_ns);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	pid_t pid;
	int st = -1;
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	return st;
}

/* Serves a fresh twin, runs one tool against it, returns the twin's virtual and the wall time. */
static int peer_run(fk_ctx *ctx, const char *dir, const char *name, char *const tool[],
		    bool realtime, double *vt, double *wall)
{
	char path[512], link[512], log[600], twin_bin[600];
	const char *build = getenv("FK_BUILD");
	snprintf(path, sizeof path, "%s/%s.twin", dir, name);
	snprintf(link, sizeof link, "%s/tty", dir);
	snprintf(log, sizeof log, "%s/%s.log", dir, name);
	snprintf(twin_bin, sizeof twin_bin, "%s/flashkey-twin", build ? build : ".");
	if (twin_file(ctx, path))
		return 1;
	char *srv[] = {twin_bin, "serve", path, "--uart-pty", link, realtime ? "--realtime" : NULL, NULL};
	pid_t pid;
	if (posix_spawn(&pid, twin_bin, NULL, NULL, srv, environ) != 0)
		return 1;
	for (int i = 0; i < 100 && access(link, F_OK) != 0; i++)
		usleep(50000);
	double t0 = now_s();
	int st = run(tool, log);
	*wall = now_s() - t0;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	tw_f4 *c;
	if (st != 0 || tw_f4_load(ctx, path, &c)) {
		fprintf(stderr, "bench_uart: %s failed (exit status %d); its output is in %s\n", name, st, log);
		return 1;
	}
	*vt = (double)tw_f4_now_ns(c) / 1e9;
	tw_f4_free(c);
	return 0;
}

static int part_peers(fk_ctx *ctx, const char *dir, bool realtime)
{
	char bin[512], fk[600], link[512];
	const char *build = getenv("FK_BUILD");
	snprintf(bin, sizeof bin, "%s/img.bin", dir);
	snprintf(fk, sizeof fk, "%s/flashkey", build ? build : ".");
	snprintf(link, sizeof link, "%s/tty", dir);
	FILE *f = fopen(bin, "wb");
	if (!f || fwrite(img, 1, IMG_LEN, f) != IMG_LEN || fclose(f))
		return 1;
	char conn[600];
	snprintf(conn, sizeof conn, "uart:%s@115200", link);
	/* --base: a raw random image holds no vector table, and without --base flashkey refuses
	 * one at the flash base (it would not start); stm32flash writes raw binaries there */
	char *sf[] = {"stm32flash", "-m", "8n1", "-b", "115200", "-w", bin, "-v", link, NULL};
	char *me[] = {fk, "-c", conn, "--8n1", "--yes", "write", "--base", "0x08000000", bin, NULL};
	char *sf_nv[] = {"stm32flash", "-m", "8n1", "-b", "115200", "-w", bin, link, NULL};
	char *me_nv[] = {fk, "-c", conn, "--8n1", "--yes", "write", "--no-verify",
			 "--base", "0x08000000", bin, NULL};
	char *me_rb[] = {fk, "-c", conn, "--8n1", "--yes", "write", "--read-back",
			 "--base", "0x08000000", bin, NULL};
	char *me_33[] = {fk, "-c", conn, "--8n1", "--yes", "write", "--voltage", "3.3",
			 "--base", "0x08000000", bin, NULL};
	double vs, ws, vf, wf, vs2, ws2, vf2, wf2, vf3, wf3, vf4, wf4;
	if (peer_run(ctx, dir, "stm32flash", sf, realtime, &vs, &ws) ||
	    peer_run(ctx, dir, "flashkey", me, realtime, &vf, &wf) ||
	    peer_run(ctx, dir, "stm32flash-nv", sf_nv, realtime, &vs2, &ws2) ||
	    peer_run(ctx, dir, "flashkey-nv", me_nv, realtime, &vf2, &wf2) ||
	    peer_run(ctx, dir, "flashkey-rb", me_rb, realtime, &vf3, &wf3) ||
	    peer_run(ctx, dir, "flashkey-33", me_33, realtime, &vf4, &wf4))
		return 1;
	printf("3. the same 256 KiB on one served twin (pty, 11 bits/char at %u), virtual time\n", BAUD);
	printf("   erase + write + verify: stm32flash -w -v %.3f s (%.2f s wall); flashkey write %.3f s "
	       "(%.2f s wall): flashkey/stm32flash = %.4f\n", vs, ws, vf, wf, vf / vs);
	printf("   verify by reading back on both sides: flashkey write --read-back %.3f s: %.5f\n",
	       vf3, vf3 / vs);
	printf("   supply stated (--voltage 3.3: the ROM told the 2.7-3.6 V range at 0xFFFF0000, "
	       "AN2606 §4.3, programs and erases x32): flashkey write %.3f s: %.4f\n", vf4, vf4 / vs);
	printf("   no verify: stm32flash -w %.3f s; flashkey write --no-verify %.3f s: %.5f (flashkey "
	       "reads the flash size and the option bytes before erasing, %.1f ms of wire, so that "
	       "write protection is reported before anything is erased)\n",
	       vs2, vf2, vf2 / vs2, 1e3 * wire_s(14 + 28 - 7));
	if (realtime)
		printf("   wall ratios (paced): write+verify %.4f, no verify %.4f (with --realtime the "
		       "serve loop also moves the clock by wall time)\n", wf / ws, wf2 / ws2);
	else
		printf("   (wall times without pacing measure host CPU only; run with --realtime for wire pacing)\n");
	return 0;
}

int main(int argc, char **argv)
{
	bool realtime = argc > 1 && strcmp(argv[1], "--realtime") == 0;
	char dir[] = "/tmp/fk-bench-uart.XXXXXX";
	fk_register_builtin_backends();
	fktwin_register_backends();
	fk_ctx *ctx = fk_ctx_new();
	make_image();
	if (!mkdtemp(dir))
		return 1;
	int rc = part_client(ctx);
	if (!rc)
		rc = part_session(ctx, dir);
	make_image();
	if (!rc && system("command -v stm32flash >/dev/null 2>&1") == 0)
		rc = part_peers(ctx, dir, realtime);
	else if (!rc)
		printf("3. stm32flash not installed: peer comparison skipped\n");
	if (rc) {
		char m[FK_CHAIN_MSG_MAX];
		fprintf(stderr, "bench_uart: %s\n", fk_ctx_message(ctx, m, sizeof m));
	}
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	fk_ctx_free(ctx);
	return rc;
}
