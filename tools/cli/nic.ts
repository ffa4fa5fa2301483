/**
 * `deno task boot --nic user[,net=CIDR][,hostfwd=tcp:127.0.0.1:H-:G]...`:
 * QEMU's `-nic user` option text, read into the user-mode part of a `net:`
 * segment (tools/system/config.ts `UserNetConfig`). Each `hostfwd` and the
 * subnet are validated as the configuration file's are (loopback host
 * addresses only).
 *
 * @module
 */
import { parseHostForward, userNetAddressing } from "@gunyah-ts/net";
import type { BootConfig, DeviceConfig, NetSegmentConfig } from "@gunyah-ts/system";

/** What one `--nic user,...` asks for. */
export interface NicUserOption {
  readonly subnet?: string;
  readonly hostfwd: readonly string[];
}

/** Parse `--nic` text; throws an Error naming the option and the part that is wrong. */
export function parseNicOption(text: string): NicUserOption {
  const [kind, ...parts] = text.split(",");
  if (kind !== "user") {
    throw new Error(
      `--nic ${text}: only user-mode networking is built in (--nic user[,hostfwd=tcp:127.0.0.1:2222-:22])`,
    );
  }
  let subnet: string | undefined;
  const hostfwd: string[] = [];
  for (const part of parts) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    try {
      if (key === "hostfwd") {
        hostfwd.push(value);
      } else if (key === "net") {
        subnet = value;
      } else {
        throw new Error(`unknown key '${key}' (keys: net, hostfwd)`);
      }
    } catch (e) {
      throw new Error(`--nic ${text}: ${(e as Error).message}`);
    }
  }
  try {
    const net = userNetAddressing(subnet);
    for (const f of hostfwd) parseHostForward(f, net);
  } catch (e) {
    throw new Error(`--nic ${text}: ${(e as Error).message}`);
  }
  return { ...(subnet === undefined ? {} : { subnet }), hostfwd };
}

/**
 * `config` with one segment per `--nic user,...` (named nic0, nic1, ... unless
 * taken) and, for each, a virtio-net device on the first VM connected to it.
 */
export function withUserNics(config: BootConfig, nics: readonly NicUserOption[]): BootConfig {
  if (nics.length === 0) return config;
  const taken = new Set(config.net.map((n) => n.name));
  const segments: NetSegmentConfig[] = [];
  const devices: DeviceConfig[] = [];
  let k = 0;
  for (const nic of nics) {
    while (taken.has(`nic${k}`)) k++;
    const name = `nic${k++}`;
    segments.push({
      name,
      user: { hostfwd: nic.hostfwd, ...(nic.subnet === undefined ? {} : { subnet: nic.subnet }) },
    });
    devices.push({
      plugin: "builtin:virtio-net",
      isolate: false,
      permissions: { read: [], write: [] },
      options: {},
      net: name,
    });
  }
  const [first, ...rest] = config.vms;
  return {
    ...config,
    net: [...config.net, ...segments],
    vms: [{ ...first, devices: [...first.devices, ...devices] }, ...rest],
  };
}
