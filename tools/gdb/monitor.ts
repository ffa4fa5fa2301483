/**
 * `monitor` commands (GDB `qRcmd`): the Gunyah state of the system as text,
 * read from the same status snapshot the dashboard shows
 * (`GunyahSystem.status()`), never from core classes.
 *
 * @module
 */
import type { SystemStatus } from "@gunyah-ts/system";

/** One monitor command. */
interface MonitorCommand {
  readonly name: string;
  readonly args: string;
  readonly summary: string;
  run(status: SystemStatus, args: readonly string[]): string;
}

const COMMANDS: readonly MonitorCommand[] = [
  {
    name: "vms",
    args: "",
    summary: "the resource manager's VMs: VMID, name, owner, status, vCPUs, RAM",
    run: (s) =>
      table(
        ["vmid", "name", "owner", "status", "vcpus", "ram", "exit reason"],
        s.vms.map((v) => [
          hex(v.vmid),
          v.name,
          hex(v.owner),
          v.status,
          String(v.vcpus.length),
          `${v.memoryBytes >> 20} MiB`,
          v.exitReason ?? "",
        ]),
      ),
  },
  {
    name: "vcpus",
    args: "[vm-name]",
    summary: "vCPU threads: VM, index, state, block reasons, CPU, PC",
    run: (s, args) =>
      table(
        ["thread", "vm", "index", "state", "blocked", "cpu", "pc"],
        s.vcpus.filter((v) => args.length === 0 || v.vm === args[0]).map((v) => [
          v.object,
          v.vm ?? "-",
          String(v.index),
          v.state,
          v.blocked.join(",") || "-",
          v.runningOn < 0 ? "-" : String(v.runningOn),
          String(v.arch.pc ?? "-"),
        ]),
      ),
  },
  {
    name: "caps",
    args: "[cspace#N]",
    summary: "capabilities of every cspace (or one): CapID, object, type, rights",
    run: (s, args) => {
      const spaces = s.cspaces.filter((c) => args.length === 0 || c.object === args[0]);
      if (spaces.length === 0) return `no cspace '${args[0]}' (see monitor caps)\n`;
      return spaces.map((c) =>
        `${c.object}${c.root ? " (root)" : ""}: ${c.caps.length} of ${c.maxCaps} caps\n` +
        table(
          ["capid", "object", "type", "rights", "master", "state"],
          c.caps.map((k) => [
            k.capId,
            k.object ?? "-",
            k.type,
            k.rights,
            k.master ? "yes" : "",
            k.state,
          ]),
        )
      ).join("");
    },
  },
  {
    name: "queues",
    args: "",
    summary: "message queues (depth, queued, sizes) and doorbells (flags, masks)",
    run: (s) =>
      "message queues\n" +
      table(
        ["msgqueue", "state", "queued", "depth", "max size", "not-full", "not-empty"],
        s.msgqueues.map((q) => [
          q.object,
          q.state,
          String(q.count),
          String(q.depth),
          String(q.maxMsgSize),
          String(q.notFullThreshold),
          String(q.notEmptyThreshold),
        ]),
      ) +
      "doorbells\n" +
      table(
        ["doorbell", "state", "flags", "enable", "ack"],
        s.doorbells.map((d) => [d.object, d.state, d.flags, d.enableMask, d.ackMask]),
      ),
  },
  {
    name: "time",
    args: "",
    summary: "virtual time and instructions retired per physical CPU",
    run: (s) =>
      `virtual time ${s.timeNs} ns (${s.nsPerInstruction} ns per instruction)\n` +
      table(
        ["cpu", "current", "retired", "idle ns"],
        s.cpus.map((
          c,
        ) => [String(c.index), c.current ?? "idle", String(c.retired), String(c.idleNs)]),
      ),
  },
];

/** Answer `monitor <text>` from `status()`. */
export function runMonitorCommand(text: string, status: () => SystemStatus): string {
  const [name, ...args] = text.trim().split(/\s+/).filter((w) => w.length > 0);
  if (name === undefined || name === "help") return help();
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) return `unknown monitor command '${name}'\n` + help();
  return cmd.run(status(), args);
}

function help(): string {
  return "gunyah-ts monitor commands:\n" +
    COMMANDS.map((c) => `  ${(c.name + " " + c.args).trim().padEnd(18)} ${c.summary}\n`).join("") +
    `  ${"help".padEnd(18)} this list\n`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Columns padded to their widest cell; "(none)" for no rows. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "  (none)\n";
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    "  " + cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n";
  return line(head) + rows.map(line).join("");
}
