/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/doctor: messages as the peer tools print them (format strings of OpenOCD, stlink-org,
 * Black Magic Probe, GDB, probe-rs, dfu-util, stm32loader and pyserial with their variable
 * parts filled in, issue 19) are recognised as the right catalogue family, first, and the
 * family lists the cause the peer's source prints the message for. No corpus case is used
 * here. */
#include "fk_test.h"

#include "flashkey/doctor.h"

#include "doctor_fixture.h"

static const struct {
	const char *text, *id, *cause;
} peer[] = {
	/* stlink-org v1.6.1-v1.8.0 src/stlink-lib/usb.c, sg.c, common.c, common_flash.c,
	 * src/st-flash/flash.c (doctor14) */
	{"WARN usb.c: Error -3 (Permission denied) opening ST-Link v2 device 001:005",
	 "stflash-usb-open-error", "probe-problem"},
	{"WARN sg.c: libusb_claim_interface() failed", "stflash-usb-open-error", "probe-problem"},
	{"[!] send_recv STLINK_DEBUG_READCOREID", "stflash-send-recv-old", "probe-problem"},
	{"WARN common.c: Invalid flash type, please check device declaration",
	 "stflash-flash-type-unknown", "tool-limitation"},
	{"ERROR common_flash.c: unsupported flash method, abort", "stflash-flash-type-unknown",
	 "tool-limitation"},
	{"ERROR common_flash.c: method 'is_flash_busy' is unsupported", "stflash-flash-type-unknown",
	 "tool-limitation"},
	{"Failed to reset device", "stflash-reset-failed", "no-target"},
	/* Black Magic Probe v1.8-main src/target/adiv5_swd.c, adi.c, cortexm.c, cortex.c,
	 * stm32f1.c, stm32h7.c, src/platforms/hosted/ (doctor14) */
	{"SWD access resulted in no response", "bmp-swd-access-fault", "no-target"},
	{"JTAG access resulted in wait, aborting", "bmp-swd-access-fault", "debug-disabled"},
	{"SWD access resulted in fault", "bmp-swd-access-fault", "rdp1"},
	{"DP not responding!  Trying abort sequence...", "bmp-swd-access-fault", "low-voltage"},
	{"Error reading CIDR on AP0: 1", "bmp-swd-access-fault", "signal-integrity"},
	{"AP   0: Transaction in progress. AP is not usable!", "bmp-ap-busy", "debug-disabled"},
	{"SWD access resulted in parity error", "bmp-swd-parity", "signal-integrity"},
	{"SWDP Parity error", "bmp-swd-parity", "signal-integrity"},
	{"Reset seem to be stuck low!", "bmp-reset-stuck", "signal-integrity"},
	{"Lost communications with target", "bmp-lost-comms", "hw-watchdog"},
	{" 1      Clone STM32F1 medium density M3", "bmp-clone-stm32f1", "clone-part"},
	{"Detected clone STM32F1", "bmp-clone-stm32f1", "clone-part"},
	{"Unexpected Cortex CPU partno c230", "bmp-unexpected-cpu", "clone-part"},
	{"Unknown STM32H7. This driver may not support it!", "bmp-unexpected-cpu",
	 "tool-limitation"},
	{"BMP in bootloader mode found. Restart or reflash!", "bmp-probe-link", "probe-problem"},
	{"Remote Start failed, error unknown", "bmp-probe-link", "tool-limitation"},
	{"CMSIS-DAP read timeout", "bmp-probe-link", "probe-problem"},
	{"Couldn't open serial port /dev/ttyACM0", "bmp-probe-link", "probe-problem"},
	{"Read failed at flash address 0x08000400", "bmp-read-failed", "rdp1"},
	{"No debugger found. Please check access rights to USB devices!", "bmp-hosted-probe",
	 "probe-problem"},
	{"Please update the firmware on your ST-Link", "bmp-hosted-probe", "probe-problem"},
	{"Stlink board was in DFU mode. Restart", "bmp-hosted-probe", "probe-problem"},
	{"Failure reading IDCODE", "bmp-hosted-stlink-status", "no-target"},
	{"Failure powering DBG", "bmp-hosted-stlink-status", "debug-disabled"},
	{"Wait status SWD_AP_WAIT (0x10)", "bmp-hosted-stlink-status", "debug-disabled"},
	/* stm32loader 0.1-0.4 stm32loader.py, 0.5+ bootloader.py and main.py (doctor14) */
	{"Readout unprotect (0x92) failed", "stm32loader-protect-old", "serial-link"},
	{"Flash readout protect failed", "stm32loader-protect-old", "rdp1"},
	{"Write Protect memory (0x63) failed", "stm32loader-protect-old", "rdp1"},
	{"Get (0x00) failed", "stm32loader-get-failed", "bootloader-not-entered"},
	{"GetID (0x02) failed", "stm32loader-get-failed", "bootloader-not-entered"},
	{"Get ID (2) failed: no ack", "stm32loader-get-failed", "serial-link"},
	{"Go (0x21) failed", "stm32loader-go-failed", "rdp1"},
	{"Go (33) failed: no ack", "stm32loader-go-failed", "rdp1"},
	/* dfu-util 0.7-0.11 src/main.c, src/dfuse.c (doctor14) */
	{"dfu-util: error clear_status", "dfuutil-status-lost", "probe-problem"},
	{"dfu-util: Error during abort get_status", "dfuutil-status-lost", "probe-problem"},
	{"dfu-util: Error during second get_status", "dfuutil-status-lost", "dfu-leave-reset"},
	{"dfu-util: Failed to enter idle state on abort", "dfuutil-status-lost", "probe-problem"},
	{"dfu-util: error get_status: LIBUSB_ERROR_IO", "dfuutil-usb-setup", "probe-problem"},
	{"DFU state(10) = dfuERROR, status(1) = File is not targeted for use by this device",
	 "dfuutil-status-file", "wrong-target-config"},
	{"DFU state(10) = dfuERROR, status(13) = Device detected unexpected power on reset",
	 "dfuutil-status-reset", "low-voltage"},
	{"DFU state(10) = dfuERROR, status(15) = Device stalled an unexpected request",
	 "dfuutil-status-reset", "tool-limitation"},
	/* OpenOCD src/target/target.c, src/flash/nor/stm32*.c, src/jtag/, src/target/cortex_m.c */
	{"Error: error waiting for target flash write algorithm", "openocd-algorithm-error", "wrp"},
	{"Error: error starting target flash write algorithm", "openocd-algorithm-error",
	 "tool-loader-bug"},
	{"Error: Failed to execute algorithm at 0x20000004: -302", "openocd-algorithm-error", "rdp1"},
	{"Error: timeout waiting for algorithm, a target reset is recommended",
	 "openocd-algorithm-timeout", "tool-loader-bug"},
	{"stm32x failed to erase options", "openocd-stm32-options-failed", "fpec-lockout"},
	{"stm32f2x failed to write options", "openocd-stm32-options-failed", "sr-errors"},
	{"stm32l4x failed to unlock device", "openocd-stm32-options-failed", "fpec-lockout"},
	{"Error: options not unlocked STM32_FLASH_OPTCR: 0x0fffaaed", "openocd-stm32-options-failed",
	 "fpec-lockout"},
	{"stm32x mass erase failed", "openocd-stm32-mass-erase-failed", "wrp"},
	{"stm32h7x mass erase failed", "openocd-stm32-mass-erase-failed", "rdp1"},
	{"Error: timed out waiting for flash", "openocd-flash-timeout", "flash-busy"},
	{"Error: PRGLOCK is not cleared :(", "openocd-stm32lx-unlock", "fpec-lockout"},
	{"Error: access denied / write protected", "openocd-stm32lx-write-protected", "wrp"},
	{"Info : Device Security Bit Set", "openocd-security-bit", "rdp1"},
	{"Info : TAP stm32f4x.bs does not have valid IDCODE (idcode=0x0)", "openocd-tap-no-idcode",
	 "clone-part"},
	{"Error: stm32f4x.cpu: IR capture error; saw 0x0f not 0x01", "openocd-jtag-chain-error",
	 "no-target"},
	{"Error: JTAG-DP OVERRUN - check clock, memaccess, or reduce jtag speed",
	 "openocd-jtag-chain-error", "signal-integrity"},
	{"Error: AP write error, reset will not halt", "openocd-reset-no-debug-ap", "no-target"},
	{"Error: read_memory: read at 0x08000000 with width=32 and count=1 failed",
	 "openocd-tcl-memory-failed", "rdp1"},
	{"Error: mem2array: Read @ 0xe0042004, w=4, cnt=1, failed", "openocd-tcl-memory-failed",
	 "no-target"},
	{"Error: flash memory not erased before writing", "openocd-flash-not-erased", "not-erased"},
	{"Error: Verification error address 0x08000010, read back 0xff, expected 0x12",
	 "openocd-verify-failed", "not-erased"},
	{"Error: Target voltage too low. Check target power", "openocd-voltage-too-low",
	 "low-voltage"},
	{"Error: Halt timed out, wake up GDB.", "openocd-halt-timeout", "debug-disabled"},
	{"Error: Fail reading CTRL/STAT register. Force reconnect", "openocd-debug-unpowered",
	 "debug-disabled"},
	/* Black Magic Probe 1.10 src/command.c, src/target/ */
	{"SWD scan found no devices.", "bmp-scan-no-devices", "no-target"},
	{"auto scan failed!", "bmp-scan-no-devices", "no-target"},
	{"Halt via DHCSR(00030003): failure after 2000ms\nTry again with longer timeout or connect "
	 "under reset",
	 "bmp-halt-dhcsr", "debug-disabled"},
	{"stm32f4 flash error 0x10", "bmp-stm32-flash-error", "wrp"},
	{"stm32l4 Flash error: status 0x80", "bmp-stm32-flash-error", "rdp1"},
	{"Security bit set!\nScan again, attach and issue 'monitor erase_mass' to reset.",
	 "bmp-samd-protected", "sam-security"},
	{"Hardware IWDG running. Expect failure. Set IWDG1_SW!", "bmp-keeping-l1-watchdog",
	 "hw-watchdog"},
	/* GDB gdb/symfile.c, gdb/corefile.c, gdb/remote.c */
	{"Load failed", "gdb-load-failed", "wrp"},
	{"Cannot access memory at address 0x8000000", "gdb-cannot-access-memory", "rdp1"},
	{"Could not read registers; remote failure reply 'E01'", "gdb-remote-error-reply",
	 "no-target"},
	{"Remote replied unexpectedly to 'vMustReplyEmpty': timeout", "gdb-remote-lost",
	 "probe-problem"},
	/* probe-rs probe/stlink, probe/jlink, architecture/arm */
	{"WARN probe_rs::probe::jlink: J-Link: Target voltage (VTref) is 0.00 V. Is your target "
	 "device powered?",
	 "probers-target-voltage", "low-voltage"},
	{"Error: Command failed with status JtagGetIdcodeError", "probers-stlink-status",
	 "no-target"},
	{"Error: Command failed with status SwdDpWait", "probers-stlink-status", "signal-integrity"},
	{"Error: Command failed with status SwdApFault", "probers-ap-fault", "rdp1"},
	{"Error: Debug power request failed", "probers-stlink-status", "no-target"},
	{"Error: The core needs to be halted for this operation but was not.", "probers-not-halted",
	 "debug-disabled"},
	/* stlink-org src/stlink-common.c, src/flash_loader.c, src/st-flash, src/usb.c */
	{"invalid write @0x08000400(0x00000400): 0xffff != 0x2000. retrying.",
	 "stflash-soft-write-retry", "wrp"},
	{"writes operation failure count too high, aborting", "stflash-soft-write-retry", "rdp1"},
	{"write error, count == 128", "stflash-loader-count", "tool-loader-bug"},
	{"Failed to get Core's status", "stflash-core-status", "no-target"},
	{"Chip ID is 00000000, Core ID is 00000000.", "stflash-core-status", "no-target"},
	{"[!] send_recv read reply failed: LIBUSB_ERROR_PIPE", "stflash-usb-transfer",
	 "probe-problem"},
	{"pecr.pelock not clear (0x00000007)", "stflash-unlock-flash-failed", "fpec-lockout"},
	/* dfu-util src/dfu.c, src/dfu_load.c, src/main.c */
	{"DFU state(10) = dfuERROR, status(4) = Memory erase function failed", "dfuutil-status-error",
	 "wrp"},
	{"dfu-util: DFU state(10) = dfuERROR, status(6) = Program memory function failed",
	 "dfuutil-status-error", "rdp1"},
	{"dfu-util: error resetting after download: LIBUSB_ERROR_NOT_FOUND", "dfuutil-after-download",
	 "dfu-leave-reset"},
	{"dfu-util: unable to read DFU status after completion (LIBUSB_ERROR_IO)",
	 "dfuutil-after-download", "dfu-leave-reset"},
	{"dfu-util: Device still in Run-Time Mode!", "dfuutil-runtime-mode", "bootloader-not-entered"},
	{"Target voltage: 3.3V\nException: SWD invalid ACK\nSWD scan failed!", "bmp-swd-exception",
	 "no-target"},
	{"Exception: SWDP ACK timeout", "bmp-swd-exception", "debug-disabled"},
	{"Failed to retrieve language identifiers\nOpening DFU capable USB device...\n"
	 "error get_status: LIBUSB_ERROR_IO",
	 "dfuutil-usb-setup", "bootloader-not-entered"},
	{"dfu-util: Cannot set alternate interface: LIBUSB_ERROR_OTHER", "dfuutil-usb-setup",
	 "probe-problem"},
	/* stm32loader bootloader.py, main.py */
	{"stm32loader.bootloader.CommandError: Write memory (49) failed: no ack",
	 "stm32loader-no-ack", "rdp1"},
	{"CommandError: Read memory (Command.READ_MEMORY) failed: no ack", "stm32loader-no-ack",
	 "rdp1"},
	{"CommandError: NACK 0x44 erasing failed", "stm32loader-erase-rdp", "wrp"},
	{"CommandError: Write unprotect (115) failed: no ack", "stm32loader-protect-cmd", "rdp1"},
	{"Flash write unprotect failed", "stm32loader-protect-cmd", "rdp1"},
	{"Verification data does not match read data. First mismatch at address: 0x08000000 read "
	 "0xff vs 0x20 expected.",
	 "stm32loader-verify", "not-erased"},
	{"Bootloader activation timeout -- retrying", "stm32loader-timeout",
	 "bootloader-not-entered"},
	{"Can not erase from specific address without specified length.\n"
	 "Consider using the --length argument.",
	 "stm32loader-erase-range", "tool-limitation"},
	{"Can not erase specific length without a start address.\n"
	 "Consider using the --address argument.",
	 "stm32loader-erase-range", "tool-limitation"},
	/* pyserial serial/serialposix.py, serialwin32.py (esptool, stm32loader, spsdk) */
	{"serial.serialutil.SerialException: [Errno 2] could not open port /dev/ttyUSB0: [Errno 2] "
	 "No such file or directory: '/dev/ttyUSB0'",
	 "pyserial-open-failed", "probe-problem"},
	{"could not open port 'COM3': FileNotFoundError(2, 'The system cannot find the file "
	 "specified.', None, 2)",
	 "pyserial-open-failed", "probe-problem"},
	{"could not open port /dev/ttyACM0: [Errno 13] Permission denied: '/dev/ttyACM0'",
	 "pyserial-open-failed", "probe-problem"},
	/* probe-rs probe/, flashing/error.rs, probe-rs-tools common_options.rs */
	{"The firmware on the probe is outdated, and not supported by probe-rs. The minimum "
	 "supported firmware version is 2.",
	 "probe-rs-probe-firmware", "probe-problem"},
	{"The protocol speed could not be set to '24000' kHz.", "probe-rs-probe-firmware",
	 "probe-problem"},
	{"Error: Invalid IDCODE", "probe-rs-scan-chain", "no-target"},
	{"Failed to get a handle to the first core.", "probe-rs-scan-chain", "debug-disabled"},
	{"No flash memory contains the entire requested memory range 0x08000000..0x08040000.",
	 "probe-rs-flash-range", "wrong-target-config"},
	{"The core entered an unexpected status: LockedUp.", "probe-rs-core-status",
	 "hw-watchdog"},
	/* GDB gdb/remote.c */
	{"Malformed response to offset query, timeout", "gdb-remote-garbage", "probe-problem"},
	{"Reply contains invalid hex digit 116", "gdb-remote-garbage", "probe-problem"},
	{"Truncated register 16 in remote 'g' packet", "gdb-remote-arch", "tool-limitation"},
	{"Remote 'g' packet reply is too long (expected 168 bytes, got 328 bytes): 00000000",
	 "gdb-remote-arch", "tool-limitation"},
	{"serial.serialutil.SerialException: device reports readiness to read but returned no data "
	 "(device disconnected or multiple access on port?)",
	 "pyserial-port-lost", "probe-problem"},
	{"serial.serialutil.SerialTimeoutException: Write timeout", "pyserial-port-lost",
	 "serial-link"},
	/* stlink-org src/stlink-lib/common_flash.c, usb.c, flash_loader.c, src/st-trace/trace.c */
	{"ERROR common_flash.c: Invalid address, it should be within 0x08000000 - 0x07ffffff",
	 "stflash-address-range", "rdp1"},
	{"The size exceeds the size of the flash (0x00008000 bytes available)",
	 "stflash-address-range", "wrong-target-config"},
	{"ERROR common_flash.c: Could not unlock flash option!", "stflash-option-unlock",
	 "fpec-lockout"},
	{"ERROR usb.c: GET_VERSION send request failed: LIBUSB_ERROR_PIPE", "stflash-usb-command",
	 "probe-problem"},
	{"READMEM_32BIT wrong reply length", "stflash-usb-command", "probe-problem"},
	{"WARN flash_loader.c: Failed to use flash loader, fallback to soft write",
	 "stflash-loader-fallback", "tool-loader-bug"},
	{"ERROR flash_loader.c: write_buffer_to_sram() == -1", "stflash-loader-fallback",
	 "signal-integrity"},
	{"could not read main memory (-1)", "stflash-read-failed", "rdp1"},
	{"ERROR trace.c: Your stlink is not connected to a device", "stlink-trace-no-target",
	 "no-target"},
	/* stm32loader bootloader.py */
	{"CommandError: NACK 0x82 readout protect failed", "stm32loader-protect-cmd", "rdp1"},
	{"Something was wrong with reading chip flash size: NACK 0x11 address failed",
	 "stm32loader-chip-info", "rdp1"},
	{"Device family mismatch with the given device family: F4", "stm32loader-family-mismatch",
	 "wrong-target-config"},
	{"stm32loader.bootloader.CommandError: Unknown response. 0x43 erase failed: 0x0",
	 "stm32loader-unknown-response", "serial-link"},
	/* OpenOCD src/server/gdb_server.c, src/jtag/drivers/stlink_usb.c, cmsis_dap.c,
	 * src/target/arm_adi_v5.c */
	{"Error: Connect failed. Consider setting up a gdb-attach event for the target to prepare "
	 "target for GDB connect, or use 'gdb_memory_map disable'.",
	 "openocd-gdb-connect-failed", "no-target"},
	{"Error: checksum mismatch - attempting binary compare", "openocd-verify-checksum",
	 "not-erased"},
	{"Error: [stm32f1x.cpu] Cortex-M CPUID: 0x0 is unrecognized", "openocd-cpuid-unrecognized",
	 "clone-part"},
	{"Error: failed to send USB CMD", "openocd-stlink-usb", "probe-problem"},
	{"Error: read version failed", "openocd-stlink-usb", "probe-problem"},
	{"Error: The firmware in the ST-Link adapter only supports deprecated HLA.",
	 "openocd-stlink-firmware", "probe-problem"},
	{"Error: Unable to set adapter speed", "openocd-adapter-refused", "probe-problem"},
	{"Error: CMSIS-DAP command CMD_CONNECT failed.", "openocd-adapter-refused",
	 "probe-problem"},
	{"\t\tCan't read MEM-AP, the corresponding core might be turned off", "openocd-mem-ap-off",
	 "debug-disabled"},
};

