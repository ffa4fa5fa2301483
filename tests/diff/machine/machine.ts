/**
 * A small, real single-VM machine for differential testing: AArch64 vCPUs
 * from the arch plugin (one by default, up to eight), their GICv3, the
 * qemu-virt platform's PL011 and PL031 on an MMIO bus, 128 MiB of RAM at
 * 0x40000000, PSCI over HVC through the PSCI service (CPU_ON starts the
 * secondaries), and a virtual clock that advances one nanosecond per retired
 * instruction (the same rule as QEMU's `-icount shift=0`) and jumps to the
 * next timer deadline while every vCPU waits in WFI.
 *
 * It is the QEMU `virt` machine as a bare-metal guest sees it, without the
 * Gunyah object model in between, so the comparison isolates the CPU, the
 * vGIC and the devices.
 *
 * @module
 */
import {
  type ArchPlugin,
  type ArchVcpu,
  type DeviceHost,
  ExitKind,
  type InterruptControllerInstance,
  RegisterSet,
  type VirtualClockReader,
} from "@gunyah-ts/core/plugin";
import { aarch64Plugin } from "@gunyah-ts/arch-aarch64";
import { createPsciService, type PsciServiceHandler, VmMmioBus } from "@gunyah-ts/core";
import { SMCCC_UNKNOWN_FUNCTION } from "@gunyah-ts/core/abi";
import {
  createQemuVirtPlatform,
  parseElf64,
  VIRT_GIC_DIST_BASE,
  VIRT_GIC_REDIST_BASE,
  VIRT_MEM_BASE,
} from "@gunyah-ts/platform-qemu-virt";
import { FlatRam } from "./flat_ram.ts";
import { TimerQueue } from "./timer_queue.ts";
import { VmPsciHost } from "./vm_psci_host.ts";

/** RAM size of the reference machine (QEMU `-m 128M`). */
export const DIFF_RAM_SIZE = 128 * 1024 * 1024;
/** SPIs of QEMU virt's GIC (hw/arm/virt.h NUM_IRQS = 256). */
export const VIRT_SPI_COUNT = 256;
/** Instructions per run slice between checks of timers and the instruction limit. */
const SLICE = 20_000;
/** SMCCC: X0 bits that select a PSCI-range function (the 32-bit function ID). */
const FUNCTION_ID_MASK = 0xffffffffn;
/** SMCCC NOT_SUPPORTED (-1) for a call no service implements. */
const SMCCC_NOT_SUPPORTED: bigint = BigInt.asUintN(64, BigInt(SMCCC_UNKNOWN_FUNCTION));

/** Why a differential run ended. */
export type StopReason =
  | "system-off" // PSCI SYSTEM_OFF: the normal end
  | "system-reset"
  | "instruction-limit" // the guest ran longer than allowed
  | "stuck" // WFI with no interrupt pending and no timer armed
  | "fault"; // the vCPU could not continue (exit.message says why)

/** Result of {@link DiffMachine.run}. */
export interface MachineRun {
  /** Console bytes as Latin-1 (one char per byte). */
  readonly output: string;
  /** Why the run ended. */
  readonly reason: StopReason;
  /** Instructions retired. */
  readonly instructions: number;
  /** Virtual nanoseconds elapsed. */
  readonly virtualNs: number;
  /** Diagnostic for `fault`/`stuck`. */
  readonly message: string;
}

/** Options of {@link DiffMachine}. */
export interface MachineOptions {
  /** Number of vCPUs (QEMU `-smp`; default 1). vCPU i has MPIDR Aff0 = i. */
  readonly vcpus?: number;
  /** Stop after this many instructions, all vCPUs together (default 2e9). */
  readonly maxInstructions?: number;
  /** Diagnostics from the vCPUs (unknown encodings, ...). */
  readonly log?: (message: string) => void;
  /** The arch plugin (default: `aarch64Plugin`, its CPU mode from the environment). */
  readonly arch?: ArchPlugin;
}

