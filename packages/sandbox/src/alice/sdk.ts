import { escapeHtml, page } from '../html.js';

/**
 * The browser stand-in for Alice's web SDK, served at `${baseURL}/sdk.js`. It defines `window.AliceSandboxSDK` with
 * `enroll({ userToken })` and `authenticate({ userToken })`: each opens a small dialog where the person picks what
 * the "camera" sees (a genuine selfie, a spoof, a different person when logging in, or the real camera), uploads that media to the
 * emulated API with the USER_TOKEN in the Authorization header (never in a URL) and resolves with the result.
 * A `data-base-url` attribute on the script tag points it at another API base and `data-camera-only` keeps only the
 * real camera (for an app that serves it against the real API). The script is built with DOM calls only (no innerHTML, no inline styles), so it runs under a strict CSP that
 * allows this script's origin in `script-src` and `connect-src`.
 */
export const SDK_SCRIPT = `/* Alice Onboarding web SDK stand-in (passport-idv sandbox). */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = script && script.src;
  // data-base-url points the stand-in at another API base (an app serving it for the real API);
  // data-camera-only hides the synthetic choices (they only mean something to the sandbox).
  var base = (script && script.getAttribute('data-base-url')) || (src ? src.replace(/\\/sdk\\.js(\\?.*)?$/, '') : '');
  var cameraOnly = !!(script && script.hasAttribute('data-camera-only'));

  function media(face, live) {
    return new Blob(['ALICE-SANDBOX-MEDIA face=' + face + ' live=' + live + '\\n'], { type: 'text/plain' });
  }

  function recordCamera() {
    return navigator.mediaDevices.getUserMedia({ video: true }).then(function (stream) {
      return new Promise(function (resolve, reject) {
        var chunks = [];
        var recorder = new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onerror = function () { reject(new Error('The camera recording failed.')); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          resolve(new Blob(chunks, { type: recorder.mimeType || 'video/webm' }));
        };
        recorder.start();
        setTimeout(function () { recorder.stop(); }, 1200);
      });
    });
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  }

  // Enrollment offers no "Different person": the face enrolled is whoever is in front of the camera, so a stranger's
  // selfie would simply become the enrolled face (a spoof still shows what the liveness review refuses).
  function choose(title, enrolling) {
    return new Promise(function (resolve) {
      var overlay = el('div', '', 'position:fixed;inset:0;background:rgba(20,24,32,.55);display:flex;align-items:center;justify-content:center;z-index:2147483647;font-family:system-ui,sans-serif');
      var box = el('div', '', 'background:#fff;color:#1d2430;max-width:26rem;width:90%;padding:1.25rem 1.5rem;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.3)');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.setAttribute('data-alice-sandbox', 'dialog');
      box.appendChild(el('div', 'Alice Onboarding \\u00b7 local sandbox', 'font-size:.75rem;color:#5b6576;margin-bottom:.25rem'));
      box.appendChild(el('h2', title, 'font-size:1.15rem;margin:.1rem 0 .5rem'));
      box.appendChild(el('p', cameraOnly ? 'Look at the camera: about one second of video is recorded.' : 'This stands in for the camera screen of the real SDK. Pick what the camera sees:', 'font-size:.9rem;color:#5b6576'));
      var buttons = cameraOnly ? [] : [
        ['genuine', 'Genuine selfie', 'You, live in front of the camera.'],
        ['spoof', 'Spoof (photo of a photo)', 'Someone holds up a picture of you: low liveness.'],
      ];
      if (!cameraOnly && !enrolling) buttons.push(['stranger', 'Different person', 'A live face, but not yours: low face match.']);
      if (navigator.mediaDevices && window.MediaRecorder) buttons.push(['camera', 'Use my real camera', 'Records about one second of video.']);
      buttons.push(['cancel', 'Cancel', '']);
      buttons.forEach(function (b) {
        var button = el('button', b[1], 'display:block;width:100%;text-align:left;margin:.4rem 0;padding:.6rem .8rem;border-radius:6px;border:1px solid #2c5fd4;background:' + (b[0] === 'cancel' ? '#fff;color:#2c5fd4' : '#2c5fd4;color:#fff') + ';font:inherit;cursor:pointer');
        button.type = 'button';
        button.setAttribute('data-choice', b[0]);
        if (b[2]) button.appendChild(el('span', ' \\u2014 ' + b[2], 'opacity:.85;font-size:.85rem'));
        button.addEventListener('click', function () {
          document.body.removeChild(overlay);
          resolve(b[0] === 'cancel' ? null : b[0]);
        });
        box.appendChild(button);
      });
      overlay.appendChild(box);
      document.body.appendChild(overlay);
    });
  }

  function capture(title, enrolling) {
    return choose(title, enrolling).then(function (choice) {
      if (!choice) { var e = new Error('The user cancelled.'); e.name = 'AliceCancelled'; throw e; }
      if (choice === 'camera') return recordCamera();
      return media(choice === 'stranger' ? 'stranger' : 'self', choice !== 'spoof');
    });
  }

  function upload(path, userToken, blob) {
    if (typeof userToken !== 'string' || !userToken) return Promise.reject(new TypeError('userToken is required'));
    var form = new FormData();
    form.append('video', blob, blob.type === 'text/plain' ? 'selfie.txt' : 'selfie.webm');
    return fetch(base + path, { method: 'POST', headers: { authorization: 'Bearer ' + userToken }, body: form })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (!res.ok) throw new Error(body.detail || 'The upload failed (' + res.status + ').');
          return body;
        });
      });
  }

  window.AliceSandboxSDK = {
    enroll: function (options) {
      return capture('Take your enrollment selfie', true).then(function (blob) {
        return upload('/user/selfie', options && options.userToken, blob);
      }).then(function () { return { ok: true }; });
    },
    authenticate: function (options) {
      return capture('Log in with your face').then(function (blob) {
        return upload('/user/authenticate', options && options.userToken, blob);
      }).then(function (body) { return { authenticationId: body.authentication_id }; });
    },
  };
})();
`;

/** A page describing the SDK stand-in, for people who open the sandbox in a browser. */
export function sdkDemoPage(baseURL: string): string {
  return page(
    'Web SDK stand-in',
    'Alice Onboarding',
    `<h1>Alice Onboarding web SDK stand-in</h1>
<p>Apps load <code>${escapeHtml(baseURL)}/sdk.js</code> and call, with a USER_TOKEN their server obtained:</p>
<pre><code>const { authenticationId } = await AliceSandboxSDK.authenticate({ userToken });
await AliceSandboxSDK.enroll({ userToken });</code></pre>
<p class="muted">Each call opens a dialog with its choices — a genuine selfie, a spoof (photo of a photo) and, when
logging in, a different person — plus the real camera when the browser has one. The token travels only in the
Authorization header of the upload, never in a URL.</p>`,
  );
}
