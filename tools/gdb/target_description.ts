/**
 * The register layout a GDB target description names (GDB manual, "Target
 * Descriptions" → "Target Description Format"): every `<reg>` element with
 * its `name` and `bitsize`, numbered in document order from 0 unless a
 * `regnum` attribute sets the number (later registers continue from it).
 * The `g` / `G` packets carry the registers in that numbering, each as its
 * bytes little-endian. Only self-contained descriptions are read
 * (`xi:include` is refused with a clear error).
 *
 * @module
 */

/** One register of a target description. */
export interface TargetRegister {
  /** GDB register number. */
  readonly number: number;
  /** Its name (`x0`, `pc`, `v31`, `fpcr`, ...). */
  readonly name: string;
  /** Bytes in a `g` packet (bitsize / 8). */
  readonly bytes: number;
}

/** A malformed or unsupported target description. */
export class TargetDescriptionError extends Error {
  /** Error name. */
  override readonly name = "TargetDescriptionError";
}

/** The registers of `xml`, sorted by number. */
export function parseTargetRegisters(xml: string): TargetRegister[] {
  if (/<xi:include\b/.test(xml)) {
    throw new TargetDescriptionError(
      "the target description includes other files (xi:include); the stub serves one document",
    );
  }
  const regs: TargetRegister[] = [];
  let next = 0;
  for (const m of xml.matchAll(/<reg\b([^>]*)>/g)) {
    const attrs = new Map<string, string>();
    for (const a of m[1].matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) attrs.set(a[1], a[2]);
    const name = attrs.get("name");
    const bitsize = Number(attrs.get("bitsize"));
    if (!name || !Number.isInteger(bitsize) || bitsize <= 0 || bitsize % 8 !== 0) {
      throw new TargetDescriptionError(
        `register element without name or whole-byte bitsize: ${m[0]}`,
      );
    }
    const regnum = attrs.get("regnum");
    const number = regnum === undefined ? next : Number(regnum);
    if (!Number.isInteger(number) || number < 0) {
      throw new TargetDescriptionError(`bad regnum in ${m[0]}`);
    }
    regs.push({ number, name, bytes: bitsize / 8 });
    next = number + 1;
  }
  regs.sort((a, b) => a.number - b.number);
  for (let i = 1; i < regs.length; i++) {
    if (regs[i].number === regs[i - 1].number) {
      throw new TargetDescriptionError(`register number ${regs[i].number} appears twice`);
    }
  }
  return regs;
}
