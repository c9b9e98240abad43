/** A list of ids, read by index (an array of them or a PackedIds). */
export interface IdList {
  readonly length: number;
  at(index: number): string | undefined;
}

/**
 * Many ASCII ids in one buffer plus their end offsets. Why: a million ids as strings are a million
 * objects in the old generation that every full GC of the measuring process marks (with the bench's
 * figures taken meanwhile); one buffer is one object, its bytes outside the V8 heap.
 */
export class PackedIds implements IdList {
  private constructor(
    private readonly bytes: Buffer,
    private readonly ends: Uint32Array,
  ) {}

  /** Packs `ids` (ASCII) into transferable arrays; `PackedIds.from` reads them back. */
  static pack(ids: readonly string[]): { bytes: Uint8Array; ends: Uint32Array } {
    const ends = new Uint32Array(ids.length);
    let total = 0;
    ids.forEach((id, i) => {
      total += id.length;
      ends[i] = total;
    });
    const bytes = new Uint8Array(total);
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    ids.forEach((id, i) => {
      view.write(id, i === 0 ? 0 : (ends[i - 1] as number), 'latin1');
    });
    return { bytes, ends };
  }

  static from(packed: { bytes: Uint8Array; ends: Uint32Array }): PackedIds {
    return new PackedIds(Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength), packed.ends);
  }

  get length(): number {
    return this.ends.length;
  }

  at(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.ends.length) return undefined;
    const start = index === 0 ? 0 : (this.ends[index - 1] as number);
    return this.bytes.toString('latin1', start, this.ends[index]);
  }
}
