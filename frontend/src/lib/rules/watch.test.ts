import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RulesApi } from '$lib/api/rules';
import { targetHealth } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { HealthWatch } from './watch.svelte';

const PATH = '/api/settings/rules/health';
const healthy = targetHealth({ key: 'provider:1/m', model: 'm' });
const out = targetHealth({ key: 'provider:1/m', model: 'm', state: 'backing_off', retry_in: 4 });

function reads(server: FakeServer): number {
	return server.calls.filter((c) => c.path === PATH).length;
}

/** A document whose visibility the test sets. */
function page(visible = true) {
	const target = new EventTarget();
	const doc = Object.assign(target, { visibilityState: visible ? 'visible' : 'hidden' });
	return doc as unknown as Document & { visibilityState: DocumentVisibilityState };
}

describe('HealthWatch', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('reads the health list by key', async () => {
		const server = new FakeServer().on(`GET ${PATH}`, { status: 200, body: { targets: [healthy] } });
		const watch = new HealthWatch(new RulesApi(server.client()));
		expect(watch.byKey).toBeNull();
		await watch.refresh();
		expect(watch.byKey?.get('provider:1/m')).toEqual(healthy);
		expect(watch.list).toEqual([healthy]);
	});

	it('reads again every interval while visible, not while hidden, and at once on return', async () => {
		const server = new FakeServer().on(`GET ${PATH}`, { status: 200, body: { targets: [healthy] } }, { status: 200, body: { targets: [out] } });
		const watch = new HealthWatch(new RulesApi(server.client()));
		const doc = page();
		const stop = watch.watch(5000, doc);
		await vi.advanceTimersByTimeAsync(0);
		expect(reads(server)).toBe(1);
		await vi.advanceTimersByTimeAsync(5000);
		expect(reads(server)).toBe(2);
		expect(watch.byKey?.get('provider:1/m')?.state).toBe('backing_off');

		doc.visibilityState = 'hidden';
		await vi.advanceTimersByTimeAsync(15000);
		expect(reads(server)).toBe(2);
		doc.visibilityState = 'visible';
		doc.dispatchEvent(new Event('visibilitychange'));
		await vi.advanceTimersByTimeAsync(0);
		expect(reads(server)).toBe(3);

		stop();
		await vi.advanceTimersByTimeAsync(20000);
		doc.dispatchEvent(new Event('visibilitychange'));
		expect(reads(server)).toBe(3);
	});

	it('keeps the last figures when a read fails, and says why', async () => {
		const server = new FakeServer().on(`GET ${PATH}`, { status: 200, body: { targets: [healthy] } }, { status: 503, body: { detail: 'Database unavailable.' } });
		const watch = new HealthWatch(new RulesApi(server.client()));
		await watch.refresh();
		await watch.refresh();
		expect(watch.error).toBe('Database unavailable.');
		expect(watch.byKey?.get('provider:1/m')).toEqual(healthy);
	});

	it('joins a read already on its way instead of sending another', async () => {
		const server = new FakeServer().on(`GET ${PATH}`, { status: 200, body: { targets: [] } });
		const watch = new HealthWatch(new RulesApi(server.client()));
		await Promise.all([watch.refresh(), watch.refresh()]);
		expect(reads(server)).toBe(1);
	});
});
