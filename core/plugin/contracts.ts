/**
 * The typed contracts at which the parts of gunyah-ts meet.
 *
 * The core knows objects, capabilities, scheduling, virtual time and hypercall
 * dispatch. It does not know what an instruction, a GIC register or a virtio
 * ring is. Everything else plugs in through the four contracts here:
 *
 * - {@link ArchPlugin}: creates vCPU contexts and runs one for a budget; the
 *   vCPU returns an *exit* (budget spent, HVC/SMC, WFI, halt, MMIO that needs
 *   the core, ...). Exits are the only way the CPU talks to the core.
 * - {@link PlatformPlugin}: the machine's memory map, its built-in devices, the
 *   devicetree, and how an image is placed in memory and entered.
 * - {@link DevicePlugin}: claims MMIO ranges and interrupt lines of one VM.
 * - {@link Component}: a long-running service with its own partition and
 *   cspace (the resource manager is one) that makes hypercalls natively.
 *
 * Hot-path rule: nothing on the per-instruction or per-access path allocates.
 * 64-bit quantities on hot paths travel as two unsigned 32-bit halves
 * (`lo`, `hi`); see docs/ARCHITECTURE.md "How 64-bit state is held" for the
 * measurement behind that choice. Cold paths (hypercall arguments, register
 * access for debugging) use `bigint`.
 *
 * @module
 */

/**
 * Version of the plugin API described in this file. Bump on breaking change.
 *
 * 2: {@link PlatformPlugin} answers every board question (RAM base, vGIC
 * placement, MPIDR layout, device slots, console); a version-1 platform is
 * refused by the loader.
 */
export const PLUGIN_API_VERSION = 2;

// ---------------------------------------------------------------------------
// Guest memory as the CPU and devices see it (stage-2)
// ---------------------------------------------------------------------------

/** Stage-2 access permission bits (same encoding as Gunyah `pgtable_access`). */
export const S2_ACCESS_X = 1;
/** Stage-2 write permission. */
export const S2_ACCESS_W = 2;
/** Stage-2 read permission. */
export const S2_ACCESS_R = 4;

/**
 * One contiguous piece of guest RAM as mapped by stage-2: the IPA range
 * `[ipaBase, ipaBase + size)` is backed by `bytes[offset .. offset + size)`.
 *
 * The object is long-lived (it is created when the mapping is made and never
 * changes), so CPUs and devices may cache it; `generation` on
 * {@link Stage2View} tells them when to drop their caches.
 */
export interface Stage2Mapping {
  /** First IPA covered. IPAs are below 2^48, so a JS number holds them exactly. */
  readonly ipaBase: number;
  /** Length in bytes (a multiple of 4 KiB). */
  readonly size: number;
  /** Backing store: a view on a `SharedArrayBuffer` owned through a memextent. */
  readonly bytes: Uint8Array;
  /** A DataView over the same bytes as {@link bytes} (whole buffer). */
  readonly view: DataView;
  /** Byte offset within `bytes`/`view` that corresponds to `ipaBase`. */
  readonly offset: number;
  /** Stage-2 access rights: OR of {@link S2_ACCESS_R}, `_W`, `_X`. */
  readonly access: number;
  /**
   * The `WebAssembly.Memory` whose buffer {@link view} covers, when the RAM is
   * a core memory region (absent for RAM held otherwise, e.g. a device
   * plugin's copy or a test's buffer). A translated WebAssembly block imports
   * it to reach guest RAM directly.
   */
  readonly memory?: WebAssembly.Memory;
}

/** The stage-2 address space of one VM, as consumed by CPUs and devices. */
export interface Stage2View {
  /** Find the RAM mapping containing `ipa`, or `null` (MMIO or unmapped). */
  lookup(ipa: number): Stage2Mapping | null;
  /**
   * Increments whenever a mapping is removed or its rights shrink. A cache of
   * translations must be dropped when this differs from the value it was
   * built under.
   */
  readonly generation: number;
  /**
   * Present only where the VM's RAM is not in this process (a device plugin
   * run with `isolate: process`): {@link lookup} finds nothing there, and
   * guest bytes are copied through this instead, each copy checked by the
   * host against the VM's current stage-2. Code that reaches guest memory
   * through virtio-mmio's `GuestMemory` needs no change.
   */
  readonly copy?: Stage2Copy;
}

