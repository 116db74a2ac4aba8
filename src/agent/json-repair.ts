/**
 * Turns almost-JSON, as language models write it, into JSON: single-quoted strings, unquoted keys,
 * Python literals, comments, trailing commas, raw newlines or stray quotes inside strings, code
 * fences, text after the object, and replies cut off before their closing brackets.
 * One pass over the text; it never throws and leaves valid JSON meaning the same.
 */

type Container = { kind: '{' | '['; expectingKey: boolean };

const CLOSER = { '{': '}', '[': ']' } as const;
const BARE_WORDS: Record<string, string> = {
  true: 'true',
  false: 'false',
  null: 'null',
  True: 'true',
  False: 'false',
  None: 'null',
  undefined: 'null',
  NaN: 'null',
};
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
const WORD_START = /[A-Za-z_$]/;
const WORD_PART = /[A-Za-z0-9_$]/;

export function repairJson(input: string): string {
  const source = input.replace(/^\s*```[A-Za-z]*[ \t]*\r?\n?/, '').replace(/\r?\n?```\s*$/, '');
  const stack: Container[] = [];
  let out = '';
  let danglingKey = false;
  let i = 0;

  const top = (): Container | undefined => stack[stack.length - 1];
  const closeTop = (): void => {
    const container = stack.pop();
    if (!container) return;
    out = out.replace(/,\s*$/, '') + CLOSER[container.kind];
  };

  while (i < source.length) {
    const char = source.charAt(i);
    if (char === '"' || char === "'") {
      const { json, next } = readString(source, i);
      const container = top();
      danglingKey = container?.kind === '{' && container.expectingKey;
      out += json;
      i = next;
    } else if (char === '/' && source[i + 1] === '/') {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? source.length : newline;
    } else if (char === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      i = close === -1 ? source.length : close + 2;
    } else if (char === '{' || char === '[') {
      stack.push({ kind: char, expectingKey: char === '{' });
      out += char;
      i += 1;
    } else if (char === '}' || char === ']') {
      const opener = char === '}' ? '{' : '[';
      // Close anything left open inside (`{"a": [1}`); a closer with no opener is dropped.
      if (stack.some((container) => container.kind === opener)) {
        while (top()?.kind !== opener) closeTop();
        closeTop();
      }
      danglingKey = false;
      i += 1;
      if (stack.length === 0 && out.trim() !== '') break;
    } else if (char === ':') {
      const container = top();
      if (container) container.expectingKey = false;
      danglingKey = false;
      out += char;
      i += 1;
    } else if (char === ',') {
      const container = top();
      if (container?.kind === '{') container.expectingKey = true;
      out += char;
      i += 1;
    } else if (WORD_START.test(char)) {
      let end = i + 1;
      while (end < source.length && WORD_PART.test(source.charAt(end))) end += 1;
      const word = source.slice(i, end);
      const container = top();
      if (container?.kind === '{' && container.expectingKey) {
        out += JSON.stringify(word);
        danglingKey = true;
      } else {
        // A bare word in value position is most likely an unquoted string (`"final_answer": B`).
        out += BARE_WORDS[word] ?? JSON.stringify(word);
      }
      i = end;
    } else {
      out += char;
      i += 1;
    }
  }

  // The reply was cut off: finish the last member, then close what is still open.
  if (stack.length > 0) {
    out = out.replace(/\s+$/, '');
    if (danglingKey) out += ':null';
    else if (out.endsWith(':')) out += 'null';
    while (stack.length > 0) closeTop();
  }
  return out;
}

/**
 * Reads a string starting at `start` (quoted with " or ') and returns it as a JSON string.
 * A quote ends the string only when what follows can follow a string; otherwise it is taken as a
 * quote inside the text (`"he said "hi" to me"`).
 */
function readString(source: string, start: number): { json: string; next: number } {
  const quote = source.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const char = source.charAt(i);
    if (char === '\\') {
      const escaped = source.charAt(i + 1);
      if (escaped === "'") value += "'";
      else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
        i += 4;
      } else value += ESCAPES[escaped] ?? escaped;
      i += 2;
      continue;
    }
    if (char === quote && endsString(source, i + 1)) return { json: JSON.stringify(value), next: i + 1 };
    value += char;
    i += 1;
  }
  return { json: JSON.stringify(value), next: i };
}

function endsString(source: string, from: number): boolean {
  let i = from;
  while (i < source.length && /\s/.test(source.charAt(i))) i += 1;
  return i === source.length || ',:}]'.includes(source.charAt(i));
}

