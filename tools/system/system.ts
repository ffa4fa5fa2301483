/**
 * The composition root of a running gunyah-ts system: it loads the arch and
 * platform plugins by specifier (machine_plugins.ts), creates the hypervisor
 * core on the arch with the board's answers (vGIC placement, MPIDR layout),
 * registers PSCI as the SMCCC standard service, makes the resource manager's
 * partition and cspace and the host VMM; the first VM launched is the
 * primary, which the RM builds from its boot description when it starts,
 * every later one the host VMM builds over RM RPC on RAM it lends
 * (MEM_LEND); each gets the platform's devices, the device plugins in the
 * platform's slots, the devicetree and the boot images in a RAM region of
 * its own (vm_ram.ts).
 *
 * Used by `gunyah boot`, the dashboard, the end-to-end tests and the
 * benchmarks, so what they exercise is the same path a user runs. It knows
 * no board: every address comes from the {@link PlatformPlugin}.
 *
 * @module
 */
import { createPsciService, Hypervisor, ObjectType, SmcccOwner } from "@gunyah-ts/core";
import type { Addrspace, Cspace, HypervisorEventBus, RunStopReason, Thread } from "@gunyah-ts/core";
import type {
  ArchPlugin,
  BootPlan,
  ConsoleDevice,
  Device,
  DtNode,
  PlatformPlugin,
} from "@gunyah-ts/core/plugin";
import {
  type PrimaryVmBoot,
  ResourceManager,
  RM_PRIVATE_MEMORY_SIZE,
  RmError,
  RmRequestError,
  VM_STATUS_NAMES,
  Vmid,
} from "@gunyah-ts/rm";
import {
  deviceAttachTarget,
  type DevicePluginConfig,
  LateBoundHost,
  type PreparedDevicePlugins,
  prepareDevicePlugins,
} from "@gunyah-ts/plugin-host";
import {
  DEFAULT_MACHINE_PLUGINS,
  loadMachinePlugins,
  type MachinePluginSpecifiers,
} from "./machine_plugins.ts";
import { type VmRecordView, VmRequestError } from "./control.ts";
import { HOST_VMM_VMID, HostVmm, HostVmmError, type ImageLayout } from "./host_vmm.ts";
import { type ComponentCspace, createComponentCspace } from "./component_cspace.ts";
import { gunyahVmConfigNode } from "./vm_config_node.ts";
import { createRmPartition, donateToPartition, type RmPartition } from "./rm_partition.ts";
import { VmRam, type VmRamRegion } from "./vm_ram.ts";
import { type NetSegmentSpec, SystemNetworks } from "./networks.ts";

/** Caps the RM's own cspace holds (every VM's objects, its queues, parcels' extents). */
const RM_CSPACE_MAX_CAPS = 2048;
/** Caps the host VMM's cspace holds (its RM queue ends, the vCPU caps it is given). */
const HOST_VMM_CSPACE_MAX_CAPS = 256;
import { systemStatus } from "./status.ts";
import type { SystemStatus } from "./status_types.ts";

/** A guest console seen from the host (the platform's console device as a byte stream). */
export interface GuestConsole {
  /** Deliver terminal input to the guest. */
  input(bytes: Uint8Array): void;
  /** Register the sink for guest output. */
  onOutput(sink: (bytes: Uint8Array) => void): void;
}

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
  /**
   * The arch and platform plugins by specifier (a configuration's `plugins`;
   * default `builtin:aarch64` on `builtin:qemu-virt`), loaded through the
   * core's plugin loader.
   */
  readonly plugins?: MachinePluginSpecifiers;
  /** Where relative plugin specifiers are resolved (default: the working directory). */
  readonly configDir?: string;
  /** An arch plugin object instead of `plugins.arch` (tests, embedders). */
  readonly arch?: ArchPlugin;
  /** A platform plugin object instead of `plugins.platform` (tests, embedders). */
  readonly platform?: PlatformPlugin;
  /**
   * The Ethernet segments (a configuration's `net:`); device plugins whose
   * entry says `net: <segment>` connect to them (default: none).
   */
  readonly net?: readonly NetSegmentSpec[];
}

