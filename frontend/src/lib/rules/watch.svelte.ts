// Target health, read again every few seconds while the page is visible (and at once on return).
import type { RulesApi, TargetHealth } from '$lib/api/rules';

export const HEALTH_REFRESH_MS = 5000;

export class HealthWatch {
	/** Target key → its latest health; null until the first answer. */
	byKey = $state.raw<ReadonlyMap<string, TargetHealth> | null>(null);
	list = $state.raw<TargetHealth[]>([]);
	error = $state<string | null>(null);

	readonly #api: Pick<RulesApi, 'health'>;
	#running: Promise<void> | null = null;

	constructor(api: Pick<RulesApi, 'health'>) {
		this.#api = api;
	}

	/** Read the health list; a call while one is on its way joins it. */
	refresh(): Promise<void> {
		this.#running ??= this.#read().finally(() => (this.#running = null));
		return this.#running;
	}

	async #read(): Promise<void> {
		try {
			const list = await this.#api.health();
			this.list = list;
			this.byKey = new Map(list.map((h) => [h.key, h]));
			this.error = null;
		} catch (error) {
			// Keep the last figures on screen; the page says they may be stale.
			this.error = error instanceof Error ? error.message : String(error);
		}
	}

	/** Refresh now and every `intervalMs` while the document is visible; returns the stop. */
	watch(intervalMs = HEALTH_REFRESH_MS, doc: Document = document): () => void {
		const tick = () => {
			if (doc.visibilityState === 'visible') void this.refresh();
		};
		const timer = setInterval(tick, intervalMs);
		doc.addEventListener('visibilitychange', tick);
		tick();
		return () => {
			clearInterval(timer);
			doc.removeEventListener('visibilitychange', tick);
		};
	}
}
