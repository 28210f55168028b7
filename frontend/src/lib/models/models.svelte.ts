// The Models page's state: the local catalogue, the engine, and downloads followed live.
import type { Download, DownloadEvent, EngineStatus, LocalModel, ModelsApi } from '$lib/api/models';
import { applyDownload, isRunning, withoutDownload } from './downloads';

export type ModelAction = 'load' | 'unload' | 'pin' | 'unpin';

export const ACTION_LABELS: Record<ModelAction, string> = {
	load: 'Loading',
	unload: 'Unloading',
	pin: 'Pinning',
	unpin: 'Unpinning'
};

export class ModelsStore {
	models = $state<LocalModel[]>([]);
	engine = $state<EngineStatus | null>(null);
	downloads = $state<Download[]>([]);
	loading = $state(true);
	loadError = $state<string | null>(null);
	/** Model name → the action running on it. */
	busy = $state<Record<string, ModelAction>>({});
	/** Model name → why its last action failed. */
	errors = $state<Record<string, string>>({});
	starting = $state(false);
	downloadError = $state<string | null>(null);

	readonly #api: ModelsApi;
	// Closes every download stream when the page goes away; the downloads themselves go on.
	readonly #controller = new AbortController();

	constructor(api: ModelsApi) {
		this.#api = api;
	}

	/** Load everything, and follow the downloads already running (after a reload, say). */
	async init(): Promise<void> {
		this.loading = true;
		this.loadError = null;
		try {
			const [, downloads] = await Promise.all([this.refresh(), this.#api.downloads()]);
			this.downloads = downloads;
			for (const download of downloads.filter(isRunning)) {
				this.#follow(this.#api.follow(download.id, this.#controller.signal)).catch((e) => this.#lost(e));
			}
		} catch (error) {
			this.loadError = message(error);
		} finally {
			this.loading = false;
		}
	}

	async refresh(): Promise<void> {
		[this.models, this.engine] = await Promise.all([this.#api.list(), this.#api.status()]);
	}

	async act(name: string, action: ModelAction): Promise<void> {
		this.busy[name] = action;
		delete this.errors[name];
		try {
			const model = await this.#api[action](name);
			this.models = this.models.map((m) => (m.name === name ? model : m));
			// Loading one model may have evicted another: read everything back.
			await this.refresh();
		} catch (error) {
			this.errors[name] = message(error);
		} finally {
			delete this.busy[name];
		}
	}

	/** Delete a model's files; throws, so that the confirm dialog can show why it failed. */
	async remove(name: string): Promise<void> {
		await this.#api.remove(name);
		this.models = this.models.filter((m) => m.name !== name);
		delete this.errors[name];
		this.engine = await this.#api.status();
	}

	/** Start a download; answers once the server accepted it (its first progress event). */
	async startDownload(repoId: string, revision: string | null): Promise<boolean> {
		this.starting = true;
		this.downloadError = null;
		let started = false;
		let markStarted!: () => void;
		const first = new Promise<void>((resolve) => (markStarted = resolve));
		const events = this.#api.download(repoId.trim(), revision?.trim() || null, this.#controller.signal);
		const following = this.#follow(events, () => {
			started = true;
			markStarted();
		});
		// Before the first event the failure is the caller's (below); after it, the stream broke off.
		following.catch((error) => {
			if (started) return this.#lost(error);
		});
		try {
			await Promise.race([first, following]);
			return true;
		} catch (error) {
			this.downloadError = message(error);
			return false;
		} finally {
			this.starting = false;
		}
	}

	/** Cancel a running download; its stream then reports `cancelled`. */
	async cancel(id: string): Promise<void> {
		try {
			this.downloads = applyDownload(this.downloads, await this.#api.cancel(id));
		} catch (error) {
			this.downloadError = message(error);
		}
	}

	/** Forget a finished download. */
	async dismiss(id: string): Promise<void> {
		try {
			await this.#api.cancel(id);
			this.downloads = withoutDownload(this.downloads, id);
		} catch (error) {
			this.downloadError = message(error);
		}
	}

	destroy(): void {
		this.#controller.abort();
	}

	async #follow(events: AsyncGenerator<DownloadEvent>, started?: () => void): Promise<void> {
		let running = false;
		for await (const { download } of events) {
			started?.();
			started = undefined;
			running = isRunning(download);
			this.downloads = applyDownload(this.downloads, download);
			if (download.status === 'done') await this.refresh();
		}
		// The stream ended before the download did (a proxy cut it, say).
		if (running) await this.#lost(new Error('the progress stream ended early'));
	}

	// A progress stream broke off: the list says where the downloads stand now.
	async #lost(error: unknown): Promise<void> {
		if (this.#controller.signal.aborted) return;
		try {
			for (const download of await this.#api.downloads()) this.downloads = applyDownload(this.downloads, download);
		} catch {
			this.downloadError = `Lost the progress of a download: ${message(error)}`;
		}
	}
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
