/**
 * Posts a sandbox page's form as a browser would (the `complete()` shortcuts) and resolves to the `Location` it
 * redirects to. Rejects with `refused: <the page's error message>` when the page answers with an error instead.
 */
export async function submitForm(action: string, form: URLSearchParams, refused: string): Promise<string> {
  const response = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) {
    const text = await response.text();
    const message = /<p class="error">([^<]*)<\/p>/.exec(text)?.[1] ?? `status ${response.status}`;
    throw new Error(`${refused}: ${decodeEntities(message)}`);
  }
  return location;
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
