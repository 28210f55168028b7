// Generates src/lib/api/schema.d.ts from the server's OpenAPI schema; `--check` fails if stale.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, 'src/lib/api/schema.d.ts');
const python = process.env.PYTHON ?? resolve(root, '../.venv/bin/python');

const HEADER = `/**
 * Generated from the server's OpenAPI schema by \`npm run openapi:types\`. Do not edit.
 */

`;

export async function generate() {
	const json = execFileSync(python, [resolve(root, 'scripts/dump_openapi.py')], {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024
	});
	const ast = await openapiTS(JSON.parse(json));
	return HEADER + astToString(ast);
}

export function current() {
	try {
		return readFileSync(target, 'utf8');
	} catch {
		return '';
	}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const fresh = await generate();
	if (process.argv.includes('--check')) {
		if (fresh !== current()) {
			console.error('src/lib/api/schema.d.ts is stale: run `npm run openapi:types`.');
			process.exit(1);
		}
		console.log('src/lib/api/schema.d.ts is up to date.');
	} else {
		writeFileSync(target, fresh);
		console.log(`wrote ${target}`);
	}
}
