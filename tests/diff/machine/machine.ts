/**
 * A small, real single-VM machine for differential testing: one AArch64 vCPU
 * from the arch plugin, its GICv3, the qemu-virt platform's PL011 and PL031 on
 * an MMIO bus, 128 MiB of RAM at 0x40000000, PSCI over HVC through the PSCI
 * service, and a virtual clock that advances one nanosecond per retired
 * instruction (the same rule as QEMU's `-icount shift=0`) and jumps to the
 * next timer deadline while the vCPU waits in WFI.
 *
 * It is the QEMU `virt` machine as a bare-metal guest sees it, without the
 * Gunyah object model in between, so the comparison isolates the CPU, the
 * vGIC and the devices.
 *
 * @module
 */
import {
  type ArchVcpu,
  type DeviceHost,
  ExitKind,
  type InterruptControllerInstance,
  RegisterSet,
  type VirtualClockReader,
} from "../../../core/plugin/contracts.ts";
import { VmMmioBus } from "../../../core/hypervisor/vm_mmio_bus.ts";
import { aarch64Plugin } from "../../../arch/aarch64/plugin.ts";
import { createPsciService } from "../../../arch/aarch64/psci/service.ts";
import { createQemuVirtPlatform } from "../../../platform/qemu-virt/platform.ts";
import { parseElf64 } from "../../../platform/qemu-virt/boot/elf64.ts";
import {
  VIRT_GIC_DIST_BASE,
  VIRT_GIC_REDIST_BASE,
  VIRT_MEM_BASE,
} from "../../../platform/qemu-virt/memory_map.ts";
import { FlatRam } from "./flat_ram.ts";
import { TimerQueue } from "./timer_queue.ts";
import { SingleVcpuPsciHost } from "./single_vm_psci.ts";

/** RAM size of the reference machine (QEMU `-m 128M`). */
export const DIFF_RAM_SIZE = 128 * 1024 * 1024;
/** SPIs of QEMU virt's GIC (hw/arm/virt.h NUM_IRQS = 256). */
export const VIRT_SPI_COUNT = 256;
/** Instructions per run slice between checks of timers and the instruction limit. */
const SLICE = 20_000;
/** SMCCC: X0 bits that select a PSCI-range function (the 32-bit function ID). */
const FUNCTION_ID_MASK = 0xffffffffn;
/** SMCCC NOT_SUPPORTED (-1) for a call no service implements. */
const SMCCC_NOT_SUPPORTED = 0xffffffffffffffffn;

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
  /** Stop after this many instructions (default 2e9). */
  readonly maxInstructions?: number;
  /** Diagnostics from the vCPU (unknown encodings, ...). */
  readonly log?: (message: string) => void;
}

class MutableClock implements VirtualClockReader {
  now = 0;
  readonly nsPerInstruction = 1;
}

/** One VM with one vCPU, built from the plugins. */
export class DiffMachine {
  readonly ram: FlatRam = new FlatRam(VIRT_MEM_BASE, DIFF_RAM_SIZE);
  readonly bus: VmMmioBus = new VmMmioBus();
  readonly gic: InterruptControllerInstance;
  readonly vcpu: ArchVcpu;
  readonly #clock = new MutableClock();
  readonly #timers = new TimerQueue();
  readonly #psciHost = new SingleVcpuPsciHost();
  readonly #psci = createPsciService<null>(this.#psciHost);
  readonly #regs = new BigUint64Array(8);
  #out: number[] = [];
  readonly #maxInstructions: number;

  constructor(options: MachineOptions = {}) {
    this.#maxInstructions = options.maxInstructions ?? 2e9;
    const log = options.log ?? (() => {});
    this.gic = aarch64Plugin.createInterruptController(
      { vcpus: 1, spis: VIRT_SPI_COUNT },
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
    const vm = { ramBase: VIRT_MEM_BASE, ramSize: DIFF_RAM_SIZE, vcpus: 1, bootargs: "" };
    const [uart, rtc] = platform.createDevices(host, vm);
    uart.setOutput((byte) => this.#out.push(byte));
    for (const d of [uart, rtc]) for (const r of d.regions) this.bus.addRegion(r);
    this.vcpu = aarch64Plugin.createVcpu({
      index: 0,
      mpidr: 0,
      memory: this.ram,
      mmio: this.bus,
      irq: this.gic,
      clock: this.#clock,
      wake: () => {},
      log,
    });
    this.gic.attachVcpu(0, this.vcpu);
  }

  /** Load an AArch64 ELF (PT_LOAD segments at their physical addresses) and reset the vCPU to its entry. */
  loadElf(elf: Uint8Array): void {
    const image = parseElf64(elf);
    for (const seg of image.segments) {
      this.ram.write(seg.address, seg.data);
    }
    this.vcpu.reset(BigInt(image.entry), 0n);
  }

  /** Copy raw bytes to `ipa` and reset the vCPU to `entry` (for hand-assembled tests). */
  loadImage(ipa: number, bytes: Uint8Array, entry: number): void {
    this.ram.write(ipa, bytes);
    this.vcpu.reset(BigInt(entry), 0n);
  }

  /** Run until SYSTEM_OFF (or a limit); returns the console output and why it stopped. */
  run(): MachineRun {
    const vcpu = this.vcpu, clock = this.#clock;
    let instructions = 0;
    let reason: StopReason | null = null;
    let message = "";
    while (reason === null) {
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
          this.#serviceCall();
          if (this.#psciHost.request === "off") reason = "system-off";
          else if (this.#psciHost.request === "reset") reason = "system-reset";
          break;
        case ExitKind.Wfi: {
          if (vcpu.hasPendingInterrupt()) break;
          const next = Math.min(vcpu.nextDeadline(), this.#timers.next());
          if (next === Infinity) {
            reason = "stuck";
            message = `WFI with no interrupt pending and no timer armed at pc ${
              vcpu.getRegister(RegisterSet.PC, 0).toString(16)
            }`;
          } else if (next > clock.now) {
            clock.now = next;
          }
          break;
        }
        default:
          reason = "fault";
          message = `vCPU exit kind ${exit}: ${vcpu.exit.message}`;
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

  /** HVC/SMC: PSCI (STANDARD owner) or NOT_SUPPORTED, with X0..X7 in and out. */
  #serviceCall(): void {
    const regs = this.#regs;
    for (let i = 0; i < 8; i++) regs[i] = this.vcpu.getRegister(RegisterSet.X, i);
    const id = Number(regs[0] & FUNCTION_ID_MASK);
    if (!this.#psci(null, id, regs, "hvc")) regs[0] = SMCCC_NOT_SUPPORTED;
    for (let i = 0; i < 4; i++) this.vcpu.setRegister(RegisterSet.X, i, regs[i]);
  }
}
