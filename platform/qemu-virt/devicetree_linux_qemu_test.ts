/**
 * End-to-end check of the devicetree with a real guest: QEMU boots the
 * Debian arm64 kernel and the default system's busybox initramfs with *our*
 * DTB (`-dtb`; QEMU only rewrites /memory, /psci and the /chosen boot
 * properties), the guest finds the GICv3, timer, PL011 console and PL031
 * RTC through it, and answers a shell command on the console. Skipped (with
 * a message) when QEMU or the cached images are missing.
 */
import { assert } from "@gunyah-ts/tests/assert";
import { ensureGuestImages, ImageUnavailableError } from "@gunyah-ts/system";
import { createQemuVirtPlatform } from "./platform.ts";
import { QEMU_HEADLESS_ARGS, QEMU_SYSTEM_AARCH64 } from "./qemu_reference.ts";

/** The default system's kernel and initramfs (those `deno task boot` uses: its /init ends in a shell). */
async function findImages(): Promise<{ kernel: string; initrd: string } | null> {
  try {
    return await ensureGuestImages({ progress: () => {} });
  } catch (e) {
    if (e instanceof ImageUnavailableError) return null;
    throw e;
  }
}

Deno.test("Debian Linux boots to a shell under QEMU on our devicetree", async () => {
  const images = await findImages();
  if (!images) {
    console.log("no Debian guest images (deno task gunyah images): skipping the Linux boot check");
    return;
  }
  const vm = {
    ramBase: 0x40000000,
    ramSize: 512 << 20,
    vcpus: 2,
    bootargs: "console=ttyAMA0 panic=-1",
  };
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/virt.dtb`, createQemuVirtPlatform().buildDeviceTree(vm, []));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(QEMU_SYSTEM_AARCH64, {
      args: [
        ...["-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-smp", "2", "-m", "512M"],
        ...QEMU_HEADLESS_ARGS,
        ...["-no-reboot", "-dtb", `${dir}/virt.dtb`],
        ...["-kernel", images.kernel, "-initrd", images.initrd, "-append", vm.bootargs],
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch {
    console.log("qemu-system-aarch64 not found: skipping the Linux boot check");
    await Deno.remove(dir, { recursive: true });
    return;
  }
  const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const writer = child.stdin.getWriter();
  const decoder = new TextDecoder();
  let log = "";
  let asked = false;
  try {
    for await (const chunk of child.stdout) {
      log += decoder.decode(chunk, { stream: true });
      if (!asked && log.includes("/ # ")) {
        asked = true; // the shell is up: ask it something, then power off
        await writer.write(new TextEncoder().encode("echo dtb-ok-$((6*7))\npoweroff -f\n"));
      }
    }
  } finally {
    clearTimeout(killer);
    await writer.close().catch(() => {});
    await child.status;
    await child.stderr.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
  for (
    const line of [
      "Machine model: linux,dummy-virt",
      "psci: PSCIv1.1 detected in firmware.",
      "GICv3: CPU1: found redistributor 1 region 0:0x00000000080c0000",
      "arch_timer: cp15 timer(s) running",
      "9000000.pl011: ttyAMA0 at MMIO 0x9000000",
      "rtc-pl031 9010000.pl031: registered as rtc0",
      "dtb-ok-42",
    ]
  ) {
    assert(log.includes(line), `missing "${line}" in the guest console:\n${log}`);
  }
});
