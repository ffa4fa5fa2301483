/**
 * Run a device plugin in a process of its own (`isolate: process` in a
 * device entry) and present it to the VM as an ordinary {@link Device}.
 *
 * Why a process: a Deno Worker stuck in a busy loop is not stopped by
 * `terminate()` (measured in Deno 2.9.6: its thread keeps a core at 100 %
 * until the host process ends). A process is stopped by SIGKILL, and takes
 * its files (a disk image's lock) with it.
 *
 * - **Permissions**: `deno run --no-prompt` with `--allow-read` /
 *   `--allow-write` for exactly the configured paths and nothing else (no
 *   net, env, run, ffi, sys, import); the plugin's module graph is checked by
 *   the same policy as a Worker's (sandbox_policy.ts) and the same lockdown
 *   runs first (sandbox_lockdown.ts), with V8 refusing code from strings.
 * - **Guest memory is not shared** (a `WebAssembly.Memory` or
 *   `SharedArrayBuffer` cannot cross processes in Deno): the plugin's
 *   {@link Stage2View} has only {@link Stage2View.copy}; each copy is a
 *   request the host serves against the VM's current stage-2, so an
 *   unmapped range or a reclaimed parcel is refused at once.
 * - **Transport**: two FIFOs in a private temporary folder are the child's
 *   stdin and stdout (a `sh -c exec` redirects them), carrying the frames of
 *   ./pipe_protocol.ts; both ends are read and written synchronously
 *   (`readSync` / `writeSync`), so an MMIO access is a synchronous call.
 * - **Deadlines**: the host's thread never blocks without one. While it
 *   waits for an answer the watchdog Worker (./process_watchdog.ts) watches
 *   the call's progress; a plugin silent past its limit (the start-up timeout
 *   until it has answered once, then the per-access deadline from the moment
 *   it entered plugin code) is killed with SIGKILL and the watchdog wakes the
 *   blocked read (bytes into the pipe; the host knows they are not the
 *   plugin's). A plugin that keeps the call busy with copies is cut off by
 *   the host itself at the same deadline. The device is failed (reads as
 *   zero) and the VM goes on. A plugin process that ends on its own closes
 *   the pipe: the read sees the end of the stream at once.
 *
 * @module
 */
import {
  type Device,
  type DeviceHost,
  type DtNode,
  type MmioData,
  type MmioRegion,
  MmioResult,
  PluginContractError,
  S2_ACCESS_R,
  S2_ACCESS_W,
} from "@gunyah-ts/core/plugin";
import {
  decodeJson,
  DMA_CHUNK_BYTES,
  encodeJson,
  Frame,
  FrameReader,
  FrameWriter,
  type ProcessReady,
} from "./pipe_protocol.ts";
import { ISOLATED_ACCESS_DEADLINE_MS, type SandboxPermissions } from "./isolated_device.ts";
import { checkSandboxPolicy } from "./sandbox_policy.ts";
import {
  type WatchdogReady,
  type WatchdogStart,
  WD_BYTES,
  WD_KILLED,
  WD_LIMIT_MS,
  WD_PID,
  WD_PROGRESS,
  WD_SINCE_BYTE,
  WD_STOP,
} from "./process_watchdog.ts";

/** What {@link createProcessDevice} needs. */
export interface ProcessDeviceOptions {
  /** The plugin module, as an absolute `file:` URL. */
  readonly pluginUrl: string;
  readonly host: DeviceHost;
  readonly permissions: SandboxPermissions;
  /** Options for the plugin's `create` (JSON with `Uint8Array`s). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * How long the process may take to start and to answer its first call
   * (ms, default 10000: `deno run` loads the plugin's modules first).
   */
  readonly timeoutMs?: number;
  /** The per-access deadline once it answered (ms, default {@link ISOLATED_ACCESS_DEADLINE_MS}). */
  readonly accessDeadlineMs?: number;
}

