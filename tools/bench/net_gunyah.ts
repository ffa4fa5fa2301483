/**
 * The gunyah-ts side of the `net` benchmark row, run as its own process:
 *
 *   deno run -A tools/bench/net_gunyah.ts <Image> <initrd> <MiB>
 *
 * Boots the kernel and a NET_INIT initramfs as one VM with a virtio-net
 * device on a segment with the user-mode gateway, takes a DHCP lease, and
 * has the guest send `MiB` MiB with busybox nc to a sink on the host's
 * 127.0.0.1 (10.0.2.2 to the guest). Prints one JSON line:
 * `{bytes, sha256, guestSha, firstMs, lastMs, retransmits}`.
 *
 * @module
 */
import { GunyahSystem } from "@gunyah-ts/system";
import { NET_MARK, netUpCommand, netValue, sendBulkCommand } from "./net_guest.ts";
import { NetHostPeer } from "./net_host.ts";

async function main(args: string[]): Promise<number> {
  const [kernelPath, initrdPath, mibText] = args;
  const mib = Number(mibText);
  if (!initrdPath || !(mib > 0)) {
    console.error("usage: net_gunyah.ts <Image> <initrd> <MiB>");
    return 2;
  }
  const peer = new NetHostPeer(mib << 20);
  const system = await GunyahSystem.create({
    ramBytes: 600 << 20,
    net: [{ name: "wan", user: { hostfwd: [] } }],
  });
  const prepared = await system.prepareDevices(
    [{
      plugin: "builtin:virtio-net",
      isolate: false,
      permissions: { read: [], write: [] },
      options: {},
      net: "wan",
    }],
    Deno.cwd(),
    () => {},
    "bench",
  );
  let out = "";
  try {
    const vm = system.launch({
      name: "bench",
      memory: 512 << 20,
      vcpus: 1,
      kernel: await Deno.readFile(kernelPath),
      initrd: await Deno.readFile(initrdPath),
      bootargs: "console=ttyAMA0",
      devicePlugins: prepared,
    });
    let typed = false;
    const dec = new TextDecoder();
    vm.console.onOutput((b) => {
      out += dec.decode(b, { stream: true });
      if (!typed && out.includes(`${NET_MARK} ready`)) {
        typed = true;
        const cmd = `${netUpCommand()}; ${sendBulkCommand(peer.sinkPort, mib)}\n`;
        vm.console.input(new TextEncoder().encode(cmd));
      }
    });
    const running = system.hv.run();
    const first = await Promise.race([
      vm.ended.then(() => "ended" as const),
      peer.received.then(() => "sink" as const),
    ]);
    if (first === "ended") {
      console.error(`the guest ended before its data arrived; console:\n${out.slice(-2000)}`);
      system.hv.stop();
      await running;
      return 1;
    }
    const sink = await peer.received;
    system.hv.stop();
    await running;
    const gw = system.networks.gateways.get("wan")!.status();
    console.log(JSON.stringify({
      bytes: sink.bytes,
      sha256: sink.sha256,
      guestSha: netValue(out.replace(/\r\n/g, "\n"), "sha") ?? "",
      firstMs: sink.firstMs,
      lastMs: sink.lastMs,
      retransmits: gw.counters.tcp.retransmits,
    }));
    return 0;
  } finally {
    await system.close();
    await prepared.close();
    await peer.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
