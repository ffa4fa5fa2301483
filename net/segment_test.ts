import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { ETHERNET_MAX_FRAME_BYTES, type EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { EthernetSegment, SEGMENT_BACKLOG_FRAMES, SEGMENT_BURST_FRAMES } from "./segment.ts";

const BCAST = 0xff;

function frame(dst: number, src: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  if (dst === BCAST) f.fill(0xff, 0, 6);
  else f.set([0x52, 0x54, 0, 0, 0, dst], 0);
  f.set([0x52, 0x54, 0, 0, 0, src], 6);
  return f;
}

class Station implements EthernetEndpoint {
  got: number[][] = [];
  accept = true;
  receive(f: Uint8Array): boolean {
    if (!this.accept) return false;
    this.got.push([f[5], f[11]]);
    return true;
  }
}

function lan(now?: () => number) {
  const seg = new EthernetSegment("lan", now ? { now, ageingMs: 1000 } : {});
  const a = new Station(), b = new Station(), c = new Station();
  const pa = seg.attach("a", a), pb = seg.attach("b", b), pc = seg.attach("c", c);
  return { seg, a, b, c, pa, pb, pc };
}

Deno.test("segment: broadcast and unknown unicast flood, never back out the ingress port", () => {
  const { a, b, c, pa } = lan();
  assert(pa.receive(frame(BCAST, 1)));
  assert(pa.receive(frame(9, 1)));
  assertEquals(a.got, []);
  assertEquals(b.got, [[0xff, 1], [9, 1]]);
  assertEquals(c.got, [[0xff, 1], [9, 1]]);
});

Deno.test("segment: a learned address gets unicast to its port only", () => {
  const { a, b, c, pa, pb } = lan();
  pb.receive(frame(BCAST, 2)); // b is station 2
  pa.receive(frame(2, 1));
  assertEquals(b.got, [[2, 1]]);
  assertEquals(c.got, [[0xff, 2]]);
  // A station that moves is learned on its new port.
  pa.receive(frame(BCAST, 2));
  pb.receive(frame(2, 3));
  assertEquals(a.got.at(-1), [2, 3]);
  // A frame to a station on the sender's own port goes nowhere.
  const before = b.got.length + c.got.length;
  pa.receive(frame(2, 1));
  assertEquals(b.got.length + c.got.length, before);
});

Deno.test("segment: learned addresses age out, then frames flood again", () => {
  let t = 0;
  const { b, c, pa, pb, seg } = lan(() => t);
  pb.receive(frame(BCAST, 2));
  assertEquals(seg.learned()["52:54:00:00:00:02"], "b");
  t = 500;
  pa.receive(frame(2, 1));
  assertEquals(c.got.length, 1); // only b's broadcast
  t = 2000;
  pa.receive(frame(2, 1));
  assertEquals(c.got.length, 2);
  assertEquals(b.got.length, 2);
  assertEquals(seg.learned()["52:54:00:00:00:02"], undefined);
});

Deno.test("segment: invalid frames are refused and counted on their port", () => {
  const { a, b, pa, seg } = lan();
  assertEquals(pa.receive(new Uint8Array(13)), false);
  assertEquals(pa.receive(frame(BCAST, 1, ETHERNET_MAX_FRAME_BYTES + 1)), false);
  const groupSource = frame(2, 1);
  groupSource[6] = 0x01;
  assertEquals(pa.receive(groupSource), false);
  assert(pa.receive(frame(BCAST, 1, 14)));
  assert(pa.receive(frame(BCAST, 1, ETHERNET_MAX_FRAME_BYTES)));
  assertEquals(a.got.length, 0);
  assertEquals(b.got.length, 2);
  const port = seg.ports().find((p) => p.name === "a")!;
  assertEquals(port.dropsInvalid, 3);
  assertEquals(port.rxFrames, 2);
  assertEquals(port.rxBytes, 14 + ETHERNET_MAX_FRAME_BYTES);
});

Deno.test("segment: per-port counters count what a port refused", () => {
  const { b, c, pa, seg } = lan();
  b.accept = false;
  pa.receive(frame(BCAST, 1, 100));
  const ports = Object.fromEntries(seg.ports().map((p) => [p.name, p]));
  assertEquals(ports.b.dropsRefused, 1);
  assertEquals(ports.b.txFrames, 0);
  assertEquals([ports.c.txFrames, ports.c.txBytes], [1, 100]);
  assertEquals(c.got.length, 1);
});

Deno.test("segment: port names are unique; a detached port gets nothing and sends nothing", () => {
  const { seg, a, b, pb } = lan();
  assertThrows(() => seg.attach("a", new Station()), Error, "already has a port named 'a'");
  pb.receive(frame(BCAST, 2));
  pb.detach();
  assertEquals(pb.receive(frame(BCAST, 2)), false);
  seg.attach("d", new Station()).receive(frame(2, 4));
  assertEquals(b.got.length, 0);
  assertEquals(a.got.length, 2);
  assertEquals(seg.ports().map((p) => p.name), ["a", "c", "d"]);
});

Deno.test("segment: ports answering from inside receive are queued and bounded, not recursed", () => {
  const seg = new EthernetSegment("lan");
  let depth = 0, maxDepth = 0, answers = 0;
  const echo = (self: number) => {
    let port: EthernetEndpoint | null = null;
    port = seg.attach(`p${self}`, {
      receive(f) {
        depth++;
        maxDepth = Math.max(maxDepth, depth);
        answers++;
        port!.receive(frame(BCAST, self, f.length)); // answers every frame: an endless ping-pong
        depth--;
        return true;
      },
    });
    return port;
  };
  const p1 = echo(1);
  echo(2);
  p1.receive(frame(BCAST, 1));
  assertEquals(maxDepth, 1);
  assertEquals(answers, SEGMENT_BURST_FRAMES);
  const drops = seg.ports().reduce((n, p) => n + p.dropsBacklog, 0);
  assertEquals(drops, 1);
  // The segment still works afterwards.
  const c = new Station();
  seg.attach("c", c).receive(frame(1, 3));
  assert(SEGMENT_BACKLOG_FRAMES > 0);
});
