// Writes Arrow IPC fixtures for the KMeans vector readers with an independent Arrow implementation (apache-arrow
// for JavaScript), plus expected.json holding the rows each fixture must read back as. The fixtures and expected.json
// are committed, so the C# tests never need node; rerun this script only to regenerate them:
//   cd tests/interop && npm install && node vectors/generate.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    CompressionType, Field, FixedSizeList, Float16, Float32, Float64, Int32, List, RecordBatch,
    RecordBatchFileWriter, RecordBatchStreamWriter, Table, compressionRegistry, makeData, makeVector, vectorFromArray,
} from 'apache-arrow';
import { lz4Frame } from './lz4-frame.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');

// Values are multiples of 1/4 between -8 and 8, exact in float16, float32 and float64, so every reader must return
// them bit for bit.
function rows(count, dimension, nullRows = []) {
    return Array.from({ length: count }, (_, r) =>
        nullRows.includes(r) ? null : Array.from({ length: dimension }, (_, j) => (((r * 7 + j * 3) % 64) - 32) / 4));
}

// Few distinct rows repeated, so that LZ4 finds matches and really compresses the buffers.
function repetitiveRows(count, dimension) {
    return Array.from({ length: count }, (_, r) => Array.from({ length: dimension }, (_, j) => ((r % 3) * 8 + j) / 4));
}

function validity(values) {
    const bitmap = new Uint8Array(Math.ceil(values.length / 8));
    values.forEach((row, i) => { if (row !== null) bitmap[i >> 3] |= 1 << (i & 7); });
    return bitmap;
}

function childData(values, dimension, elementType, fillNulls) {
    const flat = values.flatMap(row => row ?? (fillNulls ? new Array(dimension).fill(0) : []));
    return vectorFromArray(flat, elementType).data[0];
}

function fixedSizeList(values, dimension, elementType) {
    return makeData({
        type: new FixedSizeList(dimension, new Field('item', elementType, true)),
        length: values.length,
        nullCount: values.filter(row => row === null).length,
        nullBitmap: validity(values),
        child: childData(values, dimension, elementType, true),
    });
}

function list(values, elementType) {
    const offsets = new Int32Array(values.length + 1);
    values.forEach((row, i) => { offsets[i + 1] = offsets[i] + (row?.length ?? 0); });
    return makeData({
        type: new List(new Field('item', elementType, true)),
        length: values.length,
        nullCount: values.filter(row => row === null).length,
        nullBitmap: validity(values),
        valueOffsets: offsets,
        child: childData(values, 0, elementType, false),
    });
}

function ids(first, count) {
    return vectorFromArray(Array.from({ length: count }, (_, i) => first + i), new Int32()).data[0];
}

/** A table of record batches of at most batchRows rows, with an "id" column beside the vector column. */
function table(values, batchRows, column, build) {
    const batches = [];
    for (let first = 0; first < values.length; first += batchRows) {
        const slice = values.slice(first, first + batchRows);
        batches.push(new RecordBatch({ id: makeVector(ids(first, slice.length)), [column]: makeVector(build(slice)) }));
    }
    return new Table(batches);
}

const expected = [];

function write(name, values, { batchRows = 16, column = 'embedding', stream = false, compression = null, expectedError = null, build }) {
    const options = compression === null ? {} : { compressionType: compression };
    const writer = stream ? RecordBatchStreamWriter : RecordBatchFileWriter;
    const bytes = writer.writeAll(table(values, batchRows, column, build), options).toUint8Array(true);
    writeFileSync(join(fixtures, name), bytes);
    expected.push({
        file: name, column, dimension: values.find(row => row !== null).length, rowCount: values.length,
        ...(expectedError === null ? {} : { expectedError }), rows: values,
    });
}

compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: lz4Frame });

write('fixed-float32.arrow', rows(37, 5, [4]), { build: v => fixedSizeList(v, 5, new Float32()) });
write('fixed-float64.arrow', rows(29, 6), { batchRows: 10, build: v => fixedSizeList(v, 6, new Float64()) });
write('fixed-float16.arrow', rows(21, 4), { build: v => fixedSizeList(v, 4, new Float16()) });
write('fixed-float32.arrows', rows(33, 3, [0, 32]), { stream: true, build: v => fixedSizeList(v, 3, new Float32()) });
write('list-float32.arrow', rows(25, 7, [3]), { column: 'vector', batchRows: 9, build: v => list(v, new Float32()) });
// apache-arrow 21.2.0 writes each compressed buffer's *compressed* length where the format requires the uncompressed
// one (apache/arrow-js#470, fixed after 21.2.0), so no conforming reader can size the decompressed buffers: these
// two files must be rejected as invalid, not crash. Compressed files that follow the format are covered by the C#
// tests, which write LZ4 and ZSTD bodies with Apache.Arrow for .NET. When the pinned version carries the fix, drop
// expectedError and the readers must return the rows.
const wrongPrefix = { compression: CompressionType.LZ4_FRAME, expectedError: 'InvalidFile' };
write('js-lz4-wrong-length-prefix.arrow', repetitiveRows(90, 16), { ...wrongPrefix, batchRows: 40, build: v => fixedSizeList(v, 16, new Float32()) });
write('js-lz4-wrong-length-prefix.arrows', repetitiveRows(60, 8), { ...wrongPrefix, stream: true, batchRows: 25, build: v => fixedSizeList(v, 8, new Float32()) });

// One row per line keeps the file small yet readable in a diff.
const json = expected.map(({ rows: values, ...fixture }) =>
    `  ${JSON.stringify(fixture).slice(0, -1)}, "rows": [\n${values.map(row => '    ' + JSON.stringify(row)).join(',\n')}\n  ]}`);
writeFileSync(join(fixtures, 'expected.json'), `{"generator": "apache-arrow (JavaScript)", "fixtures": [\n${json.join(',\n')}\n]}\n`);
console.log(`wrote ${expected.length} fixtures and expected.json to ${fixtures}`);
