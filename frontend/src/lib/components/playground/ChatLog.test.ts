import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Turn } from '$lib/playground/chat.svelte';
import ChatLog from './ChatLog.svelte';

const reply: Turn = {
	role: 'assistant',
	text: 'Hello there',
	thinking: '',
	status: 'done',
	protocol: 'anthropic',
	error: null,
	stats: {
		provider: 'echo',
		model: 'claude-fake-1',
		attempts: '2',
		requestId: 'req-1',
		inputTokens: 12,
		cachedTokens: 2,
		outputTokens: 3,
		ttftMs: 45.2,
		latencyMs: 1234,
		stopReason: 'end_turn'
	}
};

describe('ChatLog', () => {
	it('shows a reply with who served it, tokens and timings', () => {
		render(ChatLog, { turns: [{ ...reply, role: 'user', text: 'hi', stats: null }, reply] });
		expect(screen.getAllByTestId('text').map((e) => e.textContent)).toEqual(['hi', 'Hello there']);
		expect(screen.getByTestId('provider').textContent).toBe('echo');
		expect(screen.getByTestId('tokens').textContent).toBe('12 in (2 cached) · 3 out');
		expect(screen.getByTestId('ttft').textContent).toBe('45 ms');
		expect(screen.getByTestId('latency').textContent).toBe('1.23 s');
		expect(screen.getByText('2')).toBeTruthy(); // attempts, shown only when more than one
	});

	it('shows an error and a stopped reply', () => {
		render(ChatLog, {
			turns: [
				{ ...reply, status: 'error', text: '', error: '503: No route available (api_error)' },
				{ ...reply, status: 'stopped', text: 'Hel' }
			]
		});
		expect(screen.getByRole('alert').textContent).toBe('503: No route available (api_error)');
		expect(screen.getByText('stopped')).toBeTruthy();
	});
});
