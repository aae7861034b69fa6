/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Public entry points of the digital twins (libfktwin), for the tools and tests. */
#ifndef FKTWIN_FKTWIN_H
#define FKTWIN_FKTWIN_H

/* Registers the twin connection schemes (twin:PATH, ...) with libflashkey's backend table.
 * Safe to call more than once. */
void fktwin_register_backends(void);

#endif