static bool lists_cause(const fk_doctor_entry *e, const char *cause)
{
	for (unsigned k = 0; k < e->ncauses; k++)
		if (strcmp(e->causes[k]->id, cause) == 0)
			return true;
	return false;
}

static void test_peer_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof peer / sizeof peer[0]; i++) {
		fk_doctor_hit hits[8];
		int n = fk_doctor_match(cat, peer[i].text, strlen(peer[i].text), hits, 8);
		if (n < 1 || strcmp(hits[0].entry->id, peer[i].id) != 0)
			fail_msg("\"%s\": expected %s first, got %s (%d hits)", peer[i].text,
				 peer[i].id, n > 0 ? hits[0].entry->id : "nothing", n);
		if (!lists_cause(hits[0].entry, peer[i].cause))
			fail_msg("\"%s\": %s does not list %s", peer[i].text, peer[i].id,
				 peer[i].cause);
	}
}

/* Success lines of the same tools stay unrecognised. */
static void test_peer_success_lines(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"Flash written and verified! jolly good!",
		"stm32x mass erase complete",
		"File downloaded successfully",
		"Verification OK",
		"Target voltage: 3.3V",
		"Opening DFU capable USB device...",
		"INFO common.c: Flash written and verified! jolly good!",
		"Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748",
		"Target voltage: 3.3V\n 1      STM32F1 medium density M3",
		"Device disconnects, erases flash and resets now",
		"Go to address 0x08000000",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		fk_doctor_hit hit;
		int n = fk_doctor_match(cat, ok[i], strlen(ok[i]), &hit, 1);
		if (n != 0)
			fail_msg("\"%s\" matched %s", ok[i], hit.entry->id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_messages),
		cmocka_unit_test(test_peer_success_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
