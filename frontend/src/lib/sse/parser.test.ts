import { describe, expect, it } from 'vitest';
import { streamOf } from '$lib/testing/streams';
import { readSse, SseParser, type SseEvent } from './parser';

function feedAll(chunks: string[]): SseEvent[] {
	const parser = new SseParser();
	return chunks.flatMap((c) => parser.feed(c));
}

const anthropic = [
	'event: message_start\ndata: {"type":"message_start"}\n\n',
	'event: ping\ndata: {"type":"ping"}\n\n',
	'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}\n\n',
	'event: message_stop\ndata: {"type":"message_stop"}\n\n'
].join('');

describe('SseParser', () => {
	it('reads named events (Anthropic) and unnamed ones (OpenAI)', () => {
		expect(feedAll([anthropic]).map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_delta', 'message_stop']);
		expect(feedAll(['data: {"a":1}\n\ndata: [DONE]\n\n'])).toEqual([
			{ event: null, data: '{"a":1}' },
			{ event: null, data: '[DONE]' }
		]);
	});

	it('gives the same events however the bytes are cut', () => {
		const whole = feedAll([anthropic]);
		for (let size = 1; size < 40; size += 3) {
			const chunks = anthropic.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
			expect(feedAll(chunks)).toEqual(whole);
		}
	});

	it('accepts \\r\\n and \\r line ends, even a \\r\\n split across chunks', () => {
		expect(feedAll(['data: one\r', '\n\r', '\ndata: two\r\r'])).toEqual([
			{ event: null, data: 'one' },
			{ event: null, data: 'two' }
		]);
	});

	it('joins multi-line data, skips comments, and ignores id and retry', () => {
		expect(feedAll([': keep-alive\n\nid: 7\nretry: 10\ndata: a\ndata:b\n\n'])).toEqual([{ event: null, data: 'a\nb' }]);
	});

	it('does not dispatch an event without data, nor one cut off at the end', () => {
		expect(feedAll(['event: ping\n\n', 'data: half'])).toEqual([]);
	});

	it('keeps the event name for the next event only', () => {
		expect(feedAll(['event: error\ndata: {}\n\ndata: {}\n\n']).map((e) => e.event)).toEqual(['error', null]);
	});
});

describe('readSse', () => {
	it('decodes UTF-8 split inside a character', async () => {
		const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
		const events: SseEvent[] = [];
		for await (const event of readSse(streamOf([bytes.slice(0, 8), bytes.slice(8, 15), bytes.slice(15)]))) events.push(event);
		expect(events).toEqual([{ event: null, data: 'héllo ✓' }]);
	});

	it('lets the caller stop early', async () => {
		const seen: string[] = [];
		for await (const event of readSse(streamOf(['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']))) {
			seen.push(event.data);
			if (event.data === '2') break;
		}
		expect(seen).toEqual(['1', '2']);
	});
});
