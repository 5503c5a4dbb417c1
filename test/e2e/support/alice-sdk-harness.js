// Loaded by the test page before Alice's real web SDK (window.aliceonboarding): helpers the browser test calls with
// page.evaluate. Plain browser JavaScript, served as it is. Media (a recording of Chromium's fake camera, frames,
// synthetic sandbox payloads) stay in the page under a name; calls answer plain data.
(() => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
  });
  const media = {};
  const sdk = () => window.aliceonboarding;

  /** An OnboardingClient call's outcome: its value, or the OnboardingClientError { code, message } it rejected with. */
  function settle(promise) {
    return promise.then(
      (value) => ({ ok: true, value: value === undefined ? null : value }),
      (error) => ({ ok: false, code: error?.code, message: String(error?.message ?? error) }),
    );
  }

  function camera() {
    return navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  }

  window.harness = {
    violations,
    /**
     * Points the SDK at an API base URL. The SDK keeps one module-wide URL; `onboardingURL` in the constructor of
     * OnboardingCommands (or Onboarding) replaces it, and OnboardingClient's calls then use it.
     */
    useAPI(url, userToken) {
      const A = sdk();
      new A.OnboardingCommands({
        idSelector: 'alice',
        userToken,
        config: new A.OnboardingConfig(),
        onboardingURL: url,
      });
    },
    /** Records `ms` of the fake camera with MediaRecorder, as a capture would. Answers the blob's size and type. */
    async record(name, ms) {
      const stream = await camera();
      const recorder = new MediaRecorder(stream);
      const chunks = [];
      recorder.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((resolve) => {
        recorder.onstop = resolve;
      });
      recorder.start();
      await new Promise((resolve) => setTimeout(resolve, ms));
      recorder.stop();
      await stopped;
      for (const track of stream.getTracks()) track.stop();
      media[name] = new Blob(chunks, { type: recorder.mimeType });
      return { size: media[name].size, type: media[name].type };
    },
    /** `count` JPEG frames of the fake camera, for the SDK's frames mode. */
    async frames(name, count) {
      const stream = await camera();
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = stream;
      await video.play();
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const frames = [];
      for (let i = 0; i < count; i++) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        canvas.getContext('2d').drawImage(video, 0, 0);
        frames.push(await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8)));
      }
      for (const track of stream.getTracks()) track.stop();
      media[name] = frames;
      return frames.map((frame) => frame.size);
    },
    /** A synthetic sandbox payload (see sandboxMedia) as a blob. */
    synthetic(name, line) {
      media[name] = new Blob([`${line}\n`], { type: 'text/plain' });
    },
    status: (userToken) => settle(sdk().OnboardingClient.getStatus(userToken)),
    config: (userToken) => settle(sdk().OnboardingClient.config(userToken)),
    addSelfie: (userToken, name, extra) =>
      settle(sdk().OnboardingClient.addSelfie({ userToken, video: media[name], ...extra })),
    addSelfieFromFrames: (userToken, name) =>
      settle(sdk().OnboardingClient.addSelfieFromFrames({ userToken, frames: media[name] })),
    authenticate: (userToken, name) => settle(sdk().OnboardingClient.authenticate(userToken, media[name])),
    authenticateFromFrames: (userToken, name) =>
      settle(sdk().OnboardingClient.authenticateFromFrames(userToken, media[name])),
    /** The SDK's camera UI: `makeOnboardingCommands` loads its face and document detectors first. */
    makeCommands: (userToken, url) => {
      const A = sdk();
      return settle(
        A.OnboardingCommands.makeOnboardingCommands({
          idSelector: 'alice',
          userToken,
          config: new A.OnboardingConfig(),
          onboardingURL: url,
        }).then(() => 'made'),
      );
    },
    /** A directly constructed OnboardingCommands (no detectors loaded up front) running `authenticate`. */
    commandsAuthenticate(userToken, url) {
      const A = sdk();
      const commands = new A.OnboardingCommands({
        idSelector: 'alice',
        userToken,
        config: new A.OnboardingConfig(),
        onboardingURL: url,
      });
      window.harness.callbacks = [];
      const record = (kind) => (value) => window.harness.callbacks.push({ kind, code: value?.code });
      commands.authenticate({
        selfieStageConfig: new A.SelfieStageConfig({ showTutorial: false }),
        onSuccess: record('success'),
        onError: record('error'),
        onCancel: record('cancel'),
      });
    },
  };
})();
