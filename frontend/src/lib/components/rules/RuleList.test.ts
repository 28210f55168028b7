import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Rule, TargetHealth } from '$lib/api/rules';
import { provider, rule, ruleTarget, targetHealth } from '$lib/testing/data';
import RuleList from './RuleList.svelte';

function setup(rules: Rule[], health: ReadonlyMap<string, TargetHealth> | null = null) {
	const onreorder = vi.fn();
	render(RuleList, {
		rules,
		providers: [provider()],
		health,
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
			targets: [ruleTarget({ provider: 9, usable: false, problem: 'provider #9 no longer exists; choose another target for this rule' })]
		});
		setup([broken]);
		expect(screen.getByText(/provider #9 no longer exists/)).toBeTruthy();
	});

	it('shows the strategy, and the weights of a weighted rule', () => {
		setup([
			rule(1, 'gpt-', { strategy: 'weighted', targets: [ruleTarget({ provider: 1, weight: 3 }), ruleTarget({ weight: 1 })] }),
			rule(2, 'claude-', { targets: [ruleTarget({ weight: 5, idle_timeout: 30 })] })
		]);
		const [weighted, ordered] = screen.getAllByRole('article') as [HTMLElement, HTMLElement];
		expect(within(weighted).getByTestId('strategy').textContent).toBe('Weighted');
		expect(within(weighted).getAllByTestId('weight').map((w) => w.textContent)).toEqual(['weight 3', 'weight 1']);
		expect(within(weighted).getAllByTestId('weight')[0]?.getAttribute('title')).toBe('3 of 4');
		expect(within(ordered).getByTestId('strategy').textContent).toBe('Ordered');
		expect(within(ordered).queryByTestId('weight')).toBeNull();
		expect(within(ordered).getByTestId('timeouts').textContent).toBe('timeouts: stream idle 30 s');
	});

	it("shows each target's health, the latest list over what came with the rule", () => {
		const key = 'provider:1/llama-3.1-8b';
		const saved = targetHealth({ key, requests: 10 });
		setup(
			[
				rule(1, 'llama-', {
					targets: [ruleTarget({ provider: 1, model: 'llama-3.1-8b', health: saved }), ruleTarget({ model: 'qwen3', health: targetHealth({ key: 'local/qwen3' }) }), ruleTarget()]
				})
			],
			new Map([[key, targetHealth({ key, state: 'backing_off', requests: 8, failures: 6, error_rate: 0.75, latency_ms: 210, retry_in: 4 })]])
		);
		const items = screen.getAllByRole('listitem').filter((li) => li.dataset.target) as [HTMLElement, HTMLElement, HTMLElement];
		expect(items[0].querySelector('[data-health]')?.getAttribute('data-health')).toBe('backing_off');
		expect(within(items[0]).getByTestId('health-figures').textContent).toBe('75% errors (6 of 8) · 210 ms');
		expect(items[1].querySelector('[data-health]')?.getAttribute('data-health')).toBe('healthy');
		expect(within(items[1]).getByTestId('health-figures').textContent).toBe('no recent requests');
		// A target that sends the requested name has health per name, not one of its own.
		expect(items[2].querySelector('[data-health]')).toBeNull();
	});
});
