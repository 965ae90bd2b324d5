// The links of a package README as npm shows it: the page has no repository around it, so a
// relative link leads nowhere. Links into this project must name a page and an anchor that exist.

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown page offers: its headings and its `<a id="...">` / `<a name="...">`. */
export function anchorsOf(markdown) {
  const prose = withoutCode(markdown);
  const anchors = new Set(['readme']);
  for (const match of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) anchors.add(headingAnchor(match[1]));
  for (const match of prose.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
  return anchors;
}

/** The page without its fenced code blocks and inline code, where link syntax means nothing. */
function withoutCode(markdown) {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every link target of a page: inline links and images, reference definitions, HTML href/src. */
export function linkTargets(markdown) {
  const prose = withoutCode(markdown);
  return [
    ...[...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
    ...[...prose.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]),
  ];
}

/**
 * Why a link of a package README is broken, or undefined when it is not. `pages` gives the
 * anchors of the pages links may point into: `repository` (the main README, shown at
 * `repositoryPage`) and each package name (for its npm page); `self` is this README's anchors.
 */
export function brokenLink(target, { self, repositoryPage, pages }) {
  if (target.startsWith('#')) return self.has(target.slice(1)) ? undefined : 'no such anchor on this page';
  if (target.startsWith('mailto:')) return undefined;
  if (!/^https:\/\//.test(target)) return 'relative or not https: dead on npm';
  const url = new URL(target);
  const anchor = url.hash.slice(1);
  if (url.origin === 'https://www.npmjs.com' && url.pathname.startsWith('/package/@wimse-pep/')) {
    const anchors = pages.get(decodeURIComponent(url.pathname.slice('/package/'.length)));
    if (!anchors) return 'not a package of this repository';
    return anchor && !anchors.has(anchor) ? `that README has no anchor #${anchor}` : undefined;
  }
  if (url.origin === 'https://github.com' && url.pathname === new URL(repositoryPage).pathname) {
    return anchor && !pages.get('repository')?.has(anchor) ? `the main README has no anchor #${anchor}` : undefined;
  }
  return undefined;
}
