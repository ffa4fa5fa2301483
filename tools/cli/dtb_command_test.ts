import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { decodeFdt, findNode } from "@gunyah-ts/platform-qemu-virt";
import { dtbCommand } from "./dtb_command.ts";

Deno.test("gunyah dtb -o writes the devicetree a VM boots with: cpus, chosen, /hypervisor", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/vm.dtb`;
  assertEquals(
    await dtbCommand.run(["-o", out, "--vcpus", "3", "--append", "console=ttyAMA0 quiet"]),
    0,
  );
  const fdt = decodeFdt(await Deno.readFile(out));
  assert(findNode(fdt.root, "/cpus/cpu@2"), "three cpu nodes");
  assert(!findNode(fdt.root, "/cpus/cpu@3"));
  const chosen = findNode(fdt.root, "/chosen");
  assertEquals(chosen?.props["bootargs"], "console=ttyAMA0 quiet");
  assert(findNode(fdt.root, "/hypervisor"), "the RM's /hypervisor node");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("gunyah dtb refuses bad options with status 2", async () => {
  assertEquals(await dtbCommand.run(["--vcpus", "0"]), 2);
  assertEquals(await dtbCommand.run(["--bogus"]), 2);
});
