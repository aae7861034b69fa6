/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link/serial: POSIX termios serial port as a byte stream (the uart: connection scheme).
 *
 * Sources: POSIX termios(3) / Linux termios(3) (raw mode, VMIN/VTIME, INPCK, PARENB),
 * tty_ioctl(4) (TIOCMGET/TIOCMSET for DTR/RTS); AN3155 Rev 20 §1 (8 data bits, even parity,
 * 1 stop bit); ../shared/reference/an3155.md §4.3 (a Linux pseudo-terminal silently drops PARENB,
 * so 8E1 cannot be had on a pty: we say so and carry on in 8N1, which the twin's pty server
 * and every pty peer use). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "link/serial.h"

typedef struct serial_port {
	int fd;
	char dev[128];
} serial_port;

static const struct {
	unsigned baud;
	speed_t code;
} serial_bauds[] = {
	{1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
	{9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
	{115200, B115200},   {230400, B230400},
#ifdef B460800
	{460800, B460800},
#endif
#ifdef B921600
	{921600, B921600},
#endif
#ifdef B1000000
	{1000000, B1000000},
#endif
#ifdef B2000000
	{2000000, B2000000},
#endif
#ifdef B3000000
	{3000000, B3000000},
#endif
#ifdef B4000000
	{4000000, B4000000}, /* USB serial adapters and serprog firmwares (issue 15: 4 Mbit/s) */
#endif
};

static int serial_baud_code(unsigned baud, speed_t *code)
{
	for (size_t i = 0; i < FK_ARRAY_SIZE(serial_bauds); i++)
		if (serial_bauds[i].baud == baud) {
			*code = serial_bauds[i].code;
			return 0;
		}
	return -1;
}

int serial_baud_supported(unsigned baud)
{
	speed_t c;
	return serial_baud_code(baud, &c) == 0;
}

int serial_parse_spec(const char *arg, char *dev, size_t devsz, unsigned *baud)
{
	const char *at = strrchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	*baud = 0;
	if (n == 0 || n >= devsz)
		return -1;
	memcpy(dev, arg, n);
	dev[n] = '\0';
	if (at) {
		uint32_t b;
		if (fk_parse_u32(at + 1, &b) || b == 0)
			return -1;
		*baud = b;
	}
	return 0;
}

static uint64_t serial_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int serial_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	serial_port *p = h;
	const uint8_t *b = buf;
	while (len) {
		ssize_t n = write(p->fd, b, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return fk_fail(ctx, errno == EIO ? FK_E_DEVICE_GONE : FK_E_IO,
				       "writing to %s: %s", p->dev, strerror(errno));
		b += n;
		len -= (size_t)n;
	}
	tcdrain(p->fd); /* a slow adapter must not drop what we queued before we wait */
	return FK_OK;
}

/* Waits at most timeout_ms for the *next* byte each time (an inter-byte timeout). */
static int serial_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms,
		       size_t *got)
{
	serial_port *p = h;
	uint8_t *b = buf;
	*got = 0;
	uint64_t deadline = serial_now_ms() + timeout_ms;
	while (*got < len) {
		uint64_t now = serial_now_ms();
		if (now > deadline)
			return FK_E_TIMEOUT;
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fk_fail(ctx, FK_E_IO, "waiting for %s: %s", p->dev, strerror(errno));
		if (r == 0)
			return FK_E_TIMEOUT;
		ssize_t n = read(p->fd, b + *got, len - *got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno != EIO)
			return fk_fail(ctx, FK_E_IO, "reading %s: %s", p->dev, strerror(errno));
		if (n <= 0) /* EIO or EOF: the adapter was unplugged or the pty master closed */
			return fk_fail(ctx, FK_E_DEVICE_GONE, "%s went away while reading", p->dev);
		*got += (size_t)n;
		deadline = serial_now_ms() + timeout_ms;
	}
	return FK_OK;
}

static int serial_flush_input(void *h, fk_ctx *ctx)
{
	serial_port *p = h;
	(void)ctx;
	tcflush(p->fd, TCIFLUSH);
	return FK_OK;
}

static int serial_set_lines(void *h, fk_ctx *ctx, int dtr, int rts)
{
	serial_port *p = h;
	int bits;
	if (ioctl(p->fd, TIOCMGET, &bits) != 0)
		return fk_fail(ctx, FK_E_UNSUPPORTED,
			       "%s cannot drive DTR/RTS (TIOCMGET: %s; a pseudo-terminal has no modem lines)",
			       p->dev, strerror(errno));
	if (dtr >= 0)
		bits = dtr ? bits | TIOCM_DTR : bits & ~TIOCM_DTR;
	if (rts >= 0)
		bits = rts ? bits | TIOCM_RTS : bits & ~TIOCM_RTS;
	if (ioctl(p->fd, TIOCMSET, &bits) != 0)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "%s: setting DTR/RTS failed: %s", p->dev,
			       strerror(errno));
	return FK_OK;
}

