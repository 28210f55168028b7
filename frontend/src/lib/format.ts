// Numbers as people read them: sizes in decimal units (as the Hugging Face Hub shows them), times.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
		value /= 1000;
		unit++;
	}
	const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
	return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatMs(ms: number): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A request's cost in USD: small sums keep their significant digits ($0.000123). */
export function formatUsd(usd: number): string {
	if (usd === 0) return '$0';
	if (usd >= 0.01) return `$${usd.toFixed(2)}`;
	return `$${usd.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')}`;
}

export function formatPercent(fraction: number): string {
	return `${Math.floor(fraction * 100)}%`;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A server time; one without an offset (SQLite keeps none) is UTC. */
export function parseServerTime(value: string): Date {
	return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
}

export function formatDateTime(value: string): string {
	return DATE_TIME.format(parseServerTime(value));
}
