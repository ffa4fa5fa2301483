/**
 * The /init of the end-to-end Linux test: report what the test asserts on,
 * run one command typed on the console, then power off with `poweroff -f`.
 *
 * @module
 */
import { INIT_PROLOGUE } from "@gunyah-ts/system";

/** Bootargs of the e2e guests: the kernel's crypto self-tests off (two thirds of a boot otherwise). */
export const E2E_BOOTARGS = "console=ttyAMA0 cryptomgr.notests";

/** Prefix of every line the test init prints about itself. */
export const E2E = "gunyah-e2e:";

/** The init script (busybox sh). */
export const E2E_INIT = `${INIT_PROLOGUE}echo "${E2E} nproc=$(nproc)"
echo "${E2E} interrupts-begin"
cat /proc/interrupts
echo "${E2E} interrupts-end"
echo "${E2E} dmesg-begin"
dmesg
echo "${E2E} dmesg-end"
echo "${E2E} ready"
read -r line
eval "$line"
poweroff -f
`;
