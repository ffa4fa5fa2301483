/**
 * Destroying a VM closes its device plugins (issue 12): a process-isolated
 * plugin's process is gone, a Worker-isolated plugin is closed, and the disk
 * images they held are unlocked (a new writer gets them).
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { type ProcessDevice } from "@gunyah-ts/plugin-host";
import { GunyahSystem } from "./system.ts";

const MiB = 1 << 20;
/** A flat guest parked in a WFI loop. */
const WFI_LOOP = new Uint8Array(Uint32Array.of(0xd503207f, 0x17ffffff).buffer);

function alive(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1][0] !== "Z";
  } catch {
    return false;
  }
}

/** Whether this process can take `path`'s exclusive lock now (nobody else holds it). */
function lockable(path: string): boolean {
  const f = Deno.openSync(path, { read: true, write: true });
  try {
    const got = f.tryLockSync(true);
    if (got) f.unlockSync();
    return got;
  } finally {
    f.close();
  }
}

Deno.test("destroying a VM closes its plugins: the process is killed, the Worker closed, the images unlocked", async () => {
  const dir = await Deno.makeTempDir();
  const [imgP, imgW] = [`${dir}/process.img`, `${dir}/worker.img`];
  await Deno.writeFile(imgP, new Uint8Array(64 * 1024));
  await Deno.writeFile(imgW, new Uint8Array(64 * 1024));
  const sys = await GunyahSystem.create({ ramBytes: 48 * MiB });
  try {
    sys.launch({ name: "primary", memory: 16 * MiB, vcpus: 1, kernel: WFI_LOOP, bootargs: "" });
    const rw = (path: string) => ({ read: [path], write: [path] });
    const plugins = await sys.prepareDevices(
      [
        {
          plugin: "builtin:virtio-blk",
          isolate: "process",
          permissions: rw(imgP),
          options: { path: imgP },
        },
        {
          plugin: "builtin:virtio-blk",
          isolate: true,
          permissions: rw(imgW),
          options: { path: imgW },
        },
      ],
      dir,
    );
    const vm = sys.launch(
      {
        name: "guest",
        memory: 16 * MiB,
        vcpus: 1,
        kernel: WFI_LOOP,
        bootargs: "",
        devicePlugins: plugins,
      },
      { start: false },
    );
    const [processBlk, workerBlk] = plugins.devices as [ProcessDevice, { dead: string }];
    assert(vm.devices.includes(processBlk));
    assert(alive(processBlk.pid), "the process-isolated plugin runs");
    assert(!lockable(imgP) && !lockable(imgW), "both images are locked by their plugins");

    await sys.resetVm(vm.vmid);
    await sys.destroyVm(vm.vmid);
    assertEquals(sys.rm.find(vm.vmid), null);
    assert(!alive(processBlk.pid), `process ${processBlk.pid} outlived its VM`);
    assertEquals(processBlk.dead, "closed");
    assertEquals(workerBlk.dead, "closed");
    assert(lockable(imgP), "the process plugin's image is unlocked");
    assert(lockable(imgW), "the Worker plugin's image is unlocked");
  } finally {
    await sys.close();
    await Deno.remove(dir, { recursive: true });
  }
});
