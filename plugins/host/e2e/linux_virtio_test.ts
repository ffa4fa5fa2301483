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
import { ensureGuestImages, GunyahSystem, ImageUnavailableError } from "@gunyah-ts/system";
import { E2E, E2E_INIT } from "@gunyah-ts/tests/e2e";

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
    let images;
    try {
      images = await ensureGuestImages({ init: E2E_INIT, progress: () => {} });
    } catch (e) {
      if (e instanceof ImageUnavailableError) {
        console.error(`skipped: ${e.message}`);
        return;
      }
      throw e;
    }
    const dir = await Deno.makeTempDir();
    const disk = new Uint8Array(1 << 20);
    disk.set(new TextEncoder().encode("GUNYAHBLK"));
    await Deno.writeFile(`${dir}/disk.img`, disk);
    const hvc = `${dir}/hvc0.txt`;
    const system = await GunyahSystem.create({ ramBytes: 600 << 20, physicalCpus: 1 });
    const prepared = await system.prepareDevices([
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
    ], dir);
    try {
      const vm = system.launch({
        name: "linux",
        memory: 512 << 20,
        vcpus: 1,
        kernel: await Deno.readFile(images.kernel),
        initrd: await Deno.readFile(images.initrd),
        bootargs: "console=ttyAMA0 cryptomgr.notests",
        devicePlugins: prepared,
      });
      let out = "";
      let typed = false;
      vm.console.onOutput((b) => {
        out += new TextDecoder().decode(b);
        if (!typed && out.includes(`${E2E} ready`)) {
          typed = true;
          vm.console.input(new TextEncoder().encode(COMMAND));
        }
      });
      const running = system.hv.run();
      const end = await vm.ended;
      system.hv.stop();
      await running;
      assertEquals(end.kind, "system_off", out.slice(-3000));
      const line = (p: string) => out.split("\n").find((l) => l.startsWith(p))?.trim() ?? "";
      assert(
        line("V:").split(" ").length >= 3,
        `virtio devices: ${line("V:")}\n${out.slice(-3000)}`,
      );
      assert(line("R:").includes("virtio_rng"), line("R:"));
      assertEquals(line("H:").length, 2 + 16, line("H:"));
      assertEquals(line("B:"), "B:2048:GUNYAHBLK");
      // The hvc tty's ONLCR turns the guest's "\n" into "\r\n".
      assertEquals(await Deno.readTextFile(hvc), "hello-hvc0\r\n");
      console.log([line("V:"), line("R:"), line("H:"), line("B:")].join("\n"));
    } finally {
      await system.hv.stopComponents();
      await prepared.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
