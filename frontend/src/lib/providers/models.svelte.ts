// The model names each provider lists, read once per page and shared by every field that offers
// them; a refresh asks the gateway to fetch one provider's list again.
import type { ListedModel, ProviderModels, ProviderModelsApi } from '$lib/api/providerModels';

export class ProviderModelCatalog {
	/** Provider id → its list; empty until the first answer. */
	byProvider = $state.raw<ReadonlyMap<number, ProviderModels>>(new Map());
	/** Why the lists could not be read at all (the gateway, not a provider). */
	error = $state<string | null>(null);
	/** Provider ids whose refresh is on its way. */
	refreshing = $state.raw<ReadonlySet<number>>(new Set());

	readonly #api: Pick<ProviderModelsApi, 'list' | 'refresh'>;
	#loading: Promise<void> | null = null;

	constructor(api: Pick<ProviderModelsApi, 'list' | 'refresh'>) {
		this.#api = api;
	}

	/** Read every list; later calls reuse the first read (a failed one is tried again). */
	load(): Promise<void> {
		this.#loading ??= this.#read();
		return this.#loading;
	}

	async #read(): Promise<void> {
		try {
			const lists = await this.#api.list();
			this.byProvider = new Map(lists.map((l) => [l.provider_id, l]));
			this.error = null;
		} catch (error) {
			this.error = reason(error);
			this.#loading = null;
		}
	}

	get(providerId: number): ProviderModels | undefined {
		return this.byProvider.get(providerId);
	}

	/** Have the gateway fetch one provider's list again; a failure shows as that list's error. */
	async refresh(providerId: number): Promise<void> {
		if (this.refreshing.has(providerId)) return;
		this.refreshing = new Set([...this.refreshing, providerId]);
		try {
			const list = await this.#api.refresh(providerId);
			this.byProvider = new Map([...this.byProvider, [providerId, list]]);
		} catch (error) {
			const before = this.byProvider.get(providerId);
			this.byProvider = new Map([...this.byProvider, [providerId, failed(providerId, before, reason(error))]]);
		} finally {
			const rest = new Set(this.refreshing);
			rest.delete(providerId);
			this.refreshing = rest;
		}
	}
}

/** A short word on a list that offers no names, or null where it offers some. */
export function listHint(list: ProviderModels | undefined): string | null {
	if (!list) return null;
	switch (list.status) {
		case 'unlisted':
			return 'This provider publishes no model list: type the name.';
		case 'unavailable':
			return `Could not fetch its model list: ${list.error ?? 'no reason given'}.`;
		case 'pending':
			return 'Its model list is still being fetched.';
		case 'ok':
			return list.models.length ? null : 'Its model list is empty.';
	}
}

/** How a listed model is described beside its name: its display name and context length. */
export function modelLabel(model: ListedModel): string {
	const parts = [];
	if (model.display_name && model.display_name !== model.id) parts.push(model.display_name);
	if (model.context_length) parts.push(`${model.context_length.toLocaleString('en')} tokens`);
	return parts.join(' · ');
}

function failed(providerId: number, before: ProviderModels | undefined, error: string): ProviderModels {
	return {
		provider_id: providerId,
		provider: before?.provider ?? `#${providerId}`,
		status: 'unavailable',
		error,
		fetched_at: before?.fetched_at ?? null,
		models: before?.models ?? []
	};
}

function reason(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
