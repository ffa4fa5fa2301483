/**
 * The random-instruction differential fuzzer: generates seeded, reproducible
 * sequences over the implemented instruction classes, runs them in batches
 * (many sequences per boot) under QEMU and under gunyah-ts, compares every
 * sequence's final state (all X registers, NZCV, a hash of the scratch
 * memory, and FPSR + V0..V7 when FP classes are included), and on a mismatch
 * shrinks the sequence to a minimal failing one and disassembles it.
 *
 * CLI: `deno run --allow-all tests/diff/fuzz/fuzz.ts [--seed N] [--instructions N] [--no-fp] [--full]`
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildGuest } from "../../guests/build.ts";
import { BUILD_DIR, DEFAULT_QEMU_CPU } from "../../guests/catalogue.ts";
import { runGunyah } from "../gunyah.ts";
import { runQemu } from "../qemu.ts";
import { disassemble } from "./disassemble.ts";
import {
  CLASSES,
  generateSequence,
  type Group,
  type InstructionClass,
  link,
  type Sequence,
} from "./generator.ts";
import { Prng } from "./prng.ts";
import { guestSource, seedBlock } from "./template.ts";

/** Where generated fuzz guests and their outputs go (inside the gitignored build directory). */
export const FUZZ_BUILD_DIR: string = join(BUILD_DIR, "fuzz");
const SUPPORT_C: string = fileURLToPath(new URL("./guest/fuzz_support.c", import.meta.url));

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** PRNG seed: the same seed generates the same sequences. */
  readonly seed: number;
  /** Keep generating batches until at least this many instructions were compared. */
  readonly instructions: number;
  /** Include the scalar FP classes (V0..V7, FPCR modes, FPSR compared). Default true. */
  readonly fp?: boolean;
  /** Instruction groups per sequence (default 80). */
  readonly groupsPerSequence?: number;
  /** Sequences per guest boot (default 1500). */
  readonly sequencesPerBatch?: number;
  /** Restrict to these class names. */
  readonly classes?: readonly string[];
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** How many mismatches to shrink and report in detail (default 3). */
  readonly reportLimit?: number;
  /**
   * Print every register of every sequence (default: a 64-bit digest of the
   * same state per sequence; mismatches are always re-run in full).
   */
  readonly fullReports?: boolean;
}

/** Outcome of a fuzz run. */
export interface FuzzResult {
  readonly sequences: number;
  /** Instructions compared (those no branch could skip: a lower bound of what ran). */
  readonly instructions: number;
  readonly mismatches: number;
  /** Detailed reports of the first mismatches (minimal sequence, disassembly, differing fields). */
  readonly reports: readonly string[];
  /** The summary line: "fuzz: S sequences, I instructions compared, M mismatches". */
  readonly summary: string;
}

interface BatchRun {
  readonly qemu: string[];
  readonly gunyah: string[];
  readonly gunyahNote: string;
}

async function runBatch(
  name: string,
  sequences: readonly Sequence[],
  seeds: readonly (readonly bigint[])[],
  fp: boolean,
  full: boolean,
): Promise<BatchRun> {
  Deno.mkdirSync(FUZZ_BUILD_DIR, { recursive: true });
  const src = join(FUZZ_BUILD_DIR, `${name}.S`);
  Deno.writeTextFileSync(src, guestSource(sequences, seeds, fp, full));
  const built = await buildGuest(
    { name, sources: [src, SUPPORT_C], fp, qemuCpu: DEFAULT_QEMU_CPU },
    FUZZ_BUILD_DIR,
  );
  const qemuPromise = runQemu(built.elf, { timeoutMs: 300_000 });
  const g = await runGunyah(built.elf, { maxInstructions: 4e9 });
  const q = await qemuPromise;
  if (!q.exited) throw new Error(`QEMU did not finish fuzz batch ${name} (timeout)`);
  const qemu = q.output.split("\n");
  if (qemu.length < sequences.length + 1 || qemu[sequences.length] !== "[guest done]") {
    throw new Error(
      `the QEMU run of fuzz batch ${name} printed ${
        qemu.length - 1
      } lines for ${sequences.length} sequences (generator bug?)`,
    );
  }
  const note = g.reason === "system-off" ? "" : `gunyah-ts stopped: ${g.reason} ${g.message}`;
  Deno.writeTextFileSync(join(FUZZ_BUILD_DIR, `${name}.qemu.out`), q.output);
  Deno.writeTextFileSync(join(FUZZ_BUILD_DIR, `${name}.gunyah.out`), g.output);
  return { qemu, gunyah: g.output.split("\n"), gunyahNote: note };
}

const FIELD_NAMES = [
  "index",
  ...Array.from({ length: 31 }, (_, i) => `x${i}`),
  "nzcv",
  "memory-hash",
  "fpsr",
  ...Array.from({ length: 8 }, (_, i) => `v${i}`),
];

/** Name the fields that differ between two report lines. */
export function differingFields(expected: string, actual: string): string[] {
  const e = expected.split(" "), a = actual.split(" ");
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      out.push(`${FIELD_NAMES[i] ?? `field${i}`}: qemu ${e[i] ?? "-"} gunyah-ts ${a[i] ?? "-"}`);
    }
  }
  return out;
}

