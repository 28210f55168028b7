import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { RouteTest, RouteTestTarget } from '$lib/api/rules';
import { rule, ruleTarget, targetHealth } from '$lib/testing/data';
import RouteTester from './RouteTester.svelte';

function target(overrides: Partial<RouteTestTarget>): RouteTestTarget {
	return {
		kind: 'provider',
		provider_id: 1,
		provider_name: 'groq-a',
		model: 'gpt-4o',
		usable: true,
		problem: null,
		health: targetHealth({ key: 'provider:1/gpt-4o', model: 'gpt-4o' }),
		weighing: null,
		picked: false,
		...overrides
	};
}

async function ask(result: RouteTest) {
	const test = vi.fn().mockResolvedValue(result);
	render(RouteTester, { test });
	const user = userEvent.setup();
	await user.type(screen.getByLabelText('Model name'), 'gpt-4o');
	await user.click(screen.getByRole('button', { name: 'Test route' }));
	expect(test).toHaveBeenCalledWith('gpt-4o');
	return screen.getByTestId('route-result');
}

describe('RouteTester', () => {
	it('highlights the target a request would try now, with the reason and how each is weighed', async () => {
		const result = await ask({
			model: 'gpt-4o',
			source: 'rule',
			rule: rule(1, 'gpt-', { strategy: 'weighted', targets: [ruleTarget(), ruleTarget()] }),
			strategy: 'weighted',
			reason: 'first by weighted among the healthy targets',
			error: null,
			targets: [
				target({ weighing: 'weight 1 of 4: first 25% of the time', health: targetHealth({ state: 'backing_off', retry_in: 5 }) }),
				target({ provider_id: 2, provider_name: 'groq-b', weighing: 'weight 3 of 4: first 75% of the time', picked: true })
			]
		});
		expect(within(result).getByTestId('route-strategy').textContent).toBe('Weighted');
		expect(within(result).getByTestId('route-reason').textContent?.trim()).toBe(
			'A request now goes first to groq-b: first by weighted among the healthy targets.'
		);
		const [first, second] = within(result).getAllByRole('listitem') as [HTMLElement, HTMLElement];
		expect(first.dataset.picked).toBe('false');
		expect(second.dataset.picked).toBe('true');
		expect(within(second).getByText('picked now')).toBeTruthy();
		expect(within(first).queryByText('picked now')).toBeNull();
		expect(within(first).getByTestId('weighing').textContent).toContain('weight 1 of 4: first 25% of the time');
		expect(first.querySelector('[data-health]')?.getAttribute('data-health')).toBe('backing_off');
		expect(second.querySelector('[data-health]')?.getAttribute('data-health')).toBe('healthy');
	});

	it('says why no target is picked when none can be used', async () => {
		const result = await ask({
			model: 'gpt-4o',
			source: 'rule',
			rule: rule(1, 'gpt-'),
			strategy: 'ordered',
			reason: 'no target can be used: see each target\'s problem',
			error: null,
			targets: [target({ usable: false, problem: 'provider #9 no longer exists', weighing: null, health: null })]
		});
		expect(within(result).getByTestId('route-reason').textContent?.trim()).toBe("No target can be used: see each target's problem.");
		expect(within(result).queryByText('picked now')).toBeNull();
		expect(within(result).getByText(/skipped: provider #9 no longer exists/)).toBeTruthy();
	});
});
