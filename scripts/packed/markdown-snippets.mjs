// Reads the code of a README the way a reader follows it: `npm install` commands in sh blocks, and
// the TypeScript blocks that come after them, each bound to the last install command before it.
import { builtinModules } from 'node:module';

const TYPESCRIPT = new Set(['ts', 'typescript']);
const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

/** The fenced code blocks of `markdown`, with their language and first line (1-based). */
export function codeBlocks(markdown) {
  const blocks = [];
  let open;
  markdown.split('\n').forEach((line, index) => {
    const fence = /^(`{3,})\s*([\w-]*)/.exec(line);
    if (!open && fence) {
      open = { fence: fence[1], lang: (fence[2] ?? '').toLowerCase(), line: index + 2, lines: [] };
    } else if (open && line.startsWith(open.fence) && line.trim() === open.fence) {
      blocks.push({ lang: open.lang, line: open.line, code: `${open.lines.join('\n')}\n` });
      open = undefined;
    } else if (open) {
      open.lines.push(line);
    }
  });
  if (open) throw new Error(`a code block opened on line ${open.line - 1} is never closed`);
  return blocks;
}

/** The text of the `## heading` section (up to the next `## `), with the line it starts on. */
export function section(markdown, heading) {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start === -1) throw new Error(`no section "## ${heading}"`);
  const length = lines.slice(start + 1).findIndex((line) => /^## /.test(line));
  const end = length === -1 ? lines.length : start + 1 + length;
  return { text: lines.slice(start, end).join('\n'), firstLine: start + 1 };
}

/**
 * The packages an sh block installs, from its `npm install` (or `npm i`) lines: `{ dependencies,
 * devDependencies }` as maps of name to the version spec given (or undefined), or undefined
 * when the block installs nothing. Comments and other commands are skipped.
 */
export function installCommand(code) {
  const dependencies = {};
  const devDependencies = {};
  let found = false;
  for (const raw of code.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const words = line.split(/\s+/);
    if (words[0] !== 'npm' || !['install', 'i', 'add'].includes(words[1] ?? '')) continue;
    found = true;
    const flags = words.slice(2).filter((word) => word.startsWith('-'));
    const into = flags.some((flag) => flag === '--save-dev' || flag === '-D') ? devDependencies : dependencies;
    for (const word of words.slice(2).filter((w) => !w.startsWith('-'))) {
      const at = word.indexOf('@', 1);
      if (at === -1) into[word] = undefined;
      else into[word.slice(0, at)] = word.slice(at + 1);
    }
  }
  return found ? { dependencies, devDependencies } : undefined;
}

/**
 * The TypeScript snippets of `markdown`, each with the install command it follows. `firstLine`
 * shifts line numbers when `markdown` is a section of a larger file.
 */
export function typescriptSnippets(markdown, firstLine = 1) {
  const snippets = [];
  let install;
  for (const block of codeBlocks(markdown)) {
    const line = block.line + firstLine - 1;
    if (SHELL.has(block.lang)) install = installCommand(block.code) ?? install;
    else if (TYPESCRIPT.has(block.lang)) snippets.push({ code: block.code, line, install });
  }
  return snippets;
}

/** The packages a snippet imports at run time (`import type` aside), by package name. */
export function importedPackages(code) {
  const names = new Set();
  const specifiers = [
    ...code.matchAll(/^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]);
  for (const specifier of specifiers) {
    if (specifier.startsWith('node:') || specifier.startsWith('.') || builtinModules.includes(specifier)) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return names;
}
