// The accounts API (/api/auth): sign up, sign in, sign out, and who the caller is.
import type { ApiClient } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type Role = Schemas['Role'];
export type UserPublic = Schemas['UserPublic'];
export type SignedIn = Schemas['SessionPublic'];

const BASE = '/api/auth';

export class AuthApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	/** The first account becomes an active admin; later ones come back `pending`. */
	signUp(username: string, password: string): Promise<UserPublic> {
		const body: Schemas['Credentials'] = { username, password };
		return this.#client.post<UserPublic>(`${BASE}/signup`, body);
	}

	/** Sets the HttpOnly session cookie; the token in the answer is for other clients. */
	login(username: string, password: string): Promise<SignedIn> {
		const body: Schemas['SignIn'] = { username, password };
		return this.#client.post<SignedIn>(`${BASE}/login`, body);
	}

	logout(): Promise<void> {
		return this.#client.request<void>('POST', `${BASE}/logout`);
	}

	me(): Promise<Me> {
		return this.#client.get<Me>(`${BASE}/me`);
	}
}
