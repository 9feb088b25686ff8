import { describe, expect, it } from 'vitest';
import { compilePath, PathSyntaxError } from './path';

const payload = {
  data: {
    first_name: 'Maya',
    email_addresses: [{ email_address: 'first@example.edu' }, { email_address: 'second@example.edu' }],
    'odd.key': 'dotted',
    fields: [
      { key: 'q1', label: ' First Name ', type: 'INPUT_TEXT', value: 'Priya' },
      { key: 'q2', label: 'Email', type: 'INPUT_EMAIL', value: 'p@example.edu' },
      { key: 'q3', label: 'Odd ] label', type: 'INPUT_TEXT', value: 'bracket' },
      { key: 4, label: 'Number key', value: 'numeric' },
    ],
  },
  form_response: {
    hidden: { impression_id: 'imp_1' },
    answers: [
      { type: 'text', text: 'Jonas', field: { ref: 'first_name' } },
      { type: 'email', email: 'j@example.edu', field: { ref: 'email' } },
    ],
  },
};

const get = (path: string) => compilePath(path).get(payload);

describe('compilePath', () => {
  it.each([
    ['data.first_name', 'Maya'],
    ['data.email_addresses[0].email_address', 'first@example.edu'],
    ['data.email_addresses[-1].email_address', 'second@example.edu'],
    ['form_response.hidden.impression_id', 'imp_1'],
    ['form_response.answers[field.ref=email].email', 'j@example.edu'],
    ['form_response.answers[field.ref=first_name].text', 'Jonas'],
    ['data.fields[key=q2].value', 'p@example.edu'],
    ['data.fields[label~=first name].value', 'Priya'],
    ['data.fields[label~="first name"].value', 'Priya'],
    ['data.fields[type=INPUT_EMAIL].value', 'p@example.edu'],
    ['data.fields[label="Odd ] label"].value', 'bracket'],
    ['data.fields[key=4].value', 'numeric'],
    ['data["odd.key"]', 'dotted'],
  ])('reads %s', (path, expected) => {
    expect(get(path)).toEqual({ found: true, value: expected });
  });

  it('reports the shortest prefix that led nowhere', () => {
    expect(get('data.email_addresses[5].email_address')).toEqual({ found: false, missingAt: 'data.email_addresses[5]' });
    expect(get('data.fields[label=First Name].value')).toEqual({ found: false, missingAt: 'data.fields[label=First Name]' });
    expect(get('form_response.hidden.missing')).toEqual({ found: false, missingAt: 'form_response.hidden.missing' });
    expect(get('data.first_name[0]')).toEqual({ found: false, missingAt: 'data.first_name[0]' });
    expect(get('data.first_name.length')).toEqual({ found: false, missingAt: 'data.first_name.length' });
  });

  it('never reaches inherited properties', () => {
    expect(get('data.constructor').found).toBe(false);
    expect(get('data.__proto__').found).toBe(false);
    expect(get('data.email_addresses.length').found).toBe(false);
    expect(compilePath('toString').get({}).found).toBe(false);
  });

  it('finds null as a value (the mapper decides it is missing)', () => {
    expect(compilePath('a').get({ a: null })).toEqual({ found: true, value: null });
  });

  it.each(['', ' ', 'a.', '.a', 'a..b', 'a[', 'a[0', 'a[]', 'a[x]', 'a[=1]', 'a[b=]', 'a]b', 'a[0]b', 'a["x]', 'a[b="x"'])(
    'rejects %j with a positioned message',
    (path) => {
      expect(() => compilePath(path)).toThrow(PathSyntaxError);
      expect(() => compilePath(path)).toThrow(/(at character \d+|empty path)/);
    },
  );
});
