import { describe, expect, it } from 'vitest';
import { gatewayKey } from '$lib/testing/data';
import { draftOf, parseDraft, parsePatterns, topFields } from './draft';

describe('key drafts', () => {
	it('reads patterns one a line or comma separated, without blanks or repeats', () => {
		expect(parsePatterns(' gpt-4o*\n\nclaude-*, gpt-4o* ,')).toEqual(['gpt-4o*', 'claude-*']);
	});

	it('turns a local expiry into an instant, and back', () => {
		const parsed = parseDraft({ name: 'ci', patterns: '', requestsPerMinute: '', tokensPerMinute: '', expires: '2999-06-01T12:30' });
		expect(parsed.ok).toBe(true);
		const at = parsed.ok ? parsed.body.expires_at! : '';
		expect(new Date(at).getTime()).toBe(new Date('2999-06-01T12:30').getTime());
		expect(draftOf(gatewayKey({ expires_at: at })).expires).toBe('2999-06-01T12:30');
	});

	it('keys server field errors by their top field', () => {
		expect(topFields({ 'model_patterns.0': 'too long', 'model_patterns.3': 'empty', name: 'x' })).toEqual({
			model_patterns: 'too long; empty',
			name: 'x'
		});
	});
});