/**
 * Copies to and from guest RAM that the host serves against the VM's current
 * stage-2 (see {@link Stage2View.copy}). Each throws an `Error` naming the
 * address when `[ipa, ipa + length)` is not inside one RAM mapping with the
 * needed right (unmapped, a reclaimed parcel, read-only).
 */
export interface Stage2Copy {
  /** Fill `dst` from guest `ipa` (needs read access). */
  read(ipa: number, dst: Uint8Array): void;
  /** Copy `src` to guest `ipa` (needs write access). */
  write(ipa: number, src: Uint8Array): void;
}

/** Result of an MMIO access through {@link MmioBus}. */
export const enum MmioResult {
  /** The access was handled; for reads the value is in `bus.dataLo/dataHi`. */
  Handled = 0,
  /** No device claims this address: the guest gets an external abort. */
  Unclaimed = 1,
  /**
   * The access must leave the vCPU (a proxy-scheduled VM's VMMIO range, or an
   * isolated device that answers asynchronously). The CPU exits with
   * {@link ExitKind.Mmio} without retiring the instruction; when the vCPU runs
   * again the instruction re-executes and the bus completes it from the
   * resume value it was given.
   */
  Exit = 2,
}

/**
 * The MMIO side of one VM's physical address space: every access that stage-2
 * does not map to RAM goes here. Synchronous and allocation-free: read data
 * comes back in `dataLo`/`dataHi`.
 */
export interface MmioBus {
  /** Low 32 bits of the last read's data. */
  dataLo: number;
  /** High 32 bits of the last read's data (8-byte accesses only). */
  dataHi: number;
  /** Read `size` (1, 2, 4 or 8) bytes at `ipa` on behalf of vCPU `vcpuIndex`. */
  read(ipa: number, size: number, vcpuIndex: number): MmioResult;
  /** Write `size` bytes (value in lo/hi halves) at `ipa`. */
  write(ipa: number, size: number, lo: number, hi: number, vcpuIndex: number): MmioResult;
}

// ---------------------------------------------------------------------------
// Interrupts
// ---------------------------------------------------------------------------

/**
 * A virtual interrupt controller instance for one VM (Gunyah's `vic` object is
 * backed by one of these). VIRQ numbers are GIC INTIDs: SGI 0-15, PPI 16-31,
 * SPI 32-1019.
 */
export interface InterruptController {
  /** Number of SPIs this controller implements (INTIDs 32 .. 32 + spiCount - 1). */
  readonly spiCount: number;
  /**
   * Drive a shared (SPI) or private (PPI, with `vcpuIndex`) interrupt line.
   * `level` true asserts, false deasserts. For an edge-configured interrupt a
   * rising level sets it pending.
   */
  setLine(virq: number, level: boolean, vcpuIndex?: number): void;
  /** Make an interrupt pending once, whatever its configuration (edge assert). */
  pulse(virq: number, vcpuIndex?: number): void;
  /** Whether the vCPU at `vcpuIndex` has an interrupt it would take now (wakes WFI). */
  hasPending(vcpuIndex: number): boolean;
}

// ---------------------------------------------------------------------------
// The architecture plugin
// ---------------------------------------------------------------------------

/** Why a vCPU stopped running and returned to the core. */
export const enum ExitKind {
  /** The instruction budget was spent; nothing else to do. */
  Budget = 0,
  /** HVC: `exit.imm` holds the immediate; arguments are in the vCPU's registers. */
  Hvc = 1,
  /** SMC: `exit.imm` holds the immediate. */
  Smc = 2,
  /** WFI: park until an interrupt is pending (or the next timer deadline). */
  Wfi = 3,
  /** An MMIO access that the bus answered with {@link MmioResult.Exit}. */
  Mmio = 4,
  /** The vCPU cannot continue (e.g. exception loop at reset); `exit.message` says why. */
  Fault = 5,
  /** A trapped system-register access the arch does not handle itself. */
  SysregTrap = 6,
  /** WFE: a hint the scheduler may use to yield. */
  Wfe = 7,
  /**
   * A host debugger's breakpoint, watchpoint or single step stopped the vCPU
   * ({@link ArchVcpu.debug}); `debug.stopReason` says which. Never raised by
   * anything the guest does on its own.
   */
  Debug = 8,
}

