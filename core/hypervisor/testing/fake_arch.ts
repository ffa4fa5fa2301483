/**
 * A scripted architecture plugin for testing the core without a CPU
 * emulator. A {@link FakeVcpu} runs a *program* chosen by its entry point
 * (set by `reset`, i.e. vcpu_poweron / PSCI CPU_ON): a list of steps that
 * retire instructions, make HVC/SMC calls with registers set, wait for
 * interrupts, access MMIO through the VM's bus, arm a timer, or fault. When
 * the program ends the vCPU spins (retires its whole budget).
 *
 * Every step it executes is appended to {@link FakeArch.log} with the virtual
 * time, so tests can assert exactly what ran where and when.
 *
 * @example
 * ```ts
 * const arch = new FakeArch({ 0x1000n: [{ op: "work", n: 100 }, { op: "wfi" }] });
 * ```
 *
 * @module
 */
import {
  type ArchPlugin,
  type ArchVcpu,
  DebugStopReason,
  ExitKind,
  type ExitRecord,
  type HostWatchpoint,
  type InterruptControllerConfig,
  type InterruptControllerInstance,
  type MmioData,
  type MmioRegion,
  MmioResult,
  PLUGIN_API_VERSION,
  RegisterSet,
  type VcpuDebug,
  type VcpuInit,
  WatchKind,
} from "../../plugin/contracts.ts";

/** One step of a fake program. */
export type FakeStep =
  /** Retire `n` instructions (may span several runs). */
  | { readonly op: "work"; readonly n: number }
  /** Set registers X0.. from `x`, then exit HVC with `imm` (the HVC retires). */
  | { readonly op: "hvc"; readonly imm: number; readonly x: readonly bigint[] }
  /** Same with SMC. */
  | { readonly op: "smc"; readonly imm: number; readonly x: readonly bigint[] }
  /** WFI: exit unless an interrupt is pending. */
  | { readonly op: "wfi" }
  /** Load from `ipa` through the MMIO bus into X`reg`. */
  | { readonly op: "load"; readonly ipa: number; readonly size: number; readonly reg: number }
  /** Store `value` to `ipa` through the MMIO bus. */
  | { readonly op: "store"; readonly ipa: number; readonly size: number; readonly value: bigint }
  /** Arm the vCPU's timer at absolute virtual time `at` (its interrupt is pending from then on). */
  | { readonly op: "timer"; readonly at: number }
  /** Disarm the timer (as a guest's interrupt handler would). */
  | { readonly op: "timer_off" }
  /** The vCPU faults. */
  | { readonly op: "fault"; readonly message: string }
  /** Jump to step `to`. */
  | { readonly op: "goto"; readonly to: number };

/**
 * The fake's host debugging: a step's "address" is `entry + 4 * stepIndex`
 * (a breakpoint there stops before the step), a load or store step's IPA is
 * its virtual address for watchpoints, and GDB registers 0-30 / 32 are X0-X30
 * / PC.
 */
export class FakeVcpuDebug implements VcpuDebug {
  readonly breakpoints: Set<bigint> = new Set<bigint>();
  watchpoints: readonly HostWatchpoint[] = [];
  singleStep = false;
  stopReason: DebugStopReason = DebugStopReason.Step;
  stopAddress = 0n;
  /** Every setBreakpoints/setWatchpoints call (how often the core re-applies them). */
  sets = 0;
  readonly targetXml = '<?xml version="1.0"?><target><architecture>fake</architecture></target>';

  constructor(readonly vcpu: FakeVcpu) {}

  setBreakpoints(vas: readonly bigint[]): void {
    this.breakpoints.clear();
    for (const v of vas) this.breakpoints.add(v);
    this.sets++;
  }

  setWatchpoints(list: readonly HostWatchpoint[]): void {
    this.watchpoints = [...list];
    this.sets++;
  }

  readRegister(n: number): bigint | null {
    if (n >= 0 && n <= 30) return this.vcpu.x[n];
    return n === 32 ? this.vcpu.pc : null;
  }

