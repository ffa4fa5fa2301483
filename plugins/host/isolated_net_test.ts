import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import type { EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { FakeDeviceHost } from "@gunyah-ts/plugin-testkit";
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";
import { VmMmioBus } from "@gunyah-ts/core";
import { type DeviceNetworks, prepareDevicePlugins } from "./attach.ts";
import { ISOLATED_NET_FRAMES_IN_FLIGHT } from "./mailbox.ts";

Deno.test("isolated net: frames towards a Worker are bounded in flight; the excess is refused, counted", async () => {
  let device: EthernetEndpoint | null = null;
  const sent: Uint8Array[] = [];
  const networks: DeviceNetworks = {
    reserve: () => 0,
    connect(_segment, _index, d) {
      device = d;
      return { receive: (f) => (sent.push(f.slice()), true) };
    },
  };
  const prepared = await prepareDevicePlugins(
    [{
      plugin: "builtin:virtio-net",
      isolate: true,
      permissions: { read: [], write: [] },
      options: {},
      net: "lan",
    }],
    qemuVirtPlatform,
    "/tmp",
    () => {},
    networks,
  );
  try {
    const host = new FakeDeviceHost();
    prepared.bind({ host, bus: new VmMmioBus(), ram: [host.memory.mapping] });
    assert(device !== null, "the Worker's device connected through the host");
    const frame = new Uint8Array(60).fill(0xff, 0, 6);
    frame[6] = 0x52;
    // All sent within one turn of the event loop: the Worker cannot have taken any yet.
    let taken = 0;
    for (let i = 0; i < 10 * ISOLATED_NET_FRAMES_IN_FLIGHT; i++) {
      if ((device as EthernetEndpoint).receive(frame)) taken++;
    }
    assertEquals(taken, ISOLATED_NET_FRAMES_IN_FLIGHT);
    const d = prepared.devices[0];
    // The Worker takes them (its driver is not running: it counts them as not ready) and
    // returns credits, after which frames are taken again.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      d.describe();
      const s = d.describe();
      if (s.rxDropsNotReady === ISOLATED_NET_FRAMES_IN_FLIGHT) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const s = d.describe();
    assertEquals(s.rxDropsNotReady, ISOLATED_NET_FRAMES_IN_FLIGHT);
    assertEquals(s.framesRefusedByHost, 9 * ISOLATED_NET_FRAMES_IN_FLIGHT);
    assert((device as EthernetEndpoint).receive(frame), "credits came back");
  } finally {
    await prepared.close();
  }
});
