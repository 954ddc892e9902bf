import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (with a trailing slash). */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Every file git tracks, as paths relative to the repository root. */
export function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
}

/** Every README.md in the repository, relative to its root. */
export function readmePaths(): string[] {
  return trackedFiles().filter((path) => path === 'README.md' || path.endsWith('/README.md'));
}

/** A fenced code block of a markdown file. */
export interface CodeBlock {
  /** The fence's info string, e.g. `js` or `sh` (may be empty). */
  readonly lang: string;
  /** The block's lines, joined with `\n` and ended with one. */
  readonly content: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The path named by a `<!-- snippet: PATH -->` line right before the fence, if any. */
  readonly snippet: string | undefined;
}

const SNIPPET_MARKER = /^<!--\s*snippet:\s*(\S+)\s*-->$/;
const FENCE = /^(`{3,}|~{3,})\s*([^`\s]*)/;

/** The fenced code blocks of `markdown`, with their snippet markers. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    const closes = (line: string) => {
      const trimmed = line.trim();
      return trimmed.length >= fence.length && trimmed === fence[0]!.repeat(trimmed.length);
    };
    for (i++; i < lines.length && !closes(lines[i]!); i++) body.push(lines[i]!);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const marker = before >= 0 ? SNIPPET_MARKER.exec(lines[before]!.trim()) : null;
    blocks.push({ lang: open[2] ?? '', content: body.map((l) => `${l}\n`).join(''), line: start + 1, snippet: marker?.[1] });
  }
  return blocks;
}

/** Markdown with its fenced code blocks and inline code removed, so links in code are not links. */
function prose(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .filter((line) => {
      if (FENCE.test(line)) {
        inFence = !inFence;
        return false;
      }
      return !inFence;
    })
    .join('\n')
    .replace(/`[^`\n]*`/g, '');
}

/** The targets of the inline (`[text](target)`) and reference (`[id]: target`) links of `markdown`. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const reference = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!);
  return [...inline, ...reference];
}

/** Reads a repository file. */
export function readRepoFile(path: string): string {
  return readFileSync(new URL(path, `file://${REPO_ROOT}`), 'utf8');
}