  writeRegister(n: number, value: bigint): boolean {
    if (n >= 0 && n <= 30) this.vcpu.x[n] = BigInt.asUintN(64, value);
    else if (n === 32) this.vcpu.pc = BigInt.asUintN(64, value);
    else return false;
    return true;
  }

  /** Whether an access of `size` bytes at `ipa` (a store if `write`) touches a watchpoint. */
  watched(ipa: number, size: number, write: boolean): boolean {
    const a = BigInt(ipa);
    for (const w of this.watchpoints) {
      const kindHit = write ? (w.kind & WatchKind.Write) !== 0 : (w.kind & WatchKind.Read) !== 0;
      if (kindHit && a < w.va + BigInt(w.length) && w.va < a + BigInt(size)) return true;
    }
    return false;
  }
}

/** A scripted vCPU. */
export class FakeVcpu implements ArchVcpu {
  readonly exit: ExitRecord = {
    kind: ExitKind.Budget,
    imm: 0,
    ipa: 0,
    size: 0,
    write: false,
    valueLo: 0,
    valueHi: 0,
    message: "",
  };
  retired = 0;
  /** X0..X30. */
  readonly x: bigint[] = new Array(31).fill(0n);
  pc = 0n;
  sp: bigint[] = [0n, 0n];
  /** Index of the next step; `workLeft` instructions remain of a partial "work" step. */
  step = 0;
  workLeft = -1;
  timerAt = Infinity;
  program: readonly FakeStep[] = [];
  resets = 0;
  /** The entry point of the program (step addresses for breakpoints count from it). */
  entry = 0n;
  /** Host debugging (FakeVcpuDebug). */
  readonly debug: FakeVcpuDebug = new FakeVcpuDebug(this);

  /** `vcpuN`, N = creation order within the arch (unique across VMs). */
  readonly name: string;

  constructor(readonly init: VcpuInit, readonly arch: FakeArch) {
    this.name = `vcpu${arch.vcpus.length}`;
  }

