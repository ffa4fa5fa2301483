/**
 * A {@link DeviceHost} for testing device plugins without a hypervisor: guest
 * RAM is one {@link Stage2Mapping} over a `SharedArrayBuffer`, interrupt line
 * changes are recorded, and virtual time only moves when the test calls
 * {@link FakeDeviceHost.advance}, which fires due timers in order.
 *
 * @example
 * ```ts
 * const host = new FakeDeviceHost({ ramBase: 0x4000_0000, ramSize: 0x10_000 });
 * host.ram.set([1, 2, 3], 0);
 * host.setIrq(48, true);
 * host.irqLog; // [{ intid: 48, level: true, at: 0 }]
 * ```
 *
 * @module
 */
import {
  type DeviceHost,
  type EthernetEndpoint,
  S2_ACCESS_R,
  S2_ACCESS_W,
  S2_ACCESS_X,
  type Stage2Mapping,
  type Stage2View,
  type VirtualClockReader,
} from "@gunyah-ts/core/plugin";

/** One recorded interrupt line change. */
export interface IrqEvent {
  /** The GIC INTID of the line. */
  readonly intid: number;
  /** The level it was driven to. */
  readonly level: boolean;
  /** Virtual time (ns) of the change. */
  readonly at: number;
}

/** Options of a {@link FakeDeviceHost}. */
export interface FakeDeviceHostOptions {
  /** IPA of the RAM (default 0x4000_0000, qemu-virt's). */
  readonly ramBase?: number;
  /** RAM bytes, a multiple of 4 KiB (default 1 MiB). */
  readonly ramSize?: number;
  /** An existing buffer to use as RAM (e.g. shared with a Worker). */
  readonly buffer?: SharedArrayBuffer;
}

/** A stage-2 view with exactly one RAM mapping. */
export class SingleMappingView implements Stage2View {
  generation = 0;
  /** A view whose only RAM is `mapping`. */
  constructor(readonly mapping: Stage2Mapping) {}
  lookup(ipa: number): Stage2Mapping | null {
    const m = this.mapping;
    return ipa >= m.ipaBase && ipa < m.ipaBase + m.size ? m : null;
  }
}

/** The fake host. */
export class FakeDeviceHost implements DeviceHost {
  readonly memory: SingleMappingView;
  /** Guest RAM bytes (index 0 is IPA {@link ramBase}). */
  readonly ram: Uint8Array;
  /** IPA of the first byte of {@link ram}. */
  readonly ramBase: number;
  /** Every setIrq call, in order. */
  readonly irqLog: IrqEvent[] = [];
  /** Current level of each line that was driven. */
  readonly lines: Map<number, boolean> = new Map<number, boolean>();
  /** Messages logged by the device. */
  readonly logs: string[] = [];
  readonly clock: { now: number; nsPerInstruction: number } & VirtualClockReader = {
    now: 0,
    nsPerInstruction: 1,
  };
  #timers: { at: number; seq: number; fn: () => void }[] = [];
  #seq = 0;

  /** A host with RAM at `options.ramBase` (default 0x4000_0000, 1 MiB), at virtual time 0. */
  constructor(options: FakeDeviceHostOptions = {}) {
    this.ramBase = options.ramBase ?? 0x4000_0000;
    const size = options.buffer?.byteLength ?? options.ramSize ?? 0x10_0000;
    if (size % 4096 !== 0) {
      throw new Error(`FakeDeviceHost: ramSize ${size} is not a multiple of 4 KiB`);
    }
    const buffer = options.buffer ?? new SharedArrayBuffer(size);
    this.ram = new Uint8Array(buffer);
    this.memory = new SingleMappingView({
      ipaBase: this.ramBase,
      size,
      bytes: this.ram,
      view: new DataView(buffer),
      offset: 0,
      access: S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X,
    });
  }

  setIrq(intid: number, level: boolean): void {
    this.irqLog.push({ intid, level, at: this.clock.now });
    this.lines.set(intid, level);
  }

  /** Rising edges seen on `intid` (what an edge-triggered GIC input would latch). */
  risingEdges(intid: number): number {
    let n = 0;
    let level = false;
    for (const e of this.irqLog) {
      if (e.intid !== intid) continue;
      if (e.level && !level) n++;
      level = e.level;
    }
    return n;
  }

  setTimer(at: number, fn: () => void): () => void {
    const t = { at, seq: this.#seq++, fn };
    this.#timers.push(t);
    return () => {
      const i = this.#timers.indexOf(t);
      if (i >= 0) this.#timers.splice(i, 1);
    };
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Move virtual time forward by `ns`, firing every timer that falls due, in time order. */
  advance(ns: number): void {
    const end = this.clock.now + ns;
    for (;;) {
      let next: { at: number; seq: number; fn: () => void } | undefined;
      for (const t of this.#timers) {
        if (
          t.at <= end &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
        ) next = t;
      }
      if (next === undefined) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.clock.now = Math.max(this.clock.now, next.at);
      next.fn();
    }
    this.clock.now = end;
  }

  log(message: string): void {
    this.logs.push(message);
  }

  /** The device's side of its network link, once it called {@link connectEthernet}. */
  netDevice: EthernetEndpoint | null = null;
  /** Frames the device sent (copies), in order. */
  readonly framesSent: Uint8Array[] = [];
  /** Whether the link takes the device's frames (false: its receive refuses them). */
  linkAccepts = true;

  /** A link with one end here: frames the device sends land in {@link framesSent}. */
  connectEthernet(device: EthernetEndpoint): EthernetEndpoint {
    this.netDevice = device;
    return {
      receive: (frame) => {
        if (!this.linkAccepts) return false;
        this.framesSent.push(frame.slice());
        return true;
      },
    };
  }
}