static int serial_set_baud(void *h, fk_ctx *ctx, unsigned baud);

static const fk_stream_ops serial_ops = {
	.write = serial_write,
	.read = serial_read,
	.flush_input = serial_flush_input,
	.set_lines = serial_set_lines,
	.virtual_ns = NULL,
	.set_baud = serial_set_baud,
};

static void serial_close(void *h)
{
	serial_port *p = h;
	if (!p)
		return;
	close(p->fd);
	free(p);
}

static void serial_make_raw(struct termios *t, speed_t code, int parity)
{
	cfmakeraw(t);
	t->c_cflag &= (tcflag_t) ~(CSIZE | CSTOPB | PARENB | PARODD | CRTSCTS);
	t->c_cflag |= CS8 | CLOCAL | CREAD | (parity ? PARENB : 0);
	t->c_iflag &= (tcflag_t) ~(IXON | IXOFF | IXANY | IGNPAR | PARMRK | INPCK);
	if (parity)
		t->c_iflag |= INPCK;
	t->c_cc[VMIN] = 0;
	t->c_cc[VTIME] = 0;
	cfsetispeed(t, code);
	cfsetospeed(t, code);
}

/* Applies the framing and reads it back: a pty accepts PARENB and drops it (an3155.md §4.3).
 * glibc's Linux tcsetattr reads c_cflag back after TCSETS and fails with EINVAL when PARENB,
 * CREAD or CSIZE did not take, although everything else was applied; whether that happens on
 * a pty depends on the state an earlier session left (seen with glibc 2.36: the second
 * flashkey on a `flashkey-twin serve --uart-pty` link failed). A port that refuses only the
 * parity is set again without it: the caller reports 8N1. */
static int serial_configure(serial_port *p, fk_ctx *ctx, unsigned baud, int parity, int *got_parity)
{
	speed_t code;
	struct termios t, want;
	if (serial_baud_code(baud, &code)) {
		fk_hint(ctx, "use a standard rate: 9600, 19200, 38400, 57600 or 115200 (AN3155 §2 tests 1200-115200)");
		return fk_fail(ctx, FK_E_USAGE, "%s: baud rate %u is not supported here", p->dev, baud);
	}
	if (tcgetattr(p->fd, &t) != 0)
		return fk_fail(ctx, FK_E_CONNECT, "%s is not a serial port (tcgetattr: %s)", p->dev,
			       strerror(errno));
	want = t;
	serial_make_raw(&want, code, parity);
	int rc = tcsetattr(p->fd, TCSANOW, &want);
	if (rc != 0 && errno == EINVAL && parity) {
		want = t;
		serial_make_raw(&want, code, 0);
		rc = tcsetattr(p->fd, TCSANOW, &want);
	}
	if (rc != 0 || tcgetattr(p->fd, &t) != 0)
		return fk_fail(ctx, FK_E_CONNECT, "%s: setting %u baud failed: %s", p->dev, baud,
			       strerror(errno));
	if (cfgetospeed(&t) != code)
		return fk_fail(ctx, FK_E_CONNECT, "%s: the driver refused %u baud", p->dev, baud);
	*got_parity = (t.c_cflag & PARENB) != 0;
	tcflush(p->fd, TCIOFLUSH);
	return FK_OK;
}

static int serial_open_fd(serial_port *p, fk_ctx *ctx)
{
	p->fd = open(p->dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (p->fd < 0) {
		int e = errno;
		if (e == EACCES)
			fk_hint(ctx, "add yourself to the group owning %s (often `dialout`) and log in again",
				p->dev);
		else
			fk_hint(ctx, "check the device name (ls /dev/ttyUSB* /dev/ttyACM*) and the cable");
		return fk_fail(ctx, FK_E_CONNECT, "cannot open %s: %s", p->dev, strerror(e));
	}
	if (flock(p->fd, LOCK_EX | LOCK_NB) != 0) {
		fk_hint(ctx, "close the other program using %s (a terminal, stm32flash, ModemManager)",
			p->dev);
		return fk_fail(ctx, FK_E_BUSY, "%s is in use by another process", p->dev);
	}
	return FK_OK;
}

/* A new rate on an open port, framing kept (ESP ROM CHANGE_BAUDRATE). */
static int serial_set_baud(void *h, fk_ctx *ctx, unsigned baud)
{
	serial_port *p = h;
	speed_t code;
	struct termios t;
	if (serial_baud_code(baud, &code))
		return fk_fail(ctx, FK_E_USAGE, "%s: baud rate %u is not supported here", p->dev, baud);
	if (tcgetattr(p->fd, &t) != 0)
		return fk_fail(ctx, FK_E_IO, "%s: tcgetattr: %s", p->dev, strerror(errno));
	cfsetispeed(&t, code);
	cfsetospeed(&t, code);
	if (tcsetattr(p->fd, TCSADRAIN, &t) != 0)
		return fk_fail(ctx, FK_E_IO, "%s: setting %u baud failed: %s", p->dev, baud,
			       strerror(errno));
	return FK_OK;
}

static int serial_open_as(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			  fk_transport *out, const char *scheme, int parity);

int serial_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	return serial_open_as(ctx, arg, opts, out, "uart", !opts->parity_none);
}

