import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/client';
import { groqSpec, provider, rule } from '$lib/testing/data';
import RuleForm from './RuleForm.svelte';

describe('RuleForm', () => {
	it('sends the pattern and ordered targets, a blank model as null', async () => {
		const save = vi.fn().mockResolvedValue(rule(1, 'llama-'));
		const onsaved = vi.fn();
		render(RuleForm, { providers: [provider({ id: 3, name: 'groq-b' })], specs: [groqSpec], save, onsaved, oncancel: () => {} });
		const user = userEvent.setup();
		await user.selectOptions(screen.getByLabelText('Match'), 'glob');
		await user.type(screen.getByLabelText('Pattern'), 'llama-*');
		await user.selectOptions(screen.getByLabelText('Target 1'), '3');
		await user.type(screen.getByLabelText('Model sent to target 1'), 'llama-3.1-8b');
		await user.click(screen.getByRole('button', { name: '+ Add target' }));
		await user.click(screen.getByRole('button', { name: 'Save rule' }));
		expect(save).toHaveBeenCalledWith({
			pattern: 'llama-*',
			pattern_type: 'glob',
			targets: [
				{ provider: 3, model: 'llama-3.1-8b' },
				{ provider: 'local', model: null }
			],
			enabled: true,
			description: ''
		});
		expect(onsaved).toHaveBeenCalled();
	});

	it("shows the API's messages next to the pattern and targets", async () => {
		const save = vi.fn().mockRejectedValue(
			new ApiError(422, 'x', { pattern: 'not a valid regular expression', targets: 'target 1: there is no provider with id 9' })
		);
		render(RuleForm, { providers: [], specs: [], save, onsaved: () => {}, oncancel: () => {} });
		const user = userEvent.setup();
		await user.click(screen.getByRole('button', { name: 'Save rule' }));
		expect(screen.getByText('not a valid regular expression')).toBeTruthy();
		expect(screen.getByText('target 1: there is no provider with id 9')).toBeTruthy();
		expect(screen.getByLabelText('Pattern').getAttribute('aria-invalid')).toBe('true');
	});

	it('keeps a deleted provider selectable and warns about it when editing', () => {
		const old = rule(2, 'x', {
			targets: [{ provider: 9, model: null, provider_name: null, usable: false, problem: 'provider #9 no longer exists; choose another target for this rule' }]
		});
		render(RuleForm, { rule: old, providers: [], specs: [], save: vi.fn(), onsaved: () => {}, oncancel: () => {} });
		expect((screen.getByLabelText('Target 1') as HTMLSelectElement).value).toBe('9');
		expect(screen.getByText(/provider #9 no longer exists/)).toBeTruthy();
	});
});
