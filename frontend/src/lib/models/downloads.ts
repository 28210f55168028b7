// Download progress as the page shows it: one entry per download id, fed by the list endpoint
// and by each download's event stream, whichever answers last.
import type { Download } from '$lib/api/models';
import { formatBytes, formatPercent } from '$lib/format';

export function isRunning(download: Download): boolean {
	return download.status === 'downloading';
}

/**
 * The list with `update` in place of the entry of the same id (or appended). A late progress
 * state never overwrites a finished one: the stream and the list may answer out of order.
 */
export function applyDownload(list: Download[], update: Download): Download[] {
	const index = list.findIndex((d) => d.id === update.id);
	if (index === -1) return [...list, update];
	const current = list[index]!;
	if (!isRunning(current) && isRunning(update)) return list;
	if (isRunning(current) && isRunning(update) && update.bytes_done < current.bytes_done) return list;
	return list.map((d, i) => (i === index ? update : d));
}

export function withoutDownload(list: Download[], id: string): Download[] {
	return list.filter((d) => d.id !== id);
}

/** Done so far, 0 to 1; null while the total is not known yet. */
export function fraction(download: Download): number | null {
	if (download.status === 'done') return 1;
	if (download.bytes_total <= 0) return null;
	return Math.min(1, download.bytes_done / download.bytes_total);
}

export function progressLabel(download: Download): string {
	const share = fraction(download);
	const bytes =
		download.bytes_total > 0
			? `${formatBytes(download.bytes_done)} of ${formatBytes(download.bytes_total)}`
			: formatBytes(download.bytes_done);
	const files = `${download.files_done}/${download.files_total} files`;
	return [bytes, files, share === null ? null : formatPercent(share)].filter(Boolean).join(' · ');
}

export const STATUS_LABELS: Record<Download['status'], string> = {
	downloading: 'Downloading',
	done: 'Downloaded',
	error: 'Failed',
	cancelled: 'Cancelled',
	interrupted: 'Interrupted'
};
