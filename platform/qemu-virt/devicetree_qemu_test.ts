/**
 * Differential check of the devicetree against QEMU's own: dump the DTB of
 * `qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57 -smp 2` and
 * compare, node by node, every node both machines have. Skipped (with a
 * message) when QEMU is not installed.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { buildVirtDeviceTreeNodes, virtioMmioNode } from "./devicetree.ts";
import { mpidrForVcpu } from "./memory_map.ts";
import { encodeFdt } from "./fdt/writer.ts";
import { decodeFdt } from "./fdt/reader.ts";
import { findNode } from "./fdt/tree.ts";
import { QEMU_HEADLESS_ARGS, QEMU_SYSTEM_AARCH64 } from "./qemu_reference.ts";
import type { DtNode, DtValue } from "@gunyah-ts/core/plugin";

async function qemuDtb(smp = 2): Promise<Uint8Array | null> {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(QEMU_SYSTEM_AARCH64, {
      args: [
        "-M",
        `virt,gic-version=3,dumpdtb=${dir}/virt.dtb`,
        "-cpu",
        "cortex-a57",
        "-smp",
        String(smp),
        "-m",
        "512M",
        ...QEMU_HEADLESS_ARGS,
      ],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => null);
    if (!out?.success) return null;
    return await Deno.readFile(`${dir}/virt.dtb`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Phandle values differ between the two allocators; compare everything else. */
function comparable(node: DtNode, ignore: readonly string[]): Record<string, DtValue> {
  const out: Record<string, DtValue> = {};
  for (const [k, v] of Object.entries(node.props)) {
    if (k === "phandle" || k === "clocks" || ignore.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

Deno.test("our virt devicetree matches QEMU's dumpdtb on every shared node", async () => {
  const blob = await qemuDtb();
  if (blob === null) {
    console.log("qemu-system-aarch64 not found: skipping the QEMU devicetree comparison");
    return;
  }
  const qemu = decodeFdt(blob).root;
  const ours = decodeFdt(encodeFdt(buildVirtDeviceTreeNodes(
    { ramBase: 0x40000000, ramSize: 512 << 20, vcpus: 2, bootargs: "" },
    [virtioMmioNode(0), virtioMmioNode(31)],
  ))).root;
  const shared: [string, string[]][] = [
    ["/", ["interrupt-parent"]],
    ["/psci", []],
    ["/memory@40000000", []],
    ["/cpus", []],
    ["/cpus/cpu@0", []],
    ["/cpus/cpu@1", []],
    ["/timer", []],
    ["/apb-pclk", []],
    ["/pl011@9000000", []],
    ["/pl031@9010000", []],
    ["/virtio_mmio@a000000", []],
    ["/virtio_mmio@a003e00", []],
    // QEMU always declares the whole 0xf60000 redistributor window; we size it for the vCPUs.
    ["/intc@8000000", ["reg"]],
    ["/chosen", ["rng-seed", "kaslr-seed"]],
  ];
  for (const [path, ignore] of shared) {
    const q = findNode(qemu, path);
    const o = findNode(ours, path);
    assert(q, `QEMU has no ${path}`);
    assert(o, `we have no ${path}`);
    assertEquals(comparable(o, ignore), comparable(q, ignore), path);
  }
  const cells = (n: DtNode | null, p: string) => n!.props[p] as number[];
  assertEquals(
    cells(findNode(ours, "/intc@8000000"), "reg").slice(0, 6),
    cells(findNode(qemu, "/intc@8000000"), "reg").slice(0, 6),
  );
});

Deno.test("vCPU MPIDRs (cpu reg) match QEMU's for 20 vCPUs", async () => {
  const blob = await qemuDtb(20);
  if (blob === null) {
    console.log("qemu-system-aarch64 not found: skipping the QEMU MPIDR comparison");
    return;
  }
  const qemu = decodeFdt(blob).root;
  for (let i = 0; i < 20; i++) {
    // QEMU names the nodes cpu@<index in decimal>; we name them by their reg, as dtc expects.
    const q = findNode(qemu, `/cpus/cpu@${i}`);
    assert(q, `QEMU has no cpu@${i}`);
    assertEquals(q.props.reg, [mpidrForVcpu(i)], `vCPU ${i}`);
  }
});
