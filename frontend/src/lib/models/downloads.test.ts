import { describe, expect, it } from 'vitest';
import { download } from '$lib/testing/data';
import { formatBytes, formatMs } from '$lib/format';
import { applyDownload, fraction, progressLabel, withoutDownload } from './downloads';

describe('applyDownload', () => {
	it('appends a new download and replaces a known one with its newer state', () => {
		let list = applyDownload([], download({ bytes_done: 0 }));
		list = applyDownload(list, download({ bytes_done: 500 }));
		list = applyDownload(list, download({ id: 'other', repo_id: 'org/other' }));
		expect(list.map((d) => [d.id, d.bytes_done])).toEqual([
			['d1', 500],
			['other', 0]
		]);
	});

	it('never lets a late progress state undo a finish or move bytes backwards', () => {
		const done = download({ status: 'done', bytes_done: 1000, files_done: 3 });
		expect(applyDownload([done], download({ bytes_done: 900 }))).toEqual([done]);
		const ahead = download({ bytes_done: 700 });
		expect(applyDownload([ahead], download({ bytes_done: 600 }))).toEqual([ahead]);
		expect(applyDownload([ahead], download({ status: 'cancelled', bytes_done: 0 }))[0]?.status).toBe('cancelled');
	});

	it('forgets a download', () => {
		expect(withoutDownload([download()], 'd1')).toEqual([]);
	});
});

describe('progress', () => {
	it('is a fraction of the bytes, unknown before the total is', () => {
		expect(fraction(download({ bytes_done: 250, bytes_total: 1000 }))).toBe(0.25);
		expect(fraction(download({ bytes_total: 0 }))).toBeNull();
		expect(fraction(download({ status: 'done', bytes_total: 0 }))).toBe(1);
	});

	it('reads as bytes, files and percent', () => {
		expect(progressLabel(download({ bytes_done: 1_500_000, bytes_total: 3_000_000, files_done: 1, files_total: 4 }))).toBe(
			'1.50 MB of 3.00 MB · 1/4 files · 50%'
		);
		expect(progressLabel(download({ bytes_done: 0, bytes_total: 0, files_total: 0 }))).toBe('0 B · 0/0 files');
	});
});

describe('format', () => {
	it('writes sizes and times in human units', () => {
		expect(formatBytes(999)).toBe('999 B');
		expect(formatBytes(1234)).toBe('1.23 kB');
		expect(formatBytes(4_500_000_000)).toBe('4.50 GB');
		expect(formatBytes(123_400_000)).toBe('123 MB');
		expect(formatMs(85.4)).toBe('85 ms');
		expect(formatMs(1234)).toBe('1.23 s');
	});
});