/** Most vCPUs: QEMU virt puts eight CPUs in cluster 0 (Aff0 0..7), which is all the PSCI host models. */
export const DIFF_MAX_VCPUS = 8;

class MutableClock implements VirtualClockReader {
  now = 0;
  readonly nsPerInstruction = 1;
}

/**
 * One VM built from the plugins. vCPUs run in turn, a slice each, on one
 * virtual clock that advances with every retired instruction of any vCPU
 * (as QEMU's `-icount` does with its round-robin vCPU thread).
 */
export class DiffMachine {
  /** Guest RAM at 0x40000000. */
  readonly ram: FlatRam = new FlatRam(VIRT_MEM_BASE, DIFF_RAM_SIZE);
  /** Everything that is not RAM: the GIC frames, PL011, PL031. */
  readonly bus: VmMmioBus = new VmMmioBus();
  /** The GICv3 from the arch plugin. */
  readonly gic: InterruptControllerInstance;
  /** The vCPUs; index i has MPIDR Aff0 = i. */
  readonly vcpus: readonly ArchVcpu[];
  readonly #clock = new MutableClock();
  readonly #timers = new TimerQueue();
  readonly #psciHost: VmPsciHost;
  readonly #psci: PsciServiceHandler<number>;
  readonly #regs = new BigUint64Array(8);
  /** Per vCPU: waiting in WFI for an interrupt. */
  readonly #parked: boolean[];
  #out: number[] = [];
  readonly #maxInstructions: number;

