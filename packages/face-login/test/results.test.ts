import { describe, expect, it } from 'vitest';
import { parseAliceTime, parseAuthentication, parseReport, score } from '../src/results.js';

describe('result parsing', () => {
  it('reads created_at without a zone as UTC, keeps an explicit zone, refuses the rest', () => {
    expect(parseAliceTime('2020-10-27T10:29:00')).toBe(Date.UTC(2020, 9, 27, 10, 29, 0));
    expect(parseAliceTime('2021-07-20T14:13:12.295516')).toBe(Date.UTC(2021, 6, 20, 14, 13, 12, 295));
    expect(parseAliceTime('2020-10-27T10:29:00+02:00')).toBe(Date.UTC(2020, 9, 27, 8, 29, 0));
    for (const bad of ['yesterday', '2020-10-27', 1603794540000, null, '2020-13-45T99:00:00']) {
      expect(parseAliceTime(bad), String(bad)).toBeUndefined();
    }
  });

  it('accepts only finite numbers in range as scores', () => {
    expect(score(50, 100)).toBe(50);
    expect(score(0.7, 1)).toBeCloseTo(70);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -0.01, 100.01, '50', null, undefined, true]) {
      expect(score(bad, 100), String(bad)).toBeUndefined();
    }
    expect(score(1.5, 1)).toBeUndefined();
  });

  it('refuses as a wrong shape an authentication with no score field of either version', () => {
    const noScores = { authentication: { authentication_id: 'a', created_at: '2020-10-27T10:29:00' } };
    expect(() => parseAuthentication(noScores, 1, 'a')).toThrow('no scores');
    expect(() => parseAuthentication({ nothing: true }, 0, 'a')).toThrow('no scores');
    const unusable = parseAuthentication(
      { authentication: { ...noScores.authentication, face_liveness: null } },
      1,
      'a',
    );
    expect(unusable).toMatchObject({ version: 1, liveness: undefined, matching: undefined });
  });

  it('normalises V0 and V1 authentications to 0–100, V0 match from normalized', () => {
    const v0 = parseAuthentication(
      {
        authentication: {
          created_at: '2020-10-27T09:59:45',
          liveness_result: { score: 0.33450181061727124 },
          match_result: { normalized: 0.7498937406176167, score: 0.84993624437057 },
          media_id: 'm',
          user_id: 'u',
        },
      },
      0,
      'the-id',
    );
    expect(v0).toMatchObject({ version: 0, authenticationId: 'the-id' });
    expect(v0.liveness).toBeCloseTo(33.45);
    expect(v0.matching).toBeCloseTo(74.99);
    const v1 = parseAuthentication(
      { authentication_id: 'a', created_at: '2020-10-27T10:29:00', face_liveness: 90.86, face_matching: 96 },
      1,
      'x',
    );
    expect(v1).toMatchObject({ version: 1, authenticationId: 'a', liveness: 90.86, matching: 96 });
  });

  it('reads reports V0 and V1, wrapped or as the docs show them', () => {
    expect(parseReport({ summary: { face_liveness: 16.740356308011584 }, version: 1 }, 1).faceLiveness).toBeCloseTo(
      16.74,
    );
    expect(
      parseReport(
        { report: { user_summary: { selfie: { liveness: { score: 0.1674 }, voided: false } }, version: 0 } },
        0,
      ).faceLiveness,
    ).toBeCloseTo(16.74);
    expect(
      parseReport({ user_summary: { selfie: { liveness: { score: 0.9 }, voided: true } }, version: 0 }, 0).faceLiveness,
    ).toBeNull();
    expect(() => parseReport({ version: 1 }, 1)).toThrow(/summary/);
  });
});
