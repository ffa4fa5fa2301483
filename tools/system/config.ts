/**
 * The boot configuration: a YAML file (npm `yaml`) validated into a typed
 * {@link BootConfig}. Every error names the file, the key (with its line)
 * and what was expected, e.g.
 * `boot.yaml:7 vms[0].vcpus: expected an integer from 1 to 8, got "two"`.
 *
 * @module
 */
import { type CpuMode, isCpuMode } from "@gunyah-ts/arch-aarch64";
import { isMap, LineCounter, parseDocument } from "yaml";
import { parseUserNet, type UserNetConfig } from "./user_net.ts";

/** Size suffixes accepted in memory sizes (binary multiples). */
const SIZE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Smallest VM memory (bytes): room for the Linux kernel, its initramfs and the devicetree. */
export const MIN_VM_MEMORY = 16 * 1024 ** 2;
/**
 * Largest VM memory (bytes): a RAM region is one WebAssembly memory (at most
 * 4 GiB, core/memory/physical_memory.ts) and the system keeps 1 GiB of it
 * spare for VMs created at run time (tools/cli/boot.ts SPARE_RAM_BYTES).
 */
export const MAX_VM_MEMORY = 3 * 1024 ** 3;

/**
 * Why `bytes` cannot be a VM's memory, or null when it can: a whole number
 * of 4 KiB pages from {@link MIN_VM_MEMORY} to {@link MAX_VM_MEMORY}.
 */
export function vmMemoryProblem(bytes: number): string | null {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_VM_MEMORY || bytes > MAX_VM_MEMORY) {
    return "a size from 16M to 3G (one VM's RAM is one WebAssembly memory of at most 4 GiB, " +
      "1 GiB of which the system keeps for VMs created at run time)";
  }
  if (bytes % 4096 !== 0) return "a size in whole 4 KiB pages (e.g. 512M)";
  return null;
}

/** Largest vCPU count per VM (GICv3 redistributor frames fit; Gunyah's QEMU platform has 8 cores). */
export const MAX_VCPUS = 8;

/** One device plugin instance. */
export interface DeviceConfig {
  /** Module specifier (path relative to the config file, `npm:`, `jsr:` or a URL). */
  readonly plugin: string;
  /**
   * `true` (the default): run in a Deno Worker with only `permissions`;
   * `"process"`: in a child `deno run` with only `permissions` (a hung plugin is
   * killed; guest memory is copied through the host); `false`: in the host.
   */
  readonly isolate: boolean | "process";
  readonly permissions: {
    readonly read: readonly string[];
    readonly write: readonly string[];
  };
  readonly options: Readonly<Record<string, unknown>>;
  /** The Ethernet segment (a `net[].name`) the device connects to, if any. */
  readonly net?: string;
}

/** One Ethernet segment of the system (the configuration's `net:` list). */
export interface NetSegmentConfig {
  /** The segment's name, which device entries give as `net: <name>`. */
  readonly name: string;
  /** User-mode networking to the host on this segment (a gateway port; tools/system/user_net.ts). */
  readonly user?: UserNetConfig;
}

/** One VM to create at boot. */
export interface VmConfig {
  readonly name: string;
  /** Bytes. */
  readonly memory: number;
  readonly vcpus: number;
  /** Path, or "default" for the cached Debian kernel. */
  readonly kernel: string;
  /** Path, "default" for the busybox initramfs, or "none". */
  readonly initrd: string;
  readonly append: string;
  readonly devices: readonly DeviceConfig[];
}

