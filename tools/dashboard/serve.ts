/**
 * `serveDashboard(system, "127.0.0.1:8418")`: serve the dashboard with
 * `Deno.serve` on a loopback address only.
 *
 * @module
 */
import type { GunyahSystem } from "@gunyah-ts/system";
import { TOKEN_QUERY, tokenFilePath, writeTokenFile } from "./access.ts";
import { createDashboard, type Dashboard, type DashboardOptions } from "./app.ts";

/** The dashboard's default address (the boot configuration's `dashboard:` key). */
export const DEFAULT_DASHBOARD_ADDRESS = "127.0.0.1:8418";

/** A parsed listen address. */
export interface ListenAddress {
  /** `127.x.y.z` or `::1`. */
  readonly hostname: string;
  /** 0 = any free port. */
  readonly port: number;
}

/** An address that is not a loopback `host:port`. */
export class DashboardAddressError extends Error {
  /** Error name. */
  override readonly name = "DashboardAddressError";
}

/**
 * Parse `127.0.0.1:8418`, `[::1]:8418` or `localhost:8418` (port 0 = any
 * free port); anything that is not loopback is refused: the dashboard can
 * create and stop VMs, and its token only keeps other local users out.
 */
export function parseListenAddress(address: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(address.trim());
  if (!m) {
    throw new DashboardAddressError(
      `dashboard address '${address}' is not host:port (e.g. 127.0.0.1:8418 or [::1]:8418)`,
    );
  }
  const host = (m[1] ?? m[2]).toLowerCase();
  const port = Number(m[3]);
  if (port > 65535) throw new DashboardAddressError(`dashboard port ${port} is over 65535`);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const loopbackV4 = v4 !== null && Number(v4[1]) === 127 &&
    v4.slice(2).every((o) => Number(o) <= 255);
  if (loopbackV4) return { hostname: host, port };
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return { hostname: "::1", port };
  if (host === "localhost") return { hostname: "127.0.0.1", port };
  throw new DashboardAddressError(
    `dashboard address '${address}' is not loopback: the dashboard controls VMs, so it ` +
      `only listens on 127.0.0.0/8 or [::1] (use 127.0.0.1:${port})`,
  );
}

/** A running dashboard server. */
export interface DashboardServer {
  /** e.g. `http://127.0.0.1:8418/`. */
  readonly url: string;
  /** The URL to open in a browser: {@link url} with `?token=...` (it sets the cookie). */
  readonly openUrl: string;
  /** The file the token was written to for `gunyah vm` (mode 0600; removed on close). */
  readonly tokenFile: string;
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  /** The dashboard it serves. */
  readonly dashboard: Dashboard;
  /** Tell clients the system ended, stop listening, remove the token file, and wait. */
  close(): Promise<void>;
}

/** Serve the dashboard of `system` on `address` (default {@link DEFAULT_DASHBOARD_ADDRESS}). */
export function serveDashboard(
  system: GunyahSystem,
  address: string = DEFAULT_DASHBOARD_ADDRESS,
  options: DashboardOptions = {},
): Promise<DashboardServer> {
  const { hostname, port } = parseListenAddress(address);
  const dashboard = createDashboard(system, options);
  return new Promise<DashboardServer>((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname,
        port,
        onListen: (addr) => {
          const shown = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
          let closed: Promise<void> | null = null;
          const url = `http://${shown}:${addr.port}/`;
          const tokenFile = tokenFilePath(addr.port);
          resolve({
            url,
            openUrl: `${url}?${TOKEN_QUERY}=${dashboard.token}`,
            tokenFile,
            port: addr.port,
            dashboard,
            close: () => {
              if (closed === null) {
                dashboard.close();
                closed = Promise.all([
                  server.shutdown(),
                  Deno.remove(tokenFile).catch(() => {}),
                ]).then(() => {});
              }
              return closed;
            },
          });
        },
        onError: (e) => {
          system.log(`dashboard: ${(e as Error).message}`);
          return new Response(JSON.stringify({ error: "internal error" }), {
            status: 500,
            headers: { "content-type": "application/json" },
          });
        },
      }, dashboard.app.fetch);
    } catch (e) {
      dashboard.close();
      const why = e instanceof Deno.errors.AddrInUse
        ? `${hostname}:${port} is in use (pick another port, or 0 for any free one)`
        : (e as Error).message;
      reject(new DashboardAddressError(`cannot serve the dashboard: ${why}`));
    }
  }).then(async (served) => {
    try {
      await writeTokenFile(served.port, dashboard.token);
    } catch (e) {
      await served.close();
      throw new DashboardAddressError(
        `cannot write the dashboard's token file ${served.tokenFile}: ${(e as Error).message}`,
      );
    }
    return served;
  });
}
