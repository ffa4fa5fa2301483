/**
 * End-to-end through the real composition root: GunyahSystem builds a VM by
 * hypercalls (RM), `GunyahSystem.prepareDevices` + `VmLaunch.devicePlugins` attach
 * virtio-rng (sandboxed in a Worker) to it, and the bare-metal guest of
 * virtio_rng_guest.c drives it from the VM's stage-2 RAM. Skipped when the
 * AArch64 cross compiler is missing.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "@gunyah-ts/tests/assert";
import { buildGuest, DEFAULT_QEMU_CPU, MissingToolError } from "@gunyah-ts/tests/guests";
import { GunyahSystem } from "@gunyah-ts/system";
import { SeededSource } from "@gunyah-ts/virtio-rng";

const OUT_DIR = fileURLToPath(new URL("../../../.cache/plugins-e2e/", import.meta.url));
const SOURCE = fileURLToPath(new URL("./virtio_rng_guest.c", import.meta.url));

Deno.test("e2e: GunyahSystem.launch attaches a sandboxed virtio-rng that a guest drives", async () => {
  let elf: Uint8Array;
  try {
    const built = await buildGuest(
      { name: "virtio_rng_guest", sources: [SOURCE], fp: false, qemuCpu: DEFAULT_QEMU_CPU, smp: 1 },
      OUT_DIR,
    );
    elf = await Deno.readFile(built.elf);
  } catch (e) {
    if (e instanceof MissingToolError) return;
    throw e;
  }
  const system = await GunyahSystem.create({ ramBytes: 64 << 20 });
  const prepared = await system.prepareDevices(
    [{
      plugin: "builtin:virtio-rng",
      isolate: true,
      permissions: { read: [], write: [] },
      options: { seed: 5 },
    }],
    "/tmp",
  );
  try {
    const vm = system.launch({
      name: "rng",
      memory: 16 << 20,
      vcpus: 1,
      kernel: elf,
      bootargs: "",
      devicePlugins: prepared,
    });
    let out = "";
    vm.console.onOutput((b) => out += new TextDecoder().decode(b));
    let ended = false;
    vm.ended.then(() => ended = true);
    system.hv.runUntil(() => ended, 1e9);
    await Promise.resolve();
    const expected = new Uint8Array(20);
    new SeededSource(5).fill(expected);
    const lines = out.split("\n");
    assertEquals(lines.slice(0, 4), [
      "magic 74726976 version 2 device 4",
      "features_ok 1",
      "queue max 64",
      "used id 0 len 20",
    ]);
    assertEquals(
      lines[4],
      `bytes ${[...expected].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`,
    );
    assertEquals(lines[5], "isr 1 after ack 0 status f");
    assertEquals(vm.devices.some((d) => d.describe().isolated === true), true);
  } finally {
    await system.hv.stopComponents();
    await prepared.close();
  }
});
