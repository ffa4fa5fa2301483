import { assertEquals, assertRejects } from "@gunyah-ts/tests/assert";
import { consoleQuads, missingReferenceTools, runReferenceGuest } from "./test_qemu.ts";
import { guestProgram, quadLines } from "./test_qemu_guest.ts";

Deno.test("consoleQuads keeps only lines of exactly 16 lowercase hex digits, in order", () => {
  const out = [
    "qemu-system-aarch64: warning: something",
    "0123456789abcdef",
    "ffffffffffffffff\r",
    "0123456789ABCDEF", // upper case: not ours
    "0123456789abcde", // 15 digits
    " 0000000000000001",
    "0000000000000000",
    "",
  ].join("\n");
  assertEquals(consoleQuads(out), [0x0123456789abcdefn, 0xffffffffffffffffn, 0n]);
  assertEquals(consoleQuads(""), []);
});

Deno.test({
  name: "runReferenceGuest runs a guest under QEMU and returns the values it printed",
  ignore: missingReferenceTools() !== null,
  async fn() {
    // The body adds each input pair and stores the sum: the printed values
    // come from QEMU executing the code, not from the source text.
    const inputs = [1n, 2n, 0xffffffffffffffffn, 5n, 0x123456789n, 0x876543210n];
    const body: string[] = [];
    for (let i = 0; i < 3; i++) {
      body.push("  ldp x0, x1, [x20], #16", "  add x2, x0, x1", "  str x2, [x21], #8");
    }
    const quads = await runReferenceGuest(
      guestProgram({ body, inputs: quadLines(inputs), outputQuads: 3 }),
      { timeoutSeconds: 30 },
    );
    assertEquals(quads, [3n, 4n, 0x999999999n]);
  },
});

Deno.test({
  name: "runReferenceGuest reports assembler errors and guests that never power off",
  ignore: missingReferenceTools() !== null,
  async fn() {
    await assertRejects(
      () => runReferenceGuest(".global _start\n_start:\n  frobnicate x0\n", { timeoutSeconds: 5 }),
      Error,
      "aarch64-linux-gnu-as failed",
    );
    await assertRejects(
      () => runReferenceGuest(".global _start\n_start:\n  b .\n", { timeoutSeconds: 1 }),
      Error,
      "did not power off within 1 s",
    );
  },
});

Deno.test("missingReferenceTools names every missing tool and its Debian package", async () => {
  // A child Deno with an empty PATH finds none of the tools.
  const code = `import { missingReferenceTools } from ${
    JSON.stringify(new URL("./test_qemu.ts", import.meta.url).href)
  }; console.log(JSON.stringify(missingReferenceTools()));`;
  const out = await new Deno.Command(Deno.execPath(), {
    // The workspace's config, so that test_qemu.ts's package imports resolve.
    args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, code],
    clearEnv: true,
    env: { PATH: "/nonexistent", HOME: Deno.env.get("HOME") ?? "/tmp" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.success, true, stderr);
  const message = JSON.parse(new TextDecoder().decode(out.stdout));
  assertEquals(
    message,
    "QEMU reference tests need qemu-system-aarch64 (Debian qemu-system-arm), " +
      "aarch64-linux-gnu-as (Debian binutils-aarch64-linux-gnu), " +
      "aarch64-linux-gnu-ld (Debian binutils-aarch64-linux-gnu); " +
      "install with apt-get or tools/setup.sh",
  );
  // It is also said once on stderr, so a skipped run shows why.
  assertEquals(stderr.includes(`skipping: ${message}`), true, stderr);
});
