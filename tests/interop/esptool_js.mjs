// SPDX-License-Identifier: GPL-2.0-or-later
// esptool-js (npm, Espressif's JavaScript esptool) driven from Node against a served ESP twin:
// `flashkey-twin serve PATH --esp-tcp 127.0.0.1:PORT`. esptool-js talks to a Web Serial
// SerialPort; TcpSerialPort below offers the surface its Transport uses (open/close, readable
// and writable WHATWG streams, setSignals, getInfo, setBaudRate) over a TCP socket. DTR/RTS
// cannot cross the socket, so the twin is already in download mode and we connect with
// "no_reset".
//
// usage: node esptool_js.mjs PORT IMAGE ADDRESS OUT.json [BAUD]
// FK_EJS_ROM=1: talk to the ROM loader only (no stub), as esptool.py --no-stub does.
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
	if (process.env.FK_EJS_ROM) {
		/* ROM mode, as `esptool.py --no-stub` drives the ROM (esptool loader.py main(): no
		 * run_stub(); "Enabling default SPI flash mode..." = flash_spi_attach(0); the ROM
		 * classes' FLASH_WRITE_SIZE 0x400). esptool-js 0.7 has no switch for it: main()
		 * always uploads the stub, and its loader keeps the stub's 0x4000 block size even
		 * without one, so the chip class's own ROM block size is applied here. */
		await loader.detectChip("no_reset");
		out.chip_description = await loader.chip.getChipDescription(loader);
		await loader.flashSpiAttach(0);
		loader.FLASH_WRITE_SIZE = loader.chip.FLASH_WRITE_SIZE;
		if (baud !== 115200) await loader.changeBaud();
	} else {
		out.chip_description = await loader.main("no_reset");
	}
	out.chip_name = loader.chip.CHIP_NAME;
	out.is_stub = loader.IS_STUB;
	out.block_size = loader.FLASH_WRITE_SIZE;
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
		/* esptool-js 0.7 checks the ROM's SPI_FLASH_MD5 wrongly: the ROM answers the digest
		 * as 32 ASCII hex characters (the stub as 16 raw bytes) and flashMd5sum hex-encodes
		 * those characters again, so its check can never match in ROM mode ("MD5 of file does
		 * not match data in flash!"). In ROM mode the digest is checked below instead. */
		calculateMD5Hash: loader.IS_STUB ? (img) => md5hex(img) : undefined,
	});
	out.write_verified = loader.IS_STUB;
	step("md5");
	out.flash_md5 = await loader.flashMd5sum(address, data.length);
	if (!loader.IS_STUB) {
		/* the ROM's ASCII digest, as flashMd5sum returned it hex-encoded */
		out.flash_md5 = Buffer.from(out.flash_md5, "hex").toString("latin1");
		out.write_verified = out.flash_md5 === md5hex(data);
	}
	out.file_md5 = md5hex(data);
	if (!process.env.FK_EJS_NO_READBACK && loader.IS_STUB) {
		/* READ_FLASH (0xD2) is a stub command; the ROM has only READ_FLASH_SLOW, which
		 * esptool-js 0.7 does not send */
		/* benchmarks (bench/bench_esp.sh) time the write and its MD5 check only */
		step("read");
		const back = await loader.readFlash(address, data.length);
		out.read_md5 = md5hex(back);
	}
	if (extraArg) {
		/* ADDR:LEN written by another tool (flashkey): read back with esptool-js (ROM mode:
		 * the ROM's SPI_FLASH_MD5 of it, since READ_FLASH is a stub command) */
		step("read_extra");
		const [ea, el] = extraArg.split(":").map(Number);
		if (loader.IS_STUB) out.extra_md5 = md5hex(await loader.readFlash(ea, el));
		else out.extra_md5 = Buffer.from(await loader.flashMd5sum(ea, el), "hex").toString("latin1");
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
