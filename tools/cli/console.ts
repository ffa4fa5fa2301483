/**
 * Attaches a guest console (a byte stream in each direction) to this
 * terminal the way QEMU users expect: raw mode, and the escape prefix
 * Ctrl-A: `Ctrl-A x` quits, `Ctrl-A Ctrl-A` sends a literal Ctrl-A,
 * `Ctrl-A h` prints help.
 *
 * @module
 */

/** Ctrl-A. */
export const ESCAPE = 0x01;

/** What the escape decoder asks its owner to do. */
export type ConsoleAction = "quit" | "help";

/**
 * Splits terminal input into bytes for the guest and escape commands.
 * Pure and incremental (an escape may straddle two reads).
 */
export class EscapeDecoder {
  #pending = false;

  /** Feed `input`; returns guest bytes and any actions, in order. */
  feed(input: Uint8Array): { bytes: Uint8Array; actions: ConsoleAction[] } {
    const out: number[] = [];
    const actions: ConsoleAction[] = [];
    for (const b of input) {
      if (this.#pending) {
        this.#pending = false;
        if (b === 0x78 || b === 0x58) actions.push("quit"); // x / X
        else if (b === ESCAPE) out.push(ESCAPE);
        else if (b === 0x68 || b === 0x48 || b === 0x3f) actions.push("help"); // h / H / ?
        // any other key after Ctrl-A is swallowed, as in QEMU
      } else if (b === ESCAPE) {
        this.#pending = true;
      } else {
        out.push(b);
      }
    }
    return { bytes: Uint8Array.from(out), actions };
  }
}

/** Text shown for `Ctrl-A h`. */
export const ESCAPE_HELP = "\r\nC-a x    quit\r\nC-a h    this help\r\nC-a C-a  send C-a\r\n";

import type { GuestConsole } from "@gunyah-ts/system";
export type { GuestConsole };

/**
 * Connect `guest` to stdin/stdout until `Ctrl-A x` or until `done` resolves.
 * Puts a TTY in raw mode and restores it. Returns "quit" when the user quit.
 */
export async function attachTerminal(
  guest: GuestConsole,
  done: Promise<unknown>,
): Promise<"quit" | "done"> {
  const stdout = Deno.stdout;
  const enc = new TextEncoder();
  guest.onOutput((b) => {
    stdout.writeSync(b);
  });
  const tty = Deno.stdin.isTerminal();
  if (tty) Deno.stdin.setRaw(true, { cbreak: false });
  const decoder = new EscapeDecoder();
  let quit = false;
  let onQuit: () => void = () => {};
  const quitting = new Promise<void>((resolve) => (onQuit = resolve));
  const reader = Deno.stdin.readable.getReader();
  // End of input (a closed pipe, /dev/null) does not end the session: the
  // guest runs on until it powers off or the user quits.
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value) return;
        const { bytes, actions } = decoder.feed(value);
        if (bytes.length > 0) guest.input(bytes);
        for (const a of actions) {
          if (a === "help") stdout.writeSync(enc.encode(ESCAPE_HELP));
          if (a === "quit") {
            quit = true;
            onQuit();
            return;
          }
        }
      }
    } catch {
      // stdin closed under us
    }
  })();
  try {
    await Promise.race([quitting, done]);
  } finally {
    // Release (not cancel) stdin, so a later session (after a guest reboot) can read it again.
    try {
      reader.releaseLock();
    } catch {
      // a read still pending: it rejects, which ends the pump
    }
    if (tty) Deno.stdin.setRaw(false);
  }
  return quit ? "quit" : "done";
}

/** One step of a console script: when the guest has printed `when`, type `type`. */
export interface ConsoleStep {
  readonly when: string;
  readonly type: string;
}

/**
 * Types scripted input into a guest console the moment its output matches,
 * from inside the output callback: the input reaches the guest at the same
 * virtual instant in every run, so a deterministic boot stays deterministic
 * even when it is driven by console input (unlike input from a pipe, whose
 * arrival depends on host timing).
 */
export function scriptedConsole(guest: GuestConsole, steps: readonly ConsoleStep[]): GuestConsole {
  let next = 0;
  let seen = "";
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  return {
    input: (bytes) => guest.input(bytes),
    onOutput(sink) {
      guest.onOutput((bytes) => {
        sink(bytes);
        if (next >= steps.length) return;
        seen += dec.decode(bytes, { stream: true });
        const step = steps[next];
        const at = seen.indexOf(step.when);
        if (at < 0) {
          // keep only what could still be the start of a match
          if (seen.length > step.when.length) seen = seen.slice(seen.length - step.when.length);
          return;
        }
        seen = seen.slice(at + step.when.length);
        next++;
        guest.input(enc.encode(step.type));
      });
    },
  };
}

/** Turn the escapes \n, \r, \t and \\ of a command-line argument into characters. */
export function unescapeTyped(text: string): string {
  return text.replace(
    /\\([nrt\\])/g,
    (_, c: string) => ({ n: "\n", r: "\r", t: "\t", "\\": "\\" })[c]!,
  );
}
