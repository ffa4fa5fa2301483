import { assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { serveDashboard } from "@gunyah-ts/dashboard";
import { GunyahSystem } from "@gunyah-ts/system";
import { connectRemoteConsole } from "./remote_console.ts";

/** Prints "K\n" on the PL011 (QEMU virt UART0 at 0x0900_0000), then waits in WFI. */
const PRINT_K = new Uint8Array(
  Uint32Array.of(
    0xd2a12001, // movz x1, #0x0900, lsl #16
    0x52800962, // movz w2, #'K'
    0x39000022, // strb w2, [x1]
    0x52800142, // movz w2, #'\n'
    0x39000022, // strb w2, [x1]
    0xd503207f, // wfi
    0x17ffffff, // b .-4
  ).buffer,
);

Deno.test({
  name: "gunyah vm console's stream: history, keystrokes to the guest, the VM's end ends it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sys = await GunyahSystem.create({ ramBytes: 64 << 20 });
    const vm = sys.launch({
      name: "primary",
      memory: 16 << 20,
      vcpus: 1,
      kernel: PRINT_K,
      bootargs: "",
    });
    const dash = await serveDashboard(sys, "127.0.0.1:0");
    const running = sys.hv.run();
    try {
      await assertRejects(() => connectRemoteConsole(dash.url, "0".repeat(32), vm.vmid));
      const remote = await connectRemoteConsole(dash.url, dash.dashboard.token, vm.vmid);
      assertEquals([remote.hello.name, remote.hello.offset], ["primary", 0]);
      let out = "";
      remote.console.onOutput((b) => (out += new TextDecoder().decode(b)));
      const deadline = Date.now() + 10_000;
      while (out !== "K\n" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assertEquals(out, "K\n");
      remote.console.input(new TextEncoder().encode("\x03")); // reaches the PL011 (no error)
      await dash.dashboard.control.stop(vm.vmid, { confirm: true });
      assertEquals(await remote.ended, "stopped");
      remote.close();
    } finally {
      await dash.close();
      sys.hv.stop();
      await running;
    }
  },
});
