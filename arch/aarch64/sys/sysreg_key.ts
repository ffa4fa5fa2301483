/**
 * System-register keys: `(op0 << 14) | (op1 << 11) | (CRn << 7) | (CRm << 3) | op2`,
 * which is bits 20:5 of an MRS, MSR (register) or SYS/SYSL instruction word.
 *
 * @module
 */

/** Key of the system register (or SYS operation) with these encoding fields. */
export function sysregKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

/** The key encoded in an MRS/MSR/SYS/SYSL instruction (bits 20:5). */
export function keyOf(insn: number): number {
  return (insn >>> 5) & 0xffff;
}

/** `S<op0>_<op1>_C<n>_C<m>_<op2>` spelling of a key (diagnostics). */
export function keyName(key: number): string {
  return `S${(key >>> 14) & 3}_${(key >>> 11) & 7}_C${(key >>> 7) & 15}_C${(key >>> 3) & 15}_${
    key & 7
  }`;
}

/**
 * ISS of a trapped MSR/MRS/System instruction (EC 0x18), DDI 0487 D17.2.37:
 * Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0
 * (1 = read, MRS/SYSL).
 */
export function sysregTrapIss(key: number, rt: number, read: boolean): number {
  const op0 = (key >>> 14) & 3, op1 = (key >>> 11) & 7, crn = (key >>> 7) & 15;
  const crm = (key >>> 3) & 15, op2 = key & 7;
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) |
    (read ? 1 : 0);
}
