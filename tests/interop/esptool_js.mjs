// SPDX-License-Identifier: GPL-2.0-or-later
// esptool-js (npm, Espressif's JavaScript esptool) driven from Node against a served ESP twin:
// `flashkey-twin serve PATH --esp-tcp 127.0.0.1:PORT`. esptool-js talks to a Web Serial
// SerialPort; TcpSerialPort below offers the surface its Transport uses (open/close, readable
// and writable WHATWG streams, setSignals, getInfo, setBaudRate) over a TCP socket. DTR/RTS
// cannot cross the socket, so the twin is already in download mode and we connect with
// "no_reset".
//
// usage: node esptool_js.mjs PORT IMAGE ADDRESS OUT.json [BAUD]
// Steps (each result goes into OUT.json for the shell test to check against the twin):
//   main(): connect, detect the chip, chip description, MAC, upload the flasher stub (OHAI),
//   flash ID; runSpiflashCommand RDSR 05h / 35h (what esptool's read_flash_status does);
//   writeFlash (compress false: FLASH_BEGIN/DATA/END) verified by SPI_FLASH_MD5; readFlash.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";

import { ESPLoader, Transport } from "esptool-js";

class TcpSerialPort {
	constructor(port) {
		this.port = port;
		this.readable = null;
		this.writable = null;
		this.sock = null;
	}
	async open() {
		const sock = net.createConnection({ host: "127.0.0.1", port: this.port });
		await new Promise((resolve, reject) => {
			sock.once("connect", resolve);
			sock.once("error", reject);
		});
		sock.setNoDelay(true);
		this.sock = sock;
		this.readable = new ReadableStream({
			start(ctl) {
				sock.on("data", (d) => ctl.enqueue(new Uint8Array(d)));
				sock.on("close", () => {
					try {
						ctl.close();
					} catch {
						/* already closed */
					}
				});
				sock.on("error", () => {});
			},
			cancel() {},
		});
		this.writable = new WritableStream({
			write(chunk) {
				return new Promise((resolve) => sock.write(Buffer.from(chunk), resolve));
			},
		});
	}
	async close() {
		if (this.sock) this.sock.destroy();
		this.sock = null;
		this.readable = null;
		this.writable = null;
	}
	async setSignals() {
		/* no DTR/RTS over TCP */
	}
	async setBaudRate() {
		/* the twin changes its own UART on CHANGE_BAUDRATE; a socket has no rate */
	}
	getInfo() {
		return {};
	}
}

const [, , portArg, imagePath, addrArg, outPath, baudArg, extraArg] = process.argv;
const log = [];
const terminal = {
	clean() {},
	writeLine(s) {
		log.push(s);
		console.log(s);
	},
	write(s) {
		log.push(s);
		process.stdout.write(s);
	},
};

const md5hex = (u8) => crypto.createHash("md5").update(u8).digest("hex");
const out = { steps: [] };
const step = (name) => {
	out.steps.push(name);
	console.log(`== ${name}`);
};

const transport = new Transport(new TcpSerialPort(Number(portArg)), false);
const baud = baudArg ? Number(baudArg) : 115200;
const loader = new ESPLoader({ transport, baudrate: baud, romBaudrate: 115200, terminal });
try {
	step("connect");
	out.chip_description = await loader.main("no_reset");
	out.chip_name = loader.chip.CHIP_NAME;
	out.is_stub = loader.IS_STUB;
	step("mac");
	out.mac = await loader.chip.readMac(loader);
	step("flash_id");
	out.flash_id = (await loader.readFlashId()) >>> 0;
	step("status");
	const sr1 = (await loader.runSpiflashCommand(0x05, new Uint8Array(0), 8)) & 0xff;
	const sr2 = (await loader.runSpiflashCommand(0x35, new Uint8Array(0), 8)) & 0xff;
	out.status = sr1 | (sr2 << 8);
	step("write");
	const data = new Uint8Array(fs.readFileSync(imagePath));
	const address = Number(addrArg);
	await loader.writeFlash({
		fileArray: [{ data, address }],
		flashMode: "keep",
		flashFreq: "keep",
		flashSize: "keep",
		eraseAll: false,
		compress: false,
		calculateMD5Hash: (img) => md5hex(img),
	});
	out.write_verified = true;
	step("md5");
	out.flash_md5 = await loader.flashMd5sum(address, data.length);
	out.file_md5 = md5hex(data);
	if (!process.env.FK_EJS_NO_READBACK) {
		/* benchmarks (bench/bench_esp.sh) time the write and its MD5 check only */
		step("read");
		const back = await loader.readFlash(address, data.length);
		out.read_md5 = md5hex(back);
	}
	if (extraArg) {
		/* ADDR:LEN written by another tool (flashkey): read back with esptool-js */
		step("read_extra");
		const [ea, el] = extraArg.split(":").map(Number);
		out.extra_md5 = md5hex(await loader.readFlash(ea, el));
	}
	out.ok = true;
} catch (e) {
	out.ok = false;
	out.error = String(e && e.message ? e.message : e);
	console.error(`esptool-js failed: ${out.error}`);
}
out.log = log;
fs.writeFileSync(outPath, JSON.stringify(out, null, 1));
try {
	await transport.disconnect();
} catch {
	/* the socket may be gone */
}
process.exit(out.ok ? 0 : 1);
