/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin with-usb PATH --probe KIND [--probe KIND...] -- COMMAND [ARGS...]
 * flashkey-twin with-usb --attach SOCKET -- COMMAND [ARGS...]
 * Runs an unmodified libusb/hidapi program against emulated probes (docs/PROBES.md). The bridge
 * library is found in FLASHKEY_USB_BRIDGE_LIB, else next to this executable (build tree:
 * usb-bridge/libfktwin-usb.so), else in the installed library folder. Exit code: the command's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fktwin/usb_bridge.h"
#include "twin_cli.h"

#ifndef FK_USB_BRIDGE_INSTALL_DIR
#define FK_USB_BRIDGE_INSTALL_DIR "/usr/local/lib/flashkey/usb-bridge"
#endif
#define TCLI_BRIDGE_LIB "libfktwin-usb.so"

const cli_opt tcli_with_usb_opts[] = {
	{"probe", 0, CLI_MULTI, "KIND[,serial=S][,gone-after=N]",
	 "plug an emulated probe: stlink-v2, stlink-v21, stlink-v3, cmsis-dap-v2, cmsis-dap-v1, "
	 "jlink (repeat for several; default one of each)"},
	{"attach", 0, CLI_VALUE, "SOCKET",
	 "use a running `flashkey-twin serve PATH --usb-bridge SOCKET` instead of PATH"},
	{"realtime", 0, CLI_FLAG, NULL, "pace the virtual clock with the wall clock"},
	{"no-preload", 0, CLI_FLAG, NULL,
	 "only LD_LIBRARY_PATH, no LD_PRELOAD (programs built with AddressSanitizer)"},
	{NULL, 0, 0, NULL, NULL},
};

static int tcli_bridge_lib(tcli_env *e, char out[PATH_MAX], size_t size)
{
	const char *env = getenv("FLASHKEY_USB_BRIDGE_LIB");
	if (env && env[0]) {
		snprintf(out, size, "%s", env);
		return FK_OK;
	}
	char exe[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, size, "%s/usb-bridge/" TCLI_BRIDGE_LIB, exe);
			if (access(out, R_OK) == 0)
				return FK_OK;
		}
	}
	snprintf(out, size, "%s/" TCLI_BRIDGE_LIB, FK_USB_BRIDGE_INSTALL_DIR);
	if (access(out, R_OK) == 0)
		return FK_OK;
	fk_hint(e->ctx, "set FLASHKEY_USB_BRIDGE_LIB to the bridge library's path");
	return fk_fail(e->ctx, FK_E_NOT_FOUND, "with-usb: the USB bridge library (%s) is neither "
			"next to flashkey-twin nor in %s", TCLI_BRIDGE_LIB, FK_USB_BRIDGE_INSTALL_DIR);
}

static int tcli_attach(tcli_env *e, const char *sock, const char *lib, bool preload)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", lib);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	const char *vars[2] = {"LD_LIBRARY_PATH", "LD_PRELOAD"};
	const char *vals[2] = {dir, lib};
	for (unsigned i = 0; i < (preload ? 2u : 1u); i++) {
		const char *old = getenv(vars[i]);
		char v[2 * PATH_MAX];
		snprintf(v, sizeof v, "%s%s%s", vals[i], old && old[0] ? ":" : "", old ? old : "");
		setenv(vars[i], v, 1);
	}
	setenv("FLASHKEY_USB_BRIDGE", sock, 1);
	fflush(NULL);
	execvp(e->rest[0], e->rest);
	return fk_fail(e->ctx, FK_E_NOT_FOUND, "with-usb: cannot run %s: %s", e->rest[0],
		       strerror(errno));
}

int tcli_cmd_with_usb(tcli_env *e)
{
	const char *attach = cli_value(&e->args, "attach");
	if (!e->rest || !e->rest[0]) {
		fk_hint(e->ctx, "usage: flashkey-twin %s", e->cmd->synopsis);
		return fk_fail(e->ctx, FK_E_USAGE, "with-usb: no command after \"--\"");
	}
	int rc = attach ? tcli_need_args(e, 0) : tcli_need_args(e, 1);
	char lib[PATH_MAX];
	if (rc == FK_OK)
		rc = tcli_bridge_lib(e, lib, sizeof lib);
	if (rc)
		return rc;
	bool preload = !cli_flag(&e->args, "no-preload");
	if (attach) {
		if (cli_multi(&e->args, "probe", 0))
			return fk_fail(e->ctx, FK_E_USAGE, "with-usb: --probe belongs to the server "
					"when attaching (serve --usb-bridge 'SOCKET;KIND;...')");
		return tcli_attach(e, attach, lib, preload);
	}
	char probes[1024] = "";
	for (unsigned i = 0; cli_multi(&e->args, "probe", i); i++)
		fk_snprintf_cat(probes, sizeof probes, "%s%s", i ? ";" : "",
				cli_multi(&e->args, "probe", i));
	tw_with_usb_opts o = {.probes = probes, .library = lib, .preload = preload,
			      .realtime = cli_flag(&e->args, "realtime")};
	int status = 127;
	fflush(NULL);
	rc = tw_with_usb(e->ctx, tcli_arg(e, 0), &o, e->rest, &status);
	if (rc)
		return rc;
	/* the command's own exit code, unchanged */
	fk_ctx_free(e->ctx);
	exit(status);
}
