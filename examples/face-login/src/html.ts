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
button.link { background: none; border: none; padding: 0; margin: 0; text-decoration: underline; }
.muted { color: #5b6576; font-size: .9rem; }
.notice { background: #fdecea; border: 1px solid #f5c2c0; color: #7a1f1a; padding: .75rem 1rem; border-radius: 6px; }
.ok { background: #e7f6ec; border: 1px solid #b7e1c4; color: #1b5e33; padding: .75rem 1rem; border-radius: 6px; }
ol.steps { padding-left: 1.25rem; }
ol.steps li { margin: .3rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1.25rem; }
dt { font-weight: 600; }
dd { margin: 0; }
`;

/**
 * The page script, served from `/face.js`: asks this server for a USER_TOKEN (a JSON body, never a URL), runs the
 * SDK's enroll or authenticate with it, then submits the page's form (with the authentication id for a login).
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
        if (!res.ok || !body.userToken) throw new Error(body.message || 'Something went wrong. Please try again.');
        return body.userToken;
      });
    }).then(function (userToken) {
      if (!window.AliceSandboxSDK) throw new Error('The face capture could not load. Please reload the page.');
      return mode === 'login'
        ? window.AliceSandboxSDK.authenticate({ userToken: userToken })
        : window.AliceSandboxSDK.enroll({ userToken: userToken });
    }, function (error) { error.fromServer = true; throw error; }).then(function (result) {
      if (result && result.authenticationId) form.elements.authenticationId.value = result.authenticationId;
      form.submit();
    }).catch(function (error) {
      button.disabled = false;
      if (error && error.name === 'AliceCancelled') return say('You cancelled the selfie. You can try again.');
      say(error && error.fromServer ? error.message : 'The selfie could not be sent. Please try again.');
    });
  });
})();
`;
