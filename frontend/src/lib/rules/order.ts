// Reordering rules: pure functions over the list, shared by drag and drop and the keyboard.

/** A copy of `items` with the item at `from` moved to index `to` (both clamped). */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
	const result = [...items];
	if (from < 0 || from >= result.length) return result;
	const target = Math.max(0, Math.min(result.length - 1, to));
	const [item] = result.splice(from, 1) as [T];
	result.splice(target, 0, item);
	return result;
}

/** Move the item with `id` up (`delta` < 0) or down; unchanged at either end. */
export function moveBy<T extends { id: number }>(items: readonly T[], id: number, delta: number): T[] {
	const from = items.findIndex((item) => item.id === id);
	if (from === -1) return [...items];
	return moveItem(items, from, from + delta);
}

/**
 * Where a dragged item lands when dropped on the item at `over`: before it when the pointer is in
 * its upper half, after it otherwise. Returns the index to pass to `moveItem`.
 */
export function dropIndex(from: number, over: number, before: boolean): number {
	const slot = before ? over : over + 1;
	// Removing the dragged item first shifts every later slot up by one.
	return slot > from ? slot - 1 : slot;
}

/** Whether two orders differ, so an unchanged drop sends nothing. */
export function sameOrder(a: readonly { id: number }[], b: readonly { id: number }[]): boolean {
	return a.length === b.length && a.every((item, i) => item.id === b[i]?.id);
}
