/**
 * The default guest images: Debian's arm64 kernel (`linux-image-arm64`) and a
 * busybox initramfs built around `busybox-static` and the kernel's own virtio
 * modules. Downloaded once with apt, then served from the cache.
 *
 * Cache layout (`.cache/images/<kernel package>_<version>/`):
 * `Image`, `busybox`, `modules/…`, `manifest.json`, and one
 * `initramfs-<variant>.cpio.gz` per init script (variant = a hash of it).
 *
 * @module
 */
import {
  downloadPackage,
  ensureArm64Index,
  extractPackage,
  ImageUnavailableError,
  type Progress,
  resolveKernelPackage,
} from "./debian.ts";
import {
  buildInitramfs,
  DEFAULT_INIT,
  type ModuleFile,
  VM_MANAGER_MODULE_PATH,
} from "./initramfs.ts";
import { buildVmManager, type VmManagerBuild, VmManagerBuildError } from "@gunyah-ts/rm/linux";
import {
  buildGunyahVmm,
  MKDISK_SCRIPT,
  PRIMARY_MKDISK_PATH,
  PRIMARY_SECONDARY_INITRD_PATH,
  PRIMARY_SECONDARY_KERNEL_PATH,
  PRIMARY_VMM_PATH,
  SECONDARY_INIT,
  VmmBuildError,
} from "@gunyah-ts/vmm";
import { writeCpio } from "./cpio.ts";

/** Paths of a ready set of guest images. */
export interface GuestImages {
  /** The arm64 `Image`. */
  readonly kernel: string;
  /** The gzip'd initramfs for the requested init. */
  readonly initrd: string;
  /** e.g. "6.1.0-56-arm64". */
  readonly kernelRelease: string;
  /** Where they came from, for humans. */
  readonly source: string;
}

/** What a cached image set holds (its `manifest.json`). */
export interface Manifest {
  readonly kernelPackage: string;
  readonly kernelVersion: string;
  readonly kernelRelease: string;
  readonly busyboxVersion: string;
  readonly modules: string[];
}

/** Kernel modules copied into the initramfs (below lib/modules/<release>/). */
const MODULE_PATTERNS: readonly RegExp[] = [
  /^kernel\/drivers\/virtio\/.*\.ko$/,
  /^kernel\/drivers\/block\/virtio_blk\.ko$/,
  /^kernel\/drivers\/net\/virtio_net\.ko$/,
  /^kernel\/drivers\/net\/net_failover\.ko$/,
  /^kernel\/net\/core\/failover\.ko$/,
  /^kernel\/drivers\/char\/virtio_console\.ko$/,
  /^kernel\/drivers\/char\/hw_random\/virtio-rng\.ko$/,
];

/** The repository's cache folder (override with GUNYAH_CACHE). */
export function cacheRoot(): string {
  const env = Deno.env.get("GUNYAH_CACHE");
  if (env) return env;
  return new URL("../../../.cache", import.meta.url).pathname;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function walk(dir: string, base = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${base}`)) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await walk(dir, rel));
    else if (e.isFile) out.push(rel);
  }
  return out.sort();
}

/** Find the newest complete cached image set below `root`, if any. */
export async function findCachedImages(
  root: string,
): Promise<{ dir: string; manifest: Manifest } | null> {
  const base = `${root}/images`;
  if (!await exists(base)) return null;
  const found: { dir: string; manifest: Manifest; mtime: number }[] = [];
  for await (const e of Deno.readDir(base)) {
    const dir = `${base}/${e.name}`;
    if (!e.isDirectory || !await exists(`${dir}/manifest.json`)) continue;
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`)) as Manifest;
    found.push({
      dir,
      manifest,
      mtime: (await Deno.stat(`${dir}/manifest.json`)).mtime?.getTime() ?? 0,
    });
  }
  found.sort((a, b) => b.mtime - a.mtime);
  return found[0] ?? null;
}

