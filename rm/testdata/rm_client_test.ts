/**
 * A real AArch64 guest talks to the RM: rm_client.c (built here with the
 * cross compiler; skipped when it is missing) finds the RM RPC node in the
 * devicetree the system gave it, and makes native msgqueue hypercalls.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { GunyahSystem } from "@gunyah-ts/system";
import { buildFlatGuest } from "./guest_build.ts";

const HERE = new URL(".", import.meta.url).pathname;

const guest = await buildFlatGuest("rm_client", [`${HERE}start.S`, `${HERE}rm_client.c`]);

Deno.test({
  name: "an AArch64 guest finds the RM in its devicetree and talks to it over msgqueue hypercalls",
  ignore: guest === null,
  async fn() {
    const sys = await GunyahSystem.create({ ramBytes: 32 << 20 });
    const vm = sys.launch({
      name: "primary",
      memory: 32 << 20,
      vcpus: 1,
      kernel: guest!,
      bootargs: "",
    });
    let out = "";
    vm.console.onOutput((b) => (out += new TextDecoder().decode(b)));
    const running = sys.hv.run({ untilIdle: true });
    const end = await vm.ended;
    sys.hv.stop();
    await running;
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
