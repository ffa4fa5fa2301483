import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { checksum, escapeBinary, framePacket, PacketDecoder } from "./packet.ts";
import { GdbAddressError, parseGdbAddress, serveGdb } from "./server.ts";
import { FakeTarget } from "./testing/fake_target.ts";

const enc = new TextEncoder();
const dec = new TextDecoder("latin1");

Deno.test("gdb packets: checksum, framing and binary escapes", () => {
  assertEquals(checksum(enc.encode("OK")), 0x9a);
  assertEquals(dec.decode(framePacket(enc.encode("OK"))), "$OK#9a");
  assertEquals([...escapeBinary(Uint8Array.of(0x24, 0x23, 0x7d, 0x2a, 0x41))], [
    0x7d,
    0x04,
    0x7d,
    0x03,
    0x7d,
    0x5d,
    0x7d,
    0x0a,
    0x41,
  ]);
});

Deno.test("gdb packets: the decoder splits acks, interrupts and packets; resolves escapes and run lengths", () => {
  const d = new PacketDecoder();
  const items = d.push(enc.encode("+-\x03$m0,4#fd$X0,1:}\x03#00"));
  assertEquals(items.map((i) => i.kind), ["ack", "nak", "interrupt", "packet", "bad-checksum"]);
  // Split across reads, a run length ("0* " = '0' and 3 more) and an escape.
  const body = "a0* }]";
  const frame = `$${body}#${checksum(enc.encode(body)).toString(16).padStart(2, "0")}`;
  const out = [...d.push(enc.encode(frame.slice(0, 3))), ...d.push(enc.encode(frame.slice(3)))];
  assertEquals(out.length, 1);
  assert(out[0].kind === "packet");
  assertEquals(dec.decode(out[0].data), "a0000}");
  // Garbage checksum digits, a '$' restarting a packet, noise between packets.
  assertEquals(d.push(enc.encode("$g#zz")).map((i) => i.kind), ["bad-checksum"]);
  assertEquals(d.push(enc.encode("xyz$ab$g#67")).map((i) => i.kind), ["packet"]);
  // Malformed run length / trailing escape: refused, never thrown.
  assertEquals(d.push(enc.encode("$*#2a")).map((i) => i.kind), ["bad-checksum"]);
  assertEquals(d.push(enc.encode("$a}#a6")).map((i) => i.kind), ["bad-checksum"]);
});

Deno.test("gdb address: loopback only, with a clear refusal", () => {
  assertEquals(parseGdbAddress("127.0.0.1:1234"), { hostname: "127.0.0.1", port: 1234 });
  assertEquals(parseGdbAddress("[::1]:9"), { hostname: "::1", port: 9 });
  assertEquals(parseGdbAddress("localhost:1"), { hostname: "127.0.0.1", port: 1 });
  assertEquals(parseGdbAddress("1234"), { hostname: "127.0.0.1", port: 1234 });
  const e = assertThrows(() => parseGdbAddress("0.0.0.0:1234"), GdbAddressError);
  assert((e as Error).message.includes("not loopback"));
  assertThrows(() => parseGdbAddress("192.168.1.2:1234"), GdbAddressError);
  assertThrows(() => parseGdbAddress("127.0.0.1"), GdbAddressError);
  assertThrows(() => parseGdbAddress("127.0.0.1:70000"), GdbAddressError);
});

/** A raw protocol client over TCP. */
class Client {
  #buf = "";
  constructor(readonly conn: Deno.TcpConn) {}

