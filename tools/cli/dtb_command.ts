/**
 * `gunyah dtb`: the devicetree a VM of the default system boots with — the
 * qemu-virt machine, the RM's /hypervisor node, configured device plugins —
 * as DTS text or a DTB file. Built by the same path as `gunyah boot` (the RM
 * builds the VM by hypercalls; the VM is never started).
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Command } from "./commands.ts";
import { ConfigError, GunyahSystem, MAX_VCPUS, parseSize } from "@gunyah-ts/system";
import { decodeFdt, formatDts } from "@gunyah-ts/platform-qemu-virt";

const HELP = `Usage: deno task gunyah dtb [options]

Prints the devicetree (DTS) a primary VM of the default system boots with:
the qemu-virt machine, the resource manager's /hypervisor node and the
/chosen node (bootargs, initrd). Nothing runs.

Options:
  --vcpus N        vCPUs, 1-${MAX_VCPUS} (default 2)
  --memory SIZE    RAM, e.g. 512M (default 512M)
  --append TEXT    kernel command line (default: console=ttyAMA0)
  --initrd-size N  reserve an initrd of N bytes in /chosen (default: none)
  -o, --output F   write the DTB (binary) to F instead of printing DTS
  -h, --help       this text

Exit status: 0 written, 2 usage error.`;

/** A 4-byte flat kernel (\`b .\`): the VM is built, never run. */
const PARKED_KERNEL = new Uint8Array(Uint32Array.of(0x14000000).buffer);

/** The dtb command. */
export const dtbCommand: Command = {
  name: "dtb",
  summary: "print the devicetree a VM boots with (DTS, or a DTB with -o)",
  help: HELP,
  async run(args: string[]): Promise<number> {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          vcpus: { type: "string" },
          memory: { type: "string" },
          append: { type: "string" },
          "initrd-size": { type: "string" },
          output: { type: "string", short: "o" },
        },
        strict: true,
      }));
    } catch (e) {
      console.error(`gunyah dtb: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    try {
      const vcpus = Number(values.vcpus ?? 2);
      if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > MAX_VCPUS) {
        throw new ConfigError(
          `--vcpus: expected an integer from 1 to ${MAX_VCPUS}, got '${values.vcpus}'`,
        );
      }
      const memory = parseSize(values.memory ?? "512M");
      if (memory === null || memory < 16 << 20 || memory % 4096 !== 0) {
        throw new ConfigError(`--memory: expected a size such as 512M, got '${values.memory}'`);
      }
      const initrdSize = Number(values["initrd-size"] ?? 0);
      if (!Number.isInteger(initrdSize) || initrdSize < 0 || initrdSize > memory / 4) {
        throw new ConfigError(
          `--initrd-size: expected a byte count up to a quarter of RAM, got '${
            values["initrd-size"]
          }'`,
        );
      }
      const system = await GunyahSystem.create({ ramBytes: memory });
      const vm = system.launch({
        name: "primary",
        memory,
        vcpus,
        kernel: PARKED_KERNEL,
        initrd: initrdSize > 0 ? new Uint8Array(initrdSize) : undefined,
        bootargs: values.append ?? "console=ttyAMA0",
      }, { start: false });
      if (values.output) {
        await Deno.writeFile(values.output, vm.dtb);
        console.error(`gunyah dtb: wrote ${vm.dtb.length} bytes to ${values.output}`);
      } else {
        const fdt = decodeFdt(vm.dtb);
        console.log(formatDts(fdt.root, fdt.reservations));
      }
      await system.close();
      return 0;
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`gunyah dtb: ${e.message}`);
        return 2;
      }
      throw e;
    }
  },
};
