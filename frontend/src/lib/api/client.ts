// The one way the UI talks to the server: typed JSON out, errors as ApiError. It sends the admin
// token as a bearer token when there is one; an account's session cookie goes along by itself.

/** Field name (a dotted path such as `targets.0.model`) to the message the API gave for it. */
export type FieldErrors = Record<string, string>;

export class ApiError extends Error {
	readonly status: number;
	readonly fields: FieldErrors;
	readonly code: string | null;

	constructor(status: number, message: string, fields: FieldErrors = {}, code: string | null = null) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.fields = fields;
		this.code = code;
	}
}

export interface ClientOptions {
	/** The admin token to send, read at every request (null: rely on the session cookie). */
	token: () => string | null;
	/** Called on any 401, before the error is thrown (the app sends the user to sign-in). */
	onUnauthorized: () => void;
	/** Called on any 403, before the error is thrown (the app checks the caller's role again). */
	onForbidden?: () => void;
	fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class ApiClient {
	readonly #options: ClientOptions;

	constructor(options: ClientOptions) {
		this.#options = options;
	}

	get<T>(path: string): Promise<T> {
		return this.request<T>('GET', path);
	}

	post<T>(path: string, body?: unknown): Promise<T> {
		return this.request<T>('POST', path, body);
	}

	patch<T>(path: string, body: unknown): Promise<T> {
		return this.request<T>('PATCH', path, body);
	}

	put<T>(path: string, body: unknown): Promise<T> {
		return this.request<T>('PUT', path, body);
	}

	delete(path: string): Promise<void> {
		return this.request<void>('DELETE', path);
	}

	async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
		const response = await this.#send(method, path, body, 'application/json');
		if (response.status === 204) return undefined as T;
		return (await response.json()) as T;
	}

	/** A server-sent event stream: the response, once its status is known to be a success. */
	stream(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
		return this.#send(method, path, body, 'text/event-stream', signal);
	}

	async #send(method: Method, path: string, body: unknown, accept: string, signal?: AbortSignal): Promise<Response> {
		const headers: Record<string, string> = { Accept: accept };
		const token = this.#options.token();
		if (token) headers.Authorization = `Bearer ${token}`;
		if (body !== undefined) headers['Content-Type'] = 'application/json';
		const doFetch = this.#options.fetch ?? globalThis.fetch.bind(globalThis);
		let response: Response;
		try {
			response = await doFetch(path, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				signal
			});
		} catch (error) {
			if (signal?.aborted) throw error;
			const reason = error instanceof Error ? error.message : String(error);
			throw new ApiError(0, `Could not reach the server (${reason}). Is it running?`);
		}
		if (response.status === 401) this.#options.onUnauthorized();
		if (response.status === 403) this.#options.onForbidden?.();
		if (!response.ok) throw await toApiError(response);
		return response;
	}
}

interface ValidationItem {
	loc: (string | number)[];
	msg: string;
}

/** Turn an error response into an ApiError; 422 bodies keep a message per field. */
export async function toApiError(response: Response): Promise<ApiError> {
	let body: unknown = null;
	try {
		body = await response.json();
	} catch {
		// Not JSON (a proxy's error page, say): the status line is all there is.
	}
	const detail = isObject(body) ? body.detail : undefined;
	const code = isObject(body) && typeof body.code === 'string' ? body.code : null;
	if (Array.isArray(detail)) {
		const fields = fieldErrors(detail as ValidationItem[]);
		const first = (detail as ValidationItem[])[0]?.msg ?? 'Invalid request';
		return new ApiError(response.status, first, fields, code);
	}
	const message =
		typeof detail === 'string' ? detail : `${response.status} ${response.statusText}`.trim();
	return new ApiError(response.status, message, {}, code);
}

/** `[{loc: ["body", "targets", 0, "model"], msg}]` → `{"targets.0.model": msg}`. */
export function fieldErrors(items: ValidationItem[]): FieldErrors {
	const fields: FieldErrors = {};
	for (const item of items) {
		const loc = item.loc[0] === 'body' ? item.loc.slice(1) : item.loc;
		const key = loc.length ? loc.join('.') : '_';
		const msg = stripPrefix(item.msg);
		// Several problems with one field (two bad targets, say) are all shown.
		fields[key] = fields[key] ? `${fields[key]}; ${msg}` : msg;
	}
	return fields;
}

// Pydantic prefixes custom validator messages with "Value error, "; the field shows the reason.
function stripPrefix(message: string): string {
	return message.replace(/^Value error, /, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}
