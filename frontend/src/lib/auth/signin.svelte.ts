// The sign-in page's state: sign in with an account, create one, or use the admin token.
import { ApiError, type FieldErrors } from '$lib/api/client';
import type { Session } from '$lib/session.svelte';

export type SignInMode = 'account' | 'create' | 'token';

// The server's own rules for a new account (accounts/schemas.py), said plainly.
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$/;
export const USERNAME_RULE = '3 to 64 letters, digits or . _ @ -, starting with a letter or digit.';
export const PASSWORD_MIN = 8;

export const TOKEN_REFUSED = 'The server did not accept this token.';
export const PENDING =
	"Your account is created and waits for an admin's approval. Sign in once an admin has approved it.";

export class SignInFlow {
	mode = $state<SignInMode>('account');
	username = $state('');
	password = $state('');
	token = $state('');
	busy = $state(false);
	/** What went wrong, for the whole form. */
	error = $state<string | null>(null);
	/** Field name (`username`, `password`, `token`) → its message. */
	fields = $state<FieldErrors>({});
	/** The account exists but waits for approval (after sign-up, or a sign-in too early). */
	pending = $state<string | null>(null);

	readonly #session: Session;

	constructor(session: Session) {
		this.#session = session;
	}

	setMode(mode: SignInMode): void {
		this.mode = mode;
		this.error = null;
		this.fields = {};
		this.pending = null;
	}

	/** Answers true once signed in (the page then moves on). */
	async submit(): Promise<boolean> {
		this.error = null;
		this.pending = null;
		this.fields = this.#validate();
		if (Object.keys(this.fields).length) return false;
		this.busy = true;
		try {
			return await this.#run();
		} catch (error) {
			this.#refused(error);
			return false;
		} finally {
			this.busy = false;
		}
	}

	async #run(): Promise<boolean> {
		const username = this.username.trim();
		switch (this.mode) {
			case 'token':
				await this.#session.signInWithToken(this.token.trim());
				return true;
			case 'account':
				await this.#session.signIn(username, this.password);
				return true;
			case 'create': {
				const user = await this.#session.signUp(username, this.password);
				if (user.status === 'active') return true;
				// Waiting for approval: back to the sign-in form, name filled in, for later.
				this.mode = 'account';
				this.username = user.username;
				this.password = '';
				this.pending = PENDING;
				return false;
			}
		}
	}

	#validate(): FieldErrors {
		const fields: FieldErrors = {};
		if (this.mode === 'token') {
			if (!this.token.trim()) fields.token = 'Paste the admin token.';
			return fields;
		}
		const username = this.username.trim();
		if (!username) fields.username = 'Enter your username.';
		else if (this.mode === 'create' && !USERNAME.test(username)) fields.username = `Not a valid username: ${USERNAME_RULE}`;
		if (!this.password) fields.password = 'Enter your password.';
		else if (this.mode === 'create' && this.password.length < PASSWORD_MIN)
			fields.password = `Too short: use at least ${PASSWORD_MIN} characters.`;
		return fields;
	}

	#refused(error: unknown): void {
		if (!(error instanceof ApiError)) {
			this.error = error instanceof Error ? error.message : String(error);
			return;
		}
		if (this.mode === 'token' && error.status === 401) {
			this.error = TOKEN_REFUSED;
		} else if (this.mode === 'account' && error.status === 403) {
			// The server's words: the account is there but not approved yet.
			this.pending = error.message;
		} else if (this.mode === 'create' && error.status === 409) {
			this.fields = { username: error.message };
		} else if (error.status === 422 && Object.keys(error.fields).length) {
			this.fields = error.fields;
		} else {
			this.error = error.message;
		}
	}
}