  /** Whether the host debugger stops the vCPU before step `s` (sets the stop reason). */
  #debugStop(s: FakeStep | undefined): boolean {
    const dbg = this.debug;
    if (dbg.singleStep && this.retired >= 1) {
      dbg.stopReason = DebugStopReason.Step;
      return true;
    }
    if (this.workLeft < 0 && dbg.breakpoints.has(this.entry + 4n * BigInt(this.step))) {
      dbg.stopReason = DebugStopReason.Breakpoint;
      return true;
    }
    if (
      s && (s.op === "load" || s.op === "store") && dbg.watched(s.ipa, s.size, s.op === "store")
    ) {
      dbg.stopReason = DebugStopReason.Watchpoint;
      dbg.stopAddress = BigInt(s.ipa);
      return true;
    }
    return false;
  }

  run(budget: number): ExitKind {
    this.retired = 0;
    const e = this.exit;
    const log = this.arch.log;
    const name = this.name;
    if (this.debug.singleStep && budget > 1) budget = 1;
    while (this.retired < budget || this.debug.singleStep) {
      const s0 = this.program[this.step];
      if (this.#debugStop(s0)) {
        log.push(`${this.init.clock.now + this.retired} ${name} debug ${this.debug.stopReason}`);
        return this.#exit(ExitKind.Debug, 0);
      }
      if (this.step >= this.program.length) {
        this.retired = budget;
        if (this.debug.singleStep) continue;
        break;
      }
      const s = this.program[this.step];
      const now = this.init.clock.now + this.retired * this.init.clock.nsPerInstruction;
      switch (s.op) {
        case "work": {
          if (this.workLeft < 0) this.workLeft = s.n;
          const take = Math.min(this.workLeft, budget - this.retired);
          this.retired += take;
          this.workLeft -= take;
          if (this.workLeft === 0) {
            this.workLeft = -1;
            this.step++;
            log.push(`${now + take * this.init.clock.nsPerInstruction} ${name} worked ${s.n}`);
          }
          break;
        }
        case "hvc":
        case "smc":
          s.x.forEach((v, i) => (this.x[i] = BigInt.asUintN(64, v)));
          this.step++;
          this.retired++;
          log.push(`${now} ${name} ${s.op} 0x${s.imm.toString(16)}`);
          return this.#exit(s.op === "hvc" ? ExitKind.Hvc : ExitKind.Smc, s.imm);
        case "wfi":
          this.step++;
          this.retired++;
          if (this.hasPendingInterrupt()) break;
          log.push(`${now} ${name} wfi`);
          return this.#exit(ExitKind.Wfi, 0);
        case "load": {
          const bus = this.init.mmio;
          const r = bus.read(s.ipa, s.size, this.init.index);
          if (r === MmioResult.Exit) {
            e.ipa = s.ipa;
            e.size = s.size;
            e.write = false;
            log.push(`${now} ${name} load exit 0x${s.ipa.toString(16)}`);
            return this.#exit(ExitKind.Mmio, 0);
          }
          const v = r === MmioResult.Handled
            ? (BigInt(bus.dataHi) << 32n) | BigInt(bus.dataLo)
            : -1n;
          this.x[s.reg] = BigInt.asUintN(64, v);
          log.push(`${now} ${name} load 0x${s.ipa.toString(16)} = 0x${this.x[s.reg].toString(16)}`);
          this.step++;
          this.retired++;
          break;
        }
        case "store": {
          const lo = Number(s.value & 0xffffffffn), hi = Number((s.value >> 32n) & 0xffffffffn);
          const r = this.init.mmio.write(s.ipa, s.size, lo, hi, this.init.index);
          if (r === MmioResult.Exit) {
            e.ipa = s.ipa;
            e.size = s.size;
            e.write = true;
            e.valueLo = lo;
            e.valueHi = hi;
            log.push(`${now} ${name} store exit 0x${s.ipa.toString(16)}`);
            return this.#exit(ExitKind.Mmio, 0);
          }
          log.push(`${now} ${name} store 0x${s.ipa.toString(16)}`);
          this.step++;
          this.retired++;
          break;
        }
        case "timer":
          this.timerAt = s.at;
          this.step++;
          break;
        case "timer_off":
          this.timerAt = Infinity;
          this.step++;
          break;
        case "fault":
          this.step++;
          e.message = s.message;
          return this.#exit(ExitKind.Fault, 0);
        case "goto":
          this.step = s.to;
          break;
      }
    }
    return this.#exit(ExitKind.Budget, 0);
  }

  #exit(kind: ExitKind, imm: number): ExitKind {
    this.exit.kind = kind;
    this.exit.imm = imm;
    return kind;
  }

  reset(entry: bigint, context: bigint): void {
    this.x.fill(0n);
    this.x[0] = context;
    this.pc = entry;
    this.entry = entry;
    this.program = this.arch.programs.get(entry) ?? [];
    this.step = 0;
    this.workLeft = -1;
    this.timerAt = Infinity;
    this.resets++;
    this.arch.log.push(
      `${this.init.clock.now} ${this.name} reset pc=0x${entry.toString(16)} x0=0x${
        context.toString(16)
      }`,
    );
  }

  getRegister(set: RegisterSet, index: number): bigint {
    if (set === RegisterSet.X) return this.x[index];
    if (set === RegisterSet.PC) return this.pc;
    return this.sp[index];
  }

  setRegister(set: RegisterSet, index: number, value: bigint): boolean {
    if (set === RegisterSet.X && index >= 0 && index <= 30) {
      this.x[index] = BigInt.asUintN(64, value);
    } else if (set === RegisterSet.PC && index === 0) this.pc = value;
    else if (set === RegisterSet.SP_EL && (index === 0 || index === 1)) this.sp[index] = value;
    else return false;
    return true;
  }

  translate(va: bigint): number | null {
    return Number(va);
  }

  hasPendingInterrupt(): boolean {
    return this.timerAt <= this.init.clock.now || this.init.irq.hasPending(this.init.index);
  }

  nextDeadline(): number {
    return this.timerAt;
  }

  describe(): Record<string, string | number | boolean> {
    return { index: this.init.index, step: this.step, pc: `0x${this.pc.toString(16)}` };
  }
}

