import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkEmail,
  checkHttpUrl,
  checkIdempotencyKey,
  checkImpressionId,
  checkMetadata,
  checkName,
  checkSignupFields,
  normaliseEmail,
  utf8Length,
} from './rules';

describe('field rules', () => {
  it('accepts ordinary and international names, refuses empty, long and control characters', () => {
    expect(checkName('Ana')).toBeNull();
    expect(checkName('José-María Ñúñez')).toBeNull();
    expect(checkName('李')).toBeNull();
    expect(checkName('')).toBe('required');
    expect(checkName('a'.repeat(100))).toBeNull();
    expect(checkName('a'.repeat(101))).toBe('too_long');
    expect(checkName('Bad\u0000Name')).toBe('control_chars');
    expect(checkName('Line\nBreak')).toBe('control_chars');
    expect(checkName('evil\u202egnp')).toBe('control_chars');
  });

  it.each([
    ['john.doe@example.com', null],
    ['a+tag@sub.example.co.uk', null],
    ['ünï@exämple.de', null],
    ['', 'required'],
    ['plain', 'invalid_email'],
    ['a@b', 'invalid_email'],
    ['a@@b.com', 'invalid_email'],
    ['a b@c.com', 'invalid_email'],
    ['.a@b.com', 'invalid_email'],
    ['a..b@c.com', 'invalid_email'],
    ['a@-b.com', 'invalid_email'],
    ['a@b.123', 'invalid_email'],
    ['a@b..com', 'invalid_email'],
    [`${'a'.repeat(65)}@b.com`, 'invalid_email'],
    [`a@${'b'.repeat(250)}.com`, 'too_long'],
  ])('email %j → %s', (email, code) => {
    expect(checkEmail(email)).toBe(code);
  });

  it('normalises emails for de-duplication only by trimming and lower-casing', () => {
    expect(normaliseEmail('  John.Doe@Example.COM ')).toBe('john.doe@example.com');
  });

  it('accepts only absolute http(s) URLs up to 2048 characters', () => {
    expect(checkHttpUrl('https://example.com/a.jpg')).toBeNull();
    expect(checkHttpUrl('http://example.com')).toBeNull();
    expect(checkHttpUrl('javascript:alert(1)')).toBe('invalid_url');
    expect(checkHttpUrl('data:image/png;base64,AAAA')).toBe('invalid_url');
    expect(checkHttpUrl('/relative.png')).toBe('invalid_url');
    expect(checkHttpUrl('https://exa mple.com')).toBe('invalid_url');
    expect(checkHttpUrl(`https://e.com/${'a'.repeat(2048)}`)).toBe('too_long');
  });

  it('limits metadata to plain objects of at most 8 KB', () => {
    expect(checkMetadata({ source: 'poster' })).toBeNull();
    expect(checkMetadata([])).toBe('not_object');
    expect(checkMetadata('x')).toBe('not_object');
    expect(checkMetadata(null)).toBe('not_object');
    expect(checkMetadata({ big: 'x'.repeat(8200) })).toBe('not_object');
    expect(checkMetadata({ big: 'é'.repeat(4100) })).toBe('not_object'); // bytes, not characters
  });

  it('limits idempotency keys and impression ids', () => {
    expect(checkIdempotencyKey('idemp_20240115_123456')).toBeNull();
    expect(checkIdempotencyKey('')).toBe('invalid_key');
    expect(checkIdempotencyKey('k'.repeat(256))).toBe('invalid_key');
    expect(checkIdempotencyKey('ключ')).toBe('invalid_key');
    expect(checkImpressionId('imp_123abc')).toBeNull();
    expect(checkImpressionId('imp<script>')).toBe('invalid_impression');
    expect(checkImpressionId('')).toBe('required');
  });

  it('checks a whole form and reports only the failing fields', () => {
    expect(checkSignupFields({ first_name: ' Ana ', last_name: 'Li', email: 'ana@uni.edu' })).toEqual({});
    expect(checkSignupFields({ first_name: '', last_name: 'Li', email: 'nope' })).toEqual({ first_name: 'required', email: 'invalid_email' });
  });

  it('counts UTF-8 bytes like TextEncoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
  });
});
