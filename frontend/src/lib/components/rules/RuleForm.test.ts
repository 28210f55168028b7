import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/client';
import { groqSpec, provider, rule, ruleTarget } from '$lib/testing/data';
import RuleForm from './RuleForm.svelte';

const defaults = { weight: 1, connect_timeout: null, first_byte_timeout: null, idle_timeout: null };

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
			strategy: 'ordered',
			targets: [
				{ provider: 3, model: 'llama-3.1-8b', ...defaults },
				{ provider: 'local', model: null, ...defaults }
			],
			enabled: true,
			description: ''
		});
		expect(onsaved).toHaveBeenCalled();
	});

	it('a weighted rule asks for a weight per target and sends the weights', async () => {
		const save = vi.fn().mockResolvedValue(rule(1, 'gpt-'));
		render(RuleForm, { providers: [provider({ id: 3, name: 'groq-b' })], specs: [groqSpec], save, onsaved: () => {}, oncancel: () => {} });
		const user = userEvent.setup();
		expect(screen.queryByLabelText('weight of target 1')).toBeNull();
		await user.selectOptions(screen.getByLabelText('Strategy'), 'weighted');
		expect(screen.getByText(/Spread requests at random by weight/)).toBeTruthy();
		await user.type(screen.getByLabelText('Pattern'), 'gpt-');
		await user.click(screen.getByRole('button', { name: '+ Add target' }));
		await user.selectOptions(screen.getByLabelText('Target 2'), '3');
		await user.clear(screen.getByLabelText('weight of target 1'));
		await user.type(screen.getByLabelText('weight of target 1'), '3');
		await user.click(screen.getByRole('button', { name: 'Save rule' }));
		expect(save.mock.calls[0]![0]).toMatchObject({
			strategy: 'weighted',
			targets: [
				{ provider: 'local', weight: 3 },
				{ provider: 3, weight: 1 }
			]
		});
	});

	it("sends the timeouts typed under a target; the empty ones show the server's default and stay null", async () => {
		const save = vi.fn().mockResolvedValue(rule(1, 'x'));
		const timeoutDefaults = { connect_timeout: 7, first_byte_timeout: 240, idle_timeout: 90 };
		render(RuleForm, { providers: [], specs: [], timeoutDefaults, save, onsaved: () => {}, oncancel: () => {} });
		const user = userEvent.setup();
		await user.type(screen.getByLabelText('Pattern'), 'x');
		await user.click(screen.getByText('Timeouts'));
		const connect = screen.getByLabelText(/^Connect timeout of target 1/) as HTMLInputElement;
		expect(connect.value).toBe('');
		expect(connect.placeholder).toBe('7 (default)');
		expect((screen.getByLabelText(/^First byte timeout of target 1/) as HTMLInputElement).placeholder).toBe('240 (default)');
		await user.type(screen.getByLabelText(/^Stream idle timeout of target 1/), '30');
		await user.click(screen.getByRole('button', { name: 'Save rule' }));
		expect(save.mock.calls[0]![0].targets).toEqual([
			{ provider: 'local', model: null, weight: 1, connect_timeout: null, first_byte_timeout: null, idle_timeout: 30 }
		]);
	});

	it('shows a bad weight or timeout next to the target and sends nothing', async () => {
		const save = vi.fn();
		render(RuleForm, { providers: [], specs: [], save, onsaved: () => {}, oncancel: () => {} });
		const user = userEvent.setup();
		await user.selectOptions(screen.getByLabelText('Strategy'), 'weighted');
		await user.clear(screen.getByLabelText('weight of target 1'));
		await user.type(screen.getByLabelText('weight of target 1'), '0');
		await user.click(screen.getByText('Timeouts'));
		await user.type(screen.getByLabelText(/^Connect timeout of target 1/), '-1');
		await user.click(screen.getByRole('button', { name: 'Save rule' }));
		expect(save).not.toHaveBeenCalled();
		expect(screen.getByText('A whole number from 1 to 1000.')).toBeTruthy();
		expect(screen.getByText(/^Seconds, more than 0/)).toBeTruthy();
		expect(screen.getByLabelText('weight of target 1').getAttribute('aria-invalid')).toBe('true');
		expect(document.activeElement).toBe(screen.getByLabelText('weight of target 1'));
		// Every strategy sends the weight, so a bad one stays in sight after switching away.
		await user.selectOptions(screen.getByLabelText('Strategy'), 'ordered');
		expect(screen.getByLabelText('weight of target 1')).toBeTruthy();
	});

	it('edits a rule with its strategy, weights and timeouts as saved', () => {
		const saved = rule(5, 'gpt-', {
			strategy: 'weighted',
			targets: [ruleTarget({ weight: 3, first_byte_timeout: 60 }), ruleTarget({ provider: 3, weight: 1 })]
		});
		render(RuleForm, { rule: saved, providers: [provider({ id: 3 })], specs: [groqSpec], save: vi.fn(), onsaved: () => {}, oncancel: () => {} });
		expect((screen.getByLabelText('Strategy') as HTMLSelectElement).value).toBe('weighted');
		expect((screen.getByLabelText('weight of target 1') as HTMLInputElement).value).toBe('3');
		expect((screen.getByLabelText('weight of target 2') as HTMLInputElement).value).toBe('1');
		const [first, second] = screen.getAllByRole('group').filter((el) => el.tagName === 'DETAILS') as HTMLDetailsElement[];
		expect(first?.open).toBe(true);
		expect(second?.open).toBe(false);
		expect((screen.getByLabelText(/^First byte timeout of target 1/) as HTMLInputElement).value).toBe('60');
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
			targets: [ruleTarget({ provider: 9, usable: false, problem: 'provider #9 no longer exists; choose another target for this rule' })]
		});
		render(RuleForm, { rule: old, providers: [], specs: [], save: vi.fn(), onsaved: () => {}, oncancel: () => {} });
		expect((screen.getByLabelText('Target 1') as HTMLSelectElement).value).toBe('9');
		expect(screen.getByText(/provider #9 no longer exists/)).toBeTruthy();
	});
});
