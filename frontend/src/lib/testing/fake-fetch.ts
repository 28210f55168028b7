// A scripted fetch for component tests: answers by "METHOD path" and records every request.
import { ApiClient } from '$lib/api/client';

export interface Call {
	method: string;
	path: string;
	body: unknown;
	headers: Record<string, string>;
	signal: AbortSignal | null;
}

type Reply = { status: number; body?: unknown } | Response;
/** A JSON reply, a whole Response (a stream, say), or a function of the call giving either. */
type Answer = Reply | ((call: Call) => Reply);

export class FakeServer {
	readonly calls: Call[] = [];
	readonly #answers = new Map<string, Answer[]>();

	/** Queue answers for `"POST /api/..."`; the last one repeats. */
	on(route: string, ...answers: Answer[]): this {
		this.#answers.set(route, answers);
		return this;
	}

	fetch: typeof fetch = async (input, init) => {
		const call: Call = {
			method: init?.method ?? 'GET',
			path: String(input),
			body: init?.body ? JSON.parse(String(init.body)) : undefined,
			headers: (init?.headers ?? {}) as Record<string, string>,
			signal: init?.signal ?? null
		};
		this.calls.push(call);
		const queue = this.#answers.get(`${call.method} ${call.path}`);
		if (!queue?.length) return json(404, { detail: `no answer scripted for ${call.method} ${call.path}` });
		const next = queue.length > 1 ? queue.shift()! : queue[0]!;
		const answer = typeof next === 'function' ? next(call) : next;
		if (answer instanceof Response) return answer;
		return answer.status === 204 ? new Response(null, { status: 204 }) : json(answer.status, answer.body);
	};

	client(onUnauthorized: () => void = () => {}): ApiClient {
		return new ApiClient({ token: () => 'test-token', onUnauthorized, fetch: this.fetch });
	}

	last(method: string, path: string): Call | undefined {
		return this.calls.filter((c) => c.method === method && c.path === path).at(-1);
	}
}

function json(status: number, body: unknown): Response {
	return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
