import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import {
  TCP_MAX_WINDOW,
  TCP_OUR_MSS,
  TcpConnection,
  type TcpConnectionHooks,
  type TcpCounters,
  type TcpSegment,
} from "./tcp_connection.ts";
import { TCP_ACK, TCP_FIN, TCP_SYN } from "./wire.ts";

interface Sent {
  flags: number;
  seq: number;
  ack: number;
  window: number;
  mss: number;
  payload: Uint8Array;
}

function harness() {
  const sent: Sent[] = [];
  const events: string[] = [];
  const received: Uint8Array[] = [];
  let lose = (_s: Sent) => false;
  const counters: TcpCounters = { retransmits: 0, outOfOrder: 0, resetsSent: 0, resetsReceived: 0 };
  const hooks: TcpConnectionHooks = {
    transmit(flags, seq, ack, window, mss, payload) {
      const s = { flags, seq, ack, window, mss, payload: payload.slice() };
      if (lose(s)) return false;
      sent.push(s);
      return true;
    },
    established: () => events.push("established"),
    data: (b) => received.push(b.slice()),
    peerFinished: () => events.push("peer-fin"),
    sendSpace: () => events.push("space"),
    closed: (r) => events.push(`closed:${r}`),
  };
  return {
    sent,
    events,
    received,
    counters,
    hooks,
    setLoss: (f: (s: Sent) => boolean) => lose = f,
  };
}

const seg = (p: Partial<TcpSegment>): TcpSegment => ({
  seq: 0,
  ack: 0,
  flags: TCP_ACK,
  window: 65535,
  mss: 0,
  payload: new Uint8Array(0),
  ...p,
});

Deno.test("TCP: handshake from the guest's SYN, MSS taken as the smaller of both", () => {
  const h = harness();
  const c = TcpConnection.fromGuestSyn(
    seg({ seq: 100, flags: TCP_SYN, mss: 1200 }),
    h.hooks,
    h.counters,
  );
  c.accept();
  const synAck = h.sent.shift()!;
  assertEquals([synAck.flags, synAck.ack, synAck.mss], [TCP_SYN | TCP_ACK, 101, TCP_OUR_MSS]);
  c.segment(seg({ seq: 101, ack: synAck.seq + 1 }));
  assertEquals(c.state, "ESTABLISHED");
  assertEquals(h.events, ["established"]);
  c.send(new Uint8Array(5000));
  assertEquals(h.sent.map((s) => s.payload.length), [1200, 1200, 1200, 1200, 200]);
  c.dispose();
});

Deno.test("TCP: host-to-guest bulk data arrives intact through losses (retransmission, fast retransmit, window)", async () => {
  const h = harness();
  const c = TcpConnection.fromGuestSyn(
    seg({ seq: 0, flags: TCP_SYN, mss: 1460, window: 8000 }),
    h.hooks,
    h.counters,
  );
  c.accept();
  const iss = h.sent.shift()!.seq;
  c.segment(seg({ seq: 1, ack: iss + 1, window: 8000 }));
  const total = 300_000;
  const data = new Uint8Array(total);
  for (let i = 0; i < total; i++) data[i] = (i * 7 + (i >>> 9)) & 255;
  let offered = 0;
  let n = 0;
  h.setLoss(() => ++n % 7 === 0); // every 7th frame refused by the "ring"
  const got = new Uint8Array(total);
  let rcvNxt = (iss + 1) >>> 0;
  let fin = false;
  const deadline = Date.now() + 20_000;
  while (!fin && Date.now() < deadline) {
    if (offered < total) {
      offered += c.send(data.subarray(offered, Math.min(total, offered + 50_000)));
    }
    if (offered === total) c.finish();
    const batch = h.sent.splice(0);
    if (batch.length === 0) {
      await new Promise((r) => setTimeout(r, 20)); // let the retransmission timer fire
      continue;
    }
    for (const s of batch) {
      if (s.seq === rcvNxt && s.payload.length > 0) {
        got.set(s.payload, (rcvNxt - iss - 1) >>> 0);
        rcvNxt = (rcvNxt + s.payload.length) >>> 0;
      }
      if (s.flags & TCP_FIN && ((s.seq + s.payload.length) >>> 0) === rcvNxt) {
        rcvNxt = (rcvNxt + 1) >>> 0;
        fin = true;
      }
      c.segment(seg({ seq: 1, ack: rcvNxt, window: 8000 })); // an ACK per segment, as Linux's quickack
    }
  }
  assert(fin, "the FIN arrived");
  assertEquals(got, data);
  assert(h.counters.retransmits > 0);
  assertEquals(c.state, "FIN-WAIT-2");
  c.dispose();
});

