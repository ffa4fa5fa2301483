import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { PREREQUISITES } from "./doctor/prerequisites.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

/** Runs `gunyah doctor ARGS` as a user would, with `env` over this process's environment. */
async function doctor(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "doctor", ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("gunyah doctor names each missing tool in one line, with its package, and exits 2", async () => {
  const bin = await Deno.makeTempDir(); // a PATH holding nothing but Deno
  const cache = await Deno.makeTempDir(); // no cached images
  try {
    await Deno.symlink(Deno.execPath(), `${bin}/deno`);
    const r = await doctor([], { PATH: bin, GUNYAH_CACHE: cache });
    assertEquals(r.code, 2, r.stdout + r.stderr);
    const lines = r.stdout.trim().split("\n");
    assertEquals(lines.length, PREREQUISITES.length, r.stdout);
    const expect: [string, string][] = [
      ["qemu-system-aarch64", "qemu-system-arm"],
      ["aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"],
      ["aarch64-linux-gnu-as", "binutils-aarch64-linux-gnu"],
      ["dtc", "device-tree-compiler"],
      ["Debian guest images", "--kernel/--initrd"],
      ["kernel module and static arm64 program build", "linux-kbuild-6.1"],
    ];
    for (const [i, [tool, remedy]] of expect.entries()) {
      assert(lines[i].startsWith(`missing  ${tool}`), lines[i]);
      assert(lines[i].includes("not found on PATH"), lines[i]);
      assert(lines[i].includes(remedy), lines[i]);
    }
    // chromium is optional: reported, not counted.
    assert(lines[6].startsWith("optional chromium: chromium not found on PATH"), lines[6]);
    assert(
      lines[7].startsWith("optional gdb-multiarch: gdb-multiarch not found on PATH"),
      lines[7],
    );
    assert(r.stderr.includes("6 of 6 prerequisites missing"), r.stderr);
  } finally {
    await Deno.remove(bin, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("gunyah doctor --boot checks only the guest images; a bad option is a usage error", async () => {
  const bin = await Deno.makeTempDir();
  const cache = await Deno.makeTempDir();
  try {
    await Deno.symlink(Deno.execPath(), `${bin}/deno`);
    const r = await doctor(["--boot"], { PATH: bin, GUNYAH_CACHE: cache });
    assertEquals(r.code, 2);
    assertEquals(r.stdout.trim().split("\n").length, 1);
    assert(r.stdout.startsWith("missing  Debian guest images: dpkg-deb not found"), r.stdout);
    const bad = await doctor(["--bogus"], { PATH: bin });
    assertEquals(bad.code, 2);
    assert(bad.stderr.includes("unknown option --bogus"), bad.stderr);
  } finally {
    await Deno.remove(bin, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("gunyah doctor passes on a machine set up by tools/setup.sh", async () => {
  const r = await doctor([], {});
  if (r.code !== 0 && Deno.env.get("CI") !== "true" && r.stdout.includes("not found on PATH")) {
    console.log(`skipping: this machine is not set up (tools/setup.sh):\n${r.stdout}`);
    return;
  }
  assertEquals(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split("\n");
  assertEquals(lines.filter((l) => l.startsWith("missing ")).length, 0, r.stdout);
  assertEquals(
    lines.filter((l) => l.startsWith("ok ")).length,
    6 + (r.stdout.includes("ok       chromium") ? 1 : 0) +
      (r.stdout.includes("ok       gdb-multiarch") ? 1 : 0),
  );
});
