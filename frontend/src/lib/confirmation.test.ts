import { describe, expect, it } from 'vitest';
import { Confirmation } from './confirmation.svelte';

describe('Confirmation', () => {
	it('acts on what was asked about, then closes', async () => {
		const asked = new Confirmation<{ id: number }>();
		const done: number[] = [];
		asked.ask({ id: 7 });
		let during = false;
		await asked.confirm(async (subject) => {
			during = asked.busy;
			done.push(subject.id);
		});
		expect(done).toEqual([7]);
		expect(during).toBe(true);
		expect(asked.subject).toBeNull();
		expect(asked.busy).toBe(false);
	});

	it('stays open with the error when the action fails, and a new ask clears it', async () => {
		const asked = new Confirmation<string>();
		asked.ask('m');
		await asked.confirm(async () => {
			throw new Error('409: in use');
		});
		expect(asked.subject).toBe('m');
		expect(asked.error).toBe('409: in use');
		expect(asked.busy).toBe(false);
		asked.ask('n');
		expect(asked.error).toBeNull();
		asked.cancel();
		expect(asked.subject).toBeNull();
	});

	it('does nothing when nothing was asked, or while the action runs', async () => {
		const asked = new Confirmation<string>();
		let calls = 0;
		await asked.confirm(async () => {
			calls += 1;
		});
		expect(calls).toBe(0);
		asked.ask('x');
		let release: () => void = () => {};
		const first = asked.confirm(() => new Promise<void>((resolve) => (release = resolve)));
		await asked.confirm(async () => {
			calls += 1;
		});
		release();
		await first;
		expect(calls).toBe(0);
		expect(asked.subject).toBeNull();
	});
});
