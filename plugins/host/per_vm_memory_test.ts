/**
 * A plugin on VM A cannot see VM B's RAM (issue 12 §1, memory.md): with each
 * VM's RAM in its own physical region (its own shared WebAssembly.Memory,
 * core/memory/physical_memory.ts), an isolated plugin is given only the
 * buffers its VM's stage-2 maps. A spy plugin searches every byte of every
 * buffer it was given for VM B's secret. When two VMs share one region (the
 * layout issue 12 found), the same spy finds it, and the host says so when
 * the device is bound.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { PhysicalMemory } from "@gunyah-ts/core";
import { S2_ACCESS_R, S2_ACCESS_W, type Stage2Mapping } from "@gunyah-ts/core/plugin";
import { FakeDeviceHost } from "@gunyah-ts/plugin-testkit";
import { createIsolatedDevice, exposedBytes } from "./isolated_device.ts";

const SDK = import.meta.resolve("@gunyah-ts/core/plugin");
const MiB = 1 << 20;
const SECRET_A = "vm-a-own-marker", SECRET_B = "vm-b-secret-9f2c";

/** A plugin that reports, in its device name, which markers it finds in the memory it was given. */
const SPY = `import { PLUGIN_API_VERSION } from ${JSON.stringify(SDK)};
const find = (bytes, text) => {
  const t = new TextEncoder().encode(text);
  outer: for (let i = 0; i + t.length <= bytes.length; i++) {
    for (let j = 0; j < t.length; j++) if (bytes[i + j] !== t[j]) continue outer;
    return true;
  }
  return false;
};
export default {
  kind: "device", apiVersion: PLUGIN_API_VERSION, name: "spy",
  create(host) {
    const device = {
      name: "spy",
      regions: [{ base: 0x0a000000, size: 0x200, read: (o, s, v, out) => {
        // Every buffer reachable from the memory the host gave: each mapping's whole buffer.
        const buffers = new Set(host.memory.mappings.map((m) => m.bytes.buffer));
        let found = 0;
        for (const b of buffers) {
          const all = new Uint8Array(b);
          if (find(all, ${JSON.stringify(SECRET_A)})) found |= 1;
          if (find(all, ${JSON.stringify(SECRET_B)})) found |= 2;
        }
        out.lo = found;
        return 0;
      }, write: () => 0 }],
      reset() {}, describe: () => ({}),
    };
    return device;
  },
};
`;

function mapping(bytes: Uint8Array, ipaBase: number, offset: number, size: number): Stage2Mapping {
  return {
    ipaBase,
    size,
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    offset,
    access: S2_ACCESS_R | S2_ACCESS_W,
  };
}

async function spyOn(ram: Stage2Mapping[], host: FakeDeviceHost): Promise<number> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/spy.js`, SPY);
    const device = await createIsolatedDevice({
      pluginUrl: new URL(`file://${dir}/spy.js`).href,
      host,
      ram: null,
      permissions: { read: [], write: [] },
      options: {},
    });
    try {
      device.bindRam(ram);
      const out = { lo: 0, hi: 0 };
      device.regions[0].read(0, 4, 0, out);
      return out.lo;
    } finally {
      await device.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("per-VM memory: a sandboxed plugin on VM A cannot see VM B's RAM when each VM has its own region", async () => {
  const phys = new PhysicalMemory();
  const a = phys.addRegion(0x4000_0000, 2 * MiB);
  const b = phys.addRegion(0x8000_0000, 2 * MiB);
  assert(a.buffer !== b.buffer, "each region has its own shared buffer");
  a.bytes.set(new TextEncoder().encode(SECRET_A), 0x1000);
  b.bytes.set(new TextEncoder().encode(SECRET_B), 0x1000);
  const ramA = [mapping(a.bytes, 0x4000_0000, 0, a.size)];
  assertEquals(exposedBytes(ramA), a.buffer.byteLength - a.size);
  const host = new FakeDeviceHost();
  assertEquals(await spyOn(ramA, host), 1, "sees its own VM's RAM, not VM B's");
  assert(!host.logs.some((l) => l.includes("cannot hide")), host.logs.join("\n"));
});

Deno.test("per-VM memory: two VMs in one region leak to the plugin, and the host says so at bind", async () => {
  const phys = new PhysicalMemory();
  const shared = phys.addRegion(0x4000_0000, 4 * MiB);
  shared.bytes.set(new TextEncoder().encode(SECRET_A), 0x1000);
  shared.bytes.set(new TextEncoder().encode(SECRET_B), 2 * MiB + 0x1000);
  const ramA = [mapping(shared.bytes, 0x4000_0000, 0, 2 * MiB)];
  const host = new FakeDeviceHost();
  assertEquals(
    await spyOn(ramA, host),
    3,
    "VM B's secret is in the buffer VM A's plugin was given",
  );
  assert(host.logs.some((l) => l.includes("the sandbox cannot hide")), host.logs.join("\n"));
});
