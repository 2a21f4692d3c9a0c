// What the reader scripts share: the Arrow IPC file (or stream) named by the first argument, read with apache-arrow
// for JavaScript, and type names as the xunit tests compare them.
import { readFileSync } from 'node:fs';
import { Type, tableFromIPC } from 'apache-arrow';

export function readTableFromArgument(script) {
  const path = process.argv[2];
  if (!path) {
    console.error(`usage: node ${script} <file.arrow>`);
    process.exit(2);
  }
  return tableFromIPC(readFileSync(path));
}

export function typeName(type) {
  switch (type.typeId) {
    case Type.Int: return `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}`;
    case Type.Float: return ['float16', 'float32', 'float64'][type.precision];
    case Type.FixedSizeList: return `fixed_size_list[${type.listSize}]`;
    default: return String(type);
  }
}
