import { describe, expect, it } from 'vitest';
import { dropIndex, moveBy, moveItem, sameOrder } from './order';

const ids = (items: { id: number }[]) => items.map((i) => i.id);
const rules = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];

describe('moveItem', () => {
	it('moves an item and leaves the input alone', () => {
		expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
		expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
		const input = ['a', 'b'];
		moveItem(input, 0, 1);
		expect(input).toEqual(['a', 'b']);
	});

	it('clamps the destination and ignores a bad source', () => {
		expect(moveItem(['a', 'b', 'c'], 1, 99)).toEqual(['a', 'c', 'b']);
		expect(moveItem(['a', 'b', 'c'], 1, -5)).toEqual(['b', 'a', 'c']);
		expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
	});
});

describe('moveBy (keyboard)', () => {
	it('moves up and down by one', () => {
		expect(ids(moveBy(rules, 3, -1))).toEqual([1, 3, 2, 4]);
		expect(ids(moveBy(rules, 3, 1))).toEqual([1, 2, 4, 3]);
	});

	it('does nothing past either end or for an unknown id', () => {
		expect(ids(moveBy(rules, 1, -1))).toEqual([1, 2, 3, 4]);
		expect(ids(moveBy(rules, 4, 1))).toEqual([1, 2, 3, 4]);
		expect(ids(moveBy(rules, 9, 1))).toEqual([1, 2, 3, 4]);
	});
});

describe('dropIndex (drag and drop)', () => {
	const drop = (from: number, over: number, before: boolean) =>
		ids(moveItem(rules, from, dropIndex(from, over, before)));

	it('drops before or after the card under the pointer', () => {
		expect(drop(0, 2, true)).toEqual([2, 1, 3, 4]);
		expect(drop(0, 2, false)).toEqual([2, 3, 1, 4]);
		expect(drop(3, 0, true)).toEqual([4, 1, 2, 3]);
		expect(drop(3, 1, false)).toEqual([1, 2, 4, 3]);
		expect(drop(0, 3, false)).toEqual([2, 3, 4, 1]);
	});

	it('leaves the order alone when dropped on itself or its own edge', () => {
		expect(drop(1, 1, true)).toEqual([1, 2, 3, 4]);
		expect(drop(1, 1, false)).toEqual([1, 2, 3, 4]);
		expect(drop(1, 0, false)).toEqual([1, 2, 3, 4]);
		expect(drop(1, 2, true)).toEqual([1, 2, 3, 4]);
	});
});

describe('sameOrder', () => {
	it('compares ids position by position', () => {
		expect(sameOrder(rules, [...rules])).toBe(true);
		expect(sameOrder(rules, moveBy(rules, 2, 1))).toBe(false);
		expect(sameOrder(rules, rules.slice(1))).toBe(false);
	});
});
