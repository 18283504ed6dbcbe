/** Two tallies as whole percentages that add up to 100 (50/50 before the first vote). */
export function split(a: number, b: number): { a: number; b: number; total: number } {
  const total = a + b;
  if (total === 0) return { a: 50, b: 50, total };
  const share = Math.round((a * 100) / total);
  return { a: share, b: 100 - share, total };
}
