// The provider settings API (/api/settings/providers), typed from the generated schema.
import type { ApiClient } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type ApiType = Schemas['ApiType'];
export type BackendType = Schemas['BackendType'];
export type ProviderDefaults = Schemas['ProviderDefaults'];
export type ProviderPublic = Schemas['ProviderPublic'];
export type ProviderCreate = Schemas['ProviderCreate'];
export type ProviderUpdate = Schemas['ProviderUpdate'];
export type ConnectionTestResult = Schemas['ConnectionTestResult'];
export type ModelPrice = Schemas['ModelPrice'];

const BASE = '/api/settings/providers';

export class ProvidersApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	async defaults(): Promise<ProviderDefaults[]> {
		const body = await this.#client.get<Schemas['ProviderDefaultsList']>(`${BASE}/defaults`);
		return body.providers;
	}

	async list(): Promise<ProviderPublic[]> {
		const body = await this.#client.get<Schemas['ProviderList']>(BASE);
		return body.providers;
	}

	create(body: ProviderCreate): Promise<ProviderPublic> {
		return this.#client.post<ProviderPublic>(BASE, body);
	}

	update(id: number, body: ProviderUpdate): Promise<ProviderPublic> {
		return this.#client.patch<ProviderPublic>(`${BASE}/${id}`, body);
	}

	remove(id: number): Promise<void> {
		return this.#client.delete(`${BASE}/${id}`);
	}

	test(id: number): Promise<ConnectionTestResult> {
		return this.#client.post<ConnectionTestResult>(`${BASE}/${id}/test`);
	}
}

/** How a saved key is shown: never the key, only its last four characters. */
export function maskedKey(provider: Pick<ProviderPublic, 'has_key' | 'key_last4'>): string | null {
	if (!provider.has_key) return null;
	return `••••${provider.key_last4 ?? ''}`;
}

const PROTOCOL_LABELS: Record<ApiType, string> = {
	openai: 'OpenAI protocol',
	anthropic: 'Anthropic protocol',
	openai_responses: 'OpenAI Responses API'
};

export function protocolLabel(apiType: ApiType): string {
	return PROTOCOL_LABELS[apiType];
}
