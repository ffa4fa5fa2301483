/**
 * The dashboard's VM controls: create, start and stop, on top of the
 * system's own launch path and the resource manager.
 *
 * - Create validates a request, reads the images (the boot's default
 *   Debian kernel and busybox initramfs when no kernel is given) and
 *   launches the VM with `GunyahSystem.launch`, as `gunyah boot` does.
 * - Every VM is launched READY (`launch(spec, { start: false })`) and started
 *   by `GunyahSystem.startVm`: the host VMM's VM_SET_CONTEXT (the boot plan's
 *   entry and X0) and VM_START over its RM RPC channel — at once, or later by
 *   {@link VmControl.start} for a VM created with `start: false`.
 * - Shutdown is the host VMM's VM_STOP without FORCE: the RM sends the VM
 *   NOTIFY_VM_SHUTDOWN over its RM channel and the guest powers itself off
 *   (PSCI SYSTEM_OFF). A guest without an RM channel is told so (409).
 * - Stop is the host VMM's forced VM_STOP over RPC (`GunyahSystem.stopVm`):
 *   the RM records the VM EXITED (VM_STOP_FORCED) and kills its vCPUs.
 * - Restart is stop (if running), VM_RESET, VM_DEALLOCATE, and a new launch
 *   from the same request (same name and images; the RM gives a new VMID).
 * - Delete is stop (if running), VM_RESET and VM_DEALLOCATE in one call; it
 *   reports the VMID freed and the RAM that went back to the system's VM RAM
 *   budget (the host VMM MEM_RECLAIMs the VM's parcel and its region is
 *   freed).
 * - The primary VM (VMID 3, the one `gunyah boot` attaches its terminal to)
 *   ends the whole system when it stops: stop and shutdown need
 *   `confirm: true`, restart and delete are refused.
 * - `kernel` / `initrd` must pass the {@link ImagePolicy} (403 otherwise).
 *
 * It reads VMs through the system's control surface (`vmRecord`,
 * `vmRecords`, plain data) and knows no core or RM class.
 *
 * Every refusal is a {@link VmControlError} with an HTTP status and a
 * message that says what to do instead.
 *
 * @module
 */
import {
  cacheRoot,
  DEFAULT_CONFIG_YAML,
  ensureGuestImages,
  type GunyahSystem,
  MAX_VCPUS,
  parseConfig,
  parseSize,
  type VmInstance,
  type VmRecordView,
  VmRequestError,
} from "@gunyah-ts/system";
import { RmError, RmMsg, Vmid } from "@gunyah-ts/rm";
import { HostVmmError, MIN_VM_MEMORY } from "@gunyah-ts/system";
import { checkImagePath, ImagePathError, type ImagePolicy } from "./access.ts";
import { consoleTap } from "./console_tap.ts";

/** Stage-2 granule: VM RAM must be a multiple of it (4 KiB). */
export const VM_MEMORY_GRANULE = 0x1000;
/** Longest VM name accepted. */
export const MAX_VM_NAME = 64;

/** HTTP statuses of refusals. */
export type VmControlStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 422;

/** A request the controls refuse; `status` is the HTTP status to answer with. */
export class VmControlError extends Error {
  /** Error name. */
  override readonly name = "VmControlError";
  /** `status`: the HTTP status; `message`: what went wrong and what to do. */
  constructor(readonly status: VmControlStatus, message: string) {
    super(message);
  }
}

/** A validated VM creation request. */
export interface CreateVmRequest {
  /** VM name (RM name, unique). */
  readonly name: string;
  /** RAM bytes. */
  readonly memory: number;
  /** vCPUs (1-8). */
  readonly vcpus: number;
  /** Host path of the kernel (Image, ELF or flat binary); absent: the default kernel. */
  readonly kernel?: string;
  /** Host path of the initramfs; absent: the default one with the default kernel, none otherwise; "none": none. */
  readonly initrd?: string;
  /** Kernel command line (default: the boot's). */
  readonly append: string;
  /** Start the VM once built (default true). */
  readonly start: boolean;
}

/** Where the default guest images come from (default: `ensureGuestImages`). */
export type DefaultImages = () => Promise<{ readonly kernel: string; readonly initrd: string }>;

const CREATE_KEYS = ["name", "memory", "vcpus", "kernel", "initrd", "append", "start"];
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The boot configuration's primary VM supplies the defaults. */
const DEFAULT_VM = parseConfig(DEFAULT_CONFIG_YAML, "default").vms[0];

/**
 * Check a JSON body for VM creation: `{name, memory, vcpus, kernel?, initrd?,
 * append?, start?}`; `memory` is bytes or a size such as "64M".
 */
