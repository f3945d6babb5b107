// Generated `.nn` files of about `lines` lines for the language-server benchmark:
//   'decls'  — the usual shape of a big file: residual blocks, then models of ~50 lines each;
//   'single' — the worst case: the same blocks, then ONE model holding all the remaining lines.
// Every model line applies a block or a conv→relu, so 2,000 lines make ~8,000 layers either way.
export function generateModel(lines, variant = 'single') {
  const out = [];
  const nBlocks = Math.max(2, Math.floor(lines / 100));
  for (let b = 0; b < nBlocks; b++) {
    out.push(`# Residual block ${b}: two 3×3 convolutions with BatchNorm and a skip connection.`);
    out.push(`block res${b}(x: Tensor, c: int) -> Tensor {`);
    out.push(`  y = x -> conv2d(c, 3, padding=1, bias=false) -> batchnorm() -> relu()`);
    out.push(`  y = y -> conv2d(c, 3, padding=1, bias=false) -> batchnorm()`);
    out.push(`  return add(x, y) -> relu()`);
    out.push(`}`);
    out.push('');
  }
  const perModel = variant === 'decls' ? 50 : Infinity;
  let m = 0;
  while (out.length < lines - 6) {
    out.push(`# Model ${m}.`);
    out.push(`model Big${m}(x: [N, 3, 64, 64]) -> (logits: [N, 10]) {`);
    out.push(`  h0 = x -> conv2d(16, 3, padding=1) -> relu()`);
    let i = 0;
    while (out.length < lines - 3 && i < perModel) {
      const b = i % nBlocks;
      out.push(i % 2 ? `  h${i + 1} = h${i} -> res${b}(16)` : `  h${i + 1} = h${i} -> conv2d(16, 3, padding=1) -> relu()`);
      i++;
    }
    out.push(`  return h${i} -> adaptive_avg_pool2d(1) -> flatten() -> dense(10)`);
    out.push(`}`);
    out.push('');
    m++;
  }
  return out.join('\n');
}
