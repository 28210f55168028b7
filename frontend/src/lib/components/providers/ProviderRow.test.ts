import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { provider, targetHealth } from '$lib/testing/data';
import ProviderRow from './ProviderRow.svelte';

const handlers = { ontest: () => {}, onedit: () => {}, ondelete: () => {} };

describe('ProviderRow', () => {
	it('lists the health of the models routing sent it lately', () => {
		render(ProviderRow, {
			provider: provider({ name: 'groq-team' }),
			status: undefined,
			showProtocol: false,
			health: [
				targetHealth({ key: 'provider:1/a', model: 'a', requests: 4, latency_ms: 35 }),
				targetHealth({ key: 'provider:1/b', model: 'b', state: 'probing', requests: 1, failures: 1, error_rate: 1 })
			],
			...handlers
		});
		const list = screen.getByRole('list', { name: 'Recent health of the models of groq-team' });
		const [a, b] = within(list).getAllByRole('listitem') as [HTMLElement, HTMLElement];
		expect(a.dataset.model).toBe('a');
		expect(a.querySelector('[data-health]')?.getAttribute('data-health')).toBe('healthy');
		expect(within(a).getByTestId('health-figures').textContent).toBe('0% errors (0 of 4) · 35 ms');
		expect(within(b).getByText('probing')).toBeTruthy();
		expect(within(b).getByTestId('health-figures').textContent).toBe('100% errors (1 of 1)');
	});

	it('shows no health list for a provider routing has not used', () => {
		render(ProviderRow, { provider: provider(), status: undefined, showProtocol: false, ...handlers });
		expect(screen.queryByRole('list')).toBeNull();
	});
});