/** The whole boot configuration. */
export interface BootConfig {
  readonly hypervisor: {
    readonly physicalCpus: number;
    /**
     * Virtual time always advances with retired instructions. When every vCPU
     * is idle it jumps to the next deadline at once ("deterministic": the same
     * inputs give the same run, byte for byte) or no faster than host time
     * ("realtime": an idle guest's clock keeps pace with the wall clock).
     */
    readonly time: "deterministic" | "realtime";
    readonly nsPerInstruction: number;
    /**
     * How vCPUs execute guest code: "interp" (the interpreter) or "jit" (hot
     * blocks translated to host code; arch/aarch64/jit/). Key `cpu-mode`;
     * absent: the environment's GUNYAH_CPU_MODE, else the arch default.
     */
    readonly cpuMode?: CpuMode;
    /**
     * Serve a GDB remote stub for the first VM on this loopback `host:port`
     * (key `gdb`; tools/gdb, docs/DEBUGGING.md). Absent: no stub.
     */
    readonly gdb?: string;
    /**
     * With {@link gdb}: hold the VM's vCPUs before their first instruction
     * until a debugger attaches and continues (key `wait-gdb`, like QEMU's `-S`).
     */
    readonly waitGdb?: boolean;
  };
  readonly plugins: { readonly arch: string; readonly platform: string };
  readonly vms: readonly VmConfig[];
  /** The Ethernet segments VMs' network devices connect to (empty: no networks). */
  readonly net: readonly NetSegmentConfig[];
  /** `host:port` for the dashboard, or null when disabled. */
  readonly dashboard: string | null;
}

/** A configuration error; `message` is ready to show to a person. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The built-in default system (used when no --config is given). */
export const DEFAULT_CONFIG_YAML = `# gunyah-ts default system
hypervisor:
  physical-cpus: 2
  time: realtime
  ns-per-instruction: 1
plugins:
  arch: builtin:aarch64
  platform: builtin:qemu-virt
vms:
  - name: primary
    memory: 512M
    vcpus: 2
    kernel: default
    initrd: default
    append: console=ttyAMA0
dashboard: 127.0.0.1:8418
`;

type Path = (string | number)[];

class Reader {
  constructor(
    readonly file: string,
    readonly lineOf: (path: Path) => number | undefined,
  ) {}

  fail(path: Path, expected: string, got: unknown): never {
    const key = path.map((p, i) => typeof p === "number" ? `[${p}]` : (i ? "." : "") + p).join("");
    const line = this.lineOf(path);
    const where = line ? `${this.file}:${line}` : this.file;
    const shown = got === undefined ? "nothing" : JSON.stringify(got);
    throw new ConfigError(`${where} ${key || "(top level)"}: expected ${expected}, got ${shown}`);
  }

  map(v: unknown, path: Path, allowed: readonly string[]): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(path, "a mapping", v);
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      if (!allowed.includes(k)) this.fail([...path, k], `one of the keys ${allowed.join(", ")}`, k);
    }
    return rec;
  }

  int(v: unknown, path: Path, min: number, max: number, dflt?: number): number {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(path, `an integer from ${min} to ${max}`, v);
    }
    return v;
  }

  str(v: unknown, path: Path, dflt?: string): string {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== "string" || v.length === 0) this.fail(path, "a non-empty string", v);
    return v;
  }

  size(v: unknown, path: Path, dflt: number): number {
    if (v === undefined) return dflt;
    const m = typeof v === "string" ? /^(\d+)\s*([KMG]?)i?B?$/i.exec(v.trim()) : null;
    const n = typeof v === "number" ? v : m ? Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()] : NaN;
    const problem = vmMemoryProblem(n);
    if (problem !== null) this.fail(path, problem, v);
    return n;
  }

  strings(v: unknown, path: Path): string[] {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
      this.fail(path, "a list of strings", v);
    }
    return v as string[];
  }
}

/** Parse memory sizes like "512M" / "1G" / 536870912 (exported for the CLI flags). */
export function parseSize(text: string): number | null {
  const m = /^(\d+)\s*([KMG]?)i?B?$/i.exec(text.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()] : null;
}

