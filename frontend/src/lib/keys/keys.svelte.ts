// The Keys page's state: the gateway keys, the one just created (its secret, shown once), edits.
import { ApiError, type FieldErrors } from '$lib/api/client';
import type { CreatedKey, GatewayKey, KeysApi } from '$lib/api/keys';
import { changes, draftOf, parseDraft, topFields, type KeyDraft } from './draft';

/** A form's progress and what the server (or the draft's own checks) said about it. */
export interface FormState {
	busy: boolean;
	error: string | null;
	fields: FieldErrors;
}

function idle(): FormState {
	return { busy: false, error: null, fields: {} };
}

export class KeysStore {
	keys = $state<GatewayKey[]>([]);
	loading = $state(true);
	loadError = $state<string | null>(null);
	/** The key just created, with its secret: shown once, forgotten on `dismissCreated`. */
	created = $state<CreatedKey | null>(null);
	createForm = $state<FormState>(idle());
	/** The key whose limits are being edited, and that form's state. */
	editing = $state<number | null>(null);
	editForm = $state<FormState>(idle());

	readonly #api: KeysApi;

	constructor(api: KeysApi) {
		this.#api = api;
	}

	async load(): Promise<void> {
		this.loading = true;
		this.loadError = null;
		try {
			this.keys = await this.#api.list();
		} catch (error) {
			this.loadError = message(error);
		} finally {
			this.loading = false;
		}
	}

	/** Create a key; answers whether it worked (the page then clears its form). */
	async create(draft: KeyDraft): Promise<boolean> {
		const parsed = parseDraft(draft);
		if (!parsed.ok) {
			this.createForm = { busy: false, error: null, fields: parsed.fields };
			return false;
		}
		this.createForm = { busy: true, error: null, fields: {} };
		try {
			const created = await this.#api.create(parsed.body);
			this.created = created;
			this.keys = [...this.keys, listed(created)];
			this.createForm = idle();
			return true;
		} catch (error) {
			this.createForm = failed(error);
			return false;
		}
	}

	dismissCreated(): void {
		this.created = null;
	}

	startEdit(id: number): void {
		this.editing = id;
		this.editForm = idle();
	}

	cancelEdit(): void {
		this.editing = null;
	}

	/** Save the edited key; only the fields that changed are sent. */
	async save(draft: KeyDraft): Promise<boolean> {
		const key = this.keys.find((k) => k.id === this.editing);
		if (!key) return false;
		const parsed = parseDraft(draft, draftOf(key));
		if (!parsed.ok) {
			this.editForm = { busy: false, error: null, fields: parsed.fields };
			return false;
		}
		const update = changes(key, draft, parsed.body);
		if (!Object.keys(update).length) {
			this.editing = null;
			return true;
		}
		this.editForm = { busy: true, error: null, fields: {} };
		try {
			this.#replace(await this.#api.update(key.id, update));
			this.editing = null;
			this.editForm = idle();
			return true;
		} catch (error) {
			this.editForm = failed(error);
			return false;
		}
	}

	/** Revoke a key; throws, so that the confirm dialog can show why it failed. */
	async revoke(id: number): Promise<void> {
		this.#replace(await this.#api.revoke(id));
		if (this.editing === id) this.editing = null;
	}

	/** Delete a key; throws, so that the confirm dialog can show why it failed. */
	async remove(id: number): Promise<void> {
		await this.#api.remove(id);
		this.keys = this.keys.filter((k) => k.id !== id);
		if (this.created?.id === id) this.created = null;
	}

	#replace(key: GatewayKey): void {
		this.keys = this.keys.map((k) => (k.id === key.id ? key : k));
	}
}

// The list keeps what every listed key has, never the secret.
function listed(created: CreatedKey): GatewayKey {
	const { key: _secret, ...rest } = created;
	return rest;
}

function failed(error: unknown): FormState {
	if (error instanceof ApiError && Object.keys(error.fields).length) {
		return { busy: false, error: null, fields: topFields(error.fields) };
	}
	return { busy: false, error: message(error), fields: {} };
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
