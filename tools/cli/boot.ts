/**
 * `gunyah boot`: boot the default system (hypervisor, resource manager, the
 * primary VM running Linux) with its console on the terminal.
 *
 * @module
 */
import { type NicUserOption, parseNicOption, withUserNics } from "./nic.ts";
import {
  type CpuMode,
  createAarch64Plugin,
  DEFAULT_CPU_MODE,
  isCpuMode,
  resolveCpuMode,
} from "@gunyah-ts/arch-aarch64";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "./commands.ts";
import {
  type BootConfig,
  cacheRoot,
  ConfigError,
  DEFAULT_CONFIG_YAML,
  ensureGuestImages,
  GunyahSystem,
  ImageUnavailableError,
  loadConfig,
  MAX_VCPUS,
  parseConfig,
  parseSize,
  type PreparedDevicePlugins,
  type VmEnd,
  type VmInstance,
  vmMemoryProblem,
} from "@gunyah-ts/system";
import { attachTerminal, type ConsoleStep, scriptedConsole, unescapeTyped } from "./console.ts";
import {
  DashboardAddressError,
  type DashboardServer,
  type ImagePolicy,
  parseListenAddress,
  serveDashboard,
  teeConsole,
} from "@gunyah-ts/dashboard";
import {
  GdbAddressError,
  type GdbServer,
  GdbTargetError,
  parseGdbAddress,
  serveGdb,
  vmDebugTarget,
} from "@gunyah-ts/gdb";

/** Physical RAM beyond the configured VMs', for VMs created at run time (dashboard, API). */
export const SPARE_RAM_BYTES = 1024 * 1024 * 1024;

const HELP = `Usage: deno task boot [options]

Boots the hypervisor, the resource manager and a primary VM running Linux,
with the guest console on this terminal. Ctrl-A X quits, Ctrl-A H lists the
console keys.

Options:
  --config FILE    boot configuration (YAML; see docs/ARCHITECTURE.md "Boot
                   configuration"); default: the built-in default system.
                   Every VM of its vms: boots; the terminal is the first
                   one's console, the others' are on the dashboard
  --kernel FILE    arm64 Linux Image, ELF or flat binary (default: Debian's
                   linux-image-arm64, fetched once with apt)
  --initrd FILE    initramfs (default: a busybox initramfs built once);
                   "none" for no initrd
  --append TEXT    kernel command line (default: console=ttyAMA0)
  --memory SIZE    primary VM RAM, e.g. 512M (default 512M)
  --vcpus N        primary VM vCPUs, 1-${MAX_VCPUS} (default 2)
  --no-dashboard   do not serve the status page (default: on 127.0.0.1:8418)
  --dashboard ADDR serve the status page on this loopback host:port
  --log FILE       append the hypervisor's diagnostics (unknown encodings,
                   unimplemented registers, RM messages) to FILE
  --cpu-mode MODE  how vCPUs execute guest code: interp (the interpreter) or
                   jit (hot blocks translated to host code); default: the
                   configuration's hypervisor.cpu-mode, else the environment's
                   GUNYAH_CPU_MODE, else ${DEFAULT_CPU_MODE}
  --gdb ADDR       serve a GDB remote stub for the VM on this loopback
                   host:port (or port), e.g. 127.0.0.1:1234; attach with
                   gdb-multiarch -ex 'target remote 127.0.0.1:1234'
                   (docs/DEBUGGING.md); default: the configuration's
                   hypervisor.gdb, else none
  --wait-gdb       with --gdb: hold the vCPUs before their first instruction
                   until the debugger continues (like QEMU's -S)
  --deterministic  idle virtual time jumps ahead at once, so the same boot
                   prints the same bytes every time (default: realtime, an
                   idle guest's clock keeps pace with the wall clock)
  --nic user[,hostfwd=tcp:127.0.0.1:HOSTPORT-:GUESTPORT][,net=CIDR]
                   user-mode networking, as QEMU's -nic user: a virtio-net
                   device on the primary VM, behind a gateway at 10.0.2.2
                   (the host's 127.0.0.1 as the guest sees it) with DHCP
                   (leases from 10.0.2.15) and DNS at 10.0.2.3; outbound TCP
                   and UDP go through this process's sockets; each hostfwd
                   listens on a loopback port and forwards to the guest.
                   Repeatable. In the default guest: modprobe virtio_mmio;
                   modprobe virtio_net; ifconfig eth0 10.0.2.15 up; route add
                   default gw 10.0.2.2 (the first DHCP lease; busybox udhcpc
                   also works, with an -s script that applies the lease)
  --when TEXT --type TEXT
                   once the console has printed TEXT, type TEXT (\n for
                   Enter); repeatable pairs, applied in order, at the same
                   virtual instant in every run
  -h, --help       this text

A reset from the guest (PSCI SYSTEM_RESET, e.g. busybox 'reboot -f') boots it
again with a fresh hypervisor; --when/--type apply to the first boot only.

Exit status: 0 the guest powered off (or you quit with Ctrl-A X), 1 the guest
or the boot failed, 2 usage or configuration error.`;

