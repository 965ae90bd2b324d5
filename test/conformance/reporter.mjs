// A node:test reporter that writes one JSON object per finished test (suites left out), for
// scripts/conformance.ts: { status, name, file, todo, skip, error }. Plain JavaScript so that it
// loads without a TypeScript loader.
export default async function* conformanceReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, skip, todo, details } = event.data;
    if (details?.type === 'suite') continue;
    const error = details?.error;
    const cause = error?.cause ?? error;
    yield `${JSON.stringify({
      status: event.type === 'test:pass' ? 'pass' : 'fail',
      name,
      file: file ?? null,
      todo: todo === undefined || todo === false ? null : String(todo),
      skip: skip === undefined || skip === false ? null : String(skip),
      error: cause ? String(cause.message ?? cause).split('\n')[0] : null,
    })}\n`;
  }
}
