/**
 * The acceptance of the VM lifecycle (#10): a bare-metal VMM guest (vmm.c)
 * in the primary VM builds a secondary VM purely by RM RPC — allocate, lend
 * its memory, config image, init, resources, start — runs its
 * proxy-scheduled vCPU with vcpu_run, emulates a UART for it from VMMIO
 * exits, stops, resets and deallocates it, 20 times, and no VMID or page is
 * lost. Built here with the cross compiler and dtc (skipped when missing).
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import {
  CC,
  GUEST_LINK_SCRIPT,
  OBJCOPY,
  RM_GUEST_CFLAGS,
  run,
  runAsPrimary,
} from "../guest_build.ts";

const HERE = new URL(".", import.meta.url).pathname;

/** The VMM as a flat binary, with the secondary's image and DTB inside; null without the tools. */
async function buildVmm(): Promise<Uint8Array | null> {
  const dir = await Deno.makeTempDir({ prefix: "rm-vmm-" });
  try {
    const ok = await run(CC, [
      "-nostdlib",
      "-static",
      "-Wl,--build-id=none",
      "-Wl,-Ttext=0x80000000",
      `${HERE}secondary.S`,
      "-o",
      `${dir}/secondary.elf`,
    ]) &&
      await run(OBJCOPY, [
        "-O",
        "binary",
        "-j",
        ".text",
        `${dir}/secondary.elf`,
        `${dir}/secondary.bin`,
      ]) &&
      await run("dtc", [
        "-q",
        "-I",
        "dts",
        "-O",
        "dtb",
        "-o",
        `${dir}/secondary.dtb`,
        `${HERE}secondary.dts`,
      ]) &&
      await run(CC, [
        ...RM_GUEST_CFLAGS,
        `-Wa,-I${dir}`,
        "-T",
        GUEST_LINK_SCRIPT,
        `${HERE}vmm_start.S`,
        `${HERE}vmm.c`,
        "-o",
        `${dir}/vmm.elf`,
      ]) &&
      await run(OBJCOPY, ["-O", "binary", `${dir}/vmm.elf`, `${dir}/vmm.bin`]);
    return ok ? await Deno.readFile(`${dir}/vmm.bin`) : null;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const vmm = await buildVmm();

Deno.test({
  name:
    "a bare-metal VMM in the primary builds, runs (vcpu_run + UART from VMMIO exits), stops, resets and deallocates a secondary 20 times over RM RPC",
  ignore: vmm === null,
  async fn() {
    const { system: sys, out, end } = await runAsPrimary(vmm!);
    const rounds = Array.from({ length: 20 }, (_, i) =>
      "secondary: x0 is my devicetree\n" +
      "secondary: hello through my VMM\n" +
      `vmm: round ${i + 1} VM 0x80 built, run, stopped, reset, deallocated\n`).join("");
    assertEquals(out, rounds + "vmm: done\n");
    assertEquals(end, { kind: "system_off" });
    assertEquals(sys.vmRecords().map((v) => v.vmid), [3]); // VM 0x80 deallocated
  },
});