/** Preallocated description of the last exit of a vCPU; overwritten each exit. */
export interface ExitRecord {
  /** Why the vCPU stopped running. */
  kind: ExitKind;
  /** HVC/SMC immediate, or the trapped sysreg encoding. */
  imm: number;
  /** For {@link ExitKind.Mmio}: the IPA. */
  ipa: number;
  /** For Mmio: access size in bytes. */
  size: number;
  /** For Mmio: true for a write. */
  write: boolean;
  /** For Mmio writes: the value's halves. */
  valueLo: number;
  /** For Mmio writes: the value's upper 32 bits (`valueLo` holds the lower). */
  valueHi: number;
  /** For {@link ExitKind.Fault}: a human-readable reason. */
  message: string;
}

/** Register sets addressable through `vcpu_register_write` (Gunyah §1.5). */
export const enum RegisterSet {
  X = 0,
  PC = 1,
  SP_EL = 2,
}

/** What the core gives the architecture when it creates a vCPU. */
export interface VcpuInit {
  /** Index of the vCPU within its VM (its vGIC redistributor / attachment index). */
  readonly index: number;
  /** MPIDR affinity value (Aff0..Aff3 packed as in MPIDR_EL1 bits, without RES1 bit 31). */
  readonly mpidr: number;
  /** Stage-2 view of the VM's RAM. */
  readonly memory: Stage2View;
  /** Everything that is not RAM. */
  readonly mmio: MmioBus;
  /** The VM's interrupt controller (as created by {@link ArchPlugin.createInterruptController}). */
  readonly irq: InterruptController;
  /** Virtual time, read-only for the arch. */
  readonly clock: VirtualClockReader;
  /** Called by the arch when an interrupt becomes pending for a vCPU that may be parked. */
  readonly wake: (vcpuIndex: number) => void;
  /** Optional sink for diagnostics (unknown encodings, ...). */
  readonly log?: (message: string) => void;
}

/** Read access to the core's virtual clock. */
export interface VirtualClockReader {
  /** Virtual nanoseconds since boot at the start of the current run slice. */
  readonly now: number;
  /** Virtual nanoseconds per retired instruction (fixed for determinism). */
  readonly nsPerInstruction: number;
}

/** One vCPU as the architecture implements it. */
export interface ArchVcpu {
  /** The record describing the last exit; the same object every time. */
  readonly exit: ExitRecord;
  /** Instructions retired by the last {@link run} call. */
  readonly retired: number;
  /**
   * Run for at most `budget` instructions. Returns the exit kind (also in
   * `exit.kind`). Never throws for anything a guest can do.
   */
  run(budget: number): ExitKind;
  /** Put the vCPU in its architectural reset state, then set entry PC and X0 (PSCI CPU_ON / vcpu_poweron). */
  reset(entry: bigint, context: bigint): void;
  /** Read a general register (cold path). */
  getRegister(set: RegisterSet, index: number): bigint;
  /** Write a general register (cold path); returns false if `index` is out of range for `set`. */
  setRegister(set: RegisterSet, index: number, value: bigint): boolean;
  /**
   * Translate a guest virtual address through the vCPU's current stage-1
   * regime (as an EL1 access); returns the IPA or `null` on a translation or
   * permission fault. Used for hypercall buffers (`user_ptr_t`).
   */
  translate(va: bigint, write: boolean): number | null;
  /** Whether an interrupt is pending that would wake the vCPU from WFI. */
  hasPendingInterrupt(): boolean;
  /** Absolute virtual time (ns) of the next timer event of this vCPU, or `Infinity`. */
  nextDeadline(): number;
  /** A snapshot for the dashboard and for debugging. */
  describe(): Record<string, string | number | boolean>;
  /**
   * Host-side debugging (a GDB stub), invisible to the guest: absent on an
   * architecture that does not offer it.
   */
  readonly debug?: VcpuDebug;
}

/** Why a vCPU returned {@link ExitKind.Debug}. */
export const enum DebugStopReason {
  /** {@link VcpuDebug.singleStep}: one instruction retired (or one exception taken). */
  Step = 0,
  /** The PC reached a host breakpoint; the instruction there has not executed. */
  Breakpoint = 1,
  /** An access touched a host watchpoint; the accessing instruction has not executed. */
  Watchpoint = 2,
}

/** The kind of access a host watchpoint stops on. */
export const enum WatchKind {
  /** Stores (GDB `Z2`). */
  Write = 1,
  /** Loads (GDB `Z3`). */
  Read = 2,
  /** Loads and stores (GDB `Z4`). */
  Access = 3,
}

/** A host watchpoint: stop before an access of `kind` that touches `[va, va + length)`. */
export interface HostWatchpoint {
  /** First guest virtual address watched. */
  readonly va: bigint;
  /** Bytes watched (GDB asks for 1-8; more is allowed). */
  readonly length: number;
  /** The accesses that stop. */
  readonly kind: WatchKind;
}

