/**
 * The gateway's DNS address (QEMU: 10.0.2.3) forwards each query, as is,
 * over UDP to the host's resolver (the first `nameserver` of
 * /etc/resolv.conf, or a configured `address:port`) and relays the answer.
 * No resolver, a full in-flight budget, or no answer within
 * {@link DNS_TIMEOUT_MS} gives the guest SERVFAIL at once or at the timeout:
 * the guest's resolver never hangs on us.
 *
 * @module
 */
import dgram from "node:dgram";
import { be16, put16 } from "./wire.ts";

/** The DNS port (RFC 1035 §4.2.1). */
export const DNS_PORT = 53;
/** DNS header bytes (RFC 1035 §4.1.1). */
export const DNS_HEADER_BYTES = 12;
/** SERVFAIL response code (RFC 1035 §4.1.1). */
export const DNS_RCODE_SERVFAIL = 2;
/** How long a forwarded query may take before the guest gets SERVFAIL, ms. */
export const DNS_TIMEOUT_MS = 3000;
/** Queries in flight at once; more are answered SERVFAIL. */
export const DNS_MAX_IN_FLIGHT = 32;

/** Where queries go: a host and port, or none. */
export type DnsUpstream = { readonly host: string; readonly port: number } | null;

/**
 * The upstream resolver: `setting` ("address:port", "address", or "none"),
 * else the first nameserver in /etc/resolv.conf, else none.
 */
export function dnsUpstream(setting?: string): DnsUpstream {
  if (setting === "none") return null;
  if (setting !== undefined) {
    const m = /^([0-9.]+)(?::(\d+))?$/.exec(setting);
    if (!m) {
      throw new RangeError(`'${setting}' is not a DNS server (IPv4 address[:port], or none)`);
    }
    return { host: m[1], port: m[2] ? Number(m[2]) : DNS_PORT };
  }
  let text: string;
  try {
    text = Deno.readTextFileSync("/etc/resolv.conf");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+([0-9.]+)\s*$/.exec(line);
    if (m) return { host: m[1], port: DNS_PORT };
  }
  return null;
}

/** A SERVFAIL answer to `query`: its header and question, QR set, RCODE 2, no records. */
export function dnsServfail(query: Uint8Array): Uint8Array | null {
  if (query.length < DNS_HEADER_BYTES) return null;
  // The question section ends after the name's zero label and QTYPE + QCLASS (RFC 1035 §4.1.2).
  let end = DNS_HEADER_BYTES;
  const questions = be16(query, 4);
  for (let q = 0; q < questions; q++) {
    for (;;) {
      if (end >= query.length) return null;
      const len = query[end];
      if (len === 0) {
        end += 1;
        break;
      }
      if ((len & 0xc0) !== 0) {
        end += 2; // a compression pointer ends the name
        break;
      }
      end += 1 + len;
    }
    end += 4;
    if (end > query.length) return null;
  }
  const r = query.slice(0, end);
  r[2] = 0x80 | (query[2] & 0x79); // QR, keep OPCODE and RD
  r[3] = 0x80 | DNS_RCODE_SERVFAIL; // RA, SERVFAIL
  put16(r, 6, 0);
  put16(r, 8, 0);
  put16(r, 10, 0);
  return r;
}

/** Forwards queries; see the module documentation. */
export class DnsForwarder {
  readonly #upstream: DnsUpstream;
  readonly #inFlight = new Set<{ close(): void }>();

  constructor(upstream: DnsUpstream) {
    this.#upstream = upstream;
  }

  /** The upstream as text, for the status view. */
  get upstream(): string {
    return this.#upstream ? `${this.#upstream.host}:${this.#upstream.port}` : "none";
  }

  /** Queries in flight. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * The answer to `query`, or SERVFAIL (`failed` true). Resolves null for a
   * query too short to answer at all.
   */
  query(query: Uint8Array): Promise<{ answer: Uint8Array; failed: boolean } | null> {
    const fail = () => {
      const answer = dnsServfail(query);
      return answer ? { answer, failed: true } : null;
    };
    if (query.length < DNS_HEADER_BYTES) return Promise.resolve(null);
    const up = this.#upstream;
    if (up === null || this.#inFlight.size >= DNS_MAX_IN_FLIGHT) return Promise.resolve(fail());
    const id = be16(query, 0);
    return new Promise((resolve) => {
      const socket = dgram.createSocket("udp4");
      let done = false;
      const entry = { close: () => finish(fail()) };
      const finish = (r: { answer: Uint8Array; failed: boolean } | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#inFlight.delete(entry);
        try {
          socket.close();
        } catch { /* already closed */ }
        resolve(r);
      };
      const timer = setTimeout(() => finish(fail()), DNS_TIMEOUT_MS);
      this.#inFlight.add(entry);
      socket.on("error", () => finish(fail()));
      socket.on("message", (msg: Uint8Array) => {
        if (msg.length >= DNS_HEADER_BYTES && be16(msg, 0) === id) {
          finish({ answer: new Uint8Array(msg), failed: false });
        }
      });
      socket.send(query, up.port, up.host, (err: Error | null) => {
        if (err) finish(fail());
      });
    });
  }

  /** Answer every query in flight with SERVFAIL and close their sockets. */
  close(): void {
    for (const e of [...this.#inFlight]) e.close();
  }
}
