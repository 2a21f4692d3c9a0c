// Reads an assignment Arrow IPC file (or stream) with apache-arrow for JavaScript and prints, as JSON, the schema
// (field names and types) and every row: row_index as a decimal string (it is uint64), rank when present, cluster_id,
// and distance as its IEEE-754 bit pattern so that a comparison is exact:
//   node tests/interop/assignments/read-assignments.mjs <file.arrow>
// The xunit test AssignmentFileTests runs it on files written by AssignmentFileWriter.
import { readTableFromArgument, typeName } from '../arrow-reading.mjs';

const table = readTableFromArgument('read-assignments.mjs');

const column = (name) => table.getChild(name);
const rowIndex = column('row_index');
const rank = column('rank');
const clusterId = column('cluster_id');
const distance = column('distance');
const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
const rows = [];
for (let i = 0; i < table.numRows; i++) {
  asFloat[0] = distance.get(i);
  rows.push({
    rowIndex: rowIndex.get(i).toString(),
    rank: rank ? rank.get(i) : null,
    clusterId: clusterId.get(i),
    distanceBits: '0x' + bits[0].toString(16).padStart(8, '0'),
  });
}
console.log(JSON.stringify({
  fields: table.schema.fields.map((field) => ({ name: field.name, type: typeName(field.type) })),
  rows,
}));
