import { fireEvent, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Rule } from '$lib/api/rules';
import { provider, rule } from '$lib/testing/data';
import RuleList from './RuleList.svelte';

function setup(rules: Rule[]) {
	const onreorder = vi.fn();
	render(RuleList, {
		rules,
		providers: [provider()],
		busy: false,
		onreorder,
		ontoggle: () => {},
		onedit: () => {},
		ondelete: () => {}
	});
	return { onreorder, user: userEvent.setup() };
}

const patterns = (call: unknown[]) => (call[0] as Rule[]).map((r) => r.pattern);

describe('RuleList', () => {
	const rules = [rule(1, 'gpt-'), rule(2, 'claude-'), rule(3, 'llama-')];

	it('shows the rules as cards in the given order', () => {
		setup(rules);
		const cards = screen.getAllByRole('article');
		expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual(['Rule 1: gpt-', 'Rule 2: claude-', 'Rule 3: llama-']);
	});

	it('moves a rule with the move buttons', async () => {
		const { onreorder, user } = setup(rules);
		await user.click(screen.getByRole('button', { name: 'Move rule claude- up' }));
		expect(patterns(onreorder.mock.calls[0]!)).toEqual(['claude-', 'gpt-', 'llama-']);
		expect((screen.getByRole('button', { name: 'Move rule gpt- up' }) as HTMLButtonElement).disabled).toBe(true);
	});

	it('moves a rule with the arrow keys on its handle', async () => {
		const { onreorder, user } = setup(rules);
		screen.getByRole('button', { name: /Reorder rule gpt-/ }).focus();
		await user.keyboard('{ArrowDown}');
		expect(patterns(onreorder.mock.calls[0]!)).toEqual(['claude-', 'gpt-', 'llama-']);
	});

	it('moves a rule by drag and drop', async () => {
		const { onreorder } = setup(rules);
		const items = screen.getAllByRole('listitem').filter((li) => li.dataset.rule);
		const [first, , last] = items as [HTMLElement, HTMLElement, HTMLElement];
		last.getBoundingClientRect = () => ({ top: 0, height: 100, bottom: 100, left: 0, right: 0, width: 0, x: 0, y: 0, toJSON: () => ({}) });
		await fireEvent.dragStart(first);
		await fireEvent.dragOver(last, { clientY: 80 });
		await fireEvent.drop(last, { clientY: 80 });
		expect(patterns(onreorder.mock.calls[0]!)).toEqual(['claude-', 'llama-', 'gpt-']);
	});

	it('warns on a target the server cannot use', () => {
		const broken = rule(4, 'x', {
			targets: [{ provider: 9, model: null, provider_name: null, usable: false, problem: 'provider #9 no longer exists; choose another target for this rule' }]
		});
		setup([broken]);
		expect(screen.getByText(/provider #9 no longer exists/)).toBeTruthy();
	});
});
