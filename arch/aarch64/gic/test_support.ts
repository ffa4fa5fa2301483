/**
 * Helpers for the vGIC tests: MMIO accessors over a region and a fake CPU
 * port that records the lines the vGIC drives.
 *
 * @module
 */
import type { MmioRegion } from "@gunyah-ts/core/plugin";
import { createGicV3, type GicCpuPort, type GicV3 } from "./gicv3.ts";

/** QEMU virt placement of the GIC frames. */
export const VIRT_PLACEMENT = { distributorBase: 0x08000000, redistributorBase: 0x080a0000 };

const scratch = { lo: 0, hi: 0 };

/** Read `size` bytes at `offset` of `region` (low 32 bits; see {@link read64}). */
export function read(region: MmioRegion, offset: number, size = 4): number {
  region.read(offset, size, 0, scratch);
  return scratch.lo >>> 0;
}

/** 8-byte read as a bigint. */
export function read64(region: MmioRegion, offset: number): bigint {
  region.read(offset, 8, 0, scratch);
  return (BigInt(scratch.hi >>> 0) << 32n) | BigInt(scratch.lo >>> 0);
}

/** Write `size` bytes. */
export function write(region: MmioRegion, offset: number, value: number, size = 4): void {
  region.write(offset, size, value >>> 0, 0, 0);
}

/** 8-byte write from a bigint. */
export function write64(region: MmioRegion, offset: number, value: bigint): void {
  region.write(offset, 8, Number(value & 0xffffffffn), Number(value >> 32n), 0);
}

/** A CPU as the vGIC sees it, recording wake calls. */
export class FakeCpu implements GicCpuPort {
  irqLine = false;
  fiqLine = false;
  gic: object | null = null;
  wakes = 0;
  readonly wake = (_vcpu: number): void => {
    this.wakes++;
  };
}

/** A vGIC with `vcpus` connected fake CPUs (MPIDR Aff0 = index). */
export function makeGic(vcpus = 2, spis = 64): { gic: GicV3; cpus: FakeCpu[] } {
  const gic = createGicV3({ vcpus, spis }, VIRT_PLACEMENT);
  const cpus: FakeCpu[] = [];
  for (let i = 0; i < vcpus; i++) {
    const cpu = new FakeCpu();
    gic.connectCpu(i, cpu, i, cpu.wake);
    cpus.push(cpu);
  }
  return { gic, cpus };
}