const RUNTIME_URL = new URL("./process_runtime.ts", import.meta.url).href;
const LOCKDOWN_URL = new URL("./sandbox_lockdown.ts", import.meta.url).href;
const WATCHDOG_URL = new URL("./process_watchdog.ts", import.meta.url).href;
const WORKSPACE_CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Most bytes of a plugin's stderr logged per device (then it is dropped, counted). */
const STDERR_LOG_LIMIT = 64 * 1024;

function entrySource(pluginUrl: string): string {
  return `import ${JSON.stringify(LOCKDOWN_URL)};\n` +
    `import * as mod from ${JSON.stringify(pluginUrl)};\n` +
    `import { serveDevicePluginOverPipes } from ${JSON.stringify(RUNTIME_URL)};\n` +
    `await serveDevicePluginOverPipes(mod.default ?? mod.plugin, ${JSON.stringify(pluginUrl)});\n`;
}

/** The `deno run` arguments that give a plugin exactly `permissions`. */
export function processPermissionFlags(permissions: SandboxPermissions): string[] {
  const flags = ["--no-prompt"];
  for (const [flag, paths] of [["read", permissions.read], ["write", permissions.write]] as const) {
    for (const p of paths) {
      if (p.includes(",")) throw new Error(`a permission path may not contain ',': ${p}`);
    }
    if (paths.length > 0) flags.push(`--allow-${flag}=${paths.join(",")}`);
  }
  return flags;
}

/** A device whose model runs in a child process. */
export class ProcessDevice implements Device {
  readonly regions: readonly MmioRegion[];
  readonly dt?: readonly DtNode[];
  /** Methods of the device object beyond the contract, callable with {@link call}. */
  readonly methods: readonly string[];
  #dead = "";
  #warm = false;
  /** Calls that missed their deadline (at most one: the device is failed then). */
  stalls = 0;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #wd: Int32Array;
  readonly #since: Float64Array;
  readonly #timers = new Map<number, () => void>();
  #snapshot: Record<string, string | number | boolean> = {};
  #closing: Promise<void> | null = null;
  #inCall = false;

