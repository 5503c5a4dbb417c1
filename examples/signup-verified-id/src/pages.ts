import { type Chrome, escapeHtml, layout } from './html.js';

/** Which Authenteq generation the app signs up with: Web IDV (current) or Web KYC (the one before). */
export type AuthenteqFlow = 'web-idv' | 'web-kyc';

const GENERATION: Record<AuthenteqFlow, string> = {
  'web-idv': 'Authenteq Web IDV, the current generation of its service',
  'web-kyc': 'Authenteq Web KYC, the earlier generation of its service',
};

/** What the app keeps about a signed-up user (in the session). */
export interface AccountUser {
  /** `issuingCountry:documentType:documentNumber`. */
  id: string;
  name: string;
  /** Web IDV may leave it out. */
  birthDate: string | undefined;
  nationality: string | undefined;
  document: { type: string; number: string; issuingCountry: string; dateOfExpiry: string | undefined };
  /** Only when the app was started with `includeImages`. */
  images?: { front: string | undefined; back: string | undefined } | undefined;
  flow: AuthenteqFlow;
  /** Web IDV: the verification's id, the key of the provider's webhook. */
  verificationId?: string;
  verifiedAt: string;
}

/** The sign-up page: one sentence per step, the Authenteq button, and why the last attempt was refused. */
export function signUpPage(
  refusal: string | undefined,
  chrome: Chrome,
  minimumAge: number | undefined,
  flow: AuthenteqFlow,
): string {
  const notice = refusal
    ? `<p class="notice" role="alert"><strong>You were not signed up.</strong> ${escapeHtml(refusal)}</p>`
    : '';
  const age = minimumAge === undefined ? '' : ` You must be at least ${escapeHtml(minimumAge)} years old.`;
  return layout(
    'Sign up',
    `<h1>Create your account with a verified ID</h1>
${notice}
<p>We open an account only for people whose identity document has been checked.${age}</p>
<ol>
<li>Press the button: you go to Authenteq, the identity service.</li>
<li>There you take a short selfie video and photograph your passport, ID card or driving licence.</li>
<li>Authenteq sends you back here, and we read your verified name, birth date and document details.</li>
</ol>
<div class="button-row">
<a class="AuthenteqButton" href="/auth/authenteq">
<img class="AuthenteqButton-logo" src="/authenteq-logo.svg" alt="Authenteq Logo">
<div class="AuthenteqButton-caption">Sign Up with Authenteq</div>
</a>
</div>
<p class="muted">We never see your selfie. ${
      flow === 'web-kyc'
        ? 'Authenteq keeps your details for 15 minutes only, for us to collect.'
        : 'Authenteq also confirms a passed check to us directly, in a signed message.'
    } This app uses ${GENERATION[flow]}.</p>`,
    chrome,
  );
}

const DOCUMENT_TYPES: Record<string, string> = {
  PP: 'Passport',
  DL: 'Driving licence',
  NID: 'Identity card',
  PASSPORT: 'Passport',
  ID_CARD: 'Identity card',
  DRIVERS_LICENSE: 'Driving licence',
  DRIVING_LICENSE: 'Driving licence',
};

/**
 * The account page: the verified identity, escaped; document images only if the app asked for them; with Web IDV,
 * whether Authenteq's signed confirmation (the webhook) has arrived, and when.
 */
export function accountPage(user: AccountUser, chrome: Chrome, confirmedAt?: string): string {
  const row = (label: string, value: string | undefined) =>
    value === undefined ? '' : `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`;
  const images =
    user.images?.front || user.images?.back
      ? `<h2>Document images</h2><p class="docs">${[user.images.front, user.images.back]
          .filter((image): image is string => typeof image === 'string' && /^[A-Za-z0-9+/=]+$/.test(image))
          .map((image) => `<img alt="Document" src="data:image/jpeg;base64,${image}">`)
          .join('')}</p>`
      : '';
  return layout(
    'Your account',
    `<h1>Welcome, ${escapeHtml(user.name)}</h1>
<p>Your account is open. This is what your identity check confirmed:</p>
<dl>
${row('Verified name', user.name)}
${row('Birth date', user.birthDate)}
${row('Nationality', user.nationality)}
${row('Document', `${DOCUMENT_TYPES[user.document.type] ?? user.document.type} ${user.document.number}`)}
${row('Issued by', user.document.issuingCountry)}
${row('Valid until', user.document.dateOfExpiry)}
<dt>Verified at</dt><dd>${readableTime(user.verifiedAt)}</dd>
${confirmation(user, confirmedAt)}
</dl>
${images}
<p class="muted">Signing up again with the same document finds this same account.</p>`,
    chrome,
  );
}

/** Web IDV: the row saying whether the provider's signed confirmation arrived. */
function confirmation(user: AccountUser, confirmedAt: string | undefined): string {
  if (user.flow !== 'web-idv') return '';
  const value = confirmedAt
    ? `Confirmed by Authenteq at ${readableTime(confirmedAt)}`
    : 'Waiting for Authenteq’s signed confirmation: reload in a moment';
  return `<dt>Provider confirmation</dt><dd class="confirmation">${value}</dd>`;
}

/**
 * An ISO time for people: `<time datetime>` with `2026-11-22 00:39 UTC` in it, which the page's script shows in the
 * reader's own time zone.
 */
function readableTime(iso: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d[\d:.]*Z$/.test(iso)) return escapeHtml(iso);
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

/** A plain-words error page. */
export function errorPage(title: string, message: string, chrome: Chrome): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/signup">Back to sign-up</a></p>`,
    chrome,
  );
}
