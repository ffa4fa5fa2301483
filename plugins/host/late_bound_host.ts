/**
 * A {@link DeviceHost} whose VM is bound after the device is created, so
 * device plugins (their module import and, for isolated ones, their Worker)
 * can start before the VM exists and be attached to it synchronously while
 * it is built. Before {@link LateBoundHost.bind}: memory has no RAM, line
 * changes are dropped (no driver can be waiting yet), timers wait and are
 * scheduled at bind, and log messages go to the fallback log.
 *
 * @module
 */
import {
  type DeviceHost,
  type EthernetEndpoint,
  PluginContractError,
  type Stage2Mapping,
  Stage2View,
  VirtualClockReader,
} from "@gunyah-ts/core/plugin";

/** A DeviceHost bound to its VM's host later. */
export class LateBoundHost implements DeviceHost {
  #target: DeviceHost | null = null;
  #pendingTimers: { at: number; fn: () => void; cancel: (() => void) | null; dead: boolean }[] = [];

  constructor(readonly fallbackLog: (message: string) => void = () => {}) {}

  /** Told when the device's callback threw (set by the attacher; default: log it). */
  onFault: (reason: string) => void = (reason) => this.log(reason);

  #fault(what: string, e: unknown): void {
    this.onFault(`${what} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }

  #guard(fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (e) {
        this.#fault("timer callback", e);
      }
    };
  }

  /** The host this one forwards to, once bound. */
  get target(): DeviceHost | null {
    return this.#target;
  }

  /** Forward everything to `target` from now on. */
  bind(target: DeviceHost): void {
    if (this.#target !== null) throw new Error("LateBoundHost: already bound to a VM");
    this.#target = target;
    for (const t of this.#pendingTimers) {
      if (!t.dead) t.cancel = target.setTimer(t.at, this.#guard(t.fn));
    }
    this.#pendingTimers = [];
  }

  readonly memory: Stage2View = new ForwardingView(this);
  readonly clock: VirtualClockReader = new ForwardingClock(this);

  setIrq(intid: number, level: boolean): void {
    try {
      this.#target?.setIrq(intid, level);
    } catch (e) {
      this.#fault(`interrupt line ${intid}`, e);
    }
  }

  setTimer(at: number, fn: () => void): () => void {
    if (this.#target !== null) return this.#target.setTimer(at, this.#guard(fn));
    const t = { at, fn, cancel: null as (() => void) | null, dead: false };
    this.#pendingTimers.push(t);
    return () => {
      t.dead = true;
      t.cancel?.();
    };
  }

  log(message: string): void {
    if (this.#target !== null) this.#target.log(message);
    else this.fallbackLog(message);
  }

  /**
   * How this device reaches its segment (set by the attacher for an entry
   * with `net:`), or null when its entry names none.
   */
  ethernet: ((device: EthernetEndpoint) => EthernetEndpoint) | null = null;

  /** Connect to the segment the entry names; available before the VM is bound (frames may flow). */
  connectEthernet(device: EthernetEndpoint): EthernetEndpoint {
    if (this.ethernet === null) {
      throw new PluginContractError(
        "this device's configuration entry names no network segment (add net: <segment> " +
          "beside plugin:, and the segment to the configuration's net: section)",
      );
    }
    return this.ethernet(device);
  }
}

class ForwardingView implements Stage2View {
  constructor(readonly owner: LateBoundHost) {}
  lookup(ipa: number): Stage2Mapping | null {
    return this.owner.target?.memory.lookup(ipa) ?? null;
  }
  get generation(): number {
    return this.owner.target?.memory.generation ?? 0;
  }
}

class ForwardingClock implements VirtualClockReader {
  constructor(readonly owner: LateBoundHost) {}
  get now(): number {
    return this.owner.target?.clock.now ?? 0;
  }
  get nsPerInstruction(): number {
    return this.owner.target?.clock.nsPerInstruction ?? 1;
  }
}
