/**
 * Differential check of the boot placement against QEMU: a tiny arm64 Image
 * (assembled here) prints the x0 it was entered with and its own load
 * address over the PL011, then powers off through PSCI. Booted by
 * `qemu-system-aarch64 -M virt -kernel` with and without an initrd, the
 * printed values must equal our plan's x0 and entry. Skipped (with a
 * message) when QEMU or the cross assembler is missing.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { planVirtBoot } from "./boot_plan.ts";
import { buildVirtDeviceTreeNodes } from "../devicetree.ts";
import { encodeFdt } from "../fdt/writer.ts";
import { QEMU_HEADLESS_ARGS, QEMU_SYSTEM_AARCH64 } from "../qemu_reference.ts";

const PROBE_SOURCE = `
  .text
  .globl _start
_start:
.Lhead:
  b 0f                    // code0
  .word 0                 // code1
  .quad 0                 // text_offset
  .quad 0x10000           // image_size
  .quad 2                 // flags: little-endian, 4K pages
  .quad 0, 0, 0
  .word 0x644d5241        // "ARM\\x64"
  .word 0
0:
  mov x19, x0
  adr x20, .Lhead
  movz x21, #0x0900, lsl #16
  mov x0, x19
  bl puthex
  mov x0, x20
  bl puthex
  movz w0, #0x0008
  movk w0, #0x8400, lsl #16   // PSCI SYSTEM_OFF
  hvc #0
1: b 1b
puthex:
  mov x2, #60
2: lsr x1, x0, x2
  and x1, x1, #0xf
  cmp x1, #10
  b.lt 3f
  add x1, x1, #87
  b 4f
3: add x1, x1, #48
4: str w1, [x21]
  subs x2, x2, #4
  b.ge 2b
  mov x1, #10
  str w1, [x21]
  ret
`;

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
    return {
      ok: r.success,
      out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr),
    };
  } catch {
    return { ok: false, out: `${cmd} not found` };
  }
}

Deno.test("Image entry and DTB address (x0) agree with qemu-system-aarch64 -kernel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/probe.s`, PROBE_SOURCE);
    const as = await run("aarch64-linux-gnu-as", ["-o", `${dir}/probe.o`, `${dir}/probe.s`]);
    if (!as.ok) {
      console.log(
        `skipping: cannot assemble the probe (${as.out.trim()}); install binutils-aarch64-linux-gnu`,
      );
      return;
    }
    const oc = await run("aarch64-linux-gnu-objcopy", [
      "-O",
      "binary",
      `${dir}/probe.o`,
      `${dir}/Image`,
    ]);
    assert(oc.ok, oc.out);
    const probe = await Deno.readFile(`${dir}/Image`);
    const initrd = new Uint8Array(3 * 1024 * 1024 + 123).fill(0x5a);
    await Deno.writeFile(`${dir}/initrd`, initrd);
    const ramMiB = 512;
    const vm = { ramBase: 0x40000000, ramSize: ramMiB << 20, vcpus: 1, bootargs: "" };
    const dtb = encodeFdt(buildVirtDeviceTreeNodes(vm));

    for (const withInitrd of [false, true]) {
      const args = [
        "-M",
        "virt,gic-version=3",
        "-cpu",
        "cortex-a57",
        "-m",
        `${ramMiB}M`,
        ...QEMU_HEADLESS_ARGS,
        "-no-reboot",
        "-kernel",
        `${dir}/Image`,
        ...(withInitrd ? ["-initrd", `${dir}/initrd`] : []),
      ];
      const q = await run("timeout", ["20", QEMU_SYSTEM_AARCH64, ...args]);
      if (!q.ok && q.out.includes("not found")) {
        console.log("skipping: qemu-system-aarch64 not found");
        return;
      }
      const lines = q.out.split(/\r?\n/).filter((l) => /^[0-9a-f]{16}$/.test(l));
      assertEquals(lines.length, 2, q.out);
      const plan = planVirtBoot(
        { kernel: probe, initrd: withInitrd ? initrd : undefined },
        vm,
        dtb,
      );
      assertEquals(BigInt(`0x${lines[0]}`), plan.x0, `x0 (DTB) with initrd=${withInitrd}`);
      assertEquals(BigInt(`0x${lines[1]}`), plan.entry, `entry with initrd=${withInitrd}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
