import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { HealthState } from '$lib/api/rules';
import { targetHealth } from '$lib/testing/data';
import HealthBadge from './HealthBadge.svelte';

describe('HealthBadge', () => {
	it.each<[HealthState, string, string]>([
		['healthy', 'healthy', 'ok'],
		['probing', 'probing', 'warn'],
		['backing_off', 'backing off', 'danger']
	])('shows %s as a %s badge in its colour', (state, label, tone) => {
		const { container } = render(HealthBadge, { health: targetHealth({ state, retry_in: state === 'backing_off' ? 3 : 0 }) });
		const badge = screen.getByText(label);
		expect(badge.classList.contains(tone)).toBe(true);
		expect(container.querySelector('[data-health]')?.getAttribute('data-health')).toBe(state);
	});

	it('says in its tooltip when a target backing off is back', () => {
		render(HealthBadge, { health: targetHealth({ state: 'backing_off', retry_in: 2.4 }) });
		expect(screen.getByText('backing off').getAttribute('title')).toBe('Backing off: takes requests again in 3 s');
	});

	it('shows the error rate and latency beside it, unless compact', () => {
		const health = targetHealth({ requests: 10, failures: 1, error_rate: 0.1, latency_ms: 35 });
		const { unmount } = render(HealthBadge, { health });
		expect(screen.getByTestId('health-figures').textContent).toBe('10% errors (1 of 10) · 35 ms');
		unmount();
		render(HealthBadge, { health, compact: true });
		expect(screen.queryByTestId('health-figures')).toBeNull();
	});
});
