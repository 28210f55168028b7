// What the UI knows of each credential's last connection test.
import type { ConnectionTestResult } from '$lib/api/providers';

export type DotState = 'unknown' | 'testing' | 'ok' | 'fail';

export interface TestStatus {
	state: DotState;
	/** What to show beside the dot: the test's error, or its latency and model count. */
	message: string | null;
}

export function statusOf(result: ConnectionTestResult, afterSave = false): TestStatus {
	if (result.ok) {
		const models = result.models.length === 1 ? '1 model' : `${result.models.length} models`;
		const prefix = afterSave ? 'Saved. ' : '';
		return { state: 'ok', message: `${prefix}Connected in ${Math.round(result.latency_ms)} ms · ${models}` };
	}
	const reason = result.error ?? `the provider answered ${result.status ?? 'nothing'}`;
	return {
		state: 'fail',
		message: afterSave ? `Saved, but the connection test failed: ${reason}` : reason
	};
}

export function dotLabel(status: TestStatus | undefined): string {
	switch (status?.state) {
		case 'ok':
			return 'Connection OK';
		case 'fail':
			return 'Connection failed';
		case 'testing':
			return 'Testing connection';
		default:
			return 'Not tested yet';
	}
}
