import { readFileSync } from 'node:fs';
import { Controller, Get, Header } from '@nestjs/common';

/** Serves the registration page at `/`: plain HTML with a small script, no build step. */
@Controller()
export class PageController {
  readonly #page = readFileSync(new URL('../../public/index.html', import.meta.url), 'utf8');

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return this.#page;
  }
}
