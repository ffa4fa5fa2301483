/**
 * `gunyah boot` refuses what it would otherwise get wrong (issue 12 §8):
 * VMs after the first in `vms:`, sizes beyond what a RAM region can hold,
 * and relative kernel paths are resolved against the configuration's folder
 * (as device plugin paths are), so the error names the file it looked for.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { bootCommand } from "./boot.ts";

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return { code: await bootCommand.run(args), stderr: lines.join("\n") };
  } finally {
    console.error = original;
  }
}

Deno.test("boot: --memory 100G is refused with the bound and why, before anything is allocated", async () => {
  const r = await run(["--memory", "100G", "--no-dashboard"]);
  assertEquals(r.code, 2);
  assert(r.stderr.includes("--memory: expected a size from 16M to 3G"), r.stderr);
});

Deno.test("boot: a second VM in vms: is refused with the reason, not ignored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/two.yaml`;
    await Deno.writeTextFile(
      cfg,
      "vms:\n  - name: a\n    kernel: a.img\n  - name: b\n    kernel: missing-b.img\ndashboard: false\n",
    );
    const r = await run(["--config", cfg]);
    assertEquals(r.code, 2);
    assert(r.stderr.includes("vms[1] 'b': gunyah boot starts one VM"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("boot: a relative kernel path is resolved against the configuration's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/boot.yaml`;
    await Deno.writeTextFile(
      cfg,
      "vms:\n  - name: a\n    kernel: images/Image\n    initrd: none\ndashboard: false\n",
    );
    const r = await run(["--config", cfg]);
    assertEquals(r.code, 2);
    assert(r.stderr.includes(`kernel ${dir}/images/Image:`), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("boot: --gdb takes only a loopback address; --wait-gdb needs --gdb", async () => {
  const open = await run(["--gdb", "0.0.0.0:1234", "--no-dashboard"]);
  assertEquals(open.code, 2);
  assert(open.stderr.includes("--gdb: gdb address '0.0.0.0:1234' is not loopback"), open.stderr);
  const wait = await run(["--wait-gdb", "--no-dashboard"]);
  assertEquals(wait.code, 2);
  assert(wait.stderr.includes("--wait-gdb needs --gdb ADDR"), wait.stderr);
});
