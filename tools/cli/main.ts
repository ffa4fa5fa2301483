/**
 * `gunyah`: the command-line entry point of gunyah-ts.
 *
 *   deno task gunyah <command> [options]
 *
 * Exit codes: 0 success, 1 the guest or operation failed, 2 usage error,
 * 3 a required part of the system is not available yet.
 *
 * @module
 */
import { type Command, commands } from "./commands.ts";

/** Exit code: the command line was wrong. */
export const EXIT_USAGE = 2;

function usage(): string {
  const lines = [
    "gunyah - the Gunyah hypervisor system in TypeScript",
    "",
    "Usage: deno task gunyah <command> [options]",
    "",
    "Commands:",
  ];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push("", "Run `deno task gunyah <command> --help` for a command's options.");
  return lines.join("\n");
}

/** Run the CLI with `args`; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    console.log(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`gunyah: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(cmd.help);
    return 0;
  }
  return await cmd.run(rest);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
