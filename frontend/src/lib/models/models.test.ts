import { describe, expect, it, vi } from 'vitest';
import { ModelsApi } from '$lib/api/models';
import { download, engineStatus, localModel } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { openStream, sse, sseResponse, streamOf } from '$lib/testing/streams';
import { ModelsStore } from './models.svelte';

function setup(server: FakeServer) {
	return new ModelsStore(new ModelsApi(server.client()));
}

function basics(server: FakeServer, models = [localModel()]) {
	return server
		.on('GET /api/models', { status: 200, body: { models } })
		.on('GET /api/models/status', { status: 200, body: engineStatus })
		.on('GET /api/models/downloads', { status: 200, body: { downloads: [] } });
}

describe('ModelsStore', () => {
	it('loads the models and the engine status', async () => {
		const store = setup(basics(new FakeServer()));
		await store.init();
		expect(store.loading).toBe(false);
		expect(store.models.map((m) => m.name)).toEqual(['tiny-llama']);
		expect(store.engine?.max_models).toBe(2);
	});

	it('loads a model, then reads the list back (another may have been evicted)', async () => {
		const loaded = localModel({ loaded: true });
		const server = basics(new FakeServer()).on('POST /api/models/tiny-llama/load', { status: 200, body: loaded });
		const store = setup(server);
		await store.init();
		server.on('GET /api/models', { status: 200, body: { models: [loaded] } });
		await store.act('tiny-llama', 'load');
		expect(server.last('POST', '/api/models/tiny-llama/load')?.body).toEqual({ pin: false });
		expect(store.models[0]?.loaded).toBe(true);
		expect(store.busy).toEqual({});
		expect(server.calls.filter((c) => c.path === '/api/models/status')).toHaveLength(2);
	});

	it('keeps the slash of org/name paths and shows a failed action on its model', async () => {
		const server = basics(new FakeServer(), [localModel({ name: 'mlx-community/tiny' })]).on('POST /api/models/mlx-community/tiny/pin', {
			status: 507,
			body: { detail: 'Not enough memory to load mlx-community/tiny.' }
		});
		const store = setup(server);
		await store.init();
		await store.act('mlx-community/tiny', 'pin');
		expect(store.errors['mlx-community/tiny']).toBe('Not enough memory to load mlx-community/tiny.');
	});

	it('deletes a model', async () => {
		const server = basics(new FakeServer()).on('DELETE /api/models/tiny-llama', { status: 204 });
		const store = setup(server);
		await store.init();
		await store.remove('tiny-llama');
		expect(store.models).toEqual([]);
	});

	it('follows a download to the end and then lists the new model', async () => {
		const server = basics(new FakeServer()).on('POST /api/models/download', () =>
			sseResponse(
				streamOf([
					sse(download({ bytes_done: 0 }), 'progress'),
					sse(download({ bytes_done: 600 }), 'progress'),
					sse(download({ status: 'done', bytes_done: 1000, files_done: 3 }), 'done')
				])
			)
		);
		const store = setup(server);
		await store.init();
		server.on('GET /api/models', { status: 200, body: { models: [localModel(), localModel({ name: 'mlx-community/tiny' })] } });
		expect(await store.startDownload(' mlx-community/tiny ', '')).toBe(true);
		expect(server.last('POST', '/api/models/download')?.body).toEqual({ repo_id: 'mlx-community/tiny', revision: null });
		await vi.waitFor(() => expect(store.downloads[0]?.status).toBe('done'));
		await vi.waitFor(() => expect(store.models).toHaveLength(2));
	});

	it('shows why a download could not start', async () => {
		const server = basics(new FakeServer()).on('POST /api/models/download', {
			status: 404,
			body: { detail: "No model repo 'org/nope' on the Hugging Face Hub." }
		});
		const store = setup(server);
		await store.init();
		expect(await store.startDownload('org/nope', null)).toBe(false);
		expect(store.downloadError).toBe("No model repo 'org/nope' on the Hugging Face Hub.");
		expect(store.starting).toBe(false);
	});

	it('re-attaches to running downloads, and cancels one', async () => {
		let stream!: ReturnType<typeof openStream>;
		const server = basics(new FakeServer())
			.on('GET /api/models/downloads', { status: 200, body: { downloads: [download({ bytes_done: 100 }), download({ id: 'old', status: 'error', error: 'gone' })] } })
			.on('GET /api/models/downloads/d1/events', (call) => {
				stream = openStream(call.signal);
				return sseResponse(stream.body);
			})
			.on('DELETE /api/models/downloads/d1', { status: 200, body: download({ status: 'cancelled', bytes_done: 0 }) });
		const store = setup(server);
		await store.init();
		expect(store.downloads.map((d) => d.id)).toEqual(['d1', 'old']);
		await vi.waitFor(() => expect(stream).toBeDefined());
		stream.write(sse(download({ bytes_done: 400 }), 'progress'));
		await vi.waitFor(() => expect(store.downloads[0]?.bytes_done).toBe(400));

		await store.cancel('d1');
		expect(store.downloads[0]?.status).toBe('cancelled');
		stream.write(sse(download({ bytes_done: 450 }), 'progress'));
		stream.write(sse(download({ status: 'cancelled', bytes_done: 0 }), 'cancelled'));
		stream.close();
		await new Promise((r) => setTimeout(r, 10));
		expect(store.downloads[0]?.status).toBe('cancelled');
		store.destroy();
	});

	it('closes download streams when the page goes away', async () => {
		let signal: AbortSignal | null = null;
		const server = basics(new FakeServer())
			.on('GET /api/models/downloads', { status: 200, body: { downloads: [download()] } })
			.on('GET /api/models/downloads/d1/events', (call) => {
				signal = call.signal;
				return sseResponse(openStream(call.signal).body);
			});
		const store = setup(server);
		await store.init();
		await vi.waitFor(() => expect(signal).not.toBeNull());
		store.destroy();
		expect(signal!.aborted).toBe(true);
	});

	it('dismisses a finished download', async () => {
		const server = basics(new FakeServer())
			.on('GET /api/models/downloads', { status: 200, body: { downloads: [download({ status: 'error', error: 'gone' })] } })
			.on('DELETE /api/models/downloads/d1', { status: 200, body: download({ status: 'error' }) });
		const store = setup(server);
		await store.init();
		await store.dismiss('d1');
		expect(store.downloads).toEqual([]);
	});
});

describe('ModelsStore, when a progress stream ends early', () => {
	it('reads where the download stands from the list', async () => {
		const server = basics(new FakeServer())
			.on('POST /api/models/download', () => sseResponse(streamOf([sse(download({ bytes_done: 10 }), 'progress')])))
			.on('GET /api/models/downloads', { status: 200, body: { downloads: [] } }, { status: 200, body: { downloads: [download({ status: 'interrupted', bytes_done: 10, error: 'Server stopped' })] } });
		const store = setup(server);
		await store.init();
		await store.startDownload('mlx-community/tiny', null);
		await vi.waitFor(() => expect(store.downloads[0]?.status).toBe('interrupted'));
	});
});
