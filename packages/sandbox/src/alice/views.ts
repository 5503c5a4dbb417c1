import { randomUUID } from 'node:crypto';
import type { AliceUser, Authentication, Selfie } from './state.js';

/** `created_at` as the API writes it: ISO 8601 without a zone (it is UTC), as in Alice's examples (docs/providers/alice.md). */
export function aliceTime(ms: number, fraction = false): string {
  const iso = new Date(ms).toISOString();
  return fraction ? `${iso.slice(0, 23)}000` : iso.slice(0, 19);
}

function mediaHref(baseURL: string, mediaId: string): string {
  return `${baseURL}/media/${mediaId}/download`;
}

/** The selfie-level checks of a report V1 selfie (keys as the SDK's report model names them; values [I]). */
function selfieChecks(selfie: Selfie) {
  return [
    { key: 'liveness', value: selfie.liveness, detail: 'The selfie is from a real person' },
    { key: 'only_one_face', value: 100, detail: 'Only one face detected in the Selfie' },
  ];
}

/**
 * Report V1 (docs/providers/alice.md, "Report"), wrapped in `report` as the SDKs read it. The fields are those of the
 * Python SDK's report model; what the sandbox cannot know (documents, sessions, devices) is empty.
 */
export function reportV1(user: AliceUser, current: Selfie | undefined, now: number, baseURL: string) {
  const selfieSecurity = current ? (current.liveness >= 50 ? 'ok' : 'ko') : 'n/a';
  return {
    report: {
      created_at: aliceTime(now, true),
      documents: [],
      events: [],
      id: randomUUID(),
      other_trusted_documents: [],
      selfies: user.selfies.map((selfie) => ({
        checks: selfieChecks(selfie),
        created_at: aliceTime(selfie.createdAt),
        id: selfie.id,
        liveness: selfie.liveness,
        media: { video: { extension: selfie.mediaId.split('.').pop(), href: mediaHref(baseURL, selfie.mediaId) } },
        number_of_faces: 1,
        voided: selfie.voided,
      })),
      summary: {
        checks: [],
        devices: [],
        external_user_data: {},
        face_liveness: current ? current.liveness : null,
        face_matching: [],
        result: {
          document_read: 'n/a',
          document_security: 'n/a',
          process_security: 'n/a',
          selfie_security: selfieSecurity,
        },
        sessions: 0,
        sessions_until_first_succeeded_onboarding: null,
        state: null,
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

/** The document types `document_limit_reached` names (the web SDK's `Status` type). */
const DOCUMENT_TYPES = ['driverlicense', 'healthinsurancecard', 'idcard', 'passport', 'residencepermit'] as const;

/**
 * `GET /user/status` as the web SDK's `Status` type lists it: `{"user": {...}}`. The sandbox has no documents, so
 * those fields are empty; `device` holds what `POST /user` said and no agent (what fills it upstream is unknown [I]).
 */
export function userStatus(user: AliceUser, current: Selfie | undefined, selfieLimitReached: boolean) {
  return {
    user: {
      authorized: user.authorized,
      created_at: aliceTime(user.createdAt),
      device: {
        agent: null,
        agent_version: null,
        model: user.device.model ?? null,
        platform: user.device.platform ?? null,
        platform_version: user.device.platformVersion ?? null,
      },
      document_limit_reached: Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, false])),
      documents: [],
      email: user.email ?? null,
      first_name: user.firstName ?? null,
      last_name: user.lastName ?? null,
      other_trusted_documents: [],
      selfie_limit_reached: selfieLimitReached,
      updated_at: aliceTime(user.updatedAt),
      uploaded_documents: false,
      uploaded_face: current !== undefined,
      user_id: user.id,
    },
  };
}
