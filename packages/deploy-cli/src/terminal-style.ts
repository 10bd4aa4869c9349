import { inspect } from 'node:util';

/** The styles the output uses. */
export type StyleName = 'bold' | 'dim' | 'green' | 'red' | 'yellow' | 'cyan';

/** Wraps text in a style, or returns it unchanged when colours are off. */
export type Stylize = (style: StyleName, text: string) => string;

/** The part of an output stream that decides whether to use colours. */
export interface TerminalInfo {
  isTTY?: boolean;
}

/** Returns whether to colour a stream: only a TTY, and only while `NO_COLOR` is unset or empty. */
export function shouldUseColor(
  stream: TerminalInfo,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const noColor = env.NO_COLOR;
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

/** Creates a Stylize that emits the SGR codes Node.js lists in util.inspect.colors. */
export function createStylize(enabled: boolean): Stylize {
  if (!enabled) return (_style, text) => text;
  return (style, text) => {
    const codes = inspect.colors[style];
    if (codes === undefined) return text;
    return `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m`;
  };
}
