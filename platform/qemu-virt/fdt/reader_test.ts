import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { decodeFdt, guessDtValue } from "./reader.ts";
import { encodeFdt } from "./writer.ts";
import { FdtError } from "./format.ts";
import { findNode, propCells, propInteger, propStrings, withProps } from "./tree.ts";
import type { DtNode } from "@gunyah-ts/core/plugin";

const tree: DtNode = {
  name: "",
  props: { compatible: "linux,dummy-virt", "#address-cells": [2], "#size-cells": [2] },
  children: [
    {
      name: "cpus",
      props: { "#address-cells": [1], "#size-cells": [0] },
      children: [
        { name: "cpu@0", props: { device_type: "cpu", reg: [0], "enable-method": "psci" } },
        { name: "cpu@1", props: { device_type: "cpu", reg: [1], "enable-method": "psci" } },
      ],
    },
    { name: "blob", props: { data: new Uint8Array([1, 2, 3]), flag: true, list: ["a", "bc"] } },
    { name: "chosen", props: { "linux,initrd-start": [0, 0x48000000] } },
  ],
};

Deno.test("decodeFdt(encodeFdt(tree)) gives the same tree back", () => {
  const { root, reservations, version } = decodeFdt(
    encodeFdt(tree, { reservations: [{ address: 1n << 40n, size: 4096n }] }),
  );
  assertEquals(root, tree);
  assertEquals(reservations, [{ address: 1n << 40n, size: 4096n }]);
  assertEquals(version, 17);
});

Deno.test("decodeFdt raw mode keeps bytes and re-encodes identically", () => {
  const blob = encodeFdt(tree);
  const { root } = decodeFdt(blob, { raw: true });
  assertEquals(encodeFdt(root), blob);
});

Deno.test("guessDtValue types values the way dtc prints them", () => {
  assertEquals(guessDtValue(new Uint8Array(0)), true);
  assertEquals(guessDtValue(new TextEncoder().encode("ok\0")), "ok");
  assertEquals(guessDtValue(new Uint8Array([0, 0, 0, 4])), [4]);
  assertEquals(
    guessDtValue(new Uint8Array([0x61, 0, 0, 0x62, 0])),
    new Uint8Array([0x61, 0, 0, 0x62, 0]),
  );
});

Deno.test("decodeFdt rejects malformed blobs with a clear message", () => {
  const good = encodeFdt(tree);
  assertThrows(
    () => decodeFdt(good.subarray(0, 20)),
    FdtError,
    "shorter than the 40-byte FDT header",
  );
  const badMagic = good.slice();
  badMagic[0] = 0;
  assertThrows(() => decodeFdt(badMagic), FdtError, "bad magic");
  assertThrows(() => decodeFdt(good.subarray(0, good.length - 8)), FdtError, "truncated");
  const badVersion = good.slice();
  new DataView(badVersion.buffer).setUint32(20, 3);
  assertThrows(() => decodeFdt(badVersion), FdtError, "unsupported FDT version 3");
  const badToken = good.slice();
  const v = new DataView(badToken.buffer);
  v.setUint32(v.getUint32(8), 0x77);
  assertThrows(() => decodeFdt(badToken), FdtError, "unknown structure token 0x77");
  const badStructSize = good.slice();
  new DataView(badStructSize.buffer).setUint32(36, 1 << 20);
  assertThrows(() => decodeFdt(badStructSize), FdtError, "structure block");
  // cut the END token: the last struct word becomes garbage-free but missing
  const noEnd = good.slice();
  const nv = new DataView(noEnd.buffer);
  nv.setUint32(36, nv.getUint32(36) - 4);
  assertThrows(() => decodeFdt(noEnd), FdtError, "ends inside a token");
});

Deno.test("tree helpers find nodes, read typed values and update immutably", () => {
  const cpu1 = findNode(tree, "/cpus/cpu@1")!;
  assertEquals(propCells(cpu1, "reg"), [1]);
  assertEquals(propStrings(cpu1, "enable-method"), ["psci"]);
  assertEquals(propInteger(findNode(tree, "/chosen")!, "linux,initrd-start"), 0x48000000n);
  assertEquals(findNode(tree, "/nope"), null);
  const t2 = withProps(tree, "/chosen", { bootargs: "quiet" });
  assertEquals(findNode(t2, "/chosen")!.props.bootargs, "quiet");
  assertEquals(findNode(tree, "/chosen")!.props.bootargs, undefined);
  const t3 = withProps(tree, "/new/deep", { x: [1] });
  assertEquals(propCells(findNode(t3, "/new/deep")!, "x"), [1]);
});