/** The fake architecture: programs by entry point, a shared log, the created vCPUs. */
export class FakeArch implements ArchPlugin {
  readonly kind = "arch";
  readonly apiVersion = PLUGIN_API_VERSION;
  readonly name = "fake";
  readonly log: string[] = [];
  readonly vcpus: FakeVcpu[] = [];
  readonly programs: Map<bigint, readonly FakeStep[]>;

  constructor(
    programs: Record<string, readonly FakeStep[]> | Map<bigint, readonly FakeStep[]> = {},
  ) {
    this.programs = programs instanceof Map
      ? programs
      : new Map(Object.entries(programs).map(([k, v]) => [BigInt(k), v]));
  }

  createVcpu(init: VcpuInit): ArchVcpu {
    const v = new FakeVcpu(init, this);
    this.vcpus.push(v);
    return v;
  }

  /** Controllers created, in order. */
  readonly controllers: FakeInterruptController[] = [];

  createInterruptController(
    config: InterruptControllerConfig,
    placement: { readonly distributorBase: number; readonly redistributorBase: number },
  ): InterruptControllerInstance {
    const c = new FakeInterruptController(config, placement);
    this.controllers.push(c);
    return c;
  }
}

/** A register file answering any offset: reads return the last value written there. */
class FakeRegisterRegion implements MmioRegion {
  readonly #regs = new Map<number, number>();
  constructor(readonly base: number, readonly size: number, readonly name: string) {}
  read(offset: number, _size: number, _vcpu: number, out: MmioData): MmioResult {
    out.lo = this.#regs.get(offset) ?? 0;
    out.hi = 0;
    return MmioResult.Handled;
  }
  write(offset: number, _size: number, lo: number): MmioResult {
    this.#regs.set(offset, lo >>> 0);
    return MmioResult.Handled;
  }
}

/**
 * A minimal interrupt controller: level/pending state per (INTID, vCPU) with
 * no priorities; GICD and GICR "frames" are plain register files. Enough to
 * observe what the core asserts and where the frames are mapped.
 */
export class FakeInterruptController implements InterruptControllerInstance {
  readonly spiCount: number;
  readonly regions: readonly MmioRegion[];
  /** Pending INTIDs per vCPU index (SPIs go to vCPU 0). */
  readonly pending: Set<number>[] = [];
  readonly attached: (ArchVcpu | undefined)[] = [];
  /** Every setLine/pulse call, as text. */
  readonly calls: string[] = [];

  constructor(
    readonly config: InterruptControllerConfig,
    placement: { readonly distributorBase: number; readonly redistributorBase: number },
  ) {
    this.spiCount = config.spis;
    for (let i = 0; i < config.vcpus; i++) this.pending.push(new Set());
    this.regions = [
      new FakeRegisterRegion(placement.distributorBase, 0x10000, "gicd"),
      new FakeRegisterRegion(placement.redistributorBase, 0x20000 * config.vcpus, "gicr"),
    ];
  }

  setLine(virq: number, level: boolean, vcpuIndex = 0): void {
    this.calls.push(`line ${virq} ${level ? 1 : 0} ${vcpuIndex}`);
    if (level) this.pending[vcpuIndex].add(virq);
  }

  pulse(virq: number, vcpuIndex = 0): void {
    this.calls.push(`pulse ${virq} ${vcpuIndex}`);
    this.pending[vcpuIndex].add(virq);
  }

  hasPending(vcpuIndex: number): boolean {
    return (this.pending[vcpuIndex]?.size ?? 0) > 0;
  }

  attachVcpu(index: number, vcpu: ArchVcpu): void {
    this.attached[index] = vcpu;
  }
}