export function parseCreateVmRequest(body: unknown): CreateVmRequest {
  const bad = (m: string): never => {
    throw new VmControlError(400, m);
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    bad('expected a JSON object such as {"name": "vm1", "memory": "64M", "vcpus": 1}');
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!CREATE_KEYS.includes(k)) bad(`unknown field '${k}'; allowed: ${CREATE_KEYS.join(", ")}`);
  }
  const name = b.name;
  if (typeof name !== "string" || name.length === 0) bad("'name' is required (a string)");
  if ((name as string).length > MAX_VM_NAME || !NAME_PATTERN.test(name as string)) {
    bad(
      `'name' must be 1-${MAX_VM_NAME} letters, digits, '_', '.' or '-' starting with a letter or digit, got ${
        JSON.stringify(name)
      }`,
    );
  }
  let memory = DEFAULT_VM.memory;
  if (b.memory !== undefined) {
    const m = typeof b.memory === "number"
      ? b.memory
      : typeof b.memory === "string"
      ? parseSize(b.memory)
      : null;
    if (m === null || !Number.isInteger(m) || m < MIN_VM_MEMORY || m % VM_MEMORY_GRANULE !== 0) {
      bad(
        `'memory': expected bytes (a multiple of 4096, at least 16 MiB) or a size such as "64M", got ${
          JSON.stringify(b.memory)
        }`,
      );
    }
    memory = m as number;
  }
  let vcpus = DEFAULT_VM.vcpus;
  if (b.vcpus !== undefined) {
    if (typeof b.vcpus !== "number" || !Number.isInteger(b.vcpus) || b.vcpus < 1) {
      bad(`'vcpus': expected an integer from 1 to ${MAX_VCPUS}, got ${JSON.stringify(b.vcpus)}`);
    }
    vcpus = b.vcpus as number;
    if (vcpus > MAX_VCPUS) bad(`'vcpus': at most ${MAX_VCPUS}, got ${vcpus}`);
  }
  for (const k of ["kernel", "initrd", "append"] as const) {
    if (b[k] !== undefined && typeof b[k] !== "string") {
      bad(`'${k}' must be a string, got ${JSON.stringify(b[k])}`);
    }
  }
  if (b.start !== undefined && typeof b.start !== "boolean") {
    bad(`'start' must be true or false, got ${JSON.stringify(b.start)}`);
  }
  if (b.initrd !== undefined && b.initrd !== "none" && b.kernel === undefined) {
    bad("'initrd' needs 'kernel' too (without 'kernel' the default kernel and initramfs are used)");
  }
  return {
    name: name as string,
    memory,
    vcpus,
    kernel: b.kernel as string | undefined,
    initrd: b.initrd as string | undefined,
    append: (b.append as string | undefined) ?? DEFAULT_VM.append,
    start: (b.start as boolean | undefined) ?? true,
  };
}

/** Images allowed when no policy is given: the images folder only. */
export function defaultImagePolicy(): ImagePolicy {
  return { folders: [`${cacheRoot()}/images`], files: [] };
}

/** What a delete did. */
export interface DeleteResult {
  /** The VMID freed. */
  readonly vmid: number;
  /** The VM's RAM, bytes. */
  readonly memoryBytes: number;
  /** Bytes of the VM RAM budget free after the delete more than before (the RAM returned). */
  readonly returnedBytes: number;
}

/** Body of a stop or shutdown: `confirm: true` is needed for the primary VM. */
export interface StopOptions {
  /** The caller confirmed stopping the primary VM (which ends the system). */
  readonly confirm?: boolean;
}

async function readImage(
  policy: ImagePolicy | null,
  path: string,
  what: string,
): Promise<Uint8Array> {
  try {
    return await Deno.readFile(policy === null ? path : await checkImagePath(policy, path, what));
  } catch (e) {
    if (e instanceof ImagePathError) throw new VmControlError(403, e.message);
    throw new VmControlError(
      422,
      `cannot read the ${what} '${path}': ${
        (e as Error).message
      } (give a path on the dashboard's host)`,
    );
  }
}

/** The VM controls of one system. */
export class VmControl {
  readonly #system: GunyahSystem;
  readonly #defaultImages: DefaultImages;
  readonly #policy: ImagePolicy;
  /** The request each VM created here was built from (for restart), by name. */
  readonly #requests = new Map<string, CreateVmRequest>();

  /**
   * Controls for `system`; `defaultImages` supplies the default kernel and
   * initrd; `policy` says which files a request may name (default: the images folder).
   */
  constructor(system: GunyahSystem, defaultImages?: DefaultImages, policy?: ImagePolicy) {
    this.#system = system;
    this.#policy = policy ?? defaultImagePolicy();
    this.#defaultImages = defaultImages ??
      (() => ensureGuestImages({ progress: (m) => system.log(`images: ${m}`) }));
  }

