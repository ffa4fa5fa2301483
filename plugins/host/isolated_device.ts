/**
 * Run a device plugin in a Deno Worker with only the permissions its
 * configuration grants, and present it to the VM as an ordinary
 * {@link Device}.
 *
 * - **Permissions**: the worker gets `read`/`write` on exactly the listed
 *   paths and nothing else (no net, env, run, ffi, sys, import). Its entry is
 *   a generated module that imports the plugin statically, so loading the
 *   plugin's own code needs no read permission; anything the plugin opens at
 *   run time is checked (Deno raises `NotCapable`).
 * - **Guest RAM**: the RAM mappings' `SharedArrayBuffer`s are shared with the
 *   worker, which sees them as a fixed {@link Stage2View} (generation 0).
 *   Mappings added to the VM after the device starts are not visible to it.
 * - **MMIO**: synchronous through the mailbox of ./mailbox.ts: the vCPU's
 *   thread blocks in `Atomics.wait` until the worker answers. Chosen over
 *   the bus's `MmioResult.Exit` + completion protocol because a Linux driver
 *   makes many back-to-back register accesses and each exit costs a vCPU
 *   round trip through the scheduler; measured here (the round-trip check in
 *   isolated_device_test.ts, 2 shared cores) one access costs 8-15 µs.
 * - **Interrupts** raised while serving an access come back in the mailbox
 *   and are applied before the access returns; others (timers, host input)
 *   arrive by message and are applied when the host's event loop runs.
 *
 * @module
 */
