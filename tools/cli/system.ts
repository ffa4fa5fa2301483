/**
 * The composition root of a running gunyah-ts system: the hypervisor core
 * with the architecture plugin, PSCI registered as the SMCCC standard
 * service, the resource manager component, and VMs built by the RM (through
 * hypercalls) with the platform's devices, devicetree and boot images.
 *
 * Used by `gunyah boot`, the end-to-end tests and the benchmarks, so what
 * they exercise is the same path a user runs.
 *
 * @module
 */
import { Hypervisor, ObjectType } from "@gunyah-ts/core";
import type { Addrspace, Thread } from "@gunyah-ts/core";
import type { ArchPlugin, Device, PlatformPlugin } from "@gunyah-ts/core/plugin";
import { aarch64Plugin } from "@gunyah-ts/arch-aarch64";
import { createPsciService, SmcccOwner } from "@gunyah-ts/core";
import {
  createQemuVirtPlatform,
  isPl011,
  type Pl011,
  VIRT_MEM_BASE,
} from "@gunyah-ts/platform-qemu-virt";
import { ResourceManager, RM_PRIVATE_MEMORY_SIZE } from "@gunyah-ts/rm";
import type { GuestConsole } from "./console.ts";
import { deviceAttachTarget, type PreparedDevicePlugins } from "@gunyah-ts/plugin-host";

/** The hypervisor's physical RAM starts where the platform's RAM does (Gunyah QEMU: DDR at 0x4000_0000). */
export const PHYS_RAM_BASE = VIRT_MEM_BASE;

/**
 * Physical RAM the RM claims for its RPC buffers: one page just below the
 * VMs' RAM (Gunyah QEMU's DDR starts at 0x4000_0000; the page below is free
 * in the platform's physical map).
 */
export const RM_PRIVATE_MEMORY_BASE = PHYS_RAM_BASE - RM_PRIVATE_MEMORY_SIZE;

/** Options of a system. */
export interface SystemOptions {
  /** Physical CPUs (default 2). */
  readonly physicalCpus?: number;
  /** Virtual ns per instruction (default 1). */
  readonly nsPerInstruction?: number;
  /** "deterministic" (idle time jumps at once; default) or "realtime" (idle time keeps pace with the host). */
  readonly time?: "deterministic" | "realtime";
  /** Total physical RAM for VMs, bytes. */
  readonly ramBytes: number;
  /** Diagnostics sink (default: none). */
  readonly log?: (message: string) => void;
  /** Seconds since the epoch the RTC starts at (default: fixed, for deterministic runs). */
  readonly rtcEpochSeconds?: number;
  readonly arch?: ArchPlugin;
  readonly platform?: PlatformPlugin;
}

/** What a VM is to be. */
export interface VmLaunch {
  readonly name: string;
  /** RAM bytes. */
  readonly memory: number;
  readonly vcpus: number;
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly bootargs: string;
  /**
   * Device plugins from the VM's configuration, loaded beforehand with
   * `prepareDevicePlugins` (plugins/host/attach.ts); bound to this VM (MMIO
   * slots, RAM, interrupts) and added to its devicetree while it is built.
   */
  readonly devicePlugins?: PreparedDevicePlugins;
}

/** Why a VM stopped running. */
export type VmEnd =
  | { readonly kind: "system_off" }
  | { readonly kind: "system_reset" }
  | { readonly kind: "fault"; readonly detail: string }
  /** Every vCPU was killed or exited (e.g. a forced stop through vcpu_kill). */
  | { readonly kind: "stopped" };

/** A VM the system launched. */
export interface VmInstance {
  readonly name: string;
  readonly vmid: number;
  readonly vcpus: readonly Thread[];
  readonly devices: readonly Device[];
  readonly uart: Pl011;
  /** The PL011 as a console (terminal input in, guest output out). */
  readonly console: GuestConsole;
  /** Settles when the VM powers off, resets, is stopped or a vCPU faults. */
  readonly ended: Promise<VmEnd>;
  /** The flattened devicetree the VM boots with, exactly as placed in its RAM. */
  readonly dtb: Uint8Array;
  /** Whether the boot vCPU has been powered on (RM VM_START). */
  readonly started: boolean;
  /** VM_START: power on the boot vCPU at the boot plan's entry (once; a VM launched with `start: false`). */
  start(): void;
}

/** Fixed RTC start (2026-01-01T00:00:00Z) so deterministic runs read the same date. */
export const DETERMINISTIC_RTC_EPOCH = 1767225600;

/** A running system. */
export class GunyahSystem {
  readonly hv: Hypervisor;
  readonly platform: PlatformPlugin;
  readonly rm: ResourceManager;
  readonly vms: VmInstance[] = [];
  #nextPhys: number = PHYS_RAM_BASE;
  readonly #ramEnd: number;

  private constructor(hv: Hypervisor, platform: PlatformPlugin, ramBytes: number) {
    this.hv = hv;
    this.platform = platform;
    this.#ramEnd = PHYS_RAM_BASE + ramBytes;
    const rmMemory = hv.physicalMemory.regionFor(RM_PRIVATE_MEMORY_BASE, RM_PRIVATE_MEMORY_SIZE);
    this.rm = new ResourceManager({
      privateMemory: rmMemory ? { base: rmMemory.base, bytes: rmMemory.bytes } : undefined,
      log: (m) => hv.log(m),
    });
  }

