import { describe, expect, it } from 'vitest';
import { decodeEvent, errorText, requestBody, type ChatOptions } from './protocols';

const options: ChatOptions = { model: 'm', system: 'Be brief.', temperature: 0.2, maxTokens: null };
const openai = (data: unknown) => decodeEvent('openai', { event: null, data: typeof data === 'string' ? data : JSON.stringify(data) });
const anthropic = (event: string, data: unknown) => decodeEvent('anthropic', { event, data: JSON.stringify(data) });

describe('requestBody', () => {
	it('OpenAI: system as the first message, usage asked for in the stream', () => {
		expect(requestBody('openai', options, [{ role: 'user', content: 'hi' }])).toEqual({
			model: 'm',
			stream: true,
			temperature: 0.2,
			stream_options: { include_usage: true },
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'hi' }
			]
		});
	});

	it('Anthropic: system apart, max_tokens always sent', () => {
		const body = requestBody('anthropic', { ...options, system: '', temperature: null }, [{ role: 'user', content: 'hi' }]);
		expect(body).toEqual({ model: 'm', stream: true, max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
		expect(requestBody('anthropic', { ...options, maxTokens: 50 }, []).max_tokens).toBe(50);
	});
});

describe('decodeEvent: OpenAI', () => {
	it('reads text, reasoning, the finish reason and the usage chunk', () => {
		expect(openai({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })).toEqual([]);
		expect(openai({ choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] })).toEqual([{ type: 'text', text: 'Hel' }]);
		expect(openai({ choices: [{ delta: { reasoning_content: 'hmm' } }] })).toEqual([{ type: 'thinking', text: 'hmm' }]);
		expect(openai({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })).toEqual([{ type: 'stop', reason: 'stop' }]);
		expect(openai({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, prompt_tokens_details: { cached_tokens: 2 } } })).toEqual([
			{ type: 'usage', input: 5, output: 7, cached: 2 }
		]);
		expect(openai('[DONE]')).toEqual([{ type: 'done' }]);
	});

	it('reads the mid-stream error event', () => {
		expect(openai({ error: { message: 'Upstream timed out', type: 'server_error', param: null, code: 'upstream_timeout' } })).toEqual([
			{ type: 'error', message: 'Upstream timed out (server_error)' }
		]);
	});

	it('says so when an event is not JSON', () => {
		expect(openai('<html>')[0]).toMatchObject({ type: 'error', message: expect.stringContaining('not JSON') });
	});
});

describe('decodeEvent: Anthropic', () => {
	it('reads usage from message_start and message_delta, text and thinking deltas, the stop', () => {
		expect(anthropic('message_start', { type: 'message_start', message: { usage: { input_tokens: 9, output_tokens: 1 } } })).toEqual([
			{ type: 'usage', input: 9, output: 1, cached: undefined }
		]);
		// Cache reads and writes are counted apart from input_tokens: the prompt is all three.
		const cachedStart = { usage: { input_tokens: 1, cache_read_input_tokens: 6, cache_creation_input_tokens: 2, output_tokens: 1 } };
		expect(anthropic('message_start', { type: 'message_start', message: cachedStart })).toEqual([
			{ type: 'usage', input: 9, output: 1, cached: 6 }
		]);
		expect(anthropic('ping', { type: 'ping' })).toEqual([]);
		expect(anthropic('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })).toEqual([]);
		expect(anthropic('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })).toEqual([
			{ type: 'text', text: 'Hi' }
		]);
		expect(anthropic('content_block_delta', { type: 'content_block_delta', delta: { type: 'thinking_delta', thinking: 'so' } })).toEqual([
			{ type: 'thinking', text: 'so' }
		]);
		expect(anthropic('content_block_delta', { type: 'content_block_delta', delta: { type: 'input_json_delta', partial_json: '{' } })).toEqual([]);
		expect(
			anthropic('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } })
		).toEqual([
			{ type: 'stop', reason: 'end_turn' },
			{ type: 'usage', input: undefined, output: 12, cached: undefined }
		]);
		expect(anthropic('message_stop', { type: 'message_stop' })).toEqual([{ type: 'done' }]);
	});

	it('reads the error event', () => {
		expect(anthropic('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toEqual([
			{ type: 'error', message: 'Overloaded (overloaded_error)' }
		]);
	});
});

describe('errorText', () => {
	it('reads both protocols and the management API', () => {
		expect(errorText({ error: { message: 'No route', type: 'invalid_request_error' } }, 404)).toBe('404: No route (invalid_request_error)');
		expect(errorText({ type: 'error', error: { type: 'not_found_error', message: 'No model' } }, 404)).toBe('404: No model (not_found_error)');
		expect(errorText({ detail: 'Not Found' }, 404)).toBe('404: Not Found');
		expect(errorText(null, 502)).toBe('502: the server gave no reason');
	});
});
