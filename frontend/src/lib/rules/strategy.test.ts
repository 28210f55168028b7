import { describe, expect, it } from 'vitest';
import { STRATEGIES, strategyInfo, strategyLabel } from './strategy';

describe('strategies', () => {
	it('offers every strategy the server knows, ordered first, each with a one-line hint', () => {
		expect(STRATEGIES.map((s) => s.value)).toEqual(['ordered', 'weighted', 'least_busy', 'latency']);
		for (const strategy of STRATEGIES) expect(strategy.hint).not.toContain('\n');
	});

	it('labels a strategy', () => {
		expect(strategyLabel('least_busy')).toBe('Least busy');
		expect(strategyInfo('weighted').targets).toMatch(/by weight/);
	});
});