/** Parse and validate configuration text; `file` names it in errors. */
export function parseConfig(text: string, file: string): BootConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new ConfigError(
      `${file}${line ? ":" + line : ""}: not valid YAML: ${e.message.split("\n")[0]}`,
    );
  }
  const lineOf = (path: Path): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return undefined;
  };
  const r = new Reader(file, lineOf);
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (e) {
    // The yaml library resolves aliases here: an alias without its anchor throws (found by fuzzing).
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const root = r.map(js ?? {}, [], ["hypervisor", "plugins", "vms", "net", "dashboard"]);
  if (doc.contents && !isMap(doc.contents)) r.fail([], "a mapping", js);

  const hv = r.map(root.hypervisor ?? {}, ["hypervisor"], [
    "physical-cpus",
    "time",
    "ns-per-instruction",
    "cpu-mode",
    "gdb",
    "wait-gdb",
  ]);
  const cpuMode = hv["cpu-mode"];
  if (cpuMode !== undefined && !isCpuMode(cpuMode)) {
    r.fail(["hypervisor", "cpu-mode"], '"interp" or "jit"', cpuMode);
  }
  const time = hv.time ?? "realtime";
  if (time !== "deterministic" && time !== "realtime") {
    r.fail(["hypervisor", "time"], '"deterministic" or "realtime"', time);
  }
  let gdb: string | undefined;
  if (hv.gdb !== undefined && hv.gdb !== false && hv.gdb !== null) {
    const g = typeof hv.gdb === "number" ? String(hv.gdb) : hv.gdb;
    if (typeof g !== "string" || !isLoopbackAddress(g)) {
      return r.fail(
        ["hypervisor", "gdb"],
        "a loopback host:port such as 127.0.0.1:1234, or false",
        hv.gdb,
      );
    }
    gdb = g;
  }
  const waitGdb = hv["wait-gdb"];
  if (waitGdb !== undefined && typeof waitGdb !== "boolean") {
    r.fail(["hypervisor", "wait-gdb"], "true or false", waitGdb);
  }
  if (waitGdb === true && gdb === undefined) {
    r.fail(["hypervisor", "wait-gdb"], "false unless hypervisor.gdb names an address", waitGdb);
  }
  const plugins = r.map(root.plugins ?? {}, ["plugins"], ["arch", "platform"]);

  const net = parseNetSection(r, root.net);
  const segments = new Set(net.map((n) => n.name));

  if (!Array.isArray(root.vms) || root.vms.length === 0) {
    r.fail(["vms"], "a list of at least one VM", root.vms);
  }
  const names = new Set<string>();
  const vms = (root.vms as unknown[]).map((v, i): VmConfig => {
    const p: Path = ["vms", i];
    const vm = r.map(v, p, ["name", "memory", "vcpus", "kernel", "initrd", "append", "devices"]);
    const name = r.str(vm.name, [...p, "name"]);
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) {
      r.fail([...p, "name"], "a lowercase name like primary or vm-2", name);
    }
    if (names.has(name)) r.fail([...p, "name"], "a name no other VM has", name);
    names.add(name);
    const devices: unknown[] = vm.devices === undefined ? [] : vm.devices as unknown[];
    if (!Array.isArray(devices)) r.fail([...p, "devices"], "a list of device plugins", devices);
    return {
      name,
      memory: r.size(vm.memory, [...p, "memory"], 512 * 1024 ** 2),
      vcpus: r.int(vm.vcpus, [...p, "vcpus"], 1, MAX_VCPUS, 2),
      kernel: r.str(vm.kernel, [...p, "kernel"], "default"),
      initrd: r.str(vm.initrd, [...p, "initrd"], "default"),
      append: typeof vm.append === "string"
        ? vm.append
        : r.str(vm.append, [...p, "append"], "console=ttyAMA0"),
      devices: devices.map((d: unknown, j: number): DeviceConfig => {
        const dp: Path = [...p, "devices", j];
        const dev = r.map(d, dp, ["plugin", "isolate", "permissions", "options", "net"]);
        const perms = r.map(dev.permissions ?? {}, [...dp, "permissions"], ["read", "write"]);
        if (
          dev.isolate !== undefined && typeof dev.isolate !== "boolean" && dev.isolate !== "process"
        ) {
          r.fail([...dp, "isolate"], "true, false or process", dev.isolate);
        }
        return {
          plugin: r.str(dev.plugin, [...dp, "plugin"]),
          isolate: dev.isolate === "process" ? "process" : dev.isolate !== false,
          permissions: {
            read: r.strings(perms.read, [...dp, "permissions", "read"]),
            write: r.strings(perms.write, [...dp, "permissions", "write"]),
          },
          options: r.map(dev.options ?? {}, [...dp, "options"], Object.keys(dev.options ?? {})),
          ...(dev.net === undefined
            ? {}
            : { net: segmentRef(r, dev.net, [...dp, "net"], segments) }),
        };
      }),
    };
  });

  let dashboard: string | null = "127.0.0.1:8418";
  if (root.dashboard === false || root.dashboard === null) dashboard = null;
  else if (root.dashboard !== undefined) {
    const d = r.str(root.dashboard, ["dashboard"]);
    const m = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})$/.exec(d);
    if (!m || Number(m[2]) > 65535) {
      r.fail(["dashboard"], "a loopback host:port such as 127.0.0.1:8418, or false", d);
    }
    dashboard = d;
  }

  return {
    hypervisor: {
      physicalCpus: r.int(hv["physical-cpus"], ["hypervisor", "physical-cpus"], 1, 8, 2),
      time: time === "deterministic" ? "deterministic" : "realtime",
      nsPerInstruction: r.int(
        hv["ns-per-instruction"],
        ["hypervisor", "ns-per-instruction"],
        1,
        1000,
        1,
      ),
      ...(isCpuMode(cpuMode) ? { cpuMode } : {}),
      ...(gdb === undefined ? {} : { gdb, waitGdb: waitGdb === true }),
    },
    plugins: {
      arch: r.str(plugins.arch, ["plugins", "arch"], "builtin:aarch64"),
      platform: r.str(plugins.platform, ["plugins", "platform"], "builtin:qemu-virt"),
    },
    vms,
    net,
    dashboard,
  };
}