  /** Build the machine; throws a RangeError for an unsupported vCPU count. */
  constructor(options: MachineOptions = {}) {
    const n = options.vcpus ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > DIFF_MAX_VCPUS) {
      throw new RangeError(`vcpus must be 1..${DIFF_MAX_VCPUS} (got ${n})`);
    }
    this.#maxInstructions = options.maxInstructions ?? 2e9;
    const log = options.log ?? (() => {});
    const arch = options.arch ?? aarch64Plugin;
    this.gic = arch.createInterruptController(
      { vcpus: n, spis: VIRT_SPI_COUNT },
      { distributorBase: VIRT_GIC_DIST_BASE, redistributorBase: VIRT_GIC_REDIST_BASE },
    );
    for (const r of this.gic.regions) this.bus.addRegion(r);
    const host: DeviceHost = {
      memory: this.ram,
      setIrq: (intid, level) => this.gic.setLine(intid, level),
      clock: this.#clock,
      setTimer: (at, fn) => this.#timers.add(at, fn),
      log,
    };
    const platform = createQemuVirtPlatform({ rtcEpochSeconds: 0 });
    const vm = { ramBase: VIRT_MEM_BASE, ramSize: DIFF_RAM_SIZE, vcpus: n, bootargs: "" };
    const [uart, rtc] = platform.createDevices(host, vm);
    uart.setOutput((byte) => this.#out.push(byte));
    for (const d of [uart, rtc]) for (const r of d.regions) this.bus.addRegion(r);
    this.vcpus = Array.from({ length: n }, (_, index) =>
      arch.createVcpu({
        index,
        mpidr: index,
        memory: this.ram,
        mmio: this.bus,
        irq: this.gic,
        clock: this.#clock,
        wake: (i) => this.#parked[i] = false,
        log,
      }));
    this.#parked = new Array(n).fill(false);
    this.vcpus.forEach((v, i) => this.gic.attachVcpu(i, v));
    this.#psciHost = new VmPsciHost(n, {
      powerOn: (i, entry, context) => {
        this.vcpus[i].reset(entry, context);
        this.#parked[i] = false;
      },
    });
    this.#psci = createPsciService<number>(this.#psciHost);
  }

  /** The boot vCPU. */
  get vcpu(): ArchVcpu {
    return this.vcpus[0];
  }

  /** Load an AArch64 ELF (PT_LOAD segments at their physical addresses) and reset the boot vCPU to its entry. */
  loadElf(elf: Uint8Array): void {
    const image = parseElf64(elf);
    for (const seg of image.segments) {
      this.ram.write(seg.address, seg.data);
    }
    this.vcpu.reset(BigInt(image.entry), 0n);
  }

  /** Copy raw bytes to `ipa` and reset the boot vCPU to `entry` (for hand-assembled tests). */
  loadImage(ipa: number, bytes: Uint8Array, entry: number): void {
    this.ram.write(ipa, bytes);
    this.vcpu.reset(BigInt(entry), 0n);
  }

  /** Run until SYSTEM_OFF (or a limit); returns the console output and why it stopped. */
  run(): MachineRun {
    const clock = this.#clock, on = this.#psciHost.on, parked = this.#parked;
    let instructions = 0;
    let reason: StopReason | null = null;
    let message = "";
    while (reason === null) {
      let ranAny = false;
      for (let i = 0; i < this.vcpus.length && reason === null; i++) {
        const vcpu = this.vcpus[i];
        if (!on[i]) continue;
        if (parked[i]) {
          if (!vcpu.hasPendingInterrupt()) continue;
          parked[i] = false;
        }
        ranAny = true;
        this.#timers.fire(clock.now);
        const exit = vcpu.run(SLICE);
        instructions += vcpu.retired;
        clock.now += vcpu.retired * clock.nsPerInstruction;
        switch (exit) {
          case ExitKind.Budget:
          case ExitKind.Wfe:
            break;
          case ExitKind.Hvc:
          case ExitKind.Smc:
            this.#serviceCall(i);
            if (this.#psciHost.request === "off") reason = "system-off";
            else if (this.#psciHost.request === "reset") reason = "system-reset";
            break;
          case ExitKind.Wfi:
            if (!vcpu.hasPendingInterrupt()) parked[i] = true;
            break;
          default:
            reason = "fault";
            message = `vCPU ${i} exit kind ${exit}: ${vcpu.exit.message}`;
        }
      }
      if (reason === null && !ranAny) {
        // Every powered-on vCPU waits for an interrupt: jump to the next timer event.
        let next = this.#timers.next();
        for (let i = 0; i < this.vcpus.length; i++) {
          if (on[i]) next = Math.min(next, this.vcpus[i].nextDeadline());
        }
        if (next === Infinity) {
          reason = "stuck";
          message =
            `every vCPU waits in WFI with no interrupt pending and no timer armed (vCPU 0 at pc ${
              this.vcpu.getRegister(RegisterSet.PC, 0).toString(16)
            })`;
        } else {
          clock.now = Math.max(clock.now, next);
          this.#timers.fire(clock.now);
          // Re-evaluate the timers of parked vCPUs at the new time.
          for (let i = 0; i < this.vcpus.length; i++) if (on[i]) parked[i] = false;
        }
      }
      if (reason === null && instructions >= this.#maxInstructions) {
        reason = "instruction-limit";
        message = `stopped after ${instructions} instructions`;
      }
    }
    const bytes = this.#out;
    let output = "";
    for (let i = 0; i < bytes.length; i += 8192) {
      output += String.fromCharCode(...bytes.slice(i, i + 8192));
    }
    return { output, reason, instructions, virtualNs: clock.now, message };
  }

  /** HVC/SMC of vCPU `caller`: PSCI (STANDARD owner) or NOT_SUPPORTED, with X0..X7 in and out. */
  #serviceCall(caller: number): void {
    const regs = this.#regs, vcpu = this.vcpus[caller];
    for (let i = 0; i < 8; i++) regs[i] = vcpu.getRegister(RegisterSet.X, i);
    const id = Number(regs[0] & FUNCTION_ID_MASK);
    if (!this.#psci(caller, id, regs, "hvc")) regs[0] = SMCCC_NOT_SUPPORTED;
    for (let i = 0; i < 4; i++) vcpu.setRegister(RegisterSet.X, i, regs[i]);
  }
}
