/**
 * The table of `gunyah` subcommands.
 *
 * @module
 */
import { bootCommand } from "./boot.ts";
import { imagesCommand } from "./images_command.ts";
import { dtbCommand } from "./dtb_command.ts";
import { vmCommand } from "./vm_command.ts";
import { doctorCommand } from "./doctor_command.ts";

/** One subcommand. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: string[]): Promise<number>;
}

/** Every subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  bootCommand,
  imagesCommand,
  vmCommand,
  dtbCommand,
  doctorCommand,
];
