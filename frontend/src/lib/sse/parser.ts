// Server-sent events: an incremental parser, and a reader over a fetch body.
//
// It follows the WHATWG event-stream rules LLM APIs rely on: `\r\n`, `\r` and `\n` line ends
// (a `\r\n` may be split across chunks), multi-line `data`, `:` comments, a blank line
// dispatching the event. `id` and `retry` are ignored; an unterminated event at the end is
// dropped, as the spec says. The server's twin is `mlx_manager/protocols/sse.py`.

export interface SseEvent {
	/** The `event:` field, or null when the event had none (OpenAI streams never name events). */
	event: string | null;
	data: string;
}

export class SseParser {
	#buffer = '';
	#event: string | null = null;
	#data: string[] = [];
	#hasData = false;
	// The last chunk ended in '\r': a '\n' opening the next one is the rest of that line end.
	#skipLf = false;

	/** Feed decoded text as it arrives; answers the events it completed. */
	feed(chunk: string): SseEvent[] {
		if (this.#skipLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
		this.#skipLf = false;
		const text = this.#buffer + chunk;
		const events: SseEvent[] = [];
		let start = 0;
		for (let i = 0; i < text.length; i++) {
			const c = text[i];
			if (c !== '\n' && c !== '\r') continue;
			const event = this.#line(text.slice(start, i));
			if (event) events.push(event);
			if (c === '\r') {
				if (i + 1 === text.length) this.#skipLf = true;
				else if (text[i + 1] === '\n') i++;
			}
			start = i + 1;
		}
		this.#buffer = text.slice(start);
		return events;
	}

	#line(line: string): SseEvent | null {
		if (line === '') return this.#dispatch();
		if (line.startsWith(':')) return null;
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'event') this.#event = value;
		else if (field === 'data') {
			this.#data.push(value);
			this.#hasData = true;
		}
		return null;
	}

	#dispatch(): SseEvent | null {
		const event = this.#hasData ? { event: this.#event, data: this.#data.join('\n') } : null;
		this.#event = null;
		this.#data = [];
		this.#hasData = false;
		return event;
	}
}

/** Every event of a streamed response body, in order, as the bytes arrive. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
	const parser = new SseParser();
	const decoder = new TextDecoder();
	const reader = body.getReader();
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			yield* parser.feed(decoder.decode(value, { stream: true }));
		}
		yield* parser.feed(decoder.decode());
	} finally {
		// The caller stopped early (break, abort): let go of the connection.
		await reader.cancel().catch(() => {});
		reader.releaseLock();
	}
}
