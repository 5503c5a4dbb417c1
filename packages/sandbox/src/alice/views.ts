import type { AliceUser, Authentication, Selfie } from './state.js';

/** `created_at` as the API writes it: ISO 8601 without a zone (it is UTC), as in Alice's examples (docs/providers/alice.md). */
export function aliceTime(ms: number, fraction = false): string {
  const iso = new Date(ms).toISOString();
  return fraction ? `${iso.slice(0, 23)}000` : iso.slice(0, 19);
}

function mediaHref(baseURL: string, mediaId: string): string {
  return `${baseURL}/media/${mediaId}/download`;
}

/** Report V1 (docs/providers/alice.md, "Report"), wrapped in `report` as the SDKs read it. */
export function reportV1(user: AliceUser, current: Selfie | undefined, now: number, baseURL: string) {
  return {
    report: {
      created_at: aliceTime(now, true),
      documents: [],
      events: [],
      id: `${user.id.slice(0, 8)}-report-${now}`,
      selfies: user.selfies.map((selfie) => ({
        created_at: aliceTime(selfie.createdAt),
        id: selfie.mediaId,
        liveness: selfie.liveness,
        media: { video: { extension: selfie.mediaId.split('.').pop(), href: mediaHref(baseURL, selfie.mediaId) } },
        voided: selfie.voided,
      })),
      summary: {
        checks: [],
        devices: [],
        external_user_data: {},
        face_liveness: current ? current.liveness : null,
        face_matching: [],
        user_data: [],
      },
      user_id: user.id,
      version: 1,
    },
  };
}

/** Report V0 (docs/providers/alice.md, "Report"): liveness on 0–1 in `user_summary.selfie`. */
export function reportV0(user: AliceUser, now: number) {
  const latest = user.selfies.at(-1);
  return {
    report: {
      created_at: aliceTime(now, true),
      document_reports: {},
      selfie_reports: {},
      user_summary: {
        authorized: user.authorized,
        created_at: aliceTime(user.createdAt),
        documents: {},
        fields: {},
        ...(latest && {
          selfie: {
            created_at: aliceTime(latest.createdAt),
            face_bounding_box: {},
            liveness: { score: latest.liveness / 100 },
            media_avatar_id: `${latest.mediaId}-avatar.jpeg`,
            media_id: latest.mediaId,
            media_selfie_id: `${latest.mediaId}-selfie.png`,
            voided: latest.voided,
          },
        }),
        user_id: user.id,
      },
      version: 0,
    },
  };
}

/** An authentication, V1 (0–100 scores), as in the docs' list example (docs/providers/alice.md). */
export function authenticationV1(authentication: Authentication, baseURL: string) {
  return {
    authentication_id: authentication.id,
    created_at: aliceTime(authentication.createdAt),
    face_liveness: authentication.liveness,
    face_matching: authentication.matching,
    media: {
      video: {
        extension: authentication.mediaId.split('.').pop(),
        href: mediaHref(baseURL, authentication.mediaId),
        objects: null,
      },
    },
  };
}

/** An authentication, V0 (0–1 scores; `normalized` is the stricter match score), as in the docs' example (docs/providers/alice.md). */
export function authenticationV0(authentication: Authentication) {
  const normalized = authentication.matching / 100;
  return {
    created_at: aliceTime(authentication.createdAt),
    liveness_result: { score: authentication.liveness / 100 },
    match_result: { normalized, score: Math.min(1, normalized + 0.1) },
    media_id: authentication.mediaId,
    user_id: authentication.userId,
  };
}

/** `GET /user/status` (shape read in the SDKs: `{"user": {...}}`). */
export function userStatus(user: AliceUser, current: Selfie | undefined, selfieLimitReached: boolean) {
  return {
    user: {
      user_id: user.id,
      email: user.email ?? null,
      first_name: user.firstName ?? null,
      last_name: user.lastName ?? null,
      created_at: aliceTime(user.createdAt),
      authorized: user.authorized,
      uploaded_face: current !== undefined,
      selfie_limit_reached: selfieLimitReached,
      selfie: current ? { created_at: aliceTime(current.createdAt), voided: false } : null,
      state: user.authorized ? 'AUTHORIZED' : current ? 'SELFIE_ADDED' : 'CREATED',
    },
  };
}
