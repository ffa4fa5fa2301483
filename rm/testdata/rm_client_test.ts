/**
 * A real AArch64 guest talks to the RM: rm_client.c (built here with the
 * cross compiler; skipped when it is missing) finds the RM RPC node in the
 * devicetree the system gave it, and makes native msgqueue hypercalls.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { buildFlatGuest, runAsPrimary } from "./guest_build.ts";

const HERE = new URL(".", import.meta.url).pathname;

const guest = await buildFlatGuest("rm_client", [`${HERE}start.S`, `${HERE}rm_client.c`]);

Deno.test({
  name: "an AArch64 guest finds the RM in its devicetree and talks to it over msgqueue hypercalls",
  ignore: guest === null,
  async fn() {
    const { out, end } = await runAsPrimary(guest!);
    assertEquals(end, { kind: "system_off" });
    const hex = (n: number) => `0x${n.toString(16).padStart(16, "0")}`;
    assertEquals(
      out,
      `rm-client: VM_GET_VMID err=${hex(0)} vmid=${hex(3)}\n` +
        `rm-client: VM_GET_HYP_RESOURCES err=${hex(0)} entries=${hex(2)} first-cap-is-tx=y\n` +
        `rm-client: unknown msg err=${hex(0xffffffff)}\n`,
    );
  },
});
