/**
 * The plugin side of a device plugin run in its own process
 * (`isolate: process`): the child `deno run` whose stdin and stdout are the
 * pipes of ./pipe_protocol.ts. It builds a {@link DeviceHost} whose memory is
 * not here: guest bytes are copied by the host on request
 * ({@link Stage2View.copy}), checked against the VM's current stage-2. It
 * creates the device and serves the host's calls one at a time, each
 * synchronously (`Deno.stdin.readSync` / `Deno.stdout.writeSync`), until told
 * to close. `console` output goes to stderr (stdout is the protocol).
 *
 * @module
 */
import {
  assertPlugin,
  type Device,
  type DeviceHost,
  type MmioData,
  MmioResult,
  type Stage2Copy,
  type Stage2Mapping,
  type Stage2View,
} from "@gunyah-ts/core/plugin";
import {
  decodeJson,
  DMA_CHUNK_BYTES,
  encodeJson,
  Frame,
  FrameReader,
  FrameWriter,
  type ProcessInit,
  type ProcessReady,
  ProtocolError,
} from "./pipe_protocol.ts";

/** Guest memory of a process-isolated device: copies the host makes (see module doc). */
class HostCopies implements Stage2Copy {
  constructor(readonly reader: FrameReader, readonly writer: FrameWriter) {}

  #answer(expect: Frame): void {
    const r = this.reader;
    if (!r.next()) throw new ProtocolError("the host closed the pipe");
    if (r.type !== expect) throw new ProtocolError(`expected frame ${expect}, got ${r.type}`);
    if (r.bytes[r.at] !== 0) {
      throw new Error(new TextDecoder().decode(r.bytes.subarray(r.at + 1, r.at + r.length)));
    }
  }

  read(ipa: number, dst: Uint8Array): void {
    for (let done = 0; done < dst.length;) {
      const n = Math.min(DMA_CHUNK_BYTES, dst.length - done);
      this.writer.begin(Frame.DmaRead).f64(ipa + done).u32(n).send();
      this.#answer(Frame.DmaData);
      const r = this.reader;
      if (r.length !== 1 + n) throw new ProtocolError(`a copy of ${r.length - 1} bytes, not ${n}`);
      dst.set(r.bytes.subarray(r.at + 1, r.at + 1 + n), done);
      done += n;
    }
  }

  write(ipa: number, src: Uint8Array): void {
    for (let done = 0; done < src.length;) {
      const n = Math.min(DMA_CHUNK_BYTES, src.length - done);
      this.writer.begin(Frame.DmaWrite).f64(ipa + done).bytes(src.subarray(done, done + n)).send();
      this.#answer(Frame.DmaStatus);
      done += n;
    }
  }
}

/** No RAM is in this process: every lookup misses; use {@link Stage2View.copy}. */
class CopyOnlyView implements Stage2View {
  readonly generation = 0;
  constructor(readonly copy: Stage2Copy) {}
  lookup(_ipa: number): Stage2Mapping | null {
    return null;
  }
}

/**
 * Serve `pluginValue` (the plugin module's default export) over this
 * process's stdin and stdout. Call once from the generated entry module.
 */