import {
  type Device,
  type DeviceHost,
  type DtNode,
  type EthernetEndpoint,
  type MmioData,
  type MmioRegion,
  MmioResult,
  PluginContractError,
  type Stage2Mapping,
} from "@gunyah-ts/core/plugin";
import {
  type HostMessage,
  ISOLATED_NET_FRAMES_IN_FLIGHT,
  MailboxOp,
  MB_BYTES,
  MB_CLOCK_BYTE,
  MB_HI,
  MB_IN_PLUGIN,
  MB_IRQ_COUNT,
  MB_IRQ_RING,
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
import { checkSandboxPolicy } from "./sandbox_policy.ts";

/** Host paths an isolated plugin may read and write. */
export interface SandboxPermissions {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** What {@link createIsolatedDevice} needs. */
export interface IsolatedDeviceOptions {
  /** The plugin module, as an absolute URL (file:, https:, npm: ...). */
  readonly pluginUrl: string;
  readonly host: DeviceHost;
  /**
   * The VM's RAM mappings to share with the worker, or null to give them
   * later with {@link IsolatedDevice.bindRam} (MMIO is served from then on).
   */
  readonly ram: readonly Stage2Mapping[] | null;
  readonly permissions: SandboxPermissions;
  /**
   * Whether the device's entry names a network segment: its worker's host
   * then offers `connectEthernet`, and frames cross between the worker and
   * `host.connectEthernet` by message, copied, at most
   * {@link ISOLATED_NET_FRAMES_IN_FLIGHT} toward the worker at once.
   */
  readonly net?: boolean;
  /** Options for the plugin's `create` (structured-cloneable). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * How long the first MMIO access may wait for the worker (its start, the
   * first JIT) before the device is declared dead (ms, default 5000).
   */
  readonly timeoutMs?: number;
  /**
   * The per-access deadline once the worker has answered once (ms, default
   * {@link ISOLATED_ACCESS_DEADLINE_MS}): a device that misses it is failed,
   * so a hung plugin stalls the vCPU's thread (every VM on it) at most this
   * long, once.
   */
  readonly accessDeadlineMs?: number;
}

/**
 * Default per-access deadline of a warm isolated device (ms): how long its
 * worker may stay inside plugin code while a vCPU waits. An access costs
 * 8-15 µs when the worker runs (isolated_device_test.ts); time the worker
 * spends waiting to be scheduled does not count (it may wait up to the
 * start-up timeout), so a loaded host does not fail healthy devices. 30 ms
 * keeps a hung plugin's stall of the other VMs under the 50 ms of issue 12,
 * with room for the host's own scheduling.
 */
export const ISOLATED_ACCESS_DEADLINE_MS = 30;

const RUNTIME_URL = new URL("./worker_runtime.ts", import.meta.url).href;
const LOCKDOWN_URL = new URL("./sandbox_lockdown.ts", import.meta.url).href;

/**
 * The worker's entry: static imports, so loading code needs no read
 * permission in the worker; the lockdown first (modules evaluate in import
 * order), so the plugin's code never sees `eval` or a function constructor.
 */
function entrySource(pluginUrl: string): string {
  return `import ${JSON.stringify(LOCKDOWN_URL)};\n` +
    `import * as mod from ${JSON.stringify(pluginUrl)};\n` +
    `import { serveDevicePlugin } from ${JSON.stringify(RUNTIME_URL)};\n` +
    `serveDevicePlugin(mod.default ?? mod.plugin, ${JSON.stringify(pluginUrl)});\n`;
}

/** A device whose model runs in a Worker. */
export class IsolatedDevice implements Device {
  readonly regions: readonly MmioRegion[];
  readonly dt?: readonly DtNode[];
  /** Methods of the device object beyond the contract (e.g. a console's `input`), callable with {@link call}. */
  readonly methods: readonly string[];
  #snapshot: Record<string, string | number | boolean> = {};
  #dead = "";
  readonly #mb: Int32Array;
  readonly #clock: Float64Array;
  readonly #timers = new Map<number, () => void>();
  #closing: Promise<void> | null = null;
  /** Whether the worker answered an access (the per-access deadline applies from then on). */
  #warm = false;
  /** Accesses that missed their deadline (at most one: the device is failed then). */
  stalls = 0;
  #onClosed: () => void = () => {};
  /** The segment's side of the device's link, once the device connected. */
  #uplink: EthernetEndpoint | null = null;
  /** Frames posted to the worker it has not taken yet. */
  #framesInFlight = 0;
  /** Frames for the device refused because {@link ISOLATED_NET_FRAMES_IN_FLIGHT} were in flight. */
  framesRefused = 0;

  /** @internal Use {@link createIsolatedDevice}. */
  constructor(
    readonly name: string,
    regions: readonly { base: number; size: number }[],
    dt: readonly DtNode[] | null,
    methods: readonly string[],
    readonly worker: Worker,
    mailbox: SharedArrayBuffer,
    readonly host: DeviceHost,
    readonly timeoutMs: number,
    readonly accessDeadlineMs: number = ISOLATED_ACCESS_DEADLINE_MS,
  ) {
    this.#mb = new Int32Array(mailbox, 0, MB_CLOCK_BYTE / 4);
    this.#clock = new Float64Array(mailbox, MB_CLOCK_BYTE, 1);
    this.regions = regions.map((r, i) => new ProxyRegion(this, i, r.base, r.size));
    if (dt !== null) this.dt = dt;
    this.methods = methods;
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.#onMessage(e.data);
  }

  /** @internal A message the worker sent before this proxy existed (replayed by the creator). */
  receive(m: WorkerMessage): void {
    this.#onMessage(m);
  }

  /**
   * Fail the device (a fault outside an access, seen on the host side): the
   * worker's device fails if it can (virtio: DEVICE_NEEDS_RESET).
   */
  fail(reason: string): void {
    if (this.methods.includes("fail")) this.#post({ t: "call", method: "fail", args: [reason] });
  }

  /** Why the device stopped answering ("" while it is alive). */
  get dead(): string {
    return this.#dead;
  }

  #onMessage(m: WorkerMessage): void {
    switch (m.t) {
      case "irq":
        this.host.setIrq(m.intid, m.level);
        return;
      case "timer":
        this.#timers.set(
          m.id,
          this.host.setTimer(m.at, () => {
            this.#timers.delete(m.id);
            this.#post({ t: "fire", id: m.id });
          }),
        );
        return;
      case "cancel":
        this.#timers.get(m.id)?.();
        this.#timers.delete(m.id);
        return;
      case "log":
        this.host.log(m.message);
        return;
      case "describe":
        this.#snapshot = m.snapshot;
        return;
      case "net-connect": {
        const connect = this.host.connectEthernet;
        if (connect === undefined) {
          this.host.log(`isolated device ${this.name}: its host offers no networks`);
          return;
        }
        this.#uplink = connect.call(this.host, {
          receive: (frame) => this.#frameToWorker(frame),
        });
        return;
      }
      case "frame":
        this.#uplink?.receive(m.frame);
        return;
      case "net-credit":
        this.#framesInFlight = Math.max(0, this.#framesInFlight - m.n);
        return;
      case "closed":
        this.#onClosed();
        return;
    }
  }

  #frameToWorker(frame: Uint8Array): boolean {
    if (this.#dead !== "" || this.#framesInFlight >= ISOLATED_NET_FRAMES_IN_FLIGHT) {
      this.framesRefused++;
      return false;
    }
    this.#framesInFlight++;
    const copy = frame.slice();
    this.worker.postMessage({ t: "frame", frame: copy } satisfies HostMessage, [copy.buffer]);
    return true;
  }

  #post(m: HostMessage): void {
    if (this.#dead === "") this.worker.postMessage(m);
  }

  /**
   * One synchronous request through the mailbox. Returns the MmioResult;
   * read data lands in `out`.
   */
  request(
    op: MailboxOp,
    region: number,
    offset: number,
    size: number,
    lo: number,
    hi: number,
    vcpu: number,
    out: MmioData | null,
  ): MmioResult {
    const m = this.#mb;
    if (this.#dead !== "") {
      if (out) out.lo = out.hi = 0;
      return MmioResult.Handled;
    }
    m[MB_OP] = op;
    m[MB_REGION] = region;
    m[MB_OFFSET] = offset;
    m[MB_SIZE] = size;
    m[MB_LO] = lo | 0;
    m[MB_HI] = hi | 0;
    m[MB_VCPU] = vcpu;
    this.#clock[0] = this.host.clock.now;
    const seq = (Atomics.load(m, MB_REQ_SEQ) + 1) | 0;
    const before = Atomics.load(m, MB_RESP_SEQ);
    Atomics.store(m, MB_REQ_SEQ, seq);
    Atomics.notify(m, MB_REQ_SEQ);
    const t0 = performance.now();
    /** Host time at which the worker was first seen inside plugin code during this access. */
    let inPluginSince = -1;
    while (Atomics.load(m, MB_RESP_SEQ) !== seq) {
      const now = performance.now();
      const waited = now - t0;
      // A warm worker inside plugin code for longer than the deadline is a plugin that hangs; a
      // worker not in plugin code is waiting for the host to schedule it (a loaded machine): it
      // gets up to the start-up timeout.
      if (Atomics.load(m, MB_IN_PLUGIN) === 1) {
        if (inPluginSince < 0) inPluginSince = now;
      } else inPluginSince = -1;
      const hung = this.#warm && inPluginSince >= 0 && now - inPluginSince >= this.accessDeadlineMs;
      if (hung || waited >= this.timeoutMs) {
        this.#dead = `no answer within ${Math.round(waited)} ms${
          hung ? " (stuck in plugin code past its " + this.accessDeadlineMs + " ms deadline)" : ""
        }`;
        this.host.log(
          `isolated device ${this.name}: ${this.#dead}; the device is failed and reads as zero ` +
            "from now on (its worker is terminated; the VM goes on without it)",
        );
        if (out) out.lo = out.hi = 0;
        this.stalls++;
        // terminate() cannot stop a worker stuck in a loop in this Deno (measured: it keeps its
        // core busy); it ends the worker once the loop returns to the event loop. Off the
        // vCPU's path: it costs milliseconds.
        setTimeout(() => this.worker.terminate(), 0);
        return MmioResult.Handled;
      }
      // The worker wakes this wait when it enters plugin code (worker_runtime.ts), so the
      // deadline runs from then; the 5 ms step only bounds how late a missed wake is seen.
      const next = inPluginSince >= 0
        ? this.accessDeadlineMs - (now - inPluginSince)
        : this.timeoutMs - waited;
      Atomics.wait(m, MB_RESP_SEQ, before, Math.max(1, Math.min(5, next)));
    }
    this.#warm = true;
    const irqs = m[MB_IRQ_COUNT];
    for (let i = 0; i < irqs; i++) {
      this.host.setIrq(m[MB_IRQ_RING + 2 * i], m[MB_IRQ_RING + 2 * i + 1] !== 0);
    }
    if (out) {
      out.lo = m[MB_OUT_LO] >>> 0;
      out.hi = m[MB_OUT_HI] >>> 0;
    }
    return m[MB_RESULT] as MmioResult;
  }

  /**
   * Share the VM's RAM with the worker (a device created with `ram: null`);
   * the worker serves MMIO from then on. Accesses made before wait for it.
   */
  bindRam(ram: readonly Stage2Mapping[]): void {
    const exposed = exposedBytes(ram);
    if (exposed > 0) {
      this.host.log(
        `isolated device ${this.name}: the VM's RAM shares its host buffer with ${exposed} bytes ` +
          "its stage-2 does not map (other VMs' RAM, the RM's memory): the sandbox cannot hide " +
          "them from this plugin; give the VM its own RAM region (docs/ARCHITECTURE.md 'Guest memory')",
      );
    }
    this.#post({
      t: "ram",
      ram: shareable(ram),
      nsPerInstruction: this.host.clock.nsPerInstruction,
    });
  }

  reset(): void {
    this.request(MailboxOp.Reset, 0, 0, 0, 0, 0, 0, null);
  }

  /** Call a device method in the worker (asynchronous, no result), e.g. `call("input", bytes)`. */
  call(method: string, ...args: unknown[]): void {
    if (!this.methods.includes(method)) {
      throw new Error(
        `isolated device ${this.name} has no method '${method}' (it has: ${
          this.methods.join(", ") || "none"
        })`,
      );
    }
    this.#post({ t: "call", method, args });
  }

  /** The last snapshot the worker sent; asks it for a fresh one. */
  describe(): Record<string, string | number | boolean> {
    this.#post({ t: "describe" });
    return {
      isolated: true,
      ...this.#snapshot,
      ...(this.#uplink ? { framesRefusedByHost: this.framesRefused } : {}),
      ...(this.#dead ? { dead: this.#dead } : {}),
    };
  }

  /** Close the device in the worker, then terminate the worker. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#closing = new Promise<void>((resolve) => {
      if (this.#dead !== "") return resolve();
      const timer = setTimeout(resolve, 1000);
      this.#onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.worker.postMessage({ t: "close" } satisfies HostMessage);
    }).then(() => {
      this.#dead ||= "closed";
      this.worker.terminate();
    });
    return this.#closing;
  }
}

/**
 * Bytes of the host buffers behind `ram` that no mapping of `ram` covers:
 * sharing a `SharedArrayBuffer` with a Worker shares all of it, so these are
 * what an isolated plugin could read beyond its VM's RAM (0 when each VM has
 * its own region, as memory.md lays out).
 */
export function exposedBytes(ram: readonly Stage2Mapping[]): number {
  const byBuffer = new Map<ArrayBufferLike, [number, number][]>();
  for (const m of ram) {
    const start = m.bytes.byteOffset + m.offset;
    const list = byBuffer.get(m.bytes.buffer) ?? [];
    list.push([start, start + m.size]);
    byBuffer.set(m.bytes.buffer, list);
  }
  let exposed = 0;
  for (const [buffer, ranges] of byBuffer) {
    ranges.sort((a, b) => a[0] - b[0]);
    let covered = 0, end = 0;
    for (const [a, b] of ranges) {
      const from = Math.max(a, end);
      if (b > from) covered += b - from;
      end = Math.max(end, b);
    }
    exposed += buffer.byteLength - covered;
  }
  return exposed;
}

function shareable(ram: readonly Stage2Mapping[]): SharedMapping[] {
  return ram.map((m) => ({
    ipaBase: m.ipaBase,
    size: m.size,
    bytes: m.bytes,
    offset: m.offset,
    access: m.access,
  }));
}

/** One of an isolated device's regions, forwarding accesses through the mailbox. */
class ProxyRegion implements MmioRegion {
  constructor(
    readonly device: IsolatedDevice,
    readonly index: number,
    readonly base: number,
    readonly size: number,
  ) {}
  read(offset: number, size: number, vcpuIndex: number, out: MmioData): MmioResult {
    return this.device.request(MailboxOp.Read, this.index, offset, size, 0, 0, vcpuIndex, out);
  }
  write(offset: number, size: number, lo: number, hi: number, vcpuIndex: number): MmioResult {
    return this.device.request(MailboxOp.Write, this.index, offset, size, lo, hi, vcpuIndex, null);
  }
}

/**
 * Start `pluginUrl` in a Worker with `permissions` and create its device.
 * Rejects with the plugin's own error (e.g. `NotCapable` for a path it was
 * not granted) if `create` fails, or a PluginContractError if the module is
 * not a device plugin.
 */
export async function createIsolatedDevice(o: IsolatedDeviceOptions): Promise<IsolatedDevice> {
  await checkSandboxPolicy(o.pluginUrl);
  const entry = URL.createObjectURL(
    new Blob([entrySource(o.pluginUrl)], { type: "application/javascript" }),
  );
  const worker = new Worker(entry, {
    type: "module",
    deno: {
      permissions: {
        read: [...o.permissions.read],
        write: [...o.permissions.write],
        net: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  });
  URL.revokeObjectURL(entry);
  const mailbox = new SharedArrayBuffer(MB_BYTES);
  try {
    const early: WorkerMessage[] = [];
    const ready = await new Promise<Extract<WorkerMessage, { t: "ready" }>>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
        const m = e.data;
        if (m.t === "ready") resolve(m);
        else if (m.t === "failed") {
          reject(new Error(`plugin ${o.pluginUrl} failed to start in its sandbox: ${m.message}`));
        } else if (m.t === "log") o.host.log(m.message);
        else early.push(m); // timers and lines set by create(): replayed once the proxy exists
      };
      worker.onerror = (e) => {
        e.preventDefault();
        reject(
          new PluginContractError(
            `plugin ${o.pluginUrl} could not be loaded in a worker: ${e.message}`,
          ),
        );
      };
      worker.postMessage(
        {
          t: "init",
          mailbox,
          ram: o.ram === null ? null : shareable(o.ram),
          nsPerInstruction: o.host.clock.nsPerInstruction,
          options: o.options,
          net: o.net === true,
        } satisfies HostMessage,
      );
    });
    worker.onerror = (e) => {
      e.preventDefault();
      o.host.log(`isolated device ${ready.name}: worker error: ${e.message}`);
    };
    const device = new IsolatedDevice(
      ready.name,
      ready.regions,
      ready.dt as DtNode[] | null,
      ready.methods,
      worker,
      mailbox,
      o.host,
      o.timeoutMs ?? 5000,
      o.accessDeadlineMs ?? ISOLATED_ACCESS_DEADLINE_MS,
    );
    for (const m of early) device.receive(m);
    // Ask for a first snapshot now, so the first status read already has the device's fields
    // (a MAC, counters) rather than an empty record.
    device.describe();
    return device;
  } catch (e) {
    worker.terminate();
    throw e;
  }
}
