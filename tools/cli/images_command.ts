/**
 * `gunyah images`: fetch (once) and show the default guest images.
 *
 * @module
 */
import type { Command } from "./commands.ts";
import { ensureGuestImages, ImageUnavailableError } from "@gunyah-ts/system";

const HELP = `Usage: deno task gunyah images [--refresh]

Makes sure the default guest images exist: Debian's arm64 kernel
(linux-image-arm64) and a busybox initramfs (busybox-static plus the kernel's
virtio modules), fetched with apt-get download and cached in .cache/images.
Needs apt (and root the first time, to add the arm64 architecture).

Options:
  --refresh   download again even if a cached set exists
  -h, --help  this text

Exit status: 0 images ready, 1 they could not be obtained (the message says why
and how to boot with your own --kernel/--initrd instead), 2 usage error.`;

/** The images command. */
export const imagesCommand: Command = {
  name: "images",
  summary: "fetch and cache the default guest images (Debian kernel, busybox initramfs)",
  help: HELP,
  async run(args: string[]): Promise<number> {
    const unknown = args.filter((a) => a !== "--refresh");
    if (unknown.length > 0) {
      console.error(`gunyah images: unknown option ${unknown[0]}\n\n${HELP}`);
      return 2;
    }
    try {
      const img = await ensureGuestImages({ refresh: args.includes("--refresh") });
      console.log(`kernel  ${img.kernel}\ninitrd  ${img.initrd}\nsource  ${img.source}`);
      return 0;
    } catch (e) {
      if (e instanceof ImageUnavailableError) {
        console.error(`gunyah images: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
};
