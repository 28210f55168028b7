// The Requests page's state: filters, and cursor paging through the log, newest first.
import type { LogFilters, LogsApi, RequestLogEntry } from '$lib/api/logs';

export const PAGE_SIZE = 50;

export class RequestLogStore {
	filters = $state<{ provider: string; model: string; status: string; errors: boolean }>({
		provider: '',
		model: '',
		status: '',
		errors: false
	});
	items = $state<RequestLogEntry[]>([]);
	loading = $state(false);
	error = $state<string | null>(null);
	/** Cursors of the pages before this one (null: the newest page), for going back. */
	#history = $state<(number | null)[]>([]);
	#cursor: number | null = null;
	#next = $state<number | null>(null);

	readonly #api: LogsApi;
	readonly #limit: number;

	constructor(api: LogsApi, limit = PAGE_SIZE) {
		this.#api = api;
		this.#limit = limit;
	}

	get hasNewer(): boolean {
		return this.#history.length > 0;
	}

	get hasOlder(): boolean {
		return this.#next !== null;
	}

	/** 1 for the newest page. */
	get pageNumber(): number {
		return this.#history.length + 1;
	}

	/** The filters as the API takes them; blank ones left out. */
	query(): LogFilters {
		const { provider, model, status, errors } = this.filters;
		return { provider: provider.trim() || null, model: model.trim() || null, status: status || null, errors };
	}

	/** Back to the newest page, with the filters as they are now. */
	async reload(): Promise<void> {
		this.#history = [];
		await this.#show(null);
	}

	async older(): Promise<void> {
		if (this.#next === null) return;
		const from = this.#cursor;
		if (await this.#show(this.#next)) this.#history = [...this.#history, from];
	}

	async newer(): Promise<void> {
		if (!this.#history.length) return;
		const back = this.#history.at(-1)!;
		if (await this.#show(back)) this.#history = this.#history.slice(0, -1);
	}

	async #show(cursor: number | null): Promise<boolean> {
		this.loading = true;
		this.error = null;
		try {
			const page = await this.#api.page(this.query(), cursor, this.#limit);
			this.items = page.items;
			this.#next = page.next_cursor;
			this.#cursor = cursor;
			return true;
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
			return false;
		} finally {
			this.loading = false;
		}
	}
}
