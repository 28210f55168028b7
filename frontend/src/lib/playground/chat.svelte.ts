// The playground's state: settings, the conversation, and one streaming call at a time through
// the gateway's /v1 endpoints, timed (first token, total) and counted (tokens) as it streams.
import { readSse } from '$lib/sse/parser';
import {
	decodeEvent,
	errorText,
	requestBody,
	requestPath,
	type ChatChunk,
	type ChatMessage,
	type ChatOptions,
	type Protocol
} from './protocols';

export const API_KEY_KEY = 'mlx-manager.gateway-key';

/** What the response headers and the stream told about one reply. */
export interface TurnStats {
	provider: string | null;
	model: string | null;
	attempts: string | null;
	requestId: string | null;
	/** Every prompt token, cached ones included. */
	inputTokens: number | null;
	cachedTokens: number | null;
	outputTokens: number | null;
	/** From sending the request to the first text (or thinking) delta. */
	ttftMs: number | null;
	/** From sending the request to the end of the stream. */
	latencyMs: number | null;
	stopReason: string | null;
}

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface Turn {
	role: 'user' | 'assistant';
	text: string;
	thinking: string;
	status: TurnStatus;
	protocol: Protocol;
	error: string | null;
	stats: TurnStats | null;
}

export interface PlaygroundDeps {
	fetch?: typeof fetch;
	now?: () => number;
	storage?: Storage | null;
	/** The admin token, when signed in with it, sent when no gateway key is set; an account's
	 * session cookie goes along by itself (the gateway lets either in). */
	token?: () => string | null;
}

export class Playground {
	protocol = $state<Protocol>('openai');
	options = $state<ChatOptions>({ model: '', system: '', temperature: null, maxTokens: null });
	turns = $state<Turn[]>([]);
	busy = $state(false);
	apiKey = $state('');
	models = $state<string[]>([]);
	modelsError = $state<string | null>(null);

	readonly #fetch: typeof fetch;
	readonly #now: () => number;
	readonly #storage: Storage | null;
	readonly #token: () => string | null;
	#controller: AbortController | null = null;

	constructor(deps: PlaygroundDeps = {}) {
		this.#fetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
		this.#now = deps.now ?? (() => performance.now());
		this.#storage = deps.storage ?? null;
		this.#token = deps.token ?? (() => null);
		this.apiKey = this.#storage?.getItem(API_KEY_KEY) ?? '';
	}

	/** The gateway key for /v1 calls, kept in this browser only; empty forgets it. */
	setApiKey(key: string): void {
		this.apiKey = key.trim();
		if (this.apiKey) this.#storage?.setItem(API_KEY_KEY, this.apiKey);
		else this.#storage?.removeItem(API_KEY_KEY);
	}

