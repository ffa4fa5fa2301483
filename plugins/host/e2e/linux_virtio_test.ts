/**
 * End-to-end with Linux: Debian's unmodified arm64 kernel boots in an
 * RM-built VM with three device plugins attached through
 * `VmLaunch.devicePlugins` - virtio-rng (sandboxed), virtio-blk (sandboxed,
 * read permission on its image only) and virtio-console (in-process, output
 * to a file) - loads the virtio modules from the initramfs with busybox
 * `modprobe`, and uses each device.
 *
 * It runs whenever the guest images can be had (`deno task gunyah images`;
 * skipped with the reason otherwise), with the kernel's crypto self-tests off
 * (`cryptomgr.notests`: two thirds of a boot otherwise) to keep it near 30 s.
 * `GUNYAH_LINUX_E2E=0` skips it.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { E2E, E2E_INIT } from "@gunyah-ts/tests/e2e";
import { runLinuxVm } from "@gunyah-ts/tests/linux";

const enabled = Deno.env.get("GUNYAH_LINUX_E2E") !== "0";

const COMMAND = [
  "modprobe virtio_mmio",
  "modprobe virtio_rng",
  "modprobe virtio_blk",
  "modprobe virtio_console",
  "sleep 1",
  'echo "V:$(ls /sys/bus/virtio/devices | tr "\\n" " ")"',
  'echo "R:$(cat /sys/class/misc/hw_random/rng_current)"',
  'echo "H:$(head -c 8 /dev/hwrng | od -An -tx1 | tr -d " ")"',
  'echo "B:$(cat /sys/block/vda/size):$(head -c 9 /dev/vda)"',
  "echo hello-hvc0 > /dev/hvc0",
  'echo "DONE"',
].join("; ") + "\n";

Deno.test({
  name: "e2e: Linux drives virtio-rng, virtio-blk and virtio-console device plugins",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const disk = new Uint8Array(1 << 20);
      disk.set(new TextEncoder().encode("GUNYAHBLK"));
      await Deno.writeFile(`${dir}/disk.img`, disk);
      const hvc = `${dir}/hvc0.txt`;
      let typed = false;
      const run = await runLinuxVm({
        images: { init: E2E_INIT },
        devices: {
          dir,
          configs: [
            {
              plugin: "builtin:virtio-rng",
              isolate: true,
              permissions: { read: [], write: [] },
              options: { seed: 1 },
            },
            {
              plugin: "builtin:virtio-blk",
              isolate: true,
              permissions: { read: ["disk.img"], write: [] },
              options: { path: "disk.img", readOnly: true },
            },
            {
              plugin: "builtin:virtio-console",
              isolate: false,
              permissions: { read: [], write: [] },
              options: { output: { file: hvc } },
            },
          ],
        },
        onOutput: (text, vm) => {
          if (!typed && text.includes(`${E2E} ready`)) {
            typed = true;
            vm.type(COMMAND);
          }
        },
      });
      if (run === null) return;
      const { output: out, tail } = run;
      assertEquals(run.end, { kind: "system_off" }, tail);
      const line = (p: string) => out.split("\n").find((l) => l.startsWith(p))?.trim() ?? "";
      assert(line("V:").split(" ").length >= 3, `virtio devices: ${line("V:")}\n${tail}`);
      assert(line("R:").includes("virtio_rng"), line("R:"));
      assertEquals(line("H:").length, 2 + 16, line("H:"));
      assertEquals(line("B:"), "B:2048:GUNYAHBLK");
      // The hvc tty's ONLCR turns the guest's "\n" into "\r\n".
      assertEquals(await Deno.readTextFile(hvc), "hello-hvc0\r\n");
      console.log([line("V:"), line("R:"), line("H:"), line("B:")].join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
