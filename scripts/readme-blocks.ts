// The ```ts blocks of a README, with where each starts, for scripts/check-readmes.ts.

export interface ReadmeBlock {
  readme: string;
  index: number;
  /** 1-based line of the block's first code line in the README. */
  line: number;
  code: string;
}

export function tsBlocks(readme: string, text: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? "")) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? "").startsWith("```")) end++;
    blocks.push({
      readme,
      index: blocks.length + 1,
      line: start + 1,
      code: lines.slice(start, end).join("\n"),
    });
    i = end;
  }
  return blocks;
}
