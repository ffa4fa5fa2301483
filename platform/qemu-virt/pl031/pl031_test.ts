import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { MmioResult } from "@gunyah-ts/core/plugin";
import { Pl031 } from "./pl031.ts";
import { FakeDeviceHost } from "../testing/fake_host.ts";
import { RTCCR, RTCDR, RTCICR, RTCIMSC, RTCLR, RTCMIS, RTCMR, RTCRIS } from "./registers.ts";

const S = 1_000_000_000;
const EPOCH = 1_700_000_000;

function setup(epochSeconds = EPOCH) {
  const host = new FakeDeviceHost();
  const rtc = new Pl031(host, { epochSeconds });
  const region = rtc.regions[0];
  const out = { lo: 0, hi: 0 };
  const rd = (off: number, size = 4): number => {
    assertEquals(region.read(off, size, 0, out), MmioResult.Handled);
    return out.lo;
  };
  const wr = (off: number, v: number): void => {
    assertEquals(region.write(off, 4, v, 0, 0), MmioResult.Handled);
  };
  return { host, rtc, rd, wr };
}

Deno.test("PL031 sits at 0x09010000 on INTID 34 with the PrimeCell IDs; CR reads started", () => {
  const { rtc, rd } = setup();
  assertEquals(rtc.regions[0].base, 0x09010000);
  assertEquals(rtc.intid, 34);
  assertEquals(
    [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rd(o)),
    [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1],
  );
  assertEquals(rd(RTCCR), 1);
});

Deno.test("PL031 time is the epoch plus whole virtual seconds, the same on every run", () => {
  const a = setup();
  const b = setup();
  assertEquals(a.rd(RTCDR), EPOCH);
  a.host.advanceTo(2.5 * S);
  b.host.advanceTo(2.5 * S);
  assertEquals(a.rd(RTCDR), EPOCH + 2);
  assertEquals(a.rd(RTCDR), b.rd(RTCDR));
});

Deno.test("PL031 RTCLR sets the count and reads back", () => {
  const { host, rd, wr } = setup();
  host.advanceTo(10 * S);
  wr(RTCLR, 1000);
  assertEquals(rd(RTCDR), 1000);
  assertEquals(rd(RTCLR), 1000);
  host.advanceTo(13 * S);
  assertEquals(rd(RTCDR), 1003);
  wr(RTCLR, 0xffffffff);
  host.advanceTo(14 * S);
  assertEquals(rd(RTCDR), 0); // the counter wraps at 2^32
});

Deno.test("PL031 match interrupt fires when the count reaches RTCMR, masked by IMSC", () => {
  const { host, rd, wr } = setup();
  host.advanceTo(0.25 * S);
  wr(RTCMR, EPOCH + 3);
  assertEquals(host.pendingTimers(), [3 * S]);
  host.advanceTo(2.9 * S);
  assertEquals(rd(RTCRIS), 0);
  host.advanceTo(3 * S);
  assertEquals(rd(RTCRIS), 1);
  assertEquals(rd(RTCMIS), 0);
  assertEquals(host.line(34), false);
  wr(RTCIMSC, 1);
  assertEquals(rd(RTCMIS), 1);
  assertEquals(host.line(34), true);
  wr(RTCICR, 1);
  assertEquals(host.line(34), false);
  assertEquals(rd(RTCRIS), 0);
});

Deno.test("PL031 match equal to the current count fires at once; re-arming cancels the old alarm", () => {
  const { host, rd, wr } = setup();
  wr(RTCIMSC, 1);
  wr(RTCMR, EPOCH);
  assertEquals(host.line(34), true);
  wr(RTCICR, 1);
  wr(RTCMR, EPOCH + 100);
  wr(RTCMR, EPOCH + 5);
  assertEquals(host.pendingTimers(), [5 * S]);
  host.advanceTo(5 * S);
  assertEquals(rd(RTCRIS), 1);
});

Deno.test("PL031 reset clears interrupt state and alarms but keeps time; bad options are refused", () => {
  const { host, rtc, rd, wr } = setup();
  wr(RTCIMSC, 1);
  wr(RTCMR, EPOCH + 9);
  host.advanceTo(2 * S);
  rtc.reset();
  assertEquals(host.pendingTimers(), []);
  assertEquals(rd(RTCIMSC), 0);
  assertEquals(rd(RTCDR), EPOCH + 2);
  assert(String(rtc.describe().date).startsWith("2023-11-14"));
  assertThrows(() => new Pl031(host, { epochSeconds: -1 }), RangeError, "non-negative");
});