	/** Every model name the gateway offers (`GET /v1/models`). */
	async loadModels(): Promise<void> {
		this.modelsError = null;
		try {
			const response = await this.#fetch('/v1/models', { headers: this.#headers('openai') });
			const body: unknown = await response.json().catch(() => null);
			if (!response.ok) throw new Error(this.#failure(response.status, body));
			const data = (body as { data?: { id: string }[] } | null)?.data ?? [];
			this.models = data.map((m) => m.id);
			if (!this.options.model && this.models.length) this.options.model = this.models[0]!;
		} catch (error) {
			this.modelsError = reason(error);
		}
	}

	async send(text: string): Promise<void> {
		if (this.busy || !text.trim() || !this.options.model) return;
		const protocol = this.protocol;
		const history = this.#history();
		history.push({ role: 'user', content: text });
		this.turns.push(newTurn('user', protocol, text));
		this.turns.push(newTurn('assistant', protocol, ''));
		// The proxied turn in the list, so that every change shows as it happens.
		const turn = this.turns[this.turns.length - 1]!;
		const stats = turn.stats!;
		const controller = (this.#controller = new AbortController());
		this.busy = true;
		const start = this.#now();
		try {
			const response = await this.#fetch(requestPath(protocol), {
				method: 'POST',
				headers: { ...this.#headers(protocol), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
				body: JSON.stringify(requestBody(protocol, $state.snapshot(this.options), history)),
				signal: controller.signal
			});
			readHeaders(response.headers, stats);
			if (!response.ok || !response.body) {
				const body: unknown = await response.json().catch(() => null);
				fail(turn, this.#failure(response.status, body));
				return;
			}
			let finished = false;
			for await (const event of readSse(response.body)) {
				for (const chunk of decodeEvent(protocol, event)) {
					finished = apply(turn, chunk, () => this.#now() - start) || finished;
				}
			}
			if (turn.status === 'streaming') {
				if (finished) turn.status = 'done';
				else fail(turn, 'The stream ended before the reply was complete.');
			}
		} catch (error) {
			if (controller.signal.aborted) turn.status = 'stopped';
			else fail(turn, `Could not reach the server (${reason(error)}).`);
		} finally {
			stats.latencyMs = this.#now() - start;
			this.busy = false;
			this.#controller = null;
		}
	}

	/** Stop the reply being streamed; what arrived so far stays. */
	stop(): void {
		this.#controller?.abort();
	}

	clear(): void {
		this.stop();
		this.turns = [];
	}

	// The conversation so far as messages; replies that never said anything are left out.
	#history(): ChatMessage[] {
		return this.turns
			.filter((t) => t.role === 'user' || t.text)
			.map((t) => ({ role: t.role, content: t.text }));
	}

	#headers(protocol: Protocol): Record<string, string> {
		// A gateway key goes where each protocol's SDKs put it; the admin token is a bearer token.
		if (this.apiKey) return protocol === 'anthropic' ? { 'x-api-key': this.apiKey } : { Authorization: `Bearer ${this.apiKey}` };
		const token = this.#token();
		return token ? { Authorization: `Bearer ${token}` } : {};
	}

	#failure(status: number, body: unknown): string {
		const text = errorText(body, status);
		if (status === 401 && !this.apiKey) return `${text} — this gateway needs an API key: enter one under “API key”.`;
		return text;
	}
}

/** Fold one chunk into the reply; answers whether the stream said it is complete. */
export function apply(turn: Turn, chunk: ChatChunk, elapsed: () => number): boolean {
	const stats = turn.stats!;
	switch (chunk.type) {
		case 'text':
		case 'thinking':
			stats.ttftMs ??= elapsed();
			if (chunk.type === 'text') turn.text += chunk.text;
			else turn.thinking += chunk.text;
			return false;
		case 'usage':
			stats.inputTokens = chunk.input ?? stats.inputTokens;
			stats.outputTokens = chunk.output ?? stats.outputTokens;
			stats.cachedTokens = chunk.cached ?? stats.cachedTokens;
			return false;
		case 'stop':
			stats.stopReason = chunk.reason;
			return false;
		case 'error':
			fail(turn, chunk.message);
			return false;
		case 'done':
			return true;
	}
}

function readHeaders(headers: Headers, stats: TurnStats): void {
	stats.provider = headers.get('x-mlx-manager-provider');
	stats.model = headers.get('x-mlx-manager-model');
	stats.attempts = headers.get('x-mlx-manager-attempts');
	stats.requestId = headers.get('x-request-id');
}

function fail(turn: Turn, message: string): void {
	turn.status = 'error';
	turn.error = message;
}

function newTurn(role: Turn['role'], protocol: Protocol, text: string): Turn {
	const status = role === 'user' ? 'done' : 'streaming';
	const stats = role === 'user' ? null : emptyStats();
	return { role, text, thinking: '', status, protocol, error: null, stats };
}

function emptyStats(): TurnStats {
	return {
		provider: null,
		model: null,
		attempts: null,
		requestId: null,
		inputTokens: null,
		cachedTokens: null,
		outputTokens: null,
		ttftMs: null,
		latencyMs: null,
		stopReason: null
	};
}

function reason(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
