import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { WatchKind } from "@gunyah-ts/core/plugin";
import { GdbSession } from "./session.ts";
import { FAKE_TARGET_XML, FakeTarget } from "./testing/fake_target.ts";
import { parseTargetRegisters } from "./target_description.ts";
import { textToHex } from "./packet.ts";

/** A session over a fake target; `ask` sends one packet and returns the replies it caused. */
function session() {
  const target = new FakeTarget();
  const sent: string[] = [];
  let closed = false;
  const s = new GdbSession(target, {
    send: (d) => sent.push(new TextDecoder("latin1").decode(d)),
    close: () => closed = true,
  });
  const ask = (packet: string): string[] => {
    const from = sent.length;
    s.handle(new TextEncoder().encode(packet));
    return sent.slice(from);
  };
  return { target, s, sent, ask, closed: () => closed };
}

Deno.test("gdb session: attaching stops the VM and '?' reports it as SIGTRAP on the first thread", () => {
  const { target, ask } = session();
  assert(target.attached && target.stopped);
  assertEquals(ask("?"), ["T05thread:1;"]);
});

Deno.test("gdb session: qSupported advertises packet size, target.xml, threads, no-ack and vCont", () => {
  const { ask } = session();
  const [r] = ask("qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
  assert(r.includes("PacketSize=4000"));
  for (
    const f of [
      "qXfer:features:read+",
      "qXfer:threads:read+",
      "QStartNoAckMode+",
      "vContSupported+",
    ]
  ) {
    assert(r.includes(f), f);
  }
  assertEquals(ask("vCont?"), ["vCont;c;C;s;S"]);
  assertEquals(ask("vMustReplyEmpty"), [""]);
  assertEquals(ask("qTStatus"), [""]); // unsupported: empty
});

Deno.test("gdb session: target.xml in chunks with m/l and escapes", () => {
  const { ask } = session();
  const first = ask("qXfer:features:read:target.xml:0,20")[0];
  assertEquals(first, "m" + FAKE_TARGET_XML.slice(0, 0x20));
  let doc = "", off = 0;
  for (;;) {
    const r = ask(`qXfer:features:read:target.xml:${off.toString(16)},40`)[0];
    doc += r.slice(1);
    off += r.length - 1;
    if (r[0] === "l") break;
  }
  assertEquals(doc, FAKE_TARGET_XML);
  assertEquals(ask("qXfer:features:read:other.xml:0,10"), ["E02"]);
  assertEquals(ask("qXfer:features:read:target.xml:zz,10"), ["E01"]);
});

Deno.test("gdb session: registers by the description's layout: g, G, p, P", () => {
  const { target, ask } = session();
  const regs = parseTargetRegisters(FAKE_TARGET_XML);
  assertEquals(regs.map((r) => `${r.number}:${r.name}:${r.bytes}`), [
    "0:x0:8",
    "1:x1:8",
    "31:sp:8",
    "32:pc:8",
    "33:cpsr:4",
  ]);
  const g = ask("g")[0];
  assertEquals(g.length, 2 * (8 * 4 + 4));
  assertEquals(g.slice(0, 16), "1111000000000000"); // x0 little-endian
  assertEquals(g.slice(16, 32), "efcdab8967452301");
  assertEquals(g.slice(64), "c5030000");
  assertEquals(ask("p20"), ["0010000000000000"]); // pc of thread 1
  assertEquals(ask("Hg2"), ["OK"]);
  assertEquals(ask("p20"), ["1010000000000000"]);
  assertEquals(ask("P0=efbeadde00000000"), ["OK"]);
  assertEquals(target.regs[1].get(0), 0xdeadbeefn);
  assertEquals(ask("P21=01"), ["E01"]); // wrong width
  assertEquals(ask("p7"), ["E02"]); // not in the description
  assertEquals(ask("Pzz=00"), ["E02"]);
  // G writes all (x registers left 'xx' stay as they are).
  assertEquals(ask("G" + "xx".repeat(8) + "0200000000000000"), ["OK"]);
  assertEquals(target.regs[1].get(1), 2n);
  assertEquals(target.regs[1].get(0), 0xdeadbeefn);
  assertEquals(ask("G123"), ["E01"]);
});

Deno.test("gdb session: memory reads and writes; faults are E14, malformed E01", () => {
  const { target, ask } = session();
  target.ram.set([0xde, 0xad, 0xbe, 0xef], 0x10);
  assertEquals(ask("m1010,4"), ["deadbeef"]);
  assertEquals(ask("m1ffe,8"), ["0000"]); // partial read up to the end of RAM
  assertEquals(ask("m0,4"), ["E14"]);
  assertEquals(ask("m1010"), ["E01"]);
  assertEquals(ask("mzz,4"), ["E01"]);
  assertEquals(ask("M1020,2:cafe"), ["OK"]);
  assertEquals([...target.ram.subarray(0x20, 0x22)], [0xca, 0xfe]);
  assertEquals(ask("M1020,2:caf"), ["E01"]);
  assertEquals(ask("M0,1:00"), ["E14"]);
  // X: binary, with '}' escapes already resolved by the decoder.
  assertEquals(ask("X1030,3:\x23\x7d\x24"), ["OK"]);
  assertEquals([...target.ram.subarray(0x30, 0x33)], [0x23, 0x7d, 0x24]);
  assertEquals(ask("X1030,0:"), ["OK"]); // the probe GDB sends
  assertEquals(ask("X1030,5:ab"), ["E01"]);
});

Deno.test("gdb session: Z/z manage host breakpoints and watchpoints", () => {
  const { target, ask } = session();
  assertEquals(ask("Z0,400100,4"), ["OK"]);
  assertEquals(ask("Z1,400200,4"), ["OK"]);
  assertEquals(target.breakpoints, [0x400100n, 0x400200n]);
  assertEquals(ask("z0,400100,4"), ["OK"]);
  assertEquals(target.breakpoints, [0x400200n]);
  assertEquals(ask("Z2,5000,4"), ["OK"]);
  assertEquals(ask("Z3,6000,8"), ["OK"]);
  assertEquals(ask("Z4,7000,1"), ["OK"]);
  assertEquals(target.watchpoints, [
    { va: 0x5000n, length: 4, kind: WatchKind.Write },
    { va: 0x6000n, length: 8, kind: WatchKind.Read },
    { va: 0x7000n, length: 1, kind: WatchKind.Access },
  ]);
  assertEquals(ask("z3,6000,8"), ["OK"]);
  assertEquals(target.watchpoints.length, 2);
  // More than the architecture holds (the fake: 4) is refused; the others stay.
  assertEquals(ask("Z2,8000,4"), ["OK"]);
  assertEquals(ask("Z2,8008,4"), ["OK"]);
  assertEquals(ask("Z2,8010,4"), ["E1c"]);
  assertEquals(target.watchpoints.length, 4);
  assertEquals(ask("Z5,0,4"), ["E01"]);
  assertEquals(ask("Z2,5000,0"), ["E01"]);
  assertEquals(ask("Z0,xyz,4"), ["E01"]);
});

Deno.test("gdb session: continue and step answer with the next stop; vCont is per thread", () => {
  const { target, ask } = session();
  assertEquals(ask("c"), []);
  assertEquals(target.resumes, ["c,c"]);
  target.hit({ kind: "breakpoint", vcpu: 1 });
  assertEquals(ask("?"), ["T05thread:2;"]);
  // The stopped thread becomes the register thread.
  assertEquals(ask("p20"), ["1010000000000000"]);
  assertEquals(ask("s"), []);
  assertEquals(target.resumes[1], "c,s");
  target.hit({ kind: "step", vcpu: 1 });
  assertEquals(ask("vCont;s:1;c"), []);
  assertEquals(target.resumes[2], "s,c");
  target.hit({ kind: "watchpoint", vcpu: 0, watch: WatchKind.Write, address: 0x5004n });
  assertEquals(ask("?"), ["T05watch:5004;thread:1;"]);
  assertEquals(ask("vCont;s:2"), []);
  assertEquals(target.resumes[3], "-,s");
  target.hit({ kind: "watchpoint", vcpu: 1, watch: WatchKind.Read, address: 0x10n });
  assertEquals(ask("?"), ["T05rwatch:10;thread:2;"]);
  assertEquals(ask("vCont;c"), []);
  target.hit({ kind: "watchpoint", vcpu: 1, watch: WatchKind.Access, address: 0x10n });
  assertEquals(ask("?"), ["T05awatch:10;thread:2;"]);
  assertEquals(ask("vCont;x"), ["E01"]);
  assertEquals(ask("vCont;c:9"), ["E02"]);
  // `c addr` moves the PC first.
  assertEquals(ask("Hc1"), ["OK"]);
  assertEquals(ask("c1234"), []);
  assertEquals(target.regs[0].get(32), 0x1234n);
  // Resuming a running VM is refused.
  assertEquals(ask("c"), ["E01"]);
});

Deno.test("gdb session: the stop reply is sent when the stop happens", () => {
  const { target, ask, sent } = session();
  ask("vCont;c");
  const before = sent.length;
  target.hit({ kind: "breakpoint", vcpu: 0 });
  assertEquals(sent.slice(before), ["T05thread:1;"]);
  // A stop nobody waits for (no resume outstanding) is kept for '?', not sent.
  target.stopped = false;
  target.hit({ kind: "step", vcpu: 1 });
  assertEquals(sent.length, before + 1);
  assertEquals(ask("?"), ["T05thread:2;"]);
  // The VM's end is always sent.
  target.hit({ kind: "exited", code: 0 });
  assertEquals(sent[sent.length - 1], "W00");
});

Deno.test("gdb session: interrupt stops a running VM and answers SIGINT", () => {
  const { target, s, ask, sent } = session();
  ask("c");
  s.interrupt();
  assert(target.stopped);
  assertEquals(sent[sent.length - 1], "T02thread:1;");
  // An interrupt of a stopped VM nobody waits on says nothing.
  const n = sent.length;
  s.interrupt();
  assertEquals(sent.length, n);
});

Deno.test("gdb session: threads, their names and thread selection", () => {
  const { ask } = session();
  assertEquals(ask("qfThreadInfo"), ["m1,2"]);
  assertEquals(ask("qsThreadInfo"), ["l"]);
  assertEquals(ask("qC"), ["QC1"]);
  assertEquals(ask("T2"), ["OK"]);
  assertEquals(ask("T3"), ["E02"]);
  assertEquals(ask("Hg3"), ["E02"]);
  assertEquals(ask("Hc-1"), ["OK"]);
  assertEquals(ask("Hx1"), ["E02"]);
  const xml = ask("qXfer:threads:read::0,fff")[0];
  assertEquals(xml[0], "l");
  assert(xml.includes('<thread id="1" name="vm vcpu0">'));
  assert(xml.includes('<thread id="2" name="vm &lt;vcpu1&gt;">'));
  assertEquals(ask("qThreadExtraInfo,2"), [textToHex("vm <vcpu1>")]);
  assertEquals(ask("qAttached"), ["1"]);
});

Deno.test("gdb session: monitor commands go to the target, hex-encoded", () => {
  const { ask } = session();
  assertEquals(ask(`qRcmd,${textToHex("vms")}`), [textToHex("you said vms\n")]);
  assertEquals(ask("qRcmd,"), ["OK"]);
  assertEquals(ask("qRcmd,4"), ["E01"]);
});

Deno.test("gdb session: D detaches (the guest resumes) and closes; garbage never throws", async () => {
  const { target, ask, closed } = session();
  for (
    const junk of ["", "\x00\xff", "Z", "m", "M", "X", "P", "H", "qXfer:", "vCont;", "G", "c;;"]
  ) {
    ask(junk);
  }
  assertEquals(ask("D"), ["OK"]);
  assertEquals(target.detaches, 1);
  await Promise.resolve();
  assert(closed());
  assertEquals(ask("?"), []); // nothing after the detach
});

Deno.test("gdb session: attaching to a VM that already ended answers '?' with its exit", () => {
  const target = new FakeTarget();
  target.stop = () => target.hit({ kind: "exited", code: 0 });
  const sent: string[] = [];
  const s = new GdbSession(target, {
    send: (d) => sent.push(new TextDecoder().decode(d)),
    close: () => {},
  });
  assertEquals(sent, []); // nothing unsolicited while gdb is still asking qSupported
  s.handle(new TextEncoder().encode("?"));
  assertEquals(sent, ["W00"]);
});
