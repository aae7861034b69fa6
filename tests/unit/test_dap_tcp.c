/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMSIS-DAP over TCP (probes.md §6.1): the driver (cmsis-dap-tcp:HOST:PORT) against the twin's
 * TCP server and CMSIS-DAP emulator on a bare bus, in a server thread; a hostile client is
 * dropped without harming the next one; hostile servers give clear errors naming the command. */
#include "fk_test.h"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "core/core.h"
#include "debug/dap_mem.h"
#include "fktwin/fktwin.h"
#include "probe/dap_tcp.h"
#include "probe/cmsis_dap.h"
#include "probe/targets.h"

static volatile int stop_server;

static void *server_main(void *arg)
{
	tw_dap_tcp *t = arg;
	while (!stop_server) {
		struct pollfd p[2] = {{t->lfd, POLLIN, 0}, {t->cfd, POLLIN, 0}};
		if (poll(p, t->cfd >= 0 ? 2 : 1, 20) <= 0)
			continue;
		if (p[0].revents)
			tw_dap_tcp_accept(t);
		if (t->cfd >= 0 && p[1].revents)
			tw_dap_tcp_read(t);
	}
	return NULL;
}

static void client_roundtrip(unsigned port)
{
	fk_ctx *ctx = fk_ctx_new();
	char hp[32], msg[FK_CHAIN_MSG_MAX];
	snprintf(hp, sizeof hp, "127.0.0.1:%u", port);
	fk_conn_opts o = {0};
	o.reset_mode = -1;
	fk_transport t;
	int rc = cmsis_dap_open_tcp(ctx, hp, &o, &t);
	if (rc == FK_OK)
		rc = dbgmem_wrap(ctx, &t, &o);
	if (rc)
		fail_msg("%s", fk_ctx_message(ctx, msg, sizeof msg));
	assert_non_null(strstr(t.description, "tcp"));
	const fk_mem_ops *m = t.ops;
	uint8_t out[1500], in[1500];
	for (unsigned i = 0; i < sizeof out; i++)
		out[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(m->write(t.handle, ctx, 0x20000400u, out, sizeof out, 4), FK_OK);
	assert_int_equal(m->read(t.handle, ctx, 0x20000400u, in, sizeof in, 4), FK_OK);
	assert_memory_equal(in, out, sizeof out);
	fk_transport_close(&t);
	fk_ctx_free(ctx);
}

static void test_tcp_server(void **state)
{
	(void)state;
	tw_probe_membus_reset();
	fk_ctx *ctx = fk_ctx_new();
	tw_probe_target tgt;
	assert_int_equal(tw_target_open_membus(ctx, "", &tgt), FK_OK);
	tw_cmsis_dap *emu = tw_cmsis_dap_new(&tgt, "TCP0", 1024, 4, "2.1.0");
	int lfd;
	unsigned port = 0;
	assert_int_equal(tw_dap_tcp_listen(ctx, "127.0.0.1:0", &lfd, &port), FK_OK);
	assert_true(port > 0);
	tw_dap_tcp srv;
	tw_dap_tcp_init(&srv, lfd, emu);
	pthread_t th;
	stop_server = 0;
	assert_int_equal(pthread_create(&th, NULL, server_main, &srv), 0);
	client_roundtrip(port);
	/* a client speaking something else is dropped */
	usleep(50000);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(0x7F000001);
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
	const char junk[] = "GET / HTTP/1.0\r\n\r\n";
	assert_true(send(s, junk, sizeof junk - 1, 0) > 0);
	char b;
	assert_int_equal(recv(s, &b, 1, 0), 0); /* closed by the server, nothing answered */
	close(s);
	usleep(50000);
	client_roundtrip(port); /* and the next client is served */
	stop_server = 1;
	pthread_join(th, NULL);
	assert_true(srv.bad_frames >= 1);
	assert_true(srv.frames > 20);
	tw_dap_tcp_drop(&srv);
	close(lfd);
	tw_cmsis_dap_free(emu);
	tgt.release(&tgt, ctx);
	fk_ctx_free(ctx);
}

/* ---- hostile servers: replies scripted per connection ---- */

static const uint8_t *evil_reply;
static size_t evil_len;

static void *evil_main(void *arg)
{
	int lfd = *(int *)arg;
	int c = accept(lfd, NULL, NULL);
	uint8_t req[64];
	if (c >= 0 && recv(c, req, sizeof req, 0) > 0 && evil_len)
		send(c, evil_reply, evil_len, MSG_NOSIGNAL);
	if (c >= 0)
		close(c);
	return NULL;
}

static void expect_evil(const uint8_t *reply, size_t len, int code, const char *text)
{
	fk_ctx *ctx = fk_ctx_new();
	int lfd;
	unsigned port;
	assert_int_equal(tw_dap_tcp_listen(ctx, "127.0.0.1:0", &lfd, &port), FK_OK);
	evil_reply = reply, evil_len = len;
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, evil_main, &lfd), 0);
	char hp[32], msg[FK_CHAIN_MSG_MAX];
	snprintf(hp, sizeof hp, "127.0.0.1:%u", port);
	fk_conn_opts o = {0};
	fk_transport t;
	assert_int_equal(cmsis_dap_open_tcp(ctx, hp, &o, &t), code);
	fk_ctx_message(ctx, msg, sizeof msg);
	if (!strstr(msg, text))
		fail_msg("\"%s\" lacks \"%s\"", msg, text);
	pthread_join(th, NULL);
	close(lfd);
	fk_ctx_free(ctx);
}

static void test_hostile_servers(void **state)
{
	(void)state;
	const uint8_t badsig[] = {'X', 'A', 'P', 0, 4, 0, 2, 0, 0, 2, 0, 2};
	expect_evil(badsig, sizeof badsig, FK_E_PROTOCOL, "DAP_Info");
	const uint8_t huge[] = {'D', 'A', 'P', 0, 0xFF, 0xFF, 2, 0};
	expect_evil(huge, sizeof huge, FK_E_PROTOCOL, "frame length 65535");
	const uint8_t wrongtype[] = {'D', 'A', 'P', 0, 4, 0, 1, 0, 0, 2, 0, 2};
	expect_evil(wrongtype, sizeof wrongtype, FK_E_PROTOCOL, "frame type 1");
	expect_evil(NULL, 0, FK_E_DEVICE_GONE, "closed by the server");
	fk_ctx *ctx = fk_ctx_new();
	fk_conn_opts o = {0};
	fk_transport t;
	assert_int_equal(cmsis_dap_open_tcp(ctx, "127.0.0.1:notaport", &o, &t), FK_E_USAGE);
	assert_int_equal(cmsis_dap_open_tcp(ctx, ":4441", &o, &t), FK_E_USAGE);
	fk_ctx_free(ctx);
}

int main(void)
{
	fk_register_builtin_backends();
	fktwin_register_backends();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_server),
		cmocka_unit_test(test_hostile_servers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