/** Parse the command line into overrides of the primary VM. */
function parse(args: string[]): {
  config?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  memory?: number;
  vcpus?: number;
  deterministic?: boolean;
  "cpu-mode"?: CpuMode;
  log?: string;
  dashboard?: string;
  "no-dashboard"?: boolean;
  gdb?: string;
  "wait-gdb"?: boolean;
  nic: NicUserOption[];
  script: ConsoleStep[];
} {
  const { values, positionals } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      kernel: { type: "string" },
      initrd: { type: "string" },
      append: { type: "string" },
      memory: { type: "string" },
      vcpus: { type: "string" },
      deterministic: { type: "boolean" },
      "cpu-mode": { type: "string" },
      log: { type: "string" },
      dashboard: { type: "string" },
      "no-dashboard": { type: "boolean" },
      gdb: { type: "string" },
      "wait-gdb": { type: "boolean" },
      nic: { type: "string", multiple: true },
      when: { type: "string", multiple: true },
      type: { type: "string", multiple: true },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new ConfigError(`unexpected argument '${positionals[0]}'`);
  let memory: number | undefined;
  if (values.memory !== undefined) {
    const m = parseSize(values.memory);
    if (m === null) {
      throw new ConfigError(`--memory: expected a size such as 512M or 1G, got '${values.memory}'`);
    }
    const problem = vmMemoryProblem(m);
    if (problem !== null) {
      throw new ConfigError(`--memory: expected ${problem}, got '${values.memory}'`);
    }
    memory = m;
  }
  let vcpus: number | undefined;
  if (values.vcpus !== undefined) {
    vcpus = Number(values.vcpus);
    if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > MAX_VCPUS) {
      throw new ConfigError(
        `--vcpus: expected an integer from 1 to ${MAX_VCPUS}, got '${values.vcpus}'`,
      );
    }
  }
  const when = values.when ?? [], type = values.type ?? [];
  if (when.length !== type.length) {
    throw new ConfigError(
      `--when and --type come in pairs (got ${when.length} --when, ${type.length} --type)`,
    );
  }
  const script = when.map((w, i) => ({ when: unescapeTyped(w), type: unescapeTyped(type[i]) }));
  const cpuMode = values["cpu-mode"];
  if (cpuMode !== undefined && !isCpuMode(cpuMode)) {
    throw new ConfigError(`--cpu-mode: expected interp or jit, got '${cpuMode}'`);
  }
  if (values.gdb !== undefined) {
    try {
      parseGdbAddress(values.gdb);
    } catch (e) {
      throw new ConfigError(`--gdb: ${(e as Error).message}`);
    }
  }
  const nic = (values.nic ?? []).map((text) => {
    try {
      return parseNicOption(text);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  });
  const { when: _w, type: _t, "cpu-mode": _c, nic: _n, ...rest } = values;
  return { ...rest, "cpu-mode": cpuMode, memory, vcpus, nic, script };
}

function progress(message: string): void {
  console.error(`[boot] ${message}`);
}

async function readImage(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new ConfigError(`${what} ${path}: ${(e as Error).message}`);
  }
}

/** How one `gunyah boot` runs, beyond its configuration. */
export interface BootOptions {
  /** Scripted console input (first power cycle only). */
  readonly script?: readonly ConsoleStep[];
  /** Where relative paths of the configuration are resolved (default: the working directory). */
  readonly configDir?: string;
  /** Append the hypervisor's diagnostics to this file. */
  readonly logPath?: string;
}

