/**
 * Which host tools the differential tests need, and a message naming the
 * missing ones (tests skip with it rather than fail).
 *
 * @module
 */
import { CROSS_GCC, haveCrossGcc } from "../guests/toolchain.ts";
import { haveQemu, QEMU } from "./qemu.ts";

/** `null` if the cross compiler and QEMU are installed, else what is missing and how to get it. */
export async function missingDiffTools(): Promise<string | null> {
  const missing: string[] = [];
  if (!await haveCrossGcc()) missing.push(`${CROSS_GCC} (Debian gcc-aarch64-linux-gnu)`);
  if (!await haveQemu()) missing.push(`${QEMU} (Debian qemu-system-arm)`);
  if (!missing.length) return null;
  return `missing ${missing.join(" and ")}; run tools/setup.sh as root to install them`;
}
