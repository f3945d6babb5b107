/** Machine formats for diagnostics: JSON, SARIF 2.1.0 (GitHub code scanning), GitHub workflow commands. */
import { CODES } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/types.js';

export function renderJson(ds: readonly Diagnostic[]): string {
  return JSON.stringify({ diagnostics: ds }, null, 2);
}

export function renderSarif(ds: readonly Diagnostic[], version: string, rel: (p: string) => string): string {
  const used = [...new Set(ds.map((d) => d.code))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'dslc',
            version,
            informationUri: 'https://github.com/dslc/dslc',
            rules: used.map((c) => ({ id: c, name: CODES[c].title.replace(/(^|\s)(\w)/g, (_, s: string, ch: string) => ch.toUpperCase()), shortDescription: { text: CODES[c].title }, fullDescription: { text: CODES[c].doc }, defaultConfiguration: { level: CODES[c].severity === 'error' ? 'error' : 'warning' } })),
          },
        },
        results: ds.map((d) => ({
          ruleId: d.code,
          ruleIndex: used.indexOf(d.code),
          level: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note',
          message: { text: d.hint ? `${d.message}\nhelp: ${d.hint}` : d.message },
          ...(d.span
            ? { locations: [{ physicalLocation: { artifactLocation: { uri: rel(d.span.file) }, region: { startLine: d.span.line, startColumn: d.span.col, endLine: d.span.endLine, endColumn: d.span.endCol } } }] }
            : {}),
          ...(d.notes.some((n) => n.span) ? { relatedLocations: d.notes.filter((n) => n.span).map((n, i) => ({ id: i, message: { text: n.message }, physicalLocation: { artifactLocation: { uri: rel(n.span!.file) }, region: { startLine: n.span!.line, startColumn: n.span!.col } } })) } : {}),
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

/** `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message` (workflow commands escape %, CR, LF). */
export function renderGithub(ds: readonly Diagnostic[], rel: (p: string) => string): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return ds
    .map((d) => {
      const kind = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
      const loc = d.span ? `file=${prop(rel(d.span.file))},line=${d.span.line},col=${d.span.col},endLine=${d.span.endLine},endColumn=${d.span.endCol},` : '';
      return `::${kind} ${loc}title=${prop(`${d.code} ${CODES[d.code].title}`)}::${esc(d.message + (d.hint ? `\nhelp: ${d.hint}` : ''))}`;
    })
    .join('\n');
}
