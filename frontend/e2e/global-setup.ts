// Starts the real server (with the built UI) and a fake upstream through e2e/serve.py.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.PYTHON ?? resolve(here, '../../.venv/bin/python');

export default async function globalSetup(): Promise<() => Promise<void>> {
	const child = spawn(python, [resolve(here, 'serve.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
	const exited = new Promise<never>((_, reject) =>
		child.once('exit', (code) => reject(new Error(`e2e/serve.py exited with ${code}`)))
	);
	const firstLine = new Promise<string>((done) => {
		createInterface({ input: child.stdout! }).once('line', done);
	});
	const info = JSON.parse(await Promise.race([firstLine, exited])) as {
		url: string;
		upstream: string;
		token: string;
	};
	process.env.E2E_URL = info.url;
	process.env.E2E_UPSTREAM = info.upstream;
	process.env.E2E_TOKEN = info.token;
	await Promise.race([waitForHealth(info.url), exited]);
	return async () => {
		child.kill('SIGTERM');
		await new Promise((done) => child.once('exit', done));
	};
}

async function waitForHealth(url: string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		try {
			if ((await fetch(`${url}/health`)).ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((done) => setTimeout(done, 100));
	}
	throw new Error(`the server at ${url} did not become healthy`);
}
