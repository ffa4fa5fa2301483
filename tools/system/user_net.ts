/**
 * User-mode networking in a system: a `net:` segment's `user:` entry (or
 * `deno task boot --nic user,...`) read and validated, and the
 * `@gunyah-ts/net` {@link UserGateway} it puts on that segment as the port
 * named {@link USER_GATEWAY_PORT}.
 *
 * ```yaml
 * net:
 *   - name: wan
 *     user:
 *       subnet: 10.0.2.0/24          # QEMU's default
 *       hostfwd: [tcp:127.0.0.1:2222-:22]
 * ```
 *
 * @module
 */
import type { EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { parseHostForward, UserGateway, userNetAddressing } from "@gunyah-ts/net";

/** What the gateway needs of a segment (`@gunyah-ts/net` EthernetSegment's attach). */
export interface GatewaySegment {
  readonly name: string;
  attach(port: string, endpoint: EthernetEndpoint): EthernetEndpoint & { detach(): void };
}

/** The port name of a segment's user-mode gateway. */
export const USER_GATEWAY_PORT = "gateway";

/** A segment's user-mode networking (QEMU's `-nic user`). */
export interface UserNetConfig {
  /** IPv4 network, CIDR (default 10.0.2.0/24). */
  readonly subnet?: string;
  /** Port forwards, QEMU's `tcp:127.0.0.1:HOSTPORT-[GUESTADDR]:GUESTPORT` (loopback only). */
  readonly hostfwd: readonly string[];
  /** DNS server `address[:port]` or `none` (default: /etc/resolv.conf's first nameserver). */
  readonly dns?: string;
}

/** Keys of a `user:` entry. */
export const USER_NET_KEYS = ["subnet", "hostfwd", "dns"] as const;

type Path = (string | number)[];

/**
 * Validate a `user:` value; `fail` reports a bad key with its path (the
 * configuration reader's, which adds the file and line).
 */
export function parseUserNet(
  v: unknown,
  path: Path,
  fail: (path: Path, expected: string, got: unknown) => never,
): UserNetConfig {
  if (v === null || v === true) return { hostfwd: [] }; // `user:` alone or `user: true`
  if (typeof v !== "object" || Array.isArray(v)) fail(path, "a mapping (subnet, hostfwd, dns)", v);
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (!(USER_NET_KEYS as readonly string[]).includes(k)) {
      fail([...path, k], `one of the keys ${USER_NET_KEYS.join(", ")}`, k);
    }
  }
  let net;
  if (rec.subnet !== undefined && typeof rec.subnet !== "string") {
    fail([...path, "subnet"], "an IPv4 CIDR like 10.0.2.0/24", rec.subnet);
  }
  try {
    net = userNetAddressing(rec.subnet as string | undefined);
  } catch (e) {
    fail([...path, "subnet"], (e as Error).message.replace(/^'[^']*' is not /, ""), rec.subnet);
  }
  const fwd = rec.hostfwd ?? [];
  if (!Array.isArray(fwd)) fail([...path, "hostfwd"], "a list like [tcp:127.0.0.1:2222-:22]", fwd);
  const hostfwd = fwd.map((f: unknown, i: number) => {
    if (typeof f !== "string") {
      fail([...path, "hostfwd", i], "a text like tcp:127.0.0.1:2222-:22", f);
    }
    try {
      parseHostForward(f, net);
    } catch (e) {
      fail([...path, "hostfwd", i], `a loopback port forward (${(e as Error).message})`, f);
    }
    return f;
  });
  if (
    rec.dns !== undefined &&
    (typeof rec.dns !== "string" || !/^([0-9.]+(:\d+)?|none)$/.test(rec.dns))
  ) {
    fail([...path, "dns"], "an IPv4 address[:port] or none", rec.dns);
  }
  return {
    ...(rec.subnet === undefined ? {} : { subnet: rec.subnet as string }),
    hostfwd,
    ...(rec.dns === undefined ? {} : { dns: rec.dns as string }),
  };
}

/**
 * Put a user-mode gateway on `segment` (port {@link USER_GATEWAY_PORT}) and
 * start its port forwards; throws naming the forward that cannot listen.
 */
export function startUserGateway(segment: GatewaySegment, config: UserNetConfig): UserGateway {
  const gw = new UserGateway({
    ...(config.subnet === undefined ? {} : { subnet: config.subnet }),
    hostfwd: config.hostfwd,
    ...(config.dns === undefined ? {} : { dnsServer: config.dns }),
  });
  const link = segment.attach(USER_GATEWAY_PORT, gw);
  try {
    gw.attach(link);
  } catch (e) {
    gw.close();
    link.detach();
    throw new Error(`segment '${segment.name}': ${(e as Error).message}`);
  }
  return gw;
}
