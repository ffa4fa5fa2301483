/**
 * Comparing two console transcripts and describing the first difference in
 * a way a person can act on.
 *
 * @module
 */

/** Where two outputs first differ, or `null` if they are identical. */
export interface OutputDifference {
  /** 1-based line number of the first differing line. */
  readonly line: number;
  /** That line in the reference (QEMU) output, or `<end of output>`. */
  readonly expected: string;
  /** That line in the gunyah-ts output, or `<end of output>`. */
  readonly actual: string;
}

const END = "<end of output>";

/** Find the first line where `actual` departs from `expected`. */
export function firstDifference(expected: string, actual: string): OutputDifference | null {
  if (expected === actual) return null;
  const e = expected.split("\n"), a = actual.split("\n");
  const n = Math.max(e.length, a.length);
  for (let i = 0; i < n; i++) {
    if (e[i] !== a[i]) return { line: i + 1, expected: e[i] ?? END, actual: a[i] ?? END };
  }
  return { line: n, expected: END, actual: END };
}

/** A one-paragraph report of a difference, with printable escapes for control bytes. */
export function describeDifference(d: OutputDifference): string {
  const show = (s: string) => JSON.stringify(s).slice(0, 300);
  return `line ${d.line}:\n  qemu:      ${show(d.expected)}\n  gunyah-ts: ${show(d.actual)}`;
}