/* esp: the Espressif serial ROM loader: 8N1 always (esptool serial-protocol.rst). */
/* The Espressif ROM loader listens at 115200 8N1 after reset (esptool ESP_ROM_BAUD): the port
 * opens there whatever rate was asked; a different one is reached after SYNC with
 * CHANGE_BAUDRATE (lib/chip/path.c), as esptool does. Opening at 921600 straight away works on
 * nothing but a twin. */
int serial_open_esp(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	int rc = serial_open_as(ctx, arg, opts, out, "esp", 0);
	if (!rc)
		out->protocol = "esp-rom";
	return rc;
}

/* lpc: the NXP LPC boot ROM's UART ISP, 8N1 (UM10360 §32.7: the ROM autobauds on '?' in
 * 8N1), "DEVICE[@BAUD][,XTAL_KHZ]": the crystal the handshake names after "Synchronized". */
int serial_open_lpc(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	char spec[300];
	unsigned khz = 0;
	fk_strlcpy(spec, arg, sizeof spec);
	char *comma = strrchr(spec, ',');
	if (comma) {
		uint32_t v;
		*comma = '\0';
		if (fk_parse_u32(comma + 1, &v) || v == 0 || v > 99999) {
			fk_hint(ctx, "write lpc:DEVICE[@BAUD][,XTAL_KHZ], e.g. lpc:/dev/ttyUSB0@115200,12000 "
				"(the crystal in kHz, at most 5 digits as the ROM reads it)");
			return fk_fail(ctx, FK_E_USAGE, "bad crystal frequency \"%.20s\" in \"lpc:%.60s\"",
				       comma + 1, arg);
		}
		khz = v;
	}
	int rc = serial_open_as(ctx, spec, opts, out, "lpc", 0);
	if (!rc) {
		out->protocol = "lpc-isp";
		out->clock_khz = khz;
	}
	return rc;
}

static int serial_open_as(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			  fk_transport *out, const char *scheme, int parity)
{
	unsigned baud;
	serial_port *p = calloc(1, sizeof *p);
	if (!p)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the serial port");
	p->fd = -1;
	if (serial_parse_spec(arg, p->dev, sizeof p->dev, &baud)) {
		free(p);
		fk_hint(ctx, "write %s:DEVICE[@BAUD], e.g. %s:/dev/ttyUSB0@115200", scheme, scheme);
		return fk_fail(ctx, FK_E_USAGE, "bad serial connection \"%s:%.60s\"", scheme, arg);
	}
	if (!baud)
		baud = opts->baud ? opts->baud : SERIAL_DEFAULT_BAUD;
	unsigned wanted = baud;
	if (strcmp(scheme, "esp") == 0) {
		baud = SERIAL_ESP_ROM_BAUD;
		if (!serial_baud_supported(wanted)) {
			free(p);
			fk_hint(ctx, "esptool's usual rates: 115200, 230400, 460800, 921600");
			return fk_fail(ctx, FK_E_USAGE, "%s: baud rate %u is not supported here",
				       arg, wanted);
		}
	}
	int want_parity = parity, got_parity = 0;
	int rc = serial_open_fd(p, ctx);
	if (!rc)
		rc = serial_configure(p, ctx, baud, want_parity, &got_parity);
	if (rc) {
		if (p->fd >= 0)
			close(p->fd);
		free(p);
		return rc;
	}
	if (want_parity && !got_parity)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_LINK,
		       "%s does not keep even parity (a pseudo-terminal?): continuing in 8N1", p->dev);
	out->kind = FK_TRANSPORT_STREAM;
	out->ops = &serial_ops;
	out->handle = p;
	out->close = serial_close;
	out->baud = baud;
	out->baud_switch = wanted != baud ? wanted : 0;
	snprintf(out->description, sizeof out->description, "%s @%u %s", p->dev, baud,
		 got_parity ? "8E1" : "8N1");
	return FK_OK;
}
