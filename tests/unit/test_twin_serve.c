/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/serve.c: the serve loop with test modules — events dispatched to the module that owns
 * the fd, timers (handle with n == 0), the state file saved after changes and at the end,
 * TW_SERVE_DONE and module errors stop the loop, start failures are reported. */
#include <fcntl.h>
#include <unistd.h>

#include "fk_test.h"

#include "serve.h"
#include "stm32f4/f4.h"

typedef struct pipe_mod {
	int fd[2];
	unsigned handled, timers;
	int fail_with;
} pipe_mod;

static pipe_mod inst;

/* "VALUE" is the script the module feeds itself: 'p' = program a word of flash as user code,
 * 'e' = fail, 'q' = done. */
static int pm_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	(void)s;
	if (strcmp(value, "bad") == 0)
		return fk_fail(ctx, FK_E_USAGE, "bad value");
	memset(&inst, 0, sizeof inst);
	if (pipe(inst.fd))
		return FK_E_IO;
	assert_int_equal(write(inst.fd[1], value, strlen(value)), (ssize_t)strlen(value));
	*state = &inst;
	return FK_OK;
}

static unsigned pm_fds(void *state, struct pollfd *pfd, unsigned max)
{
	pipe_mod *m = state;
	(void)max;
	pfd[0] = (struct pollfd){.fd = m->fd[0], .events = POLLIN};
	return 1;
}

static void pm_program(tw_f4 *t)
{
	tw_f4_write_wait(t, TW_INIT_USER, 0x40023C04U, 4, 0x45670123U);
	tw_f4_write_wait(t, TW_INIT_USER, 0x40023C04U, 4, 0xCDEF89ABU);
	tw_f4_write_wait(t, TW_INIT_USER, 0x40023C10U, 4, 0x201U);
	tw_f4_write_wait(t, TW_INIT_USER, 0x08000000U, 4, 0x12345678U);
}

static int pm_handle(void *state, tw_serve *s, fk_ctx *ctx, struct pollfd *pfd, unsigned n)
{
	pipe_mod *m = state;
	if (n == 0) {
		m->timers++;
		return FK_OK;
	}
	assert_true(pfd[0].revents & POLLIN);
	char c;
	if (read(m->fd[0], &c, 1) != 1)
		return TW_SERVE_DONE;
	m->handled++;
	if (c == 'p') {
		pm_program(tw_chip_impl(tw_serve_chip(s)));
		tw_serve_changed(s);
	}
	if (c == 'e')
		return fk_fail(ctx, FK_E_PROTOCOL, "scripted failure");
	return c == 'q' ? TW_SERVE_DONE : FK_OK;
}

static int pm_timeout(void *state, tw_serve *s)
{
	(void)s;
	return ((pipe_mod *)state)->timers < 3 ? 0 : -1;
}

static void pm_stop(void *state)
{
	pipe_mod *m = state;
	close(m->fd[0]);
	close(m->fd[1]);
}

static const tw_serve_module pipe_module = {"pipe", "SCRIPT", "test", pm_start, pm_fds,
					     pm_handle, pm_timeout, pm_stop};

static void make_twin(const char *p)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f401xb"));
	assert_int_equal(tw_f4_save(t, ctx, p), FK_OK);
	tw_f4_free(t);
	fk_ctx_free(ctx);
}

static void test_serve_loop(void **state)
{
	(void)state;
	char dir[] = "/tmp/fk_serve_XXXXXX", p[64];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof p, "%s/s.twin", dir);
	make_twin(p);
	fk_ctx *ctx = fk_ctx_new();
	tw_serve_req req = {&pipe_module, "xpq"};
	tw_serve_opts o = {.idle_ms = 5, .max_ms = 5000};
	assert_int_equal(tw_serve_run(ctx, p, &req, 1, &o), FK_OK);
	assert_int_equal(inst.handled, 3);
	assert_int_equal(inst.timers, 2); /* due at every pass; the last pass ends on q */
	tw_f4 *t;
	assert_int_equal(tw_f4_load(ctx, p, &t), FK_OK); /* saved, and unlocked */
	assert_int_equal(tw_f4_peek(t, 0x08000000U), 0x78); /* program completed and saved */
	assert_false(tw_f4_busy(t));
	tw_f4_free(t);
	/* a module error stops the server with that error, wrapped with the module's option */
	req.value = "e";
	assert_int_equal(tw_serve_run(ctx, p, &req, 1, &o), FK_E_PROTOCOL);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "--pipe"));
	req.value = "bad";
	assert_int_equal(tw_serve_run(ctx, p, &req, 1, &o), FK_E_USAGE);
	/* the twin is locked while serving: a second server cannot open it */
	tw_f4 *held;
	assert_int_equal(tw_f4_open(ctx, p, &held), FK_OK);
	req.value = "q";
	assert_int_equal(tw_serve_run(ctx, p, &req, 1, &o), FK_E_BUSY);
	tw_f4_close(held, ctx);
	fk_ctx_free(ctx);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
