/**
 * The QEMU side of the `net` benchmark row: the same kernel and initramfs
 * under `qemu-system-aarch64 -nic user` (slirp) with a virtio-net device,
 * the guest sending N MiB with busybox nc to a host sink via 10.0.2.2.
 *
 * @module
 */
import {
  fetchPageCommand,
  NET_MARK,
  netUpCommand,
  netValue,
  sendBulkCommand,
} from "./net_guest.ts";
import { NetHostPeer, type SinkResult } from "./net_host.ts";
import { QEMU, qemuVirtArgs } from "./qemu.ts";

/** A guest-to-host transfer's result. */
export interface NetRun {
  readonly sink: SinkResult;
  /** The SHA-256 the guest printed. */
  readonly guestSha: string;
  /** MiB/s from the first to the last byte at the sink. */
  readonly mibPerSecond: number;
  readonly output: string;
}

/** Boot `kernel`+`initrd` (a NET_INIT initramfs) in QEMU with user networking and send `mib` MiB. */
export async function qemuNetRun(
  kernel: string,
  initrd: string,
  mib: number,
  timeoutMs = 300_000,
): Promise<NetRun> {
  const peer = new NetHostPeer(mib << 20);
  const child = new Deno.Command(QEMU, {
    args: [
      ...qemuVirtArgs(512, 1),
      "-kernel",
      kernel,
      "-initrd",
      initrd,
      "-append",
      "console=ttyAMA0",
      // -nic's model list has only PCI virtio-net; virt's virtio-mmio slots take the -device form.
      "-netdev",
      "user,id=net0",
      "-device",
      "virtio-net-device,netdev=net0",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, timeoutMs);
  let output = "";
  let typed = false;
  const dec = new TextDecoder();
  const stdin = child.stdin.getWriter();
  try {
    for await (const chunk of child.stdout) {
      output += dec.decode(chunk, { stream: true });
      if (!typed && output.includes(`${NET_MARK} ready`)) {
        typed = true;
        const cmd = [
          netUpCommand(),
          fetchPageCommand(peer.httpPort),
          sendBulkCommand(peer.sinkPort, mib),
        ].join("; ") + "\n";
        await stdin.write(new TextEncoder().encode(cmd));
      }
    }
    await child.status;
  } finally {
    clearTimeout(timer);
    await stdin.close().catch(() => {});
  }
  let wait: ReturnType<typeof setTimeout> | undefined;
  const sink = await Promise.race([
    peer.received,
    new Promise<never>((_, reject) => {
      wait = setTimeout(
        () => reject(new Error(`QEMU: no data at the sink; console:\n${output.slice(-1500)}`)),
        1000,
      );
    }),
  ]).finally(() => {
    clearTimeout(wait);
    return peer.close();
  });
  const guestSha = netValue(output.replace(/\r\n/g, "\n"), "sha") ?? "";
  return {
    sink,
    guestSha,
    mibPerSecond: (sink.bytes / 1048576) / Math.max(1e-3, (sink.lastMs - sink.firstMs) / 1000),
    output,
  };
}
