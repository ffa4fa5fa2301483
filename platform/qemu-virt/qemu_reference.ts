/**
 * How this project starts `qemu-system-aarch64` as the reference `virt`
 * machine, in one place: the tests' oracles, the benchmarks and
 * `gunyah doctor` all use these arguments.
 *
 * QEMU's defaults add devices none of them use, and one of them costs a
 * package: the default NIC of `virt` is a virtio-net-pci whose option ROM
 * (`efi-virtio.rom`) comes from Debian's `ipxe-qemu`, a recommendation of
 * `qemu-system-arm` that `--no-install-recommends` leaves out. With
 * `-nodefaults` QEMU creates only what the machine itself has (the PL011,
 * the PL031, the virtio-mmio transports, the GIC), so no optional firmware is
 * ever loaded; the PL011 is then wired to stdio explicitly. The devicetree
 * QEMU generates is the same either way (PCI devices are probed, not listed).
 *
 * @module
 */

/** The QEMU system emulator for AArch64 (Debian package `qemu-system-arm`). */
export const QEMU_SYSTEM_AARCH64 = "qemu-system-aarch64";

/** The Debian package that provides {@link QEMU_SYSTEM_AARCH64}. */
export const QEMU_SYSTEM_AARCH64_PACKAGE = "qemu-system-arm";

/**
 * Headless, nothing beyond the board's own devices: no default NIC, VGA,
 * monitor or parallel port; the first UART (PL011) on stdin/stdout.
 */
export const QEMU_HEADLESS_ARGS: readonly string[] = [
  "-nodefaults",
  "-nographic",
  "-serial",
  "stdio",
];
