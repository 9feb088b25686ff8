/**
 * fast-check arbitraries for the hostile-input, webhook, admin and secrets properties:
 * the strings people really have in their names and addresses (and attackers put there),
 * adversarial JSON, bytes that are not UTF-8, odd header values and tricky origins.
 *
 * "Acceptable" arbitraries are built from the documented field rules (docs, DESIGN.md),
 * written out here independently of shared/src/rules.ts so a regression there shows up.
 */
import fc from 'fast-check';

/** Documented as refused in names: C0/C1 controls, DEL, line/paragraph separators, bidi overrides. */
const FORBIDDEN_IN_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** A UTF-16 half without its other half: it has no UTF-8 form, so it cannot be stored verbatim. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isCleanText = (text: string) => !FORBIDDEN_IN_TEXT.test(text) && !LONE_SURROGATE.test(text);

export const SQL_LOOKING = ["'; DROP TABLE signups; --", 'Robert"); DROP TABLE students;--', "1' OR '1'='1", "x' UNION SELECT * FROM outbox --"];
export const HTML_LOOKING = [
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '&lt;b&gt;&amp;', '{{7*7}}', '${7*7}',
  "javascript:alert('x')",
];

/** Name pieces that break naive code: combining marks, RTL, astral emoji, ZWJ, NFC vs NFD, quotes. */
export const NAME_FRAGMENTS = [
  'Jos\u00e9', // NFC é
  'Jose\u0301', // NFD e + combining acute: must stay NFD
  '\u1100\u1161\u11a8', // Hangul as conjoining jamo (NFD of 각)
  'Z\u0351\u0362a\u0337l\u0335g\u0334o', // stacked combining marks
  'محمد', // Arabic (RTL)
  'שָׂרָה', // Hebrew with niqqud (RTL + combining)
  'Ali\u200f', // right-to-left mark (not an override: allowed)
  '👩\u200d💻', // ZWJ emoji sequence (astral plane)
  '🇺🇦', // regional indicator pair
  '𝒜𝓁𝒾𝒸ℯ', // mathematical script (astral)
  '😀',
  'x\u200dy',
  'a\u200cb', // zero-width non-joiner
  "O'Brien",
  'D\u2019Angelo', // typographic apostrophe
  '"Doc"',
  '`tick`',
  'Mary\u00a0Ann', // no-break space inside
  'A\u3000B', // ideographic space inside
  'mid\ufeffBOM', // BOM inside (only the ends are trimmed)
  '\uffff\ufffe', // noncharacters are still characters
  '李小龍',
  'अनुच्छेद',
  'ไทย',
  'ß',
  'İı',
  '\\',
  '%00%s%n',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  ...SQL_LOOKING,
  ...HTML_LOOKING,
];

/** Whitespace that String.prototype.trim removes (the documented name normalisation). */
const EDGE_WHITESPACE = fc.constantFrom('', '', '', ' ', '  ', '\t', '\u00a0', '\u3000', '\ufeff', ' \u2003 ');

const namePiece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAME_FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
);

/** A first or last name the relay must accept; the relay stores `name.trim()`. */
export const acceptableName = fc
  .tuple(EDGE_WHITESPACE, fc.array(namePiece, { minLength: 1, maxLength: 4 }), EDGE_WHITESPACE)
  .map(([before, pieces, after]) => `${before}${pieces.join(' ')}${after}`)
  .filter((name) => {
    const trimmed = name.trim();
    return trimmed.length > 0 && trimmed.length <= 100 && isCleanText(name);
  });

const LOCAL_ATOMS = [
  'ada', 'Ada.Lovelace', "o'brien", 'josé', 'jose\u0301', 'δοκιμή', '用户', 'user+tag', 'a_b-c', '!#$%&*/=?^`{|}~',
  '😀', 'ZOË', 'x\u200dy', "'OR'1'='1", '{{7*7}}', '${x}', '%27', '--', 'SELECT*FROM', 'ٱلْعَرَبِيَّة',
];
const DOMAIN_LABELS = ['example', 'universität', '例え', 'xn--bcher-kva', 'ДОМЕН', 'uni-bonn', '123', 'a1', 'MiXeD', 'πανεπιστήμιο'];
const TLDS = ['edu', 'EDU', 'de', 'рф', '中国', 'io', 'xn--p1ai'];

const localPart = fc
  .array(
    fc.oneof(
      fc.constantFrom(...LOCAL_ATOMS),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }).filter((s) => /^[^\s@"(),:;<>[\\\].]+$/u.test(s)),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((atoms) => atoms.join('.'));

const domainLabel = fc.oneof(fc.constantFrom(...DOMAIN_LABELS), fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/));

/** An address the relay must accept and store byte for byte (case, NFD and all). */
export const acceptableEmail = fc
  .tuple(localPart, fc.array(domainLabel, { minLength: 1, maxLength: 3 }), fc.constantFrom(...TLDS))
  .map(([local, labels, tld]) => `${local}@${[...labels, tld].join('.')}`)
  .filter((email) => {
    const local = email.slice(0, email.lastIndexOf('@'));
    return local.length <= 56 && email.length <= 240 && isCleanText(email) && !/\s/.test(email);
  });

/** Metadata: any JSON object (unicode keys and values, nesting) that serialises to at most 8 KB. */
export const acceptableMetadata = fc
  .dictionary(
    fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('constructor', 'toString', 'hasOwnProperty', '', ' ')),
    fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }),
    { maxKeys: 5 },
  )
  // A top-level "__proto__" key is refused by design (400), so it is not "acceptable".
  .filter((metadata) => !Object.hasOwn(metadata, '__proto__') && Buffer.byteLength(JSON.stringify(metadata), 'utf8') <= 8192);

