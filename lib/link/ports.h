/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/ports: serial port discovery (fk_serial_list in flashkey/probe.h), with the roots as
 * parameters so a test can point it at a fake sysfs tree. */
#ifndef FK_LINK_PORTS_H
#define FK_LINK_PORTS_H

#include "flashkey/probe.h"

/* sys: /sys/class/tty; dev: /dev; byid: /dev/serial/by-id. Sorted by path. */
int fk_serial_scan(const char *sys, const char *dev, const char *byid, fk_serial_port *list,
		   unsigned max, unsigned *n);

#endif
