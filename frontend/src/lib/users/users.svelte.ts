// The Users page's state: every account, pending ones first, and what an admin does to them.
import type { Role, UserPublic, UsersApi } from '$lib/api/users';

export type UserAction = 'approve' | 'role';

export class UsersStore {
	users = $state<UserPublic[]>([]);
	loading = $state(true);
	loadError = $state<string | null>(null);
	/** User id → the action running on it. */
	busy = $state<Record<number, UserAction>>({});
	/** User id → why its last action failed (the server's 409 for the last admin, say). */
	errors = $state<Record<number, string>>({});

	readonly #api: UsersApi;

	constructor(api: UsersApi) {
		this.#api = api;
	}

	get pendingCount(): number {
		return this.users.filter((u) => u.status === 'pending').length;
	}

	async load(): Promise<void> {
		this.loading = true;
		this.loadError = null;
		try {
			this.users = sortUsers(await this.#api.list());
		} catch (error) {
			this.loadError = message(error);
		} finally {
			this.loading = false;
		}
	}

	approve(id: number): Promise<boolean> {
		return this.#act(id, 'approve', () => this.#api.approve(id));
	}

	setRole(id: number, role: Role): Promise<boolean> {
		return this.#act(id, 'role', () => this.#api.setRole(id, role));
	}

	/** Delete an account; throws, so that the confirm dialog can show why (409: the last admin). */
	async remove(id: number): Promise<void> {
		await this.#api.remove(id);
		this.users = this.users.filter((u) => u.id !== id);
		delete this.errors[id];
	}

	async #act(id: number, action: UserAction, call: () => Promise<UserPublic>): Promise<boolean> {
		this.busy[id] = action;
		delete this.errors[id];
		try {
			const user = await call();
			this.users = sortUsers(this.users.map((u) => (u.id === id ? user : u)));
			return true;
		} catch (error) {
			this.errors[id] = message(error);
			return false;
		} finally {
			delete this.busy[id];
		}
	}
}

/** Those waiting for approval first, then by name. */
export function sortUsers(users: UserPublic[]): UserPublic[] {
	return [...users].sort(
		(a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || a.username.localeCompare(b.username)
	);
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
