// Who is signed in, and the client that carries it. An account signs in with its username and
// password: its session lives in the HttpOnly cookie the server sets, which this code never reads.
// The admin token (automation, recovery) is the alternative: kept in localStorage, sent as a bearer.
import { AuthApi, type Me, type UserPublic } from '$lib/api/auth';
import { ApiClient, ApiError } from '$lib/api/client';

export const TOKEN_KEY = 'mlx-manager.token';

/** `checking` until the server has said who this browser is; `unreachable` when it could not. */
export type SessionState = 'checking' | 'signed-in' | 'signed-out' | 'unreachable';
/** Why the sign-in page is shown again: the stored token was refused, or the session ended. */
export type Ended = 'token' | 'session' | null;

export const COOKIE_REFUSED =
	'Signed in, but this browser did not keep the session cookie. The server marks it Secure: open' +
	' the UI over HTTPS (or on localhost), or start the server with MLX_MANAGER_COOKIE_SECURE=false' +
	' on a trusted network.';

export class Session {
	/** The admin token, when signed in with it; null for an account (its cookie does the work). */
	token = $state<string | null>(null);
	me = $state<Me | null>(null);
	state = $state<SessionState>('checking');
	ended = $state<Ended>(null);
	/** Why the server could not be asked (`unreachable`). */
	error = $state<string | null>(null);

	readonly #storage: Storage | null;
	readonly #fetch: typeof fetch | undefined;
	// Counts sign-ins and sign-outs, so that a slow restore cannot undo one made meanwhile.
	#changes = 0;

	constructor(storage: Storage | null, fetchImpl?: typeof fetch) {
		this.#storage = storage;
		this.#fetch = fetchImpl;
		this.token = storage?.getItem(TOKEN_KEY) ?? null;
	}

	get isAdmin(): boolean {
		return this.me?.role === 'admin';
	}

	/** The username, or "admin token". */
	get who(): string {
		return this.me?.user?.username ?? 'admin token';
	}

	/** Ask the server who this browser is: the stored admin token, or else the session cookie. */
	async restore(): Promise<void> {
		this.state = 'checking';
		this.error = null;
		const changes = this.#changes;
		try {
			const me = await this.#auth(this.token).me();
			if (changes === this.#changes) this.#signedIn(me);
		} catch (error) {
			if (changes !== this.#changes) return;
			if (error instanceof ApiError && error.status === 401) {
				this.#forget(this.token ? 'token' : null);
			} else {
				this.state = 'unreachable';
				this.error = message(error);
			}
		}
	}

	/** Read the role again: after a 403, an admin may have changed it. */
	async recheck(): Promise<void> {
		if (this.state !== 'signed-in') return;
		try {
			this.me = await this.#auth(this.token).me();
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) this.expire();
		}
	}

	/** Sign in with the admin token, once the server has accepted it. */
	async signInWithToken(token: string): Promise<void> {
		const me = await this.#auth(token).me();
		this.#storage?.setItem(TOKEN_KEY, token);
		this.token = token;
		this.#signedIn(me);
	}

	/** Sign in with an account; throws the server's refusal (401 wrong password, 403 pending). */
	async signIn(username: string, password: string): Promise<void> {
		const auth = this.#auth(null);
		await auth.login(username, password);
		// The cookie is the session: make sure the browser kept it before counting on it.
		let me: Me;
		try {
			me = await auth.me();
		} catch (error) {
			throw error instanceof ApiError && error.status === 401 ? new ApiError(401, COOKIE_REFUSED) : error;
		}
		this.#storage?.removeItem(TOKEN_KEY);
		this.token = null;
		this.#signedIn(me);
	}

	/** Create an account. The first one is the admin and is signed in at once; later ones wait. */
	async signUp(username: string, password: string): Promise<UserPublic> {
		const user = await this.#auth(null).signUp(username, password);
		if (user.status === 'active') await this.signIn(username, password);
		return user;
	}

	/** End the session on the server (which clears the cookie) and forget the token here. */
	async signOut(): Promise<void> {
		await this.#auth(this.token).logout();
		this.#forget(null);
	}

	/** The server answered 401 to a signed-in request: the layout then shows the sign-in page. */
	expire(): void {
		if (this.state !== 'signed-in') return;
		this.#forget(this.token ? 'token' : 'session');
	}

	/** The client every page uses: a 401 signs out, a 403 reads the role again. */
	client(fetchImpl: typeof fetch | undefined = this.#fetch): ApiClient {
		return new ApiClient({
			token: () => this.token,
			onUnauthorized: () => this.expire(),
			onForbidden: () => void this.recheck(),
			fetch: fetchImpl
		});
	}

	// Sign-in calls answer 401 as a matter of course, so they go without the sign-out hook.
	#auth(token: string | null): AuthApi {
		return new AuthApi(new ApiClient({ token: () => token, onUnauthorized: () => {}, fetch: this.#fetch }));
	}

	#signedIn(me: Me): void {
		this.#changes++;
		this.me = me;
		this.state = 'signed-in';
		this.ended = null;
		this.error = null;
	}

	#forget(ended: Ended): void {
		this.#changes++;
		this.#storage?.removeItem(TOKEN_KEY);
		this.token = null;
		this.me = null;
		this.state = 'signed-out';
		this.ended = ended;
	}
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
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
