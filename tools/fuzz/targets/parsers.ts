/**
 * Parsers of untrusted input: the boot configuration (YAML), the flattened
 * devicetree reader and the kernel image checks (arm64 Image, ELF, gzip),
 * each fed mutations of a valid input (byte flips, truncation, splices,
 * random fields). Invariant: each refuses bad input only with its own error
 * type (ConfigError, FdtError, BootImageError) and a message, never another
 * exception, and never hangs.
 *
 * @module
 */
import { ConfigError, DEFAULT_CONFIG_YAML, parseConfig } from "@gunyah-ts/system";
import {
  BootImageError,
  decodeFdt,
  encodeFdt,
  FdtError,
  layoutBoot,
} from "@gunyah-ts/platform-qemu-virt";
import type { Prng } from "../prng.ts";
import { FuzzFailure, type FuzzTarget } from "../runner.ts";

const CONFIG_EXTRA = `
  - name: second
    memory: 64M
    vcpus: 1
    devices:
      - plugin: builtin:virtio-rng
        isolate: true
        permissions: { read: [a], write: [] }
        options: { seed: 1 }
`;

function mutate(prng: Prng, input: Uint8Array): Uint8Array {
  let b = input.slice();
  const rounds = 1 + prng.below(8);
  for (let r = 0; r < rounds; r++) {
    switch (prng.below(5)) {
      case 0: // flip bytes
        for (let i = 0; i < 1 + prng.below(4) && b.length > 0; i++) {
          b[prng.below(b.length)] = prng.u32() & 0xff;
        }
        break;
      case 1: // truncate
        b = b.subarray(0, prng.below(b.length + 1));
        break;
      case 2: { // splice a random run
        const at = prng.below(b.length + 1);
        const ins = prng.bytes(prng.below(16));
        const c = new Uint8Array(b.length + ins.length);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + ins.length);
        b = c;
        break;
      }
      case 3: // a 32-bit field set to an edge value
        if (b.length >= 4) {
          const at = prng.below(b.length - 3) & ~3;
          new DataView(b.buffer, b.byteOffset).setUint32(
            at,
            prng.pick([0, 1, 0x7fffffff, 0xffffffff, b.length, prng.u32()]),
            prng.below(2) === 0,
          );
        }
        break;
      default: // duplicate a chunk
        if (b.length > 0) {
          const from = prng.below(b.length);
          const c = new Uint8Array(b.length + 8);
          c.set(b);
          c.set(b.subarray(from, from + 8), b.length);
          b = c;
        }
    }
  }
  return b;
}

function validDtb(): Uint8Array {
  return encodeFdt({
    name: "",
    props: { "#address-cells": [2], "#size-cells": [2], compatible: "linux,dummy-virt" },
    children: [
      {
        name: "memory@40000000",
        props: { device_type: "memory", reg: [0, 0x4000_0000, 0, 1 << 24] },
      },
      { name: "chosen", props: { bootargs: "console=ttyAMA0" } },
    ],
  });
}

function arm64Image(): Uint8Array {
  const b = new Uint8Array(4096);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x14000010, true); // b +0x40
  v.setBigUint64(0x08, 0n, true); // text_offset
  v.setBigUint64(0x10, 0x2000n, true); // image_size
  v.setBigUint64(0x18, 0xan, true); // flags: LE, 4K pages, anywhere
  v.setUint32(0x38, 0x644d5241, true); // "ARM\x64"
  return b;
}

function elfImage(): Uint8Array {
  const b = new Uint8Array(0x200);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELF64, LE, version 1
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 183, true); // EM_AARCH64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, 0x4008_0000n, true); // entry
  v.setBigUint64(32, 64n, true); // phoff
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true); // one program header
  v.setUint32(64, 1, true); // PT_LOAD
  v.setBigUint64(64 + 8, 0x100n, true); // offset
  v.setBigUint64(64 + 16, 0x4008_0000n, true); // vaddr
  v.setBigUint64(64 + 24, 0x4008_0000n, true); // paddr
  v.setBigUint64(64 + 32, 0x100n, true); // filesz
  v.setBigUint64(64 + 40, 0x1000n, true); // memsz
  return b;
}

const VM = { ramBase: 0x4000_0000, ramSize: 32 << 20, vcpus: 1, bootargs: "" };

/** The target. */
export const parsersTarget: FuzzTarget = {
  name: "parsers",
  description: "mutated boot configurations, devicetree blobs and kernel images",
  batch(prng, size) {
    const enc = new TextEncoder(), dec = new TextDecoder();
    const seeds = {
      config: enc.encode(DEFAULT_CONFIG_YAML + CONFIG_EXTRA),
      dtb: validDtb(),
      image: arm64Image(),
      elf: elfImage(),
    };
    for (let i = 0; i < size; i++) {
      const which = prng.pick(["config", "dtb", "image", "elf"] as const);
      const input = mutate(prng, seeds[which]);
      try {
        if (which === "config") parseConfig(dec.decode(input), "fuzz.yaml");
        else if (which === "dtb") decodeFdt(input);
        else layoutBoot({ kernel: input }, VM);
      } catch (e) {
        if (e instanceof ConfigError || e instanceof FdtError || e instanceof BootImageError) {
          continue;
        }
        throw new FuzzFailure(
          `${which} case ${i} (${input.length} bytes) threw ${(e as Error).name}: ${
            (e as Error).message
          }`,
        );
      }
    }
    return Promise.resolve(size);
  },
};
