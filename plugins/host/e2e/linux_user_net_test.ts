/**
 * End-to-end with Linux and user-mode networking (QEMU's `-nic user`
 * model), loopback only, one boot: the guest's virtio-net is on a segment
 * with the user-mode gateway; busybox udhcpc gets 10.0.2.15 by DHCP, wget
 * fetches a page from an HTTP server this test runs on 127.0.0.1 (the guest
 * says 10.0.2.2), a host client reaches the guest's `nc -l` through a
 * forwarded loopback port, and 16 MiB of random bytes the guest sends with
 * nc arrive at a host sink with the SHA-256 the guest computed.
 *
 * `GUNYAH_LINUX_E2E=0` skips it; without the guest images it is skipped
 * with the reason. `NET_E2E_MIB` changes the transfer's size;
 * `NET_E2E_LOG=FILE` appends the console to FILE and the gateway's status
 * to FILE.gw every 5 s while it runs (to watch a slow run).
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { E2E_BOOTARGS } from "@gunyah-ts/tests/e2e";
import { GunyahSystem, parseConfig, type VmEnd } from "@gunyah-ts/system";
import { guestImagesOrSkip } from "@gunyah-ts/tests/linux";
import {
  fetchPageCommand,
  forwardedServerCommand,
  NET_FWD_READY,
  NET_GUEST_GREETING,
  NET_GUEST_PORT,
  NET_INIT,
  NET_MARK,
  NetHostPeer,
  netUpCommand,
  netValue,
  sendBulkCommand,
  talkToForwardedPort,
} from "@gunyah-ts/bench";

const CONFIG = `
net:
  - name: wan
    user:
      hostfwd: [tcp:127.0.0.1:0-:${NET_GUEST_PORT}]
vms:
  - name: linux
    devices:
      - plugin: builtin:virtio-net
        net: wan
        isolate: false
`;

const enabled = Deno.env.get("GUNYAH_LINUX_E2E") !== "0";
const LOG = Deno.env.get("NET_E2E_LOG");
const BULK_MIB = Number(Deno.env.get("NET_E2E_MIB") ?? 16);

Deno.test({
  name:
    "e2e: Linux on user-mode networking: DHCP, wget from the host's loopback, a forwarded port, 16 MiB intact",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const images = await guestImagesOrSkip({ init: NET_INIT });
    if (images === null) return;
    const peer = new NetHostPeer(BULK_MIB << 20);
    // The configuration's shape: a segment with user-mode networking, a port forward on port 0.
    const config = parseConfig(CONFIG, "user-net-e2e.yaml");
    const system = await GunyahSystem.create({
      ramBytes: 600 << 20,
      physicalCpus: 1,
      net: config.net,
    });
    const gw = system.networks.gateways.get("wan")!;
    const prepared = await system.prepareDevices(
      config.vms[0].devices,
      Deno.cwd(),
      () => {},
      "linux",
    );
    const started = performance.now();
    let out = "";
    try {
      const vm = system.launch({
        name: "linux",
        memory: 512 << 20,
        vcpus: 1,
        kernel: await Deno.readFile(images.kernel),
        initrd: await Deno.readFile(images.initrd),
        bootargs: E2E_BOOTARGS,
        devicePlugins: prepared,
      });
      let typed = false;
      let talked: Promise<string> | null = null;
      vm.console.onOutput((b) => {
        const t = new TextDecoder().decode(b).replace(/\r\n/g, "\n");
        out += t;
        if (LOG) Deno.writeTextFileSync(LOG, t, { append: true });
        if (!typed && out.includes(`${NET_MARK} ready`)) {
          typed = true;
          const cmd = [
            netUpCommand(),
            fetchPageCommand(peer.httpPort),
            forwardedServerCommand(),
            sendBulkCommand(peer.sinkPort, BULK_MIB),
          ].join("; ") + "\n";
          vm.console.input(new TextEncoder().encode(cmd));
        }
        if (talked === null && out.includes(NET_FWD_READY)) {
          talked = talkToForwardedPort(gw.forwardedPorts[0], "hello-from-host");
        }
      });
      const running = system.hv.run();
      const ticker = LOG
        ? setInterval(
          () =>
            Deno.writeTextFileSync(LOG + ".gw", JSON.stringify(gw.status()) + "\n", {
              append: true,
            }),
          5000,
        )
        : undefined;
      running.finally(() => clearInterval(ticker));
      // Ends at power-off; a panic or 15 minutes without one fails with the console's tail.
      const end = await new Promise<VmEnd | "panic" | "timeout">((resolve) => {
        vm.ended.then(resolve);
        const poll = setInterval(() => {
          if (out.includes("Kernel panic")) resolve("panic");
          else if (performance.now() - started > 900_000) resolve("timeout");
          else return;
          clearInterval(poll);
        }, 500);
        vm.ended.then(() => clearInterval(poll));
      });
      system.hv.stop();
      await running;
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `booted and ran in ${seconds.toFixed(1)} s; gateway ${JSON.stringify(gw.status())}`,
      );
      assert(
        typeof end !== "string" && end.kind === "system_off",
        `${JSON.stringify(end)}\n${out.slice(-3000)}`,
      );
      assertEquals(
        netValue(out, "lease"),
        "10.0.2.15 router=10.0.2.2 dns=10.0.2.3",
        out.slice(-3000),
      );
      assertEquals(netValue(out, "page"), peer.page, out.slice(-3000));
      assert(
        talked !== null,
        `the guest's forwarded-port server never started\n${out.slice(-3000)}`,
      );
      assertEquals(await talked, NET_GUEST_GREETING);
      assertEquals(netValue(out, "fwd-got"), "hello-from-host", out.slice(-3000));
      const sink = await peer.received;
      assertEquals(sink.bytes, BULK_MIB << 20);
      assertEquals(sink.sha256, netValue(out, "sha"));
      const mibs = BULK_MIB / Math.max(1e-3, (sink.lastMs - sink.firstMs) / 1000);
      console.log(
        `${BULK_MIB} MiB guest → host in ${((sink.lastMs - sink.firstMs) / 1000).toFixed(1)} s (${
          mibs.toFixed(2)
        } MiB/s)`,
      );
    } finally {
      await system.close(); // also closes the gateway's sockets
      await prepared.close();
      await peer.close();
    }
  },
});
