// Writes a centroid file with apache-arrow for JavaScript, an Arrow implementation independent of the C# one, and the
// values it holds (as IEEE-754 bit patterns, so the comparison is exact) beside it:
//   node tests/interop/centroids/write-centroids.mjs [output-directory]
// Defaults to tests/interop/centroids/fixtures. Run it again only when the centroid schema changes, then commit both
// files: the xunit test CentroidInteropTests reads the Arrow file with CentroidFile.Read and checks every value.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Field, FixedSizeList, Float32, Int32, Int64, RecordBatch, Schema, Struct, Table, makeData, tableToIPC,
} from 'apache-arrow';

const outputDirectory = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'fixtures'));
const dimension = 5;

// Values a careless writer or reader gets wrong: subnormals, −0, the extremes of float32, decimals without an exact
// binary form, and values that need nine significant digits to round-trip.
const centroids = [
  { clusterId: 2, size: 9007199254740993n, values: [1e-45, -0, 1e-38, 3.4028235e38, 0.1] },
  { clusterId: 0, size: 0n, values: [-3.4028235e38, 1.1754942e-38, 1.0000001, 16777215, Math.PI] },
  { clusterId: 3, size: 7n, values: [0.3, -1e-45, 123456.79, 2.5, -0.0001] },
  { clusterId: 1, size: 42n, values: [1 / 3, -2 / 3, 1e10, 5.877472e-39, -7.006492e-45] },
];
const loss = 0.1 + 0.2;
const metadata = new Map([
  ['k', String(centroids.length)],
  ['dimension', String(dimension)],
  ['distance', 'cosine'],
  ['loss', String(loss)],
  ['iterations', '17'],
  ['seed', '-123456789'],
  ['module_version', '9.8.7-js'],
  ['source', 'apache-arrow-js'],
]);

const centroidType = new FixedSizeList(dimension, new Field('item', new Float32(), false));
const schema = new Schema([
  new Field('cluster_id', new Int32(), false),
  new Field('size', new Int64(), false),
  new Field('centroid', centroidType, false),
], metadata);

// Two record batches, clusters out of order: readers must gather every batch and place rows by cluster_id.
function batch(rows) {
  const length = rows.length;
  const values = Float32Array.from(rows.flatMap((row) => row.values));
  const columns = [
    makeData({ type: new Int32(), length, nullCount: 0, data: Int32Array.from(rows, (row) => row.clusterId) }),
    makeData({ type: new Int64(), length, nullCount: 0, data: BigInt64Array.from(rows, (row) => row.size) }),
    makeData({
      type: centroidType, length, nullCount: 0,
      child: makeData({ type: new Float32(), length: values.length, nullCount: 0, data: values }),
    }),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns }));
}

const table = new Table(schema, [batch(centroids.slice(0, 2)), batch(centroids.slice(2))]);
mkdirSync(outputDirectory, { recursive: true });
writeFileSync(join(outputDirectory, 'js-centroids.arrow'), tableToIPC(table, 'file'));

const hex32 = (value) => '0x' + new Uint32Array(Float32Array.of(value).buffer)[0].toString(16).padStart(8, '0');
const hex64 = (value) => '0x' + new BigUint64Array(Float64Array.of(value).buffer)[0].toString(16).padStart(16, '0');
const expected = {
  k: centroids.length,
  dimension,
  distance: 'cosine',
  lossBits: hex64(loss),
  iterations: 17,
  seed: -123456789,
  moduleVersion: '9.8.7-js',
  metadata: { source: 'apache-arrow-js' },
  centroids: [...centroids]
    .sort((a, b) => a.clusterId - b.clusterId)
    .map((row) => ({ clusterId: row.clusterId, size: String(row.size), bits: row.values.map(hex32) })),
};
writeFileSync(join(outputDirectory, 'js-centroids.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${join(outputDirectory, 'js-centroids.arrow')} and js-centroids.expected.json`);
