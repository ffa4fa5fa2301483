/**
 * A FIFO of bytes kept as the chunks it was given (copied in), read at any
 * offset from its head and dropped from the front: a TCP send buffer whose
 * unacknowledged part is retransmitted from the head.
 *
 * @module
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Bytes of `#chunks[0]` already dropped. */
  #head = 0;
  #length = 0;

  /** Bytes held. */
  get length(): number {
    return this.#length;
  }

  /** Append a copy of `bytes`. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes.slice());
    this.#length += bytes.length;
  }

  /** Copy `length` bytes starting `offset` bytes after the head into `dest` at `at`. */
  copyOut(offset: number, length: number, dest: Uint8Array, at: number): void {
    if (offset + length > this.#length) throw new RangeError("ByteQueue read past its end");
    let skip = offset + this.#head;
    let i = 0;
    while (skip >= this.#chunks[i].length) skip -= this.#chunks[i++].length;
    let done = 0;
    while (done < length) {
      const c = this.#chunks[i++];
      const n = Math.min(c.length - skip, length - done);
      dest.set(c.subarray(skip, skip + n), at + done);
      done += n;
      skip = 0;
    }
  }

  /** Drop `n` bytes from the head. */
  drop(n: number): void {
    if (n > this.#length) throw new RangeError("ByteQueue dropped past its end");
    this.#length -= n;
    n += this.#head;
    while (this.#chunks.length > 0 && n >= this.#chunks[0].length) {
      n -= this.#chunks.shift()!.length;
    }
    this.#head = n;
  }

  /** Drop everything. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
  }
}
