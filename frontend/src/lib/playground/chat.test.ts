import { describe, expect, it, vi } from 'vitest';
import { openStream, sse, sseResponse, streamOf } from '$lib/testing/streams';
import { API_KEY_KEY, Playground } from './chat.svelte';

const HEADERS = {
	'x-mlx-manager-provider': 'echo-openai',
	'x-mlx-manager-model': 'claude-fake-1',
	'x-mlx-manager-attempts': '1',
	'x-request-id': 'req-123'
};

const openaiStream = [
	sse({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
	sse({ choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] }),
	sse({ choices: [{ index: 0, delta: { content: ' there' }, finish_reason: null }] }),
	sse({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
	sse({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } }),
	sse('[DONE]')
];

const anthropicStream = [
	sse({ type: 'message_start', message: { usage: { input_tokens: 11, output_tokens: 1 } } }, 'message_start'),
	sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
	sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }, 'content_block_delta'),
	sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
	sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }, 'message_delta'),
	sse({ type: 'message_stop' }, 'message_stop')
];

/** A clock that moves 10 ms at every reading. */
function ticking() {
	let t = 0;
	return () => (t += 10);
}

function setup(answer: (init: RequestInit) => Response | Promise<Response>, storage: Storage | null = null) {
	const calls: { path: string; init: RequestInit }[] = [];
	const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
		calls.push({ path: String(input), init: init ?? {} });
		return answer(init ?? {});
	}) as unknown as typeof globalThis.fetch;
	const playground = new Playground({ fetch, now: ticking(), storage });
	playground.options.model = 'echo/claude-fake-1';
	return { playground, calls };
}

const sentBody = (init: RequestInit) => JSON.parse(String(init.body)) as Record<string, unknown>;