/** A diagnostics sink appending lines to `path` (created if needed). */
function openLog(path: string): (message: string) => void {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { append: true, create: true });
  } catch (e) {
    throw new ConfigError(`--log ${path}: ${(e as Error).message}`);
  }
  const enc = new TextEncoder();
  return (m) => {
    file.writeSync(enc.encode(m + "\n"));
  };
}

/**
 * Boot every VM of `config`: the first with its console on the terminal (its
 * end ends the system), the others beside it with their consoles on the
 * dashboard. Returns the exit status.
 */
export async function bootSystem(config: BootConfig, options: BootOptions = {}): Promise<number> {
  const script = options.script ?? [];
  const configDir = options.configDir ?? Deno.cwd();
  const log = options.logPath ? openLog(options.logPath) : undefined;
  const needDefault = config.vms.some((v) => v.kernel === "default" || v.initrd === "default");
  const images = needDefault
    ? await ensureGuestImages({ progress: (m) => progress(`images: ${m}`) })
    : null;
  const loaded: LoadedImages[] = [];
  for (const vmc of config.vms) {
    // Relative paths in a configuration are relative to its folder, as device plugin paths are.
    const kernelPath = vmc.kernel === "default" ? images!.kernel : resolve(configDir, vmc.kernel);
    const initrdPath = vmc.initrd === "default"
      ? images!.initrd
      : vmc.initrd === "none"
      ? null
      : resolve(configDir, vmc.initrd);
    loaded.push({
      kernel: await readImage(kernelPath, "kernel"),
      initrd: initrdPath ? await readImage(initrdPath, "initrd") : undefined,
      kernelPath,
      initrdPath,
    });
  }
  if (images) progress(`images: ${images.source}`);

  // PSCI SYSTEM_RESET reboots: a fresh hypervisor and VM, the terminal stays attached.
  for (let boot = 1;; boot++) {
    const result = await bootOnce(
      // --wait-gdb holds the first boot only: a reboot runs on (the stub serves it again).
      boot === 1 ? config : { ...config, hypervisor: { ...config.hypervisor, waitGdb: false } },
      loaded,
      boot === 1 ? script : [],
      configDir,
      log,
    );
    if (result !== "reset") return result;
    progress("the guest reset the system: rebooting");
  }
}

interface LoadedImages {
  readonly kernel: Uint8Array;
  readonly initrd: Uint8Array | undefined;
  readonly kernelPath: string;
  readonly initrdPath: string | null;
}