/** What a VM is to be. */
export interface VmLaunch {
  /** The VM's name (unique among the RM's VMs). */
  readonly name: string;
  /** RAM bytes. */
  readonly memory: number;
  /** vCPUs (1 .. the platform's `maxVcpus`). */
  readonly vcpus: number;
  /** The kernel: an arm64 Image (plain, gzip or EFI zboot), an ELF or a flat binary. */
  readonly kernel: Uint8Array;
  /** An initramfs, if any. */
  readonly initrd?: Uint8Array;
  /** The kernel command line (`/chosen/bootargs`). */
  readonly bootargs: string;
  /**
   * Device plugins from the VM's configuration, loaded beforehand with
   * {@link GunyahSystem.prepareDevices}; bound to this VM (the platform's
   * device slots, RAM, interrupts) and added to its devicetree while it is
   * built.
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
  /** The VM's name. */
  readonly name: string;
  /** Its RM VMID. */
  readonly vmid: number;
  /** Its vCPU threads, by index. */
  readonly vcpus: readonly Thread[];
  /** The platform's devices and the device plugins attached to it. */
  readonly devices: readonly Device[];
  /** The platform's console device (the PL011 on qemu-virt). */
  readonly consoleDevice: ConsoleDevice;
  /** The console device as a byte stream (terminal input in, guest output out). */
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
  /** The hypervisor core (for tests and embedders; tools use the read model and control surface). */
  readonly hv: Hypervisor;
  /** The arch plugin the machine runs on. */
  readonly arch: ArchPlugin;
  /** The platform plugin: the board. */
  readonly platform: PlatformPlugin;
  /** The resource manager component, once the primary was launched (it boots with it). */
  #rm: ResourceManager | null = null;
  /** The host's VMM: the tools' VM control goes through its RM RPC channel. */
  readonly hostVmm: HostVmm;
  /** The VMs launched, in order. */
  readonly vms: VmInstance[] = [];
  /** Where the hypervisor's physical RAM for VMs starts (the platform's RAM base). */
  readonly physRamBase: number;
  /** Physical RAM the RM claims for its RPC buffers: the page just below {@link physRamBase}. */
  readonly rmPrivateMemoryBase: number;
  /** Physical RAM the host VMM claims for its RPC buffer: the page below the RM's. */
  readonly hostVmmMemoryBase: number;
  readonly #rmCspace: ComponentCspace;
  /** The RM's own partition (a child of the root partition). */
  readonly rmPartition: RmPartition;
  /** The host VMM's own cspace (the vCPU caps VM_GET_HYP_RESOURCES gives it are there). */
  #vmmCspace: ComponentCspace | null = null;
  /** Boot entry and X0 of each host-built VM not yet started, by VMID. */
  readonly #pendingStart = new Map<number, { entry: bigint; x0: bigint; started: () => void }>();
  readonly #rtcEpochSeconds: number;
  /** The VMs' RAM: a region per host-created VM, inside the `ramBytes` budget. */
  readonly vmRam: VmRam;
  /** The RAM region and image parcel of each VM the host VMM built over RPC, by VMID. */
  readonly #hostBuilt = new Map<number, { region: VmRamRegion; parcel: number }>();
  /** The primary's RAM region. */
  #primaryRegion: VmRamRegion | null = null;
  readonly #ramBytes: number;
  /** The Ethernet segments and the VMs' interfaces on them. */
  readonly networks: SystemNetworks;

