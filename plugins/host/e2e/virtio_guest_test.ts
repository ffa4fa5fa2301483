/**
 * End-to-end: a bare-metal AArch64 guest (virtio_rng_guest.c, a tiny
 * virtio-mmio driver) runs on the emulated CPU and drives virtio-rng in
 * slot 0, attached with attachDevicePlugins, in-process and sandboxed in a
 * Worker. Skipped when the AArch64 cross compiler is missing.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "@gunyah-ts/tests/assert";
import { buildGuest, DEFAULT_QEMU_CPU, MissingToolError } from "@gunyah-ts/tests/guests";
import { DiffMachine } from "@gunyah-ts/tests/machine";
import { SeededSource } from "@gunyah-ts/virtio-rng";
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";
import { attachDevicePlugins } from "../attach.ts";

const OUT_DIR = fileURLToPath(new URL("../../../.cache/plugins-e2e/", import.meta.url));
const SOURCE = fileURLToPath(new URL("./virtio_rng_guest.c", import.meta.url));

async function guestElf(): Promise<Uint8Array | null> {
  try {
    const built = await buildGuest(
      { name: "virtio_rng_guest", sources: [SOURCE], fp: false, qemuCpu: DEFAULT_QEMU_CPU, smp: 1 },
      OUT_DIR,
    );
    return await Deno.readFile(built.elf);
  } catch (e) {
    if (e instanceof MissingToolError) return null;
    throw e;
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

for (const isolate of [false, true]) {
  Deno.test(`e2e: bare-metal guest drives virtio-rng (${isolate ? "isolated Worker" : "in-process"})`, async () => {
    const elf = await guestElf();
    if (elf === null) {
      console.log("skipped: aarch64-linux-gnu-gcc not installed");
      return;
    }
    const logs: string[] = [];
    const machine = new DiffMachine({ maxInstructions: 20_000_000, log: (m) => logs.push(m) });
    const host = {
      memory: machine.ram,
      setIrq: (intid: number, level: boolean) => machine.gic.setLine(intid, level),
      clock: { now: 0, nsPerInstruction: 1 },
      setTimer: () => () => {},
      log: (m: string) => logs.push(m),
    };
    const attached = await attachDevicePlugins(
      { host, bus: machine.bus, ram: [machine.ram.mapping] },
      [{
        plugin: "builtin:virtio-rng",
        isolate,
        permissions: { read: [], write: [] },
        options: { seed: 99 },
      }],
      qemuVirtPlatform,
      "/tmp",
    );
    try {
      machine.loadElf(elf);
      const run = machine.run();
      assertEquals(run.reason, "system-off", `${run.message}\n${run.output}\n${logs.join("\n")}`);
      const expected = new Uint8Array(20);
      new SeededSource(99).fill(expected);
      const lines = run.output.split("\n");
      assertEquals(lines[0], "magic 74726976 version 2 device 4");
      assertEquals(lines[1], "features_ok 1");
      assertEquals(lines[2], "queue max 64");
      assertEquals(lines[3], "used id 0 len 20");
      assertEquals(lines[4], `bytes ${hex(expected)}`);
      assertEquals(lines[5], "isr 1 after ack 0 status f");
    } finally {
      await attached.close();
    }
  });
}
