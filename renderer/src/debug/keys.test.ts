import { describe, expect, it } from 'vitest';
import { debugCommandFor } from './keys';

const key = (k: string, mods: { ctrl?: boolean; shift?: boolean } = {}) => ({ key: k, ctrlKey: mods.ctrl ?? false, shiftKey: mods.shift ?? false, metaKey: false, altKey: false });

describe('debugger shortcuts', () => {
  it('F5 starts debugging, and continues once it runs', () => {
    expect(debugCommandFor(key('F5'), false)).toBe('start');
    expect(debugCommandFor(key('F5'), true)).toBe('continue');
    expect(debugCommandFor(key('F5', { shift: true }), true)).toBe('stop');
    expect(debugCommandFor(key('F5', { ctrl: true, shift: true }), true)).toBe('restart');
    expect(debugCommandFor(key('F5', { shift: true }), false)).toBeNull();
  });

  it('steps only while debugging', () => {
    expect(debugCommandFor(key('F10'), true)).toBe('stepOver');
    expect(debugCommandFor(key('F11'), true)).toBe('stepInto');
    expect(debugCommandFor(key('F11', { shift: true }), true)).toBe('stepBackward');
    expect(debugCommandFor(key('F10'), false)).toBeNull();
    expect(debugCommandFor(key('F11'), false)).toBeNull();
  });

  it('F9 toggles a breakpoint in and out of debug mode; other keys do nothing', () => {
    expect(debugCommandFor(key('F9'), false)).toBe('toggleBreakpoint');
    expect(debugCommandFor(key('F9'), true)).toBe('toggleBreakpoint');
    expect(debugCommandFor(key('a'), true)).toBeNull();
  });
});
