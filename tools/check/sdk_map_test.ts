import { assertEquals } from "@gunyah-ts/tests/assert";
import { SDK_IMPORT_MAP, sdkImportMap } from "./sdk_map.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("sdk map: the checked-in import map matches every member's declared exports", () => {
  assertEquals(Deno.readTextFileSync(`${ROOT}/${SDK_IMPORT_MAP}`), sdkImportMap(ROOT));
});

Deno.test("sdk map: names the plugin SDK's entry points with paths relative to the map", () => {
  const { imports } = JSON.parse(sdkImportMap(ROOT));
  assertEquals(imports["@gunyah-ts/core/plugin"], "../core/plugin/mod.ts");
  assertEquals(imports["@gunyah-ts/virtio-mmio"], "./virtio-mmio/mod.ts");
  assertEquals(imports["@gunyah-ts/tests/assert"], "../tests/assert.ts");
});
