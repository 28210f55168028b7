import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { LogsApi, logQuery } from '$lib/api/logs';
import LogTable from '$components/requests/LogTable.svelte';
import { logEntry } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { RequestLogStore } from './log.svelte';

describe('logQuery', () => {
	it('leaves blank filters out', () => {
		expect(logQuery({ provider: 'echo', model: null, status: '4xx', errors: false, cursor: null, limit: 50 })).toBe(
			'?provider=echo&status=4xx&limit=50'
		);
		expect(logQuery({ errors: true, format: 'csv' })).toBe('?errors=true&format=csv');
		expect(logQuery({})).toBe('');
	});
});

describe('RequestLogStore', () => {
	function setup() {
		const server = new FakeServer()
			.on('GET /api/logs?limit=2', { status: 200, body: { items: [logEntry(9), logEntry(8)], next_cursor: 8 } })
			.on('GET /api/logs?cursor=8&limit=2', { status: 200, body: { items: [logEntry(7)], next_cursor: null } })
			.on('GET /api/logs?provider=echo&status=5xx&errors=true&limit=2', { status: 200, body: { items: [], next_cursor: null } });
		return { server, log: new RequestLogStore(new LogsApi(server.client()), 2) };
	}

	it('pages older and back to newer by cursor', async () => {
		const { log } = setup();
		await log.reload();
		expect(log.items.map((e) => e.id)).toEqual([9, 8]);
		expect([log.hasNewer, log.hasOlder, log.pageNumber]).toEqual([false, true, 1]);
		await log.older();
		expect(log.items.map((e) => e.id)).toEqual([7]);
		expect([log.hasNewer, log.hasOlder, log.pageNumber]).toEqual([true, false, 2]);
		await log.newer();
		expect(log.items.map((e) => e.id)).toEqual([9, 8]);
		expect(log.pageNumber).toBe(1);
	});

	it('sends the filters and starts again from the newest page', async () => {
		const { log, server } = setup();
		await log.reload();
		await log.older();
		log.filters = { provider: ' echo ', model: '', status: '5xx', errors: true };
		await log.reload();
		expect(server.calls.at(-1)?.path).toBe('/api/logs?provider=echo&status=5xx&errors=true&limit=2');
		expect(log.items).toEqual([]);
		expect(log.pageNumber).toBe(1);
	});

	it('shows why the log could not be read', async () => {
		const server = new FakeServer().on('GET /api/logs?status=9xx&limit=50', {
			status: 400,
			body: { detail: "'status' is an HTTP status such as 429, or a class such as 4xx." }
		});
		const log = new RequestLogStore(new LogsApi(server.client()));
		log.filters.status = '9xx';
		await log.reload();
		expect(log.error).toContain("'status' is an HTTP status");
	});
});

describe('LogTable', () => {
	it('shows model, provider, status, latency, TTFT and tokens', () => {
		render(LogTable, {
			items: [logEntry(1), logEntry(2, { status: 503, provider: null, error: 'No route available', ttft_ms: null, input_tokens: null })]
		});
		const [ok, failed] = screen.getAllByRole('row').slice(1) as [HTMLElement, HTMLElement];
		expect(within(ok).getByText('echo/claude-fake-1')).toBeTruthy();
		expect(ok.querySelector('[data-col="provider"]')?.textContent).toBe('echo');
		expect(within(ok).getByText('121 ms')).toBeTruthy();
		expect(within(ok).getByText('40 ms')).toBeTruthy();
		expect(ok.querySelector('[data-col="output"]')?.textContent).toBe('5');
		expect(failed.querySelector('[data-col="status"]')?.className).toContain('fail');
		expect(within(failed).getByText('No route available')).toBeTruthy();
		expect(failed.querySelector('[data-col="input"]')?.textContent).toBe('–');
		expect(ok.querySelector('[data-col="cost"]')?.textContent).toBe('$0.000123');
	});

	it('shows an unpriced request as unpriced, never as free, and marks estimated tokens', () => {
		render(LogTable, { items: [logEntry(3, { cost_usd: null, priced: 'unpriced', tokens_estimated: true })] });
		const row = screen.getAllByRole('row')[1] as HTMLElement;
		expect(row.querySelector('[data-col="cost"]')?.textContent).toBe('unpriced');
		expect(row.querySelector('[data-col="output"]')?.textContent).toBe('5*');
	});
});
