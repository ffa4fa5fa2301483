/**
 * RM isolation (issue 10): outside `rm/`, nothing calls the resource
 * manager's methods — tools control VMs as RM *clients* over RPC (the host
 * VMM's channel, `tools/system/host_vmm.ts`). What remains allowed is named
 * here, each member with the files that may use it:
 *
 * - the read model (`vms`, `find`, `vm`, `memoryParcels`, `ownedMemory`,
 *   `bootFailure`, `rpcFaults`: read-only), anywhere;
 * - the composition root (`tools/system/system.ts`): constructing the RM (with
 *   the primary's boot description: the RM builds and starts the HLOS itself,
 *   as the Gunyah RM does from its boot configuration), handing it to the
 *   hypervisor as a component (`addComponent(…)`), and the host VMM's channel
 *   (`attachClient`). Every other VM is built by the host VMM over RPC.
 *
 * Outside `rm/` the RM is reached only through the system's `rm` property,
 * so it is recognised by that name: a property access `… .rm` (`sys.rm`,
 * `this.rm`, `system?.rm`, the system's private `this.#rm`) in code (strings and comments are blanked
 * first), and `new ResourceManager`. Any other use of an `.rm` value
 * (aliasing it, passing it on) is a violation too, so the check cannot be
 * sidestepped by renaming. (A bare identifier `rm` is not the RM outside
 * `rm/`: the A64 decoder's register field, the layering rules' layer name.)
 *
 * @module
 */

/** Where each allowed ResourceManager member may be used outside `rm/` ("*" = anywhere). */
export const RM_ALLOWED_MEMBERS: ReadonlyMap<string, readonly string[] | "*"> = new Map<
  string,
  readonly string[] | "*"
>([
  ["vms", "*"],
  ["find", "*"],
  ["vm", "*"],
  ["memoryParcels", "*"],
  ["ownedMemory", "*"],
  ["bootFailure", "*"],
  ["rpcFaults", "*"],
  ["attachClient", ["tools/system/system.ts"]],
]);

/** The one file that constructs the RM and hands it to the hypervisor. */
export const RM_COMPOSITION_ROOT = "tools/system/system.ts";

/** A use of the RM outside `rm/` that the rules do not allow. */
export interface RmCallViolation {
  /** Root-relative path. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** What the code does and what to do instead. */
  readonly what: string;
}

/**
 * `text` with the contents of string literals and comments replaced by
 * spaces (newlines kept, so offsets and lines stay); the expressions inside
 * a template literal's `${…}` are kept.
 */
export function blankStringsAndComments(text: string): string {
  const out = text.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  /** Brace depth of each open `${` (template expression) on the stack. */
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  const template = (start: number): number => {
    // Inside a template's text from `start`; returns where its text ends.
    let j = start;
    while (j < n) {
      const c = text[j];
      if (c === "\\") j += 2;
      else if (c === "`") {
        blank(start, j);
        return j + 1;
      } else if (c === "$" && text[j + 1] === "{") {
        blank(start, j);
        templates.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    blank(start, n);
    return n;
  };
  while (i < n) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const e = text.indexOf("\n", i);
      const end = e === -1 ? n : e;
      blank(i, end);
      i = end;
    } else if (c === "/" && text[i + 1] === "*") {
      const e = text.indexOf("*/", i + 2);
      const end = e === -1 ? n : e + 2;
      blank(i, end);
      i = end;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else if (c === "`") {
      i = template(i + 1);
    } else if (c === "{") {
      depth++;
      i++;
    } else if (c === "}") {
      depth--;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        i = template(i + 1);
      } else i++;
    } else i++;
  }
  return out.join("");
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

const RM_NAME = /(?<=\.\s*#?)rm(?![\w$])/g;
const MEMBER = /^\s*\??\.\s*(#?[\w$]+)/;
const NEW_RM = /\bnew\s+ResourceManager\b/g;

/** The violations in one file (root-relative `file`, not under `rm/`). */
export function rmCallViolations(file: string, text: string): RmCallViolation[] {
  const code = blankStringsAndComments(text);
  const out: RmCallViolation[] = [];
  for (const m of code.matchAll(NEW_RM)) {
    if (file !== RM_COMPOSITION_ROOT) {
      out.push({
        file,
        line: lineAt(code, m.index!),
        what: `constructs the ResourceManager (only ${RM_COMPOSITION_ROOT} does)`,
      });
    }
  }
  for (const m of code.matchAll(RM_NAME)) {
    const at = m.index!;
    const after = code.slice(at + 2, at + 200);
    const member = MEMBER.exec(after)?.[1];
    const line = lineAt(code, at);
    if (member !== undefined) {
      const allowed = RM_ALLOWED_MEMBERS.get(member);
      if (allowed === "*" || (allowed !== undefined && allowed.includes(file))) continue;
      out.push({
        file,
        line,
        what: allowed === undefined
          ? `calls ResourceManager.${member} (go through the host VMM's RM RPC channel)`
          : `uses ResourceManager.${member}, allowed only in ${allowed.join(", ")}`,
      });
      continue;
    }
    if (file === RM_COMPOSITION_ROOT) {
      const before = code.slice(Math.max(0, at - 40), at);
      const declared = /readonly\s+$/.test(before) && /^\s*:\s*ResourceManager\b/.test(after);
      const assigned = /this\.#?$/.test(before) &&
        /^\s*=\s*new\s+ResourceManager\b/.test(after);
      // The system's `rm` getter handing out its private field.
      const returned = /return\s+this\.#$/.test(before) && /^\s*;/.test(after);
      const handedOver = /addComponent\(\s*(?:[\w$]+\.)?$/.test(before) && /^\s*[,)]/.test(after);
      // Whether the system has started it yet.
      const tested = /^\s*[!=]==\s*null\b/.test(after);
      if (declared || assigned || handedOver || returned || tested) continue;
    }
    out.push({
      file,
      line,
      what: "uses the ResourceManager as a value (alias or argument); only " +
        `${RM_COMPOSITION_ROOT} hands it to the hypervisor`,
    });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Every violation in `files` (root-relative path → text), files under `rm/` skipped. */
export function checkRmCalls(files: ReadonlyMap<string, string>): RmCallViolation[] {
  const out: RmCallViolation[] = [];
  for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (file.startsWith("rm/")) continue;
    out.push(...rmCallViolations(file, text));
  }
  return out;
}

/** `file:line: what`. */
export function formatRmCallViolation(v: RmCallViolation): string {
  return `${v.file}:${v.line}: ${v.what}`;
}
