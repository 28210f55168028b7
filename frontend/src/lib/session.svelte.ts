// The signed-in state: the admin token in localStorage, and the client that sends it.
import { ApiClient } from '$lib/api/client';

export const TOKEN_KEY = 'mlx-manager.token';

export class Session {
	token = $state<string | null>(null);
	/** Set when the server refused the token, so the sign-in page can say why it is shown. */
	expired = $state(false);

	private readonly storage: Storage | null;

	constructor(storage: Storage | null) {
		this.storage = storage;
		this.token = storage?.getItem(TOKEN_KEY) ?? null;
	}

	signIn(token: string): void {
		this.storage?.setItem(TOKEN_KEY, token);
		this.token = token;
		this.expired = false;
	}

	signOut(): void {
		this.storage?.removeItem(TOKEN_KEY);
		this.token = null;
	}

	/** The server answered 401: forget the token; the layout then shows the sign-in page. */
	expire(): void {
		this.signOut();
		this.expired = true;
	}

	client(fetchImpl?: typeof fetch): ApiClient {
		return new ApiClient({
			token: () => this.token,
			onUnauthorized: () => this.expire(),
			fetch: fetchImpl
		});
	}
}

function browserStorage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}

export const session = new Session(browserStorage());
export const api = session.client();
