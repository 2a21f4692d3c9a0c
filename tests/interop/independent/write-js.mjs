// Writes the reference rows (raw little-endian float32, ROWS x DIMENSION) as apache-arrow for JavaScript and DuckDB
// write them, for the KMeans file tests. Usage: node write-js.mjs REFERENCE.f32 ROWS DIMENSION OUTPUT_DIRECTORY
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, FixedSizeList, Float32, Float64, Int32, List, Table, makeData, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';

const [rawPath, rowsText, dimensionText, out] = process.argv.slice(2);
const rows = Number(rowsText);
const dimension = Number(dimensionText);
const bytes = readFileSync(rawPath);
const values = new Float32Array(bytes.buffer, bytes.byteOffset, rows * dimension);

const itemField = new Field('item', new Float32(), false);
const listType = new FixedSizeList(dimension, itemField);
const items = makeData({ type: new Float32(), length: values.length, data: values });
const embeddings = makeVector(makeData({ type: listType, length: rows, nullCount: 0, child: items }));
const ids = vectorFromArray(Int32Array.from({ length: rows }, (_, i) => 1000 + i), new Int32());
const table = new Table({ id: ids, emb: embeddings });
writeFileSync(join(out, 'arrow-js.arrow'), tableToIPC(table, 'file'));
writeFileSync(join(out, 'arrow-js.arrows'), tableToIPC(table, 'stream'));

const doubles = Array.from({ length: rows }, (_, i) => Array.from(values.subarray(i * dimension, (i + 1) * dimension)));
const wide = new Table({ vec: vectorFromArray(doubles, new List(new Field('item', new Float64(), true))) });
writeFileSync(join(out, 'arrow-js-list-float64.arrow'), tableToIPC(wide, 'file'));
// A FixedSizeList of 0 values per row, which apache-arrow writes and the Arrow library for .NET refuses in the schema.
const noValues = makeData({ type: new Float32(), length: 0, data: new Float32Array(0) });
const zeroWide = makeVector(makeData({ type: new FixedSizeList(0, itemField), length: 5, nullCount: 0, child: noValues }));
writeFileSync(join(out, 'arrow-js-zero-width.arrow'), tableToIPC(new Table({ emb: zeroWide }), 'file'));

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const csv = join(out, 'numpy-commas.csv').replaceAll("'", "''");
const names = Array.from({ length: dimension }, (_, j) => `c${j}`);
const columnTypes = names.map((name) => `'${name}': 'DOUBLE'`).join(', ');
// DOUBLE first, then FLOAT: the nine-digit text numpy wrote parses to the float32 it came from.
await connection.run(`CREATE TABLE reference AS SELECT row_number() OVER () - 1 AS row_id, [${names.join(', ')}]::FLOAT[${dimension}] AS embedding FROM read_csv('${csv}', header = false, columns = {${columnTypes}})`);
const target = (name) => join(out, name).replaceAll("'", "''");
await connection.run(`COPY (SELECT row_id, embedding FROM reference ORDER BY row_id) TO '${target('duckdb-array-zstd.parquet')}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100)`);
await connection.run(`COPY (SELECT row_id, embedding::FLOAT[] AS embedding FROM reference ORDER BY row_id) TO '${target('duckdb-list-snappy.parquet')}' (FORMAT parquet, COMPRESSION snappy)`);
await connection.run(`COPY (SELECT embedding::DOUBLE[] AS embedding FROM reference ORDER BY row_id) TO '${target('duckdb-list-double.parquet')}' (FORMAT parquet)`);
// Row 7 null: DuckDB writes a null fixed-size array as one level entry per element, a null list as one entry.
await connection.run(`COPY (SELECT (CASE WHEN row_id = 7 THEN NULL ELSE embedding::FLOAT[] END)::FLOAT[${dimension}] AS embedding FROM reference ORDER BY row_id) TO '${target('duckdb-array-null-row.parquet')}' (FORMAT parquet)`);
await connection.run(`COPY (SELECT CASE WHEN row_id = 7 THEN NULL ELSE embedding::FLOAT[] END AS embedding FROM reference ORDER BY row_id) TO '${target('duckdb-list-null-row.parquet')}' (FORMAT parquet)`);
await connection.run(`COPY (SELECT CASE WHEN row_id = 0 THEN []::FLOAT[] ELSE embedding::FLOAT[] END AS embedding FROM reference ORDER BY row_id) TO '${target('duckdb-list-empty-first.parquet')}' (FORMAT parquet)`);
await connection.run(`COPY (SELECT embedding::FLOAT[] AS embedding FROM reference WHERE false) TO '${target('duckdb-list-no-rows.parquet')}' (FORMAT parquet)`);
// A centroid table as DuckDB exports one: ids, sizes and prices beside the vectors, the rows in another order
// (37 · id mod 300), across row groups; then an id given twice and an id missing.
await connection.run(`COPY (SELECT row_id::INTEGER AS cluster_id, (row_id * 3)::BIGINT AS size, embedding, (row_id * 0.5)::FLOAT AS price FROM reference ORDER BY (row_id * 37) % ${rows}) TO '${target('duckdb-ids.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 100)`);
await connection.run(`COPY (SELECT CASE WHEN row_id = 5 THEN 3 ELSE row_id END AS cluster_id, embedding FROM reference WHERE row_id < 9 ORDER BY row_id) TO '${target('duckdb-duplicate-id.parquet')}' (FORMAT parquet)`);
await connection.run(`COPY (SELECT CASE WHEN row_id = 4 THEN NULL ELSE row_id END AS cluster_id, embedding FROM reference WHERE row_id < 9 ORDER BY row_id) TO '${target('duckdb-null-id.parquet')}' (FORMAT parquet)`);
// Vectors beside data columns that happen to be named size and price, with no cluster_id: not a centroid table.
await connection.run(`COPY (SELECT 'M' AS size, 1.5::DOUBLE AS price, embedding FROM reference ORDER BY row_id) TO '${target('duckdb-data-columns.parquet')}' (FORMAT parquet)`);
connection.closeSync();
