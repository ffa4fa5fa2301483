/**
 * Builds a busybox initramfs (gzip-compressed cpio newc) around an init
 * script, with kernel modules and a `modules.dep` computed from the modules'
 * own `.modinfo` "depends=" records, so busybox `modprobe` can load them.
 *
 * @module
 */
import { type CpioEntry, writeCpio } from "./cpio.ts";

/** Printed by the default init once userspace runs; boot benchmarks and tests wait for it. */
export const INIT_MARKER = "gunyah-ts: init reached";

/** Where the Gunyah VM manager module goes, below `lib/modules/<release>/` (rm/linux). */
export const VM_MANAGER_MODULE_PATH = "extra/gunyah.ko";

/**
 * Shell lines loading the Gunyah VM manager (`gunyah.ko`, rm/linux) when the
 * initramfs has it; it probes only where the devicetree has a /hypervisor
 * node with the RM's message queues (not under QEMU).
 */
export const LOAD_VM_MANAGER = `if [ -e /lib/modules/$(uname -r)/${VM_MANAGER_MODULE_PATH} ]; then
  modprobe gunyah || echo "gunyah-ts: the VM manager module (gunyah.ko) did not load"
fi
`;

/**
 * The first lines of every busybox /init here: install the applets, set PATH,
 * mount proc, sysfs and devtmpfs.
 */
export const INIT_PROLOGUE = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
`;

/**
 * Shell lines installing busybox udhcpc's event script where Debian's busybox
 * looks for it (`/etc/udhcpc/default.script`, its CONFIG_UDHCPC_DEFAULT_SCRIPT):
 * on a lease it configures the interface, the default route and
 * /etc/resolv.conf, so `udhcpc -i eth0` is all a guest on user-mode networking
 * needs.
 */
export const INSTALL_UDHCPC_SCRIPT = `mkdir -p /etc/udhcpc
cat > /etc/udhcpc/default.script <<'END'
#!/bin/sh
case "$1" in
deconfig) ifconfig "$interface" 0.0.0.0 up ;;
bound|renew)
  ifconfig "$interface" "$ip" netmask "$subnet" up
  [ -n "$router" ] && route add default gw "$router" dev "$interface"
  : > /etc/resolv.conf
  for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;
esac
END
chmod +x /etc/udhcpc/default.script
`;

/** The default /init: mount the pseudo filesystems, announce, and give the console a shell. */
export const DEFAULT_INIT = `${INIT_PROLOGUE}hostname gunyah
${INSTALL_UDHCPC_SCRIPT}${LOAD_VM_MANAGER}echo "${INIT_MARKER}"
echo "Welcome to gunyah-ts. Ctrl-A X quits; 'poweroff -f' powers the VM off."
exec setsid cttyhack /bin/sh -l
`;

/** A kernel module to include: its path below `lib/modules/<version>/` and its bytes. */
export interface ModuleFile {
  readonly path: string;
  readonly data: Uint8Array;
}

/** What goes into the initramfs. */
export interface InitramfsSpec {
  /** The statically linked busybox binary (arm64). */
  readonly busybox: Uint8Array;
  /** The text of /init (a shell script run by busybox sh). */
  readonly init: string;
  /** Kernel release, e.g. "6.1.0-56-arm64" (names lib/modules/<release>). */
  readonly kernelRelease?: string;
  readonly modules?: readonly ModuleFile[];
  /** Further files (e.g. `bin/gunyah-test`), with their modes. */
  readonly files?: readonly {
    readonly path: string;
    readonly data: Uint8Array;
    readonly mode: number;
  }[];
}

/** The module names a `.ko` declares it depends on (from its `.modinfo` "depends=" string). */
export function moduleDepends(ko: Uint8Array): string[] {
  const text = new TextDecoder("latin1").decode(ko);
  const m = /\0depends=([^\0]*)\0/.exec(text);
  if (!m || m[1] === "") return [];
  return m[1].split(",").filter((s) => s.length > 0);
}

function moduleName(path: string): string {
  return path.split("/").pop()!.replace(/\.ko$/, "").replaceAll("-", "_");
}

/** `modules.dep` text for `modules` (paths relative to lib/modules/<release>). */
export function modulesDep(modules: readonly ModuleFile[]): string {
  const byName = new Map(modules.map((m) => [moduleName(m.path), m.path]));
  const lines: string[] = [];
  for (const m of modules) {
    const closure: string[] = [];
    const visit = (path: string) => {
      const mod = modules.find((x) => x.path === path)!;
      for (const d of moduleDepends(mod.data)) {
        const dp = byName.get(d.replaceAll("-", "_"));
        if (dp === undefined) {
          throw new Error(`module ${mod.path} depends on '${d}', which is not included`);
        }
        if (!closure.includes(dp)) {
          closure.push(dp);
          visit(dp);
        }
      }
    };
    visit(m.path);
    lines.push(`${m.path}:${closure.map((p) => " " + p).join("")}`);
  }
  return lines.join("\n") + "\n";
}

/** The uncompressed cpio archive. */
export function buildInitramfsCpio(spec: InitramfsSpec): Uint8Array {
  const enc = new TextEncoder();
  const entries: CpioEntry[] = [];
  for (const d of ["bin", "sbin", "dev", "etc", "proc", "sys", "tmp", "root", "lib"]) {
    entries.push({ type: "dir", path: d, mode: d === "tmp" ? 0o1777 : 0o755 });
  }
  entries.push({ type: "chardev", path: "dev/console", major: 5, minor: 1 });
  entries.push({ type: "chardev", path: "dev/null", major: 1, minor: 3, mode: 0o666 });
  entries.push({ type: "file", path: "bin/busybox", data: spec.busybox, mode: 0o755 });
  entries.push({ type: "symlink", path: "bin/sh", target: "busybox" });
  entries.push({ type: "file", path: "init", data: enc.encode(spec.init), mode: 0o755 });
  entries.push({
    type: "file",
    path: "etc/passwd",
    data: enc.encode("root::0:0:root:/root:/bin/sh\n"),
  });
  for (const f of spec.files ?? []) {
    entries.push({ type: "file", path: f.path, data: f.data, mode: f.mode });
  }
  const mods = spec.modules ?? [];
  if (mods.length > 0) {
    if (!spec.kernelRelease) throw new Error("initramfs: modules given without a kernel release");
    const root = `lib/modules/${spec.kernelRelease}`;
    const dirs = new Set<string>(["lib/modules", root]);
    for (const m of mods) {
      const parts = m.path.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(`${root}/${parts.slice(0, i).join("/")}`);
    }
    for (const d of [...dirs].sort()) entries.push({ type: "dir", path: d });
    for (const m of mods) entries.push({ type: "file", path: `${root}/${m.path}`, data: m.data });
    entries.push({ type: "file", path: `${root}/modules.dep`, data: enc.encode(modulesDep(mods)) });
  }
  return writeCpio(entries);
}

/** gzip `data` with the platform's CompressionStream. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The gzip-compressed initramfs the kernel unpacks (CONFIG_RD_GZIP). */
export async function buildInitramfs(spec: InitramfsSpec): Promise<Uint8Array> {
  return await gzip(buildInitramfsCpio(spec));
}