/** One power cycle: returns the exit status, or "reset" when the guest asked for a reset. */
async function bootOnce(
  config: BootConfig,
  loaded: readonly LoadedImages[],
  script: readonly ConsoleStep[],
  configDir: string,
  log: ((message: string) => void) | undefined,
): Promise<number | "reset"> {
  const ram = config.vms.reduce((n, v) => n + v.memory, 0) + SPARE_RAM_BYTES;
  const cpuMode = config.hypervisor.cpuMode;
  if (cpuMode !== undefined && config.plugins.arch !== "builtin:aarch64") {
    throw new ConfigError(
      `hypervisor.cpu-mode configures the builtin:aarch64 arch plugin; ` +
        `this configuration loads '${config.plugins.arch}'`,
    );
  }
  const system = await GunyahSystem.create({
    physicalCpus: config.hypervisor.physicalCpus,
    nsPerInstruction: config.hypervisor.nsPerInstruction,
    time: config.hypervisor.time,
    ramBytes: ram,
    log,
    plugins: config.plugins,
    configDir,
    net: config.net,
    // The CPU mode configures the built-in arch plugin (a plugin object overrides plugins.arch).
    ...(cpuMode === undefined ? {} : { arch: createAarch64Plugin({ cpuMode }) }),
  });
  progress(
    `hypervisor: ${system.arch.name} on ${system.platform.name}, ` +
      `${config.hypervisor.physicalCpus} physical CPUs, ${ram >> 20} MiB RAM, ` +
      `${config.hypervisor.time} time, cpu mode ${describeCpuMode(cpuMode)}`,
  );
  const prepared: PreparedDevicePlugins[] = [];
  const vms: VmInstance[] = [];
  for (const [i, vmc] of config.vms.entries()) {
    const img = loaded[i];
    // Device plugins are prepared again on every power cycle: a prepared set binds to one VM.
    const devicePlugins = vmc.devices.length > 0
      ? await system.prepareDevices(
        vmc.devices,
        configDir,
        (m) => progress(`devices: ${m}`),
        vmc.name,
      )
      : undefined;
    if (devicePlugins) prepared.push(devicePlugins);
    if (vmc.devices.length > 0) {
      progress(
        `devices of '${vmc.name}': ${
          vmc.devices.map((d) => d.plugin + (d.isolate ? " (sandboxed)" : "")).join(", ")
        }`,
      );
    }
    const vm = system.launch({
      name: vmc.name,
      memory: vmc.memory,
      vcpus: vmc.vcpus,
      kernel: img.kernel,
      initrd: img.initrd,
      bootargs: vmc.append,
      devicePlugins,
    });
    vms.push(vm);
    progress(
      `VM '${vm.name}' (VMID ${vm.vmid}): ${vmc.vcpus} vCPUs, ${vmc.memory >> 20} MiB, ` +
        `kernel ${img.kernelPath}${img.initrdPath ? `, initrd ${img.initrdPath}` : ""}; ` +
        `the resource manager started and built it from its boot description`,
    );
  }
  const vm = vms[0];
  // The other VMs' consoles are kept from their first byte for the dashboard's terminals.
  for (const other of vms.slice(1)) teeConsole(other);
  const gdb = config.hypervisor.gdb !== undefined
    ? startGdb(system, vm, config.hypervisor.gdb, config.hypervisor.waitGdb === true)
    : null;
  const dashboard = config.dashboard
    ? await startDashboard(system, config.dashboard, dashboardImages(config, loaded[0], configDir))
    : null;
  if (dashboard) {
    progress(`dashboard: ${dashboard.openUrl}`);
    progress(`dashboard token for 'gunyah vm': ${dashboard.tokenFile}`);
  }
  if (vms.length > 1) {
    const others = vms.slice(1).map((v) => `'${v.name}'`).join(", ");
    progress(
      `the terminal is '${vm.name}''s console; ${others}: ` +
        (dashboard ? "consoles on the dashboard" : "consoles not shown (no dashboard)") +
        `; the system ends when '${vm.name}' does`,
    );
  }
  progress(`console of '${vm.name}' attached (Ctrl-A X quits)`);

  let end: VmEnd | null = null;
  const ended = vm.ended.then((e) => (end = e));
  // Attach (which installs the output sink synchronously) before the first instruction runs.
  const session = attachTerminal(scriptedConsole(teeConsole(vm), script), ended);
  const running = system.run();
  const how = await session;
  system.stop();
  await running;
  for (const p of prepared) await p.close();
  await gdb?.close();
  await dashboard?.close();
  await system.close();
  if (how === "quit") {
    console.error("\n[boot] quit from the console");
    return 0;
  }
  const e = end as VmEnd | null;
  if (e === null) return 1;
  switch (e.kind) {
    case "system_off":
      console.error("\n[boot] the guest powered off");
      return 0;
    case "system_reset":
      return "reset";
    case "fault":
      console.error(`\n[boot] the guest stopped on a fault: ${e.detail}`);
      return 1;
    case "stopped":
      console.error("\n[boot] the VM was stopped");
      return 0;
  }
}

/**
 * Serve the GDB stub for `vm` on `address`; with `wait`, the VM is held
 * before its first instruction until a debugger attaches and resumes it.
 */
function startGdb(system: GunyahSystem, vm: VmInstance, address: string, wait: boolean): GdbServer {
  const target = vmDebugTarget(system, vm);
  const server = serveGdb(target, address, { log: (m) => progress(m) });
  if (wait) target.holdForDebugger();
  progress(
    `gdb: stub for VM '${vm.name}' on ${server.address}` +
      (wait ? " (vCPUs held before their first instruction until a debugger continues)" : "") +
      `; attach with gdb-multiarch -ex 'target remote ${server.address}'`,
  );
  return server;
}

/**
 * Which files VMs created over the dashboard may be built from: the images
 * folder, and the kernel / initrd paths this boot's configuration names
 * (relative ones from the configuration's folder).
 */
