// node --test: the shared vectors in Node (one test per case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { runAll } from './vectors.js';

const dir = new URL('../../../tests/vectors/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
const results = await runAll(files, async (f) => JSON.parse(await readFile(new URL(f, dir), 'utf8')));

for (const r of results) test(`vectors ${r.id}`, () => assert.ok(r.ok, r.error));
