/**
 * IEEE 802 MAC addresses (48-bit, EUI-48) as the network code handles them:
 * six bytes, printed and parsed in the colon form `52:54:00:12:34:56`.
 *
 * @module
 */

/** Bytes in a MAC address (EUI-48). */
export const MAC_BYTES = 6;

/** Bit 0 of the first octet: a group (multicast or broadcast) address (IEEE 802-2014 §8.2). */
export const MAC_GROUP_BIT = 0x01;
/** Bit 1 of the first octet: a locally administered address (IEEE 802-2014 §8.2). */
export const MAC_LOCAL_BIT = 0x02;

/** The broadcast address ff:ff:ff:ff:ff:ff. */
export const MAC_BROADCAST: Readonly<Uint8Array> = new Uint8Array(MAC_BYTES).fill(0xff);

const MAC_TEXT = /^([0-9a-fA-F]{2})(:[0-9a-fA-F]{2}){5}$/;

/** Parse `aa:bb:cc:dd:ee:ff` (case-insensitive); throws a RangeError naming the text otherwise. */
export function parseMac(text: string): Uint8Array {
  if (!MAC_TEXT.test(text)) {
    throw new RangeError(
      `'${text}' is not a MAC address (six hex octets with colons, e.g. 52:54:00:12:34:56)`,
    );
  }
  return Uint8Array.from(text.split(":"), (h) => parseInt(h, 16));
}

/** Format six bytes at `offset` of `bytes` as `aa:bb:cc:dd:ee:ff`. */
export function formatMac(bytes: Uint8Array, offset = 0): string {
  let s = "";
  for (let i = 0; i < MAC_BYTES; i++) {
    if (i > 0) s += ":";
    s += bytes[offset + i].toString(16).padStart(2, "0");
  }
  return s;
}

/** Whether the address at `offset` is a group (multicast or broadcast) address. */
export function isGroupMac(bytes: Uint8Array, offset = 0): boolean {
  return (bytes[offset] & MAC_GROUP_BIT) !== 0;
}

/** Whether the address at `offset` is usable as a station's own address (not a group address, not all zero). */
export function isUnicastMac(bytes: Uint8Array, offset = 0): boolean {
  if (isGroupMac(bytes, offset)) return false;
  for (let i = 0; i < MAC_BYTES; i++) if (bytes[offset + i] !== 0) return true;
  return false;
}

/** The 48-bit address at `offset` as a number (exact: below 2^53), for use as a map key. */
export function macKey(bytes: Uint8Array, offset = 0): number {
  let k = 0;
  for (let i = 0; i < MAC_BYTES; i++) k = k * 256 + bytes[offset + i];
  return k;
}
