/**
 * The one place where every diagnostic code is defined and documented. Codes are stable: tools and CI
 * configurations refer to them. `docs/diagnostics.md` is generated from this table (see test/docs.test.ts),
 * and `test/bad/` holds one model per code.
 */
export interface CodeInfo {
  readonly severity: 'error' | 'warning';
  readonly title: string;
  readonly doc: string;
}

export const CODES = {
  // Syntax (E01xx)
  E0100: { severity: 'error', title: 'unexpected character', doc: 'The lexer met a character that starts no token of the language.' },
  E0101: { severity: 'error', title: 'syntax error', doc: 'The parser expected something else here; it recovers and keeps checking the rest of the file. What is missing at the end of an unfinished line is reported on that line; a body left open has a note at its `{`, a statement after a body was closed a note at that `}`. A declaration written inside a body that a later `}` closes (a line pasted there) is reported once, and read as if written at the top level; the statements after it stay in the body. A keyword written in a body where only a name can be (`model = x`, `return model`) is reported there and read as that name.' },
  E0102: { severity: 'error', title: 'invalid number literal', doc: 'A number is malformed or too large: an integer must be at most 2^53 − 1 (9007199254740991), the last integer after which a double skips integers; 2^53 itself is refused because 2^53 + 1 would read as it. A float (a literal with a point or an exponent: `1e21`) has no such limit, only the double range (`1e999` is refused). Suffixes K, M, G, T multiply by 1e3, 1e6, 1e9, 1e12. A call given such a number still reports what does not depend on its value (too many or missing arguments, unknown or repeated keywords, the other arguments\' types), not what does (channel counts, shapes); it makes no layer.' },
  E0103: { severity: 'error', title: 'unterminated string', doc: 'A string literal has no closing quote on its line.' },
  E0104: { severity: 'error', title: 'input too large or too deep', doc: 'The file exceeds a resource limit, and dslc stops rather than hang or crash: file size (2 MB), bracket nesting (100, `else if` links counting as levels; a closing bracket that matches no open one closes nothing), expression depth (200 levels: operators, prefixes or suffixes applied one to the result of another), elaboration steps (20M, every statement, call and loop iteration counting), layers (2M), iterations of one loop (1M, `for` and `repeat` alike), items of a list or characters of a string (1M), block calls nested in each other (200).' },
  E0105: { severity: 'error', title: 'not a text file', doc: 'The file is not valid UTF-8 text (binary data or another encoding).' },
  // Names and modules (E02xx)
  E0200: { severity: 'error', title: 'unknown name', doc: 'A name is used that is not defined in scope. When the standard library declares it, the hint names the import that brings it in (and the language server offers to add it); otherwise it suggests the closest known name.' },
  E0201: { severity: 'error', title: 'unknown layer or block', doc: 'A call names no op of the registry and no block in scope. A block of the standard library that is not imported gets the import as its hint (`from std.resnet import basic_block`; the language server adds it as a quick fix).' },
  E0202: { severity: 'error', title: 'unknown keyword argument', doc: 'A keyword argument is not an attribute of the op or a parameter of the block.' },
  E0203: { severity: 'error', title: 'wrong number of arguments', doc: 'Too many positional arguments, or a required argument is missing. Not reported for a call a syntax error cuts short (`conv2d(` while typing).' },
  E0204: { severity: 'error', title: 'duplicate argument', doc: 'The same argument is given twice (positionally and by keyword, or by two aliases).' },
  E0205: { severity: 'error', title: 'duplicate definition', doc: 'Two blocks, models, constants, imports or parameters share a name.' },
  E0206: { severity: 'error', title: 'module not found', doc: 'An import names a module that is neither in the standard library nor a file next to the importer.' },
  E0207: { severity: 'error', title: 'import cycle', doc: 'Modules import each other in a cycle.' },
  E0208: { severity: 'error', title: 'recursive block', doc: 'A block calls itself, directly or through other blocks; networks are finite graphs.' },
  E0209: { severity: 'error', title: 'name not exported', doc: 'The imported module defines no block, model or constant of that name.' },
  E0210: { severity: 'error', title: 'unknown model', doc: 'The requested model (`--model`) is not defined in the file, or the file defines no model.' },
  E0211: { severity: 'error', title: 'constant cycle', doc: 'Constants are defined in terms of each other in a cycle (`const a = b` and `const b = a`), so none has a value. The message spells out the cycle.' },
  // Values and types (E03xx)
  E0300: { severity: 'error', title: 'type mismatch', doc: 'A value of the wrong kind is used: a tensor where a number is expected, a string for an int, a float for an int (even a whole one: `8 / 2` is `4.0`; use `//` or `int()`), and so on. Also: a whole-model total (`params`, `macs`…) or `rf()`/`jump()` used outside an `assert` (they exist only once the model is built; constants cannot hold them either).' },
  E0301: { severity: 'error', title: 'invalid attribute value', doc: 'An attribute is out of its range: a non-positive kernel, a negative padding, an unknown mode.' },
  E0302: { severity: 'error', title: 'arithmetic error', doc: 'Division or modulo by zero, or an operation that has no meaning for its operands.' },
  E0303: { severity: 'error', title: 'index out of range', doc: 'An index (`x.shape[4]`, an axis) is outside the sequence or tensor rank.' },
  E0304: { severity: 'error', title: 'missing return', doc: 'A block or model body ends without `return`, or returns no tensor. Not reported for a declaration a syntax error cuts short.' },
  E0305: { severity: 'error', title: 'shared layer misuse', doc: 'A shared layer or block instance is applied to inputs that need different weight shapes.' },
  // Shapes (E04xx)
  E0400: { severity: 'error', title: 'wrong rank', doc: 'The input tensor has a rank the op does not accept (conv2d needs N×C×H×W).' },
  E0401: { severity: 'error', title: 'non-positive output size', doc: 'An output dimension is zero or negative: typically a kernel larger than the padded input. The message shows the formula with the numbers.' },
  E0402: { severity: 'error', title: 'dimension mismatch', doc: 'Dimensions that must agree do not: channels into a dense layer, shapes of `add` that do not broadcast, `concat` on mismatched axes.' },
  E0403: { severity: 'error', title: 'conflicting symbolic dimension', doc: 'A symbolic dimension (`N`, `H`) would have to take two different values, or a size given for it (`--input-shape`, `where H == …`) breaks a `where` divisibility (`H % 32 == 0`) or bound (`H >= 32`).' },
  E0404: { severity: 'error', title: 'reshape size mismatch', doc: 'A reshape target does not hold the same number of elements as its input.' },
  E0405: { severity: 'error', title: 'declared shape mismatch', doc: 'A tensor does not have the shape its declaration states (model output type).' },
  E0406: { severity: 'error', title: 'dimension overflow', doc: 'A dimension or count (parameters, MACs, FLOPs, elements or bytes of an activation), or an integer computed in the source (`2 ** 60`, `prod(shape)`), exceeds 2^53 − 1 and cannot be represented exactly (within one arithmetic expression intermediates are exact, so `2 ** 53 - 1` is fine; its final value is what counts): dslc reports it rather than compute with, or print, a wrong number. A summary still printed shows such counts as approximations (`≈1.106e+21`); its JSON form keeps the nearest number and names the field in `inexact`.' },
  E0407: { severity: 'error', title: 'groups do not divide channels', doc: 'In a grouped convolution both input and output channels must be divisible by `groups`.' },
  E0408: { severity: 'error', title: 'dtype mismatch', doc: 'The tensor has the wrong element type: an embedding takes integer indices, and a layer with weights a float input.' },
  E0409: { severity: 'error', title: 'size must be concrete', doc: 'A dimension that decides a weight shape (input channels, dense input features) is symbolic, or an int attribute of a layer (`dense(N)`, `conv2d(N, 3)`, `groups=N`) is a symbolic size; weights need concrete sizes. Bind the symbol with `where N == 64` or `--input-shape N=64`.' },
  // Assertions and budgets (E05xx)
  E0500: { severity: 'error', title: 'assertion failed', doc: 'An `assert` in the source evaluated to false; the message shows both sides.' },
  E0501: { severity: 'error', title: 'budget exceeded', doc: 'The model exceeds `--max-params` or `--max-macs`.' },
  E0502: { severity: 'error', title: 'baseline regression', doc: 'Compared with `--baseline`, params, MACs or memory grew beyond the tolerance.' },
  // Lowerings (E06xx)
  E0600: { severity: 'error', title: 'no export form', doc: 'The op cannot be lowered to ONNX at the chosen opset (or has no lowering yet); the message says from which opset it is available.' },
  E0601: { severity: 'error', title: 'weights do not match', doc: 'A `--weights` file lacks a parameter, or has it with another shape or a non-float dtype. Tensor names must equal dslc parameter paths (`<layer path>.<param>`) after `--weights-map` (rename rules, or `auto`: layers paired by parameter names and shapes in order), which also reports a layer left without tensors. dslc\'s own ONNX export is read back as it was written: parameters it stores in an ONNX layout (LSTM/GRU/RNN `W`/`R`/`B`, a PReLU slope `[C, 1, 1]`, a transposed dense weight) are unpacked first, and such a tensor of the wrong shape is named.' },
  E0602: { severity: 'error', title: 'no tfjs form', doc: 'The op, or this use of it, cannot be lowered to TensorFlow.js (`lowerToTfjs`, `--emit tfjs`); the message names the layer, the op and the reason.' },
  E0603: { severity: 'error', title: 'tfjs sizes unknown', doc: 'The TensorFlow.js lowering specialises every size: a symbolic input size other than the batch needs a value (`--input-shape T=50`; `lowerToTfjs` binds sizes from the inputs given to `predict`).' },
  // Warnings (W0xxx)
  W0100: { severity: 'warning', title: 'input silently dropped', doc: 'A `valid` convolution or pooling window does not reach the last rows/columns: the floor in the output formula drops them.' },
  W0101: { severity: 'warning', title: 'bias before batch norm', doc: 'A bias directly before BatchNorm is cancelled by its mean subtraction: wasted parameters. Use `bias=false`.' },
  W0102: { severity: 'warning', title: 'asymmetric same padding', doc: '`same` padding needs one more pixel at the end than at the beginning; some ONNX importers reject asymmetric pads.' },
  W0103: { severity: 'warning', title: 'misaligned receptive fields', doc: 'Branches merged by add/concat/mul have different jumps or start offsets along a spatial axis: their features do not look at the same input positions. An operand broadcast along an axis (extent 1 there, such as the `[N, C, 1, 1]` gate of squeeze-and-excitation) is the same at every position: it widens the receptive field but is not compared. Nor is an axis on which the merged output has one position (that gate on a 1×1 map).' },
  W0104: { severity: 'warning', title: 'unused tensor', doc: 'A tensor is computed but never used nor returned.' },
  W0105: { severity: 'warning', title: 'assumed dimension equality', doc: 'Two symbolic dimensions could not be proven equal; dslc assumes they are. Add a `where` constraint or concrete sizes. In one symbol (`floor(H/2) + 1` vs `H`) the message says for which sizes the equality holds; one that holds for no size is an error (E0402) instead.' },
  W0108: { severity: 'warning', title: 'output may be empty', doc: 'A layer makes a size that is at least 1 only for some sizes of its symbols: a 7×7 convolution without padding makes `H - 6` of `H`, so inputs smaller than 7 fail there (PyTorch fails at run time). The message says from which size it holds; declare it with a bound (`where H >= 7`), pad the input, or give sizes (`--input-shape`). Reported at the first such layer of each path.' },
  W0107: { severity: 'warning', title: 'unused weights', doc: 'The `--weights` file has tensors that no parameter of the model uses (often a sign that it belongs to another model).' },
  W0109: { severity: 'warning', title: 'unused import', doc: 'A name is imported but never used in the file. A module exports only what it declares (imports are not passed on), so the import has no effect: remove it (the language server offers the fix).' },
  W0106: { severity: 'warning', title: 'assertion undecided', doc: 'An assertion involves symbolic dimensions and cannot be decided; give concrete sizes (`--input-shape`) to check it.' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;
