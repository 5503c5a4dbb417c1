import { describe, expect, it } from 'vitest';
import { SpentStates } from '../src/state-store.js';

const TTL = 600_000;

function clock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const state = (i: number) => `state-${String(i).padStart(37, '0')}`;

describe('SpentStates (the states one process has spent, session mode)', () => {
  it('accepts a state once and refuses it after', () => {
    const spent = new SpentStates(TTL, 100, clock());
    expect(spent.add(state(1))).toBe(true);
    expect(spent.add(state(1))).toBe(false);
    expect(spent.add(state(2))).toBe(true);
  });

  it('remembers every state for at least the TTL, whenever in a generation it was spent', () => {
    const time = clock();
    const spent = new SpentStates(TTL, 1_000, time);
    // One state spent every 10 s over three TTLs; each is checked again just before its TTL has passed.
    const due: Array<{ at: number; state: string }> = [];
    let elapsed = 0;
    for (let i = 0; i < 180; i++) {
      const s = state(i);
      expect(spent.add(s)).toBe(true);
      due.push({ at: elapsed + TTL - 1, state: s });
      time.advance(10_000);
      elapsed += 10_000;
      for (const check of due.filter((d) => d.at >= elapsed)) {
        if (check.at < elapsed + 10_000) {
          time.advance(check.at - elapsed);
          expect(spent.add(check.state)).toBe(false);
          time.advance(elapsed - check.at);
        }
      }
    }
  });

  it('forgets states two TTLs old: a quiet process keeps nothing', () => {
    const time = clock();
    const spent = new SpentStates(TTL, 1_000, time);
    for (let i = 0; i < 500; i++) spent.add(state(i));
    time.advance(TTL);
    spent.add(state(1_000));
    expect(spent.size).toBe(501); // the first 500 are a generation old
    time.advance(2 * TTL);
    spent.add(state(1_001));
    expect(spent.size).toBe(1);
  });

  it('never keeps more than its bound: the oldest generation is dropped early', () => {
    const spent = new SpentStates(TTL, 1_000, clock());
    for (let i = 0; i < 10_000; i++) {
      spent.add(state(i));
      expect(spent.size).toBeLessThanOrEqual(1_000);
    }
    // The newest half is still remembered.
    expect(spent.add(state(9_999))).toBe(false);
    expect(spent.add(state(9_600))).toBe(false);
  });
});
