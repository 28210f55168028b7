// The two chat protocols the gateway speaks, reduced to what the playground needs: a request
// body, and each stream event turned into one small `ChatChunk`. Shapes follow the public
// OpenAI and Anthropic API references (the gateway answers in them byte for byte).
import type { SseEvent } from '$lib/sse/parser';

export type Protocol = 'openai' | 'anthropic';

export const PROTOCOLS: { id: Protocol; label: string; path: string }[] = [
	{ id: 'openai', label: 'OpenAI · /v1/chat/completions', path: '/v1/chat/completions' },
	{ id: 'anthropic', label: 'Anthropic · /v1/messages', path: '/v1/messages' }
];

export interface ChatMessage {
	role: 'user' | 'assistant';
	content: string;
}

export interface ChatOptions {
	model: string;
	system: string;
	/** null: the model's default. */
	temperature: number | null;
	/** null: the server's default (Anthropic requires one, so the UI always sends one there). */
	maxTokens: number | null;
}

export type ChatChunk =
	| { type: 'text'; text: string }
	| { type: 'thinking'; text: string }
	/** `input` counts every prompt token, cached ones too; `cached` says how many of them were. */
	| { type: 'usage'; input?: number; output?: number; cached?: number }
	| { type: 'stop'; reason: string }
	| { type: 'error'; message: string }
	| { type: 'done' };

/** Anthropic requires `max_tokens`; this is sent when the field is left empty. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

export function requestPath(protocol: Protocol): string {
	return protocol === 'openai' ? '/v1/chat/completions' : '/v1/messages';
}

/** The streaming request body for `protocol`. */
export function requestBody(protocol: Protocol, options: ChatOptions, messages: ChatMessage[]): Record<string, unknown> {
	const body: Record<string, unknown> = { model: options.model, stream: true };
	if (options.temperature !== null) body.temperature = options.temperature;
	if (protocol === 'openai') {
		const system = options.system.trim() ? [{ role: 'system', content: options.system }] : [];
		body.messages = [...system, ...messages];
		// Without this the stream carries no token counts.
		body.stream_options = { include_usage: true };
		if (options.maxTokens !== null) body.max_tokens = options.maxTokens;
	} else {
		body.messages = messages;
		if (options.system.trim()) body.system = options.system;
		body.max_tokens = options.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
	}
	return body;
}

/** The chunks one stream event carries (an OpenAI event may hold text, a stop and usage at once). */
export function decodeEvent(protocol: Protocol, event: SseEvent): ChatChunk[] {
	if (protocol === 'openai' && event.data.trim() === '[DONE]') return [{ type: 'done' }];
	let data: unknown;
	try {
		data = JSON.parse(event.data);
	} catch {
		return [{ type: 'error', message: `The server sent an event that is not JSON: ${event.data.slice(0, 200)}` }];
	}
	if (!isObject(data)) return [];
	return protocol === 'openai' ? decodeOpenAI(data) : decodeAnthropic(event.event, data);
}

function decodeOpenAI(data: Obj): ChatChunk[] {
	if (data.error !== undefined) return [{ type: 'error', message: errorText(data) }];
	const chunks: ChatChunk[] = [];
	const choice = Array.isArray(data.choices) && isObject(data.choices[0]) ? data.choices[0] : null;
	const delta = choice && isObject(choice.delta) ? choice.delta : null;
	if (delta && typeof delta.reasoning_content === 'string' && delta.reasoning_content)
		chunks.push({ type: 'thinking', text: delta.reasoning_content });
	if (delta && typeof delta.content === 'string' && delta.content) chunks.push({ type: 'text', text: delta.content });
	if (choice && typeof choice.finish_reason === 'string') chunks.push({ type: 'stop', reason: choice.finish_reason });
	if (isObject(data.usage)) {
		const details = isObject(data.usage.prompt_tokens_details) ? data.usage.prompt_tokens_details : {};
		chunks.push({
			type: 'usage',
			input: num(data.usage.prompt_tokens),
			output: num(data.usage.completion_tokens),
			cached: num(details.cached_tokens)
		});
	}
	return chunks;
}

function decodeAnthropic(name: string | null, data: Obj): ChatChunk[] {
	const type = typeof data.type === 'string' ? data.type : name;
	switch (type) {
		case 'message_start': {
			const usage = isObject(data.message) && isObject(data.message.usage) ? data.message.usage : null;
			return usage ? [anthropicUsage(usage)] : [];
		}
		case 'content_block_delta': {
			const delta = isObject(data.delta) ? data.delta : {};
			if (delta.type === 'text_delta' && typeof delta.text === 'string') return [{ type: 'text', text: delta.text }];
			if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string')
				return [{ type: 'thinking', text: delta.thinking }];
			return [];
		}
		case 'message_delta': {
			const chunks: ChatChunk[] = [];
			if (isObject(data.delta) && typeof data.delta.stop_reason === 'string')
				chunks.push({ type: 'stop', reason: data.delta.stop_reason });
			if (isObject(data.usage)) chunks.push(anthropicUsage(data.usage));
			return chunks;
		}
		case 'message_stop':
			return [{ type: 'done' }];
		case 'error':
			return [{ type: 'error', message: errorText(data) }];
		default:
			return [];
	}
}

// Anthropic counts cache reads and writes apart from `input_tokens`; the playground shows the sum.
function anthropicUsage(usage: Obj): ChatChunk {
	const input = num(usage.input_tokens);
	const read = num(usage.cache_read_input_tokens);
	const written = num(usage.cache_creation_input_tokens);
	return {
		type: 'usage',
		input: input === undefined ? undefined : input + (read ?? 0) + (written ?? 0),
		output: num(usage.output_tokens),
		cached: read
	};
}

/**
 * A readable message from an error body of either protocol (`{"error": {"message", "type"}}`,
 * `{"type": "error", "error": {"type", "message"}}`) or of the management API (`{"detail"}`).
 */
export function errorText(body: unknown, status?: number): string {
	const prefix = status ? `${status}: ` : '';
	if (isObject(body)) {
		const error = body.error;
		if (isObject(error)) {
			const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
			const kind = typeof error.type === 'string' ? ` (${error.type})` : '';
			return `${prefix}${message}${kind}`;
		}
		if (typeof error === 'string') return prefix + error;
		if (typeof body.detail === 'string') return prefix + body.detail;
	}
	return `${prefix}${typeof body === 'string' && body ? body : 'the server gave no reason'}`;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
	return typeof value === 'number' ? value : undefined;
}
