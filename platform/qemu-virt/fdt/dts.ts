/**
 * Devicetree source (DTS) text of a {@link DtNode} tree, in the syntax of
 * the Devicetree Specification v0.4 chapter 6 and the layout `dtc -O dts`
 * prints, so a VM's devicetree can be shown without `dtc` installed (and
 * fed back to `dtc` when it is).
 *
 * @example
 * ```ts
 * import { formatDts } from "./dts.ts";
 * console.log(formatDts({ name: "", props: { model: "x", "#size-cells": [2] } }));
 * ```
 *
 * @module
 */
import type { DtNode, DtValue } from "@gunyah-ts/core/plugin";
import type { FdtReservation } from "./format.ts";

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function formatValue(value: DtValue): string | null {
  if (value === true) return null;
  if (typeof value === "string") return quote(value);
  if (value instanceof Uint8Array) {
    return `[${Array.from(value, (b) => b.toString(16).padStart(2, "0")).join(" ")}]`;
  }
  if (value.length === 0) return null;
  if (typeof value[0] === "string") return (value as readonly string[]).map(quote).join(", ");
  return `<${
    (value as readonly number[]).map((c) => `0x${c.toString(16).padStart(2, "0")}`).join(" ")
  }>`;
}

function formatNode(node: DtNode, depth: number, lines: string[]): void {
  const indent = "\t".repeat(depth);
  lines.push(`${indent}${node.name === "" && depth === 0 ? "/" : node.name} {`);
  for (const [name, value] of Object.entries(node.props)) {
    const v = formatValue(value);
    lines.push(v === null ? `${indent}\t${name};` : `${indent}\t${name} = ${v};`);
  }
  for (const child of node.children ?? []) {
    lines.push("");
    formatNode(child, depth + 1, lines);
  }
  lines.push(`${indent}};`);
}

/** DTS text for `root` (and optional `/memreserve/` entries). */
export function formatDts(root: DtNode, reservations: readonly FdtReservation[] = []): string {
  const lines = ["/dts-v1/;", ""];
  for (const r of reservations) {
    lines.push(
      `/memreserve/\t0x${r.address.toString(16).padStart(16, "0")} 0x${
        r.size.toString(16).padStart(16, "0")
      };`,
    );
  }
  if (reservations.length > 0) lines.push("");
  formatNode(root, 0, lines);
  return lines.join("\n") + "\n";
}
