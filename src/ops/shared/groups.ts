/** The help line of E0407: which `groups` values would work for these channel counts. */
export function groupsHint(cin: number, cout: number): string {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  const g = gcd(cin, cout);
  const fits: number[] = [];
  for (let d = 1; d <= g && fits.length < 64; d++) if (g % d === 0) fits.push(d);
  const shown = fits.length > 8 ? [...fits.slice(0, 4), '…', ...fits.slice(-3)] : fits;
  return fits.length === 1
    ? `input channels ${cin} and output channels ${cout} have no common divisor but 1: use groups=1, or change a channel count`
    : `groups must divide both channel counts: here ${shown.join(', ')}${fits.length > 1 && fits[fits.length - 1] === cin && cin === cout ? ` (groups=${cin} is depthwise)` : ''}`;
}
