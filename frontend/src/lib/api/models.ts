// The local models API (/api/models): the catalogue, the engine, and downloads from the Hub.
import { readSse } from '$lib/sse/parser';
import type { ApiClient } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type LocalModel = Schemas['LocalModelPublic'];
export type EngineStatus = Schemas['EngineStatusPublic'];
export type LoadedModel = Schemas['LoadedModelPublic'];
export type Download = Schemas['DownloadPublic'];
export type DownloadStatus = Download['status'];

/** One event of a download's progress stream: `progress`, then `done`, `error` or `cancelled`. */
export interface DownloadEvent {
	event: string;
	download: Download;
}

const BASE = '/api/models';

// Names may hold a slash (`org/name`): each part is encoded, the slash kept.
function modelPath(name: string): string {
	return `${BASE}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

export class ModelsApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	async list(): Promise<LocalModel[]> {
		return (await this.#client.get<Schemas['LocalModelList']>(BASE)).models;
	}

	status(): Promise<EngineStatus> {
		return this.#client.get<EngineStatus>(`${BASE}/status`);
	}

	load(name: string): Promise<LocalModel> {
		return this.#client.post<LocalModel>(`${modelPath(name)}/load`, { pin: false });
	}

	unload(name: string): Promise<LocalModel> {
		return this.#client.post<LocalModel>(`${modelPath(name)}/unload`);
	}

	pin(name: string): Promise<LocalModel> {
		return this.#client.post<LocalModel>(`${modelPath(name)}/pin`);
	}

	unpin(name: string): Promise<LocalModel> {
		return this.#client.post<LocalModel>(`${modelPath(name)}/unpin`);
	}

	remove(name: string): Promise<void> {
		return this.#client.delete(modelPath(name));
	}

	async downloads(): Promise<Download[]> {
		return (await this.#client.get<Schemas['DownloadList']>(`${BASE}/downloads`)).downloads;
	}

	/** Cancel a running download (its partial files are deleted), or forget a finished one. */
	cancel(id: string): Promise<Download> {
		return this.#client.request<Download>('DELETE', `${BASE}/downloads/${encodeURIComponent(id)}`);
	}

	/** Start fetching `repoId` (or join the download already fetching it) and follow it. */
	async *download(repoId: string, revision: string | null, signal?: AbortSignal): AsyncGenerator<DownloadEvent> {
		const body: Schemas['DownloadRequest'] = { repo_id: repoId, revision: revision || null };
		yield* events(await this.#client.stream('POST', `${BASE}/download`, body, signal));
	}

	/** Follow a download already running (after a reload, say). */
	async *follow(id: string, signal?: AbortSignal): AsyncGenerator<DownloadEvent> {
		yield* events(await this.#client.stream('GET', `${BASE}/downloads/${encodeURIComponent(id)}/events`, undefined, signal));
	}
}

async function* events(response: Response): AsyncGenerator<DownloadEvent> {
	if (!response.body) return;
	for await (const { event, data } of readSse(response.body)) {
		yield { event: event ?? 'progress', download: JSON.parse(data) as Download };
	}
}