/**
 * Host debugger control of one vCPU (GDB remote protocol semantics; on Arm,
 * like QEMU's gdbstub, a watchpoint stops *before* the access so the
 * debugger steps over it). Cold path: setting these may flush translated code.
 */
export interface VcpuDebug {
  /** Guest virtual addresses to stop at before executing the instruction there. */
  setBreakpoints(vas: readonly bigint[]): void;
  /** Accesses to stop before. */
  setWatchpoints(list: readonly HostWatchpoint[]): void;
  /** While true, `run` retires at most one instruction and returns {@link ExitKind.Debug} (reason Step). */
  singleStep: boolean;
  /** Why the last {@link ExitKind.Debug} exit happened. */
  readonly stopReason: DebugStopReason;
  /** For a watchpoint stop: the virtual address accessed. */
  readonly stopAddress: bigint;
  /**
   * Read one register by the architecture's GDB target description number
   * (AArch64 `org.gnu.gdb.aarch64.core` + `.fpu`: x0-x30, sp, pc, cpsr, v0-v31,
   * fpsr, fpcr); `null` if there is no such register.
   */
  readRegister(gdbNumber: number): bigint | null;
  /** Write one register by GDB number; returns false if there is no such register. */
  writeRegister(gdbNumber: number, value: bigint): boolean;
  /** The GDB target description XML (`qXfer:features:read:target.xml`). */
  readonly targetXml: string;
}

/** Configuration of a VM's interrupt controller. */
export interface InterruptControllerConfig {
  /** Number of vCPUs (one redistributor / CPU interface each). */
  readonly vcpus: number;
  /** Number of shared peripheral interrupts (INTIDs 32 ..). */
  readonly spis: number;
}

/** An interrupt controller together with its MMIO frames (e.g. GICD + GICRs). */
export interface InterruptControllerInstance extends InterruptController {
  /** MMIO regions the controller claims in the VM's IPA space. */
  readonly regions: readonly MmioRegion[];
  /** Attach the CPU side of vCPU `index` once it is created. */
  attachVcpu(index: number, vcpu: ArchVcpu): void;
}

/** The architecture plugin: the CPU emulator and its interrupt controller. */
export interface ArchPlugin {
  /** Plugin kind: an architecture. */
  readonly kind: "arch";
  /** The plugin API version it was written against ({@link PLUGIN_API_VERSION}). */
  readonly apiVersion: number;
  /** e.g. "aarch64". */
  readonly name: string;
  /** Create one vCPU of a VM, wired to its memory, MMIO bus, interrupt controller and clock. */
  createVcpu(init: VcpuInit): ArchVcpu;
  /** Create a VM's interrupt controller with its MMIO frames at `placement`. */
  createInterruptController(
    config: InterruptControllerConfig,
    placement: InterruptControllerPlacement,
  ): InterruptControllerInstance;
}

/** Where a VM's interrupt controller frames sit in its IPA space (GICv3: GICD and GICRs). */
export interface InterruptControllerPlacement {
  /** IPA of the distributor frame. */
  readonly distributorBase: number;
  /** IPA of vCPU 0's redistributor frames (one vCPU's frames after another). */
  readonly redistributorBase: number;
}

// ---------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------

/** A range of a VM's IPA space handled by a device. */
export interface MmioRegion {
  /** First IPA of the range. */
  readonly base: number;
  /** Length of the range in bytes. */
  readonly size: number;
  /** Offset-relative register read; data in `out.lo/out.hi`. */
  read(offset: number, size: number, vcpuIndex: number, out: MmioData): MmioResult;
  /** Offset-relative register write. */
  write(offset: number, size: number, lo: number, hi: number, vcpuIndex: number): MmioResult;
}

/** Scratch holder for MMIO read data (preallocated by the bus). */
export interface MmioData {
  /** Bits 31:0 of the data. */
  lo: number;
  /** Bits 63:32 of the data. */
  hi: number;
}

