/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark: loading a 2 MiB Intel HEX file (issue 2, "Speed": < 40 ms and < 3x the file size in
 * peak memory on the 2-core build machine). Generates the file (16 data bytes per record, as
 * objcopy writes them, from pseudo-random data at 0x08000000), then measures
 *   - wall time of fk_image_load (read + parse + merge), best of BENCH_RUNS;
 *   - peak heap bytes during one load, with a counting allocator (glibc builds without ASan);
 *   - the growth of the peak RSS (VmHWM) in a fresh child process (re-executed) across one load.
 * Prints both figures beside their targets; exits 1 when a target is missed. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flashkey/image.h"

#define BENCH_FILE_BYTES (2u * 1024u * 1024u)
#define BENCH_RUNS 10
#define BENCH_TARGET_MS 40.0
#define BENCH_TARGET_MEM 3.0

#if defined(__SANITIZE_ADDRESS__)
#define BENCH_NO_COUNTING 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_NO_COUNTING 1
#endif
#endif

/* ------------------------------------------------ counting allocator (glibc interposition) */
#if !defined(BENCH_NO_COUNTING) && defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static size_t bench_live, bench_peak;

static void bench_count(void *p, size_t old)
{
	size_t now = p ? malloc_usable_size(p) : 0;
	bench_live = bench_live - old + now;
	if (bench_live > bench_peak)
		bench_peak = bench_live;
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);
	bench_count(p, 0);
	return p;
}

void *calloc(size_t a, size_t b)
{
	void *p = __libc_calloc(a, b);
	bench_count(p, 0);
	return p;
}

void *realloc(void *q, size_t n)
{
	size_t old = q ? malloc_usable_size(q) : 0;
	void *p = __libc_realloc(q, n);
	if (p || n == 0)
		bench_count(p, old);
	return p;
}

void free(void *q)
{
	if (q)
		bench_live -= malloc_usable_size(q);
	__libc_free(q);
}
#define BENCH_COUNTING 1
#endif

static double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Peak resident set of this process in KiB: VmHWM belongs to the address space, which execve
 * replaces, unlike ru_maxrss, which keeps the high-water mark of the process before exec (the
 * forked copy of the parent). ru_maxrss only where /proc is missing. */
static long bench_maxrss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	if (kib < 0) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		kib = ru.ru_maxrss;
	}
	return kib;
}

/* Writes a HEX file of about BENCH_FILE_BYTES; returns its size, 0 on failure. */
static size_t bench_make_file(fk_ctx *ctx, const char *path)
{
	size_t data_len = BENCH_FILE_BYTES / 44u * 16u; /* 44 characters per 16-byte record */
	uint8_t *data = malloc(data_len);
	fk_image *img = fk_image_new();
	if (!data || !img)
		return 0;
	uint32_t x = 0x12345678u;
	for (size_t i = 0; i < data_len; i++) {
		x = x * 1664525u + 1013904223u;
		data[i] = (uint8_t)(x >> 24);
	}
	size_t size = 0;
	if (fk_image_add(ctx, img, 0x08000000u, data, (uint32_t)data_len) == 0 &&
	    fk_image_save(ctx, img, path, FK_IMAGE_IHEX) == 0) {
		FILE *f = fopen(path, "rb");
		if (f && fseek(f, 0, SEEK_END) == 0)
			size = (size_t)ftell(f);
		if (f)
			fclose(f);
	}
	fk_image_free(img);
	free(data);
	return size;
}

/* Child mode: one load in a fresh process, prints the growth of ru_maxrss in KiB. */
static int bench_child(const char *path)
{
	fk_ctx *ctx = fk_ctx_new();
	long before = bench_maxrss_kib();
	fk_image *img = NULL;
	int rc = fk_image_load(ctx, path, NULL, &img);
	long after = bench_maxrss_kib();
	fk_image_free(img);
	fk_ctx_free(ctx);
	printf("%ld\n", after - before);
	return rc ? 1 : 0;
}

static long bench_rss_in_child(const char *path)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl("/proc/self/exe", "bench_image_load", "--child", path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char buf[64] = {0};
	ssize_t n = read(fds[0], buf, sizeof buf - 1);
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	return n > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? strtol(buf, NULL, 10) : -1;
}

static double bench_time_ms(fk_ctx *ctx, const char *path, size_t *peak)
{
	double best = 1e9;
	for (int i = 0; i < BENCH_RUNS; i++) {
		fk_image *img = NULL;
#ifdef BENCH_COUNTING
		size_t base = bench_live;
		bench_peak = bench_live;
#endif
		double t0 = bench_now_ms();
		int rc = fk_image_load(ctx, path, NULL, &img);
		double t = bench_now_ms() - t0;
#ifdef BENCH_COUNTING
		*peak = bench_peak - base;
#else
		*peak = 0;
#endif
		bool whole = rc == 0 && fk_image_size(img) == BENCH_FILE_BYTES / 44u * 16u;
		fk_image_free(img);
		if (!whole)
			return -1;
		best = t < best ? t : best;
	}
	return best;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return bench_child(argv[2]);
	char path[] = "/tmp/fk-bench-image-XXXXXX.hex";
	int fd = mkstemps(path, 4);
	fk_ctx *ctx = fk_ctx_new();
	if (fd < 0 || !ctx)
		return 1;
	close(fd);
	size_t size = bench_make_file(ctx, path), peak = 0;
	double best = size ? bench_time_ms(ctx, path, &peak) : -1;
	long rss_kib = size ? bench_rss_in_child(path) : -1;
	remove(path);
	fk_ctx_free(ctx);
	if (best < 0) {
		fprintf(stderr, "bench_image_load: generating or loading the file failed\n");
		return 1;
	}
	double mb = (double)size;
	bool time_ok = best < BENCH_TARGET_MS;
	printf("Intel HEX load, %zu-byte file (%.2f MiB), best of %d\n", size, mb / 1048576.0,
	       BENCH_RUNS);
	printf("  time        %7.2f ms   target < %.0f ms        %s (%.2f of the budget)\n", best,
	       BENCH_TARGET_MS, time_ok ? "ok" : "MISSED", best / BENCH_TARGET_MS);
	bool mem_ok = true;
	if (peak) {
		mem_ok = (double)peak < BENCH_TARGET_MEM * mb;
		printf("  peak heap   %7.2f MiB  target < %.1fx file = %.2f MiB  %s (%.2fx the file)\n",
		       (double)peak / 1048576.0, BENCH_TARGET_MEM, BENCH_TARGET_MEM * mb / 1048576.0,
		       mem_ok ? "ok" : "MISSED", (double)peak / mb);
	} else {
		printf("  peak heap   not counted in this build (sanitizer allocator)\n");
	}
	if (rss_kib >= 0) {
		bool rss_ok = (double)rss_kib * 1024.0 < BENCH_TARGET_MEM * mb;
		mem_ok = mem_ok && rss_ok;
		printf("  peak RSS +  %7.2f MiB  target < %.1fx file = %.2f MiB  %s (%.2fx the file)\n",
		       (double)rss_kib / 1024.0, BENCH_TARGET_MEM, BENCH_TARGET_MEM * mb / 1048576.0,
		       rss_ok ? "ok" : "MISSED", (double)rss_kib * 1024.0 / mb);
	}
	return time_ok && mem_ok ? 0 : 1;
}
