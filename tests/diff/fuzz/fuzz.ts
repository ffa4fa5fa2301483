/**
 * The random-instruction differential fuzzer: generates seeded, reproducible
 * sequences over the implemented instruction classes, runs them in batches
 * (many sequences per boot) under QEMU and under gunyah-ts, compares every
 * sequence's final state (all X registers, NZCV, a hash of the scratch
 * memory, and FPSR + V0..V7 when FP classes are included), and on a mismatch
 * shrinks the sequence to a minimal failing one and disassembles it.
 *
 * CLI: `deno run --allow-all tests/diff/fuzz/fuzz.ts [--seed N] [--instructions N] [--no-fp] [--full] [--classes a,b,...]`
 *
 * @module
 */
import { type BatchRunner, qemuVsGunyah } from "./batch_runner.ts";
import { disassemble } from "./disassemble.ts";
import { CLASSES } from "./classes.ts";
import {
  generateSequence,
  type Group,
  type InstructionClass,
  link,
  type Sequence,
} from "./generator.ts";
import { Prng } from "./prng.ts";
import { seedBlock } from "./template.ts";

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
  /** Restrict to these classes (names of built-in classes, or class objects). */
  readonly classes?: readonly (string | InstructionClass)[];
  /** Runs a batch on both machines (default: QEMU vs gunyah-ts); tests inject fakes. */
  readonly runner?: BatchRunner;
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
  /** Sequences generated and compared. */
  readonly sequences: number;
  /** Instructions compared (those no branch could skip: a lower bound of what ran). */
  readonly instructions: number;
  /** Sequences whose final state differed. */
  readonly mismatches: number;
  /** Detailed reports of the first mismatches (minimal sequence, disassembly, differing fields). */
  readonly reports: readonly string[];
  /** The summary line: "fuzz: S sequences, I instructions compared, M mismatches". */
  readonly summary: string;
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
  runBatch: BatchRunner,
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

/**
 * Shrink a failing sequence: the shortest failing prefix, then rounds of
 * single-group removal (one boot tests every removal of a round); when
 * several groups can go, removing all of them at once is tried first.
 */
async function shrink(
  runBatch: BatchRunner,
  tag: string,
  groups: readonly Group[],
  seed: readonly bigint[],
  fp: boolean,
): Promise<Group[]> {
  const prefixes = groups.map((_, k) => groups.slice(0, k + 1));
  const fails = await stillFailing(runBatch, `${tag}_prefix`, prefixes, seed, fp);
  const k = fails.indexOf(true);
  let current = k >= 0 ? [...prefixes[k]] : [...groups];
  for (let round = 0; round < 8 && current.length > 1; round++) {
    const variants = current.map((_, j) => current.filter((_, i) => i !== j));
    const vf = await stillFailing(runBatch, `${tag}_drop${round}`, variants, seed, fp);
    const removable = vf.flatMap((f, j) => f ? [j] : []);
    if (!removable.length) break;
    if (removable.length > 1) {
      const all = current.filter((_, i) => !removable.includes(i));
      const [allFails] = all.length
        ? await stillFailing(runBatch, `${tag}_dropall${round}`, [all], seed, fp)
        : [false];
      if (allFails) {
        current = all;
        continue;
      }
    }
    current = variants[removable[0]];
  }
  return current;
}

/** Run the fuzzer. Throws only for infrastructure problems (missing tools, a QEMU timeout). */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const fp = opts.fp ?? true;
  const log = opts.log ?? (() => {});
  const groupsPer = opts.groupsPerSequence ?? 80;
  const perBatch = opts.sequencesPerBatch ?? 1500;
  const runBatch = opts.runner ?? qemuVsGunyah;
  const selected = opts.classes
    ? opts.classes.map((c) => {
      if (typeof c !== "string") return c;
      const found = CLASSES.find((k) => k.name === c);
      if (!found) {
        throw new Error(
          `unknown instruction class "${c}" (known: ${CLASSES.map((k) => k.name).join(", ")})`,
        );
      }
      return found;
    })
    : CLASSES;
  const classes: InstructionClass[] = selected.filter((c) => fp || !c.fp);
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
    if (run.qemu[seqs.length] !== "[guest done]") {
      throw new Error(
        `the QEMU reference of fuzz batch ${name} did not print one line per sequence ` +
          `(a generated instruction trapped? generator bug):\n${run.qemu.slice(-3).join("\n")}`,
      );
    }
    let batchMismatches = 0;
    for (let i = 0; i < seqs.length; i++) {
      if (run.qemu[i] === run.gunyah[i]) continue;
      batchMismatches++;
      if (reports.length < reportLimit) {
        const minimal = await shrink(runBatch, `${name}_m${i}`, seqs[i].groups, seeds[i], fp);
        const linked = link(minimal.map((g) => ({ ...g, words: [...g.words] })));
        const original = await runBatch(`${name}_m${i}_full`, [seqs[i]], [seeds[i]], fp, true);
        const recheck = await runBatch(`${name}_m${i}_final`, [linked], [seeds[i]], fp, true);
        reports.push(
          `sequence ${sequences + i} (seed ${opts.seed}, batch ${batch}) differs${
            run.gunyahNote ? ` (${run.gunyahNote})` : ""
          }:\n  ${differingFields(original.qemu[0], original.gunyah[0]).join("\n  ")}\n` +
            `minimal failing sequence (${linked.words.length} instructions; initial X0..X25 from the seed block):\n` +
            `${await disassembleOrHex(linked.words)}\n  after it:\n  ${
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

async function disassembleOrHex(words: readonly number[]): Promise<string> {
  try {
    return await disassemble(words);
  } catch {
    return words.map((w, i) =>
      `  ${(i * 4).toString(16).padStart(4, "0")}: ${w.toString(16).padStart(8, "0")}`
    )
      .join("\n");
  }
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
  if (args.includes("--help") || args.includes("-h")) {
    console.log(
      `deno task fuzz:cpu [--seed N] [--instructions N] [--no-fp] [--full] [--classes a,b,...]
Random instruction sequences run under QEMU and under gunyah-ts, final states compared; a mismatch
is shrunk to a minimal sequence and disassembled. Defaults: seed 1, 1000000 instructions, FP on.
Classes: ${CLASSES.map((c) => c.name).join(", ")}
Exit status: 0 no mismatch, 1 a mismatch (reports printed).`,
    );
    Deno.exit(0);
  }
  const result = await runFuzz({
    seed: argValue(args, "--seed", 1),
    instructions: argValue(args, "--instructions", 1_000_000),
    fp: !args.includes("--no-fp"),
    fullReports: args.includes("--full"),
    classes: args.includes("--classes")
      ? args[args.indexOf("--classes") + 1].split(",")
      : undefined,
    log: (l) => console.error(l),
  });
  for (const r of result.reports) console.log(r);
  console.log(result.summary);
  Deno.exit(result.mismatches ? 1 : 0);
}
