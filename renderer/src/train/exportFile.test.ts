import { describe, expect, it } from 'vitest';
import { toCsv } from './exportFile';

describe('toCsv', () => {
  it('writes a header and rows, quoting commas, quotes and newlines, blanks for missing values', () => {
    expect(toCsv([['run', 'step', 'loss'], ['#1 adam, lr 0.1', 3, null], ['say "hi"', 4, 0.5]])).toBe('run,step,loss\n"#1 adam, lr 0.1",3,\n"say ""hi""",4,0.5\n');
  });
});