  /** @internal Use {@link createProcessDevice}. */
  constructor(
    ready: ProcessReady,
    readonly process: Deno.ChildProcess,
    readonly toChild: Deno.FsFile,
    readonly fromChild: Deno.FsFile,
    readonly watchdog: Worker,
    watchWords: SharedArrayBuffer,
    readonly host: DeviceHost,
    readonly timeoutMs: number,
    readonly accessDeadlineMs: number,
    readonly folder: string,
    /** The watchdog's thread (Linux thread id in this process, 0 if unknown): for diagnostics. */
    readonly watchdogThread: number,
  ) {
    this.name = ready.name;
    this.regions = ready.regions.map((r, i) => new ProcessRegion(this, i, r.base, r.size));
    if (ready.dt !== null) this.dt = ready.dt as DtNode[];
    this.methods = ready.methods;
    this.#wd = new Int32Array(watchWords, 0, WD_SINCE_BYTE / 4);
    this.#since = new Float64Array(watchWords, WD_SINCE_BYTE, 1);
    const wd = this.#wd;
    // After a kill the watchdog wakes this read with bytes of its own: they are not the plugin's.
    this.#reader = new FrameReader((b) => {
      const n = fromChild.readSync(b);
      return Atomics.load(wd, WD_KILLED) === 1 ? null : n;
    });
    this.#writer = new FrameWriter((b) => toChild.writeSync(b));
  }

  readonly name: string;

  /** The plugin's process id. */
  get pid(): number {
    return this.process.pid;
  }

  /** Why the device stopped answering ("" while it is alive). */
  get dead(): string {
    return this.#dead;
  }

  /** @internal A frame the plugin sent during start-up (timers, log lines). */
  applyEarly(type: Frame, payload: Uint8Array): void {
    this.#oneWay(
      type,
      new DataView(payload.buffer, payload.byteOffset, payload.byteLength),
      0,
      payload,
    );
  }

  /** Apply a one-way frame; false if `type` is not one. */
  #oneWay(type: number, v: DataView, at: number, payload: Uint8Array): boolean {
    switch (type) {
      case Frame.Irq:
        this.host.setIrq(v.getUint32(at, true), v.getUint8(at + 4) !== 0);
        return true;
      case Frame.Timer: {
        const at_ = v.getFloat64(at, true), id = v.getUint32(at + 8, true);
        this.#timers.get(id)?.();
        this.#timers.set(
          id,
          this.host.setTimer(at_, () => {
            this.#timers.delete(id);
            this.#fire(id);
          }),
        );
        return true;
      }
      case Frame.Cancel: {
        const id = v.getUint32(at, true);
        this.#timers.get(id)?.();
        this.#timers.delete(id);
        return true;
      }
      case Frame.Log:
        this.host.log(new TextDecoder().decode(payload));
        return true;
      default:
        return false;
    }
  }

  #fire(id: number): void {
    if (this.#dead !== "") return;
    this.#writer.begin(Frame.Fire).f64(this.host.clock.now).u32(id);
    this.#call();
  }

  /** Fail the device from now on: it reads as zero; its process is killed. */
  #die(reason: string): void {
    if (this.#dead !== "") return;
    this.#dead = reason;
    this.host.log(
      `process-isolated device ${this.name}: ${reason}; the device is failed and reads as zero ` +
        `from now on (its process ${this.process.pid} is killed; the VM goes on without it)`,
    );
    Atomics.store(this.#wd, WD_LIMIT_MS, 0);
    try {
      this.process.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }

  /**
   * Send the frame the writer holds and serve the plugin until it answers:
   * copies against the VM's current stage-2, one-way frames applied. True
   * when it answered (its answer is the reader's current frame).
   */
  #call(): boolean {
    if (this.#pendingFail !== null && !this.#inCall) {
      // A fail asked during the previous call goes first; the frame being built is kept aside.
      const frame = this.#writer.take();
      this.#flushFail();
      this.#writer.restore(frame);
      if (this.#dead !== "") return false;
    }
    if (this.#inCall) {
      // A device method that re-enters its own device (a plugin's timer firing inside an
      // access cannot happen: the host's thread is here). Refuse rather than interleave frames.
      this.host.log(`process-isolated device ${this.name}: a nested call was refused`);
      return false;
    }
    this.#inCall = true;
    const wd = this.#wd, r = this.#reader;
    const t0 = performance.now();
    let inPluginSince = -1;
    let hostTime = 0;
    try {
      this.#progress();
      Atomics.store(wd, WD_LIMIT_MS, this.timeoutMs);
      try {
        this.#writer.send();
      } catch (e) {
        this.#die(`its pipe is closed (${(e as Error).name})`);
        return false;
      }
      for (;;) {
        let ok: boolean;
        try {
          ok = r.next();
        } catch (e) {
          this.#die(`protocol error: ${(e as Error).message}`);
          return false;
        }
        if (!ok) {
          const waited = Math.round(performance.now() - t0);
          this.stalls += Atomics.load(wd, WD_KILLED);
          this.#die(
            Atomics.load(wd, WD_KILLED) === 1
              ? `no answer within ${waited} ms${
                inPluginSince >= 0
                  ? ` (stuck in plugin code past its ${this.accessDeadlineMs} ms deadline)`
                  : ""
              }`
              : `its process ended (${waited} ms into a call)`,
          );
          return false;
        }
        this.#progress();
        const type = r.type, v = r.view, at = r.at;
        if (type === Frame.Result || type === Frame.Done) {
          this.#warm = true;
          return true;
        }
        if (type === Frame.Enter) {
          inPluginSince = performance.now();
          if (this.#warm) Atomics.store(wd, WD_LIMIT_MS, this.accessDeadlineMs);
          continue;
        }
        if (type === Frame.DmaRead || type === Frame.DmaWrite) {
          const h0 = performance.now();
          if (
            this.#warm && inPluginSince >= 0 &&
            h0 - inPluginSince - hostTime > this.accessDeadlineMs
          ) {
            this.stalls++;
            this.#die(
              `stuck in plugin code past its ${this.accessDeadlineMs} ms deadline (copying guest memory)`,
            );
            return false;
          }
          if (type === Frame.DmaRead) {
            this.#dmaRead(v.getFloat64(at, true), v.getUint32(at + 8, true));
          } else {
            this.#dmaWrite(v.getFloat64(at, true), r.bytes.subarray(at + 8, at + r.length));
          }
          try {
            this.#writer.send();
          } catch (e) {
            this.#die(`its pipe is closed (${(e as Error).name})`);
            return false;
          }
          hostTime += performance.now() - h0;
          continue;
        }
        if (!this.#oneWay(type, v, at, r.payload())) {
          this.#die(`protocol error: an unexpected frame (type ${type}) during a call`);
          return false;
        }
      }
    } finally {
      Atomics.store(wd, WD_LIMIT_MS, 0);
      this.#inCall = false;
    }
  }

  /** Tell the watchdog the current call made progress (a frame came or went). */
  #progress(): void {
    this.#since[0] = performance.timeOrigin + performance.now();
    Atomics.add(this.#wd, WD_PROGRESS, 1);
  }

  /** Why `[ipa, ipa + length)` cannot be copied with `access`, or "" (the VM's current stage-2). */
  #refusal(ipa: number, length: number, access: number): string {
    if (!Number.isSafeInteger(ipa) || ipa < 0 || length > DMA_CHUNK_BYTES) {
      return `guest address 0x${ipa.toString(16)}+${length} is invalid`;
    }
    const m = this.host.memory.lookup(ipa);
    if (m === null) return `guest address 0x${ipa.toString(16)} is not RAM`;
    if (ipa + length > m.ipaBase + m.size) {
      return `guest buffer 0x${ipa.toString(16)}+${length} crosses the end of its RAM mapping`;
    }
    if ((m.access & access) !== access) {
      return `guest address 0x${ipa.toString(16)} lacks ${
        access === S2_ACCESS_W ? "write" : "read"
      } access`;
    }
    return "";
  }

  #dmaRead(ipa: number, length: number): void {
    const w = this.#writer.begin(Frame.DmaData);
    const refused = this.#refusal(ipa, length, S2_ACCESS_R);
    if (refused !== "") {
      w.u8(1).text(refused);
      return;
    }
    const m = this.host.memory.lookup(ipa)!;
    const from = m.offset + (ipa - m.ipaBase);
    w.u8(0).bytes(m.bytes.subarray(from, from + length));
  }

  #dmaWrite(ipa: number, src: Uint8Array): void {
    const w = this.#writer.begin(Frame.DmaStatus);
    const refused = this.#refusal(ipa, src.length, S2_ACCESS_W);
    if (refused !== "") {
      w.u8(1).text(refused);
      return;
    }
    const m = this.host.memory.lookup(ipa)!;
    m.bytes.set(src, m.offset + (ipa - m.ipaBase));
    w.u8(0);
  }

  /** One MMIO access, synchronously. */
  access(
    write: boolean,
    region: number,
    offset: number,
    size: number,
    lo: number,
    hi: number,
    vcpu: number,
    out: MmioData | null,
  ): MmioResult {
    if (out) out.lo = out.hi = 0;
    if (this.#dead !== "") return MmioResult.Handled;
    const w = this.#writer.begin(write ? Frame.MmioWrite : Frame.MmioRead)
      .f64(this.host.clock.now).u32(offset).u8(region).u8(size).u16(vcpu);
    if (write) w.u32(lo).u32(hi);
    if (!this.#call()) return MmioResult.Handled;
    const r = this.#reader;
    if (r.type !== Frame.Result || r.length < 12) {
      this.#die("protocol error: an access answered without a result");
      return MmioResult.Handled;
    }
    if (out) {
      out.lo = r.view.getUint32(r.at + 4, true);
      out.hi = r.view.getUint32(r.at + 8, true);
    }
    const result = r.bytes[r.at];
    return result === MmioResult.Unclaimed ? MmioResult.Unclaimed : MmioResult.Handled;
  }

  reset(): void {
    if (this.#dead !== "") return;
    this.#writer.begin(Frame.Reset).f64(this.host.clock.now);
    this.#call();
  }

  /**
   * Fail the device (virtio: DEVICE_NEEDS_RESET), if it offers `fail`. Asked
   * during a call (a host callback of the device threw), it is sent right
   * after that call.
   */
  fail(reason: string): void {
    if (!this.methods.includes("fail")) return;
    if (this.#inCall) {
      this.#pendingFail ??= reason;
      setTimeout(() => this.#flushFail(), 0);
    } else {
      this.call("fail", reason);
    }
  }

  #pendingFail: string | null = null;

  #flushFail(): void {
    const reason = this.#pendingFail;
    if (reason === null || this.#inCall) return;
    this.#pendingFail = null;
    this.call("fail", reason);
  }

  /** Call a device method in the plugin's process (synchronously, no result). */
  call(method: string, ...args: unknown[]): void {
    if (!this.methods.includes(method)) {
      throw new Error(
        `process-isolated device ${this.name} has no method '${method}' (it has: ${
          this.methods.join(", ") || "none"
        })`,
      );
    }
    if (this.#dead !== "") return;
    this.#writer.begin(Frame.Call).f64(this.host.clock.now).bytes(encodeJson({ method, args }));
    this.#call();
  }

  describe(): Record<string, string | number | boolean> {
    if (this.#dead === "" && !this.#inCall) {
      this.#writer.begin(Frame.Describe).f64(this.host.clock.now);
      if (this.#call() && this.#reader.length > 0) {
        this.#snapshot = decodeJson(this.#reader.payload()) as Record<
          string,
          string | number | boolean
        >;
      }
    }
    return {
      isolated: "process",
      pid: this.process.pid,
      ...this.#snapshot,
      ...(this.#dead ? { dead: this.#dead } : {}),
    };
  }

  /**
   * Close the device in its process (its `close`, within the deadline), then
   * make sure the process is gone (SIGKILL), its pipes closed, the watchdog
   * stopped and the temporary folder removed.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    if (this.#dead === "") {
      this.#writer.begin(Frame.Close).f64(this.host.clock.now);
      this.#call();
      this.#dead = "closed";
    }
    this.#closing = (async () => {
      try {
        this.process.kill("SIGKILL");
      } catch {
        // It ended on its own after Close.
      }
      await this.process.status;
      Atomics.store(this.#wd, WD_STOP, 1);
      Atomics.notify(this.#wd, WD_STOP);
      this.watchdog.terminate();
      for (const f of [this.toChild, this.fromChild]) {
        try {
          f.close();
        } catch {
          // Closed already.
        }
      }
      await Deno.remove(this.folder, { recursive: true }).catch(() => {});
    })();
    return this.#closing;
  }
}

/** One of a process device's regions. */
class ProcessRegion implements MmioRegion {
  constructor(
    readonly device: ProcessDevice,
    readonly index: number,
    readonly base: number,
    readonly size: number,
  ) {}
  read(offset: number, size: number, vcpuIndex: number, out: MmioData): MmioResult {
    return this.device.access(false, this.index, offset, size, 0, 0, vcpuIndex, out);
  }
  write(offset: number, size: number, lo: number, hi: number, vcpuIndex: number): MmioResult {
    return this.device.access(true, this.index, offset, size, lo, hi, vcpuIndex, null);
  }
}

async function mkfifo(path: string): Promise<void> {
  const r = await new Deno.Command("mkfifo", { args: ["-m", "600", path], stderr: "piped" })
    .output();
  if (!r.success) {
    throw new Error(`mkfifo ${path} failed: ${new TextDecoder().decode(r.stderr).trim()}`);
  }
}

/** Forward the plugin's stderr (its console) to the device's log, line by line, bounded. */
async function forwardStderr(
  stream: ReadableStream<Uint8Array>,
  log: (line: string) => void,
  name: () => string,
): Promise<void> {
  let logged = 0, dropped = 0, pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    if (logged >= STDERR_LOG_LIMIT) {
      dropped += chunk.length;
      continue;
    }
    logged += chunk.length;
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const l of lines) if (l !== "") log(`${name()}: ${l}`);
  }
  if (pending !== "") log(`${name()}: ${pending}`);
  if (dropped > 0) log(`${name()}: ${dropped} more bytes of its stderr were dropped`);
}

/**
 * Start `pluginUrl` in a child `deno run` with `permissions` and create its
 * device. Rejects with the plugin's own error if `create` fails (e.g.
 * `NotCapable` for a path it was not granted), a SandboxPolicyError if its
 * modules may not run in the sandbox, or a PluginContractError if it does not
 * start.
 */
export async function createProcessDevice(o: ProcessDeviceOptions): Promise<ProcessDevice> {
  await checkSandboxPolicy(o.pluginUrl);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const folder = await Deno.makeTempDir({ prefix: "gunyah-plugin-" });
  const toChildPath = `${folder}/host-to-plugin`, fromChildPath = `${folder}/plugin-to-host`;
  const entry = `${folder}/entry.ts`;
  let process: Deno.ChildProcess | null = null;
  const files: Deno.FsFile[] = [];
  const watchWords = new SharedArrayBuffer(WD_BYTES);
  const wd = new Int32Array(watchWords, 0, WD_SINCE_BYTE / 4);
  const watchdog = new Worker(WATCHDOG_URL, { type: "module" });
  try {
    await Promise.all([mkfifo(toChildPath), mkfifo(fromChildPath)]);
    await Deno.writeTextFile(entry, entrySource(o.pluginUrl));
    // Opening a FIFO read-write never waits for the other end. The host keeps only its own
    // ends (write to the child, read from it) once the child has opened its ends, so the
    // child's death closes the pipe: a blocked read sees the end of the stream.
    const holdIn = Deno.openSync(toChildPath, { read: true, write: true });
    const holdOut = Deno.openSync(fromChildPath, { read: true, write: true });
    files.push(holdIn, holdOut);
    const toChild = Deno.openSync(toChildPath, { write: true });
    const fromChild = Deno.openSync(fromChildPath, { read: true });
    files.push(toChild, fromChild);
    process = new Deno.Command("/bin/sh", {
      args: [
        "-c",
        'exec "$0" "$@" <"$GUNYAH_PLUGIN_IN" >"$GUNYAH_PLUGIN_OUT"',
        Deno.execPath(),
        "run",
        ...processPermissionFlags(o.permissions),
        "--no-lock",
        `--config=${WORKSPACE_CONFIG}`,
        "--v8-flags=--disallow-code-generation-from-strings,--max-old-space-size=512",
        entry,
      ],
      env: { GUNYAH_PLUGIN_IN: toChildPath, GUNYAH_PLUGIN_OUT: fromChildPath },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const child = process;
    let deviceName = o.pluginUrl;
    void forwardStderr(child.stderr, (l) => o.host.log(l), () => deviceName);
    Atomics.store(wd, WD_PID, child.pid);
    const watching = new Promise<number>((resolve, reject) => {
      watchdog.onmessage = (e: MessageEvent<WatchdogReady>) => resolve(e.data.tid);
      watchdog.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`the plugin watchdog did not start: ${e.message}`));
      };
    });
    watchdog.postMessage({ words: watchWords, wakePath: fromChildPath } satisfies WatchdogStart);

    // Start-up: the Init frame, then frames until Ready. Read off the host's thread (async), so
    // other VMs run meanwhile; the start-up timeout kills a child that never answers.
    const writer = new FrameWriter((b) => toChild.writeSync(b));
    writer.begin(Frame.Init).bytes(
      encodeJson({
        options: o.options,
        nsPerInstruction: o.host.clock.nsPerInstruction,
        clock: o.host.clock.now,
      }),
    ).send();
    const early: [Frame, Uint8Array][] = [];
    let exited = false;
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, timeoutMs);
    void child.status.then(() => {
      exited = true;
      // Wake the pending read below: the host still holds a write end of the pipe.
      try {
        holdOut.writeSync(new Uint8Array(8));
      } catch { /* closed */ }
    });
    let ready: ProcessReady;
    try {
      ready = await startUp(fromChild, early, () => exited, o.pluginUrl);
    } finally {
      clearTimeout(timer);
    }
    const watchdogThread = await watching;
    deviceName = ready.name;
    // The child has both pipes open (its shell opened them before exec): drop the holds.
    holdIn.close();
    holdOut.close();
    files.splice(0, 2);
    const device = new ProcessDevice(
      ready,
      child,
      toChild,
      fromChild,
      watchdog,
      watchWords,
      o.host,
      timeoutMs,
      o.accessDeadlineMs ?? ISOLATED_ACCESS_DEADLINE_MS,
      folder,
      watchdogThread,
    );
    for (const [type, payload] of early) device.applyEarly(type, payload);
    return device;
  } catch (e) {
    if (process !== null) {
      try {
        process.kill("SIGKILL");
      } catch { /* gone */ }
      await process.status;
    }
    for (const f of files) {
      try {
        f.close();
      } catch { /* closed */ }
    }
    Atomics.store(wd, WD_STOP, 1);
    Atomics.notify(wd, WD_STOP);
    watchdog.terminate();
    await Deno.remove(folder, { recursive: true }).catch(() => {});
    throw e;
  }
}

/** Read start-up frames asynchronously until Ready (or Failed, or the child's end). */
async function startUp(
  fromChild: Deno.FsFile,
  early: [Frame, Uint8Array][],
  exited: () => boolean,
  pluginUrl: string,
): Promise<ProcessReady> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  for (;;) {
    while (buf.length >= 8) {
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const length = dv.getUint32(0, true), type = buf[4];
      if (length > 1 << 20) {
        throw new PluginContractError(`plugin ${pluginUrl}: a start-up frame of ${length} bytes`);
      }
      if (buf.length < 8 + length) break;
      const payload = buf.slice(8, 8 + length);
      buf = buf.slice(8 + length);
      if (exited() && type === 0) continue;
      if (type === Frame.Ready) {
        if (buf.length > 0) {
          throw new PluginContractError(`plugin ${pluginUrl}: frames after Ready before a call`);
        }
        return decodeJson(payload) as ProcessReady;
      }
      if (type === Frame.Failed) {
        throw new Error(
          `plugin ${pluginUrl} failed to start in its process: ${
            new TextDecoder().decode(payload)
          }`,
        );
      }
      if (
        type === Frame.Timer || type === Frame.Cancel || type === Frame.Log || type === Frame.Irq
      ) {
        early.push([type, payload]);
        continue;
      }
      if (type === 0 && exited()) break;
      throw new PluginContractError(`plugin ${pluginUrl}: unexpected start-up frame ${type}`);
    }
    if (exited()) {
      throw new PluginContractError(
        `plugin ${pluginUrl} could not start in its process (it ended before it was ready; ` +
          "its stderr is in the log)",
      );
    }
    const n = await fromChild.read(chunk);
    if (n === null) throw new PluginContractError(`plugin ${pluginUrl}: its pipe closed`);
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  }
}
