/**
 * Access control of the dashboard: a per-boot token and the rule for which
 * host files a VM may be built from.
 *
 * - **Token.** Each dashboard draws a random 128-bit token when it starts
 *   ({@link newAccessToken}). `gunyah boot` prints the page's URL with
 *   `?token=...`; the first request with it gets the token as an HttpOnly,
 *   SameSite=Strict cookie and is redirected to the same URL without it. Every
 *   other request (the page, the API, the console WebSocket) must carry the
 *   cookie or `Authorization: Bearer <token>` — on loopback too, since any
 *   local user can reach a loopback port. The token is also written to a
 *   file only the user can read ({@link tokenFilePath}) for `gunyah vm`.
 * - **Images.** `kernel` / `initrd` of a VM created over the API must be
 *   files in the images folder (`.cache/images`, where `gunyah images` puts
 *   Debian's) or paths the boot configuration names; both sides are compared
 *   after resolving symbolic links and `..`, so `/etc/shadow` cannot be loaded
 *   into a guest and read back.
 *
 * @module
 */
import { dirname, resolve, sep } from "node:path";

/** Name of the cookie that carries the token. */
export const TOKEN_COOKIE = "gunyah_token";
/** Query parameter that carries the token in the URL `gunyah boot` prints. */
export const TOKEN_QUERY = "token";
/** Random bytes in a token (128 bits). */
export const TOKEN_BYTES = 16;

/** A fresh random token: {@link TOKEN_BYTES} bytes as lower-case hex. */
export function newAccessToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Compare two strings in time independent of where they differ. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The token a request carries (Bearer header or cookie), or null. */
export function requestToken(req: Request): string | null {
  const auth = req.headers.get("authorization");
  if (auth !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) return m[1];
  }
  const cookies = req.headers.get("cookie") ?? "";
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The `Set-Cookie` value that hands `token` to a browser. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/**
 * Where the token of the dashboard on `port` is kept for the CLI:
 * `$XDG_RUNTIME_DIR/gunyah-ts/dashboard-PORT.token`, else
 * `$TMPDIR/gunyah-ts-UID/dashboard-PORT.token` (the folder is mode 0700).
 */
export function tokenFilePath(port: number): string {
  const runtime = Deno.env.get("XDG_RUNTIME_DIR");
  const base = runtime
    ? `${runtime}/gunyah-ts`
    : `${Deno.env.get("TMPDIR") ?? "/tmp"}/gunyah-ts-${Deno.uid() ?? "user"}`;
  return `${base}/dashboard-${port}.token`;
}

/** Write `token` to {@link tokenFilePath} (folder 0700, file 0600); returns the path. */
export async function writeTokenFile(port: number, token: string): Promise<string> {
  const path = tokenFilePath(port);
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await Deno.chmod(dirname(path), 0o700);
  await Deno.writeTextFile(path, `${token}\n`, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return path;
}

/** Read the token of the dashboard on `port`, or null when there is no token file. */
export async function readTokenFile(port: number): Promise<string | null> {
  try {
    return (await Deno.readTextFile(tokenFilePath(port))).trim();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Which host files VMs may be built from. */
export interface ImagePolicy {
  /** Folders whose files (at any depth) are allowed, e.g. `.cache/images`. */
  readonly folders: readonly string[];
  /** Single files allowed, e.g. the paths the boot configuration names. */
  readonly files: readonly string[];
}

/** Why a path is not allowed (the caller answers 403 with the message). */
export class ImagePathError extends Error {
  /** Error name. */
  override readonly name = "ImagePathError";
}

async function real(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}

/**
 * Resolve `path` (a `kernel` or `initrd` of a request) and check it against
 * `policy`; returns the real path to read. Throws {@link ImagePathError} when
 * it is outside, or a missing file's NotFound when it does not exist.
 */
export async function checkImagePath(
  policy: ImagePolicy,
  path: string,
  what: string,
): Promise<string> {
  const target = await real(resolve(path));
  if (target === null) {
    throw new Deno.errors.NotFound(`the ${what} '${path}' does not exist`);
  }
  for (const f of policy.files) {
    const r = await real(resolve(f));
    if (r !== null && r === target) return target;
  }
  for (const d of policy.folders) {
    const r = await real(resolve(d));
    if (r !== null && target.startsWith(r.endsWith(sep) ? r : r + sep)) return target;
  }
  const allowed = [...policy.folders.map((d) => `${d}/...`), ...policy.files];
  throw new ImagePathError(
    `the ${what} '${path}' is outside the images folder and the paths the boot configuration ` +
      `names; allowed: ${allowed.join(", ") || "none"} (copy the file into the images folder)`,
  );
}
