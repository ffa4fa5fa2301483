/**
 * The layering of gunyah-ts, as rules over the import graph of the
 * workspace's production code (test code is free to reach further, but
 * production code never imports it):
 *
 * - the core knows no architecture, board, resource manager, device or tool;
 * - an architecture knows no board and no device: only the core's plugin
 *   contracts and ABI numbers;
 * - a platform (board) knows only the core's plugin contracts and ABI;
 * - a device plugin never sees the CPU: the core's plugin contracts and ABI,
 *   and other device plugins (the virtio-mmio transport);
 * - the resource manager speaks only hypercalls and message queues: the
 *   core's plugin contracts (the Component and its hypercall port) and ABI;
 * - tools and cross-package tests may use every package's entry points.
 *
 * Each member belongs to a layer by the folder it lives in; {@link LAYER_RULES}
 * says which layers (and which of the core's entry points) each may import.
 *
 * @module
 */
import type { MemberEdge } from "./graph.ts";
import { isTestCode } from "./graph.ts";
import type { Workspace } from "./workspace.ts";

/** The layers of the system, named as in docs/ARCHITECTURE.md. */
export type Layer =
  | "core"
  | "arch"
  | "platform"
  | "rm"
  | "device"
  | "device-host"
  | "net"
  | "testkit"
  | "tools"
  | "tests"
  | "check";

/** The layer of a member by its folder; undefined for a folder no rule covers. */
export function layerOf(dir: string): Layer | undefined {
  if (dir === "core") return "core";
  if (dir.startsWith("arch/")) return "arch";
  if (dir.startsWith("platform/")) return "platform";
  if (dir === "rm") return "rm";
  if (dir === "plugins/host") return "device-host";
  if (dir === "net") return "net";
  if (dir === "plugins/testkit") return "testkit";
  if (dir.startsWith("plugins/")) return "device";
  if (dir === "tools/check") return "check";
  if (dir.startsWith("tools/")) return "tools";
  if (dir === "tests") return "tests";
  return undefined;
}

/** What one layer's production code may import: layer → allowed entry points (`*` = all). */
export type LayerRule = Partial<Record<Layer, readonly string[] | "*">>;

/** The core's entry points a plugin may depend on (the SDK). */
const SDK = ["./plugin", "./abi"] as const;

/** Which layers each layer may import (anything not listed is a violation). */
export const LAYER_RULES: Readonly<Record<Layer, LayerRule>> = {
  core: {},
  arch: { core: SDK },
  platform: { core: SDK },
  rm: { core: SDK },
  device: { core: SDK, device: "*" },
  "device-host": { core: SDK, device: "*" },
  net: { core: SDK },
  testkit: { core: SDK },
  tools: {
    core: "*",
    arch: "*",
    platform: "*",
    rm: "*",
    device: "*",
    "device-host": "*",
    net: "*",
    tools: "*",
    tests: "*",
  },
  tests: {
    core: "*",
    arch: "*",
    platform: "*",
    rm: "*",
    device: "*",
    "device-host": "*",
    net: "*",
    testkit: "*",
    tools: "*",
  },
  check: {},
};

/**
 * Imports that break a rule today and are being removed, each with the
 * reason; a listed import that no longer exists fails the layering test, so
 * the list only shrinks. Key: `file -> imported package`.
 */
export const KNOWN_EXCEPTIONS: ReadonlyMap<string, string> = new Map<string, string>([
  // (empty: plugins/host/attach.ts now takes the platform's device slots, issue 8 point 2)
]);

/** One import that breaks a layering rule. */
export interface LayerViolation {
  /** The import that breaks it. */
  readonly edge: MemberEdge;
  /** The rule broken, in words. */
  readonly rule: string;
}

/** Check the edges of the import graph against {@link LAYER_RULES}. */
export function checkLayering(
  ws: Workspace,
  edges: readonly MemberEdge[],
  rules: Readonly<Record<Layer, LayerRule>> = LAYER_RULES,
): LayerViolation[] {
  const layers = new Map<string, Layer | undefined>(
    ws.members.map((m) => [m.name, layerOf(m.dir)]),
  );
  const out: LayerViolation[] = [];
  for (const edge of edges) {
    if (edge.test) continue;
    const from = layers.get(edge.from);
    const to = layers.get(edge.to);
    if (from === undefined || to === undefined) {
      const which = from === undefined ? edge.from : edge.to;
      out.push({ edge, rule: `${which} is in no layer: add its folder to layerOf()` });
      continue;
    }
    if (edge.target !== undefined && isTestCode(edge.target)) {
      out.push({ edge, rule: `production code imports test code (${edge.target})` });
      continue;
    }
    const allowed = rules[from][to];
    const entry = edge.entry ?? "(a path into its files)";
    if (allowed === undefined) {
      out.push({ edge, rule: `${from} (${edge.from}) may not import ${to} (${edge.to})` });
    } else if (allowed !== "*" && (edge.entry === undefined || !allowed.includes(edge.entry))) {
      out.push({
        edge,
        rule: `${from} (${edge.from}) may import ${edge.to} only through ` +
          `${allowed.join(", ")}, not ${entry}`,
      });
    }
  }
  return out;
}

/** Format a violation as `file:line: import "spec": rule`. */
export function formatViolation(v: LayerViolation): string {
  return `${v.edge.file}:${v.edge.line}: import "${v.edge.specifier}": ${v.rule}`;
}
