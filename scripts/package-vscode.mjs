// Builds the VS Code extension (editors/vscode/) into dist/vscode/dslc-nn-<version>.vsix, offline: a .vsix
// is a zip holding `[Content_Types].xml`, `extension.vsixmanifest` and the extension under `extension/`.
// The TextMate grammar is copied from grammar/ and the dslc language server (its bundle, the launcher and the
// standard library) from the build, so `npm run build` must have run (`npm run package:vscode` does).
// The zip is written here (deflate from node:zlib, CRC-32 below): no vsce, no network. The archive is
// reproducible: fixed timestamps, files in a fixed order.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXT = join(ROOT, 'editors/vscode');
const outArg = process.argv.indexOf('-o');

const manifest = JSON.parse(readFileSync(join(EXT, 'package.json'), 'utf8'));
// The language server's own bundle, which bin/dslc.cjs loads for `dslc lsp`: the extension runs nothing else,
// so the CLI bundle (dslc.cjs) stays out. Its V8 code cache too: it fits only the Node version that made it,
// not VS Code's runtime.
const bundles = ['lsp.cjs'];
for (const b of bundles)
  if (!existsSync(join(ROOT, 'dist', b))) {
    process.stderr.write(`package-vscode: dist/${b} is missing: run \`npm run build\` first\n`);
    process.exit(2);
  }
// The grammar must be valid JSON with the scope the manifest names.
const grammarText = readFileSync(join(ROOT, 'grammar/nn.tmLanguage.json'), 'utf8');
const grammar = JSON.parse(grammarText);
if (grammar.scopeName !== manifest.contributes.grammars[0].scopeName) throw new Error(`grammar scope ${grammar.scopeName} is not the manifest's`);

/** [path in the archive, contents] in archive order. */
const files = [];
const add = (path, data) => files.push([path, typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
for (const f of ['package.json', 'extension.js', 'connection.js', 'language-configuration.json', 'README.md']) add(`extension/${f}`, readFileSync(join(EXT, f)));
// The project's license, named LICENSE.txt as vsce names an extension-less one (a content type by extension).
add('extension/LICENSE.txt', readFileSync(join(ROOT, 'LICENSE')));
add('extension/syntaxes/nn.tmLanguage.json', grammarText);
add('extension/server/package.json', `${JSON.stringify({ name: 'dslc-server', private: true, type: 'module' }, null, 2)}\n`);
add('extension/server/bin/dslc.cjs', readFileSync(join(ROOT, 'bin/dslc.cjs')));
for (const b of bundles) add(`extension/server/dist/${b}`, readFileSync(join(ROOT, 'dist', b)));
for (const f of readdirSync(join(ROOT, 'stdlib')).sort()) if (f.endsWith('.nn')) add(`extension/server/stdlib/${f}`, readFileSync(join(ROOT, 'stdlib', f)));

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const CONTENT_TYPES = { '.txt': 'text/plain', '.json': 'application/json', '.js': 'application/javascript', '.cjs': 'application/javascript', '.md': 'text/markdown', '.nn': 'text/plain', '.vsixmanifest': 'text/xml' };
const exts = [...new Set([...files.map(([p]) => p.slice(p.lastIndexOf('.'))), '.vsixmanifest'])].sort();
for (const e of exts) if (!CONTENT_TYPES[e]) throw new Error(`no content type for ${e}`);
const contentTypes = `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
${exts.map((e) => `  <Default Extension="${e}" ContentType="${CONTENT_TYPES[e]}" />`).join('\n')}
</Types>
`;
const vsixManifest = `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${xml(manifest.name)}" Version="${xml(manifest.version)}" Publisher="${xml(manifest.publisher)}" />
    <DisplayName>${xml(manifest.displayName)}</DisplayName>
    <Description xml:space="preserve">${xml(manifest.description)}</Description>
    <Tags>nn,dslc,neural network,__ext_nn</Tags>
    <Categories>${xml(manifest.categories.join(','))}</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${xml(manifest.engines.vscode)}" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionDependencies" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionPack" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace" />
      <Property Id="Microsoft.VisualStudio.Code.LocalizedLanguages" Value="" />
      <Property Id="Microsoft.VisualStudio.Services.GitHubFlavoredMarkdown" Value="true" />
      <Property Id="Microsoft.VisualStudio.Services.Content.Pricing" Value="Free" />
    </Properties>
    <License>extension/LICENSE.txt</License>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code" />
  </Installation>
  <Dependencies />
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.License" Path="extension/LICENSE.txt" Addressable="true" />
  </Assets>
</PackageManifest>
`;
files.unshift(['[Content_Types].xml', Buffer.from(contentTypes)], ['extension.vsixmanifest', Buffer.from(vsixManifest)]);

// ---- zip (PKWARE APPNOTE 4.3: local headers, data, central directory, end record) ----------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
// 2020-01-01 00:00 in MS-DOS format: fixed, so that the same sources give the same bytes.
const DOS_TIME = 0;
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;

const chunks = [];
const central = [];
let offset = 0;
for (const [name, data] of files) {
  const nameBuf = Buffer.from(name, 'utf8');
  const deflated = deflateRawSync(data, { level: 9 });
  const stored = deflated.length >= data.length;
  const body = stored ? data : deflated;
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(stored ? 0 : 8, 8);
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  local.writeUInt16LE(0, 28);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
  cd.writeUInt16LE(20, 6);
  cd.writeUInt16LE(0x0800, 8);
  cd.writeUInt16LE(stored ? 0 : 8, 10);
  cd.writeUInt16LE(DOS_TIME, 12);
  cd.writeUInt16LE(DOS_DATE, 14);
  cd.writeUInt32LE(crc, 16);
  cd.writeUInt32LE(body.length, 20);
  cd.writeUInt32LE(data.length, 24);
  cd.writeUInt16LE(nameBuf.length, 28);
  cd.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
  cd.writeUInt32LE(offset, 42);
  chunks.push(local, nameBuf, body);
  central.push(cd, nameBuf);
  offset += local.length + nameBuf.length + body.length;
}
const cdSize = central.reduce((s, b) => s + b.length, 0);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(files.length, 8);
end.writeUInt16LE(files.length, 10);
end.writeUInt32LE(cdSize, 12);
end.writeUInt32LE(offset, 16);
const zip = Buffer.concat([...chunks, ...central, end]);

const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(ROOT, 'dist/vscode', `${manifest.name}-${manifest.version}.vsix`);
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, zip);
renameSync(tmp, out);
process.stdout.write(`wrote ${relative(process.cwd(), out) || out} (${files.length} files, ${(zip.length / 1024).toFixed(0)} KiB)\n`);
