/**
 * A VM console of a running system reached over its dashboard's console
 * WebSocket (`GET /api/vms/:vmid/console/ws`), as a {@link GuestConsole}:
 * what `gunyah vm console NAME` attaches to this terminal. The stream
 * starts with the VM's recent output (its bounded history) and continues
 * live; keystrokes go back as binary frames.
 *
 * @module
 */
import type { GuestConsole } from "@gunyah-ts/system";

/** The server's first message on the stream. */
export interface ConsoleHello {
  /** VMID. */
  readonly vmid: number;
  /** VM name. */
  readonly name: string;
  /** RM status when connected. */
  readonly status: string;
  /** Stream offset of the first byte that follows. */
  readonly offset: number;
  /** Bytes the VM has written in all. */
  readonly total: number;
  /** Bytes asked for that the history no longer holds. */
  readonly lost: number;
}

/** A connected remote console. */
export interface RemoteConsole {
  /** The console (register one output sink; input goes to the guest). */
  readonly console: GuestConsole;
  /** The server's hello. */
  readonly hello: ConsoleHello;
  /** Resolves with why the stream ended: the VM's end, "system ended" or "connection closed". */
  readonly ended: Promise<string>;
  /** Notices for the person (gaps, refusals), one line each. */
  onNotice(sink: (line: string) => void): void;
  /** Close the connection. */
  close(): void;
}

/**
 * Connect to VM `vmid`'s console at `base` (`http://127.0.0.1:8418`) with
 * `token`, from stream offset `from` (default: the oldest byte held).
 */
export function connectRemoteConsole(
  base: string,
  token: string,
  vmid: number,
  from?: number,
): Promise<RemoteConsole> {
  const url = new URL(`/api/vms/${vmid}/console/ws`, base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (from !== undefined) url.searchParams.set("from", String(from));
  // Deno's WebSocket takes request headers (not in the DOM typings).
  const init = { headers: { authorization: `Bearer ${token}` } } as unknown as string[];
  const ws = new WebSocket(url, init);
  ws.binaryType = "arraybuffer";
  let sink: (bytes: Uint8Array) => void = () => {};
  let notice: (line: string) => void = () => {};
  const early: Uint8Array[] = [];
  let endReason: string | null = null;
  let resolveEnd: (why: string) => void = () => {};
  const ended = new Promise<string>((r) => (resolveEnd = r));
  return new Promise((resolve, reject) => {
    let hello: ConsoleHello | null = null;
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") {
        const b = new Uint8Array(ev.data as ArrayBuffer);
        if (hello === null) early.push(b);
        else sink(b);
        return;
      }
      const m = JSON.parse(ev.data) as Record<string, unknown>;
      if (m.type === "hello") {
        hello = m as unknown as ConsoleHello;
        resolve({
          console: {
            input: (bytes) => {
              if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
            },
            onOutput: (s) => {
              sink = s;
              for (const b of early.splice(0)) s(b);
            },
          },
          hello,
          ended,
          onNotice: (s) => (notice = s),
          close: () => ws.close(),
        });
      } else if (m.type === "gap") {
        notice(`[${m.lost} bytes of output dropped: this terminal fell behind]`);
      } else if (m.type === "error") {
        notice(`[${m.error}]`);
      } else if (m.type === "end") {
        endReason = String(m.reason);
        // Let the VM's last output arrive, then end the session.
        setTimeout(() => resolveEnd(endReason!), 200);
      }
    };
    ws.onerror = (ev) => {
      const msg = (ev as ErrorEvent).message ?? "WebSocket error";
      if (hello === null) reject(new Error(`cannot open the console stream ${url.origin}: ${msg}`));
    };
    ws.onclose = (ev) => {
      if (hello === null) {
        reject(
          new Error(`the console stream closed before it started (code ${ev.code} ${ev.reason})`),
        );
      }
      resolveEnd(endReason ?? (ev.reason || "connection closed"));
    };
  });
}
