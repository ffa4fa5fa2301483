/**
 * vic_bind_msi_source (0x56): bind an MSI source (a platform object such as
 * a virtual ITS) to a vic.
 *
 * HYP 12/2023 (`hyp/vm/vic_base/src/hypercalls.c`, built for QEMU) looks the
 * vic up with BIND_SOURCE (ACTIVE) and then triggers the
 * `vic_bind_msi_source` event, whose default result is
 * ERROR_CSPACE_WRONG_OBJECT_TYPE (`hyp/interfaces/vic/vic.ev`). No module of
 * the open-source tree handles that event, and the QEMU platform has no
 * ITS, so every call with a valid vic ends with that error; the msi_source
 * CapID is never looked up. This does exactly the same.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_VIC_BIND_SOURCE } from "../../abi/rights.ts";
import type { HypercallTable } from "../../hypercall/table.ts";
import { ObjectType } from "../object_type.ts";

/** Register vic_bind_msi_source. */
export function registerVicBindMsiSourceHypercall(table: HypercallTable): void {
  table.registerHypercall(Hypercall.VIC_BIND_MSI_SOURCE, "vic_bind_msi_source", (ctx, a) => {
    ctx.cspace.lookup(a[0], ObjectType.VIC, CAP_RIGHTS_VIC_BIND_SOURCE);
    throwHypError(
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
      "no MSI source type exists on this platform (no ITS)",
    );
  });
}