/** Download and unpack kernel + busybox into a fresh cache folder. */
async function populate(
  root: string,
  progress: Progress,
): Promise<{ dir: string; manifest: Manifest }> {
  await ensureArm64Index(progress);
  const kernel = await resolveKernelPackage();
  const dir = `${root}/images/${kernel.name}_${kernel.version}`;
  const work = await Deno.makeTempDir({ prefix: "gunyah-images-" });
  try {
    const kdeb = await downloadPackage(kernel.name, work, progress);
    const bdeb = await downloadPackage("busybox-static", work, progress);
    await extractPackage(kdeb, `${work}/kernel`, progress);
    await extractPackage(bdeb, `${work}/busybox`, progress);
    const bootFiles = [...Deno.readDirSync(`${work}/kernel/boot`)].map((e) => e.name);
    const vmlinuz = bootFiles.find((n) => n.startsWith("vmlinuz-"));
    if (!vmlinuz) throw new ImageUnavailableError(`${kernel.name} contains no /boot/vmlinuz-*`);
    const release = vmlinuz.slice("vmlinuz-".length);
    await Deno.mkdir(`${dir}/modules`, { recursive: true });
    await Deno.copyFile(`${work}/kernel/boot/${vmlinuz}`, `${dir}/Image`);
    await Deno.copyFile(`${work}/busybox/bin/busybox`, `${dir}/busybox`);
    const modRoot = `${work}/kernel/lib/modules/${release}`;
    const modules = (await walk(modRoot)).filter((p) => MODULE_PATTERNS.some((re) => re.test(p)));
    for (const m of modules) {
      await Deno.mkdir(`${dir}/modules/${m.split("/").slice(0, -1).join("/")}`, {
        recursive: true,
      });
      await Deno.copyFile(`${modRoot}/${m}`, `${dir}/modules/${m}`);
    }
    const bbVersion = await new Deno.Command("dpkg-deb", { args: ["-f", bdeb, "Version"] })
      .output();
    const manifest: Manifest = {
      kernelPackage: kernel.name,
      kernelVersion: kernel.version,
      kernelRelease: release,
      busyboxVersion: new TextDecoder().decode(bbVersion.stdout).trim(),
      modules,
    };
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
    progress(`cached ${kernel.name} ${kernel.version} and busybox in ${dir}`);
    return { dir, manifest };
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** Options for {@link ensureGuestImages}. */
export interface EnsureOptions {
  /** The /init script; default {@link DEFAULT_INIT}. */
  readonly init?: string;
  /** Re-download even when a cache exists. */
  readonly refresh?: boolean;
  readonly progress?: Progress;
  /** Cache folder; default {@link cacheRoot}. */
  readonly cache?: string;
  /**
   * Build the Gunyah VM manager (`gunyah.ko`, rm/linux) and `gunyah-test`
   * into the initramfs (default true). When the host cannot build them the
   * initramfs is made without, after a progress line saying why.
   */
  readonly vmManager?: boolean;
  /**
   * Also carry a secondary VM for `gunyah-vmm` (tools/vmm): `/bin/gunyah-vmm`,
   * `/bin/gunyah-mkdisk`, and the same kernel as `/vm/Image` with a small
   * initramfs `/vm/initrd.gz`. Default: with the default init only (the
   * interactive system), as the Image adds 30+ MB. Needs the VM manager.
   */
  readonly secondaryVm?: boolean;
}

/** A secondary VM's payload for the primary's initramfs (see {@link EnsureOptions.secondaryVm}). */
interface SecondaryPayload {
  readonly vmm: string;
}

/** 4-byte alignment the kernel wants between concatenated initramfs archives (buffer-format.rst). */
const ARCHIVE_ALIGN = 4;

/**
 * The secondary VM's gzip'd initramfs (busybox, the kernel's modules, the
 * secondary's /init with its marker) for the images cached in `dir` — what
 * the primary carries as `/vm/initrd.gz`, and what the benchmark boots
 * under QEMU directly.
 */
export async function secondaryInitramfs(
  dir: string,
  manifest?: Manifest,
): Promise<Uint8Array> {
  const m: Manifest = manifest ??
    JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`)) as Manifest;
  const modules: ModuleFile[] = [];
  for (const path of m.modules) {
    modules.push({ path, data: await Deno.readFile(`${dir}/modules/${path}`) });
  }
  return await buildInitramfs({
    busybox: await Deno.readFile(`${dir}/busybox`),
    init: SECONDARY_INIT,
    kernelRelease: m.kernelRelease,
    modules,
  });
}

/**
 * The secondary's files as an uncompressed cpio archive, appended after the
 * gzip'd one: the kernel unpacks concatenated archives, and an uncompressed
 * 30 MB Image is copied, not inflated, by the primary at boot.
 */
async function secondaryArchive(dir: string, manifest: Manifest): Promise<Uint8Array> {
  const initrd = await secondaryInitramfs(dir, manifest);
  const vmDir = PRIMARY_SECONDARY_KERNEL_PATH.split("/")[0];
  return writeCpio([
    { type: "dir", path: vmDir },
    {
      type: "file",
      path: PRIMARY_SECONDARY_KERNEL_PATH,
      data: await Deno.readFile(`${dir}/Image`),
    },
    { type: "file", path: PRIMARY_SECONDARY_INITRD_PATH, data: initrd },
  ]);
}

/** How many initramfs variants (one per init script and payload) an image set keeps. */
export const INITRAMFS_VARIANTS_KEPT = 24;
/** A variant used this recently is never removed (another process may be about to read it). */
export const INITRAMFS_PRUNE_MIN_AGE_MS = 60 * 60_000;

/**
 * Remove the least recently used initramfs variants of image set `dir` beyond
 * the newest `keep` (by modification time, which each use renews), except
 * those used within `minAgeMs`; returns the names removed. Every test with an
 * init script of its own adds a variant, so without this they accumulate.
 */
export async function pruneInitramfs(
  dir: string,
  keep: number = INITRAMFS_VARIANTS_KEPT,
  minAgeMs: number = INITRAMFS_PRUNE_MIN_AGE_MS,
): Promise<string[]> {
  const variants: { name: string; mtime: number }[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !/^initramfs-[0-9a-f]+\.cpio\.gz(\.tmp)?$/.test(e.name)) continue;
    const st = await Deno.stat(`${dir}/${e.name}`).catch(() => null);
    if (st?.mtime) variants.push({ name: e.name, mtime: st.mtime.getTime() });
  }
  variants.sort((a, b) => b.mtime - a.mtime);
  const cutoff = Date.now() - minAgeMs;
  const removed: string[] = [];
  for (const [i, v] of variants.entries()) {
    const stale = v.name.endsWith(".tmp") || i >= keep;
    if (!stale || v.mtime > cutoff) continue;
    await Deno.remove(`${dir}/${v.name}`).then(() => removed.push(v.name), () => {});
  }
  return removed;
}

/**
 * Make sure the default kernel and an initramfs for `init` exist; returns
 * their paths. Throws {@link ImageUnavailableError} with the way out
 * (`--kernel/--initrd/--append`) when apt cannot provide them.
 */
export async function ensureGuestImages(opts: EnsureOptions = {}): Promise<GuestImages> {
  const progress = opts.progress ?? ((m: string) => console.error(`[images] ${m}`));
  const root = opts.cache ?? cacheRoot();
  let cached = opts.refresh ? null : await findCachedImages(root);
  if (!cached) {
    progress("no cached guest images: fetching Debian's linux-image-arm64 and busybox-static");
    cached = await populate(root, progress);
  }
  const { dir, manifest } = cached;
  const init = opts.init ?? DEFAULT_INIT;
  let vmm: VmManagerBuild | null = null;
  if (opts.vmManager ?? true) {
    try {
      vmm = await buildVmManager({
        kernelRelease: manifest.kernelRelease,
        cache: root,
        progress: (m) => progress(`vm manager: ${m}`),
      });
    } catch (e) {
      if (!(e instanceof VmManagerBuildError)) throw e;
      progress(`the initramfs gets no Gunyah VM manager: ${e.message}`);
    }
  }
  let secondary: SecondaryPayload | null = null;
  if (vmm && (opts.secondaryVm ?? opts.init === undefined)) {
    try {
      secondary = {
        vmm: await buildGunyahVmm({ cache: root, progress: (m) => progress(`gunyah-vmm: ${m}`) }),
      };
    } catch (e) {
      if (!(e instanceof VmmBuildError)) throw e;
      progress(`the initramfs gets no gunyah-vmm: ${e.message}`);
    }
  }
  const extra =
    (vmm ? [vmm.module, ...vmm.programs.map((p) => p.path)].map((p) => `\0${p}`).join("") : "") +
    (secondary ? `\0${secondary.vmm}\0${SECONDARY_INIT}\0${MKDISK_SCRIPT}` : "");
  const variant = (await sha256Hex(init + "\0" + manifest.modules.join(",") + extra))
    .slice(0, 16);
  const initrd = `${dir}/initramfs-${variant}.cpio.gz`;
  if (!await exists(initrd)) {
    progress(`building initramfs (busybox + ${manifest.modules.length} virtio modules)`);
    const modules: ModuleFile[] = [];
    for (const m of manifest.modules) {
      modules.push({ path: m, data: await Deno.readFile(`${dir}/modules/${m}`) });
    }
    if (vmm) modules.push({ path: VM_MANAGER_MODULE_PATH, data: await Deno.readFile(vmm.module) });
    const bytes = await buildInitramfs({
      busybox: await Deno.readFile(`${dir}/busybox`),
      init,
      kernelRelease: manifest.kernelRelease,
      modules,
      files: [
        ...await Promise.all(
          (vmm?.programs ?? []).map(async (p) => ({
            path: `bin/${p.name}`,
            data: await Deno.readFile(p.path),
            mode: 0o755,
          })),
        ),
        ...(secondary
          ? [
            { path: PRIMARY_VMM_PATH, data: await Deno.readFile(secondary.vmm), mode: 0o755 },
            {
              path: PRIMARY_MKDISK_PATH,
              data: new TextEncoder().encode(MKDISK_SCRIPT),
              mode: 0o755,
            },
          ]
          : []),
      ],
    });
    let image = bytes;
    if (secondary) {
      progress("adding the secondary VM (kernel Image + initramfs, uncompressed cpio)");
      const more = await secondaryArchive(dir, manifest);
      const at = Math.ceil(bytes.length / ARCHIVE_ALIGN) * ARCHIVE_ALIGN;
      image = new Uint8Array(at + more.length);
      image.set(bytes);
      image.set(more, at);
    }
    const tmp = `${initrd}.tmp`;
    await Deno.writeFile(tmp, image);
    await Deno.rename(tmp, initrd);
    await pruneInitramfs(dir);
  } else {
    // Its modification time says when it was last used: pruneInitramfs keeps the recent ones.
    const now = new Date();
    await Deno.utime(initrd, now, now).catch(() => {});
  }
  return {
    kernel: `${dir}/Image`,
    initrd,
    kernelRelease: manifest.kernelRelease,
    source:
      `Debian ${manifest.kernelPackage} ${manifest.kernelVersion}, busybox ${manifest.busyboxVersion}`,
  };
}
