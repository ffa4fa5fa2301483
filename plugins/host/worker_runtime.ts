/**
 * The worker side of an isolated device plugin: builds a {@link DeviceHost}
 * from what the host sends (guest RAM shared through its SharedArrayBuffers,
 * the mailbox, the clock), creates the device, and serves MMIO requests from
 * the mailbox until told to close. Runs inside a Deno Worker whose
 * permissions are only those the configuration grants.
 *
 * @module
 */
import {
  assertPlugin,
  type Device,
  type DeviceHost,
  type EthernetEndpoint,
  type MmioData,
  MmioResult,
  PluginContractError,
  type Stage2Mapping,
  type Stage2View,
} from "@gunyah-ts/core/plugin";
import {
  type HostMessage,
  type InitMessage,
  MailboxOp,
  MB_CLOCK_BYTE,
  MB_HI,
  MB_IN_PLUGIN,
  MB_IRQ_COUNT,
  MB_IRQ_RING,
  MB_IRQ_RING_ENTRIES,
  MB_LO,
  MB_OFFSET,
  MB_OP,
  MB_OUT_HI,
  MB_OUT_LO,
  MB_REGION,
  MB_REQ_SEQ,
  MB_RESP_SEQ,
  MB_RESULT,
  MB_SIZE,
  MB_VCPU,
  type SharedMapping,
  type WorkerMessage,
} from "./mailbox.ts";

/** A fixed list of RAM mappings as a Stage2View. */
class MappingListView implements Stage2View {
  readonly generation = 0;
  constructor(public mappings: readonly Stage2Mapping[]) {}
  lookup(ipa: number): Stage2Mapping | null {
    for (const m of this.mappings) if (ipa >= m.ipaBase && ipa < m.ipaBase + m.size) return m;
    return null;
  }
}

function toMappings(ram: readonly SharedMapping[]): Stage2Mapping[] {
  return ram.map((m) => ({
    ...m,
    view: new DataView(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength),
  }));
}

interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<HostMessage>) => void) | null;
  close(): void;
}

/**
 * Serve `pluginValue` (the plugin module's default export) in this worker.
 * Call once from the worker's entry module.
 */