/** What a device gets to work with. */
export interface DeviceHost {
  /** Guest memory, through the VM's stage-2 view only. */
  readonly memory: Stage2View;
  /** Raise or lower one of the device's interrupt lines (GIC INTID). */
  setIrq(intid: number, level: boolean): void;
  /** Virtual time. */
  readonly clock: VirtualClockReader;
  /** Schedule `fn` at absolute virtual time `at` (ns); returns a cancel function. */
  setTimer(at: number, fn: () => void): () => void;
  /** Diagnostics. */
  log(message: string): void;
  /**
   * Connect the device to the network segment its configuration entry names
   * (`net:` beside `plugin:`; the boot configuration's `net:` section): the
   * segment delivers frames to `device`, and the returned endpoint takes the
   * device's frames. Throws {@link PluginContractError} when the entry names no
   * segment. Absent where the host offers no networks.
   */
  connectEthernet?(device: EthernetEndpoint): EthernetEndpoint;
}

/**
 * Largest Ethernet frame an endpoint is given: 1514 bytes (IEEE 802.3 header 14 +
 * MTU 1500) plus a 4-byte IEEE 802.1Q tag; frames carry no preamble and no FCS.
 */
export const ETHERNET_MAX_FRAME_BYTES = 1518;

/** One end of an Ethernet link (destination MAC, source MAC, EtherType, payload). */
export interface EthernetEndpoint {
  /**
   * Take one frame. The callee copies what it keeps (the caller may reuse
   * `frame`). Returns false when it cannot take it now; the callee counts
   * that drop.
   */
  receive(frame: Uint8Array): boolean;
}

/** A devicetree fragment a device contributes (written by the platform's FDT writer). */
export interface DtNode {
  /** Node name with unit address, e.g. `virtio_mmio@a000000`. */
  readonly name: string;
  /** Properties by name. */
  readonly props: Readonly<Record<string, DtValue>>;
  /** Child nodes. */
  readonly children?: readonly DtNode[];
}

/** A devicetree property value: string(s), cells, raw bytes, or empty (boolean true). */
export type DtValue = string | readonly string[] | readonly number[] | Uint8Array | true;

/** A device model instance inside one VM. */
export interface Device {
  /** The device's name (for logs and the dashboard). */
  readonly name: string;
  /** The MMIO ranges it claims in the VM's IPA space. */
  readonly regions: readonly MmioRegion[];
  /** Devicetree node(s) describing this device. */
  readonly dt?: readonly DtNode[];
  /** Reset to power-on state. */
  reset(): void;
  /** Release host resources. */
  close?(): void | Promise<void>;
  /** Snapshot for the dashboard. */
  describe(): Record<string, string | number | boolean>;
}

/** A device plugin: a factory for devices of one kind. */
export interface DevicePlugin {
  /** Plugin kind: a device. */
  readonly kind: "device";
  /** The plugin API version it was written against ({@link PLUGIN_API_VERSION}). */
  readonly apiVersion: number;
  /** The device kind's name, e.g. `virtio-rng`. */
  readonly name: string;
  /** Create one device for the VM behind `host`, configured by `options` (the boot configuration's, plus `mmioBase`, `intid` and `configDir` set by the host). */
  create(host: DeviceHost, options: Readonly<Record<string, unknown>>): Device | Promise<Device>;
}

// ---------------------------------------------------------------------------
// Platform
// ---------------------------------------------------------------------------

/** A named region of the platform's physical memory map. */
export interface MemoryMapEntry {
  /** Region name, e.g. `ram`, `gicd`, `uart`. */
  readonly name: string;
  /** First physical address. */
  readonly base: number;
  /** Length in bytes. */
  readonly size: number;
  /** Interrupt (GIC INTID), if the region is a device with one. */
  readonly intid?: number;
}

/** Where the platform placed a boot image, and how to enter it. */
export interface BootPlan {
  /** Entry point IPA for the boot vCPU. */
  readonly entry: bigint;
  /** X0 for the boot vCPU (the DTB address for Linux). */
  readonly x0: bigint;
  /** The blobs to copy into guest RAM, with their IPAs. */
  readonly blobs: readonly {
    readonly name: string;
    readonly ipa: number;
    readonly data: Uint8Array;
  }[];
}

/**
 * One slot for a memory-mapped device plugin (on qemu-virt: a virtio-mmio
 * transport window and its SPI).
 */
export interface DeviceSlot {
  /** Slot number, 0 .. `deviceSlotCount - 1`. */
  readonly index: number;
  /** IPA of the slot's register window. */
  readonly base: number;
  /** Size of the window in bytes. */
  readonly size: number;
  /** The slot's interrupt (GIC INTID). */
  readonly intid: number;
  /** The devicetree node for a device in this slot (used when the device brings none). */
  readonly dt: DtNode;
}

