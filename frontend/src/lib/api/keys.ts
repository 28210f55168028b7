// The gateway keys API (/api/keys, admins only). A key's secret comes back once, from `create`.
import type { ApiClient } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type GatewayKey = Schemas['KeyPublic'];
export type CreatedKey = Schemas['KeyCreated'];
export type KeyCreate = Schemas['KeyCreate'];
/** Fields left out stay as they are; `null` clears a limit or the expiry. */
export type KeyUpdate = Schemas['KeyUpdate'];

const BASE = '/api/keys';

export class KeysApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	async list(): Promise<GatewayKey[]> {
		return (await this.#client.get<Schemas['KeyList']>(BASE)).keys;
	}

	create(body: KeyCreate): Promise<CreatedKey> {
		return this.#client.post<CreatedKey>(BASE, body);
	}

	update(id: number, body: KeyUpdate): Promise<GatewayKey> {
		return this.#client.patch<GatewayKey>(`${BASE}/${id}`, body);
	}

	revoke(id: number): Promise<GatewayKey> {
		return this.#client.post<GatewayKey>(`${BASE}/${id}/revoke`);
	}

	remove(id: number): Promise<void> {
		return this.#client.delete(`${BASE}/${id}`);
	}
}
