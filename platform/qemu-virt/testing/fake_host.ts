/**
 * A {@link DeviceHost} for unit tests: records interrupt line levels, lets
 * the test move virtual time and fires timers in deadline order.
 *
 * @module
 */
import type {
  DeviceHost,
  Stage2Mapping,
  Stage2View,
  VirtualClockReader,
} from "@gunyah-ts/core/plugin";

/** A test double for the host side of a device. */
export class FakeDeviceHost implements DeviceHost {
  /** Current level of each interrupt line the device drove. */
  readonly lines: Map<number, boolean> = new Map<number, boolean>();
  /** Every setIrq call, in order, as `[intid, level]`. */
  readonly irqLog: [number, boolean][] = [];
  readonly messages: string[] = [];
  readonly clock: { now: number; nsPerInstruction: number } & VirtualClockReader = {
    now: 0,
    nsPerInstruction: 1,
  };
  readonly memory: Stage2View = {
    generation: 0,
    lookup(_ipa: number): Stage2Mapping | null {
      return null;
    },
  };
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  setIrq(intid: number, level: boolean): void {
    this.lines.set(intid, level);
    this.irqLog.push([intid, level]);
  }

  /** Level of `intid` (false if never driven). */
  line(intid: number): boolean {
    return this.lines.get(intid) ?? false;
  }

  setTimer(at: number, fn: () => void): () => void {
    const t = { at, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  }

  /** Deadlines of the timers still pending, ascending. */
  pendingTimers(): number[] {
    return this.timers.filter((t) => t.live).map((t) => t.at).sort((a, b) => a - b);
  }

  /** Advance virtual time to `now`, firing due timers in order. */
  advanceTo(now: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.clock.now = Math.max(this.clock.now, due.at);
      due.fn();
    }
    this.clock.now = now;
  }

  log(message: string): void {
    this.messages.push(message);
  }
}
