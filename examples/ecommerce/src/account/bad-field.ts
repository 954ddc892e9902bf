import { BadRequestException } from '@nestjs/common';

/** A 400 whose `field` and message name what is wrong with the request. */
export function badField(field: string, message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', field, message });
}
