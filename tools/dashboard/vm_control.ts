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
 * - Stop is the host VMM's forced VM_STOP over RPC (`GunyahSystem.stopVm`):
 *   the RM records the VM EXITED (VM_STOP_FORCED) and kills its vCPUs.
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
import { consoleTap } from "./console_tap.ts";

/** Smallest VM RAM the dashboard accepts (the boot's `--memory` floor). */
export const MIN_VM_MEMORY = 16 << 20;
/** Stage-2 granule: VM RAM must be a multiple of it (4 KiB). */
export const VM_MEMORY_GRANULE = 0x1000;
/** Longest VM name accepted. */
export const MAX_VM_NAME = 64;

/** A request the controls refuse; `status` is the HTTP status to answer with. */
export class VmControlError extends Error {
  /** Error name. */
  override readonly name = "VmControlError";
  /** `status`: the HTTP status; `message`: what went wrong and what to do. */
  constructor(readonly status: 400 | 404 | 409 | 422, message: string) {
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

async function readImage(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
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

  /** Controls for `system`; `defaultImages` supplies the default kernel and initrd. */
  constructor(system: GunyahSystem, defaultImages?: DefaultImages) {
    this.#system = system;
    this.#defaultImages = defaultImages ??
      (() => ensureGuestImages({ progress: (m) => system.log(`images: ${m}`) }));
  }

  /** Build (and by default start) a VM; its console is recorded from its first byte. */
  async create(req: CreateVmRequest): Promise<VmInstance> {
    const sys = this.#system;
    if (sys.vmRecords().some((v) => v.name === req.name)) {
      throw new VmControlError(409, `a VM named '${req.name}' exists; choose another name`);
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
    const kernel = await readImage(kernelPath, "kernel");
    const initrd = initrdPath === undefined ? undefined : await readImage(initrdPath, "initrd");
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
  async stop(vmid: number): Promise<void> {
    const rec = this.#record(vmid);
    if (rec.status !== "running") {
      throw new VmControlError(
        409,
        `VM '${rec.name}' (VMID ${vmid}) is ${rec.status}; only a running VM can be stopped`,
      );
    }
    try {
      await this.#system.stopVm(vmid);
    } catch (e) {
      throw asControlError(e);
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
