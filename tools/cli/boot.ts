/**
 * `gunyah boot`: boot the default system (hypervisor, resource manager, the
 * primary VM running Linux) with its console on the terminal.
 *
 * @module
 */
import type { Command } from "./commands.ts";

const HELP = `Usage: deno task boot [options]

Boots the hypervisor, the resource manager and a primary VM running Linux,
with the guest console on this terminal (Ctrl-A X quits).

Options:
  --config FILE    boot configuration (YAML); default: the built-in default system
  --kernel FILE    arm64 Linux Image (default: Debian's linux-image-arm64, fetched once)
  --initrd FILE    initramfs (default: a busybox initramfs built once)
  --append TEXT    kernel command line (default: console=ttyAMA0)
  --memory SIZE    primary VM RAM, e.g. 512M (default 512M)
  --vcpus N        primary VM vCPUs (default 2)
  -h, --help       this text

Exit status: 0 the guest powered off cleanly, 1 the guest or the boot failed,
2 usage error, 3 a part the boot needs is not built yet.`;

/** The boot command. */
export const bootCommand: Command = {
  name: "boot",
  summary: "boot the default system: hypervisor, RM, Linux primary VM",
  help: HELP,
  run(_args: string[]): Promise<number> {
    console.error(
      [
        "gunyah boot: the system cannot boot a guest yet.",
        "Present: the core's contracts (core/plugin/contracts.ts).",
        "Not yet: the AArch64 CPU plugin (issue 3) and the qemu-virt platform,",
        "vGIC and PSCI (issue 4), which a Linux guest needs.",
      ].join("\n"),
    );
    return Promise.resolve(3);
  },
};
