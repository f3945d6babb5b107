/**
 * Counts beyond 2^53 − 1 are doubles that no longer hold every integer (E0406): wherever a count is shown
 * (summary table and Markdown, budgets and baselines, hover and code lenses), it must read as an
 * approximation, not as a number with made-up low digits.
 */
import { describe, expect, test } from 'vitest';
import { formatCount, isExactCount } from '../src/checker/summary.js';
import { fmtBytes } from '../src/cli/render-summary.js';
import { compact, exact } from '../src/service/layers.js';

// 4096 · 99999998² · 27 = 1,105,919,955,763,200,442,368 exactly; as a double it prints 1,105,919,955,763,200,400,000.
const HUGE = 4096 * 99999998 * 99999998 * 27;

describe('counts beyond 2^53 − 1', () => {
  test('exact counts keep their digits; inexact ones are approximations', () => {
    expect(formatCount(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
    expect(isExactCount(2 ** 53)).toBe(false);
    expect(formatCount(2 ** 53)).toBe('≈9.007e+15');
    expect(formatCount(HUGE)).toBe('≈1.106e+21');
  });
  test('bytes', () => {
    expect(fmtBytes(2048)).toBe('2.00 KB');
    expect(fmtBytes(HUGE)).toBe('≈1.106e+21 B');
  });
  test('hover (exact) and code lenses (compact)', () => {
    expect(exact(1_814_000_000)).toBe('1,814,000,000');
    expect(exact(HUGE)).toBe('≈1.106e+21');
    expect(compact(1_814_000_000)).toBe('1.81G');
    expect(compact(HUGE)).toBe('≈1.11e+21');
  });
});