describe('Playground', () => {
	it('streams an OpenAI reply and records provider, tokens and timings', async () => {
		const { playground, calls } = setup(() => sseResponse(streamOf(openaiStream), HEADERS));
		await playground.send('hi');
		expect(calls[0]?.path).toBe('/v1/chat/completions');
		expect(sentBody(calls[0]!.init)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
		const [user, reply] = playground.turns;
		expect(user).toMatchObject({ role: 'user', text: 'hi' });
		expect(reply).toMatchObject({ role: 'assistant', text: 'Hello there', status: 'done', error: null });
		expect(reply?.stats).toEqual({
			provider: 'echo-openai',
			model: 'claude-fake-1',
			attempts: '1',
			requestId: 'req-123',
			inputTokens: 4,
			cachedTokens: null,
			outputTokens: 2,
			// now() at start is 10; the first text is read at 20; the end at 30.
			ttftMs: 10,
			latencyMs: 20,
			stopReason: 'stop'
		});
		expect(playground.busy).toBe(false);
	});

	it('streams an Anthropic reply; message_delta overrides the output count of message_start', async () => {
		const { playground, calls } = setup(() => sseResponse(streamOf(anthropicStream), HEADERS));
		playground.protocol = 'anthropic';
		playground.options.system = 'Be brief.';
		await playground.send('hi');
		expect(calls[0]?.path).toBe('/v1/messages');
		expect(sentBody(calls[0]!.init)).toMatchObject({ system: 'Be brief.', max_tokens: 1024 });
		const reply = playground.turns[1]!;
		expect(reply.text).toBe('Hi');
		expect(reply.stats).toMatchObject({ inputTokens: 11, outputTokens: 3, stopReason: 'end_turn' });
	});

	it('sends the conversation so far, without replies that said nothing', async () => {
		let n = 0;
		const { playground, calls } = setup(() =>
			n++ === 0 ? new Response(JSON.stringify({ error: { message: 'down' } }), { status: 503 }) : sseResponse(streamOf(openaiStream))
		);
		await playground.send('first');
		await playground.send('second');
		await playground.send('third');
		expect(sentBody(calls[2]!.init).messages).toEqual([
			{ role: 'user', content: 'first' },
			{ role: 'user', content: 'second' },
			{ role: 'assistant', content: 'Hello there' },
			{ role: 'user', content: 'third' }
		]);
	});

	it('stops on abort and keeps what arrived', async () => {
		let stream!: ReturnType<typeof openStream>;
		const { playground } = setup((init) => {
			stream = openStream(init.signal);
			return sseResponse(stream.body, HEADERS);
		});
		const sending = playground.send('hi');
		await vi.waitFor(() => expect(stream).toBeDefined());
		stream.write(openaiStream[1]!);
		await vi.waitFor(() => expect(playground.turns[1]?.text).toBe('Hello'));
		expect(playground.busy).toBe(true);
		playground.stop();
		await sending;
		expect(playground.turns[1]).toMatchObject({ text: 'Hello', status: 'stopped', error: null });
		expect(playground.turns[1]?.stats?.latencyMs).not.toBeNull();
		expect(playground.busy).toBe(false);
	});

	it('shows an error response of either protocol', async () => {
		const { playground } = setup(() =>
			new Response(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: "No route for model 'x'" } }), {
				status: 404,
				headers: { 'x-request-id': 'req-9' }
			})
		);
		playground.protocol = 'anthropic';
		await playground.send('hi');
		expect(playground.turns[1]).toMatchObject({ status: 'error', error: "404: No route for model 'x' (not_found_error)" });
		expect(playground.turns[1]?.stats?.requestId).toBe('req-9');
	});

	it('shows the error event sent mid-stream', async () => {
		const { playground } = setup(() =>
			sseResponse(
				streamOf([
					openaiStream[1]!,
					sse({ error: { message: 'Upstream connection lost', type: 'server_error', param: null, code: null } })
				])
			)
		);
		await playground.send('hi');
		expect(playground.turns[1]).toMatchObject({ text: 'Hello', status: 'error', error: 'Upstream connection lost (server_error)' });
	});

	it('says so when the stream ends early', async () => {
		const { playground } = setup(() => sseResponse(streamOf([openaiStream[1]!])));
		await playground.send('hi');
		expect(playground.turns[1]).toMatchObject({ status: 'error', error: 'The stream ended before the reply was complete.' });
	});

	it('sends the gateway key per protocol and keeps it in storage', async () => {
		localStorage.clear();
		const { playground, calls } = setup(() => sseResponse(streamOf(openaiStream)), localStorage);
		playground.setApiKey(' sk-gw-1 ');
		expect(localStorage.getItem(API_KEY_KEY)).toBe('sk-gw-1');
		await playground.send('a');
		expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer sk-gw-1');
		playground.protocol = 'anthropic';
		await playground.send('b').catch(() => {});
		expect((calls[1]!.init.headers as Record<string, string>)['x-api-key']).toBe('sk-gw-1');
		expect(new Playground({ storage: localStorage }).apiKey).toBe('sk-gw-1');
		playground.setApiKey('');
		expect(localStorage.getItem(API_KEY_KEY)).toBeNull();
	});

	it('lists models and hints at the API key on a 401', async () => {
		const { playground } = setup(() => new Response(JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }] }), { status: 200 }));
		playground.options.model = '';
		await playground.loadModels();
		expect(playground.models).toEqual(['a', 'b']);
		expect(playground.options.model).toBe('a');

		const locked = setup(() => new Response(JSON.stringify({ error: { message: 'Missing API key', type: 'authentication_error' } }), { status: 401 }));
		await locked.playground.loadModels();
		expect(locked.playground.modelsError).toContain('needs an API key');
	});
});

describe('Playground without a gateway key', () => {
	it('sends the signed-in token, which the gateway lets in', async () => {
		const calls: RequestInit[] = [];
		const fetch = (async (_: RequestInfo | URL, init?: RequestInit) => {
			calls.push(init ?? {});
			return sseResponse(streamOf(anthropicStream));
		}) as typeof globalThis.fetch;
		const playground = new Playground({ fetch, token: () => 'admin-token' });
		playground.options.model = 'm';
		playground.protocol = 'anthropic';
		await playground.send('hi');
		expect(calls[0]!.headers).toEqual(expect.objectContaining({ Authorization: 'Bearer admin-token' }));
		expect(calls[0]!.headers).not.toHaveProperty('x-api-key');
	});
});
