/**
 * Small helpers over {@link DtNode} trees: find a node by path, read typed
 * property values, and return a copy of a tree with one node's properties
 * changed (trees are immutable values).
 *
 * @module
 */
import type { DtNode, DtValue } from "@gunyah-ts/core/plugin";
import { encodeDtValue } from "./writer.ts";
import { FdtError } from "./format.ts";

/** Find the node at an absolute path such as `/chosen` or `/cpus/cpu@0`; `null` if absent. */
export function findNode(root: DtNode, path: string): DtNode | null {
  if (path === "/" || path === "") return root;
  let node: DtNode | undefined = root;
  for (const part of path.replace(/^\//, "").split("/")) {
    node = node.children?.find((c) => c.name === part);
    if (!node) return null;
  }
  return node;
}

function bytesOf(node: DtNode, prop: string): Uint8Array | null {
  const v = node.props[prop];
  return v === undefined ? null : encodeDtValue(v, `${node.name}:${prop}`);
}

/** A property as a list of u32 cells; `null` when absent. */
export function propCells(node: DtNode, prop: string): number[] | null {
  const b = bytesOf(node, prop);
  if (b === null) return null;
  if (b.length % 4 !== 0) {
    throw new FdtError(`${node.name}:${prop} is ${b.length} bytes, not whole cells`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(view.getUint32(i));
  return out;
}

/** A property holding one or two cells as an integer (`bigint`); `null` when absent. */
export function propInteger(node: DtNode, prop: string): bigint | null {
  const cells = propCells(node, prop);
  if (cells === null) return null;
  if (cells.length === 1) return BigInt(cells[0]);
  if (cells.length === 2) return (BigInt(cells[0]) << 32n) | BigInt(cells[1]);
  throw new FdtError(`${node.name}:${prop} has ${cells.length} cells; expected 1 or 2`);
}

/** A property as a list of strings; `null` when absent. */
export function propStrings(node: DtNode, prop: string): string[] | null {
  const b = bytesOf(node, prop);
  if (b === null) return null;
  if (b.length === 0 || b[b.length - 1] !== 0) {
    throw new FdtError(`${node.name}:${prop} is not a NUL-terminated string list`);
  }
  return new TextDecoder().decode(b.subarray(0, b.length - 1)).split("\0");
}

/**
 * A copy of `root` in which the node at `path` (created, with its missing
 * parents, if absent) has `props` merged into its properties.
 */
export function withProps(
  root: DtNode,
  path: string,
  props: Readonly<Record<string, DtValue>>,
): DtNode {
  const parts = path.replace(/^\//, "").split("/").filter((p) => p !== "");
  const update = (node: DtNode, depth: number): DtNode => {
    if (depth === parts.length) {
      return { ...node, props: { ...node.props, ...props } };
    }
    const children = [...(node.children ?? [])];
    const i = children.findIndex((c) => c.name === parts[depth]);
    const child = i >= 0 ? children[i] : { name: parts[depth], props: {} };
    const next = update(child, depth + 1);
    if (i >= 0) children[i] = next;
    else children.push(next);
    return { ...node, children };
  };
  return update(root, 0);
}
