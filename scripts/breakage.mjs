// Seeded random breakages of .nn text (deletions, inserted tokens, truncations, copies, rotations), shared by
// scripts/make-parse-cases.mjs (the recovery golden's cases) and scripts/parse-diff.mjs.
const SNIPS = ['(', ')', ',', '=', '->', '[', ']', '{', '}', 'x', '3', '\n', 'if ', 'else ', '-', '**', 'not ', '.', '..', ' + ', '"s', "'", 'conv2d(', 'return ', 'for i in ', ':', '1e999', '-1', '< 2 <', ';', 'model M(', 'block b(', 'from a import ', 'const c = ', 'frozen {', 'assert ', 'repeat 2 {', 'a=', '\n  y = '];

/** A breaker with its own seeded generator: `ri(n)` an int below n, `mutate(text)` one random breakage. */
export function breaker(seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s / 0x7fffffff);
  const ri = (n) => Math.floor(rnd() * n);
  const mutate = (t) => {
    const at = ri(t.length + 1);
    switch (ri(6)) {
      case 0: return t.slice(0, at) + t.slice(at + 1 + ri(20));
      case 1: return t.slice(0, at) + SNIPS[ri(SNIPS.length)] + t.slice(at);
      case 2: return t.slice(0, at);
      case 3: { const a = ri(t.length); return t.slice(0, at) + t.slice(a, a + ri(40)) + t.slice(at); }
      case 4: return t.slice(0, at) + SNIPS[ri(SNIPS.length)] + SNIPS[ri(SNIPS.length)] + t.slice(at + ri(5));
      default: return t.slice(at) + t.slice(0, at);
    }
  };
  return { ri, mutate };
}
