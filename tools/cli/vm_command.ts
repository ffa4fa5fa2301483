/**
 * `gunyah vm`: manage the VMs of a running system (one started by `gunyah
 * boot`) through its loopback API — the same operations as the dashboard's
 * controls: list, create, start, stop, reset, destroy, and typing on a VM's
 * console, or attaching this terminal to it (`gunyah vm console NAME`, the
 * dashboard's console WebSocket). Start, stop, reset and destroy are RM RPC
 * from the system's host VMM (VM_START, VM_STOP, VM_RESET, VM_DEALLOCATE).
 * Every call carries the dashboard's per-boot token: `--token`, else
 * `$GUNYAH_DASHBOARD_TOKEN`, else the token file `gunyah boot` wrote for
 * the URL's port.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readTokenFile, tokenFilePath } from "@gunyah-ts/dashboard";
import type { Command } from "./commands.ts";
import { attachTerminal } from "./console.ts";
import { connectRemoteConsole } from "./remote_console.ts";

/** Where `gunyah boot` serves its API by default. */
export const DEFAULT_API_URL = "http://127.0.0.1:8418";

const HELP = `Usage: deno task gunyah vm <action> [options]

Manages the VMs of a running gunyah-ts system (started with deno task boot)
through its loopback API.

Actions:
  list                         VMs with VMID, status, vCPUs and memory
  create NAME [--memory SIZE] [--vcpus N] [--kernel F] [--initrd F|none]
              [--append TEXT] [--no-start]
                               build a VM through the resource manager (default
                               images: the boot's Debian kernel and initramfs)
  start VMID                   start a VM created with --no-start (VM_START)
  stop VMID                    force-stop a VM (VM_STOP: vcpu_kill of every vCPU)
  reset VMID                   destroy a stopped VM's objects (VM_RESET)
  destroy VMID                 free a reset VM's VMID (VM_DEALLOCATE)
  type VMID TEXT               type TEXT on the VM's console (\\n for Enter)
  console NAME|VMID [--from N] attach this terminal to the VM's console: its
                               recent output, then live (Ctrl-A x quits,
                               Ctrl-A h help); --from N starts at byte N

Options:
  --url URL        the system's API (default ${DEFAULT_API_URL})
  --token TOKEN    the dashboard's access token (default: $GUNYAH_DASHBOARD_TOKEN,
                   else the token file gunyah boot wrote for the URL's port)
  -h, --help       this text

Exit status: 0 done, 1 the system refused or did not answer (the message says
why), 2 usage error.`;

interface ApiError {
  readonly error: string;
}

/** The access token: `--token`, `$GUNYAH_DASHBOARD_TOKEN`, or the token file of the URL's port. */
async function findToken(base: string, given: string | undefined): Promise<string | null> {
  if (given) return given;
  const env = Deno.env.get("GUNYAH_DASHBOARD_TOKEN");
  if (env) return env;
  const url = new URL(base);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return await readTokenFile(port);
}

