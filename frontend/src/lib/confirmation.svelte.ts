/**
 * Confirm, then act: what a page asks about (a key to revoke, a model to delete), whether the
 * action is running, and why it failed. The dialog stays open on failure, with the error, so the
 * user can try again or cancel; it closes once the action is done.
 */
export class Confirmation<T> {
	subject = $state<T | null>(null);
	busy = $state(false);
	error = $state<string | null>(null);

	ask(subject: T): void {
		this.error = null;
		this.subject = subject;
	}

	cancel(): void {
		this.subject = null;
	}

	async confirm(act: (subject: T) => Promise<unknown>): Promise<void> {
		const subject = this.subject;
		if (subject === null || this.busy) return;
		this.busy = true;
		this.error = null;
		try {
			await act(subject);
			this.subject = null;
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
		} finally {
			this.busy = false;
		}
	}
}