function dashboardImages(
  config: BootConfig,
  img: { readonly kernelPath: string; readonly initrdPath: string | null },
  configDir: string,
): ImagePolicy {
  const files = [img.kernelPath, ...(img.initrdPath ? [img.initrdPath] : [])];
  for (const v of config.vms) {
    for (const p of [v.kernel, v.initrd]) {
      if (p !== "default" && p !== "none") files.push(resolve(configDir, p));
    }
  }
  return { folders: [`${cacheRoot()}/images`], files };
}

/** Serve the dashboard on `address`; a port in use falls back to a free one (said so). */
async function startDashboard(
  system: GunyahSystem,
  address: string,
  images: ImagePolicy,
): Promise<DashboardServer> {
  try {
    return await serveDashboard(system, address, { images });
  } catch (e) {
    if (!(e instanceof DashboardAddressError) || !e.message.includes("in use")) throw e;
    const { hostname } = parseListenAddress(address);
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    const server = await serveDashboard(system, `${host}:0`, { images });
    progress(`dashboard: ${address} is in use; serving on port ${server.port} instead`);
    return server;
  }
}

/** The boot command. */
export const bootCommand: Command = {
  name: "boot",
  summary: "boot the default system: hypervisor, RM, Linux primary VM",
  help: HELP,
  async run(args: string[]): Promise<number> {
    let config: BootConfig;
    let script: ConsoleStep[] = [];
    let configDir = Deno.cwd();
    let logPath: string | undefined;
    try {
      const flags = parse(args);
      const base = flags.config
        ? await loadConfig(flags.config)
        : parseConfig(DEFAULT_CONFIG_YAML, "default");
      const [first, ...rest] = base.vms;
      script = flags.script;
      logPath = flags.log;
      if (flags.config) configDir = dirname(resolve(flags.config));
      config = withUserNics({
        ...base,
        hypervisor: {
          ...base.hypervisor,
          ...(flags.deterministic ? { time: "deterministic" as const } : {}),
          ...(flags["cpu-mode"] ? { cpuMode: flags["cpu-mode"] } : {}),
          ...(flags.gdb !== undefined ? { gdb: flags.gdb } : {}),
          ...(flags["wait-gdb"] ? { waitGdb: true } : {}),
        },
        dashboard: flags["no-dashboard"] ? null : flags.dashboard ?? base.dashboard,
        vms: [{
          ...first,
          // Paths given on the command line are relative to the working directory.
          kernel: flags.kernel !== undefined && flags.kernel !== "default"
            ? resolve(flags.kernel)
            : flags.kernel ?? first.kernel,
          initrd: flags.initrd !== undefined && flags.initrd !== "default" &&
              flags.initrd !== "none"
            ? resolve(flags.initrd)
            : flags.initrd ?? first.initrd,
          append: flags.append ?? first.append,
          memory: flags.memory ?? first.memory,
          vcpus: flags.vcpus ?? first.vcpus,
        }, ...rest],
      }, flags.nic);
      if (config.hypervisor.waitGdb && config.hypervisor.gdb === undefined) {
        throw new ConfigError(
          "--wait-gdb needs --gdb ADDR (or hypervisor.gdb in the configuration)",
        );
      }
    } catch (e) {
      if (e instanceof ConfigError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
        console.error(`gunyah boot: ${(e as Error).message}\n(see deno task boot --help)`);
        return 2;
      }
      throw e;
    }
    try {
      return await bootSystem(config, { script, configDir, logPath });
    } catch (e) {
      if (
        e instanceof ImageUnavailableError || e instanceof ConfigError ||
        e instanceof DashboardAddressError || e instanceof GdbAddressError ||
        e instanceof GdbTargetError
      ) {
        console.error(`gunyah boot: ${e.message}`);
        return e instanceof ImageUnavailableError ? 1 : 2;
      }
      console.error(`gunyah boot: ${(e as Error).message}`);
      return 1;
    }
  },
};

/** "interp", or "jit (wasm blocks, threshold 2000)" as the options and environment resolve. */
function describeCpuMode(cpuMode: CpuMode | undefined): string {
  const r = resolveCpuMode(cpuMode === undefined ? {} : { cpuMode });
  return r.mode === "interp" ? "interp" : `jit (${r.backend} blocks, threshold ${r.threshold})`;
}
