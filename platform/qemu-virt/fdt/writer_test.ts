import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { cells64, encodeFdt } from "./writer.ts";
import { FDT_MAGIC, FdtError } from "./format.ts";
import { dtcAvailable, runDtc } from "./dtc_testing.ts";
import type { DtNode } from "@gunyah-ts/core/plugin";

const sample: DtNode = {
  name: "",
  props: {
    compatible: "linux,dummy-virt",
    "#address-cells": [2],
    "#size-cells": [2],
    "interrupt-parent": [0x8001],
  },
  children: [
    {
      name: "intc@8000000",
      props: {
        compatible: "arm,gic-v3",
        "#interrupt-cells": [3],
        "interrupt-controller": true,
        "#address-cells": [2],
        "#size-cells": [2],
        ranges: true,
        reg: [0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0x20000],
        phandle: [0x8001],
      },
    },
    {
      name: "pl011@9000000",
      props: {
        compatible: ["arm,pl011", "arm,primecell"],
        reg: [0, 0x09000000, 0, 0x1000],
        interrupts: [0, 1, 4],
      },
    },
    { name: "chosen", props: { bootargs: "console=ttyAMA0", "stdout-path": "/pl011@9000000" } },
  ],
};

Deno.test("encodeFdt writes a v17 header with aligned blocks and an 8-byte-multiple totalsize", () => {
  const blob = encodeFdt(sample, { reservations: [{ address: 0x48000000n, size: 0x1000n }] });
  const v = new DataView(blob.buffer);
  assertEquals(v.getUint32(0), FDT_MAGIC);
  assertEquals(v.getUint32(4), blob.length);
  assertEquals(blob.length % 8, 0);
  assertEquals(v.getUint32(20), 17);
  assertEquals(v.getUint32(24), 16);
  assertEquals(v.getUint32(16) % 8, 0); // reserve map
  assertEquals(v.getUint32(8) % 4, 0); // struct
  // first reservation, then the {0,0} terminator
  assertEquals(v.getBigUint64(40), 0x48000000n);
  assertEquals(v.getBigUint64(48), 0x1000n);
  assertEquals(v.getBigUint64(56), 0n);
  assertEquals(v.getBigUint64(64), 0n);
});

Deno.test("dtc decompiles what encodeFdt writes without warnings", async () => {
  if (!(await dtcAvailable())) return;
  const r = await runDtc(
    encodeFdt(sample, { reservations: [{ address: 0x48000000n, size: 0x1000n }] }),
  );
  assert(r.ok, r.warnings);
  assertEquals(r.warnings, "");
  assert(r.dts.includes("/memreserve/\t0x0000000048000000 0x0000000000001000;"), r.dts);
  assert(r.dts.includes('compatible = "arm,pl011\\0arm,primecell";'), r.dts);
  assert(r.dts.includes("interrupts = <0x00 0x01 0x04>;"), r.dts);
  assert(r.dts.includes("interrupt-controller;"), r.dts);
});

Deno.test("encodeFdt rejects bad names, cells and duplicate phandles with the node path", () => {
  assertThrows(() => encodeFdt({ name: "x", props: {} }), FdtError, "root node");
  assertThrows(
    () => encodeFdt({ name: "", props: {}, children: [{ name: "bad name", props: {} }] }),
    FdtError,
    "/bad name: invalid node name",
  );
  assertThrows(
    () => encodeFdt({ name: "", props: { reg: [0x1_0000_0000] } }),
    FdtError,
    "/:reg: cell 0",
  );
  assertThrows(
    () =>
      encodeFdt({
        name: "",
        props: {},
        children: [{ name: "a", props: { phandle: [1] } }, { name: "b", props: { phandle: [1] } }],
      }),
    FdtError,
    "already used by /a",
  );
  assertThrows(
    () =>
      encodeFdt({
        name: "",
        props: {},
        children: [{ name: "a", props: {} }, { name: "a", props: {} }],
      }),
    FdtError,
    "duplicate node name",
  );
});

Deno.test("cells64 splits 64-bit values into high and low cells", () => {
  assertEquals(cells64(0x1_2345_6789), [1, 0x23456789]);
  assertEquals(cells64(0xffff_ffff_ffff_ffffn), [0xffffffff, 0xffffffff]);
  assertThrows(() => cells64(-1), FdtError);
});