/** The platform's console device (a UART), as the system connects a terminal to it. */
export interface ConsoleDevice extends Device {
  /** Queue host input for the guest to read. */
  pushInput(bytes: Uint8Array): void;
  /** Where the guest's output bytes go (`null`: dropped). */
  setOutput(sink: ((byte: number) => void) | null): void;
}

/**
 * The machine model a VM is built on. It answers every board question, so
 * neither the core nor the device host holds a board constant: where RAM
 * starts, where the vGIC frames sit, how vCPUs are numbered (MPIDR), where
 * the i-th device plugin goes, which device is the console, and the
 * devicetree describing all of it.
 */
export interface PlatformPlugin {
  /** Plugin kind: a platform (board). */
  readonly kind: "platform";
  /** The plugin API version it was written against. */
  readonly apiVersion: number;
  /** e.g. "qemu-virt". */
  readonly name: string;
  /** The machine's memory map (RAM base, GIC frames, UART, RTC, virtio slots, ...). */
  readonly memoryMap: readonly MemoryMapEntry[];
  /** IPA at which every VM's RAM starts (and the hypervisor's physical RAM). */
  readonly ramBase: number;
  /** Most vCPUs one VM can have on this board (e.g. GICR frames that fit). */
  readonly maxVcpus: number;
  /** Where each VM's vGIC frames sit by default. */
  readonly interruptControllerPlacement: InterruptControllerPlacement;
  /** MPIDR affinity of vCPU `index` (Aff fields packed as in MPIDR_EL1, without bit 31). */
  mpidrOf(index: number): number;
  /** How many device-plugin slots a VM has. */
  readonly deviceSlotCount: number;
  /** Slot `index` (0 .. deviceSlotCount - 1); throws a RangeError outside. */
  deviceSlot(index: number): DeviceSlot;
  /** Built-in devices for one VM (UART, RTC, ...). */
  createDevices(host: DeviceHost, options: PlatformVmOptions): Device[];
  /** The console among the devices {@link createDevices} made, or `null` if there is none. */
  consoleOf(devices: readonly Device[]): ConsoleDevice | null;
  /** Place a kernel / binary (and initrd, DTB) in RAM; returns the boot plan. */
  planBoot(images: BootImages, vm: PlatformVmOptions, dtb: Uint8Array): BootPlan;
  /** Build the VM's flattened devicetree. */
  buildDeviceTree(vm: PlatformVmOptions, extraNodes: readonly DtNode[]): Uint8Array;
}

/** Shape of one VM as the platform needs to know it. */
export interface PlatformVmOptions {
  /** IPA of the VM's RAM. */
  readonly ramBase: number;
  /** Bytes of RAM. */
  readonly ramSize: number;
  /** Number of vCPUs. */
  readonly vcpus: number;
  /** Kernel command line (`/chosen/bootargs`). */
  readonly bootargs: string;
  /**
   * Wall-clock seconds since the Unix epoch at virtual time 0, for the
   * board's real-time clock (default: the host clock when the devices are
   * created). Set it for repeatable runs.
   */
  readonly rtcEpochSeconds?: number;
  /** Set by planBoot callers once the initrd location is known. */
  readonly initrd?: { readonly start: number; readonly end: number };
}

/** The images to boot. */
export interface BootImages {
  /** The kernel (arm64 Image, ELF or flat binary). */
  readonly kernel: Uint8Array;
  /** An initial ramdisk, if any. */
  readonly initrd?: Uint8Array;
}

// ---------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------

/**
 * A long-running service with its own partition and cspace (the RM is one).
 * It acts through {@link HypercallPort} exactly as a VM would through HVC.
 */
export interface Component {
  /** Plugin kind: a native component. */
  readonly kind: "component";
  /** The plugin API version it was written against. */
  readonly apiVersion: number;
  /** The component's name, e.g. `resource-manager`. */
  readonly name: string;
  /** Called once the component's thread, partition and cspace exist. */
  start(port: HypercallPort): void | Promise<void>;
  /** Called when a VIRQ bound to the component fires. */
  onVirq?(virq: number): void;
  /** Called when the hypervisor shuts down, in reverse start order. */
  stop?(): void | Promise<void>;
}

/** Native hypercall entry for components: the same dispatch as HVC, by call number. */
export interface HypercallPort {
  /** Gunyah call number N (as in `hvc #0x6000+N`) with up to 8 argument registers. */
  call(n: number, ...args: bigint[]): bigint[];
}

/** Any plugin. */
export type Plugin = ArchPlugin | PlatformPlugin | DevicePlugin | Component;
