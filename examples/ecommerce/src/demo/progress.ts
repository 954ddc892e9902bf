/**
 * A progress line: rewritten in place on a terminal; elsewhere (a log, a test) printed at most
 * once a second, and always when it is done.
 */
export class Progress {
  readonly #tty = process.stdout.isTTY === true;
  #last = '';
  #lastPrinted = 0;

  update(text: string): void {
    if (text === this.#last) return;
    this.#last = text;
    if (this.#tty) {
      process.stdout.write(`\r\x1b[2K${text}`);
    } else if (Date.now() - this.#lastPrinted >= 1000) {
      this.#lastPrinted = Date.now();
      console.log(text);
    }
  }

  done(text: string): void {
    if (this.#tty) process.stdout.write(`\r\x1b[2K`);
    console.log(text);
    this.#last = '';
  }
}