  static async connect(port: number): Promise<Client> {
    return new Client(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async sendRaw(text: string): Promise<void> {
    await this.conn.write(enc.encode(text));
  }

  send(data: string): Promise<void> {
    return this.sendRaw(dec.decode(framePacket(enc.encode(data))));
  }

  /** Read until `n` characters are buffered, then take them. */
  async take(n: number): Promise<string> {
    const b = new Uint8Array(4096);
    while (this.#buf.length < n) {
      const r = await this.conn.read(b);
      if (r === null) throw new Error(`connection closed; have '${this.#buf}'`);
      this.#buf += dec.decode(b.subarray(0, r));
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  /** Read one framed packet, checking its checksum; returns its data. */
  async packet(): Promise<string> {
    let start = await this.take(1);
    while (start !== "$") start = await this.take(1);
    let data = "";
    for (let c = await this.take(1); c !== "#"; c = await this.take(1)) data += c;
    const sum = await this.take(2);
    assertEquals(parseInt(sum, 16), checksum(enc.encode(data)), `checksum of '${data}'`);
    return data;
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

async function withServer(
  fn: (port: number, target: FakeTarget, log: string[]) => Promise<void>,
): Promise<void> {
  const target = new FakeTarget();
  const log: string[] = [];
  const server = serveGdb(target, "127.0.0.1:0", { log: (m) => log.push(m) });
  try {
    await fn(server.port, target, log);
  } finally {
    await server.close();
  }
}

Deno.test("gdb server: acks, a NAK'd reply is resent, a bad checksum is NAK'd", async () => {
  await withServer(async (port) => {
    const c = await Client.connect(port);
    await c.send("?");
    assertEquals(await c.take(1), "+");
    assertEquals(await c.packet(), "T05thread:1;");
    await c.sendRaw("-"); // ask again
    assertEquals(await c.packet(), "T05thread:1;");
    await c.sendRaw("+$g#00");
    assertEquals(await c.take(1), "-");
    await c.send("m1000,2");
    assertEquals(await c.take(1), "+");
    assertEquals(await c.packet(), "0000");
    c.close();
  });
});

Deno.test("gdb server: QStartNoAckMode switches acknowledgements off", async () => {
  await withServer(async (port) => {
    const c = await Client.connect(port);
    await c.send("QStartNoAckMode");
    assertEquals(await c.take(1), "+");
    assertEquals(await c.packet(), "OK");
    await c.sendRaw("+");
    await c.send("qC");
    // No '+' any more: the reply packet comes straight.
    assertEquals(await c.take(1), "$");
    assertEquals(await c.take(6), "QC1#c5");
    // A bad checksum is dropped silently; the next packet is answered.
    await c.sendRaw("$qC#00");
    await c.send("T1");
    assertEquals(await c.packet(), "OK");
    c.close();
  });
});

Deno.test("gdb server: Ctrl-C interrupts a running VM with a SIGINT stop", async () => {
  await withServer(async (port, target) => {
    const c = await Client.connect(port);
    await c.send("QStartNoAckMode");
    await c.take(1);
    await c.packet();
    await c.send("vCont;c");
    // Running now: wait for the server to have resumed the target.
    while (target.stopped) await new Promise((r) => setTimeout(r, 1));
    await c.sendRaw("\x03");
    assertEquals(await c.packet(), "T02thread:1;");
    assert(target.stopped);
    c.close();
  });
});

Deno.test("gdb server: one client at a time; a disconnect detaches and the next client attaches", async () => {
  await withServer(async (port, target, log) => {
    const a = await Client.connect(port);
    await a.send("?");
    await a.take(1);
    await a.packet();
    const b = await Client.connect(port);
    assertEquals(await b.packet(), "E01");
    b.close();
    a.close();
    while (target.attached) await new Promise((r) => setTimeout(r, 1));
    assertEquals(target.detaches, 1);
    assertEquals(target.stopped, false); // the guest runs on
    const c = await Client.connect(port);
    await c.send("?");
    await c.take(1);
    assertEquals(await c.packet(), "T05thread:1;");
    assert(target.stopped);
    c.close();
    assert(log.some((l) => l.includes("refused a second client")));
  });
});

Deno.test("gdb server: D answers OK, detaches and closes the connection", async () => {
  await withServer(async (port, target) => {
    const c = await Client.connect(port);
    await c.send("D");
    assertEquals(await c.take(1), "+");
    assertEquals(await c.packet(), "OK");
    const r = await c.conn.read(new Uint8Array(16));
    assertEquals(r, null);
    assertEquals(target.detaches, 1);
    c.close();
  });
});

Deno.test("gdb server: an address in use is a clear error", async () => {
  await withServer((port) => {
    const e = assertThrows(() => serveGdb(new FakeTarget(), `127.0.0.1:${port}`));
    assert((e as Error).message.includes("in use"));
    return Promise.resolve();
  });
});
