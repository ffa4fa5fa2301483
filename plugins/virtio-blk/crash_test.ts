/**
 * Crash consistency (issue 12 §7): a process writing through virtio-blk is
 * killed with SIGKILL in the middle of its writes; every sector a completed
 * FLUSH covered must then be in the image. (SIGKILL loses the process, not
 * the host's page cache: what this shows is that FLUSH is only reported
 * after the data went to the file and fdatasync returned, never before;
 * power loss is the kernel's part of the promise.)
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { sectorPattern } from "./testdata/crash_writer.ts";

const WRITER = new URL("./testdata/crash_writer.ts", import.meta.url).pathname;

Deno.test("virtio-blk: kill -9 during writes loses nothing a completed FLUSH promised", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.writeFile(path, new Uint8Array(4096 * 512));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", WRITER, path],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let promised = 0;
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (promised < 400) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const l of lines) {
        const m = /^flushed (\d+)$/.exec(l);
        if (m) promised = Number(m[1]);
      }
    }
    child.kill("SIGKILL");
    const status = await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    assertEquals(status.signal, "SIGKILL");
    assert(promised >= 400, `the writer reported ${promised} flushed sectors`);
    const image = await Deno.readFile(path);
    for (let n = 0; n < promised; n++) {
      const got = image.subarray(n * 512, (n + 1) * 512);
      assertEquals(got, sectorPattern(n), `sector ${n} was covered by a completed FLUSH`);
    }
  } finally {
    await Deno.remove(path);
  }
});