export function serveDevicePlugin(pluginValue: unknown, source: string): void {
  const scope = globalThis as unknown as WorkerScope;
  const post = (m: WorkerMessage) => scope.postMessage(m);
  let mb: Int32Array | null = null;
  let device: Device | null = null;
  let inCall = false;
  let stopped = false;
  let serving = false;
  let memory: MappingListView = new MappingListView([]);
  let nsPerInstruction = 1;
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  let faults = 0;
  /** The device's side of its network link (it called connectEthernet). */
  let netDevice: EthernetEndpoint | null = null;
  /** Frames taken since the last credit message. */
  let framesTaken = 0;
  const credit = () => {
    post({ t: "net-credit", n: framesTaken });
    framesTaken = 0;
  };
  /** A callback of the device threw: fail the device (virtio: NEEDS_RESET), log the first time. */
  const fault = (what: string, e: unknown) => {
    const reason = `${what} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    if (faults++ === 0) post({ t: "log", message: `${source}: ${reason}; the device is failed` });
    const d = device as (Device & { fail?: (reason: string) => void }) | null;
    try {
      d?.fail?.(reason);
    } catch {
      // The device cannot even fail cleanly; its accesses are still answered.
    }
  };

  const start = async (init: InitMessage) => {
    const plugin = assertPlugin(pluginValue, "device", source);
    mb = new Int32Array(init.mailbox, 0, MB_CLOCK_BYTE / 4);
    const clockSlot = new Float64Array(init.mailbox, MB_CLOCK_BYTE, 1);
    const mailbox = mb;
    memory = new MappingListView(init.ram === null ? [] : toMappings(init.ram));
    nsPerInstruction = init.nsPerInstruction;
    const host: DeviceHost = {
      memory,
      clock: {
        get now() {
          return clockSlot[0];
        },
        get nsPerInstruction() {
          return nsPerInstruction;
        },
      },
      setIrq(intid, level) {
        const n = mailbox[MB_IRQ_COUNT];
        if (inCall && n < MB_IRQ_RING_ENTRIES) {
          mailbox[MB_IRQ_RING + 2 * n] = intid;
          mailbox[MB_IRQ_RING + 2 * n + 1] = level ? 1 : 0;
          mailbox[MB_IRQ_COUNT] = n + 1;
        } else {
          post({ t: "irq", intid, level });
        }
      },
      setTimer(at, fn) {
        const id = nextTimer++;
        timers.set(id, fn);
        post({ t: "timer", id, at });
        return () => {
          if (timers.delete(id)) post({ t: "cancel", id });
        };
      },
      log(message) {
        post({ t: "log", message });
      },
    };
    if (init.net) {
      host.connectEthernet = (d) => {
        if (netDevice !== null) throw new PluginContractError("connectEthernet was called twice");
        netDevice = d;
        post({ t: "net-connect" });
        return {
          receive(frame) {
            const copy = frame.slice();
            scope.postMessage({ t: "frame", frame: copy }, [copy.buffer]);
            return true;
          },
        };
      };
    }
    device = await plugin.create(host, init.options);
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(device)).filter((k) =>
      k !== "constructor" && typeof (device as unknown as Record<string, unknown>)[k] === "function"
    );
    const ready: WorkerMessage = {
      t: "ready",
      name: device.name,
      regions: device.regions.map((r) => ({ base: r.base, size: r.size })),
      dt: device.dt ?? null,
      methods,
    };
    post(ready);
    if (init.ram !== null) void serve(mailbox);
  };

  const out: MmioData = { lo: 0, hi: 0 };
  const serveOne = (m: Int32Array) => {
    const d = device!;
    m[MB_RESULT] = MmioResult.Handled;
    m[MB_OUT_LO] = 0;
    m[MB_OUT_HI] = 0;
    m[MB_IRQ_COUNT] = 0;
    inCall = true;
    Atomics.store(m, MB_IN_PLUGIN, 1);
    // Wake the host's wait (the sequence is unchanged): its per-access deadline starts now.
    Atomics.notify(m, MB_RESP_SEQ);
    try {
      const op = m[MB_OP];
      if (op === MailboxOp.Reset) {
        d.reset();
        return;
      }
      const region = d.regions[m[MB_REGION]];
      if (region === undefined) {
        m[MB_RESULT] = MmioResult.Unclaimed;
        return;
      }
      if (op === MailboxOp.Read) {
        out.lo = 0;
        out.hi = 0;
        m[MB_RESULT] = region.read(m[MB_OFFSET], m[MB_SIZE], m[MB_VCPU], out);
        m[MB_OUT_LO] = out.lo | 0;
        m[MB_OUT_HI] = out.hi | 0;
      } else if (op === MailboxOp.Write) {
        m[MB_RESULT] = region.write(
          m[MB_OFFSET],
          m[MB_SIZE],
          m[MB_LO] >>> 0,
          m[MB_HI] >>> 0,
          m[MB_VCPU],
        );
      }
    } catch (e) {
      // The access completes (a read returns 0) so the vCPU goes on; the device fails.
      m[MB_RESULT] = MmioResult.Handled;
      m[MB_OUT_LO] = 0;
      m[MB_OUT_HI] = 0;
      fault("MMIO access", e);
    } finally {
      Atomics.store(m, MB_IN_PLUGIN, 0);
      inCall = false;
    }
  };

  const serve = async (m: Int32Array) => {
    if (serving) return;
    serving = true;
    // The mailbox starts at sequence 0; reading it here instead would race with a host that
    // saw "ready" and already posted request 1.
    let seen = 0;
    for (;;) {
      const w = Atomics.waitAsync(m, MB_REQ_SEQ, seen);
      if (w.async) await w.value;
      if (stopped) return;
      const seq = Atomics.load(m, MB_REQ_SEQ);
      if (seq === seen) continue;
      seen = seq;
      serveOne(m);
      Atomics.store(m, MB_RESP_SEQ, seq);
      Atomics.notify(m, MB_RESP_SEQ);
    }
  };

  scope.onmessage = async (e: MessageEvent<HostMessage>) => {
    const msg = e.data;
    switch (msg.t) {
      case "init":
        try {
          await start(msg);
        } catch (err) {
          post({ t: "failed", message: `${(err as Error).name}: ${(err as Error).message}` });
        }
        return;
      case "fire": {
        const fn = timers.get(msg.id);
        timers.delete(msg.id);
        try {
          if (mb !== null) Atomics.store(mb, MB_IN_PLUGIN, 1);
          fn?.();
        } catch (err) {
          fault("timer callback", err);
        } finally {
          if (mb !== null) Atomics.store(mb, MB_IN_PLUGIN, 0);
        }
        return;
      }
      case "ram":
        memory.mappings = toMappings(msg.ram);
        nsPerInstruction = msg.nsPerInstruction;
        if (mb !== null) void serve(mb);
        return;
      case "describe":
        if (device) post({ t: "describe", snapshot: device.describe() });
        return;
      case "call": {
        const fn = device ? (device as unknown as Record<string, unknown>)[msg.method] : undefined;
        try {
          if (mb !== null) Atomics.store(mb, MB_IN_PLUGIN, 1);
          if (typeof fn === "function") fn.apply(device, msg.args);
        } catch (err) {
          fault(`${msg.method}()`, err);
        } finally {
          if (mb !== null) Atomics.store(mb, MB_IN_PLUGIN, 0);
        }
        return;
      }
      case "frame": {
        // Credits go back once per batch of frames the event loop delivers, not per frame.
        if (framesTaken++ === 0) setTimeout(credit, 0);
        try {
          if (mb !== null) Atomics.store(mb, MB_IN_PLUGIN, 1);
          netDevice?.receive(msg.frame);
        } catch (err) {
          fault("receive()", err);
        } finally {
          if (mb !== null) Atomics.store(mb, MB_IN_PLUGIN, 0);
        }
        return;
      }
      case "close":
        await device?.close?.();
        device = null;
        // End the serve loop's pending waitAsync before the host terminates this worker.
        stopped = true;
        if (mb !== null) Atomics.notify(mb, MB_REQ_SEQ);
        post({ t: "closed" });
        return;
    }
  };
}
