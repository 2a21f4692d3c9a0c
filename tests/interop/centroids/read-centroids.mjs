// Reads a centroid Arrow IPC file with apache-arrow for JavaScript and prints, as JSON, what an independent Arrow
// implementation finds in it: the schema (field names, types, nullability), the schema metadata, and every row with
// its float32 values as IEEE-754 bit patterns so that a comparison is exact:
//   node tests/interop/centroids/read-centroids.mjs <file.arrow>
// The xunit test CentroidInteropTests runs it on a file written by CentroidFile.Write.
import { readTableFromArgument, typeName } from '../arrow-reading.mjs';

const table = readTableFromArgument('read-centroids.mjs');

function describeField(field) {
  return {
    name: field.name,
    type: typeName(field.type),
    nullable: field.nullable,
    children: (field.type.children ?? []).map(describeField),
  };
}

const bits = (values) => Array.from(
  new Uint32Array(values.buffer, values.byteOffset, values.length),
  (word) => '0x' + word.toString(16).padStart(8, '0'));

const clusterIds = table.getChild('cluster_id');
const sizes = table.getChild('size');
const centroids = table.getChild('centroid');
const rows = [];
for (let row = 0; row < table.numRows; row++) {
  rows.push({
    clusterId: clusterIds.get(row),
    size: String(sizes.get(row)),
    bits: bits(centroids.get(row).toArray()),
  });
}

console.log(JSON.stringify({
  fields: table.schema.fields.map(describeField),
  metadata: Object.fromEntries(table.schema.metadata),
  batches: table.batches.length,
  rows,
}, null, 2));
