/** Tokens of the `.nn` language (see grammar/nn.ebnf). */
import './polyfill.js';
import { Lexer, createToken, type TokenType } from 'chevrotain';

export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const kw = (word: string): TokenType => createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Ident });

export const Model = kw('model');
export const Block = kw('block');
export const From = kw('from');
export const Import = kw('import');
export const As = kw('as');
export const Const = kw('const');
export const Return = kw('return');
export const If = kw('if');
export const Else = kw('else');
export const For = kw('for');
export const In = kw('in');
export const Repeat = kw('repeat');
export const Assert = kw('assert');
export const Where = kw('where');
export const Frozen = kw('frozen');
export const And = kw('and');
export const Or = kw('or');
export const Not = kw('not');
export const True = kw('true');
export const False = kw('false');
export const None = kw('none');

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });
/** Digits with `_` separators, optional fraction/exponent, optional K/M/G/T suffix. */
export const NumberLit = createToken({ name: 'NumberLit', pattern: /(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[KMGT]?(?![A-Za-z0-9_]|\.\d)/ });
export const BadNumber = createToken({ name: 'BadNumber', pattern: /\d[\w.]*/ });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'/ });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\.)*|'(?:[^'\\\r\n]|\\.)*/ });

export const Arrow = createToken({ name: 'Arrow', pattern: /->/ });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/ });
export const LtEq = createToken({ name: 'LtEq', pattern: /<=/ });
export const GtEq = createToken({ name: 'GtEq', pattern: />=/ });
export const Lt = createToken({ name: 'Lt', pattern: /</ });
export const Gt = createToken({ name: 'Gt', pattern: />/ });
export const Assign = createToken({ name: 'Assign', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const StarStar = createToken({ name: 'StarStar', pattern: /\*\*/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const SlashSlash = createToken({ name: 'SlashSlash', pattern: /\/\// });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Semi = createToken({ name: 'Semi', pattern: /;/ });

export const KEYWORDS = [Model, Block, From, Import, As, Const, Return, If, Else, For, In, Repeat, Assert, Where, Frozen, And, Or, Not, True, False, None];

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Comment, NumberLit, BadNumber, StringLit, UnterminatedString,
  Arrow, DotDot, Dot, EqEq, NotEq, LtEq, GtEq, Lt, Gt, Assign, Plus, Minus, StarStar, Star, SlashSlash, Slash, Percent,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Semi,
  ...KEYWORDS, Ident,
];

/** Keyword spellings, for completion and the grammar sync test. */
export const KEYWORD_WORDS: readonly string[] = KEYWORDS.map((t) => String((t.PATTERN as RegExp).source).replace('\\b', ''));

export const nnLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false, skipValidations: true });

/** Tokens that begin a statement and cannot continue the one before (a name, a statement keyword). */
export const STATEMENT_START: ReadonlySet<string> = new Set(['Ident', 'If', 'For', 'Repeat', 'Assert', 'Return', 'Frozen']);
