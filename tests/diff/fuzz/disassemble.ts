/**
 * Disassembling instruction words with the cross binutils, for reports of
 * failing fuzz sequences.
 *
 * @module
 */
import { join } from "node:path";
import { CROSS_GCC, CROSS_OBJDUMP, runTool } from "../../guests/toolchain.ts";

/** One line per word: "<offset>: <hex word>  <mnemonic and operands>". */
export async function disassemble(words: readonly number[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "gunyah-fuzz-dis-" });
  try {
    const src = join(dir, "seq.S"), obj = join(dir, "seq.o");
    const body = words.map((w) => `\t.inst\t0x${w.toString(16).padStart(8, "0")}\n`).join("");
    await Deno.writeTextFile(src, `\t.text\n${body}`);
    await runTool(CROSS_GCC, ["-c", "-o", obj, src]);
    const out = await runTool(CROSS_OBJDUMP, ["-d", "--no-show-raw-insn", obj]);
    const lines = out.split("\n").filter((l) => /^\s+[0-9a-f]+:/.test(l));
    return lines.map((l, i) => {
      const text = l.replace(/^\s+[0-9a-f]+:\s*/, "").trim();
      return `  ${(i * 4).toString(16).padStart(4, "0")}: ${
        words[i].toString(16).padStart(8, "0")
      }  ${text}`;
    }).join("\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