  /** Build (and by default start) a VM; its console is recorded from its first byte. */
  async create(req: CreateVmRequest): Promise<VmInstance> {
    const sys = this.#system;
    if (sys.vmRecords().some((v) => v.name === req.name)) {
      throw new VmControlError(409, `a VM named '${req.name}' exists; choose another name`);
    }
    const free = this.#freeRamBytes();
    if (req.memory > free) {
      throw new VmControlError(
        409,
        `VM '${req.name}' needs ${mib(req.memory)} MiB but the VM RAM budget has ${
          mib(free)
        } MiB free; delete a VM or ask for less`,
      );
    }
    let kernelPath = req.kernel;
    let initrdPath = req.initrd === "none" ? undefined : req.initrd;
    if (kernelPath === undefined) {
      let images: { readonly kernel: string; readonly initrd: string };
      try {
        images = await this.#defaultImages();
      } catch (e) {
        throw new VmControlError(
          409,
          `the default guest images are unavailable (${
            (e as Error).message
          }); give 'kernel' (and 'initrd') as paths on the dashboard's host`,
        );
      }
      kernelPath = images.kernel;
      if (req.initrd !== "none") initrdPath = images.initrd;
    }
    // The defaults come from the boot's own image cache; a path from the request must pass the policy.
    const kernel = await readImage(
      req.kernel === undefined ? null : this.#policy,
      kernelPath,
      "kernel",
    );
    const initrd = initrdPath === undefined
      ? undefined
      : await readImage(req.initrd === undefined ? null : this.#policy, initrdPath, "initrd");
    const spec = {
      name: req.name,
      memory: req.memory,
      vcpus: req.vcpus,
      kernel,
      initrd,
      bootargs: req.append,
    };
    let vm: VmInstance;
    try {
      vm = sys.launch(spec, { start: false });
    } catch (e) {
      throw asControlError(e);
    }
    consoleTap(vm);
    this.#requests.set(req.name, req);
    if (req.start) {
      try {
        await sys.startVm(vm.vmid);
      } catch (e) {
        throw asControlError(e);
      }
    }
    return vm;
  }

  /** VM_START (over the host VMM's RM channel) of a VM created with `start: false`. */
  async start(vmid: number): Promise<void> {
    const rec = this.#record(vmid);
    const vm = this.#system.vms.find((v) => v.vmid === vmid);
    if (rec.status === "running") {
      throw new VmControlError(409, `VM '${rec.name}' (VMID ${vmid}) is already running`);
    }
    if (rec.status === "exited") {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) has exited${
          rec.exitReason ? ` (${rec.exitReason})` : ""
        }; an exited VM cannot be started again (no VM_RESET): create a new VM`,
      );
    }
    if (rec.status !== "ready" || vm === undefined || vm.started) {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) is ${rec.status}, not ready to start`,
      );
    }
    try {
      await this.#system.startVm(vmid);
    } catch (e) {
      throw asControlError(e);
    }
  }

  /**
   * Forced VM_STOP over the host VMM's RM channel: the RM records the VM
   * EXITED (VM_STOP_FORCED) and kills its vCPUs.
   */
  async stop(vmid: number, options: StopOptions = {}): Promise<void> {
    const rec = this.#record(vmid);
    if (rec.status !== "running") {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) is ${rec.status}; only a running VM can be stopped`,
      );
    }
    this.#confirmPrimary(rec, options, "force-stopping");
    try {
      await this.#system.stopVm(vmid);
    } catch (e) {
      throw asControlError(e);
    }
  }

  /**
   * Graceful shutdown: VM_STOP without FORCE over the host VMM's RM channel;
   * the RM sends the VM NOTIFY_VM_SHUTDOWN and the guest powers off itself.
   */
  async shutdown(vmid: number, options: StopOptions = {}): Promise<void> {
    const rec = this.#record(vmid);
    if (rec.status !== "running") {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) is ${rec.status}; only a running VM can be shut down`,
      );
    }
    this.#confirmPrimary(rec, options, "shutting down");
    const p = new Uint8Array(8); // {u16 vmid; u8 flags = 0 (no FORCE); u8 res; u32 stop_reason}
    new DataView(p.buffer).setUint16(0, vmid, true);
    try {
      await this.#system.hostVmm.call(RmMsg.VM_STOP, p);
    } catch (e) {
      if (e instanceof HostVmmError && e.code === RmError.NORESOURCE) {
        throw new VmControlError(
          409,
          `VM '${rec.name}' (VMID ${vmid}) has no RM channel to receive NOTIFY_VM_SHUTDOWN ` +
            "(its kernel runs no Gunyah RM driver): power it off from its console " +
            "('poweroff', PSCI SYSTEM_OFF) or force-stop it",
        );
      }
      throw asControlError(e);
    }
    this.#system.hv.wake();
  }

  /**
   * Stop (if running), VM_RESET, VM_DEALLOCATE and launch the same request
   * again: the VM reboots from its images under a new VMID. Only VMs
   * created through these controls can be restarted (their request is kept).
   */
  async restart(vmid: number): Promise<VmInstance> {
    const rec = this.#record(vmid);
    this.#refusePrimary(rec, "restarted");
    const req = this.#requests.get(rec.name);
    if (req === undefined) {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) was not created by the dashboard, so its images are ` +
          "unknown here: delete it and create it again",
      );
    }
    await this.#teardown(rec);
    this.#requests.delete(rec.name);
    return this.create({ ...req, start: true });
  }

  /**
   * Stop (if running), VM_RESET, VM_DEALLOCATE and MEM_RECLAIM: the VMID is
   * free and its RAM region goes back to the VM RAM budget.
   */
  async delete(vmid: number): Promise<DeleteResult> {
    const rec = this.#record(vmid);
    this.#refusePrimary(rec, "deleted");
    const memoryBytes = this.#system.status().vms.find((v) => v.vmid === vmid)?.memoryBytes ?? 0;
    const before = this.#freeRamBytes();
    await this.#teardown(rec);
    this.#requests.delete(rec.name);
    return { vmid, memoryBytes, returnedBytes: this.#freeRamBytes() - before };
  }

  /** Bytes of the system's VM RAM budget not held by a VM's region. */
  #freeRamBytes(): number {
    return this.#system.vmRam.budget - this.#system.vmRam.used;
  }

  async #teardown(rec: VmRecordView): Promise<void> {
    try {
      if (rec.status === "running") await this.#system.stopVm(rec.vmid);
      if (this.#record(rec.vmid).status !== "reset") await this.#system.resetVm(rec.vmid);
      await this.#system.destroyVm(rec.vmid);
    } catch (e) {
      throw asControlError(e);
    }
  }

  #confirmPrimary(rec: VmRecordView, options: StopOptions, doing: string): void {
    if (isPrimaryVm(rec.vmid) && options.confirm !== true) {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${rec.vmid}) is the primary VM: ${doing} it ends the whole ` +
          'system; send {"confirm": true} to do it anyway',
      );
    }
  }

  #refusePrimary(rec: VmRecordView, done: string): void {
    if (isPrimaryVm(rec.vmid)) {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${rec.vmid}) is the primary VM and cannot be ${done}: ` +
          "the system lives as long as it does (stop it to end the system)",
      );
    }
  }

  /** VM_RESET over the host VMM's RM channel: the stopped VM's objects are destroyed. */
  async reset(vmid: number): Promise<void> {
    this.#record(vmid);
    try {
      await this.#system.resetVm(vmid);
    } catch (e) {
      throw asControlError(e);
    }
  }

  /** VM_DEALLOCATE over the host VMM's RM channel: a reset VM's VMID is freed. */
  async destroy(vmid: number): Promise<void> {
    this.#record(vmid);
    try {
      await this.#system.destroyVm(vmid);
    } catch (e) {
      throw asControlError(e);
    }
  }

  /** The RM's record of `vmid`, or a 404 {@link VmControlError}. */
  record(vmid: number): VmRecordView {
    return this.#record(vmid);
  }

  /** Refuse (409) unless `vmid` is running; `doing` names the refused action ("typed on"). */
  requireRunning(vmid: number, doing: string): void {
    const rec = this.#record(vmid);
    if (rec.status !== "running") {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) is ${rec.status}${
          rec.exitReason ? ` (${rec.exitReason})` : ""
        }: it cannot be ${doing}`,
      );
    }
  }

  #record(vmid: number): VmRecordView {
    try {
      return this.#system.vmRecord(vmid);
    } catch (e) {
      if (e instanceof VmRequestError && e.reason === "unknown-vm") {
        throw new VmControlError(404, `${e.message} (GET /api/state lists them)`);
      }
      throw e;
    }
  }
}

/** Bytes as whole MiB (rounded down), without 32-bit arithmetic. */
function mib(bytes: number): number {
  return Math.floor(bytes / 2 ** 20);
}

/** Whether `vmid` is the primary VM (the HLOS VMID, the VM `gunyah boot` launches). */
export function isPrimaryVm(vmid: number): boolean {
  return vmid === Vmid.HLOS;
}

/** A launch failure as a 409 (the request was fine, the system's state refused it), or 400. */
function asControlError(e: unknown): VmControlError {
  if (e instanceof VmControlError) return e;
  if (e instanceof VmRequestError) {
    return new VmControlError(
      e.reason === "invalid-argument" ? 400 : e.reason === "unknown-vm" ? 404 : 409,
      e.message,
    );
  }
  if (e instanceof Error) return new VmControlError(409, e.message);
  return new VmControlError(409, String(e));
}