export async function serveDevicePluginOverPipes(
  pluginValue: unknown,
  source: string,
): Promise<void> {
  // stdout carries frames: a plugin's console output must not.
  const toStderr = (...args: unknown[]) => console.error(...args);
  for (const k of ["log", "info", "debug", "warn"] as const) console[k] = toStderr;
  const reader = new FrameReader((b) => Deno.stdin.readSync(b));
  const writer = new FrameWriter((b) => Deno.stdout.writeSync(b));
  const log = (message: string) => writer.begin(Frame.Log).text(message).send();
  let clock = 0;
  let nsPerInstruction = 1;
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  let device: Device | null = null;
  let faults = 0;
  const fault = (what: string, e: unknown) => {
    const reason = `${what} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    if (faults++ === 0) log(`${source}: ${reason}; the device is failed`);
    try {
      (device as (Device & { fail?: (reason: string) => void }) | null)?.fail?.(reason);
    } catch {
      // The device cannot even fail cleanly; its accesses are still answered.
    }
  };

  if (!reader.next() || reader.type !== Frame.Init) return;
  const init = decodeJson(reader.payload()) as ProcessInit;
  clock = init.clock;
  nsPerInstruction = init.nsPerInstruction;
  const host: DeviceHost = {
    memory: new CopyOnlyView(new HostCopies(reader, writer)),
    clock: {
      get now() {
        return clock;
      },
      get nsPerInstruction() {
        return nsPerInstruction;
      },
    },
    setIrq(intid, level) {
      writer.begin(Frame.Irq).u32(intid).u8(level ? 1 : 0).send();
    },
    setTimer(at, fn) {
      const id = nextTimer++;
      timers.set(id, fn);
      writer.begin(Frame.Timer).f64(at).u32(id).send();
      return () => {
        if (timers.delete(id)) writer.begin(Frame.Cancel).u32(id).send();
      };
    },
    log,
  };
  try {
    const plugin = assertPlugin(pluginValue, "device", source);
    device = await plugin.create(host, init.options);
  } catch (e) {
    writer.begin(Frame.Failed).text(`${(e as Error).name}: ${(e as Error).message}`).send();
    return;
  }
  const d = device;
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(d)).filter((k) =>
    k !== "constructor" && typeof (d as unknown as Record<string, unknown>)[k] === "function"
  );
  const ready: ProcessReady = {
    name: d.name,
    regions: d.regions.map((r) => ({ base: r.base, size: r.size })),
    dt: d.dt ?? null,
    methods,
  };
  writer.begin(Frame.Ready).bytes(encodeJson(ready)).send();

  const out: MmioData = { lo: 0, hi: 0 };
  const enter = () => writer.begin(Frame.Enter).send();
  for (;;) {
    if (!reader.next()) return; // the host is gone
    const v = reader.view, at = reader.at, type = reader.type as number;
    clock = v.getFloat64(at, true);
    switch (type) {
      case Frame.MmioRead:
      case Frame.MmioWrite: {
        const offset = v.getUint32(at + 8, true);
        const region = d.regions[v.getUint8(at + 12)];
        const size = v.getUint8(at + 13), vcpu = v.getUint16(at + 14, true);
        let result = MmioResult.Handled;
        out.lo = out.hi = 0;
        enter();
        try {
          if (region === undefined) result = MmioResult.Unclaimed;
          else if (type === Frame.MmioRead) {
            result = region.read(offset, size, vcpu, out);
          } else {
            const lo = v.getUint32(at + 16, true), hi = v.getUint32(at + 20, true);
            result = region.write(offset, size, lo, hi, vcpu);
          }
        } catch (e) {
          // The access completes (a read returns 0) so the vCPU goes on; the device fails.
          result = MmioResult.Handled;
          out.lo = out.hi = 0;
          fault("MMIO access", e);
        }
        writer.begin(Frame.Result).u8(result).u8(0).u16(0).u32(out.lo).u32(out.hi).send();
        break;
      }
      case Frame.Reset:
        enter();
        try {
          d.reset();
        } catch (e) {
          fault("reset", e);
        }
        writer.begin(Frame.Done).send();
        break;
      case Frame.Fire: {
        const fn = timers.get(v.getUint32(at + 8, true));
        timers.delete(v.getUint32(at + 8, true));
        enter();
        try {
          fn?.();
        } catch (e) {
          fault("timer callback", e);
        }
        writer.begin(Frame.Done).send();
        break;
      }
      case Frame.Call: {
        const { method, args } = decodeJson(reader.bytes.subarray(at + 8, at + reader.length)) as {
          method: string;
          args: unknown[];
        };
        const fn = (d as unknown as Record<string, unknown>)[method];
        enter();
        try {
          if (methods.includes(method) && typeof fn === "function") fn.apply(d, args);
        } catch (e) {
          fault(`${method}()`, e);
        }
        writer.begin(Frame.Done).send();
        break;
      }
      case Frame.Describe: {
        enter();
        let snapshot: Record<string, string | number | boolean> = {};
        try {
          snapshot = d.describe();
        } catch (e) {
          fault("describe()", e);
        }
        writer.begin(Frame.Done).bytes(encodeJson(snapshot)).send();
        break;
      }
      case Frame.Close:
        enter();
        try {
          await d.close?.();
        } catch (e) {
          log(`${source}: close() failed: ${(e as Error).message}`);
        }
        writer.begin(Frame.Done).send();
        return;
      default:
        throw new ProtocolError(`unexpected frame ${type} from the host`);
    }
  }
}
