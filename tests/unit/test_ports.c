/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/ports: serial port discovery over a fake sysfs tree (present and absent 8250 slots, a
 * USB adapter with a /dev/serial/by-id name, a virtual console that is not a port). */
#include "fk_test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "link/ports.h"

static void mk(const char *root, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void put(const char *root, const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_scan(void **state)
{
	(void)state;
	char root[] = "/tmp/fk-ports.XXXXXX";
	assert_non_null(mkdtemp(root));
	mk(root, "sys");
	mk(root, "byid");
	mk(root, "sys/ttyUSB0");
	mk(root, "sys/ttyUSB0/device");
	mk(root, "sys/ttyS0");
	mk(root, "sys/ttyS0/device");
	put(root, "sys/ttyS0/type", "4\n");
	mk(root, "sys/ttyS1");
	mk(root, "sys/ttyS1/device");
	put(root, "sys/ttyS1/type", "0\n"); /* an empty legacy slot */
	mk(root, "sys/tty5");                /* a virtual console */
	mk(root, "sys/ttyACM3");             /* no device link: not backed by hardware */
	char link[512], sys[512], byid[512];
	snprintf(link, sizeof link, "%s/byid/usb-FTDI_FT232R_A1B2-if00-port0", root);
	assert_int_equal(symlink("../../ttyUSB0", link), 0);
	snprintf(sys, sizeof sys, "%s/sys", root);
	snprintf(byid, sizeof byid, "%s/byid", root);
	fk_serial_port ports[8];
	unsigned n = 99;
	assert_int_equal(fk_serial_scan(sys, "/dev", byid, ports, 8, &n), FK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ports[0].path, "/dev/ttyS0");
	assert_string_equal(ports[1].path, "/dev/ttyUSB0");
	assert_string_equal(ports[1].description, "usb-FTDI_FT232R_A1B2-if00-port0");
	/* a missing sysfs lists nothing and is not an error */
	assert_int_equal(fk_serial_scan("/nonexistent/fk", "/dev", byid, ports, 8, &n), FK_OK);
	assert_int_equal(n, 0);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_scan)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