  /** Start the hypervisor, register PSCI, start the resource manager. */
  static async create(options: SystemOptions): Promise<GunyahSystem> {
    const hv = new Hypervisor({
      arch: options.arch ?? aarch64Plugin,
      cpus: options.physicalCpus,
      nsPerInstruction: options.nsPerInstruction,
      pacing: options.time === "realtime" ? "realtime" : "virtual",
      ram: [
        { base: RM_PRIVATE_MEMORY_BASE, size: RM_PRIVATE_MEMORY_SIZE },
        { base: PHYS_RAM_BASE, size: options.ramBytes },
      ],
    });
    if (options.log) {
      const log = options.log;
      hv.events.on("log", (e) => log(e.message));
    }
    hv.dispatcher.registerSmcccService(SmcccOwner.STANDARD, createPsciService(hv.psci));
    const platform = options.platform ??
      createQemuVirtPlatform({
        rtcEpochSeconds: options.rtcEpochSeconds ?? DETERMINISTIC_RTC_EPOCH,
      });
    const sys = new GunyahSystem(hv, platform, options.ramBytes);
    await hv.addComponent(sys.rm);
    return sys;
  }

  /**
   * Build a VM through the RM, attach the platform's devices, place the
   * devicetree and images, and power on its boot vCPU.
   */
  launch(spec: VmLaunch, options: { readonly start?: boolean } = {}): VmInstance {
    const phys = this.#nextPhys;
    if (phys + spec.memory > this.#ramEnd) {
      throw new Error(
        `VM '${spec.name}' needs ${spec.memory >> 20} MiB but only ${
          (this.#ramEnd - phys) >> 20
        } MiB ` +
          `of physical RAM is left`,
      );
    }
    const ramBase = VIRT_MEM_BASE;
    const rec = this.rm.allocateVm(spec.name, this.vms.length === 0 ? 3 : 0);
    this.rm.initVm(rec.vmid, {
      physBase: phys,
      ipaBase: ramBase,
      size: spec.memory,
      vcpus: spec.vcpus,
      physicalCpus: this.hv.cpuCount,
    });
    this.#nextPhys = phys + spec.memory;
    const caps = rec.caps!;
    const cs = this.hv.rootCspace;
    const addrspace = cs.lookup<Addrspace>(caps.addrspace, ObjectType.ADDRSPACE, 0, false);
    const vcpus = caps.vcpus.map((c) => cs.lookup<Thread>(c, ObjectType.THREAD, 0, false));
    const vmCtx = this.hv.vmFor(addrspace);
    const irq = vmCtx.irq;
    if (!irq) throw new Error(`VM '${spec.name}' has no interrupt controller after activation`);

    const vmOptions = { ramBase, ramSize: spec.memory, vcpus: spec.vcpus, bootargs: spec.bootargs };
    const devices = this.platform.createDevices(
      this.hv.createDeviceHost(addrspace, irq),
      vmOptions,
    );
    for (const d of devices) for (const r of d.regions) vmCtx.bus.addRegion(r);
    const uart = devices.find(isPl011);
    if (!uart) {
      throw new Error(`platform ${this.platform.name} gave VM '${spec.name}' no PL011 console`);
    }

    const plugged = spec.devicePlugins?.bind(deviceAttachTarget(this.hv, addrspace, irq));

    const hypervisorNode = this.rm.hypervisorDtNode(rec.vmid);
    const dtb = this.platform.buildDeviceTree(vmOptions, [
      ...devices.flatMap((d) => d.dt ?? []),
      ...(plugged?.dt ?? []),
      ...(hypervisorNode ? [hypervisorNode] : []),
    ]);
    if (plugged) devices.push(...plugged.devices);
    const plan = this.platform.planBoot(
      { kernel: spec.kernel, initrd: spec.initrd },
      vmOptions,
      dtb,
    );
    for (const blob of plan.blobs) {
      const m = addrspace.lookup(blob.ipa);
      const last = addrspace.lookup(blob.ipa + Math.max(0, blob.data.length - 1));
      if (!m || m !== last) {
        throw new Error(
          `boot image '${blob.name}' at IPA 0x${blob.ipa.toString(16)} does not fit in VM RAM`,
        );
      }
      m.bytes.set(blob.data, m.offset + (blob.ipa - m.ipaBase));
    }

    let settle: (e: VmEnd) => void = () => {};
    const ended = new Promise<VmEnd>((resolve) => (settle = resolve));
    const names = new Set(vcpus.map((t) => t.describeName()));
    const gone = new Set<string>();
    const finish = (e: VmEnd) => {
      offExit();
      offState();
      settle(e);
    };
    const offExit = this.hv.events.on("vm.exit", (e) => {
      if (!names.has(e.thread)) return;
      this.rm.exited(rec.vmid, e.reason);
      finish({ kind: e.reason });
    });
    const offState = this.hv.events.on("thread.state", (e) => {
      if (!names.has(e.thread)) return;
      if (e.change === "fault") {
        this.rm.exited(rec.vmid, `fault: ${e.detail}`);
        finish({ kind: "fault", detail: `${e.thread}: ${e.detail}` });
      } else if (e.change === "killed" || e.change === "exited") {
        gone.add(e.thread);
        if (gone.size === names.size) finish({ kind: "stopped" });
      }
    });

    const console: GuestConsole = {
      input: (bytes) => {
        uart.pushInput(bytes);
        this.hv.wake();
      },
      onOutput: (sink) => uart.setOutput((b: number) => sink(Uint8Array.of(b))),
    };
    let started = false;
    const start = () => {
      if (started) return;
      this.rm.startVm(rec.vmid, plan.entry, plan.x0);
      started = true;
      this.hv.wake();
    };
    const vm: VmInstance = {
      name: spec.name,
      vmid: rec.vmid,
      vcpus,
      devices,
      uart,
      console,
      ended,
      dtb: plan.blobs.find((b) => b.name === "dtb")?.data ?? dtb,
      get started() {
        return started;
      },
      start,
    };
    if (options.start !== false) vm.start();
    this.vms.push(vm);
    return vm;
  }
}
