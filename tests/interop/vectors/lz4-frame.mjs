// A small LZ4 frame encoder (greedy, 64 K hash table, independent blocks, no checksums). apache-arrow for JavaScript
// compresses IPC bodies only through a codec the caller registers, none of our dependencies provides one, and node 20
// has no built-in LZ4 or ZSTD, so the fixtures carry this encoder's output. Any LZ4 frame decoder must accept it.

const MAGIC = [0x04, 0x22, 0x4d, 0x18];
// FLG 0x60 (version 01, independent blocks), BD 0x70 (4 MB maximum block); 0x73 = (xxh32(FLG, BD) >> 8) & 0xFF.
const DESCRIPTOR = [0x60, 0x70, 0x73];
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MATCH_SEARCH_LIMIT = 12;

function writeLength(out, length) {
    for (; length >= 255; length -= 255) out.push(255);
    out.push(length);
}

function sequence(out, source, literalStart, literalEnd, offset, matchLength) {
    const literals = literalEnd - literalStart;
    const extra = matchLength - MIN_MATCH;
    out.push((Math.min(literals, 15) << 4) | (offset === 0 ? 0 : Math.min(extra, 15)));
    if (literals >= 15) writeLength(out, literals - 15);
    for (let i = literalStart; i < literalEnd; i++) out.push(source[i]);
    if (offset === 0) return;
    out.push(offset & 0xff, offset >> 8);
    if (extra >= 15) writeLength(out, extra - 15);
}

/** One LZ4 block: literal runs and back-references, the last bytes always literals as the format requires. */
function compressBlock(source) {
    const out = [];
    const table = new Int32Array(1 << 16).fill(-1);
    const read32 = p => (source[p] | (source[p + 1] << 8) | (source[p + 2] << 16) | (source[p + 3] << 24)) >>> 0;
    let anchor = 0;
    let i = 0;
    while (i < source.length - MATCH_SEARCH_LIMIT) {
        const word = read32(i);
        const slot = Math.imul(word, 2654435761) >>> 16;
        const candidate = table[slot];
        table[slot] = i;
        if (candidate >= 0 && i - candidate <= 0xffff && read32(candidate) === word) {
            let length = MIN_MATCH;
            while (i + length < source.length - LAST_LITERALS && source[candidate + length] === source[i + length]) length++;
            sequence(out, source, anchor, i, i - candidate, length);
            i += length;
            anchor = i;
        } else {
            i++;
        }
    }
    sequence(out, source, anchor, source.length, 0, 0);
    return Uint8Array.from(out);
}

export function lz4Frame(data) {
    const block = compressBlock(data);
    const size = block.length;
    const header = [...MAGIC, ...DESCRIPTOR, size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0x7f];
    const frame = new Uint8Array(header.length + size + 4);
    frame.set(header, 0);
    frame.set(block, header.length);
    return frame;
}