/** Which of the candidate sequences still mismatch (one boot for all of them). */
async function stillFailing(
  tag: string,
  candidates: readonly Group[][],
  seed: readonly bigint[],
  fp: boolean,
): Promise<boolean[]> {
  const seqs = candidates.map((g) => link(g.map((x) => ({ ...x, words: [...x.words] }))));
  const seeds = candidates.map((_, i) => {
    const s = [...seed];
    s[28] = BigInt(i);
    return s;
  });
  const run = await runBatch(tag, seqs, seeds, fp, false);
  return candidates.map((_, i) => run.qemu[i] !== run.gunyah[i]);
}

/** Shrink a failing sequence: shortest failing prefix, then greedy removal of single groups. */
async function shrink(
  tag: string,
  groups: readonly Group[],
  seed: readonly bigint[],
  fp: boolean,
): Promise<Group[]> {
  const prefixes = groups.map((_, k) => groups.slice(0, k + 1));
  const fails = await stillFailing(`${tag}_prefix`, prefixes, seed, fp);
  const k = fails.indexOf(true);
  let current = k >= 0 ? [...prefixes[k]] : [...groups];
  for (let round = 0; round < 4 && current.length > 1; round++) {
    const variants = current.slice(0, -1).map((_, j) => current.filter((_, i) => i !== j));
    const vf = await stillFailing(`${tag}_drop${round}`, variants, seed, fp);
    const j = vf.indexOf(true);
    if (j < 0) break;
    current = variants[j];
  }
  return current;
}

/** Run the fuzzer. Throws only for infrastructure problems (missing tools, a QEMU timeout). */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const fp = opts.fp ?? true;
  const log = opts.log ?? (() => {});
  const groupsPer = opts.groupsPerSequence ?? 80;
  const perBatch = opts.sequencesPerBatch ?? 1500;
  const classes: InstructionClass[] = CLASSES.filter((c) =>
    (fp || !c.fp) && (!opts.classes || opts.classes.includes(c.name))
  );
  if (!classes.length) {
    throw new Error(
      `no instruction classes selected (known: ${CLASSES.map((c) => c.name).join(", ")})`,
    );
  }
  const prng = new Prng(opts.seed);
  let sequences = 0, instructions = 0, mismatches = 0, batch = 0;
  const reports: string[] = [];
  const reportLimit = opts.reportLimit ?? 3;
  while (instructions < opts.instructions) {
    const seqs: Sequence[] = [], seeds: bigint[][] = [];
    let batchInstructions = 0;
    for (let i = 0; i < perBatch && instructions + batchInstructions < opts.instructions; i++) {
      const s = generateSequence(prng, classes, groupsPer);
      seqs.push(s);
      seeds.push(seedBlock(prng, sequences + i, fp));
      batchInstructions += s.executedAtLeast;
    }
    const name = `fuzz_s${opts.seed}_${fp ? "fp" : "int"}_g${groupsPer}_b${batch}`;
    const run = await runBatch(name, seqs, seeds, fp, opts.fullReports ?? false);
    let batchMismatches = 0;
    for (let i = 0; i < seqs.length; i++) {
      if (run.qemu[i] === run.gunyah[i]) continue;
      batchMismatches++;
      if (reports.length < reportLimit) {
        const minimal = await shrink(`${name}_m${i}`, seqs[i].groups, seeds[i], fp);
        const linked = link(minimal.map((g) => ({ ...g, words: [...g.words] })));
        const original = await runBatch(`${name}_m${i}_full`, [seqs[i]], [seeds[i]], fp, true);
        const recheck = await runBatch(`${name}_m${i}_final`, [linked], [seeds[i]], fp, true);
        reports.push(
          `sequence ${sequences + i} (seed ${opts.seed}, batch ${batch}) differs${
            run.gunyahNote ? ` (${run.gunyahNote})` : ""
          }:\n  ${differingFields(original.qemu[0], original.gunyah[0]).join("\n  ")}\n` +
            `minimal failing sequence (${linked.words.length} instructions; initial X0..X25 from the seed block):\n` +
            `${await disassemble(linked.words)}\n  after it:\n  ${
              differingFields(recheck.qemu[0], recheck.gunyah[0]).join("\n  ")
            }`,
        );
      }
    }
    mismatches += batchMismatches;
    sequences += seqs.length;
    instructions += batchInstructions;
    log(
      `[fuzz] batch ${batch}: ${seqs.length} sequences, ${batchInstructions} instructions, ${batchMismatches} mismatches${
        run.gunyahNote ? ` (${run.gunyahNote})` : ""
      }`,
    );
    batch++;
  }
  const summary =
    `fuzz: ${sequences} sequences, ${instructions} instructions compared, ${mismatches} mismatches`;
  return { sequences, instructions, mismatches, reports, summary };
}

function argValue(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`${flag} needs a number`);
  return v;
}

if (import.meta.main) {
  const args = Deno.args;
  const result = await runFuzz({
    seed: argValue(args, "--seed", 1),
    instructions: argValue(args, "--instructions", 1_000_000),
    fp: !args.includes("--no-fp"),
    fullReports: args.includes("--full"),
    log: (l) => console.error(l),
  });
  for (const r of result.reports) console.log(r);
  console.log(result.summary);
  Deno.exit(result.mismatches ? 1 : 0);
}
