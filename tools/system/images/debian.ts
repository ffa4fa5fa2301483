/**
 * Obtaining Debian's arm64 packages with the ordinary Debian tools:
 * `dpkg --add-architecture arm64`, `apt-get update`, `apt-cache show`,
 * `apt-get download` and `dpkg-deb -x`.
 *
 * @module
 */

/** Progress sink for long work (downloads, unpacking). */
export type Progress = (message: string) => void;

/** Raised when the host cannot provide what is needed; the message says the way out. */
export class ImageUnavailableError extends Error {
  override readonly name = "ImageUnavailableError";
}

const WAY_OUT = "Pass your own images instead: --kernel <arm64 Image> --initrd <initramfs> " +
  "[--append <cmdline>].";

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ImageUnavailableError(`'${cmd}' is not available on this machine. ${WAY_OUT}`);
    }
    throw e;
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join("\n");
    throw new ImageUnavailableError(`${cmd} ${args.join(" ")} failed: ${err}\n${WAY_OUT}`);
  }
  return new TextDecoder().decode(out.stdout);
}

function isRoot(): boolean {
  return Deno.uid?.() === 0;
}

/** Make sure apt knows arm64 packages (adds the architecture and updates the index as root). */
export async function ensureArm64Index(progress: Progress): Promise<void> {
  const foreign = (await run("dpkg", ["--print-foreign-architectures"])).split(/\s+/);
  const hasIndex = async () => {
    try {
      const policy = await run("apt-cache", ["policy", "busybox-static:arm64"]);
      return /Candidate: (?!\(none\))/.test(policy);
    } catch {
      return false;
    }
  };
  if (foreign.includes("arm64") && await hasIndex()) return;
  if (!isRoot()) {
    throw new ImageUnavailableError(
      "apt has no arm64 package index and adding one needs root " +
        "(dpkg --add-architecture arm64 && apt-get update). " + WAY_OUT,
    );
  }
  if (!foreign.includes("arm64")) {
    progress("adding the arm64 architecture to dpkg");
    await run("dpkg", ["--add-architecture", "arm64"]);
  }
  progress("updating the apt package index (apt-get update)");
  await run("apt-get", ["update", "-qq"]);
  if (!await hasIndex()) {
    throw new ImageUnavailableError(
      `apt still lists no arm64 packages after an update. ${WAY_OUT}`,
    );
  }
}

/** The fields of `apt-cache show` for one package (first stanza). */
export async function showPackage(name: string): Promise<Record<string, string>> {
  const text = await run("apt-cache", ["show", "--no-all-versions", name]);
  const fields: Record<string, string> = {};
  let key = "";
  for (const line of text.split("\n")) {
    if (line === "") break;
    if (/^\s/.test(line) && key) {
      fields[key] += "\n" + line.trim();
      continue;
    }
    const i = line.indexOf(":");
    if (i > 0) {
      key = line.slice(0, i);
      fields[key] = line.slice(i + 1).trim();
    }
  }
  return fields;
}

/**
 * Resolve Debian's `linux-image-arm64` metapackage to the real kernel package
 * it depends on (e.g. `linux-image-6.1.0-56-arm64`).
 */
export async function resolveKernelPackage(): Promise<{ name: string; version: string }> {
  const meta = await showPackage("linux-image-arm64:arm64");
  const dep = (meta["Depends"] ?? "").split(",").map((s) => s.trim().split(/\s/)[0])
    .find((d) => /^linux-image-\d/.test(d));
  if (!dep) {
    throw new ImageUnavailableError(
      `linux-image-arm64 names no kernel package in its Depends (${meta["Depends"]}). ${WAY_OUT}`,
    );
  }
  const real = await showPackage(`${dep.replace(/:arm64$/, "")}:arm64`);
  return { name: dep.replace(/:arm64$/, ""), version: real["Version"] ?? "unknown" };
}

/** `apt-get download NAME:arm64` into `dir`; returns the .deb path. */
export async function downloadPackage(
  name: string,
  dir: string,
  progress: Progress,
): Promise<string> {
  progress(`downloading ${name} (arm64) with apt-get download`);
  await Deno.chmod(dir, 0o777).catch(() => {});
  await run("apt-get", ["download", "-q", `${name}:arm64`], dir);
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.startsWith(`${name}_`) && e.name.endsWith(".deb")) {
      return `${dir}/${e.name}`;
    }
  }
  throw new ImageUnavailableError(`apt-get download ${name} left no .deb in ${dir}. ${WAY_OUT}`);
}

/** `dpkg-deb -x DEB DIR`. */
export async function extractPackage(deb: string, dir: string, progress: Progress): Promise<void> {
  progress(`unpacking ${deb.split("/").pop()}`);
  await Deno.mkdir(dir, { recursive: true });
  await run("dpkg-deb", ["-x", deb, dir]);
}
