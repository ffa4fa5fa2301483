/**
 * CRC32B/H/W/X and CRC32CB/H/W/X (FEAT_CRC32, advertised through
 * ID_AA64ISAR0_EL1.CRC32 = 1). Arm ARM C6.2 "CRC32B, CRC32H, CRC32W, CRC32X"
 * and "CRC32CB, ...": bit-reflected CRC with the polynomials 0x04C11DB7
 * (CRC-32, ISO-HDLC) and 0x1EDC6F41 (CRC-32C, Castagnoli), no pre- or
 * post-inversion (the accumulator is the register).
 *
 * @module
 */

/** CRC-32 polynomial, bit-reflected (0x04C11DB7 reversed). */
export const CRC32_POLY_REFLECTED = 0xedb88320;
/** CRC-32C polynomial, bit-reflected (0x1EDC6F41 reversed). */
export const CRC32C_POLY_REFLECTED = 0x82f63b78;

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

/** Byte-at-a-time tables. */
const CRC32_TABLE = table(CRC32_POLY_REFLECTED);
const CRC32C_TABLE = table(CRC32C_POLY_REFLECTED);

/** Feed the low `bytes` (1..4) bytes of `data` into `acc`, little-endian order. */
export function crc32Update(acc: number, data: number, bytes: number, castagnoli: boolean): number {
  const t = castagnoli ? CRC32C_TABLE : CRC32_TABLE;
  let c = acc >>> 0;
  for (let i = 0; i < bytes; i++) {
    c = (t[(c ^ (data >>> (i * 8))) & 0xff] ^ (c >>> 8)) >>> 0;
  }
  return c;
}