export const acceptableImpression = fc.constantFrom('imp_demo_1', 'imp_demo_2', 'imp_demo_3', 'imp_demo_4', 'imp_demo_5');

/** Printable ASCII, 1-255 characters: the documented Idempotency-Key rule. */
export const acceptableKey = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 255 });

/** A signup body the relay must accept; `profile_picture` and `metadata` are optional. */
export const acceptableSignup = fc.record(
  {
    impression_id: acceptableImpression,
    first_name: acceptableName,
    last_name: acceptableName,
    email: acceptableEmail,
    profile_picture: fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((url) => url.length <= 2048),
    metadata: acceptableMetadata,
  },
  { requiredKeys: ['impression_id', 'first_name', 'last_name', 'email'] },
);

/** Any JSON value at all, including unicode strings and deep-ish nesting. */
export const anyJson = fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' });

/** Values of the wrong type (or the right type with hostile content) for a signup field. */
export const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1e308, '', ' ', '\u0000', '\u202e', '\u2028', '\ud800', 'x'.repeat(10_000), [], {}, ['a'], { a: 1 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.constantFrom(...SQL_LOOKING, ...HTML_LOOKING),
  anyJson,
);

const SIGNUP_KEYS = ['impression_id', 'first_name', 'last_name', 'email', 'profile_picture', 'metadata', 'idempotency_key', 'honeypot', 'time_to_fill_ms'];

/** A valid signup with some fields replaced, removed or added: most bodies land near the boundary. */
export const mutatedSignup = fc
  .tuple(
    acceptableSignup,
    fc.array(fc.tuple(fc.constantFrom(...SIGNUP_KEYS, '__proto__', 'extra', 'EMAIL', ''), fc.option(hostileValue, { nil: undefined })), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([signup, edits]) => {
    const body: Record<string, unknown> = { ...signup };
    for (const [key, value] of edits) {
      if (value === undefined) delete body[key];
      else Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return body;
  });

/** JSON texts that are not what /v1/signups wants: non-objects, broken JSON, odd encodings. */
export const hostileJsonText = fc.oneof(
  anyJson.map((value) => JSON.stringify(value)),
  mutatedSignup.map((body) => JSON.stringify(body)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '', ' ', '{', '}', '{"a":}', '{"email":"a@b.co",}', "{'a':1}", 'NaN', '[1,2', '{"a":1}{"b":2}', '\ufeff{}', '{"a":"\\ud800"}',
    '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', 'null', 'true', '"str"', '1e999',
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, `${'['.repeat(100_000)}`,
  ),
);

/** Bytes that are not valid UTF-8: stray continuation bytes, overlongs, surrogates, truncated sequences. */
export const invalidUtf8 = fc
  .tuple(
    fc.string({ maxLength: 20 }),
    fc.constantFrom([0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe, 0xff], [0xe2, 0x82], [0xc3]),
    fc.string({ maxLength: 20 }),
  )
  .map(([before, bad, after]) => {
    const prefix = Buffer.from(`{"first_name":"${before.replace(/["\\]/g, '')}`, 'utf8');
    const suffix = Buffer.from(`${after.replace(/["\\]/g, '')}","last_name":"x"}`, 'utf8');
    return Uint8Array.from(Buffer.concat([prefix, Buffer.from(bad), suffix]));
  });

/** Content types that are not JSON (and a few that only look like it). */
export const nonJsonContentType = fc.oneof(
  fc.constantFrom(
    '', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp',
    'application/json-patch', 'json', 'application/', 'application/xml', 'text/html', '*/*', 'application/json5', 'application/javascript',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((type) => !/^\s*application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)),
);

/** Header values fetch can carry: visible ASCII and Latin-1, very long, no CR/LF/NUL. */
export const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 }),
  fc.constantFrom('x'.repeat(8000), ' ', '\t', '"', "'; DROP TABLE signups; --", '<script>', '%0d%0aSet-Cookie: a=b', '\\r\\n', 'a, b', ',,,'),
);

export const ALLOWED_ORIGIN = 'https://club.example.edu';
export const WILDCARD_ALLOWED = 'https://*.campus.example.org';

/** Origins that must not be granted (allowlist: ALLOWED_ORIGIN and WILDCARD_ALLOWED). */
export const foreignOrigin = fc.oneof(
  fc.constantFrom(
    'https://club.example.edu.evil.com', 'https://evilclub.example.edu', 'https://evil-club.example.edu', 'https://club.example.edu:8443',
    'http://club.example.edu', 'https://club.example.edu.', 'null', 'https://user@club.example.edu', 'https://club.example.edu@evil.com',
    'https://club.example.edu/', 'https://club.example.edu/path', 'https://club-example.edu', 'https://club.example.education',
    'https://campus.example.org', 'https://x.campus.example.org.evil.com', 'https://evil.com?.campus.example.org', 'https://evil.com#.campus.example.org',
    'https://evil.com\\.campus.example.org', 'https://evil.com%2F.campus.example.org', 'https://evil.com@x.campus.example.org',
    'https://x.campus.example.org:443', 'http://x.campus.example.org', 'https://xcampus.example.org', 'https://a b.campus.example.org',
    'https://*.campus.example.org', 'https://.campus.example.org', 'https://x..campus.example.org', 'file://', 'chrome-extension://abc',
    'https://xn--clb-0ra.example.edu', 'https://é.campus.example.org', 'HTTPS://CLUB.EXAMPLE.EDU', 'https://Club.Example.edu',
    'https://X.campus.example.org', 'https://-x.campus.example.org', 'https://x.campus.example.org/', '*', 'https://evil.com',
  ),
  fc.webUrl().map((url) => new URL(url).origin),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
);