Deno.test("TCP: guest-to-host data is bounded by our window until the host consumes it", async () => {
  const tick = () => new Promise((r) => setTimeout(r, 0));
  const h = harness();
  const c = TcpConnection.fromGuestSyn(seg({ seq: 0, flags: TCP_SYN }), h.hooks, h.counters);
  c.accept();
  const iss = h.sent.shift()!.seq;
  c.segment(seg({ seq: 1, ack: iss + 1 }));
  let seq = 1;
  for (let i = 0; i < 60; i++) {
    c.segment(seg({ seq, ack: iss + 1, payload: new Uint8Array(1460).fill(i) }));
    seq += 1460;
  }
  const taken = h.received.reduce((a, b) => a + b.length, 0);
  assertEquals(taken, TCP_MAX_WINDOW); // the rest was beyond the window
  await tick();
  const last = h.sent.at(-1)!;
  assertEquals([last.window, last.ack], [0, 1 + TCP_MAX_WINDOW]);
  c.consumed(taken);
  await tick();
  assertEquals(h.sent.at(-1)!.window, TCP_MAX_WINDOW); // a window update
  // An out-of-order segment is dropped with a duplicate ACK (as were those beyond the window).
  assertEquals(h.counters.outOfOrder, 60 - 45);
  c.segment(seg({ seq: 1 + TCP_MAX_WINDOW + 5000, ack: iss + 1, payload: new Uint8Array(10) }));
  assertEquals(h.counters.outOfOrder, 60 - 45 + 1);
  assertEquals(h.sent.at(-1)!.ack, 1 + TCP_MAX_WINDOW);
  // The guest's FIN, then ours: LAST-ACK, CLOSED on the final ACK.
  c.segment(seg({ seq: 1 + TCP_MAX_WINDOW, ack: iss + 1, flags: TCP_ACK | TCP_FIN }));
  assertEquals(c.state, "CLOSE-WAIT");
  c.finish();
  const fin = h.sent.at(-1)!;
  assertEquals(fin.flags & TCP_FIN, TCP_FIN);
  c.segment(seg({ seq: 2 + TCP_MAX_WINDOW, ack: fin.seq + 1 }));
  assertEquals(c.state, "CLOSED");
  assertEquals(h.events.at(-1), "closed:closed");
});

Deno.test("TCP: an unanswered port-forward SYN is retried, then the connection times out", async () => {
  const h = harness();
  const c = TcpConnection.connect(h.hooks, h.counters);
  assertEquals(h.sent[0].flags, TCP_SYN);
  await new Promise((r) => setTimeout(r, 700)); // 200 + 400 ms of backoff
  assert(h.sent.length >= 3, `SYN retransmitted (${h.sent.length} sent)`);
  assertEquals(h.sent.every((s) => s.seq === h.sent[0].seq), true);
  c.segment(seg({ flags: TCP_ACK | 0x04, ack: h.sent[0].seq + 1 })); // RST|ACK: refused
  assertEquals(c.state, "CLOSED");
  assertEquals(h.events, ["closed:reset"]);
});

Deno.test("TCP: a burst of in-order segments from the guest is acknowledged once", async () => {
  const h = harness();
  const c = TcpConnection.fromGuestSyn(seg({ seq: 0, flags: TCP_SYN }), h.hooks, h.counters);
  c.accept();
  const iss = h.sent.shift()!.seq;
  c.segment(seg({ seq: 1, ack: iss + 1 }));
  for (let i = 0; i < 10; i++) {
    c.segment(seg({ seq: 1 + i * 1000, ack: iss + 1, payload: new Uint8Array(1000) }));
  }
  assertEquals(h.sent.length, 0);
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(h.sent.map((s) => [s.flags, s.ack]), [[TCP_ACK, 10_001]]);
  c.dispose();
});
