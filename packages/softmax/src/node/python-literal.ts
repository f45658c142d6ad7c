/**
 * A parser for the small subset of Python literal syntax that NPY headers use: dicts, tuples, lists,
 * single- or double-quoted strings, integers (with an optional Python 2 `L` suffix), `True`, `False`
 * and `None`. It is what `ast.literal_eval` would accept for every header NumPy has ever written.
 *
 * Throws a plain `SyntaxError`; the NPY reader turns it into a `SoftmaxError` naming the file.
 */
export type PyValue = string | number | boolean | null | PyValue[] | PyTuple | PyDict;

/** A Python tuple, kept apart from a list so `shape: (2, 3)` and `descr: [...]` stay distinguishable. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict with string keys (the only keys an NPY header has). */
export type PyDict = Map<string, PyValue>;

export function parsePythonLiteral(text: string): PyValue {
  let pos = 0;

  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const error = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${pos} of ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`);
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[pos] !== ch) error(`expected '${ch}'`);
    pos++;
  };

  /** Items up to `close`, allowing a trailing comma; returns them and whether any comma was seen. */
  const sequence = <T>(close: string, item: () => T): { items: T[]; comma: boolean } => {
    const items: T[] = [];
    let comma = false;
    for (;;) {
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return { items, comma };
      }
      items.push(item());
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        comma = true;
      } else if (text[pos] !== close) {
        error(`expected ',' or '${close}'`);
      }
    }
  };

  const string = (): string => {
    const quote = text[pos];
    let out = '';
    pos++;
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\') {
        pos++;
        const esc = text[pos];
        out += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
      } else {
        out += text[pos];
      }
      pos++;
    }
    if (pos >= text.length) error('unterminated string');
    pos++;
    return out;
  };

  const value = (): PyValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const dict: PyDict = new Map();
      sequence('}', () => {
        skipSpace();
        if (text[pos] !== "'" && text[pos] !== '"') error('expected a string key');
        const key = string();
        expect(':');
        dict.set(key, value());
      });
      return dict;
    }
    if (ch === '(') {
      pos++;
      const { items, comma } = sequence(')', value);
      // `(3)` is just a parenthesised 3 in Python; only `(3,)` is a one-element tuple.
      return items.length === 1 && !comma ? items[0] : new PyTuple(items);
    }
    if (ch === '[') {
      pos++;
      return sequence(']', value).items;
    }
    if (ch === "'" || ch === '"') return string();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (word) {
      pos += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      error(`unknown name '${word[0]}'`);
    }
    const int = /^[+-]?\d+[lL]?/.exec(text.slice(pos));
    if (int) {
      pos += int[0].length;
      return Number(int[0].replace(/[lL]$/, ''));
    }
    return error('expected a value');
  };

  const result = value();
  skipSpace();
  if (pos !== text.length) error('unexpected trailing text');
  return result;
}
