/**
 * A scripted {@link GdbTarget} for the protocol tests: two vCPUs with five
 * registers (x0, x1 and pc 64-bit, sp 64-bit, cpsr 32-bit), 4 KiB of RAM at
 * 0x1000, and stops the test raises with {@link FakeTarget.hit}.
 *
 * @module
 */
import type { HostWatchpoint } from "@gunyah-ts/core/plugin";
import type { GdbStop, GdbTarget, GdbThreadInfo, VcpuResume } from "../target.ts";

/** The fake's target description. */
export const FAKE_TARGET_XML = `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target><architecture>aarch64</architecture>
<feature name="org.gnu.gdb.aarch64.core">
<reg name="x0" bitsize="64"/><reg name="x1" bitsize="64"/>
<reg name="sp" bitsize="64" regnum="31"/><reg name="pc" bitsize="64"/>
<reg name="cpsr" bitsize="32"/>
</feature></target>`;

/** First byte of the fake's RAM. */
export const FAKE_RAM_BASE = 0x1000n;

/** The scripted target. */
export class FakeTarget implements GdbTarget {
  readonly targetXml = FAKE_TARGET_XML;
  /** Registers per vCPU by GDB number. */
  readonly regs: Map<number, bigint>[] = [new Map(), new Map()];
  readonly ram = new Uint8Array(0x1000);
  stopped = false;
  attached = false;
  breakpoints: readonly bigint[] = [];
  watchpoints: readonly HostWatchpoint[] = [];
  /** Each resume plan, as "c,s" (one letter per vCPU: c continue, s step, - stop). */
  readonly resumes: string[] = [];
  detaches = 0;
  #onStop: (stop: GdbStop) => void = () => {};

  constructor() {
    for (const [i, r] of this.regs.entries()) {
      r.set(0, 0x1111n * BigInt(i + 1));
      r.set(1, 0x0123456789abcdefn);
      r.set(31, 0x8000n);
      r.set(32, 0x1000n + BigInt(i) * 0x10n);
      r.set(33, 0x3c5n);
    }
  }

  threads(): readonly GdbThreadInfo[] {
    return [{ vcpu: 0, name: "vm vcpu0" }, { vcpu: 1, name: "vm <vcpu1>" }];
  }

  attach(onStop: (stop: GdbStop) => void): void {
    this.attached = true;
    this.#onStop = onStop;
  }

  detach(): void {
    this.attached = false;
    this.stopped = false;
    this.detaches++;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.#onStop({ kind: "interrupt", vcpu: 0 });
  }

  resume(how: (vcpu: number) => VcpuResume): boolean {
    const plan = [0, 1].map((v) => ({ continue: "c", step: "s", stop: "-" })[how(v)]);
    if (plan.every((p) => p === "-")) return false;
    this.resumes.push(plan.join(","));
    this.stopped = false;
    return true;
  }

  /** The VM stops on its own (as a vCPU's debug exit would). */
  hit(stop: GdbStop): void {
    this.stopped = true;
    this.#onStop(stop);
  }

  readRegister(vcpu: number, n: number): bigint | null {
    return this.regs[vcpu]?.get(n) ?? null;
  }

  writeRegister(vcpu: number, n: number, value: bigint): boolean {
    const r = this.regs[vcpu];
    if (!r?.has(n)) return false;
    r.set(n, value);
    return true;
  }

  readMemory(_vcpu: number, address: bigint, length: number): Uint8Array {
    const at = Number(address - FAKE_RAM_BASE);
    if (address < FAKE_RAM_BASE || at >= this.ram.length) return new Uint8Array(0);
    return this.ram.slice(at, Math.min(at + length, this.ram.length));
  }

  writeMemory(_vcpu: number, address: bigint, data: Uint8Array): boolean {
    const at = Number(address - FAKE_RAM_BASE);
    if (address < FAKE_RAM_BASE || at + data.length > this.ram.length) return false;
    this.ram.set(data, at);
    return true;
  }

  setBreakpoints(vas: readonly bigint[]): void {
    this.breakpoints = vas;
  }

  setWatchpoints(list: readonly HostWatchpoint[]): void {
    if (list.length > 4) throw new RangeError(`${list.length} host watchpoints: at most 4`);
    this.watchpoints = list;
  }

  monitor(command: string): string {
    return command === "" ? "" : `you said ${command}\n`;
  }
}