  private constructor(
    hv: Hypervisor,
    arch: ArchPlugin,
    platform: PlatformPlugin,
    ramBytes: number,
    rtcEpochSeconds: number,
    net: readonly NetSegmentSpec[],
  ) {
    this.hv = hv;
    this.networks = new SystemNetworks(net);
    // The RM's partition, made at boot; the RM allocates only from it (and its cspace with it).
    this.rmPartition = createRmPartition(hv);
    this.#rmCspace = createComponentCspace(
      hv,
      "resource manager",
      RM_CSPACE_MAX_CAPS,
      this.rmPartition.rootCap,
    );
    this.arch = arch;
    this.platform = platform;
    this.physRamBase = platform.ramBase;
    this.rmPrivateMemoryBase = platform.ramBase - RM_PRIVATE_MEMORY_SIZE;
    this.hostVmmMemoryBase = this.rmPrivateMemoryBase - RM_PRIVATE_MEMORY_SIZE;
    this.#rtcEpochSeconds = rtcEpochSeconds;
    // The VMs' RAM regions are the RM partition's from the start; so is its private page.
    this.vmRam = new VmRam(hv, this.rmPartition.partition, this.physRamBase, ramBytes);
    donateToPartition(
      hv,
      this.rmPartition.partition,
      this.rmPrivateMemoryBase,
      RM_PRIVATE_MEMORY_SIZE,
    );
    this.#ramBytes = ramBytes;
    const vmmMemory = hv.physicalMemory.regionFor(this.hostVmmMemoryBase, RM_PRIVATE_MEMORY_SIZE);
    if (!vmmMemory) throw new Error("system: no RAM for the host VMM's RPC buffer");
    this.hostVmm = new HostVmm(
      {
        base: this.hostVmmMemoryBase,
        bytes: vmmMemory.bytes.subarray(
          this.hostVmmMemoryBase - vmmMemory.base,
          this.hostVmmMemoryBase - vmmMemory.base + RM_PRIVATE_MEMORY_SIZE,
        ),
      },
      () => void hv.deliverComponentVirqs(),
    );
  }

  /**
   * Load the arch and platform plugins, start the hypervisor on them,
   * register PSCI, start the resource manager.
   */
  static async create(options: SystemOptions): Promise<GunyahSystem> {
    const specifiers = options.plugins ?? DEFAULT_MACHINE_PLUGINS;
    const configDir = options.configDir ?? Deno.cwd();
    const loaded = options.arch && options.platform
      ? { arch: options.arch, platform: options.platform }
      : await loadMachinePlugins(specifiers, configDir);
    const arch = options.arch ?? loaded.arch;
    const platform = options.platform ?? loaded.platform;
    const ramBase = platform.ramBase;
    const hv = new Hypervisor({
      arch,
      board: platform,
      cpus: options.physicalCpus,
      nsPerInstruction: options.nsPerInstruction,
      pacing: options.time === "realtime" ? "realtime" : "virtual",
      // The host VMM's and the RM's buffer pages, just below the VMs' RAM; the
      // VMs' RAM regions are added per VM (vm_ram.ts).
      ram: [{ base: ramBase - 2 * RM_PRIVATE_MEMORY_SIZE, size: 2 * RM_PRIVATE_MEMORY_SIZE }],
    });
    if (options.log) {
      const log = options.log;
      hv.events.on("log", (e) => log(e.message));
    }
    hv.dispatcher.registerSmcccService(SmcccOwner.STANDARD, createPsciService(hv.psci));
    const sys = new GunyahSystem(
      hv,
      arch,
      platform,
      options.ramBytes,
      options.rtcEpochSeconds ?? DETERMINISTIC_RTC_EPOCH,
      options.net ?? [],
    );
    // The host VMM gets a cspace of its own and allocates from the root
    // partition; the RM starts with the primary (launch), in its own.
    const vmmCs = createComponentCspace(hv, "host VMM", HOST_VMM_CSPACE_MAX_CAPS);
    sys.#vmmCspace = vmmCs;
    await hv.addComponent(sys.hostVmm, {
      cspace: vmmCs.cspace,
      cspaceCap: vmmCs.selfCap,
      partitionCap: vmmCs.partitionCap,
    });
    return sys;
  }

  /** Run the machine until {@link stop}; resolves with why it returned. */
  run(): Promise<RunStopReason> {
    return this.hv.run();
  }

  /** Ask {@link run} to return at the end of the current round. */
  stop(): void {
    this.hv.stop();
  }

  /**
   * Stop the components (the resource manager) and close the user-mode
   * gateways' host sockets; the system is not used afterwards.
   */
  close(): Promise<void> {
    this.networks.close();
    return this.hv.stopComponents();
  }

  /** The system's read model now: a plain-JSON {@link SystemStatus}. */
  status(): SystemStatus {
    return systemStatus(this);
  }

  /**
   * The event stream: the hypervisor's typed events (object lifecycle,
   * thread state, VM exits, hypercalls, scheduling, diagnostics).
   */
  get events(): HypervisorEventBus {
    return this.hv.events;
  }

  /** Virtual time now, ns. */
  get timeNs(): number {
    return this.hv.clock.now;
  }

  /** Write a diagnostic line to the system's log. */
  log(message: string): void {
    this.hv.log(message);
  }

  /** The resource manager's own cspace (the caps in its VM records are CapIDs in it). */
  get rmCspace(): Cspace {
    return this.#rmCspace.cspace;
  }

  /**
   * The resource manager. It boots with the primary VM (its boot
   * configuration), so it exists once the first VM was launched.
   */
  get rm(): ResourceManager {
    if (this.#rm === null) {
      throw new Error("the resource manager starts with the primary VM: launch it first");
    }
    return this.#rm;
  }

  /** Whether the resource manager runs (the primary was launched). */
  get rmStarted(): boolean {
    return this.#rm !== null;
  }

  /** Every VM the resource manager records, in VMID order of creation (not the host VMM). */
  vmRecords(): VmRecordView[] {
    if (!this.rmStarted) return [];
    return this.rm.vms.filter((v) => v.vmid !== HOST_VMM_VMID).map(recordView);
  }

  /** The VM with `vmid`; a {@link VmRequestError} ("unknown-vm") naming the VMs there are if none. */
  vmRecord(vmid: number): VmRecordView {
    const rec = vmid === HOST_VMM_VMID || !this.rmStarted ? null : this.rm.find(vmid);
    if (rec === null) {
      const known = this.vmRecords().map((v) => `${v.vmid} (${v.name})`).join(", ");
      throw new VmRequestError("unknown-vm", `no VM with VMID ${vmid}; VMs: ${known || "none"}`);
    }
    return recordView(rec);
  }

  /**
   * Forced stop: the host VMM's VM_STOP (FORCE) over its RM RPC channel; the
   * RM records the VM EXITED, kills each of its vCPUs with `vcpu_kill` from
   * its own cspace and sends the host VMM NOTIFY_VM_EXITED (VM_STOP_FORCED,
   * `reason`). A VM not running is refused.
   */
  async stopVm(vmid: number, reason = 0): Promise<void> {
    this.vmRecord(vmid);
    await this.#rpc(() => this.hostVmm.stopVm(vmid, reason));
    this.hv.wake();
  }

  /**
   * Start a VM launched with `start: false`: the host VMM's VM_SET_CONTEXT
   * (the boot plan's entry and X0) and VM_START over its RM RPC channel.
   */
  async startVm(vmid: number): Promise<void> {
    const rec = this.vmRecord(vmid);
    const boot = this.#pendingStart.get(vmid);
    if (!boot) {
      throw new VmRequestError("refused", `VM '${rec.name}' (VMID ${vmid}) was started already`);
    }
    await this.#rpc(() => this.hostVmm.startVm(vmid, boot.entry, boot.x0));
    boot.started();
    this.hv.wake();
  }

  /**
   * VM_RESET over the host VMM's RM channel: the RM destroys the VM's
   * objects (vCPUs, cspace, vic, address space, its RAM extent) and records
   * it RESET. The primary (VMID 3) and a running VM are refused.
   */
  async resetVm(vmid: number): Promise<void> {
    this.vmRecord(vmid);
    await this.#rpc(() => this.hostVmm.resetVm(vmid));
    this.#pendingStart.delete(vmid);
  }

  /**
   * VM_DEALLOCATE over the host VMM's RM channel (a VM in RESET, or never
   * built): its VMID is free again and it leaves {@link vms}. For a VM the
   * host VMM built, it then MEM_RECLAIMs the VM's RAM parcel and the region
   * is freed: removed from the memdb and from physical RAM, its bytes back in
   * the budget for later VMs. Its devices are closed: device plugins' Workers
   * terminated, their processes killed, their files (a disk image's lock)
   * released; a device whose `close` fails is logged, the others still close.
   */
  async destroyVm(vmid: number): Promise<void> {
    this.vmRecord(vmid);
    await this.#rpc(() => this.hostVmm.deallocateVm(vmid));
    const i = this.vms.findIndex((v) => v.vmid === vmid);
    const vm = i >= 0 ? this.vms.splice(i, 1)[0] : null;
    if (vm) await this.#closeDevices(vm);
    const built = this.#hostBuilt.get(vmid);
    if (built) {
      this.#hostBuilt.delete(vmid);
      await this.#rpc(() => Promise.resolve(this.hostVmm.reclaim(built.parcel, vmid)));
      this.vmRam.free(built.region.base);
    }
  }

  /** Close every device of a destroyed VM (each once; a failure is logged, not thrown). */
  async #closeDevices(vm: VmInstance): Promise<void> {
    for (const d of vm.devices) {
      try {
        await d.close?.();
      } catch (e) {
        this.hv.log(`VM '${vm.name}': closing device ${d.name} failed: ${(e as Error).message}`);
      }
    }
  }

  /** A host VMM request; an RM refusal as a {@link VmRequestError}. */
  async #rpc(request: () => Promise<void>): Promise<void> {
    try {
      await request();
    } catch (e) {
      if (!(e instanceof HostVmmError)) throw e;
      const reason = e.code === RmError.VMID_INVALID
        ? "unknown-vm"
        : e.code === RmError.ARGUMENT_INVALID
        ? "invalid-argument"
        : "refused";
      throw new VmRequestError(reason, e.message);
    }
  }

  /**
   * Load and create the device plugins a VM's configuration names, each in
   * the platform's next device slot, before the VM exists (pass the result
   * as {@link VmLaunch.devicePlugins}). Entries with `net:` connect to the
   * system's segments as ports `<vm>.eth<k>` (`vm` names the VM they are
   * for); closing the result removes those ports.
   */
  async prepareDevices(
    devices: readonly DevicePluginConfig[],
    configDir: string,
    log: (message: string) => void = () => {},
    vm = `vm${this.#preparedSets++}`,
  ): Promise<PreparedDevicePlugins> {
    const networks = this.networks.forVm(vm);
    let prepared: PreparedDevicePlugins;
    try {
      prepared = await prepareDevicePlugins(devices, this.platform, configDir, log, networks);
    } catch (e) {
      networks.detach();
      throw e;
    }
    networks.bindDevices(prepared.devices);
    return {
      devices: prepared.devices,
      bind: (target) => prepared.bind(target),
      close: async () => {
        networks.detach();
        await prepared.close();
      },
    };
  }
  #preparedSets = 0;

  /**
   * Build a VM through the RM, attach the platform's devices, place the
   * devicetree and images, and power on its boot vCPU.
   */
  launch(spec: VmLaunch, options: { readonly start?: boolean } = {}): VmInstance {
    try {
      return this.#launch(spec, options);
    } catch (e) {
      if (e instanceof RmRequestError) {
        const reason = e.code === RmError.ARGUMENT_INVALID ? "invalid-argument" : "refused";
        throw new VmRequestError(reason, e.message);
      }
      throw e;
    }
  }

  #launch(spec: VmLaunch, options: { readonly start?: boolean }): VmInstance {
    const primary = !this.rmStarted;
    if (!primary && this.rm.find(Vmid.HLOS) === null) {
      throw new Error(
        `the primary VM did not boot (${this.rm.bootFailure ?? "it is gone"}); start a new system`,
      );
    }
    if (!primary && this.rm.vms.some((v) => v.name === spec.name)) {
      throw new VmRequestError("invalid-argument", `a VM named '${spec.name}' exists`);
    }
    const region = this.vmRam.allocate(
      spec.memory,
      `VM '${spec.name}'`,
      primary ? null : HOST_VMM_VMID,
    );
    if (!primary) return this.#launchOverRpc(spec, region, options);
    try {
      return this.#launchPrimary(spec, region, options);
    } catch (e) {
      try {
        this.vmRam.free(region.base);
      } catch { /* still held by the RM's extent: it stays with the failed VM */ }
      throw e;
    }
  }

  /** The platform's view of a VM being built. */
  #vmOptions(spec: VmLaunch) {
    return {
      ramBase: this.platform.ramBase,
      ramSize: spec.memory,
      vcpus: spec.vcpus,
      bootargs: spec.bootargs,
      rtcEpochSeconds: this.#rtcEpochSeconds,
    };
  }

  /**
   * The primary (VMID 3, the HLOS), as the Gunyah RM builds it at boot: the
   * system loads the kernel, initrd and devicetree into the primary's RAM
   * region like a boot loader, then constructs the RM with a boot
   * description of it ({@link PrimaryVmBoot}) and starts it in its own
   * partition and cspace; the RM builds the VM, writes its `/hypervisor`
   * node and powers it on. The host VMM then gets its RM channel. The
   * platform's devices attach to the stage 2 the RM made.
   */
  #launchPrimary(
    spec: VmLaunch,
    region: VmRamRegion,
    options: { readonly start?: boolean },
  ): VmInstance {
    const hv = this.hv;
    const ramBase = this.platform.ramBase;
    const { host, devices, uart, plan, layout } = this.#loadImages(spec, region, []);

    this.#startRm({
      name: spec.name,
      vmid: Vmid.HLOS,
      // The host tools start a primary booted stopped, and stop it, through the host VMM.
      owner: HOST_VMM_VMID,
      physBase: region.base,
      ipaBase: ramBase,
      size: spec.memory,
      vcpus: spec.vcpus,
      entry: plan.entry,
      dtb: { ipa: ramBase + layout.dtbOffset, size: layout.dtbSize },
      // The RM powers it on at boot unless it is to wait for a VM_START.
      start: options.start !== false,
    });
    const rec = this.rm.find(Vmid.HLOS);
    if (!rec?.objects) {
      throw new Error(
        `the resource manager did not build the primary VM '${spec.name}': ${
          this.rm.bootFailure ?? "unknown reason"
        }`,
      );
    }
    this.#primaryRegion = region;
    const cs = this.rmCspace;
    const addrspace = cs.lookup<Addrspace>(rec.objects.addrspace, ObjectType.ADDRSPACE, 0, false);
    const vcpus = rec.objects.vcpus.map((c) => cs.lookup<Thread>(c, ObjectType.THREAD, 0, false));
    const vmCtx = hv.vmFor(addrspace);
    const irq = vmCtx.irq;
    if (!irq) throw new Error(`VM '${spec.name}' has no interrupt controller after activation`);
    host.bind(hv.createDeviceHost(addrspace, irq));
    for (const d of devices) for (const r of d.regions) vmCtx.bus.addRegion(r);
    const plugged = spec.devicePlugins?.bind(deviceAttachTarget(hv, addrspace, irq));
    if (plugged) devices.push(...plugged.devices);
    const x0 = BigInt(ramBase + layout.dtbOffset);
    return this.#instance(
      spec,
      rec.vmid,
      vcpus,
      devices,
      uart,
      { entry: plan.entry, x0 },
      options,
      {
        // The RM learns of the primary's exits from its vCPUs' HALT VIRQs.
        exited: () => {},
        start: () => this.hostVmm.startVmSync(rec.vmid, plan.entry, x0),
        running: options.start !== false,
        // The devicetree as the VM boots with it: the RM wrote its /hypervisor node in place.
        dtb: trimFdt(region.bytes.subarray(layout.dtbOffset, layout.dtbOffset + layout.dtbSize)),
      },
    );
  }

  /**
   * Construct the RM with the primary's boot description, start it in its
   * own partition and cspace (its `start` builds the primary synchronously),
   * and give the host VMM its RM channel.
   */
  #startRm(primary: PrimaryVmBoot): void {
    const hv = this.hv;
    const rmMemory = hv.physicalMemory.regionFor(this.rmPrivateMemoryBase, RM_PRIVATE_MEMORY_SIZE);
    if (!rmMemory) throw new Error("system: no RAM for the resource manager's RPC buffers");
    this.#rm = new ResourceManager({
      privateMemory: {
        base: this.rmPrivateMemoryBase,
        bytes: rmMemory.bytes.subarray(
          this.rmPrivateMemoryBase - rmMemory.base,
          this.rmPrivateMemoryBase - rmMemory.base + RM_PRIVATE_MEMORY_SIZE,
        ),
      },
      physicalMemory: (base, length) => {
        const r = hv.physicalMemory.regionFor(base, length);
        return r ? r.bytes.subarray(base - r.base, base - r.base + length) : null;
      },
      physicalCpus: hv.cpuCount,
      log: (m) => hv.log(m),
      clientRam: this.vmRam,
      // The RM's VMM policy: besides the HLOS, the host VMM builds VMs (VM_ALLOCATE).
      vmAllocators: [HOST_VMM_VMID],
      primary,
    });
    const rmCs = this.#rmCspace;
    const vmmCs = this.#vmmCspace!;
    // A component's start runs synchronously inside addComponent (the RM's
    // start is synchronous); its promise only settles later.
    void hv.addComponent(this.rm, {
      cspace: rmCs.cspace,
      cspaceCap: rmCs.selfCap,
      partition: this.rmPartition.partition,
      partitionCap: rmCs.partitionCap,
    });
    this.hostVmm.connect(
      this.rm.attachClient(this.hostVmm.name, HOST_VMM_VMID, {
        cspaceCap: rmCs.copyIn(vmmCs.rootCap),
        vicCap: rmCs.copyFrom(vmmCs, this.hostVmm.env.vicCap),
      }),
    );
  }

  /**
   * A VM the host VMM builds over its RM channel, as a VMM does (gunyah-abi.md
   * §5.7 v14): its RAM is a fresh region the RM records as the host VMM's
   * own; the host VMM writes the kernel, initrd and devicetree (with a
   * `gunyah-vm-config`) into it, then VM_ALLOCATE → MEM_LEND of the region →
   * VM_CONFIG_IMAGE → VM_INIT (the RM builds every object and writes the
   * `/hypervisor` overlay) → VM_GET_HYP_RESOURCES (the vCPU caps) → VM_START.
   * The platform's devices and the device plugins attach to the VM's stage 2
   * once VM_INIT made it.
   */
  #launchOverRpc(
    spec: VmLaunch,
    region: VmRamRegion,
    options: { readonly start?: boolean },
  ): VmInstance {
    const ramBase = this.platform.ramBase;
    const { host, devices, uart, plan, layout } = this.#loadImages(spec, region, [
      gunyahVmConfigNode({ imageName: spec.name, memoryBase: ramBase }),
    ]);

    const vmm = this.hostVmm;
    let vmid: number | null = null;
    let parcel: number | null = null;
    let vcpus: Thread[];
    try {
      vmid = vmm.allocateVm();
      parcel = vmm.lendTo(vmid, region.base, region.size);
      vmm.configImage(vmid, parcel, layout);
      vmm.initVm(vmid);
      const cs = this.#vmmCspace!.cspace;
      vcpus = vmm.vcpuCaps(vmid).map((c) => cs.lookup<Thread>(c, ObjectType.THREAD, 0, false));
    } catch (e) {
      this.#unwind(vmid, parcel, region);
      if (e instanceof HostVmmError) {
        throw new VmRequestError(
          e.code === RmError.ARGUMENT_INVALID ? "invalid-argument" : "refused",
          e.message,
        );
      }
      throw e;
    }
    this.#hostBuilt.set(vmid, { region, parcel });
    const addrspace = vcpus[0].addrspace as Addrspace;
    const vmCtx = this.hv.vmFor(addrspace);
    const irq = vmCtx.irq;
    if (!irq) throw new Error(`VM '${spec.name}' has no interrupt controller after VM_INIT`);
    host.bind(this.hv.createDeviceHost(addrspace, irq));
    for (const d of devices) for (const r of d.regions) vmCtx.bus.addRegion(r);
    const plugged = spec.devicePlugins?.bind(deviceAttachTarget(this.hv, addrspace, irq));
    if (plugged) devices.push(...plugged.devices);
    const id = vmid;
    return this.#instance(spec, id, vcpus, devices, uart, plan, options, {
      // The RM learns of this VM's exits from its vCPUs' HALT VIRQs.
      exited: () => {},
      start: () => vmm.startVmSync(id, plan.entry, plan.x0),
      // The devicetree as the VM boots with it: the RM wrote its overlay in place.
      dtb: trimFdt(region.bytes.subarray(layout.dtbOffset, layout.dtbOffset + layout.dtbSize)),
    });
  }

  /** Undo a failed RPC build: VM_DEALLOCATE, MEM_RECLAIM, the region freed (best effort). */
  #unwind(vmid: number | null, parcel: number | null, region: VmRamRegion): void {
    const vmm = this.hostVmm;
    const quietly = (what: string, f: () => void) => {
      try {
        f();
      } catch (e) {
        this.hv.log(`host VMM: undoing a failed VM build: ${what}: ${(e as Error).message}`);
      }
    };
    if (vmid !== null) quietly("VM_DEALLOCATE", () => vmm.deallocateVmSync(vmid));
    if (parcel !== null) quietly("MEM_RECLAIM", () => vmm.reclaim(parcel, vmid ?? 0));
    quietly("freeing its RAM", () => this.vmRam.free(region.base));
  }

  /**
   * What a boot loader does for a VM the system launches: its platform
   * devices (bound to a host later, once its stage 2 exists), its devicetree
   * (the devices', the plugins' and `extraDt`), the boot plan, and the
   * images written into its RAM region.
   */
  #loadImages(spec: VmLaunch, region: VmRamRegion, extraDt: readonly DtNode[]): {
    readonly host: LateBoundHost;
    readonly devices: Device[];
    readonly uart: ConsoleDevice;
    readonly plan: BootPlan;
    readonly layout: ImageLayout;
  } {
    const ramBase = this.platform.ramBase;
    const vmOptions = this.#vmOptions(spec);
    const host = new LateBoundHost((m) => this.hv.log(m));
    const devices = this.platform.createDevices(host, vmOptions);
    const uart = this.#console(spec, devices);
    const pluginDt = (spec.devicePlugins?.devices ?? []).flatMap((d, i) =>
      d.dt ?? [this.platform.deviceSlot(i).dt]
    );
    const dtb = this.platform.buildDeviceTree(vmOptions, [
      ...devices.flatMap((d) => d.dt ?? []),
      ...pluginDt,
      ...extraDt,
    ]);
    const plan = this.platform.planBoot(
      { kernel: spec.kernel, initrd: spec.initrd },
      vmOptions,
      dtb,
    );
    const layout = imageLayout(plan.blobs, ramBase, spec.memory);
    for (const blob of plan.blobs) region.bytes.set(blob.data, blob.ipa - ramBase);
    return { host, devices, uart, plan, layout };
  }

  #console(spec: VmLaunch, devices: readonly Device[]): ConsoleDevice {
    const uart = this.platform.consoleOf(devices);
    if (!uart) {
      throw new Error(`platform ${this.platform.name} gave VM '${spec.name}' no console device`);
    }
    return uart;
  }

  /** The {@link VmInstance} of a built VM: exits, console, start. */
  #instance(
    spec: VmLaunch,
    vmid: number,
    vcpus: Thread[],
    devices: Device[],
    uart: ConsoleDevice,
    plan: { readonly entry: bigint; readonly x0: bigint },
    options: { readonly start?: boolean },
    how: {
      exited(reason: string): void;
      start(): void;
      dtb: Uint8Array;
      /** Already powered on (by the RM at boot). */
      running?: boolean;
    },
  ): VmInstance {
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
      how.exited(e.reason);
      finish({ kind: e.reason });
    });
    const offState = this.hv.events.on("thread.state", (e) => {
      if (!names.has(e.thread)) return;
      if (e.change === "fault") {
        how.exited(`fault: ${e.detail}`);
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
    let started = how.running === true;
    const start = () => {
      if (started) return;
      how.start();
      started = true;
      this.#pendingStart.delete(vmid);
      this.hv.wake();
    };
    if (!started) {
      this.#pendingStart.set(vmid, {
        entry: plan.entry,
        x0: plan.x0,
        started: () => {
          started = true;
          this.#pendingStart.delete(vmid);
        },
      });
    }
    const vm: VmInstance = {
      name: spec.name,
      vmid,
      vcpus,
      devices,
      consoleDevice: uart,
      console,
      ended,
      dtb: how.dtb,
      get started() {
        return started;
      },
      start,
    };
    if (options.start !== false && !started) vm.start();
    if (started) this.hv.wake();
    this.vms.push(vm);
    return vm;
  }
}

