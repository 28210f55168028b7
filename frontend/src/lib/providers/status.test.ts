import { describe, expect, it } from 'vitest';
import { statusOf } from './status';

describe('statusOf', () => {
	it('says "saved, but the connection test failed" with the server\'s message after a save', () => {
		const status = statusOf({ ok: false, status: null, latency_ms: 3, models: [], error: 'Could not connect to http://x: unreachable.' }, true);
		expect(status).toEqual({ state: 'fail', message: 'Saved, but the connection test failed: Could not connect to http://x: unreachable.' });
	});

	it('shows latency and model count when the test passes', () => {
		expect(statusOf({ ok: true, status: 200, latency_ms: 41.6, models: ['m'], error: null })).toEqual({
			state: 'ok',
			message: 'Connected in 42 ms · 1 model'
		});
	});
});
