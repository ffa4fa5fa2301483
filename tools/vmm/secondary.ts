/**
 * What the primary's initramfs carries so a user can boot a secondary VM
 * with one command (README "Run a VM inside the VM"): where `gunyah-vmm`,
 * the secondary's kernel and initramfs go, the secondary's `/init`, the
 * marker it prints, and `gunyah-mkdisk` to make a raw disk for `-hda`.
 *
 * @module
 */

/** Path of the VMM in the primary. */
export const PRIMARY_VMM_PATH = "bin/gunyah-vmm";
/** The secondary's uncompressed arm64 Image in the primary (the same Debian kernel). */
export const PRIMARY_SECONDARY_KERNEL_PATH = "vm/Image";
/** The secondary's gzip'd busybox initramfs in the primary. */
export const PRIMARY_SECONDARY_INITRD_PATH = "vm/initrd.gz";
/** The disk-image helper in the primary. */
export const PRIMARY_MKDISK_PATH = "bin/gunyah-mkdisk";

/** Printed by the secondary's /init once its userspace runs. */
export const SECONDARY_MARKER = "gunyah-secondary: init reached";

/** Kernel command line for the secondary (its console is the VMM's PL011). */
export const SECONDARY_APPEND = "console=ttyAMA0 cryptomgr.notests";

/** The command a user types at the primary's shell (documented; the e2e test types it). */
export const SECONDARY_COMMAND = `gunyah-vmm -kernel /${PRIMARY_SECONDARY_KERNEL_PATH} ` +
  `-initrd /${PRIMARY_SECONDARY_INITRD_PATH} -append "${SECONDARY_APPEND}" ` +
  `-m 256M -smp 2 -hda disk.img -nographic`;

/**
 * The secondary's /init (busybox sh): pseudo filesystems, the virtio-mmio
 * and virtio-blk modules (Debian builds them as modules), the marker, what
 * `/dev/vda` holds (a tar archive written by an earlier run is listed), a
 * shell on the console.
 */
export const SECONDARY_INIT = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
hostname secondary
modprobe virtio_mmio 2>/dev/null
modprobe virtio_blk 2>/dev/null
n=0
while ls /proc/device-tree/ | grep -q '^virtio_mmio@' && [ ! -b /dev/vda ] && [ $n -lt 20 ]; do
  sleep 0.1
  n=$((n + 1))
done
echo "${SECONDARY_MARKER}"
if [ -b /dev/vda ]; then
  echo "gunyah-secondary: /dev/vda has $(cat /sys/block/vda/size) sectors"
  tar tf /dev/vda 2>/dev/null | sed 's/^/gunyah-secondary: on \\/dev\\/vda: /'
fi
echo "This is the secondary VM. 'poweroff -f' ends it (gunyah-vmm then exits 0)."
exec setsid cttyhack /bin/sh -l
`;

/**
 * `gunyah-mkdisk FILE [SIZE]`: a zero-filled raw disk image for `-hda`
 * (default 16M). Files go onto it as a tar archive (`tar cf /dev/vda ...`
 * in the secondary, `tar xf FILE` in the primary): no filesystem module
 * is needed on either side.
 */
export const MKDISK_SCRIPT = `#!/bin/sh
if [ -z "$1" ]; then
  echo "usage: gunyah-mkdisk FILE [SIZE, default 16M]" >&2
  exit 2
fi
rm -f "$1"
truncate -s "\${2:-16M}" "$1" && echo "gunyah-mkdisk: $1 ($(wc -c < "$1") bytes, zeroed)"
`;
