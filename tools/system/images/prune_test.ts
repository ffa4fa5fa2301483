import { assertEquals } from "@gunyah-ts/tests/assert";
import { pruneInitramfs } from "./images.ts";

Deno.test("pruneInitramfs keeps the most recently used variants and anything used within the hour", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const hour = 60 * 60_000;
    const now = Date.now();
    // Five variants used 5, 4, 3, 2 hours and 10 minutes ago, a stale .tmp, and files that are no variant.
    const ages = [5 * hour, 4 * hour, 3 * hour, 2 * hour, 10 * 60_000];
    for (const [i, age] of ages.entries()) {
      const f = `${dir}/initramfs-000${i}.cpio.gz`;
      await Deno.writeFile(f, new Uint8Array(1));
      await Deno.utime(f, new Date(now - age), new Date(now - age));
    }
    await Deno.writeFile(`${dir}/initramfs-00ff.cpio.gz.tmp`, new Uint8Array(1));
    await Deno.utime(
      `${dir}/initramfs-00ff.cpio.gz.tmp`,
      new Date(now - 2 * hour),
      new Date(now - 2 * hour),
    );
    await Deno.writeFile(`${dir}/Image`, new Uint8Array(1));
    await Deno.utime(`${dir}/Image`, new Date(now - 9 * hour), new Date(now - 9 * hour));

    // Keep 2: the 10-minute one and the 2-hour one; the rest is older than the hour, so it goes.
    const removed = await pruneInitramfs(dir, 2);
    assertEquals(removed.sort(), [
      "initramfs-0000.cpio.gz",
      "initramfs-0001.cpio.gz",
      "initramfs-0002.cpio.gz",
      "initramfs-00ff.cpio.gz.tmp",
    ]);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(left, ["Image", "initramfs-0003.cpio.gz", "initramfs-0004.cpio.gz"]);

    // Keep 0: only what was used within the hour stays.
    assertEquals(await pruneInitramfs(dir, 0), ["initramfs-0003.cpio.gz"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
