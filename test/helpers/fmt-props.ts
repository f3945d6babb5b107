/** What formatting must keep, for the formatter's tests: a text's comments (sorted) and its declarations' docs. */
import { parseSource } from '../../src/syntax/parse.js';
import { sourceFile } from '../../src/syntax/source.js';

export const parse = (text: string) => parseSource(sourceFile('t.nn', text));

export const commentTexts = (text: string): string[] =>
  parse(text)
    .result.comments.map((c) => text.slice(c.start, c.end).trimEnd())
    .sort();

export const docs = (text: string): (string | undefined)[] => parse(text).result.decls.map((d) => ('doc' in d ? d.doc : undefined));
