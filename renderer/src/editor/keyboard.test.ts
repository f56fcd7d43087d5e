// Shortcut mapping: Ctrl and Cmd alike; S is left to the file commands; plain letters do nothing.
import { describe, expect, it } from 'vitest';
import { commandFor, type KeyLike } from './keyboard';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('editor shortcuts', () => {
  it('maps the usual commands with Ctrl or Cmd', () => {
    expect(commandFor(key('z', { ctrlKey: true }))).toBe('undo');
    expect(commandFor(key('Z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(commandFor(key('y', { ctrlKey: true }))).toBe('redo');
    expect(commandFor(key('c', { metaKey: true }))).toBe('copy');
    expect(commandFor(key('v', { ctrlKey: true }))).toBe('paste');
    expect(commandFor(key('a', { ctrlKey: true }))).toBe('selectAll');
    expect(commandFor(key('g', { ctrlKey: true }))).toBe('group');
    expect(commandFor(key('Delete'))).toBe('delete');
    expect(commandFor(key('Backspace'))).toBe('delete');
    expect(commandFor(key('!', { shiftKey: true, code: 'Digit1' }))).toBe('fitView');
  });

  it('leaves Ctrl+S and plain letters alone', () => {
    expect(commandFor(key('s', { ctrlKey: true }))).toBeNull();
    expect(commandFor(key('z'))).toBeNull();
    expect(commandFor(key('1'))).toBeNull();
  });
});