/** Whether `address` is a loopback `host:port` (127.0.0.0/8, localhost, [::1]) or a bare port. */
function isLoopbackAddress(address: string): boolean {
  if (/^\d{1,5}$/.test(address)) return Number(address) <= 65535;
  const m = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})$/.exec(address);
  return m !== null && Number(m[2]) <= 65535;
}

/** Keys of one `net:` entry (a segment). */
const NET_SEGMENT_KEYS = ["name", "user"] as const;

/** The `net:` section: a list of uniquely named segments. */
function parseNetSection(r: Reader, v: unknown): NetSegmentConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) r.fail(["net"], "a list of segments like - name: lan", v);
  const names = new Set<string>();
  return v.map((entry: unknown, i: number): NetSegmentConfig => {
    const p: Path = ["net", i];
    const seg = r.map(entry, p, NET_SEGMENT_KEYS);
    const name = r.str(seg.name, [...p, "name"]);
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) {
      r.fail([...p, "name"], "a lowercase segment name like lan or net-1", name);
    }
    if (names.has(name)) r.fail([...p, "name"], "a name no other segment has", name);
    names.add(name);
    if (!("user" in seg)) return { name };
    return { name, user: parseUserNet(seg.user, [...p, "user"], (q, e, g) => r.fail(q, e, g)) };
  });
}

/** A device entry's `net:`: the name of a segment of the `net:` section. */
function segmentRef(r: Reader, v: unknown, path: Path, segments: ReadonlySet<string>): string {
  const name = r.str(v, path);
  if (!segments.has(name)) {
    const known = [...segments].join(", ");
    r.fail(
      path,
      known ? `the name of a segment of net: (${known})` : "a segment declared in a net: section",
      name,
    );
  }
  return name;
}

/** Read and validate a configuration file. */
export async function loadConfig(path: string): Promise<BootConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError(`${path}: cannot read the configuration file (${(e as Error).message})`);
  }
  return parseConfig(text, path);
}
