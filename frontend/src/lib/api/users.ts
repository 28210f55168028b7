// The user accounts API (/api/users, admins only): list, approve, change role, delete.
import type { ApiClient } from './client';
import type { components } from './schema';
import type { Role, UserPublic } from './auth';

export type { Role, UserPublic };
export type UserStatus = components['schemas']['UserStatus'];

const BASE = '/api/users';

export class UsersApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	async list(): Promise<UserPublic[]> {
		return (await this.#client.get<components['schemas']['UserList']>(BASE)).users;
	}

	approve(id: number): Promise<UserPublic> {
		return this.#client.post<UserPublic>(`${BASE}/${id}/approve`);
	}

	/** The last admin cannot be demoted: 409. */
	setRole(id: number, role: Role): Promise<UserPublic> {
		const body: components['schemas']['RoleChange'] = { role };
		return this.#client.put<UserPublic>(`${BASE}/${id}/role`, body);
	}

	/** The last admin cannot be removed: 409. */
	remove(id: number): Promise<void> {
		return this.#client.delete(`${BASE}/${id}`);
	}
}
