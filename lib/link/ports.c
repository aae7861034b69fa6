/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/ports: serial port discovery for `flashkey list`.
 * Linux sysfs: /sys/class/tty/NAME/device exists for ports backed by hardware; legacy 8250 ports
 * that are not present report type 0 (PORT_UNKNOWN) in /sys/class/tty/NAME/type
 * (Documentation/ABI/testing/sysfs-tty). /dev/serial/by-id holds udev's stable names. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "flashkey/probe.h"
#include "link/ports.h"

static int ports_is_candidate(const char *name)
{
	static const char *const prefixes[] = {"ttyUSB", "ttyACM", "ttyAMA", "ttyS", "ttymxc",
					       "ttySAC", "ttyO", "rfcomm"};
	for (size_t i = 0; i < FK_ARRAY_SIZE(prefixes); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* A legacy UART slot with no chip behind it reads type 0. */
static int ports_present(const char *sys, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s/device", sys, name);
	if (access(path, F_OK) != 0)
		return 0;
	snprintf(path, sizeof path, "%s/%s/type", sys, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	char buf[16] = "";
	int present = !fgets(buf, sizeof buf, f) || strtoul(buf, NULL, 10) != 0;
	fclose(f);
	return present;
}

static void ports_describe(const char *sys, const char *byid, const char *name,
			   fk_serial_port *p)
{
	char path[PATH_MAX], target[PATH_MAX];
	p->description[0] = '\0';
	DIR *d = opendir(byid);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "%s/%s", byid, e->d_name);
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		const char *base = strrchr(target, '/');
		if (strcmp(base ? base + 1 : target, name) == 0)
			fk_strlcpy(p->description, e->d_name, sizeof p->description);
	}
	if (d)
		closedir(d);
	if (p->description[0])
		return;
	snprintf(path, sizeof path, "%s/%s/device/driver", sys, name);
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n > 0) {
		target[n] = '\0';
		const char *base = strrchr(target, '/');
		snprintf(p->description, sizeof p->description, "driver %.80s", base ? base + 1 : target);
	}
}

static int ports_cmp(const void *a, const void *b)
{
	return strcmp(((const fk_serial_port *)a)->path, ((const fk_serial_port *)b)->path);
}

int fk_serial_scan(const char *sys, const char *dev, const char *byid, fk_serial_port *list,
		   unsigned max, unsigned *n)
{
	*n = 0;
	DIR *d = opendir(sys);
	if (!d)
		return FK_OK; /* no sysfs: nothing to list */
	struct dirent *e;
	while ((e = readdir(d)) != NULL && *n < max) {
		if (!ports_is_candidate(e->d_name) || !ports_present(sys, e->d_name))
			continue;
		fk_serial_port *p = &list[(*n)++];
		snprintf(p->path, sizeof p->path, "%.20s/%.40s", dev, e->d_name);
		ports_describe(sys, byid, e->d_name, p);
	}
	closedir(d);
	qsort(list, *n, sizeof *list, ports_cmp);
	return FK_OK;
}

int fk_serial_list(fk_ctx *ctx, fk_serial_port *list, unsigned max, unsigned *n)
{
	(void)ctx;
	return fk_serial_scan("/sys/class/tty", "/dev", "/dev/serial/by-id", list, max, n);
}
