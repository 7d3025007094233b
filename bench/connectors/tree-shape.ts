/** The bench account's shape: file `i` lives two folders deep, 100 files to a folder, with its own content. */

/** `d03/f17/file-0031742.txt` for i = 31742. */
export function pathOf(i: number): string {
  const top = String(Math.floor(i / 10_000)).padStart(2, '0');
  const leaf = String(Math.floor(i / 100) % 100).padStart(2, '0');
  return `d${top}/f${leaf}/file-${String(i).padStart(7, '0')}.txt`;
}

/** `size` bytes of text unique to file `i` in edit round `round` (so nothing deduplicates by accident). */
export function contentOf(i: number, size: number, round: number): Uint8Array {
  const line = `file ${String(i)} round ${String(round)} `;
  let state = (i * 2_654_435_761 + round * 40_503) >>> 0;
  const out = new Uint8Array(size);
  const head = new TextEncoder().encode(line);
  out.set(head.subarray(0, Math.min(size, head.length)));
  for (let at = head.length; at < size; at++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    out[at] = 97 + ((state >>> 16) % 26);
  }
  return out;
}
