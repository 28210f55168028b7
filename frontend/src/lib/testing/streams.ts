// Streamed response bodies for tests: chunks delivered one read at a time, or held open.

/** A fetch-like body that delivers `chunks` as separate reads, then ends. */
export function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	return new ReadableStream({
		start(controller) {
			for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
			controller.close();
		}
	});
}

/** A body the test writes to as it likes; it errors with an AbortError when `signal` aborts. */
export function openStream(signal?: AbortSignal | null) {
	const encoder = new TextEncoder();
	let controller!: ReadableStreamDefaultController<Uint8Array>;
	const body = new ReadableStream<Uint8Array>({
		start(c) {
			controller = c;
		}
	});
	signal?.addEventListener('abort', () => controller.error(new DOMException('The operation was aborted.', 'AbortError')));
	return {
		body,
		write: (text: string) => controller.enqueue(encoder.encode(text)),
		close: () => controller.close()
	};
}

/** An SSE frame as the server writes it. */
export function sse(data: unknown, event?: string): string {
	const text = typeof data === 'string' ? data : JSON.stringify(data);
	return `${event ? `event: ${event}\n` : ''}data: ${text}\n\n`;
}

/** A streamed SSE response with the gateway's headers. */
export function sseResponse(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Response {
	return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream', ...headers } });
}