/** The devicetree blob at the start of `bytes`, `totalsize` long (FDT header, big-endian). */
function trimFdt(bytes: Uint8Array): Uint8Array {
  const total = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4);
  return bytes.slice(0, Math.min(total, bytes.length));
}

/** Bytes of room after the devicetree for the RM's `/hypervisor` overlay (VM_INIT rewrites it in place). */
const DTB_OVERLAY_ROOM = 16 << 10;

/**
 * Where the image and the devicetree are in the VM's RAM (offsets from its
 * base): the image spans the kernel's blobs; the devicetree gets
 * {@link DTB_OVERLAY_ROOM} more bytes, up to the next blob or the end of RAM.
 */
function imageLayout(
  blobs: readonly { readonly name: string; readonly ipa: number; readonly data: Uint8Array }[],
  ramBase: number,
  ramSize: number,
): ImageLayout {
  const dtb = blobs.find((b) => b.name === "dtb");
  if (!dtb) throw new Error("the boot plan places no devicetree");
  const image = blobs.filter((b) => b.name !== "dtb" && b.name !== "initrd");
  for (const b of blobs) {
    if (b.ipa < ramBase || b.ipa + b.data.length > ramBase + ramSize) {
      throw new Error(
        `boot image '${b.name}' at IPA 0x${b.ipa.toString(16)} does not fit in VM RAM`,
      );
    }
  }
  const lo = Math.min(...image.map((b) => b.ipa));
  const hi = Math.max(...image.map((b) => b.ipa + b.data.length));
  const dtbStart = dtb.ipa - ramBase;
  const next = Math.min(
    ramSize,
    ...blobs.filter((b) => b.ipa > dtb.ipa).map((b) => b.ipa - ramBase),
  );
  return {
    imageOffset: image.length ? lo - ramBase : 0,
    imageSize: image.length ? hi - lo : 0,
    dtbOffset: dtbStart,
    dtbSize: Math.min(next - dtbStart, dtb.data.length + DTB_OVERLAY_ROOM),
  };
}

function recordView(
  rec: { vmid: number; name: string; status: number; exitReason: string | null },
): VmRecordView {
  return {
    vmid: rec.vmid,
    name: rec.name,
    status: VM_STATUS_NAMES[rec.status] ?? String(rec.status),
    exitReason: rec.exitReason,
  };
}
