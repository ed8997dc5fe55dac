/**
 * Just enough of a terminal to see what a user would see: replays what a
 * program wrote to a TTY (text, \r, \n, ESC 7 / ESC 8 cursor save and restore,
 * CSI n G, CSI K erase, cursor-visibility and wrap modes ignored) and returns
 * the screen's lines.
 */
export function renderTerminal(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  let saved = { row: 0, col: 0 };
  const put = (ch: string) => {
    const line = lines[row].padEnd(col, ' ');
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  for (let i = 0; i < output.length; i++) {
    const c = output[i];
    if (c === '\x1b') {
      // eslint-disable-next-line no-control-regex -- matching escape sequences is the point
      const csi = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(output.slice(i));
      if (csi) {
        const [all, arg, cmd] = csi;
        if (cmd === 'G') col = Number(arg || 1) - 1;
        else if (cmd === 'K')
          lines[row] =
            arg === '2' ? '' : arg === '1' ? ' '.repeat(col) + lines[row].slice(col) : lines[row].slice(0, col);
        i += all.length - 1;
      } else {
        if (output[i + 1] === '7') saved = { row, col };
        else if (output[i + 1] === '8') ({ row, col } = saved);
        i += 1;
      }
    } else if (c === '\r') col = 0;
    else if (c === '\n') {
      row++;
      col = 0;
      if (row >= lines.length) lines.push('');
    } else put(c);
  }
  return lines;
}
