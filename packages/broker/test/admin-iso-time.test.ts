import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseIsoTime } from '../src/rules/iso-time.js';

// Local times are read in this zone (UTC+1 in winter, +2 in summer; clocks skip 02:00-03:00 on 2026-03-29).
const zone = process.env.TZ;
before(() => {
  process.env.TZ = 'Europe/Berlin';
});
after(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const ms = (text: string, zoneRule?: 'required' | 'local') => {
  const result = parseIsoTime(text, zoneRule === undefined ? {} : { zone: zoneRule });
  return 'ms' in result ? result.ms : result.problem;
};

test('zones: Z and z, ±hh:mm, ±hhmm, ±hh, and -00:00 as UTC', () => {
  const noon = Date.parse('2026-01-31T12:00:00Z');
  for (const text of ['2026-01-31T12:00:00Z', '2026-01-31t12:00:00z', '2026-01-31 12:00Z', '2026-01-31T14:00:00+02:00', '2026-01-31T14:00:00+0200', '2026-01-31T14:00+02', '2026-01-31T12:00:00-00:00', '2026-01-31T06:30:00-05:30']) {
    assert.equal(ms(text), noon, text);
  }
  assert.equal(ms('2026-01-31T12:00:00.123456789Z'), noon + 123, 'fractions are cut to milliseconds');
  assert.equal(ms('2026-01-31T12:00:00.5Z'), noon + 500);
});

test('impossible dates and times are refused, not rolled over', () => {
  const cases: [string, RegExp][] = [
    ['2026-02-30', /has day 30 while 2026-02 has 28 days/],
    ['2026-02-29T00:00:00Z', /has day 29 while 2026-02 has 28 days/],
    ['2026-04-31T00:00:00Z', /has day 31 while 2026-04 has 30 days/],
    ['2026-13-01', /has no month 13/],
    ['2026-00-10', /has no month 00/],
    ['2026-01-00', /has day 00/],
    ['2026-01-31T24:00:00Z', /hour past 23 \(for the end of a day, write the next day at 00:00\)/],
    ['2026-01-31T12:60Z', /minutes past 59/],
    ['2026-01-31T12:00:60Z', /seconds past 59/],
    ['2026-01-31T12:00:00+24:00', /zone offset \+24:00 past 23:59/],
    ['2026-01-31T12:00:00+01:60', /zone offset/],
    ['1969-12-31T23:59:59.999Z', /before 1970-01-01T00:00:00Z/],
    ['yesterday', /is not an ISO-8601 date or time/],
    ['2026-1-31', /is not an ISO-8601/],
    ['2026-01-31T12', /is not an ISO-8601/],
    ['2026-01-31T12:00:00.1234567890Z', /is not an ISO-8601/],
    ['2026-01-31T12:00:00+2', /is not an ISO-8601/],
    [' 2026-01-31', /is not an ISO-8601/],
  ];
  for (const [text, problem] of cases) assert.match(String(ms(text)), problem, text);
  assert.equal(ms('2028-02-29T00:00:00Z'), Date.parse('2028-02-29T00:00:00Z'), 'a leap day');
  assert.equal(ms('1970-01-01T00:00:00Z'), 0, 'the epoch');
});

test('without a zone: local time, a date alone local midnight; a skipped local time is refused', () => {
  assert.equal(ms('2026-01-31'), Date.parse('2026-01-30T23:00:00Z'), 'local midnight, like a date and time without a zone');
  assert.equal(ms('2026-01-31T00:00'), Date.parse('2026-01-30T23:00:00Z'));
  assert.equal(ms('2026-07-01T12:00:00'), Date.parse('2026-07-01T10:00:00Z'), 'summer time');
  assert.match(String(ms('2026-03-29T02:30:00')), /does not exist in the local time zone/);
  assert.equal(ms('0099-01-01T00:00:00Z'), 'is before 1970-01-01T00:00:00Z', 'a two-digit year is not read as 19xx');
});

test('zone required: a date alone or a time without a zone is refused', () => {
  assert.match(String(ms('2026-01-31', 'required')), /lacks a time or a zone/);
  assert.match(String(ms('2026-01-31T12:00:00', 'required')), /lacks a time or a zone/);
  assert.equal(ms('2026-01-31T12:00:00Z', 'required'), Date.parse('2026-01-31T12:00:00Z'));
});
