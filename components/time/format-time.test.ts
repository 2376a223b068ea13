import { describe, expect, it } from 'vitest';
import { durationBetween, formatDuration, formatRelativeTime } from './format-time';

const now = Date.parse('2024-05-01T12:00:00.000Z');

describe('formatRelativeTime', () => {
  it('says how long ago, or how long until', () => {
    expect(formatRelativeTime('2024-05-01T12:00:00.500Z', now)).toBe('just now');
    expect(formatRelativeTime('2024-05-01T11:59:48.000Z', now)).toBe('12 s ago');
    expect(formatRelativeTime('2024-05-01T11:57:00.000Z', now)).toBe('3 min ago');
    expect(formatRelativeTime('2024-05-01T09:00:00.000Z', now)).toBe('3 h ago');
    expect(formatRelativeTime('2024-04-28T12:00:00.000Z', now)).toBe('3 d ago');
    expect(formatRelativeTime('2024-05-01T12:00:30.000Z', now)).toBe('in 30 s');
  });
});

describe('formatDuration', () => {
  it('picks a unit a person reads at a glance', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_620_000)).toBe('2 h 07 min');
    expect(formatDuration(-1)).toBe('—');
  });

  it('measures an open span until now', () => {
    expect(durationBetween('2024-05-01T11:59:00.000Z', null, now)).toBe(60_000);
    expect(durationBetween('2024-05-01T11:59:00.000Z', '2024-05-01T11:59:01.500Z', now)).toBe(1500);
    expect(durationBetween(null, null, now)).toBeNull();
  });
});
