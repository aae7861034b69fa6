/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey error codes: defined once, here. Numbers, symbols and exit codes are stable forever:
 * append new rows, never renumber. docs/EXIT-CODES.md is checked against this table by a test
 * (tests/unit/test_core.c). */
#ifndef FLASHKEY_ERRORS_H
#define FLASHKEY_ERRORS_H

/* Process exit codes of the flashkey tools (documented in docs/EXIT-CODES.md). */
#define FK_EXIT_OK          0  /* success */
#define FK_EXIT_FAILURE     1  /* any other failure */
#define FK_EXIT_USAGE       2  /* bad command line */
#define FK_EXIT_CONNECT     3  /* no connection: probe, port, twin or target unreachable/unpowered */
#define FK_EXIT_PROTECTED   4  /* blocked by protection on the chip (RDP, WRP, PCROP, OTP lock...) */
#define FK_EXIT_REFUSED     5  /* refused by a safety gate: a permission was not given */
#define FK_EXIT_VERIFY      6  /* read-back differs from what was written */
#define FK_EXIT_BAD_INPUT   7  /* malformed input file (image, state file, backup) */
#define FK_EXIT_TARGET      8  /* the target misbehaved: bus fault, timeout, protocol error, unknown chip */
#define FK_EXIT_UNSUPPORTED 9  /* not possible with this chip or on this access path */
#define FK_EXIT_INTERRUPTED 10 /* interrupted: signal, power loss, device gone */

/* X(number, SYMBOL, exit code, sentence). Number 0 is success; failures are negative. */
#define FK_ERROR_TABLE(X)                                                                      \
	X(0, OK, FK_EXIT_OK, "success")                                                        \
	X(-1, E_USAGE, FK_EXIT_USAGE, "invalid command-line usage")                            \
	X(-2, E_INVALID_ARG, FK_EXIT_USAGE, "invalid argument")                                \
	X(-3, E_NOMEM, FK_EXIT_FAILURE, "out of memory")                                       \
	X(-4, E_IO, FK_EXIT_FAILURE, "input/output error")                                     \
	X(-5, E_BAD_IMAGE, FK_EXIT_BAD_INPUT, "malformed firmware image")                      \
	X(-6, E_BAD_FILE, FK_EXIT_BAD_INPUT, "malformed or foreign data file")                 \
	X(-7, E_NOT_FOUND, FK_EXIT_FAILURE, "not found")                                       \
	X(-8, E_CONNECT, FK_EXIT_CONNECT, "cannot connect to the target")                      \
	X(-9, E_TIMEOUT, FK_EXIT_TARGET, "timed out waiting for the target")                   \
	X(-10, E_PROTOCOL, FK_EXIT_TARGET, "unexpected reply from the device")                 \
	X(-11, E_BUS_FAULT, FK_EXIT_TARGET, "bus error on a memory access")                    \
	X(-12, E_UNKNOWN_CHIP, FK_EXIT_TARGET, "unknown chip: refusing to guess its memory map") \
	X(-13, E_PROTECTED, FK_EXIT_PROTECTED, "blocked by flash protection")                  \
	X(-14, E_LOCKED, FK_EXIT_PROTECTED, "flash controller locked until the next reset")    \
	X(-15, E_PERMISSION, FK_EXIT_REFUSED, "refused: this step needs an explicit permission") \
	X(-16, E_VERIFY, FK_EXIT_VERIFY, "verify failed: flash differs from the image")        \
	X(-17, E_UNSUPPORTED, FK_EXIT_UNSUPPORTED, "not supported on this chip or access path") \
	X(-18, E_FLASH, FK_EXIT_TARGET, "flash operation failed")                              \
	X(-19, E_BUSY, FK_EXIT_FAILURE, "resource busy")                                       \
	X(-20, E_INTERRUPTED, FK_EXIT_INTERRUPTED, "interrupted")                              \
	X(-21, E_DEVICE_GONE, FK_EXIT_INTERRUPTED, "device disconnected")                      \
	X(-22, E_NO_POWER, FK_EXIT_CONNECT, "target not powered")                              \
	X(-23, E_NACK, FK_EXIT_TARGET, "the device refused the command (NACK)")                \
	X(-24, E_RANGE, FK_EXIT_USAGE, "address or size out of range")                         \
	X(-25, E_BACKUP, FK_EXIT_FAILURE, "backup failed: nothing destructive was done")       \
	X(-26, E_INTERNAL, FK_EXIT_FAILURE, "internal error")                                  \
	X(-27, E_POWER_LOST, FK_EXIT_INTERRUPTED, "target lost power during an operation")     \
	X(-28, E_NOT_HALTED, FK_EXIT_TARGET, "the core could not be halted")                   \
	X(-29, E_DEBUG_DISABLED, FK_EXIT_PROTECTED, "debug port disabled or unreachable")

enum fk_error {
#define FK_X_ENUM(num, sym, exitc, text) FK_##sym = (num),
	FK_ERROR_TABLE(FK_X_ENUM)
#undef FK_X_ENUM
};

/* "FK_E_PROTECTED" for FK_E_PROTECTED; "FK_E_UNKNOWN" for numbers not in the table. */
const char *fk_error_name(int code);
/* The table's sentence, e.g. "blocked by flash protection". Never NULL. */
const char *fk_strerror(int code);
/* The documented process exit code for an error code. */
int fk_error_exit_code(int code);

#endif
