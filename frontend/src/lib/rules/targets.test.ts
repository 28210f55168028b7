import { describe, expect, it } from 'vitest';
import { ruleTarget } from '$lib/testing/data';
import { hasTimeouts, newDraft, parseTargets, toDrafts, type TargetDraft } from './targets';

const draft = (overrides: Partial<TargetDraft> = {}): TargetDraft => ({ ...newDraft(1), ...overrides });

describe('parseTargets', () => {
	it('sends weights as numbers, an empty weight as 1, and empty timeouts as null (the server default)', () => {
		const parsed = parseTargets([
			draft({ provider: '3', model: ' gpt-4o ', weight: '3' }),
			draft({ key: 2, weight: '', first_byte_timeout: '45', idle_timeout: '2.5' })
		]);
		expect(parsed).toEqual({
			ok: true,
			targets: [
				{ provider: 3, model: 'gpt-4o', weight: 3, connect_timeout: null, first_byte_timeout: null, idle_timeout: null },
				{ provider: 'local', model: null, weight: 1, connect_timeout: null, first_byte_timeout: 45, idle_timeout: 2.5 }
			]
		});
	});

	it('names each bad field by its path, as the server would', () => {
		const parsed = parseTargets([
			draft({ weight: '0' }),
			draft({ key: 2, weight: '1.5', connect_timeout: 'soon' }),
			draft({ key: 3, weight: '1001', idle_timeout: '0', first_byte_timeout: '3601' })
		]);
		expect(parsed.ok).toBe(false);
		if (parsed.ok) return;
		expect(Object.keys(parsed.fields).sort()).toEqual([
			'targets.0.weight',
			'targets.1.connect_timeout',
			'targets.1.weight',
			'targets.2.first_byte_timeout',
			'targets.2.idle_timeout',
			'targets.2.weight'
		]);
		expect(parsed.fields['targets.0.weight']).toBe('A whole number from 1 to 1000.');
		expect(parsed.fields['targets.1.connect_timeout']).toMatch(/^Seconds, more than 0 and at most 3600/);
	});

	it('accepts the bounds themselves', () => {
		expect(parseTargets([draft({ weight: '1000', connect_timeout: '3600' })]).ok).toBe(true);
	});
});

describe('toDrafts', () => {
	it('reads a saved target back into text fields that parse to the same target', () => {
		const saved = ruleTarget({ provider: 4, model: 'm', weight: 7, connect_timeout: 5, idle_timeout: 30.5 });
		const [edited] = toDrafts([saved]);
		expect(edited).toEqual({
			key: 1,
			provider: '4',
			model: 'm',
			weight: '7',
			connect_timeout: '5',
			first_byte_timeout: '',
			idle_timeout: '30.5'
		});
		expect(hasTimeouts(edited!)).toBe(true);
		expect(parseTargets([edited!])).toEqual({
			ok: true,
			targets: [{ provider: 4, model: 'm', weight: 7, connect_timeout: 5, first_byte_timeout: null, idle_timeout: 30.5 }]
		});
	});

	it('a target with no timeouts of its own has nothing advanced to show', () => {
		expect(hasTimeouts(toDrafts([ruleTarget()])[0]!)).toBe(false);
		expect(hasTimeouts(draft({ idle_timeout: '  ' }))).toBe(false);
	});
});
