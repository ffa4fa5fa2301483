import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { formatDts } from "./dts.ts";
import { decodeFdt } from "./reader.ts";
import { encodeFdt } from "./writer.ts";
import { dtcAvailable } from "./dtc_testing.ts";
import { buildVirtDeviceTreeNodes, virtioMmioNode } from "../devicetree.ts";
import type { DtNode } from "@gunyah-ts/core/plugin";

const tree: DtNode = {
  name: "",
  props: {
    model: 'say "hi"\\',
    flag: true,
    cells: [1, 0xdeadbeef],
    list: ["a", "b"],
    raw: new Uint8Array([1, 0xab]),
  },
  children: [{ name: "child@10", props: { reg: [0x10] } }],
};

Deno.test("formatDts prints dtc-style source", () => {
  const text = formatDts(tree, [{ address: 0x1000n, size: 0x20n }]);
  assert(text.startsWith("/dts-v1/;\n"));
  assert(text.includes("/memreserve/\t0x0000000000001000 0x0000000000000020;"));
  assert(text.includes('\tmodel = "say \\"hi\\"\\\\";'));
  assert(text.includes("\tflag;"));
  assert(text.includes("\tcells = <0x01 0xdeadbeef>;"));
  assert(text.includes('\tlist = "a", "b";'));
  assert(text.includes("\traw = [01 ab];"));
  assert(text.includes("\tchild@10 {\n\t\treg = <0x10>;\n\t};"));
});

Deno.test("dtc compiles formatDts output back to the same tree", async () => {
  if (!(await dtcAvailable())) return;
  const root = buildVirtDeviceTreeNodes(
    { ramBase: 0x40000000, ramSize: 1 << 30, vcpus: 3, bootargs: "console=ttyAMA0 root=/dev/vda" },
    [virtioMmioNode(1)],
  );
  const child = new Deno.Command("dtc", {
    // From source, dtc wants `clocks` cells written as &label references and warns
    // about literal phandle numbers (it does not when reading a blob).
    args: ["-I", "dts", "-O", "dtb", "-W", "no-clocks_property", "-o", "-", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(formatDts(root)));
  await w.close();
  const out = await child.output();
  assertEquals(new TextDecoder().decode(out.stderr), "");
  assertEquals(decodeFdt(out.stdout).root, decodeFdt(encodeFdt(root)).root);
});