/** Call the API; returns the JSON body, or throws an Error with an actionable message. */
async function call(
  base: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  token: string | null = null,
): Promise<unknown> {
  let res: Response;
  const headers: Record<string, string> = {};
  if (method === "POST") headers["content-type"] = "application/json";
  if (token !== null) headers.authorization = `Bearer ${token}`;
  try {
    res = await fetch(new URL(path, base), {
      method,
      headers,
      body: method === "POST" ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch (e) {
    throw new Error(
      `no gunyah-ts system answers at ${base} (${(e as Error).message.split("\n")[0]}); ` +
        "start one with 'deno task boot', or pass --url",
    );
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    let msg = (data as ApiError | null)?.error ?? `HTTP ${res.status}`;
    if (res.status === 401 && token === null) {
      const port = Number(new URL(base).port || 80);
      msg += ` (no token: pass --token, set GUNYAH_DASHBOARD_TOKEN, or run on the machine ` +
        `where gunyah boot wrote ${tokenFilePath(port)})`;
    }
    throw new Error(msg);
  }
  return data;
}

interface VmRow {
  readonly vmid: number;
  readonly name: string;
  readonly status: string;
  readonly exitReason: string | null;
  readonly memoryBytes: number;
  readonly vcpus: readonly string[];
}

function table(vms: readonly VmRow[]): string {
  const rows = [["VMID", "NAME", "STATUS", "VCPUS", "MEMORY", "EXIT"]];
  for (const v of vms) {
    rows.push([
      `${v.vmid} (0x${v.vmid.toString(16)})`,
      v.name,
      v.status,
      String(v.vcpus.length),
      `${Math.round(v.memoryBytes / 2 ** 20)} MiB`,
      v.exitReason ?? "-",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

function parseVmid(text: string | undefined): number {
  const v = text === undefined ? NaN : Number(text);
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new UsageError(`expected a VMID (decimal or 0x hex), got '${text ?? ""}'`);
  }
  return v;
}

class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The vm command. */
export const vmCommand: Command = {
  name: "vm",
  summary: "list, create, start, stop, reset and destroy VMs of a running system",
  help: HELP,
  async run(args: string[]): Promise<number> {
    try {
      const { values, positionals } = parseArgs({
        args,
        options: {
          url: { type: "string" },
          token: { type: "string" },
          from: { type: "string" },
          memory: { type: "string" },
          vcpus: { type: "string" },
          kernel: { type: "string" },
          initrd: { type: "string" },
          append: { type: "string" },
          "no-start": { type: "boolean" },
        },
        strict: true,
        allowPositionals: true,
      });
      const base = values.url ?? DEFAULT_API_URL;
      const [action, ...rest] = positionals;
      const token = await findToken(base, values.token);
      switch (action) {
        case "list": {
          const state = await call(base, "GET", "/api/state", undefined, token) as { vms: VmRow[] };
          console.log(table(state.vms));
          return 0;
        }
        case "create": {
          if (!rest[0]) throw new UsageError("create needs a NAME");
          const body: Record<string, unknown> = { name: rest[0], start: !values["no-start"] };
          if (values.memory) body.memory = values.memory;
          if (values.vcpus) body.vcpus = Number(values.vcpus);
          if (values.kernel) body.kernel = values.kernel;
          if (values.initrd) body.initrd = values.initrd;
          if (values.append) body.append = values.append;
          const r = await call(base, "POST", "/api/vms", body, token) as {
            vmid: number;
            status: string;
          };
          console.log(`VM '${rest[0]}' created: VMID ${r.vmid}, ${r.status}`);
          return 0;
        }
        case "start":
        case "stop":
        case "reset":
        case "destroy": {
          const vmid = parseVmid(rest[0]);
          const r = await call(base, "POST", `/api/vms/${vmid}/${action}`, {}, token) as {
            status: string | null;
          };
          console.log(`VM ${vmid}: ${r.status}`);
          return 0;
        }
        case "type": {
          const vmid = parseVmid(rest[0]);
          if (!rest[1]) throw new UsageError("type needs the TEXT to type");
          const text = rest[1].replace(/\\n/g, "\n");
          await call(base, "POST", `/api/vms/${vmid}/console`, { text }, token);
          return 0;
        }
        case "console": {
          if (!rest[0]) throw new UsageError("console needs a VM NAME or VMID");
          const from = values.from === undefined ? undefined : Number(values.from);
          if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) {
            throw new UsageError(`--from: expected a byte offset, got '${values.from}'`);
          }
          const { vms } = await call(base, "GET", "/api/vms", undefined, token) as {
            vms: VmRow[];
          };
          const vm = vms.find((v) => v.name === rest[0]) ??
            vms.find((v) => /^(0x[0-9a-f]+|\d+)$/i.test(rest[0]) && v.vmid === Number(rest[0]));
          if (!vm) {
            throw new Error(
              `no VM '${rest[0]}'; VMs: ${
                vms.map((v) => `${v.name} (${v.vmid})`).join(", ") || "none"
              }`,
            );
          }
          const remote = await connectRemoteConsole(base, token ?? "", vm.vmid, from);
          const h = remote.hello;
          console.error(
            `[console of '${h.name}' (VMID ${h.vmid}, ${h.status}): ${
              h.total - h.offset
            } bytes of ` +
              `history${h.lost ? `, ${h.lost} older bytes no longer held` : ""}; Ctrl-A x quits]`,
          );
          remote.onNotice((line) => console.error(`\r\n${line}`));
          let why = "";
          const how = await attachTerminal(remote.console, remote.ended.then((w) => (why = w)));
          remote.close();
          console.error(how === "quit" ? "\r\n[console: quit]" : `\r\n[console: ${why}]`);
          return 0;
        }
        default:
          throw new UsageError(action ? `unknown action '${action}'` : "an action is required");
      }
    } catch (e) {
      if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
        console.error(`gunyah vm: ${(e as Error).message}\n\n${HELP}`);
        return 2;
      }
      console.error(`gunyah vm: ${(e as Error).message}`);
      return 1;
    }
  },
};
