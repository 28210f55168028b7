// The provider model lists API (/api/settings/provider-models), typed from the generated schema.
import type { ApiClient } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
/** One provider's list: `ok`, `unlisted` (no models list), `unavailable` (`error` says why) or `pending`. */
export type ProviderModels = Schemas['ProviderModelsPublic'];
export type ListedModel = Schemas['ListedModelPublic'];

const BASE = '/api/settings/provider-models';

export class ProviderModelsApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	/** Every provider's list as the gateway last fetched it. */
	async list(): Promise<ProviderModels[]> {
		return (await this.#client.get<Schemas['ProviderModelsList']>(BASE)).providers;
	}

	/** One provider's list, fetched from the provider again now. */
	refresh(providerId: number): Promise<ProviderModels> {
		return this.#client.post<ProviderModels>(`${BASE}/${providerId}/refresh`);
	}
}
