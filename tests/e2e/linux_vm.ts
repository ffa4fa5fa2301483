/**
 * The scaffolding every Linux end-to-end test shares: get the Debian guest
 * images (skip, saying why, when they cannot be had), create a system, launch
 * one Linux VM with optional device plugins, let the test react to console
 * output (type commands, look at the system), run until the VM ends or a
 * timeout, and tear everything down.
 *
 * ```ts
 * const run = await runLinuxVm({
 *   images: { init: MY_INIT },
 *   onOutput: (text, vm) => { if (text.includes("ready")) vm.type("echo hi\n"); },
 * });
 * if (run === null) return; // skipped (the reason is printed)
 * assertEquals(run.end, { kind: "system_off" }, run.tail);
 * ```
 *
 * Its own entry point (`@gunyah-ts/tests/linux`): its types are the system's
 * (`@gunyah-ts/system`), whose documentation is not complete yet.
 *
 * @module
 */
import {
  type DevicePluginConfig,
  ensureGuestImages,
  type EnsureOptions,
  type GuestImages,
  GunyahSystem,
  ImageUnavailableError,
  type VmEnd,
  type VmInstance,
} from "@gunyah-ts/system";
import { E2E_BOOTARGS } from "./linux_init.ts";

/** What the test can do while the VM runs. */
export interface LinuxVmControl {
  /** The running system (status, the host VMM, the RM). */
  readonly system: GunyahSystem;
  /** The VM. */
  readonly vm: VmInstance;
  /** Type `text` on the VM's console. */
  type(text: string): void;
}

/** How to boot the VM; every field has the e2e tests' usual default. */
export interface LinuxVmOptions {
  /** Which images ({@link ensureGuestImages}'s options; `progress` is quiet unless given). */
  readonly images?: EnsureOptions;
  /** The system's RAM (default 600 MiB). */
  readonly ramBytes?: number;
  /** Physical CPUs of the hypervisor (default 1). */
  readonly physicalCpus?: number;
  /** The VM's RAM (default 512 MiB). */
  readonly memory?: number;
  /** The VM's vCPUs (default 1). */
  readonly vcpus?: number;
  /** Kernel command line (default {@link E2E_BOOTARGS}). */
  readonly bootargs?: string;
  /** Device plugins for the VM, their relative paths resolved against `dir`. */
  readonly devices?: { readonly configs: readonly DevicePluginConfig[]; readonly dir: string };
  /** Give up after this long (default: wait for the VM to end). */
  readonly timeoutMs?: number;
  /** Called after each console output with the whole text so far (CR LF made LF). */
  readonly onOutput?: (text: string, control: LinuxVmControl) => void;
}

/** How the run went. */
export interface LinuxVmResult {
  /** The images booted. */
  readonly images: GuestImages;
  /** The whole console text (CR LF made LF). */
  readonly output: string;
  /** Its last 4000 characters, for assertion messages. */
  readonly tail: string;
  /** How the VM ended, or "timeout". */
  readonly end: VmEnd | "timeout";
  /** Wall-clock seconds from launch to the end. */
  readonly seconds: number;
  /** The system, stopped: its status and the RM's tables can still be read. */
  readonly system: GunyahSystem;
}

/**
 * The Debian guest images for `opts` (quietly unless `opts.progress` says
 * otherwise), or null after printing why they cannot be had: the test then
 * skips.
 */
export async function guestImagesOrSkip(opts: EnsureOptions = {}): Promise<GuestImages | null> {
  try {
    return await ensureGuestImages({ progress: () => {}, ...opts });
  } catch (e) {
    if (e instanceof ImageUnavailableError) {
      console.error(`skipped: ${e.message}`);
      return null;
    }
    throw e;
  }
}

/**
 * Boot one Linux VM and run it to its end; null (after printing why) when
 * the guest images cannot be had. The system is stopped and its components
 * and device plugins closed before this returns, also when it throws.
 */
export async function runLinuxVm(opts: LinuxVmOptions = {}): Promise<LinuxVmResult | null> {
  const images = await guestImagesOrSkip(opts.images);
  if (images === null) return null;
  const system = await GunyahSystem.create({
    ramBytes: opts.ramBytes ?? 600 << 20,
    physicalCpus: opts.physicalCpus ?? 1,
  });
  const prepared = opts.devices
    ? await system.prepareDevices(opts.devices.configs, opts.devices.dir)
    : undefined;
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let raw = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const started = performance.now();
    const vm = system.launch({
      name: "linux",
      memory: opts.memory ?? 512 << 20,
      vcpus: opts.vcpus ?? 1,
      kernel: await Deno.readFile(images.kernel),
      initrd: await Deno.readFile(images.initrd),
      bootargs: opts.bootargs ?? E2E_BOOTARGS,
      devicePlugins: prepared,
    });
    const control: LinuxVmControl = {
      system,
      vm,
      type: (text) => vm.console.input(enc.encode(text)),
    };
    vm.console.onOutput((b) => {
      raw += dec.decode(b, { stream: true });
      opts.onOutput?.(raw.replace(/\r\n/g, "\n"), control);
    });
    const running = system.hv.run();
    const timedOut = new Promise<"timeout">((resolve) => {
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => resolve("timeout"), opts.timeoutMs);
      }
    });
    const end = await Promise.race([vm.ended, timedOut]);
    const seconds = (performance.now() - started) / 1000;
    system.hv.stop();
    await running;
    const output = raw.replace(/\r\n/g, "\n");
    return { images, output, tail: output.slice(-4000), end, seconds, system };
  } finally {
    clearTimeout(timer);
    await system.hv.stopComponents();
    await prepared?.close();
  }
}
