/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The stylesheet, served from `/style.css` so the CSP can forbid inline styles. */
export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; line-height: 1.45; }
header { background: #1d2430; color: #fff; padding: .6rem 1rem; display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
header a, header button { color: #fff; }
header form { margin: 0; display: inline; }
main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=email], input[type=number], input[type=text] { font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; border: 1px solid #c5cbd6; border-radius: 6px; }
button, .button { font: inherit; padding: .6rem 1rem; border-radius: 6px; border: 1px solid #2c5fd4; background: #2c5fd4; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; margin: .75rem 0; }
button:disabled { opacity: .6; cursor: wait; }
button.link { background: none; border: none; padding: 0; margin: 0; text-decoration: underline; color: inherit; }
main button.link { color: #2c5fd4; }
.muted { color: #5b6576; font-size: .9rem; }
.hint { color: #5b6576; font-size: .9rem; margin: 0 0 .25rem; }
.field-error { color: #a4161a; font-weight: 600; margin: 0 0 .25rem; }
input[aria-invalid=true] { border-color: #a4161a; }
.notice { background: #fdecea; border: 1px solid #f5c2c0; color: #7a1f1a; padding: .75rem 1rem; border-radius: 6px; }
.ok { background: #e7f6ec; border: 1px solid #b7e1c4; color: #1b5e33; padding: .75rem 1rem; border-radius: 6px; }
ol.steps { padding-left: 1.25rem; }
ol.steps li { margin: .3rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1.25rem; }
dt { font-weight: 600; }
dd { margin: 0; }
`;

/**
 * Served from `/local-time.js` on every page: each `<time datetime>` in the reader's own time zone, named. Without
 * script the server's text stays (UTC, labelled).
 */
export const LOCAL_TIME_SCRIPT = `for (const time of document.querySelectorAll('time[datetime]')) {
  const at = new Date(time.dateTime);
  const date = time.hasAttribute('data-time-only') ? {} : { year: 'numeric', month: 'short', day: 'numeric' };
  if (!Number.isNaN(at.getTime())) time.textContent = at.toLocaleString([], { ...date, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}
`;

/**
 * The page script, served from `/face.js`: asks this server for a USER_TOKEN (a JSON body, never a URL), captures the
 * selfie with it, then submits the page's form. The login form carries no authentication id: Alice's web SDK hands
 * the page none, and the server finds it (FaceLoginStrategy's server-side resolution). With Alice's real SDK
 * (`window.aliceonboarding`) the capture is its camera screen (`OnboardingCommands`); otherwise the sandbox's
 * stand-in (`window.AliceSandboxSDK`).
 */
export const FACE_SCRIPT = `(function () {
  'use strict';
  var root = document.querySelector('[data-face]');
  if (!root) return;
  var mode = root.getAttribute('data-face');
  var csrf = root.getAttribute('data-csrf');
  var button = document.getElementById('face-start');
  var status = document.getElementById('face-status');
  var form = document.getElementById('face-done');
  function say(text) { status.textContent = text; status.className = text ? 'notice' : ''; }
  // What getUserMedia's refusals mean for the person in front of the screen, and what to do.
  var NO_CAMERA = 'No camera was found. Connect a camera, or use a phone or computer that has one, and try again.';
  var DENIED = 'The browser did not allow this site to use the camera. Allow camera access for this site (in the ' +
    'address bar or the browser settings), then try again.';
  var BUSY = 'The camera could not be started: another app may be using it. Close that app, then try again.';
  var CAMERA_ERRORS = { NotFoundError: NO_CAMERA, OverconstrainedError: NO_CAMERA, NotAllowedError: DENIED,
    SecurityError: DENIED, NotReadableError: BUSY, AbortError: BUSY };
  // The errors Alice's SDK hands to onError, by type (its own retry screen handles a refused capture).
  var ALICE_ERRORS = {
    UserAuthenticationNotEnabledError: 'Face login is not turned on for this account yet. Enroll your face first.',
    ActiveSelfieAlreadyExistsError: 'A selfie is already enrolled for this account.',
    SelfieLimitReachedError: 'No more selfies can be enrolled for this account. Please contact support.',
    CameraError: 'The camera could not be started. Check that a camera is connected and that this site may use ' +
      'it, then try again.'
  };
  function cancelled() { var e = new Error('The user cancelled.'); e.name = 'AliceCancelled'; return e; }
  function userError(message) { var e = new Error(message); e.fromServer = true; return e; }

  /** Alice's camera screen: enrolls (addSelfie) or authenticates; onSuccess means the capture is sent. */
  function withAlice(userToken) {
    var A = window.aliceonboarding;
    var api = document.getElementById('alice-camera').getAttribute('data-api');
    var params = { idSelector: 'alice-camera', userToken: userToken, config: new A.OnboardingConfig(), onboardingURL: api };
    // Constructed once first: that sets the SDK's API URL, which makeOnboardingCommands already reads.
    new A.OnboardingCommands(params);
    return A.OnboardingCommands.makeOnboardingCommands(params).then(function (commands) {
      return new Promise(function (resolve, reject) {
        var done = {
          selfieStageConfig: new A.SelfieStageConfig({ showTutorial: false }),
          onSuccess: function () { commands.unmount(); resolve(); },
          onCancel: function () { commands.unmount(); reject(cancelled()); },
          onError: function (error) {
            commands.unmount();
            // A selfie uploaded earlier and not reviewed yet: let the server review it.
            if (mode !== 'login' && error && error.type === 'ActiveSelfieAlreadyExistsError') return resolve();
            var known = error && Object.prototype.hasOwnProperty.call(ALICE_ERRORS, error.type);
            reject(userError(known ? ALICE_ERRORS[error.type] : 'The selfie could not be sent. Please try again.'));
          }
        };
        if (mode === 'login') commands.authenticate(done);
        else commands.addSelfie(done);
      });
    }, function () {
      throw userError('The face capture could not load its face detector. Check your internet connection and ' +
        'reload the page.');
    });
  }

  function withStandIn(userToken) {
    if (!window.AliceSandboxSDK) throw userError('The face capture could not load. Please reload the page.');
    return mode === 'login'
      ? window.AliceSandboxSDK.authenticate({ userToken: userToken })
      : window.AliceSandboxSDK.enroll({ userToken: userToken });
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    say('');
    fetch(mode === 'login' ? '/login/face/begin' : '/enroll/token', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: '{}',
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok || !body.userToken) throw userError(body.message || 'Something went wrong. Please try again.');
        return body.userToken;
      });
    }).then(function (userToken) {
      return window.aliceonboarding ? withAlice(userToken) : withStandIn(userToken);
    }).then(function () {
      form.submit();
    }).catch(function (error) {
      button.disabled = false;
      if (error && error.name === 'AliceCancelled') return say('You cancelled the selfie. You can try again.');
      if (error && error.fromServer) return say(error.message);
      var camera = error && Object.prototype.hasOwnProperty.call(CAMERA_ERRORS, error.name);
      say(camera ? CAMERA_ERRORS[error.name] : 'The selfie could not be sent. Please try again.');
    });
  });
})();
`;
