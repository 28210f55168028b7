import { describe, expect, it } from 'vitest';
import { ruleTarget, targetHealth } from '$lib/testing/data';
import { formatErrorRate, healthByProvider, healthLabel, healthOf, healthSummary, healthTitle, healthTone, targetKey } from './health';

describe('health labels', () => {
	it('names each state and gives it a tone', () => {
		expect([healthLabel('healthy'), healthLabel('backing_off'), healthLabel('probing')]).toEqual(['healthy', 'backing off', 'probing']);
		expect([healthTone('healthy'), healthTone('backing_off'), healthTone('probing')]).toEqual(['ok', 'danger', 'warn']);
	});
});

describe('formatErrorRate', () => {
	it('rounds to whole percent, and never shows a failure rate as zero', () => {
		expect(formatErrorRate(0)).toBe('0%');
		expect(formatErrorRate(0.004)).toBe('<1%');
		expect(formatErrorRate(1 / 3)).toBe('33%');
		expect(formatErrorRate(1)).toBe('100%');
	});
});

describe('healthSummary', () => {
	it('says when a target had no requests lately', () => {
		expect(healthSummary(targetHealth())).toBe('no recent requests');
	});

	it('shows the error rate with its counts, the latency and requests in flight', () => {
		const health = targetHealth({ requests: 6, failures: 2, error_rate: 0.3333, latency_ms: 41.4, in_flight: 1 });
		expect(healthSummary(health)).toBe('33% errors (2 of 6) · 41 ms · 1 in flight');
		expect(healthSummary(targetHealth({ requests: 40, latency_ms: 1520 }))).toBe('0% errors (0 of 40) · 1.52 s');
	});
});

describe('healthTitle', () => {
	it('says when a target backing off takes requests again', () => {
		expect(healthTitle(targetHealth({ state: 'backing_off', retry_in: 11.2 }))).toBe('Backing off: takes requests again in 12 s');
		expect(healthTitle(targetHealth({ state: 'backing_off', retry_in: 0 }))).toBe('Backing off');
		expect(healthTitle(targetHealth({ state: 'probing' }))).toMatch(/^Probing/);
		expect(healthTitle(targetHealth())).toMatch(/^Healthy/);
	});
});

describe('targetKey and healthOf', () => {
	it('builds the keys the server keeps health by', () => {
		expect(targetKey(3, 'gpt-4o')).toBe('provider:3/gpt-4o');
		expect(targetKey('local', 'qwen3')).toBe('local/qwen3');
	});

	it('prefers the latest list, falls back to what came with the rule, and has none for a pass-through target', () => {
		const saved = targetHealth({ key: 'provider:3/gpt-4o', provider: 3, model: 'gpt-4o' });
		const target = ruleTarget({ provider: 3, model: 'gpt-4o', health: saved });
		const latest = targetHealth({ key: 'provider:3/gpt-4o', provider: 3, model: 'gpt-4o', state: 'backing_off' });
		expect(healthOf(target, null)).toBe(saved);
		expect(healthOf(target, new Map())).toBe(saved);
		expect(healthOf(target, new Map([[latest.key, latest]]))).toBe(latest);
		expect(healthOf(ruleTarget({ provider: 3, model: null }), new Map([[latest.key, latest]]))).toBeNull();
	});
});

describe('healthByProvider', () => {
	it('groups by provider id (or local) and sorts each group by model', () => {
		const groups = healthByProvider([
			targetHealth({ key: 'provider:1/b', provider: 1, model: 'b' }),
			targetHealth({ key: 'local/q', provider: 'local', model: 'q' }),
			targetHealth({ key: 'provider:1/a', provider: 1, model: 'a' }),
			targetHealth({ key: 'provider:2/c', provider: 2, model: 'c' })
		]);
		expect(groups.get(1)?.map((h) => h.model)).toEqual(['a', 'b']);
		expect(groups.get(2)?.map((h) => h.model)).toEqual(['c']);
		expect(groups.get('local')?.map((h) => h.model)).toEqual(['q']);
		expect(groups.get(9)).toBeUndefined();
	});
});
